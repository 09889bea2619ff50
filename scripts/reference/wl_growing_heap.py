"""growing_heap: a steadily growing heap of survivors with few cycles
(bench/workloads/growing_heap.c; the shape of gh-124567's Sphinx build). n nodes appended
to one list, each pointing to its parent (node (i - 1) // 2) and holding the int i; after
every 100th node a pair of records pointing to each other is made and dropped. Returns
the objects the run's collections found (gc.get_stats())."""

import gc

from ref_check import check

CYCLE_EVERY = 100


class DocNode:
    __slots__ = ("parent", "value")

    def __init__(self, parent, value):
        self.parent = parent
        self.value = value


class Link:
    __slots__ = ("other",)

    def __init__(self, other=None):
        self.other = other


def collected_so_far():
    return sum(generation["collected"] for generation in gc.get_stats())


def growing_heap_doctree(n, env):
    collected = collected_so_far()
    nodes = []
    for i in range(n):
        nodes.append(DocNode(nodes[(i - 1) // 2] if i else None, i))
        if i % CYCLE_EVERY == CYCLE_EVERY - 1:
            a = Link()
            b = Link(a)
            a.other = b
            a = b = None             # dropped at once, as heaplab drops it
    with env["untimed"]:
        check(len(nodes) == n and all(nodes[i].value == i and
                                      nodes[i].parent is (nodes[(i - 1) // 2] if i else None)
                                      for i in range(n)),
              "growing_heap: the survivors are wrong")
    gc.collect()
    nodes = None
    return collected_so_far() - collected


WORKLOADS = {
    "growing_heap/doctree": (growing_heap_doctree, (10**6, 10**4, 10**7),
                             lambda n: 2 * (n // CYCLE_EVERY)),
}
