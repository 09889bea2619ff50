#!/usr/bin/env python3
"""What a run measures (docs/architecture.md, "What a run is"), from the outside:

  clock    a run's reclamation is inside the clock: mark_sweep's and rc_cycle's last
           full collection counts in gc_time_ns (0 < gc_time_ns <= real_time_ns,
           mutator_time_ns = real_time_ns - gc_time_ns) but not in the program's
           gc_collections and pauses; refcount's is 0.
  warm     one allocator instance serves every iteration: for libc, pool and bump the
           minor faults per iteration at 20 iterations are under a quarter of the
           1-iteration figure (a fresh allocator per iteration faults its memory in
           every time), and --fail-alloc-at counts each iteration's allocations.
  rewind   bump rewinds between iterations: its resident figure at 20 iterations is
           within 2x of 1 iteration's (a free that does nothing, not rewound, maps a
           new structure per iteration).
  pauses   the row's pause figures are those of the program's pauses inside the clock,
           as `run --pauses FILE` lists them (phase "program"; the reclaim step's
           collection is phase "reclaim"): gc_collections is their count and
           gc_pause_total_ns their sum per iteration, p50 and p99 their nearest-rank
           percentiles, gc_pause_max_ns the median over the iterations of each
           iteration's longest (not the longest pause of the whole process);
           gc_time_ns is the sum of every pause, the reclaim's included; every
           iteration has one reclaim collection; start times increase. The rows of
           kind "iteration", phase "clock", are the clock-on intervals of the timed
           iterations (for the MMU): every iteration has at least one, they do not
           overlap, every pause lies inside one, and their total is at most Google
           Benchmark's real time (they are marked just inside its start and stop) and
           more than half of it.

usage: measure_check.py HEAPLAB GROUP [--sanitized]

--sanitized (the ASan build): ASan's malloc quarantines freed blocks, so libc's blocks,
and pool's pass-through blocks above 512 bytes, are fresh memory in every iteration
whatever heaplab does; the warm group then checks the faults of bump only.
"""
import csv
import math
import os
import statistics
import subprocess
import sys
import tempfile

HEAPLAB = sys.argv[1]
SANITIZED = "--sanitized" in sys.argv[3:]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)
    return cond


def run_row(*args, expect_exit=0):
    """`heaplab run ARGS --row FILE`: the row as a dict of strings ({} on failure)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "row.csv")
        proc = subprocess.run([HEAPLAB, "run", *args, "--row", path], capture_output=True,
                              text=True, timeout=300)
        if not check(proc.returncode == expect_exit, "%s: exit %d, expected %d: %s"
                     % (" ".join(args), proc.returncode, expect_exit, proc.stderr.strip()[-300:])):
            return {}
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    check(len(rows) == 1, "%s: %d rows" % (" ".join(args), len(rows)))
    return rows[0] if rows else {}


def num(row, name):
    try:
        return float(row[name])
    except (KeyError, ValueError):
        check(False, "row lacks a number for %s: %r" % (name, row.get(name)))
        return float("nan")


LIST_1000 = ("--workload", "large_list/range", "--size", "1000", "--iterations", "1")


def group_clock():
    for collector in ("mark_sweep", "rc_cycle"):
        row = run_row(*LIST_1000, "--collector", collector)
        if not row:
            continue
        what = "%s large_list/range 1000" % collector
        real, gc_time = num(row, "real_time_ns"), num(row, "gc_time_ns")
        mutator = num(row, "mutator_time_ns")
        # no program collection (ints are not containers, the list is never due): the
        # reclaim step's collection is the only one, in gc_time_ns and not in the
        # program's figures, as CPython counts none
        check(num(row, "gc_collections") == 0 and num(row, "gc_pause_total_ns") == 0,
              "%s: gc_collections %s, gc_pause_total_ns %s: the reclaim step counted as the "
              "program's" % (what, row["gc_collections"], row["gc_pause_total_ns"]))
        if collector == "mark_sweep":  # 744: the ints past the small ones, the list
            check(num(row, "objects_collected") >= 700,
                  "%s: objects_collected %s" % (what, row["objects_collected"]))
        check(gc_time > 0, "%s: gc_time_ns %s: the final collection is not inside the clock"
              % (what, row["gc_time_ns"]))
        check(gc_time <= real, "%s: gc_time_ns %s > real_time_ns %s" % (what, gc_time, real))
        check(abs(mutator - (real - gc_time)) <= 1e-6 * real + 1,
              "%s: mutator_time_ns %s != real %s - gc %s" % (what, mutator, real, gc_time))
    row = run_row(*LIST_1000, "--collector", "refcount")
    if row:
        check(num(row, "gc_time_ns") == 0 and num(row, "gc_collections") == 0,
              "refcount: gc_time_ns %s, gc_collections %s, expected 0"
              % (row["gc_time_ns"], row["gc_collections"]))
        check(num(row, "mutator_time_ns") == num(row, "real_time_ns"),
              "refcount: mutator_time_ns %s != real_time_ns %s"
              % (row["mutator_time_ns"], row["real_time_ns"]))
        check(num(row, "baseline_rss_bytes") > 0, "baseline_rss_bytes %s" % row["baseline_rss_bytes"])
        check(num(row, "baseline_rss_bytes") <= num(row, "peak_rss_bytes"),
              "baseline_rss_bytes %s above peak_rss_bytes %s"
              % (row["baseline_rss_bytes"], row["peak_rss_bytes"]))


LIST_1E5 = ("--workload", "large_list/range", "--size", "1e5", "--collector", "refcount")


def group_warm():
    for allocator in ("bump",) if SANITIZED else ("libc", "pool", "bump"):
        one = run_row(*LIST_1E5, "--allocator", allocator, "--iterations", "1")
        many = run_row(*LIST_1E5, "--allocator", allocator, "--iterations", "20")
        if not one or not many:
            continue
        f1, f20 = num(one, "minor_faults"), num(many, "minor_faults")
        check(f1 > 100, "%s: %s minor faults in one iteration of 10^5 ints: not measured?"
              % (allocator, f1))
        check(f20 < f1 / 4, "%s: %s minor faults per iteration at 20 iterations, %s at 1: "
              "the allocator is not warm" % (allocator, f20, f1))
        check(num(many, "major_faults") >= 0, "%s: major_faults %s" % (allocator, many["major_faults"]))
        check(num(many, "allocs") == num(one, "allocs") and num(many, "frees") == num(one, "frees"),
              "%s: allocs/frees per iteration %s/%s at 20 iterations, %s/%s at 1"
              % (allocator, many["allocs"], many["frees"], one["allocs"], one["frees"]))
        check(num(many, "peak_live_bytes") == num(one, "peak_live_bytes"),
              "%s: peak_live_bytes %s at 20 iterations, %s at 1"
              % (allocator, many["peak_live_bytes"], one["peak_live_bytes"]))
    # The injected failure counts each iteration's allocations: about 10^5 per iteration,
    # so the 150000th never comes in any one of three iterations.
    row = run_row(*LIST_1E5, "--allocator", "pool", "--iterations", "3", "--fail-alloc-at",
                  "150000")
    check(not row or row.get("status") == "ok",
          "--fail-alloc-at 150000 over 3 iterations: status %r" % row.get("status"))
    row = run_row(*LIST_1E5, "--allocator", "pool", "--iterations", "3", "--fail-alloc-at",
                  "50000", expect_exit=3)
    check(not row or row.get("status") == "memory_error",
          "--fail-alloc-at 50000: status %r" % row.get("status"))


def group_rewind():
    one = run_row(*LIST_1E5, "--allocator", "bump", "--iterations", "1")
    many = run_row(*LIST_1E5, "--allocator", "bump", "--iterations", "20")
    if one and many:
        r1, r20 = num(one, "allocator_resident_bytes"), num(many, "allocator_resident_bytes")
        check(r1 > 0 and r20 <= 2 * r1,
              "bump: allocator_resident_bytes %s at 20 iterations, %s at 1: not rewound"
              % (r20, r1))
        check(num(many, "peak_rss_bytes") <= 2 * num(one, "peak_rss_bytes"),
              "bump: peak_rss_bytes %s at 20 iterations, %s at 1"
              % (many["peak_rss_bytes"], one["peak_rss_bytes"]))


def nearest_rank(values, q):
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def close(a, b):
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1.0)


def group_pauses():
    iterations = 30
    for args in (["--workload", "cyclic_graph/pairs", "--size", "1000", "--collector", "rc_cycle"],
                 # eager: gc_time_ns is then the pauses alone (lazy adds its sweep steps).
                 # A workload that makes garbage: a warm heap keeps its size, so one that
                 # only grows (large_list/append) pauses in its first iteration alone.
                 ["--workload", "cycle_churn/requests", "--size", "20000", "--collector",
                  "mark_sweep", "--sweep", "eager"],
                 ["--workload", "cyclic_graph/rings", "--size", "2000", "--collector", "boehm"]):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "pauses.csv")
            row = run_row(*args, "--iterations", str(iterations), "--pauses", path)
            if not row or not check(os.path.exists(path), "%s: no pauses file" % args[1]):
                continue
            with open(path, newline="") as f:
                rows = list(csv.DictReader(f))
        what = "/".join(args[1::2])
        check([r["start_ns"] for r in rows] == sorted((r["start_ns"] for r in rows), key=int),
              "%s: rows not in time order" % what)
        clock = [r for r in rows if r["phase"] == "clock"]
        pauses = [r for r in rows if r["phase"] != "clock"]
        check(all(r["kind"] == "iteration" for r in clock),
              "%s: a clock row of another kind" % what)
        spans = [(int(r["start_ns"]), int(r["start_ns"]) + int(r["duration_ns"])) for r in clock]
        check(sorted(set(int(r["iteration"]) for r in clock)) == list(range(iterations)),
              "%s: clock intervals for iterations %s"
              % (what, sorted(set(r["iteration"] for r in clock))))
        check(all(a < b for a, b in spans) and
              all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1)),
              "%s: clock intervals empty or overlapping" % what)
        for p in pauses:
            a = int(p["start_ns"])
            b = a + int(p["duration_ns"])
            check(any(s <= a and b <= e for s, e in spans),
                  "%s: the pause at %d..%d lies in no clock interval" % (what, a, b))
        clocked = sum(b - a for a, b in spans)
        real = num(row, "real_time_ns") * iterations
        check(0.5 * real < clocked <= real * (1 + 1e-9),
              "%s: the clock intervals total %d ns, Google Benchmark's real time %d ns"
              % (what, clocked, real))
        program = [p for p in pauses if p["phase"] == "program"]
        reclaims = [int(p["iteration"]) for p in pauses if p["phase"] == "reclaim"]
        check(reclaims == list(range(iterations)),
              "%s: reclaim collections in iterations %s" % (what, reclaims))
        durations = [int(p["duration_ns"]) for p in program]
        starts = [int(p["start_ns"]) for p in pauses]
        longest = {}
        for p in program:
            i = int(p["iteration"])
            longest[i] = max(longest.get(i, 0), int(p["duration_ns"]))
        if not check(sorted(longest) == list(range(iterations)),
                     "%s: iterations with a pause %s, expected every one of %d"
                     % (what, sorted(longest), iterations)):
            continue
        check(all(d > 0 for d in durations) and starts == sorted(starts),
              "%s: durations not positive or start times not increasing" % what)
        check(all(p["kind"] in ("young", "middle", "full") and p["call"] == "0" for p in pauses),
              "%s: a pause of another kind or call" % what)
        total = sum(durations) / iterations
        every = sum(int(p["duration_ns"]) for p in pauses) / iterations
        check(close(num(row, "gc_pause_total_ns"), total) and close(num(row, "gc_time_ns"), every),
              "%s: gc_pause_total_ns %s, gc_time_ns %s; the program's pauses %s, all %s per "
              "iteration" % (what, row["gc_pause_total_ns"], row["gc_time_ns"], total, every))
        check(close(num(row, "gc_collections"), len(program) / iterations),
              "%s: gc_collections %s, the program's pauses %d over %d iterations"
              % (what, row["gc_collections"], len(program), iterations))
        for name, q in (("gc_pause_p50_ns", 0.50), ("gc_pause_p99_ns", 0.99)):
            check(close(num(row, name), nearest_rank(durations, q)),
                  "%s: %s %s, the listed pauses' %s" % (what, name, row[name],
                                                       nearest_rank(durations, q)))
        run_max = statistics.median(longest.values())
        check(close(num(row, "gc_pause_max_ns"), run_max),
              "%s: gc_pause_max_ns %s, the median of each iteration's longest pause %s (the "
              "longest of all: %s)" % (what, row["gc_pause_max_ns"], run_max, max(durations)))


GROUPS = {"clock": group_clock, "warm": group_warm, "rewind": group_rewind,
          "pauses": group_pauses}

if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[2] not in GROUPS:
        sys.exit("usage: measure_check.py HEAPLAB {%s} [--sanitized]" % "|".join(GROUPS))
    GROUPS[sys.argv[2]]()
    if failures:
        print("measure.%s: %d failure(s)" % (sys.argv[2], len(failures)), file=sys.stderr)
        sys.exit(1)
    print("measure.%s: ok" % sys.argv[2])
