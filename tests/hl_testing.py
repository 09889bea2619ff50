"""What the command-line test scripts share (tests/batch_check.py, compare_check.py,
exits_check.py, micro_check.py): stop at the first broken check with one FAIL line, and
run heaplab."""
import subprocess
import sys


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(cond, message):
    if not cond:
        fail(message)


def run_heaplab(heaplab, args, timeout, **kw):
    """`heaplab ARGS` with its output captured as text."""
    return subprocess.run([heaplab] + list(args), capture_output=True, text=True,
                          timeout=timeout, **kw)
