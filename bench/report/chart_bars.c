/* chart_bars.c: bars-<workload>, time and peak RSS at the largest n (bars.gp). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/report/plot_internal.h"

/* ---- bars at the largest n --------------------------------------------------- */

/* The row of bar chart cell (cluster, bar): clusters are heaplab's collectors, then the
 * reference series; bars are heaplab's allocators, then (with references) one "own
 * allocator" bar that only the reference clusters fill. */
static const hl_result_row *bar_row(const hl_plot_ctx *c, const char *w, uint64_t n, size_t cluster,
                                    size_t bar) {
    size_t nc = c->line_collectors.n, na = c->panel_allocators.n;
    if (cluster < nc)
        return bar < na ? hl_plot_find_row(c, w, n, c->panel_allocators.v[bar],
                                           c->line_collectors.v[cluster])
                        : NULL;
    return bar == na ? hl_plot_find_ref_row(c, w, n, &c->refs[c->bar_refs[cluster - nc]]) : NULL;
}

bool hl_plot_draw_bars(hl_plot_ctx *c, const char *w) {
    uint64_t sizes[64];
    size_t ns = hl_plot_sizes_of(c, w, sizes, 64);
    if (ns == 0) return true;
    uint64_t n = sizes[ns - 1];
    char ws[96], stem[128], name[192], title[160];
    hl_plot_slug(ws, sizeof ws, w);
    hl_report_fmt(stem, sizeof stem, "bars-%s", ws);
    hl_report_fmt(name, sizeof name, "%s.dat", stem);
    FILE *data = hl_plot_open_data(c, name);
    if (data == NULL) return false;
    int figures[2] = {hl_results_figure_index("real_time_ns"),
                      hl_results_figure_index("peak_rss_bytes")};
    double scales[2] = {1e6, HL_PLOT_MIB}, ymax[2] = {0, 0};
    size_t na = c->panel_allocators.n, nc = c->line_collectors.n, nr = c->nbar_refs;
    size_t nbars = na + (nr > 0 ? 1 : 0), nclusters = nc + nr, fails[2] = {0, 0};
    hl_plot_names clusters = c->line_collectors;
    for (size_t k = 0; k < nr; k++)
        if (clusters.n < HL_PLOT_MAX_NAMES)
            clusters.v[clusters.n++] = c->refs[c->bar_refs[k]].short_;
    for (size_t f = 0; f < 2; f++) {
        /* gnuplot refuses a histogram column without a valid point, so a bar series
         * with no value in any cluster gets zero-height bars (its failures still get
         * their marks below) */
        bool column_valid[HL_PLOT_MAX_NAMES + 1] = {false};
        for (size_t col = 0; col < nclusters; col++)
            for (size_t a = 0; a < nbars; a++) {
                const hl_result_row *r = bar_row(c, w, n, col, a);
                if (r && hl_plot_row_ok(r) && isfinite(hl_results_figure(r, (size_t)figures[f])))
                    column_valid[a] = true;
            }
        for (size_t col = 0; col < nclusters; col++) {
            fprintf(data, "%s", clusters.v[col]);
            for (size_t a = 0; a < nbars; a++) {
                const hl_result_row *r = bar_row(c, w, n, col, a);
                double v = r && hl_plot_row_ok(r)
                               ? hl_results_figure(r, (size_t)figures[f]) / scales[f]
                               : NAN;
                if (isfinite(v)) {
                    /* the bar, then its 95% interval (the bar itself when none) */
                    double lo = v, hi = v;
                    if (hl_plot_interval(r, figures[f], &lo, &hi)) {
                        lo /= scales[f];
                        hi /= scales[f];
                    }
                    fprintf(data, " %.9g %.9g %.9g", v, lo, hi);
                    if (hi > ymax[f]) ymax[f] = hi;
                } else {
                    fputs(column_valid[a] ? " nan nan nan" : " 0 0 0", data);
                }
            }
            fputc('\n', data);
        }
        fputs("\n\n", data);
    }
    fclose(data);
    for (size_t f = 0; f < 2; f++) {
        ymax[f] *= 1.15; /* stays 0 when nothing succeeded: pvalid says so */
        double mark_y = (ymax[f] > 0 ? ymax[f] : 1) * 0.03;
        hl_report_fmt(name, sizeof name, "%s-fails-%zu.dat", stem, f + 1);
        FILE *ff = hl_plot_open_data(c, name);
        if (ff == NULL) return false;
        /* a clustered histogram puts cluster k at x = k, bar i at k + (i - (n-1)/2)/(n+gap) */
        for (size_t col = 0; col < nclusters; col++)
            for (size_t a = 0; a < nbars; a++) {
                const hl_result_row *r = bar_row(c, w, n, col, a);
                if (r == NULL || hl_plot_row_ok(r)) continue;
                double x =
                    (double)col + ((double)a - ((double)nbars - 1) / 2) / ((double)nbars + 1);
                fprintf(ff, "%.6g %.6g %s\n", x, mark_y, r->status);
                fails[f]++;
            }
        fclose(ff);
    }
    hl_report_fmt(title, sizeof title, "Time and peak RSS at n = %llu: %s", (unsigned long long)n,
                  w);
    hl_plot_vars v = {.len = 0};
    char counts[64], data_name[200], fails_stem[200];
    hl_report_fmt(counts, sizeof counts, "%zu %zu", fails[0], fails[1]);
    hl_report_fmt(data_name, sizeof data_name, "data/%s.dat", stem);
    hl_report_fmt(fails_stem, sizeof fails_stem, "data/%s-fails", stem);
    hl_plot_var_str(&v, "title", title);
    hl_plot_var_str(&v, "note", "");
    hl_plot_var_str(&v, "data", data_name);
    hl_plot_var_str(&v, "fails", fails_stem);
    hl_plot_var_str(&v, "pfails", counts);
    hl_plot_var_list(&v, "bars", &c->panel_allocators);
    hl_plot_var_styles(&v, HL_PLOT_ALLOCATOR, &c->panel_allocators);
    if (nr > 0)
        hl_plot_var_str(
            &v, "ref_bar_colour",
            hl_plot_style_of(HL_PLOT_ALLOCATOR, c->refs[c->bar_refs[0]].allocator).colour);
    hl_plot_var_num(&v, "nbars", (double)na);
    /* the "own allocator" bar of the reference clusters */
    hl_plot_var_num(&v, "refbar", nr > 0 ? 1 : 0);
    char own[256] = "own (";
    for (size_t k = 0; k < nr; k++) {
        size_t len = strlen(own);
        hl_report_fmt(own + len, sizeof own - len, "%s%s", k ? ", " : "",
                      c->refs[c->bar_refs[k]].allocator);
    }
    strncat(own, ")", sizeof own - strlen(own) - 1);
    hl_plot_var_str(&v, "refbartitle", own);
    char valid[16];
    hl_report_fmt(valid, sizeof valid, "%d %d", ymax[0] > 0 ? 1 : 0, ymax[1] > 0 ? 1 : 0);
    hl_plot_var_str(&v, "pvalid", valid);
    hl_plot_var_list(&v, "clusters", &clusters);
    hl_plot_var_num(&v, "nclusters", (double)nclusters);
    hl_plot_var_num(&v, "ymax1", ymax[0] > 0 ? ymax[0] : 1);
    hl_plot_var_num(&v, "ymax2", ymax[1] > 0 ? ymax[1] : 1);
    if (!hl_plot_run_gnuplot(c, "bars.gp", &v, stem)) return false;
    hl_plot_add_chart(c, stem, title);
    return true;
}
