// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * srfdctl: show, follow and change srfdd state over its control socket.
 * Commands may be abbreviated as with ip(8): the first command in the table
 * that starts with what was typed wins (`srfdctl s` is `session show`).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <srfd/srfd.h>

#include "metrics.h"
#include "output.h"
#include "session.h"

#define CTL_TIMEOUT_S	5	/* for an answer from srfdd */
#define MAX_MSGS	64	/* message lines kept for the end of a reply */

enum format { FMT_TEXT, FMT_JSON, FMT_PROMETHEUS };

struct ctl_opts {
	char socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *instance;	/* label for metrics */
	struct srfd_out out;
	enum format fmt;
	const char *arg;	/* a command's argument (a session name) */
	const char *textfile;	/* -o prometheus into this file */
	struct srfd_ctl_hello hello;	/* who answered */
};

union ctl_rec {
	struct srfd_ctl_hdr hdr;
	struct srfd_ctl_hello hello;
	struct srfd_ctl_session s;
	struct srfd_ctl_counter c;
	struct srfd_ctl_prefix p;
	struct srfd_ctl_msg m;
	struct srfd_ctl_event e;
	__u8 raw[1024];		/* room to notice a record that is too big */
};

/* The size of each record this srfdctl knows; 0: unknown. */
static size_t rec_size(unsigned int op)
{
	switch (op) {
	case SRFD_CTL_HELLO_REC:
		return sizeof(struct srfd_ctl_hello);
	case SRFD_CTL_SESSION_REC:
		return sizeof(struct srfd_ctl_session);
	case SRFD_CTL_EVENT_REC:
		return sizeof(struct srfd_ctl_event);
	case SRFD_CTL_COUNTER_REC:
		return sizeof(struct srfd_ctl_counter);
	case SRFD_CTL_PREFIX_REC:
		return sizeof(struct srfd_ctl_prefix);
	case SRFD_CTL_MSG_REC:
		return sizeof(struct srfd_ctl_msg);
	case SRFD_CTL_END:
	case SRFD_CTL_ERROR:
		return sizeof(struct srfd_ctl_hdr);
	}
	return 0;
}

static int ctl_connect(const struct ctl_opts *o, unsigned int op)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct srfd_ctl_req req = { .hdr.op = op, .proto = SRFD_CTL_PROTO };
	struct timeval tv = { .tv_sec = CTL_TIMEOUT_S };
	int fd;

	if (o->arg)	/* NUL-padded; a name may fill it (checked by main) */
		memcpy(req.arg, o->arg, strnlen(o->arg, sizeof(req.arg)));
	strcpy(sun.sun_path, o->socket);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	/* a stopped or wedged srfdd must not hang us (monitor waits forever) */
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
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

/*
 * Receive one record: its op, 0 on EOF, -1 on error (said on stderr). The
 * first record must be srfdd's HELLO of our protocol; any record this
 * srfdctl does not know is an error, never silently skipped: a CLI and
 * daemon of different releases must fail loudly.
 */
static int ctl_recv(struct ctl_opts *o, int fd, union ctl_rec *rec,
		    int *first)
{
	ssize_t n = recv(fd, rec, sizeof(*rec), 0);
	unsigned int op;

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
	op = rec->hdr.op;
	if (*first) {
		*first = 0;
		if (op != SRFD_CTL_HELLO_REC || (size_t)n != sizeof(rec->hello)) {
			fprintf(stderr, "srfdctl: srfdd at %s did not say its version "
				"(it is older than this srfdctl %s, control protocol "
				"%u): use the srfdctl of its release, or restart "
				"srfdd after the upgrade\n", o->socket, SRFD_VERSION,
				SRFD_CTL_PROTO);
			return -1;
		}
		o->hello = rec->hello;
		o->hello.version[sizeof(o->hello.version) - 1] = '\0';
		if (rec->hello.proto != SRFD_CTL_PROTO) {
			fprintf(stderr, "srfdctl: srfdd %s speaks control protocol "
				"%u, this srfdctl %s speaks %u: use the srfdctl of "
				"the running srfdd's release, or restart srfdd\n",
				o->hello.version, rec->hello.proto, SRFD_VERSION,
				SRFD_CTL_PROTO);
			return -1;
		}
		return op;
	}
	if (rec_size(op) != (size_t)n || op == SRFD_CTL_HELLO_REC) {
		fprintf(stderr, "srfdctl: srfdd %s sent a record this srfdctl %s "
			"does not know (type %u, %zd bytes): are they from "
			"different releases?\n", o->hello.version, SRFD_VERSION,
			op, n);
		return -1;
	}
	return op;
}

typedef void (*record_fn)(struct ctl_opts *o, const union ctl_rec *rec,
			  void *ctx);

/* How a reply is printed: framing around its records (may be NULL). */
struct printer {
	void (*begin)(struct srfd_out *out);	/* once srfdd answered */
	record_fn record;
	void (*end)(struct srfd_out *out);
};

/*
 * Send request @op and hand every record to @p until SRFD_CTL_END. What @p
 * prints reaches stdout only if the whole answer arrived: a script or jq
 * never sees half a table, or an empty one from a failed request. Message
 * lines go to stdout (a reload's errors are its output), or to stderr when
 * the request was refused as such. Returns the exit status.
 */
static int ctl_request(struct ctl_opts *o, unsigned int op,
		       const struct printer *p, void *ctx)
{
	char msgs[MAX_MSGS][sizeof(((struct srfd_ctl_msg *)0)->text) + 1];
	int fd, rop, ret = 1, first = 1, status = 0;
	unsigned int nmsg = 0, i;
	FILE *real = o->out.f;
	char *buf = NULL;
	size_t buflen = 0;
	union ctl_rec rec;

	fd = ctl_connect(o, op);
	if (fd < 0)
		return 1;
	if (p) {
		o->out.f = open_memstream(&buf, &buflen);
		if (!o->out.f) {
			perror("srfdctl");
			close(fd);
			return 1;
		}
	}
	while ((rop = ctl_recv(o, fd, &rec, &first)) > 0) {
		if (rop == SRFD_CTL_HELLO_REC && p && p->begin)
			p->begin(&o->out);
		if (rop == SRFD_CTL_END) {
			ret = 0;
			break;
		}
		if (rop == SRFD_CTL_ERROR) {
			status = rec.hdr.status;
			break;
		}
		if (rop == SRFD_CTL_MSG_REC) {
			if (nmsg < MAX_MSGS) {
				memcpy(msgs[nmsg], rec.m.text, sizeof(rec.m.text));
				msgs[nmsg++][sizeof(rec.m.text)] = '\0';
			}
		} else if (rop != SRFD_CTL_HELLO_REC && p && p->record) {
			p->record(o, &rec, ctx);
		}
	}
	close(fd);
	if (p) {
		if (p->end)
			p->end(&o->out);
		fclose(o->out.f);
		o->out.f = real;
		if (!ret)
			fwrite(buf, 1, buflen, real);
		free(buf);
	}
	if (rop == 0)
		fprintf(stderr, "srfdctl: srfdd closed the connection early\n");
	for (i = 0; i < nmsg; i++)
		fprintf(status == -EPERM || status == -EPROTO || status == -ENOENT ?
			stderr : stdout, "%s\n", msgs[i]);
	if (status)
		fprintf(stderr, "srfdctl: srfdd: %s\n", strerror(-status));
	return ret;
}

/* A name field of a record, NUL-terminated whatever srfdd sent. */
static void ctl_name(char dst[SRFD_NAME_LEN + 1], const char *src)
{
	memcpy(dst, src, SRFD_NAME_LEN);
	dst[SRFD_NAME_LEN] = '\0';
}

/* CLOCK_MONOTONIC @ns of srfdd's host as wall-clock ns, from its HELLO. */
static __u64 to_real_ns(const struct ctl_opts *o, __u64 ns)
{
	return o->hello.real_ns - (o->hello.mono_ns - ns);
}

/* RFC 3339, UTC, milliseconds. */
static void fmt_rfc3339(char *buf, size_t len, __u64 real_ns)
{
	time_t sec = real_ns / 1000000000ULL;
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03uZ",
		 (unsigned int)(real_ns % 1000000000ULL / 1000000));
}

/* How long ago, as people read it: 45.2s, 12m05s, 3h07m, 4d02h. */
static void fmt_age(char *buf, size_t len, __u64 ns)
{
	__u64 s = ns / 1000000000ULL;

	if (s < 60)
		snprintf(buf, len, "%.1fs", ns / 1e9);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", s / 3600, s / 60 % 60);
	else
		snprintf(buf, len, "%llud%02lluh", s / 86400, s / 3600 % 24);
}

/* `session show` ------------------------------------------------------ */

static const char *const session_keys[] = {
	"name", "state", "since", "last_down", "interface", "neighbor",
	"interval_us", "mult", "probes_tx", "probes_rx", "rtt_us", "downs",
	"segments", NULL,
};
static const int session_widths[] = { 16, 10, 8, 14, 12, 24, 11, 4, 10, 10,
				      7, 5, 1 };

struct session_view {
	char name[SRFD_NAME_LEN + 1];
	char ifname[SRFD_IFNAME_LEN + 8];
	char neighbor[INET6_ADDRSTRLEN];
	char segs[SRFD_MAX_PATH_SEGS][INET6_ADDRSTRLEN];
	const char *segp[SRFD_MAX_PATH_SEGS];
	char segs_joined[SRFD_MAX_PATH_SEGS * INET6_ADDRSTRLEN];
	unsigned int nsegs;
	int changed;		/* last_change_ns is set */
	__u64 age_ns;		/* in this state for */
};

static void session_view(const struct ctl_opts *o,
			 const struct srfd_ctl_session *s,
			 struct session_view *v)
{
	unsigned int i;

	ctl_name(v->name, s->name);
	memcpy(v->ifname, s->ifname, sizeof(s->ifname));
	v->ifname[sizeof(s->ifname)] = '\0';
	if (!s->ifindex)
		strcat(v->ifname, "(gone)");
	inet_ntop(AF_INET6, s->neighbor, v->neighbor, sizeof(v->neighbor));
	v->nsegs = s->nsegs <= SRFD_MAX_PATH_SEGS ? s->nsegs : 0;
	v->segs_joined[0] = '\0';
	for (i = 0; i < v->nsegs; i++) {
		inet_ntop(AF_INET6, s->segs[i], v->segs[i], sizeof(v->segs[i]));
		v->segp[i] = v->segs[i];
		if (i)
			strcat(v->segs_joined, ",");
		strcat(v->segs_joined, v->segs[i]);
	}
	v->changed = s->last_change_ns != 0;
	v->age_ns = v->changed && o->hello.mono_ns > s->last_change_ns ?
		    o->hello.mono_ns - s->last_change_ns : 0;
}

static void print_session(struct ctl_opts *o, const union ctl_rec *rec,
			  void *ctx)
{
	const struct srfd_ctl_session *s = &rec->s;
	struct srfd_out *out = &o->out;
	char age[24] = "-", when[40];
	struct session_view v;
	int w = 0;

	(void)ctx;
	session_view(o, s, &v);
	if (v.changed)
		fmt_age(age, sizeof(age), v.age_ns);
	out_object_open(out);
	out_str(out, "name", session_widths[w++], v.name);
	out_str(out, "state", session_widths[w++], srfd_state_name(s->state));
	if (!out->json) {
		out_str(out, "since", session_widths[w++], age);
		out_str(out, "last_down", session_widths[w++],
			s->downs || s->state != SRFD_STATE_UP ?
			srfd_down_reason_name(s->down_reason) : "-");
	} else {
		w += 2;
	}
	out_str(out, "interface", session_widths[w++], v.ifname);
	out_str(out, "neighbor", session_widths[w++], v.neighbor);
	out_u64(out, "interval_us", session_widths[w++], s->interval_us);
	out_u64(out, "multiplier", session_widths[w++], s->multiplier);
	out_u64(out, "probes_tx", session_widths[w++], s->probes_tx);
	out_u64(out, "probes_rx", session_widths[w++], s->probes_rx);
	out_u64(out, "last_rtt_us", session_widths[w++], s->last_rtt_us);
	out_u64(out, "downs", session_widths[w++], s->downs);
	if (out->json) {
		out_str_list(out, "segments", v.segp, v.nsegs);
		out_str(out, "down_reason", 0, srfd_down_reason_name(s->down_reason));
		/* the kernel's clock, and the same moment as people and jq read it */
		out_u64(out, "last_change_ns", 0, s->last_change_ns);
		if (v.changed) {
			fmt_rfc3339(when, sizeof(when), to_real_ns(o, s->last_change_ns));
			out_str(out, "last_change", 0, when);
			out_f64(out, "in_state_s", 0, v.age_ns / 1e9, 3);
		}
		out_u64(out, "last_rx_ns", 0, s->last_rx_ns);
		if (s->last_rx_ns) {
			fmt_rfc3339(when, sizeof(when), to_real_ns(o, s->last_rx_ns));
			out_str(out, "last_rx", 0, when);
		}
		out_str(out, "source", 0, s->source == SRFD_SOURCE_BFDD ? "bfdd" :
							   "config");
	} else {
		out_str(out, "segments", session_widths[w++], v.segs_joined);
	}
	out_object_close(out);
	out_record_end(out);
}

static void sessions_begin(struct srfd_out *out)
{
	out_text_header(out, session_keys, session_widths);
	out_array_open(out);
}

static int cmd_session_show(struct ctl_opts *o)
{
	static const struct printer p = {
		sessions_begin, print_session, out_array_close,
	};

	return ctl_request(o, SRFD_CTL_SESSION_SHOW, &p, NULL);
}

static int cmd_session_disable(struct ctl_opts *o)
{
	return ctl_request(o, SRFD_CTL_SESSION_DISABLE, NULL, NULL);
}

static int cmd_session_enable(struct ctl_opts *o)
{
	return ctl_request(o, SRFD_CTL_SESSION_ENABLE, NULL, NULL);
}

/* `stats show|clear` -------------------------------------------------- */

static void print_counter(struct ctl_opts *o, const union ctl_rec *rec,
			  void *ctx)
{
	char name[SRFD_NAME_LEN + 1];

	(void)ctx;
	ctl_name(name, rec->c.name);
	out_u64(&o->out, name, 0, rec->c.value);
	out_record_end(&o->out);
}

static int cmd_stats_show(struct ctl_opts *o)
{
	static const struct printer p = {
		out_object_open, print_counter, out_object_close,
	};

	return ctl_request(o, SRFD_CTL_STATS_SHOW, &p, NULL);
}

static int cmd_stats_clear(struct ctl_opts *o)
{
	int ret = ctl_request(o, SRFD_CTL_STATS_CLEAR, NULL, NULL);

	if (!ret && !o->out.json)
		printf("counters cleared\n");
	return ret;
}

/* `prefix show` ------------------------------------------------------- */

static void print_prefix(struct ctl_opts *o, const union ctl_rec *rec,
			 void *ctx)
{
	const struct srfd_ctl_prefix *p = &rec->p;
	struct srfd_out *out = &o->out;
	char addr[INET6_ADDRSTRLEN], prefix[INET6_ADDRSTRLEN + 4], when[40];
	char sids[2][SRFD_MAX_ENCAP_SEGS][INET6_ADDRSTRLEN];
	char guards[SRFD_MAX_GUARDS][SRFD_NAME_LEN + 1];
	const char *sidp[2][SRFD_MAX_ENCAP_SEGS], *gp[SRFD_MAX_GUARDS];
	unsigned int l, i;

	(void)ctx;
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
	out_object_open(out);
	out_str(out, "prefix", 0, prefix);
	out_str(out, "active", 0, srfd_list_name(p->active));
	out_str_list(out, "primary", sidp[0], p->nsegs[0]);
	out_str_list(out, "backup", sidp[1], p->nsegs[1]);
	out_str_list(out, "guards", gp, p->nguards);
	out_u64(out, "switches", 0, p->switches);
	out_u64(out, "last_switch_ns", 0, p->last_switch_ns);
	if (out->json && p->last_switch_ns) {
		fmt_rfc3339(when, sizeof(when), to_real_ns(o, p->last_switch_ns));
		out_str(out, "last_switch", 0, when);
	}
	out_u64(out, "hold_down_ms", 0, p->hold_ns / 1000000);
	out_u64(out, "packets_primary", 0, p->packets[0]);
	out_u64(out, "bytes_primary", 0, p->bytes[0]);
	out_u64(out, "packets_backup", 0, p->packets[1]);
	out_u64(out, "bytes_backup", 0, p->bytes[1]);
	out_object_close(out);
	out_record_end(out);
}

static int cmd_prefix_show(struct ctl_opts *o)
{
	static const struct printer p = {
		out_array_open, print_prefix, out_array_close,
	};

	return ctl_request(o, SRFD_CTL_PREFIX_SHOW, &p, NULL);
}

/* `reload`, `version` ------------------------------------------------- */

/* srfdd answers with message lines (every error), then END/ERROR. */
static int cmd_reload(struct ctl_opts *o)
{
	return ctl_request(o, SRFD_CTL_RELOAD, NULL, NULL);
}

static int cmd_version(struct ctl_opts *o)
{
	int ret;

	printf("srfdctl %s (control protocol %u)\n", SRFD_VERSION, SRFD_CTL_PROTO);
	ret = ctl_request(o, SRFD_CTL_VERSION, NULL, NULL);
	if (!ret)
		printf("srfdd %s (control protocol %u, ABI %u) at %s\n",
		       o->hello.version, o->hello.proto, o->hello.abi, o->socket);
	return ret;
}

/* `monitor` ----------------------------------------------------------- */

/* srfdd's own notices: event type name; ok = new_state (1 good, 0 bad) */
static const char *const notice_names[] = {
	[SRFD_EV_ADOPT] = "adopted", [SRFD_EV_REPAIR] = "repaired",
	[SRFD_EV_LINK] = "link", [SRFD_EV_CLOCK] = "clock",
	[SRFD_EV_RELOAD] = "reload",
};

static void print_event(struct srfd_out *o, const struct srfd_ctl_event *rec,
			const char *name)
{
	char detail[SRFD_DETAIL_LEN + 1], when[40];

	memcpy(detail, rec->detail, SRFD_DETAIL_LEN);
	detail[SRFD_DETAIL_LEN] = '\0';
	fmt_rfc3339(when, sizeof(when), rec->real_ns);
	out_u64(o, "seq", 0, rec->seq);
	out_str(o, "time", 0, when);
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

static int cmd_monitor(struct ctl_opts *o)
{
	struct timeval forever = { 0 };
	char name[SRFD_EVENT_NAME_LEN + 1];
	int fd, op, first = 1;
	__u64 last_seq = 0;
	union ctl_rec rec;

	fd = ctl_connect(o, SRFD_CTL_MONITOR);
	if (fd < 0)
		return 1;
	/* the HELLO must come at once; events may take forever */
	op = ctl_recv(o, fd, &rec, &first);
	if (op == SRFD_CTL_HELLO_REC)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &forever, sizeof(forever));
	while (op > 0 && (op = ctl_recv(o, fd, &rec, &first)) > 0) {
		if (op == SRFD_CTL_ERROR) {
			fprintf(stderr, "srfdctl: srfdd: %s\n",
				strerror(-rec.hdr.status));
			break;
		}
		if (op != SRFD_CTL_EVENT_REC)
			continue;
		/* a reader must see gaps: say how many events it missed */
		if (last_seq && rec.e.seq > last_seq + 1)
			fprintf(stderr, "srfdctl: %llu event(s) lost before seq "
				"%llu (the kernel's event ring was full)\n",
				(unsigned long long)(rec.e.seq - last_seq - 1),
				(unsigned long long)rec.e.seq);
		last_seq = rec.e.seq;
		memcpy(name, rec.e.name, sizeof(rec.e.name));
		name[sizeof(rec.e.name)] = '\0';
		out_object_open(&o->out);
		print_event(&o->out, &rec.e, name);
		out_object_close(&o->out);
		out_record_end(&o->out);
		fflush(o->out.f);
	}
	close(fd);
	if (op == 0)
		fprintf(stderr, "srfdctl: srfdd went away\n");
	return 1;
}

/* `-o prometheus` ----------------------------------------------------- */

/*
 * The records of one reply, packed as srfdd sent them (ctl_recv checked
 * each size; all are multiples of 8, so the array is aligned).
 */
struct collected {
	__u8 *buf;
	size_t len, cap;
	unsigned int n;
};

static void collect(struct ctl_opts *o, const union ctl_rec *rec, void *ctx)
{
	size_t size = rec_size(rec->hdr.op);
	struct collected *c = ctx;
	__u8 *grown;

	(void)o;
	if (c->len + size > c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64 * size;
		grown = realloc(c->buf, c->cap);
		if (!grown) {
			fprintf(stderr, "srfdctl: out of memory\n");
			exit(1);
		}
		c->buf = grown;
	}
	memcpy(c->buf + c->len, rec, size);
	c->len += size;
	c->n++;
}

/*
 * --textfile: the export replaces the file whole. When srfdd did not answer
 * the file says so (srfd_daemon_up 0) rather than keep the last figures,
 * which a collector would go on serving as current.
 */
static int write_textfile(const struct ctl_opts *o, int answered,
			  const char *buf, size_t len)
{
	char err[512];

	if (srfd_textfile_write(o->textfile, buf, len, err, sizeof(err))) {
		fprintf(stderr, "srfdctl: %s\n", err);
		return 1;
	}
	if (!answered)
		fprintf(stderr, "srfdctl: %s says srfd_daemon_up 0\n", o->textfile);
	return !answered;
}

static int cmd_metrics(struct ctl_opts *o)
{
	static const struct printer p_collect = { NULL, collect, NULL };
	struct collected cs = { 0 }, cp = { 0 }, cc = { 0 };
	FILE *f = stdout;
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if (o->textfile) {
		f = open_memstream(&buf, &len);
		if (!f) {
			perror("srfdctl");
			return 1;
		}
	}
	/* all or nothing: a scrape must never see half a picture */
	ret = ctl_request(o, SRFD_CTL_SESSION_SHOW, &p_collect, &cs);
	if (!ret)
		ret = ctl_request(o, SRFD_CTL_PREFIX_SHOW, &p_collect, &cp);
	if (!ret)
		ret = ctl_request(o, SRFD_CTL_STATS_SHOW, &p_collect, &cc);
	if (!ret)
		ret = srfd_prometheus(f, o->instance, &o->hello,
				      (const void *)cs.buf, cs.n,
				      (const void *)cp.buf, cp.n,
				      (const void *)cc.buf, cc.n);
	if (o->textfile) {
		/* nothing was written to @f unless srfdd answered whole */
		if (ret)
			srfd_prometheus_down(f, o->instance);
		fclose(f);
		ret = write_textfile(o, !ret, buf, len);
		free(buf);
	}
	free(cs.buf);
	free(cp.buf);
	free(cc.buf);
	return ret;
}

/* the command table ---------------------------------------------------- */

struct command {
	const char *object;
	const char *verb;	/* NULL: the object is the whole command */
	int (*run)(struct ctl_opts *o);
	const char *arg;	/* the verb's argument, e.g. "NAME" */
	int is_default;		/* the verb taken when none is given */
};

static int cmd_help(struct ctl_opts *o);

/* In this order: an abbreviation means the first match. */
static const struct command commands[] = {
	{ "session", "show", cmd_session_show, NULL, 1 },
	{ "session", "list", cmd_session_show, NULL, 0 },
	{ "session", "disable", cmd_session_disable, "NAME", 0 },
	{ "session", "enable", cmd_session_enable, "NAME", 0 },
	{ "stats", "show", cmd_stats_show, NULL, 1 },
	{ "stats", "clear", cmd_stats_clear, NULL, 0 },
	{ "prefix", "show", cmd_prefix_show, NULL, 1 },
	{ "prefix", "list", cmd_prefix_show, NULL, 0 },
	{ "monitor", NULL, cmd_monitor, NULL, 0 },
	{ "reload", NULL, cmd_reload, NULL, 0 },
	{ "version", NULL, cmd_version, NULL, 0 },
	{ "help", NULL, cmd_help, NULL, 0 },
	{ 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: srfdctl [OPTIONS] session [show]\n"
		"       srfdctl [OPTIONS] session disable|enable NAME\n"
		"       srfdctl [OPTIONS] prefix [show]\n"
		"       srfdctl [OPTIONS] stats [show] | stats clear\n"
		"       srfdctl [OPTIONS] monitor\n"
		"       srfdctl [OPTIONS] reload | version | help\n"
		"       srfdctl [OPTIONS] -o prometheus [--textfile FILE]\n"
		"Commands may be abbreviated: `srfdctl s` is `session show`,\n"
		"`srfdctl st cl` is `stats clear`.\n"
		"Options:\n"
		"  -j, --json             JSON output (-o json)\n"
		"  -p, --pretty           indent JSON\n"
		"  -o, --output FORMAT    text, json, or prometheus (every metric,\n"
		"                         for node_exporter's textfile collector)\n"
		"      --textfile FILE    -o prometheus into FILE, replaced whole\n"
		"                         (srfd_daemon_up 0 if srfdd does not answer)\n"
		"  -i, --instance NAME    talk to instance NAME (/run/srfd/NAME.sock)\n"
		"  -s, --socket PATH      control socket path\n"
		"  -V, --version          print srfdctl's version\n"
		"  -h, --help             this text\n");
}

static int cmd_help(struct ctl_opts *o)
{
	(void)o;
	usage(stdout);
	return 0;
}

/* ip(8)'s rule: @typed abbreviates @word. */
static int matches(const char *typed, const char *word)
{
	size_t n = strlen(typed);

	return n && n <= strlen(word) && !strncmp(typed, word, n);
}

/* Find the command for argv; exit status 2 and a message if none. */
static const struct command *find_command(int argc, char **argv,
					  const char **arg)
{
	const struct command *c, *obj = NULL;
	const char *verb = argc > 1 ? argv[1] : NULL;
	int want;

	for (c = commands; c->object && !obj; c++)
		if (matches(argv[0], c->object))
			obj = c;
	if (!obj) {
		fprintf(stderr, "srfdctl: unknown command '%s' (try `srfdctl "
			"help`)\n", argv[0]);
		return NULL;
	}
	if (!obj->verb) {
		if (verb) {
			fprintf(stderr, "srfdctl: unexpected argument '%s'\n", verb);
			return NULL;
		}
		return obj;
	}
	if (verb && matches(verb, "help")) {
		fprintf(stdout, "srfdctl %s:", obj->object);
		for (c = commands; c->object; c++)
			if (!strcmp(c->object, obj->object))
				fprintf(stdout, " %s%s%s%s", c->verb, c->arg ? " " : "",
					c->arg ? c->arg : "",
					c->is_default ? " (default)" : "");
		fputc('\n', stdout);
		exit(0);
	}
	for (c = obj; c->object && !strcmp(c->object, obj->object); c++) {
		if (verb ? !matches(verb, c->verb) : !c->is_default)
			continue;
		want = 1 + (verb ? 1 : 0) + (c->arg ? 1 : 0);
		if (c->arg && argc < want) {
			fprintf(stderr, "srfdctl: %s %s needs %s\n", c->object,
				c->verb, c->arg);
			return NULL;
		}
		if (argc > want) {
			fprintf(stderr, "srfdctl: unexpected argument '%s'\n",
				argv[want]);
			return NULL;
		}
		*arg = c->arg ? argv[want - 1] : NULL;
		return c;
	}
	fprintf(stderr, "srfdctl: unknown command '%s %s' (try `srfdctl %s "
		"help`)\n", argv[0], verb, obj->object);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "textfile", required_argument, NULL, 'T' },
		{ "instance", required_argument, NULL, 'i' },
		{ "socket", required_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ctl_opts o = { .instance = "default" };
	const struct command *c;
	int pretty = 0, socket_given = 0, opt;

	strcpy(o.socket, "/run/srfd/default.sock");
	while ((opt = getopt_long(argc, argv, "+jpo:i:s:Vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			o.fmt = FMT_JSON;
			break;
		case 'p':
			pretty = 1;
			break;
		case 'o':
			if (matches(optarg, "text")) {
				o.fmt = FMT_TEXT;
			} else if (matches(optarg, "json")) {
				o.fmt = FMT_JSON;
			} else if (matches(optarg, "prometheus")) {
				o.fmt = FMT_PROMETHEUS;
			} else {
				fprintf(stderr, "srfdctl: unknown output format "
					"'%s' (text, json, prometheus)\n", optarg);
				return 2;
			}
			break;
		case 'T':
			if (!*optarg || optarg[strlen(optarg) - 1] == '/') {
				fprintf(stderr, "srfdctl: --textfile '%s': a file "
					"name is needed\n", optarg);
				return 2;
			}
			o.textfile = optarg;
			break;
		case 'i':
		case 's':
			if ((opt == 'i' ? strlen(optarg) + 15 : strlen(optarg)) >=
			    sizeof(o.socket)) {
				fprintf(stderr, "srfdctl: '%s' is too long\n", optarg);
				return 2;
			}
			/* -s names the socket whatever the order; -i then
			 * only names the instance (the metrics' label) */
			if (opt == 'i') {
				if (!socket_given)
					snprintf(o.socket, sizeof(o.socket),
						 "/run/srfd/%s.sock", optarg);
				o.instance = optarg;
			} else {
				strcpy(o.socket, optarg);
				socket_given = 1;
			}
			break;
		case 'V':
			printf("srfdctl %s (control protocol %u)\n", SRFD_VERSION,
			       SRFD_CTL_PROTO);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	out_init(&o.out, stdout, o.fmt == FMT_JSON, pretty);
	if (o.textfile && o.fmt != FMT_PROMETHEUS && o.fmt != FMT_TEXT) {
		fprintf(stderr, "srfdctl: --textfile writes the Prometheus "
			"export, not JSON\n");
		return 2;
	}
	if (o.textfile)
		o.fmt = FMT_PROMETHEUS;
	if (o.fmt == FMT_PROMETHEUS) {
		/* the metrics are one document: no command, or `stats` */
		if (optind < argc && !matches(argv[optind], "stats")) {
			fprintf(stderr, "srfdctl: -o prometheus takes no command "
				"(it reports sessions, prefixes and counters)\n");
			return 2;
		}
		return cmd_metrics(&o);
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	c = find_command(argc - optind, argv + optind, &o.arg);
	if (!c)
		return 2;
	if (o.arg && strlen(o.arg) > SRFD_NAME_LEN) {
		fprintf(stderr, "srfdctl: '%s' is longer than a session name can "
			"be (%d)\n", o.arg, SRFD_NAME_LEN);
		return 2;
	}
	return c->run(&o);
}
