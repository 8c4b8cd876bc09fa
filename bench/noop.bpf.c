// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench/encap.py attaches this to the same tc hooks srfd uses when it runs
 * the kernel's own `encap seg6` baseline, so both modes pay for an active
 * egress hook (static keys, clsact) and differ only in what srfd does.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

__attribute__((section("tc"), used))
int srfd_bench_noop(struct __sk_buff *skb)
{
	(void)skb;
	return TC_ACT_UNSPEC;
}

char LICENSE[] __attribute__((section("license"), used)) = "Dual BSD/GPL";
