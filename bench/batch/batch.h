/* heaplab batches: the matrix of configurations, each in its own process.
 *
 * The batch room (docs/architecture.md): `heaplab batch` (bench/cli/batch_command.c)
 * parses the command line into an hl_batch (the plan: lists, sizes, limits) and calls
 * hl_batch_run, which expands the matrix (plan.c), resolves the reference runtime
 * (reference.c), runs every configuration as a child process (child.c), merges their
 * rows into the results folder (folder.c), writes the manifest (manifest.c), and asks
 * the report room to draw the charts and report.html. progress.c is the progress line;
 * preset.c the presets. The folder's layout is bench/report/report.h's.
 */
#ifndef HEAPLAB_BENCH_BATCH_BATCH_H
#define HEAPLAB_BENCH_BATCH_BATCH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/report/report.h"

/* ---- presets (preset.c) ---- */

#define HL_BATCH_MAX_NAMES 32
#define HL_BATCH_MAX_SIZES 16
#define HL_BATCH_MAX_TIMELINES 4
#define HL_BATCH_MAX_PASS 16
#define HL_BATCH_MAX_FACTORS 16
#define HL_BATCH_MAX_CAPS 8
#define HL_BATCH_MAX_LEFT_OUT 8
#define HL_BATCH_DEFAULT_SEED 1

typedef struct hl_batch_timeline_spec {
    const char *workload;
    uint64_t size;
} hl_batch_timeline_spec;

typedef struct hl_preset {
    const char *name;
    const char *summary;
    /* Sizes for every workload, 0-terminated; empty: each workload's own ladder. */
    uint64_t sizes[HL_BATCH_MAX_SIZES];
    int repetitions; /* invocations per configuration */
    /* Timed repetitions inside each invocation (Google Benchmark's); the invocation's
     * figure is their median. */
    int samples;
    double timeout_s;
    /* Google Benchmark's minimum time per repetition for each child, in seconds. */
    const char *min_time;
    /* Untimed warm-up before an invocation's first repetition, in seconds. */
    const char *warmup;
    hl_batch_timeline_spec timelines[HL_BATCH_MAX_TIMELINES]; /* NULL-workload ends */
    /* With a workload's own ladder: its sizes up to this cap (0: no cap), so the
     * preset fits its time budget (docs/batch.md has the measurements). */
    hl_batch_timeline_spec caps[HL_BATCH_MAX_CAPS]; /* NULL-workload ends */
    /* Workloads the preset runs only when --workloads names them (NULL ends): those
     * that would cost the preset more than its time budget (docs/batch.md). */
    const char *leaves_out[HL_BATCH_MAX_LEFT_OUT];
    /* Both presets include the CPython reference rows when python3 is on PATH; without
     * it, quick skips them silently and full says so on stderr (the manifest records
     * it either way). */
    bool warn_without_reference;
    /* A subset, as --allocators and --workloads spell it (NULL: every one). */
    const char *allocators;
    const char *collectors;
    const char *workloads;
    /* One size per workload family (NULL-workload ends; a family not named here takes
     * `sizes` or its ladder). */
    hl_batch_timeline_spec workload_sizes[HL_BATCH_MAX_TIMELINES * 2];
    /* A time-space sweep (batch --heap-factors), 0-terminated; none when empty. */
    double heap_factors[HL_BATCH_MAX_FACTORS];
} hl_preset;

/* The presets, in the order `heaplab list presets` shows them; the first is the
 * default. */
extern const hl_preset hl_batch_presets[];
extern const size_t hl_batch_preset_count;
/* The preset called `name`, or NULL. */
const hl_preset *hl_batch_preset_find(const char *name);
/* `heaplab list presets`: one line each. */
void hl_batch_list_presets(FILE *out);

/* ---- child processes ---- */

/* Run argv (argv[0] looked up in PATH), wait for it, and capture up to size-1 bytes of
 * its standard output (stderr discarded, stdin /dev/null). Returns its exit status
 * (0..255), or -1 when it could not be started or died by a signal. */
int hl_batch_capture(char *const argv[], char *out, size_t size);

/* ---- reference rows (runner.c) ---- */

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
    /* The variants the script has ("large_list/range\n..."), as it declares them
     * (`--variants`): a variant it lacks gets no CPython row (and the report says so). */
    char variants[4096];
} hl_batch_reference;

/* Whether the reference script has a port of `workload` ("large_list/range"). */
bool hl_batch_reference_has(const hl_batch_reference *ref, const char *workload);

/* ---- the plan ---- */

typedef struct hl_batch_config {
    char workload[64]; /* "large_list/range" */
    uint64_t size;
    const char *allocator;     /* the row's allocator column */
    const char *run_allocator; /* the child's --allocator (differs for boehm) */
    const char *collector;
    bool timeline;  /* a timeline run rather than a matrix row */
    bool reference; /* a CPython reference run (python3 and the reference script) */
    /* A time-space run: its budget is heap_factor x the minimum heap of its (workload,
     * size, collector) (minheap.c), heap_limit bytes once that is known; 0: none. */
    double heap_factor;
    uint64_t heap_limit;
    int invocations; /* processes it runs in, one repetition each (1 for a timeline run) */
    char name[256];  /* "large_list/range/1000/libc/refcount" */
    char slug[256];  /* file stem: "large_list-range_1000_libc_refcount" */
} hl_batch_config;

/* One step of the batch: invocation `invocation` of configs[config]. */
typedef struct hl_batch_step {
    size_t config;
    int invocation;
} hl_batch_step;

typedef struct hl_batch {
    const hl_preset *preset;
    bool custom; /* a list overrode the preset */
    const char *allocators[HL_BATCH_MAX_NAMES];
    size_t allocator_count;
    const char *collectors[HL_BATCH_MAX_NAMES];
    size_t collector_count;
    char workloads[64][64];
    size_t workload_count;
    uint64_t sizes[HL_BATCH_MAX_SIZES];
    size_t size_count;    /* 0: the preset's (or each workload's ladder) */
    int repetitions;      /* invocations per configuration */
    int samples;          /* --samples: repetitions inside each invocation */
    const char *min_time; /* --min-time as given (seconds), or the preset's */
    const char *warmup;   /* --warmup as given (seconds), or the preset's */
    double timeout_s;
    char timeline_workloads[HL_BATCH_MAX_TIMELINES][64];
    size_t timeline_count;
    uint64_t timeline_size; /* 0: the preset's */
    bool timelines_given;
    const char *passthrough[HL_BATCH_MAX_PASS]; /* --benchmark_* flags for the children */
    size_t passthrough_count;
    char out[PATH_MAX];
    bool out_given;
    char resume[PATH_MAX];
    const char *reference_arg; /* --reference as given: "cpython", "none", NULL: the preset's */
    hl_batch_reference ref;    /* what it resolved to (hl_batch_reference_resolve) */
    hl_batch_config *configs;
    size_t config_count;
    size_t matrix_count; /* configs[0..matrix_count) are rows; the rest timelines */
    /* The order the invocations run in: every invocation of every row, shuffled with
     * `seed` (running-ng's interleaving: drift and noise spread over every
     * configuration alike) unless `sequential`; then the timeline runs. */
    bool sequential; /* --order sequential: a configuration's invocations in a row */
    uint64_t seed;   /* --seed (default HL_BATCH_DEFAULT_SEED) */
    bool seed_given;
    hl_batch_step *steps;
    size_t step_count;
    /* --heap-factors: every configuration at each factor times its minimum heap
     * (time-space sweeps); the minimum heaps are found first (minheap.c). */
    double heap_factors[HL_BATCH_MAX_FACTORS];
    size_t heap_factor_count;
    /* --shard I/N: only the cells (workload x size: every allocator, collector,
     * invocation, timeline and reference run of it) that plan.c's partition gives shard
     * I of N (0 <= I < N); shard_count 0: the whole batch. cell_total: the cells of the
     * whole batch, cell_count: this shard's (both set by hl_batch_expand). */
    unsigned shard_index, shard_count;
    size_t cell_total, cell_count;
    /* `heaplab minheap`: find (or read back) the minimum heaps and stop. */
    bool minheap_only;
    double minheap_precision; /* the search stops at hi <= lo x (1 + this); 0.02 */
} hl_batch;

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

/* Whether DIR holds a batch's saved arguments (a batch was started there). */
bool hl_batch_has_saved_args(const char *dir);

/* ---- running a batch (runner.c) ---- */

#define HL_BATCH_ERROR_SIZE 512

/* How a batch ended, for the command to turn into an exit code. */
typedef enum hl_batch_outcome {
    HL_BATCH_DONE,        /* every configuration has a result: ok, memory_error or
                             recursion_error */
    HL_BATCH_INCOMPLETE,  /* every configuration has a row, but some crashed, timed out or
                             failed (the tally line on stderr says how many) */
    HL_BATCH_USAGE_ERROR, /* the plan cannot run as given (a folder that holds a batch, a
                             --reference that cannot be had): *error says why */
    HL_BATCH_ERROR,       /* the results could not be written or drawn: *error says */
    HL_BATCH_INTERRUPTED, /* Ctrl-C: the folder holds what finished; --resume finishes it */
} hl_batch_outcome;

/* Free what hl_batch_run allocated in the plan (its matrix). */
void hl_batch_free(hl_batch *b);

/* Run the batch `b` (parsed; b->resume set when resuming b->out). `args`: its
 * arguments as saved for --resume (without "batch", --out and --resume); the
 * reference choice is appended when the arguments leave it to the preset, so that a
 * resumed batch runs the same configurations whatever PATH holds by then. */
hl_batch_outcome hl_batch_run(hl_batch *b, char *const *args, size_t arg_count, char *error,
                              size_t error_size);

/* ---- manifest.c ---- */

/* Write DIR/manifest.json atomically. args: the batch's arguments (after "batch"),
 * started/finished: UTC ISO 8601 times (finished may be NULL while running);
 * done/total: configurations finished so far; plan: the batch (its reference rows'
 * set-up, its invocations and their order and seed). */
bool hl_manifest_write(const char *dir, char *const *args, size_t arg_count, const char *preset,
                       const char *started, const char *finished, size_t done, size_t total,
                       const hl_batch *plan);

/* ---- progress.c ---- */

typedef struct hl_progress {
    FILE *out;
    bool tty;         /* redraw one line in place; else plain lines */
    size_t total;     /* invocations in the batch (every step of the plan) */
    size_t done;      /* finished, including those found finished on resume */
    size_t done_here; /* finished by this process (for the ETA) */
    double start_s;   /* monotonic seconds at start */
    double last_draw_s;
    char current[192]; /* the configuration running, or the step ("charts ...") */
} hl_progress;

void hl_progress_init(hl_progress *p, FILE *out, size_t total, size_t already_done);
/* A configuration starts. */
void hl_progress_start(hl_progress *p, const char *name);
/* Redraw the bar if it is time (a few times a second; terminals only). */
void hl_progress_tick(hl_progress *p);
/* A configuration ended with `status` after `seconds`. */
void hl_progress_finish(hl_progress *p, const char *name, const char *status, double seconds);
/* A step after the configurations ("charts: drawing the charts and report.html"): on a
 * terminal the bar's text, elsewhere a plain line. */
void hl_progress_step(hl_progress *p, const char *what);
/* A line of the batch's own (printf-style, no newline): on a terminal the bar is
 * cleared and the text folded into lines of at most width - 1 characters (the bar is
 * redrawn by the next start, tick or finish); elsewhere one plain line. */
void hl_progress_note(hl_progress *p, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* Clear the bar (terminals) before other output. */
void hl_progress_end(hl_progress *p);
/* Monotonic clock in seconds. */
double hl_progress_now(void);
/* The terminal's width for `out`: $COLUMNS when it is a number, else TIOCGWINSZ, else
 * 80. */
int hl_progress_width(FILE *out);
/* The bar's line for the state `p` at monotonic time `now`, in a terminal `width`
 * columns wide: at most width - 1 characters (a line as wide as the terminal wraps on
 * some), never a newline; the bar and the name shrink first, then the counters are cut.
 * Pure: reads only its arguments. */
void hl_progress_line(const hl_progress *p, double now, int width, char *out, size_t size);

/* The statuses in the schema's order (DESIGN.md): ok, memory_error, recursion_error,
 * failed, crashed, timeout. */
#define HL_TALLY_STATUSES 6
extern const char *const hl_tally_statuses[HL_TALLY_STATUSES];
/* "459 ok, 2 memory_error, 1 crashed": the counts (indexed as hl_tally_statuses) in
 * the schema's order, zero counts left out ("nothing ran" when all are zero). */
void hl_progress_tally(const size_t counts[HL_TALLY_STATUSES], char *out, size_t size);
#endif
