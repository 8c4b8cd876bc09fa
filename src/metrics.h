/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * `srfdctl -o prometheus`: srfdd's state in the Prometheus text exposition
 * format (version 0.0.4), for node_exporter's textfile collector.
 */
#ifndef SRFD_METRICS_H
#define SRFD_METRICS_H

#include <stdio.h>
#include <srfd/srfd.h>

/*
 * Write every family; @instance labels all samples. srfd_daemon_up is 1:
 * srfdd answered. Returns 0.
 */
int srfd_prometheus(FILE *f, const char *instance,
		    const struct srfd_ctl_hello *hello,
		    const struct srfd_ctl_session *s, unsigned int ns,
		    const struct srfd_ctl_prefix *p, unsigned int np,
		    const struct srfd_ctl_counter *c, unsigned int nc);

/*
 * What an export says when srfdd did not answer (whole): srfd_daemon_up 0
 * and nothing else, so the last good figures are not read as current.
 */
void srfd_prometheus_down(FILE *f, const char *instance);

/*
 * Replace @path with @len bytes of @buf the way node_exporter's textfile
 * collector needs: a hidden temporary file in the same directory (the
 * collector reads only *.prom), mode 0644, synced, then renamed over @path,
 * so a scrape sees the old file or the new one, never a part. @path names a
 * file (srfdctl refuses "" and "dir/" before it asks srfdd). Returns 0 or
 * -errno, with the failed step in @err.
 */
int srfd_textfile_write(const char *path, const char *buf, size_t len,
			char *err, size_t errlen);

#endif
