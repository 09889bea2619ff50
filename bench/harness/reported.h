/* The runs Google Benchmark reports for one configuration, copied out of its callback
 * (their strings die with the call), with mutator_time_ns added to each repetition
 * (bench/harness/run.c builds the row and the JSON from them). */
#ifndef HEAPLAB_BENCH_REPORTED_H
#define HEAPLAB_BENCH_REPORTED_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/harness/gbench.h"

typedef struct hl_reported_run {
    hl_bench_result result;
    char *strings[5];
    char *counter_names[HL_BENCH_MAX_COUNTERS];
} hl_reported_run;

typedef struct hl_reported {
    hl_reported_run *runs;
    size_t count, capacity;
    bool out_of_memory; /* a run could not be copied whole */
} hl_reported;

/* Copy one reported run (an hl_bench_result_fn body: data is the hl_reported). */
void hl_reported_add(const hl_bench_result *result, void *data);
/* A figure, by its schema name, over the repetitions (not the aggregates) into
 * `values` (room for r->count); returns how many. */
size_t hl_reported_values(const hl_reported *r, const char *name, double *values);
void hl_reported_free(hl_reported *r);

#endif
