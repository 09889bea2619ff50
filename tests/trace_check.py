#!/usr/bin/env python3
"""`heaplab run --trace FILE.json` (docs/traces.md), from the outside:

  collectors  for every collector `heaplab list collectors` names, on cyclic_graph/pairs
              (two repetitions, and --timeline too, so the trace is not the only optional
              listener) and on large_list/append (mark_sweep's and boehm's automatic
              collections), each with --pauses: the file parses; traceEvents is a list; every X event
              has ts >= 0 and dur >= 0; timestamps in file order never go backwards;
              the slices of one track nest (each either contains or is disjoint from
              every other); a collection's phase slices tile it (the first starts with
              it, each next where the last ended, the last ends with it) and lie in it;
              collections lie in an iteration, in its reclaim slice exactly when their
              phase is "reclaim"; the collections are the --pauses rows, one for one in
              order (kind, phase, call, iteration); each iteration has one reclaim;
              counters have numeric args; the metadata names the configuration and says
              nothing was dropped. refcount: a valid trace with counters and no
              collection.
  bad         --trace into a folder that does not exist, under a file, or at a folder:
              one line on stderr naming --trace, exit 2, nothing written; through a
              symbolic link the target is written and the link kept; a link to nothing
              is refused (exit 2).

usage: trace_check.py HEAPLAB GROUP
"""
import csv
import json
import os
import sys
import tempfile

from hl_testing import check, fail, run_heaplab  # tests/ is on sys.path

HEAPLAB = sys.argv[1]
ITERATIONS = 2
PHASE_NAMES = {"roots", "mark", "heap", "finalize+roots", "finalize+sweep", "bookkeeping"}


def collectors():
    proc = run_heaplab(HEAPLAB, ["list", "collectors"], 60)
    check(proc.returncode == 0, "list collectors: exit %d" % proc.returncode)
    names = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
    check(names, "list collectors named none")
    return names


def ns(value, what):
    """A trace time (microseconds) as integer nanoseconds: the trace keeps nanoseconds."""
    check(isinstance(value, (int, float)) and not isinstance(value, bool),
          "%s: %r is not a number" % (what, value))
    return round(value * 1000)


def nest(slices, what):
    """Fail when two slices of one track overlap without one lying in the other; set each
    slice's parent: the shortest slice that contains it (the writer puts a parent before
    the children that start with it, so of two equal intervals the earlier is the parent).
    A run's slices are few (hundreds): every pair is compared."""
    for a in slices:
        a["parent"] = None
    for i, a in enumerate(slices):
        for j in range(i + 1, len(slices)):
            b = slices[j]
            disjoint = a["end"] <= b["start"] or b["end"] <= a["start"]
            a_in_b = b["start"] <= a["start"] and a["end"] <= b["end"]
            b_in_a = a["start"] <= b["start"] and b["end"] <= a["end"]
            check(disjoint or a_in_b or b_in_a,
                  "%s: %s [%d, %d] ns and %s [%d, %d] ns overlap without one lying in the other"
                  % (what, a["name"], a["start"], a["end"], b["name"], b["start"], b["end"]))
            if disjoint and not (a_in_b or b_in_a):
                continue
            # b comes later in the file: an equal interval is a's child
            child, parent = (b, a) if b_in_a else (a, b)
            best = child["parent"]
            if best is None or parent["end"] - parent["start"] < best["end"] - best["start"] or \
                    (parent["end"] - parent["start"] == best["end"] - best["start"]
                     and parent["index"] > best["index"]):
                child["parent"] = parent


def check_trace(path, what, configuration, pauses, iterations_expected):
    """All the checks of one trace file against the run's --pauses rows."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        fail("%s: the trace does not load: %s" % (what, e))
    check(isinstance(doc, dict), "%s: the trace is not a JSON object" % what)
    events = doc.get("traceEvents")
    check(isinstance(events, list), "%s: traceEvents is not a list" % what)
    other = doc.get("otherData", {})
    check(other.get("heaplab_configuration") == configuration,
          "%s: otherData names %r, not %r" % (what, other.get("heaplab_configuration"), configuration))
    check(other.get("truncated") is False and other.get("dropped_events") == 0,
          "%s: a small run's trace was truncated: %r" % (what, other))
    names = [e["args"]["name"] for e in events if e.get("ph") == "M" and e.get("name") == "process_name"]
    check(len(names) == 1 and configuration in names[0],
          "%s: process_name %r does not name %s" % (what, names, configuration))

    last = None
    slices, counters = [], []
    for k, e in enumerate(events):
        check(isinstance(e, dict) and isinstance(e.get("ph"), str), "%s: event %d: %r" % (what, k, e))
        if e["ph"] == "M":
            continue
        ts = ns(e.get("ts"), "%s: event %d ts" % (what, k))
        check(ts >= 0, "%s: event %d (%s) has ts %r < 0" % (what, k, e.get("name"), e["ts"]))
        if last is not None:
            check(ts >= last, "%s: event %d (%s) at %r us goes back from %r us"
                  % (what, k, e.get("name"), e["ts"], last / 1000))
        last = ts
        if e["ph"] == "X":
            dur = ns(e.get("dur"), "%s: event %d dur" % (what, k))
            check(dur >= 0, "%s: event %d (%s) has dur %r < 0" % (what, k, e.get("name"), e["dur"]))
            slices.append({"name": e.get("name"), "start": ts, "end": ts + dur, "track": (e.get("pid"), e.get("tid")),
                           "args": e.get("args", {}), "index": len(slices)})
        elif e["ph"] == "C":
            args = e.get("args")
            check(isinstance(args, dict) and args and
                  all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in args.values()),
                  "%s: counter %d (%s) has args %r" % (what, k, e.get("name"), args))
            counters.append(e)
        else:
            fail("%s: event %d has ph %r (X, C and M only)" % (what, k, e["ph"]))
    check(other.get("events") == len(slices) + len(counters),
          "%s: otherData says %r events, the file has %d" % (what, other.get("events"), len(slices) + len(counters)))
    check(any(c["name"] == "live_bytes" for c in counters), "%s: no live_bytes counter" % what)
    check({c["name"] for c in counters} <= {"live_bytes", "heap_size"},
          "%s: counters %r" % (what, sorted({c["name"] for c in counters})))

    check(len({s["track"] for s in slices}) <= 1, "%s: slices on tracks %r" % (what, {s["track"] for s in slices}))
    nest(slices, what)

    def parent(s):
        return s["parent"]

    iterations = [s for s in slices if s["name"] == "iteration"]
    check(len(iterations) == iterations_expected,
          "%s: %d iteration slices, expected %d" % (what, len(iterations), iterations_expected))
    for it in iterations:
        check(parent(it) is None, "%s: an iteration inside %s" % (what, parent(it) and parent(it)["name"]))
        reclaims = [s for s in slices if s["name"] == "reclaim" and parent(s) is it]
        check(len(reclaims) == 1, "%s: iteration %r has %d reclaim slices" % (what, it["args"], len(reclaims)))
    collections = [s for s in slices if s["name"].endswith(" collection")]
    for c in collections:
        p = parent(c)
        check(p is not None and p["name"] in ("iteration", "reclaim"),
              "%s: a collection inside %r" % (what, p and p["name"]))
        check((p["name"] == "reclaim") == (c["args"].get("phase") == "reclaim"),
              "%s: a collection of phase %r inside %s" % (what, c["args"].get("phase"), p["name"]))
        check(c["name"] == "%s collection" % c["args"].get("kind") and
              isinstance(c["args"].get("objects_freed"), int),
              "%s: collection %s with args %r" % (what, c["name"], c["args"]))
        phases = [s for s in slices if parent(s) is c]
        check(phases, "%s: a collection without phase slices" % what)
        check(all(s["name"] in PHASE_NAMES for s in phases),
              "%s: phases %r" % (what, [s["name"] for s in phases]))
        at = c["start"]
        for s in phases:
            check(s["start"] == at, "%s: phase %s starts at %d ns, not where the last ended (%d)"
                  % (what, s["name"], s["start"], at))
            at = s["end"]
        check(at == c["end"], "%s: the phases end at %d ns, the collection at %d" % (what, at, c["end"]))
    for s in slices:
        if s["name"] in PHASE_NAMES:
            check(any(parent(s) is c for c in collections), "%s: phase %s outside a collection" % (what, s["name"]))

    check(len(collections) == len(pauses),
          "%s: %d collection slices, %d --pauses rows" % (what, len(collections), len(pauses)))
    for c, row in zip(collections, pauses):
        it = parent(c) if parent(c)["name"] == "iteration" else parent(parent(c))
        got = (c["args"]["kind"], c["args"]["phase"], it["args"].get("call"), it["args"].get("iteration"))
        want = (row["kind"], row["phase"], int(row["call"]), int(row["iteration"]))
        check(got == want, "%s: collection %r, the --pauses row says %r" % (what, got, want))
    return collections


def group_collectors():
    seen_collections = False
    for collector in collectors():
        # pairs: two repetitions (two calls of the benchmark function) and --timeline too
        for workload, size, repetitions, timeline in (("cyclic_graph/pairs", 2000, 2, True),
                                                      ("large_list/append", 100000, 1, False)):
            what = "%s %s" % (collector, workload)
            with tempfile.TemporaryDirectory() as tmp:
                trace, pauses = os.path.join(tmp, "t.json"), os.path.join(tmp, "p.csv")
                row_path = os.path.join(tmp, "row.csv")
                args = ["run", "--workload", workload, "--size", str(size), "--collector", collector,
                        "--iterations", str(ITERATIONS), "--trace", trace, "--pauses", pauses,
                        "--row", row_path, "--repetitions", str(repetitions)]
                if timeline:
                    args += ["--timeline", os.path.join(tmp, "timeline.dat")]
                proc = run_heaplab(HEAPLAB, args, 300)
                check(proc.returncode == 0, "%s: exit %d: %s" % (what, proc.returncode, proc.stderr.strip()[-300:]))
                with open(pauses, newline="") as f:
                    # the clock-on rows (kind iteration) are the run's span, not pauses
                    rows = [r for r in csv.DictReader(f) if r["kind"] != "iteration"]
                with open(row_path, newline="") as f:
                    row = next(csv.DictReader(f))
                # the row's allocator: the collector's own when it brings one
                configuration = "%s/%s/%s/%s" % (row["workload"], row["size"], row["allocator"],
                                                 row["collector"])
                found = check_trace(trace, what, configuration, rows, ITERATIONS * repetitions)
                if collector == "refcount":
                    check(not found, "%s: refcount traced %d collections" % (what, len(found)))
                seen_collections = seen_collections or bool(found)
                print("ok: %s: %d collections" % (what, len(found)))
    check(seen_collections, "no collector collected: the checks saw no collection slice")


def group_bad():
    with tempfile.TemporaryDirectory() as tmp:
        a_file = os.path.join(tmp, "file")
        open(a_file, "w").close()
        for path, words in ((os.path.join(tmp, "no", "such", "dir", "t.json"), "No such file"),
                            (os.path.join(a_file, "t.json"), "Not a directory"),
                            (tmp, "is a folder")):
            proc = run_heaplab(HEAPLAB, ["run", "--workload", "recursion/sum", "--size", "100",
                                         "--iterations", "1", "--trace", path], 60)
            lines = proc.stderr.strip().splitlines()
            check(proc.returncode == 2, "--trace %s: exit %d, expected 2" % (path, proc.returncode))
            check(len(lines) == 1 and "--trace" in lines[0] and words in lines[0],
                  "--trace %s: stderr %r, expected one line naming --trace and '%s'" % (path, lines, words))
        check(os.listdir(tmp) == ["file"], "a refused --trace wrote %r" % os.listdir(tmp))
        # through a symbolic link the target is written and the link kept, as for
        # --timeline and --pauses (docs/stress.md); a link to nothing is refused
        dangling, link, target = (os.path.join(tmp, n) for n in ("dangling", "link", "target"))
        os.symlink(os.path.join(tmp, "nothing"), dangling)
        open(target, "w").close()
        os.symlink(target, link)
        for path, code in ((dangling, 2), (link, 0)):
            proc = run_heaplab(HEAPLAB, ["run", "--workload", "recursion/sum", "--size", "100",
                                         "--iterations", "1", "--trace", path], 60)
            check(proc.returncode == code, "--trace %s: exit %d, expected %d: %s"
                  % (os.path.basename(path), proc.returncode, code, proc.stderr.strip()[-200:]))
        check(os.path.islink(link) and os.path.islink(dangling), "--trace replaced a link")
        with open(target) as f:
            check(isinstance(json.load(f).get("traceEvents"), list), "--trace LINK: the target is no trace")
        check(not os.path.exists(os.path.join(tmp, "nothing")), "--trace wrote through a dangling link")
    print("ok: bad --trace paths, links")


GROUPS = {"collectors": group_collectors, "bad": group_bad}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in GROUPS:
        fail("usage: trace_check.py HEAPLAB %s" % "|".join(GROUPS))
    GROUPS[sys.argv[2]]()
