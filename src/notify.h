/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * systemd's service notification (sd_notify(3) protocol, by hand: one
 * datagram of "KEY=value" lines to $NOTIFY_SOCKET). No-ops when srfdd is
 * not run by systemd with Type=notify.
 */
#ifndef SRFD_NOTIFY_H
#define SRFD_NOTIFY_H

/* Is there a systemd to tell (NOTIFY_SOCKET set)? */
int srfd_notify_wanted(void);
/* Send "KEY=value\n..." lines; 0, 1 if there is no NOTIFY_SOCKET, or -errno. */
int srfd_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
