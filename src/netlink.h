/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* rtnetlink requests srfdd makes (libmnl): links, TBF qdisc, seg6local routes. */
#ifndef SRFD_NETLINK_H
#define SRFD_NETLINK_H

#include <stddef.h>
#include <linux/types.h>

struct srfd_nl;
struct srfd_nl_events;
struct nlmsghdr;

/* Protocol number of every route srfdd installs (`proto 245`). */
#define SRFD_RTPROT 0xf5

/*
 * How a SID of srfd's reaches its program: seg6local End.BPF, or, on kernels
 * built without seg6local (CONFIG_IPV6_SEG6_LWTUNNEL), an LWT BPF route
 * whose `in` program sees every packet routed to the SID.
 */
enum srfd_sid_kind {
	SRFD_SID_NONE = 0,	/* a plain route */
	SRFD_SID_END_BPF,
	SRFD_SID_LWT_IN,
};

/* An IPv6 route as srfdd installs or reads it. */
struct srfd_route {
	__u8  dst[16];
	__u8  plen;
	__u8  protocol;
	__u8  has_gw;
	__u8  has_prefsrc;
	__u8  sid;		/* enum srfd_sid_kind */
	__u32 table;
	__u32 metric;
	__u32 mtu;
	__u32 prog_id;		/* the SID's program, as dumped */
	__u32 nhid;		/* via a nexthop object (then no gw, oif) */
	char  prog_name[16];	/* the SID's program (LWT BPF dumps no id) */
	int   oif;
	__u8  gw[16];
	__u8  prefsrc[16];
};

/* All calls return 0 or a negative errno; the kernel's extended ack text,
 * if any, is available from srfd_nl_errmsg() until the next request. */
int srfd_nl_open(struct srfd_nl **nl);
void srfd_nl_close(struct srfd_nl *nl);
const char *srfd_nl_errmsg(const struct srfd_nl *nl);

int srfd_nl_veth_create(struct srfd_nl *nl, const char *name,
			const __u8 mac[6], const char *peer,
			const __u8 peer_mac[6]);
/* IFLA_IFALIAS: srfd marks the devices it owns with it */
int srfd_nl_link_set_alias(struct srfd_nl *nl, int ifindex, const char *alias);
/* ifindex and alias ("" if none) of link @name; -ENODEV if there is none */
int srfd_nl_link_get(struct srfd_nl *nl, const char *name, int *ifindex,
		     char *alias, size_t alias_len);
int srfd_nl_link_set_up(struct srfd_nl *nl, int ifindex);
/* Set (@on) or clear IFF_NOARP. */
int srfd_nl_link_set_noarp(struct srfd_nl *nl, int ifindex, int on);
int srfd_nl_link_delete(struct srfd_nl *nl, int ifindex);
/* Root TBF: @rate_bps bytes per second, @burst and @limit in bytes. */
int srfd_nl_tbf_add(struct srfd_nl *nl, int ifindex, __u64 rate_Bps,
		    __u32 burst, __u32 limit);
int srfd_nl_route6_del(struct srfd_nl *nl, const __u8 dst[16]);
/*
 * @rt->dst/plen [via gw] dev oif [src prefsrc] [metric] [mtu], proto srfd;
 * with @rt->sid: encap seg6local action End.BPF endpoint @prog_fd, or encap
 * bpf in @prog_fd (both named @prog_name). New routes are exclusive (-EEXIST if the place is
 * taken); @replace swaps an existing one atomically.
 */
int srfd_nl_route6_add(struct srfd_nl *nl, const struct srfd_route *rt,
		       int replace, int prog_fd, const char *prog_name);
/* The message srfd_nl_route6_add() sends, built into @buf (no sequence). */
struct nlmsghdr *srfd_nl_route6_msg(void *buf, const struct srfd_route *rt,
				    int replace, int prog_fd,
				    const char *prog_name);
/*
 * `ip -6 route get <dst>`: the output interface and, if the route has one,
 * the gateway (*has_gw = 1).
 */
int srfd_nl_route6_get(struct srfd_nl *nl, const __u8 dst[16], int *oif,
		       __u8 gw[16], int *has_gw);
int srfd_nl_route6_prefix_del(struct srfd_nl *nl, const __u8 dst[16], int plen,
			      __u32 metric);

/* Parse an RTM_NEWROUTE/RTM_DELROUTE message of family AF_INET6. */
int srfd_nl_route6_parse(const struct nlmsghdr *nlh, struct srfd_route *rt);
/* Every IPv6 route of the main table with protocol srfd. */
int srfd_nl_route6_dump(struct srfd_nl *nl,
			void (*cb)(const struct srfd_route *rt, void *data),
			void *data);

/*
 * A nexthop object: IPv6 gateway @gw on device @oif, id @id. srfd's carry
 * protocol SRFD_RTPROT. srfd_nl_nexthop_set() creates or replaces it (a
 * replace moves every route using it at once).
 */
struct srfd_nexthop_obj {
	__u32 id;
	int   oif;
	__u8  gw[16];
	__u8  protocol;
	__u8  family;
};

int srfd_nl_nexthop_set(struct srfd_nl *nl, const struct srfd_nexthop_obj *nh);
struct nlmsghdr *srfd_nl_nexthop_msg(void *buf, const struct srfd_nexthop_obj *nh);
int srfd_nl_nexthop_del(struct srfd_nl *nl, __u32 id);
int srfd_nl_nexthop_parse(const struct nlmsghdr *nlh, struct srfd_nexthop_obj *nh);
/* Every nexthop object with protocol srfd. */
int srfd_nl_nexthop_dump(struct srfd_nl *nl,
			 void (*cb)(const struct srfd_nexthop_obj *nh, void *data),
			 void *data);

/*
 * IPv6 route change notifications (RTNLGRP_IPV6_ROUTE), non-blocking.
 * srfd_nl_events_read() drains the socket: 0, or -ENOBUFS after an overrun
 * (the caller then resynchronises from a dump).
 */
int srfd_nl_events_open(struct srfd_nl_events **ev);
int srfd_nl_events_fd(const struct srfd_nl_events *ev);
int srfd_nl_events_read(struct srfd_nl_events *ev,
			void (*cb)(const struct srfd_route *rt, int deleted,
				   void *data),
			void *data);
void srfd_nl_events_close(struct srfd_nl_events *ev);

#endif
