// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Levelled logger. On a terminal or in a file: lines stamped with wall-clock
 * time (microseconds) so that operators can line srfdd's log up with other
 * daemons' logs. Under systemd (stderr is the journal stream JOURNAL_STREAM
 * names): each entry goes to journald's native socket with its priority and
 * structured fields (SRFD_INSTANCE, SRFD_SESSION, SRFD_PREFIX,
 * SRFD_KERNEL_TS_NS), so `journalctl -p err` and `journalctl
 * SRFD_SESSION=a-b` work; if that socket refuses, the line goes to the
 * stream with a "<N>" priority prefix and no second timestamp.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <bpf/libbpf.h>

#include "log.h"

#define JOURNAL_SOCKET	"/run/systemd/journal/socket"

static enum srfd_log_level log_level = LOG_LVL_INFO;
static const char *const level_names[] = {
	[LOG_LVL_ERR] = "error",
	[LOG_LVL_WARN] = "warning",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};
/* syslog(3) priorities */
static const int level_prio[] = {
	[LOG_LVL_ERR] = 3, [LOG_LVL_WARN] = 4, [LOG_LVL_INFO] = 6,
	[LOG_LVL_DEBUG] = 7,
};

static struct {
	int journal;		/* stderr is the journal's stream */
	int fd;			/* native socket, -1 if none or refused */
	struct sockaddr_un addr;
	char instance[64];
} jr = { .fd = -1 };

void srfd_log_set_level(enum srfd_log_level level)
{
	log_level = level;
}

/* Is stderr the stream systemd connected to the journal (systemd.exec(5))? */
static int stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st))
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void srfd_log_init(const char *instance)
{
	const char *path = getenv("SRFD_JOURNAL_SOCKET");	/* tests */

	if (instance)
		snprintf(jr.instance, sizeof(jr.instance), "%s", instance);
	if (jr.journal || !stderr_is_journal())
		return;
	jr.journal = 1;
	jr.addr.sun_family = AF_UNIX;
	snprintf(jr.addr.sun_path, sizeof(jr.addr.sun_path), "%s",
		 path ? path : JOURNAL_SOCKET);
	jr.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

int srfd_log_to_journal(void)
{
	return jr.journal;
}

static size_t field(char *buf, size_t off, size_t cap, const char *key,
		    const char *val)
{
	int n;

	if (off >= cap)
		return off;
	n = snprintf(buf + off, cap - off, "%s=%s\n", key, val);
	return n < 0 ? off : off + (size_t)n;
}

/* One native journal entry; 0, or -1 if it could not be sent. */
static int journal_send(enum srfd_log_level level, const char *msg,
			const struct srfd_log_fields *f)
{
	char buf[2048], num[32];
	size_t off = 0;

	if (jr.fd < 0)
		return -1;
	snprintf(num, sizeof(num), "%d", level_prio[level]);
	off = field(buf, off, sizeof(buf), "PRIORITY", num);
	off = field(buf, off, sizeof(buf), "SYSLOG_IDENTIFIER", "srfdd");
	if (jr.instance[0])
		off = field(buf, off, sizeof(buf), "SRFD_INSTANCE", jr.instance);
	if (f && f->session)
		off = field(buf, off, sizeof(buf), "SRFD_SESSION", f->session);
	if (f && f->prefix)
		off = field(buf, off, sizeof(buf), "SRFD_PREFIX", f->prefix);
	if (f && f->kernel_ts_ns) {
		snprintf(num, sizeof(num), "%llu",
			 (unsigned long long)f->kernel_ts_ns);
		off = field(buf, off, sizeof(buf), "SRFD_KERNEL_TS_NS", num);
	}
	/* MESSAGE last: a long one is cut, the fields before it stay */
	off = field(buf, off, sizeof(buf), "MESSAGE", msg);
	if (off >= sizeof(buf)) {
		off = sizeof(buf);
		buf[off - 1] = '\n';
	}
	/* never block the event loop on journald: a busy one gets the line */
	if (sendto(jr.fd, buf, off, MSG_NOSIGNAL | MSG_DONTWAIT,
		   (struct sockaddr *)&jr.addr, sizeof(jr.addr)) < 0) {
		if (errno == EAGAIN)
			return -1;
		/* no journald socket (a container?): the stream still works */
		close(jr.fd);
		jr.fd = -1;
		return -1;
	}
	return 0;
}

static void log_vprint(enum srfd_log_level level,
		       const struct srfd_log_fields *f, const char *fmt,
		       va_list ap)
{
	struct timespec ts;
	char msg[1024], stamp[32], *nl;
	struct tm tm;

	if (level > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* one entry per message, whatever the text holds */
	while ((nl = strchr(msg, '\n')))
		*nl = ' ';
	if (jr.journal) {
		if (journal_send(level, msg, f))
			fprintf(stderr, "<%d>%s\n", level_prio[level], msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%06ld srfdd %s: %s\n", stamp, ts.tv_nsec / 1000,
		level_names[level], msg);
}

void srfd_log(enum srfd_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(level, NULL, fmt, ap);
	va_end(ap);
}

void srfd_log_with(enum srfd_log_level level, const struct srfd_log_fields *f,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(level, f, fmt, ap);
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
	n = strlen(line);
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
