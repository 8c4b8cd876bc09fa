/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * `srfdctl -o prometheus`: srfdd's state in the Prometheus text exposition
 * format (version 0.0.4), for node_exporter's textfile collector.
 */
#ifndef SRFD_METRICS_H
#define SRFD_METRICS_H

#include <stdio.h>
#include <srfd/srfd.h>

/* Write every family; @instance labels all samples. Returns 0. */
int srfd_prometheus(FILE *f, const char *instance,
		    const struct srfd_ctl_hello *hello,
		    const struct srfd_ctl_session *s, unsigned int ns,
		    const struct srfd_ctl_prefix *p, unsigned int np,
		    const struct srfd_ctl_counter *c, unsigned int nc);

#endif
