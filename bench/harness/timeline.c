/* heaplab memory timeline (bench/harness/timeline.h).
 *
 * Decimation keeps memory bounded without knowing the run's length in advance: the
 * buffer holds HL_TIMELINE_MAX_SAMPLES; when it is full, every other sample is
 * dropped (the survivors still span the whole run, at half the density) and the tick
 * stride doubles, so ticks keep arriving at the new density. Collection events are
 * always offered to the buffer, so short runs keep every collection; in a very long
 * run they thin out with everything else.
 */
#include "bench/harness/timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench/report/results.h"

struct hl_timeline {
    hl_event_listener listener;
    uint64_t start_ns;
    uint64_t last_live_bytes; /* the latest live figure seen, for collection_start */
    uint64_t tick_stride;     /* record every tick_stride-th tick (a power of two) */
    uint64_t ticks_seen;
    bool end_pending; /* the last sample is a collection_end awaiting live bytes */
    size_t count;
    hl_timeline_sample *samples; /* HL_TIMELINE_MAX_SAMPLES */
};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void decimate(hl_timeline *t) {
    size_t kept = 0;
    for (size_t i = 0; i < t->count; i += 2)
        t->samples[kept++] = t->samples[i];
    t->count = kept;
    t->tick_stride *= 2;
    t->end_pending = false; /* the pending sample may have been dropped */
}

static void record(hl_timeline *t, hl_timeline_event event, uint64_t live_bytes) {
    if (t->count == HL_TIMELINE_MAX_SAMPLES) decimate(t);
    t->samples[t->count++] = (hl_timeline_sample){now_ns() - t->start_ns, live_bytes, event};
}

static void on_tick(void *data, size_t live_bytes) {
    hl_timeline *t = data;
    t->last_live_bytes = live_bytes;
    t->end_pending = false;
    if (t->ticks_seen++ % t->tick_stride == 0) record(t, HL_TIMELINE_TICK, live_bytes);
}

static void on_collection_start(void *data, hl_collection_kind kind) {
    (void)kind;
    hl_timeline *t = data;
    t->end_pending = false;
    record(t, HL_TIMELINE_COLLECTION_START, t->last_live_bytes);
}

static void on_collection_end(void *data, uint64_t objects_freed) {
    (void)objects_freed;
    hl_timeline *t = data;
    record(t, HL_TIMELINE_COLLECTION_END, t->last_live_bytes);
    t->end_pending = true;
}

/* live_data_size follows collection_end: it gives the end sample its figure. */
static void on_live_data_size(void *data, size_t bytes) {
    hl_timeline *t = data;
    t->last_live_bytes = bytes;
    if (t->end_pending && t->count > 0) t->samples[t->count - 1].live_bytes = bytes;
    t->end_pending = false;
}

hl_timeline *hl_timeline_new(void) {
    hl_timeline *t = calloc(1, sizeof *t);
    if (t == NULL) return NULL;
    t->samples = malloc(HL_TIMELINE_MAX_SAMPLES * sizeof *t->samples);
    if (t->samples == NULL) {
        free(t);
        return NULL;
    }
    t->tick_stride = 1;
    t->start_ns = now_ns();
    t->listener = (hl_event_listener){
        .data = t,
        .collection_start = on_collection_start,
        .collection_end = on_collection_end,
        .live_data_size = on_live_data_size,
        .allocation_tick = on_tick,
    };
    return t;
}

const hl_event_listener *hl_timeline_events(hl_timeline *t) {
    return &t->listener;
}

size_t hl_timeline_count(const hl_timeline *t) {
    return t->count;
}

const hl_timeline_sample *hl_timeline_samples(const hl_timeline *t) {
    return t->samples;
}

static const char *const hl_event_names[] = {"tick", "collection_start", "collection_end"};

static bool write_samples(FILE *out, void *data) {
    const hl_timeline *t = data;
    fprintf(out,
            "# heaplab timeline: live object bytes over the run\n"
            "# samples %zu, tick stride %llu\n"
            "# time_ns live_bytes event\n",
            t->count, (unsigned long long)t->tick_stride);
    for (size_t i = 0; i < t->count; i++)
        fprintf(out, "%llu %llu %s\n", (unsigned long long)t->samples[i].time_ns,
                (unsigned long long)t->samples[i].live_bytes, hl_event_names[t->samples[i].event]);
    return ferror(out) == 0;
}

bool hl_timeline_write(const hl_timeline *t, const char *path) {
    return hl_results_write_atomic(path, write_samples, (void *)t);
}

void hl_timeline_free(hl_timeline *t) {
    if (t == NULL) return;
    free(t->samples);
    free(t);
}
