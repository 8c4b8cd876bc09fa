// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Paced IPv6 UDP sender for bench/encap.py's fixed-load runs: PPS datagrams
 * of LEN payload bytes per second to DST:PORT for SECONDS, in sendmmsg()
 * batches of up to 64 with a sleep between them, so that the sender itself
 * costs little and the same in every mode. PPS 0: as fast as it can.
 * Prints the number sent.
 *
 *   udpblast DST PORT PPS LEN SECONDS
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 };
	struct mmsghdr msgs[BATCH];
	struct iovec iov;
	char buf[1500] = { 0 };
	double start, end, t;
	long pps, len, sent = 0, due;
	int fd, i, n;

	if (argc != 6 || inet_pton(AF_INET6, argv[1], &dst.sin6_addr) != 1) {
		fprintf(stderr, "usage: udpblast DST PORT PPS LEN SECONDS\n");
		return 2;
	}
	dst.sin6_port = htons(atoi(argv[2]));
	pps = atol(argv[3]);
	len = atol(argv[4]);
	if (pps < 0 || len < 1 || len > (long)sizeof(buf))
		return 2;
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		perror("udpblast: socket");
		return 1;
	}
	iov.iov_base = buf;
	iov.iov_len = len;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = now();
	end = start + atof(argv[5]);
	while ((t = now()) < end) {
		due = pps ? (long)((t - start) * pps) - sent : BATCH;
		if (due <= 0) {
			struct timespec ts = { 0, 200000 };	/* 200 us */

			nanosleep(&ts, NULL);
			continue;
		}
		n = sendmmsg(fd, msgs, due < BATCH ? due : BATCH, 0);
		if (n > 0)
			sent += n;
		else
			sent += due < BATCH ? due : BATCH;	/* ENOBUFS: counted as offered */
	}
	printf("%ld\n", sent);
	return 0;
}
