/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * FRR bfdd's distributed data plane protocol ("bfddp", FRR's
 * bfdd/bfddp_packet.h), srfd's side: bfdd hands its BFD sessions to an
 * external data plane over a stream socket and takes state changes back.
 * srfdd is the data plane; it connects to the socket bfdd listens on
 * (`bfdd --dplaneaddr unix:PATH`).
 *
 * Wire format: an 8-byte header (version 1, zero, type, id, length of the
 * whole message; network byte order) and a fixed payload per type. bfdd
 * sends DP_ADD_SESSION (add or update), DP_DELETE_SESSION,
 * DP_REQUEST_SESSION_COUNTERS (it waits for the answer) and ECHO_REQUEST;
 * the data plane sends BFD_STATE_CHANGE, BFD_SESSION_COUNTERS (same id as
 * the request) and ECHO_REPLY.
 */
#ifndef SRFD_BFDDP_H
#define SRFD_BFDDP_H

#include <stddef.h>
#include <linux/types.h>

#define SRFD_BFDDP_VERSION	1
#define SRFD_BFDDP_HDR_LEN	8
#define SRFD_BFDDP_MAX_MSG	256	/* the largest message is 140 bytes */

enum srfd_bfddp_type {
	SRFD_BFDDP_ECHO_REQUEST = 0,
	SRFD_BFDDP_ECHO_REPLY = 1,
	SRFD_BFDDP_ADD_SESSION = 2,
	SRFD_BFDDP_DELETE_SESSION = 3,
	SRFD_BFDDP_STATE_CHANGE = 4,
	SRFD_BFDDP_REQUEST_COUNTERS = 5,
	SRFD_BFDDP_SESSION_COUNTERS = 6,
};

/* Session flags (bfddp_session.flags). */
#define SRFD_BFDDP_F_MULTIHOP	(1u << 0)
#define SRFD_BFDDP_F_IPV6	(1u << 4)
#define SRFD_BFDDP_F_SHUTDOWN	(1u << 6)

/* BFD states and diagnostics (RFC 5880 4.1) as bfddp carries them. */
enum srfd_bfd_state {
	SRFD_BFD_ADMIN_DOWN = 0,
	SRFD_BFD_DOWN = 1,
	SRFD_BFD_INIT = 2,
	SRFD_BFD_UP = 3,
};

enum srfd_bfd_diag {
	SRFD_BFD_DIAG_NONE = 0,
	SRFD_BFD_DIAG_EXPIRED = 1,	/* control detection time expired */
	SRFD_BFD_DIAG_PATH_DOWN = 5,
	SRFD_BFD_DIAG_ADMIN_DOWN = 7,
};

/* A decoded DP_ADD_SESSION / DP_DELETE_SESSION (host byte order). */
struct srfd_bfddp_session {
	__u32 flags;
	__u8  src[16];		/* IPv4 in the first 4 bytes without F_IPV6 */
	__u8  dst[16];
	__u32 lid;		/* bfdd's local discriminator: the key */
	__u32 min_tx_us;
	__u32 min_rx_us;
	__u32 hold_time_ms;
	__u8  ttl;
	__u8  detect_mult;
	__u32 ifindex;
	char  ifname[64];	/* "" when bfdd has none */
};

/* What srfd reports for a session (BFD_STATE_CHANGE). */
struct srfd_bfddp_state {
	__u32 lid;
	__u8  state;		/* enum srfd_bfd_state */
	__u8  diag;		/* enum srfd_bfd_diag */
	__u8  detect_mult;
	__u32 tx_us;		/* srfd's probe interval */
};

/* BFD_SESSION_COUNTERS: srfd's probes sent and valid returns. */
struct srfd_bfddp_counters {
	__u32 lid;
	__u64 in_packets, in_bytes, out_packets, out_bytes;
};

/* The header of the message in @buf (at least SRFD_BFDDP_HDR_LEN bytes). */
struct srfd_bfddp_hdr {
	__u8  version;
	__u16 type;
	__u16 id;
	__u16 length;
};
void srfd_bfddp_hdr_get(const __u8 *buf, struct srfd_bfddp_hdr *h);

/*
 * Decoders of a whole message (@len bytes, header included): 0, or
 * -EBADMSG if it is not a valid message of that type.
 */
int srfd_bfddp_session_get(const __u8 *msg, size_t len,
			   struct srfd_bfddp_session *s);
int srfd_bfddp_counters_req_get(const __u8 *msg, size_t len, __u32 *lid);

/* Encoders into @buf (SRFD_BFDDP_MAX_MSG bytes): the message length. */
size_t srfd_bfddp_state_put(__u8 *buf, const struct srfd_bfddp_state *st);
size_t srfd_bfddp_counters_put(__u8 *buf, __u16 id,
			       const struct srfd_bfddp_counters *c);
/* An ECHO_REPLY to the ECHO_REQUEST @req (its dp_time kept). */
size_t srfd_bfddp_echo_reply_put(__u8 *buf, const __u8 *req, size_t len,
				 __u64 now_us);

/*
 * The connection to bfdd: connect (non-blocking) to a unix socket, again
 * with back-off (0.1 s doubling to 5 s) whenever it fails or drops; frame
 * the input; queue the output. Callbacks run from the event loop.
 */
struct ev_loop;
struct srfd_bfddp;

struct srfd_bfddp_ops {
	void (*connected)(void *ctx);
	void (*disconnected)(void *ctx);
	void (*add)(void *ctx, const struct srfd_bfddp_session *s);
	void (*del)(void *ctx, __u32 lid);
	/* fill @c for @lid; nonzero if the session is unknown */
	int (*counters)(void *ctx, __u32 lid, struct srfd_bfddp_counters *c);
};

int srfd_bfddp_open(struct srfd_bfddp **b, struct ev_loop *loop,
		    const char *path, const struct srfd_bfddp_ops *ops,
		    void *ctx);
void srfd_bfddp_close(struct srfd_bfddp *b);
int srfd_bfddp_connected(const struct srfd_bfddp *b);
/* Queue a BFD_STATE_CHANGE; -ENOTCONN if bfdd is not connected. */
int srfd_bfddp_send_state(struct srfd_bfddp *b, const struct srfd_bfddp_state *st);

#endif
