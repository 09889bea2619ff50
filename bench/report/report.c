/* heaplab report: DIR/report.html, one page for a batch.
 *
 * Sections, in order: the counts (configurations, ok, failed, reference rows); the
 * contents (an anchor to every section and every chart); the summary: its heatmaps
 * (charts whose stem starts with "summary-") and tables (for each collector and
 * workload at the workload's largest n: the best allocator and every allocator's ratio
 * to libc, for time and for peak RSS; heaplab's own configurations only); every other
 * chart (PNG, with a link to its SVG, a one-line title and its caption: docs/charts.md's
 * section for it, compiled in by chart_captions.c); the reference table (each
 * reference row at the largest n next to the heaplab configuration that models it),
 * the failures (every row whose status is not ok, with its error), and the manifest.
 * The page has no scripts and no external resources: it opens from the folder,
 * anywhere.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/report/report.h"

void hl_report_write_html_text(FILE *out, const char *text) {
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out);
            break;
        default:
            fputc(*p, out);
        }
    }
}

#define MAX_NAMES 64

typedef struct report_job {
    const char *dir;
    const hl_chart_list *charts;
    hl_result_row *rows;
    size_t count;
    const char *workloads[MAX_NAMES], *allocators[MAX_NAMES], *collectors[MAX_NAMES];
    size_t nw, na, nc;
    size_t nref; /* reference rows (not in the summary tables) */
} report_job;

static void add_name(const char **list, size_t *n, const char *name) {
    for (size_t i = 0; i < *n; i++)
        if (strcmp(list[i], name) == 0) return;
    if (*n < MAX_NAMES) list[(*n)++] = name;
}

static bool ok_row(const hl_result_row *r) {
    return strcmp(r->status, HL_STATUS_OK) == 0;
}

static const hl_result_row *find(const report_job *j, const char *w, uint64_t n, const char *a,
                                 const char *c) {
    for (size_t i = 0; i < j->count; i++) {
        const hl_result_row *r = &j->rows[i];
        if (r->size == n && !strcmp(r->workload, w) && !strcmp(r->allocator, a) &&
            !strcmp(r->collector, c) && (j->nref == 0 || !hl_report_is_reference_row(r)))
            return r;
    }
    return NULL;
}

static uint64_t largest_size(const report_job *j, const char *w) {
    uint64_t n = 0;
    for (size_t i = 0; i < j->count; i++)
        if (!strcmp(j->rows[i].workload, w) && j->rows[i].size > n) n = j->rows[i].size;
    return n;
}

static void format_value(char *buf, size_t size, double v, bool bytes) {
    if (!isfinite(v))
        hl_report_fmt(buf, size, "&ndash;");
    else if (bytes)
        hl_report_fmt(buf, size, "%.1f MiB", v / 1048576.0);
    else if (v >= 1e9)
        hl_report_fmt(buf, size, "%.2f s", v / 1e9);
    else if (v >= 1e6)
        hl_report_fmt(buf, size, "%.2f ms", v / 1e6);
    else
        hl_report_fmt(buf, size, "%.1f &micro;s", v / 1e3);
}

/* The 95% interval of figure f of row r, when the row has one (more than one
 * invocation). */
static bool interval_of(const hl_result_row *r, int f, double *lo, double *hi) {
    for (size_t i = 0; i < hl_results_interval_count(); i++)
        if ((int)hl_results_interval_figure(i) == f) {
            *lo = r->ci_low[i];
            *hi = r->ci_high[i];
            return isfinite(*lo) && isfinite(*hi);
        }
    return false;
}

/* A row whose time varies by more than 10% of its median over the invocations (its
 * coefficient of variation, as pyperf warns): its time is marked "unstable". */
#define UNSTABLE_CV 0.10
static bool unstable(const hl_result_row *r) {
    return ok_row(r) && r->real_time_ns > 0 && isfinite(r->real_time_ns_stddev) &&
           r->real_time_ns_stddev / r->real_time_ns > UNSTABLE_CV;
}

/* One summary table for a figure: rows collector x workload, columns: the best
 * allocator, then each allocator's value / libc's. An allocator is named best only
 * when it is clearly so: its interval's top lies below the runner-up's interval's
 * bottom (or it is the only one that succeeded); otherwise the cell says the two are
 * within their intervals, and a row without intervals (one invocation) names none. */
static void summary_table(FILE *out, const report_job *j, const char *figure, bool bytes,
                          const char *caption, const char *id) {
    int f = hl_results_figure_index(figure);
    const char *baseline = hl_report_baseline_allocator();
    bool has_libc = false; /* the baseline allocator is in the batch */
    for (size_t a = 0; a < j->na; a++)
        has_libc = has_libc || !strcmp(j->allocators[a], baseline);
    fputs("<table class=\"summary\" id=\"", out);
    hl_report_write_html_text(out, id);
    fputs("\">\n<caption>", out);
    hl_report_write_html_text(out, caption);
    fputs("</caption>\n<tr><th>collector</th><th>workload</th><th>n</th><th>best allocator</th>",
          out);
    for (size_t a = 0; a < j->na; a++) {
        fputs("<th>", out);
        hl_report_write_html_text(out, j->allocators[a]);
        if (has_libc) {
            fputs(" / ", out);
            hl_report_write_html_text(out, baseline);
        }
        fputs("</th>", out);
    }
    fputs("</tr>\n", out);
    for (size_t c = 0; c < j->nc; c++)
        for (size_t w = 0; w < j->nw; w++) {
            uint64_t n = largest_size(j, j->workloads[w]);
            const hl_result_row *base =
                has_libc ? find(j, j->workloads[w], n, baseline, j->collectors[c]) : NULL;
            double base_v = base && ok_row(base) ? hl_results_figure(base, (size_t)f) : NAN;
            const char *best = NULL, *second = NULL;
            const hl_result_row *best_r = NULL, *second_r = NULL;
            double best_v = INFINITY, second_v = INFINITY;
            bool any = false;
            for (size_t a = 0; a < j->na; a++) {
                const hl_result_row *r =
                    find(j, j->workloads[w], n, j->allocators[a], j->collectors[c]);
                any = any || r != NULL;
                double v = r && ok_row(r) ? hl_results_figure(r, (size_t)f) : NAN;
                if (isfinite(v) && v < best_v) {
                    second_v = best_v, second = best, second_r = best_r;
                    best_v = v, best = j->allocators[a], best_r = r;
                } else if (isfinite(v) && v < second_v) {
                    second_v = v, second = j->allocators[a], second_r = r;
                }
            }
            double best_lo, best_hi, second_lo, second_hi;
            bool clear = best != NULL &&
                         (second == NULL || (interval_of(best_r, f, &best_lo, &best_hi) &&
                                             interval_of(second_r, f, &second_lo, &second_hi) &&
                                             best_hi < second_lo));
            if (!any) continue;
            fputs("<tr><td>", out);
            hl_report_write_html_text(out, j->collectors[c]);
            fputs("</td><td>", out);
            hl_report_write_html_text(out, j->workloads[w]);
            fprintf(out, "</td><td>%llu</td><td class=\"%s\">", (unsigned long long)n,
                    clear ? "best" : "unclear");
            char value[64];
            if (clear) {
                format_value(value, sizeof value, best_v, bytes);
                hl_report_write_html_text(out, best);
                fprintf(out, " (%s)", value);
            } else if (best) {
                fputs("no clear best: ", out);
                hl_report_write_html_text(out, best);
                fputs(" and ", out);
                hl_report_write_html_text(out, second);
                fputs(" are within their intervals", out);
            } else {
                fputs("none succeeded", out);
            }
            fputs("</td>", out);
            for (size_t a = 0; a < j->na; a++) {
                const hl_result_row *r =
                    find(j, j->workloads[w], n, j->allocators[a], j->collectors[c]);
                if (r == NULL) {
                    fputs("<td>&ndash;</td>", out);
                } else if (!ok_row(r)) {
                    fputs("<td class=\"failed\">", out);
                    hl_report_write_html_text(out, r->status);
                    fputs("</td>", out);
                } else {
                    double v = hl_results_figure(r, (size_t)f);
                    bool is_best = clear && !strcmp(best, j->allocators[a]);
                    bool shaky = f == hl_results_figure_index("real_time_ns") && unstable(r);
                    const char *cls = is_best && shaky ? " class=\"best unstable\""
                                      : is_best        ? " class=\"best\""
                                      : shaky          ? " class=\"unstable\""
                                                       : "";
                    if (has_libc && isfinite(base_v) && base_v > 0 && isfinite(v))
                        hl_report_fmt(value, sizeof value, "%.2f&times;", v / base_v);
                    else
                        format_value(value, sizeof value, v, bytes);
                    fprintf(out, "<td%s>%s%s</td>", cls, value,
                            shaky ? " <span class=\"unstable\">unstable</span>" : "");
                }
            }
            fputs("</tr>\n", out);
        }
    fputs("</table>\n", out);
}

/* A figure's cell: the value, or the row's status, or a dash. */
static void figure_cell(FILE *out, const hl_result_row *r, const char *figure, int kind) {
    if (r == NULL) {
        fputs("<td>&ndash;</td>", out);
        return;
    }
    if (!ok_row(r)) {
        fputs("<td class=\"failed\">", out);
        hl_report_write_html_text(out, r->status);
        fputs("</td>", out);
        return;
    }
    double v = hl_results_figure(r, (size_t)hl_results_figure_index(figure));
    char value[64];
    if (kind == 2) { /* per object */
        if (isfinite(v) && r->size > 0)
            hl_report_fmt(value, sizeof value, "%.1f ns", v / (double)r->size);
        else
            hl_report_fmt(value, sizeof value, "&ndash;");
    } else {
        format_value(value, sizeof value, v, kind == 1);
    }
    fprintf(out, "<td>%s</td>", value);
}

static void ratio_cell(FILE *out, const hl_result_row *a, const hl_result_row *b,
                       const char *figure) {
    int f = hl_results_figure_index(figure);
    double va = a && ok_row(a) ? hl_results_figure(a, (size_t)f) : NAN;
    double vb = b && ok_row(b) ? hl_results_figure(b, (size_t)f) : NAN;
    if (isfinite(va) && isfinite(vb) && vb > 0)
        fprintf(out, "<td>%.2f&times;</td>", va / vb);
    else
        fputs("<td>&ndash;</td>", out);
}

/* The workloads that have heaplab rows but no rows of a reference runtime the batch
 * has: the reference script has no port of them (the batch gave them no row rather than
 * a crashed one). Said in one line per runtime. */
static void missing_reference_rows(FILE *out, const report_job *j) {
    const char *runtimes[8];
    size_t nr = 0;
    for (size_t i = 0; i < j->count; i++) {
        const char *rt = j->rows[i].runtime;
        if (rt[0] == '\0' || strcmp(rt, "heaplab") == 0) continue;
        add_name(runtimes, &nr, rt);
        if (nr == 8) break;
    }
    for (size_t r = 0; r < nr; r++) {
        char list[1024] = "";
        size_t used = 0, missing = 0;
        for (size_t w = 0; w < j->nw; w++) {
            bool have = false;
            for (size_t i = 0; i < j->count && !have; i++)
                have = !strcmp(j->rows[i].workload, j->workloads[w]) &&
                       !strcmp(j->rows[i].runtime, runtimes[r]);
            if (have) continue;
            used += (size_t)hl_report_fmt(list + used, used < sizeof list ? sizeof list - used : 0,
                                          "%s%s", missing++ ? ", " : "", j->workloads[w]);
        }
        if (missing == 0) continue;
        fputs("<p class=\"missing\">", out);
        hl_report_write_html_text(out, runtimes[r]);
        fputs(" has no rows for ", out);
        hl_report_write_html_text(out, list);
        fputs(": its reference script has no port of them (they get no row, not a crashed "
              "one; <code>scripts/reference/cpython_workloads.py --variants</code> lists what "
              "it has).</p>\n",
              out);
    }
}

/* Each reference row at its workload's largest n next to the heaplab configuration
 * that models it, as the collectors declare it (hl_collector_ops.reference). */
static void reference_table(FILE *out, const report_job *j) {
    fputs("<h2 id=\"reference\">Reference rows</h2>\n", out);
    if (j->nref == 0) {
        fputs("<p>This batch has no reference rows (CPython: <code>heaplab batch --reference "
              "cpython</code>; boehm: the <code>boehm</code> collector).</p>\n",
              out);
        return;
    }
    /* what models what, as the collectors declare it (hl_collector_ops.reference) */
    char pairs[512] = "";
    size_t used = 0;
    for (size_t i = 0; hl_collector_registry[i] != NULL; i++) {
        const hl_collector_ops *ops = hl_collector_registry[i];
        if (ops->reference == NULL || ops->reference_allocator == NULL) continue;
        bool cpython = strcmp(ops->reference, "cpython") == 0;
        used += (size_t)hl_report_fmt(pairs + used, used < sizeof pairs ? sizeof pairs - used : 0,
                                      "%s%s next to %s on %s", used ? ", " : "",
                                      cpython ? "CPython" : ops->reference, ops->name,
                                      ops->reference_allocator);
    }
    fputs("<p>Each reference at the workload's largest n, next to the heaplab configuration "
          "that models it: ",
          out);
    hl_report_write_html_text(out, pairs);
    fputs(". The ratios are reference / heaplab. The max pause is usually the final full "
          "collection; per object means divided by n. docs/reference.md says what compares "
          "and what does not.</p>\n",
          out);
    fputs("<table class=\"reference\">\n<tr><th>workload</th><th>n</th><th>reference</th>"
          "<th>time</th><th>peak RSS</th><th>max pause</th><th>max pause per object</th>"
          "<th>heaplab</th><th>time</th><th>peak RSS</th><th>max pause</th>"
          "<th>max pause per object</th><th>time ratio</th><th>RSS ratio</th></tr>\n",
          out);
    for (size_t w = 0; w < j->nw; w++) {
        uint64_t n = largest_size(j, j->workloads[w]);
        for (size_t i = 0; i < j->count; i++) {
            const hl_result_row *r = &j->rows[i];
            if (r->size != n || strcmp(r->workload, j->workloads[w]) != 0 ||
                !hl_report_is_reference_row(r))
                continue;
            bool cpython = strncmp(r->runtime, "cpython-", 8) == 0;
            const hl_collector_ops *model = hl_report_model_of(r);
            const char *a = model ? model->reference_allocator : "-";
            const char *c = model ? model->name : "-";
            const hl_result_row *h = model ? find(j, r->workload, n, a, c) : NULL;
            char label[160];
            if (cpython)
                hl_report_fmt(label, sizeof label, "CPython %s (%s, %s)", r->runtime + 8,
                              r->allocator, r->collector);
            else
                hl_report_fmt(label, sizeof label, "%s (%s)", r->collector, r->allocator);
            fputs("<tr><td>", out);
            hl_report_write_html_text(out, r->workload);
            fprintf(out, "</td><td>%llu</td><td>", (unsigned long long)n);
            hl_report_write_html_text(out, label);
            fputs("</td>", out);
            figure_cell(out, r, "real_time_ns", 0);
            figure_cell(out, r, "peak_rss_bytes", 1);
            figure_cell(out, r, "gc_pause_max_ns", 0);
            figure_cell(out, r, "gc_pause_max_ns", 2);
            fprintf(out, "<td>%s on %s</td>", c, a);
            figure_cell(out, h, "real_time_ns", 0);
            figure_cell(out, h, "peak_rss_bytes", 1);
            figure_cell(out, h, "gc_pause_max_ns", 0);
            figure_cell(out, h, "gc_pause_max_ns", 2);
            ratio_cell(out, r, h, "real_time_ns");
            ratio_cell(out, r, h, "peak_rss_bytes");
            fputs("</tr>\n", out);
        }
    }
    fputs("</table>\n", out);
    missing_reference_rows(out, j);
}

/* The summary's own charts (the heatmaps) open the page; the rest follow it. */
static bool is_summary_chart(const char *stem) {
    return strncmp(stem, "summary-", 8) == 0;
}

static void toc_entry(FILE *out, const hl_chart_list *charts, size_t i) {
    fputs("<li><a href=\"#", out);
    hl_report_write_html_text(out, charts->names[i]);
    fputs("\">", out);
    hl_report_write_html_text(out, charts->titles[i]);
    fputs("</a></li>\n", out);
}

/* A chart: its PNG (linking to its SVG), its one-line title and its caption, which is
 * docs/charts.md's section for it (chart_captions.c). */
static void chart_figure(FILE *out, const hl_chart_list *charts, size_t i) {
    const char *name = charts->names[i];
    /* a heatmap is drawn at its own size, a small chart: not stretched to the page */
    fputs(is_summary_chart(name) ? "<figure class=\"heatmap\" id=\"" : "<figure id=\"", out);
    hl_report_write_html_text(out, name);
    fputs("\"><a href=\"charts/", out);
    hl_report_write_html_text(out, name);
    fputs(".svg\"><img src=\"charts/", out);
    hl_report_write_html_text(out, name);
    fputs(".png\" alt=\"", out);
    hl_report_write_html_text(out, charts->titles[i]);
    fputs("\"></a><figcaption><span class=\"title\">", out);
    hl_report_write_html_text(out, charts->titles[i]);
    fputs("</span> (<a href=\"charts/", out);
    hl_report_write_html_text(out, name);
    fputs(".svg\">SVG</a>, <a href=\"#contents\">contents</a>)<div class=\"caption\">", out);
    hl_report_write_caption_html(out, name);
    fputs("</div></figcaption></figure>\n", out);
}

static bool write_report(FILE *out, void *data) {
    const report_job *j = data;
    size_t failed = 0;
    for (size_t i = 0; i < j->count; i++)
        failed += !ok_row(&j->rows[i]);
    const char *base = strrchr(j->dir, '/');
    base = base && base[1] ? base + 1 : j->dir;

    /* No script may run in the report, whatever a results folder holds: every value is
     * escaped (hl_report_write_html_text), and the policy forbids scripts anyway. */
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; "
          "script-src 'none'; object-src 'none'; style-src 'unsafe-inline'; img-src 'self'\">\n"
          "<title>heaplab "
          "batch ",
          out);
    hl_report_write_html_text(out, base);
    fputs("</title>\n<style>\n"
          "body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 24px auto; "
          "max-width: 1240px; color: #222; background: #fff; }\n"
          "h1 { font-size: 26px; border-bottom: 3px solid #1f77b4; padding-bottom: 6px; }\n"
          "h2 { font-size: 20px; margin-top: 36px; color: #1f4e79; }\n"
          "figure { margin: 18px 0 30px 0; } figure img { width: 100%; border: 1px solid #ccc; }\n"
          "figcaption { font-size: 14px; color: #444; margin-top: 4px; }\n"
          "figcaption .title { font-weight: bold; color: #222; }\n"
          "figure.heatmap img { width: auto; max-width: 100%; }\n"
          ".caption { font-size: 14px; color: #333; max-width: 980px; }\n"
          ".caption p, .caption ul { margin: 6px 0; }\n"
          "nav.toc { background: #f5f7fa; border: 1px solid #d5dde8; padding: 4px 18px; }\n"
          "nav.toc ol { margin: 4px 0; } nav.toc li { margin: 2px 0; font-size: 14px; }\n"
          "table { border-collapse: collapse; margin: 12px 0 24px 0; font-size: 13px; }\n"
          "th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; }\n"
          "th { background: #e8eef5; } caption { text-align: left; font-weight: bold; "
          "padding: 6px 0; }\n"
          "td.unclear { color: #555; font-style: italic; }\n"
          "span.unstable { color: #a05a00; font-size: 11px; font-weight: bold; }\n"
          "td.best { background: #e3f4e1; } td.failed { background: #fbe3e3; color: #900; }\n"
          ".counts span { display: inline-block; margin-right: 24px; font-size: 16px; }\n"
          ".manifest th { width: 260px; }\n"
          "</style>\n</head>\n<body>\n<h1>heaplab batch ",
          out);
    hl_report_write_html_text(out, base);
    fprintf(out,
            "</h1>\n<p class=\"counts\"><span><b>%zu</b> configurations</span>"
            "<span><b>%zu</b> ok</span><span><b>%zu</b> failed</span>"
            "<span><b>%zu</b> reference rows</span><span><b>%zu</b> charts</span></p>\n",
            j->count, j->count - failed, failed, j->nref, j->charts->count);
    fputs("<p>Files: <a href=\"results.csv\">results.csv</a>, <a href=\"results.json\">"
          "results.json</a> (Google Benchmark JSON), <a href=\"manifest.json\">manifest.json</a>. "
          "How to read each chart: docs/charts.md.</p>\n",
          out);

    /* the contents: every section and every chart, by its anchor */
    fputs("<nav class=\"toc\" id=\"contents\">\n<h2>Contents</h2>\n<ol>\n"
          "<li><a href=\"#summary\">Summary</a><ol>\n",
          out);
    for (size_t i = 0; i < j->charts->count; i++)
        if (is_summary_chart(j->charts->names[i])) toc_entry(out, j->charts, i);
    fputs("<li><a href=\"#summary-time\">Time per run, ratio to the baseline</a></li>\n"
          "<li><a href=\"#summary-rss\">Peak RSS, ratio to the baseline</a></li>\n</ol></li>\n"
          "<li><a href=\"#charts\">Charts</a><ol>\n",
          out);
    for (size_t i = 0; i < j->charts->count; i++)
        if (!is_summary_chart(j->charts->names[i])) toc_entry(out, j->charts, i);
    hl_minheap_table heaps = {NULL, 0, 0};
    hl_minheap_read(j->dir, &heaps);
    fputs("</ol></li>\n<li><a href=\"#reference\">Reference rows</a></li>\n", out);
    if (heaps.count > 0) fputs("<li><a href=\"#minheap\">Minimum heap</a></li>\n", out);
    fputs("<li><a href=\"#hosts\">Hosts</a></li>\n"
          "<li><a href=\"#failures\">Failures</a></li>\n"
          "<li><a href=\"#manifest\">Manifest</a></li>\n</ol>\n</nav>\n",
          out);

    const char *baseline = hl_report_baseline_allocator();
    fputs("<h2 id=\"summary\">Summary</h2>\n", out);
    for (size_t i = 0; i < j->charts->count; i++)
        if (is_summary_chart(j->charts->names[i])) chart_figure(out, j->charts, i);
    fputs("<div class=\"caption\" data-section=\"summary\">", out);
    hl_report_write_caption_html(out, "summary");
    fputs("</div>\n", out);
    char caption[128];
    hl_report_fmt(caption, sizeof caption, "Time per run (median), ratio to %s", baseline);
    summary_table(out, j, "real_time_ns", false, caption, "summary-time");
    hl_report_fmt(caption, sizeof caption, "Peak RSS, ratio to %s", baseline);
    summary_table(out, j, "peak_rss_bytes", true, caption, "summary-rss");

    fputs("<h2 id=\"charts\">Charts</h2>\n", out);
    if (j->charts->count == 0)
        fputs("<p class=\"failed\">No charts were drawn: run <code>heaplab "
              "plot</code> on this folder to see why.</p>\n",
              out);
    fputs("<div class=\"caption\" data-section=\"charts\">", out);
    hl_report_write_caption_html(out, "charts");
    fputs("</div>\n", out);
    for (size_t i = 0; i < j->charts->count; i++)
        if (!is_summary_chart(j->charts->names[i])) chart_figure(out, j->charts, i);
    reference_table(out, j);
    /* the minimum heaps (heaplab minheap, batch --heap-factors) */
    if (heaps.count > 0) {
        fputs("<h2 id=\"minheap\">Minimum heap</h2>\n<div class=\"caption\" "
              "data-section=\"minheap\">",
              out);
        hl_report_write_caption_html(out, "minheap");
        fputs("</div>\n", out);
        hl_minheap_html(&heaps, out);
    }
    free(heaps.cells);
    hl_report_write_claims(out, j->rows, j->count);

    hl_report_write_hosts_html(out, j->rows, j->count);

    fprintf(out, "<h2 id=\"failures\">Failures (%zu)</h2>\n", failed);
    if (failed == 0) {
        fputs("<p>Every configuration ended with status ok.</p>\n", out);
    } else {
        fputs("<table class=\"failures\">\n<tr><th>workload</th><th>n</th><th>allocator</th>"
              "<th>collector</th><th>status</th><th>error</th></tr>\n",
              out);
        for (size_t i = 0; i < j->count; i++) {
            const hl_result_row *r = &j->rows[i];
            if (ok_row(r)) continue;
            const char *cells[] = {r->workload,  NULL,      r->allocator,
                                   r->collector, r->status, r->error};
            fputs("<tr>", out);
            for (size_t k = 0; k < 6; k++) {
                fputs(k == 4 ? "<td class=\"failed\">" : "<td>", out);
                if (cells[k])
                    hl_report_write_html_text(out, cells[k]);
                else
                    fprintf(out, "%llu", (unsigned long long)r->size);
                fputs("</td>", out);
            }
            fputs("</tr>\n", out);
        }
        fputs("</table>\n", out);
    }

    fputs("<h2 id=\"manifest\">Manifest</h2>\n", out);
    if (!hl_report_write_manifest_html(out, j->dir))
        fputs("<p>manifest.json is missing or unreadable.</p>\n", out);
    fputs("</body>\n</html>\n", out);
    return ferror(out) == 0;
}

bool hl_report_write(const char *dir, const hl_chart_list *charts, char *error, size_t error_size) {
    report_job j;
    memset(&j, 0, sizeof j);
    j.dir = dir;
    j.charts = charts;
    if (!hl_report_load_results(dir, &j.rows, &j.count, error, error_size)) return false;
    /* the summary's allocators and collectors: heaplab's own configurations (all rows
     * when the batch holds nothing else); reference rows have their own table */
    bool any_own = false;
    for (size_t i = 0; i < j.count; i++)
        any_own = any_own || !hl_report_is_reference_row(&j.rows[i]);
    for (size_t i = 0; i < j.count; i++) {
        add_name(j.workloads, &j.nw, j.rows[i].workload);
        if (any_own && hl_report_is_reference_row(&j.rows[i])) {
            j.nref++;
            continue;
        }
        add_name(j.allocators, &j.na, j.rows[i].allocator);
        add_name(j.collectors, &j.nc, j.rows[i].collector);
    }
    char path[PATH_MAX + 32];
    hl_report_fmt(path, sizeof path, "%s/report.html", dir);
    bool ok = hl_results_write_atomic(path, write_report, &j);
    if (!ok) hl_report_fmt(error, error_size, "cannot write %s", path);
    free(j.rows);
    return ok;
}
