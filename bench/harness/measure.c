/* heaplab measurement helpers: see measure.h. */
#include "bench/harness/measure.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

/* The peak resident set of this process image: VmHWM of /proc/self/status, the high-water
 * mark of the address space that exec made. Not getrusage's ru_maxrss: that keeps the
 * pages a forking parent had before the child's exec (a 300 MiB parent that forks and
 * execs a tiny run would report 300 MiB). ru_maxrss only where /proc is missing. */
uint64_t hl_measure_peak_rss_bytes(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (f != NULL) {
        char line[256];
        unsigned long long kib = 0;
        bool found = false;
        while (!found && fgets(line, sizeof line, f) != NULL)
            found = sscanf(line, "VmHWM: %llu kB", &kib) == 1;
        fclose(f);
        if (found) return (uint64_t)kib * 1024u;
    }
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
    return (uint64_t)usage.ru_maxrss * 1024u;
}

uint64_t hl_measure_rss_bytes(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) return 0;
    char line[256];
    uint64_t kib = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long long v;
        if (sscanf(line, "VmRSS: %llu kB", &v) == 1) {
            kib = v;
            break;
        }
    }
    fclose(f);
    return kib * 1024u;
}

bool hl_measure_faults(uint64_t *minor, uint64_t *major) {
    struct rusage usage;
    *minor = *major = 0;
    if (getrusage(RUSAGE_SELF, &usage) != 0) return false;
    *minor = (uint64_t)usage.ru_minflt;
    *major = (uint64_t)usage.ru_majflt;
    return true;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double hl_measure_median(double *values, size_t count) {
    if (count == 0) return 0;
    qsort(values, count, sizeof values[0], compare_doubles);
    if (count % 2 == 1) return values[count / 2];
    return (values[count / 2 - 1] + values[count / 2]) / 2;
}

double hl_measure_stddev(const double *values, size_t count) {
    if (count < 2) return 0;
    double mean = 0, squares = 0;
    for (size_t i = 0; i < count; i++)
        mean += values[i];
    mean /= (double)count;
    for (size_t i = 0; i < count; i++)
        squares += (values[i] - mean) * (values[i] - mean);
    return sqrt(squares / (double)(count - 1));
}

void hl_measure_format_bytes(double bytes, char *out, size_t out_size) {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    size_t unit = 0;
    while (bytes >= 1024 && unit + 1 < sizeof units / sizeof units[0]) {
        bytes /= 1024;
        unit++;
    }
    snprintf(out, out_size, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
}

void hl_measure_format_ns(double ns, char *out, size_t out_size) {
    if (ns < 1e3)
        snprintf(out, out_size, "%.0f ns", ns);
    else if (ns < 1e6)
        snprintf(out, out_size, "%.2f us", ns / 1e3);
    else if (ns < 1e9)
        snprintf(out, out_size, "%.2f ms", ns / 1e6);
    else
        snprintf(out, out_size, "%.2f s", ns / 1e9);
}
