/* The batch's folder: making it, its default name, and merging the finished rows into
 * results.csv, results.json and timelines/index.csv. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "bench/batch/internal.h"
#include "bench/harness/measure.h"
#include "bench/report/intervals.h"

bool hl_batch_path_join(char *out, size_t size, const char *dir, const char *a, const char *b) {
    int n = hl_report_fmt(out, size, "%s/%s%s", dir, a, b ? b : "");
    return n > 0 && (size_t)n < size;
}

bool hl_batch_make_dir(const char *path, char *error, size_t error_size) {
    char tmp[PATH_MAX];
    hl_report_fmt(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) break;
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
        hl_report_fmt(error, error_size, "cannot create %s: %s", path, strerror(errno));
        return false;
    }
    /* A subfolder planted as a symbolic link would make every write in it land outside
     * the results folder: refuse it (lstat: "DIR/" itself may be a link the user gave). */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        hl_report_fmt(error, error_size,
                      "%s is a symbolic link: heaplab writes only into the results folder's "
                      "own subfolders",
                      path);
        return false;
    }
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        hl_report_fmt(error, error_size, "%s is not a folder", path);
        return false;
    }
    return true;
}

bool hl_batch_lock(const char *dir, char *error, size_t error_size) {
    char path[PATH_MAX];
    if (!hl_batch_path_join(path, sizeof path, dir, ".lock", NULL)) {
        hl_report_fmt(error, error_size, "%s: the path is too long", dir);
        return false;
    }
    /* Held until the process ends (the descriptor is never closed); not inherited by
     * the children's programs. */
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        hl_report_fmt(error, error_size, "cannot open %s: %s", path, strerror(errno));
        return false;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char holder[32] = "";
        ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
        holder[n > 0 ? n : 0] = '\0';
        holder[strcspn(holder, "\n")] = '\0';
        hl_report_fmt(error, error_size,
                      "%s is in use by another heaplab batch%s%s%s; wait for it to end or stop it",
                      dir, holder[0] ? " (pid " : "", holder, holder[0] ? ")" : "");
        close(fd);
        return false;
    }
    char pid[32];
    int len = hl_report_fmt(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
        /* the lock holds without the pid; the message then names no process */
    }
    return true;
}

void hl_batch_remove_temporaries(const char *dir) {
    const char *subs[] = {"", "runs/", "timelines/"};
    for (size_t s = 0; s < 3; s++) {
        char path[PATH_MAX];
        if (!hl_batch_path_join(path, sizeof path, dir, subs[s], NULL)) continue;
        DIR *d = opendir(path);
        if (d == NULL) continue;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            const char *tmp = strstr(e->d_name, ".tmp.");
            if (tmp == NULL || tmp[5] == '\0' || strspn(tmp + 5, "0123456789") != strlen(tmp + 5))
                continue;
            char file[PATH_MAX + 256];
            hl_report_fmt(file, sizeof file, "%s%s", path, e->d_name);
            unlink(file);
        }
        closedir(d);
    }
}

bool hl_batch_file_exists(const char *path) {
    return access(path, F_OK) == 0;
}

bool hl_batch_dir_is_empty(const char *path) {
    DIR *d = opendir(path);
    if (d == NULL) return true;
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = false;
    closedir(d);
    return empty;
}

void hl_batch_utc_now(char *buf, size_t size, const char *format) {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, size, format, &tm);
}

/* results/ in the source tree when it is there (a checkout), else ./results. */
void hl_batch_default_out(hl_batch *b) {
    char stamp[32];
    hl_batch_utc_now(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ");
    const char *preset = b->custom ? "custom" : b->preset->name;
    char base[PATH_MAX];
    hl_report_fmt(base, sizeof base, "%s/results", HEAPLAB_SOURCE_DIR);
    struct stat st;
    if (!(stat(base, &st) == 0 && S_ISDIR(st.st_mode) && access(base, W_OK) == 0))
        hl_report_fmt(base, sizeof base, "results");
    hl_report_fmt(b->out, sizeof b->out, "%s/%s-%s", base, stamp, preset);
    /* two batches in the same second get distinct folders */
    for (int i = 2; hl_batch_file_exists(b->out) && i < 100; i++)
        hl_report_fmt(b->out, sizeof b->out, "%s/%s-%s-%d", base, stamp, preset, i);
}

/* ---- merge ------------------------------------------------------------------ */

typedef struct merge_job {
    const hl_batch *b;
    hl_result_row *rows; /* matrix_count, NULL status: missing */
} merge_job;

/* The one row of a row file (an invocation's or a configuration's). */
static bool read_row_file(const char *path, hl_result_row *row) {
    hl_result_row *rows = NULL;
    size_t count = 0;
    char error[256];
    bool ok = hl_results_read_csv(path, &rows, &count, error, sizeof error) && count == 1;
    if (ok) *row = rows[0];
    free(rows);
    return ok;
}

bool hl_batch_row_file_holds(const char *path, const hl_batch_config *c, hl_result_row *row) {
    hl_result_row mine;
    if (!read_row_file(path, &mine)) return false;
    bool same = strcmp(mine.workload, c->workload) == 0 && mine.size == c->size &&
                strcmp(mine.allocator, c->allocator) == 0 &&
                strcmp(mine.collector, c->collector) == 0 && mine.heap_factor == c->heap_factor;
    if (same && row != NULL) *row = mine;
    return same;
}

static bool read_row(const hl_batch *b, const hl_batch_config *c, hl_result_row *row) {
    char path[PATH_MAX];
    hl_batch_path_join(path, sizeof path, b->out, c->timeline ? "timelines/" : "runs/", c->slug);
    strncat(path, ".csv", sizeof path - strlen(path) - 1);
    return hl_batch_row_file_holds(path, c, row);
}

static bool write_one_row(FILE *out, void *data) {
    hl_results_write_csv_header(out);
    hl_results_write_csv_row(out, data);
    return true;
}

/* The configuration's row from its invocations' rows: each figure the median over the
 * invocations that measured it, the spreads (time, peak RSS) over them, repetitions =
 * how many ran, the status and error of the first that is not ok. Written atomically
 * to runs/<slug>.csv, the configuration's "finished" mark. */
/* An invocation's samples of interval figure `i` (its timed repetitions, from its
 * Google Benchmark JSON `doc`, NULL when unreadable), into values (at most max); none
 * when it has none: the caller then takes the invocation's row. */
static size_t read_samples(json_t *doc, size_t i, double *values, size_t max) {
    json_t *entries = doc ? json_object_get(doc, "benchmarks") : NULL;
    const char *name = hl_results_figure_name(hl_results_interval_figure(i));
    const char *key = strcmp(name, "real_time_ns") == 0   ? "real_time"
                      : strcmp(name, "cpu_time_ns") == 0 ? "cpu_time"
                                                          : name;
    size_t n = 0;
    for (size_t e = 0; e < json_array_size(entries) && n < max; e++) {
        json_t *entry = json_array_get(entries, e);
        const char *type = json_string_value(json_object_get(entry, "run_type"));
        const char *unit = json_string_value(json_object_get(entry, "time_unit"));
        if (type == NULL || strcmp(type, "iteration") != 0 ||
            json_is_true(json_object_get(entry, "error_occurred")))
            continue;
        if (key != name && (unit == NULL || strcmp(unit, "ns") != 0)) continue;
        json_t *v = json_object_get(entry, key);
        if (json_is_number(v) && isfinite(json_number_value(v))) values[n++] = json_number_value(v);
    }
    return n;
}

/* The row's intervals (HL_RESULT_INTERVALS) over its n invocations' samples. */
static void row_intervals(const hl_batch *b, const hl_batch_config *c, const hl_result_row *inv,
                          size_t n, hl_result_row *row) {
    enum { MAX_SAMPLES = 1000 };
    double *storage = calloc(n * MAX_SAMPLES, sizeof *storage);
    const double **samples = calloc(n, sizeof *samples);
    size_t *counts = calloc(n, sizeof *counts);
    json_t **docs = calloc(n, sizeof *docs); /* each invocation's JSON, read once */
    for (size_t k = 0; docs != NULL && k < n; k++) {
        char path[PATH_MAX];
        hl_batch_invocation_path(b, c, (int)k, ".json", path, sizeof path);
        docs[k] = json_load_file(path, 0, NULL);
    }
    for (size_t i = 0; docs != NULL && storage != NULL && samples != NULL && counts != NULL &&
                       i < hl_results_interval_count();
         i++) {
        size_t f = hl_results_interval_figure(i), usable = 0;
        for (size_t k = 0; k < n; k++) {
            double *mine = storage + usable * MAX_SAMPLES;
            size_t got = read_samples(docs[k], i, mine, MAX_SAMPLES);
            if (got == 0 && isfinite(hl_results_figure(&inv[k], f))) {
                mine[0] = hl_results_figure(&inv[k], f);
                got = 1;
            }
            if (got == 0) continue;
            samples[usable] = mine;
            counts[usable++] = got;
        }
        hl_interval_hierarchical(samples, counts, usable, &row->ci_low[i], &row->ci_high[i]);
    }
    for (size_t k = 0; docs != NULL && k < n; k++)
        json_decref(docs[k]);
    free(docs);
    free(storage);
    free(samples);
    free(counts);
}

bool hl_batch_finish_config(const hl_batch *b, const hl_batch_config *c) {
    hl_result_row *inv = calloc((size_t)c->invocations, sizeof *inv);
    double *values = calloc((size_t)c->invocations, sizeof *values);
    size_t n = 0;
    for (int k = 0; inv != NULL && values != NULL && k < c->invocations; k++) {
        char path[PATH_MAX];
        hl_batch_invocation_path(b, c, k, ".csv", path, sizeof path);
        if (hl_batch_row_file_holds(path, c, &inv[n])) n++;
    }
    if (n == 0) {
        free(inv);
        free(values);
        return false;
    }
    hl_result_row row = inv[0];
    row.repetitions = (int)n;
    for (size_t f = 0; f < hl_results_figure_count(); f++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            double v = hl_results_figure(&inv[i], f);
            if (isfinite(v)) values[m++] = v;
        }
        *hl_results_figure_slot(&row, f) = m ? hl_measure_median(values, m) : NAN;
    }
    const char *spread[2] = {"real_time_ns", "peak_rss_bytes"};
    double *out[2] = {&row.real_time_ns_stddev, &row.peak_rss_bytes_stddev};
    for (size_t s = 0; s < 2; s++) {
        int f = hl_results_figure_index(spread[s]);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            double v = hl_results_figure(&inv[i], (size_t)f);
            if (isfinite(v)) values[m++] = v;
        }
        *out[s] = m >= 2 ? hl_measure_stddev(values, m) : NAN;
    }
    bool all_ok = true;
    for (size_t i = 0; i < n; i++)
        if (strcmp(inv[i].status, HL_STATUS_OK) != 0) {
            hl_report_fmt(row.status, sizeof row.status, "%s", inv[i].status);
            hl_report_fmt(row.error, sizeof row.error, "%s", inv[i].error);
            all_ok = false;
            break;
        }
    for (size_t i = 0; i < HL_RESULT_INTERVAL_COUNT; i++)
        row.ci_low[i] = row.ci_high[i] = NAN;
    if (all_ok) row_intervals(b, c, inv, n, &row);
    free(inv);
    free(values);
    char path[PATH_MAX];
    hl_batch_path_join(path, sizeof path, b->out, "runs/", c->slug);
    strncat(path, ".csv", sizeof path - strlen(path) - 1);
    return hl_results_write_atomic(path, write_one_row, &row);
}

static bool write_results_csv(FILE *out, void *data) {
    merge_job *job = data;
    hl_results_write_csv_header(out);
    for (size_t i = 0; i < job->b->matrix_count; i++)
        if (job->rows[i].status[0]) hl_results_write_csv_row(out, &job->rows[i]);
    return true;
}

/* An entry's name without its run settings: Google Benchmark names a run
 * "w/n/a/c/min_time:T/min_warmup_time:W/repeats:S/real_time" (or "iterations:1" for a
 * fixed count), and compare.py pairs entries of two files by exact name, so a quick and
 * a full batch (other min times, other repetition counts) would never meet. The name
 * keeps what the configuration is ("w/n/a/c") and how it is timed ("real_time"); how
 * often and how long it ran stays in the entry's "repetitions" and "iterations"
 * (docs/decisions.md). Applied to "name" and "run_name" alike, so they stay equal. */
static bool is_run_setting(const char *segment, size_t len) {
    static const char *const settings[] = {"min_time:", "min_warmup_time:", "repeats:",
                                           "iterations:"};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        size_t k = strlen(settings[i]);
        if (len >= k && strncmp(segment, settings[i], k) == 0) return true;
    }
    return false;
}

static void rename_repeats(json_t *entry, const char *key) {
    const char *name = json_string_value(json_object_get(entry, key));
    if (name == NULL) return;
    char renamed[1024];
    size_t used = 0;
    for (const char *p = name; *p;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (!is_run_setting(p, len)) {
            if (used + len + 2 > sizeof renamed) return; /* too long: left as it is */
            if (used) renamed[used++] = '/';
            memcpy(renamed + used, p, len);
            used += len;
        }
        p += len + (slash ? 1 : 0);
    }
    renamed[used] = '\0';
    json_object_set_new(entry, key, hl_results_json_text(renamed));
}

/* Whether a Google Benchmark entry is one of its aggregates (mean, median, ...). */
static bool is_aggregate(json_t *entry) {
    const char *type = json_string_value(json_object_get(entry, "run_type"));
    return type != NULL && strcmp(type, "aggregate") == 0;
}

static bool write_results_json(FILE *out, void *data) {
    merge_job *job = data;
    const hl_batch *b = job->b;
    json_t *doc = hl_results_json_new();
    bool ok =
        doc != NULL &&
        hl_results_json_set_context(doc, "heaplab_batch",
                                    hl_results_json_text(b->custom ? "custom" : b->preset->name)) &&
        hl_results_json_set_context(doc, "heaplab_configurations",
                                    json_integer((json_int_t)b->matrix_count));
    for (size_t i = 0; ok && i < b->matrix_count; i++) {
        const hl_result_row *row = &job->rows[i];
        if (!row->status[0]) continue;
        const hl_batch_config *c = &b->configs[i];
        bool usable = strcmp(row->status, HL_STATUS_CRASHED) != 0 &&
                      strcmp(row->status, HL_STATUS_TIMEOUT) != 0;
        json_t *entries = json_object_get(doc, "benchmarks");
        size_t first = json_array_size(entries);
        for (int k = 0; usable && k < row->repetitions; k++) {
            char path[PATH_MAX], error[PATH_MAX + 256];
            hl_batch_invocation_path(b, c, k, ".json", path, sizeof path);
            size_t appended = 0;
            if (!hl_results_json_append_file(doc, path, &appended, error, sizeof error)) continue;
            /* keep the invocation's runs (its aggregates are of one process only),
             * each marked with its invocation and its repetition there */
            for (size_t e = json_array_size(entries) - appended; e < json_array_size(entries);) {
                json_t *entry = json_array_get(entries, e);
                if (is_aggregate(entry)) {
                    json_array_remove(entries, e);
                    continue;
                }
                json_object_set_new(entry, "heaplab_invocation", json_integer(k));
                if (row->host[0]) json_object_set_new(entry, "host", hl_results_json_text(row->host));
                json_object_set(entry, "heaplab_sample", json_object_get(entry, "repetition_index"));
                e++;
            }
        }
        /* number them as Google Benchmark numbers the repetitions of one process */
        size_t total = json_array_size(entries) - first;
        for (size_t e = first; e < json_array_size(entries); e++) {
            json_t *entry = json_array_get(entries, e);
            json_object_set_new(entry, "repetitions", json_integer((json_int_t)total));
            json_object_set_new(entry, "repetition_index", json_integer((json_int_t)(e - first)));
            rename_repeats(entry, "name");
            rename_repeats(entry, "run_name");
        }
        /* the configuration's intervals on each of its entries */
        for (size_t e = first; e < json_array_size(entries); e++)
            for (size_t i = 0; i < hl_results_interval_count(); i++) {
                const char *name = hl_results_figure_name(hl_results_interval_figure(i));
                char key[96];
                hl_report_fmt(key, sizeof key, "%s_ci_low", name);
                if (isfinite(row->ci_low[i]))
                    json_object_set_new(json_array_get(entries, e), key, json_real(row->ci_low[i]));
                hl_report_fmt(key, sizeof key, "%s_ci_high", name);
                if (isfinite(row->ci_high[i]))
                    json_object_set_new(json_array_get(entries, e), key,
                                        json_real(row->ci_high[i]));
            }
        usable = usable && total > 0;
        if (!usable) ok = hl_results_json_add_failed_entry(doc, row);
    }
    ok = ok && hl_results_json_dump(doc, out);
    json_decref(doc);
    return ok;
}

/* results.csv and results.json from the row files; returns how many rows exist. */
size_t hl_batch_merge(const hl_batch *b, bool *ok) {
    merge_job job = {b, calloc(b->matrix_count, sizeof(hl_result_row))};
    size_t done = 0;
    *ok = job.rows != NULL;
    if (*ok) {
        for (size_t i = 0; i < b->matrix_count; i++)
            if (read_row(b, &b->configs[i], &job.rows[i]))
                done++;
            else
                job.rows[i].status[0] = '\0';
        char path[PATH_MAX];
        hl_batch_path_join(path, sizeof path, b->out, "results.csv", NULL);
        *ok = hl_results_write_atomic(path, write_results_csv, &job);
        hl_batch_path_join(path, sizeof path, b->out, "results.json", NULL);
        *ok = hl_results_write_atomic(path, write_results_json, &job) && *ok;
    }
    free(job.rows);
    return done;
}

/* timelines/index.csv: which timeline file is which run, and how it ended. */
bool hl_batch_write_timeline_index(FILE *out, void *data) {
    const hl_batch *b = data;
    hl_results_write_csv_header(out);
    for (size_t i = b->matrix_count; i < b->config_count; i++) {
        hl_result_row row;
        if (read_row(b, &b->configs[i], &row)) hl_results_write_csv_row(out, &row);
    }
    return true;
}
