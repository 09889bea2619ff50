#!/usr/bin/env python3
"""Tests of the CPython reference rows (scripts/reference/cpython_workloads.py).

    python3 tests/test_reference.py --script PATH [--source-dir DIR] [--heaplab PATH]

Runs the script with this same interpreter and checks: `--variants` lists exactly the
variants of the script's own dispatch table (its WORKLOADS, read by importing the
script), each once, and each is a heaplab variant (`heaplab list workloads`, with
--heaplab); every variant it lists, at a tiny size, gives a row of the results schema
with plausible figures; the CSV header is
heaplab's (the real `heaplab run --row` when --heaplab is given, and always the order
bench/report/results.h states); the Google Benchmark JSON parses and has the fields;
RecursionError, MemoryError and bad arguments give their status and exit codes. Exits 1
when any check fails. The variants come from the script itself, never from a list here,
so a variant the script gains or loses needs no change to this file.
"""

import csv
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

FAILURES = []
CHECKS = [0]


def check(condition, message):
    CHECKS[0] += 1
    if not condition:
        FAILURES.append(message)
        sys.stderr.write("FAIL: %s\n" % message)
    return condition


# Every variant's tiny size: odd (cyclic_graph/pairs: the last Person is its own
# partner) and not a multiple of 21 (cyclic_graph/rings: 14 rings of 21 and one of 7).
TINY = 301
FIGURES = (
    "real_time_ns", "cpu_time_ns", "gc_time_ns", "mutator_time_ns", "peak_rss_bytes",
    "baseline_rss_bytes", "peak_live_bytes", "allocator_resident_bytes", "minor_faults",
    "major_faults", "allocs", "frees", "gc_collections",
    "gc_pause_total_ns", "gc_pause_max_ns", "gc_pause_p50_ns", "gc_pause_p99_ns",
    "objects_collected", "leaked_objects", "leaked_bytes",
)
RUNTIME = "cpython-%d.%d" % sys.version_info[:2]


class Context:
    def __init__(self, script, source_dir, heaplab, tmp):
        self.script, self.source_dir, self.heaplab, self.tmp = script, source_dir, heaplab, tmp
        self.counter = 0
        self.variants = []  # what --variants lists (test_variants)
        self.table = {}     # the script's dispatch table: variant -> (fn, sizes, must_collect)

    def path(self, suffix):
        self.counter += 1
        return os.path.join(self.tmp, "out%d.%s" % (self.counter, suffix))

    def run(self, *args, timeout=300):
        return subprocess.run([sys.executable, self.script] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=timeout)


def read_row(path):
    with open(path, newline="") as f:
        text = f.read()
    rows = list(csv.reader(io.StringIO(text)))
    return text, rows


def expected_header_from_sources(source_dir):
    """The header bench/report/results_csv.c writes, read from its text: HL_CSV_IDENTITY, the
    figures of HL_RESULT_FIGURES (bench/report/results.h), the <figure>_ci_low/_ci_high
    bounds of HL_RESULT_INTERVALS, HL_CSV_TAIL. None (and a failed
    check) when the text no longer has that shape: then read --heaplab's header."""
    try:
        with open(os.path.join(source_dir, "bench", "report", "results.h")) as f:
            results_h = f.read()
        with open(os.path.join(source_dir, "bench", "report", "results_csv.c")) as f:
            results_c = f.read()
    except OSError as exc:
        check(False, "cannot read bench/report/results.h or bench/report/results_csv.c: %s" % exc)
        return None
    block = results_h[results_h.index("#define HL_RESULT_FIGURES"):]
    figures = re.findall(r"X\((\w+)\)", block[:block.index("#define HL_RESULT_INTERVALS")])
    block = results_h[results_h.index("#define HL_RESULT_INTERVALS"):]
    intervals = re.findall(r"X\((\w+)\)", block[:block.index("#define HL_RESULT_COUNT_ONE")])
    identity = re.search(r'#define HL_CSV_IDENTITY "([^"]*)"', results_c)
    tail = re.search(r'#define HL_CSV_TAIL "([^"]*)"', results_c)
    if not check(identity and tail and tuple(figures) == FIGURES and intervals,
                 "bench/report/results_csv.c/results.h no longer spell the header as HL_CSV_IDENTITY, "
                 "HL_RESULT_FIGURES, HL_RESULT_INTERVALS, HL_CSV_TAIL: update this test"):
        return None
    bounds = ["%s_ci_%s" % (name, end) for name in intervals for end in ("low", "high")]
    return identity.group(1).split(",") + figures + bounds + tail.group(1).split(",")


def heaplab_header(ctx):
    """The header line `heaplab run --row` writes (hl_results_write_csv_header)."""
    out = ctx.path("csv")
    proc = subprocess.run([ctx.heaplab, "run", "--workload", "large_list/repeat", "--size", "10",
                           "--allocator", "libc", "--collector", "refcount", "--row", out],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120)
    if not check(proc.returncode == 0 and os.path.exists(out),
                 "heaplab run --row failed (exit %d): %s" % (proc.returncode, proc.stderr.strip())):
        return None
    with open(out, newline="") as f:
        return f.readline()


NOT_MEASURED = ("allocator_resident_bytes", "allocs", "frees")


def load_script(path):
    """The script as a module (its main runs only as __main__)."""
    spec = importlib.util.spec_from_file_location("cpython_workloads_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_variants(ctx):
    """--variants lists exactly the dispatch table's variants, one per line, and exits 0;
    each is a heaplab variant."""
    try:
        ctx.table = dict(load_script(ctx.script).WORKLOADS)
    except Exception as exc:  # noqa: BLE001 - any failure to import is the finding
        check(False, "cannot read the script's dispatch table (WORKLOADS): %r" % exc)
    check(ctx.table and all(callable(entry[0]) for entry in ctx.table.values()),
          "the script's dispatch table is empty or holds something that is not a function")
    proc = ctx.run("--variants")
    lines = proc.stdout.splitlines()
    ctx.variants = [line for line in lines if re.match(r"^[a-z0-9_]+/[a-z0-9_]+$", line)]
    check(proc.returncode == 0 and proc.stderr == "",
          "--variants: exit %d, stderr %r" % (proc.returncode, proc.stderr))
    check(ctx.variants == lines and proc.stdout.endswith("\n"),
          "--variants: not one workload/variant per line: %r" % proc.stdout)
    check(len(set(lines)) == len(lines), "--variants lists a variant twice: %s" % lines)
    check(lines == list(ctx.table),
          "--variants lists %s, the script implements %s (missing %s, extra %s)"
          % (lines, list(ctx.table), sorted(set(ctx.table) - set(lines)),
             sorted(set(lines) - set(ctx.table))))
    if ctx.heaplab:
        proc = subprocess.run([ctx.heaplab, "list", "workloads"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
        heaplab = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
        check(proc.returncode == 0 and set(lines) <= set(heaplab),
              "--variants lists %s, which heaplab does not have (heaplab list workloads: %s)"
              % (sorted(set(lines) - set(heaplab)), heaplab))


def must_collect(ctx, workload, size):
    """The least the script's final gc.collect() must find (its dispatch table's third
    member), None where the variant does not collect."""
    entry = ctx.table.get(workload)
    return entry[2](size) if entry is not None and entry[2] is not None else None


def check_row_figures(ctx, name, row, size, workload):
    """The row's figures as numbers (None where the field is empty: not measured)."""
    least_collected = must_collect(ctx, workload, size)
    cyclic = least_collected is not None
    check(row["runtime"] == RUNTIME, "%s: runtime %r, expected %r" % (name, row["runtime"], RUNTIME))
    check(row["allocator"] == "pymalloc" and row["collector"] == "cpython_gc",
          "%s: allocator/collector %s/%s" % (name, row["allocator"], row["collector"]))
    check(row["size"] == str(size), "%s: size %s" % (name, row["size"]))
    check(row["status"] == "ok" and row["error"] == "",
          "%s: status %r error %r" % (name, row["status"], row["error"]))
    v = {}
    for figure in FIGURES + ("real_time_ns_stddev", "peak_rss_bytes_stddev"):
        cell = row[figure]
        if cell == "":
            v[figure] = None
            continue
        try:
            v[figure] = float(cell)
        except ValueError:
            check(False, "%s: %s is not a number: %r" % (name, figure, cell))
            v[figure] = float("nan")
            continue
        check(cell == "%.15g" % v[figure], "%s: %s written as %r, results_csv.c writes %r"
              % (name, figure, cell, "%.15g" % v[figure]))
    unmeasured = NOT_MEASURED + (("peak_live_bytes",) if workload == "recursion/sum" else ())
    for figure in FIGURES + ("real_time_ns_stddev", "peak_rss_bytes_stddev"):
        check((v[figure] is None) == (figure in unmeasured),
              "%s: %s is %r: %s" % (name, figure, row[figure],
                                    "not measured, so empty" if figure in unmeasured
                                    else "expected a number"))
    if any(v[f] is None for f in FIGURES if f not in unmeasured):
        return v
    check(v["real_time_ns"] > 0, "%s: real_time_ns %s" % (name, v["real_time_ns"]))
    check(v["cpu_time_ns"] >= 0, "%s: cpu_time_ns %s" % (name, v["cpu_time_ns"]))
    check(v["peak_rss_bytes"] > 1 << 20, "%s: peak_rss_bytes %s" % (name, v["peak_rss_bytes"]))
    if v["peak_live_bytes"] is not None:
        # lists and graphs hold n references or objects at their peak; recursion/calls
        # holds a few ints at a time
        least = 1 if workload == "recursion/calls" else 8 * size
        check(v["peak_live_bytes"] >= least, "%s: peak_live_bytes %s < %d"
              % (name, v["peak_live_bytes"], least))
    for figure in ("leaked_objects", "leaked_bytes"):
        check(v[figure] == 0, "%s: %s is %s, expected 0" % (name, figure, v[figure]))
    check(v["gc_pause_total_ns"] >= v["gc_pause_max_ns"] >= v["gc_pause_p99_ns"]
          >= v["gc_pause_p50_ns"] >= 0, "%s: pause figures out of order %s" % (name, v))
    check((v["gc_collections"] == 0) == (v["gc_pause_total_ns"] == 0),
          "%s: %s collections but %s ns of pauses" % (name, v["gc_collections"],
                                                     v["gc_pause_total_ns"]))
    if cyclic:
        # every node is on a cycle; the random graph's nodes each hold an edge list too
        check(v["objects_collected"] >= least_collected,
              "%s: objects_collected %s < %d" % (name, v["objects_collected"], least_collected))
        check(v["gc_collections"] >= 1 and v["gc_pause_p50_ns"] > 0,
              "%s: the timed gc.collect() is not counted as a pause" % name)
        check(v["real_time_ns"] >= v["gc_pause_total_ns"],
              "%s: pauses %s longer than the run %s" % (name, v["gc_pause_total_ns"],
                                                       v["real_time_ns"]))
    else:
        check(v["objects_collected"] == 0, "%s: %s objects collected from a workload "
              "without cycles" % (name, v["objects_collected"]))
    return v


def check_json(name, path, workload, size, repetitions, status):
    with open(path) as f:
        text = f.read()
    try:
        doc = json.loads(text)
    except ValueError as exc:
        check(False, "%s: JSON does not parse: %s" % (name, exc))
        return []
    context = doc.get("context", {})
    for key in ("date", "host_name", "num_cpus", "mhz_per_cpu", "library_build_type"):
        check(key in context, "%s: context lacks %s" % (name, key))
    check(context.get("runtime") == RUNTIME, "%s: context runtime %r" % (name, context.get("runtime")))
    entries = doc.get("benchmarks", [])
    config = "%s/%d/pymalloc/cpython_gc/iterations:1/repeats:%d/real_time" % (
        workload, size, repetitions)
    iterations = [e for e in entries if e.get("run_type") == "iteration"]
    aggregates = [e for e in entries if e.get("run_type") == "aggregate"]
    expected_runs = repetitions if status == "ok" else 1
    check(len(iterations) == expected_runs,
          "%s: %d iteration entries, expected %d" % (name, len(iterations), expected_runs))
    expected_aggregates = ["mean", "median", "stddev", "cv"] if status == "ok" and repetitions > 1 else []
    check([e.get("aggregate_name") for e in aggregates] == expected_aggregates,
          "%s: aggregates %s" % (name, [e.get("aggregate_name") for e in aggregates]))
    for index, entry in enumerate(iterations):
        check(entry.get("name") == config and entry.get("run_name") == config,
              "%s: name %r run_name %r, expected %r" % (name, entry.get("name"),
                                                       entry.get("run_name"), config))
        for key, value in (("repetitions", repetitions), ("repetition_index", index),
                           ("threads", 1), ("iterations", 1), ("time_unit", "ns"),
                           ("status", status), ("runtime", RUNTIME), ("workload", workload),
                           ("size", size), ("allocator", "pymalloc"),
                           ("collector", "cpython_gc")):
            check(entry.get(key) == value, "%s: entry %s is %r, expected %r"
                  % (name, key, entry.get(key), value))
        for key in ("real_time", "cpu_time", "peak_rss_bytes"):
            check(isinstance(entry.get(key), (int, float)),
                  "%s: entry %s is %r" % (name, key, entry.get(key)))
        for key in NOT_MEASURED + ("real_time_ns", "cpu_time_ns"):
            check(key not in entry, "%s: entry carries %s" % (name, key))
        if status == "ok":
            for key in FIGURES[2:]:
                if key not in NOT_MEASURED and not (key == "peak_live_bytes"
                                                   and workload == "recursion/sum"):
                    check(isinstance(entry.get(key), (int, float)),
                          "%s: entry %s is %r" % (name, key, entry.get(key)))
        if status == "ok":
            check("error_occurred" not in entry, "%s: error_occurred on an ok run" % name)
            check(entry.get("real_time", 0) > 0, "%s: real_time %r" % (name, entry.get("real_time")))
        else:
            check(entry.get("error_occurred") is True and entry.get("error_message"),
                  "%s: error_occurred/error_message missing" % name)
    for entry in aggregates:
        check(entry.get("name") == config + "_" + entry.get("aggregate_name", "")
              and entry.get("run_name") == config, "%s: aggregate name %r" % (name, entry.get("name")))
    return entries


def test_workloads(ctx, header):
    check(ctx.variants, "no variant to run (--variants listed none)")
    for workload in ctx.variants:
        size = TINY
        name = "%s at %d" % (workload, size)
        row_path, json_path = ctx.path("csv"), ctx.path("json")
        proc = ctx.run("--workload", workload, "--size", str(size), "--row", row_path,
                       "--json", json_path)
        if not check(proc.returncode == 0, "%s: exit %d: %s" % (name, proc.returncode,
                                                               proc.stderr.strip())):
            continue
        check(proc.stdout == "" and proc.stderr == "",
              "%s: output with --row/--json: %r %r" % (name, proc.stdout, proc.stderr))
        text, rows = read_row(row_path)
        check(len(rows) == 2, "%s: %d CSV lines, expected header and one row" % (name, len(rows)))
        check(text.splitlines()[0] == ",".join(header),
              "%s: CSV header %r, expected %r" % (name, text.splitlines()[0], ",".join(header)))
        if len(rows) != 2 or len(rows[1]) != len(rows[0]):
            check(False, "%s: row has %d cells for %d columns" % (name, len(rows[-1]), len(rows[0])))
            continue
        row = dict(zip(rows[0], rows[1]))
        check(row["workload"] == workload and row["repetitions"] == "1",
              "%s: identity %s %s" % (name, row["workload"], row["repetitions"]))
        values = check_row_figures(ctx, name, row, size, workload)
        entries = check_json(name, json_path, workload, size, 1, "ok")
        if entries:  # one repetition: the JSON entry and the row are the same figures
            for figure in FIGURES[2:]:  # not measured: empty in the CSV, absent in JSON
                check(entries[0].get(figure) == values[figure],
                      "%s: %s differs: JSON %r, CSV %r"
                      % (name, figure, entries[0].get(figure), values[figure]))
            check(entries[0]["real_time"] == values["real_time_ns"],
                  "%s: JSON real_time differs from the row" % name)


def test_smallest_graphs(ctx):
    """n = 1 and 2 for every variant that collects: a person who is their own partner, a
    ring of one, a node whose edges all lead to itself, a 1-node tree (no cycle: freed by
    reference counting)."""
    collecting = [w for w in ctx.variants if must_collect(ctx, w, 1) is not None]
    check(collecting, "no variant of the script collects anything: %s" % ctx.variants)
    for workload in collecting:
        for size in (1, 2):
            row_path = ctx.path("csv")
            proc = ctx.run("--workload", workload, "--size", str(size), "--row", row_path)
            if not check(proc.returncode == 0, "%s at %d: exit %d %s" % (
                    workload, size, proc.returncode, proc.stderr.strip())):
                continue
            _, rows = read_row(row_path)
            row = dict(zip(rows[0], rows[1]))
            least = must_collect(ctx, workload, size)
            check(float(row["objects_collected"]) >= least, "%s at %d: objects_collected %s < %d"
                  % (workload, size, row["objects_collected"], least))


def test_repetitions(ctx):
    name = "cyclic_graph/tree with 3 repetitions"
    row_path, json_path = ctx.path("csv"), ctx.path("json")
    proc = ctx.run("--workload", "cyclic_graph/tree", "--size", "500", "--repetitions", "3",
                   "--row", row_path, "--json", json_path)
    if not check(proc.returncode == 0, "%s: exit %d %s" % (name, proc.returncode, proc.stderr)):
        return
    _, rows = read_row(row_path)
    row = dict(zip(rows[0], rows[1]))
    check(row["repetitions"] == "3", "%s: repetitions %s" % (name, row["repetitions"]))
    values = check_row_figures(ctx, name, row, 500, "cyclic_graph/tree")
    entries = check_json(name, json_path, "cyclic_graph/tree", 500, 3, "ok")
    runs = sorted(e["real_time"] for e in entries if e["run_type"] == "iteration")
    if len(runs) == 3:
        check(values["real_time_ns"] == runs[1], "%s: row time %s is not the median of %s"
              % (name, values["real_time_ns"], runs))
        check(values["real_time_ns_stddev"] > 0 or runs[0] == runs[2],
              "%s: real_time_ns_stddev %s" % (name, values["real_time_ns_stddev"]))


def test_recursion(ctx):
    # depth 10^5 with the defaults: far past CPython's default limit of 1000
    row_path = ctx.path("csv")
    proc = ctx.run("--workload", "recursion/sum", "--size", "100000", "--live-bytes", "off",
                   "--row", row_path)
    check(proc.returncode == 0, "recursion/sum at depth 10^5: exit %d %s"
          % (proc.returncode, proc.stderr.strip()))
    # a forced limit D: D nested calls, as heaplab's limit counts frames:
    # recursive_function(D - 1) runs, recursive_function(D) is a RecursionError
    row_path = ctx.path("csv")
    proc = ctx.run("--workload", "recursion/sum", "--size", "19", "--recursion-limit", "20",
                   "--row", row_path)
    check(proc.returncode == 0, "depth 19 under --recursion-limit 20: exit %d %s"
          % (proc.returncode, proc.stderr.strip()))
    row_path, json_path = ctx.path("csv"), ctx.path("json")
    proc = ctx.run("--workload", "recursion/sum", "--size", "1000", "--recursion-limit", "20",
                   "--row", row_path, "--json", json_path)
    check(proc.returncode == 4, "depth 1000 under --recursion-limit 20: exit %d, expected 4"
          % proc.returncode)
    if check(os.path.exists(row_path), "recursion_error: no row written"):
        _, rows = read_row(row_path)
        row = dict(zip(rows[0], rows[1]))
        check(row["status"] == "recursion_error" and row["error"].startswith("RecursionError"),
              "recursion_error row: status %r error %r" % (row["status"], row["error"]))
        check_json("recursion_error", json_path, "recursion/sum", 1000, 1, "recursion_error")
    proc = ctx.run("--workload", "recursion/sum", "--size", "20", "--recursion-limit", "20")
    check(proc.returncode == 4 and re.search(r"status +recursion_error", proc.stdout),
          "depth 20 under --recursion-limit 20: exit %d %r" % (proc.returncode, proc.stdout))
    test_recursion_limit_agrees(ctx)


def test_recursion_limit_agrees(ctx):
    """--recursion-limit D means the same depth on both sides: at sizes just under and
    at the limit, heaplab and the script end alike (exit 0, or 4 and recursion_error)."""
    if not ctx.heaplab:
        return
    for limit in (20, 1000):
        for size in (limit - 2, limit - 1, limit, limit + 1):
            args = ("--workload", "recursion/sum", "--size", str(size),
                    "--recursion-limit", str(limit))
            script = ctx.run(*args, "--repetitions", "1")
            heaplab = subprocess.run([ctx.heaplab, "run"] + list(args) + ["--iterations", "1"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     universal_newlines=True, timeout=300)
            check(script.returncode == heaplab.returncode and script.returncode in (0, 4),
                  "recursion/sum --size %d --recursion-limit %d: the script exits %d, heaplab %d"
                  % (size, limit, script.returncode, heaplab.returncode))
            check(script.returncode == (0 if size < limit else 4),
                  "recursion/sum --size %d --recursion-limit %d: the script exits %d"
                  % (size, limit, script.returncode))


def test_memory_error(ctx):
    row_path = ctx.path("csv")
    proc = ctx.run("--workload", "large_list/repeat", "--size", "100000000", "--heap-limit",
                   "64M", "--row", row_path)
    check(proc.returncode == 3, "[0] * 10^8 under --heap-limit 64M: exit %d, expected 3 (%s)"
          % (proc.returncode, proc.stderr.strip()))
    if check(os.path.exists(row_path), "memory_error: no row written"):
        _, rows = read_row(row_path)
        row = dict(zip(rows[0], rows[1]))
        check(row["status"] == "memory_error" and row["error"].startswith("MemoryError"),
              "memory_error row: status %r error %r" % (row["status"], row["error"]))


def test_summary_and_list(ctx):
    proc = ctx.run("--workload", "large_list/range", "--size", "100")
    check(proc.returncode == 0, "summary run: exit %d" % proc.returncode)
    for figure in FIGURES + ("status",):
        check(figure in proc.stdout, "summary lacks %s" % figure)
    proc = ctx.run("--list")
    listed = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
    check(proc.returncode == 0 and listed == ctx.variants,
          "--list: exit %d, lists %s, --variants %s" % (proc.returncode, listed, ctx.variants))


BAD_COMMAND_LINES = [
    [],
    ["--size", "10"],
    ["--workload", "large_list/range"],
    ["--workload", "nope/range", "--size", "10"],
    ["--workload", "large_list", "--size", "10"],
    ["--workload", "large_list/range", "--size", "0"],
    ["--workload", "large_list/range", "--size", "-5"],
    ["--workload", "large_list/range", "--size", "abc"],
    ["--workload", "large_list/range", "--size", "1e6"],
    ["--workload", "large_list/range", "--size", "99999999999999999999"],
    ["--workload", "large_list/range", "--size", ""],
    ["--workload", "large_list/range", "--size"],
    ["--workload", "large_list/range", "--size", "10", "--repetitions", "0"],
    ["--workload", "large_list/range", "--size", "10", "--repetitions", "x"],
    ["--workload", "large_list/range", "--size", "10", "--bogus"],
    ["--workload", "large_list/range", "--size", "10", "--size", "20"],
    ["--workload", "recursion/sum", "--size", "10", "--recursion-limit", "0"],
    ["--workload", "large_list/range", "--size", "10", "--heap-limit", "12X"],
    ["--workload", "large_list/range", "--size", "10", "--heap-limit", "0"],
    ["--workload", "large_list/range", "--size", "10", "--live-bytes", "psutil"],
    ["--workload", "large_list/range", "--size", "10", "extra"],
    ["--list", "--size", "10"],
    ["--variants", "--size", "10"],
    ["--workload", "large_list/range", "--size", "10", "--variants"],
]


def test_bad_arguments(ctx):
    for args in BAD_COMMAND_LINES:
        row_path = ctx.path("csv")
        proc = ctx.run(*(["--row", row_path] + args if args else []))
        shown = " ".join(args) or "(no arguments)"
        check(proc.returncode == 2, "bad command line %r: exit %d, expected 2"
              % (shown, proc.returncode))
        check(len(proc.stderr.splitlines()) == 1 and proc.stdout == "",
              "bad command line %r: stderr should be one line, got %r (stdout %r)"
              % (shown, proc.stderr, proc.stdout))
        check(not os.path.exists(row_path), "bad command line %r wrote a row" % shown)


def main(argv):
    args = {"--script": None, "--source-dir": None, "--heaplab": None}
    i = 0
    while i < len(argv):
        if argv[i] not in args or i + 1 >= len(argv):
            sys.stderr.write("usage: test_reference.py --script PATH [--source-dir DIR] "
                             "[--heaplab PATH]\n")
            return 2
        args[argv[i]] = argv[i + 1]
        i += 2
    script = args["--script"]
    if not script or not os.path.isfile(script):
        sys.stderr.write("test_reference.py: --script: no such file %r\n" % script)
        return 2
    source_dir = args["--source-dir"] or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tmp = tempfile.mkdtemp(prefix="heaplab-reference-")
    try:
        ctx = Context(script, source_dir, args["--heaplab"], tmp)
        header = expected_header_from_sources(source_dir)
        if ctx.heaplab:
            line = heaplab_header(ctx)
            if line is not None:
                real = line.rstrip("\n").split(",")
                check(header is None or real == header,
                      "heaplab's CSV header %s differs from bench/report/results_csv.c's text %s"
                      % (real, header))
                header = real  # the real one is what the script must match
        if header is None:
            header = []  # every row check below then fails on the header
        test_variants(ctx)
        test_workloads(ctx, header)
        test_smallest_graphs(ctx)
        test_repetitions(ctx)
        test_recursion(ctx)
        test_memory_error(ctx)
        test_summary_and_list(ctx)
        test_bad_arguments(ctx)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("test_reference (%s, %s): %d checks, %d failed%s" % (
        RUNTIME, sys.executable, CHECKS[0], len(FAILURES),
        "" if ctx.heaplab else "; header checked against bench/report/results_csv.c's text (no heaplab)"))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
