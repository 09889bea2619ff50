/* chart_mmu.c: mmu, minimum mutator utilization against the window's width (lines.gp).
 *
 * The pause chart's layout (chart_pauses.c): a panel per workload at its largest n, a
 * line per collector on the main allocator or the collector's own, a black cross
 * labelled collector:status for a configuration that failed. Each invocation's pause
 * log (runs/<slug>.i<k>.pauses.csv) gives its run: the clock-on intervals of its timed
 * iterations (kind iteration, phase clock) and its collector pauses, the program's and
 * the reclaim step's (the mutator runs in neither; the pause CDF counts the program's
 * only). bench/report/mmu.c computes the run's MMU exactly at MMU_POINTS widths spaced
 * evenly on a log scale from the shortest pause of the configuration's invocations to
 * the shortest of their runs (so that every invocation has every width: a window is
 * inside the run), and the line is the pointwise median over the invocations. A
 * collector that paused nowhere is 1 at every width, drawn from the chart's shortest
 * pause. A log without clock rows (a batch older than them; CPython's reference script,
 * which writes none) gives no curve; no curve anywhere, or no pause anywhere, is no
 * chart. The curves are in charts/data/mmu-curves.csv (every invocation's and the
 * median, each width and MMU in full precision), so the chart can be recomputed from the
 * pause logs (tests/mmu_check.py does).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/report/mmu.h"
#include "bench/report/plot_internal.h"

#define MMU_POINTS 40

typedef struct span_list {
    hl_mmu_span *v;
    size_t n, cap;
} span_list;

/* One (workload, collector): the runs of its invocations that have clock rows, and the
 * median curve. */
typedef struct mmu_line {
    hl_mmu *runs;
    int *invocation; /* the k of runs[i]'s file */
    size_t nruns;
    double lo, hi; /* the widths' range */
    double w[MMU_POINTS], median[MMU_POINTS];
    size_t points;
} mmu_line;

static bool span_add(span_list *l, double start, double duration) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        hl_mmu_span *grown = realloc(l->v, cap * sizeof *grown);
        if (grown == NULL) return false;
        l->v = grown;
        l->cap = cap;
    }
    l->v[l->n++] = (hl_mmu_span){start, duration};
    return true;
}

/* The run of one pause log into *run; *has false when the file is missing (the
 * invocation failed, or the batch predates pause logs) or holds no clock row. A
 * malformed file is an error. */
typedef struct mmu_lists {
    span_list clock, pauses;
} mmu_lists;

/* A pause log's row: clock rows are the run, program and reclaim pauses its pauses. */
static bool mmu_row_of(void *data, const char *phase, double start_ns, double duration_ns) {
    mmu_lists *l = data;
    span_list *to = strcmp(phase, "clock") == 0                                      ? &l->clock
                    : strcmp(phase, "program") == 0 || strcmp(phase, "reclaim") == 0 ? &l->pauses
                                                                                     : NULL;
    return to == NULL || span_add(to, start_ns, duration_ns);
}

static bool read_run(hl_plot_ctx *c, const char *path, hl_mmu *run, bool *has) {
    *has = false;
    mmu_lists lists = {{.n = 0}, {.n = 0}};
    bool found;
    bool ok = hl_plot_read_pause_log(c, path, &found, mmu_row_of, &lists);
    span_list clock = lists.clock, pauses = lists.pauses;
    if (ok && clock.n > 0) {
        char why[128];
        ok = hl_mmu_build(run, clock.v, clock.n, pauses.v, pauses.n, why, sizeof why);
        if (!ok) {
            hl_report_fmt(c->error, c->error_size, "%s: %s", path, why);
            hl_mmu_free(run);
        }
        *has = ok && run->length_ns > 0;
        if (ok && !*has) hl_mmu_free(run);
    }
    free(clock.v);
    free(pauses.v);
    return ok;
}

/* The row of (workload, collector) this chart shows: the largest n, the collector's
 * allocator (as the pause CDF's). */
static const hl_result_row *mmu_row(const hl_plot_ctx *c, const char *w, const char *col) {
    uint64_t sizes[64];
    size_t ns = hl_plot_sizes_of(c, w, sizes, 64);
    return ns ? hl_plot_find_row(c, w, sizes[ns - 1], hl_plot_collector_allocator(c, col), col)
              : NULL;
}

/* Every invocation's run of row r that has clock rows. */
static bool line_runs(hl_plot_ctx *c, const hl_result_row *r, mmu_line *line) {
    int invocations = r->repetitions > 0 ? r->repetitions : 1;
    line->runs = calloc((size_t)invocations, sizeof *line->runs);
    line->invocation = calloc((size_t)invocations, sizeof *line->invocation);
    if (line->runs == NULL || line->invocation == NULL) {
        hl_report_fmt(c->error, c->error_size, "out of memory drawing the MMU chart");
        return false;
    }
    for (int k = 0; k < invocations; k++) {
        char path[PATH_MAX + 512];
        char slug[300];
        hl_results_row_slug(r, slug, sizeof slug);
        hl_report_fmt(path, sizeof path, "%s/runs/%s.i%d.pauses.csv", c->dir, slug, k);
        bool has;
        if (!read_run(c, path, &line->runs[line->nruns], &has)) return false;
        if (has) line->invocation[line->nruns++] = k;
    }
    return true;
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The line's widths and, at each, the median over its invocations of their MMU. */
static bool line_curve(hl_plot_ctx *c, mmu_line *line, double chart_lo) {
    line->hi = INFINITY;
    line->lo = INFINITY;
    for (size_t i = 0; i < line->nruns; i++) {
        const hl_mmu *m = &line->runs[i];
        if (m->length_ns < line->hi) line->hi = m->length_ns;
        if (m->count > 0 && m->shortest_ns < line->lo) line->lo = m->shortest_ns;
    }
    if (!isfinite(line->lo)) line->lo = chart_lo; /* no pause: 1 everywhere */
    if (line->lo > line->hi) line->lo = line->hi;
    line->points = line->lo < line->hi ? MMU_POINTS : 1;
    hl_mmu_widths(line->lo, line->hi, line->points, line->w);
    double *u = malloc(line->nruns * sizeof *u);
    if (u == NULL) {
        hl_report_fmt(c->error, c->error_size, "out of memory drawing the MMU chart");
        return false;
    }
    for (size_t j = 0; j < line->points; j++) {
        for (size_t i = 0; i < line->nruns; i++)
            u[i] = hl_mmu_at(&line->runs[i], line->w[j]);
        qsort(u, line->nruns, sizeof *u, compare_double);
        size_t n = line->nruns;
        line->median[j] = n % 2 ? u[n / 2] : (u[n / 2 - 1] + u[n / 2]) / 2;
    }
    free(u);
    return true;
}

/* charts/data/mmu-curves.csv: every invocation's curve and the median, for a reader
 * that recomputes them. */
static bool write_curves(hl_plot_ctx *c, const mmu_line *lines, size_t nw, size_t nc) {
    FILE *f = hl_plot_open_data(c, "mmu-curves.csv");
    if (f == NULL) return false;
    fputs("workload,size,allocator,collector,invocation,window_ns,mmu\n", f);
    for (size_t wi = 0; wi < nw; wi++)
        for (size_t col = 0; col < nc; col++) {
            const mmu_line *line = &lines[wi * nc + col];
            if (line->nruns == 0) continue;
            const hl_result_row *r = mmu_row(c, c->workloads.v[wi], c->collectors.v[col]);
            for (size_t i = 0; i <= line->nruns; i++)
                for (size_t j = 0; j < line->points; j++) {
                    char inv[16];
                    hl_report_fmt(inv, sizeof inv, "%d", i < line->nruns ? line->invocation[i] : 0);
                    double u =
                        i < line->nruns ? hl_mmu_at(&line->runs[i], line->w[j]) : line->median[j];
                    fprintf(f, "%s,%llu,%s,%s,%s,%.17g,%.17g\n", r->workload,
                            (unsigned long long)r->size, r->allocator, r->collector,
                            i < line->nruns ? inv : "median", line->w[j], u);
                }
        }
    return fclose(f) == 0;
}

/* The failure crosses of each panel, as the pause chart draws them. */
static bool write_fails(hl_plot_ctx *c, double xmin, double xmax, char *counts, size_t size,
                        size_t *total) {
    size_t cn = 0;
    *total = 0;
    for (size_t wi = 0; wi < c->workloads.n; wi++) {
        char name[96];
        hl_report_fmt(name, sizeof name, "mmu-fails-%zu.dat", wi + 1);
        FILE *ff = hl_plot_open_data(c, name);
        if (ff == NULL) return false;
        size_t fails = 0;
        for (size_t col = 0; col < c->collectors.n; col++) {
            const hl_result_row *r = mmu_row(c, c->workloads.v[wi], c->collectors.v[col]);
            if (r == NULL || hl_plot_row_ok(r)) continue;
            fprintf(ff, "%.9g %.3g %s:%s\n", xmin * pow(xmax / xmin, 0.05 + 0.1 * (double)fails),
                    0.05, c->collectors.v[col], r->status);
            fails++;
        }
        fclose(ff);
        *total += fails;
        cn += (size_t)hl_report_fmt(counts + cn, cn < size ? size - cn : 0, "%s%zu", wi ? " " : "",
                                    fails);
    }
    return true;
}

static bool draw(hl_plot_ctx *c, mmu_line *lines, const hl_plot_names *drawn, double xmin,
                 double xmax) {
    size_t nw = c->workloads.n, nc = c->collectors.n;
    FILE *data = hl_plot_open_data(c, "mmu.dat");
    if (data == NULL) return false;
    /* blocks: (panel = workload, line = collector with a curve), as lines.gp reads them */
    for (size_t wi = 0; wi < nw; wi++)
        for (size_t l = 0; l < drawn->n; l++) {
            const mmu_line *line =
                &lines[wi * nc + (size_t)hl_plot_names_index(&c->collectors, drawn->v[l])];
            for (size_t j = 0; line->nruns && j < line->points; j++)
                fprintf(data, "%.9g %.9g\n", line->w[j] / 1e6, line->median[j]);
            fputs(line->nruns ? "\n\n" : "nan nan\n\n\n", data);
        }
    if (fclose(data) != 0 || !write_curves(c, lines, nw, nc)) {
        hl_report_fmt(c->error, c->error_size, "cannot write the MMU chart's data");
        return false;
    }
    char counts[512] = "";
    size_t total;
    if (!write_fails(c, xmin, xmax, counts, sizeof counts, &total)) return false;
    int cols, rows;
    hl_plot_grid(nw, &cols, &rows);
    const char *title = "Minimum mutator utilization: the mutator's share of the worst window";
    hl_plot_vars v = {.len = 0};
    hl_plot_var_str(&v, "title", title);
    hl_plot_var_str(&v, "note", "");
    hl_plot_var_str(&v, "data", "data/mmu.dat");
    hl_plot_var_str(&v, "fails", "data/mmu-fails");
    hl_plot_var_str(&v, "pfails", counts);
    hl_plot_var_num(&v, "nfails", (double)total);
    hl_plot_var_list(&v, "panels", &c->workloads);
    hl_plot_var_num(&v, "npanels", (double)nw);
    hl_plot_var_list(&v, "lines", drawn);
    hl_plot_var_num(&v, "nlines", (double)drawn->n);
    hl_plot_var_styles(&v, HL_PLOT_COLLECTOR, drawn);
    hl_plot_var_refs(&v, c, 0);
    hl_plot_var_num(&v, "cols", cols);
    hl_plot_var_num(&v, "rows", rows);
    hl_plot_var_str(&v, "xlabel", "window (ms)");
    hl_plot_var_str(&v, "ylabel", "MMU: mutator share of the worst window");
    hl_plot_var_num(&v, "xmin", xmin);
    hl_plot_var_num(&v, "xmax", xmax);
    hl_plot_var_num(&v, "ymin", 0);
    hl_plot_var_num(&v, "ymax", 1.05);
    hl_plot_var_num(&v, "logx", 1);
    hl_plot_var_num(&v, "logy", 0);
    hl_plot_var_num(&v, "pint", 4); /* a mark every 4 of the 40 points */
    if (!hl_plot_run_gnuplot(c, "lines.gp", &v, "mmu")) return false;
    hl_plot_add_chart(c, "mmu", title);
    return true;
}

bool hl_plot_draw_mmu(hl_plot_ctx *c) {
    size_t nw = c->workloads.n, nc = c->collectors.n;
    mmu_line *lines = calloc(nw * nc + 1, sizeof *lines);
    if (lines == NULL) {
        hl_report_fmt(c->error, c->error_size, "out of memory drawing the MMU chart");
        return false;
    }
    bool ok = true;
    double lo = INFINITY, hi = 0; /* the shortest pause and the longest run drawn */
    for (size_t i = 0; i < nw * nc && ok; i++) {
        const hl_result_row *r = mmu_row(c, c->workloads.v[i / nc], c->collectors.v[i % nc]);
        if (r == NULL || !hl_plot_row_ok(r)) continue;
        ok = line_runs(c, r, &lines[i]);
        for (size_t k = 0; ok && k < lines[i].nruns; k++)
            if (lines[i].runs[k].count > 0 && lines[i].runs[k].shortest_ns < lo)
                lo = lines[i].runs[k].shortest_ns;
    }
    hl_plot_names drawn = {.n = 0}; /* the collectors with a curve somewhere */
    for (size_t i = 0; i < nw * nc && ok && isfinite(lo); i++) {
        if (lines[i].nruns == 0) continue;
        ok = line_curve(c, &lines[i], lo);
        if (lines[i].hi > hi) hi = lines[i].hi;
    }
    for (size_t col = 0; col < nc && isfinite(lo); col++)
        for (size_t wi = 0; wi < nw; wi++)
            if (lines[wi * nc + col].nruns > 0) hl_plot_names_add(&drawn, c->collectors.v[col]);
    double xmin = lo / 1e6 / 2, xmax = hi / 1e6 * 2;
    if (hi / lo < 10) {
        xmin = sqrt(lo * hi) / 1e6 / 8;
        xmax = sqrt(lo * hi) / 1e6 * 8;
    }
    /* no clock rows or no pause anywhere: no chart */
    if (ok && drawn.n > 0) ok = draw(c, lines, &drawn, xmin, xmax);
    for (size_t i = 0; i < nw * nc; i++) {
        for (size_t k = 0; k < lines[i].nruns; k++)
            hl_mmu_free(&lines[i].runs[k]);
        free(lines[i].runs);
        free(lines[i].invocation);
    }
    free(lines);
    return ok;
}
