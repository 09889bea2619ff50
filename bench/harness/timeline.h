/* heaplab memory timeline: an event listener (collectors/events.h) that samples live
 * object bytes over a run, for the "memory over time" chart.
 *
 * Samples come from allocation_tick (about every HL_TICK_BYTES allocated) and from
 * collections (collection_start, then collection_end with the live bytes that
 * live_data_size reports after it). Each sample is (time in ns since the timeline
 * was made, on CLOCK_MONOTONIC; live bytes; event kind). Memory stays bounded: at most
 * HL_TIMELINE_MAX_SAMPLES are kept; when full, every other sample is dropped and from
 * then on only every 2^k-th tick is recorded (collection events are always offered).
 *
 * The file hl_timeline_write makes is whitespace-separated text that gnuplot reads
 * directly: '#' comment lines, then one "time_ns live_bytes event" line per sample,
 * event being tick, collection_start or collection_end.
 *
 *   hl_timeline *t = hl_timeline_new();
 *   ...put hl_timeline_events(t) into the heap's listeners, run...
 *   hl_timeline_write(t, path);   // atomically: temp file, then rename
 *   hl_timeline_free(t);
 */
#ifndef HEAPLAB_BENCH_TIMELINE_H
#define HEAPLAB_BENCH_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/events.h"

#define HL_TIMELINE_MAX_SAMPLES 100000

typedef struct hl_timeline hl_timeline;

typedef enum hl_timeline_event {
    HL_TIMELINE_TICK,
    HL_TIMELINE_COLLECTION_START,
    HL_TIMELINE_COLLECTION_END,
} hl_timeline_event;

typedef struct hl_timeline_sample {
    uint64_t time_ns;
    uint64_t live_bytes;
    hl_timeline_event event;
} hl_timeline_sample;

/* A new, empty timeline whose clock starts now; NULL when out of memory. */
hl_timeline *hl_timeline_new(void);
/* The listener that feeds it; valid until hl_timeline_free. */
const hl_event_listener *hl_timeline_events(hl_timeline *t);
/* Write the samples to `path` atomically; false when the file cannot be written. */
bool hl_timeline_write(const hl_timeline *t, const char *path);
void hl_timeline_free(hl_timeline *t);

/* Inspection (tests): the samples kept so far, oldest first. */
size_t hl_timeline_count(const hl_timeline *t);
const hl_timeline_sample *hl_timeline_samples(const hl_timeline *t);

#endif
