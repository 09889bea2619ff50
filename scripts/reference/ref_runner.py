"""Running one reference configuration: the collector's pauses (gc.callbacks), the
recursion thread with its big stack and limit, and the Runner, which times each
repetition as `heaplab run` does and measures the figures (cpython_workloads.py)."""

import gc
import random
import resource
import sys
import threading
import time
import tracemalloc

from ref_check import CheckFailed, Untimed, check
from ref_results import NOT_MEASURED, nearest_rank, peak_rss_bytes


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
    def __init__(self, options, workloads):
        self.options = options
        self.workload, _, self.must_collect = workloads[options["workload"]]
        self.size = options["size"]
        self.recursive = options["workload"] == "recursion/sum"
        self.pauses = PauseRecorder()
        self.limit = RecursionLimit()  # set for recursion/sum only
        self.baseline_rss = None       # VmRSS just before the first repetition

    def env(self):
        """Fresh per run, so every repetition builds the same random graph."""
        return {"rng": random.Random(self.options["seed"]), "untimed": Untimed(self.pauses)}

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
            untimed = env["untimed"]  # heaplab's clock is paused there
            return (wall1 - wall0 - untimed.wall_ns, cpu1 - cpu0 - untimed.cpu_ns, found,
                    faults)

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
