/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Where srfd steers traffic: the End.BPF and reflector SID routes, the
 * protected prefixes' fast routes (through nexthop objects that follow the
 * active list) and fallback routes, and the srfd_encap filters
 * on the devices those routes leave through. Everything is converged from
 * a dump of the kernel's `proto srfd` routes, so a route someone deleted or
 * changed, a fast route whose first hop moved, or a filter that vanished is
 * put back the next time srfdd reconciles.
 */
#ifndef SRFD_ROUTES_H
#define SRFD_ROUTES_H

struct srfd_dp;
struct srfd_prefix_cfg;

/* Converge routes and encap filters; returns the number of repairs. */
int srfd_routes_reconcile(struct srfd_dp *dp);
/*
 * After the kernel flipped prefixes: move their fast routes' nexthop
 * objects to the active lists' first hops, from what the last reconcile
 * resolved (no dump, no route lookup). Returns objects/routes written.
 */
int srfd_routes_fib_sync(struct srfd_dp *dp);
/*
 * Remove the routes of the valid prefixes in @old[0..n) (only those with
 * @which[i] set, if @which is given) that this instance owns.
 */
void srfd_routes_prefixes_remove(struct srfd_dp *dp,
				 const struct srfd_prefix_cfg *old,
				 const __u8 *which, unsigned int n);
/* Remove every route and encap filter of the instance. */
void srfd_routes_flush(struct srfd_dp *dp);

#endif
