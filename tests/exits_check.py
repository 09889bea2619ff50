#!/usr/bin/env python3
"""heaplab's exits and streams as CI sees them (issue 12, items 3 and 6).

Usage: exits_check.py HEAPLAB SOURCE_DIR WORKDIR GROUP
GROUP is one of:
  batch       batch exit codes: 0 when every configuration has a result, 1 when one
              crashed or timed out (HEAPLAB_TEST_FAULT, docs/cli.md "Test modes") after
              all the others ran; the tally line that ends the batch
  flags       a --benchmark_* flag Google Benchmark rejects is a usage error before the
              first configuration (exit 2, one line naming it, no folder)
  stdout      run --benchmark_format=json, --json - and --row -: stdout parses as that
              format alone
  version     heaplab --version and heaplab version: "heaplab <version> (<revision>)"
  help        -h and --help on every subcommand: usage on stdout, exit 0
  didyoumean  a mistyped option or name: one line "(did you mean X?)", exit 2
  pty         a tiny batch under a pseudo-terminal at COLUMNS=60: no line wider than 59,
              the charts step and the tally shown
Standard library only; exits non-zero with a message on the first failed check.
"""
import csv
import io
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time

from hl_testing import check, fail  # tests/ is on sys.path

HEAPLAB, SOURCE, WORK, GROUP = sys.argv[1:5]

SUBCOMMANDS = ["run", "batch", "plot", "compare", "list", "help", "version"]
# One configuration per (workload, collector) at n = 100: a batch of 4 in a second or two.
TINY = ["--allocators", "libc", "--collectors", "refcount,mark_sweep", "--workloads",
        "recursion/sum,large_list/range", "--sizes", "100", "--repetitions", "1", "--samples",
        "1", "--min-time", "0.001", "--warmup", "0", "--timelines", "none", "--reference",
        "none"]
SEGV = "recursion/sum/100/libc/refcount"
HANG = "large_list/range/100/libc/mark_sweep"
TALLY = re.compile(r"^heaplab batch: (\d+ [a-z_]+(, \d+ [a-z_]+)*|nothing ran)$")
SCHEMA_ORDER = ["ok", "memory_error", "recursion_error", "failed", "crashed", "timeout"]




def heaplab(*args, env=None, timeout=240):
    return subprocess.run([HEAPLAB, *args], capture_output=True, text=True, timeout=timeout,
                          env=env)


def fresh(name):
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(WORK, exist_ok=True)
    return path


def env_without_faults(**extra):
    env = {k: v for k, v in os.environ.items() if k != "HEAPLAB_TEST_FAULT"}
    env.update(extra)
    return env


def tally_of(stderr):
    """The batch's last stderr line as {status: count}, checked for its form."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    check(lines, "the batch printed nothing on stderr")
    last = lines[-1]
    check(TALLY.match(last) is not None, f"the batch's last line is not a tally: {last!r}")
    counts = {}
    for part in last[len("heaplab batch: "):].split(", "):
        n, status = part.split(" ")
        check(status in SCHEMA_ORDER, f"unknown status {status!r} in {last!r}")
        check(int(n) > 0, f"a zero count in the tally: {last!r}")
        counts[status] = int(n)
    order = [s for s in SCHEMA_ORDER if s in counts]
    check(list(counts) == order, f"the tally is not in the schema's order: {last!r}")
    return counts


def rows_of(out):
    with open(os.path.join(out, "results.csv"), newline="") as f:
        return {(r["workload"], r["collector"]): r["status"] for r in csv.DictReader(f)}


# ---- groups -------------------------------------------------------------------------


def group_batch():
    out = fresh("all-ok")
    p = heaplab("batch", "--out", out, *TINY, env=env_without_faults())
    check(p.returncode == 0, f"a batch of ok rows exited {p.returncode}: {p.stderr[-800:]}")
    check(tally_of(p.stderr) == {"ok": 4}, f"tally of the ok batch: {p.stderr[-300:]}")
    check(p.stdout.strip() == f"{out}/report.html", f"stdout of the batch: {p.stdout!r}")

    out = fresh("crash")
    p = heaplab("batch", "--out", out, *TINY, env=env_without_faults(HEAPLAB_TEST_FAULT=f"{SEGV}=segv"))
    check(p.returncode == 1, f"a batch with a crash exited {p.returncode}, want 1: "
          f"{p.stderr[-800:]}")
    check(tally_of(p.stderr) == {"ok": 3, "crashed": 1}, f"tally with a crash: {p.stderr[-300:]}")
    rows = rows_of(out)
    # the others ran after the crash
    check(len(rows) == 4 and rows[("recursion/sum", "refcount")] == "crashed"
          and sum(s == "ok" for s in rows.values()) == 3, f"rows with a crash: {rows}")
    check(os.path.isfile(os.path.join(out, "report.html")), "no report.html after a crash")

    out = fresh("timeout")
    t0 = time.monotonic()
    p = heaplab("batch", "--out", out, *TINY, "--timeout", "2",
                env=env_without_faults(HEAPLAB_TEST_FAULT=f"{SEGV}=segv;{HANG}=hang"))
    check(p.returncode == 1, f"a batch with a crash and a timeout exited {p.returncode}: "
          f"{p.stderr[-800:]}")
    check(time.monotonic() - t0 >= 2, "the hang was not waited for")
    check(tally_of(p.stderr) == {"ok": 2, "crashed": 1, "timeout": 1},
          f"tally with a crash and a timeout: {p.stderr[-300:]}")
    check(rows_of(out)[("large_list/range", "mark_sweep")] == "timeout", "no timeout row")

    # a usage error is still 2, before anything runs
    out = fresh("usage")
    p = heaplab("batch", "--out", out, *TINY, "--sizes", "0")
    check(p.returncode == 2 and not os.path.exists(out), f"--sizes 0: {p.returncode} {p.stderr}")
    print("batch: 0 all ok, 1 with a crash, 1 with a crash and a timeout, tallies in order")


def group_flags():
    for flag in ["--benchmark_min_time=0.01s", "--benchmark_repetitions=x",
                 "--benchmark_nonsense=1"]:
        out = fresh("flags")
        t0 = time.monotonic()
        p = heaplab("batch", "--out", out, *TINY, flag)
        lines = p.stderr.strip().splitlines()
        check(p.returncode == 2, f"{flag}: exit {p.returncode}, want 2: {p.stderr[-800:]}")
        check(len(lines) == 1 and flag in lines[0] and lines[0].startswith("heaplab: "),
              f"{flag}: not one line naming the flag: {p.stderr!r}")
        check(not os.path.exists(out), f"{flag}: the batch made {out} before failing")
        check(p.stdout == "", f"{flag}: stdout {p.stdout!r}")
        check(time.monotonic() - t0 < 30, f"{flag}: the check took too long")
    # a flag it accepts runs the batch, and the children get it
    out = fresh("flags-ok")
    p = heaplab("batch", "--out", out, *TINY, "--benchmark_min_time=0.001")
    check(p.returncode == 0, f"--benchmark_min_time=0.001: {p.returncode} {p.stderr[-800:]}")
    check(tally_of(p.stderr) == {"ok": 4}, f"tally: {p.stderr[-300:]}")
    # the check also runs on --resume (the saved flags are the batch's)
    print("flags: bad --benchmark_* flags are usage errors before the first configuration")


def group_stdout():
    base = ["run", "--workload", "recursion/sum", "--size", "100", "--iterations", "1"]
    for allocator in ["libc", "jemalloc"]:
        a = ["--allocator", allocator]
        p = heaplab(*base, *a, "--benchmark_format=json")
        check(p.returncode == 0, f"{allocator} --benchmark_format=json: {p.stderr[-500:]}")
        try:
            doc = json.loads(p.stdout)
        except ValueError as e:
            fail(f"{allocator} --benchmark_format=json: stdout is not JSON ({e}): {p.stdout[-500:]!r}")
        check(len(doc["benchmarks"]) >= 1, "no benchmarks in the JSON")
        check("heaplab run:" in p.stderr, "the summary is not on stderr")

        p = heaplab(*base, *a, "--json", "-")
        check(p.returncode == 0, f"{allocator} --json -: {p.stderr[-500:]}")
        try:
            doc = json.loads(p.stdout)
        except ValueError as e:
            fail(f"{allocator} --json -: stdout is not JSON ({e}): {p.stdout[-500:]!r}")
        check(doc["context"]["heaplab_status"] == "ok" and len(doc["benchmarks"]) >= 1,
              f"--json - document: {p.stdout[:300]}")
        check("heaplab run:" in p.stderr and "Benchmark" in p.stderr,
              "the summary and Google Benchmark's table are not on stderr")

        p = heaplab(*base, *a, "--row", "-")
        check(p.returncode == 0, f"{allocator} --row -: {p.stderr[-500:]}")
        rows = list(csv.DictReader(io.StringIO(p.stdout)))
        check(len(rows) == 1 and rows[0]["status"] == "ok" and rows[0]["workload"] == "recursion/sum",
              f"--row - is not one CSV row: {p.stdout!r}")

    # --json - with Google Benchmark's JSON display: still one document on stdout
    p = heaplab(*base, "--json", "-", "--benchmark_format=json")
    check(p.returncode == 0 and "heaplab_status" in json.loads(p.stdout)["context"],
          f"--json - --benchmark_format=json: {p.stdout[:300]!r}")
    # a failing run keeps stdout clean too
    p = heaplab(*base, "--json", "-", "--heap-limit", "1K")
    check(p.returncode == 3, f"--heap-limit 1K: exit {p.returncode}")
    check(json.loads(p.stdout)["context"]["heaplab_status"] == "memory_error",
          f"--json - of a MemoryError: {p.stdout[:300]!r}")
    p = heaplab(*base, "--json", "-", "--row", "-")
    check(p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and p.stdout == "",
          f"--json - --row -: {p.returncode} {p.stderr!r}")
    print("stdout: --benchmark_format=json, --json - and --row - give stdout to that format alone")


def group_version():
    with open(os.path.join(SOURCE, "CMakeLists.txt")) as f:
        version = re.search(r"project\(heaplab VERSION ([0-9.]+)", f.read()).group(1)
    outputs = []
    for args in (["--version"], ["version"]):
        p = heaplab(*args)
        check(p.returncode == 0 and p.stderr == "", f"{args}: {p.returncode} {p.stderr!r}")
        m = re.fullmatch(r"heaplab (\S+) \((\S+)\)\n", p.stdout)
        check(m is not None, f"{args}: {p.stdout!r}")
        check(m.group(1) == version, f"{args}: version {m.group(1)}, CMakeLists.txt has {version}")
        outputs.append(p.stdout)
    check(outputs[0] == outputs[1], f"--version and version differ: {outputs}")
    revision = re.fullmatch(r"heaplab \S+ \((\S+)\)\n", outputs[0]).group(1)
    if os.path.exists(os.path.join(SOURCE, ".git")):
        # `git describe --always --dirty`: [TAG-N-g]HASH[-dirty]. The hash must name a
        # commit of this tree (HEAD when the binary was built; a later commit without a
        # rebuild is not this test's business).
        m = re.fullmatch(r"(?:.*-g)?([0-9a-f]{7,40})(-dirty)?", revision)
        check(m is not None, f"revision {revision!r} is not git describe's form")
        known = subprocess.run(["git", "-C", SOURCE, "rev-parse", "--verify", "--quiet",
                                m.group(1) + "^{commit}"], capture_output=True, text=True)
        check(known.returncode == 0, f"revision {revision} is no commit of {SOURCE}")
    else:
        check(revision == "unknown", f"no .git, yet revision {revision}")
    p = heaplab("version", "extra")
    check(p.returncode == 2, f"version extra: {p.returncode}")
    print(f"version: {outputs[0].strip()}")


def group_help():
    for command in SUBCOMMANDS:
        for flag in ("-h", "--help"):
            p = heaplab(command, flag)
            check(p.returncode == 0, f"{command} {flag}: exit {p.returncode}: {p.stderr!r}")
            check(p.stdout.startswith("usage: heaplab"), f"{command} {flag}: {p.stdout[:200]!r}")
            check(p.stderr == "", f"{command} {flag}: stderr {p.stderr!r}")
    for args in (["help", "--help"], ["help", "-h"], ["-h"], ["--help"], ["help"]):
        p = heaplab(*args)
        check(p.returncode == 0 and "commands:" in p.stdout, f"{args}: {p.returncode} {p.stderr!r}")
    # help COMMAND is COMMAND --help
    for command in SUBCOMMANDS:
        p = heaplab("help", command)
        check(p.returncode == 0 and p.stdout.startswith("usage: heaplab"), f"help {command}: "
              f"{p.returncode} {p.stdout[:100]!r}")
    # -h after other options too
    p = heaplab("run", "--workload", "recursion/sum", "-h")
    check(p.returncode == 0 and "--workload" in p.stdout, f"run --workload W -h: {p.returncode}")
    print(f"help: -h and --help on {', '.join(SUBCOMMANDS)}")


DID_YOU_MEAN = [
    (["batch", "--allocator", "libc"], "batch: unknown option '--allocator'", "--allocators"),
    (["run", "--workload", "recursion/sum", "--allocators", "libc"],
     "run: unknown option '--allocators'", "--allocator"),
    (["run", "--workload", "recursion/sum", "--colector", "refcount"],
     "run: unknown option '--colector'", "--collector"),
    (["run", "--workload", "cyclic_graph/pair"], "unknown workload 'cyclic_graph/pair'",
     "cyclic_graph/pairs"),
    (["run", "--workload", "recursion/sum", "--allocator", "mimaloc"],
     "unknown allocator 'mimaloc'", "mimalloc"),
    (["run", "--workload", "recursion/sum", "--collector", "rc_cycl"],
     "unknown collector 'rc_cycl'", "rc_cycle"),
    (["batch", "--collectors", "refcount,rc_cycl"], "unknown collector 'rc_cycl'", "rc_cycle"),
    (["batch", "--allocators", "mimaloc"], "unknown allocator 'mimaloc'", "mimalloc"),
    (["batch", "--workloads", "cyclic_graph/pair"], "unknown workload 'cyclic_graph/pair'",
     "cyclic_graph/pairs"),
    (["batch", "--workloads", "cyclc_graph"], "unknown workload 'cyclc_graph'", "cyclic_graph"),
    (["batch", "--preset", "quik"], "unknown preset 'quik'", "quick"),
    (["batch", "--order", "shufled"], "unknown order 'shufled'", "shuffled"),
    (["lsit"], "unknown command 'lsit'", "list"),
    (["help", "bach"], "unknown command 'bach'", "batch"),
    (["list", "alocators"], "unknown section 'alocators'", "allocators"),
    (["plot", "--hlep"], "plot: unknown option '--hlep'", "--help"),
]
# Far from every name: the valid choices instead of a guess.
NO_GUESS = [
    (["run", "--workload", "recursion/sum", "--collector", "gencopy"], "valid: refcount"),
    (["run", "--workload", "recursion/sum", "--allocator", "x"], "valid: libc"),
    (["run", "--workload", "recursion/sum", "--frobnicate"], "valid: --workload"),
    # another real allocator heaplab does not have, two edits from jemalloc, tcmalloc and
    # mimalloc: not taken for a typo
    (["run", "--workload", "recursion/sum", "--allocator", "rpmalloc"], "valid: libc"),
]


def group_didyoumean():
    for args, head, guess in DID_YOU_MEAN:
        p = heaplab(*args, "--out", fresh("dym")) if args[0] == "batch" else heaplab(*args)
        lines = p.stderr.strip().splitlines()
        want = f"{head} (did you mean {guess}?)"
        check(p.returncode == 2, f"{args}: exit {p.returncode}, want 2: {p.stderr!r}")
        check(len(lines) == 1 and lines[0].startswith("heaplab: ") and lines[0].endswith(want),
              f"{args}: {p.stderr!r}, want a line ending {want!r}")
        check(p.stdout == "", f"{args}: stdout {p.stdout!r}")
    for args, word in NO_GUESS:
        p = heaplab(*args)
        check(p.returncode == 2 and word in p.stderr and "did you mean" not in p.stderr,
              f"{args}: {p.returncode} {p.stderr!r}")
    print(f"didyoumean: {len(DID_YOU_MEAN)} guesses, {len(NO_GUESS)} without one")


def read_pty(master, proc, deadline):
    data = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child side closed
                break
            if not chunk:
                break
            data += chunk
        elif proc.poll() is not None:
            break
    return data


def group_pty():
    out = fresh("pty")
    master, slave = pty.openpty()
    env = env_without_faults(COLUMNS="60", TERM="xterm")
    # a long batch name in the bar: the configurations' names are 35-40 characters, so
    # at 60 columns the line must give up part of the bar or the name
    proc = subprocess.Popen([HEAPLAB, "batch", "--out", out, *TINY, "--timeout", "2"],
                            stdin=slave, stdout=subprocess.PIPE, stderr=slave,
                            env=dict(env, HEAPLAB_TEST_FAULT=f"{HANG}=hang"))
    os.close(slave)
    data = read_pty(master, proc, time.monotonic() + 240)
    proc.wait(timeout=60)
    os.close(master)
    text = data.decode(errors="replace")
    check(proc.returncode == 1, f"the batch with a timeout exited {proc.returncode}: {text[-800:]}")
    # What a terminal shows: every \r starts the line again, \033[K clears it.
    plain = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)
    segments = re.split(r"[\r\n]", plain)
    widest = max(segments, key=len)
    check(len(widest) <= 59, f"a line of {len(widest)} characters at COLUMNS=60: {widest!r}")
    check(any(s.startswith("[") and "/4" in s for s in segments), f"no bar drawn: {plain[-800:]!r}")
    check("charts" in plain, f"no charts step: {plain[-800:]!r}")
    check(f"{HANG}: timeout" in plain, f"the timeout is not shown above the bar: {plain[-800:]!r}")
    last = [s for s in segments if s.strip()][-1]
    check(last == "heaplab batch: 3 ok, 1 timeout", f"the last line is not the tally: {last!r}")
    print(f"pty: widest line {len(widest)} characters at COLUMNS=60, charts step, tally last")


GROUPS = {"batch": group_batch, "flags": group_flags, "stdout": group_stdout,
          "version": group_version, "help": group_help, "didyoumean": group_didyoumean,
          "pty": group_pty}

if __name__ == "__main__":
    if GROUP not in GROUPS:
        fail(f"unknown group {GROUP!r} (valid: {', '.join(GROUPS)})")
    GROUPS[GROUP]()
