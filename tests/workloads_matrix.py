#!/usr/bin/env python3
"""Every workload variant x collector through `heaplab run` for one allocator.

usage: workloads_matrix.py HEAPLAB ALLOCATOR TEST_REGISTRY

Each configuration runs once (--iterations 1) at a small size and writes its results
row (--row); the test reads the row back and checks the status and the counters that
the workload and the collector promise:

- status ok, exit code 0, and a time, a peak RSS and a peak live size above zero;
- the allocator counted as many frees as allocations (teardown releases everything);
- a collector that does not reclaim cycles (refcount) never collects; one that does
  and is precise (rc_cycle, mark_sweep) leaks nothing;
- cyclic_graph under a collector that does not reclaim cycles leaks exactly its cyclic
  garbage: n objects (the leak is what is live but unreachable from the globals; pairs'
  names stay named), and nothing is collected; under one that does, at least n objects
  are collected (a conservative one, boehm: collected or reported as retained) and at
  least one collection (the timed gc.collect()) is counted;
- cycle_churn and growing_heap under a collector that does not reclaim cycles leak
  exactly their dropped cycles (n/8 requests of 32 objects; 2 objects per 100 nodes);
  under a precise one that does, nothing; gcbench and gc_traversal drop no cycle and
  leak nothing under any precise collector;
- large_list holds n references: peak live bytes >= 8n.
The workload variants come from `heaplab list workloads`, the collectors and their
properties (reclaims_cycles, conservative, own_allocator) from `TEST_REGISTRY --print`
(tests/hl_registry.py), so a new workload or collector is covered without touching this
file. A collector that brings its own allocator runs only when ALLOCATOR is the
registry's first (as a batch runs it), and its row names its own allocator.
"""
import csv
import os
import subprocess
import sys
import tempfile

import hl_registry

SIZE = 600  # not a multiple of 21: the last ring is short

# What a collector that does not reclaim cycles (refcount) leaks at size n, for the
# workloads that drop cycles beside a structure they keep (cyclic_graph drops all of it).
CYCLIC_LEAK = {
    # the churned groups, and the long-lived records their clients keep once the heap is
    # dropped (records 0..requests-1, a chain)
    "cycle_churn": lambda n: max(1, n // 8) * 32 + min(max(1, n // 8), n),
    "growing_heap": lambda n: 2 * (n // 100),
}


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
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    heaplab, allocator, registry = sys.argv[1:4]
    reg = hl_registry.read(registry)
    collectors = [c for c in reg.collectors if reg.runs_under(c, allocator)]
    failures = []
    checks = 0

    def check(cond, what):
        nonlocal checks
        checks += 1
        if not cond:
            failures.append(what)
            print("FAIL:", what, file=sys.stderr)

    names = variants(heaplab)
    check(names == [w["name"] for w in reg.workloads],
          f"`heaplab list workloads` lists {names}, the registry {reg.workloads}")
    check(allocator in [a["name"] for a in reg.allocators] and collectors,
          f"{allocator}: not in the registry, or no collector runs under it")
    with tempfile.TemporaryDirectory() as tmp:
        for workload in names:
            runs_before = checks, len(failures)
            for c in collectors:
                collector = c["name"]
                row_allocator = c["own_allocator"] or allocator
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
                                    "error", "heap_factor", "heap_limit_bytes", "host")}
                check(r["heap_factor"] == "" and r["heap_limit_bytes"] == "",
                      f"{config}: a run without --heap-limit has heap_factor "
                      f"{r['heap_factor']!r}, heap_limit_bytes {r['heap_limit_bytes']!r}")
                check(r["status"] == "ok", f"{config}: status {r['status']} {r['error']}")
                check(r["workload"] == workload and r["allocator"] == row_allocator and
                      r["collector"] == collector and int(num["size"]) == SIZE,
                      f"{config}: identity {r}")
                for figure in ("real_time_ns", "cpu_time_ns", "peak_rss_bytes",
                               "peak_live_bytes", "allocs"):
                    check(num[figure] > 0, f"{config}: {figure} = {num[figure]}")
                check(num["allocs"] == num["frees"],
                      f"{config}: {num['allocs']} allocs but {num['frees']} frees")
                if not c["reclaims_cycles"]:
                    check(num["gc_collections"] == 0 and num["objects_collected"] == 0,
                          f"{config}: collected ({num['gc_collections']} collections) but "
                          "it does not reclaim cycles")
                elif not c["conservative"]:
                    check(num["leaked_objects"] == 0 and num["leaked_bytes"] == 0,
                          f"{config}: leaked {num['leaked_objects']} objects")
                if workload.startswith("cyclic_graph/"):
                    if not c["reclaims_cycles"]:
                        expected = SIZE
                        check(num["leaked_objects"] == expected,
                              f"{config}: leaked_objects {num['leaked_objects']}, "
                              f"expected {expected}")
                        check(num["leaked_bytes"] > 0, f"{config}: leaked_bytes 0")
                    else:
                        # what a conservative collector keeps is reported as its leak
                        kept = num["leaked_objects"] if c["conservative"] else 0
                        check(num["objects_collected"] + kept >= SIZE,
                              f"{config}: objects_collected {num['objects_collected']}"
                              f" (+ {kept} retained)")
                        check(num["gc_collections"] >= 1 and num["gc_pause_total_ns"] > 0 and
                              num["gc_pause_max_ns"] >= num["gc_pause_p50_ns"] > 0,
                              f"{config}: pauses {num['gc_collections']} "
                              f"{num['gc_pause_total_ns']} {num['gc_pause_max_ns']}")
                elif workload.split("/")[0] in CYCLIC_LEAK and not c["reclaims_cycles"]:
                    expected = CYCLIC_LEAK[workload.split("/")[0]](SIZE)
                    check(num["leaked_objects"] == expected,
                          f"{config}: leaked_objects {num['leaked_objects']}, expected {expected}")
                elif not c["conservative"]:
                    check(num["leaked_objects"] == 0,
                          f"{config}: leaked {num['leaked_objects']} objects")
                if workload.startswith("large_list/"):
                    check(num["peak_live_bytes"] >= 8 * SIZE,
                          f"{config}: peak_live_bytes {num['peak_live_bytes']}")
            failed = len(failures) - runs_before[1]
            print(f"  {workload:<22} {allocator:<10} {len(collectors)} collectors: "
                  f"{checks - runs_before[0]} checks, " + ("ok" if not failed else
                                                          f"{failed} FAILED"))
    print(f"workloads_matrix {allocator}: {checks} checks, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
