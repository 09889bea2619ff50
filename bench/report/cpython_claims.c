/* report.html's "CPython's collectors" table: what each CPython issue reported, and what
 * heaplab's models of those versions show on the same shape (issue 14).
 *
 * The claims are data, docs/cpython_claims.csv in the source tree (found as the chart
 * templates are, through HEAPLAB_SOURCE_DIR): the issue, what it reported in words, the
 * direction and factor it reported, and heaplab's comparison of the same shape: a
 * workload, a figure, an allocator and two collectors (the version before and the one
 * that regressed). For each claim whose two rows the batch has (heaplab's rows, no heap
 * budget, status ok, the largest n both ran at), the table gives the candidate / baseline
 * ratio of the figure as a direction ("more memory", "less time", "fewer collections";
 * "the same" within 2%) and a factor (at least 1), and whether it points the way the issue did. A batch without
 * any such pair (anything but the cpython preset, usually) gets no table. Nothing here
 * names a collector: the file does.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/report/report.h"

#ifndef HEAPLAB_SOURCE_DIR
#define HEAPLAB_SOURCE_DIR "."
#endif

#define CLAIM_FIELDS 9

/* Split one CSV line (RFC 4180 quotes, no line breaks inside) into at most `max`
 * fields, in place. */
static size_t split_csv(char *line, char **fields, size_t max) {
    size_t n = 0;
    char *p = line;
    while (n < max) {
        char *out = p;
        fields[n++] = p;
        if (*p == '"') {
            p++;
            while (*p) {
                if (p[0] == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            while (*p && *p != ',')
                p++;
        } else {
            while (*p && *p != ',')
                *out++ = *p++;
        }
        bool more = *p == ',';
        *out = '\0';
        if (!more) break;
        p++;
    }
    return n;
}

static const hl_result_row *find(const hl_result_row *rows, size_t count, const char *w,
                                 uint64_t n, const char *a, const char *col) {
    for (size_t i = 0; i < count; i++) {
        const hl_result_row *r = &rows[i];
        if (r->size == n && r->heap_factor == 0 && strcmp(r->runtime, "heaplab") == 0 &&
            strcmp(r->workload, w) == 0 && strcmp(r->allocator, a) == 0 &&
            strcmp(r->collector, col) == 0 && strcmp(r->status, HL_STATUS_OK) == 0)
            return r;
    }
    return NULL;
}

/* The noun of a figure's direction: "time", "memory", "collections", "pauses". */
static const char *noun(const char *figure) {
    if (strstr(figure, "bytes") != NULL) return "memory";
    if (strcmp(figure, "gc_collections") == 0) return "collections";
    if (strstr(figure, "pause") != NULL) return "pause time";
    return "time";
}

static void direction(const char *figure, double ratio, char *out, size_t size) {
    const char *what = noun(figure);
    bool counted = strcmp(what, "collections") == 0;
    /* within 2% is no direction: the models' memory figures are exact, their times are
     * medians on a noisy machine, and a 1.00x is no regression either way */
    if (fabs(ratio - 1) < 0.02)
        hl_report_fmt(out, size, "the same %s", what);
    else if (ratio > 1)
        hl_report_fmt(out, size, "more %s", what);
    else if (ratio < 1)
        hl_report_fmt(out, size, "%s %s", counted ? "fewer" : "less", what);
    else
        hl_report_fmt(out, size, "the same %s", what);
}

bool hl_report_write_claims(FILE *out, const hl_result_row *rows, size_t count) {
    char path[4096];
    hl_report_fmt(path, sizeof path, "%s/docs/cpython_claims.csv", HEAPLAB_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    if (f == NULL) return true; /* no source tree: no table */
    char line[2048];
    bool header = fgets(line, sizeof line, f) != NULL;
    bool started = false;
    while (header && fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *c[CLAIM_FIELDS];
        if (split_csv(line, c, CLAIM_FIELDS) != CLAIM_FIELDS) continue;
        int figure = hl_results_figure_index(c[5]);
        if (figure < 0) continue;
        /* the largest n both collectors ran at */
        uint64_t n = 0;
        for (size_t i = 0; i < count; i++)
            if (rows[i].size > n && find(rows, count, c[4], rows[i].size, c[6], c[7]) &&
                find(rows, count, c[4], rows[i].size, c[6], c[8]))
                n = rows[i].size;
        if (n == 0) continue;
        double base = hl_results_figure(find(rows, count, c[4], n, c[6], c[7]), (size_t)figure);
        double cand = hl_results_figure(find(rows, count, c[4], n, c[6], c[8]), (size_t)figure);
        if (!started) {
            fputs("<h2 id=\"cpython\">CPython's collectors: the regressions, modelled</h2>\n"
                  "<div class=\"caption\" data-section=\"cpython\">",
                  out);
            hl_report_write_caption_html(out, "cpython");
            fputs("</div>\n<table class=\"claims\">\n<tr><th>issue</th><th>reported</th>"
                  "<th>direction, factor</th><th>heaplab's shape</th><th>figure</th>"
                  "<th>baseline</th><th>candidate</th><th>heaplab: direction, factor</th>"
                  "<th>agrees</th></tr>\n",
                  out);
            started = true;
        }
        char shape[160], model[96];
        hl_report_fmt(shape, sizeof shape, "%s n=%llu on %s", c[4], (unsigned long long)n, c[6]);
        double ratio = base > 0 ? cand / base : (cand > 0 ? INFINITY : 1);
        direction(c[5], ratio, model, sizeof model);
        double factor = ratio >= 1 ? ratio : 1 / ratio;
        bool agrees = strcmp(model, c[2]) == 0;
        const char *cells[] = {c[0], c[1], NULL, shape, c[5], c[7], c[8]};
        fputs("<tr>", out);
        for (size_t k = 0; k < 7; k++) {
            fputs("<td>", out);
            if (k == 2) {
                hl_report_write_html_text(out, c[2]);
                if (c[3][0] != '\0') {
                    fputs(", ", out);
                    hl_report_write_html_text(out, c[3]);
                    fputs("x", out);
                }
            } else {
                hl_report_write_html_text(out, cells[k]);
            }
            fputs("</td>", out);
        }
        fputs("<td>", out);
        hl_report_write_html_text(out, model);
        if (isfinite(factor)) fprintf(out, ", %.2fx", factor);
        fprintf(out, " (%.4g / %.4g)</td><td class=\"%s\">%s</td></tr>\n", cand, base,
                agrees ? "ok" : "failed", agrees ? "yes" : "no");
    }
    fclose(f);
    if (started) fputs("</table>\n", out);
    return !ferror(out);
}
