/* `heaplab compare DIR [DIR_B] [options]`: the command line around bench/report/compare.c.
 *
 * Exit codes: 0 the comparison was printed (whatever it found), 1 a --fail-if
 * condition was met by a significant pair (or the output could not be written or a
 * file could not be read), 2 a usage error (one line). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/report/report.h"

#define COMPARE_USAGE                                                                              \
    "heaplab compare DIR [DIR_B] [--baseline allocator=NAME|collector=NAME|batch] "                \
    "[--metric M] [--threshold PCT] [--format text|markdown|csv|json] [--fail-if 'slower>5%'] "    \
    "[--allocator A,..] [--collector C,..] [--workload W[/V],..] [--size N,..]"

static const hl_cli_option compare_options[] = {
    {"--baseline", "B",
     "allocator=NAME, collector=NAME, or batch (B against A; the default with two folders)"},
    {"--metric", "M", "time (default), cpu, gc_time, mutator, rss, peak_live, pause_max, ..."},
    {"--threshold", "PCT", "smallest change called a change, in percent (default 5)"},
    {"--format", "F", "text (default), markdown, csv, json"},
    {"--fail-if", "COND",
     "exit 1 when a significant pair meets COND: 'slower>5%', 'bigger>10%', ..."},
    {"--allocator", "A,..", "only candidate rows with these allocators"},
    {"--collector", "C,..", "only candidate rows with these collectors"},
    {"--workload", "W[/V],..", "only these workloads (W: every variant)"},
    {"--size", "N,..", "only these sizes"},
    {"--help", NULL, "this help"},
    {"-h", NULL, "this help"},
    {NULL, NULL, NULL},
};

#define MAX_CONDITIONS 8

typedef struct compare_args {
    hl_compare_options options;
    hl_compare_format format;
    const char *dirs[2];
    size_t dir_count;
    bool baseline_given;
    const char *metric_text;
    hl_compare_condition conditions[MAX_CONDITIONS];
    const char *condition_texts[MAX_CONDITIONS];
    size_t condition_count;
} compare_args;

/* A comma-separated list into a filter; empty items and too many are errors. */
static int parse_list(const char *option, const char *value, hl_compare_filter *f) {
    f->count = 0;
    const char *p = value;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (n == 0 || n >= sizeof f->values[0])
            return hl_cli_usage_error("compare: %s '%s': %s", option, value,
                                      n == 0 ? "an empty name" : "a name too long");
        if (f->count == HL_COMPARE_MAX_FILTER)
            return hl_cli_usage_error("compare: %s: more than %d names", option,
                                      HL_COMPARE_MAX_FILTER);
        hl_report_fmt(f->values[f->count++], sizeof f->values[0], "%.*s", (int)n, p);
        if (comma == NULL) return HL_EXIT_OK;
        p = comma + 1;
    }
}

static int parse_sizes(const char *value, hl_compare_options *o) {
    hl_compare_filter items;
    int code = parse_list("--size", value, &items);
    if (code != HL_EXIT_OK) return code;
    char error[HL_CLI_ERROR_SIZE];
    o->size_count = 0;
    for (size_t i = 0; i < items.count; i++)
        if (!hl_cli_parse_uint("compare: --size", items.values[i], HL_CLI_COUNT, 1, HL_CLI_MAX_SIZE,
                               &o->sizes[o->size_count++], error, sizeof error))
            return hl_cli_usage_error("%s", error);
    return HL_EXIT_OK;
}

static int parse_baseline(const char *value, compare_args *a) {
    hl_compare_options *o = &a->options;
    a->baseline_given = true;
    if (strcmp(value, "batch") == 0) {
        o->baseline = HL_COMPARE_BASELINE_BATCH;
        return HL_EXIT_OK;
    }
    const char *eq = strchr(value, '=');
    size_t key = eq != NULL ? (size_t)(eq - value) : 0;
    if (eq != NULL && eq[1] != '\0' && strlen(eq + 1) < sizeof o->baseline_name) {
        if (key == strlen("allocator") && strncmp(value, "allocator", key) == 0)
            o->baseline = HL_COMPARE_BASELINE_ALLOCATOR;
        else if (key == strlen("collector") && strncmp(value, "collector", key) == 0)
            o->baseline = HL_COMPARE_BASELINE_COLLECTOR;
        else
            eq = NULL;
    } else
        eq = NULL;
    if (eq == NULL)
        return hl_cli_usage_error("compare: --baseline '%s' is not allocator=NAME, "
                                  "collector=NAME or batch (e.g. --baseline allocator=libc)",
                                  value);
    hl_report_fmt(o->baseline_name, sizeof o->baseline_name, "%s", eq + 1);
    return HL_EXIT_OK;
}

static int parse_format(const char *value, hl_compare_format *format) {
    static const char *const names[] = {"text", "markdown", "csv", "json"};
    for (size_t i = 0; i < 4; i++)
        if (strcmp(value, names[i]) == 0) {
            *format = (hl_compare_format)i;
            return HL_EXIT_OK;
        }
    return hl_cli_usage_error("compare: --format '%s' is unknown (valid: text, markdown, csv, "
                              "json)",
                              value);
}

static int parse_threshold(const char *value, double *fraction) {
    char number[64], error[HL_CLI_ERROR_SIZE];
    hl_report_fmt(number, sizeof number, "%s", value);
    size_t n = strlen(number);
    if (n > 0 && number[n - 1] == '%') number[n - 1] = '\0';
    double pct;
    if (!hl_cli_parse_double("compare: --threshold", number, 0, true, 1000, &pct, error,
                             sizeof error))
        return hl_cli_usage_error("%s", error);
    *fraction = pct / 100.0;
    return HL_EXIT_OK;
}

/* Options and folders into *a; -1 after --help (exit 0), else an exit code. */
static int parse_args(int argc, char **argv, compare_args *a) {
    hl_cli_parser parser;
    hl_cli_parser_init(&parser, "compare", compare_options, argc, argv);
    char error[HL_CLI_ERROR_SIZE];
    for (;;) {
        const hl_cli_option *option = NULL;
        const char *value = NULL;
        hl_cli_token token = hl_cli_next(&parser, &option, &value, error, sizeof error);
        if (token == HL_CLI_END) break;
        if (token == HL_CLI_BAD) return hl_cli_usage_error("%s", error);
        if (token == HL_CLI_POSITIONAL || token == HL_CLI_PASSTHROUGH) {
            if (a->dir_count == 2)
                return hl_cli_usage_error("compare: unexpected argument '%s' (usage: %s)", value,
                                          COMPARE_USAGE);
            a->dirs[a->dir_count++] = value;
            continue;
        }
        const char *name = option->name;
        int code = HL_EXIT_OK;
        if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
            printf("usage: %s\n"
                   "ratios candidate/baseline of the medians over invocations, 95%% bootstrap "
                   "intervals, Mann-Whitney p, verdicts and geomeans (docs/cli.md)\n",
                   COMPARE_USAGE);
            hl_cli_print_options(stdout, compare_options);
            return -1;
        } else if (!strcmp(name, "--baseline"))
            code = parse_baseline(value, a);
        else if (!strcmp(name, "--metric"))
            a->metric_text = value;
        else if (!strcmp(name, "--threshold"))
            code = parse_threshold(value, &a->options.threshold);
        else if (!strcmp(name, "--format"))
            code = parse_format(value, &a->format);
        else if (!strcmp(name, "--fail-if")) {
            if (a->condition_count == MAX_CONDITIONS)
                return hl_cli_usage_error("compare: more than %d --fail-if", MAX_CONDITIONS);
            a->condition_texts[a->condition_count++] = value;
        } else if (!strcmp(name, "--allocator"))
            code = parse_list(name, value, &a->options.allocators);
        else if (!strcmp(name, "--collector"))
            code = parse_list(name, value, &a->options.collectors);
        else if (!strcmp(name, "--workload"))
            code = parse_list(name, value, &a->options.workloads);
        else if (!strcmp(name, "--size"))
            code = parse_sizes(value, &a->options);
        if (code != HL_EXIT_OK) return code;
    }
    if (a->metric_text != NULL) {
        char valid[512];
        a->options.metric = hl_compare_metric_find(a->metric_text, valid, sizeof valid);
        if (a->options.metric < 0)
            return hl_cli_usage_error("compare: --metric '%s' is unknown (valid: %s, or a "
                                      "figure column of results.csv)",
                                      a->metric_text, valid);
    }
    /* the words of a condition depend on the metric: parsed once it is known */
    for (size_t i = 0; i < a->condition_count; i++)
        if (!hl_compare_condition_parse(a->condition_texts[i], a->options.metric, &a->conditions[i],
                                        error, sizeof error))
            return hl_cli_usage_error("%s", error);
    if (a->dir_count == 0)
        return hl_cli_usage_error("compare: needs a results folder (usage: %s)", COMPARE_USAGE);
    if (a->dir_count == 1 &&
        (!a->baseline_given || a->options.baseline == HL_COMPARE_BASELINE_BATCH))
        return hl_cli_usage_error("compare: one folder needs --baseline allocator=NAME or "
                                  "--baseline collector=NAME (two folders compare B against A)");
    return HL_EXIT_OK;
}

int hl_cmd_compare(int argc, char **argv) {
    compare_args a;
    memset(&a, 0, sizeof a);
    hl_compare_options_init(&a.options);
    a.format = HL_COMPARE_TEXT;
    int code = parse_args(argc, argv, &a);
    if (code != HL_EXIT_OK) return code < 0 ? HL_EXIT_OK : code;

    hl_result_row *rows[2] = {NULL, NULL};
    size_t counts[2] = {0, 0};
    for (size_t i = 0; i < a.dir_count; i++)
        if (!hl_cli_load_results("compare", a.dirs[i], &rows[i], &counts[i], &code)) {
            free(rows[0]);
            return code;
        }
    hl_compare_side base = {a.dirs[0], rows[0], counts[0]};
    hl_compare_side cand =
        a.dir_count == 2 ? (hl_compare_side){a.dirs[1], rows[1], counts[1]} : base;
    hl_compare_result result;
    bool usage = false;
    char error[HL_CLI_ERROR_SIZE];
    if (!hl_compare_run(&a.options, &base, &cand, &result, &usage, error, sizeof error)) {
        free(rows[0]);
        free(rows[1]);
        return usage ? hl_cli_usage_error("%s", error) : hl_cli_error("%s", error);
    }
    code = HL_EXIT_OK;
    if (!hl_compare_write(stdout, a.format, &result))
        code = hl_cli_error("compare: cannot write the output");
    bool written = code == HL_EXIT_OK;
    for (size_t i = 0; written && i < a.condition_count; i++) {
        const hl_compare_pair *worst = NULL;
        size_t met = hl_compare_condition_count(&a.conditions[i], &result, &worst);
        if (met == 0) continue;
        char label[300];
        hl_compare_label(worst->cand, label, sizeof label);
        code = hl_cli_error("compare: --fail-if %s: %zu significant pair%s meet%s it (largest: "
                            "%s, ratio %.3f, p %.2g)",
                            a.conditions[i].text, met, met == 1 ? "" : "s", met == 1 ? "s" : "",
                            label, worst->ratio, worst->p);
    }
    hl_compare_result_free(&result);
    free(rows[0]);
    free(rows[1]);
    return code;
}
