/* bench/harness/timeline.c: samples from ticks and collections, the live figure of a
 * collection's end, bounded memory by decimation, and the file gnuplot reads. */
#include <string.h>
#include <sys/stat.h>

#include "bench/harness/timeline.h"
#include "tests/check.h"

/* mkdir -p */
static void make_dirs(const char *path) {
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    mkdir(tmp, 0755);
}

int main(int argc, char **argv) {
    REQUIRE(argc == 2);
    make_dirs(argv[1]);
    hl_timeline *t = hl_timeline_new();
    REQUIRE(t != NULL);
    const hl_event_listener *l = hl_timeline_events(t);
    REQUIRE(l != NULL && l->data != NULL);

    /* A sawtooth: climb, collect down to 1000 bytes, climb again. */
    for (size_t i = 1; i <= 10; i++)
        l->allocation_tick(l->data, i * 65536);
    l->collection_start(l->data, HL_COLLECTION_FULL);
    l->roots_traced == NULL ? (void)0 : l->roots_traced(l->data);
    l->collection_end(l->data, 123);
    l->live_data_size(l->data, 1000);
    l->allocation_tick(l->data, 70000);

    size_t n = hl_timeline_count(t);
    const hl_timeline_sample *s = hl_timeline_samples(t);
    CHECK(n == 13);
    if (n == 13) {
        CHECK(s[0].event == HL_TIMELINE_TICK && s[0].live_bytes == 65536);
        CHECK(s[10].event == HL_TIMELINE_COLLECTION_START && s[10].live_bytes == 655360);
        CHECK(s[11].event == HL_TIMELINE_COLLECTION_END && s[11].live_bytes == 1000);
        CHECK(s[12].event == HL_TIMELINE_TICK && s[12].live_bytes == 70000);
        for (size_t i = 1; i < n; i++)
            CHECK(s[i].time_ns >= s[i - 1].time_ns);
    }

    /* live_data_size without a collection_end just before it adds no sample. */
    l->live_data_size(l->data, 5);
    CHECK(hl_timeline_count(t) == n);

    char path[1024];
    snprintf(path, sizeof path, "%s/timeline.dat", argv[1]);
    CHECK(hl_timeline_write(t, path));
    FILE *f = fopen(path, "r");
    REQUIRE(f != NULL);
    char line[256];
    size_t data_lines = 0, ends = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        unsigned long long time_ns, bytes;
        char event[32];
        CHECK(sscanf(line, "%llu %llu %31s", &time_ns, &bytes, event) == 3);
        if (strcmp(event, "collection_end") == 0) {
            ends++;
            CHECK(bytes == 1000);
        }
        data_lines++;
    }
    fclose(f);
    CHECK(data_lines == n);
    CHECK(ends == 1);
    CHECK(!hl_timeline_write(t, "/nonexistent-dir/timeline.dat"));

    /* A long run stays bounded and still spans it: ten million ticks. */
    for (size_t i = 0; i < 10000000; i++) {
        l->allocation_tick(l->data, i);
        if (i % 100000 == 0) {
            l->collection_start(l->data, HL_COLLECTION_FULL);
            l->collection_end(l->data, 1);
            l->live_data_size(l->data, 0);
        }
    }
    n = hl_timeline_count(t);
    s = hl_timeline_samples(t);
    CHECK(n <= HL_TIMELINE_MAX_SAMPLES);
    CHECK(n >= HL_TIMELINE_MAX_SAMPLES / 4);
    CHECK(s[n - 1].live_bytes >= 9000000 || s[n - 1].event != HL_TIMELINE_TICK);
    size_t collections = 0;
    for (size_t i = 0; i < n; i++)
        collections += s[i].event == HL_TIMELINE_COLLECTION_END;
    CHECK(collections > 10);
    hl_timeline_free(t);
    hl_timeline_free(NULL);
    return check_report("test_timeline");
}
