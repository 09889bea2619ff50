"""gcbench: Boehm, Ellis and Kovac's GCBench (bench/workloads/gcbench.c), in the shape of
the original: the stretch tree, the long-lived tree and array, then trees built
top-down (Populate) and bottom-up (MakeTree) at depths 4, 6, ... up to the long-lived
depth. n is the scale in nodes, mapped as heaplab maps it: the long-lived depth is the
deepest complete tree of at most n nodes (131071: the original's 16), the stretch depth
that + 2, the array n * 500000 // 131071 slots. The array of doubles is a list of ints
(heaplab has no floats): array[i] = i for the first half, 0 for the rest."""

import gc

from ref_check import check

MIN_TREE_DEPTH = 4
ORIGINAL_LONG_LIVED_NODES = 131071
ORIGINAL_ARRAY_SIZE = 500000


class Node:
    # heaplab's record of two fields: one GC object per node (Java's unused i and j
    # are left out there, so here too)
    __slots__ = ("left", "right")

    def __init__(self, left=None, right=None):
        self.left = left
        self.right = right


def tree_size(depth):
    return (1 << (depth + 1)) - 1


def populate(depth, node):
    if depth <= 0:
        return
    depth -= 1
    node.left = Node()
    node.right = Node()
    populate(depth, node.left)
    populate(depth, node.right)


def make_tree(depth):
    if depth <= 0:
        return Node()
    return Node(make_tree(depth - 1), make_tree(depth - 1))


def shape(n):
    depth = 0
    while tree_size(depth + 1) <= n:
        depth += 1
    return depth, depth + 2, n * ORIGINAL_ARRAY_SIZE // ORIGINAL_LONG_LIVED_NODES


def complete_nodes(node, depth):
    if node is None:
        return 0
    if depth == 0:
        return 1 if node.left is None and node.right is None else 0
    left = complete_nodes(node.left, depth - 1)
    right = complete_nodes(node.right, depth - 1) if left else 0
    return 1 + left + right if left and right else 0


def gcbench_classic(n, env):
    long_lived_depth, stretch_depth, array_size = shape(n)
    temp_tree = make_tree(stretch_depth)      # stretch the memory space quickly
    temp_tree = None
    long_lived_tree = Node()
    populate(long_lived_depth, long_lived_tree)
    array = [0] * array_size
    for i in range(array_size // 2):
        array[i] = i
    for depth in range(MIN_TREE_DEPTH, long_lived_depth + 1, 2):
        iters = 2 * tree_size(stretch_depth) // tree_size(depth)
        for _ in range(iters):
            temp_tree = Node()
            populate(depth, temp_tree)
            temp_tree = None
        for _ in range(iters):
            temp_tree = make_tree(depth)
            temp_tree = None
    with env["untimed"]:
        check(complete_nodes(long_lived_tree, long_lived_depth) == tree_size(long_lived_depth),
              "gcbench: the long-lived tree is not a complete tree of depth %d"
              % long_lived_depth)
        half = array_size // 2
        check(all(array[i] == (i if i < half else 0) for i in range(array_size)),
              "gcbench: the long-lived array is wrong")
    found = gc.collect()                      # heaplab's final gc.collect(), timed
    long_lived_tree = array = None
    return found


WORKLOADS = {
    "gcbench/classic": (gcbench_classic, (16383, 1000, 131071), None),
}
