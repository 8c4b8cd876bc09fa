// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sd_notify(3) by hand: the protocol is a documented, stable interface (one
 * AF_UNIX datagram; an '@' path is abstract), and srfdd needs nothing else
 * of libsystemd.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "notify.h"

int srfd_notify_wanted(void)
{
	const char *path = getenv("NOTIFY_SOCKET");

	return path && *path;
}

int srfd_notify(const char *fmt, ...)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = getenv("NOTIFY_SOCKET");
	socklen_t len;
	char msg[512];
	va_list ap;
	int fd, err = 0;
	size_t n;

	if (!path || !*path)
		return 1;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sun.sun_path))
		return -EINVAL;
	memcpy(sun.sun_path, path, n);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + n;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT,
		   (struct sockaddr *)&sun,
		   len) < 0)
		err = -errno;
	close(fd);
	return err;
}
