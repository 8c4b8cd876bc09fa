#!/usr/bin/python3
"""srfdd/srfdctl command-line behaviour on bad input (TAP output)."""
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import srfdtopo as st  # noqa: E402
import ctlproto as cp  # noqa: E402


def run(*argv):
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True)


def main():
    t = st.Tap()
    sample = os.path.join(st.ROOT, "etc", "srfd.conf")
    r = run(st.SRFDD, "--check", "-c", sample)
    t.ok(r.returncode == 0 and "OK, 1 session(s)" in r.stdout, "srfdd --check accepts etc/srfd.conf", r.stderr)
    r = run(st.SRFDD, "--check", "--default-config")
    t.ok(r.returncode == 0, "srfdd --check accepts the embedded default", r.stderr)

    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write('local_sid = "fc00::bf";\nsource = "fc00::1";\nsessions = (\n'
                '  { name = "x"; interface = "eth0"; neighbor = "fe80::1";\n'
                '    segments = [ "fc00::e1" ]; multiplier = 0; }\n);\n')
    r = run(st.SRFDD, "--check", "-c", f.name)
    t.ok(r.returncode == 1 and ("%s:5: 'multiplier' = 0 is out of range 1..255" % f.name) in r.stderr,
         "srfdd names file, line and problem for a bad config", r.stderr)
    os.unlink(f.name)
    r = run(st.SRFDD, "-c", "/nonexistent.conf")
    t.ok(r.returncode == 1 and "/nonexistent.conf: cannot read file" in r.stderr,
         "srfdd reports an unreadable config", r.stderr)
    r = run(st.SRFDD, "--bogus")
    t.ok(r.returncode == 2 and "Usage" in r.stderr, "srfdd rejects an unknown option")

    r = run(st.SRFDCTL, "session", "frobnicate")
    t.ok(r.returncode == 2 and "unknown command 'session frobnicate'" in r.stderr,
         "srfdctl rejects an unknown command", r.stderr)
    r = run(st.SRFDCTL, "session", "show", "extra")
    t.ok(r.returncode == 2 and "unexpected argument 'extra'" in r.stderr,
         "srfdctl rejects extra arguments", r.stderr)
    r = run(st.SRFDCTL, "-s", "/nonexistent/srfd.sock", "session", "show")
    t.ok(r.returncode == 1 and "cannot reach srfdd at /nonexistent/srfd.sock" in r.stderr
         and r.stdout == "",
         "srfdctl explains an unreachable daemon", r.stderr)
    r = run(st.SRFDCTL, "-s", "/nonexistent/srfd.sock", "reload")
    t.ok(r.returncode == 1 and "cannot reach srfdd" in r.stderr and r.stdout == "",
         "srfdctl reload explains an unreachable daemon", r.stderr)
    r = run(st.SRFDD, "--flush", "-i", "bad/name")
    t.ok(r.returncode == 1 and "instance name 'bad/name'" in r.stderr,
         "srfdd --flush rejects a bad instance name", r.stderr)
    r = run(st.SRFDD, "--flush", "-i", "clinopins%d" % (os.getpid() % 1000))
    t.ok(r.returncode == 0 and not os.path.exists("/sys/fs/bpf/srfd/clinopins%d"
                                                  % (os.getpid() % 1000)),
         "srfdd --flush of an instance that owns nothing succeeds and creates nothing", r.stderr)
    r = run(st.SRFDCTL, "-i", "x" * 200, "session", "show")
    t.ok(r.returncode == 2 and "is too long" in r.stderr, "srfdctl rejects an over-long instance name")
    versions(t)
    abbreviations(t)
    textfile(t)
    return t.done()


def textfile(t):
    """--textfile replaces the file whole (a new inode, 0644, no temporary
    left); when srfdd does not answer the file says srfd_daemon_up 0 and
    nothing else; bad paths are refused and leave the old file alone."""
    d = tempfile.mkdtemp(prefix="srfd-cli-")
    prom = os.path.join(d, "srfd-x.prom")
    path = os.path.join(d, "fake.sock")
    with open(prom, "w") as f:
        f.write("old\n")
    old = os.stat(prom).st_ino
    fake = cp.FakeDaemon(path, lambda r: [cp.hello(), cp.HDR.pack(cp.END, 0)])
    r = run(st.SRFDCTL, "-s", path, "-i", "x", "--textfile", prom)
    r2 = run(st.SRFDCTL, "-i", "y", "-s", path, "-o", "prometheus")
    fake.close()
    t.ok(r2.returncode == 0 and 'srfd_daemon_up{srfd_instance="y"} 1' in r2.stdout,
         "-s names the socket before or after -i; -i then only labels the metrics", r2.stderr)
    text = open(prom).read()
    mode = os.stat(prom)
    t.ok(r.returncode == 0 and r.stdout == "" and mode.st_ino != old
         and stat.S_IMODE(mode.st_mode) == 0o644 and os.listdir(d) == ["srfd-x.prom"]
         and 'srfd_daemon_up{srfd_instance="x"} 1\n' in text
         and 'srfd_info{srfd_instance="x",version="9.9.9"} 1\n' in text,
         "--textfile: the export replaces the file (rename: a new inode), mode 644, nothing on "
         "stdout, no temporary left", r.stderr + text)
    r = run(st.SRFDCTL, "-s", path, "-i", "x", "--textfile", prom)
    text = open(prom).read()
    t.ok(r.returncode == 1 and "cannot reach srfdd" in r.stderr and "says srfd_daemon_up 0"
         in r.stderr and [x for x in text.splitlines() if not x.startswith("#")]
         == ['srfd_daemon_up{srfd_instance="x"} 0'] and os.listdir(d) == ["srfd-x.prom"],
         "--textfile with srfdd gone: exit 1, the file holds srfd_daemon_up 0 and no stale "
         "figure", r.stderr + text)
    os.chmod(d, 0o755)
    r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                        st.SRFDCTL, "-s", path, "--textfile", prom],
                       capture_output=True, text=True)
    t.ok(r.returncode == 1 and "cannot create a temporary file next to %s: Permission denied"
         % prom in r.stderr and open(prom).read() == text,
         "--textfile into a directory it cannot write: exit 1, says why, the file untouched",
         r.stderr)
    for args, expect in ((["--textfile", d + "/"], "a file name is needed"),
                         (["--textfile", ""], "a file name is needed"),
                         (["-j", "--textfile", prom], "not JSON")):
        r = run(st.SRFDCTL, "-s", path, *args)
        t.ok(r.returncode == 2 and expect in r.stderr and open(prom).read() == text,
             "`srfdctl %s` is refused: %s" % (" ".join(args), expect), r.stderr)
    shutil.rmtree(d)


def versions(t):
    """-V on both binaries; srfdctl against daemons of other releases."""
    r = run(st.SRFDD, "-V")
    r2 = run(st.SRFDCTL, "--version")
    t.ok(r.returncode == 0 and r.stdout.startswith("srfdd 0.") and r2.returncode == 0
         and r2.stdout.startswith("srfdctl 0.") and "control protocol %d" % cp.PROTO in r2.stdout,
         "srfdd -V and srfdctl --version print their release", r.stdout + r2.stdout)
    path = tempfile.mktemp(prefix="srfd-cli-", suffix=".sock")
    old_rec = struct.pack("=Ii", cp.SESSION_REC, 0) + b"a-b".ljust(112, b"\0")
    cases = [
        # an srfdd from before the handshake: records, no HELLO
        (lambda r: [old_rec, cp.HDR.pack(cp.END, 0)], "did not say its version"),
        # a newer srfdd with another protocol
        (lambda r: [cp.hello(proto=3), cp.HDR.pack(cp.END, 0)],
         "speaks control protocol 3, this srfdctl"),
        # same protocol number but a record of another size
        (lambda r: [cp.hello(), old_rec, cp.HDR.pack(cp.END, 0)],
         "does not know (type 100, 120 bytes)"),
    ]
    for script, expect in cases:
        fake = cp.FakeDaemon(path, script)
        for args in (["-j", "session", "show"], ["-o", "prometheus"]):
            r = run(st.SRFDCTL, "-s", path, *args)
            t.ok(r.returncode == 1 and expect in r.stderr and r.stdout == "",
                 "srfdctl %s against another release: exit 1, says '%s', prints nothing"
                 % (" ".join(args), expect), r.stdout + r.stderr)
        fake.close()


def abbreviations(t):
    """ip(8)-style abbreviations map to the right request (a fake srfdd
    records what srfdctl asked)."""
    path = tempfile.mktemp(prefix="srfd-cli-", suffix=".sock")
    fake = cp.FakeDaemon(path, lambda r: [cp.hello(), cp.HDR.pack(cp.END, 0)])
    cases = [
        (["s"], "session_show", b""), (["session"], "session_show", b""),
        (["se", "sh"], "session_show", b""), (["st"], "stats_show", b""),
        (["st", "cl"], "stats_clear", b""), (["p"], "prefix_show", b""),
        (["se", "dis", "a-b"], "session_disable", b"a-b"),
        (["session", "enable", "x" * 32], "session_enable", b"x" * 32),
        (["r"], "reload", b""), (["v"], "version", b""),
    ]
    for args, op, arg in cases:
        n = len(fake.requests)
        r = run(st.SRFDCTL, "-s", path, *args)
        got = fake.requests[n] if len(fake.requests) > n else b""
        want = cp.req(cp.OPS[op], arg)
        t.ok(r.returncode == 0 and got == want,
             "`srfdctl %s` sends %s%s" % (" ".join(args), op, " " + arg.decode() if arg else ""),
             r.stderr + " sent %r" % got)
    fake.close()
    for args, expect in ((["se", "dis"], "session disable needs NAME"),
                         (["se", "dis", "x" * 33], "longer than a session name"),
                         (["x"], "unknown command 'x'"),
                         (["st", "frob"], "unknown command 'st frob'"),
                         (["-o", "yaml", "s"], "unknown output format 'yaml'")):
        r = run(st.SRFDCTL, "-s", path, *args)
        t.ok(r.returncode == 2 and expect in r.stderr, "`srfdctl %s` is refused: %s"
             % (" ".join(args), expect), r.stderr)
    r = run(st.SRFDCTL, "help")
    r2 = run(st.SRFDCTL, "session", "help")
    t.ok(r.returncode == 0 and "session disable|enable NAME" in r.stdout and r2.returncode == 0
         and "disable NAME" in r2.stdout, "`srfdctl help` and `srfdctl session help`", r.stdout)


if __name__ == "__main__":
    sys.exit(main())
