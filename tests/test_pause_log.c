/* The pause log (collectors/pause_log.h), fed events directly: what it keeps, where a
 * pause ends (bookkeeping_start, when it comes), the recording switch, and its exact
 * figures over a range. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "collectors/pause_log.h"

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void pause_of(const hl_event_listener *l, hl_collection_kind kind, long ms) {
    l->collection_start(l->data, kind);
    if (ms > 0) sleep_ms(ms);
    l->collection_end(l->data, 0);
}

static int by_value(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int main(void) {
    hl_pause_log *log = hl_pause_log_new();
    REQUIRE(log != NULL);
    const hl_event_listener *l = hl_pause_log_events(log);

    /* kept in order, with their kind, lengths and increasing start times */
    pause_of(l, HL_COLLECTION_YOUNG, 0);
    pause_of(l, HL_COLLECTION_FULL, 3);
    pause_of(l, HL_COLLECTION_MIDDLE, 1);
    REQUIRE(hl_pause_log_count(log) == 3);
    const hl_pause *p = hl_pause_log_pauses(log);
    CHECK(p[0].kind == HL_COLLECTION_YOUNG && p[1].kind == HL_COLLECTION_FULL &&
          p[2].kind == HL_COLLECTION_MIDDLE);
    CHECK(p[1].duration_ns >= 3000000u && p[2].duration_ns >= 1000000u);
    CHECK(p[0].start_ns < p[1].start_ns && p[1].start_ns + p[1].duration_ns <= p[2].start_ns);
    /* the longest of the three as recorded: on a loaded machine the 0 ms or the 1 ms pause
     * can outlast the 3 ms one (a descheduled thread), so no order is assumed */
    uint64_t longest = p[0].duration_ns;
    for (int i = 1; i < 3; i++)
        if (p[i].duration_ns > longest) longest = p[i].duration_ns;
    CHECK(hl_pause_log_max_ns(log, 0, HL_PAUSE_ANY_TAG) == longest);
    CHECK(hl_pause_log_max_ns(log, 2, HL_PAUSE_ANY_TAG) == p[2].duration_ns);
    CHECK(hl_pause_log_total_ns(log, 1, HL_PAUSE_ANY_TAG) == p[1].duration_ns + p[2].duration_ns);
    CHECK(hl_pause_log_max_ns(log, 3, HL_PAUSE_ANY_TAG) == 0 && hl_pause_log_total_ns(log, 3, HL_PAUSE_ANY_TAG) == 0);

    /* not recording: a pause that starts then is not kept, even if it ends later */
    hl_pause_log_set_recording(log, false);
    pause_of(l, HL_COLLECTION_FULL, 0);
    l->collection_start(l->data, HL_COLLECTION_FULL);
    hl_pause_log_set_recording(log, true);
    l->collection_end(l->data, 0);
    CHECK(hl_pause_log_count(log) == 3);

    /* a lazy sweep step is no pause; its time is the sweep total, while recording */
    CHECK(hl_pause_log_sweep_ns(log) == 0);
    l->sweep_start(l->data);
    sleep_ms(2);
    l->sweep_end(l->data, 7);
    CHECK(hl_pause_log_count(log) == 3);
    uint64_t swept = hl_pause_log_sweep_ns(log);
    CHECK(swept >= 2000000u);
    hl_pause_log_set_recording(log, false);
    l->sweep_start(l->data);
    hl_pause_log_set_recording(log, true);
    l->sweep_end(l->data, 0);
    CHECK(hl_pause_log_sweep_ns(log) == swept);

    /* heaplab's bookkeeping is not in the pause */
    l->collection_start(l->data, HL_COLLECTION_FULL);
    l->bookkeeping_start(l->data);
    sleep_ms(20);
    l->collection_end(l->data, 0);
    REQUIRE(hl_pause_log_count(log) == 4);
    CHECK_MSG(hl_pause_log_pauses(log)[3].duration_ns < 20000000u,
              "a pause of %llu ns holds the 20 ms of bookkeeping",
              (unsigned long long)hl_pause_log_pauses(log)[3].duration_ns);

    /* percentiles: the nearest rank, exact, over the range asked */
    for (int i = 0; i < 17; i++)
        pause_of(l, HL_COLLECTION_YOUNG, i % 3);
    size_t n = hl_pause_log_count(log);
    REQUIRE(n == 21);
    uint64_t sorted[21];
    p = hl_pause_log_pauses(log);
    for (size_t i = 0; i < n; i++)
        sorted[i] = p[i].duration_ns;
    qsort(sorted, n, sizeof sorted[0], by_value);
    uint64_t v = 1;
    CHECK(hl_pause_log_percentile_ns(log, 0, HL_PAUSE_ANY_TAG, 0.50, &v) && v == sorted[10]); /* ceil(10.5) */
    CHECK(hl_pause_log_percentile_ns(log, 0, HL_PAUSE_ANY_TAG, 0.99, &v) && v == sorted[20]); /* ceil(20.79) */
    CHECK(hl_pause_log_percentile_ns(log, 0, HL_PAUSE_ANY_TAG, 1.0, &v) && v == sorted[20]);
    CHECK(hl_pause_log_percentile_ns(log, 0, HL_PAUSE_ANY_TAG, 0.01, &v) && v == sorted[0]);
    CHECK(hl_pause_log_percentile_ns(log, 20, HL_PAUSE_ANY_TAG, 0.50, &v) && v == p[20].duration_ns);
    CHECK(hl_pause_log_percentile_ns(log, 21, HL_PAUSE_ANY_TAG, 0.50, &v) && v == 0);
    CHECK(hl_pause_log_dropped(log) == 0);

    /* tags: each pause keeps the tag it started under; the figures filter on it */
    hl_pause_log_set_tag(log, 7);
    pause_of(l, HL_COLLECTION_FULL, 2);
    hl_pause_log_set_tag(log, 0);
    p = hl_pause_log_pauses(log);
    CHECK(p[21].tag == 7 && p[20].tag == 0);
    CHECK(hl_pause_log_tagged(log, 0, 7) == 1 && hl_pause_log_tagged(log, 0, 0) == 21 &&
          hl_pause_log_tagged(log, 0, HL_PAUSE_ANY_TAG) == 22);
    CHECK(hl_pause_log_total_ns(log, 0, 7) == p[21].duration_ns);
    CHECK(hl_pause_log_max_ns(log, 0, 0) == sorted[20]);
    CHECK(hl_pause_log_percentile_ns(log, 0, 0, 0.50, &v) && v == sorted[10]);
    CHECK(hl_pause_log_percentile_ns(log, 0, 7, 0.50, &v) && v == p[21].duration_ns);
    CHECK(hl_pause_log_percentile_ns(log, 0, 3, 0.50, &v) && v == 0);

    /* clear: nothing kept, the origin stays */
    uint64_t last_start = p[21].start_ns;
    hl_pause_log_clear(log);
    CHECK(hl_pause_log_count(log) == 0 && hl_pause_log_max_ns(log, 0, HL_PAUSE_ANY_TAG) == 0);
    CHECK(hl_pause_log_sweep_ns(log) == 0);
    pause_of(l, HL_COLLECTION_FULL, 0);
    CHECK(hl_pause_log_count(log) == 1 && hl_pause_log_pauses(log)[0].start_ns > last_start);

    hl_pause_log_free(log);
    return check_report("test_pause_log");
}
