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

/* One kernel feature srfd needs: what it is, since when, what uses it. */
struct srfd_kernel_feature {
	const char *name;	/* short key, e.g. "timer_abs" */
	const char *what;
	const char *since;	/* mainline release that brought it */
	const char *needed_for;
	int present;
};

/*
 * Every feature, probed once (map creation, helper probes, test runs of
 * bpf/features.bpf.c). SRFD_KERNEL_HIDE=name,... reports features as
 * missing (a test hook).
 */
const struct srfd_kernel_feature *srfd_kernel_features(unsigned int *n);
/* The lowest kernel release that has them all. */
const char *srfd_kernel_min(void);
/* 0, or -EOPNOTSUPP with @err naming every missing feature and the floor. */
int srfd_kernel_check(char *err, size_t errlen);

#endif
