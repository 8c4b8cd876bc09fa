/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * srfd data plane setup: the ticker veth and its TBF pacer, the BPF skeleton,
 * pinned maps, the tc hook and the End.BPF route. Everything created here is
 * removed by srfd_dp_stop().
 */
#ifndef SRFD_DATAPLANE_H
#define SRFD_DATAPLANE_H

#include <bpf/libbpf.h>
#include <srfd/srfd.h>
#include "config.h"

#define SRFD_PACE_IFNAME	"srfd-pace"
#define SRFD_LOOP_IFNAME	"srfd-loop"
#define SRFD_TICK_FRAME_LEN	64
#define SRFD_TICKERS		2
/*
 * Protected-prefix routes, preferred over routing daemons' usual metrics:
 * the fast one via the primary's first hop, the fallback via srfd-loop.
 */
#define SRFD_PREFIX_METRIC	16
#define SRFD_FALLBACK_METRIC	17
#define SRFD_MAX_EGRESS		16	/* devices srfd_encap is attached to */
/* our tc filter on devices we do not own: late, and recognisable */
#define SRFD_TC_HANDLE		0x5352
#define SRFD_TC_PRIO		0xfff0

struct srfd_bpf;
struct srfd_nl;

struct srfd_dp {
	const struct srfd_config *conf;
	struct srfd_bpf *skel;
	struct srfd_nl *nl;
	struct ring_buffer *rb;
	char pin_dir[SRFD_PATH_LEN + 32];
	int pace_ifindex;
	int loop_ifindex;
	int packet_fd;
	int route_installed;
	unsigned int reflector_routes;
	unsigned int prefix_routes;	/* prefixes with routes installed */
	__u8 prefix_fast[SRFD_MAX_PREFIXES];	/* fast route installed */
	int egress_ifindex[SRFD_MAX_EGRESS];
	__u8 egress_made_clsact[SRFD_MAX_EGRESS];
	unsigned int negress;
	int maps_pinned;
	__u32 next_ticker_id;
};

int srfd_dp_start(struct srfd_dp *dp, const struct srfd_config *conf,
		  ring_buffer_sample_fn on_event, void *ctx);
void srfd_dp_stop(struct srfd_dp *dp);

/* Put one more ticker frame into the pacer loop. */
int srfd_dp_inject_ticker(struct srfd_dp *dp);
int srfd_dp_ringbuf_fd(const struct srfd_dp *dp);
int srfd_dp_ringbuf_consume(struct srfd_dp *dp);
int srfd_dp_read_state(const struct srfd_dp *dp, __u32 slot,
		       struct srfd_session_state *st);
int srfd_dp_read_global(const struct srfd_dp *dp, struct srfd_global *g);
/* State of protected prefix @idx and its per-list encap counters. */
int srfd_dp_read_prefix(const struct srfd_dp *dp, __u32 idx,
			struct srfd_prefix_state *st, __u64 packets[2],
			__u64 bytes[2]);
/* Sum of the per-CPU counter for @reason. */
__u64 srfd_dp_counter(const struct srfd_dp *dp, enum srfd_reason reason);

#endif
