/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * IPv6 header + Segment Routing Header writer shared by the probe builder
 * and the H.Encaps headend (and, through them, by the unit tests).
 */
#ifndef SRFD_BPF_LIB_SRH_H
#define SRFD_BPF_LIB_SRH_H

#include <linux/types.h>
#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/seg6.h>
#include <srfd/srfd.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef NEXTHDR_ROUTING
#define NEXTHDR_ROUTING 43
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define srfd_be16(x) __builtin_bswap16(x)
#define srfd_be32(x) __builtin_bswap32(x)
#define srfd_be64(x) __builtin_bswap64(x)
#else
#define srfd_be16(x) (x)
#define srfd_be32(x) (x)
#define srfd_be64(x) (x)
#endif

/* Big-endian fields at any alignment. */
static __always_inline void srfd_put_be32(__u8 *p, __u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static __always_inline __u32 srfd_get_be16(const __u8 *p)
{
	return (__u32)p[0] << 8 | p[1];
}

/* SID lists are at most 8 long on both sides, so one index mask serves. */
#define SRFD_SEG_MASK (SRFD_MAX_PROBE_SEGS - 1)
_Static_assert(SRFD_MAX_PROBE_SEGS == SRFD_MAX_ENCAP_SEGS, "one SID list bound");

/*
 * Write an IPv6 header (destination: the first SID) and an SRH carrying
 * @n SIDs of @segs (travel order; the SRH holds them reversed, RFC 8754)
 * into @buf. @payload_len counts what follows the SRH. Returns the length
 * written, or 0 if @n is out of range.
 */
static __always_inline __u32
srfd_ipv6_srh_write(__u8 *buf, const __u8 *src,
		    const __u8 segs[SRFD_MAX_PROBE_SEGS][SRFD_SID_LEN], __u32 n,
		    __u8 nexthdr, __u32 payload_len, __u8 hop_limit,
		    __u32 first_word)
{
	__u32 i, plen;

	if (n < 1 || n > SRFD_MAX_PROBE_SEGS)
		return 0;
	/*
	 * Byte stores, not struct ipv6hdr members: @buf follows a 14-byte
	 * Ethernet header, so the header is not 4-byte aligned (undefined
	 * behaviour in C, whatever x86 and BPF tolerate).
	 */
	plen = SRH_HLEN_SRFD + n * SRFD_SID_LEN + payload_len;
	srfd_put_be32(buf, first_word);
	buf[4] = plen >> 8;
	buf[5] = plen;
	buf[6] = NEXTHDR_ROUTING;
	buf[7] = hop_limit;
	__builtin_memcpy(buf + 8, src, SRFD_SID_LEN);
	__builtin_memcpy(buf + 24, segs[0], SRFD_SID_LEN);

	buf += IPV6_HLEN_SRFD;			/* struct ipv6_sr_hdr */
	buf[0] = nexthdr;
	buf[1] = n * 2;				/* hdrlen, 8-octet units */
	buf[2] = IPV6_SRCRT_TYPE_4;
	buf[3] = n - 1;				/* segments_left */
	buf[4] = n - 1;				/* last entry */
	buf[5] = 0;				/* flags */
	buf[6] = 0;				/* tag */
	buf[7] = 0;
	for (i = 0; i < SRFD_MAX_PROBE_SEGS; i++) {
		/* the mask is a no-op for i < n; it bounds the index for the verifier */
		__u32 travel = (n - 1 - i) & SRFD_SEG_MASK;

		if (i >= n)
			break;
		__builtin_memcpy(buf + SRH_HLEN_SRFD + i * SRFD_SID_LEN,
				 segs[travel], SRFD_SID_LEN);
	}
	return IPV6_HLEN_SRFD + SRH_HLEN_SRFD + n * SRFD_SID_LEN;
}

#endif /* SRFD_BPF_LIB_SRH_H */
