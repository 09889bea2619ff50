#!/usr/bin/env python3
"""Tests of `heaplab compare` (bench/report/compare*.c, bench/cli/compare_command.c).

Usage: compare_check.py HEAPLAB WORKDIR TEST
TEST is one of: stats, matching, verdicts, outputs, fail-if, bad, end-to-end.

The synthetic folders are written by hand: results.csv plus runs/<slug>.i<k>.csv, one
row per invocation, with known values: pool is libc + 20% (a real shift, 8 invocations
per side, small noise), mimalloc is libc + 0% (other noise), rc_cycle is refcount + 20%,
size 100 has only 3 invocations per side, one row crashed, one row has no baseline.
Every p the program prints is recomputed here (exact enumeration, or the normal
approximation with tie correction), and cross-checked with scipy when Debian's python3
has it. Standard library only otherwise.
"""
import csv
import itertools
import json
import math
import os
import shutil
import subprocess
import sys

from hl_testing import check, fail, run_heaplab  # tests/ is on sys.path

HEAPLAB, WORK, TEST = sys.argv[1], sys.argv[2], sys.argv[3]
SYSTEM_PYTHON = "/usr/bin/python3"

NOISE_A = [-0.030, 0.010, -0.020, 0.030, 0.000, -0.010, 0.020, 0.005]
NOISE_B = [0.018, -0.025, 0.008, -0.005, 0.028, -0.015, 0.000, 0.012]
ALLOCATOR_FACTOR = {"libc": 1.0, "pool": 1.2, "mimalloc": 1.0}
COLLECTOR_FACTOR = {"refcount": 1.0, "rc_cycle": 1.2}
WORKLOADS = {"large_list/range": 1.0e6, "cyclic_graph/pairs": 3.0e6}
SIZES = {1000: 1.0, 10000: 10.0}




def run(args, timeout=120, **kw):
    return run_heaplab(HEAPLAB, args, timeout, **kw)


def fresh(name):
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def median(v):
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


_HEADER = []


def schema_header():
    """The results.csv header as the built heaplab writes it (`run --row`)."""
    if not _HEADER:
        path = os.path.join(fresh("header"), "row.csv")
        p = run(["run", "--workload", "recursion/sum", "--size", "10", "--iterations", "1",
                 "--row", path])
        check(p.returncode == 0, "run --row: %s" % p.stderr)
        with open(path, newline="") as f:
            _HEADER.extend(next(csv.reader(f)))
    return _HEADER


def slug(row):
    return "%s_%s_%s_%s" % (row["workload"].replace("/", "-"), row["size"], row["allocator"],
                            row["collector"])


def write_rows(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=schema_header(), restval="")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def make_folder(name, configs):
    """configs: list of dicts with identity, status and `values` (per-invocation dicts of
    figures). Writes results.csv (medians) and runs/<slug>.i<k>.csv."""
    out = fresh(name)
    os.makedirs(os.path.join(out, "runs"))
    rows = []
    for c in configs:
        ident = {k: c[k] for k in ("workload", "size", "allocator", "collector")}
        ident["runtime"] = c.get("runtime", "heaplab")
        invocations = c.get("values", [])
        for k, figures in enumerate(invocations):
            write_rows(os.path.join(out, "runs", "%s.i%d.csv" % (slug(ident), k)),
                       [dict(ident, repetitions=1, status="ok", **figures)])
        row = dict(ident, repetitions=max(1, len(invocations)), status=c.get("status", "ok"))
        for key in (invocations[0] if invocations else {}):
            row[key] = repr(median([float(v[key]) for v in invocations]))
        rows.append(row)
    write_rows(os.path.join(out, "results.csv"), rows)
    return out


def synthetic_configs(shift=None, invocations=8):
    """Every workload x size x allocator x collector of the tables above, plus size 100
    with 3 invocations, one crashed row and one row without a libc counterpart."""
    configs = []
    for (w, wt), (n, nf), (a, af), (c, cf) in itertools.product(
            WORKLOADS.items(), SIZES.items(), ALLOCATOR_FACTOR.items(), COLLECTOR_FACTOR.items()):
        noise = NOISE_A if a == "libc" else NOISE_B
        if c == "rc_cycle":
            noise = list(reversed(noise))
        factor = af * cf * (shift(w, n, a, c) if shift else 1.0)
        values = []
        for k in range(invocations):
            t = wt * nf * factor * (1 + noise[k % len(noise)])
            values.append({"real_time_ns": repr(t), "cpu_time_ns": repr(t * 0.9),
                           "peak_rss_bytes": repr(4096.0 * (1000 + 10 * k) * nf * af),
                           "gc_collections": str(5 + k % 3)})
        configs.append({"workload": w, "size": n, "allocator": a, "collector": c,
                        "values": values})
    for a in ("libc", "pool"):  # 3 vs 3 invocations: no p below 0.1
        noise = NOISE_A if a == "libc" else NOISE_B
        configs.append({"workload": "large_list/range", "size": 100, "allocator": a,
                        "collector": "refcount",
                        "values": [{"real_time_ns": repr(1e5 * ALLOCATOR_FACTOR[a] * (1 + x))}
                                   for x in noise[:3]]})
    configs.append({"workload": "large_list/range", "size": 100, "allocator": "mimalloc",
                    "collector": "refcount", "status": "crashed", "values": []})
    configs.append({"workload": "large_list/range", "size": 555, "allocator": "pool",
                    "collector": "refcount",
                    "values": [{"real_time_ns": repr(1e5 * (1 + x))} for x in NOISE_B]})
    return configs


def synthetic(name="syn", **kw):
    return make_folder(name, synthetic_configs(**kw))


def compare_json(args, want_code=0):
    p = run(["compare"] + list(args) + ["--format", "json"])
    check(p.returncode == want_code, "compare %s exited %d (want %d): %s" %
          (args, p.returncode, want_code, p.stderr))
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        fail("compare %s --format json is not JSON (%s): %s" % (args, e, p.stdout[:500]))


def key(x):
    return (x["runtime"], x["workload"], x["size"], x["allocator"], x["collector"])


def pair_of(doc, **ident):
    found = [x for x in doc["pairs"] if all(str(x[k]) == str(v) for k, v in ident.items())]
    check(len(found) == 1, "want one pair %s, got %d: %s" % (ident, len(found),
                                                           [key(x) for x in doc["pairs"]]))
    return found[0]


def invocation_values(folder, ident, column="real_time_ns"):
    values = []
    prefix = slug(ident) + ".i"
    for name in sorted(os.listdir(os.path.join(folder, "runs"))):
        if name.startswith(prefix) and name.endswith(".csv") and name[len(prefix):-4].isdigit():
            with open(os.path.join(folder, "runs", name), newline="") as f:
                row = next(csv.DictReader(f))
            if row["status"] == "ok" and row[column] != "":
                values.append(float(row[column]))
    return values


# ---- the statistics, recomputed ---------------------------------------------------

def mann_whitney(a, b):
    """(U of b, two-sided p, exact?) as heaplab computes them: exact when both sides have
    at most 10 values and no ties, else normal with tie and continuity correction."""
    allv = sorted([(x, 0) for x in a] + [(x, 1) for x in b])
    n = len(allv)
    ranks, ties, i = [0.0] * n, 0.0, 0
    while i < n:
        j = i
        while j + 1 < n and allv[j + 1][0] == allv[i][0]:
            j += 1
        t = j - i + 1
        ties += t ** 3 - t
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    rb = sum(r for r, (_, side) in zip(ranks, allv) if side == 1)
    na, nb = len(a), len(b)
    u = rb - nb * (nb + 1) / 2
    if na <= 10 and nb <= 10 and ties == 0:
        small = min(u, na * nb - u)
        below = total = 0
        for picks in itertools.combinations(range(n), nb):
            ub = sum(picks) + nb - nb * (nb + 1) / 2  # ranks are 1-based positions
            total += 1
            below += ub <= small + 1e-9
        return u, min(1.0, 2 * below / total), True
    var = na * nb / 12 * ((n + 1) - ties / (n * (n - 1)))
    z = max(0.0, (abs(u - na * nb / 2) - 0.5) / math.sqrt(var))
    return u, min(1.0, math.erfc(z / math.sqrt(2))), False


def scipy_p(a, b, exact):
    """scipy.stats.mannwhitneyu's two-sided p under Debian's python3, or None."""
    if not os.path.exists(SYSTEM_PYTHON):
        return None
    code = ("import json,sys\nfrom scipy.stats import mannwhitneyu\n"
            "a,b,m=json.load(sys.stdin)\n"
            "print(mannwhitneyu(b,a,alternative='two-sided',method=m).pvalue)")
    p = subprocess.run([SYSTEM_PYTHON, "-c", code], input=json.dumps(
        [a, b, "exact" if exact else "asymptotic"]), capture_output=True, text=True, timeout=60)
    return float(p.stdout) if p.returncode == 0 else None


def check_pair_stats(folder, pair, column="real_time_ns", base_folder=None):
    base = pair["baseline"]
    a = invocation_values(base_folder or folder, base, column)
    b = invocation_values(folder, pair, column)
    check(pair["n_baseline"] == len(a) and pair["n_candidate"] == len(b),
          "n of %s: %s vs %d/%d" % (key(pair), (pair["n_baseline"], pair["n_candidate"]),
                                    len(a), len(b)))
    ratio = median(b) / median(a)
    check(abs(pair["ratio"] - ratio) < 1e-9 * ratio, "ratio of %s: %r, want %r" %
          (key(pair), pair["ratio"], ratio))
    u, p, exact = mann_whitney(a, b)
    check(pair["exact"] == exact, "exact of %s: %s, want %s" % (key(pair), pair["exact"], exact))
    check(abs(pair["u"] - u) < 1e-9, "U of %s: %r, want %r" % (key(pair), pair["u"], u))
    check(abs(pair["p"] - p) < 1e-9, "p of %s: %r, want %r" % (key(pair), pair["p"], p))
    sp = scipy_p(a, b, exact)
    if sp is not None:
        check(abs(pair["p"] - sp) < 1e-9, "p of %s: %r, scipy says %r" % (key(pair), pair["p"], sp))
    min_p = 2 / math.comb(len(a) + len(b), len(a))
    check(abs(pair["min_p"] - min_p) < 1e-12, "min_p of %s: %r" % (key(pair), pair["min_p"]))
    check(pair["ci_low"] <= pair["ratio"] <= pair["ci_high"],
          "the interval of %s does not hold its own ratio: %s" % (key(pair), pair))
    return a, b


# ---- tests ------------------------------------------------------------------------

def test_stats():
    syn = synthetic()
    doc = compare_json([syn, "--baseline", "allocator=libc"])
    checked_exact = checked_normal = 0
    for pair in doc["pairs"]:
        check_pair_stats(syn, pair)
        checked_exact += pair["exact"]
    check(checked_exact >= 8, "few exact p checked: %d" % checked_exact)
    # 20% shift: the bootstrap interval holds the true ratio 1.2 and is narrow
    pool = pair_of(doc, workload="large_list/range", size=1000, allocator="pool",
                   collector="refcount")
    check(pool["ci_low"] <= 1.2 <= pool["ci_high"], "CI of the 20%% shift misses 1.2: %s" % pool)
    check(pool["ci_high"] - pool["ci_low"] < 0.1, "CI of the 20%% shift is wide: %s" % pool)
    check(pool["p"] < 0.05, "the 20%% shift is not significant: %s" % pool)
    check(abs(pool["p"] - 2 / math.comb(16, 8)) < 1e-12,
          "8 vs 8 fully separated: p should be 2/C(16,8): %s" % pool["p"])
    mim = pair_of(doc, workload="large_list/range", size=1000, allocator="mimalloc",
                  collector="refcount")
    check(mim["ci_low"] <= 1.0 <= mim["ci_high"], "CI of the 0%% shift misses 1.0: %s" % mim)
    check(mim["p"] > 0.05, "the 0%% shift is significant: %s" % mim)
    # the same folders give the same intervals (fixed seed)
    again = compare_json([syn, "--baseline", "allocator=libc"])
    check(again["pairs"] == doc["pairs"], "two runs gave different results")
    # ties (gc_collections 5,6,7,...) and more than 10 a side: the normal approximation
    for args, what in ((["--metric", "collections"], "ties"),):
        d = compare_json([syn, "--baseline", "allocator=libc"] + args)
        for pair in d["pairs"]:
            check(not pair["exact"], "%s: exact p with ties: %s" % (what, key(pair)))
            check_pair_stats(syn, pair, "gc_collections")
            checked_normal += 1
    many = synthetic("syn-many", invocations=12)
    d = compare_json([many, "--baseline", "allocator=libc", "--size", "1000"])
    for pair in d["pairs"]:
        check(not pair["exact"] and pair["n_baseline"] == 12, "12 a side: %s" % pair)
        check_pair_stats(many, pair)
        checked_normal += 1
    check(checked_normal >= 8, "few normal-approximation p checked: %d" % checked_normal)


def test_matching():
    syn = synthetic()
    # allocator=libc: every non-libc row against the libc row of the same other fields
    doc = compare_json([syn, "--baseline", "allocator=libc"])
    want = {("heaplab", w, n, a, c) for w in WORKLOADS for n in SIZES
            for a in ("pool", "mimalloc") for c in COLLECTOR_FACTOR}
    want.add(("heaplab", "large_list/range", 100, "pool", "refcount"))
    check({key(x) for x in doc["pairs"]} == want,
          "allocator=libc pairs: %s" % sorted({key(x) for x in doc["pairs"]} ^ want))
    for x in doc["pairs"]:
        b = x["baseline"]
        check(b["allocator"] == "libc" and (b["runtime"], b["workload"], b["size"], b["collector"])
              == (x["runtime"], x["workload"], x["size"], x["collector"]), "baseline of %s: %s" %
              (key(x), b))
    # the crashed row is listed with its status, the row without libc as unmatched
    nc = doc["not_comparable"]
    check(len(nc) == 1 and nc[0]["allocator"] == "mimalloc" and nc[0]["candidate_status"] ==
          "crashed" and "crashed" in nc[0]["note"], "not comparable: %s" % nc)
    um = doc["unmatched"]
    check(len(um) == 1 and um[0]["size"] == 555 and um[0]["kind"] == "no_baseline",
          "unmatched: %s" % um)
    p = run(["compare", syn, "--baseline", "allocator=libc"])
    check("not comparable: large_list/range/100/mimalloc/refcount: status: baseline ok, "
          "candidate crashed" in p.stdout, "text lacks the crashed row: %s" % p.stdout)
    check("no baseline row: large_list/range/555/pool/refcount" in p.stdout,
          "text lacks the unmatched row: %s" % p.stdout)
    # collector=refcount: every rc_cycle row against refcount on the same allocator
    doc = compare_json([syn, "--baseline", "collector=refcount"])
    want = {("heaplab", w, n, a, "rc_cycle") for w in WORKLOADS for n in SIZES
            for a in ALLOCATOR_FACTOR}
    check({key(x) for x in doc["pairs"]} == want, "collector=refcount pairs: %s" %
          sorted(key(x) for x in doc["pairs"]))
    for x in doc["pairs"]:
        b = x["baseline"]
        check(b["collector"] == "refcount" and b["allocator"] == x["allocator"] and
              b["size"] == x["size"] and b["workload"] == x["workload"], "baseline of %s" % (key(x),))
        check(x["verdict"] == "slower" and x["ci_low"] <= 1.2 <= x["ci_high"],
              "rc_cycle is 20%% slower by construction: %s" % x)
    # batch: B against A, row by row; B is A with the libc rows 20% slower, one row
    # dropped and one added
    def shift(w, n, a, c):
        return 1.2 if a == "libc" else 1.0
    b_configs = [c for c in synthetic_configs(shift=shift)
                 if not (c["allocator"] == "mimalloc" and c["size"] == 10000 and
                         c["collector"] == "rc_cycle" and c["workload"] == "large_list/range")]
    b_configs.append({"workload": "large_list/range", "size": 777, "allocator": "libc",
                      "collector": "refcount",
                      "values": [{"real_time_ns": "1000.0"}] * 8})
    syn_b = make_folder("syn-b", b_configs)
    for args in ([syn, syn_b], [syn, syn_b, "--baseline", "batch"]):
        doc = compare_json(args)
        for x in doc["pairs"]:
            check(key(x["baseline"]) == key(x), "batch pairs differ in identity: %s" % x)
            check_pair_stats(syn_b, x, base_folder=syn)
            if x["allocator"] == "libc" and x["size"] != 100:
                check(x["verdict"] == "slower", "batch: libc is 20%% slower in B: %s" % x)
            elif x["size"] != 100:
                check(x["verdict"] == "same", "batch: %s did not change: %s" % (key(x), x))
        kinds = sorted((x["kind"], x["size"]) for x in doc["unmatched"])
        check(kinds == [("only_in_a", 10000), ("only_in_b", 777)], "batch unmatched: %s" % kinds)
        check(len(doc["pairs"]) == 2 * 2 * 3 * 2 - 1 + 2 + 1,
              "batch pairs: %d" % len(doc["pairs"]))
    # two folders with allocator=libc: the baseline rows from the first, candidates
    # from the second
    doc = compare_json([syn, syn_b, "--baseline", "allocator=libc", "--size", "1000"])
    for x in doc["pairs"]:
        check_pair_stats(syn_b, x, base_folder=syn)
    # filters select candidate rows
    for args, test in ((["--collector", "rc_cycle"], lambda x: x["collector"] == "rc_cycle"),
                       (["--allocator", "pool"], lambda x: x["allocator"] == "pool"),
                       (["--allocator", "pool,mimalloc", "--collector", "refcount"],
                        lambda x: x["collector"] == "refcount"),
                       (["--workload", "large_list"], lambda x: x["workload"] == "large_list/range"),
                       (["--workload", "cyclic_graph/pairs"],
                        lambda x: x["workload"] == "cyclic_graph/pairs"),
                       (["--size", "1e4"], lambda x: x["size"] == 10000),
                       (["--size", "1000,10000", "--workload", "large_list/range,cyclic_graph"],
                        lambda x: x["size"] in (1000, 10000))):
        doc = compare_json([syn, "--baseline", "allocator=libc"] + args)
        check(doc["pairs"] and all(test(x) for x in doc["pairs"]),
              "filter %s: %s" % (args, [key(x) for x in doc["pairs"]]))
        full = compare_json([syn, "--baseline", "allocator=libc"])
        check(len(doc["pairs"]) == sum(test(x) for x in full["pairs"]),
              "filter %s dropped a pair" % args)


def test_verdicts():
    syn = synthetic()
    doc = compare_json([syn, "--baseline", "allocator=libc"])
    for x in doc["pairs"]:
        if x["size"] == 100:
            check(x["verdict"] == "n too small" and abs(x["min_p"] - 0.1) < 1e-12,
                  "3 vs 3 must be 'n too small': %s" % x)
        elif x["allocator"] == "pool":
            check(x["verdict"] == "slower" and x["p"] < 0.05, "20%% shift: %s" % x)
        else:
            check(x["verdict"] in ("same", "unclear") and x["verdict"] == "same",
                  "0%% shift: %s" % x)
    # the order: by effect size, largest first
    effects = [abs(math.log(x["ratio"])) for x in doc["pairs"]]
    check(effects == sorted(effects, reverse=True), "pairs not sorted by effect: %s" % effects)
    # the note, in every format
    p = run(["compare", syn, "--baseline", "allocator=libc"])
    check("smallest two-sided p" in p.stdout and "0.1" in p.stdout and "0.029" in p.stdout,
          "text lacks the n-too-small note: %s" % p.stdout[-600:])
    check("n too small" in doc["summary"]["note"], "json summary note: %s" % doc["summary"])
    # --threshold: 25% makes the 20% shift "same"; 0 makes the 0% shift "unclear"
    doc = compare_json([syn, "--baseline", "allocator=libc", "--threshold", "25", "--size", "1000"])
    check(all(x["verdict"] == "same" for x in doc["pairs"]), "threshold 25: %s" %
          [x["verdict"] for x in doc["pairs"]])
    doc = compare_json([syn, "--baseline", "allocator=libc", "--threshold", "0%",
                        "--allocator", "mimalloc"])
    check(all(x["verdict"] == "unclear" for x in doc["pairs"] if x["size"] != 100),
          "threshold 0, 0%% shift: %s" % [(key(x), x["verdict"]) for x in doc["pairs"]])
    doc = compare_json([syn, "--baseline", "allocator=libc", "--threshold", "15",
                        "--allocator", "pool", "--size", "1000"])
    check(all(x["verdict"] == "slower" for x in doc["pairs"]), "threshold 15: %s" % doc["pairs"])
    # memory words: pool's peak RSS is 20% bigger by construction
    doc = compare_json([syn, "--baseline", "allocator=libc", "--metric", "rss", "--size", "1000"])
    for x in doc["pairs"]:
        want = "bigger" if x["allocator"] == "pool" else "same"
        check(x["verdict"] == want, "rss verdict of %s: %s" % (key(x), x["verdict"]))
        check_pair_stats(syn, x, "peak_rss_bytes")
    check(doc["column"] == "peak_rss_bytes", "--metric rss column: %s" % doc["column"])
    doc = compare_json([syn, "--baseline", "allocator=libc", "--metric", "cpu_time_ns",
                        "--size", "1000"])
    check(doc["metric"] == "cpu" and all(x["verdict"] in ("slower", "same") for x in doc["pairs"]),
          "--metric cpu_time_ns: %s" % doc["metric"])


def check_geomeans(doc):
    pairs = doc["pairs"]
    groups = {}
    for g in doc["geomeans"]:
        groups[(g["group"], g["value"])] = g
    def geo(xs):
        return math.exp(sum(math.log(x["ratio"]) for x in xs) / len(xs))
    check(("all", "") in groups, "no overall geomean: %s" % groups)
    want = {("all", ""): pairs}
    for field in ("allocator", "collector", "workload"):
        for v in {x[field] for x in pairs}:
            want[(field, v)] = [x for x in pairs if x[field] == v]
    check(set(groups) == set(want), "geomean groups: %s" % sorted(groups))
    for k, xs in want.items():
        check(groups[k]["pairs"] == len(xs) and abs(groups[k]["ratio"] - geo(xs)) < 1e-9,
              "geomean %s: %s, want %r over %d" % (k, groups[k], geo(xs), len(xs)))
    return groups


def test_outputs():
    syn = synthetic()
    args = [syn, "--baseline", "allocator=libc"]
    doc = compare_json(args)
    groups = check_geomeans(doc)
    check(groups[("collector", "rc_cycle")]["pairs"] == 8, "rc_cycle pairs: %s" % groups)
    # CSV: the csv module reads every record with the header's fields
    p = run(["compare"] + args + ["--format", "csv"])
    check(p.returncode == 0, "csv: %s" % p.stderr)
    records = list(csv.DictReader(p.stdout.splitlines()))
    check(all(None not in r and len(r) == len(records[0]) for r in records), "csv ragged")
    kinds = [r["kind"] for r in records]
    check(kinds.count("pair") == len(doc["pairs"]) and kinds.count("geomean") == len(groups) and
          kinds.count("not_comparable") == 1 and kinds.count("no_baseline") == 1,
          "csv kinds: %s" % kinds)
    by_key = {key(x): x for x in doc["pairs"]}
    for r in records:
        if r["kind"] == "pair":
            x = by_key[(r["runtime"], r["workload"], int(r["size"]), r["allocator"], r["collector"])]
            for col in ("ratio", "ci_low", "ci_high", "p"):
                check(abs(float(r[col]) - x[col]) <= 1e-8 * max(1, abs(x[col])),
                      "csv %s of %s: %s vs %s" % (col, key(x), r[col], x[col]))
            check(r["verdict"] == x["verdict"], "csv verdict")
        if r["kind"] == "geomean":
            g = groups[(r["group"], r[r["group"]] if r["group"] != "all" else "")]
            check(abs(float(r["ratio"]) - g["ratio"]) < 1e-8, "csv geomean %s" % r)
    # markdown: GitHub tables with a constant column count, the geomean table after
    p = run(["compare"] + args + ["--format", "markdown"])
    check(p.returncode == 0, "markdown: %s" % p.stderr)
    tables, current = [], []
    for line in p.stdout.splitlines() + [""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    check(len(tables) == 2, "markdown should have the pairs and the geomean table: %s" % p.stdout)
    for t in tables:
        widths = {len(l.replace("\\|", "").split("|")) for l in t}
        check(len(widths) == 1 and set(t[1].replace("|", "").split()) <= {"---", "---:"},
              "markdown table malformed: %s" % t[:3])
    check(len(tables[0]) == 2 + len(doc["pairs"]) and tables[1][0].startswith("| geomean "),
          "markdown rows: %s" % tables)
    check(any(l.startswith("| all | %d | " % len(doc["pairs"])) for l in tables[1]),
          "markdown lacks the overall geomean: %s" % tables[1])
    check("- not comparable: `large_list/range/100/mimalloc/refcount`" in p.stdout,
          "markdown lacks the not comparable row")
    # text: every pair's label, its ratio, and the geomean block
    p = run(["compare"] + args)
    check(p.returncode == 0, "text: %s" % p.stderr)
    for x in doc["pairs"]:
        label = "%s/%d/%s/%s" % (x["workload"], x["size"], x["allocator"], x["collector"])
        line = [l for l in p.stdout.splitlines() if l.startswith(label + " ")]
        check(len(line) == 1 and ("%.3f" % x["ratio"]) in line[0] and x["verdict"] in line[0],
              "text line of %s: %s" % (label, line))
    check("geomean of the ratios" in p.stdout and "%d pairs compared" % len(doc["pairs"]) in
          p.stdout, "text summary: %s" % p.stdout[-800:])


def test_fail_if():
    syn = synthetic()
    base = ["compare", syn, "--baseline", "allocator=libc"]
    for extra, code in ((["--fail-if", "slower>5%"], 1),
                        (["--fail-if", "slower>25%"], 0),
                        (["--fail-if", "slower<25%"], 1),
                        (["--fail-if", "faster>5%"], 0),
                        (["--fail-if", "slower>5", "--allocator", "mimalloc"], 0),
                        # 20% slower but 3 vs 3: never significant, never fails
                        (["--fail-if", "slower>5%", "--size", "100"], 0),
                        (["--fail-if", "faster>1%", "--fail-if", "slower>10%"], 1),
                        (["--metric", "rss", "--fail-if", "bigger>10%"], 1),
                        (["--metric", "rss", "--fail-if", "smaller>1%"], 0),
                        (["--metric", "collections", "--fail-if", "more>1%"], 0)):
        p = run(base + extra)
        check(p.returncode == code, "%s exited %d, want %d: %s" % (extra, p.returncode, code,
                                                                   p.stderr))
        check(p.stdout.startswith("heaplab compare:"), "%s: no comparison printed" % extra)
        if code == 1:
            lines = p.stderr.strip().splitlines()
            check(lines and all(l.startswith("heaplab: compare: --fail-if ") for l in lines) and
                  "pool" in lines[0], "%s: stderr %r" % (extra, p.stderr))
        else:
            check(p.stderr == "", "%s: stderr %r" % (extra, p.stderr))
    # batch mode, as CI would run it: B 20% slower on libc
    def shift(w, n, a, c):
        return 1.2 if a == "libc" else 1.0
    syn_b = make_folder("syn-fail-b", synthetic_configs(shift=shift))
    check(run(["compare", syn, syn_b, "--fail-if", "slower>10%"]).returncode == 1, "batch fail-if")
    check(run(["compare", syn, syn, "--fail-if", "slower>0%"]).returncode == 0, "A against A")


def test_bad():
    syn = synthetic()
    other = make_folder("syn-2", synthetic_configs())
    cases = [
        ([syn], "--baseline"),
        ([syn, "--baseline", "batch"], "--baseline"),
        ([], "results folder"),
        ([syn, other, other], "unexpected argument"),
        ([syn, "--baseline", "libc"], "allocator=NAME"),
        ([syn, "--baseline", "allocator="], "--baseline"),
        ([syn, "--baseline", "heap=libc"], "--baseline"),
        ([syn, "--baseline", "allocator=jemalloc"], "present: libc, pool, mimalloc"),
        ([syn, "--baseline", "collector=boehm"], "present: refcount, rc_cycle"),
        ([syn, "--baseline", "allocator=libc", "--metric", "speed"], "valid: time"),
        ([syn, "--baseline", "allocator=libc", "--threshold", "-1"], "--threshold"),
        ([syn, "--baseline", "allocator=libc", "--threshold", "five"], "--threshold"),
        ([syn, "--baseline", "allocator=libc", "--format", "xml"], "valid: text, markdown"),
        ([syn, "--baseline", "allocator=libc", "--fail-if", "slower"], "--fail-if"),
        ([syn, "--baseline", "allocator=libc", "--fail-if", "slower>fast"], "percentage"),
        ([syn, "--baseline", "allocator=libc", "--fail-if", "bigger>5%"], "slower or faster"),
        ([syn, "--baseline", "allocator=libc", "--metric", "rss", "--fail-if", "slower>5%"],
         "bigger or smaller"),
        ([syn, "--baseline", "allocator=libc", "--size", "0"], "--size"),
        ([syn, "--baseline", "allocator=libc", "--size", "12"], "present: 1000, 10000, 100, 555"),
        ([syn, "--baseline", "allocator=libc", "--collector", "marksweep"], "--collector"),
        ([syn, "--baseline", "allocator=libc", "--allocator", "pool,"], "--allocator"),
        ([syn, "--baseline", "allocator=libc", "--workload", "recursion"], "--workload"),
        ([syn, "--baseline", "allocator=libc", "--workload", "large_list/append"], "--workload"),
        ([syn, "--bogus"], "unknown option '--bogus'"),
        ([syn, "--baseline"], "--baseline needs a value"),
        ([os.path.join(WORK, "nowhere"), "--baseline", "allocator=libc"], "nowhere"),
    ]
    for args, needle in cases:
        p = run(["compare"] + args)
        lines = p.stderr.splitlines()
        check(p.returncode == 2, "%s exited %d, want 2: %s" % (args, p.returncode, p.stderr))
        check(len(lines) == 1 and lines[0].startswith("heaplab: "), "%s: not one line: %r" %
              (args, p.stderr))
        check(needle in lines[0], "%s: %r not in %r" % (args, needle, lines[0]))
        check(p.stdout == "", "%s: stdout %r" % (args, p.stdout[:200]))
    for flag in ("--help", "-h"):
        p = run(["compare", flag])
        check(p.returncode == 0 and "--baseline" in p.stdout and "--fail-if" in p.stdout,
              "compare %s: %d %s" % (flag, p.returncode, p.stderr))


def test_end_to_end():
    out = os.path.join(WORK, "batch")
    shutil.rmtree(out, ignore_errors=True)
    p = run(["batch", "--workloads", "large_list/range", "--sizes", "1000", "--allocators",
             "libc,pool", "--collectors", "refcount", "--repetitions", "4", "--samples", "1",
             "--reference", "none", "--timelines", "none", "--out", out], timeout=600)
    check(p.returncode == 0, "batch exited %d: %s" % (p.returncode, p.stderr[-2000:]))
    doc = compare_json([out, "--baseline", "allocator=libc"])
    check(len(doc["pairs"]) == 1 and not doc["not_comparable"] and not doc["unmatched"],
          "one pair: %s" % doc)
    x = doc["pairs"][0]
    check(key(x) == ("heaplab", "large_list/range", 1000, "pool", "refcount") and
          x["baseline"]["allocator"] == "libc", "the pair: %s" % x)
    check(x["from_invocations"] and x["n_baseline"] == 4 and x["n_candidate"] == 4,
          "4 invocations a side from runs/: %s" % x)
    check(abs(x["min_p"] - 2 / 70) < 1e-12, "4 vs 4 min p: %s" % x["min_p"])
    check(x["verdict"] in ("faster", "slower", "same", "unclear"), "verdict: %s" % x["verdict"])
    check_pair_stats(out, x)
    # the folder's own results.csv median is the invocations' median
    with open(os.path.join(out, "results.csv"), newline="") as f:
        rows = {(r["allocator"]): r for r in csv.DictReader(f)}
    check(abs(float(rows["pool"]["real_time_ns"]) - x["candidate_median"]) <=
          1e-6 * x["candidate_median"], "median differs from results.csv: %s" % rows["pool"])
    check_geomeans(doc)
    # every format of the real folder parses
    for fmt in ("text", "markdown", "csv"):
        p = run(["compare", out, "--baseline", "allocator=libc", "--format", fmt])
        check(p.returncode == 0, "%s: %s" % (fmt, p.stderr))
        if fmt == "csv":
            records = list(csv.DictReader(p.stdout.splitlines()))
            check(len(records) == 1 + 4 and records[0]["allocator"] == "pool" and
                  abs(float(records[0]["ratio"]) - x["ratio"]) < 1e-8, "csv: %s" % records)
        else:
            check("large_list/range/1000/pool/refcount" in p.stdout, "%s: %s" % (fmt, p.stdout))
    # the folder against itself: nothing changed
    doc = compare_json([out, out])
    check(len(doc["pairs"]) == 2 and all(x["ratio"] == 1 and x["p"] == 1 and
                                         x["verdict"] == "same" for x in doc["pairs"]),
          "a folder against itself: %s" % doc["pairs"])
    # refcount never pauses: its longest pause is 0 on both sides, no ratio, and the
    # pair is listed with the reason, not dropped
    doc = compare_json([out, "--baseline", "allocator=libc", "--metric", "pause_max"])
    check(not doc["pairs"] and len(doc["not_comparable"]) == 1 and
          "gc_pause_max_ns: baseline median 0, candidate 0" in doc["not_comparable"][0]["note"],
          "pause_max of refcount: %s" % doc)


TESTS = {"stats": test_stats, "matching": test_matching, "verdicts": test_verdicts,
         "outputs": test_outputs, "fail-if": test_fail_if, "bad": test_bad,
         "end-to-end": test_end_to_end}

if __name__ == "__main__":
    if TEST not in TESTS:
        fail("unknown test %r (valid: %s)" % (TEST, ", ".join(TESTS)))
    os.makedirs(WORK, exist_ok=True)
    TESTS[TEST]()
    print("ok: compare " + TEST)
