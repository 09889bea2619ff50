/* When collections start: `test_triggers ALLOCATOR`.
 *
 * rc_cycle: with thresholds (10, 2, 2) and every object kept alive, a collection
 * starts every 11 tracked allocations, and the kinds follow CPython's
 * collect_generations: young x3, middle, ... until the third middle collection makes
 * generation 2 due: YYYM YYYM YYYM F. After a full collection of L long-lived
 * objects, no automatic full collection happens before L/4 more objects have moved
 * into generation 2. With the default thresholds the first collection starts when
 * 701 tracked objects have been allocated.
 * mark_sweep: the first collection starts once 1 MiB is live; after a collection
 * leaving L live bytes, the next starts once L * growth_factor bytes are live (2.0
 * by default, 1.5 configured); the next heap of a run (hl_heap_carry) starts with the
 * largest trigger the previous one reached; refcount never collects.
 * rc_cycle_313: the same schedule as rc_cycle under given thresholds; by default the
 * first collection starts when 2,001 tracked objects have been allocated.
 * cpython_inc: the automatic collection is an increment after 2,001 tracked
 * allocations; gc.collect(0/1/2) is young/increment/full; and an unreachable ring left
 * in the pending space is reclaimed by exactly the increment CPython 3.14.0's
 * work-to-do accounting says, not before (test_inc_schedule).
 * cpython_ft, cpython_ft_alloc: a collection at an allocation exactly when 3.14t's
 * gc_should_collect and its memory deferral say so, with deferrals, collections forced
 * by 40 thresholds deferred, and collections from memory growth all seen
 * (test_ft_deferral).
 */
#include <stdio.h>
#include <unistd.h>

#include "tests/test_collectors.h"

typedef struct trigger_log {
    hl_heap *heap;
    uint64_t *allocated; /* the test's count of tracked allocations */
    char kinds[512];
    uint64_t at[512];    /* *allocated at each collection start */
    size_t live_at[512]; /* live bytes at each collection start */
    size_t resized;      /* last heap_resized */
    size_t n;
} trigger_log;

static void on_start(void *data, hl_collection_kind kind) {
    trigger_log *t = data;
    if (t->n + 1 >= sizeof t->kinds) return;
    t->kinds[t->n] = kind == HL_COLLECTION_YOUNG ? 'Y' : kind == HL_COLLECTION_MIDDLE ? 'M' : 'F';
    t->at[t->n] = *t->allocated;
    t->live_at[t->n] = t->heap != NULL ? hl_heap_live_bytes(t->heap) : 0;
    t->n++;
    t->kinds[t->n] = '\0';
}

static void on_resized(void *data, size_t bytes) {
    ((trigger_log *)data)->resized = bytes;
}

/* Open a heap whose collections `log` records, cleared; `allocated` is the test's count
 * of tracked allocations, which each entry notes. */
static void open_logged(tc_heap *t, const tc_args *args, hl_heap_config cfg, trigger_log *log,
                        uint64_t *allocated, hl_event_listener *l) {
    memset(log, 0, sizeof *log);
    log->allocated = allocated;
    memset(l, 0, sizeof *l);
    l->data = log;
    l->collection_start = on_start;
    l->heap_resized = on_resized;
    cfg.listeners[0] = l;
    tc_open(t, args, cfg);
    log->heap = t->heap;
}

/* Allocate one record kept alive by the list in global 0. */
static void keep_record(hl_heap *h, uint64_t *allocated) {
    hl_object *r = hl_record_new(h, 1, NULL, NULL);
    TC_REQUIRE(r != NULL);
    (*allocated)++;
    TC_REQUIRE(hl_list_append(h, hl_global_get(h, 0), r) == HL_OK);
    hl_decref(h, r);
}

static void start_keeper(hl_heap *h, uint64_t *allocated) {
    hl_object *keeper = hl_list_new(h, 0, NULL);
    TC_REQUIRE(keeper != NULL);
    (*allocated)++;
    hl_global_set(h, 0, keeper);
    hl_decref(h, keeper);
}

/* rc_cycle and its 3.13 preset: the same schedule under given thresholds; under the
 * defaults the first collection comes after `first_default` tracked allocations. */
static void test_rc_generations(const tc_args *args, const char *name, uint64_t first_default) {
    const hl_collector_ops *c = hl_collector_find(name);
    TC_REQUIRE(c != NULL);
    static trigger_log log;
    uint64_t allocated = 0;
    hl_event_listener l;
    hl_heap_config cfg = tc_config(c);
    cfg.thresholds[0] = 10;
    cfg.thresholds[1] = 2;
    cfg.thresholds[2] = 2;
    tc_heap t;
    open_logged(&t, args, cfg, &log, &allocated, &l);
    hl_heap *h = t.heap;
    start_keeper(h, &allocated);
    while (log.n < 13)
        keep_record(h, &allocated);
    CHECK_MSG(strcmp(log.kinds, "YYYMYYYMYYYMF") == 0, "%s: kinds %s", name, log.kinds);
    CHECK_MSG(log.at[0] == 11, "first collection after %llu", (unsigned long long)log.at[0]);
    for (size_t i = 1; i < log.n; i++)
        CHECK_MSG(log.at[i] - log.at[i - 1] == 11, "collection %zu after %llu more", i,
                  (unsigned long long)(log.at[i] - log.at[i - 1]));

    /* Make generation 2 large, then count what it takes to make it due again. */
    while (allocated < 2000)
        keep_record(h, &allocated);
    hl_collect(h, 2);
    uint64_t long_lived = allocated; /* every tracked object is alive and in gen 2 */
    size_t first = log.n;
    uint64_t from = allocated;
    while (allocated < from + 4 * long_lived && strchr(log.kinds + first, 'F') == NULL)
        keep_record(h, &allocated);
    const char *f = strchr(log.kinds + first, 'F');
    CHECK_MSG(f != NULL, "no automatic full collection");
    if (f != NULL) {
        uint64_t waited = log.at[f - log.kinds] - from;
        CHECK_MSG(waited > long_lived / 4, "full collection after only %llu of %llu",
                  (unsigned long long)waited, (unsigned long long)long_lived);
        size_t middles = 0;
        for (const char *k = log.kinds + first; k < f; k++)
            middles += *k == 'M';
        CHECK_MSG(middles > 3, "only %zu middle collections before the full one", middles);
    }
    tc_close(&t);

    /* CPython's defaults: 700 allocations (2,000 for 3.13), then the next tracked one is
     * over. */
    allocated = 0;
    open_logged(&t, args, tc_config(c), &log, &allocated, &l);
    start_keeper(t.heap, &allocated);
    while (log.n < 1)
        keep_record(t.heap, &allocated);
    CHECK_MSG(log.at[0] == first_default && log.kinds[0] == 'Y', "%s default: first %c after %llu",
              name, log.kinds[0], (unsigned long long)log.at[0]);
    tc_close(&t);
}

static void ignore_object(hl_object *o, void *data) {
    (void)o;
    (void)data;
}

/* About 3 MiB kept alive from global 0. */
static void keep_3mib(hl_heap *h, uint64_t *allocated) {
    start_keeper(h, allocated);
    for (int i = 0; i < 3000; i++) {
        char text[1000];
        memset(text, 'x', sizeof text);
        hl_object *s = hl_str_new(h, text, sizeof text);
        TC_REQUIRE(s != NULL);
        TC_REQUIRE(hl_list_append(h, hl_global_get(h, 0), s) == HL_OK);
        hl_decref(h, s);
    }
}

static void test_growth(const tc_args *args, double factor) {
    const hl_collector_ops *c = hl_collector_find("mark_sweep");
    static trigger_log log;
    uint64_t allocated = 0;
    hl_event_listener l;
    hl_heap_config cfg = tc_config(c);
    cfg.growth_factor = factor;
    tc_heap t;
    open_logged(&t, args, cfg, &log, &allocated, &l);
    hl_heap *h = t.heap;
    /* Garbage only: the first collection starts at 1 MiB. */
    while (log.n < 1) {
        hl_object *r = hl_record_new(h, 2, NULL, NULL);
        TC_REQUIRE(r != NULL);
    }
    size_t step = 16 + 16 + 2 * sizeof(void *); /* prefix, header, two fields */
    CHECK_MSG(log.live_at[0] >= HL_MARK_SWEEP_MIN_TRIGGER &&
                  log.live_at[0] < HL_MARK_SWEEP_MIN_TRIGGER + step,
              "first collection at %zu live bytes", log.live_at[0]);
    keep_3mib(h, &allocated);
    hl_collect(h, 2);
    size_t live = hl_heap_live_bytes(h);
    size_t want = (size_t)((double)live * (factor > 1.0 ? factor : 2.0));
    CHECK_MSG(log.resized == want, "trigger %zu, want %zu", log.resized, want);
    size_t n = log.n;
    while (log.n == n) {
        hl_object *r = hl_record_new(h, 2, NULL, NULL);
        TC_REQUIRE(r != NULL);
    }
    CHECK_MSG(log.live_at[n] >= want && log.live_at[n] < want + step,
              "factor %.1f: collection at %zu live bytes, trigger %zu", factor, log.live_at[n],
              want);
    /* A lazy sweep (HEAPLAB_TEST_SWEEP=lazy) has freed nothing yet: hl_heap_each finishes it. */
    if (cfg.lazy_sweep) hl_heap_each(h, ignore_object, NULL);
    CHECK(hl_heap_live_bytes(h) == live + step); /* the record that triggered it */
    tc_close(&t);
}

/* mark_sweep, warm: the next heap of a run (the same hl_heap_carry) starts with the
 * largest trigger the previous heap reached, although that heap's last collection,
 * everything dropped, brought its trigger back to 1 MiB. */
static void test_carry(const tc_args *args) {
    const hl_collector_ops *c = hl_collector_find("mark_sweep");
    hl_heap_carry carry = {0};
    size_t grown = 0; /* the first heap's trigger with 3 MiB live */
    for (int round = 0; round < 2; round++) {
        static trigger_log log;
        uint64_t allocated = 0;
        hl_event_listener l;
        hl_heap_config cfg = tc_config(c);
        cfg.carry = &carry;
        tc_heap t;
        open_logged(&t, args, cfg, &log, &allocated, &l);
        hl_heap *h = t.heap;
        if (round == 0) {
            keep_3mib(h, &allocated);
            hl_collect(h, 2);
            grown = log.resized;
            hl_global_set(h, 0, NULL);
            hl_collect(h, 2);
            if (cfg.lazy_sweep) hl_heap_each(h, ignore_object, NULL);
            CHECK_MSG(grown > 2 * HL_MARK_SWEEP_MIN_TRIGGER &&
                          log.resized == HL_MARK_SWEEP_MIN_TRIGGER,
                      "triggers %zu, then %zu after the drop", grown, log.resized);
        } else {
            while (log.n < 1) { /* garbage until the first collection */
                hl_object *r = hl_record_new(h, 2, NULL, NULL);
                TC_REQUIRE(r != NULL);
            }
            size_t step = 16 + 16 + 2 * sizeof(void *);
            CHECK_MSG(log.live_at[0] >= grown && log.live_at[0] < grown + step,
                      "the next heap collected first at %zu live bytes, the previous grew to %zu",
                      log.live_at[0], grown);
        }
        tc_close(&t);
        CHECK_MSG(carry.heap_bytes == grown, "carried %zu, want %zu", carry.heap_bytes, grown);
    }
}

/* What a lazy sweep is seen doing, through its events. */
typedef struct sweep_log {
    hl_heap *heap;
    bool in_collection;
    uint64_t collections, unreachable; /* collection_end's count, summed */
    uint64_t steps, freed;             /* sweep_end's, summed */
    uint64_t steps_inside;             /* sweep_start inside a collection: never */
    uint64_t largest_step;
    uint64_t live_data;   /* live_data_size events */
    size_t live_reported; /* the last one's bytes */
} sweep_log;

static void sw_start(void *data, hl_collection_kind kind) {
    (void)kind;
    ((sweep_log *)data)->in_collection = true;
}
static void sw_end(void *data, uint64_t objects_freed) {
    sweep_log *s = data;
    s->in_collection = false;
    s->collections++;
    s->unreachable += objects_freed;
}
static void sw_sweep_start(void *data) {
    sweep_log *s = data;
    if (s->in_collection) s->steps_inside++;
}
static void sw_sweep_end(void *data, uint64_t objects_freed) {
    sweep_log *s = data;
    s->steps++;
    s->freed += objects_freed;
    if (objects_freed > s->largest_step) s->largest_step = objects_freed;
}
static void sw_live(void *data, size_t bytes) {
    sweep_log *s = data;
    s->live_data++;
    s->live_reported = bytes;
}

/* mark_sweep --sweep lazy: a collection the safe point starts frees nothing in its pause;
 * its garbage goes in bounded steps at the following allocations, outside any collection;
 * the steps free exactly what the collection found unreachable, and the survivors' size
 * (live_data_size) comes when the last step is done. */
static void test_lazy_sweep(const tc_args *args) {
    static sweep_log log;
    memset(&log, 0, sizeof log);
    hl_event_listener l = {.data = &log,
                           .collection_start = sw_start,
                           .collection_end = sw_end,
                           .sweep_start = sw_sweep_start,
                           .sweep_end = sw_sweep_end,
                           .live_data_size = sw_live};
    hl_heap_config cfg = tc_config(hl_collector_find("mark_sweep"));
    cfg.lazy_sweep = true;
    cfg.listeners[0] = &l;
    tc_heap t;
    tc_open(&t, args, cfg);
    hl_heap *h = t.heap;
    uint64_t allocated = 0;
    start_keeper(h, &allocated);
    for (int i = 0; i < 1000; i++) /* 1000 survivors */
        keep_record(h, &allocated);
    while (log.collections == 0) { /* garbage until the first collection */
        hl_object *r = hl_record_new(h, 2, NULL, NULL);
        TC_REQUIRE(r != NULL);
        allocated++;
    }
    uint64_t live = hl_heap_live_objects(h);
    CHECK_MSG(log.steps == 0 && live == allocated,
              "the pause swept: %llu steps, %llu of %llu objects live",
              (unsigned long long)log.steps, (unsigned long long)live,
              (unsigned long long)allocated);
    /* the garbage but the record whose safe point collected: it came after the marking */
    CHECK_MSG(log.unreachable == allocated - 1001 - 1, "collection found %llu unreachable of %llu",
              (unsigned long long)log.unreachable, (unsigned long long)allocated);
    uint64_t after = 0; /* survivors kept from here on, one per allocation */
    while (log.live_data == 0 && after < allocated) {
        keep_record(h, &after);
        CHECK(log.collections == 1); /* no collection while the sweep is pending */
    }
    CHECK_MSG(log.live_data == 1, "the sweep never ended");
    CHECK_MSG(log.steps > 1 && log.largest_step <= 256, "%llu steps, the largest freed %llu",
              (unsigned long long)log.steps, (unsigned long long)log.largest_step);
    CHECK(log.steps_inside == 0);
    CHECK_MSG(log.freed == log.unreachable, "swept %llu, unreachable %llu",
              (unsigned long long)log.freed, (unsigned long long)log.unreachable);
    /* the keeper list, its 1000 records, the records kept during the sweep and the
     * garbage record allocated after the marking (the next collection's) */
    CHECK_MSG(hl_heap_live_objects(h) == 1002 + after, "%llu live, want %llu",
              (unsigned long long)hl_heap_live_objects(h), (unsigned long long)(1002 + after));
    tc_close(&t);
}

static void test_refcount_never(const tc_args *args) {
    tc_heap t;
    tc_open(&t, args, tc_config(hl_collector_find("refcount")));
    for (int i = 0; i < 100000; i++) {
        hl_object *r = hl_record_new(t.heap, 1, NULL, NULL);
        TC_REQUIRE(r != NULL);
        hl_record_set(t.heap, r, 0, r); /* a self-cycle: leaks */
        hl_decref(t.heap, r);
    }
    CHECK(hl_collect(t.heap, 2) == 0);
    tc_close(&t);
    CHECK(t.final.collections == 0);
    CHECK(t.final.leaked_objects == 100000);
}

/* cpython_inc: the automatic collection is one increment (M) once more than threshold 0
 * tracked objects (2,000 by default) have been allocated; gc.collect(0), (1) and (2)
 * are a young collection, an increment and a full collection. */
static void test_inc_kinds(const tc_args *args) {
    const hl_collector_ops *c = hl_collector_find("cpython_inc");
    TC_REQUIRE(c != NULL);
    static trigger_log log;
    uint64_t allocated = 0;
    hl_event_listener l;
    tc_heap t;
    open_logged(&t, args, tc_config(c), &log, &allocated, &l);
    start_keeper(t.heap, &allocated);
    while (log.n < 1)
        keep_record(t.heap, &allocated);
    CHECK_MSG(log.at[0] == 2001 && log.kinds[0] == 'M', "cpython_inc default: first %c after %llu",
              log.kinds[0], (unsigned long long)log.at[0]);
    hl_collect(t.heap, 0);
    hl_collect(t.heap, 1);
    hl_collect(t.heap, 2);
    CHECK_MSG(strcmp(log.kinds, "MYMF") == 0, "cpython_inc kinds %s, want MYMF", log.kinds);
    tc_close(&t);
}

/* cpython_inc's schedule, increment by increment, against CPython 3.14.0's accounting
 * (assess_work_to_do, mark_at_start, gc_collect_increment): K kept records and a ring
 * of M records survive a full collection, which leaves them all in the pending space;
 * the ring is dropped. Then each round allocates A kept records and runs one increment
 * (gc.collect(1)). Each adds A + min(heap / 10 / 10, 2A) to the work. The first
 * increment only marks what the roots reach (the young records included; the count is
 * subtracted from the work twice); the increments after it pay that back and do nothing
 * else while the work is negative (the young records pile up); then each collects the
 * young generation, and the ring, the only thing the marking left pending, is reclaimed
 * by the first increment whose work exceeds the young records it holds, not before. */
static void test_inc_schedule(const tc_args *args) {
    const hl_collector_ops *c = hl_collector_find("cpython_inc");
    TC_REQUIRE(c != NULL);
    enum { K = 3000, M = 50, A = 20 };
    static trigger_log log;
    uint64_t allocated = 0;
    hl_event_listener l;
    hl_heap_config cfg = tc_config(c);
    cfg.thresholds[0] = 1000000; /* no automatic collection: the test runs the increments */
    cfg.thresholds[1] = 10;
    tc_heap t;
    open_logged(&t, args, cfg, &log, &allocated, &l);
    hl_heap *h = t.heap;
    start_keeper(h, &allocated);
    for (int i = 0; i < K; i++)
        keep_record(h, &allocated);
    hl_object *first = hl_record_new(h, 1, NULL, NULL);
    TC_REQUIRE(first != NULL);
    hl_global_set(h, 1, first);
    hl_decref(h, first);
    hl_object *prev = first;
    for (int i = 1; i < M; i++) {
        hl_object *r = hl_record_new(h, 1, NULL, NULL);
        TC_REQUIRE(r != NULL);
        hl_record_set(h, prev, 0, r);
        hl_decref(h, r);
        prev = r;
    }
    hl_record_set(h, prev, 0, first);
    CHECK(hl_collect(h, 2) == 0);
    hl_global_set(h, 1, NULL);

    long work = 0, tracked = 1 + K + M, kept = 1 + K, young = 0, expected_at = -1;
    long reclaimed_at = -1;
    bool mark = true;
    for (long i = 1; i <= 2000 && reclaimed_at < 0; i++) {
        for (int j = 0; j < A; j++)
            keep_record(h, &allocated);
        tracked += A;
        kept += A;
        young += A; /* an increment that only pays back leaves the young generation be */
        long fraction = tracked / 10 / 10 < 2 * A ? tracked / 10 / 10 : 2 * A;
        work += A + fraction;
        long want = 0;
        if (work >= 0 && mark) {
            work -= 2 * kept; /* the young records were marked too */
            young = 0;
            mark = false;
        } else if (work >= 0) {
            if (young < work) { /* room left after the young: the ring comes in */
                want = M;
                expected_at = i;
            }
            work -= young + want;
            young = 0;
        }
        long found = hl_collect(h, 1);
        if (found != 0) reclaimed_at = i;
        CHECK_MSG(found == want, "cpython_inc increment %ld found %ld, want %ld (work %ld)", i,
                  found, want, work);
        if (found != want) break;
    }
    CHECK_MSG(expected_at > 1 && reclaimed_at == expected_at,
              "cpython_inc: ring reclaimed at increment %ld, want %ld", reclaimed_at, expected_at);
    tc_close(&t);
}

/* cpython_ft's deferral, checked at every allocation against a model of 3.14t's
 * gc_should_collect: more than threshold 0 tracked allocations since the last
 * collection, more than a quarter of what the last one kept, and then either more than
 * 40 thresholds deferred or the memory figure grown by more than max(last / 10,
 * 128 KiB) since the last collection ended; otherwise the count is deferred. The test
 * reads the figure the collector reads (the process's resident pages, or the heap's
 * allocator) just before each allocation, whose safe point reads it again. */
typedef struct ft_model {
    hl_heap *heap;
    bool process; /* cpython_ft: /proc/self/statm; cpython_ft_alloc: the allocator */
    long threshold, count, deferred;
    long long last_kb;
    uint64_t tracked, long_lived;
    size_t collections, deferrals, by_growth, by_deferred;
    bool failed;
} ft_model;

static long long ft_figure_kb(const ft_model *m) {
    if (m->process) {
        FILE *f = fopen("/proc/self/statm", "r");
        unsigned long size = 0, resident = 0;
        if (f == NULL) return -1;
        int got = fscanf(f, "%lu %lu", &size, &resident);
        fclose(f);
        return got == 2 ? (long long)(resident * (unsigned long)sysconf(_SC_PAGESIZE) / 1024) : -1;
    }
    return (long long)(hl_heap_allocator(m->heap)->live_bytes / 1024); /* in use, not resident */
}

static void ft_on_end(void *data, uint64_t freed) {
    (void)freed;
    ft_model *m = data;
    m->collections++;
    long long mem = ft_figure_kb(m);
    m->last_kb = mem > 0 ? mem : 0;
}

/* One allocation kept in the list in global 0: a record (tracked) or a str of `len`. */
static void ft_step(ft_model *m, size_t len) {
    if (m->failed) return;
    bool want = false;
    long long mem = 0, growth = 0;
    long count = m->count, deferred = m->deferred; /* as the check finds them */
    if (m->count > m->threshold && m->count > (long)(m->long_lived / 4)) {
        mem = ft_figure_kb(m);
        growth = m->last_kb / 10 > 128 ? m->last_kb / 10 : 128;
        if (m->deferred > 40 * m->threshold) {
            want = true;
            m->by_deferred++;
        } else if (mem < 0 || mem - m->last_kb > growth) {
            want = true;
            m->by_growth++;
        } else {
            m->deferred += m->count;
            m->count = 0;
            m->deferrals++;
        }
    }
    size_t before = m->collections;
    static char text[4096];
    hl_object *o =
        len == 0 ? hl_record_new(m->heap, 1, NULL, NULL) : hl_str_new(m->heap, text, len);
    TC_REQUIRE(o != NULL);
    TC_REQUIRE(hl_list_append(m->heap, hl_global_get(m->heap, 0), o) == HL_OK);
    hl_decref(m->heap, o);
    bool got = m->collections > before;
    CHECK_MSG(got == want,
              "%s: %s at count %ld (threshold %ld, long-lived %llu), deferred %ld, figure %lld KiB "
              "after %lld KiB (growth needed > %lld)",
              m->process ? "cpython_ft" : "cpython_ft_alloc",
              got ? "a collection, none due" : "no collection, one due", count, m->threshold,
              (unsigned long long)m->long_lived, deferred, mem, m->last_kb, growth);
    if (got != want) m->failed = true;
    if (got) {
        m->count = 0;
        m->deferred = 0;
        m->long_lived = m->tracked;
    }
    if (len == 0) {
        m->count++;
        m->tracked++;
    }
}

static void test_ft_deferral(const tc_args *args, const char *name) {
    const hl_collector_ops *c = hl_collector_find(name);
    TC_REQUIRE(c != NULL);
    static ft_model m;
    memset(&m, 0, sizeof m);
    m.process = strcmp(name, "cpython_ft") == 0;
    m.threshold = 10;
    hl_event_listener l = {.data = &m, .collection_end = ft_on_end};
    hl_heap_config cfg = tc_config(c);
    cfg.thresholds[0] = m.threshold;
    cfg.thresholds[1] = 10;
    cfg.listeners[0] = &l;
    tc_heap t;
    tc_open(&t, args, cfg);
    m.heap = t.heap;
    uint64_t allocated = 0;
    start_keeper(t.heap, &allocated);
    m.count = m.tracked = 1;
    /* Records only: the figure grows slowly, so collections are deferred until 40
     * thresholds have been deferred (or the first, from nothing, is due at once). */
    for (int i = 0; i < 5000; i++)
        ft_step(&m, 0);
    CHECK_MSG(m.deferrals > 0 && m.by_deferred > 0, "%s: %zu deferrals, %zu forced collections",
              name, m.deferrals, m.by_deferred);
    /* Strs until the figure has grown by more than 1.5 x the growth needed (the figure
     * may move in large steps: mimalloc commits 32 MiB at a time), then records until
     * the next check: right after a collection nothing is deferred, so that check must
     * collect because of the growth. Twice. */
    size_t grown = m.by_growth;
    long long strs = 0; /* bytes, capped so that a figure that never grows fails */
    for (int round = 0; round < 6 && m.by_growth < grown + 2 && !m.failed; round++) {
        long long need = m.last_kb / 10 > 128 ? m.last_kb / 10 : 128;
        while (!m.failed && strs < (1ll << 29) && ft_figure_kb(&m) - m.last_kb <= need * 3 / 2) {
            ft_step(&m, 4000);
            strs += 4000;
        }
        size_t outcomes = m.collections + m.deferrals;
        for (int i = 0; i < 100000 && m.collections + m.deferrals == outcomes && !m.failed; i++)
            ft_step(&m, 0);
    }
    CHECK_MSG(m.by_growth >= grown + 2, "%s: %zu collections from memory growth", name,
              m.by_growth - grown);
    tc_close(&t);
}

int main(int argc, char **argv) {
    tc_args args = tc_prepare(argc, argv);
    test_rc_generations(&args, "rc_cycle", 701);
    test_rc_generations(&args, "rc_cycle_313", 2001);
    test_inc_kinds(&args);
    test_inc_schedule(&args);
    test_ft_deferral(&args, "cpython_ft_alloc");
    test_ft_deferral(&args, "cpython_ft");
    test_growth(&args, 0.0); /* the default, 2.0 */
    test_growth(&args, 1.5);
    test_carry(&args);
    test_lazy_sweep(&args);
    test_refcount_never(&args);
    return check_report("test_triggers");
}
