/* heaplab plot: a results folder's charts, drawn by gnuplot from templates.
 *
 * `heaplab plot DIR` reads DIR/results.csv (and DIR/timelines/index.csv), writes each
 * chart's data as small whitespace-separated files into DIR/charts/data/, and runs
 * gnuplot in DIR/charts with a template from scripts/charts/ and the chart's variables
 * (-e "name=value; ..."). Each template draws its chart as PNG and SVG. The charts:
 *
 *   summary-time-<family> collector x allocator heatmap of the geomean time ratio to
 *                       libc over a workload family (heatmap.gp, chart_heatmap.c)
 *   time-<workload>     time per run against n, log-log: a panel per allocator, a line
 *                       per collector, 95% intervals as error bars (lines.gp)
 *   per-object-<workload> the same times divided by n (lines.gp)
 *   rss-<workload>      peak RSS against n, the same layout (lines.gp)
 *   bars-<workload>     at the workload's largest n: time and peak RSS of every
 *                       allocator x collector as grouped bars (bars.gp)
 *   pauses              the pause CDF: a panel per workload, a line per collector
 *                       (lines.gp, from the runs' pause logs)
 *   mmu                 minimum mutator utilization against the window's width: a panel
 *                       per workload, a line per collector (lines.gp, chart_mmu.c, from
 *                       the runs' pause logs and their clock-on intervals)
 *   leak                bytes still live at teardown (the leak) against n, for every
 *                       collector that leaks and every workload it leaks on (lines.gp)
 *   timeline-<workload> live bytes over one run, a line per collector (timeline.gp)
 *   reference-<workload> heaplab against CPython and boehm: time and peak RSS of
 *                       rc_cycle on pool next to CPython, mark_sweep on libc next to
 *                       boehm (reference.gp)
 *
 * A configuration that failed (any status but ok) is drawn as a black cross labelled
 * with its status at its n (or bar), so nothing is silently missing. Every allocator
 * and collector keeps one style everywhere (chart_style.c); each chart's gnuplot
 * script is kept as charts/data/<stem>.gp; titles are one line and captions are
 * docs/charts.md's sections (chart_captions.c).
 *
 * Reference series (hl_report_is_reference_row): CPython's rows (runtime
 * "cpython-3.11", allocator "pymalloc", collector "cpython_gc") and a collector with
 * its own allocator (boehm on "bdwgc"). They are not heaplab configurations on one of
 * the batch's allocators, so instead of a panel of their own with a single line they
 * are drawn as dashed reference lines in every allocator panel of the time and RSS
 * charts (in their collector's colour), and as clusters with one bar ("own
 * allocator") in the bar charts. The pause chart gives each its own line (its
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

#include "bench/report/plot_internal.h"
#include "collectors/collector.h"

static bool gnuplot_on_path(void);

#ifndef HEAPLAB_SOURCE_DIR
#define HEAPLAB_SOURCE_DIR "."
#endif

int hl_plot_names_index(const hl_plot_names *s, const char *name) {
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0) return (int)i;
    return -1;
}

void hl_plot_names_add(hl_plot_names *s, const char *name) {
    if (hl_plot_names_index(s, name) < 0 && s->n < HL_PLOT_MAX_NAMES) s->v[s->n++] = name;
}

bool hl_plot_row_ok(const hl_result_row *r) {
    return strcmp(r->status, HL_STATUS_OK) == 0;
}

bool hl_plot_ref_matches(const hl_plot_ref *s, const hl_result_row *r) {
    return strcmp(r->runtime, s->runtime) == 0 && strcmp(r->allocator, s->allocator) == 0 &&
           strcmp(r->collector, s->collector) == 0;
}

const hl_result_row *hl_plot_find_ref_row(const hl_plot_ctx *c, const char *w, uint64_t size,
                                          const hl_plot_ref *s) {
    for (size_t i = 0; i < c->count; i++)
        if (c->rows[i].size == size && strcmp(c->rows[i].workload, w) == 0 &&
            hl_plot_ref_matches(s, &c->rows[i]))
            return &c->rows[i];
    return NULL;
}

/* The reference series, the panels and the lines (see the top of the file). */
void hl_plot_classify(hl_plot_ctx *c) {
    bool any_own = false;
    for (size_t i = 0; i < c->count; i++)
        any_own = any_own || !hl_report_is_reference_row(&c->rows[i]);
    for (size_t i = 0; i < c->count && any_own; i++) {
        const hl_result_row *r = &c->rows[i];
        if (!hl_report_is_reference_row(r)) {
            hl_plot_names_add(&c->line_collectors, r->collector);
            continue;
        }
        bool seen = false;
        for (size_t k = 0; k < c->nrefs; k++)
            seen = seen || hl_plot_ref_matches(&c->refs[k], r);
        if (seen || c->nrefs == HL_PLOT_MAX_REFS) continue;
        hl_plot_ref *s = &c->refs[c->nrefs++];
        s->runtime = r->runtime;
        s->allocator = r->allocator;
        s->collector = r->collector;
        s->cpython = strncmp(r->runtime, "cpython-", 8) == 0;
        if (s->cpython) {
            hl_report_fmt(s->label, sizeof s->label, "CPython %s (%s, %s)", r->runtime + 8,
                          r->allocator, r->collector);
            hl_report_fmt(s->short_, sizeof s->short_, "%s", r->runtime);
        } else if (strcmp(r->runtime, "heaplab") == 0 || r->runtime[0] == '\0') {
            hl_report_fmt(s->label, sizeof s->label, "%s (%s)", r->collector, r->allocator);
            hl_report_fmt(s->short_, sizeof s->short_, "%s", r->collector);
        } else {
            hl_report_fmt(s->label, sizeof s->label, "%s (%s, %s)", r->runtime, r->allocator,
                          r->collector);
            hl_report_fmt(s->short_, sizeof s->short_, "%s", r->runtime);
        }
        /* its collector's colour (chart_style.c): boehm's, cpython_gc's */
        hl_report_fmt(s->colour, sizeof s->colour, "%s",
                      hl_plot_style_of(HL_PLOT_COLLECTOR, r->collector).colour);
    }
    for (size_t a = 0; a < c->allocators.n; a++) {
        bool own = false;
        for (size_t i = 0; i < c->count && !own; i++)
            own = strcmp(c->rows[i].allocator, c->allocators.v[a]) == 0 &&
                  (!any_own || !hl_report_is_reference_row(&c->rows[i]));
        if (own) hl_plot_names_add(&c->panel_allocators, c->allocators.v[a]);
    }
    if (!any_own) c->line_collectors = c->collectors;
    for (size_t k = 0; k < c->nrefs; k++)
        if (!c->refs[k].cpython) c->bar_refs[c->nbar_refs++] = k;
}

/* The allocator a per-collector chart shows for `collector`: the main one (libc) when
 * the collector ran on it, else the first it ran on (boehm's own "bdwgc", a reference
 * runtime's "pymalloc"). */
const char *hl_plot_collector_allocator(const hl_plot_ctx *c, const char *collector) {
    const char *first = NULL;
    for (size_t i = 0; i < c->count; i++) {
        if (strcmp(c->rows[i].collector, collector) != 0) continue;
        if (strcmp(c->rows[i].allocator, c->main_allocator) == 0) return c->main_allocator;
        if (first == NULL) first = c->rows[i].allocator;
    }
    return first ? first : c->main_allocator;
}

const hl_result_row *hl_plot_find_row(const hl_plot_ctx *c, const char *w, uint64_t size,
                                      const char *a, const char *col) {
    for (size_t i = 0; i < c->count; i++) {
        const hl_result_row *r = &c->rows[i];
        if (r->size == size && strcmp(r->workload, w) == 0 && strcmp(r->allocator, a) == 0 &&
            strcmp(r->collector, col) == 0)
            return r;
    }
    return NULL;
}

bool hl_plot_interval(const hl_result_row *r, int figure, double *lo, double *hi) {
    for (size_t i = 0; i < hl_results_interval_count(); i++)
        if ((int)hl_results_interval_figure(i) == figure) {
            if (!isfinite(r->ci_low[i]) || !isfinite(r->ci_high[i]) || r->ci_low[i] > r->ci_high[i])
                return false; /* *lo and *hi keep what the caller put there */
            *lo = r->ci_low[i];
            *hi = r->ci_high[i];
            return true;
        }
    return false;
}

/* The sizes of workload w, ascending. */
size_t hl_plot_sizes_of(const hl_plot_ctx *c, const char *w, uint64_t *out, size_t max) {
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

void hl_plot_slug(char *out, size_t size, const char *text) {
    hl_report_fmt(out, size, "%s", text);
    for (char *p = out; *p; p++)
        if (*p == '/' || *p == ' ') *p = '-';
}

/* ---- gnuplot variables ------------------------------------------------------ */

void hl_plot_var_raw(hl_plot_vars *v, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
void hl_plot_var_raw(hl_plot_vars *v, const char *format, ...) {
    va_list args;
    va_start(args, format);
    if (v->len < sizeof v->text) {
        int n = vsnprintf(v->text + v->len, sizeof v->text - v->len, format, args);
        if (n > 0) v->len += (size_t)n;
    }
    va_end(args);
}

/* name='value' with gnuplot's single-quote escaping ('' for '). */
void hl_plot_var_str(hl_plot_vars *v, const char *name, const char *value) {
    hl_plot_var_raw(v, "%s='", name);
    for (const char *p = value; *p; p++)
        hl_plot_var_raw(v, *p == '\'' ? "''" : "%c", *p);
    hl_plot_var_raw(v, "'; ");
}

void hl_plot_var_num(hl_plot_vars *v, const char *name, double value) {
    hl_plot_var_raw(v, "%s=%.10g; ", name, value);
}

void hl_plot_var_refs(hl_plot_vars *v, const hl_plot_ctx *c, size_t nrefs) {
    hl_plot_var_num(v, "nrefs", (double)nrefs);
    for (size_t k = 0; k < nrefs; k++) {
        char name[32];
        hl_report_fmt(name, sizeof name, "reflabel%zu", k + 1);
        hl_plot_var_str(v, name, c->refs[k].label);
        hl_report_fmt(name, sizeof name, "refcolour%zu", k + 1);
        hl_plot_var_str(v, name, c->refs[k].colour);
    }
}

void hl_plot_var_list(hl_plot_vars *v, const char *name, const hl_plot_names *list) {
    char joined[2048] = "";
    size_t n = 0;
    for (size_t i = 0; i < list->n; i++)
        n += (size_t)hl_report_fmt(joined + n, n < sizeof joined ? sizeof joined - n : 0, "%s%s",
                                   i ? " " : "", list->v[i]);
    hl_plot_var_str(v, name, joined);
}

/* Run gnuplot in DIR/charts on a template; its messages go to charts/data/gnuplot.log. */
bool hl_plot_run_gnuplot(hl_plot_ctx *c, const char *template_name, hl_plot_vars *v,
                         const char *stem) {
    char log_path[PATH_MAX + 32];
    hl_report_fmt(log_path, sizeof log_path, "%s/data/gnuplot.log", c->charts);
    hl_plot_var_str(v, "templates", c->templates);
    hl_plot_var_str(v, "out", stem);
    if (v->len >= sizeof v->text) {
        hl_report_fmt(c->error, c->error_size, "chart %s: too many variables", stem);
        return false;
    }
    /* the chart's variables and its template as one script, data/<stem>.gp: what runs
     * is what a reader can rerun (`cd charts && gnuplot data/<stem>.gp`) */
    char script_name[PATH_MAX], script_path[PATH_MAX + 64];
    hl_report_fmt(script_name, sizeof script_name, "%s.gp", stem);
    FILE *script = hl_plot_open_data(c, script_name);
    if (script == NULL) return false;
    fprintf(script, "# %s: drawn by heaplab plot; run in charts/\n", stem);
    bool quoted = false; /* inside '...' ('' is a quote inside: toggles twice) */
    for (const char *p = v->text; *p; p++) { /* one statement a line */
        if (*p == '\'') quoted = !quoted;
        if (!quoted && p[0] == ';' && p[1] == ' ') {
            fputc('\n', script);
            p++;
        } else {
            fputc(*p, script);
        }
    }
    fputs("load templates . '/", script);
    fputs(template_name, script);
    fputs("'\n", script);
    if (fclose(script) != 0) {
        hl_report_fmt(c->error, c->error_size, "cannot write %s", script_name);
        return false;
    }
    hl_report_fmt(script_path, sizeof script_path, "data/%s", script_name);
    pid_t pid = fork();
    if (pid < 0) {
        hl_report_fmt(c->error, c->error_size, "cannot start gnuplot: %s", strerror(errno));
        return false;
    }
    if (pid == 0) {
        int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (log < 0 && (errno == EMFILE || errno == ENFILE)) _exit(125);
        if (chdir(c->charts) != 0) _exit(126);
        int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
        if (log >= 0) {
            dup2(log, STDOUT_FILENO);
            dup2(log, STDERR_FILENO);
        }
        char *argv[] = {"gnuplot", script_path, NULL};
        execvp("gnuplot", argv);
        /* 127: no gnuplot; 125: no descriptor left (ulimit -n); 126: another reason */
        _exit(errno == ENOENT ? 127 : errno == EMFILE || errno == ENFILE ? 125 : 126);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) break;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (code == 127 && !gnuplot_on_path())
            hl_report_fmt(c->error, c->error_size, "gnuplot is not installed (scripts/deps)");
        else if (code == 127) /* it is there: its loader could not start it */
            hl_report_fmt(c->error, c->error_size,
                          "gnuplot could not start for chart %s (no descriptor left: ulimit -n?; "
                          "see %s)",
                          stem, log_path);
        else if (code == 125)
            hl_report_fmt(c->error, c->error_size,
                          "cannot start gnuplot for chart %s: too many open files or no "
                          "descriptor left (ulimit -n?)",
                          stem);
        else if (code == 126)
            hl_report_fmt(c->error, c->error_size, "cannot start gnuplot for chart %s", stem);
        else
            hl_report_fmt(c->error, c->error_size, "gnuplot failed on chart %s (see %s)", stem,
                          log_path);
        return false;
    }
    const char *formats[] = {"png", "svg"};
    for (size_t i = 0; i < 2; i++) {
        char path[PATH_MAX + 128];
        hl_report_fmt(path, sizeof path, "%s/%s.%s", c->charts, stem, formats[i]);
        struct stat st;
        if (stat(path, &st) != 0 || st.st_size == 0) {
            hl_report_fmt(c->error, c->error_size, "gnuplot drew no %s (see %s)", path, log_path);
            return false;
        }
    }
    return true;
}

void hl_plot_add_chart(hl_plot_ctx *c, const char *stem, const char *title) {
    hl_chart_list *l = c->list;
    if (l->count >= sizeof l->names / sizeof l->names[0]) return;
    hl_report_fmt(l->names[l->count], sizeof l->names[0], "%s", stem);
    hl_report_fmt(l->titles[l->count], sizeof l->titles[0], "%s", title);
    l->count++;
}

FILE *hl_plot_open_data(hl_plot_ctx *c, const char *name) {
    char path[PATH_MAX + 128];
    hl_report_fmt(path, sizeof path, "%s/data/%s", c->charts, name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        hl_report_fmt(c->error, c->error_size, "cannot write %s: %s", path, strerror(errno));
    return f;
}

/* The hl_plot_grid of a panelled chart: panels plus one legend cell, at most 3 across. */
void hl_plot_grid(size_t panels, int *cols, int *rows) {
    size_t cells = panels + 1;
    *cols = cells < 3 ? (int)cells : 3;
    *rows = (int)((cells + (size_t)*cols - 1) / (size_t)*cols);
}

/* Range of a log axis around [lo, hi], with room below for failure marks. */
void hl_plot_log_range(double lo, double hi, double *min, double *max) {
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

/* ---- the folder ------------------------------------------------------------- */

/* Remove the previous drawing (charts and data), so nothing stale survives. */
/* Whether an executable gnuplot is on PATH (exit 127 means "not found" only then). */
static bool gnuplot_on_path(void) {
    const char *path = getenv("PATH");
    if (path == NULL) path = "/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        char candidate[PATH_MAX];
        hl_report_fmt(candidate, sizeof candidate, "%.*s/gnuplot", (int)n, path);
        if (n > 0 && access(candidate, X_OK) == 0) return true;
        path += n + (path[n] == ':');
    }
    return false;
}

static void clear_charts(const char *charts) {
    const char *subs[] = {"", "/data"};
    for (size_t s = 0; s < 2; s++) {
        char dir[PATH_MAX + 16];
        hl_report_fmt(dir, sizeof dir, "%s%s", charts, subs[s]);
        DIR *d = opendir(dir);
        if (d == NULL) continue;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            const char *dot = strrchr(e->d_name, '.');
            if (dot == NULL) continue;
            if (strcmp(dot, ".png") && strcmp(dot, ".svg") && strcmp(dot, ".dat") &&
                strcmp(dot, ".log") && strcmp(dot, ".gp"))
                continue;
            char path[PATH_MAX + 300];
            hl_report_fmt(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
}

bool hl_plot_read_pause_log(hl_plot_ctx *c, const char *path, bool *found,
                            bool (*row)(void *data, const char *phase, double start_ns,
                                        double duration_ns),
                            void *data) {
    *found = false;
    FILE *f = fopen(path, "r");
    if (f == NULL) return true;
    *found = true;
    char line[512];
    const char *header = HL_PLOT_PAUSES_HEADER;
    bool ok = fgets(line, sizeof line, f) != NULL && strncmp(line, header, strlen(header)) == 0;
    if (!ok) hl_report_fmt(c->error, c->error_size, "%s: not a pause log (%s)", path, header);
    for (size_t lineno = 2; ok && fgets(line, sizeof line, f) != NULL; lineno++) {
        unsigned long long call, iteration, start, duration;
        char kind[64], phase[64];
        if (sscanf(line, "%llu,%llu,%llu,%llu,%63[^,],%63[^,\r\n]", &call, &iteration, &start,
                   &duration, kind, phase) != 6) {
            hl_report_fmt(c->error, c->error_size, "%s: line %zu is not %s", path, lineno,
                          header);
            ok = false;
        } else if (!row(data, phase, (double)start, (double)duration)) {
            hl_report_fmt(c->error, c->error_size, "out of memory reading %s", path);
            ok = false;
        }
    }
    fclose(f);
    return ok;
}

/* A batch with --heap-factors holds each configuration once per factor. The time-space
 * chart takes those rows (c->sweep); every other chart, drawn against n, takes one heap
 * setting: the rows without a factor when there are any (the reference rows, a batch
 * without a sweep), else those at the largest factor, the roomiest heap, which is the
 * nearest to an unbudgeted run. */
static bool split_sweep(hl_plot_ctx *c) {
    double largest = 0;
    size_t swept = 0;
    for (size_t i = 0; i < c->count; i++)
        if (c->rows[i].heap_factor > 0) {
            swept++;
            if (c->rows[i].heap_factor > largest) largest = c->rows[i].heap_factor;
        }
    if (swept == 0) return true;
    c->sweep = malloc(swept * sizeof *c->sweep);
    if (c->sweep == NULL) {
        hl_report_fmt(c->error, c->error_size, "out of memory reading the sweep's rows");
        return false;
    }
    bool unswept_heaplab = false;
    for (size_t i = 0; i < c->count; i++)
        if (c->rows[i].heap_factor == 0 && !hl_report_is_reference_row(&c->rows[i]))
            unswept_heaplab = true;
    size_t kept = 0;
    for (size_t i = 0; i < c->count; i++) {
        hl_result_row r = c->rows[i];
        if (r.heap_factor > 0) c->sweep[c->sweep_count++] = r;
        if (r.heap_factor == 0 || (!unswept_heaplab && r.heap_factor == largest))
            c->rows[kept++] = r;
    }
    c->count = kept;
    return true;
}

bool hl_plot_draw(const char *dir, hl_chart_list *charts, char *error, size_t error_size) {
    hl_plot_ctx c;
    memset(&c, 0, sizeof c);
    c.dir = dir;
    c.list = charts;
    c.error = error;
    c.error_size = error_size;
    charts->count = 0;
    hl_report_fmt(c.templates, sizeof c.templates, "%s/scripts/charts", HEAPLAB_SOURCE_DIR);
    char probe[PATH_MAX + 32];
    hl_report_fmt(probe, sizeof probe, "%s/lines.gp", c.templates);
    if (access(probe, R_OK) != 0) {
        hl_report_fmt(error, error_size, "chart templates not found in %s", c.templates);
        return false;
    }
    if (!hl_report_load_results(dir, &c.rows, &c.count, error, error_size)) return false;
    if (!split_sweep(&c)) {
        free(c.rows);
        return false;
    }
    hl_report_fmt(c.charts, sizeof c.charts, "%s/charts", dir);
    char data_dir[PATH_MAX + 16];
    hl_report_fmt(data_dir, sizeof data_dir, "%s/data", c.charts);
    /* charts/ and charts/data/ are cleared and written: never through a link planted
     * there (it would delete and write in the folder it points to) */
    const char *subfolders[] = {c.charts, data_dir};
    for (size_t i = 0; i < 2; i++) {
        struct stat st;
        if (lstat(subfolders[i], &st) != 0) mkdir(subfolders[i], 0755);
        if (lstat(subfolders[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
            hl_report_fmt(error, error_size, "%s is %s: heaplab draws only into a real folder",
                          subfolders[i],
                          lstat(subfolders[i], &st) == 0 && S_ISLNK(st.st_mode)
                              ? "a symbolic link"
                              : "not a folder");
            free(c.rows);
            free(c.sweep);
            return false;
        }
    }
    clear_charts(c.charts);
    for (size_t i = 0; i < c.count; i++) {
        hl_plot_names_add(&c.workloads, c.rows[i].workload);
        hl_plot_names_add(&c.allocators, c.rows[i].allocator);
        hl_plot_names_add(&c.collectors, c.rows[i].collector);
    }
    /* Allocators that serve several collectors first, in batch order; one that serves a
     * single collector (boehm's own bdwgc, a reference runtime's pymalloc) after them. */
    size_t serves[HL_PLOT_MAX_NAMES] = {0};
    for (size_t a = 0; a < c.allocators.n; a++) {
        hl_plot_names seen = {.n = 0};
        for (size_t i = 0; i < c.count; i++)
            if (strcmp(c.rows[i].allocator, c.allocators.v[a]) == 0)
                hl_plot_names_add(&seen, c.rows[i].collector);
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
    const char *baseline = hl_report_baseline_allocator();
    c.main_allocator = c.allocators.n ? c.allocators.v[0] : baseline;
    if (hl_plot_names_index(&c.allocators, baseline) >= 0) c.main_allocator = baseline;
    hl_plot_classify(&c);

    bool ok = c.count > 0;
    if (!ok) hl_report_fmt(error, error_size, "%s/results.csv has no rows", dir);
    int time_fig = hl_results_figure_index("real_time_ns");
    int rss_fig = hl_results_figure_index("peak_rss_bytes");
    for (size_t wi = 0; wi < c.workloads.n && ok; wi++) {
        const char *w = c.workloads.v[wi];
        char ws[96], stem[128], title[160];
        hl_plot_slug(ws, sizeof ws, w);
        hl_report_fmt(stem, sizeof stem, "time-%s", ws);
        hl_report_fmt(title, sizeof title, "Time per run against n: %s", w);
        hl_plot_line_chart lc = {
            .stem = stem,
            .title = title,
            .note = "",
            .xlabel = "n (workload size)",
            .ylabel = "time per run (ms)",
            .workload = w,
            .figure = time_fig,
            .scale = 1e6,
            .panels = &c.panel_allocators,
            .lines = &c.line_collectors,
            .with_refs = true,
        };
        ok = hl_plot_draw_lines(&c, &lc);
        if (!ok) break;
        /* the same times per object: where log-log lines of slope 1 lie on top of each
         * other, time / n tells them apart */
        hl_report_fmt(stem, sizeof stem, "per-object-%s", ws);
        hl_report_fmt(title, sizeof title, "Time per object (time / n) against n: %s", w);
        lc.title = title;
        lc.ylabel = "time per object (ns)";
        lc.scale = 1;
        lc.per_object = true;
        ok = hl_plot_draw_lines(&c, &lc);
        if (!ok) break;
        lc.per_object = false;
        hl_report_fmt(stem, sizeof stem, "rss-%s", ws);
        hl_report_fmt(title, sizeof title, "Peak RSS against n: %s", w);
        lc.title = title;
        lc.ylabel = "peak RSS (MiB)";
        lc.figure = rss_fig;
        lc.scale = HL_PLOT_MIB;
        ok = hl_plot_draw_lines(&c, &lc) && hl_plot_draw_bars(&c, w) &&
             hl_plot_draw_reference(&c, w);
    }
    ok = ok && hl_plot_draw_heatmaps(&c) && hl_plot_draw_time_space(&c) &&
         hl_plot_draw_pauses(&c) && hl_plot_draw_mmu(&c) && hl_plot_draw_leak(&c) &&
         hl_plot_draw_timelines(&c);
    free(c.rows);
    free(c.sweep);
    return ok;
}
