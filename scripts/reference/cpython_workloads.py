#!/usr/bin/env python3
"""CPython as a reference runtime: heaplab's workloads as the small Python programs the
seed articles show, measured in the same phases as `heaplab run`, written as heaplab
results rows (CSV, bench/report/results.h) and Google Benchmark JSON (one entry per line).

    python3 scripts/reference/cpython_workloads.py --workload W/VARIANT --size N
            [--repetitions K] [--row FILE] [--json FILE] [--pauses FILE]
            [--recursion-limit D] [--heap-limit BYTES] [--seed S] [--live-bytes tracemalloc|off]
    python3 scripts/reference/cpython_workloads.py --list
    python3 scripts/reference/cpython_workloads.py --variants

--variants prints the workload variants this script implements, one `workload/variant`
a line and nothing else, and exits 0: a heaplab variant it does not list has no CPython
counterpart (a batch gives it no reference row).

Standard library only; Python >= 3.9. Exit codes as heaplab's: 0 ok, 2 usage error,
3 MemoryError, 4 RecursionError, 1 anything else (a failed result check included).
What each figure means and what is not comparable with heaplab: docs/reference.md.

This file is the driver (the command line and the dispatch table); the rest sits beside
it: ref_runner.py (timing a repetition, the pauses, the recursion thread),
ref_results.py (the row, CSV, JSON), ref_check.py, and one wl_<workload>.py module per
workload family, each with its WORKLOADS table, merged here in heaplab's registry order.
"""

import os
import resource
import sys

# The sibling modules are imported from this file's own folder (also when a test loads
# it by path), without writing __pycache__ into the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wl_cycle_churn  # noqa: E402
import wl_cyclic_graph  # noqa: E402
import wl_gc_traversal  # noqa: E402
import wl_gcbench  # noqa: E402
import wl_growing_heap  # noqa: E402
import wl_large_list  # noqa: E402
import wl_recursion  # noqa: E402
from ref_results import (RUNTIME, csv_text, json_text, make_row, summary_text,  # noqa: E402
                         write_atomic)
from ref_runner import GENERATION_KINDS, Runner, recursion_stack_bytes  # noqa: E402

EXIT_OK, EXIT_OTHER, EXIT_USAGE, EXIT_MEMORY, EXIT_RECURSION = 0, 1, 2, 3, 4
MAX_SIZE = 10**10           # larger sizes are rejected as absurd
MAX_REPETITIONS = 1000

# name -> (function, default size and ladder as heaplab's, the least the final
# gc.collect() must find for size n, or None where the workload does not collect)
WORKLOADS = {}
for _module in (wl_recursion, wl_large_list, wl_cyclic_graph, wl_gcbench, wl_gc_traversal,
                wl_cycle_churn, wl_growing_heap):
    WORKLOADS.update(_module.WORKLOADS)


# ---------------------------------------------------------------------------------------
# Command line: every problem is one line on stderr and exit code 2.

USAGE = ("usage: cpython_workloads.py --workload W/VARIANT --size N [--repetitions K] "
         "[--row FILE] [--json FILE] [--pauses FILE] [--recursion-limit D] [--heap-limit BYTES] "
         "[--seed S] "
         "[--live-bytes tracemalloc|off] | --list | --variants")


class UsageError(Exception):
    pass


def parse_count(flag, text, low, high):
    if not text.isdigit() or not text.isascii():
        raise UsageError("%s: '%s' is not a whole number (valid: %d..%d)" % (flag, text, low, high))
    value = int(text)
    if value < low or value > high:
        raise UsageError("%s: %s is out of range (valid: %d..%d)" % (flag, text, low, high))
    return value


def parse_bytes(flag, text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    digits, scale = text, 1
    if text[-1:].upper() in units:
        digits, scale = text[:-1], units[text[-1:].upper()]
    if not digits.isdigit() or not digits.isascii() or int(digits) == 0:
        raise UsageError("%s: '%s' is not a byte count (valid: N, NK, NM, NG with N > 0)"
                         % (flag, text))
    return int(digits) * scale


def pauses_text(pause_log):
    """--pauses: heaplab run --pauses's CSV; call = repetition (one iteration each)."""
    lines = ["call,iteration,start_ns,duration_ns,kind,phase"]
    for call, pauses in enumerate(pause_log):
        for start, duration, generation in pauses:
            lines.append("%d,0,%d,%d,%s,program" % (call, start, duration,
                                                    GENERATION_KINDS[min(generation, 2)]))
    return "\n".join(lines) + "\n"


def parse_args(argv):
    flags = {"--workload", "--size", "--repetitions", "--row", "--json", "--pauses",
             "--recursion-limit", "--heap-limit", "--seed", "--live-bytes"}
    values = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            return {"help": True}
        if arg in ("--list", "--variants"):
            values[arg] = True
            i += 1
            continue
        name, eq, value = arg.partition("=")
        if name not in flags:
            raise UsageError("unknown argument '%s' (valid: %s, --list, --variants, --help)"
                             % (arg, ", ".join(sorted(flags))))
        if not eq:
            if i + 1 >= len(argv):
                raise UsageError("%s needs a value" % name)
            value = argv[i + 1]
            i += 1
        if name in values:
            raise UsageError("%s given twice" % name)
        values[name] = value
        i += 1
    for flag in ("--list", "--variants"):
        if values.pop(flag, False):
            if values:
                raise UsageError("%s takes no other arguments" % flag)
            return {flag[2:]: True}
    valid = ", ".join(WORKLOADS)
    if "--workload" not in values:
        raise UsageError("--workload is required (valid: %s)" % valid)
    if values["--workload"] not in WORKLOADS:
        raise UsageError("--workload: unknown workload '%s' (valid: %s)"
                         % (values["--workload"], valid))
    if "--size" not in values:
        raise UsageError("--size is required (valid: 1..%d)" % MAX_SIZE)
    live = values.get("--live-bytes", "tracemalloc")
    if live not in ("tracemalloc", "off"):
        raise UsageError("--live-bytes: unknown source '%s' (valid: tracemalloc, off)" % live)
    for name in ("--row", "--json", "--pauses"):
        if name in values and not values[name]:
            raise UsageError("%s: empty file name" % name)
    return {
        "workload": values["--workload"],
        "size": parse_count("--size", values["--size"], 1, MAX_SIZE),
        "repetitions": parse_count("--repetitions", values.get("--repetitions", "1"), 1,
                                   MAX_REPETITIONS),
        "recursion_limit": (parse_count("--recursion-limit", values["--recursion-limit"], 1,
                                        MAX_SIZE) if "--recursion-limit" in values else 0),
        "heap_limit": (parse_bytes("--heap-limit", values["--heap-limit"])
                       if "--heap-limit" in values else 0),
        "seed": parse_count("--seed", values.get("--seed", "42"), 0, 2**63 - 1),
        "live_bytes": live,
        "row": values.get("--row"),
        "json": values.get("--json"),
        "pauses": values.get("--pauses"),
    }


def address_space_in_use():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def apply_heap_limit(limit, stack_calls):
    """--heap-limit: the address space may grow by at most `limit` bytes from here
    (RLIMIT_AS), beside the recursion thread's stack, so an allocation past it raises
    MemoryError."""
    cap = address_space_in_use() + limit
    if stack_calls:
        cap += recursion_stack_bytes(stack_calls)
    resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))


def main(argv):
    try:
        options = parse_args(argv)
    except UsageError as exc:
        sys.stderr.write("cpython_workloads.py: %s\n" % exc)
        return EXIT_USAGE
    if options.get("help"):
        sys.stdout.write(USAGE + "\n")
        return EXIT_OK
    if options.get("list"):
        for name, (_, (default, low, high), _) in WORKLOADS.items():
            sys.stdout.write("%-22s default size %d, ladder %d..%d\n" % (name, default, low, high))
        return EXIT_OK
    if options.get("variants"):
        sys.stdout.write("".join(name + "\n" for name in WORKLOADS))
        return EXIT_OK
    if sys.version_info < (3, 9):
        sys.stderr.write("cpython_workloads.py: needs Python >= 3.9, this is %s\n" % RUNTIME)
        return EXIT_OTHER

    runner = Runner(options, WORKLOADS)
    if options["heap_limit"]:
        apply_heap_limit(options["heap_limit"], runner.stack_calls())
    runs, status, error = runner.run()
    row = make_row(options, runs, status, error)
    try:
        if options["row"]:
            write_atomic(options["row"], csv_text(row))
        if options["json"]:
            write_atomic(options["json"], json_text(row, runs))
        if options["pauses"]:
            write_atomic(options["pauses"], pauses_text(runner.pause_log))
    except OSError as exc:
        sys.stderr.write("cpython_workloads.py: cannot write %s: %s\n"
                         % (exc.filename or "the results", exc.strerror or exc))
        return EXIT_OTHER
    if not options["row"] and not options["json"]:
        sys.stdout.write(summary_text(row))
    elif status != "ok":
        sys.stderr.write("cpython_workloads.py: %s: %s\n" % (status, error))
    return {"ok": EXIT_OK, "memory_error": EXIT_MEMORY,
            "recursion_error": EXIT_RECURSION}.get(status, EXIT_OTHER)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
