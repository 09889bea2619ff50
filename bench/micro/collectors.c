/* Collector micro-benchmarks (Google Benchmark over the C binding, bench/gbench.h),
 * built as build/heaplab-micro-collectors; all on the libc allocator.
 *
 *   full_collection/rc_cycle, full_collection/mark_sweep
 *       5 x 10^5 Person pairs (Person(name, partner), each the other's partner, the
 *       names two shared strings) are built while rooted, then dropped, with the timer
 *       paused; only hl_collect(heap, 2) is timed. Counter ns_per_object: the
 *       collection's time divided by the 10^6 dead persons.
 *   refpair/refcount, refpair/mark_sweep
 *       the same code path, hl_incref on one object and hl_decref on another, over
 *       4096 records: under refcount the count traffic, under mark_sweep the flag test
 *       that makes both a no-op. Counter ns_per_pair. The compiler unswitches this
 *       loop on the (loop-invariant) flag, so under mark_sweep the whole loop vanishes.
 *   refpair_barrier/refcount, refpair_barrier/mark_sweep
 *       the same with a compiler barrier after each pair: the flag is tested per pair.
 *   store/refcount, store/mark_sweep
 *       hl_record_set (incref the new value, decref the old one) in the same loop.
 *
 * Run: build/heaplab-micro-collectors --benchmark_repetitions=5
 *      --benchmark_report_aggregates_only=true
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/gbench.h"
#include "collectors/heap.h"

#define PAIRS 500000
#define REFS 4096

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef struct bench_heap {
    hl_allocator alloc;
    hl_heap *heap;
} bench_heap;

static bool bench_open(bench_heap *b, const char *collector, hl_bench_state *st) {
    const char *err = NULL;
    if (!hl_allocator_init(&b->alloc, hl_allocator_find("libc"), &err)) {
        hl_bench_skip_with_error(st, err != NULL ? err : "allocator");
        return false;
    }
    hl_heap_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.collector = hl_collector_find(collector);
    cfg.allocator = &b->alloc;
    if (cfg.collector == NULL || hl_heap_create(&cfg, &b->heap) != HL_OK) {
        hl_allocator_fini(&b->alloc);
        hl_bench_skip_with_error(st, "cannot create the heap");
        return false;
    }
    return true;
}

static void bench_close(bench_heap *b) {
    hl_heap_destroy(b->heap);
    hl_allocator_fini(&b->alloc);
}

static hl_object *new_str(hl_heap *h, const char *s) {
    return hl_str_new(h, s, strlen(s));
}

/* Build PAIRS Person pairs kept by a list in global 2, then drop the list. */
static bool build_dropped_pairs(hl_heap *h) {
    hl_object *alice = new_str(h, "Alice"), *bob = new_str(h, "Bob");
    if (alice == NULL || bob == NULL) return false;
    hl_global_set(h, 0, alice);
    hl_global_set(h, 1, bob);
    hl_decref(h, alice);
    hl_decref(h, bob);
    hl_object *keep = hl_list_new(h, 0, NULL);
    if (keep == NULL) return false;
    hl_global_set(h, 2, keep);
    hl_decref(h, keep);
    for (long i = 0; i < PAIRS; i++) {
        hl_object *a = hl_record_new(h, 2, NULL, NULL);
        if (a == NULL || hl_list_append(h, keep, a) != HL_OK) return false;
        hl_decref(h, a);
        hl_object *b = hl_record_new(h, 2, NULL, NULL);
        if (b == NULL || hl_list_append(h, keep, b) != HL_OK) return false;
        hl_decref(h, b);
        hl_record_set(h, a, 0, alice);
        hl_record_set(h, b, 0, bob);
        hl_record_set(h, a, 1, b);
        hl_record_set(h, b, 1, a);
    }
    hl_global_set(h, 2, NULL); /* drop: only the cycles keep the persons now */
    return true;
}

static void bm_full_collection(hl_bench_state *st, void *arg) {
    const char *collector = arg;
    uint64_t timed_ns = 0, iterations = 0;
    long found = 0;
    while (hl_bench_keep_running(st)) {
        hl_bench_pause_timing(st);
        bench_heap b;
        if (!bench_open(&b, collector, st)) break;
        if (!build_dropped_pairs(b.heap)) {
            bench_close(&b);
            hl_bench_skip_with_error(st, "out of memory while building");
            break;
        }
        hl_bench_resume_timing(st);
        uint64_t t0 = now_ns();
        found = hl_collect(b.heap, 2);
        timed_ns += now_ns() - t0;
        iterations++;
        hl_bench_pause_timing(st);
        bench_close(&b);
        hl_bench_resume_timing(st);
    }
    if (iterations == 0) return;
    hl_bench_set_counter(st, "ns_per_object", (double)timed_ns / (double)iterations / (2.0 * PAIRS),
                         HL_COUNTER_DEFAULT);
    hl_bench_set_counter(st, "found", (double)found, HL_COUNTER_DEFAULT);
}

/* The pair under test; noinline so both collectors run the same machine code. */
__attribute__((noinline)) static void ref_pairs(hl_heap *h, hl_object **objs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        hl_incref(h, objs[i]);
        hl_decref(h, objs[i ^ 1]);
    }
}

/* The same pair with a compiler barrier after each: the heap's flag is reloaded every
 * time, as in code where the compiler cannot prove the heap unchanged (calls between
 * reference operations), so the loop cannot be unswitched away under mark_sweep. */
__attribute__((noinline)) static void ref_pairs_barrier(hl_heap *h, hl_object **objs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        hl_incref(h, objs[i]);
        hl_decref(h, objs[i ^ 1]);
        __asm__ volatile("" ::: "memory");
    }
}

__attribute__((noinline)) static void stores(hl_heap *h, hl_object *holder, hl_object **objs,
                                             size_t n) {
    for (size_t i = 0; i < n; i++)
        hl_record_set(h, holder, 0, objs[i]);
}

typedef struct ref_setup {
    bench_heap b;
    hl_object *objs[REFS];
    hl_object *holder;
} ref_setup;

static bool ref_fail(ref_setup *r, hl_bench_state *st) {
    bench_close(&r->b);
    hl_bench_skip_with_error(st, "out of memory while building");
    return false;
}

static bool ref_open(ref_setup *r, const char *collector, hl_bench_state *st) {
    if (!bench_open(&r->b, collector, st)) return false;
    hl_heap *h = r->b.heap;
    hl_object *keep = hl_list_new(h, 0, NULL);
    if (keep == NULL) return ref_fail(r, st);
    hl_global_set(h, 0, keep);
    hl_decref(h, keep);
    for (size_t i = 0; i < REFS + 1; i++) {
        hl_object *o = hl_record_new(h, 1, NULL, NULL);
        if (o == NULL || hl_list_append(h, keep, o) != HL_OK) return ref_fail(r, st);
        hl_incref(h, o); /* two references each: the pair loop never reaches zero */
        if (i < REFS)
            r->objs[i] = o;
        else
            r->holder = o;
    }
    return true;
}

static void bm_refpair(hl_bench_state *st, void *arg) {
    static ref_setup r; /* one benchmark at a time */
    if (!ref_open(&r, arg, st)) return;
    uint64_t t0 = now_ns(), n = 0;
    while (hl_bench_keep_running(st)) {
        ref_pairs(r.b.heap, r.objs, REFS);
        n += REFS;
    }
    uint64_t ns = now_ns() - t0;
    hl_bench_set_counter(st, "ns_per_pair", (double)ns / (double)n, HL_COUNTER_DEFAULT);
    bench_close(&r.b);
}

static void bm_refpair_barrier(hl_bench_state *st, void *arg) {
    static ref_setup r;
    if (!ref_open(&r, arg, st)) return;
    uint64_t t0 = now_ns(), n = 0;
    while (hl_bench_keep_running(st)) {
        ref_pairs_barrier(r.b.heap, r.objs, REFS);
        n += REFS;
    }
    uint64_t ns = now_ns() - t0;
    hl_bench_set_counter(st, "ns_per_pair", (double)ns / (double)n, HL_COUNTER_DEFAULT);
    bench_close(&r.b);
}

static void bm_store(hl_bench_state *st, void *arg) {
    static ref_setup r;
    if (!ref_open(&r, arg, st)) return;
    uint64_t t0 = now_ns(), n = 0;
    while (hl_bench_keep_running(st)) {
        stores(r.b.heap, r.holder, r.objs, REFS);
        n += REFS;
    }
    uint64_t ns = now_ns() - t0;
    hl_bench_set_counter(st, "ns_per_store", (double)ns / (double)n, HL_COUNTER_DEFAULT);
    bench_close(&r.b);
}

int main(int argc, char **argv) {
    const char *err = NULL;
    if (!hl_allocator_prepare_process(hl_allocator_find("libc"), argv, &err)) {
        fprintf(stderr, "heaplab-micro-collectors: %s\n", err != NULL ? err : "cannot start");
        return 1;
    }
    hl_bench_initialize(&argc, argv);
    hl_bench_options full = {0};
    full.iterations = 3;
    full.use_real_time = true;
    hl_bench_register("full_collection/rc_cycle", bm_full_collection, (void *)"rc_cycle", &full);
    hl_bench_register("full_collection/mark_sweep", bm_full_collection, (void *)"mark_sweep",
                      &full);
    hl_bench_register("refpair/refcount", bm_refpair, (void *)"refcount", NULL);
    hl_bench_register("refpair/mark_sweep", bm_refpair, (void *)"mark_sweep", NULL);
    hl_bench_register("refpair_barrier/refcount", bm_refpair_barrier, (void *)"refcount", NULL);
    hl_bench_register("refpair_barrier/mark_sweep", bm_refpair_barrier, (void *)"mark_sweep", NULL);
    hl_bench_register("store/refcount", bm_store, (void *)"refcount", NULL);
    hl_bench_register("store/mark_sweep", bm_store, (void *)"mark_sweep", NULL);
    hl_bench_run(NULL, NULL);
    return 0;
}
