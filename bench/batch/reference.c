/* The reference runtime: whether a batch has CPython's own rows beside heaplab's, and
 * with which python3. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/batch/internal.h"

/* `name` looked up in PATH as execvp would: the first regular executable file. */
static bool hl_batch_find_in_path(const char *name, char *out, size_t size) {
    const char *path = getenv("PATH");
    if (path == NULL || path[0] == '\0') return false;
    const char *p = path;
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        char candidate[PATH_MAX];
        int n = len == 0 ? hl_report_fmt(candidate, sizeof candidate, "./%s", name)
                         : hl_report_fmt(candidate, sizeof candidate, "%.*s/%s", (int)len, p, name);
        struct stat st;
        if (n > 0 && (size_t)n < sizeof candidate && stat(candidate, &st) == 0 &&
            S_ISREG(st.st_mode) && access(candidate, X_OK) == 0) {
            hl_report_fmt(out, size, "%s", candidate);
            return true;
        }
        if (!colon) return false;
        p = colon + 1;
    }
}

/* Decide whether the batch has CPython reference rows. --reference cpython needs
 * python3 (>= 3.9) on PATH and the reference script, else it is a usage error;
 * without --reference both presets include them when they can, and skip them (with a
 * note in the manifest) when they cannot. Returns false with *error for a usage
 * error. */
bool hl_batch_reference_resolve(hl_batch *b, char *error, size_t error_size) {
    hl_batch_reference *r = &b->ref;
    memset(r, 0, sizeof *r);
    bool explicit_ = b->reference_arg != NULL;
    if (explicit_ && strcmp(b->reference_arg, "none") == 0) {
        hl_report_fmt(r->choice, sizeof r->choice, "none");
        hl_report_fmt(r->note, sizeof r->note, "turned off (--reference none)");
        return true;
    }
    char why[512] = "";
    hl_report_fmt(r->script, sizeof r->script, "%s/scripts/reference/cpython_workloads.py",
                  HEAPLAB_SOURCE_DIR);
    if (!hl_batch_find_in_path("python3", r->python, sizeof r->python)) {
        r->python[0] = '\0';
        hl_report_fmt(why, sizeof why, "python3 is not on PATH");
    } else if (access(r->script, R_OK) != 0) {
        hl_report_fmt(why, sizeof why, "the reference script %s is missing", r->script);
    } else {
        char *probe[] = {r->python, "-c",
                         "import sys; print('%d.%d.%d' % sys.version_info[:3]); "
                         "print(sys.executable)",
                         NULL};
        char text[PATH_MAX + 64];
        int major = 0, minor = 0, micro = 0;
        int code = hl_batch_capture(probe, text, sizeof text);
        char *nl = strchr(text, '\n');
        if (code == 0 && nl != NULL && sscanf(text, "%d.%d.%d", &major, &minor, &micro) == 3) {
            *nl = '\0';
            hl_report_fmt(r->version, sizeof r->version, "%s", text);
            char *exe = nl + 1, *end = strchr(exe, '\n');
            if (end) *end = '\0';
            hl_report_fmt(r->executable, sizeof r->executable, "%s", exe);
            hl_report_fmt(r->runtime, sizeof r->runtime, "cpython-%d.%d", major, minor);
        }
        if (r->version[0] == '\0')
            hl_report_fmt(why, sizeof why, "%s does not run (exit status %d)", r->python, code);
        else if (major < 3 || (major == 3 && minor < 9))
            hl_report_fmt(why, sizeof why,
                          "%s is Python %s; the reference script needs 3.9 or newer", r->python,
                          r->version);
    }
    if (why[0] == '\0') {
        /* which variants the script has, as it says itself */
        char *list[] = {r->python, r->script, "--variants", NULL};
        int code = hl_batch_capture(list, r->variants, sizeof r->variants);
        if (code != 0 || r->variants[0] == '\0')
            hl_report_fmt(why, sizeof why, "%s --variants failed (exit status %d)", r->script,
                          code);
    }
    if (why[0] == '\0') {
        r->enabled = true;
        hl_report_fmt(r->choice, sizeof r->choice, "cpython");
        hl_report_fmt(r->note, sizeof r->note, "%s",
                      explicit_ ? "--reference cpython" : "the preset's");
        return true;
    }
    if (explicit_) {
        hl_report_fmt(error, error_size, "--reference cpython: %s", why);
        return false;
    }
    hl_report_fmt(r->choice, sizeof r->choice, "none");
    hl_report_fmt(r->note, sizeof r->note, "skipped: %s", why);
    if (b->preset->warn_without_reference && !b->custom)
        fprintf(stderr, "heaplab batch: no CPython reference rows: %s\n", why);
    return true;
}

bool hl_batch_reference_has(const hl_batch_reference *ref, const char *workload) {
    size_t n = strlen(workload);
    for (const char *p = ref->variants; *p != '\0';) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, workload, n) == 0) return true;
        if (end == NULL) break;
        p = end + 1;
    }
    return false;
}
