/* heaplab plot's insides, shared by plot.c (the context, the folder, gnuplot) and the
 * chart kinds (chart_*.c, one per kind). Not for use outside bench/report/.
 */
#ifndef HEAPLAB_BENCH_REPORT_PLOT_INTERNAL_H
#define HEAPLAB_BENCH_REPORT_PLOT_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/report/report.h"

#define HL_PLOT_MAX_NAMES 64
#define HL_PLOT_MIB 1048576.0
#define HL_PLOT_MAX_REFS 8

typedef struct hl_plot_names {
    const char *v[HL_PLOT_MAX_NAMES];
    size_t n;
} hl_plot_names;

/* A reference series: every row of one (runtime, allocator, collector). */
typedef struct hl_plot_ref {
    const char *runtime, *allocator, *collector;
    char label[96];  /* "CPython 3.11 (pymalloc, cpython_gc)", "boehm (bdwgc)" */
    char short_[48]; /* a one-word cluster name: "cpython-3.11", "boehm" */
    char colour[16];
    bool cpython;
} hl_plot_ref;

typedef struct hl_plot_ctx {
    const char *dir;
    char charts[PATH_MAX];
    char templates[PATH_MAX];
    /* The rows the charts against n draw: one heap setting (plot.c, split_sweep). */
    hl_result_row *rows;
    size_t count;
    /* A time-space sweep's rows (every row with a heap factor; chart_timespace.c). */
    hl_result_row *sweep;
    size_t sweep_count;
    hl_plot_names workloads, allocators, collectors;
    /* the allocators and collectors of heaplab's own configurations (every one when
     * the batch holds nothing else), and the reference series */
    hl_plot_names panel_allocators, line_collectors;
    hl_plot_ref refs[HL_PLOT_MAX_REFS];
    size_t nrefs;
    /* the reference series the bar charts show: collectors with their own allocator
     * (boehm), not other runtimes (CPython's interpreter would dwarf every bar) */
    size_t bar_refs[HL_PLOT_MAX_REFS];
    size_t nbar_refs;
    const char *main_allocator; /* libc when present: the pause and leak charts' */
    hl_chart_list *list;
    char *error;
    size_t error_size;
} hl_plot_ctx;

typedef struct hl_plot_vars {
    char text[8192];
    size_t len;
} hl_plot_vars;

typedef struct hl_plot_line_chart {
    const char *stem, *title, *note, *xlabel, *ylabel;
    const char *workload;        /* one workload, or NULL: lines are workloads (leak) */
    int figure;                  /* hl_results_figure_index */
    double scale;                /* divide the figure by this */
    const hl_plot_names *panels; /* allocators, or collectors (leak) */
    const hl_plot_names *lines;  /* collectors, or workloads (leak) */
    bool panels_are_collectors;
    bool with_refs;  /* the reference series as dashed lines in every panel */
    bool per_object; /* the figure divided by n (time per object); a tight y range */
} hl_plot_line_chart;

/* The sizes and figure values a chart's data spans (for its axes). */
typedef struct hl_plot_range {
    double lo, hi;
    uint64_t smin, smax;
} hl_plot_range;

/* ---- chart_style.c: a name's colour and point type, from the registries ---- */

/* HL_PLOT_OTHER: a name in no registry of styles (a workload): styled by its hash */
typedef enum hl_plot_kind { HL_PLOT_ALLOCATOR, HL_PLOT_COLLECTOR, HL_PLOT_OTHER } hl_plot_kind;
typedef struct hl_plot_style {
    char colour[8]; /* "#0072B2" */
    int point;      /* gnuplot point type */
} hl_plot_style;
hl_plot_style hl_plot_style_of(hl_plot_kind kind, const char *name);
/* "set linetype k ..." for k = 1..n, the style of names->v[k-1]; and style_names, the
 * names in that order (for a reader of data/<stem>.gp). */
void hl_plot_var_styles(hl_plot_vars *v, hl_plot_kind kind, const hl_plot_names *names);

/* ---- plot.c: the context and its helpers ---- */

int hl_plot_names_index(const hl_plot_names *s, const char *name);
void hl_plot_names_add(hl_plot_names *s, const char *name);
bool hl_plot_row_ok(const hl_result_row *r);
bool hl_plot_ref_matches(const hl_plot_ref *s, const hl_result_row *r);
const hl_result_row *hl_plot_find_ref_row(const hl_plot_ctx *c, const char *w, uint64_t size,
                                          const hl_plot_ref *s);
/* The allocator a per-collector chart shows for `collector`: the main one when the
 * collector ran on it, else the first it ran on (boehm's own "bdwgc", a reference
 * runtime's "pymalloc"). */
const char *hl_plot_collector_allocator(const hl_plot_ctx *c, const char *collector);
const hl_result_row *hl_plot_find_row(const hl_plot_ctx *c, const char *w, uint64_t size,
                                      const char *a, const char *col);
/* The 95% interval of figure `figure` of row r (results.h: <figure>_ci_low/_high);
 * false, *lo and *hi untouched, when the figure has none or the row's is not finite
 * (one invocation). */
bool hl_plot_interval(const hl_result_row *r, int figure, double *lo, double *hi);
/* The sizes of workload w, ascending. */
size_t hl_plot_sizes_of(const hl_plot_ctx *c, const char *w, uint64_t *out, size_t max);
/* A file stem from a name: '/' and ' ' become '-'. */
void hl_plot_slug(char *out, size_t size, const char *text);

/* gnuplot variables, passed with -e "name=value; ..." */
void hl_plot_var_raw(hl_plot_vars *v, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
void hl_plot_var_str(hl_plot_vars *v, const char *name, const char *value);
void hl_plot_var_num(hl_plot_vars *v, const char *name, double value);
/* The reference styles: nrefs, reflabel<k>, refcolour<k>. */
void hl_plot_var_refs(hl_plot_vars *v, const hl_plot_ctx *c, size_t nrefs);
void hl_plot_var_list(hl_plot_vars *v, const char *name, const hl_plot_names *list);

/* Run gnuplot in DIR/charts on a template; false (and c->error) when it fails or draws
 * no PNG and SVG. */
bool hl_plot_run_gnuplot(hl_plot_ctx *c, const char *template_name, hl_plot_vars *v,
                         const char *stem);
void hl_plot_add_chart(hl_plot_ctx *c, const char *stem, const char *title);
/* DIR/charts/data/<name> for writing; NULL (and c->error) when it cannot be opened. */
FILE *hl_plot_open_data(hl_plot_ctx *c, const char *name);
/* The grid of a panelled chart: panels plus one legend cell, at most 3 across. */
void hl_plot_grid(size_t panels, int *cols, int *rows);
/* Range of a log axis around [lo, hi], with room below for failure marks. */
void hl_plot_log_range(double lo, double hi, double *min, double *max);

/* A run's pause log (runs/<slug>.i<k>.pauses.csv: call,iteration,start_ns,duration_ns,
 * kind,phase): `row` is called with each row's phase, start and duration, and returns
 * false when out of memory. A missing file is no error (*found false: the invocation
 * failed, or the batch predates pause logs); a malformed one is (c->error, false). */
#define HL_PLOT_PAUSES_HEADER "call,iteration,start_ns,duration_ns,kind,phase"
bool hl_plot_read_pause_log(hl_plot_ctx *c, const char *path, bool *found,
                            bool (*row)(void *data, const char *phase, double start_ns,
                                        double duration_ns),
                            void *data);

/* ---- the chart kinds, one file each ---- */

bool hl_plot_draw_time_space(hl_plot_ctx *c);

/* chart_lines.c: a figure against n, a panel per allocator (or collector), a line per
 * collector (or workload); one data block per line (hl_plot_write_series). */
void hl_plot_write_series(FILE *data, const hl_plot_line_chart *lc, const uint64_t *sizes,
                          const hl_result_row *const *rows, size_t count, hl_plot_range *range);
bool hl_plot_draw_lines(hl_plot_ctx *c, const hl_plot_line_chart *lc);
/* chart_bars.c: time and peak RSS at a workload's largest n, grouped bars. */
bool hl_plot_draw_bars(hl_plot_ctx *c, const char *w);
/* chart_reference.c: heaplab's models against the real runtimes and collectors. */
bool hl_plot_draw_reference(hl_plot_ctx *c, const char *w);
/* chart_pauses.c: p50, p99 and max pause per collector and workload. */
bool hl_plot_draw_pauses(hl_plot_ctx *c);
/* chart_mmu.c: minimum mutator utilization against the window, a panel per workload, a
 * line per collector (the median over its invocations), from the runs' pause logs. */
bool hl_plot_draw_mmu(hl_plot_ctx *c);
/* chart_leak.c: bytes live at teardown against n. */
bool hl_plot_draw_leak(hl_plot_ctx *c);
/* chart_heatmap.c: summary-time-<family>, collector x allocator, geomean time ratio to
 * the baseline allocator over the family's configurations. */
bool hl_plot_draw_heatmaps(hl_plot_ctx *c);
/* chart_timelines.c: live bytes over one run per collector. */
bool hl_plot_draw_timelines(hl_plot_ctx *c);

#endif
