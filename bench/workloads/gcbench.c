/* gcbench: Boehm, Ellis and Kovac's GCBench (John Ellis and Pete Kovac's Java benchmark,
 * modified by Hans Boehm and translated by him to C; wingo/whippet's
 * benchmarks/mt-gcbench.c keeps that structure and its constants).
 *
 *   stretch tree of depth kStretchTreeDepth: MakeTree, then dropped
 *   long-lived tree of depth kLongLivedTreeDepth: Populate
 *   long-lived array of kArraySize elements, its first half filled
 *   for d = kMinTreeDepth; d <= kMaxTreeDepth; d += 2:        (TimeConstruction)
 *       NumIters(d) trees built top-down (Populate), each dropped
 *       NumIters(d) trees built bottom-up (MakeTree), each dropped
 *   NumIters(d) = 2 * TreeSize(kStretchTreeDepth) / TreeSize(d)
 *   TreeSize(d) = 2^(d+1) - 1
 *   finally the long-lived tree and array must still be intact
 *
 * The size. The original's constants are kStretchTreeDepth 18, kLongLivedTreeDepth 16,
 * kArraySize 500000, kMinTreeDepth 4, kMaxTreeDepth 16. Here n is the scale in nodes:
 * kLongLivedTreeDepth = kMaxTreeDepth = the deepest complete tree of at most n nodes
 * (n = 131071 = TreeSize(16) is the original), kStretchTreeDepth = that + 2, kMinTreeDepth
 * stays 4 (depths below it build no temporary trees), and kArraySize = n * 500000 /
 * 131071, the original's proportion.
 *
 * The translation. A Node is a record of two fields (left, right); the Java Node's two
 * int fields i and j are never read, so they are left out. There are no floats in the
 * object model: the array of doubles (array[i] = 1.0/i for the first half) becomes a
 * list of boxed ints, array[i] = i for the first half and 0 (a shared small int) for
 * the rest. MakeTree's left subtree is held in a handle while the right one is built,
 * as the value stack holds it in CPython; Populate stores each child into its parent
 * before the next allocation.
 *
 * The check, with the clock paused: the long-lived tree is complete (every node above
 * the deepest level has both children, none below) and the array holds its values.
 * Then one timed gc.collect() and hl_workload_collect_and_check: only the long-lived
 * tree and array may stay (every temporary tree was dropped; none holds a cycle, so
 * reference counting alone frees them all), which a collector that never collects
 * fails.
 */
#include <stdint.h>
#include <stdio.h>

#include "bench/workloads/workload.h"

enum { G_LONG_TREE, G_ARRAY, G_TEMP, G_PROBE }; /* globals */
enum { NODE_LEFT, NODE_RIGHT, NODE_FIELDS };

#define MIN_TREE_DEPTH 4                 /* kMinTreeDepth */
#define ORIGINAL_LONG_LIVED_NODES 131071 /* TreeSize(kLongLivedTreeDepth = 16) */
#define ORIGINAL_ARRAY_SIZE 500000       /* kArraySize */
#define MAX_DEPTH 60                     /* TreeSize stays below 2^63 up to depth 62 */

static uint64_t tree_size(int depth) {
    return ((uint64_t)1 << (depth + 1)) - 1;
}

typedef struct gcbench_shape {
    int long_lived_depth; /* also kMaxTreeDepth */
    int stretch_depth;
    uint64_t array_size;
} gcbench_shape;

static gcbench_shape shape_of(uint64_t n) {
    gcbench_shape s = {0, 0, 0};
    while (s.long_lived_depth < MAX_DEPTH && tree_size(s.long_lived_depth + 1) <= n)
        s.long_lived_depth++;
    s.stretch_depth = s.long_lived_depth + 2;
    /* n < 2^64 / 500000 for any n a heap can hold; past that the tree is refused first */
    uint64_t scaled;
    s.array_size = __builtin_mul_overflow(n, ORIGINAL_ARRAY_SIZE, &scaled)
                       ? UINT64_MAX
                       : scaled / ORIGINAL_LONG_LIVED_NODES;
    return s;
}

/* Populate(depth, node): `node` is reachable from a global; each child is stored into
 * it before the next allocation. False on a heap error. */
static bool populate(hl_heap *heap, int depth, hl_object *node) {
    if (depth <= 0) return true;
    depth--;
    for (size_t side = NODE_LEFT; side <= NODE_RIGHT; side++) {
        hl_object *child = hl_record_new(heap, NODE_FIELDS, NULL, NULL);
        if (child == NULL) return false;
        hl_record_set(heap, node, side, child);
        hl_decref(heap, child);
    }
    return populate(heap, depth, hl_record_get(node, NODE_LEFT)) &&
           populate(heap, depth, hl_record_get(node, NODE_RIGHT));
}

/* MakeTree(depth): a new reference, or NULL on a heap error. The subtrees are held in
 * handles while their parent is allocated. */
static hl_object *make_tree(hl_heap *heap, int depth) {
    if (depth <= 0) return hl_record_new(heap, NODE_FIELDS, NULL, NULL);
    size_t scope = hl_scope_open(heap);
    hl_object *left = hl_root(heap, make_tree(heap, depth - 1));
    hl_object *right = left != NULL ? hl_root(heap, make_tree(heap, depth - 1)) : NULL;
    hl_object *node = right != NULL ? hl_record_new(heap, NODE_FIELDS, NULL, NULL) : NULL;
    if (node != NULL) {
        hl_record_set(heap, node, NODE_LEFT, left);
        hl_record_set(heap, node, NODE_RIGHT, right);
    }
    hl_scope_close(heap, scope);
    return node;
}

/* A new Node() in global `slot`, populated to `depth`. */
static bool populated_tree(hl_heap *heap, size_t slot, int depth) {
    hl_object *root = hl_record_new(heap, NODE_FIELDS, NULL, NULL);
    if (root == NULL) return false;
    hl_global_set(heap, slot, root);
    hl_decref(heap, root);
    return populate(heap, depth, root);
}

/* MakeTree(depth) into global `slot`. */
static bool made_tree(hl_heap *heap, size_t slot, int depth) {
    hl_object *root = make_tree(heap, depth);
    if (root == NULL) return false;
    hl_global_set(heap, slot, root);
    hl_decref(heap, root);
    return true;
}

/* The nodes of a complete tree of `depth` below `node`, or 0 when it is not one. */
static uint64_t complete_nodes(const hl_object *node, int depth) {
    if (node == NULL) return 0;
    const hl_object *left = hl_record_get(node, NODE_LEFT),
                    *right = hl_record_get(node, NODE_RIGHT);
    if (depth == 0) return left == NULL && right == NULL ? 1 : 0;
    uint64_t l = complete_nodes(left, depth - 1), r = l != 0 ? complete_nodes(right, depth - 1) : 0;
    return l != 0 && r != 0 ? 1 + l + r : 0;
}

static hl_workload_status check_long_lived(hl_workload_ctx *ctx, const gcbench_shape *s) {
    const hl_object *tree = hl_global_get(ctx->heap, G_LONG_TREE);
    const hl_object *array = hl_global_get(ctx->heap, G_ARRAY);
    if (complete_nodes(tree, s->long_lived_depth) != tree_size(s->long_lived_depth))
        return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                "gcbench: the long-lived tree is not a complete tree of depth %d",
                                s->long_lived_depth);
    if (array == NULL || hl_list_length(array) != s->array_size)
        return hl_workload_fail(ctx, HL_WORKLOAD_FAILED, "gcbench: the long-lived array is lost");
    for (uint64_t i = 0; i < s->array_size; i++) {
        const hl_object *item = hl_list_get(array, (size_t)i);
        int64_t want = i < s->array_size / 2 ? (int64_t)i : 0;
        if (item == NULL || hl_int_value(item) != want)
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                    "gcbench: array[%llu] is wrong, expected %lld",
                                    (unsigned long long)i, (long long)want);
    }
    return HL_WORKLOAD_OK;
}

static hl_workload_status fail_build(hl_workload_ctx *ctx, const char *where) {
    hl_status error = hl_heap_error(ctx->heap);
    for (size_t g = G_LONG_TREE; g <= G_TEMP; g++)
        hl_global_set(ctx->heap, g, NULL);
    return hl_workload_raise(ctx, error, where);
}

/* Everything up to the final collection, in a frame that has returned before it (so a
 * conservative collector finds no stale pointer of it on the stack). */
static __attribute__((noinline)) hl_workload_status build(hl_workload_ctx *ctx,
                                                          const gcbench_shape *s) {
    hl_heap *heap = ctx->heap;
    /* The stretch tree is the largest thing held at once: refuse an impossible n first. */
    hl_workload_status fits = hl_workload_check_fits(ctx, tree_size(s->stretch_depth),
                                                     NODE_FIELDS * sizeof(hl_object *), "Node()");
    if (fits != HL_WORKLOAD_OK) return fits;
    if (!made_tree(heap, G_TEMP, s->stretch_depth)) return fail_build(ctx, "stretch tree");
    hl_global_set(heap, G_TEMP, NULL);
    if (!populated_tree(heap, G_LONG_TREE, s->long_lived_depth))
        return fail_build(ctx, "long-lived tree");
    hl_object *zero = hl_int_new(heap, 0); /* small ints are never freed: no root needed */
    hl_object *array = zero != NULL ? hl_list_new(heap, (size_t)s->array_size, zero) : NULL;
    hl_decref(heap, zero);
    if (array == NULL) return fail_build(ctx, "long-lived array");
    hl_global_set(heap, G_ARRAY, array);
    hl_decref(heap, array);
    for (uint64_t i = 0; i < s->array_size / 2; i++) {
        hl_object *value = hl_int_new(heap, (int64_t)i);
        if (value == NULL) return fail_build(ctx, "array[i]");
        hl_list_set(heap, array, (size_t)i, value);
        hl_decref(heap, value);
    }
    for (int d = MIN_TREE_DEPTH; d <= s->long_lived_depth; d += 2) { /* TimeConstruction(d) */
        uint64_t iters = 2 * tree_size(s->stretch_depth) / tree_size(d);
        for (uint64_t i = 0; i < iters; i++) {
            if (!populated_tree(heap, G_TEMP, d)) return fail_build(ctx, "top-down tree");
            hl_global_set(heap, G_TEMP, NULL);
        }
        for (uint64_t i = 0; i < iters; i++) {
            if (!made_tree(heap, G_TEMP, d)) return fail_build(ctx, "bottom-up tree");
            hl_global_set(heap, G_TEMP, NULL);
        }
    }
    hl_workload_pause(ctx);
    hl_workload_at_peak(ctx);
    hl_workload_status status = check_long_lived(ctx, s);
    hl_workload_resume(ctx);
    return status;
}

static hl_workload_status gcbench_classic(hl_workload_ctx *ctx) {
    hl_heap *heap = ctx->heap;
    const gcbench_shape s = shape_of(ctx->size);
    uint64_t before = hl_heap_live_objects(heap);
    hl_workload_status status = build(ctx, &s);
    if (status == HL_WORKLOAD_OK) {
        /* What stays: the tree, the array and its boxed ints past the small ones. */
        uint64_t half = s.array_size / 2, boxed = half > 257 ? half - 257 : 0;
        uint64_t kept = before + tree_size(s.long_lived_depth) + 1 + boxed;
        status = hl_workload_collect_and_check(ctx, kept, 0, G_PROBE, "gcbench");
    }
    for (size_t g = G_LONG_TREE; g <= G_TEMP; g++)
        hl_global_set(heap, g, NULL);
    return status;
}

static const hl_workload_variant gcbench_variants[] = {
    {"classic", "GCBench: long-lived tree and array; trees built top-down and bottom-up, dropped",
     gcbench_classic, HL_GROWS_HEAP},
};

const hl_workload hl_gcbench_workload = {
    .name = "gcbench",
    .summary = "Boehm, Ellis and Kovac's GCBench; n: long-lived tree nodes (131071: the "
               "original)",
    .variants = gcbench_variants,
    .variant_count = sizeof gcbench_variants / sizeof gcbench_variants[0],
    /* 16383: depth 13, about 0.3 s an iteration under rc_cycle; the original's 131071
     * takes 1 to 3.5 s; 10^6 (depth 18) would take half a minute */
    .default_size = 16383,
    .sizes = {1000, 16383, 131071},
    .fail_alloc_size = 31,
};
