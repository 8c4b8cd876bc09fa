#!/usr/bin/python3
"""The benchmark harness runs (TAP output): `bench/run.py --quick` against
FRR bfdd and BIRD into a temporary directory, so the harness never rots.

Checks the report, not speed claims (those live in bench/results): every
section is there with rows for every system it ran, the PNGs are PNGs,
srfd's numbers are real (all detections inside the 10 ms x 3 bound, every
scale point up with 0 false downs at idle), and the whole run stays under
3 minutes. Also: a failover plan file that is not valid is refused with the
file named.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import srfdtopo as st  # noqa: E402

BENCH = os.path.join(st.ROOT, "bench")


def main():
    t = st.Tap()
    out = tempfile.mkdtemp(prefix="srfd-bench.")
    t0 = time.monotonic()
    r = subprocess.run([st.PY, os.path.join(BENCH, "run.py"), "--quick", "--out", out],
                       capture_output=True, text=True, timeout=600)
    secs = time.monotonic() - t0
    mds = [f for f in os.listdir(out) if f.endswith(".md")]
    t.ok(r.returncode == 0 and len(mds) == 1 and secs < 180,
         "bench/run.py --quick finished in %.0f s (bound 180 s) and wrote %s" % (secs, mds),
         None if r.returncode == 0 else (r.stdout + r.stderr)[-3000:])
    if not mds:
        t.done()
        return
    md = open(os.path.join(out, mds[0])).read()
    t.diag(md)
    pngs = re.findall(r"\]\(([^)]+\.png)\)", md)
    good = [p for p in pngs if open(os.path.join(out, p), "rb").read(8) == b"\x89PNG\r\n\x1a\n"]
    t.ok(len(pngs) == 3 and len(good) == 3, "three plots, each a PNG: %s" % good)
    for sec in ("## Detection time", "## False downs on the stress ladder", "## Scale"):
        t.ok(sec in md, "report has '%s'" % sec)

    # srfd's detection rows: real values inside the 10 ms x 3 bound
    m = re.search(r"^\| srfd \| 10 ms x 3 \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| "
                  r"([\d.]+) \| (\d+) \|", md, re.M)
    t.ok(m and int(m.group(1)) >= 3 and 10 <= float(m.group(2)) and
         float(m.group(5)) <= 35 and m.group(6) == "0",
         "srfd 10 ms x 3: every failure detected within 10..35 ms (%s)"
         % (m.group(0) if m else "row missing"))
    for system, installed in (("FRR bfdd", os.path.exists("/usr/lib/frr/bfdd")),
                              ("BIRD", os.path.exists("/usr/sbin/bird"))):
        if not installed:
            t.skip("%s rows in every section" % system, "not installed")
            continue
        det_row = re.search(r"^\| %s \| 10 ms x 3 \| [1-9]" % system, md, re.M)
        ladder_col = re.search(r"^\| rung \|.*\| %s 10 ms x 3 \|" % system, md, re.M)
        scale_row = re.search(r"^\| %s \| 10 ms x 3 \| \d+ \| (yes|no)" % system, md, re.M)
        t.ok(det_row and ladder_col and scale_row,
             "%s measured side by side: detection row, ladder column, scale row" % system)
    # scale: srfd points up, no false down at idle
    rows = re.findall(r"^\| srfd \| 10 ms x 3 \| (\d+) \| (yes|no[^|]*) \| (\d+) \|", md, re.M)
    t.ok(len(rows) >= 2 and all(x[1] == "yes" and x[2] == "0" for x in rows),
         "srfd scale points all up with 0 false downs at idle: %s" % rows)

    # a user's plan that is not a plan: refused, file named, nothing built
    bad = os.path.join(out, "bad-plan.json")
    with open(bad, "w") as f:
        f.write('{"nodes": ["A"], "links": []}')
    r = subprocess.run([st.PY, os.path.join(BENCH, "failover.py"), "--plan", bad],
                       capture_output=True, text=True, timeout=60)
    t.ok(r.returncode == 2 and "bad-plan.json" in r.stderr and "missing key" in r.stderr,
         "failover.py refuses a plan without its keys, naming the file", r.stderr)
    subprocess.run(["rm", "-rf", out])
    t.done()


if __name__ == "__main__":
    main()
