// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bfddp codec against FRR bfdd's wire layout (bfdd/bfddp_packet.h, FRR
 * 8.4): messages built byte by byte here as bfdd sends them, and what srfd
 * sends checked at the offsets bfdd reads.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "bfddp.h"

static __u8 msg[SRFD_BFDDP_MAX_MSG];

static void be32(__u8 *p, __u32 v)
{
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

/* DP_ADD_SESSION as bfdd writes it: 8-byte header + 132-byte session */
static size_t add_session(__u32 lid, const char *ifname)
{
	__u8 *p = msg + 8;

	memset(msg, 0, sizeof(msg));
	msg[0] = 1;
	msg[3] = SRFD_BFDDP_ADD_SESSION;
	msg[7] = 140;
	be32(p, SRFD_BFDDP_F_IPV6);
	inet_pton(AF_INET6, "fc00:ab::1", p + 4);
	inet_pton(AF_INET6, "fc00:ab::2", p + 20);
	be32(p + 36, lid);
	be32(p + 40, 10000);		/* min_tx */
	be32(p + 44, 20000);		/* min_rx */
	be32(p + 56, 250);		/* hold_time */
	p[60] = 255;			/* ttl */
	p[61] = 3;			/* detect_mult */
	be32(p + 64, 7);		/* ifindex */
	strcpy((char *)p + 68, ifname);
	return 140;
}

START_TEST(test_add_session_decoded)
{
	struct srfd_bfddp_session s;
	struct srfd_bfddp_hdr h;
	__u8 dst[16];
	size_t len = add_session(0x01020304, "a-b");

	srfd_bfddp_hdr_get(msg, &h);
	ck_assert_uint_eq(h.version, 1);
	ck_assert_uint_eq(h.type, SRFD_BFDDP_ADD_SESSION);
	ck_assert_uint_eq(h.length, 140);
	ck_assert_int_eq(srfd_bfddp_session_get(msg, len, &s), 0);
	ck_assert_uint_eq(s.lid, 0x01020304);
	ck_assert_uint_eq(s.flags, SRFD_BFDDP_F_IPV6);
	ck_assert_uint_eq(s.min_tx_us, 10000);
	ck_assert_uint_eq(s.min_rx_us, 20000);
	ck_assert_uint_eq(s.hold_time_ms, 250);
	ck_assert_uint_eq(s.ttl, 255);
	ck_assert_uint_eq(s.detect_mult, 3);
	ck_assert_uint_eq(s.ifindex, 7);
	ck_assert_str_eq(s.ifname, "a-b");
	inet_pton(AF_INET6, "fc00:ab::2", dst);
	ck_assert_mem_eq(s.dst, dst, 16);
}
END_TEST

/* Short, zero-discriminator and unterminated-name messages. */
START_TEST(test_add_session_hostile)
{
	struct srfd_bfddp_session s;
	size_t len = add_session(5, "a-b");

	ck_assert_int_eq(srfd_bfddp_session_get(msg, len - 1, &s), -EBADMSG);
	ck_assert_int_eq(srfd_bfddp_session_get(msg, 8, &s), -EBADMSG);
	add_session(0, "a-b");
	ck_assert_int_eq(srfd_bfddp_session_get(msg, len, &s), -EBADMSG);
	add_session(6, "");
	memset(msg + 8 + 68, 'x', 64);		/* no NUL in ifname */
	ck_assert_int_eq(srfd_bfddp_session_get(msg, len, &s), 0);
	ck_assert_uint_eq(strlen(s.ifname), 63);
}
END_TEST

/* BFD_STATE_CHANGE at the offsets bfdd's bfddp_state_change has. */
START_TEST(test_state_change_bytes)
{
	struct srfd_bfddp_state st = { .lid = 0xa1b2c3d4, .state = SRFD_BFD_DOWN,
				       .diag = SRFD_BFD_DIAG_EXPIRED,
				       .detect_mult = 3, .tx_us = 1000 };
	static const __u8 want[36] = {
		1, 0, 0, 4, 0, 0, 0, 36,	/* header: v1, type 4, id 0, len 36 */
		0xa1, 0xb2, 0xc3, 0xd4,		/* lid */
		0, 0, 0, 0, 0, 0, 0, 0,		/* rid, remote_flags */
		0, 0, 0x03, 0xe8,		/* desired_tx */
		0, 0, 0x03, 0xe8,		/* required_rx */
		0, 0, 0, 0,			/* required_echo_rx */
		1, 1, 3, 0,			/* state, diag, mult, pad */
	};

	ck_assert_uint_eq(srfd_bfddp_state_put(msg, &st), 36);
	ck_assert_mem_eq(msg, want, 36);
}
END_TEST

/* BFD_SESSION_COUNTERS answers with the request's id; u64 big-endian at 8. */
START_TEST(test_counters_bytes)
{
	struct srfd_bfddp_counters c = { .lid = 9, .in_packets = 2, .in_bytes = 0x0102030405060708ULL,
					 .out_packets = 5, .out_bytes = 500 };
	__u8 req[12] = { 1, 0, 0, 5, 0x12, 0x34, 0, 12, 0, 0, 0, 9 };
	struct srfd_bfddp_hdr h;
	__u32 lid = 0;

	ck_assert_int_eq(srfd_bfddp_counters_req_get(req, sizeof(req), &lid), 0);
	ck_assert_uint_eq(lid, 9);
	ck_assert_int_eq(srfd_bfddp_counters_req_get(req, 11, &lid), -EBADMSG);
	ck_assert_uint_eq(srfd_bfddp_counters_put(msg, 0x1234, &c), 80);
	srfd_bfddp_hdr_get(msg, &h);
	ck_assert_uint_eq(h.type, SRFD_BFDDP_SESSION_COUNTERS);
	ck_assert_uint_eq(h.id, 0x1234);
	ck_assert_uint_eq(h.length, 80);
	ck_assert_uint_eq(msg[8 + 3], 9);
	ck_assert_uint_eq(msg[8 + 8], 1);		/* control_input_bytes, MSB */
	ck_assert_uint_eq(msg[8 + 15], 8);
	ck_assert_uint_eq(msg[8 + 23], 2);		/* control_input_packets */
	ck_assert_uint_eq(msg[8 + 30], 500 >> 8);	/* control_output_bytes */
	ck_assert_uint_eq(msg[8 + 39], 5);		/* control_output_packets */
}
END_TEST

START_TEST(test_echo_reply)
{
	__u8 req[24] = { 1, 0, 0, 0, 0, 0, 0, 24, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct srfd_bfddp_hdr h;

	ck_assert_uint_eq(srfd_bfddp_echo_reply_put(msg, req, sizeof(req), 0x1122), 24);
	srfd_bfddp_hdr_get(msg, &h);
	ck_assert_uint_eq(h.type, SRFD_BFDDP_ECHO_REPLY);
	ck_assert_mem_eq(msg + 8, req + 8, 8);		/* dp_time kept */
	ck_assert_uint_eq(msg[8 + 14], 0x11);
	ck_assert_uint_eq(msg[8 + 15], 0x22);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("bfddp");

	tcase_add_test(tc, test_add_session_decoded);
	tcase_add_test(tc, test_add_session_hostile);
	tcase_add_test(tc, test_state_change_bytes);
	tcase_add_test(tc, test_counters_bytes);
	tcase_add_test(tc, test_echo_reply);
	return srfd_check_run_tap("bfddp", tc);
}
