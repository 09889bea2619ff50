#!/usr/bin/env python3
"""A child's peak RSS is its own (issue 11): a parent that holds 300 MiB forks and execs
`heaplab run` on a tiny configuration, the way a batch starts its children; the run's
peak_rss_bytes must stay under 10 MiB. With getrusage's ru_maxrss, which keeps the pages
the forked child shared with its parent until exec, it reports about 300 MiB. The same
run from the parent before it holds the ballast gives the run's own figure: a sanitizer
build's is higher (11 MiB under ASan), so the bound is that figure plus a margin.

Usage: rss_parent_check.py HEAPLAB WORKDIR
"""
import csv
import os
import shutil
import sys

HEAPLAB, WORK = sys.argv[1], sys.argv[2]
MIB = 1 << 20


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def tiny_run(row):
    """Fork and exec a tiny `heaplab run` (as the batch starts its children); its peak RSS."""
    pid = os.fork()
    if pid == 0:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.execv(HEAPLAB, [HEAPLAB, "run", "--workload", "large_list/repeat", "--size",
                               "1000", "--iterations", "1", "--row", row])
        finally:
            os._exit(127)
    _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        fail("heaplab run exited with status %r" % status)
    with open(row, newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 1:
        fail("expected one row, got %d" % len(rows))
    return float(rows[0]["peak_rss_bytes"])


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    own = tiny_run(os.path.join(WORK, "small-parent.csv"))
    ballast = bytearray(300 * MIB)
    for i in range(0, len(ballast), 4096):  # touch every page: resident, not just mapped
        ballast[i] = 1
    peak = tiny_run(os.path.join(WORK, "big-parent.csv"))
    del ballast
    bound = own * 1.5 + 2 * MIB
    if not 0 < peak < bound:
        fail("a tiny run under a 300 MiB parent reports peak RSS %.1f MiB; under a small "
             "parent %.1f MiB (bound %.1f MiB)" % (peak / MIB, own / MIB, bound / MIB))
    print("rss_parent_check: ok (peak RSS %.1f MiB under a 300 MiB parent, %.1f MiB under a "
          "small one)" % (peak / MIB, own / MIB))


main()
