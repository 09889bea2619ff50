/* chart_leak.c: leak, bytes live at teardown against n (lines.gp). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/report/plot_internal.h"

/* ---- leak ------------------------------------------------------------------- */

bool hl_plot_draw_leak(hl_plot_ctx *c) {
    int fig = hl_results_figure_index("leaked_bytes");
    hl_plot_names leakers = {.n = 0}, leaked_on = {.n = 0};
    for (size_t i = 0; i < c->count; i++) {
        const hl_result_row *r = &c->rows[i];
        double v = hl_results_figure(r, (size_t)fig);
        if (hl_plot_row_ok(r) && v > 0 &&
            strcmp(r->allocator, hl_plot_collector_allocator(c, r->collector)) == 0) {
            hl_plot_names_add(&leakers, r->collector);
            hl_plot_names_add(&leaked_on, r->workload);
        }
    }
    if (leakers.n == 0) return true; /* the report says that nothing leaked */
    hl_plot_line_chart lc = {
        .stem = "leak",
        .title = "Bytes leaked (still live at teardown) against n",
        .note = "",
        .xlabel = "n (objects)",
        .ylabel = "leaked bytes (MiB)",
        .workload = NULL,
        .figure = fig,
        .scale = HL_PLOT_MIB,
        .panels = &leakers,
        .lines = &leaked_on,
        .panels_are_collectors = true,
    };
    return hl_plot_draw_lines(c, &lc);
}
