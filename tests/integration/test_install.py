#!/usr/bin/python3
"""What an operator installs (TAP output): `meson install --destdir` puts
every file in place, the systemd unit passes `systemd-analyze verify`, the
man pages render without warnings, and the Debian package builds with
dpkg-buildpackage and carries the same files, the config as a conffile."""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import srfdtopo as st  # noqa: E402

PAGES = ["man8/srfdd.8", "man8/srfdctl.8", "man5/srfd.conf.5"]


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
        check_package(t, tmp)
    finally:
        shutil.rmtree(tmp)
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
    units = glob.glob(dest + "/**/srfd@.service", recursive=True)
    missing = [w[len(dest):] for w in want if not os.path.isfile(w)]
    t.ok(r.returncode == 0 and not missing and len(units) == 1,
         "meson install --destdir: binaries, unit, 3 man pages, config, rt_protos, examples",
         None if not missing and len(units) == 1 else
         r.stderr[-800:] + " missing: %s units: %s" % (missing, units))
    if not units:
        return
    with open(units[0]) as f:
        unit = f.read()
    t.ok("Type=notify" in unit and "ExecStartPre=%s/sbin/srfdd --check" % prefix in unit
         and "ExecReload=%s/bin/srfdctl -i %%i reload" % prefix in unit
         and "RuntimeDirectory=srfd" in unit and "CapabilityBoundingSet=" in unit
         and "Restart=on-failure" in unit and "@" not in unit.replace("srfd@", "").replace("%i", ""),
         "the unit: notify, check before start, reload through srfdctl, runtime dir, "
         "capabilities, restart on failure, every @path@ substituted")
    # verify the unit as installed, its paths pointing into the destdir
    vdir = os.path.join(tmp, "verify")
    os.makedirs(vdir)
    with open(os.path.join(vdir, "srfd@edge1.service"), "w") as f:
        f.write(unit.replace(prefix + "/", root + "/"))
    env = dict(os.environ, MANPATH=root + "/share/man")
    r = run("systemd-analyze", "verify", os.path.join(vdir, "srfd@edge1.service"), env=env)
    t.ok(r.returncode == 0 and not r.stderr.strip() and not r.stdout.strip(),
         "systemd-analyze verify srfd@edge1.service: clean", r.stdout + r.stderr)
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
    want = {"/usr/sbin/srfdd", "/usr/bin/srfdctl", "/lib/systemd/system/srfd@.service",
            "/etc/srfd/srfd.conf", "/etc/iproute2/rt_protos.d/srfd.conf",
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
         info)


if __name__ == "__main__":
    sys.exit(main())
