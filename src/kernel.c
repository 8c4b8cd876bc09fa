// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Kernel feature probes (kernel.h). libbpf 1.1's libbpf_probe_bpf_helper()
 * recognises only the older verifier wording of "helper not allowed", and
 * 6.x kernels say "program of this type cannot use helper": it reports such
 * a helper as present. So the probe is a load that must succeed.
 */
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/seg6_local.h>
#include <bpf/bpf.h>

#include "kernel.h"

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })

int srfd_kernel_seg6local(void)
{
	static int known = -1;
	/* bpf_lwt_seg6_action(ctx, END_X, &zeroed in6_addr, 16); return 0 */
	const struct bpf_insn prog[] = {
		INSN(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, -8, 0),
		INSN(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, -16, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0,
		     SEG6_LOCAL_ACTION_END_X),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, -16),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, 16),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_lwt_seg6_action),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	int fd;

	if (known >= 0)
		return known;
	fd = bpf_prog_load(BPF_PROG_TYPE_LWT_SEG6LOCAL, "srfd_probe_seg6", "GPL",
			   prog, sizeof(prog) / sizeof(prog[0]), NULL);
	known = fd >= 0;
	if (fd >= 0)
		close(fd);
	return known;
}
