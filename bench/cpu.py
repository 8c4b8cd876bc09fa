#!/usr/bin/python3
"""Kernel-side CPU cost of srfd at idle, for 1 and N sessions.

For each session count it runs srfdd on A (all sessions over link A-B at the
given interval) and measures, over a window, (1) system + softirq CPU of the
whole machine from /proc/stat against a window with no srfdd in the same
invocation, and (2) the run time of each srfd BPF program from the kernel's
BPF statistics (kernel.bpf_stats_enabled). The probe round trip includes
B's End.X, which runs on the same machine here.

  bench/cpu.py [--sessions 1,100] [--interval-us 1000] [--seconds 10]
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))
import srfdtopo as st  # noqa: E402

PROGS = ("srfd_tick", "srfd_end_bpf", "srfd_sid_in")


def cpu_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal
    return v[2] + v[5] + v[6], sum(v[:8])


def bpf_runtime():
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True).stdout
    res = {}
    for p in json.loads(out or "[]"):
        if p.get("name") in PROGS:
            r = res.setdefault(p["name"], [0, 0])
            r[0] += p.get("run_time_ns", 0)
            r[1] += p.get("run_cnt", 0)
    return res


def window(seconds):
    k0, t0 = cpu_ticks()
    b0 = bpf_runtime()
    time.sleep(seconds)
    k1, t1 = cpu_ticks()
    b1 = bpf_runtime()
    ncpu = os.cpu_count()
    kernel_pct_one_core = 100.0 * (k1 - k0) / (t1 - t0) * ncpu
    bpf = {n: (b1.get(n, [0, 0])[0] - b0.get(n, [0, 0])[0],
               b1.get(n, [0, 0])[1] - b0.get(n, [0, 0])[1]) for n in PROGS}
    return kernel_pct_one_core, bpf


def conf_text(inst, n, interval_us):
    sess = ",\n".join(
        '  { name = "s%d"; interface = "a-b"; neighbor = "fc00:ab::2"; '
        'segments = [ "fc00:b::e1" ]; interval_us = %d; multiplier = 3; }' % (i, interval_us)
        for i in range(n))
    return ('instance = "%s";\nlocal_sid = "fc00:a::bf";\nsource = "fc00:a::1";\n'
            'sessions = (\n%s\n);\n' % (inst, sess))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", default="1,100")
    ap.add_argument("--interval-us", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=10)
    a = ap.parse_args()

    topo = st.Topo()
    try:
        topo.abc()
        print("# srfd kernel-side CPU at idle, %s, %s, %d CPUs, %g s windows, %d us interval" %
              (time.strftime("%Y-%m-%d %H:%M"), os.uname().release, os.cpu_count(),
               a.seconds, a.interval_us))
        base, _ = window(a.seconds)
        print("%-22s kernel (sys+irq+softirq) %6.2f %% of one core" % ("no srfdd (baseline)", base))
        for n in (int(x) for x in a.sessions.split(",")):
            inst = "bc%d" % os.getpid()
            path = os.path.join(topo.tmp, "cpu.conf")
            with open(path, "w") as f:
                f.write(conf_text(inst, n, a.interval_us))
            d = topo.srfdd("A", path)
            if not all(st.wait_state(inst, "s%d" % i, "up", 10) for i in (0, n - 1)):
                print("sessions did not come up")
                return 1
            time.sleep(1)
            pct, bpf = window(a.seconds)
            s = st.sessions(inst)
            downs = sum(x["downs"] for x in s.values())
            probes = sum(x["probes_rx"] for x in s.values())
            print("%-22s kernel (sys+irq+softirq) %6.2f %% of one core, +%.2f %% over baseline;"
                  " %d probes returned, %d downs" %
                  ("%d session(s)" % n, pct, pct - base, probes, downs))
            for name, (ns, cnt) in bpf.items():
                if cnt:
                    print("%-22s   %-13s %8d runs  %7.0f ns/run  %6.3f %% of one core" %
                          ("", name, cnt, ns / cnt, 100.0 * ns / (a.seconds * 1e9)))
            topo.stop(d, flush=True)
            time.sleep(1)
    finally:
        topo.cleanup()
    return 0


if __name__ == "__main__":
    with st.bpf_stats():
        rc = main()
    sys.exit(rc)


SOAKER = r'''
import os, sys, time
cpu, secs = int(sys.argv[1]), float(sys.argv[2])
os.sched_setaffinity(0, {cpu})
os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
n, end, now = 0, time.monotonic() + secs, time.monotonic
while now() < end:
    n += 1
print(n)
'''


def soak(seconds):
    """Loop iterations a SCHED_IDLE spinner pinned to each CPU gets in
    @seconds: whatever else runs (softirq, the prober, daemons) takes its
    share away. Unlike /proc/stat's fields, which this VM's accounting
    samples at the 4 ms tick (softirq work that starts and ends between two
    ticks is mostly counted as idle), this sees all of it."""
    procs = [subprocess.Popen([sys.executable, "-c", SOAKER, str(c), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
             for c in range(os.cpu_count())]
    return [int(p.communicate()[0] or 0) for p in procs]


def busy_pct(counts, calib):
    """CPU taken from the spinners, % of one core (sum over CPUs)."""
    return sum(100.0 * max(0.0, 1.0 - c / k) for c, k in zip(counts, calib) if k)
