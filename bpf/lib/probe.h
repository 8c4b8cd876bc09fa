/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Probe wire format: building a looped SRv6 probe into a flat buffer and
 * parsing a returned one. Pure functions over bytes, shared verbatim by the
 * BPF programs and by the userspace unit tests, so the tests exercise the
 * code that runs in the kernel.
 *
 * Probe layout (big endian on the wire):
 *   Ethernet | IPv6 (nh=43, da=first segment) | SRH type 4 | struct srfd_probe
 * The SRH carries the segments in reverse travel order (RFC 8754) and its
 * next header is IPPROTO_NONE: the payload is ours alone.
 */
#ifndef SRFD_BPF_LIB_PROBE_H
#define SRFD_BPF_LIB_PROBE_H

#include <linux/if_ether.h>
#include "siphash.h"
#include "srh.h"

#ifndef NEXTHDR_NONE
#define NEXTHDR_NONE 59
#endif
#define SRFD_PROBE_HOP_LIMIT 64

/* Fields of a parsed probe, host byte order. */
struct srfd_probe_info {
	__u16 session_id;
	__u8  nsegs;
	__u8  segments_left;
	__u64 seq;
	__u64 tx_ns;
	__u64 mac;
};

/* The probe MAC: SipHash-2-4 of (session, seq, tx_ns) under @key. */
static __always_inline __u64 srfd_probe_mac(const __u64 key[2], __u16 session,
					    __u64 seq, __u64 tx_ns)
{
	__u64 m[3] = { session, seq, tx_ns };

	/* the words are hashed in little-endian byte order on every host */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	m[0] = __builtin_bswap64(m[0]);
	m[1] = __builtin_bswap64(m[1]);
	m[2] = __builtin_bswap64(m[2]);
#endif
	return srfd_siphash24(key[0], key[1], (const __u8 *)m, sizeof(m));
}

/*
 * 1 if the probe in @pkt (@skb_len bytes from its IPv6 header on, parsed
 * into @info) is exactly what a reflector may send back: no byte after the
 * probe payload, and a return leg that is precisely the prober's own SID
 * twice (segments_left 1, segments 0 and 1 equal), so one reflection ends at
 * the prober and a reflector SID repeated in the list is not bounced again.
 */
static __always_inline int srfd_probe_reflectable(const __u8 *pkt, __u32 len,
						  __u32 skb_len,
						  const struct srfd_probe_info *info)
{
	__u32 plen = SRH_HLEN_SRFD + info->nsegs * SRFD_SID_LEN +
		     sizeof(struct srfd_probe);
	__u64 a[2], b[2];

	if (len < IPV6_HLEN_SRFD || srfd_get_be16(pkt + 4) != plen ||
	    skb_len != IPV6_HLEN_SRFD + plen ||
	    info->segments_left != 1 || info->nsegs < 3 ||
	    len < IPV6_HLEN_SRFD + SRH_HLEN_SRFD + 2 * SRFD_SID_LEN)
		return 0;
	__builtin_memcpy(a, pkt + IPV6_HLEN_SRFD + SRH_HLEN_SRFD, SRFD_SID_LEN);
	__builtin_memcpy(b, pkt + IPV6_HLEN_SRFD + SRH_HLEN_SRFD + SRFD_SID_LEN,
			 SRFD_SID_LEN);
	return a[0] == b[0] && a[1] == b[1];
}

/*
 * 1 if the segment list of the probe in @pkt (@len bytes from its IPv6
 * header, already parsed) is exactly the one @cfg sends: a probe copied
 * onto another path does not count.
 */
static __always_inline int srfd_probe_path_ok(const __u8 *pkt, __u32 len,
					      const struct srfd_session_cfg *cfg,
					      __u32 nsegs)
{
	__u64 got[2], want[2];
	const __u8 *seg;
	__u32 i, n = cfg->nsegs;

	if (nsegs != n || n < 1 || n > SRFD_MAX_PROBE_SEGS ||
	    len < IPV6_HLEN_SRFD + SRH_HLEN_SRFD + n * SRFD_SID_LEN)
		return 0;
SRFD_UNROLL
	for (i = 0; i < SRFD_MAX_PROBE_SEGS; i++) {
		if (i >= n)
			break;
		/* the SRH holds the list reversed (RFC 8754) */
		seg = pkt + IPV6_HLEN_SRFD + SRH_HLEN_SRFD + i * SRFD_SID_LEN;
		/* two 64-bit compares: BPF has no memcmp() */
		__builtin_memcpy(got, seg, SRFD_SID_LEN);
		__builtin_memcpy(want, cfg->probe_segs[(n - 1 - i) & SRFD_SEG_MASK],
				 SRFD_SID_LEN);
		if (got[0] != want[0] || got[1] != want[1])
			return 0;
	}
	return 1;
}

/*
 * Build the probe for @cfg into @buf (at least SRFD_PROBE_BUF_LEN bytes).
 * Returns the frame length, or 0 if the configuration cannot make a probe.
 */
static __always_inline __u32
srfd_probe_build(__u8 *buf, const struct srfd_session_cfg *cfg, __u64 seq,
		 __u64 tx_ns)
{
	struct srfd_probe probe;
	__u32 n = cfg->nsegs;

	if (n < 1 || n > SRFD_MAX_PROBE_SEGS)
		return 0;

	/* L2 is filled in by bpf_redirect_neigh(); it only has to be unicast */
	__builtin_memset(buf, 0, 2 * ETH_ALEN);
	buf[12] = ETH_P_IPV6 >> 8;
	buf[13] = ETH_P_IPV6 & 0xff;
	if (!srfd_ipv6_srh_write(buf + ETH_HLEN_SRFD, cfg->src,
				 (const __u8 (*)[SRFD_SID_LEN])cfg->probe_segs,
				 n, NEXTHDR_NONE, sizeof(struct srfd_probe),
				 SRFD_PROBE_HOP_LIMIT, 6u << 28))
		return 0;

	probe.magic = srfd_be32(SRFD_PROBE_MAGIC);
	probe.version = SRFD_PROBE_VERSION;
	probe.flags = 0;
	probe.session_id = srfd_be16(cfg->session_id);
	probe.seq = srfd_be64(seq);
	probe.tx_ns = srfd_be64(tx_ns);
	probe.mac = srfd_be64(srfd_probe_mac(cfg->key, cfg->session_id, seq,
					     tx_ns));
	/* copied, not written in place: the payload is not 8-byte aligned */
	__builtin_memcpy(buf + ETH_HLEN_SRFD + IPV6_HLEN_SRFD + SRH_HLEN_SRFD +
			 n * SRFD_SID_LEN, &probe, sizeof(probe));

	return SRFD_PROBE_LEN(n);
}

/*
 * Parse a probe starting at its IPv6 header; @len bytes are available in
 * @pkt (at most SRFD_PROBE_BUF_LEN). Returns SRFD_R_PROBE_OK and fills @info,
 * or the reason the packet is not a well-formed srfd probe.
 */
static __always_inline enum srfd_reason
srfd_probe_parse(const __u8 *pkt, __u32 len, struct srfd_probe_info *info)
{
	struct srfd_probe probe;
	__u32 hdrlen, nsegs, off;
	const __u8 *srh;

	/* byte reads throughout: @pkt may sit at any alignment */
	if (len < IPV6_HLEN_SRFD + SRH_HLEN_SRFD)
		return SRFD_R_TRUNCATED;
	if ((pkt[0] >> 4) != 6 || pkt[6] != NEXTHDR_ROUTING)
		return SRFD_R_NOT_SRH;

	srh = pkt + IPV6_HLEN_SRFD;	/* nexthdr, hdrlen, type, SL, last entry */
	hdrlen = srh[1];
	if (srh[2] != IPV6_SRCRT_TYPE_4 || hdrlen == 0 || (hdrlen & 1))
		return SRFD_R_BAD_SRH;
	nsegs = hdrlen / 2;
	if (nsegs > SRFD_MAX_PROBE_SEGS || srh[4] != nsegs - 1 || srh[3] > srh[4])
		return SRFD_R_BAD_SRH;
	if (srh[0] != NEXTHDR_NONE)
		return SRFD_R_NOT_PROBE;

	off = IPV6_HLEN_SRFD + SRH_HLEN_SRFD + nsegs * SRFD_SID_LEN;
	if (srfd_get_be16(pkt + 4) < off - IPV6_HLEN_SRFD + sizeof(probe) ||
	    len < off + sizeof(probe))
		return SRFD_R_TRUNCATED;

	__builtin_memcpy(&probe, pkt + off, sizeof(probe));
	if (probe.magic != srfd_be32(SRFD_PROBE_MAGIC) ||
	    probe.version != SRFD_PROBE_VERSION)
		return SRFD_R_NOT_PROBE;

	info->session_id = srfd_be16(probe.session_id);
	info->nsegs = nsegs;
	info->segments_left = srh[3];
	info->seq = srfd_be64(probe.seq);
	info->tx_ns = srfd_be64(probe.tx_ns);
	info->mac = srfd_be64(probe.mac);
	return SRFD_R_PROBE_OK;
}

#endif /* SRFD_BPF_LIB_PROBE_H */
