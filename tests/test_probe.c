// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests of the probe wire format, using the same inline helpers the BPF
 * programs run (bpf/lib/probe.h), of the ABI struct layout, and of the
 * configuration -> map value translation.
 */
#include <arpa/inet.h>	/* before linux/in6.h, see glibc's __UAPI_DEF_* */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "probe.h"
#include "session.h"

static void sid(__u8 out[16], const char *s)
{
	ck_assert_int_eq(inet_pton(AF_INET6, s, out), 1);
}

static void make_cfg(struct srfd_session_cfg *cfg, unsigned int nsegs)
{
	unsigned int i;
	char buf[64];

	memset(cfg, 0, sizeof(*cfg));
	cfg->active = 1;
	cfg->nsegs = nsegs;
	cfg->session_id = 0x1234;
	cfg->key[0] = 0x0706050403020100ULL;	/* the paper's test key */
	cfg->key[1] = 0x0f0e0d0c0b0a0908ULL;
	sid(cfg->src, "fc00:a::1");
	for (i = 0; i < nsegs; i++) {
		snprintf(buf, sizeof(buf), "fc00:%x::e%x", i + 1, i + 1);
		sid(cfg->probe_segs[i], buf);
	}
}

START_TEST(test_build_bytes)
{
	__u8 buf[SRFD_PROBE_BUF_LEN] = { 0 }, s[16];
	struct srfd_session_cfg cfg;
	const __u8 *ip6, *srh, *pl;
	unsigned int n = 3, i;
	__u64 mac;
	__u32 len;

	make_cfg(&cfg, n);
	len = srfd_probe_build(buf, &cfg, 0x1122334455667788ULL, 42);
	ck_assert_uint_eq(len, 14 + 40 + 8 + 16 * n + 32);

	ck_assert_uint_eq(buf[12], 0x86);	/* ethertype IPv6 */
	ck_assert_uint_eq(buf[13], 0xdd);
	ck_assert_uint_eq(buf[0] & 1, 0);	/* unicast destination */
	ip6 = buf + 14;
	ck_assert_uint_eq(ip6[0], 0x60);
	ck_assert_uint_eq((ip6[4] << 8) | ip6[5], 8 + 16 * n + 32);
	ck_assert_uint_eq(ip6[6], 43);		/* routing header */
	ck_assert_uint_eq(ip6[7], 64);
	sid(s, "fc00:a::1");
	ck_assert_mem_eq(ip6 + 8, s, 16);
	ck_assert_mem_eq(ip6 + 24, cfg.probe_segs[0], 16); /* DA = first segment */

	srh = ip6 + 40;
	ck_assert_uint_eq(srh[0], 59);		/* no next header */
	ck_assert_uint_eq(srh[1], 2 * n);
	ck_assert_uint_eq(srh[2], 4);		/* SRH */
	ck_assert_uint_eq(srh[3], n - 1);	/* segments left */
	ck_assert_uint_eq(srh[4], n - 1);	/* last entry */
	for (i = 0; i < n; i++)			/* reverse travel order */
		ck_assert_mem_eq(srh + 8 + 16 * i, cfg.probe_segs[n - 1 - i], 16);

	pl = srh + 8 + 16 * n;
	ck_assert_mem_eq(pl, "SRFD", 4);
	ck_assert_uint_eq(pl[4], SRFD_PROBE_VERSION);
	ck_assert_uint_eq((pl[6] << 8) | pl[7], 0x1234);
	ck_assert_uint_eq(pl[8], 0x11);
	ck_assert_uint_eq(pl[15], 0x88);
	ck_assert_uint_eq(pl[23], 42);
	/* the MAC, big endian, over exactly the fields above */
	mac = srfd_probe_mac(cfg.key, 0x1234, 0x1122334455667788ULL, 42);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(pl[24 + i], (mac >> (56 - 8 * i)) & 0xff);
}
END_TEST

START_TEST(test_build_rejects_bad_count)
{
	__u8 buf[SRFD_PROBE_BUF_LEN];
	struct srfd_session_cfg cfg;

	make_cfg(&cfg, 1);
	cfg.nsegs = 0;
	ck_assert_uint_eq(srfd_probe_build(buf, &cfg, 1, 1), 0);
	cfg.nsegs = SRFD_MAX_PROBE_SEGS + 1;
	ck_assert_uint_eq(srfd_probe_build(buf, &cfg, 1, 1), 0);
}
END_TEST

START_TEST(test_roundtrip_all_lengths)
{
	__u8 buf[SRFD_PROBE_BUF_LEN];
	struct srfd_session_cfg cfg;
	struct srfd_probe_info info;
	unsigned int n = _i;
	__u32 len;

	make_cfg(&cfg, n);
	len = srfd_probe_build(buf, &cfg, 777, 123456789);
	ck_assert_uint_eq(len, SRFD_PROBE_LEN(n));
	ck_assert_int_eq(srfd_probe_parse(buf + 14, len - 14, &info), SRFD_R_PROBE_OK);
	ck_assert_uint_eq(info.session_id, 0x1234);
	ck_assert_uint_eq(info.nsegs, n);
	ck_assert_uint_eq(info.segments_left, n - 1);
	ck_assert_uint_eq(info.seq, 777);
	ck_assert_uint_eq(info.tx_ns, 123456789);
	ck_assert_uint_eq(info.mac, srfd_probe_mac(cfg.key, 0x1234, 777, 123456789));
	ck_assert(srfd_probe_path_ok(buf + 14, len - 14, &cfg, info.nsegs));
}
END_TEST

/* SipHash-2-4 reference vectors (key 00..0f; messages 00.., 0 and 15 bytes) */
START_TEST(test_siphash_vectors)
{
	__u8 m[15];
	unsigned int i;

	for (i = 0; i < sizeof(m); i++)
		m[i] = i;
	ck_assert_uint_eq(srfd_siphash24(0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL,
					 m, 0), 0x726fdb47dd0e0e31ULL);
	ck_assert_uint_eq(srfd_siphash24(0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL,
					 m, 15), 0xa129ca6149be45e5ULL);
}
END_TEST

/* Any change to what is authenticated, or another key, breaks the MAC. */
START_TEST(test_mac_binds_fields)
{
	const __u64 k[2] = { 1, 2 }, k2[2] = { 1, 3 };
	__u64 mac = srfd_probe_mac(k, 7, 1000, 5555);

	ck_assert_uint_eq(mac, srfd_probe_mac(k, 7, 1000, 5555));
	ck_assert_uint_ne(mac, srfd_probe_mac(k, 8, 1000, 5555));
	ck_assert_uint_ne(mac, srfd_probe_mac(k, 7, 1001, 5555));
	ck_assert_uint_ne(mac, srfd_probe_mac(k, 7, 1000, 5556));
	ck_assert_uint_ne(mac, srfd_probe_mac(k2, 7, 1000, 5555));
}
END_TEST

/* What a reflector may bounce: exact length, one hop back to the prober. */
START_TEST(test_reflectable)
{
	__u8 buf[SRFD_PROBE_BUF_LEN];
	struct srfd_session_cfg cfg;
	struct srfd_probe_info info;
	__u32 len;

	make_cfg(&cfg, 3);
	/* [reflector, prober, prober] as the prober builds it */
	memcpy(cfg.probe_segs[2], cfg.probe_segs[1], 16);
	len = srfd_probe_build(buf, &cfg, 1, 1) - 14;
	buf[14 + 40 + 3] = 1;	/* after End at the reflector: SL 1 */
	ck_assert_int_eq(srfd_probe_parse(buf + 14, len, &info), SRFD_R_PROBE_OK);
	ck_assert(srfd_probe_reflectable(buf + 14, len, len, &info));
	/* trailing bytes the IPv6 header does not announce */
	ck_assert(!srfd_probe_reflectable(buf + 14, len, len + 700, &info));
	/* announced ones */
	buf[14 + 5] += 8;
	ck_assert_int_eq(srfd_probe_parse(buf + 14, len, &info), SRFD_R_PROBE_OK);
	ck_assert(!srfd_probe_reflectable(buf + 14, len, len + 8, &info));
	buf[14 + 5] -= 8;
	/* not one hop back yet, or a return leg that is not the prober twice */
	buf[14 + 40 + 3] = 2;
	srfd_probe_parse(buf + 14, len, &info);
	ck_assert(!srfd_probe_reflectable(buf + 14, len, len, &info));
	buf[14 + 40 + 3] = 1;
	buf[14 + 40 + 8 + 15] ^= 1;
	srfd_probe_parse(buf + 14, len, &info);
	ck_assert(!srfd_probe_reflectable(buf + 14, len, len, &info));
}
END_TEST

/* A probe whose segment list differs from the session's is not ours. */
START_TEST(test_path_check)
{
	__u8 buf[SRFD_PROBE_BUF_LEN];
	struct srfd_session_cfg cfg;
	__u32 len;

	make_cfg(&cfg, 3);
	len = srfd_probe_build(buf, &cfg, 1, 1);
	ck_assert(srfd_probe_path_ok(buf + 14, len - 14, &cfg, 3));
	ck_assert(!srfd_probe_path_ok(buf + 14, len - 14, &cfg, 2));
	buf[14 + 40 + 8 + 16 + 15] ^= 1;	/* the middle SID */
	ck_assert(!srfd_probe_path_ok(buf + 14, len - 14, &cfg, 3));
	ck_assert(!srfd_probe_path_ok(buf + 14, 40 + 8 + 16, &cfg, 3));
}
END_TEST

/* Mutations of a valid probe and the reason the parser must give. */
enum mutation { TRUNC_HDR, TRUNC_PAYLOAD, NOT_V6, NOT_ROUTING, SRH_TYPE,
		SRH_ODD_LEN, SRH_ZERO_LEN, SRH_TOO_LONG, LAST_ENTRY, SL_BEYOND,
		NEXT_HDR, MAGIC, VERSION, PAYLOAD_LEN };
static const struct {
	enum mutation m;
	enum srfd_reason want;
} mutations[] = {
	{ TRUNC_HDR, SRFD_R_TRUNCATED }, { TRUNC_PAYLOAD, SRFD_R_TRUNCATED },
	{ NOT_V6, SRFD_R_NOT_SRH }, { NOT_ROUTING, SRFD_R_NOT_SRH },
	{ SRH_TYPE, SRFD_R_BAD_SRH }, { SRH_ODD_LEN, SRFD_R_BAD_SRH },
	{ SRH_ZERO_LEN, SRFD_R_BAD_SRH }, { SRH_TOO_LONG, SRFD_R_BAD_SRH },
	{ LAST_ENTRY, SRFD_R_BAD_SRH }, { SL_BEYOND, SRFD_R_BAD_SRH },
	{ NEXT_HDR, SRFD_R_NOT_PROBE }, { MAGIC, SRFD_R_NOT_PROBE },
	{ VERSION, SRFD_R_NOT_PROBE }, { PAYLOAD_LEN, SRFD_R_TRUNCATED },
};

START_TEST(test_parse_rejects)
{
	__u8 buf[SRFD_PROBE_BUF_LEN];
	struct srfd_session_cfg cfg;
	struct srfd_probe_info info;
	__u8 *ip6 = buf + 14, *srh = buf + 54;
	__u32 len;

	make_cfg(&cfg, 3);
	len = srfd_probe_build(buf, &cfg, 1, 1) - 14;
	switch (mutations[_i].m) {
	case TRUNC_HDR: len = 47; break;
	case TRUNC_PAYLOAD: len -= 1; break;
	case NOT_V6: ip6[0] = 0x40; break;
	case NOT_ROUTING: ip6[6] = 17; break;
	case SRH_TYPE: srh[2] = 0; break;
	case SRH_ODD_LEN: srh[1] = 5; break;
	case SRH_ZERO_LEN: srh[1] = 0; break;
	case SRH_TOO_LONG: srh[1] = 2 * (SRFD_MAX_PROBE_SEGS + 1); break;
	case LAST_ENTRY: srh[4] = 1; break;
	case SL_BEYOND: srh[3] = 3; break;
	case NEXT_HDR: srh[0] = 17; break;
	case MAGIC: buf[14 + 40 + 8 + 48] ^= 1; break;
	case VERSION: buf[14 + 40 + 8 + 48 + 4] = SRFD_PROBE_VERSION - 1; break;
	case PAYLOAD_LEN: ip6[5] -= 1; break;
	}
	ck_assert_int_eq(srfd_probe_parse(ip6, len, &info), mutations[_i].want);
}
END_TEST

START_TEST(test_abi_layout)
{
	ck_assert_uint_eq(sizeof(struct srfd_probe), 32);
	ck_assert_uint_eq(offsetof(struct srfd_probe, seq), 8);
	ck_assert_uint_eq(offsetof(struct srfd_probe, mac), 24);
	ck_assert_uint_eq(sizeof(struct srfd_session_cfg), 256);
	ck_assert_uint_eq(offsetof(struct srfd_session_cfg, probe_segs), 72);
	ck_assert_uint_eq(offsetof(struct srfd_session_cfg, flags), 248);
	ck_assert_uint_eq(sizeof(struct srfd_session_state), 152);
	ck_assert_uint_eq(offsetof(struct srfd_session_state, state), 16);
	ck_assert_uint_eq(offsetof(struct srfd_session_state, suspect_ns), 144);
	ck_assert_uint_eq(sizeof(struct srfd_global), 96);
	ck_assert_uint_eq(offsetof(struct srfd_global, ticks), 24);
	ck_assert_uint_eq(sizeof(struct srfd_settings), 72);
	ck_assert_uint_eq(sizeof(struct srfd_sched), 16 + 8 * SRFD_SCHED_MAX_CLASSES);
	ck_assert_uint_eq(sizeof(struct srfd_suspect), 16);
	ck_assert_uint_eq(sizeof(struct srfd_event), 32);
	/* control protocol 2 */
	ck_assert_uint_eq(sizeof(struct srfd_ctl_req), 48);
	ck_assert_uint_eq(offsetof(struct srfd_ctl_req, arg), 16);
	ck_assert_uint_eq(sizeof(struct srfd_ctl_hello), 64);
	ck_assert_uint_eq(offsetof(struct srfd_ctl_hello, mono_ns), 48);
	ck_assert_uint_eq(sizeof(struct srfd_ctl_session), 248);
	ck_assert_uint_eq(offsetof(struct srfd_ctl_session, neighbor), 120);
	ck_assert_uint_eq(offsetof(struct srfd_ctl_session, nsegs), 232);
	ck_assert_uint_eq(offsetof(struct srfd_ctl_session, last_rx_ns), 240);
	ck_assert_uint_eq(sizeof(struct srfd_ctl_event), 200);
	ck_assert_uint_eq(offsetof(struct srfd_ctl_event, seq), 184);
	ck_assert_uint_eq(SRFD_PROBE_MAX_LEN, 14 + 40 + 8 + 8 * 16 + 32);
	ck_assert_uint_le(SRFD_PROBE_MAX_LEN, SRFD_PROBE_BUF_LEN);
}
END_TEST

START_TEST(test_session_cfg_build)
{
	struct srfd_config conf = { 0 };
	struct srfd_session_cfg cfg;
	__u8 s[16];

	sid(conf.local_sid, "fc00:a::bf");
	sid(conf.source, "fc00:a::1");
	conf.nsessions = 1;
	strcpy(conf.sessions[0].name, "a-b");
	conf.sessions[0].nsegs = 2;
	sid(conf.sessions[0].segs[0], "fc00:b::e");
	sid(conf.sessions[0].segs[1], "fc00:c::e1");
	sid(conf.sessions[0].neighbor, "fe80::2");
	conf.sessions[0].interval_us = 1500;
	conf.sessions[0].multiplier = 4;
	conf.sessions[0].up_after = 2;

	const __u64 key[2] = { 99, 100 };

	ck_assert_int_eq(srfd_session_cfg_build(&conf, 0, 5, 7, key, &cfg), 0);
	ck_assert_uint_eq(cfg.nsegs, 4);
	ck_assert_uint_eq(cfg.interval_ns, 1500000);
	ck_assert_uint_eq(cfg.multiplier, 4);
	ck_assert_uint_eq(cfg.ifindex, 7);
	ck_assert_uint_eq(cfg.key[0], 99);
	ck_assert_uint_eq(cfg.key[1], 100);
	ck_assert_uint_eq(cfg.session_id, 5);	/* the slot, echoed in probes */
	ck_assert_str_eq(cfg.name, "a-b");
	sid(s, "fc00:c::e1");
	ck_assert_mem_eq(cfg.probe_segs[1], s, 16);
	ck_assert_mem_eq(cfg.probe_segs[2], conf.local_sid, 16);
	ck_assert_mem_eq(cfg.probe_segs[3], conf.local_sid, 16);
	ck_assert_int_lt(srfd_session_cfg_build(&conf, 1, 1, 7, key, &cfg), 0);
	ck_assert_int_lt(srfd_session_cfg_build(&conf, 0, 0, -1, key, &cfg), 0);
	ck_assert_int_lt(srfd_session_cfg_build(&conf, 0, SRFD_MAX_SESSIONS, 7, key, &cfg), 0);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("probe");

	tcase_add_test(tc, test_build_bytes);
	tcase_add_test(tc, test_build_rejects_bad_count);
	tcase_add_loop_test(tc, test_roundtrip_all_lengths, 1, SRFD_MAX_PROBE_SEGS + 1);
	tcase_add_loop_test(tc, test_parse_rejects, 0,
			    sizeof(mutations) / sizeof(mutations[0]));
	tcase_add_test(tc, test_abi_layout);
	tcase_add_test(tc, test_session_cfg_build);
	tcase_add_test(tc, test_siphash_vectors);
	tcase_add_test(tc, test_mac_binds_fields);
	tcase_add_test(tc, test_path_check);
	tcase_add_test(tc, test_reflectable);
	return srfd_check_run_tap("probe", tc);
}
