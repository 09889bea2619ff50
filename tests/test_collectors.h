/* Shared set-up for the collector tests (test_objects, test_oracle, test_triggers,
 * test_deep): `test_X ALLOCATOR [COLLECTOR]` prepares the process for the allocator
 * (jemalloc and mimalloc re-execute with LD_PRELOAD) and for the collectors, then runs
 * every check for every collector (or the one named). Each heap gets its own
 * allocator instance, and after hl_heap_destroy the instance must hold no live byte:
 * nothing leaks past teardown.
 *
 * A collector with its own allocator (boehm) runs only under the registry's first
 * allocator (libc) unless it is named: its objects never touch the allocator under
 * test, so the other entries would repeat the same run.
 *
 * Conservative roots. boehm scans the C stack and registers: a C local that still
 * holds a dropped object keeps it alive. So the checks build and drop their objects in
 * noinline helpers that have returned before the collection, keep only hidden ids
 * (tc_hide: the complement of the address, which no scan takes for a pointer) in the
 * frame that collects, and collect with TC_COLLECT, which first zeroes the stack
 * below the caller so that the collector's frames do not sit on stale pointers. Under
 * the precise collectors all of this changes nothing.
 *
 * With that, boehm's reclamation is asserted exactly in release builds. In sanitizer
 * builds it is not, for a conservative collector (tc_exact): there Boehm keeps garbage
 * that the same code frees in release (even the dropped Person pair), through words
 * that are not in any heaplab object and not in the shared libraries' data (excluding
 * those from its roots changes nothing); ASan's instrumented frames are the likely
 * source. So under HEAPLAB_SANITIZE boehm is held to safety: nothing reachable is
 * freed, what a kept object refers to is kept, nothing is found twice, finalizers run
 * at most once, the counters agree with the walk, and ASan and UBSan report nothing. */
#ifndef HEAPLAB_TESTS_TEST_COLLECTORS_H
#define HEAPLAB_TESTS_TEST_COLLECTORS_H

#include <stdlib.h>
#include <string.h>

#include "collectors/collector.h"
#include "collectors/heap.h"
#include "collectors/stats.h"
#include "tests/check.h"

/* REQUIRE that evaluates its condition once (check.h's REQUIRE evaluates it twice, so
 * it must not hold a call with side effects). */
#define TC_REQUIRE(cond)                                                                           \
    do {                                                                                           \
        bool tc_ok_ = (cond);                                                                      \
        CHECK_MSG(tc_ok_, "required");                                                             \
        if (!tc_ok_) exit(1);                                                                      \
    } while (0)

typedef struct tc_args {
    const hl_allocator_ops *allocator;
    const char *only_collector; /* NULL: all */
} tc_args;

static inline bool tc_wants(const tc_args *args, const hl_collector_ops *c) {
    if (args->only_collector != NULL) return strcmp(args->only_collector, c->name) == 0;
    return hl_collector_own_allocator(c) == NULL || args->allocator == hl_allocator_registry[0];
}

static inline tc_args tc_prepare(int argc, char **argv) {
    tc_args args = {argc > 1 ? hl_allocator_find(argv[1]) : hl_allocator_registry[0],
                    argc > 2 ? argv[2] : NULL};
    if (args.allocator == NULL) {
        fprintf(stderr, "unknown allocator %s (%s)\n", argv[1], hl_allocator_names());
        exit(2);
    }
    const char *err = NULL;
    if (!hl_allocator_prepare_process(args.allocator, argv, &err)) {
        fprintf(stderr, "cannot prepare %s: %s\n", args.allocator->name, err ? err : "?");
        exit(1);
    }
    for (size_t i = 0; hl_collector_registry[i] != NULL; i++) {
        const hl_collector_ops *c = hl_collector_registry[i];
        if (tc_wants(&args, c) && !hl_collector_prepare_process(c, &err)) {
            fprintf(stderr, "cannot prepare %s: %s\n", c->name, err ? err : "?");
            exit(1);
        }
    }
    return args;
}

/* Zero the stack below the caller (see "Conservative roots" above). */
__attribute__((noinline, unused)) static void tc_scrub_stack(void) {
    char area[32768];
    memset(area, 0, sizeof area);
    __asm__ volatile("" : : "r"(area) : "memory");
}

/* Whether reclamation is asserted exactly (see above): not for a conservative collector
 * in a sanitizer build. */
static inline bool tc_exact(const hl_collector_ops *c) {
#ifdef HEAPLAB_SANITIZE
    return !hl_collector_is_conservative(c);
#else
    (void)c;
    return true;
#endif
}

/* CHECK(exact) when `is_exact`, else CHECK(weak). */
#define TC_CHECK_EXACT_IF(is_exact, exact, weak)                                                   \
    do {                                                                                           \
        if (is_exact)                                                                              \
            CHECK(exact);                                                                          \
        else                                                                                       \
            CHECK(weak);                                                                           \
    } while (0)

/* CHECK(exact) where tc_exact(c), else CHECK(weak). */
#define TC_CHECK_EXACT(c, exact, weak)                                                             \
    do {                                                                                           \
        if (tc_exact(c))                                                                           \
            CHECK(exact);                                                                          \
        else                                                                                       \
            CHECK(weak);                                                                           \
    } while (0)

#define TC_COLLECT(h, generation) (tc_scrub_stack(), hl_collect((h), (generation)))

static inline uintptr_t tc_hide(const hl_object *o) {
    return ~(uintptr_t)o;
}
static inline hl_object *tc_reveal(uintptr_t id) {
    return (hl_object *)~id;
}

/* One heap on its own allocator instance, with a statistics listener. */
typedef struct tc_heap {
    hl_allocator alloc;
    hl_heap *heap;
    hl_stats_listener *stats;
    hl_gc_stats final; /* read after destroy */
} tc_heap;

/* HEAPLAB_TEST_SWEEP=lazy runs a suite with mark_sweep sweeping lazily (the ctest entries
 * named *.lazy_sweep); unset or "eager": the default, eager. */
static inline bool tc_lazy_sweep(void) {
    const char *v = getenv("HEAPLAB_TEST_SWEEP");
    return v != NULL && strcmp(v, "lazy") == 0;
}

static inline hl_heap_config tc_config(const hl_collector_ops *c) {
    hl_heap_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.collector = c;
    cfg.lazy_sweep = tc_lazy_sweep();
    return cfg;
}

static inline void tc_open(tc_heap *t, const tc_args *args, hl_heap_config cfg) {
    const char *err = NULL;
    if (!hl_allocator_init(&t->alloc, args->allocator, &err)) {
        fprintf(stderr, "allocator %s: %s\n", args->allocator->name, err ? err : "?");
        exit(1);
    }
    t->stats = hl_stats_listener_new();
    TC_REQUIRE(t->stats != NULL);
    cfg.allocator = &t->alloc;
    size_t i = 0;
    while (i + 1 < HL_MAX_LISTENERS && cfg.listeners[i] != NULL)
        i++;
    cfg.listeners[i] = hl_stats_listener_events(t->stats);
    TC_REQUIRE(hl_heap_create(&cfg, &t->heap) == HL_OK);
}

/* Destroy the heap; the allocator must be empty afterwards. */
static inline void tc_close(tc_heap *t) {
    tc_scrub_stack();
    hl_heap_destroy(t->heap);
    t->heap = NULL;
    hl_stats_listener_read(t->stats, &t->final);
    hl_stats_listener_free(t->stats);
    CHECK_MSG(t->alloc.live_bytes == 0, "allocator %s still holds %zu bytes after destroy",
              t->alloc.ops->name, t->alloc.live_bytes);
    hl_allocator_fini(&t->alloc);
}

#endif
