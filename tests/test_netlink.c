// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests of srfdd's rtnetlink messages (src/netlink.c): the bytes of
 * the route requests it sends, and parsing of what the kernel sends back
 * in dumps and RTNLGRP_IPV6_ROUTE notifications, including malformed input.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>	/* before linux/in6.h, see glibc's __UAPI_DEF_* */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/lwtunnel.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <linux/seg6_local.h>
#include <libmnl/libmnl.h>

#include "check_tap.h"
#include "netlink.h"

static char buf[8192];

static void addr(__u8 *out, const char *s)
{
	ck_assert_int_eq(inet_pton(AF_INET6, s, out), 1);
}

static struct srfd_route fast_route(void)
{
	struct srfd_route rt = { .plen = 64, .has_gw = 1, .has_prefsrc = 1,
				 .metric = 16, .mtu = 1420, .oif = 7 };

	addr(rt.dst, "fc00:2::");
	addr(rt.gw, "fc00:ab::2");
	addr(rt.prefsrc, "fc00:a::1");
	return rt;
}

START_TEST(test_route_request_bytes)
{
	struct srfd_route rt = fast_route(), back;
	struct nlmsghdr *nlh = srfd_nl_route6_msg(buf, &rt, 0, -1, NULL);
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWROUTE);
	/* a new route never takes over somebody else's */
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK |
			  NLM_F_CREATE | NLM_F_EXCL);
	ck_assert_uint_eq(rtm->rtm_family, AF_INET6);
	ck_assert_uint_eq(rtm->rtm_protocol, SRFD_RTPROT);
	ck_assert_uint_eq(rtm->rtm_table, RT_TABLE_MAIN);
	ck_assert_uint_eq(rtm->rtm_dst_len, 64);
	/* header 16 + rtmsg 12 + DST 20 + GATEWAY 20 + PREFSRC 20 + OIF 8
	 * + PRIORITY 8 + METRICS(MTU) 12 */
	ck_assert_uint_eq(nlh->nlmsg_len, 116);

	ck_assert_int_eq(srfd_nl_route6_parse(nlh, &back), 0);
	ck_assert_mem_eq(back.dst, rt.dst, 16);
	ck_assert_mem_eq(back.gw, rt.gw, 16);
	ck_assert_mem_eq(back.prefsrc, rt.prefsrc, 16);
	ck_assert_uint_eq(back.plen, 64);
	ck_assert_uint_eq(back.metric, 16);
	ck_assert_uint_eq(back.mtu, 1420);
	ck_assert_int_eq(back.oif, 7);
	ck_assert(back.has_gw && back.has_prefsrc && back.sid == SRFD_SID_NONE);
	ck_assert_uint_eq(back.protocol, SRFD_RTPROT);

	nlh = srfd_nl_route6_msg(buf, &rt, 1, -1, NULL);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK |
			  NLM_F_CREATE | NLM_F_REPLACE);
}
END_TEST

START_TEST(test_end_bpf_request)
{
	struct srfd_route rt = { .plen = 128, .sid = SRFD_SID_END_BPF, .oif = 5,
				 .metric = 1024 }, back;
	struct nlmsghdr *nlh;

	addr(rt.dst, "fc00:a::bf");
	nlh = srfd_nl_route6_msg(buf, &rt, 0, 42, "srfd_end_bpf");
	ck_assert_int_eq(srfd_nl_route6_parse(nlh, &back), 0);
	ck_assert_uint_eq(back.sid, SRFD_SID_END_BPF);
	/* in a request this attribute carries the fd; dumps carry the id */
	ck_assert_uint_eq(back.prog_id, 42);
	ck_assert_uint_eq(back.mtu, 0);
	ck_assert(!back.has_gw);
	ck_assert_ptr_nonnull(memmem(buf, nlh->nlmsg_len, "srfd_end_bpf", 13));
}
END_TEST

/* The kernel without seg6local: local_sid behind an LWT BPF `in` route. */
START_TEST(test_lwt_in_request)
{
	struct srfd_route rt = { .plen = 128, .sid = SRFD_SID_LWT_IN, .oif = 5,
				 .metric = 1024 }, back;
	const struct nlattr *attr, *encap = NULL, *in = NULL;
	struct nlmsghdr *nlh;
	int type = -1;

	addr(rt.dst, "fc00:a::bf");
	nlh = srfd_nl_route6_msg(buf, &rt, 0, 43, "srfd_sid_in");
	mnl_attr_for_each(attr, nlh, sizeof(struct rtmsg)) {
		if (mnl_attr_get_type(attr) == RTA_ENCAP_TYPE)
			type = mnl_attr_get_u16(attr);
		if (mnl_attr_get_type(attr) == RTA_ENCAP)
			encap = attr;
	}
	ck_assert_int_eq(type, LWTUNNEL_ENCAP_BPF);
	ck_assert_ptr_nonnull(encap);
	mnl_attr_for_each_nested(attr, encap)
		if (mnl_attr_get_type(attr) == LWT_BPF_IN)
			in = attr;
	ck_assert_ptr_nonnull(in);	/* `in`, not out or xmit */
	ck_assert_int_eq(srfd_nl_route6_parse(nlh, &back), 0);
	ck_assert_uint_eq(back.sid, SRFD_SID_LWT_IN);
	ck_assert_uint_eq(back.prog_id, 43);
	ck_assert_ptr_nonnull(memmem(buf, nlh->nlmsg_len, "srfd_sid_in", 12));
}
END_TEST

/*
 * An LWT BPF route is a SID only with an `in` program, and its attribute
 * numbers mean other things than seg6local's: the nest is read by its
 * RTA_ENCAP_TYPE, which the kernel writes after it.
 */
START_TEST(test_parse_lwt_dump)
{
	static const int progs[] = { LWT_BPF_IN, LWT_BPF_XMIT };
	struct nlattr *nest, *bpf;
	struct srfd_route rt;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

		nlh->nlmsg_type = RTM_NEWROUTE;
		rtm->rtm_family = AF_INET6;
		rtm->rtm_dst_len = 128;
		nest = mnl_attr_nest_start(nlh, RTA_ENCAP);
		bpf = mnl_attr_nest_start(nlh, progs[i]);
		mnl_attr_put_u32(nlh, LWT_BPF_PROG_FD, 55);
		mnl_attr_put_strz(nlh, LWT_BPF_PROG_NAME, "srfd_sid_in");
		mnl_attr_nest_end(nlh, bpf);
		mnl_attr_nest_end(nlh, nest);
		mnl_attr_put_u16(nlh, RTA_ENCAP_TYPE, LWTUNNEL_ENCAP_BPF);
		ck_assert_int_eq(srfd_nl_route6_parse(nlh, &rt), 0);
		ck_assert_uint_eq(rt.sid, i == 0 ? SRFD_SID_LWT_IN : SRFD_SID_NONE);
		ck_assert_uint_eq(rt.prog_id, i == 0 ? 55 : 0);
	}
}
END_TEST

/* A fast route through a nexthop object carries the id, no gateway or device. */
START_TEST(test_route_via_nexthop_object)
{
	struct srfd_route rt = { .plen = 64, .metric = 16, .nhid = 0x0F000005,
				 .oif = 7, .has_gw = 1 }, back;
	const struct nlattr *attr;
	struct nlmsghdr *nlh;
	int gw = 0, oif = 0;

	addr(rt.dst, "fc00:2::");
	addr(rt.gw, "fc00:ab::2");
	nlh = srfd_nl_route6_msg(buf, &rt, 1, -1, NULL);
	mnl_attr_for_each(attr, nlh, sizeof(struct rtmsg)) {
		gw |= mnl_attr_get_type(attr) == RTA_GATEWAY;
		oif |= mnl_attr_get_type(attr) == RTA_OIF;
	}
	ck_assert(!gw && !oif);
	ck_assert_int_eq(srfd_nl_route6_parse(nlh, &back), 0);
	ck_assert_uint_eq(back.nhid, 0x0F000005);
	ck_assert_uint_eq(back.metric, 16);
}
END_TEST

/* RTM_NEWNEXTHOP: create-or-replace, protocol srfd, IPv6 gateway on a device. */
START_TEST(test_nexthop_request)
{
	struct srfd_nexthop_obj nh = { .id = 0x0F100001, .oif = 4 }, back;
	struct nlmsghdr *nlh;
	const struct nhmsg *nhm;

	addr(nh.gw, "fc00:ac::2");
	nlh = srfd_nl_nexthop_msg(buf, &nh);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWNEXTHOP);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK |
			  NLM_F_CREATE | NLM_F_REPLACE);
	nhm = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(nhm->nh_family, AF_INET6);
	ck_assert_uint_eq(nhm->nh_protocol, SRFD_RTPROT);
	ck_assert_int_eq(srfd_nl_nexthop_parse(nlh, &back), 0);
	ck_assert_uint_eq(back.id, nh.id);
	ck_assert_int_eq(back.oif, 4);
	ck_assert_mem_eq(back.gw, nh.gw, 16);
	ck_assert_uint_eq(back.protocol, SRFD_RTPROT);
	nlh->nlmsg_type = RTM_NEWROUTE;		/* not a nexthop message */
	ck_assert_int_eq(srfd_nl_nexthop_parse(nlh, &back), -EINVAL);
}
END_TEST

/* A dump entry as the kernel writes it, with attributes srfd ignores. */
START_TEST(test_parse_kernel_dump)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct nlattr *nest, *bpf;
	struct srfd_route rt;
	__u8 sid[16];

	nlh->nlmsg_type = RTM_NEWROUTE;
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	rtm->rtm_protocol = SRFD_RTPROT;
	rtm->rtm_table = RT_TABLE_MAIN;
	addr(sid, "fc00:a::bf");
	mnl_attr_put_u32(nlh, RTA_TABLE, 254);
	mnl_attr_put(nlh, RTA_DST, 16, sid);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 1024);
	mnl_attr_put_u8(nlh, RTA_PREF, 0);
	mnl_attr_put_u16(nlh, RTA_ENCAP_TYPE, LWTUNNEL_ENCAP_SEG6_LOCAL);
	nest = mnl_attr_nest_start(nlh, RTA_ENCAP);
	mnl_attr_put_u32(nlh, SEG6_LOCAL_ACTION, SEG6_LOCAL_ACTION_END_BPF);
	bpf = mnl_attr_nest_start(nlh, SEG6_LOCAL_BPF);
	mnl_attr_put_u32(nlh, LWT_BPF_PROG_FD, 977);	/* the program id */
	mnl_attr_put_strz(nlh, LWT_BPF_PROG_NAME, "srfd_end_bpf");
	mnl_attr_nest_end(nlh, bpf);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, RTA_OIF, 9);

	ck_assert_int_eq(srfd_nl_route6_parse(nlh, &rt), 0);
	ck_assert_uint_eq(rt.sid, SRFD_SID_END_BPF);
	ck_assert_uint_eq(rt.prog_id, 977);
	ck_assert_uint_eq(rt.table, 254);
	ck_assert_uint_eq(rt.metric, 1024);
	ck_assert_int_eq(rt.oif, 9);
	ck_assert_mem_eq(rt.dst, sid, 16);
}
END_TEST

START_TEST(test_parse_rejects)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	struct srfd_route rt;

	/* too short for an rtmsg */
	nlh->nlmsg_type = RTM_NEWROUTE;
	ck_assert_int_lt(srfd_nl_route6_parse(nlh, &rt), 0);
	/* IPv4 */
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	ck_assert_int_eq(srfd_nl_route6_parse(nlh, &rt), -EAFNOSUPPORT);
	/* not a route message */
	rtm->rtm_family = AF_INET6;
	nlh->nlmsg_type = RTM_NEWLINK;
	ck_assert_int_lt(srfd_nl_route6_parse(nlh, &rt), 0);
	/* an attribute whose length runs past the message */
	nlh->nlmsg_type = RTM_DELROUTE;
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	((struct nlattr *)((char *)nlh + NLMSG_ALIGN(sizeof(*nlh)) +
			   NLMSG_ALIGN(sizeof(*rtm))))->nla_len = 200;
	ck_assert_int_lt(srfd_nl_route6_parse(nlh, &rt), 0);
	/* a gateway of the wrong size is ignored, not copied */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_DELROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	mnl_attr_put_u32(nlh, RTA_GATEWAY, 0x01020304);
	ck_assert_int_eq(srfd_nl_route6_parse(nlh, &rt), 0);
	ck_assert(!rt.has_gw);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("netlink");

	tcase_add_test(tc, test_route_request_bytes);
	tcase_add_test(tc, test_end_bpf_request);
	tcase_add_test(tc, test_lwt_in_request);
	tcase_add_test(tc, test_route_via_nexthop_object);
	tcase_add_test(tc, test_nexthop_request);
	tcase_add_test(tc, test_parse_lwt_dump);
	tcase_add_test(tc, test_parse_kernel_dump);
	tcase_add_test(tc, test_parse_rejects);
	return srfd_check_run_tap("netlink", tc);
}
