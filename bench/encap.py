#!/usr/bin/python3
"""Headend cost: srfd's encapsulation against the kernel's own `encap seg6`.

Forwarded traffic H1 -> A -> {B|C} -> D -> H2 on the diamond, protected
prefix fc00:2::/64, primary list via B, backup via C. Per run, in fresh
namespaces, one mode:

  srfd   srfdd on A (session a-b at 10 ms x 3); primary, then the backup
         after a silent failure of A-B (the watchdog flips the prefix)
  seg6   the same SID lists as kernel routes `encap seg6 mode encap`
         (`ip sr tunsrc` set, as srfd has its source configured), with a
         no-op tc program on the egress hooks srfd would use

and for each list: TCP (iperf3, MSS 1300 in both modes), 64-byte IPv6 UDP
at saturation (iperf3 -l 16), and the same UDP at a fixed load below
saturation (bench/udpblast.c, a cheap sendmmsg() sender; dropped and
counted at H2's ingress so no receiver wake-ups blur it), where the cost is
the machine's busy CPU time per delivered packet (sender included, the same
in both modes: the difference srfd - seg6 is the headend's own cost). Sender pinned to CPU 0, receiver to CPU 1. Runs go in
ABBA order over --pairs pairs (srfd first in even pairs); each pair gives a
ratio, reported as median and IQR. Per run: srfd's encap counters and
srfd_encap's BPF run time per packet (kernel.bpf_stats_enabled), softnet
drops / time_squeeze, ksoftirqd CPU and H2's UDP receive-buffer errors.

  bench/encap.py [--pairs 10] [--seconds 4] [--fixed-pps 50000] [--perf]
  bench/encap.py --attribute 3     where the primary's UDP gap comes from
  --halt-poll NS                   guest cpuidle halt polling for the run
                                   (haltpoll driver; restored afterwards)

The primary's UDP figure with a receiver depends on the guest's idle policy:
with halt polling off (guest_halt_poll_ns = 0, as on this VM kind) every
receiver wake-up is an IPI to a halted vCPU, and any periodic disturbance
(srfd's probe clock) keeps the receiver in that regime. The header records
the policy in effect. The seg6 baseline needs a kernel with seg6
(CONFIG_IPV6_SEG6_LWTUNNEL); without it only --attribute runs (no baseline).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))
import srfdtopo as st  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PFX = "fc00:2::/64"
SEGS = {"primary": ("fc00:b::e,fc00:d::d6", "a-b"), "backup": ("fc00:c::e,fc00:d::d6", "a-c")}
MSS = 1300
DROP_RULES = """add table netdev bench
add chain netdev bench in { type filter hook ingress device "h2-d" priority 0; }
add rule netdev bench in meta protocol ip6 meta l4proto udp udp dport 5001 udp length 24 counter drop
"""
HZ = os.sysconf("SC_CLK_TCK")


def build_noop(tmp):
    obj = os.path.join(tmp, "noop.bpf.o")
    arch = subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                          text=True).stdout.strip()
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/" + arch, "-c",
                    os.path.join(HERE, "noop.bpf.c"), "-o", obj], check=True)
    return obj


def busy_ticks():
    """Non-idle ticks of all CPUs (/proc/stat). Tick-sampled (HZ=100 here):
    unbiased but noisy, hence the long fixed-load window. The sender's own
    cost is in it, the same in both modes; the forwarding path runs in its
    system calls and in softirq, both counted."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v[:8]) - v[3] - v[4]


def softnet():
    """(dropped, time_squeeze) summed over CPUs."""
    drop = squeeze = 0
    with open("/proc/net/softnet_stat") as f:
        for line in f:
            c = [int(x, 16) for x in line.split()]
            drop += c[1]
            squeeze += c[2]
    return drop, squeeze


def ksoftirqd_ticks():
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                s = f.read()
        except OSError:
            continue
        if "(ksoftirqd/" in s:
            f = s.rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12])
    return total


def bpf_prog_stats(name):
    """(run_time_ns, run_cnt) of BPF programs called @name (bpf_stats on)."""
    out = subprocess.run(["bpftool", "-j", "prog", "show", "name", name],
                         capture_output=True, text=True).stdout
    t = n = 0
    for line in out.splitlines() or ["[]"]:
        try:
            progs = json.loads(line)
        except ValueError:
            continue
        for p in progs if isinstance(progs, list) else [progs]:
            t += p.get("run_time_ns", 0)
            n += p.get("run_cnt", 0)
    return t, n


def rcvbuf_errors(topo):
    out = topo.run("H2", "cat", "/proc/net/snmp6", capture=True).stdout
    for line in out.splitlines():
        if line.startswith("Udp6RcvbufErrors"):
            return int(line.split()[1])
    return 0


def udp_delivered(e):
    s = e["sum"]
    return s["packets"] - s["lost_packets"], s["seconds"]


def measure(topo, seconds, fixed_pps, fixed_seconds, blaster, perf_out=None):
    """TCP Gbit/s, UDP pps at saturation, CPU us per packet at fixed load, extras."""
    m = {}
    e = st.iperf3(topo, ["-M", str(MSS)], seconds, pin=True)
    m["tcp_gbps"] = e["sum_received"]["bits_per_second"] / 1e9 if e else 0.0
    d0, q0, k0, r0 = softnet() + (ksoftirqd_ticks(), rcvbuf_errors(topo))
    e = st.iperf3(topo, ["-u", "-b", "0", "-l", "16"], seconds, pin=True)
    d1, q1, k1, r1 = softnet() + (ksoftirqd_ticks(), rcvbuf_errors(topo))
    if e:
        n, secs = udp_delivered(e)
        m["udp_pps"] = n / secs
    else:
        m["udp_pps"] = 0.0
    m["softnet_drop"], m["squeeze"] = d1 - d0, q1 - q0
    m["ksoftirqd_ms"] = (k1 - k0) * 1000 // HZ
    m["rcvbuf_err"] = r1 - r0
    # Forwarding capacity and cost without a receiver, whose wake-ups (IPIs
    # in this VM, more of them per packet the more often it runs dry) amplify
    # small differences: H2 drops and counts the packets at its ingress.
    topo.run("H2", "nft", "-f", "-", input=DROP_RULES)
    m["fwd_pps"] = blast(topo, blaster, 0, seconds)
    topo.run("H2", "nft", "-f", "-", input=DROP_RULES)
    perf = None
    if perf_out:
        perf = subprocess.Popen(["perf", "record", "-a", "-g", "-o", perf_out, "--",
                                 "sleep", str(max(1, fixed_seconds - 2))],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    b0 = bpf_prog_stats("srfd_encap")
    c0 = busy_ticks()
    m["fixed_pps"] = blast(topo, blaster, fixed_pps, fixed_seconds)
    n = m["fixed_pps"] * fixed_seconds
    c1 = busy_ticks()
    b1 = bpf_prog_stats("srfd_encap")
    runs = b1[1] - b0[1]
    m["bpf_ns_per_run"] = (b1[0] - b0[0]) / runs if runs else 0.0
    if perf:
        perf.wait(fixed_seconds + 30)
    m["cpu_us_per_pkt"] = (c1 - c0) / HZ * 1e6 / n if n else 0.0
    return m


def blast(topo, blaster, pps, seconds):
    """udpblast from H1 (CPU 0) at @pps (0: flat out); packets/s counted by
    H2's ingress drop rule, which is then removed."""
    topo.run("H1", "taskset", "-c", "0", blaster, "fc00:2::2", "5001", str(pps), "16",
             str(seconds), capture=True, timeout=seconds + 20)
    out = topo.run("H2", "nft", "-j", "list", "chain", "netdev", "bench", "in",
                   capture=True).stdout
    n = 0
    for item in json.loads(out)["nftables"]:
        for e in item.get("rule", {}).get("expr", []):
            if "counter" in e:
                n = e["counter"]["packets"]
    topo.run("H2", "nft", "delete", "table", "netdev", "bench")
    return n / seconds


def run_mode(mode, pair, args, noop, blaster, perf_dir):
    topo = st.Topo(prefix="e%d%d" % (os.getpid() % 10000, pair * 2 + (mode == "seg6")))
    res = {}
    try:
        topo.diamond()
        if mode == "srfd":
            inst = topo.prefix
            d = topo.srfdd("A", topo.write_frr_conf(inst, 10000, 3, hold_ms=3600000,
                                                    hold_max_ms=3600000))
            if not st.wait_state(inst, "a-b", "up", 5):
                raise RuntimeError("session a-b did not come up: " + topo.log("A"))
        else:
            topo.run("A", "ip", "sr", "tunsrc", "set", "fc00:a::1")
            for dev in ("a-b", "a-c"):
                topo.run("A", "tc", "qdisc", "add", "dev", dev, "clsact")
                topo.run("A", "tc", "filter", "add", "dev", dev, "egress", "prio", "0xfff0",
                         "bpf", "da", "obj", noop, "sec", "tc")
        for lst in ("primary", "backup"):
            if mode == "srfd" and lst == "backup":
                topo.fail()
                if not st.wait_active(inst, PFX, "backup", 2):
                    raise RuntimeError("prefix did not flip to the backup")
            if mode == "seg6":
                segs, dev = SEGS[lst]
                topo.run("A", "ip", "-6", "route", "replace", PFX, "encap", "seg6", "mode",
                         "encap", "segs", segs, "dev", dev)
            perf_out = None
            if perf_dir and pair == 0:
                perf_out = os.path.join(perf_dir, "%s-%s.data" % (mode, lst))
            m = measure(topo, args.seconds, args.fixed_pps, args.fixed_seconds, blaster,
                        perf_out)
            if mode == "srfd":
                c = st.stats(inst)
                m["counters"] = {k: c[k] for k in ("encap_ok", "encap_slow", "encap_fail",
                                                     "encap_too_big", "encap_no_route") if k in c}
            route = topo.run("H1", "ip", "-6", "route", "get", "fc00:2::2", capture=True).stdout
            m["h1_pmtu"] = "mtu" in route
            res[lst] = m
        if mode == "srfd":
            topo.repair()
            topo.stop(d, flush=True)
    finally:
        topo.cleanup()
    return res


def attribute(trials, seconds):
    """Where the primary's UDP gap with a receiver comes from: in one srfd
    topology, UDP pps with srfd's headend, then with the kernel's seg6 route
    carrying the traffic while srfd stays in place, then with srfd's probe
    clock (ticker) stopped; and srfd's pps at three probe intervals."""
    def pps(topo):
        e = st.iperf3(topo, ["-u", "-b", "0", "-l", "16"], seconds, pin=True)
        if not e:
            return 0.0
        n, secs = udp_delivered(e)
        return n / secs

    print("# attribution, UDP 64 B pps with an iperf3 receiver, primary list", flush=True)
    for trial in range(trials):
        topo = st.Topo(prefix="ea%d%d" % (os.getpid() % 10000, trial))
        try:
            topo.diamond()
            inst = topo.prefix
            d = topo.srfdd("A", topo.write_frr_conf(inst, 10000, 3))
            if not st.wait_state(inst, "a-b", "up", 5):
                raise RuntimeError("session a-b did not come up")
            a = pps(topo)
            b = float("nan")
            if st.SEG6LOCAL:
                topo.run("A", "ip", "sr", "tunsrc", "set", "fc00:a::1")
                topo.run("A", "ip", "-6", "route", "add", PFX, "encap", "seg6", "mode", "encap",
                         "segs", SEGS["primary"][0], "dev", "a-b", "metric", "1")
                b = pps(topo)
                topo.run("A", "ip", "-6", "route", "del", PFX, "metric", "1")
            os.kill(d.pid, 19)     # SIGSTOP: nobody repairs the ticker
            topo.run("A", "tc", "filter", "del", "dev", "sl-" + inst, "ingress")
            time.sleep(0.3)
            c = pps(topo)
            os.kill(d.pid, 18)
            print("topology %d (10 ms x 3): srfd %.0f | kernel seg6 route, srfd in place %.0f | "
                  "srfd, its ticker stopped %.0f" % (trial, a, b, c), flush=True)
            topo.stop(d, flush=True)
        finally:
            topo.cleanup()
    # (tick_us, probe interval): ticks and probes apart
    for tick, us in ((100000, 100000), (10000, 10000), (1000, 1000), (10000, 100000),
                     (5000, 100000)):
        got = []
        for trial in range(trials):
            topo = st.Topo(prefix="eb%d%d" % (os.getpid() % 10000, trial))
            try:
                topo.diamond()
                inst = topo.prefix
                conf = topo.write_frr_conf(inst, us, 3)
                with open(conf) as f:
                    text = f.read()
                with open(conf, "w") as f:
                    f.write(text.replace('source = "fc00:a::1";',
                                         'source = "fc00:a::1";\ntick_us = %d;' % tick))
                d = topo.srfdd("A", conf)
                if st.wait_state(inst, "a-b", "up", 5):
                    got.append(pps(topo))
                topo.stop(d, flush=True)
            finally:
                topo.cleanup()
        print("ticks every %6d us, probes every %6d us: srfd %s pps" %
              (tick, us, " ".join("%.0f" % x for x in got)), flush=True)


HALT_POLL = "/sys/module/haltpoll/parameters/guest_halt_poll_ns"


def idle_policy():
    """The guest's cpuidle driver and halt-poll window, for the header."""
    try:
        with open("/sys/devices/system/cpu/cpuidle/current_driver") as f:
            drv = f.read().strip()
    except OSError:
        drv = "none"
    try:
        with open(HALT_POLL) as f:
            return "cpuidle %s, guest_halt_poll_ns %s" % (drv, f.read().strip())
    except OSError:
        return "cpuidle %s" % drv


def set_halt_poll(ns):
    """Set the halt-poll window; returns the previous value (or None)."""
    if ns is None:
        return None
    with open(HALT_POLL) as f:
        was = f.read().strip()
    with open(HALT_POLL, "w") as f:
        f.write(str(ns))
    return was


def iqr(xs):
    return st.percentile(xs, 75) - st.percentile(xs, 25)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=10)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--fixed-pps", type=int, default=50000)
    ap.add_argument("--fixed-seconds", type=int, default=8)
    ap.add_argument("--perf", action="store_true", help="perf record -a -g of pair 0's runs")
    ap.add_argument("--json", help="write every run's figures here")
    ap.add_argument("--attribute", type=int, metavar="N",
                    help="only the attribution runs, in N fresh topologies")
    ap.add_argument("--halt-poll", type=int, metavar="NS",
                    help="guest halt-poll window for the run (restored afterwards)")
    a = ap.parse_args()
    if not a.attribute and not st.SEG6LOCAL:
        print("bench/encap.py: this kernel has no seg6 (CONFIG_IPV6_SEG6_LWTUNNEL): the "
              "`encap seg6` baseline cannot run; --attribute N still can", file=sys.stderr)
        return 2
    was = set_halt_poll(a.halt_poll)
    try:
        if a.attribute:
            print("# %s, kernel %s, %s" % (time.strftime("%Y-%m-%d %H:%M"), os.uname().release,
                                           idle_policy()), flush=True)
            attribute(a.attribute, a.seconds)
            return 0
        with st.bpf_stats():
            return compare(a)
    finally:
        set_halt_poll(was)


def compare(a):
    tmp = tempfile.mkdtemp(prefix="srfd-encap.")
    noop = build_noop(tmp)
    blaster = os.path.join(tmp, "udpblast")
    subprocess.run(["cc", "-O2", "-o", blaster, os.path.join(HERE, "udpblast.c")], check=True)
    perf_dir = tmp if a.perf else None
    print("# srfd headend vs kernel encap seg6, %s, kernel %s, %d CPUs, %d ABBA pairs, %d s per "
          "measurement, fixed load %d pps, TCP MSS %d, %s" %
          (time.strftime("%Y-%m-%d %H:%M"), os.uname().release, os.cpu_count(), a.pairs,
           a.seconds, a.fixed_pps, MSS, idle_policy()), flush=True)
    runs = []
    for p in range(a.pairs):
        order = ("srfd", "seg6") if p % 2 == 0 else ("seg6", "srfd")
        got = {}
        for mode in order:
            got[mode] = run_mode(mode, p, a, noop, blaster, perf_dir)
        runs.append(got)
        for lst in ("primary", "backup"):
            s, k = got["srfd"][lst], got["seg6"][lst]
            print("pair %2d %-7s TCP %5.2f/%5.2f Gbit/s  UDP %7.0f/%7.0f pps  fwd %7.0f/%7.0f pps  "
                  "cpu %.2f/%.2f us/pkt at %.0f/%.0f pps  (srfd/seg6)  softnet drop %d/%d squeeze %d/%d  "
                  "ksoftirqd %d/%d ms  rcvbuf %d/%d  srfd_encap %.0f ns/run  srfd %s" %
                  (p, lst, s["tcp_gbps"], k["tcp_gbps"], s["udp_pps"], k["udp_pps"],
                   s["fwd_pps"], k["fwd_pps"],
                   s["cpu_us_per_pkt"], k["cpu_us_per_pkt"], s["fixed_pps"], k["fixed_pps"],
                   s["softnet_drop"],
                   k["softnet_drop"], s["squeeze"], k["squeeze"], s["ksoftirqd_ms"],
                   k["ksoftirqd_ms"], s["rcvbuf_err"], k["rcvbuf_err"], s["bpf_ns_per_run"],
                   " ".join("%s=%d" % kv for kv in s.get("counters", {}).items())),
                  flush=True)
    print("\nratio srfd / seg6 over %d pairs: median (IQR)   goal: primary >= 0.95, backup >= 0.90"
          % a.pairs)
    for lst, goal in (("primary", 0.95), ("backup", 0.90)):
        for key, what, better in (("tcp_gbps", "TCP Gbit/s", "higher"),
                                  ("udp_pps", "UDP 64 B pps (iperf3)", "higher"),
                                  ("fwd_pps", "UDP 64 B pps, no receiver", "higher"),
                                  ("cpu_us_per_pkt", "CPU us/pkt, fixed load", "lower")):
            r = [x["srfd"][lst][key] / x["seg6"][lst][key] for x in runs
                 if x["seg6"][lst][key] > 0]
            sv = [x["srfd"][lst][key] for x in runs]
            kv = [x["seg6"][lst][key] for x in runs]
            verdict = ""
            if better == "higher" and r:
                verdict = "met" if st.percentile(r, 50) >= goal else "NOT met"
            print("  %-7s %-26s srfd %9.3f  seg6 %9.3f  ratio %.3f (IQR %.3f) %s" %
                  (lst, what, st.percentile(sv, 50), st.percentile(kv, 50),
                   st.percentile(r, 50), iqr(r), verdict))
            if key == "cpu_us_per_pkt":
                dd = [(x["srfd"][lst][key] - x["seg6"][lst][key]) * 1000 for x in runs]
                print("  %-7s %-26s srfd - seg6 %+.0f ns/pkt (IQR %.0f)" %
                      (lst, "", st.percentile(dd, 50), iqr(dd)))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(runs, f, indent=1)
    if perf_dir:
        for mode in ("srfd", "seg6"):
            for lst in ("primary", "backup"):
                data = os.path.join(perf_dir, "%s-%s.data" % (mode, lst))
                if not os.path.exists(data):
                    continue
                rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                                      "--sort", "symbol", "--percent-limit", "1.5", "-g", "none"],
                                     capture_output=True, text=True).stdout
                print("\n# perf, fixed load, %s %s (symbols >= 1.5 %%)" % (mode, lst))
                for line in rep.splitlines():
                    if line.strip() and not line.startswith("#"):
                        print("  " + line.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
