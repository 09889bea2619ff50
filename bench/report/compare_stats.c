/* The statistics behind `heaplab compare` (compare_stats.h).
 *
 * A comparison has few values per side: one per invocation (a process of its own), 3 to
 * 10 in practice, skewed (a preempted process is slow, never fast). Nothing here
 * assumes normality:
 * - the effect is the ratio of the medians, candidate / baseline;
 * - its 95% interval is a percentile bootstrap: each side is resampled with replacement
 *   on its own (the invocations of the two sides are independent processes), the ratio
 *   of the resampled medians is taken `resamples` times, and the 2.5% and 97.5%
 *   quantiles bound it. The generator is GSL's MT19937 with a fixed seed, so the same
 *   folders always print the same interval;
 * - whether the two sides differ at all is the two-sided Mann-Whitney U test over the
 *   invocation values: exact (counting every way to split the ranks) when both sides
 *   have at most HL_COMPARE_EXACT_MAX values and there are no ties, otherwise the normal
 *   approximation with the tie correction of the variance and a continuity correction
 *   of one half (what scipy.stats.mannwhitneyu does by default).
 *
 * A rank test with 3 values per side can order them in only C(6, 3) = 20 ways, so its
 * smallest two-sided p is 2/20 = 0.1: with 3 invocations nothing is ever significant at
 * 0.05. hl_compare_min_p tells the caller when that is the case.
 */
#include "bench/report/compare_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

static double sorted_median(double *v, size_t n) {
    gsl_sort(v, 1, n);
    return gsl_stats_median_from_sorted_data(v, 1, n);
}

double hl_compare_median(const double *v, size_t n) {
    if (n == 0) return NAN;
    double *copy = malloc(n * sizeof *copy);
    if (copy == NULL) return NAN;
    memcpy(copy, v, n * sizeof *copy);
    double m = sorted_median(copy, n);
    free(copy);
    return m;
}

/* ---- Mann-Whitney U ------------------------------------------------------------ */

typedef struct ranked {
    double value;
    bool from_b;
} ranked;

static int by_value(const void *x, const void *y) {
    double a = ((const ranked *)x)->value, b = ((const ranked *)y)->value;
    return (a > b) - (a < b);
}

/* P(U <= u) for U of the n-side against m values, no ties, from the number of
 * arrangements with each U: count(i, j, v) = count(i - 1, j, v) + count(i, j - 1, v - i)
 * (the largest of the i + j values is the m-side's, above none of the other side, or
 * the n-side's, above all i values). NaN when out of memory. */
static double exact_cdf(size_t m, size_t n, double u) {
    size_t stride_u = m * n + 1, stride_j = (n + 1) * stride_u;
    double *count = calloc((m + 1) * stride_j, sizeof *count);
    if (count == NULL) return NAN;
#define COUNT(i, j, v) count[(i)*stride_j + (j)*stride_u + (v)]
    for (size_t i = 0; i <= m; i++)
        for (size_t j = 0; j <= n; j++) {
            if (i == 0 || j == 0) {
                COUNT(i, j, 0) = 1;
                continue;
            }
            for (size_t v = 0; v <= i * j; v++) {
                double c = COUNT(i - 1, j, v);
                if (v >= i) c += COUNT(i, j - 1, v - i);
                COUNT(i, j, v) = c;
            }
        }
    double total = 0, below = 0;
    for (size_t v = 0; v <= m * n; v++) {
        total += COUNT(m, n, v);
        if ((double)v <= u + 1e-9) below += COUNT(m, n, v);
    }
#undef COUNT
    free(count);
    return below / total;
}

double hl_compare_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u,
                               bool *exact) {
    *u = NAN;
    *exact = false;
    if (na == 0 || nb == 0) return 1.0;
    size_t n = na + nb;
    ranked *all = malloc(n * sizeof *all);
    if (all == NULL) return NAN;
    for (size_t i = 0; i < na; i++)
        all[i] = (ranked){a[i], false};
    for (size_t j = 0; j < nb; j++)
        all[na + j] = (ranked){b[j], true};
    qsort(all, n, sizeof *all, by_value);
    /* midranks: a run of equal values shares the mean of its ranks */
    double rank_sum_b = 0, ties = 0; /* ties: sum of t^3 - t over runs of length t */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && all[j + 1].value == all[i].value)
            j++;
        double t = (double)(j - i + 1), mid = (double)(i + j) / 2.0 + 1.0;
        ties += t * t * t - t;
        for (size_t k = i; k <= j; k++)
            if (all[k].from_b) rank_sum_b += mid;
        i = j + 1;
    }
    free(all);
    double mn = (double)na * (double)nb;
    *u = rank_sum_b - (double)nb * ((double)nb + 1) / 2.0;
    *exact = na <= HL_COMPARE_EXACT_MAX && nb <= HL_COMPARE_EXACT_MAX && ties == 0;
    double p;
    if (*exact) {
        /* the distribution is symmetric: twice the tail of the smaller U */
        p = 2.0 * exact_cdf(na, nb, fmin(*u, mn - *u));
    } else {
        double N = (double)n;
        double var = mn / 12.0 * ((N + 1.0) - ties / (N * (N - 1.0)));
        if (!(var > 0)) return 1.0; /* every value equal: no evidence of a difference */
        double z = (fabs(*u - mn / 2.0) - 0.5) / sqrt(var);
        if (z < 0) z = 0;
        p = 2.0 * gsl_cdf_ugaussian_P(-z);
    }
    return p > 1.0 ? 1.0 : p;
}

double hl_compare_min_p(size_t na, size_t nb) {
    /* C(na + nb, na), as a double: exact far beyond any invocation count */
    double c = 1;
    for (size_t i = 1; i <= na; i++)
        c = c * (double)(nb + i) / (double)i;
    double p = 2.0 / c;
    return p > 1.0 ? 1.0 : p;
}

/* ---- bootstrap ----------------------------------------------------------------- */

static double resampled_median(const gsl_rng *rng, const double *v, size_t n, double *scratch) {
    for (size_t i = 0; i < n; i++)
        scratch[i] = v[gsl_rng_uniform_int(rng, (unsigned long)n)];
    return sorted_median(scratch, n);
}

bool hl_compare_bootstrap(const double *a, size_t na, const double *b, size_t nb, size_t resamples,
                          uint64_t seed, double *low, double *high) {
    *low = *high = NAN;
    if (na == 0 || nb == 0 || resamples == 0) return true;
    double *ratios = malloc(resamples * sizeof *ratios);
    double *scratch = malloc((na > nb ? na : nb) * sizeof *scratch);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    bool ok = ratios != NULL && scratch != NULL && rng != NULL;
    if (ok) {
        gsl_rng_set(rng, (unsigned long)seed);
        size_t kept = 0;
        for (size_t r = 0; r < resamples; r++) {
            double ma = resampled_median(rng, a, na, scratch);
            double mb = resampled_median(rng, b, nb, scratch);
            double ratio = mb / ma; /* x/0 is +inf and sorts last; 0/0 is no ratio */
            if (!isnan(ratio)) ratios[kept++] = ratio;
        }
        if (kept > 0) {
            gsl_sort(ratios, 1, kept);
            *low = gsl_stats_quantile_from_sorted_data(ratios, 1, kept, 0.025);
            *high = gsl_stats_quantile_from_sorted_data(ratios, 1, kept, 0.975);
        }
    }
    if (rng != NULL) gsl_rng_free(rng);
    free(scratch);
    free(ratios);
    return ok;
}
