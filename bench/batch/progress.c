/* heaplab batch progress on stderr (bench/batch/batch.h).
 *
 * On a terminal: one line redrawn in place,
 *   [#########...........] 41/270  0:32 elapsed, ETA 1:15  large_list/range/1000/libc/refcount
 * never wider than the terminal less one column (hl_progress_line: the bar and the name
 * shrink to fit, so a redraw never wraps into a second line that \r cannot erase);
 * after the configurations, the step being done ("charts: ..."). Anywhere else (CI
 * logs, files): one plain line per finished configuration,
 *   [41/270] large_list/range/1000/libc/refcount: ok (0.12 s)
 * The ETA is the mean time of the invocations this process finished times the
 * number left; it appears once one has finished. The batch ends with the tally of the
 * configurations' statuses (hl_progress_tally). The batch's other lines go through
 * hl_progress_note, folded to the terminal's width on a terminal.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "bench/batch/batch.h"

#define HL_PROGRESS_BAR_WIDTH 24
#define HL_PROGRESS_BAR_MIN 8  /* narrower than this, the bar goes */
#define HL_PROGRESS_NAME_MIN 8 /* fewer columns than this for the name, it goes */
#define HL_PROGRESS_DEFAULT_WIDTH 80
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

int hl_progress_width(FILE *out) {
    const char *columns = getenv("COLUMNS");
    if (columns != NULL && columns[0] != '\0') {
        char *end = NULL;
        long n = strtol(columns, &end, 10);
        if (*end == '\0' && n > 0 && n < 100000) return (int)n;
    }
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return HL_PROGRESS_DEFAULT_WIDTH;
}

/* Appends at most `room` characters of text to out[*used..size), cut with "..." when
 * longer. */
static void append_cut(char *out, size_t size, size_t *used, const char *text, size_t room) {
    size_t length = strlen(text);
    if (*used + room >= size) room = size - *used - 1;
    if (length <= room) {
        memcpy(out + *used, text, length);
        *used += length;
    } else if (room > 3) {
        memcpy(out + *used, text, room - 3);
        memcpy(out + *used + room - 3, "...", 3);
        *used += room;
    } else {
        memcpy(out + *used, text, room);
        *used += room;
    }
    out[*used] = '\0';
}

void hl_progress_line(const hl_progress *p, double now, int width, char *out, size_t size) {
    if (size == 0) return;
    out[0] = '\0';
    size_t limit = width > 1 ? (size_t)width - 1 : 0;
    if (limit >= size) limit = size - 1;
    char counters[128], elapsed[32], eta[48] = "";
    format_duration(elapsed, sizeof elapsed, now - p->start_s);
    if (p->done_here > 0 && p->done < p->total) {
        char left[32];
        double per = (now - p->start_s) / (double)p->done_here;
        format_duration(left, sizeof left, per * (double)(p->total - p->done));
        snprintf(eta, sizeof eta, ", ETA %s", left);
    }
    snprintf(counters, sizeof counters, "%zu/%zu  %s elapsed%s", p->done, p->total, elapsed, eta);
    size_t fixed = strlen(counters), name = strlen(p->current);
    /* "[bar] counters  name": the bar as wide as it fits up to its full width, then the
     * name cut to what is left; below their minimums they go. */
    size_t bar = HL_PROGRESS_BAR_WIDTH;
    size_t name_room = name > 0 ? name + 2 : 0;
    if (name_room > 0 && name_room < HL_PROGRESS_NAME_MIN + 2) name_room = HL_PROGRESS_NAME_MIN + 2;
    while (bar > HL_PROGRESS_BAR_MIN && bar + 3 + fixed + name_room > limit)
        bar--;
    if (bar + 3 + fixed > limit) bar = 0; /* no room for a bar at all */
    size_t used = 0;
    if (bar > 0) {
        size_t filled = p->total ? p->done * bar / p->total : 0;
        out[used++] = '[';
        for (size_t i = 0; i < bar; i++)
            out[used++] = i < filled ? '#' : '.';
        out[used++] = ']';
        out[used++] = ' ';
        out[used] = '\0';
    }
    append_cut(out, size, &used, counters, limit - used);
    if (name > 0 && used + 2 + HL_PROGRESS_NAME_MIN <= limit) {
        append_cut(out, size, &used, "  ", 2);
        append_cut(out, size, &used, p->current, limit - used);
    }
}

static void draw(hl_progress *p) {
    double now = hl_progress_now();
    p->last_draw_s = now;
    char line[1024];
    hl_progress_line(p, now, hl_progress_width(p->out), line, sizeof line);
    /* \r, clear the line, draw */
    fprintf(p->out, "\r\033[K%s", line);
    fflush(p->out);
}

/* One line of text on a terminal, folded at spaces (or, for a word longer than the
 * line, inside it) into lines of at most width - 1 characters. */
static void print_folded(FILE *out, const char *text, int width) {
    size_t limit = width > 1 ? (size_t)width - 1 : 1;
    const char *p = text;
    while (*p != '\0') {
        size_t length = strlen(p);
        if (length <= limit) {
            fprintf(out, "%s\n", p);
            return;
        }
        size_t cut = limit;
        while (cut > 0 && p[cut] != ' ')
            cut--;
        if (cut == 0) cut = limit; /* one word longer than the line */
        fprintf(out, "%.*s\n", (int)cut, p);
        p += cut;
        while (*p == ' ')
            p++;
    }
}

void hl_progress_note(hl_progress *p, const char *format, ...) {
    char text[2048];
    va_list ap;
    va_start(ap, format);
    vsnprintf(text, sizeof text, format, ap);
    va_end(ap);
    if (p->tty) {
        fputs("\r\033[K", p->out);
        print_folded(p->out, text, hl_progress_width(p->out));
    } else {
        fprintf(p->out, "%s\n", text);
    }
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
            hl_progress_note(p, "%s: %s (%.2f s)", name, status, seconds);
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

void hl_progress_step(hl_progress *p, const char *what) {
    snprintf(p->current, sizeof p->current, "%s", what);
    if (p->tty) {
        draw(p);
    } else {
        fprintf(p->out, "heaplab batch: %s\n", what);
        fflush(p->out);
    }
}

const char *const hl_tally_statuses[HL_TALLY_STATUSES] = {
    HL_STATUS_OK,     HL_STATUS_MEMORY_ERROR, HL_STATUS_RECURSION_ERROR,
    HL_STATUS_FAILED, HL_STATUS_CRASHED,      HL_STATUS_TIMEOUT,
};

void hl_progress_tally(const size_t counts[HL_TALLY_STATUSES], char *out, size_t size) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < HL_TALLY_STATUSES; i++) {
        if (counts[i] == 0) continue;
        int n = snprintf(out + used, size - used, "%s%zu %s", used ? ", " : "", counts[i],
                         hl_tally_statuses[i]);
        if (n < 0 || (size_t)n >= size - used) return;
        used += (size_t)n;
    }
    if (used == 0) snprintf(out, size, "nothing ran");
}
