/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* srfd logging: one levelled logger for srfdd, fed by libbpf too. */
#ifndef SRFD_LOG_H
#define SRFD_LOG_H

enum srfd_log_level {
	LOG_LVL_ERR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

void srfd_log_set_level(enum srfd_log_level level);
/* Route libbpf's own messages through srfd_log (debug ones at LOG_LVL_DEBUG). */
void srfd_log_hook_libbpf(void);
void srfd_log(enum srfd_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	srfd_log(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)	srfd_log(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	srfd_log(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	srfd_log(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
