/* heaplab compare DIR_A DIR_B: per-configuration ratios B/A between two batches.
 *
 * Configurations are matched by identity (runtime, workload, n, allocator,
 * collector). For each pair the table shows time per run and peak RSS of both and
 * their ratio B/A, and flags a change that is larger than the spread of the
 * repetitions: |B - A| > stddev(A) + stddev(B) (results.csv's real_time_ns_stddev and
 * peak_rss_bytes_stddev). Flags: "slower"/"faster" (time), "bigger"/"smaller" (RSS);
 * "?" when a side has fewer than 2 repetitions, so its spread is unknown. A failed
 * configuration shows its status instead of a ratio. Configurations present in one
 * batch only are listed after the table. Exit 0 whatever the changes; 2 when a folder
 * is not a results folder (bench/cli/compare_command.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/report/report.h"

static bool same_config(const hl_result_row *a, const hl_result_row *b) {
    return a->size == b->size && !strcmp(a->workload, b->workload) &&
           !strcmp(a->allocator, b->allocator) && !strcmp(a->collector, b->collector) &&
           !strcmp(a->runtime, b->runtime);
}

static const hl_result_row *match(const hl_result_row *row, const hl_result_row *rows,
                                  size_t count) {
    for (size_t i = 0; i < count; i++)
        if (same_config(row, &rows[i])) return &rows[i];
    return NULL;
}

static void config_label(const hl_result_row *r, char *out, size_t size) {
    char name[256];
    hl_results_config_name(r, name, sizeof name);
    if (strcmp(r->runtime, "heaplab") != 0 && r->runtime[0])
        hl_report_fmt(out, size, "%s [%s]", name, r->runtime);
    else
        hl_report_fmt(out, size, "%s", name);
}

static void human(char *buf, size_t size, double v, bool bytes) {
    if (!isfinite(v))
        hl_report_fmt(buf, size, "-");
    else if (bytes)
        hl_report_fmt(buf, size, "%.1fM", v / 1048576.0);
    else if (v >= 1e9)
        hl_report_fmt(buf, size, "%.3gs", v / 1e9);
    else if (v >= 1e6)
        hl_report_fmt(buf, size, "%.3gms", v / 1e6);
    else
        hl_report_fmt(buf, size, "%.3gus", v / 1e3);
}

/* Ratio and flag of one figure. Returns true when the change is flagged. */
static bool judge(double a, double b, double sd_a, double sd_b, int reps_a, int reps_b,
                  const char *up, const char *down, char *ratio, size_t ratio_size, char *flag,
                  size_t flag_size) {
    flag[0] = '\0';
    if (!isfinite(a) || !isfinite(b) || a <= 0) {
        hl_report_fmt(ratio, ratio_size, "-");
        return false;
    }
    hl_report_fmt(ratio, ratio_size, "%.3f", b / a);
    if (reps_a < 2 || reps_b < 2 || !isfinite(sd_a) || !isfinite(sd_b)) {
        hl_report_fmt(flag, flag_size, "?");
        return false;
    }
    if (fabs(b - a) > sd_a + sd_b) {
        hl_report_fmt(flag, flag_size, "%s", b > a ? up : down);
        return true;
    }
    return false;
}

void hl_report_compare(FILE *out, const char *name_a, const hl_result_row *a, size_t na,
                       const char *name_b, const hl_result_row *b, size_t nb) {
    fprintf(out, "heaplab compare: A = %s, B = %s\n", name_a, name_b);
    fprintf(out, "%-58s %9s %9s %7s %-7s %8s %8s %7s %-7s\n", "configuration", "time A", "time B",
            "B/A", "", "RSS A", "RSS B", "B/A", "");
    size_t compared = 0, flagged = 0, unknown = 0;
    for (size_t i = 0; i < na; i++) {
        const hl_result_row *ra = &a[i], *rb = match(ra, b, nb);
        if (rb == NULL) continue;
        compared++;
        char label[300];
        config_label(ra, label, sizeof label);
        bool ok_a = !strcmp(ra->status, HL_STATUS_OK), ok_b = !strcmp(rb->status, HL_STATUS_OK);
        if (!ok_a || !ok_b) {
            fprintf(out, "%-58s status A %s, B %s\n", label, ra->status, rb->status);
            if (strcmp(ra->status, rb->status) != 0) flagged++;
            continue;
        }
        char ta[32], tb[32], rta[32], rtb[32], tr[32], rr[32], tf[16], rf[16];
        human(ta, sizeof ta, ra->real_time_ns, false);
        human(tb, sizeof tb, rb->real_time_ns, false);
        human(rta, sizeof rta, ra->peak_rss_bytes, true);
        human(rtb, sizeof rtb, rb->peak_rss_bytes, true);
        bool changed = judge(ra->real_time_ns, rb->real_time_ns, ra->real_time_ns_stddev,
                             rb->real_time_ns_stddev, ra->repetitions, rb->repetitions, "slower",
                             "faster", tr, sizeof tr, tf, sizeof tf);
        changed = judge(ra->peak_rss_bytes, rb->peak_rss_bytes, ra->peak_rss_bytes_stddev,
                        rb->peak_rss_bytes_stddev, ra->repetitions, rb->repetitions, "bigger",
                        "smaller", rr, sizeof rr, rf, sizeof rf) ||
                  changed;
        flagged += changed;
        unknown += tf[0] == '?';
        fprintf(out, "%-58s %9s %9s %7s %-7s %8s %8s %7s %-7s\n", label, ta, tb, tr, tf, rta, rtb,
                rr, rf);
    }
    size_t only_a = 0, only_b = 0;
    for (size_t i = 0; i < na; i++)
        if (!match(&a[i], b, nb)) {
            char label[300];
            config_label(&a[i], label, sizeof label);
            fprintf(out, "only in A: %s\n", label);
            only_a++;
        }
    for (size_t i = 0; i < nb; i++)
        if (!match(&b[i], a, na)) {
            char label[300];
            config_label(&b[i], label, sizeof label);
            fprintf(out, "only in B: %s\n", label);
            only_b++;
        }
    fprintf(out,
            "%zu configurations compared, %zu changed beyond the repetitions' spread, %zu with "
            "unknown spread; %zu only in A, %zu only in B\n",
            compared, flagged, unknown, only_a, only_b);
}
