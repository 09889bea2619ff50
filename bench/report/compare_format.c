/* heaplab compare's outputs (report.h, hl_compare_write): a result as text for a
 * terminal, a GitHub markdown table (with the geomeans as a second table), CSV (one
 * record per pair, geomean, not comparable or unmatched row, told apart by `kind`) or
 * JSON (jansson). Every format says the same things: the pairs by effect size, the
 * geomeans, what could not be compared and why, and when the invocations are too few
 * for any verdict. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bench/report/report.h"

/* ---- shared pieces ----------------------------------------------------------------- */

static void value_text(char *buf, size_t size, double v, hl_compare_kind kind) {
    if (!isfinite(v))
        hl_report_fmt(buf, size, "-");
    else if (kind == HL_COMPARE_KIND_BYTES) {
        if (v >= 1073741824.0)
            hl_report_fmt(buf, size, "%.3g GiB", v / 1073741824.0);
        else if (v >= 1048576.0)
            hl_report_fmt(buf, size, "%.3g MiB", v / 1048576.0);
        else if (v >= 1024.0)
            hl_report_fmt(buf, size, "%.3g KiB", v / 1024.0);
        else
            hl_report_fmt(buf, size, "%.0f B", v);
    } else if (kind == HL_COMPARE_KIND_TIME) {
        if (v >= 1e9)
            hl_report_fmt(buf, size, "%.3g s", v / 1e9);
        else if (v >= 1e6)
            hl_report_fmt(buf, size, "%.3g ms", v / 1e6);
        else if (v >= 1e3)
            hl_report_fmt(buf, size, "%.3g us", v / 1e3);
        else
            hl_report_fmt(buf, size, "%.3g ns", v);
    } else
        hl_report_fmt(buf, size, "%.4g", v);
}

static void ratio_text(char *buf, size_t size, double v) {
    if (isfinite(v))
        hl_report_fmt(buf, size, "%.3f", v);
    else
        hl_report_fmt(buf, size, "%s", isinf(v) ? "inf" : "-");
}

static void ci_text(char *buf, size_t size, const hl_compare_pair *p) {
    char lo[32], hi[32];
    ratio_text(lo, sizeof lo, p->ci_low);
    ratio_text(hi, sizeof hi, p->ci_high);
    hl_report_fmt(buf, size, "[%s, %s]", lo, hi);
}

static void p_text(char *buf, size_t size, double p) {
    if (!isfinite(p))
        hl_report_fmt(buf, size, "-");
    else if (p < 0.001)
        hl_report_fmt(buf, size, "%.1e", p);
    else
        hl_report_fmt(buf, size, "%.3f", p);
}

static const char *baseline_kind_name(hl_compare_baseline b) {
    switch (b) {
    case HL_COMPARE_BASELINE_ALLOCATOR:
        return "allocator";
    case HL_COMPARE_BASELINE_COLLECTOR:
        return "collector";
    case HL_COMPARE_BASELINE_BATCH:
        break;
    }
    return "batch";
}

static void baseline_text(char *buf, size_t size, const hl_compare_options *o) {
    if (o->baseline == HL_COMPARE_BASELINE_BATCH)
        hl_report_fmt(buf, size, "batch (B against A)");
    else
        hl_report_fmt(buf, size, "%s=%s", baseline_kind_name(o->baseline), o->baseline_name);
}

/* How many compared pairs got each verdict: the kind's two words, same, unclear, n too
 * small, in that order. */
static void verdict_counts(const hl_compare_result *res, const char *words[5], size_t counts[5]) {
    hl_compare_kind kind = hl_compare_metric_kind(res->options->metric);
    words[0] = hl_compare_word(kind, true);
    words[1] = hl_compare_word(kind, false);
    words[2] = "same";
    words[3] = "unclear";
    words[4] = "n too small";
    for (size_t w = 0; w < 5; w++)
        counts[w] = 0;
    for (size_t i = 0; i < res->compared; i++)
        for (size_t w = 0; w < 5; w++)
            counts[w] += strcmp(res->pairs[i].verdict, words[w]) == 0;
}

static void summary_line(const hl_compare_result *res, char *buf, size_t size) {
    const char *words[5];
    size_t counts[5];
    verdict_counts(res, words, counts);
    hl_report_fmt(buf, size,
                  "%zu pairs compared: %zu %s, %zu %s, %zu same, %zu unclear, %zu n too small; %zu "
                  "not comparable, %zu unmatched",
                  res->compared, counts[0], words[0], counts[1], words[1], counts[2], counts[3],
                  counts[4], res->not_comparable, res->unmatched);
}

/* The sentence for pairs whose invocations are too few for p < 0.05 ("" when none). */
static void too_small_note(const hl_compare_result *res, char *buf, size_t size) {
    buf[0] = '\0';
    for (size_t i = 0; i < res->compared; i++) {
        const hl_compare_pair *p = &res->pairs[i];
        if (strcmp(p->verdict, "n too small") != 0) continue;
        hl_report_fmt(buf, size,
                      "n too small: with %zu vs %zu invocations the smallest two-sided p a rank "
                      "test can give is %.3g (3 vs 3: 0.1), so no change can be significant at "
                      "0.05; 4 vs 4 invocations reach p = 0.029 (heaplab batch --repetitions 4 "
                      "or more)",
                      p->n_base, p->n_cand, p->min_p);
        return;
    }
}

static const char *unmatched_kind(const hl_compare_pair *p) {
    if (!strcmp(p->note, "only in A")) return "only_in_a";
    if (!strcmp(p->note, "only in B")) return "only_in_b";
    return "no_baseline";
}

static const hl_result_row *shown_row(const hl_compare_pair *p) {
    return p->cand != NULL ? p->cand : p->base;
}

static void method_line(const hl_compare_options *o, char *buf, size_t size) {
    hl_report_fmt(buf, size,
                  "ratio = candidate/baseline of the medians over invocations; 95%% CI: "
                  "percentile bootstrap (%zu resamples, seed %llu); p: two-sided Mann-Whitney U; "
                  "a verdict needs p < %.2g and |ratio - 1| >= %g%%",
                  o->resamples, (unsigned long long)o->seed, HL_COMPARE_ALPHA,
                  o->threshold * 100.0);
}

/* ---- text ---------------------------------------------------------------------------- */

static void write_text(FILE *out, const hl_compare_result *res) {
    const hl_compare_options *o = res->options;
    hl_compare_kind kind = hl_compare_metric_kind(o->metric);
    char line[1024], base[96];
    baseline_text(base, sizeof base, o);
    fprintf(out, "heaplab compare: %s (%s), baseline %s\n", hl_compare_metric_name(o->metric),
            hl_results_figure_name((size_t)o->metric), base);
    if (o->baseline == HL_COMPARE_BASELINE_BATCH)
        fprintf(out, "A = %s, B = %s\n", res->base_side->dir, res->cand_side->dir);
    else if (strcmp(res->base_side->dir, res->cand_side->dir) != 0)
        fprintf(out, "baseline rows from %s, candidates from %s\n", res->base_side->dir,
                res->cand_side->dir);
    else
        fprintf(out, "rows from %s\n", res->base_side->dir);
    method_line(o, line, sizeof line);
    fprintf(out, "%s\n\n", line);

    int width = (int)strlen("configuration");
    for (size_t i = 0; i < res->count; i++) {
        char label[300];
        hl_compare_label(shown_row(&res->pairs[i]), label, sizeof label);
        if ((int)strlen(label) > width) width = (int)strlen(label);
    }
    fprintf(out, "%-*s  %10s  %10s  %7s  %-16s  %7s  %5s  %s\n", width, "configuration", "baseline",
            "candidate", "ratio", "95% CI", "p", "n", "verdict");
    for (size_t i = 0; i < res->compared; i++) {
        const hl_compare_pair *p = &res->pairs[i];
        char label[300], vb[32], vc[32], r[32], ci[48], pt[32], n[24];
        hl_compare_label(p->cand, label, sizeof label);
        value_text(vb, sizeof vb, p->median_base, kind);
        value_text(vc, sizeof vc, p->median_cand, kind);
        ratio_text(r, sizeof r, p->ratio);
        ci_text(ci, sizeof ci, p);
        p_text(pt, sizeof pt, p->p);
        hl_report_fmt(n, sizeof n, "%zu/%zu", p->n_base, p->n_cand);
        fprintf(out, "%-*s  %10s  %10s  %7s  %-16s  %7s  %5s  %s%s%s\n", width, label, vb, vc, r,
                ci, pt, n, p->verdict, p->note[0] ? "  " : "", p->note);
    }
    if (res->geomean_count > 0) {
        fprintf(out, "\ngeomean of the ratios\n");
        for (size_t g = 0; g < res->geomean_count; g++) {
            const hl_compare_geomean *m = &res->geomeans[g];
            char r[32], group[96];
            ratio_text(r, sizeof r, m->ratio);
            hl_report_fmt(group, sizeof group, "%s%s%s", m->group, m->value[0] ? " " : "",
                          m->value);
            fprintf(out, "  %-40s %4zu pairs  %s\n", group, m->pairs, r);
        }
    }
    if (res->not_comparable + res->unmatched > 0) fputc('\n', out);
    for (size_t i = res->compared; i < res->count; i++) {
        const hl_compare_pair *p = &res->pairs[i];
        char label[300];
        hl_compare_label(shown_row(p), label, sizeof label);
        if (p->status == HL_COMPARE_NOT_COMPARABLE)
            fprintf(out, "not comparable: %s: %s\n", label, p->note);
        else
            fprintf(out, "%s: %s\n", p->note, label);
    }
    summary_line(res, line, sizeof line);
    fprintf(out, "\n%s\n", line);
    too_small_note(res, line, sizeof line);
    if (line[0]) fprintf(out, "%s\n", line);
}

/* ---- markdown ------------------------------------------------------------------------ */

static void md_cell(FILE *out, const char *s) {
    for (const char *c = s; *c; c++) {
        if (*c == '|') fputc('\\', out);
        fputc(*c, out);
    }
}

static void write_markdown(FILE *out, const hl_compare_result *res) {
    const hl_compare_options *o = res->options;
    hl_compare_kind kind = hl_compare_metric_kind(o->metric);
    char line[1024], base[96];
    baseline_text(base, sizeof base, o);
    fprintf(out, "**heaplab compare**: %s (`%s`), baseline `%s`, threshold %g%%\n\n",
            hl_compare_metric_name(o->metric), hl_results_figure_name((size_t)o->metric), base,
            o->threshold * 100.0);
    fprintf(out, "| configuration | baseline | candidate | ratio | 95%% CI | p | n | verdict |\n");
    fprintf(out, "| --- | ---: | ---: | ---: | --- | ---: | ---: | --- |\n");
    for (size_t i = 0; i < res->compared; i++) {
        const hl_compare_pair *p = &res->pairs[i];
        char label[300], vb[32], vc[32], r[32], ci[48], pt[32];
        hl_compare_label(p->cand, label, sizeof label);
        value_text(vb, sizeof vb, p->median_base, kind);
        value_text(vc, sizeof vc, p->median_cand, kind);
        ratio_text(r, sizeof r, p->ratio);
        ci_text(ci, sizeof ci, p);
        p_text(pt, sizeof pt, p->p);
        fputs("| ", out);
        md_cell(out, label);
        fprintf(out, " | %s | %s | %s | %s | %s | %zu/%zu | %s |\n", vb, vc, r, ci, pt, p->n_base,
                p->n_cand, p->verdict);
    }
    if (res->geomean_count > 0) {
        fprintf(out, "\n| geomean | pairs | ratio |\n| --- | ---: | ---: |\n");
        for (size_t g = 0; g < res->geomean_count; g++) {
            const hl_compare_geomean *m = &res->geomeans[g];
            char r[32];
            ratio_text(r, sizeof r, m->ratio);
            fprintf(out, "| %s%s", m->group, m->value[0] ? " " : "");
            md_cell(out, m->value);
            fprintf(out, " | %zu | %s |\n", m->pairs, r);
        }
    }
    if (res->not_comparable + res->unmatched > 0) fputc('\n', out);
    for (size_t i = res->compared; i < res->count; i++) {
        const hl_compare_pair *p = &res->pairs[i];
        char label[300];
        hl_compare_label(shown_row(p), label, sizeof label);
        fprintf(out, "- %s: `%s`%s%s\n",
                p->status == HL_COMPARE_NOT_COMPARABLE ? "not comparable" : p->note, label,
                p->status == HL_COMPARE_NOT_COMPARABLE ? ": " : "",
                p->status == HL_COMPARE_NOT_COMPARABLE ? p->note : "");
    }
    summary_line(res, line, sizeof line);
    fprintf(out, "\n%s.", line);
    too_small_note(res, line, sizeof line);
    if (line[0]) fprintf(out, " %s.", line);
    method_line(o, line, sizeof line);
    fprintf(out, " %s.\n", line);
}

/* ---- CSV ----------------------------------------------------------------------------- */

static void csv_text(FILE *out, const char *s) {
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *c = s; *c; c++) {
        if (*c == '"') fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

static void csv_num(FILE *out, double v) {
    fputc(',', out);
    if (isfinite(v)) fprintf(out, "%.10g", v);
}

static void csv_identity(FILE *out, const hl_result_row *r) {
    csv_text(out, r->runtime);
    fputc(',', out);
    csv_text(out, r->workload);
    fprintf(out, ",%llu,", (unsigned long long)r->size);
    csv_text(out, r->allocator);
    fputc(',', out);
    csv_text(out, r->collector);
}

static void write_csv(FILE *out, const hl_compare_result *res) {
    const char *metric = hl_results_figure_name((size_t)res->options->metric);
    fputs("kind,group,runtime,workload,size,allocator,collector,baseline_allocator,"
          "baseline_collector,metric,baseline_median,candidate_median,ratio,ci_low,ci_high,p,u,"
          "exact,n_baseline,n_candidate,min_p,pairs,verdict,baseline_status,candidate_status,"
          "note\n",
          out);
    for (size_t i = 0; i < res->count; i++) {
        const hl_compare_pair *p = &res->pairs[i];
        const char *kind = p->status == HL_COMPARE_COMPARED         ? "pair"
                           : p->status == HL_COMPARE_NOT_COMPARABLE ? "not_comparable"
                                                                    : unmatched_kind(p);
        fprintf(out, "%s,,", kind);
        csv_identity(out, shown_row(p));
        fputc(',', out);
        if (p->base != NULL && p->cand != NULL) {
            csv_text(out, p->base->allocator);
            fputc(',', out);
            csv_text(out, p->base->collector);
        } else
            fputc(',', out);
        fprintf(out, ",%s", metric);
        csv_num(out, p->median_base);
        csv_num(out, p->median_cand);
        csv_num(out, p->ratio);
        csv_num(out, p->ci_low);
        csv_num(out, p->ci_high);
        csv_num(out, p->p);
        csv_num(out, p->u);
        fprintf(out, ",%s", p->status == HL_COMPARE_COMPARED ? (p->exact ? "true" : "false") : "");
        if (p->status == HL_COMPARE_UNMATCHED)
            fputs(",,", out);
        else
            fprintf(out, ",%zu,%zu", p->n_base, p->n_cand);
        csv_num(out, p->min_p);
        fprintf(out, ",,%s,%s,%s,", p->verdict, p->base ? p->base->status : "",
                p->cand ? p->cand->status : "");
        csv_text(out, p->note);
        fputc('\n', out);
    }
    for (size_t g = 0; g < res->geomean_count; g++) {
        const hl_compare_geomean *m = &res->geomeans[g];
        fprintf(out, "geomean,%s,,", m->group);
        if (!strcmp(m->group, "workload")) csv_text(out, m->value);
        fputs(",,", out);
        if (!strcmp(m->group, "allocator")) csv_text(out, m->value);
        fputc(',', out);
        if (!strcmp(m->group, "collector")) csv_text(out, m->value);
        fprintf(out, ",,,%s,,,", metric);
        if (isfinite(m->ratio)) fprintf(out, "%.10g", m->ratio);
        fprintf(out, ",,,,,,,,,%zu,,,,\n", m->pairs);
    }
}

/* ---- JSON ---------------------------------------------------------------------------- */

static json_t *identity_json(const hl_result_row *r) {
    return json_pack("{s:o,s:o,s:I,s:o,s:o}", "runtime", hl_results_json_text(r->runtime),
                     "workload", hl_results_json_text(r->workload), "size", (json_int_t)r->size,
                     "allocator", hl_results_json_text(r->allocator), "collector",
                     hl_results_json_text(r->collector));
}

static bool set(json_t *obj, const char *key, json_t *value) {
    return value != NULL && json_object_set_new(obj, key, value) == 0;
}

static json_t *pair_json(const hl_compare_pair *p) {
    json_t *o = identity_json(shown_row(p));
    bool ok = o != NULL;
    if (ok && p->status != HL_COMPARE_UNMATCHED)
        ok = set(o, "baseline", identity_json(p->base)) &&
             set(o, "baseline_status", hl_results_json_text(p->base->status)) &&
             set(o, "candidate_status", hl_results_json_text(p->cand->status));
    if (ok && p->status == HL_COMPARE_COMPARED)
        ok = set(o, "baseline_median", hl_results_json_number(p->median_base)) &&
             set(o, "candidate_median", hl_results_json_number(p->median_cand)) &&
             set(o, "ratio", hl_results_json_number(p->ratio)) &&
             set(o, "ci_low", hl_results_json_number(p->ci_low)) &&
             set(o, "ci_high", hl_results_json_number(p->ci_high)) &&
             set(o, "p", hl_results_json_number(p->p)) &&
             set(o, "u", hl_results_json_number(p->u)) && set(o, "exact", json_boolean(p->exact)) &&
             set(o, "n_baseline", json_integer((json_int_t)p->n_base)) &&
             set(o, "n_candidate", json_integer((json_int_t)p->n_cand)) &&
             set(o, "min_p", hl_results_json_number(p->min_p)) &&
             set(o, "from_invocations", json_boolean(p->from_invocations)) &&
             set(o, "verdict", hl_results_json_text(p->verdict));
    if (ok && p->status == HL_COMPARE_UNMATCHED)
        ok = set(o, "kind", hl_results_json_text(unmatched_kind(p)));
    if (ok) ok = set(o, "note", hl_results_json_text(p->note));
    if (!ok) json_decref(o);
    return ok ? o : NULL;
}

static bool write_json(FILE *out, const hl_compare_result *res) {
    const hl_compare_options *o = res->options;
    json_t *doc = json_object(), *baseline = json_object(), *lists[3], *geo = json_array(),
           *summary = json_object();
    for (size_t l = 0; l < 3; l++)
        lists[l] = json_array();
    bool ok = doc && baseline && geo && summary && lists[0] && lists[1] && lists[2];
    ok = ok && set(baseline, "kind", json_string(baseline_kind_name(o->baseline)));
    if (ok && o->baseline != HL_COMPARE_BASELINE_BATCH)
        ok = set(baseline, "name", hl_results_json_text(o->baseline_name));
    ok = ok && set(baseline, "dir", hl_results_json_text(res->base_side->dir)) &&
         set(baseline, "candidate_dir", hl_results_json_text(res->cand_side->dir));
    for (size_t i = 0; ok && i < res->count; i++) {
        const hl_compare_pair *p = &res->pairs[i];
        json_t *item = pair_json(p);
        ok = item != NULL && json_array_append_new(lists[p->status], item) == 0;
    }
    for (size_t g = 0; ok && g < res->geomean_count; g++) {
        const hl_compare_geomean *m = &res->geomeans[g];
        json_t *item = json_pack("{s:s,s:o,s:I,s:o}", "group", m->group, "value",
                                 hl_results_json_text(m->value), "pairs", (json_int_t)m->pairs,
                                 "ratio", hl_results_json_number(m->ratio));
        ok = item != NULL && json_array_append_new(geo, item) == 0;
    }
    const char *words[5];
    size_t counts[5];
    verdict_counts(res, words, counts);
    ok = ok && set(summary, "compared", json_integer((json_int_t)res->compared));
    for (size_t w = 0; ok && w < 5; w++)
        ok = set(summary, words[w], json_integer((json_int_t)counts[w]));
    ok = ok && set(summary, "not_comparable", json_integer((json_int_t)res->not_comparable)) &&
         set(summary, "unmatched", json_integer((json_int_t)res->unmatched));
    char note[512];
    too_small_note(res, note, sizeof note);
    ok = ok && set(summary, "note", hl_results_json_text(note));
    ok = ok && set(doc, "metric", json_string(hl_compare_metric_name(o->metric))) &&
         set(doc, "column", json_string(hl_results_figure_name((size_t)o->metric))) &&
         json_object_set(doc, "baseline", baseline) == 0 &&
         set(doc, "threshold", json_real(o->threshold)) &&
         set(doc, "alpha", json_real(HL_COMPARE_ALPHA)) &&
         set(doc, "resamples", json_integer((json_int_t)o->resamples)) &&
         set(doc, "seed", json_integer((json_int_t)o->seed)) &&
         json_object_set(doc, "pairs", lists[HL_COMPARE_COMPARED]) == 0 &&
         json_object_set(doc, "geomeans", geo) == 0 &&
         json_object_set(doc, "not_comparable", lists[HL_COMPARE_NOT_COMPARABLE]) == 0 &&
         json_object_set(doc, "unmatched", lists[HL_COMPARE_UNMATCHED]) == 0 &&
         json_object_set(doc, "summary", summary) == 0;
    ok = ok && json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
         fputc('\n', out) != EOF;
    json_decref(baseline);
    json_decref(geo);
    json_decref(summary);
    for (size_t l = 0; l < 3; l++)
        json_decref(lists[l]);
    json_decref(doc);
    return ok;
}

bool hl_compare_write(FILE *out, hl_compare_format format, const hl_compare_result *res) {
    switch (format) {
    case HL_COMPARE_TEXT:
        write_text(out, res);
        break;
    case HL_COMPARE_MARKDOWN:
        write_markdown(out, res);
        break;
    case HL_COMPARE_CSV:
        write_csv(out, res);
        break;
    case HL_COMPARE_JSON:
        if (!write_json(out, res)) return false;
        break;
    }
    return fflush(out) == 0 && !ferror(out);
}
