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
