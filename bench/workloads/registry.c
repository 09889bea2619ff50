/* The workload registry. A workload is one file in bench/workloads/ defining
 * `const hl_workload hl_<name>_workload` plus one X(<name>) line in HL_WORKLOADS below;
 * the line declares it and puts it in the table, so no header names it. The order is
 * the order `heaplab list workloads` prints and batches run. (tests/registries.cmake
 * reads the X(<name>) lines.) */
#include <stdio.h>
#include <string.h>

#include "bench/workloads/workload.h"
#include "collectors/collector.h"

/* One X(<name>) per line, each ending in a backslash, so adding one is a one-line diff. */
#define HL_WORKLOADS(X)                                                                            \
    X(recursion)                                                                                   \
    X(large_list)                                                                                  \
    X(cyclic_graph)                                                                                \
    X(gcbench)                                                                                     \
    X(gc_traversal)                                                                                \
    X(cycle_churn)                                                                                 \
    X(growing_heap)                                                                                \
    /* (end of the list) */

#define HL_DECLARE(name) extern const hl_workload hl_##name##_workload;
HL_WORKLOADS(HL_DECLARE)

#define HL_ENTRY(name) &hl_##name##_workload,
const hl_workload *const hl_workload_registry[] = {HL_WORKLOADS(HL_ENTRY) NULL};

const hl_workload *hl_workload_find(const char *name) {
    for (size_t i = 0; hl_workload_registry[i] != NULL; i++)
        if (strcmp(hl_workload_registry[i]->name, name) == 0) return hl_workload_registry[i];
    return NULL;
}

const hl_workload_variant *hl_workload_variant_find(const hl_workload *w, const char *variant) {
    for (size_t i = 0; i < w->variant_count; i++)
        if (strcmp(w->variants[i].name, variant) == 0) return &w->variants[i];
    return NULL;
}

void hl_workload_names(char *out, size_t out_size) {
    size_t used = 0;
    if (out_size == 0) return;
    out[0] = '\0';
    for (size_t i = 0; hl_workload_registry[i] != NULL; i++) {
        const hl_workload *w = hl_workload_registry[i];
        for (size_t v = 0; v < w->variant_count; v++) {
            int n = snprintf(out + used, out_size - used, "%s%s/%s", used ? ", " : "", w->name,
                             w->variants[v].name);
            if (n < 0 || (size_t)n >= out_size - used) return; /* truncated, still a string */
            used += (size_t)n;
        }
    }
}

bool hl_workload_collects_cycles(const hl_collector_ops *collector) {
    return hl_collector_reclaims_cycles(collector);
}

const char *hl_workload_status_name(hl_workload_status status) {
    switch (status) {
    case HL_WORKLOAD_OK:
        return "ok";
    case HL_WORKLOAD_MEMORY_ERROR:
        return "memory_error";
    case HL_WORKLOAD_RECURSION_ERROR:
        return "recursion_error";
    case HL_WORKLOAD_FAILED:
        return "failed";
    }
    return "failed";
}

hl_workload_status hl_workload_fail(hl_workload_ctx *ctx, hl_workload_status status,
                                    const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vsnprintf(ctx->message, sizeof ctx->message, format, ap);
    va_end(ap);
    return status;
}

hl_workload_status hl_workload_raise(hl_workload_ctx *ctx, hl_status error, const char *where) {
    switch (error) {
    case HL_MEMORY_ERROR:
        return hl_workload_fail(ctx, HL_WORKLOAD_MEMORY_ERROR,
                                "MemoryError: allocation failed in %s", where);
    case HL_RECURSION_ERROR:
        return hl_workload_fail(ctx, HL_WORKLOAD_RECURSION_ERROR,
                                "RecursionError: maximum recursion depth exceeded in %s "
                                "(depth %zu)",
                                where, hl_frame_depth(ctx->heap));
    case HL_OK:
        break;
    }
    /* A NULL without an error set is an API contract violation: report it as a bug. */
    return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "%s failed without a heap error", where);
}

hl_workload_status hl_workload_check_fits(hl_workload_ctx *ctx, uint64_t count, uint64_t min_bytes,
                                          const char *where) {
    uint64_t room = hl_heap_room(ctx->heap); /* UINT64_MAX: no budget */
    if (room == UINT64_MAX) return HL_WORKLOAD_OK;
    uint64_t need;
    if (!__builtin_mul_overflow(count, min_bytes, &need) && need <= room) return HL_WORKLOAD_OK;
    return hl_workload_fail(ctx, HL_WORKLOAD_MEMORY_ERROR,
                            "MemoryError: %s cannot fit: n = %llu needs at least %llu x %llu "
                            "bytes",
                            where, (unsigned long long)count, (unsigned long long)count,
                            (unsigned long long)min_bytes);
}

/* ---- the reclaim check after a final gc.collect() ----
 *
 * A conservative collector (boehm) scans the C stack and registers, so a stale pointer
 * in a dead frame can keep dropped garbage alive for no fault of the collector's: the
 * collection runs from a frame that holds no object, with the stack below it zeroed
 * first (as cyclic_graph.c does), and a shortfall is accepted only when a dropped probe
 * cycle made afterwards is reclaimed (proof that the collector collects at all). */
#define NOINLINE __attribute__((noinline))

static NOINLINE void scrub_stack(void) {
    volatile unsigned char area[16384];
    for (size_t i = 0; i < sizeof area; i++)
        area[i] = 0;
}

static NOINLINE long collect_clean(hl_heap *heap) {
    scrub_stack();
    return hl_collect(heap, 2);
}

/* The probe: PROBE_PAIRS pair cycles, each made in global `slot` and dropped, in a frame
 * that has returned. Several pairs, not one: one stale word (libgc's mmap hint,
 * docs/collectors.md "Known retention", or a dead frame's) keeps at most one of them,
 * and an ASan build was seen keeping a lone probe pair. */
#define PROBE_PAIRS 8

static NOINLINE bool make_probe(hl_heap *heap, size_t slot) {
    for (int i = 0; i < PROBE_PAIRS; i++) {
        hl_object *a = hl_record_new(heap, 1, NULL, NULL);
        if (a == NULL) return false;
        hl_global_set(heap, slot, a);
        hl_object *b = hl_record_new(heap, 1, NULL, NULL);
        if (b != NULL) {
            hl_record_set(heap, a, 0, b);
            hl_record_set(heap, b, 0, a);
            hl_decref(heap, b);
        }
        hl_decref(heap, a);
        hl_global_set(heap, slot, NULL);
        if (b == NULL) return false;
    }
    return true;
}

/* Whether one more clean gc.collect() reclaimed at least one probe pair. */
static bool probe_reclaimed(hl_heap *heap, size_t slot) {
    uint64_t live = hl_heap_live_objects(heap);
    if (!make_probe(heap, slot)) return false;
    /* collect_clean's own frame lands where make_probe's was: zero it first */
    scrub_stack();
    collect_clean(heap);
    return hl_heap_live_objects(heap) + 2 <= live + 2 * PROBE_PAIRS;
}

static NOINLINE hl_workload_status check_after_collect(hl_workload_ctx *ctx, uint64_t kept,
                                                       uint64_t leak, size_t probe_slot,
                                                       const char *what);

/* The variant's build frame has just returned and its stale words lie where this check's
 * frames will be: the stack below is zeroed before the check's frame is made. */
hl_workload_status hl_workload_collect_and_check(hl_workload_ctx *ctx, uint64_t kept, uint64_t leak,
                                                 size_t probe_slot, const char *what) {
    scrub_stack();
    return check_after_collect(ctx, kept, leak, probe_slot, what);
}

static NOINLINE hl_workload_status check_after_collect(hl_workload_ctx *ctx, uint64_t kept,
                                                       uint64_t leak, size_t probe_slot,
                                                       const char *what) {
    hl_heap *heap = ctx->heap;
    uint64_t live_before = hl_heap_live_objects(heap);
    long found = collect_clean(heap);
    uint64_t live = hl_heap_live_objects(heap);
    if (ctx->collects_cycles && hl_collector_is_conservative(hl_heap_collector(heap))) {
        if (live < kept || live > live_before)
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                    "%s: %llu objects live after gc.collect(), expected "
                                    "%llu..%llu",
                                    what, (unsigned long long)live, (unsigned long long)kept,
                                    (unsigned long long)live_before);
        uint64_t garbage = live_before - kept, reclaimed = live_before - live;
        /* A few objects kept are one stale word's worth (a list, a pair, one group), not
         * a collector that does not collect (ASan builds keep one dropped list and the
         * probe pair after it at n = 1 in-process). */
        if (garbage - reclaimed > HL_WORKLOAD_CONSERVATIVE_SLACK &&
            reclaimed * 100 < (uint64_t)HL_WORKLOAD_CONSERVATIVE_PERCENT * garbage &&
            !probe_reclaimed(heap, probe_slot))
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                    "%s: a conservative gc.collect() reclaimed %llu of the %llu "
                                    "dropped objects (at least %d%% expected) and kept all %d "
                                    "dropped probe cycles too",
                                    what, (unsigned long long)reclaimed,
                                    (unsigned long long)garbage, HL_WORKLOAD_CONSERVATIVE_PERCENT,
                                    PROBE_PAIRS);
        if (found < 0 || (uint64_t)found < reclaimed)
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                    "%s: gc.collect() found %ld unreachable objects but %llu "
                                    "were reclaimed",
                                    what, found, (unsigned long long)reclaimed);
    } else if (ctx->collects_cycles) {
        if (live != kept)
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                    "%s: %llu objects live after gc.collect(), expected %llu: "
                                    "%lld dropped objects were not reclaimed",
                                    what, (unsigned long long)live, (unsigned long long)kept,
                                    (long long)(live - kept));
    } else if (live != kept + leak) {
        return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                "%s: %llu objects live, expected %llu (%llu kept and %llu in "
                                "the dropped cycles)",
                                what, (unsigned long long)live, (unsigned long long)(kept + leak),
                                (unsigned long long)kept, (unsigned long long)leak);
    }
    return HL_WORKLOAD_OK;
}
