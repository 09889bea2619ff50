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
 * Where gc_refs lives (cycle_core.h): in the link's prev word, tagged with its low bit,
 * from update_refs until move_unreachable has walked the object; meanwhile the set is
 * a singly linked list through next (its head's prev, a sentinel's, stays a pointer:
 * the set's tail). move_unreachable, like CPython's, rebuilds the prev pointers of the
 * objects it keeps behind its walk and moves the others onto `unreachable`, a whole
 * doubly linked list whose objects' gc_refs is 0 by definition (UNREACHABLE says so,
 * where CPython tags the next word), so no object needs both a count and a prev pointer
 * at once. An object that comes back from `unreachable` is appended at the set's tail
 * with gc_refs 1, to be walked again. Nothing else runs between update_refs and the
 * end of move_unreachable (no finalizer, no free), so no one else sees a tagged prev.
 *
 * Object states (flags in collectors/object_layout.h): outside a collection a tracked
 * object has neither COLLECTING nor UNREACHABLE. During one: in the set and not yet
 * proven reachable = COLLECTING; on the unreachable list = COLLECTING|UNREACHABLE;
 * proven reachable = neither. Dead objects that keep COLLECTING when counting frees
 * them are counted as collected, not as freed by counting.
 */
#include "collectors/cycle_core.h"

/* gc_refs in the prev word: (refs << 1) | 1; a pointer's low bit is 0. */
static intptr_t get_refs(const hl_gc_link *l) {
    uintptr_t v = (uintptr_t)l->prev;
    return (intptr_t)(v >> 1);
}

static void set_refs(hl_gc_link *l, intptr_t refs) {
    l->prev = (hl_gc_link *)(((uintptr_t)refs << 1) | 1u);
}

static bool in_set(const hl_object *o) {
    return o != NULL && (o->flags & HL_FLAG_COLLECTING);
}

static void update_refs(hl_gc_link *set) {
    for (hl_gc_link *l = set->next; l != set; l = l->next) {
        hl_object *o = hl_gc_object_of(l);
        o->flags = (uint16_t)((o->flags | HL_FLAG_COLLECTING) & ~HL_FLAG_UNREACHABLE);
        set_refs(l, o->refcnt); /* the prev pointer is gone until move_unreachable */
    }
}

static void subtract_refs(hl_gc_link *set) {
    for (hl_gc_link *l = set->next; l != set; l = l->next) {
        size_t n;
        hl_object **slots = hl__object_slots(hl_gc_object_of(l), &n);
        for (size_t i = 0; i < n; i++)
            if (in_set(slots[i])) {
                hl_gc_link *t = hl_gc_link_of(slots[i]);
                set_refs(t, get_refs(t) - 1);
            }
    }
}

/* Walk `set` through next; `kept` is the last object kept, whose prev is rebuilt. */
static void move_unreachable(hl_gc_link *set, hl_gc_link *unreachable) {
    hl_gc_link *kept = set;
    hl_gc_link *l = set->next;
    while (l != set) {
        hl_object *o = hl_gc_object_of(l);
        if (get_refs(l) > 0) {
            /* Reachable: so is everything it refers to. */
            size_t n;
            hl_object **slots = hl__object_slots(o, &n);
            for (size_t i = 0; i < n; i++) {
                hl_object *r = slots[i];
                if (!in_set(r)) continue;
                hl_gc_link *rl = hl_gc_link_of(r);
                if (r->flags & HL_FLAG_UNREACHABLE) {
                    /* Back from `unreachable` (a whole list) to the set's tail (set->prev:
                     * never an object already moved, for the walk ends at the tail). */
                    r->flags &= (uint16_t)~HL_FLAG_UNREACHABLE;
                    rl->prev->next = rl->next;
                    rl->next->prev = rl->prev;
                    set->prev->next = rl;
                    rl->next = set;
                    set->prev = rl;
                    set_refs(rl, 1); /* walked again later */
                } else if (get_refs(rl) == 0) {
                    set_refs(rl, 1); /* not reached yet: it will be walked as reachable */
                }
            }
            o->flags &= (uint16_t)~HL_FLAG_COLLECTING;
            l->prev = kept; /* gc_refs is done with: the pointer again */
            kept = l;
        } else {
            kept->next = l->next;
            o->flags |= HL_FLAG_UNREACHABLE;
            hl_gc_list_append(unreachable, l);
        }
        l = kept->next;
    }
    set->prev = kept;
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
