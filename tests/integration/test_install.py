#!/usr/bin/python3
"""What an operator installs (TAP output): `meson install --destdir` puts
every file in place, the systemd unit passes `systemd-analyze verify`, the
man pages render without warnings, the Debian package builds with
dpkg-buildpackage and carries the same files, the config as a conffile;
then the package is installed in a fresh Debian 12 (debootstrap) booted
with systemd as PID 1 (systemd-nspawn, private network) and run the way an
operator runs it: systemctl start/reload/kill/stop, journalctl, and the
metrics timer feeding Debian's prometheus-node-exporter.

The package and container parts build nothing of the sanitizer build, so
the sanitizer pass (SRFD_QUICK=1) skips them."""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import srfdtopo as st  # noqa: E402

PAGES = ["man8/srfdd.8", "man8/srfdctl.8", "man5/srfd.conf.5"]
UNITS = ["srfd@.service", "srfd-metrics@.service", "srfd-metrics@.timer"]


def run(*argv, **kw):
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, **kw)


def build_prefix():
    out = run("meson", "introspect", "--buildoptions", st.BUILD).stdout
    m = re.search(r'"name": "prefix", "value": "([^"]+)"', out)
    return m.group(1) if m else "/usr/local"


def main():
    t = st.Tap()
    tmp = tempfile.mkdtemp(prefix="srfd-install-")
    try:
        check_install(t, tmp)
        if os.environ.get("SRFD_QUICK"):
            t.skip("the Debian package and systemd", "sanitizer pass: nothing of its build in it")
        else:
            deb = check_package(t, tmp)
            if deb:
                check_systemd(t, tmp, deb)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return t.done()


def check_install(t, tmp):
    dest = os.path.join(tmp, "dest")
    r = run("meson", "install", "-C", st.BUILD, "--destdir", dest, "--no-rebuild")
    prefix = build_prefix()
    root = dest + prefix
    etc = root + "/etc" if prefix != "/usr" else dest + "/etc"
    want = [root + "/sbin/srfdd", root + "/bin/srfdctl", etc + "/srfd/srfd.conf",
            etc + "/iproute2/rt_protos.d/srfd.conf",
            root + "/share/doc/srfd/examples/srfd-reroute.conf"]
    want += [root + "/share/man/" + p for p in PAGES]
    units = {os.path.basename(u): u for u in glob.glob(dest + "/**/srfd*@.*", recursive=True)}
    missing = [w[len(dest):] for w in want if not os.path.isfile(w)]
    missing += [u for u in UNITS if u not in units]
    t.ok(r.returncode == 0 and not missing,
         "meson install --destdir: binaries, 3 units, 3 man pages, config, rt_protos, examples",
         None if not missing else r.stderr[-800:] + " missing: %s" % missing)
    if missing:
        return
    with open(units["srfd@.service"]) as f:
        unit = f.read()
    t.ok("Type=notify" in unit and "ExecStartPre=%s/sbin/srfdd --check" % prefix in unit
         and "ExecReload=%s/bin/srfdctl -i %%i reload" % prefix in unit
         and "RuntimeDirectory=srfd" in unit and "CapabilityBoundingSet=" in unit
         and "Restart=on-failure" in unit and not re.search(r"@\w+@", unit),
         "the unit: notify, check before start, reload through srfdctl, runtime dir, "
         "capabilities, restart on failure, every @path@ substituted")
    with open(units["srfd-metrics@.service"]) as f:
        metrics = f.read()
    t.ok("ExecStart=%s/bin/srfdctl -i %%i --textfile /var/lib/prometheus/node-exporter/"
         "srfd-%%i.prom" % prefix in metrics and "CapabilityBoundingSet=\n" in metrics,
         "the metrics unit writes into node_exporter's textfile directory, with no capability")
    # verify the units as installed, their paths pointing into the destdir
    vdir = os.path.join(tmp, "verify")
    os.makedirs(vdir)
    for u in UNITS:
        with open(units[u]) as f:
            text = f.read()
        with open(os.path.join(vdir, u.replace("@", "@edge1")), "w") as f:
            f.write(text.replace(prefix + "/", root + "/"))
    env = dict(os.environ, MANPATH=root + "/share/man")
    r = run("systemd-analyze", "verify", *[os.path.join(vdir, u.replace("@", "@edge1"))
                                           for u in UNITS], env=env)
    t.ok(r.returncode == 0 and not r.stderr.strip() and not r.stdout.strip(),
         "systemd-analyze verify srfd@edge1.service, srfd-metrics@edge1.service and .timer: "
         "clean", r.stdout + r.stderr)
    for page in PAGES:
        r = run("man", "--warnings", "-l", root + "/share/man/" + page,
                env=dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8"))
        name = os.path.basename(page).rsplit(".", 1)[0]
        t.ok(r.returncode == 0 and "NAME" in r.stdout and "SEE ALSO" in r.stdout
             and name in r.stdout and not r.stderr.strip(),
             "man -l %s renders without warnings (%d lines)" % (page, r.stdout.count("\n")),
             r.stderr)


def check_package(t, tmp):
    if not shutil.which("dpkg-buildpackage") or not shutil.which("dh"):
        t.skip("dpkg-buildpackage builds the package", "debhelper is not installed")
        return
    src = os.path.join(tmp, "srfd")
    files = run("git", "-C", st.ROOT, "ls-files", "-co", "--exclude-standard").stdout.split()
    for f in files:
        if f.startswith(("build", "debian/srfd/", "obj-")) or not os.path.isfile(os.path.join(st.ROOT, f)):
            continue
        os.makedirs(os.path.dirname(os.path.join(src, f)), exist_ok=True)
        shutil.copy2(os.path.join(st.ROOT, f), os.path.join(src, f))
    r = run("dpkg-buildpackage", "-us", "-uc", "-b", cwd=src)
    debs = glob.glob(os.path.join(tmp, "srfd_*.deb"))
    ok = r.returncode == 0 and len(debs) == 1
    t.ok(ok, "dpkg-buildpackage -b builds srfd_*.deb", None if ok else (r.stdout + r.stderr)[-1500:])
    if not debs:
        return
    listing = run("dpkg-deb", "-c", debs[0]).stdout
    paths = {line.split()[-1].lstrip(".") for line in listing.splitlines()}
    want = {"/usr/sbin/srfdd", "/usr/bin/srfdctl"} | {"/lib/systemd/system/" + u for u in UNITS}
    want |= {"/etc/srfd/srfd.conf", "/etc/iproute2/rt_protos.d/srfd.conf",
             "/usr/share/man/man8/srfdd.8.gz", "/usr/share/man/man8/srfdctl.8.gz",
             "/usr/share/man/man5/srfd.conf.5.gz"}
    ctrl = os.path.join(tmp, "ctrl")
    run("dpkg-deb", "-e", debs[0], ctrl)
    conffiles = open(os.path.join(ctrl, "conffiles")).read().split() \
        if os.path.exists(os.path.join(ctrl, "conffiles")) else []
    t.ok(want <= paths and "/etc/srfd/srfd.conf" in conffiles,
         "the package holds binaries, unit, man pages and config; the config is a conffile",
         "missing %s, conffiles %s" % (sorted(want - paths), conffiles))
    info = run("dpkg-deb", "-I", debs[0]).stdout
    t.ok(re.search(r"Depends:.*libbpf1.*libev4.*iproute2", info) is not None,
         "its dependencies come from the shared libraries it links (libbpf1, libev4, ...)",
         None if re.search(r"Depends:.*libbpf1.*libev4.*iproute2", info) else info)
    return debs[0]


# Inside the container: a link eth1 to a neighbour netns whose End SID
# fc00:b::e1 sends the probes back (the kernel's own End: no seg6local needed)
LAB = r"""
set -e
w() { echo "$3" > "/proc/sys/net/ipv6/conf/$2"; }
ip netns add nb
ip link add eth1 type veth peer name b-a netns nb
w - all/forwarding 1; w - all/accept_dad 0; w - default/accept_dad 0
ip addr add fc00:ab::1/64 dev eth1 nodad; ip link set eth1 up
ip addr add fc00:a::1/128 dev lo
ip -n nb addr add fc00:ab::2/64 dev b-a nodad; ip -n nb link set b-a up; ip -n nb link set lo up
ip -n nb addr add fc00:b::e1/128 dev lo
for k in all/forwarding all/seg6_enabled default/seg6_enabled b-a/seg6_enabled; do
	ip netns exec nb sh -c "echo 1 > /proc/sys/net/ipv6/conf/$k"
done
ip -n nb route add fc00:a::/48 via fc00:ab::1
ip -6 route add default via fc00:ab::2
# the veth's carrier may take a moment: resolve the neighbour like srfdtopo does
for i in $(seq 20); do ping -6 -c1 -W0.5 fc00:ab::2 >/dev/null && exit 0; done
echo "lab: fc00:ab::2 does not answer" >&2
exit 1
"""
DEPS = "systemd,systemd-sysv,dbus,libbpf1,libev4,libconfig9,libmnl0,libnl-3-200,libnl-route-3-200," \
       "iproute2,nftables,iputils-ping,prometheus-node-exporter,curl"


def check_systemd(t, tmp, deb):
    need = [c for c in ("systemd-nspawn", "debootstrap") if not shutil.which(c)]
    if need:
        t.skip("the package under a booted systemd", "%s not installed" % ", ".join(need))
        return
    root = os.path.join(tmp, "rootfs")
    r = run("debootstrap", "--variant=minbase", "--include=" + DEPS, "bookworm", root,
            "http://deb.debian.org/debian", timeout=600)
    if r.returncode != 0:
        t.skip("the package under a booted systemd", "debootstrap failed (no mirror?): "
               + r.stdout[-200:].replace("\n", " "))
        return
    shutil.copy(deb, os.path.join(root, "root"))
    with open(os.path.join(root, "root", "lab.sh"), "w") as f:
        f.write(LAB)
    inst = "ct%d" % (os.getpid() % 100000)
    ns = subprocess.Popen(["systemd-nspawn", "-D", root, "--register=no", "--keep-unit",
                           "--private-network", "--capability=CAP_BPF,CAP_PERFMON,CAP_NET_ADMIN",
                           "--system-call-filter=bpf", "--bind=/sys/fs/bpf", "-M", inst,
                           "--console=passive", "-b"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        container(t, ns, inst, os.path.basename(deb))
    finally:
        ns.terminate()
        try:
            ns.wait(20)
        except subprocess.TimeoutExpired:
            ns.kill()
            ns.wait()
        # the pins live in the host's bpffs: what the container's srfd left
        run(st.SRFDD, "--flush", "-i", inst)


def container(t, ns, inst, deb):
    # nspawn's first child may be its short-lived helper: wait for systemd itself
    pid = st.until(lambda: (run("pgrep", "-x", "-P", str(ns.pid), "systemd").stdout.split()
                            or [None])[0], 20)
    if not pid:
        t.ok(False, "systemd boots in the container")
        return

    def sh(cmd, timeout=60):
        return run("nsenter", "-t", pid, "-a", "sh", "-c", cmd, timeout=timeout)

    state = st.until(lambda: sh("systemctl is-system-running").stdout.strip()
                     in ("running", "degraded") or None, 60)
    r = sh("sh /root/lab.sh && dpkg -i /root/%s" % deb)
    t.ok(state and r.returncode == 0, "a fresh Debian 12 booted with systemd as PID 1: "
         "dpkg -i %s" % deb, None if state and r.returncode == 0 else
         "system: %s\n%s" % (sh("systemctl is-system-running; systemctl --failed --no-pager")
                             .stdout, r.stdout + r.stderr))
    conf = "/etc/srfd/%s.conf" % inst
    sh("sed -e 's/^instance = \"default\";/instance = \"x\";/' "
       "-e 's/interface = \"a-b\";/interface = \"eth1\";/' /etc/srfd/srfd.conf > %s && "
       "echo 'control_group = \"nogroup\"; prefixes = ( { prefix = \"fc00:2::/64\"; "
       "primary = [ \"fc00:b::e1\" ]; backup = [ \"fc00:b::e1\" ]; guards = [ \"a-b\" ]; "
       "} );' >> %s" % (conf, conf))
    r = sh("systemctl start srfd@%s" % inst)

    def session():
        o = sh("srfdctl -i %s -j session" % inst)
        try:
            return json.loads(o.stdout)[0]
        except (ValueError, IndexError):
            return None

    def journal(args, want):
        """journalctl's answer once it shows @want (or after 3 s): journald
        files what srfdd sent in its own time."""
        return output_until(sh, "journalctl %s -o cat --no-pager" % args,
                            lambda o: want in o, 3)

    up = st.until(lambda: (session() or {}).get("state") == "up" or None, 5)

    # the status line follows the kernel's events within a clock check (20 ms)
    status = output_until(sh, "systemctl show -p StatusText -p ActiveState -p MainPID srfd@%s"
                          % inst, lambda o: "sessions up" in o and "StatusText=1/1" in o, 2)
    main_pid = re.search(r"MainPID=(\d+)", status)
    t.ok(r.returncode == 0 and up and "ActiveState=active" in status
         and "StatusText=1/1 sessions up, 0/1 prefixes on backup" in status,
         "systemctl start srfd@%s: active (Type=notify), its session up, systemd shows "
         "the status line" % inst, status + r.stderr)
    # the sandbox is in force while all of the above works: the five
    # capabilities (CHOWN, NET_ADMIN, NET_RAW, PERFMON, BPF), seccomp, no new
    # privileges
    proc = sh("grep -E '^(CapBnd|Seccomp|NoNewPrivs):' /proc/%s/status"
              % (main_pid.group(1) if main_pid else "0")).stdout
    t.ok(re.search(r"CapBnd:\s+000000c000003001", proc) and re.search(r"Seccomp:\s+2", proc)
         and re.search(r"NoNewPrivs:\s+1", proc),
         "srfdd runs with the unit's bounding set, a seccomp filter and no new privileges", proc)
    r = sh("setpriv --reuid=nobody --regid=nogroup --clear-groups srfdctl -i %s -o prometheus"
           % inst)
    t.ok(r.returncode == 0 and 'srfd_session_up{srfd_instance="%s",session="a-b"' % inst
         in r.stdout, "under the unit's capabilities the socket belongs to control_group: "
         "nobody:nogroup exports the metrics", r.stderr)
    sh("ip netns exec nb nft add table netdev f && ip netns exec nb nft "
       "'add chain netdev f in { type filter hook ingress device b-a priority 0; policy drop; }'")
    down = st.until(lambda: (session() or {}).get("state") == "down" or None, 3)
    sh("ip netns exec nb nft delete table netdev f")
    back = st.until(lambda: (session() or {}).get("state") == "up" or None, 3)
    j = journal("-u srfd@%s -p warning" % inst, "up -> down, probes_lost")
    jf = sh("journalctl SRFD_SESSION=a-b -o json --no-pager").stdout
    entries = [json.loads(x) for x in jf.splitlines() if x.startswith("{")]
    prio = {e.get("PRIORITY") for e in entries if "-> down" in e.get("MESSAGE", "")}
    t.ok(down and back and "up -> down, probes_lost" in j and prio == {"4"}
         and all(e.get("SRFD_KERNEL_TS_NS", "").isdigit() for e in entries),
         "a silent failure: journalctl -p warning shows the down; journalctl SRFD_SESSION=a-b "
         "finds it (PRIORITY 4, SRFD_KERNEL_TS_NS)", j[-600:] + jf[-600:])
    sh("cp %s /root/good.conf && sed -i 's/multiplier = 3;/multiplier = 0;/' %s" % (conf, conf))
    r = sh("systemctl reload srfd@%s" % inst)
    err = journal("-p err", "'multiplier' = 0 is out of range")
    sh("cp /root/good.conf %s" % conf)
    t.ok(r.returncode != 0 and "'multiplier' = 0 is out of range" in err
         and (session() or {}).get("state") == "up",
         "systemctl reload of a bad file fails, journalctl -p err names the error, the session "
         "stays up", err[-600:])
    sh("systemctl kill -s KILL srfd@%s" % inst)

    def restarted():
        m = re.search(r"MainPID=(\d+)\nActiveState=active", sh(
            "systemctl show -p MainPID -p ActiveState srfd@%s" % inst).stdout)
        return m if m and main_pid and m.group(1) not in ("0", main_pid.group(1)) else None
    again = st.until(restarted, 10)
    s = st.until(session, 5)
    adopted = journal("-u srfd@%s" % inst, "adopted").count("adopted")
    t.ok(main_pid and again and again.group(1) not in ("0", main_pid.group(1)) and s
         and s["state"] == "up" and s["downs"] == 1 and adopted >= 1,
         "kill -9: systemd restarts srfdd (Restart=on-failure), which adopts the running "
         "kernel side (the session still up, its one down kept)", str(s))
    check_metrics_timer(t, sh, inst)
    r = sh("systemctl stop srfd@%s && systemctl is-active srfd@%s; test -d /sys/fs/bpf/srfd/%s"
           % (inst, inst, inst))
    t.ok(r.returncode == 0 and "inactive" in r.stdout,
         "systemctl stop: inactive, the kernel side left protecting (pins still there)",
         r.stdout + r.stderr)
    sh("srfdd --flush -i %s" % inst)


def output_until(sh, cmd, pred, timeout):
    """@cmd's output (run by @sh) once @pred accepts it, or its last output
    after @timeout s."""
    out = ""

    def accepted():
        nonlocal out
        out = sh(cmd).stdout
        return pred(out)
    st.until(accepted, timeout)
    return out


def sample(text, name, labels):
    """The value of sample @name with exactly @labels (any order), or None."""
    for line in text.splitlines():
        m = re.match(r"(\w+)(?:\{(.*)\})? (\S+)$", line)
        if m and m.group(1) == name and dict(re.findall(r'(\w+)="([^"]*)"',
                                                         m.group(2) or "")) == labels:
            return m.group(3)
    return None


def check_metrics_timer(t, sh, inst):
    """srfd-metrics@INST.timer feeds node_exporter (Debian's package, running
    in the container); with srfdd stopped the file says srfd_daemon_up 0 and
    the timer goes on. The period is shortened to 1 s by a drop-in (an empty
    assignment resets every trigger of the timer, OnActiveSec too)."""
    prom = "/var/lib/prometheus/node-exporter/srfd-%s.prom" % inst
    sh("mkdir -p /etc/systemd/system/srfd-metrics@%s.timer.d && printf '[Timer]\\n"
       "OnUnitActiveSec=\\nOnActiveSec=1s\\nOnUnitActiveSec=1s\\n' > /etc/systemd/system/srfd-metrics@%s.timer.d/"
       "fast.conf && systemctl daemon-reload" % (inst, inst))
    r = sh("systemctl enable --now srfd-metrics@%s.timer" % inst)
    a_b = dict(srfd_instance=inst, session="a-b", interface="eth1")

    def up(text):       # node_exporter sorts the labels: compare them as sets
        return sample(text, "srfd_session_up", a_b) == "1"
    written = st.until(lambda: up(sh("cat %s" % prom).stdout) or None, 5)

    curl = "curl -sf http://127.0.0.1:9100/metrics"     # node_exporter

    def scrape():
        return sh(curl).stdout
    scraped = output_until(sh, curl, up, 10)
    perm = sh("stat -c %%a:%%U %s; ls -a /var/lib/prometheus/node-exporter" % prom).stdout
    if not written:
        perm += sh("systemctl status --no-pager srfd-metrics@%s.service srfd-metrics@%s.timer; "
                   "journalctl -o cat --no-pager -u srfd-metrics@%s.service | tail -20"
                   % (inst, inst, inst)).stdout
    t.ok(r.returncode == 0 and written and up(scraped)
         and sample(scraped, "node_textfile_scrape_error", {}) == "0"
         and sample(scraped, "srfd_daemon_up", dict(srfd_instance=inst)) == "1"
         and perm.startswith("644:root") and ".srfd-" not in perm,
         "srfd-metrics@%s.timer: node_exporter serves srfd's metrics (its textfile collector "
         "parses them: node_textfile_scrape_error 0); the file 0644, no temporary left" % inst,
         r.stderr + perm + "\n".join(x for x in scraped.splitlines()
                                      if x.startswith(("srfd_daemon", "node_textfile"))))
    sh("systemctl stop srfd@%s" % inst)
    said = st.until(lambda: sample(scrape(), "srfd_daemon_up", dict(srfd_instance=inst))
                    == "0" or None, 5)
    # (between two runs: one may be under way)
    failed = st.until(lambda: sh("systemctl is-failed srfd-metrics@%s.service" % inst)
                      .stdout.strip() == "failed" and "failed", 3)
    body = sh("cat %s" % prom).stdout
    sh("systemctl start srfd@%s" % inst)
    again = st.until(lambda: up(scrape()) or None, 10)
    t.ok(said and failed == "failed" and "srfd_session_up" not in body and again,
         "srfdd stopped: within a run node_exporter serves srfd_daemon_up 0 (no stale session "
         "figures) and the export unit is failed; srfdd back: the timer, still running, "
         "exports it again", "failed=%s\n%s" % (failed, body))
    sh("systemctl disable --now srfd-metrics@%s.timer" % inst)


if __name__ == "__main__":
    sys.exit(main())
