/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What ties an srfd instance together across daemon lifetimes: its lock
 * (one srfdd per instance) and its bpffs directory (the pinned maps that
 * carry sessions, prefixes and counters while no srfdd runs).
 */
#ifndef SRFD_PIN_H
#define SRFD_PIN_H

#include <stddef.h>
#include "config.h"

#define SRFD_RUN_DIR	"/run/srfd"

/*
 * Take the instance lock (/run/srfd/<instance>.lock) without blocking.
 * Returns the lock fd, or -EBUSY with *holder set to the pid holding it.
 */
int srfd_instance_lock(const char *instance, int *holder);
void srfd_instance_unlock(int fd, const char *instance);

/* Make sure @bpffs is a bpffs (mounting one if needed). */
int srfd_bpffs_ensure(const char *bpffs);
/*
 * After an instance's pins are gone: remove @bpffs/srfd if empty and unmount
 * @bpffs if nothing is left in it (never /sys/fs/bpf).
 */
void srfd_bpffs_release(const char *bpffs);
/* "<bpffs>/srfd/<instance>", created if @create. */
int srfd_pin_dir(const struct srfd_config *conf, char *buf, size_t len,
		 int create);
/* 1 if @dir holds an instance's pinned state, 0 if not. */
int srfd_pin_present(const char *dir);
/* Unpin everything in @dir and remove it. */
void srfd_pin_remove(const char *dir);

#endif
