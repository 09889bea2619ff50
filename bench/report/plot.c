/* heaplab plot: a results folder's charts, drawn by gnuplot from templates.
 *
 * `heaplab plot DIR` reads DIR/results.csv (and DIR/timelines/index.csv), writes each
 * chart's data as small whitespace-separated files into DIR/charts/data/, and runs
 * gnuplot in DIR/charts with a template from scripts/charts/ and the chart's variables
 * (-e "name=value; ..."). Each template draws its chart as PNG and SVG. The charts:
 *
 *   time-<workload>     time per run against n, log-log: a panel per allocator, a line
 *                       per collector (lines.gp)
 *   rss-<workload>      peak RSS against n, the same layout (lines.gp)
 *   bars-<workload>     at the workload's largest n: time and peak RSS of every
 *                       allocator x collector as grouped bars (bars.gp)
 *   pauses              p50, p99 and max collector pause, a panel per collector, a
 *                       cluster per workload at its largest n (pauses.gp)
 *   leak                bytes still live at teardown (the leak) against n, for every
 *                       collector that leaks and every workload it leaks on (lines.gp)
 *   timeline-<workload> live bytes over one run, a line per collector (timeline.gp)
 *   reference-<workload> heaplab against CPython and boehm: time and peak RSS of
 *                       rc_cycle on pool next to CPython, mark_sweep on libc next to
 *                       boehm (reference.gp)
 *
 * A configuration that failed (any status but ok) is drawn as a red cross labelled
 * with its status at its n (or bar), so nothing is silently missing.
 *
 * Reference series (hl_batch_is_reference_row): CPython's rows (runtime
 * "cpython-3.11", allocator "pymalloc", collector "cpython_gc") and a collector with
 * its own allocator (boehm on "bdwgc"). They are not heaplab configurations on one of
 * the batch's allocators, so instead of a panel of their own with a single line they
 * are drawn as dashed reference lines in every allocator panel of the time and RSS
 * charts (CPython black, boehm purple), and as clusters with one bar ("own
 * allocator") in the bar charts. The pause chart gives each its own panel (its
 * collector's pauses, on its own allocator) and the timelines a line, as for any
 * collector. A batch made of reference rows alone draws them as ordinary panels.
 *
 * Templates are found in HEAPLAB_SOURCE_DIR/scripts/charts (the source tree the
 * program was built from).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/batch/batch.h"
#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "collectors/collector.h"

#ifndef HEAPLAB_SOURCE_DIR
#define HEAPLAB_SOURCE_DIR "."
#endif

#define MAX_NAMES 64
#define MIB 1048576.0

typedef struct names {
    const char *v[MAX_NAMES];
    size_t n;
} names;

static int names_index(const names *s, const char *name) {
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0) return (int)i;
    return -1;
}

static void names_add(names *s, const char *name) {
    if (names_index(s, name) < 0 && s->n < MAX_NAMES) s->v[s->n++] = name;
}

#define MAX_REFS 8

/* A reference series: every row of one (runtime, allocator, collector). */
typedef struct ref_series {
    const char *runtime, *allocator, *collector;
    char label[96];  /* "CPython 3.11 (pymalloc, cpython_gc)", "boehm (bdwgc)" */
    char short_[48]; /* a one-word cluster name: "cpython-3.11", "boehm" */
    char colour[16];
    bool cpython;
} ref_series;

typedef struct plot_ctx {
    const char *dir;
    char charts[PATH_MAX];
    char templates[PATH_MAX];
    hl_result_row *rows;
    size_t count;
    names workloads, allocators, collectors;
    /* the allocators and collectors of heaplab's own configurations (every one when
     * the batch holds nothing else), and the reference series */
    names panel_allocators, line_collectors;
    ref_series refs[MAX_REFS];
    size_t nrefs;
    /* the reference series the bar charts show: collectors with their own allocator
     * (boehm), not other runtimes (CPython's interpreter would dwarf every bar) */
    size_t bar_refs[MAX_REFS];
    size_t nbar_refs;
    const char *main_allocator; /* libc when present: the pause and leak charts' */
    hl_chart_list *list;
    char *error;
    size_t error_size;
} plot_ctx;

static bool row_ok(const hl_result_row *r) {
    return strcmp(r->status, HL_STATUS_OK) == 0;
}

bool hl_batch_is_reference_row(const hl_result_row *row) {
    if (row->runtime[0] != '\0' && strcmp(row->runtime, "heaplab") != 0) return true;
    const hl_collector_ops *ops = hl_collector_find(row->collector);
    return ops != NULL && hl_collector_own_allocator(ops) != NULL;
}

static bool ref_matches(const ref_series *s, const hl_result_row *r) {
    return strcmp(r->runtime, s->runtime) == 0 && strcmp(r->allocator, s->allocator) == 0 &&
           strcmp(r->collector, s->collector) == 0;
}

static const hl_result_row *find_ref_row(const plot_ctx *c, const char *w, uint64_t size,
                                         const ref_series *s) {
    for (size_t i = 0; i < c->count; i++)
        if (c->rows[i].size == size && strcmp(c->rows[i].workload, w) == 0 &&
            ref_matches(s, &c->rows[i]))
            return &c->rows[i];
    return NULL;
}

/* The reference series, the panels and the lines (see the top of the file). */
static void classify(plot_ctx *c) {
    bool any_own = false;
    for (size_t i = 0; i < c->count; i++)
        any_own = any_own || !hl_batch_is_reference_row(&c->rows[i]);
    for (size_t i = 0; i < c->count && any_own; i++) {
        const hl_result_row *r = &c->rows[i];
        if (!hl_batch_is_reference_row(r)) {
            names_add(&c->line_collectors, r->collector);
            continue;
        }
        bool seen = false;
        for (size_t k = 0; k < c->nrefs; k++)
            seen = seen || ref_matches(&c->refs[k], r);
        if (seen || c->nrefs == MAX_REFS) continue;
        ref_series *s = &c->refs[c->nrefs++];
        s->runtime = r->runtime;
        s->allocator = r->allocator;
        s->collector = r->collector;
        s->cpython = strncmp(r->runtime, "cpython-", 8) == 0;
        if (s->cpython) {
            hl_batch_fmt(s->label, sizeof s->label, "CPython %s (%s, %s)", r->runtime + 8,
                         r->allocator, r->collector);
            hl_batch_fmt(s->short_, sizeof s->short_, "%s", r->runtime);
        } else if (strcmp(r->runtime, "heaplab") == 0 || r->runtime[0] == '\0') {
            hl_batch_fmt(s->label, sizeof s->label, "%s (%s)", r->collector, r->allocator);
            hl_batch_fmt(s->short_, sizeof s->short_, "%s", r->collector);
        } else {
            hl_batch_fmt(s->label, sizeof s->label, "%s (%s, %s)", r->runtime, r->allocator,
                         r->collector);
            hl_batch_fmt(s->short_, sizeof s->short_, "%s", r->runtime);
        }
        /* CPython black; boehm (and any other own-allocator collector) purple, then
         * greys */
        static const char *const others[] = {"#7b3294", "#666666", "#a6761d", "#1b9e77"};
        size_t own_index = 0;
        for (size_t k = 0; k + 1 < c->nrefs; k++)
            own_index += !c->refs[k].cpython;
        hl_batch_fmt(s->colour, sizeof s->colour, "%s",
                     s->cpython ? "#000000" : others[own_index % 4]);
    }
    for (size_t a = 0; a < c->allocators.n; a++) {
        bool own = false;
        for (size_t i = 0; i < c->count && !own; i++)
            own = strcmp(c->rows[i].allocator, c->allocators.v[a]) == 0 &&
                  (!any_own || !hl_batch_is_reference_row(&c->rows[i]));
        if (own) names_add(&c->panel_allocators, c->allocators.v[a]);
    }
    if (!any_own) c->line_collectors = c->collectors;
    for (size_t k = 0; k < c->nrefs; k++)
        if (!c->refs[k].cpython) c->bar_refs[c->nbar_refs++] = k;
}

/* The reference styles as gnuplot variables: nrefs, reflabel<k>, refcolour<k>. */
struct vars;
static void var_refs(struct vars *v, const plot_ctx *c, size_t nrefs);

/* The allocator a per-collector chart shows for `collector`: the main one (libc) when
 * the collector ran on it, else the first it ran on (boehm's own "bdwgc", a reference
 * runtime's "pymalloc"). */
static const char *collector_allocator(const plot_ctx *c, const char *collector) {
    const char *first = NULL;
    for (size_t i = 0; i < c->count; i++) {
        if (strcmp(c->rows[i].collector, collector) != 0) continue;
        if (strcmp(c->rows[i].allocator, c->main_allocator) == 0) return c->main_allocator;
        if (first == NULL) first = c->rows[i].allocator;
    }
    return first ? first : c->main_allocator;
}

static const hl_result_row *find_row(const plot_ctx *c, const char *w, uint64_t size, const char *a,
                                     const char *col) {
    for (size_t i = 0; i < c->count; i++) {
        const hl_result_row *r = &c->rows[i];
        if (r->size == size && strcmp(r->workload, w) == 0 && strcmp(r->allocator, a) == 0 &&
            strcmp(r->collector, col) == 0)
            return r;
    }
    return NULL;
}

/* The sizes of workload w, ascending. */
static size_t sizes_of(const plot_ctx *c, const char *w, uint64_t *out, size_t max) {
    size_t n = 0;
    for (size_t i = 0; i < c->count; i++) {
        const hl_result_row *r = &c->rows[i];
        if (strcmp(r->workload, w) != 0) continue;
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen = seen || out[k] == r->size;
        if (!seen && n < max) out[n++] = r->size;
    }
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && out[k - 1] > out[k]; k--) {
            uint64_t t = out[k];
            out[k] = out[k - 1];
            out[k - 1] = t;
        }
    return n;
}

static void slug(char *out, size_t size, const char *text) {
    hl_batch_fmt(out, size, "%s", text);
    for (char *p = out; *p; p++)
        if (*p == '/' || *p == ' ') *p = '-';
}

/* ---- gnuplot variables ------------------------------------------------------ */

typedef struct vars {
    char text[8192];
    size_t len;
} vars;

static void var_raw(vars *v, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void var_raw(vars *v, const char *format, ...) {
    va_list args;
    va_start(args, format);
    if (v->len < sizeof v->text) {
        int n = vsnprintf(v->text + v->len, sizeof v->text - v->len, format, args);
        if (n > 0) v->len += (size_t)n;
    }
    va_end(args);
}

/* name='value' with gnuplot's single-quote escaping ('' for '). */
static void var_str(vars *v, const char *name, const char *value) {
    var_raw(v, "%s='", name);
    for (const char *p = value; *p; p++)
        var_raw(v, *p == '\'' ? "''" : "%c", *p);
    var_raw(v, "'; ");
}

static void var_num(vars *v, const char *name, double value) {
    var_raw(v, "%s=%.10g; ", name, value);
}

static void var_refs(vars *v, const plot_ctx *c, size_t nrefs) {
    var_num(v, "nrefs", (double)nrefs);
    for (size_t k = 0; k < nrefs; k++) {
        char name[32];
        hl_batch_fmt(name, sizeof name, "reflabel%zu", k + 1);
        var_str(v, name, c->refs[k].label);
        hl_batch_fmt(name, sizeof name, "refcolour%zu", k + 1);
        var_str(v, name, c->refs[k].colour);
    }
}

static void var_list(vars *v, const char *name, const names *list) {
    char joined[2048] = "";
    size_t n = 0;
    for (size_t i = 0; i < list->n; i++)
        n += (size_t)hl_batch_fmt(joined + n, n < sizeof joined ? sizeof joined - n : 0, "%s%s",
                                  i ? " " : "", list->v[i]);
    var_str(v, name, joined);
}

/* Run gnuplot in DIR/charts on a template; its messages go to charts/data/gnuplot.log. */
static bool run_gnuplot(plot_ctx *c, const char *template_name, vars *v, const char *stem) {
    char template_path[PATH_MAX + 64], log_path[PATH_MAX + 32];
    hl_batch_fmt(template_path, sizeof template_path, "%s/%s", c->templates, template_name);
    hl_batch_fmt(log_path, sizeof log_path, "%s/data/gnuplot.log", c->charts);
    var_str(v, "templates", c->templates);
    var_str(v, "out", stem);
    if (v->len >= sizeof v->text) {
        hl_batch_fmt(c->error, c->error_size, "chart %s: too many variables", stem);
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        hl_batch_fmt(c->error, c->error_size, "cannot start gnuplot: %s", strerror(errno));
        return false;
    }
    if (pid == 0) {
        int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (chdir(c->charts) != 0) _exit(126);
        int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
        if (log >= 0) {
            dup2(log, STDOUT_FILENO);
            dup2(log, STDERR_FILENO);
        }
        char *argv[] = {"gnuplot", "-e", v->text, template_path, NULL};
        execvp("gnuplot", argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) break;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (code == 127)
            hl_batch_fmt(c->error, c->error_size, "gnuplot is not installed (scripts/deps)");
        else
            hl_batch_fmt(c->error, c->error_size, "gnuplot failed on chart %s (see %s)", stem,
                         log_path);
        return false;
    }
    const char *formats[] = {"png", "svg"};
    for (size_t i = 0; i < 2; i++) {
        char path[PATH_MAX + 128];
        hl_batch_fmt(path, sizeof path, "%s/%s.%s", c->charts, stem, formats[i]);
        struct stat st;
        if (stat(path, &st) != 0 || st.st_size == 0) {
            hl_batch_fmt(c->error, c->error_size, "gnuplot drew no %s (see %s)", path, log_path);
            return false;
        }
    }
    return true;
}

static void add_chart(plot_ctx *c, const char *stem, const char *title) {
    hl_chart_list *l = c->list;
    if (l->count >= sizeof l->names / sizeof l->names[0]) return;
    hl_batch_fmt(l->names[l->count], sizeof l->names[0], "%s", stem);
    hl_batch_fmt(l->titles[l->count], sizeof l->titles[0], "%s", title);
    l->captions[l->count][0] = '\0';
    l->count++;
}

/* The caption of the chart added last. */
static void set_caption(plot_ctx *c, const char *caption) {
    if (c->list->count > 0)
        hl_batch_fmt(c->list->captions[c->list->count - 1], sizeof c->list->captions[0], "%s",
                     caption);
}

static FILE *open_data(plot_ctx *c, const char *name) {
    char path[PATH_MAX + 128];
    hl_batch_fmt(path, sizeof path, "%s/data/%s", c->charts, name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        hl_batch_fmt(c->error, c->error_size, "cannot write %s: %s", path, strerror(errno));
    return f;
}

/* The grid of a panelled chart: panels plus one legend cell, at most 3 across. */
static void grid(size_t panels, int *cols, int *rows) {
    size_t cells = panels + 1;
    *cols = cells < 3 ? (int)cells : 3;
    *rows = (int)((cells + (size_t)*cols - 1) / (size_t)*cols);
}

/* Range of a log axis around [lo, hi], with room below for failure marks. */
static void log_range(double lo, double hi, double *min, double *max) {
    if (!(lo > 0) || !isfinite(lo) || !(hi > 0)) {
        *min = 0.1;
        *max = 10;
        return;
    }
    if (hi / lo < 10) { /* less than a decade: widen around the middle */
        double mid = sqrt(lo * hi);
        lo = mid / 4;
        hi = mid * 4;
    }
    *min = lo / 3;
    *max = hi * 2;
}

/* ---- lines: a figure against n ---------------------------------------------- */

typedef struct line_chart {
    const char *stem, *title, *note, *xlabel, *ylabel;
    const char *workload; /* one workload, or NULL: lines are workloads (leak) */
    int figure;           /* hl_results_figure_index */
    double scale;         /* divide the figure by this */
    const names *panels;  /* allocators, or collectors (leak) */
    const names *lines;   /* collectors, or workloads (leak) */
    bool panels_are_collectors;
    bool with_refs; /* the reference series as dashed lines in every panel */
} line_chart;

/* The sizes and figure values a chart's data spans (for its axes). */
typedef struct series_range {
    double lo, hi;
    uint64_t smin, smax;
} series_range;

/* One gnuplot data block: "size value" for each size whose row is ok and has a
 * positive figure (rows[s] may be NULL: no row at that size). Every size that has a
 * row widens the x range, failed ones included, so their crosses fit. A block with no
 * point holds "nan nan", so the block numbering that the template relies on holds. */
static void write_series(FILE *data, const line_chart *lc, const uint64_t *sizes,
                         const hl_result_row *const *rows, size_t count, series_range *range) {
    size_t written = 0;
    for (size_t s = 0; s < count; s++) {
        const hl_result_row *r = rows[s];
        if (r == NULL) continue;
        if (sizes[s] < range->smin) range->smin = sizes[s];
        if (sizes[s] > range->smax) range->smax = sizes[s];
        double v = hl_results_figure(r, (size_t)lc->figure) / lc->scale;
        if (!row_ok(r) || !(v > 0) || !isfinite(v)) continue;
        fprintf(data, "%llu %.9g\n", (unsigned long long)sizes[s], v);
        written++;
        if (v < range->lo) range->lo = v;
        if (v > range->hi) range->hi = v;
    }
    if (written == 0) fputs("nan nan\n", data);
    fputs("\n\n", data);
}

static bool draw_lines(plot_ctx *c, const line_chart *lc) {
    char name[192];
    hl_batch_fmt(name, sizeof name, "%s.dat", lc->stem);
    FILE *data = open_data(c, name);
    if (data == NULL) return false;
    series_range range = {INFINITY, 0, UINT64_MAX, 0};
    size_t fail_count[MAX_NAMES] = {0};
    /* pass 1: the data blocks and the ranges */
    for (size_t p = 0; p < lc->panels->n; p++)
        for (size_t l = 0; l < lc->lines->n; l++) {
            const char *w = lc->workload ? lc->workload : lc->lines->v[l];
            const char *a = lc->panels_are_collectors ? collector_allocator(c, lc->panels->v[p])
                                                      : lc->panels->v[p];
            const char *col = lc->panels_are_collectors ? lc->panels->v[p] : lc->lines->v[l];
            uint64_t sizes[64];
            const hl_result_row *rows[64];
            size_t ns = sizes_of(c, w, sizes, 64);
            for (size_t s = 0; s < ns; s++)
                rows[s] = find_row(c, w, sizes[s], a, col);
            write_series(data, lc, sizes, rows, ns, &range);
        }
    /* then one block per reference series (drawn in every panel) */
    size_t nrefs = lc->with_refs ? c->nrefs : 0;
    for (size_t k = 0; k < nrefs; k++) {
        uint64_t sizes[64];
        const hl_result_row *rows[64];
        size_t ns = sizes_of(c, lc->workload, sizes, 64);
        for (size_t s = 0; s < ns; s++)
            rows[s] = find_ref_row(c, lc->workload, sizes[s], &c->refs[k]);
        write_series(data, lc, sizes, rows, ns, &range);
    }
    fclose(data);
    double ymin, ymax;
    log_range(range.lo, range.hi, &ymin, &ymax);
    double fail_y = ymin * pow(ymax / ymin, 0.04);
    /* pass 2: failures, one file per panel */
    size_t total_fails = 0;
    for (size_t p = 0; p < lc->panels->n; p++) {
        hl_batch_fmt(name, sizeof name, "%s-fails-%zu.dat", lc->stem, p + 1);
        FILE *fails = open_data(c, name);
        if (fails == NULL) return false;
        for (size_t l = 0; l < lc->lines->n; l++) {
            const char *w = lc->workload ? lc->workload : lc->lines->v[l];
            const char *a = lc->panels_are_collectors ? collector_allocator(c, lc->panels->v[p])
                                                      : lc->panels->v[p];
            const char *col = lc->panels_are_collectors ? lc->panels->v[p] : lc->lines->v[l];
            for (size_t i = 0; i < c->count; i++) {
                const hl_result_row *r = &c->rows[i];
                if (row_ok(r) || strcmp(r->workload, w) || strcmp(r->allocator, a) ||
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
                if (row_ok(r) || strcmp(r->workload, lc->workload) || !ref_matches(&c->refs[k], r))
                    continue;
                fprintf(fails, "%llu %.9g %s:%s\n", (unsigned long long)r->size, fail_y,
                        c->refs[k].short_, r->status);
                fail_count[p]++;
                total_fails++;
            }
        fclose(fails);
    }
    if (range.smax == 0) range.smin = range.smax = 1;
    vars v = {.len = 0};
    char fails_stem[192], counts[512] = "";
    hl_batch_fmt(fails_stem, sizeof fails_stem, "data/%s-fails", lc->stem);
    size_t n = 0;
    for (size_t p = 0; p < lc->panels->n; p++)
        n += (size_t)hl_batch_fmt(counts + n, n < sizeof counts ? sizeof counts - n : 0, "%s%zu",
                                  p ? " " : "", fail_count[p]);
    int cols, rows;
    grid(lc->panels->n, &cols, &rows);
    hl_batch_fmt(name, sizeof name, "data/%s.dat", lc->stem);
    var_str(&v, "title", lc->title);
    var_str(&v, "note", lc->note);
    var_str(&v, "data", name);
    var_str(&v, "fails", fails_stem);
    var_str(&v, "pfails", counts);
    var_num(&v, "nfails", (double)total_fails);
    var_list(&v, "panels", lc->panels);
    var_num(&v, "npanels", (double)lc->panels->n);
    var_list(&v, "lines", lc->lines);
    var_num(&v, "nlines", (double)lc->lines->n);
    var_refs(&v, c, nrefs);
    var_num(&v, "cols", cols);
    var_num(&v, "rows", rows);
    var_str(&v, "xlabel", lc->xlabel);
    var_str(&v, "ylabel", lc->ylabel);
    var_num(&v, "xmin", (double)range.smin / (range.smin == range.smax ? 3.0 : 1.6));
    var_num(&v, "xmax", (double)range.smax * (range.smin == range.smax ? 3.0 : 1.6));
    var_num(&v, "ymin", ymin);
    var_num(&v, "ymax", ymax);
    var_num(&v, "logx", 1);
    var_num(&v, "logy", 1);
    if (!run_gnuplot(c, "lines.gp", &v, lc->stem)) return false;
    add_chart(c, lc->stem, lc->title);
    return true;
}

/* ---- bars at the largest n --------------------------------------------------- */

/* The row of bar chart cell (cluster, bar): clusters are heaplab's collectors, then the
 * reference series; bars are heaplab's allocators, then (with references) one "own
 * allocator" bar that only the reference clusters fill. */
static const hl_result_row *bar_row(const plot_ctx *c, const char *w, uint64_t n, size_t cluster,
                                    size_t bar) {
    size_t nc = c->line_collectors.n, na = c->panel_allocators.n;
    if (cluster < nc)
        return bar < na
                   ? find_row(c, w, n, c->panel_allocators.v[bar], c->line_collectors.v[cluster])
                   : NULL;
    return bar == na ? find_ref_row(c, w, n, &c->refs[c->bar_refs[cluster - nc]]) : NULL;
}

static bool draw_bars(plot_ctx *c, const char *w) {
    uint64_t sizes[64];
    size_t ns = sizes_of(c, w, sizes, 64);
    if (ns == 0) return true;
    uint64_t n = sizes[ns - 1];
    char ws[96], stem[128], name[192], title[160], note[200];
    slug(ws, sizeof ws, w);
    hl_batch_fmt(stem, sizeof stem, "bars-%s", ws);
    hl_batch_fmt(name, sizeof name, "%s.dat", stem);
    FILE *data = open_data(c, name);
    if (data == NULL) return false;
    int figures[2] = {hl_results_figure_index("real_time_ns"),
                      hl_results_figure_index("peak_rss_bytes")};
    double scales[2] = {1e6, MIB}, ymax[2] = {0, 0};
    size_t na = c->panel_allocators.n, nc = c->line_collectors.n, nr = c->nbar_refs;
    size_t nbars = na + (nr > 0 ? 1 : 0), nclusters = nc + nr, fails[2] = {0, 0};
    names clusters = c->line_collectors;
    for (size_t k = 0; k < nr; k++)
        if (clusters.n < MAX_NAMES) clusters.v[clusters.n++] = c->refs[c->bar_refs[k]].short_;
    for (size_t f = 0; f < 2; f++) {
        /* gnuplot refuses a histogram column without a valid point, so a bar series
         * with no value in any cluster gets zero-height bars (its failures still get
         * their marks below) */
        bool column_valid[MAX_NAMES + 1] = {false};
        for (size_t col = 0; col < nclusters; col++)
            for (size_t a = 0; a < nbars; a++) {
                const hl_result_row *r = bar_row(c, w, n, col, a);
                if (r && row_ok(r) && isfinite(hl_results_figure(r, (size_t)figures[f])))
                    column_valid[a] = true;
            }
        for (size_t col = 0; col < nclusters; col++) {
            fprintf(data, "%s", clusters.v[col]);
            for (size_t a = 0; a < nbars; a++) {
                const hl_result_row *r = bar_row(c, w, n, col, a);
                double v =
                    r && row_ok(r) ? hl_results_figure(r, (size_t)figures[f]) / scales[f] : NAN;
                if (isfinite(v)) {
                    fprintf(data, " %.9g", v);
                    if (v > ymax[f]) ymax[f] = v;
                } else {
                    fputs(column_valid[a] ? " nan" : " 0", data);
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
        hl_batch_fmt(name, sizeof name, "%s-fails-%zu.dat", stem, f + 1);
        FILE *ff = open_data(c, name);
        if (ff == NULL) return false;
        /* a clustered histogram puts cluster k at x = k, bar i at k + (i - (n-1)/2)/(n+gap) */
        for (size_t col = 0; col < nclusters; col++)
            for (size_t a = 0; a < nbars; a++) {
                const hl_result_row *r = bar_row(c, w, n, col, a);
                if (r == NULL || row_ok(r)) continue;
                double x =
                    (double)col + ((double)a - ((double)nbars - 1) / 2) / ((double)nbars + 1);
                fprintf(ff, "%.6g %.6g %s\n", x, mark_y, r->status);
                fails[f]++;
            }
        fclose(ff);
    }
    hl_batch_fmt(title, sizeof title, "Time and peak RSS at n = %llu: %s", (unsigned long long)n,
                 w);
    bool cpython = c->nrefs > nr;
    hl_batch_fmt(note, sizeof note, "a cluster per collector, a bar per allocator%s%s",
                 nr ? "; boehm has one bar: its own allocator" : "",
                 cpython ? "; CPython: see the reference chart" : "");
    vars v = {.len = 0};
    char counts[64], data_name[200], fails_stem[200];
    hl_batch_fmt(counts, sizeof counts, "%zu %zu", fails[0], fails[1]);
    hl_batch_fmt(data_name, sizeof data_name, "data/%s.dat", stem);
    hl_batch_fmt(fails_stem, sizeof fails_stem, "data/%s-fails", stem);
    var_str(&v, "title", title);
    var_str(&v, "note", note);
    var_str(&v, "data", data_name);
    var_str(&v, "fails", fails_stem);
    var_str(&v, "pfails", counts);
    var_list(&v, "bars", &c->panel_allocators);
    var_num(&v, "nbars", (double)na);
    /* the "own allocator" bar of the reference clusters */
    var_num(&v, "refbar", nr > 0 ? 1 : 0);
    char own[256] = "own (";
    for (size_t k = 0; k < nr; k++) {
        size_t len = strlen(own);
        hl_batch_fmt(own + len, sizeof own - len, "%s%s", k ? ", " : "",
                     c->refs[c->bar_refs[k]].allocator);
    }
    strncat(own, ")", sizeof own - strlen(own) - 1);
    var_str(&v, "refbartitle", own);
    char valid[16];
    hl_batch_fmt(valid, sizeof valid, "%d %d", ymax[0] > 0 ? 1 : 0, ymax[1] > 0 ? 1 : 0);
    var_str(&v, "pvalid", valid);
    var_list(&v, "clusters", &clusters);
    var_num(&v, "nclusters", (double)nclusters);
    var_num(&v, "ymax1", ymax[0] > 0 ? ymax[0] : 1);
    var_num(&v, "ymax2", ymax[1] > 0 ? ymax[1] : 1);
    if (!run_gnuplot(c, "bars.gp", &v, stem)) return false;
    add_chart(c, stem, title);
    return true;
}

/* ---- heaplab against CPython and boehm ----------------------------------------- */

/* The heaplab configuration that models each reference, and the reference. */
typedef struct reference_pair {
    const char *allocator, *collector; /* heaplab's side */
    const ref_series *ref;             /* NULL: not in the batch */
    const char *ref_missing;           /* what to say when it is not */
} reference_pair;

static bool has_rows(const plot_ctx *c, const char *w, const char *a, const char *col) {
    for (size_t i = 0; i < c->count; i++)
        if (!strcmp(c->rows[i].workload, w) && !strcmp(c->rows[i].allocator, a) &&
            !strcmp(c->rows[i].collector, col) && !hl_batch_is_reference_row(&c->rows[i]))
            return true;
    return false;
}

static bool ref_has_rows(const plot_ctx *c, const char *w, const ref_series *s) {
    for (size_t i = 0; s != NULL && i < c->count; i++)
        if (!strcmp(c->rows[i].workload, w) && ref_matches(s, &c->rows[i])) return true;
    return false;
}

/* Series 0 (heaplab's side) or 1 (the reference) of a pair at size n, or NULL. */
static const hl_result_row *pair_row(const plot_ctx *c, const char *w, uint64_t n,
                                     const reference_pair *pair, bool have, size_t series) {
    if (series == 0) return have ? find_row(c, w, n, pair->allocator, pair->collector) : NULL;
    return pair->ref ? find_ref_row(c, w, n, pair->ref) : NULL;
}

/* reference-<workload>: four panels, time (top) and peak RSS (bottom) against n;
 * left rc_cycle on pool (the configuration that models CPython: reference counts,
 * the generational cycle detector, obmalloc-style pools) next to CPython's own rows,
 * right mark_sweep on libc next to boehm (a mark-sweep over the system malloc next to
 * a mark-sweep with its own allocator). What the batch lacks is said in its panel. */
static bool draw_reference(plot_ctx *c, const char *w) {
    reference_pair pairs[2] = {
        {"pool", "rc_cycle", NULL, "no CPython rows in this batch (--reference cpython)"},
        {"libc", "mark_sweep", NULL, "no boehm rows in this batch (--collectors ...,boehm)"},
    };
    for (size_t k = 0; k < c->nrefs; k++) {
        const ref_series *s = &c->refs[k];
        if (s->cpython && pairs[0].ref == NULL && ref_has_rows(c, w, s)) pairs[0].ref = s;
        if (!strcmp(s->collector, "boehm") && pairs[1].ref == NULL && ref_has_rows(c, w, s))
            pairs[1].ref = s;
    }
    bool have[2] = {has_rows(c, w, pairs[0].allocator, pairs[0].collector),
                    has_rows(c, w, pairs[1].allocator, pairs[1].collector)};
    if (!have[0] && !have[1] && pairs[0].ref == NULL && pairs[1].ref == NULL)
        return true; /* nothing to compare: the batch has none of the four */
    char ws[96], stem[128], name[192];
    slug(ws, sizeof ws, w);
    hl_batch_fmt(stem, sizeof stem, "reference-%s", ws);
    hl_batch_fmt(name, sizeof name, "%s.dat", stem);
    FILE *data = open_data(c, name);
    if (data == NULL) return false;
    int figures[2] = {hl_results_figure_index("real_time_ns"),
                      hl_results_figure_index("peak_rss_bytes")};
    double scales[2] = {1e6, MIB}, lo[2] = {INFINITY, INFINITY}, hi[2] = {0, 0};
    uint64_t sizes[64];
    size_t ns = sizes_of(c, w, sizes, 64);
    /* blocks: panel p = 2*figure + pair (time left, time right, RSS left, RSS right),
     * series 0 heaplab, 1 the reference: block 2*p + series */
    for (size_t f = 0; f < 2; f++)
        for (size_t q = 0; q < 2; q++)
            for (size_t series = 0; series < 2; series++) {
                size_t written = 0;
                for (size_t si = 0; si < ns; si++) {
                    const hl_result_row *r = pair_row(c, w, sizes[si], &pairs[q], have[q], series);
                    double v =
                        r && row_ok(r) ? hl_results_figure(r, (size_t)figures[f]) / scales[f] : NAN;
                    if (!(v > 0) || !isfinite(v)) continue;
                    fprintf(data, "%llu %.9g\n", (unsigned long long)sizes[si], v);
                    written++;
                    if (v < lo[f]) lo[f] = v;
                    if (v > hi[f]) hi[f] = v;
                }
                if (written == 0) fputs("nan nan\n", data);
                fputs("\n\n", data);
            }
    fclose(data);
    double ymin[2], ymax[2];
    for (size_t f = 0; f < 2; f++)
        log_range(lo[f], hi[f], &ymin[f], &ymax[f]);
    char counts[64] = "";
    size_t cn = 0;
    for (size_t f = 0; f < 2; f++)
        for (size_t q = 0; q < 2; q++) {
            size_t p = 2 * f + q, nfail = 0;
            hl_batch_fmt(name, sizeof name, "%s-fails-%zu.dat", stem, p + 1);
            FILE *ff = open_data(c, name);
            if (ff == NULL) return false;
            double y = ymin[f] * pow(ymax[f] / ymin[f], 0.04);
            for (size_t si = 0; si < ns; si++)
                for (size_t series = 0; series < 2; series++) {
                    const hl_result_row *r = pair_row(c, w, sizes[si], &pairs[q], have[q], series);
                    if (r == NULL || row_ok(r)) continue;
                    fprintf(ff, "%llu %.9g %s:%s\n", (unsigned long long)sizes[si], y,
                            series == 0 ? pairs[q].collector : pairs[q].ref->short_, r->status);
                    nfail++;
                }
            fclose(ff);
            cn += (size_t)hl_batch_fmt(counts + cn, cn < sizeof counts ? sizeof counts - cn : 0,
                                       "%s%zu", p ? " " : "", nfail);
        }
    uint64_t smin = ns ? sizes[0] : 1, smax = ns ? sizes[ns - 1] : 1;
    char title[160], data_name[200], fails_stem[200];
    hl_batch_fmt(title, sizeof title, "heaplab against CPython and boehm: %s", w);
    hl_batch_fmt(data_name, sizeof data_name, "data/%s.dat", stem);
    hl_batch_fmt(fails_stem, sizeof fails_stem, "data/%s-fails", stem);
    vars v = {.len = 0};
    var_str(&v, "title", title);
    var_str(&v, "note",
            "solid: heaplab, dashed: the real thing; median over the repetitions, log-log");
    var_str(&v, "data", data_name);
    var_str(&v, "fails", fails_stem);
    var_str(&v, "pfails", counts);
    var_num(&v, "xmin", (double)smin / (smin == smax ? 3.0 : 1.6));
    var_num(&v, "xmax", (double)smax * (smin == smax ? 3.0 : 1.6));
    var_num(&v, "ymin1", ymin[0]);
    var_num(&v, "ymax1", ymax[0]);
    var_num(&v, "ymin2", ymin[1]);
    var_num(&v, "ymax2", ymax[1]);
    for (size_t q = 0; q < 2; q++) {
        char key[32], text[200];
        int lt = names_index(&c->collectors, pairs[q].collector);
        hl_batch_fmt(key, sizeof key, "hlt%zu", q + 1);
        var_num(&v, key, lt >= 0 ? lt + 1 : (double)q + 1);
        hl_batch_fmt(key, sizeof key, "rcolour%zu", q + 1);
        var_str(&v, key, pairs[q].ref ? pairs[q].ref->colour : q == 0 ? "#000000" : "#7b3294");
        hl_batch_fmt(key, sizeof key, "ptitle%zu", q + 1);
        char ref_name[96];
        if (pairs[q].ref && pairs[q].ref->cpython)
            hl_batch_fmt(ref_name, sizeof ref_name, "CPython %s", pairs[q].ref->runtime + 8);
        else
            hl_batch_fmt(ref_name, sizeof ref_name, "%s",
                         pairs[q].ref ? pairs[q].ref->label
                         : q == 0     ? "CPython"
                                      : "boehm");
        hl_batch_fmt(text, sizeof text, "%s on %s (solid) vs %s (dashed)", pairs[q].collector,
                     pairs[q].allocator, ref_name);
        var_str(&v, key, text);
        /* what is missing, said in the panel */
        char missing[300] = "";
        if (!have[q])
            hl_batch_fmt(missing, sizeof missing, "no %s rows on %s in this batch",
                         pairs[q].collector, pairs[q].allocator);
        hl_batch_fmt(key, sizeof key, "missa%zu", q + 1);
        var_str(&v, key, missing);
        hl_batch_fmt(key, sizeof key, "missb%zu", q + 1);
        var_str(&v, key, pairs[q].ref ? "" : pairs[q].ref_missing);
    }
    if (!run_gnuplot(c, "reference.gp", &v, stem)) return false;
    add_chart(c, stem, title);
    set_caption(c, "Solid lines are heaplab, dashed lines the real thing, log-log. Left: rc_cycle "
                   "on pool, heaplab's model of CPython (reference counts, the generational cycle "
                   "detector, obmalloc-style pools), against CPython's own rows; right: mark_sweep "
                   "on libc against the Boehm collector on its own allocator. Top: time per run; "
                   "bottom: peak RSS of the process (CPython's includes its interpreter, about "
                   "15 MB). A panel says what the batch lacks.");
    return true;
}

/* ---- pauses ----------------------------------------------------------------- */

static bool draw_pauses(plot_ctx *c) {
    const char *stem = "pauses";
    FILE *data = open_data(c, "pauses.dat");
    if (data == NULL) return false;
    int f50 = hl_results_figure_index("gc_pause_p50_ns"),
        f99 = hl_results_figure_index("gc_pause_p99_ns"),
        fmax = hl_results_figure_index("gc_pause_max_ns");
    double lo = INFINITY, hi = 0;
    char pnote[256] = "", counts[256] = "";
    size_t pn = 0, cn = 0, fails[MAX_NAMES] = {0};
    for (size_t col = 0; col < c->collectors.n; col++) {
        bool any = false;
        for (size_t wi = 0; wi < c->workloads.n; wi++) {
            const char *w = c->workloads.v[wi];
            uint64_t sizes[64];
            size_t ns = sizes_of(c, w, sizes, 64);
            const hl_result_row *r =
                ns ? find_row(c, w, sizes[ns - 1], collector_allocator(c, c->collectors.v[col]),
                              c->collectors.v[col])
                   : NULL;
            fprintf(data, "%s", w);
            int figs[3] = {f50, f99, fmax};
            for (size_t k = 0; k < 3; k++) {
                double v = r && row_ok(r) ? hl_results_figure(r, (size_t)figs[k]) / 1e6 : NAN;
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
        pn += (size_t)hl_batch_fmt(pnote + pn, pn < sizeof pnote ? sizeof pnote - pn : 0, "%s%d",
                                   col ? " " : "", any ? 0 : 1);
    }
    fclose(data);
    double ymin, ymax;
    log_range(lo, hi, &ymin, &ymax);
    for (size_t col = 0; col < c->collectors.n; col++) {
        char name[96];
        hl_batch_fmt(name, sizeof name, "pauses-fails-%zu.dat", col + 1);
        FILE *ff = open_data(c, name);
        if (ff == NULL) return false;
        for (size_t wi = 0; wi < c->workloads.n; wi++) {
            uint64_t sizes[64];
            size_t ns = sizes_of(c, c->workloads.v[wi], sizes, 64);
            const hl_result_row *r =
                ns ? find_row(c, c->workloads.v[wi], sizes[ns - 1],
                              collector_allocator(c, c->collectors.v[col]), c->collectors.v[col])
                   : NULL;
            if (r == NULL || row_ok(r)) continue;
            fprintf(ff, "%zu %.6g %s\n", wi, ymin * pow(ymax / ymin, 0.04), r->status);
            fails[col]++;
        }
        fclose(ff);
        cn += (size_t)hl_batch_fmt(counts + cn, cn < sizeof counts ? sizeof counts - cn : 0,
                                   "%s%zu", col ? " " : "", fails[col]);
    }
    int cols, rows;
    /* no legend cell here: the legend is one line under the panels */
    cols = c->collectors.n < 3 ? (int)c->collectors.n : c->collectors.n == 4 ? 2 : 3;
    rows = (int)((c->collectors.n + (size_t)cols - 1) / (size_t)cols);
    char title[160], note[200];
    hl_batch_fmt(title, sizeof title, "Collector pauses: p50, p99 and max");
    hl_batch_fmt(note, sizeof note,
                 "each workload at its largest n, allocator %s (or the collector's own)",
                 c->main_allocator);
    vars v = {.len = 0};
    var_str(&v, "title", title);
    var_str(&v, "note", note);
    var_str(&v, "data", "data/pauses.dat");
    var_str(&v, "fails", "data/pauses-fails");
    var_str(&v, "pfails", counts);
    var_str(&v, "pnote", pnote);
    var_list(&v, "panels", &c->collectors);
    var_num(&v, "npanels", (double)c->collectors.n);
    var_num(&v, "cols", cols);
    var_num(&v, "rows", rows);
    var_num(&v, "ymin", ymin);
    var_num(&v, "ymax", ymax);
    if (!run_gnuplot(c, "pauses.gp", &v, stem)) return false;
    add_chart(c, stem, title);
    return true;
}

/* ---- leak ------------------------------------------------------------------- */

static bool draw_leak(plot_ctx *c) {
    int fig = hl_results_figure_index("leaked_bytes");
    names leakers = {.n = 0}, leaked_on = {.n = 0};
    for (size_t i = 0; i < c->count; i++) {
        const hl_result_row *r = &c->rows[i];
        double v = hl_results_figure(r, (size_t)fig);
        if (row_ok(r) && v > 0 && strcmp(r->allocator, collector_allocator(c, r->collector)) == 0) {
            names_add(&leakers, r->collector);
            names_add(&leaked_on, r->workload);
        }
    }
    if (leakers.n == 0) return true; /* the report says that nothing leaked */
    char note[256];
    hl_batch_fmt(
        note, sizeof note,
        "collectors that leak nothing have no panel; allocator %s (or the collector's own)",
        c->main_allocator);
    line_chart lc = {
        .stem = "leak",
        .title = "Bytes leaked (still live at teardown) against n",
        .note = note,
        .xlabel = "n (objects)",
        .ylabel = "leaked bytes (MiB)",
        .workload = NULL,
        .figure = fig,
        .scale = MIB,
        .panels = &leakers,
        .lines = &leaked_on,
        .panels_are_collectors = true,
    };
    return draw_lines(c, &lc);
}

/* ---- timelines -------------------------------------------------------------- */

static bool draw_timelines(plot_ctx *c) {
    char path[PATH_MAX + 64];
    hl_batch_fmt(path, sizeof path, "%s/timelines/index.csv", c->dir);
    if (access(path, F_OK) != 0) return true; /* a batch without timelines */
    hl_result_row *rows = NULL;
    size_t count = 0;
    if (!hl_results_read_csv(path, &rows, &count, c->error, c->error_size)) return false;
    bool ok = true;
    names done = {.n = 0};
    for (size_t i = 0; i < count && ok; i++) {
        const char *w = rows[i].workload;
        if (names_index(&done, w) >= 0) continue;
        names_add(&done, w);
        char files[2048] = "", legends[1024] = "", failed[512] = "";
        size_t fn = 0, ln = 0, xn = 0, n = 0;
        for (size_t k = i; k < count; k++) {
            const hl_result_row *r = &rows[k];
            if (strcmp(r->workload, w) != 0) continue;
            char file_slug[256], ws[96], rel[320], abs_path[PATH_MAX + 320];
            slug(ws, sizeof ws, r->workload);
            hl_batch_fmt(file_slug, sizeof file_slug, "%s_%llu_%s_%s", ws,
                         (unsigned long long)r->size, r->allocator, r->collector);
            hl_batch_fmt(rel, sizeof rel, "../timelines/%s.dat", file_slug);
            hl_batch_fmt(abs_path, sizeof abs_path, "%s/timelines/%s.dat", c->dir, file_slug);
            if (!row_ok(r) || access(abs_path, R_OK) != 0) {
                xn += (size_t)hl_batch_fmt(failed + xn, xn < sizeof failed ? sizeof failed - xn : 0,
                                           "%s%s: %s", xn ? ", " : "", r->collector,
                                           row_ok(r) ? "no data" : r->status);
                continue;
            }
            fn += (size_t)hl_batch_fmt(files + fn, fn < sizeof files ? sizeof files - fn : 0,
                                       "%s%s", n ? " " : "", rel);
            ln += (size_t)hl_batch_fmt(legends + ln, ln < sizeof legends ? sizeof legends - ln : 0,
                                       "%s%s", n ? " " : "", r->collector);
            n++;
        }
        char ws[96], stem[128], title[160], note[700];
        slug(ws, sizeof ws, w);
        hl_batch_fmt(stem, sizeof stem, "timeline-%s", ws);
        hl_batch_fmt(title, sizeof title, "Memory over time: %s, n = %llu, allocator %s", w,
                     (unsigned long long)rows[i].size, rows[i].allocator);
        hl_batch_fmt(note, sizeof note, "%s%s%s", "live object bytes during one run",
                     failed[0] ? "; failed: " : "", failed);
        if (n == 0) {
            /* nothing to draw a line from: the report lists the failures */
            continue;
        }
        vars v = {.len = 0};
        var_str(&v, "title", title);
        var_str(&v, "note", note);
        var_str(&v, "files", files);
        var_str(&v, "names", legends);
        var_num(&v, "n", (double)n);
        ok = run_gnuplot(c, "timeline.gp", &v, stem);
        if (ok) add_chart(c, stem, title);
    }
    free(rows);
    return ok;
}

/* ---- the folder ------------------------------------------------------------- */

bool hl_batch_load_results(const char *dir, hl_result_row **rows, size_t *count, char *error,
                           size_t error_size) {
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        hl_batch_fmt(error, error_size, "%s is not a folder", dir);
        return false;
    }
    char path[PATH_MAX + 32];
    hl_batch_fmt(path, sizeof path, "%s/results.csv", dir);
    if (access(path, F_OK) != 0) {
        hl_batch_fmt(error, error_size, "%s is not a heaplab results folder (no results.csv)", dir);
        return false;
    }
    return hl_results_read_csv(path, rows, count, error, error_size);
}

/* Remove the previous drawing (charts and data), so nothing stale survives. */
static void clear_charts(const char *charts) {
    const char *subs[] = {"", "/data"};
    for (size_t s = 0; s < 2; s++) {
        char dir[PATH_MAX + 16];
        hl_batch_fmt(dir, sizeof dir, "%s%s", charts, subs[s]);
        DIR *d = opendir(dir);
        if (d == NULL) continue;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            const char *dot = strrchr(e->d_name, '.');
            if (dot == NULL) continue;
            if (strcmp(dot, ".png") && strcmp(dot, ".svg") && strcmp(dot, ".dat") &&
                strcmp(dot, ".log"))
                continue;
            char path[PATH_MAX + 300];
            hl_batch_fmt(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
}

bool hl_plot_draw(const char *dir, hl_chart_list *charts, char *error, size_t error_size) {
    plot_ctx c;
    memset(&c, 0, sizeof c);
    c.dir = dir;
    c.list = charts;
    c.error = error;
    c.error_size = error_size;
    charts->count = 0;
    hl_batch_fmt(c.templates, sizeof c.templates, "%s/scripts/charts", HEAPLAB_SOURCE_DIR);
    char probe[PATH_MAX + 32];
    hl_batch_fmt(probe, sizeof probe, "%s/lines.gp", c.templates);
    if (access(probe, R_OK) != 0) {
        hl_batch_fmt(error, error_size, "chart templates not found in %s", c.templates);
        return false;
    }
    if (!hl_batch_load_results(dir, &c.rows, &c.count, error, error_size)) return false;
    hl_batch_fmt(c.charts, sizeof c.charts, "%s/charts", dir);
    char data_dir[PATH_MAX + 16];
    hl_batch_fmt(data_dir, sizeof data_dir, "%s/data", c.charts);
    mkdir(c.charts, 0755);
    mkdir(data_dir, 0755);
    clear_charts(c.charts);
    for (size_t i = 0; i < c.count; i++) {
        names_add(&c.workloads, c.rows[i].workload);
        names_add(&c.allocators, c.rows[i].allocator);
        names_add(&c.collectors, c.rows[i].collector);
    }
    /* Allocators that serve several collectors first, in batch order; one that serves a
     * single collector (boehm's own bdwgc, a reference runtime's pymalloc) after them. */
    size_t serves[MAX_NAMES] = {0};
    for (size_t a = 0; a < c.allocators.n; a++) {
        names seen = {.n = 0};
        for (size_t i = 0; i < c.count; i++)
            if (strcmp(c.rows[i].allocator, c.allocators.v[a]) == 0)
                names_add(&seen, c.rows[i].collector);
        serves[a] = seen.n;
    }
    for (size_t i = 1; i < c.allocators.n; i++)
        for (size_t k = i; k > 0 && serves[k - 1] < serves[k]; k--) {
            const char *name = c.allocators.v[k];
            size_t n = serves[k];
            c.allocators.v[k] = c.allocators.v[k - 1];
            serves[k] = serves[k - 1];
            c.allocators.v[k - 1] = name;
            serves[k - 1] = n;
        }
    c.main_allocator = c.allocators.n ? c.allocators.v[0] : "libc";
    if (names_index(&c.allocators, "libc") >= 0) c.main_allocator = "libc";
    classify(&c);

    bool ok = c.count > 0;
    if (!ok) hl_batch_fmt(error, error_size, "%s/results.csv has no rows", dir);
    int time_fig = hl_results_figure_index("real_time_ns");
    int rss_fig = hl_results_figure_index("peak_rss_bytes");
    for (size_t wi = 0; wi < c.workloads.n && ok; wi++) {
        const char *w = c.workloads.v[wi];
        char ws[96], stem[128], title[160];
        slug(ws, sizeof ws, w);
        hl_batch_fmt(stem, sizeof stem, "time-%s", ws);
        hl_batch_fmt(title, sizeof title, "Time per run against n: %s", w);
        line_chart lc = {
            .stem = stem,
            .title = title,
            .note = c.nrefs ? "median over the repetitions; a panel per allocator, a line per "
                              "collector; dashed: references, in every panel"
                            : "median over the repetitions; a panel per allocator, a line per "
                              "collector",
            .xlabel = "n (workload size)",
            .ylabel = "time per run (ms)",
            .workload = w,
            .figure = time_fig,
            .scale = 1e6,
            .panels = &c.panel_allocators,
            .lines = &c.line_collectors,
            .with_refs = true,
        };
        ok = draw_lines(&c, &lc);
        if (!ok) break;
        hl_batch_fmt(stem, sizeof stem, "rss-%s", ws);
        hl_batch_fmt(title, sizeof title, "Peak RSS against n: %s", w);
        lc.title = title;
        lc.note = c.nrefs ? "peak RSS of the configuration's process; a panel per allocator, "
                            "a line per collector; dashed: references, in every panel"
                          : "peak resident set of the configuration's process; a panel per "
                            "allocator, a line per collector";
        lc.ylabel = "peak RSS (MiB)";
        lc.figure = rss_fig;
        lc.scale = MIB;
        ok = draw_lines(&c, &lc) && draw_bars(&c, w) && draw_reference(&c, w);
    }
    ok = ok && draw_pauses(&c) && draw_leak(&c) && draw_timelines(&c);
    free(c.rows);
    return ok;
}

/* ---- the command ------------------------------------------------------------ */

int hl_cmd_plot(int argc, char **argv) {
    static const hl_cli_option options[] = {
        {"--help", NULL, "this help"},
        {NULL, NULL, NULL},
    };
    hl_cli_parser parser;
    hl_cli_parser_init(&parser, "plot", options, argc, argv);
    const char *dir = NULL;
    char error[HL_CLI_ERROR_SIZE];
    for (;;) {
        const hl_cli_option *option = NULL;
        const char *value = NULL;
        hl_cli_token token = hl_cli_next(&parser, &option, &value, error, sizeof error);
        if (token == HL_CLI_END) break;
        if (token == HL_CLI_BAD) return hl_cli_usage_error("%s", error);
        if (token == HL_CLI_OPTION) {
            printf("usage: heaplab plot DIR\nredraws the charts and report.html of a batch's "
                   "results folder\n");
            hl_cli_print_options(stdout, options);
            return HL_EXIT_OK;
        }
        if (token == HL_CLI_PASSTHROUGH || dir != NULL)
            return hl_cli_usage_error("plot: unexpected argument '%s' (usage: heaplab plot DIR)",
                                      value);
        dir = value;
    }
    if (dir == NULL)
        return hl_cli_usage_error("plot: missing the results folder (usage: heaplab "
                                  "plot DIR)");
    hl_result_row *rows = NULL;
    size_t count = 0;
    if (!hl_batch_load_results(dir, &rows, &count, error, sizeof error)) {
        char path[PATH_MAX + 32];
        hl_batch_fmt(path, sizeof path, "%s/results.csv", dir);
        /* a folder that is not a batch is a usage error; an unreadable file is not */
        bool unreadable = access(path, F_OK) == 0 && access(path, R_OK) != 0;
        return unreadable ? hl_cli_error("%s", error) : hl_cli_usage_error("plot: %s", error);
    }
    free(rows);
    hl_chart_list charts;
    memset(&charts, 0, sizeof charts);
    int code = HL_EXIT_OK;
    if (!hl_plot_draw(dir, &charts, error, sizeof error)) code = hl_cli_error("%s", error);
    char report_error[HL_CLI_ERROR_SIZE];
    if (!hl_report_write(dir, &charts, report_error, sizeof report_error))
        return hl_cli_error("%s", report_error);
    printf("%s/report.html (%zu charts)\n", dir, charts.count);
    return code;
}
