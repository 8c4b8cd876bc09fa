// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Link tracking with libnl-3's cache manager (links.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <linux/neighbour.h>

#include "links.h"
#include "log.h"

struct srfd_links {
	struct nl_cache_mngr *mngr;
	struct nl_cache *cache;
	struct nl_cache *neigh;		/* next hops of the encap cache */
	struct nl_sock *sync;		/* for full resyncs after an overrun */
	struct nl_sock *notify;		/* the cache manager's notification socket */
	srfd_links_changed_fn changed;
	void *ctx;
};

static void link_changed(struct nl_cache *cache, struct nl_object *obj,
			 int action, void *data)
{
	struct srfd_links *l = data;

	(void)cache;
	(void)obj;
	(void)action;
	l->changed(l->ctx);
}

int srfd_links_open(struct srfd_links **out, srfd_links_changed_fn changed,
		    void *ctx)
{
	struct srfd_links *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return -ENOMEM;
	l->changed = changed;
	l->ctx = ctx;
	l->sync = nl_socket_alloc();
	if (!l->sync || nl_connect(l->sync, NETLINK_ROUTE)) {
		err = -ENOMEM;
		goto fail;
	}
	l->notify = nl_socket_alloc();
	if (!l->notify) {
		err = -ENOMEM;
		goto fail;
	}
	err = nl_cache_mngr_alloc(l->notify, NETLINK_ROUTE, NL_AUTO_PROVIDE,
				  &l->mngr);
	if (!err)
		err = nl_cache_mngr_add(l->mngr, "route/link", link_changed, l,
					&l->cache);
	if (!err)
		err = nl_cache_mngr_add(l->mngr, "route/neigh", link_changed, l,
					&l->neigh);
	/* room for a burst of link events; an overrun still resyncs */
	if (!err)
		err = nl_socket_set_buffer_size(l->notify, 1 << 20, 0);
	if (err) {
		log_err("libnl link cache: %s", nl_geterror(err));
		err = -EIO;
		goto fail;
	}
	*out = l;
	return 0;
fail:
	srfd_links_close(l);
	return err;
}

int srfd_links_fd(const struct srfd_links *l)
{
	return nl_cache_mngr_get_fd(l->mngr);
}

void srfd_links_read(struct srfd_links *l)
{
	int err = nl_cache_mngr_data_ready(l->mngr);

	if (err >= 0)
		return;
	/* notifications were lost (ENOBUFS): rebuild the cache from a dump */
	log_warn("link notifications lost (%s): resynchronising",
		 nl_geterror(err));
	err = nl_cache_resync(l->sync, l->cache, link_changed, l);
	if (err >= 0)
		err = nl_cache_resync(l->sync, l->neigh, link_changed, l);
	if (err < 0)
		log_err("link cache resync failed: %s", nl_geterror(err));
	l->changed(l->ctx);
}

int srfd_links_lookup(struct srfd_links *l, const char *name, int *oper_up)
{
	struct nl_object *obj;
	struct rtnl_link *link;
	unsigned int flags;

	/*
	 * Only AF_UNSPEC objects are the links themselves: the cache also
	 * keeps the per-family (AF_INET6) link messages IPv6 sends, and an
	 * RTM_DELLINK does not remove those, so rtnl_link_get_by_name()
	 * would still find a deleted interface.
	 */
	*oper_up = 0;
	for (obj = nl_cache_get_first(l->cache); obj; obj = nl_cache_get_next(obj)) {
		link = (struct rtnl_link *)obj;
		if (rtnl_link_get_family(link) != AF_UNSPEC ||
		    strcmp(rtnl_link_get_name(link) ?: "", name))
			continue;
		flags = rtnl_link_get_flags(link);
		/* IFF_RUNNING: operationally up (carrier, not dormant) */
		*oper_up = (flags & IFF_UP) && (flags & IFF_RUNNING);
		return rtnl_link_get_ifindex(link);
	}
	return 0;
}

static struct rtnl_link *link_by_index(struct srfd_links *l, int ifindex)
{
	struct nl_object *obj;
	struct rtnl_link *link;

	for (obj = nl_cache_get_first(l->cache); obj; obj = nl_cache_get_next(obj)) {
		link = (struct rtnl_link *)obj;
		if (rtnl_link_get_family(link) == AF_UNSPEC &&
		    rtnl_link_get_ifindex(link) == ifindex)
			return link;
	}
	return NULL;
}

int srfd_links_nexthop(struct srfd_links *l, int ifindex, const __u8 addr[16],
		       __u8 dmac[6], __u8 smac[6], unsigned int *mtu)
{
	/* states in which the kernel itself sends to the cached address */
	const int usable = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
			   NUD_PERMANENT;
	struct rtnl_neigh *neigh;
	struct rtnl_link *link;
	struct nl_addr *a, *ll;
	unsigned int flags;
	int ok = 0;

	link = link_by_index(l, ifindex);
	if (!link)
		return -ENODEV;
	flags = rtnl_link_get_flags(link);
	ll = rtnl_link_get_addr(link);
	if (!(flags & IFF_UP) || !(flags & IFF_RUNNING) || !ll ||
	    nl_addr_get_len(ll) != 6)
		return -ENETDOWN;
	a = nl_addr_build(AF_INET6, addr, 16);
	if (!a)
		return -ENOMEM;
	neigh = rtnl_neigh_get(l->neigh, ifindex, a);
	nl_addr_put(a);
	if (neigh) {
		struct nl_addr *mac = rtnl_neigh_get_lladdr(neigh);

		if ((rtnl_neigh_get_state(neigh) & usable) && mac &&
		    nl_addr_get_len(mac) == 6) {
			memcpy(dmac, nl_addr_get_binary_addr(mac), 6);
			ok = 1;
		}
		rtnl_neigh_put(neigh);
	}
	if (!ok)
		return -EHOSTUNREACH;
	memcpy(smac, nl_addr_get_binary_addr(ll), 6);
	*mtu = rtnl_link_get_mtu(link);
	return 0;
}

void srfd_links_close(struct srfd_links *l)
{
	if (!l)
		return;
	if (l->mngr)
		nl_cache_mngr_free(l->mngr);
	if (l->notify)
		nl_socket_free(l->notify);
	if (l->sync)
		nl_socket_free(l->sync);
	free(l);
}
