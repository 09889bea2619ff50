/* bench/batch/progress.c: the bar's line fits the terminal (at most width - 1
 * characters, no newline) at every width, keeps its counters and ETA when there is
 * room, shows the step after the configurations, and the tally lists the statuses in
 * the schema's order without zero counts. */
#include <stdlib.h>
#include <string.h>

#include "bench/batch/batch.h"
#include "tests/check.h"

static hl_progress state(const char *current, size_t done, size_t total, size_t done_here) {
    hl_progress p;
    memset(&p, 0, sizeof p);
    p.total = total;
    p.done = done;
    p.done_here = done_here;
    p.start_s = 1000.0;
    snprintf(p.current, sizeof p.current, "%s", current);
    return p;
}

static void check_fits(const hl_progress *p, int width, bool name_whole) {
    char line[1024];
    hl_progress_line(p, 1000.0 + 3725.0, width, line, sizeof line);
    size_t length = strlen(line);
    CHECK_MSG(length <= (size_t)width - 1, "width %d: %zu characters: '%s'\n", width, length, line);
    CHECK_MSG(strchr(line, '\n') == NULL && strchr(line, '\r') == NULL, "width %d: '%s'\n", width,
              line);
    char counters[64];
    snprintf(counters, sizeof counters, "%zu/%zu", p->done, p->total);
    if (width >= 60) {
        CHECK_MSG(strstr(line, counters) != NULL && strstr(line, "elapsed") != NULL,
                  "width %d: no counters in '%s'\n", width, line);
        if (p->done_here > 0 && p->done < p->total)
            CHECK_MSG(strstr(line, "ETA") != NULL, "width %d: no ETA in '%s'\n", width, line);
        CHECK_MSG(line[0] == '[', "width %d: no bar in '%s'\n", width, line);
    }
    if (name_whole)
        CHECK_MSG(strstr(line, p->current) != NULL, "width %d: the name is cut in '%s'\n", width,
                  line);
}

int main(void) {
    /* a long configuration name, as a batch with a long timeline slug has */
    const char *name = "cyclic_graph/random/1000000/mimalloc/mark_sweep #3 (timeline run, "
                       "libc allocator, size 1000000)";
    hl_progress long_name = state(name, 41, 1233, 12);
    hl_progress short_name = state("recursion/sum/100/libc/refcount", 1232, 1233, 1232);
    hl_progress step = state("charts: drawing the charts and report.html", 1233, 1233, 10);
    hl_progress none = state("", 0, 1233, 0);
    int widths[] = {60, 80, 200, 1, 2, 10, 20, 40, 59, 61, 79, 81, 120};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        check_fits(&long_name, widths[i], widths[i] == 200);
        check_fits(&short_name, widths[i], widths[i] >= 120);
        check_fits(&step, widths[i], widths[i] >= 120);
        check_fits(&none, widths[i], false);
    }
    /* every width from 1 to 300 fits */
    for (int w = 1; w <= 300; w++)
        check_fits(&long_name, w, false);
    /* a wide terminal shows the full bar: 24 cells */
    char line[1024];
    hl_progress_line(&long_name, 1001.0, 200, line, sizeof line);
    CHECK_MSG(strncmp(line, "[", 1) == 0 && line[25] == ']', "'%s'\n", line);
    /* a buffer smaller than the width still gets a string */
    char small[16];
    hl_progress_line(&long_name, 1001.0, 200, small, sizeof small);
    CHECK(strlen(small) == sizeof small - 1);

    /* the tally */
    size_t counts[HL_TALLY_STATUSES] = {0};
    char tally[256];
    hl_progress_tally(counts, tally, sizeof tally);
    CHECK_MSG(strcmp(tally, "nothing ran") == 0, "'%s'\n", tally);
    counts[0] = 459; /* ok */
    counts[1] = 2;   /* memory_error */
    counts[4] = 1;   /* crashed */
    hl_progress_tally(counts, tally, sizeof tally);
    CHECK_MSG(strcmp(tally, "459 ok, 2 memory_error, 1 crashed") == 0, "'%s'\n", tally);
    size_t all[HL_TALLY_STATUSES] = {1, 2, 3, 4, 5, 6};
    hl_progress_tally(all, tally, sizeof tally);
    CHECK_MSG(strcmp(tally, "1 ok, 2 memory_error, 3 recursion_error, 4 failed, 5 crashed, "
                            "6 timeout") == 0,
              "'%s'\n", tally);

    /* COLUMNS overrides the terminal */
    setenv("COLUMNS", "61", 1);
    CHECK(hl_progress_width(stderr) == 61);
    setenv("COLUMNS", "abc", 1);
    CHECK(hl_progress_width(stderr) > 0);
    return check_report("progress");
}
