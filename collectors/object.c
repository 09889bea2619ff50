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
 *    finalizers off and frees everything left (ops->release_all): collectors/heap_life.c,
 *    with the roots, the walks and hl_collect.
 */
#include <limits.h>
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
void hl__emit_bookkeeping_start(hl_heap *heap) {
    HL_EMIT0(heap, bookkeeping_start);
}
void hl__emit_collection_end(hl_heap *heap, uint64_t objects_freed) {
    HL_EMIT(heap, collection_end, objects_freed);
}
void hl__emit_sweep_start(hl_heap *heap) {
    HL_EMIT0(heap, sweep_start);
}
void hl__emit_sweep_end(hl_heap *heap, uint64_t objects_freed) {
    HL_EMIT(heap, sweep_end, objects_freed);
}
void hl__emit_heap_resized(hl_heap *heap, size_t bytes) {
    HL_EMIT(heap, heap_resized, bytes);
}
void hl__emit_teardown(hl_heap *heap, uint64_t leaked_objects, size_t leaked_bytes) {
    HL_EMIT(heap, teardown, leaked_objects, leaked_bytes, heap->freed_by_counting);
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

void *hl__storage_alloc(hl_heap *heap, size_t size, hl_storage_kind kind) {
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

void hl__storage_free(hl_heap *heap, void *block, size_t size, hl_storage_kind kind) {
    const hl_collector_ops *ops = heap->ops;
    if (ops->free_storage != NULL)
        ops->free_storage(heap, block, size, kind);
    else
        hl_free(heap->allocator, block, size);
}

/* ---- birth ---- */

static void safe_point(hl_heap *heap, hl_object *pin) {
    if (heap->ops->safe_point == NULL || heap->collecting || heap->freeing || heap->no_collect)
        return;
    heap->pinned[0] = pin;
    heap->ops->safe_point(heap);
    heap->pinned[0] = NULL;
}

/* An allocation was refused (the budget, --heap-limit, or the allocator itself): make
 * room. A collector that reclaims cycles runs one full collection (gc.collect(2)),
 * with pin0 and pin1 as roots beside the usual ones, and the caller tries once more;
 * only if that fails too is it a MemoryError. This is a tracing collector's answer to
 * a full heap, and rc_cycle's model choice (CPython raises MemoryError without
 * collecting; docs/collectors.md). refcount cannot collect: false, the caller fails.
 * It happens only where a safe point could (a constructor, hl_frame_push, and
 * hl_list_append, whose list and value are pinned), never inside a collection or the
 * pending-free loop, and never for an injected failure (fault injection tests the
 * failure path itself). */
static bool room_for(hl_heap *heap, hl_object *pin0, hl_object *pin1) {
    const hl_allocator *a = heap->allocator;
    if (heap->ops->collect == NULL || !heap->ops->reclaims_cycles || heap->collecting ||
        heap->freeing || heap->no_collect)
        return false;
    if (a != NULL && a->fail_at != 0 && a->attempts == a->fail_at) return false;
    heap->pinned[0] = pin0;
    heap->pinned[1] = pin1;
    heap->ops->collect(heap, 2);
    heap->pinned[0] = heap->pinned[1] = NULL;
    return true;
}

/* Allocate [prefix][header][body of body_bytes]; the header is set, the body is not.
 * NULL with HL_MEMORY_ERROR on failure. */
static hl_object *object_alloc(hl_heap *heap, hl_type_id type, size_t body_bytes,
                               hl_object *pin) {
    /* Frames only when the collector says so (ops->tracks_frames): a frame is freed by
     * counting when its call returns, and CPython 3.11's frames are no GC objects. */
    bool tracked = heap->tracks_all || type == HL_TYPE_LIST || type == HL_TYPE_RECORD ||
                   (type == HL_TYPE_FRAME && heap->ops->tracks_frames);
    size_t prefix = tracked ? heap->prefix_size : 0;
    bool has_refs = type != HL_TYPE_INT && type != HL_TYPE_STR;
    char *block = block_alloc(heap, prefix + body_bytes, has_refs);
    if (block == NULL && room_for(heap, pin, NULL))
        block = block_alloc(heap, prefix + body_bytes, has_refs);
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
    /* hl__object_bytes is in this file: the compiler shares body_size with it */
    size_t bytes = hl__object_bytes(heap, o);
    size_t prefix = prefix_of(heap, o);
    size_t body = body_size(o);
    if (o->type == HL_TYPE_LIST) {
        hl_list_object *l = (hl_list_object *)o;
        if (l->capacity != 0)
            hl__storage_free(heap, l->items, l->capacity * sizeof(hl_object *), HL_STORAGE_ITEMS);
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

hl_status hl__small_ints_new(hl_heap *heap) {
    /* Small ints hold no reference; they stay in the allocator's memory. */
    hl_int_object *ints = hl_alloc(heap->allocator, HL_SMALL_INT_COUNT * sizeof(hl_int_object));
    if (ints == NULL) return HL_MEMORY_ERROR;
    for (int i = 0; i < HL_SMALL_INT_COUNT; i++) {
        ints[i].head.refcnt = heap->counts_references ? 1 : 0; /* the table's reference */
        ints[i].head.type = HL_TYPE_INT;
        ints[i].head.unused = 0;
        ints[i].head.flags = HL_FLAG_IMMORTAL;
        ints[i].head.count = 0;
        ints[i].value = HL_SMALL_INT_MIN + i;
    }
    heap->small_ints = &ints[0].head;
    return HL_OK;
}

size_t hl__small_ints_bytes(void) {
    return HL_SMALL_INT_COUNT * sizeof(hl_int_object);
}

void hl__small_ints_free(hl_heap *heap) {
    hl_free(heap->allocator, heap->small_ints, HL_SMALL_INT_COUNT * sizeof(hl_int_object));
    heap->small_ints = NULL;
}

hl_object *hl_int_new(hl_heap *heap, int64_t value) {
    if (value >= HL_SMALL_INT_MIN && value <= HL_SMALL_INT_MAX) {
        hl_object *o = &((hl_int_object *)heap->small_ints)[value - HL_SMALL_INT_MIN].head;
        hl_incref(heap, o);
        return o;
    }
    safe_point(heap, NULL);
    hl_object *o = object_alloc(heap, HL_TYPE_INT, sizeof(hl_int_object), NULL);
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
    hl_object *o = object_alloc(heap, HL_TYPE_STR, sizeof(hl_str_object) + length + 1, NULL);
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
    hl_object *o = object_alloc(heap, HL_TYPE_LIST, sizeof(hl_list_object), fill);
    if (o == NULL) return NULL;
    hl_list_object *l = (hl_list_object *)o;
    l->items = NULL;
    if (length != 0) {
        l->items = hl__storage_alloc(heap, length * sizeof(hl_object *), HL_STORAGE_ITEMS);
        /* the list is not born yet: no collector knows it, so none can free it */
        if (l->items == NULL && room_for(heap, fill, NULL))
            l->items = hl__storage_alloc(heap, length * sizeof(hl_object *), HL_STORAGE_ITEMS);
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
static bool list_resize(hl_heap *heap, hl_list_object *l, size_t newsize, hl_object *value) {
    size_t allocated = l->capacity;
    if (allocated >= newsize && newsize >= (allocated >> 1)) return true;
    if (newsize > SIZE_MAX / (4 * sizeof(hl_object *))) return false;
    size_t new_allocated = (newsize + (newsize >> 3) + 6) & ~(size_t)3;
    if (newsize - l->length > new_allocated - newsize) new_allocated = (newsize + 3) & ~(size_t)3;
    if (newsize == 0) new_allocated = 0;
    hl_object **items = NULL;
    for (int attempt = 0; items == NULL && attempt < 2; attempt++) {
        if (attempt == 1 && !room_for(heap, &l->head, value)) break;
        if (allocated == 0)
            items = hl__storage_alloc(heap, new_allocated * sizeof(hl_object *), HL_STORAGE_ITEMS);
        else
            items = storage_realloc(heap, l->items, allocated * sizeof(hl_object *),
                                    new_allocated * sizeof(hl_object *), HL_STORAGE_ITEMS);
    }
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
    if (!list_resize(heap, l, l->length + 1, value)) {
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
    hl_object *o = object_alloc(heap, HL_TYPE_RECORD, body, NULL);
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
        object_alloc(heap, HL_TYPE_FRAME, sizeof(hl_object) + (locals + 1) * sizeof(hl_object *), NULL);
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
            old == 0 ? hl__storage_alloc(heap, cap * sizeof(hl_object *), HL_STORAGE_ROOTS)
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
