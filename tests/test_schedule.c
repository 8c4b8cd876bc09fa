// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests of the probe schedule: the layout srfdd computes (src/schedule.c)
 * and the tick arithmetic srfd_tick runs (bpf/lib/buckets.h, the same code),
 * replayed here over many thousands of ticks with jitter and stalls. The
 * replay walks buckets exactly as srfd_tick does and applies the same due
 * check, so what it proves about send times holds for the kernel side.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "buckets.h"
#include "config.h"
#include "schedule.h"

static struct srfd_config conf;
static struct srfd_sched_plan plan, prev;
static __u16 slots[SRFD_MAX_SESSIONS];
static char err[256];

/* @n sessions of @interval_us appended to conf (slot = index) */
static void add(unsigned int n, __u32 interval_us)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct srfd_session_conf *sc = &conf.sessions[conf.nsessions];

		snprintf(sc->name, sizeof(sc->name), "s%u", conf.nsessions);
		sc->interval_us = interval_us;
		sc->multiplier = 3;
		slots[conf.nsessions] = conf.nsessions;
		conf.nsessions++;
	}
}

static void reset(void)
{
	memset(&conf, 0, sizeof(conf));
	conf.tick_auto = 1;
	conf.max_sessions = SRFD_MAX_SESSIONS;
}

static void build(void)
{
	ck_assert_int_eq(srfd_config_schedule(&conf, err, sizeof(err)), 0);
	ck_assert_msg(srfd_sched_build(&conf, slots, NULL, &plan, err,
				       sizeof(err)) == 0, "%s", err);
}

/* Every class's buckets hold the same number of sessions, give or take one. */
static void assert_balanced(void)
{
	unsigned int c, b;

	for (c = 0; c < plan.hdr.nclasses; c++) {
		const struct srfd_sched_class *cl = &plan.hdr.classes[c];
		__u32 lo = ~0u, hi = 0;

		for (b = 0; b < cl->period; b++) {
			__u32 n = plan.bucket[cl->first + b + 1] - plan.bucket[cl->first + b];

			lo = n < lo ? n : lo;
			hi = n > hi ? n : hi;
		}
		ck_assert_uint_le(hi - lo, 1);
	}
}

START_TEST(test_auto_tick)
{
	reset();
	add(1, 10000);
	build();
	ck_assert_uint_eq(conf.tick_us, 10000);	/* one session: as before */

	reset();
	add(2000, 10000);
	build();
	/* 2000 x 10 ms: 250 us ticks carry 50 probes; 500 us would carry 100 */
	ck_assert_uint_eq(conf.tick_us, 250);
	ck_assert_uint_le(plan.peak, SRFD_TICK_TARGET);

	reset();
	add(10, 1000);
	add(10, 10000);
	add(10, 3000);
	build();
	ck_assert_uint_eq(conf.tick_us, 1000);	/* the common divisor */
	ck_assert_uint_eq(plan.hdr.nclasses, 3);

	reset();
	add(1, 1000);
	add(1, 1001);	/* no common tick >= 50 us: the shortest's divisors */
	build();
	ck_assert_uint_eq(conf.tick_us, 1000);
	ck_assert_uint_eq(plan.period_of[1], 1);	/* looked at every tick */
}
END_TEST

/* Every session sits in exactly one bucket; buckets are balanced. */
START_TEST(test_layout_balanced)
{
	unsigned int i, seen[SRFD_MAX_SESSIONS] = { 0 };

	reset();
	add(4096, 10000);
	build();
	ck_assert_uint_eq(plan.hdr.nslots, 4096);
	for (i = 0; i < plan.hdr.nslots; i++)
		seen[plan.slot[i]]++;
	for (i = 0; i < 4096; i++)
		ck_assert_uint_eq(seen[i], 1);
	assert_balanced();	/* phases spread evenly */
	fprintf(stderr, "# 4096 x 10 ms: tick %u us, %u classes, %.1f probes per tick, "
		"peak %u\n", conf.tick_us, plan.hdr.nclasses, plan.per_tick, plan.peak);
}
END_TEST

struct replay {
	__u64 next_tx[SRFD_MAX_SESSIONS];
	__u64 last_tx[SRFD_MAX_SESSIONS];
	__u64 sends[SRFD_MAX_SESSIONS];
	__u64 min_gap[SRFD_MAX_SESSIONS], max_gap[SRFD_MAX_SESSIONS];
	__u64 visits, max_visits, max_sends, pos, last;
	__u64 recovered;	/* first tick after the last stall */
};

/* One tick at @now, as srfd_tick: advance, walk the buckets, due check. */
static void tick(struct replay *r, __u64 now)
{
	__u64 adv = r->last ? srfd_sched_advance(now - r->last, plan.hdr.tick_ns) : 1;
	unsigned int c, visits = 0, sends = 0;
	__u64 pos = r->pos;

	if (!adv) {		/* srfd_tick: the last bucket once more */
		pos = r->pos - 1;
		adv = 1;
	} else {
		r->last = now;
		r->pos += adv;
	}
	for (c = 0; c < plan.hdr.nclasses; c++) {
		const struct srfd_sched_class *cl = &plan.hdr.classes[c];
		__u32 first, nb, k;

		srfd_sched_buckets(pos, adv, cl->period, &first, &nb);
		for (k = 0; k < nb; k++) {
			__u32 b = (first + k) % cl->period, i;

			for (i = plan.bucket[cl->first + b];
			     i < plan.bucket[cl->first + b + 1]; i++) {
				__u32 s = plan.slot[i];
				__u64 iv = (__u64)conf.sessions[s].interval_us * 1000, next, gap;

				visits++;
				if (!srfd_sched_due(r->next_tx[s], now, iv, &next))
					continue;
				r->next_tx[s] = next;
				if (r->last_tx[s]) {
					gap = now - r->last_tx[s];
					/* a late probe caught up after a stall keeps
					 * the schedule: the next comes on time */
					if (r->last_tx[s] >= r->recovered + iv &&
					    (!r->min_gap[s] || gap < r->min_gap[s]))
						r->min_gap[s] = gap;
					if (gap > r->max_gap[s])
						r->max_gap[s] = gap;
				}
				r->last_tx[s] = now;
				r->sends[s]++;
				sends++;
			}
		}
	}
	r->visits += visits;
	if (visits > r->max_visits)
		r->max_visits = visits;
	if (sends > r->max_sends)
		r->max_sends = sends;
}

/* A session is sent exactly on its interval, tick after tick. */
START_TEST(test_exact_interval)
{
	static struct replay r;
	__u64 t, tick_ns, end;
	unsigned int s;

	reset();
	add(1000, 10000);
	add(300, 1000);
	add(50, 3000);
	build();
	tick_ns = plan.hdr.tick_ns;
	memset(&r, 0, sizeof(r));
	end = 2000000000ull;	/* 2 s */
	for (t = 1000000000ull; t < 1000000000ull + end; t += tick_ns)
		tick(&r, t);
	for (s = 0; s < conf.nsessions; s++) {
		__u64 iv = (__u64)conf.sessions[s].interval_us * 1000;

		ck_assert_uint_eq(r.min_gap[s], iv);
		ck_assert_uint_eq(r.max_gap[s], iv);
		ck_assert_uint_ge(r.sends[s], end / iv - 1);
	}
	/* cost: only the due sessions are looked at */
	ck_assert_uint_le(r.max_visits, plan.peak);
	ck_assert_uint_le(r.visits, (__u64)(end / tick_ns + 1) * (__u64)(plan.per_tick + 1));
	fprintf(stderr, "# 1350 sessions (10/1/3 ms), tick %u us: %llu visits in %llu "
		"ticks, at most %llu per tick, %llu sends per tick at most\n",
		conf.tick_us, (unsigned long long)r.visits,
		(unsigned long long)(end / tick_ns), (unsigned long long)r.max_visits,
		(unsigned long long)r.max_sends);
}
END_TEST

/*
 * The ticker jitters by up to 40% of a tick and sometimes stalls for 30
 * ticks: outside stalls no probe comes less than half an interval after
 * the one before, none is skipped, and a stall is caught up at once.
 */
START_TEST(test_jitter_and_stalls)
{
	static struct replay r;
	unsigned int s, seed = 7, n;
	__u64 t, tick_ns, nominal;

	reset();
	add(500, 10000);
	add(100, 1000);
	build();
	tick_ns = plan.hdr.tick_ns;
	memset(&r, 0, sizeof(r));
	nominal = 1000000000ull;
	for (n = 0; n < 40000; n++) {
		seed = seed * 1103515245 + 12345;
		nominal += tick_ns;
		t = nominal + (seed >> 8) % (tick_ns * 4 / 10) - tick_ns / 5;
		if (n % 5000 == 4999) {
			nominal += 30 * tick_ns;	/* a stall of 30 ticks */
			t += 30 * tick_ns;
			r.recovered = t;
		}
		tick(&r, t);
	}
	for (s = 0; s < conf.nsessions; s++) {
		__u64 iv = (__u64)conf.sessions[s].interval_us * 1000;

		ck_assert_uint_ge(r.min_gap[s], iv / 2);
		/* the worst gap is the stall plus one interval */
		ck_assert_uint_le(r.max_gap[s], iv + 31 * tick_ns + tick_ns);
	}
}
END_TEST

/*
 * The pacer sends a late frame and the next one on time, less than half a
 * tick apart: the second must still send what became due (found in the
 * netns test: without it a 1 ms x 3 probe slipped a whole tick, the
 * watchdog found too few probes unanswered and detection took 5.2 ms).
 */
START_TEST(test_close_ticks_do_not_skip)
{
	static struct replay r;
	const double at[] = { 0, 1.6, 2.0, 3.0, 4.0 };
	__u64 tick_ns;
	unsigned int i;

	reset();
	add(1, 1000);
	build();
	tick_ns = plan.hdr.tick_ns;
	memset(&r, 0, sizeof(r));
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		tick(&r, 1000000000ull + (__u64)(at[i] * tick_ns));
	ck_assert_uint_eq(r.sends[0], 5);
	ck_assert_uint_le(r.max_gap[0], tick_ns * 16 / 10);
}
END_TEST

/* Adding and removing sessions keeps everybody else's bucket. */
START_TEST(test_rebuild_keeps_phases)
{
	static struct srfd_config before;
	unsigned int s, moved = 0;

	reset();
	add(600, 10000);
	build();
	before = conf;
	prev = plan;
	/* drop every third session, add 200: slots of the kept ones stay */
	conf.nsessions = 0;
	for (s = 0; s < 600; s++)
		if (s % 3) {
			conf.sessions[conf.nsessions] = before.sessions[s];
			slots[conf.nsessions++] = s;
		}
	for (s = 0; s < 200; s++) {
		conf.sessions[conf.nsessions] = before.sessions[0];
		slots[conf.nsessions++] = 600 + s;
	}
	ck_assert_int_eq(srfd_config_schedule(&conf, err, sizeof(err)), 0);
	ck_assert_uint_eq(conf.tick_us, before.tick_us);
	ck_assert_int_eq(srfd_sched_build(&conf, slots, &prev, &plan, err,
					  sizeof(err)), 0);
	for (s = 0; s < 600; s++)
		if (s % 3 && plan.phase_of[s] != prev.phase_of[s])
			moved++;
	ck_assert_uint_eq(moved, 0);
	for (s = 0; s < 600; s += 3)
		ck_assert_uint_eq(plan.period_of[s], 0);	/* released */
	ck_assert_uint_eq(plan.hdr.nslots, 600);
	/* the new ones filled the emptied buckets: still balanced */
	assert_balanced();
}
END_TEST

START_TEST(test_refused_layouts)
{
	unsigned int i;

	/* 17 distinct periods on one tick */
	reset();
	for (i = 0; i < 17; i++)
		add(1, 1000 * (i + 1));
	conf.tick_auto = 0;
	conf.tick_us = 1000;
	ck_assert_int_eq(srfd_sched_build(&conf, slots, NULL, &plan, err,
					  sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "schedule classes"));

	/* 4096 sessions every 100 us on a 100 us tick: 4096 per tick */
	reset();
	add(4096, 100);
	ck_assert_int_eq(srfd_config_schedule(&conf, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "due in one tick"));

	/* and through the config parser, with the file's line */
	ck_assert_int_eq(srfd_config_load_string(
		"local_sid = \"fc00:a::bf\"; source = \"fc00:a::1\"; max_sessions = 1;\n"
		"sessions = ( { name = \"a\"; interface = \"e\"; neighbor = \"fe80::2\";"
		" segments = [ \"fc00:b::1\" ]; }, { name = \"b\"; interface = \"e\";"
		" neighbor = \"fe80::2\"; segments = [ \"fc00:b::2\" ]; } );\n",
		"t", &conf, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "t:1: 2 sessions configured but max_sessions is 1"));
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("schedule");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_auto_tick);
	tcase_add_test(tc, test_layout_balanced);
	tcase_add_test(tc, test_exact_interval);
	tcase_add_test(tc, test_jitter_and_stalls);
	tcase_add_test(tc, test_close_ticks_do_not_skip);
	tcase_add_test(tc, test_rebuild_keeps_phases);
	tcase_add_test(tc, test_refused_layouts);
	return srfd_check_run_tap("schedule", tc);
}
