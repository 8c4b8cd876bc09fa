// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Translation between srfd's configuration, its BPF maps and CLI records. */
#include <errno.h>
#include <string.h>

#include "encap.h"
#include "session.h"

int srfd_session_cfg_build(const struct srfd_config *conf, unsigned int idx,
			   unsigned int slot, int ifindex, const __u64 key[2],
			   struct srfd_session_cfg *out)
{
	const struct srfd_session_conf *sc;
	unsigned int i;

	if (idx >= conf->nsessions || slot >= SRFD_MAX_SESSIONS || ifindex < 0)
		return -EINVAL;
	sc = &conf->sessions[idx];
	if (sc->nsegs < 1 || sc->nsegs > SRFD_MAX_PATH_SEGS)
		return -EINVAL;

	memset(out, 0, sizeof(*out));
	out->active = 1;
	out->session_id = slot;
	out->ifindex = ifindex;
	out->interval_ns = (__u64)sc->interval_us * 1000;
	out->multiplier = sc->multiplier;
	out->up_after = sc->up_after;
	if (sc->check_ingress)
		out->flags |= SRFD_SESS_F_CHECK_INGRESS;
	out->key[0] = key[0];
	out->key[1] = key[1];
	memcpy(out->src, conf->source, SRFD_SID_LEN);
	memcpy(out->nexthop, sc->neighbor, SRFD_SID_LEN);
	for (i = 0; i < sc->nsegs; i++)
		memcpy(out->probe_segs[i], sc->segs[i], SRFD_SID_LEN);
	memcpy(out->probe_segs[i++], conf->local_sid, SRFD_SID_LEN);
	memcpy(out->probe_segs[i++], conf->local_sid, SRFD_SID_LEN);
	out->nsegs = i;
	memcpy(out->name, sc->name, sizeof(out->name));
	memcpy(out->ifname, sc->ifname, sizeof(out->ifname));
	return 0;
}

int srfd_prefix_cfg_build(const struct srfd_config *conf, unsigned int idx,
			  const __u16 *sess_slot, struct srfd_prefix_cfg *out)
{
	const struct srfd_prefix_conf *pc;
	unsigned int g, l, max_n;

	if (idx >= conf->nprefixes)
		return -EINVAL;
	pc = &conf->prefixes[idx];
	memset(out, 0, sizeof(*out));
	out->valid = 1;
	out->nguards = pc->nguards;
	out->nsegs[SRFD_LIST_PRIMARY] = pc->nsegs[SRFD_LIST_PRIMARY];
	out->nsegs[SRFD_LIST_BACKUP] = pc->nsegs[SRFD_LIST_BACKUP];
	for (g = 0; g < pc->nguards; g++)
		out->guards[g] = sess_slot ? sess_slot[pc->guards[g]] :
					     pc->guards[g];
	out->hold_ns = (__u64)pc->hold_ms * 1000000;
	out->hold_max_ns = (__u64)pc->hold_max_ms * 1000000;
	out->quiet_ns = (__u64)pc->quiet_ms * 1000000;
	memcpy(out->src, conf->encap_src, SRFD_SID_LEN);
	memcpy(out->segs, pc->segs, sizeof(out->segs));
	memcpy(out->addr, pc->addr, sizeof(out->addr));
	out->plen = pc->plen;
	/*
	 * The route MTU leaves room for the larger of the two SRv6 headers,
	 * so the kernel sends Packet Too Big and TCP sizes its segments
	 * before our encapsulation.
	 */
	max_n = pc->nsegs[0] > pc->nsegs[1] ? pc->nsegs[0] : pc->nsegs[1];
	out->mtu = conf->encap_mtu - SRFD_ENCAP_OVERHEAD(max_n);
	/* the headers srfd_encap writes; it fills in length, class and label */
	for (l = 0; l < SRFD_LISTS; l++)
		if (!srfd_encap_build(out->hdr[l], out->src,
				      (const __u8 (*)[SRFD_SID_LEN])out->segs[l],
				      out->nsegs[l], 0, 0, 0))
			return -EINVAL;
	return 0;
}

unsigned int srfd_session_guards_build(const struct srfd_config *conf,
				       unsigned int idx, const __u16 *pfx_slot,
				       struct srfd_session_guards *out)
{
	unsigned int i, g;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < conf->nprefixes; i++)
		for (g = 0; g < conf->prefixes[i].nguards; g++)
			if (conf->prefixes[i].guards[g] == idx &&
			    out->n < SRFD_MAX_GUARDED)
				out->prefixes[out->n++] = pfx_slot ? pfx_slot[i] : i;
	return out->n;
}

void srfd_session_ctl_record(const struct srfd_session_conf *sc,
			     const struct srfd_session_state *st,
			     int ifindex, struct srfd_ctl_session *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->hdr.op = SRFD_CTL_SESSION_REC;
	memcpy(rec->name, sc->name, sizeof(rec->name));
	rec->state = st->state;
	rec->multiplier = sc->multiplier;
	rec->interval_us = sc->interval_us;
	rec->probes_tx = st->probes_tx;
	rec->probes_rx = st->probes_rx;
	rec->last_rtt_us = st->last_rtt_ns / 1000;
	rec->downs = st->downs;
	rec->last_change_ns = st->last_change_ns;
	memcpy(rec->ifname, sc->ifname, sizeof(rec->ifname));
	rec->ifindex = ifindex;
	rec->down_reason = st->down_reason;
	memcpy(rec->neighbor, sc->neighbor, sizeof(rec->neighbor));
	rec->nsegs = sc->nsegs <= SRFD_MAX_PATH_SEGS ? sc->nsegs : 0;
	memcpy(rec->segs, sc->segs, rec->nsegs * SRFD_SID_LEN);
	rec->last_rx_ns = st->last_rx_ns;
}

const char *srfd_state_name(__u32 state)
{
	switch (state) {
	case SRFD_STATE_INIT:
		return "init";
	case SRFD_STATE_UP:
		return "up";
	case SRFD_STATE_DOWN:
		return "down";
	case SRFD_STATE_STALLED:
		return "stalled";
	case SRFD_STATE_ADMIN_DOWN:
		return "admin_down";
	}
	return "unknown";
}

const char *srfd_down_reason_name(__u32 reason)
{
	switch (reason) {
	case SRFD_DOWN_NONE:
		return "none";
	case SRFD_DOWN_WATCHDOG:
		return "probes_lost";
	case SRFD_DOWN_LINK:
		return "link_down";
	case SRFD_DOWN_IFACE_GONE:
		return "interface_gone";
	case SRFD_DOWN_CLOCK:
		return "clock_stalled";
	case SRFD_DOWN_ADMIN:
		return "admin";
	}
	return "unknown";
}

const char *srfd_list_name(__u32 list)
{
	return list == SRFD_LIST_PRIMARY ? "primary" :
	       list == SRFD_LIST_BACKUP ? "backup" : "unknown";
}

const char *srfd_reason_name(enum srfd_reason reason)
{
	static const char *const names[SRFD_R_MAX] = {
		[SRFD_R_PROBE_OK] = "probe_ok",
		[SRFD_R_TRUNCATED] = "truncated",
		[SRFD_R_NOT_SRH] = "not_srh",
		[SRFD_R_BAD_SRH] = "bad_srh",
		[SRFD_R_NOT_PROBE] = "not_probe",
		[SRFD_R_BAD_SESSION] = "bad_session",
		[SRFD_R_BAD_MAC] = "bad_mac",
		[SRFD_R_REPLAY] = "replayed",
		[SRFD_R_WRONG_PATH] = "wrong_path",
		[SRFD_R_WRONG_INGRESS] = "wrong_ingress",
		[SRFD_R_TICK] = "ticks",
		[SRFD_R_TICK_LOST] = "tick_lost",
		[SRFD_R_TX_FAIL] = "tx_fail",
		[SRFD_R_TX_REDIRECT] = "tx_redirect",
		[SRFD_R_UNKNOWN_FRAME] = "unknown_frame",
		[SRFD_R_WATCHDOG_FAIL] = "watchdog_fail",
		[SRFD_R_RINGBUF_FULL] = "ringbuf_full",
		[SRFD_R_REFLECTED] = "reflected",
		[SRFD_R_REFLECT_UNKNOWN] = "reflect_unknown",
		[SRFD_R_REFLECT_FAIL] = "reflect_fail",
		[SRFD_R_REFLECT_NOT_EXACT] = "reflect_not_exact",
		[SRFD_R_ENCAP_OK] = "encap_ok",
		[SRFD_R_ENCAP_NO_PREFIX] = "encap_no_prefix",
		[SRFD_R_ENCAP_NOT_IPV6] = "encap_not_ipv6",
		[SRFD_R_ENCAP_TOO_BIG] = "encap_too_big",
		[SRFD_R_ENCAP_NO_ROUTE] = "encap_no_route",
		[SRFD_R_ENCAP_FAIL] = "encap_fail",
		[SRFD_R_ENCAP_SLOW] = "encap_slow",
		[SRFD_R_TICK_OVERRUN] = "tick_overrun",
	};

	if ((unsigned int)reason >= SRFD_R_MAX || !names[reason])
		return "unknown";
	return names[reason];
}
