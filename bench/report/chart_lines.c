/* chart_lines.c: time-<workload> and rss-<workload>, a figure against n (lines.gp). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/report/plot_internal.h"

/* ---- lines: a figure against n ---------------------------------------------- */

/* One gnuplot data block: "size value low high" for each size whose row is ok and
 * has a positive figure (rows[s] may be NULL: no row at that size); low and high are
 * the figure's 95% interval over the invocations, or the value itself when it has none
 * (the error bar shrinks to nothing). Every size that has a
 * row widens the x range, failed ones included, so their crosses fit. A block with no
 * point holds "nan nan", so the block numbering that the template relies on holds. */
void hl_plot_write_series(FILE *data, const hl_plot_line_chart *lc, const uint64_t *sizes,
                          const hl_result_row *const *rows, size_t count, hl_plot_range *range) {
    size_t written = 0;
    for (size_t s = 0; s < count; s++) {
        const hl_result_row *r = rows[s];
        if (r == NULL) continue;
        if (sizes[s] < range->smin) range->smin = sizes[s];
        if (sizes[s] > range->smax) range->smax = sizes[s];
        double v = hl_results_figure(r, (size_t)lc->figure) / lc->scale;
        if (lc->per_object) v /= (double)sizes[s];
        if (!hl_plot_row_ok(r) || !(v > 0) || !isfinite(v)) continue;
        double lo = v, hi = v;
        if (hl_plot_interval(r, lc->figure, &lo, &hi)) {
            double per = lc->scale * (lc->per_object ? (double)sizes[s] : 1);
            lo = lo / per > 0 ? lo / per : v;
            hi /= per;
        }
        fprintf(data, "%llu %.9g %.9g %.9g\n", (unsigned long long)sizes[s], v, lo, hi);
        written++;
        if (lo < range->lo) range->lo = lo;
        if (hi > range->hi) range->hi = hi;
    }
    if (written == 0) fputs("nan nan nan nan\n", data);
    fputs("\n\n", data);
}

bool hl_plot_draw_lines(hl_plot_ctx *c, const hl_plot_line_chart *lc) {
    char name[192];
    hl_report_fmt(name, sizeof name, "%s.dat", lc->stem);
    FILE *data = hl_plot_open_data(c, name);
    if (data == NULL) return false;
    hl_plot_range range = {INFINITY, 0, UINT64_MAX, 0};
    size_t fail_count[HL_PLOT_MAX_NAMES] = {0};
    /* pass 1: the data blocks and the ranges */
    for (size_t p = 0; p < lc->panels->n; p++)
        for (size_t l = 0; l < lc->lines->n; l++) {
            const char *w = lc->workload ? lc->workload : lc->lines->v[l];
            const char *a = lc->panels_are_collectors
                                ? hl_plot_collector_allocator(c, lc->panels->v[p])
                                : lc->panels->v[p];
            const char *col = lc->panels_are_collectors ? lc->panels->v[p] : lc->lines->v[l];
            uint64_t sizes[64];
            const hl_result_row *rows[64];
            size_t ns = hl_plot_sizes_of(c, w, sizes, 64);
            for (size_t s = 0; s < ns; s++)
                rows[s] = hl_plot_find_row(c, w, sizes[s], a, col);
            hl_plot_write_series(data, lc, sizes, rows, ns, &range);
        }
    /* then one block per reference series (drawn in every panel) */
    size_t nrefs = lc->with_refs ? c->nrefs : 0;
    for (size_t k = 0; k < nrefs; k++) {
        uint64_t sizes[64];
        const hl_result_row *rows[64];
        size_t ns = hl_plot_sizes_of(c, lc->workload, sizes, 64);
        for (size_t s = 0; s < ns; s++)
            rows[s] = hl_plot_find_ref_row(c, lc->workload, sizes[s], &c->refs[k]);
        hl_plot_write_series(data, lc, sizes, rows, ns, &range);
    }
    fclose(data);
    double ymin, ymax;
    hl_plot_log_range(range.lo, range.hi, &ymin, &ymax);
    if (lc->per_object && range.hi > 0 && isfinite(range.lo)) {
        /* the point of the view is the small differences: no widening to a decade */
        ymin = range.lo / 1.5;
        ymax = range.hi * 1.3;
    }
    double fail_y = ymin * pow(ymax / ymin, 0.04);
    /* pass 2: failures, one file per panel */
    size_t total_fails = 0;
    for (size_t p = 0; p < lc->panels->n; p++) {
        hl_report_fmt(name, sizeof name, "%s-fails-%zu.dat", lc->stem, p + 1);
        FILE *fails = hl_plot_open_data(c, name);
        if (fails == NULL) return false;
        for (size_t l = 0; l < lc->lines->n; l++) {
            const char *w = lc->workload ? lc->workload : lc->lines->v[l];
            const char *a = lc->panels_are_collectors
                                ? hl_plot_collector_allocator(c, lc->panels->v[p])
                                : lc->panels->v[p];
            const char *col = lc->panels_are_collectors ? lc->panels->v[p] : lc->lines->v[l];
            for (size_t i = 0; i < c->count; i++) {
                const hl_result_row *r = &c->rows[i];
                if (hl_plot_row_ok(r) || strcmp(r->workload, w) || strcmp(r->allocator, a) ||
                    strcmp(r->collector, col))
                    continue;
                fprintf(fails, "%llu %.9g %s:%s\n", (unsigned long long)r->size, fail_y, col,
                        r->status);
                fail_count[p]++;
                total_fails++;
            }
        }
        /* a failed reference configuration is marked in every panel, as its line is */
        for (size_t i = 0; i < c->count; i++)
            for (size_t k = 0; k < nrefs; k++) {
                const hl_result_row *r = &c->rows[i];
                if (hl_plot_row_ok(r) || strcmp(r->workload, lc->workload) ||
                    !hl_plot_ref_matches(&c->refs[k], r))
                    continue;
                fprintf(fails, "%llu %.9g %s:%s\n", (unsigned long long)r->size, fail_y,
                        c->refs[k].short_, r->status);
                fail_count[p]++;
                total_fails++;
            }
        fclose(fails);
    }
    if (range.smax == 0) range.smin = range.smax = 1;
    hl_plot_vars v = {.len = 0};
    char fails_stem[192], counts[512] = "";
    hl_report_fmt(fails_stem, sizeof fails_stem, "data/%s-fails", lc->stem);
    size_t n = 0;
    for (size_t p = 0; p < lc->panels->n; p++)
        n += (size_t)hl_report_fmt(counts + n, n < sizeof counts ? sizeof counts - n : 0, "%s%zu",
                                   p ? " " : "", fail_count[p]);
    int cols, rows;
    hl_plot_grid(lc->panels->n, &cols, &rows);
    hl_report_fmt(name, sizeof name, "data/%s.dat", lc->stem);
    hl_plot_var_str(&v, "title", lc->title);
    hl_plot_var_str(&v, "note", lc->note);
    hl_plot_var_str(&v, "data", name);
    hl_plot_var_str(&v, "fails", fails_stem);
    hl_plot_var_str(&v, "pfails", counts);
    hl_plot_var_num(&v, "nfails", (double)total_fails);
    hl_plot_var_list(&v, "panels", lc->panels);
    hl_plot_var_num(&v, "npanels", (double)lc->panels->n);
    hl_plot_var_list(&v, "lines", lc->lines);
    hl_plot_var_styles(&v, lc->workload ? HL_PLOT_COLLECTOR : HL_PLOT_OTHER, lc->lines);
    hl_plot_var_num(&v, "nlines", (double)lc->lines->n);
    hl_plot_var_refs(&v, c, nrefs);
    hl_plot_var_num(&v, "cols", cols);
    hl_plot_var_num(&v, "rows", rows);
    hl_plot_var_str(&v, "xlabel", lc->xlabel);
    hl_plot_var_str(&v, "ylabel", lc->ylabel);
    hl_plot_var_num(&v, "xmin", (double)range.smin / (range.smin == range.smax ? 3.0 : 1.6));
    hl_plot_var_num(&v, "xmax", (double)range.smax * (range.smin == range.smax ? 3.0 : 1.6));
    hl_plot_var_num(&v, "ymin", ymin);
    hl_plot_var_num(&v, "ymax", ymax);
    hl_plot_var_num(&v, "logx", 1);
    hl_plot_var_num(&v, "logy", 1);
    hl_plot_var_num(&v, "errorbars", 1);
    if (!hl_plot_run_gnuplot(c, "lines.gp", &v, lc->stem)) return false;
    hl_plot_add_chart(c, lc->stem, lc->title);
    return true;
}
