// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Control socket of srfdd: a SOCK_SEQPACKET Unix socket, one fixed-size
 * record per message (structs in include/srfd/srfd.h). A client sends one
 * request; `session show` is answered with records and SRFD_CTL_END, and
 * `monitor` turns the connection into an event stream.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <srfd/srfd.h>

#include "ctl.h"
#include "log.h"

struct ctl_client {
	ev_io watcher;
	int monitor;
	struct srfd_ctl_server *srv;
	struct ctl_client *next;
};

struct srfd_ctl_server {
	struct ev_loop *loop;
	ev_io listen_watcher;
	srfd_ctl_show_fn show;
	void *ctx;
	struct ctl_client *clients;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

int srfd_ctl_send(int fd, const void *rec, size_t len)
{
	if (send(fd, rec, len, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)len)
		return -errno;
	return 0;
}

static void client_free(struct ctl_client *c)
{
	struct ctl_client **pp;

	for (pp = &c->srv->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ev_io_stop(c->srv->loop, &c->watcher);
	close(c->watcher.fd);
	free(c);
}

static void client_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *c = (struct ctl_client *)w;
	struct srfd_ctl_hdr req, end = { .op = SRFD_CTL_END };
	ssize_t n;

	(void)loop;
	(void)revents;
	n = recv(w->fd, &req, sizeof(req), 0);
	if (n <= 0 || c->monitor) {
		client_free(c);	/* closed, or a monitor client spoke */
		return;
	}
	if (n != sizeof(req)) {
		end.op = SRFD_CTL_ERROR;
		end.status = -EPROTO;
	} else if (req.op == SRFD_CTL_MONITOR) {
		c->monitor = 1;
		return;
	} else {
		end.status = c->srv->show(c->srv->ctx, w->fd, req.op);
		if (end.status)
			end.op = SRFD_CTL_ERROR;
	}
	srfd_ctl_send(w->fd, &end, sizeof(end));
	client_free(c);
}

static void listen_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct srfd_ctl_server *srv = w->data;
	struct ctl_client *c;
	int fd;

	(void)revents;
	fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->srv = srv;
	c->next = srv->clients;
	srv->clients = c;
	ev_io_init(&c->watcher, client_readable, fd, EV_READ);
	ev_io_start(loop, &c->watcher);
}

int srfd_ctl_open(struct srfd_ctl_server **out, struct ev_loop *loop,
		  const char *path, srfd_ctl_show_fn show, void *ctx)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct srfd_ctl_server *srv;
	char dir[sizeof(sun.sun_path)];
	char *slash;
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* a socket file left by a crashed srfdd; a live one would answer */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		close(fd);
		log_err("%s: another srfdd is already running on it", path);
		return -EADDRINUSE;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    chmod(path, 0600) || listen(fd, 16)) {
		err = -errno;
		close(fd);
		return err;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		close(fd);
		unlink(path);
		return -ENOMEM;
	}
	srv->loop = loop;
	srv->show = show;
	srv->ctx = ctx;
	strcpy(srv->path, path);
	ev_io_init(&srv->listen_watcher, listen_readable, fd, EV_READ);
	srv->listen_watcher.data = srv;
	ev_io_start(loop, &srv->listen_watcher);
	*out = srv;
	return 0;
}

void srfd_ctl_broadcast(struct srfd_ctl_server *srv, const void *rec,
			size_t len)
{
	struct ctl_client *c, *next;
	int err;

	for (c = srv->clients; c; c = next) {
		next = c->next;
		if (!c->monitor)
			continue;
		err = srfd_ctl_send(c->watcher.fd, rec, len);
		if (err) {
			log_warn("dropping monitor client: %s", strerror(-err));
			client_free(c);
		}
	}
}

void srfd_ctl_close(struct srfd_ctl_server *srv)
{
	if (!srv)
		return;
	while (srv->clients)
		client_free(srv->clients);
	ev_io_stop(srv->loop, &srv->listen_watcher);
	close(srv->listen_watcher.fd);
	unlink(srv->path);
	free(srv);
}
