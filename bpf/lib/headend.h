/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * H.Encaps of protected traffic with the active SID list of its prefix,
 * on the egress of the primary's device or of the loop. BPF side only;
 * the header writer is lib/encap.h, shared with the unit tests.
 */
#ifndef SRFD_BPF_LIB_HEADEND_H
#define SRFD_BPF_LIB_HEADEND_H

#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include "maps.h"
static __always_inline void encap_account(struct __sk_buff *skb, __u32 skey)
{
	struct srfd_encap_stats *stats;

	stats = bpf_map_lookup_elem(&srfd_encap_stats, &skey);
	if (stats) {
		stats->packets += skb->gso_segs ?: 1;
		stats->bytes += skb->len;
	}
}

/*
 * Write the @hlen header bytes behind the MAC header: directly into the
 * packet when it is linear that far (adjust_room just made the room ours),
 * else through the helper.
 */
static __always_inline int encap_write(struct __sk_buff *skb, const __u8 *hdr,
				       __u32 hlen)
{
	__u8 *data = (__u8 *)(long)skb->data;
	__u8 *end = (__u8 *)(long)skb->data_end;
	__u8 *p = data + ETH_HLEN_SRFD;
	__u32 i;

	/* the per-piece checks below are for the verifier; this one decides */
	if (hlen > SRFD_ENCAP_MAX_OVERHEAD || (long)(end - p) < (long)hlen ||
	    p + IPV6_HLEN_SRFD + SRH_HLEN_SRFD > end)
		return bpf_skb_store_bytes(skb, ETH_HLEN_SRFD, hdr, hlen, 0);
	__builtin_memcpy(p, hdr, IPV6_HLEN_SRFD + SRH_HLEN_SRFD);
	p += IPV6_HLEN_SRFD + SRH_HLEN_SRFD;
	hdr += IPV6_HLEN_SRFD + SRH_HLEN_SRFD;
	for (i = 0; i < SRFD_MAX_ENCAP_SEGS; i++) {
		if (IPV6_HLEN_SRFD + SRH_HLEN_SRFD + i * SRFD_SID_LEN >= hlen)
			break;
		if (p + SRFD_SID_LEN > end)
			return -1;
		__builtin_memcpy(p, hdr, SRFD_SID_LEN);
		p += SRFD_SID_LEN;
		hdr += SRFD_SID_LEN;
	}
	return 0;
}

/*
 * Push list @list's outer IPv6 header + SRH from the prefix's template and
 * fill in the per-packet fields: traffic class (the inner packet's, RFC
 * 8986 H.Encaps), flow label (the inner flow's hash, so ECMP keeps flows
 * together) and payload length.
 */
static __always_inline int encap_push(struct __sk_buff *skb,
				      const struct srfd_prefix_cfg *cfg,
				      __u32 list, __u32 n, __u32 inner_len,
				      const struct ipv6hdr *inner)
{
	__u32 hlen = SRFD_ENCAP_OVERHEAD(n), word, plen;
	__u8 *data, *p;

	if (n < 1 || n > SRFD_MAX_ENCAP_SEGS)
		return -1;
	word = (6u << 28) | ((bpf_ntohl(*(__u32 *)inner) >> 20 & 0xff) << 20) |
	       (skb->hash & 0xfffff);
	plen = hlen - IPV6_HLEN_SRFD + inner_len;
	/*
	 * FIXED_GSO: the route MTU already left room for this header, so
	 * GSO segments keep their size instead of shrinking by @hlen.
	 */
	if (bpf_skb_adjust_room(skb, hlen, BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 |
				BPF_F_ADJ_ROOM_FIXED_GSO |
				BPF_F_ADJ_ROOM_NO_CSUM_RESET))
		return -1;
	if (encap_write(skb, cfg->hdr[list & 1], hlen))
		return -1;
	data = (__u8 *)(long)skb->data;
	p = data + ETH_HLEN_SRFD;
	if (p + 6 > (__u8 *)(long)skb->data_end)
		return -1;	/* encap_write() wrote it linear or failed */
	srfd_put_be32(p, word);
	p[4] = plen >> 8;
	p[5] = plen;
	return 0;
}

/*
 * H.Encaps towards the next hop srfdd cached for this (prefix, list): no
 * FIB lookup. On the device the kernel already routed the packet to (the
 * fast route, whose gateway srfdd keeps equal to the cached one) its L2
 * header is right and the packet just goes on; otherwise (the backup list,
 * or the loop's fallback) it gets the cached MACs and is redirected.
 */
static __always_inline enum srfd_reason
encap_cached(struct __sk_buff *skb, const struct srfd_prefix_cfg *cfg,
	     __u32 list, __u32 n, __u32 inner_len, const struct ipv6hdr *inner,
	     const struct srfd_nexthop *nhc, __u32 skey, int on_loop,
	     int *verdict)
{
	__u32 ifindex = nhc->ifindex;
	__u8 *data;

	/* GSO segments were sized by the route MTU, which leaves room */
	if (!skb->gso_size && inner_len + SRFD_ENCAP_OVERHEAD(n) > nhc->mtu)
		return SRFD_R_ENCAP_TOO_BIG;
	if (encap_push(skb, cfg, list, n, inner_len, inner))
		return SRFD_R_ENCAP_FAIL;
	encap_account(skb, skey);
	if (!on_loop && ifindex == skb->ifindex) {
		*verdict = TC_ACT_OK;
		return SRFD_R_ENCAP_OK;
	}
	data = (__u8 *)(long)skb->data;
	if (data + 2 * ETH_ALEN > (__u8 *)(long)skb->data_end)
		return SRFD_R_ENCAP_FAIL;	/* adjust_room left it linear */
	__builtin_memcpy(data, nhc->dmac, ETH_ALEN);
	__builtin_memcpy(data + ETH_ALEN, nhc->smac, ETH_ALEN);
	*verdict = bpf_redirect(ifindex, 0);
	return SRFD_R_ENCAP_OK;
}

/*
 * H.Encaps on the egress of a device srfd_encap is attached to (the
 * primary's egress device, or the loop). Returns the reason; *verdict is
 * the tc verdict.
 */
static __always_inline enum srfd_reason encap(struct __sk_buff *skb,
					      int *verdict)
{
	struct bpf_fib_lookup fib = { 0 };
	const struct srfd_prefix_cfg *cfg;
	struct srfd_prefix_state *st;
	const struct srfd_settings *set;
	struct srfd_prefix_key key;
	struct bpf_redir_neigh nh;
	__u32 zero = 0, idx, list, n, inner_len, skey;
	const struct srfd_nexthop *nhc;
	const __u64 *until;
	struct ipv6hdr inner;
	__u32 *pidx;
	int rc, on_loop;

	/*
	 * On the loop only protected traffic arrives; on a real egress
	 * device everything else must pass untouched, to the next filter.
	 */
	set = settings_get();
	if (!set) {
		*verdict = TC_ACT_UNSPEC;
		return SRFD_R_ENCAP_NO_PREFIX;
	}
	on_loop = skb->ifindex == set->loop_ifindex;
	*verdict = on_loop ? TC_ACT_SHOT : TC_ACT_UNSPEC;
	if (skb->protocol != bpf_htons(ETH_P_IPV6))
		return SRFD_R_ENCAP_NOT_IPV6;
	if (bpf_skb_load_bytes(skb, ETH_HLEN_SRFD, &inner, sizeof(inner)))
		return SRFD_R_TRUNCATED;
	key.prefixlen = 128;
	__builtin_memcpy(key.addr, &inner.daddr, SRFD_SID_LEN);
	pidx = bpf_map_lookup_elem(&srfd_prefix_lpm, &key);
	if (!pidx)
		return SRFD_R_ENCAP_NO_PREFIX;
	idx = *pidx;
	cfg = bpf_map_lookup_elem(&srfd_prefix_cfg, &idx);
	st = bpf_map_lookup_elem(&srfd_prefix_state, &idx);
	if (!cfg || !st || !cfg->valid)
		return SRFD_R_ENCAP_NO_PREFIX;
	*verdict = TC_ACT_SHOT;
	list = st->active & 1;
	n = cfg->nsegs[list];
	if (n < 1 || n > SRFD_MAX_ENCAP_SEGS)
		return SRFD_R_ENCAP_FAIL;

	inner_len = skb->len - ETH_HLEN_SRFD;
	skey = SRFD_ENCAP_STATS_KEY(idx, list);
	nhc = bpf_map_lookup_elem(&srfd_nexthops, &skey);
	until = bpf_map_lookup_elem(&srfd_nexthops_until, &zero);
	/* a coarse clock is plenty for a deadline seconds away, and cheaper */
	if (nhc && nhc->ifindex && until && bpf_ktime_get_coarse_ns() < *until)
		return encap_cached(skb, cfg, list, n, inner_len, &inner, nhc,
				    skey, on_loop, verdict);

	count(SRFD_R_ENCAP_SLOW);
	fib.family = AF_INET6;
	fib.ifindex = skb->ifindex;
	__builtin_memcpy(fib.ipv6_src, cfg->src, SRFD_SID_LEN);
	__builtin_memcpy(fib.ipv6_dst, cfg->segs[list][0], SRFD_SID_LEN);
	/* GSO segments were sized by the route MTU, which leaves room */
	if (!skb->gso_size)
		fib.tot_len = inner_len + SRFD_ENCAP_OVERHEAD(n);
	/*
	 * We originate the outer packet: an output lookup. On the loop the
	 * neighbour is left to bpf_redirect_neigh(); on a real egress device
	 * we want its address to send the packet on without a second pass.
	 */
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_OUTPUT |
			    (on_loop ? SRFD_FIB_LOOKUP_SKIP_NEIGH : 0));
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return SRFD_R_ENCAP_TOO_BIG;
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		return SRFD_R_ENCAP_NO_ROUTE;

	if (encap_push(skb, cfg, list, n, inner_len, &inner))
		return SRFD_R_ENCAP_FAIL;

	encap_account(skb, skey);
	/* already on the right device with a resolved neighbour: just go */
	if (!on_loop && rc == BPF_FIB_LKUP_RET_SUCCESS &&
	    fib.ifindex == skb->ifindex) {
		if (bpf_skb_store_bytes(skb, 0, fib.dmac, ETH_ALEN, 0) ||
		    bpf_skb_store_bytes(skb, ETH_ALEN, fib.smac, ETH_ALEN, 0))
			return SRFD_R_ENCAP_FAIL;
		*verdict = TC_ACT_OK;
		return SRFD_R_ENCAP_OK;
	}
	/* fib.ipv6_dst now holds the next hop (gateway or the SID itself) */
	nh.nh_family = AF_INET6;
	__builtin_memcpy(nh.ipv6_nh, fib.ipv6_dst, SRFD_SID_LEN);
	*verdict = bpf_redirect_neigh(fib.ifindex, &nh, sizeof(nh), 0);
	return SRFD_R_ENCAP_OK;
}

#endif
