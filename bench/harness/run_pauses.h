/* What a run keeps of its pauses beyond one call of the benchmark function
 * (bench/harness/run.c): each iteration's longest program pause, for gc_pause_max_ns,
 * and, for `run --pauses FILE`, every pause with its call and iteration. */
#ifndef HEAPLAB_BENCH_RUN_PAUSES_H
#define HEAPLAB_BENCH_RUN_PAUSES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/pause_log.h"

typedef struct hl_run_pauses {
    unsigned program_tag, reclaim_tag; /* the pause log's tags for the two phases */
    bool keep_all;                     /* --pauses was given */
    /* each iteration's longest program pause, over the current call */
    uint64_t *run_max_ns;
    size_t run_max_count, run_max_capacity;
    /* every pause of every call (keep_all), and where it was */
    struct hl_kept_pause {
        unsigned call;
        uint64_t iteration;
        hl_pause pause;
    } *kept;
    size_t kept_count, kept_capacity;
    unsigned calls; /* calls of the benchmark function ended so far */
} hl_run_pauses;

/* A call of the benchmark function starts: its iterations' maxima start over. */
void hl_run_pauses_begin_call(hl_run_pauses *p);
/* An iteration ended; its pauses are log's [from, end): keep its longest program pause
 * and, with keep_all, each of them. False when they cannot be kept (memory). */
bool hl_run_pauses_end_iteration(hl_run_pauses *p, const hl_pause_log *log, size_t from);
/* The call ended. */
void hl_run_pauses_end_call(hl_run_pauses *p);
/* The median over the current call's iterations of each one's longest program pause. */
double hl_run_pauses_median_max(const hl_run_pauses *p);
/* --pauses FILE: `call,iteration,start_ns,duration_ns,kind,phase` (a writer for
 * hl_results_write_atomic; data is the hl_run_pauses). */
bool hl_run_pauses_write(FILE *out, void *data);
void hl_run_pauses_free(hl_run_pauses *p);

#endif
