/* `heaplab batch`: the command line of a batch. Parses the options into the plan (an
 * hl_batch, bench/batch/batch.h), checking every name against the registries (a bad one
 * is one line and exit 2); `--resume DIR` re-reads the arguments saved in DIR and
 * parses them the same way. Then bench/batch/ runs it (hl_batch_run), and its outcome
 * becomes the exit code: 0 every configuration has a result (ok, memory_error,
 * recursion_error), 1 some crashed, timed out or failed (after all the others ran) or
 * another error, 2 usage error (a --benchmark_* flag Google Benchmark rejects
 * included, checked before the first configuration), 130 interrupted (resume it).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/batch/batch.h"
#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "collectors/collector.h"

#define HL_EXIT_INTERRUPTED 130

static const hl_cli_option hl_batch_options[] = {
    {"--preset", "NAME", "quick (default) or full; lists below override its parts"},
    {"--allocators", "LIST", "comma-separated allocators (default: all)"},
    {"--collectors", "LIST", "comma-separated collectors (default: all)"},
    {"--workloads", "LIST", "W/VARIANT or W (all its variants), comma-separated (default: all)"},
    {"--sizes", "LIST", "sizes for every workload: 1000,1e4,10^5 (default: the preset's)"},
    {"--repetitions", "K",
     "invocations per configuration, each its own process (default: the preset's)"},
    {"--samples", "S",
     "timed repetitions inside each invocation, after its warm-up; the invocation's figure is "
     "their median (default: the preset's)"},
    {"--min-time", "S", "minimum seconds of each timed repetition (default: the preset's)"},
    {"--warmup", "S",
     "untimed seconds before an invocation's first repetition (default: the preset's)"},
    {"--order", "ORDER",
     "shuffled (default): every invocation of every configuration interleaved in a seeded "
     "order; sequential: a configuration's invocations one after another"},
    {"--seed", "S", "seed of the shuffled order (default 1; recorded in manifest.json)"},
    {"--timeout", "SECONDS", "time limit per configuration (default: the preset's)"},
    {"--timelines", "LIST", "workloads recorded with run --timeline per collector, or none"},
    {"--timeline-size", "N", "size of the timeline runs (default: the preset's)"},
    {"--reference", "NAME",
     "cpython: CPython reference rows (python3 on PATH); none: without (default: cpython "
     "when python3 is there)"},
    {"--heap-factors", "LIST",
     "time-space sweep: every configuration at each factor x its minimum heap (1.25,2,6)"},
    {"--shard", "I/N",
     "run only shard I (0 to N-1) of N: whole cells (workload x size) dealt out by their "
     "work; `heaplab merge` joins the N folders"},
    {"--out", "DIR", "the results folder (default: results/<UTC time>-<preset>)"},
    {"--resume", "DIR", "finish an interrupted batch (no other option)"},
    {"--help", NULL, "this help (also -h)"},
    {NULL, NULL, NULL},
};

static void add_unique(const char **list, size_t *count, const char *name) {
    for (size_t i = 0; i < *count; i++)
        if (strcmp(list[i], name) == 0) return;
    list[(*count)++] = name;
}

/* Whether the preset runs `workload` only when --workloads names it. */
static bool preset_leaves_out(const hl_preset *preset, const char *workload) {
    for (size_t i = 0; i < HL_BATCH_MAX_LEFT_OUT && preset->leaves_out[i] != NULL; i++)
        if (strcmp(preset->leaves_out[i], workload) == 0) return true;
    return false;
}

static void add_workload_unique(hl_batch *b, const char *name) {
    for (size_t i = 0; i < b->workload_count; i++)
        if (strcmp(b->workloads[i], name) == 0) return;
    if (b->workload_count < sizeof b->workloads / sizeof b->workloads[0])
        hl_report_fmt(b->workloads[b->workload_count++], sizeof b->workloads[0], "%s", name);
}

/* Split `text` on commas into at most max items (copied into storage). */
static size_t split_list(const char *text, char items[][64], size_t max, bool *too_long) {
    size_t n = 0;
    *too_long = false;
    const char *p = text;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (n == max || len >= 64) {
            *too_long = true;
            return n;
        }
        memcpy(items[n], p, len);
        items[n][len] = '\0';
        n++;
        if (!comma) break;
        p = comma + 1;
        if (*p == '\0') { /* trailing comma: an empty item */
            items[n < max ? n : max - 1][0] = '\0';
            if (n < max) n++;
        }
    }
    return n;
}

static bool parse_name_list(const char *flag, const char *text, char items[][64], size_t max,
                            size_t *count, char *error, size_t error_size) {
    bool too_long;
    *count = split_list(text, items, max, &too_long);
    if (too_long) {
        hl_report_fmt(error, error_size, "%s: too many or too long names in '%s'", flag, text);
        return false;
    }
    for (size_t i = 0; i < *count; i++)
        if (items[i][0] == '\0') {
            hl_report_fmt(error, error_size, "%s: empty name in '%s'", flag, text);
            return false;
        }
    if (*count == 0) {
        hl_report_fmt(error, error_size, "%s needs at least one name", flag);
        return false;
    }
    return true;
}

/* A workload name alone means every variant of it. */
static bool add_workloads(hl_batch *b, const char *flag, const char *text, bool timelines,
                          char *error, size_t error_size) {
    char items[64][64];
    size_t count;
    if (!parse_name_list(flag, text, items, 64, &count, error, error_size)) return false;
    if (timelines && count == 1 && strcmp(items[0], "none") == 0) {
        b->timeline_count = 0;
        return true;
    }
    for (size_t i = 0; i < count; i++) {
        const hl_workload *w = NULL;
        const hl_workload_variant *v = NULL;
        if (strchr(items[i], '/') == NULL) {
            w = hl_workload_find(items[i]);
            if (w == NULL) {
                /* a workload alone, or one of its variants */
                char valid[1400], hint[1500];
                size_t used = 0;
                for (size_t k = 0; hl_workload_registry[k] != NULL && used < sizeof valid; k++)
                    used += (size_t)snprintf(valid + used, sizeof valid - used, "%s%s",
                                             used ? ", " : "", hl_workload_registry[k]->name);
                if (used + 2 < sizeof valid) {
                    valid[used++] = ',';
                    valid[used++] = ' ';
                    hl_workload_names(valid + used, sizeof valid - used);
                }
                hl_cli_hint(items[i], valid, hint, sizeof hint);
                hl_report_fmt(error, error_size, "%s: unknown workload '%s' (%s)", flag, items[i],
                              hint);
                return false;
            }
            if (timelines) {
                hl_report_fmt(error, error_size, "%s: name a variant, W/VARIANT ('%s' has %zu)",
                              flag, items[i], w->variant_count);
                return false;
            }
            for (size_t k = 0; k < w->variant_count; k++) {
                char full[64];
                hl_report_fmt(full, sizeof full, "%s/%s", w->name, w->variants[k].name);
                add_workload_unique(b, full);
            }
            continue;
        }
        char message[HL_CLI_ERROR_SIZE];
        if (!hl_cli_find_workload(items[i], &w, &v, message, sizeof message)) {
            hl_report_fmt(error, error_size, "%s: %s", flag, message);
            return false;
        }
        char full[64];
        hl_report_fmt(full, sizeof full, "%s/%s", w->name, v->name);
        if (timelines) {
            bool seen = false;
            for (size_t k = 0; k < b->timeline_count; k++)
                seen = seen || strcmp(b->timeline_workloads[k], full) == 0;
            if (!seen && b->timeline_count < HL_BATCH_MAX_TIMELINES)
                hl_report_fmt(b->timeline_workloads[b->timeline_count++], 64, "%s", full);
        } else {
            add_workload_unique(b, full);
        }
    }
    return true;
}

/* --heap-factors 1.25,1.5,2: ascending, duplicates dropped, each in (1, 100] (a budget
 * below the minimum heap cannot complete). */
static bool parse_heap_factors(hl_batch *b, const char *text, char *error, size_t error_size) {
    char items[HL_BATCH_MAX_FACTORS][64];
    size_t count;
    if (!parse_name_list("--heap-factors", text, items, HL_BATCH_MAX_FACTORS, &count, error,
                         error_size))
        return false;
    b->heap_factor_count = 0;
    for (size_t i = 0; i < count; i++) {
        double f;
        char message[HL_CLI_ERROR_SIZE];
        if (!hl_cli_parse_double("--heap-factors", items[i], 1.0, true, 100, &f, message,
                                 sizeof message)) {
            hl_report_fmt(error, error_size, "%s", message);
            return false;
        }
        bool seen = false;
        for (size_t k = 0; k < b->heap_factor_count; k++)
            seen = seen || b->heap_factors[k] == f;
        if (!seen) b->heap_factors[b->heap_factor_count++] = f;
    }
    for (size_t i = 1; i < b->heap_factor_count; i++)
        for (size_t k = i; k > 0 && b->heap_factors[k - 1] > b->heap_factors[k]; k--) {
            double t = b->heap_factors[k];
            b->heap_factors[k] = b->heap_factors[k - 1];
            b->heap_factors[k - 1] = t;
        }
    return true;
}

/* --shard I/N: 0 <= I < N <= HL_BATCH_MAX_SHARDS, both plain decimal numbers. */
#define HL_BATCH_MAX_SHARDS 10000
static bool parse_shard(hl_batch *b, const char *text, char *error, size_t error_size) {
    const char *slash = strchr(text, '/');
    unsigned long i = 0, n = 0;
    bool ok = slash != NULL && slash != text && slash[1] != '\0';
    for (const char *p = text; ok && p < slash; p++)
        ok = *p >= '0' && *p <= '9' && (i = i * 10 + (unsigned long)(*p - '0')) < HL_BATCH_MAX_SHARDS;
    for (const char *p = ok ? slash + 1 : ""; ok && *p; p++)
        ok = *p >= '0' && *p <= '9' && (n = n * 10 + (unsigned long)(*p - '0')) <= HL_BATCH_MAX_SHARDS;
    if (!ok || n == 0 || i >= n) {
        hl_report_fmt(error, error_size,
                      "--shard: '%s' is not I/N with 0 <= I < N <= %d (shard I of N, as Slurm's "
                      "array task id)",
                      text, HL_BATCH_MAX_SHARDS);
        return false;
    }
    b->shard_index = (unsigned)i;
    b->shard_count = (unsigned)n;
    return true;
}

static bool parse_sizes(hl_batch *b, const char *text, char *error, size_t error_size) {
    char items[HL_BATCH_MAX_SIZES][64];
    size_t count;
    if (!parse_name_list("--sizes", text, items, HL_BATCH_MAX_SIZES, &count, error, error_size))
        return false;
    b->size_count = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t size;
        char message[HL_CLI_ERROR_SIZE];
        if (!hl_cli_parse_uint("--sizes", items[i], HL_CLI_COUNT, 1, HL_CLI_MAX_SIZE, &size,
                               message, sizeof message)) {
            hl_report_fmt(error, error_size, "%s", message);
            return false;
        }
        bool seen = false;
        for (size_t k = 0; k < b->size_count; k++)
            seen = seen || b->sizes[k] == size;
        if (!seen) b->sizes[b->size_count++] = size;
    }
    /* ascending, so a workload's line runs left to right */
    for (size_t i = 1; i < b->size_count; i++)
        for (size_t k = i; k > 0 && b->sizes[k - 1] > b->sizes[k]; k--) {
            uint64_t t = b->sizes[k];
            b->sizes[k] = b->sizes[k - 1];
            b->sizes[k - 1] = t;
        }
    return true;
}

/* Parse the batch's arguments (argv[0] is "batch"). from_saved: the arguments come
 * from DIR/batch.json on --resume, where --out and --resume are not allowed. */
static bool batch_parse(hl_batch *b, int argc, char **argv, bool from_saved, char *error,
                        size_t error_size) {
    const char *allocators = NULL, *collectors = NULL, *workloads = NULL, *timelines = NULL;
    b->preset = &hl_batch_presets[0];
    hl_cli_parser parser;
    hl_cli_parser_init(&parser, "batch", hl_batch_options, argc, argv);
    parser.passthrough_prefix = "--benchmark_";
    size_t options_given = 0; /* options, not arguments: "--sizes=1e5" is one */
    for (;;) {
        const hl_cli_option *option = NULL;
        const char *value = NULL;
        hl_cli_token token = hl_cli_next(&parser, &option, &value, error, error_size);
        if (token == HL_CLI_END) break;
        if (token == HL_CLI_BAD) return false;
        options_given++;
        if (token == HL_CLI_POSITIONAL) {
            hl_report_fmt(error, error_size, "batch: unexpected argument '%s' (see heaplab help)",
                          value);
            return false;
        }
        if (token == HL_CLI_PASSTHROUGH) {
            if (b->passthrough_count == HL_BATCH_MAX_PASS) {
                hl_report_fmt(error, error_size, "batch: too many --benchmark_ flags");
                return false;
            }
            b->passthrough[b->passthrough_count++] = value;
            continue;
        }
        const char *name = option->name;
        if (strcmp(name, "--preset") == 0) {
            b->preset = hl_batch_preset_find(value);
            if (b->preset == NULL) {
                char valid[256] = "", hint[300];
                for (size_t k = 0; k < hl_batch_preset_count; k++) {
                    strncat(valid, k ? ", " : "", sizeof valid - strlen(valid) - 1);
                    strncat(valid, hl_batch_presets[k].name, sizeof valid - strlen(valid) - 1);
                }
                hl_cli_hint(value, valid, hint, sizeof hint);
                hl_report_fmt(error, error_size, "--preset: unknown preset '%s' (%s)", value, hint);
                return false;
            }
        } else if (strcmp(name, "--allocators") == 0) {
            allocators = value;
        } else if (strcmp(name, "--collectors") == 0) {
            collectors = value;
        } else if (strcmp(name, "--workloads") == 0) {
            workloads = value;
        } else if (strcmp(name, "--timelines") == 0) {
            timelines = value;
        } else if (strcmp(name, "--reference") == 0) {
            if (strcmp(value, "cpython") != 0 && strcmp(value, "none") != 0) {
                char hint[64];
                hl_cli_hint(value, "cpython, none", hint, sizeof hint);
                hl_report_fmt(error, error_size, "--reference: unknown reference runtime '%s' (%s)",
                              value, hint);
                return false;
            }
            b->reference_arg = value;
        } else if (strcmp(name, "--sizes") == 0) {
            if (!parse_sizes(b, value, error, error_size)) return false;
            b->custom = true;
        } else if (strcmp(name, "--repetitions") == 0) {
            uint64_t k;
            if (!hl_cli_parse_uint("--repetitions", value, HL_CLI_COUNT, 1, 1000, &k, error,
                                   error_size))
                return false;
            b->repetitions = (int)k;
        } else if (strcmp(name, "--samples") == 0) {
            uint64_t k;
            if (!hl_cli_parse_uint("--samples", value, HL_CLI_COUNT, 1, 1000, &k, error,
                                   error_size))
                return false;
            b->samples = (int)k;
        } else if (strcmp(name, "--min-time") == 0 || strcmp(name, "--warmup") == 0) {
            double seconds;
            bool warmup = name[2] == 'w';
            if (!hl_cli_parse_double(name, value, 0, warmup, 3600, &seconds, error, error_size))
                return false;
            if (warmup)
                b->warmup = value;
            else
                b->min_time = value;
        } else if (strcmp(name, "--order") == 0) {
            if (strcmp(value, "shuffled") != 0 && strcmp(value, "sequential") != 0) {
                char hint[64];
                hl_cli_hint(value, "shuffled, sequential", hint, sizeof hint);
                hl_report_fmt(error, error_size, "--order: unknown order '%s' (%s)", value, hint);
                return false;
            }
            b->sequential = value[0] == 's' && value[1] == 'e';
        } else if (strcmp(name, "--seed") == 0) {
            if (!hl_cli_parse_uint("--seed", value, HL_CLI_COUNT, 0, UINT64_MAX, &b->seed, error,
                                   error_size))
                return false;
            b->seed_given = true;
        } else if (strcmp(name, "--timeout") == 0) {
            if (!hl_cli_parse_double("--timeout", value, 0, false, 7 * 24 * 3600.0, &b->timeout_s,
                                     error, error_size))
                return false;
        } else if (strcmp(name, "--heap-factors") == 0) {
            if (!parse_heap_factors(b, value, error, error_size)) return false;
            b->custom = true;
        } else if (strcmp(name, "--shard") == 0) {
            if (!parse_shard(b, value, error, error_size)) return false;
        } else if (strcmp(name, "--timeline-size") == 0) {
            if (!hl_cli_parse_uint("--timeline-size", value, HL_CLI_COUNT, 1, HL_CLI_MAX_SIZE,
                                   &b->timeline_size, error, error_size))
                return false;
        } else if (strcmp(name, "--out") == 0 || strcmp(name, "--resume") == 0) {
            bool resume = name[2] == 'r';
            if (from_saved) {
                hl_report_fmt(error, error_size, "batch.json: %s is not allowed there", name);
                return false;
            }
            if (value[0] == '\0') {
                hl_report_fmt(error, error_size, "%s: empty folder name", name);
                return false;
            }
            char *dst = resume ? b->resume : b->out;
            if (strlen(value) >= sizeof b->out - 64) {
                hl_report_fmt(error, error_size, "%s: folder name too long", name);
                return false;
            }
            hl_report_fmt(dst, sizeof b->out, "%s", value);
            if (!resume) b->out_given = true;
        }
    }
    if (b->resume[0] != '\0' && options_given > 1) {
        hl_report_fmt(error, error_size,
                      "--resume DIR takes no other option (the batch's own are in "
                      "DIR/batch.json)");
        return false;
    }
    if (b->resume[0] != '\0') return true;
    /* the preset's own lists (methodology's subset), unless the command line gave them */
    bool user_allocators = allocators != NULL, user_workloads = workloads != NULL,
         user_collectors = collectors != NULL;
    if (!user_allocators) allocators = b->preset->allocators;
    if (!user_collectors) collectors = b->preset->collectors;
    if (!user_workloads) workloads = b->preset->workloads;
    if (b->heap_factor_count == 0) {
        size_t n = 0;
        while (n < HL_BATCH_MAX_FACTORS && b->preset->heap_factors[n] > 0) {
            b->heap_factors[n] = b->preset->heap_factors[n];
            n++;
        }
        b->heap_factor_count = n;
    }

    char items[HL_BATCH_MAX_NAMES][64];
    size_t count;
    char message[HL_CLI_ERROR_SIZE];
    if (allocators != NULL) {
        if (!parse_name_list("--allocators", allocators, items, HL_BATCH_MAX_NAMES, &count, error,
                             error_size))
            return false;
        for (size_t i = 0; i < count; i++) {
            const hl_allocator_ops *ops;
            if (!hl_cli_find_allocator(items[i], &ops, message, sizeof message)) {
                hl_report_fmt(error, error_size, "--allocators: %s", message);
                return false;
            }
            add_unique(b->allocators, &b->allocator_count, ops->name);
        }
        if (user_allocators) b->custom = true;
    } else {
        for (size_t i = 0; hl_allocator_registry[i] != NULL && i < HL_BATCH_MAX_NAMES; i++)
            if (hl_allocator_runnable(hl_allocator_registry[i]))
                add_unique(b->allocators, &b->allocator_count, hl_allocator_registry[i]->name);
    }
    if (collectors != NULL) {
        if (!parse_name_list("--collectors", collectors, items, HL_BATCH_MAX_NAMES, &count, error,
                             error_size))
            return false;
        for (size_t i = 0; i < count; i++) {
            const hl_collector_ops *ops;
            if (!hl_cli_find_collector(items[i], &ops, message, sizeof message)) {
                hl_report_fmt(error, error_size, "--collectors: %s", message);
                return false;
            }
            add_unique(b->collectors, &b->collector_count, ops->name);
        }
        if (user_collectors) b->custom = true;
    } else {
        for (size_t i = 0; hl_collector_registry[i] != NULL && i < HL_BATCH_MAX_NAMES; i++)
            add_unique(b->collectors, &b->collector_count, hl_collector_registry[i]->name);
    }
    if (workloads != NULL) {
        if (!add_workloads(b, "--workloads", workloads, false, error, error_size)) return false;
        if (user_workloads) b->custom = true;
    } else {
        for (size_t i = 0; hl_workload_registry[i] != NULL; i++) {
            const hl_workload *w = hl_workload_registry[i];
            if (preset_leaves_out(b->preset, w->name)) continue;
            for (size_t k = 0; k < w->variant_count; k++) {
                char full[64];
                hl_report_fmt(full, sizeof full, "%s/%s", w->name, w->variants[k].name);
                add_workload_unique(b, full);
            }
        }
    }
    if (timelines != NULL) {
        b->timelines_given = true;
        if (!add_workloads(b, "--timelines", timelines, true, error, error_size)) return false;
    } else {
        for (size_t i = 0; i < HL_BATCH_MAX_TIMELINES && b->preset->timelines[i].workload; i++)
            hl_report_fmt(b->timeline_workloads[b->timeline_count++], 64, "%s",
                          b->preset->timelines[i].workload);
    }
    if (b->repetitions == 0) b->repetitions = b->preset->repetitions;
    if (b->samples == 0) b->samples = b->preset->samples;
    if (b->min_time == NULL) b->min_time = b->preset->min_time;
    if (b->warmup == NULL) b->warmup = b->preset->warmup;
    if (!b->seed_given) b->seed = HL_BATCH_DEFAULT_SEED;
    if (b->timeout_s == 0) b->timeout_s = b->preset->timeout_s;
    return true;
}

static int batch_usage(const char *message) {
    return hl_cli_usage_error("%s", message);
}

/* Whether Google Benchmark, in a child `heaplab run`, accepts `flag`: the child is
 * this program (/proc/self/exe) running the batch's first workload at size 1 with the
 * flag and --benchmark_list_tests=true, which parses every flag and runs nothing; it
 * exits 2 when a flag is rejected (its line naming it goes to *why). Without the test
 * mode's faults, so it cannot crash or hang on purpose. False with *why also when the
 * child cannot be started. */
static bool benchmark_flag_ok(const char *workload, const char *flag, char *why, size_t size) {
    int pipefd[2];
    why[0] = '\0';
    if (pipe(pipefd) != 0) {
        hl_report_fmt(why, size, "cannot check it (pipe failed)");
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        hl_report_fmt(why, size, "cannot check it (fork failed)");
        return false;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) dup2(null, STDOUT_FILENO);
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        unsetenv("HEAPLAB_TEST_FAULT");
        /* the flag, then list_tests (last, so that it wins) */
        char *argv[] = {"heaplab",
                        "run",
                        "--workload",
                        (char *)workload,
                        "--size",
                        "1",
                        "--iterations",
                        "1",
                        (char *)flag,
                        "--benchmark_list_tests=true",
                        NULL};
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    close(pipefd[1]);
    char text[2048];
    size_t used = 0;
    for (;;) {
        ssize_t n = read(pipefd[0], text + used, sizeof text - 1 - used);
        if (n <= 0) break;
        used += (size_t)n;
        if (used == sizeof text - 1) used = 0; /* keep the tail: the last line matters */
    }
    text[used] = '\0';
    close(pipefd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) != HL_EXIT_USAGE && WEXITSTATUS(status) != 127)
        return true;
    /* the child's last line, without its "heaplab: " */
    while (used > 0 && (text[used - 1] == '\n' || text[used - 1] == ' '))
        text[--used] = '\0';
    char *last = strrchr(text, '\n');
    last = last != NULL ? last + 1 : text;
    if (strncmp(last, "heaplab: ", 9) == 0) last += 9;
    hl_report_fmt(why, size, "%s", last[0] != '\0' ? last : "the child run exited abnormally");
    return false;
}

/* Every --benchmark_* flag of the batch, checked before the first configuration: a
 * flag that each child would reject would otherwise turn every row into a crash. */
static bool check_benchmark_flags(const hl_batch *b, char *error, size_t error_size) {
    for (size_t i = 0; i < b->passthrough_count; i++) {
        char why[HL_CLI_ERROR_SIZE];
        if (!benchmark_flag_ok(b->workloads[0], b->passthrough[i], why, sizeof why)) {
            hl_report_fmt(error, error_size, "batch: Google Benchmark rejects '%s' (%s)",
                          b->passthrough[i], why);
            return false;
        }
    }
    return true;
}

/* `heaplab batch` and `heaplab minheap` (the same plan; minheap finds the minimum heaps
 * of its cells and stops). */
static int batch_main(int argc, char **argv, bool minheap_only) {
    hl_batch b;
    memset(&b, 0, sizeof b);
    char error[HL_CLI_ERROR_SIZE] = "";
    for (int i = 1; i < argc; i++)
        if (minheap_only && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
            printf("usage: heaplab minheap [batch options]\n"
                   "The smallest --heap-limit under which each (workload, size, collector) of\n"
                   "the plan completes, to 2%%, by binary search over one-iteration runs;\n"
                   "written to DIR/minheap.csv (reused by --resume and by a later batch\n"
                   "--heap-factors in the same folder) and printed. Options as batch's:\n");
            hl_cli_print_options(stdout, hl_batch_options);
            return HL_EXIT_OK;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: heaplab batch [options] [--benchmark_* flags]\n");
            hl_cli_print_options(stdout, hl_batch_options);
            printf("presets:\n");
            hl_batch_list_presets(stdout);
            printf("\nexit codes: 0 every configuration has a result (ok, memory_error,\n"
                   "            recursion_error), 1 some crashed, timed out or failed (the\n"
                   "            others still ran) or the results could not be written,\n"
                   "            2 usage error, 130 interrupted (finish it with --resume DIR)\n");
            return HL_EXIT_OK;
        }
    if (!batch_parse(&b, argc, argv, false, error, sizeof error)) return batch_usage(error);
    b.minheap_only = minheap_only;
    if (minheap_only && b.reference_arg == NULL) b.reference_arg = "none"; /* no CPython cells */

    /* The arguments to save for --resume: the batch's own, without --out. */
    char **saved = NULL, **own = NULL;
    size_t saved_count = 0, arg_count = 0;
    char **args;
    if (b.resume[0] != '\0') {
        char resume_dir[PATH_MAX];
        hl_report_fmt(resume_dir, sizeof resume_dir, "%s", b.resume);
        bool usage_error = false;
        if (!hl_batch_load_args(resume_dir, &saved, &saved_count, error, sizeof error,
                                &usage_error))
            return usage_error ? batch_usage(error) : hl_cli_error("%s", error);
        memset(&b, 0, sizeof b);
        if (!batch_parse(&b, (int)saved_count, saved, true, error, sizeof error)) {
            hl_batch_free_args(saved, saved_count);
            return hl_cli_usage_error("--resume: %s/" HL_BATCH_ARGS_FILE ": %s", resume_dir, error);
        }
        hl_report_fmt(b.out, sizeof b.out, "%s", resume_dir);
        hl_report_fmt(b.resume, sizeof b.resume, "%s", resume_dir);
        b.minheap_only = minheap_only;
        if (minheap_only && b.reference_arg == NULL) b.reference_arg = "none";
        args = saved + 1;
        arg_count = saved_count - 1;
    } else {
        own = malloc((size_t)(argc + 1) * sizeof *own);
        if (own == NULL) return hl_cli_error("out of memory");
        for (int i = 1; i < argc; i++) {
            if (strcmp(argv[i], "--out") == 0) {
                i++;
                continue;
            }
            if (strncmp(argv[i], "--out=", 6) == 0) continue;
            own[arg_count++] = argv[i];
        }
        args = own;
    }
    if (!check_benchmark_flags(&b, error, sizeof error)) {
        free(own);
        hl_batch_free_args(saved, saved_count);
        return batch_usage(error);
    }
    hl_batch_outcome outcome = hl_batch_run(&b, args, arg_count, error, sizeof error);
    free(own);
    hl_batch_free_args(saved, saved_count);
    hl_batch_free(&b);
    switch (outcome) {
    case HL_BATCH_DONE:
        return HL_EXIT_OK;
    case HL_BATCH_INCOMPLETE: /* the tally line said it */
        return HL_EXIT_FAILURE;
    case HL_BATCH_USAGE_ERROR:
        return batch_usage(error);
    case HL_BATCH_INTERRUPTED:
        return HL_EXIT_INTERRUPTED;
    case HL_BATCH_ERROR:
        break;
    }
    return error[0] != '\0' ? hl_cli_error("%s", error) : HL_EXIT_FAILURE;
}

int hl_cmd_batch(int argc, char **argv) {
    return batch_main(argc, argv, false);
}

int hl_cmd_minheap(int argc, char **argv) {
    return batch_main(argc, argv, true);
}
