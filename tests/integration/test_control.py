#!/usr/bin/python3
"""srfdd's control socket under load and abuse (TAP output).

A - B - C (srfdtopo.abc). srfdd on A runs the configured maxima: 128
sessions over link A-B and 1024 protected prefixes. Every show command must
stream whole; clients that send nothing, too many clients, oversized
requests, a stopped srfdd and a control_socket path that is not srfd's must
each end in a clear answer, never a hang or a deleted file.
"""
import os
import signal
import socket
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import srfdtopo as st  # noqa: E402
import ctlproto as cp  # noqa: E402

NSESS, NPFX = 128, 1024


def write_conf(topo, inst, extra=""):
    sess = ",\n".join('  { name = "s%d"; interface = "a-b"; neighbor = "fc00:ab::2";'
                      ' segments = [ "fc00:b::e1" ]; interval_us = 100000; }' % i
                      for i in range(NSESS))
    pfx = ",\n".join('  { prefix = "fc00:3:%x::/48"; primary = [ "fc00:b::e" ];'
                     ' backup = [ "fc00:b::e" ]; guards = [ "s%d" ]; }' % (i, i % NSESS)
                     for i in range(NPFX))
    path = os.path.join(topo.tmp, inst + ".conf")
    with open(path, "w") as f:
        f.write('instance = "%s"; local_sid = "fc00:a::bf"; source = "fc00:a::1";\n%s'
                'sessions = (\n%s\n);\nprefixes = (\n%s\n);\n' % (inst, extra, sess, pfx))
    return path


def ctl(inst, *args, timeout=20):
    return subprocess.run([st.SRFDCTL, "-i", inst] + list(args), capture_output=True,
                          text=True, timeout=timeout)


def refused_start(topo, inst, extra):
    """Start srfdd on A (one session) with @extra settings; its exit code."""
    conf = os.path.join(topo.tmp, inst + ".conf")
    with open(conf, "w") as f:
        f.write('instance = "%s"; %s\nlocal_sid = "fc00:a::b7"; source = "fc00:a::1";\n'
                'sessions = ( { name = "a-b"; interface = "a-b"; neighbor = "fc00:ab::2";'
                ' segments = [ "fc00:b::e1" ]; } );\n' % (inst, extra))
    return topo.srfdd("A", conf).wait(10)


def main():
    t = st.Tap()
    topo = st.Topo()
    topo.abc()
    inst = topo.prefix + "-c"
    sock = "/run/srfd/%s.sock" % inst
    d = topo.srfdd("A", write_conf(topo, inst))
    up = st.wait_state(inst, "s127", "up", 20)
    mode = stat.S_IMODE(os.stat(sock).st_mode) if os.path.exists(sock) else 0
    t.ok(up is not None and mode == 0o600, "128 sessions and 1024 prefixes; socket mode %o" % mode,
         topo.log("A")[-1500:])

    import json
    r = ctl(inst, "-j", "prefix", "show")
    pfx = json.loads(r.stdout) if r.returncode == 0 else []
    r2 = ctl(inst, "-j", "session", "show")
    sess = json.loads(r2.stdout) if r2.returncode == 0 else []
    t.ok(len(pfx) == NPFX and len({p["prefix"] for p in pfx}) == NPFX
         and len(sess) == NSESS and len({s["name"] for s in sess}) == NSESS,
         "show streams the maxima whole: %d prefixes, %d sessions" % (len(pfx), len(sess)),
         r.stderr + r2.stderr)

    # clients that connect and say nothing: more than srfdd serves at once
    idle = [cp.raw(sock) for _ in range(100)]
    t0 = time.monotonic()
    r = ctl(inst, "-j", "session", "show")
    took = time.monotonic() - t0
    t.ok(r.returncode == 0 and len(json.loads(r.stdout)) == NSESS and took < 5,
         "with 100 silent clients connected, session show still answers (%.1f s)" % took,
         r.stderr)
    time.sleep(2.5)
    closed = 0
    for s in idle:
        try:
            closed += s.recv(64) == b""
        except (socket.timeout, OSError):
            pass
        s.close()
    t.ok(closed >= 60, "silent clients are closed by srfdd after its idle timeout (%d of 100 "
         "seen closed)" % closed)

    # an oversized request is an error, not a truncated valid one
    s = cp.raw(sock)
    s.send(cp.req(cp.OPS["session_show"]) + b"x" * 100)
    recs = cp.records(s)
    s.close()
    t.ok([r[0] for r in recs] == [cp.HELLO_REC, cp.MSG_REC, cp.ERROR] and recs[-1][1] == -71
         and b"148-byte request" in recs[1][2],
         "oversized request: HELLO, a message, ERROR EPROTO", repr(recs))
    # a client of the old protocol (an 8-byte request) is told in words
    s = cp.raw(sock)
    s.send(cp.HDR.pack(cp.OPS["session_show"], 0))
    recs = cp.records(s)
    s.close()
    t.ok([r[0] for r in recs] == [cp.HELLO_REC, cp.MSG_REC, cp.ERROR] and recs[-1][1] == -71
         and b"speaks control protocol 2, the client sent a 8-byte request" in recs[1][2],
         "an old srfdctl's request: HELLO, 'speaks control protocol 2', ERROR EPROTO",
         repr(recs[1:2]))
    s = cp.raw(sock)
    s.send(cp.req(cp.OPS["session_show"], proto=3))
    recs = cp.records(s)
    s.close()
    t.ok([r[0] for r in recs] == [cp.HELLO_REC, cp.MSG_REC, cp.ERROR]
         and b"the client sent protocol 3" in recs[1][2],
         "a newer client's protocol is refused in words", repr(recs[1:2]))

    # a stopped srfdd: srfdctl gives up with a clear message
    os.kill(d.pid, signal.SIGSTOP)
    t0 = time.monotonic()
    r = ctl(inst, "session", "show")
    took = time.monotonic() - t0
    os.kill(d.pid, signal.SIGCONT)
    t.ok(r.returncode == 1 and "did not answer within 5 s" in r.stderr and took < 8
         and r.stdout == "",
         "srfdctl against a stopped srfdd: exit 1 after %.1f s, says so" % took, r.stderr)
    t.ok(ctl(inst, "session", "show").returncode == 0, "srfdd answers again after SIGCONT")
    topo.stop(d, flush=True)

    # control_socket pointing at something that is not a socket: refused, untouched
    inst2 = topo.prefix + "-k"
    victim = os.path.join(topo.tmp, "precious.txt")
    with open(victim, "w") as f:
        f.write("keep me\n")
    rc = refused_start(topo, inst2, 'control_socket = "%s";' % victim)
    with open(victim) as f:
        kept = f.read()
    t.ok(rc == 1 and kept == "keep me\n" and "is not a socket" in topo.log("A")
         and not os.path.exists("/sys/fs/bpf/srfd/" + inst2),
         "a control_socket path holding a file is refused; the file is untouched and the "
         "instance leaves nothing behind")
    # a bpffs path that is a non-empty ordinary directory is not mounted over
    inst3 = topo.prefix + "-m"
    notbpf = os.path.join(topo.tmp, "notbpf")
    os.mkdir(notbpf)
    with open(os.path.join(notbpf, "data"), "w") as f:
        f.write("x")
    rc = refused_start(topo, inst3, 'bpffs = "%s";' % notbpf)
    mounted = any(notbpf in line for line in open("/proc/mounts"))
    t.ok(rc == 1 and not mounted and os.listdir(notbpf) == ["data"]
         and "neither a bpffs nor an empty directory" in topo.log("A"),
         "srfdd refuses to mount a bpffs over a non-empty directory")
    # an empty directory as bpffs: mounted at start, unmounted by the flush
    inst5 = topo.prefix + "-b"
    newbpf = os.path.join(topo.tmp, "newbpf")
    os.mkdir(newbpf)
    conf5 = topo.write_conf(inst5, 10000, 3)
    with open(conf5, "a") as f:
        f.write('bpffs = "%s";\n' % newbpf)
    d = topo.srfdd("A", conf5)
    up = st.wait_state(inst5, "a-b", "up", 5)
    mounted = any(" %s bpf " % newbpf in line for line in open("/proc/mounts"))
    pinned = os.path.exists(os.path.join(newbpf, "srfd", inst5, "srfd_settings"))
    topo.stop(d)
    fl = topo.flush("A", conf=conf5)
    gone = not any(" %s bpf " % newbpf in line for line in open("/proc/mounts"))
    t.ok(up is not None and mounted and pinned and fl.returncode == 0 and gone
         and os.path.isdir(newbpf) and "unmounted the bpffs" in fl.stderr,
         "bpffs on an empty directory: mounted for the pins, unmounted by --flush",
         "up %s mounted %s pinned %s flush %s: %s" % (up is not None, mounted, pinned,
                                                       fl.returncode, fl.stderr))
    # a local_sid that is an interface address (A's fc00:a::1) is refused
    inst4 = topo.prefix + "-s"
    conf4 = os.path.join(topo.tmp, inst4 + ".conf")
    with open(conf4, "w") as f:
        f.write('instance = "%s"; local_sid = "fc00:a::1"; source = "fc00:a::1";\n'
                'sessions = ( { name = "x"; interface = "a-b"; neighbor = "fc00:ab::2";'
                ' segments = [ "fc00:b::e1" ]; } );\n' % inst4)
    r = subprocess.run([st.SRFDD, "-c", conf4, "-n", topo.ns("A")], capture_output=True,
                       text=True, timeout=10)
    t.ok(r.returncode == 1 and "is an address of interface lo" in r.stderr
         and not os.path.exists("/sys/fs/bpf/srfd/" + inst4),
         "a local_sid that is an interface address is refused before anything is set up",
         r.stderr)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
