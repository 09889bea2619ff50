/* cpython_inc: reference counting plus CPython 3.14.0's incremental cycle collector, the
 * model of Python/gc.c as released in 3.14.0 to 3.14.4 (gh-108362, PRs #116206 and
 * #117120, with the marking from the roots that 3.14.0 shipped, gh-126491 and PR
 * #126502; the source read is the 3.14 branch's Python/gc.c): gc_collect_young,
 * gc_collect_increment with assess_work_to_do and mark_at_start, gc_collect_full and
 * completed_scavenge. Re-told here, not copied. An earlier form (without the marking)
 * was merged for 3.13 and reverted before that release (gh-124567: a Sphinx docs build
 * took 66.28 s with it and 34.38 s without); it was reverted again in 3.14.5 after
 * memory growth in production (gh-148726, gh-142516: about 420 MB on 3.14.2 against
 * 80 MB on 3.14.0 for a workload making cycles through httpx; python/mypy#21403: twice
 * the memory).
 *
 * Tracked objects are the containers (list, record), as in rc_cycle; frames and the
 * objects that hold no references are not tracked. Two generations: young, and old,
 * which is split into two spaces, `visited` and `pending`. Which space an old object is
 * in is one bit of its flags (HL_FLAG_OLD_SPACE), compared with the collector's
 * visited_space bit; flipping visited_space swaps the roles of the two lists without
 * touching an object. A new container joins young, marked with the pending space's
 * bit. young_count is allocations minus deallocations of tracked objects since the last
 * collection, heap_size the number of tracked objects.
 *
 * Trigger. At a safe point (before an allocation), when young_count exceeds threshold
 * 0 (2,000 by default), one increment runs: CPython's automatic collection is
 * gc.collect(1). threshold 1 (10 by default) is the scale factor of the work to do;
 * threshold 2 is not used (3.14's default is 0).
 *
 * One increment (gc_collect_increment), in the order the code runs:
 *   assess_work_to_do  work_to_do += new + min(heap_size / 10 / scale, 2 * new), where
 *                      new is young_count (then reset to 0): the young objects, plus a
 *                      share of the heap such that the whole old generation is covered
 *                      in about 10 * scale increments (in at most heap_size / (2 new)
 *                      when the heap is large). work_to_do starts at -5,000.
 *   work_to_do < 0     nothing more: the increment is paid for by later ones.
 *   mark phase         the first increment after the spaces swapped (and the first of
 *                      all) only marks: mark_at_start moves every tracked object
 *                      reachable from the roots (globals, frames, handles, the pinned
 *                      constructor argument) into the visited space, young ones
 *                      included, and subtracts the number marked from work_to_do twice
 *                      (once in mark_at_start, once in its caller, as 3.14.0 does). What
 *                      stays pending after that is not reachable from a root.
 *   collect phase      mark_stacks: what the frames, handles and pinned argument refer to
 *                      joins the visited space (a frame already marked by an earlier
 *                      increment ends the walk down the frame chain: its callers'
 *                      locals cannot have changed while it ran); then the young
 *                      generation, marked visited, forms the increment, and objects are
 *                      taken from the head of the pending space, each with everything it
 *                      reaches that is not yet visited (expand_region_transitively_-
 *                      reachable), until the increment holds work_to_do objects or the
 *                      pending space is empty. Trial deletion runs over the increment
 *                      (collectors/cycle_core.c); the survivors join the visited space;
 *                      work_to_do -= the increment's size.
 *   completed_scavenge when the pending space is empty, the spaces swap: visited_space
 *                      flips, so everything visited is pending again, young objects take
 *                      the new pending bit, work_to_do = 0 and the next increment marks.
 *
 * gc.collect(generation), as 3.14.0 means it: 0 collects the young generation alone
 * (its survivors join the visited space); 1 runs one increment; 2 is a full collection
 * (young and both spaces merged into the visited space, trial deletion over all of it,
 * then completed_scavenge). Events: a young-only collection is reported as YOUNG, an
 * increment (automatic or gc.collect(1)) as MIDDLE, a full collection as FULL.
 *
 * What it leaves out: the permanent generation (gc.freeze), the untracking of tuples,
 * weak references and legacy finalizers (collectors/cycle_core.c), the interpreter's
 * other global roots (sysdict, builtins, type dictionaries: heaplab's globals stand
 * for them), and the eval-breaker delay between the trigger and the collection
 * (heaplab collects at the safe point itself).
 */
#include "collectors/cycle_core.h"

typedef struct inc_state {
    hl_gc_link young;
    hl_gc_link old[2]; /* indexed by space bit */
    long young_count;
    long young_threshold;
    long scale_factor; /* old[0].threshold in CPython */
    long old_count[2];
    intptr_t heap_size;
    intptr_t work_to_do;
    int visited_space;
    bool mark_phase; /* GC_PHASE_MARK: the next increment marks from the roots */
} inc_state;

/* Divide by 10, so that the default scale factor of 10 scans 1% of the heap per
 * increment (CPython's SCAN_RATE_DIVISOR). */
#define INC_SCAN_RATE_DIVISOR 10
/* CPython 3.14's initial work_to_do: the first increments only pay it back. */
#define INC_INITIAL_WORK (-5000)

static int space_of(const hl_object *o) {
    return (o->flags & HL_FLAG_OLD_SPACE) ? 1 : 0;
}

static void set_space(hl_object *o, int space) {
    if (space)
        o->flags |= HL_FLAG_OLD_SPACE;
    else
        o->flags &= (uint16_t)~HL_FLAG_OLD_SPACE;
}

static intptr_t list_set_space(hl_gc_link *list, int space) {
    intptr_t n = 0;
    for (hl_gc_link *l = list->next; l != list; l = l->next, n++)
        set_space(hl_gc_object_of(l), space);
    return n;
}

/* ---- marking: what is reachable from the roots joins the visited space ---- */

/* A tracked object not yet in the visited space moves to `reachable`, marked visited. */
static intptr_t move_to_reachable(const inc_state *s, hl_object *o, hl_gc_link *reachable) {
    if (o == NULL || !(o->flags & HL_FLAG_TRACKED) || space_of(o) == s->visited_space) return 0;
    set_space(o, s->visited_space);
    hl_gc_list_move(hl_gc_link_of(o), reachable);
    return 1;
}

/* Everything reachable from the objects on `reachable` joins the visited space; the
 * list itself is the work list, so marking allocates nothing. */
static intptr_t mark_all_reachable(inc_state *s, hl_gc_link *reachable) {
    intptr_t marked = 0;
    hl_gc_link *visited = &s->old[s->visited_space];
    while (!hl_gc_list_is_empty(reachable)) {
        hl_gc_link *l = reachable->next;
        hl_gc_list_move(l, visited);
        size_t n;
        hl_object **slots = hl__object_slots(hl_gc_object_of(l), &n);
        for (size_t i = 0; i < n; i++)
            marked += move_to_reachable(s, slots[i], reachable);
    }
    return marked;
}

/* The mutator's stack: the frame chain (frames are not tracked: their locals are
 * walked), the handles and the pinned constructor argument. At the start of a cycle
 * every frame is walked; later, the walk stops after the first frame an earlier
 * increment marked. */
static intptr_t mark_stacks(hl_heap *heap, bool start) {
    inc_state *s = heap->gc;
    hl_gc_link reachable;
    hl_gc_list_init(&reachable);
    intptr_t marked = 0;
    hl_object *f = heap->frame;
    while (f != NULL) {
        size_t n;
        hl_object **slots = hl__object_slots(f, &n); /* slot 0: the caller */
        for (size_t i = 1; i < n; i++)
            marked += move_to_reachable(s, slots[i], &reachable);
        if (!start && (f->flags & HL_FLAG_FRAME_MARKED)) break;
        f->flags |= HL_FLAG_FRAME_MARKED;
        f = n > 0 ? slots[0] : NULL;
    }
    for (size_t i = 0; i < heap->handles_count; i++)
        marked += move_to_reachable(s, heap->handles[i], &reachable);
    for (size_t i = 0; i < 2; i++)
        marked += move_to_reachable(s, heap->pinned[i], &reachable);
    return marked + mark_all_reachable(s, &reachable);
}

static intptr_t mark_global_roots(hl_heap *heap) {
    inc_state *s = heap->gc;
    hl_gc_link reachable;
    hl_gc_list_init(&reachable);
    intptr_t marked = 0;
    for (size_t i = 0; i < heap->globals_count; i++)
        marked += move_to_reachable(s, heap->globals[i], &reachable);
    return marked + mark_all_reachable(s, &reachable);
}

static intptr_t mark_at_start(hl_heap *heap) {
    inc_state *s = heap->gc;
    intptr_t marked = mark_global_roots(heap) + mark_stacks(heap, true);
    s->work_to_do -= marked;
    s->mark_phase = false;
    return marked;
}

/* ---- the three collections ---- */

static void completed_scavenge(inc_state *s) {
    int not_visited = s->visited_space;
    s->visited_space = not_visited ^ 1;
    list_set_space(&s->young, not_visited);
    s->work_to_do = 0;
    s->mark_phase = true;
}

static intptr_t assess_work_to_do(inc_state *s) {
    intptr_t scale = s->scale_factor < 2 ? 2 : s->scale_factor;
    intptr_t new_objects = s->young_count;
    intptr_t heap_fraction = s->heap_size / INC_SCAN_RATE_DIVISOR / scale;
    if (heap_fraction > 2 * new_objects) heap_fraction = 2 * new_objects;
    s->young_count = 0;
    return new_objects + heap_fraction;
}

/* Pull into `increment` every tracked object reachable from `from` onwards (to the end
 * of the list) that is not in the visited space yet, marking it visited. */
static intptr_t expand_region(inc_state *s, hl_gc_link *increment, hl_gc_link *from) {
    intptr_t added = 0;
    for (hl_gc_link *l = from; l != increment; l = l->next) {
        size_t n;
        hl_object **slots = hl__object_slots(hl_gc_object_of(l), &n);
        for (size_t i = 0; i < n; i++)
            added += move_to_reachable(s, slots[i], increment);
    }
    return added;
}

static long collect_young(hl_heap *heap) {
    inc_state *s = heap->gc;
    list_set_space(&s->young, s->visited_space);
    long found = hl__cycle_collect(heap, &s->young, &s->old[s->visited_space], NULL);
    s->young_count = 0;
    s->old_count[s->visited_space]++;
    return found;
}

static long collect_increment(hl_heap *heap) {
    inc_state *s = heap->gc;
    s->work_to_do += assess_work_to_do(s);
    if (s->work_to_do < 0 || s->mark_phase) {
        /* Paying back, or marking: no trial deletion in this increment. */
        if (s->work_to_do >= 0) s->work_to_do -= mark_at_start(heap);
        hl__emit_roots_traced(heap);
        hl__emit_heap_traced(heap);
        return 0;
    }
    hl_gc_link *pending = &s->old[s->visited_space ^ 1];
    hl_gc_link *visited = &s->old[s->visited_space];
    s->work_to_do -= mark_stacks(heap, false);
    hl_gc_link increment;
    hl_gc_list_init(&increment);
    list_set_space(&s->young, s->visited_space);
    hl_gc_list_merge(&s->young, &increment);
    intptr_t size = (intptr_t)hl_gc_list_size(&increment);
    while (size < s->work_to_do && !hl_gc_list_is_empty(pending)) {
        hl_gc_link *l = pending->next;
        hl_gc_list_move(l, &increment);
        set_space(hl_gc_object_of(l), s->visited_space);
        size += 1 + expand_region(s, &increment, l);
    }
    long found = hl__cycle_collect(heap, &increment, visited, NULL);
    s->work_to_do -= size;
    if (hl_gc_list_is_empty(pending)) completed_scavenge(s);
    return found;
}

static long collect_full(hl_heap *heap) {
    inc_state *s = heap->gc;
    hl_gc_link *pending = &s->old[s->visited_space ^ 1];
    hl_gc_link *visited = &s->old[s->visited_space];
    hl_gc_list_merge(&s->young, pending);
    list_set_space(pending, s->visited_space);
    hl_gc_list_merge(pending, visited);
    long found = hl__cycle_collect(heap, visited, visited, NULL);
    s->young_count = 0;
    s->old_count[0] = s->old_count[1] = 0;
    completed_scavenge(s);
    return found;
}

/* _PyGC_Collect: one collection of the kind gc.collect(generation) asks for (hl_collect
 * has brought generation into 0..2). */
static long collect(hl_heap *heap, int generation) {
    static const hl_collection_kind kinds[3] = {HL_COLLECTION_YOUNG, HL_COLLECTION_MIDDLE,
                                                HL_COLLECTION_FULL};
    heap->collecting = true;
    hl__emit_collection_start(heap, kinds[generation]);
    long found = generation == 0   ? collect_young(heap)
                 : generation == 1 ? collect_increment(heap)
                                   : collect_full(heap);
    heap->collecting = false;
    hl__emit_collection_end(heap, (uint64_t)found);
    hl__emit_live_data_size(heap, heap->live_bytes);
    return found;
}

/* ---- the collector interface ---- */

static hl_status inc_init(hl_heap *heap) {
    inc_state *s = hl__gc_alloc(heap, sizeof *s);
    if (s == NULL) return HL_MEMORY_ERROR;
    hl_gc_list_init(&s->young);
    hl_gc_list_init(&s->old[0]);
    hl_gc_list_init(&s->old[1]);
    s->young_count = 0;
    s->young_threshold = heap->thresholds[0];
    s->scale_factor = heap->thresholds[1];
    s->old_count[0] = s->old_count[1] = 0;
    s->heap_size = 0;
    s->work_to_do = INC_INITIAL_WORK;
    s->visited_space = 0;
    s->mark_phase = true;
    heap->gc = s;
    return HL_OK;
}

/* _PyObject_GC_TRACK: young, in the pending space. */
static void inc_link(hl_heap *heap, hl_object *o) {
    inc_state *s = heap->gc;
    set_space(o, s->visited_space ^ 1);
    hl_gc_list_append(&s->young, hl_gc_link_of(o));
    s->young_count++;
    s->heap_size++;
}

/* PyObject_GC_Del. */
static void inc_unlink(hl_heap *heap, hl_object *o) {
    inc_state *s = heap->gc;
    hl_gc_list_remove(hl_gc_link_of(o));
    if (s->young_count > 0) s->young_count--;
    s->heap_size--;
}

/* _Py_TriggerGC then _Py_RunGC: the automatic collection is one increment. */
static void inc_safe_point(hl_heap *heap) {
    inc_state *s = heap->gc;
    if (s->young_count > s->young_threshold) collect(heap, 1);
}

static void inc_finish(hl_heap *heap) {
    collect(heap, 2);
}

static void inc_release_all(hl_heap *heap) {
    inc_state *s = heap->gc;
    hl_gc_list_merge(&s->old[0], &s->young);
    hl_gc_list_merge(&s->old[1], &s->young);
    hl__release_counted(heap, &s->young);
    hl_free(heap->allocator, s, sizeof *s);
    heap->gc = NULL;
}

static void inc_each_tracked(hl_heap *heap, void (*fn)(hl_object *o, void *data), void *data) {
    inc_state *s = heap->gc;
    hl_gc_link *lists[3] = {&s->young, &s->old[0], &s->old[1]};
    for (int i = 0; i < 3; i++)
        for (hl_gc_link *l = lists[i]->next; l != lists[i]; l = l->next)
            fn(hl_gc_object_of(l), data);
}

const hl_collector_ops hl_cpython_inc_collector = {
    .name = "cpython_inc",
    .summary = "reference counting plus CPython 3.14.0's incremental cycle collector (2000/10)",
    .counts_references = true,
    .prefix_size = sizeof(hl_cycle_prefix),
    .tracks_all = false,
    .reclaims_cycles = true,
    /* The reference rows are CPython 3.11's: not this collector's schedule. */
    .reference = NULL,
    .tracks_frames = false,
    .default_thresholds = {2000, 10, 0},
    .init = inc_init,
    .link = inc_link,
    .unlink = inc_unlink,
    .safe_point = inc_safe_point,
    .collect = collect,
    .finish = inc_finish,
    .release_all = inc_release_all,
    .each_tracked = inc_each_tracked,
};
