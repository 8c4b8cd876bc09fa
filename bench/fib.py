#!/usr/bin/python3
"""How fast the FIB tells the truth after a flip, with many prefixes.

Diamond, srfdd on A: one session a-b (10 ms x 3) guards N prefixes
(fc00:2:0:i::/64, hold-down 200 ms). A raw netlink listener in A stamps
every route message on arrival (CLOCK_MONOTONIC). Per silent failure of A-B:
first and last prefix seen at the backup's first hop, counted from the
kernel's flip (the earliest last_switch_ns of the prefixes), and the same
for the revert. Both of srfdd's modes, each in fresh namespaces, in
alternating order over --repeat rounds:

  route    every flipped prefix's route is replaced (the default)
  objects  the prefixes share one nexthop object, replaced once
           (fib_objects = true)

  bench/fib.py [--prefixes 256] [--trials 10] [--repeat 2]
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))
import srfdtopo as st  # noqa: E402

BACKUP_GW, PRIMARY_GW = "fc00:ac::2", "fc00:ab::2"
NLWATCH = os.path.join(os.path.dirname(st.__file__), "nlwatch.py")


def write_conf(topo, inst, n, objects):
    path = os.path.join(topo.tmp, inst + ".conf")
    pfx = ",\n".join('  { prefix = "fc00:2:0:%x::/64"; primary = [ "fc00:b::e", "fc00:d::d6" ];'
                     ' backup = [ "fc00:c::e", "fc00:d::d6" ]; guards = [ "a-b" ];'
                     ' hold_down_ms = 200; hold_down_max_ms = 200; }' % i for i in range(n))
    with open(path, "w") as f:
        f.write('instance = "%s";\nlocal_sid = "fc00:a::bf";\nsource = "fc00:a::1";\n'
                'fib_objects = %s;\n'
                'sessions = ( { name = "a-b"; interface = "a-b"; neighbor = "fc00:ab::2";\n'
                '  segments = [ "fc00:b::e1" ]; interval_us = 10000; multiplier = 3; } );\n'
                'prefixes = (\n%s\n);\n' % (inst, "true" if objects else "false", pfx))
    return path


def messages(path, t0, gw):
    """Arrival times of route messages after @t0 moving a prefix to @gw."""
    seen = {}
    for m in st.json_lines(path):
        if (m["t"] >= t0 and m["type"] == "newroute" and m.get("metric") == 16
                and m.get("gw") == gw and m["dst"] not in seen):
            seen[m["dst"]] = m["t"]
    return seen


def flips(inst):
    return min(p["last_switch_ns"] for p in st.prefixes(inst).values())


def wait_all(inst, n, active, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ps = st.prefixes(inst)
        if len(ps) == n and all(p["active"] == active for p in ps.values()):
            return True
        time.sleep(0.01)
    return False


def run_mode(objects, n, trials, tag):
    topo = st.Topo(prefix="fb%d%s" % (os.getpid() % 10000, tag))
    out = {"down_first": [], "down_last": [], "up_first": [], "up_last": [], "missed": 0}
    try:
        topo.diamond()
        inst = topo.prefix
        path = os.path.join(topo.tmp, "nl.json")
        with open(path, "w") as f:
            topo.popen("A", st.PY, NLWATCH, stdout=f, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        d = topo.srfdd("A", write_conf(topo, inst, n, objects))
        if not st.wait_state(inst, "a-b", "up", 10) or not wait_all(inst, n, "primary", 10):
            raise RuntimeError("not up: " + topo.log("A")[-800:])
        time.sleep(1.0)     # the first reconcile's route churn is over
        for _ in range(trials):
            t0 = topo.fail()
            ok = wait_all(inst, n, "backup", 3)
            time.sleep(0.3)
            k = flips(inst) if ok else 0
            seen = messages(path, t0, BACKUP_GW)
            t1 = topo.repair()
            ok2 = wait_all(inst, n, "primary", 5)
            time.sleep(0.3)
            k2 = flips(inst) if ok2 else 0
            seen2 = messages(path, t1, PRIMARY_GW)
            if not ok or not ok2 or len(seen) < n or len(seen2) < n:
                out["missed"] += 1
                continue
            out["down_first"].append((min(seen.values()) - k) / 1e6)
            out["down_last"].append((max(seen.values()) - k) / 1e6)
            out["up_first"].append((min(seen2.values()) - k2) / 1e6)
            out["up_last"].append((max(seen2.values()) - k2) / 1e6)
            time.sleep(0.3)
        topo.stop(d, flush=True)
    finally:
        topo.cleanup()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prefixes", type=int, default=256)
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args()
    print("# FIB move after a flip, %s, kernel %s, %d CPUs, %d prefixes guarded by one session, "
          "%d failures x %d rounds per mode" % (time.strftime("%Y-%m-%d %H:%M"),
                                                 os.uname().release, os.cpu_count(), a.prefixes,
                                                 a.trials, a.repeat), flush=True)
    res = {"route": {}, "objects": {}}
    for r in range(a.repeat):
        order = ("route", "objects") if r % 2 == 0 else ("objects", "route")
        for mode in order:
            got = run_mode(mode == "objects", a.prefixes, a.trials, "%s%d" % (mode[0], r))
            for k, v in got.items():
                if k == "missed":
                    res[mode][k] = res[mode].get(k, 0) + v
                else:
                    res[mode].setdefault(k, []).extend(v)
            print("round %d %-7s down last %s ms" % (r, mode, " ".join(
                "%.2f" % x for x in got["down_last"])), flush=True)
    print("\nms after the kernel's flip: median / p99 (first prefix seen, last prefix seen)")
    for mode in ("route", "objects"):
        m = res[mode]
        if not m.get("down_last"):
            print("  %-7s no complete trial (%d missed)" % (mode, m.get("missed", 0)))
            continue
        print("  %-7s failover first %.2f / %.2f  last %.2f / %.2f   revert first %.2f / %.2f  "
              "last %.2f / %.2f   (%d trials, %d missed)" %
              (mode, st.percentile(m["down_first"], 50), st.percentile(m["down_first"], 99),
               st.percentile(m["down_last"], 50), st.percentile(m["down_last"], 99),
               st.percentile(m["up_first"], 50), st.percentile(m["up_first"], 99),
               st.percentile(m["up_last"], 50), st.percentile(m["up_last"], 99),
               len(m["down_last"]), m["missed"]))
    if res["route"].get("down_last") and res["objects"].get("down_last"):
        print("  ratio route / objects, last prefix on failover (median): %.2f" %
              (st.percentile(res["route"]["down_last"], 50) /
               max(st.percentile(res["objects"]["down_last"], 50), 1e-6)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
