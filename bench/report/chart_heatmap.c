/* chart_heatmap.c: summary-time-<family>, the summary heatmap (heatmap.gp).
 *
 * One per workload family (the part of a workload's name before '/': recursion,
 * large_list, cyclic_graph, ...): a row per collector, a column per allocator; the cell
 * is the geometric mean, over the family's configurations (every variant at every
 * size) where both succeeded, of time(allocator, collector) / time(baseline,
 * collector), the baseline being the registry's first allocator (libc). Only heaplab's
 * own configurations (the reference rows are not a choice of allocator). The colour is
 * log2 of the ratio on a diverging scale from Okabe-Ito blue (faster) through white
 * (the same) to vermillion (slower); each cell prints its ratio and how many
 * configurations it is the mean of; a cell with none is grey ("no pair"). Without the
 * baseline allocator in the batch there is nothing to divide by and no heatmap.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/report/plot_internal.h"

/* The family of workload w ("cyclic_graph" of "cyclic_graph/pairs") into out. */
static void family_of(const char *w, char *out, size_t size) {
    const char *slash = strchr(w, '/');
    hl_report_fmt(out, size, "%.*s", (int)(slash ? (size_t)(slash - w) : strlen(w)), w);
}

/* The geomean ratio of (a, col) to (baseline, col) over the family; count pairs. */
static double family_ratio(const hl_plot_ctx *c, const char *family, const char *a, const char *col,
                           int fig, size_t *count) {
    double log_sum = 0;
    *count = 0;
    for (size_t i = 0; i < c->count; i++) {
        const hl_result_row *r = &c->rows[i];
        char f[96];
        family_of(r->workload, f, sizeof f);
        if (strcmp(f, family) || strcmp(r->allocator, a) || strcmp(r->collector, col) ||
            !hl_plot_row_ok(r) || hl_report_is_reference_row(r))
            continue;
        const hl_result_row *base =
            hl_plot_find_row(c, r->workload, r->size, c->main_allocator, col);
        double v = hl_results_figure(r, (size_t)fig);
        double b = base && hl_plot_row_ok(base) ? hl_results_figure(base, (size_t)fig) : NAN;
        if (!(v > 0) || !(b > 0) || !isfinite(v) || !isfinite(b)) continue;
        log_sum += log(v / b);
        (*count)++;
    }
    return *count ? exp(log_sum / (double)*count) : NAN;
}

static bool draw_family(hl_plot_ctx *c, const char *family) {
    int fig = hl_results_figure_index("real_time_ns");
    const hl_plot_names *cols = &c->panel_allocators, *rows = &c->line_collectors;
    char fs[96], stem[128], name[160];
    hl_plot_slug(fs, sizeof fs, family);
    hl_report_fmt(stem, sizeof stem, "summary-time-%s", fs);
    hl_report_fmt(name, sizeof name, "%s.dat", stem);
    FILE *data = hl_plot_open_data(c, name);
    if (data == NULL) return false;
    double span = 1; /* the colour scale's half width in log2 units: at least 0.5x to 2x */
    size_t cells = 0;
    /* block 0: "x y log2ratio" for every cell with a value (the image); block 1: "x y
     * label" for every cell (the text) */
    for (int block = 0; block < 2; block++) {
        for (size_t y = 0; y < rows->n; y++)
            for (size_t x = 0; x < cols->n; x++) {
                size_t count;
                double ratio = family_ratio(c, family, cols->v[x], rows->v[y], fig, &count);
                if (block == 0) {
                    if (!isfinite(ratio)) continue;
                    double l = log2(ratio);
                    if (fabs(l) > span) span = fabs(l);
                    fprintf(data, "%zu %zu %.6g\n", x, y, l);
                    cells++;
                } else if (isfinite(ratio)) {
                    fprintf(data, "%zu %zu \"%.2fx (%zu)\"\n", x, y, ratio, count);
                } else {
                    fprintf(data, "%zu %zu \"no pair\"\n", x, y);
                }
            }
        fputs(block == 0 && cells == 0 ? "nan nan nan\n\n\n" : "\n\n", data);
    }
    fclose(data);
    if (cells == 0) return true; /* nothing of the family ran on the baseline and another */
    if (span > 6) span = 6;      /* 64x either way: beyond that the colour saturates */
    char title[200], data_name[200], ticks[400] = "";
    hl_report_fmt(title, sizeof title, "Time / %s: %s (geomean)", c->main_allocator, family);
    hl_report_fmt(data_name, sizeof data_name, "data/%s", name);
    size_t tn = 0;
    for (int k = -(int)ceil(span); k <= (int)ceil(span); k++)
        tn += (size_t)hl_report_fmt(ticks + tn, tn < sizeof ticks ? sizeof ticks - tn : 0,
                                    "%s\"%gx\" %d", tn ? ", " : "", pow(2, k), k);
    hl_plot_vars v = {.len = 0};
    hl_plot_var_str(&v, "title", title);
    hl_plot_var_str(&v, "data", data_name);
    hl_plot_var_list(&v, "xnames", cols);
    hl_plot_var_num(&v, "nx", (double)cols->n);
    hl_plot_var_list(&v, "ynames", rows);
    hl_plot_var_num(&v, "ny", (double)rows->n);
    hl_plot_var_num(&v, "span", span);
    hl_plot_var_str(&v, "cbticks", ticks);
    if (!hl_plot_run_gnuplot(c, "heatmap.gp", &v, stem)) return false;
    hl_plot_add_chart(c, stem, title);
    return true;
}

bool hl_plot_draw_heatmaps(hl_plot_ctx *c) {
    if (hl_plot_names_index(&c->allocators, hl_report_baseline_allocator()) < 0) return true;
    hl_plot_names done = {.n = 0};
    char families[HL_PLOT_MAX_NAMES][96];
    for (size_t w = 0; w < c->workloads.n; w++) {
        if (done.n == HL_PLOT_MAX_NAMES) break;
        family_of(c->workloads.v[w], families[done.n], sizeof families[0]);
        if (hl_plot_names_index(&done, families[done.n]) >= 0) continue;
        done.v[done.n] = families[done.n];
        done.n++;
    }
    for (size_t f = 0; f < done.n; f++)
        if (!draw_family(c, done.v[f])) return false;
    return true;
}
