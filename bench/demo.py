#!/usr/bin/python3
"""srfd demo: the embedded default configuration on a throw-away topology.

Builds namespaces A - B - C, starts srfdd on A with the embedded default
(one 1 ms x 3 session over link A-B, probes A -> B -> A through B's kernel
End.X), shows the session, injects silent failures on B (nftables drop, the
link stays up), prints how long the kernel took to declare the link down,
repairs, and removes everything.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))
import srfdtopo as st  # noqa: E402

TRIALS = int(os.environ.get("SRFD_DEMO_TRIALS", "5"))


def main():
    topo = st.Topo(prefix="srfd-demo%d" % os.getpid())
    inst = "demo%d" % os.getpid()
    print("== building namespaces %s-{A,B,C}: A-B-C, B runs only kernel End.X" % topo.prefix)
    topo.abc()
    print("== starting srfdd on A with the embedded default config (1 ms x 3)")
    d = subprocess.Popen([st.SRFDD, "--default-config", "-i", inst, "-n", topo.ns("A")],
                         stderr=subprocess.PIPE, text=True)
    topo.procs.append(d)
    if not st.wait_state(inst, "a-b", "up", 5):
        d.terminate()
        print(d.stderr.read())
        print("session did not come up")
        return 1
    mon = subprocess.Popen([st.SRFDCTL, "-i", inst, "monitor"], stdout=subprocess.PIPE, text=True)
    topo.procs.append(mon)
    time.sleep(0.2)
    subprocess.run([st.SRFDCTL, "-i", inst, "session", "show"])

    results = []
    for i in range(TRIALS):
        det = st.detection_trial(topo, inst, 1000, 3)
        results.append(det)
        print("== trial %d: silent failure of link A-B detected in %s" %
              (i + 1, "%.2f ms" % det if det is not None else "NOT detected"))
        st.wait_state(inst, "a-b", "up", 2)
    ok = [r for r in results if r is not None]
    print("== kernel state changes streamed by `srfdctl monitor`:")
    mon.terminate()
    print(mon.communicate()[0].rstrip())
    subprocess.run([st.SRFDCTL, "-i", inst, "session", "show"])
    if ok:
        print("== detection over %d failures at 1 ms x 3: min %.2f  median %.2f  max %.2f ms"
              " (bound: 3 ms after the last good probe)" %
              (len(ok), min(ok), st.percentile(ok, 50), max(ok)))
    topo.stop(d)
    print("== srfdd log:")
    print(d.stderr.read().rstrip())
    topo.cleanup()
    print("== cleaned up")
    return 0 if len(ok) == TRIALS else 1


if __name__ == "__main__":
    sys.exit(main())
