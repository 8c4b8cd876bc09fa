/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What the running kernel can do, where srfd has a choice. */
#ifndef SRFD_KERNEL_H
#define SRFD_KERNEL_H

/*
 * 1 if lwt_seg6local programs may call the seg6 helpers, i.e. the kernel has
 * seg6local and its BPF side (CONFIG_IPV6_SEG6_LWTUNNEL, _BPF): End.BPF
 * routes and the reflector's End.X. Probed once by loading a tiny program.
 */
int srfd_kernel_seg6local(void);

#endif
