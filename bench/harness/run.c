/* The harness: one configuration (workload/variant, size, allocator, collector)
 * through Google Benchmark (bench/harness/run.h).
 *
 * The story of a run:
 * 1. `heaplab run` parses the command line (bench/cli/run_command.c) into an
 *    hl_run_config; bad input is one line and exit 2 there. The --benchmark_* flags
 *    are left for Google Benchmark. Then hl_run_configuration:
 * 2. Make the process ready for the allocator (hl_allocator_prepare_process): jemalloc
 *    and mimalloc are loaded with LD_PRELOAD, so this may re-execute heaplab.
 * 3. Make ONE allocator instance for the whole process: every iteration reuses it,
 *    warm, whatever the backend (hl_allocator_begin_iteration makes its counts, the
 *    injected failure and the heap limit the iteration's own; hl_allocator_rewind lets
 *    bump start over when nothing is live). Each iteration's heap is new, but it starts
 *    with the heap size the previous one grew to (hl_heap_carry: mark_sweep's trigger),
 *    as libgc's heap, one per process, stays grown. Register ONE benchmark, named like the
 *    results schema's configurations ("large_list/range/1000000/libc/refcount").
 *    What a run is (docs/architecture.md, "What a run is"), the same for every
 *    collector: with the clock paused, the heap is made; with the clock running, the
 *    workload variant builds its structure and drops it (it pauses the clock around
 *    its own checks) and the heap reclaims what was dropped (hl_heap_reclaim: a full
 *    collection for the collectors that collect); with the clock paused again, the
 *    heap is released (hl_heap_release: the leak is counted, what is still live is
 *    freed). The statistics listener (collectors/stats.h), the pause log
 *    (collectors/pause_log.h: every pause inside the clock, with its start time), the
 *    harness's clock listener (it stops the clock while boehm does heaplab's own
 *    accounting of a collection), the optional memory timeline and trace listen to the heap.
 * 4. Errors are results: a MemoryError or RecursionError ends the iteration loop with
 *    Google Benchmark's SkipWithError ("MemoryError: ..."), the heap is torn down as
 *    usual, and the status travels into the JSON, the row and the command's exit
 *    code.
 * 5. Every reported run reaches hl_reported_add (reported.c); from the repetitions, the median of
 *    each figure makes the configuration's hl_result_row (bench/report/results.h), written
 *    with --row (CSV) and --json (Google Benchmark JSON).
 * 6. A summary for people follows Google Benchmark's own table.
 *
 * Counters, per iteration unless said otherwise (the schema's names, exactly):
 *   gc_time_ns                collector pauses while the clock runs (collection start
 *                             to end, CLOCK_MONOTONIC; boehm's to the start of
 *                             heaplab's accounting) and lazy sweep steps (mark_sweep
 *                             --sweep lazy), the reclaim step's included, per iteration
 *   mutator_time_ns           real_time_ns - gc_time_ns (per repetition)
 *   minor_faults, major_faults  getrusage(RUSAGE_SELF) deltas over the timed part of
 *                             each iteration, per iteration
 *   baseline_rss_bytes        VmRSS just before the first iteration (the allocator
 *                             made, nothing of the workload allocated yet)
 *   peak_rss_bytes            the process's peak RSS (getrusage), over the whole run
 *   peak_live_bytes           the allocator's peak requested bytes; max over iterations
 *   allocator_resident_bytes  the allocator's own resident figure, sampled at the
 *                             workload's peak (just before it drops its structure;
 *                             recursion: at the deepest call); max over iterations
 *   allocs, frees             the allocator's counts (averaged over iterations)
 *   The program's pauses: those inside the clock before the reclaim step (automatic
 *   collections and the workload's own gc.collect()), as CPython counts them; the
 *   reclaim step's collection is heaplab's definition of a run, not the program's:
 *   it is in gc_time_ns only (gc_time_ns - gc_pause_total_ns is its time).
 *   gc_collections            the program's collections, per iteration
 *   objects_collected         objects freed by collections (the reclaim's included),
 *                             per iteration
 *   gc_pause_total_ns         the program's pauses, per iteration
 *   gc_pause_max_ns           a run's (one timed iteration's) longest program pause,
 *                             the median over the repetition's iterations (so one
 *                             preempted pause does not make the figure)
 *   gc_pause_p50_ns, gc_pause_p99_ns   nearest-rank percentiles of the repetition's
 *                             program pauses (exact, from the pause log)
 *   leaked_objects, leaked_bytes   live at teardown (averaged over iterations)
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench/harness/run.h"

#include "bench/harness/measure.h"
#include "bench/harness/reported.h"
#include "bench/harness/run_pauses.h"
#include "bench/harness/timeline.h"
#include "bench/harness/trace.h"
#include "bench/report/results.h"
#include "collectors/pause_log.h"
#include "collectors/stats.h"

/* The pause log's tags: the program's pauses, and the reclaim step's. */
enum { PAUSE_PROGRAM = 0, PAUSE_RECLAIM = 1 };

/* ---- the benchmark ---- */

typedef struct run_state {
    const hl_run_config *opt;
    hl_stats_listener *stats;
    hl_pause_log *pauses; /* the pauses inside the clock of this call */
    hl_timeline *timeline;
    hl_trace *trace; /* --trace: on the pause log's recording, plus the iterations */
    /* the iteration in progress */
    hl_bench_state *bench;
    hl_allocator allocator; /* one instance for the whole process */
    hl_heap_carry carry;    /* what each iteration's heap leaves to the next: warm too */
    size_t resident_at_peak;
    bool peak_sampled;
    /* the clock listener: the clock stops during heaplab's own accounting */
    hl_event_listener clock_events;
    bool clock_running;
    bool stopped_for_bookkeeping;
    bool timed; /* between the start of the variant and the end of the reclaim step */
    /* each iteration's longest program pause; every pause for --pauses */
    hl_run_pauses pause_record;
    uint64_t baseline_rss_bytes; /* read once, just before the first iteration */
    bool baseline_read;
    /* the outcome: the first status that is not ok, and its message */
    hl_workload_status status;
    char message[256];
    hl_reported reported; /* the runs Google Benchmark reported */
    /* The figures of the last call of the benchmark function as heaplab computed
     * them: Google Benchmark reports no counters for a run skipped with an error, and
     * a MemoryError row should still say how much memory the run had reached. */
    hl_result_row own;
    bool out_of_memory; /* copying a run failed */
} run_state;

/* The clock: Google Benchmark's, and whether it runs (for the clock listener). Inside
 * an iteration's timed part (rs->timed), each stretch of running clock is one of the
 * run's clock-on intervals (--pauses): marked just inside Google Benchmark's own start
 * and stop, so every pause recorded while the clock runs lies within one. */
static void clock_pause(run_state *rs) {
    if (rs->timed && !hl_run_pauses_clock_stop(&rs->pause_record, hl_pause_log_now_ns(rs->pauses)))
        rs->out_of_memory = true;
    hl_bench_pause_timing(rs->bench);
    rs->clock_running = false;
    hl_pause_log_set_recording(rs->pauses, false);
    hl_trace_set_recording(rs->trace, false);
}
static void clock_resume(run_state *rs) {
    rs->clock_running = true;
    hl_pause_log_set_recording(rs->pauses, true);
    hl_trace_set_recording(rs->trace, true);
    hl_bench_resume_timing(rs->bench);
    if (rs->timed) hl_run_pauses_clock_start(&rs->pause_record, hl_pause_log_now_ns(rs->pauses));
}

static void hook_pause(void *data) {
    clock_pause(data);
}
static void hook_resume(void *data) {
    clock_resume(data);
}

/* The clock listener: heaplab's own accounting of a collection (boehm's, from
 * bookkeeping_start to collection_end) is measurement, not the collector's work: the
 * clock stops for it. (No collection starts or ends across a change of the clock: the
 * collectors report both inside one call, and the clock changes only between calls.) */
static void clock_bookkeeping_start(void *data) {
    run_state *rs = data;
    if (!rs->clock_running) return;
    clock_pause(rs);
    rs->stopped_for_bookkeeping = true;
}
static void clock_collection_end(void *data, uint64_t objects_freed) {
    (void)objects_freed;
    run_state *rs = data;
    if (!rs->stopped_for_bookkeeping) return;
    rs->stopped_for_bookkeeping = false;
    clock_resume(rs);
}

/* The row's allocation figures: the collector's own when it serves the objects from its
 * own memory (boehm), else the allocator's; valid after hl_heap_destroy. */
static void row_alloc_stats(const run_state *rs, hl_alloc_stats *out) {
    hl_heap_alloc_stats(rs->opt->collector, (hl_allocator *)&rs->allocator, out);
}

static void hook_at_peak(void *data, hl_heap *heap) {
    (void)heap;
    run_state *rs = data;
    hl_alloc_stats s;
    row_alloc_stats(rs, &s);
    if (s.resident_bytes > rs->resident_at_peak) rs->resident_at_peak = s.resident_bytes;
    rs->peak_sampled = true;
}

static void record_outcome(run_state *rs, hl_workload_status status, const char *message) {
    if (status == HL_WORKLOAD_OK || rs->status != HL_WORKLOAD_OK) return;
    rs->status = status;
    snprintf(rs->message, sizeof rs->message, "%s", message);
}

/* The workload's message, plus what made an allocation fail when heaplab made it. */
static void describe_failure(const run_state *rs, hl_workload_status status, const char *text,
                             char *out, size_t size) {
    const hl_allocator *a = &rs->allocator;
    if (status == HL_WORKLOAD_MEMORY_ERROR && a->fail_at != 0 && a->attempts >= a->fail_at)
        snprintf(out, size, "%.180s (injected failure of allocation %llu)", text,
                 (unsigned long long)a->fail_at);
    else if (status == HL_WORKLOAD_MEMORY_ERROR && a->limit_bytes != 0) {
        hl_alloc_stats s;
        row_alloc_stats(rs, &s);
        const char *own = hl_collector_own_allocator(rs->opt->collector);
        if (own != NULL && a->failures == 0) /* the collector's heap, not the bookkeeping */
            snprintf(out, size, "%.160s (heap limit %zu bytes on %s's heap: %zu bytes, %zu live)",
                     text, a->limit_bytes, own, s.resident_bytes, s.live_bytes);
        else
            snprintf(out, size, "%.180s (heap limit %zu bytes, %zu live)", text, a->limit_bytes,
                     s.live_bytes);
    } else
        snprintf(out, size, "%s", text);
}

/* What one iteration adds to the run's figures. */
typedef struct iteration_figures {
    double allocs, frees, leaked_objects, leaked_bytes;
    double minor_faults, major_faults;      /* sums over the timed parts */
    double peak_live_bytes, resident_bytes; /* maxima */
} iteration_figures;

static void run_benchmark(hl_bench_state *st, void *arg) {
    run_state *rs = arg;
    const hl_run_config *opt = rs->opt;
    iteration_figures fig = {0};
    hl_workload_status status = HL_WORKLOAD_OK;
    char message[256] = "";
    hl_stats_listener_reset(rs->stats);
    rs->bench = st;
    rs->clock_running = true; /* Google Benchmark's clock runs from the loop's start */
    rs->stopped_for_bookkeeping = false;
    hl_pause_log_clear(rs->pauses);
    hl_pause_log_set_recording(rs->pauses, true);
    hl_trace_set_recording(rs->trace, true);
    hl_run_pauses_begin_call(&rs->pause_record);
    bool kept_every_pause = true;
    hl_allocator *allocator = &rs->allocator;
    if (!rs->baseline_read) {
        /* Just before the first iteration: the allocator is made, nothing of the
         * workload is allocated yet. */
        rs->baseline_rss_bytes = hl_measure_rss_bytes();
        rs->baseline_read = true;
    }

    while (hl_bench_keep_running(st)) {
        clock_pause(rs);
        /* The warm allocator: nothing is live between iterations, so bump may start
         * over; the counts, the injected failure and the limit are this iteration's. */
        hl_allocator_rewind(allocator);
        hl_allocator_begin_iteration(allocator);
        rs->resident_at_peak = 0;
        rs->peak_sampled = false;
        size_t first_pause = hl_pause_log_count(rs->pauses);

        hl_heap_config config = {
            .collector = opt->collector,
            .allocator = allocator,
            .recursion_limit = (size_t)opt->recursion_limit,
            .thresholds = {opt->thresholds[0], opt->thresholds[1], opt->thresholds[2]},
            .growth_factor = opt->growth_factor,
            .lazy_sweep = opt->lazy_sweep,
            .fixed_heap = opt->heap_budget,
            .carry = &rs->carry,
            .listeners = {hl_stats_listener_events(rs->stats), hl_pause_log_events(rs->pauses),
                          &rs->clock_events,
                          /* NULL ends the list: the optional ones present, no gap */
                          rs->timeline ? hl_timeline_events(rs->timeline)
                                       : hl_trace_events(rs->trace),
                          rs->timeline ? hl_trace_events(rs->trace) : NULL},
        };
        hl_heap *heap = NULL;
        hl_status created = hl_heap_create(&config, &heap);
        if (created != HL_OK) {
            status = created == HL_MEMORY_ERROR ? HL_WORKLOAD_MEMORY_ERROR : HL_WORKLOAD_FAILED;
            snprintf(message, sizeof message, "%s: the heap could not be set up",
                     created == HL_MEMORY_ERROR ? "MemoryError" : "error");
        } else {
            hl_workload_ctx ctx = {
                .heap = heap,
                .size = opt->size,
                .seed = opt->seed,
                .collects_cycles = hl_workload_collects_cycles(opt->collector),
                .hooks = {.data = rs,
                          .pause = hook_pause,
                          .resume = hook_resume,
                          .at_peak = hook_at_peak},
            };
            uint64_t minor0, major0, minor1, major1;
            hl_measure_faults(&minor0, &major0);
            rs->timed = true;
            clock_resume(rs);
            hl_trace_begin_iteration(rs->trace, rs->pause_record.calls,
                                     rs->pause_record.run_max_count);
            /* timed: build the structure and drop it (the variant), */
            status = opt->variant->run(&ctx);
            if (!rs->peak_sampled) { /* ended early: sample now, off the clock */
                clock_pause(rs);
                hook_at_peak(rs, heap);
                clock_resume(rs);
            }
            /* then reclaim what was dropped (a full collection for the collectors that
             * collect; refcount's counts have freed it already). */
            hl_pause_log_set_tag(rs->pauses, PAUSE_RECLAIM);
            hl_trace_begin_reclaim(rs->trace);
            hl_heap_reclaim(heap);
            hl_trace_end_reclaim(rs->trace);
            hl_pause_log_set_tag(rs->pauses, PAUSE_PROGRAM);
            hl_trace_end_iteration(rs->trace);
            clock_pause(rs);
            rs->timed = false;
            hl_measure_faults(&minor1, &major1);
            kept_every_pause =
                hl_run_pauses_end_iteration(&rs->pause_record, rs->pauses, first_pause) &&
                kept_every_pause;
            fig.minor_faults += (double)(minor1 - minor0);
            fig.major_faults += (double)(major1 - major0);
            if (status != HL_WORKLOAD_OK)
                describe_failure(rs, status, ctx.message, message, sizeof message);
            /* Teardown, off the clock: the leak is counted, what is live is freed. */
            hl_heap_release(heap);
            /* The listener saw this heap's teardown: its leak figures are this heap's. */
            hl_gc_stats gc;
            hl_stats_listener_read(rs->stats, &gc);
            fig.leaked_objects += (double)gc.leaked_objects;
            fig.leaked_bytes += (double)gc.leaked_bytes;
        }
        hl_alloc_stats as;
        row_alloc_stats(rs, &as);
        fig.allocs += (double)as.allocs;
        fig.frees += (double)as.frees;
        if ((double)as.peak_bytes > fig.peak_live_bytes)
            fig.peak_live_bytes = (double)as.peak_bytes;
        if ((double)rs->resident_at_peak > fig.resident_bytes)
            fig.resident_bytes = (double)rs->resident_at_peak;
        clock_resume(rs);
        if (status != HL_WORKLOAD_OK) break;
    }

    hl_gc_stats gc;
    hl_stats_listener_read(rs->stats, &gc);
    double iterations = (double)hl_bench_iterations(st);
    if (iterations < 1) iterations = 1;
    /* The pause figures: the pauses inside the clock only. */
    uint64_t gc_time = /* a lazy sweep's steps are collector time, though no pauses */
        hl_pause_log_total_ns(rs->pauses, 0, HL_PAUSE_ANY_TAG) + hl_pause_log_sweep_ns(rs->pauses);
    uint64_t pause_total = hl_pause_log_total_ns(rs->pauses, 0, PAUSE_PROGRAM), p50 = 0, p99 = 0;
    size_t collections = hl_pause_log_tagged(rs->pauses, 0, PAUSE_PROGRAM);
    kept_every_pause = kept_every_pause && hl_pause_log_dropped(rs->pauses) == 0 &&
                       hl_pause_log_percentile_ns(rs->pauses, 0, PAUSE_PROGRAM, 0.50, &p50) &&
                       hl_pause_log_percentile_ns(rs->pauses, 0, PAUSE_PROGRAM, 0.99, &p99);
    if (!kept_every_pause) rs->out_of_memory = true;
    hl_run_pauses_end_call(&rs->pause_record);
    hl_result_row *own = &rs->own;
    own->peak_rss_bytes = (double)hl_measure_peak_rss_bytes();
    /* The allocator's exact peak of requested bytes, or the heap's own accounting
     * (sampled every HL_TICK_BYTES and at collections) when that is higher: it is when
     * the collector serves the objects from its own memory (boehm). */
    own->peak_live_bytes = fig.peak_live_bytes > (double)gc.peak_live_bytes
                               ? fig.peak_live_bytes
                               : (double)gc.peak_live_bytes;
    own->allocator_resident_bytes = fig.resident_bytes;
    own->baseline_rss_bytes = (double)rs->baseline_rss_bytes;
    own->gc_time_ns = (double)gc_time / iterations;
    own->mutator_time_ns = 0; /* a skipped run has no time */
    own->minor_faults = fig.minor_faults / iterations;
    own->major_faults = fig.major_faults / iterations;
    own->allocs = fig.allocs / iterations;
    own->frees = fig.frees / iterations;
    own->gc_collections = (double)collections / iterations;
    own->gc_pause_total_ns = (double)pause_total / iterations;
    own->gc_pause_max_ns = hl_run_pauses_median_max(&rs->pause_record);
    own->gc_pause_p50_ns = (double)p50;
    own->gc_pause_p99_ns = (double)p99;
    own->objects_collected = (double)gc.objects_collected / iterations;
    own->leaked_objects = fig.leaked_objects / iterations;
    own->leaked_bytes = fig.leaked_bytes / iterations;
    /* The same figures as counters; time comes from Google Benchmark itself. Sums are
     * set with AVG_ITERATIONS so the reported value is per iteration. */
    const int avg = HL_COUNTER_AVG_ITERATIONS;
    hl_bench_set_counter(st, "gc_time_ns", (double)gc_time, avg);
    hl_bench_set_counter(st, "peak_rss_bytes", own->peak_rss_bytes, 0);
    hl_bench_set_counter(st, "baseline_rss_bytes", own->baseline_rss_bytes, 0);
    hl_bench_set_counter(st, "peak_live_bytes", own->peak_live_bytes, 0);
    hl_bench_set_counter(st, "allocator_resident_bytes", own->allocator_resident_bytes, 0);
    hl_bench_set_counter(st, "minor_faults", fig.minor_faults, avg);
    hl_bench_set_counter(st, "major_faults", fig.major_faults, avg);
    hl_bench_set_counter(st, "allocs", fig.allocs, avg);
    hl_bench_set_counter(st, "frees", fig.frees, avg);
    hl_bench_set_counter(st, "gc_collections", (double)collections, avg);
    hl_bench_set_counter(st, "gc_pause_total_ns", (double)pause_total, avg);
    hl_bench_set_counter(st, "gc_pause_max_ns", own->gc_pause_max_ns, 0);
    hl_bench_set_counter(st, "gc_pause_p50_ns", own->gc_pause_p50_ns, 0);
    hl_bench_set_counter(st, "gc_pause_p99_ns", own->gc_pause_p99_ns, 0);
    hl_bench_set_counter(st, "objects_collected", (double)gc.objects_collected, avg);
    hl_bench_set_counter(st, "leaked_objects", fig.leaked_objects, avg);
    hl_bench_set_counter(st, "leaked_bytes", fig.leaked_bytes, avg);
    hl_bench_set_label(st, hl_workload_status_name(status));
    if (status != HL_WORKLOAD_OK) {
        record_outcome(rs, status, message);
        hl_bench_skip_with_error(st, message);
    }
}

/* The row's figures: medians over the repetitions, and the spreads compare reads. */
static bool build_row(const run_state *rs, hl_result_row *row) {
    double *values = calloc(rs->reported.count + 1, sizeof *values);
    if (values == NULL) return false;
    size_t k = hl_reported_values(&rs->reported, "real_time_ns", values);
    row->repetitions = (int)k;
    row->real_time_ns_stddev = hl_measure_stddev(values, k);
    k = hl_reported_values(&rs->reported, "peak_rss_bytes", values);
    row->peak_rss_bytes_stddev = hl_measure_stddev(values, k);
#define HL_ROW_MEDIAN(field)                                                                       \
    k = hl_reported_values(&rs->reported, #field, values);                                         \
    row->field = hl_measure_median(values, k);
    HL_RESULT_FIGURES(HL_ROW_MEDIAN)
#undef HL_ROW_MEDIAN
    free(values);
    if (rs->status != HL_WORKLOAD_OK) {
        /* Google Benchmark reported no figures for the skipped runs: take heaplab's own
         * (time stays 0: an interrupted run has no meaningful time). */
#define HL_ROW_OWN(field)                                                                          \
    if (strcmp(#field, "real_time_ns") != 0 && strcmp(#field, "cpu_time_ns") != 0 &&               \
        strcmp(#field, "mutator_time_ns") != 0)                                                    \
        row->field = rs->own.field;
        HL_RESULT_FIGURES(HL_ROW_OWN)
#undef HL_ROW_OWN
    }
    return true;
}

typedef struct json_job {
    const run_state *rs;
    const hl_result_row *row;
} json_job;

/* A reported run as the results' JSON entry (the strings stay the run's). */
static void json_entry_of(const hl_bench_result *run, hl_results_entry *e) {
    memset(e, 0, sizeof *e);
    e->name = run->name;
    e->run_name = run->run_name;
    e->is_aggregate = run->is_aggregate;
    e->aggregate_name = run->aggregate_name;
    e->repetitions = run->repetitions;
    e->repetition_index = run->repetition_index;
    e->iterations = run->iterations;
    e->real_time = run->real_time_ns;
    e->cpu_time = run->cpu_time_ns;
    e->time_unit = "ns";
    e->error_occurred = run->error_occurred;
    e->error_message = run->error_message;
    e->label = run->label;
    for (size_t i = 0; i < run->counter_count && i < HL_BENCH_MAX_COUNTERS &&
                       e->counter_count < HL_RESULTS_MAX_COUNTERS;
         i++) {
        e->counters[e->counter_count].name = run->counters[i].name;
        e->counters[e->counter_count++].value = run->counters[i].value;
    }
}

static bool write_json(FILE *out, void *data) {
    const json_job *job = data;
    const hl_run_config *opt = job->rs->opt;
    char workload[160];
    snprintf(workload, sizeof workload, "%s/%s", opt->workload->name, opt->variant->name);
    const char *version = opt->allocator->version ? opt->allocator->version() : NULL;
    json_t *doc = hl_results_json_new();
    bool ok =
        doc != NULL &&
        hl_results_json_set_context(doc, "heaplab_workload", hl_results_json_text(workload)) &&
        hl_results_json_set_context(doc, "heaplab_size", json_integer((json_int_t)opt->size)) &&
        hl_results_json_set_context(doc, "heaplab_allocator",
                                    hl_results_json_text(opt->allocator->name)) &&
        hl_results_json_set_context(doc, "heaplab_allocator_version",
                                    hl_results_json_text(version ? version : "")) &&
        hl_results_json_set_context(doc, "heaplab_collector",
                                    hl_results_json_text(hl_collector_name(opt->collector))) &&
        hl_results_json_set_context(doc, "heaplab_status", hl_results_json_text(job->row->status));
    for (size_t r = 0; ok && r < job->rs->reported.count; r++) {
        hl_results_entry entry;
        json_entry_of(&job->rs->reported.runs[r].result, &entry);
        ok = hl_results_json_add_entry(doc, &entry, job->row);
    }
    ok = ok && hl_results_json_dump(doc, out);
    json_decref(doc);
    return ok;
}

static bool write_row(FILE *out, void *data) {
    hl_results_write_csv_header(out);
    hl_results_write_csv_row(out, data);
    return !ferror(out);
}

static void print_summary(FILE *out, const hl_result_row *row, const run_state *rs) {
    char a[32], b[32], c[32], d[32];
    fprintf(out, "\nheaplab run: %s n=%llu, allocator %s, collector %s\n", row->workload,
            (unsigned long long)row->size, row->allocator, row->collector);
    fprintf(out, "  status        %s%s%s\n", row->status, row->error[0] ? ": " : "", row->error);
    if (rs->reported.count == 0) return;
    hl_measure_format_ns(row->real_time_ns, a, sizeof a);
    hl_measure_format_ns(row->cpu_time_ns, b, sizeof b);
    fprintf(out, "  time          %s real, %s cpu per run (median of %d)\n", a, b,
            row->repetitions);
    hl_measure_format_ns(row->gc_time_ns, a, sizeof a);
    hl_measure_format_ns(row->mutator_time_ns, b, sizeof b);
    hl_measure_format_ns(row->gc_time_ns - row->gc_pause_total_ns, c, sizeof c);
    fprintf(out, "  split         %s collector (%s of it the reclaim step), %s mutator per run\n",
            a, c, b);
    hl_measure_format_bytes(row->peak_rss_bytes, a, sizeof a);
    hl_measure_format_bytes(row->peak_live_bytes, b, sizeof b);
    hl_measure_format_bytes(row->allocator_resident_bytes, c, sizeof c);
    fprintf(out, "  memory        peak RSS %s, peak live %s, allocator resident %s\n", a, b, c);
    hl_measure_format_bytes(row->baseline_rss_bytes, a, sizeof a);
    fprintf(out, "  process       baseline RSS %s, %.0f minor and %.0f major faults per run\n", a,
            row->minor_faults, row->major_faults);
    fprintf(out, "  allocations   %.0f allocs, %.0f frees\n", row->allocs, row->frees);
    hl_measure_format_ns(row->gc_pause_total_ns, a, sizeof a);
    hl_measure_format_ns(row->gc_pause_p50_ns, b, sizeof b);
    hl_measure_format_ns(row->gc_pause_p99_ns, c, sizeof c);
    hl_measure_format_ns(row->gc_pause_max_ns, d, sizeof d);
    fprintf(out, "  collections   %.0f, pauses total %s, p50 %s, p99 %s, max %s\n",
            row->gc_collections, a, b, c, d);
    hl_measure_format_bytes(row->leaked_bytes, a, sizeof a);
    fprintf(out, "  objects       %.0f collected, %.0f leaked (%s)\n", row->objects_collected,
            row->leaked_objects, a);
}

/* "-" as an output file is stdout. */
static bool write_output(const char *path, bool (*write)(FILE *, void *), void *data) {
    if (strcmp(path, "-") != 0) return hl_results_write_atomic(path, write, data);
    return write(stdout, data) && fflush(stdout) == 0;
}

/* Whether stdout carries a machine format only (docs/cli.md, "stdout"): the JSON or the
 * row written to "-", or Google Benchmark's display as JSON or CSV. Then the human
 * summary goes to stderr; with "-", Google Benchmark's display does too. Read before
 * hl_bench_initialize takes the flags out of bench_argv. */
static bool stdout_is_machine(const hl_run_config *opt, int bench_argc, char **bench_argv) {
    if ((opt->json_path && strcmp(opt->json_path, "-") == 0) ||
        (opt->row_path && strcmp(opt->row_path, "-") == 0))
        return true;
    for (int i = 1; i < bench_argc; i++)
        if (strcmp(bench_argv[i], "--benchmark_format=json") == 0 ||
            strcmp(bench_argv[i], "--benchmark_format=csv") == 0)
            return true;
    return false;
}

static hl_run_outcome setup_error(char *error, size_t error_size, const char *what,
                                  const char *name, const char *why) {
    snprintf(error, error_size, "run: %s %s: %s", what, name, why ? why : "unknown reason");
    return HL_RUN_SETUP_ERROR;
}

hl_run_outcome hl_run_configuration(const hl_run_config *config, char **process_argv,
                                    int bench_argc, char **bench_argv, hl_workload_status *status,
                                    char *error, size_t error_size) {
    const hl_run_config *opt = config;
    *status = HL_WORKLOAD_OK;
    error[0] = '\0';
    /* jemalloc and mimalloc must be in the process before anything allocates much:
     * this may re-execute heaplab with LD_PRELOAD, with the same command line. */
    const char *why = NULL;
    if (!hl_allocator_prepare_process(opt->allocator, process_argv, &why))
        return setup_error(error, error_size, "allocator", opt->allocator->name, why);

    /* A collector that brings its own heap (boehm) sets up the process once, here on
     * the main thread. */
    if (!hl_collector_prepare_process(opt->collector, &why))
        return setup_error(error, error_size, "collector", hl_collector_name(opt->collector), why);

    bool machine = stdout_is_machine(opt, bench_argc, bench_argv);
    bool dash = (opt->json_path && strcmp(opt->json_path, "-") == 0) ||
                (opt->row_path && strcmp(opt->row_path, "-") == 0);
    /* Google Benchmark sees only its own flags; anything it does not recognise is an
     * unknown option. */
    hl_bench_initialize(&bench_argc, bench_argv);
    if (bench_argc > 1) {
        snprintf(error, error_size, "run: unknown Google Benchmark flag '%s'", bench_argv[1]);
        return HL_RUN_USAGE_ERROR;
    }

    /* ONE allocator instance for the whole process, made before it is measured (a
     * failure here is the machine's, not a result) and reused, warm, by every
     * iteration; the heap limit and the injected failure apply per iteration. */
    run_state rs = {.opt = opt};
    if (!hl_allocator_init(&rs.allocator, opt->allocator, &why))
        return setup_error(error, error_size, "allocator", opt->allocator->name, why);
    rs.allocator.limit_bytes = (size_t)opt->heap_limit;
    rs.allocator.fail_at = opt->fail_alloc_at;
    rs.clock_events = (hl_event_listener){.data = &rs,
                                          .bookkeeping_start = clock_bookkeeping_start,
                                          .collection_end = clock_collection_end};
    rs.stats = hl_stats_listener_new();
    rs.pauses = hl_pause_log_new();
    rs.pause_record = (hl_run_pauses){.program_tag = PAUSE_PROGRAM,
                                      .reclaim_tag = PAUSE_RECLAIM,
                                      .keep_all = opt->pauses_path != NULL};
    if (rs.stats == NULL || rs.pauses == NULL) {
        hl_stats_listener_free(rs.stats);
        hl_pause_log_free(rs.pauses);
        hl_allocator_fini(&rs.allocator);
        return setup_error(error, error_size, "harness", "listener", "out of memory");
    }
    if ((opt->timeline_path != NULL && (rs.timeline = hl_timeline_new()) == NULL) ||
        (opt->trace_path != NULL && (rs.trace = hl_trace_new(HL_TRACE_MAX_EVENTS)) == NULL)) {
        hl_timeline_free(rs.timeline);
        hl_stats_listener_free(rs.stats);
        hl_pause_log_free(rs.pauses);
        hl_allocator_fini(&rs.allocator);
        return setup_error(error, error_size, "harness", "timeline or trace", "out of memory");
    }

    hl_result_row row;
    memset(&row, 0, sizeof row);
    snprintf(row.runtime, sizeof row.runtime, "heaplab");
    snprintf(row.workload, sizeof row.workload, "%s/%s", opt->workload->name, opt->variant->name);
    /* The allocator column names what serves the objects: the collector's own
     * allocator when it has one (boehm: "bdwgc"; --allocator then serves only the
     * heap's bookkeeping), else the allocator under test, by its label (preload:PATH:
     * the library's file name). */
    const char *own = hl_collector_own_allocator(opt->collector);
    snprintf(row.allocator, sizeof row.allocator, "%s",
             own ? own : hl_allocator_label(opt->allocator));
    snprintf(row.collector, sizeof row.collector, "%s", hl_collector_name(opt->collector));
    row.size = opt->size;
    row.heap_factor = opt->heap_factor;
    row.heap_limit = opt->heap_budget ? opt->heap_limit : 0;
    char name[256];
    hl_results_config_name(&row, name, sizeof name);

    hl_bench_register(name, run_benchmark, &rs, &opt->bench);
    fflush(stdout);
    /* With "-", Google Benchmark's display (std::cout, synchronised with stdio) goes to
     * stderr for the run: stdout is the file's. */
    int saved_stdout = dash ? dup(STDOUT_FILENO) : -1;
    if (saved_stdout >= 0) dup2(STDERR_FILENO, STDOUT_FILENO);
    size_t ran = hl_bench_run(hl_reported_add, &rs.reported);
    if (rs.reported.out_of_memory) rs.out_of_memory = true;
    fflush(stdout);
    if (saved_stdout >= 0) {
        dup2(saved_stdout, STDOUT_FILENO);
        close(saved_stdout);
    }
    hl_allocator_fini(&rs.allocator);

    if (!build_row(&rs, &row)) rs.out_of_memory = true;
    snprintf(row.status, sizeof row.status, "%s", hl_workload_status_name(rs.status));
    snprintf(row.error, sizeof row.error, "%s", rs.message);
    *status = rs.status;
    hl_run_outcome outcome = HL_RUN_DONE;
    if (ran == 0 || rs.reported.count == 0) {
        snprintf(row.status, sizeof row.status, "%s", HL_STATUS_FAILED);
        if (hl_bench_error() != NULL)
            snprintf(row.error, sizeof row.error, "Google Benchmark: %.200s", hl_bench_error());
        else
            snprintf(row.error, sizeof row.error, "no benchmark ran (a --benchmark_filter?)");
        outcome = HL_RUN_FAILED;
    }
    if (rs.out_of_memory) {
        snprintf(row.status, sizeof row.status, "%s", HL_STATUS_FAILED);
        snprintf(row.error, sizeof row.error, "out of memory while recording the results");
        outcome = HL_RUN_FAILED;
    }
    print_summary(machine ? stderr : stdout, &row, &rs);
    fflush(machine ? stderr : stdout);
    if (rs.status != HL_WORKLOAD_OK || outcome != HL_RUN_DONE)
        snprintf(error, error_size, "run: %s: %s", row.status, row.error);

    json_job job = {&rs, &row};
    const char *unwritten = NULL;
    if (opt->json_path != NULL && !write_output(opt->json_path, write_json, &job))
        unwritten = opt->json_path;
    if (opt->row_path != NULL && !write_output(opt->row_path, write_row, &row))
        unwritten = opt->row_path;
    if (rs.timeline != NULL && !hl_timeline_write(rs.timeline, opt->timeline_path))
        unwritten = opt->timeline_path;
    if (opt->pauses_path != NULL &&
        !hl_results_write_atomic(opt->pauses_path, hl_run_pauses_write, &rs.pause_record))
        unwritten = opt->pauses_path;
    if (rs.trace != NULL && !hl_trace_write(rs.trace, opt->trace_path, name))
        unwritten = opt->trace_path;
    if (unwritten != NULL) {
        snprintf(error, error_size, "run: cannot write %s", unwritten);
        outcome = HL_RUN_FAILED;
    }

    if (rs.timeline != NULL) hl_timeline_free(rs.timeline);
    hl_trace_free(rs.trace);
    hl_stats_listener_free(rs.stats);
    hl_pause_log_free(rs.pauses);
    hl_run_pauses_free(&rs.pause_record);
    hl_reported_free(&rs.reported);
    return outcome;
}
