// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The probe clock (ticker.h). The names and the alias are derived from the
 * instance, so several instances share a namespace and a restarted srfdd
 * finds its own pair, while a device of the same name that is not marked
 * as ours is never touched.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "filters.h"
#include "log.h"
#include "netlink.h"
#include "ticker.h"

/* locally administered MACs of the private ticker veth */
static const __u8 pace_mac[6] = { 0x02, 0x73, 0x72, 0x66, 0x64, 0x00 };
static const __u8 loop_mac[6] = { 0x02, 0x73, 0x72, 0x66, 0x64, 0x01 };

void srfd_ticker_init(struct srfd_ticker *t, const char *instance)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->pace, sizeof(t->pace), "sp-%s", instance);
	snprintf(t->loop, sizeof(t->loop), "sl-%s", instance);
	snprintf(t->alias, sizeof(t->alias), "srfd instance %s ticker",
		 instance);
	t->packet_fd = -1;
}

static int write_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static void dev_sysctl(const char *dev, const char *key, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", dev, key);
	if (write_sysctl(path, value))
		log_warn("cannot set %s=%s on %s", key, value, dev);
}

/* 1: ours, 0: absent, -EEXIST: somebody else's device of that name */
static int end_find(struct srfd_ticker *t, struct srfd_nl *nl,
		    const char *name, int *ifindex)
{
	char alias[sizeof(t->alias)];
	int err, idx;

	*ifindex = 0;
	err = srfd_nl_link_get(nl, name, &idx, alias, sizeof(alias));
	if (err == -ENODEV)
		return 0;
	if (err)
		return err;
	if (strcmp(alias, t->alias)) {
		log_err("device %s exists but is not srfd's (alias '%s'): "
			"refusing to touch it", name, alias);
		return -EEXIST;
	}
	*ifindex = idx;
	return 1;
}

int srfd_ticker_find(struct srfd_ticker *t, struct srfd_nl *nl)
{
	int p, l;

	p = end_find(t, nl, t->pace, &t->pace_ifindex);
	if (p < 0)
		return p;
	l = end_find(t, nl, t->loop, &t->loop_ifindex);
	if (l < 0)
		return l;
	if (p && l)
		return 0;
	return p || l ? -ENOENT : -ENODEV;
}

int srfd_ticker_create(struct srfd_ticker *t, struct srfd_nl *nl)
{
	int err = srfd_ticker_find(t, nl);

	if (err == -EEXIST)
		return err;
	if (err == 0 || err == -ENOENT)
		srfd_ticker_delete(t, nl);
	err = srfd_nl_veth_create(nl, t->pace, pace_mac, t->loop, loop_mac);
	if (err) {
		log_err("cannot create veth %s/%s: %s %s", t->pace, t->loop,
			strerror(-err), srfd_nl_errmsg(nl));
		return err;
	}
	/* the kernel ignores IFLA_IFALIAS when it creates a link */
	t->pace_ifindex = if_nametoindex(t->pace);
	t->loop_ifindex = if_nametoindex(t->loop);
	if (!t->pace_ifindex || !t->loop_ifindex)
		return -ENODEV;
	err = srfd_nl_link_set_alias(nl, t->pace_ifindex, t->alias);
	if (!err)
		err = srfd_nl_link_set_alias(nl, t->loop_ifindex, t->alias);
	if (err) {
		srfd_ticker_delete(t, nl);
		return err;
	}

	/*
	 * The ticker veth carries no IP traffic. The pacer end has IPv6 off;
	 * the loop end keeps IPv6 (without addresses) because the End.BPF
	 * route needs a device, and a route via lo becomes a reject route.
	 * bpf_fib_lookup() for encapsulated traffic refuses a non-forwarding
	 * device.
	 */
	dev_sysctl(t->pace, "disable_ipv6", "1");
	dev_sysctl(t->loop, "addr_gen_mode", "1");
	dev_sysctl(t->loop, "forwarding", "1");

	err = srfd_nl_link_set_up(nl, t->pace_ifindex);
	if (!err)
		err = srfd_nl_link_set_up(nl, t->loop_ifindex);
	/* routes to the loop need no neighbour: NOARP uses the device address */
	if (!err)
		err = srfd_nl_link_set_noarp(nl, t->loop_ifindex, 1);
	if (err)
		log_err("cannot set up ticker veth %s: %s", t->loop, strerror(-err));
	return err;
}

int srfd_ticker_pace(struct srfd_ticker *t, struct srfd_nl *nl, __u32 tick_us)
{
	__u64 rate = (__u64)SRFD_TICK_FRAME_LEN * 1000000ULL / tick_us;
	int err;

	err = srfd_nl_tbf_add(nl, t->pace_ifindex, rate,
			      SRFD_TICKERS * SRFD_TICK_FRAME_LEN,
			      4 * SRFD_TICKERS * SRFD_TICK_FRAME_LEN);
	if (err) {
		log_err("cannot add TBF pacer on %s: %s %s", t->pace,
			strerror(-err), srfd_nl_errmsg(nl));
		return err;
	}
	log_debug("ticker: one frame every %u us (TBF %llu B/s on %s)",
		  tick_us, (unsigned long long)rate, t->pace);
	return 0;
}

int srfd_ticker_attach(struct srfd_ticker *t, int prog_fd)
{
	struct srfd_filter f = {
		.ifindex = t->loop_ifindex, .ingress = 1,
		.handle = 1, .prio = SRFD_TICK_TC_PRIO,
	};
	int made;

	return srfd_filter_ensure(&f, prog_fd, &made);
}

int srfd_ticker_inject(struct srfd_ticker *t)
{
	__u8 frame[SRFD_TICK_FRAME_LEN] = { 0 };
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = t->pace_ifindex,
		.sll_halen = ETH_ALEN,
	};
	struct srfd_tick tick = {
		.magic = htonl(SRFD_TICK_MAGIC),
		.ticker_id = htonl(t->next_id++),
	};
	__u16 proto = htons(SRFD_TICK_ETHERTYPE);

	if (t->packet_fd < 0) {
		t->packet_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
		if (t->packet_fd < 0)
			return -errno;
	}
	memcpy(frame, loop_mac, ETH_ALEN);
	memcpy(frame + ETH_ALEN, pace_mac, ETH_ALEN);
	memcpy(frame + 2 * ETH_ALEN, &proto, sizeof(proto));
	memcpy(frame + ETH_HLEN, &tick, sizeof(tick));
	memcpy(sll.sll_addr, loop_mac, ETH_ALEN);
	if (sendto(t->packet_fd, frame, sizeof(frame), 0,
		   (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	return 0;
}

void srfd_ticker_delete(struct srfd_ticker *t, struct srfd_nl *nl)
{
	/* deleting one end takes the peer, qdiscs, filter and routes along */
	if (t->pace_ifindex)
		srfd_nl_link_delete(nl, t->pace_ifindex);
	else if (t->loop_ifindex)
		srfd_nl_link_delete(nl, t->loop_ifindex);
	t->pace_ifindex = t->loop_ifindex = 0;
}

void srfd_ticker_close(struct srfd_ticker *t)
{
	if (t->packet_fd >= 0)
		close(t->packet_fd);
	t->packet_fd = -1;
}
