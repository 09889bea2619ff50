#!/usr/bin/env python3
"""Tests of `heaplab batch`, `heaplab plot`, `heaplab compare` and the report.

Usage: batch_check.py HEAPLAB WORKDIR TEST
TEST is one of: folder, compare, resume, timeout, crash, bad-args, report, results-json,
reference, reference-resume, reference-faults, reference-none, reformatted,
reference-variants, invocations, colours, charts.
Each test exits non-zero with a message on the first failed check. Standard library
only; Google Benchmark's compare.py runs under /usr/bin/python3 (Debian's, with scipy).
"""
import csv
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

from hl_testing import check, fail, run_heaplab  # tests/ is on sys.path

HEAPLAB, WORK, TEST = sys.argv[1], sys.argv[2], sys.argv[3]
COMPARE_PY = "/usr/share/benchmark/compare.py"
SYSTEM_PYTHON = "/usr/bin/python3"

# The tiny matrix: 2 allocators x 2 collectors x 2 workloads at n = 100.
TINY = ["--allocators", "libc,pool", "--collectors", "refcount,mark_sweep",
        "--workloads", "recursion/sum,cyclic_graph/pairs", "--sizes", "100",
        "--repetitions", "2", "--timelines", "cyclic_graph/rings", "--timeline-size", "2000",
        "--reference", "none"]
TINY_CONFIGS = {(w, "100", a, c) for w in ("recursion/sum", "cyclic_graph/pairs")
                for a in ("libc", "pool") for c in ("refcount", "mark_sweep")}




def run(args, timeout=300, **kw):
    return run_heaplab(HEAPLAB, args, timeout, **kw)


def fresh(name):
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    return path


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def identity(row):
    return (row["workload"], str(row["size"]), row["allocator"], row["collector"])


def tiny_batch(name, extra=()):
    out = fresh(name)
    r = run(["batch", "--out", out] + TINY + list(extra))
    check(r.returncode == 0, "tiny batch exited %d: %s" % (r.returncode, r.stderr[-2000:]))
    return out, r


def check_folder(out):
    for f in ("manifest.json", "results.json", "results.csv", "report.html", "batch.json"):
        p = os.path.join(out, f)
        check(os.path.isfile(p) and os.path.getsize(p) > 0, "missing or empty " + p)
    rows = read_csv(os.path.join(out, "results.csv"))
    check(len(rows) == len(TINY_CONFIGS), "results.csv has %d rows, want %d" % (len(rows), len(TINY_CONFIGS)))
    check({identity(r) for r in rows} == TINY_CONFIGS, "results.csv configurations differ")
    check(all(r["status"] == "ok" for r in rows), "a tiny configuration failed: %s" % rows)
    # the schema's columns, spelled as DESIGN.md spells them
    for col in ("real_time_ns", "cpu_time_ns", "gc_time_ns", "mutator_time_ns", "peak_rss_bytes",
                "baseline_rss_bytes", "peak_live_bytes", "allocator_resident_bytes",
                "minor_faults", "major_faults", "allocs", "frees", "gc_collections",
                "gc_pause_total_ns", "gc_pause_max_ns", "gc_pause_p50_ns", "gc_pause_p99_ns",
                "objects_collected", "leaked_objects", "leaked_bytes", "status"):
        check(col in rows[0], "results.csv lacks column " + col)
    # each configuration's 95% intervals over its 2 invocations bracket its median
    for r in rows:
        for name in ("real_time_ns", "cpu_time_ns", "peak_rss_bytes", "peak_live_bytes"):
            low, high = r.get(name + "_ci_low", ""), r.get(name + "_ci_high", "")
            if not check(low != "" and high != "", "%s: no interval for %s" % (identity(r), name)):
                continue
            check(float(low) <= float(r[name]) <= float(high),
                  "%s: %s %s outside its interval [%s, %s]" % (identity(r), name, r[name], low, high))
    leak = {identity(r): float(r["leaked_objects"]) for r in rows}
    check(leak[("cyclic_graph/pairs", "100", "libc", "refcount")] >= 100, "refcount should leak the 100 people")
    check(leak[("cyclic_graph/pairs", "100", "libc", "mark_sweep")] == 0, "mark_sweep should leak nothing")

    with open(os.path.join(out, "results.json")) as f:
        doc = json.load(f)
    check("context" in doc and "benchmarks" in doc, "results.json lacks context/benchmarks")
    for key in ("date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "caches",
                "library_build_type"):
        check(key in doc["context"], "results.json context lacks " + key)
    # every timed repetition of every invocation (its samples), none of the
    # per-process aggregates, numbered over the configuration
    samples = manifest_samples(out)
    seen = {}
    for e in doc["benchmarks"]:
        for key in ("name", "run_name", "run_type", "iterations", "real_time", "cpu_time",
                    "time_unit", "status", "workload", "size", "allocator", "collector"):
            check(key in e, "results.json entry lacks %s: %s" % (key, e))
        check(e["run_type"] == "iteration", "results.json has an aggregate: %s" % e["name"])
        ident = (e["workload"], str(e["size"]), e["allocator"], e["collector"])
        seen.setdefault(ident, []).append((e.get("heaplab_invocation"), e.get("heaplab_sample"),
                                           e.get("repetition_index"), e.get("repetitions")))
        # compare.py pairs entries by name: the configuration and "real_time", no run
        # settings (min_time, min_warmup_time, repeats), the same in name and run_name
        check(e["name"] == "%s/%s/%s/%s/real_time" % ident, "name %s" % e["name"])
        check(e["run_name"] == e["name"], "run_name %s, name %s" % (e["run_name"], e["name"]))
        check(e["repetitions"] == 2 * samples, "repetitions %s" % e["repetitions"])
        check(isinstance(e.get("real_time_ns_ci_low"), float), "no interval in %s" % e["name"])
    check(set(seen) == TINY_CONFIGS, "results.json configurations differ: %s" % sorted(seen))
    want = [(k, s, k * samples + s, 2 * samples) for k in range(2) for s in range(samples)]
    check(all(sorted(v) == want for v in seen.values()),
          "each configuration should have 2 invocations x %d samples: %s" % (samples, seen))
    with open(os.path.join(out, "batch.json")) as f:
        saved = json.load(f)
    check(saved == {"args": TINY}, "batch.json: %s" % saved)

    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    for section, keys in (("host", ("name", "cpu_model", "cores_online", "memory_bytes", "kernel")),
                          ("build", ("compiler", "build_type", "c_flags", "git_revision")),
                          ("versions", ("libbenchmark", "gnuplot", "jemalloc", "mimalloc"))):
        for k in keys:
            check(k in manifest.get(section, {}), "manifest lacks %s.%s" % (section, k))
    check(manifest["versions"]["gnuplot"].startswith("gnuplot"), "gnuplot version: %s" % manifest["versions"])
    check(manifest["batch"]["configurations_done"] == manifest["batch"]["configurations_total"],
          "manifest says the batch is unfinished")

    charts = os.path.join(out, "charts")
    stems = ["time-recursion-sum", "rss-recursion-sum", "bars-recursion-sum",
             "time-cyclic_graph-pairs", "rss-cyclic_graph-pairs", "bars-cyclic_graph-pairs",
             "pauses", "leak", "timeline-cyclic_graph-rings"]
    for stem in stems:
        for ext in ("png", "svg"):
            p = os.path.join(charts, stem + "." + ext)
            check(os.path.isfile(p) and os.path.getsize(p) > 1000, "chart missing or tiny: " + p)
        with open(os.path.join(charts, stem + ".png"), "rb") as f:
            check(f.read(8) == b"\x89PNG\r\n\x1a\n", stem + ".png is not a PNG")
        with open(os.path.join(charts, stem + ".svg")) as f:
            check("<svg" in f.read(4000), stem + ".svg is not an SVG")
    with open(os.path.join(out, "report.html")) as f:
        html = f.read()
    for stem in stems:
        check('charts/%s.png' % stem in html, "report.html does not show " + stem)
    check("Summary" in html and "Failures" in html and "Manifest" in html, "report sections missing")
    return rows


def test_folder():
    out, r = tiny_batch("folder")
    check(r.stdout.strip().endswith("report.html"), "batch should print the report's path: %r" % r.stdout)
    check_folder(out)
    # plot redraws everything from the folder alone
    os.remove(os.path.join(out, "charts", "pauses.png"))
    r = run(["plot", out])
    check(r.returncode == 0, "plot exited %d: %s" % (r.returncode, r.stderr))
    check_folder(out)
    # Google Benchmark's own compare.py reads the results
    if not os.path.exists(COMPARE_PY):
        fail(COMPARE_PY + " is missing (libbenchmark-tools)")
    p = subprocess.run([SYSTEM_PYTHON, COMPARE_PY, "benchmarks", os.path.join(out, "results.json"),
                        os.path.join(out, "results.json")], capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, "compare.py failed: %s" % p.stderr[-2000:])
    check("cyclic_graph/pairs/100/pool/mark_sweep" in p.stdout, "compare.py output lacks a configuration")


def compare_py(*args):
    if not os.path.exists(COMPARE_PY):
        fail(COMPARE_PY + " is missing (libbenchmark-tools)")
    p = subprocess.run([SYSTEM_PYTHON, COMPARE_PY] + list(args), capture_output=True, text=True,
                       timeout=120)
    check(p.returncode == 0, "compare.py %s failed: %s" % (args[0], p.stderr[-2000:]))
    return p.stdout


def test_compare():
    """The batch-against-batch comparison of two real tiny batches (2 invocations each:
    too few for any verdict, which compare says); tests/compare_check.py has the rest."""
    a, _ = tiny_batch("compare-a")
    # B with other run settings (as the full preset has other ones than quick)
    b, _ = tiny_batch("compare-b", ["--samples", "1", "--min-time", "0.001"])
    # compare.py pairs entries by name: every configuration meets its twin
    ja, jb = os.path.join(a, "results.json"), os.path.join(b, "results.json")
    out = compare_py("benchmarks", ja, jb)
    for w, n, al, c in TINY_CONFIGS:
        check("%s/%s/%s/%s/real_time" % (w, n, al, c) in out,
              "compare.py did not pair %s across run settings:\n%s" % ((w, n, al, c), out))
    # allocator against allocator, as the README shows it
    out = compare_py("benchmarksfiltered", ja, "/libc/", ja, "/pool/")
    check("recursion/sum/100[/libc/ vs. /pool/]refcount/real_time" in out,
          "compare.py benchmarksfiltered libc against pool:\n%s" % out)
    r = run(["compare", a, b])
    check(r.returncode == 0, "compare exited %d: %s" % (r.returncode, r.stderr))
    check("8 pairs compared" in r.stdout, "compare summary: %s" % r.stdout)
    for w, n, al, c in TINY_CONFIGS:
        check("%s/%s/%s/%s" % (w, n, al, c) in r.stdout, "compare lacks %s" % ((w, n, al, c),))
    check("n too small: with 2 vs 2 invocations" in r.stdout, "no n-too-small note: %s" % r.stdout)
    # a 10x change in every invocation of one configuration shows as a ratio near 10
    c_dir = fresh("compare-c")
    shutil.copytree(b, c_dir)
    runs = os.path.join(c_dir, "runs")
    victim = "recursion-sum_100_libc_refcount.i"
    changed = 0
    for name in os.listdir(runs):
        if name.startswith(victim) and name.endswith(".csv") and not name.endswith(".pauses.csv"):
            rows = read_csv(os.path.join(runs, name))
            with open(os.path.join(runs, name), "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
                w.writeheader()
                for row in rows:
                    row["real_time_ns"] = str(float(row["real_time_ns"]) * 10 + 1e9)
                    w.writerow(row)
            changed += 1
    check(changed == 2, "the victim's invocation files: %d" % changed)
    r = run(["compare", a, c_dir, "--format", "csv"])
    pairs = [x for x in csv.DictReader(r.stdout.splitlines()) if x["kind"] == "pair"]
    line = [x for x in pairs if (x["workload"], x["allocator"], x["collector"]) ==
            ("recursion/sum", "libc", "refcount")]
    check(len(line) == 1 and float(line[0]["ratio"]) > 9 and line[0]["verdict"] == "n too small",
          "a 10x slowdown over 2 invocations: %s" % line)
    check(float(pairs[0]["ratio"]) > 9, "the largest effect is not listed first: %s" % pairs[0])
    # configurations on one side only are listed
    d = fresh("compare-d")
    r = run(["batch", "--out", d, "--allocators", "libc", "--collectors", "refcount,rc_cycle",
             "--workloads", "recursion/sum", "--sizes", "100", "--timelines", "none", "--reference", "none"])
    check(r.returncode == 0, "batch d: %s" % r.stderr)
    r = run(["compare", a, d])
    check(r.returncode == 0, "compare a d: %s" % r.stderr)
    check("only in B: recursion/sum/100/libc/rc_cycle" in r.stdout, "only-in-B missing: %s" % r.stdout)
    check("only in A: cyclic_graph/pairs/100/pool/mark_sweep" in r.stdout, "only-in-A missing")
    check("1 pairs compared" in r.stdout, "compare a d summary: %s" % r.stdout)


def test_resume():
    out = fresh("resume")
    args = [HEAPLAB, "batch", "--out", out, "--allocators", "libc,pool",
            "--collectors", "refcount,rc_cycle,mark_sweep", "--workloads", "large_list/range",
            "--sizes", "100,300000", "--repetitions", "2", "--timelines", "none", "--reference", "none"]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    runs = os.path.join(out, "runs")
    deadline = time.time() + 120
    # interrupt once a few configurations have finished
    while time.time() < deadline:
        done = [f for f in os.listdir(runs)] if os.path.isdir(runs) else []
        # a configuration's row: runs/<slug>.csv (an invocation's is <slug>.i<k>.csv)
        if len([f for f in done if f.endswith(".csv") and "." not in f[:-4]]) >= 3:
            break
        time.sleep(0.01)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    check(p.returncode == 130, "interrupted batch exited %d: %s" % (p.returncode, err))
    check("--resume" in err, "no resume hint: %s" % err)
    rows = read_csv(os.path.join(out, "results.csv"))
    check(3 <= len(rows) < 12, "interrupted batch has %d rows" % len(rows))
    check(len({identity(r) for r in rows}) == len(rows), "duplicate rows after interrupt")
    first = {identity(r): r["real_time_ns"] for r in rows}
    r = run(["batch", "--resume", out])
    check(r.returncode == 0, "resume exited %d: %s" % (r.returncode, r.stderr))
    check("%d of 12 configurations already finished" % len(rows) in r.stderr or "already" in r.stderr,
          "resume did not report finished ones: %s" % r.stderr)
    rows = read_csv(os.path.join(out, "results.csv"))
    ids = [identity(r) for r in rows]
    want = {("large_list/range", n, a, c) for n in ("100", "300000") for a in ("libc", "pool")
            for c in ("refcount", "rc_cycle", "mark_sweep")}
    check(len(ids) == 12 and set(ids) == want, "after resume: %s" % ids)
    for ident, t in first.items():
        check(dict((identity(r), r["real_time_ns"]) for r in rows)[ident] == t,
              "resume re-ran a finished configuration: %s" % (ident,))
    with open(os.path.join(out, "results.json")) as f:
        doc = json.load(f)
    seen = {}
    for e in doc["benchmarks"]:
        if e["run_type"] == "iteration":
            k = (e["workload"], str(e["size"]), e["allocator"], e["collector"])
            seen[k] = seen.get(k, 0) + 1
    runs = 2 * manifest_samples(out)
    check(set(seen) == want and all(v == runs for v in seen.values()),
          "results.json after resume: %s" % seen)
    # a second resume of a finished batch runs nothing and succeeds
    r = run(["batch", "--resume", out])
    check(r.returncode == 0 and "12 of 12" in r.stderr, "resume of a finished batch: %s" % r.stderr)
    check(not [f for f in os.listdir(out) if ".tmp." in f], "temporary files left behind")


def test_timeout():
    out = fresh("timeout")
    t0 = time.time()
    # recursion/calls at n = 10^9 runs for minutes in constant memory: it must be killed
    r = run(["batch", "--out", out, "--allocators", "libc", "--collectors", "refcount,mark_sweep",
             "--workloads", "recursion/calls", "--sizes", "100,1000000000", "--timeout", "1.5",
             "--timelines", "none", "--reference", "none"])
    check(r.returncode == 1, "timeout batch exited %d, want 1: %s" % (r.returncode, r.stderr))
    check(time.time() - t0 < 60, "the time limit was not enforced")
    rows = {identity(x): x for x in read_csv(os.path.join(out, "results.csv"))}
    check(len(rows) == 4, "rows: %s" % rows)
    for c in ("refcount", "mark_sweep"):
        big = rows[("recursion/calls", "1000000000", "libc", c)]
        check(big["status"] == "timeout", "big %s: %s" % (c, big))
        check("time limit" in big["error"], "timeout error text: %s" % big["error"])
        check(rows[("recursion/calls", "100", "libc", c)]["status"] == "ok", "small config failed")
    with open(os.path.join(out, "results.json")) as f:
        doc = json.load(f)
    timeouts = [e for e in doc["benchmarks"] if e.get("status") == "timeout"]
    check(len(timeouts) == 2 and all(e["error_occurred"] for e in timeouts), "timeout JSON entries")
    # the failures table and the charts show them
    with open(os.path.join(out, "report.html")) as f:
        html = f.read()
    check(html.count(">timeout<") >= 2, "report does not list the timeouts")
    with open(os.path.join(out, "charts", "data", "time-recursion-calls-fails-1.dat")) as f:
        check(f.read().count("timeout") == 2, "time chart does not mark the timeouts")
    # no child survives: nothing runs in their process groups
    time.sleep(0.2)
    # (only this batch's children: other batches may run on the machine)
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    check(not [l for l in ps.splitlines() if "--size 1000000000" in l and out in l],
          "a timed-out child is still running")


def find_child(needle, deadline, within=None):
    """The pid of a running process whose command line contains every word of needle
    (and, given `within`, an argument containing that text: the batch's folder, so that
    another batch running on the machine is never mistaken for this one)."""
    while time.time() < deadline:
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    args = f.read().split(b"\0")
            except OSError:
                continue
            words = [a.decode(errors="replace") for a in args]
            if all(n in words for n in needle) and (within is None or any(within in w for w in words)):
                return int(pid)
        time.sleep(0.02)
    return None


def test_crash():
    """A child killed by a signal is a crashed row, and the batch goes on."""
    out = fresh("crash")
    p = subprocess.Popen([HEAPLAB, "batch", "--out", out, "--allocators", "libc",
                          "--collectors", "refcount,mark_sweep", "--workloads", "recursion/calls",
                          "--sizes", "100,1000000000", "--timeout", "120", "--timelines", "none", "--reference", "none"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pid = find_child(["run", "1000000000", "refcount"], time.time() + 60, out)
    check(pid is not None, "the long configuration never started")
    time.sleep(0.2)
    os.kill(pid, signal.SIGSEGV)
    # the next long one (mark_sweep) is stopped by SIGABRT
    pid = find_child(["run", "1000000000", "mark_sweep"], time.time() + 60, out)
    check(pid is not None, "the batch did not go on after the crash")
    time.sleep(0.2)
    os.kill(pid, signal.SIGABRT)
    _, err = p.communicate(timeout=120)
    check(p.returncode == 1, "batch with crashes exited %d, want 1: %s" % (p.returncode, err))
    rows = {identity(x): x for x in read_csv(os.path.join(out, "results.csv"))}
    check(len(rows) == 4, "rows: %s" % rows)
    segv = rows[("recursion/calls", "1000000000", "libc", "refcount")]
    # a sanitizer build catches the SIGSEGV itself and exits 1 with its SUMMARY line
    check(segv["status"] == "crashed" and ("signal 11" in segv["error"] or "SEGV" in segv["error"]),
          "SIGSEGV row: %s" % segv)
    abrt = rows[("recursion/calls", "1000000000", "libc", "mark_sweep")]
    check(abrt["status"] == "crashed" and "signal 6" in abrt["error"], "SIGABRT row: %s" % abrt)
    for c in ("refcount", "mark_sweep"):
        check(rows[("recursion/calls", "100", "libc", c)]["status"] == "ok", "small %s failed" % c)
    with open(os.path.join(out, "results.json")) as f:
        doc = json.load(f)
    crashed = [e for e in doc["benchmarks"] if e.get("status") == "crashed"]
    check(len(crashed) == 2 and all(e["error_occurred"] for e in crashed), "crashed JSON entries")


# ---- reference rows: CPython (scripts/reference) and boehm --------------------------

REF_TINY = ["--allocators", "libc,pool", "--collectors", "rc_cycle,mark_sweep,boehm",
            "--workloads", "recursion/sum,cyclic_graph/pairs", "--sizes", "100,1000",
            "--repetitions", "2", "--timelines", "none"]
REF_WORKLOADS = ("recursion/sum", "cyclic_graph/pairs")
REF_SIZES = ("100", "1000")


def manifest_samples(out):
    """The batch's timed repetitions per invocation, as manifest.json records them."""
    with open(os.path.join(out, "manifest.json")) as f:
        samples = json.load(f)["batch"].get("samples_per_invocation")
    check(isinstance(samples, int) and samples >= 1, "manifest samples_per_invocation %r" % samples)
    return samples if isinstance(samples, int) and samples >= 1 else 1


def path_python():
    """python3 as the batch finds it (first on PATH), and its runtime column."""
    python = shutil.which("python3")
    check(python is not None, "python3 is not on PATH")
    version = subprocess.run([python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                             capture_output=True, text=True, timeout=60).stdout.strip()
    return python, version, "cpython-" + ".".join(version.split(".")[:2])


def json_entries(out):
    with open(os.path.join(out, "results.json")) as f:
        return json.load(f)["benchmarks"]


def test_reference():
    python, version, runtime = path_python()
    out = fresh("reference")
    r = run(["batch", "--out", out, "--reference", "cpython"] + REF_TINY)
    check(r.returncode == 0, "reference batch exited %d: %s" % (r.returncode, r.stderr[-2000:]))
    rows = read_csv(os.path.join(out, "results.csv"))
    want = {(w, n, a, c) for w in REF_WORKLOADS for n in REF_SIZES
            for a, c in [("libc", "rc_cycle"), ("libc", "mark_sweep"), ("pool", "rc_cycle"),
                         ("pool", "mark_sweep"), ("bdwgc", "boehm"), ("pymalloc", "cpython_gc")]}
    check({identity(x) for x in rows} == want and len(rows) == len(want),
          "rows: %s" % sorted(identity(x) for x in rows))
    refs = [x for x in rows if x["collector"] == "cpython_gc"]
    check(len(refs) == 4, "reference rows: %s" % refs)
    for x in refs:
        check(x["runtime"] == runtime and x["allocator"] == "pymalloc", "reference row: %s" % x)
        check(x["status"] == "ok" and x["repetitions"] == "2", "reference row status: %s" % x)
        check(float(x["real_time_ns"]) > 0 and float(x["peak_rss_bytes"]) > 1 << 20,
              "reference figures: %s" % x)
        check(x["allocs"] == "" and x["allocator_resident_bytes"] == "",
              "unmeasured CPython figures should be empty: %s" % x)
    for x in rows:
        if x["collector"] != "cpython_gc":
            check(x["runtime"] == "heaplab", "heaplab row with runtime %s" % x["runtime"])
    # the pairs' final gc.collect() found the people
    pairs = [x for x in refs if x["workload"] == "cyclic_graph/pairs" and x["size"] == "1000"][0]
    check(float(pairs["objects_collected"]) >= 1000, "CPython collected %s" % pairs["objects_collected"])

    # results.json: the reference entries, named the way heaplab names its own
    seen = {}
    for e in json_entries(out):
        ident = (e["workload"], str(e["size"]), e["allocator"], e["collector"])
        if e["run_type"] != "iteration":
            continue
        seen[ident] = seen.get(ident, 0) + 1
        base = "%s/%s/%s/%s/" % ident
        runs = 2 * manifest_samples(out)
        check(e["name"] == base + "real_time" and e["repetitions"] == runs,
              "entry name %r" % e["name"])
        if e["collector"] == "cpython_gc":
            check(e["runtime"] == runtime and e["status"] == "ok", "reference entry: %s" % e)
            check(e["run_name"] == base + "real_time", "reference run_name %r" % e["run_name"])
        else:
            check(e["runtime"] == "heaplab", "heaplab entry runtime: %s" % e)
    check(set(seen) == want and all(v == 2 * manifest_samples(out) for v in seen.values()),
          "results.json: %s" % seen)
    # the CPython children kept their pauses too (--pauses, heaplab run's CSV)
    for ident in want:
        if ident[3] != "cpython_gc":
            continue
        for k in range(2):
            path = os.path.join(out, "runs", "%s_%s_%s_%s.i%d.pauses.csv"
                                % (ident[0].replace("/", "-"), ident[1], ident[2], ident[3], k))
            check(os.path.isfile(path), "no pause log " + path)
            with open(path) as f:
                check(f.readline().strip() == "call,iteration,start_ns,duration_ns,kind,phase",
                      path + " is not a pause log")

    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    ref = manifest.get("reference", {})
    check(ref.get("runtime") == runtime and ref.get("python3") == python
          and ref.get("python_version") == version, "manifest reference: %s" % ref)
    check(manifest["versions"].get("python3") == version, "manifest versions: %s" % manifest["versions"])
    with open(os.path.join(out, "batch.json")) as f:
        saved = json.load(f)["args"]
    check(("--reference", "cpython") in zip(saved, saved[1:]),
          "batch.json lacks --reference cpython: %s" % saved)

    # the charts: comparison charts, and the references in the line and bar charts
    charts = os.path.join(out, "charts")
    for w in ("recursion-sum", "cyclic_graph-pairs"):
        for stem in ("reference-" + w, "time-" + w, "rss-" + w, "bars-" + w):
            for ext in ("png", "svg"):
                p = os.path.join(charts, stem + "." + ext)
                check(os.path.isfile(p) and os.path.getsize(p) > 1000, "chart missing or tiny: " + p)
            with open(os.path.join(charts, stem + ".png"), "rb") as f:
                check(f.read(8) == b"\x89PNG\r\n\x1a\n", stem + ".png is not a PNG")
        with open(os.path.join(charts, "reference-%s.svg" % w)) as f:
            svg = f.read()
        check("rc_cycle on pool (solid) vs CPython %s (dashed)" % runtime[8:] in svg
              and "mark_sweep on libc (solid) vs boehm (bdwgc) (dashed)" in svg
              and "no CPython rows" not in svg and "no boehm rows" not in svg,
              "reference-%s.svg does not show both comparisons" % w)
        with open(os.path.join(charts, "time-%s.svg" % w)) as f:
            svg = f.read()
        check("CPython %s (pymalloc, cpython_gc)" % runtime[8:] in svg and "boehm (bdwgc)" in svg,
              "time-%s.svg lacks the reference lines' legend" % w)
        with open(os.path.join(charts, "data", "reference-%s.dat" % w)) as f:
            blocks = [b for b in f.read().split("\n\n\n") if b.strip()]
        check(len(blocks) == 8 and not any("nan" in b for b in blocks),
              "reference-%s.dat should hold 8 series with points: %s" % (w, blocks))
    with open(os.path.join(out, "report.html")) as f:
        html = f.read()
    for w in ("recursion-sum", "cyclic_graph-pairs"):
        check("charts/reference-%s.png" % w in html and "charts/reference-%s.svg" % w in html,
              "report.html does not show reference-" + w)
    check("Reference rows" in html and "CPython %s (pymalloc, cpython_gc)" % runtime[8:] in html
          and "boehm (bdwgc)" in html, "report.html lacks the reference table")
    check("pymalloc / libc" not in html and "bdwgc / libc" not in html,
          "the summary's ratio to libc should leave reference rows out")
    check("<b>8</b> reference rows" in html, "report.html reference count")

    # plot redraws them from the folder alone
    for f in os.listdir(charts):
        if f.startswith("reference-"):
            os.remove(os.path.join(charts, f))
    r = run(["plot", out])
    check(r.returncode == 0 and os.path.isfile(os.path.join(charts, "reference-recursion-sum.svg")),
          "plot did not redraw the reference charts: %s" % r.stderr)


def find_reference_child(size, deadline, within):
    """The pid of a running CPython reference child at `size` of the batch in folder
    `within`, or None."""
    while True:
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    words = [a.decode(errors="replace") for a in f.read().split(b"\0")]
            except OSError:
                continue
            if any(w.endswith("cpython_workloads.py") for w in words) and "--size" in words \
                    and size in words and any(within in w for w in words):
                return int(pid)
        if time.time() >= deadline:
            return None
        time.sleep(0.01)


def test_reference_resume():
    """Interrupt a batch while a CPython child runs, then resume it."""
    _, _, runtime = path_python()
    out = fresh("reference-resume")
    args = [HEAPLAB, "batch", "--out", out, "--allocators", "libc", "--collectors", "rc_cycle",
            "--workloads", "cyclic_graph/pairs", "--sizes", "1000,100000", "--repetitions", "2",
            "--timelines", "none", "--reference", "cpython", "--order", "sequential"]
    # sequential: the CPython run at n = 100000 is the last configuration, so the
    # interrupt leaves exactly the three before it finished
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pid = find_reference_child("100000", time.time() + 120, out)
    check(pid is not None, "the CPython child at n = 100000 never started")
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    check(p.returncode == 130, "interrupted batch exited %d: %s" % (p.returncode, err))
    slug = "cyclic_graph-pairs_100000_pymalloc_cpython_gc"
    runs = os.path.join(out, "runs")
    check(not any(f.startswith(slug) and not f.endswith(".log") for f in os.listdir(runs)),
          "the interrupted CPython child left files: %s" % os.listdir(runs))
    rows = read_csv(os.path.join(out, "results.csv"))
    check(len(rows) == 3, "interrupted batch rows: %s" % [identity(x) for x in rows])
    first = {identity(x): x["real_time_ns"] for x in rows}
    time.sleep(0.2)
    check(find_reference_child("100000", time.time(), out) is None,
          "the CPython child outlived the interrupt")
    r = run(["batch", "--resume", out])
    check(r.returncode == 0, "resume exited %d: %s" % (r.returncode, r.stderr))
    rows = read_csv(os.path.join(out, "results.csv"))
    check(len(rows) == 4, "after resume: %s" % [identity(x) for x in rows])
    for x in rows:
        if identity(x) in first:
            check(x["real_time_ns"] == first[identity(x)], "resume re-ran %s" % (identity(x),))
    ref = [x for x in rows if x["collector"] == "cpython_gc"]
    check(len(ref) == 2 and all(x["status"] == "ok" and x["runtime"] == runtime for x in ref),
          "reference rows after resume: %s" % ref)
    names = [e["name"] for e in json_entries(out) if e["collector"] == "cpython_gc"]
    # one entry per sample of each invocation (no aggregates), 2 configurations
    runs = 2 * manifest_samples(out)
    check(len(names) == 2 * runs and all(n.endswith("/real_time") and "repeats:" not in n for n in names),
          "reference entries after resume: %s" % names)
    check(os.path.isfile(os.path.join(out, "charts", "reference-cyclic_graph-pairs.png")),
          "no comparison chart after resume")


def fake_python_dir(name, body):
    """A folder holding a python3 that answers the batch's version probe with the real
    python3, and otherwise runs `body` (sh) before handing over to it."""
    real = shutil.which("python3")
    check(real is not None, "python3 is not on PATH")
    folder = fresh(name)
    os.makedirs(folder)
    path = os.path.join(folder, "python3")
    with open(path, "w") as f:
        f.write('#!/bin/sh\nif [ "$1" = "-c" ]; then exec "%s" "$@"; fi\n%s\nexec "%s" "$@"\n'
                % (real, body, real))
    os.chmod(path, 0o755)
    return folder


def test_reference_faults():
    """A CPython child that crashes or hangs gets the same rows as heaplab's."""
    _, _, runtime = path_python()
    real = shutil.which("python3")
    # the hanging child keeps the batch's arguments (and so its folder) in its command line
    fake = fake_python_dir("fake-python", 'case " $* " in\n'
                           '  *" recursion/sum "*) kill -SEGV $$ ;;\n'
                           '  *" cyclic_graph/pairs "*) exec "%s" -c "import time; time.sleep(97.25)" "$@" ;;\n'
                           'esac' % real)
    env = dict(os.environ, PATH=fake + os.pathsep + os.environ.get("PATH", ""))
    out = fresh("reference-faults")
    t0 = time.time()
    r = run(["batch", "--out", out, "--allocators", "libc", "--collectors", "rc_cycle",
             "--workloads", "recursion/sum,cyclic_graph/pairs,large_list/range", "--sizes", "100",
             "--timeout", "3", "--timelines", "none", "--reference", "cpython"], env=env)
    check(r.returncode == 1, "batch with crashes exited %d, want 1: %s" % (r.returncode, r.stderr))
    check(time.time() - t0 < 60, "the time limit was not enforced on the CPython child")
    rows = {identity(x): x for x in read_csv(os.path.join(out, "results.csv"))}
    check(len(rows) == 6, "rows: %s" % sorted(rows))
    crashed = rows[("recursion/sum", "100", "pymalloc", "cpython_gc")]
    check(crashed["status"] == "crashed" and "signal 11" in crashed["error"]
          and crashed["runtime"] == runtime, "crashed CPython row: %s" % crashed)
    hung = rows[("cyclic_graph/pairs", "100", "pymalloc", "cpython_gc")]
    check(hung["status"] == "timeout" and "time limit" in hung["error"] and hung["runtime"] == runtime,
          "timed-out CPython row: %s" % hung)
    fine = rows[("large_list/range", "100", "pymalloc", "cpython_gc")]
    check(fine["status"] == "ok" and fine["runtime"] == runtime, "ok CPython row: %s" % fine)
    entries = [e for e in json_entries(out) if e["collector"] == "cpython_gc"
               and e["status"] in ("crashed", "timeout")]
    check(len(entries) == 2 and all(e["error_occurred"] and e["runtime"] == runtime for e in entries),
          "crashed/timeout CPython entries: %s" % entries)
    time.sleep(0.2)
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    check(not [l for l in ps.splitlines() if "97.25" in l and out in l],
          "the timed-out CPython child's process is still running")
    # the charts mark them
    with open(os.path.join(out, "charts", "data", "reference-cyclic_graph-pairs-fails-1.dat")) as f:
        check("timeout" in f.read(), "the comparison chart does not mark the timeout")
    with open(os.path.join(out, "charts", "data", "time-recursion-sum-fails-1.dat")) as f:
        check("crashed" in f.read(), "the time chart does not mark the crashed reference")


def test_reference_none():
    """Without python3 on PATH: quick skips the reference rows silently (the manifest
    says so); --reference cpython is a usage error; --reference none turns them off."""
    gnuplot = shutil.which("gnuplot")
    check(gnuplot is not None, "gnuplot is not installed")
    bare = fresh("no-python-bin")
    os.makedirs(bare)
    os.symlink(gnuplot, os.path.join(bare, "gnuplot"))
    env = dict(os.environ, PATH=bare)
    tmp = fresh("no-python-cwd")
    os.makedirs(tmp)
    small = ["--allocators", "pool", "--collectors", "rc_cycle", "--workloads",
             "cyclic_graph/pairs", "--sizes", "100", "--timelines", "none"]
    r = run(["batch", "--reference", "cpython"] + small, env=env, cwd=tmp)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 2 and len(lines) == 1 and "python3" in lines[0]
          and "--reference" in lines[0], "--reference cpython without python3: %d %r"
          % (r.returncode, r.stderr))
    check(not os.listdir(tmp), "the refused batch left files: %s" % os.listdir(tmp))
    out = fresh("no-python")
    r = run(["batch", "--out", out] + small, env=env)
    check(r.returncode == 0, "quick without python3 exited %d: %s" % (r.returncode, r.stderr))
    check("python3 is not on PATH" not in r.stderr and "reference runs" not in r.stderr
          and "reference rows" not in r.stderr,
          "quick should skip the reference rows silently: %s" % r.stderr)
    rows = read_csv(os.path.join(out, "results.csv"))
    check([identity(x) for x in rows] == [("cyclic_graph/pairs", "100", "pool", "rc_cycle")],
          "rows without python3: %s" % rows)
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    ref = manifest["reference"]
    check(ref["runtime"] == "none" and "python3" in ref["note"] and "skipped" in ref["note"],
          "manifest should say the reference rows were skipped: %s" % ref)
    with open(os.path.join(out, "batch.json")) as f:
        saved = json.load(f)["args"]
    check(saved[-2:] == ["--reference", "none"], "batch.json should pin --reference none: %s" % saved)
    # the comparison chart says what is missing
    with open(os.path.join(out, "charts", "reference-cyclic_graph-pairs.svg")) as f:
        svg = f.read()
    check("no CPython rows in this batch" in svg and "no boehm rows in this batch" in svg
          and "no mark_sweep rows on libc" in svg, "the comparison chart does not say what is missing")
    # with python3 there, --reference none still turns them off
    out = fresh("reference-off")
    r = run(["batch", "--out", out, "--reference", "none"] + small)
    check(r.returncode == 0, "--reference none exited %d: %s" % (r.returncode, r.stderr))
    rows = read_csv(os.path.join(out, "results.csv"))
    check(all(x["collector"] != "cpython_gc" for x in rows) and len(rows) == 1,
          "--reference none rows: %s" % rows)
    with open(os.path.join(out, "manifest.json")) as f:
        check(json.load(f)["reference"]["note"] == "turned off (--reference none)", "manifest note")


BAD = [
    (["batch", "--preset", "slow"], "--preset"),
    (["batch", "--allocators", "libc,nosuch"], "nosuch"),
    (["batch", "--allocators", ""], "--allocators"),
    (["batch", "--collectors", "gc"], "gc"),
    (["batch", "--workloads", "recursion/nosuch"], "recursion/nosuch"),
    (["batch", "--workloads", "nosuch"], "nosuch"),
    (["batch", "--workloads", "recursion,"], "--workloads"),
    (["batch", "--sizes", "0"], "--sizes"),
    (["batch", "--sizes", "-5"], "--sizes"),
    (["batch", "--sizes", "ten"], "--sizes"),
    (["batch", "--sizes", "1e99"], "--sizes"),
    (["batch", "--repetitions", "0"], "--repetitions"),
    (["batch", "--timeout", "-1"], "--timeout"),
    (["batch", "--timeout"], "--timeout"),
    (["batch", "--frobnicate"], "--frobnicate"),
    (["batch", "stray"], "stray"),
    (["batch", "--timelines", "recursion"], "--timelines"),
    (["batch", "--reference", "jython"], "jython"),
    (["batch", "--reference", ""], "--reference"),
    (["batch", "--resume", "/nonexistent-heaplab-dir"], "/nonexistent-heaplab-dir"),
    (["batch", "--resume", "."], "batch.json"),
    (["batch", "--resume", "x", "--sizes", "10"], "--resume"),
    (["plot"], "plot"),
    (["plot", "/nonexistent-heaplab-dir"], "/nonexistent-heaplab-dir"),
    (["plot", "a", "b"], "plot"),
    (["compare", "/nonexistent-a"], "compare"),
    (["compare", "/nonexistent-a", "/nonexistent-b"], "/nonexistent-a"),
    (["compare", "a", "b", "c"], "compare"),
]


def test_bad_args():
    tmp = fresh("bad")
    os.makedirs(tmp)
    for args, word in BAD:
        r = run(args, cwd=tmp, timeout=30)
        check(r.returncode == 2, "%s exited %d (want 2): %s" % (args, r.returncode, r.stderr))
        lines = r.stderr.strip().splitlines()
        check(len(lines) == 1, "%s: not one line: %r" % (args, r.stderr))
        check(word in lines[0], "%s: message does not name %r: %s" % (args, word, lines[0]))
        check(not os.listdir(tmp), "%s left files behind: %s" % (args, os.listdir(tmp)))
    # a folder that is not a results folder, a corrupt results.csv: usage errors
    notres = os.path.join(tmp, "notres")
    os.makedirs(notres)
    r = run(["plot", notres])
    check(r.returncode == 2 and "results.csv" in r.stderr, "plot of a non-results folder: %s" % r.stderr)
    with open(os.path.join(notres, "results.csv"), "w") as f:
        f.write("this,is,not\nheaplab,results,1\n")
    for args in (["plot", notres], ["compare", notres, notres]):
        r = run(args)
        check(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, "%s: %s" % (args, r.stderr))
    # --out into a folder that already holds a batch, or is not empty
    out, _ = tiny_batch("bad-out")
    r = run(["batch", "--out", out] + TINY)
    check(r.returncode == 2 and "--resume" in r.stderr, "--out over a batch: %s" % r.stderr)
    r = run(["batch", "--out", notres] + TINY)
    check(r.returncode == 2 and "not empty" in r.stderr, "--out into a non-empty folder: %s" % r.stderr)


# ---- the report in headless Chromium ------------------------------------------------

def png_pixels(path):
    """Decode an 8-bit RGB/RGBA non-interlaced PNG; returns (width, height, rows of bytes, bpp)."""
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            check(depth == 8 and colour in (2, 6) and interlace == 0,
                  "unexpected PNG format depth %d colour %d" % (depth, colour))
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 0xFF
            elif ftype == 2:
                line[x] = (line[x] + b) & 0xFF
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def test_report():
    out, _ = tiny_batch("report")
    check_report_structure(out)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    check(os.path.exists(chromium), "chromium is not installed (scripts/deps installs it)")
    shot = os.path.join(WORK, "report-screenshot.png")
    if os.path.exists(shot):
        os.remove(shot)
    profile = tempfile.mkdtemp(prefix="heaplab-chromium-")
    try:
        p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync",
                            "--user-data-dir=" + profile, "--hide-scrollbars",
                            "--screenshot=" + shot, "--window-size=1200,3000",
                            "file://" + os.path.abspath(os.path.join(out, "report.html"))],
                           capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    check(os.path.exists(shot), "chromium made no screenshot: %s" % p.stderr[-2000:])
    width, height, rows, bpp = png_pixels(shot)
    check((width, height) == (1200, 3000), "screenshot size %dx%d" % (width, height))
    colours, non_white = set(), 0
    for y in range(0, height, 3):
        row = rows[y]
        for x in range(0, width * bpp, bpp * 3):
            px = row[x:x + 3]
            colours.add(px)
            if px != b"\xff\xff\xff":
                non_white += 1
    sampled = (height // 3) * (width // 3)
    check(len(colours) > 50, "screenshot has only %d colours: blank?" % len(colours))
    check(non_white > sampled * 0.05, "screenshot is %.1f%% non-white: blank?" % (100.0 * non_white / sampled))
    # the charts themselves are drawn: the chart palette's blue (Okabe-Ito's, libc's
    # and refcount's) is there, in the summary heatmap and the lines below it
    blue = sum(1 for y in range(0, height, 3) for x in range(0, width * bpp, bpp)
               if abs(rows[y][x] - 0x00) < 24 and abs(rows[y][x + 1] - 0x72) < 24 and abs(rows[y][x + 2] - 0xb2) < 24)
    check(blue > 100, "no chart lines visible in the screenshot (%d blue pixels)" % blue)


DOCS_CHARTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "charts.md")
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442"]


def plain_text(text):
    """Text without markup, its whitespace collapsed: what a reader sees."""
    import html as html_mod
    import re
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(html_mod.unescape(text).split())


def docs_sections():
    """docs/charts.md's sections: key (the heading up to ':', unescaped) -> plain text of
    its body (markdown's `, ** and list dashes dropped), as report.html must show them."""
    sections, key, body = {}, None, []
    with open(DOCS_CHARTS) as f:
        for line in f.read().split("\n") + ["# end"]:
            if line.startswith("#"):
                if key is not None:
                    text = "\n".join(body).replace("`", "").replace("**", "")
                    text = text.replace("\\<", "<").replace("\\>", ">")
                    lines = [l.strip()[2:] if l.strip().startswith("- ") else l for l in text.split("\n")]
                    sections[key] = " ".join(" ".join(lines).split())
                key, body = None, []
                if line.startswith("## "):
                    key = line[3:].split(":")[0].replace("\\<", "<").replace("\\>", ">")
                continue
            body.append(line)
    return sections


def caption_for(sections, stem):
    """The section a chart's stem takes its caption from (chart_captions.c's rule)."""
    if stem in sections:
        return sections[stem]
    best = None
    for key in sections:
        if "<" in key:
            prefix = key[:key.index("<")]
            if stem.startswith(prefix) and len(stem) > len(prefix) and (best is None or len(prefix) > len(best[0])):
                best = (prefix, key)
    check(best is not None, "docs/charts.md has no section for chart " + stem)
    return sections[best[1]]


def check_report_structure(out):
    """report.html: contents first, every anchor resolves, every chart in the contents
    with its caption equal to its docs/charts.md section."""
    import re
    with open(os.path.join(out, "report.html")) as f:
        html = f.read()
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    nav = re.search(r'<nav class="toc" id="contents">(.*?)</nav>', html, re.S)
    check(nav is not None, "report.html has no table of contents")
    links = re.findall(r'href="#([^"]+)"', nav.group(1))
    for target in links:
        check(target in ids, "contents link #%s resolves to nothing" % target)
    for target in ("summary", "charts", "reference", "failures", "manifest", "summary-time", "summary-rss"):
        check(target in links, "contents lacks #" + target)
    # the contents and the summary come before any chart that is not the summary's
    first_figure = re.search(r'<figure (?:class="[^"]*" )?id="(?!summary-)', html)
    check(html.index('id="contents"') < html.index('id="summary"') < html.index('id="summary-time"')
          < (first_figure.start() if first_figure else len(html)),
          "report.html should open with the contents and the summary")
    sections = docs_sections()
    figures = re.findall(r'<figure (?:class="[^"]*" )?id="([^"]+)">(.*?)</figure>', html, re.S)
    check(len(figures) > 0, "report.html shows no chart")
    for stem, body in figures:
        check(stem in links, "chart %s is not in the contents" % stem)
        cap = re.search(r'<div class="caption">(.*)</div></figcaption>', body, re.S)
        check(cap is not None, "chart %s has no caption" % stem)
        got, want = plain_text(cap.group(1)), caption_for(sections, stem)
        check(got == want, "chart %s: caption differs from docs/charts.md:\n got: %s\nwant: %s"
              % (stem, got[:400], want[:400]))
        title = re.search(r'<span class="title">(.*?)</span>', body, re.S).group(1)
        check("\n" not in title and "<br>" not in title, "chart %s: title is not one line" % stem)
    for stem, _ in figures:
        with open(os.path.join(out, "charts", "data", stem + ".gp")) as f:
            title = [l for l in f if l.startswith("title=")]
        check(len(title) == 1, "chart %s: no title in its script" % stem)
    return html


def chart_styles(out):
    """Every chart script's styles: [(chart, {name: (colour, point)})]."""
    import re
    charts = []
    data = os.path.join(out, "charts", "data")
    for name in sorted(os.listdir(data)):
        if not name.endswith(".gp"):
            continue
        with open(os.path.join(data, name)) as f:
            text = f.read()
        names = re.search(r"^style_names='([^']*)'", text, re.M)
        types = {int(k): (c.upper(), int(p)) for k, c, p in
                 re.findall(r"^set linetype (\d+) lc rgb '(#[0-9A-Fa-f]{6})' lw 2 pt (\d+)", text, re.M)}
        if names is None:
            check(not types, "%s sets linetypes without naming them" % name)
            continue
        words = names.group(1).split()
        check(sorted(types) == list(range(1, len(words) + 1)), "%s: linetypes %s for %s" % (name, types, words))
        charts.append((name, {w: types[k + 1] for k, w in enumerate(words)}))
    return charts


def registry(kind):
    r = run(["list", kind])
    check(r.returncode == 0, "heaplab list %s: %s" % (kind, r.stderr))
    return [l.split()[0] for l in r.stdout.splitlines() if l.strip()]


def test_colours():
    """One colour per allocator and collector, whatever the command line's order."""
    common = ["--workloads", "recursion/sum,cyclic_graph/pairs", "--sizes", "100,200",
              "--repetitions", "1", "--samples", "1", "--timelines", "cyclic_graph/rings",
              "--timeline-size", "500", "--reference", "none"]
    a, b = fresh("colours-a"), fresh("colours-b")
    for out, al, co in ((a, "libc,pool,bump", "refcount,rc_cycle,mark_sweep"),
                        (b, "bump,pool,libc", "mark_sweep,refcount,boehm,rc_cycle")):
        r = run(["batch", "--out", out, "--allocators", al, "--collectors", co] + common)
        check(r.returncode == 0, "batch %s: %s" % (out, r.stderr[-2000:]))
    seen = {}
    for out in (a, b):
        charts = chart_styles(out)
        check(len(charts) >= 8, "%s: only %d styled charts" % (out, len(charts)))
        for chart, styles in charts:
            for name, style in styles.items():
                where = "%s/%s" % (os.path.basename(out), chart)
                if name in seen:
                    check(seen[name][0] == style, "%s is %s in %s but %s in %s"
                          % (name, style, where, seen[name][0], seen[name][1]))
                else:
                    seen[name] = (style, where)
            check(len(set(styles.values())) == len(styles), "%s: two names share a style: %s" % (chart, styles))
            # the colour is drawn: gnuplot's SVG has it (in the charts where every
            # series has points: a tiny timeline may have no sample)
            if not chart.startswith(("time-", "rss-", "per-object-", "bars-")):
                continue
            with open(os.path.join(out, "charts", chart[:-3] + ".svg")) as f:
                svg = f.read()
            for name, (colour, _) in styles.items():
                rgb = "rgb(%3d, %3d, %3d)" % tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
                check(rgb in svg, "%s: %s's colour %s is not in the SVG" % (chart, name, colour))
    # the colour is the name's registry index in the Okabe-Ito palette
    for kind, names in (("allocators", registry("allocators")), ("collectors", registry("collectors"))):
        for i, name in enumerate(names):
            if name in seen:
                check(seen[name][0][0] == OKABE_ITO[i % len(OKABE_ITO)],
                      "%s %s (registry index %d) is %s" % (kind[:-1], name, i, seen[name][0][0]))
    for name in ("libc", "pool", "bump", "refcount", "rc_cycle", "mark_sweep", "boehm"):
        check(name in seen, "%s is in no chart's styles" % name)
    # the reference series: boehm's dashed line in its collector's colour, its "own
    # (bdwgc)" bar in the colour of bdwgc, the allocator after the registry's
    import re
    data = os.path.join(b, "charts", "data")
    for name in os.listdir(data):
        if not name.endswith(".gp"):
            continue
        with open(os.path.join(data, name)) as f:
            text = f.read()
        for k, label in re.findall(r"^reflabel(\d+)='([^']*)'", text, re.M):
            colour = re.search(r"^refcolour%s='([^']*)'" % k, text, re.M).group(1).upper()
            collector = label.split()[0]
            check(collector == "boehm" and colour == seen["boehm"][0][0],
                  "%s: reference %s is %s, boehm %s" % (name, label, colour, seen["boehm"][0][0]))
        # one invocation: no intervals, so every error bar is its point (never NaN)
        if name.startswith(("bars-", "time-", "rss-", "per-object-")):
            for block in dat_blocks(os.path.join(data, name[:-3] + ".dat")):
                for row in block:
                    values = row[1:] if name.startswith("bars-") else row[1:]
                    if row[0] == "nan" or (name.startswith("bars-") and row[0] == "boehm"):
                        continue
                    triples = [values[i:i + 3] for i in range(0, len(values), 3)]
                    for t in (triples if name.startswith("bars-") else [values]):
                        if t[0] in ("nan", "0"):
                            continue
                        check(t[1] == t[0] and t[2] == t[0], "%s: interval %s without intervals" % (name, t))
        if name.startswith("bars-"):
            check("pvalid='1 1'" in text, "%s: bars drew nothing" % name)
        bar = re.search(r"^ref_bar_colour='([^']*)'", text, re.M)
        if name.startswith("bars-"):
            check(bar is not None and "refbartitle='own (bdwgc)'" in text, "%s: no own (bdwgc) bar" % name)
            want = OKABE_ITO[len(registry("allocators")) % len(OKABE_ITO)]
            check(bar.group(1).upper() == want, "%s: bdwgc's bar is %s, want %s" % (name, bar.group(1), want))
    # failures: a colour and a point type no series uses
    with open(os.path.join(os.path.dirname(DOCS_CHARTS), "..", "scripts", "charts", "common.gp")) as f:
        common_gp = f.read()
    import re
    fail_colour = re.search(r'^fail_colour = "(#[0-9A-Fa-f]{6})"', common_gp, re.M).group(1).upper()
    fail_point = int(re.search(r"^fail_point = (\d+)", common_gp, re.M).group(1))
    for name, (style, _) in seen.items():
        check(style[0] != fail_colour and style[1] != fail_point,
              "%s is drawn like a failure: %s" % (name, style))


def dat_blocks(path):
    """A gnuplot data file's blocks (split by two blank lines), each a list of rows."""
    with open(path) as f:
        text = f.read()
    return [[l.split() for l in b.strip("\n").split("\n") if l.strip()] for b in text.split("\n\n\n")]


def test_charts():
    """The pause logs and their CDF, the summary heatmaps, the per-object views."""
    import math
    out = fresh("charts")
    r = run(["batch", "--out", out, "--allocators", "libc,pool", "--collectors", "refcount,rc_cycle,mark_sweep",
             "--workloads", "recursion/sum,cyclic_graph/pairs,cyclic_graph/rings", "--sizes", "300,1000",
             "--repetitions", "2", "--samples", "2", "--timelines", "none", "--reference", "none"])
    check(r.returncode == 0, "batch: %s" % r.stderr[-2000:])
    rows = read_csv(os.path.join(out, "results.csv"))
    runs = os.path.join(out, "runs")

    # every invocation kept its pauses; the CDF is theirs (phase program only)
    def program_pauses(w, n, a, c):
        got = []
        for k in range(2):
            path = os.path.join(runs, "%s_%s_%s_%s.i%d.pauses.csv" % (w.replace("/", "-"), n, a, c, k))
            check(os.path.isfile(path), "no pause log " + path)
            with open(path, newline="") as f:
                reader = csv.DictReader(f)
                check(reader.fieldnames == ["call", "iteration", "start_ns", "duration_ns", "kind", "phase"],
                      "%s header %s" % (path, reader.fieldnames))
                got += [int(x["duration_ns"]) / 1e6 for x in reader if x["phase"] == "program"
                        and int(x["duration_ns"]) > 0]
        return sorted(got)
    workloads = ["recursion/sum", "cyclic_graph/pairs", "cyclic_graph/rings"]
    check(os.path.isfile(os.path.join(out, "charts", "data", "pauses.dat")),
          "no pause chart data: did the batch keep no pause logs?")
    blocks = dat_blocks(os.path.join(out, "charts", "data", "pauses.dat"))
    with open(os.path.join(out, "charts", "data", "pauses.gp")) as f:
        script = f.read()
    lines = script.split("lines='")[1].split("'")[0].split()
    check("refcount" not in lines and "rc_cycle" in lines and "mark_sweep" in lines,
          "pause CDF lines: %s" % lines)
    for wi, w in enumerate(workloads):
        for li, col in enumerate(lines):
            block = blocks[wi * len(lines) + li]
            want = program_pauses(w, "1000", "libc", col)
            if not want:
                check(block == [["nan", "nan"]], "%s %s: a CDF without pauses: %s" % (w, col, block[:3]))
                continue
            xs, ys = [float(x) for x, _ in block], [float(y) for _, y in block]
            check(xs == sorted(xs) and ys == sorted(ys) and abs(ys[-1] - 1) < 1e-9,
                  "%s %s: not a CDF" % (w, col))
            check(abs(xs[-1] - want[-1]) < 1e-6 * max(1, want[-1]) and abs(xs[0] - want[0]) < 1e-6 * max(1, want[0]),
                  "%s %s: CDF spans %g..%g, the logs %g..%g" % (w, col, xs[0], xs[-1], want[0], want[-1]))
            check(abs(ys[0] - 1.0 / len(want)) < 1e-6, "%s %s: CDF starts at %g for %d pauses" % (w, col, ys[0], len(want)))
    check(any(program_pauses("cyclic_graph/rings", "1000", "libc", "rc_cycle")), "rc_cycle paused nowhere")

    # the heatmap's cells: geomean over the family of time / libc's, same collector
    time_of = {identity(x): float(x["real_time_ns"]) for x in rows if x["status"] == "ok"}
    for family, members in (("recursion", ["recursion/sum"]), ("cyclic_graph", ["cyclic_graph/pairs", "cyclic_graph/rings"])):
        path = os.path.join(out, "charts", "data", "summary-time-%s.dat" % family)
        check(os.path.isfile(path), "no heatmap for " + family)
        labels = {(int(x), int(y)): " ".join(rest) for x, y, *rest in dat_blocks(path)[1]}
        for yi, col in enumerate(["refcount", "rc_cycle", "mark_sweep"]):
            for xi, al in enumerate(["libc", "pool"]):
                logs = [math.log(time_of[(w, n, al, col)] / time_of[(w, n, "libc", col)])
                        for w in members for n in ("300", "1000")
                        if (w, n, al, col) in time_of and (w, n, "libc", col) in time_of]
                want = '"%.2fx (%d)"' % (math.exp(sum(logs) / len(logs)), len(logs))
                check(labels[(xi, yi)] == want, "heatmap %s %s/%s: %s, want %s" % (family, al, col, labels[(xi, yi)], want))
    check(os.path.isfile(os.path.join(out, "charts", "summary-time-cyclic_graph.png")), "no heatmap PNG")

    # per object: time / n, the same blocks as the time chart
    for w in workloads:
        ws = w.replace("/", "-")
        t = dat_blocks(os.path.join(out, "charts", "data", "time-%s.dat" % ws))
        p = dat_blocks(os.path.join(out, "charts", "data", "per-object-%s.dat" % ws))
        check(len(t) == len(p), "per-object-%s has %d blocks, time %d" % (ws, len(p), len(t)))
        for bt, bp in zip(t, p):
            for (n, ms, *_), (n2, ns, *_) in zip(bt, bp):
                if n == "nan":
                    continue
                check(n == n2 and abs(float(ms) * 1e6 / float(n) - float(ns)) <= 1e-6 * float(ns),
                      "per-object-%s: %s ns at n = %s, time %s ms" % (ws, ns, n, ms))
    check_report_structure(out)
    check_intervals(out)
    # a damaged pause log: one line naming it, a non-zero exit, no crash
    bad = os.path.join(runs, "cyclic_graph-rings_1000_libc_rc_cycle.i1.pauses.csv")
    with open(bad, "a") as f:
        f.write("0,0,12,not-a-number,young,program\n")
    r = run(["plot", out])
    check(r.returncode == 1 and bad in r.stderr and len(r.stderr.strip().splitlines()) == 1,
          "plot over a damaged pause log: exit %d, %r" % (r.returncode, r.stderr))


def check_intervals(src):
    """Error bars are the rows' intervals; report.html marks an unstable time (CV above
    10%) and names a best only when its interval clears the runner-up's."""
    import re
    out = fresh("charts-intervals")
    shutil.copytree(src, out)
    path = os.path.join(out, "results.csv")
    rows = read_csv(path)
    check("real_time_ns_ci_low" in rows[0] and "real_time_ns_ci_high" in rows[0], "results.csv has no intervals")
    # recursion/sum at 1000, refcount: pool clearly faster than libc, libc unstable (CV 20%);
    # rc_cycle: the two within their intervals; mark_sweep: CV 9%, stable
    setting = {("libc", "refcount"): (100e3, 20e3, 95e3, 105e3), ("pool", "refcount"): (50e3, 1e3, 49e3, 51e3),
               ("libc", "rc_cycle"): (100e3, 1e3, 90e3, 110e3), ("pool", "rc_cycle"): (95e3, 1e3, 85e3, 105e3),
               ("libc", "mark_sweep"): (100e3, 9e3, 99e3, 101e3), ("pool", "mark_sweep"): (200e3, 1e3, 199e3, 201e3)}
    for row in rows:
        key = (row["allocator"], row["collector"])
        if row["workload"] == "recursion/sum" and row["size"] == "1000" and key in setting:
            t, sd, lo, hi = setting[key]
            row.update(real_time_ns=repr(t), real_time_ns_stddev=repr(sd), real_time_ns_ci_low=repr(lo),
                       real_time_ns_ci_high=repr(hi), status="ok")
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    r = run(["plot", out])
    check(r.returncode == 0, "plot: %s" % r.stderr)
    # error bars: the time chart's columns 3 and 4, in ms
    blocks = dat_blocks(os.path.join(out, "charts", "data", "time-recursion-sum.dat"))
    lines = ["refcount", "rc_cycle", "mark_sweep"]
    for pi, al in enumerate(["libc", "pool"]):
        for li, col in enumerate(lines):
            point = [b for b in blocks[pi * len(lines) + li] if b[0] == "1000"]
            t, sd, lo, hi = setting[(al, col)]
            check(len(point) == 1 and [float(x) for x in point[0][1:]] == [t / 1e6, lo / 1e6, hi / 1e6],
                  "time-recursion-sum %s/%s: %s, want %s" % (al, col, point, (t, lo, hi)))
    with open(os.path.join(out, "report.html")) as f:
        html = f.read()
    table = html[html.index('id="summary-time"'):]
    table = table[:table.index("</table>")]
    cells = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        tds = re.findall(r"<td([^>]*)>(.*?)</td>", tr, re.S)
        if len(tds) >= 6 and tds[1][1] == "recursion/sum":
            cells[tds[0][1]] = tds
    check(set(cells) == set(lines), "summary-time rows: %s" % sorted(cells))
    check(plain_text(cells["refcount"][3][1]).startswith("pool ("), "refcount's best: %s" % cells["refcount"][3][1])
    check("unstable" in cells["refcount"][4][1] and "unstable" not in cells["refcount"][5][1],
          "refcount: libc (CV 20%%) unstable, pool not: %s" % cells["refcount"][4:])
    check(plain_text(cells["rc_cycle"][3][1]).startswith("no clear best"), "rc_cycle's best: %s" % cells["rc_cycle"][3][1])
    check('class="best"' not in "".join(a for a, _ in cells["rc_cycle"]), "rc_cycle shades a best")
    check("unstable" not in cells["mark_sweep"][4][1], "mark_sweep: a CV of 9%% is stable")
    check(plain_text(cells["mark_sweep"][3][1]).startswith("libc ("), "mark_sweep's best: %s" % cells["mark_sweep"][3][1])
    rss = html[html.index('id="summary-rss"'):]
    check("unstable" not in rss[:rss.index("</table>")], "the RSS table marks a time's instability")


def test_results_json():
    """test_results' files: python's json reads them, and so does compare.py."""
    one, merged = os.path.join(WORK, "one.json"), os.path.join(WORK, "merged.json")
    for path in (one, merged):
        with open(path) as f:
            doc = json.load(f)
        check(doc["benchmarks"], path + " has no entries")
    with open(merged) as f:
        check(len(json.load(f)["benchmarks"]) == 8, "merged.json should hold 8 entries")
    p = subprocess.run([SYSTEM_PYTHON, COMPARE_PY, "benchmarks", one, merged],
                       capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, "compare.py failed: %s" % p.stderr[-2000:])
    check("large_list/range/1000/libc/rc_cycle" in p.stdout, "compare.py output: %s" % p.stdout)


# ---- JSON written by any tool: jansson reads it whatever its layout -----------------

REFORMAT_VICTIM = "cyclic_graph-pairs_100_pool_mark_sweep"


def batch_json_files(out):
    """Every JSON file of a batch folder: results, manifest, saved arguments, children."""
    paths = [os.path.join(out, f) for f in ("results.json", "manifest.json", "batch.json")]
    for sub in ("runs", "timelines"):
        folder = os.path.join(out, sub)
        paths += sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".json"))
    return [p for p in paths if os.path.isfile(p)]


def rewrite_json(path, style):
    """Rewrite one JSON file: python's json.tool (indent 4, one member per line) or a
    compact dump with no blanks at all. Returns whether the text changed."""
    with open(path) as f:
        before = f.read()
    tmp = path + ".rewrite"
    if style == "json.tool":
        p = subprocess.run([sys.executable, "-m", "json.tool", path, tmp], capture_output=True,
                           text=True, timeout=60)
        check(p.returncode == 0, "json.tool %s: %s" % (path, p.stderr))
    else:
        with open(path) as f:
            doc = json.load(f)
        with open(tmp, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
    os.replace(tmp, path)
    with open(path) as f:
        return f.read() != before


def entries_by_config(out):
    seen = {}
    for e in json_entries(out):
        seen.setdefault((e["workload"], str(e["size"]), e["allocator"], e["collector"]), []).append(e)
    return seen


def manifest_html(out):
    with open(os.path.join(out, "report.html")) as f:
        html = f.read()
    check("<h2 id=\"manifest\">Manifest</h2>" in html, "report.html of %s has no manifest" % out)
    section = html[html.index("<h2 id=\"manifest\">Manifest</h2>"):]
    check("<table class=\"manifest\">" in section and "host.cpu_model" in section,
          "the manifest was not shown: %s" % section[:300])
    return section


def chart_data(out):
    folder = os.path.join(out, "charts", "data")
    data = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".dat"):
            with open(os.path.join(folder, name)) as f:
                data[name] = f.read()
    return data


def test_reformatted():
    """A results folder whose JSON files were rewritten by another tool (json.tool's
    indentation, or no blanks at all) still plots, compares and resumes, with the same
    rows: every JSON file is read with a JSON parser, never line by line."""
    _, _, runtime = path_python()
    orig, _ = tiny_batch("reformatted", ["--reference", "cpython"])
    want = TINY_CONFIGS | {(w, "100", "pymalloc", "cpython_gc")
                           for w in ("recursion/sum", "cyclic_graph/pairs")}
    rows = {identity(x): x for x in read_csv(os.path.join(orig, "results.csv"))}
    check(set(rows) == want and all(x["status"] == "ok" for x in rows.values()),
          "the batch to reformat: %s" % sorted(rows))
    entries = entries_by_config(orig)
    check(set(entries) == want, "results.json of the batch to reformat: %s" % sorted(entries))
    manifest, data = manifest_html(orig), chart_data(orig)
    for style in ("json.tool", "compact"):
        out = fresh("reformatted-" + style)
        shutil.copytree(orig, out)
        files = batch_json_files(out)
        changed = [os.path.relpath(p, out) for p in files if rewrite_json(p, style)]
        runs = [f for f in changed if f.startswith("runs" + os.sep)]
        # one child JSON per invocation: TINY runs 2 per configuration
        check(len(runs) == 2 * len(want),
              "%s: rewrote %d child files: %s" % (style, len(runs), changed))
        for f in ("results.json", "manifest.json", "batch.json"):
            check(f in changed, "%s: %s was not rewritten (missing, or already so)" % (style, f))
        # plot: the same chart data and the manifest shown as before
        r = run(["plot", out])
        check(r.returncode == 0, "%s: plot exited %d: %s" % (style, r.returncode, r.stderr[-2000:]))
        check(chart_data(out) == data, "%s: plot drew other data" % style)
        check(manifest_html(out) == manifest, "%s: the report shows another manifest" % style)
        # compare: every configuration, and nothing changed
        for metric in ("time", "rss"):
            r = run(["compare", orig, out, "--metric", metric, "--format", "csv"])
            check(r.returncode == 0, "%s: compare exited %d: %s" % (style, r.returncode, r.stderr))
            pairs = {(x["workload"], x["size"], x["allocator"], x["collector"]): x
                     for x in csv.DictReader(r.stdout.splitlines()) if x["kind"] == "pair"}
            check(set(pairs) == want, "%s: compare pairs: %s" % (style, sorted(pairs)))
            for ident, x in pairs.items():
                check(float(x["ratio"]) == 1.0 and x["verdict"] in ("same", "n too small"),
                      "%s: compare %s of %s: %s" % (style, metric, ident, x))
        # resume: the saved arguments read back, one configuration to run again, and the
        # reformatted children's entries merged into results.json as they are
        os.remove(os.path.join(out, "runs", REFORMAT_VICTIM + ".csv"))
        r = run(["batch", "--resume", out])
        check(r.returncode == 0, "%s: resume exited %d: %s" % (style, r.returncode, r.stderr[-2000:]))
        check("already" in r.stderr, "%s: resume did not report finished ones: %s" % (style, r.stderr))
        after = {identity(x): x for x in read_csv(os.path.join(out, "results.csv"))}
        check(set(after) == want and all(x["status"] == "ok" for x in after.values()),
              "%s: rows after resume: %s" % (style, sorted(after)))
        victim = ("cyclic_graph/pairs", "100", "pool", "mark_sweep")
        for ident, row in rows.items():
            if ident != victim:
                check(after[ident] == row, "%s: resume changed the row of %s" % (style, ident))
        merged = entries_by_config(out)
        check(set(merged) == want, "%s: results.json after resume: %s" % (style, sorted(merged)))
        for ident, es in merged.items():
            check(not any(e.get("error_occurred") for e in es),
                  "%s: %s has a failed entry after resume: %s" % (style, ident, es))
            if ident != victim:
                check(es == entries[ident], "%s: the entries of %s changed" % (style, ident))
            check(sum(e["run_type"] == "iteration" for e in es) == 2 * manifest_samples(out),
                  "%s: %s has %d repetitions" % (style, ident, len(es)))
        check(all(e["runtime"] == runtime for e in merged[("recursion/sum", "100", "pymalloc",
                                                           "cpython_gc")]),
              "%s: the CPython entries lost their runtime" % style)
        with open(os.path.join(out, "manifest.json")) as f:
            m = json.load(f)
        check(m["batch"]["configurations_done"] == m["batch"]["configurations_total"],
              "%s: manifest after resume: %s" % (style, m["batch"]))
    # the report shows the manifest flat (nested keys joined with dots, arrays with
    # blanks) and escapes every key and value
    m["host"]["cpu_model"] = '<b>"A&B"</b>'
    m["extra"] = {"deep": {"x<y": 1, "list": ["a", 2, None]}}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(m, f)
    r = run(["plot", out])
    check(r.returncode == 0, "plot with an edited manifest exited %d: %s" % (r.returncode, r.stderr))
    html = manifest_html(out)
    for cell in ("<tr><th>host.cpu_model</th><td>&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;</td></tr>",
                 "<tr><th>extra.deep.x&lt;y</th><td>1</td></tr>",
                 "<tr><th>extra.deep.list</th><td>a 2 null</td></tr>",
                 "<tr><th>batch.arguments</th><td>%s</td></tr>" % " ".join(m["batch"]["arguments"]),
                 "<tr><th>batch.configurations_done</th><td>%d</td></tr>" % m["batch"]["configurations_total"]):
        check(cell in html, "the report's manifest lacks %s: %s" % (cell, html[:3000]))


def test_reference_variants():
    """A variant the reference script has no port of gets no CPython row (not a crashed
    one) and a line in the report. The script is the real one, run by the real python3;
    only its --variants answer leaves out one variant, through a python3 wrapper first on
    PATH. A batch that ignored --variants would run the real script on that variant, which
    would succeed: the check below sees the row and fails."""
    python, version, runtime = path_python()
    bindir = fresh("reference-variants-bin")
    os.makedirs(bindir)
    dropped = "cyclic_graph/pairs"
    wrapper = os.path.join(bindir, "python3")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\n"
                "# python3, except that the reference script's --variants leaves out %s\n"
                "case \"$2\" in\n"
                "  --variants) \"%s\" \"$@\" | grep -vx '%s' ;;\n"
                "  *) exec \"%s\" \"$@\" ;;\n"
                "esac\n" % (dropped, python, dropped, python))
    os.chmod(wrapper, 0o755)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    out = fresh("reference-variants")
    r = run(["batch", "--out", out, "--reference", "cpython", "--allocators", "libc",
             "--collectors", "refcount", "--workloads", "recursion/sum," + dropped,
             "--sizes", "100", "--repetitions", "1", "--timelines", "none"], env=env)
    check(r.returncode == 0, "batch exited %d: %s" % (r.returncode, r.stderr[-2000:]))
    rows = read_csv(os.path.join(out, "results.csv"))
    got = sorted((x["runtime"], x["workload"], x["status"]) for x in rows)
    want = sorted([("heaplab", "recursion/sum", "ok"), ("heaplab", dropped, "ok"),
                   (runtime, "recursion/sum", "ok")])
    check(got == want, "rows %s, expected %s" % (got, want))
    with open(os.path.join(out, "report.html")) as f:
        html = f.read()
    check("%s has no rows for %s" % (runtime, dropped) in html,
          "report.html does not say that %s has no %s rows" % (runtime, dropped))
    check("has no rows for recursion/sum" not in html, "report.html names recursion/sum as missing")


def progress_order(stderr):
    """The "[k/N] name #i: status" lines of a batch, as (name, invocation) in run order."""
    order = []
    for line in stderr.splitlines():
        if not line.startswith("[") or "] " not in line or ": " not in line:
            continue
        label = line.split("] ", 1)[1].rsplit(": ", 1)[0]
        name, _, inv = label.rpartition(" #")
        order.append((name, int(inv)) if name and inv.isdigit() else (label, 1))
    return order


def test_invocations():
    """Each repetition is its own process (an invocation); all invocations of all
    configurations run interleaved in a seeded shuffled order, the same order for the same
    seed; --order sequential runs a configuration's invocations one after another. The row
    is over the invocations: its repetitions and its spreads, peak RSS included, which one
    process could not give."""
    matrix = ["--allocators", "libc,pool", "--collectors", "refcount,mark_sweep",
              "--workloads", "recursion/sum,cyclic_graph/pairs", "--sizes", "100",
              "--repetitions", "3", "--samples", "2", "--timelines", "none", "--reference", "none"]
    orders = {}
    for name, extra in (("inv-a", ["--seed", "7"]), ("inv-b", ["--seed", "7"]),
                        ("inv-c", ["--seed", "8"]), ("inv-seq", ["--order", "sequential"])):
        out = fresh(name)
        r = run(["batch", "--out", out] + matrix + extra)
        check(r.returncode == 0, "%s exited %d: %s" % (name, r.returncode, r.stderr[-2000:]))
        orders[name] = progress_order(r.stderr)
        check(len(orders[name]) == 24, "%s: %d progress lines, expected 8 x 3" % (name, len(orders[name])))
        rows = read_csv(os.path.join(out, "results.csv"))
        check(len(rows) == 8 and all(x["repetitions"] == "3" and x["status"] == "ok" for x in rows),
              "%s rows: %s" % (name, [(identity(x), x["repetitions"]) for x in rows]))
        spreads = [float(x["peak_rss_bytes_stddev"]) for x in rows]
        check(all(v == v for v in spreads) and any(v > 0 for v in spreads),
              "%s: peak RSS spreads over invocations %s" % (name, spreads))
        for x in rows:
            slug = "%s_%s_%s_%s" % (x["workload"].replace("/", "-"), x["size"], x["allocator"],
                                    x["collector"])
            for k in range(3):
                check(os.path.isfile(os.path.join(out, "runs", "%s.i%d.csv" % (slug, k))),
                      "%s: no row of invocation %d of %s" % (name, k, slug))
        with open(os.path.join(out, "manifest.json")) as f:
            batch = json.load(f)["batch"]
        check(batch.get("invocations_per_configuration") == 3, "manifest: %s" % batch)
        check(batch.get("samples_per_invocation") == 2 and batch.get("min_time_s") == "0.002"
              and batch.get("warmup_s") == "0.002", "manifest samples: %s" % batch)
        want_order = "sequential" if name == "inv-seq" else "shuffled"
        check(batch.get("invocation_order") == want_order, "manifest order: %s" % batch)
        if name != "inv-seq":
            check(batch.get("invocation_seed") == int(extra[1]), "manifest seed: %s" % batch)
        # a configuration's invocations run in their order, #1 first
        seen = {}
        for cfg, inv in orders[name]:
            seen.setdefault(cfg, []).append(inv)
        check(all(v == [1, 2, 3] for v in seen.values()), "%s invocation order: %s" % (name, seen))
    seq = orders["inv-seq"]
    check(all(seq[3 * i][0] == seq[3 * i + 1][0] == seq[3 * i + 2][0] for i in range(8)),
          "--order sequential interleaved: %s" % seq)
    check(orders["inv-a"] == orders["inv-b"], "the same seed gave two orders")
    check(orders["inv-a"] != seq, "the shuffled order is the sequential one: %s" % orders["inv-a"])
    check(orders["inv-a"] != orders["inv-c"], "seeds 7 and 8 gave the same order")
    r = run(["batch", "--out", fresh("inv-bad")] + matrix + ["--order", "random"])
    check(r.returncode == 2 and "valid: shuffled, sequential" in r.stderr,
          "--order random: exit %d, %s" % (r.returncode, r.stderr))


TESTS = {"crash": test_crash, "folder": test_folder, "compare": test_compare, "resume": test_resume,
         "timeout": test_timeout, "bad-args": test_bad_args, "report": test_report,
         "results-json": test_results_json, "reference": test_reference,
         "reference-resume": test_reference_resume, "reference-faults": test_reference_faults,
         "reference-none": test_reference_none, "reformatted": test_reformatted,
         "reference-variants": test_reference_variants, "invocations": test_invocations,
         "colours": test_colours, "charts": test_charts}

if __name__ == "__main__":
    os.makedirs(WORK, exist_ok=True)
    if TEST not in TESTS:
        fail("unknown test " + TEST)
    TESTS[TEST]()
    print("batch_check %s: ok" % TEST)
