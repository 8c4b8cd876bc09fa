#!/usr/bin/python3
"""False-down benchmark on the stress ladder of shared/BASELINES.md.

No failure is injected. srfdd on A runs sessions over link A-B (by default
1 ms x 3 and 10 ms x 3; --intervals sets them), while FRR bfdd (if
installed) runs a 10 ms x 3 session over the same link in the same
namespaces. Each rung loads the machine with stress-ng for the given time;
every down recorded during a rung is false.

  bench/stress.py [--seconds 60] [--rungs idle,cpu,switch,timer,fifo]
                  [--intervals 1000,10000] [--no-bfdd]
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
%s
);
"""
SESSION = """  { name = "%s"; interface = "a-b"; neighbor = "fc00:ab::2";
    segments = [ "fc00:b::e1" ]; interval_us = %d; multiplier = 3; }"""


def rung(name, seconds):
    """Load the machine as rung @name says for @seconds (idle: just wait)."""
    if RUNGS[name]:
        subprocess.run(["stress-ng", "--quiet", "--timeout", "%ds" % seconds] + RUNGS[name],
                       check=False)
    else:
        time.sleep(seconds)


def label(us):
    return "%dms" % (us // 1000) if us % 1000 == 0 else "%dus" % us


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--rungs", default="idle,cpu,switch,timer,fifo")
    ap.add_argument("--no-bfdd", action="store_true")
    ap.add_argument("--intervals", default="1000,10000",
                    help="srfd sessions' intervals in us, all x 3")
    a = ap.parse_args()
    ivals = [int(x) for x in a.intervals.split(",")]
    names = [label(us) for us in ivals]

    topo = st.Topo()
    topo.abc()
    inst = "bs%d" % os.getpid()
    conf = os.path.join(topo.tmp, "stress.conf")
    with open(conf, "w") as f:
        f.write(CONF % (inst, ",\n".join(SESSION % (n, us) for n, us in zip(names, ivals))))
    d = topo.srfdd("A", conf)
    bfdd = None
    if os.path.exists("/usr/lib/frr/bfdd") and not a.no_bfdd:
        bfdd = detect.bfdd_start(topo, "A", "fc00:ab::2", "a-b", 10, 3)
        detect.bfdd_start(topo, "B", "fc00:ab::1", "b-a", 10, 3)
    ok = all(st.wait_state(inst, n, "up", 5) for n in names)
    if bfdd:
        deadline = time.monotonic() + 15
        while not detect.bfdd_up(bfdd) and time.monotonic() < deadline:
            time.sleep(0.1)
    if not ok:
        print("srfd sessions did not come up")
        return 1

    print("# srfd false downs on the stress ladder, %s, %s, %d CPUs, %d s per rung" %
          (time.strftime("%Y-%m-%d %H:%M"), os.uname().release, os.cpu_count(), a.seconds))
    print("%-8s " % "rung" + " ".join("%10s" % ("srfd " + n) for n in names) +
          " %12s %12s %14s %14s" % ("bfdd 10ms", "stall_saves", "tick_lost", "max_gap_us*"))
    for name in a.rungs.split(","):
        s0 = st.sessions(inst)
        c0 = st.stats(inst)
        b0 = len(detect.bfdd_downs(bfdd)) if bfdd else 0
        secs = a.seconds if name != "fifo" else min(a.seconds, 45)
        rung(name, secs)
        time.sleep(0.5)
        s1 = st.sessions(inst)
        c1 = st.stats(inst)
        b1 = len(detect.bfdd_downs(bfdd)) if bfdd else 0
        saves = c1["stall_saves"] - c0["stall_saves"]
        print("%-8s " % name + " ".join("%10d" % (s1[n]["downs"] - s0[n]["downs"])
                                         for n in names) +
              " %12s %12d %14d %14d" % (str(b1 - b0) if bfdd else "n/a", saves,
                                        c1["tick_lost"] - c0["tick_lost"],
                                        c1["max_tick_gap_us"]), flush=True)
        for n in names:
            st.wait_state(inst, n, "up", 5)
    print("# * longest gap between two ticks since srfdd started (cumulative)")
    topo.stop(d, flush=True)
    if bfdd:
        detect.bfdd_stop(bfdd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
