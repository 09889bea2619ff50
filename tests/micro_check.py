#!/usr/bin/env python3
"""The micro-benchmark programs behind scripts/microtable and scripts/churn, run small:

- heaplab-micro-collectors on the 2^20 dead tree (HEAPLAB_MICRO_ITERATIONS=1, one
  repetition): mark_sweep --sweep lazy finds every node and reports its sweep apart
  from its pause; its heap is on the allocator HEAPLAB_MICRO_ALLOCATOR names (libc when
  unset, pool when set so: each row's label), boehm's on libgc's; an allocator that
  does not exist is one line on stderr and exit 2, with nothing on stdout.
- heaplab-churn on pool for a few milliseconds: one row, named for the allocator, with
  a positive ns_per_pair; an unknown allocator is one line and exit 2.

    micro_check.py BUILD_DIR
"""
import json
import os
import subprocess
import sys

from hl_testing import check, fail, one_line_error

build = sys.argv[1]
micro = os.path.join(build, "heaplab-micro-collectors")
churn = os.path.join(build, "heaplab-churn")


def run(cmd, allocator=None):
    env = dict(os.environ, HEAPLAB_MICRO_ITERATIONS="1")
    env.pop("HEAPLAB_MICRO_ALLOCATOR", None)
    if allocator is not None:
        env["HEAPLAB_MICRO_ALLOCATOR"] = allocator
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)


def rows(done, what):
    check(done.returncode == 0, f"{what}: exit {done.returncode}: {done.stderr[-500:]}")
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        fail(f"{what}: no Google Benchmark JSON: {done.stdout[:300]!r}")
    return {b["name"].split("/")[1]: b for b in report.get("benchmarks", [])
            if b.get("run_type") == "iteration"}


def usage_error(done, what):
    """One line on stderr naming the bad allocator, exit 2, nothing on stdout."""
    one_line_error(done, 2, "no_such_allocator", what)


TREE = ["--benchmark_filter=^full_collection_tree_2e20/(mark_sweep_lazy|boehm)/",
        "--benchmark_format=json"]
for allocator, want in ((None, "libc"), ("pool", "pool")):
    what = f"HEAPLAB_MICRO_ALLOCATOR={allocator}"
    got = rows(run([micro] + TREE, allocator), what)
    check(set(got) == {"mark_sweep_lazy", "boehm"}, f"{what}: rows {sorted(got)}")
    lazy, boehm = got["mark_sweep_lazy"], got["boehm"]
    check(lazy["label"] == want, f"{what}: mark_sweep's heap on {lazy['label']!r}, want {want!r}")
    check(boehm["label"] == "libgc", f"{what}: boehm's heap on {boehm['label']!r}")
    check(lazy["found"] == 1 << 20, f"{what}: lazy sweep found {lazy['found']} of {1 << 20}")
    # the pause is the mark; the sweep, which frees every node, is reported apart
    check(lazy["sweep_ns_per_object"] > lazy["ns_per_object"],
          f"{what}: sweep {lazy['sweep_ns_per_object']} ns/object not above the "
          f"pause {lazy['ns_per_object']}")
    check(boehm.get("boehm_ns_per_object", 0) > 0, f"{what}: no libgc figure: {boehm}")

usage_error(run([micro, "--benchmark_list_tests"], "no_such_allocator"),
            "heaplab-micro-collectors, unknown allocator")
got = rows(run([churn, "pool", "--benchmark_min_time=0.01", "--benchmark_format=json"]),
           "heaplab-churn pool")
check(list(got) == ["pool"], f"heaplab-churn pool: rows {sorted(got)}")
check(got["pool"].get("ns_per_pair", 0) > 0, f"heaplab-churn pool: {got}")
usage_error(run([churn, "no_such_allocator"]), "heaplab-churn, unknown allocator")

print("micro_check: ok")
