/* chart_pauses.c: pauses, p50/p99/max collector pause per collector (pauses.gp). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/report/plot_internal.h"

/* ---- pauses ----------------------------------------------------------------- */

bool hl_plot_draw_pauses(hl_plot_ctx *c) {
    const char *stem = "pauses";
    FILE *data = hl_plot_open_data(c, "pauses.dat");
    if (data == NULL) return false;
    int f50 = hl_results_figure_index("gc_pause_p50_ns"),
        f99 = hl_results_figure_index("gc_pause_p99_ns"),
        fmax = hl_results_figure_index("gc_pause_max_ns");
    double lo = INFINITY, hi = 0;
    char pnote[256] = "", counts[256] = "";
    size_t pn = 0, cn = 0, fails[HL_PLOT_MAX_NAMES] = {0};
    for (size_t col = 0; col < c->collectors.n; col++) {
        bool any = false;
        for (size_t wi = 0; wi < c->workloads.n; wi++) {
            const char *w = c->workloads.v[wi];
            uint64_t sizes[64];
            size_t ns = hl_plot_sizes_of(c, w, sizes, 64);
            const hl_result_row *r =
                ns ? hl_plot_find_row(c, w, sizes[ns - 1],
                                      hl_plot_collector_allocator(c, c->collectors.v[col]),
                                      c->collectors.v[col])
                   : NULL;
            fprintf(data, "%s", w);
            int figs[3] = {f50, f99, fmax};
            for (size_t k = 0; k < 3; k++) {
                double v =
                    r && hl_plot_row_ok(r) ? hl_results_figure(r, (size_t)figs[k]) / 1e6 : NAN;
                if (v > 0 && isfinite(v)) {
                    fprintf(data, " %.9g", v);
                    any = true;
                    if (v < lo) lo = v;
                    if (v > hi) hi = v;
                } else {
                    fputs(" nan", data);
                }
            }
            fputc('\n', data);
        }
        fputs("\n\n", data);
        pn += (size_t)hl_report_fmt(pnote + pn, pn < sizeof pnote ? sizeof pnote - pn : 0, "%s%d",
                                    col ? " " : "", any ? 0 : 1);
    }
    fclose(data);
    double ymin, ymax;
    hl_plot_log_range(lo, hi, &ymin, &ymax);
    for (size_t col = 0; col < c->collectors.n; col++) {
        char name[96];
        hl_report_fmt(name, sizeof name, "pauses-fails-%zu.dat", col + 1);
        FILE *ff = hl_plot_open_data(c, name);
        if (ff == NULL) return false;
        for (size_t wi = 0; wi < c->workloads.n; wi++) {
            uint64_t sizes[64];
            size_t ns = hl_plot_sizes_of(c, c->workloads.v[wi], sizes, 64);
            const hl_result_row *r =
                ns ? hl_plot_find_row(c, c->workloads.v[wi], sizes[ns - 1],
                                      hl_plot_collector_allocator(c, c->collectors.v[col]),
                                      c->collectors.v[col])
                   : NULL;
            if (r == NULL || hl_plot_row_ok(r)) continue;
            fprintf(ff, "%zu %.6g %s\n", wi, ymin * pow(ymax / ymin, 0.04), r->status);
            fails[col]++;
        }
        fclose(ff);
        cn += (size_t)hl_report_fmt(counts + cn, cn < sizeof counts ? sizeof counts - cn : 0,
                                    "%s%zu", col ? " " : "", fails[col]);
    }
    int cols, rows;
    /* no legend cell here: the legend is one line under the panels */
    cols = c->collectors.n < 3 ? (int)c->collectors.n : c->collectors.n == 4 ? 2 : 3;
    rows = (int)((c->collectors.n + (size_t)cols - 1) / (size_t)cols);
    char title[160], note[200];
    hl_report_fmt(title, sizeof title, "Collector pauses: p50, p99 and max");
    hl_report_fmt(note, sizeof note,
                  "each workload at its largest n, allocator %s (or the collector's own)",
                  c->main_allocator);
    hl_plot_vars v = {.len = 0};
    hl_plot_var_str(&v, "title", title);
    hl_plot_var_str(&v, "note", note);
    hl_plot_var_str(&v, "data", "data/pauses.dat");
    hl_plot_var_str(&v, "fails", "data/pauses-fails");
    hl_plot_var_str(&v, "pfails", counts);
    hl_plot_var_str(&v, "pnote", pnote);
    hl_plot_var_list(&v, "panels", &c->collectors);
    hl_plot_var_num(&v, "npanels", (double)c->collectors.n);
    hl_plot_var_num(&v, "cols", cols);
    hl_plot_var_num(&v, "rows", rows);
    hl_plot_var_num(&v, "ymin", ymin);
    hl_plot_var_num(&v, "ymax", ymax);
    if (!hl_plot_run_gnuplot(c, "pauses.gp", &v, stem)) return false;
    hl_plot_add_chart(c, stem, title);
    return true;
}
