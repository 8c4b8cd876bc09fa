/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * srfd ABI: every structure that crosses the kernel/user boundary (BPF map
 * values, ring buffer events, probe payload on the wire, control socket
 * records). Included by the BPF programs and by userspace, so there is never
 * a second hand-synced copy. Fixed-width types only, explicit padding, and a
 * size assertion on each struct.
 */
#ifndef SRFD_SRFD_H
#define SRFD_SRFD_H

#include <linux/types.h>
#include <linux/bpf.h>	/* struct bpf_timer */

/*
 * Session slots: the maps are sized at load time from the config's
 * max_sessions (default SRFD_DEFAULT_MAX_SESSIONS); this is the ceiling.
 */
#define SRFD_MAX_SESSIONS	4096
#define SRFD_DEFAULT_MAX_SESSIONS 1024
#define SRFD_MAX_PATH_SEGS	6	/* operator-given segments per probe path */
/* the probe ends with the local End.BPF SID twice: End.BPF needs SL >= 1 */
#define SRFD_MAX_PROBE_SEGS	(SRFD_MAX_PATH_SEGS + 2)
#define SRFD_NAME_LEN		32
#define SRFD_MAX_REFLECTORS	16
#define SRFD_MAX_PREFIXES	1024	/* protected prefixes */
#define SRFD_MAX_ENCAP_SEGS	8	/* SIDs per primary or backup list */
#define SRFD_MAX_GUARDS		4	/* sessions guarding one prefix */
#define SRFD_MAX_GUARDED	256	/* prefixes one session can guard */
#define SRFD_SID_LEN		16
#define SRFD_MAX_EGRESS		64	/* devices srfd_encap may be attached to */
#define SRFD_IFNAME_LEN		16	/* IFNAMSIZ */
/*
 * Layout version of the pinned maps. A starting srfdd adopts an instance's
 * pinned state only if it carries the same version (and libbpf finds the
 * same map shapes); anything else is refused with a hint to flush.
 */
#define SRFD_ABI_VERSION	6

#define SRFD_PROBE_MAGIC	0x53524644u	/* "SRFD" */
#define SRFD_PROBE_VERSION	2
#define SRFD_TICK_MAGIC		0x5352544bu	/* "SRTK" */
/* IEEE 802 local experimental ethertype, used only on srfd's private veth */
#define SRFD_TICK_ETHERTYPE	0x88b5

#define ETH_HLEN_SRFD		14
#define IPV6_HLEN_SRFD		40
#define SRH_HLEN_SRFD		8
/* outer IPv6 header + SRH with the longest encap SID list */
#define SRFD_ENCAP_HDR_MAX	(IPV6_HLEN_SRFD + SRH_HLEN_SRFD + \
				 SRFD_MAX_ENCAP_SEGS * SRFD_SID_LEN)

/* Probe payload, after the SRH (next header = IPPROTO_NONE). Big endian. */
struct srfd_probe {
	__u32 magic;
	__u8  version;
	__u8  flags;
	__u16 session_id;
	__u64 seq;
	__u64 tx_ns;		/* CLOCK_MONOTONIC at emission */
	/*
	 * SipHash-2-4 over (session, seq, tx_ns) with the session's secret
	 * key, which never leaves this node (a looped probe returns to its
	 * sender): a copy of past probes does not help forge a new one.
	 */
	__u64 mac;
};
_Static_assert(sizeof(struct srfd_probe) == 32, "srfd_probe ABI");

/* Ticker frame payload, after the Ethernet header. */
struct srfd_tick {
	__u32 magic;
	__u32 ticker_id;
};
_Static_assert(sizeof(struct srfd_tick) == 8, "srfd_tick ABI");

#define SRFD_PROBE_LEN(nsegs) (ETH_HLEN_SRFD + IPV6_HLEN_SRFD + SRH_HLEN_SRFD + \
			       (nsegs) * SRFD_SID_LEN + sizeof(struct srfd_probe))
#define SRFD_PROBE_MAX_LEN SRFD_PROBE_LEN(SRFD_MAX_PROBE_SEGS)
/* scratch buffer used to build probes: power of two so lengths can be masked */
#define SRFD_PROBE_BUF_LEN 256
_Static_assert(SRFD_PROBE_MAX_LEN <= SRFD_PROBE_BUF_LEN, "probe buffer");
_Static_assert((SRFD_MAX_PROBE_SEGS & (SRFD_MAX_PROBE_SEGS - 1)) == 0 &&
	       (SRFD_MAX_ENCAP_SEGS & (SRFD_MAX_ENCAP_SEGS - 1)) == 0,
	       "segment index is masked in BPF");

/*
 * Session configuration: written by srfdd only, read by BPF. The name and
 * interface name make the pinned map self-describing: a restarted srfdd
 * finds which slot holds which configured session without any other file.
 */
struct srfd_session_cfg {
	__u8  active;
	__u8  nsegs;		/* segments in probe_segs, travel order */
	__u16 session_id;	/* == map key; echoed in probes */
	__u32 ifindex;		/* forced egress interface; 0 = gone */
	__u64 interval_ns;
	__u64 key[2];		/* SipHash key of the probe MAC; random per session */
	__u32 multiplier;
	__u32 up_after;		/* consecutive good probes to come up */
	__u8  src[SRFD_SID_LEN];
	__u8  nexthop[SRFD_SID_LEN];	/* neighbour address on ifindex */
	__u8  probe_segs[SRFD_MAX_PROBE_SEGS][SRFD_SID_LEN];
	char  name[SRFD_NAME_LEN];
	char  ifname[SRFD_IFNAME_LEN];
	__u32 flags;		/* SRFD_SESS_F_* */
	__u32 pad;
};
_Static_assert(sizeof(struct srfd_session_cfg) == 256, "srfd_session_cfg ABI");

/*
 * Returns must arrive on ifindex (a link session: the neighbour's End.X
 * sends them back over the monitored link). Authentic probes relayed from
 * another link then never count, even fresh ones copied off the wire.
 */
#define SRFD_SESS_F_CHECK_INGRESS	(1U << 0)

enum srfd_state {
	SRFD_STATE_INIT = 0,
	SRFD_STATE_UP = 1,
	SRFD_STATE_DOWN = 2,
	/*
	 * Our own probe clock has been dead longer than the stall limit: the
	 * path is unverified, so it is not `up` and its prefixes use their
	 * backup. Returns to `up` by the normal up_after rule.
	 */
	SRFD_STATE_STALLED = 3,
	/*
	 * Taken out of service by the operator (`srfdctl session disable`):
	 * no probes, never `up`, its prefixes stay on their backup (a drain)
	 * until `session enable` puts it back to init.
	 */
	SRFD_STATE_ADMIN_DOWN = 4,
};

/* Why a session last left `up` (srfd_session_state.down_reason). */
enum srfd_down_reason {
	SRFD_DOWN_NONE = 0,
	SRFD_DOWN_WATCHDOG = 1,		/* multiplier probes unanswered */
	SRFD_DOWN_LINK = 2,		/* interface oper-down / no carrier */
	SRFD_DOWN_IFACE_GONE = 3,	/* interface deleted or renamed */
	SRFD_DOWN_CLOCK = 4,		/* no probe could be sent */
	SRFD_DOWN_ADMIN = 5,		/* disabled by the operator */
};

/*
 * Session state: written by BPF only. Userspace reads it; a userspace write
 * would cancel the watchdog timer, which srfdd does on purpose when a slot is
 * released.
 */
struct srfd_session_state {
	struct bpf_timer watchdog;	/* 16 bytes */
	__u32 state;			/* enum srfd_state */
	__u32 armed;			/* settings generation that armed the watchdog */
	__u64 tx_seq;			/* last sequence number sent */
	__u64 next_tx_ns;
	__u64 probes_tx;
	__u64 probes_rx;
	__u64 rx_seq;			/* highest valid sequence returned */
	__u64 last_rx_ns;
	__u64 last_rtt_ns;
	__u64 last_change_ns;
	__u64 downs;
	__u64 good_streak;		/* consecutive good returns */
	__u64 bad_mac;			/* returns that failed authentication */
	__u64 stall_saves;		/* deadlines passed with too few probes sent */
	__u64 reroute_pending;		/* guarded prefixes may still be on backup */
	__u64 last_tx_ns;		/* last probe actually sent */
	__u32 down_reason;		/* enum srfd_down_reason */
	__u32 pad;
	__u64 suspect_ns;		/* queued in srfd_suspects with this deadline */
};
_Static_assert(sizeof(struct srfd_session_state) == 152, "srfd_session_state ABI");

/*
 * A session judged by the ticker (no timer of its own) whose detection
 * deadline is less than an interval away with multiplier probes unanswered:
 * queued in srfd_suspects (BPF_MAP_TYPE_QUEUE, deadline order because
 * sessions are queued at their send time) and judged by the first tick past
 * the deadline, so the cost follows the sessions about to fail.
 */
struct srfd_suspect {
	__u32 id;
	__u32 pad;
	__u64 deadline_ns;
};
_Static_assert(sizeof(struct srfd_suspect) == 16, "srfd_suspect ABI");

/*
 * Reflector for neighbours that run srfd: key = the reflector SID (16 bytes),
 * value = where End.X sends the probe back. Written by srfdd only.
 */
struct srfd_reflector {
	__u8 nexthop[SRFD_SID_LEN];
};
_Static_assert(sizeof(struct srfd_reflector) == 16, "srfd_reflector ABI");

/* Fast reroute: which SID list a protected prefix uses. */
enum srfd_list {
	SRFD_LIST_PRIMARY = 0,
	SRFD_LIST_BACKUP = 1,
};
#define SRFD_LISTS	2
#define SRFD_ENCAP_STATS_KEY(prefix, list)	((prefix) * SRFD_LISTS + (list))

/*
 * Protected prefix, indexed by the value of the srfd_prefix_lpm trie.
 * Written by srfdd only.
 */
struct srfd_prefix_cfg {
	__u8  valid;
	__u8  nguards;
	__u8  nsegs[2];			/* per enum srfd_list */
	__u16 guards[SRFD_MAX_GUARDS];	/* session slots */
	__u8  plen;			/* the prefix itself, so the pinned */
	__u8  pad[3];			/* map says what each slot protects */
	__u64 hold_ns;			/* base hold-down before reverting */
	__u64 hold_max_ns;		/* dampening cap */
	__u64 quiet_ns;			/* flap-free time that resets the hold */
	__u8  src[SRFD_SID_LEN];	/* outer source address */
	__u8  segs[2][SRFD_MAX_ENCAP_SEGS][SRFD_SID_LEN];	/* travel order */
	__u8  addr[SRFD_SID_LEN];
	__u32 mtu;			/* route MTU srfdd gives the prefix */
	__u32 pad2;
	/*
	 * Outer IPv6 header + SRH of each list as srfd_encap writes it,
	 * built once by srfdd: per packet only the traffic class, flow label
	 * and payload length are filled in.
	 */
	__u8  hdr[2][SRFD_ENCAP_HDR_MAX];
};
_Static_assert(sizeof(struct srfd_prefix_cfg) == 336 + 2 * 176, "srfd_prefix_cfg ABI");

/*
 * Where a protected prefix's list leaves this node: the first SID's next
 * hop, resolved by srfdd from the FIB and the neighbour table and kept
 * current from netlink events, so that srfd_encap needs no FIB lookup per
 * packet. ifindex 0: unknown now, srfd_encap looks it up itself. Key
 * SRFD_ENCAP_STATS_KEY(prefix, list). Written by srfdd only.
 */
struct srfd_nexthop {
	__u32 ifindex;			/* Ethernet device towards the first SID */
	__u32 mtu;			/* of that device */
	__u8  dmac[6];			/* the next hop's MAC */
	__u8  smac[6];			/* the device's own */
	__u32 pad;
};
_Static_assert(sizeof(struct srfd_nexthop) == 24, "srfd_nexthop ABI");

/*
 * srfd_nexthops is trusted only while srfdd keeps it current: srfdd pushes
 * this CLOCK_MONOTONIC deadline (map srfd_nexthops_until) forward at every
 * reconcile (at least once a second). Once srfdd is gone for longer, the
 * next hop can have moved or changed its MAC unseen, so srfd_encap goes
 * back to a FIB lookup per packet (counted as encap_slow).
 */
#define SRFD_NEXTHOP_TTL_NS	(3ULL * 1000000000ULL)

/* Protected prefix state, written by BPF only. */
struct srfd_prefix_state {
	__u32 active;			/* enum srfd_list */
	__u32 pad;
	__u64 switches;
	__u64 last_switch_ns;
	__u64 hold_ns;			/* current (dampened) hold-down */
	__u64 last_backup_ns;		/* last switch to the backup */
};
_Static_assert(sizeof(struct srfd_prefix_state) == 40, "srfd_prefix_state ABI");

/* Per-CPU encapsulation counters, key = SRFD_ENCAP_STATS_KEY(prefix, list). */
struct srfd_encap_stats {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct srfd_encap_stats) == 16, "srfd_encap_stats ABI");

/* Prefixes a session guards, indexed by session slot. Written by srfdd. */
struct srfd_session_guards {
	__u32 n;
	__u16 prefixes[SRFD_MAX_GUARDED];
	__u16 pad[2];
};
_Static_assert(sizeof(struct srfd_session_guards) == 520, "srfd_session_guards ABI");

/* LPM trie key for protected prefixes (value: __u32 prefix index). */
struct srfd_prefix_key {
	__u32 prefixlen;
	__u8  addr[SRFD_SID_LEN];
};
_Static_assert(sizeof(struct srfd_prefix_key) == 20, "srfd_prefix_key ABI");

/* Data-path global state, one element, written by BPF only. */
struct srfd_global {
	/*
	 * Watches the probe clock for the sessions that could not get a
	 * watchdog timer of their own (the ticker judges those): once no tick
	 * came for stall_ns, they go `stalled` like the others.
	 */
	struct bpf_timer clock_watch;	/* 16 bytes */
	__u32 clock_armed;	/* settings generation that armed it */
	__u32 pad;
	__u64 ticks;
	__u64 last_tick_ns;
	__u64 max_tick_gap_ns;	/* longest time between two ticks */
	__u64 sched_tick;	/* schedule position: ticks since the first */
	__u64 sched_ns;		/* when the schedule last advanced */
	__u64 sched_visits;	/* sessions looked at by the ticker */
	__u64 sched_overruns;	/* visits left for the next round (cap hit) */
	__u64 max_tick_visits;	/* most sessions looked at in one tick */
	__u64 arm_fail_ns;	/* last failed watchdog timer allocation */
};
_Static_assert(sizeof(struct srfd_global) == 96, "srfd_global ABI");

/*
 * The probe schedule (srfd_tick). Time is cut into ticks of tick_ns (the
 * ticker's pace). Sessions are grouped in classes by how often the ticker
 * must look at them: a class of period P has P buckets, and on tick n the
 * ticker visits bucket n mod P of every class, so the cost of a tick is the
 * number of sessions due then, not the number of sessions. A session's
 * interval is a multiple of its class period; its bucket is its phase,
 * chosen by srfdd so that every tick carries about the same number of
 * probes. The session's own next_tx_ns stays the authority on sending: a
 * bucket visit only decides who is looked at.
 *
 * srfd_sched has two elements (halves) and srfd_settings.sched_half says
 * which is live, so srfdd rewrites the idle half and switches with one
 * write. Within half h, class c's buckets are entries
 * bucket_base(h) + classes[c].first .. + period of srfd_sched_bucket:
 * the index into srfd_sched_slot where each bucket starts, plus one end
 * marker. srfd_sched_slot holds session slots, bucket by bucket.
 */
#define SRFD_SCHED_MAX_CLASSES	16
#define SRFD_SCHED_MAX_PERIOD	1024	/* buckets per class */
#define SRFD_SCHED_BUCKETS	(SRFD_SCHED_MAX_CLASSES * (SRFD_SCHED_MAX_PERIOD + 1))
/* most sessions one tick looks at; more wait for the next tick */
#define SRFD_TICK_MAX_VISITS	1024
#define SRFD_MIN_TICK_US	50

struct srfd_sched_class {
	__u32 period;		/* buckets; 0 = unused */
	__u32 first;		/* first bucket entry, relative to the half */
};

struct srfd_sched {
	__u64 tick_ns;
	__u32 nclasses;
	__u32 nslots;		/* session entries in this half */
	struct srfd_sched_class classes[SRFD_SCHED_MAX_CLASSES];
};
_Static_assert(sizeof(struct srfd_sched) == 16 + 8 * SRFD_SCHED_MAX_CLASSES,
	       "srfd_sched ABI");

/*
 * Instance settings, one element, written by srfdd only. Everything the
 * programs need that may change while they run (the ticker veth is
 * recreated if someone deletes it) lives here rather than in rodata.
 */
struct srfd_settings {
	__u32 nr_slots;		/* highest active session slot + 1 */
	__u32 generation;	/* bumped by every srfdd start that loads programs */
	__u32 pacer_ifindex;	/* ticker veth end with the TBF */
	__u32 loop_ifindex;	/* ticker veth end with srfd_tick */
	__u32 abi_version;	/* SRFD_ABI_VERSION of the creator */
	__u32 tc_handle;	/* handle of this instance's tc filters */
	__u64 netns_ino;	/* network namespace the instance lives in */
	__u64 stall_ns;		/* own-clock silence before `stalled` */
	__u8  local_sid[SRFD_SID_LEN];
	__u32 sched_half;	/* live half of srfd_sched (0 or 1) */
	__u32 max_sessions;	/* slots in the session maps */
	__u32 flags;		/* SRFD_SET_F_* */
	__u32 pad;
};
_Static_assert(sizeof(struct srfd_settings) == 72, "srfd_settings ABI");

/*
 * No watchdog timer per session (config watchdog = "ticker"): the ticker
 * judges each session when it visits it, up to one interval later than a
 * timer would, without one hrtimer interrupt per session and detection.
 */
#define SRFD_SET_F_TICKER_WATCHDOG	(1U << 0)

/*
 * Devices srfd_encap is attached to, key = ifindex. Userspace only: lets a
 * restarted srfdd or `srfdd --flush` find and remove every filter, and only
 * remove a clsact qdisc that srfd itself created.
 */
struct srfd_egress {
	__u32 made_clsact;
	__u32 pad;
};
_Static_assert(sizeof(struct srfd_egress) == 8, "srfd_egress ABI");

/*
 * Command for srfd_cmd, run by srfdd with BPF_PROG_TEST_RUN after an
 * Ethernet header: lets userspace drive a session through the same
 * in-kernel transition (and fast reroute) the watchdog uses.
 */
enum srfd_cmd_op {
	SRFD_CMD_DOWN = 1,	/* any state -> down, reason given */
	/*
	 * Arm the session's watchdog now, from srfdd's process context
	 * (the ticker arms it too, but bpf_timer_init's allocation can fail in
	 * softirq when a thousand sessions start at once).
	 */
	SRFD_CMD_ARM = 2,
	SRFD_CMD_ARM_CLOCK = 3,	/* arm srfd_global's clock watch */
	SRFD_CMD_ADMIN_DOWN = 4,	/* any state -> admin_down (a drain) */
	SRFD_CMD_ADMIN_UP = 5,		/* admin_down -> init */
	SRFD_CMD_CLEAR_STATS = 6,	/* zero srfd_global's maxima and overruns */
};

struct srfd_cmd {
	__u32 op;		/* enum srfd_cmd_op */
	__u32 session;		/* slot */
	__u32 reason;		/* enum srfd_down_reason */
	__u32 pad;
};
_Static_assert(sizeof(struct srfd_cmd) == 16, "srfd_cmd ABI");

/* Drop / exception reasons, counted per CPU (index into srfd_counters). */
enum srfd_reason {
	SRFD_R_PROBE_OK = 0,
	SRFD_R_TRUNCATED,
	SRFD_R_NOT_SRH,
	SRFD_R_BAD_SRH,
	SRFD_R_NOT_PROBE,
	SRFD_R_BAD_SESSION,
	SRFD_R_BAD_MAC,		/* MAC does not verify: forged or corrupted */
	SRFD_R_REPLAY,		/* authentic, but not newer than the last return */
	SRFD_R_WRONG_PATH,	/* its segment list is not the one we sent */
	SRFD_R_WRONG_INGRESS,	/* came back on another interface than its link */
	SRFD_R_TICK,
	SRFD_R_TICK_LOST,	/* clone back into the pacer failed */
	SRFD_R_TX_FAIL,		/* building or cloning a probe failed */
	SRFD_R_TX_REDIRECT,
	SRFD_R_UNKNOWN_FRAME,
	SRFD_R_WATCHDOG_FAIL,
	SRFD_R_RINGBUF_FULL,
	SRFD_R_REFLECTED,	/* reflector: probe sent back with End.X */
	SRFD_R_REFLECT_UNKNOWN,	/* reflector: SID not configured */
	SRFD_R_REFLECT_FAIL,	/* reflector: End.X lookup failed */
	SRFD_R_REFLECT_NOT_EXACT, /* reflector: extra bytes, or not one hop back */
	SRFD_R_ENCAP_OK,	/* headend: encapsulated and redirected */
	SRFD_R_ENCAP_NO_PREFIX,	/* headend: not a protected prefix */
	SRFD_R_ENCAP_NOT_IPV6,
	SRFD_R_ENCAP_TOO_BIG,	/* headend: would exceed the egress MTU */
	SRFD_R_ENCAP_NO_ROUTE,	/* headend: no route to the first SID */
	SRFD_R_ENCAP_FAIL,	/* headend: adjust_room/store failed */
	SRFD_R_ENCAP_SLOW,	/* headend: no cached next hop, FIB lookup */
	SRFD_R_TICK_OVERRUN,	/* a tick had more sessions to visit than it may */
	SRFD_R_MAX,
};

enum srfd_event_type {
	SRFD_EV_STATE = 1,	/* session: old/new are enum srfd_state */
	SRFD_EV_SWITCH = 2,	/* prefix: old/new are enum srfd_list */
	/* raised by srfdd itself, never by BPF */
	SRFD_EV_ADOPT = 3,	/* kernel state of a previous srfdd adopted */
	SRFD_EV_REPAIR = 4,	/* something srfd owns was missing or wrong */
	SRFD_EV_LINK = 5,	/* a session's interface went down/up/away */
	SRFD_EV_CLOCK = 6,	/* the probe clock stopped (new_state 0) or runs (1) */
	SRFD_EV_RELOAD = 7,	/* configuration applied (new_state 1) or refused (0) */
};

/* Ring buffer event, also streamed to `srfdctl monitor`. */
struct srfd_event {
	__u16 type;		/* enum srfd_event_type */
	__u8  reason;		/* SRFD_EV_STATE to a non-up state: enum srfd_down_reason */
	__u8  pad;
	__u16 id;		/* session slot or prefix index */
	__u8  old_state;
	__u8  new_state;
	__u64 ts_ns;		/* CLOCK_MONOTONIC of the transition */
	__u64 tx_seq;
	__u64 rx_seq;
};
_Static_assert(sizeof(struct srfd_event) == 32, "srfd_event ABI");

/*
 * Control socket (SOCK_SEQPACKET, one record per message). The client sends
 * one struct srfd_ctl_req; the daemon answers with SRFD_CTL_HELLO_REC (its
 * version), then records, and closes with SRFD_CTL_END, or, for
 * SRFD_CTL_MONITOR, keeps streaming events. A request of another protocol
 * version (or size) gets HELLO, a message and SRFD_CTL_ERROR -EPROTO; a
 * client must refuse records it does not know, so srfdd and srfdctl from
 * different releases fail loudly instead of showing nothing.
 */
#define SRFD_CTL_PROTO	2

enum srfd_ctl_op {
	SRFD_CTL_SESSION_SHOW = 1,
	SRFD_CTL_MONITOR = 2,
	SRFD_CTL_STATS_SHOW = 3,
	SRFD_CTL_PREFIX_SHOW = 4,
	SRFD_CTL_RELOAD = 5,	/* re-read the config file, apply the diff */
	SRFD_CTL_FLUSH = 6,	/* remove everything the instance owns, exit */
	SRFD_CTL_STATS_CLEAR = 7,	/* zero the data-path counters */
	SRFD_CTL_SESSION_DISABLE = 8,	/* arg: session name; admin down */
	SRFD_CTL_SESSION_ENABLE = 9,	/* arg: session name */
	SRFD_CTL_VERSION = 10,		/* just the HELLO record */
	SRFD_CTL_SESSION_REC = 100,
	SRFD_CTL_EVENT_REC = 101,
	SRFD_CTL_COUNTER_REC = 102,
	SRFD_CTL_PREFIX_REC = 103,
	SRFD_CTL_MSG_REC = 104,
	SRFD_CTL_HELLO_REC = 105,
	SRFD_CTL_END = 199,
	SRFD_CTL_ERROR = 200,
};

struct srfd_ctl_hdr {
	__u32 op;
	__s32 status;		/* 0 or negative errno */
};
_Static_assert(sizeof(struct srfd_ctl_hdr) == 8, "srfd_ctl_hdr ABI");

/* What a client sends. */
struct srfd_ctl_req {
	struct srfd_ctl_hdr hdr;	/* op; status 0 */
	__u32 proto;			/* SRFD_CTL_PROTO */
	__u32 flags;			/* 0 */
	char  arg[SRFD_NAME_LEN];	/* e.g. a session name; NUL-padded */
};
_Static_assert(sizeof(struct srfd_ctl_req) == 48, "srfd_ctl_req ABI");

/* First record of every answer: who answers, and its clocks for conversion. */
struct srfd_ctl_hello {
	struct srfd_ctl_hdr hdr;
	__u32 proto;			/* SRFD_CTL_PROTO of the daemon */
	__u32 abi;			/* SRFD_ABI_VERSION of the daemon */
	char  version[32];		/* the daemon's release, e.g. "0.2.0" */
	__u64 mono_ns;			/* CLOCK_MONOTONIC when answering */
	__u64 real_ns;			/* CLOCK_REALTIME at the same moment */
};
_Static_assert(sizeof(struct srfd_ctl_hello) == 64, "srfd_ctl_hello ABI");

struct srfd_ctl_session {
	struct srfd_ctl_hdr hdr;
	char  name[SRFD_NAME_LEN];
	__u32 state;
	__u32 multiplier;
	__u64 interval_us;
	__u64 probes_tx;
	__u64 probes_rx;
	__u64 last_rtt_us;
	__u64 downs;
	__u64 last_change_ns;
	char  ifname[SRFD_IFNAME_LEN];
	__u32 ifindex;			/* 0: the interface does not exist */
	__u32 down_reason;		/* enum srfd_down_reason of the last down */
	__u8  neighbor[SRFD_SID_LEN];	/* first hop of the probes */
	__u8  segs[SRFD_MAX_PATH_SEGS][SRFD_SID_LEN];	/* the probe path */
	__u8  nsegs;
	__u8  source;			/* enum srfd_session_source */
	__u8  pad[6];
	__u64 last_rx_ns;		/* CLOCK_MONOTONIC of the last good return */
};
_Static_assert(sizeof(struct srfd_ctl_session) == 248, "srfd_ctl_session ABI");

enum srfd_session_source {
	SRFD_SOURCE_CONFIG = 0,		/* the configuration file */
	SRFD_SOURCE_BFDD = 1,		/* FRR bfdd over bfd_dataplane */
};

#define SRFD_DETAIL_LEN	96
/* a session name, or a whole prefix: "ffff:...:ffff/128" is 43 characters */
#define SRFD_EVENT_NAME_LEN	48

struct srfd_ctl_event {
	struct srfd_ctl_hdr hdr;
	char name[SRFD_EVENT_NAME_LEN];
	struct srfd_event ev;
	char detail[SRFD_DETAIL_LEN];	/* human text for srfdd's own events */
	/*
	 * Per daemon, +1 per event; events the kernel could not queue
	 * (ring buffer full) are counted in, so a reader sees every gap.
	 */
	__u64 seq;
	__u64 real_ns;			/* ev.ts_ns as CLOCK_REALTIME */
};
_Static_assert(sizeof(struct srfd_ctl_event) == 200, "srfd_ctl_event ABI");

/* Free text (e.g. every error of a refused reload), one line each. */
struct srfd_ctl_msg {
	struct srfd_ctl_hdr hdr;
	char text[256];
};
_Static_assert(sizeof(struct srfd_ctl_msg) == 264, "srfd_ctl_msg ABI");

/* One data-path counter (enum srfd_reason or a daemon figure). */
struct srfd_ctl_counter {
	struct srfd_ctl_hdr hdr;
	char  name[SRFD_NAME_LEN];
	__u64 value;
};
_Static_assert(sizeof(struct srfd_ctl_counter) == 48, "srfd_ctl_counter ABI");

struct srfd_ctl_prefix {
	struct srfd_ctl_hdr hdr;
	__u8  addr[SRFD_SID_LEN];
	__u8  prefixlen;
	__u8  active;			/* enum srfd_list */
	__u8  nsegs[2];
	__u8  nguards;
	__u8  pad[3];
	char  guards[SRFD_MAX_GUARDS][SRFD_NAME_LEN];
	__u8  segs[2][SRFD_MAX_ENCAP_SEGS][SRFD_SID_LEN];
	__u64 switches;
	__u64 last_switch_ns;
	__u64 hold_ns;
	__u64 packets[2];
	__u64 bytes[2];
};
_Static_assert(sizeof(struct srfd_ctl_prefix) == 472, "srfd_ctl_prefix ABI");

#endif /* SRFD_SRFD_H */
