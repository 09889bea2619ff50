/* chart_pauses.c: pauses, the distribution of collector pauses as a CDF (lines.gp).
 *
 * A panel per workload at its largest n, a line per collector (on the main allocator,
 * or the collector's own): the fraction of the program's pauses that are at most x ms,
 * x on a log axis. The pauses are every invocation's, pooled: the batch runs each
 * invocation with `--pauses runs/<slug>.i<k>.pauses.csv` (heaplab run's CSV, the
 * CPython script writes the same: call,iteration,start_ns,duration_ns,kind,phase) and
 * only rows whose phase is "program" count (the reclaim step's collection is not a
 * pause of the program, docs/cli.md). A collector that paused nowhere (refcount) has
 * no line; a configuration that failed is a black cross labelled collector:status. A
 * batch without pause logs (older than them) gets no pause chart.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/report/plot_internal.h"

/* points written per CDF line: enough for the eye, few enough for the SVG */
#define CDF_POINTS 400

typedef struct pause_set {
    double *ms;
    size_t n, cap;
} pause_set;

static bool pause_add(pause_set *s, double ms) {
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        double *grown = realloc(s->ms, cap * sizeof *grown);
        if (grown == NULL) return false;
        s->ms = grown;
        s->cap = cap;
    }
    s->ms[s->n++] = ms;
    return true;
}

/* A pause log's row: the program's pauses (not the reclaim step's, not the clock rows)
 * join the set. */
static bool program_pause(void *data, const char *phase, double start_ns, double duration_ns) {
    (void)start_ns;
    return strcmp(phase, "program") != 0 || duration_ns <= 0 ||
           pause_add(data, duration_ns / 1e6);
}

/* Append the program's pauses of one pause log to s (hl_plot_read_pause_log). */
static bool read_pause_log(hl_plot_ctx *c, const char *path, pause_set *s) {
    bool found;
    return hl_plot_read_pause_log(c, path, &found, program_pause, s);
}

/* Every program pause of row r, over its invocations. */
static bool row_pauses(hl_plot_ctx *c, const hl_result_row *r, pause_set *s) {
    char slug[300];
    hl_results_row_slug(r, slug, sizeof slug);
    int invocations = r->repetitions > 0 ? r->repetitions : 1;
    for (int k = 0; k < invocations; k++) {
        char path[PATH_MAX + 512];
        hl_report_fmt(path, sizeof path, "%s/runs/%s.i%d.pauses.csv", c->dir, slug, k);
        if (!read_pause_log(c, path, s)) return false;
    }
    return true;
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The row of (workload, collector) this chart shows: the largest n, the collector's
 * allocator. */
static const hl_result_row *pause_row(const hl_plot_ctx *c, const char *w, const char *col) {
    uint64_t sizes[64];
    size_t ns = hl_plot_sizes_of(c, w, sizes, 64);
    return ns ? hl_plot_find_row(c, w, sizes[ns - 1], hl_plot_collector_allocator(c, col), col)
              : NULL;
}

bool hl_plot_draw_pauses(hl_plot_ctx *c) {
    const char *stem = "pauses";
    size_t nw = c->workloads.n, nc = c->collectors.n;
    pause_set *sets = calloc(nw * nc + 1, sizeof *sets);
    if (sets == NULL) {
        hl_report_fmt(c->error, c->error_size, "out of memory drawing the pause chart");
        return false;
    }
    bool ok = true;
    double lo = INFINITY, hi = 0;
    hl_plot_names lines = {.n = 0}; /* the collectors that paused somewhere */
    for (size_t col = 0; col < nc && ok; col++)
        for (size_t wi = 0; wi < nw && ok; wi++) {
            const hl_result_row *r = pause_row(c, c->workloads.v[wi], c->collectors.v[col]);
            pause_set *s = &sets[wi * nc + col];
            if (r == NULL || !hl_plot_row_ok(r)) continue;
            ok = row_pauses(c, r, s);
            if (!ok || s->n == 0) continue;
            qsort(s->ms, s->n, sizeof *s->ms, compare_double);
            if (s->ms[0] < lo) lo = s->ms[0];
            if (s->ms[s->n - 1] > hi) hi = s->ms[s->n - 1];
            hl_plot_names_add(&lines, c->collectors.v[col]);
        }
    FILE *data = ok && lines.n ? hl_plot_open_data(c, "pauses.dat") : NULL;
    ok = ok && (lines.n == 0 || data != NULL);
    /* blocks: (panel = workload, line = collector that paused), as lines.gp reads them */
    for (size_t wi = 0; data && wi < nw; wi++)
        for (size_t l = 0; l < lines.n; l++) {
            const pause_set *s =
                &sets[wi * nc + (size_t)hl_plot_names_index(&c->collectors, lines.v[l])];
            size_t step = s->n > CDF_POINTS ? (s->n + CDF_POINTS - 1) / CDF_POINTS : 1;
            for (size_t i = 0; i < s->n; i++)
                if (i % step == 0 || i + 1 == s->n)
                    fprintf(data, "%.9g %.9g\n", s->ms[i], (double)(i + 1) / (double)s->n);
            fputs(s->n ? "\n\n" : "nan nan\n\n\n", data);
        }
    if (data) fclose(data);
    for (size_t i = 0; i < nw * nc; i++)
        free(sets[i].ms);
    free(sets);
    if (!ok || lines.n == 0) return ok; /* no pause anywhere: no chart */

    double xmin = lo / 2, xmax = hi * 2;
    if (hi / lo < 10) {
        xmin = sqrt(lo * hi) / 8;
        xmax = sqrt(lo * hi) * 8;
    }
    char counts[512] = "";
    size_t cn = 0, total = 0;
    for (size_t wi = 0; wi < nw; wi++) {
        char name[96];
        hl_report_fmt(name, sizeof name, "pauses-fails-%zu.dat", wi + 1);
        FILE *ff = hl_plot_open_data(c, name);
        if (ff == NULL) return false;
        size_t fails = 0;
        for (size_t col = 0; col < nc; col++) {
            const hl_result_row *r = pause_row(c, c->workloads.v[wi], c->collectors.v[col]);
            if (r == NULL || hl_plot_row_ok(r)) continue;
            fprintf(ff, "%.9g %.3g %s:%s\n", xmin * pow(xmax / xmin, 0.05 + 0.1 * (double)fails),
                    0.05, c->collectors.v[col], r->status);
            fails++;
        }
        fclose(ff);
        total += fails;
        cn += (size_t)hl_report_fmt(counts + cn, cn < sizeof counts ? sizeof counts - cn : 0,
                                    "%s%zu", wi ? " " : "", fails);
    }
    int cols, rows;
    hl_plot_grid(nw, &cols, &rows);
    const char *title = "Collector pauses: the share of pauses up to a duration";
    hl_plot_vars v = {.len = 0};
    hl_plot_var_str(&v, "title", title);
    hl_plot_var_str(&v, "note", "");
    hl_plot_var_str(&v, "data", "data/pauses.dat");
    hl_plot_var_str(&v, "fails", "data/pauses-fails");
    hl_plot_var_str(&v, "pfails", counts);
    hl_plot_var_num(&v, "nfails", (double)total);
    hl_plot_var_list(&v, "panels", &c->workloads);
    hl_plot_var_num(&v, "npanels", (double)nw);
    hl_plot_var_list(&v, "lines", &lines);
    hl_plot_var_num(&v, "nlines", (double)lines.n);
    hl_plot_var_styles(&v, HL_PLOT_COLLECTOR, &lines);
    hl_plot_var_refs(&v, c, 0);
    hl_plot_var_num(&v, "cols", cols);
    hl_plot_var_num(&v, "rows", rows);
    hl_plot_var_str(&v, "xlabel", "pause (ms)");
    hl_plot_var_str(&v, "ylabel", "share of pauses at most x");
    hl_plot_var_num(&v, "xmin", xmin);
    hl_plot_var_num(&v, "xmax", xmax);
    hl_plot_var_num(&v, "ymin", 0);
    hl_plot_var_num(&v, "ymax", 1.05);
    hl_plot_var_num(&v, "logx", 1);
    hl_plot_var_num(&v, "logy", 0);
    hl_plot_var_num(&v, "pint", 40); /* a mark every 40 points tells the lines apart */
    if (!hl_plot_run_gnuplot(c, "lines.gp", &v, stem)) return false;
    hl_plot_add_chart(c, stem, title);
    return true;
}
