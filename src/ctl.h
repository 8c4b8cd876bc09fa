/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* srfdd control socket: request/record protocol of include/srfd/srfd.h. */
#ifndef SRFD_CTL_H
#define SRFD_CTL_H

#include <stddef.h>
#include <ev.h>

struct srfd_ctl_server;

/* Answer request @op by sending records on @fd; return 0 or -errno. */
typedef int (*srfd_ctl_show_fn)(void *ctx, int fd, unsigned int op);

int srfd_ctl_open(struct srfd_ctl_server **out, struct ev_loop *loop,
		  const char *path, srfd_ctl_show_fn show, void *ctx);
/* Send one record to every `monitor` client. */
void srfd_ctl_broadcast(struct srfd_ctl_server *srv, const void *rec,
			size_t len);
void srfd_ctl_close(struct srfd_ctl_server *srv);

/* Send one record; 0 or -errno. Shared with srfdctl. */
int srfd_ctl_send(int fd, const void *rec, size_t len);

#endif
