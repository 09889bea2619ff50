/* rc_cycle: reference counting plus a generational cycle detector, the model of
 * CPython 3.11's Modules/gcmodule.c (re-told here, not copied).
 *
 * Counting frees almost everything, at once, as in refcount.c. What counting cannot
 * free is a reference cycle; the detector finds cycles among *tracked* objects: the
 * containers (list, record), which carry the 24-byte prefix below. ints and strs hold
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
 * linear overall. Defaults 700/10/10, from hl_heap_config.thresholds.
 *
 * One collection, in the order the functions run (collect_generation):
 *
 *   update_refs       gc_refs := refcnt for every object of the young set, which is
 *                     flagged COLLECTING.
 *   subtract_refs     for every reference from one object of the set to another,
 *                     gc_refs of the target -= 1. What remains is the number of
 *                     references from outside: the roots of this collection (the
 *                     globals, frames, handles and C temporaries all hold counted
 *                     references, so nothing needs to be told what the roots are).
 *   move_unreachable  walk the set; an object with gc_refs > 0 is reachable and so is
 *                     everything it refers to (their gc_refs becomes at least 1, and
 *                     one that was already moved to the unreachable list comes back
 *                     to the end of the walk); an object still at 0 when reached is
 *                     moved to the tentatively unreachable list.
 *   (survivors join the next older generation)
 *   finalize_garbage  the finalizer of every unreachable object that has one and has
 *                     not run yet runs now, once (PEP 442: FINALIZED is set first).
 *   handle_resurrected_objects
 *                     a finalizer may have stored an object somewhere reachable.
 *                     Re-run update_refs, subtract_refs and move_unreachable on the
 *                     unreachable set alone: what has an outside reference now (and
 *                     all it reaches) was resurrected and survives whole.
 *   delete_garbage    what is left is garbage: each object drops its references
 *                     (hl__object_clear), which breaks the cycles, and counting frees
 *                     the rest. The number of such objects is what hl_collect returns.
 *
 * A collection sets heap->collecting: a finalizer may allocate, but no safe point
 * starts a nested collection and hl_collect returns 0.
 *
 * Object states (flags in collectors/object_layout.h): outside a collection a tracked object
 * has neither COLLECTING nor UNREACHABLE. During one: in the young set and not yet
 * proven reachable = COLLECTING; on the unreachable list = COLLECTING|UNREACHABLE;
 * proven reachable = neither. Dead objects that keep COLLECTING when counting frees
 * them are counted as collected, not as freed by counting.
 */
#include "collectors/collector.h"

/* The prefix of every tracked object: gc_refs, then the list link. */
typedef struct rc_prefix {
    intptr_t gc_refs;
    hl_gc_link link;
} rc_prefix;

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

static intptr_t *gc_refs(hl_object *o) {
    return &((rc_prefix *)((char *)o - sizeof(rc_prefix)))->gc_refs;
}

static bool in_young_set(const hl_object *o) {
    return o != NULL && (o->flags & HL_FLAG_COLLECTING);
}

/* ---- the phases ---- */

static void update_refs(hl_gc_link *set) {
    for (hl_gc_link *l = set->next; l != set; l = l->next) {
        hl_object *o = hl_gc_object_of(l);
        o->flags = (uint16_t)((o->flags | HL_FLAG_COLLECTING) & ~HL_FLAG_UNREACHABLE);
        *gc_refs(o) = o->refcnt;
    }
}

static void subtract_refs(hl_gc_link *set) {
    for (hl_gc_link *l = set->next; l != set; l = l->next) {
        size_t n;
        hl_object **slots = hl__object_slots(hl_gc_object_of(l), &n);
        for (size_t i = 0; i < n; i++)
            if (in_young_set(slots[i])) (*gc_refs(slots[i]))--;
    }
}

static void move_unreachable(hl_gc_link *young, hl_gc_link *unreachable) {
    hl_gc_link *l = young->next;
    while (l != young) {
        hl_object *o = hl_gc_object_of(l);
        if (*gc_refs(o) > 0) {
            /* Reachable: so is everything it refers to. */
            size_t n;
            hl_object **slots = hl__object_slots(o, &n);
            for (size_t i = 0; i < n; i++) {
                hl_object *r = slots[i];
                if (!in_young_set(r)) continue;
                if (r->flags & HL_FLAG_UNREACHABLE) {
                    r->flags &= (uint16_t)~HL_FLAG_UNREACHABLE;
                    hl_gc_list_move(hl_gc_link_of(r), young); /* walked again later */
                    *gc_refs(r) = 1;
                } else if (*gc_refs(r) == 0) {
                    *gc_refs(r) = 1; /* not reached yet: it will be walked as reachable */
                }
            }
            o->flags &= (uint16_t)~HL_FLAG_COLLECTING;
            l = l->next;
        } else {
            hl_gc_link *next = l->next;
            o->flags |= HL_FLAG_UNREACHABLE;
            hl_gc_list_move(l, unreachable);
            l = next;
        }
    }
}

static void finalize_garbage(hl_heap *heap, hl_gc_link *unreachable) {
    hl_gc_link seen;
    hl_gc_list_init(&seen);
    /* A finalizer may free other unreachable objects (they leave the list as they
     * die), so always take the head. */
    while (!hl_gc_list_is_empty(unreachable)) {
        hl_gc_link *l = unreachable->next;
        hl_object *o = hl_gc_object_of(l);
        hl_gc_list_move(l, &seen);
        if (hl__object_wants_finalizer(heap, o)) {
            o->refcnt++;
            hl__object_finalize(heap, o);
            hl_decref(heap, o);
        }
    }
    hl_gc_list_merge(&seen, unreachable);
}

static void clear_states(hl_gc_link *list) {
    for (hl_gc_link *l = list->next; l != list; l = l->next) {
        hl_object *o = hl_gc_object_of(l);
        o->flags &= (uint16_t) ~(HL_FLAG_COLLECTING | HL_FLAG_UNREACHABLE);
    }
}

static void handle_resurrected_objects(hl_gc_link *unreachable, hl_gc_link *still_unreachable,
                                       hl_gc_link *old) {
    update_refs(unreachable);
    subtract_refs(unreachable);
    move_unreachable(unreachable, still_unreachable);
    /* What stayed behind has an outside reference now: resurrected, with everything
     * it reaches (move_unreachable already cleared their states). */
    hl_gc_list_merge(unreachable, old);
}

static void delete_garbage(hl_heap *heap, hl_gc_link *garbage, hl_gc_link *old) {
    hl_gc_link survivors;
    hl_gc_list_init(&survivors);
    while (!hl_gc_list_is_empty(garbage)) {
        hl_gc_link *l = garbage->next;
        hl_object *o = hl_gc_object_of(l);
        o->refcnt++; /* alive until it has dropped its references */
        hl__object_clear(heap, o);
        hl_gc_list_move(l, &survivors);
        hl_decref(heap, o); /* usually the last reference: freed now */
    }
    /* Anything still here is referred to from outside after all: keep it. */
    clear_states(&survivors);
    hl_gc_list_merge(&survivors, old);
}

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

    update_refs(young);
    subtract_refs(young);
    hl__emit_roots_traced(heap);

    hl_gc_link unreachable;
    hl_gc_list_init(&unreachable);
    move_unreachable(young, &unreachable);
    hl__emit_heap_traced(heap);

    if (young != old) {
        if (generation == RC_GENERATIONS - 2) s->long_lived_pending += hl_gc_list_size(young);
        hl_gc_list_merge(young, old);
    } else {
        s->long_lived_pending = 0;
        s->long_lived_total = hl_gc_list_size(young);
    }

    finalize_garbage(heap, &unreachable);
    hl_gc_link garbage;
    hl_gc_list_init(&garbage);
    handle_resurrected_objects(&unreachable, &garbage, old);
    long found = (long)hl_gc_list_size(&garbage);
    delete_garbage(heap, &garbage, old);

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

const hl_collector_ops hl_rc_cycle_collector = {
    .name = "rc_cycle",
    .summary = "reference counting plus CPython's generational cycle detector (700/10/10)",
    .counts_references = true,
    .prefix_size = sizeof(rc_prefix),
    .tracks_all = false,
    .reclaims_cycles = true,
    /* heaplab's model of CPython: reference counts, the generational cycle detector,
     * and (on pool) obmalloc-style pools; drawn against CPython's own rows */
    .reference = "cpython",
    .reference_allocator = "pool",
    .tracks_frames = false,
    .init = rc_init,
    .link = rc_link,
    .unlink = rc_unlink,
    .safe_point = rc_safe_point,
    .collect = rc_collect,
    .finish = rc_finish,
    .release_all = rc_release_all,
    .each_tracked = rc_each_tracked,
};
