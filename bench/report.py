"""bench/run.py's report: one Markdown file and its PNG plots (matplotlib,
Debian python3-matplotlib, drawn without a display)."""
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def setting(row):
    us = row["interval_us"]
    return ("%g ms" % (us / 1000) if us >= 1000 else "%d us" % us) + " x 3"


def name(row):
    return {"srfd": "srfd", "bfdd": "FRR bfdd", "bird": "BIRD"}[row["system"]]


def finish(fig, ax, path, title, xlabel, ylabel, logx=True):
    """Axes labels, grid and legend as every plot here has them; save."""
    if logx:
        ax.set_xscale("log")
        ax.grid(True, which="both", alpha=0.3)
    if xlabel:
        ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def detection_table(det):
    out = ["| system | setting | n | min | median | p99 | max | missed |",
           "|---|---|---|---|---|---|---|---|"]
    for d in det:
        ok = [x for x in d["ms"] if x is not None]
        missed = len(d["ms"]) - len(ok)
        if ok:
            out.append("| %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %d |" % (
                d["system"], d["setting"], len(ok), min(ok), pct(ok, 50), pct(ok, 99),
                max(ok), missed))
        else:
            out.append("| %s | %s | 0 | - | - | - | - | %d |" % (d["system"], d["setting"],
                                                                missed))
    return out


def detection_plot(det, path):
    fig, ax = plt.subplots(figsize=(7, 4))
    for d in det:
        ok = sorted(x for x in d["ms"] if x is not None)
        if not ok:
            continue
        ys = [(i + 1) / len(ok) for i in range(len(ok))]
        ax.step(ok, ys, where="post", label="%s %s" % (d["system"], d["setting"]))
    finish(fig, ax, path, "Detection time CDF",
           "detection time after a silent failure (ms, log)", "fraction of failures")


def ladder_table(rows, rungs):
    pts = [r for r in rows if r["sessions"] == 1]
    out = ["| rung | " + " | ".join("%s %s" % (name(r), setting(r)) for r in pts) + " |",
           "|---|" + "---|" * len(pts)]
    for g in rungs:
        out.append("| %s | " % g + " | ".join(
            str(r["false_downs"].get(g, "-")) if "false_downs" in r else r.get("note", "-")
            for r in pts) + " |")
    return out


def ladder_plot(rows, rungs, path):
    pts = [r for r in rows if r["sessions"] == 1 and "false_downs" in r]
    fig, ax = plt.subplots(figsize=(7, 4))
    w = 0.8 / max(len(pts), 1)
    for i, r in enumerate(pts):
        xs = [j + i * w for j in range(len(rungs))]
        ax.bar(xs, [r["false_downs"].get(g, 0) for g in rungs], width=w,
               label="%s %s" % (name(r), setting(r)))
    ax.set_xticks([j + 0.4 - w / 2 for j in range(len(rungs))])
    ax.set_xticklabels(rungs)
    finish(fig, ax, path, "False downs on the stress ladder (one session)", None,
           "false downs per rung", logx=False)


def scale_table(rows, rungs):
    out = ["| system | setting | sessions | all up | " +
           " | ".join("false downs %s" % g for g in rungs) +
           " | CPU busy % | per session % | srfd BPF us/s | detection median / p99 ms"
           " | missed | others hurt |",
           "|---|---|---|---|" + "---|" * len(rungs) + "---|---|---|---|---|---|"]
    for r in rows:
        if "note" in r:
            out.append("| %s | %s | %d | no: %s |" % (name(r), setting(r), r["sessions"],
                                                      r["note"]) + " |" * (len(rungs) + 6))
            continue
        det = r.get("detect_ms", [])
        out.append("| %s | %s | %d | yes | %s | %.1f | %.3f | %s | %s | %d | %s |" % (
            name(r), setting(r), r["sessions"],
            " | ".join(str(r["false_downs"].get(g, "-")) for g in rungs),
            r["cpu_pct"], r["cpu_pct"] / r["sessions"],
            "%.0f" % r["bpf_us_per_s"] if "bpf_us_per_s" in r else "-",
            "%.1f / %.1f" % (pct(det, 50), pct(det, 99)) if det else "-",
            r.get("detect_missed", 0), r.get("others_hurt", "-")))
    return out


def scale_plot(rows, path):
    fig, ax = plt.subplots(figsize=(7, 4))
    series = {}
    for r in rows:
        if "cpu_pct" in r:
            series.setdefault("%s %s" % (name(r), setting(r)), []).append(
                (r["sessions"], r["cpu_pct"]))
    for lbl, pts in series.items():
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=lbl)
    finish(fig, ax, path, "CPU vs sessions at idle", "sessions (log)",
           "CPU busy, % of one core (machine, both ends)")


def write(out_dir, stem, header, det, ladder_rows, ladder_rungs, scale_rows, scale_rungs):
    os.makedirs(out_dir, exist_ok=True)
    pngs = {k: "%s-%s.png" % (stem, k) for k in ("detection", "ladder", "scale")}
    detection_plot(det, os.path.join(out_dir, pngs["detection"]))
    ladder_plot(ladder_rows, ladder_rungs, os.path.join(out_dir, pngs["ladder"]))
    scale_plot(scale_rows, os.path.join(out_dir, pngs["scale"]))
    lines = header + ["", "## Detection time", ""] + detection_table(det) + [
        "", "![detection CDF](%s)" % pngs["detection"], "",
        "## False downs on the stress ladder", ""] + ladder_table(ladder_rows, ladder_rungs) + [
        "", "![ladder](%s)" % pngs["ladder"], "",
        "## Scale", "",
        "CPU busy: what SCHED_IDLE spinners pinned to each CPU lost against a calibration "
        "on the quiet machine at the start of the run. On a shared VM the host's capacity "
        "drifts (calibrations of the same spinner differed by 2x between runs here), so "
        "small figures are noise and large ones are approximate; srfd's BPF run time "
        "(kernel statistics) is exact.", ""] + scale_table(scale_rows, scale_rungs) + [
        "", "![CPU vs sessions](%s)" % pngs["scale"], ""]
    path = os.path.join(out_dir, stem + ".md")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path, [os.path.join(out_dir, p) for p in pngs.values()]
