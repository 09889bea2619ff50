/* heaplab collector interface.
 *
 * A collector strategy is one file in collectors/ that defines one
 * `const hl_collector_ops hl_<name>_collector` plus one line in collectors/registry.c.
 * The object model (collectors/object.c) calls the hooks below and never asks which
 * collector it runs; the reference operations are inline (collectors/object_layout.h) and
 * read only heap->counts_references.
 *
 * Life of a heap, as object.c drives it:
 *   hl_heap_create -> ops->init -> root storage (globals) and the small ints
 *   every constructor -> ops->safe_point (may collect) -> allocate -> ops->link
 *   an object is freed (count reached zero, a cycle cleared, a sweep) -> ops->unlink
 *   hl_collect -> ops->collect
 *   hl_heap_destroy: drop the roots -> ops->finish (last reclaim) -> teardown event
 *                    -> root storage freed -> ops->release_all (free every object
 *                    left, finalizers off)
 *
 * Whose memory. By default every object, list item array and root array (globals,
 * handle stack) comes from the heap's hl_allocator. A collector that owns object
 * memory (boehm: the Boehm-Demers-Weiser heap) sets the optional memory hooks below
 * and names its allocator in `own_allocator`; object.c calls a hook when it is set and
 * the allocator when it is NULL, and never asks which collector it runs.
 *
 * The rooting rule (what a tracing collector may rely on): a collection starts only in
 * ops->safe_point (called by constructors and hl_frame_push) or ops->collect. At that
 * moment every object the mutator still uses is reachable from a root: a global, the
 * current frame (whose slot 0 is its caller), a handle, or heap->pinned (the
 * constructor's own object argument).
 */
#ifndef HEAPLAB_COLLECTORS_COLLECTOR_H
#define HEAPLAB_COLLECTORS_COLLECTOR_H

#include "collectors/heap.h"

/* What a block of out-of-line storage is for (the memory hooks below). */
typedef enum hl_storage_kind {
    /* A list's item array: holds references, owned by its list object (it lives and
     * dies with the list; a collector that scans memory must scan it). */
    HL_STORAGE_ITEMS,
    /* The heap's root arrays (globals, handle stack): hold references, are roots
     * themselves and are never reclaimed by a collection, only freed by the heap. */
    HL_STORAGE_ROOTS,
} hl_storage_kind;

struct hl_collector_ops {
    const char *name;    /* "refcount", ... */
    const char *summary; /* one line for `heaplab list collectors` */
    bool counts_references;
    /* Bytes the collector keeps before each tracked object. A collector that keeps its
     * objects on lists ends it with an hl_gc_link (hl_gc_link_of); 0 is allowed. */
    size_t prefix_size;
    /* true: every object is tracked (has a prefix); false: containers only. */
    bool tracks_all;
    /* A full collection reclaims unreachable cycles (every strategy but refcount). */
    bool reclaims_cycles;
    /* Roots are found conservatively (any word that looks like a pointer keeps an
     * object alive), so a full collection may retain some unreachable objects; what it
     * retains is reported as the leak, never as a failure. */
    bool conservative;
    /* What the reference charts draw this collector against: the real runtime or
     * collector it models ("cpython": a CPython reference runtime's rows; or another
     * collector's name, "boehm"), and the allocator of heaplab's side of that chart
     * ("pool": obmalloc-style pools, as CPython's). NULL: no reference chart. The
     * plotting code reads these; it names no collector itself. */
    const char *reference;
    const char *reference_allocator;
    /* Frames are tracked objects (with a prefix, on the collector's lists): a tracing
     * collector that finds them through its object list needs that; tracks_all implies
     * it. false (refcount, rc_cycle): a frame is freed by counting when its call
     * returns, found through the frame chain, and is no GC object (CPython 3.11). */
    bool tracks_frames;
    /* The generation thresholds a heap gets where hl_heap_config.thresholds leaves one at
     * 0 (the collector's gc.get_threshold() defaults; rc_cycle 700/10/10, its 3.13
     * preset 2000/10/10); an entry at 0 here falls back to 700/10/10. */
    long default_thresholds[3];

    /* Make heap->gc. HL_MEMORY_ERROR when it cannot allocate. */
    hl_status (*init)(hl_heap *heap);
    /* A tracked object was constructed (fully initialised): put it on a list. */
    void (*link)(hl_heap *heap, hl_object *o);
    /* A tracked object is about to be freed: take it off its list. */
    void (*unlink)(hl_heap *heap, hl_object *o);
    /* Called before every allocation of an object; may start a collection. NULL: never.
     * Not called while heap->collecting or heap->freeing. */
    void (*safe_point)(hl_heap *heap);
    /* gc.collect(generation): the number of unreachable objects found. NULL: 0. */
    long (*collect)(hl_heap *heap, int generation);
    /* Roots are gone: reclaim what can be reclaimed before the leak is counted. */
    void (*finish)(hl_heap *heap);
    /* Free every object still tracked and heap->gc (finalizers are off). */
    void (*release_all)(hl_heap *heap);
    /* Call fn on every tracked object (no mutation from fn). */
    void (*each_tracked)(hl_heap *heap, void (*fn)(hl_object *o, void *data), void *data);

    /* ---- optional: a collector that owns the memory (NULL: the heap's allocator) ---- */
    /* The name of that memory's allocator for the results' allocator column ("bdwgc");
     * NULL: objects come from the hl_allocator the heap was made with. */
    const char *own_allocator;
    /* Make the process ready (called on the main thread, before any heap of this
     * collector exists, by hl_collector_prepare_process). NULL: nothing to do. */
    bool (*prepare_process)(const char **error);
    /* An object block of `size` bytes (prefix included); has_refs is false for ints
     * and strs (nothing in them is a reference). NULL on failure. alloc_object and
     * free_object are set together. */
    void *(*alloc_object)(hl_heap *heap, size_t size, bool has_refs);
    void (*free_object)(hl_heap *heap, void *block, size_t size);
    /* Out-of-line storage (see hl_storage_kind); the three are set together. */
    void *(*alloc_storage)(hl_heap *heap, size_t size, hl_storage_kind kind);
    void *(*realloc_storage)(hl_heap *heap, void *block, size_t old_size, size_t new_size,
                             hl_storage_kind kind);
    void (*free_storage)(hl_heap *heap, void *block, size_t size, hl_storage_kind kind);
    /* The allocation figures of the memory it owns, for the results
     * (hl_heap_alloc_stats): allocations, frees, reallocations, failures and requested
     * bytes (live, peak) from its own counting, resident bytes from its heap; for its
     * heaps alive now, or when none is, for the last one destroyed (the harness reads
     * them after hl_heap_destroy). NULL: the hl_allocator's figures. */
    void (*own_stats)(hl_alloc_stats *out);
};

/* ---- lists of tracked objects (circular, with a sentinel head) ---- */

static inline hl_gc_link *hl_gc_link_of(hl_object *o) {
    return (hl_gc_link *)o - 1;
}
static inline hl_object *hl_gc_object_of(hl_gc_link *l) {
    return (hl_object *)(l + 1);
}

static inline void hl_gc_list_init(hl_gc_link *head) {
    head->next = head->prev = head;
}
static inline bool hl_gc_list_is_empty(const hl_gc_link *head) {
    return head->next == head;
}

static inline void hl_gc_list_append(hl_gc_link *head, hl_gc_link *l) {
    l->prev = head->prev;
    l->next = head;
    head->prev->next = l;
    head->prev = l;
}

static inline void hl_gc_list_remove(hl_gc_link *l) {
    l->prev->next = l->next;
    l->next->prev = l->prev;
    l->next = l->prev = NULL;
}

static inline void hl_gc_list_move(hl_gc_link *l, hl_gc_link *to) {
    l->prev->next = l->next;
    l->next->prev = l->prev;
    hl_gc_list_append(to, l);
}

/* Append every element of `from` to `to`; `from` becomes empty. */
static inline void hl_gc_list_merge(hl_gc_link *from, hl_gc_link *to) {
    if (hl_gc_list_is_empty(from)) return;
    from->next->prev = to->prev;
    to->prev->next = from->next;
    from->prev->next = to;
    to->prev = from->prev;
    hl_gc_list_init(from);
}

static inline size_t hl_gc_list_size(const hl_gc_link *head) {
    size_t n = 0;
    for (const hl_gc_link *l = head->next; l != head; l = l->next)
        n++;
    return n;
}

/* ---- what object.c offers the collectors ---- */

/* The reference slots of a container (list items, record fields, frame caller and
 * locals), or NULL with *count 0 for int and str. */
hl_object **hl__object_slots(hl_object *o, size_t *count);
/* The record's finalizer when it has one and it has not run (and finalizers are on). */
bool hl__object_wants_finalizer(const hl_heap *heap, const hl_object *o);
/* Run o's finalizer once (sets HL_FLAG_FINALIZED first). */
void hl__object_finalize(hl_heap *heap, hl_object *o);
/* Drop every reference o holds (slots become NULL); what dies is freed by counting. */
void hl__object_clear(hl_heap *heap, hl_object *o);
/* Free o now without touching what it refers to (a tracing collector's sweep, or
 * teardown): unlink, account, free through the allocator (or free_object). */
void hl__object_free(hl_heap *heap, hl_object *o);
/* What o counts in the live-bytes figure: prefix, header, body, a list's item array. */
size_t hl__object_bytes(const hl_heap *heap, const hl_object *o);
/* Teardown helper for counting collectors: free every object on `list` (tracked
 * containers) and everything only they keep alive, whatever the cycles. */
void hl__release_counted(hl_heap *heap, hl_gc_link *list);
/* Visit every root (globals, frame chain head, handles, pinned). */
void hl__each_root(hl_heap *heap, void (*fn)(hl_object *o, void *data), void *data);
/* Out-of-line storage (list items, root arrays) through the collector's hooks when it
 * has them, else the heap's allocator (object.c). */
void *hl__storage_alloc(hl_heap *heap, size_t size, hl_storage_kind kind);
void hl__storage_free(hl_heap *heap, void *block, size_t size, hl_storage_kind kind);
/* The preallocated small ints -5..256 of a heap (object.c; heap_life.c makes and frees
 * them with the heap). */
hl_status hl__small_ints_new(hl_heap *heap);
void hl__small_ints_free(hl_heap *heap);
/* Bytes of that one block at heap->small_ints: a collector tells a small int by its
 * address without reading it (mark_sweep's mark stack). */
size_t hl__small_ints_bytes(void);

/* Allocate collector memory (mark stack, state) through the heap's allocator. */
static inline void *hl__gc_alloc(hl_heap *heap, size_t size) {
    return hl_alloc(heap->allocator, size);
}

/* ---- events (collectors report; listeners compute) ---- */
void hl__emit_collection_start(hl_heap *heap, hl_collection_kind kind);
void hl__emit_roots_traced(hl_heap *heap);
void hl__emit_heap_traced(hl_heap *heap);
void hl__emit_bookkeeping_start(hl_heap *heap);
void hl__emit_collection_end(hl_heap *heap, uint64_t objects_freed);
void hl__emit_sweep_start(hl_heap *heap);
void hl__emit_sweep_end(hl_heap *heap, uint64_t objects_freed);
void hl__emit_heap_resized(hl_heap *heap, size_t bytes);
void hl__emit_live_data_size(hl_heap *heap, size_t bytes);
/* The leak, once, before the heap frees what is left (heap_life.c). */
void hl__emit_teardown(hl_heap *heap, uint64_t leaked_objects, size_t leaked_bytes);

/* mark_sweep's smallest trigger: no collection before this many live bytes. */
#define HL_MARK_SWEEP_MIN_TRIGGER ((size_t)1 << 20)

#endif
