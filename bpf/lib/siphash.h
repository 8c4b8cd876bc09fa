/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * SipHash-2-4 (Aumasson & Bernstein), the keyed MAC that authenticates
 * srfd's probes. Written from the paper as a pure inline function over a
 * short byte string, so the BPF programs and the unit tests (reference test
 * vectors) run the same code. @len is at most SRFD_SIPHASH_MAX bytes.
 */
#ifndef SRFD_BPF_LIB_SIPHASH_H
#define SRFD_BPF_LIB_SIPHASH_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define SRFD_SIPHASH_MAX	32

/* the BPF build unrolls these short loops; host builds (tests) need not */
#ifdef __bpf__
#define SRFD_UNROLL _Pragma("unroll")
#else
#define SRFD_UNROLL
#endif

#define SRFD_ROTL64(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))
#define SRFD_SIPROUND(v0, v1, v2, v3) do {				\
	v0 += v1; v1 = SRFD_ROTL64(v1, 13); v1 ^= v0;			\
	v0 = SRFD_ROTL64(v0, 32);					\
	v2 += v3; v3 = SRFD_ROTL64(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = SRFD_ROTL64(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = SRFD_ROTL64(v1, 17); v1 ^= v2;			\
	v2 = SRFD_ROTL64(v2, 32);					\
} while (0)

/* Little-endian load of @n (0..8) bytes. */
static __always_inline __u64 srfd_le64(const __u8 *p, __u32 n)
{
	__u64 v = 0;
	__u32 i;

SRFD_UNROLL
	for (i = 0; i < 8; i++)
		if (i < n)
			v |= (__u64)p[i] << (8 * i);
	return v;
}

static __always_inline __u64 srfd_siphash24(__u64 k0, __u64 k1,
					    const __u8 *m, __u32 len)
{
	__u64 v0 = 0x736f6d6570736575ULL ^ k0;
	__u64 v1 = 0x646f72616e646f6dULL ^ k1;
	__u64 v2 = 0x6c7967656e657261ULL ^ k0;
	__u64 v3 = 0x7465646279746573ULL ^ k1;
	__u64 b = (__u64)len << 56, w;
	__u32 i, blocks;

	if (len > SRFD_SIPHASH_MAX)
		len = SRFD_SIPHASH_MAX;
	blocks = len / 8;
SRFD_UNROLL
	for (i = 0; i < SRFD_SIPHASH_MAX / 8; i++) {
		if (i >= blocks)
			break;
		w = srfd_le64(m + 8 * i, 8);
		v3 ^= w;
		SRFD_SIPROUND(v0, v1, v2, v3);
		SRFD_SIPROUND(v0, v1, v2, v3);
		v0 ^= w;
	}
	b |= srfd_le64(m + 8 * blocks, len & 7);
	v3 ^= b;
	SRFD_SIPROUND(v0, v1, v2, v3);
	SRFD_SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SRFD_SIPROUND(v0, v1, v2, v3);
	SRFD_SIPROUND(v0, v1, v2, v3);
	SRFD_SIPROUND(v0, v1, v2, v3);
	SRFD_SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

#endif
