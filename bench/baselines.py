"""The baselines srfd is measured against, run in the same topologies:
FRR bfdd (Debian `frr`) and BIRD 2 (Debian `bird2`), each with N BFD
sessions between A and B over one link (N address pairs on it, one session
each; the far side runs the same daemon). Their state changes come from their
microsecond logs; the clocks are the same as the benchmark's.

FRR bfdd and BIRD both bind UDP 3784: they never run in the same namespaces
at the same time (shared/BASELINES.md).
"""
import os
import re
import shutil
import subprocess
import time
from datetime import datetime

FRR_BFDD = "/usr/lib/frr/bfdd"
BIRD = "/usr/sbin/bird"


def have(system):
    return os.path.exists({"bfdd": FRR_BFDD, "bird": BIRD}[system])


def pairs(n):
    """(A's address, B's address) of session i on link a-b."""
    return [("fc00:ab::1:%x" % i, "fc00:ab::2:%x" % i) for i in range(n)]


def add_addresses(topo, n):
    batch = {"A": [], "B": []}
    for a, b in pairs(n):
        batch["A"].append("address add %s/64 dev a-b nodad" % a)
        batch["B"].append("address add %s/64 dev b-a nodad" % b)
    for node, cmds in batch.items():
        topo.run(node, "ip", "-6", "-batch", "-", input="\n".join(cmds) + "\n")


def _wall(s, fmt):
    return int(datetime.strptime(s, fmt).timestamp() * 1e9)


class Daemon:
    """N BFD sessions A <-> B of one baseline system."""

    def __init__(self, topo, system, n, ms, mult):
        self.topo, self.system, self.n, self.ms, self.mult = topo, system, n, ms, mult
        self.dirs = {}
        os.chmod(topo.tmp, 0o755)       # FRR drops privileges
        add_addresses(topo, n)
        for node, peer_side in (("A", 1), ("B", 0)):
            self.dirs[node] = self._start(node, peer_side)

    def _start(self, node, peer_side):
        d = os.path.join(self.topo.tmp, "%s-%s" % (self.system, node))
        os.makedirs(d)
        ifname = "a-b" if node == "A" else "b-a"
        if self.system == "bfdd":
            peers = "".join(" peer %s local-address %s interface %s\n  profile p\n"
                            % (p[peer_side], p[1 - peer_side], ifname) for p in pairs(self.n))
            with open(os.path.join(d, "zebra.conf"), "w") as f:
                f.write("")
            with open(os.path.join(d, "bfdd.conf"), "w") as f:
                f.write("log file %s/log debugging\nlog timestamp precision 6\n"
                        "debug bfd peer\nbfd\n profile p\n  detect-multiplier %d\n"
                        "  receive-interval %d\n  transmit-interval %d\n%s"
                        % (d, self.mult, self.ms, self.ms, peers))
            shutil.chown(d, "frr", "frr")
            for fn in os.listdir(d):
                shutil.chown(os.path.join(d, fn), "frr", "frr")
            common = ["-z", d + "/zserv.api", "--vty_socket", d, "-A", "127.0.0.1", "-P", "0"]
            self.topo.run(node, "/usr/lib/frr/zebra", "-d", "-f", d + "/zebra.conf",
                          "-i", d + "/zebra.pid", *common)
            time.sleep(0.3)
            self.topo.run(node, FRR_BFDD, "-d", "-f", d + "/bfdd.conf", "-i", d + "/bfdd.pid",
                          "--bfdctl", d + "/bfdd.sock", *common)
        else:
            nbrs = "".join('  neighbor %s dev "%s" local %s;\n'
                           % (p[peer_side], ifname, p[1 - peer_side]) for p in pairs(self.n))
            with open(os.path.join(d, "bird.conf"), "w") as f:
                f.write('log "%s/log" all;\ntimeformat log "%%F %%T.%%6f";\n'
                        "router id 10.0.0.%d;\nprotocol device {}\n"
                        'protocol bfd b {\n  debug { states, events };\n'
                        '  interface "%s" { interval %d ms; multiplier %d; };\n'
                        "%s}\n" % (d, 1 + peer_side, ifname, self.ms, self.mult, nbrs))
            self.topo.run(node, BIRD, "-c", d + "/bird.conf", "-s", d + "/bird.ctl",
                          "-P", d + "/bird.pid")
        return d

    def _log(self, node="A"):
        try:
            with open(os.path.join(self.dirs[node], "log")) as f:
                return f.read()
        except OSError:
            return ""

    def downs(self, node="A"):
        """Wall-clock ns of every up -> down in @node's log."""
        out = []
        for line in self._log(node).splitlines():
            if self.system == "bfdd" and "state-change" in line and "up -> down" in line:
                m = re.match(r"(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6})", line)
                if m:
                    out.append(_wall(m.group(1), "%Y/%m/%d %H:%M:%S.%f"))
            elif self.system == "bird" and "from Up to Down" in line:
                m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})", line)
                if m:
                    out.append(_wall(m.group(1), "%Y-%m-%d %H:%M:%S.%f"))
        return out

    def ups(self, node="A"):
        log = self._log(node)
        if self.system == "bfdd":
            return len(re.findall(r"state-change.*-> up", log))
        return len(re.findall(r"to Up", log))

    def all_up(self, timeout):
        """Wait until every session reached Up at least once more than it
        went down (from the logs of A)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ups() - len(self.downs()) >= self.n:
                return True
            time.sleep(0.2)
        return False

    def stop(self):
        for node, d in self.dirs.items():
            for name in ("bfdd", "zebra", "bird"):
                try:
                    with open(os.path.join(d, name + ".pid")) as f:
                        os.kill(int(f.read().strip()), 15)
                except (OSError, ValueError):
                    pass
        time.sleep(0.3)


def label(system):
    return {"bfdd": "FRR bfdd", "bird": "BIRD"}[system]


def bird_version():
    r = subprocess.run([BIRD, "--version"], capture_output=True, text=True)
    return (r.stdout + r.stderr).strip()


def series(system, ms, mult, trials, rng):
    """Detection times (ms) of @trials silent failures of link A-B with one
    session of @system at @ms x @mult; None for a missed one."""
    import srfdtopo as st
    topo = st.Topo()
    out = []
    try:
        topo.abc()
        dm = Daemon(topo, system, 1, ms, mult)
        try:
            dm.all_up(15)
            for _ in range(trials):
                dm.all_up(5)
                n = len(dm.downs())
                time.sleep(rng.uniform(0, ms / 1e3) + 0.3)
                topo.fail()
                t_real = topo.last_commit_realtime_ns
                time.sleep(10 * mult * ms / 1e3 + 0.3)
                downs = dm.downs()
                topo.repair()
                out.append((downs[n] - t_real) / 1e6 if len(downs) > n else None)
        finally:
            dm.stop()
    finally:
        topo.cleanup()
    return out
