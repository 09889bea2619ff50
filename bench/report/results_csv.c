/* heaplab results as CSV rows (bench/report/results.h).
 *
 * CSV: RFC 4180 quoting (a field is quoted when it holds a comma, a quote, a line
 * break or leading/trailing blanks). A figure that was not measured (NaN) is an
 * empty field; the reader maps columns by header name, so a file whose columns come
 * in another order, or lack some figures (reference rows), still reads.
 */
#include "bench/report/results.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- CSV -------------------------------------------------------------------- */

static void csv_field(FILE *out, const char *s) {
    bool quote =
        s[0] == ' ' || (s[0] != '\0' && s[strlen(s) - 1] == ' ') || strpbrk(s, ",\"\n\r") != NULL;
    if (!quote) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"') fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

static void csv_number(FILE *out, double v) {
    if (isfinite(v)) fprintf(out, "%.15g", v);
}

#define HL_CSV_IDENTITY "runtime,workload,size,allocator,collector,heap_factor,heap_limit_bytes,repetitions"
#define HL_CSV_TAIL "real_time_ns_stddev,peak_rss_bytes_stddev,status,error,host"

void hl_results_write_csv_header(FILE *out) {
    fputs(HL_CSV_IDENTITY, out);
    for (size_t f = 0; f < hl_results_figure_count(); f++)
        fprintf(out, ",%s", hl_results_figure_name(f));
    for (size_t i = 0; i < hl_results_interval_count(); i++) {
        const char *name = hl_results_figure_name(hl_results_interval_figure(i));
        fprintf(out, ",%s_ci_low,%s_ci_high", name, name);
    }
    fputs("," HL_CSV_TAIL "\n", out);
}

void hl_results_write_csv_row(FILE *out, const hl_result_row *row) {
    csv_field(out, row->runtime[0] ? row->runtime : "heaplab");
    fputc(',', out);
    csv_field(out, row->workload);
    fprintf(out, ",%llu,", (unsigned long long)row->size);
    csv_field(out, row->allocator);
    fputc(',', out);
    csv_field(out, row->collector);
    fputc(',', out);
    if (row->heap_factor > 0) fprintf(out, "%g", row->heap_factor);
    fputc(',', out);
    if (row->heap_limit > 0) fprintf(out, "%llu", (unsigned long long)row->heap_limit);
    fprintf(out, ",%d", row->repetitions);
    for (size_t f = 0; f < hl_results_figure_count(); f++) {
        fputc(',', out);
        csv_number(out, hl_results_figure(row, f));
    }
    for (size_t i = 0; i < hl_results_interval_count(); i++) {
        fputc(',', out);
        csv_number(out, row->ci_low[i]);
        fputc(',', out);
        csv_number(out, row->ci_high[i]);
    }
    fputc(',', out);
    csv_number(out, row->real_time_ns_stddev);
    fputc(',', out);
    csv_number(out, row->peak_rss_bytes_stddev);
    fputc(',', out);
    csv_field(out, row->status[0] ? row->status : HL_STATUS_OK);
    fputc(',', out);
    csv_field(out, row->error);
    fputc(',', out);
    csv_field(out, row->host);
    fputc('\n', out);
}

/* The whole file in memory (results files are small: one line per configuration). */
static char *slurp(const char *path, size_t *size, char *error, size_t error_size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(error, error_size, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1) break;
        char *bigger = realloc(buf, cap * 2);
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int read_errno = ferror(f) != 0 ? errno : 0; /* EISDIR for a folder, EIO, ... */
    bool bad = ferror(f) != 0;
    fclose(f);
    if (buf == NULL || bad) {
        snprintf(error, error_size, "cannot read %s: %s", path,
                 buf == NULL ? "out of memory"
                             : (read_errno != 0 ? strerror(read_errno) : "read error"));
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *size = n;
    return buf;
}

/* Split one CSV record starting at *pos in place: fields are NUL-terminated inside
 * buf (unquoted). Returns the number of fields (at most max), advances *pos past the
 * record's line break; 0 at the end of the buffer. */
static size_t csv_record(char *buf, size_t size, size_t *pos, char **fields, size_t max) {
    size_t i = *pos, count = 0;
    if (i >= size) return 0;
    for (;;) {
        char *w = buf + i, *start = w;
        if (buf[i] == '"') {
            i++;
            for (;;) {
                if (i >= size) break;
                if (buf[i] == '"') {
                    if (i + 1 < size && buf[i + 1] == '"') {
                        *w++ = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                *w++ = buf[i++];
            }
            while (i < size && buf[i] != ',' && buf[i] != '\n' && buf[i] != '\r')
                i++;
        } else {
            while (i < size && buf[i] != ',' && buf[i] != '\n' && buf[i] != '\r')
                *w++ = buf[i++];
        }
        char sep = i < size ? buf[i] : '\n';
        *w = '\0';
        if (count < max) fields[count] = start;
        count++;
        i++;
        if (sep == '\r' && i < size && buf[i] == '\n') i++;
        if (sep != ',') break;
    }
    *pos = i;
    return count < max ? count : max;
}

static void copy_text(char *dst, size_t size, const char *src) {
    snprintf(dst, size, "%s", src);
}

enum { COL_NONE = -1 };
#define HL_CSV_MAX_COLUMNS 64

bool hl_results_read_csv(const char *path, hl_result_row **rows, size_t *count, char *error,
                         size_t error_size) {
    *rows = NULL;
    *count = 0;
    size_t size;
    char *buf = slurp(path, &size, error, error_size);
    if (buf == NULL) return false;

    size_t pos = 0;
    char *header[HL_CSV_MAX_COLUMNS];
    size_t columns = csv_record(buf, size, &pos, header, HL_CSV_MAX_COLUMNS);
    /* Column index of each thing we read, COL_NONE when the file lacks it. */
    int col_runtime = COL_NONE, col_workload = COL_NONE, col_size = COL_NONE,
        col_allocator = COL_NONE, col_collector = COL_NONE, col_reps = COL_NONE,
        col_factor = COL_NONE, col_limit = COL_NONE,
        col_status = COL_NONE, col_error = COL_NONE, col_host = COL_NONE, col_rt_sd = COL_NONE, col_rss_sd = COL_NONE;
    int col_figure[hl_results_figure_count()];
    for (size_t f = 0; f < hl_results_figure_count(); f++)
        col_figure[f] = COL_NONE;
    int col_low[HL_RESULT_INTERVAL_COUNT], col_high[HL_RESULT_INTERVAL_COUNT];
    for (size_t k = 0; k < HL_RESULT_INTERVAL_COUNT; k++)
        col_low[k] = col_high[k] = COL_NONE;
    for (size_t c = 0; c < columns; c++) {
        const char *h = header[c];
        int ci = (int)c;
        if (strcmp(h, "runtime") == 0)
            col_runtime = ci;
        else if (strcmp(h, "workload") == 0)
            col_workload = ci;
        else if (strcmp(h, "size") == 0)
            col_size = ci;
        else if (strcmp(h, "allocator") == 0)
            col_allocator = ci;
        else if (strcmp(h, "collector") == 0)
            col_collector = ci;
        else if (strcmp(h, "repetitions") == 0)
            col_reps = ci;
        else if (strcmp(h, "heap_factor") == 0)
            col_factor = ci;
        else if (strcmp(h, "heap_limit_bytes") == 0)
            col_limit = ci;
        else if (strcmp(h, "status") == 0)
            col_status = ci;
        else if (strcmp(h, "error") == 0)
            col_error = ci;
        else if (strcmp(h, "host") == 0)
            col_host = ci;
        else if (strcmp(h, "real_time_ns_stddev") == 0)
            col_rt_sd = ci;
        else if (strcmp(h, "peak_rss_bytes_stddev") == 0)
            col_rss_sd = ci;
        else {
            for (size_t f = 0; f < hl_results_figure_count(); f++)
                if (strcmp(h, hl_results_figure_name(f)) == 0) col_figure[f] = ci;
            for (size_t i = 0; i < hl_results_interval_count(); i++) {
                const char *name = hl_results_figure_name(hl_results_interval_figure(i));
                size_t len = strlen(name);
                if (strncmp(h, name, len) == 0 && strcmp(h + len, "_ci_low") == 0) col_low[i] = ci;
                if (strncmp(h, name, len) == 0 && strcmp(h + len, "_ci_high") == 0)
                    col_high[i] = ci;
            }
        }
    }
    if (col_workload == COL_NONE || col_size == COL_NONE || col_allocator == COL_NONE ||
        col_collector == COL_NONE || col_status == COL_NONE) {
        snprintf(error, error_size,
                 "%s is not a heaplab results file (its header lacks workload, size, "
                 "allocator, collector or status)",
                 path);
        free(buf);
        return false;
    }

    size_t cap = 16, n = 0;
    hl_result_row *out = malloc(cap * sizeof *out);
    bool ok = out != NULL;
    if (!ok) snprintf(error, error_size, "out of memory reading %s", path);
    size_t line = 1;
    while (ok && pos < size) {
        char *fields[HL_CSV_MAX_COLUMNS];
        size_t got = csv_record(buf, size, &pos, fields, HL_CSV_MAX_COLUMNS);
        line++;
        if (got == 1 && fields[0][0] == '\0') continue; /* blank line */
        if (got != columns) {
            snprintf(error, error_size, "%s:%zu: %zu fields, the header has %zu", path, line, got,
                     columns);
            ok = false;
            break;
        }
        if (n == cap) {
            hl_result_row *bigger = realloc(out, 2 * cap * sizeof *out);
            if (bigger == NULL) {
                snprintf(error, error_size, "out of memory reading %s", path);
                ok = false;
                break;
            }
            out = bigger;
            cap *= 2;
        }
        hl_result_row *row = &out[n];
        memset(row, 0, sizeof *row);
        copy_text(row->runtime, sizeof row->runtime,
                  col_runtime != COL_NONE ? fields[col_runtime] : "heaplab");
        copy_text(row->workload, sizeof row->workload, fields[col_workload]);
        copy_text(row->allocator, sizeof row->allocator, fields[col_allocator]);
        copy_text(row->collector, sizeof row->collector, fields[col_collector]);
        copy_text(row->status, sizeof row->status, fields[col_status]);
        if (col_error != COL_NONE) copy_text(row->error, sizeof row->error, fields[col_error]);
        if (col_host != COL_NONE) copy_text(row->host, sizeof row->host, fields[col_host]);
        char *end;
        errno = 0;
        unsigned long long sz = strtoull(fields[col_size], &end, 10);
        if (end == fields[col_size] || *end != '\0' || errno != 0 || row->workload[0] == '\0' ||
            row->status[0] == '\0') {
            snprintf(error, error_size, "%s:%zu: malformed row", path, line);
            ok = false;
            break;
        }
        row->size = sz;
        if (col_factor != COL_NONE && fields[col_factor][0] != '\0') {
            row->heap_factor = strtod(fields[col_factor], &end);
            if (*end != '\0' || !(row->heap_factor > 0) || !isfinite(row->heap_factor)) {
                snprintf(error, error_size, "%s:%zu: heap_factor is not a positive number", path,
                         line);
                ok = false;
                break;
            }
        }
        if (col_limit != COL_NONE && fields[col_limit][0] != '\0') {
            errno = 0;
            row->heap_limit = strtoull(fields[col_limit], &end, 10);
            if (*end != '\0' || errno != 0 || fields[col_limit][0] == '-') {
                snprintf(error, error_size, "%s:%zu: heap_limit_bytes is not a byte count", path,
                         line);
                ok = false;
                break;
            }
        }
        row->repetitions = col_reps != COL_NONE ? atoi(fields[col_reps]) : 1;
        for (size_t f = 0; f < hl_results_figure_count(); f++) {
            double v = NAN;
            if (col_figure[f] != COL_NONE && fields[col_figure[f]][0] != '\0') {
                v = strtod(fields[col_figure[f]], &end);
                if (*end != '\0') {
                    snprintf(error, error_size, "%s:%zu: %s is not a number", path, line,
                             hl_results_figure_name(f));
                    ok = false;
                    break;
                }
            }
            *hl_results_figure_slot(row, f) = v;
        }
        row->real_time_ns_stddev = NAN;
        row->peak_rss_bytes_stddev = NAN;
        if (col_rt_sd != COL_NONE && fields[col_rt_sd][0])
            row->real_time_ns_stddev = strtod(fields[col_rt_sd], NULL);
        if (col_rss_sd != COL_NONE && fields[col_rss_sd][0])
            row->peak_rss_bytes_stddev = strtod(fields[col_rss_sd], NULL);
        for (size_t i = 0; i < HL_RESULT_INTERVAL_COUNT; i++) {
            row->ci_low[i] = row->ci_high[i] = NAN;
            if (col_low[i] != COL_NONE && fields[col_low[i]][0])
                row->ci_low[i] = strtod(fields[col_low[i]], NULL);
            if (col_high[i] != COL_NONE && fields[col_high[i]][0])
                row->ci_high[i] = strtod(fields[col_high[i]], NULL);
        }
        if (ok) n++;
    }
    free(buf);
    if (!ok) {
        free(out);
        return false;
    }
    *rows = out;
    *count = n;
    return true;
}
