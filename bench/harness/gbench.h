/* heaplab's C binding over Google Benchmark (libbenchmark).
 *
 * libbenchmark is C++; bench/harness/gbench.cc is the project's only C++ file and exposes
 * these extern "C" functions. Everything else in heaplab is C. The conventions are
 * Google Benchmark's own: a benchmark is a function with a state loop, counters are
 * named with Google Benchmark's flags, repetitions give mean/median/stddev/cv
 * aggregates, and --benchmark_* flags on the command line work as usual.
 *
 *   static void bm(hl_bench_state *st, void *arg) {
 *       while (hl_bench_keep_running(st)) { ...timed work... }
 *       hl_bench_set_counter(st, "allocs", n, HL_COUNTER_AVG_ITERATIONS);
 *   }
 *   hl_bench_initialize(&argc, argv);
 *   hl_bench_register("churn/libc", bm, NULL, NULL);
 *   hl_bench_run(NULL, NULL);
 */
#ifndef HEAPLAB_BENCH_GBENCH_H
#define HEAPLAB_BENCH_GBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hl_bench_state hl_bench_state;
typedef void (*hl_bench_fn)(hl_bench_state *state, void *arg);

/* Google Benchmark's counter flags (benchmark::Counter::Flags), same meanings. */
enum {
    HL_COUNTER_DEFAULT = 0,
    HL_COUNTER_IS_RATE = 1 << 0,             /* divided by the elapsed time */
    HL_COUNTER_ITERATION_INVARIANT = 1 << 2, /* multiplied by the iteration count */
    HL_COUNTER_AVG_ITERATIONS = 1 << 3,      /* divided by the iteration count */
    HL_COUNTER_INVERT = 1 << 4,              /* reported as 1/value (kInvert) */
};

typedef struct hl_bench_options {
    int repetitions;    /* 0: Google Benchmark's default (or --benchmark_repetitions) */
    int64_t iterations; /* 0: let Google Benchmark choose */
    double min_time;    /* seconds; 0: default */
    double min_warmup_time; /* seconds run untimed before the first repetition; 0: none */
    bool use_real_time; /* time by the wall clock instead of CPU time */
    bool report_aggregates_only;
} hl_bench_options;

/* Pass the command line; removes the --benchmark_* flags it recognises. */
void hl_bench_initialize(int *argc, char **argv);

/* Register `fn(state, arg)` under `name`; options may be NULL. */
void hl_bench_register(const char *name, hl_bench_fn fn, void *arg,
                       const hl_bench_options *options);

/* The state loop: true while another timed iteration should run. */
bool hl_bench_keep_running(hl_bench_state *state);
void hl_bench_pause_timing(hl_bench_state *state);
void hl_bench_resume_timing(hl_bench_state *state);
int64_t hl_bench_iterations(const hl_bench_state *state);
/* Set a named counter with HL_COUNTER_* flags. */
void hl_bench_set_counter(hl_bench_state *state, const char *name, double value, int flags);
void hl_bench_set_label(hl_bench_state *state, const char *label);
/* Google Benchmark's SkipWithError: the run is reported with error_occurred and
 * `message`; call it, then leave the loop (keep_running returns false after it). */
void hl_bench_skip_with_error(hl_bench_state *state, const char *message);

/* One reported run, as Google Benchmark's reporter sees it. */
#define HL_BENCH_MAX_COUNTERS 32
typedef struct hl_bench_counter {
    const char *name;
    double value; /* after Google Benchmark applied the flags */
} hl_bench_counter;

typedef struct hl_bench_result {
    const char *name;     /* benchmark name, with /repeats or _mean suffixes */
    const char *run_name; /* name without aggregate suffix */
    bool is_aggregate;
    const char *aggregate_name; /* "mean", "median", "stddev", "cv" or "" */
    int64_t repetitions;
    int64_t repetition_index;
    int64_t iterations;
    /* Per iteration; for the "cv" aggregate, the coefficient of variation as a
     * fraction (as in Google Benchmark's JSON). */
    double real_time_ns; /* per iteration */
    double cpu_time_ns;  /* per iteration */
    bool error_occurred;
    const char *error_message;
    const char *label;
    size_t counter_count;
    hl_bench_counter counters[HL_BENCH_MAX_COUNTERS];
} hl_bench_result;

/* Called once per reported run (each repetition, then the aggregates). The strings
 * live until the callback returns. */
typedef void (*hl_bench_result_fn)(const hl_bench_result *result, void *data);

/* Run every registered benchmark with Google Benchmark's console reporter (and its
 * --benchmark_out file reporter when asked); each run is also passed to `on_result`
 * when not NULL. Returns the number of benchmarks run. */
size_t hl_bench_run(hl_bench_result_fn on_result, void *data);

/* The message of the first C++ exception an entry point above caught (the library
 * out of memory, a flag it could not use), or NULL: the caller reports it in one line. */
const char *hl_bench_error(void);

/* libbenchmark's version string ("1.7.1"), from the build. */
const char *hl_bench_library_version(void);

#ifdef __cplusplus
}
#endif

#endif
