// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: srfdd's control socket (src/ctl.c), driven end to end
 * over a real SOCK_SEQPACKET socket. The input is a script for up to eight
 * clients: connect, send a message of any size and content, shut down or
 * close, and let the server run. Replies are read back and checked: every
 * record is a known record type, every answer starts with one HELLO, a
 * request is answered by records ending in exactly one END or ERROR after
 * which the server closes, and a malformed request gets ERROR -EPROTO. A `session show` answers thousands of records
 * (more than a socket buffer) so queueing and draining are exercised, and
 * reloads broadcast to `monitor` clients. ASan watches the server's memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <srfd/srfd.h>

#include "ctl.h"
#include "log.h"

#define NCLIENTS	8
#define SHOW_RECORDS	3000

static struct ev_loop *loop;
static struct srfd_ctl_server *srv;
static char path[108];

struct client {
	int fd;
	int done;		/* END/ERROR seen */
	int monitor;		/* asked for the event stream */
	int sent;		/* its one request is out */
	int eof;
	int hello;		/* records seen (the first is HELLO) */
};

static int request(void *ctx, struct srfd_ctl_client *c,
		   const struct srfd_ctl_req *req)
{
	unsigned int op = req->hdr.op;
	struct srfd_ctl_session rec = { .hdr.op = SRFD_CTL_SESSION_REC };
	struct srfd_ctl_event ev = { .hdr.op = SRFD_CTL_EVENT_REC };
	int i, err;

	(void)ctx;
	switch (op) {
	case SRFD_CTL_SESSION_SHOW:
		for (i = 0; i < SHOW_RECORDS; i++) {
			rec.probes_tx = i;
			err = srfd_ctl_reply(c, &rec, sizeof(rec));
			if (err)
				return err;
		}
		return 0;
	case SRFD_CTL_RELOAD:
		srfd_ctl_broadcast(srv, &ev, sizeof(ev));
		return 0;
	case SRFD_CTL_STATS_SHOW:
		return -EIO;
	}
	return -EOPNOTSUPP;
}

static void cleanup(void)
{
	srfd_ctl_close(srv);	/* removes the socket file */
	ev_loop_destroy(loop);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	srfd_log_set_level(LOG_LVL_ERR);
	loop = ev_loop_new(EVFLAG_AUTO);
	snprintf(path, sizeof(path), "/tmp/srfd-fuzz-ctl.%d.sock", (int)getpid());
	if (!loop || srfd_ctl_open(&srv, loop, path, (gid_t)-1, request, NULL)) {
		fprintf(stderr, "cannot open the control socket %s\n", path);
		exit(1);
	}
	atexit(cleanup);
	return 0;
}

/* Read what the server sent @cl and check it. */
static void drain(struct client *cl)
{
	union {
		struct srfd_ctl_hdr hdr;
		struct srfd_ctl_session s;
		struct srfd_ctl_event e;
		__u8 raw[4096];
	} rec;
	ssize_t n;

	while (cl->fd >= 0 && !cl->eof) {
		n = recv(cl->fd, &rec, sizeof(rec), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN)
				return;
			if (errno == ECONNRESET) {	/* dropped by the server */
				cl->eof = 1;
				return;
			}
			abort();
		}
		if (n == 0) {
			cl->eof = 1;
			return;
		}
		if (cl->done || (size_t)n < sizeof(rec.hdr))
			abort();	/* nothing may follow END/ERROR */
		/* every answer, a monitor's too, starts with one HELLO */
		if (!cl->hello++ && rec.hdr.op != SRFD_CTL_HELLO_REC)
			abort();
		switch (rec.hdr.op) {
		case SRFD_CTL_HELLO_REC:
			if (n != sizeof(struct srfd_ctl_hello) || cl->hello != 1)
				abort();
			break;
		case SRFD_CTL_MSG_REC:
			if (n != sizeof(struct srfd_ctl_msg) || cl->monitor)
				abort();
			break;
		case SRFD_CTL_SESSION_REC:
			if (n != sizeof(rec.s) || cl->monitor)
				abort();
			break;
		case SRFD_CTL_EVENT_REC:
			if (n != sizeof(rec.e) || !cl->monitor)
				abort();
			break;
		case SRFD_CTL_END:
		case SRFD_CTL_ERROR:
			if (n != sizeof(rec.hdr) || cl->monitor ||
			    (rec.hdr.op == SRFD_CTL_ERROR) != (rec.hdr.status < 0))
				abort();
			cl->done = 1;
			break;
		default:
			abort();
		}
	}
}

static void run_server(struct client *cls)
{
	int i, round;

	for (round = 0; round < 4; round++) {
		ev_run(loop, EVRUN_NOWAIT);
		for (i = 0; i < NCLIENTS; i++)
			drain(&cls[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct client cls[NCLIENTS];
	struct srfd_ctl_req *req;
	__u8 msg[1024];
	size_t pos = 0, len;
	int i;

	strcpy(sun.sun_path, path);
	for (i = 0; i < NCLIENTS; i++)
		cls[i] = (struct client){ .fd = -1 };

	while (pos < size) {
		__u8 b = data[pos++];
		struct client *cl = &cls[(b >> 2) % NCLIENTS];

		switch (b & 3) {
		case 0:		/* connect */
			if (cl->fd >= 0)
				break;
			cl->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC |
					SOCK_NONBLOCK, 0);
			if (cl->fd < 0)
				abort();
			if (connect(cl->fd, (struct sockaddr *)&sun, sizeof(sun))) {
				/* the backlog is full: srfdd is at its client cap */
				if (errno != EAGAIN)
					abort();
				close(cl->fd);
				cl->fd = -1;
			}
			cl->done = cl->monitor = cl->sent = cl->eof = 0;
			cl->hello = 0;
			break;
		case 1:		/* send: length byte, then bytes (a valid op often) */
			if (pos >= size || cl->fd < 0)
				break;
			len = data[pos++];
			if (len > size - pos)
				len = size - pos;
			memset(msg, 0, sizeof(msg));
			memcpy(msg, data + pos, len);
			pos += len;
			/* lengths near the request size, ops that exist */
			if (len < 8 && (len & 4)) {
				req = (struct srfd_ctl_req *)msg;
				memset(req, 0, sizeof(*req));
				req->hdr.op = 1 + len % 10;
				req->proto = SRFD_CTL_PROTO;
				len = sizeof(*req);
			}
			/* only the first message is a request */
			req = (struct srfd_ctl_req *)msg;
			if (!cl->sent && len == sizeof(*req) &&
			    req->proto == SRFD_CTL_PROTO && !req->flags &&
			    req->hdr.op == SRFD_CTL_MONITOR)
				cl->monitor = 1;
			cl->sent = 1;
			/* the server may already have closed it: that is fine */
			send(cl->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			break;
		case 2:		/* half or full close */
			if (cl->fd < 0)
				break;
			if (b & 0x80) {
				shutdown(cl->fd, SHUT_WR);
			} else {
				close(cl->fd);
				cl->fd = -1;
			}
			break;
		default:
			run_server(cls);
			break;
		}
	}
	run_server(cls);
	for (i = 0; i < NCLIENTS; i++)
		if (cls[i].fd >= 0)
			close(cls[i].fd);
	/* the server sees every close and frees every client, soon */
	for (i = 0; i < 1000 && srfd_ctl_clients(srv); i++)
		ev_run(loop, EVRUN_NOWAIT);
	if (srfd_ctl_clients(srv))
		abort();
	return 0;
}
