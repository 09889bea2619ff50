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
#include "bench/harness/measure.h"
#include "bench/harness/run.h"
#include "collectors/collector.h"

#define MINHEAP_FILE "minheap.csv"
#define MINHEAP_HEADER                                                                             \
    "workload,size,collector,allocator,min_heap_bytes,failed_bytes,peak_bytes,probes,status,"     \
    "error"
#define MINHEAP_MAX_GROW 8

typedef struct minheap_cell {
    char workload[64];
    uint64_t size;
    char collector[32];
    char allocator[32];     /* the probes' --allocator */
    uint64_t min_heap;      /* smallest budget seen to complete; 0: none */
    uint64_t failed;        /* largest budget seen to fail (0: none seen) */
    uint64_t peak;          /* the peak managed heap without a budget */
    int probes;
    char status[24];        /* "ok": min_heap is the answer; else the unbounded run's */
    char error[256];
} minheap_cell;

typedef struct minheap_table {
    minheap_cell *cells;
    size_t count, cap;
} minheap_table;

static minheap_cell *table_find(minheap_table *t, const char *workload, uint64_t size,
                                const char *collector) {
    for (size_t i = 0; i < t->count; i++)
        if (t->cells[i].size == size && strcmp(t->cells[i].workload, workload) == 0 &&
            strcmp(t->cells[i].collector, collector) == 0)
            return &t->cells[i];
    return NULL;
}

static minheap_cell *table_add(minheap_table *t) {
    if (t->count == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        minheap_cell *grown = realloc(t->cells, cap * sizeof *grown);
        if (grown == NULL) return NULL;
        t->cells = grown;
        t->cap = cap;
    }
    minheap_cell *c = &t->cells[t->count++];
    memset(c, 0, sizeof *c);
    return c;
}

/* A line's fields, split at commas (the file's fields hold none: the error column has
 * its commas replaced). */
static size_t split(char *line, char **fields, size_t max) {
    size_t n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *comma = strchr(p, ',');
        if (comma == NULL) break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

static bool parse_u64(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    if (s[0] < '0' || s[0] > '9') return false;
    *out = strtoull(s, &end, 10);
    return errno == 0 && *end == '\0';
}

/* DIR/minheap.csv into t. A missing file is an empty table; a malformed line is
 * skipped (that cell is searched again), never trusted. */
static void table_read(const char *dir, minheap_table *t) {
    char path[PATH_MAX];
    hl_batch_path_join(path, sizeof path, dir, MINHEAP_FILE, NULL);
    FILE *f = fopen(path, "r");
    if (f == NULL) return;
    char line[1024];
    if (fgets(line, sizeof line, f) == NULL || strncmp(line, MINHEAP_HEADER, strlen(MINHEAP_HEADER)) != 0) {
        fclose(f);
        return;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *fields[10];
        if (split(line, fields, 10) != 10) continue;
        minheap_cell c;
        memset(&c, 0, sizeof c);
        uint64_t probes;
        if (strlen(fields[0]) >= sizeof c.workload || strlen(fields[2]) >= sizeof c.collector ||
            strlen(fields[3]) >= sizeof c.allocator || strlen(fields[8]) >= sizeof c.status ||
            !parse_u64(fields[1], &c.size) || !parse_u64(fields[4], &c.min_heap) ||
            !parse_u64(fields[5], &c.failed) || !parse_u64(fields[6], &c.peak) ||
            !parse_u64(fields[7], &probes) || fields[8][0] == '\0')
            continue;
        if (strcmp(fields[8], HL_STATUS_OK) == 0 && c.min_heap == 0) continue;
        strcpy(c.workload, fields[0]);
        strcpy(c.collector, fields[2]);
        strcpy(c.allocator, fields[3]);
        strcpy(c.status, fields[8]);
        hl_report_fmt(c.error, sizeof c.error, "%s", fields[9]);
        c.probes = (int)probes;
        if (table_find(t, c.workload, c.size, c.collector) != NULL) continue;
        minheap_cell *slot = table_add(t);
        if (slot == NULL) break;
        *slot = c;
    }
    fclose(f);
}

static bool table_write_cb(FILE *out, void *data) {
    const minheap_table *t = data;
    fprintf(out, "%s\n", MINHEAP_HEADER);
    for (size_t i = 0; i < t->count; i++) {
        const minheap_cell *c = &t->cells[i];
        char error[256];
        hl_report_fmt(error, sizeof error, "%s", c->error);
        for (char *p = error; *p; p++)
            if (*p == ',' || *p == '\n' || *p == '\r') *p = ';';
        fprintf(out, "%s,%" PRIu64 ",%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%d,%s,%s\n",
                c->workload, c->size, c->collector, c->allocator, c->min_heap, c->failed, c->peak,
                c->probes, c->status, error);
    }
    return !ferror(out);
}

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
    table_read(b->out, &t);
    char path[PATH_MAX];
    hl_batch_path_join(path, sizeof path, b->out, MINHEAP_FILE, NULL);
    bool ok = true;
    for (size_t i = 0; i < b->matrix_count && ok; i++) {
        hl_batch_config *c = &b->configs[i];
        if (!wants_cell(b, c)) continue;
        minheap_cell *cell = table_find(&t, c->workload, c->size, c->collector);
        if (cell == NULL) {
            cell = table_add(&t);
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
            if (!hl_results_write_atomic(path, table_write_cb, &t)) {
                hl_report_fmt(error, error_size, "cannot write %s: %s", path, strerror(errno));
                ok = false;
                break;
            }
            /* the finished cell: both pointers into t stay valid until the next add */
            cell = table_find(&t, c->workload, c->size, c->collector);
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
        ok = hl_results_write_atomic(path, table_write_cb, &t);
    free(t.cells);
    return ok;
}

void hl_batch_minheap_print(const hl_batch *b, FILE *out) {
    minheap_table t = {NULL, 0, 0};
    table_read(b->out, &t);
    uint64_t smallest = 0;
    for (size_t i = 0; i < t.count; i++) {
        const minheap_cell *c = &t.cells[i];
        bool ok = strcmp(c->status, HL_STATUS_OK) == 0;
        fprintf(out, "%-28s %10" PRIu64 "  %-12s ", c->workload, c->size, c->collector);
        if (!ok) {
            fprintf(out, "no minimum heap (%s)\n", c->status);
            continue;
        }
        char text[32];
        hl_measure_format_bytes((double)c->min_heap, text, sizeof text);
        smallest = 0;
        for (size_t k = 0; k < t.count; k++)
            if (t.cells[k].size == c->size && strcmp(t.cells[k].workload, c->workload) == 0 &&
                strcmp(t.cells[k].status, HL_STATUS_OK) == 0 &&
                (smallest == 0 || t.cells[k].min_heap < smallest))
                smallest = t.cells[k].min_heap;
        fprintf(out, "%12s  %5.2fx the smallest  (%d probes)\n", text,
                (double)c->min_heap / (double)smallest, c->probes);
    }
    free(t.cells);
}
