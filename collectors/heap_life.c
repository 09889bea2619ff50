/* heaplab heap life: the roots and the walks over them, hl_collect and the figures,
 * and a heap from hl_heap_create to hl_heap_reclaim and hl_heap_release (the story of
 * one object is told in collectors/object.c; this is the heap's). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/collector.h"

#define HL_DEFAULT_GLOBALS 16

/* ---- roots and walking ---- */

void hl__each_root(hl_heap *heap, void (*fn)(hl_object *o, void *data), void *data) {
    for (size_t i = 0; i < heap->globals_count; i++)
        if (heap->globals[i] != NULL) fn(heap->globals[i], data);
    if (heap->frame != NULL) fn(heap->frame, data);
    for (size_t i = 0; i < heap->handles_count; i++)
        if (heap->handles[i] != NULL) fn(heap->handles[i], data);
    for (size_t i = 0; i < 2; i++)
        if (heap->pinned[i] != NULL) fn(heap->pinned[i], data);
}

typedef struct each_walk {
    void (*fn)(hl_object *o, void *data);
    void *data;
    bool forget; /* second pass: clear HL_FLAG_VISITED */
} each_walk;

/* Untracked objects (ints, strs under the counting collectors) sit on no list; they
 * are found through the containers and roots that refer to them. */
static void each_untracked(hl_object *o, void *data) {
    each_walk *w = data;
    if (o == NULL || (o->flags & (HL_FLAG_TRACKED | HL_FLAG_IMMORTAL))) return;
    if (w->forget) {
        o->flags &= (uint16_t)~HL_FLAG_VISITED;
    } else if (!(o->flags & HL_FLAG_VISITED)) {
        o->flags |= HL_FLAG_VISITED;
        w->fn(o, w->data);
    }
}

static void each_tracked(hl_object *o, void *data) {
    each_walk *w = data;
    if (!w->forget) w->fn(o, w->data);
    size_t n;
    hl_object **slots = hl__object_slots(o, &n);
    for (size_t i = 0; i < n; i++)
        each_untracked(slots[i], w);
}

/* Untracked frames (ops->tracks_frames false) are on no list either: the chain is
 * walked from the current frame, each frame with what its slots hold. */
static void each_untracked_frame(hl_heap *heap, each_walk *w) {
    hl_object *f = heap->frame;
    while (f != NULL && !(f->flags & HL_FLAG_TRACKED)) {
        each_untracked(f, w);
        size_t n;
        hl_object **slots = hl__object_slots(f, &n);
        for (size_t i = 1; i < n; i++) /* slot 0, the caller, is the next turn */
            each_untracked(slots[i], w);
        f = slots[0];
    }
}

void hl_heap_each(hl_heap *heap, void (*fn)(hl_object *o, void *data), void *data) {
    each_walk w = {fn, data, false};
    heap->ops->each_tracked(heap, each_tracked, &w);
    hl__each_root(heap, each_untracked, &w);
    each_untracked_frame(heap, &w);
    w.forget = true;
    heap->ops->each_tracked(heap, each_tracked, &w);
    hl__each_root(heap, each_untracked, &w);
    each_untracked_frame(heap, &w);
}

void hl_object_visit_refs(hl_object *o, void (*fn)(hl_object *ref, void *data), void *data) {
    size_t n;
    hl_object **slots = hl__object_slots(o, &n);
    for (size_t i = 0; i < n; i++)
        if (slots[i] != NULL) fn(slots[i], data);
}

/* ---- collection and figures ---- */

long hl_collect(hl_heap *heap, int generation) {
    if (heap->ops->collect == NULL || heap->collecting || heap->freeing || heap->no_collect)
        return 0;
    if (generation < 0) generation = 0;
    if (generation > 2) generation = 2;
    return heap->ops->collect(heap, generation);
}

uint64_t hl_heap_live_objects(const hl_heap *heap) {
    return heap->live_objects;
}
size_t hl_heap_live_bytes(const hl_heap *heap) {
    return heap->live_bytes;
}
hl_allocator *hl_heap_allocator(hl_heap *heap) {
    return heap->allocator;
}
void hl_heap_alloc_stats(const hl_collector_ops *collector, hl_allocator *allocator,
                         hl_alloc_stats *out) {
    if (collector != NULL && collector->own_stats != NULL)
        collector->own_stats(out);
    else
        hl_allocator_stats(allocator, out);
}
uint64_t hl_heap_room(const hl_heap *heap) {
    const hl_allocator *a = heap->allocator;
    if (a == NULL || a->limit_bytes == 0) return UINT64_MAX;
    return a->live_bytes < a->limit_bytes ? (uint64_t)(a->limit_bytes - a->live_bytes) : 0;
}
hl_status hl_heap_error(const hl_heap *heap) {
    return heap->error;
}

/* ---- heap life ---- */

hl_status hl_heap_create(const hl_heap_config *config, hl_heap **out) {
    *out = NULL;
    if (config == NULL || config->collector == NULL || config->allocator == NULL)
        return HL_MEMORY_ERROR;
    hl_allocator *a = config->allocator;
    hl_heap *heap = hl_alloc(a, sizeof *heap);
    if (heap == NULL) return HL_MEMORY_ERROR;
    memset(heap, 0, sizeof *heap);
    /* Test mode HEAPLAB_TEST_NO_COLLECT=1 (docs/cli.md, "Test modes"): the heap never
     * collects, neither at safe points nor in hl_collect, so that the tests can show the
     * workloads' checks failing on a collector that reclaims nothing. */
    const char *no_collect = getenv("HEAPLAB_TEST_NO_COLLECT");
    heap->no_collect = no_collect != NULL && strcmp(no_collect, "1") == 0;
    const hl_collector_ops *ops = config->collector;
    heap->ops = ops;
    heap->allocator = a;
    heap->counts_references = ops->counts_references;
    heap->prefix_size = ops->prefix_size;
    heap->tracks_all = ops->tracks_all;
    heap->recursion_limit =
        config->recursion_limit != 0 ? config->recursion_limit : HL_DEFAULT_RECURSION_LIMIT;
    static const long default_thresholds[3] = {700, 10, 10};
    for (int i = 0; i < 3; i++) {
        long preset =
            ops->default_thresholds[i] > 0 ? ops->default_thresholds[i] : default_thresholds[i];
        heap->thresholds[i] = config->thresholds[i] > 0 ? config->thresholds[i] : preset;
    }
    heap->growth_factor = config->growth_factor > 1.0 ? config->growth_factor : 2.0;
    heap->lazy_sweep = config->lazy_sweep;
    heap->fixed_heap = config->fixed_heap && config->allocator->limit_bytes != 0;
    heap->carry = heap->fixed_heap ? NULL : config->carry;
    for (size_t i = 0; i < HL_MAX_LISTENERS && config->listeners[i] != NULL; i++)
        heap->listeners[heap->listener_count++] = config->listeners[i];

    /* The collector first: root storage may come from it (boehm). */
    if (ops->init(heap) != HL_OK) goto fail_heap;

    heap->globals_count = config->globals != 0 ? config->globals : HL_DEFAULT_GLOBALS;
    heap->globals =
        hl__storage_alloc(heap, heap->globals_count * sizeof(hl_object *), HL_STORAGE_ROOTS);
    if (heap->globals == NULL) goto fail_init;
    for (size_t i = 0; i < heap->globals_count; i++)
        heap->globals[i] = NULL;

    if (hl__small_ints_new(heap) != HL_OK) goto fail_globals;
    *out = heap;
    return HL_OK;

fail_globals:
    hl__storage_free(heap, heap->globals, heap->globals_count * sizeof(hl_object *),
                     HL_STORAGE_ROOTS);
fail_init:
    ops->release_all(heap);
fail_heap:
    hl_free(a, heap, sizeof *heap);
    return HL_MEMORY_ERROR;
}

/* The mutator's own roots: the frame chain and the handles (what a running function
 * holds). The globals stay until the leak has been counted. */
static void drop_stack_roots(hl_heap *heap) {
    hl_scope_close(heap, 0);
    while (heap->frame != NULL)
        hl_frame_pop(heap);
    hl_scope_close(heap, 0); /* a finalizer may have opened handles meanwhile */
}

static void drop_roots(hl_heap *heap) {
    drop_stack_roots(heap);
    for (size_t i = 0; i < heap->globals_count; i++)
        hl_global_set(heap, i, NULL);
    hl_scope_close(heap, 0);
}

/* Objects and bytes reachable from the globals (the module's names), marked with
 * HL_FLAG_REACHED and unmarked again. An explicit stack of plain malloc memory: this
 * is measurement, not the object heap, and runs once, untimed, at teardown. Returns
 * false when that stack cannot be had (the caller then counts every live object). */
static bool count_reachable_from_globals(hl_heap *heap, uint64_t *objects, size_t *bytes) {
    size_t capacity = 1024, length = 0;
    hl_object **stack = malloc(capacity * sizeof *stack);
    hl_object **seen = malloc(capacity * sizeof *seen); /* to unmark afterwards */
    size_t seen_length = 0, seen_capacity = capacity;
    bool ok = stack != NULL && seen != NULL;
    *objects = 0;
    *bytes = 0;
    for (size_t g = 0; ok && g <= heap->globals_count; g++) {
        hl_object *o = g < heap->globals_count ? heap->globals[g] : NULL;
        if (o == NULL || (o->flags & (HL_FLAG_IMMORTAL | HL_FLAG_REACHED))) continue;
        o->flags |= HL_FLAG_REACHED;
        stack[length++] = o;
        while (ok && length > 0) {
            hl_object *x = stack[--length];
            if (seen_length == seen_capacity) {
                hl_object **grown = realloc(seen, 2 * seen_capacity * sizeof *seen);
                if (grown == NULL) {
                    ok = false;
                    stack[length++] = x;
                    break;
                }
                seen = grown;
                seen_capacity *= 2;
            }
            seen[seen_length++] = x;
            *objects += 1;
            *bytes += hl__object_bytes(heap, x);
            size_t count = 0;
            hl_object **slots = hl__object_slots(x, &count);
            for (size_t i = 0; i < count; i++) {
                hl_object *r = slots[i];
                if (r == NULL || (r->flags & (HL_FLAG_IMMORTAL | HL_FLAG_REACHED))) continue;
                if (length == capacity) {
                    hl_object **grown = realloc(stack, 2 * capacity * sizeof *stack);
                    if (grown == NULL) {
                        ok = false;
                        break;
                    }
                    stack = grown;
                    capacity *= 2;
                }
                r->flags |= HL_FLAG_REACHED;
                stack[length++] = r;
            }
        }
    }
    /* Unmark: what was visited, and what was pushed but not visited (on failure). */
    for (size_t i = 0; seen != NULL && i < seen_length; i++)
        seen[i]->flags &= (uint16_t)~HL_FLAG_REACHED;
    for (size_t i = 0; stack != NULL && i < length; i++)
        stack[i]->flags &= (uint16_t)~HL_FLAG_REACHED;
    free(stack);
    free(seen);
    return ok;
}

void hl_heap_destroy(hl_heap *heap) {
    if (heap == NULL) return;
    /* The leak is what is still live after the collector's last reclaim but is not
     * reachable from the globals: garbage the strategy could not free (refcount's
     * cycles, what a conservative collector retained), and what only that garbage
     * keeps alive. Objects the globals still name (the seeds' shared literals, module
     * state) are not leaked, as in CPython they are not garbage. */
    hl_heap_reclaim(heap);
    hl_heap_release(heap);
}

void hl_heap_reclaim(hl_heap *heap) {
    if (heap == NULL) return;
    drop_stack_roots(heap);
    if (heap->ops->finish != NULL) heap->ops->finish(heap);
}

void hl_heap_release(hl_heap *heap) {
    if (heap == NULL) return;
    uint64_t reached_objects = 0;
    size_t reached_bytes = 0;
    if (!count_reachable_from_globals(heap, &reached_objects, &reached_bytes)) {
        reached_objects = 0; /* no memory to count with: report everything live */
        reached_bytes = 0;
    }
    uint64_t leaked_objects = heap->live_objects - reached_objects;
    size_t leaked_bytes = heap->live_bytes - reached_bytes;
    /* From here on no finalizer runs; what a finalizer stored into a root during the
     * last collection is dropped without one. */
    heap->finalizers_off = true;
    drop_roots(heap);
    hl__emit_teardown(heap, leaked_objects, leaked_bytes);

    /* The (empty) root arrays go before release_all, which may end the collector's
     * hold on the memory they come from (boehm unregisters the thread there). */
    if (heap->handles_capacity != 0)
        hl__storage_free(heap, heap->handles, heap->handles_capacity * sizeof(hl_object *),
                         HL_STORAGE_ROOTS);
    heap->handles = NULL;
    heap->handles_capacity = 0;
    hl__storage_free(heap, heap->globals, heap->globals_count * sizeof(hl_object *),
                     HL_STORAGE_ROOTS);
    heap->globals = NULL;
    heap->globals_count = 0;
    heap->ops->release_all(heap);

    hl_allocator *a = heap->allocator;
    hl__small_ints_free(heap);
    hl_free(a, heap, sizeof *heap);
}
