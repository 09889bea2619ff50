#!/usr/bin/env python3
"""boehm's rows report boehm's own figures (docs/collectors.md, boehm).

usage: boehm_figures.py HEAPLAB WORKDIR GROUP

Groups (one ctest entry each, tests/collectors.cmake):
  figures     cyclic_graph/pairs at n = 1000 under --allocator libc and --allocator
              pool: allocs and frees are Boehm's (at least n: one record per person),
              the same under both allocators (--allocator serves only heaplab's
              bookkeeping), allocs == frees after teardown; allocator_resident_bytes is
              libgc's heap size (a multiple of its 4 KiB blocks, at least the peak live
              bytes), the same under both; peak_live_bytes the same under both.
  heap_limit  --heap-limit applies to Boehm's heap: large_list/range at n = 10^6
              under --heap-limit 1M is a memory_error (exit 3) whose message names
              bdwgc's heap and whose bookkeeping allocator did not fail, with allocs
              past a few (Boehm was asked for the objects); n = 10^4 fits (exit 0).
python3 standard library only.
"""
import csv
import os
import subprocess
import sys

HEAPLAB, WORK, GROUP = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)
    return cond


def run(name, *args):
    row_path = os.path.join(WORK, name + ".csv")
    if os.path.exists(row_path):
        os.remove(row_path)
    p = subprocess.run([HEAPLAB, "run", "--collector", "boehm", "--row", row_path, *args],
                       capture_output=True, text=True, timeout=300)
    row = None
    if os.path.exists(row_path):
        with open(row_path, newline="") as f:
            rows = list(csv.DictReader(f))
        row = rows[0] if rows else None
    return p, row


def num(row, field):
    return float(row[field])


def figures():
    n = 1000
    rows = {}
    for alloc in ("libc", "pool"):
        p, row = run("pairs_" + alloc, "--workload", "cyclic_graph/pairs", "--size", str(n),
                     "--allocator", alloc, "--repetitions", "1")
        if not check(p.returncode == 0 and row is not None,
                     f"pairs under {alloc}: exit {p.returncode}, {p.stderr.strip()[-200:]}"):
            return
        rows[alloc] = row
        print(f"{alloc}: allocs {row['allocs']} frees {row['frees']} "
              f"resident {row['allocator_resident_bytes']} peak_live {row['peak_live_bytes']}")
        check(row["allocator"] == "bdwgc", f"{alloc}: allocator column {row['allocator']}")
        check(num(row, "allocs") >= n, f"{alloc}: allocs {row['allocs']} < n = {n}: not Boehm's")
        check(num(row, "frees") == num(row, "allocs"),
              f"{alloc}: frees {row['frees']} != allocs {row['allocs']} after teardown")
        resident = num(row, "allocator_resident_bytes")
        check(resident > 0 and resident % 4096 == 0,
              f"{alloc}: resident {resident} is not libgc's heap size (4 KiB blocks)")
        check(resident >= num(row, "peak_live_bytes"),
              f"{alloc}: resident {resident} below peak live {row['peak_live_bytes']}")
    a, b = rows["libc"], rows["pool"]
    for field in ("allocs", "frees", "allocator_resident_bytes", "peak_live_bytes"):
        check(a[field] == b[field],
              f"{field} differs with --allocator: libc {a[field]}, pool {b[field]}")


def heap_limit():
    p, row = run("limit_fail", "--workload", "large_list/range", "--size", "1e6",
                 "--heap-limit", "1M", "--repetitions", "1")
    print("n=10^6:", p.returncode, row and row["status"], row and row["error"])
    check(p.returncode == 3, f"n = 10^6 under 1M: exit {p.returncode}, not 3 (memory_error)")
    if check(row is not None, "n = 10^6 under 1M: no row"):
        check(row["status"] == "memory_error", f"status {row['status']}")
        check("bdwgc's heap" in row["error"],
              f"the MemoryError is not Boehm's heap's: {row['error']!r}")
    p, row = run("limit_fail_later", "--workload", "large_list/range", "--size", "3e4",
                 "--heap-limit", "1M", "--repetitions", "1")
    print("n=3*10^4:", p.returncode, row and row["error"], row and row["allocs"])
    if check(p.returncode == 3 and row is not None,
             f"n = 3*10^4 under 1M: exit {p.returncode}, not 3"):
        check("bdwgc's heap" in row["error"], f"not Boehm's heap: {row['error']!r}")
        check(num(row, "allocs") > 10000,
              f"failed after {row['allocs']} Boehm allocations: not Boehm's heap filling")
    p, row = run("limit_fits", "--workload", "large_list/range", "--size", "1e4",
                 "--heap-limit", "1M", "--repetitions", "1")
    check(p.returncode == 0 and row is not None and row["status"] == "ok",
          f"n = 10^4 under 1M: exit {p.returncode}, {p.stderr.strip()[-200:]}")


os.makedirs(WORK, exist_ok=True)
{"figures": figures, "heap_limit": heap_limit}[GROUP]()
if failures:
    print(f"{len(failures)} failure(s)", file=sys.stderr)
    sys.exit(1)
print("ok")
