/* cyclic_graph: garbage that only a cycle collector can reclaim.
 *
 *   cyclic_graph/pairs   the seeds' Person(name, partner): p1.set_partner(p2) makes
 *                        each the other's partner; n people, names "Alice" and "Bob"
 *                        shared as string literals are (an odd n leaves one person
 *                        who is their own partner)
 *   cyclic_graph/rings   pyperformance's gc_collect: doubly linked rings of 21 nodes
 *                        (a head plus 20 links); the last ring takes what is left of n
 *   cyclic_graph/random  n nodes with 4 out-edges each: edge 0 follows one random
 *                        cycle through every node (so every node lies on a cycle),
 *                        edges 1-3 go to uniformly random nodes (seeded)
 *   cyclic_graph/tree    a complete binary tree of n nodes whose children point back
 *                        to their parent
 *
 * Each variant builds its whole structure while a global holds it, checks it with the
 * clock paused (the peak-memory moment), drops the global and calls
 * hl_collect(heap, 2): gc.collect(). That collection is timed as part of the run and
 * counted as a pause by the statistics listener. Then it checks the outcome:
 * - an exact collector that reclaims cycles (rc_cycle, mark_sweep) must leave exactly
 *   the objects that were live before the structure was built, and report at least n
 *   unreachable objects;
 * - a conservative one (boehm) must reclaim at least 90% of the dropped structure, or
 *   else a dropped probe cycle (proof that it collects at all: what it kept of the
 *   structure is then its retention, reported as the leak);
 * - refcount must leave exactly the cyclic garbage: n objects (a 1-node tree has no
 *   cycle and is freed), which its teardown then counts as the leak.
 * The structures are built so that every node lies on (or, for the tree, next to) a
 * cycle; that is what makes refcount's leak exactly n rather than "most of n".
 *
 * Rooting: every node is stored into the rooted structure (a rooted list, or a field
 * of a node reachable from the root) before the next object is created, so the
 * borrowed pointers C walks with stay reachable across every safe point.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bench/workloads/workload.h"

enum { G_ROOT, G_ALICE, G_BOB }; /* globals */

/* splitmix64: a small, seedable generator, so a graph is the same on every run. */
static uint64_t next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t gcd(uint64_t a, uint64_t b) {
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* A new record stored at once into list[index] (rooted); returns it borrowed. */
static hl_object *new_node_in(hl_workload_ctx *ctx, hl_object *list, size_t index, size_t fields) {
    hl_object *node = hl_record_new(ctx->heap, fields, NULL, NULL);
    if (node == NULL) return NULL;
    hl_list_set(ctx->heap, list, index, node);
    hl_decref(ctx->heap, node);
    return node;
}

/* Sample the peak and run the structure check with the clock paused. */
static hl_workload_status checked(hl_workload_ctx *ctx,
                                  hl_workload_status (*check)(hl_workload_ctx *ctx)) {
    hl_workload_pause(ctx);
    hl_workload_at_peak(ctx);
    hl_workload_status status = check(ctx);
    hl_workload_resume(ctx);
    return status;
}

/* What a conservative collector (boehm) must reclaim of a dropped structure, in
 * percent of its objects (docs/workloads.md, "What the cyclic checks demand"). Boehm
 * keeps what a stale word on the stack, in a register or in its own data points at;
 * through the structure's links one such word keeps a pair, a ring, or all of it
 * (random, tree). Measured at 10^3..10^5 (release and ASan): pairs and rings reclaim
 * at least 99.9%; random and the tree are sometimes kept whole (0%: the tree in 6 runs
 * of 8 at 10^4 and 10^5 in the release build). So: at least this percent, or, when less,
 * the collector must show that it collects at all by reclaiming a probe (a dropped
 * pair cycle, made after the structure's collection); only then is the shortfall its
 * retention, reported as the leak. A collector that never collects fails both. */
#define CONSERVATIVE_PERCENT 90
/* Conservative collectors (boehm) scan the C stack and registers: a stale pointer to a
 * dropped node in a dead frame would keep the whole structure alive and the check
 * would fail for no fault of the collector's. So each variant builds and checks its
 * structure in a function that has returned before the collection (build_*, never
 * inlined), the frame that collects holds no object, and the stack below it is zeroed
 * first, so the collector's own frames do not sit on stale pointers. Under the
 * precise collectors this changes nothing; it costs a few microseconds of the timed
 * region. */
#define NOINLINE __attribute__((noinline))

static NOINLINE void scrub_stack(void) {
    volatile unsigned char area[16384];
    for (size_t i = 0; i < sizeof area; i++)
        area[i] = 0;
}

/* One gc.collect() from a frame that holds no object, the stack below it zeroed. */
static NOINLINE long collect_clean(hl_heap *heap) {
    scrub_stack();
    return hl_collect(heap, 2);
}

/* The probe: a pair cycle made and dropped in a frame that has returned, then one
 * clean gc.collect(). Whether the collector reclaimed it. */
static NOINLINE bool make_probe(hl_heap *heap) {
    hl_object *a = hl_record_new(heap, 1, NULL, NULL);
    if (a == NULL) return false;
    hl_global_set(heap, G_ROOT, a);
    hl_object *b = hl_record_new(heap, 1, NULL, NULL);
    if (b != NULL) {
        hl_record_set(heap, a, 0, b);
        hl_record_set(heap, b, 0, a);
        hl_decref(heap, b);
    }
    hl_decref(heap, a);
    hl_global_set(heap, G_ROOT, NULL);
    return b != NULL;
}

static bool probe_reclaimed(hl_heap *heap) {
    uint64_t live = hl_heap_live_objects(heap);
    if (!make_probe(heap)) return false;
    collect_clean(heap);
    return hl_heap_live_objects(heap) <= live;
}

/* Drop the root, gc.collect(), and check what is left against what the collector must
 * do. `before` is the live object count before the structure was built and `leak` the
 * objects refcount cannot free. Each check fails when the collector reclaims less
 * than it must, so a collection that does nothing (HEAPLAB_TEST_NO_COLLECT) fails:
 * - exact and reclaiming cycles (rc_cycle, mark_sweep): everything dropped is gone
 *   and gc.collect() reported at least the cyclic garbage;
 * - conservative (boehm): nothing beyond the structure is live, and at least
 *   CONSERVATIVE_PERCENT of the dropped structure is gone, or else the probe is;
 * - refcount: exactly the cyclic garbage stays. */
static hl_workload_status drop_and_collect(hl_workload_ctx *ctx, uint64_t before, uint64_t leak) {
    hl_heap *heap = ctx->heap;
    uint64_t built = hl_heap_live_objects(heap) - before; /* the structure, list included */
    hl_global_set(heap, G_ROOT, NULL);
    long found = collect_clean(heap);
    uint64_t live = hl_heap_live_objects(heap);
    if (ctx->collects_cycles && hl_collector_is_conservative(hl_heap_collector(heap))) {
        if (live > before + built)
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                    "%llu objects live after gc.collect(), at most %llu "
                                    "expected",
                                    (unsigned long long)live, (unsigned long long)(before + built));
        uint64_t reclaimed = before + built - live;
        if (reclaimed * 100 < (uint64_t)CONSERVATIVE_PERCENT * built && !probe_reclaimed(heap))
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                    "a conservative gc.collect() reclaimed %llu of the %llu "
                                    "dropped objects (at least %d%% expected) and kept a "
                                    "dropped probe cycle too",
                                    (unsigned long long)reclaimed, (unsigned long long)built,
                                    CONSERVATIVE_PERCENT);
        if (found < 0 || (uint64_t)found < reclaimed)
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                    "gc.collect() found %ld unreachable objects but %llu were "
                                    "reclaimed",
                                    found, (unsigned long long)reclaimed);
    } else if (ctx->collects_cycles) {
        if (live != before)
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                    "%llu objects live after gc.collect(), expected %llu: "
                                    "%llu of the %llu dropped were not reclaimed",
                                    (unsigned long long)live, (unsigned long long)before,
                                    (unsigned long long)(live - before), (unsigned long long)built);
        if (found < 0 || (uint64_t)found < leak)
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                    "gc.collect() found %ld unreachable objects, expected "
                                    "at least %llu",
                                    found, (unsigned long long)leak);
    } else if (live != before + leak) {
        return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                "%llu objects live after dropping the structure, expected "
                                "%llu (the cyclic garbage)",
                                (unsigned long long)live, (unsigned long long)(before + leak));
    }
    return HL_WORKLOAD_OK;
}

/* Builds and checks the structure, leaves it in G_ROOT; sets the live object count
 * before the build and the objects refcount cannot free. */
typedef hl_workload_status (*build_fn)(hl_workload_ctx *ctx, uint64_t *before, uint64_t *leak);

static hl_workload_status build_then_collect(hl_workload_ctx *ctx, build_fn build) {
    uint64_t before = 0, leak = 0;
    hl_workload_status status = build(ctx, &before, &leak);
    if (status == HL_WORKLOAD_OK) status = drop_and_collect(ctx, before, leak);
    /* The names stay in G_ALICE and G_BOB: literals live as long as their module (a
     * code object's constants in CPython), here the heap. So under refcount the
     * teardown leak is exactly the n people, not their still-named names. */
    hl_global_set(ctx->heap, G_ROOT, NULL);
    return status;
}

/* A failure while building: drop what was built and report the heap's error. */
static hl_workload_status abandon(hl_workload_ctx *ctx, const char *where) {
    hl_status error = hl_heap_error(ctx->heap);
    hl_global_set(ctx->heap, G_ROOT, NULL);
    return hl_workload_raise(ctx, error, where);
}

/* ---- cyclic_graph/pairs ---- */

enum { PERSON_NAME, PERSON_PARTNER, PERSON_FIELDS };

static hl_workload_status check_pairs(hl_workload_ctx *ctx) {
    hl_heap *heap = ctx->heap;
    const hl_object *people = hl_global_get(heap, G_ROOT);
    const hl_object *alice = hl_global_get(heap, G_ALICE), *bob = hl_global_get(heap, G_BOB);
    if (hl_list_length(people) != ctx->size)
        return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "pairs: %zu people, expected %llu",
                                hl_list_length(people), (unsigned long long)ctx->size);
    for (size_t i = 0; i < ctx->size; i++) {
        const hl_object *p = hl_list_get(people, i);
        const hl_object *partner = p != NULL ? hl_record_get(p, PERSON_PARTNER) : NULL;
        const hl_object *name = p != NULL ? hl_record_get(p, PERSON_NAME) : NULL;
        bool alone = i + 1 == ctx->size && i % 2 == 0;
        if (partner == NULL || hl_record_get(partner, PERSON_PARTNER) != p ||
            name != (i % 2 == 0 ? alice : bob) || (partner == p) != alone)
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "pairs: person %zu is wrong", i);
    }
    return HL_WORKLOAD_OK;
}

static NOINLINE hl_workload_status build_pairs(hl_workload_ctx *ctx, uint64_t *before,
                                               uint64_t *leak) {
    hl_heap *heap = ctx->heap;
    const size_t n = (size_t)ctx->size;
    /* The names are literals: created once, shared by every Person. */
    static const char *const names[] = {"Alice", "Bob"};
    for (size_t k = 0; k < 2; k++) {
        hl_object *s = hl_str_new(heap, names[k], strlen(names[k]));
        if (s == NULL) {
            hl_global_set(heap, G_ALICE, NULL);
            return hl_workload_raise(ctx, hl_heap_error(heap), "name literal");
        }
        hl_global_set(heap, G_ALICE + k, s);
        hl_decref(heap, s);
    }
    *before = hl_heap_live_objects(heap);
    *leak = n;
    hl_object *people = hl_list_new(heap, n, NULL);
    if (people == NULL) return abandon(ctx, "people = [None] * n");
    hl_global_set(heap, G_ROOT, people);
    hl_decref(heap, people);
    for (size_t i = 0; i < n; i += 2) {
        hl_object *p1 = new_node_in(ctx, people, i, PERSON_FIELDS); /* Person('Alice') */
        if (p1 == NULL) return abandon(ctx, "Person('Alice')");
        hl_record_set(heap, p1, PERSON_NAME, hl_global_get(heap, G_ALICE));
        if (i + 1 == n) {
            hl_record_set(heap, p1, PERSON_PARTNER, p1);
            break;
        }
        hl_object *p2 = new_node_in(ctx, people, i + 1, PERSON_FIELDS); /* Person('Bob') */
        if (p2 == NULL) return abandon(ctx, "Person('Bob')");
        hl_record_set(heap, p2, PERSON_NAME, hl_global_get(heap, G_BOB));
        hl_record_set(heap, p1, PERSON_PARTNER, p2); /* p1.set_partner(p2) */
        hl_record_set(heap, p2, PERSON_PARTNER, p1);
    }
    return checked(ctx, check_pairs);
}

static hl_workload_status cyclic_pairs(hl_workload_ctx *ctx) {
    return build_then_collect(ctx, build_pairs);
}

/* ---- cyclic_graph/rings ---- */

enum { NODE_NEXT, NODE_PREV, NODE_FIELDS };
#define RING_NODES 21 /* pyperformance gc_collect: a head and n_links = 20 */

static size_t ring_count(uint64_t n) {
    return (size_t)((n + RING_NODES - 1) / RING_NODES);
}
static size_t ring_size(uint64_t n, size_t ring) {
    uint64_t rest = n - (uint64_t)ring * RING_NODES;
    return rest < RING_NODES ? (size_t)rest : RING_NODES;
}

static hl_workload_status check_rings(hl_workload_ctx *ctx) {
    const hl_object *heads = hl_global_get(ctx->heap, G_ROOT);
    for (size_t r = 0; r < ring_count(ctx->size); r++) {
        const hl_object *head = hl_list_get(heads, r), *node = head;
        size_t length = 0;
        do {
            const hl_object *next = hl_record_get(node, NODE_NEXT);
            if (next == NULL || hl_record_get(next, NODE_PREV) != node || ++length > RING_NODES)
                return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "rings: ring %zu is broken", r);
            node = next;
        } while (node != head);
        if (length != ring_size(ctx->size, r))
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "rings: ring %zu has %zu nodes", r,
                                    length);
    }
    return HL_WORKLOAD_OK;
}

static void link_nodes(hl_heap *heap, hl_object *a, hl_object *b) {
    hl_record_set(heap, a, NODE_NEXT, b);
    hl_record_set(heap, b, NODE_PREV, a);
}

static NOINLINE hl_workload_status build_rings(hl_workload_ctx *ctx, uint64_t *before,
                                               uint64_t *leak) {
    hl_heap *heap = ctx->heap;
    *before = hl_heap_live_objects(heap);
    *leak = ctx->size;
    const size_t rings = ring_count(ctx->size);
    hl_object *heads = hl_list_new(heap, rings, NULL); /* all_cycles */
    if (heads == NULL) return abandon(ctx, "all_cycles");
    hl_global_set(heap, G_ROOT, heads);
    hl_decref(heap, heads);
    for (size_t r = 0; r < rings; r++) {
        hl_object *head = new_node_in(ctx, heads, r, NODE_FIELDS);
        if (head == NULL) return abandon(ctx, "Node()");
        /* `node` is the ring's last node so far: reachable from head by next links. */
        hl_object *node = head;
        for (size_t k = 1; k < ring_size(ctx->size, r); k++) {
            hl_object *fresh = hl_record_new(heap, NODE_FIELDS, NULL, NULL);
            if (fresh == NULL) return abandon(ctx, "create_cycle: Node()");
            link_nodes(heap, node, fresh);
            hl_decref(heap, fresh);
            node = fresh;
        }
        link_nodes(heap, node, head);
    }
    return checked(ctx, check_rings);
}

static hl_workload_status cyclic_rings(hl_workload_ctx *ctx) {
    return build_then_collect(ctx, build_rings);
}

/* ---- cyclic_graph/random ---- */

#define RANDOM_EDGES 4

/* The random cycle through every node visits s_0, s_1, ... with s_k = (a*k + c) mod n,
 * a coprime to n: stepping by a from c, which needs no memory besides the nodes. */
typedef struct random_cycle {
    uint64_t n, a, c;
} random_cycle;

static random_cycle random_cycle_new(uint64_t n, uint64_t *rng) {
    random_cycle cyc = {n, 1, 0};
    if (n > 1) {
        do
            cyc.a = 1 + next_random(rng) % (n - 1);
        while (gcd(cyc.a, n) != 1);
        cyc.c = next_random(rng) % n;
    }
    return cyc;
}

static uint64_t random_cycle_step(const random_cycle *cyc, uint64_t s) {
    return s >= cyc->n - cyc->a ? s - (cyc->n - cyc->a) : s + cyc->a; /* (s + a) mod n */
}

static hl_workload_status check_random(hl_workload_ctx *ctx) {
    const hl_object *nodes = hl_global_get(ctx->heap, G_ROOT);
    const uint64_t n = ctx->size;
    for (size_t i = 0; i < n; i++) {
        const hl_object *node = hl_list_get(nodes, i);
        for (size_t e = 0; e < RANDOM_EDGES; e++)
            if (hl_record_get(node, e) == NULL)
                return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "random: node %zu lacks edge %zu",
                                        i, e);
    }
    /* Edge 0 returns to the start after exactly n steps and no sooner: one cycle
     * through all n nodes. */
    const hl_object *start = hl_list_get(nodes, 0), *node = start;
    for (uint64_t k = 1; k <= n; k++) {
        node = hl_record_get(node, 0);
        if ((node == start) != (k == n))
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                    "random: edge 0 closes a cycle of %llu nodes, not %llu",
                                    (unsigned long long)k, (unsigned long long)n);
    }
    return HL_WORKLOAD_OK;
}

static NOINLINE hl_workload_status build_random(hl_workload_ctx *ctx, uint64_t *before,
                                                uint64_t *leak) {
    hl_heap *heap = ctx->heap;
    const uint64_t n = ctx->size;
    uint64_t rng = ctx->seed;
    *before = hl_heap_live_objects(heap);
    *leak = n;
    hl_object *nodes = hl_list_new(heap, (size_t)n, NULL);
    if (nodes == NULL) return abandon(ctx, "nodes = [None] * n");
    hl_global_set(heap, G_ROOT, nodes);
    hl_decref(heap, nodes);
    for (size_t i = 0; i < n; i++)
        if (new_node_in(ctx, nodes, i, RANDOM_EDGES) == NULL) return abandon(ctx, "Node()");
    /* Setting fields allocates nothing, so no collection can start from here on. */
    random_cycle cyc = random_cycle_new(n, &rng);
    for (uint64_t k = 0, s = cyc.c; k < n; k++) {
        uint64_t t = random_cycle_step(&cyc, s);
        hl_record_set(heap, hl_list_get(nodes, (size_t)s), 0, hl_list_get(nodes, (size_t)t));
        s = t;
    }
    for (size_t i = 0; i < n; i++) {
        hl_object *node = hl_list_get(nodes, i);
        for (size_t e = 1; e < RANDOM_EDGES; e++)
            hl_record_set(heap, node, e, hl_list_get(nodes, (size_t)(next_random(&rng) % n)));
    }
    return checked(ctx, check_random);
}

static hl_workload_status cyclic_random(hl_workload_ctx *ctx) {
    return build_then_collect(ctx, build_random);
}

/* ---- cyclic_graph/tree ---- */

enum { TREE_LEFT, TREE_RIGHT, TREE_PARENT, TREE_FIELDS };

/* The tree is walked depth-first without a stack: node i's children are 2i+1 and
 * 2i+2 (heap order), and the way back up is the parent pointer the workload is
 * about. The build creates each child on its way down; the check walks the same way. */
static hl_workload_status check_tree(hl_workload_ctx *ctx) {
    const uint64_t n = ctx->size;
    const hl_object *root = hl_global_get(ctx->heap, G_ROOT);
    const hl_object *node = root;
    uint64_t index = 0, seen = 1;
    /* From a node, go down to the first child not yet visited, else up. `from` is the
     * child index we came up from (0: we came down). */
    uint64_t from = 0;
    for (;;) {
        uint64_t left = 2 * index + 1, right = 2 * index + 2;
        uint64_t next = from == 0 ? left : (from == left ? right : n);
        if (next < n) {
            const hl_object *child = hl_record_get(node, next == left ? TREE_LEFT : TREE_RIGHT);
            if (child == NULL || hl_record_get(child, TREE_PARENT) != node)
                return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "tree: node %llu is wrong",
                                        (unsigned long long)next);
            node = child;
            index = next;
            from = 0;
            seen++;
            continue;
        }
        if (index == 0) break;
        from = index;
        index = (index - 1) / 2;
        node = hl_record_get(node, TREE_PARENT);
    }
    if (hl_record_get(root, TREE_PARENT) != NULL || seen != n)
        return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "tree: %llu nodes, expected %llu",
                                (unsigned long long)seen, (unsigned long long)n);
    return HL_WORKLOAD_OK;
}

static NOINLINE hl_workload_status build_tree(hl_workload_ctx *ctx, uint64_t *before,
                                              uint64_t *leak) {
    hl_heap *heap = ctx->heap;
    const uint64_t n = ctx->size;
    *before = hl_heap_live_objects(heap);
    /* With one node there is no child, hence no cycle: refcount frees it. */
    *leak = n >= 2 ? n : 0;
    /* No single request covers the tree: an impossible n fails before the first node. */
    hl_workload_status fits =
        hl_workload_check_fits(ctx, n, TREE_FIELDS * sizeof(hl_object *), "Node()");
    if (fits != HL_WORKLOAD_OK) return fits;
    hl_object *root = hl_record_new(heap, TREE_FIELDS, NULL, NULL);
    if (root == NULL) return abandon(ctx, "Node()");
    hl_global_set(heap, G_ROOT, root);
    hl_decref(heap, root);
    /* The same walk as check_tree, creating each child on the way down. The current
     * node is borrowed: reachable from the root through child links. */
    hl_object *node = root;
    uint64_t index = 0, from = 0;
    for (;;) {
        uint64_t left = 2 * index + 1, right = 2 * index + 2;
        uint64_t next = from == 0 ? left : (from == left ? right : n);
        if (next < n) {
            hl_object *child = hl_record_new(heap, TREE_FIELDS, NULL, NULL);
            if (child == NULL) return abandon(ctx, "Node()");
            hl_record_set(heap, node, next == left ? TREE_LEFT : TREE_RIGHT, child);
            hl_record_set(heap, child, TREE_PARENT, node);
            hl_decref(heap, child);
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
    return checked(ctx, check_tree);
}

static hl_workload_status cyclic_tree(hl_workload_ctx *ctx) {
    return build_then_collect(ctx, build_tree);
}

static const hl_workload_variant cyclic_graph_variants[] = {
    {"pairs", "the seeds' Person pairs, each the other's partner (n people)", cyclic_pairs,
     HL_GROWS_HEAP},
    {"rings", "doubly linked rings of 21 nodes, as pyperformance's gc_collect", cyclic_rings,
     HL_GROWS_HEAP},
    {"random", "n nodes, 4 out-edges each (one random cycle through all, 3 random)", cyclic_random,
     HL_GROWS_HEAP},
    {"tree", "a binary tree of n nodes whose children point back to their parent", cyclic_tree,
     HL_GROWS_HEAP},
};

const hl_workload hl_cyclic_graph_workload = {
    .name = "cyclic_graph",
    .summary = "reference cycles built, dropped and collected (refcount leaks them)",
    .variants = cyclic_graph_variants,
    .variant_count = sizeof cyclic_graph_variants / sizeof cyclic_graph_variants[0],
    .default_size = 100000,
    .sizes = {1000, 10000, 100000, 1000000, 10000000},
    .fail_alloc_size = 300,
};
