/* A results folder as the report room sees it: its rows, and which rows are
 * references. (The folder's layout: bench/report/report.h.) */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/report/report.h"
#include "allocators/allocator.h"
#include "collectors/collector.h"

int hl_report_fmt(char *out, size_t size, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int n = vsnprintf(out, size, format, args);
    va_end(args);
    return n;
}

bool hl_report_load_results(const char *dir, hl_result_row **rows, size_t *count, char *error,
                            size_t error_size) {
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        hl_report_fmt(error, error_size, "%s is not a folder", dir);
        return false;
    }
    char path[PATH_MAX + 32];
    hl_report_fmt(path, sizeof path, "%s/results.csv", dir);
    if (access(path, F_OK) != 0) {
        hl_report_fmt(error, error_size, "%s is not a heaplab results folder (no results.csv)",
                      dir);
        return false;
    }
    return hl_results_read_csv(path, rows, count, error, error_size);
}

bool hl_report_results_unreadable(const char *dir) {
    char path[PATH_MAX + 32];
    hl_report_fmt(path, sizeof path, "%s/results.csv", dir);
    return access(path, F_OK) == 0 && access(path, R_OK) != 0;
}

bool hl_report_is_reference_row(const hl_result_row *row) {
    if (row->runtime[0] != '\0' && strcmp(row->runtime, "heaplab") != 0) return true;
    const hl_collector_ops *ops = hl_collector_find(row->collector);
    return ops != NULL && hl_collector_own_allocator(ops) != NULL;
}

const hl_collector_ops *hl_report_model_of(const hl_result_row *row) {
    bool cpython = strncmp(row->runtime, "cpython-", 8) == 0;
    for (size_t i = 0; hl_collector_registry[i] != NULL; i++) {
        const hl_collector_ops *ops = hl_collector_registry[i];
        if (ops->reference == NULL || ops->reference_allocator == NULL) continue;
        if (cpython ? strcmp(ops->reference, "cpython") == 0
                    : strcmp(ops->reference, row->collector) == 0)
            return ops;
    }
    return NULL;
}

const char *hl_report_baseline_allocator(void) {
    return hl_allocator_registry[0]->name;
}
