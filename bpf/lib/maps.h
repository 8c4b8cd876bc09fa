/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * srfd's BPF maps (every one but the scratch buffer pinned by name under
 * the instance directory), the drop-reason counter and the small helpers
 * every program uses. BPF side only; carries no program logic.
 */
#ifndef SRFD_BPF_LIB_MAPS_H
#define SRFD_BPF_LIB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <srfd/srfd.h>
#include "compat.h"
#include "encap.h"

/* session maps: max_entries is the config's max_sessions, set at load */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_SESSIONS);
	__type(key, __u32);
	__type(value, struct srfd_session_cfg);
} srfd_sess_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_SESSIONS);
	__type(key, __u32);
	__type(value, struct srfd_session_state);
} srfd_sess_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct srfd_settings);
} srfd_settings SEC(".maps");

/* ticker-judged sessions near their deadline; max_entries = max_sessions */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, SRFD_MAX_SESSIONS);
	__type(value, struct srfd_suspect);
} srfd_suspects SEC(".maps");

/* the probe schedule, two halves (struct srfd_sched in srfd/srfd.h) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct srfd_sched);
} srfd_sched SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, 2 * SRFD_SCHED_BUCKETS);
	__type(key, __u32);
	__type(value, __u32);
} srfd_sched_bucket SEC(".maps");

/* 2 x max_sessions entries (set at load) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, 2 * SRFD_MAX_SESSIONS);
	__type(key, __u32);
	__type(value, __u32);
} srfd_sched_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct srfd_global);
} srfd_global SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_R_MAX);
	__type(key, __u32);
	__type(value, __u64);
} srfd_counters SEC(".maps");

/* slot ranges one tick visits: up to two per schedule class */
#define TICK_MAX_RANGES	(2 * SRFD_SCHED_MAX_CLASSES)

struct srfd_scratch {
	__u8 buf[SRFD_PROBE_BUF_LEN];
	__u32 lo[TICK_MAX_RANGES];
	__u32 hi[TICK_MAX_RANGES];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct srfd_scratch);
} srfd_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct srfd_prefix_key);
	__type(value, __u32);
} srfd_prefix_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_PREFIXES);
	__type(key, __u32);
	__type(value, struct srfd_prefix_cfg);
} srfd_prefix_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_PREFIXES);
	__type(key, __u32);
	__type(value, struct srfd_prefix_state);
} srfd_prefix_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_LISTS * SRFD_MAX_PREFIXES);
	__type(key, __u32);
	__type(value, struct srfd_encap_stats);
} srfd_encap_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_SESSIONS);
	__type(key, __u32);
	__type(value, struct srfd_session_guards);
} srfd_sess_guards SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_LISTS * SRFD_MAX_PREFIXES);
	__type(key, __u32);
	__type(value, struct srfd_nexthop);
} srfd_nexthops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} srfd_nexthops_until SEC(".maps");

struct srfd_sid_key {
	__u8 sid[SRFD_SID_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_REFLECTORS);
	__type(key, struct srfd_sid_key);
	__type(value, struct srfd_reflector);
} srfd_reflectors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, SRFD_MAX_EGRESS);
	__type(key, __u32);
	__type(value, struct srfd_egress);
} srfd_egress SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(max_entries, 64 * 1024);
} srfd_events SEC(".maps");

static __always_inline void count(enum srfd_reason reason)
{
	__u32 key = reason;
	__u64 *c = bpf_map_lookup_elem(&srfd_counters, &key);

	if (c)
		*c += 1;
}

static __always_inline void emit_switch(__u32 idx, __u32 from, __u32 to,
					__u64 ts)
{
	struct srfd_event *ev;

	ev = bpf_ringbuf_reserve(&srfd_events, sizeof(*ev), 0);
	if (!ev) {
		count(SRFD_R_RINGBUF_FULL);
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = SRFD_EV_SWITCH;
		ev->id = idx;
		ev->old_state = from;
		ev->new_state = to;
		ev->ts_ns = ts;
	bpf_ringbuf_submit(ev, 0);
}

static __always_inline const struct srfd_settings *settings_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&srfd_settings, &zero);
}

#endif
