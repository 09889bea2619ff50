/* heaplab object layout and the inline reference operations.
 *
 * Included by collectors/heap.h (first: the API's types are defined here); workload
 * code never names these fields. It includes nothing of collectors/ but events.h, so
 * the include graph has no circle (tests/include_graph.py): it is the layout that
 * object.c, the collectors and the inline paths share, not object.c's interface. What lives
 * here is what the inline fast paths need (the object header, struct hl_heap) plus the
 * few internal entry points the collectors share (the hl__ names, double underscore:
 * private to collectors/).
 *
 * Memory layout of one object, as allocated through the allocator:
 *
 *     [ collector prefix ][ hl_object header ][ type body ][ ...out-of-line storage ]
 *       ^ only on tracked   ^ the hl_object * the API hands out
 *
 * - The prefix belongs to the collector (hl_collector_ops.prefix_size bytes). It always
 *   ends with an hl_gc_link (two list pointers) that sits directly before the header,
 *   so a collector reaches its links with `(hl_gc_link *)o - 1`. Which objects carry a
 *   prefix is the collector's choice: containers only (refcount, rc_cycle, like
 *   CPython's PyGC_Head) or every object (mark_sweep, which sweeps a list of all).
 * - The header is 16 bytes: the reference count, the type, the flags below and a
 *   32-bit field count used by records and frames.
 * - Containers (list, record, frame) hold their references in one contiguous array of
 *   slots, so visiting, clearing and marking need no per-type callback.
 *
 * Object states, as flag bits in hl_object.flags (CPython names its states where the
 * bits are defined; so do we):
 *
 *   HL_FLAG_IMMORTAL     preallocated small int: never freed, never counted live.
 *   HL_FLAG_TRACKED      the object has a collector prefix and sits on one of the
 *                        collector's lists from construction until it is freed.
 *   HL_FLAG_HAS_FINALIZER  a record made with a finalizer (stored after its fields).
 *   HL_FLAG_FINALIZED    its finalizer has run (PEP 442: never again, even when the
 *                        object was resurrected and dies a second time).
 *   HL_FLAG_COLLECTING   rc_cycle: the object is in the generation being collected;
 *                        without UNREACHABLE, its prefix's prev word holds gc_refs
 *                        (collectors/cycle_core.h).
 *   HL_FLAG_UNREACHABLE  rc_cycle: tentatively unreachable (on the unreachable list).
 *   HL_FLAG_GREY         mark_sweep: reached but left off the full mark stack; the
 *                        rescan visits it and clears the bit (never kept).
 *   HL_FLAG_BLACK        mark_sweep: the mark, a sense bit: marked when it equals the
 *                        collector's current sense, which each collection flips (kept
 *                        between collections; collectors/mark_sweep.c).
 *   HL_FLAG_VISITED      hl_heap_each: already reported (untracked objects only).
 *   HL_FLAG_REACHED      teardown: reachable from the globals (the leak is the rest).
 *   HL_FLAG_OLD_SPACE    cpython_inc: the object's space bit (which of the two old
 *                        spaces, visited or pending, it belongs to; CPython 3.14 keeps
 *                        it in a bit of _gc_next). Kept between collections.
 *   HL_FLAG_FRAME_MARKED cpython_inc: a frame whose locals an increment has marked
 *                        (CPython 3.14's frame->visited). Kept while the frame lives.
 *
 * A dead object (count reached zero) waiting to be freed reuses its refcnt field as
 * the link of the heap's pending list: freeing never allocates and never recurses.
 */
#ifndef HEAPLAB_COLLECTORS_OBJECT_LAYOUT_H
#define HEAPLAB_COLLECTORS_OBJECT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocators/allocator.h"
#include "collectors/events.h"

typedef enum hl_status {
    HL_OK = 0,
    HL_MEMORY_ERROR,
    HL_RECURSION_ERROR,
} hl_status;

typedef struct hl_object hl_object;
typedef struct hl_heap hl_heap;
typedef struct hl_collector_ops hl_collector_ops; /* collectors/collector.h */
typedef struct hl_heap_carry hl_heap_carry;       /* collectors/heap.h */

#define HL_MAX_LISTENERS 6

typedef enum hl_type_id {
    HL_TYPE_INT,
    HL_TYPE_STR,
    HL_TYPE_LIST,
    HL_TYPE_RECORD,
    HL_TYPE_FRAME,
} hl_type_id;

enum {
    HL_FLAG_IMMORTAL = 1u << 0,
    HL_FLAG_TRACKED = 1u << 1,
    HL_FLAG_HAS_FINALIZER = 1u << 2,
    HL_FLAG_FINALIZED = 1u << 3,
    HL_FLAG_COLLECTING = 1u << 4,
    HL_FLAG_UNREACHABLE = 1u << 5,
    HL_FLAG_GREY = 1u << 6,
    HL_FLAG_BLACK = 1u << 7,
    HL_FLAG_VISITED = 1u << 8,
    HL_FLAG_REACHED = 1u << 9,
    HL_FLAG_OLD_SPACE = 1u << 10,
    HL_FLAG_FRAME_MARKED = 1u << 11,
};

struct hl_object {
    intptr_t refcnt; /* references; while dead and pending: the next pending object */
    uint8_t type;    /* hl_type_id */
    uint8_t unused;
    uint16_t flags; /* HL_FLAG_* */
    uint32_t count; /* record: fields; frame: slots (caller + locals) */
};

/* The collector's list link, the last part of every prefix. */
typedef struct hl_gc_link {
    struct hl_gc_link *next;
    struct hl_gc_link *prev;
} hl_gc_link;

/* The heap. Only counts_references is read by inline code outside collectors/; every
 * other field is private to collectors/. */
struct hl_heap {
    bool counts_references; /* hl_incref/hl_decref do work (refcount, rc_cycle) */
    bool collecting;        /* a collection runs: safe points and hl_collect do nothing */
    bool freeing;           /* the pending-free loop runs: dead objects are queued */
    bool finalizers_off;    /* teardown: no finalizer runs any more */
    bool no_collect;        /* test mode HEAPLAB_TEST_NO_COLLECT=1: never collect */
    hl_status error;
    const hl_collector_ops *ops;
    void *gc; /* the collector's own state (made by ops->init) */
    hl_allocator *allocator;
    size_t prefix_size; /* ops->prefix_size */
    bool tracks_all;    /* ops->tracks_all */

    hl_object *pending; /* dead objects waiting to be freed (linked through refcnt) */
    /* A constructor's object argument (and hl_list_append's list and value): roots during
     * a safe point or a collection for room (object.c: room_for). */
    hl_object *pinned[2];

    hl_object **globals;
    size_t globals_count;
    hl_object *frame; /* current frame; owns a reference */
    size_t depth;
    size_t recursion_limit;
    hl_object **handles;
    size_t handles_count;
    size_t handles_capacity;
    hl_object *small_ints; /* one block of the preallocated ints -5..256 */

    uint64_t live_objects;
    size_t live_bytes;
    uint64_t freed_by_counting;
    size_t tick_bytes; /* bytes allocated since the last allocation_tick */

    long thresholds[3];
    double growth_factor;
    bool lazy_sweep; /* hl_heap_config.lazy_sweep (mark_sweep) */
    bool fixed_heap; /* hl_heap_config.fixed_heap: the allocator's limit is the budget */
    hl_heap_carry *carry; /* hl_heap_config.carry, or NULL */
    const hl_event_listener *listeners[HL_MAX_LISTENERS];
    size_t listener_count;
};

/* The slow path of hl_decref: the count reached zero. */
void hl__object_dead(hl_heap *heap, hl_object *o);

static inline void hl_incref(hl_heap *heap, hl_object *o) {
    if (heap->counts_references) o->refcnt++;
}

static inline void hl_decref(hl_heap *heap, hl_object *o) {
    if (o != NULL && heap->counts_references && --o->refcnt == 0) hl__object_dead(heap, o);
}

#endif
