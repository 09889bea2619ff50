/* The statistics of `heaplab compare` (compare_stats.h): medians, the bootstrap interval
 * of a ratio of medians, and the Mann-Whitney U test, over the invocations of two
 * configurations.
 *
 * Why these: an invocation is a process, and processes on a shared machine differ by
 * far more than samples inside one (docs/decisions.md, "Invocations"); their
 * distribution is skewed (a preempted process is slow, never fast). So the figure is a
 * median, its interval comes from resampling rather than a normal model, and the test
 * is on ranks. With few invocations the rank test cannot reach significance: 3 vs 3 has
 * 20 arrangements, so the smallest two-sided p is 2/20 = 0.1 (hl_compare_min_p).
 */
#include "bench/report/compare_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

/* Median of v[0..n), sorting v in place. */
static double median_in_place(double *v, size_t n) {
    if (n == 0) return NAN;
    gsl_sort(v, 1, n);
    return gsl_stats_median_from_sorted_data(v, 1, n);
}

double hl_compare_median(const double *v, size_t n) {
    if (n == 0) return NAN;
    double *copy = malloc(n * sizeof *copy);
    if (copy == NULL) return NAN;
    memcpy(copy, v, n * sizeof *copy);
    double m = median_in_place(copy, n);
    free(copy);
    return m;
}

static double resample_median(gsl_rng *rng, const double *from, size_t n, double *scratch) {
    for (size_t i = 0; i < n; i++)
        scratch[i] = from[gsl_rng_uniform_int(rng, n)];
    return median_in_place(scratch, n);
}

bool hl_compare_bootstrap(const double *a, size_t na, const double *b, size_t nb, size_t resamples,
                          uint64_t seed, double *low, double *high) {
    *low = *high = NAN;
    if (na == 0 || nb == 0 || resamples == 0) return true;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double *ratios = malloc(resamples * sizeof *ratios);
    double *scratch = malloc((na > nb ? na : nb) * sizeof *scratch);
    bool ok = rng != NULL && ratios != NULL && scratch != NULL;
    if (ok) {
        gsl_rng_set(rng, (unsigned long)seed);
        size_t kept = 0;
        for (size_t r = 0; r < resamples; r++) {
            double ma = resample_median(rng, a, na, scratch);
            double mb = resample_median(rng, b, nb, scratch);
            if (ma == 0 && mb == 0) continue; /* 0/0: no ratio */
            ratios[kept++] = ma != 0 ? mb / ma : INFINITY;
        }
        if (kept > 0) {
            gsl_sort(ratios, 1, kept);
            *low = gsl_stats_quantile_from_sorted_data(ratios, 1, kept, 0.025);
            *high = gsl_stats_quantile_from_sorted_data(ratios, 1, kept, 0.975);
        }
    }
    gsl_rng_free(rng);
    free(ratios);
    free(scratch);
    return ok;
}

double hl_compare_min_p(size_t na, size_t nb) {
    /* C(na+nb, na) as a product, in doubles: exact far past any invocation count */
    double arrangements = 1;
    for (size_t i = 1; i <= na; i++)
        arrangements = arrangements * (double)(nb + i) / (double)i;
    double p = 2 / arrangements;
    return p < 1 ? p : 1;
}

/* Two-sided exact p of U (of b) for na vs nb values without ties: the number of
 * arrangements with each U, counted by the recurrence f(m, n, u) = f(m-1, n, u-n) +
 * f(m, n-1, u) over m values of b and n of a (the largest of the m+n values is b's, and
 * beats all n of a, or a's). */
static double exact_p(size_t na, size_t nb, double u) {
    size_t max_u = HL_COMPARE_EXACT_MAX * HL_COMPARE_EXACT_MAX;
    size_t dim = HL_COMPARE_EXACT_MAX + 1;
    double *f = calloc(dim * dim * (max_u + 1), sizeof *f);
    if (f == NULL) return NAN;
#define F(m, n, k) f[((m)*dim + (n)) * (max_u + 1) + (k)]
    for (size_t m = 0; m <= nb; m++)
        for (size_t n = 0; n <= na; n++)
            for (size_t k = 0; k <= m * n; k++) {
                if (m == 0 || n == 0) {
                    F(m, n, k) = k == 0;
                    continue;
                }
                double v = F(m, n - 1, k);
                if (k >= n) v += F(m - 1, n, k - n);
                F(m, n, k) = v;
            }
    double total = 0, below = 0, above = 0;
    for (size_t k = 0; k <= na * nb; k++) {
        double c = F(nb, na, k);
        total += c;
        if ((double)k <= u) below += c;
        if ((double)k >= u) above += c;
    }
#undef F
    free(f);
    double p = 2 * fmin(below, above) / total;
    return p < 1 ? p : 1;
}

typedef struct ranked {
    double value;
    bool of_b;
} ranked;

static int by_value(const void *x, const void *y) {
    double a = ((const ranked *)x)->value, b = ((const ranked *)y)->value;
    return (a > b) - (a < b);
}

double hl_compare_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u,
                               bool *exact) {
    *exact = false;
    *u = NAN;
    if (na == 0 || nb == 0) return 1;
    size_t n = na + nb;
    ranked *all = malloc(n * sizeof *all);
    if (all == NULL) return NAN;
    for (size_t i = 0; i < na; i++)
        all[i] = (ranked){a[i], false};
    for (size_t i = 0; i < nb; i++)
        all[na + i] = (ranked){b[i], true};
    qsort(all, n, sizeof *all, by_value);
    /* midranks: a group of t tied values shares the mean of its ranks */
    double rank_sum_b = 0, ties = 0; /* ties: the sum of t^3 - t over the groups */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && all[j + 1].value == all[i].value)
            j++;
        double t = (double)(j - i + 1), midrank = (double)(i + j) / 2 + 1;
        ties += t * t * t - t;
        for (size_t k = i; k <= j; k++)
            if (all[k].of_b) rank_sum_b += midrank;
        i = j + 1;
    }
    free(all);
    *u = rank_sum_b - (double)nb * (double)(nb + 1) / 2;
    if (ties == 0 && na <= HL_COMPARE_EXACT_MAX && nb <= HL_COMPARE_EXACT_MAX) {
        *exact = true;
        return exact_p(na, nb, *u);
    }
    double dn = (double)n, mean = (double)na * (double)nb / 2;
    double var = (double)na * (double)nb / 12 * ((dn + 1) - ties / (dn * (dn - 1)));
    if (!(var > 0)) return 1; /* every value ties: no evidence of a difference */
    double z = (fabs(*u - mean) - 0.5) / sqrt(var);
    if (z < 0) z = 0;
    double p = 2 * gsl_cdf_ugaussian_P(-z);
    return p < 1 ? p : 1;
}
