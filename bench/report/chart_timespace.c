/* chart_timespace.c: time-space curves (lines.gp), from a batch run with
 * --heap-factors (each configuration at each factor times its minimum heap).
 *
 * A chart per workload, at the largest n its sweep ran: two panels, total time
 * (real_time_ns) and time in the collector (gc_time_ns), against the heap factor; a line
 * per collector, on the main allocator or the collector's own (as the pause charts
 * choose); each panel normalized to its fastest point (the smallest value of any
 * collector at any factor: 1.0 is the best there is), with the 95% intervals divided by
 * the same number as error bars. A point that did not complete (a MemoryError at a
 * factor, a failed check) is a black cross labelled collector:status. The sweep's rows
 * are c->sweep (every row with a heap factor); the other charts see only the rows of one
 * heap setting (plot.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/report/plot_internal.h"

/* The sweep's row of (w, n, allocator, collector) at factor f. */
static const hl_result_row *sweep_row(const hl_plot_ctx *c, const char *w, uint64_t n,
                                      const char *a, const char *col, double f) {
    for (size_t i = 0; i < c->sweep_count; i++) {
        const hl_result_row *r = &c->sweep[i];
        if (r->size == n && r->heap_factor == f && strcmp(r->workload, w) == 0 &&
            strcmp(r->allocator, a) == 0 && strcmp(r->collector, col) == 0)
            return r;
    }
    return NULL;
}

/* The allocator of a collector's line: the main allocator when its sweep ran there. */
static const char *line_allocator(const hl_plot_ctx *c, const char *w, const char *col) {
    const char *first = NULL;
    for (size_t i = 0; i < c->sweep_count; i++) {
        const hl_result_row *r = &c->sweep[i];
        if (strcmp(r->workload, w) != 0 || strcmp(r->collector, col) != 0) continue;
        if (strcmp(r->allocator, c->main_allocator) == 0) return c->main_allocator;
        if (first == NULL) first = r->allocator;
    }
    return first;
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bool draw_one(hl_plot_ctx *c, const char *w) {
    uint64_t n = 0;
    double factors[64];
    size_t nf = 0;
    hl_plot_names lines = {.n = 0};
    for (size_t i = 0; i < c->sweep_count; i++)
        if (strcmp(c->sweep[i].workload, w) == 0 && c->sweep[i].size > n) n = c->sweep[i].size;
    for (size_t i = 0; i < c->sweep_count; i++) {
        const hl_result_row *r = &c->sweep[i];
        if (strcmp(r->workload, w) != 0 || r->size != n) continue;
        bool seen = false;
        for (size_t k = 0; k < nf && !seen; k++)
            seen = factors[k] == r->heap_factor;
        if (!seen && nf < 64) factors[nf++] = r->heap_factor;
        hl_plot_names_add(&lines, r->collector);
    }
    qsort(factors, nf, sizeof factors[0], compare_double);
    /* collectors in registry order, as every chart */
    hl_plot_names ordered = {.n = 0};
    for (size_t k = 0; k < c->collectors.n; k++)
        if (hl_plot_names_index(&lines, c->collectors.v[k]) >= 0)
            hl_plot_names_add(&ordered, c->collectors.v[k]);
    for (size_t k = 0; k < lines.n; k++)
        hl_plot_names_add(&ordered, lines.v[k]);
    const char *figures[2] = {"real_time_ns", "gc_time_ns"};
    double best[2] = {INFINITY, INFINITY}, top[2] = {0, 0};
    for (int p = 0; p < 2; p++) {
        int fig = hl_results_figure_index(figures[p]);
        for (size_t l = 0; l < ordered.n; l++) {
            const char *a = line_allocator(c, w, ordered.v[l]);
            for (size_t k = 0; a && k < nf; k++) {
                const hl_result_row *r = sweep_row(c, w, n, a, ordered.v[l], factors[k]);
                double v = r && hl_plot_row_ok(r) ? hl_results_figure(r, (size_t)fig) : NAN;
                if (isfinite(v) && v > 0 && v < best[p]) best[p] = v;
            }
        }
    }
    char ws[96], stem[128], name[160], title[200];
    hl_plot_slug(ws, sizeof ws, w);
    hl_report_fmt(stem, sizeof stem, "time-space-%s", ws);
    hl_report_fmt(name, sizeof name, "%s.dat", stem);
    FILE *data = hl_plot_open_data(c, name);
    if (data == NULL) return false;
    /* blocks (panel, line) as lines.gp reads them: "factor y low high" */
    for (int p = 0; p < 2; p++) {
        int fig = hl_results_figure_index(figures[p]);
        for (size_t l = 0; l < ordered.n; l++) {
            const char *a = line_allocator(c, w, ordered.v[l]);
            size_t points = 0;
            for (size_t k = 0; a && isfinite(best[p]) && k < nf; k++) {
                const hl_result_row *r = sweep_row(c, w, n, a, ordered.v[l], factors[k]);
                double v = r && hl_plot_row_ok(r) ? hl_results_figure(r, (size_t)fig) : NAN;
                if (!isfinite(v) || v <= 0) continue;
                double lo = v, hi = v;
                hl_plot_interval(r, fig, &lo, &hi);
                fprintf(data, "%.9g %.9g %.9g %.9g\n", factors[k], v / best[p], lo / best[p],
                        hi / best[p]);
                if (hi / best[p] > top[p]) top[p] = hi / best[p];
                points++;
            }
            fputs(points ? "\n\n" : "nan nan nan nan\n\n\n", data);
        }
    }
    fclose(data);
    double ymax = fmax(top[0], top[1]);
    if (!(ymax > 1)) ymax = 2;
    ymax *= 1.1;
    char counts[64] = "";
    size_t total = 0;
    for (int p = 0; p < 2; p++) {
        hl_report_fmt(name, sizeof name, "%s-fails-%d.dat", stem, p + 1);
        FILE *ff = hl_plot_open_data(c, name);
        if (ff == NULL) return false;
        size_t fails = 0;
        for (size_t l = 0; l < ordered.n; l++) {
            const char *a = line_allocator(c, w, ordered.v[l]);
            for (size_t k = 0; a && k < nf; k++) {
                const hl_result_row *r = sweep_row(c, w, n, a, ordered.v[l], factors[k]);
                if (r == NULL || hl_plot_row_ok(r)) continue;
                fprintf(ff, "%.9g %.9g %s:%s\n", factors[k], 1.0 + 0.05 * (double)fails,
                        ordered.v[l], r->status);
                fails++;
            }
        }
        fclose(ff);
        total += fails;
        size_t used = strlen(counts);
        hl_report_fmt(counts + used, sizeof counts - used, "%s%zu", p ? " " : "", fails);
    }
    hl_plot_names panels = {.n = 0};
    hl_plot_names_add(&panels, "total-time");
    hl_plot_names_add(&panels, "time-in-collector");
    hl_report_fmt(title, sizeof title, "Time against heap size: %s, n=%llu", w,
                  (unsigned long long)n);
    hl_report_fmt(name, sizeof name, "data/%s.dat", stem);
    char fails_stem[160];
    hl_report_fmt(fails_stem, sizeof fails_stem, "data/%s-fails", stem);
    int cols, rows;
    hl_plot_grid(2, &cols, &rows);
    hl_plot_vars v = {.len = 0};
    hl_plot_var_str(&v, "title", title);
    hl_plot_var_str(&v, "note", "each panel normalized to its fastest point (1 = the best)");
    hl_plot_var_str(&v, "data", name);
    hl_plot_var_str(&v, "fails", fails_stem);
    hl_plot_var_str(&v, "pfails", counts);
    hl_plot_var_num(&v, "nfails", (double)total);
    hl_plot_var_list(&v, "panels", &panels);
    hl_plot_var_num(&v, "npanels", 2);
    hl_plot_var_list(&v, "lines", &ordered);
    hl_plot_var_num(&v, "nlines", (double)ordered.n);
    hl_plot_var_styles(&v, HL_PLOT_COLLECTOR, &ordered);
    hl_plot_var_refs(&v, c, 0);
    hl_plot_var_num(&v, "cols", cols);
    hl_plot_var_num(&v, "rows", rows);
    hl_plot_var_str(&v, "xlabel", "heap size (x the minimum heap)");
    hl_plot_var_str(&v, "ylabel", "time / the fastest point's");
    hl_plot_var_num(&v, "xmin", factors[0] / 1.1);
    hl_plot_var_num(&v, "xmax", factors[nf - 1] * 1.1);
    /* a log y axis: the two panels share one range, and a collector's time can be tens of
     * times the fastest's while the totals differ by less than two */
    hl_plot_var_num(&v, "ymin", 0.8);
    hl_plot_var_num(&v, "ymax", ymax * 1.2);
    hl_plot_var_num(&v, "logx", 1);
    hl_plot_var_num(&v, "logy", 1);
    hl_plot_var_num(&v, "errorbars", 1);
    char tics[512] = "";
    for (size_t k = 0; k < nf; k++) {
        size_t used = strlen(tics);
        hl_report_fmt(tics + used, sizeof tics - used, "%s%g", k ? ", " : "", factors[k]);
    }
    hl_plot_var_str(&v, "xtics", tics);
    if (!hl_plot_run_gnuplot(c, "lines.gp", &v, stem)) return false;
    hl_plot_add_chart(c, stem, title);
    return true;
}

bool hl_plot_draw_time_space(hl_plot_ctx *c) {
    hl_plot_names workloads = {.n = 0};
    for (size_t i = 0; i < c->sweep_count; i++)
        hl_plot_names_add(&workloads, c->sweep[i].workload);
    for (size_t i = 0; i < workloads.n; i++)
        if (!draw_one(c, workloads.v[i])) return false;
    return true;
}
