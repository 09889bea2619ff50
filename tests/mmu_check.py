#!/usr/bin/env python3
"""The batch report's MMU chart is recomputable from the runs' pause logs.

A small batch (libc; refcount, rc_cycle, mark_sweep, boehm; two workloads, two sizes,
three invocations each) draws charts/mmu.png. For every line of the chart, each
invocation's curve in charts/data/mmu-curves.csv is recomputed here from its pause log
(runs/<slug>.i<k>.pauses.csv), independently of bench/report/mmu.c: the clock-on rows
(phase "clock") laid end to end with the gaps cut out, every pause (program and reclaim)
clipped to them and mapped onto that timeline, and for each width w the worst window
found by summing, window by window, the pauses it overlaps, over the windows that start
at a pause's start or end at a pause's end (clamped into the run). The widths must run
from the configuration's shortest pause to its shortest run in 40 log-spaced steps, the
median row must be the median of the invocations, and charts/data/mmu.dat must be the
medians. Then: the same folder with every clock row removed (a batch older than them)
draws no MMU chart and exits 0, with the pause CDF's data unchanged (the CDF ignores the
clock rows); and a pause log whose clock rows overlap is one line naming it, exit 1.

usage: mmu_check.py HEAPLAB WORKDIR
"""
import bisect
import csv
import math
import os
import shutil
import statistics
import sys

from hl_testing import check, run_heaplab

POINTS = 40


def read_log(path):
    """The clock-on intervals and the pauses (program and reclaim) of a pause log."""
    clock, pauses = [], []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            span = (int(r["start_ns"]), int(r["duration_ns"]))
            if r["phase"] == "clock":
                clock.append(span)
            elif r["phase"] in ("program", "reclaim") and span[1] > 0:
                pauses.append(span)
    return clock, pauses


def timeline(clock, pauses):
    """(run length, merged pauses [(a, b)] on the run's timeline)."""
    clock = sorted(clock)
    offsets, at = [], 0
    for start, duration in clock:
        offsets.append(at)
        at += duration
    pieces = []
    for a, d in pauses:
        b = a + d
        for (start, duration), off in zip(clock, offsets):
            lo, hi = max(a, start), min(b, start + duration)
            if hi > lo:
                pieces.append((off + lo - start, off + hi - start))
    merged = []
    for a, b in sorted(pieces):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return float(at), [(float(a), float(b)) for a, b in merged]


def paused(merged, ends, t, w):
    """Pause time in [t, t + w]: the overlaps, summed pause by pause."""
    total = 0.0
    for a, b in merged[bisect.bisect_right(ends, t):]:
        if a >= t + w:
            break
        total += min(b, t + w) - max(a, t)
    return total


def mmu(length, merged, w):
    w = min(w, length)
    last = length - w
    ends = [b for _, b in merged]
    worst = 0.0
    for a, b in merged:
        for t in (a, b - w):
            worst = max(worst, paused(merged, ends, min(max(t, 0.0), last), w))
    return min(1.0, max(0.0, (w - worst) / w))


def dat_blocks(path):
    """A gnuplot data file's blocks (separated by two blank lines), rows of words."""
    with open(path) as f:
        text = f.read()
    return [[line.split() for line in block.splitlines() if line.strip()]
            for block in text.split("\n\n\n")[:-1]]


def gp_list(script, name):
    return script.split("\n%s='" % name)[1].split("'")[0].split()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mmu_check.py HEAPLAB WORKDIR")
    heaplab, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    out = os.path.join(work, "batch")
    r = run_heaplab(heaplab, ["batch", "--out", out, "--allocators", "libc", "--collectors",
                              "refcount,rc_cycle,mark_sweep,boehm", "--workloads",
                              "recursion/sum,cyclic_graph/rings", "--sizes", "300,1000",
                              "--repetitions", "3", "--samples", "2", "--timelines", "none",
                              "--reference", "none"], 600)
    check(r.returncode == 0, "batch: exit %d: %s" % (r.returncode, r.stderr[-2000:]))
    charts = os.path.join(out, "charts")
    data = os.path.join(charts, "data")
    for ext in ("png", "svg"):
        p = os.path.join(charts, "mmu." + ext)
        check(os.path.isfile(p) and os.path.getsize(p) > 1000, "no MMU chart " + p)
    with open(os.path.join(out, "report.html")) as f:
        check("charts/mmu.png" in f.read(), "report.html does not show the MMU chart")

    curves = {}
    with open(os.path.join(data, "mmu-curves.csv"), newline="") as f:
        reader = csv.DictReader(f)
        check(reader.fieldnames == ["workload", "size", "allocator", "collector", "invocation",
                                    "window_ns", "mmu"], "mmu-curves.csv header %s"
              % reader.fieldnames)
        for row in reader:
            key = (row["workload"], row["size"], row["allocator"], row["collector"])
            curves.setdefault(key, {}).setdefault(row["invocation"], []).append(
                (float(row["window_ns"]), float(row["mmu"])))
    want_lines = {("recursion/sum", "1000", "libc", c) for c in
                  ("refcount", "rc_cycle", "mark_sweep")} | \
                 {("cyclic_graph/rings", "1000", "libc", c) for c in
                  ("refcount", "rc_cycle", "mark_sweep")}
    check(want_lines <= set(curves), "MMU curves for %s, want at least %s"
          % (sorted(curves), sorted(want_lines)))
    check(all(k[1] == "1000" for k in curves), "a curve not at the largest n: %s" % sorted(curves))
    check(any(k[3] == "boehm" and k[2] == "bdwgc" for k in curves),
          "no boehm curve on its own allocator: %s" % sorted(curves))
    chart_lo = math.inf
    runs = {}
    for key in curves:
        w, n, a, c = key
        for k in range(3):
            path = os.path.join(out, "runs", "%s_%s_%s_%s.i%d.pauses.csv"
                                % (w.replace("/", "-"), n, a, c, k))
            clock, pauses = read_log(path)
            check(clock, path + " has no clock rows")
            runs[key + (str(k),)] = timeline(clock, pauses)
            for p in runs[key + (str(k),)][1]:
                chart_lo = min(chart_lo, p[1] - p[0])
    recomputed = 0
    for key, by_inv in curves.items():
        check(sorted(by_inv) == ["0", "1", "2", "median"], "%s: invocations %s"
              % (key, sorted(by_inv)))
        mine = [runs[key + (k,)] for k in ("0", "1", "2")]
        hi = min(length for length, _ in mine)
        shortest = [b - a for _, merged in mine for a, b in merged]
        lo = min(min(shortest) if shortest else chart_lo, hi)
        widths = [x for x, _ in by_inv["median"]]
        check(len(widths) == POINTS, "%s: %d widths" % (key, len(widths)))
        check(math.isclose(widths[0], lo, rel_tol=1e-12) and widths[-1] == hi,
              "%s: widths %g..%g ns, want the shortest pause %g .. the shortest run %g"
              % (key, widths[0], widths[-1], lo, hi))
        ratios = [widths[i + 1] / widths[i] for i in range(len(widths) - 1)]
        check(max(ratios) - min(ratios) < 1e-9 * max(ratios), "%s: widths not log-spaced" % (key,))
        for k, (length, merged) in zip(("0", "1", "2"), mine):
            got = by_inv[k]
            check([x for x, _ in got] == widths, "%s invocation %s: other widths" % (key, k))
            for x, u in got:
                want = mmu(length, merged, x)
                check(abs(u - want) < 1e-9, "%s invocation %s: MMU(%g ns) %.12g, recomputed "
                      "from the pause log %.12g" % (key, k, x, u, want))
                recomputed += 1
        for j, (x, u) in enumerate(by_inv["median"]):
            want = statistics.median(by_inv[k][j][1] for k in ("0", "1", "2"))
            check(abs(u - want) < 1e-12, "%s: median MMU(%g ns) %.12g, want %.12g"
                  % (key, x, u, want))
    check(recomputed > 0, "nothing was recomputed")
    # a collector that paused is below 1 somewhere; one that never paused is 1 everywhere
    for key, by_inv in curves.items():
        paused_at_all = any(runs[key + (k,)][1] for k in ("0", "1", "2"))
        us = [u for _, u in by_inv["median"]]
        check(min(us) < 1 if paused_at_all else all(u == 1 for u in us),
              "%s: MMU %s with%s pauses" % (key, us[:3], "" if paused_at_all else "out"))

    # mmu.dat: the medians, block (panel = workload, line = collector)
    with open(os.path.join(data, "mmu.gp")) as f:
        script = f.read()
    panels, lines = gp_list(script, "panels"), gp_list(script, "lines")
    blocks = dat_blocks(os.path.join(data, "mmu.dat"))
    check(len(blocks) == len(panels) * len(lines), "mmu.dat: %d blocks for %d x %d"
          % (len(blocks), len(panels), len(lines)))
    for pi, w in enumerate(panels):
        for li, c in enumerate(lines):
            block = blocks[pi * len(lines) + li]
            key = [k for k in curves if k[0] == w and k[3] == c]
            if not key:
                check(block == [["nan", "nan"]], "%s %s: a line without a curve" % (w, c))
                continue
            med = curves[key[0]]["median"]
            check(len(block) == len(med) and all(
                math.isclose(float(x), wn / 1e6, rel_tol=1e-8) and abs(float(y) - u) < 1e-8
                for (x, y), (wn, u) in zip(block, med)), "%s %s: mmu.dat is not the median curve"
                  % (w, c))

    # without clock rows (an older batch): no MMU chart, no error, the same pause CDF
    old = os.path.join(work, "no-clock")
    shutil.copytree(out, old)
    for name in os.listdir(os.path.join(old, "runs")):
        if name.endswith(".pauses.csv"):
            path = os.path.join(old, "runs", name)
            with open(path) as f:
                kept = [line for line in f if not line.rstrip("\r\n").endswith(",clock")]
            with open(path, "w") as f:
                f.writelines(kept)
    r = run_heaplab(heaplab, ["plot", old], 300)
    check(r.returncode == 0, "plot without clock rows: exit %d: %s" % (r.returncode, r.stderr))
    check(not os.path.exists(os.path.join(old, "charts", "mmu.png")),
          "an MMU chart from pause logs without clock rows")
    with open(os.path.join(old, "charts", "data", "pauses.dat")) as f, \
            open(os.path.join(data, "pauses.dat")) as g:
        check(f.read() == g.read(), "the pause CDF changed when the clock rows went")

    # overlapping clock rows: one line naming the file, exit 1
    bad = os.path.join(out, "runs", "cyclic_graph-rings_1000_libc_mark_sweep.i1.pauses.csv")
    first = read_log(bad)[0][0]
    with open(bad, "a") as f:
        f.write("0,0,%d,%d,iteration,clock\n" % (first[0], first[1]))
    r = run_heaplab(heaplab, ["plot", out], 300)
    check(r.returncode == 1 and bad in r.stderr and "overlap" in r.stderr and
          len(r.stderr.strip().splitlines()) == 1,
          "plot over overlapping clock rows: exit %d, %r" % (r.returncode, r.stderr))
    print("mmu_check: ok (%d MMU values recomputed from the pause logs)" % recomputed)


if __name__ == "__main__":
    main()
