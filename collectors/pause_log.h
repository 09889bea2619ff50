/* heaplab pause log: a listener (collectors/events.h) that keeps every pause it is
 * told to record, with its start time, its length and its kind, in order. The
 * harness records the pauses inside the clock (bench/harness/run.c) and takes the
 * row's pause figures from them; the MMU and trace figures read the same log.
 *
 * A pause runs from collection_start to the first of bookkeeping_start and
 * collection_end, so heaplab's own accounting inside a collection (boehm's) is not
 * part of it. A lazy sweep's steps (sweep_start to sweep_end) are no pauses: the log
 * keeps only their total (hl_pause_log_sweep_ns). Recording grows an array with malloc (doubling, so rarely); a pause
 * that cannot be kept for want of memory is counted in `dropped`, never lost
 * silently.
 */
#ifndef HEAPLAB_COLLECTORS_PAUSE_LOG_H
#define HEAPLAB_COLLECTORS_PAUSE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/events.h"

typedef struct hl_pause {
    uint64_t start_ns;    /* CLOCK_MONOTONIC, since the log was made */
    uint64_t duration_ns;
    hl_collection_kind kind;
    unsigned tag; /* the owner's tag when the pause started (hl_pause_log_set_tag) */
} hl_pause;

/* Every tag, for the figures below. */
#define HL_PAUSE_ANY_TAG (~0u)

typedef struct hl_pause_log hl_pause_log;

/* A new log, recording; NULL when it cannot allocate. */
hl_pause_log *hl_pause_log_new(void);
void hl_pause_log_free(hl_pause_log *log);
/* The listener to put into hl_heap_config.listeners. */
const hl_event_listener *hl_pause_log_events(hl_pause_log *log);
/* Keep the pauses that start from now on (true) or not (false). */
void hl_pause_log_set_recording(hl_pause_log *log, bool recording);
/* Tag the pauses that start from now on (0 at first): the harness tells the program's
 * pauses from those of the reclaim step that ends a run. */
void hl_pause_log_set_tag(hl_pause_log *log, unsigned tag);
/* Forget every pause kept (and the dropped count); the start times keep their origin. */
void hl_pause_log_clear(hl_pause_log *log);

/* The log's clock now: CLOCK_MONOTONIC since the log was made, the clock of every
 * pause's start_ns (the harness marks the clock-on intervals of its iterations with it,
 * for the MMU of a run). */
uint64_t hl_pause_log_now_ns(const hl_pause_log *log);

/* The pauses kept, oldest first, and how many could not be kept. */
size_t hl_pause_log_count(const hl_pause_log *log);
const hl_pause *hl_pause_log_pauses(const hl_pause_log *log);
uint64_t hl_pause_log_dropped(const hl_pause_log *log);

/* The total of the lazy sweep steps (sweep_start to sweep_end, events.h) that started
 * while recording, since the log was made or cleared: collector time that is no pause. */
uint64_t hl_pause_log_sweep_ns(const hl_pause_log *log);

/* Over the pauses kept from index `from` on whose tag is `tag` (HL_PAUSE_ANY_TAG: all):
 * how many, their sum, their maximum (0 when there are none) and the nearest-rank
 * percentile q in (0, 1] (the ceil(q * n)-th smallest, exact; 0 when there are none,
 * false when the copy it sorts cannot be made). */
size_t hl_pause_log_tagged(const hl_pause_log *log, size_t from, unsigned tag);
uint64_t hl_pause_log_total_ns(const hl_pause_log *log, size_t from, unsigned tag);
uint64_t hl_pause_log_max_ns(const hl_pause_log *log, size_t from, unsigned tag);
bool hl_pause_log_percentile_ns(const hl_pause_log *log, size_t from, unsigned tag, double q,
                                uint64_t *out);

#endif
