#!/usr/bin/python3
"""netns integration test of a looped-probe link session (TAP output).

Topology A - B - C; srfdd on A monitors link A-B with probes A -> B -> A,
B runs only the kernel's End.X. Checks: the session comes up; silent
failures are detected within bounds at 10 ms x 3 and 1 ms x 3; repair brings
it back; a SIGSTOPped srfdd neither causes a false down nor delays
detection; probes decode as SRv6 in scapy; spoofed probes with a wrong MAC
do not hold a failed session up; authentic probes copied off the link and
relayed (or forged ahead) from another link while the link's return is dead
do not either.
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import srfdtopo as st  # noqa: E402

TRIALS = int(os.environ.get("SRFD_TRIALS", "5"))

# Sends well-formed probes for session 0 with a guessed MAC, at 1 kHz,
# straight onto B's link towards A (argv: seconds, A's MAC).
SPOOFER = r'''
import socket, sys, struct, time
from scapy.all import Ether, IPv6, IPv6ExtHdrSegmentRouting, Raw
end = time.monotonic() + float(sys.argv[1])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("b-a", 0))
seq = 1
while time.monotonic() < end:
    now = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    payload = struct.pack("!IBBHQQQ", 0x53524644, 2, 0, 0, 10**6 + seq, now, 0x1122334455667788)
    p = Ether(dst=sys.argv[2]) / IPv6(src="fc00:a::1", dst="fc00:a::bf", hlim=63) / \
        IPv6ExtHdrSegmentRouting(addresses=["fc00:a::bf", "fc00:a::bf", "fc00:b::e1"],
                                 segleft=1, lastentry=2, nh=59) / Raw(payload)
    s.send(bytes(p))
    seq += 1
    time.sleep(0.001)
print(seq - 1)
'''


# The attacker of issue 7: a box on link A-B (a mirror port will do) copies
# every probe A sends towards B and, with B's return direction dead, plays
# B's End.X itself, sending the authentic, fresh probe to A over another
# link (X - A); each copy is followed by a forgery: the same probe with the
# sequence number extrapolated ahead. Starts in X's namespace (sending
# socket), then joins B's to capture (argv: seconds, B's namespace, A's MAC
# on a-x). Prints "relayed forged".
RELAY = r'''
import ctypes, os, socket, sys, time
end = time.monotonic() + float(sys.argv[1])
tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
tx.bind(("x-a", 0))
src = tx.getsockname()[4]
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open("/run/netns/" + sys.argv[2], os.O_RDONLY)
if libc.setns(fd, 0x40000000):
    raise OSError(ctypes.get_errno(), "setns")
rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x86dd))
rx.bind(("b-a", 0))
rx.settimeout(0.05)
dst = bytes.fromhex(sys.argv[3].replace(":", ""))
endx = socket.inet_pton(socket.AF_INET6, "fc00:b::e1")    # segments[2]: first hop
relayed = forged = 0
while time.monotonic() < end:
    try:
        data, addr = rx.recvfrom(2048)
    except socket.timeout:
        continue
    ip = data[14:]
    if addr[2] != socket.PACKET_HOST or len(ip) < 40 + 8 + 48 + 32:
        continue
    # B's End.X may already have rewritten the shared buffer
    if ip[6] != 43 or ip[43] not in (1, 2) or ip[40 + 8 + 32:40 + 8 + 48] != endx:
        continue
    p = bytearray(dst + src + data[12:])
    p[14 + 7] = 63                              # hop limit after B
    p[14 + 40 + 3] = 1                          # End.X: segments_left 2 -> 1
    p[14 + 24:14 + 40] = ip[40 + 8 + 16:40 + 8 + 32]    # DA = next SID
    tx.send(bytes(p))
    relayed += 1
    seq = 14 + 40 + 8 + 48 + 8
    p[seq:seq + 8] = (int.from_bytes(p[seq:seq + 8], "big") + 3).to_bytes(8, "big")
    tx.send(bytes(p))
    forged += 1
print(relayed, forged)
'''


def relay_attack(topo, seconds):
    import json
    mac = json.loads(topo.run("A", "ip", "-j", "link", "show", "a-x",
                              capture=True).stdout)[0]["address"]
    return topo.popen("X", st.PY, "-c", RELAY, str(seconds), topo.ns("B"), mac,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def relay_test(t, topo):
    """(g) capture-then-forge from another link while A-B's return is dead."""
    inst = topo.prefix + "-g"
    conf = topo.write_conf(inst, 10000, 3)
    d = topo.srfdd("A", conf)
    if st.wait_state(inst, "a-b", "up", 5) is None:
        t.ok(False, "relay test: session up", topo.log("A"))
        return
    before = st.stats(inst)
    relay = relay_attack(topo, 1.5)
    time.sleep(0.3)                     # relay running, link still fine
    t_fail = topo.fail(direction="out")  # B -> A dead, A -> B still seen
    time.sleep(1.0)
    s = st.sessions(inst)["a-b"]
    out, err = relay.communicate(10)
    after = st.stats(inst)
    det = (s["last_change_ns"] - t_fail) / 1e6
    nrel = int(out.split()[0]) if out.strip() else 0
    wrong = after["wrong_ingress"] - before["wrong_ingress"]
    t.ok(s["state"] == "down" and s["down_reason"] == "probes_lost" and 10 <= det <= 35
         and nrel >= 100 and wrong >= 2 * nrel - 4,
         "authentic probes relayed from another link (%d) and forged copies: rejected "
         "(wrong_ingress %d), the dead link is down in %.2f ms" % (nrel, wrong, det),
         "%s %s %s" % (s, out, err))
    # the same attack against a session told not to check: it works, which is
    # why link sessions check by default
    topo.write_conf(inst, 10000, 3, session_keys="check_ingress = false; ")
    subprocess.run([st.SRFDCTL, "-i", inst, "reload"], check=True, capture_output=True)
    bad0 = st.stats(inst)["bad_mac"]
    relay = relay_attack(topo, 1.0)
    up = st.wait_state(inst, "a-b", "up", 1.0)
    out, _ = relay.communicate(10)
    bad = st.stats(inst)["bad_mac"] - bad0
    t.ok(up is not None and bad > 0,
         "control: with check_ingress = false the relayed probes bring the dead link up "
         "(forged copies still fail the MAC: %d)" % bad)
    topo.repair()
    topo.stop(d, flush=True)


def detection_series(t, topo, inst, interval_us, mult, lo_ms, hi_ms, trials):
    times = []
    for _ in range(trials):
        d = st.detection_trial(topo, inst, interval_us, mult)
        times.append(d)
    ok = [x for x in times if x is not None]
    t.ok(len(ok) == trials and all(lo_ms <= x <= hi_ms for x in ok),
         "%d ms x %d: %d failures detected within %g..%g ms" %
         (interval_us // 1000, mult, trials, lo_ms, hi_ms),
         "detection ms: " + ", ".join("%.2f" % x if x is not None else "missed" for x in times))


def main():
    t = st.Tap()
    topo = st.Topo()
    topo.abc()
    topo.node("X")      # an attacker's second way into A
    topo.link("A", "a-x", "fc00:a7::1", "X", "x-a", "fc00:a7::2")

    # (a)..(c) at 10 ms x 3
    inst = topo.prefix + "-10"
    d = topo.srfdd("A", topo.write_conf(inst, 10000, 3))
    s = st.wait_state(inst, "a-b", "up", 5)
    t.ok(s is not None, "session a-b reaches up at 10 ms x 3", topo.log("A") if not s else None)
    if s:
        t.ok(s["probes_rx"] >= 3 and s["probes_tx"] >= s["probes_rx"] and s["multiplier"] == 3
             and s["interval_us"] == 10000, "session show reports counters and settings", s)

    # (e) the wire format, decoded by scapy from a capture on B
    pcap = os.path.join(topo.tmp, "probes.pcap")
    cap = topo.popen("B", "tcpdump", "-q", "-U", "-ni", "b-a", "-c", "6", "-w", pcap, "ip6",
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        cap.wait(5)
    except subprocess.TimeoutExpired:
        cap.kill()
    from scapy.all import rdpcap, IPv6, IPv6ExtHdrSegmentRouting
    import struct
    pkts = [p for p in rdpcap(pcap) if IPv6ExtHdrSegmentRouting in p]
    good = 0
    for p in pkts:
        srh = p[IPv6ExtHdrSegmentRouting]
        raw = bytes(srh.payload)
        magic, ver, _, sid, seq, _, _ = struct.unpack("!IBBHQQQ", raw[:32])
        out = p[IPv6].dst == "fc00:b::e1" and srh.segleft == 2
        back = p[IPv6].dst == "fc00:a::bf" and srh.segleft == 1
        if (srh.type == 4 and srh.nh == 59 and srh.lastentry == 2 and
                [str(a) for a in srh.addresses] == ["fc00:a::bf", "fc00:a::bf", "fc00:b::e1"] and
                (out or back) and magic == 0x53524644 and ver == 2 and sid == 0 and seq > 0):
            good += 1
    t.ok(len(pkts) >= 4 and good == len(pkts),
         "probes on the wire decode as SRv6 (scapy): %d of %d valid" % (good, len(pkts)))

    # (b)+(c)
    detection_series(t, topo, inst, 10000, 3, 10, 35, TRIALS)
    t.ok(st.wait_state(inst, "a-b", "up", 2) is not None, "repair brings the session back up")

    # (d) srfdd stopped for 10 s: no false down, and a failure is still caught in time
    downs = st.sessions(inst)["a-b"]["downs"]
    os.kill(d.pid, signal.SIGSTOP)
    time.sleep(5)
    t_fail = topo.fail()
    time.sleep(5)
    os.kill(d.pid, signal.SIGCONT)
    s = st.sessions(inst)["a-b"]
    det = (s["last_change_ns"] - t_fail) / 1e6
    t.ok(s["state"] == "down" and s["downs"] == downs + 1 and 10 <= det <= 35,
         "SIGSTOP of srfdd for 10 s: no false down, failure during the stop detected in %.2f ms" % det,
         s)
    topo.repair()
    t.ok(st.wait_state(inst, "a-b", "up", 2) is not None, "session recovers after SIGCONT")

    # (f) a spoofed probe with a wrong MAC never holds a failed session up
    import json
    mac = json.loads(topo.run("A", "ip", "-j", "link", "show", "a-b", capture=True).stdout)[0]["address"]
    t_fail = topo.fail(direction="in")
    spoof = topo.popen("B", st.PY, "-c", SPOOFER, "0.5", mac, stdout=subprocess.PIPE, text=True)
    out, _ = spoof.communicate(30)
    s = st.wait_state(inst, "a-b", "down", 2)
    st_after = st.sessions(inst)["a-b"]
    bad_mac = st.stats(inst)["bad_mac"]
    t.ok(s is not None and (s["last_change_ns"] - t_fail) / 1e6 <= 35 and bad_mac > 0
         and st_after["state"] == "down",
         "spoofed probes (wrong MAC, %s sent, %d rejected) do not hold the session up"
         % (out.strip(), bad_mac))
    topo.repair()
    st.wait_state(inst, "a-b", "up", 2)
    rc = topo.stop(d)
    t.ok(rc == 0, "srfdd exits cleanly on SIGTERM")
    conf = os.path.join(topo.tmp, inst + ".conf")
    fl = topo.flush("A", conf)
    leftovers = topo.run("A", "ip", "-o", "link", "show", "sp-" + inst, check=False, capture=True)
    route = topo.run("A", "ip", "-6", "route", "show", "fc00:a::bf", capture=True).stdout
    t.ok(fl.returncode == 0 and leftovers.returncode != 0 and route.strip() == ""
         and not os.path.exists("/sys/fs/bpf/srfd/" + inst),
         "srfdd --flush removes the ticker veth, the End.BPF route and the pins", fl.stderr)

    # a route for local_sid that is not ours is never taken over
    topo.run("A", "ip", "-6", "route", "add", "fc00:a::bf/128", "dev", "a-b")
    inst = topo.prefix + "-x"
    d = topo.srfdd("A", topo.write_conf(inst, 10000, 3))
    rc = d.wait(10)
    route = topo.run("A", "ip", "-6", "route", "show", "fc00:a::bf", capture=True).stdout
    t.ok(rc == 1 and "a route that is not srfd's is there" in topo.log("A") and "a-b" in route
         and topo.run("A", "ip", "link", "show", "sp-" + inst, check=False,
                      capture=True).returncode != 0
         and not os.path.exists("/sys/fs/bpf/srfd/" + inst),
         "srfdd refuses to take over an existing route for local_sid and cleans up")
    topo.run("A", "ip", "-6", "route", "del", "fc00:a::bf/128")

    relay_test(t, topo)

    # (b) at 1 ms x 3
    inst = topo.prefix + "-1"
    d = topo.srfdd("A", topo.write_conf(inst, 1000, 3))
    t.ok(st.wait_state(inst, "a-b", "up", 5) is not None, "session a-b reaches up at 1 ms x 3",
         topo.log("A"))
    detection_series(t, topo, inst, 1000, 3, 1, 5, TRIALS)
    t.ok(st.wait_state(inst, "a-b", "up", 2) is not None, "1 ms session back up after repair")
    topo.stop(d)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
