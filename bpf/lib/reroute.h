/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * In-kernel fast reroute: a session's watchdog walks the prefixes it guards
 * and flips them to their backup, or back once the dampened hold-down of
 * every guard has passed. BPF side only.
 */
#ifndef SRFD_BPF_LIB_REROUTE_H
#define SRFD_BPF_LIB_REROUTE_H

#include "maps.h"
/* Fast reroute work a session's watchdog does over the prefixes it guards. */
struct guard_walk {
	__u32 session;
	__u32 pending;		/* prefixes still on the backup */
	__u64 now;
	int to_backup;		/* 1: session went down; 0: try to revert */
};

static __always_inline void prefix_to_backup(__u32 idx, __u64 now)
{
	const struct srfd_prefix_cfg *cfg;
	struct srfd_prefix_state *st;

	cfg = bpf_map_lookup_elem(&srfd_prefix_cfg, &idx);
	st = bpf_map_lookup_elem(&srfd_prefix_state, &idx);
	if (!cfg || !st || !cfg->valid)
		return;
	if (__sync_val_compare_and_swap(&st->active, SRFD_LIST_PRIMARY,
					SRFD_LIST_BACKUP) != SRFD_LIST_PRIMARY)
		return;
	st->hold_ns = srfd_hold_after_switch(st->hold_ns, st->last_backup_ns,
					     now, cfg->hold_ns, cfg->hold_max_ns,
					     cfg->quiet_ns);
	st->last_backup_ns = now;
	st->last_switch_ns = now;
	__sync_fetch_and_add(&st->switches, 1);
	emit_switch(idx, SRFD_LIST_PRIMARY, SRFD_LIST_BACKUP, now);
}

/* Returns 1 while the prefix stays on its backup. */
static __always_inline int prefix_try_revert(__u32 idx, __u64 now)
{
	const struct srfd_session_state *gst;
	const struct srfd_prefix_cfg *cfg;
	struct srfd_prefix_state *st;
	__u64 up_since = 0;
	__u32 g, slot;

	cfg = bpf_map_lookup_elem(&srfd_prefix_cfg, &idx);
	st = bpf_map_lookup_elem(&srfd_prefix_state, &idx);
	if (!cfg || !st || !cfg->valid || st->active != SRFD_LIST_BACKUP)
		return 0;
	for (g = 0; g < SRFD_MAX_GUARDS; g++) {
		if (g >= cfg->nguards)
			break;
		slot = cfg->guards[g];
		gst = bpf_map_lookup_elem(&srfd_sess_state, &slot);
		if (!gst || gst->state != SRFD_STATE_UP)
			return 1;
		if (gst->last_change_ns > up_since)
			up_since = gst->last_change_ns;
	}
	if (!srfd_may_revert(up_since, st->hold_ns, now))
		return 1;
	if (__sync_val_compare_and_swap(&st->active, SRFD_LIST_BACKUP,
					SRFD_LIST_PRIMARY) != SRFD_LIST_BACKUP)
		return 0;
	st->last_switch_ns = now;
	__sync_fetch_and_add(&st->switches, 1);
	emit_switch(idx, SRFD_LIST_BACKUP, SRFD_LIST_PRIMARY, now);
	return 0;
}

static long guard_walk_one(__u32 i, struct guard_walk *w)
{
	const struct srfd_session_guards *guards;
	__u32 idx;

	guards = bpf_map_lookup_elem(&srfd_sess_guards, &w->session);
	if (!guards || i >= guards->n || i >= SRFD_MAX_GUARDED)
		return 1;
	idx = guards->prefixes[i];
	if (w->to_backup)
		prefix_to_backup(idx, w->now);
	else
		w->pending += prefix_try_revert(idx, w->now);
	return 0;
}

/* Bounded: at most SRFD_MAX_GUARDED prefixes per session. */
static __always_inline __u32 guards_walk(__u32 session, __u64 now,
					 int to_backup)
{
	const struct srfd_session_guards *guards;
	struct guard_walk w = {
		.session = session, .now = now, .to_backup = to_backup,
	};

	guards = bpf_map_lookup_elem(&srfd_sess_guards, &session);
	if (!guards || !guards->n)
		return 0;
	bpf_loop(guards->n < SRFD_MAX_GUARDED ? guards->n : SRFD_MAX_GUARDED,
		 guard_walk_one, &w, 0);
	return w.pending;
}

#endif
