/* heaplab merge, steps 1 and 2 (merge.h): read the shard folders and refuse any set
 * that is not the complete, disjoint shards of one batch, with one line that names the
 * folders (or the missing shard numbers). */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/report/merge.h"
#include "bench/report/report.h"

static bool refuse(char *error, size_t error_size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static bool refuse(char *error, size_t error_size, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vsnprintf(error, error_size, format, ap);
    va_end(ap);
    return false;
}

static const char *text_at(const json_t *obj, const char *section, const char *key) {
    const char *v = json_string_value(json_object_get(json_object_get(obj, section), key));
    return v != NULL ? v : "unknown";
}

/* The arguments as one line ("--sizes 1000 --repetitions 2"). */
static void args_line(const json_t *args, char *out, size_t size) {
    size_t i, used = 0;
    const json_t *a;
    out[0] = '\0';
    json_array_foreach(args, i, a) {
        int n = snprintf(out + used, size - used, "%s%s", used ? " " : "",
                         json_string_value(a) ? json_string_value(a) : "?");
        if (n < 0 || (size_t)n >= size - used) break;
        used += (size_t)n;
    }
}

static bool read_shard(hl_merge_shard *s, char *error, size_t error_size) {
    char path[PATH_MAX], why[PATH_MAX + 256];
    if ((size_t)snprintf(path, sizeof path, "%s/manifest.json", s->dir) >= sizeof path)
        return refuse(error, error_size, "merge: %s: the path is too long", s->dir);
    s->manifest = hl_results_json_load(path, 0, NULL, why, sizeof why);
    if (!json_is_object(s->manifest))
        return refuse(error, error_size, "merge: %s is not a results folder (%s)", s->dir, why);
    const json_t *shard = json_object_get(s->manifest, "shard");
    json_int_t count = json_integer_value(json_object_get(shard, "count"));
    json_int_t index = json_integer_value(json_object_get(shard, "index"));
    s->args = json_object_get(shard, "batch_arguments");
    s->cells = json_object_get(shard, "cells");
    if (!json_is_object(shard) || count <= 0 || index < 0 || index >= count ||
        !json_is_array(s->args) || !json_is_array(s->cells))
        return refuse(error, error_size,
                      "merge: %s is not a shard (its batch ran without --shard I/N)", s->dir);
    s->index = (unsigned)index;
    s->count = (unsigned)count;
    s->cells_total = (size_t)json_integer_value(json_object_get(shard, "cells_total"));
    const json_t *batch = json_object_get(s->manifest, "batch");
    json_int_t done = json_integer_value(json_object_get(batch, "configurations_done"));
    json_int_t total = json_integer_value(json_object_get(batch, "configurations_total"));
    if (strcmp(text_at(s->manifest, "batch", "finished"), "not finished") == 0 || done != total)
        return refuse(error, error_size,
                      "merge: %s (shard %u of %u) is not finished: %lld of %lld configurations "
                      "(finish it with heaplab batch --resume %s)",
                      s->dir, s->index, s->count, (long long)done, (long long)total, s->dir);
    snprintf(s->revision, sizeof s->revision, "%s", text_at(s->manifest, "build", "git_revision"));
    snprintf(s->build, sizeof s->build, "%s %s, %s, C flags '%s', sanitizers %s",
             text_at(s->manifest, "build", "compiler"),
             text_at(s->manifest, "build", "compiler_version"),
             text_at(s->manifest, "build", "build_type"), text_at(s->manifest, "build", "c_flags"),
             text_at(s->manifest, "build", "sanitizers"));
    snprintf(s->host, sizeof s->host, "%s", text_at(s->manifest, "host", "name"));
    if (!hl_report_load_results(s->dir, &s->rows, &s->row_count, why, sizeof why))
        return refuse(error, error_size, "merge: %s", why);
    return true;
}

static int by_index(const void *a, const void *b) {
    const hl_merge_shard *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

/* Whether two shards hold the same cell; its name into cell. */
static bool shared_cell(const hl_merge_shard *a, const hl_merge_shard *b, char *cell, size_t size) {
    size_t i, k;
    const json_t *x, *y;
    json_array_foreach(a->cells, i, x) {
        json_array_foreach(b->cells, k, y) {
            if (json_equal((json_t *)x, (json_t *)y)) {
                snprintf(cell, size, "%s", json_string_value(x) ? json_string_value(x) : "?");
                return true;
            }
        }
    }
    return false;
}

bool hl_merge_read_and_check(char *const *dirs, size_t count, hl_merge_shard *shards, char *error,
                             size_t error_size) {
    memset(shards, 0, count * sizeof *shards);
    for (size_t i = 0; i < count; i++)
        shards[i].dir = dirs[i];
    for (size_t i = 0; i < count; i++)
        if (!read_shard(&shards[i], error, error_size)) return false;
    const hl_merge_shard *first = &shards[0];
    for (size_t i = 1; i < count; i++) {
        const hl_merge_shard *s = &shards[i];
        if (strcmp(s->revision, first->revision) != 0)
            return refuse(error, error_size,
                          "merge: %s and %s are from different git revisions (%s, %s)", first->dir,
                          s->dir, first->revision, s->revision);
        if (strcmp(s->build, first->build) != 0)
            return refuse(error, error_size, "merge: %s and %s are from different builds (%s; %s)",
                          first->dir, s->dir, first->build, s->build);
        if (!json_equal((json_t *)s->args, (json_t *)first->args)) {
            char a[512], b[512];
            args_line(first->args, a, sizeof a);
            args_line(s->args, b, sizeof b);
            return refuse(error, error_size,
                          "merge: %s and %s ran different batch arguments ('%s', '%s')", first->dir,
                          s->dir, a, b);
        }
        if (s->count != first->count || s->cells_total != first->cells_total)
            return refuse(error, error_size,
                          "merge: %s is a shard of %u, %s of %u: not the same sharding", first->dir,
                          first->count, s->dir, s->count);
    }
    qsort(shards, count, sizeof *shards, by_index);
    for (size_t i = 1; i < count; i++)
        if (shards[i].index == shards[i - 1].index)
            return refuse(error, error_size, "merge: %s and %s are both shard %u of %u",
                          shards[i - 1].dir, shards[i].dir, shards[i].index, shards[i].count);
    for (size_t i = 0; i < count; i++)
        for (size_t k = i + 1; k < count; k++) {
            char cell[128];
            if (shared_cell(&shards[i], &shards[k], cell, sizeof cell))
                return refuse(error, error_size, "merge: cell %s is in both %s and %s", cell,
                              shards[i].dir, shards[k].dir);
        }
    unsigned n = shards[0].count;
    if (count < n) {
        char missing[512] = "";
        size_t used = 0, k = 0, absent = 0;
        for (unsigned s = 0; s < n; s++) {
            if (k < count && shards[k].index == s) {
                k++;
                continue;
            }
            absent++;
            if (used + 16 < sizeof missing)
                used += (size_t)snprintf(missing + used, sizeof missing - used, "%s%u",
                                         used ? ", " : "", s);
        }
        return refuse(error, error_size, "merge: incomplete: shard%s %s of %u missing",
                      absent > 1 ? "s" : "", missing, n);
    }
    size_t cells = 0;
    for (size_t i = 0; i < count; i++)
        cells += json_array_size(shards[i].cells);
    if (cells != shards[0].cells_total)
        return refuse(error, error_size, "merge: the shards hold %zu of the batch's %zu cells",
                      cells, shards[0].cells_total);
    return true;
}

void hl_merge_free_shards(hl_merge_shard *shards, size_t count) {
    for (size_t i = 0; i < count; i++) {
        json_decref(shards[i].manifest);
        free(shards[i].rows);
        shards[i].manifest = NULL;
        shards[i].rows = NULL;
    }
}
