/* heaplab results: the schema's names and figures, and atomic files
 * (bench/report/results.h). The two formats have a file each: results_csv.c (rows) and
 * results_json.c (Google Benchmark JSON). */
#include "bench/report/results.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- names ------------------------------------------------------------------ */

static const char *const hl_figure_names[] = {
#define HL_RESULT_NAME(name) #name,
    HL_RESULT_FIGURES(HL_RESULT_NAME)
#undef HL_RESULT_NAME
};
#define HL_FIGURE_COUNT (sizeof hl_figure_names / sizeof hl_figure_names[0])

double *hl_results_figure_slot(hl_result_row *row, size_t index) {
    double *slots[] = {
#define HL_RESULT_SLOT(name) &row->name,
        HL_RESULT_FIGURES(HL_RESULT_SLOT)
#undef HL_RESULT_SLOT
    };
    return slots[index];
}

static double figure_value(const hl_result_row *row, size_t index) {
    return *hl_results_figure_slot((hl_result_row *)row, index);
}

void hl_results_slug(const char *workload, uint64_t size, const char *allocator,
                     const char *collector, double heap_factor, char *out, size_t out_size) {
    char w[64];
    snprintf(w, sizeof w, "%s", workload);
    for (char *p = w; *p; p++)
        if (*p == '/') *p = '-';
    if (heap_factor > 0)
        snprintf(out, out_size, "%s_%llu_%s_%s_h%g", w, (unsigned long long)size, allocator,
                 collector, heap_factor);
    else
        snprintf(out, out_size, "%s_%llu_%s_%s", w, (unsigned long long)size, allocator,
                 collector);
}

void hl_results_row_slug(const hl_result_row *row, char *out, size_t out_size) {
    hl_results_slug(row->workload, row->size, row->allocator, row->collector, row->heap_factor,
                    out, out_size);
}

void hl_results_config_name(const hl_result_row *row, char *out, size_t out_size) {
    if (row->heap_factor > 0)
        snprintf(out, out_size, "%s/%llu/%s/%s/heap:%gx", row->workload,
                 (unsigned long long)row->size, row->allocator, row->collector, row->heap_factor);
    else
        snprintf(out, out_size, "%s/%llu/%s/%s", row->workload, (unsigned long long)row->size,
                 row->allocator, row->collector);
}

/* ---- atomic files ----------------------------------------------------------- */

/* Write into a FIFO or a device at `path` (not a regular file: nothing to replace). */
static bool write_through(const char *path, bool (*write)(FILE *out, void *data), void *data) {
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return false;
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK); /* a reader is there: wait for it */
    FILE *out = fdopen(fd, "w");
    if (out == NULL) {
        close(fd);
        return false;
    }
    bool ok = write(out, data);
    ok = fflush(out) == 0 && ok;
    return fclose(out) == 0 && ok;
}

bool hl_results_write_atomic(const char *path, bool (*write)(FILE *out, void *data), void *data) {
    struct stat st;
    if (lstat(path, &st) == 0 &&
        (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
        return write_through(path, write, data);
    char tmp[PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp)
        return false;
    unlink(tmp); /* a stale or planted one: replaced, never followed */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (out == NULL) {
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        return false;
    }
    bool ok = write(out, data);
    ok = fflush(out) == 0 && ok;
    ok = ok && fsync(fileno(out)) == 0;
    ok = fclose(out) == 0 && ok;
    if (ok && rename(tmp, path) == 0) return true;
    unlink(tmp);
    return false;
}

/* ---- figures by index ------------------------------------------------------- */

static const char *const hl_interval_names[] = {
#define HL_RESULT_NAME(name) #name,
    HL_RESULT_INTERVALS(HL_RESULT_NAME)
#undef HL_RESULT_NAME
};

size_t hl_results_interval_count(void) {
    return HL_RESULT_INTERVAL_COUNT;
}

size_t hl_results_interval_figure(size_t i) {
    return (size_t)hl_results_figure_index(hl_interval_names[i]);
}

size_t hl_results_figure_count(void) {
    return HL_FIGURE_COUNT;
}

const char *hl_results_figure_name(size_t index) {
    return index < HL_FIGURE_COUNT ? hl_figure_names[index] : NULL;
}

double hl_results_figure(const hl_result_row *row, size_t index) {
    return index < HL_FIGURE_COUNT ? figure_value(row, index) : NAN;
}

int hl_results_figure_index(const char *name) {
    for (size_t f = 0; f < HL_FIGURE_COUNT; f++)
        if (strcmp(hl_figure_names[f], name) == 0) return (int)f;
    return -1;
}

void hl_results_row_init(hl_result_row *row) {
    memset(row, 0, sizeof *row);
    snprintf(row->runtime, sizeof row->runtime, "heaplab");
    row->repetitions = 1;
    for (size_t f = 0; f < HL_FIGURE_COUNT; f++)
        *hl_results_figure_slot(row, f) = NAN;
    row->real_time_ns_stddev = NAN;
    row->peak_rss_bytes_stddev = NAN;
    for (size_t i = 0; i < HL_RESULT_INTERVAL_COUNT; i++)
        row->ci_low[i] = row->ci_high[i] = NAN;
}

void hl_results_this_host(char *out, size_t size) {
    if (size == 0) return;
    if (gethostname(out, size) != 0 || out[0] == '\0') snprintf(out, size, "unknown");
    out[size - 1] = '\0';
}
