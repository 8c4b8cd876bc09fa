// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Route and encap-filter convergence (routes.h). libnl-route 3.7 can
 * neither express nor reliably cache seg6local routes (srfd's own End.BPF
 * /128 among them), so routes stay on libmnl: one filtered dump of the
 * `proto srfd` routes per pass, compared with what the configuration and
 * the FIB say they must be.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_arp.h>
#include <bpf/bpf.h>

#include "dataplane.h"
#include "filters.h"
#include "log.h"
#include "netlink.h"
#include "links.h"
#include "routes.h"
#include "srfd.skel.h"

struct route_set {
	struct srfd_route *r;
	unsigned int n, cap;
};

static void route_set_add(const struct srfd_route *rt, void *data)
{
	struct route_set *s = data;
	struct srfd_route *grown;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		grown = realloc(s->r, s->cap * sizeof(*grown));
		if (!grown)
			return;
		s->r = grown;
	}
	s->r[s->n++] = *rt;
}

static struct srfd_route *route_set_find(struct route_set *s, const __u8 *dst,
					 int plen, __u32 metric, int sid)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (s->r[i].plen == plen && !memcmp(s->r[i].dst, dst, 16) &&
		    (sid ? s->r[i].sid != SRFD_SID_NONE : s->r[i].metric == metric))
			return &s->r[i];
	return NULL;
}

static int route_set_load(struct srfd_dp *dp, struct route_set *s)
{
	int err, tries = 0;

	/*
	 * A dump the FIB changed under (routing daemons install and remove
	 * routes at any time) may lack one of our routes: take it again
	 * rather than "repair" a route that is there.
	 */
	do {
		s->n = 0;
		err = srfd_nl_route6_dump(dp->nl, route_set_add, s);
	} while (err == -EINTR && ++tries < 5);

	if (err)
		log_warn("cannot dump srfd routes: %s", strerror(-err));
	return err;
}

static void route_name(const struct srfd_route *rt, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, rt->dst, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, rt->plen);
}

static int same_route(const struct srfd_route *a, const struct srfd_route *b)
{
	if (!a->nhid && !b->nhid && a->oif != b->oif)
		return 0;
	if (a->sid != b->sid)
		return 0;
	if (a->sid && a->prog_id && b->prog_id)
		return a->prog_id == b->prog_id;
	if (a->sid)	/* LWT BPF routes are dumped with the name only */
		return !strcmp(a->prog_name, b->prog_name);
	if (a->nhid || b->nhid)	/* the object says where; it is checked apart */
		return a->nhid == b->nhid && a->mtu == b->mtu &&
		       a->has_prefsrc == b->has_prefsrc &&
		       (!a->has_prefsrc || !memcmp(a->prefsrc, b->prefsrc, 16));
	return a->has_gw == b->has_gw && (!a->has_gw || !memcmp(a->gw, b->gw, 16)) &&
	       a->mtu == b->mtu && a->has_prefsrc == b->has_prefsrc &&
	       (!a->has_prefsrc || !memcmp(a->prefsrc, b->prefsrc, 16));
}

/*
 * Install @want unless the same route is there. Returns 1 if something was
 * (re)installed, 0 if nothing had to be done, or a negative errno; -EEXIST
 * means a route that is not this instance's holds the place. Routes through
 * our loop device (SIDs, fallbacks) prove their owner by that device: a
 * `proto srfd` route in their place on another device is another instance's.
 */
static int route_ensure(struct srfd_dp *dp, struct route_set *have,
			const struct srfd_route *want, const char *what,
			struct bpf_program *prog)
{
	struct srfd_route *cur;
	char name[64];
	int err;

	cur = route_set_find(have, want->dst, want->plen, want->metric,
			     want->sid);
	/*
	 * A SID route whose program the dump names but does not identify is
	 * taken over once at start (it may run an older srfdd's program), and
	 * trusted by name afterwards.
	 */
	if (cur && same_route(want, cur) &&
	    !(want->sid && !cur->prog_id && !dp->running))
		return 0;
	route_name(want, name, sizeof(name));
	if (cur && want->oif == dp->ticker.loop_ifindex && cur->oif != want->oif) {
		log_err("cannot install %s route %s: another srfd instance owns it "
			"(it leaves through ifindex %d)", what, name, cur->oif);
		return -EEXIST;
	}
	err = srfd_nl_route6_add(dp->nl, want, cur != NULL,
				 prog ? bpf_program__fd(prog) : -1,
				 prog ? bpf_program__name(prog) : NULL);
	if (err) {
		log_err("cannot install %s route %s: %s %s%s", what, name,
			strerror(-err), srfd_nl_errmsg(dp->nl),
			err == -EEXIST ? " (a route that is not srfd's is there:"
					 " remove it or change the config)" : "");
		return err;
	}
	if (dp->running && cur)
		log_debug("%s route %s was: oif %d gw %d prog %u nhid %u sid %u mtu %u",
			  what, name, cur->oif, cur->has_gw, cur->prog_id, cur->nhid,
			  cur->sid, cur->mtu);
	if (dp->running)
		srfd_dp_alert(dp, SRFD_EV_REPAIR, name, 1,
			      "%s route %s: re-installed", what,
		       cur ? "was changed" : "was missing");
	else
		log_info("%s route %s %s", what, name,
			 cur ? "taken over from the previous srfdd" : "installed");
	return 1;
}

static void sid_route(struct srfd_route *rt, const __u8 sid[16], int oif,
		      enum srfd_sid_kind kind, struct bpf_program *prog)
{
	memset(rt, 0, sizeof(*rt));
	memcpy(rt->dst, sid, 16);
	rt->plen = 128;
	rt->oif = oif;
	rt->sid = kind;
	snprintf(rt->prog_name, sizeof(rt->prog_name), "%s", bpf_program__name(prog));
	rt->metric = SRFD_SID_METRIC;
	rt->prog_id = srfd_prog_id(bpf_program__fd(prog));
}

/*
 * SIDs whose routes are ours: local_sid (End.BPF, or an LWT BPF `in` route
 * where the kernel has no seg6local) and the reflectors (End.BPF only).
 */
static int sid_routes_reconcile(struct srfd_dp *dp, struct route_set *have)
{
	const struct srfd_config *conf = dp->conf;
	int loop = dp->ticker.loop_ifindex, n = 0, r, i;
	struct bpf_program *rx = srfd_dp_sid_prog(dp);
	struct srfd_route want;
	unsigned int k;

	if (conf->nsessions) {
		sid_route(&want, conf->local_sid, loop, dp->sid_kind, rx);
		r = route_ensure(dp, have, &want, srfd_sid_kind_name(dp->sid_kind),
				 rx);
		if (r < 0)
			return r;
		n += r;
	}
	for (k = 0; k < conf->nreflectors && dp->sid_kind == SRFD_SID_END_BPF; k++) {
		sid_route(&want, conf->reflectors[k].sid, loop, SRFD_SID_END_BPF,
			  dp->skel->progs.srfd_reflect);
		r = route_ensure(dp, have, &want, "reflector",
				 dp->skel->progs.srfd_reflect);
		if (r < 0)
			return r;
		n += r;
	}
	/* SID routes on our loop that the config no longer names */
	for (i = 0; i < (int)have->n; i++) {
		const struct srfd_route *rt = &have->r[i];
		int wanted = conf->nsessions && !memcmp(rt->dst, conf->local_sid, 16);

		for (k = 0; k < conf->nreflectors; k++)
			wanted |= !memcmp(rt->dst, conf->reflectors[k].sid, 16);
		if (rt->sid && rt->oif == loop && rt->plen == 128 && !wanted)
			srfd_nl_route6_del(dp->nl, rt->dst);
	}
	return n;
}

/* Egress devices srfd_encap must run on, and the filters to converge
 * (egress_want: 1 new, 0 already there, -ENOSPC full). */
struct egress_set {
	int ifindex[SRFD_MAX_EGRESS];
	unsigned int n;
};

static int egress_want(struct egress_set *e, int ifindex)
{
	unsigned int i;

	for (i = 0; i < e->n; i++)
		if (e->ifindex[i] == ifindex)
			return 0;
	if (e->n == SRFD_MAX_EGRESS)
		return -ENOSPC;
	e->ifindex[e->n++] = ifindex;
	return 1;
}

static int encap_filter_ensure(struct srfd_dp *dp, int ifindex)
{
	struct srfd_filter f = {
		.ifindex = ifindex, .handle = dp->tc_handle,
		.prio = SRFD_ENCAP_TC_PRIO,
	};
	struct bpf_map *map = dp->skel->maps.srfd_egress;
	struct srfd_egress rec = { 0 };
	char ifname[IF_NAMESIZE] = "?";
	__u32 key = ifindex;
	int known, made, r;

	known = !bpf_map__lookup_elem(map, &key, sizeof(key), &rec,
				      sizeof(rec), 0);
	r = srfd_filter_ensure(&f, bpf_program__fd(dp->skel->progs.srfd_encap),
			       &made);
	if_indextoname(ifindex, ifname);
	if (r < 0) {
		log_err("cannot attach srfd_encap to %s egress: %s", ifname,
			strerror(-r));
		return r;
	}
	if (!known || made) {
		rec.made_clsact |= made;
		bpf_map__update_elem(map, &key, sizeof(key), &rec, sizeof(rec), 0);
	}
	if (!r)
		return 0;
	if (dp->running && known)
		srfd_dp_alert(dp, SRFD_EV_REPAIR, ifname, 1,
			      "srfd_encap filter on %s egress: re-attached",
		       ifname);
	else if (known)
		log_info("srfd_encap on %s egress now runs this srfdd's program",
			 ifname);
	else
		log_info("srfd_encap attached to %s egress (tc handle 0x%x prio 0x%x)",
			 ifname, dp->tc_handle, SRFD_ENCAP_TC_PRIO);
	return dp->running && known;
}

/* Detach srfd_encap from recorded devices not in @keep (NULL: all). */
static void encap_filters_prune(struct srfd_dp *dp, const struct egress_set *keep)
{
	struct bpf_map *map = dp->skel->maps.srfd_egress;
	__u32 key, next, *prev = NULL;
	struct srfd_egress rec;
	__u32 gone[SRFD_MAX_EGRESS];
	unsigned int i, ngone = 0;

	while (!bpf_map__get_next_key(map, prev, &next, sizeof(next))) {
		key = next;
		prev = &key;
		for (i = 0; keep && i < keep->n; i++)
			if (keep->ifindex[i] == (int)key)
				break;
		if ((!keep || i == keep->n) && ngone < SRFD_MAX_EGRESS)
			gone[ngone++] = key;
	}
	for (i = 0; i < ngone; i++) {
		struct srfd_filter f = {
			.ifindex = gone[i], .handle = dp->tc_handle,
			.prio = SRFD_ENCAP_TC_PRIO,
		};

		if (!bpf_map__lookup_elem(map, &gone[i], sizeof(gone[i]), &rec,
					  sizeof(rec), 0))
			srfd_filter_remove(&f, rec.made_clsact);
		bpf_map__delete_elem(map, &gone[i], sizeof(gone[i]), 0);
	}
}

/*
 * srfd_encap writes the outer header behind an Ethernet header: on a device
 * without one (tun, WireGuard, GRE-style) it must not run. Such a first hop
 * gets no fast route; the loop's fallback (redirect from an Ethernet device)
 * carries the prefix instead.
 */
static int link_is_ether(int ifindex)
{
	struct ifreq ifr = { 0 };
	int fd, ok;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return 0;
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	ok = !ioctl(fd, SIOCGIFHWADDR, &ifr) &&
	     ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER;
	close(fd);
	return ok;
}

/* Where a list's first SID is reached from here, asked once per reconcile. */
struct first_hop {
	int err;	/* 0, -ENETUNREACH (none, or the loop), -EPFNOSUPPORT */
	int oif;
	__u8 gw[16];	/* the gateway, or the SID itself when on-link */
};

/* What srfdd knows of each configured prefix for its fast route. */
struct srfd_fib_pfx {
	struct first_hop fh[SRFD_LISTS];
	__u8  addr[16];
	__u8  plen;
	__u8  known;		/* resolved by the last reconcile */
	__u8  active;		/* list, as last read */
	__u32 mtu;
	unsigned int leader;	/* config index of its group's first member */
	/* its fast route as srfdd installed it last (0: none) */
	int   route_oif;
	__u32 route_nhid;
	__u8  route_gw[16];
};

#define SRFD_FIB_MAX_OBJ	(2 * SRFD_MAX_PREFIXES)

struct srfd_fib {
	struct srfd_fib_pfx pfx[SRFD_MAX_PREFIXES];
	struct srfd_nexthop_obj obj[SRFD_FIB_MAX_OBJ];	/* srfd's, all instances */
	unsigned int nobj;
};

static void first_hop_get(struct srfd_dp *dp, const __u8 sid[16],
			  struct first_hop *fh)
{
	int has_gw;

	fh->err = 0;
	if (srfd_nl_route6_get(dp->nl, sid, &fh->oif, fh->gw, &has_gw) ||
	    fh->oif == dp->ticker.loop_ifindex)
		fh->err = -ENETUNREACH;
	else if (!link_is_ether(fh->oif))
		fh->err = -EPFNOSUPPORT;
	else if (!has_gw)
		memcpy(fh->gw, sid, 16);
}

/*
 * Resolve where list @l of prefix slot @slot leaves (@fh, and the
 * neighbour there) into srfd_nexthops, the cache srfd_encap sends with
 * instead of a FIB lookup per packet. Unresolved, on the loop or on a
 * device without Ethernet header: ifindex 0, srfd_encap looks it up itself.
 */
static void nexthop_update(struct srfd_dp *dp, __u32 slot, unsigned int l,
			   const struct first_hop *fh)
{
	struct srfd_nexthop want = { 0 }, have;
	__u32 key = SRFD_ENCAP_STATS_KEY(slot, l);
	unsigned int mtu;

	if (dp->links && !fh->err &&
	    !srfd_links_nexthop(dp->links, fh->oif, fh->gw, want.dmac,
				want.smac, &mtu)) {
		want.ifindex = fh->oif;
		want.mtu = mtu;
	}
	if (!bpf_map__lookup_elem(dp->skel->maps.srfd_nexthops, &key, sizeof(key),
				  &have, sizeof(have), 0) &&
	    !memcmp(&have, &want, sizeof(want)))
		return;
	bpf_map__update_elem(dp->skel->maps.srfd_nexthops, &key, sizeof(key),
			     &want, sizeof(want), 0);
	log_debug("prefix slot %u %s list: next hop %s (ifindex %u)", slot,
		  l == SRFD_LIST_PRIMARY ? "primary" : "backup",
		  want.ifindex ? "cached" : "looked up per packet", want.ifindex);
}

/* A protected prefix's route of @metric: route MTU and preferred source set. */
static void prefix_route(struct srfd_route *rt, const __u8 addr[16], __u8 plen,
			 __u32 mtu, const __u8 src[16], __u32 metric)
{
	memset(rt, 0, sizeof(*rt));
	memcpy(rt->dst, addr, 16);
	rt->plen = plen;
	rt->mtu = mtu;
	rt->has_prefsrc = 1;
	memcpy(rt->prefsrc, src, 16);
	rt->metric = metric;
}

/*
 * The truthful FIB. A protected prefix's fast route leads to the first hop
 * of the list the kernel has active, so `ip -6 route`, routing daemons and
 * netlink listeners see a failover (after the in-kernel flip has moved the
 * traffic; srfd_encap on either device sends each packet with the active
 * list, whatever the route says at that moment). By default the route
 * carries the first hop itself and a flip replaces each flipped prefix's
 * route.
 *
 * With `fib_objects = true` the route points at a nexthop object instead:
 * prefixes that leave through the same first hops and flip together (same
 * guards and hold-down) share one, so one RTM_NEWNEXTHOP moves them all in
 * the kernel; a member whose active list differs from its group's for a
 * while (e.g. added later, so its hold-down dampening differs) gets an
 * object of its own until they agree again. It is not the default because
 * FRR 8.4's zebra cannot live with it: it re-installs any nexthop object it
 * learned from the kernel when another process replaces or deletes it
 * ("Kernel updated a nexthop group ... that we are still using for a route,
 * sending it back down"), fails, and on a delete leaves a bogus group under
 * srfd's id (measured); zebra does follow route replacements.
 *
 * Object ids: FRR zebra allocates below 250,000,000 and keeps the top 4
 * bits (>= 2^28) for layer-2 groups; srfd takes a block of 2^20 in between
 * per instance: block + 1 + slot for the group whose first member has that
 * slot, block + 0x1000 + slot for a prefix on its own.
 */
#define SRFD_NHID_BASE		0x0F000000u
#define SRFD_NHID_GROUP(b, slot)	((b) + 1 + (slot))
#define SRFD_NHID_SINGLE(b, slot)	((b) + 0x1000 + (slot))

static __u32 nhid_block(const struct srfd_dp *dp)
{
	return SRFD_NHID_BASE + ((dp->tc_handle & 0xf) << 20);
}

static int nhid_ours(const struct srfd_dp *dp, __u32 id)
{
	return id >= nhid_block(dp) && id < nhid_block(dp) + (1u << 20);
}

/* Same first hops and the same flip policy: they move together. */
static int same_group(const struct srfd_fib_pfx *a, const struct srfd_prefix_cfg *ca,
		      const struct srfd_fib_pfx *b, const struct srfd_prefix_cfg *cb)
{
	unsigned int l;

	for (l = 0; l < SRFD_LISTS; l++)
		if (a->fh[l].err != b->fh[l].err || a->fh[l].oif != b->fh[l].oif ||
		    memcmp(a->fh[l].gw, b->fh[l].gw, 16))
			return 0;
	return ca->nguards == cb->nguards && ca->hold_ns == cb->hold_ns &&
	       ca->hold_max_ns == cb->hold_max_ns && ca->quiet_ns == cb->quiet_ns &&
	       !memcmp(ca->guards, cb->guards, ca->nguards * sizeof(ca->guards[0]));
}

static void nexthop_obj_add(const struct srfd_nexthop_obj *nh, void *data)
{
	struct srfd_fib *fib = data;

	if (fib->nobj < SRFD_FIB_MAX_OBJ)
		fib->obj[fib->nobj++] = *nh;
}

static struct srfd_nexthop_obj *nexthop_obj_find(struct srfd_fib *fib, __u32 id)
{
	unsigned int i;

	for (i = 0; i < fib->nobj; i++)
		if (fib->obj[i].id == id)
			return &fib->obj[i];
	return NULL;
}

static int nexthop_obj_is(struct srfd_fib *fib, __u32 id, const struct first_hop *fh)
{
	const struct srfd_nexthop_obj *cur = nexthop_obj_find(fib, id);

	return cur && cur->oif == fh->oif && !memcmp(cur->gw, fh->gw, 16);
}

/* Make object @id lead to @fh; 1 if it had to be (re)written. */
static int nexthop_obj_ensure(struct srfd_dp *dp, __u32 id, const struct first_hop *fh)
{
	struct srfd_fib *fib = dp->fib;
	struct srfd_nexthop_obj want = { .id = id, .oif = fh->oif }, *cur;
	int err;

	if (nexthop_obj_is(fib, id, fh))
		return 0;
	memcpy(want.gw, fh->gw, 16);
	err = srfd_nl_nexthop_set(dp->nl, &want);
	if (err) {
		log_err("cannot set nexthop object %u: %s %s", id, strerror(-err),
			srfd_nl_errmsg(dp->nl));
		return err;
	}
	cur = nexthop_obj_find(fib, id);
	if (!cur && fib->nobj < SRFD_FIB_MAX_OBJ)
		cur = &fib->obj[fib->nobj++];
	if (cur)
		*cur = want;
	return 1;
}

/*
 * Converge the fast routes and their nexthop objects to the active lists.
 * @have: srfd's routes as dumped (reconcile), or NULL on the event path,
 * where what srfdd itself installed last is trusted. Returns the number of
 * routes and objects written.
 */
static int fib_sync(struct srfd_dp *dp, struct route_set *have)
{
	const struct srfd_config *conf = dp->conf;
	struct srfd_fib *fib = dp->fib;
	__u32 block = nhid_block(dp), used[2 * SRFD_MAX_PREFIXES];
	unsigned int i, nused = 0, k;
	int n = 0, r;

	if (!fib)
		return 0;
	for (i = 0; i < conf->nprefixes; i++) {
		struct srfd_fib_pfx *p = &fib->pfx[i];
		struct srfd_prefix_state ps;
		__u32 slot = dp->pfx_slot[i];

		if (!p->known || dp->pfx_conflict[i])
			continue;
		if (bpf_map__lookup_elem(dp->skel->maps.srfd_prefix_state, &slot,
					 sizeof(slot), &ps, sizeof(ps), 0))
			ps.active = SRFD_LIST_PRIMARY;
		p->active = ps.active & 1;
	}
	for (i = 0; i < conf->nprefixes; i++) {
		struct srfd_fib_pfx *p = &fib->pfx[i], *lead;
		const struct first_hop *fh;
		struct srfd_route fast;
		__u32 slot = dp->pfx_slot[i], id = 0;

		if (!p->known || dp->pfx_conflict[i])
			continue;
		fh = &p->fh[p->active];
		lead = &fib->pfx[p->leader];
		if (!fh->err && conf->fib_objects) {
			/* a leader's object first: its members follow it */
			id = lead->active == p->active ?
			     SRFD_NHID_GROUP(block, dp->pfx_slot[p->leader]) :
			     SRFD_NHID_SINGLE(block, slot);
			r = nexthop_obj_ensure(dp, id, fh);
			if (r < 0)
				id = 0;
			else
				n += r;
			if (id && nused < 2 * SRFD_MAX_PREFIXES)
				used[nused++] = id;
		}

		prefix_route(&fast, p->addr, p->plen, p->mtu, conf->source,
			     SRFD_PREFIX_METRIC);
		fast.nhid = id;
		fast.oif = fh->oif;
		fast.has_gw = 1;	/* on-link first hop: the SID itself */
		memcpy(fast.gw, fh->gw, 16);
		if (fh->err || (conf->fib_objects && !id)) {
			if (have ? route_set_find(have, p->addr, p->plen,
						  SRFD_PREFIX_METRIC, 0) != NULL
				 : p->route_oif != 0) {
				log_debug("prefix slot %u: no usable first hop (%s, list %u): "
					  "fast route removed", slot, strerror(-fh->err),
					  p->active);
				/* no usable first hop now: the loop's fallback carries it */
				srfd_nl_route6_prefix_del(dp->nl, p->addr, p->plen,
							  SRFD_PREFIX_METRIC);
				n++;
			}
			p->route_oif = 0;
			continue;
		}
		if (have) {
			r = route_ensure(dp, have, &fast, "fast", NULL);
			n += r > 0 ? r : 0;
		} else if (p->route_oif != fast.oif || p->route_nhid != id ||
			   memcmp(p->route_gw, fast.gw, 16)) {
			/* event path: the route itself moves (not with an object) */
			log_debug("prefix slot %u: fast route to list %u's first hop "
				  "(ifindex %d, nexthop object %u)", slot, p->active,
				  fast.oif, id);
			r = srfd_nl_route6_add(dp->nl, &fast, p->route_oif != 0, -1, NULL);
			if (r)
				log_err("cannot move the fast route of prefix slot %u: %s %s",
					slot, strerror(-r), srfd_nl_errmsg(dp->nl));
			n++;
		} else {
			r = 0;
		}
		if (r >= 0) {
			p->route_oif = fast.oif;
			p->route_nhid = id;
			memcpy(p->route_gw, fast.gw, 16);
		}
	}
	/* objects no route of ours uses any more (routes moved first) */
	for (k = 0; k < fib->nobj;) {
		unsigned int u;

		for (u = 0; u < nused && used[u] != fib->obj[k].id; u++)
			;
		if (u < nused || !nhid_ours(dp, fib->obj[k].id)) {
			k++;
			continue;
		}
		srfd_nl_nexthop_del(dp->nl, fib->obj[k].id);
		fib->obj[k] = fib->obj[--fib->nobj];
	}
	return n;
}

int srfd_routes_fib_sync(struct srfd_dp *dp)
{
	return fib_sync(dp, NULL);
}

static int prefix_routes_reconcile(struct srfd_dp *dp, struct route_set *have)
{
	const struct srfd_config *conf = dp->conf;
	struct egress_set egress = { .n = 0 };
	struct srfd_prefix_cfg *pcs = NULL;
	struct srfd_route fallback;
	struct srfd_fib *fib;
	int n = 0, r;
	unsigned int i, j, l;
	__u32 slot;

	if (!dp->fib)
		dp->fib = calloc(1, sizeof(*dp->fib));
	fib = dp->fib;
	if (conf->nprefixes)
		pcs = calloc(conf->nprefixes, sizeof(*pcs));
	if (!fib || (conf->nprefixes && !pcs)) {
		free(pcs);
		return -ENOMEM;
	}
	/* what the kernel holds, so that changes made behind our back show */
	fib->nobj = 0;
	srfd_nl_nexthop_dump(dp->nl, nexthop_obj_add, fib);

	if (conf->nprefixes)
		egress_want(&egress, dp->ticker.loop_ifindex);
	for (i = 0; i < conf->nprefixes; i++) {
		struct srfd_fib_pfx *p = &fib->pfx[i];
		struct srfd_prefix_cfg *pc = &pcs[i];

		p->known = 0;
		slot = dp->pfx_slot[i];
		if (bpf_map__lookup_elem(dp->skel->maps.srfd_prefix_cfg, &slot,
					 sizeof(slot), pc, sizeof(*pc), 0))
			continue;
		prefix_route(&fallback, pc->addr, pc->plen, pc->mtu, conf->source,
			     SRFD_FALLBACK_METRIC);
		fallback.oif = dp->ticker.loop_ifindex;
		r = route_ensure(dp, have, &fallback, "fallback", NULL);
		if (r == -EEXIST) {
			dp->pfx_conflict[i] = 1;
			continue;	/* somebody else's: leave its place alone */
		}
		n += r > 0 ? r : 0;
		dp->pfx_conflict[i] = 0;

		memcpy(p->addr, pc->addr, 16);
		p->plen = pc->plen;
		p->mtu = pc->mtu;
		for (l = 0; l < SRFD_LISTS; l++) {
			first_hop_get(dp, pc->segs[l][0], &p->fh[l]);
			nexthop_update(dp, slot, l, &p->fh[l]);
			/*
			 * The encap filter is in place before traffic is
			 * routed there: on both lists' devices, as the route
			 * follows the active one.
			 */
			if (p->fh[l].err)
				continue;
			r = egress_want(&egress, p->fh[l].oif);
			if (r > 0)
				r = encap_filter_ensure(dp, p->fh[l].oif);
			if (r < 0)
				p->fh[l].err = r;
			else
				n += r;
		}
		if ((p->fh[SRFD_LIST_PRIMARY].err == -EPFNOSUPPORT) != dp->pfx_not_ether[i]) {
			dp->pfx_not_ether[i] = p->fh[SRFD_LIST_PRIMARY].err == -EPFNOSUPPORT;
			if (dp->pfx_not_ether[i])
				log_warn("prefix slot %u: the primary's first hop leaves "
					 "through a device without Ethernet header: no "
					 "fast route, the loop's fallback carries it", slot);
		}
		p->known = 1;
		p->leader = i;
		for (j = 0; j < i; j++)
			if (fib->pfx[j].known && fib->pfx[j].leader == j &&
			    same_group(&fib->pfx[j], &pcs[j], p, pc)) {
				p->leader = j;
				break;
			}
	}
	r = fib_sync(dp, have);
	n += r > 0 ? r : 0;
	if (egress.n) {
		r = encap_filter_ensure(dp, dp->ticker.loop_ifindex);
		n += r > 0 ? r : 0;
	}
	encap_filters_prune(dp, &egress);
	free(pcs);
	return n;
}

/* The next-hop cache was just checked: trust it for another TTL. */
static void nexthops_refresh(struct srfd_dp *dp)
{
	struct timespec ts;
	__u32 zero = 0;
	__u64 until;

	if (!dp->links)
		return;	/* not following neighbours (flush): let it expire */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	until = ts.tv_sec * 1000000000ULL + ts.tv_nsec + SRFD_NEXTHOP_TTL_NS;
	bpf_map__update_elem(dp->skel->maps.srfd_nexthops_until, &zero,
			     sizeof(zero), &until, sizeof(until), 0);
}

int srfd_routes_reconcile(struct srfd_dp *dp)
{
	struct route_set have = { 0 };
	int n, r;

	n = route_set_load(dp, &have);
	if (n)
		return n;
	n = sid_routes_reconcile(dp, &have);
	if (n >= 0) {
		r = prefix_routes_reconcile(dp, &have);
		n = r < 0 ? r : n + r;
	}
	if (n >= 0)
		nexthops_refresh(dp);
	free(have.r);
	return n;
}

void srfd_routes_prefixes_remove(struct srfd_dp *dp,
				 const struct srfd_prefix_cfg *old,
				 const __u8 *which, unsigned int n)
{
	struct route_set have = { 0 };
	struct srfd_route *fb;
	unsigned int i;

	/* one dump for all of them: a reload may drop a thousand prefixes */
	if (route_set_load(dp, &have))
		return;
	for (i = 0; i < n; i++) {
		if (!old[i].valid || (which && !which[i]))
			continue;
		/* our fallback proves the prefix's srfd routes are this instance's */
		fb = route_set_find(&have, old[i].addr, old[i].plen,
				    SRFD_FALLBACK_METRIC, 0);
		if (!fb || fb->oif != dp->ticker.loop_ifindex)
			continue;
		srfd_nl_route6_prefix_del(dp->nl, old[i].addr, old[i].plen,
					  SRFD_PREFIX_METRIC);
		srfd_nl_route6_prefix_del(dp->nl, old[i].addr, old[i].plen,
					  SRFD_FALLBACK_METRIC);
	}
	free(have.r);
}

/* Every nexthop object of this instance, after its routes are gone. */
static void nexthops_flush(struct srfd_dp *dp)
{
	unsigned int i;

	if (!dp->fib)
		dp->fib = calloc(1, sizeof(*dp->fib));
	if (!dp->fib)
		return;
	/* a dump callback may not talk on the same socket: collect first */
	dp->fib->nobj = 0;
	srfd_nl_nexthop_dump(dp->nl, nexthop_obj_add, dp->fib);
	for (i = 0; i < dp->fib->nobj; i++)
		if (nhid_ours(dp, dp->fib->obj[i].id))
			srfd_nl_nexthop_del(dp->nl, dp->fib->obj[i].id);
	dp->fib->nobj = 0;
}

void srfd_routes_flush(struct srfd_dp *dp)
{
	struct srfd_prefix_cfg *pc = calloc(SRFD_MAX_PREFIXES, sizeof(*pc));
	__u32 slot;

	for (slot = 0; pc && slot < SRFD_MAX_PREFIXES; slot++)
		bpf_map__lookup_elem(dp->skel->maps.srfd_prefix_cfg, &slot,
				     sizeof(slot), &pc[slot], sizeof(pc[slot]), 0);
	if (pc)
		srfd_routes_prefixes_remove(dp, pc, NULL, SRFD_MAX_PREFIXES);
	free(pc);
	nexthops_flush(dp);
	/* SID routes live on the loop device and go with it */
	encap_filters_prune(dp, NULL);
}
