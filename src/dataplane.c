// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Bring the kernel side up and down. Order matters: the ticker veth must
 * exist before the skeleton is loaded (its ifindexes are rodata), and the
 * tickers are injected last, when everything they drive is in place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/magic.h>
#include <bpf/bpf.h>

#include "dataplane.h"
#include "log.h"
#include "netlink.h"
#include "encap.h"
#include "session.h"
#include "srfd.skel.h"

/* locally administered MACs of the private ticker veth */
static const __u8 pace_mac[6] = { 0x02, 0x73, 0x72, 0x66, 0x64, 0x00 };
static const __u8 loop_mac[6] = { 0x02, 0x73, 0x72, 0x66, 0x64, 0x01 };

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

static int ticker_link_create(struct srfd_dp *dp)
{
	char path[128];
	int err, idx;

	idx = if_nametoindex(SRFD_PACE_IFNAME);
	if (idx) {
		log_warn("removing leftover %s from an earlier run",
			 SRFD_PACE_IFNAME);
		srfd_nl_link_delete(dp->nl, idx);
	}
	err = srfd_nl_veth_create(dp->nl, SRFD_PACE_IFNAME, pace_mac,
				  SRFD_LOOP_IFNAME, loop_mac);
	if (err) {
		log_err("cannot create veth %s/%s: %s %s", SRFD_PACE_IFNAME,
			SRFD_LOOP_IFNAME, strerror(-err), srfd_nl_errmsg(dp->nl));
		return err;
	}
	dp->pace_ifindex = if_nametoindex(SRFD_PACE_IFNAME);
	dp->loop_ifindex = if_nametoindex(SRFD_LOOP_IFNAME);
	if (!dp->pace_ifindex || !dp->loop_ifindex)
		return -ENODEV;

	/*
	 * The ticker veth carries no IP traffic. The pacer end has IPv6 off;
	 * the loop end keeps IPv6 (without addresses) because the End.BPF
	 * route needs a device, and a route via lo becomes a reject route.
	 */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 SRFD_PACE_IFNAME);
	write_sysctl(path, "1");
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/addr_gen_mode",
		 SRFD_LOOP_IFNAME);
	write_sysctl(path, "1");
	/* bpf_fib_lookup() for encapsulated traffic refuses a non-forwarding device */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/forwarding",
		 SRFD_LOOP_IFNAME);
	write_sysctl(path, "1");

	err = srfd_nl_link_set_up(dp->nl, dp->pace_ifindex);
	if (!err)
		err = srfd_nl_link_set_up(dp->nl, dp->loop_ifindex);
	if (err) {
		log_err("cannot set ticker veth up: %s", strerror(-err));
		return err;
	}
	return 0;
}

static int ticker_pacer_setup(struct srfd_dp *dp)
{
	__u64 rate = (__u64)SRFD_TICK_FRAME_LEN * 1000000ULL / dp->conf->tick_us;
	int err;

	err = srfd_nl_tbf_add(dp->nl, dp->pace_ifindex, rate,
			      SRFD_TICKERS * SRFD_TICK_FRAME_LEN,
			      4 * SRFD_TICKERS * SRFD_TICK_FRAME_LEN);
	if (err) {
		log_err("cannot add TBF pacer on %s: %s %s", SRFD_PACE_IFNAME,
			strerror(-err), srfd_nl_errmsg(dp->nl));
		return err;
	}
	log_info("ticker: one frame every %u us (TBF %llu B/s on %s)",
		 dp->conf->tick_us, (unsigned long long)rate, SRFD_PACE_IFNAME);
	return 0;
}

static int sessions_load(struct srfd_dp *dp)
{
	const struct srfd_config *conf = dp->conf;
	struct srfd_settings settings = { .nr_slots = conf->nsessions };
	char nbr[INET6_ADDRSTRLEN];
	struct srfd_session_cfg cfg;
	unsigned int i;
	__u32 key = 0;
	__u64 token;
	int ifindex, err;

	for (i = 0; i < conf->nsessions; i++) {
		const struct srfd_session_conf *sc = &conf->sessions[i];

		ifindex = if_nametoindex(sc->ifname);
		if (!ifindex) {
			log_err("session '%s': interface '%s' does not exist",
				sc->name, sc->ifname);
			return -ENODEV;
		}
		if (getrandom(&token, sizeof(token), 0) != sizeof(token))
			return -errno;
		err = srfd_session_cfg_build(conf, i, ifindex, token, &cfg);
		if (err)
			return err;
		key = i;
		err = bpf_map__update_elem(dp->skel->maps.srfd_sess_cfg, &key,
					   sizeof(key), &cfg, sizeof(cfg), 0);
		if (err)
			return err;
		inet_ntop(AF_INET6, sc->neighbor, nbr, sizeof(nbr));
		log_info("session '%s': out of %s to %s, %u us x %u, up after %u",
			 sc->name, sc->ifname, nbr, sc->interval_us,
			 sc->multiplier, sc->up_after);
	}
	key = 0;
	return bpf_map__update_elem(dp->skel->maps.srfd_settings, &key,
				    sizeof(key), &settings, sizeof(settings), 0);
}

static int reflectors_load(struct srfd_dp *dp)
{
	const struct srfd_config *conf = dp->conf;
	char sid[INET6_ADDRSTRLEN];
	unsigned int i;
	int err;

	for (i = 0; i < conf->nreflectors; i++) {
		const struct srfd_reflector_conf *rc = &conf->reflectors[i];
		struct srfd_reflector val;

		memcpy(val.nexthop, rc->nexthop, sizeof(val.nexthop));
		err = bpf_map__update_elem(dp->skel->maps.srfd_reflectors,
					   rc->sid, SRFD_SID_LEN, &val,
					   sizeof(val), 0);
		if (err)
			return err;
		inet_ntop(AF_INET6, rc->sid, sid, sizeof(sid));
		err = srfd_nl_end_bpf_add(dp->nl, rc->sid, dp->loop_ifindex,
					  bpf_program__fd(dp->skel->progs.srfd_reflect),
					  "srfd_reflect");
		if (err) {
			log_err("cannot install reflector route for %s: %s %s",
				sid, strerror(-err), srfd_nl_errmsg(dp->nl));
			return err;
		}
		dp->reflector_routes = i + 1;
		log_info("reflector SID %s -> End.BPF srfd_reflect (End.X back)", sid);
	}
	return 0;
}

/*
 * Attach srfd_encap to the egress of @ifindex (once): srfd-loop, or a
 * device we do not own, whose clsact we create only if it is missing.
 */
static int encap_attach_egress(struct srfd_dp *dp, int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = SRFD_TC_HANDLE,
		    .priority = SRFD_TC_PRIO,
		    .prog_fd = bpf_program__fd(dp->skel->progs.srfd_encap));
	char ifname[IF_NAMESIZE] = "?";
	unsigned int i;
	int err;

	for (i = 0; i < dp->negress; i++)
		if (dp->egress_ifindex[i] == ifindex)
			return 0;
	if (dp->negress == SRFD_MAX_EGRESS)
		return -ENOSPC;
	if_indextoname(ifindex, ifname);
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	dp->egress_made_clsact[dp->negress] = !err;
	dp->egress_ifindex[dp->negress++] = ifindex;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		log_err("cannot attach srfd_encap to %s egress: %s", ifname,
			strerror(-err));
		return err;
	}
	log_info("srfd_encap attached to %s egress (tc handle 0x%x prio 0x%x)",
		 ifname, SRFD_TC_HANDLE, SRFD_TC_PRIO);
	return 0;
}

static void encap_detach_egress(struct srfd_dp *dp)
{
	while (dp->negress > 0) {
		unsigned int i = --dp->negress;
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = dp->egress_ifindex[i],
			    .attach_point = BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = SRFD_TC_HANDLE,
			    .priority = SRFD_TC_PRIO);

		bpf_tc_detach(&hook, &opts);
		/* only a clsact srfdd created goes, with everything in it */
		if (dp->egress_made_clsact[i]) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
		}
	}
}

/*
 * Fast path: route the prefix straight towards the primary's first hop and
 * encapsulate on that device's egress. Without a route to the first SID
 * now, the srfd-loop route alone carries the prefix (still protected).
 */
static int prefix_fast_route_add(struct srfd_dp *dp, unsigned int idx,
				 __u32 mtu)
{
	const struct srfd_prefix_conf *pc = &dp->conf->prefixes[idx];
	const __u8 *first = pc->segs[SRFD_LIST_PRIMARY][0];
	char sid[INET6_ADDRSTRLEN];
	int oif, has_gw, err;
	__u8 gw[16];

	inet_ntop(AF_INET6, first, sid, sizeof(sid));
	err = srfd_nl_route6_get(dp->nl, first, &oif, gw, &has_gw);
	if (err || oif == dp->loop_ifindex) {
		log_warn("no route to primary SID %s now (%s): slow path only",
			 sid, err ? strerror(-err) : "via srfd-loop");
		return 0;
	}
	err = encap_attach_egress(dp, oif);
	if (err)
		return err;
	/* local traffic keeps one source address whichever list is active */
	err = srfd_nl_route6_add(dp->nl, pc->addr, pc->plen,
				 has_gw ? gw : first, oif, dp->conf->source,
				 SRFD_PREFIX_METRIC, mtu);
	if (err) {
		log_err("cannot install fast route for a protected prefix: %s %s",
			strerror(-err), srfd_nl_errmsg(dp->nl));
		return err;
	}
	dp->prefix_fast[idx] = 1;
	return 0;
}

static int prefixes_load(struct srfd_dp *dp)
{
	const struct srfd_config *conf = dp->conf;
	struct srfd_session_guards guards;
	struct srfd_prefix_cfg cfg;
	struct srfd_prefix_key key;
	unsigned int i, max_n;
	char name[64];
	__u32 idx, mtu;
	int err;

	for (i = 0; i < conf->nsessions; i++) {
		idx = i;
		srfd_session_guards_build(conf, i, &guards);
		err = bpf_map__update_elem(dp->skel->maps.srfd_sess_guards, &idx,
					   sizeof(idx), &guards, sizeof(guards), 0);
		if (err)
			return err;
	}
	for (i = 0; i < conf->nprefixes; i++) {
		const struct srfd_prefix_conf *pc = &conf->prefixes[i];

		idx = i;
		err = srfd_prefix_cfg_build(conf, i, &cfg);
		if (!err)
			err = bpf_map__update_elem(dp->skel->maps.srfd_prefix_cfg,
						   &idx, sizeof(idx), &cfg,
						   sizeof(cfg), 0);
		key.prefixlen = pc->plen;
		memcpy(key.addr, pc->addr, sizeof(key.addr));
		if (!err)
			err = bpf_map__update_elem(dp->skel->maps.srfd_prefix_lpm,
						   &key, sizeof(key), &idx,
						   sizeof(idx), 0);
		if (err)
			return err;

		/*
		 * The route MTU leaves room for the larger of the two SRv6
		 * headers, so the kernel sends Packet Too Big and TCP sizes
		 * its segments before our encapsulation.
		 */
		max_n = pc->nsegs[0] > pc->nsegs[1] ? pc->nsegs[0] : pc->nsegs[1];
		mtu = conf->encap_mtu - SRFD_ENCAP_OVERHEAD(max_n);
		srfd_prefix_format(pc, name, sizeof(name));
		err = srfd_nl_route6_add(dp->nl, pc->addr, pc->plen, NULL,
					 dp->loop_ifindex, conf->source,
					 SRFD_FALLBACK_METRIC, mtu);
		if (err) {
			log_err("cannot install route for protected prefix %s: %s %s",
				name, strerror(-err), srfd_nl_errmsg(dp->nl));
			return err;
		}
		dp->prefix_routes = i + 1;
		err = prefix_fast_route_add(dp, i, mtu);
		if (err)
			return err;
		log_info("prefix %s protected by %u session(s), route mtu %u, %s",
			 name, pc->nguards, mtu, dp->prefix_fast[i] ?
			 "fast path via the primary's egress" :
			 "via srfd-loop only");
	}
	return 0;
}

static int bpffs_ensure(const char *dir)
{
	struct statfs sfs;

	if (statfs(dir, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	mkdir(dir, 0700);
	if (mount("bpf", dir, "bpf", 0, "mode=0700")) {
		log_err("%s is not a bpffs and mounting one failed: %s", dir,
			strerror(errno));
		return -errno;
	}
	log_info("mounted bpffs on %s", dir);
	return 0;
}

static struct bpf_map *pinned_maps(struct srfd_bpf *skel, int i)
{
	struct bpf_map *maps[] = {
		skel->maps.srfd_sess_cfg, skel->maps.srfd_sess_state,
		skel->maps.srfd_settings, skel->maps.srfd_global,
		skel->maps.srfd_counters, skel->maps.srfd_events,
		skel->maps.srfd_reflectors, skel->maps.srfd_prefix_lpm,
		skel->maps.srfd_prefix_cfg, skel->maps.srfd_prefix_state,
		skel->maps.srfd_encap_stats, skel->maps.srfd_sess_guards,
	};

	return i < (int)(sizeof(maps) / sizeof(maps[0])) ? maps[i] : NULL;
}

static void maps_unpin(struct srfd_dp *dp)
{
	char path[sizeof(dp->pin_dir) + 64];
	struct bpf_map *m;
	int i;

	for (i = 0; (m = pinned_maps(dp->skel, i)); i++) {
		snprintf(path, sizeof(path), "%s/%s", dp->pin_dir,
			 bpf_map__name(m));
		unlink(path);
	}
	rmdir(dp->pin_dir);
}

static int maps_pin(struct srfd_dp *dp)
{
	char path[sizeof(dp->pin_dir) + 64];
	struct bpf_map *m;
	int i, err;

	err = bpffs_ensure(dp->conf->bpffs);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/srfd", dp->conf->bpffs);
	mkdir(path, 0700);
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s/srfd/%s",
		 dp->conf->bpffs, dp->conf->instance);
	mkdir(dp->pin_dir, 0700);
	dp->maps_pinned = 1;
	for (i = 0; (m = pinned_maps(dp->skel, i)); i++) {
		snprintf(path, sizeof(path), "%s/%s", dp->pin_dir,
			 bpf_map__name(m));
		if (unlink(path) == 0)
			log_warn("replaced stale pin %s", path);
		err = bpf_map__pin(m, path);
		if (err) {
			log_err("cannot pin %s: %s", path, strerror(-err));
			return err;
		}
	}
	log_info("maps pinned under %s", dp->pin_dir);
	return 0;
}

static int encap_attach(struct srfd_dp *dp)
{
	int err;

	/* routes to srfd-loop need no neighbour: NOARP uses the device address */
	err = srfd_nl_link_set_noarp(dp->nl, dp->loop_ifindex, 1);
	if (err)
		return err;
	return encap_attach_egress(dp, dp->loop_ifindex);
}

static int tick_attach(struct srfd_dp *dp)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = dp->loop_ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1,
		    .prog_fd = bpf_program__fd(dp->skel->progs.srfd_tick));
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		log_err("cannot attach srfd_tick to %s: %s", SRFD_LOOP_IFNAME,
			strerror(-err));
	return err;
}

static int end_bpf_route_add(struct srfd_dp *dp)
{
	char sid[INET6_ADDRSTRLEN];
	int err;

	inet_ntop(AF_INET6, dp->conf->local_sid, sid, sizeof(sid));
	err = srfd_nl_end_bpf_add(dp->nl, dp->conf->local_sid, dp->loop_ifindex,
				  bpf_program__fd(dp->skel->progs.srfd_end_bpf),
				  "srfd_end_bpf");
	if (err) {
		log_err("cannot install End.BPF route for %s: %s %s%s", sid,
			strerror(-err), srfd_nl_errmsg(dp->nl),
			err == -EEXIST ? " (a route for local_sid exists: "
					 "remove it or choose another SID)" : "");
		return err;
	}
	dp->route_installed = 1;
	log_info("local SID %s -> End.BPF srfd_end_bpf", sid);
	return 0;
}

int srfd_dp_inject_ticker(struct srfd_dp *dp)
{
	__u8 frame[SRFD_TICK_FRAME_LEN] = { 0 };
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = dp->pace_ifindex,
		.sll_halen = ETH_ALEN,
	};
	struct srfd_tick tick = {
		.magic = htonl(SRFD_TICK_MAGIC),
		.ticker_id = htonl(dp->next_ticker_id++),
	};
	__u16 proto = htons(SRFD_TICK_ETHERTYPE);

	memcpy(frame, loop_mac, ETH_ALEN);
	memcpy(frame + ETH_ALEN, pace_mac, ETH_ALEN);
	memcpy(frame + 2 * ETH_ALEN, &proto, sizeof(proto));
	memcpy(frame + ETH_HLEN, &tick, sizeof(tick));
	memcpy(sll.sll_addr, loop_mac, ETH_ALEN);
	if (sendto(dp->packet_fd, frame, sizeof(frame), 0,
		   (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	return 0;
}

int srfd_dp_start(struct srfd_dp *dp, const struct srfd_config *conf,
		  ring_buffer_sample_fn on_event, void *ctx)
{
	int err, i;

	memset(dp, 0, sizeof(*dp));
	dp->conf = conf;
	dp->packet_fd = -1;

	err = srfd_nl_open(&dp->nl);
	if (err) {
		log_err("cannot open rtnetlink: %s", strerror(-err));
		return err;
	}
	err = ticker_link_create(dp);
	if (err)
		goto fail;
	if (conf->nsessions) {
		err = ticker_pacer_setup(dp);
		if (err)
			goto fail;
	}

	dp->skel = srfd_bpf__open();
	if (!dp->skel) {
		err = -errno;
		log_err("cannot open BPF skeleton: %s", strerror(-err));
		goto fail;
	}
	dp->skel->rodata->pacer_ifindex = dp->pace_ifindex;
	dp->skel->rodata->loop_ifindex = dp->loop_ifindex;
	bpf_program__set_autoload(dp->skel->progs.srfd_rx_test, false);
	err = srfd_bpf__load(dp->skel);
	if (err) {
		log_err("cannot load BPF programs: %s", strerror(-err));
		goto fail;
	}
	err = sessions_load(dp);
	if (err)
		goto fail;
	err = maps_pin(dp);
	if (err)
		goto fail;
	if (conf->nsessions) {
		err = tick_attach(dp);
		if (!err)
			err = end_bpf_route_add(dp);
		if (err)
			goto fail;
	}
	err = reflectors_load(dp);
	if (err)
		goto fail;
	if (conf->nprefixes) {
		err = encap_attach(dp);
		if (!err)
			err = prefixes_load(dp);
		if (err)
			goto fail;
	}

	dp->rb = ring_buffer__new(bpf_map__fd(dp->skel->maps.srfd_events),
				  on_event, ctx, NULL);
	if (!dp->rb) {
		err = -errno;
		goto fail;
	}
	dp->packet_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (dp->packet_fd < 0) {
		err = -errno;
		log_err("cannot open packet socket: %s", strerror(-err));
		goto fail;
	}
	for (i = 0; conf->nsessions && i < SRFD_TICKERS; i++) {
		err = srfd_dp_inject_ticker(dp);
		if (err) {
			log_err("cannot inject ticker: %s", strerror(-err));
			goto fail;
		}
	}
	return 0;
fail:
	srfd_dp_stop(dp);
	return err;
}

void srfd_dp_stop(struct srfd_dp *dp)
{
	char sid[INET6_ADDRSTRLEN];
	int err;

	if (dp->route_installed) {
		err = srfd_nl_route6_del(dp->nl, dp->conf->local_sid);
		if (err) {
			inet_ntop(AF_INET6, dp->conf->local_sid, sid, sizeof(sid));
			log_warn("cannot remove End.BPF route %s: %s", sid,
				 strerror(-err));
		}
		dp->route_installed = 0;
	}
	while (dp->prefix_routes > 0) {
		unsigned int i = --dp->prefix_routes;
		const struct srfd_prefix_conf *pc = &dp->conf->prefixes[i];

		if (dp->prefix_fast[i])
			srfd_nl_route6_prefix_del(dp->nl, pc->addr, pc->plen,
						  SRFD_PREFIX_METRIC);
		srfd_nl_route6_prefix_del(dp->nl, pc->addr, pc->plen,
					  SRFD_FALLBACK_METRIC);
		dp->prefix_fast[i] = 0;
	}
	encap_detach_egress(dp);
	while (dp->reflector_routes > 0) {
		dp->reflector_routes--;
		srfd_nl_route6_del(dp->nl,
				   dp->conf->reflectors[dp->reflector_routes].sid);
	}
	/* deleting the veth takes its qdiscs and tc filter with it */
	if (dp->pace_ifindex && dp->nl) {
		srfd_nl_link_delete(dp->nl, dp->pace_ifindex);
		dp->pace_ifindex = dp->loop_ifindex = 0;
	}
	if (dp->packet_fd >= 0)
		close(dp->packet_fd);
	dp->packet_fd = -1;
	ring_buffer__free(dp->rb);
	dp->rb = NULL;
	if (dp->maps_pinned && dp->skel)
		maps_unpin(dp);
	dp->maps_pinned = 0;
	srfd_bpf__destroy(dp->skel);
	dp->skel = NULL;
	srfd_nl_close(dp->nl);
	dp->nl = NULL;
}

int srfd_dp_ringbuf_fd(const struct srfd_dp *dp)
{
	return ring_buffer__epoll_fd(dp->rb);
}

int srfd_dp_ringbuf_consume(struct srfd_dp *dp)
{
	return ring_buffer__consume(dp->rb);
}

int srfd_dp_read_state(const struct srfd_dp *dp, __u32 slot,
		       struct srfd_session_state *st)
{
	return bpf_map__lookup_elem(dp->skel->maps.srfd_sess_state, &slot,
				    sizeof(slot), st, sizeof(*st), 0);
}

int srfd_dp_read_global(const struct srfd_dp *dp, struct srfd_global *g)
{
	__u32 key = 0;

	return bpf_map__lookup_elem(dp->skel->maps.srfd_global, &key,
				    sizeof(key), g, sizeof(*g), 0);
}

int srfd_dp_read_prefix(const struct srfd_dp *dp, __u32 idx,
			struct srfd_prefix_state *st, __u64 packets[2],
			__u64 bytes[2])
{
	int ncpu = libbpf_num_possible_cpus(), i, l, err;
	struct srfd_encap_stats vals[ncpu > 0 ? ncpu : 1];
	__u32 key;

	err = bpf_map__lookup_elem(dp->skel->maps.srfd_prefix_state, &idx,
				   sizeof(idx), st, sizeof(*st), 0);
	if (err || ncpu <= 0)
		return err ? err : -EINVAL;
	for (l = 0; l < 2; l++) {
		key = idx * 2 + l;
		packets[l] = bytes[l] = 0;
		err = bpf_map__lookup_elem(dp->skel->maps.srfd_encap_stats, &key,
					   sizeof(key), vals, sizeof(vals), 0);
		if (err)
			return err;
		for (i = 0; i < ncpu; i++) {
			packets[l] += vals[i].packets;
			bytes[l] += vals[i].bytes;
		}
	}
	return 0;
}

__u64 srfd_dp_counter(const struct srfd_dp *dp, enum srfd_reason reason)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	__u64 vals[ncpu > 0 ? ncpu : 1], sum = 0;
	__u32 key = reason;

	if (ncpu <= 0 ||
	    bpf_map__lookup_elem(dp->skel->maps.srfd_counters, &key, sizeof(key),
				 vals, sizeof(__u64) * ncpu, 0))
		return 0;
	for (i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}
