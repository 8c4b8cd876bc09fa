// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Kernel feature probes (kernel.h): what srfd needs, with the release that
 * brought it, checked at start so an old kernel is refused in words. libbpf 1.1's libbpf_probe_bpf_helper()
 * recognises only the older verifier wording of "helper not allowed", and
 * 6.x kernels say "program of this type cannot use helper": it reports such
 * a helper as present. So the probe is a load that must succeed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <linux/seg6_local.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "features.skel.h"
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

enum feat_how { FEAT_MAP, FEAT_HELPER, FEAT_RUN };

static struct srfd_kernel_feature features[] = {
	{ "ringbuf", "BPF ring buffer maps", "5.8", "kernel events", 0 },
	{ "queue_map", "BPF queue maps", "4.20", "the ticker's watch list", 0 },
	{ "redirect_neigh", "bpf_redirect_neigh()", "5.10", "probe emission", 0 },
	{ "ktime_coarse", "bpf_ktime_get_coarse_ns()", "5.11", "next-hop cache deadlines", 0 },
	{ "bpf_timer", "bpf_timer in map values", "5.15", "session watchdogs", 0 },
	{ "bpf_loop", "bpf_loop()", "5.17", "the probe ticker", 0 },
	{ "fib_skip_neigh", "BPF_FIB_LOOKUP_SKIP_NEIGH", "6.3",
	  "fast-reroute encap", 0 },
	{ "timer_abs", "absolute bpf_timer (BPF_F_TIMER_ABS)", "6.4",
	  "drift-free watchdogs and clock watch", 0 },
};
#define NFEATURES (sizeof(features) / sizeof(features[0]))
#define SRFD_KERNEL_MIN	"6.4"

/* SRFD_KERNEL_HIDE=a,b: test hook, report these features as missing. */
static int hidden(const char *name)
{
	const char *h = getenv("SRFD_KERNEL_HIDE"), *p;
	size_t n = strlen(name);

	for (p = h; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, n) && (p[n] == ',' || !p[n]))
			return 1;
	return 0;
}

static int map_works(enum bpf_map_type type, __u32 value, __u32 entries)
{
	int fd = bpf_map_create(type, NULL, 0, value, entries, NULL);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* Test-run one program of the features object: 0 is what works. */
static int run_works(struct bpf_program *prog)
{
	__u8 pkt[64] = { [12] = 0x86, [13] = 0xdd };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = sizeof(pkt));

	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts))
		return 0;
	return opts.retval == 0;
}

static void probe_all(void)
{
	struct srfd_features *skel = NULL;
	struct srfd_kernel_feature *f;
	libbpf_print_fn_t print;
	unsigned int i;

	/* a missing feature makes a probe fail: that is the answer, not news */
	print = libbpf_set_print(NULL);
	f = features;
	f[0].present = map_works(BPF_MAP_TYPE_RINGBUF, 0, 4096);
	f[1].present = map_works(BPF_MAP_TYPE_QUEUE, 8, 1);
	f[2].present = libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS,
					       BPF_FUNC_redirect_neigh, NULL) == 1;
	f[3].present = libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS,
					       BPF_FUNC_ktime_get_coarse_ns, NULL) == 1;
	f[4].present = libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS,
					       BPF_FUNC_timer_init, NULL) == 1;
	f[5].present = libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS,
					       BPF_FUNC_loop, NULL) == 1;
	/* the flags exist only as behaviour: run them (needs bpf_timer) */
	if (f[4].present) {
		skel = srfd_features__open_and_load();
		if (skel) {
			f[6].present = run_works(skel->progs.feat_fib_skip_neigh);
			f[7].present = run_works(skel->progs.feat_timer_abs);
		}
		srfd_features__destroy(skel);
	}
	libbpf_set_print(print);
	for (i = 0; i < NFEATURES; i++)
		if (hidden(features[i].name))
			features[i].present = 0;
}

const struct srfd_kernel_feature *srfd_kernel_features(unsigned int *n)
{
	static int probed;

	if (!probed++)
		probe_all();
	*n = NFEATURES;
	return features;
}

const char *srfd_kernel_min(void)
{
	return SRFD_KERNEL_MIN;
}

int srfd_kernel_check(char *err, size_t errlen)
{
	const struct srfd_kernel_feature *f = srfd_kernel_features(&(unsigned int){ 0 });
	struct utsname u = { 0 };
	size_t off = 0;
	unsigned int i;
	int missing = 0;

	uname(&u);
	for (i = 0; i < NFEATURES; i++) {
		if (f[i].present)
			continue;
		off += snprintf(err + off, off < errlen ? errlen - off : 0,
				"%s%s (Linux %s, for %s)", missing++ ? "; " :
				"", f[i].what, f[i].since, f[i].needed_for);
		if (off >= errlen)
			off = errlen;
	}
	if (!missing)
		return 0;
	if (off < errlen)
		snprintf(err + off, errlen - off, " %s missing in kernel %s: srfd "
			 "needs Linux >= %s (`srfdd --kernel-check` lists "
			 "every feature)", missing > 1 ? "are" : "is",
			 u.release, SRFD_KERNEL_MIN);
	return -EOPNOTSUPP;
}
