// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * srfdd: converges srfd's kernel data path to the configuration and keeps it
 * there. It adopts what an earlier srfdd of the instance left running (a
 * crash or a restart is hitless), applies configuration changes as a diff
 * (SIGHUP, `srfdctl reload`), follows links and routes over netlink, repairs
 * whatever srfd owns that someone removed, restarts a dead probe clock, and
 * relays every kernel transition and every repair to the log and to
 * `srfdctl monitor`. Detection and fast reroute never wait on srfdd.
 *
 * Stop semantics: SIGTERM/SIGINT end srfdd and leave the kernel side
 * protecting; `srfdd --flush` removes everything the instance owns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>
#include <sys/utsname.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <ev.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "config.h"
#include "ctl.h"
#include "dataplane.h"
#include "bfddp.h"
#include "kernel.h"
#include "routes.h"
#include "links.h"
#include "log.h"
#include "netlink.h"
#include "notify.h"
#include "pin.h"
#include "session.h"
#include "schedule.h"

#define CLOCK_CHECK_S		0.02	/* probe clock health check period */
/*
 * No tick for this long (or two tick periods, if longer) counts as a dead
 * clock. Softirq stalls of up to ~60 ms were measured on the stress ladder:
 * such a stall raises a clock alert and a harmless extra ticker frame.
 */
#define CLOCK_SILENT_MIN_NS	50000000ULL
#define RESYNC_S		1.0	/* safety-net reconcile period */
#define REPAIR_DELAY_S		0.002	/* after a change to srfd's own routes */
#define ROUTE_SETTLE_S		0.05	/* after other route changes */

/*
 * A session FRR bfdd handed to srfd (bfd_dataplane): kept by name, which
 * derives from interface and peer, so a restarted bfdd (new discriminators)
 * re-adopts the running session without a flap.
 */
struct srfd_dyn {
	int used;
	int confirmed;		/* asked for since bfdd (re)connected */
	__u32 lid;		/* bfdd's local discriminator */
	struct srfd_session_conf sc;
};

struct srfdd {
	struct srfd_config conf;	/* applied: the file's + bfdd's sessions */
	struct srfd_config file;	/* the configuration file as accepted */
	struct srfd_config next;	/* reload scratch */
	struct srfd_bfddp *bfddp;
	struct srfd_dyn dyn[SRFD_MAX_SESSIONS];
	ev_timer dyn_watcher;		/* forget what a reconnected bfdd did not ask */
	unsigned int dyn_burst;		/* sessions bfdd registered since it connected */
	int dyn_burst_open;
	const char *config_path;	/* NULL: embedded default */
	const char *instance_override;
	struct srfd_dp dp;
	struct srfd_ctl_server *ctl;
	struct srfd_links *links;
	struct srfd_nl_events *routes;
	struct ev_loop *loop;
	ev_io ringbuf_watcher, links_watcher, routes_watcher;
	ev_timer clock_watcher, resync_watcher, reconcile_watcher;
	ev_signal sigterm_watcher, sigint_watcher, sighup_watcher;
	int lock_fd;
	int flush_on_exit;
	/* probe clock health */
	int clock_dead;
	unsigned int clock_tries;
	int fib_dirty;		/* prefixes flipped: move their routes */
	__u64 last_ticks, window_ticks, window_start_ns;
	/* `srfdctl monitor`: sequence (lost kernel events counted in) */
	__u64 event_seq, events_lost_seen;
	gid_t ctl_gid;		/* control_group, or -1 */
	char status[128];	/* last STATUS= told to systemd */
	int status_dirty;	/* kernel events since: tell it again */
	/* sessions the operator disabled (by name: kept across reloads) */
	char (*disabled)[SRFD_NAME_LEN + 1];
	unsigned int ndisabled;
};

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Which configured session sits in map slot @slot. */
static const struct srfd_session_conf *session_by_slot(struct srfdd *d,
						       unsigned int slot,
						       unsigned int *idx)
{
	unsigned int i;

	for (i = 0; i < d->conf.nsessions; i++)
		if (d->dp.sess_slot[i] == slot) {
			if (idx)
				*idx = i;
			return &d->conf.sessions[i];
		}
	return NULL;
}

static const struct srfd_prefix_conf *prefix_by_slot(struct srfdd *d,
						     unsigned int slot)
{
	unsigned int i;

	for (i = 0; i < d->conf.nprefixes; i++)
		if (d->dp.pfx_slot[i] == slot)
			return &d->conf.prefixes[i];
	return NULL;
}

static __u64 real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void broadcast(struct srfdd *d, const char *name,
		      const struct srfd_event *ev, const char *detail)
{
	struct srfd_ctl_event rec = { .hdr.op = SRFD_CTL_EVENT_REC };
	__u64 mono = mono_ns(), lost;

	/* events the kernel could not queue leave a gap in the sequence */
	lost = srfd_dp_counter(&d->dp, SRFD_R_RINGBUF_FULL);
	if (lost > d->events_lost_seen) {
		d->event_seq += lost - d->events_lost_seen;
		d->events_lost_seen = lost;
	}
	rec.seq = ++d->event_seq;
	if (!d->ctl)
		return;
	snprintf(rec.name, sizeof(rec.name), "%s", name);
	snprintf(rec.detail, sizeof(rec.detail), "%s", detail ? detail : "");
	rec.ev = *ev;
	rec.real_ns = real_ns() - (mono - ev->ts_ns);
	srfd_ctl_broadcast(d->ctl, &rec, sizeof(rec));
}

static struct srfd_dyn *dyn_by_name(struct srfdd *d, const char *name);
static void dyn_report(struct srfdd *d, const struct srfd_dyn *dy,
		       unsigned int state, unsigned int reason);

static int on_kernel_event(void *ctx, void *data, size_t len)
{
	struct srfdd *d = ctx;
	const struct srfd_event *ev = data;
	const struct srfd_session_conf *sc;
	const struct srfd_prefix_conf *pc;
	char name[SRFD_EVENT_NAME_LEN] = "?", detail[SRFD_DETAIL_LEN] = "";

	if (len < sizeof(*ev))
		return 0;
	if (ev->type == SRFD_EV_STATE) {
		sc = session_by_slot(d, ev->id, NULL);
		if (sc)
			snprintf(name, sizeof(name), "%s", sc->name);
		if (sc && d->bfddp && dyn_by_name(d, sc->name))
			dyn_report(d, dyn_by_name(d, sc->name), ev->new_state, ev->reason);
		if (ev->new_state != SRFD_STATE_UP)
			snprintf(detail, sizeof(detail), "%s",
				 srfd_down_reason_name(ev->reason));
		srfd_log_with(ev->new_state == SRFD_STATE_UP ||
			      ev->new_state == SRFD_STATE_INIT ? LOG_LVL_INFO :
			      LOG_LVL_WARN,
			 &(struct srfd_log_fields){ .session = name,
						    .kernel_ts_ns = ev->ts_ns },
			 "session '%s': %s -> %s%s%s at %llu.%09llu (tx_seq %llu, rx_seq %llu)",
			 name, srfd_state_name(ev->old_state),
			 srfd_state_name(ev->new_state), detail[0] ? ", " : "",
			 detail, (unsigned long long)(ev->ts_ns / 1000000000ULL),
			 (unsigned long long)(ev->ts_ns % 1000000000ULL),
			 (unsigned long long)ev->tx_seq,
			 (unsigned long long)ev->rx_seq);
	} else if (ev->type == SRFD_EV_SWITCH) {
		d->fib_dirty = 1;
		pc = prefix_by_slot(d, ev->id);
		if (pc)
			srfd_prefix_format(pc, name, sizeof(name));
		srfd_log_with(LOG_LVL_INFO, &(struct srfd_log_fields){
				.prefix = name, .kernel_ts_ns = ev->ts_ns },
			 "prefix %s: %s -> %s at %llu.%09llu", name,
			 srfd_list_name(ev->old_state),
			 srfd_list_name(ev->new_state),
			 (unsigned long long)(ev->ts_ns / 1000000000ULL),
			 (unsigned long long)(ev->ts_ns % 1000000000ULL));
	} else {
		return 0;
	}
	broadcast(d, name, ev, detail);
	return 0;
}

/* srfdd's own notices: log and monitor, with a kernel timestamp. */
static void on_alert(void *ctx, enum srfd_event_type type, const char *name,
		     unsigned int state, const char *detail)
{
	struct srfdd *d = ctx;
	struct srfd_event ev = {
		.type = type, .new_state = state, .ts_ns = mono_ns(),
	};
	static const char *const what[] = {
		[SRFD_EV_ADOPT] = "adopted", [SRFD_EV_REPAIR] = "repaired",
		[SRFD_EV_LINK] = "link", [SRFD_EV_CLOCK] = "clock",
		[SRFD_EV_RELOAD] = "reload",
	};
	int level = LOG_LVL_INFO;

	if (type == SRFD_EV_REPAIR || (type == SRFD_EV_LINK && !state))
		level = LOG_LVL_WARN;
	if ((type == SRFD_EV_CLOCK || type == SRFD_EV_RELOAD) && !state)
		level = LOG_LVL_ERR;
	srfd_log_with(level, &(struct srfd_log_fields){
			.session = type == SRFD_EV_LINK ? name : NULL,
			.kernel_ts_ns = ev.ts_ns },
		 "%s %s: %s at %llu.%09llu", what[type], name, detail,
		 (unsigned long long)(ev.ts_ns / 1000000000ULL),
		 (unsigned long long)(ev.ts_ns % 1000000000ULL));
	broadcast(d, name, &ev, detail);
}

static void reconcile_now(struct srfdd *d)
{
	int n = srfd_dp_reconcile(&d->dp);

	if (n < 0)
		log_err("reconcile failed: %s (retrying in %.0f s)", strerror(-n),
			RESYNC_S);
}

static void reconcile_soon(struct srfdd *d, double after)
{
	if (ev_is_active(&d->reconcile_watcher) &&
	    ev_timer_remaining(d->loop, &d->reconcile_watcher) <= after)
		return;
	ev_timer_stop(d->loop, &d->reconcile_watcher);
	ev_timer_set(&d->reconcile_watcher, after, 0);
	ev_timer_start(d->loop, &d->reconcile_watcher);
}

static void reconcile_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	reconcile_now(w->data);
}

static void notify_status(struct srfdd *d);

static void resync_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	reconcile_now(w->data);
	notify_status(w->data);
}

/* Every session follows its interface by name: index, oper state. */
static void links_sync(struct srfdd *d)
{
	unsigned int i;
	int ifindex, up;

	for (i = 0; i < d->conf.nsessions; i++) {
		ifindex = srfd_links_lookup(d->links, d->conf.sessions[i].ifname,
					    &up);
		srfd_dp_session_link(&d->dp, i, ifindex, up);
	}
}

static void links_changed(void *ctx)
{
	struct srfdd *d = ctx;

	links_sync(d);
	/* our ticker veth may be what changed */
	reconcile_soon(d, REPAIR_DELAY_S);
}

static void links_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct srfdd *d = w->data;

	(void)loop;
	(void)revents;
	srfd_links_read(d->links);
}

static void route_changed(const struct srfd_route *rt, int deleted, void *data)
{
	struct srfdd *d = data;

	/* srfd's own route gone: repair at once; other churn may move a fast route */
	reconcile_soon(d, rt->protocol == SRFD_RTPROT && deleted ?
		       REPAIR_DELAY_S : ROUTE_SETTLE_S);
}

static void routes_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct srfdd *d = w->data;
	int err;

	(void)loop;
	(void)revents;
	err = srfd_nl_events_read(d->routes, route_changed, d);
	if (err == -ENOBUFS) {
		log_warn("route notifications lost: full resync");
		reconcile_soon(d, 0);
	}
}

static void ringbuf_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct srfdd *d = w->data;

	(void)loop;
	(void)revents;
	srfd_dp_ringbuf_consume(&d->dp);
	d->status_dirty = 1;	/* systemd's status line, at the next clock check */
	/*
	 * The kernel already moved the traffic; now tell the FIB, from the
	 * active lists as they are now (not as the events say: a later flip
	 * may already have happened), so this never undoes a newer state.
	 */
	if (d->fib_dirty) {
		d->fib_dirty = 0;
		srfd_routes_fib_sync(&d->dp);
	}
}

/*
 * The ticker loop is the kernel clock. Silent: re-attach what is missing
 * and inject a frame; still silent: rebuild the loop from scratch. Running
 * far too fast (its pacer was removed): pace it again.
 */
static void clock_check(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct srfdd *d = w->data;
	__u64 now = mono_ns(), limit = 2ULL * d->conf.tick_us * 1000, silent;
	struct srfd_global g;
	double expected;

	(void)loop;
	(void)revents;
	if (d->status_dirty) {
		d->status_dirty = 0;
		notify_status(d);
	}
	if (!d->conf.nsessions || srfd_dp_read_global(&d->dp, &g))
		return;
	if (limit < CLOCK_SILENT_MIN_NS)
		limit = CLOCK_SILENT_MIN_NS;
	silent = srfd_dp_clock_silence(&d->dp, now, limit);
	if (!silent) {
		if (d->clock_dead)
			srfd_dp_alert(&d->dp, SRFD_EV_CLOCK, d->dp.ticker.loop,
				      1, "probe clock running again");
		d->clock_dead = 0;
		d->clock_tries = 0;
		if (now - d->window_start_ns >= 100000000ULL) {
			expected = (now - d->window_start_ns) / 1e3 / d->conf.tick_us;
			if (d->window_start_ns &&
			    g.ticks - d->window_ticks > 4 * expected + 20) {
				srfd_dp_alert(&d->dp, SRFD_EV_REPAIR,
					      d->dp.ticker.pace, 1,
					      "probe clock unpaced (its TBF was removed?): re-paced");
				d->dp.paced_tick_us = 0;
				reconcile_now(d);
			}
			d->window_start_ns = now;
			d->window_ticks = g.ticks;
		}
		return;
	}
	if (!d->clock_dead)
		srfd_dp_alert(&d->dp, SRFD_EV_CLOCK, d->dp.ticker.loop, 0,
			      "no tick for %llu ms: probes cannot be sent, repairing",
			      (unsigned long long)(silent / 1000000));
	d->clock_dead = 1;
	d->window_start_ns = 0;	/* the rate window restarts with the clock */
	if (d->clock_tries++ % 2 == 0) {
		/* the pacer may be what went missing (its queue went with it) */
		d->dp.paced_tick_us = 0;
		reconcile_now(d);
		srfd_ticker_inject(&d->dp.ticker);
	} else {
		srfd_dp_alert(&d->dp, SRFD_EV_REPAIR, d->dp.ticker.loop, 1,
			      "probe clock still silent: ticker veth rebuilt");
		srfd_dp_clock_rebuild(&d->dp);
	}
}

/*
 * What the configuration asks of this host, checked at start and on
 * reload. A local_sid that is also an interface address is delivered to the
 * local stack, never to srfd's receiver: sessions would stay `init`
 * forever. Reflectors are End.BPF programs that need seg6local and its BPF
 * helpers, which some kernels are built without.
 */
static int config_fits_host(const struct srfd_config *conf, char *err,
			    size_t errlen)
{
	struct ifaddrs *ifa, *i;
	char a[INET6_ADDRSTRLEN];
	int ret = 0;

	if (conf->nreflectors && !srfd_kernel_seg6local()) {
		snprintf(err, errlen, "reflectors need seg6local End.BPF, which "
			 "this kernel lacks (CONFIG_IPV6_SEG6_LWTUNNEL and "
			 "CONFIG_IPV6_SEG6_BPF): the neighbour can use the "
			 "kernel's own End instead (seg6_enabled)");
		return -EOPNOTSUPP;
	}
	if (conf->ctl_group[0] && !getgrnam(conf->ctl_group)) {
		snprintf(err, errlen, "control_group '%s': no such group",
			 conf->ctl_group);
		return -ENOENT;
	}
	if (!conf->nsessions || getifaddrs(&ifa))
		return 0;
	for (i = ifa; i && !ret; i = i->ifa_next) {
		const struct sockaddr_in6 *sin6 = (const void *)i->ifa_addr;

		if (!sin6 || sin6->sin6_family != AF_INET6 ||
		    memcmp(&sin6->sin6_addr, conf->local_sid, SRFD_SID_LEN))
			continue;
		inet_ntop(AF_INET6, conf->local_sid, a, sizeof(a));
		snprintf(err, errlen, "local_sid %s is an address of interface %s: "
			 "probes to it would never reach srfd's receiver (use an "
			 "unassigned SID)", a, i->ifa_name);
		ret = -EADDRINUSE;
	}
	freeifaddrs(ifa);
	return ret;
}

/* Parse @path (or the embedded default) into @conf, all errors in @err. */
static int config_read(struct srfdd *d, struct srfd_config *conf, char *err,
		       size_t errlen)
{
	int ret;

	if (d->config_path)
		ret = srfd_config_load_file(d->config_path, conf, err, errlen);
	else
		ret = srfd_config_load_string(srfd_default_config, "<embedded>",
					      conf, err, errlen);
	if (!ret && d->instance_override)
		ret = srfd_config_set_instance(conf, d->instance_override, err,
					       errlen);
	return ret;
}

/* Send each line of @text as a message record. */
static void ctl_send_lines(struct srfd_ctl_client *c, const char *text)
{
	struct srfd_ctl_msg rec = { .hdr.op = SRFD_CTL_MSG_REC };
	const char *p = text, *nl;
	size_t n;

	while (p && *p) {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= sizeof(rec.text))
			n = sizeof(rec.text) - 1;
		memcpy(rec.text, p, n);
		rec.text[n] = '\0';
		if (c)
			srfd_ctl_reply(c, &rec, sizeof(rec));
		p = nl ? nl + 1 : NULL;
	}
}

static void disabled_apply(struct srfdd *d);

/* bfdd's data plane: sessions on demand ------------------------------- */

#define DYN_FORGET_S	10.0	/* a reconnected bfdd re-adds what it wants */

/*
 * The applied configuration is the file's plus bfdd's sessions (dp->conf
 * points at d->conf): rebuild it and apply the difference.
 */
static int dyn_apply(struct srfdd *d)
{
	unsigned int i, n;
	char why[256];
	int ret;

	d->conf = d->file;
	n = d->conf.nsessions;
	for (i = 0; i < SRFD_MAX_SESSIONS; i++) {
		if (!d->dyn[i].used)
			continue;
		if (srfd_config_session_index(&d->file, d->dyn[i].sc.name) >= 0) {
			log_err("bfdd session %s: the configuration has a session of "
				"that name: not probed for bfdd", d->dyn[i].sc.name);
			continue;
		}
		if (n == d->conf.max_sessions) {
			log_err("bfdd session %s: no room (max_sessions %u): not probed",
				d->dyn[i].sc.name, d->conf.max_sessions);
			continue;
		}
		d->conf.sessions[n++] = d->dyn[i].sc;
		if (!d->conf.tick_auto && d->dyn[i].sc.interval_us < d->conf.tick_us)
			d->conf.tick_us = d->dyn[i].sc.interval_us;
	}
	d->conf.nsessions = n;
	if (srfd_config_schedule(&d->conf, why, sizeof(why))) {
		log_err("bfdd's sessions cannot be scheduled with the configured "
			"ones (%s): none of them is probed", why);
		d->conf = d->file;
	}
	ret = srfd_dp_apply(&d->dp, &d->conf);
	if (!ret) {
		links_sync(d);
		ret = srfd_dp_reconcile(&d->dp);
		ret = ret < 0 ? ret : 0;
	}
	disabled_apply(d);
	return ret;
}

static struct srfd_dyn *dyn_by_name(struct srfdd *d, const char *name)
{
	unsigned int i;

	for (i = 0; i < SRFD_MAX_SESSIONS; i++)
		if (d->dyn[i].used && !strcmp(d->dyn[i].sc.name, name))
			return &d->dyn[i];
	return NULL;
}

static struct srfd_dyn *dyn_by_lid(struct srfdd *d, __u32 lid)
{
	unsigned int i;

	for (i = 0; i < SRFD_MAX_SESSIONS; i++)
		if (d->dyn[i].used && d->dyn[i].lid == lid)
			return &d->dyn[i];
	return NULL;
}

/* srfd's state as bfdd's: down says why (RFC 5880 diagnostics). */
static void dyn_report(struct srfdd *d, const struct srfd_dyn *dy,
		       unsigned int state, unsigned int reason)
{
	struct srfd_bfddp_state st = {
		.lid = dy->lid, .detect_mult = dy->sc.multiplier,
		.tx_us = dy->sc.interval_us,
	};

	switch (state) {
	case SRFD_STATE_UP:
		st.state = SRFD_BFD_UP;
		break;
	case SRFD_STATE_DOWN:
		st.state = SRFD_BFD_DOWN;
		st.diag = reason == SRFD_DOWN_WATCHDOG ? SRFD_BFD_DIAG_EXPIRED :
							SRFD_BFD_DIAG_PATH_DOWN;
		break;
	case SRFD_STATE_STALLED:	/* our clock died: unverified is down */
		st.state = SRFD_BFD_DOWN;
		st.diag = 4;		/* forwarding plane reset */
		break;
	case SRFD_STATE_ADMIN_DOWN:
		st.state = SRFD_BFD_ADMIN_DOWN;
		st.diag = SRFD_BFD_DIAG_ADMIN_DOWN;
		break;
	default:
		return;			/* init: bfdd's session is down already */
	}
	srfd_bfddp_send_state(d->bfddp, &st);
}

/* The kernel's state of @dy's session; nonzero if it has none (yet). */
static int dyn_state(struct srfdd *d, const struct srfd_dyn *dy,
		     struct srfd_session_state *st)
{
	int i = srfd_config_session_index(&d->conf, dy->sc.name);

	return i < 0 ? -ENOENT : srfd_dp_read_state(&d->dp, d->dp.sess_slot[i], st);
}

/* Report the kernel's current state of @dy (after an add or re-adoption). */
static void dyn_report_now(struct srfdd *d, const struct srfd_dyn *dy)
{
	struct srfd_session_state st;

	if (!dyn_state(d, dy, &st))
		dyn_report(d, dy, st.state, st.down_reason);
}

static const struct srfd_template_conf *template_for(const struct srfdd *d,
						     const struct srfd_bfddp_session *s)
{
	unsigned int i;

	for (i = 0; i < d->file.ntemplates; i++) {
		const struct srfd_template_conf *t = &d->file.templates[i];

		if (!memcmp(t->peer, s->dst, 16) &&
		    (!s->ifname[0] || !strcmp(t->ifname, s->ifname)))
			return t;
	}
	return NULL;
}

/*
 * FRR 8.4's bfdd writes every registration at connect into an 8 KiB buffer
 * and drops what does not fit: 58 messages of 140 bytes. A burst that
 * reaches that size may have lost sessions nobody will ever hear of: say so.
 */
#define BFDDP_CONNECT_BURST_MAX	58

static void bfddp_add(void *ctx, const struct srfd_bfddp_session *s)
{
	struct srfdd *d = ctx;
	const struct srfd_template_conf *t;
	struct srfd_session_conf sc = { 0 };
	struct srfd_bfddp_state refuse = { .lid = s->lid, .state = SRFD_BFD_DOWN,
					   .diag = SRFD_BFD_DIAG_PATH_DOWN };
	char peer[INET6_ADDRSTRLEN] = "?";
	struct srfd_dyn *dy;
	unsigned int i, h = 2166136261u;

	if (d->dyn_burst_open && ++d->dyn_burst == BFDDP_CONNECT_BURST_MAX)
		log_err("bfdd registered %u sessions at connect, as many as FRR 8.4's "
			"bfdd can send at once: sessions beyond them may have been "
			"dropped by bfdd and are not probed (check `show bfd peers`)",
			d->dyn_burst);
	if (s->flags & SRFD_BFDDP_F_IPV6)
		inet_ntop(AF_INET6, s->dst, peer, sizeof(peer));
	t = (s->flags & SRFD_BFDDP_F_IPV6) ? template_for(d, s) : NULL;
	if (!t) {
		/* loud: bfdd sees it down, the log says why */
		log_err("bfdd asks for a session to %s%s%s: %s; reported down",
			peer, s->ifname[0] ? " on " : "", s->ifname,
			(s->flags & SRFD_BFDDP_F_IPV6) ? "no bfd_dataplane template "
			"matches" : "srfd probes IPv6 peers only");
		srfd_bfddp_send_state(d->bfddp, &refuse);
		return;
	}
	for (i = 0; i < 16; i++)
		h = (h ^ t->peer[i]) * 16777619u;
	snprintf(sc.name, sizeof(sc.name), "bfd-%s-%08x", t->ifname, h);
	snprintf(sc.ifname, sizeof(sc.ifname), "%s", t->ifname);
	memcpy(sc.neighbor, t->peer, 16);
	memcpy(sc.segs, t->segs, sizeof(sc.segs));
	sc.nsegs = t->nsegs;
	sc.interval_us = t->interval_us ? t->interval_us : s->min_tx_us;
	if (sc.interval_us < SRFD_MIN_INTERVAL_US)
		sc.interval_us = SRFD_MIN_INTERVAL_US;
	if (sc.interval_us > SRFD_MAX_INTERVAL_US)
		sc.interval_us = SRFD_MAX_INTERVAL_US;
	sc.multiplier = t->multiplier ? t->multiplier :
			(s->detect_mult ? s->detect_mult : SRFD_DEFAULT_MULTIPLIER);
	sc.up_after = SRFD_DEFAULT_UP_AFTER;
	sc.check_ingress = sc.nsegs == 1;
	sc.line = t->line;

	dy = dyn_by_name(d, sc.name);
	if (!dy) {
		for (i = 0; i < SRFD_MAX_SESSIONS && d->dyn[i].used; i++)
			;
		if (i == SRFD_MAX_SESSIONS) {
			log_err("bfdd session to %s: srfd is full", peer);
			srfd_bfddp_send_state(d->bfddp, &refuse);
			return;
		}
		dy = &d->dyn[i];
		memset(dy, 0, sizeof(*dy));
	} else if (dy->lid == s->lid && dy->confirmed &&
		   !memcmp(&dy->sc, &sc, sizeof(sc))) {
		dyn_report_now(d, dy);		/* nothing changed */
		return;
	}
	log_info("bfdd session %u to %s on %s: srfd session '%s', %u us x %u%s",
		 s->lid, peer, t->ifname, sc.name, sc.interval_us, sc.multiplier,
		 dy->used ? (dy->lid != s->lid ? " (re-adopted)" : " (updated)") : "");
	dy->used = 1;
	dy->confirmed = 1;
	dy->lid = s->lid;
	dy->sc = sc;
	dyn_apply(d);
	dyn_report_now(d, dy);
}

static void bfddp_del(void *ctx, __u32 lid)
{
	struct srfdd *d = ctx;
	struct srfd_dyn *dy = dyn_by_lid(d, lid);

	if (!dy)
		return;
	log_info("bfdd session %u deleted: srfd session '%s' removed", lid, dy->sc.name);
	dy->used = 0;
	dyn_apply(d);
}

static int bfddp_counters(void *ctx, __u32 lid, struct srfd_bfddp_counters *c)
{
	struct srfdd *d = ctx;
	struct srfd_dyn *dy = dyn_by_lid(d, lid);
	struct srfd_session_state st;
	unsigned int len;

	if (!dy || dyn_state(d, dy, &st))
		return -ENOENT;
	len = SRFD_PROBE_LEN(dy->sc.nsegs + 2);
	c->out_packets = st.probes_tx;
	c->out_bytes = st.probes_tx * len;
	c->in_packets = st.probes_rx;
	c->in_bytes = st.probes_rx * len;
	return 0;
}

static void dyn_forget(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct srfdd *d = w->data;
	unsigned int i, n = 0;

	(void)loop;
	(void)revents;
	d->dyn_burst_open = 0;
	for (i = 0; i < SRFD_MAX_SESSIONS; i++)
		if (d->dyn[i].used && !d->dyn[i].confirmed) {
			log_info("bfdd no longer asks for '%s': removed", d->dyn[i].sc.name);
			d->dyn[i].used = 0;
			n++;
		}
	if (n)
		dyn_apply(d);
}

static void bfddp_connected(void *ctx)
{
	struct srfdd *d = ctx;
	unsigned int i;

	/* bfdd now registers every session it wants: the rest goes later */
	for (i = 0; i < SRFD_MAX_SESSIONS; i++)
		d->dyn[i].confirmed = 0;
	d->dyn_burst = 0;
	d->dyn_burst_open = 1;
	ev_timer_stop(d->loop, &d->dyn_watcher);
	ev_timer_set(&d->dyn_watcher, DYN_FORGET_S, 0);
	ev_timer_start(d->loop, &d->dyn_watcher);
}

static const struct srfd_bfddp_ops bfddp_ops = {
	.connected = bfddp_connected,
	.add = bfddp_add,
	.del = bfddp_del,
	.counters = bfddp_counters,
};

/*
 * Apply the configuration file again, as a diff. A configuration with any
 * error changes nothing; so does one that renames what identifies the
 * instance (those need a restart). Reply lines go to @c (NULL: log only).
 */
static int reload(struct srfdd *d, struct srfd_ctl_client *c)
{
	char err[4096];
	int ret;

	ret = config_read(d, &d->next, err, sizeof(err));
	if (!ret)
		ret = config_fits_host(&d->next, err, sizeof(err));
	if (!ret && (strcmp(d->next.instance, d->conf.instance) ||
		     strcmp(d->next.bpffs, d->conf.bpffs) ||
		     strcmp(d->next.ctl_socket, d->conf.ctl_socket) ||
		     strcmp(d->next.ctl_group, d->conf.ctl_group))) {
		snprintf(err, sizeof(err), "instance, bpffs, control_socket and "
			 "control_group "
			 "cannot change on reload (restart srfdd)");
		ret = -EINVAL;
	}
	if (!ret && d->next.max_sessions != d->dp.max_sessions) {
		snprintf(err, sizeof(err), "max_sessions cannot change on reload "
			 "(the maps hold %u): it takes `srfdd --flush` and a "
			 "restart", d->dp.max_sessions);
		ret = -EINVAL;
	}
	if (ret) {
		srfd_dp_alert(&d->dp, SRFD_EV_RELOAD, d->conf.instance, 0,
			 "configuration refused, nothing changed");
		log_err("reload: %s", err);
		ctl_send_lines(c, err);
		return ret;
	}
	srfd_notify("RELOADING=1\nMONOTONIC_USEC=%llu",
		    (unsigned long long)(mono_ns() / 1000));
	d->file = d->next;
	ret = dyn_apply(d);
	srfd_notify("READY=1");
	srfd_dp_alert(&d->dp, SRFD_EV_RELOAD, d->conf.instance, !ret,
		 ret ? "configuration applied with errors (see the log)" :
		       "configuration applied");
	ctl_send_lines(c, ret ? "applied with errors, see srfdd's log" :
			   "configuration applied");
	return ret;
}

static int ctl_stats(struct srfdd *d, struct srfd_ctl_client *c)
{
	struct srfd_ctl_counter rec = { .hdr.op = SRFD_CTL_COUNTER_REC };
	struct srfd_session_state st;
	__u64 stall_saves = 0, untimed = 0;
	struct srfd_global g;
	unsigned int i;
	int r, err;

	for (r = 0; r < SRFD_R_MAX; r++) {
		snprintf(rec.name, sizeof(rec.name), "%s", srfd_reason_name(r));
		rec.value = srfd_dp_counter(&d->dp, r);
		err = srfd_ctl_reply(c, &rec, sizeof(rec));
		if (err)
			return err;
	}
	for (i = 0; i < d->conf.nsessions; i++)
		if (!srfd_dp_read_state(&d->dp, d->dp.sess_slot[i], &st)) {
			stall_saves += st.stall_saves;
			untimed += st.armed != d->dp.generation;
		}
	snprintf(rec.name, sizeof(rec.name), "stall_saves");
	rec.value = stall_saves;
	err = srfd_ctl_reply(c, &rec, sizeof(rec));
	if (!err && !srfd_dp_read_global(&d->dp, &g)) {
		const struct { const char *name; __u64 value; } sched[] = {
			{ "max_tick_gap_us", g.max_tick_gap_ns / 1000 },
			{ "tick_us", d->conf.tick_us },
			{ "sched_ticks", g.ticks },
			{ "sched_visits", g.sched_visits },
			{ "max_tick_visits", g.max_tick_visits },
			{ "sched_overruns", g.sched_overruns },
			{ "sched_peak", d->dp.sched ? d->dp.sched->peak : 0 },
			/* judged by the ticker: no timer (watchdog = "ticker" or refused) */
			{ "ticker_judged", untimed },
			{ "clock_watch", g.clock_armed == d->dp.generation },
		};

		for (i = 0; !err && i < sizeof(sched) / sizeof(sched[0]); i++) {
			snprintf(rec.name, sizeof(rec.name), "%s", sched[i].name);
			rec.value = sched[i].value;
			err = srfd_ctl_reply(c, &rec, sizeof(rec));
		}
	}
	if (!err) {
		snprintf(rec.name, sizeof(rec.name), "repairs");
		rec.value = d->dp.repairs;
		err = srfd_ctl_reply(c, &rec, sizeof(rec));
	}
	if (!err) {
		snprintf(rec.name, sizeof(rec.name), "clock_ok");
		rec.value = !d->clock_dead;
		err = srfd_ctl_reply(c, &rec, sizeof(rec));
	}
	return err;
}

static int ctl_prefixes(struct srfdd *d, struct srfd_ctl_client *c)
{
	struct srfd_ctl_prefix rec;
	unsigned int i, g;
	int err;

	for (i = 0; i < d->conf.nprefixes; i++) {
		const struct srfd_prefix_conf *pc = &d->conf.prefixes[i];
		struct srfd_prefix_state st;

		memset(&rec, 0, sizeof(rec));
		rec.hdr.op = SRFD_CTL_PREFIX_REC;
		err = srfd_dp_read_prefix(&d->dp, d->dp.pfx_slot[i], &st,
					  rec.packets, rec.bytes);
		if (err)
			return err;
		memcpy(rec.addr, pc->addr, sizeof(rec.addr));
		rec.prefixlen = pc->plen;
		rec.active = st.active;
		rec.nsegs[0] = pc->nsegs[0];
		rec.nsegs[1] = pc->nsegs[1];
		memcpy(rec.segs, pc->segs, sizeof(rec.segs));
		rec.nguards = pc->nguards;
		for (g = 0; g < pc->nguards; g++)
			memcpy(rec.guards[g], d->conf.sessions[pc->guards[g]].name,
			       SRFD_NAME_LEN);
		rec.switches = st.switches;
		rec.last_switch_ns = st.last_switch_ns;
		rec.hold_ns = st.hold_ns;
		err = srfd_ctl_reply(c, &rec, sizeof(rec));
		if (err)
			return err;
	}
	return 0;
}

static int ctl_sessions(struct srfdd *d, struct srfd_ctl_client *c)
{
	struct srfd_ctl_session rec;
	struct srfd_session_state st;
	unsigned int i;
	int err;

	for (i = 0; i < d->conf.nsessions; i++) {
		err = srfd_dp_read_state(&d->dp, d->dp.sess_slot[i], &st);
		if (err)
			return err;
		srfd_session_ctl_record(&d->conf.sessions[i], &st,
					d->dp.sess_ifindex[i], &rec);
		err = srfd_ctl_reply(c, &rec, sizeof(rec));
		if (err)
			return err;
	}
	return 0;
}

static int disabled_index(const struct srfdd *d, const char *name)
{
	unsigned int i;

	for (i = 0; i < d->ndisabled; i++)
		if (!strcmp(d->disabled[i], name))
			return i;
	return -1;
}

/*
 * Put every session the operator disabled (still) in admin down: after a
 * reload or restart, and for a session that a reload brought back.
 */
static void disabled_apply(struct srfdd *d)
{
	unsigned int i;
	int idx;

	for (i = 0; i < d->ndisabled; i++) {
		idx = srfd_config_session_index(&d->conf, d->disabled[i]);
		if (idx >= 0 && srfd_dp_session_admin(&d->dp, idx, 1) < 0)
			log_err("session '%s': cannot keep it disabled",
				d->disabled[i]);
	}
}

/* Remember that the operator disabled @name; 0 or -ENOMEM. */
static int disabled_add(struct srfdd *d, const char *name)
{
	void *grown;

	if (disabled_index(d, name) >= 0)
		return 0;
	grown = realloc(d->disabled, (d->ndisabled + 1) * sizeof(*d->disabled));
	if (!grown)
		return -ENOMEM;
	d->disabled = grown;
	snprintf(d->disabled[d->ndisabled++], SRFD_NAME_LEN + 1, "%s", name);
	return 0;
}

/* An adopted data path remembers what the operator disabled. */
static void disabled_adopt(struct srfdd *d)
{
	struct srfd_session_state st;
	unsigned int i;

	for (i = 0; i < d->conf.nsessions; i++)
		if (!srfd_dp_read_state(&d->dp, d->dp.sess_slot[i], &st) &&
		    st.state == SRFD_STATE_ADMIN_DOWN &&
		    disabled_add(d, d->conf.sessions[i].name))
			return;
}

/* `srfdctl session disable|enable NAME` */
static int ctl_admin(struct srfdd *d, struct srfd_ctl_client *c,
		     const char *name, int down)
{
	int idx = srfd_config_session_index(&d->conf, name), i, r;
	char text[160];

	if (idx < 0) {
		snprintf(text, sizeof(text), "no session named '%s'", name);
		ctl_send_lines(c, text);
		return -ENOENT;
	}
	r = srfd_dp_session_admin(&d->dp, idx, down);
	if (r < 0) {
		log_err("session '%s': %s failed: %s", name,
			down ? "disable" : "enable", strerror(-r));
		return r;
	}
	i = disabled_index(d, name);
	if (down && disabled_add(d, name)) {
		return -ENOMEM;
	} else if (!down && i >= 0) {
		memmove(d->disabled[i], d->disabled[i + 1],
			(d->ndisabled - i - 1) * sizeof(*d->disabled));
		d->ndisabled--;
	}
	srfd_log_with(down ? LOG_LVL_WARN : LOG_LVL_INFO,
		      &(struct srfd_log_fields){ .session = name },
		      "session '%s' %s by the operator%s", name,
		      down ? "disabled" : "enabled",
		      down ? ": no probes, its prefixes use their backup" :
			     ": probing again, up after up_after returns");
	snprintf(text, sizeof(text), "session '%s' %s%s", name,
		 down ? "disabled" : "enabled",
		 r ? "" : down ? " (it already was)" : " (it was not disabled)");
	ctl_send_lines(c, text);
	return 0;
}

static int ctl_request(void *ctx, struct srfd_ctl_client *c,
		       const struct srfd_ctl_req *req)
{
	char arg[SRFD_NAME_LEN + 1];
	struct srfdd *d = ctx;
	int err;

	memcpy(arg, req->arg, SRFD_NAME_LEN);
	arg[SRFD_NAME_LEN] = '\0';
	switch (req->hdr.op) {
	case SRFD_CTL_SESSION_SHOW:
		return ctl_sessions(d, c);
	case SRFD_CTL_STATS_SHOW:
		return ctl_stats(d, c);
	case SRFD_CTL_PREFIX_SHOW:
		return ctl_prefixes(d, c);
	case SRFD_CTL_RELOAD:
		return reload(d, c);
	case SRFD_CTL_STATS_CLEAR:
		err = srfd_dp_clear_stats(&d->dp);
		if (!err)
			log_info("counters cleared by the operator");
		return err;
	case SRFD_CTL_SESSION_DISABLE:
	case SRFD_CTL_SESSION_ENABLE:
		return ctl_admin(d, c, arg, req->hdr.op == SRFD_CTL_SESSION_DISABLE);
	case SRFD_CTL_FLUSH:
		log_info("flush requested over the control socket");
		d->flush_on_exit = 1;
		ev_break(d->loop, EVBREAK_ALL);
		return 0;
	}
	return -EOPNOTSUPP;
}

/* What systemd shows as the service's status line (when it changes). */
static void notify_status(struct srfdd *d)
{
	struct srfd_session_state st;
	struct srfd_prefix_state ps;
	unsigned int i, up = 0, backup = 0;
	__u64 pk[2], by[2];
	char status[sizeof(d->status)];

	if (!srfd_notify_wanted())
		return;		/* nobody to tell: spare the map reads */
	for (i = 0; i < d->conf.nsessions; i++)
		if (!srfd_dp_read_state(&d->dp, d->dp.sess_slot[i], &st))
			up += st.state == SRFD_STATE_UP;
	for (i = 0; i < d->conf.nprefixes; i++)
		if (!srfd_dp_read_prefix(&d->dp, d->dp.pfx_slot[i], &ps, pk, by))
			backup += ps.active == SRFD_LIST_BACKUP;
	snprintf(status, sizeof(status), "%u/%u sessions up, %u/%u prefixes on "
		 "backup%s", up, d->conf.nsessions, backup, d->conf.nprefixes,
		 d->clock_dead ? ", PROBE CLOCK DEAD" : "");
	if (strcmp(status, d->status)) {
		strcpy(d->status, status);
		srfd_notify("STATUS=%s", status);
	}
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct srfdd *d = w->data;

	(void)revents;
	if (w->signum == SIGHUP) {
		log_info("SIGHUP: reloading %s", d->config_path ?
			 d->config_path : "the embedded configuration");
		reload(d, NULL);
		return;
	}
	log_info("signal %d: stopping", w->signum);
	srfd_notify("STOPPING=1");
	ev_break(loop, EVBREAK_ALL);
}

static int enter_netns(const char *name)
{
	char path[256];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "srfdd: netns '%s': %s\n", name, strerror(errno));
		return -errno;
	}
	if (setns(fd, CLONE_NEWNET)) {
		err = -errno;
		fprintf(stderr, "srfdd: setns '%s': %s\n", name, strerror(errno));
	}
	close(fd);
	return err;
}

/*
 * `srfdd --flush` while a daemon runs the instance: ask it to flush and
 * exit, then wait for its lock to go.
 */
static int flush_running(struct srfdd *d, int holder)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct srfd_ctl_req req = { .hdr.op = SRFD_CTL_FLUSH,
				    .proto = SRFD_CTL_PROTO };
	struct srfd_ctl_hdr rep = { 0 };
	__u8 rec[512];
	ssize_t n;
	int fd, i, lock;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", d->conf.ctl_socket);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	n = -1;
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&sun, sizeof(sun)) &&
	    send(fd, &req, sizeof(req), MSG_NOSIGNAL) == sizeof(req))
		/* the HELLO record (and any message) come before END */
		while ((n = recv(fd, rec, sizeof(rec), 0)) >= (ssize_t)sizeof(rep)) {
			memcpy(&rep, rec, sizeof(rep));
			if (rep.op == SRFD_CTL_END || rep.op == SRFD_CTL_ERROR)
				break;
		}
	if (n < (ssize_t)sizeof(rep) || rep.op != SRFD_CTL_END) {
		fprintf(stderr, "srfdd: instance '%s' is run by pid %d, which "
			"does not answer on %s\n", d->conf.instance, holder,
			d->conf.ctl_socket);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	close(fd);
	for (i = 0; i < 100; i++) {
		lock = srfd_instance_lock(d->conf.instance, &holder);
		if (lock >= 0) {
			srfd_instance_unlock(lock, d->conf.instance);
			printf("instance '%s' flushed by its srfdd\n",
			       d->conf.instance);
			return 0;
		}
		usleep(50000);
	}
	fprintf(stderr, "srfdd: instance '%s': pid %d did not finish flushing\n",
		d->conf.instance, holder);
	return 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: srfdd [-c FILE | --default-config] [-n NETNS] [-i NAME] [-t] [-d]\n"
		"       srfdd --flush [-c FILE | -i NAME] [-n NETNS]\n"
		"       srfdd --kernel-check | --version\n"
		"  -c, --config FILE     configuration (default /etc/srfd/srfd.conf)\n"
		"      --default-config  use the embedded demo configuration\n"
		"  -n, --netns NAME      run in network namespace NAME (/run/netns/NAME)\n"
		"  -i, --instance NAME   override the configured instance name\n"
		"  -t, --check           validate the configuration and exit\n"
		"  -F, --flush           remove everything the instance owns in the\n"
		"                        kernel (routes, filters, ticker, pins) and exit\n"
		"  -K, --kernel-check    list the kernel features srfd needs, and\n"
		"                        whether this kernel has them (exit 1 if not)\n"
		"  -d, --debug           debug logging, including libbpf\n"
		"  -V, --version         print the version and exit\n"
		"  -h, --help            this text\n"
		"SIGHUP reloads the configuration; SIGTERM stops srfdd and leaves the\n"
		"kernel side protecting (a restart adopts it without a gap).\n");
}

/* `srfdd --kernel-check`: every feature, its release and whether it is here. */
static int print_kernel_check(void)
{
	const struct srfd_kernel_feature *f;
	unsigned int n, i, missing = 0;
	struct utsname u = { 0 };

	uname(&u);
	f = srfd_kernel_features(&n);
	printf("kernel %s; srfd needs Linux >= %s\n", u.release,
	       srfd_kernel_min());
	for (i = 0; i < n; i++) {
		printf("  %-15s %-7s since %-5s %s (%s)\n", f[i].name,
		       f[i].present ? "ok" : "MISSING", f[i].since, f[i].what,
		       f[i].needed_for);
		missing += !f[i].present;
	}
	return missing ? 1 : 0;
}

static void watchers_start(struct srfdd *d)
{
	ev_io_init(&d->ringbuf_watcher, ringbuf_readable,
		   srfd_dp_ringbuf_fd(&d->dp), EV_READ);
	ev_io_init(&d->links_watcher, links_readable, srfd_links_fd(d->links),
		   EV_READ);
	ev_io_init(&d->routes_watcher, routes_readable,
		   srfd_nl_events_fd(d->routes), EV_READ);
	ev_timer_init(&d->clock_watcher, clock_check, CLOCK_CHECK_S,
		      CLOCK_CHECK_S);
	ev_timer_init(&d->resync_watcher, resync_timer, RESYNC_S, RESYNC_S);
	ev_timer_init(&d->reconcile_watcher, reconcile_timer, 0, 0);
	ev_signal_init(&d->sigterm_watcher, on_signal, SIGTERM);
	ev_signal_init(&d->sigint_watcher, on_signal, SIGINT);
	ev_signal_init(&d->sighup_watcher, on_signal, SIGHUP);
	d->ringbuf_watcher.data = d->links_watcher.data = d;
	d->routes_watcher.data = d->clock_watcher.data = d;
	d->resync_watcher.data = d->reconcile_watcher.data = d;
	d->sigterm_watcher.data = d->sigint_watcher.data = d;
	d->sighup_watcher.data = d;
	ev_io_start(d->loop, &d->ringbuf_watcher);
	ev_io_start(d->loop, &d->links_watcher);
	ev_io_start(d->loop, &d->routes_watcher);
	ev_timer_start(d->loop, &d->clock_watcher);
	ev_timer_start(d->loop, &d->resync_watcher);
	ev_signal_start(d->loop, &d->sigterm_watcher);
	ev_signal_start(d->loop, &d->sigint_watcher);
	ev_signal_start(d->loop, &d->sighup_watcher);
}

/* Open, apply and reconcile; on failure nothing of a fresh instance stays. */
static int start(struct srfdd *d)
{
	int err;

	err = srfd_dp_open(&d->dp, &d->conf, on_kernel_event, on_alert, d);
	if (err)
		return err;
	if (d->dp.max_sessions != d->conf.max_sessions) {
		log_err("instance '%s': its pinned maps hold %u sessions, the "
			"configuration says max_sessions = %u; map sizes are fixed "
			"while the data path lives: configure %u, or `srfdd --flush "
			"-i %s` first (protection stops until the restart)",
			d->conf.instance, d->dp.max_sessions, d->conf.max_sessions,
			d->dp.max_sessions, d->conf.instance);
		return -EXFULL;
	}
	if (d->dp.adopted)
		log_info("instance '%s': adopting the kernel state pinned in %s "
			 "(generation %u)", d->conf.instance, d->dp.pin_dir,
			 d->dp.generation);
	err = srfd_links_open(&d->links, links_changed, d);
	if (!err) {
		d->dp.links = d->links;
		err = srfd_nl_events_open(&d->routes);
	}
	if (!err)
		err = srfd_dp_apply(&d->dp, &d->conf);
	if (!err)
		err = srfd_dp_reconcile(&d->dp);
	if (err >= 0) {
		links_sync(d);
		err = srfd_ctl_open(&d->ctl, d->loop, d->conf.ctl_socket,
				    d->ctl_gid, ctl_request, d);
		if (err)
			log_err("control socket %s: %s", d->conf.ctl_socket,
				strerror(-err));
	}
	if (err < 0) {
		if (!d->dp.adopted)
			srfd_dp_flush(&d->dp);
		else
			log_err("the adopted kernel side is left as it was");
		return err;
	}
	if (d->dp.adopted) {
		disabled_adopt(d);
		srfd_dp_alert(&d->dp, SRFD_EV_ADOPT, d->conf.instance, 1,
			 "kernel state of an earlier srfdd adopted: sessions, "
			 "counters and routes kept%s", d->ndisabled ?
			 " (some disabled by the operator)" : "");
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "default-config", no_argument, NULL, 'D' },
		{ "netns", required_argument, NULL, 'n' },
		{ "instance", required_argument, NULL, 'i' },
		{ "check", no_argument, NULL, 't' },
		{ "flush", no_argument, NULL, 'F' },
		{ "debug", no_argument, NULL, 'd' },
		{ "kernel-check", no_argument, NULL, 'K' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *netns = NULL;
	int kernel_check = 0;
	int use_default = 0, check_only = 0, flush = 0, opt, err, holder;
	static struct srfdd d;
	char errbuf[4096];

	/* a SIGHUP before the event loop handles it must not kill srfdd */
	signal(SIGHUP, SIG_IGN);
	d.config_path = "/etc/srfd/srfd.conf";
	d.lock_fd = -1;
	while ((opt = getopt_long(argc, argv, "c:n:i:tFdKVh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'D':
			use_default = 1;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'i':
			d.instance_override = optarg;
			break;
		case 't':
			check_only = 1;
			break;
		case 'F':
			flush = 1;
			break;
		case 'd':
			srfd_log_set_level(LOG_LVL_DEBUG);
			break;
		case 'K':
			kernel_check = 1;
			break;
		case 'V':
			printf("srfdd %s (control protocol %u, ABI %u)\n",
			       SRFD_VERSION, SRFD_CTL_PROTO, SRFD_ABI_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "srfdd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (kernel_check)
		return print_kernel_check();
	if (use_default)
		d.config_path = NULL;
	err = config_read(&d, &d.file, errbuf, sizeof(errbuf));
	d.conf = d.file;
	if (err && flush && d.instance_override &&
	    !srfd_config_load_string("instance = \"x\"; reflectors = ({ sid = "
				     "\"fc00::1\"; neighbor = \"fc00::2\"; });", "-",
				     &d.conf, errbuf, sizeof(errbuf)))
		/* flushing by name needs no (valid) configuration */
		err = srfd_config_set_instance(&d.conf, d.instance_override,
					       errbuf, sizeof(errbuf));
	if (err) {
		fprintf(stderr, "srfdd: %s\n", errbuf);
		return 1;
	}
	if (check_only) {
		printf("%s: OK, %u session(s), %u prefix(es), %u reflector(s)\n",
		       d.config_path ? d.config_path : "<embedded>",
		       d.conf.nsessions, d.conf.nprefixes, d.conf.nreflectors);
		return 0;
	}
	if (netns && enter_netns(netns))
		return 1;
	srfd_log_init(d.conf.instance);
	if (!flush && config_fits_host(&d.conf, errbuf, sizeof(errbuf))) {
		log_err("%s", errbuf);
		return 1;
	}
	d.ctl_gid = (gid_t)-1;
	if (d.conf.ctl_group[0])
		d.ctl_gid = getgrnam(d.conf.ctl_group)->gr_gid;
	/* an old kernel is refused in words, before anything is touched */
	if (!flush && srfd_kernel_check(errbuf, sizeof(errbuf))) {
		log_err("%s", errbuf);
		return 1;
	}

	/* nothing is touched before the instance is ours */
	d.lock_fd = srfd_instance_lock(d.conf.instance, &holder);
	if (d.lock_fd == -EBUSY && flush)
		return flush_running(&d, holder);
	if (d.lock_fd < 0) {
		fprintf(stderr, "srfdd: instance '%s' %s%d%s\n", d.conf.instance,
			d.lock_fd == -EBUSY ? "is already run by srfdd pid " :
			"cannot be locked: error ", d.lock_fd == -EBUSY ?
			holder : -d.lock_fd, d.lock_fd == -EBUSY ?
			" (nothing was changed)" : "");
		return 1;
	}
	srfd_log_hook_libbpf();
	d.loop = EV_DEFAULT;

	if (flush) {
		err = srfd_dp_open(&d.dp, &d.conf, on_kernel_event, NULL, &d);
		if (err == -EPROTO || err == -EXDEV || !err) {
			if (err) {	/* pins we cannot load: still remove them */
				log_warn("the pins of '%s' cannot be adopted: "
					 "removing them and, if it is here, its "
					 "ticker veth; nothing in another "
					 "namespace is touched", d.conf.instance);
				err = srfd_nl_open(&d.dp.nl);
			}
			if (!err)
				srfd_dp_flush(&d.dp);
		}
		srfd_dp_close(&d.dp);
		srfd_instance_unlock(d.lock_fd, d.conf.instance);
		return err ? 1 : 0;
	}

	err = start(&d);
	if (err) {
		d.dp.links = NULL;
		srfd_links_close(d.links);
		srfd_nl_events_close(d.routes);
		srfd_dp_close(&d.dp);
		srfd_instance_unlock(d.lock_fd, d.conf.instance);
		return 1;
	}
	watchers_start(&d);
	ev_timer_init(&d.dyn_watcher, dyn_forget, DYN_FORGET_S, 0);
	d.dyn_watcher.data = &d;
	if (d.conf.bfddp_socket[0] &&
	    srfd_bfddp_open(&d.bfddp, d.loop, d.conf.bfddp_socket, &bfddp_ops, &d))
		log_err("bfd_dataplane: cannot use socket %s", d.conf.bfddp_socket);
	log_info("srfdd %s: instance '%s' running: %u session(s), %u prefix(es), "
		 "%u reflector(s), control socket %s", SRFD_VERSION,
		 d.conf.instance, d.conf.nsessions, d.conf.nprefixes,
		 d.conf.nreflectors, d.conf.ctl_socket);
	/* systemd (Type=notify): the control socket is up, protection runs */
	srfd_notify("READY=1\nMAINPID=%d", (int)getpid());
	notify_status(&d);
	ev_run(d.loop, 0);

	srfd_dp_ringbuf_consume(&d.dp);
	srfd_bfddp_close(d.bfddp);
	d.bfddp = NULL;
	srfd_ctl_close(d.ctl);
	d.dp.links = NULL;
	srfd_links_close(d.links);
	srfd_nl_events_close(d.routes);
	if (d.flush_on_exit)
		srfd_dp_flush(&d.dp);
	srfd_dp_close(&d.dp);
	srfd_instance_unlock(d.lock_fd, d.conf.instance);
	if (d.flush_on_exit)
		log_info("instance '%s' stopped and flushed", d.conf.instance);
	else
		log_info("instance '%s' stopped; its kernel side keeps protecting "
			 "(`srfdd --flush -i %s` removes it)", d.conf.instance,
			 d.conf.instance);
	return 0;
}
