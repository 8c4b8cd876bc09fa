#!/usr/bin/python3
"""Fast-reroute benchmark on a topology and failure plan (default: the
diamond H1 - A - {B|C} - D - H2 of bench/plans/diamond.json).

1. Traffic gap on failover: a sequenced UDP stream runs between the plan's
   traffic hosts while each of its failures is injected silently (nftables
   drop on the named device, link stays up) at random moments; the gap is
   the sender's time between the last packet delivered before the failure
   and the first one after it. min/median/p99/max over N trials per
   setting and failure, against the goal "gap p99 <= detection bound + 1 ms".
2. (built-in diamond only) Encapsulation throughput, forwarded H1 -> H2:
   TCP (iperf3) and 64-byte UDP, srfd's headend against the kernel's own
   `encap seg6` route on the same topology in the same run.

  bench/failover.py [--plan FILE] [--trials 20] [--settings 10000x3,1000x3]
                    [--repeat 3]

A plan is a JSON file (see bench/plans/diamond.json):
  nodes      names; each becomes a network namespace
  links      [node, dev, address, node, dev, address] veth pairs (/64)
  setup      {node: [commands]} run in that node (addresses, routes)
  sids       [{node, sid, action: End|End.X|End.DT6, dev, nh6 (End.X)}]
  resolve    [[node, address]] pinged first so neighbours are known
  srfd       {node, config: [lines]}: srfd.conf without `instance`;
             @INTERVAL_US@ and @MULTIPLIER@ are replaced per setting
  traffic    {from, to, address, prefix, pps}: the stream and the
             protected prefix it belongs to
  failures   [{name, node, dev, session}]: where to drop, and the srfd
             session that must catch it
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))
import srfdtopo as st  # noqa: E402
import udpstream  # noqa: E402

PFX = "fc00:2::/64"
DIAMOND = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plans", "diamond.json")
UDPSTREAM = os.path.join(os.path.dirname(st.__file__), "udpstream.py")


def plan_conf(topo, plan, inst, interval_us, mult):
    text = "\n".join(plan["srfd"]["config"]).replace("@INTERVAL_US@", str(interval_us)) \
        .replace("@MULTIPLIER@", str(mult))
    path = os.path.join(topo.tmp, inst + ".conf")
    with open(path, "w") as f:
        f.write('instance = "%s";\n%s\n' % (inst, text))
    return path


def gap_series(topo, plan, failure, interval_us, mult, trials, rng):
    tr = plan["traffic"]
    inst = "bf%d" % os.getpid()
    d = topo.srfdd(plan["srfd"]["node"], plan_conf(topo, plan, inst, interval_us, mult))
    if not st.wait_state(inst, failure["session"], "up", 5):
        topo.stop(d, flush=True)
        return [], 0
    detect_s = mult * interval_us / 1e6
    per_trial = 0.25 + 10 * detect_s + 0.6
    seconds = trials * per_trial + 1.0
    out = os.path.join(topo.tmp, "rx-%d.txt" % interval_us)
    rx = topo.popen(tr["to"], st.PY, UDPSTREAM, "recv", "5000", seconds + 1.0, out)
    time.sleep(0.3)
    tx = topo.popen(tr["from"], st.PY, UDPSTREAM, "send", tr["address"], "5000",
                    str(tr.get("pps", 20000)), seconds, stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    windows = []
    for _ in range(trials):
        if not st.wait_active(inst, tr["prefix"], "primary", 2):
            break
        time.sleep(rng.uniform(0, interval_us / 1e6) + 0.05)
        t_fail = topo.fail(failure["node"], failure["dev"])
        time.sleep(10 * detect_s + 0.1)
        t_rep = topo.repair(failure["node"], failure["dev"])
        windows.append((t_fail, t_rep))
        time.sleep(0.45)
    tx.communicate(seconds + 10)
    rx.wait(seconds + 10)
    runs = udpstream.loss_runs(udpstream.load(out))
    gaps = []
    revert_loss = 0
    for t_fail, t_rep in windows:
        inside = [r for r in runs if t_fail - 5e6 <= r[3] <= t_rep]
        gaps.append(max(r[2] for r in inside) / 1e6 if inside else 0.0)
        revert_loss += sum(r[1] for r in runs if t_rep < r[3] <= t_rep + 0.45e9)
    topo.stop(d, flush=True)
    return gaps, revert_loss


def throughput(topo, seconds):
    e = st.iperf3(topo, [], seconds)
    gbps = e["sum_received"]["bits_per_second"] / 1e9 if e else 0.0
    e = st.iperf3(topo, ["-u", "-b", "0", "-l", "16"], seconds)
    pps = 0.0
    if e:
        s = e["sum"]
        pps = (s["packets"] - s["lost_packets"]) / s["seconds"]
    return gbps, pps


def median(xs):
    return st.percentile(xs, 50)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--settings", default="10000x3,1000x3")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--plan", default=DIAMOND, help="topology and failure plan (JSON)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    try:
        with open(a.plan) as f:
            plan = json.load(f)
        for key in ("nodes", "links", "srfd", "traffic", "failures"):
            if key not in plan:
                raise ValueError("missing key %r" % key)
    except (OSError, ValueError) as e:
        print("bench/failover.py: plan %s: %s" % (a.plan, e), file=sys.stderr)
        return 2

    topo = st.Topo()
    try:
        topo.from_plan(plan)
    except (ValueError, KeyError, subprocess.CalledProcessError, RuntimeError) as e:
        print("bench/failover.py: plan %s cannot be built: %s" % (a.plan, e), file=sys.stderr)
        return 2
    print("# srfd fast-reroute benchmark, %s, %s, %d CPUs, plan %s" %
          (time.strftime("%Y-%m-%d %H:%M"), os.uname().release, os.cpu_count(),
           os.path.basename(a.plan)))
    for failure in plan["failures"]:
        for setting in (a.settings.split(",") if a.trials > 0 else []):
            us, mult = (int(x) for x in setting.split("x"))
            gaps, revert_loss = gap_series(topo, plan, failure, us, mult, a.trials, rng)
            goal = mult * us / 1000 + 1
            what = "%s, %g ms x %d" % (failure.get("name", failure["dev"]), us / 1000, mult)
            if gaps:
                print("gap %s: n=%d min %.2f median %.2f p99 %.2f max %.2f ms;"
                      " goal p99 <= %.1f ms: %s; packets lost by reverts: %d" %
                      (what, len(gaps), min(gaps), median(gaps),
                       st.percentile(gaps, 99), max(gaps), goal,
                       "met" if st.percentile(gaps, 99) <= goal else "NOT met", revert_loss))
            else:
                print("gap %s: session %s did not come up" % (what, failure["session"]))
    if os.path.abspath(a.plan) != DIAMOND or a.repeat <= 0:
        topo.cleanup()
        return 0

    # throughput: srfd headend vs kernel encap seg6, alternating
    res = {"srfd": [], "seg6": []}
    inst = "bt%d" % os.getpid()
    for _ in range(a.repeat):
        d = topo.srfdd("A", topo.write_frr_conf(inst, 10000, 3))
        st.wait_state(inst, "a-b", "up", 5)
        res["srfd"].append(throughput(topo, a.seconds))
        c = st.stats(inst)
        topo.stop(d, flush=True)
        topo.run("A", "ip", "-6", "route", "add", PFX, "encap", "seg6", "mode", "encap",
                 "segs", "fc00:b::e,fc00:d::d6", "dev", "a-b")
        res["seg6"].append(throughput(topo, a.seconds))
        topo.run("A", "ip", "-6", "route", "del", PFX)
    s_g, s_p = median([x[0] for x in res["srfd"]]), median([x[1] for x in res["srfd"]])
    k_g, k_p = median([x[0] for x in res["seg6"]]), median([x[1] for x in res["seg6"]])
    print("throughput (median of %d, %d s each), forwarded H1 -> H2:" % (a.repeat, a.seconds))
    print("  TCP       srfd %6.2f Gbit/s   kernel seg6 %6.2f Gbit/s   ratio %.2f" %
          (s_g, k_g, s_g / k_g if k_g else 0))
    print("  UDP 64 B  srfd %8.0f pps     kernel seg6 %8.0f pps     ratio %.2f" %
          (s_p, k_p, s_p / k_p if k_p else 0))
    print("  goal >= 0.95 of kernel seg6: TCP %s, UDP %s; srfd encap errors: too_big %d fail %d" %
          ("met" if k_g and s_g / k_g >= 0.95 else "NOT met",
           "met" if k_p and s_p / k_p >= 0.95 else "NOT met",
           c["encap_too_big"], c["encap_fail"]))
    topo.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
