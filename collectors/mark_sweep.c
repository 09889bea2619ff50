/* mark_sweep: a non-moving, stop-the-world tracing collector with precise roots.
 *
 * No count traffic: counts_references is false, so hl_incref/hl_decref do nothing
 * and hl_refcount reports 0. Every object but the immortal small ints carries a
 * 16-byte prefix and sits on one list, so that the sweep can find the dead: `objects`,
 * or `finalizable` while it has a finalizer that has not run (so that finding the
 * unreachable finalizable objects walks only those), or `unswept` during a lazy sweep.
 *
 * When. At each safe point (before an allocation) a collection starts if the live
 * bytes (everything allocated and not yet swept) have reached `trigger`. After a
 * collection trigger = max(HL_MARK_SWEEP_MIN_TRIGGER (1 MiB), live bytes after the
 * sweep * growth_factor): with the default factor 2.0 the heap may double between
 * collections, like Go's GOGC=100. A heap of a run's second and later iterations starts
 * with the largest trigger the previous heap reached (heap->carry, hl_heap_carry), not at
 * 1 MiB: the heap size the program needed stays, as libgc's heap does from one
 * iteration to the next in the same process. With a heap budget (--heap-limit, heap->fixed_heap)
 * the growth factor is not used: a collection starts when the budget refuses an
 * allocation (object.c's room_for), as a fixed-heap policy does, and a MemoryError
 * comes only when the allocation fails again after it. hl_collect always collects
 * fully.
 *
 * One collection, in the order the functions run (collect):
 *
 *   mark_roots        every root turns grey: the globals, the current frame (its
 *                     slot 0 is the caller, so the whole frame chain follows), the
 *                     handles of open scopes, and heap->pinned (a constructor's object
 *                     argument). The mutator must keep everything it uses reachable
 *                     from these at a safe point; that is the rooting rule of heap.h.
 *   drain_mark_stack  pop a reference into a small window (MS_PREFETCH) whose headers
 *                     are being prefetched; visit the oldest: if unmarked, mark it (one
 *                     flag write) and push its referents, the last slot first, without
 *                     reading them. Marking is bound by cache misses on headers; the
 *                     window keeps several in flight, and the push order marks a
 *                     structure built depth-first in allocation (address) order. The
 *                     mark stack is an explicit array grown through the allocator;
 *                     marking never recurses on the C stack, so a chain 10^7 deep
 *                     marks in constant C stack.
 *   rescan_overflow   if the mark stack could not grow (allocation failure), the
 *                     object that did not fit is flagged GREY on the heap and
 *                     `overflowed` is set; the lists are then walked for GREY objects,
 *                     which are visited in turn, until a walk finishes without
 *                     overflow. Slow but correct, and still without recursion.
 *   finalize_unreachable
 *                     every unmarked object of `finalizable` is finalized, once
 *                     (PEP 442), and moves to `objects`. A finalizer may resurrect
 *                     objects by storing them anywhere, including into a scanned
 *                     object, so after any finalizer ran all marks are reset (a walk,
 *                     only then) and marking runs again; and again finalization, until
 *                     a pass finalizes nothing (a finalizer may have made another
 *                     finalizable object unreachable). Objects allocated by a
 *                     finalizer live only if reachable after it.
 *   sweep             walk `objects`: unmarked objects are freed through the allocator;
 *                     marked ones keep their mark (see the sense below).
 *
 * Lazy sweeping (heap->lazy_sweep, `--sweep lazy`; Hughes's, as libgc does it). The
 * pause ends after marking: the collection splices `objects` whole onto `unswept` and
 * reports collection_end with the count of unreachable objects (tracked less marked,
 * both counted, so nothing is walked). The sweep then runs in steps of
 * MS_SWEEP_STEP objects at the following safe points (sweep_step), from `cursor`: an
 * unmarked object is freed through the allocator, a marked one stays behind the
 * cursor; at the end `unswept` is spliced back onto `objects`. Each step is a
 * sweep_start/sweep_end pair, collector time outside any pause. Objects allocated
 * meanwhile go onto `objects` with the current sense and are no business of this sweep. No
 * collection starts while a sweep is pending; the next trigger is set when the sweep ends,
 * from the bytes that survived (live bytes at marking less the bytes swept), so it is the
 * eager sweep's trigger. Three callers want the garbage gone at once, and finish the
 * sweep (finish_sweep): the start of a collection; ms_collect itself, which is what
 * hl_collect (gc.collect(): it returns with the garbage freed, as CPython's does) and a
 * refused allocation (object.c's room_for) call, so its sweep runs right after its pause,
 * still outside it; and each_tracked (hl_heap_each must not visit an unswept dead
 * object, whose referents may be freed already). Only the collections that the safe point
 * starts leave their sweep to the mutator's allocations.
 *
 * Marks (flags in collectors/object_layout.h). HL_FLAG_BLACK is a sense bit: an object
 * is marked when its bit equals `black`, the collection's sense. Each collection flips
 * the sense first, which unmarks every object at once, because between collections
 * every object carries the last sense: survivors were marked with it, and new objects
 * are born with it (ms_link). So no walk clears marks, and the sweep writes no header
 * of a survivor. HL_FLAG_GREY is set only on an object the full mark stack could not
 * take, and cleared by the rescan that visits it: no GREY survives a collection.
 * Invariant after a drain without overflow: every referent of a marked object is
 * marked or on the stack, so unmarked means unreachable once the stack is empty.
 */
#include "collectors/collector.h"

#define MS_INITIAL_STACK 256
/* Objects one lazy sweep step visits: enough that the two events and clock reads of a
 * step are small beside it, few enough that a step is far shorter than a pause. */
#define MS_SWEEP_STEP 256
/* Popped objects whose headers are being prefetched before they are scanned (a power of
 * two). Marking is bound by cache misses on headers; a window this deep keeps that
 * many misses in flight (Cher, Hosking and Vijaykumar's prefetch-on-grey FIFO). */
#define MS_PREFETCH 8

typedef struct ms_state {
    hl_gc_link objects;     /* every object but the small ints and the two lists below */
    hl_gc_link finalizable; /* objects whose finalizer has not run yet */
    hl_object **stack;      /* the mark stack: references waiting to be visited */
    size_t stack_length;
    size_t stack_capacity;
    bool overflowed;      /* some object is GREY on the heap, not on the stack */
    size_t trigger;       /* live bytes that start the next collection */
    size_t peak_trigger;  /* the largest trigger so far: what heap->carry gets */
    uint16_t black;       /* the mark sense: marked means (flags & HL_FLAG_BLACK) == black */
    uintptr_t small_ints; /* heap->small_ints and its size: never pushed */
    size_t small_ints_bytes;
    /* Lazy sweeping: what the last collection left to sweep; before `cursor` the
     * survivors already swept, from it on the objects not swept yet. */
    hl_gc_link unswept;
    hl_gc_link *cursor;
    bool sweeping;        /* a sweep is pending (unswept may still be empty) */
    uint64_t tracked;     /* objects on the three lists */
    uint64_t marked;      /* objects the marking in progress marked */
    size_t marked_live;   /* heap->live_bytes when the pending sweep's marking ended */
    size_t swept_bytes;   /* bytes the pending sweep freed so far */
    uint64_t swept_freed; /* objects it freed so far */
} ms_state;

static bool is_marked(const ms_state *s, const hl_object *o) {
    return (o->flags & HL_FLAG_BLACK) == s->black;
}

static void set_mark(hl_object *o, uint16_t sense) {
    o->flags = (uint16_t)((o->flags & ~HL_FLAG_BLACK) | sense);
}

static bool grow_stack(hl_heap *heap, ms_state *s) {
    size_t cap = s->stack_capacity == 0 ? MS_INITIAL_STACK : s->stack_capacity * 2;
    hl_object **stack =
        s->stack_capacity == 0
            ? hl_alloc(heap->allocator, cap * sizeof(hl_object *))
            : hl_realloc(heap->allocator, s->stack, s->stack_capacity * sizeof(hl_object *),
                         cap * sizeof(hl_object *));
    if (stack == NULL) return false;
    s->stack = stack;
    s->stack_capacity = cap;
    return true;
}

typedef struct ms_marker {
    hl_heap *heap;
    ms_state *state;
} ms_marker;

/* The stack could not grow: the object waits on the heap, GREY, for rescan_overflow. */
static void overflow(ms_state *s, hl_object *o) {
    if ((o->flags & HL_FLAG_IMMORTAL) || is_marked(s, o)) return;
    o->flags |= HL_FLAG_GREY;
    s->overflowed = true;
}

/* Push a reference without reading its object: whether it is marked already is
 * asked when it is popped, after its header was prefetched. */
static void push(ms_marker *m, hl_object *o) {
    ms_state *s = m->state;
    if (s->stack_length == s->stack_capacity && !grow_stack(m->heap, s)) {
        overflow(s, o);
        return;
    }
    s->stack[s->stack_length++] = o;
}

static void push_root(hl_object *o, void *data) {
    push(data, o);
}

/* Mark an unmarked object and push its referents, the last slot first so that the
 * first is visited next: a structure built depth-first in slot order is then marked
 * in the order it was allocated, the order its memory was laid out in. */
static void visit(ms_marker *m, hl_object *o) {
    ms_state *s = m->state;
    uint16_t flags = o->flags;
    if ((flags & HL_FLAG_IMMORTAL) || (flags & HL_FLAG_BLACK) == s->black) return;
    o->flags = (uint16_t)((flags & ~HL_FLAG_BLACK) | s->black);
    s->marked++;
    size_t n;
    hl_object **slots = hl__object_slots(o, &n);
    /* Pushing costs no read of the referent, so what can be skipped by its address is:
     * NULL, a small int (one block; `[0] * n` would push n), and a repeat of the slot
     * just pushed (a list of one object n times). */
    hl_object *last = NULL;
    for (size_t i = n; i-- > 0;) {
        hl_object *r = slots[i];
        if (r == NULL || r == last || (uintptr_t)r - s->small_ints < (uintptr_t)s->small_ints_bytes)
            continue;
        push(m, r);
        last = r;
    }
}

/* Pop references into the prefetch window and visit them in the order they entered. */
static void drain_mark_stack(ms_marker *m) {
    ms_state *s = m->state;
    hl_object *window[MS_PREFETCH];
    size_t head = 0, queued = 0;
    for (;;) {
        while (queued < MS_PREFETCH && s->stack_length != 0) {
            hl_object *o = s->stack[--s->stack_length];
            /* the header and the slots after it, which may start on the next line */
            __builtin_prefetch(o, 1);
            __builtin_prefetch((char *)o + 32);
            window[(head + queued++) & (MS_PREFETCH - 1)] = o;
        }
        if (queued == 0) return;
        hl_object *o = window[head];
        head = (head + 1) & (MS_PREFETCH - 1);
        queued--;
        visit(m, o);
    }
}

/* Visit every GREY object on `list` (clearing GREY) and drain after each. */
static void rescan_list(ms_marker *m, hl_gc_link *list) {
    for (hl_gc_link *l = list->next; l != list; l = l->next) {
        hl_object *o = hl_gc_object_of(l);
        if (o->flags & HL_FLAG_GREY) {
            o->flags &= (uint16_t)~HL_FLAG_GREY;
            visit(m, o);
            drain_mark_stack(m);
        }
    }
}

static void rescan_overflow(ms_marker *m) {
    ms_state *s = m->state;
    while (s->overflowed) {
        s->overflowed = false;
        rescan_list(m, &s->objects);
        rescan_list(m, &s->finalizable);
    }
}

static void mark_roots(ms_marker *m) {
    hl__each_root(m->heap, push_root, m);
}

static void mark(ms_marker *m) {
    m->state->marked = 0;
    mark_roots(m);
    hl__emit_roots_traced(m->heap);
    drain_mark_stack(m);
    rescan_overflow(m);
    hl__emit_heap_traced(m->heap);
}

/* Make every object on `list` unmarked again (the sense of the last collection). */
static void unmark_list(const ms_state *s, hl_gc_link *list) {
    for (hl_gc_link *l = list->next; l != list; l = l->next)
        set_mark(hl_gc_object_of(l), s->black ^ HL_FLAG_BLACK);
}

/* Returns true when some finalizer ran (and the marks must be recomputed). Only the
 * finalizable list is walked, so a heap without finalizers pays nothing here. */
static bool finalize_unreachable(hl_heap *heap, ms_state *s) {
    hl_gc_link pending;
    hl_gc_list_init(&pending);
    hl_gc_link *l = s->finalizable.next;
    while (l != &s->finalizable) {
        hl_gc_link *next = l->next;
        if (!is_marked(s, hl_gc_object_of(l))) hl_gc_list_move(l, &pending);
        l = next;
    }
    if (hl_gc_list_is_empty(&pending)) return false;
    if (heap->finalizers_off) { /* dies without its finalizer: the sweep frees it */
        hl_gc_list_merge(&pending, &s->objects);
        return false;
    }
    while (!hl_gc_list_is_empty(&pending)) {
        hl_gc_link *p = pending.next;
        hl_gc_list_move(p, &s->objects);
        hl__object_finalize(heap, hl_gc_object_of(p));
    }
    return true;
}

/* The eager sweep: free the unmarked objects of `objects`. Marked ones keep their mark,
 * which the next collection's sense flip turns into unmarked. */
static uint64_t sweep(hl_heap *heap, ms_state *s) {
    uint64_t freed = 0;
    hl_gc_link *l = s->objects.next;
    while (l != &s->objects) {
        hl_gc_link *next = l->next;
        __builtin_prefetch(next->next);
        hl_object *o = hl_gc_object_of(l);
        if (!is_marked(s, o)) {
            hl__object_free(heap, o);
            freed++;
        }
        l = next;
    }
    return freed;
}

/* The live bytes that start the next collection. With a budget (heap->fixed_heap) the
 * safe point does not look at it: the collection comes when the budget refuses an
 * allocation (object.c, room_for), and the heap size reported is the budget. */
static size_t next_trigger(const hl_heap *heap, size_t survivors) {
    double next = (double)survivors * heap->growth_factor;
    return next < (double)HL_MARK_SWEEP_MIN_TRIGGER ? HL_MARK_SWEEP_MIN_TRIGGER : (size_t)next;
}

static size_t heap_size(const hl_heap *heap, const ms_state *s) {
    return heap->fixed_heap ? heap->allocator->limit_bytes : s->trigger;
}

/* The end of a sweep, eager or lazy: the next trigger from what survived, then the
 * figures that follow a sweep. */
static void sweep_done(hl_heap *heap, ms_state *s, size_t survivors) {
    s->trigger = next_trigger(heap, survivors);
    if (s->trigger > s->peak_trigger) s->peak_trigger = s->trigger;
    hl__emit_live_data_size(heap, survivors);
    hl__emit_heap_resized(heap, heap_size(heap, s));
}

/* One step of the pending lazy sweep: at most `budget` objects of `unswept` (SIZE_MAX: all
 * of it), as one sweep_start/sweep_end pair. Survivors stay where they are, behind the
 * cursor; the finished list joins `objects` in one splice. */
static void sweep_step(hl_heap *heap, ms_state *s, size_t budget) {
    hl__emit_sweep_start(heap);
    uint64_t freed = 0;
    size_t before = heap->live_bytes;
    hl_gc_link *l = s->cursor;
    for (size_t i = 0; i < budget && l != &s->unswept; i++) {
        hl_gc_link *next = l->next;
        __builtin_prefetch(next->next);
        hl_object *o = hl_gc_object_of(l);
        if (!is_marked(s, o)) {
            hl__object_free(heap, o); /* unlinks it from unswept */
            freed++;
        }
        l = next;
    }
    s->cursor = l;
    s->swept_bytes += before - heap->live_bytes;
    s->swept_freed += freed;
    bool done = l == &s->unswept;
    if (done) {
        hl_gc_list_merge(&s->unswept, &s->objects);
        s->cursor = &s->unswept;
        s->sweeping = false;
    }
    hl__emit_sweep_end(heap, freed);
    if (done) sweep_done(heap, s, s->marked_live - s->swept_bytes);
}

static void finish_sweep(hl_heap *heap, ms_state *s) {
    if (s->sweeping) sweep_step(heap, s, SIZE_MAX);
}

/* One collection; with lazy sweeping its sweep is left pending (see the top). */
static long collect(hl_heap *heap, ms_state *s) {
    finish_sweep(heap, s);
    ms_marker m = {heap, s};
    heap->collecting = true;
    hl__emit_collection_start(heap, HL_COLLECTION_FULL);
    /* Every object carries the last sense (survivors were marked with it, new objects
     * were born with it): flipping the sense unmarks them all without a walk. */
    s->black ^= HL_FLAG_BLACK;
    s->small_ints = (uintptr_t)heap->small_ints;
    s->small_ints_bytes = heap->small_ints != NULL ? hl__small_ints_bytes() : 0;
    mark(&m);
    /* A finalizer can cut loose another object that has a finalizer (by overwriting
     * the only reference to it), so finalize and re-mark until a pass runs none.
     * This ends: each object is finalized at most once. */
    while (finalize_unreachable(heap, s)) {
        unmark_list(s, &s->objects);
        unmark_list(s, &s->finalizable);
        mark(&m);
    }
    /* Every object left on `finalizable` is marked now: only `objects` holds garbage. */
    if (heap->lazy_sweep) {
        uint64_t unreachable = s->tracked - s->marked;
        hl_gc_list_merge(&s->objects, &s->unswept);
        s->cursor = s->unswept.next;
        s->sweeping = true;
        s->marked_live = heap->live_bytes;
        s->swept_bytes = 0;
        s->swept_freed = 0;
        heap->collecting = false;
        hl__emit_collection_end(heap, unreachable);
        return (long)unreachable;
    }
    uint64_t freed = sweep(heap, s);
    heap->collecting = false;
    hl__emit_collection_end(heap, freed);
    sweep_done(heap, s, heap->live_bytes);
    return (long)freed;
}

/* hl_collect and a refused allocation: the garbage is freed when this returns. */
static long ms_collect(hl_heap *heap, int generation) {
    (void)generation; /* always full */
    ms_state *s = heap->gc;
    long found = collect(heap, s);
    finish_sweep(heap, s);
    return found;
}

/* ---- the collector interface ---- */

static hl_status ms_init(hl_heap *heap) {
    ms_state *s = hl__gc_alloc(heap, sizeof *s);
    if (s == NULL) return HL_MEMORY_ERROR;
    hl_gc_list_init(&s->objects);
    hl_gc_list_init(&s->finalizable);
    s->stack = NULL;
    s->stack_length = 0;
    s->stack_capacity = 0;
    s->overflowed = false;
    s->trigger = HL_MARK_SWEEP_MIN_TRIGGER;
    if (heap->carry != NULL && heap->carry->heap_bytes > s->trigger)
        s->trigger = heap->carry->heap_bytes; /* the previous iteration's heap, warm */
    s->peak_trigger = s->trigger;
    s->black = 0;
    s->small_ints = 0;
    s->small_ints_bytes = 0;
    hl_gc_list_init(&s->unswept);
    s->cursor = &s->unswept;
    s->sweeping = false;
    s->tracked = 0;
    s->marked = 0;
    s->marked_live = 0;
    s->swept_bytes = 0;
    s->swept_freed = 0;
    if (!grow_stack(heap, s)) {
        hl_free(heap->allocator, s, sizeof *s);
        return HL_MEMORY_ERROR;
    }
    heap->gc = s;
    return HL_OK;
}

/* A new object is born with the current sense: unmarked for the next collection, and
 * no business of a pending sweep (it is not on `unswept`). */
static void ms_link(hl_heap *heap, hl_object *o) {
    ms_state *s = heap->gc;
    set_mark(o, s->black);
    hl_gc_list_append(hl__object_wants_finalizer(heap, o) ? &s->finalizable : &s->objects,
                      hl_gc_link_of(o));
    s->tracked++;
}

static void ms_unlink(hl_heap *heap, hl_object *o) {
    ms_state *s = heap->gc;
    s->tracked--;
    hl_gc_list_remove(hl_gc_link_of(o)); /* from any of the lists */
}

static void ms_safe_point(hl_heap *heap) {
    ms_state *s = heap->gc;
    if (s->sweeping)
        sweep_step(heap, s, MS_SWEEP_STEP); /* no collection while a sweep is pending */
    else if (!heap->fixed_heap && heap->live_bytes >= s->trigger)
        collect(heap, s);
}

static void ms_finish(hl_heap *heap) {
    ms_collect(heap, 2);
}

static void ms_release_all(hl_heap *heap) {
    ms_state *s = heap->gc;
    hl_gc_list_merge(&s->unswept, &s->objects);
    hl_gc_list_merge(&s->finalizable, &s->objects);
    while (!hl_gc_list_is_empty(&s->objects))
        hl__object_free(heap, hl_gc_object_of(s->objects.next));
    if (s->stack_capacity != 0)
        hl_free(heap->allocator, s->stack, s->stack_capacity * sizeof(hl_object *));
    if (heap->carry != NULL) heap->carry->heap_bytes = s->peak_trigger;
    hl_free(heap->allocator, s, sizeof *s);
    heap->gc = NULL;
}

static void ms_each_tracked(hl_heap *heap, void (*fn)(hl_object *o, void *data), void *data) {
    ms_state *s = heap->gc;
    finish_sweep(heap, s); /* an unswept dead object's referents may be freed already */
    for (hl_gc_link *l = s->objects.next; l != &s->objects; l = l->next)
        fn(hl_gc_object_of(l), data);
    for (hl_gc_link *l = s->finalizable.next; l != &s->finalizable; l = l->next)
        fn(hl_gc_object_of(l), data);
}

const hl_collector_ops hl_mark_sweep_collector = {
    .name = "mark_sweep",
    .summary = "tracing mark-sweep, no counts, explicit mark stack, collects at 2x growth",
    .counts_references = false,
    .prefix_size = sizeof(hl_gc_link),
    .tracks_all = true,
    .reclaims_cycles = true,
    /* a mark-sweep over the system malloc, drawn against a production mark-sweep with
     * its own allocator */
    .reference = "boehm",
    .reference_allocator = "libc",
    .init = ms_init,
    .link = ms_link,
    .unlink = ms_unlink,
    .safe_point = ms_safe_point,
    .collect = ms_collect,
    .finish = ms_finish,
    .release_all = ms_release_all,
    .each_tracked = ms_each_tracked,
};
