// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rtnetlink requests of srfdd, built with libmnl. libnl-route 3.7 cannot
 * express seg6local End.BPF routes, so everything here speaks netlink
 * directly: one request, one acknowledgement, the kernel's extended ack
 * message kept for the caller's error report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/lwtunnel.h>
#include <linux/nexthop.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/seg6_local.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>

#include "netlink.h"

/*
 * Routes srfdd installs carry SRFD_RTPROT, so they can be told apart. New
 * ones are added with NLM_F_EXCL: srfdd never takes over a route somebody
 * else installed; it replaces only routes it already owns.
 */

struct srfd_nl_events {
	struct mnl_socket *sock;
};

struct srfd_nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	char errmsg[256];
	char buf[8192];
};

int srfd_nl_open(struct srfd_nl **out)
{
	struct srfd_nl *nl = calloc(1, sizeof(*nl));
	int one = 1;

	if (!nl)
		return -ENOMEM;
	nl->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sock)
		goto err;
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);
	*out = nl;
	return 0;
err:
	one = -errno;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
	return one;
}

void srfd_nl_close(struct srfd_nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sock);
	free(nl);
}

const char *srfd_nl_errmsg(const struct srfd_nl *nl)
{
	return nl->errmsg;
}

static struct nlmsghdr *request(struct srfd_nl *nl, __u16 type, __u16 flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

static int extack_attr(const struct nlattr *attr, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		*msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/*
 * Send @nlh and wait for the answer: an error/acknowledgement, or (for a
 * request without NLM_F_ACK) the first reply, handed to @on_reply; for a
 * dump, every reply until NLMSG_DONE.
 */
static int transact_reply(struct srfd_nl *nl, struct nlmsghdr *nlh,
			  int (*on_reply)(const struct nlmsghdr *r, void *data),
			  void *data)
{
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int seq = nlh->nlmsg_seq;
	int dump = nlh->nlmsg_flags & NLM_F_DUMP, n, ret, intr = 0;
	const struct nlmsgerr *e;
	const char *msg = NULL;
	ssize_t got;

	nl->errmsg[0] = '\0';
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *r;

		got = mnl_socket_recvfrom(nl->sock, rbuf, sizeof(rbuf));
		if (got < 0)
			return -errno;
		n = got;
		for (r = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(r, n);
		     r = mnl_nlmsg_next(r, &n)) {
			if (r->nlmsg_seq != seq)
				continue;
			/* the table changed under the dump: it may miss entries */
			intr |= r->nlmsg_flags & NLM_F_DUMP_INTR;
			if (r->nlmsg_type == NLMSG_DONE)
				return intr ? -EINTR : 0;
			if (r->nlmsg_type != NLMSG_ERROR) {
				ret = on_reply ? on_reply(r, data) : 0;
				if (!dump)
					return ret;
				continue;
			}
			e = mnl_nlmsg_get_payload(r);
			if (r->nlmsg_flags & NLM_F_ACK_TLVS)
				mnl_attr_parse(r, sizeof(*e), extack_attr, &msg);
			if (msg)
				snprintf(nl->errmsg, sizeof(nl->errmsg), "%s", msg);
			return e->error;
		}
	}
}

/* Send @nlh and wait for its acknowledgement. A dump that the kernel marks
 * interrupted (NLM_F_DUMP_INTR) returns -EINTR after all its messages. */
static int transact(struct srfd_nl *nl, struct nlmsghdr *nlh)
{
	return transact_reply(nl, nlh, NULL, NULL);
}

int srfd_nl_veth_create(struct srfd_nl *nl, const char *name,
			const __u8 mac[6], const char *peer,
			const __u8 peer_mac[6])
{
	struct nlattr *linkinfo, *data, *peer_nest;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = request(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer_nest = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, peer_mac);
	mnl_attr_nest_end(nlh, peer_nest);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return transact(nl, nlh);
}

static int link_set_flags(struct srfd_nl *nl, int ifindex, unsigned int flags,
			  unsigned int change)
{
	struct nlmsghdr *nlh = request(nl, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	return transact(nl, nlh);
}

int srfd_nl_link_set_alias(struct srfd_nl *nl, int ifindex, const char *alias)
{
	struct nlmsghdr *nlh = request(nl, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	return transact(nl, nlh);
}

int srfd_nl_link_set_up(struct srfd_nl *nl, int ifindex)
{
	return link_set_flags(nl, ifindex, IFF_UP, IFF_UP);
}

int srfd_nl_link_set_noarp(struct srfd_nl *nl, int ifindex, int on)
{
	return link_set_flags(nl, ifindex, on ? IFF_NOARP : 0, IFF_NOARP);
}

int srfd_nl_link_delete(struct srfd_nl *nl, int ifindex)
{
	struct nlmsghdr *nlh = request(nl, RTM_DELLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return transact(nl, nlh);
}

int srfd_nl_tbf_add(struct srfd_nl *nl, int ifindex, __u64 rate_Bps,
		    __u32 burst, __u32 limit)
{
	struct nlmsghdr *nlh = request(nl, RTM_NEWQDISC,
				       NLM_F_CREATE | NLM_F_REPLACE);
	struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	struct tc_tbf_qopt qopt = { 0 };
	struct nlattr *opts;

	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_handle = TC_H_MAKE(1 << 16, 0);
	tcm->tcm_parent = TC_H_ROOT;
	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");

	/* ethernet link layer: the kernel needs no rate table */
	qopt.rate.linklayer = TC_LINKLAYER_ETHERNET;
	qopt.rate.rate = rate_Bps >= ~0U ? ~0U : rate_Bps;
	qopt.limit = limit;
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(qopt), &qopt);
	if (rate_Bps >= ~0U)
		mnl_attr_put_u64(nlh, TCA_TBF_RATE64, rate_Bps);
	mnl_attr_put_u32(nlh, TCA_TBF_BURST, burst);
	mnl_attr_nest_end(nlh, opts);
	return transact(nl, nlh);
}

static struct nlmsghdr *route6_put(void *buf, __u16 type, __u16 flags,
				   const __u8 dst[16], int plen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = SRFD_RTPROT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, 16, dst);
	return nlh;
}

static struct nlmsghdr *route6_request(struct srfd_nl *nl, __u16 type,
				       __u16 flags, const __u8 dst[16], int plen)
{
	struct nlmsghdr *nlh = route6_put(nl->buf, type, flags, dst, plen);

	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

struct nlmsghdr *srfd_nl_route6_msg(void *buf, const struct srfd_route *rt,
				    int replace, int prog_fd,
				    const char *prog_name)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest, *bpf;

	nlh = route6_put(buf, RTM_NEWROUTE, NLM_F_CREATE |
			 (replace ? NLM_F_REPLACE : NLM_F_EXCL), rt->dst, rt->plen);
	if (rt->nhid) {
		/* the nexthop object says where: no gateway, no device */
		mnl_attr_put_u32(nlh, RTA_NH_ID, rt->nhid);
	} else {
		if (rt->has_gw)
			mnl_attr_put(nlh, RTA_GATEWAY, 16, rt->gw);
		mnl_attr_put_u32(nlh, RTA_OIF, rt->oif);
	}
	if (rt->has_prefsrc)
		mnl_attr_put(nlh, RTA_PREFSRC, 16, rt->prefsrc);
	if (rt->metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, rt->metric);
	if (rt->mtu) {
		nest = mnl_attr_nest_start(nlh, RTA_METRICS);
		mnl_attr_put_u32(nlh, RTAX_MTU, rt->mtu);
		mnl_attr_nest_end(nlh, nest);
	}
	if (rt->sid == SRFD_SID_END_BPF) {
		mnl_attr_put_u16(nlh, RTA_ENCAP_TYPE, LWTUNNEL_ENCAP_SEG6_LOCAL);
		nest = mnl_attr_nest_start(nlh, RTA_ENCAP);
		mnl_attr_put_u32(nlh, SEG6_LOCAL_ACTION, SEG6_LOCAL_ACTION_END_BPF);
		bpf = mnl_attr_nest_start(nlh, SEG6_LOCAL_BPF);
	} else if (rt->sid == SRFD_SID_LWT_IN) {
		mnl_attr_put_u16(nlh, RTA_ENCAP_TYPE, LWTUNNEL_ENCAP_BPF);
		nest = mnl_attr_nest_start(nlh, RTA_ENCAP);
		bpf = mnl_attr_nest_start(nlh, LWT_BPF_IN);
	} else {
		return nlh;
	}
	mnl_attr_put_u32(nlh, LWT_BPF_PROG_FD, prog_fd);
	mnl_attr_put_strz(nlh, LWT_BPF_PROG_NAME, prog_name);
	mnl_attr_nest_end(nlh, bpf);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

int srfd_nl_route6_add(struct srfd_nl *nl, const struct srfd_route *rt,
		       int replace, int prog_fd, const char *prog_name)
{
	struct nlmsghdr *nlh = srfd_nl_route6_msg(nl->buf, rt, replace, prog_fd,
						  prog_name);

	nlh->nlmsg_seq = ++nl->seq;
	return transact(nl, nlh);
}

int srfd_nl_route6_del(struct srfd_nl *nl, const __u8 dst[16])
{
	return transact(nl, route6_request(nl, RTM_DELROUTE, 0, dst, 128));
}

struct route_get_result {
	int oif;
	int has_gw;
	__u8 *gw;
};

static int route_get_attr(const struct nlattr *attr, void *data)
{
	struct route_get_result *r = data;

	if (mnl_attr_get_type(attr) == RTA_OIF &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		r->oif = mnl_attr_get_u32(attr);
	if (mnl_attr_get_type(attr) == RTA_GATEWAY &&
	    mnl_attr_get_payload_len(attr) == 16) {
		memcpy(r->gw, mnl_attr_get_payload(attr), 16);
		r->has_gw = 1;
	}
	return MNL_CB_OK;
}

static int route_get_reply(const struct nlmsghdr *r, void *data)
{
	struct route_get_result *res = data;

	if (r->nlmsg_type != RTM_NEWROUTE)
		return -EPROTO;
	mnl_attr_parse(r, sizeof(struct rtmsg), route_get_attr, res);
	return res->oif ? 0 : -ENETUNREACH;
}

int srfd_nl_route6_get(struct srfd_nl *nl, const __u8 dst[16], int *oif,
		       __u8 gw[16], int *has_gw)
{
	struct route_get_result res = { .gw = gw };
	struct nlmsghdr *nlh = request(nl, RTM_GETROUTE, 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	int err;

	nlh->nlmsg_flags = NLM_F_REQUEST;	/* the answer is the route */
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	mnl_attr_put(nlh, RTA_DST, 16, dst);
	err = transact_reply(nl, nlh, route_get_reply, &res);
	if (err)
		return err;
	*oif = res.oif;
	*has_gw = res.has_gw;
	return 0;
}

int srfd_nl_route6_prefix_del(struct srfd_nl *nl, const __u8 dst[16], int plen,
			      __u32 metric)
{
	struct nlmsghdr *nlh = route6_request(nl, RTM_DELROUTE, 0, dst, plen);

	mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	return transact(nl, nlh);
}

static int route_bpf_attr(const struct nlattr *attr, void *data)
{
	struct srfd_route *rt = data;

	if (mnl_attr_get_type(attr) == LWT_BPF_PROG_FD &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		rt->prog_id = mnl_attr_get_u32(attr);	/* the dump says the id */
	if (mnl_attr_get_type(attr) == LWT_BPF_PROG_NAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(rt->prog_name, sizeof(rt->prog_name), "%s",
			 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* RTA_ENCAP of a seg6local route: the action, and End.BPF's program */
static int route_seg6local_attr(const struct nlattr *attr, void *data)
{
	struct srfd_route *rt = data;

	if (mnl_attr_get_type(attr) == SEG6_LOCAL_ACTION &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0 &&
	    mnl_attr_get_u32(attr) == SEG6_LOCAL_ACTION_END_BPF)
		rt->sid = SRFD_SID_END_BPF;
	if (mnl_attr_get_type(attr) == SEG6_LOCAL_BPF)
		mnl_attr_parse_nested(attr, route_bpf_attr, rt);
	return MNL_CB_OK;
}

/* RTA_ENCAP of an LWT BPF route: only an `in` program makes it a SID */
static int route_lwt_bpf_attr(const struct nlattr *attr, void *data)
{
	struct srfd_route *rt = data;

	if (mnl_attr_get_type(attr) == LWT_BPF_IN) {
		rt->sid = SRFD_SID_LWT_IN;
		mnl_attr_parse_nested(attr, route_bpf_attr, rt);
	}
	return MNL_CB_OK;
}

static int route_metric_attr(const struct nlattr *attr, void *data)
{
	struct srfd_route *rt = data;

	if (mnl_attr_get_type(attr) == RTAX_MTU &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		rt->mtu = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

/* RTA_ENCAP's meaning depends on RTA_ENCAP_TYPE, which may come after it */
struct route_parse {
	struct srfd_route *rt;
	const struct nlattr *encap;
	int encap_type;
};

static int route_attr(const struct nlattr *attr, void *data)
{
	struct route_parse *p = data;
	struct srfd_route *rt = p->rt;
	int type = mnl_attr_get_type(attr);

	switch (type) {
	case RTA_DST:
	case RTA_GATEWAY:
	case RTA_PREFSRC:
		if (mnl_attr_get_payload_len(attr) != 16)
			break;
		memcpy(type == RTA_DST ? rt->dst : type == RTA_GATEWAY ?
		       rt->gw : rt->prefsrc, mnl_attr_get_payload(attr), 16);
		if (type == RTA_GATEWAY)
			rt->has_gw = 1;
		if (type == RTA_PREFSRC)
			rt->has_prefsrc = 1;
		break;
	case RTA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			rt->oif = mnl_attr_get_u32(attr);
		break;
	case RTA_PRIORITY:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			rt->metric = mnl_attr_get_u32(attr);
		break;
	case RTA_TABLE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			rt->table = mnl_attr_get_u32(attr);
		break;
	case RTA_NH_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			rt->nhid = mnl_attr_get_u32(attr);
		break;
	case RTA_METRICS:
		mnl_attr_parse_nested(attr, route_metric_attr, rt);
		break;
	case RTA_ENCAP:
		p->encap = attr;
		break;
	case RTA_ENCAP_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
			p->encap_type = mnl_attr_get_u16(attr);
		break;
	}
	return MNL_CB_OK;
}

int srfd_nl_route6_parse(const struct nlmsghdr *nlh, struct srfd_route *rt)
{
	struct route_parse p = { .rt = rt };
	const struct rtmsg *rtm;
	const struct nlattr *attr;

	if ((nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE) ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return -EINVAL;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET6)
		return -EAFNOSUPPORT;
	memset(rt, 0, sizeof(*rt));
	rt->plen = rtm->rtm_dst_len;
	rt->protocol = rtm->rtm_protocol;
	rt->table = rtm->rtm_table;
	mnl_attr_for_each(attr, nlh, sizeof(*rtm))
		route_attr(attr, &p);
	/* libmnl stops quietly at a broken attribute: that is an error here */
	if ((const char *)attr != (const char *)mnl_nlmsg_get_payload_tail(nlh))
		return -EINVAL;
	if (p.encap && p.encap_type == LWTUNNEL_ENCAP_SEG6_LOCAL)
		mnl_attr_parse_nested(p.encap, route_seg6local_attr, rt);
	else if (p.encap && p.encap_type == LWTUNNEL_ENCAP_BPF)
		mnl_attr_parse_nested(p.encap, route_lwt_bpf_attr, rt);
	return 0;
}

struct route_dump {
	void (*cb)(const struct srfd_route *rt, void *data);
	void *data;
};

static int route_dump_reply(const struct nlmsghdr *r, void *data)
{
	struct route_dump *d = data;
	struct srfd_route rt;

	if (srfd_nl_route6_parse(r, &rt) == 0 && rt.protocol == SRFD_RTPROT &&
	    rt.table == RT_TABLE_MAIN)
		d->cb(&rt, d->data);
	return 0;
}

int srfd_nl_route6_dump(struct srfd_nl *nl,
			void (*cb)(const struct srfd_route *rt, void *data),
			void *data)
{
	struct nlmsghdr *nlh = request(nl, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct route_dump d = { .cb = cb, .data = data };

	/* strict checking lets the kernel send only srfd's own routes */
	nlh->nlmsg_flags &= ~NLM_F_ACK;
	rtm->rtm_family = AF_INET6;
	rtm->rtm_protocol = SRFD_RTPROT;
	rtm->rtm_table = RT_TABLE_MAIN;
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	return transact_reply(nl, nlh, route_dump_reply, &d);
}

struct link_get_result {
	int ifindex;
	char *alias;
	size_t alias_len;
};

static int link_get_attr(const struct nlattr *attr, void *data)
{
	struct link_get_result *r = data;

	if (mnl_attr_get_type(attr) == IFLA_IFALIAS &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(r->alias, r->alias_len, "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int link_get_reply(const struct nlmsghdr *r, void *data)
{
	struct link_get_result *res = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(r);

	if (r->nlmsg_type != RTM_NEWLINK)
		return -EPROTO;
	res->ifindex = ifi->ifi_index;
	mnl_attr_parse(r, sizeof(*ifi), link_get_attr, res);
	return 0;
}

int srfd_nl_link_get(struct srfd_nl *nl, const char *name, int *ifindex,
		     char *alias, size_t alias_len)
{
	struct link_get_result res = { .alias = alias, .alias_len = alias_len };
	struct nlmsghdr *nlh = request(nl, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	int err;

	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	alias[0] = '\0';
	err = transact_reply(nl, nlh, link_get_reply, &res);
	if (err)
		return err;
	*ifindex = res.ifindex;
	return 0;
}

int srfd_nl_events_open(struct srfd_nl_events **out)
{
	struct srfd_nl_events *ev = calloc(1, sizeof(*ev));
	int one = 1, size = 4 << 20;

	if (!ev)
		return -ENOMEM;
	ev->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!ev->sock ||
	    mnl_socket_bind(ev->sock, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(ev->sock, NETLINK_ADD_MEMBERSHIP,
				  &(int){ RTNLGRP_IPV6_ROUTE }, sizeof(int)) < 0) {
		one = -errno;
		if (ev->sock)
			mnl_socket_close(ev->sock);
		free(ev);
		return one;
	}
	/* a route storm should not overrun us; if it does, we resync */
	setsockopt(mnl_socket_get_fd(ev->sock), SOL_SOCKET, SO_RCVBUF, &size,
		   sizeof(size));
	*out = ev;
	return 0;
}

int srfd_nl_events_fd(const struct srfd_nl_events *ev)
{
	return mnl_socket_get_fd(ev->sock);
}

int srfd_nl_events_read(struct srfd_nl_events *ev,
			void (*cb)(const struct srfd_route *rt, int deleted,
				   void *data),
			void *data)
{
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	struct srfd_route rt;
	struct nlmsghdr *r;
	ssize_t got;
	int n;

	for (;;) {
		got = mnl_socket_recvfrom(ev->sock, rbuf, sizeof(rbuf));
		if (got < 0)
			return errno == EAGAIN ? 0 : -errno;
		n = got;
		for (r = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(r, n);
		     r = mnl_nlmsg_next(r, &n))
			if (srfd_nl_route6_parse(r, &rt) == 0)
				cb(&rt, r->nlmsg_type == RTM_DELROUTE, data);
	}
}

void srfd_nl_events_close(struct srfd_nl_events *ev)
{
	if (!ev)
		return;
	mnl_socket_close(ev->sock);
	free(ev);
}

/* Nexthop objects (RTM_*NEXTHOP): srfd's are IPv6 gateways on a device. */

struct nlmsghdr *srfd_nl_nexthop_msg(void *buf, const struct srfd_nexthop_obj *nh)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nhmsg *nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));

	nlh->nlmsg_type = RTM_NEWNEXTHOP;
	/* replace moves every route that uses the object in one step */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	nhm->nh_family = AF_INET6;
	nhm->nh_protocol = SRFD_RTPROT;
	mnl_attr_put_u32(nlh, NHA_ID, nh->id);
	mnl_attr_put(nlh, NHA_GATEWAY, 16, nh->gw);
	mnl_attr_put_u32(nlh, NHA_OIF, nh->oif);
	return nlh;
}

int srfd_nl_nexthop_set(struct srfd_nl *nl, const struct srfd_nexthop_obj *nh)
{
	struct nlmsghdr *nlh = srfd_nl_nexthop_msg(nl->buf, nh);

	nlh->nlmsg_seq = ++nl->seq;
	return transact(nl, nlh);
}

int srfd_nl_nexthop_del(struct srfd_nl *nl, __u32 id)
{
	struct nlmsghdr *nlh = request(nl, RTM_DELNEXTHOP, 0);
	struct nhmsg *nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));

	nhm->nh_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NHA_ID, id);
	return transact(nl, nlh);
}

static int nexthop_attr(const struct nlattr *attr, void *data)
{
	struct srfd_nexthop_obj *nh = data;

	switch (mnl_attr_get_type(attr)) {
	case NHA_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			nh->id = mnl_attr_get_u32(attr);
		break;
	case NHA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			nh->oif = mnl_attr_get_u32(attr);
		break;
	case NHA_GATEWAY:
		if (mnl_attr_get_payload_len(attr) == 16)
			memcpy(nh->gw, mnl_attr_get_payload(attr), 16);
		break;
	}
	return MNL_CB_OK;
}

int srfd_nl_nexthop_parse(const struct nlmsghdr *nlh, struct srfd_nexthop_obj *nh)
{
	const struct nhmsg *nhm;

	if ((nlh->nlmsg_type != RTM_NEWNEXTHOP && nlh->nlmsg_type != RTM_DELNEXTHOP) ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*nhm)))
		return -EINVAL;
	nhm = mnl_nlmsg_get_payload(nlh);
	memset(nh, 0, sizeof(*nh));
	nh->protocol = nhm->nh_protocol;
	nh->family = nhm->nh_family;
	if (mnl_attr_parse(nlh, sizeof(*nhm), nexthop_attr, nh) < 0)
		return -EINVAL;
	return 0;
}

struct nexthop_dump {
	void (*cb)(const struct srfd_nexthop_obj *nh, void *data);
	void *data;
};

static int nexthop_dump_reply(const struct nlmsghdr *r, void *data)
{
	struct nexthop_dump *d = data;
	struct srfd_nexthop_obj nh;

	if (srfd_nl_nexthop_parse(r, &nh) == 0 && nh.protocol == SRFD_RTPROT)
		d->cb(&nh, d->data);
	return MNL_CB_OK;
}

int srfd_nl_nexthop_dump(struct srfd_nl *nl,
			 void (*cb)(const struct srfd_nexthop_obj *nh, void *data),
			 void *data)
{
	struct nlmsghdr *nlh = request(nl, RTM_GETNEXTHOP, NLM_F_DUMP);
	struct nhmsg *nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	struct nexthop_dump d = { .cb = cb, .data = data };

	nlh->nlmsg_flags &= ~NLM_F_ACK;
	nhm->nh_family = AF_UNSPEC;
	return transact_reply(nl, nlh, nexthop_dump_reply, &d);
}
