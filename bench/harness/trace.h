/* heaplab trace: an event listener (collectors/events.h) that records a run as Chrome
 * trace-event JSON, the format ui.perfetto.dev ("Open trace file") and chrome://tracing
 * ("Load") open (docs/traces.md).
 *
 * On one track (pid 1, tid 1), slices that nest exactly, each a complete ("X") event:
 *   iteration        the timed part of one iteration (the harness: hl_trace_begin_iteration
 *                    and hl_trace_end_iteration), args call and iteration
 *     reclaim        the reclaim step that ends it (hl_trace_begin_reclaim/_end_reclaim)
 *     <kind> collection   one per collection that starts while recording is on (the
 *                    harness turns it on exactly when the pause log records, so these
 *                    are the --pauses rows), args kind, objects_freed and phase
 *                    (program, or reclaim inside the reclaim step)
 *       roots, heap, mark, finalize+roots, finalize+sweep, bookkeeping: the collection's
 *                    phases as its events give them (trace.c says which event ends which)
 * and two counter tracks ("C" events): live_bytes (allocation_tick, live_data_size) and
 * heap_size (heap_resized), recorded whenever the heap reports them, on or off the clock.
 *
 * Times are CLOCK_MONOTONIC (the pause log's clock), written in microseconds since the
 * first event kept. Memory stays bounded: at most `max_events` events are kept (the array
 * grows by doubling up to that); from the first event that does not fit, nothing new is
 * started (the slices already open are still closed), and the file's metadata says the
 * trace was truncated and how many events were dropped.
 *
 *   hl_trace *t = hl_trace_new(HL_TRACE_MAX_EVENTS);
 *   ...put hl_trace_events(t) into the heap's listeners, run...
 *   hl_trace_write(t, path, "cyclic_graph/pairs/1000/libc/rc_cycle");  // atomically
 *   hl_trace_free(t);
 * Every function but hl_trace_new takes a NULL trace and then does nothing (hl_trace_events
 * returns NULL), so the harness calls them unconditionally.
 */
#ifndef HEAPLAB_BENCH_TRACE_H
#define HEAPLAB_BENCH_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/events.h"

/* About 40 MB of records and a file of about 120 MB at most: Perfetto opens that; a
 * longer run's trace is truncated (use fewer iterations or a smaller size). */
#define HL_TRACE_MAX_EVENTS 1000000u

typedef struct hl_trace hl_trace;

/* A new, empty trace keeping at most max_events events (>= 1), recording off; NULL when
 * out of memory. */
hl_trace *hl_trace_new(size_t max_events);
/* The listener that feeds it; valid until hl_trace_free. */
const hl_event_listener *hl_trace_events(hl_trace *t);
/* Keep the collections that start from now on (true) or not (false). */
void hl_trace_set_recording(hl_trace *t, bool recording);
/* The harness's slices: one iteration's timed part, and the reclaim step inside it. */
void hl_trace_begin_iteration(hl_trace *t, unsigned call, uint64_t iteration);
void hl_trace_end_iteration(hl_trace *t);
void hl_trace_begin_reclaim(hl_trace *t);
void hl_trace_end_reclaim(hl_trace *t);
/* Write the trace to `path` atomically; `configuration` names the process in the viewer.
 * False when the file cannot be written. */
bool hl_trace_write(const hl_trace *t, const char *path, const char *configuration);
void hl_trace_free(hl_trace *t);

/* Inspection (tests): events kept and events dropped for want of room. */
size_t hl_trace_count(const hl_trace *t);
uint64_t hl_trace_dropped(const hl_trace *t);

#endif
