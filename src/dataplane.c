// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The start / adopt / apply / reconcile / stop ladder of srfd's kernel side
 * (dataplane.h). The kernel objects themselves live in their own files:
 * the probe clock in ticker.c, pins and the lock in pin.c, routes and encap
 * filters in routes.c, tc plumbing in filters.c; this file decides when.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>

#include "dataplane.h"
#include "filters.h"
#include "kernel.h"
#include "log.h"
#include "netlink.h"
#include "pin.h"
#include "plan.h"
#include "routes.h"
#include "schedule.h"
#include "session.h"
#include "srfd.skel.h"

void srfd_dp_alert(struct srfd_dp *dp, enum srfd_event_type type,
		   const char *name, unsigned int state, const char *fmt, ...)
{
	char detail[SRFD_DETAIL_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (type == SRFD_EV_REPAIR)
		dp->repairs++;
	if (dp->alert)
		dp->alert(dp->alert_ctx, type, name, state, detail);
}

static __u64 netns_inode(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : st.st_ino;
}

static int map_write(struct bpf_map *map, __u32 key, const void *val,
		     size_t len)
{
	return bpf_map__update_elem(map, &key, sizeof(key), val, len, 0);
}

static int read_settings(const struct srfd_dp *dp, struct srfd_settings *set)
{
	__u32 zero = 0;

	return bpf_map__lookup_elem(dp->skel->maps.srfd_settings, &zero,
				    sizeof(zero), set, sizeof(*set), 0);
}

/*
 * Before libbpf reuses the pins: are they an instance this srfdd may adopt?
 * Same layout version, and the same network namespace (a name reused in
 * another namespace must not take over, nor tear down, that one's state).
 */
static int adopt_check(struct srfd_dp *dp)
{
	char path[sizeof(dp->pin_dir) + 32];
	struct bpf_map_info info;
	struct srfd_settings set;
	__u32 len = sizeof(info), zero = 0;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/srfd_settings", dp->pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.value_size != sizeof(set) ||
	    bpf_map_lookup_elem(fd, &zero, &set) ||
	    set.abi_version != SRFD_ABI_VERSION) {
		log_err("instance '%s': pinned state in %s has another layout "
			"(left by a different srfd version); remove it with "
			"`srfdd --flush -i %s` first", dp->conf->instance,
			dp->pin_dir, dp->conf->instance);
		err = -EPROTO;
	} else if (set.netns_ino != dp->netns_ino) {
		log_err("instance '%s': its pinned state belongs to another "
			"network namespace (inode %llu, this is %llu); pick "
			"another instance name or flush it there",
			dp->conf->instance, (unsigned long long)set.netns_ino,
			(unsigned long long)dp->netns_ino);
		err = -EXDEV;
	} else {
		dp->generation = set.generation;
		/* the pinned maps' size wins; srfdd refuses a config that differs */
		dp->max_sessions = set.max_sessions;
		dp->sched_half = set.sched_half & 1;
	}
	close(fd);
	return err;
}

const char *srfd_sid_kind_name(enum srfd_sid_kind kind)
{
	return kind == SRFD_SID_LWT_IN ? "lwt-in" : "End.BPF";
}

struct bpf_program *srfd_dp_sid_prog(const struct srfd_dp *dp)
{
	return dp->sid_kind == SRFD_SID_LWT_IN ? dp->skel->progs.srfd_sid_in :
						 dp->skel->progs.srfd_end_bpf;
}

int srfd_dp_open(struct srfd_dp *dp, const struct srfd_config *conf,
		 ring_buffer_sample_fn on_event, srfd_alert_fn alert_fn,
		 void *ctx)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	int err;

	memset(dp, 0, sizeof(*dp));
	dp->conf = conf;
	dp->alert = alert_fn;
	dp->alert_ctx = ctx;
	dp->netns_ino = netns_inode();
	dp->tc_handle = srfd_filter_handle(conf->instance);
	srfd_ticker_init(&dp->ticker, conf->instance);

	err = srfd_nl_open(&dp->nl);
	if (err) {
		log_err("cannot open rtnetlink: %s", strerror(-err));
		return err;
	}
	err = srfd_bpffs_ensure(conf->bpffs);
	if (!err)
		err = srfd_pin_dir(conf, dp->pin_dir, sizeof(dp->pin_dir), 1);
	if (err)
		goto fail;
	if (srfd_pin_present(dp->pin_dir)) {
		err = adopt_check(dp);
		if (err) {	/* not ours to touch: leave the pins */
			srfd_dp_close(dp);
			return err;
		}
		dp->adopted = 1;
	}

	/* maps are pinned by name here: libbpf reuses them if present */
	opts.pin_root_path = dp->pin_dir;
	dp->skel = srfd_bpf__open_opts(&opts);
	if (!dp->skel) {
		err = -errno;
		log_err("cannot open BPF skeleton: %s", strerror(-err));
		goto fail;
	}
	bpf_program__set_autoload(dp->skel->progs.srfd_rx_test, false);
	/* the session maps' size is fixed from here on */
	if (!dp->adopted || !dp->max_sessions)
		dp->max_sessions = conf->max_sessions ?: SRFD_DEFAULT_MAX_SESSIONS;
	bpf_map__set_max_entries(dp->skel->maps.srfd_sess_cfg, dp->max_sessions);
	bpf_map__set_max_entries(dp->skel->maps.srfd_sess_state, dp->max_sessions);
	bpf_map__set_max_entries(dp->skel->maps.srfd_sess_guards, dp->max_sessions);
	bpf_map__set_max_entries(dp->skel->maps.srfd_sched_slot,
				 2 * dp->max_sessions);
	bpf_map__set_max_entries(dp->skel->maps.srfd_suspects, dp->max_sessions);
	/* only the receiver this kernel can route to is loaded */
	dp->sid_kind = srfd_kernel_seg6local() ? SRFD_SID_END_BPF : SRFD_SID_LWT_IN;
	bpf_program__set_autoload(dp->skel->progs.srfd_reflect,
				  dp->sid_kind == SRFD_SID_END_BPF);
	bpf_program__set_autoload(dp->skel->progs.srfd_end_bpf,
				  dp->sid_kind == SRFD_SID_END_BPF);
	bpf_program__set_autoload(dp->skel->progs.srfd_sid_in,
				  dp->sid_kind == SRFD_SID_LWT_IN);
	if (dp->sid_kind == SRFD_SID_LWT_IN)
		log_info("kernel without seg6local End.BPF: local_sid is served "
			 "by an LWT BPF (lwt in) route");
	err = srfd_bpf__load(dp->skel);
	if (err) {
		log_err("cannot load BPF programs%s: %s", dp->adopted ?
			" onto the pinned maps (run `srfdd --flush` to start over)" :
			"", strerror(-err));
		goto fail;
	}
	dp->generation++;
	dp->rb = ring_buffer__new(bpf_map__fd(dp->skel->maps.srfd_events),
				  on_event, ctx, NULL);
	if (!dp->rb) {
		err = -errno;
		goto fail;
	}
	err = srfd_ticker_find(&dp->ticker, dp->nl);
	if (err == -EEXIST)
		goto fail;
	return 0;
fail:
	if (!dp->adopted && dp->pin_dir[0])
		srfd_pin_remove(dp->pin_dir);
	srfd_dp_close(dp);
	return err ? err : -EINVAL;
}

static int write_settings(struct srfd_dp *dp, unsigned int nr_slots)
{
	struct srfd_settings set = {
		.nr_slots = nr_slots,
		.generation = dp->generation,
		.pacer_ifindex = dp->ticker.pace_ifindex,
		.loop_ifindex = dp->ticker.loop_ifindex,
		.abi_version = SRFD_ABI_VERSION,
		.tc_handle = dp->tc_handle,
		.netns_ino = dp->netns_ino,
		.stall_ns = (__u64)dp->conf->stall_limit_ms * 1000000,
		.sched_half = dp->sched_half,
		.flags = dp->conf->ticker_watchdog ? SRFD_SET_F_TICKER_WATCHDOG : 0,
		.max_sessions = dp->max_sessions,
	};

	memcpy(set.local_sid, dp->conf->local_sid, SRFD_SID_LEN);
	return map_write(dp->skel->maps.srfd_settings, 0, &set, sizeof(set));
}

static int session_write(struct srfd_dp *dp, const struct srfd_config *conf,
			 unsigned int i, const struct srfd_plan *plan,
			 const struct srfd_session_cfg *cur)
{
	const struct srfd_session_conf *sc = &conf->sessions[i];
	struct srfd_session_state zero_state;
	struct srfd_session_cfg cfg;
	unsigned int slot = plan->sess_slot[i];
	char nbr[INET6_ADDRSTRLEN];
	__u64 key[2] = { cur->key[0], cur->key[1] };
	int ifindex, err;

	ifindex = if_nametoindex(sc->ifname);
	if (plan->sess_action[i] == SRFD_PLAN_KEEP) {
		/*
		 * What the kernel holds, which may be stale (the interface was
		 * re-created while no srfdd ran): link sync then corrects it.
		 */
		dp->sess_ifindex[i] = cur->ifindex;
		return 0;
	}
	dp->sess_ifindex[i] = ifindex;
	if (plan->sess_action[i] >= SRFD_PLAN_RESET &&
	    getrandom(key, sizeof(key), 0) != sizeof(key))
		return -errno;
	err = srfd_session_cfg_build(conf, i, slot, ifindex, key, &cfg);
	if (!err)
		err = map_write(dp->skel->maps.srfd_sess_cfg, slot, &cfg,
				sizeof(cfg));
	if (!err && plan->sess_action[i] >= SRFD_PLAN_RESET) {
		/* also cancels a watchdog left by an earlier user of the slot */
		memset(&zero_state, 0, sizeof(zero_state));
		err = map_write(dp->skel->maps.srfd_sess_state, slot,
				&zero_state, sizeof(zero_state));
	}
	if (err)
		return err;
	inet_ntop(AF_INET6, sc->neighbor, nbr, sizeof(nbr));
	log_info("session '%s' %s: out of %s to %s, %u us x %u, up after %u",
		 sc->name, srfd_plan_action_name(plan->sess_action[i]),
		 sc->ifname, nbr, sc->interval_us, sc->multiplier, sc->up_after);
	if (!ifindex)
		srfd_dp_alert(dp, SRFD_EV_LINK, sc->name, 0,
		      "interface %s does not exist: session cannot come up",
		      sc->ifname);
	return 0;
}

static void nexthops_clear(struct srfd_dp *dp, __u32 slot)
{
	struct srfd_nexthop none = { 0 };
	unsigned int l;

	for (l = 0; l < SRFD_LISTS; l++)
		map_write(dp->skel->maps.srfd_nexthops,
			  SRFD_ENCAP_STATS_KEY(slot, l), &none, sizeof(none));
}

static int prefix_write(struct srfd_dp *dp, const struct srfd_config *conf,
			unsigned int i, const struct srfd_plan *plan)
{
	const struct srfd_prefix_conf *pc = &conf->prefixes[i];
	struct srfd_encap_stats zero_stats[libbpf_num_possible_cpus()];
	struct srfd_prefix_state zero_state = { 0 };
	struct srfd_prefix_key key = { .prefixlen = pc->plen };
	struct srfd_prefix_cfg cfg;
	__u32 slot = plan->pfx_slot[i], l;
	char name[64];
	int err;

	if (plan->pfx_action[i] == SRFD_PLAN_KEEP)
		return 0;
	memset(zero_stats, 0, sizeof(zero_stats));
	srfd_prefix_cfg_build(conf, i, plan->sess_slot, &cfg);
	/* lists may change: per-packet lookups until reconcile resolves them */
	nexthops_clear(dp, slot);
	err = map_write(dp->skel->maps.srfd_prefix_cfg, slot, &cfg, sizeof(cfg));
	for (l = 0; !err && plan->pfx_action[i] == SRFD_PLAN_NEW &&
	     l < SRFD_LISTS; l++)
		err = map_write(dp->skel->maps.srfd_encap_stats,
				SRFD_ENCAP_STATS_KEY(slot, l), zero_stats,
				sizeof(zero_stats));
	if (!err && plan->pfx_action[i] == SRFD_PLAN_NEW)
		err = map_write(dp->skel->maps.srfd_prefix_state, slot,
				&zero_state, sizeof(zero_state));
	memcpy(key.addr, pc->addr, sizeof(key.addr));
	if (!err)
		err = bpf_map__update_elem(dp->skel->maps.srfd_prefix_lpm, &key,
					   sizeof(key), &slot, sizeof(slot), 0);
	if (err)
		return err;
	srfd_prefix_format(pc, name, sizeof(name));
	log_info("prefix %s %s: protected by %u session(s), route mtu %u",
		 name, srfd_plan_action_name(plan->pfx_action[i]), pc->nguards,
		 cfg.mtu);
	return 0;
}

static void session_release(struct srfd_dp *dp, __u32 slot,
			    const struct srfd_session_cfg *old)
{
	struct srfd_session_guards guards = { 0 };
	struct srfd_session_state state;
	struct srfd_session_cfg cfg = { 0 };

	/* inactive first: the ticker stops sending, the watchdog lets go */
	map_write(dp->skel->maps.srfd_sess_cfg, slot, &cfg, sizeof(cfg));
	memset(&state, 0, sizeof(state));
	map_write(dp->skel->maps.srfd_sess_state, slot, &state, sizeof(state));
	map_write(dp->skel->maps.srfd_sess_guards, slot, &guards, sizeof(guards));
	log_info("session '%.*s' removed", SRFD_NAME_LEN, old->name);
}

static void prefix_release(struct srfd_dp *dp, __u32 slot,
			   const struct srfd_prefix_cfg *old)
{
	struct srfd_prefix_key key = { .prefixlen = old->plen };
	struct srfd_prefix_cfg cfg = { 0 };
	char a[INET6_ADDRSTRLEN];

	memcpy(key.addr, old->addr, sizeof(key.addr));
	bpf_map__delete_elem(dp->skel->maps.srfd_prefix_lpm, &key, sizeof(key), 0);
	map_write(dp->skel->maps.srfd_prefix_cfg, slot, &cfg, sizeof(cfg));
	nexthops_clear(dp, slot);
	inet_ntop(AF_INET6, old->addr, a, sizeof(a));
	log_info("prefix %s/%u removed", a, old->plen);
}

static int guards_write(struct srfd_dp *dp, const struct srfd_config *conf,
			const struct srfd_plan *plan)
{
	struct srfd_session_guards want, cur;
	unsigned int i;
	__u32 slot;
	int err;

	for (i = 0; i < conf->nsessions; i++) {
		slot = plan->sess_slot[i];
		srfd_session_guards_build(conf, i, plan->pfx_slot, &want);
		if (!bpf_map__lookup_elem(dp->skel->maps.srfd_sess_guards, &slot,
					  sizeof(slot), &cur, sizeof(cur), 0) &&
		    !memcmp(&cur, &want, sizeof(want)))
			continue;
		err = map_write(dp->skel->maps.srfd_sess_guards, slot, &want,
				sizeof(want));
		if (err)
			return err;
	}
	return 0;
}

static void reflectors_write(struct srfd_dp *dp, const struct srfd_config *conf)
{
	struct bpf_map *map = dp->skel->maps.srfd_reflectors;
	__u8 key[SRFD_SID_LEN], next[SRFD_SID_LEN], *prev = NULL;
	__u8 gone[SRFD_MAX_REFLECTORS][SRFD_SID_LEN];
	unsigned int i, ngone = 0;

	while (!bpf_map__get_next_key(map, prev, next, sizeof(next))) {
		memcpy(key, next, sizeof(key));
		prev = key;
		for (i = 0; i < conf->nreflectors; i++)
			if (!memcmp(conf->reflectors[i].sid, key, sizeof(key)))
				break;
		if (i == conf->nreflectors && ngone < SRFD_MAX_REFLECTORS)
			memcpy(gone[ngone++], key, sizeof(key));
	}
	for (i = 0; i < ngone; i++)
		bpf_map__delete_elem(map, gone[i], SRFD_SID_LEN, 0);
	for (i = 0; i < conf->nreflectors; i++) {
		struct srfd_reflector val;

		memcpy(val.nexthop, conf->reflectors[i].nexthop, SRFD_SID_LEN);
		bpf_map__update_elem(map, conf->reflectors[i].sid, SRFD_SID_LEN,
				     &val, sizeof(val), 0);
	}
}

/*
 * The live half of a pinned schedule as a plan, so a restarted srfdd keeps
 * every session in its bucket (NULL if there is none to read).
 */
static struct srfd_sched_plan *sched_read(struct srfd_dp *dp)
{
	struct srfd_sched_plan *p = calloc(1, sizeof(*p));
	__u32 half = dp->sched_half, c, b, pos, key, start, end, s;

	if (!p || bpf_map__lookup_elem(dp->skel->maps.srfd_sched, &half,
				       sizeof(half), &p->hdr, sizeof(p->hdr), 0) ||
	    p->hdr.nclasses > SRFD_SCHED_MAX_CLASSES) {
		free(p);
		return NULL;
	}
	for (c = 0; c < p->hdr.nclasses; c++) {
		const struct srfd_sched_class *cl = &p->hdr.classes[c];

		if (!cl->period || cl->period > SRFD_SCHED_MAX_PERIOD ||
		    cl->first + cl->period >= SRFD_SCHED_BUCKETS)
			continue;
		for (b = 0; b < cl->period; b++) {
			key = half * SRFD_SCHED_BUCKETS + cl->first + b;
			if (bpf_map__lookup_elem(dp->skel->maps.srfd_sched_bucket,
						 &key, 4, &start, 4, 0))
				break;
			key++;
			if (bpf_map__lookup_elem(dp->skel->maps.srfd_sched_bucket,
						 &key, 4, &end, 4, 0))
				break;
			for (pos = start; pos < end && pos < dp->max_sessions; pos++) {
				key = half * dp->max_sessions + pos;
				if (bpf_map__lookup_elem(dp->skel->maps.srfd_sched_slot,
							 &key, 4, &s, 4, 0) ||
				    s >= SRFD_MAX_SESSIONS)
					continue;
				p->period_of[s] = cl->period;
				p->phase_of[s] = b;
			}
		}
	}
	return p;
}

/* @n array entries from @first on, in one call where the kernel can */
static int array_write(struct bpf_map *map, __u32 first, const __u32 *vals,
		       __u32 n)
{
	__u32 *keys, i, count = n;
	int err = 0;

	if (!n)
		return 0;
	keys = malloc(n * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		keys[i] = first + i;
	if (bpf_map_update_batch(bpf_map__fd(map), keys, vals, &count, NULL))
		for (i = 0, err = 0; !err && i < n; i++)
			err = map_write(map, first + i, &vals[i], sizeof(vals[i]));
	free(keys);
	return err;
}

/*
 * Lay out @conf's sessions and write the schedule into the idle half; the
 * settings written next make it live. Sessions keep their buckets.
 */
static int sched_apply(struct srfd_dp *dp, const struct srfd_config *conf,
		       const struct srfd_plan *plan)
{
	struct srfd_sched_plan *next;
	__u32 half = dp->sched_half ^ 1;
	char why[256];
	int err;

	if (!dp->sched && dp->adopted)
		dp->sched = sched_read(dp);
	next = malloc(sizeof(*next));
	if (!next)
		return -ENOMEM;
	err = srfd_sched_build(conf, plan->sess_slot, dp->sched, next, why,
			       sizeof(why));
	if (err) {
		log_err("cannot schedule the sessions: %s", why);
		free(next);
		return err;
	}
	err = array_write(dp->skel->maps.srfd_sched_bucket,
			  half * SRFD_SCHED_BUCKETS, next->bucket,
			  srfd_sched_nbuckets(&next->hdr));
	if (!err)
		err = array_write(dp->skel->maps.srfd_sched_slot,
				  half * dp->max_sessions, next->slot,
				  next->hdr.nslots);
	if (!err)
		err = map_write(dp->skel->maps.srfd_sched, half, &next->hdr,
				sizeof(next->hdr));
	if (err) {
		free(next);
		return err;
	}
	free(dp->sched);
	dp->sched = next;
	dp->sched_half = half;
	log_info("schedule: tick %u us, %u classes, %.1f probes per tick "
		 "(at most %u sessions looked at in one tick)", conf->tick_us,
		 next->hdr.nclasses, next->per_tick, next->peak);
	return 0;
}

static int session_cmd(struct srfd_dp *dp, __u32 op, __u32 slot, __u32 reason);

/*
 * Arm the clock watch and every session's watchdog at once, rather than
 * at each session's first visit. The kernel may refuse some (see
 * session_arm_watchdog in bpf/lib/prober.h): said once here, retried by the
 * ticker, and meanwhile those sessions are judged by the ticker.
 */
static void sessions_arm(struct srfd_dp *dp, const struct srfd_config *conf,
			 const struct srfd_plan *plan)
{
	unsigned int i, failed = 0;

	/* first: it guards the sessions that get no timer of their own */
	if (conf->nsessions && session_cmd(dp, SRFD_CMD_ARM_CLOCK, 0, 0) != 1)
		log_warn("the probe clock's watch could not be armed yet: the "
			 "ticker retries");
	for (i = 0; i < conf->nsessions && !conf->ticker_watchdog; i++)
		if (session_cmd(dp, SRFD_CMD_ARM, plan->sess_slot[i], 0) != 1)
			failed++;
	if (failed)
		log_warn("the kernel gave %u of %u sessions no watchdog timer "
			 "(bpf_timer_init: out of memory): the ticker judges those "
			 "on each visit, up to one interval later, and retries",
			 failed, conf->nsessions);
}

int srfd_dp_apply(struct srfd_dp *dp, const struct srfd_config *conf)
{
	struct srfd_session_cfg *cur_sess;
	struct srfd_prefix_cfg *cur_pfx;
	struct srfd_plan *plan;
	unsigned int i;
	__u32 slot;
	int err = -ENOMEM;

	cur_sess = calloc(SRFD_MAX_SESSIONS, sizeof(*cur_sess));
	cur_pfx = calloc(SRFD_MAX_PREFIXES, sizeof(*cur_pfx));
	plan = calloc(1, sizeof(*plan));
	if (!cur_sess || !cur_pfx || !plan)
		goto out;
	for (slot = 0; slot < SRFD_MAX_SESSIONS; slot++)
		bpf_map__lookup_elem(dp->skel->maps.srfd_sess_cfg, &slot,
				     sizeof(slot), &cur_sess[slot],
				     sizeof(cur_sess[slot]), 0);
	for (slot = 0; slot < SRFD_MAX_PREFIXES; slot++)
		bpf_map__lookup_elem(dp->skel->maps.srfd_prefix_cfg, &slot,
				     sizeof(slot), &cur_pfx[slot],
				     sizeof(cur_pfx[slot]), 0);
	srfd_plan_build(conf, cur_sess, cur_pfx, plan);

	/*
	 * Order keeps every intermediate state consistent for the programs:
	 * sessions before the prefixes that name them as guards, then the
	 * guard lists, settings (slot count) last.
	 */
	dp->conf = conf;
	/* releases first: a freed slot may be handed to a new session/prefix */
	for (slot = 0; slot < SRFD_MAX_SESSIONS; slot++)
		if (plan->sess_release[slot])
			session_release(dp, slot, &cur_sess[slot]);
	/* traffic is routed away before the encap stops knowing a prefix */
	if (plan->prefixes.remove)
		srfd_routes_prefixes_remove(dp, cur_pfx, plan->pfx_release,
					    SRFD_MAX_PREFIXES);
	for (slot = 0; slot < SRFD_MAX_PREFIXES; slot++)
		if (plan->pfx_release[slot])
			prefix_release(dp, slot, &cur_pfx[slot]);
	for (i = 0, err = 0; !err && i < conf->nsessions; i++)
		err = session_write(dp, conf, i, plan,
				    &cur_sess[plan->sess_slot[i]]);
	for (i = 0; !err && i < conf->nprefixes; i++)
		err = prefix_write(dp, conf, i, plan);
	if (!err)
		err = guards_write(dp, conf, plan);
	if (err) {
		log_err("cannot write the BPF maps: %s", strerror(-err));
		goto out;
	}
	reflectors_write(dp, conf);
	err = sched_apply(dp, conf, plan);
	if (err)
		goto out;
	memcpy(dp->sess_slot, plan->sess_slot, sizeof(dp->sess_slot));
	memcpy(dp->pfx_slot, plan->pfx_slot, sizeof(dp->pfx_slot));
	memset(dp->sess_link_down, 0, sizeof(dp->sess_link_down));
	err = write_settings(dp, plan->nr_slots);
	if (!err)
		sessions_arm(dp, conf, plan);
	log_info("applied: sessions %u unchanged, %u updated, %u restarted, "
		 "%u added, %u removed; prefixes %u unchanged, %u updated, "
		 "%u added, %u removed", plan->sessions.keep,
		 plan->sessions.update, plan->sessions.reset, plan->sessions.add,
		 plan->sessions.remove, plan->prefixes.keep,
		 plan->prefixes.update, plan->prefixes.add,
		 plan->prefixes.remove);
out:
	free(cur_sess);
	free(cur_pfx);
	free(plan);
	return err;
}

/* The probe clock: the veth pair, its pacer and srfd_tick. */
static int ticker_reconcile(struct srfd_dp *dp)
{
	struct srfd_settings set;
	int err, fresh = 0, r, i;

	err = srfd_ticker_find(&dp->ticker, dp->nl);
	if (err == -EEXIST)
		return err;
	if (err) {
		err = srfd_ticker_create(&dp->ticker, dp->nl);
		if (err)
			return err;
		if (dp->running)
			srfd_dp_alert(dp, SRFD_EV_REPAIR, dp->ticker.loop, 1,
			      "ticker veth %s/%s was gone: recreated",
			      dp->ticker.pace, dp->ticker.loop);
		fresh = 1;
		dp->paced_tick_us = 0;
	}
	if (dp->conf->nsessions && dp->paced_tick_us != dp->conf->tick_us) {
		err = srfd_ticker_pace(&dp->ticker, dp->nl, dp->conf->tick_us);
		if (err)
			return err;
		dp->paced_tick_us = dp->conf->tick_us;
	}
	if (read_settings(dp, &set) ||
	    set.pacer_ifindex != (__u32)dp->ticker.pace_ifindex ||
	    set.loop_ifindex != (__u32)dp->ticker.loop_ifindex ||
	    set.generation != dp->generation) {
		err = write_settings(dp, set.nr_slots);
		if (err)
			return err;
	}
	r = srfd_ticker_attach(&dp->ticker,
			       bpf_program__fd(dp->skel->progs.srfd_tick));
	if (r < 0) {
		log_err("cannot attach srfd_tick to %s: %s", dp->ticker.loop,
			strerror(-r));
		return r;
	}
	if (r && dp->running && !fresh)
		srfd_dp_alert(dp, SRFD_EV_REPAIR, dp->ticker.loop, 1,
		      "srfd_tick filter on %s: re-attached", dp->ticker.loop);
	for (i = 0; fresh && dp->conf->nsessions && i < SRFD_TICKERS; i++) {
		err = srfd_ticker_inject(&dp->ticker);
		if (err) {
			log_err("cannot inject ticker: %s", strerror(-err));
			return err;
		}
	}
	return fresh || (r && dp->running);
}

/* Pins removed by hand: put them back, or the next srfdd starts blind. */
static int pins_reconcile(struct srfd_dp *dp)
{
	struct bpf_map *m;
	int n = 0;

	bpf_object__for_each_map(m, dp->skel->obj) {
		const char *path = bpf_map__pin_path(m);

		if (!path || !access(path, F_OK))
			continue;
		mkdir(dp->pin_dir, 0700);
		/* libbpf still thinks it is pinned: pin the fd directly */
		if (bpf_obj_pin(bpf_map__fd(m), path)) {
			log_err("cannot re-pin %s", path);
			continue;
		}
		if (dp->running)
			srfd_dp_alert(dp, SRFD_EV_REPAIR, bpf_map__name(m), 1,
			      "pin %s was removed: re-pinned", path);
		n++;
	}
	return n;
}

int srfd_dp_reconcile(struct srfd_dp *dp)
{
	int n, r;

	n = pins_reconcile(dp);
	r = ticker_reconcile(dp);
	if (r < 0)
		return r;
	n += r;
	r = srfd_routes_reconcile(dp);
	if (r < 0)
		return r;
	dp->running = 1;
	return n + r;
}

__u64 srfd_dp_clock_silence(const struct srfd_dp *dp, __u64 now, __u64 limit)
{
	struct srfd_global g;

	if (!dp->conf->nsessions || srfd_dp_read_global(dp, &g))
		return 0;
	if (g.last_tick_ns && (__s64)(now - g.last_tick_ns) < (__s64)limit)
		return 0;
	return g.last_tick_ns ? now - g.last_tick_ns : limit;
}

int srfd_dp_clock_rebuild(struct srfd_dp *dp)
{
	/* whatever broke it (qdisc, filter, a stuck frame): start clean */
	srfd_ticker_delete(&dp->ticker, dp->nl);
	return srfd_dp_reconcile(dp);
}

static int session_cmd(struct srfd_dp *dp, __u32 op, __u32 slot, __u32 reason)
{
	/* the test run wants at least an IPv6 header's worth after L2 */
	struct {
		__u8 eth[ETH_HLEN];
		struct srfd_cmd cmd;
		__u8 pad[40 - sizeof(struct srfd_cmd)];
	} __attribute__((packed)) pkt = {
		.cmd = { .op = op, .session = slot, .reason = reason },
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = &pkt,
		    .data_size_in = sizeof(pkt));
	int err;

	pkt.eth[12] = 0x86;	/* an IPv6 ethertype keeps the skb ordinary */
	pkt.eth[13] = 0xdd;
	err = bpf_prog_test_run_opts(bpf_program__fd(dp->skel->progs.srfd_cmd),
				     &opts);
	if (err)
		return err;
	return opts.retval == 2 ? -EINVAL : (int)opts.retval;
}

int srfd_dp_session_admin(struct srfd_dp *dp, unsigned int idx, int down)
{
	return session_cmd(dp, down ? SRFD_CMD_ADMIN_DOWN : SRFD_CMD_ADMIN_UP,
			   dp->sess_slot[idx], SRFD_DOWN_ADMIN);
}

int srfd_dp_clear_stats(struct srfd_dp *dp)
{
	int ncpu = libbpf_num_possible_cpus(), err;
	__u64 zeros[ncpu > 0 ? ncpu : 1];
	__u32 key;

	if (ncpu <= 0)
		return -EINVAL;
	memset(zeros, 0, sizeof(zeros));
	for (key = 0; key < SRFD_R_MAX; key++) {
		err = bpf_map__update_elem(dp->skel->maps.srfd_counters, &key,
					   sizeof(key), zeros, sizeof(zeros), 0);
		if (err)
			return err;
	}
	dp->repairs = 0;
	err = session_cmd(dp, SRFD_CMD_CLEAR_STATS, 0, 0);
	return err < 0 ? err : 0;
}

void srfd_dp_session_link(struct srfd_dp *dp, unsigned int idx, int ifindex,
			  int oper_up)
{
	const struct srfd_session_conf *sc = &dp->conf->sessions[idx];
	__u32 slot = dp->sess_slot[idx];
	struct srfd_session_cfg cfg;
	int down = !ifindex || !oper_up, err;

	if (ifindex != dp->sess_ifindex[idx] &&
	    !bpf_map__lookup_elem(dp->skel->maps.srfd_sess_cfg, &slot,
				  sizeof(slot), &cfg, sizeof(cfg), 0)) {
		/* the session follows its interface by name */
		cfg.ifindex = ifindex;
		err = map_write(dp->skel->maps.srfd_sess_cfg, slot, &cfg,
				sizeof(cfg));
		if (err)
			log_err("session '%s': cannot update its interface: %s",
				sc->name, strerror(-err));
		if (ifindex)
			srfd_dp_alert(dp, SRFD_EV_LINK, sc->name, oper_up,
			      "interface %s is back (ifindex %d)", sc->ifname,
			      ifindex);
		else
			srfd_dp_alert(dp, SRFD_EV_LINK, sc->name, 0,
			      "interface %s is gone", sc->ifname);
		dp->sess_ifindex[idx] = ifindex;
	} else if (ifindex && down != dp->sess_link_down[idx]) {
		srfd_dp_alert(dp, SRFD_EV_LINK, sc->name, !down, "interface %s is %s",
		      sc->ifname, down ? "down" : "up again");
	}
	dp->sess_link_down[idx] = down;
	if (!down)
		return;	/* probes flow again; up_after brings it up */
	err = session_cmd(dp, SRFD_CMD_DOWN, slot, ifindex ? SRFD_DOWN_LINK :
						   SRFD_DOWN_IFACE_GONE);
	if (err < 0)
		log_err("session '%s': cannot take it down: %s", sc->name,
			strerror(-err));
}

void srfd_dp_close(struct srfd_dp *dp)
{
	srfd_ticker_close(&dp->ticker);
	ring_buffer__free(dp->rb);
	dp->rb = NULL;
	srfd_bpf__destroy(dp->skel);
	dp->skel = NULL;
	srfd_nl_close(dp->nl);
	dp->nl = NULL;
	free(dp->fib);
	dp->fib = NULL;
	free(dp->sched);
	dp->sched = NULL;
}

void srfd_dp_flush(struct srfd_dp *dp)
{
	int err;

	if (dp->skel)
		srfd_routes_flush(dp);
	err = srfd_ticker_find(&dp->ticker, dp->nl);
	if (!err || err == -ENOENT)	/* ours, or half of ours */
		srfd_ticker_delete(&dp->ticker, dp->nl);
	srfd_pin_remove(dp->pin_dir);
	log_info("instance '%s': routes, nexthops, filters, ticker veth and pins removed",
		 dp->conf->instance);
	srfd_bpffs_release(dp->conf->bpffs);
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
	for (l = 0; l < SRFD_LISTS; l++) {
		key = SRFD_ENCAP_STATS_KEY(idx, l);
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
