/* heaplab measurement helpers that are not Google Benchmark's: the process's peak
 * resident set, and the order statistics the results rows are made of. */
#ifndef HEAPLAB_BENCH_MEASURE_H
#define HEAPLAB_BENCH_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The peak resident set size in bytes of this process image (VmHWM: since its exec,
 * so a forking parent's pages are not counted, and neither is the tiny image before a
 * preload re-exec). 0 when it cannot be read. */
uint64_t hl_measure_peak_rss_bytes(void);

/* The process's resident set now in bytes (VmRSS of /proc/self/status); 0 when it
 * cannot be read. */
uint64_t hl_measure_rss_bytes(void);

/* The process's page faults so far (getrusage RUSAGE_SELF: ru_minflt, ru_majflt);
 * false (and zeros) when getrusage fails. */
bool hl_measure_faults(uint64_t *minor, uint64_t *major);

/* Median of `count` values (sorts `values` in place); 0 for no values. */
double hl_measure_median(double *values, size_t count);
/* Sample standard deviation (n - 1); 0 for fewer than two values. */
double hl_measure_stddev(const double *values, size_t count);

/* Human-readable quantities for summaries: "12.3 MiB", "4.56 ms". */
void hl_measure_format_bytes(double bytes, char *out, size_t out_size);
void hl_measure_format_ns(double ns, char *out, size_t out_size);

#endif
