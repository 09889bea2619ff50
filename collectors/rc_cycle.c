/* rc_cycle: reference counting plus a generational cycle detector, the model of
 * CPython 3.11's Modules/gcmodule.c (re-told here, not copied).
 *
 * Counting frees almost everything, at once, as in refcount.c. What counting cannot
 * free is a reference cycle; the detector finds cycles among *tracked* objects: the
 * containers (list, record), which carry the 16-byte hl_cycle_prefix (the list link,
 * CPython's PyGC_Head: gc_refs lives in its prev word during a collection,
 * collectors/cycle_core.h). ints and strs hold
 * no references and cannot be on a cycle, so they are never tracked. Frames are not
 * tracked either (tracks_frames false): as in CPython 3.11, whose frames live on its
 * data stack and are no GC objects, a frame is freed by counting when its call
 * returns; its references to locals count as external ones (roots), and calls do not
 * advance generation 0, so deep recursion starts no collection.
 *
 * Generations. A new container joins generation 0. An object that survives a
 * collection of generation g moves to g+1 (generation 2 keeps its survivors).
 * gens[0].count is allocations minus deallocations of tracked objects since the last
 * collection; gens[g].count for g > 0 is the number of collections of g-1 since the
 * last collection of g. At each safe point (before an allocation), when gens[0].count
 * exceeds threshold 0, the oldest generation whose count exceeds its threshold is
 * collected, together with every younger one. A full collection (generation 2) also
 * needs long_lived_pending (objects moved into generation 2 by generation-1
 * collections since the last full one) to exceed 25% of long_lived_total (the size
 * of generation 2 after the last full collection), so that full collections stay
 * linear overall. Thresholds 700/10/10 by default (default_thresholds below;
 * hl_heap_config.thresholds overrides them).
 *
 * One collection (collect_generation): the generations younger than the one collected
 * are merged into it, trial deletion runs over it (collectors/cycle_core.c: update_refs,
 * subtract_refs, move_unreachable, finalizers once, resurrection, delete_garbage), and
 * the survivors join the next older generation. The number of objects found
 * unreachable is what hl_collect returns.
 *
 * A collection sets heap->collecting: a finalizer may allocate, but no safe point
 * starts a nested collection and hl_collect returns 0.
 *
 * The 3.13 preset (rc_cycle_313). CPython 3.13 shipped this same algorithm: the
 * incremental collector merged for 3.13 was reverted before the release (gh-124567,
 * PR #124770), and what stayed of it is the first threshold raised from 700 to 2,000.
 * rc_cycle_313 is a second entry of this file whose default thresholds are
 * 2000/10/10 (the user's --gc-thresholds still override them); nothing else differs.
 */
#include "collectors/cycle_core.h"

typedef struct rc_generation {
    hl_gc_link head;
    long count;
    long threshold;
} rc_generation;

#define RC_GENERATIONS 3

typedef struct rc_state {
    rc_generation gens[RC_GENERATIONS];
    size_t long_lived_total;
    size_t long_lived_pending;
} rc_state;

static long collect_generation(hl_heap *heap, int generation) {
    rc_state *s = heap->gc;
    static const hl_collection_kind kinds[RC_GENERATIONS] = {
        HL_COLLECTION_YOUNG, HL_COLLECTION_MIDDLE, HL_COLLECTION_FULL};
    heap->collecting = true;
    hl__emit_collection_start(heap, kinds[generation]);

    if (generation + 1 < RC_GENERATIONS) s->gens[generation + 1].count++;
    for (int i = 0; i <= generation; i++)
        s->gens[i].count = 0;
    for (int i = 0; i < generation; i++)
        hl_gc_list_merge(&s->gens[i].head, &s->gens[generation].head);
    hl_gc_link *young = &s->gens[generation].head;
    hl_gc_link *old = generation + 1 < RC_GENERATIONS ? &s->gens[generation + 1].head : young;

    /* The reachable count is wanted only for the long-lived figures: a collection of
     * generation 1 (its survivors join generation 2) or of generation 2 itself. */
    size_t reachable = 0;
    bool counts = generation >= RC_GENERATIONS - 2;
    long found = hl__cycle_collect(heap, young, old, counts ? &reachable : NULL);
    if (young != old) {
        if (generation == RC_GENERATIONS - 2) s->long_lived_pending += reachable;
    } else {
        s->long_lived_pending = 0;
        s->long_lived_total = reachable;
    }

    heap->collecting = false;
    hl__emit_collection_end(heap, (uint64_t)found);
    hl__emit_live_data_size(heap, heap->live_bytes);
    return found;
}

/* ---- the collector interface ---- */

static hl_status rc_init(hl_heap *heap) {
    rc_state *s = hl__gc_alloc(heap, sizeof *s);
    if (s == NULL) return HL_MEMORY_ERROR;
    for (int i = 0; i < RC_GENERATIONS; i++) {
        hl_gc_list_init(&s->gens[i].head);
        s->gens[i].count = 0;
        s->gens[i].threshold = heap->thresholds[i];
    }
    s->long_lived_total = 0;
    s->long_lived_pending = 0;
    heap->gc = s;
    return HL_OK;
}

static void rc_link(hl_heap *heap, hl_object *o) {
    rc_state *s = heap->gc;
    hl_gc_list_append(&s->gens[0].head, hl_gc_link_of(o));
    s->gens[0].count++;
}

static void rc_unlink(hl_heap *heap, hl_object *o) {
    rc_state *s = heap->gc;
    hl_gc_list_remove(hl_gc_link_of(o));
    if (s->gens[0].count > 0) s->gens[0].count--;
}

/* CPython's collect_generations: the oldest generation over its threshold. */
static void rc_safe_point(hl_heap *heap) {
    rc_state *s = heap->gc;
    if (s->gens[0].count <= s->gens[0].threshold) return;
    for (int i = RC_GENERATIONS - 1; i >= 0; i--) {
        if (s->gens[i].count > s->gens[i].threshold) {
            if (i == RC_GENERATIONS - 1 && s->long_lived_pending < s->long_lived_total / 4)
                continue;
            collect_generation(heap, i);
            break;
        }
    }
}

static long rc_collect(hl_heap *heap, int generation) {
    return collect_generation(heap, generation);
}

static void rc_finish(hl_heap *heap) {
    collect_generation(heap, RC_GENERATIONS - 1);
}

static void rc_release_all(hl_heap *heap) {
    rc_state *s = heap->gc;
    for (int i = 1; i < RC_GENERATIONS; i++)
        hl_gc_list_merge(&s->gens[i].head, &s->gens[0].head);
    hl__release_counted(heap, &s->gens[0].head);
    hl_free(heap->allocator, s, sizeof *s);
    heap->gc = NULL;
}

static void rc_each_tracked(hl_heap *heap, void (*fn)(hl_object *o, void *data), void *data) {
    rc_state *s = heap->gc;
    for (int i = 0; i < RC_GENERATIONS; i++)
        for (hl_gc_link *l = s->gens[i].head.next; l != &s->gens[i].head; l = l->next)
            fn(hl_gc_object_of(l), data);
}

/* The two entries share every hook; only the names, the default thresholds and the
 * reference chart differ. */
#define RC_CYCLE_HOOKS                                                                             \
    .counts_references = true, .prefix_size = sizeof(hl_cycle_prefix), .tracks_all = false,        \
    .reclaims_cycles = true, .tracks_frames = false, .init = rc_init, .link = rc_link,             \
    .unlink = rc_unlink, .safe_point = rc_safe_point, .collect = rc_collect, .finish = rc_finish,  \
    .release_all = rc_release_all, .each_tracked = rc_each_tracked

const hl_collector_ops hl_rc_cycle_collector = {
    .name = "rc_cycle",
    .summary = "reference counting plus CPython 3.11's generational cycle detector (700/10/10)",
    /* heaplab's model of CPython 3.11: reference counts, the generational cycle detector,
     * and (on pool) obmalloc-style pools; drawn against CPython 3.11's own rows */
    .reference = "cpython",
    .reference_allocator = "pool",
    .default_thresholds = {700, 10, 10},
    RC_CYCLE_HOOKS,
};

const hl_collector_ops hl_rc_cycle_313_collector = {
    .name = "rc_cycle_313",
    .summary = "rc_cycle with CPython 3.13's default thresholds (2000/10/10)",
    /* The reference rows are CPython 3.11's, whose first threshold is 700: drawing this
     * preset against them would compare two schedules, so no reference chart. */
    .reference = NULL,
    .default_thresholds = {2000, 10, 10},
    RC_CYCLE_HOOKS,
};
