/* heaplab workloads: the seed articles' programs, written against the object API.
 *
 * A workload is one file in bench/workloads/ defining one `const hl_workload
 * hl_<name>_workload` plus one X(<name>) line in bench/workloads/registry.c, which
 * declares it (no header names a workload; code reaches one through
 * hl_workload_registry or hl_workload_find). It has variants
 * ("recursion/sum"); each variant is a function that runs the program once on a fresh
 * heap, at a given size, and checks its own result, so a broken collector can never
 * produce a fast wrong number.
 *
 * The contract of a variant's run function:
 * - The heap is fresh (created by the caller, torn down by the caller) and its global
 *   slots are the workload's to use.
 * - It speaks only the object API (collectors/heap.h) and obeys its rooting rule:
 *   whatever C keeps across an object-creating call is reachable from a global, a
 *   frame local or a handle.
 * - It returns a status. HL_WORKLOAD_MEMORY_ERROR and HL_WORKLOAD_RECURSION_ERROR are
 *   the program's own MemoryError/RecursionError (a results row, not a bug);
 *   HL_WORKLOAD_FAILED means the result check failed (a heaplab bug). In every case
 *   `ctx->message` says what happened and the heap is consistent (the caller can
 *   destroy it); a variant unwinds its frames and clears its globals before returning.
 * - It calls the hooks (when set) at the points they describe; the caller's clock is
 *   paused between pause() and resume(), so checks that walk the whole structure cost
 *   the timing nothing.
 */
#ifndef HEAPLAB_BENCH_WORKLOADS_WORKLOAD_H
#define HEAPLAB_BENCH_WORKLOADS_WORKLOAD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/heap.h"

typedef enum hl_workload_status {
    HL_WORKLOAD_OK = 0,
    HL_WORKLOAD_MEMORY_ERROR,    /* an allocation failed or passed the heap limit */
    HL_WORKLOAD_RECURSION_ERROR, /* a call passed the recursion limit */
    HL_WORKLOAD_FAILED,          /* the result check failed */
} hl_workload_status;

/* Callbacks from a running variant to whoever measures it. Any may be NULL. */
typedef struct hl_workload_hooks {
    void *data;
    /* Stop and restart the clock (Google Benchmark's PauseTiming/ResumeTiming). */
    void (*pause)(void *data);
    void (*resume)(void *data);
    /* The structure is complete and still held: the moment of peak memory, just
     * before the variant drops it. Called while the clock is paused. */
    void (*at_peak)(void *data, hl_heap *heap);
} hl_workload_hooks;

typedef struct hl_workload_ctx {
    hl_heap *heap;
    uint64_t size; /* n: depth, list length, objects */
    uint64_t seed; /* for the random variants */
    /* Whether the collector reclaims unreachable cycles (every collector but
     * refcount): decides what the cyclic workloads expect after their collection. */
    bool collects_cycles;
    hl_workload_hooks hooks;
    char message[256]; /* out: one line, set when the status is not OK */
} hl_workload_ctx;

typedef hl_workload_status (*hl_workload_fn)(hl_workload_ctx *ctx);

/* What a variant's memory grows with as n grows, and so what an n too large to run
 * does. Declared by the variant; the tests read it (stress.limits: an impossible n). */
typedef enum hl_workload_growth {
    /* n objects or references held at the peak: an n that cannot fit ends in a prompt
     * MemoryError (the up-front request, or hl_workload_check_fits). */
    HL_GROWS_HEAP = 0,
    /* n nested frames: past the recursion limit, a RecursionError. */
    HL_GROWS_DEPTH,
    /* constant memory: only the time grows with n (any n runs, for as long as it takes). */
    HL_GROWS_TIME,
} hl_workload_growth;

typedef struct hl_workload_variant {
    const char *name;    /* "sum" */
    const char *summary; /* one line for `heaplab list workloads` */
    hl_workload_fn run;
    hl_workload_growth growth;
} hl_workload_variant;

#define HL_WORKLOAD_MAX_SIZES 8

typedef struct hl_workload {
    const char *name;    /* "recursion" */
    const char *summary; /* one line */
    const hl_workload_variant *variants;
    size_t variant_count;
    uint64_t default_size; /* `heaplab run` without --size */
    /* The size ladder a full sweep uses, ascending, 0-terminated. */
    uint64_t sizes[HL_WORKLOAD_MAX_SIZES];
    /* The size at which the allocation-failure suite runs every variant
     * (tests/test_fail_alloc.c: each allocation attempt of a run fails in turn, so a run
     * costs one re-run per attempt). Choose it so that a run makes a few hundred
     * attempts: the suite fails a variant that makes more than 2,000 (too slow for
     * every-N injection) or none beyond the heap's own set-up (nothing injected would
     * reach the variant). */
    uint64_t fail_alloc_size;
} hl_workload;

/* The registry (bench/workloads/registry.c): every workload, NULL-terminated. */
extern const hl_workload *const hl_workload_registry[];

const hl_workload *hl_workload_find(const char *name);
const hl_workload_variant *hl_workload_variant_find(const hl_workload *w, const char *variant);
/* Every "workload/variant", comma-separated (for messages), into `out`. */
void hl_workload_names(char *out, size_t out_size);
/* Whether `collector` reclaims unreachable cycles (hl_collector_reclaims_cycles: every
 * collector but refcount). What ctx->collects_cycles is set from. */
bool hl_workload_collects_cycles(const hl_collector_ops *collector);
/* Name of a status: "ok", "memory_error", "recursion_error", "failed" (the results
 * schema's spelling). */
const char *hl_workload_status_name(hl_workload_status status);

/* ---- helpers for the variants (registry.c) ---- */

/* Set ctx->message and return `status`. */
hl_workload_status hl_workload_fail(hl_workload_ctx *ctx, hl_workload_status status,
                                    const char *format, ...) __attribute__((format(printf, 3, 4)));
/* Turn the heap's error (after a NULL or a failed status) into the workload's status
 * and a message naming `where`. */
hl_workload_status hl_workload_raise(hl_workload_ctx *ctx, hl_status error, const char *where);

/* A structure that grows object by object (appends, a tree) makes no single request the
 * heap limit could refuse up front, so at an impossible size (n = 10^12) it would fill
 * memory up to the limit before its MemoryError. This checks first: when `count`
 * objects of at least `min_bytes` each (a lower bound: never refuses a run that could
 * fit) exceed what the heap limit leaves, it returns HL_WORKLOAD_MEMORY_ERROR with a
 * message naming `where`; else HL_WORKLOAD_OK. No limit, no check. */
hl_workload_status hl_workload_check_fits(hl_workload_ctx *ctx, uint64_t count, uint64_t min_bytes,
                                          const char *where);

/* What a conservative collector (boehm) must reclaim of the garbage a final gc.collect()
 * finds, in percent, unless it proves it collects at all by reclaiming a dropped probe
 * cycle (docs/workloads.md, "What the cyclic checks demand"). */
#define HL_WORKLOAD_CONSERVATIVE_PERCENT 90
/* ...and how many kept objects pass without either: what one stale word keeps of the
 * smallest things these workloads drop (a list, a pair and a probe), fewer than any of
 * them drops at the sizes the tests run without collecting (20 at the least). */
#define HL_WORKLOAD_CONSERVATIVE_SLACK 8

/* The final check of a workload that keeps a structure and drops garbage: one
 * gc.collect() (timed: it is part of the run), from a frame holding no object with the
 * stack below it zeroed, then the live object count against what the collector must
 * leave. `kept` is every object that must survive (those live before the workload
 * included); `leak` the dropped objects that lie on or hang from cycles, which
 * reference counting alone cannot free.
 * - precise and reclaiming cycles (rc_cycle, mark_sweep): exactly `kept` stay;
 * - conservative (boehm): at least `kept` and at most what was live before; at most
 *   HL_WORKLOAD_CONSERVATIVE_SLACK objects of the garbage kept, or at least
 *   HL_WORKLOAD_CONSERVATIVE_PERCENT of it reclaimed, or else one of 8 dropped probe
 *   pair cycles (made in global `probe_slot`) must be;
 * - not reclaiming cycles (refcount): exactly `kept` + `leak` stay.
 * So a collection that does nothing (HEAPLAB_TEST_NO_COLLECT=1) fails wherever the
 * result depends on it. `what` names the workload in the message. */
hl_workload_status hl_workload_collect_and_check(hl_workload_ctx *ctx, uint64_t kept, uint64_t leak,
                                                 size_t probe_slot, const char *what);

static inline void hl_workload_pause(hl_workload_ctx *ctx) {
    if (ctx->hooks.pause != NULL) ctx->hooks.pause(ctx->hooks.data);
}
static inline void hl_workload_resume(hl_workload_ctx *ctx) {
    if (ctx->hooks.resume != NULL) ctx->hooks.resume(ctx->hooks.data);
}
static inline void hl_workload_at_peak(hl_workload_ctx *ctx) {
    if (ctx->hooks.at_peak != NULL) ctx->hooks.at_peak(ctx->hooks.data, ctx->heap);
}

#endif
