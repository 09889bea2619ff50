/* Confidence intervals (bench/report/intervals.h), through GSL: its Mersenne Twister,
 * its sort and its quantiles. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "bench/report/intervals.h"

static double median_of(double *v, size_t n) {
    gsl_sort(v, 1, n);
    return gsl_stats_median_from_sorted_data(v, 1, n);
}

bool hl_interval_hierarchical(const double *const *samples, const size_t *counts,
                              size_t invocations, double *low, double *high) {
    *low = *high = NAN;
    if (invocations < 2) return false;
    size_t most = 0;
    for (size_t i = 0; i < invocations; i++)
        if (counts[i] > most) most = counts[i];
    if (most == 0) return false;
    double *drawn = malloc(most * sizeof *drawn);
    double *medians = malloc(invocations * sizeof *medians);
    double *stats = malloc(HL_INTERVAL_RESAMPLES * sizeof *stats);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    bool ok = drawn != NULL && medians != NULL && stats != NULL && rng != NULL;
    if (ok) {
        gsl_rng_set(rng, HL_INTERVAL_SEED);
        for (size_t r = 0; r < HL_INTERVAL_RESAMPLES; r++) {
            for (size_t i = 0; i < invocations; i++) {
                size_t pick = gsl_rng_uniform_int(rng, invocations);
                for (size_t s = 0; s < counts[pick]; s++)
                    drawn[s] = samples[pick][gsl_rng_uniform_int(rng, counts[pick])];
                medians[i] = median_of(drawn, counts[pick]);
            }
            stats[r] = median_of(medians, invocations);
        }
        gsl_sort(stats, 1, HL_INTERVAL_RESAMPLES);
        *low = gsl_stats_quantile_from_sorted_data(stats, 1, HL_INTERVAL_RESAMPLES, 0.025);
        *high = gsl_stats_quantile_from_sorted_data(stats, 1, HL_INTERVAL_RESAMPLES, 0.975);
    }
    if (rng != NULL) gsl_rng_free(rng);
    free(drawn);
    free(medians);
    free(stats);
    return ok;
}
