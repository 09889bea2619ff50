/* What a run keeps of its pauses beyond one call of the benchmark function
 * (bench/harness/run.c): each iteration's longest program pause, for gc_pause_max_ns,
 * and, for `run --pauses FILE`, every pause with its call and iteration, and the
 * intervals during which each timed iteration had Google Benchmark's clock running (the
 * run's time span, which the MMU of bench/report/mmu.h needs besides the pauses). */
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
    /* the clock-on intervals of the timed part of every iteration (keep_all), on the
     * pause log's clock: one per stretch between a start and a stop of the clock */
    struct hl_clock_interval {
        unsigned call;
        uint64_t iteration, start_ns, duration_ns;
    } *clock;
    size_t clock_count, clock_capacity;
    bool clock_on;          /* an interval has started and not ended */
    uint64_t clock_from_ns; /* its start */
} hl_run_pauses;

/* A call of the benchmark function starts: its iterations' maxima start over. */
void hl_run_pauses_begin_call(hl_run_pauses *p);
/* An iteration ended; its pauses are log's [from, end): keep its longest program pause
 * and, with keep_all, each of them. False when they cannot be kept (memory). */
bool hl_run_pauses_end_iteration(hl_run_pauses *p, const hl_pause_log *log, size_t from);
/* The clock of the current iteration's timed part starts (now_ns: the pause log's
 * clock, hl_pause_log_now_ns) or stops; a stop ends the interval the start began and,
 * with keep_all, keeps it (empty ones are not kept). False when it cannot be kept. */
void hl_run_pauses_clock_start(hl_run_pauses *p, uint64_t now_ns);
bool hl_run_pauses_clock_stop(hl_run_pauses *p, uint64_t now_ns);
/* The call ended. */
void hl_run_pauses_end_call(hl_run_pauses *p);
/* The median over the current call's iterations of each one's longest program pause. */
double hl_run_pauses_median_max(const hl_run_pauses *p);
/* --pauses FILE: `call,iteration,start_ns,duration_ns,kind,phase` (a writer for
 * hl_results_write_atomic; data is the hl_run_pauses): every pause (kind young, middle
 * or full; phase program or reclaim) and every clock-on interval (kind iteration,
 * phase clock), in the order of their start (an interval before a pause that starts at
 * the same nanosecond). */
bool hl_run_pauses_write(FILE *out, void *data);
void hl_run_pauses_free(hl_run_pauses *p);

#endif
