// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * srfd data path: looped SRv6 probes generated, received and judged in the
 * kernel. One object so that all programs share the session maps:
 *
 *  srfd_tick     tc ingress of the private ticker veth. A ticker frame paced
 *                by TBF arrives every tick; it is cloned back into the pacer
 *                and every due session gets a probe, re-injected into the
 *                same ingress hook and, on that second pass, sent out of the
 *                monitored interface with bpf_redirect_neigh().
 *  srfd_end_bpf  End.BPF (seg6local) behind the local SID: a returned probe
 *                with a valid MAC and a new sequence number refreshes its
 *                session.
 *  srfd_sid_in   the same behind an LWT BPF `in` route, where the kernel
 *                has no seg6local.
 *  watchdog      per-session bpf_timer: declares the session down when
 *                multiplier x interval has passed without a valid return AND
 *                at least multiplier probes actually sent are unanswered, so
 *                a stall of our own sending never looks like a dead link.
 *  srfd_encap    H.Encaps with a protected prefix's active SID list. Fast
 *                path: tc egress of the primary's egress device, where the
 *                prefix is routed; a packet still headed there leaves with
 *                TC_ACT_OK, others are redirected. Fallback: tc egress of
 *                the loop sl-<instance> (prefix route with a worse metric) when the fast
 *                route is gone, e.g. the device went down. The watchdog flips a
 *                prefix to its backup list the moment a guarding session
 *                goes down, and back after the hold-down once all are up.
 *  srfd_reflect  End.BPF reflector for neighbours that run srfd: checks that
 *                the packet is an srfd probe and sends it back with End.X
 *                to the configured next hop, so a reflector SID cannot be
 *                used to bounce arbitrary traffic.
 *  srfd_cmd      run by srfdd (BPF_PROG_TEST_RUN) to take a session down
 *                through the same transition when its interface fails.
 *  srfd_rx_test  tc twin of srfd_end_bpf for BPF_PROG_TEST_RUN (lwt_seg6local
 *                programs cannot be test-run); returns the reason code.
 *
 * Every map but the scratch buffer is pinned by name under the instance's
 * bpffs directory: the data path outlives srfdd, and a restarted srfdd
 * adopts it (libbpf reuses the pins).
 *
 * This file holds only the entry points; the logic is in bpf/lib: maps.h
 * (maps, counters), prober.h (send, receive, watchdog, transitions),
 * reroute.h (flip and revert), headend.h (H.Encaps), with the wire helpers
 * probe.h, srh.h and encap.h that the unit tests share.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/socket.h>
#include <linux/seg6_local.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <srfd/srfd.h>
#include "lib/maps.h"
#include "lib/reroute.h"
#include "lib/prober.h"
#include "lib/headend.h"

SEC("tc")
int srfd_tick(struct __sk_buff *skb)
{
	if (skb->protocol == bpf_htons(SRFD_TICK_ETHERTYPE))
		return handle_tick(skb);
	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		return handle_outgoing_probe(skb);
	count(SRFD_R_UNKNOWN_FRAME);
	return TC_ACT_SHOT;
}


SEC("lwt_seg6local")
int srfd_end_bpf(struct __sk_buff *skb)
{
	probe_returned(skb, 0);
	return BPF_DROP;	/* probes end here; nothing else belongs to this SID */
}

/*
 * The same receiver for kernels built without seg6local
 * (CONFIG_IPV6_SEG6_LWTUNNEL): an LWT BPF `in` route for local_sid. It runs
 * before the kernel looks at the SRH, so the probe still shows the
 * segments_left it arrived with; probe_returned() does not depend on it.
 */
SEC("lwt_in")
int srfd_sid_in(struct __sk_buff *skb)
{
	probe_returned(skb, 0);
	return BPF_DROP;
}

SEC("tc")
int srfd_encap(struct __sk_buff *skb)
{
	enum srfd_reason reason;
	int verdict;

	reason = encap(skb, &verdict);
	/* other traffic of a real egress device is none of our business */
	if (verdict != TC_ACT_UNSPEC)
		count(reason);
	return verdict;
}

/*
 * The End step already ran: segments_left points at the next SID, so the
 * reflector SID that brought the probe here is segments[segments_left + 1].
 */
static __always_inline enum srfd_reason probe_reflect(struct __sk_buff *skb,
						      __u32 l3off, int *verdict)
{
	const struct srfd_reflector *refl;
	struct srfd_probe_info info;
	struct srfd_sid_key key;
	enum srfd_reason reason;
	struct in6_addr nh;
	__u32 len, off;
	__u8 *buf;

	*verdict = BPF_DROP;
	reason = probe_load_parse(skb, l3off, &info, &buf, &len);
	if (reason != SRFD_R_PROBE_OK)
		return reason;
	if (info.segments_left + 1 >= info.nsegs ||
	    !srfd_probe_reflectable(buf, len, skb->len - l3off, &info))
		return SRFD_R_REFLECT_NOT_EXACT;
	off = IPV6_HLEN_SRFD + SRH_HLEN_SRFD +
	      ((info.segments_left + 1) & (SRFD_MAX_PROBE_SEGS - 1)) * SRFD_SID_LEN;
	if (off + SRFD_SID_LEN > len)
		return SRFD_R_TRUNCATED;
	__builtin_memcpy(key.sid, buf + off, SRFD_SID_LEN);
	refl = bpf_map_lookup_elem(&srfd_reflectors, &key);
	if (!refl)
		return SRFD_R_REFLECT_UNKNOWN;
	__builtin_memcpy(&nh, refl->nexthop, SRFD_SID_LEN);
	if (bpf_lwt_seg6_action(skb, SEG6_LOCAL_ACTION_END_X, &nh, sizeof(nh)))
		return SRFD_R_REFLECT_FAIL;
	*verdict = BPF_REDIRECT;	/* End.X already chose the route */
	return SRFD_R_REFLECTED;
}

SEC("lwt_seg6local")
int srfd_reflect(struct __sk_buff *skb)
{
	int verdict;

	count(probe_reflect(skb, 0, &verdict));
	return verdict;
}

/*
 * Not attached anywhere: srfdd runs it with BPF_PROG_TEST_RUN to take a
 * session down when its interface goes down or away, through the same
 * transition (and fast reroute) as the watchdog (returns 1 if the session
 * changed state, 0 if it was already down), or to arm a session's watchdog
 * (1 armed, 3 the kernel refused). 2: a bad command.
 */
SEC("tc")
int srfd_cmd(struct __sk_buff *skb)
{
	struct srfd_session_state *st;
	struct srfd_cmd cmd;
	__u32 state;

	if (bpf_skb_load_bytes(skb, ETH_HLEN_SRFD, &cmd, sizeof(cmd)))
		return 2;
	if (cmd.op == SRFD_CMD_ARM_CLOCK) {
		const struct srfd_settings *set = settings_get();
		struct srfd_global *g;
		__u32 zero = 0;

		g = bpf_map_lookup_elem(&srfd_global, &zero);
		if (!g || !set)
			return 2;
		clock_watch_arm(g, set->generation, set->stall_ns, bpf_ktime_get_ns());
		return g->clock_armed == set->generation ? 1 : 3;
	}
	if (cmd.op == SRFD_CMD_CLEAR_STATS) {
		struct srfd_global *g;
		__u32 zero = 0;

		g = bpf_map_lookup_elem(&srfd_global, &zero);
		if (!g)
			return 2;
		g->max_tick_gap_ns = 0;
		g->max_tick_visits = 0;
		g->sched_overruns = 0;
		return 1;
	}
	st = bpf_map_lookup_elem(&srfd_sess_state, &cmd.session);
	if (!st)
		return 2;
	state = st->state;
	if (cmd.op == SRFD_CMD_ADMIN_DOWN) {
		__u64 now = bpf_ktime_get_ns();
		int changed;

		if (state == SRFD_STATE_ADMIN_DOWN)
			return 0;
		changed = session_transition(cmd.session, st, state,
					     SRFD_STATE_ADMIN_DOWN, now,
					     SRFD_DOWN_ADMIN);
		/*
		 * A drain whatever the state was: leaving up flipped the
		 * prefixes already; from init (never up) flip them here, and
		 * have them revert once the session is up again.
		 */
		if (changed && state != SRFD_STATE_UP) {
			guards_walk(cmd.session, now, 1);
			st->reroute_pending = 1;
		}
		return changed;
	}
	if (cmd.op == SRFD_CMD_ADMIN_UP) {
		if (state != SRFD_STATE_ADMIN_DOWN)
			return 0;
		st->good_streak = 0;
		return session_transition(cmd.session, st, state,
					  SRFD_STATE_INIT, bpf_ktime_get_ns(),
					  SRFD_DOWN_ADMIN);
	}
	if (cmd.op == SRFD_CMD_ARM) {
		const struct srfd_session_cfg *cfg;
		const struct srfd_settings *set = settings_get();

		cfg = bpf_map_lookup_elem(&srfd_sess_cfg, &cmd.session);
		if (!cfg || !cfg->active || !set ||
		    (set->flags & SRFD_SET_F_TICKER_WATCHDOG))
			return 2;
		session_arm_watchdog(cfg, st, set->generation, bpf_ktime_get_ns(),
				     NULL);
		return st->armed == set->generation ? 1 : 3;
	}
	if (cmd.op != SRFD_CMD_DOWN)
		return 2;
	if (state == SRFD_STATE_ADMIN_DOWN)
		return 0;	/* the operator's word stands */
	if (state == SRFD_STATE_DOWN) {
		st->down_reason = cmd.reason;	/* e.g. down, then gone */
		return 0;
	}
	return session_transition(cmd.session, st, state, SRFD_STATE_DOWN,
				  bpf_ktime_get_ns(), cmd.reason);
}

SEC("tc")
int srfd_rx_test(struct __sk_buff *skb)
{
	return probe_returned(skb, ETH_HLEN_SRFD);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
