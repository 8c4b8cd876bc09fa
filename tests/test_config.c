// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Unit tests of the configuration parser: samples and every error class. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include "check_tap.h"
#include "config.h"
#include "session.h"

#define SAMPLES_DIR SRFD_SOURCE_ROOT "/etc"

static struct srfd_config conf;
static char err[512];

START_TEST(test_samples_parse)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(SAMPLES_DIR);

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		char path[1024];
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", SAMPLES_DIR, de->d_name);
		ck_assert_msg(srfd_config_load_file(path, &conf, err, sizeof(err)) == 0,
			      "%s: %s", path, err);
		ck_assert_uint_ge(conf.nsessions + conf.nreflectors, 1);
		n++;
	}
	closedir(d);
	ck_assert_int_ge(n, 3);
}
END_TEST

START_TEST(test_default_sample_values)
{
	__u8 sid[16];

	ck_assert_int_eq(srfd_config_load_file(SAMPLES_DIR "/srfd.conf", &conf,
					       err, sizeof(err)), 0);
	ck_assert_str_eq(conf.instance, "default");
	ck_assert_str_eq(conf.ctl_socket, "/run/srfd/default.sock");
	ck_assert_str_eq(conf.bpffs, "/sys/fs/bpf");
	inet_pton(AF_INET6, "fc00:a::bf", sid);
	ck_assert_mem_eq(conf.local_sid, sid, 16);
	ck_assert_uint_eq(conf.nsessions, 1);
	ck_assert_str_eq(conf.sessions[0].name, "a-b");
	ck_assert_str_eq(conf.sessions[0].ifname, "a-b");
	ck_assert_uint_eq(conf.sessions[0].interval_us, 10000);
	ck_assert_uint_eq(conf.sessions[0].multiplier, 3);
	ck_assert_uint_eq(conf.sessions[0].up_after, 3);
	ck_assert_uint_eq(conf.sessions[0].nsegs, 1);
	ck_assert_uint_eq(conf.tick_us, 10000);
}
END_TEST

START_TEST(test_embedded_default)
{
	ck_assert_int_eq(srfd_config_load_string(srfd_default_config, "<embedded>",
						 &conf, err, sizeof(err)), 0);
	ck_assert_uint_eq(conf.sessions[0].interval_us, 1000);
	ck_assert_uint_eq(conf.tick_us, 1000);
	ck_assert_uint_eq(conf.nprefixes, 1);
	ck_assert_uint_eq(conf.prefixes[0].hold_ms, 500);
}
END_TEST

START_TEST(test_defaults_and_tick)
{
	const char *text =
		"local_sid = \"fc00::bf\"; source = \"fc00::1\";\n"
		"sessions = ( { name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\";\n"
		"  segments = [\"fc00::e1\", \"fc00::e2\"]; },\n"
		"  { name = \"y\"; interface = \"eth1\"; neighbor = \"fe80::2\";\n"
		"  segments = [\"fc00::e3\"]; interval_us = 200; multiplier = 1; up_after = 7; } );\n";

	ck_assert_int_eq(srfd_config_load_string(text, "t", &conf, err, sizeof(err)), 0);
	ck_assert_uint_eq(conf.sessions[0].interval_us, SRFD_DEFAULT_INTERVAL_US);
	ck_assert_uint_eq(conf.sessions[0].multiplier, SRFD_DEFAULT_MULTIPLIER);
	ck_assert_uint_eq(conf.sessions[0].nsegs, 2);
	ck_assert_uint_eq(conf.sessions[1].up_after, 7);
	ck_assert_uint_eq(conf.tick_us, 200);	/* smallest interval */
	/* a path may come back anywhere; a link's returns only over the link */
	ck_assert_int_eq(conf.sessions[0].check_ingress, 0);
	ck_assert_int_eq(conf.sessions[1].check_ingress, 1);
}
END_TEST

/* Over-long lists are refused and never walked past their maximum (fuzzer). */
START_TEST(test_list_too_long)
{
	static char text[8192];
	size_t n;
	int i;

	n = snprintf(text, sizeof(text), "local_sid = \"fc00::bf\"; source = \"fc00::1\";\n"
		     "reflectors = (");
	for (i = 0; i < SRFD_MAX_REFLECTORS + 1; i++)
		n += snprintf(text + n, sizeof(text) - n,
			      "%s{ sid = \"fc00:b::%x\"; neighbor = \"fc00:ab::1\"; }",
			      i ? ", " : "", i + 1);
	snprintf(text + n, sizeof(text) - n, ");\nsessions = ( { name = \"x\"; "
		 "interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"]; } );\n");
	ck_assert_int_lt(srfd_config_load_string(text, "t", &conf, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "t:2: 'reflectors' needs 1..16 entries, got 17"), "%s", err);
	ck_assert_uint_eq(conf.nreflectors, 0);
}
END_TEST

START_TEST(test_check_ingress)
{
	const char *text =
		"local_sid = \"fc00::bf\"; source = \"fc00::1\";\n"
		"sessions = ( { name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\";\n"
		"  segments = [\"fc00::e1\", \"fc00::e2\"]; check_ingress = true; },\n"
		"  { name = \"y\"; interface = \"eth1\"; neighbor = \"fe80::2\";\n"
		"  segments = [\"fc00::e3\"]; check_ingress = false; } );\n";
	struct srfd_session_cfg cfg;
	__u64 key[2] = { 1, 2 };

	ck_assert_int_eq(srfd_config_load_string(text, "t", &conf, err, sizeof(err)), 0);
	ck_assert_int_eq(conf.sessions[0].check_ingress, 1);
	ck_assert_int_eq(conf.sessions[1].check_ingress, 0);
	ck_assert_int_eq(srfd_session_cfg_build(&conf, 0, 0, 3, key, &cfg), 0);
	ck_assert_uint_eq(cfg.flags, SRFD_SESS_F_CHECK_INGRESS);
	ck_assert_int_eq(srfd_session_cfg_build(&conf, 1, 1, 3, key, &cfg), 0);
	ck_assert_uint_eq(cfg.flags, 0);
}
END_TEST

/* A profile gives a session its timers; what the session says itself wins. */
START_TEST(test_profiles)
{
	const char *text =
		"local_sid = \"fc00::bf\"; source = \"fc00::1\";\n"
		"profiles = ( { name = \"fast\"; interval_us = 1000; multiplier = 4; up_after = 2; },\n"
		"  { name = \"slow\"; interval_us = 50000; } );\n"
		"sessions = ( { name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\";\n"
		"  segments = [\"fc00::e1\"]; profile = \"fast\"; },\n"
		"  { name = \"y\"; interface = \"eth1\"; neighbor = \"fe80::2\";\n"
		"  segments = [\"fc00::e3\"]; profile = \"fast\"; multiplier = 7; },\n"
		"  { name = \"z\"; interface = \"eth1\"; neighbor = \"fe80::2\";\n"
		"  segments = [\"fc00::e4\"]; profile = \"slow\"; } );\n";

	ck_assert_int_eq(srfd_config_load_string(text, "t", &conf, err, sizeof(err)), 0);
	ck_assert_uint_eq(conf.nprofiles, 2);
	ck_assert_uint_eq(conf.sessions[0].interval_us, 1000);
	ck_assert_uint_eq(conf.sessions[0].multiplier, 4);
	ck_assert_uint_eq(conf.sessions[0].up_after, 2);
	ck_assert_uint_eq(conf.sessions[1].interval_us, 1000);
	ck_assert_uint_eq(conf.sessions[1].multiplier, 7);
	ck_assert_uint_eq(conf.sessions[2].interval_us, 50000);
	ck_assert_uint_eq(conf.sessions[2].multiplier, 3);	/* built-in default */
	ck_assert_str_eq(conf.sessions[2].profile, "slow");
	/* the ticker follows the fastest resolved interval */
	ck_assert_uint_eq(conf.tick_us, 1000);
}
END_TEST

/* Each invalid input and the message that must name the problem. */
static const struct bad_case {
	const char *text;
	const char *msg;
} bad_cases[] = {
	{ "local_sid = \"fc00::bf\"\nsource = ;", "t:2: syntax error" },
	{ "source = \"fc00::1\"; sessions = ();", "t: missing required key 'local_sid'" },
	{ "local_sid = \"fc00::zz\"; source = \"fc00::1\"; sessions = ();",
	  "t:1: local_sid 'fc00::zz' is not an IPv6 address" },
	{ "local_sid = 5; source = \"fc00::1\"; sessions = ();",
	  "t:1: local_sid must be a string" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\";\nsesions = ();",
	  "t:2: unknown key 'sesions' in the top level" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\";",
	  "t: missing required key 'sessions'" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = ();",
	  "'sessions' needs 1..4096 entries, got 0" },
	{ "instance = \"a/b\"; local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = ();",
	  "'instance' may hold only letters" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; watchdog = \"hrtimer\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"]; } );",
	  "t:1: 'watchdog' must be \"timer\" or \"ticker\"" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; max_sessions = 5000; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"]; } );",
	  "t:1: 'max_sessions' = 5000 is out of range 1..4096" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"];\n"
	  "  interval_us = 50; } );", "t:3: 'interval_us' = 50 is out of range 100..10000000" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"];\n"
	  "  multiplier = 0; } );", "t:3: 'multiplier' = 0 is out of range 1..255" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"];\n"
	  "  multiplier = \"3\"; } );", "t:3: 'multiplier' must be an integer" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"];\n"
	  "  check_ingress = 1; } );", "t:3: 'check_ingress' must be true or false" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"];\n"
	  "  profile = \"fast\"; } );", "t:3: session 'x': unknown profile 'fast'" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\";\n"
	  "profiles = ( { name = \"p\"; }, { name = \"p\"; interval_us = 50; } );\n"
	  "sessions = ( { name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\";\n"
	  "  segments = [\"fc00::1\"]; } );", "t:2: duplicate profile name 'p' (first at line 2)" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\";\n"
	  "profiles = ( { name = \"p\"; interval_us = 50; } );\n"
	  "sessions = ( { name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\";\n"
	  "  segments = [\"fc00::1\"]; } );", "t:2: 'interval_us' = 50 is out of range" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; fib_objects = \"yes\";\n"
	  "sessions = ( { name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\";\n"
	  "  segments = [\"fc00::1\"]; } );", "t:1: 'fib_objects' must be true or false" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth\\r\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"]; } );",
	  "t:2: 'interface' is not a device name" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"a/b\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"]; } );",
	  "t:2: 'interface' is not a device name" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"..\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"]; } );",
	  "t:2: 'interface' is not a device name" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; segments = [\"fc00::1\"]; } );",
	  "t:2: missing required key 'neighbor'" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; } );",
	  "t:2: session 'x': missing required key 'segments'" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\";\n"
	  "  segments = [\"fc00::1\",\"fc00::2\",\"fc00::3\",\"fc00::4\",\"fc00::5\",\"fc00::6\",\"fc00::7\"]; } );",
	  "t:3: session 'x': 'segments' needs 1..6 SIDs, got 7" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"10.0.0.1\"]; } );",
	  "t:2: segment '10.0.0.1' is not an IPv6 address" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0-with-a-long-name\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"]; } );",
	  "t:2: 'interface' is longer than 15 characters" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"]; },\n"
	  "{ name = \"x\"; interface = \"eth1\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"]; } );",
	  "t:3: duplicate session name 'x' (first at line 2)" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"]; colour = 1; } );",
	  "t:2: unknown key 'colour' in session" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; tick_us = 20000; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"]; } );",
	  "t:1: 'tick_us' = 20000 is out of range 100..10000" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = ( 1 );",
	  "t:1: each session must be a group" },
	{ "reflectors = ( { sid = \"fc00::bf\"; neighbor = \"fe80::1\"; },\n"
	  "{ sid = \"fc00::bf\"; neighbor = \"fe80::2\"; } );",
	  "t:2: duplicate reflector sid (first at line 1)" },
	{ "reflectors = ( { sid = \"fc00::bf\"; } );",
	  "t:1: missing required key 'neighbor'" },
	{ "reflectors = ( { sid = \"fc00::bf\"; neighbor = \"fe80::1\"; } );\n"
	  "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"]; } );",
	  "t:2: local_sid is also a reflector SID (line 1)" },
	{ "reflectors = ();", "t:1: 'reflectors' needs 1..16 entries, got 0" },
	/* addresses that cannot work in their role */
	{ "local_sid = \"::\"; source = \"fc00::1\"; sessions = ();",
	  "t:1: local_sid '::' is the unspecified address" },
	{ "local_sid = \"fc00::bf\"; source = \"ff02::1\"; sessions = ();",
	  "t:1: source 'ff02::1' is a multicast address" },
	{ "local_sid = \"fe80::bf\"; source = \"fc00::1\"; sessions = ();",
	  "t:1: local_sid 'fe80::bf' is a link-local address" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fe80::e1\"]; } );",
	  "t:2: segment 'fe80::e1' is a link-local address" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"::1\"; segments = [\"fc00::e1\"]; } );",
	  "t:2: neighbor '::1' is the loopback address" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"::ffff:10.0.0.1\"; segments = [\"fc00::e1\"]; } );",
	  "t:2: neighbor '::ffff:10.0.0.1' is an IPv4-mapped address" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"a b\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::e1\"]; } );",
	  "t:2: session name may hold only printable characters without spaces" },
	/* protected prefixes that cannot work */
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::e1\"]; } );\n"
	  "prefixes = ( { prefix = \"ff00::/8\"; primary = [\"fc00:b::e\"]; backup = [\"fc00:c::e\"]; guards = [\"x\"]; } );",
	  "t:3: prefix 'ff00::/8' overlaps multicast ff00::/8" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::e1\"]; } );\n"
	  "prefixes = ( { prefix = \"fe80::/64\"; primary = [\"fc00:b::e\"]; backup = [\"fc00:c::e\"]; guards = [\"x\"]; } );",
	  "t:3: prefix 'fe80::/64' overlaps link-local fe80::/10" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::e1\"]; } );\n"
	  "prefixes = ( { prefix = \"2001:db8::/+64\"; primary = [\"fc00:b::e\"]; backup = [\"fc00:c::e\"]; guards = [\"x\"]; } );",
	  "t:3: prefix '2001:db8::/+64': length must be 1..128" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"2001:db8::e1\"]; } );\n"
	  "prefixes = ( { prefix = \"2001:db8::/64\"; primary = [\"fc00:b::e\"]; backup = [\"fc00:c::e\"]; guards = [\"x\"]; } );",
	  "t:2: probe segment 2001:db8::e1 lies inside protected prefix 2001:db8::/64" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"2001:db8::2\"; segments = [\"fc00::e1\"]; } );\n"
	  "prefixes = ( { prefix = \"2001:db8::/64\"; primary = [\"fc00:b::e\"]; backup = [\"fc00:c::e\"]; guards = [\"x\"]; } );",
	  "t:2: neighbor 2001:db8::2 lies inside protected prefix 2001:db8::/64" },
	/* a pure reflector still gets what it wrote checked */
	{ "local_sid = \"ff02::2\"; reflectors = ( { sid = \"fc00::b1\"; neighbor = \"fe80::1\"; } );",
	  "t:1: local_sid 'ff02::2' is a multicast address" },
	{ "instance = \"abcdefghijklm\"; local_sid = \"fc00::bf\"; source = \"fc00::1\"; sessions = ();",
	  "t:1: 'instance' is longer than 12 characters" },
	{ "local_sid = \"fc00::bf\"; source = \"fc00::1\"; stall_limit_ms = 5; sessions = (\n"
	  "{ name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\"; segments = [\"fc00::1\"]; } );",
	  "t:1: 'stall_limit_ms' = 5 is out of range 20..60000" },
};

/* Every error of a file is reported, one per line, not just the first. */
START_TEST(test_all_errors_listed)
{
	const char *text = "local_sid = \"fc00::bf\"; source = \"fc00::1\";\n"
		"sessions = ( { name = \"x\"; interface = \"eth0\"; neighbor = \"nope\";\n"
		"  segments = [\"fc00::1\"]; },\n"
		"  { name = \"y\"; interface = \"eth0\"; neighbor = \"fe80::1\";\n"
		"  segments = [\"fc00::1\"]; multiplier = 0; },\n"
		"  { name = \"z\"; interface = \"eth0\"; neighbor = \"fe80::1\";\n"
		"  segments = [\"fc00::1\"]; } );\n"
		"prefixes = ( { prefix = \"2001:db8::/33x\"; primary = [\"fc00:b::e\"];\n"
		"  backup = [\"fc00:c::e\"]; guards = [\"z\"]; } );\n";
	char big[4096];

	ck_assert_int_lt(srfd_config_load_string(text, "t", &conf, big, sizeof(big)), 0);
	ck_assert_ptr_nonnull(strstr(big, "t:2: neighbor 'nope' is not an IPv6 address"));
	ck_assert_ptr_nonnull(strstr(big, "\nt:5: 'multiplier' = 0 is out of range 1..255"));
	ck_assert_ptr_nonnull(strstr(big, "\nt:8: prefix '2001:db8::/33x': length must be 1..128"));
}
END_TEST

/* A FIFO would block srfdd forever; an @include'd file's errors name it. */
START_TEST(test_files)
{
	char dir[] = "/tmp/srfd-config-test.XXXXXX", path[128], inc[128];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo.conf", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_lt(srfd_config_load_file(path, &conf, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "cannot read file: not a regular file"));
	unlink(path);

	snprintf(inc, sizeof(inc), "%s/sessions.inc", dir);
	f = fopen(inc, "w");
	ck_assert_ptr_nonnull(f);
	fputs("sessions = (\n  { name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\";\n"
	      "    segments = [\"fc00::e1\"]; multiplier = 0; } );\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("local_sid = \"fc00::bf\"; source = \"fc00::1\";\n@include \"sessions.inc\"\n", f);
	fclose(f);
	ck_assert_int_lt(srfd_config_load_file(path, &conf, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "sessions.inc:3: 'multiplier' = 0 is out of range"), "%s", err);

	/* an @include'd FIFO or device: refused before libconfig opens it */
	unlink(inc);
	ck_assert_int_eq(mkfifo(inc, 0600), 0);
	ck_assert_int_lt(srfd_config_load_file(path, &conf, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "main.conf:2: @include '") &&
		      strstr(err, "sessions.inc': cannot read file: not a regular file"),
		      "%s", err);
	ck_assert_int_lt(srfd_config_load_string("@include \"/dev/zero\"\n", "t", &conf,
						 err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "t:1: @include '/dev/zero': cannot read file: not a regular file"),
		      "%s", err);
	/* a file that includes itself */
	unlink(inc);
	f = fopen(inc, "w");
	ck_assert_ptr_nonnull(f);
	fputs("  @include \"sessions.inc\"\n", f);
	fclose(f);
	ck_assert_int_lt(srfd_config_load_file(path, &conf, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "@include nested deeper than 10"), "%s", err);
	unlink(inc);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_stall_limit)
{
	const char *text = "local_sid = \"fc00::bf\"; source = \"fc00::1\"; stall_limit_ms = 100;\n"
		"sessions = ( { name = \"x\"; interface = \"eth0\"; neighbor = \"fe80::1\";\n"
		"  segments = [\"fc00::1\"]; } );\n";

	ck_assert_int_eq(srfd_config_load_string(text, "t", &conf, err, sizeof(err)), 0);
	ck_assert_uint_eq(conf.stall_limit_ms, 100);
	ck_assert_int_eq(srfd_config_load_file(SAMPLES_DIR "/srfd.conf", &conf, err,
					       sizeof(err)), 0);
	ck_assert_uint_eq(conf.stall_limit_ms, SRFD_DEFAULT_STALL_LIMIT_MS);
}
END_TEST

START_TEST(test_bad_input)
{
	const struct bad_case *c = &bad_cases[_i];

	memset(err, 0, sizeof(err));
	ck_assert_int_lt(srfd_config_load_string(c->text, "t", &conf, err,
						 sizeof(err)), 0);
	ck_assert_msg(strstr(err, c->msg), "expected '%s' in '%s'", c->msg, err);
}
END_TEST

START_TEST(test_pure_reflector)
{
	const char *text = "instance = \"r\";\n"
		"reflectors = ( { sid = \"fc00:b::bf\"; neighbor = \"fc00:ab::1\"; } );\n";

	ck_assert_int_eq(srfd_config_load_string(text, "t", &conf, err, sizeof(err)), 0);
	ck_assert_uint_eq(conf.nsessions, 0);
	ck_assert_uint_eq(conf.nreflectors, 1);
	ck_assert_str_eq(conf.ctl_socket, "/run/srfd/r.sock");
}
END_TEST

START_TEST(test_missing_file)
{
	ck_assert_int_lt(srfd_config_load_file("/nonexistent/srfd.conf", &conf,
					       err, sizeof(err)), 0);
	ck_assert_str_eq(err, "/nonexistent/srfd.conf: cannot read file: No such file or directory");
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, test_samples_parse);
	tcase_add_test(tc, test_default_sample_values);
	tcase_add_test(tc, test_embedded_default);
	tcase_add_test(tc, test_defaults_and_tick);
	tcase_add_test(tc, test_check_ingress);
	tcase_add_test(tc, test_profiles);
	tcase_add_test(tc, test_list_too_long);
	tcase_add_loop_test(tc, test_bad_input, 0,
			    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_pure_reflector);
	tcase_add_test(tc, test_all_errors_listed);
	tcase_add_test(tc, test_stall_limit);
	tcase_add_test(tc, test_files);
	tcase_add_test(tc, test_missing_file);
	return srfd_check_run_tap("config", tc);
}
