/* heaplab batches: the matrix runner and what reads its folder.
 *
 * A batch folder (docs/batch.md):
 *   batch.json      the batch's own arguments, {"args": [...]} (what --resume re-reads)
 *   manifest.json   machine, build, versions, arguments
 *   runs/           per configuration: <slug>.csv (its row: the "finished" mark),
 *                   <slug>.json (its Google Benchmark JSON), <slug>.log (its output)
 *   timelines/      <workload>-<collector>.dat: live bytes over one run per collector
 *   results.csv     one row per configuration (bench/report/results.h's columns)
 *   results.json    Google Benchmark JSON of every configuration
 *   charts/         PNG and SVG charts, charts/data/ their data files
 *   report.html     one page: charts, summary, failures, manifest
 *
 * Modules: batch.c (the command, the matrix, child processes, resume), progress.c
 * (the progress line), manifest.c, plot.c (`heaplab plot`: data files and gnuplot),
 * report.c (report.html), compare.c (`heaplab compare`).
 */
#ifndef HEAPLAB_BENCH_BATCH_H
#define HEAPLAB_BENCH_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/report/results.h"

/* ---- a batch folder ---- */

/* Every row of DIR/results.csv; false (and *error, one line) when DIR is not a
 * batch folder or the file is unreadable. */
bool hl_batch_load_results(const char *dir, hl_result_row **rows, size_t *count, char *error,
                           size_t error_size);

/* snprintf, without the compiler's truncation guesses: every caller here either
 * checks the result or accepts a cut message. */
int hl_batch_fmt(char *out, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- child processes ---- */

/* Run argv (argv[0] looked up in PATH), wait for it, and capture up to size-1 bytes of
 * its standard output (stderr discarded, stdin /dev/null). Returns its exit status
 * (0..255), or -1 when it could not be started or died by a signal. */
int hl_batch_capture(char *const argv[], char *out, size_t size);

/* ---- reference rows (batch.c) ---- */

/* What `--reference` resolved to: the reference runtime's rows run, or why not. */
typedef struct hl_batch_reference {
    bool enabled;          /* the batch has CPython reference rows */
    char choice[16];       /* "cpython" or "none" */
    char note[256];        /* one line: why (for the manifest) */
    char python[4096];     /* python3 as found on PATH ("" when not found) */
    char executable[4096]; /* its sys.executable */
    char version[32];      /* "3.11.7" */
    char runtime[32];      /* the rows' runtime column: "cpython-3.11" */
    char script[4096];     /* scripts/reference/cpython_workloads.py */
} hl_batch_reference;

/* ---- manifest.c ---- */

/* Write DIR/manifest.json atomically. args: the batch's arguments (after "batch"),
 * started/finished: UTC ISO 8601 times (finished may be NULL while running);
 * done/total: configurations finished so far; ref: the reference rows' set-up. */
bool hl_manifest_write(const char *dir, char *const *args, size_t arg_count, const char *preset,
                       const char *started, const char *finished, size_t done, size_t total,
                       const hl_batch_reference *ref);

/* ---- plot.c and report.c ---- */

typedef struct hl_chart_list {
    size_t count;
    char names[64][96]; /* file stems in charts/: "time-large_list-range" */
    char titles[64][160];
    char captions[64][512]; /* how to read it, for the report ("" for none) */
} hl_chart_list;

/* A reference row: a real-world runtime or collector drawn as a reference line, not
 * as a heaplab configuration: a runtime other than heaplab (CPython's rows), or a
 * collector that brings its own allocator (boehm on bdwgc). */
bool hl_batch_is_reference_row(const hl_result_row *row);

/* Draw every chart of DIR (data files, then gnuplot with scripts/charts templates).
 * `charts` receives what was drawn. False (and *error) when gnuplot or a template is
 * missing, or a chart could not be drawn. */
bool hl_plot_draw(const char *dir, hl_chart_list *charts, char *error, size_t error_size);
/* Write DIR/report.html atomically from results.csv, the charts and the manifest. */
bool hl_report_write(const char *dir, const hl_chart_list *charts, char *error, size_t error_size);
/* HTML-escape text. */
void hl_report_write_html_text(FILE *out, const char *text);

/* ---- progress.c ---- */

typedef struct hl_progress {
    FILE *out;
    bool tty;         /* redraw one line in place; else plain lines */
    size_t total;     /* configurations in the batch */
    size_t done;      /* finished, including those found finished on resume */
    size_t done_here; /* finished by this process (for the ETA) */
    double start_s;   /* monotonic seconds at start */
    double last_draw_s;
    char current[192]; /* the configuration running */
} hl_progress;

void hl_progress_init(hl_progress *p, FILE *out, size_t total, size_t already_done);
/* A configuration starts. */
void hl_progress_start(hl_progress *p, const char *name);
/* Redraw the bar if it is time (a few times a second; terminals only). */
void hl_progress_tick(hl_progress *p);
/* A configuration ended with `status` after `seconds`. */
void hl_progress_finish(hl_progress *p, const char *name, const char *status, double seconds);
/* Clear the bar (terminals) before other output. */
void hl_progress_end(hl_progress *p);
/* Monotonic clock in seconds. */
double hl_progress_now(void);

/* ---- saved arguments (saved_args.c) ---- */

#define HL_BATCH_ARGS_FILE "batch.json"

/* DIR/batch.json, {"args": ["--sizes", "100", ...]}: the batch's own arguments (after
 * "batch", without --out and --resume), written atomically through jansson; what
 * `--resume DIR` reads back. False (and *error, one line) when it cannot be written. */
bool hl_batch_save_args(const char *dir, char *const *args, size_t count, char *error,
                        size_t error_size);
/* Read DIR/batch.json back as an argv for the batch's parser: (*args)[0] is "batch",
 * then the saved arguments, then NULL; *count includes "batch". False (and *error, one
 * line starting "--resume: DIR") when DIR is not a folder, holds no batch.json, or the
 * file is not JSON or not {"args": [strings]} (*usage_error true: exit 2), or it cannot
 * be read or memory runs out (*usage_error false). */
bool hl_batch_load_args(const char *dir, char ***args, size_t *count, char *error,
                        size_t error_size, bool *usage_error);
/* Free what hl_batch_load_args returned (NULL is fine). */
void hl_batch_free_args(char **args, size_t count);

#endif
