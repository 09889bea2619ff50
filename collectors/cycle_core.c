/* Trial deletion over one set of tracked objects (collectors/cycle_core.h): the part of
 * CPython's cycle detector that every version shares, re-told from Modules/gcmodule.c
 * (3.11) and Python/gc.c (3.12 on), whose gc_collect_region is this function's model.
 *
 * In the order the functions run (hl__cycle_collect):
 *
 *   update_refs       gc_refs := refcnt for every object of the set, which is flagged
 *                     COLLECTING.
 *   subtract_refs     for every reference from one object of the set to another,
 *                     gc_refs of the target -= 1. What remains is the number of
 *                     references from outside: the roots of this collection (the
 *                     globals, frames, handles, C temporaries and every object outside
 *                     the set hold counted references, so nothing needs to be told what
 *                     the roots are).
 *   move_unreachable  walk the set; an object with gc_refs > 0 is reachable and so is
 *                     everything it refers to (their gc_refs becomes at least 1, and
 *                     one that was already moved to the unreachable list comes back
 *                     to the end of the walk); an object still at 0 when reached is
 *                     moved to the tentatively unreachable list.
 *   (the survivors join `to`)
 *   finalize_garbage  the finalizer of every unreachable object that has one and has
 *                     not run yet runs now, once (PEP 442: FINALIZED is set first).
 *   handle_resurrected_objects
 *                     a finalizer may have stored an object somewhere reachable.
 *                     Re-run update_refs, subtract_refs and move_unreachable on the
 *                     unreachable set alone: what has an outside reference now (and
 *                     all it reaches) was resurrected and survives whole.
 *   delete_garbage    what is left is garbage: each object drops its references
 *                     (hl__object_clear), which breaks the cycles, and counting frees
 *                     the rest. The number of such objects is what the caller returns.
 *
 * What CPython does here and heaplab has no use for: weak references and their
 * callbacks, legacy (tp_del) finalizers and gc.garbage, the untracking of tuples.
 *
 * Object states (flags in collectors/object_layout.h): outside a collection a tracked
 * object has neither COLLECTING nor UNREACHABLE. During one: in the set and not yet
 * proven reachable = COLLECTING; on the unreachable list = COLLECTING|UNREACHABLE;
 * proven reachable = neither. Dead objects that keep COLLECTING when counting frees
 * them are counted as collected, not as freed by counting.
 */
#include "collectors/cycle_core.h"

static intptr_t *gc_refs(hl_object *o) {
    return &((hl_cycle_prefix *)((char *)o - sizeof(hl_cycle_prefix)))->gc_refs;
}

static bool in_set(const hl_object *o) {
    return o != NULL && (o->flags & HL_FLAG_COLLECTING);
}

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
            if (in_set(slots[i])) (*gc_refs(slots[i]))--;
    }
}

static void move_unreachable(hl_gc_link *set, hl_gc_link *unreachable) {
    hl_gc_link *l = set->next;
    while (l != set) {
        hl_object *o = hl_gc_object_of(l);
        if (*gc_refs(o) > 0) {
            /* Reachable: so is everything it refers to. */
            size_t n;
            hl_object **slots = hl__object_slots(o, &n);
            for (size_t i = 0; i < n; i++) {
                hl_object *r = slots[i];
                if (!in_set(r)) continue;
                if (r->flags & HL_FLAG_UNREACHABLE) {
                    r->flags &= (uint16_t)~HL_FLAG_UNREACHABLE;
                    hl_gc_list_move(hl_gc_link_of(r), set); /* walked again later */
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
                                       hl_gc_link *to) {
    update_refs(unreachable);
    subtract_refs(unreachable);
    move_unreachable(unreachable, still_unreachable);
    /* What stayed behind has an outside reference now: resurrected, with everything
     * it reaches (move_unreachable already cleared their states). */
    hl_gc_list_merge(unreachable, to);
}

static void delete_garbage(hl_heap *heap, hl_gc_link *garbage, hl_gc_link *to) {
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
    hl_gc_list_merge(&survivors, to);
}

long hl__cycle_collect(hl_heap *heap, hl_gc_link *from, hl_gc_link *to, size_t *reachable) {
    update_refs(from);
    subtract_refs(from);
    hl__emit_roots_traced(heap);

    hl_gc_link unreachable;
    hl_gc_list_init(&unreachable);
    move_unreachable(from, &unreachable);
    hl__emit_heap_traced(heap);

    if (reachable != NULL) *reachable = hl_gc_list_size(from);
    if (from != to) hl_gc_list_merge(from, to);

    finalize_garbage(heap, &unreachable);
    hl_gc_link garbage;
    hl_gc_list_init(&garbage);
    handle_resurrected_objects(&unreachable, &garbage, to);
    long found = (long)hl_gc_list_size(&garbage);
    delete_garbage(heap, &garbage, to);
    return found;
}
