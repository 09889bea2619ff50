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
 *                     Skipped when no unreachable object was made with a finalizer.
 *   handle_resurrected_objects
 *                     a finalizer may have stored an object somewhere reachable.
 *                     Re-run update_refs, subtract_refs and move_unreachable on the
 *                     unreachable set alone: what has an outside reference now (and
 *                     all it reaches) was resurrected and survives whole. Skipped
 *                     when no finalizer ran (CPython runs it always).
 *   delete_garbage    what is left is garbage: each object drops its references
 *                     (clear_refs, CPython's tp_clear), which breaks the cycles, and counting frees
 *                     the rest. The number of such objects is what the caller returns.
 *
 * The walks are kept tight (docs/collectors.md, "Where a full collection's time goes"):
 * each pass over a large set costs about as much as reading it from memory, so none
 * is added for bookkeeping: move_unreachable counts what it keeps and what it leaves
 * (CPython's two gc_list_size walks), finalize_garbage writes only when a finalizer
 * runs, delete_garbage moves only what outlives its clear, and a record's slots are
 * read without a call.
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

/* The reference slots of a tracked object, as hl__object_slots gives them, with the
 * common case inline: a record's slots follow its header and o->count says how many
 * (collectors/object_layout.h); a list, whose items are out of line, costs a call
 * (frames are never tracked by these collectors). The walks below run once per object
 * per pass, so this is CPython's tp_traverse without the indirect call. If it ever
 * disagrees with object.c, the oracle (tests/test_oracle.c, random graphs of records
 * and lists under every collector) fails: trial deletion then miscounts gc_refs. */
static inline hl_object **slots_of(hl_object *o, size_t *n) {
    if (o->type == HL_TYPE_RECORD) {
        *n = o->count;
        return (hl_object **)(o + 1);
    }
    return hl__object_slots(o, n);
}

/* A list walk waits on each next pointer in turn; asking for the object after the
 * current one while the current one is worked on hides part of that wait (the set is
 * mostly in allocation order, so the hardware prefetcher does the rest). */
static inline void prefetch_link(const hl_gc_link *l) {
    __builtin_prefetch(l, 1);
}

static void update_refs(hl_gc_link *set) {
    for (hl_gc_link *l = set->next; l != set; l = l->next) {
        prefetch_link(l->next);
        hl_object *o = hl_gc_object_of(l);
        o->flags = (uint16_t)((o->flags | HL_FLAG_COLLECTING) & ~HL_FLAG_UNREACHABLE);
        set_refs(l, o->refcnt); /* the prev pointer is gone until move_unreachable */
    }
}

static void subtract_refs(hl_gc_link *set) {
    for (hl_gc_link *l = set->next; l != set; l = l->next) {
        prefetch_link(l->next);
        size_t n;
        hl_object **slots = slots_of(hl_gc_object_of(l), &n);
        for (size_t i = 0; i < n; i++)
            if (in_set(slots[i])) {
                hl_gc_link *t = hl_gc_link_of(slots[i]);
                set_refs(t, get_refs(t) - 1);
            }
    }
}

/* Walk `set` through next; `kept` is the last object kept, whose prev is rebuilt.
 * Returns how many objects stayed in the set (the reachable ones) and adds to
 * *moved how many now sit on `unreachable`: the sizes CPython's gc_list_size would
 * count afterwards, counted on the way instead of by two more walks. The flags of
 * every object it moved there are or-ed into *moved_flags (a superset of the flags of
 * what is on `unreachable` at the end: an object may come back), so that the caller
 * knows without another walk whether any of them has a finalizer. */
static size_t move_unreachable(hl_gc_link *set, hl_gc_link *unreachable, size_t *moved,
                               unsigned *moved_flags) {
    hl_gc_link *kept = set;
    hl_gc_link *l = set->next;
    size_t reachable = 0, unreached = 0;
    unsigned flags = 0;
    while (l != set) {
        prefetch_link(l->next);
        hl_object *o = hl_gc_object_of(l);
        if (get_refs(l) > 0) {
            /* Reachable: so is everything it refers to. */
            size_t n;
            hl_object **slots = slots_of(o, &n);
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
                    unreached--;
                } else if (get_refs(rl) == 0) {
                    set_refs(rl, 1); /* not reached yet: it will be walked as reachable */
                }
            }
            o->flags &= (uint16_t)~HL_FLAG_COLLECTING;
            l->prev = kept; /* gc_refs is done with: the pointer again */
            kept = l;
            reachable++;
        } else {
            kept->next = l->next;
            flags |= o->flags;
            o->flags |= HL_FLAG_UNREACHABLE;
            hl_gc_list_append(unreachable, l);
            unreached++;
        }
        l = kept->next;
    }
    set->prev = kept;
    *moved += unreached;
    *moved_flags |= flags;
    return reachable;
}

/* The finalizer test inline for the usual object, which has none: only a record made
 * with a finalizer that has not run yet asks object.c (hl__object_wants_finalizer,
 * which also knows whether finalizers are off). */
static inline bool wants_finalizer(const hl_heap *heap, const hl_object *o) {
    return (o->flags & HL_FLAG_HAS_FINALIZER) && hl__object_wants_finalizer(heap, o);
}

/* Move the run of objects from->next .. last (all of `from`'s first objects, last
 * included) to the end of `to`, in order: two lists, four pointers, however long. */
static void splice_front(hl_gc_link *from, hl_gc_link *last, hl_gc_link *to) {
    hl_gc_link *first = from->next, *after = last->next;
    from->next = after;
    after->prev = from;
    first->prev = to->prev;
    to->prev->next = first;
    last->next = to;
    to->prev = last;
}

/* CPython's finalize_garbage moves each object to a list `seen` before its finalizer
 * runs, because a finalizer may free other unreachable objects (they leave whichever
 * list they are on as they die), so the walk always takes the head. Here the objects
 * before the cursor are the seen ones; they are moved to `seen` in one splice just
 * before a finalizer runs, so that each finalizer sees exactly CPython's two lists,
 * and the object without a finalizer (nearly all of them) is read, not written. The
 * list ends in the order CPython's does (seen first). Returns whether any finalizer
 * ran. */
static bool finalize_garbage(hl_heap *heap, hl_gc_link *unreachable) {
    bool ran = false;
    hl_gc_link seen;
    hl_gc_list_init(&seen);
    hl_gc_link *l = unreachable->next;
    while (l != unreachable) {
        hl_object *o = hl_gc_object_of(l);
        if (!wants_finalizer(heap, o)) {
            l = l->next;
            prefetch_link(l->next);
            continue;
        }
        splice_front(unreachable, l, &seen);
        ran = true;
        o->refcnt++;
        hl__object_finalize(heap, o);
        hl_decref(heap, o);
        l = unreachable->next; /* the finalizer may have freed what followed o */
    }
    hl_gc_list_merge(unreachable, &seen); /* seen, then the rest walked since */
    hl_gc_list_merge(&seen, unreachable);
    return ran;
}

static void clear_states(hl_gc_link *list) {
    for (hl_gc_link *l = list->next; l != list; l = l->next) {
        hl_object *o = hl_gc_object_of(l);
        o->flags &= (uint16_t) ~(HL_FLAG_COLLECTING | HL_FLAG_UNREACHABLE);
    }
}

/* Returns the number of objects still unreachable (now on still_unreachable). */
static size_t handle_resurrected_objects(hl_gc_link *unreachable, hl_gc_link *still_unreachable,
                                         hl_gc_link *to) {
    update_refs(unreachable);
    subtract_refs(unreachable);
    size_t garbage = 0;
    unsigned flags = 0;
    move_unreachable(unreachable, still_unreachable, &garbage, &flags);
    /* What stayed behind has an outside reference now: resurrected, with everything
     * it reaches (move_unreachable already cleared their states). */
    hl_gc_list_merge(unreachable, to);
    return garbage;
}

/* tp_clear: hl__object_clear with the record's slots inline (slots_of). */
static void clear_refs(hl_heap *heap, hl_object *o) {
    size_t n;
    hl_object **slots = slots_of(o, &n);
    for (size_t i = 0; i < n; i++) {
        hl_object *old = slots[i];
        slots[i] = NULL;
        hl_decref(heap, old);
    }
}

/* CPython's delete_garbage: each object, held for the moment, drops its references
 * (tp_clear); an object whose only reference is then the one held dies at its
 * release and leaves the list by itself, so only one that is still referred to is
 * moved (CPython: "object is still alive, move it, it may die later"). */
static void delete_garbage(hl_heap *heap, hl_gc_link *garbage, hl_gc_link *to) {
    hl_gc_link survivors;
    hl_gc_list_init(&survivors);
    while (!hl_gc_list_is_empty(garbage)) {
        hl_gc_link *l = garbage->next;
        prefetch_link(l->next);
        hl_object *o = hl_gc_object_of(l);
        o->refcnt++; /* alive until it has dropped its references */
        clear_refs(heap, o);
        if (o->refcnt != 1) hl_gc_list_move(l, &survivors);
        hl_decref(heap, o); /* usually the last reference: freed now */
    }
    /* Anything still here is referred to from outside after all: keep it (its states
     * stay until here, so that if it dies later in the loop it counts as collected). */
    clear_states(&survivors);
    hl_gc_list_merge(&survivors, to);
}

long hl__cycle_collect(hl_heap *heap, hl_gc_link *from, hl_gc_link *to, size_t *reachable) {
    update_refs(from);
    subtract_refs(from);
    hl__emit_roots_traced(heap);

    hl_gc_link unreachable;
    hl_gc_list_init(&unreachable);
    size_t unreached = 0;
    unsigned flags = 0;
    size_t kept = move_unreachable(from, &unreachable, &unreached, &flags);
    hl__emit_heap_traced(heap);

    if (reachable != NULL) *reachable = kept;
    if (from != to) hl_gc_list_merge(from, to);

    /* Only a finalizer runs code that could resurrect an object (heaplab has no weak
     * reference callbacks), so when none ran the unreachable set is the garbage as it
     * stands and the three passes of handle_resurrected_objects would find nothing.
     * CPython runs them anyway; docs/decisions.md says why heaplab skips them. The
     * finalizer walk itself is skipped when no object moved to `unreachable` was made
     * with a finalizer (move_unreachable's flags). */
    if ((flags & HL_FLAG_HAS_FINALIZER) == 0 || !finalize_garbage(heap, &unreachable)) {
        delete_garbage(heap, &unreachable, to);
        return (long)unreached;
    }
    hl_gc_link garbage;
    hl_gc_list_init(&garbage);
    long found = (long)handle_resurrected_objects(&unreachable, &garbage, to);
    delete_garbage(heap, &garbage, to);
    return found;
}
