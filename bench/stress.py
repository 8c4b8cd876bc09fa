#!/usr/bin/python3
"""False-down benchmark on the stress ladder of shared/BASELINES.md.

No failure is injected. srfdd on A runs two sessions over link A-B, 1 ms x 3
and 10 ms x 3, while FRR bfdd (if installed) runs a 10 ms x 3 session over
the same link in the same namespaces. Each rung loads the machine with
stress-ng for the given time; every down recorded during a rung is false.

  bench/stress.py [--seconds 60] [--rungs idle,cpu,switch,timer,fifo]
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))
import srfdtopo as st  # noqa: E402
import detect  # noqa: E402

RUNGS = {
    "idle": None,
    "cpu": ["--cpu", "2", "--cpu-load", "100"],
    "switch": ["--switch", "4"],
    "timer": ["--timer", "2", "--timer-freq", "1000000", "--hrtimers", "2"],
    "fifo": ["--cpu", "2", "--sched", "fifo", "--sched-prio", "50"],
}

CONF = """instance = "%s";
local_sid = "fc00:a::bf";
source = "fc00:a::1";
sessions = (
  { name = "1ms"; interface = "a-b"; neighbor = "fc00:ab::2";
    segments = [ "fc00:b::e1" ]; interval_us = 1000; multiplier = 3; },
  { name = "10ms"; interface = "a-b"; neighbor = "fc00:ab::2";
    segments = [ "fc00:b::e1" ]; interval_us = 10000; multiplier = 3; }
);
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--rungs", default="idle,cpu,switch,timer,fifo")
    ap.add_argument("--no-bfdd", action="store_true")
    a = ap.parse_args()

    topo = st.Topo()
    topo.abc()
    inst = "bs%d" % os.getpid()
    conf = os.path.join(topo.tmp, "stress.conf")
    with open(conf, "w") as f:
        f.write(CONF % inst)
    d = topo.srfdd("A", conf)
    bfdd = None
    if os.path.exists("/usr/lib/frr/bfdd") and not a.no_bfdd:
        bfdd = detect.bfdd_start(topo, "A", "fc00:ab::2", "a-b", 10, 3)
        detect.bfdd_start(topo, "B", "fc00:ab::1", "b-a", 10, 3)
    ok = st.wait_state(inst, "1ms", "up", 5) and st.wait_state(inst, "10ms", "up", 5)
    if bfdd:
        deadline = time.monotonic() + 15
        while not detect.bfdd_up(bfdd) and time.monotonic() < deadline:
            time.sleep(0.1)
    if not ok:
        print("srfd sessions did not come up")
        return 1

    print("# srfd false downs on the stress ladder, %s, %s, %d CPUs, %d s per rung" %
          (time.strftime("%Y-%m-%d %H:%M"), os.uname().release, os.cpu_count(), a.seconds))
    print("%-8s %10s %10s %12s %12s %14s %14s" % (
        "rung", "srfd 1ms", "srfd 10ms", "bfdd 10ms", "stall_saves", "tick_lost",
        "max_gap_us*"))
    for rung in a.rungs.split(","):
        s0 = st.sessions(inst)
        c0 = st.stats(inst)
        b0 = len(detect.bfdd_downs(bfdd)) if bfdd else 0
        secs = a.seconds if rung != "fifo" else min(a.seconds, 45)
        if RUNGS[rung]:
            subprocess.run(["stress-ng", "--quiet", "--timeout", "%ds" % secs] + RUNGS[rung],
                           check=False)
        else:
            time.sleep(secs)
        time.sleep(0.5)
        s1 = st.sessions(inst)
        c1 = st.stats(inst)
        b1 = len(detect.bfdd_downs(bfdd)) if bfdd else 0
        saves = c1["stall_saves"] - c0["stall_saves"]
        print("%-8s %10d %10d %12s %12d %14d %14d" % (
            rung, s1["1ms"]["downs"] - s0["1ms"]["downs"],
            s1["10ms"]["downs"] - s0["10ms"]["downs"],
            str(b1 - b0) if bfdd else "n/a", saves,
            c1["tick_lost"] - c0["tick_lost"], c1["max_tick_gap_us"]), flush=True)
        st.wait_state(inst, "1ms", "up", 5)
        st.wait_state(inst, "10ms", "up", 5)
    print("# * longest gap between two ticks since srfdd started (cumulative)")
    topo.stop(d, flush=True)
    if bfdd:
        detect.bfdd_stop(bfdd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
