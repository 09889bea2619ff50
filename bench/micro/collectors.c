/* Collector micro-benchmarks (Google Benchmark over the C binding, bench/harness/gbench.h),
 * built as build/heaplab-micro-collectors; all on the libc allocator (boehm on its own),
 * or on the allocator HEAPLAB_MICRO_ALLOCATOR names (scripts/microtable --allocator).
 *
 *   full_collection/C
 *       5 x 10^5 Person pairs (Person(name, partner), each the other's partner, the
 *       names two shared strings) are built while rooted, then dropped, with the timer
 *       paused; only hl_collect(heap, 2) is timed. Counter ns_per_object: the
 *       collection's pause (collection_start to collection_end, or to
 *       bookkeeping_start: heaplab's own accounting after a boehm collection is
 *       neither in the pause nor in Google Benchmark's time) divided by the 10^6 dead
 *       persons.
 *   full_collection_tree/C, full_collection_tree_2e20/C
 *       cyclic_graph/tree's structure: a complete binary tree of 2^22 (2^20) records
 *       whose children point back to their parent (left, right, parent), built rooted,
 *       then dropped; hl_collect(heap, 2) timed. ns_per_object: per node.
 *   full_collection_tree_live/C, full_collection_tree_live_2e20/C
 *       the same tree kept: the collection marks all of it and frees nothing.
 *   C: rc_cycle, mark_sweep, mark_sweep_lazy (--sweep lazy) and boehm on every shape,
 *       cpython_inc and cpython_ft on the Persons (full_collection) only.
 *   HEAPLAB_MICRO_ITERATIONS=N: N timed collections per repetition (default 3);
 *       scripts/microtable runs 1 with 5 repetitions and prints the table of
 *       docs/collectors.md, "Micro-benchmarks".
 *   Split counters of these (from events): mark_ns_per_object = collection_start to
 *       heap_traced (marking), after_mark_ns_per_object = heap_traced to the pause's
 *       end (mark_sweep: its sweep; boehm: Boehm's reclaim), and for boehm boehm_ns_per_object = Boehm's own collection
 *       (GC_EVENT_START to GC_EVENT_RECLAIM_END) and accounting_ns_per_object =
 *       heaplab's live accounting at GC_EVENT_END (collectors/boehm.c). Every
 *       structure is built in a noinline function and the stack below is zeroed
 *       before the timed collection, so boehm's conservative scan finds no stale
 *       pointer.
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

#include <gc/gc.h>

#include "bench/harness/gbench.h"
#include "collectors/heap.h"

#define PAIRS 500000
#define TREE_NODES ((long)1 << 22)
#define SMALL_TREE_NODES ((long)1 << 20)
#define REFS 4096

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The allocator every heap but boehm's uses: HEAPLAB_MICRO_ALLOCATOR, default libc.
 * main checks it once, so later lookups cannot fail. */
static const hl_allocator_ops *micro_allocator(void) {
    const char *name = getenv("HEAPLAB_MICRO_ALLOCATOR");
    return hl_allocator_find(name != NULL && name[0] != '\0' ? name : "libc");
}

typedef struct bench_heap {
    hl_allocator alloc;
    hl_heap *heap;
} bench_heap;

static bool bench_open_with(bench_heap *b, const char *collector, bool lazy_sweep,
                            hl_bench_state *st, const hl_event_listener *listener) {
    const char *err = NULL;
    if (!hl_allocator_init(&b->alloc, micro_allocator(), &err)) {
        hl_bench_skip_with_error(st, err != NULL ? err : "allocator");
        return false;
    }
    hl_heap_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.collector = hl_collector_find(collector);
    cfg.allocator = &b->alloc;
    cfg.lazy_sweep = lazy_sweep;
    cfg.listeners[0] = listener;
    if (cfg.collector == NULL || hl_heap_create(&cfg, &b->heap) != HL_OK) {
        hl_allocator_fini(&b->alloc);
        hl_bench_skip_with_error(st, "cannot create the heap");
        return false;
    }
    /* The label says where the objects live: boehm's on libgc's own heap, every other
     * collector's on the allocator (so a run shows which HEAPLAB_MICRO_ALLOCATOR took). */
    hl_bench_set_label(st, strcmp(collector, "boehm") == 0 ? "libgc" : micro_allocator()->name);
    return true;
}

static bool bench_open(bench_heap *b, const char *collector, hl_bench_state *st) {
    return bench_open_with(b, collector, false, st, NULL);
}

static void bench_close(bench_heap *b) {
    hl_heap_destroy(b->heap);
    hl_allocator_fini(&b->alloc);
}

/* ---- the pause, split by events ---- */

/* A pause runs from collection_start to bookkeeping_start (boehm: heaplab's own
 * accounting follows, with Google Benchmark's clock stopped) or collection_end. */
typedef struct split_timer {
    hl_bench_state *st;  /* its clock stops during heaplab's accounting while timing */
    bool timing;
    uint64_t start_ns, traced_ns, bookkeeping_ns;
    uint64_t mark_ns, after_mark_ns, pause_ns; /* summed over collections */
    uint64_t sweep_start_ns, sweep_ns;         /* mark_sweep --sweep lazy: outside the pause */
} split_timer;

static void split_sweep_start(void *data) {
    split_timer *t = data;
    t->sweep_start_ns = now_ns();
}
static void split_sweep_end(void *data, uint64_t freed) {
    (void)freed;
    split_timer *t = data;
    t->sweep_ns += now_ns() - t->sweep_start_ns;
}

static void split_start(void *data, hl_collection_kind kind) {
    (void)kind;
    split_timer *t = data;
    t->start_ns = now_ns();
    t->bookkeeping_ns = 0;
}
static void split_bookkeeping(void *data) {
    split_timer *t = data;
    t->bookkeeping_ns = now_ns();
    if (t->timing) hl_bench_pause_timing(t->st);
}
static void split_traced(void *data) {
    split_timer *t = data;
    t->traced_ns = now_ns();
    t->mark_ns += t->traced_ns - t->start_ns;
}
static void split_end(void *data, uint64_t freed) {
    (void)freed;
    split_timer *t = data;
    uint64_t end = t->bookkeeping_ns != 0 ? t->bookkeeping_ns : now_ns();
    t->after_mark_ns += end - t->traced_ns;
    t->pause_ns += end - t->start_ns;
    if (t->bookkeeping_ns != 0 && t->timing) hl_bench_resume_timing(t->st);
}

/* boehm: Boehm's own collection and heaplab's accounting, from Boehm's events (this
 * wraps the collector's own event procedure). */
static GC_on_collection_event_proc boehm_inner;
static uint64_t boehm_start_ns, boehm_reclaimed_ns, boehm_gc_ns, boehm_accounting_ns;

static void GC_CALLBACK boehm_timed_event(GC_EventType event) {
    if (event == GC_EVENT_START) boehm_start_ns = now_ns();
    if (event == GC_EVENT_RECLAIM_END) {
        boehm_reclaimed_ns = now_ns();
        boehm_gc_ns += boehm_reclaimed_ns - boehm_start_ns;
    }
    if (boehm_inner != NULL) boehm_inner(event);
    if (event == GC_EVENT_END) boehm_accounting_ns += now_ns() - boehm_reclaimed_ns;
}

static void scrub_stack_for_boehm(void) {
    char area[65536];
    memset(area, 0, sizeof area);
    __asm__ volatile("" : : "r"(area) : "memory");
}

/* Zero the stack below the caller (scrub_stack_for_boehm's own frame), outside the
 * timed region. */
__attribute__((noinline)) static void scrub(void) {
    scrub_stack_for_boehm();
}

static hl_object *new_str(hl_heap *h, const char *s) {
    return hl_str_new(h, s, strlen(s));
}

/* Build PAIRS Person pairs kept by a list in global 2, then drop the list. */
__attribute__((noinline)) static bool build_dropped_pairs(hl_heap *h) {
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

/* cyclic_graph/tree: node i's children are 2i+1 and 2i+2; built depth-first,
 * walking back up through the parent links; the root is global 2. */
enum { TREE_LEFT, TREE_RIGHT, TREE_PARENT, TREE_FIELDS };

__attribute__((noinline)) static bool build_tree(hl_heap *h, uint64_t n, bool keep) {
    hl_object *root = hl_record_new(h, TREE_FIELDS, NULL, NULL);
    if (root == NULL) return false;
    hl_global_set(h, 2, root);
    hl_decref(h, root);
    hl_object *node = root;
    uint64_t index = 0, from = 0;
    for (;;) {
        uint64_t left = 2 * index + 1, right = 2 * index + 2;
        uint64_t next = from == 0 ? left : (from == left ? right : n);
        if (next < n) {
            hl_object *child = hl_record_new(h, TREE_FIELDS, NULL, NULL);
            if (child == NULL) return false;
            hl_record_set(h, node, next == left ? TREE_LEFT : TREE_RIGHT, child);
            hl_record_set(h, child, TREE_PARENT, node);
            hl_decref(h, child);
            node = child;
            index = next;
            from = 0;
            continue;
        }
        if (index == 0) break;
        from = index;
        index = (index - 1) / 2;
        node = hl_record_get(node, TREE_PARENT);
    }
    if (!keep) hl_global_set(h, 2, NULL);
    return true;
}

typedef enum full_shape {
    SHAPE_PAIRS,
    SHAPE_TREE_DEAD,
    SHAPE_TREE_LIVE,
    SHAPE_SMALL_TREE_DEAD,
    SHAPE_SMALL_TREE_LIVE,
} full_shape;

static double shape_objects(full_shape shape) {
    switch (shape) {
    case SHAPE_PAIRS:
        return 2.0 * PAIRS;
    case SHAPE_TREE_DEAD:
    case SHAPE_TREE_LIVE:
        return (double)TREE_NODES;
    case SHAPE_SMALL_TREE_DEAD:
    case SHAPE_SMALL_TREE_LIVE:
        break;
    }
    return (double)SMALL_TREE_NODES;
}

typedef struct full_case {
    const char *collector;
    full_shape shape;
    bool lazy_sweep; /* mark_sweep --sweep lazy: ns_per_object is then the marking pause */
} full_case;

static bool build_shape(hl_heap *h, full_shape shape) {
    if (shape == SHAPE_PAIRS) return build_dropped_pairs(h);
    return build_tree(h, (uint64_t)shape_objects(shape),
                      shape == SHAPE_TREE_LIVE || shape == SHAPE_SMALL_TREE_LIVE);
}

static void bm_full_collection(hl_bench_state *st, void *arg) {
    const full_case *fc = arg;
    double objects = shape_objects(fc->shape);
    uint64_t timed_ns = 0, swept_ns = 0, iterations = 0;
    split_timer split;
    memset(&split, 0, sizeof split);
    split.st = st;
    hl_event_listener l;
    memset(&l, 0, sizeof l);
    l.data = &split;
    l.collection_start = split_start;
    l.heap_traced = split_traced;
    l.bookkeeping_start = split_bookkeeping;
    l.collection_end = split_end;
    l.sweep_start = split_sweep_start;
    l.sweep_end = split_sweep_end;
    long found = 0;
    uint64_t gc_ns = 0, accounting_ns = 0;
    while (hl_bench_keep_running(st)) {
        hl_bench_pause_timing(st);
        bench_heap b;
        if (!bench_open_with(&b, fc->collector, fc->lazy_sweep, st, &l)) break;
        if (!build_shape(b.heap, fc->shape)) {
            bench_close(&b);
            hl_bench_skip_with_error(st, "out of memory while building");
            break;
        }
        scrub();
        /* Only the timed collection's events count (not those while building). */
        split.mark_ns = split.after_mark_ns = split.pause_ns = split.sweep_ns = 0;
        boehm_gc_ns = boehm_accounting_ns = 0;
        hl_bench_resume_timing(st);
        split.timing = true;
        found = hl_collect(b.heap, 2);
        split.timing = false;
        hl_bench_pause_timing(st);
        timed_ns += split.pause_ns;
        swept_ns += split.sweep_ns;
        iterations++;
        gc_ns += boehm_gc_ns;
        accounting_ns += boehm_accounting_ns;
        bench_close(&b);
        hl_bench_resume_timing(st);
    }
    if (iterations == 0) return;
    double per = (double)iterations * objects;
    hl_bench_set_counter(st, "ns_per_object", (double)timed_ns / per, HL_COUNTER_DEFAULT);
    /* The split of the last iteration's collection. */
    hl_bench_set_counter(st, "mark_ns_per_object", (double)split.mark_ns / objects,
                         HL_COUNTER_DEFAULT);
    hl_bench_set_counter(st, "after_mark_ns_per_object", (double)split.after_mark_ns / objects,
                         HL_COUNTER_DEFAULT);
    if (strcmp(fc->collector, "boehm") == 0) {
        hl_bench_set_counter(st, "boehm_ns_per_object", (double)gc_ns / per, HL_COUNTER_DEFAULT);
        hl_bench_set_counter(st, "accounting_ns_per_object", (double)accounting_ns / per,
                             HL_COUNTER_DEFAULT);
    }
    if (fc->lazy_sweep) /* hl_collect sweeps right after its pause, outside it */
        hl_bench_set_counter(st, "sweep_ns_per_object", (double)swept_ns / per, HL_COUNTER_DEFAULT);
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
    if (micro_allocator() == NULL || !hl_allocator_runnable(micro_allocator())) {
        fprintf(stderr, "heaplab-micro-collectors: HEAPLAB_MICRO_ALLOCATOR=%s is no allocator "
                        "(heaplab list allocators)\n", getenv("HEAPLAB_MICRO_ALLOCATOR"));
        return 2;
    }
    if (!hl_allocator_prepare_process(micro_allocator(), argv, &err)) {
        fprintf(stderr, "heaplab-micro-collectors: %s\n", err != NULL ? err : "cannot start");
        return 1;
    }
    if (!hl_collector_prepare_process(hl_collector_find("boehm"), &err)) {
        fprintf(stderr, "heaplab-micro-collectors: %s\n", err != NULL ? err : "boehm");
        return 1;
    }
    boehm_inner = GC_get_on_collection_event(); /* boehm's, set by prepare */
    GC_set_on_collection_event(boehm_timed_event);
    hl_bench_initialize(&argc, argv);
    hl_bench_options full = {0};
    /* HEAPLAB_MICRO_ITERATIONS: collections per repetition (default 3; scripts/microtable
     * runs 1, with 5 repetitions, to stay within two minutes). */
    const char *iters = getenv("HEAPLAB_MICRO_ITERATIONS");
    full.iterations = iters != NULL && atoi(iters) > 0 ? atoi(iters) : 3;
    full.use_real_time = true;
    /* Every collector that reclaims the dropped shapes with hl_collect (refcount
     * frees a tree at the drop and never the Person cycles, so it has no row);
     * cpython_inc and cpython_ft on the Persons only (their tree collections take
     * microseconds per node, too long for scripts/microtable's two minutes). */
    static const full_case kinds[] = {
        {"rc_cycle", SHAPE_PAIRS, false},   {"cpython_inc", SHAPE_PAIRS, false},
        {"cpython_ft", SHAPE_PAIRS, false}, {"mark_sweep", SHAPE_PAIRS, false},
        {"mark_sweep", SHAPE_PAIRS, true},  {"boehm", SHAPE_PAIRS, false},
    };
    enum { KINDS = sizeof kinds / sizeof kinds[0], SHAPES = SHAPE_SMALL_TREE_LIVE + 1 };
    static full_case cases[SHAPES * KINDS];
    static const char *const shape_names[] = {
        "full_collection", "full_collection_tree", "full_collection_tree_live",
        "full_collection_tree_2e20", "full_collection_tree_live_2e20"};
    static char names[SHAPES * KINDS][64];
    for (size_t i = 0; i < SHAPES * KINDS; i++) {
        cases[i] = kinds[i % KINDS];
        cases[i].shape = (full_shape)(i / KINDS);
        if (cases[i].shape != SHAPE_PAIRS && strncmp(cases[i].collector, "cpython_", 8) == 0)
            continue;
        snprintf(names[i], sizeof names[i], "%s/%s%s", shape_names[cases[i].shape],
                 cases[i].collector, cases[i].lazy_sweep ? "_lazy" : "");
        hl_bench_register(names[i], bm_full_collection, (void *)&cases[i], &full);
    }
    hl_bench_register("refpair/refcount", bm_refpair, (void *)"refcount", NULL);
    hl_bench_register("refpair/mark_sweep", bm_refpair, (void *)"mark_sweep", NULL);
    hl_bench_register("refpair_barrier/refcount", bm_refpair_barrier, (void *)"refcount", NULL);
    hl_bench_register("refpair_barrier/mark_sweep", bm_refpair_barrier, (void *)"mark_sweep", NULL);
    hl_bench_register("store/refcount", bm_store, (void *)"refcount", NULL);
    hl_bench_register("store/mark_sweep", bm_store, (void *)"mark_sweep", NULL);
    hl_bench_run(NULL, NULL);
    return 0;
}
