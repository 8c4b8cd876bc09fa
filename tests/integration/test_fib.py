#!/usr/bin/python3
"""netns test of the truthful FIB (TAP output).

  test_fib.py [route|objects]

Diamond: srfdd on A guards fc00:2::/64 with session a-b (10 ms x 3,
hold-down 200 ms). srfdd moves the prefix's fast route to the active list's
first hop after each in-kernel flip: by replacing the route (default), or,
with `fib_objects = true`, by replacing the nexthop object the route points
at. A raw netlink listener in A records when each route/nexthop message
arrives (CLOCK_MONOTONIC); BIRD and, in route mode, FRR zebra run in A as
consumers (FRR 8.4's zebra fights foreign nexthop objects: see routes.c). Checks: `proto srfd` and the object after start; 20 silent
failures of A-B, each seen by the listener as the prefix moving to the
backup's first hop (arrival - kernel flip: median, p99 <= 5 ms, none
missed) and back after the repair; zebra and BIRD show the backup first hop
within 1 s; `srfdd --flush` deletes route and object (RTM_DEL* seen).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import srfdtopo as st  # noqa: E402
import frr  # noqa: E402

PFX = "fc00:2::/64"
PRIMARY_GW, BACKUP_GW = "fc00:ab::2", "fc00:ac::2"
TRIALS = 20
NLWATCH = os.path.join(os.path.dirname(st.__file__), "nlwatch.py")
BIRD = shutil.which("bird")


class Watch:
    """nlwatch.py in a namespace; lines() parses what arrived so far."""

    def __init__(self, topo, node):
        self.path = os.path.join(topo.tmp, "nl-%s.json" % node)
        self.f = open(self.path, "w")
        self.p = topo.popen(node, st.PY, NLWATCH, stdout=self.f, stderr=subprocess.DEVNULL)
        st.until(lambda: "ready" in open(self.path).read(), 5)

    def lines(self):
        return st.json_lines(self.path)

    def wait(self, pred, after_t, timeout):
        return st.until(lambda: next((m for m in self.lines()
                                      if m["t"] >= after_t and pred(m)), None), timeout, 0.005)


def moved_to(gw):
    return lambda m: (m["type"] == "newroute" and m["dst"] == PFX and m["metric"] == 16
                      and m.get("gw") == gw)


def zebra_route(z):
    return (z.json("show ipv6 route %s json" % PFX) or {}).get(PFX, [])


def zebra_selected_via(routes):
    """(selected kernel route?, its first gateway)."""
    for r in routes:
        if r.get("protocol") == "kernel" and r.get("selected"):
            hops = r.get("nexthops", [])
            return True, hops[0].get("ip") if hops else None
    return False, None


def bird_start(topo, node):
    d = tempfile.mkdtemp(prefix="srfd-bird.", dir=topo.tmp)
    conf = os.path.join(d, "bird.conf")
    with open(conf, "w") as f:
        f.write("router id 10.0.0.1;\nprotocol device {}\n"
                "protocol kernel { ipv6 { import all; export none; }; learn; scan time 10; }\n")
    # in the foreground: a child of the topology, ended with it whatever happens
    topo.popen(node, BIRD, "-f", "-c", conf, "-s", d + "/bird.ctl",
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    st.until(lambda: os.path.exists(d + "/bird.ctl"), 5)
    return d


def bird_route(topo, node, d):
    return topo.run(node, "birdc", "-s", d + "/bird.ctl", "show", "route", "for", PFX, "all",
                    check=False, capture=True).stdout


def main():
    topo = st.Topo()
    try:
        return run(topo)
    finally:    # zebra, ended by PID (BIRD runs as the topology's child)
        if getattr(topo, "owner_frr", None):
            topo.owner_frr.stop()


def run(topo):
    objects = len(sys.argv) > 1 and sys.argv[1] == "objects"
    t = st.Tap()
    topo.diamond()
    inst = topo.prefix + ("-o" if objects else "-f")
    # BIRD and FRR read kernel routes whose next hop is an object only with
    # the expanded form the kernel adds in compat mode (the default)
    topo.run("A", "sysctl", "-qw", "net.ipv4.nexthop_compat_mode=1")
    watch = Watch(topo, "A")
    zdir = None
    if frr.installed() and not objects:
        zdir = frr.Frr(topo, "A")
        topo.owner_frr = zdir
        zdir.start("zebra", "")
    bdir = bird_start(topo, "A") if BIRD else None
    conf = topo.write_frr_conf(inst, 10000, 3, hold_ms=200, hold_max_ms=200)
    if objects:
        with open(conf, "a") as f:
            f.write("fib_objects = true;\n")
    d = topo.srfdd("A", conf)
    up = st.wait_state(inst, "a-b", "up", 5)

    routes = topo.run("A", "ip", "-6", "route", "show", "proto", "srfd", check=False,
                      capture=True)
    nh = topo.run("A", "ip", "-6", "nexthop", "show", capture=True).stdout
    fast = [ln for ln in routes.stdout.splitlines() if ln.startswith(PFX) and "metric 16" in ln]
    nhid = int(fast[0].split("nhid ")[1].split()[0]) if fast and "nhid " in fast[0] else 0
    named = topo.run("A", "ip", "-6", "route", "show", PFX, capture=True).stdout
    ok = up is not None and routes.returncode == 0 and fast and \
        "via %s dev a-b" % PRIMARY_GW in fast[0] and "proto srfd" in named
    if objects:
        t.ok(ok and "proto srfd" in nh and ("id %d " % nhid) in nh
             and 250000000 <= nhid < (1 << 28),
             "after start: `ip -6 route show proto srfd` lists the prefix through nexthop "
             "object %d (outside zebra's ids) via the primary's first hop" % nhid,
             routes.stdout + routes.stderr + nh + topo.log("A")[-1500:])
    else:
        t.ok(ok and not nhid and "proto srfd" not in nh,
             "after start: `ip -6 route show proto srfd` lists the prefix via the primary's "
             "first hop (no nexthop object)", routes.stdout + routes.stderr + nh)

    if zdir:
        sel, via = st.until(lambda: (lambda s: s if s[1] == PRIMARY_GW else None)(
            zebra_selected_via(zebra_route(zdir))), 5) or (False, None)
        t.ok(sel and via == PRIMARY_GW, "zebra selects it as a kernel route (K>*) via %s" % via,
             zebra_route(zdir))
    else:
        t.skip("zebra selects it as a kernel route", "FRR is not installed" if not objects
               else "FRR 8.4 zebra re-installs nexthop objects it did not make")
    if bdir:
        out = st.until(lambda: (lambda o: o if "Kernel.source: 245" in o else None)(
            bird_route(topo, "A", bdir)), 15) or ""
        t.ok("Kernel.source: 245" in out and "via %s on a-b" % PRIMARY_GW in out,
             "BIRD learns it: krt_source (Kernel.source) 245, via the primary's first hop", out)
    else:
        t.skip("BIRD learns it", "BIRD is not installed")

    # silent failures: the listener must see each move, after the kernel flip
    lat_down, lat_up, missed, zebra_ms, bird_ms = [], [], 0, [], []
    for i in range(TRIALS):
        if not st.wait_active(inst, PFX, "primary", 3) or not st.wait_state(inst, "a-b", "up", 3):
            missed += 1
            continue
        time.sleep(0.05 + (i % 7) * 0.0013)
        t0 = topo.fail()
        m = watch.wait(moved_to(BACKUP_GW), t0, 2)
        p = st.wait_active(inst, PFX, "backup", 2)
        if i == 0:      # the consumers, polled side by side for 1.5 s
            zt = bt = None
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline and ((zdir and zt is None) or (bdir and bt is None)):
                if zdir and zt is None and \
                        zebra_selected_via(zebra_route(zdir))[1] == BACKUP_GW:
                    zt = (st.mono_ns() - t0) / 1e6
                if bdir and bt is None and \
                        "via %s on a-c" % BACKUP_GW in bird_route(topo, "A", bdir):
                    bt = (st.mono_ns() - t0) / 1e6
                time.sleep(0.01)
            zebra_ms.append(zt)
            bird_ms.append(bt)
        t1 = topo.repair()
        if not m or not p:
            missed += 1
            continue
        lat_down.append((m["t"] - p["last_switch_ns"]) / 1e6)
        m2 = watch.wait(moved_to(PRIMARY_GW), t1, 3)
        p2 = st.wait_active(inst, PFX, "primary", 3)
        if not m2 or not p2:
            missed += 1
            continue
        lat_up.append((m2["t"] - p2["last_switch_ns"]) / 1e6)
    med = st.percentile(lat_down, 50) if lat_down else -1
    p99 = st.percentile(lat_down, 99) if lat_down else -1
    t.ok(missed == 0 and len(lat_down) == TRIALS and min(lat_down) >= 0 and p99 <= 5,
         "%d silent failures: the listener saw every move to the backup's first hop, "
         "%.2f ms median, %.2f ms p99 after the kernel flip (bound 5 ms); %d missed"
         % (TRIALS, med, p99, missed),
         "to backup ms: %s\nback to primary ms: %s" % (
             " ".join("%.2f" % x for x in lat_down), " ".join("%.2f" % x for x in lat_up)))
    t.ok(len(lat_up) == TRIALS and min(lat_up) >= 0 and st.percentile(lat_up, 99) <= 5,
         "and every revert back to the primary's first hop (%.2f ms median, %.2f ms p99 after "
         "the kernel's; bound 5 ms)" % (st.percentile(lat_up, 50) if lat_up else -1,
                                        st.percentile(lat_up, 99) if lat_up else -1),
         "back to primary ms: %s\n%s" % (" ".join("%.2f" % x for x in lat_up),
                                         topo.log("A")[-1500:]))
    if zdir:
        t.ok(zebra_ms and zebra_ms[0] is not None and zebra_ms[0] <= 1000,
             "zebra shows the backup first hop %s ms after the failure (bound 1 s)" % zebra_ms)
    else:
        t.skip("zebra shows the backup first hop within 1 s", "FRR is not installed" if not objects
               else "FRR 8.4 zebra re-installs nexthop objects it did not make")
    if bdir:
        t.ok(bird_ms and bird_ms[0] is not None and bird_ms[0] <= 1000,
             "BIRD shows the backup first hop %s ms after the failure (bound 1 s)" % bird_ms)
    else:
        t.skip("BIRD shows the backup first hop within 1 s", "BIRD is not installed")

    # nothing of srfd's needs repairs so far: a mismatch between what srfdd
    # installs and what it reads back shows as a repair on every reconcile
    # (a loop: dozens here). One transient "fast route was missing" right
    # after a revert was seen in about 1 of 20 runs with zebra present (not
    # explained yet: see the issue 9 note); more than one is a failure.
    repairs = topo.log("A").count("re-installed")
    t.ok(repairs <= 1, "no repair loop while nothing was tampered with (%d repairs)" % repairs,
         topo.log("A")[-1500:] + "\n".join(
             json.dumps(m) for m in watch.lines() if m.get("dst") == PFX)[-3000:])

    # the fast route (or its nexthop object) deleted by hand: repaired
    def fast_route():
        out = topo.run("A", "ip", "-6", "route", "show", PFX, capture=True).stdout
        return [ln for ln in out.splitlines() if "metric 16" in ln]
    before = fast_route()
    nhid = int(before[0].split("nhid ")[1].split()[0]) if before and "nhid " in before[0] else 0
    t_del = st.mono_ns()
    if objects:
        topo.run("A", "ip", "nexthop", "del", "id", str(nhid))
    else:
        topo.run("A", "ip", "-6", "route", "del", PFX, "metric", "16")
    back = st.until(lambda: fast_route() if watch.wait(
        lambda m: m["type"] == "delroute" and m["dst"] == PFX and m["metric"] == 16, t_del, 0)
        else None, 5)
    t.ok(before and back, "the fast route %s deleted by hand is put back (%s)"
         % ("with its nexthop object %d" % nhid if objects else "", back), topo.log("A")[-800:])
    if back and "nhid " in back[0]:
        nhid = int(back[0].split("nhid ")[1].split()[0])

    t_stop = st.mono_ns()
    topo.stop(d)
    fl = topo.flush("A", os.path.join(topo.tmp, inst + ".conf"))
    delr = watch.wait(lambda m: m["type"] == "delroute" and m["dst"] == PFX
                      and m["metric"] == 16, t_stop, 3)
    deln = watch.wait(lambda m: m["type"] == "delnexthop" and m.get("id") == nhid, t_stop, 3)
    left = topo.run("A", "ip", "-6", "nexthop", "show", capture=True).stdout
    t.ok(fl.returncode == 0 and delr and (deln or not objects) and "proto srfd" not in left,
         "srfdd --flush deletes the fast route%s (RTM_DELROUTE%s seen)"
         % (" and its nexthop object" if objects else "", ", RTM_DELNEXTHOP" if objects else ""),
         left + fl.stderr)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
