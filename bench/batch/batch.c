/* heaplab batch: the matrix of configurations, each in its own process.
 *
 * The story of a batch, in the order the functions run:
 * 1. batch_parse: the arguments (a preset, explicit lists, limits) become a plan; every
 *    name is checked against the registries (allocators, collectors, workloads) and a
 *    bad one is a one-line usage error (exit 2). `--resume DIR` re-reads the arguments
 *    the batch saved in DIR/batch.args instead.
 * 2. batch_expand: workloads x sizes x allocators x collectors, in that nesting (with
 *    one CPython reference run per workload and size when --reference resolves to
 *    cpython: reference_resolve), plus one timeline run per (timeline workload,
 *    collector).
 * 3. batch_prepare_folder: DIR, DIR/runs, DIR/timelines, DIR/charts, batch.args and a
 *    first manifest.
 * 4. batch_run_config, for every configuration whose row file is missing: fork, the
 *    child makes its own process group and execs this same program (/proc/self/exe)
 *    as `heaplab run ... --row F --json F` (a reference run execs python3 on
 *    scripts/reference/cpython_workloads.py with the same --row and --json) with its
 *    output going to a log file; the parent waits with a time limit. The outcome
 *    becomes the row:
 *      exit 0/1/3/4 with a row   the child's row (ok, failed, memory_error, recursion_error)
 *      exit without a row        crashed (the log's last line says why)
 *      killed by a signal        crashed
 *      past the time limit       timeout (the whole process group is SIGKILLed)
 *    and is written atomically to DIR/runs/<slug>.csv, the mark that the configuration
 *    is finished. One child at a time, so each one's time and peak RSS are its own.
 * 5. Ctrl-C (SIGINT, or SIGTERM) sets a flag: the running child's group is killed, its
 *    files are removed (it is not finished), and the batch writes what it has.
 * 6. batch_merge: results.csv and results.json from the row files in plan order
 *    (the children's Google Benchmark entries copied line by line; a configuration
 *    without a usable JSON gets a failed entry), the final manifest, then the charts
 *    (plot.c) and report.html (report.c).
 *
 * Exit codes: 0 when every configuration has a row (failed rows included: they are
 * results), 2 for usage errors, 130 when interrupted (resume it), 1 otherwise.
 */
#include "bench/batch/batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/workloads/workload.h"
#include "collectors/collector.h"

/* The one piece of mutable global state: set by the SIGINT/SIGTERM handler, read by
 * the wait loop. A signal handler can reach nothing else. */
static volatile sig_atomic_t hl_batch_interrupted;

#define HL_EXIT_INTERRUPTED 130

int hl_batch_fmt(char *out, size_t size, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int n = vsnprintf(out, size, format, args);
    va_end(args);
    return n;
}

/* ---- presets ---------------------------------------------------------------- */

#define HL_BATCH_MAX_NAMES 32
#define HL_BATCH_MAX_SIZES 16
#define HL_BATCH_MAX_TIMELINES 4
#define HL_BATCH_MAX_PASS 16

typedef struct hl_batch_timeline_spec {
    const char *workload;
    uint64_t size;
} hl_batch_timeline_spec;

typedef struct hl_preset {
    const char *name;
    const char *summary;
    /* Sizes for every workload, 0-terminated; empty: each workload's own ladder. */
    uint64_t sizes[HL_BATCH_MAX_SIZES];
    int repetitions;
    double timeout_s;
    /* Google Benchmark's minimum time per repetition for each child, in seconds. */
    const char *min_time;
    hl_batch_timeline_spec timelines[HL_BATCH_MAX_TIMELINES]; /* NULL-workload ends */
    /* With a workload's own ladder: its sizes up to this cap (0: no cap), so the
     * preset fits its time budget (docs/batch.md has the measurements). */
    hl_batch_timeline_spec caps[HL_BATCH_MAX_TIMELINES]; /* NULL-workload ends */
    /* Both presets include the CPython reference rows when python3 is on PATH; without
     * it, quick skips them silently and full says so on stderr (the manifest records
     * it either way). */
    bool warn_without_reference;
} hl_preset;

/* Timelines: recursion/calls makes acyclic garbage on every call (mark_sweep's
 * sawtooth, flat lines for the counting collectors); cyclic_graph/rings builds rings
 * and drops them (refcount keeps them: its leak). */
static const hl_preset hl_presets[] = {
    {
        .name = "quick",
        .summary = "every allocator x collector x workload variant at n = 1000, 10^4 and 10^5, "
                   "3 repetitions, CPython reference rows when python3 is on PATH (about 1 min)",
        .sizes = {1000, 10000, 100000},
        .repetitions = 3,
        .timeout_s = 60,
        .min_time = "0.002",
        .timelines = {{"recursion/calls", 200000}, {"cyclic_graph/rings", 200000}},
    },
    {
        .name = "full",
        .summary = "every allocator x collector x workload variant over each workload's "
                   "size ladder (recursion to 10^6, large lists and cyclic graphs to 10^7), "
                   "5 repetitions, CPython reference rows, for reports (35 minutes measured on "
                   "a 2-core VM)",
        .sizes = {0},
        .repetitions = 5,
        .timeout_s = 900,
        .min_time = "0.05",
        .timelines = {{"recursion/calls", 2000000}, {"cyclic_graph/rings", 2000000}},
        .caps = {{"recursion", 1000000}, {"large_list", 10000000}, {"cyclic_graph", 10000000}},
        .warn_without_reference = true,
    },
};
#define HL_PRESET_COUNT (sizeof hl_presets / sizeof hl_presets[0])

void hl_batch_list_presets(FILE *out) {
    for (size_t i = 0; i < HL_PRESET_COUNT; i++)
        fprintf(out, "%-8s %s%s\n", hl_presets[i].name, hl_presets[i].summary,
                i == 0 ? " [default]" : "");
}

static const hl_preset *preset_find(const char *name) {
    for (size_t i = 0; i < HL_PRESET_COUNT; i++)
        if (strcmp(hl_presets[i].name, name) == 0) return &hl_presets[i];
    return NULL;
}

/* ---- the plan --------------------------------------------------------------- */

typedef struct hl_batch_config {
    char workload[64]; /* "large_list/range" */
    uint64_t size;
    const char *allocator;     /* the row's allocator column */
    const char *run_allocator; /* the child's --allocator (differs for boehm) */
    const char *collector;
    bool timeline;  /* a timeline run rather than a matrix row */
    bool reference; /* a CPython reference run (python3 and the reference script) */
    char name[256]; /* "large_list/range/1000/libc/refcount" */
    char slug[256]; /* file stem: "large_list-range_1000_libc_refcount" */
} hl_batch_config;

typedef struct hl_batch {
    const hl_preset *preset;
    bool custom; /* a list overrode the preset */
    const char *allocators[HL_BATCH_MAX_NAMES];
    size_t allocator_count;
    const char *collectors[HL_BATCH_MAX_NAMES];
    size_t collector_count;
    char workloads[64][64];
    size_t workload_count;
    uint64_t sizes[HL_BATCH_MAX_SIZES];
    size_t size_count; /* 0: the preset's (or each workload's ladder) */
    int repetitions;
    double timeout_s;
    char timeline_workloads[HL_BATCH_MAX_TIMELINES][64];
    size_t timeline_count;
    uint64_t timeline_size; /* 0: the preset's */
    bool timelines_given;
    const char *passthrough[HL_BATCH_MAX_PASS]; /* --benchmark_* flags for the children */
    size_t passthrough_count;
    char out[PATH_MAX];
    bool out_given;
    char resume[PATH_MAX];
    const char *reference_arg; /* --reference as given: "cpython", "none", NULL: the preset's */
    hl_batch_reference ref;    /* what it resolved to (reference_resolve) */
    hl_batch_config *configs;
    size_t config_count;
    size_t matrix_count; /* configs[0..matrix_count) are rows; the rest timelines */
} hl_batch;

static const hl_cli_option hl_batch_options[] = {
    {"--preset", "NAME", "quick (default) or full; lists below override its parts"},
    {"--allocators", "LIST", "comma-separated allocators (default: all)"},
    {"--collectors", "LIST", "comma-separated collectors (default: all)"},
    {"--workloads", "LIST", "W/VARIANT or W (all its variants), comma-separated (default: all)"},
    {"--sizes", "LIST", "sizes for every workload: 1000,1e4,10^5 (default: the preset's)"},
    {"--repetitions", "K", "repetitions per configuration (default: the preset's)"},
    {"--timeout", "SECONDS", "time limit per configuration (default: the preset's)"},
    {"--timelines", "LIST", "workloads recorded with run --timeline per collector, or none"},
    {"--timeline-size", "N", "size of the timeline runs (default: the preset's)"},
    {"--reference", "NAME",
     "cpython: CPython reference rows (python3 on PATH); none: without (default: cpython "
     "when python3 is there)"},
    {"--out", "DIR", "the results folder (default: results/<UTC time>-<preset>)"},
    {"--resume", "DIR", "finish an interrupted batch (no other option)"},
    {NULL, NULL, NULL},
};

static void add_unique(const char **list, size_t *count, const char *name) {
    for (size_t i = 0; i < *count; i++)
        if (strcmp(list[i], name) == 0) return;
    list[(*count)++] = name;
}

static void add_workload_unique(hl_batch *b, const char *name) {
    for (size_t i = 0; i < b->workload_count; i++)
        if (strcmp(b->workloads[i], name) == 0) return;
    if (b->workload_count < sizeof b->workloads / sizeof b->workloads[0])
        hl_batch_fmt(b->workloads[b->workload_count++], sizeof b->workloads[0], "%s", name);
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
        hl_batch_fmt(error, error_size, "%s: too many or too long names in '%s'", flag, text);
        return false;
    }
    for (size_t i = 0; i < *count; i++)
        if (items[i][0] == '\0') {
            hl_batch_fmt(error, error_size, "%s: empty name in '%s'", flag, text);
            return false;
        }
    if (*count == 0) {
        hl_batch_fmt(error, error_size, "%s needs at least one name", flag);
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
                char valid[1024];
                hl_workload_names(valid, sizeof valid);
                hl_batch_fmt(error, error_size, "%s: unknown workload '%s' (valid: %s)", flag,
                             items[i], valid);
                return false;
            }
            if (timelines) {
                hl_batch_fmt(error, error_size, "%s: name a variant, W/VARIANT ('%s' has %zu)",
                             flag, items[i], w->variant_count);
                return false;
            }
            for (size_t k = 0; k < w->variant_count; k++) {
                char full[64];
                hl_batch_fmt(full, sizeof full, "%s/%s", w->name, w->variants[k].name);
                add_workload_unique(b, full);
            }
            continue;
        }
        char message[HL_CLI_ERROR_SIZE];
        if (!hl_cli_find_workload(items[i], &w, &v, message, sizeof message)) {
            hl_batch_fmt(error, error_size, "%s: %s", flag, message);
            return false;
        }
        char full[64];
        hl_batch_fmt(full, sizeof full, "%s/%s", w->name, v->name);
        if (timelines) {
            bool seen = false;
            for (size_t k = 0; k < b->timeline_count; k++)
                seen = seen || strcmp(b->timeline_workloads[k], full) == 0;
            if (!seen && b->timeline_count < HL_BATCH_MAX_TIMELINES)
                hl_batch_fmt(b->timeline_workloads[b->timeline_count++], 64, "%s", full);
        } else {
            add_workload_unique(b, full);
        }
    }
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
            hl_batch_fmt(error, error_size, "%s", message);
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
 * from DIR/batch.args on --resume, where --out and --resume are not allowed. */
static bool batch_parse(hl_batch *b, int argc, char **argv, bool from_saved, char *error,
                        size_t error_size) {
    const char *allocators = NULL, *collectors = NULL, *workloads = NULL, *timelines = NULL;
    b->preset = &hl_presets[0];
    hl_cli_parser parser;
    hl_cli_parser_init(&parser, "batch", hl_batch_options, argc, argv);
    parser.passthrough_prefix = "--benchmark_";
    for (;;) {
        const hl_cli_option *option = NULL;
        const char *value = NULL;
        hl_cli_token token = hl_cli_next(&parser, &option, &value, error, error_size);
        if (token == HL_CLI_END) break;
        if (token == HL_CLI_BAD) return false;
        if (token == HL_CLI_POSITIONAL) {
            hl_batch_fmt(error, error_size, "batch: unexpected argument '%s' (see heaplab help)",
                         value);
            return false;
        }
        if (token == HL_CLI_PASSTHROUGH) {
            if (b->passthrough_count == HL_BATCH_MAX_PASS) {
                hl_batch_fmt(error, error_size, "batch: too many --benchmark_ flags");
                return false;
            }
            b->passthrough[b->passthrough_count++] = value;
            continue;
        }
        const char *name = option->name;
        if (strcmp(name, "--preset") == 0) {
            b->preset = preset_find(value);
            if (b->preset == NULL) {
                hl_batch_fmt(error, error_size,
                             "--preset: unknown preset '%s' (valid: quick, full)", value);
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
                hl_batch_fmt(error, error_size,
                             "--reference: unknown reference runtime '%s' (valid: cpython, none)",
                             value);
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
        } else if (strcmp(name, "--timeout") == 0) {
            if (!hl_cli_parse_double("--timeout", value, 0, false, 7 * 24 * 3600.0, &b->timeout_s,
                                     error, error_size))
                return false;
        } else if (strcmp(name, "--timeline-size") == 0) {
            if (!hl_cli_parse_uint("--timeline-size", value, HL_CLI_COUNT, 1, HL_CLI_MAX_SIZE,
                                   &b->timeline_size, error, error_size))
                return false;
        } else if (strcmp(name, "--out") == 0 || strcmp(name, "--resume") == 0) {
            bool resume = name[2] == 'r';
            if (from_saved) {
                hl_batch_fmt(error, error_size, "batch.json: %s is not allowed there", name);
                return false;
            }
            if (value[0] == '\0') {
                hl_batch_fmt(error, error_size, "%s: empty folder name", name);
                return false;
            }
            char *dst = resume ? b->resume : b->out;
            if (strlen(value) >= sizeof b->out - 64) {
                hl_batch_fmt(error, error_size, "%s: folder name too long", name);
                return false;
            }
            hl_batch_fmt(dst, sizeof b->out, "%s", value);
            if (!resume) b->out_given = true;
        }
    }
    if (b->resume[0] != '\0' && argc > 3) {
        hl_batch_fmt(error, error_size,
                     "--resume DIR takes no other option (the batch's own are in "
                     "DIR/batch.json)");
        return false;
    }
    if (b->resume[0] != '\0') return true;

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
                hl_batch_fmt(error, error_size, "--allocators: %s", message);
                return false;
            }
            add_unique(b->allocators, &b->allocator_count, ops->name);
        }
        b->custom = true;
    } else {
        for (size_t i = 0; hl_allocator_registry[i] != NULL && i < HL_BATCH_MAX_NAMES; i++)
            add_unique(b->allocators, &b->allocator_count, hl_allocator_registry[i]->name);
    }
    if (collectors != NULL) {
        if (!parse_name_list("--collectors", collectors, items, HL_BATCH_MAX_NAMES, &count, error,
                             error_size))
            return false;
        for (size_t i = 0; i < count; i++) {
            const hl_collector_ops *ops;
            if (!hl_cli_find_collector(items[i], &ops, message, sizeof message)) {
                hl_batch_fmt(error, error_size, "--collectors: %s", message);
                return false;
            }
            add_unique(b->collectors, &b->collector_count, ops->name);
        }
        b->custom = true;
    } else {
        for (size_t i = 0; hl_collector_registry[i] != NULL && i < HL_BATCH_MAX_NAMES; i++)
            add_unique(b->collectors, &b->collector_count, hl_collector_registry[i]->name);
    }
    if (workloads != NULL) {
        if (!add_workloads(b, "--workloads", workloads, false, error, error_size)) return false;
        b->custom = true;
    } else {
        for (size_t i = 0; hl_workload_registry[i] != NULL; i++) {
            const hl_workload *w = hl_workload_registry[i];
            for (size_t k = 0; k < w->variant_count; k++) {
                char full[64];
                hl_batch_fmt(full, sizeof full, "%s/%s", w->name, w->variants[k].name);
                add_workload_unique(b, full);
            }
        }
    }
    if (timelines != NULL) {
        b->timelines_given = true;
        if (!add_workloads(b, "--timelines", timelines, true, error, error_size)) return false;
    } else {
        for (size_t i = 0; i < HL_BATCH_MAX_TIMELINES && b->preset->timelines[i].workload; i++)
            hl_batch_fmt(b->timeline_workloads[b->timeline_count++], 64, "%s",
                         b->preset->timelines[i].workload);
    }
    if (b->repetitions == 0) b->repetitions = b->preset->repetitions;
    if (b->timeout_s == 0) b->timeout_s = b->preset->timeout_s;
    return true;
}

/* ---- expansion -------------------------------------------------------------- */

static void make_slug(char *out, size_t size, const char *workload, uint64_t size_n,
                      const char *allocator, const char *collector) {
    char w[64];
    hl_batch_fmt(w, sizeof w, "%s", workload);
    for (char *p = w; *p; p++)
        if (*p == '/') *p = '-';
    hl_batch_fmt(out, size, "%s_%llu_%s_%s", w, (unsigned long long)size_n, allocator, collector);
}

static uint64_t timeline_size_of(const hl_batch *b, const char *workload) {
    if (b->timeline_size != 0) return b->timeline_size;
    for (size_t i = 0; i < HL_BATCH_MAX_TIMELINES && b->preset->timelines[i].workload; i++)
        if (strcmp(b->preset->timelines[i].workload, workload) == 0)
            return b->preset->timelines[i].size;
    return 100000;
}

/* The allocator of the timeline runs: libc when the batch has it, else its first. */
static const char *timeline_allocator(const hl_batch *b) {
    for (size_t i = 0; i < b->allocator_count; i++)
        if (strcmp(b->allocators[i], "libc") == 0) return "libc";
    return b->allocators[0];
}

/* ---- the reference runtime ------------------------------------------------- */

/* `name` looked up in PATH as execvp would: the first regular executable file. */
static bool find_in_path(const char *name, char *out, size_t size) {
    const char *path = getenv("PATH");
    if (path == NULL || path[0] == '\0') return false;
    const char *p = path;
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        char candidate[PATH_MAX];
        int n = len == 0 ? hl_batch_fmt(candidate, sizeof candidate, "./%s", name)
                         : hl_batch_fmt(candidate, sizeof candidate, "%.*s/%s", (int)len, p, name);
        struct stat st;
        if (n > 0 && (size_t)n < sizeof candidate && stat(candidate, &st) == 0 &&
            S_ISREG(st.st_mode) && access(candidate, X_OK) == 0) {
            hl_batch_fmt(out, size, "%s", candidate);
            return true;
        }
        if (!colon) return false;
        p = colon + 1;
    }
}

/* Decide whether the batch has CPython reference rows. --reference cpython needs
 * python3 (>= 3.9) on PATH and the reference script, else it is a usage error;
 * without --reference both presets include them when they can, and skip them (with a
 * note in the manifest) when they cannot. Returns false with *error for a usage
 * error. */
static bool reference_resolve(hl_batch *b, char *error, size_t error_size) {
    hl_batch_reference *r = &b->ref;
    memset(r, 0, sizeof *r);
    bool explicit_ = b->reference_arg != NULL;
    if (explicit_ && strcmp(b->reference_arg, "none") == 0) {
        hl_batch_fmt(r->choice, sizeof r->choice, "none");
        hl_batch_fmt(r->note, sizeof r->note, "turned off (--reference none)");
        return true;
    }
    char why[512] = "";
    hl_batch_fmt(r->script, sizeof r->script, "%s/scripts/reference/cpython_workloads.py",
                 HEAPLAB_SOURCE_DIR);
    if (!find_in_path("python3", r->python, sizeof r->python)) {
        r->python[0] = '\0';
        hl_batch_fmt(why, sizeof why, "python3 is not on PATH");
    } else if (access(r->script, R_OK) != 0) {
        hl_batch_fmt(why, sizeof why, "the reference script %s is missing", r->script);
    } else {
        char *probe[] = {r->python, "-c",
                         "import sys; print('%d.%d.%d' % sys.version_info[:3]); "
                         "print(sys.executable)",
                         NULL};
        char text[PATH_MAX + 64];
        int major = 0, minor = 0, micro = 0;
        int code = hl_batch_capture(probe, text, sizeof text);
        char *nl = strchr(text, '\n');
        if (code == 0 && nl != NULL && sscanf(text, "%d.%d.%d", &major, &minor, &micro) == 3) {
            *nl = '\0';
            hl_batch_fmt(r->version, sizeof r->version, "%s", text);
            char *exe = nl + 1, *end = strchr(exe, '\n');
            if (end) *end = '\0';
            hl_batch_fmt(r->executable, sizeof r->executable, "%s", exe);
            hl_batch_fmt(r->runtime, sizeof r->runtime, "cpython-%d.%d", major, minor);
        }
        if (r->version[0] == '\0')
            hl_batch_fmt(why, sizeof why, "%s does not run (exit status %d)", r->python, code);
        else if (major < 3 || (major == 3 && minor < 9))
            hl_batch_fmt(why, sizeof why,
                         "%s is Python %s; the reference script needs 3.9 or newer", r->python,
                         r->version);
    }
    if (why[0] == '\0') {
        r->enabled = true;
        hl_batch_fmt(r->choice, sizeof r->choice, "cpython");
        hl_batch_fmt(r->note, sizeof r->note, "%s",
                     explicit_ ? "--reference cpython" : "the preset's");
        return true;
    }
    if (explicit_) {
        hl_batch_fmt(error, error_size, "--reference cpython: %s", why);
        return false;
    }
    hl_batch_fmt(r->choice, sizeof r->choice, "none");
    hl_batch_fmt(r->note, sizeof r->note, "skipped: %s", why);
    if (b->preset->warn_without_reference && !b->custom)
        fprintf(stderr, "heaplab batch: no CPython reference rows: %s\n", why);
    return true;
}

static bool add_config(hl_batch *b, size_t *cap, char *error, size_t error_size,
                       hl_batch_config **out) {
    if (b->config_count == *cap) {
        hl_batch_config *bigger = realloc(b->configs, 2 * *cap * sizeof *b->configs);
        if (bigger == NULL) {
            hl_batch_fmt(error, error_size, "out of memory");
            return false;
        }
        b->configs = bigger;
        *cap *= 2;
    }
    *out = &b->configs[b->config_count++];
    memset(*out, 0, sizeof **out);
    return true;
}

static bool batch_expand(hl_batch *b, char *error, size_t error_size) {
    size_t cap = 64;
    b->configs = malloc(cap * sizeof *b->configs);
    if (b->configs == NULL) {
        hl_batch_fmt(error, error_size, "out of memory");
        return false;
    }
    b->config_count = 0;
    for (size_t pass = 0; pass < 2; pass++) {
        size_t workloads = pass == 0 ? b->workload_count : b->timeline_count;
        for (size_t wi = 0; wi < workloads; wi++) {
            const char *wname = pass == 0 ? b->workloads[wi] : b->timeline_workloads[wi];
            uint64_t sizes[HL_BATCH_MAX_SIZES];
            size_t size_count = 0;
            if (pass == 1) {
                sizes[size_count++] = timeline_size_of(b, wname);
            } else if (b->size_count > 0) {
                memcpy(sizes, b->sizes, b->size_count * sizeof sizes[0]);
                size_count = b->size_count;
            } else if (b->preset->sizes[0] != 0) {
                while (size_count < HL_BATCH_MAX_SIZES && b->preset->sizes[size_count])
                    sizes[size_count] = b->preset->sizes[size_count], size_count++;
            } else {
                char base[64];
                hl_batch_fmt(base, sizeof base, "%s", wname);
                *strchr(base, '/') = '\0';
                const hl_workload *w = hl_workload_find(base);
                uint64_t size_cap = UINT64_MAX;
                for (size_t k = 0; k < HL_BATCH_MAX_TIMELINES && b->preset->caps[k].workload; k++)
                    if (strcmp(b->preset->caps[k].workload, base) == 0)
                        size_cap = b->preset->caps[k].size;
                for (size_t k = 0; w && k < HL_WORKLOAD_MAX_SIZES && w->sizes[k]; k++)
                    if (w->sizes[k] <= size_cap) sizes[size_count++] = w->sizes[k];
            }
            size_t allocators = pass == 0 ? b->allocator_count : 1;
            for (size_t si = 0; si < size_count; si++) {
                for (size_t ai = 0; ai < allocators; ai++)
                    for (size_t ci = 0; ci < b->collector_count; ci++) {
                        /* A collector that brings its own memory (boehm: "bdwgc") runs
                         * once per workload and size, not once per allocator: its row
                         * names its own allocator, and the child gets the batch's
                         * main allocator (libc, or the first) for the rest. */
                        const char *own =
                            hl_collector_own_allocator(hl_collector_find(b->collectors[ci]));
                        const char *run_allocator =
                            pass == 0 ? b->allocators[ai] : timeline_allocator(b);
                        if (own != NULL && strcmp(run_allocator, timeline_allocator(b)) != 0)
                            continue;
                        hl_batch_config *c;
                        if (!add_config(b, &cap, error, error_size, &c)) return false;
                        hl_batch_fmt(c->workload, sizeof c->workload, "%s", wname);
                        c->size = sizes[si];
                        c->run_allocator = run_allocator;
                        c->allocator = own != NULL ? own : run_allocator;
                        c->collector = b->collectors[ci];
                        c->timeline = pass == 1;
                        hl_batch_fmt(c->name, sizeof c->name, "%s%s/%llu/%s/%s",
                                     c->timeline ? "timeline " : "", c->workload,
                                     (unsigned long long)c->size, c->allocator, c->collector);
                        make_slug(c->slug, sizeof c->slug, c->workload, c->size, c->allocator,
                                  c->collector);
                    }
                /* CPython's run of the same workload and size, after heaplab's */
                if (pass == 0 && b->ref.enabled) {
                    hl_batch_config *c;
                    if (!add_config(b, &cap, error, error_size, &c)) return false;
                    hl_batch_fmt(c->workload, sizeof c->workload, "%s", wname);
                    c->size = sizes[si];
                    c->allocator = "pymalloc";
                    c->run_allocator = "pymalloc";
                    c->collector = "cpython_gc";
                    c->reference = true;
                    hl_batch_fmt(c->name, sizeof c->name, "%s/%llu/%s/%s", c->workload,
                                 (unsigned long long)c->size, c->allocator, c->collector);
                    make_slug(c->slug, sizeof c->slug, c->workload, c->size, c->allocator,
                              c->collector);
                }
            }
        }
        if (pass == 0) b->matrix_count = b->config_count;
    }
    if (b->matrix_count == 0) {
        hl_batch_fmt(error, error_size, "the batch has no configurations");
        return false;
    }
    return true;
}

/* ---- files ------------------------------------------------------------------ */

static bool path_join(char *out, size_t size, const char *dir, const char *a, const char *b) {
    int n = hl_batch_fmt(out, size, "%s/%s%s", dir, a, b ? b : "");
    return n > 0 && (size_t)n < size;
}

static bool make_dir(const char *path, char *error, size_t error_size) {
    char tmp[PATH_MAX];
    hl_batch_fmt(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) break;
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
        hl_batch_fmt(error, error_size, "cannot create %s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        hl_batch_fmt(error, error_size, "%s is not a folder", path);
        return false;
    }
    return true;
}

static bool file_exists(const char *path) {
    return access(path, F_OK) == 0;
}

static bool dir_is_empty(const char *path) {
    DIR *d = opendir(path);
    if (d == NULL) return true;
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = false;
    closedir(d);
    return empty;
}

static void utc_now(char *buf, size_t size, const char *format) {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, size, format, &tm);
}

/* results/ in the source tree when it is there (a checkout), else ./results. */
static void default_out(hl_batch *b) {
    char stamp[32];
    utc_now(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ");
    const char *preset = b->custom ? "custom" : b->preset->name;
    char base[PATH_MAX];
    hl_batch_fmt(base, sizeof base, "%s/results", HEAPLAB_SOURCE_DIR);
    struct stat st;
    if (!(stat(base, &st) == 0 && S_ISDIR(st.st_mode) && access(base, W_OK) == 0))
        hl_batch_fmt(base, sizeof base, "results");
    hl_batch_fmt(b->out, sizeof b->out, "%s/%s-%s", base, stamp, preset);
    /* two batches in the same second get distinct folders */
    for (int i = 2; file_exists(b->out) && i < 100; i++)
        hl_batch_fmt(b->out, sizeof b->out, "%s/%s-%s-%d", base, stamp, preset, i);
}

/* ---- child processes -------------------------------------------------------- */

typedef enum child_outcome {
    CHILD_EXITED,
    CHILD_SIGNALED,
    CHILD_TIMEOUT,
    CHILD_INTERRUPTED,
    CHILD_NOT_STARTED,
} child_outcome;

static void on_interrupt(int sig) {
    (void)sig;
    hl_batch_interrupted = 1;
}

static void sleep_s(double s) {
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL); /* EINTR on Ctrl-C is fine: the loop checks the flag */
}

/* Fork and exec `exe` (this program, /proc/self/exe, or python3 for a reference run)
 * with argv in a new process group, stdout and stderr to log_path; wait at most
 * timeout_s. *code: exit status or signal number. */
static child_outcome run_child(const char *exe, char *const argv[], const char *log_path,
                               double timeout_s, hl_progress *progress, int *code) {
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0) return CHILD_NOT_STARTED;
    pid_t pid = fork();
    if (pid < 0) {
        close(log_fd);
        return CHILD_NOT_STARTED;
    }
    if (pid == 0) {
        setpgid(0, 0);
        int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
        dup2(log_fd, STDOUT_FILENO);
        dup2(log_fd, STDERR_FILENO);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        execv(exe, argv);
        dprintf(STDERR_FILENO, "heaplab batch: cannot run %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    close(log_fd);
    setpgid(pid, pid); /* also in the parent: no window where a kill misses the group */
    double deadline = hl_progress_now() + timeout_s;
    double nap = 0.0005;
    /* A pidfd becomes readable when the child ends: the wait wakes at once instead of
     * at the next poll. Without one (old kernels) the loop naps, doubling to 20 ms. */
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int status = 0;
    child_outcome outcome;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            outcome = WIFSIGNALED(status) ? CHILD_SIGNALED : CHILD_EXITED;
            *code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
            /* nothing the child started may outlive it */
            kill(-pid, SIGKILL);
            if (pidfd >= 0) close(pidfd);
            return outcome;
        }
        if (r < 0 && errno != EINTR) {
            *code = 0;
            if (pidfd >= 0) close(pidfd);
            return CHILD_NOT_STARTED;
        }
        bool interrupted = hl_batch_interrupted != 0;
        if (interrupted || hl_progress_now() >= deadline) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            *code = SIGKILL;
            if (pidfd >= 0) close(pidfd);
            return interrupted ? CHILD_INTERRUPTED : CHILD_TIMEOUT;
        }
        hl_progress_tick(progress);
        if (pidfd >= 0) {
            double left = deadline - hl_progress_now();
            int ms = left > 0.25 ? 250 : left > 0 ? (int)(left * 1000) + 1 : 0;
            struct pollfd pfd = {pidfd, POLLIN, 0};
            poll(&pfd, 1, ms); /* EINTR on Ctrl-C: the loop checks the flag */
        } else {
            sleep_s(nap);
            if (nap < 0.02) nap *= 2;
        }
    }
}

/* The log's last non-empty line, for the error column; a sanitizer's "SUMMARY:" line
 * (the child caught the signal itself and exited) says more, so it wins. */
static void last_log_line(const char *path, char *out, size_t size) {
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL) return;
    char line[1024];
    bool summary = false;
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
            line[--n] = '\0';
        if (n == 0 || summary) continue;
        summary = strncmp(line, "SUMMARY: ", 9) == 0;
        hl_batch_fmt(out, size, "%s", line);
    }
    fclose(f);
}

static bool write_row_file(FILE *out, void *data) {
    hl_results_write_csv_header(out);
    hl_results_write_csv_row(out, data);
    return true;
}

static void format_seconds(char *buf, size_t size, double s) {
    hl_batch_fmt(buf, size, "%g", s);
}

/* Build the child's command line into argv (storage in bufs). */
static size_t child_argv(const hl_batch *b, const hl_batch_config *c, const char *row_path,
                         const char *json_path, const char *timeline_path, char *argv[],
                         char bufs[][PATH_MAX + 32]) {
    size_t n = 0;
    if (c->reference) {
        /* the reference script takes heaplab run's spelling of these */
        argv[n++] = (char *)b->ref.python;
        argv[n++] = (char *)b->ref.script;
        argv[n++] = "--workload";
        argv[n++] = (char *)c->workload;
        argv[n++] = "--size";
        hl_batch_fmt(bufs[0], sizeof bufs[0], "%llu", (unsigned long long)c->size);
        argv[n++] = bufs[0];
        argv[n++] = "--repetitions";
        hl_batch_fmt(bufs[1], sizeof bufs[1], "%d", b->repetitions);
        argv[n++] = bufs[1];
        argv[n++] = "--row";
        argv[n++] = (char *)row_path;
        argv[n++] = "--json";
        argv[n++] = (char *)json_path;
        argv[n] = NULL;
        return n;
    }
    argv[n++] = "heaplab";
    argv[n++] = "run";
    argv[n++] = "--workload";
    argv[n++] = (char *)c->workload;
    argv[n++] = "--size";
    hl_batch_fmt(bufs[0], sizeof bufs[0], "%llu", (unsigned long long)c->size);
    argv[n++] = bufs[0];
    argv[n++] = "--allocator";
    argv[n++] = (char *)c->run_allocator;
    argv[n++] = "--collector";
    argv[n++] = (char *)c->collector;
    argv[n++] = "--repetitions";
    hl_batch_fmt(bufs[1], sizeof bufs[1], "%d", c->timeline ? 1 : b->repetitions);
    argv[n++] = bufs[1];
    if (c->timeline) {
        argv[n++] = "--timeline";
        argv[n++] = (char *)timeline_path;
        /* one iteration: the timeline shows one run of the program */
        argv[n++] = "--iterations";
        argv[n++] = "1";
    } else {
        argv[n++] = "--row";
        argv[n++] = (char *)row_path;
        argv[n++] = "--json";
        argv[n++] = (char *)json_path;
        argv[n++] = "--min-time";
        argv[n++] = (char *)b->preset->min_time;
    }
    /* the user's --benchmark_ flags come last: Google Benchmark takes the last one */
    for (size_t i = 0; i < b->passthrough_count; i++)
        argv[n++] = (char *)b->passthrough[i];
    argv[n] = NULL;
    return n;
}

/* Run one configuration and record its outcome. Returns false when interrupted. */
static bool batch_run_config(const hl_batch *b, const hl_batch_config *c, hl_progress *progress) {
    char row_path[PATH_MAX], child_row[PATH_MAX], json_path[PATH_MAX], log_path[PATH_MAX],
        timeline_path[PATH_MAX], status_path[PATH_MAX];
    const char *folder = c->timeline ? "timelines/" : "runs/";
    path_join(row_path, sizeof row_path, b->out, folder, c->slug);
    strncat(row_path, ".csv", sizeof row_path - strlen(row_path) - 1);
    hl_batch_fmt(child_row, sizeof child_row, "%.*s.child.csv", (int)(strlen(row_path) - 4),
                 row_path);
    hl_batch_fmt(json_path, sizeof json_path, "%.*s.json", (int)(strlen(row_path) - 4), row_path);
    hl_batch_fmt(log_path, sizeof log_path, "%.*s.log", (int)(strlen(row_path) - 4), row_path);
    hl_batch_fmt(timeline_path, sizeof timeline_path, "%.*s.dat", (int)(strlen(row_path) - 4),
                 row_path);
    hl_batch_fmt(status_path, sizeof status_path, "%s", row_path);

    unlink(child_row);
    unlink(json_path);
    char *argv[64];
    char bufs[4][PATH_MAX + 32];
    child_argv(b, c, child_row, json_path, timeline_path, argv, bufs);

    hl_progress_start(progress, c->name);
    double t0 = hl_progress_now();
    int code = 0;
    child_outcome outcome = run_child(c->reference ? b->ref.python : "/proc/self/exe", argv,
                                      log_path, b->timeout_s, progress, &code);
    double seconds = hl_progress_now() - t0;
    if (outcome == CHILD_INTERRUPTED) {
        unlink(child_row);
        unlink(json_path);
        unlink(timeline_path);
        return false;
    }

    hl_result_row row;
    hl_results_row_init(&row);
    bool have_row = false;
    if (!c->timeline && outcome == CHILD_EXITED) {
        hl_result_row *rows = NULL;
        size_t count = 0;
        char error[256];
        if (hl_results_read_csv(child_row, &rows, &count, error, sizeof error) && count == 1) {
            row = rows[0];
            have_row = true;
        }
        free(rows);
    }
    char why[300] = "", last[220];
    const char *status = HL_STATUS_OK;
    switch (outcome) {
    case CHILD_EXITED:
        if (have_row) {
            char expected[256], got[256];
            hl_results_config_name(&row, got, sizeof got);
            hl_batch_fmt(expected, sizeof expected, "%s/%llu/%s/%s", c->workload,
                         (unsigned long long)c->size, c->allocator, c->collector);
            const char *runtime = c->reference ? b->ref.runtime : "heaplab";
            if (strcmp(expected, got) != 0) {
                hl_results_row_init(&row);
                status = HL_STATUS_CRASHED;
                hl_batch_fmt(why, sizeof why, "the child's row is for %s", got);
            } else if (strcmp(row.runtime, runtime) != 0) {
                status = HL_STATUS_CRASHED;
                hl_batch_fmt(why, sizeof why, "the child's row is for runtime %s, not %s",
                             row.runtime, runtime);
                hl_results_row_init(&row);
            }
        } else if (c->timeline && code == 0) {
            status = file_exists(timeline_path) ? HL_STATUS_OK : HL_STATUS_CRASHED;
            if (!file_exists(timeline_path)) hl_batch_fmt(why, sizeof why, "no timeline written");
        } else if (c->timeline && code == HL_EXIT_FAILURE) {
            status = HL_STATUS_FAILED; /* the run's own result check */
            last_log_line(log_path, last, sizeof last);
            hl_batch_fmt(why, sizeof why, "%s", last);
        } else if (c->timeline &&
                   (code == HL_EXIT_MEMORY_ERROR || code == HL_EXIT_RECURSION_ERROR)) {
            status =
                code == HL_EXIT_MEMORY_ERROR ? HL_STATUS_MEMORY_ERROR : HL_STATUS_RECURSION_ERROR;
        } else {
            status = HL_STATUS_CRASHED;
            last_log_line(log_path, last, sizeof last);
            hl_batch_fmt(why, sizeof why, "exited with status %d without a row%s%s", code,
                         last[0] ? ": " : "", last);
        }
        break;
    case CHILD_SIGNALED:
        status = HL_STATUS_CRASHED;
        hl_batch_fmt(why, sizeof why, "killed by signal %d (%s)", code, strsignal(code));
        break;
    case CHILD_TIMEOUT: {
        char limit[32];
        format_seconds(limit, sizeof limit, b->timeout_s);
        status = HL_STATUS_TIMEOUT;
        hl_batch_fmt(why, sizeof why, "killed after the %s s time limit", limit);
        break;
    }
    default:
        status = HL_STATUS_CRASHED;
        hl_batch_fmt(why, sizeof why, "could not start the child process: %s", strerror(errno));
        break;
    }
    if (!have_row || strcmp(status, HL_STATUS_OK) != 0) {
        hl_results_row_init(&row);
        hl_batch_fmt(row.status, sizeof row.status, "%s", status);
        hl_batch_fmt(row.error, sizeof row.error, "%s", why);
        if (strcmp(status, HL_STATUS_OK) != 0) unlink(json_path); /* may be partial */
        hl_batch_fmt(row.workload, sizeof row.workload, "%s", c->workload);
        hl_batch_fmt(row.allocator, sizeof row.allocator, "%s", c->allocator);
        hl_batch_fmt(row.collector, sizeof row.collector, "%s", c->collector);
        if (c->reference) hl_batch_fmt(row.runtime, sizeof row.runtime, "%s", b->ref.runtime);
        row.size = c->size;
        row.repetitions = c->timeline ? 1 : b->repetitions;
    }
    /* The row file is the "finished" mark: written last, atomically. */
    hl_results_write_atomic(status_path, write_row_file, &row);
    unlink(child_row);
    hl_progress_finish(progress, c->name, row.status, seconds);
    return true;
}

static bool config_finished(const hl_batch *b, const hl_batch_config *c) {
    char path[PATH_MAX];
    path_join(path, sizeof path, b->out, c->timeline ? "timelines/" : "runs/", c->slug);
    strncat(path, ".csv", sizeof path - strlen(path) - 1);
    return file_exists(path);
}

int hl_batch_capture(char *const argv[], char *out, size_t size) {
    int fds[2];
    if (size > 0) out[0] = '\0';
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        int null_fd = open("/dev/null", O_RDWR);
        if (null_fd >= 0) {
            dup2(null_fd, STDIN_FILENO);
            dup2(null_fd, STDERR_FILENO);
        }
        dup2(fds[1], STDOUT_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t n = 0;
    for (;;) {
        char chunk[512];
        ssize_t r = read(fds[0], chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        for (ssize_t i = 0; i < r && size > 0 && n + 1 < size; i++)
            out[n++] = chunk[i];
    }
    if (size > 0) out[n] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    if (!WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

/* ---- merge ------------------------------------------------------------------ */

typedef struct merge_job {
    const hl_batch *b;
    hl_result_row *rows; /* matrix_count, NULL status: missing */
} merge_job;

static bool read_row(const hl_batch *b, const hl_batch_config *c, hl_result_row *row) {
    char path[PATH_MAX];
    path_join(path, sizeof path, b->out, c->timeline ? "timelines/" : "runs/", c->slug);
    strncat(path, ".csv", sizeof path - strlen(path) - 1);
    hl_result_row *rows = NULL;
    size_t count = 0;
    char error[256];
    bool ok = hl_results_read_csv(path, &rows, &count, error, sizeof error) && count == 1;
    if (ok) *row = rows[0];
    free(rows);
    return ok;
}

static bool write_results_csv(FILE *out, void *data) {
    merge_job *job = data;
    hl_results_write_csv_header(out);
    for (size_t i = 0; i < job->b->matrix_count; i++)
        if (job->rows[i].status[0]) hl_results_write_csv_row(out, &job->rows[i]);
    return true;
}

static bool write_results_json(FILE *out, void *data) {
    merge_job *job = data;
    const hl_batch *b = job->b;
    json_t *doc = hl_results_json_new();
    bool ok =
        doc != NULL &&
        hl_results_json_set_context(doc, "heaplab_batch",
                                    hl_results_json_text(b->custom ? "custom" : b->preset->name)) &&
        hl_results_json_set_context(doc, "heaplab_configurations",
                                    json_integer((json_int_t)b->matrix_count));
    for (size_t i = 0; ok && i < b->matrix_count; i++) {
        const hl_result_row *row = &job->rows[i];
        if (!row->status[0]) continue;
        char path[PATH_MAX], error[PATH_MAX + 256];
        path_join(path, sizeof path, b->out, "runs/", b->configs[i].slug);
        strncat(path, ".json", sizeof path - strlen(path) - 1);
        size_t appended = 0;
        bool usable = strcmp(row->status, HL_STATUS_CRASHED) != 0 &&
                      strcmp(row->status, HL_STATUS_TIMEOUT) != 0 &&
                      hl_results_json_append_file(doc, path, &appended, error, sizeof error) &&
                      appended > 0;
        if (!usable) ok = hl_results_json_add_failed_entry(doc, row);
    }
    ok = ok && hl_results_json_dump(doc, out);
    json_decref(doc);
    return ok;
}

/* results.csv and results.json from the row files; returns how many rows exist. */
static size_t batch_merge(const hl_batch *b, bool *ok) {
    merge_job job = {b, calloc(b->matrix_count, sizeof(hl_result_row))};
    size_t done = 0;
    *ok = job.rows != NULL;
    if (*ok) {
        for (size_t i = 0; i < b->matrix_count; i++)
            if (read_row(b, &b->configs[i], &job.rows[i]))
                done++;
            else
                job.rows[i].status[0] = '\0';
        char path[PATH_MAX];
        path_join(path, sizeof path, b->out, "results.csv", NULL);
        *ok = hl_results_write_atomic(path, write_results_csv, &job);
        path_join(path, sizeof path, b->out, "results.json", NULL);
        *ok = hl_results_write_atomic(path, write_results_json, &job) && *ok;
    }
    free(job.rows);
    return done;
}

/* timelines/index.csv: which timeline file is which run, and how it ended. */
static bool write_timeline_index(FILE *out, void *data) {
    const hl_batch *b = data;
    hl_results_write_csv_header(out);
    for (size_t i = b->matrix_count; i < b->config_count; i++) {
        hl_result_row row;
        if (read_row(b, &b->configs[i], &row)) hl_results_write_csv_row(out, &row);
    }
    return true;
}

/* ---- the command ------------------------------------------------------------ */

static void batch_free(hl_batch *b) {
    free(b->configs);
}

static int batch_usage(const char *message) {
    return hl_cli_usage_error("%s", message);
}

int hl_cmd_batch(int argc, char **argv) {
    hl_batch b;
    memset(&b, 0, sizeof b);
    char error[HL_CLI_ERROR_SIZE] = "";
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: heaplab batch [options]\n");
            hl_cli_print_options(stdout, hl_batch_options);
            printf("presets:\n");
            hl_batch_list_presets(stdout);
            return HL_EXIT_OK;
        }
    if (!batch_parse(&b, argc, argv, false, error, sizeof error)) return batch_usage(error);

    char **saved = NULL;
    size_t saved_count = 0;
    bool resuming = b.resume[0] != '\0';
    if (resuming) {
        bool usage = true;
        char resume_dir[PATH_MAX];
        hl_batch_fmt(resume_dir, sizeof resume_dir, "%s", b.resume);
        if (!hl_batch_load_args(resume_dir, &saved, &saved_count, error, sizeof error, &usage))
            return usage ? batch_usage(error) : hl_cli_error("%s", error);
        memset(&b, 0, sizeof b);
        if (!batch_parse(&b, (int)saved_count, saved, true, error, sizeof error)) {
            hl_batch_free_args(saved, saved_count);
            return hl_cli_usage_error("--resume: %s/" HL_BATCH_ARGS_FILE ": %s", resume_dir, error);
        }
        hl_batch_fmt(b.out, sizeof b.out, "%s", resume_dir);
        hl_batch_fmt(b.resume, sizeof b.resume, "%s", resume_dir);
    }
    if (!reference_resolve(&b, error, sizeof error) || !batch_expand(&b, error, sizeof error)) {
        hl_batch_free_args(saved, saved_count);
        batch_free(&b);
        return batch_usage(error);
    }

    /* The folder. */
    if (!resuming) {
        if (!b.out_given) default_out(&b);
        char args_path[PATH_MAX];
        path_join(args_path, sizeof args_path, b.out, HL_BATCH_ARGS_FILE, NULL);
        if (file_exists(args_path)) {
            batch_free(&b);
            return hl_cli_usage_error("--out: %s already holds a batch (finish it with --resume "
                                      "%s)",
                                      b.out, b.out);
        }
        if (!dir_is_empty(b.out)) {
            batch_free(&b);
            return hl_cli_usage_error("--out: %s exists and is not empty", b.out);
        }
    }
    char sub[PATH_MAX];
    const char *subdirs[] = {"", "runs", "timelines", "charts"};
    for (size_t i = 0; i < 4; i++) {
        path_join(sub, sizeof sub, b.out, subdirs[i], NULL);
        if (!make_dir(sub, error, sizeof error)) {
            hl_batch_free_args(saved, saved_count);
            batch_free(&b);
            /* The folder itself cannot be made: the --out value is unusable (usage,
             * exit 2). A subfolder of a folder we made: something else went wrong. */
            return i == 0 ? hl_cli_usage_error("--out: %s", error) : hl_cli_error("%s", error);
        }
    }
    /* The arguments, saved for --resume (without --out and --resume themselves). */
    char **args = resuming ? saved + 1 : NULL;
    size_t arg_count = resuming ? saved_count - 1 : 0;
    char **own = NULL;
    if (!resuming) {
        own = malloc((size_t)(argc + 3) * sizeof *own);
        if (own == NULL) {
            batch_free(&b);
            return hl_cli_error("out of memory");
        }
        for (int i = 1; i < argc; i++) {
            if (strcmp(argv[i], "--out") == 0) {
                i++;
                continue;
            }
            if (strncmp(argv[i], "--out=", 6) == 0) continue;
            own[arg_count++] = argv[i];
        }
        /* what the preset's reference default resolved to, so that --resume runs the
         * same configurations whatever PATH holds by then */
        if (b.reference_arg == NULL) {
            own[arg_count++] = "--reference";
            own[arg_count++] = b.ref.choice;
        }
        args = own;
        if (!hl_batch_save_args(b.out, args, arg_count, error, sizeof error)) {
            free(own);
            batch_free(&b);
            return hl_cli_error("%s", error);
        }
    }
    const char *preset_name = b.custom ? "custom" : b.preset->name;
    char started[32];
    utc_now(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ");

    size_t already = 0;
    for (size_t i = 0; i < b.config_count; i++)
        already += config_finished(&b, &b.configs[i]);
    hl_manifest_write(b.out, args, arg_count, preset_name, started, NULL, already, b.config_count,
                      &b.ref);

    size_t reference_runs = 0;
    for (size_t i = 0; i < b.matrix_count; i++)
        reference_runs += b.configs[i].reference;
    char reference_text[PATH_MAX + 96] = "";
    if (reference_runs > 0)
        hl_batch_fmt(reference_text, sizeof reference_text,
                     ", %zu of them CPython %s reference runs (%s)", reference_runs, b.ref.version,
                     b.ref.python);
    fprintf(stderr, "heaplab batch: %zu configurations (%s preset%s) + %zu timeline runs into %s\n",
            b.matrix_count, preset_name, reference_text, b.config_count - b.matrix_count, b.out);
    hl_progress progress;
    hl_progress_init(&progress, stderr, b.config_count, already);

    struct sigaction action, old_int, old_term;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    hl_batch_interrupted = 0;
    sigaction(SIGINT, &action, &old_int);
    sigaction(SIGTERM, &action, &old_term);

    bool interrupted = false;
    for (size_t i = 0; i < b.config_count && !interrupted; i++) {
        if (hl_batch_interrupted)
            interrupted = true;
        else if (!config_finished(&b, &b.configs[i]))
            interrupted = !batch_run_config(&b, &b.configs[i], &progress);
    }
    interrupted = interrupted || hl_batch_interrupted;
    hl_progress_end(&progress);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    bool ok;
    size_t done = batch_merge(&b, &ok);
    path_join(sub, sizeof sub, b.out, "timelines/index.csv", NULL);
    ok = hl_results_write_atomic(sub, write_timeline_index, &b) && ok;
    char finished[32];
    utc_now(finished, sizeof finished, "%Y-%m-%dT%H:%M:%SZ");
    size_t all_done = 0;
    for (size_t i = 0; i < b.config_count; i++)
        all_done += config_finished(&b, &b.configs[i]);
    ok = hl_manifest_write(b.out, args, arg_count, preset_name, started,
                           interrupted ? NULL : finished, all_done, b.config_count, &b.ref) &&
         ok;
    int exit_code = HL_EXIT_OK;
    if (interrupted) {
        fprintf(stderr,
                "heaplab batch: interrupted with %zu of %zu configurations finished; finish it "
                "with: heaplab batch --resume %s\n",
                done, b.matrix_count, b.out);
        exit_code = HL_EXIT_INTERRUPTED;
    } else if (!ok) {
        exit_code = hl_cli_error("cannot write the results in %s", b.out);
    } else {
        hl_chart_list charts;
        memset(&charts, 0, sizeof charts);
        bool drawn = hl_plot_draw(b.out, &charts, error, sizeof error);
        if (!drawn) exit_code = hl_cli_error("%s", error);
        char report_error[HL_CLI_ERROR_SIZE];
        if (!hl_report_write(b.out, &charts, report_error, sizeof report_error))
            exit_code = hl_cli_error("%s", report_error);
        else
            printf("%s/report.html\n", b.out);
    }
    free(own);
    hl_batch_free_args(saved, saved_count);
    batch_free(&b);
    return exit_code;
}
