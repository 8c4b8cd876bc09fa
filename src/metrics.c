// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Prometheus text exposition of srfdd's state (metrics.h). Every family is
 * written whole (HELP, TYPE, then its samples), counters end in _total, time
 * is in seconds, and every sample carries srfd_instance (not `instance`,
 * which Prometheus sets to the scrape target).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "metrics.h"
#include "session.h"

/* A label value with \, " and newline escaped. */
static void label(FILE *f, const char *key, const char *v, int more)
{
	fprintf(f, "%s=\"", key);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
	fprintf(f, "\"%s", more ? "," : "");
}

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

struct sess_labels {
	char name[SRFD_NAME_LEN + 1];
	char ifname[SRFD_IFNAME_LEN + 1];
};

static void sess_labels(const struct srfd_ctl_session *s,
			struct sess_labels *l)
{
	memcpy(l->name, s->name, SRFD_NAME_LEN);
	l->name[SRFD_NAME_LEN] = '\0';
	memcpy(l->ifname, s->ifname, SRFD_IFNAME_LEN);
	l->ifname[SRFD_IFNAME_LEN] = '\0';
}

static void sess_sample(FILE *f, const char *metric, const char *inst,
			const struct srfd_ctl_session *s, const char *extra_key,
			const char *extra_val)
{
	struct sess_labels l;

	sess_labels(s, &l);
	fprintf(f, "%s{", metric);
	label(f, "srfd_instance", inst, 1);
	label(f, "session", l.name, 1);
	label(f, "interface", l.ifname, extra_key != NULL);
	if (extra_key)
		label(f, extra_key, extra_val, 0);
	fputs("} ", f);
}

static void prefix_name(const struct srfd_ctl_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->prefixlen);
}

static void prefix_sample(FILE *f, const char *metric, const char *inst,
			  const struct srfd_ctl_prefix *p, const char *list)
{
	char name[INET6_ADDRSTRLEN + 4];

	prefix_name(p, name, sizeof(name));
	fprintf(f, "%s{", metric);
	label(f, "srfd_instance", inst, 1);
	label(f, "prefix", name, list != NULL);
	if (list)
		label(f, "list", list, 0);
	fputs("} ", f);
}

static void daemon_up(FILE *f, const char *inst, int up)
{
	family(f, "srfd_daemon_up", "gauge",
	       "1 if srfdd answered this export; 0: no other srfd figure is current.");
	fprintf(f, "srfd_daemon_up{");
	label(f, "srfd_instance", inst, 0);
	fprintf(f, "} %d\n", up);
}

void srfd_prometheus_down(FILE *f, const char *inst)
{
	daemon_up(f, inst, 0);
}

/* srfdd's own figures in `stats show`: their metric, type and scale. */
static const struct {
	const char *name, *metric, *type, *help;
	double scale;
} daemon_figures[] = {
	{ "stall_saves", "srfd_stall_saves_total", "counter",
	  "Watchdog checks that blamed our own stalled sending, not the path.", 1 },
	{ "max_tick_gap_us", "srfd_max_tick_gap_seconds", "gauge",
	  "Longest time between two probe clock ticks since the last clear.", 1e-6 },
	{ "tick_us", "srfd_tick_seconds", "gauge", "Probe clock period.", 1e-6 },
	{ "sched_ticks", "srfd_ticks_total", "counter", "Probe clock ticks.", 1 },
	{ "sched_visits", "srfd_sched_visits_total", "counter",
	  "Sessions the ticker looked at.", 1 },
	{ "max_tick_visits", "srfd_max_tick_visits", "gauge",
	  "Most sessions looked at in one tick since the last clear.", 1 },
	{ "sched_overruns", "srfd_sched_overruns_total", "counter",
	  "Visits a tick left for the next one (per-tick cap hit).", 1 },
	{ "sched_peak", "srfd_sched_peak_sessions", "gauge",
	  "Most sessions due in one tick, by the schedule.", 1 },
	{ "ticker_judged", "srfd_ticker_judged_sessions", "gauge",
	  "Sessions without a watchdog timer of their own.", 1 },
	{ "clock_watch", "srfd_clock_watch_armed", "gauge",
	  "1 if the in-kernel probe clock watch is armed.", 1 },
	{ "repairs", "srfd_repairs_total", "counter",
	  "Things srfd owns that srfdd found missing or wrong and repaired.", 1 },
	{ "clock_ok", "srfd_clock_ok", "gauge", "1 if the probe clock ticks.", 1 },
};
#define NFIGURES (sizeof(daemon_figures) / sizeof(daemon_figures[0]))

/* Counter families with one sample per session, or per prefix and list. */
static const struct {
	const char *metric, *help;
	size_t off;	/* of a __u64 (array) in the record */
} sess_counters[] = {
	{ "srfd_session_downs_total", "Times the session left up.",
	  offsetof(struct srfd_ctl_session, downs) },
	{ "srfd_session_probes_sent_total", "Probes sent.",
	  offsetof(struct srfd_ctl_session, probes_tx) },
	{ "srfd_session_probes_received_total", "Valid probes that came back.",
	  offsetof(struct srfd_ctl_session, probes_rx) },
}, prefix_counters[] = {
	{ "srfd_prefix_packets_total", "Packets encapsulated, per SID list.",
	  offsetof(struct srfd_ctl_prefix, packets) },
	{ "srfd_prefix_bytes_total", "Bytes encapsulated, per SID list.",
	  offsetof(struct srfd_ctl_prefix, bytes) },
};

/* Element @idx of the __u64 array at byte @off of @rec. */
static __u64 field_u64(const void *rec, size_t off, unsigned int idx)
{
	__u64 v;

	memcpy(&v, (const char *)rec + off + idx * sizeof(v), sizeof(v));
	return v;
}

static int is_reason(const char *name)
{
	int r;

	for (r = 0; r < SRFD_R_MAX; r++)
		if (!strcmp(name, srfd_reason_name(r)))
			return 1;
	return 0;
}

int srfd_prometheus(FILE *f, const char *inst,
		    const struct srfd_ctl_hello *hello,
		    const struct srfd_ctl_session *s, unsigned int ns,
		    const struct srfd_ctl_prefix *p, unsigned int np,
		    const struct srfd_ctl_counter *c, unsigned int nc)
{
	static const __u32 states[] = {
		SRFD_STATE_INIT, SRFD_STATE_UP, SRFD_STATE_DOWN,
		SRFD_STATE_STALLED, SRFD_STATE_ADMIN_DOWN,
	};
	char version[sizeof(hello->version) + 1], name[SRFD_NAME_LEN + 1];
	unsigned int i, k, l;

	memcpy(version, hello->version, sizeof(hello->version));
	version[sizeof(hello->version)] = '\0';
	family(f, "srfd_info", "gauge", "srfdd's release; always 1.");
	fprintf(f, "srfd_info{");
	label(f, "srfd_instance", inst, 1);
	label(f, "version", version, 0);
	fputs("} 1\n", f);

	daemon_up(f, inst, 1);

	family(f, "srfd_session_up", "gauge", "1 if the session is up.");
	for (i = 0; i < ns; i++) {
		sess_sample(f, "srfd_session_up", inst, &s[i], NULL, NULL);
		fprintf(f, "%d\n", s[i].state == SRFD_STATE_UP);
	}
	family(f, "srfd_session_state", "gauge",
	       "The session's state: 1 for the one it is in.");
	for (i = 0; i < ns; i++)
		for (k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
			sess_sample(f, "srfd_session_state", inst, &s[i], "state",
				    srfd_state_name(states[k]));
			fprintf(f, "%d\n", s[i].state == states[k]);
		}
	for (k = 0; k < sizeof(sess_counters) / sizeof(sess_counters[0]); k++) {
		family(f, sess_counters[k].metric, "counter", sess_counters[k].help);
		for (i = 0; i < ns; i++) {
			sess_sample(f, sess_counters[k].metric, inst, &s[i], NULL,
				    NULL);
			fprintf(f, "%llu\n", (unsigned long long)
				field_u64(&s[i], sess_counters[k].off, 0));
		}
	}
	family(f, "srfd_session_rtt_seconds", "gauge",
	       "Round-trip time of the last probe that came back.");
	for (i = 0; i < ns; i++) {
		sess_sample(f, "srfd_session_rtt_seconds", inst, &s[i], NULL, NULL);
		fprintf(f, "%.6f\n", s[i].last_rtt_us / 1e6);
	}
	family(f, "srfd_session_detect_seconds", "gauge",
	       "Detection time: interval times multiplier.");
	for (i = 0; i < ns; i++) {
		sess_sample(f, "srfd_session_detect_seconds", inst, &s[i], NULL,
			    NULL);
		fprintf(f, "%.6f\n", s[i].interval_us * s[i].multiplier / 1e6);
	}
	family(f, "srfd_session_last_change_timestamp_seconds", "gauge",
	       "When the session last changed state (Unix time).");
	for (i = 0; i < ns; i++) {
		if (!s[i].last_change_ns)
			continue;
		sess_sample(f, "srfd_session_last_change_timestamp_seconds", inst,
			    &s[i], NULL, NULL);
		fprintf(f, "%.3f\n", (hello->real_ns - (hello->mono_ns -
			s[i].last_change_ns)) / 1e9);
	}

	family(f, "srfd_prefix_backup_active", "gauge",
	       "1 if the protected prefix uses its backup SID list.");
	for (i = 0; i < np; i++) {
		prefix_sample(f, "srfd_prefix_backup_active", inst, &p[i], NULL);
		fprintf(f, "%d\n", p[i].active == SRFD_LIST_BACKUP);
	}
	family(f, "srfd_prefix_switches_total", "counter",
	       "Switches between primary and backup (both ways).");
	for (i = 0; i < np; i++) {
		prefix_sample(f, "srfd_prefix_switches_total", inst, &p[i], NULL);
		fprintf(f, "%llu\n", (unsigned long long)p[i].switches);
	}
	for (k = 0; k < sizeof(prefix_counters) / sizeof(prefix_counters[0]); k++) {
		family(f, prefix_counters[k].metric, "counter",
		       prefix_counters[k].help);
		for (i = 0; i < np; i++)
			for (l = 0; l < SRFD_LISTS; l++) {
				prefix_sample(f, prefix_counters[k].metric, inst,
					      &p[i], srfd_list_name(l));
				fprintf(f, "%llu\n", (unsigned long long)
					field_u64(&p[i], prefix_counters[k].off, l));
			}
	}

	family(f, "srfd_datapath_packets_total", "counter",
	       "Data-path outcomes and drop reasons, summed over CPUs.");
	for (i = 0; i < nc; i++) {
		memcpy(name, c[i].name, SRFD_NAME_LEN);
		name[SRFD_NAME_LEN] = '\0';
		if (!is_reason(name))
			continue;
		fprintf(f, "srfd_datapath_packets_total{");
		label(f, "srfd_instance", inst, 1);
		label(f, "reason", name, 0);
		fprintf(f, "} %llu\n", (unsigned long long)c[i].value);
	}
	for (k = 0; k < NFIGURES; k++)
		for (i = 0; i < nc; i++) {
			memcpy(name, c[i].name, SRFD_NAME_LEN);
			name[SRFD_NAME_LEN] = '\0';
			if (strcmp(name, daemon_figures[k].name))
				continue;
			family(f, daemon_figures[k].metric, daemon_figures[k].type,
			       daemon_figures[k].help);
			fprintf(f, "%s{", daemon_figures[k].metric);
			label(f, "srfd_instance", inst, 0);
			if (daemon_figures[k].scale == 1)
				fprintf(f, "} %llu\n", (unsigned long long)c[i].value);
			else
				fprintf(f, "} %.6f\n",
					c[i].value * daemon_figures[k].scale);
			break;
		}
	return 0;
}

int srfd_textfile_write(const char *path, const char *buf, size_t len,
			char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	const char *step = "create a temporary file next to";
	int fd = -1, made = 0, ret = 0;
	char *tmp = NULL;
	size_t off = 0;

	if (asprintf(&tmp, "%.*s.%s.XXXXXX", slash ? (int)(slash - path + 1) : 0,
		     path, slash ? slash + 1 : path) < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	fd = mkstemp(tmp);
	if (fd < 0)
		goto fail;
	made = 1;
	step = "set the mode of a temporary file for";
	if (fchmod(fd, 0644))
		goto fail;
	step = "write";
	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		off += n;
	}
	step = "sync";
	if (fsync(fd))
		goto fail;
	step = "rename a temporary file to";
	if (rename(tmp, path))
		goto fail;
	made = 0;
	goto out;
fail:
	ret = -errno;
	snprintf(err, errlen, "cannot %s %s: %s", step, path, strerror(-ret));
out:
	if (fd >= 0)
		close(fd);
	if (made)
		unlink(tmp);
	free(tmp);
	return ret;
}
