/* heaplab batch: the saved arguments, DIR/batch.json (bench/batch/batch.h).
 *
 *   {"args": ["--allocators", "libc,pool", "--sizes", "100", "--reference", "none"]}
 *
 * The batch's own arguments, as given after "batch" minus --out (and with the
 * reference choice pinned), so that `heaplab batch --resume DIR` runs the same
 * configurations. Written atomically and read back through jansson: an argument may
 * hold any character (a line break included), and a file rewritten by another tool
 * (indented, or with no blanks at all) still reads. Other members are ignored, so a
 * later heaplab may add some.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/batch/batch.h"

typedef struct args_job {
    char *const *args;
    size_t count;
} args_job;

static bool write_args(FILE *out, void *data) {
    const args_job *job = data;
    json_t *doc = json_object(), *list = json_array();
    bool ok = doc != NULL && list != NULL;
    for (size_t i = 0; ok && i < job->count; i++)
        ok = json_array_append_new(list, hl_results_json_text(job->args[i])) == 0;
    ok = ok && json_object_set(doc, "args", list) == 0 && hl_results_json_dump(doc, out);
    json_decref(list);
    json_decref(doc);
    return ok;
}

bool hl_batch_save_args(const char *dir, char *const *args, size_t count, char *error,
                        size_t error_size) {
    char path[PATH_MAX];
    if (hl_report_fmt(path, sizeof path, "%s/" HL_BATCH_ARGS_FILE, dir) >= (int)sizeof path) {
        hl_report_fmt(error, error_size, "cannot write %s/" HL_BATCH_ARGS_FILE ": name too long",
                      dir);
        return false;
    }
    args_job job = {args, count};
    errno = 0;
    if (hl_results_write_atomic(path, write_args, &job)) return true;
    hl_report_fmt(error, error_size, "cannot write %s: %s", path,
                  errno != 0 ? strerror(errno) : "out of memory");
    return false;
}

void hl_batch_free_args(char **args, size_t count) {
    if (args == NULL) return;
    for (size_t i = 0; i < count; i++)
        free(args[i]);
    free(args);
}

bool hl_batch_load_args(const char *dir, char ***args, size_t *count, char *error,
                        size_t error_size, bool *usage_error) {
    *args = NULL;
    *count = 0;
    *usage_error = true;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        hl_report_fmt(error, error_size, "--resume: %s is not a folder", dir);
        return false;
    }
    char path[PATH_MAX], why[PATH_MAX + 256];
    hl_report_fmt(path, sizeof path, "%s/" HL_BATCH_ARGS_FILE, dir);
    int read_errno = 0;
    json_t *doc = hl_results_json_load(path, JSON_REJECT_DUPLICATES, &read_errno, why, sizeof why);
    if (doc == NULL && read_errno == ENOENT) {
        /* a folder from before batch.json saved its arguments one per line */
        char old[PATH_MAX];
        hl_report_fmt(old, sizeof old, "%s/batch.args", dir);
        hl_report_fmt(error, error_size,
                      "--resume: %s is not a batch folder (no " HL_BATCH_ARGS_FILE "%s)", dir,
                      stat(old, &st) == 0 ? "; its batch.args is from an older heaplab" : "");
        return false;
    }
    if (doc == NULL && read_errno != 0) {
        hl_report_fmt(error, error_size,
                      "--resume: %s has an unreadable " HL_BATCH_ARGS_FILE " (%s)", dir,
                      strerror(read_errno));
        *usage_error = false;
        return false;
    }
    if (doc == NULL) { /* not JSON: why is "PATH:LINE:COLUMN: reason" */
        hl_report_fmt(error, error_size, "--resume: %s", why);
        return false;
    }
    json_t *list = json_object_get(doc, "args");
    bool ok = json_is_array(list);
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        ok = ok && json_is_string(item);
    }
    if (!ok) {
        json_decref(doc);
        hl_report_fmt(error, error_size,
                      "--resume: %s: not {\"args\": [...]} with every argument a string", path);
        return false;
    }
    size_t n = json_array_size(list);
    char **argv = calloc(n + 2, sizeof *argv);
    ok = argv != NULL && (argv[0] = strdup("batch")) != NULL;
    /* (jansson refuses "\u0000" without JSON_ALLOW_NUL: each string is one C string) */
    json_array_foreach(list, i, item) {
        ok = ok && (argv[i + 1] = strdup(json_string_value(item))) != NULL;
    }
    json_decref(doc);
    if (!ok) {
        hl_batch_free_args(argv, n + 1);
        hl_report_fmt(error, error_size, "out of memory");
        *usage_error = false;
        return false;
    }
    *args = argv;
    *count = n + 1;
    return true;
}

bool hl_batch_has_saved_args(const char *dir) {
    char path[PATH_MAX];
    if (hl_report_fmt(path, sizeof path, "%s/" HL_BATCH_ARGS_FILE, dir) >= (int)sizeof path)
        return false;
    return access(path, F_OK) == 0;
}
