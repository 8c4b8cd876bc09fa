/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The probe schedule's arithmetic (struct srfd_sched in srfd/srfd.h): how
 * far a tick moves the schedule and which buckets of a class it visits.
 * Pure functions, shared verbatim by srfd_tick and the userspace unit tests
 * that replay thousands of ticks with jitter and stalls.
 */
#ifndef SRFD_BPF_LIB_BUCKETS_H
#define SRFD_BPF_LIB_BUCKETS_H

#include <linux/types.h>
#include <srfd/srfd.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/*
 * Ticks the schedule advances for a tick that came @gap ns after the one
 * that last advanced it, rounded to the nearest tick: the ticker's jitter
 * neither skips nor repeats a bucket, a late tick (our own stall) catches
 * up the buckets it missed. 0: the frame came less than half a tick after
 * the last (a second ticker, or the pacer's burst after a stall): nothing
 * is due that was not already visited.
 */
static __always_inline __u64 srfd_sched_advance(__u64 gap, __u64 tick_ns)
{
	if (!tick_ns)
		return 1;
	return (gap + tick_ns / 2) / tick_ns;
}

/* Buckets of one class a tick visits: [*first, *first + *count) mod period. */
static __always_inline void srfd_sched_buckets(__u64 pos, __u64 adv,
					       __u32 period, __u32 *first,
					       __u32 *count)
{
	if (!period) {
		*first = *count = 0;
		return;
	}
	if (adv >= period) {	/* a whole round missed: everybody once */
		*first = 0;
		*count = period;
		return;
	}
	*first = (pos + 1) % period;
	*count = adv;
}

/*
 * Is a session whose next probe is due at @due to send at @now? Half an
 * interval of slack absorbs tick jitter without skipping a probe. If so,
 * *next is the following due time: one interval on, so jitter never
 * accumulates, unless we stalled past it (then the schedule restarts).
 */
static __always_inline int srfd_sched_due(__u64 due, __u64 now, __u64 interval,
					  __u64 *next)
{
	if ((__s64)(now + interval / 2 - due) < 0)
		return 0;
	*next = due + interval;
	if ((__s64)(now - *next) >= 0)
		*next = now + interval;
	return 1;
}

#endif
