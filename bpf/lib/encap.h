/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * SRv6 headend (H.Encaps) header building (srfdd builds each prefix's
 * header template with it; srfd_encap fills in the per-packet fields) and
 * the hold-down/dampening rule of the fast-reroute revert. Pure functions,
 * shared by the BPF programs, srfdd and the userspace unit tests.
 */
#ifndef SRFD_BPF_LIB_ENCAP_H
#define SRFD_BPF_LIB_ENCAP_H

#include "srh.h"

#ifndef NEXTHDR_IPV6
#define NEXTHDR_IPV6 41
#endif
#define SRFD_ENCAP_HOP_LIMIT 64

/* Bytes H.Encaps adds in front of the inner IPv6 packet. */
#define SRFD_ENCAP_OVERHEAD(n) (IPV6_HLEN_SRFD + SRH_HLEN_SRFD + (n) * SRFD_SID_LEN)
#define SRFD_ENCAP_MAX_OVERHEAD SRFD_ENCAP_OVERHEAD(SRFD_MAX_ENCAP_SEGS)

/*
 * Write the outer IPv6 header and SRH for an inner IPv6 packet of
 * @inner_len bytes into @buf. @segs holds @n SIDs in travel order. The
 * traffic class is copied from the inner packet (RFC 8986 H.Encaps) and the
 * flow label comes from the inner flow's hash so ECMP keeps flows together.
 * Returns the header length, or 0 for an impossible list.
 */
static __always_inline __u32
srfd_encap_build(__u8 *buf, const __u8 *src,
		 const __u8 segs[SRFD_MAX_ENCAP_SEGS][SRFD_SID_LEN], __u32 n,
		 __u32 inner_len, __u8 tclass, __u32 flowlabel)
{
	return srfd_ipv6_srh_write(buf, src, segs, n, NEXTHDR_IPV6, inner_len,
				   SRFD_ENCAP_HOP_LIMIT,
				   (6u << 28) | ((__u32)tclass << 20) |
				   (flowlabel & 0xfffff));
}

/*
 * Dampening: the hold-down that applies after a switch to the backup at
 * @now. It starts at @base, doubles for every switch that comes less than
 * @quiet after the previous one, never exceeds @cap, and falls back to
 * @base after a quiet period.
 */
static __always_inline __u64
srfd_hold_after_switch(__u64 cur, __u64 last_switch_ns, __u64 now, __u64 base,
		       __u64 cap, __u64 quiet)
{
	__u64 next;

	if (!cur || !last_switch_ns || now - last_switch_ns >= quiet)
		return base < cap ? base : cap;
	next = cur * 2;
	if (next < cur || next > cap)	/* overflow or over the cap */
		next = cap;
	return next;
}

/* May a prefix go back to its primary: all guards up for the hold-down? */
static __always_inline int srfd_may_revert(__u64 up_since_ns, __u64 hold_ns,
					   __u64 now)
{
	return now >= up_since_ns && now - up_since_ns >= hold_ns;
}

#endif /* SRFD_BPF_LIB_ENCAP_H */
