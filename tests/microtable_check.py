#!/usr/bin/env python3
"""scripts/microtable against a stand-in for heaplab-micro-collectors whose figures are
known: the settings it passes (one collection per repetition, the allocator, the
repetitions, the filter), each cell's median and min-max over the repetitions, a
failed repetition left out, a benchmark the binary lacks shown as a dash, a row with
no figure at all left out; and one line on stderr with a non-zero exit for a missing
binary, a binary that fails, a binary that does not write JSON and a bad count.

    microtable_check.py SCRIPT WORKDIR
"""
import json
import os
import subprocess
import sys

from hl_testing import check, one_line_error

script, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
record = os.path.join(work, "called.json")

# Per repetition; rc_cycle's dead tree 2^20 has a failed repetition (999) to leave out.
FIGURES = {
    ("full_collection_tree_2e20", "rc_cycle", "ns_per_object"): [12.0, 10.0, 30.0],
    ("full_collection_tree", "rc_cycle", "ns_per_object"): [150.0, 140.0, 160.0],
    ("full_collection", "rc_cycle", "ns_per_object"): [0.5, 0.25, 0.75],
    ("full_collection_tree_2e20", "mark_sweep_lazy", "ns_per_object"): [2.0, 2.0, 2.0],
    ("full_collection_tree_2e20", "mark_sweep_lazy", "sweep_ns_per_object"): [7.0, 8.0, 9.0],
}


def fake(mode):
    """Writes the stand-in binary: a Python program that records its argv and settings,
    then behaves as `mode` says."""
    benchmarks = []
    for (family, collector, counter), values in FIGURES.items():
        for v in values:
            b = {"run_name": f"{family}/{collector}", "run_type": "iteration", counter: v}
            benchmarks.append(b)
    benchmarks.append({"run_name": "full_collection_tree_2e20/rc_cycle", "run_type": "iteration",
                       "error_occurred": True, "ns_per_object": 999.0})
    benchmarks.append({"run_name": "full_collection_tree_2e20/rc_cycle", "run_type": "aggregate",
                       "ns_per_object": 555.0})
    report = {"context": {"host_name": "testhost", "num_cpus": 7}, "benchmarks": benchmarks}
    folder = os.path.join(work, mode)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "heaplab-micro-collectors")
    with open(path, "w") as f:
        f.write(f"""#!{sys.executable}
import json, os, sys
json.dump({{"argv": sys.argv[1:], "iterations": os.environ.get("HEAPLAB_MICRO_ITERATIONS"),
           "allocator": os.environ.get("HEAPLAB_MICRO_ALLOCATOR")}}, open({record!r}, "w"))
mode = {mode!r}
if mode == "fails":
    print("first line", file=sys.stderr)
    print("collectors: cannot make the heap", file=sys.stderr)
    sys.exit(3)
if mode == "garbage":
    print("not json")
    sys.exit(0)
json.dump({report!r}, sys.stdout)
""")
    os.chmod(path, 0o755)
    return folder


def run(*args):
    return subprocess.run([script, *args], capture_output=True, text=True)


good = fake("good")
p = run("--build", good, "--repetitions", "3", "--allocator", "pool", "--no-cpython")
out = p.stdout
check(p.returncode == 0, f"exit {p.returncode}: {p.stderr}")
called = json.load(open(record)) if os.path.exists(record) else {}
check(called.get("iterations") == "1", f"one collection per repetition: {called}")
check(called.get("allocator") == "pool", f"the allocator reaches the binary: {called}")
argv = called.get("argv", [])
check("--benchmark_repetitions=3" in argv and "--benchmark_filter=^full_collection" in argv
      and "--benchmark_format=json" in argv, f"the binary's flags: {argv}")
check("median of 3 repetitions" in out and "heaps on pool" in out and "testhost, 7 CPUs" in out,
      "the heading names repetitions, allocator and host\n" + out)
# median 12 of 10, 12, 30 (the failed 999 and the aggregate 555 left out); 150 of
# 140..160; 0.5 of 0.25..0.75 (three significant digits); the live trees and 2^22 for
# mark_sweep_lazy are not in the binary's output: dashes.
check("| rc_cycle | 12.0 (10.0–30.0) | 150 (140–160) | — | — | 0.500 (0.250–0.750) |" in out,
      "rc_cycle's row\n" + out)
check("| mark_sweep --sweep lazy (pause: mark) | 2.00 (2.00–2.00) | — | — | — | — |" in out,
      "the lazy pause row\n" + out)
check("| mark_sweep --sweep lazy (sweep, after the pause) | 8.00 (7.00–9.00) |" in out,
      "the lazy sweep row, from its own counter\n" + out)
check("cpython_inc" not in out and "boehm" not in out.split("\n", 2)[2] and "CPython" not in out,
      "rows without a figure, and CPython under --no-cpython, are left out\n" + out)

one_line_error(run("--build", os.path.join(work, "nowhere"), "--no-cpython"), 1,
               "no benchmark binary", "missing binary")
one_line_error(run("--build", fake("fails"), "--no-cpython"), 1,
               "exited with 3: collectors: cannot make the heap", "failing binary")
one_line_error(run("--build", fake("garbage"), "--no-cpython"), 1,
               "did not write Google Benchmark JSON", "binary without JSON")
one_line_error(run("--build", good, "--repetitions", "0", "--no-cpython"), 2,
               "--repetitions", "zero repetitions")
one_line_error(run("--build", good, "--repetitions", "many", "--no-cpython"), 2,
               "--repetitions", "a count that is not a number")
one_line_error(run("--build", good, "--frobnicate"), 2, "--frobnicate", "an unknown flag")
one_line_error(run("--build", good, "--python", os.path.join(work, "no-python")), 1,
               "--python: no program", "missing CPython")

print("microtable_check: ok")
