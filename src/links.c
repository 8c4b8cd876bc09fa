// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Link tracking with libnl-3's cache manager (links.h). */
#include <errno.h>
#include <stdlib.h>
#include <net/if.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "links.h"
#include "log.h"

struct srfd_links {
	struct nl_cache_mngr *mngr;
	struct nl_cache *cache;
	struct nl_sock *sync;		/* for full resyncs after an overrun */
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
	err = nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, NL_AUTO_PROVIDE, &l->mngr);
	if (!err)
		err = nl_cache_mngr_add(l->mngr, "route/link", link_changed, l,
					&l->cache);
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
	if (err < 0)
		log_err("link cache resync failed: %s", nl_geterror(err));
	l->changed(l->ctx);
}

int srfd_links_lookup(struct srfd_links *l, const char *name, int *oper_up)
{
	struct rtnl_link *link = rtnl_link_get_by_name(l->cache, name);
	unsigned int flags;
	int ifindex;

	*oper_up = 0;
	if (!link)
		return 0;
	ifindex = rtnl_link_get_ifindex(link);
	flags = rtnl_link_get_flags(link);
	/* IFF_RUNNING: operationally up (carrier, not dormant) */
	*oper_up = (flags & IFF_UP) && (flags & IFF_RUNNING);
	rtnl_link_put(link);
	return ifindex;
}

void srfd_links_close(struct srfd_links *l)
{
	if (!l)
		return;
	if (l->mngr)
		nl_cache_mngr_free(l->mngr);
	if (l->sync)
		nl_socket_free(l->sync);
	free(l);
}
