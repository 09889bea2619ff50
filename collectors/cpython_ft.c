/* cpython_ft and cpython_ft_alloc: reference counting plus the free-threaded build's
 * cycle collector (PEP 703), the model of CPython 3.14t's Python/gc_free_threading.c:
 * gc_should_collect, gc_should_collect_mem_usage and gc_collect_main. Re-told here,
 * not copied.
 *
 * No generations and no GC list: CPython's free-threaded collector finds its objects by
 * walking mimalloc's GC heaps, stops the world, and looks at every tracked object in
 * every collection. Tracked objects are the containers (list, record), as in rc_cycle.
 * count is allocations minus deallocations of tracked objects since the last collection.
 *
 * Trigger (gc_should_collect, asked at every safe point, i.e. before an allocation):
 *   1. count > threshold 0 (2,000 by default);
 *   2. count > long_lived_total / 4, where long_lived_total is the number of objects
 *      the last collection found reachable: collections stay linear in the heap (a
 *      scale factor, threshold 1, of 0 would turn this off; heaplab's thresholds are
 *      always positive);
 *   3. the deferral of 3.14t (PR #133464, gh-132917): collect only when deferred_count
 *      > 40 * threshold 0, or the memory figure cannot be read, or it grew by more than
 *      max(last / 10, 128 KiB) since the end of the last collection; otherwise the
 *      collection is deferred: deferred_count += count, count = 0.
 * The memory figure is the setting that tells the two registry entries apart:
 *   cpython_ft        the process's resident memory, as 3.14t shipped (it asks the OS:
 *                     /proc/self/statm's resident pages here). mimalloc does not hand
 *                     freed memory back to the OS promptly, so after a collection the
 *                     figure does not drop, and the deferral holds collections back
 *                     until the 40-times rule fires (gh-148937).
 *   cpython_ft_alloc  the allocator's own figure of memory in use (the bytes the heap's
 *                     hl_allocator has live: they drop when a collection frees, as
 *                     mimalloc's arenas' use does), as gh-148937's fix asks mimalloc for it
 *                     (PR #148940) instead of the OS. (PR #149475 then removed the
 *                     deferral altogether.)
 *
 * One collection (gc_collect_main): count = 0; trial deletion over every tracked
 * object (collectors/cycle_core.c: update_refs, subtract_refs, move_unreachable,
 * finalizers once, resurrection, delete_garbage); long_lived_total = what was found
 * reachable; deferred_count = 0; last = the memory figure read after the collection.
 *
 * gc.collect(generation): every generation argument does that one full collection; all
 * are reported as FULL.
 *
 * What it leaves out: the walk of mimalloc's heaps (heaplab keeps its own list of every
 * tracked object and walks that: heaplab's objects are not in mimalloc's GC heaps, and
 * the allocator under test may not be mimalloc), stopping other threads (heaplab's
 * mutator is one thread, so every collection is stop-the-world already), biased and
 * deferred reference counting and the merging of per-thread counts, the "mark alive"
 * pass from the roots before trial deletion (an optimisation: it does not change what
 * is found), the per-thread buffering of the count (512 allocations at a time), swap in
 * the resident figure, the untracking of tuples, weak references and legacy
 * finalizers.
 */
#include <stdio.h>
#include <unistd.h>

#include "collectors/cycle_core.h"

typedef struct ft_state {
    hl_gc_link all;
    long count;
    long threshold;
    long scale_factor;
    size_t long_lived_total;
    intptr_t last_mem_kb; /* the memory figure after the last collection; 0 before */
    long deferred_count;
    /* The memory figure in KiB, negative when it cannot be read. */
    intptr_t (*memory_kb)(hl_heap *heap);
} ft_state;

/* gc_should_collect_mem_usage's floor: no collection for less growth than this. */
#define FT_MIN_GROWTH_KB 128
/* ... and its escape: a collection anyway after this many thresholds' worth deferred. */
#define FT_MAX_DEFERRED_THRESHOLDS 40

/* The process's resident memory (get_process_mem_usage): read only when the count
 * threshold has been passed, so once per threshold allocations at most. */
static intptr_t process_memory_kb(hl_heap *heap) {
    (void)heap;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) return -1;
    unsigned long size = 0, resident = 0;
    int got = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    if (got != 2 || page <= 0) return -1;
    return (intptr_t)(resident * (unsigned long)page / 1024);
}

/* The allocator's own figure of memory in use: the bytes it has handed out and not taken
 * back (hl_allocator.live_bytes). Not its resident figure: mimalloc's is the process's
 * RSS (mi_process_info), which would make this the same setting as cpython_ft's; what
 * the fix asks mimalloc for is its arenas' use, which drops when a collection frees, and
 * the live bytes are heaplab's nearest figure to that on every backend. */
static intptr_t allocator_memory_kb(hl_heap *heap) {
    return (intptr_t)(heap->allocator->live_bytes / 1024);
}

static bool memory_grew_enough(ft_state *s, hl_heap *heap) {
    if (s->deferred_count > FT_MAX_DEFERRED_THRESHOLDS * s->threshold) return true;
    intptr_t mem = s->memory_kb(heap);
    if (mem < 0) return true; /* cannot tell: behave as without the deferral */
    intptr_t growth =
        s->last_mem_kb / 10 > FT_MIN_GROWTH_KB ? s->last_mem_kb / 10 : FT_MIN_GROWTH_KB;
    if (mem - s->last_mem_kb > growth) return true;
    s->deferred_count += s->count;
    s->count = 0;
    return false;
}

static bool should_collect(ft_state *s, hl_heap *heap) {
    if (s->count <= s->threshold) return false;
    if (s->count <= (long)(s->long_lived_total / 4) && s->scale_factor != 0) return false;
    return memory_grew_enough(s, heap);
}

static long collect(hl_heap *heap, int generation) {
    (void)generation; /* every generation is the whole heap */
    ft_state *s = heap->gc;
    heap->collecting = true;
    hl__emit_collection_start(heap, HL_COLLECTION_FULL);
    s->count = 0;
    size_t reachable = 0;
    long found = hl__cycle_collect(heap, &s->all, &s->all, &reachable);
    s->long_lived_total = reachable;
    s->deferred_count = 0;
    intptr_t mem = s->memory_kb(heap);
    s->last_mem_kb = mem > 0 ? mem : 0;
    heap->collecting = false;
    hl__emit_collection_end(heap, (uint64_t)found);
    hl__emit_live_data_size(heap, heap->live_bytes);
    return found;
}

/* ---- the collector interface ---- */

static hl_status ft_init(hl_heap *heap, intptr_t (*memory_kb)(hl_heap *heap)) {
    ft_state *s = hl__gc_alloc(heap, sizeof *s);
    if (s == NULL) return HL_MEMORY_ERROR;
    hl_gc_list_init(&s->all);
    s->count = 0;
    s->threshold = heap->thresholds[0];
    s->scale_factor = heap->thresholds[1];
    s->long_lived_total = 0;
    s->last_mem_kb = 0;
    s->deferred_count = 0;
    s->memory_kb = memory_kb;
    heap->gc = s;
    return HL_OK;
}

static hl_status ft_init_process(hl_heap *heap) {
    return ft_init(heap, process_memory_kb);
}

static hl_status ft_init_allocator(hl_heap *heap) {
    return ft_init(heap, allocator_memory_kb);
}

static void ft_link(hl_heap *heap, hl_object *o) {
    ft_state *s = heap->gc;
    hl_gc_list_append(&s->all, hl_gc_link_of(o));
    s->count++;
}

static void ft_unlink(hl_heap *heap, hl_object *o) {
    ft_state *s = heap->gc;
    hl_gc_list_remove(hl_gc_link_of(o));
    if (s->count > 0) s->count--;
}

static void ft_safe_point(hl_heap *heap) {
    if (should_collect(heap->gc, heap)) collect(heap, 2);
}

static void ft_finish(hl_heap *heap) {
    collect(heap, 2);
}

static void ft_release_all(hl_heap *heap) {
    ft_state *s = heap->gc;
    hl__release_counted(heap, &s->all);
    hl_free(heap->allocator, s, sizeof *s);
    heap->gc = NULL;
}

static void ft_each_tracked(hl_heap *heap, void (*fn)(hl_object *o, void *data), void *data) {
    ft_state *s = heap->gc;
    for (hl_gc_link *l = s->all.next; l != &s->all; l = l->next)
        fn(hl_gc_object_of(l), data);
}

/* The two entries share every hook but init (which memory figure the deferral reads). */
#define FT_HOOKS                                                                                   \
    .counts_references = true, .prefix_size = sizeof(hl_cycle_prefix), .tracks_all = false,        \
    .reclaims_cycles = true, .reference = NULL, .tracks_frames = false,                            \
    .default_thresholds = {2000, 10, 0}, .link = ft_link, .unlink = ft_unlink,                     \
    .safe_point = ft_safe_point, .collect = collect, .finish = ft_finish,                          \
    .release_all = ft_release_all, .each_tracked = ft_each_tracked

const hl_collector_ops hl_cpython_ft_collector = {
    .name = "cpython_ft",
    .summary = "CPython 3.14t's free-threaded collector: whole heap, deferred on process RSS",
    .init = ft_init_process,
    FT_HOOKS,
};

const hl_collector_ops hl_cpython_ft_alloc_collector = {
    .name = "cpython_ft_alloc",
    .summary = "CPython 3.14t's free-threaded collector, deferred on the allocator's figure",
    .init = ft_init_allocator,
    FT_HOOKS,
};
