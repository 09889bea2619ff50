/* `heaplab run`: the command line of one configuration. Parses the options into an
 * hl_run_config (bad input: one line, exit 2), applies the test-mode faults, and hands
 * the configuration to the harness (bench/harness/run.h), whose outcome becomes the
 * exit code: 0 ok, 1 failed check or other error, 2 usage error, 3 MemoryError,
 * 4 RecursionError.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/harness/run.h"

/* ---- options ---- */

#define DEFAULT_SEED 42

static const hl_cli_option run_options_table[] = {
    {"--workload", "W/VARIANT", "the workload variant to run (heaplab list workloads)"},
    {"--size", "N", "n: depth, list length or objects (1000, 1e6, 10^6, 1M)"},
    {"--allocator", "A", "heap allocator (default libc; heaplab list allocators)"},
    {"--collector", "C", "collector strategy (default refcount; heaplab list collectors)"},
    {"--repetitions", "K", "repetitions; the row holds their medians (default 1)"},
    {"--iterations", "N", "fixed iterations per repetition (default: Google Benchmark's choice)"},
    {"--min-time", "S", "minimum seconds per repetition when iterations are not fixed"},
    {"--warmup", "S", "run the benchmark untimed for S seconds before the first repetition"},
    {"--heap-limit", "BYTES", "a budget on the managed heap: collect at it, MemoryError past it (default: 3/4 of RAM, a guard only)"},
    {"--recursion-limit", "D", "maximum frame depth (default 10^7)"},
    {"--gc-thresholds", "T0,T1,T2", "generation thresholds (default: the collector's)"},
    {"--growth-factor", "F", "mark_sweep: collect when the heap grew by F (default 2.0)"},
    {"--sweep", "eager|lazy", "mark_sweep: sweep in steps after the pause (lazy, default) or in it"},
    {"--heap-factor", "F", "label the rows: --heap-limit is F x the minimum heap (batch --heap-factors)"},
    {"--seed", "S", "seed of the random variants (default 42)"},
    {"--json", "FILE", "write Google Benchmark JSON with the schema's counters (- : stdout)"},
    {"--row", "FILE", "write the results CSV header and this configuration's row (- : stdout)"},
    {"--timeline", "FILE", "record live bytes over the run (every iteration) to FILE"},
    {"--pauses", "FILE", "write every pause inside the clock, with its start time, to FILE (CSV)"},
    {"--trace", "FILE", "trace-event JSON of the timed iterations (Perfetto, chrome://tracing)"},
    {"--fail-alloc-at", "N", "TEST MODE: make the Nth allocation of each iteration fail"},
    {"--help", NULL, "this help (also -h)"},
    {NULL, NULL, NULL},
};

static void run_usage(FILE *out) {
    fprintf(out,
            "usage: heaplab run --workload W/VARIANT --size N [--allocator A] [--collector C]\n"
            "                   [options] [--benchmark_* flags]\n\n"
            "Runs one configuration through Google Benchmark and prints its figures.\n\n"
            "What a run is, the same for every collector: build the structure, drop it\n"
            "and reclaim what was dropped (a full collection for the collectors that\n"
            "collect; refcount's counts free it as it goes), all inside the clock; the\n"
            "heap's teardown (what is still live, e.g. refcount's leaked cycles) is\n"
            "outside it. One allocator instance serves every iteration, warm. Per run:\n"
            "gc_time_ns = collector pauses inside the clock, mutator_time_ns =\n"
            "real_time_ns - gc_time_ns, minor_faults/major_faults = page faults inside\n"
            "the clock (docs/architecture.md, \"What a run is\").\n\n"
            "options:\n");
    hl_cli_print_options(out, run_options_table);
    fprintf(out, "\nGoogle Benchmark's own --benchmark_* flags pass through "
                 "(e.g. --benchmark_out=FILE).\n"
                 "stdout: with --json -, --row - or --benchmark_format=json|csv it carries that\n"
                 "        format only; the summary (and with -, Google Benchmark's table) go to\n"
                 "        stderr\n"
                 "exit codes: 0 ok, 1 failed check or other error, 2 usage error,\n"
                 "            3 MemoryError, 4 RecursionError\n"
                 "test mode: --fail-alloc-at and the HEAPLAB_TEST_FAULT environment variable\n"
                 "           (docs/cli.md, \"Test modes\"); not for measurements\n");
}

/* An output file is writable when its folder exists and is writable: checked before
 * the run, so a typo costs nothing. */
/* An output the user names through a symbolic link is written to the link's target (the
 * file writes replace what is at a path, never follow a link: the batch's own files
 * rely on that); a link to nothing is refused. */
static bool through_link(const char *what, const char **path, char *buf, char *error,
                         size_t size) {
    struct stat st;
    if (lstat(*path, &st) != 0 || !S_ISLNK(st.st_mode)) return true;
    if (realpath(*path, buf) == NULL) {
        snprintf(error, size, "%s: '%.200s' is a symbolic link to nothing (%s)", what, *path,
                 strerror(errno));
        return false;
    }
    *path = buf;
    return true;
}

static bool output_path_ok(const char *what, const char *path, char *error, size_t size) {
    if (path[0] == '\0') {
        snprintf(error, size, "%s: empty file name", what);
        return false;
    }
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(dir, sizeof dir, ".");
    } else if (slash == path) {
        snprintf(dir, sizeof dir, "/");
    } else {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path); /* truncation: access fails */
    }
    if (slash != NULL && slash[1] == '\0') {
        snprintf(error, size, "%s: '%s' is a folder, not a file", what, path);
        return false;
    }
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        snprintf(error, size, "%s: cannot write '%.200s' (%.200s: %s)", what, path, dir,
                 strerror(ENOTDIR));
        return false;
    }
    if (access(dir, W_OK) != 0) {
        snprintf(error, size, "%s: cannot write '%.200s' (%.200s: %s)", what, path, dir,
                 strerror(errno));
        return false;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(error, size, "%s: '%s' is a folder, not a file", what, path);
        return false;
    }
    return true;
}

/* Fills `opt` from the command line; collects --benchmark_* arguments into
 * `passthrough` (argv[0] first). Returns HL_EXIT_OK, or the code to exit with
 * (having printed the one line). */
static int parse_run_options(int argc, char **argv, hl_run_config *opt, char **passthrough,
                             int *passthrough_count) {
    char error[HL_CLI_ERROR_SIZE];
    /* the outputs' link targets (--json, --row, --timeline, --pauses, --trace): they
     * outlive the parse, as the config keeps pointers to them */
    static char links[5][PATH_MAX];
    /* the defaults are the registries' first entries (libc, refcount) */
    const char *workload = NULL, *allocator = hl_allocator_registry[0]->name,
               *collector = hl_collector_registry[0]->name;
    bool have_size = false;
    hl_cli_parser parser;
    hl_cli_parser_init(&parser, "run", run_options_table, argc, argv);
    parser.passthrough_prefix = "--benchmark_";
    /* lazy sweeping is mark_sweep's default (docs/decisions.md, "Lazy sweep by default") */
    *opt = (hl_run_config){.seed = DEFAULT_SEED, .lazy_sweep = true};
    passthrough[0] = "heaplab"; /* Google Benchmark prints it as the program's name */
    *passthrough_count = 1;

    for (;;) {
        const hl_cli_option *o;
        const char *v;
        uint64_t u = 0, list[3];
        hl_cli_token t = hl_cli_next(&parser, &o, &v, error, sizeof error);
        if (t == HL_CLI_END) break;
        if (t == HL_CLI_BAD) return hl_cli_usage_error("%s", error);
        if (t == HL_CLI_POSITIONAL)
            return hl_cli_usage_error("run: unexpected argument '%s' (options start with --; "
                                      "see heaplab run --help)",
                                      v);
        if (t == HL_CLI_PASSTHROUGH) {
            /* Google Benchmark 1.7.1 takes an unknown format silently and prints
             * nothing: the formats are checked here */
            const char *formats[] = {"--benchmark_format=", "--benchmark_out_format="};
            for (size_t f = 0; f < 2; f++) {
                size_t n = strlen(formats[f]);
                const char *fv = v + n;
                if (strncmp(v, formats[f], n) == 0 && strcmp(fv, "console") != 0 &&
                    strcmp(fv, "json") != 0 && strcmp(fv, "csv") != 0)
                    return hl_cli_usage_error("run: %.*s: unknown format '%s' (valid: console, "
                                              "json, csv)",
                                              (int)n - 1, formats[f], fv);
            }
            passthrough[(*passthrough_count)++] = (char *)v;
            continue;
        }
        const char *name = o->name;
        bool ok = true;
        if (strcmp(name, "--help") == 0) {
            run_usage(stdout);
            return -1; /* done, exit 0 */
        } else if (strcmp(name, "--workload") == 0) {
            workload = v;
        } else if (strcmp(name, "--size") == 0) {
            ok = hl_cli_parse_uint(name, v, HL_CLI_COUNT, 1, HL_CLI_MAX_SIZE, &opt->size, error,
                                   sizeof error);
            have_size = true;
        } else if (strcmp(name, "--allocator") == 0) {
            allocator = v;
        } else if (strcmp(name, "--collector") == 0) {
            collector = v;
        } else if (strcmp(name, "--repetitions") == 0) {
            ok = hl_cli_parse_uint(name, v, HL_CLI_COUNT, 1, 1000, &u, error, sizeof error);
            opt->bench.repetitions = (int)u;
        } else if (strcmp(name, "--iterations") == 0) {
            ok = hl_cli_parse_uint(name, v, HL_CLI_COUNT, 1, 1000000000, &u, error, sizeof error);
            opt->bench.iterations = (int64_t)u;
        } else if (strcmp(name, "--min-time") == 0) {
            ok = hl_cli_parse_double(name, v, 0, false, 3600, &opt->bench.min_time, error,
                                     sizeof error);
        } else if (strcmp(name, "--warmup") == 0) {
            ok = hl_cli_parse_double(name, v, 0, true, 3600, &opt->bench.min_warmup_time, error,
                                     sizeof error);
        } else if (strcmp(name, "--heap-limit") == 0) {
            ok = hl_cli_parse_uint(name, v, HL_CLI_BYTES, 1, HL_CLI_MAX_BYTES, &opt->heap_limit,
                                   error, sizeof error);
            opt->heap_budget = true;
        } else if (strcmp(name, "--recursion-limit") == 0) {
            ok = hl_cli_parse_uint(name, v, HL_CLI_COUNT, 1, 1000000000, &opt->recursion_limit,
                                   error, sizeof error);
        } else if (strcmp(name, "--gc-thresholds") == 0) {
            ok = hl_cli_parse_uint_list(name, v, 3, 1, 1000000000, list, error, sizeof error);
            for (size_t i = 0; ok && i < 3; i++)
                opt->thresholds[i] = (long)list[i];
        } else if (strcmp(name, "--growth-factor") == 0) {
            ok = hl_cli_parse_double(name, v, 1.0, false, 1000, &opt->growth_factor, error,
                                     sizeof error);
        } else if (strcmp(name, "--sweep") == 0) {
            ok = strcmp(v, "eager") == 0 || strcmp(v, "lazy") == 0;
            if (ok)
                opt->lazy_sweep = strcmp(v, "lazy") == 0;
            else
                snprintf(error, sizeof error, "--sweep: expected eager or lazy, got '%s'", v);
        } else if (strcmp(name, "--heap-factor") == 0) {
            ok = hl_cli_parse_double(name, v, 0, false, 1000, &opt->heap_factor, error,
                                     sizeof error);
        } else if (strcmp(name, "--seed") == 0) {
            ok = hl_cli_parse_uint(name, v, HL_CLI_COUNT, 0, UINT64_MAX, &opt->seed, error,
                                   sizeof error);
        } else if (strcmp(name, "--fail-alloc-at") == 0) {
            ok = hl_cli_parse_uint(name, v, HL_CLI_COUNT, 1, UINT64_MAX, &opt->fail_alloc_at, error,
                                   sizeof error);
        } else if (strcmp(name, "--json") == 0) {
            ok = strcmp(v, "-") == 0 || (through_link(name, &v, links[0], error, sizeof error) &&
                                         output_path_ok(name, v, error, sizeof error));
            opt->json_path = v;
        } else if (strcmp(name, "--row") == 0) {
            ok = strcmp(v, "-") == 0 || (through_link(name, &v, links[1], error, sizeof error) &&
                                         output_path_ok(name, v, error, sizeof error));
            opt->row_path = v;
        } else if (strcmp(name, "--timeline") == 0) {
            ok = through_link(name, &v, links[2], error, sizeof error) &&
                 output_path_ok(name, v, error, sizeof error);
            opt->timeline_path = v;
        } else if (strcmp(name, "--pauses") == 0) {
            ok = through_link(name, &v, links[3], error, sizeof error) &&
                 output_path_ok(name, v, error, sizeof error);
            opt->pauses_path = v;
        } else if (strcmp(name, "--trace") == 0) {
            ok = through_link(name, &v, links[4], error, sizeof error) &&
                 output_path_ok(name, v, error, sizeof error);
            opt->trace_path = v;
        }
        if (!ok) return hl_cli_usage_error("%s", error);
    }

    if (opt->json_path && opt->row_path && strcmp(opt->json_path, "-") == 0 &&
        strcmp(opt->row_path, "-") == 0)
        return hl_cli_usage_error("run: --json - and --row - both want stdout (give one a file)");
    if (workload == NULL) {
        char valid[1024];
        hl_workload_names(valid, sizeof valid);
        return hl_cli_usage_error("run: --workload is required (valid: %s)", valid);
    }
    if (!hl_cli_find_workload(workload, &opt->workload, &opt->variant, error, sizeof error) ||
        !hl_cli_find_allocator(allocator, &opt->allocator, error, sizeof error) ||
        !hl_cli_find_collector(collector, &opt->collector, error, sizeof error))
        return hl_cli_usage_error("%s", error);
    if (!have_size) opt->size = opt->workload->default_size;
    if (opt->bench.iterations > 0 && opt->bench.min_warmup_time > 0)
        return hl_cli_usage_error("run: --warmup and --iterations cannot be combined (Google "
                                  "Benchmark runs no warm-up before a fixed iteration count)");
    if (opt->heap_factor > 0 && !opt->heap_budget)
        return hl_cli_usage_error("run: --heap-factor labels a budget: give --heap-limit too");
    if (opt->heap_limit == 0) opt->heap_limit = hl_run_default_heap_limit();
    opt->bench.use_real_time = true;
    return HL_EXIT_OK;
}

/* ---- test mode: HEAPLAB_TEST_FAULT ---- */

/* HEAPLAB_TEST_FAULT="<configuration>=segv;<configuration>=hang" (docs/cli.md, test
 * mode): the run of a named configuration (hl_results_config_name's spelling,
 * "recursion/sum/100/libc/refcount") dies of SIGSEGV or sleeps forever right after
 * starting, so that the batch runner's handling of crashes and hangs can be tested.
 * Returns HL_EXIT_OK (no fault for this configuration) or, for a malformed value, the
 * usage error's exit code; does not return when the fault fires. */
static int test_fault(const char *config) {
    const char *spec = getenv("HEAPLAB_TEST_FAULT");
    if (spec == NULL || spec[0] == '\0') return HL_EXIT_OK;
    const char *p = spec;
    while (*p != '\0') {
        const char *end = strchr(p, ';');
        size_t length = end != NULL ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', length);
        if (length == 0) { /* "a=segv;;b=hang" or a trailing ';' */
            p += 1;
            continue;
        }
        const char *action = eq != NULL ? eq + 1 : NULL;
        size_t action_length = eq != NULL ? length - (size_t)(action - p) : 0;
        bool segv = action_length == 4 && strncmp(action, "segv", 4) == 0;
        bool hang = action_length == 4 && strncmp(action, "hang", 4) == 0;
        if (eq == NULL || eq == p || (!segv && !hang))
            return hl_cli_usage_error("HEAPLAB_TEST_FAULT: '%.*s' is not CONFIGURATION=segv or "
                                      "CONFIGURATION=hang (test mode, docs/cli.md)",
                                      (int)length, p);
        if ((size_t)(eq - p) == strlen(config) && strncmp(p, config, (size_t)(eq - p)) == 0) {
            fflush(stdout);
            if (segv) {
                /* A real death by SIGSEGV in every build: the default action (a
                 * sanitizer's handler would turn it into an exit), without a core
                 * file. */
                struct rlimit no_core = {0, 0};
                setrlimit(RLIMIT_CORE, &no_core);
                signal(SIGSEGV, SIG_DFL);
                raise(SIGSEGV);
            }
            for (;;)
                pause(); /* hang: until killed */
        }
        if (end == NULL) break;
        p = end + 1;
    }
    return HL_EXIT_OK;
}

int hl_cmd_run(int argc, char **argv) {
    hl_run_config opt;
    char **passthrough = calloc((size_t)argc + 1, sizeof *passthrough);
    if (passthrough == NULL) return hl_cli_error("run: out of memory");
    int passthrough_count = 0;
    int code = parse_run_options(argc, argv, &opt, passthrough, &passthrough_count);
    if (code != HL_EXIT_OK) {
        free(passthrough);
        return code < 0 ? HL_EXIT_OK : code;
    }
    char config[256];
    hl_run_config_name(&opt, config, sizeof config);
    code = test_fault(config); /* test mode; returns only when no fault fires */
    if (code != HL_EXIT_OK) {
        free(passthrough);
        return code;
    }
    /* The whole command line, for the harness's re-execution with LD_PRELOAD. */
    char **process_argv = calloc((size_t)argc + 2, sizeof *process_argv);
    if (process_argv == NULL) {
        free(passthrough);
        return hl_cli_error("run: out of memory");
    }
    process_argv[0] = "heaplab";
    for (int i = 0; i < argc; i++)
        process_argv[i + 1] = argv[i];

    hl_workload_status status = HL_WORKLOAD_OK;
    char error[HL_CLI_ERROR_SIZE];
    hl_run_outcome outcome = hl_run_configuration(&opt, process_argv, passthrough_count,
                                                  passthrough, &status, error, sizeof error);
    free(process_argv);
    free(passthrough);
    switch (outcome) {
    case HL_RUN_USAGE_ERROR:
        return hl_cli_usage_error("%s", error);
    case HL_RUN_SETUP_ERROR:
    case HL_RUN_FAILED:
        return hl_cli_error("%s", error);
    case HL_RUN_DONE:
        break;
    }
    if (status != HL_WORKLOAD_OK) hl_cli_error("%s", error); /* one line on stderr, for logs */
    return hl_cli_exit_code(status);
}
