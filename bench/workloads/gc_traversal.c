/* gc_traversal: pyperformance's bm_gc_traversal, the pure cost of tracing a live heap.
 *
 *   def create_recursive_containers(n_levels):
 *       current_list = []
 *       for n in range(n_levels):
 *           new_list = [None] * n
 *           for index in range(n):
 *               new_list[index] = current_list
 *           current_list = new_list
 *       return current_list
 *
 *   all_cycles = create_recursive_containers(n)      # untimed in pyperformance
 *   for _ in range(loops):
 *       gc.collect()
 *       t0 = perf_counter(); collected = gc.collect(); total += perf_counter() - t0
 *       assert collected is None or collected == 0
 *
 * Here n is n_levels (pyperformance's 1000): n lists, list k holding k references to
 * list k - 1, n(n-1)/2 references, all live. List k is built as [list k-1] * k (the
 * same list, one allocation, without pyperformance's initial [] that list 0 drops at
 * once). The build runs with the clock paused, as pyperformance leaves it out of its
 * time; then GC_TRAVERSAL_COLLECTIONS gc.collect() calls with everything live are the
 * timed part (pyperformance times every other one of its 2 x loops, loops set by its
 * calibration; here a fixed count, so every run does the same work).
 *
 * The check: every gc.collect() leaves the live object count unchanged, and under a
 * precise collector finds nothing unreachable (a conservative one, boehm, may find
 * stray objects of its own: only the count matters); with the clock paused, the
 * structure is intact (list k has k slots, each list k - 1). Then the structure is
 * dropped and a final gc.collect() (hl_workload_collect_and_check) must leave exactly
 * what was live before it: no cycle, so counting frees it all on the drop, and a
 * tracing collector that never collects fails.
 */
#include <stdint.h>
#include <stdio.h>

#include "bench/workloads/workload.h"

enum { G_TOP, G_PROBE }; /* globals */

#define GC_TRAVERSAL_COLLECTIONS 10

static hl_workload_status check_levels(hl_workload_ctx *ctx) {
    const hl_object *list = hl_global_get(ctx->heap, G_TOP);
    for (uint64_t k = ctx->size; k-- > 0;) {
        if (list == NULL || hl_list_length(list) != k)
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "gc_traversal: list %llu is lost",
                                    (unsigned long long)k);
        const hl_object *previous = k > 0 ? hl_list_get(list, 0) : NULL;
        for (size_t i = 1; i < k; i++)
            if (hl_list_get(list, i) != previous)
                return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                        "gc_traversal: list %llu slot %zu is wrong",
                                        (unsigned long long)k, i);
        list = previous;
    }
    return HL_WORKLOAD_OK;
}

/* create_recursive_containers(n) into G_TOP, with the clock paused. */
static __attribute__((noinline)) hl_workload_status build(hl_workload_ctx *ctx) {
    hl_heap *heap = ctx->heap;
    const uint64_t n = ctx->size;
    uint64_t refs; /* n(n-1)/2 references at the end: refuse an impossible n first */
    if (__builtin_mul_overflow(n, n - (n > 0), &refs)) refs = UINT64_MAX;
    hl_workload_status fits =
        hl_workload_check_fits(ctx, refs / 2, sizeof(hl_object *), "[current_list] * n");
    if (fits != HL_WORKLOAD_OK) return fits;
    for (uint64_t k = 0; k < n; k++) {
        /* the previous list is in G_TOP (rooted) while its successor is allocated */
        hl_object *next = hl_list_new(heap, (size_t)k, hl_global_get(heap, G_TOP));
        if (next == NULL) {
            hl_status error = hl_heap_error(heap);
            hl_global_set(heap, G_TOP, NULL);
            return hl_workload_raise(ctx, error, "[current_list] * n");
        }
        hl_global_set(heap, G_TOP, next);
        hl_decref(heap, next);
    }
    return HL_WORKLOAD_OK;
}

static hl_workload_status gc_traversal_levels(hl_workload_ctx *ctx) {
    hl_heap *heap = ctx->heap;
    uint64_t before = hl_heap_live_objects(heap);
    hl_workload_pause(ctx);
    hl_workload_status status = build(ctx);
    if (status == HL_WORKLOAD_OK) hl_workload_at_peak(ctx);
    hl_workload_resume(ctx);
    if (status != HL_WORKLOAD_OK) return status;
    const bool precise = !hl_collector_is_conservative(hl_heap_collector(heap));
    const uint64_t live = hl_heap_live_objects(heap);
    for (int c = 0; c < GC_TRAVERSAL_COLLECTIONS && status == HL_WORKLOAD_OK; c++) {
        long found = hl_collect(heap, 2);
        if (hl_heap_live_objects(heap) != live || (precise && found != 0))
            status = hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                      "gc_traversal: gc.collect() %d found %ld unreachable "
                                      "objects and left %llu live, expected 0 and %llu",
                                      c + 1, found, (unsigned long long)hl_heap_live_objects(heap),
                                      (unsigned long long)live);
    }
    if (status == HL_WORKLOAD_OK) {
        hl_workload_pause(ctx);
        status = check_levels(ctx);
        hl_workload_resume(ctx);
    }
    hl_global_set(heap, G_TOP, NULL);
    if (status == HL_WORKLOAD_OK)
        status = hl_workload_collect_and_check(ctx, before, 0, G_PROBE, "gc_traversal");
    return status;
}

static const hl_workload_variant gc_traversal_variants[] = {
    {"levels", "n lists, list k holding k references to list k-1; repeated gc.collect()",
     gc_traversal_levels, HL_GROWS_HEAP},
};

const hl_workload hl_gc_traversal_workload = {
    .name = "gc_traversal",
    .summary = "pyperformance's gc_traversal: tracing n(n-1)/2 live references, nothing to free",
    .variants = gc_traversal_variants,
    .variant_count = sizeof gc_traversal_variants / sizeof gc_traversal_variants[0],
    .default_size = 1000,
    .sizes = {100, 300, 1000, 3000},
    .fail_alloc_size = 300,
};
