/* heaplab confidence intervals: the 95% interval of a configuration's median over its
 * invocations, each invocation a handful of samples (bench/batch/folder.c). */
#ifndef HEAPLAB_BENCH_INTERVALS_H
#define HEAPLAB_BENCH_INTERVALS_H

#include <stdbool.h>
#include <stddef.h>

/* The number of bootstrap resamples and the fixed seed: the same data give the same
 * interval in every batch. */
#define HL_INTERVAL_RESAMPLES 2000
#define HL_INTERVAL_SEED 20131

/* The 95% percentile interval, by a hierarchical bootstrap (Kalibera and Jones,
 * "Rigorous Benchmarking in Reasonable Time", ISMM 2013: resample what varies at each
 * level), of the statistic a batch reports: the median over the invocations of each
 * invocation's median. One resample draws `invocations` invocations with replacement,
 * then, for each drawn invocation, counts[i] of its samples with replacement, and takes
 * the median of the drawn invocations' medians. samples[i] holds invocation i's
 * counts[i] values (counts[i] >= 1). False, with NAN bounds, for fewer than 2
 * invocations (no interval) or when out of memory. */
bool hl_interval_hierarchical(const double *const *samples, const size_t *counts,
                              size_t invocations, double *low, double *high);

#endif
