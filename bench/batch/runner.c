/* heaplab batch: the matrix of configurations, each in its own process (batch.h).
 *
 * The story of a batch, in the order the functions run:
 * 1. The command line (bench/cli/batch_command.c): the arguments (a preset, explicit
 *    lists, limits) become the plan, an hl_batch; every name is checked against the
 *    registries and a bad one is a one-line usage error (exit 2). `--resume DIR`
 *    re-reads the arguments the batch saved in DIR (saved_args.c) instead. Then
 *    hl_batch_run, below:
 * 2. hl_batch_reference_resolve (reference.c), then hl_batch_expand (plan.c):
 *    workloads x sizes x allocators x collectors, in that nesting (with one CPython
 *    reference run per workload and size when the reference resolves to cpython), plus
 *    one timeline run per (timeline workload, collector).
 * 3. The folder: DIR, DIR/runs, DIR/timelines, DIR/charts, the saved arguments and a
 *    first manifest (manifest.c).
 * 4. hl_batch_run_invocation (child.c), for every step of the plan (each invocation
 *    of each configuration, interleaved in a seeded shuffled order as running-ng runs
 *    them; plan.c) whose row file is missing: fork, the
 *    child makes its own process group and execs this same program (/proc/self/exe)
 *    as `heaplab run ... --row F --json F` (a reference run execs python3 on
 *    scripts/reference/cpython_workloads.py with the same --row and --json) with its
 *    output going to a log file; the parent waits with a time limit. The outcome
 *    becomes the row:
 *      exit 0/1/3/4 with a row   the child's row (ok, failed, memory_error, recursion_error)
 *      exit without a row        crashed (the log's last line says why)
 *      killed by a signal        crashed
 *      past the time limit       timeout (the whole process group is SIGKILLed)
 *    and is written atomically to DIR/runs/<slug>.i<k>.csv, the mark that invocation k is
 *    finished. After the last invocation (or the first that is not ok: the rest would
 *    repeat it), the configuration's row, runs/<slug>.csv, takes each figure's median
 *    over the invocations and their spread (hl_batch_finish_config, folder.c). One child
 *    at a time, so each one's time and peak RSS are its own.
 * 5. Ctrl-C (SIGINT, or SIGTERM) sets a flag: the running child's group is killed, its
 *    files are removed (it is not finished), and the batch writes what it has.
 * 6. hl_batch_merge (folder.c): results.csv and results.json from the row files in
 *    plan order (a configuration without a usable JSON gets a failed entry), the final
 *    manifest; then the report room draws the charts (hl_plot_draw) and writes
 *    report.html (hl_report_write).
 *
 * 7. The tally of the configurations' statuses, one line on stderr ("459 ok,
 *    2 memory_error, 1 crashed").
 *
 * Outcomes (hl_batch_outcome; the command's exit codes): done when every configuration
 * has a result, ok, memory_error or recursion_error (exit 0); incomplete when some
 * crashed, timed out or failed, after running all the others (exit 1, so that CI
 * notices); a usage error (exit 2); interrupted (exit 130: resume it); an error
 * otherwise (exit 1).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/batch/internal.h"

void hl_batch_free(hl_batch *b) {
    free(b->configs);
    b->configs = NULL;
    free(b->steps);
    b->steps = NULL;
}

static hl_batch_outcome fail(hl_batch_outcome outcome, char *error, size_t error_size,
                             const char *format, ...) __attribute__((format(printf, 4, 5)));
static hl_batch_outcome fail(hl_batch_outcome outcome, char *error, size_t error_size,
                             const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vsnprintf(error, error_size, format, ap);
    va_end(ap);
    return outcome;
}

/* Counts every configuration's status (its row file) into counts[], indexed as
 * hl_tally_statuses; a configuration without a readable row counts as failed. */
static void tally(const hl_batch *b, size_t counts[HL_TALLY_STATUSES]) {
    memset(counts, 0, HL_TALLY_STATUSES * sizeof counts[0]);
    for (size_t i = 0; i < b->config_count; i++) {
        const hl_batch_config *c = &b->configs[i];
        char path[PATH_MAX];
        hl_batch_path_join(path, sizeof path, b->out, c->timeline ? "timelines/" : "runs/",
                           c->slug);
        strncat(path, ".csv", sizeof path - strlen(path) - 1);
        hl_result_row *rows = NULL;
        size_t count = 0;
        char why[256];
        size_t index = 3; /* failed */
        if (hl_results_read_csv(path, &rows, &count, why, sizeof why) && count == 1)
            for (size_t k = 0; k < HL_TALLY_STATUSES; k++)
                if (strcmp(rows[0].status, hl_tally_statuses[k]) == 0) index = k;
        free(rows);
        counts[index]++;
    }
}

hl_batch_outcome hl_batch_run(hl_batch *b, char *const *saved_args, size_t saved_count, char *error,
                              size_t error_size) {
    bool resuming = b->resume[0] != '\0';
    if (!hl_batch_reference_resolve(b, error, error_size) || !hl_batch_expand(b, error, error_size))
        return HL_BATCH_USAGE_ERROR;

    /* The folder. */
    if (!resuming) {
        if (!b->out_given) hl_batch_default_out(b);
        if (hl_batch_has_saved_args(b->out))
            return fail(HL_BATCH_USAGE_ERROR, error, error_size,
                        "--out: %s already holds a batch (finish it with --resume %s)", b->out,
                        b->out);
        if (!hl_batch_dir_is_empty(b->out))
            return fail(HL_BATCH_USAGE_ERROR, error, error_size,
                        "--out: %s exists and is not empty", b->out);
    }
    /* Every file inside must fit a path: runs/<slug>.i<k>.child.csv.tmp.<pid> is the
     * longest; a folder name that leaves no room is refused before anything is made. */
    size_t longest = 0;
    for (size_t i = 0; i < b->config_count; i++)
        if (strlen(b->configs[i].slug) > longest) longest = strlen(b->configs[i].slug);
    if (strlen(b->out) + longest + 64 >= PATH_MAX)
        return fail(HL_BATCH_USAGE_ERROR, error, error_size,
                    "--out: the folder's path (%zu characters) leaves no room for the files "
                    "inside it (at most %zu)",
                    strlen(b->out), (size_t)PATH_MAX - longest - 65);
    char sub[PATH_MAX];
    const char *subdirs[] = {"", "runs", "timelines", "charts"};
    for (size_t i = 0; i < 4; i++) {
        hl_batch_path_join(sub, sizeof sub, b->out, subdirs[i], NULL);
        char why[HL_BATCH_ERROR_SIZE];
        if (!hl_batch_make_dir(sub, why, sizeof why))
            /* The folder itself cannot be made: the --out value is unusable (usage,
             * exit 2). A subfolder of a folder we made: something else went wrong. */
            return i == 0 ? fail(HL_BATCH_USAGE_ERROR, error, error_size, "--out: %s", why)
                          : fail(HL_BATCH_ERROR, error, error_size, "%s", why);
    }
    /* One batch at a time in a folder: two would run the same configurations and
     * unlink each other's files. */
    char why[HL_BATCH_ERROR_SIZE];
    if (!hl_batch_lock(b->out, why, sizeof why))
        return fail(HL_BATCH_ERROR, error, error_size, "%s", why);
    hl_batch_remove_temporaries(b->out);
    /* The arguments, saved for --resume, with what the preset's reference default
     * resolved to, so that --resume runs the same configurations whatever PATH holds by
     * then. */
    char **args = malloc((saved_count + 3) * sizeof *args);
    if (args == NULL) return fail(HL_BATCH_ERROR, error, error_size, "out of memory");
    size_t arg_count = 0;
    for (size_t i = 0; i < saved_count; i++)
        args[arg_count++] = saved_args[i];
    if (!resuming) {
        if (b->reference_arg == NULL) {
            args[arg_count++] = "--reference";
            args[arg_count++] = b->ref.choice;
        }
        if (!hl_batch_save_args(b->out, args, arg_count, error, error_size)) {
            free(args);
            return HL_BATCH_ERROR;
        }
    }
    const char *preset_name = b->custom ? "custom" : b->preset->name;
    char started[32];
    hl_batch_utc_now(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ");

    size_t already = 0;
    for (size_t i = 0; i < b->config_count; i++)
        already += hl_batch_config_finished(b, &b->configs[i]);
    hl_manifest_write(b->out, args, arg_count, preset_name, started, NULL, already, b->config_count,
                      b);

    size_t reference_runs = 0;
    for (size_t i = 0; i < b->matrix_count; i++)
        reference_runs += b->configs[i].reference;
    char reference_text[PATH_MAX + 96] = "";
    if (reference_runs > 0)
        hl_report_fmt(reference_text, sizeof reference_text,
                      ", %zu of them CPython %s reference runs (%s)", reference_runs,
                      b->ref.version, b->ref.python);
    hl_progress progress;
    hl_progress_init(&progress, stderr, b->step_count, 0);
    if (!b->minheap_only)
        hl_progress_note(&progress,
                     "heaplab batch: %zu configurations (%s preset%s) x %d invocations (%s) + %zu "
                     "timeline runs into %s",
                     b->matrix_count, preset_name, reference_text, b->repetitions,
                     b->sequential ? "sequential" : "shuffled", b->config_count - b->matrix_count,
                     b->out);
    /* Progress counts invocations: a finished configuration's count as done. */
    size_t steps_done = 0;
    for (size_t i = 0; i < b->step_count; i++) {
        const hl_batch_config *c = &b->configs[b->steps[i].config];
        steps_done += hl_batch_config_finished(b, c) ||
                      hl_batch_invocation_finished(b, c, b->steps[i].invocation);
    }
    if (already > 0)
        hl_progress_note(&progress,
                         "heaplab batch: %zu of %zu configurations already finished (%zu of %zu "
                         "invocations)",
                         already, b->config_count, steps_done, b->step_count);
    progress.done = steps_done;

    hl_batch_signals signals;
    hl_batch_catch_interrupts(&signals);
    bool interrupted = false;
    /* Minimum heaps first (minheap.c): a time-space configuration's budget is a factor
     * of its cell's; `heaplab minheap` stops after them. */
    if (b->minheap_only || b->heap_factor_count > 0) {
        char why_minheap[HL_BATCH_ERROR_SIZE] = "";
        if (!hl_batch_minheap(b, &progress, why_minheap, sizeof why_minheap)) {
            interrupted = hl_batch_was_interrupted();
            if (!interrupted) {
                hl_batch_release_interrupts(&signals);
                free(args);
                return fail(HL_BATCH_ERROR, error, error_size, "%s", why_minheap);
            }
        }
        if (b->minheap_only) {
            hl_batch_release_interrupts(&signals);
            hl_progress_end(&progress);
            free(args);
            if (interrupted) {
                hl_progress_note(&progress,
                                 "heaplab minheap: interrupted; finish it with: heaplab minheap "
                                 "--resume %s",
                                 b->out);
                return HL_BATCH_INTERRUPTED;
            }
            hl_batch_minheap_print(b, stdout);
            return HL_BATCH_DONE;
        }
    }
    for (size_t i = 0; i < b->step_count && !interrupted; i++) {
        const hl_batch_config *c = &b->configs[b->steps[i].config];
        int k = b->steps[i].invocation;
        if (hl_batch_was_interrupted())
            interrupted = true;
        else if (!hl_batch_config_finished(b, c) && !hl_batch_invocation_finished(b, c, k))
            interrupted = !hl_batch_run_invocation(b, c, k, &progress);
    }
    interrupted = interrupted || hl_batch_was_interrupted();
    /* a configuration whose invocations all finished but whose row was not written yet
     * (a batch stopped between the two) */
    for (size_t i = 0; i < b->matrix_count && !interrupted; i++) {
        const hl_batch_config *c = &b->configs[i];
        bool all = true;
        for (int k = 0; k < c->invocations && all; k++)
            all = hl_batch_invocation_finished(b, c, k);
        if (all && !hl_batch_config_finished(b, c)) hl_batch_finish_config(b, c);
    }
    hl_batch_release_interrupts(&signals);
    if (interrupted) hl_progress_end(&progress);

    bool ok;
    size_t done = hl_batch_merge(b, &ok);
    hl_batch_path_join(sub, sizeof sub, b->out, "timelines/index.csv", NULL);
    ok = hl_results_write_atomic(sub, hl_batch_write_timeline_index, b) && ok;
    char finished[32];
    hl_batch_utc_now(finished, sizeof finished, "%Y-%m-%dT%H:%M:%SZ");
    size_t all_done = 0;
    for (size_t i = 0; i < b->config_count; i++)
        all_done += hl_batch_config_finished(b, &b->configs[i]);
    ok = hl_manifest_write(b->out, args, arg_count, preset_name, started,
                           interrupted ? NULL : finished, all_done, b->config_count, b) &&
         ok;
    free(args);
    if (interrupted) {
        hl_progress_note(&progress,
                         "heaplab batch: interrupted with %zu of %zu configurations finished; "
                         "finish it with: heaplab batch --resume %s",
                         done, b->matrix_count, b->out);
        return HL_BATCH_INTERRUPTED;
    }
    if (!ok) {
        hl_progress_end(&progress);
        return fail(HL_BATCH_ERROR, error, error_size, "cannot write the results in %s", b->out);
    }
    hl_progress_step(&progress, "charts: drawing the charts and report.html");
    hl_chart_list charts;
    memset(&charts, 0, sizeof charts);
    hl_batch_outcome outcome = HL_BATCH_DONE;
    bool drawn = hl_plot_draw(b->out, &charts, error, error_size);
    char report_error[HL_BATCH_ERROR_SIZE];
    bool reported = hl_report_write(b->out, &charts, report_error, sizeof report_error);
    hl_progress_end(&progress);
    if (!drawn) {
        hl_progress_note(&progress, "heaplab: %s", error); /* the report is still written */
        outcome = HL_BATCH_ERROR;
    }
    if (!reported) return fail(HL_BATCH_ERROR, error, error_size, "%s", report_error);
    printf("%s/report.html\n", b->out);
    fflush(stdout);
    size_t counts[HL_TALLY_STATUSES];
    tally(b, counts);
    char line[256];
    hl_progress_tally(counts, line, sizeof line);
    hl_progress_note(&progress, "heaplab batch: %s", line);
    /* ok, memory_error and recursion_error are results; failed, crashed and timeout
     * are not (hl_tally_statuses' order) */
    if (outcome == HL_BATCH_DONE && counts[3] + counts[4] + counts[5] > 0)
        outcome = HL_BATCH_INCOMPLETE;
    if (outcome != HL_BATCH_DONE) error[0] = '\0'; /* already said */
    return outcome;
}
