// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Kernel feature probes that only a run can answer: the helpers exist on
 * older kernels but refuse these flags with -EINVAL at run time. srfdd test
 * runs each program once at start (src/kernel.c); returns 0 if the feature
 * works, else the helper's error.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lib/compat.h"

struct feat_timer {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct feat_timer);
} feat_timers SEC(".maps");

static int feat_timer_cb(void *map, __u32 *key, struct feat_timer *v)
{
	(void)map;
	(void)key;
	(void)v;
	return 0;
}

SEC("tc")
int feat_timer_abs(struct __sk_buff *skb)
{
	struct feat_timer *v;
	__u32 zero = 0;
	long err;

	(void)skb;
	v = bpf_map_lookup_elem(&feat_timers, &zero);
	if (!v)
		return -1;
	err = bpf_timer_init(&v->t, &feat_timers, CLOCK_MONOTONIC);
	if (err && err != -16)	/* -EBUSY: a second run */
		return err;
	err = bpf_timer_set_callback(&v->t, feat_timer_cb);
	if (err)
		return err;
	/* an hour from boot's zero: long past, so it would fire at once */
	err = bpf_timer_start(&v->t, bpf_ktime_get_ns() + 3600000000000ULL,
			      SRFD_TIMER_ABS);
	bpf_timer_cancel(&v->t);
	return err;
}

SEC("tc")
int feat_fib_skip_neigh(struct __sk_buff *skb)
{
	struct bpf_fib_lookup fib = { 0 };
	long rc;

	fib.family = AF_INET6;
	fib.ifindex = 1;	/* lo of the netns the test run happens in */
	fib.ipv6_dst[3] = __builtin_bswap32(1);	/* ::1 */
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib),
			    BPF_FIB_LOOKUP_OUTPUT | SRFD_FIB_LOOKUP_SKIP_NEIGH);
	return rc < 0 ? rc : 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
