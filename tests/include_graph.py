#!/usr/bin/env python3
"""The include graph of bench/, collectors/ and allocators/ follows the rooms.

usage: include_graph.py SOURCE_DIR
       include_graph.py --self-test

The rooms, lowest first (rank in brackets): allocators/ (0), collectors/ (1),
bench/workloads/ (2), bench/report/ (3), bench/harness/ (4), bench/batch/ (5),
bench/cli/ (6), bench/micro/ (6). A file may include headers of its own room or of a
lower room only (cli and micro share a rank but are two rooms: neither includes the
other). Every *.c, *.h, *.cc under allocators/, collectors/ and bench/ is read; a file
under bench/ outside the rooms is an error (the layout is the rooms).

Each quoted include (`#include "bench/report/results.h"`) is resolved relative to
SOURCE_DIR and, failing that, relative to the including file's folder; one that
resolves to no file, or to a file in no room, is an error, so a typo cannot hide an
edge. System includes <...> are ignored, and so are includes in comments (conditional
compilation is not evaluated: an include under #if 0 still counts).

Cycles are looked for twice: in the file graph, and in the module graph, where X.c,
X.cc and X.h in one folder are the module X and module X has an edge to module Y when
a file of X includes a file of Y. A module cycle that is only the image of a file
cycle already reported is not repeated.

Exit 0 with a summary line when the graph is clean; exit 1 with one line per problem
otherwise. --self-test runs the checker on small temporary trees and exits 1 when it
accepts a broken one or rejects the clean one.
"""

import os
import re
import subprocess
import sys
import tempfile

ROOMS = [  # (folder, name, rank), lowest first
    ("allocators", "allocators", 0),
    ("collectors", "collectors", 1),
    ("bench/workloads", "workloads", 2),
    ("bench/report", "report", 3),
    ("bench/harness", "harness", 4),
    ("bench/batch", "batch", 5),
    ("bench/cli", "cli", 6),
    ("bench/micro", "micro", 6),
]
TOP_DIRS = ("allocators", "collectors", "bench")
SOURCE_EXTS = (".c", ".h", ".cc")
MAX_CYCLES = 100  # per graph: past that, say how many strongly connected files remain

INCLUDE_RE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"', re.M)


def room_of(rel):
    """(name, rank) of the room holding the repository-relative path rel, or None."""
    for folder, name, rank in ROOMS:
        if rel.startswith(folder + "/"):
            return name, rank
    return None


def strip_comments(text):
    """text with /* */ and // comments blanked (newlines kept); literals respected."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "/" and i + 1 < n and text[i + 1] == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(text[i:j])
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def quoted_includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return INCLUDE_RE.findall(strip_comments(f.read()))


def scan(source_dir):
    """Every source file under the top folders, repository-relative, sorted."""
    files = []
    for top in TOP_DIRS:
        base = os.path.join(source_dir, top)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for name in filenames:
                if name.endswith(SOURCE_EXTS):
                    full = os.path.join(dirpath, name)
                    files.append(os.path.relpath(full, source_dir).replace(os.sep, "/"))
    return sorted(files)


def resolve(source_dir, rel, target):
    """Repository-relative path of the file `#include "target"` in rel names, or None.
    A path that leaves SOURCE_DIR comes back as it is (starting with ../)."""
    for base in (source_dir, os.path.join(source_dir, os.path.dirname(rel))):
        full = os.path.normpath(os.path.join(base, target))
        if os.path.isfile(full):
            return os.path.relpath(full, source_dir).replace(os.sep, "/")
    return None


def elementary_cycles(nodes, edges, limit):
    """Elementary cycles of the graph (each once, starting at its smallest node, as a
    list of nodes), at most limit of them, and whether the list was cut short."""
    cycles = []
    order = sorted(nodes)
    index = {v: k for k, v in enumerate(order)}
    for start in order:
        # Only nodes not below start: every cycle is found from its smallest node.
        stack = [(start, iter(sorted(edges.get(start, ()))))]
        path, on_path = [start], {start}
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                on_path.discard(path.pop())
                continue
            if index.get(nxt, -1) < index[start]:
                continue
            if nxt == start:
                cycles.append(path + [start])
                if len(cycles) >= limit:
                    return cycles, True
            elif nxt not in on_path:
                path.append(nxt)
                on_path.add(nxt)
                stack.append((nxt, iter(sorted(edges.get(nxt, ())))))
    return cycles, False


def canonical(cycle):
    """A cycle (closed chain) rotated to start at its smallest node, as a tuple."""
    ring = cycle[:-1]
    k = ring.index(min(ring))
    ring = ring[k:] + ring[:k]
    return tuple(ring + [ring[0]])


def module_of(rel):
    base, ext = os.path.splitext(rel)
    return base if ext in SOURCE_EXTS else rel


def check(source_dir):
    """(problems, summary): the problem lines, and the summary line for a clean run."""
    problems = []
    files = scan(source_dir)
    nodes = set(files)
    edges = {}  # file -> set of files it includes
    todo = list(files)
    seen = set(files)
    while todo:
        rel = todo.pop(0)
        src_room = room_of(rel)
        if src_room is None and rel.startswith("bench/"):
            folder = os.path.dirname(rel) or "."
            problems.append(
                f"{rel}: {folder}/ is in no room (the rooms: "
                + ", ".join(folder + "/" for folder, _, _ in ROOMS) + ")")
        for target in quoted_includes(os.path.join(source_dir, rel)):
            dest = resolve(source_dir, rel, target)
            if dest is None:
                problems.append(
                    f'{rel} includes "{target}": no such file (looked in the source '
                    f"directory and in {os.path.dirname(rel) or '.'}/)")
                continue
            dst_room = room_of(dest)
            if dst_room is None:
                if not (dest.startswith("bench/") and dest in nodes):
                    # (a file of bench/ outside the rooms is reported once, above)
                    problems.append(f"{rel} includes {dest}: {dest} is in no room")
            elif src_room is not None and dst_room[0] != src_room[0] \
                    and dst_room[1] >= src_room[1]:
                problems.append(
                    f"{rel} includes {dest}: {src_room[0]} ({src_room[1]}) may not "
                    f"include {dst_room[0]} ({dst_room[1]})")
            edges.setdefault(rel, set()).add(dest)
            nodes.add(dest)
            if dest not in seen and not dest.startswith("../") \
                    and dest.split("/")[0] in TOP_DIRS:
                seen.add(dest)  # an include of, say, a .inc file inside the rooms
                todo.append(dest)

    file_cycles, cut = elementary_cycles(nodes, edges, MAX_CYCLES)
    for cycle in file_cycles:
        problems.append("include cycle: " + " -> ".join(cycle))
    if cut:
        problems.append(f"include cycle: more than {MAX_CYCLES} cycles, the rest not listed")

    mod_edges, witness = {}, {}
    for src, dests in edges.items():
        for dest in dests:
            a, b = module_of(src), module_of(dest)
            if a != b:
                mod_edges.setdefault(a, set()).add(b)
                witness.setdefault((a, b), []).append(f"{src} includes {dest}")
    images = set()
    for cycle in file_cycles:
        mods = [module_of(f) for f in cycle]
        collapsed = [m for k, m in enumerate(mods) if k == 0 or m != mods[k - 1]]
        if len(collapsed) > 1:
            images.add(canonical(collapsed))
    mod_nodes = {module_of(f) for f in nodes}
    mod_cycles, mod_cut = elementary_cycles(mod_nodes, mod_edges, MAX_CYCLES)
    for cycle in mod_cycles:
        if canonical(cycle) in images:
            continue
        why = "; ".join(sorted(witness[(a, b)])[0] for a, b in zip(cycle, cycle[1:]))
        problems.append("module cycle: " + " -> ".join(cycle) + f" ({why})")
    if mod_cut:
        problems.append(f"module cycle: more than {MAX_CYCLES} cycles, the rest not listed")

    n_edges = sum(len(d) for d in edges.values())
    used = sorted({room_of(f) for f in files if room_of(f)}, key=lambda r: (r[1], r[0]))
    summary = (f"include graph clean: {len(files)} files, {n_edges} edges, "
               f"{len(mod_nodes)} modules, {len(used)} rooms ("
               + ", ".join(f"{name} {rank}" for name, rank in used) + ")")
    return problems, summary


def main_check(source_dir):
    if not os.path.isdir(source_dir):
        print(f"include_graph.py: {source_dir}: no such directory", file=sys.stderr)
        return 2
    problems, summary = check(os.path.abspath(source_dir))
    if problems:
        for line in problems:
            print(line)
        print(f"include_graph.py: {len(problems)} problem(s) in the include graph of "
              f"{', '.join(d + '/' for d in TOP_DIRS)}", file=sys.stderr)
        return 1
    print(summary)
    return 0


# --- self-test ---------------------------------------------------------------------

CLEAN = {
    "allocators/allocator.h": "#include <stddef.h>\n",
    "allocators/allocator.c": '#include "allocators/allocator.h"\n',
    "collectors/heap.h": '#include "allocators/allocator.h"\n',
    "collectors/heap.c": ('#include "collectors/heap.h"\n'
                          '#include "heap.h" /* relative to the folder */\n'),
    "bench/workloads/workload.h": '#include "collectors/heap.h"\n',
    "bench/report/results.h": "#include <stdio.h>\n",
    "bench/report/results.c": ('#include "bench/report/results.h"\n'
                               '/* #include "bench/batch/batch.h" a comment */\n'
                               '// #include "no/such/file.h"\n'
                               'static const char *s = "#include \\"x.h\\"";\n'),
    "bench/harness/gbench.h": '#include "bench/report/results.h"\n',
    "bench/harness/gbench.cc": '#include "bench/harness/gbench.h"\n',
    "bench/batch/batch.h": '#include "bench/report/results.h"\n',
    "bench/batch/batch.c": ('#include "bench/batch/batch.h"\n'
                            '#  include "bench/harness/gbench.h"\n'),
    "bench/cli/cli.h": '#include "bench/workloads/workload.h"\n',
    "bench/cli/main.c": ('#include "bench/cli/cli.h"\n#include "bench/batch/batch.h"\n'),
    "bench/micro/churn.c": '#include "bench/harness/gbench.h"\n',
}

CASES = [  # (name, files changed from CLEAN, lines expected, exactly)
    ("a clean layout", {}, None),
    ("an upward include",
     {"bench/report/plot.c": '#include "bench/batch/batch.h"\n'},
     ["bench/report/plot.c includes bench/batch/batch.h: report (3) may not include "
      "batch (5)"]),
    ("a two-file cycle",
     {"collectors/a.h": '#include "collectors/b.h"\n',
      "collectors/b.h": '#include "collectors/a.h"\n'},
     ["include cycle: collectors/a.h -> collectors/b.h -> collectors/a.h"]),
    ("a missing include target",
     {"bench/cli/main.c": '#include "bench/cli/cli.h"\n#include "bench/cli/clli.h"\n'},
     ['bench/cli/main.c includes "bench/cli/clli.h": no such file (looked in the '
      "source directory and in bench/cli/)"]),
    ("a file in a folder outside the rooms",
     {"bench/util/strings.c": '#include "allocators/allocator.h"\n'},
     ["bench/util/strings.c: bench/util/ is in no room (the rooms: allocators/, "
      "collectors/, bench/workloads/, bench/report/, bench/harness/, bench/batch/, "
      "bench/cli/, bench/micro/)"]),
    ("a module cycle with no file cycle",
     {"collectors/x.h": "", "collectors/y.h": "",
      "collectors/x.c": '#include "collectors/y.h"\n',
      "collectors/y.c": '#include "collectors/x.h"\n'},
     ["module cycle: collectors/x -> collectors/y -> collectors/x (collectors/x.c "
      "includes collectors/y.h; collectors/y.c includes collectors/x.h)"]),
    ("one room of rank 6 including the other",
     {"bench/micro/churn.c": '#include "bench/cli/cli.h"\n'},
     ["bench/micro/churn.c includes bench/cli/cli.h: micro (6) may not include cli (6)"]),
]


def self_test():
    failures = 0
    for name, changes, expected in CASES:
        with tempfile.TemporaryDirectory(prefix="include_graph.") as tmp:
            for rel, text in {**CLEAN, **changes}.items():
                path = os.path.join(tmp, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
            run = subprocess.run([sys.executable, os.path.abspath(__file__), tmp],
                                 capture_output=True, text=True)
        lines = run.stdout.splitlines()
        if expected is None:
            ok = run.returncode == 0 and len(lines) == 1 and \
                lines[0].startswith("include graph clean: 14 files, 14 edges")
            want = "exit 0 and the summary line (14 files, 14 edges)"
        else:
            ok = run.returncode == 1 and lines == expected
            want = "exit 1 with exactly: " + " | ".join(expected)
        print(f"{'ok  ' if ok else 'FAIL'} {name}: exit {run.returncode}"
              + ("" if ok else f"\n     wanted {want}\n     got: " + " | ".join(lines)
                 + (f"\n     stderr: {run.stderr.strip()}" if run.stderr.strip() else "")))
        failures += not ok
    print(f"self-test: {len(CASES) - failures} of {len(CASES)} cases as expected")
    return 1 if failures else 0


def main(argv):
    if argv == ["--self-test"]:
        return self_test()
    if len(argv) != 1 or argv[0].startswith("-"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    return main_check(argv[0])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
