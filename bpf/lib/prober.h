/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Looped-probe sessions: state transitions, the per-session watchdog, the
 * ticker that emits due probes and the receive path of returned probes.
 * BPF side only; the wire format itself is lib/probe.h.
 */
#ifndef SRFD_BPF_LIB_PROBER_H
#define SRFD_BPF_LIB_PROBER_H

#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include "maps.h"
#include "probe.h"
#include "reroute.h"
#include "buckets.h"
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

/*
 * The watchdog rule, shared by the session's timer and the ticker's check:
 * silent for the detection time AND multiplier probes actually sent are
 * unanswered. Returns 1 if it took the session down.
 */
static __always_inline int session_silence_check(__u32 id,
						 const struct srfd_session_cfg *cfg,
						 struct srfd_session_state *st,
						 __u64 now)
{
	__u64 detect = cfg->interval_ns * cfg->multiplier;

	if (st->state != SRFD_STATE_UP ||
	    (__s64)(now - st->last_rx_ns) < (__s64)detect ||
	    st->tx_seq - st->rx_seq < cfg->multiplier)
		return 0;
	return session_transition(id, st, SRFD_STATE_UP, SRFD_STATE_DOWN, now,
				  SRFD_DOWN_WATCHDOG);
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
		} else if (session_silence_check(id, cfg, st, now)) {
			/* down: look again after a detection time */
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

	if (bpf_timer_start(&st->watchdog, next, SRFD_TIMER_ABS)) {
		count(SRFD_R_WATCHDOG_FAIL);
		st->armed = 0;	/* the ticker's next visit arms it again */
	}
	return 0;
}

/* after a failed bpf_timer_init, nobody tries again for this long */
#define ARM_BACKOFF_NS	(100ULL * 1000 * 1000)

/*
 * Arm the watchdog once per settings generation: a restarted srfdd loads new
 * programs, and the timer then calls the new callback instead of keeping the
 * old program alive. Arming can fail: bpf_timer_init allocates with
 * kmalloc_nolock, which on this kernel kind gives out about 150 timers and
 * then fails, from any context. A session without its own timer is judged
 * by the ticker on every visit instead (session_maybe_send: the same rule,
 * up to one interval later), and arming is retried after a back-off.
 */
static __always_inline void session_arm_watchdog(const struct srfd_session_cfg *cfg,
						 struct srfd_session_state *st,
						 __u32 gen, __u64 now,
						 struct srfd_global *g)
{
	__u64 detect = cfg->interval_ns * cfg->multiplier, first = now + detect;
	__u32 armed = st->armed;
	long err;

	if (armed == gen)
		return;
	if (g && g->arm_fail_ns && (__s64)(now - g->arm_fail_ns) < (__s64)ARM_BACKOFF_NS)
		return;
	if (__sync_val_compare_and_swap(&st->armed, armed, gen) != armed)
		return;
	/*
	 * An `up` session that gets its timer late (a retry that worked) is
	 * due at its real deadline, which may be now: not a detection later.
	 */
	if (st->state == SRFD_STATE_UP && st->last_rx_ns) {
		first = st->last_rx_ns + detect;
		if ((__s64)(first - now) < 0)
			first = now;
	}
	err = bpf_timer_init(&st->watchdog, &srfd_sess_state, CLOCK_MONOTONIC);
	if (err && err != -16 /* EBUSY: initialized before */)
		goto fail;
	if (bpf_timer_set_callback(&st->watchdog, session_watchdog_fire) ||
	    bpf_timer_start(&st->watchdog, first, SRFD_TIMER_ABS))
		goto fail;
	return;
fail:
	count(SRFD_R_WATCHDOG_FAIL);
	if (g)
		g->arm_fail_ns = now;
	st->armed = armed;
}

struct clock_stall {
	__u32 gen;
	__u64 now;
};

static int clock_stall_one(__u32 id, void *ctx)
{
	struct clock_stall *c = ctx;
	const struct srfd_session_cfg *cfg;
	struct srfd_session_state *st;

	cfg = bpf_map_lookup_elem(&srfd_sess_cfg, &id);
	st = bpf_map_lookup_elem(&srfd_sess_state, &id);
	if (cfg && st && cfg->active && st->armed != c->gen)
		session_transition(id, st, SRFD_STATE_UP, SRFD_STATE_STALLED,
				   c->now, SRFD_DOWN_CLOCK);
	return 0;
}

static int clock_watch_fire(void *map __attribute__((unused)),
			    __u32 *key __attribute__((unused)),
			    struct srfd_global *g)
{
	const struct srfd_settings *set = settings_get();
	struct clock_stall c;
	__u64 now = bpf_ktime_get_ns(), period;

	if (!set || !set->stall_ns)
		return 0;
	period = set->stall_ns / 2;
	if (g->last_tick_ns && (__s64)(now - g->last_tick_ns) >= (__s64)set->stall_ns) {
		c.gen = set->generation;
		c.now = now;
		bpf_loop(set->nr_slots < SRFD_MAX_SESSIONS ? set->nr_slots :
			 SRFD_MAX_SESSIONS, clock_stall_one, &c, 0);
	}
	if (bpf_timer_start(&g->clock_watch, now + period, SRFD_TIMER_ABS)) {
		count(SRFD_R_WATCHDOG_FAIL);
		g->clock_armed = 0;
	}
	return 0;
}

/* Arm the clock watch once per settings generation (retried until it works). */
static __always_inline void clock_watch_arm(struct srfd_global *g, __u32 gen,
					    __u64 stall_ns, __u64 now)
{
	__u32 armed = g->clock_armed;
	long err;

	if (armed == gen || !stall_ns ||
	    __sync_val_compare_and_swap(&g->clock_armed, armed, gen) != armed)
		return;
	err = bpf_timer_init(&g->clock_watch, &srfd_global, CLOCK_MONOTONIC);
	if ((err && err != -16) ||
	    bpf_timer_set_callback(&g->clock_watch, clock_watch_fire) ||
	    bpf_timer_start(&g->clock_watch, now + stall_ns / 2, SRFD_TIMER_ABS)) {
		count(SRFD_R_WATCHDOG_FAIL);
		g->clock_armed = armed;
	}
}

/*
 * A session without a timer just got a probe out: if multiplier probes are
 * now unanswered and its deadline (last return + detection time) is less
 * than an interval away, queue it for the tick that passes the deadline
 * (tick_suspects); its next visit would be up to an interval late.
 */
static __always_inline void session_maybe_suspect(__u32 id,
						  const struct srfd_session_cfg *cfg,
						  struct srfd_session_state *st,
						  __u64 now)
{
	__u64 detect = cfg->interval_ns * cfg->multiplier;
	struct srfd_suspect s = { .id = id };

	if (st->state != SRFD_STATE_UP ||
	    st->tx_seq - st->rx_seq < cfg->multiplier ||
	    (__s64)(now + cfg->interval_ns - st->last_rx_ns) < (__s64)detect)
		return;
	s.deadline_ns = st->last_rx_ns + detect;
	if (st->suspect_ns == s.deadline_ns)
		return;		/* queued already */
	if (bpf_map_push_elem(&srfd_suspects, &s, 0))
		return;		/* full: its next visit judges it */
	st->suspect_ns = s.deadline_ns;
}

struct suspect_walk {
	__u64 now;
	__u32 gen;
};

/* Judge the queued suspects whose deadline has passed, oldest first. */
static int tick_suspect_one(__u32 index __attribute__((unused)), void *ctx)
{
	struct suspect_walk *w = ctx;
	const struct srfd_session_cfg *cfg;
	struct srfd_session_state *st;
	struct srfd_suspect s;

	if (bpf_map_peek_elem(&srfd_suspects, &s) ||
	    (__s64)(w->now - s.deadline_ns) < 0)
		return 1;
	if (bpf_map_pop_elem(&srfd_suspects, &s))
		return 1;
	cfg = bpf_map_lookup_elem(&srfd_sess_cfg, &s.id);
	st = bpf_map_lookup_elem(&srfd_sess_state, &s.id);
	if (!cfg || !st || !cfg->active)
		return 0;
	if (st->suspect_ns == s.deadline_ns)
		st->suspect_ns = 0;
	if (st->armed != w->gen)
		session_silence_check(s.id, cfg, st, w->now);
	return 0;
}

/* Emit one probe for session @id if it is due. */
static __always_inline void session_maybe_send(struct __sk_buff *skb, __u32 id,
					       __u8 *buf, __u64 now,
					       const struct srfd_settings *set,
					       struct srfd_global *g)
{
	const struct srfd_session_cfg *cfg;
	struct srfd_session_state *st;
	__u64 due, next, seq;
	__u32 len;

	cfg = bpf_map_lookup_elem(&srfd_sess_cfg, &id);
	if (!cfg || !cfg->active)
		return;
	st = bpf_map_lookup_elem(&srfd_sess_state, &id);
	if (!st || st->state == SRFD_STATE_ADMIN_DOWN)
		return;
	if (!(set->flags & SRFD_SET_F_TICKER_WATCHDOG))
		session_arm_watchdog(cfg, st, set->generation, now, g);
	/* no timer of its own: the ticker judges it, before sending more */
	if (st->armed != set->generation)
		session_silence_check(id, cfg, st, now);

	due = st->next_tx_ns;
	if (!srfd_sched_due(due, now, cfg->interval_ns, &next))
		return;
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
	if (st->armed != set->generation)
		session_maybe_suspect(id, cfg, st, now);
	return;
fail:
	count(SRFD_R_TX_FAIL);
}

/* What one tick visits; the slot ranges live in the per-CPU scratch. */
struct tick_walk {
	/* which buckets (tick_class_one) */
	const struct srfd_sched *sched;
	__u64 tick_pos;		/* schedule position before this tick */
	__u64 adv;		/* ticks it advances */
	__u32 half;		/* live half of the schedule maps */
	__u32 nranges;		/* slot ranges found, in scratch->lo/hi */
	/* visiting them (tick_visit_one) */
	struct __sk_buff *skb;
	const struct srfd_settings *set;
	struct srfd_global *g;
	struct srfd_scratch *scratch;
	__u64 now;
	__u32 base;		/* the live half's first srfd_sched_slot entry */
	__u32 r;		/* current range */
	__u32 pos;		/* next entry of srfd_sched_slot */
};

static int tick_visit_one(__u32 index __attribute__((unused)), void *ctx)
{
	struct tick_walk *w = ctx;
	struct srfd_scratch *sc = w->scratch;
	__u32 r = w->r, key, *id;

	if (r >= TICK_MAX_RANGES)
		return 1;
	if (w->pos >= sc->hi[r]) {	/* ranges are never empty */
		r += 1;
		if (r >= w->nranges || r >= TICK_MAX_RANGES)
			return 1;
		w->r = r;
		w->pos = sc->lo[r];
	}
	key = w->base + w->pos;
	w->pos += 1;
	id = bpf_map_lookup_elem(&srfd_sched_slot, &key);
	if (id)
		session_maybe_send(w->skb, *id, sc->buf, w->now, w->set, w->g);
	return 0;
}

static __always_inline __u32 bucket_start(__u32 half, __u32 idx)
{
	__u32 key = half * SRFD_SCHED_BUCKETS + idx, *v;

	v = bpf_map_lookup_elem(&srfd_sched_bucket, &key);
	return v ? *v : 0;
}

static __always_inline void tick_add_range(struct tick_walk *w, __u32 lo,
					   __u32 hi)
{
	__u32 n = w->nranges;

	if (lo >= hi || n >= TICK_MAX_RANGES)
		return;
	w->scratch->lo[n] = lo;
	w->scratch->hi[n] = hi;
	w->nranges = n + 1;
}

/* buckets [first, first + nb) mod period of class @cl */
static __always_inline void tick_add_buckets(struct tick_walk *w,
					     const struct srfd_sched_class *cl,
					     __u32 first, __u32 nb)
{
	__u32 end = first + nb, half = w->half, lo, hi;

	lo = bucket_start(half, cl->first + first);
	if (end <= cl->period) {
		hi = bucket_start(half, cl->first + end);
		tick_add_range(w, lo, hi);
	} else {	/* wraps around the class's last bucket */
		hi = bucket_start(half, cl->first + cl->period);
		tick_add_range(w, lo, hi);
		lo = bucket_start(half, cl->first);
		hi = bucket_start(half, cl->first + end - cl->period);
		tick_add_range(w, lo, hi);
	}
}

/* The slot ranges of schedule class @c this tick visits. */
static int tick_class_one(__u32 c, void *ctx)
{
	struct tick_walk *w = ctx;
	const struct srfd_sched_class *cl;
	__u32 first, nb;

	if (c >= SRFD_SCHED_MAX_CLASSES)
		return 1;
	cl = &w->sched->classes[c];
	if (!cl->period || cl->period > SRFD_SCHED_MAX_PERIOD ||
	    cl->first > SRFD_SCHED_BUCKETS - SRFD_SCHED_MAX_PERIOD - 1)
		return 0;
	srfd_sched_buckets(w->tick_pos, w->adv, cl->period, &first, &nb);
	tick_add_buckets(w, cl, first, nb);
	return 0;
}

/*
 * Advance the schedule to @now and visit the buckets that came due: the
 * sessions they hold are looked at (and sent to if due), nobody else.
 * Returns the number of sessions visited.
 */
static __always_inline __u32 tick_schedule(struct __sk_buff *skb,
					   struct srfd_global *g,
					   const struct srfd_settings *set,
					   struct srfd_scratch *scratch,
					   __u64 now)
{
	const struct srfd_sched *sched;
	struct tick_walk w = { .scratch = scratch };
	__u64 last, pos, adv;
	__u32 half, c, nc, total = 0;

	half = set->sched_half & 1;
	sched = bpf_map_lookup_elem(&srfd_sched, &half);
	if (!sched)
		return 0;
	last = g->sched_ns;
	adv = last ? srfd_sched_advance(now - last, sched->tick_ns) : 1;
	if (!adv) {
		/*
		 * Less than half a tick since the schedule last moved (the
		 * pacer's second frame after a late one): the schedule stays,
		 * but the bucket just visited is looked at again, so a probe
		 * that the late tick found not quite due goes now instead of a
		 * whole tick later. The due check keeps it to one probe.
		 */
		pos = g->sched_tick - 1;
		adv = 1;
	} else {
		/* two tickers on two CPUs: one of them moves the schedule */
		if (__sync_val_compare_and_swap(&g->sched_ns, last, now) != last)
			return 0;
		pos = g->sched_tick;
		g->sched_tick = pos + adv;
	}

	w.sched = sched;
	w.tick_pos = pos;
	w.adv = adv;
	w.half = half;
	nc = sched->nclasses < SRFD_SCHED_MAX_CLASSES ? sched->nclasses :
	     SRFD_SCHED_MAX_CLASSES;
	bpf_loop(nc, tick_class_one, &w, 0);
	for (c = 0; c < TICK_MAX_RANGES; c++) {
		if (c >= w.nranges)
			break;
		total += scratch->hi[c] - scratch->lo[c];
	}
	if (!total)
		return 0;
	if (total > SRFD_TICK_MAX_VISITS) {
		/* only after a long stall: the rest wait for their next bucket */
		count(SRFD_R_TICK_OVERRUN);
		__sync_fetch_and_add(&g->sched_overruns, total - SRFD_TICK_MAX_VISITS);
		total = SRFD_TICK_MAX_VISITS;
	}
	w.skb = skb;
	w.set = set;
	w.g = g;
	w.now = now;
	w.base = half * set->max_sessions;
	w.pos = scratch->lo[0];
	bpf_loop(total, tick_visit_one, &w, 0);
	return total;
}

static __always_inline int handle_tick(struct __sk_buff *skb)
{
	const struct srfd_settings *set;
	struct srfd_scratch *scratch;
	struct srfd_global *global;
	struct srfd_tick tick;
	__u32 zero = 0, visits;
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
	scratch = bpf_map_lookup_elem(&srfd_scratch, &zero);
	if (!global || !scratch)
		return TC_ACT_SHOT;
	{
		__u64 gap = now - global->last_tick_ns;

		/* racy across CPUs by design: a statistic, not a decision */
		if (global->last_tick_ns && (__s64)gap > (__s64)global->max_tick_gap_ns)
			global->max_tick_gap_ns = gap;
		__sync_fetch_and_add(&global->ticks, 1);
		global->last_tick_ns = now;
	}
	clock_watch_arm(global, set->generation, set->stall_ns, now);
	{
		struct suspect_walk sw = { .now = now, .gen = set->generation };

		bpf_loop(SRFD_TICK_MAX_VISITS, tick_suspect_one, &sw, 0);
	}
	visits = tick_schedule(skb, global, set, scratch, now);
	if (visits) {
		__sync_fetch_and_add(&global->sched_visits, visits);
		if (visits > global->max_tick_visits)
			global->max_tick_visits = visits;
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
	/*
	 * Only srfd_tick clones frames into this private ingress: no MAC check
	 * here (the receiver verifies it), just that it is a live session's.
	 */
	if (!cfg || !cfg->active)
		goto unknown;

	count(SRFD_R_TX_REDIRECT);
	nh.nh_family = AF_INET6;
	__builtin_memcpy(nh.ipv6_nh, cfg->nexthop, SRFD_SID_LEN);
	return bpf_redirect_neigh(cfg->ifindex, &nh, sizeof(nh), 0);
unknown:
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
	/* a link session's probes come back over its link, nowhere else */
	if ((cfg->flags & SRFD_SESS_F_CHECK_INGRESS) &&
	    skb->ingress_ifindex != cfg->ifindex) {
		reason = SRFD_R_WRONG_INGRESS;
		goto out;
	}
	if (info.mac != srfd_probe_mac(cfg->key, id, info.seq, info.tx_ns)) {
		__sync_fetch_and_add(&st->bad_mac, 1);
		reason = SRFD_R_BAD_MAC;
		goto out;
	}
	if (!srfd_probe_path_ok(buf, len, cfg, info.nsegs)) {
		reason = SRFD_R_WRONG_PATH;
		goto out;
	}
	/*
	 * Only a newer probe proves the path is alive now; a replay of an
	 * authentic one touches nothing (not even the receive counters).
	 */
	prev = st->rx_seq;
	if (info.seq <= prev || info.seq > st->tx_seq) {
		reason = SRFD_R_REPLAY;
		goto out;
	}
	now = bpf_ktime_get_ns();
	__sync_fetch_and_add(&st->probes_rx, 1);
	if (info.tx_ns <= now)
		st->last_rtt_ns = now - info.tx_ns;
	st->rx_seq = info.seq;
	st->last_rx_ns = now;
	if (info.seq == prev + 1)
		st->good_streak += 1;
	else
		st->good_streak = 1;

	if (st->state != SRFD_STATE_UP && st->state != SRFD_STATE_ADMIN_DOWN &&
	    st->good_streak >= cfg->up_after)
		session_transition(id, st, st->state, SRFD_STATE_UP, now,
				   SRFD_DOWN_NONE);
	/*
	 * A session without a timer of its own (watchdog = "ticker", or past
	 * the kernel's timer supply): its returns do the timer's other job,
	 * reverting its prefixes once their hold-down allows. (Here, not in
	 * the ticker: inside srfd_tick's loops this walk costs the verifier
	 * seconds at every load.)
	 */
	if (st->state == SRFD_STATE_UP && st->reroute_pending) {
		const struct srfd_settings *set = settings_get();

		if (set && st->armed != set->generation)
			st->reroute_pending = guards_walk(id, now, 0) ? 1 : 0;
	}
out:
	count(reason);
	return reason;
}

#endif
