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
	int err = srfd_nl_route6_dump(dp->nl, route_set_add, s);

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
	if (a->oif != b->oif)
		return 0;
	if (a->sid != b->sid)
		return 0;
	if (a->sid)
		return a->prog_id == b->prog_id;
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
	if (cur && same_route(want, cur))
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

/* Egress devices srfd_encap must run on, and the filters to converge. */
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
	return 0;
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

/* The fast route of a prefix: via the primary's first hop, if it has one. */
static int fast_route(const struct first_hop *fh, struct srfd_route *rt)
{
	if (fh->err)
		return fh->err;
	rt->oif = fh->oif;
	rt->metric = SRFD_PREFIX_METRIC;
	rt->has_gw = 1;		/* on-link first hop: the SID itself */
	memcpy(rt->gw, fh->gw, 16);
	return 0;
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

static int prefix_routes_reconcile(struct srfd_dp *dp, struct route_set *have)
{
	const struct srfd_config *conf = dp->conf;
	struct egress_set egress = { .n = 0 };
	struct first_hop fh[SRFD_LISTS];
	struct srfd_route fallback, fast;
	struct srfd_prefix_cfg pc;
	int n = 0, r, has_fast;
	unsigned int i, l;
	__u32 slot;

	if (conf->nprefixes)
		egress_want(&egress, dp->ticker.loop_ifindex);
	for (i = 0; i < conf->nprefixes; i++) {
		slot = dp->pfx_slot[i];
		if (bpf_map__lookup_elem(dp->skel->maps.srfd_prefix_cfg, &slot,
					 sizeof(slot), &pc, sizeof(pc), 0))
			continue;
		memset(&fallback, 0, sizeof(fallback));
		memcpy(fallback.dst, pc.addr, 16);
		fallback.plen = pc.plen;
		fallback.mtu = pc.mtu;
		fallback.has_prefsrc = 1;
		memcpy(fallback.prefsrc, conf->source, 16);
		fast = fallback;
		fallback.oif = dp->ticker.loop_ifindex;
		fallback.metric = SRFD_FALLBACK_METRIC;
		r = route_ensure(dp, have, &fallback, "fallback", NULL);
		if (r == -EEXIST) {
			dp->pfx_conflict[i] = 1;
			continue;	/* somebody else's: leave its place alone */
		}
		n += r > 0 ? r : 0;
		dp->pfx_conflict[i] = 0;

		for (l = 0; l < SRFD_LISTS; l++) {
			first_hop_get(dp, pc.segs[l][0], &fh[l]);
			nexthop_update(dp, slot, l, &fh[l]);
		}
		/* the encap filter is in place before traffic is routed there */
		r = fast_route(&fh[SRFD_LIST_PRIMARY], &fast);
		if ((r == -EPFNOSUPPORT) != dp->pfx_not_ether[i]) {
			dp->pfx_not_ether[i] = r == -EPFNOSUPPORT;
			if (r == -EPFNOSUPPORT)
				log_warn("prefix slot %u: the primary's first hop leaves "
					 "through a device without Ethernet header: no "
					 "fast route, the loop's fallback carries it", slot);
		}
		has_fast = !r && !egress_want(&egress, fast.oif);
		if (has_fast) {
			r = encap_filter_ensure(dp, fast.oif);
			has_fast = r >= 0;
			n += r > 0 ? r : 0;
		}
		if (has_fast) {
			r = route_ensure(dp, have, &fast, "fast", NULL);
			n += r > 0 ? r : 0;
		} else if (route_set_find(have, pc.addr, pc.plen,
					  SRFD_PREFIX_METRIC, 0)) {
			/* no usable first hop now: the loop's fallback carries it */
			srfd_nl_route6_prefix_del(dp->nl, pc.addr, pc.plen,
						  SRFD_PREFIX_METRIC);
		}
	}
	if (egress.n) {
		r = encap_filter_ensure(dp, dp->ticker.loop_ifindex);
		n += r > 0 ? r : 0;
	}
	encap_filters_prune(dp, &egress);
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
	/* SID routes live on the loop device and go with it */
	encap_filters_prune(dp, NULL);
}
