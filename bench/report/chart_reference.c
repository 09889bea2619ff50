/* chart_reference.c: reference-<workload>, heaplab against the real runtimes and
 * collectors it models (reference.gp). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/report/plot_internal.h"
#include "collectors/collector.h"

/* The chart's columns: the template (reference.gp) draws two pairs side by side. */
#define PAIRS 2

/* The heaplab configuration that models each reference, and the reference. */
typedef struct reference_pair {
    const char *allocator, *collector; /* heaplab's side */
    const char *reference;             /* what it models: "cpython" or a collector */
    const char *summary;               /* the collector's one line */
    const hl_plot_ref *ref;            /* NULL: not in the batch */
    char display[64];                  /* "CPython", "boehm" */
    char ref_missing[160];             /* what to say when it is not */
} reference_pair;

/* The pairs the collectors declare (hl_collector_ops.reference), in registry order:
 * the plotting code names no collector. Returns how many (at most PAIRS). */
static size_t declared_pairs(reference_pair *pairs) {
    size_t n = 0;
    for (size_t i = 0; hl_collector_registry[i] != NULL && n < PAIRS; i++) {
        const hl_collector_ops *ops = hl_collector_registry[i];
        if (ops->reference == NULL || ops->reference_allocator == NULL) continue;
        reference_pair *p = &pairs[n++];
        memset(p, 0, sizeof *p);
        p->allocator = ops->reference_allocator;
        p->collector = ops->name;
        p->reference = ops->reference;
        p->summary = ops->summary;
        bool cpython = strcmp(ops->reference, "cpython") == 0;
        hl_report_fmt(p->display, sizeof p->display, "%s", cpython ? "CPython" : ops->reference);
        if (cpython)
            hl_report_fmt(p->ref_missing, sizeof p->ref_missing,
                          "no CPython rows in this batch (--reference cpython)");
        else
            hl_report_fmt(p->ref_missing, sizeof p->ref_missing,
                          "no %s rows in this batch (--collectors ...,%s)", ops->reference,
                          ops->reference);
    }
    return n;
}

/* Whether reference series s is what the pair models. */
static bool models(const reference_pair *p, const hl_plot_ref *s) {
    return strcmp(p->reference, "cpython") == 0 ? s->cpython
                                                : strcmp(s->collector, p->reference) == 0;
}

static bool has_rows(const hl_plot_ctx *c, const char *w, const char *a, const char *col) {
    for (size_t i = 0; i < c->count; i++)
        if (!strcmp(c->rows[i].workload, w) && !strcmp(c->rows[i].allocator, a) &&
            !strcmp(c->rows[i].collector, col) && !hl_report_is_reference_row(&c->rows[i]))
            return true;
    return false;
}

static bool ref_has_rows(const hl_plot_ctx *c, const char *w, const hl_plot_ref *s) {
    for (size_t i = 0; s != NULL && i < c->count; i++)
        if (!strcmp(c->rows[i].workload, w) && hl_plot_ref_matches(s, &c->rows[i])) return true;
    return false;
}

/* Series 0 (heaplab's side) or 1 (the reference) of a pair at size n, or NULL. */
static const hl_result_row *pair_row(const hl_plot_ctx *c, const char *w, uint64_t n,
                                     const reference_pair *pair, bool have, size_t series) {
    if (series == 0)
        return have ? hl_plot_find_row(c, w, n, pair->allocator, pair->collector) : NULL;
    return pair->ref ? hl_plot_find_ref_row(c, w, n, pair->ref) : NULL;
}

/* reference-<workload>: four panels, time (top) and peak RSS (bottom) against n; in
 * each column a heaplab configuration next to the real runtime or collector it models,
 * as the collectors declare them (today: rc_cycle on pool next to CPython's own rows,
 * mark_sweep on libc next to boehm). What the batch lacks is said in its panel. */
bool hl_plot_draw_reference(hl_plot_ctx *c, const char *w) {
    reference_pair pairs[PAIRS];
    if (declared_pairs(pairs) != PAIRS) return true; /* the template's layout needs both */
    for (size_t k = 0; k < c->nrefs; k++) {
        const hl_plot_ref *s = &c->refs[k];
        for (size_t q = 0; q < PAIRS; q++)
            if (pairs[q].ref == NULL && models(&pairs[q], s) && ref_has_rows(c, w, s))
                pairs[q].ref = s;
    }
    bool have[PAIRS] = {has_rows(c, w, pairs[0].allocator, pairs[0].collector),
                        has_rows(c, w, pairs[1].allocator, pairs[1].collector)};
    if (!have[0] && !have[1] && pairs[0].ref == NULL && pairs[1].ref == NULL)
        return true; /* nothing to compare: the batch has none of the four */
    char ws[96], stem[128], name[192];
    hl_plot_slug(ws, sizeof ws, w);
    hl_report_fmt(stem, sizeof stem, "reference-%s", ws);
    hl_report_fmt(name, sizeof name, "%s.dat", stem);
    FILE *data = hl_plot_open_data(c, name);
    if (data == NULL) return false;
    int figures[2] = {hl_results_figure_index("real_time_ns"),
                      hl_results_figure_index("peak_rss_bytes")};
    double scales[2] = {1e6, HL_PLOT_MIB}, lo[2] = {INFINITY, INFINITY}, hi[2] = {0, 0};
    uint64_t sizes[64];
    size_t ns = hl_plot_sizes_of(c, w, sizes, 64);
    /* blocks: panel p = 2*figure + pair (time left, time right, RSS left, RSS right),
     * series 0 heaplab, 1 the reference: block 2*p + series */
    for (size_t f = 0; f < 2; f++)
        for (size_t q = 0; q < 2; q++)
            for (size_t series = 0; series < 2; series++) {
                size_t written = 0;
                for (size_t si = 0; si < ns; si++) {
                    const hl_result_row *r = pair_row(c, w, sizes[si], &pairs[q], have[q], series);
                    double v = r && hl_plot_row_ok(r)
                                   ? hl_results_figure(r, (size_t)figures[f]) / scales[f]
                                   : NAN;
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
        hl_plot_log_range(lo[f], hi[f], &ymin[f], &ymax[f]);
    char counts[64] = "";
    size_t cn = 0;
    for (size_t f = 0; f < 2; f++)
        for (size_t q = 0; q < 2; q++) {
            size_t p = 2 * f + q, nfail = 0;
            hl_report_fmt(name, sizeof name, "%s-fails-%zu.dat", stem, p + 1);
            FILE *ff = hl_plot_open_data(c, name);
            if (ff == NULL) return false;
            double y = ymin[f] * pow(ymax[f] / ymin[f], 0.04);
            for (size_t si = 0; si < ns; si++)
                for (size_t series = 0; series < 2; series++) {
                    const hl_result_row *r = pair_row(c, w, sizes[si], &pairs[q], have[q], series);
                    if (r == NULL || hl_plot_row_ok(r)) continue;
                    fprintf(ff, "%llu %.9g %s:%s\n", (unsigned long long)sizes[si], y,
                            series == 0 ? pairs[q].collector : pairs[q].ref->short_, r->status);
                    nfail++;
                }
            fclose(ff);
            cn += (size_t)hl_report_fmt(counts + cn, cn < sizeof counts ? sizeof counts - cn : 0,
                                        "%s%zu", p ? " " : "", nfail);
        }
    uint64_t smin = ns ? sizes[0] : 1, smax = ns ? sizes[ns - 1] : 1;
    char title[160], data_name[200], fails_stem[200];
    hl_report_fmt(title, sizeof title, "heaplab against %s and %s: %s", pairs[0].display,
                  pairs[1].display, w);
    hl_report_fmt(data_name, sizeof data_name, "data/%s.dat", stem);
    hl_report_fmt(fails_stem, sizeof fails_stem, "data/%s-fails", stem);
    hl_plot_vars v = {.len = 0};
    hl_plot_var_str(&v, "title", title);
    hl_plot_var_str(&v, "note", "");
    hl_plot_var_str(&v, "data", data_name);
    hl_plot_var_str(&v, "fails", fails_stem);
    hl_plot_var_str(&v, "pfails", counts);
    hl_plot_var_num(&v, "xmin", (double)smin / (smin == smax ? 3.0 : 1.6));
    hl_plot_var_num(&v, "xmax", (double)smax * (smin == smax ? 3.0 : 1.6));
    hl_plot_var_num(&v, "ymin1", ymin[0]);
    hl_plot_var_num(&v, "ymax1", ymax[0]);
    hl_plot_var_num(&v, "ymin2", ymin[1]);
    hl_plot_var_num(&v, "ymax2", ymax[1]);
    /* linetypes for the heaplab series drawn (a column without rows draws none) */
    hl_plot_names drawn = {.n = 0};
    for (size_t q = 0; q < 2; q++)
        if (have[q]) hl_plot_names_add(&drawn, pairs[q].collector);
    hl_plot_var_styles(&v, HL_PLOT_COLLECTOR, &drawn);
    for (size_t q = 0; q < 2; q++) {
        char key[32], text[200];
        int lt = hl_plot_names_index(&drawn, pairs[q].collector);
        hl_report_fmt(key, sizeof key, "hlt%zu", q + 1);
        hl_plot_var_num(&v, key, lt >= 0 ? lt + 1 : 1);
        hl_report_fmt(key, sizeof key, "rcolour%zu", q + 1);
        hl_plot_var_str(&v, key, pairs[q].ref ? pairs[q].ref->colour : "#555555" /* not drawn */);
        hl_report_fmt(key, sizeof key, "ptitle%zu", q + 1);
        char ref_name[96];
        if (pairs[q].ref && pairs[q].ref->cpython)
            hl_report_fmt(ref_name, sizeof ref_name, "CPython %s", pairs[q].ref->runtime + 8);
        else
            hl_report_fmt(ref_name, sizeof ref_name, "%s",
                          pairs[q].ref ? pairs[q].ref->label : pairs[q].display);
        hl_report_fmt(text, sizeof text, "%s on %s (solid) vs %s (dashed)", pairs[q].collector,
                      pairs[q].allocator, ref_name);
        hl_plot_var_str(&v, key, text);
        /* what is missing, said in the panel */
        char missing[300] = "";
        if (!have[q])
            hl_report_fmt(missing, sizeof missing, "no %s rows on %s in this batch",
                          pairs[q].collector, pairs[q].allocator);
        hl_report_fmt(key, sizeof key, "missa%zu", q + 1);
        hl_plot_var_str(&v, key, missing);
        hl_report_fmt(key, sizeof key, "missb%zu", q + 1);
        hl_plot_var_str(&v, key, pairs[q].ref ? "" : pairs[q].ref_missing);
    }
    if (!hl_plot_run_gnuplot(c, "reference.gp", &v, stem)) return false;
    hl_plot_add_chart(c, stem, title);
    return true;
}
