/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The probe schedule srfd_tick follows (struct srfd_sched in srfd/srfd.h):
 * which tick the ticker is paced at, and in which bucket each session sits
 * so that every tick carries about the same number of probes. Pure: no I/O,
 * unit-tested; the dataplane writes the result into the idle half of the
 * schedule maps and switches halves.
 */
#ifndef SRFD_SCHEDULE_H
#define SRFD_SCHEDULE_H

#include <stddef.h>
#include <srfd/srfd.h>
#include "config.h"

/* probes per tick the automatic tick aims at (fewer ticks, small bursts) */
#define SRFD_TICK_TARGET	64

struct srfd_sched_plan {
	struct srfd_sched hdr;			/* tick, classes */
	__u32 bucket[SRFD_SCHED_BUCKETS];	/* per class: starts + end marker */
	__u32 slot[SRFD_MAX_SESSIONS];		/* session slots, bucket by bucket */
	/* per session slot, so a new plan keeps every session's phase */
	__u16 period_of[SRFD_MAX_SESSIONS];	/* 0: not scheduled */
	__u16 phase_of[SRFD_MAX_SESSIONS];
	__u32 peak;		/* most sessions one tick can be due for */
	double per_tick;	/* probes per tick on average */
};

/*
 * The tick for @conf's sessions: tick_us if configured, else the largest
 * divisor of every interval (and >= SRFD_MIN_TICK_US) that keeps the
 * probes per tick at or under SRFD_TICK_TARGET.
 */
__u32 srfd_sched_tick_us(const struct srfd_config *conf);

/*
 * Lay out @conf's sessions (session i in slot @slot[i]) on a tick of
 * @conf->tick_us. A session keeps its bucket from @prev (may be NULL) when
 * its period is unchanged; new ones go to the emptiest bucket. Returns 0 or
 * -EINVAL with the reason in @err (too many distinct periods, or more
 * sessions due in one tick than a tick may visit).
 */
int srfd_sched_build(const struct srfd_config *conf, const __u16 *slot,
		     const struct srfd_sched_plan *prev,
		     struct srfd_sched_plan *out, char *err, size_t errlen);

/* Entries of srfd_sched_bucket one half of @h uses (starts and end markers). */
__u32 srfd_sched_nbuckets(const struct srfd_sched *h);

#endif
