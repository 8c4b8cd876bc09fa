// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * srfdd: sets up srfd's kernel data path from the configuration, then only
 * watches: it relays the kernel's state-change events to the log and to
 * `srfdctl monitor`, answers `srfdctl session show`, and re-injects a ticker
 * if the pacer loop ever loses one. Detection itself never waits on srfdd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ev.h>

#include "config.h"
#include "ctl.h"
#include "dataplane.h"
#include "log.h"
#include "session.h"

#define TICKER_CHECK_S		0.1
#define TICKER_LOST_MIN_NS	50000000ULL

struct srfdd {
	struct srfd_config conf;
	struct srfd_dp dp;
	struct srfd_ctl_server *ctl;
	struct ev_loop *loop;
	ev_io ringbuf_watcher;
	ev_timer ticker_watcher;
	ev_signal sigterm_watcher;
	ev_signal sigint_watcher;
	__u64 last_ticks;
};

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int on_kernel_event(void *ctx, void *data, size_t len)
{
	struct srfdd *d = ctx;
	const struct srfd_event *ev = data;
	struct srfd_ctl_event rec = { .hdr.op = SRFD_CTL_EVENT_REC };
	char name[SRFD_NAME_LEN] = "?";

	if (len < sizeof(*ev))
		return 0;
	if (ev->type == SRFD_EV_STATE) {
		if (ev->id < d->conf.nsessions)
			snprintf(name, sizeof(name), "%s",
				 d->conf.sessions[ev->id].name);
		log_info("session '%s': %s -> %s at %llu.%09llu (tx_seq %llu, rx_seq %llu)",
			 name, srfd_state_name(ev->old_state),
			 srfd_state_name(ev->new_state),
			 (unsigned long long)(ev->ts_ns / 1000000000ULL),
			 (unsigned long long)(ev->ts_ns % 1000000000ULL),
			 (unsigned long long)ev->tx_seq,
			 (unsigned long long)ev->rx_seq);
	} else if (ev->type == SRFD_EV_SWITCH) {
		if (ev->id < d->conf.nprefixes)
			srfd_prefix_format(&d->conf.prefixes[ev->id], name,
					   sizeof(name));
		log_info("prefix %s: %s -> %s at %llu.%09llu", name,
			 srfd_list_name(ev->old_state),
			 srfd_list_name(ev->new_state),
			 (unsigned long long)(ev->ts_ns / 1000000000ULL),
			 (unsigned long long)(ev->ts_ns % 1000000000ULL));
	} else {
		return 0;
	}
	memcpy(rec.name, name, sizeof(rec.name));
	rec.ev = *ev;
	srfd_ctl_broadcast(d->ctl, &rec, sizeof(rec));
	return 0;
}

static void ringbuf_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct srfdd *d = w->data;

	(void)loop;
	(void)revents;
	srfd_dp_ringbuf_consume(&d->dp);
}

/* The ticker loop is the kernel clock; if it stops, restart it. */
static void ticker_check(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct srfdd *d = w->data;
	__u64 lost_after = 50ULL * d->conf.tick_us * 1000;
	struct srfd_global g;

	(void)loop;
	(void)revents;
	if (!d->conf.nsessions)
		return;
	if (lost_after < TICKER_LOST_MIN_NS)
		lost_after = TICKER_LOST_MIN_NS;
	if (srfd_dp_read_global(&d->dp, &g))
		return;
	if (g.ticks != d->last_ticks || mono_ns() - g.last_tick_ns < lost_after) {
		d->last_ticks = g.ticks;
		return;
	}
	log_warn("ticker loop silent for %llu ms, injecting a new ticker",
		 (unsigned long long)((mono_ns() - g.last_tick_ns) / 1000000));
	srfd_dp_inject_ticker(&d->dp);
}

static int ctl_stats(struct srfdd *d, int fd)
{
	struct srfd_ctl_counter rec = { .hdr.op = SRFD_CTL_COUNTER_REC };
	struct srfd_session_state st;
	__u64 stall_saves = 0;
	struct srfd_global g;
	unsigned int i;
	int r, err;

	for (r = 0; r < SRFD_R_MAX; r++) {
		snprintf(rec.name, sizeof(rec.name), "%s", srfd_reason_name(r));
		rec.value = srfd_dp_counter(&d->dp, r);
		err = srfd_ctl_send(fd, &rec, sizeof(rec));
		if (err)
			return err;
	}
	for (i = 0; i < d->conf.nsessions; i++)
		if (!srfd_dp_read_state(&d->dp, i, &st))
			stall_saves += st.stall_saves;
	snprintf(rec.name, sizeof(rec.name), "stall_saves");
	rec.value = stall_saves;
	err = srfd_ctl_send(fd, &rec, sizeof(rec));
	if (!err && !srfd_dp_read_global(&d->dp, &g)) {
		snprintf(rec.name, sizeof(rec.name), "max_tick_gap_us");
		rec.value = g.max_tick_gap_ns / 1000;
		err = srfd_ctl_send(fd, &rec, sizeof(rec));
	}
	return err;
}

static int ctl_prefixes(struct srfdd *d, int fd)
{
	struct srfd_ctl_prefix rec;
	unsigned int i, g;
	int err;

	for (i = 0; i < d->conf.nprefixes; i++) {
		const struct srfd_prefix_conf *pc = &d->conf.prefixes[i];
		struct srfd_prefix_state st;

		memset(&rec, 0, sizeof(rec));
		rec.hdr.op = SRFD_CTL_PREFIX_REC;
		err = srfd_dp_read_prefix(&d->dp, i, &st, rec.packets, rec.bytes);
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
		err = srfd_ctl_send(fd, &rec, sizeof(rec));
		if (err)
			return err;
	}
	return 0;
}

static int ctl_show(void *ctx, int fd, unsigned int op)
{
	struct srfdd *d = ctx;
	struct srfd_ctl_session rec;
	struct srfd_session_state st;
	unsigned int i;
	int err;

	if (op == SRFD_CTL_STATS_SHOW)
		return ctl_stats(d, fd);
	if (op == SRFD_CTL_PREFIX_SHOW)
		return ctl_prefixes(d, fd);
	if (op != SRFD_CTL_SESSION_SHOW)
		return -EOPNOTSUPP;
	for (i = 0; i < d->conf.nsessions; i++) {
		err = srfd_dp_read_state(&d->dp, i, &st);
		if (err)
			return err;
		srfd_session_ctl_record(&d->conf.sessions[i], &st, &rec);
		err = srfd_ctl_send(fd, &rec, sizeof(rec));
		if (err)
			return err;
	}
	return 0;
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	log_info("signal %d: shutting down", w->signum);
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

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: srfdd [-c FILE | --default-config] [-n NETNS] [-i NAME] [-t] [-d]\n"
		"  -c, --config FILE     configuration (default /etc/srfd/srfd.conf)\n"
		"      --default-config  use the embedded demo configuration\n"
		"  -n, --netns NAME      run in network namespace NAME (/run/netns/NAME)\n"
		"  -i, --instance NAME   override the configured instance name\n"
		"  -t, --check           validate the configuration and exit\n"
		"  -d, --debug           debug logging, including libbpf\n"
		"  -h, --help            this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "default-config", no_argument, NULL, 'D' },
		{ "netns", required_argument, NULL, 'n' },
		{ "instance", required_argument, NULL, 'i' },
		{ "check", no_argument, NULL, 't' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *config_path = "/etc/srfd/srfd.conf", *netns = NULL;
	const char *instance = NULL;
	int use_default = 0, check_only = 0, opt, err;
	static struct srfdd d;
	char errbuf[512];

	while ((opt = getopt_long(argc, argv, "c:n:i:tdh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'D':
			use_default = 1;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'i':
			instance = optarg;
			break;
		case 't':
			check_only = 1;
			break;
		case 'd':
			srfd_log_set_level(LOG_LVL_DEBUG);
			break;
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

	if (use_default)
		err = srfd_config_load_string(srfd_default_config, "<embedded>",
					      &d.conf, errbuf, sizeof(errbuf));
	else
		err = srfd_config_load_file(config_path, &d.conf, errbuf,
					    sizeof(errbuf));
	if (err) {
		fprintf(stderr, "srfdd: %s\n", errbuf);
		return 1;
	}
	if (instance) {
		err = srfd_config_set_instance(&d.conf, instance, errbuf,
					       sizeof(errbuf));
		if (err) {
			fprintf(stderr, "srfdd: %s\n", errbuf);
			return 1;
		}
	}
	if (check_only) {
		printf("%s: OK, %u session(s), %u reflector(s)\n",
		       use_default ? "<embedded>" : config_path, d.conf.nsessions,
		       d.conf.nreflectors);
		return 0;
	}
	if (netns && enter_netns(netns))
		return 1;

	srfd_log_hook_libbpf();
	d.loop = EV_DEFAULT;
	err = srfd_dp_start(&d.dp, &d.conf, on_kernel_event, &d);
	if (err)
		return 1;
	err = srfd_ctl_open(&d.ctl, d.loop, d.conf.ctl_socket, ctl_show, &d);
	if (err) {
		log_err("control socket %s: %s", d.conf.ctl_socket,
			strerror(-err));
		srfd_dp_stop(&d.dp);
		return 1;
	}

	ev_io_init(&d.ringbuf_watcher, ringbuf_readable,
		   srfd_dp_ringbuf_fd(&d.dp), EV_READ);
	d.ringbuf_watcher.data = &d;
	ev_io_start(d.loop, &d.ringbuf_watcher);
	ev_timer_init(&d.ticker_watcher, ticker_check, TICKER_CHECK_S,
		      TICKER_CHECK_S);
	d.ticker_watcher.data = &d;
	ev_timer_start(d.loop, &d.ticker_watcher);
	ev_signal_init(&d.sigterm_watcher, on_signal, SIGTERM);
	ev_signal_start(d.loop, &d.sigterm_watcher);
	ev_signal_init(&d.sigint_watcher, on_signal, SIGINT);
	ev_signal_start(d.loop, &d.sigint_watcher);

	log_info("instance '%s' running: %u session(s), %u reflector(s), control socket %s",
		 d.conf.instance, d.conf.nsessions, d.conf.nreflectors,
		 d.conf.ctl_socket);
	ev_run(d.loop, 0);

	srfd_dp_ringbuf_consume(&d.dp);
	srfd_ctl_close(d.ctl);
	srfd_dp_stop(&d.dp);
	log_info("instance '%s' stopped, everything it created removed",
		 d.conf.instance);
	return 0;
}
