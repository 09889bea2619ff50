/* Minimum mutator utilization from a pause log (bench/report/mmu.h).
 *
 * hl_mmu_build sorts the clock-on intervals, gives each its offset on the run's
 * timeline (the intervals before it, end to end), and maps every pause onto that
 * timeline interval by interval (a binary search finds the first interval it reaches),
 * merging pieces that touch or overlap. hl_mmu_at then takes, for the width w, the
 * largest pause time of any window: G(x), the pause time in [0, x], is a prefix sum plus
 * the part of the pause x falls in (a binary search over the starts), and the pause time
 * of [t, t + w] is G(t + w) - G(t). As t moves, that changes slope only where an edge
 * of the window crosses a pause's start or end; the slope falls (a local maximum can be
 * there) only where the left edge enters a pause (t a pause's start) or the right edge
 * leaves one (t + w a pause's end); everywhere else it is flat or rising toward one of
 * those points or toward an end of the run. So the windows starting at every pause start
 * and ending at every pause end, clamped into [0, length - w], are the only ones to
 * evaluate.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/report/mmu.h"

static int by_start(const void *a, const void *b) {
    double x = ((const hl_mmu_span *)a)->start_ns, y = ((const hl_mmu_span *)b)->start_ns;
    return (x > y) - (x < y);
}

static bool span_ok(const hl_mmu_span *s) {
    return isfinite(s->start_ns) && isfinite(s->duration_ns) && s->start_ns >= 0 &&
           s->duration_ns >= 0;
}

/* Sorted copies of n spans (NULL when out of memory; n == 0 gives a valid pointer). */
static hl_mmu_span *sorted_copy(const hl_mmu_span *spans, size_t n) {
    hl_mmu_span *copy = malloc((n ? n : 1) * sizeof *copy);
    if (copy == NULL) return NULL;
    for (size_t i = 0; i < n; i++)
        copy[i] = spans[i];
    qsort(copy, n, sizeof *copy, by_start);
    return copy;
}

/* Add [a, b) of the timeline after the pauses so far: pauses come in order of their
 * start (the mapping keeps order), so a piece either extends the last one or follows. */
static void add_piece(hl_mmu *m, double a, double b) {
    if (m->count > 0 && a <= m->end[m->count - 1]) {
        if (b > m->end[m->count - 1]) m->end[m->count - 1] = b;
        return;
    }
    m->start[m->count] = a;
    m->end[m->count] = b;
    m->count++;
}

bool hl_mmu_build(hl_mmu *m, const hl_mmu_span *clock, size_t nclock, const hl_mmu_span *pauses,
                  size_t npauses, char *error, size_t error_size) {
    *m = (hl_mmu){.length_ns = 0};
    for (size_t i = 0; i < nclock; i++)
        if (!span_ok(&clock[i])) {
            snprintf(error, error_size, "a clock interval is negative or not a number");
            return false;
        }
    for (size_t i = 0; i < npauses; i++)
        if (!span_ok(&pauses[i])) {
            snprintf(error, error_size, "a pause is negative or not a number");
            return false;
        }
    hl_mmu_span *iv = sorted_copy(clock, nclock), *ps = sorted_copy(pauses, npauses);
    double *offset = malloc((nclock ? nclock : 1) * sizeof *offset);
    /* each pause gives at most one piece per interval it reaches, and pieces merge:
     * npauses + nclock pieces at most */
    size_t room = npauses + nclock + 1;
    m->start = malloc(room * sizeof *m->start);
    m->end = malloc(room * sizeof *m->end);
    m->before = malloc(room * sizeof *m->before);
    bool ok = iv && ps && offset && m->start && m->end && m->before;
    if (!ok) snprintf(error, error_size, "out of memory computing the MMU");
    for (size_t i = 0; ok && i < nclock; i++) {
        if (i > 0 && iv[i].start_ns < iv[i - 1].start_ns + iv[i - 1].duration_ns) {
            snprintf(error, error_size, "clock intervals overlap (one starts at %.0f ns)",
                     iv[i].start_ns);
            ok = false;
        }
        offset[i] = m->length_ns;
        m->length_ns += iv[i].duration_ns;
    }
    for (size_t p = 0; ok && p < npauses; p++) {
        double a = ps[p].start_ns, b = a + ps[p].duration_ns;
        if (!(b > a)) continue;
        /* the first interval that ends after a */
        size_t lo = 0, hi = nclock;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (iv[mid].start_ns + iv[mid].duration_ns <= a)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k < nclock && iv[k].start_ns < b; k++) {
            double from = a > iv[k].start_ns ? a : iv[k].start_ns;
            double to =
                b < iv[k].start_ns + iv[k].duration_ns ? b : iv[k].start_ns + iv[k].duration_ns;
            if (to > from)
                add_piece(m, offset[k] + (from - iv[k].start_ns),
                          offset[k] + (to - iv[k].start_ns));
        }
    }
    for (size_t i = 0; ok && i < m->count; i++) {
        double len = m->end[i] - m->start[i];
        m->before[i] = m->paused_ns;
        m->paused_ns += len;
        if (i == 0 || len < m->shortest_ns) m->shortest_ns = len;
    }
    free(iv);
    free(ps);
    free(offset);
    return ok;
}

void hl_mmu_free(hl_mmu *m) {
    free(m->start);
    free(m->end);
    free(m->before);
    *m = (hl_mmu){.length_ns = 0};
}

/* G(x): the pause time in [0, x]. */
static double paused_until(const hl_mmu *m, double x) {
    size_t lo = 0, hi = m->count; /* the first pause that starts after x */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->start[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return 0;
    size_t i = lo - 1;
    return m->before[i] + ((x < m->end[i] ? x : m->end[i]) - m->start[i]);
}

double hl_mmu_paused_in(const hl_mmu *m, double t_ns, double width_ns) {
    return paused_until(m, t_ns + width_ns) - paused_until(m, t_ns);
}

double hl_mmu_at(const hl_mmu *m, double width_ns) {
    if (!(width_ns > 0) || !(m->length_ns > 0)) return NAN;
    double w = width_ns < m->length_ns ? width_ns : m->length_ns;
    double last = m->length_ns - w; /* the latest start of a window inside the run */
    double worst = 0;
    for (size_t i = 0; i < m->count; i++) {
        double starts[2] = {m->start[i], m->end[i] - w}; /* at a start; ending at an end */
        for (size_t k = 0; k < 2; k++) {
            double t = starts[k] < 0 ? 0 : starts[k] > last ? last : starts[k];
            double paused = hl_mmu_paused_in(m, t, w);
            if (paused > worst) worst = paused;
        }
    }
    double u = (w - worst) / w;
    return u < 0 ? 0 : u > 1 ? 1 : u;
}

void hl_mmu_widths(double lo_ns, double hi_ns, size_t n, double *out) {
    for (size_t i = 0; i < n; i++)
        out[i] = n == 1 || !(lo_ns < hi_ns) ? hi_ns
                 : i + 1 == n               ? hi_ns
                              : lo_ns * pow(hi_ns / lo_ns, (double)i / (double)(n - 1));
}
