// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Configuration parsing. The syntax is libconfig's (etc/srfd.conf documents
 * every key); this file maps it onto struct srfd_config and rejects anything
 * srfdd could not run with, naming the file, the line and the problem.
 * Unknown keys are errors: a typo must not silently fall back to a default.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libconfig.h>

#include "config.h"
#include "schedule.h"
#include "encap.h"

const char srfd_default_config[] =
	"# embedded default: node A of the demo topology built by bench/demo.py\n"
	"instance = \"default\";\n"
	"local_sid = \"fc00:a::bf\";\n"
	"source = \"fc00:a::1\";\n"
	"sessions = (\n"
	"  { name = \"a-b\"; interface = \"a-b\"; neighbor = \"fc00:ab::2\";\n"
	"    segments = [ \"fc00:b::e1\" ];\n"
	"    interval_us = 1000; multiplier = 3; }\n"
	");\n"
	"prefixes = (\n"
	"  { prefix = \"fc00:2::/64\";\n"
	"    primary = [ \"fc00:b::e\", \"fc00:d::d6\" ];\n"
	"    backup = [ \"fc00:c::e\", \"fc00:d::d6\" ];\n"
	"    guards = [ \"a-b\" ]; hold_down_ms = 500; hold_down_max_ms = 500; }\n"
	");\n";

/*
 * Errors accumulate, one per line: a configuration is refused as a whole
 * with everything wrong in it, not one problem per attempt. Parsing goes
 * on with the next session, prefix or reflector after a broken one.
 */
struct parse_ctx {
	const char *file;
	char *err;
	size_t errlen;
	size_t used;
	unsigned int nerr;
};

static int __attribute__((format(printf, 3, 4)))
fail(struct parse_ctx *ctx, const config_setting_t *where, const char *fmt, ...)
{
	int line = where ? (int)config_setting_source_line(where) : 0;
	const char *file = where ? config_setting_source_file(where) : NULL;
	size_t n = ctx->used;
	va_list ap;

	/* a setting from an @include'd file names that file */
	if (!file || !line)
		file = ctx->file;
	ctx->nerr++;
	if (n && n + 1 < ctx->errlen)
		ctx->err[n++] = '\n';
	/* the root group has no line: the problem is the file as a whole */
	if (n < ctx->errlen && line > 0)
		n += snprintf(ctx->err + n, ctx->errlen - n, "%s:%d: ", file, line);
	else if (n < ctx->errlen)
		n += snprintf(ctx->err + n, ctx->errlen - n, "%s: ", ctx->file);
	if (n < ctx->errlen) {
		va_start(ap, fmt);
		n += vsnprintf(ctx->err + n, ctx->errlen - n, fmt, ap);
		va_end(ap);
	}
	ctx->used = n < ctx->errlen ? n : ctx->errlen - 1;
	return -EINVAL;
}

static int check_keys(struct parse_ctx *ctx, const config_setting_t *group,
		      const char *const *known, const char *what)
{
	int i, k, n = config_setting_length(group);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, i);
		const char *name = config_setting_name(s);

		for (k = 0; known[k]; k++)
			if (!strcmp(name, known[k]))
				break;
		if (!known[k])
			return fail(ctx, s, "unknown key '%s' in %s", name, what);
	}
	return 0;
}

static int get_string(struct parse_ctx *ctx, const config_setting_t *group,
		      const char *key, char *out, size_t outlen, int required)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	const char *v;

	if (!s) {
		if (required)
			return fail(ctx, group, "missing required key '%s'", key);
		return 0;
	}
	v = config_setting_get_string(s);
	if (!v)
		return fail(ctx, s, "'%s' must be a string", key);
	if (!*v)
		return fail(ctx, s, "'%s' must not be empty", key);
	if (strlen(v) >= outlen)
		return fail(ctx, s, "'%s' is longer than %zu characters", key,
			    outlen - 1);
	strcpy(out, v);
	return 1;
}

/*
 * Why @a cannot serve as a SID, a source or a neighbour, or NULL. A
 * neighbour (@link_local_ok) is an on-link next hop and may be link-local.
 */
static const char *addr_unusable(const __u8 a[SRFD_SID_LEN], int link_local_ok)
{
	static const __u8 zero[SRFD_SID_LEN], one[SRFD_SID_LEN] = { [15] = 1 };
	static const __u8 v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (!memcmp(a, zero, SRFD_SID_LEN))
		return "the unspecified address";
	if (!memcmp(a, one, SRFD_SID_LEN))
		return "the loopback address";
	if (a[0] == 0xff)
		return "a multicast address";
	if (!memcmp(a, v4mapped, sizeof(v4mapped)))
		return "an IPv4-mapped address";
	if (!link_local_ok && a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return "a link-local address";
	return NULL;
}

/* An IPv6 address for role @what; @link_local_ok for on-link neighbours. */
static int parse_addr(struct parse_ctx *ctx, const config_setting_t *s,
		      const char *what, int link_local_ok, __u8 out[SRFD_SID_LEN])
{
	const char *v = config_setting_get_string(s), *why;

	if (!v)
		return fail(ctx, s, "%s must be a string with an IPv6 address", what);
	if (inet_pton(AF_INET6, v, out) != 1)
		return fail(ctx, s, "%s '%s' is not an IPv6 address", what, v);
	why = addr_unusable(out, link_local_ok);
	if (why)
		return fail(ctx, s, "%s '%s' is %s", what, v, why);
	return 0;
}

static int parse_ipv6(struct parse_ctx *ctx, const config_setting_t *s,
		      const char *what, __u8 out[SRFD_SID_LEN])
{
	return parse_addr(ctx, s, what, 0, out);
}

static int get_ipv6(struct parse_ctx *ctx, const config_setting_t *group,
		    const char *key, __u8 out[SRFD_SID_LEN])
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (!s)
		return fail(ctx, group, "missing required key '%s'", key);
	/* only neighbours are on-link next hops */
	return parse_addr(ctx, s, key, !strcmp(key, "neighbor"), out);
}

static int get_uint(struct parse_ctx *ctx, const config_setting_t *group,
		    const char *key, __u32 *out, __u32 def, __u32 min, __u32 max)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	long long v;

	*out = def;
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return fail(ctx, s, "'%s' must be an integer", key);
	v = config_setting_get_int64(s);
	if (v < min || v > max)
		return fail(ctx, s, "'%s' = %lld is out of range %u..%u", key, v,
			    min, max);
	*out = v;
	return 0;
}

/* Optional boolean @key of @group (default @def). */
static int get_bool(struct parse_ctx *ctx, const config_setting_t *group,
		    const char *key, int *out, int def)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	*out = def;
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return fail(ctx, s, "'%s' must be true or false", key);
	*out = config_setting_get_bool(s);
	return 0;
}

static int valid_instance(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/* A list of 1..@max SIDs under @key of @group; @owner prefixes messages. */
static int parse_sid_list(struct parse_ctx *ctx, const config_setting_t *group,
			  const char *key, const char *owner, const char *elem,
			  unsigned int max, __u8 out[][SRFD_SID_LEN],
			  unsigned int *n)
{
	const config_setting_t *l = config_setting_get_member(group, key);
	unsigned int i;
	int err;

	if (!l)
		return fail(ctx, group, "%smissing required key '%s'", owner, key);
	if (!config_setting_is_array(l) && !config_setting_is_list(l))
		return fail(ctx, l, "%s'%s' must be a list of IPv6 SIDs", owner, key);
	*n = config_setting_length(l);
	if (*n < 1 || *n > max)
		return fail(ctx, l, "%s'%s' needs 1..%u SIDs, got %u", owner, key,
			    max, *n);
	for (i = 0; i < *n; i++) {
		err = parse_ipv6(ctx, config_setting_get_elem(l, i), elem, out[i]);
		if (err)
			return err;
	}
	return 0;
}

/* The list of groups under @key holds @min..@max entries. */
static int check_group_list(struct parse_ctx *ctx, const config_setting_t *list,
			    const char *key, unsigned int min, unsigned int max,
			    unsigned int *n)
{
	unsigned int len;

	/* refused lists count as empty: later checks must not walk past max */
	*n = 0;
	if (!config_setting_is_list(list))
		return fail(ctx, list, "'%s' must be a list ( { ... }, ... )", key);
	len = config_setting_length(list);
	if (len >= min && len <= max) {
		*n = len;
		return 0;
	}
	if (!min)
		return fail(ctx, list, "'%s' holds at most %u entries, got %u",
			    key, max, len);
	return fail(ctx, list, "'%s' needs %u..%u entries, got %u", key, min,
		    max, len);
}

/* Names reach logs, JSON and terminals: no control characters, no spaces. */
static int printable_name(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f ||
		    *s == '"' || *s == '\\')
			return 0;
	return 1;
}

/*
 * What the kernel accepts as a device name (dev_valid_name(): no '/', ':'
 * or blank, not "." or ".."), minus control characters, which it would
 * take but logs and terminals must not.
 */
static int valid_ifname(const char *s)
{
	return printable_name(s) && !strchr(s, '/') && !strchr(s, ':') &&
	       strcmp(s, ".") && strcmp(s, "..");
}

/*
 * profiles = ( { name = "fast"; interval_us = 1000; multiplier = 3; } ):
 * timer defaults that sessions name instead of repeating them.
 */
static int parse_profiles(struct parse_ctx *ctx, const config_setting_t *root,
			  struct srfd_config *conf)
{
	static const char *const keys[] = {
		"name", "interval_us", "multiplier", "up_after", NULL,
	};
	const config_setting_t *list, *p;
	unsigned int i, j;
	int err;

	list = config_setting_get_member(root, "profiles");
	if (!list)
		return 0;
	err = check_group_list(ctx, list, "profiles", 1, SRFD_MAX_PROFILES,
			       &conf->nprofiles);
	if (err)
		return err;
	for (i = 0; i < conf->nprofiles; i++) {
		struct srfd_profile_conf *pc = &conf->profiles[i];

		p = config_setting_get_elem(list, i);
		if (!config_setting_is_group(p)) {
			fail(ctx, p, "each profile must be a group { ... }");
			continue;
		}
		pc->line = config_setting_source_line(p);
		if (check_keys(ctx, p, keys, "profile") ||
		    get_string(ctx, p, "name", pc->name, sizeof(pc->name), 1) < 0)
			continue;
		if (!printable_name(pc->name)) {
			fail(ctx, config_setting_get_member(p, "name"),
			     "profile name may hold only printable characters "
			     "without spaces");
			continue;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(conf->profiles[j].name, pc->name))
				fail(ctx, p, "duplicate profile name '%s' (first at line %d)",
				     pc->name, conf->profiles[j].line);
		get_uint(ctx, p, "interval_us", &pc->interval_us,
			 SRFD_DEFAULT_INTERVAL_US, SRFD_MIN_INTERVAL_US,
			 SRFD_MAX_INTERVAL_US);
		get_uint(ctx, p, "multiplier", &pc->multiplier,
			 SRFD_DEFAULT_MULTIPLIER, 1, SRFD_MAX_MULTIPLIER);
		get_uint(ctx, p, "up_after", &pc->up_after, SRFD_DEFAULT_UP_AFTER,
			 1, SRFD_MAX_UP_AFTER);
	}
	return ctx->nerr ? -EINVAL : 0;
}

const struct srfd_profile_conf *srfd_config_profile(const struct srfd_config *conf,
						    const char *name)
{
	unsigned int i;

	for (i = 0; i < conf->nprofiles; i++)
		if (!strcmp(conf->profiles[i].name, name))
			return &conf->profiles[i];
	return NULL;
}

/* bfd_dataplane = { socket = "..."; templates = ( { ... } ); } */
static int parse_bfd_dataplane(struct parse_ctx *ctx, const config_setting_t *root,
			       struct srfd_config *conf)
{
	static const char *const keys[] = { "socket", "templates", NULL };
	static const char *const tkeys[] = {
		"interface", "peer", "segments", "profile", "interval_us",
		"multiplier", NULL,
	};
	const config_setting_t *g, *list, *t;
	unsigned int i;
	int err;

	g = config_setting_get_member(root, "bfd_dataplane");
	if (!g)
		return 0;
	if (!config_setting_is_group(g))
		return fail(ctx, g, "'bfd_dataplane' must be a group { ... }");
	err = check_keys(ctx, g, keys, "bfd_dataplane");
	if (!err)
		err = get_string(ctx, g, "socket", conf->bfddp_socket,
				 sizeof(conf->bfddp_socket) - 8, 1);
	if (err < 0)
		return err;
	if (conf->bfddp_socket[0] != '/')
		return fail(ctx, config_setting_get_member(g, "socket"),
			    "bfd_dataplane socket must be an absolute path (bfdd "
			    "--dplaneaddr unix:PATH)");
	list = config_setting_get_member(g, "templates");
	if (!list)
		return fail(ctx, g, "bfd_dataplane needs 'templates'");
	err = check_group_list(ctx, list, "templates", 1, SRFD_MAX_TEMPLATES,
			       &conf->ntemplates);
	if (err)
		return err;
	for (i = 0; i < conf->ntemplates; i++) {
		struct srfd_template_conf *tc = &conf->templates[i];
		const struct srfd_profile_conf *prof = NULL;
		char prof_name[SRFD_NAME_LEN] = "";

		t = config_setting_get_elem(list, i);
		if (!config_setting_is_group(t)) {
			fail(ctx, t, "each template must be a group { ... }");
			continue;
		}
		tc->line = config_setting_source_line(t);
		if (check_keys(ctx, t, tkeys, "template"))
			continue;
		if (get_string(ctx, t, "interface", tc->ifname, sizeof(tc->ifname), 1) < 0 ||
		    get_ipv6(ctx, t, "peer", tc->peer) ||
		    parse_sid_list(ctx, t, "segments", "template: ", "segment",
				   SRFD_MAX_PATH_SEGS, tc->segs, &tc->nsegs))
			continue;
		if (!valid_ifname(tc->ifname)) {
			fail(ctx, config_setting_get_member(t, "interface"),
			     "'interface' is not a device name");
			continue;
		}
		if (get_string(ctx, t, "profile", prof_name, sizeof(prof_name), 0) < 0)
			continue;
		if (prof_name[0] && !(prof = srfd_config_profile(conf, prof_name))) {
			fail(ctx, config_setting_get_member(t, "profile"),
			     "template: unknown profile '%s'", prof_name);
			continue;
		}
		get_uint(ctx, t, "interval_us", &tc->interval_us,
			 prof ? prof->interval_us : 0, SRFD_MIN_INTERVAL_US,
			 SRFD_MAX_INTERVAL_US);
		get_uint(ctx, t, "multiplier", &tc->multiplier,
			 prof ? prof->multiplier : 0, 1, SRFD_MAX_MULTIPLIER);
	}
	return ctx->nerr ? -EINVAL : 0;
}

static int parse_session(struct parse_ctx *ctx, const config_setting_t *s,
			 const struct srfd_config *conf,
			 struct srfd_session_conf *sc)
{
	static const char *const keys[] = {
		"name", "interface", "neighbor", "segments", "interval_us",
		"multiplier", "up_after", "check_ingress", "profile", NULL,
	};
	static const struct srfd_profile_conf builtin = {
		.interval_us = SRFD_DEFAULT_INTERVAL_US,
		.multiplier = SRFD_DEFAULT_MULTIPLIER,
		.up_after = SRFD_DEFAULT_UP_AFTER,
	};
	const struct srfd_profile_conf *prof = &builtin;
	char owner[SRFD_NAME_LEN + 16];
	int err;

	if (!config_setting_is_group(s))
		return fail(ctx, s, "each session must be a group { ... }");
	sc->line = config_setting_source_line(s);
	err = check_keys(ctx, s, keys, "session");
	if (!err)
		err = get_string(ctx, s, "name", sc->name, sizeof(sc->name), 1);
	if (err > 0 && !printable_name(sc->name))
		err = fail(ctx, config_setting_get_member(s, "name"),
			   "session name may hold only printable characters "
			   "without spaces");
	if (err >= 0)
		err = get_string(ctx, s, "interface", sc->ifname,
				 sizeof(sc->ifname), 1);
	if (err > 0 && !valid_ifname(sc->ifname))
		err = fail(ctx, config_setting_get_member(s, "interface"),
			   "'interface' is not a device name: no blanks, "
			   "control characters, quotes, '/' or ':'");
	if (err >= 0)
		err = get_ipv6(ctx, s, "neighbor", sc->neighbor);
	if (err >= 0)
		err = get_string(ctx, s, "profile", sc->profile,
				 sizeof(sc->profile), 0);
	if (err >= 0 && sc->profile[0]) {
		/* the profile's timers are the defaults; the session's own win */
		prof = srfd_config_profile(conf, sc->profile);
		if (!prof)
			return fail(ctx, config_setting_get_member(s, "profile"),
				    "session '%s': unknown profile '%s'", sc->name,
				    sc->profile);
	}
	if (err >= 0)
		err = get_uint(ctx, s, "interval_us", &sc->interval_us,
			       prof->interval_us, SRFD_MIN_INTERVAL_US,
			       SRFD_MAX_INTERVAL_US);
	if (!err)
		err = get_uint(ctx, s, "multiplier", &sc->multiplier,
			       prof->multiplier, 1, SRFD_MAX_MULTIPLIER);
	if (!err)
		err = get_uint(ctx, s, "up_after", &sc->up_after,
			       prof->up_after, 1, SRFD_MAX_UP_AFTER);
	if (err < 0)
		return err;

	snprintf(owner, sizeof(owner), "session '%s': ", sc->name);
	err = parse_sid_list(ctx, s, "segments", owner, "segment",
			     SRFD_MAX_PATH_SEGS, sc->segs, &sc->nsegs);
	/*
	 * One segment is a link session: the neighbour's End.X sends the
	 * probe back over the monitored link, so that is where it must arrive.
	 * A longer path may come back on any interface unless told otherwise.
	 */
	if (!err)
		err = get_bool(ctx, s, "check_ingress", &sc->check_ingress,
			       sc->nsegs == 1);
	return err;
}

static int parse_reflectors(struct parse_ctx *ctx, const config_setting_t *root,
			    struct srfd_config *conf)
{
	static const char *const keys[] = { "sid", "neighbor", NULL };
	const config_setting_t *list, *r;
	unsigned int i, j;
	int err;

	list = config_setting_get_member(root, "reflectors");
	if (!list)
		return 0;
	err = check_group_list(ctx, list, "reflectors", 1, SRFD_MAX_REFLECTORS,
			       &conf->nreflectors);
	if (err)
		return err;
	for (i = 0; i < conf->nreflectors; i++) {
		struct srfd_reflector_conf *rc = &conf->reflectors[i];

		r = config_setting_get_elem(list, i);
		if (!config_setting_is_group(r))
			return fail(ctx, r, "each reflector must be a group { ... }");
		rc->line = config_setting_source_line(r);
		err = check_keys(ctx, r, keys, "reflector");
		if (!err)
			err = get_ipv6(ctx, r, "sid", rc->sid);
		if (!err)
			err = get_ipv6(ctx, r, "neighbor", rc->nexthop);
		for (j = 0; !err && j < i; j++)
			if (!memcmp(conf->reflectors[j].sid, rc->sid, SRFD_SID_LEN))
				err = fail(ctx, r, "duplicate reflector sid (first at line %d)",
					   conf->reflectors[j].line);
	}
	return ctx->nerr ? -EINVAL : 0;
}

void srfd_prefix_format(const struct srfd_prefix_conf *pc, char *buf,
			size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, pc->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, pc->plen);
}

static int prefixes_overlap(const struct srfd_prefix_conf *a,
			    const struct srfd_prefix_conf *b);

/* Multicast and link-local space is never routed through an SRv6 tunnel. */
static int prefix_routable(struct parse_ctx *ctx, const config_setting_t *s,
			   const struct srfd_prefix_conf *pc, const char *text)
{
	static const struct srfd_prefix_conf mcast = { .addr = { 0xff }, .plen = 8 };
	static const struct srfd_prefix_conf ll = { .addr = { 0xfe, 0x80 }, .plen = 10 };
	static const struct srfd_prefix_conf lo = { .addr = { [15] = 1 }, .plen = 128 };

	if (prefixes_overlap(pc, &mcast))
		return fail(ctx, s, "prefix '%s' overlaps multicast ff00::/8", text);
	if (prefixes_overlap(pc, &ll))
		return fail(ctx, s, "prefix '%s' overlaps link-local fe80::/10", text);
	if (prefixes_overlap(pc, &lo))
		return fail(ctx, s, "prefix '%s' holds the loopback address", text);
	return 0;
}

static int parse_cidr6(struct parse_ctx *ctx, const config_setting_t *s,
		       struct srfd_prefix_conf *pc)
{
	const char *v = config_setting_get_string(s);
	char addr[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned int i;
	long plen;

	if (!v)
		return fail(ctx, s, "prefix must be a string like \"2001:db8::/48\"");
	if (strlen(v) >= sizeof(addr))
		return fail(ctx, s, "prefix '%s' is not an IPv6 prefix", v);
	strcpy(addr, v);
	slash = strchr(addr, '/');
	if (!slash)
		return fail(ctx, s, "prefix '%s' has no /length", v);
	*slash = '\0';
	plen = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1 || slash[1] < '0' || slash[1] > '9' ||
	    plen < 1 || plen > 128)
		return fail(ctx, s, "prefix '%s': length must be 1..128", v);
	if (inet_pton(AF_INET6, addr, pc->addr) != 1)
		return fail(ctx, s, "prefix '%s' is not an IPv6 prefix", v);
	pc->plen = plen;
	for (i = plen; i < 128; i++)
		if (pc->addr[i / 8] & (0x80 >> (i % 8)))
			return fail(ctx, s, "prefix '%s' has bits set after /%ld", v, plen);
	return prefix_routable(ctx, s, pc, v);
}

static int prefixes_overlap(const struct srfd_prefix_conf *a,
			    const struct srfd_prefix_conf *b)
{
	unsigned int i, plen = a->plen < b->plen ? a->plen : b->plen;

	for (i = 0; i < plen; i++)
		if ((a->addr[i / 8] ^ b->addr[i / 8]) & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

int srfd_config_session_index(const struct srfd_config *conf, const char *name)
{
	unsigned int i;

	for (i = 0; i < conf->nsessions; i++)
		if (!strcmp(conf->sessions[i].name, name))
			return i;
	return -1;
}

static int parse_guards(struct parse_ctx *ctx, const config_setting_t *group,
			struct srfd_config *conf, struct srfd_prefix_conf *pc)
{
	const config_setting_t *l = config_setting_get_member(group, "guards");
	unsigned int i, j;
	int idx;

	if (!l)
		return fail(ctx, group, "missing required key 'guards'");
	if (!config_setting_is_array(l) && !config_setting_is_list(l))
		return fail(ctx, l, "'guards' must be a list of session names");
	pc->nguards = config_setting_length(l);
	if (pc->nguards < 1 || pc->nguards > SRFD_MAX_GUARDS)
		return fail(ctx, l, "'guards' needs 1..%d sessions, got %u",
			    SRFD_MAX_GUARDS, pc->nguards);
	for (i = 0; i < pc->nguards; i++) {
		const config_setting_t *g = config_setting_get_elem(l, i);
		const char *name = config_setting_get_string(g);

		if (!name)
			return fail(ctx, g, "guards must be session names (strings)");
		idx = srfd_config_session_index(conf, name);
		if (idx < 0)
			return fail(ctx, g, "guard '%s' is not a configured session", name);
		pc->guards[i] = idx;
		for (j = 0; j < i; j++)
			if (pc->guards[j] == pc->guards[i])
				return fail(ctx, g, "guard '%s' listed twice", name);
	}
	return 0;
}

static int addr_in_prefix(const __u8 *addr, const struct srfd_prefix_conf *p)
{
	struct srfd_prefix_conf host = { .plen = 128 };

	memcpy(host.addr, addr, SRFD_SID_LEN);
	return prefixes_overlap(&host, p);
}

/*
 * An address srfd sends to inside a protected prefix would be encapsulated
 * by srfd itself: a SID forever, a probe (segments, neighbour) so that the
 * session never comes up, local_sid/source so that returns never arrive.
 */
static int outside_prefixes(struct parse_ctx *ctx, const config_setting_t *where,
			    const struct srfd_config *conf, const __u8 *addr,
			    const char *what)
{
	char a[64], text[INET6_ADDRSTRLEN];
	unsigned int j;

	for (j = 0; j < conf->nprefixes; j++) {
		if (!conf->prefixes[j].plen || !addr_in_prefix(addr, &conf->prefixes[j]))
			continue;
		inet_ntop(AF_INET6, addr, text, sizeof(text));
		srfd_prefix_format(&conf->prefixes[j], a, sizeof(a));
		return fail(ctx, where, "%s %s lies inside protected prefix %s",
			    what, text, a);
	}
	return 0;
}

static int sids_outside_prefixes(struct parse_ctx *ctx,
				 const config_setting_t *root,
				 const config_setting_t *list,
				 const struct srfd_config *conf)
{
	const config_setting_t *sessions = config_setting_get_member(root, "sessions");
	unsigned int i, l, k;
	int err = 0;

	for (i = 0; !err && i < conf->nprefixes; i++)
		for (l = 0; !err && l < 2; l++)
			for (k = 0; !err && k < conf->prefixes[i].nsegs[l]; k++)
				err = outside_prefixes(ctx, config_setting_get_elem(list, i),
						       conf, conf->prefixes[i].segs[l][k],
						       "SID");
	for (i = 0; !err && i < conf->nsessions; i++) {
		const struct srfd_session_conf *sc = &conf->sessions[i];
		const config_setting_t *where = config_setting_get_elem(sessions, i);

		err = outside_prefixes(ctx, where, conf, sc->neighbor, "neighbor");
		for (k = 0; !err && k < sc->nsegs; k++)
			err = outside_prefixes(ctx, where, conf, sc->segs[k],
					       "probe segment");
	}
	if (!err)
		err = outside_prefixes(ctx, config_setting_get_member(root, "local_sid"),
				       conf, conf->local_sid, "local_sid");
	if (!err)
		err = outside_prefixes(ctx, config_setting_get_member(root, "source"),
				       conf, conf->source, "source");
	return err;
}

static int parse_prefixes(struct parse_ctx *ctx, const config_setting_t *root,
			  struct srfd_config *conf)
{
	static const char *const keys[] = {
		"prefix", "primary", "backup", "guards", "hold_down_ms",
		"hold_down_max_ms", "quiet_ms", NULL,
	};
	unsigned int guarded[SRFD_MAX_SESSIONS] = { 0 };
	const config_setting_t *list, *p, *s;
	unsigned int i, j, g;
	char a[64];
	int err;

	memcpy(conf->encap_src, conf->source, SRFD_SID_LEN);
	s = config_setting_get_member(root, "encap_source");
	if (s) {
		err = parse_ipv6(ctx, s, "encap_source", conf->encap_src);
		if (err)
			return err;
	}
	err = get_uint(ctx, root, "encap_mtu", &conf->encap_mtu,
		       SRFD_DEFAULT_ENCAP_MTU, 1280 + SRFD_ENCAP_MAX_OVERHEAD, 65535);
	if (err)
		return err;
	list = config_setting_get_member(root, "prefixes");
	if (!list)
		return 0;
	err = check_group_list(ctx, list, "prefixes", 0, SRFD_MAX_PREFIXES,
			       &conf->nprefixes);
	if (err)
		return err;
	for (i = 0; i < conf->nprefixes; i++) {
		struct srfd_prefix_conf *pc = &conf->prefixes[i];

		p = config_setting_get_elem(list, i);
		if (!config_setting_is_group(p))
			return fail(ctx, p, "each prefix must be a group { ... }");
		pc->line = config_setting_source_line(p);
		err = check_keys(ctx, p, keys, "prefix");
		if (err)
			continue;
		s = config_setting_get_member(p, "prefix");
		if (!s) {
			fail(ctx, p, "missing required key 'prefix'");
			continue;
		}
		err = parse_cidr6(ctx, s, pc);
		if (!err)
			err = parse_sid_list(ctx, p, "primary", "", "SID",
					     SRFD_MAX_ENCAP_SEGS,
					     pc->segs[SRFD_LIST_PRIMARY],
					     &pc->nsegs[SRFD_LIST_PRIMARY]);
		if (!err)
			err = parse_sid_list(ctx, p, "backup", "", "SID",
					     SRFD_MAX_ENCAP_SEGS,
					     pc->segs[SRFD_LIST_BACKUP],
					     &pc->nsegs[SRFD_LIST_BACKUP]);
		if (!err)
			err = parse_guards(ctx, p, conf, pc);
		if (!err)
			err = get_uint(ctx, p, "hold_down_ms", &pc->hold_ms,
				       SRFD_DEFAULT_HOLD_MS, 0, SRFD_MAX_HOLD_MS);
		if (!err)
			err = get_uint(ctx, p, "hold_down_max_ms", &pc->hold_max_ms,
				       pc->hold_ms > SRFD_DEFAULT_HOLD_MAX_MS ?
				       pc->hold_ms : SRFD_DEFAULT_HOLD_MAX_MS,
				       pc->hold_ms, SRFD_MAX_HOLD_MS);
		if (!err)
			err = get_uint(ctx, p, "quiet_ms", &pc->quiet_ms,
				       SRFD_DEFAULT_QUIET_MS, 1, SRFD_MAX_HOLD_MS);
		if (err)
			continue;
		for (j = 0; j < i; j++)
			if (conf->prefixes[j].plen &&
			    prefixes_overlap(&conf->prefixes[j], pc)) {
				srfd_prefix_format(&conf->prefixes[j], a, sizeof(a));
				fail(ctx, p, "prefix overlaps %s (line %d)", a,
				     conf->prefixes[j].line);
				break;
			}
		for (g = 0; g < pc->nguards; g++)
			if (++guarded[pc->guards[g]] > SRFD_MAX_GUARDED)
				fail(ctx, p, "session '%s' guards more than %d prefixes",
				     conf->sessions[pc->guards[g]].name,
				     SRFD_MAX_GUARDED);
	}
	if (ctx->nerr)
		return -EINVAL;
	return sids_outside_prefixes(ctx, root, list, conf);
}

static int parse_root(struct parse_ctx *ctx, config_t *cf,
		      struct srfd_config *conf)
{
	static const char *const keys[] = {
		"instance", "bpffs", "control_socket", "control_group",
		"local_sid", "source",
		"tick_us", "sessions", "reflectors", "prefixes", "encap_source",
		"encap_mtu", "stall_limit_ms", "fib_objects", "profiles",
		"bfd_dataplane", "max_sessions", "watchdog", NULL,
	};
	const config_setting_t *root = config_root_setting(cf), *list;
	__u32 min_interval = SRFD_MAX_INTERVAL_US;
	unsigned int i, j;
	int err;

	memset(conf, 0, sizeof(*conf));
	strcpy(conf->instance, "default");
	strcpy(conf->bpffs, "/sys/fs/bpf");
	conf->stall_limit_ms = SRFD_DEFAULT_STALL_LIMIT_MS;

	err = check_keys(ctx, root, keys, "the top level");
	if (!err)
		err = get_string(ctx, root, "instance", conf->instance,
				 sizeof(conf->instance), 0);
	if (err >= 0 && !valid_instance(conf->instance))
		err = fail(ctx, config_setting_get_member(root, "instance"),
			   "'instance' may hold only letters, digits, '-' and '_'");
	if (err >= 0)
		err = get_string(ctx, root, "bpffs", conf->bpffs,
				 sizeof(conf->bpffs), 0);
	if (err >= 0)
		err = get_string(ctx, root, "control_socket", conf->ctl_socket,
				 sizeof(conf->ctl_socket), 0);
	if (err >= 0)
		err = get_string(ctx, root, "control_group", conf->ctl_group,
				 sizeof(conf->ctl_group), 0);
	if (err < 0)
		return err;
	if (!conf->ctl_socket[0]) {
		snprintf(conf->ctl_socket, sizeof(conf->ctl_socket),
			 "/run/srfd/%s.sock", conf->instance);
		conf->ctl_socket_default = 1;
	}
	err = parse_reflectors(ctx, root, conf);
	if (err && !conf->nreflectors)
		return err;
	list = config_setting_get_member(root, "sessions");
	if (!list && conf->nreflectors &&
	    !config_setting_get_member(root, "prefixes")) {
		/* a pure reflector: no probing, but what is written must be valid */
		if (config_setting_get_member(root, "local_sid"))
			get_ipv6(ctx, root, "local_sid", conf->local_sid);
		if (config_setting_get_member(root, "source"))
			get_ipv6(ctx, root, "source", conf->source);
		get_uint(ctx, root, "tick_us", &conf->tick_us, SRFD_MIN_INTERVAL_US,
			 SRFD_MIN_INTERVAL_US, SRFD_MAX_INTERVAL_US);
		get_uint(ctx, root, "stall_limit_ms", &conf->stall_limit_ms,
			 SRFD_DEFAULT_STALL_LIMIT_MS, SRFD_MIN_STALL_LIMIT_MS,
			 SRFD_MAX_STALL_LIMIT_MS);
		return ctx->nerr ? -EINVAL : 0;
	}
	err = get_ipv6(ctx, root, "local_sid", conf->local_sid);
	if (!err)
		err = get_ipv6(ctx, root, "source", conf->source);
	if (err)
		return err;

	/* bfdd's data plane alone may bring every session */
	if (!list && !config_setting_get_member(root, "bfd_dataplane"))
		return fail(ctx, root, "missing required key 'sessions' (or "
			    "'reflectors', or 'bfd_dataplane')");
	if (parse_profiles(ctx, root, conf))
		return -EINVAL;
	err = list ? check_group_list(ctx, list, "sessions", 1, SRFD_MAX_SESSIONS,
				      &conf->nsessions) : 0;
	if (err)
		return err;
	for (i = 0; i < conf->nreflectors; i++)
		if (!memcmp(conf->reflectors[i].sid, conf->local_sid, SRFD_SID_LEN))
			return fail(ctx, config_setting_get_member(root, "local_sid"),
				    "local_sid is also a reflector SID (line %d)",
				    conf->reflectors[i].line);
	for (i = 0; i < conf->nsessions; i++) {
		struct srfd_session_conf *sc = &conf->sessions[i];

		if (parse_session(ctx, config_setting_get_elem(list, i), conf, sc))
			continue;
		for (j = 0; j < i; j++)
			if (!strcmp(conf->sessions[j].name, sc->name)) {
				fail(ctx, config_setting_get_elem(list, i),
				     "duplicate session name '%s' (first at line %d)",
				     sc->name, conf->sessions[j].line);
				break;
			}
		if (sc->interval_us < min_interval)
			min_interval = sc->interval_us;
	}

	conf->tick_auto = !config_setting_get_member(root, "tick_us");
	get_uint(ctx, root, "tick_us", &conf->tick_us, 0,
		 SRFD_MIN_INTERVAL_US, min_interval);
	get_uint(ctx, root, "max_sessions", &conf->max_sessions,
		 SRFD_DEFAULT_MAX_SESSIONS, 1, SRFD_MAX_SESSIONS);
	if (conf->nsessions > conf->max_sessions)
		fail(ctx, config_setting_get_member(root, "max_sessions") ?: list,
		     "%u sessions configured but max_sessions is %u",
		     conf->nsessions, conf->max_sessions);
	get_uint(ctx, root, "stall_limit_ms", &conf->stall_limit_ms,
		 SRFD_DEFAULT_STALL_LIMIT_MS, SRFD_MIN_STALL_LIMIT_MS,
		 SRFD_MAX_STALL_LIMIT_MS);
	get_bool(ctx, root, "fib_objects", &conf->fib_objects, 0);
	{
		char wd[16] = "timer";
		const config_setting_t *w = config_setting_get_member(root, "watchdog");

		if (get_string(ctx, root, "watchdog", wd, sizeof(wd), 0) > 0 &&
		    strcmp(wd, "timer") && strcmp(wd, "ticker"))
			fail(ctx, w, "'watchdog' must be \"timer\" or \"ticker\"");
		conf->ticker_watchdog = !strcmp(wd, "ticker");
	}
	parse_bfd_dataplane(ctx, root, conf);
	parse_prefixes(ctx, root, conf);
	if (!ctx->nerr) {
		char why[256];

		if (srfd_config_schedule(conf, why, sizeof(why)))
			fail(ctx, list ?: root, "%s", why);
	}
	return ctx->nerr ? -EINVAL : 0;
}

int srfd_config_schedule(struct srfd_config *conf, char *err, size_t errlen)
{
	struct srfd_sched_plan *plan;
	__u16 *slot;
	unsigned int i;
	int ret = -ENOMEM;

	if (conf->tick_auto)
		conf->tick_us = srfd_sched_tick_us(conf);
	plan = malloc(sizeof(*plan));
	slot = calloc(SRFD_MAX_SESSIONS, sizeof(*slot));
	if (plan && slot) {
		for (i = 0; i < conf->nsessions; i++)
			slot[i] = i;
		ret = srfd_sched_build(conf, slot, NULL, plan, err, errlen);
	} else {
		snprintf(err, errlen, "out of memory");
	}
	free(plan);
	free(slot);
	return ret;
}

#define INCLUDE_MAX_DEPTH	10		/* libconfig's own limit */
#define INCLUDE_MAX_BYTES	(16u << 20)

/*
 * Open @path for reading only if it is a regular file: O_NONBLOCK so that
 * a FIFO does not block the open itself. Returns an fd or -errno (-EINVAL:
 * not a regular file).
 */
static int open_regular(const char *path)
{
	struct stat st;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

static const char *open_error(int err)
{
	return err == -EINVAL ? "not a regular file" : strerror(-err);
}

/*
 * Read @fd (closed here) up to INCLUDE_MAX_BYTES into a NUL-terminated
 * buffer the caller frees; *len is what was read. NULL: out of memory.
 */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	char *buf = malloc(cap + 1), *grown;
	ssize_t r;

	while (buf && n < INCLUDE_MAX_BYTES) {
		if (n == cap) {
			cap = cap * 2 > INCLUDE_MAX_BYTES ? INCLUDE_MAX_BYTES : cap * 2;
			grown = realloc(buf, cap + 1);
			if (!grown) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
		}
		r = read(fd, buf + n, cap - n);
		if (r <= 0)
			break;
		n += r;
	}
	close(fd);
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

static int check_includes(const char *text, size_t len, const char *name,
			  const char *dir, int depth, char *err, size_t errlen);

/* Read and check one @include'd file (what libconfig is about to open). */
static int check_include_file(const char *path, const char *name, int line,
			      const char *dir, int depth, char *err,
			      size_t errlen)
{
	size_t len;
	char *buf;
	int fd, ret;

	if (depth >= INCLUDE_MAX_DEPTH) {
		snprintf(err, errlen, "%s:%d: @include nested deeper than %d",
			 name, line, INCLUDE_MAX_DEPTH);
		return -ELOOP;
	}
	fd = open_regular(path);
	if (fd < 0) {
		snprintf(err, errlen, "%s:%d: @include '%s': cannot read file: %s",
			 name, line, path, open_error(fd));
		return fd;
	}
	buf = read_all(fd, &len);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	ret = check_includes(buf, len, path, dir, depth + 1, err, errlen);
	free(buf);
	return ret;
}

/*
 * libconfig 1.5 opens @include'd files itself with fopen(): a FIFO or a
 * device there would hang srfdd (or feed it forever). Every file an
 * `@include "path"` line names (relative to @dir) must be a regular file,
 * checked before libconfig reads anything. The scan follows libconfig's
 * rule: the directive starts a line, after optional blanks.
 */
static int check_includes(const char *text, size_t len, const char *name,
			  const char *dir, int depth, char *err, size_t errlen)
{
	char file[SRFD_PATH_LEN * 4], path[SRFD_PATH_LEN * 8];
	const char *p = text, *end = text + len, *q;
	size_t flen;
	int line = 1, ret;

	for (; p < end; line++) {
		const char *eol = memchr(p, '\n', end - p);

		if (!eol)
			eol = end;
		q = p;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (eol - q > 8 && !memcmp(q, "@include", 8) &&
		    (q[8] == ' ' || q[8] == '\t')) {
			q += 9;
			while (q < eol && (*q == ' ' || *q == '\t'))
				q++;
			if (q < eol && *q == '"') {
				const char *close = memchr(q + 1, '"', eol - q - 1);

				flen = close ? (size_t)(close - q - 1) : 0;
				if (!close || flen >= sizeof(file)) {
					snprintf(err, errlen, "%s:%d: bad @include",
						 name, line);
					return -EINVAL;
				}
				memcpy(file, q + 1, flen);
				file[flen] = '\0';
				if (file[0] != '/' && dir)
					snprintf(path, sizeof(path), "%s/%s", dir, file);
				else
					snprintf(path, sizeof(path), "%s", file);
				ret = check_include_file(path, name, line, dir,
							 depth, err, errlen);
				if (ret)
					return ret;
			}
		}
		p = eol + 1;
	}
	return 0;
}

static int load(config_t *cf, int read_ok, const char *name,
		struct srfd_config *conf, char *err, size_t errlen)
{
	struct parse_ctx ctx = { .file = name, .err = err, .errlen = errlen };
	const char *file;

	if (!read_ok) {
		/* an error inside an @include'd file names that file */
		file = config_error_file(cf) ? config_error_file(cf) : name;
		if (config_error_type(cf) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s: cannot read file", file);
		else
			snprintf(err, errlen, "%s:%d: %s", file,
				 config_error_line(cf), config_error_text(cf));
		return config_error_type(cf) == CONFIG_ERR_FILE_IO ? -ENOENT
								   : -EINVAL;
	}
	return parse_root(&ctx, cf, conf);
}

int srfd_config_load_file(const char *path, struct srfd_config *conf,
			  char *err, size_t errlen)
{
	char dir[SRFD_PATH_LEN * 4], *slash, *text;
	config_t cf;
	size_t len;
	int fd, ret;

	/*
	 * Open it ourselves: the reason a file cannot be read is worth
	 * telling, and a FIFO or device must not hang srfdd.
	 */
	fd = open_regular(path);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot read file: %s", path,
			 open_error(fd));
		return fd;
	}
	text = read_all(fd, &len);
	if (!text) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	if (len == INCLUDE_MAX_BYTES) {
		free(text);
		snprintf(err, errlen, "%s: larger than %u bytes", path,
			 INCLUDE_MAX_BYTES);
		return -EFBIG;
	}
	/* @include paths are relative to the configuration's directory */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	ret = check_includes(text, len, path, slash ? dir : NULL, 0, err, errlen);
	if (!ret) {
		config_init(&cf);
		if (slash)
			config_set_include_dir(&cf, dir);
		ret = load(&cf, config_read_string(&cf, text) == CONFIG_TRUE,
			   path, conf, err, errlen);
		config_destroy(&cf);
	}
	free(text);
	return ret;
}

int srfd_config_load_string(const char *text, const char *name,
			    struct srfd_config *conf, char *err, size_t errlen)
{
	config_t cf;
	int ret;

	ret = check_includes(text, strlen(text), name, NULL, 0, err, errlen);
	if (ret)
		return ret;
	config_init(&cf);
	ret = load(&cf, config_read_string(&cf, text) == CONFIG_TRUE, name,
		   conf, err, errlen);
	config_destroy(&cf);
	return ret;
}

int srfd_config_set_instance(struct srfd_config *conf, const char *name,
			     char *err, size_t errlen)
{
	if (!*name || strlen(name) >= sizeof(conf->instance) ||
	    !valid_instance(name)) {
		snprintf(err, errlen,
			 "instance name '%s': 1..%zu letters, digits, '-' or '_'",
			 name, sizeof(conf->instance) - 1);
		return -EINVAL;
	}
	strcpy(conf->instance, name);
	if (conf->ctl_socket_default)
		snprintf(conf->ctl_socket, sizeof(conf->ctl_socket),
			 "/run/srfd/%s.sock", conf->instance);
	return 0;
}
