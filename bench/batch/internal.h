/* Between the batch room's files (plan.c, reference.c, child.c, folder.c,
 * saved_args.c, runner.c); not for use outside bench/batch/. */
#ifndef HEAPLAB_BENCH_BATCH_INTERNAL_H
#define HEAPLAB_BENCH_BATCH_INTERNAL_H

#include <signal.h>

#include "bench/batch/batch.h"

/* plan.c: the matrix from the plan (b->configs); false (and *error) when it is empty. */
bool hl_batch_expand(hl_batch *b, char *error, size_t error_size);
/* The allocator of the timeline runs and of collectors with their own allocator: the
 * registry's first (the default allocator) when the batch has it, else the batch's
 * first. */
const char *hl_batch_timeline_allocator(const hl_batch *b);

/* reference.c: decide whether the batch has CPython reference rows (b->ref). False
 * (and *error) for a usage error: --reference cpython without a usable python3. */
bool hl_batch_reference_resolve(hl_batch *b, char *error, size_t error_size);

/* folder.c */
bool hl_batch_path_join(char *out, size_t size, const char *dir, const char *a, const char *b);
bool hl_batch_make_dir(const char *path, char *error, size_t error_size);
/* Take the results folder's lock (DIR/.lock, flock) for the rest of the process: false,
 * with one line, when another process holds it. */
bool hl_batch_lock(const char *dir, char *error, size_t error_size);
/* Remove what an interrupted atomic write left (NAME.tmp.PID) in the folder, runs/ and
 * timelines/: call with the lock held. */
void hl_batch_remove_temporaries(const char *dir);
/* Whether the row file at `path` parses and holds exactly one row of configuration c
 * (its workload, size, allocator, collector); the row into *row when row is not NULL. */
bool hl_batch_row_file_holds(const char *path, const hl_batch_config *c, hl_result_row *row);
bool hl_batch_file_exists(const char *path);
bool hl_batch_dir_is_empty(const char *path);
void hl_batch_utc_now(char *buf, size_t size, const char *format);
/* results/<UTC time>-<preset> in the source tree when it is there, else ./results. */
void hl_batch_default_out(hl_batch *b);
/* The configuration's row (runs/<slug>.csv) from its invocations' rows: medians, the
 * spreads over invocations, the first status that is not ok. */
bool hl_batch_finish_config(const hl_batch *b, const hl_batch_config *c);
/* results.csv and results.json from the row files; returns how many rows exist. */
size_t hl_batch_merge(const hl_batch *b, bool *ok);
/* timelines/index.csv (an hl_results_write_atomic callback; data: the hl_batch). */
bool hl_batch_write_timeline_index(FILE *out, void *data);

/* child.c */
typedef enum child_outcome {
    CHILD_EXITED,
    CHILD_SIGNALED,
    CHILD_TIMEOUT,
    CHILD_INTERRUPTED,
    CHILD_NOT_STARTED,
} child_outcome;
/* Fork and exec `exe` with argv in a new process group, stdout and stderr to log_path;
 * wait at most timeout_s (Ctrl-C ends the wait: CHILD_INTERRUPTED). *code: the exit
 * status or the signal number. */
child_outcome hl_batch_run_child(const char *exe, char *const argv[], const char *log_path,
                                 double timeout_s, hl_progress *progress, int *code);
/* The log's last non-empty line (a sanitizer's SUMMARY line wins), "" when none. */
void hl_batch_last_log_line(const char *path, char *out, size_t size);
/* A row file's body: the CSV header and the hl_result_row `data` (an
 * hl_results_write_atomic callback). */
bool hl_batch_write_row_file(FILE *out, void *data);
/* Run invocation `invocation` (0-based) of a configuration in its own process and record
 * its outcome as its row file (runs/<slug>.i<k>.csv); after the last one, or the first
 * that is not ok, the configuration's row (hl_batch_finish_config). False when
 * interrupted. */
bool hl_batch_run_invocation(const hl_batch *b, const hl_batch_config *c, int invocation,
                             hl_progress *progress);
/* An invocation's file with extension `ext` (".csv", ".json", ".log"): runs/<slug>.i<k><ext>,
 * or timelines/<slug><ext> for a timeline run (one invocation). */
void hl_batch_invocation_path(const hl_batch *b, const hl_batch_config *c, int invocation,
                              const char *ext, char *out, size_t size);
/* Whether the invocation's row file (its "finished" mark) holds one row of this
 * configuration: an empty, garbage or foreign row file does not count. */
bool hl_batch_invocation_finished(const hl_batch *b, const hl_batch_config *c, int invocation);
/* Whether the configuration's row file (its "finished" mark) holds its row. */
bool hl_batch_config_finished(const hl_batch *b, const hl_batch_config *c);
typedef struct hl_batch_signals {
    struct sigaction old_int, old_term;
} hl_batch_signals;
/* Ctrl-C (SIGINT) and SIGTERM set a flag that the wait loop reads. */
void hl_batch_catch_interrupts(hl_batch_signals *saved);
void hl_batch_release_interrupts(const hl_batch_signals *saved);
bool hl_batch_was_interrupted(void);

/* minheap.c */
/* Find the minimum heap of every (workload, size, collector) cell of the matrix that
 * needs one (b->minheap_only: every cell; else the cells with heap factors), reading
 * DIR/minheap.csv first and adding each cell found to it; then give each time-space
 * configuration its heap_limit, and a configuration whose cell has no minimum heap (its
 * run fails without a budget) its row with that status. False when interrupted or the
 * cache cannot be written (*error). */
bool hl_batch_minheap(hl_batch *b, hl_progress *progress, char *error, size_t error_size);
/* Print DIR/minheap.csv's table (collector x workload/size, bytes and ratio to the
 * smallest) to out. */
void hl_batch_minheap_print(const hl_batch *b, FILE *out);

#endif
