/* heaplab merge, step 3 (merge.h): write OUT from shards that merge_check.c accepted.
 *
 * OUT must be new or empty; it is locked (OUT/.lock, flock) while it is written, and
 * every file is made inside it: runs/ and timelines/ entries are hard links to the
 * shards' files (a copy when the shards are on another file system), never through a
 * symbolic link (entries that are not regular files are skipped). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/report/merge.h"
#include "bench/report/report.h"

static hl_merge_outcome fail(hl_merge_outcome outcome, char *error, size_t error_size,
                             const char *format, ...) __attribute__((format(printf, 4, 5)));
static hl_merge_outcome fail(hl_merge_outcome outcome, char *error, size_t error_size,
                             const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vsnprintf(error, error_size, format, ap);
    va_end(ap);
    return outcome;
}

/* ---- OUT and its files ---- */

static bool make_dir(const char *path) {
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        mkdir(tmp, 0755);
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return false;
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool dir_is_empty(const char *path) {
    DIR *d = opendir(path);
    if (d == NULL) return errno == ENOENT;
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* Held until the process ends, as a batch holds its folder's. */
static bool lock_out(const char *out) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/.lock", out);
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return false;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || write(fd, pid, (size_t)n) != n) return true; /* still held */
    return true;
}

static bool copy_file(int from_dir, int to_dir, const char *name) {
    int in = openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0) return false;
    int out = openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    bool ok = out >= 0;
    char buf[65536];
    ssize_t n;
    while (ok && (n = read(in, buf, sizeof buf)) > 0)
        ok = write(out, buf, (size_t)n) == n;
    ok = ok && n == 0;
    close(in);
    if (out >= 0 && close(out) != 0) ok = false;
    return ok;
}

/* Every regular file of SHARD/sub into OUT/sub (but `skip`): a hard link, or a copy.
 * False with *error when a name is in two shards or a file cannot be made. */
static bool link_files(const char *shard, const char *out, const char *sub, const char *skip,
                       char *error, size_t error_size) {
    char from[PATH_MAX], to[PATH_MAX];
    snprintf(from, sizeof from, "%s/%s", shard, sub);
    snprintf(to, sizeof to, "%s/%s", out, sub);
    int from_fd = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (from_fd < 0) return errno == ENOENT; /* a shard without timelines */
    int to_fd = open(to, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = to_fd >= 0 ? fdopendir(dup(from_fd)) : NULL;
    bool ok = d != NULL;
    if (!ok)
        snprintf(error, error_size, "merge: cannot open %s or %s: %s", from, to, strerror(errno));
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        struct stat st;
        if (e->d_name[0] == '.' || (skip && strcmp(e->d_name, skip) == 0)) continue;
        if (fstatat(from_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (linkat(from_fd, e->d_name, to_fd, e->d_name, 0) == 0) continue;
        if (errno == EEXIST) {
            snprintf(error, error_size, "merge: %s/%s is in two shards (the second: %s)", sub,
                     e->d_name, shard);
            ok = false;
        } else if (!copy_file(from_fd, to_fd, e->d_name)) {
            snprintf(error, error_size, "merge: cannot write %s/%s: %s", to, e->d_name,
                     strerror(errno));
            ok = false;
        }
    }
    if (d != NULL) closedir(d);
    close(from_fd);
    if (to_fd >= 0) close(to_fd);
    return ok;
}

/* ---- rows ---- */

typedef struct rows_job {
    const hl_result_row *rows;
    size_t count;
} rows_job;

static bool write_rows(FILE *out, void *data) {
    const rows_job *j = data;
    hl_results_write_csv_header(out);
    for (size_t i = 0; i < j->count; i++)
        hl_results_write_csv_row(out, &j->rows[i]);
    return true;
}

static int by_cell_host(const void *a, const void *b) {
    const hl_result_row *x = *(const hl_result_row *const *)a,
                        *y = *(const hl_result_row *const *)b;
    int c = strcmp(x->workload, y->workload);
    if (c == 0) c = (x->size > y->size) - (x->size < y->size);
    return c != 0 ? c : strcmp(x->host, y->host);
}

/* Every shard's rows, each with its host (a row from before hosts were recorded takes
 * its shard's); false with *error when one cell's rows name two hosts (a shard resumed
 * on another machine: its cell's ratios would divide figures from two hosts). A cell is
 * in one shard (merge_check.c), so each shard's rows are checked alone, sorted by cell
 * and host. */
static bool gather_rows(const hl_merge_shard *shards, size_t n, rows_job *job, char *error,
                        size_t error_size) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += shards[i].row_count;
    hl_result_row *rows = calloc(total ? total : 1, sizeof *rows);
    const hl_result_row **sorted = calloc(total ? total : 1, sizeof *sorted);
    if (rows == NULL || sorted == NULL) {
        free(rows), free(sorted);
        snprintf(error, error_size, "merge: out of memory");
        return false;
    }
    size_t k = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        size_t first = k;
        for (size_t r = 0; r < shards[i].row_count; r++, k++) {
            rows[k] = shards[i].rows[r];
            if (rows[k].host[0] == '\0')
                snprintf(rows[k].host, sizeof rows[k].host, "%s", shards[i].host);
            sorted[k - first] = &rows[k];
        }
        qsort(sorted, k - first, sizeof *sorted, by_cell_host);
        for (size_t r = 1; ok && r < k - first; r++) {
            const hl_result_row *x = sorted[r - 1], *y = sorted[r];
            if (x->size == y->size && strcmp(x->workload, y->workload) == 0 &&
                strcmp(x->host, y->host) != 0) {
                snprintf(error, error_size,
                         "merge: cell %s/%llu ran on two hosts (%s, %s; in %s): run that shard "
                         "again on one host",
                         x->workload, (unsigned long long)x->size, x->host, y->host, shards[i].dir);
                ok = false;
            }
        }
    }
    free(sorted);
    if (!ok) {
        free(rows);
        return false;
    }
    job->rows = rows;
    job->count = k;
    return true;
}

static bool write_timeline_index(const hl_merge_shard *shards, size_t n, const char *out) {
    hl_result_row *all = NULL;
    size_t count = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        char path[PATH_MAX], why[PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/timelines/index.csv", shards[i].dir);
        hl_result_row *rows = NULL;
        size_t got = 0;
        if (access(path, F_OK) != 0) continue;
        if (!hl_results_read_csv(path, &rows, &got, why, sizeof why)) continue;
        hl_result_row *bigger = realloc(all, (count + got + 1) * sizeof *all);
        ok = bigger != NULL;
        if (ok) {
            all = bigger;
            memcpy(all + count, rows, got * sizeof *rows);
            count += got;
        }
        free(rows);
    }
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/timelines/index.csv", out);
    rows_job job = {all, count};
    ok = ok && hl_results_write_atomic(path, write_rows, &job);
    free(all);
    return ok;
}

/* ---- results.json ---- */

static bool write_json(FILE *out, void *data) {
    return hl_results_json_dump(data, out);
}

/* The first shard's document (its context), every shard's entries after it, each
 * entry with its host. */
static bool write_results_json(const hl_merge_shard *shards, size_t n, size_t rows, const char *out,
                               char *error, size_t error_size) {
    char path[PATH_MAX], why[PATH_MAX + 256];
    json_t *doc = hl_results_json_new();
    bool ok = doc != NULL;
    json_t *entries = json_object_get(doc, "benchmarks");
    for (size_t i = 0; ok && i < n; i++) {
        snprintf(path, sizeof path, "%s/results.json", shards[i].dir);
        size_t before = json_array_size(entries), appended = 0;
        ok = hl_results_json_append_file(doc, path, &appended, why, sizeof why);
        if (!ok) snprintf(error, error_size, "merge: %s", why);
        for (size_t e = before; ok && e < json_array_size(entries); e++) {
            json_t *entry = json_array_get(entries, e);
            if (json_object_get(entry, "host") == NULL)
                json_object_set_new(entry, "host", hl_results_json_text(shards[i].host));
        }
    }
    json_t *hosts = json_array();
    for (size_t i = 0; ok && hosts && i < n; i++) {
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            seen = seen || strcmp(shards[k].host, shards[i].host) == 0;
        if (!seen) json_array_append_new(hosts, hl_results_json_text(shards[i].host));
    }
    ok = ok && hosts != NULL &&
         hl_results_json_set_context(doc, "heaplab_batch", hl_results_json_text("merged")) &&
         hl_results_json_set_context(doc, "heaplab_configurations",
                                     json_integer((json_int_t)rows)) &&
         hl_results_json_set_context(doc, "heaplab_shards", json_integer((json_int_t)n)) &&
         hl_results_json_set_context(doc, "heaplab_hosts", json_incref(hosts));
    json_decref(hosts);
    snprintf(path, sizeof path, "%s/results.json", out);
    if (ok && !hl_results_write_atomic(path, write_json, doc)) {
        snprintf(error, error_size, "merge: cannot write %s", path);
        ok = false;
    }
    json_decref(doc);
    return ok;
}

/* ---- manifest.json ---- */

/* The first shard's manifest (batch, build, versions, reference) with the batch's
 * arguments and counts for the whole batch, then "shards" (each folder: index, host,
 * cells, configurations, started, finished) and "hosts" (each machine as its shard's
 * manifest describes it, with the shards and cells it ran). */
static json_t *merged_manifest(const hl_merge_shard *shards, size_t n, char *const *dirs,
                               size_t ndirs) {
    json_t *doc = json_deep_copy(shards[0].manifest);
    if (doc == NULL) return NULL;
    json_object_del(doc, "host");
    json_object_del(doc, "shard");
    json_t *batch = json_object_get(doc, "batch");
    json_int_t done = 0, total = 0;
    const char *started = NULL, *finished = NULL;
    json_t *list = json_array(), *hosts = json_array(), *folders = json_array();
    bool ok = json_is_object(batch) && list && hosts && folders;
    for (size_t i = 0; ok && i < n; i++) {
        const json_t *b = json_object_get(shards[i].manifest, "batch");
        done += json_integer_value(json_object_get(b, "configurations_done"));
        total += json_integer_value(json_object_get(b, "configurations_total"));
        const char *s = json_string_value(json_object_get(b, "started"));
        const char *f = json_string_value(json_object_get(b, "finished"));
        if (s && (!started || strcmp(s, started) < 0)) started = s;
        if (f && (!finished || strcmp(f, finished) > 0)) finished = f;
        json_t *one = json_object();
        ok = one && json_array_append_new(list, one) == 0 &&
             json_object_set_new(one, "index", json_integer(shards[i].index)) == 0 &&
             json_object_set_new(one, "folder", hl_results_json_text(shards[i].dir)) == 0 &&
             json_object_set_new(one, "host", hl_results_json_text(shards[i].host)) == 0 &&
             json_object_set_new(one, "configurations",
                                 json_integer((json_int_t)shards[i].row_count)) == 0 &&
             json_object_set(one, "cells", (json_t *)shards[i].cells) == 0 &&
             json_object_set_new(one, "started", hl_results_json_text(s)) == 0 &&
             json_object_set_new(one, "finished", hl_results_json_text(f)) == 0;
        json_t *host = NULL;
        size_t k;
        json_t *h;
        json_array_foreach(hosts, k, h) {
            if (strcmp(json_string_value(json_object_get(h, "name")), shards[i].host) == 0)
                host = h;
        }
        if (ok && host == NULL) {
            json_t *described = json_object_get(shards[i].manifest, "host");
            host = json_is_object(described) ? json_deep_copy(described) : json_object();
            ok = host &&
                 json_object_set_new(host, "name", hl_results_json_text(shards[i].host)) == 0 &&
                 json_object_set_new(host, "shards", json_array()) == 0 &&
                 json_object_set_new(host, "cells", json_array()) == 0 &&
                 json_array_append_new(hosts, host) == 0;
        }
        ok = ok &&
             json_array_append_new(json_object_get(host, "shards"),
                                   json_integer(shards[i].index)) == 0 &&
             json_array_extend(json_object_get(host, "cells"), (json_t *)shards[i].cells) == 0;
    }
    for (size_t i = 0; ok && i < ndirs; i++)
        ok = json_array_append_new(folders, hl_results_json_text(dirs[i])) == 0;
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    json_t *merge = json_object();
    ok = ok && merge && json_object_set_new(doc, "merge", merge) == 0 &&
         json_object_set_new(merge, "merged", hl_results_json_text(now)) == 0 &&
         json_object_set_new(merge, "shard_count", json_integer((json_int_t)n)) == 0 &&
         json_object_set(merge, "folders", folders) == 0 &&
         json_object_set(batch, "arguments", (json_t *)shards[0].args) == 0 &&
         json_object_set_new(batch, "configurations_done", json_integer(done)) == 0 &&
         json_object_set_new(batch, "configurations_total", json_integer(total)) == 0 &&
         json_object_set_new(batch, "started", hl_results_json_text(started)) == 0 &&
         json_object_set_new(batch, "finished", hl_results_json_text(finished)) == 0 &&
         json_object_set(doc, "shards", list) == 0 && json_object_set(doc, "hosts", hosts) == 0;
    json_decref(list);
    json_decref(hosts);
    json_decref(folders);
    if (!ok) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* ---- the merge ---- */

static hl_merge_outcome write_out(const char *out, hl_merge_shard *shards, size_t n,
                                  char *const *dirs, char *error, size_t error_size) {
    char path[PATH_MAX];
    if (strlen(out) + 300 >= PATH_MAX)
        return fail(HL_MERGE_REFUSED, error, error_size, "merge: OUT %s: the path is too long",
                    out);
    if (!dir_is_empty(out))
        return fail(HL_MERGE_REFUSED, error, error_size,
                    "merge: %s exists and is not empty (name a new folder)", out);
    const char *subdirs[] = {"", "runs", "timelines", "charts"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", out, subdirs[i]);
        if (!make_dir(path))
            return fail(i == 0 ? HL_MERGE_REFUSED : HL_MERGE_ERROR, error, error_size,
                        "merge: cannot create %s: %s", path, strerror(errno));
    }
    if (!lock_out(out))
        return fail(HL_MERGE_ERROR, error, error_size, "merge: %s is in use by another heaplab",
                    out);
    rows_job rows = {NULL, 0};
    if (!gather_rows(shards, n, &rows, error, error_size)) return HL_MERGE_REFUSED;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = link_files(shards[i].dir, out, "runs", NULL, error, error_size) &&
             link_files(shards[i].dir, out, "timelines", "index.csv", error, error_size);
    snprintf(path, sizeof path, "%s/results.csv", out);
    if (ok && !hl_results_write_atomic(path, write_rows, &rows)) {
        snprintf(error, error_size, "merge: cannot write %s", path);
        ok = false;
    }
    ok = ok && write_results_json(shards, n, rows.count, out, error, error_size);
    free((void *)rows.rows);
    if (ok && !write_timeline_index(shards, n, out)) {
        snprintf(error, error_size, "merge: cannot write %s/timelines/index.csv", out);
        ok = false;
    }
    hl_minheap_table heaps = {NULL, 0, 0};
    for (size_t i = 0; i < n; i++)
        hl_minheap_read(shards[i].dir, &heaps);
    snprintf(path, sizeof path, "%s/%s", out, HL_MINHEAP_FILE);
    if (ok && heaps.count > 0 && !hl_minheap_write(path, &heaps)) {
        snprintf(error, error_size, "merge: cannot write %s", path);
        ok = false;
    }
    free(heaps.cells);
    json_t *manifest = ok ? merged_manifest(shards, n, dirs, n) : NULL;
    snprintf(path, sizeof path, "%s/manifest.json", out);
    if (ok && (manifest == NULL || !hl_results_write_atomic(path, write_json, manifest))) {
        snprintf(error, error_size, "merge: cannot write %s", path);
        ok = false;
    }
    json_decref(manifest);
    if (!ok) return HL_MERGE_ERROR;
    /* the charts and report.html, as a batch draws them at its end */
    hl_chart_list charts;
    memset(&charts, 0, sizeof charts);
    bool drawn = hl_plot_draw(out, &charts, error, error_size);
    char report_error[512];
    if (!hl_report_write(out, &charts, report_error, sizeof report_error))
        return fail(HL_MERGE_ERROR, error, error_size, "merge: %s", report_error);
    return drawn ? HL_MERGE_DONE : HL_MERGE_ERROR;
}

hl_merge_outcome hl_merge(const char *out, char *const *dirs, size_t count, char *error,
                          size_t error_size) {
    hl_merge_shard *shards = calloc(count, sizeof *shards);
    if (shards == NULL) return fail(HL_MERGE_ERROR, error, error_size, "merge: out of memory");
    hl_merge_outcome outcome = HL_MERGE_REFUSED;
    if (hl_merge_read_and_check(dirs, count, shards, error, error_size))
        outcome = write_out(out, shards, count, dirs, error, error_size);
    hl_merge_free_shards(shards, count);
    free(shards);
    return outcome;
}
