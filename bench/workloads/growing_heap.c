/* growing_heap: a heap that grows steadily with objects that mostly survive and few
 * cycles: the shape of the Sphinx documentation build in CPython gh-124567 (a doctree
 * accumulating node after node: 66.28 s with 3.13's incremental collector, 34.38 s with
 * it reverted, the collector re-examining a heap that only grows). The figures that
 * matter are the total time and the time in collection.
 *
 *   nodes = []
 *   for i in range(n):
 *       nodes.append(DocNode(nodes[(i - 1) // 2] if i else None, i))
 *       if i % 100 == 99:                  # one dropped cycle per 100 nodes
 *           a = Link(); b = Link(a); a.other = b
 *   a = b = None
 *   gc.collect()
 *
 * n is the surviving nodes (default 10^6): records of two fields, the parent (node
 * (i - 1) / 2, an older survivor, so references point from new to old as a tree's
 * parent links do) and the boxed int i, held by one growing list. Every
 * CYCLE_EVERY = 100 nodes a pair of records pointing to each other is made and dropped:
 * 2 objects of cyclic garbage per 100 survivors.
 *
 * The check: with the clock paused, every node is intact (its parent and its value);
 * then one timed gc.collect() and hl_workload_collect_and_check: collectors that
 * reclaim cycles leave exactly the survivors (the list, the nodes, their boxed ints);
 * refcount leaks exactly the pairs.
 */
#include <stdint.h>
#include <stdio.h>

#include "bench/workloads/workload.h"

enum { G_NODES, G_PAIR, G_PROBE };             /* globals */
enum { NODE_PARENT, NODE_VALUE, NODE_FIELDS }; /* a survivor */
enum { LINK_OTHER, LINK_FIELDS };              /* a dropped pair's record */

#define CYCLE_EVERY 100

static hl_workload_status check_nodes(hl_workload_ctx *ctx) {
    const hl_object *nodes = hl_global_get(ctx->heap, G_NODES);
    if (nodes == NULL || hl_list_length(nodes) != ctx->size)
        return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "growing_heap: the survivors are lost");
    for (size_t i = 0; i < ctx->size; i++) {
        const hl_object *node = hl_list_get(nodes, i);
        const hl_object *parent = i ? hl_list_get(nodes, (i - 1) / 2) : NULL;
        const hl_object *value = node != NULL ? hl_record_get(node, NODE_VALUE) : NULL;
        if (value == NULL || hl_record_get(node, NODE_PARENT) != parent ||
            hl_int_value(value) != (int64_t)i)
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "growing_heap: node %zu is wrong", i);
    }
    return HL_WORKLOAD_OK;
}

/* A pair cycle, held by G_PAIR while it is made, then dropped. */
static bool drop_pair(hl_heap *heap) {
    hl_object *a = hl_record_new(heap, LINK_FIELDS, NULL, NULL);
    if (a == NULL) return false;
    hl_global_set(heap, G_PAIR, a);
    hl_decref(heap, a);
    hl_object *b = hl_record_new(heap, LINK_FIELDS, NULL, NULL);
    if (b != NULL) {
        hl_record_set(heap, b, LINK_OTHER, a);
        hl_record_set(heap, a, LINK_OTHER, b);
        hl_decref(heap, b);
    }
    hl_global_set(heap, G_PAIR, NULL);
    return b != NULL;
}

static hl_workload_status fail_build(hl_workload_ctx *ctx, hl_status error, const char *where) {
    hl_global_set(ctx->heap, G_PAIR, NULL);
    hl_global_set(ctx->heap, G_NODES, NULL);
    return hl_workload_raise(ctx, error, where);
}

/* The growing heap, in a frame that has returned before the final collection. */
static __attribute__((noinline)) hl_workload_status build(hl_workload_ctx *ctx) {
    hl_heap *heap = ctx->heap;
    const uint64_t n = ctx->size;
    hl_workload_status fits =
        hl_workload_check_fits(ctx, n, NODE_FIELDS * sizeof(hl_object *), "DocNode()");
    if (fits != HL_WORKLOAD_OK) return fits;
    hl_object *nodes = hl_list_new(heap, 0, NULL);
    if (nodes == NULL) return fail_build(ctx, hl_heap_error(heap), "nodes = []");
    hl_global_set(heap, G_NODES, nodes);
    hl_decref(heap, nodes);
    for (size_t i = 0; i < n; i++) {
        hl_object *node = hl_record_new(heap, NODE_FIELDS, NULL, NULL);
        hl_status s = node == NULL ? hl_heap_error(heap) : hl_list_append(heap, nodes, node);
        hl_decref(heap, node); /* NULL is allowed; else the list holds it */
        if (s != HL_OK) return fail_build(ctx, s, "nodes.append(DocNode())");
        hl_record_set(heap, node, NODE_PARENT, i ? hl_list_get(nodes, (i - 1) / 2) : NULL);
        hl_object *value = hl_int_new(heap, (int64_t)i);
        if (value == NULL) return fail_build(ctx, hl_heap_error(heap), "DocNode(): i");
        hl_record_set(heap, node, NODE_VALUE, value);
        hl_decref(heap, value);
        if (i % CYCLE_EVERY == CYCLE_EVERY - 1 && !drop_pair(heap))
            return fail_build(ctx, hl_heap_error(heap), "Link()");
    }
    hl_workload_pause(ctx);
    hl_workload_at_peak(ctx);
    hl_workload_status status = check_nodes(ctx);
    hl_workload_resume(ctx);
    return status;
}

static hl_workload_status growing_heap_doctree(hl_workload_ctx *ctx) {
    hl_heap *heap = ctx->heap;
    const uint64_t n = ctx->size;
    uint64_t before = hl_heap_live_objects(heap);
    hl_workload_status status = build(ctx);
    if (status == HL_WORKLOAD_OK) {
        uint64_t boxed = n > 257 ? n - 257 : 0; /* the values past the small ints */
        status = hl_workload_collect_and_check(ctx, before + 1 + n + boxed, 2 * (n / CYCLE_EVERY),
                                               G_PROBE, "growing_heap");
    }
    hl_global_set(heap, G_NODES, NULL);
    return status;
}

static const hl_workload_variant growing_heap_variants[] = {
    {"doctree", "n surviving nodes appended to a growing list; a dropped pair cycle per 100",
     growing_heap_doctree, HL_GROWS_HEAP},
};

const hl_workload hl_growing_heap_workload = {
    .name = "growing_heap",
    .summary = "a steadily growing heap of survivors with few cycles (gh-124567)",
    .variants = growing_heap_variants,
    .variant_count = sizeof growing_heap_variants / sizeof growing_heap_variants[0],
    .default_size = 1000000,
    .sizes = {10000, 100000, 1000000, 10000000},
    /* under 256 nodes: mark_sweep's final collection then fits its initial mark stack,
     * whose growth would be the run's last allocation, a failure it absorbs by design
     * (rescanning the heap), where the suite wants a MemoryError */
    .fail_alloc_size = 200,
};
