/* heaplab batch progress on stderr (bench/batch/batch.h).
 *
 * On a terminal: one line redrawn in place,
 *   [#########...........] 41/270  0:32 elapsed, ETA 1:15  large_list/range/1000/libc/refcount
 * Anywhere else (CI logs, files): one plain line per finished configuration,
 *   [41/270] large_list/range/1000/libc/refcount: ok (0.12 s)
 * The ETA is the mean time of the invocations this process finished times the
 * number left; it appears once one has finished.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/batch/batch.h"

#define HL_PROGRESS_BAR_WIDTH 24
#define HL_PROGRESS_REDRAW_S 0.25

double hl_progress_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void format_duration(char *buf, size_t size, double seconds) {
    if (seconds < 0) seconds = 0;
    long s = (long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else
        snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
}

void hl_progress_init(hl_progress *p, FILE *out, size_t total, size_t already_done) {
    memset(p, 0, sizeof *p);
    p->out = out;
    p->tty = isatty(fileno(out)) != 0;
    p->total = total;
    p->done = already_done;
    p->start_s = hl_progress_now();
}

static void draw(hl_progress *p) {
    double now = hl_progress_now();
    p->last_draw_s = now;
    char bar[HL_PROGRESS_BAR_WIDTH + 1];
    size_t filled = p->total ? p->done * HL_PROGRESS_BAR_WIDTH / p->total : 0;
    for (size_t i = 0; i < HL_PROGRESS_BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[HL_PROGRESS_BAR_WIDTH] = '\0';
    char elapsed[32], eta[48] = "";
    format_duration(elapsed, sizeof elapsed, now - p->start_s);
    if (p->done_here > 0 && p->done < p->total) {
        char left[32];
        double per = (now - p->start_s) / (double)p->done_here;
        format_duration(left, sizeof left, per * (double)(p->total - p->done));
        snprintf(eta, sizeof eta, ", ETA %s", left);
    }
    /* \r, clear the line, draw; the name is cut so the line never wraps. */
    fprintf(p->out, "\r\033[K[%s] %zu/%zu  %s elapsed%s  %.60s", bar, p->done, p->total, elapsed,
            eta, p->current);
    fflush(p->out);
}

void hl_progress_start(hl_progress *p, const char *name) {
    snprintf(p->current, sizeof p->current, "%s", name);
    if (p->tty) draw(p);
}

void hl_progress_tick(hl_progress *p) {
    if (p->tty && hl_progress_now() - p->last_draw_s >= HL_PROGRESS_REDRAW_S) draw(p);
}

void hl_progress_finish(hl_progress *p, const char *name, const char *status, double seconds) {
    p->done++;
    p->done_here++;
    if (p->tty) {
        /* Failures stay visible above the bar; successes only move it. */
        if (strcmp(status, HL_STATUS_OK) != 0)
            fprintf(p->out, "\r\033[K%s: %s (%.2f s)\n", name, status, seconds);
        draw(p);
    } else {
        fprintf(p->out, "[%zu/%zu] %s: %s (%.2f s)\n", p->done, p->total, name, status, seconds);
        fflush(p->out);
    }
}

void hl_progress_end(hl_progress *p) {
    if (p->tty) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
    }
}
