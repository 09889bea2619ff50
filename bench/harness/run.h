/* heaplab harness: one configuration (workload/variant, size, allocator, collector)
 * timed through Google Benchmark in this process, with the listeners that measure it.
 * `heaplab run` (bench/cli/run_command.c) parses the command line into an
 * hl_run_config and calls hl_run_configuration; a batch runs each configuration as a
 * child process of that command. See run.c for the story of a run.
 */
#ifndef HEAPLAB_BENCH_HARNESS_RUN_H
#define HEAPLAB_BENCH_HARNESS_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocators/allocator.h"
#include "bench/harness/gbench.h"
#include "bench/workloads/workload.h"
#include "collectors/collector.h"

/* heaplab's process exit codes (README, docs/cli.md). Defined here, the lowest room
 * that needs them: `heaplab run` exits with them and the batch runner reads them from
 * its children. */
enum {
    HL_EXIT_OK = 0,
    HL_EXIT_FAILURE = 1, /* anything else: a failed check, an unwritable file, a crash */
    HL_EXIT_USAGE = 2,
    HL_EXIT_MEMORY_ERROR = 3,
    HL_EXIT_RECURSION_ERROR = 4,
};

typedef struct hl_run_config {
    const hl_workload *workload;
    const hl_workload_variant *variant;
    uint64_t size;
    const hl_allocator_ops *allocator;
    const hl_collector_ops *collector;
    hl_bench_options bench;
    uint64_t heap_limit; /* bytes; hl_run_default_heap_limit() when not given */
    bool heap_budget;    /* --heap-limit was given: it is a budget (hl_heap_config.fixed_heap) */
    double heap_factor;  /* --heap-factor: the budget's factor of the minimum heap, a label
                            for the rows (batch --heap-factors); 0: none */
    uint64_t recursion_limit;
    long thresholds[3];
    double growth_factor;
    bool lazy_sweep; /* --sweep lazy (mark_sweep) */
    uint64_t seed;
    uint64_t fail_alloc_at;    /* test mode: make the Nth allocation of each iteration fail */
    const char *json_path;     /* Google Benchmark JSON, or NULL */
    const char *row_path;      /* the results CSV header and this configuration's row */
    const char *timeline_path; /* live bytes over the run */
    const char *pauses_path;   /* every pause inside the clock, with its start time */
    const char *trace_path;    /* Chrome trace-event JSON of the timed iterations */
} hl_run_config;

/* How a run ended. */
typedef enum hl_run_outcome {
    HL_RUN_DONE,        /* it ran; *status is the workload's (ok, MemoryError, ...) */
    HL_RUN_FAILED,      /* it ran but its figures are not a result: no benchmark ran,
                           out of memory while recording, or an output file could not
                           be written; *error says which */
    HL_RUN_SETUP_ERROR, /* the process could not be made ready for the allocator or
                           the collector; *error says why */
    HL_RUN_USAGE_ERROR, /* a --benchmark_* flag Google Benchmark does not know */
} hl_run_outcome;

/* The heap limit without --heap-limit: 3/4 of physical memory, or of RLIMIT_AS when
 * that is lower, so that a size that cannot fit ends in a MemoryError, never with a
 * visit from the kernel's OOM killer. 0 (no limit) when neither is known. */
uint64_t hl_run_default_heap_limit(void);

/* The configuration's name, as the results and the batch runner spell it
 * ("large_list/range/1000/libc/refcount"; the allocator is the collector's own when
 * it brings one). */
void hl_run_config_name(const hl_run_config *config, char *out, size_t out_size);

/* Run one configuration: make the process ready for its allocator (jemalloc and
 * mimalloc are loaded with LD_PRELOAD, so this may re-execute `process_argv`, the
 * whole command line), hand `bench_argv` (argv[0] plus the --benchmark_* flags) to
 * Google Benchmark, time the workload, print the summary and write the requested
 * files. *status is the workload's status when the outcome is HL_RUN_DONE or
 * HL_RUN_FAILED; *error is one line whenever the outcome is not HL_RUN_DONE, and for
 * HL_RUN_DONE with a status that is not ok, the row's status and message. */
hl_run_outcome hl_run_configuration(const hl_run_config *config, char **process_argv,
                                    int bench_argc, char **bench_argv, hl_workload_status *status,
                                    char *error, size_t error_size);

#endif
