/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * srfd's kernel side as one object srfdd converges to its configuration:
 * open (load, or adopt a previous srfdd's pinned state), apply (the config
 * diff onto the maps), reconcile (make the ticker, filters and routes what
 * they must be, repairing whatever someone removed), close (the kernel side
 * stays and keeps protecting) or flush (remove everything the instance owns).
 */
#ifndef SRFD_DATAPLANE_H
#define SRFD_DATAPLANE_H

#include <bpf/libbpf.h>
#include <srfd/srfd.h>
#include "config.h"
#include "netlink.h"
#include "ticker.h"

/*
 * Protected-prefix routes, preferred over routing daemons' usual metrics:
 * the fast one via the primary's first hop, the fallback via the loop.
 */
#define SRFD_PREFIX_METRIC	16
#define SRFD_FALLBACK_METRIC	17
#define SRFD_SID_METRIC		1024	/* the kernel's default for IPv6 */

struct srfd_bpf;
struct srfd_fib;
struct srfd_nl;

/* srfdd's own notices (repairs, adoption, links) for the log and monitor. */
typedef void (*srfd_alert_fn)(void *ctx, enum srfd_event_type type,
			      const char *name, unsigned int state,
			      const char *detail);

struct srfd_dp {
	const struct srfd_config *conf;
	struct srfd_bpf *skel;
	struct srfd_nl *nl;
	struct ring_buffer *rb;
	struct srfd_ticker ticker;
	char pin_dir[SRFD_PATH_LEN + 32];
	__u32 tc_handle;
	__u32 generation;
	__u32 paced_tick_us;	/* what the TBF is set to now */
	__u64 netns_ino;
	int adopted;		/* an earlier srfdd's state was found */
	enum srfd_sid_kind sid_kind;	/* how local_sid reaches its program */
	int running;		/* open + first reconcile done: fixes are repairs */
	srfd_alert_fn alert;
	void *alert_ctx;
	struct srfd_links *links;	/* neighbours for srfd_nexthops (may be NULL) */
	struct srfd_fib *fib;		/* fast routes and nexthop objects (routes.c) */
	/* configured session / prefix index -> map slot (from the last apply) */
	__u16 sess_slot[SRFD_MAX_SESSIONS];
	__u16 pfx_slot[SRFD_MAX_PREFIXES];
	/* last known interface state per configured session */
	int sess_ifindex[SRFD_MAX_SESSIONS];
	__u8 sess_link_down[SRFD_MAX_SESSIONS];
	/* per prefix: a route of ours could not be installed (reported once) */
	__u8 pfx_conflict[SRFD_MAX_PREFIXES];
	/* per prefix: its first hop is on a device without Ethernet header */
	__u8 pfx_not_ether[SRFD_MAX_PREFIXES];
	__u32 max_sessions;	/* session map slots, fixed at load */
	__u32 sched_half;	/* live half of the schedule maps */
	struct srfd_sched_plan *sched;	/* what the live half holds */
	unsigned int repairs;	/* total, for `stats show` */
	unsigned int adopt_check_failed;
};

/* local_sid's route is End.BPF, or LWT BPF `in` without seg6local */
const char *srfd_sid_kind_name(enum srfd_sid_kind kind);
/* The program behind local_sid's route. */
struct bpf_program *srfd_dp_sid_prog(const struct srfd_dp *dp);

/*
 * Load the programs, adopting @conf's instance state if it is pinned.
 * Takes no lock: the caller holds the instance lock.
 */
int srfd_dp_open(struct srfd_dp *dp, const struct srfd_config *conf,
		 ring_buffer_sample_fn on_event, srfd_alert_fn alert, void *ctx);
/*
 * Bring the maps to @conf as a diff: unchanged sessions and prefixes are
 * not written at all. @conf must stay valid until the next apply.
 */
int srfd_dp_apply(struct srfd_dp *dp, const struct srfd_config *conf);
/* Converge ticker, filters and routes. Returns the number of repairs. */
int srfd_dp_reconcile(struct srfd_dp *dp);
/*
 * A configured session's interface: @ifindex 0 if it does not exist,
 * @oper_up whether it can carry probes. Takes the session down in the
 * kernel at once when the interface is down or gone.
 */
void srfd_dp_session_link(struct srfd_dp *dp, unsigned int idx, int ifindex,
			  int oper_up);
/*
 * Operator's admin down (@down 1: the session stops probing and is drained:
 * its prefixes move to their backup) or back to init (0). Returns 1 if the
 * state changed, 0 if it already was so, or -errno.
 */
int srfd_dp_session_admin(struct srfd_dp *dp, unsigned int idx, int down);
/* Zero the data-path counters, the tick maxima and the repair count. */
int srfd_dp_clear_stats(struct srfd_dp *dp);
/* The probe clock: 0 ok, else how long (ns) no tick has been seen. */
__u64 srfd_dp_clock_silence(const struct srfd_dp *dp, __u64 now, __u64 limit);
/* Rebuild the probe clock from scratch (after it stayed silent). */
int srfd_dp_clock_rebuild(struct srfd_dp *dp);
/* Raise one of srfdd's own notices through the alert callback. */
void srfd_dp_alert(struct srfd_dp *dp, enum srfd_event_type type,
		   const char *name, unsigned int state, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Userspace side only: the kernel side stays and keeps protecting. */
void srfd_dp_close(struct srfd_dp *dp);
/* Remove everything the instance owns (routes, filters, ticker, pins). */
void srfd_dp_flush(struct srfd_dp *dp);

int srfd_dp_ringbuf_fd(const struct srfd_dp *dp);
int srfd_dp_ringbuf_consume(struct srfd_dp *dp);
int srfd_dp_read_state(const struct srfd_dp *dp, __u32 slot,
		       struct srfd_session_state *st);
int srfd_dp_read_global(const struct srfd_dp *dp, struct srfd_global *g);
/* State of protected prefix slot @idx and its per-list encap counters. */
int srfd_dp_read_prefix(const struct srfd_dp *dp, __u32 idx,
			struct srfd_prefix_state *st, __u64 packets[2],
			__u64 bytes[2]);
/* Sum of the per-CPU counter for @reason. */
__u64 srfd_dp_counter(const struct srfd_dp *dp, enum srfd_reason reason);

#endif
