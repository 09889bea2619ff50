#!/usr/bin/env python3
"""scripts/allocator-table on a results.csv whose figures are known: the ratios it
prints are pool's median over the best allocator's, the best of jemalloc, mimalloc and
tcmalloc on one side and of every allocator but bump and pool on the other, and bump's
(the floor) over the best of jemalloc, mimalloc and tcmalloc; rows of
other sizes, collectors, heap factors and CPython are left out; a folder without
results.csv, and an unknown flag, are one line and exit 2.

    allocator_table_check.py SCRIPT WORKDIR
"""
import csv
import os
import subprocess
import sys

from hl_testing import check, one_line_error

script, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
fields = ["runtime", "workload", "size", "allocator", "collector", "heap_factor",
          "repetitions", "real_time_ns", "real_time_ns_ci_low", "real_time_ns_ci_high",
          "peak_rss_bytes", "minor_faults", "status"]
rows = []
def row(alloc, t, workload="cyclic_graph/random", size="1000000", collector="refcount",
        runtime="heaplab", factor="", status="ok"):
    rows.append(dict(runtime=runtime, workload=workload, size=size, allocator=alloc,
                     collector=collector, heap_factor=factor, repetitions="5",
                     real_time_ns=str(t), real_time_ns_ci_low=str(t * 0.9),
                     real_time_ns_ci_high=str(t * 1.1), peak_rss_bytes=str(80 << 20),
                     minor_faults="3", status=status))
row("pool", 180e6); row("jemalloc", 250e6); row("mimalloc", 200e6); row("tcmalloc", 210e6)
row("libc", 150e6); row("bump", 100e6)
row("pool", 90e6, workload="large_list/range"); row("tcmalloc", 100e6, workload="large_list/range")
row("mimalloc", 10e6, workload="large_list/range", status="crashed")
# rows the table must leave out
row("jemalloc", 1e6, size="1000"); row("jemalloc", 1e6, collector="rc_cycle")
row("jemalloc", 1e6, factor="2"); row("cpython", 1e6, runtime="cpython")
with open(os.path.join(work, "results.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=fields)
    w.writeheader()
    w.writerows(rows)


p = subprocess.run([script, work], capture_output=True, text=True)
out = p.stdout
check(p.returncode == 0, f"exit {p.returncode}: {p.stderr}")
check("| cyclic_graph/random | 0.90 (vs mimalloc) | 1.20 (vs libc) | 0.50 (vs mimalloc) |" in out,
      "random: pool 180 / mimalloc 200 = 0.90, / libc 150 = 1.20; bump 100 / mimalloc 200 = "
      "0.50\n" + out)
# a crashed allocator is not the best
check("| large_list/range | 0.90 (vs tcmalloc) | 0.90 (vs tcmalloc) | - |" in out,
      "range: the crashed mimalloc row is not the best; no bump row, no floor\n" + out)
check("| jemalloc | 250.0 | 225.0 to 275.0 | 80.0 | 3 | ok |" in out, "jemalloc's row\n" + out)
check(" 1.0 |" not in out and "rc_cycle" not in out, "rows of other sizes/collectors leaked in")
check(out.count("| jemalloc |") == 1, "jemalloc appears once (heap factor / size rows left out)")
check("5 invocations" in out, "invocations named")

one_line_error(subprocess.run([script, os.path.join(work, "nowhere")], capture_output=True,
                              text=True), 2, "no such file", "missing folder")
one_line_error(subprocess.run([script, work, "--frobnicate"], capture_output=True, text=True),
               2, "--frobnicate", "unknown flag")
print("allocator_table_check: ok")
