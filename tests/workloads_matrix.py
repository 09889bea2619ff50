#!/usr/bin/env python3
"""Every workload variant x collector through `heaplab run` for one allocator.

usage: workloads_matrix.py HEAPLAB ALLOCATOR

Each configuration runs once (--iterations 1) at a small size and writes its results
row (--row); the test reads the row back and checks the status and the counters that
the workload and the collector promise:

- status ok, exit code 0, and a time, a peak RSS and a peak live size above zero;
- the allocator counted as many frees as allocations (teardown releases everything);
- refcount never collects; rc_cycle and mark_sweep leak nothing;
- cyclic_graph under refcount leaks exactly its cyclic garbage: n objects (the leak is
  what is live but unreachable from the globals; pairs' names stay named), and
  nothing is collected; under rc_cycle and mark_sweep at least n objects are
  collected and at least one collection (the timed gc.collect()) is counted;
- large_list holds n references: peak live bytes >= 8n.
The workloads list comes from `heaplab list workloads`, so a new workload is covered
without touching this file.
"""
import csv
import os
import subprocess
import sys
import tempfile

SIZE = 600  # not a multiple of 21: the last ring is short
COLLECTORS = ["refcount", "rc_cycle", "mark_sweep"]


def variants(heaplab):
    out = subprocess.run([heaplab, "list", "workloads"], check=True, capture_output=True,
                         text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def run(heaplab, workload, allocator, collector, row_path):
    cmd = [heaplab, "run", "--workload", workload, "--size", str(SIZE), "--allocator",
           allocator, "--collector", collector, "--iterations", "1", "--row", row_path]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return cmd, proc


def main():
    heaplab, allocator = sys.argv[1], sys.argv[2]
    failures = []
    checks = 0

    def check(cond, what):
        nonlocal checks
        checks += 1
        if not cond:
            failures.append(what)
            print("FAIL:", what, file=sys.stderr)

    names = variants(heaplab)
    check(len(names) >= 9, f"at least 9 workload variants listed, got {names}")
    with tempfile.TemporaryDirectory() as tmp:
        for workload in names:
            for collector in COLLECTORS:
                config = f"{workload} {allocator} {collector}"
                row_path = os.path.join(tmp, "row.csv")
                if os.path.exists(row_path):
                    os.unlink(row_path)
                cmd, proc = run(heaplab, workload, allocator, collector, row_path)
                check(proc.returncode == 0,
                      f"{config}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
                if not os.path.exists(row_path):
                    check(False, f"{config}: no row written ({' '.join(cmd)})")
                    continue
                with open(row_path, newline="") as f:
                    rows = list(csv.DictReader(f))
                check(len(rows) == 1, f"{config}: {len(rows)} rows")
                if not rows:
                    continue
                r = rows[0]
                num = {k: float(v) for k, v in r.items()
                       if k not in ("runtime", "workload", "allocator", "collector", "status",
                                    "error")}
                check(r["status"] == "ok", f"{config}: status {r['status']} {r['error']}")
                check(r["workload"] == workload and r["allocator"] == allocator and
                      r["collector"] == collector and int(num["size"]) == SIZE,
                      f"{config}: identity {r}")
                for figure in ("real_time_ns", "cpu_time_ns", "peak_rss_bytes",
                               "peak_live_bytes", "allocs"):
                    check(num[figure] > 0, f"{config}: {figure} = {num[figure]}")
                check(num["allocs"] == num["frees"],
                      f"{config}: {num['allocs']} allocs but {num['frees']} frees")
                if collector == "refcount":
                    check(num["gc_collections"] == 0 and num["objects_collected"] == 0,
                          f"{config}: refcount collected ({num['gc_collections']} collections)")
                else:
                    check(num["leaked_objects"] == 0 and num["leaked_bytes"] == 0,
                          f"{config}: leaked {num['leaked_objects']} objects")
                if workload.startswith("cyclic_graph/"):
                    if collector == "refcount":
                        expected = SIZE
                        check(num["leaked_objects"] == expected,
                              f"{config}: leaked_objects {num['leaked_objects']}, "
                              f"expected {expected}")
                        check(num["leaked_bytes"] > 0, f"{config}: leaked_bytes 0")
                    else:
                        check(num["objects_collected"] >= SIZE,
                              f"{config}: objects_collected {num['objects_collected']}")
                        check(num["gc_collections"] >= 1 and num["gc_pause_total_ns"] > 0 and
                              num["gc_pause_max_ns"] >= num["gc_pause_p50_ns"] > 0,
                              f"{config}: pauses {num['gc_collections']} "
                              f"{num['gc_pause_total_ns']} {num['gc_pause_max_ns']}")
                elif collector != "mark_sweep":
                    check(num["leaked_objects"] == 0,
                          f"{config}: leaked {num['leaked_objects']} objects")
                if workload.startswith("large_list/"):
                    check(num["peak_live_bytes"] >= 8 * SIZE,
                          f"{config}: peak_live_bytes {num['peak_live_bytes']}")
    print(f"workloads_matrix {allocator}: {checks} checks, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
