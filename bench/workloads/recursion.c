/* recursion: the seeds' function calls, one managed frame per call.
 *
 *   def recursive_function(x):             # recursion/sum
 *       if x == 0: return 0
 *       else: return x + recursive_function(x - 1)
 *
 *   b = 1                                  # recursion/calls
 *   def f(x):
 *       z = x + b
 *       return z
 *   total = 0
 *   for i in range(n): total += f(i)
 *
 * The story. CPython 3.11 runs a Python-to-Python call without recursing in C: the
 * interpreter pushes the callee's frame and goes on with its loop, and a return pops
 * the frame and hands the value to the caller. These variants are written the same
 * way: a call is hl_frame_push plus storing the argument into the new frame's first
 * local, a return is hl_frame_pop while C holds the return value (a new reference)
 * until the caller stores it. So the C stack never grows with the depth, depth 10^6
 * needs only heap, and past the recursion limit hl_frame_push returns
 * HL_RECURSION_ERROR (a clean RecursionError) even on a 256 KiB C stack.
 *
 * Each frame holds references only, as CPython's do: x, and a temporary slot that
 * plays the part of the value stack (the argument x - 1 before the call, the returned
 * value after it). Every int past 256 is a new boxed object.
 *
 * Rooting: across every object-creating call (hl_int_new, hl_frame_push) the objects
 * C still needs sit in frame locals or globals. A borrowed argument read from the
 * caller's temporary stays valid across the callee's hl_frame_push because the caller
 * frame, which holds it, is still on the frame chain.
 *
 * Arithmetic: Python's ints are unbounded, heaplab's boxed ints are int64. Sums are
 * computed modulo 2^64 (unsigned arithmetic, never signed overflow) both in the
 * workload and in the expected value, so the check stays exact at any size.
 */
#include <stdint.h>
#include <stdio.h>

#include "bench/workloads/workload.h"

static int64_t wrapping_add(int64_t a, int64_t b) {
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* Pop every frame above `base`, as an exception unwinds the Python stack. */
static void unwind_to(hl_heap *heap, size_t base) {
    while (hl_frame_depth(heap) > base)
        hl_frame_pop(heap);
}

/* ---- recursion/sum ---- */

enum { SUM_X, SUM_TMP, SUM_LOCALS };

static hl_workload_status recursion_sum(hl_workload_ctx *ctx) {
    hl_heap *heap = ctx->heap;
    const size_t base = hl_frame_depth(heap);
    const uint64_t n = ctx->size;
    hl_object *ret = NULL; /* the return value in flight: a new reference C owns */
    hl_workload_status status;

    /* The outermost call, recursive_function(n). */
    hl_status s = hl_frame_push(heap, SUM_LOCALS);
    if (s != HL_OK) return hl_workload_raise(ctx, s, "recursive_function(n)");
    hl_object *x = hl_int_new(heap, (int64_t)n);
    if (x == NULL) {
        status = hl_workload_raise(ctx, hl_heap_error(heap), "recursive_function: boxing n");
        goto unwind;
    }
    hl_local_set(heap, SUM_X, x);
    hl_decref(heap, x);

    /* Calls: while x != 0, evaluate x - 1 into the temporary and call. */
    for (;;) {
        int64_t xv = hl_int_value(hl_local_get(heap, SUM_X));
        if (xv == 0) break;
        hl_object *arg = hl_int_new(heap, xv - 1);
        if (arg == NULL) {
            status = hl_workload_raise(ctx, hl_heap_error(heap), "recursive_function: x - 1");
            goto unwind;
        }
        hl_local_set(heap, SUM_TMP, arg);
        hl_decref(heap, arg); /* borrowed from here on: the caller's temporary holds it */
        s = hl_frame_push(heap, SUM_LOCALS);
        if (s != HL_OK) {
            status = hl_workload_raise(ctx, s, "recursive_function(x - 1)");
            goto unwind;
        }
        hl_local_set(heap, SUM_X, arg);
    }

    /* The deepest call: n+1 frames are live, the peak of memory. */
    hl_workload_pause(ctx);
    hl_workload_at_peak(ctx);
    hl_workload_resume(ctx);

    /* Returns: the innermost call returns 0; every caller adds its x. */
    ret = hl_int_new(heap, 0);
    if (ret == NULL) {
        status = hl_workload_raise(ctx, hl_heap_error(heap), "recursive_function: return 0");
        goto unwind;
    }
    while (hl_frame_depth(heap) > base + 1) {
        hl_frame_pop(heap);
        hl_local_set(heap, SUM_TMP, ret); /* the caller receives the value... */
        hl_decref(heap, ret);             /* ...and C lets go of it */
        ret = NULL;
        int64_t sum = wrapping_add(hl_int_value(hl_local_get(heap, SUM_X)),
                                   hl_int_value(hl_local_get(heap, SUM_TMP)));
        ret = hl_int_new(heap, sum);
        if (ret == NULL) {
            status = hl_workload_raise(ctx, hl_heap_error(heap), "recursive_function: x + ...");
            goto unwind;
        }
    }
    hl_frame_pop(heap);

    /* n(n+1)/2 modulo 2^64: halve whichever factor is even first. */
    uint64_t expected = (n % 2 == 0) ? (n / 2) * (n + 1) : n * ((n + 1) / 2);
    int64_t got = hl_int_value(ret);
    hl_decref(heap, ret);
    if (got != (int64_t)expected)
        return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                "recursive_function(%llu) returned %lld, expected %lld",
                                (unsigned long long)n, (long long)got, (long long)expected);
    if (hl_frame_depth(heap) != base)
        return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "frame depth %zu after the call, not %zu",
                                hl_frame_depth(heap), base);
    return HL_WORKLOAD_OK;

unwind:
    hl_decref(heap, ret);
    unwind_to(heap, base);
    return status;
}

/* ---- recursion/calls ---- */

enum { G_B };                                   /* globals */
enum { MOD_I, MOD_TOTAL, MOD_TMP, MOD_LOCALS }; /* the module frame */
enum { F_X, F_Z, F_LOCALS };                    /* f's frame */
#define CALLS_B 1                               /* the seed's z = x + 1 */

static hl_workload_status recursion_calls(hl_workload_ctx *ctx) {
    hl_heap *heap = ctx->heap;
    const size_t base = hl_frame_depth(heap);
    const uint64_t n = ctx->size;
    hl_workload_status status;

    hl_object *b = hl_int_new(heap, CALLS_B);
    if (b == NULL) return hl_workload_raise(ctx, hl_heap_error(heap), "b = 1");
    hl_global_set(heap, G_B, b);
    hl_decref(heap, b);

    hl_status s = hl_frame_push(heap, MOD_LOCALS); /* the module's own frame */
    if (s != HL_OK) {
        status = hl_workload_raise(ctx, s, "module");
        goto unwind;
    }
    hl_object *zero = hl_int_new(heap, 0);
    if (zero == NULL) {
        status = hl_workload_raise(ctx, hl_heap_error(heap), "total = 0");
        goto unwind;
    }
    hl_local_set(heap, MOD_TOTAL, zero);
    hl_decref(heap, zero);

    for (uint64_t i = 0; i < n; i++) {
        hl_object *iv = hl_int_new(heap, (int64_t)i);
        if (iv == NULL) {
            status = hl_workload_raise(ctx, hl_heap_error(heap), "for i in range(n)");
            goto unwind;
        }
        hl_local_set(heap, MOD_I, iv);
        hl_decref(heap, iv); /* borrowed: the module frame's i holds it */

        s = hl_frame_push(heap, F_LOCALS); /* f(i) */
        if (s != HL_OK) {
            status = hl_workload_raise(ctx, s, "f(i)");
            goto unwind;
        }
        hl_local_set(heap, F_X, iv);
        int64_t zv = wrapping_add(hl_int_value(hl_local_get(heap, F_X)),
                                  hl_int_value(hl_global_get(heap, G_B)));
        hl_object *z = hl_int_new(heap, zv);
        if (z == NULL) {
            status = hl_workload_raise(ctx, hl_heap_error(heap), "f: z = x + b");
            goto unwind;
        }
        hl_local_set(heap, F_Z, z);
        /* return z: C keeps the reference hl_int_new gave it across the pop. */
        hl_frame_pop(heap);
        hl_local_set(heap, MOD_TMP, z);
        hl_decref(heap, z);

        int64_t tv = wrapping_add(hl_int_value(hl_local_get(heap, MOD_TOTAL)),
                                  hl_int_value(hl_local_get(heap, MOD_TMP)));
        hl_object *total = hl_int_new(heap, tv); /* total += f(i) */
        if (total == NULL) {
            status = hl_workload_raise(ctx, hl_heap_error(heap), "total += f(i)");
            goto unwind;
        }
        hl_local_set(heap, MOD_TOTAL, total);
        hl_decref(heap, total);
    }

    hl_workload_pause(ctx); /* every call had the same frames: sample after the last */
    hl_workload_at_peak(ctx);
    hl_workload_resume(ctx);

    /* sum(i + b for i < n) = n(n-1)/2 + n*b, modulo 2^64. */
    uint64_t tri = (n % 2 == 0) ? (n / 2) * (n - 1) : n * ((n - 1) / 2);
    uint64_t expected = tri + n * (uint64_t)CALLS_B;
    int64_t got = hl_int_value(hl_local_get(heap, MOD_TOTAL));
    unwind_to(heap, base);
    hl_global_set(heap, G_B, NULL);
    if (got != (int64_t)expected)
        return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                "total of f(i) for i < %llu is %lld, expected %lld",
                                (unsigned long long)n, (long long)got, (long long)expected);
    return HL_WORKLOAD_OK;

unwind:
    unwind_to(heap, base);
    hl_global_set(heap, G_B, NULL);
    return status;
}

static const hl_workload_variant recursion_variants[] = {
    {"sum", "recursive_function(n) = n + recursive_function(n-1): n+1 nested frames", recursion_sum,
     HL_GROWS_DEPTH},
    {"calls", "f(x): z = x + b, called n times: a frame, a global read and a local each",
     recursion_calls, HL_GROWS_TIME},
};

const hl_workload hl_recursion_workload = {
    .name = "recursion",
    .summary = "the seeds' function calls: one managed frame per call, checked sums",
    .variants = recursion_variants,
    .variant_count = sizeof recursion_variants / sizeof recursion_variants[0],
    .default_size = 10000,
    .sizes = {1000, 10000, 100000, 1000000},
    .fail_alloc_size = 200,
};
