/* heaplab object model: types, constructors, roots, heap life, the free path.
 *
 * The story of an object:
 *
 * 1. A constructor (hl_int_new, hl_str_new, hl_list_new, hl_record_new,
 *    hl_frame_push) first passes the *safe point* (ops->safe_point), where the
 *    collector may start a collection; the constructor's object argument, if any, is
 *    pinned as a root for that moment. Then it allocates [prefix][header][body]
 *    through the allocator (or the collector's alloc_object hook: boehm), initialises
 *    everything, and only then links the object
 *    into the collector's lists (ops->link): a collector never sees a half-built
 *    object. A failed allocation leaves nothing behind and sets HL_MEMORY_ERROR.
 *
 * 2. While it lives, stores go through store_ref (incref the new value, then release
 *    the old one) and the inline hl_incref/hl_decref of collectors/object_layout.h.
 *
 * 3. Under the counting collectors, the count reaching zero calls hl__object_dead.
 *    It pushes the object on the heap's pending list (the dead object's refcnt field
 *    is the link) and, unless a drain is already running further up the C stack,
 *    drains the list: run the finalizer once (PEP 442; a finalizer that stores the
 *    object somewhere resurrects it), drop the object's references (children whose
 *    count reaches zero are pushed, not freed recursively), unlink, free. The C stack
 *    depth is constant however long the chain: this is CPython's trashcan idea without
 *    its depth counter. No allocation happens on the free path.
 *
 * 4. Under a tracing collector the sweep (or teardown) calls hl__object_free directly.
 *
 * 5. hl_heap_destroy drops every root, lets the collector reclaim what it can
 *    (ops->finish), reports what is still live as the leak (teardown event), turns
 *    finalizers off and frees everything left (ops->release_all).
 */
#include <limits.h>
#include <stdatomic.h>
#include <string.h>
#include <stdlib.h>

#include "collectors/collector.h"

/* ---- type bodies (the part after the header) ---- */

typedef struct hl_int_object {
    hl_object head;
    int64_t value;
} hl_int_object;

typedef struct hl_str_object {
    hl_object head;
    size_t length;
    char data[]; /* length bytes and a NUL */
} hl_str_object;

typedef struct hl_list_object {
    hl_object head;
    size_t length;
    size_t capacity;   /* slots allocated, CPython's `allocated` */
    hl_object **items; /* capacity slots, out of line (it is reallocated on growth) */
} hl_list_object;

/* A record is the header followed by `count` field slots and, with
 * HL_FLAG_HAS_FINALIZER, this trailer. */
typedef struct hl_record_finalizer {
    hl_finalizer fn;
    void *data;
} hl_record_finalizer;

/* A frame is the header followed by `count` slots: slot 0 the caller frame (owned
 * reference), slots 1.. the locals. */

#define HL_SMALL_INT_MIN (-5)
#define HL_SMALL_INT_MAX 256
#define HL_SMALL_INT_COUNT (HL_SMALL_INT_MAX - HL_SMALL_INT_MIN + 1)
#define HL_DEFAULT_GLOBALS 16

static const char *const hl_type_names[] = {"int", "str", "list", "record", "frame"};

static hl_object **slots_after_header(hl_object *o) {
    return (hl_object **)(o + 1);
}

static hl_record_finalizer *record_trailer(hl_object *o) {
    return (hl_record_finalizer *)(slots_after_header(o) + o->count);
}

/* Bytes of the header and body, without prefix and out-of-line storage. */
static size_t body_size(const hl_object *o) {
    switch ((hl_type_id)o->type) {
    case HL_TYPE_INT:
        return sizeof(hl_int_object);
    case HL_TYPE_STR:
        return sizeof(hl_str_object) + ((const hl_str_object *)o)->length + 1;
    case HL_TYPE_LIST:
        return sizeof(hl_list_object);
    case HL_TYPE_RECORD:
        return sizeof(hl_object) + (size_t)o->count * sizeof(hl_object *) +
               ((o->flags & HL_FLAG_HAS_FINALIZER) ? sizeof(hl_record_finalizer) : 0);
    case HL_TYPE_FRAME:
        return sizeof(hl_object) + (size_t)o->count * sizeof(hl_object *);
    }
    return sizeof(hl_object);
}

static size_t prefix_of(const hl_heap *heap, const hl_object *o) {
    return (o->flags & HL_FLAG_TRACKED) ? heap->prefix_size : 0;
}

/* What the object costs in the live-bytes figure: prefix, body, list storage. */
size_t hl__object_bytes(const hl_heap *heap, const hl_object *o) {
    size_t bytes = prefix_of(heap, o) + body_size(o);
    if (o->type == HL_TYPE_LIST)
        bytes += ((const hl_list_object *)o)->capacity * sizeof(hl_object *);
    return bytes;
}

hl_object **hl__object_slots(hl_object *o, size_t *count) {
    switch ((hl_type_id)o->type) {
    case HL_TYPE_LIST: {
        hl_list_object *l = (hl_list_object *)o;
        *count = l->length;
        return l->items;
    }
    case HL_TYPE_RECORD:
    case HL_TYPE_FRAME:
        *count = o->count;
        return slots_after_header(o);
    case HL_TYPE_INT:
    case HL_TYPE_STR:
        break;
    }
    *count = 0;
    return NULL;
}

/* ---- events ---- */

#define HL_EMIT(heap, callback, ...)                                                               \
    do {                                                                                           \
        for (size_t i_ = 0; i_ < (heap)->listener_count; i_++) {                                   \
            const hl_event_listener *l_ = (heap)->listeners[i_];                                   \
            if (l_->callback != NULL) l_->callback(l_->data, __VA_ARGS__);                         \
        }                                                                                          \
    } while (0)

#define HL_EMIT0(heap, callback)                                                                   \
    do {                                                                                           \
        for (size_t i_ = 0; i_ < (heap)->listener_count; i_++) {                                   \
            const hl_event_listener *l_ = (heap)->listeners[i_];                                   \
            if (l_->callback != NULL) l_->callback(l_->data);                                      \
        }                                                                                          \
    } while (0)

void hl__emit_collection_start(hl_heap *heap, hl_collection_kind kind) {
    HL_EMIT(heap, collection_start, kind);
}
void hl__emit_roots_traced(hl_heap *heap) {
    HL_EMIT0(heap, roots_traced);
}
void hl__emit_heap_traced(hl_heap *heap) {
    HL_EMIT0(heap, heap_traced);
}
void hl__emit_collection_end(hl_heap *heap, uint64_t objects_freed) {
    HL_EMIT(heap, collection_end, objects_freed);
}
void hl__emit_heap_resized(hl_heap *heap, size_t bytes) {
    HL_EMIT(heap, heap_resized, bytes);
}
void hl__emit_live_data_size(hl_heap *heap, size_t bytes) {
    HL_EMIT(heap, live_data_size, bytes);
}

static void account_growth(hl_heap *heap, size_t bytes) {
    heap->live_bytes += bytes;
    heap->tick_bytes += bytes;
    if (heap->tick_bytes >= HL_TICK_BYTES) {
        heap->tick_bytes %= HL_TICK_BYTES;
        HL_EMIT(heap, allocation_tick, heap->live_bytes);
    }
}

/* ---- memory: the collector's own hooks when it has them, else the allocator ---- */

static void *block_alloc(hl_heap *heap, size_t size, bool has_refs) {
    const hl_collector_ops *ops = heap->ops;
    return ops->alloc_object != NULL ? ops->alloc_object(heap, size, has_refs)
                                     : hl_alloc(heap->allocator, size);
}

static void block_free(hl_heap *heap, void *block, size_t size) {
    const hl_collector_ops *ops = heap->ops;
    if (ops->free_object != NULL)
        ops->free_object(heap, block, size);
    else
        hl_free(heap->allocator, block, size);
}

static void *storage_alloc(hl_heap *heap, size_t size, hl_storage_kind kind) {
    const hl_collector_ops *ops = heap->ops;
    return ops->alloc_storage != NULL ? ops->alloc_storage(heap, size, kind)
                                      : hl_alloc(heap->allocator, size);
}

static void *storage_realloc(hl_heap *heap, void *block, size_t old_size, size_t new_size,
                             hl_storage_kind kind) {
    const hl_collector_ops *ops = heap->ops;
    return ops->realloc_storage != NULL
               ? ops->realloc_storage(heap, block, old_size, new_size, kind)
               : hl_realloc(heap->allocator, block, old_size, new_size);
}

static void storage_free(hl_heap *heap, void *block, size_t size, hl_storage_kind kind) {
    const hl_collector_ops *ops = heap->ops;
    if (ops->free_storage != NULL)
        ops->free_storage(heap, block, size, kind);
    else
        hl_free(heap->allocator, block, size);
}

/* ---- birth ---- */

/* Test mode HEAPLAB_TEST_NO_COLLECT=1 (docs/cli.md, "Test modes"): the heap never
 * collects, neither at safe points nor in hl_collect, so that the tests can show the
 * workloads' checks failing on a collector that reclaims nothing. Read where a heap is
 * created; process-wide, as the environment is. */
static atomic_bool test_no_collect;

static void safe_point(hl_heap *heap, hl_object *pin) {
    if (heap->ops->safe_point == NULL || heap->collecting || heap->freeing ||
        atomic_load_explicit(&test_no_collect, memory_order_relaxed))
        return;
    heap->pinned = pin;
    heap->ops->safe_point(heap);
    heap->pinned = NULL;
}

/* Allocate [prefix][header][body of body_bytes]; the header is set, the body is not.
 * NULL with HL_MEMORY_ERROR on failure. */
static hl_object *object_alloc(hl_heap *heap, hl_type_id type, size_t body_bytes) {
    /* Frames only when the collector says so (ops->tracks_frames): a frame is freed by
     * counting when its call returns, and CPython 3.11's frames are no GC objects. */
    bool tracked = heap->tracks_all || type == HL_TYPE_LIST || type == HL_TYPE_RECORD ||
                   (type == HL_TYPE_FRAME && heap->ops->tracks_frames);
    size_t prefix = tracked ? heap->prefix_size : 0;
    bool has_refs = type != HL_TYPE_INT && type != HL_TYPE_STR;
    char *block = block_alloc(heap, prefix + body_bytes, has_refs);
    if (block == NULL) {
        heap->error = HL_MEMORY_ERROR;
        return NULL;
    }
    hl_object *o = (hl_object *)(block + prefix);
    o->refcnt = heap->counts_references ? 1 : 0;
    o->type = (uint8_t)type;
    o->unused = 0;
    o->flags = tracked ? HL_FLAG_TRACKED : 0;
    o->count = 0;
    return o;
}

/* Give back a block from object_alloc that was never born. */
static void object_unborn(hl_heap *heap, hl_object *o, size_t body_bytes) {
    size_t prefix = prefix_of(heap, o);
    block_free(heap, (char *)o - prefix, prefix + body_bytes);
}

/* The object is fully initialised: count it and hand it to the collector. */
static hl_object *object_born(hl_heap *heap, hl_object *o) {
    heap->live_objects++;
    account_growth(heap, hl__object_bytes(heap, o));
    if (o->flags & HL_FLAG_TRACKED) heap->ops->link(heap, o);
    return o;
}

/* ---- death ---- */

bool hl__object_wants_finalizer(const hl_heap *heap, const hl_object *o) {
    return (o->flags & (HL_FLAG_HAS_FINALIZER | HL_FLAG_FINALIZED)) == HL_FLAG_HAS_FINALIZER &&
           !heap->finalizers_off;
}

void hl__object_finalize(hl_heap *heap, hl_object *o) {
    o->flags |= HL_FLAG_FINALIZED;
    hl_record_finalizer *t = record_trailer(o);
    t->fn(heap, o, t->data);
}

void hl__object_free(hl_heap *heap, hl_object *o) {
    size_t bytes = hl__object_bytes(heap, o);
    size_t prefix = prefix_of(heap, o);
    size_t body = body_size(o);
    if (o->type == HL_TYPE_LIST) {
        hl_list_object *l = (hl_list_object *)o;
        if (l->capacity != 0)
            storage_free(heap, l->items, l->capacity * sizeof(hl_object *), HL_STORAGE_ITEMS);
    }
    if (o->flags & HL_FLAG_TRACKED) heap->ops->unlink(heap, o);
    heap->live_objects--;
    heap->live_bytes -= bytes;
    block_free(heap, (char *)o - prefix, prefix + body);
}

void hl__object_dead(hl_heap *heap, hl_object *o) {
    if (o->flags & HL_FLAG_IMMORTAL) return; /* a small int: never freed */
    o->refcnt = (intptr_t)heap->pending;
    heap->pending = o;
    if (heap->freeing) return; /* the drain further up the stack frees it */
    heap->freeing = true;
    while (heap->pending != NULL) {
        hl_object *dead = heap->pending;
        heap->pending = (hl_object *)dead->refcnt;
        dead->refcnt = 0;
        if (hl__object_wants_finalizer(heap, dead)) {
            dead->refcnt = 1; /* alive while its __del__ runs */
            hl__object_finalize(heap, dead);
            if (--dead->refcnt != 0) continue; /* resurrected */
        }
        size_t n;
        hl_object **slots = hl__object_slots(dead, &n);
        for (size_t i = 0; i < n; i++)
            hl_decref(heap, slots[i]);
        if (!(dead->flags & HL_FLAG_COLLECTING)) heap->freed_by_counting++;
        hl__object_free(heap, dead);
    }
    heap->freeing = false;
}

void hl__object_clear(hl_heap *heap, hl_object *o) {
    size_t n;
    hl_object **slots = hl__object_slots(o, &n);
    for (size_t i = 0; i < n; i++) {
        hl_object *old = slots[i];
        slots[i] = NULL;
        hl_decref(heap, old);
    }
}

void hl__release_counted(hl_heap *heap, hl_gc_link *list) {
    /* Keep every container alive while all of them drop their references; then each
     * holds only our extra count and goes at the last decref. Untracked objects die
     * by counting on the way. */
    for (hl_gc_link *l = list->next; l != list; l = l->next)
        hl_gc_object_of(l)->refcnt++;
    for (hl_gc_link *l = list->next; l != list; l = l->next)
        hl__object_clear(heap, hl_gc_object_of(l));
    while (!hl_gc_list_is_empty(list)) {
        hl_object *o = hl_gc_object_of(list->next);
        if (--o->refcnt == 0) {
            hl__object_dead(heap, o);
        } else {
            /* A reference nobody can drop any more (C code kept one): free anyway. */
            o->refcnt = 0;
            hl__object_free(heap, o);
        }
    }
}

/* ---- stores ---- */

static void store_ref(hl_heap *heap, hl_object **slot, hl_object *value) {
    if (value != NULL) hl_incref(heap, value);
    hl_object *old = *slot;
    *slot = value;
    hl_decref(heap, old);
}

/* ---- ints and strs ---- */

hl_object *hl_int_new(hl_heap *heap, int64_t value) {
    if (value >= HL_SMALL_INT_MIN && value <= HL_SMALL_INT_MAX) {
        hl_object *o = &((hl_int_object *)heap->small_ints)[value - HL_SMALL_INT_MIN].head;
        hl_incref(heap, o);
        return o;
    }
    safe_point(heap, NULL);
    hl_object *o = object_alloc(heap, HL_TYPE_INT, sizeof(hl_int_object));
    if (o == NULL) return NULL;
    ((hl_int_object *)o)->value = value;
    return object_born(heap, o);
}

int64_t hl_int_value(const hl_object *o) {
    return ((const hl_int_object *)o)->value;
}

hl_object *hl_str_new(hl_heap *heap, const char *text, size_t length) {
    if (length > SIZE_MAX / 2) {
        heap->error = HL_MEMORY_ERROR;
        return NULL;
    }
    safe_point(heap, NULL);
    hl_object *o = object_alloc(heap, HL_TYPE_STR, sizeof(hl_str_object) + length + 1);
    if (o == NULL) return NULL;
    hl_str_object *s = (hl_str_object *)o;
    s->length = length;
    if (length != 0) memcpy(s->data, text, length);
    s->data[length] = '\0';
    return object_born(heap, o);
}

const char *hl_str_data(const hl_object *o) {
    return ((const hl_str_object *)o)->data;
}
size_t hl_str_length(const hl_object *o) {
    return ((const hl_str_object *)o)->length;
}

/* ---- lists ---- */

hl_object *hl_list_new(hl_heap *heap, size_t length, hl_object *fill) {
    if (length > SIZE_MAX / (4 * sizeof(hl_object *))) {
        heap->error = HL_MEMORY_ERROR;
        return NULL;
    }
    safe_point(heap, fill);
    hl_object *o = object_alloc(heap, HL_TYPE_LIST, sizeof(hl_list_object));
    if (o == NULL) return NULL;
    hl_list_object *l = (hl_list_object *)o;
    l->items = NULL;
    if (length != 0) {
        l->items = storage_alloc(heap, length * sizeof(hl_object *), HL_STORAGE_ITEMS);
        if (l->items == NULL) {
            object_unborn(heap, o, sizeof(hl_list_object));
            heap->error = HL_MEMORY_ERROR;
            return NULL;
        }
        for (size_t i = 0; i < length; i++)
            l->items[i] = fill;
        if (fill != NULL && heap->counts_references) fill->refcnt += (intptr_t)length;
    }
    l->length = length;
    l->capacity = length; /* [x] * n allocates exactly n, as CPython does */
    return object_born(heap, o);
}

/* CPython 3.11's list_resize rule: over-allocate by about 1/8 plus 6, rounded down to
 * a multiple of 4, unless the new size is closer to that than to the old size. */
static bool list_resize(hl_heap *heap, hl_list_object *l, size_t newsize) {
    size_t allocated = l->capacity;
    if (allocated >= newsize && newsize >= (allocated >> 1)) return true;
    if (newsize > SIZE_MAX / (4 * sizeof(hl_object *))) return false;
    size_t new_allocated = (newsize + (newsize >> 3) + 6) & ~(size_t)3;
    if (newsize - l->length > new_allocated - newsize) new_allocated = (newsize + 3) & ~(size_t)3;
    if (newsize == 0) new_allocated = 0;
    hl_object **items;
    if (allocated == 0)
        items = storage_alloc(heap, new_allocated * sizeof(hl_object *), HL_STORAGE_ITEMS);
    else
        items = storage_realloc(heap, l->items, allocated * sizeof(hl_object *),
                                new_allocated * sizeof(hl_object *), HL_STORAGE_ITEMS);
    if (items == NULL) return false;
    l->items = items;
    l->capacity = new_allocated;
    if (new_allocated > allocated)
        account_growth(heap, (new_allocated - allocated) * sizeof(hl_object *));
    else
        heap->live_bytes -= (allocated - new_allocated) * sizeof(hl_object *);
    return true;
}

hl_status hl_list_append(hl_heap *heap, hl_object *list, hl_object *value) {
    hl_list_object *l = (hl_list_object *)list;
    if (!list_resize(heap, l, l->length + 1)) {
        heap->error = HL_MEMORY_ERROR;
        return HL_MEMORY_ERROR;
    }
    if (value != NULL) hl_incref(heap, value);
    l->items[l->length++] = value;
    return HL_OK;
}

void hl_list_set(hl_heap *heap, hl_object *list, size_t index, hl_object *value) {
    hl_list_object *l = (hl_list_object *)list;
    if (index < l->length) store_ref(heap, &l->items[index], value);
}

hl_object *hl_list_get(const hl_object *list, size_t index) {
    const hl_list_object *l = (const hl_list_object *)list;
    return index < l->length ? l->items[index] : NULL;
}

size_t hl_list_length(const hl_object *list) {
    return ((const hl_list_object *)list)->length;
}
size_t hl_list_capacity(const hl_object *list) {
    return ((const hl_list_object *)list)->capacity;
}

/* ---- records ---- */

hl_object *hl_record_new(hl_heap *heap, size_t fields, hl_finalizer finalizer, void *data) {
    if (fields > UINT32_MAX) {
        heap->error = HL_MEMORY_ERROR;
        return NULL;
    }
    size_t body = sizeof(hl_object) + fields * sizeof(hl_object *) +
                  (finalizer != NULL ? sizeof(hl_record_finalizer) : 0);
    safe_point(heap, NULL);
    hl_object *o = object_alloc(heap, HL_TYPE_RECORD, body);
    if (o == NULL) return NULL;
    o->count = (uint32_t)fields;
    hl_object **slots = slots_after_header(o);
    for (size_t i = 0; i < fields; i++)
        slots[i] = NULL;
    if (finalizer != NULL) {
        o->flags |= HL_FLAG_HAS_FINALIZER;
        hl_record_finalizer *t = record_trailer(o);
        t->fn = finalizer;
        t->data = data;
    }
    return object_born(heap, o);
}

void hl_record_set(hl_heap *heap, hl_object *record, size_t index, hl_object *value) {
    if (index < record->count) store_ref(heap, &slots_after_header(record)[index], value);
}

hl_object *hl_record_get(const hl_object *record, size_t index) {
    return index < record->count ? ((hl_object *const *)(record + 1))[index] : NULL;
}

/* ---- identity ---- */

intptr_t hl_refcount(const hl_object *o) {
    /* A small int's count includes the heap table's own reference; tracing collectors
     * keep every count at 0. */
    if (o->flags & HL_FLAG_IMMORTAL) return o->refcnt > 0 ? o->refcnt - 1 : 0;
    return o->refcnt;
}

uintptr_t hl_id(const hl_object *o) {
    return (uintptr_t)o;
}

const char *hl_type_name(const hl_object *o) {
    return hl_type_names[o->type];
}

/* ---- globals ---- */

size_t hl_globals_count(const hl_heap *heap) {
    return heap->globals_count;
}

void hl_global_set(hl_heap *heap, size_t slot, hl_object *value) {
    if (slot < heap->globals_count) store_ref(heap, &heap->globals[slot], value);
}

hl_object *hl_global_get(const hl_heap *heap, size_t slot) {
    return slot < heap->globals_count ? heap->globals[slot] : NULL;
}

/* ---- frames ---- */

hl_status hl_frame_push(hl_heap *heap, size_t locals) {
    if (heap->depth >= heap->recursion_limit) {
        heap->error = HL_RECURSION_ERROR;
        return HL_RECURSION_ERROR;
    }
    if (locals >= UINT32_MAX) {
        heap->error = HL_MEMORY_ERROR;
        return HL_MEMORY_ERROR;
    }
    safe_point(heap, NULL);
    hl_object *f =
        object_alloc(heap, HL_TYPE_FRAME, sizeof(hl_object) + (locals + 1) * sizeof(hl_object *));
    if (f == NULL) return HL_MEMORY_ERROR;
    f->count = (uint32_t)(locals + 1);
    hl_object **slots = slots_after_header(f);
    slots[0] = heap->frame; /* the heap's reference to the caller moves here */
    for (size_t i = 1; i <= locals; i++)
        slots[i] = NULL;
    heap->frame = f;
    heap->depth++;
    object_born(heap, f);
    return HL_OK;
}

void hl_frame_pop(hl_heap *heap) {
    hl_object *f = heap->frame;
    if (f == NULL) return;
    hl_object **slots = slots_after_header(f);
    heap->frame = slots[0]; /* the frame's reference to its caller moves to the heap */
    slots[0] = NULL;
    heap->depth--;
    hl_decref(heap, f);
}

size_t hl_frame_depth(const hl_heap *heap) {
    return heap->depth;
}

void hl_local_set(hl_heap *heap, size_t index, hl_object *value) {
    hl_object *f = heap->frame;
    if (f != NULL && index + 1 < f->count)
        store_ref(heap, &slots_after_header(f)[index + 1], value);
}

hl_object *hl_local_get(const hl_heap *heap, size_t index) {
    hl_object *f = heap->frame;
    if (f == NULL || index + 1 >= f->count) return NULL;
    return ((hl_object *const *)(f + 1))[index + 1];
}

/* ---- handle scopes ---- */

size_t hl_scope_open(hl_heap *heap) {
    return heap->handles_count;
}

hl_object *hl_root(hl_heap *heap, hl_object *o) {
    if (o == NULL) return NULL;
    if (heap->handles_count == heap->handles_capacity) {
        size_t old = heap->handles_capacity;
        size_t cap = old == 0 ? 64 : old * 2;
        hl_object **h =
            old == 0 ? storage_alloc(heap, cap * sizeof(hl_object *), HL_STORAGE_ROOTS)
                     : storage_realloc(heap, heap->handles, old * sizeof(hl_object *),
                                       cap * sizeof(hl_object *), HL_STORAGE_ROOTS);
        if (h == NULL) {
            hl_decref(heap, o);
            heap->error = HL_MEMORY_ERROR;
            return NULL;
        }
        heap->handles = h;
        heap->handles_capacity = cap;
    }
    heap->handles[heap->handles_count++] = o;
    return o;
}

void hl_scope_close(hl_heap *heap, size_t scope) {
    while (heap->handles_count > scope) {
        hl_object *o = heap->handles[--heap->handles_count];
        /* Cleared, so that a collector scanning the whole handle array (boehm) does
         * not keep the object alive through a popped slot. */
        heap->handles[heap->handles_count] = NULL;
        hl_decref(heap, o);
    }
}

/* ---- roots and walking ---- */

void hl__each_root(hl_heap *heap, void (*fn)(hl_object *o, void *data), void *data) {
    for (size_t i = 0; i < heap->globals_count; i++)
        if (heap->globals[i] != NULL) fn(heap->globals[i], data);
    if (heap->frame != NULL) fn(heap->frame, data);
    for (size_t i = 0; i < heap->handles_count; i++)
        if (heap->handles[i] != NULL) fn(heap->handles[i], data);
    if (heap->pinned != NULL) fn(heap->pinned, data);
}

typedef struct each_walk {
    void (*fn)(hl_object *o, void *data);
    void *data;
    bool forget; /* second pass: clear HL_FLAG_VISITED */
} each_walk;

/* Untracked objects (ints, strs under the counting collectors) sit on no list; they
 * are found through the containers and roots that refer to them. */
static void each_untracked(hl_object *o, void *data) {
    each_walk *w = data;
    if (o == NULL || (o->flags & (HL_FLAG_TRACKED | HL_FLAG_IMMORTAL))) return;
    if (w->forget) {
        o->flags &= (uint16_t)~HL_FLAG_VISITED;
    } else if (!(o->flags & HL_FLAG_VISITED)) {
        o->flags |= HL_FLAG_VISITED;
        w->fn(o, w->data);
    }
}

static void each_tracked(hl_object *o, void *data) {
    each_walk *w = data;
    if (!w->forget) w->fn(o, w->data);
    size_t n;
    hl_object **slots = hl__object_slots(o, &n);
    for (size_t i = 0; i < n; i++)
        each_untracked(slots[i], w);
}

/* Untracked frames (ops->tracks_frames false) are on no list either: the chain is
 * walked from the current frame, each frame with what its slots hold. */
static void each_untracked_frame(hl_heap *heap, each_walk *w) {
    for (hl_object *f = heap->frame; f != NULL && !(f->flags & HL_FLAG_TRACKED);
         f = slots_after_header(f)[0]) {
        each_untracked(f, w);
        size_t n;
        hl_object **slots = hl__object_slots(f, &n);
        for (size_t i = 1; i < n; i++) /* slot 0, the caller, is the next turn */
            each_untracked(slots[i], w);
    }
}

void hl_heap_each(hl_heap *heap, void (*fn)(hl_object *o, void *data), void *data) {
    each_walk w = {fn, data, false};
    heap->ops->each_tracked(heap, each_tracked, &w);
    hl__each_root(heap, each_untracked, &w);
    each_untracked_frame(heap, &w);
    w.forget = true;
    heap->ops->each_tracked(heap, each_tracked, &w);
    hl__each_root(heap, each_untracked, &w);
    each_untracked_frame(heap, &w);
}

void hl_object_visit_refs(hl_object *o, void (*fn)(hl_object *ref, void *data), void *data) {
    size_t n;
    hl_object **slots = hl__object_slots(o, &n);
    for (size_t i = 0; i < n; i++)
        if (slots[i] != NULL) fn(slots[i], data);
}

/* ---- collection and figures ---- */

long hl_collect(hl_heap *heap, int generation) {
    if (heap->ops->collect == NULL || heap->collecting || heap->freeing ||
        atomic_load_explicit(&test_no_collect, memory_order_relaxed))
        return 0;
    if (generation < 0) generation = 0;
    if (generation > 2) generation = 2;
    return heap->ops->collect(heap, generation);
}

uint64_t hl_heap_live_objects(const hl_heap *heap) {
    return heap->live_objects;
}
size_t hl_heap_live_bytes(const hl_heap *heap) {
    return heap->live_bytes;
}
hl_allocator *hl_heap_allocator(hl_heap *heap) {
    return heap->allocator;
}
void hl_heap_alloc_stats(const hl_collector_ops *collector, hl_allocator *allocator,
                         hl_alloc_stats *out) {
    if (collector != NULL && collector->own_stats != NULL)
        collector->own_stats(out);
    else
        hl_allocator_stats(allocator, out);
}
uint64_t hl_heap_room(const hl_heap *heap) {
    const hl_allocator *a = heap->allocator;
    if (a == NULL || a->limit_bytes == 0) return UINT64_MAX;
    return a->live_bytes < a->limit_bytes ? (uint64_t)(a->limit_bytes - a->live_bytes) : 0;
}
hl_status hl_heap_error(const hl_heap *heap) {
    return heap->error;
}

/* ---- heap life ---- */

hl_status hl_heap_create(const hl_heap_config *config, hl_heap **out) {
    *out = NULL;
    if (config == NULL || config->collector == NULL || config->allocator == NULL)
        return HL_MEMORY_ERROR;
    hl_allocator *a = config->allocator;
    const char *no_collect = getenv("HEAPLAB_TEST_NO_COLLECT");
    atomic_store_explicit(&test_no_collect, no_collect != NULL && strcmp(no_collect, "1") == 0,
                          memory_order_relaxed);
    hl_heap *heap = hl_alloc(a, sizeof *heap);
    if (heap == NULL) return HL_MEMORY_ERROR;
    memset(heap, 0, sizeof *heap);
    const hl_collector_ops *ops = config->collector;
    heap->ops = ops;
    heap->allocator = a;
    heap->counts_references = ops->counts_references;
    heap->prefix_size = ops->prefix_size;
    heap->tracks_all = ops->tracks_all;
    heap->recursion_limit =
        config->recursion_limit != 0 ? config->recursion_limit : HL_DEFAULT_RECURSION_LIMIT;
    static const long default_thresholds[3] = {700, 10, 10};
    for (int i = 0; i < 3; i++)
        heap->thresholds[i] =
            config->thresholds[i] > 0 ? config->thresholds[i] : default_thresholds[i];
    heap->growth_factor = config->growth_factor > 1.0 ? config->growth_factor : 2.0;
    for (size_t i = 0; i < HL_MAX_LISTENERS && config->listeners[i] != NULL; i++)
        heap->listeners[heap->listener_count++] = config->listeners[i];

    /* The collector first: root storage may come from it (boehm). */
    if (ops->init(heap) != HL_OK) goto fail_heap;

    heap->globals_count = config->globals != 0 ? config->globals : HL_DEFAULT_GLOBALS;
    heap->globals = storage_alloc(heap, heap->globals_count * sizeof(hl_object *), HL_STORAGE_ROOTS);
    if (heap->globals == NULL) goto fail_init;
    for (size_t i = 0; i < heap->globals_count; i++)
        heap->globals[i] = NULL;

    /* Small ints hold no reference; they stay in the allocator's memory. */
    hl_int_object *ints = hl_alloc(a, HL_SMALL_INT_COUNT * sizeof(hl_int_object));
    if (ints == NULL) goto fail_globals;
    for (int i = 0; i < HL_SMALL_INT_COUNT; i++) {
        ints[i].head.refcnt = heap->counts_references ? 1 : 0; /* the table's reference */
        ints[i].head.type = HL_TYPE_INT;
        ints[i].head.unused = 0;
        ints[i].head.flags = HL_FLAG_IMMORTAL;
        ints[i].head.count = 0;
        ints[i].value = HL_SMALL_INT_MIN + i;
    }
    heap->small_ints = &ints[0].head;
    *out = heap;
    return HL_OK;

fail_globals:
    storage_free(heap, heap->globals, heap->globals_count * sizeof(hl_object *), HL_STORAGE_ROOTS);
fail_init:
    ops->release_all(heap);
fail_heap:
    hl_free(a, heap, sizeof *heap);
    return HL_MEMORY_ERROR;
}

/* The mutator's own roots: the frame chain and the handles (what a running function
 * holds). The globals stay until the leak has been counted. */
static void drop_stack_roots(hl_heap *heap) {
    hl_scope_close(heap, 0);
    while (heap->frame != NULL)
        hl_frame_pop(heap);
    hl_scope_close(heap, 0); /* a finalizer may have opened handles meanwhile */
}

static void drop_roots(hl_heap *heap) {
    drop_stack_roots(heap);
    for (size_t i = 0; i < heap->globals_count; i++)
        hl_global_set(heap, i, NULL);
    hl_scope_close(heap, 0);
}

/* Objects and bytes reachable from the globals (the module's names), marked with
 * HL_FLAG_REACHED and unmarked again. An explicit stack of plain malloc memory: this
 * is measurement, not the object heap, and runs once, untimed, at teardown. Returns
 * false when that stack cannot be had (the caller then counts every live object). */
static bool count_reachable_from_globals(hl_heap *heap, uint64_t *objects, size_t *bytes) {
    size_t capacity = 1024, length = 0;
    hl_object **stack = malloc(capacity * sizeof *stack);
    hl_object **seen = malloc(capacity * sizeof *seen); /* to unmark afterwards */
    size_t seen_length = 0, seen_capacity = capacity;
    bool ok = stack != NULL && seen != NULL;
    *objects = 0;
    *bytes = 0;
    for (size_t g = 0; ok && g <= heap->globals_count; g++) {
        hl_object *o = g < heap->globals_count ? heap->globals[g] : NULL;
        if (o == NULL || (o->flags & (HL_FLAG_IMMORTAL | HL_FLAG_REACHED))) continue;
        o->flags |= HL_FLAG_REACHED;
        stack[length++] = o;
        while (ok && length > 0) {
            hl_object *x = stack[--length];
            if (seen_length == seen_capacity) {
                hl_object **grown = realloc(seen, 2 * seen_capacity * sizeof *seen);
                if (grown == NULL) { ok = false; stack[length++] = x; break; }
                seen = grown;
                seen_capacity *= 2;
            }
            seen[seen_length++] = x;
            *objects += 1;
            *bytes += hl__object_bytes(heap, x);
            size_t count = 0;
            hl_object **slots = hl__object_slots(x, &count);
            for (size_t i = 0; i < count; i++) {
                hl_object *r = slots[i];
                if (r == NULL || (r->flags & (HL_FLAG_IMMORTAL | HL_FLAG_REACHED))) continue;
                if (length == capacity) {
                    hl_object **grown = realloc(stack, 2 * capacity * sizeof *stack);
                    if (grown == NULL) { ok = false; break; }
                    stack = grown;
                    capacity *= 2;
                }
                r->flags |= HL_FLAG_REACHED;
                stack[length++] = r;
            }
        }
    }
    /* Unmark: what was visited, and what was pushed but not visited (on failure). */
    for (size_t i = 0; seen != NULL && i < seen_length; i++)
        seen[i]->flags &= (uint16_t)~HL_FLAG_REACHED;
    for (size_t i = 0; stack != NULL && i < length; i++)
        stack[i]->flags &= (uint16_t)~HL_FLAG_REACHED;
    free(stack);
    free(seen);
    return ok;
}

void hl_heap_destroy(hl_heap *heap) {
    if (heap == NULL) return;
    /* The leak is what is still live after the collector's last reclaim but is not
     * reachable from the globals: garbage the strategy could not free (refcount's
     * cycles, what a conservative collector retained), and what only that garbage
     * keeps alive. Objects the globals still name (the seeds' shared literals, module
     * state) are not leaked, as in CPython they are not garbage. */
    hl_heap_reclaim(heap);
    hl_heap_release(heap);
}

void hl_heap_reclaim(hl_heap *heap) {
    if (heap == NULL) return;
    drop_stack_roots(heap);
    if (heap->ops->finish != NULL) heap->ops->finish(heap);
}

void hl_heap_release(hl_heap *heap) {
    if (heap == NULL) return;
    uint64_t reached_objects = 0;
    size_t reached_bytes = 0;
    if (!count_reachable_from_globals(heap, &reached_objects, &reached_bytes)) {
        reached_objects = 0; /* no memory to count with: report everything live */
        reached_bytes = 0;
    }
    uint64_t leaked_objects = heap->live_objects - reached_objects;
    size_t leaked_bytes = heap->live_bytes - reached_bytes;
    /* From here on no finalizer runs; what a finalizer stored into a root during the
     * last collection is dropped without one. */
    heap->finalizers_off = true;
    drop_roots(heap);
    HL_EMIT(heap, teardown, leaked_objects, leaked_bytes, heap->freed_by_counting);

    /* The (empty) root arrays go before release_all, which may end the collector's
     * hold on the memory they come from (boehm unregisters the thread there). */
    if (heap->handles_capacity != 0)
        storage_free(heap, heap->handles, heap->handles_capacity * sizeof(hl_object *),
                     HL_STORAGE_ROOTS);
    heap->handles = NULL;
    heap->handles_capacity = 0;
    storage_free(heap, heap->globals, heap->globals_count * sizeof(hl_object *), HL_STORAGE_ROOTS);
    heap->globals = NULL;
    heap->globals_count = 0;
    heap->ops->release_all(heap);

    hl_allocator *a = heap->allocator;
    hl_free(a, heap->small_ints, HL_SMALL_INT_COUNT * sizeof(hl_int_object));
    hl_free(a, heap, sizeof *heap);
}
