#!/usr/bin/env python3
"""The stress and fault suite, driven from outside (docs/stress.md).

usage: stress_test.py HEAPLAB GROUP WORKDIR [--sanitize] [--registry TEST_REGISTRY]

Groups (one ctest entry each, tests/stress.cmake):
  limits        impossible sizes end in a quick MemoryError, never a crash or the OOM
                killer: n = 10^12 for every variant that holds n objects, under every
                allocator and collector, with the default heap limit (< 2 s each), and
                a quick RecursionError for every variant whose frames grow with n (the
                variants, the collectors and which collector runs under which allocator
                come from `TEST_REGISTRY --print`: tests/hl_registry.py); the
                seeds' [0] * 10**9 under --heap-limit 1G for every allocator; RLIMIT_AS
                (ulimit -v) lowers the default limit, and a run whose real allocator
                runs out of address space before the limit still ends in a MemoryError
                (release build only: AddressSanitizer cannot start under RLIMIT_AS)
  batch_faults  a batch in which HEAPLAB_TEST_FAULT makes one configuration die of
                SIGSEGV and one hang: both rows are recorded (crashed, timeout) in
                results.csv and results.json, every other configuration is ok
  batch_resume  a batch interrupted with SIGINT after two configurations and finished
                with --resume holds the same configurations, each exactly once and with
                the same status, as the same batch uninterrupted (faults included)
python3 standard library only.
"""
import collections
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import hl_registry

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)
    return cond


def heaplab(*args, shell_prefix=None, timeout=120, env=None):
    cmd = [HEAPLAB, *args]
    if shell_prefix is not None:
        quoted = " ".join("'" + a.replace("'", "'\\''") + "'" for a in cmd)
        cmd = ["sh", "-c", f"{shell_prefix}; exec {quoted}"]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    p.seconds = time.monotonic() - t0
    return p


def listed(section):
    p = heaplab("list", section)
    return [line.split()[0] for line in p.stdout.splitlines() if line.strip()]


def fresh(name):
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(WORK, exist_ok=True)
    return path


# ---- limits ----------------------------------------------------------------------

# What each variant declares it grows with (hl_workload_variant.growth) decides what
# n = 10^12 must do. "heap": n objects cannot fit, a MemoryError. "depth": n frames; at
# the default recursion limit (10^7 frames, about 1 GB: cli.deep and cli.stack cover
# that) it would take seconds, so it runs under --recursion-limit 1000: a RecursionError.
# "time": constant memory at any n (it would run for hours, not fail): not run.
DEPTH_LIMIT = "1000"


def expect_memory_error(p, what, max_seconds=None):
    check(p.returncode >= 0, f"{what}: killed by signal {-p.returncode}")
    ok = check(p.returncode == 3, f"{what}: exit {p.returncode}, expected 3: {p.stderr[-300:]}")
    lines = p.stderr.strip().splitlines()
    check(bool(lines) and "memory_error: MemoryError" in lines[-1],
          f"{what}: last stderr line {lines[-1:]!r}")
    check("status        memory_error" in p.stdout, f"{what}: summary lacks memory_error")
    if max_seconds is not None:
        check(p.seconds < max_seconds, f"{what}: took {p.seconds:.2f} s (limit {max_seconds} s)")
    return ok


def expect_recursion_error(p, what, max_seconds):
    check(p.returncode >= 0, f"{what}: killed by signal {-p.returncode}")
    check(p.returncode == 4, f"{what}: exit {p.returncode}, expected 4: {p.stderr[-300:]}")
    check("status        recursion_error" in p.stdout, f"{what}: summary lacks recursion_error")
    check(p.seconds < max_seconds, f"{what}: took {p.seconds:.2f} s (limit {max_seconds} s)")


def group_limits():
    reg = hl_registry.read(REGISTRY)
    # A family (preload:PATH) is listed by its spelling and runs only given a parameter.
    allocators = [a for a in listed("allocators") if ":" not in a]
    collectors = listed("collectors")
    check(allocators == [a["name"] for a in reg.allocators],
          f"`heaplab list allocators` {allocators}, the registry {reg.allocators}")
    check(collectors == [c["name"] for c in reg.collectors],
          f"`heaplab list collectors` {collectors}, the registry {reg.collectors}")
    # A collector that serves its objects from its own allocator (boehm: libgc) runs
    # under the registry's first allocator only, as the batch runs it.
    configs = [(a, c["name"]) for a in allocators for c in reg.collectors
               if reg.runs_under(c, a)]
    by_growth = {g: [w["name"] for w in reg.workloads if w["growth"] == g]
                 for g in ("heap", "depth", "time")}
    check(by_growth["heap"] and sum(map(len, by_growth.values())) == len(reg.workloads),
          f"growths {[(w['name'], w['growth']) for w in reg.workloads]}")
    runs, slowest = 0, 0.0
    for allocator, collector in configs:
        for workload in by_growth["heap"]:
            p = heaplab("run", "--workload", workload, "--size", "1e12", "--allocator", allocator,
                        "--collector", collector, "--iterations", "1")
            expect_memory_error(p, f"{workload} n=10^12 {allocator} {collector}", 2.0)
            runs += 1
            slowest = max(slowest, p.seconds)
    print(f"n = 10^12: {runs} runs ({len(by_growth['heap'])} variants that hold n objects x "
          f"{len(configs)} allocator x collector), all memory_error, slowest {slowest:.2f} s")
    runs, slowest = 0, 0.0
    for allocator, collector in configs:
        for workload in by_growth["depth"]:
            p = heaplab("run", "--workload", workload, "--size", "1e12", "--recursion-limit",
                        DEPTH_LIMIT, "--allocator", allocator, "--collector", collector,
                        "--iterations", "1")
            expect_recursion_error(p, f"{workload} n=10^12 --recursion-limit {DEPTH_LIMIT} "
                                   f"{allocator} {collector}", 2.0)
            runs += 1
            slowest = max(slowest, p.seconds)
    print(f"n = 10^12 under --recursion-limit {DEPTH_LIMIT}: {runs} runs "
          f"({', '.join(by_growth['depth']) or 'no variant'}), all recursion_error, "
          f"slowest {slowest:.2f} s; not run (constant memory): "
          f"{', '.join(by_growth['time']) or 'none'}")

    # The seeds' heap overflow, [0] * 10**9 (8 GB of slots), under --heap-limit 1G.
    for allocator in allocators:
        p = heaplab("run", "--workload", "large_list/repeat", "--size", "10^9", "--heap-limit",
                    "1G", "--allocator", allocator, "--iterations", "1")
        if expect_memory_error(p, f"[0] * 10**9 --heap-limit 1G {allocator}", 2.0):
            check("heap limit 1073741824 bytes" in p.stderr, f"{allocator}: {p.stderr[-300:]}")

    if SANITIZE:
        print("RLIMIT_AS checks skipped: AddressSanitizer reserves terabytes of address space "
              "for its shadow memory and cannot start under ulimit -v (release build only)")
        return
    for allocator in allocators:
        # 4,000,000 KiB of address space: the default heap limit becomes 3/4 of it.
        p = heaplab("run", "--workload", "large_list/range", "--size", "1e9", "--allocator",
                    allocator, "--iterations", "1", shell_prefix="ulimit -v 4000000")
        if expect_memory_error(p, f"ulimit -v 4000000, list(range(10**9)), {allocator}", 2.0):
            check("heap limit 3072000000 bytes" in p.stderr,
                  f"{allocator}: the default limit is not 3/4 of RLIMIT_AS: {p.stderr[-300:]}")
        # 5*10^7 appends fit the lower bound (400 MB of slots) but not the limit (768 MB
        # of requested bytes); the allocator's own overhead may exhaust the address space
        # first (a failed malloc/mmap): a MemoryError either way, never a crash.
        p = heaplab("run", "--workload", "large_list/append", "--size", "5e7", "--allocator",
                    allocator, "--iterations", "1", shell_prefix="ulimit -v 1000000")
        expect_memory_error(p, f"ulimit -v 1000000, 5*10^7 appends, {allocator}", 20.0)
    print("RLIMIT_AS: every allocator ends in memory_error")


# ---- batches under faults ----------------------------------------------------------

SEGV = "recursion/sum/100/libc/refcount"
HANG = "large_list/range/100/pool/mark_sweep"
FAULTS = f"{SEGV}=segv;{HANG}=hang"
TIMEOUT = 3


def fault_env():
    env = dict(os.environ)
    env["HEAPLAB_TEST_FAULT"] = FAULTS
    return env


def identity(row):
    return (row.get("runtime", "heaplab"), row["workload"], str(row["size"]), row["allocator"],
            row["collector"])


def name_of(ident):
    return "/".join(ident[1:])


def read_rows(out):
    with open(os.path.join(out, "results.csv"), newline="") as f:
        return list(csv.DictReader(f))


def read_json(out):
    with open(os.path.join(out, "results.json")) as f:
        return json.load(f)["benchmarks"]


def running_children(config, out):
    """heaplab processes of the batch in `out` still running the configuration: its
    names and size in argv and its --row under `out` (so that the same test running
    from another build folder at the same time is not mistaken for ours)."""
    family, variant, size, allocator, collector = config.split("/")
    workload = f"{family}/{variant}"
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                words = [w.decode(errors="replace") for w in f.read().split(b"\0")]
        except OSError:
            continue
        if ("run" in words and all(x in words for x in (workload, size, allocator, collector))
                and any(w.startswith(out + os.sep) for w in words)):
            found.append(int(pid))
    return found


def check_fault_rows(out, expected):
    """results.csv and results.json hold every expected configuration once: the SEGV one
    crashed, the HANG one timed out, every other one ok."""
    rows = read_rows(out)
    ids = [identity(r) for r in rows]
    check(len(ids) == len(set(ids)), f"{out}: a configuration recorded twice: {ids}")
    check(set(ids) == expected, f"{out}: configurations {sorted(set(ids) ^ expected)} differ")
    by_name = {name_of(identity(r)): r for r in rows}
    segv, hang = by_name.get(SEGV, {}), by_name.get(HANG, {})
    check(segv.get("status") == "crashed", f"SIGSEGV row: {segv}")
    check("signal 11" in segv.get("error", "") or "SEGV" in segv.get("error", ""),
          f"the crashed row does not name the signal: {segv.get('error')!r}")
    check(hang.get("status") == "timeout", f"hung row: {hang}")
    for name, r in by_name.items():
        if name not in (SEGV, HANG):
            check(r["status"] == "ok", f"{name}: {r['status']} {r['error']}")
    entries = read_json(out)
    seen = collections.Counter()
    for e in entries:
        ident = identity(e)
        name = name_of(ident)
        want = {SEGV: "crashed", HANG: "timeout"}.get(name, "ok")
        check(e.get("status") == want, f"results.json {name}: status {e.get('status')}")
        if want != "ok":
            check(e.get("error_occurred") is True, f"results.json {name}: error_occurred")
        if e.get("run_type", "iteration") == "iteration":
            seen[ident] += 1
    check(set(seen) == expected, f"results.json configurations {sorted(set(seen) ^ expected)}")
    check(all(v == 1 for v in seen.values()),
          f"results.json: a configuration's entries repeated: "
          f"{[name_of(k) for k, v in seen.items() if v != 1]}")
    return rows, seen


def group_batch_faults():
    out = fresh("faults")
    args = ["batch", "--out", out, "--allocators", "libc,pool", "--collectors",
            "refcount,mark_sweep", "--workloads", "recursion/sum,large_list/range", "--sizes",
            "100", "--repetitions", "1", "--samples", "1", "--timeout", str(TIMEOUT), "--timelines", "none",
            "--reference", "none"]
    p = heaplab(*args, env=fault_env(), timeout=240)
    seconds = p.seconds
    check(p.returncode == 1, f"faulty batch exited {p.returncode}, want 1 (a crash and a timeout): {p.stderr[-1000:]}")
    check(p.seconds >= TIMEOUT, f"the batch took {p.seconds:.2f} s: the hang was not waited for")
    expected = {("heaplab", w, "100", a, c) for w in ("recursion/sum", "large_list/range")
                for a in ("libc", "pool") for c in ("refcount", "mark_sweep")}
    if not check(os.path.exists(os.path.join(out, "results.csv")), "no results.csv"):
        return
    check_fault_rows(out, expected)
    # the progress lines name both
    check(f"{SEGV}: crashed" in p.stderr and f"{HANG}: timeout" in p.stderr,
          f"progress lines: {p.stderr[-1000:]}")
    time.sleep(0.2)
    check(not running_children(HANG, out), "the hung configuration is still running")
    # The test mode is off without the variable: the same configurations run ok.
    p = heaplab("run", "--workload", "recursion/sum", "--size", "100", "--iterations", "1")
    check(p.returncode == 0, f"without HEAPLAB_TEST_FAULT: exit {p.returncode}")
    # A malformed value is a usage error, not a silent no-op.
    env = fault_env()
    env["HEAPLAB_TEST_FAULT"] = f"{SEGV}=explode"
    p = heaplab("run", "--workload", "recursion/sum", "--size", "100", "--iterations", "1",
                env=env)
    check(p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
          and "HEAPLAB_TEST_FAULT" in p.stderr, f"malformed HEAPLAB_TEST_FAULT: {p.returncode} "
          f"{p.stderr!r}")
    print(f"batch with faults: {len(expected)} configurations, {SEGV} crashed, {HANG} timeout, "
          f"the rest ok ({seconds:.1f} s)")


def group_batch_resume():
    matrix = ["--allocators", "libc,pool", "--collectors", "refcount,rc_cycle,mark_sweep",
              "--workloads", "recursion/sum,large_list/range", "--sizes", "100,20000",
              "--repetitions", "1", "--samples", "1", "--timeout", str(TIMEOUT), "--timelines", "none",
              "--reference", "none"]
    expected = {("heaplab", w, s, a, c) for w in ("recursion/sum", "large_list/range")
                for s in ("100", "20000") for a in ("libc", "pool")
                for c in ("refcount", "rc_cycle", "mark_sweep")}
    total = len(expected)

    whole = fresh("resume-whole")
    p = heaplab("batch", "--out", whole, *matrix, env=fault_env(), timeout=240)
    check(p.returncode == 1, f"uninterrupted batch exited {p.returncode}, want 1 (faults): {p.stderr[-1000:]}")
    whole_rows, whole_json = check_fault_rows(whole, expected)

    parts = fresh("resume-parts")
    batch = subprocess.Popen([HEAPLAB, "batch", "--out", parts, *matrix], env=fault_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finished, log = 0, []
    deadline = time.monotonic() + 120
    # Progress lines on stderr (not a terminal): "[k/N] name: status (t s)".
    while finished < 2 and time.monotonic() < deadline:
        line = batch.stderr.readline()
        if not line:
            break
        log.append(line)
        if line.startswith("["):
            finished += 1
    batch.send_signal(signal.SIGINT)
    _, rest = batch.communicate(timeout=120)
    log.append(rest)
    check(finished == 2, f"saw {finished} progress lines before the interrupt: {''.join(log)}")
    check(batch.returncode == 130, f"interrupted batch exited {batch.returncode}: "
          f"{''.join(log)[-1000:]}")
    rows = read_rows(parts) if os.path.exists(os.path.join(parts, "results.csv")) else []
    check(2 <= len(rows) < total, f"interrupted batch recorded {len(rows)} of {total} rows")
    check(len({identity(r) for r in rows}) == len(rows), "duplicate rows after the interrupt")
    before = {identity(r): r for r in rows}

    p = heaplab("batch", "--resume", parts, env=fault_env(), timeout=240)
    check(p.returncode == 1, f"--resume exited {p.returncode}, want 1 (faults): {p.stderr[-1000:]}")
    check(f"{len(rows)} of {total} configurations already finished" in p.stderr,
          f"--resume did not skip the finished ones: {p.stderr[:500]}")
    rows, seen = check_fault_rows(parts, expected)
    # The same set as the uninterrupted batch, each exactly once, same statuses.
    ids = collections.Counter(identity(r) for r in rows)
    check(ids == collections.Counter(identity(r) for r in whole_rows),
          "resumed batch's results.csv differs from the uninterrupted one's")
    check(seen == whole_json, "resumed batch's results.json differs from the uninterrupted one's")
    status = {identity(r): r["status"] for r in rows}
    check(status == {identity(r): r["status"] for r in whole_rows},
          f"statuses differ: {status}")
    # What finished before the interrupt was not run again.
    after = {identity(r): r for r in rows}
    for ident, r in before.items():
        check(after[ident]["real_time_ns"] == r["real_time_ns"],
              f"--resume re-ran {name_of(ident)}")
    leftovers = [f for d, _, files in os.walk(parts) for f in files if ".tmp." in f]
    check(not leftovers, f"temporary files left behind: {leftovers}")
    print(f"interrupted after {len(before)} of {total} configurations, resumed: the same "
          f"{total} configurations as the uninterrupted batch, each once")


def main():
    global HEAPLAB, WORK, SANITIZE, REGISTRY
    HEAPLAB, group, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
    rest = sys.argv[4:]
    SANITIZE = "--sanitize" in rest
    REGISTRY = rest[rest.index("--registry") + 1] if "--registry" in rest[:-1] else None
    if group == "limits" and REGISTRY is None:
        print("stress_test.py limits: --registry TEST_REGISTRY is required", file=sys.stderr)
        return 2
    {"limits": group_limits, "batch_faults": group_batch_faults,
     "batch_resume": group_batch_resume}[group]()
    print(f"stress {group}: {checks} checks, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
