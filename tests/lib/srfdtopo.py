"""Network-namespace topologies for srfd's integration tests, demo and bench.

Every namespace carries a per-run prefix and Topo.cleanup() (also run at
exit and on SIGTERM) deletes them and stops only the processes this run
started. Failures are injected with nftables netdev chains from a helper
process living in the far end's namespace, so the moment a failure is
committed is known to the microsecond (CLOCK_MONOTONIC, the clock the BPF
side stamps transitions with).
"""
import atexit
import contextlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SRFD_BUILD", os.path.join(ROOT, "build"))
SRFDD = os.environ.get("SRFDD", os.path.join(BUILD, "src", "srfdd"))
SRFDCTL = os.environ.get("SRFDCTL", os.path.join(BUILD, "src", "srfdctl"))
PY = "/usr/bin/python3"

FAILER = r'''
import sys, time
from nftables import Nftables
nft = Nftables()
dev = sys.argv[1]
rules = {
  "both": "add table netdev srfdfail\n"
          f"add chain netdev srfdfail in {{ type filter hook ingress device \"{dev}\" priority 0; policy drop; }}\n"
          f"add chain netdev srfdfail out {{ type filter hook egress device \"{dev}\" priority 0; policy drop; }}\n",
  "in":   "add table netdev srfdfail\n"
          f"add chain netdev srfdfail in {{ type filter hook ingress device \"{dev}\" priority 0; policy drop; }}\n",
  "out":  "add table netdev srfdfail\n"
          f"add chain netdev srfdfail out {{ type filter hook egress device \"{dev}\" priority 0; policy drop; }}\n",
  "repair": "delete table netdev srfdfail\n",
}
for line in sys.stdin:
    t0 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    r = time.time_ns()
    rc, out, err = nft.cmd(rules[line.strip()])
    t1 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    print(f"{t0} {r} {t1}" if rc == 0 else f"error {err.strip()}", flush=True)
'''


# Link operations from inside a namespace, stamped with CLOCK_MONOTONIC right
# before the system call (ioctl / raw rtnetlink: no process spawn between the
# stamp and the act; a veth deletion is announced long before it returns).
LINKCTL = r'''
import fcntl, socket, struct, sys, time
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 1
RTM_DELLINK, NLM_F_REQUEST, NLM_F_ACK = 17, 1, 4
for line in sys.stdin:
    op, dev = line.split()
    t0 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    try:
        if op in ("up", "down"):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            r = fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sH14x", dev.encode(), 0))
            flags = struct.unpack("16sH", r[:18])[1]
            flags = flags | IFF_UP if op == "up" else flags & ~IFF_UP
            fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH14x", dev.encode(), flags))
        else:
            nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
            idx = socket.if_nametoindex(dev)
            nl.send(struct.pack("=LHHLL", 32, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 1, 0)
                    + struct.pack("=BxHiII", 0, 0, idx, 0, 0))
            err = struct.unpack("=i", nl.recv(4096)[16:20])[0]
            if err:
                raise OSError(-err, "RTM_DELLINK")
        print(t0, flush=True)
    except OSError as e:
        print("error", e, flush=True)
'''


def _has_seg6local():
    """Whether this kernel has seg6local (CONFIG_IPV6_SEG6_LWTUNNEL): tried
    once in a scratch namespace of our own."""
    ns = "srfd-probe-%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        x = ["ip", "netns", "exec", ns]
        subprocess.run(x + ["ip", "link", "set", "lo", "up"], check=True)
        return subprocess.run(x + ["ip", "-6", "route", "add", "fc00:ffff::e/128", "encap",
                                   "seg6local", "action", "End", "dev", "lo"],
                              capture_output=True).returncode == 0
    finally:
        subprocess.run(["ip", "netns", "del", ns])


# Neighbours' SIDs are seg6local End/End.X/End.DT6 routes where the kernel
# has seg6local; without it, the kernel's own SRH processing does the same
# for these topologies (seg6_enabled: a SID that is a local address gets End,
# and the last one decapsulates), and srfdd serves its local_sid with an LWT
# BPF `in` route instead of End.BPF (SID_KIND is what srfdd calls that route).
SEG6LOCAL = _has_seg6local()
SID_KIND = "End.BPF" if SEG6LOCAL else "lwt-in"


def until(fn, timeout, step=0.02):
    """Call @fn until it returns something true or @timeout s have passed
    (at least once); its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)


def json_lines(path):
    """The JSON objects of a file written one per line by another process
    (a line still being written is skipped)."""
    out = []
    with open(path) as f:
        for line in f:
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def mono_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


@contextlib.contextmanager
def bpf_stats():
    """kernel.bpf_stats_enabled on for the block (BPF run-time figures), then
    back to what it was: it costs every BPF program two clock reads a run."""
    path = "/proc/sys/kernel/bpf_stats_enabled"
    with open(path) as f:
        old = f.read().strip()
    with open(path, "w") as f:
        f.write("1")
    try:
        yield
    finally:
        with open(path, "w") as f:
            f.write(old)


class Topo:
    def __init__(self, prefix=None):
        # short: instance names derived from it must fit in 12 characters
        self.prefix = prefix or "s%d" % os.getpid()
        self.tmp = tempfile.mkdtemp(prefix="srfd-topo.")
        self.procs = []
        self.failers = {}
        self.nodes = []
        self.instances = []     # (node, instance) of every srfdd started
        self.owner = {}         # pid -> (node, instance)
        atexit.register(self.cleanup)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    def ns(self, node):
        return "%s-%s" % (self.prefix, node)

    def run(self, node, *cmd, check=True, capture=False, **kw):
        argv = ["ip", "netns", "exec", self.ns(node)] + [str(c) for c in cmd]
        return subprocess.run(argv, check=check, text=True,
                              capture_output=capture, **kw)

    def popen(self, node, *cmd, **kw):
        argv = ["ip", "netns", "exec", self.ns(node)] + [str(c) for c in cmd]
        p = subprocess.Popen(argv, **kw)
        self.procs.append(p)
        return p

    def node(self, name):
        subprocess.run(["ip", "netns", "add", self.ns(name)], check=True)
        self.nodes.append(name)
        self.run(name, "ip", "link", "set", "lo", "up")
        for k in ("all.forwarding=1", "all.accept_dad=0", "default.accept_dad=0"):
            self.run(name, "sysctl", "-qw", "net.ipv6.conf." + k)
        if not SEG6LOCAL and name != "A":   # A runs srfd, which needs none of it
            for k in ("all.seg6_enabled=1", "default.seg6_enabled=1"):
                self.run(name, "sysctl", "-qw", "net.ipv6.conf." + k)

    def sid(self, node, sid, action, dev, nh6=None, replace=False):
        """SID @sid on @node: End, End.X (via @nh6) or End.DT6 (main table).
        Without seg6local it is an address of lo, and the kernel's own SRH
        processing does End (the next SID is routed, so End.X relies on the
        route back being via @nh6) and decapsulates at the last segment."""
        if not SEG6LOCAL:
            self.run(node, "ip", "-6", "addr", "replace", sid + "/128", "dev", "lo")
            return
        cmd = ["ip", "-6", "route", "replace" if replace else "add", sid + "/128", "encap",
               "seg6local", "action", action]
        if action == "End.X":
            cmd += ["nh6", nh6]
        if action == "End.DT6":
            cmd += ["table", "254"]
        self.run(node, *cmd, "dev", dev)

    def link(self, n1, if1, a1, n2, if2, a2):
        subprocess.run(["ip", "link", "add", if1, "netns", self.ns(n1), "type", "veth",
                        "peer", "name", if2, "netns", self.ns(n2)], check=True)
        for n, i, a in ((n1, if1, a1), (n2, if2, a2)):
            self.run(n, "ip", "-6", "addr", "add", a + "/64", "dev", i, "nodad")
            self.run(n, "ip", "link", "set", i, "up")

    def abc(self):
        """A - B - C. A monitors link A-B: probe A -> B (End.X back) -> A."""
        for n in "ABC":
            self.node(n)
        self.link("A", "a-b", "fc00:ab::1", "B", "b-a", "fc00:ab::2")
        self.link("B", "b-c", "fc00:bc::1", "C", "c-b", "fc00:bc::2")
        for n in "ABC":
            self.run(n, "ip", "-6", "addr", "add", "fc00:%s::1/128" % n.lower(), "dev", "lo")
        self.sid("B", "fc00:b::e1", "End.X", "b-a", nh6="fc00:ab::1")
        self.run("B", "ip", "-6", "route", "add", "fc00:a::/48", "via", "fc00:ab::1")
        self.run("C", "ip", "-6", "route", "add", "default", "via", "fc00:bc::1")
        self.run("A", "ip", "-6", "route", "add", "default", "via", "fc00:ab::2")
        self.resolve("A", "fc00:ab::2")

    def multilink(self, links):
        """A and B joined by @links parallel links a-b<i> / b-a<i>
        (fc00:ab:<i>::1 and ::2). A's probes over link i must come back over
        link i: with seg6local B has one End.X SID per link, fc00:b::e<i+1>
        (nh6 A's address on it); without, B has one End SID, fc00:b::e1, and
        a policy rule per link (iif b-a<i>: the route back via that link), so
        the kernel's own SRH End returns a probe where it came in. Returns
        the SID that link i's sessions use, per link."""
        for n in "AB":
            self.node(n)
        self.run("A", "ip", "-6", "addr", "add", "fc00:a::1/128", "dev", "lo")
        self.run("B", "ip", "-6", "addr", "add", "fc00:b::1/128", "dev", "lo")
        sids = []
        for i in range(links):
            a, b = "fc00:ab:%d::1" % i, "fc00:ab:%d::2" % i
            self.link("A", "a-b%d" % i, a, "B", "b-a%d" % i, b)
            if SEG6LOCAL:
                sid = "fc00:b::e%d" % (i + 1)
                self.sid("B", sid, "End.X", "b-a%d" % i, nh6=a)
            else:
                sid = "fc00:b::e1"
                if i == 0:
                    self.sid("B", sid, "End", "lo")
                self.run("B", "ip", "-6", "rule", "add", "iif", "b-a%d" % i,
                         "lookup", 100 + i, "pref", 100 + i)
                self.run("B", "ip", "-6", "route", "add", "fc00:a::/48", "via", a,
                         "dev", "b-a%d" % i, "table", 100 + i)
            sids.append(sid)
            self.resolve("A", b)
        self.run("B", "ip", "-6", "route", "add", "fc00:a::/48", "via", "fc00:ab:0::1")
        return sids

    def write_scale_conf(self, instance, n, sids, interval_us, multiplier, extra=""):
        """@n sessions spread over the multilink() links (session i on link
        i mod len(@sids)), named l<link>-<i>, through profile "p"."""
        links = len(sids)
        sess = ",\n".join(
            '  { name = "l%d-%d"; interface = "a-b%d"; neighbor = "fc00:ab:%d::2";'
            ' segments = [ "%s" ]; profile = "p"; }' % (i % links, i, i % links, i % links,
                                                       sids[i % links])
            for i in range(n))
        path = os.path.join(self.tmp, "%s-%d.conf" % (instance, n))
        with open(path, "w") as f:
            f.write('instance = "%s"; local_sid = "fc00:a::bf"; source = "fc00:a::1";\n'
                    'max_sessions = %d;\n%s'
                    'profiles = ( { name = "p"; interval_us = %d; multiplier = %d; } );\n'
                    'sessions = (\n%s\n);\n' % (instance, max(n, 1), extra, interval_us,
                                                 multiplier, sess))
        return path

    def diamond(self):
        """H1 - A, A-B-D (primary) and A-C-D (backup), D - H2.

        B and C run only kernel SRv6 (End; B also End.X back to A for
        A's probes), D decapsulates with End.DT6. Return traffic from D to
        H1 goes via C so that a failure of A-B only hits the forward path.
        """
        for n in ("H1", "A", "B", "C", "D", "H2"):
            self.node(n)
        self.link("H1", "h1-a", "fc00:1::2", "A", "a-h1", "fc00:1::1")
        self.link("A", "a-b", "fc00:ab::1", "B", "b-a", "fc00:ab::2")
        self.link("A", "a-c", "fc00:ac::1", "C", "c-a", "fc00:ac::2")
        self.link("B", "b-d", "fc00:bd::1", "D", "d-b", "fc00:bd::2")
        self.link("C", "c-d", "fc00:cd::1", "D", "d-c", "fc00:cd::2")
        self.link("D", "d-h2", "fc00:2::1", "H2", "h2-d", "fc00:2::2")
        for n in ("A", "B", "C", "D"):
            self.run(n, "ip", "-6", "addr", "add", "fc00:%s::1/128" % n.lower(), "dev", "lo")
        r = self.run
        r("H1", "ip", "-6", "route", "add", "default", "via", "fc00:1::1")
        r("H2", "ip", "-6", "route", "add", "default", "via", "fc00:2::1")
        r("A", "ip", "-6", "route", "add", "fc00:b::/48", "via", "fc00:ab::2")
        r("A", "ip", "-6", "route", "add", "fc00:c::/48", "via", "fc00:ac::2")
        self.sid("B", "fc00:b::e", "End", "b-a")
        self.sid("B", "fc00:b::e1", "End.X", "b-a", nh6="fc00:ab::1")
        self.sid("C", "fc00:c::e", "End", "c-a")
        self.sid("D", "fc00:d::d6", "End.DT6", "d-b")
        for n, via in (("B", "fc00:bd::2"), ("C", "fc00:cd::2")):
            r(n, "ip", "-6", "route", "add", "fc00:d::/48", "via", via)
            r(n, "ip", "-6", "route", "add", "fc00:2::/64", "via", via)
        for n, via in (("B", "fc00:ab::1"), ("C", "fc00:ac::1"), ("D", "fc00:cd::1")):
            r(n, "ip", "-6", "route", "add", "fc00:1::/64", "via", via)
            r(n, "ip", "-6", "route", "add", "fc00:a::/48", "via", via)
        for node, dst in (("A", "fc00:ab::2"), ("A", "fc00:ac::2"), ("H1", "fc00:1::1"),
                          ("H2", "fc00:2::1"), ("B", "fc00:bd::2"), ("C", "fc00:cd::2")):
            self.resolve(node, dst)

    def from_plan(self, plan):
        """Build a topology from a plan (bench/plans/*.json, documented in
        bench/failover.py): nodes, links, per-node setup commands, SIDs
        (End, End.X, End.DT6; without seg6local the kernel's own End) and
        neighbours to resolve first."""
        for n in plan["nodes"]:
            self.node(n)
        for link in plan["links"]:
            if len(link) != 6:
                raise ValueError("plan: a link is [node, dev, address, node, dev, address]: %r"
                                 % (link,))
            self.link(*link)
        for node, cmds in plan.get("setup", {}).items():
            if node not in plan["nodes"]:
                raise ValueError("plan: setup for unknown node %r" % node)
            for cmd in cmds:
                self.run(node, *shlex.split(cmd))
        for sid in plan.get("sids", []):
            self.sid(sid["node"], sid["sid"], sid["action"], sid["dev"], nh6=sid.get("nh6"))
        for node, dst in plan.get("resolve", []):
            self.resolve(node, dst)

    def restore_ab(self):
        """Re-create what the kernel flushed from link A-B of the diamond when
        one of its ends went down or away (addresses, routes, B's SIDs)."""
        for n, dev, a in (("A", "a-b", "fc00:ab::1"), ("B", "b-a", "fc00:ab::2")):
            self.run(n, "ip", "link", "set", dev, "up")
            self.run(n, "ip", "-6", "addr", "replace", a + "/64", "dev", dev, "nodad")
        r = self.run
        r("A", "ip", "-6", "route", "replace", "fc00:b::/48", "via", "fc00:ab::2")
        self.sid("B", "fc00:b::e", "End", "b-a", replace=True)
        self.sid("B", "fc00:b::e1", "End.X", "b-a", nh6="fc00:ab::1", replace=True)
        for dst in ("fc00:1::/64", "fc00:a::/48"):
            r("B", "ip", "-6", "route", "replace", dst, "via", "fc00:ab::1")
        self.resolve("A", "fc00:ab::2")

    def resolve(self, node, dst, tries=20):
        """Ping until @dst answers, so neighbours are resolved before a test."""
        for _ in range(tries):
            if self.run(node, "ping", "-6", "-c1", "-W0.2", dst, check=False,
                        capture=True).returncode == 0:
                return
        raise RuntimeError("%s cannot reach %s" % (node, dst))

    def write_frr_conf(self, instance, interval_us, multiplier, hold_ms=1000, hold_max_ms=None,
                       quiet_ms=None):
        extra = ""
        if hold_max_ms is not None:
            extra += " hold_down_max_ms = %d;" % hold_max_ms
        if quiet_ms is not None:
            extra += " quiet_ms = %d;" % quiet_ms
        path = os.path.join(self.tmp, instance + ".conf")
        with open(path, "w") as f:
            f.write('instance = "%s";\nlocal_sid = "fc00:a::bf";\nsource = "fc00:a::1";\n'
                    'sessions = (\n  { name = "a-b"; interface = "a-b"; neighbor = "fc00:ab::2";\n'
                    '    segments = [ "fc00:b::e1" ]; interval_us = %d; multiplier = %d; }\n);\n'
                    'prefixes = (\n  { prefix = "fc00:2::/64";\n'
                    '    primary = [ "fc00:b::e", "fc00:d::d6" ];\n'
                    '    backup = [ "fc00:c::e", "fc00:d::d6" ];\n'
                    '    guards = [ "a-b" ]; hold_down_ms = %d;%s }\n);\n'
                    % (instance, interval_us, multiplier, hold_ms, extra))
        return path

    def failer(self, node, dev):
        key = (node, dev)
        if key not in self.failers:
            self.failers[key] = self.popen(node, PY, "-c", FAILER, dev,
                                           stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, text=True)
        return self.failers[key]

    def _failer_cmd(self, node, dev, what):
        p = self.failer(node, dev)
        p.stdin.write(what + "\n")
        p.stdin.flush()
        line = p.stdout.readline().split()
        if len(line) != 3 or not line[0].isdigit():
            raise RuntimeError("nft %s on %s/%s: %s" % (what, node, dev, " ".join(line)))
        self.last_commit_realtime_ns = int(line[1])
        self.last_commit_ns = int(line[2]) - int(line[0])
        return int(line[0])

    def linkctl(self, node, op, dev):
        """Set @dev "up"/"down" or "del" it in @node; CLOCK_MONOTONIC ns just before."""
        key = (node, "linkctl")
        if key not in self.failers:
            self.failers[key] = self.popen(node, PY, "-c", LINKCTL, stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, text=True)
        p = self.failers[key]
        p.stdin.write("%s %s\n" % (op, dev))
        p.stdin.flush()
        line = p.stdout.readline().strip()
        if not line.isdigit():
            raise RuntimeError("%s %s on %s: %s" % (op, dev, node, line))
        return int(line)

    def fail(self, node="B", dev="b-a", direction="both"):
        """Silent failure; returns CLOCK_MONOTONIC ns right before the nft
        transaction (CLOCK_REALTIME of the same moment:
        self.last_commit_realtime_ns). The rules take effect somewhere in the
        transaction, which can take milliseconds on a busy machine
        (self.last_commit_ns): only its start bounds the failure from below,
        so detection times count from there (slightly pessimistic)."""
        return self._failer_cmd(node, dev, direction)

    def repair(self, node="B", dev="b-a"):
        return self._failer_cmd(node, dev, "repair")

    def write_conf(self, instance, interval_us, multiplier, extra_sessions="", session_keys=""):
        path = os.path.join(self.tmp, instance + ".conf")
        with open(path, "w") as f:
            f.write('instance = "%s";\nlocal_sid = "fc00:a::bf";\nsource = "fc00:a::1";\n'
                    'sessions = (\n  { name = "a-b"; interface = "a-b"; neighbor = "fc00:ab::2";\n'
                    '    segments = [ "fc00:b::e1" ]; interval_us = %d; multiplier = %d; %s}%s\n);\n'
                    % (instance, interval_us, multiplier, session_keys, extra_sessions))
        return path

    def srfdd(self, node, conf, *args, env=None):
        """Start srfdd on @node (its log in the topology's tmp dir); @env
        adds to the environment (e.g. NOTIFY_SOCKET)."""
        log = open(os.path.join(self.tmp, "srfdd-%s.log" % node), "a")
        if os.environ.get("SRFD_TEST_DEBUG"):
            args = args + ("-d",)
        if env is not None:
            env = dict(os.environ, **{k: v(log) if callable(v) else v for k, v in env.items()})
        p = subprocess.Popen([SRFDD, "-c", conf, "-n", self.ns(node)] + list(args),
                             stdout=log, stderr=subprocess.STDOUT, env=env)
        self.procs.append(p)
        with open(conf) as f:
            m = re.search(r'^instance\s*=\s*"([^"]+)"', f.read(), re.M)
        if m and (node, m.group(1)) not in self.instances:
            self.instances.append((node, m.group(1)))
        if m:
            self.owner[p.pid] = (node, m.group(1))
        return p

    def flush(self, node, conf=None, instance=None):
        """`srfdd --flush`: remove everything the instance owns."""
        what = ["-c", conf] if conf else ["-i", instance]
        return subprocess.run([SRFDD, "--flush", "-n", self.ns(node)] + what,
                              capture_output=True, text=True)

    def stop(self, p, timeout=5, flush=False):
        """SIGTERM @p (its kernel side stays); with @flush, remove that too."""
        rc = self._stop(p, timeout)
        if flush and p.pid in self.owner:
            node, inst = self.owner[p.pid]
            self.flush(node, instance=inst)
        return rc

    def _stop(self, p, timeout):
        if p.poll() is None:
            os.kill(p.pid, signal.SIGCONT)
            p.terminate()
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        return p.returncode

    def log(self, node):
        try:
            with open(os.path.join(self.tmp, "srfdd-%s.log" % node)) as f:
                return f.read()
        except OSError:
            return ""

    def cleanup(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGCONT)
                    p.terminate()
                    p.wait(5)
                except (subprocess.TimeoutExpired, ProcessLookupError):
                    p.kill()
        self.procs = []
        # srfdd leaves its kernel side running on stop: remove it (pins live
        # in the host's bpffs and would outlive the namespaces)
        for node, inst in self.instances:
            if node in self.nodes:
                self.flush(node, instance=inst)
        self.instances = []
        for n in self.nodes:
            subprocess.run(["ip", "netns", "del", self.ns(n)], stderr=subprocess.DEVNULL)
        self.nodes = []
        keep = os.environ.get("SRFD_TEST_LOGDIR")
        if keep:        # for a post-mortem: every srfdd log of the run
            os.makedirs(keep, exist_ok=True)
            for f in os.listdir(self.tmp):
                if f.endswith(".log"):
                    shutil.copy(os.path.join(self.tmp, f), os.path.join(keep, f))
        shutil.rmtree(self.tmp, ignore_errors=True)


def iperf3(topo, args, seconds, pin=False):
    """One iperf3 run H1 -> H2 (fc00:2::2); its JSON "end" section, or None.
    @pin puts the client on CPU 0 and the server on CPU 1."""
    cpu = (lambda c: ["-A", c]) if pin else (lambda c: [])
    srv = topo.popen("H2", "iperf3", "-s", "-1", "-p", "5201", *cpu("1"),
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    try:
        r = topo.run("H1", "iperf3", "-c", "fc00:2::2", "-p", "5201", "-t", str(seconds),
                     *cpu("0"), "-J", "--connect-timeout", "2000", *args, check=False,
                     capture=True, timeout=seconds + 20)
    except subprocess.TimeoutExpired:
        return None
    try:
        srv.wait(10)
    except subprocess.TimeoutExpired:
        srv.kill()
    try:
        return json.loads(r.stdout)["end"]
    except (ValueError, KeyError):
        return None


def ctl_json(instance, obj):
    """`srfdctl -j OBJ show` of @instance, parsed."""
    out = subprocess.run([SRFDCTL, "-i", instance, "-j", obj, "show"],
                         check=True, text=True, capture_output=True).stdout
    return json.loads(out)


def sessions(instance):
    return {s["name"]: s for s in ctl_json(instance, "session")}


def prefixes(instance):
    return {p["prefix"]: p for p in ctl_json(instance, "prefix")}


def stats(instance):
    return ctl_json(instance, "stats")


def sessions_all_up(instance, n):
    """The instance's sessions if there are @n and all are up, else None
    (also while srfdd does not answer yet): a predicate for until()."""
    try:
        ss = sessions(instance)
    except (subprocess.CalledProcessError, ValueError):
        return None
    return ss if len(ss) == n and all(x["state"] == "up" for x in ss.values()) else None


def wait_field(table, key, field, value, timeout):
    """Poll table() until table()[key][field] == value; the entry or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            e = table().get(key)
            if e and e[field] == value:
                return e
        except (subprocess.CalledProcessError, ValueError):
            pass
        time.sleep(0.02)
    return None


def wait_state(instance, name, state, timeout):
    return wait_field(lambda: sessions(instance), name, "state", state, timeout)


def wait_active(instance, prefix, active, timeout):
    return wait_field(lambda: prefixes(instance), prefix, "active", active, timeout)


def detection_trial(topo, instance, interval_us, multiplier, rng=random):
    """One failure at a random moment; returns detection time in ms or None."""
    s = wait_state(instance, "a-b", "up", 5)
    if not s:
        return None
    downs = s["downs"]
    time.sleep(rng.uniform(0, interval_us / 1e6) + 0.05)
    t_fail = topo.fail()
    bound_s = 10 * multiplier * interval_us / 1e6 + 0.5
    s = wait_state(instance, "a-b", "down", bound_s)
    topo.repair()
    if not s or s["downs"] != downs + 1:
        return None
    return (s["last_change_ns"] - t_fail) / 1e6


def percentile(values, p):
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


class Tap:
    """Minimal TAP producer so meson prints what ran."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=None):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, desc), flush=True)
        if diag:
            for line in str(diag).splitlines():
                print("# " + line, flush=True)
        return cond

    def skip(self, desc, why):
        """A check that cannot run here, and why (TAP SKIP: counted, not failed)."""
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, desc, why), flush=True)

    def diag(self, msg):
        for line in str(msg).splitlines():
            print("# " + line, flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)
        return 1 if self.failed else 0
