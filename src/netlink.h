/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* rtnetlink requests srfdd makes (libmnl): links, TBF qdisc, seg6local routes. */
#ifndef SRFD_NETLINK_H
#define SRFD_NETLINK_H

#include <stddef.h>
#include <linux/types.h>

struct srfd_nl;

/* All calls return 0 or a negative errno; the kernel's extended ack text,
 * if any, is available from srfd_nl_errmsg() until the next request. */
int srfd_nl_open(struct srfd_nl **nl);
void srfd_nl_close(struct srfd_nl *nl);
const char *srfd_nl_errmsg(const struct srfd_nl *nl);

int srfd_nl_veth_create(struct srfd_nl *nl, const char *name,
			const __u8 mac[6], const char *peer,
			const __u8 peer_mac[6]);
int srfd_nl_link_set_up(struct srfd_nl *nl, int ifindex);
/* Set (@on) or clear IFF_NOARP. */
int srfd_nl_link_set_noarp(struct srfd_nl *nl, int ifindex, int on);
int srfd_nl_link_delete(struct srfd_nl *nl, int ifindex);
/* Root TBF: @rate_bps bytes per second, @burst and @limit in bytes. */
int srfd_nl_tbf_add(struct srfd_nl *nl, int ifindex, __u64 rate_Bps,
		    __u32 burst, __u32 limit);
/* <sid>/128 encap seg6local action End.BPF endpoint fd @prog_fd dev @oif;
 * -EEXIST if a route for <sid>/128 exists already */
int srfd_nl_end_bpf_add(struct srfd_nl *nl, const __u8 sid[16], int oif,
			int prog_fd, const char *prog_name);
int srfd_nl_route6_del(struct srfd_nl *nl, const __u8 dst[16]);
/*
 * <dst>/<plen> [via @gw] dev @oif [src @prefsrc] metric @metric mtu @mtu
 * (@gw and @prefsrc may be NULL)
 */
int srfd_nl_route6_add(struct srfd_nl *nl, const __u8 dst[16], int plen,
		       const __u8 *gw, int oif, const __u8 *prefsrc,
		       __u32 metric, __u32 mtu);
/*
 * `ip -6 route get <dst>`: the output interface and, if the route has one,
 * the gateway (*has_gw = 1).
 */
int srfd_nl_route6_get(struct srfd_nl *nl, const __u8 dst[16], int *oif,
		       __u8 gw[16], int *has_gw);
int srfd_nl_route6_prefix_del(struct srfd_nl *nl, const __u8 dst[16], int plen,
			      __u32 metric);

#endif
