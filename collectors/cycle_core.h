/* Trial deletion: the cycle detector's core, shared by the collectors that model
 * CPython's (rc_cycle and its 3.13 preset, cpython_inc, cpython_ft).
 *
 * Every CPython collector since 2.0 finds garbage cycles the same way, whatever decides
 * which objects a collection looks at (generations, an increment, the whole heap):
 * copy each candidate's reference count, subtract the references the candidates hold
 * to one another, and what keeps a count above zero is referred to from outside the
 * set; everything it reaches survives, the rest is garbage. The collectors differ in
 * how they choose the set and where its survivors go; this file is the part they share
 * (the story of one run is in cycle_core.c's opening comment).
 *
 * The collectors that use it keep this prefix before each tracked object (a collector
 * may put fields of its own before it: the core reaches the link from the object
 * backwards). It is 16 bytes, CPython's PyGC_Head: two words, the list's next and prev.
 * There is no gc_refs field: during a collection, from update_refs to the end of
 * move_unreachable, an object of the set keeps its gc_refs in the prev word (tagged in
 * its low bit; CPython shifts it past two flag bits of _gc_prev) and the list is walked
 * through next alone; move_unreachable rebuilds every prev pointer as it goes, so the
 * lists are whole again before any finalizer or free can unlink an object.
 */
#ifndef HEAPLAB_COLLECTORS_CYCLE_CORE_H
#define HEAPLAB_COLLECTORS_CYCLE_CORE_H

#include "collectors/collector.h"

typedef struct hl_cycle_prefix {
    hl_gc_link link; /* link.prev holds gc_refs while the object is COLLECTING */
} hl_cycle_prefix;

_Static_assert(sizeof(hl_cycle_prefix) == 16 || sizeof(void *) != 8,
               "the trial-deletion prefix is CPython's 16-byte PyGC_Head");

/* One collection of the objects on `from` (a list of tracked objects, none COLLECTING):
 * reports roots_traced and heap_traced, moves the survivors to `to` (which may be
 * `from` itself), runs the finalizers of the garbage once, keeps what they
 * resurrected, and clears the rest so that counting frees it. When `reachable` is not
 * NULL it receives the number of objects found reachable before any finalizer ran
 * (rc_cycle's and cpython_ft's long-lived figures). Returns the number of objects
 * found unreachable and cleared: what gc.collect() returns. The caller sets
 * heap->collecting and reports collection_start and collection_end around it. */
long hl__cycle_collect(hl_heap *heap, hl_gc_link *from, hl_gc_link *to, size_t *reachable);

#endif
