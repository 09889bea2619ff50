/* Minimum mutator utilization (Cheng and Blelloch, "A parallel, real-time garbage
 * collector", PLDI 2001), exactly, from one invocation's pause log (heaplab run
 * --pauses: the clock-on intervals of its timed iterations and its collector pauses).
 *
 * The run is the clock-on intervals laid end to end: the gaps between them (the time
 * between iterations, and every stretch with Google Benchmark's clock stopped inside
 * one) are cut out, and each pause is mapped onto that timeline; a pause that reaches
 * past an interval is clipped to it, and the pieces of one that straddles a cut join
 * where the two intervals meet. MMU(w) is the minimum, over every window [t, t + w]
 * inside the run, of the mutator's share of the window, (w - pause time in it) / w.
 * The pause time in a window is a piecewise linear function of t whose maximum lies
 * where the window starts at a pause's start or ends at a pause's end (or at an end of
 * the run), so those windows, and only they, are evaluated: with prefix sums of the
 * pauses and a binary search, O(n log n) per width, exact (no sampling of t).
 */
#ifndef HEAPLAB_BENCH_REPORT_MMU_H
#define HEAPLAB_BENCH_REPORT_MMU_H

#include <stdbool.h>
#include <stddef.h>

/* An interval on the pause log's clock, in nanoseconds. */
typedef struct hl_mmu_span {
    double start_ns, duration_ns;
} hl_mmu_span;

/* One invocation's run: its length and its pauses on the run's own timeline (disjoint,
 * in order; touching or overlapping pauses are one). */
typedef struct hl_mmu {
    double length_ns;    /* the clock-on intervals' total */
    size_t count;        /* pauses on the timeline */
    double *start, *end; /* pause i is [start[i], end[i]) */
    double *before;      /* pause time before start[i]: the prefix sums */
    double shortest_ns;  /* the shortest pause on the timeline; 0 without pauses */
    double paused_ns;    /* every pause's time on the timeline */
} hl_mmu;

/* The run of `clock` (the clock-on intervals, any order) and `pauses` (any order; a
 * part outside every interval is not part of the run). False, with a one-line reason in
 * error, when two intervals overlap, a span is negative or not finite, or memory runs
 * out. m is freed with hl_mmu_free either way. */
bool hl_mmu_build(hl_mmu *m, const hl_mmu_span *clock, size_t nclock, const hl_mmu_span *pauses,
                  size_t npauses, char *error, size_t error_size);
void hl_mmu_free(hl_mmu *m);

/* MMU(w), in [0, 1]. A width longer than the run is the run (the only window there
 * is); NAN for a width that is not positive or a run of length 0. */
double hl_mmu_at(const hl_mmu *m, double width_ns);
/* The pause time in the window [t, t + w] of the run's timeline. */
double hl_mmu_paused_in(const hl_mmu *m, double t_ns, double width_ns);

/* n widths spaced evenly on a log scale from lo to hi, both included (n == 1, or
 * lo >= hi: every one is hi). */
void hl_mmu_widths(double lo_ns, double hi_ns, size_t n, double *out);

#endif
