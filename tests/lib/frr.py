"""FRR daemons inside a test namespace (Debian 12's frr, no systemd): each
node gets its own directory (owned by frr, outside the 0700 topology tmp)
with configs, pid files, the zebra API socket and the vty sockets. Daemons
are ended by PID (stop()); the directory goes with them."""
import json
import os
import shutil
import signal
import tempfile
import time

LIB = "/usr/lib/frr"


def installed():
    return os.path.exists(LIB + "/zebra") and shutil.which("vtysh") is not None


class Frr:
    def __init__(self, topo, node):
        self.topo, self.node = topo, node
        self.dir = tempfile.mkdtemp(prefix="srfd-frr-%s." % node)
        shutil.chown(self.dir, "frr", "frr")
        self.pids = []

    def _conf(self, name, text):
        path = os.path.join(self.dir, name + ".conf")
        with open(path, "w") as f:
            f.write(text)
        shutil.chown(path, "frr", "frr")
        return path

    def start(self, daemon, conf, *extra):
        """Start @daemon (zebra first) with @conf text; returns its pid."""
        path = self._conf(daemon, "hostname %s\nlog file %s/%s.log debugging\n"
                          "log timestamp precision 6\n%s" % (self.node, self.dir, daemon, conf))
        pidf = os.path.join(self.dir, daemon + ".pid")
        self.topo.run(self.node, os.path.join(LIB, daemon), "-d", "-f", path, "-i", pidf,
                      "-z", os.path.join(self.dir, "zserv.api"), "--vty_socket", self.dir,
                      "-A", "127.0.0.1", "-P", "0", *extra)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with open(pidf) as f:
                    pid = int(f.read().strip())
                self.pids.append(pid)
                return pid
            except (OSError, ValueError):
                time.sleep(0.02)
        raise RuntimeError("%s did not start on %s" % (daemon, self.node))

    def vtysh(self, *cmds):
        argv = ["vtysh", "--vty_socket", self.dir]
        for c in cmds:
            argv += ["-c", c]
        return self.topo.run(self.node, *argv, check=False, capture=True).stdout

    def json(self, cmd):
        try:
            return json.loads(self.vtysh(cmd))
        except ValueError:
            return None

    def log(self, daemon):
        try:
            with open(os.path.join(self.dir, daemon + ".log")) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        for pid in reversed(self.pids):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 3
        for pid in self.pids:
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                    time.sleep(0.02)
                except ProcessLookupError:
                    break
        self.pids = []
        shutil.rmtree(self.dir, ignore_errors=True)
