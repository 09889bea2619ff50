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
"""

import gc
import json
import math
import os
import random
import resource
import socket
import sys
import threading
import time
import tracemalloc

EXIT_OK, EXIT_OTHER, EXIT_USAGE, EXIT_MEMORY, EXIT_RECURSION = 0, 1, 2, 3, 4

# bench/report/results_csv.c's hl_results_write_csv_header: identity columns, the figures
# (HL_RESULT_FIGURES in bench/report/results.h), the spreads, status, error.
IDENTITY_COLUMNS = ("runtime", "workload", "size", "allocator", "collector", "repetitions")
FIGURES = (
    "real_time_ns", "cpu_time_ns", "gc_time_ns", "mutator_time_ns", "peak_rss_bytes",
    "baseline_rss_bytes", "peak_live_bytes", "allocator_resident_bytes", "minor_faults",
    "major_faults", "allocs", "frees", "gc_collections",
    "gc_pause_total_ns", "gc_pause_max_ns", "gc_pause_p50_ns", "gc_pause_p99_ns",
    "objects_collected", "leaked_objects", "leaked_bytes",
)
# 95% confidence intervals over a batch's invocations (HL_RESULT_INTERVALS): the batch
# computes them from the invocations; one invocation's row leaves them empty.
INTERVAL_FIGURES = ("real_time_ns", "cpu_time_ns", "gc_time_ns", "mutator_time_ns",
                    "peak_rss_bytes", "peak_live_bytes", "allocator_resident_bytes")
INTERVALS = tuple("%s_ci_%s" % (name, end) for name in INTERVAL_FIGURES for end in ("low", "high"))
SPREADS = ("real_time_ns_stddev", "peak_rss_bytes_stddev")
CSV_COLUMNS = IDENTITY_COLUMNS + FIGURES + INTERVALS + SPREADS + ("status", "error")
# Figures CPython offers no honest cheap source for: not measured, which heaplab's
# results spell as an empty CSV field (NaN) and a counter left out of the JSON.
NOT_MEASURED = ("allocator_resident_bytes", "allocs", "frees")

RUNTIME = "cpython-%d.%d" % sys.version_info[:2]
ALLOCATOR = "pymalloc"
COLLECTOR = "cpython_gc"
MAX_SIZE = 10**10           # larger sizes are rejected as absurd
MAX_REPETITIONS = 1000
RING_NODES = 21             # pyperformance gc_collect: rings of LINKS + 1 = 21 nodes
RANDOM_OUT_EDGES = 4


class CheckFailed(Exception):
    """The workload's own result check failed (status "failed")."""


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


# ---------------------------------------------------------------------------------------
# The workloads, in the shape the seed articles give them. Each runs one repetition,
# returns the number of objects the final gc.collect() found (0 where there is none) and
# checks its own result. Everything between the caller's clock readings is timed.

def recursive_function(x):
    if x == 0:
        return 0
    else:
        return x + recursive_function(x - 1)


def recursion_sum(n, env):
    result = recursive_function(n)
    check(result == n * (n + 1) // 2,
          "recursion/sum: recursive_function(%d) = %d, expected %d"
          % (n, result, n * (n + 1) // 2))
    return 0


b = 5  # the seed's global, read by f


def f(x):
    z = x + b
    return z


def recursion_calls(n, env):
    total = 0
    for i in range(n):
        total += f(i)
    expected = n * (n - 1) // 2 + n * b
    check(total == expected, "recursion/calls: sum of f(i) = %d, expected %d" % (total, expected))
    return 0


def large_list_repeat(n, env):
    large_list = [0] * n
    check(len(large_list) == n and large_list[-1] == 0, "large_list/repeat: wrong list")
    del large_list
    return 0


def large_list_range(n, env):
    large_list = list(range(n))
    check(len(large_list) == n and large_list[-1] == n - 1, "large_list/range: wrong list")
    del large_list
    return 0


def large_list_append(n, env):
    a = []
    for i in range(n):
        a.append(i)
    check(len(a) == n and a[-1] == n - 1, "large_list/append: wrong list")
    del a
    return 0


class Person:
    def __init__(self, name):
        self.name = name
        self.partner = None

    def set_partner(self, partner):
        self.partner = partner
        partner.partner = self


def cyclic_pairs(n, env):
    people = []                      # the root
    for i in range(0, n - 1, 2):
        p1 = Person('Alice')         # names are shared literals
        p2 = Person('Bob')
        p1.set_partner(p2)
        people.append(p1)
        people.append(p2)
    if n % 2:
        loner = Person('Carol')      # odd n: the last one is its own partner
        loner.set_partner(loner)
        people.append(loner)
    check(len(people) == n, "cyclic_graph/pairs: built %d people" % len(people))
    p1 = p2 = loner = None
    people = None                    # drop the root
    return gc.collect()


class Node:
    def __init__(self):
        self.next = None
        self.prev = None

    def link_next(self, next_node):
        self.next = next_node
        next_node.prev = self


def create_ring(length):
    first = current = Node()
    for _ in range(length - 1):
        next_node = Node()
        current.link_next(next_node)
        current = next_node
    current.link_next(first)
    return first


def cyclic_rings(n, env):
    rings = []                       # the root
    for _ in range(n // RING_NODES):
        rings.append(create_ring(RING_NODES))
    if n % RING_NODES:
        rings.append(create_ring(n % RING_NODES))
    check(len(rings) == -(-n // RING_NODES), "cyclic_graph/rings: built %d rings" % len(rings))
    rings = None
    return gc.collect()


class GraphNode:
    # Four reference fields and nothing else, as heaplab's record of 4 fields: one GC
    # object per node (no __dict__, no edge list).
    __slots__ = ("e0", "e1", "e2", "e3")

    def __init__(self):
        self.e0 = self.e1 = self.e2 = self.e3 = None


def cyclic_random(n, env):
    # As heaplab builds it: edge 0 follows one random cycle through every node
    # (s_k = (a*k + c) mod n with a coprime to n), so every node lies on a cycle;
    # edges 1-3 go to uniformly random nodes.
    rng = env["rng"]
    nodes = [GraphNode() for _ in range(n)]   # the root
    a, c = 1, 0
    if n > 1:
        a = rng.randrange(1, n)
        while math.gcd(a, n) != 1:
            a = rng.randrange(1, n)
        c = rng.randrange(n)
    s = c
    for _ in range(n):
        t = (s + a) % n
        nodes[s].e0 = nodes[t]
        s = t
    for node in nodes:
        node.e1 = nodes[rng.randrange(n)]
        node.e2 = nodes[rng.randrange(n)]
        node.e3 = nodes[rng.randrange(n)]
    check(all(getattr(nodes[i], "e%d" % e) is not None
              for i in (0, -1) for e in range(RANDOM_OUT_EDGES)),
          "cyclic_graph/random: a node without its %d edges" % RANDOM_OUT_EDGES)
    node = None
    nodes = None
    return gc.collect()


class TreeNode:
    def __init__(self, parent):
        self.parent = parent
        self.left = None
        self.right = None


def cyclic_tree(n, env):
    # Breadth-first, no recursion: node i's children are 2i+1 and 2i+2.
    root = TreeNode(None)
    level = [root]
    built = 1
    while built < n:
        next_level = []
        for parent in level:
            if built == n:
                break
            parent.left = TreeNode(parent)
            next_level.append(parent.left)
            built += 1
            if built == n:
                break
            parent.right = TreeNode(parent)
            next_level.append(parent.right)
            built += 1
        level = next_level
    check(built == n, "cyclic_graph/tree: built %d nodes" % built)
    level = next_level = parent = None
    root = None                      # drop the root
    return gc.collect()


# name -> (function, default size and ladder as heaplab's, the least the final
# gc.collect() must find for size n, or None where the workload does not collect)
WORKLOADS = {
    "recursion/sum": (recursion_sum, (10**4, 10**3, 10**6), None),
    "recursion/calls": (recursion_calls, (10**4, 10**3, 10**6), None),
    "large_list/repeat": (large_list_repeat, (10**6, 10**4, 10**8), None),
    "large_list/range": (large_list_range, (10**6, 10**4, 10**8), None),
    "large_list/append": (large_list_append, (10**6, 10**4, 10**8), None),
    "cyclic_graph/pairs": (cyclic_pairs, (10**5, 10**3, 10**7), lambda n: n),
    "cyclic_graph/rings": (cyclic_rings, (10**5, 10**3, 10**7), lambda n: n),
    # every node (one GC object of four fields): all on cycles
    "cyclic_graph/random": (cyclic_random, (10**5, 10**3, 10**7), lambda n: n),
    # a 1-node tree has no cycle: reference counting frees it
    "cyclic_graph/tree": (cyclic_tree, (10**5, 10**3, 10**7), lambda n: n if n > 1 else 0),
}


# ---------------------------------------------------------------------------------------
# Collector pauses: gc.callbacks "start"/"stop" events, recorded only while a run is on.

GENERATION_KINDS = ("young", "middle", "full")  # heaplab's names for generations 0, 1, 2


class PauseRecorder:
    """The repetition's pauses (durations) and, for --pauses, every pause with its
    start (perf_counter_ns since the script started) and its generation."""
    def __init__(self):
        self.recording = False
        self.started = None
        self.origin = time.perf_counter_ns()
        self.pauses = []
        self.log = []  # (start_ns, duration_ns, generation) of this repetition
        self.collected = 0
        self.uncollectable = 0

    def reset(self):
        self.started = None
        self.pauses = []
        self.log = []
        self.collected = 0
        self.uncollectable = 0

    def __call__(self, phase, info):
        if not self.recording:
            return
        if phase == "start":
            self.started = time.perf_counter_ns()
        elif phase == "stop" and self.started is not None:
            duration = time.perf_counter_ns() - self.started
            self.pauses.append(duration)
            self.log.append((self.started - self.origin, duration, info.get("generation", 2)))
            self.started = None
            self.collected += info.get("collected", 0)
            self.uncollectable += info.get("uncollectable", 0)


def nearest_rank(sorted_values, fraction):
    if not sorted_values:
        return 0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def stddev(values):
    """Sample standard deviation, as Google Benchmark's stddev aggregate."""
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def rss_bytes():
    """The resident set now: VmRSS of /proc/self/status (hl_measure_rss_bytes); None
    when it cannot be read."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


# ---------------------------------------------------------------------------------------
# Running: recursion runs on a thread with a large stack and a recursion limit that fits
# the depth; everything else runs on the main thread.

# The recursion thread's C stack: CPython 3.9/3.10 spend about 700 bytes of it per
# Python call (measured at depth 10^6), 3.11+ none for Python-to-Python calls. Only the
# pages touched become resident; the rest is address space.
RECURSION_STACK_BASE = 64 << 20
RECURSION_STACK_PER_CALL = 2048


def probe_workload(reached):
    """A workload in recursion_sum's shape whose recursion, in recursive_function's
    shape (a comparison, then the call: CPython <= 3.10 counts the comparison against
    the limit too), records how deep it got before RecursionError."""
    def probe(d):
        if d == 0:
            return 0
        reached[0] = d
        return d + probe(d + 1)

    def workload(n, env):
        return probe(1)
    return workload


class RecursionLimit:
    """`with` it around the workload call: sys.setrecursionlimit(limit) while inside
    (when a limit is set), the previous limit restored on the way out. Only the
    workload runs under it, never the untimed preparation around it."""

    def __init__(self):
        self.limit = None
        self.saved = None

    def __enter__(self):
        if self.limit is not None:
            self.saved = sys.getrecursionlimit()
            sys.setrecursionlimit(self.limit)

    def __exit__(self, *exc_info):
        if self.limit is not None:
            sys.setrecursionlimit(self.saved)
        return False


PROBE_RECURSION_LIMIT = 1000
RECURSION_WARMUP_DEPTH = 200


def recursion_stack_bytes(calls):
    """The C stack of a thread that fits `calls` nested Python calls."""
    return (RECURSION_STACK_BASE + calls * RECURSION_STACK_PER_CALL + 0xFFFF) & ~0xFFFF


def run_on_big_stack(fn, calls):
    """Run fn() on a thread whose C stack fits `calls` nested Python calls."""
    stack = recursion_stack_bytes(calls)
    outcome = {}

    def body():
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # handed to the main thread as it is
            outcome["error"] = exc

    previous = threading.stack_size()
    threading.stack_size(stack)
    try:
        worker = threading.Thread(target=body, name="recursion")
        worker.start()
    except RuntimeError as exc:  # "can't start new thread": no room for its stack
        raise MemoryError("cannot map a %d MiB stack for the recursion thread (%s)"
                          % (stack >> 20, exc))
    finally:
        threading.stack_size(previous)
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class Runner:
    def __init__(self, options):
        self.options = options
        self.workload, _, self.must_collect = WORKLOADS[options["workload"]]
        self.size = options["size"]
        self.recursive = options["workload"] == "recursion/sum"
        self.pauses = PauseRecorder()
        self.limit = RecursionLimit()  # set for recursion/sum only
        self.baseline_rss = None       # VmRSS just before the first repetition

    def env(self):
        """Fresh per run, so every repetition builds the same random graph."""
        return {"rng": random.Random(self.options["seed"])}

    def call(self, run_workload):
        """run_workload(self.workload) where the workload runs. recursion/sum runs on a
        big-stack thread under a recursion limit that lets recursive_function(n) nest
        its n + 1 calls, or with --recursion-limit D, D nested calls and no more: as
        heaplab's limit counts frames and recursive_function(n) is n + 1 of them,
        recursive_function(D - 1) is the deepest that runs on both sides."""
        if not self.recursive:
            return run_workload(self.workload)
        calls = self.options["recursion_limit"] or self.size + 1

        def limited():
            # How many slots of the limit CPython counts below the workload's first
            # call, however its version counts them: the probe runs from the very place
            # the workload runs, under a known limit. Then the limit that fits.
            # CPython 3.11 counts a comparison against the limit until its adaptive
            # interpreter has specialised it: warm the workload up first (untimed) so
            # the count does not depend on how warm the code is.
            self.workload(RECURSION_WARMUP_DEPTH, self.env())
            reached = [0]
            self.limit.limit = PROBE_RECURSION_LIMIT
            try:
                run_workload(probe_workload(reached))
            except RecursionError:
                pass
            self.limit.limit = PROBE_RECURSION_LIMIT - reached[0] + calls
            return run_workload(self.workload)
        return run_on_big_stack(limited, self.stack_calls())

    def stack_calls(self):
        """Nested calls the recursion thread's C stack is sized for (0: no thread)."""
        if not self.recursive:
            return 0
        return max(self.options["recursion_limit"], self.size) + 1

    def one_repetition(self):
        n, pauses = self.size, self.pauses

        def timed(workload):
            env = self.env()
            gc.collect()                      # start clean, untimed
            pauses.reset()
            pauses.recording = True
            try:
                with self.limit:
                    usage0 = resource.getrusage(resource.RUSAGE_SELF)
                    wall0, cpu0 = time.perf_counter_ns(), time.process_time_ns()
                    found = workload(n, env)
                    wall1, cpu1 = time.perf_counter_ns(), time.process_time_ns()
                    usage1 = resource.getrusage(resource.RUSAGE_SELF)
            finally:
                pauses.recording = False
            faults = (usage1.ru_minflt - usage0.ru_minflt, usage1.ru_majflt - usage0.ru_majflt)
            return wall1 - wall0, cpu1 - cpu0, found, faults

        garbage_before = len(gc.garbage)
        real_ns, cpu_ns, found, (minor, major) = self.call(timed)
        if self.must_collect is not None:
            least = self.must_collect(n)
            check(found >= least, "%s: gc.collect() found %d objects, expected >= %d"
                  % (self.options["workload"], found, least))
        leaked = gc.garbage[garbage_before:]
        ordered = sorted(pauses.pauses)
        figures = dict((name, None) for name in NOT_MEASURED)
        figures["peak_live_bytes"] = None  # from the tracemalloc run, when there is one
        figures.update({
            "real_time_ns": real_ns,
            "cpu_time_ns": cpu_ns,
            # the collector's pauses inside the timed run (gc.callbacks start to stop)
            "gc_time_ns": sum(ordered),
            "mutator_time_ns": real_ns - sum(ordered),
            "peak_rss_bytes": peak_rss_bytes(),
            "baseline_rss_bytes": self.baseline_rss,
            "minor_faults": minor,
            "major_faults": major,
            "gc_collections": len(ordered),
            "gc_pause_total_ns": sum(ordered),
            "gc_pause_max_ns": ordered[-1] if ordered else 0,
            "gc_pause_p50_ns": nearest_rank(ordered, 0.50),
            "gc_pause_p99_ns": nearest_rank(ordered, 0.99),
            "objects_collected": pauses.collected,
            "leaked_objects": pauses.uncollectable,
            "leaked_bytes": sum(sys.getsizeof(o) for o in leaked),
        })
        return figures

    def measures_live_bytes(self):
        """tracemalloc walks the whole frame chain on every allocation it traces, so
        under recursion/sum its cost grows with the square of the depth: not measured."""
        return self.options["live_bytes"] == "tracemalloc" and not self.recursive

    def peak_live_bytes(self):
        """One more, untimed, run under tracemalloc: the peak of the bytes requested from
        CPython's allocators (PyMem_Raw*, PyMem_*, PyObject_*) above the start."""
        def traced(workload):
            env = self.env()
            gc.collect()
            tracemalloc.start(1)
            try:
                tracemalloc.reset_peak()
                base = tracemalloc.get_traced_memory()[0]
                with self.limit:
                    workload(self.size, env)
                return tracemalloc.get_traced_memory()[1] - base
            finally:
                tracemalloc.stop()
        return self.call(traced)

    def run(self):
        """Returns (runs, status, error): runs holds one figures dict per repetition."""
        gc.callbacks.append(self.pauses)
        runs = []
        self.pause_log = []  # per repetition, for --pauses
        self.baseline_rss = rss_bytes()
        try:
            for _ in range(self.options["repetitions"]):
                runs.append(self.one_repetition())
                self.pause_log.append(list(self.pauses.log))
            if self.measures_live_bytes():
                live = self.peak_live_bytes()
                for figures in runs:
                    figures["peak_live_bytes"] = live
        except MemoryError as exc:
            return runs, "memory_error", one_line("MemoryError", exc)
        except RecursionError as exc:
            return runs, "recursion_error", one_line("RecursionError", exc)
        except CheckFailed as exc:
            return runs, "failed", one_line("check failed", exc)
        except SystemError as exc:
            # CPython 3.11 reports a frame it could not allocate (its data stack is
            # mmap'd in chunks) as "error return without exception set": under
            # --heap-limit that is the limit biting.
            if self.options["heap_limit"]:
                return runs, "memory_error", one_line("MemoryError (SystemError)", exc)
            return runs, "failed", one_line("SystemError", exc)
        except Exception as exc:  # anything else is a failed run too, still a row
            return runs, "failed", one_line(type(exc).__name__, exc)
        finally:
            self.pauses.recording = False
            gc.callbacks.remove(self.pauses)
        return runs, "ok", ""


def one_line(kind, exc):
    text = " ".join(str(exc).split())
    return ("%s: %s" % (kind, text) if text else kind)[:255]


# ---------------------------------------------------------------------------------------
# Results: the row (medians over the repetitions), CSV and Google Benchmark JSON.

def make_row(options, runs, status, error):
    """The configuration's row: each figure the median over the repetitions, None when
    not measured. An error row carries only what is known: status, error, peak RSS."""
    row = {
        "runtime": RUNTIME, "workload": options["workload"], "size": options["size"],
        "allocator": ALLOCATOR, "collector": COLLECTOR,
        "repetitions": options["repetitions"],
    }
    ok = status == "ok" and runs
    for name in FIGURES:
        values = [r.get(name) for r in runs]
        row[name] = median(values) if ok and None not in values else None
    row["real_time_ns_stddev"] = stddev([r["real_time_ns"] for r in runs]) if ok else None
    row["peak_rss_bytes_stddev"] = stddev([r["peak_rss_bytes"] for r in runs]) if ok else None
    if not ok:
        row["peak_rss_bytes"] = peak_rss_bytes()
    row["status"] = status
    row["error"] = error
    return row


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def csv_number(value):
    """results_csv.c's csv_number: "%.15g"; not measured (None, NaN) is an empty field."""
    if value is None or not math.isfinite(value):
        return ""
    return "%.15g" % value


def csv_field(text):
    """results_csv.c's csv_field: RFC 4180 quoting when a comma, quote, line break or a
    leading/trailing blank is in the text."""
    text = str(text)
    if (text[:1] == " " or text[-1:] == " " or any(c in text for c in ',"\n\r')):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(row):
    cells = []
    for column in CSV_COLUMNS:
        value = row.get(column) if column in INTERVALS else row[column]
        if column in ("size", "repetitions"):
            cells.append("%d" % value)
        elif column in FIGURES or column in SPREADS or column in INTERVALS:
            cells.append(csv_number(value))
        else:
            cells.append(csv_field(value))
    return ",".join(CSV_COLUMNS) + "\n" + ",".join(cells) + "\n"


def config_name(row):
    """hl_results_config_name: "workload/size/allocator/collector"."""
    return "%s/%d/%s/%s" % (row["workload"], row["size"], row["allocator"], row["collector"])


def benchmark_name(row):
    """The Google Benchmark name `heaplab run --iterations 1 --repetitions K` gives the
    same configuration: one iteration per repetition, timed in real time."""
    return "%s/iterations:1/repeats:%d/real_time" % (config_name(row), row["repetitions"])


def json_value(value):
    """As results.c writes JSON values: strings escaped, whole-number members as
    integers, figures and times as "%.16e" doubles, null when not finite."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return "%d" % value
    if isinstance(value, float):
        return "%.16e" % value if math.isfinite(value) else "null"
    return json.dumps(value, ensure_ascii=False)


def json_entry(row, name_suffix, run_type, extra, iterations, real, cpu, counters, error):
    """One benchmark entry on one line, members in results.c's order (Google
    Benchmark's, then the figures, then identity and status). Figures not measured
    are left out, as results.c leaves out NaN; real_time_ns and cpu_time_ns are the
    entry's real_time and cpu_time, as in results.c."""
    members = [("name", benchmark_name(row) + name_suffix), ("family_index", 0),
               ("per_family_instance_index", 0), ("run_name", benchmark_name(row)),
               ("run_type", run_type), ("repetitions", row["repetitions"])]
    members += extra
    if error:
        members += [("error_occurred", True), ("error_message", error)]
    members += [("iterations", iterations), ("real_time", float(real)),
                ("cpu_time", float(cpu)), ("time_unit", "ns")]
    members += [(name, float(counters[name])) for name in FIGURES
                if counters.get(name) is not None  # real_time/cpu_time carry these two:
                and name not in ("real_time_ns", "cpu_time_ns")]
    members += [(key, row[key]) for key in ("runtime", "workload", "size", "allocator",
                                            "collector", "status")]
    return "{" + ", ".join("%s: %s" % (json.dumps(k), json_value(v)) for k, v in members) + "}"


def json_entries(row, runs):
    """One entry per repetition, then (more than one) Google Benchmark's aggregates;
    a run that ended in an error is one entry with error_occurred."""
    if row["status"] != "ok":
        return [json_entry(row, "", "iteration", [("repetition_index", 0), ("threads", 1)],
                           1, 0, 0, row, row["error"] or row["status"])]
    entries = []
    for index, figures in enumerate(runs):
        entries.append(json_entry(row, "", "iteration",
                                  [("repetition_index", index), ("threads", 1)], 1,
                                  figures["real_time_ns"], figures["cpu_time_ns"], figures, ""))
    if len(runs) > 1:
        def mean(values):
            return sum(values) / len(values)

        def cv(values):
            m = mean(values)
            return stddev(values) / m if m else float("nan")

        for aggregate, fn in (("mean", mean), ("median", median), ("stddev", stddev),
                              ("cv", cv)):
            counters = {}
            for name in FIGURES:
                values = [r.get(name) for r in runs]
                counters[name] = None if None in values else fn(values)
            unit = "percentage" if aggregate == "cv" else "time"
            entries.append(json_entry(
                row, "_" + aggregate, "aggregate",
                [("threads", 1), ("aggregate_name", aggregate), ("aggregate_unit", unit)],
                len(runs), fn([r["real_time_ns"] for r in runs]),
                fn([r["cpu_time_ns"] for r in runs]), counters, ""))
    return entries


def read_small_file(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def mhz_per_cpu():
    """As results.c: cpufreq's maximum when the kernel has it, else /proc/cpuinfo."""
    khz = read_small_file("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
    if khz.isdigit():
        return int(round(int(khz) / 1000.0))
    for line in read_small_file("/proc/cpuinfo").splitlines():
        if line.startswith("cpu MHz"):
            try:
                return int(round(float(line.split(":")[1])))
            except (ValueError, IndexError):
                break
    return 0


def cpu_scaling_enabled():
    governor = read_small_file("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")
    return bool(governor) and governor != "performance"


def json_text(row, runs):
    """Google Benchmark's JSON with the members bench/report/results_json.c writes: the
    context one member per line, then every benchmark entry on one line (for people
    reading it: heaplab's batch parses the file with jansson, whatever its layout)."""
    zone = time.strftime("%z")
    context = [
        ("date", time.strftime("%Y-%m-%dT%H:%M:%S") + (zone[:3] + ":" + zone[3:]
                                                       if len(zone) == 5 else "")),
        ("host_name", socket.gethostname()),
        ("executable", sys.executable),
        ("num_cpus", os.cpu_count() or 1),
        ("mhz_per_cpu", mhz_per_cpu()),
        ("cpu_scaling_enabled", cpu_scaling_enabled()),
        ("load_avg", "[%s]" % ",".join("%g" % v for v in os.getloadavg())),
        ("library_build_type", "debug" if hasattr(sys, "gettotalrefcount") else "release"),
        ("runtime", RUNTIME),
        ("python_version", " ".join(sys.version.split())),
        ("python_implementation", sys.implementation.name),
    ]
    members = ",\n".join("    %s: %s" % (json.dumps(k), v if k == "load_avg" else json_value(v))
                         for k, v in context)
    entries = ",\n".join("    " + entry for entry in json_entries(row, runs))
    return '{\n  "context": {\n%s\n  },\n  "benchmarks": [\n%s\n  ]\n}\n' % (members, entries)


def write_atomic(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    with open(temporary, "w") as out:
        out.write(text)
    os.replace(temporary, path)


def summary_text(row):
    lines = ["%s  (%s, %s on %s, %d repetition%s)" % (
        config_name(row), row["runtime"], row["collector"], row["allocator"],
        row["repetitions"], "" if row["repetitions"] == 1 else "s")]
    lines.append("  %-26s %s" % ("status", row["status"]))
    if row["error"]:
        lines.append("  %-26s %s" % ("error", row["error"]))
    for name in FIGURES + SPREADS:
        value = csv_number(row[name])
        lines.append("  %-26s %s" % (name, value if value else "(not measured)"))
    return "\n".join(lines) + "\n"


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

    runner = Runner(options)
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
