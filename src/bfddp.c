// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bfddp codec and connection (bfddp.h). Offsets below are those of FRR's
 * packed-by-nature structs (bfdd/bfddp_packet.h); every field is written
 * and read byte by byte, in network order, so host layout never matters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <ev.h>

#include "bfddp.h"
#include "log.h"

/* payload offsets */
#define SESS_LEN	132
#define SESS_FLAGS	0
#define SESS_SRC	4
#define SESS_DST	20
#define SESS_LID	36
#define SESS_MIN_TX	40
#define SESS_MIN_RX	44
#define SESS_HOLD	56
#define SESS_TTL	60
#define SESS_MULT	61
#define SESS_IFINDEX	64
#define SESS_IFNAME	68
#define STATE_LEN	28
#define COUNTERS_LEN	72
#define ECHO_LEN	16

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static __u32 get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static void put64(__u8 *p, __u64 v)
{
	put32(p, v >> 32);
	put32(p + 4, v);
}

void srfd_bfddp_hdr_get(const __u8 *buf, struct srfd_bfddp_hdr *h)
{
	h->version = buf[0];
	h->type = get16(buf + 2);
	h->id = get16(buf + 4);
	h->length = get16(buf + 6);
}

static size_t hdr_put(__u8 *buf, __u16 type, __u16 id, size_t payload)
{
	size_t len = SRFD_BFDDP_HDR_LEN + payload;

	memset(buf, 0, len);
	buf[0] = SRFD_BFDDP_VERSION;
	put16(buf + 2, type);
	put16(buf + 4, id);
	put16(buf + 6, len);
	return len;
}

int srfd_bfddp_session_get(const __u8 *msg, size_t len,
			   struct srfd_bfddp_session *s)
{
	const __u8 *p = msg + SRFD_BFDDP_HDR_LEN;

	if (len < SRFD_BFDDP_HDR_LEN + SESS_LEN)
		return -EBADMSG;
	memset(s, 0, sizeof(*s));
	s->flags = get32(p + SESS_FLAGS);
	memcpy(s->src, p + SESS_SRC, 16);
	memcpy(s->dst, p + SESS_DST, 16);
	s->lid = get32(p + SESS_LID);
	s->min_tx_us = get32(p + SESS_MIN_TX);
	s->min_rx_us = get32(p + SESS_MIN_RX);
	s->hold_time_ms = get32(p + SESS_HOLD);
	s->ttl = p[SESS_TTL];
	s->detect_mult = p[SESS_MULT];
	s->ifindex = get32(p + SESS_IFINDEX);
	memcpy(s->ifname, p + SESS_IFNAME, sizeof(s->ifname));
	s->ifname[sizeof(s->ifname) - 1] = '\0';	/* never trust the peer */
	return s->lid ? 0 : -EBADMSG;
}

int srfd_bfddp_counters_req_get(const __u8 *msg, size_t len, __u32 *lid)
{
	if (len < SRFD_BFDDP_HDR_LEN + 4)
		return -EBADMSG;
	*lid = get32(msg + SRFD_BFDDP_HDR_LEN);
	return 0;
}

size_t srfd_bfddp_state_put(__u8 *buf, const struct srfd_bfddp_state *st)
{
	size_t len = hdr_put(buf, SRFD_BFDDP_STATE_CHANGE, 0, STATE_LEN);
	__u8 *p = buf + SRFD_BFDDP_HDR_LEN;

	put32(p, st->lid);
	/* rid: the peer runs no BFD; srfd's own timers stand for it */
	put32(p + 12, st->tx_us);	/* desired_tx */
	put32(p + 16, st->tx_us);	/* required_rx */
	p[24] = st->state;
	p[25] = st->diag;
	p[26] = st->detect_mult;
	return len;
}

size_t srfd_bfddp_counters_put(__u8 *buf, __u16 id,
			       const struct srfd_bfddp_counters *c)
{
	size_t len = hdr_put(buf, SRFD_BFDDP_SESSION_COUNTERS, id, COUNTERS_LEN);
	__u8 *p = buf + SRFD_BFDDP_HDR_LEN;

	put32(p, c->lid);
	put64(p + 8, c->in_bytes);
	put64(p + 16, c->in_packets);
	put64(p + 24, c->out_bytes);
	put64(p + 32, c->out_packets);
	return len;	/* echo counters stay 0: srfd has no echo mode */
}

size_t srfd_bfddp_echo_reply_put(__u8 *buf, const __u8 *req, size_t len,
				 __u64 now_us)
{
	size_t n = hdr_put(buf, SRFD_BFDDP_ECHO_REPLY, 0, ECHO_LEN);

	if (len >= SRFD_BFDDP_HDR_LEN + 8)
		memcpy(buf + SRFD_BFDDP_HDR_LEN, req + SRFD_BFDDP_HDR_LEN, 8);
	put64(buf + SRFD_BFDDP_HDR_LEN + 8, now_us);
	return n;
}

/* The connection. */

#define BFDDP_OUT_MAX	(256u << 10)	/* bfdd that stops reading: drop it */

struct srfd_bfddp {
	struct ev_loop *loop;
	struct sockaddr_un addr;
	const struct srfd_bfddp_ops *ops;
	void *ctx;
	int fd;
	int connected;
	int waiting_said;	/* "not reachable" logged since the last connect */
	double backoff;
	ev_io rio, wio;
	ev_timer retry;
	__u8 in[4096];
	size_t nin;
	__u8 *out;
	size_t nout, outcap;
};

/* @err: why the last attempt failed (0: not an attempt, a drop) */
static void schedule_retry(struct srfd_bfddp *b, int err)
{
	if (err && !b->waiting_said) {
		/* once per outage: srfdd waits for bfdd, and says so */
		log_warn("bfdd data plane socket %s: %s (is bfdd running with "
			 "--dplaneaddr unix:%s?); retrying", b->addr.sun_path,
			 strerror(err), b->addr.sun_path);
		b->waiting_said = 1;
	}
	ev_timer_stop(b->loop, &b->retry);
	ev_timer_set(&b->retry, b->backoff, 0);
	ev_timer_start(b->loop, &b->retry);
	b->backoff = b->backoff * 2 > 5.0 ? 5.0 : b->backoff * 2;
}

static void drop(struct srfd_bfddp *b, const char *why)
{
	int was = b->connected;

	ev_io_stop(b->loop, &b->rio);
	ev_io_stop(b->loop, &b->wio);
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	b->connected = 0;
	b->nin = b->nout = 0;
	if (was) {
		log_warn("bfdd data plane connection %s lost: %s", b->addr.sun_path, why);
		if (b->ops->disconnected)
			b->ops->disconnected(b->ctx);
	}
	schedule_retry(b, 0);
}

static int queue(struct srfd_bfddp *b, const __u8 *msg, size_t len)
{
	__u8 *grown;

	if (!b->connected)
		return -ENOTCONN;
	if (b->nout + len > BFDDP_OUT_MAX) {
		drop(b, "bfdd does not read what srfdd sends");
		return -ENOBUFS;
	}
	if (b->nout + len > b->outcap) {
		size_t cap = b->outcap ? 2 * b->outcap : 4096;

		while (cap < b->nout + len)
			cap *= 2;
		grown = realloc(b->out, cap);
		if (!grown)
			return -ENOMEM;
		b->out = grown;
		b->outcap = cap;
	}
	memcpy(b->out + b->nout, msg, len);
	b->nout += len;
	ev_io_start(b->loop, &b->wio);
	return 0;
}

static void handle(struct srfd_bfddp *b, const __u8 *msg, size_t len)
{
	struct srfd_bfddp_counters c;
	struct srfd_bfddp_session s;
	struct srfd_bfddp_hdr h;
	__u8 out[SRFD_BFDDP_MAX_MSG];
	struct timespec ts;
	__u32 lid;

	srfd_bfddp_hdr_get(msg, &h);
	switch (h.type) {
	case SRFD_BFDDP_ADD_SESSION:
		if (!srfd_bfddp_session_get(msg, len, &s))
			b->ops->add(b->ctx, &s);
		else
			log_warn("bfdd: malformed DP_ADD_SESSION ignored");
		break;
	case SRFD_BFDDP_DELETE_SESSION:
		if (!srfd_bfddp_session_get(msg, len, &s))
			b->ops->del(b->ctx, s.lid);
		break;
	case SRFD_BFDDP_REQUEST_COUNTERS:
		/* bfdd blocks until it has the answer: give it at once */
		if (srfd_bfddp_counters_req_get(msg, len, &lid))
			break;
		memset(&c, 0, sizeof(c));
		c.lid = lid;
		b->ops->counters(b->ctx, lid, &c);
		queue(b, out, srfd_bfddp_counters_put(out, h.id, &c));
		break;
	case SRFD_BFDDP_ECHO_REQUEST:
		clock_gettime(CLOCK_REALTIME, &ts);
		queue(b, out, srfd_bfddp_echo_reply_put(out, msg, len,
			ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000));
		break;
	default:
		break;	/* nothing else is addressed to a data plane */
	}
}

static void readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct srfd_bfddp *b = w->data;
	struct srfd_bfddp_hdr h;
	size_t off = 0;
	ssize_t n;

	(void)loop;
	(void)revents;
	n = read(b->fd, b->in + b->nin, sizeof(b->in) - b->nin);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		drop(b, n == 0 ? "closed by bfdd" : strerror(errno));
		return;
	}
	if (n < 0)
		return;
	b->nin += n;
	while (b->nin - off >= SRFD_BFDDP_HDR_LEN) {
		srfd_bfddp_hdr_get(b->in + off, &h);
		if (h.version != SRFD_BFDDP_VERSION || h.length < SRFD_BFDDP_HDR_LEN ||
		    h.length > SRFD_BFDDP_MAX_MSG) {
			drop(b, "malformed message (version or length)");
			return;
		}
		if (b->nin - off < h.length)
			break;
		handle(b, b->in + off, h.length);
		if (b->fd < 0)
			return;		/* a callback dropped the connection */
		off += h.length;
	}
	memmove(b->in, b->in + off, b->nin - off);
	b->nin -= off;
}

static void writable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct srfd_bfddp *b = w->data;
	ssize_t n;

	(void)revents;
	if (!b->connected) {	/* the non-blocking connect finished */
		int err = 0;
		socklen_t len = sizeof(err);

		getsockopt(b->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			ev_io_stop(loop, w);
			close(b->fd);
			b->fd = -1;
			schedule_retry(b, err);
			return;
		}
		b->connected = 1;
		b->backoff = 0.1;
		b->waiting_said = 0;
		ev_io_stop(loop, w);
		ev_io_start(loop, &b->rio);
		log_info("bfdd data plane connection %s up", b->addr.sun_path);
		if (b->ops->connected)
			b->ops->connected(b->ctx);
		return;
	}
	n = send(b->fd, b->out, b->nout, MSG_NOSIGNAL);
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		drop(b, strerror(errno));
		return;
	}
	if (n > 0) {
		memmove(b->out, b->out + n, b->nout - n);
		b->nout -= n;
	}
	if (!b->nout)
		ev_io_stop(loop, w);
}

static void try_connect(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct srfd_bfddp *b = w->data;

	(void)loop;
	(void)revents;
	b->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (b->fd < 0) {
		schedule_retry(b, errno);
		return;
	}
	ev_io_set(&b->rio, b->fd, EV_READ);
	ev_io_set(&b->wio, b->fd, EV_WRITE);
	if (connect(b->fd, (struct sockaddr *)&b->addr, sizeof(b->addr)) &&
	    errno != EINPROGRESS) {
		int err = errno;

		close(b->fd);
		b->fd = -1;
		schedule_retry(b, err);
		return;
	}
	ev_io_start(b->loop, &b->wio);	/* completion (or the error) */
}

int srfd_bfddp_open(struct srfd_bfddp **out, struct ev_loop *loop,
		    const char *path, const struct srfd_bfddp_ops *ops,
		    void *ctx)
{
	struct srfd_bfddp *b;

	if (strlen(path) >= sizeof(b->addr.sun_path))
		return -ENAMETOOLONG;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->loop = loop;
	b->ops = ops;
	b->ctx = ctx;
	b->fd = -1;
	b->backoff = 0.1;
	b->addr.sun_family = AF_UNIX;
	strcpy(b->addr.sun_path, path);
	ev_io_init(&b->rio, readable, -1, EV_READ);
	ev_io_init(&b->wio, writable, -1, EV_WRITE);
	b->rio.data = b->wio.data = b;
	ev_timer_init(&b->retry, try_connect, 0, 0);
	b->retry.data = b;
	ev_timer_start(loop, &b->retry);	/* connect from the loop */
	*out = b;
	return 0;
}

void srfd_bfddp_close(struct srfd_bfddp *b)
{
	if (!b)
		return;
	ev_io_stop(b->loop, &b->rio);
	ev_io_stop(b->loop, &b->wio);
	ev_timer_stop(b->loop, &b->retry);
	if (b->fd >= 0)
		close(b->fd);
	free(b->out);
	free(b);
}

int srfd_bfddp_connected(const struct srfd_bfddp *b)
{
	return b && b->connected;
}

int srfd_bfddp_send_state(struct srfd_bfddp *b, const struct srfd_bfddp_state *st)
{
	__u8 msg[SRFD_BFDDP_MAX_MSG];

	return queue(b, msg, srfd_bfddp_state_put(msg, st));
}
