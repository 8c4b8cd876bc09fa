// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * srfdctl: show and follow srfdd state over its control socket.
 *   srfdctl [-j] [-p] [-i INSTANCE | -s SOCKET] session show
 *   srfdctl [-j] [-p] [-i INSTANCE | -s SOCKET] prefix show
 *   srfdctl [-j] [-p] [-i INSTANCE | -s SOCKET] stats show
 *   srfdctl [-j] [-p] [-i INSTANCE | -s SOCKET] monitor
 *   srfdctl [-i INSTANCE | -s SOCKET] reload
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <srfd/srfd.h>

#include "output.h"
#include "session.h"

#define CTL_TIMEOUT_S	5	/* for an answer from srfdd */

struct ctl_opts {
	char socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct srfd_out out;
};

static int ctl_connect(const struct ctl_opts *o, unsigned int op)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct srfd_ctl_hdr req = { .op = op };
	int fd;

	struct timeval tv = { .tv_sec = CTL_TIMEOUT_S };

	strcpy(sun.sun_path, o->socket);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	/* a stopped or wedged srfdd must not hang us (monitor waits forever) */
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (op != SRFD_CTL_MONITOR)
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		fprintf(stderr, "srfdctl: cannot reach srfdd at %s: %s\n",
			o->socket, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req)) {
		fprintf(stderr, "srfdctl: %s: %s\n", o->socket, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Receive one record; returns its op, 0 on EOF, -1 on error. */
static int ctl_recv(int fd, void *buf, size_t len, size_t *got)
{
	ssize_t n = recv(fd, buf, len, 0);

	if (n < 0) {
		if (errno == EAGAIN)
			fprintf(stderr, "srfdctl: srfdd did not answer within %d s "
				"(stopped or overloaded?)\n", CTL_TIMEOUT_S);
		else
			fprintf(stderr, "srfdctl: receive: %s\n", strerror(errno));
		return -1;
	}
	if (n == 0)
		return 0;
	if ((size_t)n < sizeof(struct srfd_ctl_hdr)) {
		fprintf(stderr, "srfdctl: short record from srfdd\n");
		return -1;
	}
	*got = n;
	return ((struct srfd_ctl_hdr *)buf)->op;
}

struct ctl_printer {
	void (*begin)(struct srfd_out *out);	/* once connected */
	void (*record)(struct srfd_out *out, const void *rec);
	void (*end)(struct srfd_out *out);
	unsigned int rec_op;			/* records of this op ... */
	size_t rec_len;				/* ... and size only */
};

/* A name field of a record, NUL-terminated whatever srfdd sent. */
static void ctl_name(char dst[SRFD_NAME_LEN + 1], const char *src)
{
	memcpy(dst, src, SRFD_NAME_LEN);
	dst[SRFD_NAME_LEN] = '\0';
}

/*
 * Send request @op and hand every record to @p until SRFD_CTL_END. Nothing
 * is printed on stdout if srfdd cannot be reached. Returns the exit status.
 */
static int ctl_request(struct ctl_opts *o, unsigned int op,
		       const struct ctl_printer *p)
{
	union {
		struct srfd_ctl_hdr hdr;
		struct srfd_ctl_session s;
		struct srfd_ctl_counter c;
		struct srfd_ctl_prefix p;
		struct srfd_ctl_msg m;
	} rec;
	size_t got;
	int fd, rop, ret = 1, begun = 0;

	fd = ctl_connect(o, op);
	if (fd < 0)
		return 1;
	/* nothing on stdout until srfdd has answered at all */
	while ((rop = ctl_recv(fd, &rec, sizeof(rec), &got)) > 0) {
		if (!begun++)
			p->begin(&o->out);
		if (rop == SRFD_CTL_END) {
			ret = 0;
			break;
		}
		if (rop == SRFD_CTL_ERROR) {
			fprintf(stderr, "srfdctl: srfdd: %s\n",
				strerror(-rec.hdr.status));
			break;
		}
		if (rop == (int)p->rec_op && got == p->rec_len)
			p->record(&o->out, &rec);
	}
	if (begun)
		p->end(&o->out);
	if (rop == 0)
		fprintf(stderr, "srfdctl: srfdd closed the connection early\n");
	close(fd);
	return ret;
}

static const char *const session_keys[] = {
	"name", "state", "interface", "interval_us", "multiplier", "probes_tx",
	"probes_rx", "last_rtt_us", "downs", "down_reason", "last_change_ns",
	NULL,
};
static const int session_widths[] = { 16, 7, 15, 11, 10, 12, 12, 11, 6, 14, 16 };

static void print_session(struct srfd_out *o, const void *rec)
{
	const struct srfd_ctl_session *s = rec;
	char name[SRFD_NAME_LEN + 1], ifname[SRFD_IFNAME_LEN + 8];
	int w = 0;

	ctl_name(name, s->name);
	memcpy(ifname, s->ifname, sizeof(s->ifname));
	ifname[sizeof(s->ifname)] = '\0';
	if (!s->ifindex)
		snprintf(ifname + strlen(ifname), sizeof(ifname) - strlen(ifname),
			 "(gone)");
	out_object_open(o);
	out_str(o, "name", session_widths[w++], name);
	out_str(o, "state", session_widths[w++], srfd_state_name(s->state));
	out_str(o, "interface", session_widths[w++], ifname);
	out_u64(o, "interval_us", session_widths[w++], s->interval_us);
	out_u64(o, "multiplier", session_widths[w++], s->multiplier);
	out_u64(o, "probes_tx", session_widths[w++], s->probes_tx);
	out_u64(o, "probes_rx", session_widths[w++], s->probes_rx);
	out_u64(o, "last_rtt_us", session_widths[w++], s->last_rtt_us);
	out_u64(o, "downs", session_widths[w++], s->downs);
	out_str(o, "down_reason", session_widths[w++],
		srfd_down_reason_name(s->down_reason));
	out_u64(o, "last_change_ns", session_widths[w++], s->last_change_ns);
	out_object_close(o);
	out_record_end(o);
}

static void sessions_begin(struct srfd_out *o)
{
	out_text_header(o, session_keys, session_widths);
	out_array_open(o);
}

static int cmd_session_show(struct ctl_opts *o)
{
	static const struct ctl_printer p = {
		sessions_begin, print_session, out_array_close,
		SRFD_CTL_SESSION_REC, sizeof(struct srfd_ctl_session),
	};

	return ctl_request(o, SRFD_CTL_SESSION_SHOW, &p);
}

static void print_counter(struct srfd_out *o, const void *rec)
{
	const struct srfd_ctl_counter *c = rec;
	char name[SRFD_NAME_LEN + 1];

	ctl_name(name, c->name);
	out_u64(o, name, 0, c->value);
	out_record_end(o);
}

static int cmd_stats_show(struct ctl_opts *o)
{
	static const struct ctl_printer p = {
		out_object_open, print_counter, out_object_close,
		SRFD_CTL_COUNTER_REC, sizeof(struct srfd_ctl_counter),
	};

	return ctl_request(o, SRFD_CTL_STATS_SHOW, &p);
}

static void print_prefix(struct srfd_out *o, const void *rec)
{
	const struct srfd_ctl_prefix *p = rec;
	char addr[INET6_ADDRSTRLEN], prefix[INET6_ADDRSTRLEN + 4];
	char sids[2][SRFD_MAX_ENCAP_SEGS][INET6_ADDRSTRLEN];
	char guards[SRFD_MAX_GUARDS][SRFD_NAME_LEN + 1];
	const char *sidp[2][SRFD_MAX_ENCAP_SEGS], *gp[SRFD_MAX_GUARDS];
	unsigned int l, i;

	if (p->nguards > SRFD_MAX_GUARDS || p->nsegs[0] > SRFD_MAX_ENCAP_SEGS ||
	    p->nsegs[1] > SRFD_MAX_ENCAP_SEGS)
		return;
	inet_ntop(AF_INET6, p->addr, addr, sizeof(addr));
	snprintf(prefix, sizeof(prefix), "%s/%u", addr, p->prefixlen);
	for (l = 0; l < 2; l++)
		for (i = 0; i < p->nsegs[l]; i++) {
			inet_ntop(AF_INET6, p->segs[l][i], sids[l][i],
				  sizeof(sids[l][i]));
			sidp[l][i] = sids[l][i];
		}
	for (i = 0; i < p->nguards; i++) {
		ctl_name(guards[i], p->guards[i]);
		gp[i] = guards[i];
	}
	out_object_open(o);
	out_str(o, "prefix", 0, prefix);
	out_str(o, "active", 0, srfd_list_name(p->active));
	out_str_list(o, "primary", sidp[0], p->nsegs[0]);
	out_str_list(o, "backup", sidp[1], p->nsegs[1]);
	out_str_list(o, "guards", gp, p->nguards);
	out_u64(o, "switches", 0, p->switches);
	out_u64(o, "last_switch_ns", 0, p->last_switch_ns);
	out_u64(o, "hold_down_ms", 0, p->hold_ns / 1000000);
	out_u64(o, "packets_primary", 0, p->packets[0]);
	out_u64(o, "bytes_primary", 0, p->bytes[0]);
	out_u64(o, "packets_backup", 0, p->packets[1]);
	out_u64(o, "bytes_backup", 0, p->bytes[1]);
	out_object_close(o);
	out_record_end(o);
}

static int cmd_prefix_show(struct ctl_opts *o)
{
	static const struct ctl_printer p = {
		out_array_open, print_prefix, out_array_close,
		SRFD_CTL_PREFIX_REC, sizeof(struct srfd_ctl_prefix),
	};

	return ctl_request(o, SRFD_CTL_PREFIX_SHOW, &p);
}

/* srfdd's own notices: event type name; ok = new_state (1 good, 0 bad) */
static const char *const notice_names[] = {
	[SRFD_EV_ADOPT] = "adopted", [SRFD_EV_REPAIR] = "repaired",
	[SRFD_EV_LINK] = "link", [SRFD_EV_CLOCK] = "clock",
	[SRFD_EV_RELOAD] = "reload",
};

static void print_event(struct srfd_out *o, const struct srfd_ctl_event *rec,
			const char *name)
{
	char detail[SRFD_DETAIL_LEN + 1];

	memcpy(detail, rec->detail, SRFD_DETAIL_LEN);
	detail[SRFD_DETAIL_LEN] = '\0';
	if (rec->ev.type == SRFD_EV_SWITCH) {
		out_str(o, "event", 0, "switch");
		out_str(o, "prefix", 0, name);
		out_str(o, "old_active", 0, srfd_list_name(rec->ev.old_state));
		out_str(o, "active", 0, srfd_list_name(rec->ev.new_state));
		out_u64(o, "ts_ns", 0, rec->ev.ts_ns);
	} else if (rec->ev.type == SRFD_EV_STATE) {
		out_str(o, "event", 0, "state");
		out_str(o, "name", 0, name);
		out_str(o, "old_state", 0, srfd_state_name(rec->ev.old_state));
		out_str(o, "state", 0, srfd_state_name(rec->ev.new_state));
		if (rec->ev.new_state != SRFD_STATE_UP)
			out_str(o, "reason", 0, srfd_down_reason_name(rec->ev.reason));
		out_u64(o, "ts_ns", 0, rec->ev.ts_ns);
		out_u64(o, "tx_seq", 0, rec->ev.tx_seq);
		out_u64(o, "rx_seq", 0, rec->ev.rx_seq);
	} else if (rec->ev.type < sizeof(notice_names) / sizeof(notice_names[0]) &&
		   notice_names[rec->ev.type]) {
		out_str(o, "event", 0, notice_names[rec->ev.type]);
		out_str(o, "name", 0, name);
		out_str(o, "ok", 0, rec->ev.new_state ? "true" : "false");
		out_str(o, "detail", 0, detail);
		out_u64(o, "ts_ns", 0, rec->ev.ts_ns);
	} else {
		out_str(o, "event", 0, "unknown");
		out_u64(o, "type", 0, rec->ev.type);
	}
}

static void print_msg(struct srfd_out *o, const void *rec)
{
	const struct srfd_ctl_msg *m = rec;

	fprintf(o->f, "%.*s\n", (int)sizeof(m->text), m->text);
}

static void no_frame(struct srfd_out *o)
{
	(void)o;
}

/* `reload`: srfdd answers with message lines (every error), then END/ERROR. */
static int cmd_reload(struct ctl_opts *o)
{
	static const struct ctl_printer p = {
		no_frame, print_msg, no_frame,
		SRFD_CTL_MSG_REC, sizeof(struct srfd_ctl_msg),
	};

	return ctl_request(o, SRFD_CTL_RELOAD, &p);
}

static int cmd_monitor(struct ctl_opts *o)
{
	struct srfd_ctl_event rec;
	char name[SRFD_EVENT_NAME_LEN + 1];
	size_t got;
	int fd, op;

	fd = ctl_connect(o, SRFD_CTL_MONITOR);
	if (fd < 0)
		return 1;
	while ((op = ctl_recv(fd, &rec, sizeof(rec), &got)) > 0) {
		if (op != SRFD_CTL_EVENT_REC || got != sizeof(rec))
			continue;
		memcpy(name, rec.name, sizeof(rec.name));
		name[sizeof(rec.name)] = '\0';
		out_object_open(&o->out);
		print_event(&o->out, &rec, name);
		out_object_close(&o->out);
		out_record_end(&o->out);
		fflush(o->out.f);
	}
	close(fd);
	if (op == 0) {
		fprintf(stderr, "srfdctl: srfdd went away\n");
		return 1;
	}
	return 1;
}

struct command {
	const char *object;
	const char *verb;	/* NULL: the object is the whole command */
	int (*run)(struct ctl_opts *o);
};

static const struct command commands[] = {
	{ "session", "show", cmd_session_show },
	{ "stats", "show", cmd_stats_show },
	{ "prefix", "show", cmd_prefix_show },
	{ "monitor", NULL, cmd_monitor },
	{ "reload", NULL, cmd_reload },
	{ 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: srfdctl [OPTIONS] session show\n"
		"       srfdctl [OPTIONS] prefix show\n"
		"       srfdctl [OPTIONS] stats show\n"
		"       srfdctl [OPTIONS] monitor\n"
		"       srfdctl [OPTIONS] reload\n"
		"Options:\n"
		"  -j, --json             JSON output\n"
		"  -p, --pretty           indent JSON\n"
		"  -i, --instance NAME    talk to instance NAME (/run/srfd/NAME.sock)\n"
		"  -s, --socket PATH      control socket path\n"
		"  -h, --help             this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "instance", required_argument, NULL, 'i' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ctl_opts o = { 0 };
	const struct command *c;
	int json = 0, pretty = 0, opt;
	const char *verb;

	strcpy(o.socket, "/run/srfd/default.sock");
	while ((opt = getopt_long(argc, argv, "+jpi:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = 1;
			break;
		case 'p':
			pretty = 1;
			break;
		case 'i':
		case 's':
			if ((opt == 'i' ? strlen(optarg) + 15 : strlen(optarg)) >=
			    sizeof(o.socket)) {
				fprintf(stderr, "srfdctl: '%s' is too long\n", optarg);
				return 2;
			}
			if (opt == 'i')
				snprintf(o.socket, sizeof(o.socket),
					 "/run/srfd/%s.sock", optarg);
			else
				strcpy(o.socket, optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	out_init(&o.out, stdout, json, pretty);
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	verb = optind + 1 < argc ? argv[optind + 1] : NULL;
	for (c = commands; c->object; c++) {
		if (strcmp(c->object, argv[optind]))
			continue;
		if (c->verb && verb && strcmp(c->verb, verb))
			continue;
		if (optind + 1 + (c->verb ? 1 : 0) < argc && !(c->verb && !verb)) {
			fprintf(stderr, "srfdctl: unexpected argument '%s'\n",
				argv[optind + 1 + (c->verb ? 1 : 0)]);
			return 2;
		}
		return c->run(&o);
	}
	fprintf(stderr, "srfdctl: unknown command '%s%s%s'\n", argv[optind],
		verb ? " " : "", verb ? verb : "");
	usage(stderr);
	return 2;
}
