#!/usr/bin/python3
"""Lifecycle benchmark: what protection costs across daemon restarts and
link events, each against its baseline in the same invocation.

  restart   packets of a 10 kpps UDP stream H1 -> H2 (diamond, prefix
            guarded by a 10 ms x 3 session) lost across `kill -9` + start and
            across SIGTERM + start (srfdd adopts the running kernel side),
            against a cold restart (stop, `srfdd --flush`, start: what every
            restart did before srfd kept its kernel state). Order alternates.
  linkdown  time from an interface going down (carrier loss at the peer, or
            admin down here; stamped right before the system call) to the
            in-kernel flip of the prefix, against the watchdog's detection
            of a silent failure at the same 10 ms x 3.
  repair    time from deleting the ticker veth (the probe clock) and the
            End.BPF route to srfdd's `repaired` event, and from deleting the
            ticker's tc filter (no netlink event: found by the clock check)
            to the clock running again (or the filter re-attached by the 1 s resync).

  bench/lifecycle.py [--trials N] [--out FILE]
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))
import srfdtopo as st  # noqa: E402
import udpstream  # noqa: E402

PFX = "fc00:2::/64"
UDPSTREAM = os.path.join(os.path.dirname(st.__file__), "udpstream.py")


def summary(vals):
    if not vals:
        return "no data"
    return "min %.2f median %.2f p99 %.2f max %.2f (n=%d)" % (
        min(vals), st.percentile(vals, 50), st.percentile(vals, 99), max(vals), len(vals))


class Monitor:
    def __init__(self, topo, inst):
        self.path = os.path.join(topo.tmp, "mon-%d" % time.monotonic_ns())
        self.f = open(self.path, "w")
        self.p = subprocess.Popen([st.SRFDCTL, "-i", inst, "-j", "monitor"], stdout=self.f)
        topo.procs.append(self.p)
        time.sleep(0.1)

    def wait(self, pred, timeout=2.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.path) as f:
                for line in f:
                    try:
                        e = json.loads(line)
                    except ValueError:
                        continue
                    if pred(e):
                        return e
            time.sleep(0.005)
        return None

    def stop(self):
        self.p.terminate()
        self.p.wait()
        self.f.close()


def restart_trial(topo, inst, conf, d, how):
    out = os.path.join(topo.tmp, "rx-%d" % time.monotonic_ns())
    rx = topo.popen("H2", st.PY, UDPSTREAM, "recv", "5000", "2.6", out)
    time.sleep(0.3)
    tx = topo.popen("H1", st.PY, UDPSTREAM, "send", "fc00:2::2", "5000", "10000", "2.0",
                    stdout=subprocess.PIPE, text=True)
    time.sleep(0.7)
    if how == "kill":
        d.kill()
        d.wait()
    else:
        topo.stop(d)
        if how == "cold":
            topo.flush("A", conf)
    d = topo.srfdd("A", conf)
    st.wait_state(inst, "a-b", "up", 5)
    sent = int(tx.communicate(30)[0].strip() or 0)
    rx.wait(30)
    got = set(r[0] for r in udpstream.load(out))
    return d, sent, sum(1 for s in range(1, sent + 1) if s not in got)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--out")
    a = ap.parse_args()
    topo = st.Topo()
    topo.diamond()
    inst = "bl%d" % os.getpid()
    conf = topo.write_frr_conf(inst, 10000, 3, hold_ms=200, hold_max_ms=200)
    d = topo.srfdd("A", conf)
    if not st.wait_state(inst, "a-b", "up", 5):
        print(topo.log("A"))
        return 1
    lines = ["srfd lifecycle benchmark, %s, %s" % (time.strftime("%Y-%m-%d"), os.uname().release)]

    # restarts under a 10 kpps stream, ABC order rotating
    lost = {"kill": [], "term": [], "cold": []}
    sent_total = {k: 0 for k in lost}
    order = ["kill", "term", "cold"]
    for i in range(a.trials):
        for how in order[i % 3:] + order[:i % 3]:
            st.wait_active(inst, PFX, "primary", 3)
            d, sent, n = restart_trial(topo, inst, conf, d, how)
            lost[how].append(n)
            sent_total[how] += sent
    for how, label in (("kill", "kill -9 + start (adopt)"), ("term", "SIGTERM + start (adopt)"),
                       ("cold", "cold restart (flush + start), baseline")):
        lines.append("restart %-40s lost per trial %s, total %d of %d sent"
                     % (label, lost[how], sum(lost[how]), sent_total[how]))

    # interface down -> in-kernel flip, against the watchdog at the same setting
    flips, dets, wd = [], [], []
    for i in range(2 * a.trials):
        st.wait_state(inst, "a-b", "up", 5)
        st.wait_active(inst, PFX, "primary", 3)
        node, dev = (("B", "b-a") if i % 2 == 0 else ("A", "a-b"))
        t0 = topo.linkctl(node, "down", dev)
        s = st.wait_state(inst, "a-b", "down", 1)
        p = st.prefixes(inst)[PFX]
        topo.restore_ab()
        if s:
            dets.append((s["last_change_ns"] - t0) / 1e6)
        if p["active"] == "backup":
            flips.append((p["last_switch_ns"] - t0) / 1e6)
    for _ in range(a.trials):
        st.wait_state(inst, "a-b", "up", 5)
        st.wait_active(inst, PFX, "primary", 3)
        det = st.detection_trial(topo, inst, 10000, 3)
        if det is not None:
            wd.append(det)
    lines.append("link down -> session down (ms)   %s" % summary(dets))
    lines.append("link down -> prefix flipped (ms) %s" % summary(flips))
    lines.append("silent failure -> watchdog down (ms, baseline) %s" % summary(wd))
    if flips and wd:
        lines.append("ratio median watchdog / median link-event flip: %.0fx"
                     % (st.percentile(wd, 50) / st.percentile(flips, 50)))

    # repairs
    ticker, route, clock = [], [], []
    for _ in range(a.trials):
        st.wait_state(inst, "a-b", "up", 5)
        mon = Monitor(topo, inst)
        t0 = topo.linkctl("A", "del", "sp-" + inst)
        e = mon.wait(lambda e: e["event"] == "repaired" and "ticker veth" in e["detail"]
                     and e["ts_ns"] > t0)
        if e:
            ticker.append((e["ts_ns"] - t0) / 1e6)
        st.wait_state(inst, "a-b", "up", 5)
        t0 = st.mono_ns()
        topo.run("A", "ip", "-6", "route", "del", "fc00:a::bf/128")
        e = mon.wait(lambda e: e["event"] == "repaired" and "End.BPF" in e["detail"]
                     and e["ts_ns"] > t0)
        if e:
            route.append((e["ts_ns"] - t0) / 1e6)
        st.wait_state(inst, "a-b", "up", 5)
        # no netlink event tells srfdd about a removed tc filter: the clock
        # check notices the silence, re-attaches and re-injects
        t0 = st.mono_ns()
        topo.run("A", "tc", "filter", "del", "dev", "sl-" + inst, "ingress", "pref", "1")
        e = mon.wait(lambda e: e["ts_ns"] > t0 and (
            (e["event"] == "clock" and e["ok"] == "true") or
            (e["event"] == "repaired" and "srfd_tick" in e["detail"])))
        if e:
            clock.append((e["ts_ns"] - t0) / 1e6)
        mon.stop()
    lines.append("ticker veth deleted -> recreated (ms)   %s" % summary(ticker))
    lines.append("srfd_tick filter deleted -> clock running again (ms, from before "
                 "spawning `tc`) %s" % summary(clock))
    lines.append("End.BPF route deleted -> restored (ms, from before spawning `ip`) %s"
                 % summary(route))
    s = st.stats(inst)
    lines.append("srfdd repairs counted: %d; sessions: %s" % (
        s["repairs"], {k: (v["state"], v["downs"]) for k, v in st.sessions(inst).items()}))
    topo.stop(d)
    topo.cleanup()
    text = "\n".join(lines)
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
