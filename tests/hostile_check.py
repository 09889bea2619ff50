#!/usr/bin/env python3
"""Hostile folders and faults (issue 18): nothing lost, nothing written outside the
results folder. Each group reproduces one defect the hostile test found on main and
checks that it now gives a clear line and a correct result.

  symlinks  a symbolic link planted as an invocation's log (`runs/<slug>.i0.log` ->
            a file outside) is replaced by a --resume, the victim untouched; a
            results folder whose runs/ is a symlink is refused with one line, the
            folder it points to untouched; `heaplab plot` with charts/ a symlink to a
            folder of pictures refuses, the pictures untouched.
  rows      an empty row file, a garbage one and one holding another configuration's
            row do not count as finished: --resume runs those configurations again,
            and results.csv then holds every configuration exactly once; a child's
            JSON that is not JSON leaves results.json JSON, every configuration in it.
  io        on a full disk (a small tmpfs; root only, else skipped) an invocation whose
            child cannot write its files is not recorded as a result: no row file, the
            batch says so and exits non-zero; once space is freed, --resume runs it and
            the row is ok.
  orphan    kill -9 of the batch parent while a child hangs: the child dies too.
  args      a results folder with an empty batch.json is refused by --resume (exit 2,
            one line), nothing run.
  aborts    `run --benchmark_repetitions=-1` exits 1 with one line (Google Benchmark's
            std::length_error no longer aborts); mimalloc under ulimit -v 20000 and
            jemalloc under ulimit -v 60000 end with an exit code and a line, not SIGABRT
            (not under ASan, which cannot start under ulimit -v); boehm's
            cyclic_graph/pairs at 10^6 under --heap-limit 16M is a MemoryError
            (exit 3) with a peak RSS under 96 MiB.
  concurrent  a second batch in a folder a batch is running in is refused (exit 1, one
            line: the folder's lock) and the first one is unharmed; a --out whose path
            leaves no room for the files inside is refused before
            anything is made (4,031 characters).
  html      a results folder whose workload field is markup with an onload script:
            `heaplab plot` escapes it everywhere, report.html forbids scripts
            (Content-Security-Policy), and Chromium's --dump-dom shows it did not run.
  smaller   an unknown --benchmark_format or --benchmark_out_format, floats written
            0x10, " 3" or inf, and --resume=D beside another option (as --sizes=1e5 or
            --out=X) are usage errors with one line; the NAME.tmp.PID files an
            interrupted write left are removed by --resume; plot under ulimit -n 5
            does not claim gnuplot is not installed.
  outputs   `run --row FIFO` writes into the FIFO (it stays a FIFO); `run --row LINK`
            writes the link's target (the link stays); `run --json NODE` with a
            character device node leaves the node a device (as root only).

usage: hostile_check.py HEAPLAB WORKDIR GROUP [--sanitize]
"""
import csv
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time

HEAPLAB, WORK, GROUP = sys.argv[1], sys.argv[2], sys.argv[3]
SANITIZED = "--sanitize" in sys.argv[4:]
failures = []
TINY = ["--workloads", "large_list/range", "--sizes", "100", "--allocators", "libc",
        "--collectors", "refcount,mark_sweep", "--repetitions", "1", "--samples", "1",
        "--timelines", "none", "--reference", "none"]
SLUGS = ["large_list-range_100_libc_refcount", "large_list-range_100_libc_mark_sweep"]


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)
    return cond


def heaplab(*args, timeout=300, env=None):
    return subprocess.run([HEAPLAB, *args], capture_output=True, text=True, timeout=timeout,
                          env=env)


def fresh(name):
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def tiny_batch(out):
    p = heaplab("batch", *TINY, "--out", out)
    check(p.returncode == 0, "tiny batch exit %d: %s" % (p.returncode, p.stderr[-300:]))
    return p


def rows(out):
    with open(os.path.join(out, "results.csv"), newline="") as f:
        return list(csv.DictReader(f))


def one_line(p, what):
    lines = [l for l in p.stderr.splitlines() if l.startswith("heaplab")]
    check(len(lines) >= 1, "%s: no heaplab line on stderr: %r" % (what, p.stderr[-300:]))


def group_symlinks():
    base = fresh("symlinks")
    out, victim = os.path.join(base, "out"), os.path.join(base, "victim.txt")
    tiny_batch(out)
    with open(victim, "w") as f:
        f.write("precious\n")
    log = os.path.join(out, "runs", SLUGS[0] + ".i0.log")
    os.remove(log)
    os.symlink(victim, log)
    for name in (SLUGS[0] + ".i0.csv", SLUGS[0] + ".csv"):
        os.remove(os.path.join(out, "runs", name))
    p = heaplab("batch", "--resume", out)
    check(p.returncode == 0, "resume over a planted log link: exit %d: %s"
          % (p.returncode, p.stderr[-300:]))
    with open(victim) as f:
        check(f.read() == "precious\n", "the planted log link's target was written")
    check(not os.path.islink(log) and os.path.isfile(log), "the log is still a link")
    check(all(r["status"] == "ok" for r in rows(out)) and len(rows(out)) == 2,
          "rows after resume: %s" % [(r["collector"], r["status"]) for r in rows(out)])

    # runs/ itself a link to a folder outside
    outside = os.path.join(base, "outside")
    shutil.copytree(os.path.join(out, "runs"), outside)
    shutil.rmtree(os.path.join(out, "runs"))
    os.symlink(outside, os.path.join(out, "runs"))
    before = sorted(os.listdir(outside))
    for name in os.listdir(outside):
        if name.endswith(".csv"):
            os.remove(os.path.join(outside, name))
    before = sorted(os.listdir(outside))
    p = heaplab("batch", "--resume", out)
    check(p.returncode != 0 and "symbolic link" in p.stderr,
          "resume with runs/ a symlink: exit %d: %s" % (p.returncode, p.stderr[-300:]))
    one_line(p, "runs/ a symlink")
    check(sorted(os.listdir(outside)) == before, "the folder runs/ points to was written")

    # charts/ a link to a folder of pictures: plot must not clear it
    pictures = os.path.join(base, "pictures")
    os.makedirs(pictures)
    with open(os.path.join(pictures, "holiday.png"), "w") as f:
        f.write("not heaplab's\n")
    shutil.rmtree(os.path.join(out, "charts"))
    os.symlink(pictures, os.path.join(out, "charts"))
    p = heaplab("plot", out, timeout=120)
    check(p.returncode != 0 and "symbolic link" in p.stderr,
          "plot with charts/ a symlink: exit %d: %s" % (p.returncode, p.stderr[-300:]))
    check(os.listdir(pictures) == ["holiday.png"], "plot cleared or wrote the folder charts/ "
          "points to: %s" % os.listdir(pictures))


def group_rows():
    base = fresh("rows")
    out = os.path.join(base, "out")
    tiny_batch(out)
    first = {(r["collector"]): r for r in rows(out)}
    runs = os.path.join(out, "runs")
    # refcount: an empty configuration row and an empty invocation row
    for name in (SLUGS[0] + ".csv", SLUGS[0] + ".i0.csv"):
        open(os.path.join(runs, name), "w").close()
    # mark_sweep: garbage as its configuration row, the refcount row as its invocation
    with open(os.path.join(runs, SLUGS[1] + ".csv"), "w") as f:
        f.write("not,a\nresults,file\n")
    shutil.copy(os.path.join(out, "results.csv"), os.path.join(runs, SLUGS[1] + ".i0.csv"))
    with open(os.path.join(runs, SLUGS[1] + ".i0.csv")) as f:
        text = f.read().splitlines()
    with open(os.path.join(runs, SLUGS[1] + ".i0.csv"), "w") as f:  # header + refcount's row
        f.write("\n".join([text[0]] + [l for l in text[1:] if ",refcount," in l]) + "\n")
    p = heaplab("batch", "--resume", out)
    check(p.returncode == 0, "resume over bad row files: exit %d: %s"
          % (p.returncode, p.stderr[-300:]))
    got = rows(out)
    check(sorted(r["collector"] for r in got) == ["mark_sweep", "refcount"],
          "results.csv after resume: %s" % [(r["collector"], r["status"]) for r in got])
    check(all(r["status"] == "ok" for r in got), "statuses %s" % [r["status"] for r in got])
    check(set(first) == {r["collector"] for r in got}, "configurations changed")
    # a child's JSON that is not JSON: results.json still is, with the row's entry
    with open(os.path.join(runs, SLUGS[0] + ".i0.json"), "w") as f:
        f.write('{"benchmarks": [{"name": "x", oops\n')
    p = heaplab("batch", "--resume", out)
    with open(os.path.join(out, "results.json")) as f:
        try:
            doc = json.load(f)
        except ValueError as exc:
            doc = None
            check(False, "results.json is not JSON after a malformed child JSON: %s" % exc)
    if doc is not None:
        names = {(e.get("collector"), e.get("status")) for e in doc["benchmarks"]}
        check(("refcount", "ok") in names and ("mark_sweep", "ok") in names,
              "results.json lost a configuration: %s" % sorted(names))


def group_io():
    """A full disk: a tmpfs of 2 MiB (root only: mount; else skipped, exit 77)."""
    base = fresh("io")
    mnt = os.path.join(base, "disk")
    os.makedirs(mnt)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt],
                                           capture_output=True).returncode != 0:
        print("hostile.io: skipped (cannot mount a small tmpfs here)")
        sys.exit(77)
    try:
        io_on(mnt)
    finally:
        subprocess.run(["umount", "-l", mnt], capture_output=True)


def fill(mnt, leave):
    """A file that leaves about `leave` bytes free on the filesystem at mnt."""
    st = os.statvfs(mnt)
    free = st.f_bavail * st.f_frsize
    with open(os.path.join(mnt, "filler"), "wb") as f:
        f.write(b"\0" * max(0, free - leave))


def io_on(mnt):
    out = os.path.join(mnt, "out")
    tiny_batch(out)
    runs = os.path.join(out, "runs")
    for name in (SLUGS[1] + ".i0.csv", SLUGS[1] + ".csv", SLUGS[1] + ".i0.json",
                 SLUGS[1] + ".i0.pauses.csv",
                 "../results.csv", "../results.json"):
        os.remove(os.path.join(runs, name))
    # leave room for the log, not for the child's JSON and row: the child cannot write
    fill(mnt, 8192)
    p = heaplab("batch", "--resume", out)
    check(p.returncode != 0, "resume on a full disk: exit %d" % p.returncode)
    check("not recorded" in p.stderr and "--resume" in p.stderr,
          "the batch does not say the invocation is not recorded: %s" % p.stderr[-400:])
    check(not os.path.exists(os.path.join(runs, SLUGS[1] + ".i0.csv")),
          "a write failure was recorded as the invocation's row")
    os.remove(os.path.join(mnt, "filler"))
    p = heaplab("batch", "--resume", out)
    check(p.returncode == 0, "resume after space is freed: exit %d: %s"
          % (p.returncode, p.stderr[-300:]))
    got = rows(out)
    check(len(got) == 2 and all(r["status"] == "ok" for r in got),
          "rows after the retry: %s" % [(r["collector"], r["status"]) for r in got])


def children_in(out):
    """`heaplab run` children writing into the results folder `out` (other tests run
    batches of the same configurations at the same time: the folder tells ours)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if b"run" in argv and any(a.startswith(out.encode() + b"/") for a in argv):
            found.append(int(pid))
    return found


def group_orphan():
    base = fresh("orphan")
    out = os.path.join(base, "out")
    env = dict(os.environ, HEAPLAB_TEST_FAULT="large_list/range/100/libc/refcount=hang")
    args = [HEAPLAB, "batch", *TINY, "--collectors", "refcount", "--timeout", "600",
            "--out", out]
    parent = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    child = []
    deadline = time.monotonic() + 60
    while not child and time.monotonic() < deadline:
        time.sleep(0.2)
        child = [p for p in children_in(out) if p != parent.pid]
    if not check(child, "the hanging child never started"):
        parent.kill()
        return
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    alive = child
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in child if os.path.exists("/proc/%d" % p) and
                 open("/proc/%d/stat" % p).read().split()[2] != "Z"]
    check(not alive, "children %s outlived the killed batch" % alive)
    for p in alive:
        os.kill(p, signal.SIGKILL)


def group_args():
    base = fresh("args")
    out = os.path.join(base, "out")
    tiny_batch(out)
    open(os.path.join(out, "batch.json"), "w").close()
    for name in os.listdir(os.path.join(out, "runs")):
        os.remove(os.path.join(out, "runs", name))
    p = heaplab("batch", "--resume", out, timeout=60)
    check(p.returncode == 2, "resume with an empty batch.json: exit %d: %s"
          % (p.returncode, p.stderr[-300:]))
    one_line(p, "empty batch.json")
    check(os.listdir(os.path.join(out, "runs")) == [], "it ran configurations anyway")


def group_outputs():
    base = fresh("outputs")
    fifo = os.path.join(base, "row.fifo")
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo).read()))
    reader.start()
    time.sleep(0.1)
    p = heaplab("run", "--workload", "large_list/range", "--size", "100", "--iterations", "1",
                "--row", fifo, timeout=60)
    reader.join(10)
    check(p.returncode == 0, "run --row FIFO: exit %d: %s" % (p.returncode, p.stderr[-300:]))
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced")
    check(got and got[0].startswith("runtime,workload"), "the FIFO's reader got %r" % got[:1])
    # a user's output through a symbolic link: written to its target, the link kept
    target, link = os.path.join(base, "target.csv"), os.path.join(base, "link.csv")
    open(target, "w").close()
    os.symlink(target, link)
    p = heaplab("run", "--workload", "large_list/range", "--size", "100", "--iterations", "1",
                "--row", link, timeout=60)
    check(p.returncode == 0 and os.path.islink(link), "run --row LINK: exit %d, link kept %s"
          % (p.returncode, os.path.islink(link)))
    with open(target) as f:
        check(f.read().startswith("runtime,workload"), "the link's target was not written")
    if os.geteuid() == 0:
        node = os.path.join(base, "null-node")
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        p = heaplab("run", "--workload", "large_list/range", "--size", "100", "--iterations",
                    "1", "--json", node, timeout=60)
        check(p.returncode == 0, "run --json DEVICE: exit %d: %s" % (p.returncode, p.stderr[-300:]))
        check(stat.S_ISCHR(os.lstat(node).st_mode), "the device node was replaced by a file")


def group_aborts():
    """No C++ exception crosses the C binding, and an allocator that cannot start says so."""
    p = heaplab("run", "--workload", "large_list/range", "--size", "10",
                "--benchmark_repetitions=-1", timeout=60)
    check(p.returncode == 1, "--benchmark_repetitions=-1: exit %d: %s"
          % (p.returncode, p.stderr[-300:]))
    one_line(p, "--benchmark_repetitions=-1")
    # boehm honours --heap-limit: its own heap stops at the limit (it once reached
    # 204 MiB live under --heap-limit 64M)
    with_row = os.path.join(fresh("aborts"), "row.csv")
    p = heaplab("run", "--workload", "cyclic_graph/pairs", "--size", "1e6", "--collector", "boehm",
                "--heap-limit", "16M", "--iterations", "1", "--row", with_row, timeout=120)
    check(p.returncode == 3, "boehm under --heap-limit 16M: exit %d: %s"
          % (p.returncode, p.stderr[-200:]))
    if os.path.exists(with_row):
        with open(with_row, newline="") as f:
            row = list(csv.DictReader(f))[0]
        check(float(row["peak_rss_bytes"]) < 96 * 2**20 and row["status"] == "memory_error",
              "boehm under --heap-limit 16M: %s, peak RSS %s" % (row["status"], row["peak_rss_bytes"]))
    if SANITIZED:  # ASan cannot start under ulimit -v
        return
    for limit, allocator, workload, size in (("20000", "mimalloc", "large_list/range", "10"),
                                             ("60000", "jemalloc", "recursion/sum", "1000000")):
        p = subprocess.run(["sh", "-c", 'ulimit -v %s; exec "$0" "$@"' % limit, HEAPLAB, "run",
                            "--workload", workload, "--size", size, "--allocator", allocator,
                            "--iterations", "1"], capture_output=True, text=True, timeout=120)
        what = "%s under ulimit -v %s" % (allocator, limit)
        check(0 <= p.returncode <= 4, "%s: exit %d (a signal?): %s"
              % (what, p.returncode, p.stderr[-300:]))
        if p.returncode != 0:
            one_line(p, what)


def group_concurrent():
    """One batch at a time per folder; a folder path too long for its files is refused."""
    base = fresh("concurrent")
    out = os.path.join(base, "out")
    env = dict(os.environ, HEAPLAB_TEST_FAULT="large_list/range/100/libc/refcount=hang")
    first = subprocess.Popen([HEAPLAB, "batch", *TINY, "--timeout", "600", "--out", out],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not children_in(out) and time.monotonic() < deadline:
        time.sleep(0.2)
    p = heaplab("batch", "--resume", out, timeout=120)
    check(p.returncode == 1 and "in use by another heaplab batch" in p.stderr,
          "a second batch in the same folder: exit %d: %s" % (p.returncode, p.stderr[-300:]))
    one_line(p, "second batch")
    first.send_signal(signal.SIGINT)
    check(first.wait(60) == 130, "the first batch did not end as interrupted")
    p = heaplab("batch", "--resume", out)
    check(p.returncode == 0 and len(rows(out)) == 2, "resume after the first ended: exit %d: %s"
          % (p.returncode, p.stderr[-300:]))

    deep = base  # a 4,031-character path, as the hostile test's (it lost a row, exit 0)
    while len(deep) + 201 <= 4031:
        deep = os.path.join(deep, "d" * 200)
    deep = os.path.join(deep, "e" * (4031 - len(deep) - 1))
    p = heaplab("batch", *TINY, "--out", deep, timeout=60)
    check(p.returncode == 2 and "leaves no room" in p.stderr,
          "a %d-character --out: exit %d: %s" % (len(deep), p.returncode, p.stderr[-300:]))
    one_line(p, "long --out")
    check(not os.path.exists(os.path.join(base, "d" * 200)), "the long --out was created")


def group_smaller():
    """The hostile test's smaller items: each a usage error (exit 2) with one line."""
    base = fresh("smaller")
    out = os.path.join(base, "out")
    tiny_batch(out)
    run = ["run", "--workload", "large_list/range", "--size", "10", "--iterations", "1"]
    for argv, what in ((run + ["--benchmark_format=nope"], "an unknown --benchmark_format"),
                       (run + ["--benchmark_out_format=xml"], "an unknown --benchmark_out_format"),
                       (run + ["--min-time", "0x10"], "a hexadecimal float"),
                       (run + ["--growth-factor", " 3"], "a float with a leading space"),
                       (run + ["--min-time", "inf"], "an infinite float"),
                       (["batch", "--resume=" + out, "--sizes=1e5"], "--resume=D with --sizes=N"),
                       (["batch", "--out=" + out, "--resume=" + out], "--out=X with --resume=D")):
        p = heaplab(*argv, timeout=60)
        check(p.returncode == 2, "%s: exit %d: %s" % (what, p.returncode, p.stderr[-200:]))
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        check(len(lines) == 1 and lines[0].startswith("heaplab"),
              "%s: stderr %r, not one heaplab line" % (what, p.stderr[-300:]))
    # what an interrupted write left (NAME.tmp.PID) is gone after a --resume
    stale = [os.path.join(out, "manifest.json.tmp.4242"),
             os.path.join(out, "runs", SLUGS[0] + ".csv.tmp.77")]
    for path in stale:
        open(path, "w").close()
    p = heaplab("batch", "--resume", out)
    check(p.returncode == 0 and not any(os.path.exists(x) for x in stale),
          "stale temporary files after --resume: %s" % [x for x in stale if os.path.exists(x)])
    # no descriptor left for gnuplot is not "gnuplot is not installed"
    p = subprocess.run(["sh", "-c", 'ulimit -n 5; exec "$0" plot "$1"', HEAPLAB, out],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        check("not installed" not in p.stderr, "plot under ulimit -n 5: %s" % p.stderr[-200:])
        one_line(p, "plot under ulimit -n 5")


def group_html():
    """A results folder whose workload is markup: `heaplab plot` writes it escaped, the
    report carries a policy that forbids scripts, and Chromium runs nothing."""
    base = fresh("html")
    out = os.path.join(base, "out")
    tiny_batch(out)
    evil = '"><svg\tonload=document.title=7>'
    path = os.path.join(out, "results.csv")
    with open(path, newline="") as f:
        table = list(csv.reader(f))
    column = table[0].index("workload")
    for line in table[1:]:
        line[column] = evil
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(table)
    p = heaplab("plot", out, timeout=120)
    check(p.returncode in (0, 1), "plot of a hostile folder: exit %d: %s"
          % (p.returncode, p.stderr[-300:]))
    report = os.path.join(out, "report.html")
    if not check(os.path.exists(report), "no report.html"):
        return
    with open(report, encoding="utf-8", errors="replace") as f:
        html = f.read()
    check("<svg" not in html.replace("<svg xmlns", ""), "raw markup from the folder in report.html")
    check("script-src 'none'" in html, "report.html has no policy against scripts")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        return
    profile = os.path.join(base, "profile")
    p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync",
                        "--user-data-dir=" + profile, "--dump-dom", "file://" + report],
                       capture_output=True, text=True, timeout=120)
    title = p.stdout.split("<title>", 1)[-1].split("</title>", 1)[0] if "<title>" in p.stdout else ""
    check(p.stdout and title != "7", "the folder's script ran in Chromium (title %r)" % title)


GROUPS = {"aborts": group_aborts, "html": group_html, "smaller": group_smaller, "concurrent": group_concurrent, "symlinks": group_symlinks, "rows": group_rows, "io": group_io,
          "orphan": group_orphan, "args": group_args, "outputs": group_outputs}

if __name__ == "__main__":
    if GROUP not in GROUPS:
        sys.exit("usage: hostile_check.py HEAPLAB WORKDIR {%s}" % "|".join(GROUPS))
    GROUPS[GROUP]()
    if failures:
        print("hostile.%s: %d failure(s)" % (GROUP, len(failures)), file=sys.stderr)
        sys.exit(1)
    print("hostile.%s: ok" % GROUP)
