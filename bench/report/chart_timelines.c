/* chart_timelines.c: timeline-<workload>, live bytes over one run (timeline.gp). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/report/plot_internal.h"

/* ---- timelines -------------------------------------------------------------- */

bool hl_plot_draw_timelines(hl_plot_ctx *c) {
    char path[PATH_MAX + 64];
    hl_report_fmt(path, sizeof path, "%s/timelines/index.csv", c->dir);
    if (access(path, F_OK) != 0) return true; /* a batch without timelines */
    hl_result_row *rows = NULL;
    size_t count = 0;
    if (!hl_results_read_csv(path, &rows, &count, c->error, c->error_size)) return false;
    bool ok = true;
    hl_plot_names done = {.n = 0};
    for (size_t i = 0; i < count && ok; i++) {
        const char *w = rows[i].workload;
        if (hl_plot_names_index(&done, w) >= 0) continue;
        hl_plot_names_add(&done, w);
        char files[2048] = "", legends[1024] = "", failed[512] = "";
        size_t fn = 0, ln = 0, xn = 0, n = 0;
        hl_plot_names drawn = {.n = 0}; /* the lines' collectors, in order */
        for (size_t k = i; k < count; k++) {
            const hl_result_row *r = &rows[k];
            if (strcmp(r->workload, w) != 0) continue;
            char file_slug[256], ws[96], rel[320], abs_path[PATH_MAX + 320];
            hl_plot_slug(ws, sizeof ws, r->workload);
            hl_report_fmt(file_slug, sizeof file_slug, "%s_%llu_%s_%s", ws,
                          (unsigned long long)r->size, r->allocator, r->collector);
            hl_report_fmt(rel, sizeof rel, "../timelines/%s.dat", file_slug);
            hl_report_fmt(abs_path, sizeof abs_path, "%s/timelines/%s.dat", c->dir, file_slug);
            if (!hl_plot_row_ok(r) || access(abs_path, R_OK) != 0) {
                xn += (size_t)hl_report_fmt(
                    failed + xn, xn < sizeof failed ? sizeof failed - xn : 0, "%s%s: %s",
                    xn ? ", " : "", r->collector, hl_plot_row_ok(r) ? "no data" : r->status);
                continue;
            }
            fn += (size_t)hl_report_fmt(files + fn, fn < sizeof files ? sizeof files - fn : 0,
                                        "%s%s", n ? " " : "", rel);
            ln += (size_t)hl_report_fmt(legends + ln, ln < sizeof legends ? sizeof legends - ln : 0,
                                        "%s%s", n ? " " : "", r->collector);
            if (drawn.n < HL_PLOT_MAX_NAMES) drawn.v[drawn.n++] = r->collector;
            n++;
        }
        char ws[96], stem[128], title[160], note[700];
        hl_plot_slug(ws, sizeof ws, w);
        hl_report_fmt(stem, sizeof stem, "timeline-%s", ws);
        hl_report_fmt(title, sizeof title, "Memory over time: %s, n = %llu, allocator %s", w,
                      (unsigned long long)rows[i].size, rows[i].allocator);
        /* what failed is in the report's failures table; the chart says it once */
        hl_report_fmt(note, sizeof note, "%s%s", failed[0] ? "failed: " : "", failed);
        if (n == 0) {
            /* nothing to draw a line from: the report lists the failures */
            continue;
        }
        hl_plot_vars v = {.len = 0};
        hl_plot_var_str(&v, "title", title);
        hl_plot_var_str(&v, "note", note);
        hl_plot_var_str(&v, "files", files);
        hl_plot_var_str(&v, "names", legends);
        hl_plot_var_num(&v, "n", (double)n);
        hl_plot_var_styles(&v, HL_PLOT_COLLECTOR, &drawn);
        ok = hl_plot_run_gnuplot(c, "timeline.gp", &v, stem);
        if (ok) hl_plot_add_chart(c, stem, title);
    }
    free(rows);
    return ok;
}
