/* The batch presets: what `heaplab batch` runs without lists, and their budgets. */
#include <stdio.h>
#include <string.h>

#include "bench/batch/batch.h"

/* Timelines: recursion/calls makes acyclic garbage on every call (mark_sweep's
 * sawtooth, flat lines for the counting collectors); cyclic_graph/rings builds rings
 * and drops them (refcount keeps them: its leak). */
const hl_preset hl_batch_presets[] = {
    {
        .name = "quick",
        .summary = "every allocator x collector x workload variant at n = 1000, 10^4 and 10^5, "
                   "4 invocations of 3 timed repetitions each after a warm-up (4 a side: the "
                   "fewest for which compare's Mann-Whitney test can reach p < 0.05), CPython "
                   "reference rows when python3 is on PATH (5.5 min measured on 2 cores); "
                   "the GC benchmarks (gcbench, gc_traversal, cycle_churn, growing_heap) only "
                   "when --workloads names them",
        .sizes = {1000, 10000, 100000},
        .repetitions = 4,
        .samples = 3,
        .timeout_s = 60,
        .min_time = "0.002",
        .warmup = "0.002",
        .timelines = {{"recursion/calls", 200000}, {"cyclic_graph/rings", 200000}},
        /* one size of each would add 25 to 35 s (a fifth) to the 2 minutes: full only */
        .leaves_out = {"gcbench", "gc_traversal", "cycle_churn", "growing_heap"},
    },
    {
        .name = "full",
        .summary = "every allocator x the four strategies (refcount, rc_cycle, mark_sweep, "
                   "boehm) x workload variant over each workload's "
                   "size ladder (recursion to 10^6, large lists and cyclic graphs to 10^7, "
                   "gcbench to 131071, gc_traversal to 3000, cycle_churn and growing_heap to "
                   "10^6), 5 invocations of one timed repetition each after a warm-up, CPython "
                   "reference rows, for reports (35 minutes measured without the warm-up and "
                   "the GC benchmarks on a 2-core VM, about 12 more estimated for them; budget "
                   "an hour)",
        .sizes = {0},
        .repetitions = 5,
        .samples = 1,
        .timeout_s = 900,
        .min_time = "0.05",
        .warmup = "0.05",
        .timelines = {{"recursion/calls", 2000000}, {"cyclic_graph/rings", 2000000}},
        /* the four strategies; CPython's versions have their own preset (cpython): with
         * all eight the full ladder would take about twice the hour */
        .collectors = "refcount,rc_cycle,mark_sweep,boehm",
        .caps = {{"recursion", 1000000},
                 {"large_list", 10000000},
                 {"cyclic_graph", 10000000},
                 {"cycle_churn", 1000000},
                 {"growing_heap", 1000000}},
        .warn_without_reference = true,
    },
    {
        .name = "methodology",
        .summary = "the GC researcher's figure set for every collector on one workload of each "
                   "family plus gcbench, on libc: the minimum heap of each, a time-space sweep "
                   "at 1.25, 1.5, 2, 3, 4 and 6 times it, MMU and pause CDFs from every pause, "
                   "timelines with Perfetto traces (docs/batch.md; at most 30 minutes on 2 cores)",
        .sizes = {0},
        .allocators = "libc",
        .workloads = "recursion/sum,large_list/append,cyclic_graph/pairs,cyclic_graph/random,"
                     "gcbench/classic",
        .workload_sizes = {{"recursion", 100000},
                           {"large_list", 1000000},
                           {"cyclic_graph", 100000},
                           {"gcbench", 16383}},
        .heap_factors = {1.25, 1.5, 2, 3, 4, 6},
        .repetitions = 5,
        .samples = 5,
        .timeout_s = 300,
        .min_time = "0.02",
        .warmup = "0.02",
        .timelines = {{"cyclic_graph/rings", 200000}},
    },
    {
        .name = "cpython",
        .summary = "CPython's collectors as they evolved (3.11/3.12 rc_cycle, 3.13 rc_cycle_313, "
                   "3.14.0 cpython_inc, 3.14t cpython_ft and cpython_ft_alloc) on the shapes "
                   "behind their regressions (cycle_churn, growing_heap) and the seed "
                   "workloads, over pool, libc and mimalloc, with report.html's table of what "
                   "each CPython issue reported against what the models show",
        .sizes = {0},
        .allocators = "pool,libc,mimalloc",
        .collectors = "rc_cycle,rc_cycle_313,cpython_inc,cpython_ft,cpython_ft_alloc",
        .workloads = "cycle_churn,growing_heap,recursion,large_list,cyclic_graph",
        .workload_sizes = {{"cycle_churn", 1000000},
                           {"growing_heap", 1000000},
                           {"recursion", 100000},
                           {"large_list", 1000000},
                           {"cyclic_graph", 100000}},
        .repetitions = 3,
        .samples = 3,
        .timeout_s = 600,
        .min_time = "0.01",
        .warmup = "0.01",
        .timelines = {{"cycle_churn/requests", 1000000}},
    },
    {
        .name = "allocators",
        .summary = "every allocator under refcount on every workload variant whose ladder has "
                   "10^6, at 10^6, 5 invocations of 3 timed repetitions each after a warm-up, "
                   "CPython reference rows (pymalloc's own figure beside pool's); "
                   "scripts/allocator-table prints its table with pool's ratio to the best "
                   "(docs/allocators.md; about 12 minutes on 2 cores)",
        .sizes = {0},
        .collectors = "refcount",
        .workloads = "recursion,large_list,cyclic_graph,cycle_churn,growing_heap",
        .workload_sizes = {{"recursion", 1000000},
                           {"large_list", 1000000},
                           {"cyclic_graph", 1000000},
                           {"cycle_churn", 1000000},
                           {"growing_heap", 1000000}},
        .repetitions = 5,
        .samples = 3,
        .timeout_s = 300,
        .min_time = "0.01",
        .warmup = "0.05",
    },
};
const size_t hl_batch_preset_count = 5;
#define HL_PRESET_COUNT hl_batch_preset_count

void hl_batch_list_presets(FILE *out) {
    for (size_t i = 0; i < HL_PRESET_COUNT; i++)
        fprintf(out, "%-8s %s%s\n", hl_batch_presets[i].name, hl_batch_presets[i].summary,
                i == 0 ? " [default]" : "");
}

const hl_preset *hl_batch_preset_find(const char *name) {
    for (size_t i = 0; i < HL_PRESET_COUNT; i++)
        if (strcmp(hl_batch_presets[i].name, name) == 0) return &hl_batch_presets[i];
    return NULL;
}
