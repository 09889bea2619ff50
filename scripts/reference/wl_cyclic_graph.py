"""cyclic_graph: garbage only a cycle collector reclaims (bench/workloads/cyclic_graph.c)."""

import gc
import math

from ref_check import check


RING_NODES = 21             # pyperformance gc_collect: rings of LINKS + 1 = 21 nodes
RANDOM_OUT_EDGES = 4


class Person:
    def __init__(self, name):
        self.name = name
        self.partner = None

    def set_partner(self, partner):
        self.partner = partner
        partner.partner = self


def cyclic_pairs(n, env):
    people = []                      # the root
    for i in range(0, n - 1, 2):
        p1 = Person('Alice')         # names are shared literals
        p2 = Person('Bob')
        p1.set_partner(p2)
        people.append(p1)
        people.append(p2)
    if n % 2:
        loner = Person('Carol')      # odd n: the last one is its own partner
        loner.set_partner(loner)
        people.append(loner)
    check(len(people) == n, "cyclic_graph/pairs: built %d people" % len(people))
    p1 = p2 = loner = None
    people = None                    # drop the root
    return gc.collect()


class Node:
    def __init__(self):
        self.next = None
        self.prev = None

    def link_next(self, next_node):
        self.next = next_node
        next_node.prev = self


def create_ring(length):
    first = current = Node()
    for _ in range(length - 1):
        next_node = Node()
        current.link_next(next_node)
        current = next_node
    current.link_next(first)
    return first


def cyclic_rings(n, env):
    rings = []                       # the root
    for _ in range(n // RING_NODES):
        rings.append(create_ring(RING_NODES))
    if n % RING_NODES:
        rings.append(create_ring(n % RING_NODES))
    check(len(rings) == -(-n // RING_NODES), "cyclic_graph/rings: built %d rings" % len(rings))
    rings = None
    return gc.collect()


class GraphNode:
    # Four reference fields and nothing else, as heaplab's record of 4 fields: one GC
    # object per node (no __dict__, no edge list).
    __slots__ = ("e0", "e1", "e2", "e3")

    def __init__(self):
        self.e0 = self.e1 = self.e2 = self.e3 = None


def cyclic_random(n, env):
    # As heaplab builds it: edge 0 follows one random cycle through every node
    # (s_k = (a*k + c) mod n with a coprime to n), so every node lies on a cycle;
    # edges 1-3 go to uniformly random nodes.
    rng = env["rng"]
    nodes = [GraphNode() for _ in range(n)]   # the root
    a, c = 1, 0
    if n > 1:
        a = rng.randrange(1, n)
        while math.gcd(a, n) != 1:
            a = rng.randrange(1, n)
        c = rng.randrange(n)
    s = c
    for _ in range(n):
        t = (s + a) % n
        nodes[s].e0 = nodes[t]
        s = t
    for node in nodes:
        node.e1 = nodes[rng.randrange(n)]
        node.e2 = nodes[rng.randrange(n)]
        node.e3 = nodes[rng.randrange(n)]
    check(all(getattr(nodes[i], "e%d" % e) is not None
              for i in (0, -1) for e in range(RANDOM_OUT_EDGES)),
          "cyclic_graph/random: a node without its %d edges" % RANDOM_OUT_EDGES)
    node = None
    nodes = None
    return gc.collect()


class TreeNode:
    def __init__(self, parent):
        self.parent = parent
        self.left = None
        self.right = None


def cyclic_tree(n, env):
    # Breadth-first, no recursion: node i's children are 2i+1 and 2i+2.
    root = TreeNode(None)
    level = [root]
    built = 1
    while built < n:
        next_level = []
        for parent in level:
            if built == n:
                break
            parent.left = TreeNode(parent)
            next_level.append(parent.left)
            built += 1
            if built == n:
                break
            parent.right = TreeNode(parent)
            next_level.append(parent.right)
            built += 1
        level = next_level
    check(built == n, "cyclic_graph/tree: built %d nodes" % built)
    level = next_level = parent = None
    root = None                      # drop the root
    return gc.collect()


WORKLOADS = {
    "cyclic_graph/pairs": (cyclic_pairs, (10**5, 10**3, 10**7), lambda n: n),
    "cyclic_graph/rings": (cyclic_rings, (10**5, 10**3, 10**7), lambda n: n),
    # every node (one GC object of four fields): all on cycles
    "cyclic_graph/random": (cyclic_random, (10**5, 10**3, 10**7), lambda n: n),
    # a 1-node tree has no cycle: reference counting frees it
    "cyclic_graph/tree": (cyclic_tree, (10**5, 10**3, 10**7), lambda n: n if n > 1 else 0),
}
