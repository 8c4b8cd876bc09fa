/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Sessions: configuration -> BPF map values, BPF state -> CLI records. */
#ifndef SRFD_SESSION_H
#define SRFD_SESSION_H

#include <srfd/srfd.h>
#include "config.h"

/*
 * Fill the map value for session @idx of @conf. The probe path is the
 * configured segments followed by the local End.BPF SID twice: End.BPF runs
 * only while segments are left, so the SID must not be the last one.
 */
int srfd_session_cfg_build(const struct srfd_config *conf, unsigned int idx,
			   unsigned int slot, int ifindex, const __u64 key[2],
			   struct srfd_session_cfg *out);

/*
 * Fill the map value for protected prefix @idx of @conf; @sess_slot maps
 * configured session indexes to map slots (NULL: the same).
 */
int srfd_prefix_cfg_build(const struct srfd_config *conf, unsigned int idx,
			  const __u16 *sess_slot, struct srfd_prefix_cfg *out);

/*
 * Fill, for configured session @idx, the list of prefix slots it guards
 * (@pfx_slot maps prefix indexes to slots, NULL: the same). Returns the
 * number of prefixes.
 */
unsigned int srfd_session_guards_build(const struct srfd_config *conf,
				       unsigned int idx, const __u16 *pfx_slot,
				       struct srfd_session_guards *out);

void srfd_session_ctl_record(const struct srfd_session_conf *sc,
			     const struct srfd_session_state *st,
			     int ifindex, struct srfd_ctl_session *rec);

const char *srfd_state_name(__u32 state);
const char *srfd_down_reason_name(__u32 reason);
const char *srfd_list_name(__u32 list);	/* "primary" / "backup" */
/* snake_case name of a data-path counter, as printed by srfdctl stats */
const char *srfd_reason_name(enum srfd_reason reason);

#endif
