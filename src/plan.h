/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The configuration diff: what must change in the kernel's session and
 * prefix maps to reach a configuration. The current side is what the
 * pinned maps hold (self-describing: names and prefixes are in the values),
 * so start, adoption after a crash and reload are one computation.
 * Pure: no I/O, unit-tested.
 */
#ifndef SRFD_PLAN_H
#define SRFD_PLAN_H

#include <srfd/srfd.h>
#include "config.h"

enum srfd_plan_action {
	SRFD_PLAN_KEEP = 0,	/* identical: not touched at all */
	SRFD_PLAN_UPDATE,	/* timers or lists changed: value rewritten, state kept */
	SRFD_PLAN_RESET,	/* probe path changed: new token, state restarts */
	SRFD_PLAN_NEW,		/* not in the kernel yet */
};

struct srfd_plan_counts {
	unsigned int keep, update, reset, add, remove;
};

struct srfd_plan {
	/* per configured session / prefix (config order) */
	__u16 sess_slot[SRFD_MAX_SESSIONS];
	__u8  sess_action[SRFD_MAX_SESSIONS];
	__u16 pfx_slot[SRFD_MAX_PREFIXES];
	__u8  pfx_action[SRFD_MAX_PREFIXES];
	/* per slot: held something the configuration no longer has */
	__u8  sess_release[SRFD_MAX_SESSIONS];
	__u8  pfx_release[SRFD_MAX_PREFIXES];
	unsigned int nr_slots;		/* highest used session slot + 1 */
	struct srfd_plan_counts sessions, prefixes;
};

/*
 * @cur_sess: SRFD_MAX_SESSIONS values of srfd_sess_cfg, by slot;
 * @cur_pfx: SRFD_MAX_PREFIXES values of srfd_prefix_cfg, by slot.
 * Sessions are matched by name, prefixes by address and length.
 */
void srfd_plan_build(const struct srfd_config *conf,
		     const struct srfd_session_cfg *cur_sess,
		     const struct srfd_prefix_cfg *cur_pfx,
		     struct srfd_plan *plan);

const char *srfd_plan_action_name(enum srfd_plan_action a);

#endif
