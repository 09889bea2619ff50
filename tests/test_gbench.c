/* The Google Benchmark C binding (bench/harness/gbench.h, bench/harness/gbench.cc): what a C benchmark
 * registers comes back through hl_bench_run's callback as Google Benchmark computed it.
 *
 * - `fixed`: 10 iterations, 3 repetitions. Each repetition sets counters with every
 *   flag: a plain value, an average over iterations, an iteration-invariant value, a
 *   rate and an inverted rate, plus `rep` = 1, 2, 3 in turn, so the aggregates are
 *   known exactly (mean 2, median 2, stddev 1, cv 0.5). Expected: 3 runs (repetition
 *   index 0..2, 10 iterations each, the label) and the 4 aggregates mean, median,
 *   stddev, cv, each once.
 * - `skipped`: calls hl_bench_skip_with_error and leaves its loop. Expected: one run
 *   with error_occurred and the message.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bench/harness/gbench.h"
#include "tests/check.h"

enum { ITERATIONS = 10, REPETITIONS = 3, MAX_RESULTS = 16 };

#define RATE_VALUE 1000.0
#define INVERT_VALUE 4.0

typedef struct seen {
    char name[128];
    char run_name[128];
    char aggregate[16];
    char error[64];
    char label[32];
    bool is_aggregate;
    bool error_occurred;
    int64_t repetitions;
    int64_t repetition_index;
    int64_t iterations;
    double real_ns;
    double cpu_ns;
    size_t counter_count;
    char counter_names[8][16];
    double counters[8];
} seen;

typedef struct collected {
    seen results[MAX_RESULTS];
    size_t count;
    int fixed_calls; /* repetitions of `fixed` that ran */
} collected;

static void copy(char *dst, size_t size, const char *src) {
    snprintf(dst, size, "%s", src != NULL ? src : "");
}

static void on_result(const hl_bench_result *r, void *data) {
    collected *c = data;
    if (c->count == MAX_RESULTS) {
        CHECK_MSG(false, "more than %d results reported", MAX_RESULTS);
        return;
    }
    seen *s = &c->results[c->count++];
    copy(s->name, sizeof s->name, r->name);
    copy(s->run_name, sizeof s->run_name, r->run_name);
    copy(s->aggregate, sizeof s->aggregate, r->aggregate_name);
    copy(s->error, sizeof s->error, r->error_message);
    copy(s->label, sizeof s->label, r->label);
    s->is_aggregate = r->is_aggregate;
    s->error_occurred = r->error_occurred;
    s->repetitions = r->repetitions;
    s->repetition_index = r->repetition_index;
    s->iterations = r->iterations;
    s->real_ns = r->real_time_ns;
    s->cpu_ns = r->cpu_time_ns;
    s->counter_count = r->counter_count;
    for (size_t i = 0; i < r->counter_count && i < 8; i++) {
        copy(s->counter_names[i], sizeof s->counter_names[i], r->counters[i].name);
        s->counters[i] = r->counters[i].value;
    }
}

static bool counter(const seen *s, const char *name, double *out) {
    for (size_t i = 0; i < s->counter_count && i < 8; i++)
        if (strcmp(s->counter_names[i], name) == 0) {
            *out = s->counters[i];
            return true;
        }
    return false;
}

static bool near(double a, double b) {
    return fabs(a - b) <= 1e-9 * fmax(1.0, fabs(b));
}

static void bm_fixed(hl_bench_state *st, void *arg) {
    collected *c = arg;
    volatile uint64_t sink = 0;
    while (hl_bench_keep_running(st))
        for (int i = 0; i < 20000; i++)
            sink += (uint64_t)i; /* measurable CPU time */
    int rep = ++c->fixed_calls;
    CHECK(hl_bench_iterations(st) == ITERATIONS);
    hl_bench_set_counter(st, "plain", 5.0, HL_COUNTER_DEFAULT);
    hl_bench_set_counter(st, "avg", 100.0, HL_COUNTER_AVG_ITERATIONS);
    hl_bench_set_counter(st, "invariant", 2.0, HL_COUNTER_ITERATION_INVARIANT);
    hl_bench_set_counter(st, "rate", RATE_VALUE, HL_COUNTER_IS_RATE);
    hl_bench_set_counter(st, "inv_rate", INVERT_VALUE, HL_COUNTER_IS_RATE | HL_COUNTER_INVERT);
    hl_bench_set_counter(st, "rep", (double)rep, HL_COUNTER_DEFAULT);
    hl_bench_set_label(st, "fixed-label");
}

static void bm_skipped(hl_bench_state *st, void *arg) {
    (void)arg;
    hl_bench_skip_with_error(st, "deliberate failure");
    while (hl_bench_keep_running(st))
        CHECK_MSG(false, "keep_running true after skip_with_error");
}

static void check_fixed_run(const seen *s) {
    CHECK(!s->error_occurred);
    CHECK(s->repetitions == REPETITIONS);
    CHECK(s->iterations == ITERATIONS);
    CHECK(s->cpu_ns > 0 && s->real_ns > 0);
    CHECK_MSG(strcmp(s->label, "fixed-label") == 0, "label '%s'", s->label);
    double v = NAN;
    CHECK(counter(s, "plain", &v) && near(v, 5.0));
    CHECK_MSG(counter(s, "avg", &v) && near(v, 100.0 / ITERATIONS), "avg %g", v);
    CHECK_MSG(counter(s, "invariant", &v) && near(v, 2.0 * ITERATIONS), "invariant %g", v);
    /* Rates are over the run's whole CPU time: value / seconds, and its inverse. */
    double seconds = s->cpu_ns * (double)s->iterations / 1e9;
    CHECK_MSG(counter(s, "rate", &v) && fabs(v * seconds - RATE_VALUE) < 1e-6 * RATE_VALUE,
              "rate %g over %g s", v, seconds);
    CHECK_MSG(counter(s, "inv_rate", &v) && fabs(v - seconds / INVERT_VALUE) < 1e-6 * seconds,
              "inv_rate %g over %g s", v, seconds);
}

int main(int argc, char **argv) {
    hl_bench_initialize(&argc, argv);
    static collected c;
    hl_bench_options fixed = {.repetitions = REPETITIONS, .iterations = ITERATIONS};
    hl_bench_register("gbench_test/fixed", bm_fixed, &c, &fixed);
    hl_bench_register("gbench_test/skipped", bm_skipped, NULL, NULL);
    size_t ran = hl_bench_run(on_result, &c);

    CHECK_MSG(ran == 2, "hl_bench_run ran %zu benchmarks", ran);
    CHECK(c.fixed_calls == REPETITIONS);
    const char *version = hl_bench_library_version();
    CHECK(version != NULL && version[0] != '\0');

    int runs = 0, skipped = 0;
    bool rep_index_seen[REPETITIONS] = {false};
    int aggregates[4] = {0}; /* mean, median, stddev, cv */
    static const char *const names[4] = {"mean", "median", "stddev", "cv"};
    static const double rep_expected[4] = {2.0, 2.0, 1.0, 0.5};
    for (size_t i = 0; i < c.count; i++) {
        const seen *s = &c.results[i];
        if (strncmp(s->run_name, "gbench_test/skipped", 19) == 0) {
            skipped++;
            CHECK(s->error_occurred);
            CHECK_MSG(strcmp(s->error, "deliberate failure") == 0, "error message '%s'", s->error);
            continue;
        }
        CHECK_MSG(strncmp(s->run_name, "gbench_test/fixed", 17) == 0, "unexpected run '%s'",
                  s->name);
        if (!s->is_aggregate) {
            runs++;
            check_fixed_run(s);
            if (s->repetition_index >= 0 && s->repetition_index < REPETITIONS)
                rep_index_seen[s->repetition_index] = true;
            double rep = NAN;
            CHECK(counter(s, "rep", &rep) && near(rep, (double)(s->repetition_index + 1)));
            continue;
        }
        int k = -1;
        for (int j = 0; j < 4; j++)
            if (strcmp(s->aggregate, names[j]) == 0) k = j;
        CHECK_MSG(k >= 0, "unexpected aggregate '%s'", s->aggregate);
        if (k < 0) continue;
        aggregates[k]++;
        CHECK_MSG(strstr(s->name, names[k]) != NULL, "aggregate '%s' named '%s'", names[k],
                  s->name);
        double v = NAN;
        CHECK_MSG(counter(s, "rep", &v) && near(v, rep_expected[k]), "rep %s = %g, expected %g",
                  names[k], v, rep_expected[k]);
        if (k < 2) { /* mean and median of identical values are those values */
            CHECK_MSG(counter(s, "plain", &v) && near(v, 5.0), "plain %s = %g", names[k], v);
            CHECK(counter(s, "invariant", &v) && near(v, 2.0 * ITERATIONS));
        } else if (k == 2) {
            CHECK_MSG(counter(s, "plain", &v) && near(v, 0.0), "plain stddev = %g", v);
        }
    }
    CHECK_MSG(runs == REPETITIONS, "%d runs of fixed reported", runs);
    for (int i = 0; i < REPETITIONS; i++)
        CHECK_MSG(rep_index_seen[i], "repetition %d missing", i);
    for (int j = 0; j < 4; j++)
        CHECK_MSG(aggregates[j] == 1, "aggregate %s reported %d times", names[j], aggregates[j]);
    CHECK_MSG(skipped == 1, "skipped reported %d times", skipped);
    return check_report("test_gbench");
}
