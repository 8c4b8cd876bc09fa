#!/usr/bin/python3
"""netns test of srfd's End.BPF reflector (TAP output).

B runs srfdd as a pure reflector (SID fc00:b::bf, End.X back to A); A probes
link A-B through it. Checks: the session comes up through the reflector,
B counts the reflected probes, a silent failure is detected in time, B's
reflector refuses packets that are not srfd probes, and B's srfdd removes
its route on exit.
"""
import json
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import srfdtopo as st  # noqa: E402


NOT_A_PROBE = r'''
import socket, sys
from scapy.all import Ether, IPv6, IPv6ExtHdrSegmentRouting, UDP, Raw
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("a-b", 0))
p = Ether(dst=sys.argv[1]) / IPv6(src="fc00:a::1", dst="fc00:b::bf") / \
    IPv6ExtHdrSegmentRouting(addresses=["fc00:c::1", "fc00:b::bf"], segleft=1, lastentry=1) / \
    UDP(sport=1, dport=9) / Raw(b"x" * 32)
for _ in range(5):
    s.send(bytes(p))
'''


# srfd probes (magic, version 2) that a reflector must not bounce: with 700
# bytes of payload after the probe, or a SID list repeating the reflector SID
ABUSE = r'''
import socket, struct, sys
from scapy.all import Ether, IPv6, IPv6ExtHdrSegmentRouting, Raw
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("a-b", 0))
probe = struct.pack("!IBBHQQQ", 0x53524644, 2, 0, 0, 1, 1, 0)
if sys.argv[2] == "payload":
    segs, data = ["fc00:a::bf", "fc00:a::bf", "fc00:b::bf"], probe + b"A" * 700
else:
    segs, data = ["fc00:a::bf", "fc00:a::bf"] + ["fc00:b::bf"] * 6, probe
p = Ether(dst=sys.argv[1]) / IPv6(src="fc00:9::1", dst="fc00:b::bf") / \
    IPv6ExtHdrSegmentRouting(addresses=segs, segleft=len(segs) - 1,
                             lastentry=len(segs) - 1, nh=59) / Raw(data)
for _ in range(5):
    s.send(bytes(p))
'''


# the checks below, for the SKIP lines of a kernel without seg6local
CHECKS = ("session comes up through B's srfd reflector", "B counts reflected probes",
          "silent failures detected through the reflector within 1..5 ms",
          "the reflector drops SRv6 traffic that is not a probe",
          "the reflector does not bounce a probe with 700 bytes after the probe",
          "the reflector does not bounce a probe with the reflector SID repeated 6 times",
          "reflector srfdd stops keeping its route; `srfdd --flush -i` removes it")


def refused_without_seg6local(t, topo, inst, conf):
    """The reflector is an End.BPF program: without seg6local srfdd must say
    so and leave nothing behind, and the reflector checks cannot run."""
    rc = topo.srfdd("B", conf).wait(10)
    log = topo.log("B")
    t.ok(rc == 1 and "reflectors need seg6local End.BPF" in log
         and topo.run("B", "ip", "-o", "link", "show", "sp-" + inst, check=False,
                      capture=True).returncode != 0
         and not os.path.exists("/sys/fs/bpf/srfd/" + inst),
         "kernel without seg6local: a reflector config is refused with the reason, "
         "nothing left behind", log)
    for desc in CHECKS:
        t.skip(desc, "this kernel has no seg6local (CONFIG_IPV6_SEG6_LWTUNNEL)")
    return t.done()


def main():
    t = st.Tap()
    topo = st.Topo()
    topo.abc()
    inst_b = topo.prefix + "-rb"
    conf_b = os.path.join(topo.tmp, "b.conf")
    with open(conf_b, "w") as f:
        f.write('instance = "%s";\nreflectors = ( { sid = "fc00:b::bf"; neighbor = "fc00:ab::1"; } );\n'
                % inst_b)
    if not st.SEG6LOCAL:
        return refused_without_seg6local(t, topo, inst_b, conf_b)
    db = topo.srfdd("B", conf_b)
    inst_a = topo.prefix + "-ra"
    conf_a = os.path.join(topo.tmp, "a.conf")
    with open(conf_a, "w") as f:
        f.write('instance = "%s";\nlocal_sid = "fc00:a::bf";\nsource = "fc00:a::1";\n'
                'sessions = ( { name = "via-refl"; interface = "a-b"; neighbor = "fc00:ab::2";\n'
                '  segments = [ "fc00:b::bf" ]; interval_us = 1000; multiplier = 3; } );\n' % inst_a)
    da = topo.srfdd("A", conf_a)

    s = st.wait_state(inst_a, "via-refl", "up", 5)
    t.ok(s is not None, "session comes up through B's srfd reflector", topo.log("A") + topo.log("B"))
    refl = st.stats(inst_b)
    t.ok(refl["reflected"] >= 3 and refl["reflect_fail"] == 0,
         "B counts reflected probes (%d)" % refl["reflected"], refl)

    times = []
    for _ in range(3):
        d = None
        s = st.wait_state(inst_a, "via-refl", "up", 3)
        if s:
            downs = s["downs"]
            time.sleep(random.uniform(0, 0.001) + 0.05)
            t_fail = topo.fail()
            s = st.wait_state(inst_a, "via-refl", "down", 1)
            topo.repair()
            if s and s["downs"] == downs + 1:
                d = (s["last_change_ns"] - t_fail) / 1e6
        times.append(d)
    t.ok(all(x is not None and 1 <= x <= 5 for x in times),
         "silent failures detected through the reflector within 1..5 ms",
         ", ".join("%.2f" % x if x is not None else "missed" for x in times))

    # SRv6 traffic to the reflector SID that is not an srfd probe: dropped, counted
    mac = json.loads(topo.run("B", "ip", "-j", "link", "show", "b-a", capture=True).stdout)[0]["address"]
    before = st.stats(inst_b)["not_probe"]
    topo.run("A", st.PY, "-c", NOT_A_PROBE, mac)
    time.sleep(0.2)
    after = st.stats(inst_b)
    t.ok(after["not_probe"] - before == 5,
         "the reflector drops SRv6 traffic that is not a probe (%d counted)"
         % (after["not_probe"] - before))

    for mode, what in (("payload", "700 bytes after the probe"),
                       ("repeat", "the reflector SID repeated 6 times")):
        before = st.stats(inst_b)
        topo.run("A", st.PY, "-c", ABUSE, mac, mode)
        time.sleep(0.2)
        after = st.stats(inst_b)
        t.ok(after["reflect_not_exact"] - before["reflect_not_exact"] == 5,
             "the reflector does not bounce a probe with %s (%d refused)"
             % (what, after["reflect_not_exact"] - before["reflect_not_exact"]))

    topo.stop(da)
    rc = topo.stop(db)
    kept = topo.run("B", "ip", "-6", "route", "show", "fc00:b::bf", capture=True).stdout
    fl = subprocess.run([st.SRFDD, "--flush", "-i", inst_b, "-n", topo.ns("B")],
                        capture_output=True, text=True)
    route = topo.run("B", "ip", "-6", "route", "show", "fc00:b::bf", capture=True).stdout
    t.ok(rc == 0 and "srfd_reflect" in kept and fl.returncode == 0 and route.strip() == "",
         "reflector srfdd stops keeping its route; `srfdd --flush -i` removes it", fl.stderr)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
