/* heaplab object API: what workload code uses.
 *
 * The model is CPython's: every value is a heap object with a reference count and a
 * type; ints -5..256 are preallocated, shared and never freed; a function call gets a
 * `frame` object holding its locals and its caller; containers (list, record, frame)
 * can form cycles, which only a collector reclaims.
 *
 * Ownership follows CPython's C API:
 * - Constructors (hl_int_new, hl_str_new, hl_list_new, hl_record_new) return a NEW
 *   reference, or NULL with the heap's error set to HL_MEMORY_ERROR.
 * - Getters (hl_record_get, hl_list_get, hl_local_get, hl_global_get) return BORROWED
 *   references.
 * - Setters (hl_record_set, hl_list_set, hl_local_set, hl_global_set) and
 *   hl_list_append store a new reference to the value (they incref it) and release
 *   the one they replace; the caller keeps its own.
 * - hl_incref / hl_decref are inline fast paths; under a tracing collector they do
 *   nothing. Choosing the strategy costs no indirect call per operation.
 *
 * Roots and safe points (what keeps a C temporary alive under a tracing collector):
 * a collection can start only inside a call that creates an object (the *_new
 * constructors, hl_frame_push) or in hl_collect. Any object a C caller keeps across
 * such a call must be reachable from a root: a global slot, a local of a live frame,
 * or a handle (hl_root) in an open scope. hl_list_append, the setters and reference
 * operations never start a collection.
 *
 * Errors are values: a failed allocation returns NULL / HL_MEMORY_ERROR, a frame
 * push past the recursion limit HL_RECURSION_ERROR. The heap stays consistent and
 * hl_heap_destroy releases everything afterwards.
 */
#ifndef HEAPLAB_COLLECTORS_HEAP_H
#define HEAPLAB_COLLECTORS_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocators/allocator.h"
#include "collectors/events.h"
/* The object layout, the heap's fields and the inline fast paths: hl_status,
 * hl_object, hl_heap and hl_collector_ops are declared there. */
#include "collectors/object_layout.h"

/* A finalizer: the seeds' __del__. Runs at most once per object (PEP 442); it may
 * store the object somewhere reachable (resurrection), and it may use the API. */
typedef void (*hl_finalizer)(hl_heap *heap, hl_object *self, void *data);

/* What a heap leaves to the next heap of the same run, as the allocator stays warm
 * across a run's iterations (docs/architecture.md, "What a run is"): the heap size its
 * collector grew to (mark_sweep's trigger at its largest), so that a warm iteration
 * starts on the heap the previous ones needed, as libgc's heap (one per process) and a
 * JVM's across benchmark iterations do. The owner zeroes it before the first heap;
 * a heap reads it when it is created and writes it when it is destroyed. */
struct hl_heap_carry {
    size_t heap_bytes; /* 0: nothing carried, the collector's initial size */
};

typedef struct hl_heap_config {
    const hl_collector_ops *collector; /* from hl_collector_find */
    hl_allocator *allocator;           /* initialised by the caller, outlives the heap */
    size_t globals;                    /* number of global slots (default 16 when 0) */
    size_t recursion_limit;            /* frames; 0 = HL_DEFAULT_RECURSION_LIMIT */
    long thresholds[3];                /* 0 = the collector's default_thresholds */
    double growth_factor;              /* mark_sweep: 0 = 2.0 (GOGC=100) */
    /* mark_sweep: sweep lazily (the pause ends after marking; the sweep runs in bounded
     * steps at later safe points, docs/collectors.md "Lazy sweeping"); false: eager. */
    bool lazy_sweep;
    /* The allocator's limit_bytes is a budget the user set (--heap-limit), not only a
     * guard: a tracing collector then collects when the budget refuses an allocation
     * instead of by its growth factor, as a fixed-heap policy does (docs/collectors.md,
     * "Heap budgets"). Every collector that reclaims cycles collects fully before a
     * refused allocation becomes a MemoryError, with or without it. */
    bool fixed_heap;
    /* Carried from the previous heap of the run and to the next (NULL: a cold heap,
     * nothing carried). Ignored under a budget (fixed_heap): the budget is the size. */
    hl_heap_carry *carry;
    const hl_event_listener *listeners[HL_MAX_LISTENERS]; /* NULL-terminated */
} hl_heap_config;

/* CPython defaults to 1000 C-stack-bound frames; heaplab's frames live on the managed
 * heap and never on the C stack, so the default allows the seeds' deep recursion
 * (depth 10^6) and still stops a runaway. */
#define HL_DEFAULT_RECURSION_LIMIT 10000000u

/* Start a heap. HL_MEMORY_ERROR when its own set-up cannot allocate. */
hl_status hl_heap_create(const hl_heap_config *config, hl_heap **out);

/* Drop the frames and handles, let the collector reclaim what it can (a final full
 * collection for collectors that collect), report teardown with the leak (what is
 * still live but not reachable from the globals), then drop the globals and free
 * every remaining object through the allocator. */
void hl_heap_destroy(hl_heap *heap);

/* hl_heap_destroy in two steps, for the harness, which times the first and not the
 * second (docs/architecture.md, "What a run is"):
 * hl_heap_reclaim drops the frames and handles and lets the collector reclaim what
 * is unreachable (ops->finish: a full collection for the collectors that collect;
 * nothing for refcount, whose counts already freed what was dropped); the heap stays
 * usable. hl_heap_release then counts the leak, reports teardown and frees every
 * remaining object, without another collection. */
void hl_heap_reclaim(hl_heap *heap);
void hl_heap_release(hl_heap *heap);

/* The error of the last failing call (HL_OK when none). */
hl_status hl_heap_error(const hl_heap *heap);

/* ---- reference operations (inline fast paths, defined in collectors/object_layout.h) ---- */
static inline void hl_incref(hl_heap *heap, hl_object *o);
static inline void hl_decref(hl_heap *heap, hl_object *o); /* NULL is allowed */

/* ---- objects ---- */
hl_object *hl_int_new(hl_heap *heap, int64_t value); /* small ints are shared */
int64_t hl_int_value(const hl_object *o);
hl_object *hl_str_new(hl_heap *heap, const char *text, size_t length);
const char *hl_str_data(const hl_object *o); /* NUL-terminated */
size_t hl_str_length(const hl_object *o);

/* A list of `length` slots, each holding `fill` (may be NULL: empty slots). With
 * fill != NULL this is [fill] * length: one object, `length` references. */
hl_object *hl_list_new(hl_heap *heap, size_t length, hl_object *fill);
hl_status hl_list_append(hl_heap *heap, hl_object *list, hl_object *value);
void hl_list_set(hl_heap *heap, hl_object *list, size_t index, hl_object *value);
hl_object *hl_list_get(const hl_object *list, size_t index);
size_t hl_list_length(const hl_object *list);
size_t hl_list_capacity(const hl_object *list); /* follows CPython's list_resize */

/* A record of `fields` slots (the seeds' Person(name, partner)), all NULL, with an
 * optional finalizer called as finalizer(heap, self, data). */
hl_object *hl_record_new(hl_heap *heap, size_t fields, hl_finalizer finalizer, void *data);
void hl_record_set(hl_heap *heap, hl_object *record, size_t index, hl_object *value);
hl_object *hl_record_get(const hl_object *record, size_t index);

/* The seeds' sys.getrefcount (without the argument's own reference) and id(). */
intptr_t hl_refcount(const hl_object *o);
uintptr_t hl_id(const hl_object *o);
/* Type name: "int", "str", "list", "record", "frame". */
const char *hl_type_name(const hl_object *o);

/* ---- roots ---- */
size_t hl_globals_count(const hl_heap *heap);
void hl_global_set(hl_heap *heap, size_t slot, hl_object *value); /* NULL clears */
hl_object *hl_global_get(const hl_heap *heap, size_t slot);

/* A frame is not a value: no call returns one (hl_heap_each shows it), and storing one
 * into a slot is outside the contract: collectors that leave frames untracked
 * (tracks_frames false) free a frame by counting when its call returns.
 *
 * Call: push a frame with `locals` slots (all NULL) whose caller is the current
 * frame. HL_RECURSION_ERROR past the recursion limit, HL_MEMORY_ERROR when the
 * frame cannot be allocated; the frame chain is unchanged then. */
hl_status hl_frame_push(hl_heap *heap, size_t locals);
/* Return: the current frame is released and its caller becomes current. */
void hl_frame_pop(hl_heap *heap);
size_t hl_frame_depth(const hl_heap *heap);
void hl_local_set(hl_heap *heap, size_t index, hl_object *value); /* current frame */
hl_object *hl_local_get(const hl_heap *heap, size_t index);

/* Handle scopes for C temporaries. hl_root takes over the caller's reference (steals
 * it) and keeps the object alive until the scope that holds it is closed; it returns
 * `o` (NULL passes through, so hl_root(h, hl_int_new(h, 1)) is safe). Growing the
 * handle stack cannot fail silently: on failure the object is released and NULL
 * returned with HL_MEMORY_ERROR. */
size_t hl_scope_open(hl_heap *heap);
hl_object *hl_root(hl_heap *heap, hl_object *o);
void hl_scope_close(hl_heap *heap, size_t scope);

/* ---- collection ---- */
/* gc.collect(generation), as the modelled version means it: rc_cycle and rc_cycle_313
 * collect generation 0..2 and the younger ones (2 = full); cpython_inc: 0 the young
 * generation, 1 one increment, 2 full; cpython_ft and the tracing collectors always
 * collect fully; refcount does nothing. Returns the number of unreachable objects
 * found, like gc.collect(). */
long hl_collect(hl_heap *heap, int generation);

/* Live objects and bytes now (small ints excluded). */
uint64_t hl_heap_live_objects(const hl_heap *heap);
size_t hl_heap_live_bytes(const hl_heap *heap);
hl_allocator *hl_heap_allocator(hl_heap *heap);
/* The allocation figures (allocs, frees, requested bytes live and peak, resident) of a
 * heap of `collector` made with `allocator`, while it lives and after hl_heap_destroy:
 * the collector's own when it serves the objects from its own memory (boehm: its
 * counting of what heaplab asked Boehm for, and Boehm's heap size as resident; the
 * allocator then holds only heaplab's bookkeeping), else hl_allocator_stats. */
void hl_heap_alloc_stats(const hl_collector_ops *collector, hl_allocator *allocator,
                         hl_alloc_stats *out);
/* The heap's budget: how many more bytes it may request before it passes its limit
 * (hl_allocator.limit_bytes of the allocator it was made with: the limit less the bytes
 * that allocator holds now, for objects and the heap's own storage alike), 0 at or past
 * the limit, UINT64_MAX when it has no limit. What a workload asks before it builds a
 * structure too large to fit. */
uint64_t hl_heap_room(const hl_heap *heap);

/* Walk every live object (small ints excluded), for tests and oracles. */
void hl_heap_each(hl_heap *heap, void (*fn)(hl_object *o, void *data), void *data);
/* Visit the references held by `o`. */
void hl_object_visit_refs(hl_object *o, void (*fn)(hl_object *ref, void *data), void *data);

/* ---- collectors ---- */
extern const hl_collector_ops *const hl_collector_registry[]; /* NULL-terminated */
const hl_collector_ops *hl_collector_find(const char *name);
const char *hl_collector_name(const hl_collector_ops *ops);
const char *hl_collector_summary(const hl_collector_ops *ops);
const char *hl_collector_names(void); /* comma-separated, for messages */
/* The allocator that serves the collector's objects when it brings its own ("bdwgc"
 * for boehm), for the results' allocator column; NULL when objects come from the
 * hl_allocator in hl_heap_config. */
const char *hl_collector_own_allocator(const hl_collector_ops *ops);
/* Whether a full collection reclaims unreachable cycles (all but refcount). */
bool hl_collector_reclaims_cycles(const hl_collector_ops *ops);
/* Whether roots are conservative, so a collection may retain unreachable objects
 * (boehm scans the C stack and registers). */
bool hl_collector_is_conservative(const hl_collector_ops *ops);
/* The collector a heap runs. */
const hl_collector_ops *hl_heap_collector(const hl_heap *heap);
/* Make the process ready for the collector: call once on the main thread, before any
 * heap of it is created on another thread (boehm initialises the process-wide
 * Boehm-Demers-Weiser collector there). True when ready (always for the others);
 * false with *error set otherwise. A heap created on the main thread prepares the
 * process by itself. */
bool hl_collector_prepare_process(const hl_collector_ops *ops, const char **error);

#endif
