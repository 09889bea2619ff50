/* The pause log (collectors/pause_log.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collectors/pause_log.h"

struct hl_pause_log {
    hl_event_listener events;
    bool recording;
    unsigned tag;
    bool in_pause;      /* a pause that is being kept has started and not ended */
    uint64_t origin_ns; /* when the log was made */
    hl_pause current;
    hl_pause *pauses;
    size_t count, capacity;
    uint64_t dropped;
    bool in_sweep;          /* a lazy sweep step that is being counted is under way */
    uint64_t sweep_started; /* its start */
    uint64_t sweep_ns;      /* the lazy sweep steps' total, while recording */
};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_start(void *data, hl_collection_kind kind) {
    hl_pause_log *log = data;
    log->in_pause = log->recording;
    if (!log->in_pause) return;
    log->current.kind = kind;
    log->current.tag = log->tag;
    log->current.start_ns = now_ns() - log->origin_ns;
}

/* The pause ends at the first of bookkeeping_start and collection_end. */
static void end_pause(hl_pause_log *log) {
    if (!log->in_pause) return;
    log->in_pause = false;
    log->current.duration_ns = now_ns() - log->origin_ns - log->current.start_ns;
    if (log->count == log->capacity) {
        size_t capacity = log->capacity ? 2 * log->capacity : 256;
        hl_pause *grown = realloc(log->pauses, capacity * sizeof *grown);
        if (grown == NULL) {
            log->dropped++;
            return;
        }
        log->pauses = grown;
        log->capacity = capacity;
    }
    log->pauses[log->count++] = log->current;
}

static void on_bookkeeping(void *data) {
    end_pause(data);
}

static void on_end(void *data, uint64_t objects_freed) {
    (void)objects_freed;
    end_pause(data);
}

/* A lazy sweep step is collector time but no pause: only its total is kept. */
static void on_sweep_start(void *data) {
    hl_pause_log *log = data;
    log->in_sweep = log->recording;
    if (log->in_sweep) log->sweep_started = now_ns();
}

static void on_sweep_end(void *data, uint64_t objects_freed) {
    (void)objects_freed;
    hl_pause_log *log = data;
    if (!log->in_sweep) return;
    log->in_sweep = false;
    log->sweep_ns += now_ns() - log->sweep_started;
}

hl_pause_log *hl_pause_log_new(void) {
    hl_pause_log *log = calloc(1, sizeof *log);
    if (log == NULL) return NULL;
    log->events.data = log;
    log->events.collection_start = on_start;
    log->events.bookkeeping_start = on_bookkeeping;
    log->events.collection_end = on_end;
    log->events.sweep_start = on_sweep_start;
    log->events.sweep_end = on_sweep_end;
    log->recording = true;
    log->origin_ns = now_ns();
    return log;
}

void hl_pause_log_free(hl_pause_log *log) {
    if (log == NULL) return;
    free(log->pauses);
    free(log);
}

const hl_event_listener *hl_pause_log_events(hl_pause_log *log) {
    return &log->events;
}

void hl_pause_log_set_recording(hl_pause_log *log, bool recording) {
    log->recording = recording;
}

void hl_pause_log_set_tag(hl_pause_log *log, unsigned tag) {
    log->tag = tag;
}

void hl_pause_log_clear(hl_pause_log *log) {
    log->count = 0;
    log->dropped = 0;
    log->in_pause = false;
    log->in_sweep = false;
    log->sweep_ns = 0;
}

uint64_t hl_pause_log_sweep_ns(const hl_pause_log *log) {
    return log->sweep_ns;
}

uint64_t hl_pause_log_now_ns(const hl_pause_log *log) {
    return now_ns() - log->origin_ns;
}

size_t hl_pause_log_count(const hl_pause_log *log) {
    return log->count;
}

const hl_pause *hl_pause_log_pauses(const hl_pause_log *log) {
    return log->pauses;
}

uint64_t hl_pause_log_dropped(const hl_pause_log *log) {
    return log->dropped;
}

static bool tagged(const hl_pause *p, unsigned tag) {
    return tag == HL_PAUSE_ANY_TAG || p->tag == tag;
}

size_t hl_pause_log_tagged(const hl_pause_log *log, size_t from, unsigned tag) {
    size_t n = 0;
    for (size_t i = from; i < log->count; i++)
        n += tagged(&log->pauses[i], tag);
    return n;
}

uint64_t hl_pause_log_total_ns(const hl_pause_log *log, size_t from, unsigned tag) {
    uint64_t total = 0;
    for (size_t i = from; i < log->count; i++)
        if (tagged(&log->pauses[i], tag)) total += log->pauses[i].duration_ns;
    return total;
}

uint64_t hl_pause_log_max_ns(const hl_pause_log *log, size_t from, unsigned tag) {
    uint64_t max = 0;
    for (size_t i = from; i < log->count; i++)
        if (tagged(&log->pauses[i], tag) && log->pauses[i].duration_ns > max)
            max = log->pauses[i].duration_ns;
    return max;
}

static int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

bool hl_pause_log_percentile_ns(const hl_pause_log *log, size_t from, unsigned tag, double q,
                                uint64_t *out) {
    *out = 0;
    size_t n = hl_pause_log_tagged(log, from, tag);
    if (n == 0) return true;
    uint64_t *sorted = malloc(n * sizeof *sorted);
    if (sorted == NULL) return false;
    for (size_t i = from, k = 0; i < log->count; i++)
        if (tagged(&log->pauses[i], tag)) sorted[k++] = log->pauses[i].duration_ns;
    qsort(sorted, n, sizeof *sorted, compare_u64);
    double rank = q * (double)n;
    size_t r = (size_t)rank;
    if ((double)r < rank) r++; /* ceil */
    if (r == 0) r = 1;
    if (r > n) r = n;
    *out = sorted[r - 1];
    free(sorted);
    return true;
}
