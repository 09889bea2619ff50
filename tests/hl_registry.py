"""The registries and their declared properties, for the Python drivers in tests/.

    import hl_registry
    reg = hl_registry.read(TEST_REGISTRY)   # the test_registry program's path
    reg.allocators    # [{"name": "libc", "preload": False}, ...], registry order
    reg.collectors    # [{"name": ..., "counts_references": bool, "reclaims_cycles": bool,
                      #   "conservative": bool, "own_allocator": "bdwgc" or None}, ...]
    reg.workloads     # [{"name": "recursion/sum", "growth": "heap"|"depth"|"time",
                      #   "fail_alloc_size": int, "default_size": int}, ...]
    reg.home_allocator  # the registry's first allocator: where a collector that brings
                        # its own allocator runs (as `heaplab batch` runs it)
    reg.runs_under(collector, allocator)  # whether a matrix runs that pair

It reads `test_registry --print` (tests/test_registry.c), so a driver iterates the
registries and decides by declared properties instead of naming any allocator,
collector or workload. python3 standard library only.
"""
import subprocess

_BOOLEANS = ("preload", "counts_references", "reclaims_cycles", "conservative")
_NUMBERS = ("fail_alloc_size", "default_size")


class Registry:
    def __init__(self, allocators, collectors, workloads):
        self.allocators, self.collectors, self.workloads = allocators, collectors, workloads
        self.home_allocator = allocators[0]["name"] if allocators else None

    def collector(self, name):
        return next((c for c in self.collectors if c["name"] == name), None)

    def runs_under(self, collector, allocator):
        """A collector whose objects come from its own allocator runs once, under the
        home allocator: under any other it would repeat the same run."""
        return collector["own_allocator"] is None or allocator == self.home_allocator


def parse(text):
    sections = {"allocator": [], "collector": [], "workload": []}
    for line in text.splitlines():
        if not line.strip():
            continue
        kind, name, *fields = line.split("\t")
        if kind not in sections:
            raise ValueError("test_registry --print: unknown line %r" % line)
        entry = {"name": name}
        for field in fields:
            key, _, value = field.partition("=")
            if key in _BOOLEANS:
                entry[key] = value == "1"
            elif key in _NUMBERS:
                entry[key] = int(value)
            elif key == "own_allocator":
                entry[key] = None if value == "-" else value
            else:
                entry[key] = value
        sections[kind].append(entry)
    for kind, entries in sections.items():
        if not entries:
            raise ValueError("test_registry --print listed no %s" % kind)
    return Registry(sections["allocator"], sections["collector"], sections["workload"])


def read(program):
    out = subprocess.run([program, "--print"], check=True, stdout=subprocess.PIPE,
                         universal_newlines=True, timeout=60).stdout
    return parse(out)
