#!/usr/bin/python3
"""srfdd as operators run it (TAP output): systemd's notify protocol, the
journal (priorities, fields; the stream fallback), the kernel floor, an
admin down that drains and survives a restart, stats clear, monitor
sequence numbers and wall-clock times, Prometheus output checked against
`-j`, and control_group access.

A - B - C (srfdtopo.abc); srfdd on A monitors link A-B and protects one
prefix. systemd itself is not PID 1 here: its two sockets (NOTIFY_SOCKET,
the journal's native socket) are played by this test.
"""
import datetime
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import srfdtopo as st  # noqa: E402

PFX = "fc00:3::/48"


class Dgram:
    """A unix datagram socket collecting what srfdd sends (notify, journal),
    drained all the time like systemd's would be."""

    def __init__(self, path):
        self.path = path
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(path)
        self.s.settimeout(0.05)
        self.got = []           # (monotonic s, text)
        self.lock = threading.Lock()
        threading.Thread(target=self.drain, daemon=True).start()

    def drain(self):
        while True:
            try:
                m = self.s.recv(65536).decode()
            except socket.timeout:
                continue
            with self.lock:
                self.got.append((time.monotonic(), m))

    def poll(self):
        with self.lock:
            return list(self.got)

    def wait(self, pred, timeout, since=0):
        """The first message from index @since on that @pred accepts."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for m in self.poll()[since:]:
                if pred(m[1]):
                    return m
            time.sleep(0.01)
        return None


def entries(journal, until=None, timeout=2.0):
    """The journal entries srfdd sent, as dicts; with @until, once one of
    them satisfies it (or @timeout passed): srfdd sent them before the state
    the test saw, but the listener thread may not have read them yet."""
    def parsed():
        return [dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
                for _, text in journal.poll()]
    if until is not None:
        st.until(lambda: any(until(e) for e in parsed()), timeout, 0.01)
    return parsed()


def answer(inst):
    """The sessions, once srfdd answers (None before)."""
    try:
        return st.sessions(inst)
    except (subprocess.CalledProcessError, ValueError):
        return None


def ctl(inst, *args):
    return subprocess.run([st.SRFDCTL, "-i", inst] + list(args), capture_output=True, text=True)


def write_conf(topo, inst, extra="", name=None):
    path = os.path.join(topo.tmp, (name or inst) + ".conf")
    with open(path, "w") as f:
        f.write('instance = "%s"; local_sid = "fc00:a::bf"; source = "fc00:a::1";\n%s\n'
                'sessions = ( { name = "a-b"; interface = "a-b"; neighbor = "fc00:ab::2";\n'
                '  segments = [ "fc00:b::e1" ]; interval_us = 10000; multiplier = 3; } );\n'
                'prefixes = ( { prefix = "%s"; primary = [ "fc00:b::e" ]; backup = [ "fc00:b::e" ];\n'
                '  guards = [ "a-b" ]; hold_down_ms = 200; } );\n' % (inst, extra, PFX))
    return path


def journal_env(journal_path, notify_path):
    """Environment of srfdd under systemd: stderr is the journal stream."""
    def stream(log):
        s = os.fstat(log.fileno())
        return "%d:%d" % (s.st_dev, s.st_ino)
    return {"JOURNAL_STREAM": stream, "SRFD_JOURNAL_SOCKET": journal_path,
            "NOTIFY_SOCKET": notify_path}


def main():
    t = st.Tap()
    topo = st.Topo()
    topo.abc()
    inst = topo.prefix + "-o"
    conf = write_conf(topo, inst, 'control_group = "nogroup";')
    notify = Dgram(os.path.join(topo.tmp, "notify"))
    journal = Dgram(os.path.join(topo.tmp, "journal"))

    # kernel floor: a missing feature (test hook) is refused in words, before
    # anything is created; with no journal socket the stream gets <N> prefixes
    env = journal_env("/nonexistent/journal", notify.path)
    env["SRFD_KERNEL_HIDE"] = "timer_abs"
    before = topo.log("A")
    p = topo.srfdd("A", conf, env=env)
    rc = p.wait(10)
    out = topo.log("A")[len(before):]
    t.ok(rc == 1 and "<3>absolute bpf_timer (BPF_F_TIMER_ABS) (Linux 6.4" in out
         and "srfd needs Linux >= 6.4" in out and not os.path.exists("/run/srfd/%s.sock" % inst)
         and not os.path.exists("/sys/fs/bpf/srfd/" + inst) and not notify.poll(),
         "a kernel without a needed feature: refused with the feature, its release and the "
         "floor (priority <3> on the journal stream), nothing created, no READY", out)
    r = subprocess.run([st.SRFDD, "--kernel-check"], capture_output=True, text=True,
                       env=dict(os.environ, SRFD_KERNEL_HIDE="fib_skip_neigh"))
    t.ok(r.returncode == 1 and re.search(r"fib_skip_neigh\s+MISSING\s+since 6.3", r.stdout)
         and re.search(r"timer_abs\s+ok", r.stdout),
         "srfdd --kernel-check lists each feature; a hidden one is MISSING (exit 1)", r.stdout)

    # a control_group that does not exist is refused
    bad = write_conf(topo, inst, 'control_group = "nosuchgroup%d";' % os.getpid(), name="bad")
    p = topo.srfdd("A", bad)
    rc = p.wait(10)
    t.ok(rc == 1 and "control_group 'nosuchgroup" in topo.log("A")
         and "no such group" in topo.log("A"), "an unknown control_group is refused")

    # under "systemd": READY once the socket answers, STATUS, journal fields
    t0 = time.monotonic()
    d = topo.srfdd("A", conf, env=journal_env(journal.path, notify.path))
    ready = notify.wait(lambda m: "READY=1" in m, 15)
    answered = ctl(inst, "version").returncode == 0 if ready else False
    t.ok(ready is not None and answered and "MAINPID=%d" % d.pid in ready[1],
         "READY=1 (MAINPID=%d) %.2f s after start, and the control socket answers at once"
         % (d.pid, (ready[0] - t0) if ready else -1), notify.got)
    up = st.wait_state(inst, "a-b", "up", 10)
    status = notify.wait(lambda m: m.startswith("STATUS=1/1 sessions up"), 5)
    t.ok(up is not None and status is not None, "STATUS tells systemd the sessions up and "
         "prefixes on backup: %r" % (status[1] if status else None), notify.got)
    es = entries(journal, lambda e: e.get("SRFD_SESSION") == "a-b" and "-> up" in e.get("MESSAGE", ""))
    upe = [e for e in es if e.get("SRFD_SESSION") == "a-b" and "-> up" in e.get("MESSAGE", "")]
    info = [e for e in es if e.get("PRIORITY") == "6"]
    t.ok(upe and upe[0].get("PRIORITY") == "6" and upe[0].get("SRFD_KERNEL_TS_NS", "").isdigit()
         and upe[0].get("SRFD_INSTANCE") == inst and upe[0].get("SYSLOG_IDENTIFIER") == "srfdd"
         and info and not re.search(r"^\d{4}-\d\d-\d\dT", upe[0].get("MESSAGE", "")),
         "journal: the session's up is PRIORITY=6 with SRFD_SESSION, SRFD_INSTANCE, "
         "SRFD_KERNEL_TS_NS and no second timestamp", upe[:1] or es[:3])
    mode = os.stat("/run/srfd/%s.sock" % inst)
    t.ok(stat.S_IMODE(mode.st_mode) == 0o660 and mode.st_gid == 65534,
         "control_group: the socket is mode 660, group nogroup (%o, gid %d)"
         % (stat.S_IMODE(mode.st_mode), mode.st_gid))

    # monitor: every event numbered and wall-clock stamped
    mon = subprocess.Popen([st.SRFDCTL, "-i", inst, "-j", "monitor"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    topo.procs.append(mon)
    time.sleep(0.3)
    topo.fail()
    down = st.wait_state(inst, "a-b", "down", 2)
    topo.repair()
    st.wait_state(inst, "a-b", "up", 3)
    st.wait_active(inst, PFX, "primary", 3)
    es = entries(journal, lambda e: e.get("SRFD_PREFIX") == PFX and "-> primary" in e.get("MESSAGE", ""))
    warn = [e for e in es if e.get("SRFD_SESSION") == "a-b" and "-> down" in e.get("MESSAGE", "")]
    t.ok(down is not None and warn and warn[0].get("PRIORITY") == "4"
         and "probes_lost" in warn[0]["MESSAGE"],
         "journal: the down is PRIORITY=4 with SRFD_SESSION=a-b and its reason",
         warn[:1] or es[-3:])
    sw = [e for e in es if e.get("SRFD_PREFIX") == PFX]
    t.ok(len(sw) >= 2, "journal: the prefix's switches carry SRFD_PREFIX=%s (%d)" % (PFX, len(sw)))

    # reload refused: an error, PRIORITY=3 (what `journalctl -p err` shows)
    with open(conf) as f:
        good = f.read()
    with open(conf, "w") as f:
        f.write(good.replace("multiplier = 3", "multiplier = 0"))
    n0 = len(notify.poll())
    os.kill(d.pid, signal.SIGHUP)
    err = None
    for _ in range(100):
        err = [e for e in entries(journal) if e.get("PRIORITY") == "3"]
        if len(err) >= 2:
            break
        time.sleep(0.02)
    with open(conf, "w") as f:
        f.write(good)
    t.ok(err and any("out of range" in e["MESSAGE"] for e in err),
         "journal: a refused reload is PRIORITY=3, naming the error", err)
    r = ctl(inst, "reload")
    # srfdd sends both datagrams before it answers; the listener thread may
    # not have read them yet when srfdctl returns
    notify.wait(lambda m: m == "READY=1", 5, since=n0)
    msgs = [m for _, m in notify.poll()[n0:]]
    t.ok(r.returncode == 0 and any(m.startswith("RELOADING=1\nMONOTONIC_USEC=") for m in msgs)
         and "READY=1" in msgs, "a reload tells systemd RELOADING=1 then READY=1", msgs)

    # disable: an in-kernel admin down that drains the prefix
    r = ctl(inst, "session", "disable", "a-b")
    s1 = st.sessions(inst)["a-b"]
    p1 = st.prefixes(inst)[PFX]
    time.sleep(0.3)
    s2 = st.sessions(inst)["a-b"]
    t.ok(r.returncode == 0 and s1["state"] == "admin_down" and s1["down_reason"] == "admin"
         and p1["active"] == "backup" and s2["probes_tx"] == s1["probes_tx"],
         "session disable: admin_down (reason admin), the prefix on its backup, no probes sent "
         "(%d then %d)" % (s1["probes_tx"], s2["probes_tx"]), r.stdout + r.stderr)
    topo.run("A", "ip", "link", "set", "a-b", "down")
    time.sleep(0.2)
    topo.run("A", "ip", "link", "set", "a-b", "up")
    topo.run("A", "ip", "-6", "addr", "replace", "fc00:ab::1/64", "dev", "a-b", "nodad")
    topo.run("A", "ip", "-6", "route", "replace", "default", "via", "fc00:ab::2")
    topo.resolve("A", "fc00:ab::2")
    time.sleep(0.3)
    s3 = st.sessions(inst)["a-b"]
    t.ok(s3["state"] == "admin_down", "a link down and up leaves a disabled session admin_down "
         "(%s)" % s3["state"])
    # srfdd dies and comes back: the operator's word stands
    os.kill(d.pid, signal.SIGKILL)
    d.wait()
    n0 = len(notify.poll())
    d = topo.srfdd("A", conf, env=journal_env(journal.path, notify.path))
    notify.wait(lambda m: "READY=1" in m, 15, since=n0)
    time.sleep(0.5)
    s4 = st.sessions(inst)["a-b"]
    p4 = st.prefixes(inst)[PFX]
    t.ok(s4["state"] == "admin_down" and p4["active"] == "backup",
         "after kill -9 and a restart the session is still admin_down, its prefix on backup")
    r = ctl(inst, "session", "enable", "a-b")
    t0 = time.monotonic()
    up = st.wait_state(inst, "a-b", "up", 3)
    t_up = time.monotonic() - t0
    back = st.wait_active(inst, PFX, "primary", 3)
    t.ok(r.returncode == 0 and up is not None and back is not None and t_up < 1.0,
         "session enable: up again in %.0f ms, the prefix back on its primary" % (t_up * 1e3),
         r.stdout + r.stderr)
    r = ctl(inst, "session", "disable", "nope")
    t.ok(r.returncode == 1 and "no session named 'nope'" in r.stderr,
         "disabling an unknown session is an error naming it", r.stderr)

    # stats clear
    before = st.stats(inst)
    r = ctl(inst, "stats", "clear")
    after = st.stats(inst)
    t.ok(r.returncode == 0 and before["probe_ok"] > 50 and after["probe_ok"] < before["probe_ok"]
         and after["probe_ok"] < 20 and after["repairs"] == 0,
         "stats clear: probe_ok %d -> %d" % (before["probe_ok"], after["probe_ok"]))

    # monitor saw it all, numbered without gaps, on the wall clock
    time.sleep(0.2)
    mon.terminate()
    out, merr = mon.communicate(timeout=5)
    evs = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    seqs = [e["seq"] for e in evs]
    now = datetime.datetime.now(datetime.timezone.utc)
    times = [datetime.datetime.strptime(e["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc) for e in evs]
    kinds = [(e["event"], e.get("state"), e.get("reason")) for e in evs]
    t.ok(len(evs) >= 4 and seqs == list(range(seqs[0], seqs[0] + len(seqs)))
         and all(abs((now - x).total_seconds()) < 60 for x in times)
         and ("state", "down", "probes_lost") in kinds
         and ("state", "admin_down", "admin") in kinds,
         "monitor: %d events, seq %s..%s without gaps, RFC 3339 times, the down and the admin "
         "down with reasons" % (len(evs), seqs[0] if seqs else "-", seqs[-1] if seqs else "-"),
         out[-1500:] + merr)

    check_prometheus(t, inst)
    check_group(t, inst)

    # SIGTERM: STOPPING=1
    n0 = len(notify.poll())
    topo.stop(d)
    t.ok(notify.wait(lambda m: "STOPPING=1" in m, 2, since=n0) is not None,
         "SIGTERM tells systemd STOPPING=1")
    topo.flush("A", instance=inst)
    check_ticker_judged(t, topo, inst)
    t.done()


def check_ticker_judged(t, topo, inst):
    """Sessions without a timer of their own (watchdog = "ticker", or past
    the kernel's timer supply): the ticker reverts their prefixes too; and a
    session disabled before it was ever up drains its prefix all the same."""
    conf = write_conf(topo, inst, 'watchdog = "ticker";', name="ticker")
    topo.fail()             # the session cannot come up
    d = topo.srfdd("A", conf)
    s0 = st.until(lambda: answer(inst), 10)
    if s0 is None:
        t.ok(False, "srfdd with watchdog = ticker starts", topo.log("A")[-2000:])
        return
    time.sleep(0.3)
    s0 = st.sessions(inst)["a-b"]
    p0 = st.prefixes(inst)[PFX]
    r = ctl(inst, "session", "disable", "a-b")
    p1 = st.prefixes(inst)[PFX]
    topo.repair()
    ctl(inst, "session", "enable", "a-b")
    up = st.wait_state(inst, "a-b", "up", 3)
    back = st.wait_active(inst, PFX, "primary", 3)
    t.ok(s0["state"] == "init" and p0["active"] == "primary" and r.returncode == 0
         and p1["active"] == "backup" and up is not None and back is not None,
         "a session disabled while still init drains its prefix (%s -> %s), which reverts "
         "once it is enabled and up" % (p0["active"], p1["active"]))
    topo.fail()
    down = st.wait_state(inst, "a-b", "down", 2)
    on_backup = st.wait_active(inst, PFX, "backup", 1)
    topo.repair()
    back = st.wait_active(inst, PFX, "primary", 3)
    t.ok(st.stats(inst)["ticker_judged"] == 1 and down is not None and on_backup is not None
         and back is not None,
         "watchdog = ticker: the ticker takes the session down, and reverts its prefix after "
         "the hold-down")
    topo.stop(d, flush=True)


# Prometheus text exposition, format 0.0.4: a strict reading
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? '
                    r'(-?[0-9.eE+]+|NaN|\+Inf|-Inf)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"')


def parse_prometheus(text):
    """{(name, frozenset(labels)): value}, or raise ValueError naming the line."""
    types, helps, seen_family, series = {}, set(), [], {}
    current = None
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("# HELP "):
            name = line.split()[2]
            if name in helps:
                raise ValueError("line %d: second HELP for %s" % (n, name))
            helps.add(name)
            continue
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split()
            if name in types or typ not in ("counter", "gauge", "untyped", "summary", "histogram"):
                raise ValueError("line %d: bad or repeated TYPE" % n)
            if typ == "counter" and not name.endswith("_total"):
                raise ValueError("line %d: counter %s does not end in _total" % (n, name))
            types[name] = typ
            current = name
            seen_family.append(name)
            continue
        m = SAMPLE.match(line)
        if not m:
            raise ValueError("line %d does not parse: %r" % (n, line))
        name = m.group(1)
        if name != current:
            raise ValueError("line %d: %s outside its family (after TYPE %s)" % (n, name, current))
        labels = frozenset(LABEL.findall(m.group(3) or ""))
        key = (name, labels)
        if key in series:
            raise ValueError("line %d: duplicate series %s" % (n, line))
        series[key] = float(m.group(4))
    if len(seen_family) != len(set(seen_family)) or helps != set(types):
        raise ValueError("families split or HELP/TYPE unpaired")
    return series


def value(series, name, **labels):
    for (n, ls), v in series.items():
        if n == name and all((k, str(x)) in ls for k, x in labels.items()):
            return v
    return None


def check_prometheus(t, inst):
    s1, p1, c1 = st.sessions(inst)["a-b"], st.prefixes(inst)[PFX], st.stats(inst)
    r = ctl(inst, "-o", "prometheus")
    s2, p2, c2 = st.sessions(inst)["a-b"], st.prefixes(inst)[PFX], st.stats(inst)
    try:
        series = parse_prometheus(r.stdout)
        err = None
    except ValueError as e:
        series, err = {}, str(e)
    t.ok(r.returncode == 0 and err is None and len(series) > 50,
         "-o prometheus parses (strict 0.0.4 reading: %d series)" % len(series), err)
    checks = [
        ("srfd_daemon_up", {}, 1, 1),
        ("srfd_session_up", dict(session="a-b"), s1["state"] == "up", s2["state"] == "up"),
        ("srfd_session_state", dict(session="a-b", state=s1["state"]), 1, 1),
        ("srfd_session_downs_total", dict(session="a-b"), s1["downs"], s2["downs"]),
        ("srfd_session_probes_sent_total", dict(session="a-b"), s1["probes_tx"], s2["probes_tx"]),
        ("srfd_session_probes_received_total", dict(session="a-b"), s1["probes_rx"],
         s2["probes_rx"]),
        ("srfd_session_detect_seconds", dict(session="a-b"), 0.03, 0.03),
        ("srfd_prefix_backup_active", dict(prefix=PFX), p1["active"] == "backup",
         p2["active"] == "backup"),
        ("srfd_prefix_switches_total", dict(prefix=PFX), p1["switches"], p2["switches"]),
        ("srfd_datapath_packets_total", dict(reason="probe_ok"), c1["probe_ok"], c2["probe_ok"]),
        ("srfd_datapath_packets_total", dict(reason="bad_mac"), c1["bad_mac"], c2["bad_mac"]),
        ("srfd_repairs_total", {}, c1["repairs"], c2["repairs"]),
        ("srfd_clock_ok", {}, c1["clock_ok"], c2["clock_ok"]),
        ("srfd_tick_seconds", {}, c1["tick_us"] / 1e6, c2["tick_us"] / 1e6),
    ]
    bad = []
    for name, labels, lo, hi in checks:
        v = value(series, name, srfd_instance=inst, **labels)
        if v is None or not (float(lo) - 1e-9 <= v <= float(hi) + 1e-9):
            bad.append("%s%s = %s, -j says %s..%s" % (name, labels, v, lo, hi))
    t.ok(r.returncode == 0 and not bad,
         "its values match -j taken just before and after (%d checks)" % len(checks),
         "\n".join(bad))


def check_group(t, inst):
    """nobody in nogroup may read; may not change; nobody outside it, nothing."""
    reader = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", st.SRFDCTL,
              "-i", inst]
    r = subprocess.run(reader + ["-j", "session", "show"], capture_output=True, text=True)
    r2 = subprocess.run(reader + ["-o", "prometheus"], capture_output=True, text=True)
    t.ok(r.returncode == 0 and json.loads(r.stdout)[0]["name"] == "a-b" and r2.returncode == 0,
         "a member of control_group (nobody:nogroup) reads sessions and metrics", r.stderr)
    r = subprocess.run(reader + ["session", "disable", "a-b"], capture_output=True, text=True)
    r2 = subprocess.run(reader + ["stats", "clear"], capture_output=True, text=True)
    t.ok(r.returncode == 1 and "only root" in r.stderr and r2.returncode == 1
         and st.sessions(inst)["a-b"]["state"] == "up",
         "... but may not disable a session or clear counters (still up)", r.stderr)
    other = ["setpriv", "--reuid=65534", "--regid=1", "--clear-groups", st.SRFDCTL, "-i", inst,
             "session", "show"]
    r = subprocess.run(other, capture_output=True, text=True)
    t.ok(r.returncode == 1 and "Permission denied" in r.stderr and r.stdout == "",
         "a user outside control_group cannot connect", r.stderr)


if __name__ == "__main__":
    sys.exit(main())
