/* heaplab report: the results folder as a model, and the views drawn from it.
 *
 * This room sits below batch and harness: it knows the results schema
 * (bench/report/results.h), reads and writes a results folder's files, draws the charts
 * (plot.c and one chart_*.c per chart kind), writes report.html (report.c) and
 * compares two folders (compare.c). It never calls the batch runner: a batch asks it to
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

/* ---- compare.c ---- */

/* Print the comparison of two folders' rows (B against A) to `out`: per configuration
 * time and peak RSS of both, ratios B/A, changes beyond the repetitions' spread, and
 * the configurations only one side has. */
void hl_report_compare(FILE *out, const char *name_a, const hl_result_row *a, size_t na,
                       const char *name_b, const hl_result_row *b, size_t nb);

#endif
