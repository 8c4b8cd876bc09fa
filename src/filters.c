// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* tc filters through libbpf's bpf_tc_* API (filters.h). */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "filters.h"

__u32 srfd_prog_id(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

__u32 srfd_filter_prog(const struct srfd_filter *f)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = f->ifindex,
		    .attach_point = f->ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = f->handle, .priority = f->prio);

	if (bpf_tc_query(&hook, &opts))
		return 0;
	return opts.prog_id;
}

int srfd_filter_ensure(const struct srfd_filter *f, int prog_fd,
		       int *made_clsact)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = f->ifindex,
		    .attach_point = f->ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = f->handle, .priority = f->prio,
		    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	__u32 cur = srfd_filter_prog(f);
	int err;

	*made_clsact = 0;
	if (cur && cur == srfd_prog_id(prog_fd))
		return 0;
	if (!cur) {
		err = bpf_tc_hook_create(&hook);
		if (err && err != -EEXIST)
			return err;
		*made_clsact = !err;
	}
	err = bpf_tc_attach(&hook, &opts);
	return err ? err : 1;
}

void srfd_filter_remove(const struct srfd_filter *f, int destroy_clsact)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = f->ifindex,
		    .attach_point = f->ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = f->handle, .priority = f->prio);

	bpf_tc_detach(&hook, &opts);
	if (!destroy_clsact)
		return;
	/* the caller passes @destroy_clsact only for a clsact srfd created */
	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	bpf_tc_hook_destroy(&hook);
}

__u32 srfd_filter_handle(const char *instance)
{
	__u32 h = 2166136261u;	/* FNV-1a */

	for (; *instance; instance++)
		h = (h ^ (__u8)*instance) * 16777619u;
	/* 0 is "any" for tc, 1 is the ticker's */
	return (h & 0x7fffffff) | 0x10000;
}
