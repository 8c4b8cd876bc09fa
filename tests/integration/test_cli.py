#!/usr/bin/python3
"""srfdd/srfdctl command-line behaviour on bad input (TAP output)."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import srfdtopo as st  # noqa: E402


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
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
