/* The batch's own arguments, saved in its folder for --resume. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/batch/internal.h"

typedef struct hl_batch_args_job {
    char *const *args;
    size_t count;
} hl_batch_args_job;

static bool write_args(FILE *out, void *data) {
    const hl_batch_args_job *job = data;
    for (size_t i = 0; i < job->count; i++)
        fprintf(out, "%s\n", job->args[i]);
    return true;
}

void hl_batch_free_args(char **args, size_t count) {
    if (args == NULL) return;
    for (size_t i = 0; i < count; i++)
        free(args[i]);
    free(args);
}

/* DIR/batch.args: one argument per line, without "batch", --out and --resume. */
bool hl_batch_load_args(const char *dir, char ***args, size_t *count, char *error,
                        size_t error_size, bool *usage_error) {
    char path[PATH_MAX];
    hl_batch_path_join(path, sizeof path, dir, "batch.args", NULL);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        hl_report_fmt(error, error_size, "--resume: %s is not a folder", dir);
        *usage_error = true;
        return false;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        bool missing = errno == ENOENT;
        hl_report_fmt(error, error_size, "--resume: %s %s", dir,
                     missing ? "is not a batch folder (no batch.args)"
                             : "has an unreadable batch.args");
        *usage_error = missing;
        return false;
    }
    size_t cap = 8, n = 0;
    char **list = malloc((cap + 2) * sizeof *list);
    if (list == NULL) {
        fclose(f);
        hl_report_fmt(error, error_size, "out of memory");
        *usage_error = false;
        return false;
    }
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t len;
    list[n++] = strdup("batch");
    while (list != NULL && (len = getline(&line, &line_cap, f)) > 0) {
        if (line[len - 1] == '\n') line[--len] = '\0';
        if (n + 2 >= cap) {
            char **bigger = realloc(list, (cap * 2 + 2) * sizeof *list);
            if (bigger == NULL) break;
            list = bigger;
            cap *= 2;
        }
        list[n++] = strdup(line);
    }
    free(line);
    fclose(f);
    list[n] = NULL;
    for (size_t i = 0; i < n; i++)
        if (list[i] == NULL) {
            hl_batch_free_args(list, n);
            hl_report_fmt(error, error_size, "out of memory");
            *usage_error = false;
            return false;
        }
    *args = list;
    *count = n;
    return true;
}


bool hl_batch_save_args(const char *dir, char *const *args, size_t count, char *error,
                        size_t error_size) {
    char path[PATH_MAX];
    hl_batch_path_join(path, sizeof path, dir, "batch.args", NULL);
    hl_batch_args_job job = {args, count};
    if (hl_results_write_atomic(path, write_args, &job)) return true;
    hl_report_fmt(error, error_size, "cannot write %s: %s", path, strerror(errno));
    return false;
}

bool hl_batch_has_saved_args(const char *dir) {
    char path[PATH_MAX];
    hl_batch_path_join(path, sizeof path, dir, "batch.args", NULL);
    return hl_batch_file_exists(path);
}
