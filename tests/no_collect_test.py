#!/usr/bin/env python3
"""The reclaim checks can fail: under test mode HEAPLAB_TEST_NO_COLLECT=1 (the heap never
collects, docs/cli.md "Test modes"), every variant of the workloads whose result depends
on a collection must end with exit 1, status failed and a one-line error saying what was
not reclaimed; without it, the same runs end ok (exit 0):
- the workloads that drop cycles (cyclic_graph, cycle_churn, growing_heap) fail under
  every collector that reclaims cycles; refcount, which reclaims none, is unchanged by
  the switch (still ok, exactly the cyclic garbage left);
- the workloads that drop only acyclic garbage (gcbench, gc_traversal) fail under the
  collectors that do not count references (mark_sweep, boehm: only a collection frees
  anything); under the counting ones (refcount, rc_cycle) counting frees it all and the
  switch changes nothing.

usage: no_collect_test.py HEAPLAB REGISTRY_EXE
"""
import csv
import os
import subprocess
import sys
import tempfile

import hl_registry

SIZE = 1000

# workload -> which collectors a collection that does nothing must fail: "cycles" (those
# that reclaim cycles) or "tracing" (those that do not count references)
DEPENDS_ON_COLLECTION = {
    "cyclic_graph": "cycles",
    "cycle_churn": "cycles",
    "growing_heap": "cycles",
    "gcbench": "tracing",
    "gc_traversal": "tracing",
}


def must_fail(variant, collector):
    depends = DEPENDS_ON_COLLECTION[variant.split("/")[0]]
    if depends == "cycles":
        return collector["reclaims_cycles"]
    return not collector["counts_references"]


def run(heaplab, variant, collector, no_collect, row):
    env = dict(os.environ)
    env.pop("HEAPLAB_TEST_NO_COLLECT", None)
    if no_collect:
        env["HEAPLAB_TEST_NO_COLLECT"] = "1"
    cmd = [heaplab, "run", "--workload", variant, "--size", str(SIZE), "--collector", collector,
           "--iterations", "1", "--row", row]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    with open(row, newline="") as f:
        rows = list(csv.DictReader(f))
    return proc, rows[-1] if rows else None


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    heaplab, registry = sys.argv[1:3]
    reg = hl_registry.read(registry)
    out = subprocess.run([heaplab, "list", "workloads"], check=True, capture_output=True,
                         text=True).stdout
    variants = [line.split()[0] for line in out.splitlines()
                if line.strip() and line.split("/")[0] in DEPENDS_ON_COLLECTION]
    families = set(v.split("/")[0] for v in variants)
    if families != set(DEPENDS_ON_COLLECTION):
        print("FAIL: heaplab lists the workloads %s of %s" % (sorted(families),
                                                             sorted(DEPENDS_ON_COLLECTION)))
        return 1
    failures, checks = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        row = os.path.join(tmp, "row.csv")
        for c in reg.collectors:
            for variant in variants:
                for no_collect in (False, True):
                    proc, r = run(heaplab, variant, c["name"], no_collect, row)
                    checks += 1
                    fails = no_collect and must_fail(variant, c)
                    want = (1, "failed") if fails else (0, "ok")
                    got = (proc.returncode, r["status"] if r else None)
                    error = r["error"] if r else ""
                    what = "%s under %s%s" % (variant, c["name"],
                                              " (HEAPLAB_TEST_NO_COLLECT=1)" if no_collect else "")
                    if got != want or (fails and (not error or "\n" in error)):
                        failures.append("%s: exit %s, status %s, error %r; expected exit %d, "
                                        "status %s%s" % (what, got[0], got[1], error, want[0],
                                                         want[1],
                                                         " and a one-line error" if fails
                                                         else ""))
                    else:
                        print("  %-48s exit %d, %s%s" % (what, got[0], got[1],
                                                         ": " + error if error else ""))
    for f in failures:
        print("FAIL: " + f)
    print("no_collect: %d runs, %d failed" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
