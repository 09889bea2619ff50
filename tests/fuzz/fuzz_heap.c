/* fuzz_heap: a libFuzzer target that drives the object API with operation sequences
 * decoded from its input and checks the collectors' oracles as it goes.
 *
 * The input. Three header bytes, then operations until the input ends (a read past
 * the end gives 0, so every byte string is a valid input):
 *
 *   byte 0  bits 0-1: collector, modulo the number fuzzed (the registry's precise
 *           collectors that allocate through the hl_allocator, in registry order;
 *           two bits reach the first four of them, HEAPLAB_FUZZ_COLLECTOR any), ignored
 *           when HEAPLAB_FUZZ_COLLECTOR or fuzz_heap_force_collector chose one;
 *           bits 2-3: allocator, modulo the number fuzzed (the registry's allocators
 *           that need no preloaded library, in registry order: libc, pool, bump);
 *           bit 4: inject one allocation failure (allocator fail_at = 1 + byte 2).
 *   byte 1  the counting collectors' thresholds (small, so that automatic collections
 *           happen).
 *   byte 2  the failing allocation attempt when bit 4 of byte 0 is set.
 *
 * Each operation is an opcode byte and its argument bytes: allocate an int, str
 * (some above the pool's 512-byte classes), list (empty or [x] * n) or record (1-4
 * fields, with or without a finalizer), and put it in a global slot, a local of the
 * current frame, a handle, a field of a reachable container, or nowhere; link and
 * unlink (hl_record_set, hl_list_set, hl_list_append, set NULL); replace or drop a
 * root (global, local, handle); push and pop frames (the recursion limit is small);
 * open and close handle scopes; collect a generation (0..2).
 *
 * The fuzzer never keeps a pointer across an operation: every object it touches is
 * picked, at the moment it is used, from the set reachable from the roots (computed
 * with hl__each_root and hl_object_visit_refs), so it only ever uses objects the heap
 * must keep alive. The only C temporaries are a new object (stored before anything
 * can collect) and the `fill` of hl_list_new (held by an extra count across the call,
 * pinned by the heap for a tracing collector).
 *
 * Finalizers (records made with one) count their calls in a table owned by the run's
 * context, abort on a second call, and, chosen per record: do nothing, resurrect the
 * record into a global, allocate a str into a global, clear the record's first field,
 * or link the record into whatever global 0 holds.
 *
 * The oracles, checked after every FULL collection (an event listener sees it end,
 * automatic ones included), after every collect operation and at the end:
 * - Always: every object reachable from the roots is live; hl_heap_each reports each
 *   live object once and as many as hl_heap_live_objects; strs still hold the bytes
 *   they were made with; no collector state bit survives a collection; under the
 *   counting collectors each live object's count equals its references from live
 *   objects and roots (plus the one extra count the fuzzer holds, if any); a record
 *   whose finalizer has not run is never freed while finalizers are on.
 * - After a full collection, rc_cycle and mark_sweep: the live set is exactly the
 *   reachable set. (rc_cycle: unless a finalizer dropped a reference during that
 *   collection: cyclic garbage made by a finalizer waits for the next one, as in
 *   CPython; the refcount rule below applies then.)
 * - refcount (and rc_cycle between full collections): every live object that is not
 *   reachable lies on a reference cycle or is reachable from one, i.e. every such
 *   object is referred to by another such object.
 * - At the end: hl_heap_destroy leaves the allocator instance with no live byte and
 *   as many frees as allocations.
 * A violation prints what and where to stderr and calls abort(): that is how libFuzzer
 * records a crash input.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/collector.h"
#include "tests/fuzz/fuzz_heap.h"
#include "tests/fuzz/fuzz_internal.h"



/* The collectors fuzzed (fuzz_heap.h): precise, and allocating through the
 * hl_allocator (where the injected failures are). The index-th of them, NULL past the
 * end. */
static const hl_collector_ops *fz_collector_at(size_t index) {
    for (size_t i = 0; hl_collector_registry[i] != NULL; i++) {
        const hl_collector_ops *c = hl_collector_registry[i];
        if (hl_collector_is_conservative(c) || hl_collector_own_allocator(c) != NULL) continue;
        if (index-- == 0) return c;
    }
    return NULL;
}

/* The allocators fuzzed: those that need no preloaded library (one process runs every
 * input). The index-th of them, NULL past the end. */
static const hl_allocator_ops *fz_allocator_at(size_t index) {
    for (size_t i = 0; hl_allocator_registry[i] != NULL; i++) {
        if (hl_allocator_registry[i]->preload != NULL) continue;
        if (index-- == 0) return hl_allocator_registry[i];
    }
    return NULL;
}

static size_t fz_collector_count(void) {
    size_t n = 0;
    while (fz_collector_at(n) != NULL)
        n++;
    return n;
}
static size_t fz_allocator_count(void) {
    size_t n = 0;
    while (fz_allocator_at(n) != NULL)
        n++;
    return n;
}

const char *fuzz_heap_collector_name(size_t index) {
    const hl_collector_ops *c = fz_collector_at(index);
    return c != NULL ? c->name : NULL;
}

static const hl_collector_ops *fz_forced_collector; /* set once, before any input */
static bool fz_trace;                               /* HEAPLAB_FUZZ_TRACE: print each op */

void fuzz_heap_force_collector(const hl_collector_ops *collector) {
    fz_forced_collector = collector;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *trace = getenv("HEAPLAB_FUZZ_TRACE");
    fz_trace = trace != NULL && trace[0] != '\0' && trace[0] != '0';
    const char *name = getenv("HEAPLAB_FUZZ_COLLECTOR");
    if (name != NULL && name[0] != '\0') {
        const hl_collector_ops *c = NULL;
        char valid[256] = "";
        for (size_t i = 0; fz_collector_at(i) != NULL; i++) {
            if (strcmp(fz_collector_at(i)->name, name) == 0) c = fz_collector_at(i);
            if (i > 0) strncat(valid, ", ", sizeof valid - strlen(valid) - 1);
            strncat(valid, fz_collector_at(i)->name, sizeof valid - strlen(valid) - 1);
        }
        if (c == NULL) {
            fprintf(stderr,
                    "fuzz_heap: HEAPLAB_FUZZ_COLLECTOR '%s' is not one this target fuzzes "
                    "(valid: %s)\n",
                    name, valid);
            exit(2);
        }
        fuzz_heap_force_collector(c);
    }
    return 0;
}

void fz_fail(const fz_ctx *c, const char *fmt, ...) {
    fprintf(stderr, "fuzz_heap: ORACLE FAILED (collector %s, allocator %s, op #%zu %s): ",
            c->collector->name, c->allocator.ops->name, c->op_index, c->where);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* ---- input decoding ---- */

typedef struct fz_input {
    const uint8_t *data;
    size_t size;
    size_t pos;
} fz_input;

static uint8_t take(fz_input *in) {
    return in->pos < in->size ? in->data[in->pos++] : 0;
}

static uint16_t take16(fz_input *in) {
    uint16_t lo = take(in);
    return (uint16_t)(lo | (uint16_t)(take(in) << 8));
}

static void refresh_picks(fz_ctx *c) {
    fz_compute_reachable(c, &c->pick_set, &c->pick_all, &c->pick_containers);
}

/* A value to store: NULL, a small int, or a reachable object (borrowed), never a frame:
 * a frame is not a value (no call of the API returns one; the walk only shows it), so
 * storing one is outside the contract. Collectors that leave frames untracked
 * (tracks_frames false, as CPython 3.11's interpreter frames) rely on it: a frame stored
 * in its own local would be a cycle that nothing tracked is on. */
static hl_object *pick_value(fz_ctx *c, fz_input *in) {
    uint8_t how = take(in);
    uint16_t index = take16(in);
    if (how % 8 == 0 || c->pick_all.count == 0) return NULL;
    if (how % 8 == 1) {
        /* A small int: shared and immortal, so the new reference can go at once. */
        hl_object *small = hl_int_new(c->heap, (int64_t)(index % 262) - 5);
        hl_decref(c->heap, small);
        return small;
    }
    hl_object *o = c->pick_all.items[index % c->pick_all.count];
    return o->type == HL_TYPE_FRAME ? NULL : o;
}

static hl_object *pick_container(fz_ctx *c, fz_input *in) {
    uint16_t index = take16(in);
    if (c->pick_containers.count == 0) return NULL;
    return c->pick_containers.items[index % c->pick_containers.count];
}

/* ---- the listener: the oracle after every full collection ---- */

static void on_collection_start(void *data, hl_collection_kind kind) {
    fz_ctx *c = data;
    c->kind = kind;
    c->in_collection = true;
    c->finalizer_dropped = false;
}

static void on_collection_end(void *data, uint64_t objects_freed) {
    (void)objects_freed;
    fz_ctx *c = data;
    /* A tracing collector re-marks after its finalizers; a counting one leaves the
     * cycles they cut loose for the next collection. */
    bool exact = c->kind == HL_COLLECTION_FULL && (!c->counting || !c->finalizer_dropped);
    fz_check_heap(c, exact ? ORACLE_EXACT : ORACLE_CONSISTENT);
    c->in_collection = false;
}

/* ---- finalizers ---- */

static void store_global_from_finalizer(fz_finalizable *f, size_t slot, hl_object *value) {
    hl_heap *heap = f->ctx->heap;
    if (hl_global_get(heap, slot) != NULL) f->ctx->finalizer_dropped = true;
    hl_global_set(heap, slot, value);
}

static hl_object *new_str(hl_heap *heap, size_t length) {
    char buf[1024];
    if (length >= sizeof buf) length = sizeof buf - 1;
    for (size_t i = 0; i < length; i++)
        buf[i] = (char)('a' + (length + i) % 26);
    return hl_str_new(heap, buf, length);
}

static void fz_finalizer(hl_heap *heap, hl_object *self, void *data) {
    fz_finalizable *f = data;
    fz_ctx *c = f->ctx;
    if (f->dead || self != f->obj) fz_fail(c, "finalizer called with a record it was not made for");
    if (++f->calls > 1) fz_fail(c, "finalizer of record %p ran %d times", (void *)self, f->calls);
    c->finalizer_runs++;
    if (fz_trace)
        fprintf(stderr, "fuzz_heap:   finalizer %zu (mode %d) of record %p\n",
                (size_t)(f - c->finalizable), f->mode, (void *)self);
    switch ((fz_finalizer_mode)f->mode) {
    case FIN_COUNT:
        break;
    case FIN_RESURRECT:
        store_global_from_finalizer(f, FZ_RESURRECT_SLOT, self);
        break;
    case FIN_ALLOCATE: {
        hl_object *s = new_str(heap, (size_t)(f - c->finalizable) % 40);
        if (s != NULL) {
            store_global_from_finalizer(f, FZ_FINALIZER_SLOT, s);
            hl_decref(heap, s);
        }
        break;
    }
    case FIN_CLEAR:
        if (hl_record_get(self, 0) != NULL) c->finalizer_dropped = true;
        hl_record_set(heap, self, 0, NULL);
        break;
    case FIN_LINK: {
        hl_object *g = hl_global_get(heap, 0);
        if (g == NULL || fz_is_immortal(g)) break;
        if (g->type == HL_TYPE_LIST) {
            hl_list_append(heap, g, self);
        } else if (g->type == HL_TYPE_RECORD) {
            if (hl_record_get(g, 0) != NULL) c->finalizer_dropped = true;
            hl_record_set(heap, g, 0, self);
        }
        break;
    }
    case FIN_MODE_COUNT:
        break;
    }
}

/* ---- operations ---- */

/* Put the new object `o` (a new reference, not yet stored) somewhere, then release
 * the fuzzer's reference. Nothing here can start a collection. */
static void place(fz_ctx *c, fz_input *in, hl_object *o) {
    hl_heap *heap = c->heap;
    uint8_t where = take(in);
    uint8_t index = take(in);
    refresh_picks(c); /* after the allocation: its collection may have changed them */
    switch (where % 6) {
    case 0:
        hl_global_set(heap, index % FZ_GLOBALS, o);
        break;
    case 1:
        if (hl_frame_depth(heap) > 0) hl_local_set(heap, index % FZ_MAX_LOCALS, o);
        break;
    case 2:
        hl_root(heap, o);
        return; /* the handle takes the fuzzer's reference */
    case 3:
    case 4: {
        hl_object *target = pick_container(c, in);
        if (target == NULL) break;
        if (target->type == HL_TYPE_RECORD) {
            hl_record_set(heap, target, index % FZ_MAX_FIELDS, o);
        } else if (where % 6 == 4 || hl_list_length(target) == 0) {
            hl_list_append(heap, target, o);
        } else {
            hl_list_set(heap, target, index % hl_list_length(target), o);
        }
        break;
    }
    default:
        break; /* nowhere: the object is garbage at once */
    }
    hl_decref(heap, o);
}

static void op_new_int(fz_ctx *c, fz_input *in) {
    int16_t v = (int16_t)take16(in);
    int64_t value = (v & 1) ? (int64_t)v * 1000003 : (int64_t)(v % 300);
    hl_object *o = hl_int_new(c->heap, value);
    if (o == NULL) return;
    if (hl_int_value(o) != value)
        fz_fail(c, "int %lld reads back as %lld", (long long)value, (long long)hl_int_value(o));
    place(c, in, o);
}

static void op_new_str(fz_ctx *c, fz_input *in) {
    uint8_t n = take(in);
    size_t length = n < 240 ? n % 48 : 500 + (size_t)take(in) * 2; /* some above 512 B */
    hl_object *o = new_str(c->heap, length);
    if (o == NULL) return;
    place(c, in, o);
}

static void op_new_list(fz_ctx *c, fz_input *in) {
    size_t length = take(in) % (FZ_MAX_LIST + 1);
    refresh_picks(c);
    hl_object *fill = length != 0 ? pick_value(c, in) : NULL;
    /* The fill is borrowed: hold a count across the call, in case a finalizer run by
     * the allocation's collection drops its last root. */
    if (fill != NULL) hl_incref(c->heap, fill);
    c->held = fill;
    hl_object *o = hl_list_new(c->heap, length, fill);
    c->held = NULL;
    hl_decref(c->heap, fill);
    if (o == NULL) return;
    if (hl_list_length(o) != length)
        fz_fail(c, "new list has length %zu, not %zu", hl_list_length(o), length);
    place(c, in, o);
}

static void op_new_record(fz_ctx *c, fz_input *in) {
    size_t fields = 1 + take(in) % FZ_MAX_FIELDS;
    uint8_t fin = take(in);
    fz_finalizable *f = NULL;
    if (fin % 2 == 1 && c->finalizable_count < FZ_MAX_FINALIZABLE) {
        f = &c->finalizable[c->finalizable_count];
        *f = (fz_finalizable){c, NULL, 0, false, (uint8_t)((fin / 2) % FIN_MODE_COUNT)};
    }
    hl_object *o = hl_record_new(c->heap, fields, f != NULL ? fz_finalizer : NULL, f);
    if (o == NULL) return;
    if (f != NULL) {
        f->obj = o;
        c->finalizable_count++;
    }
    place(c, in, o);
}

static void op_link(fz_ctx *c, fz_input *in, bool unlink) {
    refresh_picks(c);
    hl_object *target = pick_container(c, in);
    uint8_t how = take(in);
    hl_object *value = unlink ? NULL : pick_value(c, in);
    if (target == NULL) return;
    hl_heap *heap = c->heap;
    /* The store releases the slot's old value, whose finalizer may drop the target's
     * last root: hold the target while reading the store back. */
    hl_incref(heap, target);
    uint64_t runs = c->finalizer_runs; /* a finalizer may store into the target too */
    if (target->type == HL_TYPE_RECORD) {
        size_t i = how % target->count;
        hl_record_set(heap, target, i, value);
        if (hl_record_get(target, i) != value && runs == c->finalizer_runs)
            fz_fail(c, "record_set did not store");
    } else if (!unlink && (how & 0x80 || hl_list_length(target) == 0)) {
        size_t n = hl_list_length(target);
        if (hl_list_append(heap, target, value) == HL_OK &&
            (hl_list_length(target) != n + 1 || hl_list_get(target, n) != value))
            fz_fail(c, "list_append did not store");
    } else if (hl_list_length(target) != 0) {
        size_t i = how % hl_list_length(target);
        hl_list_set(heap, target, i, value);
        if (hl_list_get(target, i) != value && runs == c->finalizer_runs)
            fz_fail(c, "list_set did not store");
    }
    hl_decref(heap, target);
}

static void op_set_root(fz_ctx *c, fz_input *in, bool drop) {
    hl_heap *heap = c->heap;
    uint8_t kind = take(in);
    uint8_t index = take(in);
    refresh_picks(c);
    hl_object *value = drop ? NULL : pick_value(c, in);
    switch (kind % 3) {
    case 0:
        hl_global_set(heap, index % FZ_GLOBALS, value);
        break;
    case 1:
        hl_local_set(heap, index % FZ_MAX_LOCALS, value);
        break;
    case 2:
        if (drop) {
            if (c->scope_count > 0) hl_scope_close(heap, c->scopes[--c->scope_count]);
        } else if (value != NULL) {
            hl_incref(heap, value);
            hl_root(heap, value);
        }
        break;
    }
}

static void op_frame(fz_ctx *c, fz_input *in, bool push) {
    hl_heap *heap = c->heap;
    if (!push) {
        hl_frame_pop(heap);
        return;
    }
    size_t locals = take(in) % (FZ_MAX_LOCALS + 1);
    size_t depth = hl_frame_depth(heap);
    hl_status st = hl_frame_push(heap, locals);
    if (st == HL_RECURSION_ERROR && depth < FZ_RECURSION_LIMIT)
        fz_fail(c, "RecursionError at depth %zu (limit %d)", depth, FZ_RECURSION_LIMIT);
    if (st == HL_OK && depth >= FZ_RECURSION_LIMIT)
        fz_fail(c, "frame pushed past the recursion limit");
    if (hl_frame_depth(heap) != depth + (st == HL_OK ? 1 : 0))
        fz_fail(c, "frame depth %zu after a push from %zu (status %d)", hl_frame_depth(heap), depth,
                (int)st);
}

static void op_scope(fz_ctx *c, bool open) {
    if (open) {
        if (c->scope_count < FZ_MAX_SCOPES) c->scopes[c->scope_count++] = hl_scope_open(c->heap);
    } else if (c->scope_count > 0) {
        hl_scope_close(c->heap, c->scopes[--c->scope_count]);
    }
}

static void op_collect(fz_ctx *c, fz_input *in) {
    int generation = take(in) % 3;
    hl_collect(c->heap, generation);
    /* The listener has checked the collection itself; this checks the heap as the
     * mutator sees it (refcount: the cyclic-garbage rule, as it never collects). */
    fz_check_heap(c, ORACLE_CONSISTENT);
}

enum {
    OP_NEW_INT,
    OP_NEW_STR,
    OP_NEW_LIST,
    OP_NEW_RECORD,
    OP_NEW_RECORD2, /* records twice as likely: they make the cycles */
    OP_LINK,
    OP_LINK2,
    OP_UNLINK,
    OP_SET_ROOT,
    OP_DROP_ROOT,
    OP_FRAME_PUSH,
    OP_FRAME_POP,
    OP_SCOPE_OPEN,
    OP_SCOPE_CLOSE,
    OP_COLLECT,
    OP_COUNT,
};

static const char *const op_names[OP_COUNT] = {
    "new_int",    "new_str",   "new_list",   "new_record",  "new_record",
    "link",       "link",      "unlink",     "set_root",    "drop_root",
    "frame_push", "frame_pop", "scope_open", "scope_close", "collect",
};

static void run_op(fz_ctx *c, fz_input *in, int op) {
    switch (op) {
    case OP_NEW_INT:
        op_new_int(c, in);
        break;
    case OP_NEW_STR:
        op_new_str(c, in);
        break;
    case OP_NEW_LIST:
        op_new_list(c, in);
        break;
    case OP_NEW_RECORD:
    case OP_NEW_RECORD2:
        op_new_record(c, in);
        break;
    case OP_LINK:
    case OP_LINK2:
        op_link(c, in, false);
        break;
    case OP_UNLINK:
        op_link(c, in, true);
        break;
    case OP_SET_ROOT:
        op_set_root(c, in, false);
        break;
    case OP_DROP_ROOT:
        op_set_root(c, in, true);
        break;
    case OP_FRAME_PUSH:
        op_frame(c, in, true);
        break;
    case OP_FRAME_POP:
        op_frame(c, in, false);
        break;
    case OP_SCOPE_OPEN:
        op_scope(c, true);
        break;
    case OP_SCOPE_CLOSE:
        op_scope(c, false);
        break;
    case OP_COLLECT:
        op_collect(c, in);
        break;
    }
}

/* ---- one input: one heap's life ---- */

static void ctx_free(fz_ctx *c) {
    free(c->pick_set.slots);
    free(c->pick_all.items);
    free(c->pick_containers.items);
    free(c->reach.slots);
    free(c->reach_order.items);
    free(c->live.slots);
    free(c->live_order.items);
    free(c->garbage_referred.slots);
    free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_input in = {data, size, 0};
    uint8_t b0 = take(&in), b1 = take(&in), b2 = take(&in);

    fz_ctx *c = fz_xrealloc(NULL, sizeof *c);
    memset(c, 0, sizeof *c);
    size_t collectors = fz_collector_count(), allocators = fz_allocator_count();
    if (collectors == 0 || allocators == 0) {
        fprintf(stderr, "fuzz_heap: the registries hold no collector or allocator to fuzz\n");
        abort();
    }
    c->collector = fz_forced_collector != NULL ? fz_forced_collector
                                               : fz_collector_at((size_t)(b0 & 3) % collectors);
    c->counting = c->collector->counts_references;
    c->where = "set-up";
    const char *err = NULL;
    if (!hl_allocator_init(&c->allocator, fz_allocator_at((size_t)((b0 >> 2) & 3) % allocators),
                           &err)) {
        fprintf(stderr, "fuzz_heap: cannot start allocator: %s\n", err ? err : "?");
        abort();
    }
    if (b0 & 0x10) c->allocator.fail_at = 1 + (uint64_t)b2;
    if (fz_trace)
        fprintf(stderr, "fuzz_heap: collector %s, allocator %s, fail_at %llu, thresholds %u\n",
                c->collector->name, c->allocator.ops->name,
                (unsigned long long)c->allocator.fail_at, b1);

    hl_event_listener listener = {
        .data = c, .collection_start = on_collection_start, .collection_end = on_collection_end};
    hl_heap_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.collector = c->collector;
    cfg.allocator = &c->allocator;
    cfg.globals = FZ_GLOBALS;
    cfg.recursion_limit = FZ_RECURSION_LIMIT;
    cfg.thresholds[0] = 2 + (b1 & 31);
    cfg.thresholds[1] = 1 + ((b1 >> 5) & 3);
    cfg.thresholds[2] = 1 + ((b1 >> 7) & 1) * 4;
    cfg.listeners[0] = &listener;
    /* HEAPLAB_TEST_SWEEP=lazy: mark_sweep sweeps lazily (the *.lazy_sweep ctest entries) */
    const char *sweep = getenv("HEAPLAB_TEST_SWEEP");
    cfg.lazy_sweep = sweep != NULL && strcmp(sweep, "lazy") == 0;

    if (hl_heap_create(&cfg, &c->heap) != HL_OK) {
        if (c->allocator.fail_at == 0) fz_fail(c, "hl_heap_create failed without a fault");
    } else {
        while (in.pos < in.size) {
            int op = take(&in) % OP_COUNT;
            c->op_index++;
            c->where = op_names[op];
            size_t start = in.pos;
            run_op(c, &in, op);
            if (fz_trace) {
                fprintf(stderr, "fuzz_heap: op #%zu %s", c->op_index, c->where);
                for (size_t i = start; i < in.pos; i++)
                    fprintf(stderr, " %02x", in.data[i]);
                fprintf(stderr, " -> %llu live, depth %zu, %zu scopes\n",
                        (unsigned long long)hl_heap_live_objects(c->heap), hl_frame_depth(c->heap),
                        c->scope_count);
            }
        }
        c->where = "end";
        fz_check_heap(c, ORACLE_CONSISTENT);
        c->where = "teardown";
        hl_heap_destroy(c->heap);
        c->heap = NULL;
    }
    hl_alloc_stats st;
    hl_allocator_stats(&c->allocator, &st);
    if (st.live_bytes != 0 || st.allocs != st.frees)
        fz_fail(c, "after teardown the allocator holds %zu bytes (%llu allocs, %llu frees)",
                st.live_bytes, (unsigned long long)st.allocs, (unsigned long long)st.frees);
    hl_allocator_fini(&c->allocator);
    ctx_free(c);
    return 0;
}
