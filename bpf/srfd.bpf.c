// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * srfd data path: looped SRv6 probes generated, received and judged in the
 * kernel. One object so that all programs share the session maps:
 *
 *  srfd_tick     tc ingress of the private ticker veth. A ticker frame paced
 *                by TBF arrives every tick; it is cloned back into the pacer
 *                and every due session gets a probe, re-injected into the
 *                same ingress hook and, on that second pass, sent out of the
 *                monitored interface with bpf_redirect_neigh().
 *  srfd_end_bpf  End.BPF (seg6local) behind the local SID: a returned probe
 *                with the right token refreshes its session.
 *  watchdog      per-session bpf_timer: declares the session down when
 *                multiplier x interval has passed without a valid return AND
 *                at least multiplier probes actually sent are unanswered, so
 *                a stall of our own sending never looks like a dead link.
 *  srfd_encap    H.Encaps with a protected prefix's active SID list. Fast
 *                path: tc egress of the primary's egress device, where the
 *                prefix is routed; a packet still headed there leaves with
 *                TC_ACT_OK, others are redirected. Fallback: tc egress of
 *                the loop sl-<instance> (prefix route with a worse metric) when the fast
 *                route is gone, e.g. the device went down. The watchdog flips a
 *                prefix to its backup list the moment a guarding session
 *                goes down, and back after the hold-down once all are up.
 *  srfd_reflect  End.BPF reflector for neighbours that run srfd: checks that
 *                the packet is an srfd probe and sends it back with End.X
 *                to the configured next hop, so a reflector SID cannot be
 *                used to bounce arbitrary traffic.
 *  srfd_cmd      run by srfdd (BPF_PROG_TEST_RUN) to take a session down
 *                through the same transition when its interface fails.
 *  srfd_rx_test  tc twin of srfd_end_bpf for BPF_PROG_TEST_RUN (lwt_seg6local
 *                programs cannot be test-run); returns the reason code.
 *
 * Every map but the scratch buffer is pinned by name under the instance's
 * bpffs directory: the data path outlives srfdd, and a restarted srfdd
 * adopts it (libbpf reuses the pins).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/socket.h>
#include <linux/seg6_local.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <srfd/srfd.h>
#include "lib/encap.h"
#include "lib/probe.h"

#ifndef AF_INET6
#define AF_INET6 10
#endif
#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC 1
#endif
/* installed UAPI headers are 6.1; these exist on the running kernel */
#define SRFD_TIMER_ABS (1ULL << 0)
#define SRFD_FIB_LOOKUP_SKIP_NEIGH (1U << 2)	/* 6.3 */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_SESSIONS);
	__type(key, __u32);
	__type(value, struct srfd_session_cfg);
} srfd_sess_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_SESSIONS);
	__type(key, __u32);
	__type(value, struct srfd_session_state);
} srfd_sess_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct srfd_settings);
} srfd_settings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct srfd_global);
} srfd_global SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_R_MAX);
	__type(key, __u32);
	__type(value, __u64);
} srfd_counters SEC(".maps");

struct srfd_scratch {
	__u8 buf[SRFD_PROBE_BUF_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct srfd_scratch);
} srfd_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct srfd_prefix_key);
	__type(value, __u32);
} srfd_prefix_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_PREFIXES);
	__type(key, __u32);
	__type(value, struct srfd_prefix_cfg);
} srfd_prefix_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_PREFIXES);
	__type(key, __u32);
	__type(value, struct srfd_prefix_state);
} srfd_prefix_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_LISTS * SRFD_MAX_PREFIXES);
	__type(key, __u32);
	__type(value, struct srfd_encap_stats);
} srfd_encap_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_SESSIONS);
	__type(key, __u32);
	__type(value, struct srfd_session_guards);
} srfd_sess_guards SEC(".maps");

struct srfd_sid_key {
	__u8 sid[SRFD_SID_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_REFLECTORS);
	__type(key, struct srfd_sid_key);
	__type(value, struct srfd_reflector);
} srfd_reflectors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_EGRESS);
	__type(key, __u32);
	__type(value, struct srfd_egress);
} srfd_egress SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, 64 * 1024);
} srfd_events SEC(".maps");

static __always_inline void count(enum srfd_reason reason)
{
	__u32 key = reason;
	__u64 *c = bpf_map_lookup_elem(&srfd_counters, &key);

	if (c)
		*c += 1;
}

static __always_inline void emit_switch(__u32 idx, __u32 from, __u32 to,
					__u64 ts)
{
	struct srfd_event *ev;

	ev = bpf_ringbuf_reserve(&srfd_events, sizeof(*ev), 0);
	if (!ev) {
		count(SRFD_R_RINGBUF_FULL);
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = SRFD_EV_SWITCH;
		ev->id = idx;
		ev->old_state = from;
		ev->new_state = to;
		ev->ts_ns = ts;
	bpf_ringbuf_submit(ev, 0);
}

static __always_inline const struct srfd_settings *settings_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&srfd_settings, &zero);
}

/* Fast reroute work a session's watchdog does over the prefixes it guards. */
struct guard_walk {
	__u32 session;
	__u32 pending;		/* prefixes still on the backup */
	__u64 now;
	int to_backup;		/* 1: session went down; 0: try to revert */
};

static __always_inline void prefix_to_backup(__u32 idx, __u64 now)
{
	const struct srfd_prefix_cfg *cfg;
	struct srfd_prefix_state *st;

	cfg = bpf_map_lookup_elem(&srfd_prefix_cfg, &idx);
	st = bpf_map_lookup_elem(&srfd_prefix_state, &idx);
	if (!cfg || !st || !cfg->valid)
		return;
	if (__sync_val_compare_and_swap(&st->active, SRFD_LIST_PRIMARY,
					SRFD_LIST_BACKUP) != SRFD_LIST_PRIMARY)
		return;
	st->hold_ns = srfd_hold_after_switch(st->hold_ns, st->last_backup_ns,
					     now, cfg->hold_ns, cfg->hold_max_ns,
					     cfg->quiet_ns);
	st->last_backup_ns = now;
	st->last_switch_ns = now;
	__sync_fetch_and_add(&st->switches, 1);
	emit_switch(idx, SRFD_LIST_PRIMARY, SRFD_LIST_BACKUP, now);
}

/* Returns 1 while the prefix stays on its backup. */
static __always_inline int prefix_try_revert(__u32 idx, __u64 now)
{
	const struct srfd_session_state *gst;
	const struct srfd_prefix_cfg *cfg;
	struct srfd_prefix_state *st;
	__u64 up_since = 0;
	__u32 g, slot;

	cfg = bpf_map_lookup_elem(&srfd_prefix_cfg, &idx);
	st = bpf_map_lookup_elem(&srfd_prefix_state, &idx);
	if (!cfg || !st || !cfg->valid || st->active != SRFD_LIST_BACKUP)
		return 0;
	for (g = 0; g < SRFD_MAX_GUARDS; g++) {
		if (g >= cfg->nguards)
			break;
		slot = cfg->guards[g];
		gst = bpf_map_lookup_elem(&srfd_sess_state, &slot);
		if (!gst || gst->state != SRFD_STATE_UP)
			return 1;
		if (gst->last_change_ns > up_since)
			up_since = gst->last_change_ns;
	}
	if (!srfd_may_revert(up_since, st->hold_ns, now))
		return 1;
	if (__sync_val_compare_and_swap(&st->active, SRFD_LIST_BACKUP,
					SRFD_LIST_PRIMARY) != SRFD_LIST_BACKUP)
		return 0;
	st->last_switch_ns = now;
	__sync_fetch_and_add(&st->switches, 1);
	emit_switch(idx, SRFD_LIST_BACKUP, SRFD_LIST_PRIMARY, now);
	return 0;
}

static long guard_walk_one(__u32 i, struct guard_walk *w)
{
	const struct srfd_session_guards *guards;
	__u32 idx;

	guards = bpf_map_lookup_elem(&srfd_sess_guards, &w->session);
	if (!guards || i >= guards->n || i >= SRFD_MAX_GUARDED)
		return 1;
	idx = guards->prefixes[i];
	if (w->to_backup)
		prefix_to_backup(idx, w->now);
	else
		w->pending += prefix_try_revert(idx, w->now);
	return 0;
}

/* Bounded: at most SRFD_MAX_GUARDED prefixes per session. */
static __always_inline __u32 guards_walk(__u32 session, __u64 now,
					 int to_backup)
{
	const struct srfd_session_guards *guards;
	struct guard_walk w = {
		.session = session, .now = now, .to_backup = to_backup,
	};

	guards = bpf_map_lookup_elem(&srfd_sess_guards, &session);
	if (!guards || !guards->n)
		return 0;
	bpf_loop(guards->n < SRFD_MAX_GUARDED ? guards->n : SRFD_MAX_GUARDED,
		 guard_walk_one, &w, 0);
	return w.pending;
}

/*
 * Move @st from @from to @to; only one CPU wins a given transition. Leaving
 * `up` records @reason, counts a down and flips the guarded prefixes to
 * their backup in the same softirq, without userspace.
 */
static __always_inline int session_transition(__u32 id,
					       struct srfd_session_state *st,
					       __u32 from, __u32 to, __u64 now,
					       __u32 reason)
{
	struct srfd_event *ev;

	if (__sync_val_compare_and_swap(&st->state, from, to) != from)
		return 0;
	st->last_change_ns = now;
	if (to != SRFD_STATE_UP)
		st->down_reason = reason;
	if (from == SRFD_STATE_UP)
		__sync_fetch_and_add(&st->downs, 1);
	ev = bpf_ringbuf_reserve(&srfd_events, sizeof(*ev), 0);
	if (ev) {
		ev->type = SRFD_EV_STATE;
		ev->reason = to == SRFD_STATE_UP ? SRFD_DOWN_NONE : reason;
		ev->pad = 0;
		ev->id = id;
		ev->old_state = from;
		ev->new_state = to;
		ev->ts_ns = now;
		ev->tx_seq = st->tx_seq;
		ev->rx_seq = st->rx_seq;
		bpf_ringbuf_submit(ev, 0);
	} else {
		count(SRFD_R_RINGBUF_FULL);
	}
	if (from == SRFD_STATE_UP) {
		guards_walk(id, now, 1);	/* the switch events follow */
		st->reroute_pending = 1;
	}
	return 1;
}

static int session_watchdog_fire(void *map __attribute__((unused)), __u32 *key,
				 struct srfd_session_state *st)
{
	const struct srfd_session_cfg *cfg;
	const struct srfd_settings *set;
	__u64 now, detect, last, next;
	__u32 id = *key;

	cfg = bpf_map_lookup_elem(&srfd_sess_cfg, &id);
	set = settings_get();
	if (!cfg || !cfg->active || !set)
		return 0;	/* slot released: let the timer die */

	now = bpf_ktime_get_ns();
	detect = cfg->interval_ns * cfg->multiplier;
	next = now + detect;

	if (st->state == SRFD_STATE_UP) {
		last = st->last_rx_ns;
		if ((__s64)(now - last) < (__s64)detect) {
			next = last + detect;
		} else if (st->tx_seq - st->rx_seq >= cfg->multiplier) {
			session_transition(id, st, SRFD_STATE_UP,
					   SRFD_STATE_DOWN, now,
					   SRFD_DOWN_WATCHDOG);
		} else if (set->stall_ns &&
			   (__s64)(now - st->last_tx_ns) >= (__s64)set->stall_ns) {
			/*
			 * The stall rule below is bounded: a clock dead this
			 * long is not a hiccup. The path is unverified, so the
			 * session stops claiming `up` and its prefixes move
			 * to their backup.
			 */
			session_transition(id, st, SRFD_STATE_UP,
					   SRFD_STATE_STALLED, now,
					   SRFD_DOWN_CLOCK);
		} else {
			/*
			 * Silent for the detection time, but fewer than
			 * multiplier probes went out: our own sending stalled.
			 * Look again soon instead of blaming the link.
			 */
			__sync_fetch_and_add(&st->stall_saves, 1);
			next = now + (cfg->interval_ns / 4 ?: 1000);
		}
	}
	if (st->state == SRFD_STATE_UP && st->reroute_pending)
		st->reroute_pending = guards_walk(id, now, 0) ? 1 : 0;

	if (bpf_timer_start(&st->watchdog, next, SRFD_TIMER_ABS))
		count(SRFD_R_WATCHDOG_FAIL);
	return 0;
}

/*
 * Arm the watchdog once per settings generation: a restarted srfdd loads new
 * programs, and the timer then calls the new callback instead of keeping the
 * old program alive.
 */
static __always_inline void session_arm_watchdog(const struct srfd_session_cfg *cfg,
						 struct srfd_session_state *st,
						 __u32 gen, __u64 now)
{
	__u32 armed = st->armed;

	if (armed == gen ||
	    __sync_val_compare_and_swap(&st->armed, armed, gen) != armed)
		return;
	if (!armed)
		bpf_timer_init(&st->watchdog, &srfd_sess_state, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&st->watchdog, session_watchdog_fire);
	if (bpf_timer_start(&st->watchdog,
			    now + cfg->interval_ns * cfg->multiplier,
			    SRFD_TIMER_ABS))
		count(SRFD_R_WATCHDOG_FAIL);
}

/* Emit one probe for session @id if it is due. */
static __always_inline void session_maybe_send(struct __sk_buff *skb, __u32 id,
					       __u8 *buf, __u64 now,
					       const struct srfd_settings *set)
{
	const struct srfd_session_cfg *cfg;
	struct srfd_session_state *st;
	__u64 due, next, seq;
	__u32 len;

	cfg = bpf_map_lookup_elem(&srfd_sess_cfg, &id);
	if (!cfg || !cfg->active)
		return;
	st = bpf_map_lookup_elem(&srfd_sess_state, &id);
	if (!st)
		return;
	session_arm_watchdog(cfg, st, set->generation, now);

	/* half an interval of slack absorbs tick jitter without skipping */
	due = st->next_tx_ns;
	if ((__s64)(now + cfg->interval_ns / 2 - due) < 0)
		return;
	next = due + cfg->interval_ns;
	if ((__s64)(now - next) >= 0)	/* we stalled: restart the schedule */
		next = now + cfg->interval_ns;
	/* two tickers may run at once on two CPUs: one send per slot */
	if (__sync_val_compare_and_swap(&st->next_tx_ns, due, next) != due)
		return;

	seq = __sync_fetch_and_add(&st->tx_seq, 1) + 1;
	len = srfd_probe_build(buf, cfg, seq, now);
	if (len < SRFD_PROBE_LEN(1) || len > SRFD_PROBE_BUF_LEN)
		goto fail;
	if (skb->len != len && bpf_skb_change_tail(skb, len, 0))
		goto fail;
	if (bpf_skb_store_bytes(skb, 0, buf, len, 0))
		goto fail;
	if (bpf_clone_redirect(skb, set->loop_ifindex, BPF_F_INGRESS))
		goto fail;
	st->last_tx_ns = now;
	__sync_fetch_and_add(&st->probes_tx, 1);
	return;
fail:
	count(SRFD_R_TX_FAIL);
}

static __always_inline int handle_tick(struct __sk_buff *skb)
{
	const struct srfd_settings *set;
	struct srfd_scratch *scratch;
	struct srfd_global *global;
	struct srfd_tick tick;
	__u32 zero = 0, nr, i;
	__u64 now;

	if (bpf_skb_load_bytes(skb, ETH_HLEN_SRFD, &tick, sizeof(tick)) ||
	    tick.magic != bpf_htonl(SRFD_TICK_MAGIC)) {
		count(SRFD_R_UNKNOWN_FRAME);
		return TC_ACT_SHOT;
	}
	set = settings_get();
	if (!set)
		return TC_ACT_SHOT;
	/* keep the ticker circulating before anything can fail */
	if (bpf_clone_redirect(skb, set->pacer_ifindex, 0))
		count(SRFD_R_TICK_LOST);
	count(SRFD_R_TICK);

	now = bpf_ktime_get_ns();
	global = bpf_map_lookup_elem(&srfd_global, &zero);
	if (global) {
		__u64 gap = now - global->last_tick_ns;

		/* racy across CPUs by design: a statistic, not a decision */
		if (global->last_tick_ns && (__s64)gap > (__s64)global->max_tick_gap_ns)
			global->max_tick_gap_ns = gap;
		__sync_fetch_and_add(&global->ticks, 1);
		global->last_tick_ns = now;
	}
	scratch = bpf_map_lookup_elem(&srfd_scratch, &zero);
	if (!scratch)
		return TC_ACT_SHOT;
	nr = set->nr_slots;

	for (i = 0; i < SRFD_MAX_SESSIONS; i++) {
		if (i >= nr)
			break;
		session_maybe_send(skb, i, scratch->buf, now, set);
	}
	return TC_ACT_SHOT;
}

/* Second pass of a probe built by handle_tick: out of the monitored link. */
static __always_inline int handle_outgoing_probe(struct __sk_buff *skb)
{
	const struct srfd_session_cfg *cfg;
	struct srfd_probe_info info;
	struct bpf_redir_neigh nh;
	struct srfd_scratch *scratch;
	__u32 zero = 0, len, id;

	scratch = bpf_map_lookup_elem(&srfd_scratch, &zero);
	if (!scratch)
		return TC_ACT_SHOT;
	len = skb->len - ETH_HLEN_SRFD;
	if (skb->len < ETH_HLEN_SRFD + IPV6_HLEN_SRFD + SRH_HLEN_SRFD ||
	    len > SRFD_PROBE_BUF_LEN)
		goto unknown;
	if (bpf_skb_load_bytes(skb, ETH_HLEN_SRFD, scratch->buf, len))
		goto unknown;
	if (srfd_probe_parse(scratch->buf, len, &info) != SRFD_R_PROBE_OK)
		goto unknown;
	id = info.session_id;
	cfg = bpf_map_lookup_elem(&srfd_sess_cfg, &id);
	if (!cfg || !cfg->active || cfg->token != info.token)
		goto unknown;

	count(SRFD_R_TX_REDIRECT);
	nh.nh_family = AF_INET6;
	__builtin_memcpy(nh.ipv6_nh, cfg->nexthop, SRFD_SID_LEN);
	return bpf_redirect_neigh(cfg->ifindex, &nh, sizeof(nh), 0);
unknown:
	count(SRFD_R_UNKNOWN_FRAME);
	return TC_ACT_SHOT;
}

SEC("tc")
int srfd_tick(struct __sk_buff *skb)
{
	if (skb->protocol == bpf_htons(SRFD_TICK_ETHERTYPE))
		return handle_tick(skb);
	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		return handle_outgoing_probe(skb);
	count(SRFD_R_UNKNOWN_FRAME);
	return TC_ACT_SHOT;
}

/*
 * Copy what fits of the packet from its IPv6 header at @l3off into the
 * per-CPU scratch buffer and parse it as a probe; *buf and *len say what
 * was loaded, for callers that read further fields.
 */
static __always_inline enum srfd_reason
probe_load_parse(struct __sk_buff *skb, __u32 l3off,
		 struct srfd_probe_info *info, __u8 **buf, __u32 *len)
{
	struct srfd_scratch *scratch;
	__u32 zero = 0, n;

	scratch = bpf_map_lookup_elem(&srfd_scratch, &zero);
	if (!scratch || skb->len <= l3off)
		return SRFD_R_TRUNCATED;
	n = skb->len - l3off;
	if (n > SRFD_PROBE_BUF_LEN)
		n = SRFD_PROBE_BUF_LEN;
	if (n < 1 || bpf_skb_load_bytes(skb, l3off, scratch->buf, n))
		return SRFD_R_TRUNCATED;
	*buf = scratch->buf;
	*len = n;
	return srfd_probe_parse(scratch->buf, n, info);
}

/*
 * A probe came back. @l3off is where its IPv6 header starts. Returns the
 * reason, already counted.
 */
static __always_inline enum srfd_reason probe_returned(struct __sk_buff *skb,
						       __u32 l3off)
{
	const struct srfd_session_cfg *cfg;
	struct srfd_session_state *st;
	struct srfd_probe_info info;
	enum srfd_reason reason;
	__u32 len, id;
	__u64 now, prev;
	__u8 *buf;

	reason = probe_load_parse(skb, l3off, &info, &buf, &len);
	if (reason != SRFD_R_PROBE_OK)
		goto out;

	id = info.session_id;
	cfg = bpf_map_lookup_elem(&srfd_sess_cfg, &id);
	st = bpf_map_lookup_elem(&srfd_sess_state, &id);
	if (!cfg || !st || !cfg->active) {
		reason = SRFD_R_BAD_SESSION;
		goto out;
	}
	if (info.token != cfg->token) {
		__sync_fetch_and_add(&st->bad_token, 1);
		reason = SRFD_R_BAD_TOKEN;
		goto out;
	}

	now = bpf_ktime_get_ns();
	__sync_fetch_and_add(&st->probes_rx, 1);
	if (info.tx_ns <= now)
		st->last_rtt_ns = now - info.tx_ns;
	/* only a newer probe proves the path is alive now */
	prev = st->rx_seq;
	if (info.seq <= prev || info.seq > st->tx_seq)
		goto out;
	st->rx_seq = info.seq;
	st->last_rx_ns = now;
	if (info.seq == prev + 1)
		st->good_streak += 1;
	else
		st->good_streak = 1;

	if (st->state != SRFD_STATE_UP && st->good_streak >= cfg->up_after)
		session_transition(id, st, st->state, SRFD_STATE_UP, now,
				   SRFD_DOWN_NONE);
out:
	count(reason);
	return reason;
}

SEC("lwt_seg6local")
int srfd_end_bpf(struct __sk_buff *skb)
{
	probe_returned(skb, 0);
	return BPF_DROP;	/* probes end here; nothing else belongs to this SID */
}

/*
 * H.Encaps on the egress of a device srfd_encap is attached to (the
 * primary's egress device, or the loop). Returns the reason; *verdict is
 * the tc verdict.
 */
static __always_inline enum srfd_reason encap(struct __sk_buff *skb,
					      int *verdict)
{
	struct bpf_fib_lookup fib = { 0 };
	const struct srfd_prefix_cfg *cfg;
	struct srfd_prefix_state *st;
	const struct srfd_settings *set;
	struct srfd_encap_stats *stats;
	struct srfd_scratch *scratch;
	struct srfd_prefix_key key;
	struct bpf_redir_neigh nh;
	__u32 zero = 0, idx, list, n, hlen, inner_len, skey;
	struct ipv6hdr inner;
	__u32 *pidx;
	int rc, on_loop;

	/*
	 * On the loop only protected traffic arrives; on a real egress
	 * device everything else must pass untouched, to the next filter.
	 */
	set = settings_get();
	if (!set) {
		*verdict = TC_ACT_UNSPEC;
		return SRFD_R_ENCAP_NO_PREFIX;
	}
	on_loop = skb->ifindex == set->loop_ifindex;
	*verdict = on_loop ? TC_ACT_SHOT : TC_ACT_UNSPEC;
	if (skb->protocol != bpf_htons(ETH_P_IPV6))
		return SRFD_R_ENCAP_NOT_IPV6;
	if (bpf_skb_load_bytes(skb, ETH_HLEN_SRFD, &inner, sizeof(inner)))
		return SRFD_R_TRUNCATED;
	key.prefixlen = 128;
	__builtin_memcpy(key.addr, &inner.daddr, SRFD_SID_LEN);
	pidx = bpf_map_lookup_elem(&srfd_prefix_lpm, &key);
	if (!pidx)
		return SRFD_R_ENCAP_NO_PREFIX;
	idx = *pidx;
	cfg = bpf_map_lookup_elem(&srfd_prefix_cfg, &idx);
	st = bpf_map_lookup_elem(&srfd_prefix_state, &idx);
	scratch = bpf_map_lookup_elem(&srfd_scratch, &zero);
	if (!cfg || !st || !scratch || !cfg->valid)
		return SRFD_R_ENCAP_NO_PREFIX;
	*verdict = TC_ACT_SHOT;
	list = st->active & 1;
	n = cfg->nsegs[list];
	if (n < 1 || n > SRFD_MAX_ENCAP_SEGS)
		return SRFD_R_ENCAP_FAIL;

	inner_len = skb->len - ETH_HLEN_SRFD;
	fib.family = AF_INET6;
	fib.ifindex = skb->ifindex;
	__builtin_memcpy(fib.ipv6_src, cfg->src, SRFD_SID_LEN);
	__builtin_memcpy(fib.ipv6_dst, cfg->segs[list][0], SRFD_SID_LEN);
	/* GSO segments were sized by the route MTU, which leaves room */
	if (!skb->gso_size)
		fib.tot_len = inner_len + SRFD_ENCAP_OVERHEAD(n);
	/*
	 * We originate the outer packet: an output lookup. On the loop the
	 * neighbour is left to bpf_redirect_neigh(); on a real egress device
	 * we want its address to send the packet on without a second pass.
	 */
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_OUTPUT |
			    (on_loop ? SRFD_FIB_LOOKUP_SKIP_NEIGH : 0));
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return SRFD_R_ENCAP_TOO_BIG;
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		return SRFD_R_ENCAP_NO_ROUTE;

	hlen = srfd_encap_build(scratch->buf, cfg->src, cfg->segs[list], n,
				inner_len, (bpf_ntohl(*(__u32 *)&inner) >> 20) & 0xff,
				skb->hash);
	if (hlen < SRFD_ENCAP_OVERHEAD(1) || hlen > SRFD_ENCAP_OVERHEAD(SRFD_MAX_ENCAP_SEGS))
		return SRFD_R_ENCAP_FAIL;
	/*
	 * FIXED_GSO: the route MTU already left room for this header, so
	 * GSO segments keep their size instead of shrinking by @hlen.
	 */
	if (bpf_skb_adjust_room(skb, hlen, BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 |
				BPF_F_ADJ_ROOM_FIXED_GSO))
		return SRFD_R_ENCAP_FAIL;
	if (bpf_skb_store_bytes(skb, ETH_HLEN_SRFD, scratch->buf, hlen, 0))
		return SRFD_R_ENCAP_FAIL;

	skey = SRFD_ENCAP_STATS_KEY(idx, list);
	stats = bpf_map_lookup_elem(&srfd_encap_stats, &skey);
	if (stats) {
		stats->packets += skb->gso_segs ?: 1;
		stats->bytes += skb->len;
	}
	/* already on the right device with a resolved neighbour: just go */
	if (!on_loop && rc == BPF_FIB_LKUP_RET_SUCCESS &&
	    fib.ifindex == skb->ifindex) {
		if (bpf_skb_store_bytes(skb, 0, fib.dmac, ETH_ALEN, 0) ||
		    bpf_skb_store_bytes(skb, ETH_ALEN, fib.smac, ETH_ALEN, 0))
			return SRFD_R_ENCAP_FAIL;
		*verdict = TC_ACT_OK;
		return SRFD_R_ENCAP_OK;
	}
	/* fib.ipv6_dst now holds the next hop (gateway or the SID itself) */
	nh.nh_family = AF_INET6;
	__builtin_memcpy(nh.ipv6_nh, fib.ipv6_dst, SRFD_SID_LEN);
	*verdict = bpf_redirect_neigh(fib.ifindex, &nh, sizeof(nh), 0);
	return SRFD_R_ENCAP_OK;
}

SEC("tc")
int srfd_encap(struct __sk_buff *skb)
{
	enum srfd_reason reason;
	int verdict;

	reason = encap(skb, &verdict);
	/* other traffic of a real egress device is none of our business */
	if (verdict != TC_ACT_UNSPEC)
		count(reason);
	return verdict;
}

/*
 * The End step already ran: segments_left points at the next SID, so the
 * reflector SID that brought the probe here is segments[segments_left + 1].
 */
static __always_inline enum srfd_reason probe_reflect(struct __sk_buff *skb,
						      __u32 l3off, int *verdict)
{
	const struct srfd_reflector *refl;
	struct srfd_probe_info info;
	struct srfd_sid_key key;
	enum srfd_reason reason;
	struct in6_addr nh;
	__u32 len, off;
	__u8 *buf;

	*verdict = BPF_DROP;
	reason = probe_load_parse(skb, l3off, &info, &buf, &len);
	if (reason != SRFD_R_PROBE_OK)
		return reason;
	if (info.segments_left + 1 >= info.nsegs)
		return SRFD_R_BAD_SRH;
	off = IPV6_HLEN_SRFD + SRH_HLEN_SRFD +
	      ((info.segments_left + 1) & (SRFD_MAX_PROBE_SEGS - 1)) * SRFD_SID_LEN;
	if (off + SRFD_SID_LEN > len)
		return SRFD_R_TRUNCATED;
	__builtin_memcpy(key.sid, buf + off, SRFD_SID_LEN);
	refl = bpf_map_lookup_elem(&srfd_reflectors, &key);
	if (!refl)
		return SRFD_R_REFLECT_UNKNOWN;
	__builtin_memcpy(&nh, refl->nexthop, SRFD_SID_LEN);
	if (bpf_lwt_seg6_action(skb, SEG6_LOCAL_ACTION_END_X, &nh, sizeof(nh)))
		return SRFD_R_REFLECT_FAIL;
	*verdict = BPF_REDIRECT;	/* End.X already chose the route */
	return SRFD_R_REFLECTED;
}

SEC("lwt_seg6local")
int srfd_reflect(struct __sk_buff *skb)
{
	int verdict;

	count(probe_reflect(skb, 0, &verdict));
	return verdict;
}

/*
 * Not attached anywhere: srfdd runs it with BPF_PROG_TEST_RUN to take a
 * session down when its interface goes down or away, through the same
 * transition (and fast reroute) as the watchdog. Returns 1 if the session
 * changed state, 0 if it was already down, 2 for a bad command.
 */
SEC("tc")
int srfd_cmd(struct __sk_buff *skb)
{
	struct srfd_session_state *st;
	struct srfd_cmd cmd;
	__u32 state;

	if (bpf_skb_load_bytes(skb, ETH_HLEN_SRFD, &cmd, sizeof(cmd)) ||
	    cmd.op != SRFD_CMD_DOWN)
		return 2;
	st = bpf_map_lookup_elem(&srfd_sess_state, &cmd.session);
	if (!st)
		return 2;
	state = st->state;
	if (state == SRFD_STATE_DOWN) {
		st->down_reason = cmd.reason;	/* e.g. down, then gone */
		return 0;
	}
	return session_transition(cmd.session, st, state, SRFD_STATE_DOWN,
				  bpf_ktime_get_ns(), cmd.reason);
}

SEC("tc")
int srfd_rx_test(struct __sk_buff *skb)
{
	return probe_returned(skb, ETH_HLEN_SRFD);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
