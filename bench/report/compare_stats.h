/* The statistics of `heaplab compare` (compare_stats.c): medians, the Mann-Whitney U
 * test and the bootstrap confidence interval of a ratio of medians. Internal to
 * bench/report/; pure functions over arrays of doubles, no I/O. */
#ifndef HEAPLAB_BENCH_REPORT_COMPARE_STATS_H
#define HEAPLAB_BENCH_REPORT_COMPARE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The exact distribution of U is used when both samples have at most this many values
 * and there are no ties; otherwise the normal approximation with tie correction. */
#define HL_COMPARE_EXACT_MAX 10

/* Median of v[0..n) (n > 0); v is not modified. NaN when n == 0. */
double hl_compare_median(const double *v, size_t n);

/* Two-sided Mann-Whitney U test of a[0..na) against b[0..nb) (na, nb > 0).
 * *u receives U of b (the number of pairs (a_i, b_j) with b_j > a_i, ties counted
 * one half); *exact whether the exact distribution was used (both n <= 10, no ties),
 * else the normal approximation with continuity and tie correction
 * (gsl_cdf_ugaussian_P). Returns the two-sided p, in (0, 1]. */
double hl_compare_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u,
                               bool *exact);

/* The smallest two-sided p the test can give for samples of na and nb values:
 * 2 / C(na + nb, na) (every value of one side below every value of the other, no
 * ties). 3 vs 3: 0.1; 4 vs 4: 0.0286. */
double hl_compare_min_p(size_t na, size_t nb);

/* 95% percentile bootstrap interval of median(b) / median(a): `resamples` times, each
 * side resampled with replacement on its own (gsl_rng_mt19937 seeded with `seed`, so
 * the interval is the same on every run); the 2.5% and 97.5% quantiles of the ratios.
 * A resample whose ratio is 0/0 is left out. False when out of memory. */
bool hl_compare_bootstrap(const double *a, size_t na, const double *b, size_t nb, size_t resamples,
                          uint64_t seed, double *low, double *high);

#endif
