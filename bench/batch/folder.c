/* The batch's folder: making it, its default name, and merging the finished rows into
 * results.csv, results.json and timelines/index.csv. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "bench/batch/internal.h"

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
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        hl_report_fmt(error, error_size, "%s is not a folder", path);
        return false;
    }
    return true;
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

static bool read_row(const hl_batch *b, const hl_batch_config *c, hl_result_row *row) {
    char path[PATH_MAX];
    hl_batch_path_join(path, sizeof path, b->out, c->timeline ? "timelines/" : "runs/", c->slug);
    strncat(path, ".csv", sizeof path - strlen(path) - 1);
    hl_result_row *rows = NULL;
    size_t count = 0;
    char error[256];
    bool ok = hl_results_read_csv(path, &rows, &count, error, sizeof error) && count == 1;
    if (ok) *row = rows[0];
    free(rows);
    return ok;
}

static bool write_results_csv(FILE *out, void *data) {
    merge_job *job = data;
    hl_results_write_csv_header(out);
    for (size_t i = 0; i < job->b->matrix_count; i++)
        if (job->rows[i].status[0]) hl_results_write_csv_row(out, &job->rows[i]);
    return true;
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
        char path[PATH_MAX], error[PATH_MAX + 256];
        hl_batch_path_join(path, sizeof path, b->out, "runs/", b->configs[i].slug);
        strncat(path, ".json", sizeof path - strlen(path) - 1);
        size_t appended = 0;
        bool usable = strcmp(row->status, HL_STATUS_CRASHED) != 0 &&
                      strcmp(row->status, HL_STATUS_TIMEOUT) != 0 &&
                      hl_results_json_append_file(doc, path, &appended, error, sizeof error) &&
                      appended > 0;
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
