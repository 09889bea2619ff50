/* Allocation-failure injection, SQLite style (issue 6, item 1; docs/stress.md).
 *
 * usage: test_fail_alloc ALLOCATOR [COLLECTOR...]
 *        test_fail_alloc --self-test
 *
 * For every workload variant of the registry x collector (every collector of the
 * registry by default), at the size its workload declares for this suite
 * (hl_workload.fail_alloc_size: chosen so that a run makes a few hundred allocation
 * attempts; the suite fails a variant whose run makes more than MAX_ATTEMPTS, or no
 * attempt beyond what the heap's own set-up and teardown make):
 *
 * 1. A clean run (injection armed at an attempt that never comes) counts the run's
 *    allocation attempts, as hl_alloc_refuse counts them: every hl_alloc and every
 *    growing hl_realloc through the hl_allocator, heap set-up and teardown included.
 *    That is exactly what `heaplab run --fail-alloc-at N` numbers.
 * 2. The run is repeated with attempt N failing, for N = 1, 2, ..., count (every N when
 *    count <= 10,000; else the first 100, the last 100 and an even spread of 10,000
 *    between: fail_points()), and for N = count + 1 and N = count + 1000.
 *    Each run goes through the same steps as one iteration of `heaplab run`: a fresh
 *    allocator instance with fail_at = N, a heap with the statistics listener, the
 *    variant, hl_heap_destroy, hl_allocator_fini. It must end:
 *    - N <= count: status memory_error with a "MemoryError" message (or the heap's own
 *      set-up failed, which `run` reports as a MemoryError too), and the injected
 *      failure is the allocator's only failure;
 *    - N > count: status ok, no failure;
 *    - always: no frame left, and after hl_heap_destroy the allocator holds 0 live
 *      bytes and counted as many frees as allocations.
 *    A crash ends the program (ctest sees it); under the sanitizer build ASan reports
 *    any use of a freed object and, since the program returns from main normally,
 *    LeakSanitizer checks at exit that nothing allocated leaked.
 * 3. Prints the number of fault-injection runs per variant and in total.
 *
 * Collectors that serve objects from their own allocator (boehm: libgc's GC_MALLOC) are
 * skipped with a note: the injection lives in the hl_allocator, which under boehm serves
 * only the heap's bookkeeping, so "the Nth allocation fails" would not reach the
 * objects.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/workloads/workload.h"
#include "collectors/collector.h"
#include "collectors/stats.h"
#include "check.h"

/* ---- which N ---- */

enum { EVERY_N_UP_TO = 10000, SPREAD = 10000, EDGE = 100 };

/* The values of N to try for a run of `count` attempts, ascending and distinct, into a
 * malloc'd array (*out, *length). */
static void fail_points(uint64_t count, uint64_t **out, size_t *length) {
    size_t capacity = count <= EVERY_N_UP_TO ? (size_t)count : SPREAD + 2 * EDGE + 1;
    uint64_t *n = malloc((capacity + 1) * sizeof *n);
    REQUIRE(n != NULL);
    size_t k = 0;
    if (count <= EVERY_N_UP_TO) {
        for (uint64_t i = 1; i <= count; i++)
            n[k++] = i;
    } else {
        for (uint64_t i = 1; i <= EDGE; i++) /* the first 100 */
            n[k++] = i;
        /* SPREAD values evenly over (EDGE, count - EDGE], rounded, never repeating (the
         * range is wider than SPREAD, so consecutive values differ by at least 1) */
        uint64_t lo = EDGE, span = count - 2 * EDGE;
        for (uint64_t j = 1; j <= SPREAD; j++) {
            uint64_t v = lo + (uint64_t)((double)span * (double)j / (double)SPREAD + 0.5);
            if (v > n[k - 1] && v <= count - EDGE) n[k++] = v;
        }
        for (uint64_t i = count - EDGE + 1; i <= count; i++) /* the last 100 */
            if (i > n[k - 1]) n[k++] = i;
    }
    *out = n;
    *length = k;
}

/* The selection itself can fail: checked on counts around the boundary. */
static int self_test(void) {
    static const uint64_t counts[] = {1,     2,     99,    100,   10000,   10001,
                                      10200, 10201, 12345, 50000, 1000000, 123456789};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        uint64_t count = counts[c], *n;
        size_t length;
        fail_points(count, &n, &length);
        if (count <= EVERY_N_UP_TO) {
            CHECK_MSG(length == count, "count %" PRIu64 ": %zu values", count, length);
        } else {
            CHECK_MSG(length >= SPREAD, "count %" PRIu64 ": only %zu values", count, length);
            for (uint64_t i = 0; i < EDGE; i++) {
                CHECK(n[i] == i + 1);
                CHECK(n[length - 1 - i] == count - i);
            }
            /* even: no gap much wider than count / SPREAD */
            uint64_t widest = 0;
            for (size_t i = 1; i < length; i++)
                if (n[i] - n[i - 1] > widest) widest = n[i] - n[i - 1];
            CHECK_MSG(widest <= count / SPREAD + 2, "count %" PRIu64 ": gap %" PRIu64, count,
                      widest);
        }
        for (size_t i = 1; i < length; i++)
            CHECK(n[i] > n[i - 1]);
        CHECK(length == 0 || (n[0] == 1 && n[length - 1] == count));
        free(n);
    }
    return check_report("test_fail_alloc --self-test");
}

/* ---- one run ---- */

/* The most allocation attempts a variant's run may make at its fail_alloc_size: every N
 * up to the count is a run of its own (documented at hl_workload.fail_alloc_size). */
enum { MAX_ATTEMPTS = 2000 };

/* A variant of the registry at its workload's fail_alloc_size. */
typedef struct sized_variant {
    char name[96]; /* "workload/variant" */
    const hl_workload_variant *variant;
    uint64_t size;
} sized_variant;

typedef struct outcome {
    hl_workload_status status;
    char message[256];
    bool heap_failed;
    size_t depth_after;
    size_t live_after;
    uint64_t allocs, frees, failures, attempts;
    uint64_t collections;
} outcome;

static hl_stats_listener *stats;
static bool lazy_sweep; /* HEAPLAB_TEST_SWEEP=lazy: mark_sweep sweeps lazily */

/* A collector and its settings: every counting collector that reclaims cycles (rc_cycle,
 * its 3.13 preset, cpython_inc, cpython_ft) also runs with small thresholds (20,3,3), so
 * that automatic collections happen during the build (the defaults, 700 or 2000, are
 * never reached by a few hundred allocations) and the failure meets a heap mid-collection
 * cycle. */
typedef struct collector_setup {
    const hl_collector_ops *ops;
    long thresholds[3];
    char label[32];
} collector_setup;

/* v NULL: the heap is made and destroyed with nothing run on it (its own attempts). */
static outcome run_once(const hl_allocator_ops *allocator, const collector_setup *cs,
                        const hl_workload_variant *v, uint64_t size, uint64_t fail_at) {
    const hl_collector_ops *collector = cs->ops;
    outcome out;
    memset(&out, 0, sizeof out);
    hl_allocator a;
    const char *why = NULL;
    bool started = hl_allocator_init(&a, allocator, &why);
    REQUIRE(started);
    a.fail_at = fail_at;
    hl_stats_listener_reset(stats);
    hl_heap_config config = {
        .collector = collector,
        .allocator = &a,
        .thresholds = {cs->thresholds[0], cs->thresholds[1], cs->thresholds[2]},
        .lazy_sweep = lazy_sweep,
        .listeners = {hl_stats_listener_events(stats), NULL},
    };
    hl_heap *heap = NULL;
    if (hl_heap_create(&config, &heap) != HL_OK) {
        out.heap_failed = true;
        out.status = HL_WORKLOAD_MEMORY_ERROR;
        snprintf(out.message, sizeof out.message, "MemoryError: the heap could not be set up");
    } else {
        hl_workload_ctx ctx = {
            .heap = heap,
            .size = size,
            .seed = 42,
            .collects_cycles = hl_workload_collects_cycles(collector),
        };
        out.status = v != NULL ? v->run(&ctx) : HL_WORKLOAD_OK;
        memcpy(out.message, ctx.message, sizeof out.message);
        out.depth_after = hl_frame_depth(heap);
        hl_heap_destroy(heap);
        hl_gc_stats gc;
        hl_stats_listener_read(stats, &gc);
        out.collections = gc.collections;
    }
    out.live_after = a.live_bytes;
    out.allocs = a.allocs;
    out.frees = a.frees;
    out.failures = a.failures;
    out.attempts = a.attempts;
    hl_allocator_fini(&a);
    return out;
}

/* Every N for one variant under one collector; returns the number of runs. */
static long inject_variant(const hl_allocator_ops *allocator, const collector_setup *cs,
                           const sized_variant *sv) {
    const hl_workload_variant *v = sv->variant;
    const char *cname = cs->label;

    /* What the heap alone costs: a variant must reach past it. */
    outcome empty = run_once(allocator, cs, NULL, 0, UINT64_MAX);
    /* The clean run counts the attempts (fail_at armed past any run's reach). */
    outcome clean = run_once(allocator, cs, v, sv->size, UINT64_MAX);
    CHECK_MSG(clean.status == HL_WORKLOAD_OK, "%s under %s, clean: %s", sv->name, cname,
              clean.message);
    uint64_t count = clean.attempts;
    CHECK_MSG(count > empty.attempts && count <= MAX_ATTEMPTS,
              "%s at its fail_alloc_size n=%" PRIu64 " under %s: %" PRIu64
              " allocation attempts, expected more than the heap's own %" PRIu64
              " (else no injection reaches the variant) and at most %d (else every-N "
              "injection is too slow): see hl_workload.fail_alloc_size",
              sv->name, sv->size, cname, count, empty.attempts, (int)MAX_ATTEMPTS);
    CHECK(clean.live_after == 0 && clean.failures == 0 && clean.allocs == clean.frees);

    uint64_t *points;
    size_t length;
    fail_points(count, &points, &length);
    long runs = 0, bad = 0;
    for (size_t i = 0; i < length + 2 && bad < 5; i++, runs++) {
        uint64_t n = i < length ? points[i] : i == length ? count + 1 : count + 1000;
        bool past = n > count;
        outcome o = run_once(allocator, cs, v, sv->size, n);
        bool ok = true;
        if (past) {
            CHECK_MSG(o.status == HL_WORKLOAD_OK && o.failures == 0,
                      "%s under %s, fail at %" PRIu64 " of %" PRIu64 ": %s: %s", sv->name, cname, n,
                      count, hl_workload_status_name(o.status), o.message);
            ok = o.status == HL_WORKLOAD_OK;
        } else {
            ok = o.status == HL_WORKLOAD_MEMORY_ERROR &&
                 strncmp(o.message, "MemoryError", 11) == 0 && o.failures == 1 && o.attempts >= n;
            CHECK_MSG(ok,
                      "%s under %s, allocation %" PRIu64 " of %" PRIu64 " fails: %s: %s "
                      "(%" PRIu64 " failures, %" PRIu64 " attempts)",
                      sv->name, cname, n, count, hl_workload_status_name(o.status), o.message,
                      o.failures, o.attempts);
        }
        CHECK_MSG(o.depth_after == 0, "%s under %s, fail at %" PRIu64 ": %zu frames left", sv->name,
                  cname, n, o.depth_after);
        CHECK_MSG(o.live_after == 0 && o.allocs == o.frees,
                  "%s under %s, fail at %" PRIu64 ": %zu bytes live after teardown, "
                  "%" PRIu64 " allocs, %" PRIu64 " frees",
                  sv->name, cname, n, o.live_after, o.allocs, o.frees);
        if (!ok || o.live_after != 0 || o.depth_after != 0) bad++;
    }
    free(points);
    printf("  %-20s n=%-5" PRIu64 " %-18s %4" PRIu64 " allocation attempts, %3" PRIu64
           " collections, %5ld runs\n",
           sv->name, sv->size, cname, count, clean.collections, runs);
    return runs;
}

static bool wanted(int argc, char **argv, const hl_collector_ops *c) {
    if (argc <= 2) return true;
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], hl_collector_name(c)) == 0) return true;
    return false;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--self-test") == 0) return self_test();
    const char *sweep = getenv("HEAPLAB_TEST_SWEEP"); /* lazy: stress.fail_alloc.*.lazy_sweep */
    lazy_sweep = sweep != NULL && strcmp(sweep, "lazy") == 0;
    REQUIRE(argc >= 2);
    const hl_allocator_ops *ops = hl_allocator_find(argv[1]);
    REQUIRE(ops != NULL);
    const char *why = NULL;
    bool ready = hl_allocator_prepare_process(ops, argv, &why); /* may re-exec (preload) */
    REQUIRE(ready);
    for (int i = 2; i < argc; i++)
        REQUIRE(hl_collector_find(argv[i]) != NULL);
    stats = hl_stats_listener_new();
    REQUIRE(stats != NULL);

    /* Every variant of the registry, at the size its workload declares. */
    size_t variant_count = 0;
    for (size_t i = 0; hl_workload_registry[i] != NULL; i++)
        variant_count += hl_workload_registry[i]->variant_count;
    sized_variant *sizes = calloc(variant_count, sizeof *sizes);
    REQUIRE(sizes != NULL);
    size_t nsizes = 0;
    for (size_t i = 0; hl_workload_registry[i] != NULL; i++) {
        const hl_workload *w = hl_workload_registry[i];
        CHECK_MSG(w->fail_alloc_size > 0, "%s declares no fail_alloc_size", w->name);
        for (size_t k = 0; k < w->variant_count; k++, nsizes++) {
            snprintf(sizes[nsizes].name, sizeof sizes[nsizes].name, "%s/%s", w->name,
                     w->variants[k].name);
            sizes[nsizes].variant = &w->variants[k];
            sizes[nsizes].size = w->fail_alloc_size;
        }
    }
    CHECK(nsizes > 0);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long total = 0;
    int collectors = 0;
    for (size_t c = 0; hl_collector_registry[c] != NULL; c++) {
        const hl_collector_ops *collector = hl_collector_registry[c];
        if (!wanted(argc, argv, collector)) continue;
        const char *own = hl_collector_own_allocator(collector);
        if (own != NULL) {
            printf("%s: skipped: its objects come from its own allocator (%s), which the "
                   "injection in the hl_allocator does not reach\n",
                   hl_collector_name(collector), own);
            continue;
        }
        collector_setup setups[2] = {{.ops = collector}, {.ops = collector}};
        snprintf(setups[0].label, sizeof setups[0].label, "%s", hl_collector_name(collector));
        size_t setup_count = 1;
        if (collector->counts_references && hl_collector_reclaims_cycles(collector)) {
            setups[1].thresholds[0] = 20;
            setups[1].thresholds[1] = 3;
            setups[1].thresholds[2] = 3;
            snprintf(setups[1].label, sizeof setups[1].label, "%s(20,3,3)",
                     hl_collector_name(collector));
            setup_count = 2;
        }
        for (size_t k = 0; k < setup_count; k++, collectors++)
            for (size_t s = 0; s < nsizes; s++)
                total += inject_variant(ops, &setups[k], &sizes[s]);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(collectors > 0);
    printf("fault-injection runs on %s: %ld (%d collector settings x %zu variants) in %.2f s\n",
           argv[1], total, collectors, nsizes, seconds);
    free(sizes);
    hl_stats_listener_free(stats);
    return check_report("test_fail_alloc");
}
