/* The heap under failure, for every collector over one allocator
 * (`test_heap_failures ALLOCATOR [COLLECTOR]`):
 *
 * - The heap's budget (hl_heap_room) follows the allocator's limit and live bytes.
 * - Every allocation failure (the Nth allocation fails, for every N) gives a clean
 *   error, keeps the heap consistent and destroy leaves the allocator empty. boehm's
 *   objects do not come from the allocator: there the injections reach only the
 *   heap's own set-up, and a second scenario caps Boehm's heap (GC_set_max_heap_size)
 *   until its allocations fail.
 * - Under a budget (--heap-limit: hl_heap_config.fixed_heap) a collector that reclaims
 *   cycles collects when the budget refuses an allocation and fails only when that
 *   collection cannot make room; a tracing collector then collects at the budget,
 *   never by its growth factor; refcount can only fail.
 */
#include <gc/gc.h>

#include "tests/test_collectors.h"

/* ---- the heap's budget ---- */

/* hl_heap_room: UINT64_MAX without a limit, the limit less what the heap's allocator
 * holds with one (shrinking as objects are made through it), 0 at or past it. */
static void test_room(const tc_args *args, const hl_collector_ops *c) {
    tc_heap t;
    tc_open(&t, args, tc_config(c));
    hl_heap *h = t.heap;
    CHECK(hl_heap_room(h) == UINT64_MAX);
    size_t limit = t.alloc.live_bytes + 4096;
    t.alloc.limit_bytes = limit;
    CHECK_MSG(hl_heap_room(h) == 4096, "%s: room %llu under a limit 4096 above live", c->name,
              (unsigned long long)hl_heap_room(h));
    hl_object *s = hl_str_new(h, "a string of some length", 23);
    TC_REQUIRE(s != NULL);
    hl_global_set(h, 0, s);
    hl_decref(h, s);
    CHECK(hl_heap_room(h) == limit - t.alloc.live_bytes);
    if (hl_collector_own_allocator(c) == NULL) CHECK(hl_heap_room(h) < 4096);
    t.alloc.limit_bytes = t.alloc.live_bytes;
    CHECK(hl_heap_room(h) == 0);
    t.alloc.limit_bytes = t.alloc.live_bytes - 1; /* past it */
    CHECK(hl_heap_room(h) == 0);
    t.alloc.limit_bytes = 0;
    CHECK(hl_heap_room(h) == UINT64_MAX);
    hl_global_set(h, 0, NULL);
    tc_close(&t);
}

/* ---- allocation failures ---- */

/* A scenario touching every allocation site: frames, handles, every constructor,
 * list growth, collections. Returns false once the heap could not even start. */
static bool failing_scenario(const tc_args *args, const hl_collector_ops *c, uint64_t fail_at,
                             bool *failed_somewhere) {
    hl_allocator a;
    const char *err = NULL;
    TC_REQUIRE(hl_allocator_init(&a, args->allocator, &err));
    a.fail_at = fail_at;
    hl_heap_config cfg = tc_config(c);
    cfg.allocator = &a;
    cfg.thresholds[0] = 5;
    hl_heap *h = NULL;
    *failed_somewhere = false;
    if (hl_heap_create(&cfg, &h) != HL_OK) {
        CHECK(h == NULL);
        CHECK(a.live_bytes == 0);
        hl_allocator_fini(&a);
        *failed_somewhere = true;
        return false;
    }
    hl_status st = hl_frame_push(h, 3);
    if (st != HL_OK) CHECK(st == HL_MEMORY_ERROR && hl_frame_depth(h) == 0);
    size_t scope = hl_scope_open(h);
    for (int round = 0; round < 3; round++) {
        hl_object *l = hl_root(h, hl_list_new(h, 0, NULL));
        if (l == NULL) {
            CHECK(hl_heap_error(h) == HL_MEMORY_ERROR);
            continue;
        }
        for (int i = 0; i < 40; i++) {
            hl_object *v = i % 3 == 0   ? hl_int_new(h, 5000 + i)
                           : i % 3 == 1 ? hl_str_new(h, "abcdefgh", 8)
                                        : hl_record_new(h, 2, NULL, NULL);
            if (v == NULL) {
                CHECK(hl_heap_error(h) == HL_MEMORY_ERROR);
                continue;
            }
            size_t len = hl_list_length(l), cap = hl_list_capacity(l);
            if (hl_list_append(h, l, v) != HL_OK) {
                CHECK(hl_list_length(l) == len && hl_list_capacity(l) == cap);
            }
            if (i % 3 == 2) hl_record_set(h, v, 0, l); /* cycles through the list */
            hl_decref(h, v);
        }
        hl_local_set(h, (size_t)round, l);
        hl_object *fill = hl_root(h, hl_str_new(h, "f", 1));
        hl_object *m = hl_list_new(h, 50, fill);
        if (m != NULL) {
            hl_global_set(h, (size_t)round, m);
            hl_decref(h, m);
        }
        hl_collect(h, round);
    }
    hl_scope_close(h, scope);
    for (int i = 0; i < 5; i++)
        if (hl_frame_push(h, 1) != HL_OK) break;
    hl_collect(h, 2);
    *failed_somewhere = a.failures != 0;
    hl_heap_destroy(h);
    CHECK_MSG(a.live_bytes == 0, "%s fail_at=%llu: %zu bytes left", c->name,
              (unsigned long long)fail_at, a.live_bytes);
    hl_allocator_fini(&a);
    return true;
}

static void test_failures(const tc_args *args, const hl_collector_ops *c) {
    uint64_t n = 1;
    bool failed = true;
    while (failed && n < 100000) {
        failing_scenario(args, c, n, &failed);
        n++;
    }
    CHECK_MSG(!failed, "%s: scenario still failing after %llu injections", c->name,
              (unsigned long long)n);
    /* The scenario really allocates through the allocator; with its own allocator
     * only the heap's set-up does (heap, collector state, object table, small ints). */
    if (hl_collector_own_allocator(c) == NULL)
        CHECK(n > 50);
    else
        CHECK(n > 4);
}

/* ---- boehm: its own allocations fail ---- */

/* Records kept by the list in global 0 until an allocation fails (the record whose
 * append failed is live too, unreachable). Returns the live objects made. */
__attribute__((noinline)) static uint64_t oom_fill(hl_heap *h) {
    hl_object *keep = hl_list_new(h, 0, NULL);
    TC_REQUIRE(keep != NULL);
    hl_global_set(h, 0, keep);
    hl_decref(h, keep);
    uint64_t made = 0;
    for (long i = 0; i < 100000000L; i++) {
        hl_object *r = hl_record_new(h, 4, NULL, NULL);
        if (r == NULL) break;
        made++;
        if (hl_list_append(h, keep, r) != HL_OK) break;
    }
    return made + 1; /* and the list */
}

static void count_one(hl_object *o, void *data) {
    (void)o;
    ++*(uint64_t *)data;
}

static void test_boehm_oom(const tc_args *args, const hl_collector_ops *c) {
    tc_heap t;
    tc_open(&t, args, tc_config(c));
    hl_heap *h = t.heap;
    GC_warn_proc warn = GC_get_warn_proc();
    GC_set_warn_proc(GC_ignore_warn_proc); /* "Out of Memory!" is what we want */
    size_t limit = GC_get_heap_size() + ((size_t)8 << 20);
    GC_set_max_heap_size(limit);
    uint64_t made = oom_fill(h);
    CHECK(hl_heap_error(h) == HL_MEMORY_ERROR);
    CHECK(made > 1000);
    CHECK_MSG(GC_get_heap_size() <= limit, "heap %zu, limit %zu", GC_get_heap_size(), limit);
    CHECK_MSG(hl_heap_live_objects(h) == made, "%llu live, %llu made",
              (unsigned long long)hl_heap_live_objects(h), (unsigned long long)made);
    uint64_t walked = 0;
    hl_heap_each(h, count_one, &walked);
    CHECK(walked == hl_heap_live_objects(h));
    hl_global_set(h, 0, NULL);
    /* The weaker property, and why: Boehm's out-of-memory path leaves a pointer to one
     * of the last blocks it handed out in its own static data (libgc's .bss) and on
     * the stack, where no caller can clear it, so one record may stay reachable for
     * the conservative scan. Everything else must go. */
    long found = TC_COLLECT(h, 2);
    TC_CHECK_EXACT(c, found >= (long)made - 1, found <= (long)made);
    TC_CHECK_EXACT(c, hl_heap_live_objects(h) <= 1,
                   hl_heap_live_objects(h) == made - (uint64_t)found);
    GC_set_max_heap_size(0); /* unlimited again */
    GC_set_warn_proc(warn);
    tc_close(&t);
    if (tc_exact(c)) CHECK(t.final.leaked_objects <= 1);
}

/* ---- the budget ---- */

/* Make and drop `pairs` two-record cycles (each record rooted while the other is made).
 * Stops at the first failure; returns how many pairs were made. */
static size_t churn_pairs(hl_heap *h, size_t pairs) {
    for (size_t i = 0; i < pairs; i++) {
        hl_object *p = hl_record_new(h, 1, NULL, NULL);
        if (p == NULL) return i;
        hl_global_set(h, 0, p);
        hl_decref(h, p);
        hl_object *q = hl_record_new(h, 1, NULL, NULL);
        if (q == NULL) return i;
        hl_record_set(h, p, 0, q);
        hl_record_set(h, q, 0, p);
        hl_decref(h, q);
        hl_global_set(h, 0, NULL);
    }
    return pairs;
}

/* A budget of the heap's set-up plus `room` bytes, and 100000 dropped pairs (about 16
 * MB, many times the budget). rc_cycle's first threshold is out of reach, so only the
 * collection for room can save it. Every collector that reclaims cycles completes
 * without ever holding more than the budget; refcount ends in a clean MemoryError. A
 * tracing collector (no counts) collects at the budget only: with a 4 MiB budget at
 * most one collection per 2 MiB allocated, where its growth factor would have
 * collected about every 1 MiB (HL_MARK_SWEEP_MIN_TRIGGER). */
static void test_budget(const tc_args *args, const hl_collector_ops *c, size_t room) {
    if (hl_collector_own_allocator(c) != NULL) return; /* boehm: test_boehm_oom, and
                                                          tests/budget_check.py */
    hl_allocator a;
    const char *err = NULL;
    TC_REQUIRE(hl_allocator_init(&a, args->allocator, &err));
    a.limit_bytes = (size_t)1 << 40; /* a budget at creation, set tight below */
    hl_stats_listener *stats = hl_stats_listener_new();
    TC_REQUIRE(stats != NULL);
    hl_heap_config cfg = tc_config(c);
    cfg.allocator = &a;
    cfg.thresholds[0] = 1000000000;
    cfg.fixed_heap = true;
    cfg.listeners[0] = hl_stats_listener_events(stats);
    hl_heap *h = NULL;
    TC_REQUIRE(hl_heap_create(&cfg, &h) == HL_OK);
    size_t budget = a.live_bytes + room;
    a.limit_bytes = budget;
    hl_allocator_begin_iteration(&a);
    const size_t pairs = 100000;
    size_t made = churn_pairs(h, pairs);
    hl_gc_stats st;
    hl_stats_listener_read(stats, &st);
    if (hl_collector_reclaims_cycles(c)) {
        CHECK_MSG(made == pairs, "%s: %zu of %zu pairs under a budget of %zu bytes (%llu "
                  "collections)", c->name, made, pairs, budget, (unsigned long long)st.collections);
        CHECK(hl_heap_error(h) == HL_OK);
    } else {
        CHECK_MSG(made < pairs && hl_heap_error(h) == HL_MEMORY_ERROR,
                  "%s: %zu of %zu pairs under a budget of %zu bytes", c->name, made, pairs, budget);
    }
    CHECK_MSG(a.peak_bytes <= budget, "%s: peak %zu bytes past the budget of %zu", c->name,
              a.peak_bytes, budget);
    size_t pair_bytes = 2 * (c->prefix_size + sizeof(hl_object) + sizeof(hl_object *));
    if (!c->counts_references && made == pairs)
        CHECK_MSG(st.collections <= pairs * pair_bytes / (room / 2) + 1,
                  "%s: %llu collections for %zu bytes under a %zu-byte budget: it collected "
                  "before the budget was reached", c->name, (unsigned long long)st.collections,
                  pairs * pair_bytes, room);
    hl_global_set(h, 0, NULL);
    a.limit_bytes = 0;
    hl_heap_destroy(h);
    hl_stats_listener_free(stats);
    CHECK(a.live_bytes == 0);
    hl_allocator_fini(&a);
}

int main(int argc, char **argv) {
    tc_args args = tc_prepare(argc, argv);
    for (size_t i = 0; hl_collector_registry[i] != NULL; i++) {
        const hl_collector_ops *c = hl_collector_registry[i];
        if (!tc_wants(&args, c)) continue;
        test_room(&args, c);
        test_failures(&args, c);
        test_budget(&args, c, 64 * 1024);
        test_budget(&args, c, 4 * 1024 * 1024);
        if (strcmp(c->name, "boehm") == 0) test_boehm_oom(&args, c); /* libgc's own heap */
    }
    return check_report("test_heap_failures");
}
