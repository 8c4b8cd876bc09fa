#!/usr/bin/python3
"""srfd demo: the embedded default configuration on a throw-away topology.

Builds namespaces H1 - A, A-B-D (primary) and A-C-D (backup), D - H2, with
B and C running only the kernel's SRv6 End/End.X and D decapsulating. srfdd
runs on A with the embedded default: one 1 ms x 3 session over link A-B and
the prefix of H2 protected by it. While a sequenced UDP stream flows from
H1 to H2, the demo fails link A-B silently (nftables drop on B, the link
stays up), prints how long the kernel took to declare it down and how long
traffic was interrupted, repairs it, and watches the revert to the primary
after the hold-down. Then it removes everything.
"""
import json
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))
import srfdtopo as st  # noqa: E402
import udpstream  # noqa: E402

TRIALS = int(os.environ.get("SRFD_DEMO_TRIALS", "5"))
PFX = "fc00:2::/64"
UDPSTREAM = os.path.join(os.path.dirname(st.__file__), "udpstream.py")


def main():
    topo = st.Topo(prefix="srfd-demo%d" % os.getpid())
    inst = "demo%d" % os.getpid()
    print("== building namespaces %s-{H1,A,B,C,D,H2}" % topo.prefix)
    print("   H1 - A, A-B-D primary, A-C-D backup, D - H2; B, C: kernel End/End.X; D: End.DT6")
    topo.diamond()
    print("== starting srfdd on A with the embedded default config:")
    print("   session a-b 1 ms x 3 over link A-B; prefix %s guarded by it" % PFX)
    argv = [st.SRFDD, "--default-config", "-i", inst, "-n", topo.ns("A")]
    d = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
    topo.procs.append(d)
    topo.instances.append(("A", inst))     # flushed at exit whatever happens
    if not st.wait_state(inst, "a-b", "up", 5):
        d.terminate()
        print(d.stderr.read())
        print("session did not come up")
        return 1
    mon = subprocess.Popen([st.SRFDCTL, "-i", inst, "-j", "monitor"], stdout=subprocess.PIPE,
                           text=True)
    topo.procs.append(mon)
    subprocess.run([st.SRFDCTL, "-i", inst, "session", "show"])
    subprocess.run([st.SRFDCTL, "-i", inst, "prefix", "show"])

    seconds = TRIALS * 1.2 + 1.5
    out = os.path.join(topo.tmp, "rx.txt")
    rx = topo.popen("H2", st.PY, UDPSTREAM, "recv", "5000", seconds + 1, out)
    time.sleep(0.3)
    tx = topo.popen("H1", st.PY, UDPSTREAM, "send", "fc00:2::2", "5000", "20000", seconds,
                    stdout=subprocess.PIPE, text=True)
    print("== UDP stream H1 -> H2 at 20 kpps; %d silent failures of link A-B" % TRIALS)
    time.sleep(0.5)
    rng = random.Random()
    trials = []
    for _ in range(TRIALS):
        st.wait_active(inst, PFX, "primary", 2)
        time.sleep(rng.uniform(0, 0.001) + 0.05)
        t_fail = topo.fail()
        time.sleep(0.15)
        t_rep = topo.repair()
        trials.append((t_fail, t_rep))
        time.sleep(0.9)
    tx.communicate(seconds + 10)
    rx.wait(seconds + 10)
    mon.terminate()
    events = [json.loads(x) for x in mon.communicate()[0].splitlines() if x.strip()]
    downs = [e["ts_ns"] for e in events if e["event"] == "state" and e["state"] == "down"]
    runs = udpstream.loss_runs(udpstream.load(out))
    dets, gaps = [], []
    for i, (t_fail, t_rep) in enumerate(trials):
        det = [t - t_fail for t in downs if t_fail <= t <= t_rep]
        inside = [r for r in runs if t_fail - 5e6 <= r[3] <= t_rep]
        after = sum(r[1] for r in runs if t_rep < r[3] <= t_rep + 0.9e9)
        gap = max(r[2] for r in inside) / 1e6 if inside else 0.0
        if det:
            dets.append(det[0] / 1e6)
        gaps.append(gap)
        print("== failure %d: detected in %s, traffic on the backup after %.2f ms of loss;"
              " revert to primary lost %d packets" %
              (i + 1, "%.2f ms" % (det[0] / 1e6) if det else "NOT detected", gap, after))
    print("== kernel events streamed by `srfdctl -j monitor` (CLOCK_MONOTONIC ns):")
    for e in events:
        if e["event"] == "state":
            print("   %d  session %s: %s -> %s" % (e["ts_ns"], e["name"], e["old_state"], e["state"]))
        else:
            print("   %d  prefix %s: %s -> %s" % (e["ts_ns"], e["prefix"], e["old_active"],
                                                 e["active"]))
    subprocess.run([st.SRFDCTL, "-i", inst, "prefix", "show"])
    if dets:
        print("== detection at 1 ms x 3: min %.2f median %.2f max %.2f ms; traffic gap: "
              "min %.2f median %.2f max %.2f ms" %
              (min(dets), st.percentile(dets, 50), max(dets), min(gaps),
               st.percentile(gaps, 50), max(gaps)))
    before = st.sessions(inst)["a-b"]
    print("== kill -9 srfdd: the kernel keeps probing and protecting without it")
    d.kill()
    d.wait()
    print(d.stderr.read().rstrip())
    time.sleep(0.5)
    print("== start srfdd again: it adopts the running kernel state (no gap, no flip)")
    d = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
    topo.procs.append(d)
    st.wait_state(inst, "a-b", "up", 5)
    after = st.sessions(inst)["a-b"]
    print("   session a-b: %s -> %s, probes sent %d -> %d, downs %d -> %d (unchanged)"
          % (before["state"], after["state"], before["probes_tx"], after["probes_tx"],
             before["downs"], after["downs"]))
    topo.stop(d)
    print("== srfdd log (second run):")
    print(d.stderr.read().rstrip())
    print("== SIGTERM left the kernel side protecting; `srfdd --flush` removes it:")
    fl = subprocess.run([st.SRFDD, "--flush", "-i", inst, "-n", topo.ns("A")],
                        capture_output=True, text=True)
    print(fl.stderr.rstrip())
    topo.instances.remove(("A", inst))
    topo.cleanup()
    print("== cleaned up")
    return 0 if len(dets) == TRIALS else 1


if __name__ == "__main__":
    sys.exit(main())
