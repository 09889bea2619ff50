/* The workloads, driven in-process (no Google Benchmark), for one allocator given on
 * the command line and every collector of the registry (one that brings its own
 * allocator, boehm, only under the registry's first allocator, as a batch runs it):
 * - every variant of the registry at edge sizes (1, 2, 3, one ring, a ring and one
 *   node, ...) ends ok, calls its hooks in order (at_peak once, pauses balanced), leaves
 *   no frame behind, and after hl_heap_destroy the allocator holds nothing; one line
 *   per variant and collector says so;
 * - the result checks really check: a variant that drops cycles (cyclic_graph,
 *   cycle_churn, growing_heap) told the wrong thing about its collector (cycles
 *   reclaimed or not) reports failed;
 * - RecursionError past the limit, with the frames unwound: exactly at recursion/sum's
 *   n + 1 frames, past a limit of 50 for every variant that declares its frames grow
 *   with n (HL_GROWS_DEPTH), and a clean end (ok or RecursionError) for every variant
 *   under a limit of 1.
 * A failed allocation at every allocation N of a run (SQLite style) is
 * tests/test_fail_alloc.c (ctest stress.fail_alloc.<allocator>).
 */
#include <string.h>

#include "bench/workloads/workload.h"
#include "collectors/collector.h" /* HL_MARK_SWEEP_MIN_TRIGGER */
#include "check.h"

typedef struct hook_log {
    int pauses, resumes, peaks;
    bool paused;
    bool misordered;
} hook_log;

static void log_pause(void *data) {
    hook_log *h = data;
    if (h->paused) h->misordered = true;
    h->paused = true;
    h->pauses++;
}
static void log_resume(void *data) {
    hook_log *h = data;
    if (!h->paused) h->misordered = true;
    h->paused = false;
    h->resumes++;
}
static void log_peak(void *data, hl_heap *heap) {
    hook_log *h = data;
    if (!h->paused || heap == NULL) h->misordered = true;
    h->peaks++;
}

typedef struct outcome {
    hl_workload_status status;
    char message[256];
    size_t depth_after;     /* frames left by the workload */
    size_t live_after_fini; /* allocator bytes after heap teardown */
    hook_log hooks;
    bool heap_failed; /* hl_heap_create itself failed */
} outcome;

typedef struct setup {
    const hl_allocator_ops *allocator;
    const hl_collector_ops *collector;
    size_t recursion_limit;
    int cycles_override; /* -1: the truth; 0/1: lie to the workload */
} setup;

static bool lazy_sweep; /* HEAPLAB_TEST_SWEEP=lazy: mark_sweep sweeps lazily */

static outcome run_once(const setup *s, const hl_workload_variant *v, uint64_t size) {
    outcome out;
    memset(&out, 0, sizeof out);
    hl_allocator a;
    const char *why = NULL;
    bool started = hl_allocator_init(&a, s->allocator, &why); /* REQUIRE evaluates twice */
    REQUIRE(started);
    hl_heap_config config = {.collector = s->collector,
                             .allocator = &a,
                             .recursion_limit = s->recursion_limit,
                             .lazy_sweep = lazy_sweep};
    hl_heap *heap = NULL;
    if (hl_heap_create(&config, &heap) != HL_OK) {
        out.heap_failed = true;
        out.status = HL_WORKLOAD_MEMORY_ERROR;
    } else {
        bool cycles = hl_workload_collects_cycles(s->collector);
        hl_workload_ctx ctx = {
            .heap = heap,
            .size = size,
            .seed = 7,
            .collects_cycles = s->cycles_override < 0 ? cycles : s->cycles_override == 1,
            .hooks = {.data = &out.hooks,
                      .pause = log_pause,
                      .resume = log_resume,
                      .at_peak = log_peak},
        };
        out.status = v->run(&ctx);
        memcpy(out.message, ctx.message, sizeof out.message);
        out.depth_after = hl_frame_depth(heap);
        hl_heap_destroy(heap);
    }
    out.live_after_fini = a.live_bytes;
    hl_allocator_fini(&a);
    return out;
}

static const uint64_t edge_sizes[] = {1, 2, 3, 20, 21, 22, 42, 43, 255, 256, 257, 1000};

static void test_edge_sizes(const setup *s, const hl_workload *w, const hl_workload_variant *v) {
    int before = check_failures;
    for (size_t i = 0; i < sizeof edge_sizes / sizeof edge_sizes[0]; i++) {
        outcome o = run_once(s, v, edge_sizes[i]);
        CHECK_MSG(o.status == HL_WORKLOAD_OK, "%s/%s n=%llu under %s: %s: %s", w->name, v->name,
                  (unsigned long long)edge_sizes[i], hl_collector_name(s->collector),
                  hl_workload_status_name(o.status), o.message);
        CHECK_MSG(o.depth_after == 0, "%s/%s left %zu frames", w->name, v->name, o.depth_after);
        CHECK_MSG(o.live_after_fini == 0, "%s/%s: %zu bytes live after teardown", w->name, v->name,
                  o.live_after_fini);
        CHECK_MSG(o.hooks.peaks == 1 && o.hooks.pauses == o.hooks.resumes && !o.hooks.misordered &&
                      !o.hooks.paused,
                  "%s/%s hooks: %d peaks, %d pauses, %d resumes", w->name, v->name, o.hooks.peaks,
                  o.hooks.pauses, o.hooks.resumes);
    }
    char name[96];
    snprintf(name, sizeof name, "%s/%s", w->name, v->name);
    printf("  %-22s %-12s edge sizes 1..%llu: %s\n", name, hl_collector_name(s->collector),
           (unsigned long long)edge_sizes[sizeof edge_sizes / sizeof edge_sizes[0] - 1],
           check_failures == before ? "ok" : "FAILED");
}

/* The workloads whose check depends on whether the collector reclaims cycles: they drop
 * cycles (cyclic_graph drops all it builds; cycle_churn and growing_heap drop cycles
 * beside a structure they keep). */
static bool drops_cycles(const hl_workload *w) {
    static const char *const names[] = {"cyclic_graph", "cycle_churn", "growing_heap"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(w->name, names[i]) == 0) return true;
    return false;
}

/* A cyclic variant that is told the opposite of what its collector does must notice. */
static void test_checks_bite(const setup *s, const hl_workload *w, const hl_workload_variant *v) {
    if (!drops_cycles(w)) return;
    setup lie = *s;
    lie.cycles_override = hl_workload_collects_cycles(s->collector) ? 0 : 1;
    outcome o = run_once(&lie, v, 1000); /* growing_heap: 20 pairs, not one a stale word keeps */
    CHECK_MSG(o.status == HL_WORKLOAD_FAILED,
              "%s/%s under %s did not notice the wrong "
              "expectation (%s)",
              w->name, v->name, hl_collector_name(s->collector), hl_workload_status_name(o.status));
    CHECK(o.message[0] != '\0');
    CHECK(o.live_after_fini == 0);
}

/* recursion/sum's exact depth and recursion/calls' frames: what those two programs are. */
static void test_recursion_limit(const setup *s) {
    const hl_workload *recursion = hl_workload_find("recursion");
    REQUIRE(recursion != NULL);
    const hl_workload_variant *sum = hl_workload_variant_find(recursion, "sum");
    const hl_workload_variant *calls = hl_workload_variant_find(recursion, "calls");
    REQUIRE(sum != NULL && calls != NULL);
    setup limited = *s;
    limited.recursion_limit = 50;
    /* recursive_function(n) needs n+1 frames. */
    outcome ok = run_once(&limited, sum, 49);
    CHECK_MSG(ok.status == HL_WORKLOAD_OK, "depth 50 within a limit of 50: %s", ok.message);
    outcome deep = run_once(&limited, sum, 50);
    CHECK(deep.status == HL_WORKLOAD_RECURSION_ERROR);
    CHECK(strncmp(deep.message, "RecursionError", 14) == 0);
    CHECK(deep.depth_after == 0);
    CHECK(deep.live_after_fini == 0);
    limited.recursion_limit = 1; /* the module frame fits, f's does not */
    outcome call = run_once(&limited, calls, 10);
    CHECK(call.status == HL_WORKLOAD_RECURSION_ERROR);
    CHECK(call.depth_after == 0);
}

/* Every variant, from what it declares: frames that grow with n end in a RecursionError
 * past the limit; under a limit of one frame any variant ends cleanly. */
static void test_limits_declared(const setup *s, const hl_workload *w,
                                 const hl_workload_variant *v) {
    setup limited = *s;
    if (v->growth == HL_GROWS_DEPTH) {
        limited.recursion_limit = 50;
        outcome o = run_once(&limited, v, 1000);
        CHECK_MSG(o.status == HL_WORKLOAD_RECURSION_ERROR &&
                      strncmp(o.message, "RecursionError", 14) == 0,
                  "%s/%s (frames grow with n) at n = 1000 under a limit of 50: %s: %s", w->name,
                  v->name, hl_workload_status_name(o.status), o.message);
        CHECK(o.depth_after == 0 && o.live_after_fini == 0);
    }
    limited.recursion_limit = 1;
    outcome o = run_once(&limited, v, 100);
    CHECK_MSG(o.status == HL_WORKLOAD_OK || o.status == HL_WORKLOAD_RECURSION_ERROR,
              "%s/%s under a recursion limit of 1: %s: %s", w->name, v->name,
              hl_workload_status_name(o.status), o.message);
    CHECK_MSG(o.depth_after == 0 && o.live_after_fini == 0,
              "%s/%s under a recursion limit of 1: %zu frames, %zu bytes left", w->name, v->name,
              o.depth_after, o.live_after_fini);
}

/* mark_sweep's policy: the trigger is max(1 MiB, live bytes after a sweep x
 * growth_factor), so live bytes never run far past it: the peak stays within
 * growth_factor x the largest live set a collection saw, plus the 1 MiB floor (which
 * also covers a list's item array growing between safe points). Peak and live sets are
 * seen through the heap's events, as the statistics listener sees them. */
typedef struct policy_seen {
    size_t peak, largest;
    uint64_t collections;
} policy_seen;

static void policy_tick(void *data, size_t live_bytes) {
    policy_seen *p = data;
    if (live_bytes > p->peak) p->peak = live_bytes;
}
static void policy_live(void *data, size_t bytes) {
    policy_seen *p = data;
    if (bytes > p->largest) p->largest = bytes;
    if (bytes > p->peak) p->peak = bytes;
}
static void policy_end(void *data, uint64_t freed) {
    (void)freed;
    ((policy_seen *)data)->collections++;
}

/* Whether a run of v at n under `collector` keeps the policy; *seen gets the figures. */
static bool policy_kept(const hl_allocator_ops *allocator, const hl_collector_ops *collector,
                        const hl_workload_variant *v, uint64_t n, policy_seen *seen) {
    memset(seen, 0, sizeof *seen);
    hl_allocator a;
    const char *why = NULL;
    bool started = hl_allocator_init(&a, allocator, &why);
    REQUIRE(started);
    hl_event_listener listener = {.data = seen,
                                  .allocation_tick = policy_tick,
                                  .live_data_size = policy_live,
                                  .collection_end = policy_end};
    hl_heap_config config = {.collector = collector,
                             .allocator = &a,
                             .lazy_sweep = lazy_sweep,
                             .listeners = {&listener}};
    hl_heap *heap = NULL;
    REQUIRE(hl_heap_create(&config, &heap) == HL_OK);
    hl_workload_ctx ctx = {.heap = heap, .size = n, .seed = 7, .collects_cycles = true};
    hl_workload_status status = v->run(&ctx);
    CHECK_MSG(status == HL_WORKLOAD_OK, "%s", ctx.message);
    /* the policy's bound, before teardown's last collection */
    size_t peak = seen->peak, largest = seen->largest;
    double factor = 2.0; /* hl_heap_config.growth_factor 0 */
    hl_heap_destroy(heap);
    hl_allocator_fini(&a);
    seen->peak = peak;
    seen->largest = largest;
    return (double)peak <= factor * (double)largest + (double)HL_MARK_SWEEP_MIN_TRIGGER;
}

static void test_mark_sweep_policy(const hl_allocator_ops *allocator) {
    const hl_collector_ops *ms = hl_collector_find("mark_sweep");
    if (ms == NULL) return;
    /* The same collector with its trigger disabled (no safe-point collection): the
     * check must notice. */
    hl_collector_ops no_trigger = *ms;
    no_trigger.safe_point = NULL;
    static const struct {
        const char *workload, *variant;
    } runs[] = {{"recursion", "calls"}, {"large_list", "append"}};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        const hl_workload_variant *v =
            hl_workload_variant_find(hl_workload_find(runs[i].workload), runs[i].variant);
        REQUIRE(v != NULL);
        policy_seen seen, broken;
        bool kept = policy_kept(allocator, ms, v, 100000, &seen);
        CHECK_MSG(kept,
                  "mark_sweep %s/%s at 1e5: peak live %zu bytes, above 2 x the largest live "
                  "set %zu + 1 MiB",
                  runs[i].workload, runs[i].variant, seen.peak, seen.largest);
        bool kept_broken = policy_kept(allocator, &no_trigger, v, 100000, &broken);
        CHECK_MSG(!kept_broken,
                  "mark_sweep without its trigger %s/%s at 1e5: the policy check did not notice "
                  "(peak %zu, largest live set %zu)",
                  runs[i].workload, runs[i].variant, broken.peak, broken.largest);
        printf("  mark_sweep policy %s/%s 1e5: peak %zu <= 2 x %zu + 1 MiB (%llu collections); "
               "trigger disabled: peak %zu against %zu: %s\n",
               runs[i].workload, runs[i].variant, seen.peak, seen.largest,
               (unsigned long long)seen.collections, broken.peak, broken.largest,
               kept_broken ? "NOT NOTICED" : "noticed");
    }
}

/* Frames are tracked only where the collector declares it (tracks_frames; tracks_all
 * implies it). rc_cycle, CPython 3.11's model, does not: recursion/sum at 1e4 then
 * starts no collection during the run (teardown's last one comes after). The same
 * collector declaring tracked frames collects (calls advance generation 0): the check
 * notices. */
static void count_start(void *data, hl_collection_kind kind) {
    (void)kind;
    ++*(uint64_t *)data;
}

static uint64_t collections_during(const hl_allocator_ops *allocator,
                                   const hl_collector_ops *collector, const hl_workload_variant *v,
                                   uint64_t n) {
    uint64_t started = 0;
    hl_allocator a;
    const char *why = NULL;
    bool ok = hl_allocator_init(&a, allocator, &why);
    REQUIRE(ok);
    hl_event_listener listener = {.data = &started, .collection_start = count_start};
    hl_heap_config config = {.collector = collector,
                             .allocator = &a,
                             .lazy_sweep = lazy_sweep,
                             .listeners = {&listener}};
    hl_heap *heap = NULL;
    REQUIRE(hl_heap_create(&config, &heap) == HL_OK);
    hl_workload_ctx ctx = {.heap = heap, .size = n, .seed = 7, .collects_cycles = true};
    hl_workload_status status = v->run(&ctx);
    CHECK_MSG(status == HL_WORKLOAD_OK, "%s", ctx.message);
    uint64_t during = started;
    hl_heap_destroy(heap);
    hl_allocator_fini(&a);
    CHECK(a.live_bytes == 0);
    return during;
}

static void test_untracked_frames(const hl_allocator_ops *allocator) {
    const hl_collector_ops *rc = hl_collector_find("rc_cycle");
    if (rc == NULL) return;
    CHECK(!rc->tracks_frames && !rc->tracks_all);
    const hl_workload_variant *sum = hl_workload_variant_find(hl_workload_find("recursion"), "sum");
    REQUIRE(sum != NULL);
    hl_collector_ops tracked = *rc;
    tracked.tracks_frames = true;
    uint64_t untracked_runs = collections_during(allocator, rc, sum, 10000);
    uint64_t tracked_runs = collections_during(allocator, &tracked, sum, 10000);
    CHECK_MSG(untracked_runs == 0, "rc_cycle recursion/sum at 1e4: %llu collections, expected 0",
              (unsigned long long)untracked_runs);
    CHECK_MSG(tracked_runs > 0, "rc_cycle with tracked frames: no collection, the check is blind");
    printf("  rc_cycle recursion/sum 1e4: %llu collections (frames tracked: %llu)\n",
           (unsigned long long)untracked_runs, (unsigned long long)tracked_runs);
}

/* usage: test_workloads [ALLOCATOR [COLLECTOR...]]: without a collector named, every
 * collector of the registry, where one that brings its own allocator runs only under
 * the registry's first allocator (its objects never touch the one under test, so the
 * other allocators would repeat the same run). */
static bool wanted(int argc, char **argv, const hl_collector_ops *c,
                   const hl_allocator_ops *allocator) {
    if (argc <= 2)
        return hl_collector_own_allocator(c) == NULL || allocator == hl_allocator_registry[0];
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], hl_collector_name(c)) == 0) return true;
    return false;
}

int main(int argc, char **argv) {
    const char *sweep = getenv("HEAPLAB_TEST_SWEEP"); /* lazy: workloads.inprocess.*.lazy_sweep */
    lazy_sweep = sweep != NULL && strcmp(sweep, "lazy") == 0;
    const char *name = argc > 1 ? argv[1] : hl_allocator_registry[0]->name;
    const hl_allocator_ops *ops = hl_allocator_find(name);
    REQUIRE(ops != NULL);
    const char *why = NULL;
    bool ready = hl_allocator_prepare_process(ops, argv, &why);
    REQUIRE(ready);
    for (int i = 2; i < argc; i++)
        REQUIRE(hl_collector_find(argv[i]) != NULL);
    for (size_t c = 0; hl_collector_registry[c] != NULL; c++) {
        if (!wanted(argc, argv, hl_collector_registry[c], ops)) continue;
        ready = hl_collector_prepare_process(hl_collector_registry[c], &why);
        REQUIRE(ready);
    }

    /* The registry lists every workload once, each with its variants and sizes (the
     * tables' own promises are tests/test_registry.c's). */
    size_t workloads = 0;
    for (size_t i = 0; hl_workload_registry[i] != NULL; i++, workloads++) {
        const hl_workload *w = hl_workload_registry[i];
        CHECK(hl_workload_find(w->name) == w);
        CHECK(w->variant_count > 0 && w->default_size > 0 && w->sizes[0] > 0);
    }
    CHECK(workloads > 0);

    int collectors = 0;
    for (size_t c = 0; hl_collector_registry[c] != NULL; c++) {
        if (!wanted(argc, argv, hl_collector_registry[c], ops)) continue;
        collectors++;
        setup s = {.allocator = ops, .collector = hl_collector_registry[c], .cycles_override = -1};
        for (size_t i = 0; hl_workload_registry[i] != NULL; i++) {
            const hl_workload *w = hl_workload_registry[i];
            for (size_t v = 0; v < w->variant_count; v++) {
                test_edge_sizes(&s, w, &w->variants[v]);
                test_checks_bite(&s, w, &w->variants[v]);
            }
        }
        /* After every variant's checks: under a conservative collector in a sanitizer
         * build, what these runs leave on the stack can keep a later variant's dropped
         * cycles alive, and the check that the variants notice a wrong expectation
         * would then see nothing to notice (tests/test_collectors.h). */
        for (size_t i = 0; hl_workload_registry[i] != NULL; i++)
            for (size_t v = 0; v < hl_workload_registry[i]->variant_count; v++)
                test_limits_declared(&s, hl_workload_registry[i],
                                     &hl_workload_registry[i]->variants[v]);
        test_recursion_limit(&s);
    }
    CHECK(collectors > 0);
    if (argc <= 2) {
        test_mark_sweep_policy(ops);
        test_untracked_frames(ops);
    }
    return check_report("test_workloads");
}
