"""gc_traversal: pyperformance's bm_gc_traversal (bench/workloads/gc_traversal.c): n lists,
list k holding k references to list k - 1, all live; the build is untimed, as in
pyperformance; the timed part is COLLECTIONS gc.collect() calls, each of which must find
nothing; then the structure is dropped and one more gc.collect() is made."""

import gc

from ref_check import check

COLLECTIONS = 10  # heaplab's GC_TRAVERSAL_COLLECTIONS


def gc_traversal_levels(n, env):
    with env["untimed"]:
        current = None
        for k in range(n):
            current = [current] * k
    for c in range(COLLECTIONS):
        found = gc.collect()
        check(found == 0, "gc_traversal: gc.collect() %d found %d unreachable objects"
              % (c + 1, found))
    with env["untimed"]:
        top, k = current, n
        while k > 0:
            k -= 1
            check(len(top) == k, "gc_traversal: list %d is lost" % k)
            previous = top[0] if k else None
            check(all(item is previous for item in top), "gc_traversal: list %d is wrong" % k)
            top = previous
    current = top = previous = None
    return gc.collect()


WORKLOADS = {
    "gc_traversal/levels": (gc_traversal_levels, (1000, 100, 3000), None),
}
