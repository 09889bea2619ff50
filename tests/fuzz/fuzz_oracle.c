/* The heap fuzz target's oracles (tests/fuzz/fuzz_heap.c tells what they check and
 * when): pointer sets and vectors, the reachable set, and the checks over the heap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_internal.h"

/* ---- small pointer sets and vectors (plain malloc: the harness's own memory) ---- */

void *fz_xrealloc(void *p, size_t bytes) {
    void *q = realloc(p, bytes);
    if (q == NULL) {
        fprintf(stderr, "fuzz_heap: out of memory in the harness\n");
        abort();
    }
    return q;
}

static size_t fz_hash(const hl_object *o) {
    uint64_t x = (uint64_t)(uintptr_t)o;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x;
}

static void set_clear(fz_set *s) {
    if (s->capacity != 0) memset(s->slots, 0, s->capacity * sizeof *s->slots);
    s->count = 0;
}

static bool set_has(const fz_set *s, const hl_object *o) {
    if (s->capacity == 0) return false;
    for (size_t i = fz_hash(o) & (s->capacity - 1);; i = (i + 1) & (s->capacity - 1)) {
        if (s->slots[i] == o) return true;
        if (s->slots[i] == NULL) return false;
    }
}

static bool set_add(fz_set *s, hl_object *o);

static void set_grow(fz_set *s) {
    fz_set bigger = {NULL, s->capacity == 0 ? 256 : s->capacity * 2, 0};
    bigger.slots = fz_xrealloc(NULL, bigger.capacity * sizeof *bigger.slots);
    memset(bigger.slots, 0, bigger.capacity * sizeof *bigger.slots);
    for (size_t i = 0; i < s->capacity; i++)
        if (s->slots[i] != NULL) set_add(&bigger, s->slots[i]);
    free(s->slots);
    *s = bigger;
}

/* true when `o` was not in the set yet. */
static bool set_add(fz_set *s, hl_object *o) {
    if (2 * (s->count + 1) > s->capacity) set_grow(s);
    for (size_t i = fz_hash(o) & (s->capacity - 1);; i = (i + 1) & (s->capacity - 1)) {
        if (s->slots[i] == o) return false;
        if (s->slots[i] == NULL) {
            s->slots[i] = o;
            s->count++;
            return true;
        }
    }
}

static void vec_push(fz_vec *v, hl_object *o) {
    if (v->count == v->capacity) {
        v->capacity = v->capacity == 0 ? 256 : v->capacity * 2;
        v->items = fz_xrealloc(v->items, v->capacity * sizeof *v->items);
    }
    v->items[v->count++] = o;
}

/* ---- reachability, and picking objects the heap must keep alive ---- */

bool fz_is_immortal(const hl_object *o) {
    return (o->flags & HL_FLAG_IMMORTAL) != 0;
}

static bool is_container(const hl_object *o) {
    return o->type == HL_TYPE_LIST || o->type == HL_TYPE_RECORD;
}

typedef struct fz_reach_walk {
    fz_set *set;
    fz_vec *order;
    fz_vec *containers; /* may be NULL */
} fz_reach_walk;

static void reach_note(hl_object *o, void *data) {
    fz_reach_walk *w = data;
    if (o == NULL || fz_is_immortal(o) || !set_add(w->set, o)) return;
    vec_push(w->order, o);
    if (w->containers != NULL && is_container(o)) vec_push(w->containers, o);
}

/* Every object reachable from the roots (globals, frame chain, handles, pinned). */
void fz_compute_reachable(fz_ctx *c, fz_set *set, fz_vec *order, fz_vec *containers) {
    set_clear(set);
    order->count = 0;
    if (containers != NULL) containers->count = 0;
    fz_reach_walk w = {set, order, containers};
    hl__each_root(c->heap, reach_note, &w);
    for (size_t i = 0; i < order->count; i++)
        hl_object_visit_refs(order->items[i], reach_note, &w);
}

/* ---- the oracles ---- */

typedef struct fz_live_walk {
    fz_ctx *c;
    uint64_t reported;
} fz_live_walk;

static void note_live(hl_object *o, void *data) {
    fz_live_walk *w = data;
    fz_ctx *c = w->c;
    w->reported++;
    if (fz_is_immortal(o)) fz_fail(c, "hl_heap_each reported a small int");
    if (!set_add(&c->live, o)) fz_fail(c, "hl_heap_each reported object %p twice", (void *)o);
    vec_push(&c->live_order, o);
}

static void check_object(fz_ctx *c, hl_object *o) {
    if (o->type > HL_TYPE_FRAME) fz_fail(c, "object %p has type %u", (void *)o, o->type);
    /* HL_FLAG_BLACK is mark_sweep's mark, a sense bit it keeps between collections
     * (collectors/mark_sweep.c); any other collector must leave it clear. */
    bool sense = strcmp(c->collector->name, "mark_sweep") == 0;
    const uint16_t transient = (uint16_t)(HL_FLAG_COLLECTING | HL_FLAG_UNREACHABLE | HL_FLAG_GREY |
                                          HL_FLAG_VISITED | (sense ? 0 : HL_FLAG_BLACK));
    if (o->flags & transient)
        fz_fail(c, "%s %p keeps collection state bits 0x%x outside a collection", hl_type_name(o),
                (void *)o, o->flags & transient);
    if (o->type == HL_TYPE_STR) {
        size_t n = hl_str_length(o);
        const char *s = hl_str_data(o);
        for (size_t i = 0; i < n; i++)
            if (s[i] != (char)('a' + (n + i) % 26))
                fz_fail(c, "str %p of length %zu was overwritten at byte %zu", (void *)o, n, i);
        if (s[n] != '\0') fz_fail(c, "str %p lost its NUL", (void *)o);
    }
    if (!c->counting && o->refcnt != 0)
        fz_fail(c, "%s %p has count %ld under a tracing collector", hl_type_name(o), (void *)o,
                (long)o->refcnt);
}

/* Counting collectors: each live object's count is its references from live objects
 * and from the roots (the pinned object is a root but holds no count; the fuzzer's
 * own extra count on `held` does). Uses c->live / c->live_order. */
typedef struct fz_refs {
    fz_ctx *c;
    hl_object **keys; /* open-addressed like fz_set, parallel counts */
    intptr_t *counts;
    size_t capacity;
} fz_refs;

static intptr_t *refs_slot(fz_refs *r, const hl_object *o) {
    for (size_t i = fz_hash(o) & (r->capacity - 1);; i = (i + 1) & (r->capacity - 1)) {
        if (r->keys[i] == o) return &r->counts[i];
        if (r->keys[i] == NULL) return NULL;
    }
}

static void refs_count(hl_object *o, void *data) {
    fz_refs *r = data;
    if (fz_is_immortal(o)) return;
    intptr_t *n = refs_slot(r, o);
    if (n == NULL)
        fz_fail(r->c, "a live object or root refers to %p, which is not live", (void *)o);
    (*n)++;
}

static void check_counts(fz_ctx *c) {
    fz_refs r = {c, NULL, NULL, 16};
    while (r.capacity < 2 * c->live_order.count + 2)
        r.capacity *= 2;
    r.keys = fz_xrealloc(NULL, r.capacity * sizeof *r.keys);
    r.counts = fz_xrealloc(NULL, r.capacity * sizeof *r.counts);
    memset(r.keys, 0, r.capacity * sizeof *r.keys);
    memset(r.counts, 0, r.capacity * sizeof *r.counts);
    for (size_t k = 0; k < c->live_order.count; k++) {
        hl_object *o = c->live_order.items[k];
        size_t i = fz_hash(o) & (r.capacity - 1);
        while (r.keys[i] != NULL)
            i = (i + 1) & (r.capacity - 1);
        r.keys[i] = o;
    }
    for (size_t k = 0; k < c->live_order.count; k++)
        hl_object_visit_refs(c->live_order.items[k], refs_count, &r);
    hl__each_root(c->heap, refs_count, &r);
    for (size_t k = 0; k < 2; k++) {
        hl_object *pinned = c->heap->pinned[k];
        if (pinned != NULL && !fz_is_immortal(pinned)) (*refs_slot(&r, pinned))--;
    }
    if (c->held != NULL && !fz_is_immortal(c->held)) {
        intptr_t *n = refs_slot(&r, c->held);
        if (n == NULL) fz_fail(c, "the object the fuzzer holds (%p) is not live", (void *)c->held);
        (*n)++;
    }
    for (size_t k = 0; k < c->live_order.count; k++) {
        hl_object *o = c->live_order.items[k];
        intptr_t expected = *refs_slot(&r, o);
        if (o->refcnt != expected)
            fz_fail(c, "%s %p has count %ld but %ld references", hl_type_name(o), (void *)o,
                    (long)o->refcnt, (long)expected);
    }
    free(r.keys);
    free(r.counts);
}

static void note_garbage_ref(hl_object *o, void *data) {
    fz_ctx *c = data;
    if (!fz_is_immortal(o) && !set_has(&c->reach, o)) set_add(&c->garbage_referred, o);
}

/* A record with a pending finalizer that is no longer live was freed without it.
 * (Regression: tests/fuzz/regressions/mark_sweep-finalizer-cuts-loose, where a
 * finalizer cut loose another finalizable record within the same collection.) */
static void check_finalizable(fz_ctx *c) {
    for (size_t i = 0; i < c->finalizable_count; i++) {
        fz_finalizable *f = &c->finalizable[i];
        if (f->dead || set_has(&c->live, f->obj)) continue;
        if (f->calls == 0)
            fz_fail(c, "record %p (finalizer %zu) was freed without its finalizer running",
                    (void *)f->obj, i);
        f->dead = true;
    }
}

/* The checks listed at the top. ORACLE_EXACT: live set == reachable set. Otherwise
 * the garbage left must be cyclic (counting collectors) or anything (mark_sweep). */
void fz_check_heap(fz_ctx *c, fz_oracle oracle) {
    fz_compute_reachable(c, &c->reach, &c->reach_order, NULL);
    set_clear(&c->live);
    c->live_order.count = 0;
    fz_live_walk w = {c, 0};
    hl_heap_each(c->heap, note_live, &w);
    if (w.reported != hl_heap_live_objects(c->heap))
        fz_fail(c, "hl_heap_each walked %llu objects, hl_heap_live_objects says %llu",
                (unsigned long long)w.reported, (unsigned long long)hl_heap_live_objects(c->heap));
    for (size_t i = 0; i < c->reach_order.count; i++) {
        hl_object *o = c->reach_order.items[i];
        if (!set_has(&c->live, o))
            fz_fail(c, "reachable %s %p is not live", hl_type_name(o), (void *)o);
    }
    for (size_t i = 0; i < c->live_order.count; i++)
        check_object(c, c->live_order.items[i]);
    if (c->counting) check_counts(c);
    check_finalizable(c);

    if (oracle == ORACLE_EXACT) {
        for (size_t i = 0; i < c->live_order.count; i++) {
            hl_object *o = c->live_order.items[i];
            if (!set_has(&c->reach, o))
                fz_fail(c, "%s %p survived a full collection but is unreachable", hl_type_name(o),
                        (void *)o);
        }
    } else if (c->counting) {
        /* What counting cannot free: every unreachable live object has an unreachable
         * referrer (walking referrers backwards must then meet a cycle). */
        set_clear(&c->garbage_referred);
        for (size_t i = 0; i < c->live_order.count; i++) {
            hl_object *o = c->live_order.items[i];
            if (!set_has(&c->reach, o)) hl_object_visit_refs(o, note_garbage_ref, c);
        }
        for (size_t i = 0; i < c->live_order.count; i++) {
            hl_object *o = c->live_order.items[i];
            if (!set_has(&c->reach, o) && !set_has(&c->garbage_referred, o))
                fz_fail(c, "unreachable %s %p is live but on no cycle and not reachable from one",
                        hl_type_name(o), (void *)o);
        }
    }
}
