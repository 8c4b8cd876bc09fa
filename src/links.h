/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The links srfdd watches: a libnl-3 cache manager keeps a route/link cache
 * current from RTNLGRP_LINK notifications; srfdd looks sessions' interfaces
 * up by name in it, so sessions follow an interface that is deleted,
 * re-created or renamed. A route/neigh cache in the same manager gives the
 * next hops srfd_encap sends to without a FIB lookup.
 */
#ifndef SRFD_LINKS_H
#define SRFD_LINKS_H

#include <linux/types.h>

struct srfd_links;

/* Called after any link change (or a resync after an overrun). */
typedef void (*srfd_links_changed_fn)(void *ctx);

int srfd_links_open(struct srfd_links **out, srfd_links_changed_fn changed,
		    void *ctx);
int srfd_links_fd(const struct srfd_links *l);
/* Process pending notifications; resyncs the cache if any were lost. */
void srfd_links_read(struct srfd_links *l);
/* ifindex of @name (0 if none) and whether it is up with carrier. */
int srfd_links_lookup(struct srfd_links *l, const char *name, int *oper_up);
/*
 * The L2 next hop @addr on @ifindex from the neighbour cache, if the kernel
 * has a usable entry (reachable, stale, delay, probe, permanent) and the
 * device is up: its MAC in @dmac, the device's in @smac, the device MTU.
 * -EHOSTUNREACH if unresolved, -ENETDOWN / -ENODEV for the device.
 */
int srfd_links_nexthop(struct srfd_links *l, int ifindex, const __u8 addr[16],
		       __u8 dmac[6], __u8 smac[6], unsigned int *mtu);
void srfd_links_close(struct srfd_links *l);

#endif
