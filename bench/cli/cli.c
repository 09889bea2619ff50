/* heaplab command-line plumbing: see cli.h. */
#include "bench/cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int print_line(int code, const char *format, va_list ap) {
    /* One line, always: a message with a newline in it would break the batch
     * runner's and the tests' "one line on stderr" contract. */
    char text[HL_CLI_ERROR_SIZE];
    vsnprintf(text, sizeof text, format, ap);
    for (char *c = text; *c != '\0'; c++)
        if (*c == '\n' || *c == '\r') *c = ' ';
    fprintf(stderr, "heaplab: %s\n", text);
    return code;
}

int hl_cli_usage_error(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    int code = print_line(HL_EXIT_USAGE, format, ap);
    va_end(ap);
    return code;
}

int hl_cli_error(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    int code = print_line(HL_EXIT_FAILURE, format, ap);
    va_end(ap);
    return code;
}

/* ---- numbers ---- */

static bool fail(char *error, size_t error_size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail(char *error, size_t error_size, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vsnprintf(error, error_size, format, ap);
    va_end(ap);
    return false;
}

static bool mul_checked(uint64_t a, uint64_t b, uint64_t *out) {
    return !__builtin_mul_overflow(a, b, out);
}

static bool pow_checked(uint64_t base, uint64_t exp, uint64_t *out) {
    uint64_t r = 1;
    for (uint64_t i = 0; i < exp; i++) {
        if (!mul_checked(r, base, &r)) return false;
        if (r <= 1) break; /* 0^k and 1^k: no need to go on (1^(2^64-1) would never end) */
    }
    *out = r;
    return true;
}

/* Reads decimal digits into *value; false on overflow. *digits counts them. */
static bool read_digits(const char **p, uint64_t *value, int *digits) {
    *digits = 0;
    while (isdigit((unsigned char)**p)) {
        if (!mul_checked(*value, 10, value) || __builtin_add_overflow(*value, **p - '0', value))
            return false;
        (*p)++;
        (*digits)++;
    }
    return true;
}

typedef struct suffix {
    const char *text;
    uint64_t count, bytes; /* multiplier for counts and for bytes */
} suffix;

static const suffix suffixes[] = {
    {"", 1, 1},
    {"K", 1000ull, 1ull << 10},
    {"M", 1000000ull, 1ull << 20},
    {"G", 1000000000ull, 1ull << 30},
    {"T", 1000000000000ull, 1ull << 40},
    {"k", 1000ull, 1ull << 10},
    {"KiB", 0, 1ull << 10},
    {"MiB", 0, 1ull << 20},
    {"GiB", 0, 1ull << 30},
    {"TiB", 0, 1ull << 40},
    {"KB", 0, 1ull << 10},
    {"MB", 0, 1ull << 20},
    {"GB", 0, 1ull << 30},
    {"TB", 0, 1ull << 40},
    {"B", 0, 1},
};

bool hl_cli_parse_uint(const char *what, const char *text, hl_cli_unit unit, uint64_t min,
                       uint64_t max, uint64_t *out, char *error, size_t error_size) {
    const char *forms = unit == HL_CLI_BYTES ? "such as 1048576, 64M, 1.5G, 2^30 or 1e9"
                                             : "such as 1000000, 1e6, 10^6 or 1M";
    const char *p = text;
    if (text == NULL || *text == '\0')
        return fail(error, error_size, "%s: missing value (expected a whole number %s)", what,
                    forms);
    if (*p == '-')
        return fail(error, error_size, "%s: '%s' is negative (expected a positive whole number)",
                    what, text);
    if (*p == '+') p++;
    if (!isdigit((unsigned char)*p) && *p != '.')
        return fail(error, error_size, "%s: '%s' is not a number (expected a whole number %s)",
                    what, text, forms);

    uint64_t mantissa = 0, value = 0;
    int int_digits = 0, frac_digits = 0;
    bool too_large = !read_digits(&p, &mantissa, &int_digits);
    if (!too_large && *p == '^') { /* base^exponent: 10^6, 2^20 */
        uint64_t exponent = 0;
        int exp_digits = 0;
        p++;
        if (!read_digits(&p, &exponent, &exp_digits) || exp_digits == 0 || *p != '\0' ||
            int_digits == 0)
            return fail(error, error_size, "%s: '%s' is not a number (expected a whole number %s)",
                        what, text, forms);
        too_large = !pow_checked(mantissa, exponent, &value);
    } else if (!too_large) {
        if (*p == '.') {
            p++;
            too_large = !read_digits(&p, &mantissa, &frac_digits);
        }
        if (int_digits + frac_digits == 0)
            return fail(error, error_size, "%s: '%s' is not a number (expected a whole number %s)",
                        what, text, forms);
        int64_t exponent = -(int64_t)frac_digits;
        if (!too_large && (*p == 'e' || *p == 'E')) {
            uint64_t e = 0;
            int exp_digits = 0;
            bool negative = false;
            p++;
            if (*p == '+' || *p == '-') negative = *p++ == '-';
            if (!read_digits(&p, &e, &exp_digits) || exp_digits == 0 || e > 40)
                return fail(error, error_size, "%s: '%s' has a bad exponent", what, text);
            exponent += negative ? -(int64_t)e : (int64_t)e;
        }
        const suffix *sfx = NULL;
        for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
            uint64_t mult = unit == HL_CLI_BYTES ? suffixes[i].bytes : suffixes[i].count;
            if (mult != 0 && strcmp(p, suffixes[i].text) == 0) sfx = &suffixes[i];
        }
        if (sfx == NULL)
            return fail(error, error_size, "%s: '%s' has an unknown suffix '%s' (valid: %s)", what,
                        text, p,
                        unit == HL_CLI_BYTES ? "K, M, G, T (powers of 1024), KiB, MiB, GiB, TiB"
                                             : "K, M, G, T (powers of 1000)");
        uint64_t mult = unit == HL_CLI_BYTES ? sfx->bytes : sfx->count;
        if (!too_large) too_large = !mul_checked(mantissa, mult, &value);
        /* Scale by 10^exponent exactly: a fraction that does not come out whole is an
         * error, never silently rounded. */
        while (!too_large && exponent > 0) {
            too_large = !mul_checked(value, 10, &value);
            exponent--;
        }
        for (; !too_large && exponent < 0; exponent++) {
            if (value % 10 != 0)
                return fail(error, error_size, "%s: '%s' is not a whole number", what, text);
            value /= 10;
        }
    }
    if (too_large || value > max)
        return fail(error, error_size, "%s: '%s' is too large (at most %llu)", what, text,
                    (unsigned long long)max);
    if (value < min) {
        if (value == 0)
            return fail(error, error_size, "%s: '%s' is zero (expected a positive whole number)",
                        what, text);
        return fail(error, error_size, "%s: '%s' is too small (at least %llu)", what, text,
                    (unsigned long long)min);
    }
    *out = value;
    return true;
}

bool hl_cli_parse_double(const char *what, const char *text, double min, bool min_inclusive,
                         double max, double *out, char *error, size_t error_size) {
    if (text == NULL || *text == '\0')
        return fail(error, error_size, "%s: missing value (expected a number)", what);
    /* Decimal only, as the integer flags: strtod would also take " 1", "0x10", "inf". */
    const char *c = text + (*text == '+' || *text == '-');
    bool decimal = isdigit((unsigned char)*c) || (*c == '.' && isdigit((unsigned char)c[1]));
    for (; decimal && *c; c++)
        decimal = isdigit((unsigned char)*c) || *c == '.' || *c == 'e' || *c == 'E' ||
                  ((*c == '+' || *c == '-') && (c[-1] == 'e' || c[-1] == 'E'));
    if (!decimal) return fail(error, error_size, "%s: '%s' is not a number", what, text);
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v))
        return fail(error, error_size, "%s: '%s' is not a number", what, text);
    bool low = min_inclusive ? v < min : v <= min;
    if (low || v > max)
        return fail(error, error_size, "%s: '%s' is out of range (expected %s%g and at most %g)",
                    what, text, min_inclusive ? "at least " : "more than ", min, max);
    *out = v;
    return true;
}

bool hl_cli_parse_uint_list(const char *what, const char *text, size_t count, uint64_t min,
                            uint64_t max, uint64_t *out, char *error, size_t error_size) {
    if (text == NULL || *text == '\0')
        return fail(error, error_size, "%s: missing value (expected %zu comma-separated numbers)",
                    what, count);
    const char *p = text;
    for (size_t i = 0; i < count; i++) {
        const char *comma = strchr(p, ',');
        size_t length = comma != NULL ? (size_t)(comma - p) : strlen(p);
        bool last = i + 1 == count;
        if ((comma != NULL) == last || length == 0 || length >= 32)
            return fail(error, error_size, "%s: '%s' is not %zu comma-separated numbers", what,
                        text, count);
        char item[32];
        memcpy(item, p, length);
        item[length] = '\0';
        if (!hl_cli_parse_uint(what, item, HL_CLI_COUNT, min, max, &out[i], error, error_size))
            return false;
        p += length + 1;
    }
    return true;
}

/* ---- did you mean ---- */

/* Damerau-Levenshtein distance (optimal string alignment: insertions, deletions,
 * substitutions and swaps of two neighbours, each one edit) between a and b, both
 * shorter than HL_CLI_NAME_MAX; larger inputs count as far apart. */
#define HL_CLI_NAME_MAX 96
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb) {
    if (la >= HL_CLI_NAME_MAX || lb >= HL_CLI_NAME_MAX) return SIZE_MAX;
    /* three rows of the table: i-2, i-1, i */
    size_t rows[3][HL_CLI_NAME_MAX + 1];
    for (size_t j = 0; j <= lb; j++)
        rows[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t *cur = rows[i % 3], *prev = rows[(i - 1) % 3], *prev2 = rows[(i + 1) % 3];
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = prev[j] + 1;                                /* deletion */
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;         /* insertion */
            if (prev[j - 1] + cost < best) best = prev[j - 1] + cost; /* substitution */
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1; /* swap */
            cur[j] = best;
        }
    }
    return rows[la % 3][lb];
}

bool hl_cli_closest(const char *word, const char *valid, char *out, size_t size) {
    size_t length = strlen(word);
    size_t threshold = length / 3 > 2 ? length / 3 : 2;
    size_t best = SIZE_MAX;
    const char *p = valid;
    while (p != NULL && *p != '\0') {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        size_t d = edit_distance(word, length, p, n);
        /* A distance as large as the word itself would suggest anything for "x"; past
         * one edit the first letters must agree, so that another real name
         * ("tcmalloc") is not taken for a typo of ours ("jemalloc"). */
        bool close = d <= threshold && d < length && (d <= 1 || word[0] == p[0]);
        if (close && d < best && n > 0) {
            best = d;
            snprintf(out, size, "%.*s", (int)n, p);
        }
        if (comma == NULL) break;
        p = comma + 1;
        while (*p == ' ')
            p++;
    }
    return best != SIZE_MAX;
}

void hl_cli_hint(const char *word, const char *valid, char *out, size_t size) {
    char closest[HL_CLI_NAME_MAX];
    if (word != NULL && hl_cli_closest(word, valid, closest, sizeof closest))
        snprintf(out, size, "did you mean %s?", closest);
    else
        snprintf(out, size, "valid: %s", valid);
}

/* ---- names ---- */

bool hl_cli_find_allocator(const char *name, const hl_allocator_ops **out, char *error,
                           size_t error_size) {
    const char *why = NULL;
    *out = name != NULL ? hl_allocator_lookup(name, &why) : NULL;
    /* The label goes into every row's allocator column (hl_result_row.allocator): one
     * that would not fit is refused here rather than cut short in the results. */
    if (*out != NULL && strlen(hl_allocator_label(*out)) >= sizeof((hl_result_row *)0)->allocator)
        return fail(error, error_size,
                    "allocator %s: the name '%s' is longer than %zu characters (the rows' "
                    "allocator column); give the library through a shorter symlink",
                    name, hl_allocator_label(*out), sizeof((hl_result_row *)0)->allocator - 1);
    if (*out != NULL) return true;
    if (why != NULL) return fail(error, error_size, "%s", why); /* preload:PATH's check */
    char hint[1100];
    hl_cli_hint(name, hl_allocator_names(), hint, sizeof hint);
    return fail(error, error_size, "unknown allocator '%s' (%s)", name ? name : "", hint);
}

bool hl_cli_find_collector(const char *name, const hl_collector_ops **out, char *error,
                           size_t error_size) {
    *out = name != NULL ? hl_collector_find(name) : NULL;
    if (*out != NULL) return true;
    char hint[1100];
    hl_cli_hint(name, hl_collector_names(), hint, sizeof hint);
    return fail(error, error_size, "unknown collector '%s' (%s)", name ? name : "", hint);
}

bool hl_cli_find_workload(const char *name, const hl_workload **workload,
                          const hl_workload_variant **variant, char *error, size_t error_size) {
    char valid[1024];
    hl_workload_names(valid, sizeof valid);
    const char *slash = name != NULL ? strchr(name, '/') : NULL;
    *workload = NULL;
    *variant = NULL;
    if (slash != NULL && (size_t)(slash - name) < 64) {
        char head[64];
        memcpy(head, name, (size_t)(slash - name));
        head[slash - name] = '\0';
        *workload = hl_workload_find(head);
        if (*workload != NULL) *variant = hl_workload_variant_find(*workload, slash + 1);
    }
    if (*variant != NULL) return true;
    *workload = NULL;
    char hint[1100];
    hl_cli_hint(name, valid, hint, sizeof hint);
    return fail(error, error_size, "unknown workload '%s' (%s)", name ? name : "", hint);
}

/* ---- options ---- */

void hl_cli_parser_init(hl_cli_parser *p, const char *command, const hl_cli_option *options,
                        int argc, char **argv) {
    *p = (hl_cli_parser){
        .command = command, .options = options, .argc = argc, .argv = argv, .index = 1};
}

static void option_names(const hl_cli_option *options, char *out, size_t size) {
    size_t used = 0;
    out[0] = '\0';
    for (const hl_cli_option *o = options; o->name != NULL; o++) {
        int n = snprintf(out + used, size - used, "%s%s", used ? ", " : "", o->name);
        if (n < 0 || (size_t)n >= size - used) return;
        used += (size_t)n;
    }
}

hl_cli_token hl_cli_next(hl_cli_parser *p, const hl_cli_option **option, const char **value,
                         char *error, size_t error_size) {
    *option = NULL;
    *value = NULL;
    if (p->index >= p->argc) return HL_CLI_END;
    const char *arg = p->argv[p->index++];
    if (strcmp(arg, "--") == 0) {
        /* Everything after "--" is positional: mark the parser and recurse once. */
        p->options = NULL;
        return hl_cli_next(p, option, value, error, error_size);
    }
    if (p->options == NULL || arg[0] != '-' || arg[1] == '\0') {
        *value = arg;
        return HL_CLI_POSITIONAL;
    }
    if (p->passthrough_prefix != NULL &&
        strncmp(arg, p->passthrough_prefix, strlen(p->passthrough_prefix)) == 0) {
        *value = arg;
        return HL_CLI_PASSTHROUGH;
    }
    if (strcmp(arg, "-h") == 0) /* -h is --help wherever there is a --help */
        for (const hl_cli_option *o = p->options; o->name != NULL; o++)
            if (strcmp(o->name, "--help") == 0) {
                *option = o;
                return HL_CLI_OPTION;
            }
    const char *eq = strchr(arg, '=');
    size_t length = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
    for (const hl_cli_option *o = p->options; o->name != NULL; o++) {
        if (strlen(o->name) != length || strncmp(o->name, arg, length) != 0) continue;
        *option = o;
        if (o->metavar == NULL) {
            if (eq != NULL) {
                fail(error, error_size, "%s: %s takes no value", p->command, o->name);
                return HL_CLI_BAD;
            }
            return HL_CLI_OPTION;
        }
        if (eq != NULL) {
            *value = eq + 1;
        } else if (p->index < p->argc) {
            *value = p->argv[p->index++];
        } else {
            fail(error, error_size, "%s: %s needs a value (%s %s)", p->command, o->name, o->name,
                 o->metavar);
            return HL_CLI_BAD;
        }
        return HL_CLI_OPTION;
    }
    char valid[1024], word[HL_CLI_NAME_MAX], hint[1100];
    option_names(p->options, valid, sizeof valid);
    snprintf(word, sizeof word, "%.*s", (int)length, arg);
    hl_cli_hint(word, valid, hint, sizeof hint);
    fail(error, error_size, "%s: unknown option '%.*s' (%s)", p->command, (int)length, arg, hint);
    return HL_CLI_BAD;
}

void hl_cli_print_options(FILE *out, const hl_cli_option *options) {
    for (const hl_cli_option *o = options; o->name != NULL; o++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", o->name, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
        fprintf(out, "  %-28s %s\n", left, o->help);
    }
}

int hl_cli_exit_code(hl_workload_status status) {
    switch (status) {
    case HL_WORKLOAD_OK:
        return HL_EXIT_OK;
    case HL_WORKLOAD_MEMORY_ERROR:
        return HL_EXIT_MEMORY_ERROR;
    case HL_WORKLOAD_RECURSION_ERROR:
        return HL_EXIT_RECURSION_ERROR;
    case HL_WORKLOAD_FAILED:
        return HL_EXIT_FAILURE;
    }
    return HL_EXIT_FAILURE;
}

/* ---- commands whose arguments are results folders ---- */

int hl_cli_parse_folders(const char *command, int argc, char **argv, const char *usage,
                         const char *summary, const char **dirs, size_t want, const char *missing) {
    static const hl_cli_option options[] = {
        {"--help", NULL, "this help"},
        {NULL, NULL, NULL},
    };
    hl_cli_parser parser;
    hl_cli_parser_init(&parser, command, options, argc, argv);
    size_t n = 0;
    char error[HL_CLI_ERROR_SIZE];
    for (;;) {
        const hl_cli_option *option = NULL;
        const char *value = NULL;
        hl_cli_token token = hl_cli_next(&parser, &option, &value, error, sizeof error);
        if (token == HL_CLI_END) break;
        if (token == HL_CLI_BAD) return hl_cli_usage_error("%s", error);
        if (token == HL_CLI_OPTION) {
            printf("usage: %s\n%s\n", usage, summary);
            hl_cli_print_options(stdout, options);
            return -1;
        }
        if (token == HL_CLI_PASSTHROUGH || n == want)
            return hl_cli_usage_error("%s: unexpected argument '%s' (usage: %s)", command, value,
                                      usage);
        dirs[n++] = value;
    }
    if (n != want) return hl_cli_usage_error("%s: %s (usage: %s)", command, missing, usage);
    return HL_EXIT_OK;
}

bool hl_cli_load_results(const char *command, const char *dir, hl_result_row **rows, size_t *count,
                         int *code) {
    char error[HL_CLI_ERROR_SIZE];
    if (hl_report_load_results(dir, rows, count, error, sizeof error)) return true;
    /* a folder that is not a batch is a usage error; an unreadable file is not */
    *code = hl_report_results_unreadable(dir) ? hl_cli_error("%s: %s", command, error)
                                              : hl_cli_usage_error("%s: %s", command, error);
    return false;
}
