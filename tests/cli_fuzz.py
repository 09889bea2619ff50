#!/usr/bin/env python3
"""A fuzzer of heaplab's command line (issue 18): random command lines drawn from the
flag vocabulary of every subcommand, with hostile values (huge, negative, malformed
numbers, powers like 1^18446744073709551615, empty strings, long strings, non-ASCII,
paths to folders, FIFOs and missing folders), each run with a time limit. A case fails
on a signal, a sanitizer report or an uncaught C++ exception, an exit code outside 0 to
4, a time-out (a hang), or error output without exactly one `heaplab:` line (a usage
error, exit 2, must be that one line and nothing else). Every path it passes is inside
WORKDIR; batches are tiny. Prints "N bad inputs tried, C crashes, H hangs".

usage: cli_fuzz.py HEAPLAB WORKDIR [--cases N] [--seed S] [--timeout SECONDS]
"""
import os
import random
import shutil
import signal
import subprocess
import sys

args = sys.argv[1:]
HEAPLAB, WORK = os.path.abspath(args[0]), os.path.abspath(args[1])


def option(name, default):
    return type(default)(args[args.index(name) + 1]) if name in args else default


CASES, SEED, TIMEOUT = option("--cases", 200), option("--seed", 1), option("--timeout", 60.0)
rng = random.Random(SEED)

NUMBERS = ["0", "1", "-1", "7", "100", "1e3", "10^3", "1K", "2M", "1^18446744073709551615",
           "0^0", "2^64", "18446744073709551615", "18446744073709551616", "99999999999999999999",
           "0x10", " 5", "5 ", "1.5", "1e-3", "nan", "inf", "-inf", "1e400", "", "abc", "1,2",
           "\u00e9", "1" * 300, "+3", "007", "1e", "e5", "10^", "^3"]
SMALL_SIZES = ["1", "10", "100", "1e3", "2^10", "1K"]
WORKLOADS = ["large_list/range", "large_list/append", "large_list/repeat", "cyclic_graph/pairs",
             "cyclic_graph/rings", "recursion/sum", "large_list", "cyclic_graph/pair",
             "nope/none", "", "large_list/", "/range", "x" * 200]
ALLOCATORS = ["libc", "pool", "bump", "jemalloc", "mimalloc", "mimaloc", "", "libc,pool", "LIBC"]
COLLECTORS = ["refcount", "rc_cycle", "mark_sweep", "boehm", "rc_cycl", "", "refcount,boehm"]
BENCH = ["--benchmark_min_time=0.01s", "--benchmark_repetitions=-1", "--benchmark_repetitions=2",
         "--benchmark_format=json", "--benchmark_format=nope", "--benchmark_filter=zzz",
         "--benchmark_list_tests=true", "--benchmark_nope=1", "--benchmark_min_time=0.001"]


def path_value():
    kind = rng.choice(["file", "folder", "missing", "fifo", "long", "empty", "dash"])
    if kind == "file":
        return os.path.join(WORK, "out%d.x" % rng.randrange(5))
    if kind == "folder":
        return WORK
    if kind == "missing":
        return os.path.join(WORK, "no", "such", "dir", "f.json")
    if kind == "fifo":
        return os.path.join(WORK, "fifo")
    if kind == "long":
        return os.path.join(WORK, "L" * 300)
    if kind == "empty":
        return ""
    return "-"


def run_case():
    argv = ["run"]
    w = rng.choice(WORKLOADS)
    if rng.random() < 0.9:
        argv += ["--workload", w]
    size = rng.choice(SMALL_SIZES) if rng.random() < 0.6 else rng.choice(NUMBERS)
    if w.startswith("recursion") and size not in SMALL_SIZES:
        size = rng.choice(SMALL_SIZES)  # deep recursion is cli.deep's, not a fuzz case
    if rng.random() < 0.95:
        argv += ["--size", size]
    argv += ["--iterations", "1"] if rng.random() < 0.8 else []
    for flag, values in (("--allocator", ALLOCATORS), ("--collector", COLLECTORS)):
        if rng.random() < 0.5:
            argv += [flag, rng.choice(values)]
    for flag in ("--repetitions", "--min-time", "--warmup", "--heap-limit", "--recursion-limit",
                 "--growth-factor", "--seed", "--fail-alloc-at", "--gc-thresholds"):
        if rng.random() < 0.12:
            value = rng.choice(NUMBERS + ["700,10,10", "1,2", "0,0,0"])
            if flag in ("--min-time", "--warmup") and value not in ("", "abc", "-1"):
                value = rng.choice(["0", "0.001", "-1", "abc", "1e400", "nan"])
            if flag == "--repetitions" and value not in ("0", "-1", "", "abc"):
                value = rng.choice(["1", "2", "0", "1001", "abc"])
            argv += [flag, value]
    for flag in ("--json", "--row", "--timeline", "--pauses", "--trace"):
        if rng.random() < 0.15:
            argv += [flag, path_value()]
    if rng.random() < 0.2:
        argv.append(rng.choice(BENCH))
    if rng.random() < 0.1:
        argv.append(rng.choice(["--bogus", "--size", "-h", "--help", "--colector", "extra"]))
    return argv


def batch_case(i):
    argv = ["batch", "--workloads", "large_list/range", "--sizes", "10", "--allocators", "libc",
            "--collectors", "refcount", "--repetitions", "1", "--samples", "1", "--reference",
            "none", "--timelines", "none", "--out", os.path.join(WORK, "batch%d" % i)]
    for _ in range(rng.randrange(1, 3)):
        flag = rng.choice(["--sizes", "--repetitions", "--samples", "--order", "--seed",
                           "--timeout", "--preset", "--allocators", "--collectors", "--workloads",
                           "--min-time", "--warmup", "--resume", "--bogus", "--timeline-size"])
        if flag == "--sizes":
            value = rng.choice(["10", "0", "-1", "1^18446744073709551615", "1e400", "", "10,,20",
                                "abc"])
        elif flag in ("--allocators", "--collectors", "--workloads"):
            value = rng.choice(ALLOCATORS + COLLECTORS + WORKLOADS[:3] + ["", ",", "libc,libc"])
        elif flag == "--resume":
            value = rng.choice([WORK, os.path.join(WORK, "nope"), ""])
        elif flag == "--preset":
            value = rng.choice(["quick", "full", "nope", ""])
        elif flag == "--order":
            value = rng.choice(["shuffled", "sequential", "random", ""])
        else:
            value = rng.choice(["0", "1", "2", "-1", "abc", "", "1e400", "0.5"])
        argv += [flag, value]
    if rng.random() < 0.2:
        argv.append(rng.choice(BENCH))
    return argv


def other_case():
    return rng.choice([
        ["list"], ["list", rng.choice(["allocators", "collectors", "workloads", "presets", "nope",
                                       ""])],
        ["help"], ["help", rng.choice(["run", "batch", "nope", "--help"])], ["--version"],
        ["bogus"], [], ["plot", rng.choice([WORK, os.path.join(WORK, "nope"), "", "-"])],
        ["compare", rng.choice([WORK, ""]), rng.choice([WORK, os.path.join(WORK, "x"), "--bogus"])],
        [rng.choice(["run", "batch", "plot", "compare", "list"]), rng.choice(["-h", "--help"])],
    ])


def verdict(argv, p):
    """None when the case is fine, else what is wrong."""
    err = p.stderr
    if p.returncode < 0:
        return "killed by signal %d" % -p.returncode
    for marker in ("AddressSanitizer", "runtime error:", "LeakSanitizer", "terminate called",
                   "Aborted", "Segmentation fault"):
        if marker in err:
            return "stderr has %r" % marker
    if p.returncode not in (0, 1, 2, 3, 4):
        return "exit %d" % p.returncode
    lines = [l for l in err.splitlines() if l.strip()]
    ours = [l for l in lines if l.startswith("heaplab")]
    if p.returncode == 2 and (len(lines) != 1 or len(ours) != 1):
        return "usage error with %d lines on stderr: %r" % (len(lines), err[-300:])
    if p.returncode in (1, 3, 4) and len([l for l in lines if l.startswith("heaplab:")]) != 1:
        return "exit %d with %d heaplab: lines: %r" % (p.returncode, len(ours), err[-300:])
    return None


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    fifo = os.path.join(WORK, "fifo")
    os.mkfifo(fifo)
    crashes = hangs = 0
    bad = []
    exits = {}
    for i in range(CASES):
        r = rng.random()
        argv = batch_case(i) if r < 0.08 else other_case() if r < 0.25 else run_case()
        try:
            p = subprocess.run([HEAPLAB, *argv], capture_output=True, text=True,
                               timeout=TIMEOUT, cwd=WORK, stdin=subprocess.DEVNULL,
                               errors="replace")
        except subprocess.TimeoutExpired:
            hangs += 1
            bad.append((argv, "no answer within %g s (a hang)" % TIMEOUT))
            continue
        exits[p.returncode] = exits.get(p.returncode, 0) + 1
        why = verdict(argv, p)
        if why is not None:
            crashes += why.startswith("killed") or "stderr has" in why
            bad.append((argv, why))
        # a FIFO that a case replaced, or a folder it filled, is made again
        if not os.path.exists(fifo):
            os.mkfifo(fifo)
    for argv, why in bad:
        print("FAIL: heaplab %s: %s" % (" ".join(repr(a) if (not a or " " in a) else a
                                                  for a in argv)[:400], why), file=sys.stderr)
    print("%d bad inputs tried, %d crashes, %d hangs, %d other failures (exit codes: %s)"
          % (CASES, crashes, hangs, len(bad) - crashes - hangs,
             ", ".join("%d x%d" % kv for kv in sorted(exits.items()))))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
