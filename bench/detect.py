#!/usr/bin/python3
"""Detection-time benchmark: srfd against FRR bfdd in the same topology.

For each setting (interval x multiplier) it builds A - B - C, injects silent
failures of link A-B at random moments (nftables drop on B, link stays up)
and measures injection-committed -> down-recorded. srfd's time comes from
the kernel's transition timestamp; bfdd's from its microsecond log line
(`state-change ... up -> down`), taken on the same clocks. Prints
min/median/p99/max per system and the ratio srfd/bfdd.

  bench/detect.py [--trials N] [--settings 10000x3,1000x3,200x3] [--no-bfdd]
"""
import argparse
import os
import random
import re
import shutil
import sys
import time
from datetime import datetime

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))
import srfdtopo as st  # noqa: E402

BFDD_FLOOR_MS = 10


def stats(xs):
    return (min(xs), st.percentile(xs, 50), st.percentile(xs, 99), max(xs))


def srfd_series(interval_us, mult, trials, rng):
    topo = st.Topo()
    try:
        topo.abc()
        inst = "bd%d" % os.getpid()
        d = topo.srfdd("A", topo.write_conf(inst, interval_us, mult))
        out = []
        for _ in range(trials):
            det = st.detection_trial(topo, inst, interval_us, mult, rng)
            out.append(det)
            st.wait_state(inst, "a-b", "up", 2)
        topo.stop(d, flush=True)
        return out
    finally:
        topo.cleanup()


BFDD_CONF = """log file {dir}/bfdd.log debugging
log timestamp precision 6
debug bfd peer
bfd
 profile p
  detect-multiplier {mult}
  receive-interval {ms}
  transmit-interval {ms}
 peer {peer} interface {ifname}
  profile p
"""


def bfdd_start(topo, node, peer, ifname, ms, mult):
    d = os.path.join(topo.tmp, "frr-" + node)
    os.chmod(topo.tmp, 0o755)  # frr drops privileges
    os.makedirs(d)
    with open(os.path.join(d, "zebra.conf"), "w") as f:
        f.write("")
    with open(os.path.join(d, "bfdd.conf"), "w") as f:
        f.write(BFDD_CONF.format(dir=d, mult=mult, ms=ms, peer=peer, ifname=ifname))
    shutil.chown(d, "frr", "frr")
    for fn in os.listdir(d):
        shutil.chown(os.path.join(d, fn), "frr", "frr")
    common = ["-z", d + "/zserv.api", "--vty_socket", d, "-A", "127.0.0.1", "-P", "0"]
    topo.run(node, "/usr/lib/frr/zebra", "-d", "-f", d + "/zebra.conf", "-i", d + "/zebra.pid", *common)
    time.sleep(0.3)
    topo.run(node, "/usr/lib/frr/bfdd", "-d", "-f", d + "/bfdd.conf", "-i", d + "/bfdd.pid",
             "--bfdctl", d + "/bfdd.sock", *common)
    return d


def bfdd_stop(d):
    for name in ("bfdd", "zebra"):
        try:
            with open(os.path.join(d, name + ".pid")) as f:
                os.kill(int(f.read().strip()), 15)
        except (OSError, ValueError):
            pass


def bfdd_downs(d):
    """Wall-clock times (ns) of up -> down transitions in bfdd's log."""
    out = []
    try:
        with open(os.path.join(d, "bfdd.log")) as f:
            for line in f:
                if "state-change" in line and "up -> down" in line:
                    m = re.match(r"(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6})", line)
                    if m:
                        t = datetime.strptime(m.group(1), "%Y/%m/%d %H:%M:%S.%f").timestamp()
                        out.append(int(t * 1e9))
    except OSError:
        pass
    return out


def bfdd_up(d):
    try:
        with open(os.path.join(d, "bfdd.log")) as f:
            txt = f.read()
    except OSError:
        return False
    last_up = max(txt.rfind("-> up"), 0)
    return last_up > txt.rfind("up -> down") and last_up > 0


def bfdd_series(ms, mult, trials, rng):
    topo = st.Topo()
    try:
        topo.abc()
        da = bfdd_start(topo, "A", "fc00:ab::2", "a-b", ms, mult)
        db = bfdd_start(topo, "B", "fc00:ab::1", "b-a", ms, mult)
        deadline = time.monotonic() + 15
        while not bfdd_up(da) and time.monotonic() < deadline:
            time.sleep(0.1)
        out = []
        for _ in range(trials):
            if not bfdd_up(da):
                time.sleep(1.0)
            n = len(bfdd_downs(da))
            time.sleep(rng.uniform(0, ms / 1e3) + 0.3)
            topo.fail()
            t_real = topo.last_commit_realtime_ns
            time.sleep(10 * mult * ms / 1e3 + 0.3)
            downs = bfdd_downs(da)
            topo.repair()
            out.append((downs[n] - t_real) / 1e6 if len(downs) > n else None)
            deadline = time.monotonic() + 5
            while not bfdd_up(da) and time.monotonic() < deadline:
                time.sleep(0.05)
        bfdd_stop(da)
        bfdd_stop(db)
        time.sleep(0.3)
        return out
    finally:
        topo.cleanup()


def report(label, xs):
    ok = [x for x in xs if x is not None]
    missed = len(xs) - len(ok)
    if not ok:
        print("%-28s no detection in %d trials" % (label, len(xs)))
        return None
    s = stats(ok)
    print("%-28s n=%-3d min %7.2f  median %7.2f  p99 %7.2f  max %7.2f ms%s" %
          (label, len(ok), *s, "  (%d missed)" % missed if missed else ""))
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--settings", default="10000x3,1000x3,200x3")
    ap.add_argument("--no-bfdd", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    have_bfdd = os.path.exists("/usr/lib/frr/bfdd") and not a.no_bfdd

    print("# srfd detection benchmark, %s, %s, %d CPUs" %
          (time.strftime("%Y-%m-%d %H:%M"), os.uname().release, os.cpu_count()))
    base = None
    if have_bfdd:
        base = report("FRR bfdd %d ms x 3" % BFDD_FLOOR_MS,
                      bfdd_series(BFDD_FLOOR_MS, 3, a.trials, rng))
    else:
        print("# FRR bfdd not installed (apt-get install frr): no baseline")
    for setting in a.settings.split(","):
        us, mult = (int(x) for x in setting.split("x"))
        s = report("srfd %g ms x %d" % (us / 1000, mult), srfd_series(us, mult, a.trials, rng))
        if s and base:
            print("%-28s median %.2fx, max %.2fx of bfdd's" %
                  ("", s[1] / base[1], s[3] / base[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
