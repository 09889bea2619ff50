/* The statistics listener: everything heaplab reports about collections is computed
 * here, from events, never inside a collector.
 *
 * Pauses go into a log-linear histogram (HdrHistogram's idea): values below 32 ns have
 * a bucket each; above, each power of two is split into 32 equal buckets, so a
 * bucket's width is at most 1/32 of its values (about 3% error on p50/p99) and the
 * whole histogram is a fixed 15 KiB array: recording never allocates. The maximum
 * and the total are exact. A percentile is the midpoint of the bucket that holds the
 * rank ceil(q * n), clamped to the exact maximum.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collectors/stats.h"

#define HL_SUB_BITS 5
#define HL_SUB_COUNT (1u << HL_SUB_BITS)
#define HL_BUCKETS ((64 - HL_SUB_BITS + 1) * HL_SUB_COUNT)

struct hl_stats_listener {
    hl_event_listener events;
    hl_gc_stats figures; /* percentiles are filled in by hl_stats_listener_read */
    uint64_t started_ns; /* start of the collection under way */
    uint64_t ended_ns;   /* its bookkeeping_start, 0 until then */
    uint64_t pauses;
    uint64_t buckets[HL_BUCKETS];
};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned bucket_of(uint64_t v) {
    if (v < HL_SUB_COUNT) return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* e >= HL_SUB_BITS */
    unsigned sub = (unsigned)(v >> (e - HL_SUB_BITS)) & (HL_SUB_COUNT - 1);
    return (e - HL_SUB_BITS + 1) * HL_SUB_COUNT + sub;
}

/* Midpoint of a bucket's range. */
static uint64_t bucket_value(unsigned b) {
    if (b < HL_SUB_COUNT) return b;
    unsigned e = b / HL_SUB_COUNT + HL_SUB_BITS - 1;
    uint64_t sub = b % HL_SUB_COUNT;
    unsigned shift = e - HL_SUB_BITS;
    uint64_t low = (HL_SUB_COUNT + sub) << shift;
    return low + (((uint64_t)1 << shift) >> 1);
}

static void on_start(void *data, hl_collection_kind kind) {
    (void)kind;
    hl_stats_listener *s = data;
    s->started_ns = now_ns();
    s->ended_ns = 0;
}

/* The pause ends where heaplab's own accounting of the collection begins. */
static void on_bookkeeping(void *data) {
    hl_stats_listener *s = data;
    s->ended_ns = now_ns();
}

static void on_end(void *data, uint64_t objects_freed) {
    hl_stats_listener *s = data;
    uint64_t pause = (s->ended_ns != 0 ? s->ended_ns : now_ns()) - s->started_ns;
    s->ended_ns = 0;
    s->figures.collections++;
    s->figures.objects_collected += objects_freed;
    s->figures.pause_total_ns += pause;
    if (pause > s->figures.pause_max_ns) s->figures.pause_max_ns = pause;
    s->buckets[bucket_of(pause)]++;
    s->pauses++;
}

static void on_live(void *data, size_t bytes) {
    hl_stats_listener *s = data;
    if (bytes > s->figures.peak_live_bytes) s->figures.peak_live_bytes = bytes;
}

static void on_teardown(void *data, uint64_t live_objects, size_t live_bytes,
                        uint64_t freed_by_counting) {
    hl_stats_listener *s = data;
    s->figures.leaked_objects = live_objects;
    s->figures.leaked_bytes = live_bytes;
    s->figures.freed_by_counting = freed_by_counting;
    if (live_bytes > s->figures.peak_live_bytes) s->figures.peak_live_bytes = live_bytes;
}

hl_stats_listener *hl_stats_listener_new(void) {
    hl_stats_listener *s = malloc(sizeof *s);
    if (s == NULL) return NULL;
    memset(s, 0, sizeof *s);
    s->events.data = s;
    s->events.collection_start = on_start;
    s->events.bookkeeping_start = on_bookkeeping;
    s->events.collection_end = on_end;
    s->events.live_data_size = on_live;
    s->events.allocation_tick = on_live;
    s->events.teardown = on_teardown;
    return s;
}

void hl_stats_listener_free(hl_stats_listener *s) {
    free(s);
}

const hl_event_listener *hl_stats_listener_events(hl_stats_listener *s) {
    return &s->events;
}

void hl_stats_listener_reset(hl_stats_listener *s) {
    memset(&s->figures, 0, sizeof s->figures);
    memset(s->buckets, 0, sizeof s->buckets);
    s->pauses = 0;
    s->started_ns = 0;
    s->ended_ns = 0;
}

static uint64_t percentile(const hl_stats_listener *s, double q) {
    if (s->pauses == 0) return 0;
    uint64_t rank = (uint64_t)(q * (double)s->pauses);
    if ((double)rank < q * (double)s->pauses) rank++;
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (unsigned b = 0; b < HL_BUCKETS; b++) {
        seen += s->buckets[b];
        if (seen >= rank) {
            uint64_t v = bucket_value(b);
            return v > s->figures.pause_max_ns ? s->figures.pause_max_ns : v;
        }
    }
    return s->figures.pause_max_ns;
}

void hl_stats_listener_read(const hl_stats_listener *s, hl_gc_stats *out) {
    *out = s->figures;
    out->pause_p50_ns = percentile(s, 0.50);
    out->pause_p99_ns = percentile(s, 0.99);
}
