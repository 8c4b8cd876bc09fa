#!/usr/bin/python3
"""Sequenced UDP stream for failover tests and benchmarks.

  udpstream.py send DST PORT PPS SECONDS
  udpstream.py recv PORT SECONDS OUTFILE

Each datagram carries a sequence number and the sender's CLOCK_MONOTONIC
send time. The receiver writes "seq tx_ns rx_ns" lines; loss_runs() turns
them into outages measured on the sender's clock (last packet delivered
before a hole -> first delivered after it), independent of receive jitter.
"""
import socket
import struct
import sys
import time

FMT = "!QQ"


def send(dst, port, pps, seconds):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    batch = max(1, pps // 5000)          # one wake-up every 200 us at most
    period = batch / pps
    pad = b"\0" * 16
    seq = 0
    t0 = time.monotonic()
    end = t0 + seconds
    nxt = t0
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if now < nxt:
            time.sleep(nxt - now)
            continue
        for _ in range(batch):
            seq += 1
            s.sendto(struct.pack(FMT, seq, time.clock_gettime_ns(time.CLOCK_MONOTONIC)) + pad,
                     (dst, port))
        nxt += period
    print(seq, flush=True)


def recv(port, seconds, out):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("::", port))
    s.settimeout(0.2)
    end = time.monotonic() + seconds
    rows = []
    while time.monotonic() < end:
        try:
            data = s.recv(64)
        except socket.timeout:
            continue
        seq, tx = struct.unpack(FMT, data[:16])
        rows.append((seq, tx, time.clock_gettime_ns(time.CLOCK_MONOTONIC)))
    with open(out, "w") as f:
        for r in rows:
            f.write("%d %d %d\n" % r)


def load(path):
    with open(path) as f:
        return [tuple(int(x) for x in line.split()) for line in f if line.strip()]


def loss_runs(rows):
    """[(first_lost_seq, n_lost, outage_ns, t_last_before_ns)] by sender clock."""
    rows = sorted(rows)
    out = []
    for (s0, t0, _), (s1, t1, _) in zip(rows, rows[1:]):
        if s1 > s0 + 1:
            out.append((s0 + 1, s1 - s0 - 1, t1 - t0, t0))
    return out


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        recv(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
