/* The runs Google Benchmark reported (bench/harness/reported.h). */
#include <stdlib.h>
#include <string.h>

#include "bench/harness/reported.h"

static char *copy_string(hl_reported_run *c, size_t slot, const char *s) {
    c->strings[slot] = strdup(s != NULL ? s : "");
    return c->strings[slot];
}

void hl_reported_add(const hl_bench_result *result, void *data) {
    hl_reported *rs = data;
    if (rs->count == rs->capacity) {
        size_t capacity = rs->capacity ? 2 * rs->capacity : 8;
        hl_reported_run *grown = realloc(rs->runs, capacity * sizeof *grown);
        if (grown == NULL) {
            rs->out_of_memory = true;
            return;
        }
        rs->runs = grown;
        rs->capacity = capacity;
    }
    hl_reported_run *c = &rs->runs[rs->count++];
    memset(c, 0, sizeof *c);
    c->result = *result;
    c->result.name = copy_string(c, 0, result->name);
    c->result.run_name = copy_string(c, 1, result->run_name);
    c->result.aggregate_name = copy_string(c, 2, result->aggregate_name);
    c->result.error_message = copy_string(c, 3, result->error_message);
    c->result.label = copy_string(c, 4, result->label);
    bool ok = true;
    for (size_t i = 0; i < 5; i++)
        ok = ok && c->strings[i] != NULL;
    for (size_t i = 0; i < result->counter_count && i < HL_BENCH_MAX_COUNTERS; i++) {
        c->counter_names[i] = strdup(result->counters[i].name);
        c->result.counters[i].name = c->counter_names[i];
        ok = ok && c->counter_names[i] != NULL;
    }
    /* mutator_time_ns = real_time_ns - gc_time_ns, for each repetition (an aggregate's
     * counters are Google Benchmark's own statistics of the repetitions). */
    if (!result->is_aggregate && !result->error_occurred &&
        c->result.counter_count < HL_BENCH_MAX_COUNTERS) {
        double gc_time = 0;
        for (size_t i = 0; i < c->result.counter_count; i++)
            if (strcmp(c->result.counters[i].name, "gc_time_ns") == 0)
                gc_time = c->result.counters[i].value;
        size_t slot = c->result.counter_count++;
        c->counter_names[slot] = strdup("mutator_time_ns");
        c->result.counters[slot].name = c->counter_names[slot];
        c->result.counters[slot].value = result->real_time_ns - gc_time;
        ok = ok && c->counter_names[slot] != NULL;
    }
    if (!ok) rs->out_of_memory = true;
}

void hl_reported_free(hl_reported *rs) {
    for (size_t r = 0; r < rs->count; r++) {
        for (size_t i = 0; i < 5; i++)
            free(rs->runs[r].strings[i]);
        for (size_t i = 0; i < HL_BENCH_MAX_COUNTERS; i++)
            free(rs->runs[r].counter_names[i]);
    }
    free(rs->runs);
}

/* One figure of a reported run, by its schema name. */
static double figure_of(const hl_bench_result *r, const char *name) {
    if (strcmp(name, "real_time_ns") == 0) return r->real_time_ns;
    if (strcmp(name, "cpu_time_ns") == 0) return r->cpu_time_ns;
    for (size_t i = 0; i < r->counter_count; i++)
        if (strcmp(r->counters[i].name, name) == 0) return r->counters[i].value;
    return 0;
}

size_t hl_reported_values(const hl_reported *rs, const char *name, double *values) {
    size_t k = 0;
    for (size_t r = 0; r < rs->count; r++)
        if (!rs->runs[r].result.is_aggregate) values[k++] = figure_of(&rs->runs[r].result, name);
    return k;
}

