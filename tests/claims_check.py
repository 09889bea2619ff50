#!/usr/bin/env python3
"""report.html's CPython table (bench/report/cpython_claims.c) recomputed from the rows.

A small batch runs the two collectors of each claim in docs/cpython_claims.csv on the
claim's workload and allocator (n small). For every claim, the table's row must give
candidate / baseline of the claim's figure, read here from results.csv, as a direction
(more/less, or more/fewer for collections; the same within 2%) and a factor max(r, 1/r), and say "yes"
exactly when that direction is the claim's. A batch without the pairs has no table.

usage: claims_check.py HEAPLAB SOURCE_DIR WORKDIR
"""
import csv
import html
import os
import re
import shutil
import sys

from hl_testing import check, run_heaplab


def main():
    heaplab, source, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    with open(os.path.join(source, "docs", "cpython_claims.csv"), newline="") as f:
        claims = list(csv.DictReader(f))
    check(len(claims) >= 4, "docs/cpython_claims.csv has %d claims" % len(claims))
    workloads = sorted({c["workload"] for c in claims})
    allocators = sorted({c["allocator"] for c in claims})
    collectors = sorted({c["baseline"] for c in claims} | {c["candidate"] for c in claims})
    out = os.path.join(work, "b")
    proc = run_heaplab(heaplab, ["batch", "--out", out, "--workloads", ",".join(workloads),
                                 "--allocators", ",".join(allocators), "--collectors",
                                 ",".join(collectors), "--sizes", "3000", "--repetitions", "2",
                                 "--timelines", "none", "--reference", "none"], 900)
    check(proc.returncode == 0, "batch: exit %d: %s" % (proc.returncode, proc.stderr[-300:]))
    with open(os.path.join(out, "results.csv"), newline="") as f:
        rows = {(r["workload"], r["allocator"], r["collector"]): r for r in csv.DictReader(f)}
    with open(os.path.join(out, "report.html")) as f:
        page = f.read()
    check('id="cpython"' in page, "report.html has no CPython table")
    table = page[page.index('<table class="claims">'):]
    table = table[:table.index("</table>")]
    cells = [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
             for tr in re.findall(r"<tr>(.*?)</tr>", table) if "<td" in tr]
    check(len(cells) == len(claims), "the table has %d rows, the claims %d" % (len(cells), len(claims)))
    for claim, got in zip(claims, cells):
        base = float(rows[(claim["workload"], claim["allocator"], claim["baseline"])][claim["figure"]])
        cand = float(rows[(claim["workload"], claim["allocator"], claim["candidate"])][claim["figure"]])
        ratio = cand / base
        noun = ("memory" if "bytes" in claim["figure"] else "collections"
                if claim["figure"] == "gc_collections" else "time")
        less = "fewer" if noun == "collections" else "less"
        want = ("the same %s" % noun) if abs(ratio - 1) < 0.02 else ("more %s" % noun) \
            if ratio > 1 else ("%s %s" % (less, noun))
        factor = ratio if ratio >= 1 else 1 / ratio
        what = "%s %s" % (claim["issue"], claim["figure"])
        check(got[0] == claim["issue"] and got[4] == claim["figure"], "%s: row %r" % (what, got))
        m = re.match(r"(.*), ([0-9.]+)x \(", got[7])
        check(m is not None, "%s: heaplab's cell %r" % (what, got[7]))
        check(m.group(1) == want, "%s: direction %r, the rows give %r (%g / %g)"
              % (what, m.group(1), want, cand, base))
        check(abs(float(m.group(2)) - factor) <= 0.006 * factor + 0.005,
              "%s: factor %s, the rows give %.4f" % (what, m.group(2), factor))
        check(got[8] == ("yes" if want == claim["reported_direction"] else "no"),
              "%s: agrees %r, but heaplab says %r and the issue %r"
              % (what, got[8], want, claim["reported_direction"]))
    # without the pairs: no table
    other = os.path.join(work, "c")
    proc = run_heaplab(heaplab, ["batch", "--out", other, "--workloads", "recursion/sum",
                                 "--allocators", "libc", "--collectors", "refcount", "--sizes", "100",
                                 "--repetitions", "1", "--timelines", "none", "--reference", "none"], 300)
    check(proc.returncode == 0, "small batch: exit %d" % proc.returncode)
    with open(os.path.join(other, "report.html")) as f:
        check('id="cpython"' not in f.read(), "a batch without the pairs has a CPython table")
    print("claims_check: %d claims recomputed" % len(claims))


if __name__ == "__main__":
    main()
