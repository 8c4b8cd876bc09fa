// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Configuration diff against the pinned maps (plan.h). */
#include <string.h>

#include "plan.h"
#include "session.h"

/* Fields that define the probe path: changing them restarts the session. */
static int same_path(const struct srfd_session_cfg *a,
		     const struct srfd_session_cfg *b)
{
	return a->nsegs == b->nsegs &&
	       !memcmp(a->ifname, b->ifname, sizeof(a->ifname)) &&
	       !memcmp(a->src, b->src, sizeof(a->src)) &&
	       !memcmp(a->nexthop, b->nexthop, sizeof(a->nexthop)) &&
	       !memcmp(a->probe_segs, b->probe_segs, sizeof(a->probe_segs));
}

static int same_timers(const struct srfd_session_cfg *a,
		       const struct srfd_session_cfg *b)
{
	return a->interval_ns == b->interval_ns &&
	       a->multiplier == b->multiplier && a->up_after == b->up_after &&
	       a->flags == b->flags;
}

static int find_session(const struct srfd_session_cfg *cur, const char *name)
{
	int s;

	for (s = 0; s < SRFD_MAX_SESSIONS; s++)
		if (cur[s].active &&
		    !strncmp(cur[s].name, name, sizeof(cur[s].name)))
			return s;
	return -1;
}

static int find_prefix(const struct srfd_prefix_cfg *cur,
		       const struct srfd_prefix_conf *pc)
{
	int p;

	for (p = 0; p < SRFD_MAX_PREFIXES; p++)
		if (cur[p].valid && cur[p].plen == pc->plen &&
		    !memcmp(cur[p].addr, pc->addr, sizeof(pc->addr)))
			return p;
	return -1;
}

static int free_slot(const __u8 *used, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!used[i])
			return i;
	return -1;	/* cannot happen: the config holds at most n */
}

static void plan_sessions(const struct srfd_config *conf,
			  const struct srfd_session_cfg *cur,
			  struct srfd_plan *plan)
{
	__u8 used[SRFD_MAX_SESSIONS] = { 0 }, matched[SRFD_MAX_SESSIONS] = { 0 };
	struct srfd_session_cfg want;
	unsigned int i;
	int s;

	/* keep slots of sessions that stay, whatever else changes */
	for (i = 0; i < conf->nsessions; i++) {
		s = find_session(cur, conf->sessions[i].name);
		plan->sess_action[i] = SRFD_PLAN_NEW;
		if (s < 0)
			continue;
		used[s] = matched[i] = 1;
		plan->sess_slot[i] = s;
		srfd_session_cfg_build(conf, i, s, cur[s].ifindex, cur[s].key,
				       &want);
		if (!same_path(&want, &cur[s]))
			plan->sess_action[i] = SRFD_PLAN_RESET;
		else if (!same_timers(&want, &cur[s]))
			plan->sess_action[i] = SRFD_PLAN_UPDATE;
		else
			plan->sess_action[i] = SRFD_PLAN_KEEP;
	}
	for (s = 0; s < SRFD_MAX_SESSIONS; s++)
		if (cur[s].active && !used[s]) {
			plan->sess_release[s] = 1;
			plan->sessions.remove++;
		}
	/* released slots are reusable: their state is zeroed with the release */
	for (i = 0; i < conf->nsessions; i++) {
		if (!matched[i]) {
			s = free_slot(used, SRFD_MAX_SESSIONS);
			used[s] = 1;
			plan->sess_slot[i] = s;
		}
		switch (plan->sess_action[i]) {
		case SRFD_PLAN_KEEP: plan->sessions.keep++; break;
		case SRFD_PLAN_UPDATE: plan->sessions.update++; break;
		case SRFD_PLAN_RESET: plan->sessions.reset++; break;
		default: plan->sessions.add++; break;
		}
		if (plan->sess_slot[i] + 1u > plan->nr_slots)
			plan->nr_slots = plan->sess_slot[i] + 1;
	}
}

static void plan_prefixes(const struct srfd_config *conf,
			  const struct srfd_prefix_cfg *cur,
			  struct srfd_plan *plan)
{
	__u8 used[SRFD_MAX_PREFIXES] = { 0 }, matched[SRFD_MAX_PREFIXES] = { 0 };
	struct srfd_prefix_cfg want;
	unsigned int i;
	int p;

	for (i = 0; i < conf->nprefixes; i++) {
		p = find_prefix(cur, &conf->prefixes[i]);
		plan->pfx_action[i] = SRFD_PLAN_NEW;
		if (p < 0)
			continue;
		used[p] = matched[i] = 1;
		plan->pfx_slot[i] = p;
		srfd_prefix_cfg_build(conf, i, plan->sess_slot, &want);
		plan->pfx_action[i] = memcmp(&want, &cur[p], sizeof(want)) ?
				      SRFD_PLAN_UPDATE : SRFD_PLAN_KEEP;
	}
	for (p = 0; p < SRFD_MAX_PREFIXES; p++)
		if (cur[p].valid && !used[p]) {
			plan->pfx_release[p] = 1;
			plan->prefixes.remove++;
		}
	for (i = 0; i < conf->nprefixes; i++) {
		if (!matched[i]) {
			p = free_slot(used, SRFD_MAX_PREFIXES);
			used[p] = 1;
			plan->pfx_slot[i] = p;
		}
		switch (plan->pfx_action[i]) {
		case SRFD_PLAN_KEEP: plan->prefixes.keep++; break;
		case SRFD_PLAN_UPDATE: plan->prefixes.update++; break;
		default: plan->prefixes.add++; break;
		}
	}
}

void srfd_plan_build(const struct srfd_config *conf,
		     const struct srfd_session_cfg *cur_sess,
		     const struct srfd_prefix_cfg *cur_pfx,
		     struct srfd_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan_sessions(conf, cur_sess, plan);
	plan_prefixes(conf, cur_pfx, plan);
}

const char *srfd_plan_action_name(enum srfd_plan_action a)
{
	static const char *const names[] = {
		[SRFD_PLAN_KEEP] = "unchanged", [SRFD_PLAN_UPDATE] = "updated",
		[SRFD_PLAN_RESET] = "restarted", [SRFD_PLAN_NEW] = "added",
	};

	return (unsigned int)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}
