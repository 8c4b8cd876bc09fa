#!/usr/bin/python3
"""Scale benchmark: sessions x interval for srfd, FRR bfdd and BIRD.

For each session count and interval, one system at a time in a fresh A - B
topology (srfd: 4 parallel links, its sessions spread over them, B runs only
End.X; bfdd/BIRD: one link with one address pair per session, the same
daemon on B): all sessions must come up; then, per stress rung, every down
is false; the kernel CPU of the whole machine (both ends: B's End.X and
the veths run here too) is measured at idle from /proc/stat, with srfd's
BPF run time from the kernel's statistics; last, one link fails silently
and the detection time of every session on it is taken (srfd: the kernel's
transition stamps; bfdd/BIRD: their microsecond logs). A baseline stops at
the first count where it has false downs or sessions that never come up
("as far as it goes").

  bench/scale.py [--sessions 1,100,1000,2000,4096] [--intervals 10000,1000]
                 [--rungs idle,cpu] [--seconds 60] [--systems srfd,bfdd,bird]
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))
import srfdtopo as st  # noqa: E402
import baselines  # noqa: E402
import stress  # noqa: E402
from cpu import bpf_runtime, busy_pct, soak  # noqa: E402

LINKS = 4
MULT = 3


CALIB = []     # spinner counts per CPU on the quiet machine (calibrate())


def calibrate(seconds):
    """Spinner rates with nothing running, in the same invocation."""
    CALIB[:] = soak(seconds)
    return CALIB


def cpu_window(seconds):
    """CPU taken by everything running (user and kernel, both ends), % of
    one core, against the quiet machine; srfd's BPF run time alongside."""
    if not CALIB:
        calibrate(seconds)
    r0 = bpf_runtime()
    counts = soak(seconds)
    r1 = bpf_runtime()
    busy = busy_pct(counts, CALIB)
    bpf = {k: ((r1[k][0] - r0.get(k, [0, 0])[0]) / seconds,     # ns per s
               (r1[k][1] - r0.get(k, [0, 0])[1]) / seconds)     # runs per s
           for k in r1}
    return busy, bpf


def srfd_point(n, iv_us, rungs, seconds, cpu_s, up_s=30):
    topo = st.Topo()
    res = {"system": "srfd", "sessions": n, "interval_us": iv_us}
    try:
        sids = topo.multilink(LINKS)
        inst = "sc%d" % (os.getpid() % 100000)
        d = topo.srfdd("A", topo.write_scale_conf(inst, n, sids, iv_us, MULT))

        def all_up():
            return st.sessions_all_up(inst, n)
        if not st.until(all_up, up_s, step=0.25):
            ss = st.sessions(inst)
            res["note"] = "%d of %d up after %d s" % (
                sum(1 for s in ss.values() if s["state"] == "up"), n, up_s)
            topo.stop(d, flush=True)
            return res
        time.sleep(1)
        busy, bpf = cpu_window(cpu_s)
        stats = st.stats(inst)
        res["cpu_pct"] = busy
        res["tick_us"] = stats["tick_us"]
        res["ticker_judged"] = stats.get("ticker_judged", 0)
        tick = bpf.get("srfd_tick", (0, 0))
        rx = bpf.get("srfd_sid_in", bpf.get("srfd_end_bpf", (0, 0)))
        res["bpf_us_per_s"] = (tick[0] + rx[0]) / 1e3
        res["tick_ns_per_run"] = tick[0] / tick[1] if tick[1] else 0
        res["rx_ns_per_probe"] = rx[0] / rx[1] if rx[1] else 0
        res["false_downs"] = {}
        for r in rungs:
            before = sum(s["downs"] for s in st.sessions(inst).values())
            stress.rung(r, seconds)
            time.sleep(0.3)
            after = sum(s["downs"] for s in st.sessions(inst).values())
            res["false_downs"][r] = after - before
            st.until(all_up, 10, step=0.25)
        # one link fails silently
        before = st.sessions(inst)
        victims = [k for k in before if k.startswith("l1-")] or list(before)
        link = "b-a1" if n > 1 else "b-a0"
        if n == 1:
            victims = list(before)
        t_fail = topo.fail("B", link)
        bound = 10 * MULT * iv_us / 1e6 + 1

        def down():
            s = st.sessions(inst)
            return s if all(s[v]["state"] != "up" for v in victims) else None
        after = st.until(down, bound, step=0.05) or st.sessions(inst)
        det = sorted((after[v]["last_change_ns"] - t_fail) / 1e6 for v in victims
                     if after[v]["state"] != "up")
        res["detect_ms"] = det
        res["detect_missed"] = len(victims) - len(det)
        res["others_hurt"] = sum(1 for k in before if k not in victims and
                                 after[k]["downs"] != before[k]["downs"])
        topo.repair("B", link)
        topo.stop(d, flush=True)
    finally:
        topo.cleanup()
    return res


def baseline_point(system, n, iv_us, rungs, seconds, cpu_s, up_s=30):
    topo = st.Topo()
    res = {"system": system, "sessions": n, "interval_us": iv_us}
    try:
        for node in "AB":
            topo.node(node)
        topo.link("A", "a-b", "fc00:ab::1", "B", "b-a", "fc00:ab::2")
        dm = baselines.Daemon(topo, system, n, iv_us // 1000, MULT)
        try:
            if not dm.all_up(up_s):
                res["note"] = "%d of %d up after %d s" % (dm.ups() - len(dm.downs()), n, up_s)
                return res
            time.sleep(1)
            res["cpu_pct"], _ = cpu_window(cpu_s)
            res["false_downs"] = {}
            for r in rungs:
                d0 = len(dm.downs())
                stress.rung(r, seconds)
                time.sleep(0.3)
                res["false_downs"][r] = len(dm.downs()) - d0
                dm.all_up(10)
            d0 = len(dm.downs())
            topo.fail("B", "b-a")
            t_real = topo.last_commit_realtime_ns
            time.sleep(10 * MULT * iv_us / 1e6 + 1)
            downs = dm.downs()[d0:]
            res["detect_ms"] = sorted((t - t_real) / 1e6 for t in downs)
            res["detect_missed"] = max(n - len(downs), 0)
            topo.repair("B", "b-a")
        finally:
            dm.stop()
    finally:
        topo.cleanup()
    return res


def run(systems, sessions, intervals, rungs, seconds, cpu_s, log=print, up_s=30,
        base_sessions=None):
    """Every point, ascending session counts; a baseline stops at its
    first count with false downs or sessions that never came up."""
    rows = []
    for system in systems:
        if system != "srfd" and not baselines.have(system):
            log("# %s is not installed: skipped" % baselines.label(system))
            continue
        for iv in intervals:
            if system == "bfdd" and iv < 10000:
                log("# FRR bfdd: %d us is below its 10 ms floor: skipped" % iv)
                continue
            for n in (sessions if system == "srfd" or base_sessions is None
                      else base_sessions):
                t0 = time.monotonic()
                if system == "srfd":
                    r = srfd_point(n, iv, rungs, seconds, cpu_s, up_s)
                else:
                    r = baseline_point(system, n, iv, rungs, seconds, cpu_s, up_s)
                r["seconds"] = round(time.monotonic() - t0, 1)
                rows.append(r)
                log(json.dumps(r))
                failed = "note" in r or sum(r.get("false_downs", {}).values()) > 0
                if failed and system != "srfd":
                    break
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", default="1,100,1000,2000,4096")
    ap.add_argument("--intervals", default="10000,1000")
    ap.add_argument("--rungs", default="idle,cpu")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--cpu-seconds", type=int, default=5)
    ap.add_argument("--systems", default="srfd,bfdd,bird")
    ap.add_argument("--json", help="write the rows here")
    a = ap.parse_args()
    rows = run(a.systems.split(","), [int(x) for x in a.sessions.split(",")],
               [int(x) for x in a.intervals.split(",")], a.rungs.split(","), a.seconds,
               a.cpu_seconds)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    with st.bpf_stats():
        rc = main()
    sys.exit(rc)
