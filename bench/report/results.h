/* heaplab results: the schema that runs write and batches, charts, reports and
 * compare read. The column names are DESIGN.md's, spelled exactly as there; this
 * file is the one place that lists them.
 *
 * A configuration's figures travel as an hl_result_row:
 * - `heaplab run --row FILE` writes FILE as CSV: the header line, then one row.
 * - a batch's results.csv is the same header and one row per configuration.
 * - Google Benchmark JSON (`heaplab run --json FILE`, a batch's results.json) is a
 *   jansson document built by hl_results_json_*; a batch merges its children's files
 *   by parsing them (hl_results_json_append_file), whatever their layout.
 */
#ifndef HEAPLAB_BENCH_RESULTS_H
#define HEAPLAB_BENCH_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* status column values */
#define HL_STATUS_OK "ok"
#define HL_STATUS_MEMORY_ERROR "memory_error"
#define HL_STATUS_RECURSION_ERROR "recursion_error"
#define HL_STATUS_CRASHED "crashed"
#define HL_STATUS_TIMEOUT "timeout"
#define HL_STATUS_FAILED "failed" /* the workload's result check failed: a heaplab bug */

/* The numeric figures, in schema order. X(name) */
#define HL_RESULT_FIGURES(X)                                                                       \
    X(real_time_ns)                                                                                \
    X(cpu_time_ns)                                                                                 \
    X(gc_time_ns)                                                                                  \
    X(mutator_time_ns)                                                                             \
    X(peak_rss_bytes)                                                                              \
    X(baseline_rss_bytes)                                                                          \
    X(peak_live_bytes)                                                                             \
    X(allocator_resident_bytes)                                                                    \
    X(minor_faults)                                                                                \
    X(major_faults)                                                                                \
    X(allocs)                                                                                      \
    X(frees)                                                                                       \
    X(gc_collections)                                                                              \
    X(gc_pause_total_ns)                                                                           \
    X(gc_pause_max_ns)                                                                             \
    X(gc_pause_p50_ns)                                                                             \
    X(gc_pause_p99_ns)                                                                             \
    X(objects_collected)                                                                           \
    X(leaked_objects)                                                                              \
    X(leaked_bytes)

/* The figures that carry a 95% confidence interval of their median over a batch's
 * invocations (columns <name>_ci_low, <name>_ci_high), one X per figure. */
#define HL_RESULT_INTERVALS(X)                                                                     \
    X(real_time_ns)                                                                                \
    X(cpu_time_ns)                                                                                 \
    X(gc_time_ns)                                                                                  \
    X(mutator_time_ns)                                                                             \
    X(peak_rss_bytes)                                                                              \
    X(peak_live_bytes)                                                                             \
    X(allocator_resident_bytes)
#define HL_RESULT_COUNT_ONE(name) +1
enum { HL_RESULT_INTERVAL_COUNT = 0 HL_RESULT_INTERVALS(HL_RESULT_COUNT_ONE) };
#undef HL_RESULT_COUNT_ONE

typedef struct hl_result_row {
    /* identity of the configuration */
    char runtime[32];  /* "heaplab" (or a reference runtime such as "cpython-3.11") */
    char workload[64]; /* "large_list/range" */
    char allocator[32];
    char collector[32];
    uint64_t size;
    /* A time-space run's heap: the budget (--heap-limit) as a factor of the
     * configuration's minimum heap (batch --heap-factors), and the budget in bytes.
     * 0: none (the default guard, not a budget). heap_limit is set whenever the run had
     * a budget; heap_factor only in a time-space sweep. */
    double heap_factor;
    uint64_t heap_limit;
    int repetitions;
    /* figures: medians over the repetitions (time per iteration) */
#define HL_RESULT_FIELD(name) double name;
    HL_RESULT_FIGURES(HL_RESULT_FIELD)
#undef HL_RESULT_FIELD
    /* spread of the repetitions, for compare */
    double real_time_ns_stddev;
    double peak_rss_bytes_stddev;
    /* 95% confidence intervals of the medians over a batch's invocations, in
     * HL_RESULT_INTERVALS order (NAN: none, e.g. one invocation) */
    double ci_low[HL_RESULT_INTERVAL_COUNT], ci_high[HL_RESULT_INTERVAL_COUNT];
    char status[24];
    char error[256]; /* one line, empty when ok */
    /* The machine the configuration ran on (gethostname; a batch sets it on every row it
     * records, so that a merged folder's rows keep their host): "" when unknown. */
    char host[64];
} hl_result_row;

/* CSV: identity columns, the figures, the spreads, status, error, host (last, so that
 * a reader that predates it still finds every column where it was). */
void hl_results_write_csv_header(FILE *out);
void hl_results_write_csv_row(FILE *out, const hl_result_row *row);
/* Read every row of a results CSV. Returns false (and *error, one line) when the
 * file is missing, unreadable or not a heaplab results file. *rows is malloc'd. */
bool hl_results_read_csv(const char *path, hl_result_row **rows, size_t *count, char *error,
                         size_t error_size);

/* ---- Google Benchmark JSON, through jansson ---- */

/* One benchmark entry as Google Benchmark's JSON reporter writes it: what the harness
 * reports for each repetition and aggregate (bench/harness/run.c converts its runs). */
#define HL_RESULTS_MAX_COUNTERS 32
typedef struct hl_results_counter {
    const char *name;
    double value;
} hl_results_counter;

typedef struct hl_results_entry {
    const char *name;           /* with its /repeats: or _mean suffixes */
    const char *run_name;       /* without the aggregate suffix; NULL: name */
    bool is_aggregate;          /* run_type "aggregate", else "iteration" */
    const char *aggregate_name; /* "mean", "median", "stddev", "cv" */
    int64_t repetitions;
    int64_t repetition_index; /* iterations only */
    int64_t iterations;
    double real_time; /* per iteration, in time_unit; for "cv" a fraction */
    double cpu_time;
    const char *time_unit; /* NULL: "ns" */
    bool error_occurred;
    const char *error_message;
    const char *label; /* NULL or "": none */
    size_t counter_count;
    hl_results_counter counters[HL_RESULTS_MAX_COUNTERS];
} hl_results_entry;

/* A new document: {"context": {date, host_name, executable, num_cpus, mhz_per_cpu,
 * cpu_scaling_enabled, caches, load_avg, library_build_type}, "benchmarks": []}, as
 * Google Benchmark writes them. NULL when out of memory; json_decref it. */
json_t *hl_results_json_new(void);
/* Add `key` to the context (after the standard members); steals `value`. */
bool hl_results_json_set_context(json_t *doc, const char *key, json_t *value);
/* Append one entry (repetition or aggregate) with its counters and, given the row, the
 * schema's figures the entry did not count (repetitions only), then runtime, workload,
 * size, allocator, collector and status; error_occurred/error_message when set. */
bool hl_results_json_add_entry(json_t *doc, const hl_results_entry *entry,
                               const hl_result_row *row);
/* Append one entry for a configuration that produced no Google Benchmark run (crashed,
 * timeout): error_occurred true, the row's status and error, its measured figures. */
bool hl_results_json_add_failed_entry(json_t *doc, const hl_result_row *row);
/* Append the "benchmarks" entries of another Google Benchmark JSON file, whatever its
 * layout. False (and *error, one line) when the file is unreadable, not JSON, or has
 * no "benchmarks" array of objects: nothing is appended then. *appended (may be NULL)
 * receives the number of entries appended (0 for an empty array). */
bool hl_results_json_append_file(json_t *doc, const char *path, size_t *appended, char *error,
                                 size_t error_size);
/* Write a document (JSON_INDENT(2), members in the order they were set, a final line
 * break): the callback body for hl_results_write_atomic. */
bool hl_results_json_dump(const json_t *doc, FILE *out);

/* Read the JSON file `path` with jansson (`flags`: json_load* flags). NULL on failure,
 * with *error one line ("PATH: No such file or directory", "PATH:3:14: reason") and
 * *read_errno (may be NULL) the errno when the file could not be opened or read, 0 when
 * it is not JSON. */
json_t *hl_results_json_load(const char *path, size_t flags, int *read_errno, char *error,
                             size_t error_size);
/* A JSON string of `s` (NULL: ""); bytes that are not UTF-8 become '?', so that any
 * text (a log's last line) makes a valid file. NULL only when out of memory. */
json_t *hl_results_json_text(const char *s);
/* A JSON number; JSON has no NaN or infinity, so those are null. */
json_t *hl_results_json_number(double v);

/* Write `path` atomically: the callback writes to a temporary file in the same
 * folder (created exclusively, never through a link), which is renamed over `path`
 * only when complete; a symbolic link at `path` is replaced, its target untouched.
 * When `path` is a FIFO or a device, the callback writes into it instead (a FIFO
 * without a reader is an error, never a wait): it is never replaced. */
bool hl_results_write_atomic(const char *path, bool (*write)(FILE *out, void *data), void *data);

/* The file stem of a configuration's files in a batch's runs/ ("large_list-range_1000_libc_refcount",
 * "_h1.25" after it in a time-space sweep): the one spelling bench/batch/plan.c names
 * them by and every reader of runs/ finds them by. */
void hl_results_slug(const char *workload, uint64_t size, const char *allocator,
                     const char *collector, double heap_factor, char *out, size_t out_size);
void hl_results_row_slug(const hl_result_row *row, char *out, size_t out_size);

/* The configuration's benchmark name, "workload/size/allocator/collector", with
 * "/heap:Fx" after it in a time-space sweep (heap_factor F). */
void hl_results_config_name(const hl_result_row *row, char *out, size_t out_size);

/* ---- additions (helper-4): helpers for batch, plot, report and compare ---- */

/* The schema's figures by index, in HL_RESULT_FIGURES order. A figure that was not
 * measured is NaN (an empty CSV field). */
size_t hl_results_figure_count(void);
const char *hl_results_figure_name(size_t index);
double hl_results_figure(const hl_result_row *row, size_t index);
/* Where figure `index` lives in the row (index < hl_results_figure_count()). */
double *hl_results_figure_slot(hl_result_row *row, size_t index);
/* Index of the figure called `name`, or -1. */
int hl_results_figure_index(const char *name);
/* The figures with intervals: how many (HL_RESULT_INTERVAL_COUNT), and interval i's
 * figure index (for hl_results_figure). */
size_t hl_results_interval_count(void);
size_t hl_results_interval_figure(size_t i);
/* An empty row: identity blank, runtime "heaplab", every figure and spread NaN. */
void hl_results_row_init(hl_result_row *row);
/* This machine's name as rows and manifests record it (gethostname), "unknown" when it
 * has none. */
void hl_results_this_host(char *out, size_t size);

#endif
