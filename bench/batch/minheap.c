/* Minimum heaps: the smallest budget (--heap-limit) under which a configuration
 * completes, found by search for every (workload, size, collector) cell, cached in
 * DIR/minheap.csv (batch.h, internal.h; docs/batch.md, "Minimum heap").
 *
 * The search for one cell, in the order it runs (search_cell), as running-ng finds a
 * benchmark's minimum heap:
 * 1. One run without a budget (the default guard only), `heaplab run ... --iterations 1
 *    --warmup 0 --row F`: its peak managed heap P (peak_live_bytes: everything the heap
 *    requested from its allocator; for a collector with its own allocator, boehm,
 *    allocator_resident_bytes, libgc's heap, which is what its budget limits). A run
 *    that does not complete here has no minimum heap: the cell records its status.
 * 2. hi = P, confirmed by a run with --heap-limit P (grown by half up to 8 times if it
 *    does not fit: a conservative heap can need more than it peaked at).
 * 3. lo = 0; probe hi/2, then hi/4, ... until a probe fails, then the geometric middle
 *    of lo and hi, until hi <= lo x (1 + precision) (2% by default). A probe that
 *    completes moves hi, one that ends in MemoryError moves lo; any other end (a crash,
 *    a failed check, a timeout) stops the search with that status.
 * The answer is hi: the smallest budget seen to complete, within the precision of the
 * largest seen to fail. Each probe is one process with one iteration, on the batch's
 * main allocator (budgets count requested bytes, the same for every allocator).
 *
 * The cache: DIR/minheap.csv, one line per cell, rewritten atomically after each cell
 * is found, so an interrupted search loses at most the cell it was in and --resume
 * (or a later `heaplab minheap` into the same folder) reuses every line.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/batch/internal.h"
#include "bench/harness/run.h"
#include "collectors/collector.h"

#define MINHEAP_MAX_GROW 8

typedef hl_minheap_cell minheap_cell;
typedef hl_minheap_table minheap_table;

/* ---- one probe ---- */

typedef enum probe_result { PROBE_FITS, PROBE_TOO_SMALL, PROBE_OTHER, PROBE_INTERRUPTED } probe_result;

/* Run the cell once with `limit` (0: no budget). With row_path, the row is read back
 * into *row. *status and *error say how a run that did not fit or failed ended. */
static probe_result probe(const hl_batch *b, minheap_cell *cell, uint64_t limit,
                          const char *row_path, hl_result_row *row, hl_progress *progress) {
    char log_path[PATH_MAX], size[32], limit_text[32];
    char slug[256];
    hl_report_fmt(slug, sizeof slug, "%s_%" PRIu64 "_%s", cell->workload, cell->size,
                  cell->collector);
    for (char *p = slug; *p; p++)
        if (*p == '/') *p = '-';
    char name[300];
    hl_report_fmt(name, sizeof name, "runs/minheap_%s.log", slug);
    hl_batch_path_join(log_path, sizeof log_path, b->out, name, NULL);
    hl_report_fmt(size, sizeof size, "%" PRIu64, cell->size);
    hl_report_fmt(limit_text, sizeof limit_text, "%" PRIu64, limit);
    char *argv[32];
    size_t n = 0;
    argv[n++] = "heaplab";
    argv[n++] = "run";
    argv[n++] = "--workload";
    argv[n++] = cell->workload;
    argv[n++] = "--size";
    argv[n++] = size;
    argv[n++] = "--allocator";
    argv[n++] = cell->allocator;
    argv[n++] = "--collector";
    argv[n++] = cell->collector;
    argv[n++] = "--iterations";
    argv[n++] = "1";
    argv[n++] = "--warmup";
    argv[n++] = "0";
    if (limit != 0) {
        argv[n++] = "--heap-limit";
        argv[n++] = limit_text;
    }
    if (row_path != NULL) {
        unlink(row_path);
        argv[n++] = "--row";
        argv[n++] = (char *)row_path;
    }
    argv[n] = NULL;
    int code = 0;
    cell->probes++;
    child_outcome outcome =
        hl_batch_run_child("/proc/self/exe", argv, log_path, b->timeout_s, progress, &code);
    probe_result result = PROBE_OTHER;
    const char *status = HL_STATUS_FAILED;
    if (outcome == CHILD_INTERRUPTED) return PROBE_INTERRUPTED;
    if (outcome == CHILD_TIMEOUT) {
        status = HL_STATUS_TIMEOUT;
    } else if (outcome == CHILD_SIGNALED) {
        status = HL_STATUS_CRASHED;
    } else if (outcome == CHILD_EXITED && code == HL_EXIT_OK) {
        result = PROBE_FITS;
        status = HL_STATUS_OK;
    } else if (outcome == CHILD_EXITED && code == HL_EXIT_MEMORY_ERROR) {
        result = PROBE_TOO_SMALL;
        status = HL_STATUS_MEMORY_ERROR;
    } else if (outcome == CHILD_EXITED && code == HL_EXIT_RECURSION_ERROR) {
        status = HL_STATUS_RECURSION_ERROR;
    }
    if (result == PROBE_FITS && row_path != NULL) {
        hl_result_row *rows = NULL;
        size_t count = 0;
        char why[256];
        if (!hl_results_read_csv(row_path, &rows, &count, why, sizeof why) || count != 1) {
            result = PROBE_OTHER;
            status = HL_STATUS_FAILED;
            hl_report_fmt(cell->error, sizeof cell->error, "the run wrote no row: %s", why);
        } else {
            *row = rows[0];
        }
        free(rows);
        unlink(row_path);
    }
    if (result != PROBE_FITS && cell->error[0] == '\0') {
        hl_batch_last_log_line(log_path, cell->error, sizeof cell->error);
    }
    if (result == PROBE_FITS || result == PROBE_TOO_SMALL) cell->error[0] = '\0';
    hl_report_fmt(cell->status, sizeof cell->status, "%s", status);
    if (result == PROBE_FITS) unlink(log_path);
    return result;
}

/* The search (see the top of the file). False when interrupted. */
static bool search_cell(const hl_batch *b, minheap_cell *cell, hl_progress *progress) {
    char row_path[PATH_MAX];
    hl_batch_path_join(row_path, sizeof row_path, b->out, "runs/minheap_probe.csv", NULL);
    hl_result_row row;
    memset(&row, 0, sizeof row);
    probe_result r = probe(b, cell, 0, row_path, &row, progress);
    if (r == PROBE_INTERRUPTED) return false;
    if (r != PROBE_FITS) return true; /* no minimum heap: the status says why */
    bool own = hl_collector_own_allocator(hl_collector_find(cell->collector)) != NULL;
    double peak = own ? row.allocator_resident_bytes : row.peak_live_bytes;
    cell->peak = isfinite(peak) && peak > 0 ? (uint64_t)peak : 1;
    uint64_t hi = cell->peak, lo = 0;
    for (int grow = 0;; grow++) {
        r = probe(b, cell, hi, NULL, NULL, progress);
        if (r == PROBE_INTERRUPTED) return false;
        if (r == PROBE_FITS) break;
        if (r != PROBE_TOO_SMALL || grow == MINHEAP_MAX_GROW) {
            if (r == PROBE_TOO_SMALL)
                hl_report_fmt(cell->error, sizeof cell->error,
                              "no budget up to %" PRIu64 " bytes completes, though the run "
                              "without one peaked at %" PRIu64,
                              hi, cell->peak);
            return true;
        }
        lo = hi;
        hi += hi / 2;
    }
    double precision = b->minheap_precision > 0 ? b->minheap_precision : 0.02;
    while (lo == 0 || (double)hi > (double)lo * (1.0 + precision)) {
        uint64_t mid = lo == 0 ? hi / 2 : (uint64_t)sqrt((double)lo * (double)hi);
        if (mid <= lo || mid >= hi) break; /* bytes: nothing left between them */
        if (mid == 0) break;
        r = probe(b, cell, mid, NULL, NULL, progress);
        if (r == PROBE_INTERRUPTED) return false;
        if (r == PROBE_FITS)
            hi = mid;
        else if (r == PROBE_TOO_SMALL)
            lo = mid;
        else
            return true; /* crashed, failed or timed out under a budget: that is the result */
    }
    cell->min_heap = hi;
    cell->failed = lo;
    hl_report_fmt(cell->status, sizeof cell->status, "%s", HL_STATUS_OK);
    cell->error[0] = '\0';
    return true;
}

/* ---- the batch's cells ---- */

static bool wants_cell(const hl_batch *b, const hl_batch_config *c) {
    return !c->reference && !c->timeline && (b->minheap_only || c->heap_factor > 0);
}

/* The row of a time-space configuration that cannot run: its cell has no minimum heap. */
static bool write_unrunnable(const hl_batch *b, const hl_batch_config *c, const minheap_cell *cell) {
    hl_result_row row;
    memset(&row, 0, sizeof row);
    hl_report_fmt(row.runtime, sizeof row.runtime, "heaplab");
    hl_report_fmt(row.workload, sizeof row.workload, "%s", c->workload);
    hl_report_fmt(row.allocator, sizeof row.allocator, "%s", c->allocator);
    hl_report_fmt(row.collector, sizeof row.collector, "%s", c->collector);
    row.size = c->size;
    row.heap_factor = c->heap_factor;
    row.repetitions = 0;
    for (size_t f = 0; f < hl_results_figure_count(); f++)
        *hl_results_figure_slot(&row, f) = NAN;
    for (size_t i = 0; i < HL_RESULT_INTERVAL_COUNT; i++)
        row.ci_low[i] = row.ci_high[i] = NAN;
    row.real_time_ns_stddev = row.peak_rss_bytes_stddev = NAN;
    hl_report_fmt(row.status, sizeof row.status, "%s", cell->status);
    hl_report_fmt(row.error, sizeof row.error, "no minimum heap: without a budget the run ended %s%s%s",
                  cell->status, cell->error[0] ? ": " : "", cell->error);
    char path[PATH_MAX];
    hl_batch_path_join(path, sizeof path, b->out, "runs/", c->slug);
    strncat(path, ".csv", sizeof path - strlen(path) - 1);
    return hl_results_write_atomic(path, hl_batch_write_row_file, &row);
}

bool hl_batch_minheap(hl_batch *b, hl_progress *progress, char *error, size_t error_size) {
    minheap_table t = {NULL, 0, 0};
    hl_minheap_read(b->out, &t);
    char path[PATH_MAX];
    hl_batch_path_join(path, sizeof path, b->out, HL_MINHEAP_FILE, NULL);
    bool ok = true;
    for (size_t i = 0; i < b->matrix_count && ok; i++) {
        hl_batch_config *c = &b->configs[i];
        if (!wants_cell(b, c)) continue;
        minheap_cell *cell = hl_minheap_find(&t, c->workload, c->size, c->collector);
        if (cell == NULL) {
            cell = hl_minheap_add(&t);
            if (cell == NULL) {
                hl_report_fmt(error, error_size, "out of memory");
                ok = false;
                break;
            }
            hl_report_fmt(cell->workload, sizeof cell->workload, "%s", c->workload);
            cell->size = c->size;
            hl_report_fmt(cell->collector, sizeof cell->collector, "%s", c->collector);
            hl_report_fmt(cell->allocator, sizeof cell->allocator, "%s",
                          hl_batch_timeline_allocator(b));
            char label[300];
            hl_report_fmt(label, sizeof label, "minheap %s/%" PRIu64 "/%s", c->workload, c->size,
                          c->collector);
            hl_progress_start(progress, label);
            double started = hl_progress_now();
            if (!search_cell(b, cell, progress)) {
                t.count--; /* not found: not cached */
                hl_report_fmt(error, error_size, "interrupted");
                ok = false;
                break;
            }
            char result[64];
            if (strcmp(cell->status, HL_STATUS_OK) == 0)
                hl_report_fmt(result, sizeof result, "%" PRIu64 " bytes", cell->min_heap);
            else
                hl_report_fmt(result, sizeof result, "%s", cell->status);
            hl_progress_note(progress, "%s: %s (%d probes, %.2f s)", label, result, cell->probes,
                             hl_progress_now() - started);
            if (!hl_minheap_write(path, &t)) {
                hl_report_fmt(error, error_size, "cannot write %s: %s", path, strerror(errno));
                ok = false;
                break;
            }
            /* the finished cell: both pointers into t stay valid until the next add */
            cell = hl_minheap_find(&t, c->workload, c->size, c->collector);
        }
        if (c->heap_factor > 0) {
            if (strcmp(cell->status, HL_STATUS_OK) == 0) {
                c->heap_limit = (uint64_t)ceil(c->heap_factor * (double)cell->min_heap);
            } else if (!hl_batch_config_finished(b, c) && !write_unrunnable(b, c, cell)) {
                hl_report_fmt(error, error_size, "cannot write the row of %s", c->name);
                ok = false;
            }
        }
    }
    if (ok && t.count == 0 && b->minheap_only)
        ok = hl_minheap_write(path, &t);
    free(t.cells);
    return ok;
}

void hl_batch_minheap_print(const hl_batch *b, FILE *out) {
    minheap_table t = {NULL, 0, 0};
    hl_minheap_read(b->out, &t);
    hl_minheap_print(&t, out);
    free(t.cells);
}
