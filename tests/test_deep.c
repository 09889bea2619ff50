/* Deep structures on a small C stack: `test_deep ALLOCATOR [COLLECTOR] [N]`.
 *
 * Everything runs on a thread with a 256 KiB stack. For each collector:
 * - a chain of N linked records (Person -> partner -> ...) rooted in one local, then
 *   dropped: refcount and rc_cycle free it at once (iteratively, never recursing),
 *   mark_sweep and boehm (which marks with its own mark stack) first mark all of it
 *   (hl_collect finds nothing) and then free it; structures are built in noinline
 *   helpers so that no C variable of the collecting frame keeps one for boehm's
 *   conservative stack scan (tests/test_collectors.h);
 * - a list nested N deep ([[[...]]]), the same way;
 * - mark_sweep with a mark stack that cannot grow (the allocator's limit refuses
 *   every growth): marking falls back to rescanning the heap and stays exact; again
 *   with every `a` record carrying a finalizer (mark_sweep keeps those on a list of
 *   their own, which the rescan must walk too): none runs while they are reachable,
 *   each runs once when they are dropped.
 * N is 10^7 in release builds and 10^6 in sanitizer builds (ASan's shadow memory and
 * slower allocator make 10^7 take minutes); both are far beyond what recursion on a
 * 256 KiB stack could survive (a few thousand frames).
 */
#include <pthread.h>

#include "tests/test_collectors.h"

#ifdef HEAPLAB_SANITIZE
#define DEFAULT_N 1000000L
#else
#define DEFAULT_N 10000000L
#endif

typedef struct deep_job {
    const tc_args *args;
    const hl_collector_ops *collector;
    long n;
} deep_job;

__attribute__((noinline)) static void build_chain(hl_heap *h, long n) {
    for (long i = 0; i < n; i++) {
        hl_object *r = hl_record_new(h, 1, NULL, NULL); /* the head is rooted in local 0 */
        TC_REQUIRE(r != NULL);
        hl_record_set(h, r, 0, hl_local_get(h, 0));
        hl_local_set(h, 0, r);
        hl_decref(h, r);
    }
}

/* Whether a deep structure's collection is held to the exact count. Not for a
 * conservative collector in any build: one stale word on the C stack or in a register
 * that points into a 10^7-long chain keeps the whole tail behind it alive, and that
 * happens in some runs (boehm over libc: 1 run in 8 with two of these tests running side
 * by side, found = 0 of 10^7). A conservative collector is held to safety here: it never
 * finds more than was dropped, and the counters agree with what it found. */
static bool deep_exact(const hl_collector_ops *c) {
    return tc_exact(c) && !hl_collector_is_conservative(c);
}

static void chain(const deep_job *job) {
    tc_heap t;
    tc_open(&t, job->args, tc_config(job->collector));
    hl_heap *h = t.heap;
    TC_REQUIRE(hl_frame_push(h, 1) == HL_OK);
    uint64_t base = hl_heap_live_objects(h);
    build_chain(h, job->n);
    CHECK(hl_heap_live_objects(h) == base + (uint64_t)job->n);
    CHECK(TC_COLLECT(h, 2) == 0); /* everything reachable: marked through the chain */
    CHECK(hl_heap_live_objects(h) == base + (uint64_t)job->n);
    hl_local_set(h, 0, NULL);
    if (job->collector->counts_references) {
        CHECK(hl_heap_live_objects(h) == base); /* freed at once */
    } else {
        long found = TC_COLLECT(h, 2);
        TC_CHECK_EXACT_IF(deep_exact(job->collector), found == job->n, found >= 0 && found <= job->n);
        CHECK(hl_heap_live_objects(h) == base + (uint64_t)(job->n - found));
    }
    hl_frame_pop(h);
    tc_close(&t);
    if (deep_exact(job->collector)) CHECK(t.final.leaked_objects == 0);
}

/* [[[...]]] n deep, in local 0. */
__attribute__((noinline)) static void build_nested(hl_heap *h, long n) {
    hl_object *inner = hl_list_new(h, 0, NULL);
    TC_REQUIRE(inner != NULL);
    for (long i = 0; i < n; i++) {
        hl_object *outer = hl_list_new(h, 1, inner); /* [inner]; inner is pinned */
        TC_REQUIRE(outer != NULL);
        hl_decref(h, inner);
        inner = outer;
    }
    hl_local_set(h, 0, inner);
    hl_decref(h, inner);
}

static void nested_list(const deep_job *job) {
    tc_heap t;
    tc_open(&t, job->args, tc_config(job->collector));
    hl_heap *h = t.heap;
    TC_REQUIRE(hl_frame_push(h, 1) == HL_OK);
    uint64_t base = hl_heap_live_objects(h);
    build_nested(h, job->n);
    CHECK(hl_heap_live_objects(h) == base + (uint64_t)job->n + 1);
    CHECK(TC_COLLECT(h, 2) == 0);
    hl_local_set(h, 0, NULL);
    if (!job->collector->counts_references) {
        long found = TC_COLLECT(h, 2);
        TC_CHECK_EXACT_IF(deep_exact(job->collector), found == job->n + 1,
                          found >= 0 && found <= job->n + 1);
        CHECK(hl_heap_live_objects(h) == base + (uint64_t)(job->n + 1 - found));
    } else {
        CHECK(hl_heap_live_objects(h) == base);
    }
    hl_frame_pop(h);
    tc_close(&t);
}

static void count_finalized(hl_heap *heap, hl_object *self, void *data) {
    (void)heap;
    (void)self;
    (*(long *)data)++;
}

/* A wide and deep graph marked with a mark stack that cannot grow past its start. */
static void stuck_mark_stack(const deep_job *job, bool finalizers) {
    long finalized = 0;
    tc_heap t;
    /* One collection while building (at the first trigger, 1 MiB) and no more, so the
     * stack has grown to half the final list at most and the timed marking must grow it. */
    hl_heap_config cfg = tc_config(job->collector);
    cfg.growth_factor = 100.0;
    tc_open(&t, job->args, cfg);
    hl_heap *h = t.heap;
    TC_REQUIRE(hl_frame_push(h, 1) == HL_OK);
    hl_object *wide = hl_list_new(h, 0, NULL);
    TC_REQUIRE(wide != NULL);
    hl_local_set(h, 0, wide);
    hl_decref(h, wide);
    long width = 20000;
    for (long i = 0; i < width; i++) {
        hl_object *a = finalizers ? hl_record_new(h, 2, count_finalized, &finalized)
                                  : hl_record_new(h, 2, NULL, NULL);
        TC_REQUIRE(a != NULL);
        TC_REQUIRE(hl_list_append(h, wide, a) == HL_OK);
        hl_decref(h, a);
        hl_object *b = hl_record_new(h, 1, NULL, NULL); /* a -> b -> a: cycles too */
        TC_REQUIRE(b != NULL);
        hl_record_set(h, a, 0, b);
        hl_record_set(h, b, 0, a);
        hl_decref(h, b);
        /* Without finalizers the records also link to earlier ones; with them each is
         * reached through the list only, so the ones that did not fit on the stack
         * are found by the rescan or not at all. */
        if (i > 0 && !finalizers) hl_record_set(h, a, 1, hl_list_get(wide, (size_t)(i - 1) / 2));
    }
    uint64_t live = hl_heap_live_objects(h);
    t.alloc.limit_bytes = t.alloc.live_bytes; /* every growth is refused from now on */
    uint64_t failures = t.alloc.failures;
    CHECK(hl_collect(h, 2) == 0);
    CHECK(hl_heap_live_objects(h) == live);
    CHECK(t.alloc.failures > failures); /* the mark stack really tried to grow */
    CHECK(finalized == 0);              /* all reachable: no finalizer may run */
    hl_local_set(h, 0, NULL);
    CHECK(hl_collect(h, 2) == (long)live - 1); /* all but the frame */
    CHECK(finalized == (finalizers ? width : 0));
    CHECK(hl_heap_live_objects(h) == 1); /* the frame */
    t.alloc.limit_bytes = 0;
    hl_frame_pop(h);
    tc_close(&t);
}

static void *run(void *arg) {
    const deep_job *job = arg;
    chain(job);
    nested_list(job);
    if (strcmp(job->collector->name, "mark_sweep") == 0) {
        stuck_mark_stack(job, false);
        stuck_mark_stack(job, true);
    }
    return NULL;
}

int main(int argc, char **argv) {
    tc_args args = tc_prepare(argc, argv);
    long n = argc > 3 ? atol(argv[3]) : DEFAULT_N;
    for (size_t i = 0; hl_collector_registry[i] != NULL; i++) {
        const hl_collector_ops *c = hl_collector_registry[i];
        if (!tc_wants(&args, c)) continue;
        deep_job job = {&args, c, n};
        pthread_attr_t attr;
        pthread_t thread;
        TC_REQUIRE(pthread_attr_init(&attr) == 0);
        TC_REQUIRE(pthread_attr_setstacksize(&attr, 256 * 1024) == 0);
        TC_REQUIRE(pthread_create(&thread, &attr, run, &job) == 0);
        TC_REQUIRE(pthread_join(thread, NULL) == 0);
        pthread_attr_destroy(&attr);
        printf("deep: %s over %s, n = %ld on a 256 KiB stack\n", c->name, args.allocator->name, n);
    }
    return check_report("test_deep");
}
