/* The MMU of a pause log (bench/report/mmu.h) on hand-made logs whose answers are worked
 * out by hand in the comments (times in ms), then on random logs against a brute force
 * that evaluates every window edge a piecewise linear function can turn at.
 */
#include <math.h>
#include <stdlib.h>

#include "bench/report/mmu.h"
#include "check.h"

#define MS 1e6

static hl_mmu_span span(double start_ms, double duration_ms) {
    return (hl_mmu_span){start_ms * MS, duration_ms * MS};
}

static bool near(double a, double b) {
    return fabs(a - b) <= 1e-9;
}

/* The MMU at w ms must be want. */
#define CHECK_MMU(m, w_ms, want)                                                                   \
    do {                                                                                           \
        double got_ = hl_mmu_at(m, (w_ms)*MS);                                                     \
        CHECK_MSG(near(got_, want), "MMU(%g ms) = %.12g, want %.12g", (double)(w_ms), got_,        \
                  (double)(want));                                                                 \
    } while (0)

static void build(hl_mmu *m, const hl_mmu_span *clock, size_t nc, const hl_mmu_span *pauses,
                  size_t np) {
    char error[128] = "";
    bool ok = hl_mmu_build(m, clock, nc, pauses, np, error, sizeof error);
    CHECK_MSG(ok, "build: %s", error);
}

/* A run of 100 ms with one 10 ms pause in its middle: a 10 ms window can be all pause
 * (0), a 20 ms one at best half of it (0.5), the whole run 90% mutator (0.9). */
static void one_pause(void) {
    hl_mmu m;
    hl_mmu_span clock[] = {span(0, 100)}, pauses[] = {span(40, 10)};
    build(&m, clock, 1, pauses, 1);
    CHECK(near(m.length_ns, 100 * MS) && m.count == 1 && near(m.shortest_ns, 10 * MS));
    CHECK_MMU(&m, 5, 0);
    CHECK_MMU(&m, 10, 0);
    CHECK_MMU(&m, 20, 0.5);
    CHECK_MMU(&m, 40, 0.75);
    CHECK_MMU(&m, 100, 0.9);
    /* wider than the run: the run is the only window */
    CHECK_MMU(&m, 250, 0.9);
    CHECK(isnan(hl_mmu_at(&m, 0)) && isnan(hl_mmu_at(&m, -1)));
    hl_mmu_free(&m);
}

/* Pauses at 20-25 and 30-35: a 15 ms window spans both (10 ms of pause: 1/3); an 11 ms
 * one holds 6 ms at best (5/11); a 10 ms one 5 ms (0.5: one pause whole, or halves of
 * both); a 20 ms one both (0.5). */
static void two_close_pauses(void) {
    hl_mmu m;
    hl_mmu_span clock[] = {span(0, 100)}, pauses[] = {span(30, 5), span(20, 5)}; /* any order */
    build(&m, clock, 1, pauses, 2);
    CHECK(m.count == 2 && near(m.paused_ns, 10 * MS));
    CHECK_MMU(&m, 5, 0);
    CHECK_MMU(&m, 10, 0.5);
    CHECK_MMU(&m, 11, 5.0 / 11);
    CHECK_MMU(&m, 15, 1.0 / 3);
    CHECK_MMU(&m, 20, 0.5);
    CHECK_MMU(&m, 100, 0.9);
    hl_mmu_free(&m);
}

/* A pause at the very start (0-10) and one at the very end (95-100) of a 100 ms run:
 * windows are clamped to the run, so a 20 ms window at the start holds 10 ms (0.5) and
 * one at the end 5 ms; a window may not reach past either end to dodge them. */
static void pauses_at_the_ends(void) {
    hl_mmu m;
    hl_mmu_span clock[] = {span(0, 100)}, first[] = {span(0, 10)}, last[] = {span(95, 5)};
    build(&m, clock, 1, first, 1);
    CHECK_MMU(&m, 10, 0);
    CHECK_MMU(&m, 20, 0.5);
    CHECK_MMU(&m, 50, 0.8);
    hl_mmu_free(&m);
    build(&m, clock, 1, last, 1);
    CHECK_MMU(&m, 5, 0);
    CHECK_MMU(&m, 20, 0.75);
    CHECK_MMU(&m, 50, 0.9);
    CHECK_MMU(&m, 100, 0.95);
    hl_mmu_free(&m);
}

/* Two iterations, 0-50 and 80-130 (a 30 ms gap between them, cut out: the run is
 * 100 ms). A pause at the end of the first (45-50) and one at the start of the second
 * (80-85) are one 10 ms pause on the run's timeline: MMU(10 ms) = 0 and MMU(20 ms) = 0.5,
 * where the uncut clock would give 0.5 and 0.75. A pause that straddles a cut (45-65 on
 * the clock 0-50, 60-110: 10 ms of it inside the clock) is clipped and joined the same
 * way; a pause wholly in a gap is no part of the run. */
static void gaps_cut_out(void) {
    hl_mmu m;
    hl_mmu_span clock[] = {span(80, 50), span(0, 50)}, pauses[] = {span(45, 5), span(80, 5)};
    build(&m, clock, 2, pauses, 2);
    CHECK(near(m.length_ns, 100 * MS) && m.count == 1 && near(m.shortest_ns, 10 * MS));
    CHECK_MMU(&m, 10, 0);
    CHECK_MMU(&m, 20, 0.5);
    CHECK_MMU(&m, 100, 0.9);
    hl_mmu_free(&m);

    hl_mmu_span clock2[] = {span(0, 50), span(60, 50)};
    hl_mmu_span straddle[] = {span(45, 20), span(52, 3), span(200, 7)};
    build(&m, clock2, 2, straddle, 3);
    CHECK_MSG(m.count == 1 && near(m.paused_ns, 10 * MS) && near(m.start[0], 45 * MS) &&
                  near(m.end[0], 55 * MS),
              "%zu pauses, %g ms of pause from %g ms", m.count, m.paused_ns / MS,
              m.count ? m.start[0] / MS : -1);
    CHECK_MMU(&m, 10, 0);
    CHECK_MMU(&m, 20, 0.5);
    hl_mmu_free(&m);
}

/* No pause: the mutator has every window (1 at every width); no run: no MMU. Two clock
 * intervals that overlap are no run either. */
static void degenerate(void) {
    hl_mmu m;
    hl_mmu_span clock[] = {span(0, 30), span(40, 20)};
    build(&m, clock, 2, NULL, 0);
    CHECK(m.count == 0 && m.shortest_ns == 0 && near(m.length_ns, 50 * MS));
    for (double w = 0.001; w < 100; w *= 3)
        CHECK_MMU(&m, w, 1);
    hl_mmu_free(&m);
    hl_mmu_span pauses[] = {span(1, 1)};
    build(&m, NULL, 0, pauses, 1);
    CHECK(m.count == 0 && isnan(hl_mmu_at(&m, 1 * MS)));
    hl_mmu_free(&m);
    char error[128] = "";
    hl_mmu_span overlap[] = {span(0, 30), span(20, 20)}, bad[] = {span(0, NAN)};
    CHECK(!hl_mmu_build(&m, overlap, 2, NULL, 0, error, sizeof error) && error[0] != '\0');
    hl_mmu_free(&m);
    CHECK(!hl_mmu_build(&m, clock, 2, bad, 1, error, sizeof error));
    hl_mmu_free(&m);
}

static void widths(void) {
    double w[4];
    hl_mmu_widths(1, 1000, 4, w);
    CHECK_MSG(near(w[0], 1) && fabs(w[1] - 10) < 1e-9 && fabs(w[2] - 100) < 1e-9 && w[3] == 1000,
              "%g %g %g %g", w[0], w[1], w[2], w[3]);
    hl_mmu_widths(5, 5, 2, w);
    CHECK(w[0] == 5 && w[1] == 5);
}

/* The pause time of [t, t + w] summed over every pause, no prefix sums. */
static double brute_paused(const hl_mmu *m, double t, double w) {
    double sum = 0;
    for (size_t i = 0; i < m->count; i++) {
        double a = m->start[i] > t ? m->start[i] : t;
        double b = m->end[i] < t + w ? m->end[i] : t + w;
        if (b > a) sum += b - a;
    }
    return sum;
}

/* Random logs: the exact MMU against the brute force over every breakpoint of the pause
 * time as a function of the window's start (a window edge at any pause start or end,
 * and the run's ends), and no sampled window does worse than the minimum. */
static void random_logs(void) {
    srand(20010620);
    for (int trial = 0; trial < 300; trial++) {
        size_t nc = 1 + (size_t)(rand() % 4), np = (size_t)(rand() % 12);
        hl_mmu_span clock[4], pauses[12];
        double at = 0;
        for (size_t i = 0; i < nc; i++) {
            at += rand() % 20;
            clock[i] = span(at, 10 + rand() % 60);
            at += clock[i].duration_ns / MS;
        }
        for (size_t i = 0; i < np; i++)
            pauses[i] = span((double)(rand() % (int)(at + 1)), 0.5 + rand() % 9);
        hl_mmu m;
        build(&m, clock, nc, pauses, np);
        double L = m.length_ns;
        for (double w = 0.25 * MS; w <= L; w *= 1.7) {
            double worst = 0;
            for (size_t i = 0; i < m.count; i++) {
                double edges[] = {m.start[i], m.end[i], m.start[i] - w, m.end[i] - w, 0, L - w};
                for (size_t k = 0; k < 6; k++) {
                    double t = edges[k] < 0 ? 0 : edges[k] > L - w ? L - w : edges[k];
                    double p = brute_paused(&m, t, w);
                    if (p > worst) worst = p;
                }
            }
            double got = hl_mmu_at(&m, w), want = (w - worst) / w;
            CHECK_MSG(fabs(got - want) < 1e-9, "trial %d, w %g ms: MMU %.12g, brute force %.12g",
                      trial, w / MS, got, want);
            for (int s = 0; s <= 50; s++) {
                double t = (L - w) * s / 50;
                CHECK(1 - brute_paused(&m, t, w) / w >= got - 1e-9);
            }
        }
        hl_mmu_free(&m);
    }
}

int main(void) {
    one_pause();
    two_close_pauses();
    pauses_at_the_ends();
    gaps_cut_out();
    degenerate();
    widths();
    random_logs();
    return check_report("mmu");
}
