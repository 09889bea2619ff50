/* bench/harness/trace.c driven directly: each collector's event sequence gives the phase
 * slices docs/traces.md names, tiling their collection; a collection that starts with
 * recording off is not kept; the bound holds and the file says the trace was truncated;
 * a NULL trace does nothing. The file is read back with jansson. */
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "bench/harness/trace.h"
#include "tests/check.h"

static json_t *load(const char *path) {
    json_error_t error;
    json_t *doc = json_load_file(path, 0, &error);
    CHECK_MSG(doc != NULL, "%s:%d: %s", path, error.line, error.text);
    return doc;
}

/* The X events' names in file order, space-separated. */
static void x_names(json_t *doc, char *out, size_t size) {
    out[0] = '\0';
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "traceEvents"), i, e) {
        if (strcmp(json_string_value(json_object_get(e, "ph")), "X") != 0) continue;
        if (out[0] != '\0') strncat(out, " ", size - strlen(out) - 1);
        strncat(out, json_string_value(json_object_get(e, "name")), size - strlen(out) - 1);
    }
}

/* Start and end of every X event in nanoseconds, to check that the phases tile their
 * collection. */
static size_t x_times(json_t *doc, long long *start, long long *end, size_t max) {
    size_t i, n = 0;
    json_t *e;
    json_array_foreach(json_object_get(doc, "traceEvents"), i, e) {
        if (strcmp(json_string_value(json_object_get(e, "ph")), "X") != 0 || n == max) continue;
        double ts = json_number_value(json_object_get(e, "ts"));
        double dur = json_number_value(json_object_get(e, "dur"));
        start[n] = (long long)(ts * 1000 + 0.5);
        end[n] = (long long)(ts * 1000 + 0.5) + (long long)(dur * 1000 + 0.5);
        n++;
    }
    return n;
}

/* One collection, as a collector's events give it: "s" start, "r" roots_traced,
 * "h" heap_traced, "b" bookkeeping_start, "e" end. */
static void collect(const hl_event_listener *l, const char *events) {
    for (const char *p = events; *p; p++) {
        switch (*p) {
        case 's':
            l->collection_start(l->data, HL_COLLECTION_YOUNG);
            break;
        case 'r':
            l->roots_traced(l->data);
            break;
        case 'h':
            l->heap_traced(l->data);
            break;
        case 'b':
            l->bookkeeping_start(l->data);
            break;
        case 'e':
            l->collection_end(l->data, 7);
            break;
        }
    }
}

static void phases_of(const char *dir, const char *events, const char *want) {
    hl_trace *t = hl_trace_new(100);
    REQUIRE(t != NULL);
    const hl_event_listener *l = hl_trace_events(t);
    hl_trace_set_recording(t, true);
    collect(l, events);
    char path[1024], names[512];
    snprintf(path, sizeof path, "%s/%s.json", dir, events);
    CHECK(hl_trace_write(t, path, "test"));
    json_t *doc = load(path);
    if (doc != NULL) {
        x_names(doc, names, sizeof names);
        CHECK_MSG(strcmp(names, want) == 0, "%s gave \"%s\", expected \"%s\"", events, names, want);
        long long start[16], end[16];
        size_t n = x_times(doc, start, end, 16);
        long long at = n ? start[0] : 0;
        for (size_t i = 1; i < n; i++) {
            CHECK_MSG(start[i] == at, "%s: phase %zu starts at %lld, not %lld", events, i, start[i],
                      at);
            at = end[i];
        }
        CHECK_MSG(n < 2 || at == end[0], "%s: the phases end at %lld, the collection at %lld",
                  events, at, end[0]);
        json_decref(doc);
    }
    hl_trace_free(t);
}

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

    /* rc_cycle, mark_sweep with a finalizer pass, boehm, and a collector without phase
     * events. */
    phases_of(argv[1], "srhe", "young collection roots heap finalize+sweep");
    phases_of(argv[1], "srhrhe", "young collection roots heap finalize+roots heap finalize+sweep");
    phases_of(argv[1], "shbe", "young collection mark finalize+sweep bookkeeping");
    phases_of(argv[1], "se", "young collection");

    /* Recording off: the collection is not kept, the counters are. */
    hl_trace *t = hl_trace_new(100);
    REQUIRE(t != NULL);
    const hl_event_listener *l = hl_trace_events(t);
    collect(l, "srhe");
    l->allocation_tick(l->data, 65536);
    l->heap_resized(l->data, 1 << 20);
    CHECK(hl_trace_count(t) == 2);
    hl_trace_free(t);

    /* The bound: 4 events fit; the iteration, the collection and its first two phases.
     * The rest are dropped and the file says so; the slices kept are all closed. */
    t = hl_trace_new(4);
    REQUIRE(t != NULL);
    l = hl_trace_events(t);
    hl_trace_set_recording(t, true);
    hl_trace_begin_iteration(t, 0, 0);
    collect(l, "srhe");
    hl_trace_begin_reclaim(t);
    collect(l, "srhe");
    hl_trace_end_reclaim(t);
    hl_trace_end_iteration(t);
    for (int i = 0; i < 1000; i++)
        l->allocation_tick(l->data, (size_t)i);
    CHECK(hl_trace_count(t) == 4);
    CHECK(hl_trace_dropped(t) == 1 + 1 + 4 + 1000);
    char path[1024], names[512];
    snprintf(path, sizeof path, "%s/truncated.json", argv[1]);
    CHECK(hl_trace_write(t, path, "test"));
    json_t *doc = load(path);
    if (doc != NULL) {
        x_names(doc, names, sizeof names);
        CHECK_MSG(strcmp(names, "iteration young collection roots heap") == 0, "kept \"%s\"",
                  names);
        json_t *other = json_object_get(doc, "otherData");
        CHECK(json_is_true(json_object_get(other, "truncated")));
        CHECK(json_integer_value(json_object_get(other, "dropped_events")) == 1006);
        CHECK(json_integer_value(json_object_get(other, "max_events")) == 4);
        size_t i;
        json_t *e;
        bool labelled = false;
        json_array_foreach(json_object_get(doc, "traceEvents"), i, e) {
            const char *name = json_string_value(json_object_get(e, "name"));
            labelled = labelled || (name && strcmp(name, "process_labels") == 0);
        }
        CHECK(labelled);
        json_decref(doc);
    }
    CHECK(!hl_trace_write(t, "/nonexistent-dir/trace.json", "test"));
    hl_trace_free(t);

    /* A NULL trace: the harness calls these without a --trace. */
    CHECK(hl_trace_events(NULL) == NULL);
    hl_trace_set_recording(NULL, true);
    hl_trace_begin_iteration(NULL, 0, 0);
    hl_trace_begin_reclaim(NULL);
    hl_trace_end_reclaim(NULL);
    hl_trace_end_iteration(NULL);
    hl_trace_free(NULL);
    return check_report("test_trace");
}
