/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* srfd logging: one levelled logger for srfdd, fed by libbpf too. */
#ifndef SRFD_LOG_H
#define SRFD_LOG_H

#include <linux/types.h>

enum srfd_log_level {
	LOG_LVL_ERR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

/* Structured fields of one entry (journal only; NULL/0: absent). */
struct srfd_log_fields {
	const char *session;		/* SRFD_SESSION */
	const char *prefix;		/* SRFD_PREFIX */
	__u64 kernel_ts_ns;		/* SRFD_KERNEL_TS_NS (CLOCK_MONOTONIC) */
};

void srfd_log_set_level(enum srfd_log_level level);
/*
 * Find out whether stderr is systemd's journal stream and, if so, log to
 * the journal with priorities and fields (@instance: SRFD_INSTANCE).
 */
void srfd_log_init(const char *instance);
int srfd_log_to_journal(void);
/* Route libbpf's own messages through srfd_log (debug ones at LOG_LVL_DEBUG). */
void srfd_log_hook_libbpf(void);
void srfd_log(enum srfd_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void srfd_log_with(enum srfd_log_level level, const struct srfd_log_fields *f,
		   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(...)	srfd_log(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)	srfd_log(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	srfd_log(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	srfd_log(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
