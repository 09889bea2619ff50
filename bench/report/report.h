/* heaplab report: the results folder as a model, and the views drawn from it.
 *
 * This room sits below batch and harness: it knows the results schema
 * (bench/report/results.h), reads and writes a results folder's files, draws the charts
 * (plot.c and one chart_*.c per chart kind), writes report.html (report.c) and
 * compares folders (compare.c, compare_stats.c, compare_format.c). It never calls the batch runner: a batch asks it to
 * draw, and `heaplab plot` and `heaplab compare` (bench/cli/) call it directly.
 *
 * A results folder (docs/batch.md):
 *   batch.json      the batch's own arguments (what --resume re-reads)
 *   manifest.json   machine, build, versions, arguments
 *   runs/           per configuration: <slug>.csv (its row: the "finished" mark),
 *                   <slug>.json (its Google Benchmark JSON), <slug>.log (its output),
 *                   per invocation <slug>.i<k>.pauses.csv (its pauses: the pause chart's)
 *   timelines/      <workload>-<collector>.dat: live bytes over one run per collector
 *   results.csv     one row per configuration (bench/report/results.h's columns)
 *   results.json    Google Benchmark JSON of every configuration
 *   charts/         PNG and SVG charts, charts/data/ their data files
 *   report.html     one page: charts, summary, failures, manifest
 */
#ifndef HEAPLAB_BENCH_REPORT_REPORT_H
#define HEAPLAB_BENCH_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "bench/report/results.h"
#include "collectors/collector.h"

/* snprintf, without the compiler's truncation guesses: every caller either checks the
 * result or accepts a cut message. */
int hl_report_fmt(char *out, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- a results folder ---- */

/* Every row of DIR/results.csv; false (and *error, one line) when DIR is not a results
 * folder or the file is unreadable. *not_a_folder (may be NULL) tells the two apart:
 * true when DIR is no results folder at all (a usage error for the commands). */
bool hl_report_load_results(const char *dir, hl_result_row **rows, size_t *count, char *error,
                            size_t error_size);
/* Whether DIR/results.csv exists but cannot be read (an error of the machine, not of the
 * command line). */
bool hl_report_results_unreadable(const char *dir);

/* A reference row: a real-world runtime or collector drawn as a reference line, not
 * as a heaplab configuration: a runtime other than heaplab (CPython's rows), or a
 * collector that brings its own allocator (boehm on bdwgc). */
bool hl_report_is_reference_row(const hl_result_row *row);

/* The heaplab collector that models a reference row (its hl_collector_ops.reference
 * names the row's runtime, "cpython", or its collector, "boehm"), or NULL. */
const hl_collector_ops *hl_report_model_of(const hl_result_row *row);
/* The allocator that ratios and per-collector charts are taken against: the
 * registry's first (heaplab run's default). */
const char *hl_report_baseline_allocator(void);

/* ---- charts (plot.c) and the report page (report.c) ---- */

typedef struct hl_chart_list {
    size_t count;
    char names[128][96];   /* file stems in charts/: "time-large_list-range" */
    char titles[128][160]; /* one line; how to read it is the caption (below) */
} hl_chart_list;

/* Draw every chart of DIR (data files, then gnuplot with scripts/charts templates).
 * `charts` receives what was drawn. False (and *error) when gnuplot or a template is
 * missing, or a chart could not be drawn. */
bool hl_plot_draw(const char *dir, hl_chart_list *charts, char *error, size_t error_size);
/* Write DIR/report.html atomically from results.csv, the charts and the manifest. */
bool hl_report_write(const char *dir, const hl_chart_list *charts, char *error, size_t error_size);
/* chart_captions.c: the caption of a chart (its file stem) or of a report section:
 * docs/charts.md's section for it, compiled in, as HTML. False, with nothing written,
 * when the page has no section for it. */
bool hl_report_write_caption_html(FILE *out, const char *stem);
/* HTML-escape text: every value that reaches report.html goes through here. */
void hl_report_write_html_text(FILE *out, const char *text);
/* manifest_view.c: DIR/manifest.json as <table class="manifest">, one row per value:
 * nested keys flattened to "host.cpu_model", an array's items joined by spaces, every
 * key and value HTML-escaped. False, with nothing written, when the file is missing,
 * unreadable or not a JSON object. */
bool hl_report_write_manifest_html(FILE *out, const char *dir);

/* ---- compare (compare.c, compare_stats.c, compare_format.c) ---- */

/* What a pair's rows are matched on: two folders row by row (batch), or within the
 * rows, every allocator against one allocator (or every collector against one). */
typedef enum hl_compare_baseline {
    HL_COMPARE_BASELINE_BATCH,
    HL_COMPARE_BASELINE_ALLOCATOR,
    HL_COMPARE_BASELINE_COLLECTOR,
} hl_compare_baseline;

typedef enum hl_compare_format {
    HL_COMPARE_TEXT,
    HL_COMPARE_MARKDOWN,
    HL_COMPARE_CSV,
    HL_COMPARE_JSON,
} hl_compare_format;

/* What a metric measures, for the words of a verdict. */
typedef enum hl_compare_kind {
    HL_COMPARE_KIND_TIME,  /* faster / slower */
    HL_COMPARE_KIND_BYTES, /* smaller / bigger */
    HL_COMPARE_KIND_COUNT, /* fewer / more */
} hl_compare_kind;

#define HL_COMPARE_MAX_FILTER 32
typedef struct hl_compare_filter {
    size_t count; /* 0: every row */
    char values[HL_COMPARE_MAX_FILTER][64];
} hl_compare_filter;

typedef struct hl_compare_options {
    hl_compare_baseline baseline;
    char baseline_name[32]; /* the allocator or collector of the baseline rows */
    hl_compare_filter allocators, collectors, workloads; /* workloads: "W" or "W/V" */
    size_t size_count;
    uint64_t sizes[HL_COMPARE_MAX_FILTER];
    int metric;       /* a figure index (results.h) */
    double threshold; /* a fraction: 0.05 is 5% */
    size_t resamples; /* bootstrap resamples */
    uint64_t seed;    /* bootstrap seed, the same for every pair */
} hl_compare_options;

/* Defaults: batch baseline, metric real_time_ns, threshold 5%, 10000 resamples, seed 1. */
void hl_compare_options_init(hl_compare_options *o);

/* The metric called `name`: a short name (time, cpu, gc_time, mutator, rss, peak_live,
 * pause_max, pause_p99, ...) or any figure column of the schema. -1 when unknown;
 * `valid` (may be NULL) receives the short names for a message. */
int hl_compare_metric_find(const char *name, char *valid, size_t valid_size);
/* The short name of figure `metric` ("time"), or its column name when it has none. */
const char *hl_compare_metric_name(int metric);
hl_compare_kind hl_compare_metric_kind(int metric);
/* The verdict words of a kind: up "slower"/"bigger"/"more", down "faster"/"smaller"/"fewer". */
const char *hl_compare_word(hl_compare_kind kind, bool up);

/* One side of a comparison: a results folder and its rows. */
typedef struct hl_compare_side {
    const char *dir;
    const hl_result_row *rows;
    size_t count;
} hl_compare_side;

#define HL_COMPARE_ALPHA 0.05

typedef enum hl_compare_status {
    HL_COMPARE_COMPARED,       /* a ratio, an interval, a test and a verdict */
    HL_COMPARE_NOT_COMPARABLE, /* matched, but a side is not ok or has no value: `note` */
    HL_COMPARE_UNMATCHED,      /* no row on the other side: `note` says which side it is on */
} hl_compare_status;

typedef struct hl_compare_pair {
    hl_compare_status status;
    const hl_result_row *base, *cand; /* UNMATCHED: one of them is NULL */
    size_t n_base, n_cand;            /* invocations with a value */
    bool from_invocations;            /* false: runs/ had none, results.csv's median was used */
    double median_base, median_cand;
    double ratio, ci_low, ci_high; /* candidate / baseline */
    double u, p;                   /* Mann-Whitney U (of the candidate side) and two-sided p */
    bool exact;                    /* exact U distribution, else the normal approximation */
    double min_p;                  /* the smallest p n_base vs n_cand allows */
    const char *verdict;           /* faster/slower..., "same", "unclear", "n too small" */
    char note[160];
} hl_compare_pair;

typedef struct hl_compare_geomean {
    const char *group; /* "allocator", "collector", "workload", "all" */
    char value[64];    /* the group's value ("" for all) */
    size_t pairs;
    double ratio;
} hl_compare_geomean;

typedef struct hl_compare_result {
    const hl_compare_options *options;
    const hl_compare_side *base_side, *cand_side;
    hl_compare_pair *pairs; /* compared first, by effect size (|log ratio|) descending;
                             * then not comparable; then unmatched */
    size_t count, compared, not_comparable, unmatched;
    hl_compare_geomean *geomeans;
    size_t geomean_count;
} hl_compare_result;

/* Match, measure and judge. Per-invocation values come from each side's
 * runs/<slug>.i<k>.csv. False (and *error, one line) when out of memory or a filter or
 * the baseline names nothing the folders hold (*usage then true: a usage error). */
bool hl_compare_run(const hl_compare_options *options, const hl_compare_side *base,
                    const hl_compare_side *cand, hl_compare_result *result, bool *usage,
                    char *error, size_t error_size);
void hl_compare_result_free(hl_compare_result *result);

/* The configuration's label: "workload/size/allocator/collector", " [runtime]" for a
 * runtime other than heaplab. */
void hl_compare_label(const hl_result_row *row, char *out, size_t size);

/* Write the result in `format` (compare_format.c). False when a write failed. */
bool hl_compare_write(FILE *out, hl_compare_format format, const hl_compare_result *result);

/* --fail-if WORD>PCT or WORD<PCT: a significant pair (p < 0.05) that changed in the
 * direction WORD names by more (>) or less (<) than PCT percent. */
typedef struct hl_compare_condition {
    char text[48]; /* as given */
    bool up;       /* slower/bigger/more */
    bool greater;  /* '>' */
    double fraction;
} hl_compare_condition;

/* Parse "slower>5%" for `metric` (the word must be one of its kind's). */
bool hl_compare_condition_parse(const char *text, int metric, hl_compare_condition *out,
                                char *error, size_t error_size);
/* How many compared pairs meet the condition; *worst (may be NULL) the one that changed
 * most. */
size_t hl_compare_condition_count(const hl_compare_condition *c, const hl_compare_result *result,
                                  const hl_compare_pair **worst);

/* ---- DIR/minheap.csv (minheap.c): the minimum heap of each (workload, size,
 * collector) cell, as `heaplab minheap` and `batch --heap-factors` find it
 * (bench/batch/minheap.c) and report.html shows it. docs/batch.md, "Minimum heap". ---- */
#define HL_MINHEAP_FILE "minheap.csv"
#define HL_MINHEAP_HEADER                                                                          \
    "workload,size,collector,allocator,min_heap_bytes,failed_bytes,peak_bytes,probes,status,"     \
    "error"

typedef struct hl_minheap_cell {
    char workload[64];
    uint64_t size;
    char collector[32];
    char allocator[32]; /* the probes' --allocator */
    uint64_t min_heap;  /* smallest budget seen to complete; 0: none */
    uint64_t failed;    /* largest budget seen to fail (0: none seen) */
    uint64_t peak;      /* the peak managed heap without a budget */
    int probes;
    char status[24]; /* "ok": min_heap is the answer; else how the run without a budget ended */
    char error[256];
} hl_minheap_cell;

typedef struct hl_minheap_table {
    hl_minheap_cell *cells; /* malloc'd: free(t.cells) */
    size_t count, cap;
} hl_minheap_table;

hl_minheap_cell *hl_minheap_find(hl_minheap_table *t, const char *workload, uint64_t size,
                                 const char *collector);
/* A new zeroed cell at the end; NULL when out of memory (pointers into t move). */
hl_minheap_cell *hl_minheap_add(hl_minheap_table *t);
/* DIR/minheap.csv into t: a missing file is an empty table; a malformed line is skipped
 * (that cell is searched again), never trusted. */
void hl_minheap_read(const char *dir, hl_minheap_table *t);
/* Write the table to `path` atomically. */
bool hl_minheap_write(const char *path, const hl_minheap_table *t);
/* The cell's ratio to the smallest minimum heap of its workload and size (0: none). */
double hl_minheap_ratio(const hl_minheap_table *t, const hl_minheap_cell *c);
/* The table as text, one line per cell. */
void hl_minheap_print(const hl_minheap_table *t, FILE *out);
/* The table as HTML: collector rows x workload/size columns, bytes and ratio to the
 * smallest. Nothing when the table is empty. */
void hl_minheap_html(const hl_minheap_table *t, FILE *out);

/* report.html's hosts section (hosts.c): each host with the cells (workload x size) and
 * configurations it ran, from the rows' host column, and the workloads whose sizes ran
 * on different hosts. */
bool hl_report_write_hosts_html(FILE *out, const hl_result_row *rows, size_t count);

/* report.html's "CPython's collectors" table (cpython_claims.c): each claim of
 * docs/cpython_claims.csv whose two configurations the rows hold, with heaplab's
 * direction and factor for the same shape. Writes nothing when none has. */
bool hl_report_write_claims(FILE *out, const hl_result_row *rows, size_t count);

#endif
