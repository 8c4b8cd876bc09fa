#!/usr/bin/python3
"""Netlink listener for tests: every IPv6 route and nexthop message, one
JSON line each, stamped with CLOCK_MONOTONIC at arrival. Run it inside the
namespace to watch (`ip netns exec NS nlwatch.py`); it prints "ready" once
subscribed and runs until killed.

  {"t": ns, "type": "newroute"|"delroute", "dst": "fc00:2::/64",
   "metric": 16, "gw": "fc00:ac::2", "oif": 5, "nhid": 251658241, "proto": 245}
  {"t": ns, "type": "newnexthop"|"delnexthop", "id": ..., "gw": ..., "oif": ...}
"""
import json
import socket
import struct
import sys
import time

RTM_NEWROUTE, RTM_DELROUTE, RTM_NEWNEXTHOP, RTM_DELNEXTHOP = 24, 25, 104, 105
RTNLGRP_IPV6_ROUTE, RTNLGRP_NEXTHOP = 11, 32
SOL_NETLINK, NETLINK_ADD_MEMBERSHIP = 270, 1
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_NH_ID = 1, 4, 5, 6, 30
NHA_ID, NHA_OIF, NHA_GATEWAY = 1, 5, 6


def attrs(buf, off, end):
    while off + 4 <= end:
        ln, ty = struct.unpack_from("HH", buf, off)
        if ln < 4:
            break
        yield ty & 0x3fff, buf[off + 4:off + ln]
        off += (ln + 3) & ~3


def ip6(b):
    return socket.inet_ntop(socket.AF_INET6, b) if len(b) == 16 else None


def route(buf, off, end, kind):
    fam, dlen, _, _, _, proto, _, _, _ = struct.unpack_from("BBBBBBBBI", buf, off)
    if fam != socket.AF_INET6:
        return None
    r = {"type": kind, "proto": proto, "dst": None, "metric": 0}
    for ty, v in attrs(buf, off + 12, end):
        if ty == RTA_DST:
            r["dst"] = "%s/%d" % (ip6(v), dlen)
        elif ty == RTA_GATEWAY:
            r["gw"] = ip6(v)
        elif ty == RTA_OIF:
            r["oif"] = struct.unpack("I", v[:4])[0]
        elif ty == RTA_PRIORITY:
            r["metric"] = struct.unpack("I", v[:4])[0]
        elif ty == RTA_NH_ID:
            r["nhid"] = struct.unpack("I", v[:4])[0]
    return r


def nexthop(buf, off, end, kind):
    _, _, proto, _, _ = struct.unpack_from("BBBBI", buf, off)
    r = {"type": kind, "proto": proto}
    for ty, v in attrs(buf, off + 8, end):
        if ty == NHA_ID:
            r["id"] = struct.unpack("I", v[:4])[0]
        elif ty == NHA_GATEWAY:
            r["gw"] = ip6(v)
        elif ty == NHA_OIF:
            r["oif"] = struct.unpack("I", v[:4])[0]
    return r


def main():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((0, 0))
    for g in (RTNLGRP_IPV6_ROUTE, RTNLGRP_NEXTHOP):
        s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g)
    print("ready", flush=True)
    while True:
        buf = s.recv(1 << 16)
        t = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        off = 0
        while off + 16 <= len(buf):
            ln, ty, _, _, _ = struct.unpack_from("IHHII", buf, off)
            if ln < 16:
                break
            end = off + ln
            r = None
            if ty in (RTM_NEWROUTE, RTM_DELROUTE):
                r = route(buf, off + 16, end, "newroute" if ty == RTM_NEWROUTE else "delroute")
            elif ty in (RTM_NEWNEXTHOP, RTM_DELNEXTHOP):
                r = nexthop(buf, off + 16, end,
                            "newnexthop" if ty == RTM_NEWNEXTHOP else "delnexthop")
            if r:
                r["t"] = t
                print(json.dumps(r), flush=True)
            off += (ln + 3) & ~3


if __name__ == "__main__":
    sys.exit(main())
