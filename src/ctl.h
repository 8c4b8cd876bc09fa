/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* srfdd control socket: request/record protocol of include/srfd/srfd.h. */
#ifndef SRFD_CTL_H
#define SRFD_CTL_H

#include <stddef.h>
#include <ev.h>
#include <sys/types.h>
#include <srfd/srfd.h>

#define SRFD_CTL_MAX_CLIENTS	64	/* served at once; more wait in the backlog */

struct srfd_ctl_server;
struct srfd_ctl_client;

/*
 * Answer request @req (of this protocol; monitor requests are handled here)
 * by queueing records with srfd_ctl_reply(); return 0 or -errno (the client
 * then gets an SRFD_CTL_ERROR record). Every answer starts with a HELLO
 * record; requests that change state come only from root or srfdd's user.
 */
typedef int (*srfd_ctl_request_fn)(void *ctx, struct srfd_ctl_client *c,
				   const struct srfd_ctl_req *req);

/* @group: (gid_t)-1, or a group that may connect (socket mode 0660). */
int srfd_ctl_open(struct srfd_ctl_server **out, struct ev_loop *loop,
		  const char *path, gid_t group, srfd_ctl_request_fn request,
		  void *ctx);
/* Queue one record for @c (written as its socket drains); 0 or -errno. */
int srfd_ctl_reply(struct srfd_ctl_client *c, const void *rec, size_t len);
/* Queue one record for every `monitor` client. */
void srfd_ctl_broadcast(struct srfd_ctl_server *srv, const void *rec,
			size_t len);
/* Clients connected now (monitors included). */
unsigned int srfd_ctl_clients(const struct srfd_ctl_server *srv);
void srfd_ctl_close(struct srfd_ctl_server *srv);

#endif
