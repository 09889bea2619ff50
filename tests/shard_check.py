"""heaplab batch --shard I/N and heaplab merge, end to end at a tiny size (issue 15).

usage: shard_check.py HEAPLAB WORKDIR shard|merge|refusals

  shard     the shards of a batch hold every configuration of the unsharded batch exactly
            once, whole cells each (timeline runs with their cell), the host on every row
            and in the manifest; bad --shard values are one line and exit 2; --resume of
            a shard folder finishes it as that shard.
  merge     merge of the shards equals the batch run locally (configurations, statuses),
            one host, runs/ linked, report.html's hosts section; compare refuses pairs
            whose rows name different hosts.
  refusals  merge refuses, one line on stderr and exit 2 each, naming the folders:
            different git revisions, builds, batch arguments; the same shard twice; a cell
            in two folders; missing shards (by number); a folder that is no shard or is
            not finished; an OUT that is not empty.
"""
import json
import os
import shutil
import sys

from hl_testing import check, fail, run_heaplab

HEAPLAB, WORK, MODE = sys.argv[1], sys.argv[2], sys.argv[3]
BATCH = ["--allocators", "libc,pool", "--collectors", "refcount,rc_cycle",
         "--workloads", "large_list/range,recursion/sum,cyclic_graph/pairs",
         "--sizes", "1000,2000", "--repetitions", "2", "--samples", "1",
         "--reference", "none", "--timelines", "large_list/range", "--timeline-size", "1000"]
N = 3


def run(args, timeout=300):
    return run_heaplab(HEAPLAB, args, timeout)


def fresh(name):
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    return path


def read_csv(path):
    import csv
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def identity(row):
    return (row["workload"], row["size"], row["allocator"], row["collector"])


def manifest(folder):
    with open(os.path.join(folder, "manifest.json")) as f:
        return json.load(f)


def batch(out, extra=()):
    r = run(["batch", "--out", out] + BATCH + list(extra))
    check(r.returncode == 0, "batch %s exited %d: %s" % (" ".join(extra), r.returncode, r.stderr[-1500:]))
    return out


def shards(prefix="s"):
    return [batch(fresh("%s%d" % (prefix, i)), ["--shard", "%d/%d" % (i, N)]) for i in range(N)]


def one_line_refusal(r, words, what):
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    check(r.returncode == 2, "%s: exit %d, want 2 (%s)" % (what, r.returncode, r.stderr))
    check(len(lines) == 1, "%s: %d lines on stderr, want 1: %r" % (what, len(lines), r.stderr))
    for w in words:
        check(w in lines[0], "%s: the line does not name %r: %s" % (what, w, lines[0]))


def check_shard():
    whole = batch(fresh("whole"))
    all_rows = {identity(x) for x in read_csv(os.path.join(whole, "results.csv"))}
    seen, cells_seen = {}, {}
    host = os.uname().nodename
    for i, s in enumerate(shards()):
        m = manifest(s)["shard"]
        check(m["index"] == i and m["count"] == N, "shard %d's manifest says %r" % (i, m))
        check(m["cells_total"] == 6, "cells_total %r, want 6" % m["cells_total"])
        check("--shard" not in m["batch_arguments"], "batch_arguments keep --shard")
        check(manifest(s)["host"]["name"] == host, "manifest host %r" % manifest(s)["host"]["name"])
        rows = read_csv(os.path.join(s, "results.csv"))
        check(rows, "shard %d has no rows (6 cells over 3 shards)" % i)
        for x in rows:
            check(x["host"] == host, "row %r has host %r, want %r" % (identity(x), x["host"], host))
            check(identity(x) not in seen, "%r is in shards %s and %s" % (identity(x), seen.get(identity(x)), i))
            seen[identity(x)] = i
            cell = (x["workload"], x["size"])
            check(cells_seen.setdefault(cell, i) == i, "cell %r is split over shards" % (cell,))
            check("%s/%s" % cell in m["cells"], "cell %r not in the manifest's cells" % (cell,))
        # the timeline runs (large_list/range at 1000) go with their cell
        tl = read_csv(os.path.join(s, "timelines", "index.csv"))
        for x in tl:
            check(cells_seen.get((x["workload"], x["size"])) == i,
                  "timeline %r is not in its cell's shard" % (identity(x),))
        with open(os.path.join(s, "results.json")) as f:
            entries = json.load(f)["benchmarks"]
        check(entries and all(e.get("host") == host for e in entries), "results.json entries lack the host")
    check(set(seen) == all_rows, "the shards' configurations differ from the batch's: %r" % (set(seen) ^ all_rows))
    # bad values: one line, exit 2
    for bad in ("3/3", "1", "a/3", "0/0", "-1/2", "1/2/3", "0/"):
        r = run(["batch", "--out", fresh("bad")] + BATCH + ["--shard", bad])
        one_line_refusal(r, ["--shard", bad], "--shard " + bad)
    r = run(["batch", "--out", fresh("bad")] + BATCH + ["--shard", "0/7"])
    one_line_refusal(r, ["--shard 0/7", "6 cells"], "--shard 0/7 of 6 cells")
    # --resume of a shard folder: a finished configuration's files removed, resumed
    s1 = os.path.join(WORK, "s1")
    before = read_csv(os.path.join(s1, "results.csv"))
    victim = None
    for name in sorted(os.listdir(os.path.join(s1, "runs"))):
        if name.endswith(".i1.csv"):
            victim = name[:-len(".i1.csv")]
            break
    check(victim is not None, "no invocation row in s1/runs")
    for name in os.listdir(os.path.join(s1, "runs")):
        if name == victim + ".csv" or name.startswith(victim + ".i1."):
            os.unlink(os.path.join(s1, "runs", name))
    r = run(["batch", "--resume", s1])
    check(r.returncode == 0, "--resume of a shard exited %d: %s" % (r.returncode, r.stderr[-1000:]))
    after = read_csv(os.path.join(s1, "results.csv"))
    check({identity(x) for x in after} == {identity(x) for x in before},
          "--resume of shard 1 changed its configurations")
    check(manifest(s1)["shard"]["index"] == 1, "--resume lost the shard")


def check_merge():
    whole = batch(fresh("whole"))
    parts = shards()
    out = fresh("merged")
    r = run(["merge", out] + list(reversed(parts)))
    check(r.returncode == 0, "merge exited %d: %s" % (r.returncode, r.stderr))
    check(r.stdout.strip() == out + "/report.html", "merge printed %r" % r.stdout)
    for f in ("manifest.json", "results.json", "results.csv", "report.html", "timelines/index.csv"):
        check(os.path.exists(os.path.join(out, f)), "merged folder lacks " + f)
    check(not os.path.exists(os.path.join(out, "batch.json")), "a merged folder is no batch to resume")
    local = {identity(x): x["status"] for x in read_csv(os.path.join(whole, "results.csv"))}
    rows = read_csv(os.path.join(out, "results.csv"))
    merged = {identity(x): x["status"] for x in rows}
    check(len(rows) == len(merged), "merged results.csv repeats a configuration")
    check(merged == local, "merged configurations/statuses differ from the local run: %r" %
          (set(merged.items()) ^ set(local.items())))
    hosts = {x["host"] for x in rows}
    check(hosts == {os.uname().nodename}, "merged hosts %r" % hosts)
    m = manifest(out)
    check([s["index"] for s in m["shards"]] == list(range(N)), "manifest shards %r" % m["shards"])
    check(len(m["hosts"]) == 1 and sorted(m["hosts"][0]["shards"]) == list(range(N)), "manifest hosts %r" % m["hosts"])
    check(len(m["hosts"][0]["cells"]) == 6, "the host's cells %r" % m["hosts"][0]["cells"])
    check(m["batch"]["configurations_done"] == m["batch"]["configurations_total"] == len(rows) + 2,
          "batch counts %r" % m["batch"])
    with open(os.path.join(out, "results.json")) as f:
        doc = json.load(f)
    with open(os.path.join(whole, "results.json")) as f:
        local_doc = json.load(f)
    check(len(doc["benchmarks"]) == len(local_doc["benchmarks"]),
          "results.json has %d entries, the local run %d" % (len(doc["benchmarks"]), len(local_doc["benchmarks"])))
    local_runs = set(os.listdir(os.path.join(whole, "runs")))
    merged_runs = set(os.listdir(os.path.join(out, "runs")))
    check(local_runs - merged_runs == set() or all(n.endswith(".log") for n in local_runs - merged_runs),
          "runs/ lacks %r" % sorted(local_runs - merged_runs)[:5])
    with open(os.path.join(out, "report.html")) as f:
        html = f.read()
    check('id="hosts"' in html and os.uname().nodename in html.split('id="hosts"')[1].split("</table>")[0],
          "report.html does not list the host")
    check(any(n.endswith(".svg") for n in os.listdir(os.path.join(out, "charts"))), "no charts drawn")
    # compare never divides figures from two hosts: the same folder with another host
    other = fresh("other-host")
    shutil.copytree(out, other)
    path = os.path.join(other, "results.csv")
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("," + os.uname().nodename + "\n", ",elsewhere\n"))
    r = run(["compare", out, other, "--format", "csv"])
    pairs = [x for x in __import__("csv").DictReader(r.stdout.splitlines())
             if x.get("kind") in ("pair", "not_comparable")]
    check(len(pairs) == len(rows), "compare printed %d pairs, want %d: %s %s" %
          (len(pairs), len(rows), r.stdout[-500:], r.stderr[-500:]))
    check(all(x["kind"] == "not_comparable" and "different hosts" in x["note"] for x in pairs),
          "compare divided figures from two hosts: %r" % pairs[:2])
    r = run(["compare", out, out, "--format", "csv"])
    pairs = [x for x in __import__("csv").DictReader(r.stdout.splitlines())
             if x.get("kind") in ("pair", "not_comparable")]
    check(len(pairs) == len(rows) and all(x["kind"] == "pair" for x in pairs),
          "compare of one host refused pairs")


def edited(src, name, edit):
    dst = fresh(name)
    shutil.copytree(src, dst)
    m = manifest(dst)
    edit(m)
    with open(os.path.join(dst, "manifest.json"), "w") as f:
        json.dump(m, f)
    return dst


def check_refusals():
    s0, s1, s2 = shards()
    out = os.path.join(WORK, "out")

    def merge(*dirs):
        shutil.rmtree(out, ignore_errors=True)
        return run(["merge", out] + list(dirs))

    rev = edited(s1, "rev", lambda m: m["build"].update(git_revision="0" * 40))
    one_line_refusal(merge(s0, rev, s2), [s0, rev, "git revision"], "different revisions")
    build = edited(s1, "build", lambda m: m["build"].update(c_flags="-O0"))
    one_line_refusal(merge(s0, build, s2), [s0, build, "build"], "different builds")
    args = edited(s2, "args", lambda m: m["shard"]["batch_arguments"].extend(["--seed", "7"]))
    one_line_refusal(merge(s0, s1, args), [s0, args, "arguments"], "different arguments")
    one_line_refusal(merge(s0, s1, s1, s2), [s1, "both shard 1"], "the same shard twice")
    dup = edited(s0, "dup", lambda m: m["shard"].update(index=2))
    one_line_refusal(merge(s0, s1, dup), [s0, dup, "cell"], "a cell in two folders")
    one_line_refusal(merge(s0, s2), ["shard 1 of 3 missing"], "a missing shard")
    one_line_refusal(merge(s1), ["shards 0, 2 of 3 missing"], "two missing shards")
    unfinished = edited(s1, "unfinished", lambda m: m["batch"].update(finished="not finished"))
    one_line_refusal(merge(s0, unfinished, s2), [unfinished, "not finished"], "an unfinished shard")
    twohosts = fresh("twohosts")
    shutil.copytree(s1, twohosts)
    path = os.path.join(twohosts, "results.csv")
    with open(path) as f:
        lines = f.read().splitlines(True)
    lines[1] = lines[1].rstrip("\n").rsplit(",", 1)[0] + ",elsewhere\n"
    with open(path, "w") as f:
        f.writelines(lines)
    one_line_refusal(merge(s0, twohosts, s2), [twohosts, "two hosts", "elsewhere"], "a cell on two hosts")
    whole = batch(fresh("whole"))
    one_line_refusal(merge(s0, whole, s2), [whole, "not a shard"], "an unsharded folder")
    one_line_refusal(merge(s0, os.path.join(WORK, "nowhere"), s2), ["nowhere"], "a missing folder")
    r = run(["merge", s0, s0, s1, s2])
    one_line_refusal(r, [s0, "not empty"], "OUT not empty")
    r = run(["merge", out])
    one_line_refusal(r, ["merge"], "no shard folders")
    r = run(["merge", "--bogus", out, s0])
    one_line_refusal(r, ["--bogus"], "an unknown option")
    r = merge(s0, s1, s2)
    check(r.returncode == 0, "the good set was refused: %s" % r.stderr)


os.makedirs(WORK, exist_ok=True)
{"shard": check_shard, "merge": check_merge, "refusals": check_refusals}.get(
    MODE, lambda: fail("unknown mode " + MODE))()
