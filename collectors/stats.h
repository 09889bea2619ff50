/* heaplab statistics listener: the pause histogram and the collector statistics,
 * computed from events (collectors/events.h), never inside a collector. */
#ifndef HEAPLAB_COLLECTORS_STATS_H
#define HEAPLAB_COLLECTORS_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/events.h"

typedef struct hl_gc_stats {
    uint64_t collections;
    uint64_t pause_total_ns;
    uint64_t pause_max_ns;
    uint64_t pause_p50_ns;
    uint64_t pause_p99_ns;
    uint64_t objects_collected;  /* freed by collections */
    uint64_t freed_by_counting;  /* freed because a count reached zero */
    size_t peak_live_bytes;      /* most live object bytes seen (ticks and collections) */
    uint64_t leaked_objects;     /* live at teardown */
    size_t leaked_bytes;
} hl_gc_stats;

typedef struct hl_stats_listener hl_stats_listener;

/* Make a statistics listener; NULL when it cannot allocate. */
hl_stats_listener *hl_stats_listener_new(void);
void hl_stats_listener_free(hl_stats_listener *s);
/* The listener to put into hl_heap_config.listeners. */
const hl_event_listener *hl_stats_listener_events(hl_stats_listener *s);
/* Forget everything recorded (between repetitions). */
void hl_stats_listener_reset(hl_stats_listener *s);
/* Current figures; percentiles from the pause histogram. */
void hl_stats_listener_read(const hl_stats_listener *s, hl_gc_stats *out);

#endif
