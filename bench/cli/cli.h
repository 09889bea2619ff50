/* heaplab command-line plumbing shared by every subcommand: exit codes, one-line
 * usage errors, numbers with suffixes, names checked against the registries, and a
 * small table-driven option parser.
 *
 * Errors are values here too: every parse function returns false and writes ONE line
 * (no prefix, no newline) into the caller's buffer; the command prints it with
 * hl_cli_usage_error, which adds "heaplab: " and returns HL_EXIT_USAGE.
 */
#ifndef HEAPLAB_BENCH_CLI_H
#define HEAPLAB_BENCH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "allocators/allocator.h"
#include "collectors/heap.h"
#include "bench/harness/run.h"
#include "bench/report/report.h"
#include "bench/workloads/workload.h"

/* A size above this is absurd: no machine holds 10^13 objects. Checked by the parser
 * so a typo never reaches an allocator. */
#define HL_CLI_MAX_SIZE 10000000000000ull
/* The largest byte quantity accepted (1 PiB). */
#define HL_CLI_MAX_BYTES (1ull << 50)

#define HL_CLI_ERROR_SIZE 512

/* Print "heaplab: <message>" as one line on stderr; returns HL_EXIT_USAGE. */
int hl_cli_usage_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Print "heaplab: <message>" as one line on stderr; returns HL_EXIT_FAILURE. */
int hl_cli_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* What a number counts: objects (K = 10^3, M = 10^6, G = 10^9, T = 10^12) or bytes
 * (K = 2^10, M = 2^20, G = 2^30, T = 2^40, also spelled KiB, MiB, GiB, TiB). */
typedef enum hl_cli_unit { HL_CLI_COUNT, HL_CLI_BYTES } hl_cli_unit;

/* A whole number in [min, max]: "1000000", "1e6", "2.5e6", "10^6", "2^20", "1M",
 * "1.5G". `what` names the value in the message ("--size"). Negative, zero (when
 * min > 0), fractional, malformed and out-of-range values are errors. */
bool hl_cli_parse_uint(const char *what, const char *text, hl_cli_unit unit, uint64_t min,
                       uint64_t max, uint64_t *out, char *error, size_t error_size);
/* A finite decimal number with min < value <= max (min_inclusive: min <= value). */
bool hl_cli_parse_double(const char *what, const char *text, double min, bool min_inclusive,
                         double max, double *out, char *error, size_t error_size);
/* Exactly `count` comma-separated whole numbers in [min, max] ("700,10,10"). */
bool hl_cli_parse_uint_list(const char *what, const char *text, size_t count, uint64_t min,
                            uint64_t max, uint64_t *out, char *error, size_t error_size);

/* "Did you mean": the name in `valid` (names separated by ", ") closest to `word` by
 * Damerau-Levenshtein distance, within max(2, strlen(word)/3) edits and fewer than
 * strlen(word), with the same first letter unless one edit away; false when none is
 * that close. */
bool hl_cli_closest(const char *word, const char *valid, char *out, size_t size);
/* The parenthesis of an unknown-name message: "did you mean X?" when one name is
 * close (hl_cli_closest), else "valid: <valid>". */
void hl_cli_hint(const char *word, const char *valid, char *out, size_t size);

/* Names checked against the registries; the message suggests the closest name or
 * lists the valid choices: "unknown allocator 'mimaloc' (did you mean mimalloc?)",
 * "unknown allocator 'x' (valid: libc, jemalloc, mimalloc, pool, bump)". */
bool hl_cli_find_allocator(const char *name, const hl_allocator_ops **out, char *error,
                           size_t error_size);
bool hl_cli_find_collector(const char *name, const hl_collector_ops **out, char *error,
                           size_t error_size);
/* "W/VARIANT" */
bool hl_cli_find_workload(const char *name, const hl_workload **workload,
                          const hl_workload_variant **variant, char *error, size_t error_size);

/* ---- options ---- */
typedef struct hl_cli_option {
    const char *name;    /* "--size"; NULL ends a table */
    const char *metavar; /* "N"; NULL for a switch without a value */
    const char *help;    /* one line */
} hl_cli_option;

typedef struct hl_cli_parser {
    const char *command;          /* "run", for messages */
    const hl_cli_option *options; /* the command's table */
    int argc;
    char **argv;
    int index; /* next argument; starts at 1 (argv[0] is the command's name) */
    /* Arguments starting with this prefix are left for another parser (e.g.
     * "--benchmark_" for Google Benchmark) and reported as HL_CLI_PASSTHROUGH. */
    const char *passthrough_prefix;
} hl_cli_parser;

typedef enum hl_cli_token {
    HL_CLI_END,         /* no more arguments */
    HL_CLI_OPTION,      /* *option from the table, *value its value (NULL for a switch) */
    HL_CLI_POSITIONAL,  /* *value: an argument that is not an option */
    HL_CLI_PASSTHROUGH, /* *value: an argument for another parser */
    HL_CLI_BAD,         /* unknown option or missing value: *error */
} hl_cli_token;

void hl_cli_parser_init(hl_cli_parser *p, const char *command, const hl_cli_option *options,
                        int argc, char **argv);
/* The next argument. Options are "--name value" or "--name=value"; "--" ends the
 * options (what follows is positional); "-h" is "--help" when the table has it. An
 * unknown option's message suggests the closest one (hl_cli_hint). */
hl_cli_token hl_cli_next(hl_cli_parser *p, const hl_cli_option **option, const char **value,
                         char *error, size_t error_size);
/* The table as aligned help lines. */
void hl_cli_print_options(FILE *out, const hl_cli_option *options);

/* The exit code for a workload status. */
int hl_cli_exit_code(hl_workload_status status);

/* A command whose only arguments are `want` results folders (plot, compare): --help
 * prints "usage: USAGE", the summary and the options, and returns -1 (exit 0); else
 * HL_EXIT_OK with dirs[0..want) set, or the exit code of the one-line usage error
 * (an unknown option, an extra argument, or `missing` when there are too few). */
int hl_cli_parse_folders(const char *command, int argc, char **argv, const char *usage,
                         const char *summary, const char **dirs, size_t want, const char *missing);
/* DIR's rows (bench/report/'s hl_report_load_results), or one line and *code: a usage
 * error when DIR is no results folder, 1 when its results.csv cannot be read. */
bool hl_cli_load_results(const char *command, const char *dir, hl_result_row **rows, size_t *count,
                         int *code);

#endif
