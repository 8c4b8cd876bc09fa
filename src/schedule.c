// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The probe schedule's layout (sched.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"

static __u32 gcd(__u32 a, __u32 b)
{
	while (b) {
		__u32 t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* probes per tick of @tick_us, on average */
static double load(const struct srfd_config *conf, __u32 tick_us)
{
	double sum = 0;
	unsigned int i;

	for (i = 0; i < conf->nsessions; i++)
		sum += (double)tick_us / conf->sessions[i].interval_us;
	return sum;
}

__u32 srfd_sched_tick_us(const struct srfd_config *conf)
{
	__u32 g = 0, min = 0, d, best = 0, finest = 0;
	unsigned int i;

	if (conf->tick_us && !conf->tick_auto)
		return conf->tick_us;
	for (i = 0; i < conf->nsessions; i++) {
		__u32 iv = conf->sessions[i].interval_us;

		g = gcd(g, iv);
		if (!min || iv < min)
			min = iv;
	}
	if (!g)
		return SRFD_DEFAULT_INTERVAL_US;
	/* intervals without a common tick: the shortest one's divisors */
	if (g < SRFD_MIN_TICK_US)
		g = min;
	for (d = g; d >= SRFD_MIN_TICK_US; d--) {
		if (g % d)
			continue;
		finest = d;
		if (!best && load(conf, d) <= SRFD_TICK_TARGET)
			best = d;
	}
	return best ? best : finest ? finest : g;
}

/* largest divisor of @k that a class may have as its bucket count */
static __u32 class_period(__u32 k)
{
	__u32 m;

	for (m = k < SRFD_SCHED_MAX_PERIOD ? k : SRFD_SCHED_MAX_PERIOD; m > 1; m--)
		if (k % m == 0)
			return m;
	return 1;
}

/* Index of the class of period @period in @h (it is there). */
static unsigned int class_index(const struct srfd_sched *h, __u32 period)
{
	unsigned int c;

	for (c = 0; c + 1 < h->nclasses && h->classes[c].period != period; c++)
		;
	return c;
}

__u32 srfd_sched_nbuckets(const struct srfd_sched *h)
{
	const struct srfd_sched_class *last;

	if (!h->nclasses)
		return 0;
	last = &h->classes[h->nclasses - 1];
	return last->first + last->period + 1;
}

static __u32 session_period(const struct srfd_session_conf *sc, __u32 tick_us)
{
	/* not a whole number of ticks: looked at every tick, due check decides */
	if (!tick_us || sc->interval_us % tick_us)
		return 1;
	return class_period(sc->interval_us / tick_us);
}

int srfd_sched_build(const struct srfd_config *conf, const __u16 *slot,
		     const struct srfd_sched_plan *prev,
		     struct srfd_sched_plan *out, char *err, size_t errlen)
{
	__u32 tick_us = conf->tick_us, *count, *fill, periods[SRFD_SCHED_MAX_CLASSES];
	unsigned int i, c, nclasses = 0, next = 0, pos = 0;
	int ret = -ENOMEM;

	memset(out, 0, sizeof(*out));
	count = calloc(SRFD_SCHED_BUCKETS, sizeof(*count));
	fill = calloc(SRFD_SCHED_BUCKETS, sizeof(*fill));
	if (!count || !fill)
		goto out;
	out->hdr.tick_ns = (__u64)tick_us * 1000;

	/* classes, by period, shortest first */
	for (i = 0; i < conf->nsessions; i++) {
		__u32 p = session_period(&conf->sessions[i], tick_us);

		for (c = 0; c < nclasses && periods[c] != p; c++)
			;
		if (c < nclasses)
			continue;
		if (nclasses == SRFD_SCHED_MAX_CLASSES) {
			snprintf(err, errlen, "the sessions' intervals need more than "
				 "%d schedule classes on a tick of %u us: use fewer "
				 "distinct intervals", SRFD_SCHED_MAX_CLASSES, tick_us);
			ret = -EINVAL;
			goto out;
		}
		periods[nclasses++] = p;
	}
	for (i = 1; i < nclasses; i++)	/* insertion sort: at most 16 */
		for (c = i; c > 0 && periods[c - 1] > periods[c]; c--) {
			__u32 t = periods[c];

			periods[c] = periods[c - 1];
			periods[c - 1] = t;
		}
	out->hdr.nclasses = nclasses;
	for (c = 0; c < nclasses; c++) {
		out->hdr.classes[c].period = periods[c];
		out->hdr.classes[c].first = next;
		next += periods[c] + 1;
	}

	/* phases: kept where the period is, then the emptiest bucket */
	for (i = 0; i < conf->nsessions; i++) {
		__u32 p = session_period(&conf->sessions[i], tick_us), s = slot[i];

		out->period_of[s] = p;
		if (prev && prev->period_of[s] == p && prev->phase_of[s] < p) {
			out->phase_of[s] = prev->phase_of[s];
			c = class_index(&out->hdr, p);
			count[out->hdr.classes[c].first + out->phase_of[s]]++;
		} else {
			out->phase_of[s] = 0xffff;
		}
	}
	for (i = 0; i < conf->nsessions; i++) {
		__u32 s = slot[i], p = out->period_of[s], first, best = 0, b, k;

		if (out->phase_of[s] != 0xffff)
			continue;
		c = class_index(&out->hdr, p);
		first = out->hdr.classes[c].first;
		/* classes start their scan at different places: spread overall */
		for (k = 0; k < p; k++) {
			b = (k + c * p / (nclasses ? nclasses : 1)) % p;
			if (k == 0 || count[first + b] < count[first + best])
				best = b;
		}
		out->phase_of[s] = best;
		count[first + best]++;
	}

	/* bucket starts, end markers and the slots themselves */
	for (c = 0; c < nclasses; c++) {
		__u32 first = out->hdr.classes[c].first, b, most = 0;

		for (b = 0; b < periods[c]; b++) {
			out->bucket[first + b] = pos;
			fill[first + b] = pos;
			pos += count[first + b];
			if (count[first + b] > most)
				most = count[first + b];
		}
		out->bucket[first + periods[c]] = pos;
		out->peak += most;
	}
	for (i = 0; i < conf->nsessions; i++) {
		__u32 s = slot[i];

		c = class_index(&out->hdr, out->period_of[s]);
		out->slot[fill[out->hdr.classes[c].first + out->phase_of[s]]++] = s;
	}
	out->hdr.nslots = pos;
	out->per_tick = load(conf, tick_us);
	if (out->peak > SRFD_TICK_MAX_VISITS) {
		snprintf(err, errlen, "up to %u sessions are due in one tick of %u us, "
			 "more than a tick may look at (%d): lower tick_us or "
			 "lengthen intervals", out->peak, tick_us,
			 SRFD_TICK_MAX_VISITS);
		ret = -EINVAL;
		goto out;
	}
	ret = 0;
out:
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	free(count);
	free(fill);
	return ret;
}
