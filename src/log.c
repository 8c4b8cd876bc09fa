// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Levelled logger: stderr lines stamped with wall-clock time (microseconds)
 * so that operators can line srfdd's log up with other daemons' logs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "log.h"

static enum srfd_log_level log_level = LOG_LVL_INFO;
static const char *const level_names[] = {
	[LOG_LVL_ERR] = "error",
	[LOG_LVL_WARN] = "warning",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

void srfd_log_set_level(enum srfd_log_level level)
{
	log_level = level;
}

static void log_vprint(enum srfd_log_level level, const char *fmt, va_list ap)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	if (level > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%06ld srfdd %s: ", stamp, ts.tv_nsec / 1000,
		level_names[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void srfd_log(enum srfd_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char line[1024];
	size_t n;

	if (level == LIBBPF_DEBUG && log_level < LOG_LVL_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = 0;
	while (line[n])
		n++;
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
	/*
	 * srfdd queries tc filters that may not exist; libbpf echoes the
	 * kernel's extended ack for those as a warning. The caller reports
	 * real failures itself.
	 */
	if (strstr(line, "Kernel error message"))
		level = LIBBPF_DEBUG;
	if (level == LIBBPF_DEBUG && log_level < LOG_LVL_DEBUG)
		return 0;
	srfd_log(level == LIBBPF_WARN ? LOG_LVL_WARN : LOG_LVL_DEBUG,
		 "libbpf: %s", line);
	return 0;
}

void srfd_log_hook_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
