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
 * by default, 1.5 configured); refcount never collects.
 */
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

static void open_logged(tc_heap *t, const tc_args *args, hl_heap_config cfg, trigger_log *log,
                        hl_event_listener *l) {
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

static void test_rc_generations(const tc_args *args) {
    const hl_collector_ops *c = hl_collector_find("rc_cycle");
    static trigger_log log;
    memset(&log, 0, sizeof log);
    uint64_t allocated = 0;
    log.allocated = &allocated;
    hl_event_listener l;
    hl_heap_config cfg = tc_config(c);
    cfg.thresholds[0] = 10;
    cfg.thresholds[1] = 2;
    cfg.thresholds[2] = 2;
    tc_heap t;
    open_logged(&t, args, cfg, &log, &l);
    hl_heap *h = t.heap;
    start_keeper(h, &allocated);
    while (log.n < 13)
        keep_record(h, &allocated);
    CHECK_MSG(strcmp(log.kinds, "YYYMYYYMYYYMF") == 0, "kinds %s", log.kinds);
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

    /* CPython's defaults: 700 allocations, then the 701st tracked one is over. */
    memset(&log, 0, sizeof log);
    allocated = 0;
    log.allocated = &allocated;
    open_logged(&t, args, tc_config(c), &log, &l);
    start_keeper(t.heap, &allocated);
    while (log.n < 1)
        keep_record(t.heap, &allocated);
    CHECK_MSG(log.at[0] == 701 && log.kinds[0] == 'Y', "default: first %c after %llu", log.kinds[0],
              (unsigned long long)log.at[0]);
    tc_close(&t);
}

static void test_growth(const tc_args *args, double factor) {
    const hl_collector_ops *c = hl_collector_find("mark_sweep");
    static trigger_log log;
    memset(&log, 0, sizeof log);
    uint64_t allocated = 0;
    log.allocated = &allocated;
    hl_event_listener l;
    hl_heap_config cfg = tc_config(c);
    cfg.growth_factor = factor;
    tc_heap t;
    open_logged(&t, args, cfg, &log, &l);
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
    /* About 3 MiB kept alive. */
    start_keeper(h, &allocated);
    for (int i = 0; i < 3000; i++) {
        char text[1000];
        memset(text, 'x', sizeof text);
        hl_object *s = hl_str_new(h, text, sizeof text);
        TC_REQUIRE(s != NULL);
        TC_REQUIRE(hl_list_append(h, hl_global_get(h, 0), s) == HL_OK);
        hl_decref(h, s);
    }
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
    CHECK(hl_heap_live_bytes(h) == live + step); /* the record that triggered it */
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

int main(int argc, char **argv) {
    tc_args args = tc_prepare(argc, argv);
    test_rc_generations(&args);
    test_growth(&args, 0.0); /* the default, 2.0 */
    test_growth(&args, 1.5);
    test_refcount_never(&args);
    return check_report("test_triggers");
}
