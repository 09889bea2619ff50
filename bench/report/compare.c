/* heaplab compare: which configurations differ, by how much, and whether the
 * invocations show it.
 *
 * The story, in the order hl_compare_run does it:
 * 1. Pairs. Each candidate row is matched with its baseline row on every identity field
 *    except the one the baseline varies: with --baseline allocator=libc, a row with
 *    allocator X != libc is paired with the libc row of the same runtime, workload, size
 *    and collector (collector=C likewise); with --baseline batch (two folders) a row of
 *    B with the row of A of the same runtime, workload, size, allocator and collector.
 *    The filters (--allocator, --collector, --workload, --size) select candidate rows.
 *    A candidate without a baseline row (and, for batch, a row of A without one in B)
 *    is listed as unmatched; a pair where a side is not ok is listed as not comparable,
 *    with both statuses: nothing is dropped silently.
 * 2. Values. A pair's values are its invocations' figures: runs/<slug>.i<k>.csv, one row
 *    each (the batch's per-invocation files, bench/batch/child.c), the slug as the batch
 *    names it (workload with '/' as '-', size, allocator, collector). A folder without
 *    them (a row from `heaplab run --row`) gives results.csv's median as one value.
 * 3. Statistics (compare_stats.c): ratio of medians candidate/baseline, its 95% bootstrap
 *    interval, the two-sided Mann-Whitney p.
 * 4. Verdict: when even the most lopsided ranking could not reach p < 0.05 (3 vs 3
 *    invocations: p >= 0.1) "n too small"; else "same" when |ratio - 1| is below the
 *    threshold, "unclear" when it is not but p >= 0.05, and the direction word
 *    (faster/slower, smaller/bigger, fewer/more) when p < 0.05 and |ratio - 1| >= the
 *    threshold.
 * 5. Geomeans of the ratios per candidate allocator, collector and workload, and over
 *    all pairs; the pairs sorted by effect size, |log ratio|, largest first.
 * compare_format.c writes the result as text, markdown, CSV or JSON.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/report/compare_stats.h"
#include "bench/report/report.h"

/* ---- metrics -------------------------------------------------------------------- */

typedef struct metric_alias {
    const char *name, *column;
} metric_alias;

static const metric_alias metric_aliases[] = {
    {"time", "real_time_ns"},
    {"cpu", "cpu_time_ns"},
    {"gc_time", "gc_time_ns"},
    {"mutator", "mutator_time_ns"},
    {"rss", "peak_rss_bytes"},
    {"baseline_rss", "baseline_rss_bytes"},
    {"peak_live", "peak_live_bytes"},
    {"resident", "allocator_resident_bytes"},
    {"minor_faults", "minor_faults"},
    {"major_faults", "major_faults"},
    {"allocs", "allocs"},
    {"frees", "frees"},
    {"collections", "gc_collections"},
    {"pause_total", "gc_pause_total_ns"},
    {"pause_max", "gc_pause_max_ns"},
    {"pause_p50", "gc_pause_p50_ns"},
    {"pause_p99", "gc_pause_p99_ns"},
    {"objects_collected", "objects_collected"},
    {"leaked_objects", "leaked_objects"},
    {"leaked_bytes", "leaked_bytes"},
};
#define METRIC_ALIAS_COUNT (sizeof metric_aliases / sizeof metric_aliases[0])

int hl_compare_metric_find(const char *name, char *valid, size_t valid_size) {
    if (valid != NULL && valid_size > 0) {
        valid[0] = '\0';
        for (size_t i = 0; i < METRIC_ALIAS_COUNT; i++) {
            size_t used = strlen(valid);
            hl_report_fmt(valid + used, valid_size - used, "%s%s", i ? ", " : "",
                          metric_aliases[i].name);
        }
    }
    if (name == NULL) return -1;
    for (size_t i = 0; i < METRIC_ALIAS_COUNT; i++)
        if (strcmp(name, metric_aliases[i].name) == 0)
            return hl_results_figure_index(metric_aliases[i].column);
    return hl_results_figure_index(name);
}

const char *hl_compare_metric_name(int metric) {
    const char *column = hl_results_figure_name((size_t)metric);
    for (size_t i = 0; column != NULL && i < METRIC_ALIAS_COUNT; i++)
        if (strcmp(column, metric_aliases[i].column) == 0) return metric_aliases[i].name;
    return column;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

hl_compare_kind hl_compare_metric_kind(int metric) {
    const char *column = hl_results_figure_name((size_t)metric);
    if (column != NULL && ends_with(column, "_ns")) return HL_COMPARE_KIND_TIME;
    if (column != NULL && ends_with(column, "_bytes")) return HL_COMPARE_KIND_BYTES;
    return HL_COMPARE_KIND_COUNT;
}

const char *hl_compare_word(hl_compare_kind kind, bool up) {
    switch (kind) {
    case HL_COMPARE_KIND_TIME:
        return up ? "slower" : "faster";
    case HL_COMPARE_KIND_BYTES:
        return up ? "bigger" : "smaller";
    case HL_COMPARE_KIND_COUNT:
        break;
    }
    return up ? "more" : "fewer";
}

void hl_compare_options_init(hl_compare_options *o) {
    memset(o, 0, sizeof *o);
    o->baseline = HL_COMPARE_BASELINE_BATCH;
    o->metric = hl_results_figure_index("real_time_ns");
    o->threshold = 0.05;
    o->resamples = 10000;
    o->seed = 1;
}

void hl_compare_label(const hl_result_row *row, char *out, size_t size) {
    char name[256];
    hl_results_config_name(row, name, sizeof name);
    if (row->runtime[0] && strcmp(row->runtime, "heaplab") != 0)
        hl_report_fmt(out, size, "%s [%s]", name, row->runtime);
    else
        hl_report_fmt(out, size, "%s", name);
}

/* ---- matching -------------------------------------------------------------------- */

static bool in_filter(const hl_compare_filter *f, const char *value) {
    if (f->count == 0) return true;
    for (size_t i = 0; i < f->count; i++)
        if (strcmp(f->values[i], value) == 0) return true;
    return false;
}

/* "W" selects every variant of W, "W/V" one. */
static bool workload_matches(const char *filter, const char *workload) {
    size_t n = strlen(filter);
    return strcmp(filter, workload) == 0 ||
           (strchr(filter, '/') == NULL && strncmp(filter, workload, n) == 0 && workload[n] == '/');
}

static bool selected(const hl_compare_options *o, const hl_result_row *r) {
    if (!in_filter(&o->allocators, r->allocator) || !in_filter(&o->collectors, r->collector))
        return false;
    bool found = o->workloads.count == 0;
    for (size_t i = 0; !found && i < o->workloads.count; i++)
        found = workload_matches(o->workloads.values[i], r->workload);
    if (!found) return false;
    found = o->size_count == 0;
    for (size_t i = 0; !found && i < o->size_count; i++)
        found = o->sizes[i] == r->size;
    return found;
}

/* The field the baseline varies: a row's allocator or collector (NULL for batch). */
static const char *varied(const hl_compare_options *o, const hl_result_row *r) {
    switch (o->baseline) {
    case HL_COMPARE_BASELINE_ALLOCATOR:
        return r->allocator;
    case HL_COMPARE_BASELINE_COLLECTOR:
        return r->collector;
    case HL_COMPARE_BASELINE_BATCH:
        break;
    }
    return NULL;
}

/* Equal on every identity field but the varied one. */
static bool same_but_varied(const hl_compare_options *o, const hl_result_row *a,
                            const hl_result_row *b) {
    if (a->size != b->size || strcmp(a->workload, b->workload) != 0 ||
        strcmp(a->runtime, b->runtime) != 0)
        return false;
    bool allocator = !strcmp(a->allocator, b->allocator);
    bool collector = !strcmp(a->collector, b->collector);
    switch (o->baseline) {
    case HL_COMPARE_BASELINE_ALLOCATOR:
        return collector;
    case HL_COMPARE_BASELINE_COLLECTOR:
        return allocator;
    case HL_COMPARE_BASELINE_BATCH:
        break;
    }
    return allocator && collector;
}

static const hl_result_row *baseline_of(const hl_compare_options *o, const hl_compare_side *base,
                                        const hl_result_row *cand) {
    for (size_t i = 0; i < base->count; i++) {
        const hl_result_row *r = &base->rows[i];
        const char *v = varied(o, r);
        if ((v == NULL || strcmp(v, o->baseline_name) == 0) && same_but_varied(o, r, cand))
            return r;
    }
    return NULL;
}

/* ---- values ---------------------------------------------------------------------- */

/* The names in DIR/runs/ that look like invocation rows ("<slug>.i<k>.csv"). */
typedef struct run_files {
    char **names;
    size_t count;
} run_files;

static bool is_invocation_file(const char *name) {
    const char *dot_i = strstr(name, ".i");
    if (dot_i == NULL) return false;
    for (const char *at = dot_i; at != NULL; at = strstr(at + 1, ".i")) {
        const char *p = at + 2;
        if (*p < '0' || *p > '9') continue;
        while (*p >= '0' && *p <= '9')
            p++;
        if (strcmp(p, ".csv") == 0) return true;
    }
    return false;
}

static bool list_run_files(const char *dir, run_files *out) {
    out->names = NULL;
    out->count = 0;
    char path[PATH_MAX];
    hl_report_fmt(path, sizeof path, "%s/runs", dir);
    DIR *d = opendir(path);
    if (d == NULL) return true; /* no runs/: results.csv's medians only */
    size_t cap = 0;
    bool ok = true;
    for (struct dirent *e; ok && (e = readdir(d)) != NULL;) {
        if (!is_invocation_file(e->d_name)) continue;
        if (out->count == cap) {
            cap = cap ? 2 * cap : 64;
            char **bigger = realloc(out->names, cap * sizeof *bigger);
            if (bigger == NULL) {
                ok = false;
                break;
            }
            out->names = bigger;
        }
        out->names[out->count] = strdup(e->d_name);
        ok = out->names[out->count] != NULL;
        out->count += ok;
    }
    closedir(d);
    return ok;
}

static void free_run_files(run_files *f) {
    for (size_t i = 0; i < f->count; i++)
        free(f->names[i]);
    free(f->names);
}

/* The batch's file stem of a row (bench/batch/plan.c names it so). */
static void row_slug(const hl_result_row *r, char *out, size_t size) {
    hl_results_row_slug(r, out, size);
}

/* The metric's value of every ok invocation of `row`, into a malloc'd *values; without
 * invocation files, results.csv's median as one value (*from_invocations false). */
static bool row_values(const char *dir, const run_files *files, const hl_result_row *row,
                       int metric, double **values, size_t *count, bool *from_invocations) {
    char slug[300];
    row_slug(row, slug, sizeof slug);
    size_t slug_length = strlen(slug), cap = 8, n = 0;
    double *v = malloc(cap * sizeof *v);
    if (v == NULL) return false;
    size_t found = 0;
    for (size_t i = 0; i < files->count; i++) {
        const char *name = files->names[i];
        if (strncmp(name, slug, slug_length) != 0 || strncmp(name + slug_length, ".i", 2) != 0)
            continue;
        const char *k = name + slug_length + 2;
        while (*k >= '0' && *k <= '9')
            k++;
        if (k == name + slug_length + 2 || strcmp(k, ".csv") != 0) continue;
        found++;
        char path[PATH_MAX], error[256];
        hl_report_fmt(path, sizeof path, "%s/runs/%s", dir, name);
        hl_result_row *rows = NULL;
        size_t rows_count = 0;
        if (hl_results_read_csv(path, &rows, &rows_count, error, sizeof error) && rows_count == 1 &&
            strcmp(rows[0].status, HL_STATUS_OK) == 0) {
            double x = hl_results_figure(&rows[0], (size_t)metric);
            if (isfinite(x)) {
                if (n == cap) {
                    double *bigger = realloc(v, 2 * cap * sizeof *v);
                    if (bigger == NULL) {
                        free(rows);
                        free(v);
                        return false;
                    }
                    v = bigger;
                    cap *= 2;
                }
                v[n++] = x;
            }
        }
        free(rows);
    }
    *from_invocations = found > 0;
    if (found == 0) {
        double x = hl_results_figure(row, (size_t)metric);
        if (isfinite(x)) v[n++] = x;
    }
    *values = v;
    *count = n;
    return true;
}

/* ---- a pair ---------------------------------------------------------------------- */

static void judge(const hl_compare_options *o, hl_compare_pair *p) {
    hl_compare_kind kind = hl_compare_metric_kind(o->metric);
    if (p->min_p >= HL_COMPARE_ALPHA)
        p->verdict = "n too small";
    else if (fabs(p->ratio - 1.0) < o->threshold)
        p->verdict = "same";
    else if (!(p->p < HL_COMPARE_ALPHA))
        p->verdict = "unclear";
    else
        p->verdict = hl_compare_word(kind, p->ratio > 1.0);
}

static bool measure(const hl_compare_options *o, const hl_compare_side *base,
                    const run_files *base_files, const hl_compare_side *cand,
                    const run_files *cand_files, hl_compare_pair *p) {
    const char *metric = hl_results_figure_name((size_t)o->metric);
    bool ok_base = strcmp(p->base->status, HL_STATUS_OK) == 0;
    bool ok_cand = strcmp(p->cand->status, HL_STATUS_OK) == 0;
    if (!ok_base || !ok_cand) {
        p->status = HL_COMPARE_NOT_COMPARABLE;
        hl_report_fmt(p->note, sizeof p->note, "status: baseline %s, candidate %s", p->base->status,
                      p->cand->status);
        return true;
    }
    /* A ratio never divides figures from two machines (a merged batch's rows keep their
     * host; a row without one, from before hosts were recorded, is taken as it is). */
    if (p->base->host[0] && p->cand->host[0] && strcmp(p->base->host, p->cand->host) != 0) {
        p->status = HL_COMPARE_NOT_COMPARABLE;
        hl_report_fmt(p->note, sizeof p->note, "different hosts: baseline %s, candidate %s",
                      p->base->host, p->cand->host);
        return true;
    }
    double *a = NULL, *b = NULL;
    bool from_a = false, from_b = false;
    if (!row_values(base->dir, base_files, p->base, o->metric, &a, &p->n_base, &from_a) ||
        !row_values(cand->dir, cand_files, p->cand, o->metric, &b, &p->n_cand, &from_b)) {
        free(a);
        return false;
    }
    p->from_invocations = from_a && from_b;
    p->median_base = hl_compare_median(a, p->n_base);
    p->median_cand = hl_compare_median(b, p->n_cand);
    bool ok = true;
    if (p->n_base == 0 || p->n_cand == 0) {
        p->status = HL_COMPARE_NOT_COMPARABLE;
        hl_report_fmt(p->note, sizeof p->note, "no %s on the %s side", metric,
                      p->n_base == 0 ? "baseline" : "candidate");
    } else if (!(p->median_base > 0) || p->median_cand < 0) {
        p->status = HL_COMPARE_NOT_COMPARABLE;
        hl_report_fmt(p->note, sizeof p->note, "%s: baseline median %g, candidate %g: no ratio",
                      metric, p->median_base, p->median_cand);
    } else {
        p->status = HL_COMPARE_COMPARED;
        p->ratio = p->median_cand / p->median_base;
        p->p = hl_compare_mann_whitney(a, p->n_base, b, p->n_cand, &p->u, &p->exact);
        p->min_p = hl_compare_min_p(p->n_base, p->n_cand);
        ok = hl_compare_bootstrap(a, p->n_base, b, p->n_cand, o->resamples, o->seed, &p->ci_low,
                                  &p->ci_high) &&
             !isnan(p->p);
        if (!p->from_invocations)
            hl_report_fmt(p->note, sizeof p->note,
                          "no per-invocation files in runs/: results.csv's median only");
        judge(o, p);
    }
    free(a);
    free(b);
    return ok;
}

/* ---- geomeans and order ---------------------------------------------------------- */

static int by_effect(const void *x, const void *y) {
    const hl_compare_pair *a = x, *b = y;
    if (a->status != b->status) return (int)a->status - (int)b->status;
    if (a->status == HL_COMPARE_COMPARED) {
        double ea = fabs(log(a->ratio)), eb = fabs(log(b->ratio));
        if (ea != eb) return ea < eb ? 1 : -1;
    }
    char la[300], lb[300];
    hl_compare_label(a->cand ? a->cand : a->base, la, sizeof la);
    hl_compare_label(b->cand ? b->cand : b->base, lb, sizeof lb);
    return strcmp(la, lb);
}

static const char *group_value(const hl_result_row *r, const char *group) {
    if (!strcmp(group, "allocator")) return r->allocator;
    if (!strcmp(group, "collector")) return r->collector;
    if (!strcmp(group, "workload")) return r->workload;
    return "";
}

static bool add_geomeans(hl_compare_result *res) {
    static const char *const groups[] = {"allocator", "collector", "workload", "all"};
    size_t cap = 4 * res->compared + 1;
    res->geomeans = calloc(cap, sizeof *res->geomeans);
    if (res->geomeans == NULL) return false;
    for (size_t g = 0; g < 4; g++) {
        size_t first = res->geomean_count;
        for (size_t i = 0; i < res->compared; i++) {
            const char *value = group_value(res->pairs[i].cand, groups[g]);
            size_t k = first;
            while (k < res->geomean_count && strcmp(res->geomeans[k].value, value) != 0)
                k++;
            if (k == res->geomean_count) {
                res->geomeans[k].group = groups[g];
                hl_report_fmt(res->geomeans[k].value, sizeof res->geomeans[k].value, "%s", value);
                res->geomean_count++;
            }
            res->geomeans[k].pairs++;
            res->geomeans[k].ratio += log(res->pairs[i].ratio); /* a sum of logs, for now */
        }
        for (size_t k = first; k < res->geomean_count; k++)
            res->geomeans[k].ratio = exp(res->geomeans[k].ratio / (double)res->geomeans[k].pairs);
    }
    return true;
}

/* ---- the whole comparison -------------------------------------------------------- */

static bool push(hl_compare_result *res, size_t *cap, hl_compare_pair **out) {
    if (res->count == *cap) {
        size_t bigger_cap = *cap ? 2 * *cap : 16;
        hl_compare_pair *bigger = realloc(res->pairs, bigger_cap * sizeof *bigger);
        if (bigger == NULL) return false;
        res->pairs = bigger;
        *cap = bigger_cap;
    }
    *out = &res->pairs[res->count++];
    memset(*out, 0, sizeof **out);
    (*out)->ratio = (*out)->ci_low = (*out)->ci_high = (*out)->p = (*out)->u = NAN;
    (*out)->median_base = (*out)->median_cand = (*out)->min_p = NAN;
    (*out)->verdict = "";
    return true;
}

static bool fail_usage(bool *usage, char *error, size_t error_size, const char *what,
                       const char *value, const char *present) {
    *usage = true;
    hl_report_fmt(error, error_size, "%s '%s' matches no row of the folders (present: %s)", what,
                  value, present);
    return false;
}

static void field_text(const hl_result_row *r, const char *field, char *out, size_t size) {
    if (!strcmp(field, "size"))
        hl_report_fmt(out, size, "%llu", (unsigned long long)r->size);
    else
        hl_report_fmt(out, size, "%s", group_value(r, field));
}

/* The distinct values of one identity field over the sides' rows, for messages. */
static void present_values(const hl_compare_side *const *sides, size_t side_count,
                           const char *field, char *out, size_t size) {
    out[0] = '\0';
    for (size_t s = 0; s < side_count; s++)
        for (size_t i = 0; i < sides[s]->count; i++) {
            char v[64], w[64];
            field_text(&sides[s]->rows[i], field, v, sizeof v);
            bool seen = false;
            for (size_t t = 0; t <= s && !seen; t++)
                for (size_t k = 0; k < (t < s ? sides[t]->count : i) && !seen; k++) {
                    field_text(&sides[t]->rows[k], field, w, sizeof w);
                    seen = strcmp(v, w) == 0;
                }
            size_t used = strlen(out);
            if (!seen) hl_report_fmt(out + used, size - used, "%s%s", used ? ", " : "", v);
        }
}

/* Every filter value and the baseline name must name something the folders hold: a
 * typo would otherwise compare nothing and say nothing. */
static bool check_names(const hl_compare_options *o, const hl_compare_side *base,
                        const hl_compare_side *cand, bool *usage, char *error, size_t error_size) {
    const hl_compare_side *sides[2] = {base, cand};
    char present[1024];
    const struct {
        const char *option, *field;
        const hl_compare_filter *filter;
    } lists[] = {{"--allocator", "allocator", &o->allocators},
                 {"--collector", "collector", &o->collectors},
                 {"--workload", "workload", &o->workloads}};
    for (size_t l = 0; l < 3; l++)
        for (size_t i = 0; i < lists[l].filter->count; i++) {
            const char *want = lists[l].filter->values[i];
            bool found = false;
            for (size_t s = 0; s < 2 && !found; s++)
                for (size_t k = 0; k < sides[s]->count && !found; k++) {
                    const char *v = group_value(&sides[s]->rows[k], lists[l].field);
                    found = l == 2 ? workload_matches(want, v) : strcmp(want, v) == 0;
                }
            if (!found) {
                present_values(sides, 2, lists[l].field, present, sizeof present);
                char what[64];
                hl_report_fmt(what, sizeof what, "compare: %s", lists[l].option);
                return fail_usage(usage, error, error_size, what, want, present);
            }
        }
    for (size_t i = 0; i < o->size_count; i++) {
        bool found = false;
        for (size_t s = 0; s < 2 && !found; s++)
            for (size_t k = 0; k < sides[s]->count && !found; k++)
                found = sides[s]->rows[k].size == o->sizes[i];
        if (!found) {
            char value[32];
            hl_report_fmt(value, sizeof value, "%llu", (unsigned long long)o->sizes[i]);
            present_values(sides, 2, "size", present, sizeof present);
            return fail_usage(usage, error, error_size, "compare: --size", value, present);
        }
    }
    if (o->baseline != HL_COMPARE_BASELINE_BATCH) {
        const char *field =
            o->baseline == HL_COMPARE_BASELINE_ALLOCATOR ? "allocator" : "collector";
        bool found = false;
        for (size_t k = 0; k < base->count && !found; k++)
            found = strcmp(varied(o, &base->rows[k]), o->baseline_name) == 0;
        if (!found) {
            present_values(&base, 1, field, present, sizeof present);
            *usage = true;
            hl_report_fmt(error, error_size,
                          "compare: --baseline %s=%s: no row of %s has %s %s (present: %s)", field,
                          o->baseline_name, base->dir, field, o->baseline_name, present);
            return false;
        }
    }
    return true;
}

bool hl_compare_run(const hl_compare_options *o, const hl_compare_side *base,
                    const hl_compare_side *cand, hl_compare_result *res, bool *usage, char *error,
                    size_t error_size) {
    memset(res, 0, sizeof *res);
    res->options = o;
    res->base_side = base;
    res->cand_side = cand;
    *usage = false;
    if (!check_names(o, base, cand, usage, error, error_size)) return false;
    run_files base_files = {0}, cand_files = {0};
    bool ok = list_run_files(base->dir, &base_files) && list_run_files(cand->dir, &cand_files);
    size_t cap = 0;
    for (size_t i = 0; ok && i < cand->count; i++) {
        const hl_result_row *r = &cand->rows[i];
        const char *v = varied(o, r);
        if ((v != NULL && strcmp(v, o->baseline_name) == 0) || !selected(o, r)) continue;
        hl_compare_pair *p;
        if (!(ok = push(res, &cap, &p))) break;
        p->cand = r;
        p->base = baseline_of(o, base, r);
        if (p->base == NULL) {
            p->status = HL_COMPARE_UNMATCHED;
            hl_report_fmt(p->note, sizeof p->note, "%s",
                          o->baseline == HL_COMPARE_BASELINE_BATCH ? "only in B"
                                                                   : "no baseline row");
            continue;
        }
        ok = measure(o, base, &base_files, cand, &cand_files, p);
    }
    /* batch: A's rows that B lacks */
    for (size_t i = 0; ok && o->baseline == HL_COMPARE_BASELINE_BATCH && i < base->count; i++) {
        const hl_result_row *r = &base->rows[i];
        if (!selected(o, r) || baseline_of(o, cand, r) != NULL) continue;
        hl_compare_pair *p;
        if (!(ok = push(res, &cap, &p))) break;
        p->base = r;
        p->status = HL_COMPARE_UNMATCHED;
        hl_report_fmt(p->note, sizeof p->note, "only in A");
    }
    free_run_files(&base_files);
    free_run_files(&cand_files);
    if (ok && res->count > 1) qsort(res->pairs, res->count, sizeof *res->pairs, by_effect);
    for (size_t i = 0; ok && i < res->count; i++) {
        res->compared += res->pairs[i].status == HL_COMPARE_COMPARED;
        res->not_comparable += res->pairs[i].status == HL_COMPARE_NOT_COMPARABLE;
        res->unmatched += res->pairs[i].status == HL_COMPARE_UNMATCHED;
    }
    ok = ok && add_geomeans(res);
    if (!ok) {
        hl_compare_result_free(res);
        hl_report_fmt(error, error_size, "compare: out of memory");
    }
    return ok;
}

void hl_compare_result_free(hl_compare_result *res) {
    free(res->pairs);
    free(res->geomeans);
    res->pairs = NULL;
    res->geomeans = NULL;
    res->count = res->geomean_count = 0;
}

/* ---- --fail-if -------------------------------------------------------------------- */

bool hl_compare_condition_parse(const char *text, int metric, hl_compare_condition *out,
                                char *error, size_t error_size) {
    memset(out, 0, sizeof *out);
    hl_report_fmt(out->text, sizeof out->text, "%s", text);
    hl_compare_kind kind = hl_compare_metric_kind(metric);
    const char *op = strpbrk(text, "<>");
    char word[16] = "";
    if (op != NULL && (size_t)(op - text) < sizeof word)
        hl_report_fmt(word, sizeof word, "%.*s", (int)(op - text), text);
    const char *up = hl_compare_word(kind, true), *down = hl_compare_word(kind, false);
    if (op == NULL || (strcmp(word, up) != 0 && strcmp(word, down) != 0)) {
        hl_report_fmt(error, error_size,
                      "compare: --fail-if '%s' is not WORD>PCT or WORD<PCT (for --metric %s WORD "
                      "is %s or %s; e.g. %s>5%%)",
                      text, hl_compare_metric_name(metric), up, down, up);
        return false;
    }
    out->up = strcmp(word, up) == 0;
    out->greater = *op == '>';
    char number[32];
    hl_report_fmt(number, sizeof number, "%s", op + 1);
    size_t n = strlen(number);
    if (n > 0 && number[n - 1] == '%') number[n - 1] = '\0';
    char *end = NULL;
    errno = 0;
    double pct = strtod(number, &end);
    if (number[0] == '\0' || *end != '\0' || errno != 0 || !isfinite(pct) || pct < 0 ||
        pct > 10000) {
        hl_report_fmt(error, error_size,
                      "compare: --fail-if '%s': '%s' is not a percentage from 0 to 10000", text,
                      op + 1);
        return false;
    }
    out->fraction = pct / 100.0;
    return true;
}

size_t hl_compare_condition_count(const hl_compare_condition *c, const hl_compare_result *res,
                                  const hl_compare_pair **worst) {
    size_t met = 0;
    double worst_change = -1;
    if (worst != NULL) *worst = NULL;
    for (size_t i = 0; i < res->compared; i++) {
        const hl_compare_pair *p = &res->pairs[i];
        if (!(p->p < HL_COMPARE_ALPHA) || (p->ratio > 1.0) != c->up || p->ratio == 1.0) continue;
        double change = c->up ? p->ratio - 1.0 : 1.0 - p->ratio;
        if (c->greater ? !(change > c->fraction) : !(change < c->fraction)) continue;
        met++;
        if (change > worst_change && worst != NULL) {
            worst_change = change;
            *worst = p;
        }
    }
    return met;
}
