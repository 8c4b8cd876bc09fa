// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * BPF_PROG_TEST_RUN tests of srfd's programs on crafted packets: verdicts,
 * counters, bytes of the probes the ticker builds, and the session state
 * machine including the watchdog timer. lwt_seg6local programs cannot be
 * test-run, so the receive path is exercised through srfd_rx_test, the tc
 * twin that runs the same inline code. Runs in a private network namespace:
 * the few packets the programs clone go to its loopback and die there.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>	/* before linux/in6.h, see glibc's __UAPI_DEF_* */
#include <check.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "check_tap.h"
#include "encap.h"
#include "kernel.h"
#include "probe.h"
#include "schedule.h"
#include "session.h"
#include "srfd.skel.h"

#define TOKEN 0x5eed5eed12345678ULL
static const __u64 KEY[2] = { TOKEN, ~TOKEN };	/* the session's MAC key */
static const __u64 WRONG_KEY[2] = { TOKEN ^ 1, ~TOKEN };
#define INTERVAL_US 1000

static struct srfd_bpf *skel;
static struct ring_buffer *rb;
static int events_up, events_down, events_stalled;
static __u64 stall_ns;	/* stall limit written by add_session() */
static __u32 settings_flags;	/* SRFD_SET_F_* written by add_session() */

static int on_event(void *ctx, void *data, size_t len)
{
	const struct srfd_event *ev = data;

	(void)ctx;
	ck_assert_uint_eq(len, sizeof(*ev));
	if (ev->type == SRFD_EV_STATE && ev->new_state == SRFD_STATE_UP)
		events_up++;
	if (ev->type == SRFD_EV_STATE && ev->new_state == SRFD_STATE_DOWN)
		events_down++;
	if (ev->type == SRFD_EV_STATE && ev->new_state == SRFD_STATE_STALLED)
		events_stalled++;
	return 0;
}

/* write @plan into @half of the schedule maps, as the dataplane does */
static void write_schedule(const struct srfd_sched_plan *plan, __u32 half)
{
	__u32 k, key;

	for (k = 0; k < srfd_sched_nbuckets(&plan->hdr); k++) {
		key = half * SRFD_SCHED_BUCKETS + k;
		ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_sched_bucket,
						      &key, 4, &plan->bucket[k], 4, 0), 0);
	}
	for (k = 0; k < plan->hdr.nslots; k++) {
		key = half * SRFD_MAX_SESSIONS + k;	/* the object's max_sessions */
		ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_sched_slot,
						      &key, 4, &plan->slot[k], 4, 0), 0);
	}
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_sched, &half, 4,
					      &plan->hdr, sizeof(plan->hdr), 0), 0);
}

static void add_session(__u32 slot, __u32 multiplier, __u32 up_after)
{
	static struct srfd_config conf, one;
	static struct srfd_sched_plan plan;
	struct srfd_session_cfg cfg;
	struct srfd_settings settings;
	__u32 zero = 0;
	__u16 slots[1] = { slot };
	char why[256];

	memset(&conf, 0, sizeof(conf));

	inet_pton(AF_INET6, "fc00:a::bf", conf.local_sid);
	inet_pton(AF_INET6, "fc00:a::1", conf.source);
	conf.nsessions = slot + 1;
	strcpy(conf.sessions[slot].name, "s");
	conf.sessions[slot].nsegs = 1;
	inet_pton(AF_INET6, "fc00:b::e1", conf.sessions[slot].segs[0]);
	inet_pton(AF_INET6, "fe80::2", conf.sessions[slot].neighbor);
	conf.sessions[slot].interval_us = INTERVAL_US;
	conf.sessions[slot].multiplier = multiplier;
	conf.sessions[slot].up_after = up_after;
	ck_assert_int_eq(srfd_session_cfg_build(&conf, slot, slot, 1, KEY, &cfg), 0);
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_sess_cfg, &slot,
					      4, &cfg, sizeof(cfg), 0), 0);
	/* the schedule: this one session, on a tick of its interval */
	one = conf;
	one.nsessions = 1;
	one.sessions[0] = conf.sessions[slot];
	one.tick_auto = 1;
	one.tick_us = srfd_sched_tick_us(&one);
	ck_assert_uint_eq(one.tick_us, INTERVAL_US);
	ck_assert_int_eq(srfd_sched_build(&one, slots, NULL, &plan, why,
					  sizeof(why)), 0);
	write_schedule(&plan, 0);
	memset(&settings, 0, sizeof(settings));
	settings.max_sessions = SRFD_MAX_SESSIONS;
	settings.nr_slots = slot + 1;
	settings.generation = 1;
	settings.pacer_ifindex = 1;	/* this namespace's lo */
	settings.loop_ifindex = 1;
	settings.stall_ns = stall_ns;
	settings.flags = settings_flags;
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_settings, &zero,
					      4, &settings, sizeof(settings), 0), 0);
}

static void setup(void)
{
	struct bpf_map *m;

	skel = srfd_bpf__open();
	ck_assert_ptr_nonnull(skel);
	/* private maps: nothing of a test may land in the host's bpffs */
	bpf_object__for_each_map(m, skel->obj)
		ck_assert_int_eq(bpf_map__set_pin_path(m, NULL), 0);
	/* the reflector's End.X helper exists only with seg6local (srfdd too) */
	bpf_program__set_autoload(skel->progs.srfd_reflect,
				  srfd_kernel_seg6local());
	ck_assert_int_eq(srfd_bpf__load(skel), 0);
	rb = ring_buffer__new(bpf_map__fd(skel->maps.srfd_events), on_event,
			      NULL, NULL);
	ck_assert_ptr_nonnull(rb);
	events_up = events_down = events_stalled = 0;
	stall_ns = 0;
	settings_flags = 0;
	add_session(0, 3, 3);
}

static void teardown(void)
{
	ring_buffer__free(rb);
	srfd_bpf__destroy(skel);
}

static int run(struct bpf_program *prog, const void *pkt, __u32 len,
	       void *out, __u32 *out_len)
{
	__u8 sink[SRFD_PROBE_BUF_LEN * 2];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len,
		    .data_out = out ? out : sink,
		    .data_size_out = out ? *out_len : sizeof(sink));

	ck_assert_int_eq(bpf_prog_test_run_opts(bpf_program__fd(prog), &opts), 0);
	if (out_len)
		*out_len = opts.data_size_out;
	return opts.retval;
}

static __u64 counter(enum srfd_reason r)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	__u64 vals[ncpu], sum = 0;
	__u32 key = r;

	ck_assert_int_eq(bpf_map__lookup_elem(skel->maps.srfd_counters, &key, 4,
					      vals, sizeof(vals), 0), 0);
	for (i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

static struct srfd_session_state state(__u32 slot)
{
	struct srfd_session_state st;

	ck_assert_int_eq(bpf_map__lookup_elem(skel->maps.srfd_sess_state, &slot,
					      4, &st, sizeof(st), 0), 0);
	return st;
}

/* A returned probe as End.BPF sees it, with an Ethernet header in front. */
static __u32 returned_probe(__u8 *buf, __u16 id, __u64 seq, const __u64 key[2])
{
	struct srfd_session_cfg cfg = { 0 };
	__u32 len;

	cfg.nsegs = 3;
	cfg.session_id = id;
	cfg.key[0] = key[0];
	cfg.key[1] = key[1];
	inet_pton(AF_INET6, "fc00:a::1", cfg.src);
	inet_pton(AF_INET6, "fc00:b::e1", cfg.probe_segs[0]);
	inet_pton(AF_INET6, "fc00:a::bf", cfg.probe_segs[1]);
	inet_pton(AF_INET6, "fc00:a::bf", cfg.probe_segs[2]);
	len = srfd_probe_build(buf, &cfg, seq, 1);
	buf[14 + 40 + 3] = 0;	/* the End step already ran: SL 0 */
	return len;
}

static __u32 ticker_frame(__u8 *buf)
{
	struct srfd_tick tick = { htonl(SRFD_TICK_MAGIC), htonl(1) };

	memset(buf, 0, 64);
	buf[12] = SRFD_TICK_ETHERTYPE >> 8;
	buf[13] = SRFD_TICK_ETHERTYPE & 0xff;
	memcpy(buf + 14, &tick, sizeof(tick));
	return 64;
}

START_TEST(test_rx_valid_probe)
{
	__u8 pkt[SRFD_PROBE_BUF_LEN], in[64];
	__u32 len = returned_probe(pkt, 0, 1, KEY);

	/* never sent yet: an authentic sequence number we did not send */
	ck_assert_int_eq(run(skel->progs.srfd_rx_test, pkt, len, NULL, NULL),
			 SRFD_R_REPLAY);
	ck_assert_uint_eq(state(0).probes_rx, 0);
	run(skel->progs.srfd_tick, in, ticker_frame(in), NULL, NULL);
	ck_assert_int_eq(run(skel->progs.srfd_rx_test, pkt, len, NULL, NULL),
			 SRFD_R_PROBE_OK);
	ck_assert_uint_eq(counter(SRFD_R_PROBE_OK), 1);
	ck_assert_uint_eq(state(0).probes_rx, 1);
}
END_TEST

/* Malformed or foreign returns and the verdict each must get. */
enum rx_case { RX_TRUNCATED, RX_WRONG_TOKEN, RX_SRH_TYPE, RX_SRH_LEN,
	       RX_SRH_TOO_LONG, RX_UNKNOWN_SESSION, RX_NOT_PROBE, RX_TINY,
	       RX_WRONG_PATH };
static const enum srfd_reason rx_want[] = {
	[RX_TRUNCATED] = SRFD_R_TRUNCATED, [RX_WRONG_TOKEN] = SRFD_R_BAD_MAC,
	[RX_SRH_TYPE] = SRFD_R_BAD_SRH, [RX_SRH_LEN] = SRFD_R_BAD_SRH,
	[RX_SRH_TOO_LONG] = SRFD_R_BAD_SRH,
	[RX_UNKNOWN_SESSION] = SRFD_R_BAD_SESSION,
	[RX_NOT_PROBE] = SRFD_R_NOT_PROBE, [RX_TINY] = SRFD_R_TRUNCATED,
	[RX_WRONG_PATH] = SRFD_R_WRONG_PATH,
};

START_TEST(test_rx_rejects)
{
	__u8 pkt[SRFD_PROBE_BUF_LEN];
	__u32 len = returned_probe(pkt, 0, 1, KEY);

	switch (_i) {
	case RX_TRUNCATED: len -= 8; break;
	case RX_WRONG_TOKEN: len = returned_probe(pkt, 0, 1, WRONG_KEY); break;
	case RX_SRH_TYPE: pkt[14 + 40 + 2] = 0; break;
	case RX_SRH_LEN: pkt[14 + 40 + 1] = 5; break;
	case RX_SRH_TOO_LONG: pkt[14 + 40 + 1] = 18; break;
	case RX_UNKNOWN_SESSION: len = returned_probe(pkt, 9, 1, KEY); break;
	case RX_NOT_PROBE: pkt[14 + 40] = 17; break;
	case RX_TINY: len = 14 + 40; break;
	/* an authentic probe copied onto another path: the last SID differs */
	case RX_WRONG_PATH: pkt[14 + 40 + 8 + 15] ^= 1; break;
	}
	ck_assert_int_eq(run(skel->progs.srfd_rx_test, pkt, len, NULL, NULL),
			 rx_want[_i]);
	ck_assert_uint_eq(counter(rx_want[_i]), 1);
	ck_assert_uint_eq(counter(SRFD_R_PROBE_OK), 0);
	ck_assert_uint_eq(state(0).probes_rx, 0);
	if (_i == RX_WRONG_TOKEN)
		ck_assert_uint_eq(state(0).bad_mac, 1);
}
END_TEST

/* Test-run @prog on @pkt as if it came in on @ifindex; -1 if refused. */
static int run_any(struct bpf_program *prog, const void *pkt, __u32 len,
		   int ifindex)
{
	struct __sk_buff ctx = { .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));

	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts))
		return -1;
	return opts.retval;
}

/*
 * Make @slot a session on @ifindex whose returns count only from there
 * (@on, a link session) or from anywhere (a path session).
 */
static void check_ingress(__u32 slot, int ifindex, int on)
{
	struct srfd_session_cfg cfg;

	ck_assert_int_ne(ifindex, 0);
	ck_assert_int_eq(bpf_map__lookup_elem(skel->maps.srfd_sess_cfg, &slot, 4,
					      &cfg, sizeof(cfg), 0), 0);
	if (on)
		cfg.flags |= SRFD_SESS_F_CHECK_INGRESS;
	else
		cfg.flags &= ~SRFD_SESS_F_CHECK_INGRESS;
	cfg.ifindex = ifindex;
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_sess_cfg, &slot, 4,
					      &cfg, sizeof(cfg), 0), 0);
}

/*
 * The receiver for kernels without seg6local is an lwt_in program, which,
 * unlike End.BPF, can be test-run: the packet starts at its IPv6 header,
 * every verdict is a drop, and only an authentic new probe counts.
 */
START_TEST(test_sid_in_receives)
{
	__u8 pkt[SRFD_PROBE_BUF_LEN], in[64];
	__u32 len = returned_probe(pkt, 0, 1, KEY);
	struct bpf_program *rx = skel->progs.srfd_sid_in;

	run(skel->progs.srfd_tick, in, ticker_frame(in), NULL, NULL);
	ck_assert_int_eq(run_any(rx, pkt, len, 0), BPF_DROP);
	ck_assert_uint_eq(counter(SRFD_R_PROBE_OK), 1);
	ck_assert_uint_eq(state(0).probes_rx, 1);
	/* the same probe again: a replay, dropped without touching the session */
	ck_assert_int_eq(run_any(rx, pkt, len, 0), BPF_DROP);
	ck_assert_uint_eq(counter(SRFD_R_REPLAY), 1);
	ck_assert_uint_eq(state(0).probes_rx, 1);
	/* a forgery under another key */
	len = returned_probe(pkt, 0, 1, WRONG_KEY);
	ck_assert_int_eq(run_any(rx, pkt, len, 0), BPF_DROP);
	ck_assert_uint_eq(counter(SRFD_R_BAD_MAC), 1);
	ck_assert_uint_eq(state(0).probes_rx, 1);
}
END_TEST


/* A link session only takes returns that came in over its own link. */
START_TEST(test_rx_checks_ingress)
{
	__u8 pkt[SRFD_PROBE_BUF_LEN], in[64];
	int link = if_nametoindex("srfdt0"), other = if_nametoindex("srfdt1");
	__u32 len;

	ck_assert_int_ne(other, 0);
	check_ingress(0, link, 1);
	run(skel->progs.srfd_tick, in, ticker_frame(in), NULL, NULL);
	len = returned_probe(pkt, 0, 1, KEY);

	/* authentic and fresh, but relayed from another interface */
	ck_assert_int_eq(run_any(skel->progs.srfd_rx_test, pkt, len, other),
			 SRFD_R_WRONG_INGRESS);
	ck_assert_uint_eq(counter(SRFD_R_WRONG_INGRESS), 1);
	ck_assert_uint_eq(state(0).probes_rx, 0);
	ck_assert_uint_eq(state(0).rx_seq, 0);
	ck_assert_uint_eq(state(0).last_rx_ns, 0);

	/* the same probe over the link counts */
	ck_assert_int_eq(run_any(skel->progs.srfd_rx_test, pkt, len, link),
			 SRFD_R_PROBE_OK);
	ck_assert_uint_eq(state(0).probes_rx, 1);

	/* a path session (no check) takes it from anywhere */
	check_ingress(0, link, 0);
	usleep(INTERVAL_US * 2);
	run(skel->progs.srfd_tick, in, ticker_frame(in), NULL, NULL);
	len = returned_probe(pkt, 0, 2, KEY);
	ck_assert_int_eq(run_any(skel->progs.srfd_rx_test, pkt, len, other),
			 SRFD_R_PROBE_OK);
	ck_assert_uint_eq(state(0).probes_rx, 2);
}
END_TEST

START_TEST(test_tick_builds_probe)
{
	__u8 in[64], out[SRFD_PROBE_BUF_LEN * 2], sid[16];
	__u32 out_len = sizeof(out);
	struct srfd_probe_info info;

	ck_assert_int_eq(run(skel->progs.srfd_tick, in, ticker_frame(in), out,
			     &out_len), TC_ACT_SHOT);
	ck_assert_uint_eq(counter(SRFD_R_TICK), 1);
	ck_assert_uint_eq(counter(SRFD_R_TICK_LOST), 0);
	ck_assert_uint_eq(counter(SRFD_R_TX_FAIL), 0);
	ck_assert_uint_eq(state(0).probes_tx, 1);
	ck_assert_uint_eq(state(0).tx_seq, 1);

	/* the skb left behind is the probe that was sent */
	ck_assert_uint_eq(out_len, SRFD_PROBE_LEN(3));
	ck_assert_uint_eq(out[12], 0x86);
	ck_assert_int_eq(srfd_probe_parse(out + 14, out_len - 14, &info),
			 SRFD_R_PROBE_OK);
	ck_assert_uint_eq(info.seq, 1);
	ck_assert_uint_eq(info.mac, srfd_probe_mac(KEY, 0, info.seq, info.tx_ns));
	ck_assert_uint_eq(info.segments_left, 2);
	inet_pton(AF_INET6, "fc00:b::e1", sid);
	ck_assert_mem_eq(out + 14 + 24, sid, 16);

	/* not due again within the same interval */
	run(skel->progs.srfd_tick, in, ticker_frame(in), NULL, NULL);
	ck_assert_uint_eq(state(0).probes_tx, 1);
	usleep(INTERVAL_US * 2);
	run(skel->progs.srfd_tick, in, ticker_frame(in), NULL, NULL);
	ck_assert_uint_eq(state(0).probes_tx, 2);
}
END_TEST

START_TEST(test_outgoing_probe_redirected)
{
	__u8 in[64], out[SRFD_PROBE_BUF_LEN * 2];
	__u32 out_len = sizeof(out);

	run(skel->progs.srfd_tick, in, ticker_frame(in), out, &out_len);
	ck_assert_int_eq(run(skel->progs.srfd_tick, out, out_len, NULL, NULL),
			 TC_ACT_REDIRECT);
	ck_assert_uint_eq(counter(SRFD_R_TX_REDIRECT), 1);

	/* a frame claiming to be a probe of no live session is not sent */
	out[14 + 40 + 8 + 48 + 7] ^= 9;	/* session id 0 -> 9 */
	ck_assert_int_eq(run(skel->progs.srfd_tick, out, out_len, NULL, NULL),
			 TC_ACT_SHOT);
	ck_assert_uint_eq(counter(SRFD_R_TX_REDIRECT), 1);
	ck_assert_uint_eq(counter(SRFD_R_UNKNOWN_FRAME), 1);
}
END_TEST

START_TEST(test_tick_drops_unknown_frames)
{
	__u8 in[64];

	ticker_frame(in);
	in[12] = 0x08;	/* ARP */
	in[13] = 0x06;
	ck_assert_int_eq(run(skel->progs.srfd_tick, in, 64, NULL, NULL), TC_ACT_SHOT);
	ticker_frame(in);
	in[14] ^= 0xff;	/* right ethertype, wrong magic */
	ck_assert_int_eq(run(skel->progs.srfd_tick, in, 64, NULL, NULL), TC_ACT_SHOT);
	ck_assert_uint_eq(counter(SRFD_R_UNKNOWN_FRAME), 2);
	ck_assert_uint_eq(counter(SRFD_R_TICK), 0);
	ck_assert_uint_eq(state(0).probes_tx, 0);
}
END_TEST

static void tick_n(int n)
{
	__u8 in[64];
	int i;

	for (i = 0; i < n; i++) {
		run(skel->progs.srfd_tick, in, ticker_frame(in), NULL, NULL);
		usleep(INTERVAL_US + 50);
	}
}

static void return_seqs(__u16 id, __u64 from, __u64 to)
{
	__u8 pkt[SRFD_PROBE_BUF_LEN];
	__u64 s;

	for (s = from; s <= to; s++)
		ck_assert_int_eq(run(skel->progs.srfd_rx_test, pkt,
				     returned_probe(pkt, id, s, KEY), NULL, NULL),
				 SRFD_R_PROBE_OK);
}

/* Session 0 (up_after 3) up: three ticks, every probe returned. */
static void bring_up(void)
{
	tick_n(3);
	return_seqs(0, 1, 3);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_UP);
}

START_TEST(test_up_then_watchdog_down)
{
	struct srfd_session_state st;

	tick_n(3);
	ck_assert_uint_eq(state(0).tx_seq, 3);
	return_seqs(0, 1, 2);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_INIT);
	return_seqs(0, 3, 3);
	st = state(0);
	ck_assert_uint_eq(st.state, SRFD_STATE_UP);
	ck_assert_uint_ne(st.last_change_ns, 0);
	ring_buffer__consume(rb);
	ck_assert_int_eq(events_up, 1);

	/* probes keep going out, none comes back: down after 3 intervals */
	tick_n(4);
	usleep(3 * INTERVAL_US * 4);
	st = state(0);
	ck_assert_uint_eq(st.state, SRFD_STATE_DOWN);
	ck_assert_uint_eq(st.downs, 1);
	ring_buffer__consume(rb);
	ck_assert_int_eq(events_down, 1);

	/* three good returns in a row bring it back */
	tick_n(3);
	return_seqs(0, 8, 10);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_UP);
}
END_TEST

START_TEST(test_sender_stall_is_not_a_failure)
{
	struct srfd_session_state st;

	bring_up();
	/* our own sending stalls for 20 detection times: nothing unanswered */
	usleep(20 * 3 * INTERVAL_US);
	st = state(0);
	ck_assert_uint_eq(st.state, SRFD_STATE_UP);
	ck_assert_uint_eq(st.downs, 0);
	ck_assert_uint_gt(st.stall_saves, 0);
}
END_TEST

START_TEST(test_stale_and_replayed_returns_do_not_refresh)
{
	bring_up();
	tick_n(4);
	/*
	 * A replay of an old sequence number and one never sent: authentic,
	 * counted as replays, and nothing of the session moves.
	 */
	{
		__u8 pkt[SRFD_PROBE_BUF_LEN];
		struct srfd_session_state before = state(0);

		ck_assert_int_eq(run(skel->progs.srfd_rx_test, pkt,
				     returned_probe(pkt, 0, 3, KEY), NULL, NULL),
				 SRFD_R_REPLAY);
		ck_assert_int_eq(run(skel->progs.srfd_rx_test, pkt,
				     returned_probe(pkt, 0, 1000, KEY), NULL, NULL),
				 SRFD_R_REPLAY);
		ck_assert_uint_eq(state(0).probes_rx, before.probes_rx);
		ck_assert_uint_eq(state(0).last_rtt_ns, before.last_rtt_ns);
		ck_assert_uint_eq(counter(SRFD_R_REPLAY), 2);
		ck_assert_uint_eq(counter(SRFD_R_PROBE_OK), 3);
	}
	usleep(3 * INTERVAL_US * 4);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_DOWN);
	ck_assert_uint_eq(state(0).rx_seq, 3);
}
END_TEST

/* Like run(), but a packet the test-run refuses (too short) gives -1. */

static unsigned long mutation_count(void)
{
	const char *env = getenv("SRFD_MUTATIONS");

	return env ? strtoul(env, NULL, 10) : 1000000;
}

/*
 * Mutation run of the receive path: a probe this session already accepted
 * (so every copy is at best a replay), mutated a million times (byte flips,
 * truncation, trailing bytes, SRH length/segments_left/last-entry lies,
 * forged sequence numbers, times and MACs). Not one may be accepted, and
 * the session's receive state must not move.
 */
START_TEST(test_rx_mutations)
{
	__u8 base[SRFD_PROBE_BUF_LEN], fresh[SRFD_PROBE_BUF_LEN];
	__u8 pkt[SRFD_PROBE_BUF_LEN + 64];
	int link = if_nametoindex("srfdt0"), other = if_nametoindex("srfdt1");
	unsigned long n = mutation_count(), i, seen[SRFD_R_MAX + 1] = { 0 };
	__u32 fresh_len;
	int ifindex;
	struct srfd_session_state before, after;
	const __u32 pl = 14 + 40 + 8 + 3 * 16;	/* probe payload offset */
	unsigned int seed = 20261123, k;
	__u32 blen, len;
	int r;

	tick_n(4);
	return_seqs(0, 1, 3);
	blen = returned_probe(base, 0, 3, KEY);
	fresh_len = returned_probe(fresh, 0, 4, KEY);	/* sent, not yet back */
	check_ingress(0, link, 1);
	before = state(0);
	for (i = 0; i < n; i++) {
		memcpy(pkt, base, blen);
		len = blen;
		ifindex = link;
		switch (rand_r(&seed) % 6) {
		case 5:		/* authentic and fresh, relayed from another link */
			memcpy(pkt, fresh, fresh_len);
			len = fresh_len;
			ifindex = other;
			if (rand_r(&seed) & 1)
				pkt[14 + rand_r(&seed) % (len - 14)] ^= 1 + rand_r(&seed) % 255;
			break;
		case 0:		/* 1..4 random bytes anywhere after L2 */
			for (k = 0; k < 1 + (unsigned int)rand_r(&seed) % 4; k++)
				pkt[14 + rand_r(&seed) % (blen - 14)] = rand_r(&seed);
			break;
		case 1:		/* truncated */
			len = 14 + rand_r(&seed) % (blen - 14);
			break;
		case 2:		/* trailing bytes, announced or not */
			len = blen + 1 + rand_r(&seed) % 63;
			for (k = blen; k < len; k++)
				pkt[k] = rand_r(&seed);
			if (rand_r(&seed) & 1)
				pkt[14 + 5] += len - blen;
			break;
		case 3:		/* SRH lies */
			pkt[14 + 40 + 1 + rand_r(&seed) % 4] = rand_r(&seed);
			break;
		default:	/* forged session, sequence number, time or MAC */
			for (k = 0; k < 8; k++)
				pkt[pl + 6 + rand_r(&seed) % 26] = rand_r(&seed);
			break;
		}
		r = run_any(skel->progs.srfd_rx_test, pkt, len, ifindex);
		ck_assert_int_ne(r, SRFD_R_PROBE_OK);
		seen[r >= 0 && r < SRFD_R_MAX ? r : SRFD_R_MAX]++;
	}
	after = state(0);
	ck_assert_uint_eq(after.rx_seq, before.rx_seq);
	ck_assert_uint_eq(after.probes_rx, before.probes_rx);
	ck_assert_uint_eq(after.last_rtt_ns, before.last_rtt_ns);
	ck_assert_uint_eq(after.good_streak, before.good_streak);
	fprintf(stderr, "# %lu mutated returns: truncated %lu, not_srh %lu, bad_srh %lu, "
		"not_probe %lu, bad_session %lu, bad_mac %lu, replayed %lu, wrong_path %lu, "
		"wrong_ingress %lu, refused by test-run %lu\n", n, seen[SRFD_R_TRUNCATED],
		seen[SRFD_R_NOT_SRH], seen[SRFD_R_BAD_SRH], seen[SRFD_R_NOT_PROBE],
		seen[SRFD_R_BAD_SESSION], seen[SRFD_R_BAD_MAC], seen[SRFD_R_REPLAY],
		seen[SRFD_R_WRONG_PATH], seen[SRFD_R_WRONG_INGRESS], seen[SRFD_R_MAX]);
	/* the run reached every check, not just the first */
	ck_assert_uint_gt(seen[SRFD_R_BAD_MAC], 0);
	ck_assert_uint_gt(seen[SRFD_R_REPLAY], 0);
	ck_assert_uint_gt(seen[SRFD_R_BAD_SRH], 0);
	ck_assert_uint_gt(seen[SRFD_R_TRUNCATED], 0);
	ck_assert_uint_gt(seen[SRFD_R_WRONG_INGRESS], 0);
	/* and the fresh probe is accepted where it belongs */
	ck_assert_int_eq(run_any(skel->progs.srfd_rx_test, fresh, fresh_len, link),
			 SRFD_R_PROBE_OK);
}
END_TEST

/* Test-run @prog as if on device @ifindex; *out_len bytes of output. */
static int run_dev(struct bpf_program *prog, const void *pkt, __u32 len,
		   int ifindex, void *out, __u32 *out_len)
{
	struct __sk_buff ctx = { .ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len,
		    .data_out = out, .data_size_out = *out_len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));

	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts))
		return -1000;	/* refused by the test-run itself */
	*out_len = opts.data_size_out;
	return opts.retval;
}

/* One random change of the kinds the receive run uses, on @pkt of *len. */
static void mutate_frame(__u8 *pkt, __u32 *len, __u32 max, unsigned int *seed)
{
	unsigned int k;

	switch (rand_r(seed) % 5) {
	case 0:		/* 1..4 random bytes anywhere, L2 included */
		for (k = 0; k < 1 + (unsigned int)rand_r(seed) % 4; k++)
			pkt[rand_r(seed) % *len] = rand_r(seed);
		break;
	case 1:		/* truncated */
		*len = 1 + rand_r(seed) % *len;
		break;
	case 2:		/* trailing bytes */
		k = *len + 1 + rand_r(seed) % 63;
		if (k > max)
			k = max;
		for (; *len < k; (*len)++)
			pkt[*len] = rand_r(seed);
		break;
	case 3:		/* IPv6 / SRH header fields */
		pkt[14 + rand_r(seed) % 48] = rand_r(seed);
		break;
	default:	/* ethertype */
		pkt[12 + rand_r(seed) % 2] = rand_r(seed);
		break;
	}
}

/*
 * Mutation run of srfd_tick, both passes: mutated ticker frames count as a
 * tick only while ethertype and magic are intact; mutated copies of a probe
 * on its second pass are sent on only if they still parse as a probe of a
 * live session (nothing else may leave by the monitored link), are never
 * changed, and never touch a session's state.
 */
START_TEST(test_tick_mutations)
{
	__u8 probe[SRFD_PROBE_BUF_LEN * 2], tick[128], pkt[SRFD_PROBE_BUF_LEN * 2];
	__u8 out[SRFD_PROBE_BUF_LEN * 4];
	unsigned long n = mutation_count(), i, ticks = 0, sent = 0, dropped = 0;
	unsigned int seed = 20261124;
	struct srfd_probe_info info;
	struct srfd_session_state before;
	__u32 plen = sizeof(probe), len, out_len;
	__u64 t0;
	int r;

	/* a genuine probe, as the first pass leaves it */
	ck_assert_int_eq(run(skel->progs.srfd_tick, tick, ticker_frame(tick), probe,
			     &plen), TC_ACT_SHOT);
	ck_assert_uint_eq(plen, SRFD_PROBE_LEN(3));
	before = state(0);
	t0 = counter(SRFD_R_TICK);
	for (i = 0; i < n; i++) {
		int is_tick = i % 5 == 0;

		len = is_tick ? ticker_frame(pkt) : plen;
		if (!is_tick)
			memcpy(pkt, probe, plen);
		mutate_frame(pkt, &len, sizeof(pkt), &seed);
		out_len = sizeof(out);
		if (is_tick) {
			/* ticks may send probes: judged by the counter only */
			__u64 c = counter(SRFD_R_TICK);
			int valid = len >= 14 + 8 && pkt[12] == (SRFD_TICK_ETHERTYPE >> 8) &&
				    pkt[13] == (SRFD_TICK_ETHERTYPE & 0xff) &&
				    !memcmp(pkt + 14, tick + 14, 4);

			if (len < 14)
				continue;	/* no frame at all: the test-run refuses it */
			r = run_dev(skel->progs.srfd_tick, pkt, len, 1, out, &out_len);
			ck_assert_int_eq(r, TC_ACT_SHOT);
			ck_assert_uint_eq(counter(SRFD_R_TICK) - c, valid);
			ticks += valid;
			continue;
		}
		r = run_dev(skel->progs.srfd_tick, pkt, len, 1, out, &out_len);
		if (r == -1000)
			continue;
		if (r == TC_ACT_REDIRECT) {
			ck_assert_int_eq(srfd_probe_parse(pkt + 14, len - 14, &info),
					 SRFD_R_PROBE_OK);
			ck_assert_uint_eq(info.session_id, 0);
			ck_assert(pkt[12] == 0x86 && pkt[13] == 0xdd);
			sent++;
		} else {
			ck_assert_int_eq(r, TC_ACT_SHOT);
			dropped++;
		}
		ck_assert_uint_eq(out_len, len);
		ck_assert_mem_eq(out, pkt, len);	/* sent or not: untouched */
	}
	/* the probe pass touched no session; only intact ticks sent probes */
	ck_assert_uint_eq(state(0).rx_seq, before.rx_seq);
	ck_assert_uint_eq(state(0).probes_rx, before.probes_rx);
	ck_assert_uint_eq(counter(SRFD_R_TICK) - t0, ticks);
	fprintf(stderr, "# %lu mutated tick frames and probes: %lu intact ticks, %lu probes "
		"still valid and sent, %lu dropped\n", n, ticks, sent, dropped);
	/* both verdicts were reached (L2 bytes or trailing bytes keep a probe valid) */
	ck_assert_uint_gt(dropped, 0);
	ck_assert_uint_gt(sent, 0);
	ck_assert_uint_gt(ticks, 0);
}
END_TEST

/* The stall rule is bounded: a clock dead past stall_ns leaves `up`. */
START_TEST(test_dead_clock_stalls)
{
	struct srfd_session_state st;

	stall_ns = 20 * 1000000ULL;
	add_session(0, 3, 3);
	bring_up();
	/* within the limit it is still our own hiccup */
	usleep(10000);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_UP);
	usleep(40000);
	st = state(0);
	ck_assert_uint_eq(st.state, SRFD_STATE_STALLED);
	ck_assert_uint_eq(st.down_reason, SRFD_DOWN_CLOCK);
	ck_assert_uint_eq(st.downs, 1);
	ring_buffer__consume(rb);
	ck_assert_int_eq(events_stalled, 1);
	/* the clock runs again: the usual up_after rule brings it back */
	tick_n(3);
	return_seqs(0, 4, 6);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_UP);
}
END_TEST

/* Forward declarations of the prefix helpers below. */
static void add_prefix(__u32 hold_ms);
static struct srfd_prefix_state prefix_state(void);

/* Session 0 keeps answering until its prefix is back on the primary. */
static void answer_until_primary(void)
{
	struct srfd_session_state st;
	int i;

	for (i = 0; i < 200 && prefix_state().active != SRFD_LIST_PRIMARY; i++) {
		tick_n(1);
		st = state(0);
		return_seqs(0, st.tx_seq, st.tx_seq);
		usleep(INTERVAL_US);
	}
	ck_assert_uint_eq(prefix_state().active, SRFD_LIST_PRIMARY);
}

/*
 * watchdog = "ticker" (and any session the kernel gave no timer): the ticker
 * judges the session on its visits with the same rule, and srfd_global's
 * clock watch stalls it when the ticks stop.
 */
START_TEST(test_ticker_judges_untimed_sessions)
{
	struct srfd_session_state st;
	struct srfd_global g;
	__u32 zero = 0;
	int i;

	stall_ns = 20 * 1000000ULL;
	settings_flags = SRFD_SET_F_TICKER_WATCHDOG;
	add_session(0, 3, 3);
	add_prefix(20);
	tick_n(3);
	return_seqs(0, 1, 3);
	st = state(0);
	ck_assert_uint_eq(st.state, SRFD_STATE_UP);
	ck_assert_uint_ne(st.armed, 1);		/* no timer of its own */
	/* no timer: silence alone (no ticks) does not take it down */
	usleep(3 * INTERVAL_US * 3);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_UP);
	/* ticks send probes that never return: down at a visit */
	for (i = 0; i < 8 && state(0).state == SRFD_STATE_UP; i++)
		tick_n(1);
	st = state(0);
	ck_assert_uint_eq(st.state, SRFD_STATE_DOWN);
	ck_assert_uint_eq(st.down_reason, SRFD_DOWN_WATCHDOG);
	ck_assert_uint_ge(st.tx_seq - st.rx_seq, 3);
	ck_assert_uint_ge(st.last_change_ns - st.last_rx_ns, 3 * INTERVAL_US * 1000ULL);
	ck_assert_uint_eq(prefix_state().active, SRFD_LIST_BACKUP);
	/* back up: the ticker reverts the prefix after its hold-down */
	tick_n(1);
	return_seqs(0, st.tx_seq + 1 - 1, st.tx_seq + 1);
	tick_n(2);
	st = state(0);
	return_seqs(0, st.tx_seq - 1, st.tx_seq);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_UP);
	answer_until_primary();
	/* then the clock dies: the clock watch stalls it */
	ck_assert_int_eq(bpf_map__lookup_elem(skel->maps.srfd_global, &zero, 4, &g,
					      sizeof(g), 0), 0);
	ck_assert_uint_eq(g.clock_armed, 1);
	usleep(60000);
	st = state(0);
	ck_assert_uint_eq(st.state, SRFD_STATE_STALLED);
	ck_assert_uint_eq(st.down_reason, SRFD_DOWN_CLOCK);
}
END_TEST

static __u64 sched_tick(void)
{
	struct srfd_global g;
	__u32 zero = 0;

	ck_assert_int_eq(bpf_map__lookup_elem(skel->maps.srfd_global, &zero, 4, &g,
					      sizeof(g), 0), 0);
	return g.sched_tick;
}

/*
 * srfd_tick follows the schedule srfdd lays out: 8 sessions of 4 ms on a
 * 1 ms tick sit 2 per bucket, and each tick sends to exactly the sessions
 * of the buckets it advanced over, nobody else; every session goes once
 * per 4 ticks. Then a session is removed from the schedule (the idle half
 * rewritten, settings switched): it is not sent to any more, the others go on.
 */
START_TEST(test_tick_follows_schedule)
{
	static struct srfd_config conf;
	static struct srfd_sched_plan plan, next;
	struct srfd_session_cfg cfg;
	struct srfd_settings settings;
	__u64 before[8], t0, t1, sent, moved, n_ok = 0;
	__u16 slots[8];
	__u32 zero = 0, i, k;
	char why[256];
	int tick;

	memset(&conf, 0, sizeof(conf));
	inet_pton(AF_INET6, "fc00:a::bf", conf.local_sid);
	inet_pton(AF_INET6, "fc00:a::1", conf.source);
	conf.nsessions = 8;
	conf.tick_us = 1000;	/* configured: 4 buckets per 4 ms session */
	for (i = 0; i < 8; i++) {
		struct srfd_session_conf *sc = &conf.sessions[i];

		snprintf(sc->name, sizeof(sc->name), "s%u", i);
		sc->nsegs = 1;
		inet_pton(AF_INET6, "fc00:b::e1", sc->segs[0]);
		inet_pton(AF_INET6, "fe80::2", sc->neighbor);
		sc->interval_us = 4000;
		sc->multiplier = 3;
		sc->up_after = 3;
		slots[i] = i;
		ck_assert_int_eq(srfd_session_cfg_build(&conf, i, i, 1, KEY, &cfg), 0);
		ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_sess_cfg, &i, 4, &cfg,
						      sizeof(cfg), 0), 0);
	}
	ck_assert_int_eq(srfd_sched_build(&conf, slots, NULL, &plan, why, sizeof(why)), 0);
	ck_assert_uint_eq(plan.hdr.nclasses, 1);
	ck_assert_uint_eq(plan.hdr.classes[0].period, 4);
	for (k = 0; k < 4; k++)	/* phases spread: 2 per bucket */
		ck_assert_uint_eq(plan.bucket[k + 1] - plan.bucket[k], 2);
	write_schedule(&plan, 0);
	ck_assert_int_eq(bpf_map__lookup_elem(skel->maps.srfd_settings, &zero, 4, &settings,
					      sizeof(settings), 0), 0);
	settings.nr_slots = 8;
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_settings, &zero, 4, &settings,
					      sizeof(settings), 0), 0);

	tick_n(1);	/* the first tick starts the schedule */
	for (tick = 0; tick < 16; tick++) {
		for (i = 0; i < 8; i++)
			before[i] = state(i).probes_tx;
		t0 = sched_tick();
		tick_n(1);
		t1 = sched_tick();
		for (i = 0, sent = 0; i < 8; i++)
			sent += state(i).probes_tx - before[i];
		moved = t1 - t0;
		/* a tick advanced over `moved` buckets (1 unless usleep overslept) */
		if (moved >= 1 && moved < 4) {
			ck_assert_uint_eq(sent, 2 * moved);
			n_ok++;
		}
	}
	ck_assert_uint_ge(n_ok, 8);
	for (i = 0; i < 8; i++) {
		__u64 tx = state(i).probes_tx;

		ck_assert_uint_ge(tx, 3);	/* 17 ticks of 1 ms, every 4 ms */
		ck_assert_uint_le(tx, 6);
	}

	/* session 5 leaves: the idle half gets the new schedule */
	conf.sessions[5] = conf.sessions[7];
	slots[5] = 7;
	conf.nsessions = 7;
	ck_assert_int_eq(srfd_sched_build(&conf, slots, &plan, &next, why, sizeof(why)), 0);
	write_schedule(&next, 1);
	settings.sched_half = 1;
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_settings, &zero, 4, &settings,
					      sizeof(settings), 0), 0);
	for (i = 0; i < 8; i++)
		before[i] = state(i).probes_tx;
	tick_n(12);
	for (i = 0; i < 8; i++) {
		if (i == 5)
			ck_assert_uint_eq(state(i).probes_tx, before[i]);
		else
			ck_assert_uint_ge(state(i).probes_tx - before[i], 2);
	}
	/* the sessions that stayed kept their buckets */
	for (i = 0; i < 8; i++)
		if (i != 5)
			ck_assert_uint_eq(next.phase_of[i], plan.phase_of[i]);
}
END_TEST

static int run_cmd(__u32 op, __u32 slot, __u32 reason)
{
	__u8 pkt[ETH_HLEN_SRFD + 40] = { 0 };
	struct srfd_cmd cmd = { .op = op, .session = slot, .reason = reason };

	pkt[12] = 0x86;
	pkt[13] = 0xdd;
	memcpy(pkt + ETH_HLEN_SRFD, &cmd, sizeof(cmd));
	return run(skel->progs.srfd_cmd, pkt, sizeof(pkt), NULL, NULL);
}

/* srfdd's link-down command: same transition and flip as the watchdog. */
START_TEST(test_cmd_takes_session_down)
{
	struct srfd_session_state st;

	add_prefix(100);
	bring_up();
	ck_assert_int_eq(run_cmd(SRFD_CMD_DOWN, 0, SRFD_DOWN_LINK), 1);
	st = state(0);
	ck_assert_uint_eq(st.state, SRFD_STATE_DOWN);
	ck_assert_uint_eq(st.down_reason, SRFD_DOWN_LINK);
	ck_assert_uint_eq(st.downs, 1);
	ck_assert_uint_eq(prefix_state().active, SRFD_LIST_BACKUP);
	ck_assert_uint_eq(prefix_state().switches, 1);
	/* already down: no second transition, the newer reason is kept */
	ck_assert_int_eq(run_cmd(SRFD_CMD_DOWN, 0, SRFD_DOWN_IFACE_GONE), 0);
	ck_assert_uint_eq(state(0).down_reason, SRFD_DOWN_IFACE_GONE);
	ck_assert_uint_eq(state(0).downs, 1);
	ring_buffer__consume(rb);
	ck_assert_int_eq(events_down, 1);
	/* bad commands change nothing */
	ck_assert_int_eq(run_cmd(99, 0, SRFD_DOWN_LINK), 2);
	ck_assert_int_eq(run_cmd(SRFD_CMD_DOWN, SRFD_MAX_SESSIONS, SRFD_DOWN_LINK), 2);
}
END_TEST

/*
 * `srfdctl session disable/enable`: admin down drains the prefix, sends
 * nothing, ignores link-down commands and returns; enable starts from init
 * and the prefix reverts after the hold-down. Then `stats clear`.
 */
START_TEST(test_cmd_admin_down)
{
	struct srfd_session_state st;
	struct srfd_global g;
	__u32 zero = 0;
	__u64 tx;

	add_prefix(20);
	bring_up();
	ck_assert_int_eq(run_cmd(SRFD_CMD_ADMIN_DOWN, 0, SRFD_DOWN_ADMIN), 1);
	st = state(0);
	ck_assert_uint_eq(st.state, SRFD_STATE_ADMIN_DOWN);
	ck_assert_uint_eq(st.down_reason, SRFD_DOWN_ADMIN);
	ck_assert_uint_eq(prefix_state().active, SRFD_LIST_BACKUP);
	ck_assert_int_eq(run_cmd(SRFD_CMD_ADMIN_DOWN, 0, SRFD_DOWN_ADMIN), 0);
	/* a link going down does not overrule the operator */
	ck_assert_int_eq(run_cmd(SRFD_CMD_DOWN, 0, SRFD_DOWN_LINK), 0);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_ADMIN_DOWN);
	ck_assert_uint_eq(state(0).down_reason, SRFD_DOWN_ADMIN);
	/* no probes while disabled; a late return does not bring it up */
	tx = state(0).tx_seq;
	tick_n(5);
	ck_assert_uint_eq(state(0).tx_seq, tx);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_ADMIN_DOWN);
	/* enable: init, probes again, up after up_after, revert after hold */
	ck_assert_int_eq(run_cmd(SRFD_CMD_ADMIN_UP, 0, SRFD_DOWN_ADMIN), 1);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_INIT);
	ck_assert_int_eq(run_cmd(SRFD_CMD_ADMIN_UP, 0, SRFD_DOWN_ADMIN), 0);
	tick_n(3);
	st = state(0);
	ck_assert_uint_gt(st.tx_seq, tx);
	return_seqs(0, tx + 1, st.tx_seq);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_UP);
	answer_until_primary();
	/* stats clear: the maxima go back to zero */
	ck_assert_int_eq(run_cmd(SRFD_CMD_CLEAR_STATS, 0, 0), 1);
	ck_assert_int_eq(bpf_map__lookup_elem(skel->maps.srfd_global, &zero, 4, &g,
					      sizeof(g), 0), 0);
	ck_assert_uint_eq(g.max_tick_gap_ns, 0);
	ck_assert_uint_eq(g.max_tick_visits, 0);
	ck_assert_uint_eq(g.sched_overruns, 0);
}
END_TEST

/*
 * The verifier's work per program, a deterministic stand-in for load time:
 * srfdd loads every program at each start (and a restart is meant to be
 * hitless). One walk over guarded prefixes placed inside srfd_tick's loops
 * once made its work 610,454 instructions (7x; the kernel's limit is 1M)
 * and a start take 2 s instead of 0.2 s.
 */
START_TEST(test_verifier_budget)
{
	static const struct { const char *name; __u32 budget; } budgets[] = {
		/* 1.5-3x what they take today (87,846; 2,227; 6,383; ~6,600) */
		{ "srfd_tick", 150000 }, { "srfd_encap", 10000 },
		{ "srfd_cmd", 20000 }, { "srfd_rx_test", 20000 },
		{ "srfd_end_bpf", 20000 }, { "srfd_sid_in", 20000 },
	};
	struct bpf_program *prog;
	unsigned int i;

	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (bpf_program__fd(prog) < 0)
			continue;
		ck_assert_int_eq(bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info,
							 &len), 0);
		printf("# %s: %u instructions verified\n", bpf_program__name(prog),
		       info.verified_insns);
		fflush(stdout);
		for (i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++)
			if (!strcmp(budgets[i].name, bpf_program__name(prog)))
				ck_assert_uint_le(info.verified_insns, budgets[i].budget);
	}
}
END_TEST

/* A restarted srfdd bumps the generation: the watchdog is re-armed once. */
START_TEST(test_new_generation_rearms_watchdog)
{
	struct srfd_settings set;
	__u32 zero = 0;

	tick_n(1);
	ck_assert_uint_eq(state(0).armed, 1);
	ck_assert_int_eq(bpf_map__lookup_elem(skel->maps.srfd_settings, &zero, 4,
					      &set, sizeof(set), 0), 0);
	set.generation = 2;
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_settings, &zero, 4,
					      &set, sizeof(set), 0), 0);
	tick_n(3);
	ck_assert_uint_eq(state(0).armed, 2);
	return_seqs(0, 1, 4);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_UP);
	/* the re-armed watchdog still judges: silence -> down */
	tick_n(4);
	usleep(3 * INTERVAL_US * 4);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_DOWN);
}
END_TEST

/* Protected prefix 0: fc00:2::/64, primary via B, backup via C. */
static void add_prefix(__u32 hold_ms)
{
	struct srfd_config *conf = calloc(1, sizeof(*conf));
	struct srfd_session_guards guards;
	struct srfd_prefix_key key = { .prefixlen = 64 };
	struct srfd_prefix_cfg cfg;
	__u32 idx = 0, slot = 0;

	ck_assert_ptr_nonnull(conf);
	inet_pton(AF_INET6, "fc00:a::1", conf->encap_src);
	conf->nsessions = 1;
	conf->nprefixes = 1;
	inet_pton(AF_INET6, "fc00:2::", conf->prefixes[0].addr);
	conf->prefixes[0].plen = 64;
	conf->prefixes[0].nsegs[0] = 2;
	conf->prefixes[0].nsegs[1] = 2;
	inet_pton(AF_INET6, "fc00:b::e", conf->prefixes[0].segs[0][0]);
	inet_pton(AF_INET6, "fc00:d::d6", conf->prefixes[0].segs[0][1]);
	inet_pton(AF_INET6, "fc00:c::e", conf->prefixes[0].segs[1][0]);
	inet_pton(AF_INET6, "fc00:d::d6", conf->prefixes[0].segs[1][1]);
	conf->prefixes[0].nguards = 1;
	conf->prefixes[0].guards[0] = 0;
	conf->prefixes[0].hold_ms = hold_ms;
	conf->prefixes[0].hold_max_ms = 4 * hold_ms;
	conf->prefixes[0].quiet_ms = 1000;
	ck_assert_int_eq(srfd_prefix_cfg_build(conf, 0, NULL, &cfg), 0);
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_prefix_cfg, &idx, 4,
					      &cfg, sizeof(cfg), 0), 0);
	memcpy(key.addr, conf->prefixes[0].addr, 16);
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_prefix_lpm, &key,
					      sizeof(key), &idx, 4, 0), 0);
	ck_assert_uint_eq(srfd_session_guards_build(conf, 0, NULL, &guards), 1);
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_sess_guards, &slot,
					      4, &guards, sizeof(guards), 0), 0);
	free(conf);
}

static struct srfd_prefix_state prefix_state(void)
{
	struct srfd_prefix_state st;
	__u32 idx = 0;

	ck_assert_int_eq(bpf_map__lookup_elem(skel->maps.srfd_prefix_state, &idx,
					      4, &st, sizeof(st), 0), 0);
	return st;
}

/* Ethernet + IPv6 + UDP towards @dst with @payload bytes of payload. */
static __u32 udp6_frame(__u8 *buf, const char *dst, __u32 payload)
{
	__u32 len = 14 + 40 + 8 + payload;

	memset(buf, 0, len);
	buf[12] = 0x86;
	buf[13] = 0xdd;
	buf[14] = 0x60 | 0x0a;		/* traffic class 0xa0 */
	buf[18] = (8 + payload) >> 8;
	buf[19] = (8 + payload) & 0xff;
	buf[20] = 17;
	buf[21] = 63;
	inet_pton(AF_INET6, "fc00:1::2", buf + 22);
	inet_pton(AF_INET6, dst, buf + 38);
	buf[54] = 0x30;
	buf[56] = 0x13;
	buf[59] = 8 + payload;
	memset(buf + 62, 0x5a, payload);
	return len;
}

START_TEST(test_encap_bytes_and_flip)
{
	__u8 in[256], out[512], sid[16], inner[256];
	__u32 in_len, out_len = sizeof(out), list;
	const __u8 *ip6 = out + 14, *srh = out + 54;
	struct srfd_prefix_state ps = { 0 };
	__u32 idx = 0;

	add_prefix(100);
	in_len = udp6_frame(in, "fc00:2::9", 100);
	memcpy(inner, in + 14, in_len - 14);
	for (list = 0; list < 2; list++) {
		out_len = sizeof(out);

		ck_assert_int_eq(run(skel->progs.srfd_encap, in, in_len, out, &out_len),
				 TC_ACT_REDIRECT);
		ck_assert_uint_eq(out_len, in_len + 40 + 8 + 2 * 16);
		ck_assert_uint_eq(ip6[0] >> 4, 6);
		ck_assert_uint_eq(((ip6[0] & 0xf) << 4) | (ip6[1] >> 4), 0xa0);
		ck_assert_uint_eq((ip6[4] << 8) | ip6[5], 8 + 32 + in_len - 14);
		ck_assert_uint_eq(ip6[6], 43);
		inet_pton(AF_INET6, "fc00:a::1", sid);
		ck_assert_mem_eq(ip6 + 8, sid, 16);
		inet_pton(AF_INET6, list ? "fc00:c::e" : "fc00:b::e", sid);
		ck_assert_mem_eq(ip6 + 24, sid, 16);	/* DA: first SID */
		ck_assert_uint_eq(srh[0], 41);		/* inner IPv6 */
		ck_assert_uint_eq(srh[1], 4);
		ck_assert_uint_eq(srh[2], 4);
		ck_assert_uint_eq(srh[3], 1);		/* segments left */
		ck_assert_uint_eq(srh[4], 1);
		ck_assert_mem_eq(srh + 8 + 16, sid, 16);	/* reverse order */
		inet_pton(AF_INET6, "fc00:d::d6", sid);
		ck_assert_mem_eq(srh + 8, sid, 16);
		ck_assert_mem_eq(out + 14 + 40 + 40, inner, in_len - 14);
		/* flip, as the watchdog would */
		ps.active = SRFD_LIST_BACKUP;
		ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_prefix_state,
						      &idx, 4, &ps, sizeof(ps), 0), 0);
	}
	ck_assert_uint_eq(counter(SRFD_R_ENCAP_OK), 2);
}
END_TEST

START_TEST(test_encap_leaves_other_traffic)
{
	__u8 in[256], out[512];
	__u32 in_len, out_len = sizeof(out);

	add_prefix(100);
	in_len = udp6_frame(in, "fc00:3::9", 100);
	ck_assert_int_eq(run(skel->progs.srfd_encap, in, in_len, out, &out_len),
			 TC_ACT_SHOT);
	ck_assert_uint_eq(out_len, in_len);
	ck_assert_mem_eq(out, in, in_len);
	ck_assert_uint_eq(counter(SRFD_R_ENCAP_NO_PREFIX), 1);
	ck_assert_uint_eq(counter(SRFD_R_ENCAP_OK), 0);
}
END_TEST

START_TEST(test_encap_too_big_is_counted)
{
	static __u8 in[1600], out[1800];
	__u32 in_len, out_len = sizeof(out);

	add_prefix(100);
	in_len = udp6_frame(in, "fc00:2::9", 1500 - 48);	/* 1500 inner bytes */
	ck_assert_int_eq(run(skel->progs.srfd_encap, in, in_len, out, &out_len),
			 TC_ACT_SHOT);
	ck_assert_uint_eq(counter(SRFD_R_ENCAP_TOO_BIG), 1);
	ck_assert_uint_eq(counter(SRFD_R_ENCAP_OK), 0);
}
END_TEST

/* 1 if the IPv6 destination of @frame (@len bytes) is in fc00:2::/64. */
static int to_protected(const __u8 *frame, __u32 len)
{
	static const __u8 prefix[8] = { 0xfc, 0, 0, 2 };

	return len >= 14 + 40 && frame[12] == 0x86 && frame[13] == 0xdd &&
	       !memcmp(frame + 14 + 24, prefix, 8);
}

/*
 * Mutation run of srfd_encap, on the loop and on the primary's egress
 * device: whatever the frame, a packet for a protected prefix never leaves
 * unencapsulated, an encapsulated one carries the input unchanged behind a
 * well-formed outer header and SRH, and other traffic passes untouched.
 */
START_TEST(test_encap_mutations)
{
	static __u8 base[256], pkt[512], out[1024];
	unsigned long n = mutation_count(), i, encapped = 0, passed = 0, dropped = 0;
	int dev = if_nametoindex("srfdt0"), on_loop, r;
	unsigned int seed = 20261125;
	__u32 blen, len, out_len, inner;
	__u64 ok0;

	ck_assert_int_ne(dev, 0);
	add_prefix(100);
	blen = udp6_frame(base, "fc00:2::9", 100);
	for (i = 0; i < n; i++) {
		memcpy(pkt, base, blen);
		len = blen;
		mutate_frame(pkt, &len, sizeof(pkt), &seed);
		if (rand_r(&seed) % 4 == 0)	/* in and out of the prefix */
			pkt[14 + 24 + rand_r(&seed) % 16] ^= 1 << (rand_r(&seed) % 8);
		if (len < 14)
			continue;
		on_loop = i & 1;
		out_len = sizeof(out);
		ok0 = counter(SRFD_R_ENCAP_OK);
		r = run_dev(skel->progs.srfd_encap, pkt, len, on_loop ? 1 : dev, out,
			    &out_len);
		if (r == -1000)
			continue;
		if (counter(SRFD_R_ENCAP_OK) != ok0) {
			/* encapsulated: outer IPv6 + SRH (2 SIDs) + the input's L3 */
			inner = len - 14;
			ck_assert(r == TC_ACT_REDIRECT || (!on_loop && r == TC_ACT_OK));
			ck_assert(to_protected(pkt, len));
			ck_assert_uint_eq(out_len, len + 80);
			ck_assert_uint_eq(out[14] >> 4, 6);
			ck_assert_uint_eq((out[18] << 8) | out[19], 40 + inner);
			ck_assert_uint_eq(out[20], 43);
			ck_assert_uint_eq(out[54], 41);
			ck_assert_uint_eq(out[55], 4);
			ck_assert_uint_eq(out[56], 4);
			ck_assert_uint_eq(out[57], 1);
			ck_assert_mem_eq(out + 94, pkt + 14, inner);
			encapped++;
			continue;
		}
		/* not encapsulated: dropped, or (egress device only) passed as is */
		if (r == TC_ACT_SHOT) {
			dropped++;
			continue;
		}
		ck_assert(!on_loop);
		ck_assert_int_eq(r, TC_ACT_UNSPEC);
		ck_assert(!to_protected(pkt, len));
		ck_assert_uint_eq(out_len, len);
		ck_assert_mem_eq(out, pkt, len);
		passed++;
	}
	fprintf(stderr, "# %lu mutated frames through srfd_encap: %lu encapsulated, %lu passed "
		"untouched (not protected), %lu dropped\n", n, encapped, passed, dropped);
	ck_assert_uint_gt(encapped, 0);
	ck_assert_uint_gt(passed, 0);
	ck_assert_uint_gt(dropped, 0);
}
END_TEST

/* Prefix fc00:2::/64 (slot 0) with @n SIDs per list: fc00:b::N.. / fc00:c::N.. */
static void add_prefix_n(unsigned int n)
{
	struct srfd_config *conf = calloc(1, sizeof(*conf));
	struct srfd_prefix_key key = { .prefixlen = 64 };
	struct srfd_prefix_cfg cfg;
	unsigned int l, k;
	__u32 idx = 0;
	char sid[64];

	ck_assert_ptr_nonnull(conf);
	inet_pton(AF_INET6, "fc00:a::1", conf->encap_src);
	conf->nsessions = 1;
	conf->nprefixes = 1;
	inet_pton(AF_INET6, "fc00:2::", conf->prefixes[0].addr);
	conf->prefixes[0].plen = 64;
	for (l = 0; l < 2; l++) {
		conf->prefixes[0].nsegs[l] = n;
		for (k = 0; k < n; k++) {
			snprintf(sid, sizeof(sid), "fc00:%c::%x", l ? 'c' : 'b', 0xe + k);
			inet_pton(AF_INET6, sid, conf->prefixes[0].segs[l][k]);
		}
	}
	conf->prefixes[0].nguards = 1;
	conf->prefixes[0].hold_ms = 100;
	conf->prefixes[0].hold_max_ms = 100;
	conf->prefixes[0].quiet_ms = 1000;
	ck_assert_int_eq(srfd_prefix_cfg_build(conf, 0, NULL, &cfg), 0);
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_prefix_cfg, &idx, 4,
					      &cfg, sizeof(cfg), 0), 0);
	memcpy(key.addr, conf->prefixes[0].addr, 16);
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_prefix_lpm, &key,
					      sizeof(key), &idx, 4, 0), 0);
	free(conf);
}

/* Trust srfd_nexthops for @secs from now (negative: expired). */
static void nexthops_until(int secs)
{
	struct timespec ts;
	__u32 zero = 0;
	__u64 until;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	until = ts.tv_sec * 1000000000ULL + ts.tv_nsec + (__s64)secs * 1000000000LL;
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_nexthops_until, &zero, 4,
					      &until, sizeof(until), 0), 0);
}

static void set_nexthop(unsigned int list, int ifindex, __u8 tag, __u32 mtu)
{
	struct srfd_nexthop nh = { .ifindex = ifindex, .mtu = mtu,
				   .dmac = { 0x02, 0xd, 0, 0, 0, tag },
				   .smac = { 0x02, 0x5, 0, 0, 0, tag } };
	__u32 key = SRFD_ENCAP_STATS_KEY(0, list);

	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_nexthops, &key, 4,
					      &nh, sizeof(nh), 0), 0);
}

static void set_active(unsigned int list)
{
	struct srfd_prefix_state ps = { .active = list };
	__u32 idx = 0;

	ck_assert_int_eq(bpf_map__update_elem(skel->maps.srfd_prefix_state, &idx, 4,
					      &ps, sizeof(ps), 0), 0);
}

/*
 * The cached-next-hop path, byte for byte, for 1..8 SIDs and both lists:
 * on the device the fast route chose the packet goes on with its L2 header
 * untouched (TC_ACT_OK); on the backup list it gets the cached MACs and is
 * redirected; after a revert it is back on the primary; no FIB lookup
 * while srfdd keeps the cache fresh, a FIB lookup once it stopped.
 */
START_TEST(test_encap_cached_bytes)
{
	static __u8 in[256], out[2048];
	int link = if_nametoindex("srfdt0"), other = if_nametoindex("srfdt1");
	struct __sk_buff ctx = { .ifindex = link };
	unsigned int n, step, k, list;
	__u32 in_len, hl;
	__u8 sid[16], src[16];
	char buf[64];

	inet_pton(AF_INET6, "fc00:a::1", src);
	nexthops_until(60);
	for (n = 1; n <= SRFD_MAX_ENCAP_SEGS; n++) {
		add_prefix_n(n);
		set_nexthop(SRFD_LIST_PRIMARY, link, 1, 1500);
		set_nexthop(SRFD_LIST_BACKUP, other, 2, 1500);
		hl = 40 + 8 + 16 * n;
		for (step = 0; step < 3; step++) {	/* primary, flip, revert */
			LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_out = out,
				    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));

			list = step == 1 ? SRFD_LIST_BACKUP : SRFD_LIST_PRIMARY;
			set_active(list);
			in_len = udp6_frame(in, "fc00:2::9", 100);
			opts.data_size_in = in_len;
			opts.data_size_out = sizeof(out);
			ck_assert_int_eq(bpf_prog_test_run_opts(
				bpf_program__fd(skel->progs.srfd_encap), &opts), 0);
			ck_assert_uint_eq(opts.data_size_out, in_len + hl);
			if (list == SRFD_LIST_PRIMARY) {
				ck_assert_int_eq(opts.retval, TC_ACT_OK);
				ck_assert_mem_eq(out, in, 12);	/* L2 as the kernel wrote it */
			} else {
				ck_assert_int_eq(opts.retval, TC_ACT_REDIRECT);
				ck_assert_uint_eq(out[5], 2);	/* cached dmac */
				ck_assert_uint_eq(out[11], 2);	/* cached smac */
				ck_assert_uint_eq(out[1], 0xd);
				ck_assert_uint_eq(out[7], 0x5);
			}
			ck_assert(out[12] == 0x86 && out[13] == 0xdd);
			ck_assert_uint_eq(out[14] >> 4, 6);
			ck_assert_uint_eq((out[18] << 8) | out[19], 8 + 16 * n + in_len - 14);
			ck_assert_uint_eq(out[20], 43);
			ck_assert_uint_eq(out[21], 64);		/* hop limit */
			ck_assert_mem_eq(out + 22, src, 16);
			snprintf(buf, sizeof(buf), "fc00:%c::e", list ? 'c' : 'b');
			inet_pton(AF_INET6, buf, sid);
			ck_assert_mem_eq(out + 38, sid, 16);	/* DA: first SID */
			ck_assert_uint_eq(out[54], 41);
			ck_assert_uint_eq(out[55], 2 * n);
			ck_assert_uint_eq(out[56], 4);
			ck_assert_uint_eq(out[57], n - 1);
			ck_assert_uint_eq(out[58], n - 1);
			for (k = 0; k < n; k++) {	/* reversed (RFC 8754) */
				snprintf(buf, sizeof(buf), "fc00:%c::%x", list ? 'c' : 'b',
					 0xe + n - 1 - k);
				inet_pton(AF_INET6, buf, sid);
				ck_assert_mem_eq(out + 62 + 16 * k, sid, 16);
			}
			ck_assert_mem_eq(out + 14 + hl, in + 14, in_len - 14);
		}
	}
	ck_assert_uint_eq(counter(SRFD_R_ENCAP_SLOW), 0);
	ck_assert_uint_eq(counter(SRFD_R_ENCAP_OK), 3 * SRFD_MAX_ENCAP_SEGS);

	/* the cached MTU is enforced; an unknown next hop falls back to the FIB */
	set_nexthop(SRFD_LIST_PRIMARY, link, 1, 1000);
	in_len = udp6_frame(in, "fc00:2::9", 100);
	{
		static __u8 big[1200];
		__u32 big_len = udp6_frame(big, "fc00:2::9", 1000);

		ck_assert_int_eq(run_dev(skel->progs.srfd_encap, big, big_len, link, out,
					 &(__u32){ sizeof(out) }), TC_ACT_SHOT);
		ck_assert_uint_eq(counter(SRFD_R_ENCAP_TOO_BIG), 1);
	}
	set_nexthop(SRFD_LIST_PRIMARY, 0, 0, 0);
	ck_assert_int_ne(run_dev(skel->progs.srfd_encap, in, in_len, link, out,
				 &(__u32){ sizeof(out) }), TC_ACT_UNSPEC);
	ck_assert_uint_eq(counter(SRFD_R_ENCAP_SLOW), 1);
	/* a cache srfdd stopped refreshing is not trusted: the FIB decides */
	set_nexthop(SRFD_LIST_PRIMARY, link, 1, 1500);
	nexthops_until(-1);
	ck_assert_int_ne(run_dev(skel->progs.srfd_encap, in, in_len, link, out,
				 &(__u32){ sizeof(out) }), TC_ACT_UNSPEC);
	ck_assert_uint_eq(counter(SRFD_R_ENCAP_SLOW), 2);
	nexthops_until(60);
	ck_assert_int_eq(run_dev(skel->progs.srfd_encap, in, in_len, link, out,
				 &(__u32){ sizeof(out) }), TC_ACT_OK);
	ck_assert_uint_eq(counter(SRFD_R_ENCAP_SLOW), 2);
}
END_TEST

/* As on the primary's egress device (not srfd-loop): send on, or pass. */
START_TEST(test_encap_on_egress_device)
{
	__u8 in[256], out[512], mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	__u32 in_len, out_len = sizeof(out);
	struct __sk_buff ctx = { .ifindex = if_nametoindex("srfdt0") };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_out = out,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));

	add_prefix(100);
	ck_assert_uint_ne(ctx.ifindex, 0);
	in_len = udp6_frame(in, "fc00:2::9", 100);
	opts.data_size_in = in_len;
	opts.data_size_out = out_len;
	ck_assert_int_eq(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.srfd_encap),
						&opts), 0);
	/* the first SID's next hop is on this device: no redirect */
	ck_assert_int_eq(opts.retval, TC_ACT_OK);
	ck_assert_uint_eq(opts.data_size_out, in_len + 40 + 8 + 32);
	ck_assert_mem_eq(out, mac, 6);	/* neighbour's MAC from the FIB */
	ck_assert_uint_eq(out[14 + 6], 43);
	ck_assert_uint_eq(counter(SRFD_R_ENCAP_OK), 1);

	/* everything else on a real device passes untouched, uncounted */
	in_len = udp6_frame(in, "fc00:3::9", 100);
	opts.data_size_in = in_len;
	opts.data_size_out = out_len;
	ck_assert_int_eq(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.srfd_encap),
						&opts), 0);
	ck_assert_int_eq((int)opts.retval, TC_ACT_UNSPEC);
	ck_assert_mem_eq(out, in, in_len);
	ck_assert_uint_eq(counter(SRFD_R_ENCAP_NO_PREFIX), 0);
}
END_TEST

START_TEST(test_watchdog_flips_and_reverts)
{
	struct srfd_prefix_state ps;

	add_prefix(20);
	bring_up();
	ck_assert_uint_eq(prefix_state().active, SRFD_LIST_PRIMARY);

	tick_n(4);
	usleep(3 * INTERVAL_US * 4);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_DOWN);
	ps = prefix_state();
	ck_assert_uint_eq(ps.active, SRFD_LIST_BACKUP);
	ck_assert_uint_eq(ps.switches, 1);
	ck_assert_uint_eq(ps.last_switch_ns, state(0).last_change_ns);
	ck_assert_uint_eq(ps.hold_ns, 20000000);

	/* back up: still on the backup during the 20 ms hold-down */
	tick_n(3);
	return_seqs(0, 8, 10);
	ck_assert_uint_eq(state(0).state, SRFD_STATE_UP);
	ck_assert_uint_eq(prefix_state().active, SRFD_LIST_BACKUP);
	usleep(5000);
	ck_assert_uint_eq(prefix_state().active, SRFD_LIST_BACKUP);
	/* keep the session alive past the hold-down; the watchdog reverts */
	{
		__u64 seq = 11;
		int i;

		for (i = 0; i < 40; i++) {
			tick_n(1);
			return_seqs(0, seq, seq);
			seq++;
		}
	}
	ps = prefix_state();
	ck_assert_uint_eq(ps.active, SRFD_LIST_PRIMARY);
	ck_assert_uint_eq(ps.switches, 2);
	ring_buffer__consume(rb);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("bpf");
	struct ifreq ifr = { 0 };
	int fd;

	if (geteuid() != 0) {
		printf("1..0 # SKIP BPF_PROG_TEST_RUN needs root\n");
		return 0;
	}
	if (unshare(CLONE_NEWNET)) {
		perror("unshare(CLONE_NEWNET)");
		return 1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_flags = IFF_UP;
	if (fd < 0 || ioctl(fd, SIOCSIFFLAGS, &ifr)) {
		perror("lo up");
		return 1;
	}
	close(fd);
	/* routes to the first SIDs of the test prefix, for bpf_fib_lookup */
	if (system("sysctl -qw net.ipv6.conf.all.forwarding=1 && "
		   "ip link add srfdt0 type veth peer name srfdt1 && "
		   "ip link set srfdt0 up && ip link set srfdt1 up && "
		   "ip -6 addr add fc00:ab::1/64 dev srfdt0 nodad && "
		   "ip -6 route add fc00:b::/48 via fc00:ab::2 && "
		   "ip -6 route add fc00:c::/48 via fc00:ab::3 && "
		   "ip -6 neigh add fc00:ab::2 lladdr 02:00:00:00:00:02 dev srfdt0")) {
		fprintf(stderr, "cannot build the test routes\n");
		return 1;
	}

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);	/* mutation runs: ~10 s each */
	tcase_add_test(tc, test_rx_valid_probe);
	tcase_add_test(tc, test_sid_in_receives);
	tcase_add_loop_test(tc, test_rx_rejects, 0,
			    sizeof(rx_want) / sizeof(rx_want[0]));
	tcase_add_test(tc, test_rx_checks_ingress);
	tcase_add_test(tc, test_tick_builds_probe);
	tcase_add_test(tc, test_outgoing_probe_redirected);
	tcase_add_test(tc, test_tick_drops_unknown_frames);
	tcase_add_test(tc, test_ticker_judges_untimed_sessions);
	tcase_add_test(tc, test_tick_follows_schedule);
	tcase_add_test(tc, test_up_then_watchdog_down);
	tcase_add_test(tc, test_sender_stall_is_not_a_failure);
	tcase_add_test(tc, test_stale_and_replayed_returns_do_not_refresh);
	tcase_add_test(tc, test_rx_mutations);
	tcase_add_test(tc, test_tick_mutations);
	tcase_add_test(tc, test_dead_clock_stalls);
	tcase_add_test(tc, test_cmd_takes_session_down);
	tcase_add_test(tc, test_cmd_admin_down);
	tcase_add_test(tc, test_verifier_budget);
	tcase_add_test(tc, test_new_generation_rearms_watchdog);
	tcase_add_test(tc, test_encap_bytes_and_flip);
	tcase_add_test(tc, test_encap_leaves_other_traffic);
	tcase_add_test(tc, test_encap_too_big_is_counted);
	tcase_add_test(tc, test_encap_on_egress_device);
	tcase_add_test(tc, test_encap_mutations);
	tcase_add_test(tc, test_encap_cached_bytes);
	tcase_add_test(tc, test_watchdog_flips_and_reverts);
	return srfd_check_run_tap("bpf", tc);
}
