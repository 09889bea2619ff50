#!/usr/bin/env python3
"""Heap budgets, minimum heaps and time-space sweeps (docs/collectors.md "Heap budgets",
docs/batch.md "Minimum heap").

1. `heaplab minheap` over every collector (read from `heaplab list collectors`) on a
   few workloads finds each cell's minimum heap M, written to DIR/minheap.csv with the
   largest budget seen to fail, within 2% of M.
2. For every cell: a run at 0.95 M ends in MemoryError (exit 3, status memory_error),
   one at 1.05 M completes, and no budgeted run's peak managed heap passes its budget
   (peak_live_bytes; for a collector with its own allocator, libgc's heap:
   allocator_resident_bytes). So every collector honours the budget, and the search's
   answer is right.
3. The cache survives --resume: a resumed minheap with every cell cached runs no probe
   (the file is unchanged, no "minheap ..." progress line); with one line removed it
   finds exactly that cell again, to the same 2%.
4. batch --heap-factors 1.5,3 in a fresh folder: each row's heap_limit_bytes is
   ceil(factor x M) for its cell (M read from the batch's own minheap.csv), its status
   ok, its heap_factor the factor; a time-space chart is drawn per workload, and its
   data (charts/data/time-space-<w>.dat) is the rows' real_time_ns and gc_time_ns
   divided by each panel's smallest value.

usage: minheap_check.py HEAPLAB WORKDIR
"""
import csv
import math
import os
import shutil
import sys

from hl_testing import check, run_heaplab

WORKLOADS = ["cyclic_graph/pairs", "large_list/append", "recursion/sum"]
SIZE = 3000


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def collectors(heaplab):
    proc = run_heaplab(heaplab, ["list", "collectors"], 60)
    check(proc.returncode == 0, "list collectors: exit %d" % proc.returncode)
    names = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
    check(len(names) >= 4, "list collectors printed %r" % proc.stdout)
    return names


def own_allocator_collectors(heaplab, names):
    """The collectors whose row names an allocator of their own (boehm: bdwgc)."""
    own = set()
    for c in names:
        proc = run_heaplab(heaplab, ["run", "--workload", "recursion/sum", "--size", "10",
                                     "--collector", c, "--iterations", "1", "--row", "-"], 120)
        row = next(csv.DictReader(proc.stdout.splitlines()))
        if row["allocator"] != "libc":
            own.add(c)
    return own


def budgeted_run(heaplab, work, cell, limit):
    row_path = os.path.join(work, "row.csv")
    if os.path.exists(row_path):
        os.unlink(row_path)
    proc = run_heaplab(heaplab, ["run", "--workload", cell["workload"], "--size", cell["size"],
                                 "--collector", cell["collector"], "--allocator", cell["allocator"],
                                 "--iterations", "1", "--warmup", "0", "--heap-limit", str(limit),
                                 "--row", row_path], 300)
    row = read_csv(row_path)[0] if os.path.exists(row_path) else None
    return proc, row


def main():
    heaplab, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    names = collectors(heaplab)
    own = own_allocator_collectors(heaplab, names)
    out = os.path.join(work, "mh")
    args = ["--workloads", ",".join(WORKLOADS), "--sizes", str(SIZE), "--collectors",
            ",".join(names), "--allocators", "libc", "--timelines", "none"]
    proc = run_heaplab(heaplab, ["minheap", "--out", out] + args, 900)
    check(proc.returncode == 0, "minheap: exit %d: %s" % (proc.returncode, proc.stderr[-400:]))
    cells = read_csv(os.path.join(out, "minheap.csv"))
    check(len(cells) == len(WORKLOADS) * len(names),
          "minheap.csv has %d cells, want %d" % (len(cells), len(WORKLOADS) * len(names)))
    for cell in cells:
        what = "%s/%s/%s" % (cell["workload"], cell["size"], cell["collector"])
        check(cell["status"] == "ok", "%s: status %s (%s)" % (what, cell["status"], cell["error"]))
        m, lo = int(cell["min_heap_bytes"]), int(cell["failed_bytes"])
        check(0 < lo < m <= lo * 1.02 + 1, "%s: minimum %d, failed at %d: not within 2%%" % (what, m, lo))
        check(any(line.split()[:3] == [cell["workload"], cell["size"], cell["collector"]]
                  for line in proc.stdout.splitlines() if line.strip()),
              "%s: not in minheap's table: %s" % (what, proc.stdout[:300]))
        # 2. the budget is honoured, the answer is right
        for factor, ok in ((0.95, False), (1.05, True)):
            limit = int(m * factor)
            run, row = budgeted_run(heaplab, work, cell, limit)
            if not ok:
                check(run.returncode == 3 and row is not None and row["status"] == "memory_error",
                      "%s: at 0.95 x %d = %d: exit %d, status %s (want memory_error)"
                      % (what, m, limit, run.returncode, row and row["status"]))
                continue
            check(run.returncode == 0 and row is not None and row["status"] == "ok",
                  "%s: at 1.05 x %d = %d: exit %d, %s" % (what, m, limit, run.returncode,
                                                       run.stderr.strip()[-200:]))
            peak = float(row["allocator_resident_bytes" if cell["collector"] in own
                             else "peak_live_bytes"])
            check(peak <= limit, "%s: peak managed heap %d past the budget %d" % (what, peak, limit))
            check(row["heap_limit_bytes"] == str(limit),
                  "%s: heap_limit_bytes %r, want %d" % (what, row["heap_limit_bytes"], limit))

    # 3. the cache survives --resume
    path = os.path.join(out, "minheap.csv")
    with open(path) as f:
        before = f.read()
    proc = run_heaplab(heaplab, ["minheap", "--resume", out], 300)
    check(proc.returncode == 0, "minheap --resume: exit %d: %s" % (proc.returncode, proc.stderr[-300:]))
    check("minheap " not in proc.stderr, "minheap --resume searched again: %s" % proc.stderr[-300:])
    with open(path) as f:
        check(f.read() == before, "minheap --resume rewrote a complete minheap.csv")
    lines = before.splitlines()
    dropped = lines[2]
    with open(path, "w") as f:
        f.write("\n".join(lines[:2] + lines[3:]) + "\n")
    proc = run_heaplab(heaplab, ["minheap", "--resume", out], 300)
    check(proc.returncode == 0, "minheap --resume: exit %d" % proc.returncode)
    searched = [line for line in proc.stderr.splitlines() if line.startswith("minheap ")]
    dropped_cell = dropped.split(",")
    want = "minheap %s/%s/%s" % tuple(dropped_cell[:3])
    check(len(searched) == 1 and searched[0].startswith(want + ":"),
          "after dropping %s, resume searched %r" % (want, searched))
    again = {(c["workload"], c["size"], c["collector"]): c for c in read_csv(path)}
    new = again[tuple(dropped_cell[:3])]
    check(abs(int(new["min_heap_bytes"]) - int(dropped_cell[4])) <= 0.02 * int(dropped_cell[4]) + 1,
          "the re-found minimum %s differs from %s" % (new["min_heap_bytes"], dropped_cell[4]))

    # 4. a time-space sweep
    sweep = os.path.join(work, "sweep")
    proc = run_heaplab(heaplab, ["batch", "--out", sweep, "--heap-factors", "3,1.5",
                                 "--repetitions", "2", "--reference", "none"] + args, 900)
    check(proc.returncode == 0, "batch --heap-factors: exit %d: %s" % (proc.returncode, proc.stderr[-400:]))
    minimum = {(c["workload"], c["size"], c["collector"]): int(c["min_heap_bytes"])
               for c in read_csv(os.path.join(sweep, "minheap.csv"))}
    rows = read_csv(os.path.join(sweep, "results.csv"))
    check(len(rows) == 2 * len(WORKLOADS) * len(names),
          "the sweep has %d rows, want %d" % (len(rows), 2 * len(WORKLOADS) * len(names)))
    for r in rows:
        what = "%s/%s/%s x%s" % (r["workload"], r["size"], r["collector"], r["heap_factor"])
        check(r["heap_factor"] in ("1.5", "3"), "%s: heap_factor %r" % (what, r["heap_factor"]))
        want = math.ceil(float(r["heap_factor"]) * minimum[(r["workload"], r["size"], r["collector"])])
        check(int(r["heap_limit_bytes"]) == want,
              "%s: heap_limit_bytes %s, want ceil(factor x minimum) = %d" % (what, r["heap_limit_bytes"], want))
        check(r["status"] == "ok", "%s: status %s (%s)" % (what, r["status"], r["error"]))
    for w in WORKLOADS:
        stem = "time-space-" + w.replace("/", "-")
        check(os.path.exists(os.path.join(sweep, "charts", stem + ".png")), "no chart %s" % stem)
        with open(os.path.join(sweep, "charts", "data", stem + ".dat")) as f:
            blocks = [b for b in f.read().split("\n\n\n")]
        mine = [r for r in rows if r["workload"] == w]
        for p, figure in enumerate(("real_time_ns", "gc_time_ns")):
            values = [float(r[figure]) for r in mine if float(r[figure]) > 0]
            best = min(values)
            got = []
            for block in blocks[p * len(names):(p + 1) * len(names)]:
                for line in block.strip().splitlines():
                    x, y = line.split()[:2]
                    if x != "nan":
                        got.append((float(x), float(y)))
            want = sorted((float(r["heap_factor"]), float(r[figure]) / best)
                          for r in mine if float(r[figure]) > 0)
            check(len(got) == len(want) and all(abs(a[1] - b[1]) < 1e-6 * b[1] for a, b in
                                                zip(sorted(got), want)),
                  "%s %s: the chart's points %r, the rows give %r" % (w, figure, sorted(got)[:4], want[:4]))
    print("minheap_check: %d cells, budgets honoured, cache resumed, sweep of %d rows" % (len(cells), len(rows)))


if __name__ == "__main__":
    main()
