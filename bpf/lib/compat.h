/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What BPF programs need that no header they can include defines: libc
 * constants, and kernel flags newer than the installed UAPI headers (6.1)
 * that the running kernel has. Shared by the data path (maps.h) and the
 * feature probes (features.bpf.c), which test exactly these flags.
 */
#ifndef SRFD_BPF_LIB_COMPAT_H
#define SRFD_BPF_LIB_COMPAT_H

#ifndef AF_INET6
#define AF_INET6 10
#endif
#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC 1
#endif
#define SRFD_TIMER_ABS (1ULL << 0)		/* BPF_F_TIMER_ABS, 6.4 */
#define SRFD_FIB_LOOKUP_SKIP_NEIGH (1U << 2)	/* 6.3 */

#endif
