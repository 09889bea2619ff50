/* The confidence intervals of a batch's medians (bench/report/intervals.h): no interval
 * from one invocation; a point when every sample is equal; an interval around the
 * median within the data; and, on synthetic batches whose invocations differ more than
 * their samples do (as on a shared machine), about 95% coverage of the true median,
 * which pooling the samples (ignoring that they come in invocations) misses. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "bench/report/intervals.h"
#include "check.h"

#define INVOCATIONS 10
#define SAMPLES 5

int main(void) {
    double one[SAMPLES] = {5, 6, 7, 8, 9}, lo = 0, hi = 0;
    const double *single[1] = {one};
    size_t counts[INVOCATIONS];
    for (size_t i = 0; i < INVOCATIONS; i++)
        counts[i] = SAMPLES;
    CHECK(!hl_interval_hierarchical(single, counts, 1, &lo, &hi) && isnan(lo) && isnan(hi));

    double flat[3][SAMPLES] = {{4, 4, 4, 4, 4}, {4, 4, 4, 4, 4}, {4, 4, 4, 4, 4}};
    const double *flats[3] = {flat[0], flat[1], flat[2]};
    CHECK(hl_interval_hierarchical(flats, counts, 3, &lo, &hi) && lo == 4 && hi == 4);

    double spread[3][SAMPLES] = {{10, 11, 12, 13, 14}, {20, 21, 22, 23, 24}, {15, 16, 17, 18, 19}};
    const double *spreads[3] = {spread[0], spread[1], spread[2]};
    CHECK(hl_interval_hierarchical(spreads, counts, 3, &lo, &hi));
    CHECK_MSG(lo >= 10 && hi <= 24 && lo <= 17 && 17 <= hi, "[%g, %g] around 17 within 10..24", lo,
              hi);
    double again_lo, again_hi; /* the fixed seed: the same interval every time */
    CHECK(hl_interval_hierarchical(spreads, counts, 3, &again_lo, &again_hi) && again_lo == lo &&
          again_hi == hi);

    /* Coverage: invocation effects N(0, 10), samples N(0, 1) around them; the true
     * median of the median of invocation medians is 100. */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    REQUIRE(rng != NULL);
    gsl_rng_set(rng, 7);
    enum { BATCHES = 150 };
    int covered = 0, pooled_covered = 0;
    double data[INVOCATIONS][SAMPLES], pooled[INVOCATIONS * SAMPLES];
    const double *rows[INVOCATIONS], *pooled_rows[INVOCATIONS * SAMPLES];
    size_t ones[INVOCATIONS * SAMPLES];
    for (int t = 0; t < BATCHES; t++) {
        for (size_t i = 0; i < INVOCATIONS; i++) {
            double effect = gsl_ran_gaussian(rng, 10.0);
            for (size_t s = 0; s < SAMPLES; s++) {
                data[i][s] = 100.0 + effect + gsl_ran_gaussian(rng, 1.0);
                pooled[i * SAMPLES + s] = data[i][s];
            }
            rows[i] = data[i];
        }
        REQUIRE(hl_interval_hierarchical(rows, counts, INVOCATIONS, &lo, &hi));
        covered += lo <= 100.0 && 100.0 <= hi;
        /* the same samples as if each were its own invocation of one sample */
        for (size_t k = 0; k < INVOCATIONS * SAMPLES; k++) {
            pooled_rows[k] = &pooled[k];
            ones[k] = 1;
        }
        REQUIRE(hl_interval_hierarchical(pooled_rows, ones, INVOCATIONS * SAMPLES, &lo, &hi));
        pooled_covered += lo <= 100.0 && 100.0 <= hi;
    }
    gsl_rng_free(rng);
    printf("coverage of the true median over %d synthetic batches: hierarchical %d%%, pooled "
           "samples %d%%\n",
           BATCHES, 100 * covered / BATCHES, 100 * pooled_covered / BATCHES);
    CHECK_MSG(covered >= BATCHES * 85 / 100, "hierarchical coverage %d of %d", covered, BATCHES);
    return check_report("test_intervals");
}
