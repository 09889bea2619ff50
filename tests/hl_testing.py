"""What the command-line test scripts share (tests/batch_check.py, compare_check.py,
exits_check.py, micro_check.py, microtable_check.py, allocator_table_check.py): stop at
the first broken check with one FAIL line, check a refused command's one line, and run
heaplab."""
import subprocess
import sys


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(cond, message):
    if not cond:
        fail(message)


def one_line_error(done, code, needle, what):
    """A refused command: exit `code`, one line on stderr that contains `needle`, nothing
    on stdout."""
    lines = done.stderr.strip().splitlines()
    check(done.returncode == code and len(lines) == 1 and needle in done.stderr
          and done.stdout == "",
          f"{what}: exit {done.returncode} (want {code}), stderr {done.stderr!r}, "
          f"stdout {done.stdout[:200]!r}")


def run_heaplab(heaplab, args, timeout, **kw):
    """`heaplab ARGS` with its output captured as text."""
    return subprocess.run([heaplab] + list(args), capture_output=True, text=True,
                          timeout=timeout, **kw)
