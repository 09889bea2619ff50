/* heaplab results: the schema that runs write and batches, charts, reports and
 * compare read. The column names are DESIGN.md's, spelled exactly as there; this
 * file is the one place that lists them.
 *
 * A configuration's figures travel as an hl_result_row:
 * - `heaplab run --row FILE` writes FILE as CSV: the header line, then one row.
 * - a batch's results.csv is the same header and one row per configuration.
 * - Google Benchmark JSON (`heaplab run --json FILE`, a batch's results.json) is
 *   written by hl_results_write_json_*: every benchmark entry on ONE line, so a batch
 *   merges its children's entries by copying lines (hl_results_copy_json_entries).
 */
#ifndef HEAPLAB_BENCH_RESULTS_H
#define HEAPLAB_BENCH_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/harness/gbench.h"

/* status column values */
#define HL_STATUS_OK "ok"
#define HL_STATUS_MEMORY_ERROR "memory_error"
#define HL_STATUS_RECURSION_ERROR "recursion_error"
#define HL_STATUS_CRASHED "crashed"
#define HL_STATUS_TIMEOUT "timeout"
#define HL_STATUS_FAILED "failed" /* the workload's result check failed: a heaplab bug */

/* The numeric figures, in schema order. X(name) */
#define HL_RESULT_FIGURES(X)                                                                 \
    X(real_time_ns)                                                                          \
    X(cpu_time_ns)                                                                           \
    X(peak_rss_bytes)                                                                        \
    X(peak_live_bytes)                                                                       \
    X(allocator_resident_bytes)                                                              \
    X(allocs)                                                                                \
    X(frees)                                                                                 \
    X(gc_collections)                                                                        \
    X(gc_pause_total_ns)                                                                     \
    X(gc_pause_max_ns)                                                                       \
    X(gc_pause_p50_ns)                                                                       \
    X(gc_pause_p99_ns)                                                                       \
    X(objects_collected)                                                                     \
    X(leaked_objects)                                                                        \
    X(leaked_bytes)

typedef struct hl_result_row {
    /* identity of the configuration */
    char runtime[32];   /* "heaplab" (or a reference runtime such as "cpython-3.11") */
    char workload[64];  /* "large_list/range" */
    char allocator[32];
    char collector[32];
    uint64_t size;
    int repetitions;
    /* figures: medians over the repetitions (time per iteration) */
#define HL_RESULT_FIELD(name) double name;
    HL_RESULT_FIGURES(HL_RESULT_FIELD)
#undef HL_RESULT_FIELD
    /* spread of the repetitions, for compare */
    double real_time_ns_stddev;
    double peak_rss_bytes_stddev;
    char status[24];
    char error[256]; /* one line, empty when ok */
} hl_result_row;

/* CSV: identity columns, the figures, the spreads, status, error. */
void hl_results_write_csv_header(FILE *out);
void hl_results_write_csv_row(FILE *out, const hl_result_row *row);
/* Read every row of a results CSV. Returns false (and *error, one line) when the
 * file is missing, unreadable or not a heaplab results file. *rows is malloc'd. */
bool hl_results_read_csv(const char *path, hl_result_row **rows, size_t *count,
                         char *error, size_t error_size);

/* Google Benchmark JSON. The context block carries `context_extra` (already-formatted
 * JSON members, may be NULL) next to date, host_name, num_cpus, mhz_per_cpu,
 * library_build_type, as Google Benchmark writes them. */
void hl_results_write_json_begin(FILE *out, const char *context_extra);
/* One entry per reported run of a configuration (repetitions and aggregates), with the
 * schema's counters and "status"; error_occurred/error_message when not ok. */
void hl_results_write_json_entry(FILE *out, bool *first, const hl_bench_result *run,
                                 const hl_result_row *row);
/* One entry for a configuration that produced no Google Benchmark run (crashed,
 * timeout): error_occurred true, the row's status and error. */
void hl_results_write_json_failed_entry(FILE *out, bool *first, const hl_result_row *row);
/* Copy the benchmark entries of another heaplab JSON file (one per line). */
bool hl_results_copy_json_entries(FILE *out, bool *first, const char *path);
void hl_results_write_json_end(FILE *out);

/* Write `path` atomically: the callback writes to a temporary file in the same
 * folder, which is renamed over `path` only when complete. */
bool hl_results_write_atomic(const char *path, bool (*write)(FILE *out, void *data),
                             void *data);

/* The configuration's benchmark name, "workload/size/allocator/collector". */
void hl_results_config_name(const hl_result_row *row, char *out, size_t out_size);

/* ---- additions (helper-4): helpers for batch, plot, report and compare ---- */

/* A JSON string literal (quoted and escaped) / a JSON number (null when not finite). */
void hl_results_write_json_string(FILE *out, const char *s);
void hl_results_write_json_number(FILE *out, double v);
/* The schema's figures by index, in HL_RESULT_FIGURES order. A figure that was not
 * measured is NaN (an empty CSV field). */
size_t hl_results_figure_count(void);
const char *hl_results_figure_name(size_t index);
double hl_results_figure(const hl_result_row *row, size_t index);
/* Index of the figure called `name`, or -1. */
int hl_results_figure_index(const char *name);
/* An empty row: identity blank, runtime "heaplab", every figure and spread NaN. */
void hl_results_row_init(hl_result_row *row);

#endif
