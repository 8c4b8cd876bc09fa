// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests of the configuration diff (src/plan.c): which map slots keep,
 * rewrite, restart, add and release sessions and prefixes when srfdd starts
 * on pinned state or reloads. The "kernel" here is the map contents that
 * applying the previous configuration would have written.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "config.h"
#include "plan.h"
#include "session.h"

#define HDR "local_sid = \"fc00:a::bf\"; source = \"fc00:a::1\";\n"
#define S(name, dev, seg, iv) \
	"{ name = \"" name "\"; interface = \"" dev "\"; neighbor = \"fe80::2\";" \
	" segments = [ \"" seg "\" ]; interval_us = " #iv "; }"
#define P(pfx, guard, hold) \
	"{ prefix = \"" pfx "\"; primary = [ \"fc00:b::e\" ];" \
	" backup = [ \"fc00:c::e\" ]; guards = [ " guard " ]; hold_down_ms = " #hold "; }"

static const char base_text[] = HDR
	"sessions = ( " S("a", "eth0", "fc00:b::e1", 1000) ", "
	S("b", "eth1", "fc00:c::e1", 1000) ", " S("c", "eth2", "fc00:d::e1", 1000) " );\n"
	"prefixes = ( " P("2001:db8:1::/48", "\"a\"", 100) ", "
	P("2001:db8:2::/48", "\"b\", \"c\"", 100) " );\n";

static struct srfd_config conf;
static struct srfd_session_cfg *sess;
static struct srfd_prefix_cfg *pfx;
static struct srfd_plan plan;
static char err[2048];

static void load(const char *text)
{
	ck_assert_msg(srfd_config_load_string(text, "t", &conf, err, sizeof(err)) == 0,
		      "%s", err);
}

/* What srfdd writes for a plan: the "kernel" the next plan starts from. */
static void write_kernel(__u64 token_base)
{
	unsigned int i;

	for (i = 0; i < SRFD_MAX_SESSIONS; i++)
		if (plan.sess_release[i])
			memset(&sess[i], 0, sizeof(sess[i]));
	for (i = 0; i < SRFD_MAX_PREFIXES; i++)
		if (plan.pfx_release[i])
			memset(&pfx[i], 0, sizeof(pfx[i]));
	for (i = 0; i < conf.nsessions; i++) {
		unsigned int s = plan.sess_slot[i];
		__u64 key[2] = { plan.sess_action[i] >= SRFD_PLAN_RESET ?
				 token_base + i : sess[s].key[0], 0 };

		ck_assert_int_eq(srfd_session_cfg_build(&conf, i, s, 7, key, &sess[s]), 0);
	}
	for (i = 0; i < conf.nprefixes; i++)
		ck_assert_int_eq(srfd_prefix_cfg_build(&conf, i, plan.sess_slot,
						       &pfx[plan.pfx_slot[i]]), 0);
}

static void apply(const char *text, __u64 token_base)
{
	load(text);
	srfd_plan_build(&conf, sess, pfx, &plan);
	write_kernel(token_base);
}

static void setup(void)
{
	sess = calloc(SRFD_MAX_SESSIONS, sizeof(*sess));
	pfx = calloc(SRFD_MAX_PREFIXES, sizeof(*pfx));
	ck_assert_ptr_nonnull(sess);
	ck_assert_ptr_nonnull(pfx);
	apply(base_text, 100);
}

static void teardown(void)
{
	free(sess);
	free(pfx);
}

START_TEST(test_fresh_start)
{
	/* setup() planned against empty maps */
	ck_assert_uint_eq(plan.sessions.add, 3);
	ck_assert_uint_eq(plan.prefixes.add, 2);
	ck_assert_uint_eq(plan.nr_slots, 3);
	ck_assert_uint_eq(plan.sess_slot[0], 0);
	ck_assert_uint_eq(plan.sess_slot[2], 2);
	ck_assert_str_eq(sess[1].name, "b");
	ck_assert_uint_eq(pfx[1].guards[1], 2);
}
END_TEST

START_TEST(test_same_config_touches_nothing)
{
	apply(base_text, 200);
	ck_assert_uint_eq(plan.sessions.keep, 3);
	ck_assert_uint_eq(plan.prefixes.keep, 2);
	ck_assert_uint_eq(plan.sessions.add + plan.sessions.update +
			  plan.sessions.reset + plan.sessions.remove, 0);
	ck_assert_uint_eq(plan.prefixes.add + plan.prefixes.update +
			  plan.prefixes.remove, 0);
	ck_assert_uint_eq(sess[0].key[0], 100);	/* secrets survive */
}
END_TEST

/* Reordering the file moves nothing: slots follow names and prefixes. */
START_TEST(test_reorder_keeps_slots)
{
	apply(HDR "sessions = ( " S("c", "eth2", "fc00:d::e1", 1000) ", "
	      S("a", "eth0", "fc00:b::e1", 1000) ", " S("b", "eth1", "fc00:c::e1", 1000) " );\n"
	      "prefixes = ( " P("2001:db8:2::/48", "\"b\", \"c\"", 100) ", "
	      P("2001:db8:1::/48", "\"a\"", 100) " );\n", 200);
	ck_assert_uint_eq(plan.sessions.keep, 3);
	ck_assert_uint_eq(plan.prefixes.keep, 2);
	ck_assert_uint_eq(plan.sess_slot[0], 2);	/* c */
	ck_assert_uint_eq(plan.sess_slot[1], 0);	/* a */
	ck_assert_uint_eq(plan.pfx_slot[0], 1);
}
END_TEST

START_TEST(test_timers_update_path_resets)
{
	apply(HDR "sessions = ( " S("a", "eth0", "fc00:b::e1", 2000) ", "
	      S("b", "eth1", "fc00:c::e2", 1000) ", " S("c", "eth9", "fc00:d::e1", 1000) " );\n"
	      "prefixes = ( " P("2001:db8:1::/48", "\"a\"", 100) ", "
	      P("2001:db8:2::/48", "\"b\", \"c\"", 100) " );\n", 200);
	ck_assert_uint_eq(plan.sess_action[0], SRFD_PLAN_UPDATE);
	ck_assert_uint_eq(plan.sess_action[1], SRFD_PLAN_RESET);	/* segment */
	ck_assert_uint_eq(plan.sess_action[2], SRFD_PLAN_RESET);	/* interface */
	ck_assert_uint_eq(plan.sessions.update, 1);
	ck_assert_uint_eq(plan.sessions.reset, 2);
	ck_assert_uint_eq(sess[0].key[0], 100);	/* an update keeps the secret */
	ck_assert_uint_eq(sess[0].interval_ns, 2000000);
	ck_assert_uint_eq(sess[1].key[0], 201);	/* a restart gets a new one */
	ck_assert_uint_eq(plan.prefixes.keep, 2);
}
END_TEST

START_TEST(test_add_remove_reuses_slot)
{
	apply(HDR "sessions = ( " S("a", "eth0", "fc00:b::e1", 1000) ", "
	      S("c", "eth2", "fc00:d::e1", 1000) ", " S("d", "eth3", "fc00:e::e1", 1000) " );\n"
	      "prefixes = ( " P("2001:db8:1::/48", "\"a\"", 100) ", "
	      P("2001:db8:2::/48", "\"c\"", 100) " );\n", 200);
	ck_assert_uint_eq(plan.sessions.keep, 2);
	ck_assert_uint_eq(plan.sessions.add, 1);
	ck_assert_uint_eq(plan.sessions.remove, 1);
	ck_assert(plan.sess_release[1]);		/* b's slot ... */
	ck_assert_uint_eq(plan.sess_slot[2], 1);	/* ... goes to d */
	ck_assert_uint_eq(plan.sess_action[2], SRFD_PLAN_NEW);
	ck_assert_uint_eq(plan.sess_slot[1], 2);	/* c stays in its slot */
	ck_assert_uint_eq(plan.nr_slots, 3);
	/* the prefix lost guard b: rewritten, not moved */
	ck_assert_uint_eq(plan.pfx_action[1], SRFD_PLAN_UPDATE);
	ck_assert_uint_eq(plan.pfx_slot[1], 1);
	ck_assert_uint_eq(pfx[1].nguards, 1);
	ck_assert_uint_eq(pfx[1].guards[0], 2);
}
END_TEST

START_TEST(test_prefix_changes)
{
	apply(HDR "sessions = ( " S("a", "eth0", "fc00:b::e1", 1000) ", "
	      S("b", "eth1", "fc00:c::e1", 1000) ", " S("c", "eth2", "fc00:d::e1", 1000) " );\n"
	      "prefixes = ( " P("2001:db8:1::/48", "\"a\"", 250) ", "
	      P("2001:db8:3::/48", "\"b\"", 100) " );\n", 200);
	ck_assert_uint_eq(plan.pfx_action[0], SRFD_PLAN_UPDATE);	/* hold-down */
	ck_assert_uint_eq(plan.pfx_action[1], SRFD_PLAN_NEW);
	ck_assert_uint_eq(plan.prefixes.remove, 1);
	ck_assert(plan.pfx_release[1]);
	ck_assert_uint_eq(plan.pfx_slot[1], 1);	/* the freed slot */
	ck_assert_uint_eq(pfx[0].hold_ns, 250000000ULL);
	ck_assert_uint_eq(plan.sessions.keep, 3);
}
END_TEST

/* A renamed session is a removal and an addition, never a silent takeover. */
START_TEST(test_rename)
{
	apply(HDR "sessions = ( " S("a2", "eth0", "fc00:b::e1", 1000) ", "
	      S("b", "eth1", "fc00:c::e1", 1000) ", " S("c", "eth2", "fc00:d::e1", 1000) " );\n"
	      "prefixes = ( " P("2001:db8:1::/48", "\"a2\"", 100) ", "
	      P("2001:db8:2::/48", "\"b\", \"c\"", 100) " );\n", 200);
	ck_assert_uint_eq(plan.sess_action[0], SRFD_PLAN_NEW);
	ck_assert_uint_eq(plan.sessions.remove, 1);
	ck_assert_uint_eq(sess[plan.sess_slot[0]].key[0], 200);
	ck_assert_str_eq(sess[plan.sess_slot[0]].name, "a2");
}
END_TEST

START_TEST(test_everything_removed)
{
	apply(HDR "reflectors = ( { sid = \"fc00:a::b1\"; neighbor = \"fe80::1\"; } );\n", 200);
	/* a pure reflector config parses without sessions */
	ck_assert_uint_eq(conf.nsessions, 0);
	ck_assert_uint_eq(plan.sessions.remove, 3);
	ck_assert_uint_eq(plan.prefixes.remove, 2);
	ck_assert_uint_eq(plan.nr_slots, 0);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("plan");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_fresh_start);
	tcase_add_test(tc, test_same_config_touches_nothing);
	tcase_add_test(tc, test_reorder_keeps_slots);
	tcase_add_test(tc, test_timers_update_path_resets);
	tcase_add_test(tc, test_add_remove_reuses_slot);
	tcase_add_test(tc, test_prefix_changes);
	tcase_add_test(tc, test_rename);
	tcase_add_test(tc, test_everything_removed);
	return srfd_check_run_tap("plan", tc);
}
