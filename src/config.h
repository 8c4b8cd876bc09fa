/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* srfd configuration: libconfig file -> validated struct srfd_config. */
#ifndef SRFD_CONFIG_H
#define SRFD_CONFIG_H

#include <net/if.h>
#include <stddef.h>
#include <srfd/srfd.h>

/* 12 characters: the ticker devices are sp-<instance> and sl-<instance> */
#define SRFD_INSTANCE_LEN	13
#define SRFD_PATH_LEN		108	/* sun_path */

#define SRFD_DEFAULT_INTERVAL_US	10000
#define SRFD_DEFAULT_MULTIPLIER		3
#define SRFD_DEFAULT_UP_AFTER		3
#define SRFD_MIN_INTERVAL_US		100
#define SRFD_MAX_INTERVAL_US		10000000
#define SRFD_MAX_MULTIPLIER		255
#define SRFD_MAX_UP_AFTER		255
#define SRFD_DEFAULT_STALL_LIMIT_MS	250
#define SRFD_MIN_STALL_LIMIT_MS		20
#define SRFD_MAX_STALL_LIMIT_MS		60000

struct srfd_session_conf {
	char name[SRFD_NAME_LEN];
	char ifname[IF_NAMESIZE];
	__u8 neighbor[SRFD_SID_LEN];
	__u8 segs[SRFD_MAX_PATH_SEGS][SRFD_SID_LEN];
	unsigned int nsegs;
	__u32 interval_us;
	__u32 multiplier;
	__u32 up_after;
	int check_ingress;	/* returns must arrive on ifname */
	char profile[SRFD_NAME_LEN];	/* "" if none */
	int line;
};

/* Named timer defaults a session takes with `profile = "name"`. */
#define SRFD_MAX_PROFILES	32
struct srfd_profile_conf {
	char name[SRFD_NAME_LEN];
	__u32 interval_us;
	__u32 multiplier;
	__u32 up_after;
	int line;
};

/*
 * FRR bfdd's data plane (bfd_dataplane { socket; templates }): bfdd asks
 * for sessions by interface and peer address; a template says how srfd
 * probes that peer. Timers from its profile or its own keys, else bfdd's.
 */
#define SRFD_MAX_TEMPLATES	32
struct srfd_template_conf {
	char ifname[IF_NAMESIZE];
	__u8 peer[SRFD_SID_LEN];	/* the BFD peer: also the L2 neighbour */
	__u8 segs[SRFD_MAX_PATH_SEGS][SRFD_SID_LEN];
	unsigned int nsegs;
	__u32 interval_us;		/* 0: bfdd's transmit interval */
	__u32 multiplier;		/* 0: bfdd's detect multiplier */
	int line;
};

/* End.BPF reflector offered to neighbours that monitor us with srfd. */
struct srfd_reflector_conf {
	__u8 sid[SRFD_SID_LEN];
	__u8 nexthop[SRFD_SID_LEN];	/* End.X next hop back to the prober */
	int line;
};

#define SRFD_DEFAULT_HOLD_MS	1000
#define SRFD_DEFAULT_HOLD_MAX_MS	16000
#define SRFD_DEFAULT_QUIET_MS	30000
#define SRFD_MAX_HOLD_MS	3600000
#define SRFD_DEFAULT_ENCAP_MTU	1500

/* Protected prefix: primary/backup SID lists and the sessions guarding it. */
struct srfd_prefix_conf {
	__u8 addr[SRFD_SID_LEN];
	__u8 plen;
	__u8 segs[2][SRFD_MAX_ENCAP_SEGS][SRFD_SID_LEN];	/* enum srfd_list */
	unsigned int nsegs[2];
	unsigned int guards[SRFD_MAX_GUARDS];	/* session indexes */
	unsigned int nguards;
	__u32 hold_ms;
	__u32 hold_max_ms;
	__u32 quiet_ms;
	int line;
};

struct srfd_config {
	char instance[SRFD_INSTANCE_LEN];
	char bpffs[SRFD_PATH_LEN];
	char ctl_socket[SRFD_PATH_LEN];
	int ctl_socket_default;	/* derived from the instance name */
	char ctl_group[64];	/* "" or a group that may read (socket 0660) */
	__u8 local_sid[SRFD_SID_LEN];
	__u8 source[SRFD_SID_LEN];
	__u32 tick_us;		/* pacing of the ticker (sched.h) */
	int   tick_auto;	/* tick_us not configured: derived from the sessions */
	__u32 max_sessions;	/* session map slots, fixed when maps are created */
	__u32 stall_limit_ms;	/* own-clock silence before sessions stall */
	int   fib_objects;	/* fast routes through nexthop objects */
	int   ticker_watchdog;	/* watchdog = "ticker": no timer per session */
	unsigned int nprofiles;
	struct srfd_profile_conf profiles[SRFD_MAX_PROFILES];
	char bfddp_socket[SRFD_PATH_LEN];	/* "" if no bfd_dataplane */
	unsigned int ntemplates;
	struct srfd_template_conf templates[SRFD_MAX_TEMPLATES];
	unsigned int nsessions;
	struct srfd_session_conf sessions[SRFD_MAX_SESSIONS];
	unsigned int nreflectors;
	struct srfd_reflector_conf reflectors[SRFD_MAX_REFLECTORS];
	__u8 encap_src[SRFD_SID_LEN];	/* outer source; defaults to source */
	__u32 encap_mtu;		/* MTU of the links encapsulated traffic uses */
	unsigned int nprefixes;
	struct srfd_prefix_conf prefixes[SRFD_MAX_PREFIXES];
};

/* "addr/plen" of prefix @i, for messages and the CLI. */
void srfd_prefix_format(const struct srfd_prefix_conf *pc, char *buf,
			size_t len);

/*
 * Parse and validate. On error returns a negative errno and writes
 * "FILE:LINE: problem" into @err.
 */
int srfd_config_load_file(const char *path, struct srfd_config *conf,
			  char *err, size_t errlen);
/* Same for an in-memory text; @name stands for the file name in errors. */
int srfd_config_load_string(const char *text, const char *name,
			    struct srfd_config *conf, char *err, size_t errlen);

/*
 * Rename the instance (srfdd --instance); the control socket follows unless
 * it was configured explicitly.
 */
int srfd_config_set_instance(struct srfd_config *conf, const char *name,
			     char *err, size_t errlen);

/* The configuration the demo and `srfdd --default-config` use. */
extern const char srfd_default_config[];

/*
 * Derive the tick (unless configured) and check that the sessions can be
 * scheduled on it; call after changing conf->sessions. 0 or -EINVAL with
 * the reason in @err.
 */
int srfd_config_schedule(struct srfd_config *conf, char *err, size_t errlen);

/* Index of the session called @name in @conf, or -1. */
int srfd_config_session_index(const struct srfd_config *conf, const char *name);
/* The profile called @name, or NULL. */
const struct srfd_profile_conf *srfd_config_profile(const struct srfd_config *conf,
						    const char *name);

#endif
