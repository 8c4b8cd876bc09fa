/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* tc (clsact) filters srfd owns: the ticker's ingress and the encap egress. */
#ifndef SRFD_FILTERS_H
#define SRFD_FILTERS_H

#include <linux/types.h>

/* srfd_encap on devices srfd does not own: late, and recognisable */
#define SRFD_ENCAP_TC_PRIO	0xfff0

struct srfd_filter {
	int ifindex;
	int ingress;		/* else egress */
	__u32 handle;
	__u32 prio;
};

/* Kernel id of program @fd (0 on error). */
__u32 srfd_prog_id(int fd);
/*
 * Make @f run program @prog_fd: 0 if it already does, 1 if it had to be
 * attached or atomically replaced, or a negative errno. *made_clsact is set
 * if this call created the clsact qdisc.
 */
int srfd_filter_ensure(const struct srfd_filter *f, int prog_fd,
		       int *made_clsact);
/* Id of the program behind @f, 0 if there is no such filter. */
__u32 srfd_filter_prog(const struct srfd_filter *f);
/* Remove @f, and with @destroy_clsact the clsact qdisc it hangs on. */
void srfd_filter_remove(const struct srfd_filter *f, int destroy_clsact);
/* Per-instance filter handle: instances in one namespace never collide. */
__u32 srfd_filter_handle(const char *instance);

#endif
