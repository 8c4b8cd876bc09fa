// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests of fast reroute: protected-prefix configuration, the
 * hold-down/dampening rule and the H.Encaps header builder (the inline
 * helpers the BPF programs run), table-driven.
 */
#include <arpa/inet.h>	/* before linux/in6.h, see glibc's __UAPI_DEF_* */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "config.h"
#include "encap.h"
#include "session.h"

#define MS 1000000ULL

static const struct {
	__u64 cur, last, now, base, cap, quiet, want;
} hold_cases[] = {
	/* first switch ever: base */
	{ 0, 0, 100 * MS, 1000 * MS, 16000 * MS, 30000 * MS, 1000 * MS },
	/* flap within the quiet period: doubles */
	{ 1000 * MS, 100 * MS, 2000 * MS, 1000 * MS, 16000 * MS, 30000 * MS, 2000 * MS },
	{ 8000 * MS, 100 * MS, 9000 * MS, 1000 * MS, 16000 * MS, 30000 * MS, 16000 * MS },
	/* never above the cap */
	{ 16000 * MS, 100 * MS, 9000 * MS, 1000 * MS, 16000 * MS, 30000 * MS, 16000 * MS },
	{ 12000 * MS, 100 * MS, 9000 * MS, 1000 * MS, 16000 * MS, 30000 * MS, 16000 * MS },
	/* quiet period passed: back to base */
	{ 16000 * MS, 100 * MS, 30100 * MS, 1000 * MS, 16000 * MS, 30000 * MS, 1000 * MS },
	/* base above the cap is clamped */
	{ 0, 0, 5 * MS, 5000 * MS, 2000 * MS, 30000 * MS, 2000 * MS },
	/* doubling overflow is clamped */
	{ ~0ULL / 2 + 1, 1, 2, 1, ~0ULL, ~0ULL, ~0ULL },
};

START_TEST(test_hold_after_switch)
{
	ck_assert_uint_eq(srfd_hold_after_switch(hold_cases[_i].cur, hold_cases[_i].last,
						 hold_cases[_i].now, hold_cases[_i].base,
						 hold_cases[_i].cap, hold_cases[_i].quiet),
			  hold_cases[_i].want);
}
END_TEST

static const struct {
	__u64 up_since, hold, now;
	int want;
} revert_cases[] = {
	{ 1000, 500, 1499, 0 }, { 1000, 500, 1500, 1 }, { 1000, 500, 9000, 1 },
	{ 1000, 0, 1000, 1 }, { 2000, 500, 1000, 0 },	/* clock before up_since */
};

START_TEST(test_may_revert)
{
	ck_assert_int_eq(srfd_may_revert(revert_cases[_i].up_since, revert_cases[_i].hold,
					 revert_cases[_i].now), revert_cases[_i].want);
}
END_TEST

START_TEST(test_encap_build)
{
	__u8 segs[SRFD_MAX_ENCAP_SEGS][SRFD_SID_LEN], src[16], buf[256];
	unsigned int n = _i, i;
	__u32 len;

	inet_pton(AF_INET6, "fc00:a::1", src);
	for (i = 0; i < SRFD_MAX_ENCAP_SEGS; i++) {
		char s[32];

		snprintf(s, sizeof(s), "fc00:%x::e", i + 1);
		inet_pton(AF_INET6, s, segs[i]);
	}
	len = srfd_encap_build(buf, src, (const __u8 (*)[SRFD_SID_LEN])segs, n,
			       1000, 0xb8, 0x12345);
	ck_assert_uint_eq(len, 40 + 8 + 16 * n);
	ck_assert_uint_eq(buf[0], 0x6b);		/* version 6, tclass 0xb8 */
	ck_assert_uint_eq(buf[1], 0x81);
	ck_assert_uint_eq(buf[2], 0x23);
	ck_assert_uint_eq(buf[3], 0x45);
	ck_assert_uint_eq((buf[4] << 8) | buf[5], 8 + 16 * n + 1000);
	ck_assert_uint_eq(buf[6], 43);
	ck_assert_uint_eq(buf[7], 64);
	ck_assert_mem_eq(buf + 8, src, 16);
	ck_assert_mem_eq(buf + 24, segs[0], 16);
	ck_assert_uint_eq(buf[40], 41);
	ck_assert_uint_eq(buf[41], 2 * n);
	ck_assert_uint_eq(buf[42], 4);
	ck_assert_uint_eq(buf[43], n - 1);
	ck_assert_uint_eq(buf[44], n - 1);
	for (i = 0; i < n; i++)
		ck_assert_mem_eq(buf + 48 + 16 * i, segs[n - 1 - i], 16);
}
END_TEST

START_TEST(test_encap_build_rejects)
{
	__u8 segs[SRFD_MAX_ENCAP_SEGS][SRFD_SID_LEN] = { { 0 } }, src[16] = { 0 }, buf[256];

	ck_assert_uint_eq(srfd_encap_build(buf, src, (const __u8 (*)[SRFD_SID_LEN])segs,
					   0, 100, 0, 0), 0);
	ck_assert_uint_eq(srfd_encap_build(buf, src, (const __u8 (*)[SRFD_SID_LEN])segs,
					   SRFD_MAX_ENCAP_SEGS + 1, 100, 0, 0), 0);
}
END_TEST

#define HEAD "local_sid = \"fc00:a::bf\"; source = \"fc00:a::1\";\n" \
	"sessions = ( { name = \"a-b\"; interface = \"a-b\"; neighbor = \"fc00:ab::2\";\n" \
	"  segments = [\"fc00:b::e1\"]; },\n" \
	"  { name = \"a-c\"; interface = \"a-c\"; neighbor = \"fc00:ac::2\";\n" \
	"  segments = [\"fc00:c::e1\"]; } );\n"
#define PFX(body) "prefixes = ( {" body "} );\n"
#define OKP "prefix = \"fc00:2::/64\"; primary = [\"fc00:b::e\", \"fc00:d::d6\"]; " \
	"backup = [\"fc00:c::e\", \"fc00:d::d6\"]; guards = [\"a-b\"];"

static struct srfd_config conf;

START_TEST(test_prefix_config_valid)
{
	char err[256];
	const char *text = HEAD "encap_mtu = 9000;\n"
		"prefixes = ( {" OKP " hold_down_ms = 200; },\n"
		"  { prefix = \"fc00:3::/48\"; primary = [\"fc00:b::e\"]; backup = [\"fc00:c::e\"];\n"
		"    guards = [\"a-b\", \"a-c\"]; } );\n";
	struct srfd_session_guards g;
	struct srfd_prefix_cfg cfg;
	__u8 a[16];

	ck_assert_msg(srfd_config_load_string(text, "t", &conf, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(conf.nprefixes, 2);
	ck_assert_uint_eq(conf.encap_mtu, 9000);
	ck_assert_mem_eq(conf.encap_src, conf.source, 16);
	ck_assert_uint_eq(conf.prefixes[0].plen, 64);
	ck_assert_uint_eq(conf.prefixes[0].nsegs[SRFD_LIST_PRIMARY], 2);
	ck_assert_uint_eq(conf.prefixes[0].hold_ms, 200);
	ck_assert_uint_eq(conf.prefixes[0].hold_max_ms, SRFD_DEFAULT_HOLD_MAX_MS);
	ck_assert_uint_eq(conf.prefixes[1].hold_ms, SRFD_DEFAULT_HOLD_MS);
	ck_assert_uint_eq(conf.prefixes[1].quiet_ms, SRFD_DEFAULT_QUIET_MS);
	ck_assert_uint_eq(conf.prefixes[1].nguards, 2);
	ck_assert_uint_eq(conf.prefixes[1].guards[1], 1);

	ck_assert_int_eq(srfd_prefix_cfg_build(&conf, 0, NULL, &cfg), 0);
	ck_assert_uint_eq(cfg.valid, 1);
	ck_assert_uint_eq(cfg.hold_ns, 200 * MS);
	inet_pton(AF_INET6, "fc00:c::e", a);
	ck_assert_mem_eq(cfg.segs[SRFD_LIST_BACKUP][0], a, 16);
	ck_assert_int_lt(srfd_prefix_cfg_build(&conf, 2, NULL, &cfg), 0);

	ck_assert_uint_eq(srfd_session_guards_build(&conf, 0, NULL, &g), 2);
	ck_assert_uint_eq(g.prefixes[0], 0);
	ck_assert_uint_eq(g.prefixes[1], 1);
	ck_assert_uint_eq(srfd_session_guards_build(&conf, 1, NULL, &g), 1);
	ck_assert_uint_eq(g.prefixes[0], 1);
}
END_TEST

static const struct {
	const char *text;
	const char *msg;
} bad_prefixes[] = {
	{ HEAD PFX(OKP " prefix2 = 1;"), "t:6: unknown key 'prefix2' in prefix" },
	{ HEAD PFX("primary = [\"fc00::1\"]; backup = [\"fc00::2\"]; guards = [\"a-b\"];"),
	  "t:6: missing required key 'prefix'" },
	{ HEAD PFX("prefix = \"fc00:2::\"; primary = [\"fc00::1\"]; backup = [\"fc00::2\"]; guards = [\"a-b\"];"),
	  "t:6: prefix 'fc00:2::' has no /length" },
	{ HEAD PFX("prefix = \"fc00:2::/129\"; primary = [\"fc00::1\"]; backup = [\"fc00::2\"]; guards = [\"a-b\"];"),
	  "t:6: prefix 'fc00:2::/129': length must be 1..128" },
	{ HEAD PFX("prefix = \"10.0.0.0/8\"; primary = [\"fc00::1\"]; backup = [\"fc00::2\"]; guards = [\"a-b\"];"),
	  "t:6: prefix '10.0.0.0/8' is not an IPv6 prefix" },
	{ HEAD PFX("prefix = \"fc00:2::1/64\"; primary = [\"fc00::1\"]; backup = [\"fc00::2\"]; guards = [\"a-b\"];"),
	  "t:6: prefix 'fc00:2::1/64' has bits set after /64" },
	{ HEAD PFX("prefix = \"fc00:2::/64\"; primary = [\"fc00::1\",\"fc00::2\",\"fc00::3\",\"fc00::4\","
		   "\"fc00::5\",\"fc00::6\",\"fc00::7\",\"fc00::8\",\"fc00::9\"]; backup = [\"fc00::2\"]; guards = [\"a-b\"];"),
	  "t:6: 'primary' needs 1..8 SIDs, got 9" },
	{ HEAD PFX("prefix = \"fc00:2::/64\"; primary = [\"fc00::1\"]; backup = []; guards = [\"a-b\"];"),
	  "t:6: 'backup' needs 1..8 SIDs, got 0" },
	{ HEAD PFX("prefix = \"fc00:2::/64\"; primary = [\"fc00::1\"]; backup = [\"fc00::zz\"]; guards = [\"a-b\"];"),
	  "t:6: SID 'fc00::zz' is not an IPv6 address" },
	{ HEAD PFX("prefix = \"fc00:2::/64\"; primary = [\"fc00::1\"]; guards = [\"a-b\"];"),
	  "t:6: missing required key 'backup'" },
	{ HEAD PFX("prefix = \"fc00:2::/64\"; primary = [\"fc00::1\"]; backup = [\"fc00::2\"]; guards = [\"a-x\"];"),
	  "t:6: guard 'a-x' is not a configured session" },
	{ HEAD PFX("prefix = \"fc00:2::/64\"; primary = [\"fc00::1\"]; backup = [\"fc00::2\"]; guards = [\"a-b\", \"a-b\"];"),
	  "t:6: guard 'a-b' listed twice" },
	{ HEAD PFX("prefix = \"fc00:2::/64\"; primary = [\"fc00::1\"]; backup = [\"fc00::2\"]; guards = [];"),
	  "t:6: 'guards' needs 1..4 sessions, got 0" },
	{ HEAD PFX(OKP " hold_down_ms = 2000; hold_down_max_ms = 1000;"),
	  "t:6: 'hold_down_max_ms' = 1000 is out of range 2000..3600000" },
	{ HEAD "prefixes = ( {" OKP "},\n { prefix = \"fc00:2::1:0/112\"; primary = [\"fc00::1\"];"
	  " backup = [\"fc00::2\"]; guards = [\"a-b\"]; } );\n",
	  "t:7: prefix overlaps fc00:2::/64 (line 6)" },
	{ HEAD PFX("prefix = \"fc00:d::/48\"; primary = [\"fc00:b::e\", \"fc00:d::d6\"];"
		   " backup = [\"fc00:c::e\"]; guards = [\"a-b\"];"),
	  "t:6: SID fc00:d::d6 lies inside protected prefix fc00:d::/48" },
	{ HEAD "encap_mtu = 1300;\n", "t:6: 'encap_mtu' = 1300 is out of range 1456..65535" },
	{ HEAD "encap_source = \"x\";\n", "t:6: encap_source 'x' is not an IPv6 address" },
	{ "reflectors = ( { sid = \"fc00:b::bf\"; neighbor = \"fc00:ab::1\"; } );\n" PFX(OKP),
	  "t: missing required key 'local_sid'" },
};

START_TEST(test_prefix_config_invalid)
{
	char err[256] = "";

	ck_assert_int_lt(srfd_config_load_string(bad_prefixes[_i].text, "t", &conf, err,
						 sizeof(err)), 0);
	ck_assert_msg(strstr(err, bad_prefixes[_i].msg), "expected '%s' in '%s'",
		      bad_prefixes[_i].msg, err);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("reroute");

	tcase_add_loop_test(tc, test_hold_after_switch, 0,
			    sizeof(hold_cases) / sizeof(hold_cases[0]));
	tcase_add_loop_test(tc, test_may_revert, 0,
			    sizeof(revert_cases) / sizeof(revert_cases[0]));
	tcase_add_loop_test(tc, test_encap_build, 1, SRFD_MAX_ENCAP_SEGS + 1);
	tcase_add_test(tc, test_encap_build_rejects);
	tcase_add_test(tc, test_prefix_config_valid);
	tcase_add_loop_test(tc, test_prefix_config_invalid, 0,
			    sizeof(bad_prefixes) / sizeof(bad_prefixes[0]));
	return srfd_check_run_tap("reroute", tc);
}
