/* The reachability oracle: `test_oracle ALLOCATOR [COLLECTOR] [GRAPHS]`.
 *
 * For each collector, GRAPHS (default 1000) random graphs, each on a fresh heap,
 * built only through the public API while a C-side model records the same graph:
 * nodes (str leaves, records with 1-4 fields, some with a finalizer, lists), random
 * edges, random roots (globals, locals of 1-3 nested frames, handles in nested
 * scopes). Then random mutations interleaved with collections of random generations:
 * drop or set roots, pop frames, close scopes, remove and add edges, allocate new
 * nodes (their safe points may start collections; rc_cycle runs with small random
 * thresholds so that automatic collections happen). Only nodes the model knows to be
 * reachable are touched, so no test ever uses a freed object.
 *
 * After a full collection:
 * - rc_cycle, mark_sweep, boehm: the live nodes are exactly those reachable from the
 *   roots. For boehm (conservative) the model keeps its nodes' addresses hidden
 *   (tc_hide) and every step that holds an object in a C variable is a noinline
 *   helper that has returned before the verdict's collection (tests/
 *   test_collectors.h). Even so a conservative collector can keep an unreachable
 *   block through a word that is not ours (seen: a few graphs in a thousand keep a
 *   node through a pointer that survives repeated collections and is in no heaplab
 *   object, nor the test's stack or static data). So for boehm: every reachable node
 *   is live (exact: a missed root fails here); what a kept node refers to is live;
 *   the kept nodes are explained by at most BOEHM_SLACK retention roots per verdict
 *   (a retained node keeps what it reaches), and over the run at most
 *   BOEHM_ROOT_PERCENT roots per 100 verdicts and teardowns (a teardown leak counts
 *   as one). A real leak (a stale handle slot, popped frames, a scanned object
 *   table) breaks that at once: not clearing popped handle slots fails the second
 *   graph.
 *   Under HEAPLAB_SANITIZE only the safety half holds (tests/test_collectors.h).
 * - refcount: the live nodes are the reachable ones plus exactly the unreachable
 *   nodes that lie on a cycle or can be reached from one (what is left of the
 *   unreachable subgraph after repeatedly removing nodes with no incoming edge).
 * - Counting collectors: every live node's count equals its incoming references
 *   from live objects and roots.
 * - A finalizable node ran its finalizer exactly once if it is dead, never if live.
 * - The live-object counter equals what hl_heap_each walks; nothing else is live.
 * - At teardown refcount reports the cyclic leak exactly (live and not reachable from
 *   the globals once frames and handles are dropped), the others none, and the
 *   allocator is empty after destroy.
 *
 * HEAPLAB_TEST_SEED=N changes the base seed; a failing graph prints its seed.
 */
#include "tests/test_collectors.h"

#define MAX_NODES 96
#define MAX_EDGES 8
#define GLOBALS 4
#define LOCALS 3
#define MAX_FRAMES 3
#define MAX_SCOPES 3
#define MAX_HANDLES 4
#define BOEHM_SLACK 2
#define BOEHM_ROOT_PERCENT 2

/* boehm over the whole run: verdicts and teardowns checked, retention roots found. */
static uint64_t boehm_checks, boehm_roots;

enum { NODE_STR, NODE_RECORD, NODE_LIST };

typedef struct node {
    int kind;
    int slots;            /* record: fields; list: length */
    int edges[MAX_EDGES]; /* target node or -1, slot by slot */
    uintptr_t obj;        /* tc_hide(the object): the static model retains nothing */
    int finalized; /* finalizer calls */
    bool finalizable;
} node;

typedef struct model {
    node nodes[MAX_NODES];
    int count;
    int globals[GLOBALS];
    int locals[MAX_FRAMES][LOCALS];
    int frames;
    int handles[MAX_SCOPES][MAX_HANDLES];
    int handle_count[MAX_SCOPES];
    size_t scope_base[MAX_SCOPES];
    int scopes;
    uint64_t rng;
} model;

static uint64_t rnd(model *m) {
    uint64_t z = (m->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static int below(model *m, int n) {
    return (int)(rnd(m) % (uint64_t)n);
}

static void on_finalize(hl_heap *h, hl_object *self, void *data) {
    (void)h;
    (void)self;
    ((node *)data)->finalized++;
}

static hl_object *obj_of(const model *m, int i) {
    return tc_reveal(m->nodes[i].obj);
}

/* Create node i; the new reference is returned (caller stores it at once). */
static hl_object *make_node(model *m, hl_heap *h, int i) {
    node *n = &m->nodes[i];
    for (int e = 0; e < MAX_EDGES; e++)
        n->edges[e] = -1;
    n->finalized = 0;
    n->finalizable = false;
    n->kind = below(m, 3);
    n->slots = 0;
    hl_object *o;
    if (n->kind == NODE_STR) {
        o = hl_str_new(h, "leaf", 4);
    } else if (n->kind == NODE_RECORD) {
        n->slots = 1 + below(m, 4);
        n->finalizable = below(m, 4) == 0;
        o = hl_record_new(h, (size_t)n->slots, n->finalizable ? on_finalize : NULL, n);
    } else {
        o = hl_list_new(h, 0, NULL);
    }
    TC_REQUIRE(o != NULL);
    n->obj = tc_hide(o);
    return o;
}

/* ---- model reachability ---- */

static void mark_from(model *m, int i, bool *reach) {
    int stack[MAX_NODES * MAX_EDGES + 1];
    int top = 0;
    if (i < 0 || reach[i]) return;
    reach[i] = true;
    stack[top++] = i;
    while (top > 0) {
        node *n = &m->nodes[stack[--top]];
        for (int e = 0; e < n->slots; e++) {
            int t = n->edges[e];
            if (t >= 0 && !reach[t]) {
                reach[t] = true;
                stack[top++] = t;
            }
        }
    }
}

static void reachable(model *m, bool *reach) {
    for (int i = 0; i < m->count; i++)
        reach[i] = false;
    for (int g = 0; g < GLOBALS; g++)
        mark_from(m, m->globals[g], reach);
    for (int f = 0; f < m->frames; f++)
        for (int l = 0; l < LOCALS; l++)
            mark_from(m, m->locals[f][l], reach);
    for (int s = 0; s < m->scopes; s++)
        for (int k = 0; k < m->handle_count[s]; k++)
            mark_from(m, m->handles[s][k], reach);
}

/* What the globals alone reach: what is not leaked at teardown. */
static void reachable_from_globals(model *m, bool *reach) {
    for (int i = 0; i < m->count; i++)
        reach[i] = false;
    for (int g = 0; g < GLOBALS; g++)
        mark_from(m, m->globals[g], reach);
}

/* What refcount keeps: reachable, plus the unreachable nodes left after repeatedly
 * removing unreachable nodes that no unreachable node refers to. */
static void refcount_survivors(model *m, const bool *reach, bool *keep) {
    int indeg[MAX_NODES] = {0};
    for (int i = 0; i < m->count; i++) {
        keep[i] = true;
        if (reach[i]) continue;
        for (int e = 0; e < m->nodes[i].slots; e++)
            if (m->nodes[i].edges[e] >= 0) indeg[m->nodes[i].edges[e]]++;
    }
    bool changed = true;
    while (changed) {
        changed = false;
        for (int i = 0; i < m->count; i++) {
            if (reach[i] || !keep[i] || indeg[i] != 0) continue;
            keep[i] = false;
            changed = true;
            for (int e = 0; e < m->nodes[i].slots; e++)
                if (m->nodes[i].edges[e] >= 0) indeg[m->nodes[i].edges[e]]--;
        }
    }
}

/* boehm: `kept` are unreachable nodes that are live anyway. Everything they refer to
 * must be live (a retained object is still an object: its referents must not be
 * freed), and the number of retention roots, nodes from which all of `kept` is
 * reachable, is returned (greedy cover: an upper bound of the least). */
static int retention_roots(model *m, const bool *kept, const bool *live) {
    bool covered[MAX_NODES] = {false};
    int roots = 0;
    for (;;) {
        int best = -1, best_cover = 0;
        bool reach[MAX_NODES];
        for (int i = 0; i < m->count; i++) {
            if (!kept[i] || covered[i]) continue;
            for (int k = 0; k < m->count; k++)
                reach[k] = false;
            mark_from(m, i, reach);
            int cover = 0;
            for (int k = 0; k < m->count; k++) {
                if (!reach[k]) continue;
                CHECK_MSG(live[k], "boehm: node %d is kept but node %d it reaches was freed", i, k);
                cover += kept[k] && !covered[k];
            }
            if (cover > best_cover) best = i, best_cover = cover;
        }
        if (best < 0) return roots;
        roots++;
        for (int k = 0; k < m->count; k++)
            reach[k] = false;
        mark_from(m, best, reach);
        for (int k = 0; k < m->count; k++)
            covered[k] |= reach[k];
    }
}

/* ---- the live set, through hl_heap_each ---- */

typedef struct live_walk {
    model *m;
    bool live[MAX_NODES];
    uint64_t objects;
    uint64_t unknown; /* live objects that are neither nodes nor frames */
    intptr_t incoming[MAX_NODES];
} live_walk;

static int node_of(model *m, const hl_object *o) {
    for (int i = m->count - 1; i >= 0; i--) /* newest first: addresses may be reused */
        if (obj_of(m, i) == o) return i;
    return -1;
}

static void note_live(hl_object *o, void *data) {
    live_walk *w = data;
    w->objects++;
    int i = node_of(w->m, o);
    if (i >= 0 && !w->live[i]) {
        w->live[i] = true;
    } else if (strcmp(hl_type_name(o), "frame") != 0) {
        w->unknown++;
    }
}

static void count_ref(hl_object *ref, void *data) {
    live_walk *w = data;
    int i = node_of(w->m, ref);
    if (i >= 0 && w->live[i]) w->incoming[i]++;
}

static void count_refs_of(hl_object *o, void *data) {
    hl_object_visit_refs(o, count_ref, data);
}

/* ---- one graph ---- */

static int reachable_node(model *m, const bool *reach) {
    int candidates[MAX_NODES], n = 0;
    for (int i = 0; i < m->count; i++)
        if (reach[i]) candidates[n++] = i;
    return n == 0 ? -1 : candidates[below(m, n)];
}

/* The operations below hold objects in C variables: noinline, so that run_graph's own
 * frame never does. */
__attribute__((noinline)) static void set_edge(model *m, hl_heap *h, int src, int slot, int tgt) {
    node *n = &m->nodes[src];
    hl_object *value = tgt >= 0 ? obj_of(m, tgt) : NULL;
    if (n->kind == NODE_RECORD)
        hl_record_set(h, obj_of(m, src), (size_t)slot, value);
    else
        hl_list_set(h, obj_of(m, src), (size_t)slot, value);
    n->edges[slot] = tgt;
}

__attribute__((noinline)) static void add_edge(model *m, hl_heap *h, int src, int tgt) {
    node *n = &m->nodes[src];
    if (n->kind == NODE_RECORD) {
        set_edge(m, h, src, below(m, n->slots), tgt);
    } else if (n->kind == NODE_LIST) {
        if (n->slots < MAX_EDGES) {
            TC_REQUIRE(hl_list_append(h, obj_of(m, src), obj_of(m, tgt)) == HL_OK);
            n->edges[n->slots++] = tgt;
        } else {
            set_edge(m, h, src, below(m, n->slots), tgt);
        }
    }
}

__attribute__((noinline)) static void set_local(model *m, hl_heap *h, int l, int i) {
    hl_local_set(h, (size_t)l, i >= 0 ? obj_of(m, i) : NULL);
    m->locals[m->frames - 1][l] = i;
}

__attribute__((noinline)) static void set_global(model *m, hl_heap *h, int g, int i) {
    hl_global_set(h, (size_t)g, i >= 0 ? obj_of(m, i) : NULL);
    m->globals[g] = i;
}

/* Every node, kept by the builder list (global GLOBALS) until the roots are set. */
__attribute__((noinline)) static void build_nodes(model *m, hl_heap *h) {
    hl_object *builder = hl_list_new(h, 0, NULL);
    TC_REQUIRE(builder != NULL);
    hl_global_set(h, GLOBALS, builder);
    hl_decref(h, builder);
    m->count = 1 + below(m, 40);
    for (int i = 0; i < m->count; i++) {
        hl_object *o = make_node(m, h, i);
        TC_REQUIRE(hl_list_append(h, builder, o) == HL_OK);
        hl_decref(h, o);
    }
}

__attribute__((noinline)) static void add_handle(model *m, hl_heap *h, int i) {
    hl_object *o = obj_of(m, i);
    hl_incref(h, o);
    TC_REQUIRE(hl_root(h, o) == o);
}

/* A new node, rooted in a random global before the next safe point. */
__attribute__((noinline)) static void add_node(model *m, hl_heap *h) {
    int i = m->count++;
    hl_object *o = make_node(m, h, i);
    set_global(m, h, below(m, GLOBALS), i);
    hl_decref(h, o);
}

static void run_graph(const tc_args *args, const hl_collector_ops *c, uint64_t seed) {
    static model storage; /* large; one graph at a time */
    model *m = &storage;
    memset(m, 0, sizeof *m);
    m->rng = seed;
    bool is_refcount = !hl_collector_reclaims_cycles(c); /* the cyclic garbage stays */

    hl_heap_config cfg = tc_config(c);
    cfg.globals = GLOBALS + 1; /* the last one holds the builder list */
    cfg.thresholds[0] = 1 + below(m, 20);
    cfg.thresholds[1] = 1 + below(m, 4);
    cfg.thresholds[2] = 1 + below(m, 4);
    tc_heap t;
    tc_open(&t, args, cfg);
    hl_heap *h = t.heap;

    for (int g = 0; g < GLOBALS; g++)
        m->globals[g] = -1;
    build_nodes(m, h);
    int edges = below(m, 2 * m->count + 1);
    for (int e = 0; e < edges; e++)
        add_edge(m, h, below(m, m->count), below(m, m->count));
    for (int g = 0; g < GLOBALS; g++)
        if (below(m, 2)) set_global(m, h, g, below(m, m->count));
    int frames = 1 + below(m, MAX_FRAMES);
    for (int f = 0; f < frames; f++) {
        TC_REQUIRE(hl_frame_push(h, LOCALS) == HL_OK);
        m->frames++;
        for (int l = 0; l < LOCALS; l++) {
            m->locals[f][l] = -1;
            if (below(m, 2)) set_local(m, h, l, below(m, m->count));
        }
    }
    int scopes = below(m, MAX_SCOPES + 1);
    for (int s = 0; s < scopes; s++) {
        m->scope_base[s] = hl_scope_open(h);
        m->handle_count[s] = below(m, MAX_HANDLES + 1);
        for (int k = 0; k < m->handle_count[s]; k++) {
            int i = below(m, m->count);
            add_handle(m, h, i);
            m->handles[s][k] = i;
        }
        m->scopes++;
    }
    hl_global_set(h, GLOBALS, NULL); /* the builder goes */

    /* Mutate and collect. */
    bool reach[MAX_NODES];
    int ops = below(m, 40);
    for (int op = 0; op < ops; op++) {
        reachable(m, reach);
        int src, tgt;
        switch (below(m, 10)) {
        case 0:
            set_global(m, h, below(m, GLOBALS), -1);
            break;
        case 1:
            if ((tgt = reachable_node(m, reach)) >= 0) set_global(m, h, below(m, GLOBALS), tgt);
            break;
        case 2:
            set_local(m, h, below(m, LOCALS), -1);
            break;
        case 3:
            if ((tgt = reachable_node(m, reach)) >= 0) set_local(m, h, below(m, LOCALS), tgt);
            break;
        case 4:
            if (m->frames > 1 && below(m, 2)) {
                hl_frame_pop(h);
                m->frames--;
            } else if (m->scopes > 0) {
                m->scopes--;
                hl_scope_close(h, m->scope_base[m->scopes]);
            }
            break;
        case 5:
            if ((src = reachable_node(m, reach)) >= 0 && m->nodes[src].slots > 0)
                set_edge(m, h, src, below(m, m->nodes[src].slots), -1);
            break;
        case 6:
        case 7:
            src = reachable_node(m, reach);
            tgt = reachable_node(m, reach);
            if (src >= 0 && tgt >= 0) add_edge(m, h, src, tgt);
            break;
        case 8:
            if (m->count < MAX_NODES) add_node(m, h);
            break;
        case 9:
            hl_collect(h, below(m, 3));
            break;
        }
    }

    /* The verdict. */
    TC_COLLECT(h, 2);
    reachable(m, reach);
    bool expect[MAX_NODES];
    if (is_refcount)
        refcount_survivors(m, reach, expect);
    else
        memcpy(expect, reach, sizeof expect);
    static live_walk w;
    memset(&w, 0, sizeof w);
    w.m = m;
    hl_heap_each(h, note_live, &w);
    CHECK(w.objects == hl_heap_live_objects(h));
    CHECK_MSG(w.unknown == 0, "%llu unknown live objects", (unsigned long long)w.unknown);
    bool conservative = hl_collector_is_conservative(c);
    bool kept[MAX_NODES];
    for (int i = 0; i < m->count; i++) {
        kept[i] = conservative && !expect[i] && w.live[i];
        if (conservative && !expect[i]) continue;
        CHECK_MSG(w.live[i] == expect[i], "%s node %d (kind %d): live %d, expected %d", c->name, i,
                  m->nodes[i].kind, w.live[i], expect[i]);
        if (m->nodes[i].finalizable)
            CHECK_MSG(m->nodes[i].finalized == (w.live[i] ? 0 : 1), "node %d finalized %d times", i,
                      m->nodes[i].finalized);
    }
    if (c->counts_references) {
        hl_heap_each(h, count_refs_of, &w);
        for (int g = 0; g < GLOBALS; g++)
            if (m->globals[g] >= 0) w.incoming[m->globals[g]]++;
        for (int s = 0; s < m->scopes; s++)
            for (int k = 0; k < m->handle_count[s]; k++)
                w.incoming[m->handles[s][k]]++;
        for (int i = 0; i < m->count; i++)
            if (w.live[i])
                CHECK_MSG(hl_refcount(obj_of(m, i)) == w.incoming[i],
                          "node %d: refcount %ld, %ld references", i,
                          (long)hl_refcount(obj_of(m, i)), (long)w.incoming[i]);
    }

    if (conservative) {
        int roots = retention_roots(m, kept, w.live);
        boehm_checks++;
        boehm_roots += (uint64_t)roots;
        if (tc_exact(c)) CHECK_MSG(roots <= BOEHM_SLACK, "boehm: %d retention roots", roots);
    }

    /* Teardown drops the frames and handles, then counts as leaked what is live but
     * not reachable from the globals: under refcount the cyclic garbage (and what only
     * it reaches), under the others nothing. */
    uint64_t leak = 0;
    if (is_refcount) {
        bool greach[MAX_NODES], keep[MAX_NODES];
        reachable_from_globals(m, greach);
        refcount_survivors(m, greach, keep);
        for (int i = 0; i < m->count; i++)
            leak += keep[i] && w.live[i] && !greach[i];
    }
    tc_close(&t);
    if (conservative) {
        /* At teardown every node is unreachable; which ones leaked is not known here,
         * only how many: a leak counts as one retention root. */
        boehm_checks++;
        boehm_roots += t.final.leaked_objects != 0;
    } else
        CHECK_MSG(t.final.leaked_objects == leak, "%s leaked %llu, expected %llu", c->name,
                  (unsigned long long)t.final.leaked_objects, (unsigned long long)leak);
}

int main(int argc, char **argv) {
    tc_args args = tc_prepare(argc, argv);
    long graphs = argc > 3 ? atol(argv[3]) : 1000;
    const char *env = getenv("HEAPLAB_TEST_SEED");
    uint64_t base = env != NULL ? strtoull(env, NULL, 0) : 20240611u;
    for (size_t ci = 0; hl_collector_registry[ci] != NULL; ci++) {
        const hl_collector_ops *c = hl_collector_registry[ci];
        if (!tc_wants(&args, c)) continue;
        for (long g = 0; g < graphs; g++) {
            int before = check_failures;
            uint64_t seed = base + (uint64_t)g;
            run_graph(&args, c, seed);
            if (check_failures != before) {
                fprintf(stderr,
                        "oracle: %s over %s failed for graph seed %llu "
                        "(HEAPLAB_TEST_SEED=%llu with GRAPHS=1 replays it)\n",
                        c->name, args.allocator->name, (unsigned long long)seed,
                        (unsigned long long)seed);
                break;
            }
        }
        printf("oracle: %s over %s: %ld graphs from seed %llu\n", c->name, args.allocator->name,
               graphs, (unsigned long long)base);
        if (hl_collector_is_conservative(c)) {
            printf("oracle: %s: %llu retention roots in %llu verdicts and teardowns\n", c->name,
                   (unsigned long long)boehm_roots, (unsigned long long)boehm_checks);
            if (tc_exact(c))
                CHECK_MSG(boehm_roots * 100 <= boehm_checks * BOEHM_ROOT_PERCENT,
                          "%s: %llu retention roots in %llu checks", c->name,
                          (unsigned long long)boehm_roots, (unsigned long long)boehm_checks);
            boehm_checks = boehm_roots = 0;
        }
    }
    return check_report("test_oracle");
}
