// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Control socket of srfdd: a SOCK_SEQPACKET Unix socket, one fixed-size
 * record per message (structs in include/srfd/srfd.h). A client sends one
 * request; `show` requests are answered with records and SRFD_CTL_END, and
 * `monitor` turns the connection into an event stream.
 *
 * srfdd never blocks on a client: replies are queued per client and written
 * as the socket drains, so a show of any size streams whatever the socket
 * buffer; a client that lets its queue grow past a cap is dropped. Clients
 * that say nothing are closed after an idle timeout, at most
 * SRFD_CTL_MAX_CLIENTS are served at once, and accept() errors (e.g. at the
 * file-descriptor limit) pause the listener instead of spinning on it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <srfd/srfd.h>

#include "ctl.h"
#include "log.h"

#define CTL_IDLE_S		2.0	/* a request must arrive within this */
#define CTL_REPLY_S		10.0	/* and its reply be read within this */
#define CTL_ACCEPT_PAUSE_S	0.1	/* after accept() failed */
#define CTL_QUEUE_MAX		(8u << 20)	/* bytes queued per client */

struct srfd_ctl_client {
	ev_io watcher;			/* first: the io callbacks cast back */
	ev_timer idle;
	int monitor;
	int privileged;			/* root or our user: may change state */
	int closing;			/* close once the queue is written */
	struct srfd_ctl_server *srv;
	struct srfd_ctl_client *next;
	/* queued records, each as a __u16 length and the record */
	__u8 *q;
	size_t qhead, qlen, qcap;
};

struct srfd_ctl_server {
	struct ev_loop *loop;
	ev_io listen_watcher;
	ev_timer accept_pause;
	srfd_ctl_request_fn request;
	void *ctx;
	struct srfd_ctl_client *clients;
	unsigned int nclients;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static void client_free(struct srfd_ctl_client *c)
{
	struct srfd_ctl_server *srv = c->srv;
	struct srfd_ctl_client **pp;

	for (pp = &srv->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	srv->nclients--;
	ev_io_stop(srv->loop, &c->watcher);
	ev_timer_stop(srv->loop, &c->idle);
	close(c->watcher.fd);
	free(c->q);
	free(c);
	/* a place became free: take connections again if we stopped */
	if (!ev_is_active(&srv->listen_watcher) &&
	    !ev_is_active(&srv->accept_pause))
		ev_io_start(srv->loop, &srv->listen_watcher);
}

/* Write what the socket takes; 0, or -errno if the client must go. */
static int client_flush(struct srfd_ctl_client *c)
{
	__u16 len;
	ssize_t n;

	while (c->qhead < c->qlen) {
		memcpy(&len, c->q + c->qhead, sizeof(len));
		n = send(c->watcher.fd, c->q + c->qhead + sizeof(len), len,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		c->qhead += sizeof(len) + len;
	}
	c->qhead = c->qlen = 0;
	return 0;
}

/* Wait for readability (a request) or writability (queued records). */
static void client_watch(struct srfd_ctl_client *c)
{
	int events = c->qlen ? EV_WRITE : EV_READ;

	if (c->watcher.events == events && ev_is_active(&c->watcher))
		return;
	ev_io_stop(c->srv->loop, &c->watcher);
	ev_io_set(&c->watcher, c->watcher.fd, events);
	ev_io_start(c->srv->loop, &c->watcher);
}

int srfd_ctl_reply(struct srfd_ctl_client *c, const void *rec, size_t len)
{
	size_t need = sizeof(__u16) + len;
	__u8 *grown;

	if (len > 0xffff)
		return -EMSGSIZE;
	if (c->qlen + need > CTL_QUEUE_MAX)
		return -ENOBUFS;
	if (c->qhead && c->qhead == c->qlen)
		c->qhead = c->qlen = 0;
	if (c->qlen + need > c->qcap) {
		size_t cap = c->qcap ? c->qcap : 4096;

		while (cap < c->qlen + need)
			cap *= 2;
		grown = realloc(c->q, cap);
		if (!grown)
			return -ENOMEM;
		c->q = grown;
		c->qcap = cap;
	}
	memcpy(c->q + c->qlen, &(__u16){ len }, sizeof(__u16));
	memcpy(c->q + c->qlen + sizeof(__u16), rec, len);
	c->qlen += need;
	return 0;
}

static void client_done(struct srfd_ctl_client *c)
{
	int err = client_flush(c);

	if (err || (!c->qlen && c->closing)) {
		client_free(c);
		return;
	}
	client_watch(c);
}

/* Requests that change state: only root or srfdd's own user may send them. */
static int op_changes_state(unsigned int op)
{
	switch (op) {
	case SRFD_CTL_SESSION_SHOW:
	case SRFD_CTL_STATS_SHOW:
	case SRFD_CTL_PREFIX_SHOW:
	case SRFD_CTL_MONITOR:
	case SRFD_CTL_VERSION:
		return 0;
	}
	return 1;
}

static void client_hello(struct srfd_ctl_client *c)
{
	struct srfd_ctl_hello h = {
		.hdr.op = SRFD_CTL_HELLO_REC,
		.proto = SRFD_CTL_PROTO,
		.abi = SRFD_ABI_VERSION,
	};
	struct timespec mono, real;

	snprintf(h.version, sizeof(h.version), "%s", SRFD_VERSION);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	h.mono_ns = mono.tv_sec * 1000000000ULL + mono.tv_nsec;
	h.real_ns = real.tv_sec * 1000000000ULL + real.tv_nsec;
	srfd_ctl_reply(c, &h, sizeof(h));	/* the queue is empty: fits */
}

static void client_request(struct srfd_ctl_client *c)
{
	struct srfd_ctl_hdr end = { .op = SRFD_CTL_END };
	struct srfd_ctl_msg msg = { .hdr.op = SRFD_CTL_MSG_REC };
	struct srfd_ctl_req req;
	ssize_t n;

	memset(&req, 0, sizeof(req));
	/* MSG_TRUNC: the real size, so an oversized request is an error */
	n = recv(c->watcher.fd, &req, sizeof(req), MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0 || c->monitor) {
		client_free(c);	/* closed, or a monitor client spoke */
		return;
	}
	ev_timer_stop(c->srv->loop, &c->idle);
	client_hello(c);
	if (n != sizeof(req) || req.proto != SRFD_CTL_PROTO || req.flags) {
		/* an srfdctl of another release: say so, in words */
		char theirs[48];

		if (n == (ssize_t)sizeof(req))
			snprintf(theirs, sizeof(theirs), "protocol %u", req.proto);
		else
			snprintf(theirs, sizeof(theirs), "a %zd-byte request", n);
		snprintf(msg.text, sizeof(msg.text),
			 "srfdd %s speaks control protocol %u, the client sent "
			 "%s: use the srfdctl of the same release",
			 SRFD_VERSION, SRFD_CTL_PROTO, theirs);
		srfd_ctl_reply(c, &msg, sizeof(msg));
		end.op = SRFD_CTL_ERROR;
		end.status = -EPROTO;
	} else if (!c->privileged && op_changes_state(req.hdr.op)) {
		snprintf(msg.text, sizeof(msg.text), "only root (or srfdd's "
			 "user) may change srfdd's state; members of its "
			 "control_group may read");
		srfd_ctl_reply(c, &msg, sizeof(msg));
		end.op = SRFD_CTL_ERROR;
		end.status = -EPERM;
	} else if (req.hdr.op == SRFD_CTL_MONITOR) {
		c->monitor = 1;
		client_done(c);	/* the hello goes out */
		return;
	} else if (req.hdr.op != SRFD_CTL_VERSION) {
		end.status = c->srv->request(c->srv->ctx, c, &req);
		if (end.status)
			end.op = SRFD_CTL_ERROR;
	}
	/* a reply too big to queue still ends with a record saying so */
	if (srfd_ctl_reply(c, &end, sizeof(end))) {
		c->qhead = c->qlen = 0;
		end.op = SRFD_CTL_ERROR;
		end.status = -ENOBUFS;
		srfd_ctl_reply(c, &end, sizeof(end));
	}
	c->closing = 1;
	/* a client that stops reading must not hold its place forever */
	ev_timer_set(&c->idle, CTL_REPLY_S, 0);
	ev_timer_start(c->srv->loop, &c->idle);
	client_done(c);
}

static void client_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct srfd_ctl_client *c = (struct srfd_ctl_client *)w;

	(void)loop;
	if (revents & EV_WRITE)
		client_done(c);
	else
		client_request(c);
}

static void client_idle(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct srfd_ctl_client *c = w->data;

	(void)loop;
	(void)revents;
	if (c->closing)
		log_warn("control client did not read its reply within %.0f s: "
			 "dropped", CTL_REPLY_S);
	else
		log_debug("control client sent no request within %.0f s: closed",
			  CTL_IDLE_S);
	client_free(c);
}

static void accept_resume(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct srfd_ctl_server *srv = w->data;

	(void)revents;
	if (srv->nclients < SRFD_CTL_MAX_CLIENTS)
		ev_io_start(loop, &srv->listen_watcher);
}

static void listen_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct srfd_ctl_server *srv = w->data;
	socklen_t cred_len = sizeof(struct ucred);
	struct srfd_ctl_client *c;
	struct ucred cred;
	int fd;

	(void)revents;
	fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			return;
		/* EMFILE and friends: pause instead of spinning on it */
		log_warn("control socket: accept: %s; pausing %.0f ms",
			 strerror(errno), CTL_ACCEPT_PAUSE_S * 1000);
		ev_io_stop(loop, w);
		ev_timer_set(&srv->accept_pause, CTL_ACCEPT_PAUSE_S, 0);
		ev_timer_start(loop, &srv->accept_pause);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len))
		c->privileged = cred.uid == 0 || cred.uid == geteuid();
	c->srv = srv;
	c->next = srv->clients;
	srv->clients = c;
	if (++srv->nclients >= SRFD_CTL_MAX_CLIENTS)
		ev_io_stop(loop, w);	/* the kernel's backlog holds the rest */
	ev_io_init(&c->watcher, client_io, fd, EV_READ);
	ev_io_start(loop, &c->watcher);
	ev_timer_init(&c->idle, client_idle, CTL_IDLE_S, 0);
	c->idle.data = c;
	ev_timer_start(loop, &c->idle);
}

/*
 * The socket path is ours if nothing is there or a socket nobody answers
 * on (left by a crashed srfdd). Anything else is refused, never deleted.
 */
static int claim_path(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd;

	if (lstat(sun->sun_path, &st)) {
		return errno == ENOENT ? 0 : -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_err("%s exists and is not a socket: refusing to replace it",
			sun->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0) {
		close(fd);
		log_err("%s: another srfdd is already running on it",
			sun->sun_path);
		return -EADDRINUSE;
	}
	close(fd);
	return unlink(sun->sun_path) ? -errno : 0;
}

int srfd_ctl_open(struct srfd_ctl_server **out, struct ev_loop *loop,
		  const char *path, gid_t group, srfd_ctl_request_fn request,
		  void *ctx)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct srfd_ctl_server *srv;
	char dir[sizeof(sun.sun_path)];
	mode_t old_mask;
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
	err = claim_path(&sun);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* born 0600: no window in which others could connect */
	old_mask = umask(0177);
	err = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_mask);
	/* readers in @group: exporters and monitoring need no root */
	if (!err && group != (gid_t)-1 &&
	    (chown(path, (uid_t)-1, group) || chmod(path, 0660))) {
		err = -errno;
		log_err("control socket %s: cannot hand it to control_group "
			"(gid %u): %s%s", path, (unsigned int)group,
			strerror(-err), err == -EPERM ?
			" (that takes CAP_CHOWN)" : "");
		close(fd);
		unlink(path);
		return err;
	}
	if (err || listen(fd, 64)) {
		err = -errno;
		close(fd);
		unlink(path);
		return err;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		close(fd);
		unlink(path);
		return -ENOMEM;
	}
	srv->loop = loop;
	srv->request = request;
	srv->ctx = ctx;
	strcpy(srv->path, path);
	ev_io_init(&srv->listen_watcher, listen_readable, fd, EV_READ);
	srv->listen_watcher.data = srv;
	ev_timer_init(&srv->accept_pause, accept_resume, CTL_ACCEPT_PAUSE_S, 0);
	srv->accept_pause.data = srv;
	ev_io_start(loop, &srv->listen_watcher);
	*out = srv;
	return 0;
}

unsigned int srfd_ctl_clients(const struct srfd_ctl_server *srv)
{
	return srv->nclients;
}

void srfd_ctl_broadcast(struct srfd_ctl_server *srv, const void *rec,
			size_t len)
{
	struct srfd_ctl_client *c, *next;
	int err;

	for (c = srv->clients; c; c = next) {
		next = c->next;
		if (!c->monitor)
			continue;
		err = srfd_ctl_reply(c, rec, len);
		if (!err)
			err = client_flush(c);
		if (err) {
			log_warn("dropping monitor client: %s", strerror(-err));
			client_free(c);
			continue;
		}
		client_watch(c);
	}
}

void srfd_ctl_close(struct srfd_ctl_server *srv)
{
	if (!srv)
		return;
	/* last answers (e.g. the END of a flush request) go out if they fit */
	while (srv->clients) {
		client_flush(srv->clients);
		client_free(srv->clients);
	}
	ev_timer_stop(srv->loop, &srv->accept_pause);
	ev_io_stop(srv->loop, &srv->listen_watcher);
	close(srv->listen_watcher.fd);
	unlink(srv->path);
	free(srv);
}
