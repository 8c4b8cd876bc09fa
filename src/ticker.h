/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The in-kernel probe clock: a private veth pair per instance
 * (sp-<instance> carries the TBF pacer, sl-<instance> the srfd_tick filter
 * and srfd's routes), with ticker frames circulating through it.
 */
#ifndef SRFD_TICKER_H
#define SRFD_TICKER_H

#include <linux/types.h>
#include <srfd/srfd.h>

struct srfd_nl;

#define SRFD_TICK_FRAME_LEN	64
#define SRFD_TICKERS		2
#define SRFD_TICK_TC_PRIO	1

struct srfd_ticker {
	char pace[SRFD_IFNAME_LEN];
	char loop[SRFD_IFNAME_LEN];
	char alias[64];		/* ownership mark on both ends */
	int pace_ifindex;
	int loop_ifindex;
	int packet_fd;
	__u32 next_id;
};

void srfd_ticker_init(struct srfd_ticker *t, const char *instance);
/*
 * Look the veth pair up: 0 if both ends exist and carry our mark, -ENODEV
 * if neither exists, -EEXIST if a name is taken by something not ours,
 * -ENOENT if only one end is left.
 */
int srfd_ticker_find(struct srfd_ticker *t, struct srfd_nl *nl);
/* Create the pair (removing a half-left one of ours first). */
int srfd_ticker_create(struct srfd_ticker *t, struct srfd_nl *nl);
/* (Re)install the TBF that paces the loop at one frame per @tick_us. */
int srfd_ticker_pace(struct srfd_ticker *t, struct srfd_nl *nl, __u32 tick_us);
/*
 * srfd_tick on the loop end's ingress: 0 if it was already there, 1 if it
 * had to be attached or replaced, or a negative errno.
 */
int srfd_ticker_attach(struct srfd_ticker *t, int prog_fd);
/* Put one more ticker frame into the loop. */
int srfd_ticker_inject(struct srfd_ticker *t);
/* Delete the pair (its qdiscs, filter and routes go with it). */
void srfd_ticker_delete(struct srfd_ticker *t, struct srfd_nl *nl);
void srfd_ticker_close(struct srfd_ticker *t);

#endif
