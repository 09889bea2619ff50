/* heaplab collector events.
 *
 * Collectors do not compute statistics: they report what happens to listeners, as
 * whippet's gc-event-listener.h does. The pause histogram and statistics
 * (collectors/stats.c), the memory timeline and any trace are listeners; a new
 * measurement is a new listener and touches no collector.
 *
 * Order within one collection:
 *   collection_start -> roots_traced -> heap_traced [-> bookkeeping_start]
 *   -> collection_end -> live_data_size
 * (boehm has no roots_traced: Boehm marks roots and heap in one loop; its
 * heap_resized comes whenever Boehm resizes its heap. bookkeeping_start comes from a
 * collector that must do heaplab's own accounting after the collection proper,
 * boehm's count of what Boehm freed: the pause ends there, not at collection_end.)
 * heap_resized may follow when the collector changes its trigger size.
 * sweep_start -> sweep_end come outside any collection, from a collector that sweeps
 * lazily (mark_sweep with --sweep lazy): one bounded step of the sweep a collection left
 * pending, at a safe point, at the start of the next collection or right after an explicit
 * one. It is collector time (the harness's gc_time_ns counts it) but no pause (the pause
 * log and the statistics' pause figures leave it out); such a collector's live_data_size
 * and heap_resized come after the sweep_end that finishes its sweep, not after
 * collection_end.
 * allocation_tick fires outside collections, each time about HL_TICK_BYTES more bytes
 * have been allocated, so a listener can sample memory over time without touching the
 * allocation fast path. teardown fires once, before the heap frees what is left.
 * Any callback may be NULL.
 */
#ifndef HEAPLAB_COLLECTORS_EVENTS_H
#define HEAPLAB_COLLECTORS_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#define HL_TICK_BYTES (64u * 1024u)

typedef enum hl_collection_kind {
    HL_COLLECTION_YOUNG,  /* rc_cycle generation 0; cpython_inc's young-only collection */
    HL_COLLECTION_MIDDLE, /* rc_cycle generation 1; a cpython_inc increment */
    HL_COLLECTION_FULL,   /* rc_cycle generation 2, cpython_inc's full one, every
                           * cpython_ft, mark_sweep and boehm collection */
} hl_collection_kind;

typedef struct hl_event_listener {
    void *data;
    void (*collection_start)(void *data, hl_collection_kind kind);
    void (*roots_traced)(void *data);
    void (*heap_traced)(void *data);
    /* The collection proper is over; heaplab's own accounting of it follows, until
     * collection_end. A pause ends here when this comes (boehm only). */
    void (*bookkeeping_start)(void *data);
    /* objects_freed: objects this collection found unreachable and freed. */
    void (*collection_end)(void *data, uint64_t objects_freed);
    /* One step of a lazy sweep, outside any collection (see above); objects_freed: what
     * this step freed. */
    void (*sweep_start)(void *data);
    void (*sweep_end)(void *data, uint64_t objects_freed);
    /* The collector's new trigger size in bytes (mark_sweep's next threshold). */
    void (*heap_resized)(void *data, size_t bytes);
    /* Live object bytes after a collection. */
    void (*live_data_size)(void *data, size_t bytes);
    /* Live object bytes now, about every HL_TICK_BYTES of allocation. */
    void (*allocation_tick)(void *data, size_t live_bytes);
    /* Once at teardown, after the frames and handles are dropped and the collector's
     * last reclaim (a full collection for those that collect): the leak, i.e. the
     * objects and bytes still live that are not reachable from the globals.
     * freed_by_counting is the number of objects freed because their count reached
     * zero over the heap's whole life. */
    void (*teardown)(void *data, uint64_t leaked_objects, size_t leaked_bytes,
                     uint64_t freed_by_counting);
} hl_event_listener;

#endif
