#!/usr/bin/python3
"""netns test of in-kernel fast reroute on a diamond (TAP output).

H1 - A, A-B-D (primary) and A-C-D (backup), D - H2; B and C run only
kernel SRv6 (End, End.X), D decapsulates with End.DT6. srfdd on A guards
prefix fc00:2::/64 (H2) with a 1 ms x 3 session over link A-B. A sequenced
20 kpps UDP stream runs H1 -> H2 while link A-B fails silently and is
repaired: the outage must stay within the detection bound + 2 ms, the revert
after the hold-down must lose nothing, and TCP (iperf3) must work through the
encapsulation on both lists, forwarded from H1 and originated on A.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import srfdtopo as st  # noqa: E402
import udpstream  # noqa: E402

PFX = "fc00:2::/64"
HOLD_MS = 300
INTERVAL_US, MULT = 1000, 3
UDPSTREAM = os.path.join(os.path.dirname(st.__file__), "udpstream.py")


def iperf(topo, client, seconds=1.5):
    srv = topo.popen("H2", "iperf3", "-s", "-1", "-p", "5201",
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    try:
        r = topo.run(client, "iperf3", "-c", "fc00:2::2", "-p", "5201", "-t", str(seconds),
                     "-J", "--connect-timeout", "2000", check=False, capture=True,
                     timeout=seconds + 20)
    except subprocess.TimeoutExpired:
        return 0.0
    try:
        srv.wait(5)
    except subprocess.TimeoutExpired:
        srv.kill()
    try:
        return json.loads(r.stdout)["end"]["sum_received"]["bits_per_second"] / 1e9
    except (ValueError, KeyError):
        return 0.0


# Opens tun device tn0 (creating it) and counts the IPv6 packets the kernel
# sends into it: SRv6-encapsulated ones, and protected traffic in the clear.
TUNREADER = r'''
import fcntl, os, select, socket, struct, sys, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"tn0", 0x0001 | 0x1000))
print("ready", flush=True)
end, enc, plain = time.monotonic() + float(sys.argv[1]), 0, 0
dst = socket.inet_pton(socket.AF_INET6, "fc00:2::2")
while time.monotonic() < end:
    if select.select([fd], [], [], 0.05)[0]:
        p = os.read(fd, 65536)
        if len(p) >= 40 and p[0] >> 4 == 6:
            enc += p[6] == 43
            plain += p[6] != 43 and p[24:40] == dst
print(enc, plain, flush=True)
'''


def wait_route(topo, what, timeout=2.0, present=True):
    """Wait until @what appears in (or, not @present, vanishes from) PFX's routes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        routes = topo.run("A", "ip", "-6", "route", "show", PFX, capture=True).stdout
        if (what in routes) == present:
            return True
        time.sleep(0.02)
    return False


def udp_local(topo, tmp, tag):
    """A UDP stream that A itself originates to H2 (10 kpps, 0.3 s):
    (sent, received)."""
    out = os.path.join(tmp, "rx-local-%s.txt" % tag)
    rx = topo.popen("H2", st.PY, UDPSTREAM, "recv", "5002", "1.2", out)
    time.sleep(0.3)
    sent = topo.run("A", st.PY, UDPSTREAM, "send", "fc00:2::2", "5002", "10000", "0.3",
                    capture=True).stdout.strip()
    rx.wait(5)
    return int(sent or 0), len(udpstream.load(out))


def ptb_check(topo):
    """An oversize forwarded packet: H1 gets Packet Too Big with the usable
    size (the prefix route's MTU, encap_mtu minus srfd's header), learns it,
    and a packet of that size then gets through encapsulated."""
    topo.run("H1", "ip", "-6", "route", "flush", "cache")
    big = topo.run("H1", "ping", "-6", "-n", "-M", "do", "-s", "1452", "-c", "1", "-W", "1",
                   "fc00:2::2", check=False, capture=True)
    route = topo.run("H1", "ip", "-6", "route", "get", "fc00:2::2", capture=True).stdout
    fits = topo.run("H1", "ping", "-6", "-n", "-M", "do", "-s", str(1420 - 48), "-c", "1",
                    "-W", "1", "fc00:2::2", check=False, capture=True)
    return ("mtu=1420" in big.stdout + big.stderr and "mtu 1420" in route
            and fits.returncode == 0), big.stdout + big.stderr + route


def main():
    t = st.Tap()
    topo = st.Topo()
    topo.diamond()
    inst = topo.prefix + "-fr"
    d = topo.srfdd("A", topo.write_frr_conf(inst, INTERVAL_US, MULT, hold_ms=HOLD_MS,
                                            hold_max_ms=HOLD_MS))
    s = st.wait_state(inst, "a-b", "up", 5)
    p = st.prefixes(inst).get(PFX) if s else None
    t.ok(s is not None and p is not None and p["active"] == "primary"
         and p["primary"] == ["fc00:b::e", "fc00:d::d6"] and p["guards"] == ["a-b"],
         "session up, prefix %s on its primary list" % PFX, p or topo.log("A"))

    routes = topo.run("A", "ip", "-6", "route", "show", PFX, capture=True).stdout
    filt = topo.run("A", "tc", "filter", "show", "dev", "a-b", "egress", capture=True).stdout
    filt_c = topo.run("A", "tc", "filter", "show", "dev", "a-c", "egress", capture=True).stdout
    t.ok("via fc00:ab::2 dev a-b" in routes and "metric 16" in routes
         and ("dev sl-%s" % inst) in routes and "metric 17" in routes and "srfd_encap" in filt
         and "srfd_encap" in filt_c and ("proto srfd" in routes or "proto 245" in routes),
         "fast route via the primary's first hop (encap on a-b and a-c egress: the route "
         "follows the active list) and loop fallback", routes + filt + filt_c)

    g1 = iperf(topo, "H1")
    g2 = iperf(topo, "A")
    p = st.prefixes(inst)[PFX]
    t.ok(g1 > 0.05 and g2 > 0.05 and p["packets_primary"] > 1000 and p["packets_backup"] == 0,
         "TCP through the encap on the primary: forwarded %.2f Gbit/s, local %.2f Gbit/s" % (g1, g2))
    ok, out = ptb_check(topo)
    t.ok(ok, "primary: an oversize forwarded packet gets Packet Too Big (mtu 1420) back to "
         "the sender, which then gets through at that size", out)
    tx_l, rx_l = udp_local(topo, topo.tmp, "primary")
    t.ok(tx_l > 1000 and rx_l >= 0.99 * tx_l,
         "UDP that A originates, primary: %d of %d delivered" % (rx_l, tx_l))

    # the stream: fail at 0.8 s, repair at 1.3 s, revert at repair + hold-down
    mon = subprocess.Popen([st.SRFDCTL, "-i", inst, "-j", "monitor"], stdout=subprocess.PIPE,
                           text=True)
    topo.procs.append(mon)
    out = os.path.join(topo.tmp, "rx.txt")
    rx = topo.popen("H2", st.PY, UDPSTREAM, "recv", "5000", "3.6", out)
    time.sleep(0.3)
    tx = topo.popen("H1", st.PY, UDPSTREAM, "send", "fc00:2::2", "5000", "20000", "3.0",
                    stdout=subprocess.PIPE, text=True)
    time.sleep(0.8)
    t_fail = topo.fail()
    time.sleep(0.5)
    t_repair = topo.repair()
    sent = int(tx.communicate(10)[0].strip() or 0)
    rx.wait(10)
    rows = udpstream.load(out)
    runs = udpstream.loss_runs(rows)
    p = st.prefixes(inst)[PFX]
    s = st.sessions(inst)["a-b"]
    mon.terminate()
    events = [json.loads(line) for line in mon.communicate()[0].splitlines() if line.strip()]
    downs = [e for e in events if e["event"] == "state" and e["state"] == "down"]
    flips = [e for e in events if e["event"] == "switch" and e["prefix"] == PFX]
    detect_ms = (downs[0]["ts_ns"] - t_fail) / 1e6 if downs else None
    fail_runs = [r for r in runs if t_fail - 5e6 <= r[3] <= t_repair]
    after_repair = [r for r in runs if r[3] > t_repair - 1e6]
    outage_ms = max((r[2] for r in fail_runs), default=0) / 1e6
    bound_ms = MULT * INTERVAL_US / 1000 + 2
    t.ok(sent > 40000 and len(rows) > 0.95 * sent, "stream ran: %d sent, %d received" % (sent, len(rows)))
    t.ok(s["downs"] == 1 and len(flips) == 2 and flips[0]["active"] == "backup"
         and downs and flips[0]["ts_ns"] == downs[0]["ts_ns"] and p["packets_backup"] > 1000,
         "the watchdog flipped the prefix to its backup at the down transition "
         "(detected in %s ms, %d packets on backup)"
         % ("%.2f" % detect_ms if detect_ms is not None else "?", p["packets_backup"]),
         events)
    t.ok(len(fail_runs) >= 1 and 0 < outage_ms <= bound_ms,
         "outage on failover %.2f ms <= detection bound + 2 ms = %.1f ms" % (outage_ms, bound_ms),
         "loss runs (first seq, lost, outage ns, t): %s" % runs)
    t.ok(p["active"] == "primary" and p["switches"] == 2 and not after_repair,
         "after repair and %d ms hold-down: back on the primary, 0 packets lost by the revert"
         % HOLD_MS, "state %s, runs after repair %s" % (p, after_repair))
    log = topo.log("A")
    t.ok("primary -> backup" in log and "backup -> primary" in log,
         "switches are logged by srfdd")

    # TCP while on the backup
    st.wait_state(inst, "a-b", "up", 2)
    topo.fail()
    on_backup = st.wait_active(inst, PFX, "backup", 1) is not None
    g3 = iperf(topo, "H1")
    g4 = iperf(topo, "A")
    ptb_ok, ptb_out = ptb_check(topo)
    tx_l, rx_l = udp_local(topo, topo.tmp, "backup")
    back_l = st.prefixes(inst)[PFX]["active"] == "backup"
    topo.repair()
    t.ok(tx_l > 1000 and rx_l >= 0.99 * tx_l and back_l,
         "UDP that A originates, backup: %d of %d delivered" % (rx_l, tx_l))
    t.ok(on_backup and g3 > 0.05 and g4 > 0.05,
         "TCP through the encap on the backup: forwarded %.2f Gbit/s, local %.2f Gbit/s" % (g3, g4))
    t.ok(ptb_ok, "backup: Packet Too Big reaches the sender of an oversize forwarded packet",
         ptb_out)
    c = st.stats(inst)
    t.ok(c["encap_slow"] * 100 < c["encap_ok"],
         "the cached next hops carry the traffic: %d of %d packets needed a FIB lookup"
         % (c["encap_slow"], c["encap_ok"]))
    t.ok(c["encap_too_big"] == 0 and c["encap_fail"] == 0 and c["encap_no_route"] == 0,
         "no encapsulation errors (too_big %d, fail %d, no_route %d)"
         % (c["encap_too_big"], c["encap_fail"], c["encap_no_route"]))
    # the primary's device goes down: its routes vanish, the loop's
    # fallback keeps the prefix encapsulated, on the backup at once
    st.wait_active(inst, PFX, "primary", 2)
    topo.run("A", "ip", "link", "set", "a-b", "down")
    ping = topo.run("H1", "ping", "-6", "-c3", "-i0.2", "-W1", "fc00:2::2", check=False,
                    capture=True)
    p = st.prefixes(inst)[PFX]
    t.ok(ping.returncode == 0 and p["active"] == "backup",
         "with a-b down the prefix is still delivered, via the loop on the backup",
         ping.stdout + str(p))
    # the kernel flushed a-b's address and the route to B with it: once
    # routing to the primary's first SID is back, so is the fast route
    topo.run("A", "ip", "link", "set", "a-b", "up")
    topo.run("A", "ip", "-6", "addr", "replace", "fc00:ab::1/64", "dev", "a-b", "nodad")
    topo.run("A", "ip", "-6", "route", "replace", "fc00:b::/48", "via", "fc00:ab::2")
    back = wait_route(topo, "via fc00:ab::2 dev a-b")
    t.ok(back, "a-b up again: srfdd re-adds the fast route", topo.log("A"))
    # the primary's first hop moves to a device without Ethernet header
    # (tun): no fast route there, and protected traffic never leaves in the clear
    st.wait_active(inst, PFX, "primary", 2)
    tun = topo.popen("A", st.PY, "-c", TUNREADER, "2.5", stdout=subprocess.PIPE, text=True)
    tun.stdout.readline()
    topo.run("A", "ip", "link", "set", "tn0", "up")
    topo.run("A", "ip", "-6", "route", "add", "fc00:b::e/128", "dev", "tn0")
    moved = wait_route(topo, "metric 16", timeout=2, present=False)
    topo.run("H1", "ping", "-6", "-c5", "-i0.1", "-W0.3", "fc00:2::2", check=False, capture=True)
    routes = topo.run("A", "ip", "-6", "route", "show", PFX, capture=True).stdout
    filt = topo.run("A", "tc", "filter", "show", "dev", "tn0", "egress", capture=True,
                    check=False).stdout
    enc, plain = (int(x) for x in tun.communicate(10)[0].split())
    t.ok(moved and "tn0" not in routes and "srfd_encap" not in filt and plain == 0,
         "first hop on a tun device: no fast route or filter there, %d packets entered it "
         "encapsulated, %d in the clear" % (enc, plain), routes + filt + topo.log("A")[-800:])
    topo.run("A", "ip", "-6", "route", "del", "fc00:b::e/128", "dev", "tn0", check=False)
    t.ok(wait_route(topo, "via fc00:ab::2 dev a-b"), "first hop back on a-b: fast route again")

    # srfdd gone: its next-hop cache is trusted 3 s more, then the FIB decides
    slow0 = st.stats(inst)["encap_slow"]
    topo.stop(d)
    early = topo.run("H1", "ping", "-6", "-c5", "-i0.05", "-W0.3", "fc00:2::2", check=False,
                     capture=True).returncode
    time.sleep(3.2)
    late = topo.run("H1", "ping", "-6", "-c5", "-i0.05", "-W0.3", "fc00:2::2", check=False,
                    capture=True).returncode
    d = topo.srfdd("A", os.path.join(topo.tmp, inst + ".conf"))
    st.wait_state(inst, "a-b", "up", 5)
    slow = st.stats(inst)["encap_slow"] - slow0
    t.ok(early == 0 and late == 0 and 5 <= slow <= 8,
         "srfdd stopped: traffic keeps flowing, on the cached next hop at first and through "
         "a FIB lookup per packet once the cache expired (%d packets)" % slow)

    topo.stop(d)
    kept = topo.run("A", "ip", "-6", "route", "show", PFX, capture=True).stdout
    fl = topo.flush("A", os.path.join(topo.tmp, inst + ".conf"))
    route = topo.run("A", "ip", "-6", "route", "show", PFX, capture=True).stdout
    qd = topo.run("A", "tc", "qdisc", "show", "dev", "a-b", capture=True).stdout
    t.ok("metric 16" in kept and fl.returncode == 0 and route.strip() == "" and "clsact" not in qd,
         "a stopped srfdd keeps its prefix routes; --flush removes them and its tc hook on a-b",
         kept + route + qd + fl.stderr)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
