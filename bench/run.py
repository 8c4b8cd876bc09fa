#!/usr/bin/python3
"""srfd's benchmark against FRR bfdd and BIRD 2, one command.

Runs, one system at a time in fresh network namespaces of this machine:
  1. detection: silent failures of one link, detection time per system and
     setting (CDF);
  2. the stress ladder: one session per system and setting, every down
     during a rung of stress-ng load is false;
  3. scale: sessions x interval, false downs, kernel CPU and detection on a
     failed link, each baseline as far as it goes.
Writes bench/results/bench-DATE.md and its PNG plots (--out to change).

  bench/run.py            full run for people (about 1.5 h)
  bench/run.py --quick    every part, small (< 3 min; CI runs it)
"""
import argparse
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))
sys.path.insert(0, HERE)
import srfdtopo as st  # noqa: E402
import baselines  # noqa: E402
import detect  # noqa: E402
import report  # noqa: E402
import scale  # noqa: E402

FULL = {
    "trials": 20,
    "srfd_detect": [(10000, 3), (1000, 3), (200, 3), (100, 3)],
    "base_detect": [("bfdd", 10, 3), ("bird", 10, 3), ("bird", 1, 3)],
    "ladder": {"srfd": [10000, 1000, 200, 100], "bfdd": [10000], "bird": [10000, 1000]},
    "ladder_rungs": ["idle", "cpu", "switch", "timer", "fifo"],
    "ladder_seconds": 60,
    "scale_sessions": [1, 100, 1000, 2000, 4096],
    "base_sessions": [1, 100, 200, 1000, 2000, 4096],
    "scale_intervals": [10000, 1000],
    "up_seconds": 30,
    "scale_rungs": ["idle", "cpu"],
    "scale_seconds": 60,
    "cpu_seconds": 5,
}
QUICK = {
    "trials": 3,
    "srfd_detect": [(10000, 3), (1000, 3)],
    "base_detect": [("bfdd", 10, 3), ("bird", 10, 3)],
    "ladder": {"srfd": [10000], "bfdd": [10000], "bird": [10000]},
    "ladder_rungs": ["idle", "cpu"],
    "ladder_seconds": 2,
    "scale_sessions": [100, 1000],
    "base_sessions": [100],
    "scale_intervals": [10000],
    "up_seconds": 10,
    "scale_rungs": ["idle"],
    "scale_seconds": 2,
    "cpu_seconds": 2,
}


def version(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=5)
        return (r.stdout + r.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "not installed"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trials", type=int, help="detection trials per setting")
    ap.add_argument("--ladder-seconds", type=int, help="seconds per ladder rung")
    ap.add_argument("--scale-seconds", type=int, help="seconds per scale rung")
    ap.add_argument("--scale-sessions", help="srfd's session counts, e.g. 1,100,1000")
    a = ap.parse_args()
    p = dict(QUICK if a.quick else FULL)
    for key in ("trials", "ladder_seconds", "scale_seconds"):
        if getattr(a, key) is not None:
            p[key] = getattr(a, key)
    if a.scale_sessions:
        p["scale_sessions"] = [int(x) for x in a.scale_sessions.split(",")]
    rng = random.Random(a.seed)
    t_start = time.monotonic()

    def log(msg):
        print(msg, flush=True)

    # 1. detection
    det = []
    for us, mult in p["srfd_detect"]:
        log("# detection: srfd %d us x %d" % (us, mult))
        det.append({"system": "srfd", "setting": "%g ms x %d" % (us / 1000, mult),
                    "ms": detect.srfd_series(us, mult, p["trials"], rng)})
    for system, ms, mult in p["base_detect"]:
        if not baselines.have(system):
            log("# %s not installed: no baseline" % baselines.label(system))
            continue
        log("# detection: %s %d ms x %d" % (system, ms, mult))
        det.append({"system": baselines.label(system), "setting": "%d ms x %d" % (ms, mult),
                    "ms": baselines.series(system, ms, mult, p["trials"], rng)})

    # 2. the ladder: one session per system and setting
    ladder = []
    for system, intervals in p["ladder"].items():
        ladder += scale.run([system], [1], intervals, p["ladder_rungs"], p["ladder_seconds"],
                            p["cpu_seconds"], log=log, up_s=p["up_seconds"])

    # 3. scale
    rows = scale.run(["srfd", "bfdd", "bird"], p["scale_sessions"], p["scale_intervals"],
                     p["scale_rungs"], p["scale_seconds"], p["cpu_seconds"], log=log,
                     up_s=p["up_seconds"], base_sessions=p["base_sessions"])

    stem = "bench-%s%s" % (time.strftime("%Y-%m-%d"), "-quick" if a.quick else "")
    header = [
        "# srfd against FRR bfdd and BIRD (%s mode)" % ("quick" if a.quick else "full"),
        "",
        "%s, kernel %s, %d CPUs; %s; %s; %.0f s. All three run in the same network "
        "namespace topologies of this machine, one at a time; the far end runs on the "
        "same machine, so CPU figures cover both ends. Generated by `bench/run.py %s`."
        % (time.strftime("%Y-%m-%d %H:%M"), os.uname().release, os.cpu_count(),
           version(["/usr/lib/frr/bfdd", "--version"]), version([baselines.BIRD, "--version"]),
           time.monotonic() - t_start, " ".join(sys.argv[1:])),
        "",
        "Detection: %d trials per setting. Ladder: %d s per rung. Scale: %d s per rung."
        % (p["trials"], p["ladder_seconds"], p["scale_seconds"]),
    ]
    path, pngs = report.write(a.out, stem, header, det, ladder, p["ladder_rungs"], rows,
                              p["scale_rungs"])
    log("# wrote %s and %s" % (path, ", ".join(pngs)))
    return 0


if __name__ == "__main__":
    with st.bpf_stats():
        rc = main()
    sys.exit(rc)
