#!/usr/bin/env python3
"""Every workload variant through `heaplab run` under Valgrind memcheck, one collector.

usage: valgrind_matrix.py VALGRIND HEAPLAB COLLECTOR [SUPPRESSIONS]

Each variant runs once, small (--size 200 --iterations 1, allocator libc), as

    valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        heaplab run --workload W --size 200 --allocator libc --collector C --iterations 1

and fails on any memcheck error (exit 99: invalid reads or writes, uninitialised values
used, bad frees, definite leaks) or any other non-zero exit. The variants come from
`heaplab list workloads`, so a new workload is covered without touching this file.
SUPPRESSIONS, when the file exists, is passed with --suppressions (see the comments in
it for why each entry is there).
"""
import os
import subprocess
import sys

SIZE = 200


def variants(heaplab):
    out = subprocess.run([heaplab, "list", "workloads"], check=True, capture_output=True,
                         text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    valgrind, heaplab, collector = sys.argv[1:4]
    supp = sys.argv[4] if len(sys.argv) == 5 else None
    names = variants(heaplab)
    if not names:
        print("valgrind_matrix: `heaplab list workloads` listed nothing", file=sys.stderr)
        return 1
    base = [valgrind, "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite"]
    if supp and os.path.exists(supp):
        base.append("--suppressions=" + supp)
    failed = []
    for w in names:
        cmd = base + [heaplab, "run", "--workload", w, "--size", str(SIZE), "--allocator",
                      "libc", "--collector", collector, "--iterations", "1"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        verdict = "ok" if proc.returncode == 0 else (
            "memcheck errors" if proc.returncode == 99 else "exit %d" % proc.returncode)
        print("%-24s %-10s %s" % (w, collector, verdict))
        if proc.returncode != 0:
            failed.append(w)
            sys.stdout.write(proc.stderr[-8000:])
    if failed:
        print("valgrind_matrix: %d of %d variants failed under %s: %s" % (
            len(failed), len(names), collector, ", ".join(failed)))
        return 1
    print("valgrind_matrix: %d variants clean under memcheck (%s)" % (len(names), collector))
    return 0


if __name__ == "__main__":
    sys.exit(main())
