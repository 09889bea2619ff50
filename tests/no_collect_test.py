#!/usr/bin/env python3
"""The cyclic_graph checks can fail: under test mode HEAPLAB_TEST_NO_COLLECT=1 (the heap
never collects, docs/cli.md "Test modes"), every cyclic_graph variant under every
collector that reclaims cycles must end with exit 1, status failed and a one-line error
saying what was not reclaimed; without it, the same runs end ok (exit 0). refcount,
which reclaims no cycle, is unchanged by the switch: still ok, exactly the cyclic
garbage left.

usage: no_collect_test.py HEAPLAB REGISTRY_EXE
"""
import csv
import os
import subprocess
import sys
import tempfile

import hl_registry

SIZE = 1000


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
                if line.strip().startswith("cyclic_graph/")]
    failures, checks = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        row = os.path.join(tmp, "row.csv")
        for c in reg.collectors:
            for variant in variants:
                for no_collect in (False, True):
                    proc, r = run(heaplab, variant, c["name"], no_collect, row)
                    checks += 1
                    must_fail = no_collect and c["reclaims_cycles"]
                    want = (1, "failed") if must_fail else (0, "ok")
                    got = (proc.returncode, r["status"] if r else None)
                    error = r["error"] if r else ""
                    what = "%s under %s%s" % (variant, c["name"],
                                              " (HEAPLAB_TEST_NO_COLLECT=1)" if no_collect else "")
                    if got != want or (must_fail and (not error or "\n" in error)):
                        failures.append("%s: exit %s, status %s, error %r; expected exit %d, "
                                        "status %s%s" % (what, got[0], got[1], error, want[0],
                                                         want[1],
                                                         " and a one-line error" if must_fail
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
