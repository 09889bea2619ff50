/* large_list: the seeds' heap-overflow example and its relatives.
 *
 *   large_list = [0] * n            # large_list/repeat: one shared small int, n references
 *   large_list = list(range(n))     # large_list/range: n boxed ints
 *   large_list = []                 # large_list/append: growth by over-allocation
 *   for i in range(n): large_list.append(i)
 *   del large_list
 *
 * The list is held by a global while it is built (so a collection that starts inside
 * hl_int_new sees it), checked in full with the clock paused, then dropped. Under the
 * counting collectors the drop frees everything at once, inside the timed region;
 * under mark_sweep the garbage waits for the next collection (at teardown here): that
 * deferral is the trade-off the comparison is meant to show, so no collection is
 * forced.
 *
 * A list that cannot be allocated, or that passes the heap limit, is the seeds' heap
 * overflow: a clean MemoryError (hl_list_new or hl_list_append fails, the heap stays
 * consistent, the partial list is dropped). repeat and range request their n slots at
 * once, so an impossible n is refused at that request; append checks n slots against
 * the heap limit before it starts (hl_workload_check_fits), so n = 10^12 never fills
 * memory up to the limit first.
 */
#include <stdint.h>
#include <stdio.h>

#include "bench/workloads/workload.h"

enum { G_LIST };

/* Every slot i holds an int whose value is value_of(i). Runs with the clock paused. */
static hl_workload_status check_list(hl_workload_ctx *ctx, const hl_object *list, uint64_t n,
                                     const hl_object *same, const char *what) {
    if (hl_list_length(list) != n)
        return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "%s: length %zu, expected %llu", what,
                                hl_list_length(list), (unsigned long long)n);
    for (uint64_t i = 0; i < n; i++) {
        const hl_object *item = hl_list_get(list, (size_t)i);
        bool ok = same != NULL ? item == same : item != NULL && hl_int_value(item) == (int64_t)i;
        if (!ok)
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "%s: wrong item at index %llu", what,
                                    (unsigned long long)i);
    }
    return HL_WORKLOAD_OK;
}

/* The list is complete: sample the peak, check it, drop it. */
static hl_workload_status finish(hl_workload_ctx *ctx, uint64_t n, const hl_object *same,
                                 const char *what) {
    hl_workload_pause(ctx);
    hl_workload_at_peak(ctx);
    hl_workload_status status = check_list(ctx, hl_global_get(ctx->heap, G_LIST), n, same, what);
    hl_workload_resume(ctx);
    hl_global_set(ctx->heap, G_LIST, NULL); /* del large_list */
    return status;
}

static hl_workload_status large_list_repeat(hl_workload_ctx *ctx) {
    hl_heap *heap = ctx->heap;
    /* Small ints are preallocated and never freed, so holding `zero` in C across
     * hl_list_new needs no root. */
    hl_object *zero = hl_int_new(heap, 0);
    if (zero == NULL) return hl_workload_raise(ctx, hl_heap_error(heap), "[0] * n: boxing 0");
    hl_object *list = hl_list_new(heap, (size_t)ctx->size, zero);
    if (list == NULL) {
        hl_decref(heap, zero);
        return hl_workload_raise(ctx, hl_heap_error(heap), "[0] * n");
    }
    hl_global_set(heap, G_LIST, list);
    hl_decref(heap, list);
    hl_workload_status status = finish(ctx, ctx->size, zero, "[0] * n");
    hl_decref(heap, zero);
    return status;
}

static hl_workload_status large_list_range(hl_workload_ctx *ctx) {
    hl_heap *heap = ctx->heap;
    const uint64_t n = ctx->size;
    /* list(range(n)) knows its length up front, so the list is allocated once. */
    hl_object *list = hl_list_new(heap, (size_t)n, NULL);
    if (list == NULL) return hl_workload_raise(ctx, hl_heap_error(heap), "list(range(n))");
    hl_global_set(heap, G_LIST, list);
    hl_decref(heap, list); /* borrowed from here on: the global holds it */
    for (uint64_t i = 0; i < n; i++) {
        hl_object *item = hl_int_new(heap, (int64_t)i);
        if (item == NULL) {
            char where[64];
            snprintf(where, sizeof where, "list(range(n)) at item %llu", (unsigned long long)i);
            hl_global_set(heap, G_LIST, NULL);
            return hl_workload_raise(ctx, hl_heap_error(heap), where);
        }
        hl_list_set(heap, list, (size_t)i, item);
        hl_decref(heap, item);
    }
    return finish(ctx, n, NULL, "list(range(n))");
}

static hl_workload_status large_list_append(hl_workload_ctx *ctx) {
    hl_heap *heap = ctx->heap;
    const uint64_t n = ctx->size;
    /* n appends end with at least n slots: an impossible n fails at once. */
    hl_workload_status fits =
        hl_workload_check_fits(ctx, n, sizeof(hl_object *), "large_list.append(i)");
    if (fits != HL_WORKLOAD_OK) return fits;
    hl_object *list = hl_list_new(heap, 0, NULL);
    if (list == NULL) return hl_workload_raise(ctx, hl_heap_error(heap), "large_list = []");
    hl_global_set(heap, G_LIST, list);
    hl_decref(heap, list);
    for (uint64_t i = 0; i < n; i++) {
        hl_object *item = hl_int_new(heap, (int64_t)i);
        hl_status s = item == NULL ? hl_heap_error(heap) : hl_list_append(heap, list, item);
        hl_decref(heap, item); /* NULL is allowed */
        if (s != HL_OK) {
            char where[64];
            snprintf(where, sizeof where, "large_list.append(%llu)", (unsigned long long)i);
            hl_global_set(heap, G_LIST, NULL);
            return hl_workload_raise(ctx, s, where);
        }
    }
    return finish(ctx, n, NULL, "large_list.append(i)");
}

static const hl_workload_variant large_list_variants[] = {
    {"repeat", "[0] * n: one list of n references to one shared small int", large_list_repeat,
     HL_GROWS_HEAP},
    {"range", "list(range(n)): one list, n boxed ints", large_list_range, HL_GROWS_HEAP},
    {"append", "n appends from empty: growth by CPython's over-allocation", large_list_append,
     HL_GROWS_HEAP},
};

const hl_workload hl_large_list_workload = {
    .name = "large_list",
    .summary = "the seeds' [0] * n heap overflow and its relatives; the list is then dropped",
    .variants = large_list_variants,
    .variant_count = sizeof large_list_variants / sizeof large_list_variants[0],
    .default_size = 1000000,
    .sizes = {10000, 100000, 1000000, 10000000, 100000000},
    /* [0] * n makes its few allocations at any n; range and append one or two per item */
    .fail_alloc_size = 600,
};
