/* heaplab trace (bench/harness/trace.h).
 *
 * The events of one heap come from one thread in time order, so a slice's slot is taken
 * when it starts and filled in when it ends: the records are in order of start time, a
 * parent before the children that start with it, and the file needs no sorting for its
 * timestamps never to go backwards. A child's start and end are the same clock readings
 * as its parent's start, its siblings' boundaries and its parent's end, so children lie
 * within their parents exactly.
 *
 * A collection's phases are the stretches between its events; each is named when it
 * ends, by the event that opened it and the one that closes it:
 *   collection_start -> roots_traced     roots: rc_cycle's update_refs and subtract_refs
 *                                        (the references from outside), mark_sweep's
 *                                        marking of the roots
 *   collection_start -> heap_traced      mark: boehm's mark loop (roots and heap in one;
 *                                        boehm reports no roots_traced)
 *   roots_traced -> heap_traced          heap: rc_cycle's move_unreachable, mark_sweep's
 *                                        drain of the mark stack
 *   heap_traced -> roots_traced          finalize+roots: mark_sweep ran finalizers and
 *                                        marks again from the roots
 *   heap_traced -> bookkeeping_start or collection_end
 *                                        finalize+sweep: finalizers, resurrection and
 *                                        freeing (rc_cycle), the sweep (mark_sweep),
 *                                        Boehm's finish of the collection (boehm)
 *   bookkeeping_start -> collection_end  bookkeeping: heaplab's own count of what boehm
 *                                        freed (outside the pause and the clock)
 * A collection with no phase events has no phase slices.
 */
#include "bench/harness/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench/report/results.h"

#define NONE SIZE_MAX

typedef enum record_what {
    R_SKIP, /* a phase that turned out to be the whole collection: not written */
    R_ITERATION,
    R_RECLAIM,
    R_COLLECTION,
    R_PHASE, /* a phase; its name is the `phase` field */
    R_LIVE_BYTES,
    R_HEAP_SIZE,
} record_what;

/* What opened a phase and what closed it (phase_name reads the pair). */
typedef enum phase_edge {
    EDGE_START,
    EDGE_ROOTS,
    EDGE_HEAP,
    EDGE_BOOKKEEPING,
    EDGE_END,
} phase_edge;

typedef struct trace_record {
    uint64_t ts_ns;  /* since the trace was made */
    uint64_t dur_ns; /* slices; UINT64_MAX while open */
    uint64_t a, b;   /* iteration: call, iteration; collection: objects_freed; counters: bytes */
    uint8_t what;    /* record_what */
    uint8_t kind;    /* collection: hl_collection_kind */
    uint8_t reclaim; /* collection: started inside the reclaim step */
    uint8_t phase;   /* phase: index into phase_names */
} trace_record;

struct hl_trace {
    hl_event_listener listener;
    uint64_t origin_ns;
    trace_record *records;
    size_t count, capacity, max;
    uint64_t dropped;
    bool recording;
    bool in_reclaim;
    size_t iteration_at, reclaim_at; /* the harness's open slices, or NONE */
    bool in_collection;              /* a collection being recorded has started */
    size_t collection_at, phase_at;  /* its slice and its open phase, or NONE */
    phase_edge phase_opened_by;
};

static const char *const phase_names[] = {"roots",          "mark",           "heap",
                                          "finalize+roots", "finalize+sweep", "bookkeeping"};
static const char *const kind_names[] = {"young", "middle", "full"};
static const char *const collection_names[] = {"young collection", "middle collection",
                                               "full collection"};

static uint64_t now_ns(const hl_trace *t) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec - t->origin_ns;
}

/* A slot for a new event at `ts`, or NONE when the trace is full. The first event that
 * does not fit (the cap, or memory) ends the growth for good: no later child can then
 * lack the parent that did not fit. */
static size_t take(hl_trace *t, record_what what, uint64_t ts) {
    if (t->count == t->max) {
        t->dropped++;
        return NONE;
    }
    if (t->count == t->capacity) {
        size_t capacity = t->capacity ? 2 * t->capacity : 1024;
        if (capacity > t->max) capacity = t->max;
        trace_record *grown = realloc(t->records, capacity * sizeof *grown);
        if (grown == NULL) {
            t->max = t->count;
            t->dropped++;
            return NONE;
        }
        t->records = grown;
        t->capacity = capacity;
    }
    t->records[t->count] = (trace_record){.ts_ns = ts, .dur_ns = UINT64_MAX, .what = what};
    return t->count++;
}

static void close_slice(hl_trace *t, size_t at, uint64_t now) {
    if (at != NONE) t->records[at].dur_ns = now - t->records[at].ts_ns;
}

static void counter(hl_trace *t, record_what what, uint64_t bytes) {
    size_t at = take(t, what, now_ns(t));
    if (at != NONE) {
        t->records[at].dur_ns = 0;
        t->records[at].a = bytes;
    }
}

/* ---- the collection and its phases ---- */

static void open_phase(hl_trace *t, phase_edge by, uint64_t now) {
    t->phase_at = take(t, R_PHASE, now);
    t->phase_opened_by = by;
}

static void close_phase(hl_trace *t, phase_edge by, uint64_t now) {
    if (t->phase_at == NONE) return;
    trace_record *r = &t->records[t->phase_at];
    int name = 0;
    switch (t->phase_opened_by) {
    case EDGE_START:
        name = by == EDGE_HEAP ? 1 : 0;
        if (by == EDGE_BOOKKEEPING || by == EDGE_END) r->what = R_SKIP; /* no phase events */
        break;
    case EDGE_ROOTS:
        name = 2;
        break;
    case EDGE_HEAP:
        name = by == EDGE_ROOTS ? 3 : 4;
        break;
    default:
        name = 5;
        break;
    }
    r->phase = (uint8_t)name;
    close_slice(t, t->phase_at, now);
    t->phase_at = NONE;
}

/* One phase ends where the next begins: the same clock reading for both. */
static void phase_event(hl_trace *t, phase_edge edge) {
    if (!t->in_collection) return;
    uint64_t now = now_ns(t);
    close_phase(t, edge, now);
    open_phase(t, edge, now);
}

static void on_collection_start(void *data, hl_collection_kind kind) {
    hl_trace *t = data;
    t->in_collection = t->recording;
    if (!t->in_collection) return;
    uint64_t now = now_ns(t);
    t->collection_at = take(t, R_COLLECTION, now);
    if (t->collection_at != NONE) {
        t->records[t->collection_at].kind = (uint8_t)kind;
        t->records[t->collection_at].reclaim = t->in_reclaim;
    }
    open_phase(t, EDGE_START, now);
}

static void on_roots_traced(void *data) {
    phase_event(data, EDGE_ROOTS);
}
static void on_heap_traced(void *data) {
    phase_event(data, EDGE_HEAP);
}
static void on_bookkeeping_start(void *data) {
    phase_event(data, EDGE_BOOKKEEPING);
}

static void on_collection_end(void *data, uint64_t objects_freed) {
    hl_trace *t = data;
    if (!t->in_collection) return;
    uint64_t now = now_ns(t);
    close_phase(t, EDGE_END, now);
    if (t->collection_at != NONE) t->records[t->collection_at].a = objects_freed;
    close_slice(t, t->collection_at, now);
    t->collection_at = NONE;
    t->in_collection = false;
}

static void on_live(void *data, size_t bytes) {
    counter(data, R_LIVE_BYTES, bytes);
}
static void on_heap_resized(void *data, size_t bytes) {
    counter(data, R_HEAP_SIZE, bytes);
}

/* ---- the harness's side ---- */

hl_trace *hl_trace_new(size_t max_events) {
    hl_trace *t = calloc(1, sizeof *t);
    if (t == NULL) return NULL;
    t->max = max_events ? max_events : 1;
    t->iteration_at = t->reclaim_at = t->collection_at = t->phase_at = NONE;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    t->origin_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    t->listener = (hl_event_listener){
        .data = t,
        .collection_start = on_collection_start,
        .roots_traced = on_roots_traced,
        .heap_traced = on_heap_traced,
        .bookkeeping_start = on_bookkeeping_start,
        .collection_end = on_collection_end,
        .heap_resized = on_heap_resized,
        .live_data_size = on_live,
        .allocation_tick = on_live,
    };
    return t;
}

const hl_event_listener *hl_trace_events(hl_trace *t) {
    return t ? &t->listener : NULL;
}

void hl_trace_set_recording(hl_trace *t, bool recording) {
    if (t) t->recording = recording;
}

void hl_trace_begin_iteration(hl_trace *t, unsigned call, uint64_t iteration) {
    if (t == NULL) return;
    t->iteration_at = take(t, R_ITERATION, now_ns(t));
    if (t->iteration_at == NONE) return;
    t->records[t->iteration_at].a = call;
    t->records[t->iteration_at].b = iteration;
}

void hl_trace_end_iteration(hl_trace *t) {
    if (t == NULL) return;
    close_slice(t, t->iteration_at, now_ns(t));
    t->iteration_at = NONE;
}

void hl_trace_begin_reclaim(hl_trace *t) {
    if (t == NULL) return;
    t->in_reclaim = true;
    t->reclaim_at = take(t, R_RECLAIM, now_ns(t));
}

void hl_trace_end_reclaim(hl_trace *t) {
    if (t == NULL) return;
    close_slice(t, t->reclaim_at, now_ns(t));
    t->reclaim_at = NONE;
    t->in_reclaim = false;
}

size_t hl_trace_count(const hl_trace *t) {
    return t->count;
}

uint64_t hl_trace_dropped(const hl_trace *t) {
    return t->dropped;
}

void hl_trace_free(hl_trace *t) {
    if (t == NULL) return;
    free(t->records);
    free(t);
}

/* ---- the file ---- */

/* Microseconds, the format's unit, to the nanosecond. */
static json_t *us(uint64_t ns) {
    return json_real((double)ns / 1000.0);
}

/* One event as jansson builds it; NULL for a record that is not written (a skipped
 * phase, a slice left open) or when out of memory. */
static json_t *event_json(const trace_record *r, uint64_t origin_ns) {
    if (r->what == R_SKIP || r->dur_ns == UINT64_MAX) return NULL;
    uint64_t ts = r->ts_ns - origin_ns;
    if (r->what == R_LIVE_BYTES || r->what == R_HEAP_SIZE)
        return json_pack("{s:s, s:s, s:o, s:i, s:{s:I}}", "name",
                         r->what == R_LIVE_BYTES ? "live_bytes" : "heap_size", "ph", "C", "ts",
                         us(ts), "pid", 1, "args", "bytes", (json_int_t)r->a);
    json_t *e = json_pack("{s:s, s:s, s:s, s:o, s:o, s:i, s:i}", "name", "", "cat",
                          r->what == R_ITERATION || r->what == R_RECLAIM ? "run" : "gc", "ph", "X",
                          "ts", us(ts), "dur", us(r->dur_ns), "pid", 1, "tid", 1);
    if (e == NULL) return NULL;
    const char *name = "iteration";
    json_t *args = NULL;
    switch ((record_what)r->what) {
    case R_ITERATION:
        args = json_pack("{s:I, s:I}", "call", (json_int_t)r->a, "iteration", (json_int_t)r->b);
        break;
    case R_RECLAIM:
        name = "reclaim";
        break;
    case R_COLLECTION:
        name = collection_names[r->kind];
        args = json_pack("{s:s, s:I, s:s}", "kind", kind_names[r->kind], "objects_freed",
                         (json_int_t)r->a, "phase", r->reclaim ? "reclaim" : "program");
        break;
    default:
        name = phase_names[r->phase];
        break;
    }
    if (json_object_set_new(e, "name", json_string(name)) != 0 ||
        (args != NULL && json_object_set_new(e, "args", args) != 0)) {
        json_decref(e);
        return NULL;
    }
    return e;
}

typedef struct write_job {
    const hl_trace *t;
    const char *configuration;
} write_job;

/* json_dumpf of one value, compact, times to the nanosecond (15 digits). */
static bool dump(json_t *value, FILE *out) {
    if (value == NULL) return false;
    bool ok = json_dumpf(value, out, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) == 0;
    json_decref(value);
    return ok;
}

/* The document is {"displayTimeUnit", "otherData", "traceEvents": [...]}. Every value is
 * encoded by jansson; the array is streamed one event at a time (a million events as one
 * jansson document would take hundreds of megabytes), so the three keys, the brackets and
 * the commas are written here. */
static bool write_trace(FILE *out, void *data) {
    const write_job *job = data;
    const hl_trace *t = job->t;
    uint64_t origin = 0;
    size_t kept = 0;
    for (size_t i = 0; i < t->count; i++)
        if (t->records[i].what != R_SKIP && t->records[i].dur_ns != UINT64_MAX)
            if (kept++ == 0) origin = t->records[i].ts_ns; /* the earliest: records are in order */
    json_t *other = json_pack(
        "{s:s, s:s, s:s, s:I, s:I, s:I, s:b}", "heaplab_configuration", job->configuration, "clock",
        "CLOCK_MONOTONIC, microseconds since the first event", "iterations",
        "every iteration inside Google Benchmark's clock (trial runs included)", "events",
        (json_int_t)kept, "max_events", (json_int_t)t->max, "dropped_events",
        (json_int_t)t->dropped, "truncated", t->dropped != 0);
    fputs("{\"displayTimeUnit\":", out);
    bool ok = dump(json_string("ns"), out);
    fputs(",\"otherData\":", out);
    ok = dump(other, out) && ok;
    fputs(",\"traceEvents\":[\n", out);
    char process[300];
    snprintf(process, sizeof process, "heaplab %s", job->configuration);
    ok = ok && dump(json_pack("{s:s, s:s, s:i, s:i, s:{s:s}}", "name", "process_name", "ph", "M",
                              "pid", 1, "tid", 1, "args", "name", process),
                    out);
    fputs(",\n", out);
    ok = ok && dump(json_pack("{s:s, s:s, s:i, s:i, s:{s:s}}", "name", "thread_name", "ph", "M",
                              "pid", 1, "tid", 1, "args", "name", "iterations and collections"),
                    out);
    if (ok && t->dropped != 0) {
        char label[160];
        snprintf(label, sizeof label, "trace truncated: %llu events dropped past %zu",
                 (unsigned long long)t->dropped, t->max);
        fputs(",\n", out);
        ok = dump(json_pack("{s:s, s:s, s:i, s:{s:s}}", "name", "process_labels", "ph", "M", "pid",
                            1, "args", "labels", label),
                  out);
    }
    for (size_t i = 0; ok && i < t->count; i++) {
        if (t->records[i].what == R_SKIP || t->records[i].dur_ns == UINT64_MAX) continue;
        fputs(",\n", out);
        ok = dump(event_json(&t->records[i], origin), out);
    }
    fputs("\n]}\n", out);
    return ok && ferror(out) == 0;
}

bool hl_trace_write(const hl_trace *t, const char *path, const char *configuration) {
    write_job job = {t, configuration};
    return hl_results_write_atomic(path, write_trace, &job);
}
