/* bench/report/results.c: CSV round trips (quoting, unmeasured figures, column order), the
 * Google Benchmark JSON documents (written, parsed back with jansson, merged from files
 * in any layout) and atomic writes. Writes its JSON files into argv[1] for
 * tests/batch_check.py to parse with python's json module and Google Benchmark's
 * compare.py. */
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/report/results.h"
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

static void make_row(hl_result_row *row, const char *workload, uint64_t size, const char *status) {
    hl_results_row_init(row);
    snprintf(row->workload, sizeof row->workload, "%s", workload);
    snprintf(row->allocator, sizeof row->allocator, "libc");
    snprintf(row->collector, sizeof row->collector, "rc_cycle");
    snprintf(row->status, sizeof row->status, "%s", status);
    row->size = size;
    row->repetitions = 3;
    row->real_time_ns = 1234.5;
    row->cpu_time_ns = 1200;
    row->peak_rss_bytes = 4096.0 * 1000;
    row->gc_collections = 7;
    row->real_time_ns_stddev = 12.25;
}

static bool write_csv(FILE *out, void *data) {
    const hl_result_row *rows = data;
    hl_results_write_csv_header(out);
    for (int i = 0; i < 3; i++)
        hl_results_write_csv_row(out, &rows[i]);
    return true;
}

static bool fail_writer(FILE *out, void *data) {
    (void)data;
    fputs("partial", out);
    return false;
}

typedef struct json_job {
    const hl_result_row *ok_row;
    const hl_result_row *failed_row;
} json_job;

/* one.json: two repetitions, an aggregate, a failed entry; context members with quotes
 * and with bytes that are not UTF-8. */
static bool write_json(FILE *out, void *data) {
    const json_job *job = data;
    json_t *doc = hl_results_json_new();
    bool ok = doc != NULL &&
              hl_results_json_set_context(doc, "heaplab_test",
                                          hl_results_json_text("a \"quoted\" value")) &&
              hl_results_json_set_context(doc, "heaplab_junk",
                                          hl_results_json_text("bad \xff\xfe utf-8 \xc3\xa9"));
    char name[256];
    hl_results_config_name(job->ok_row, name, sizeof name);
    for (int rep = 0; ok && rep < 2; rep++) {
        hl_results_entry run = {0};
        run.name = name;
        run.run_name = name;
        run.repetitions = 2;
        run.repetition_index = rep;
        run.iterations = 10;
        run.real_time = 100 + rep;
        run.cpu_time = 90 + rep;
        run.counter_count = 2;
        run.counters[0].name = "allocs";
        run.counters[0].value = 42;
        run.counters[1].name = "gc_collections";
        run.counters[1].value = 3;
        ok = hl_results_json_add_entry(doc, &run, job->ok_row);
    }
    hl_results_entry agg = {0};
    agg.name = "x_cv";
    agg.run_name = "x";
    agg.is_aggregate = true;
    agg.aggregate_name = "cv";
    agg.repetitions = 2;
    agg.iterations = 2;
    agg.real_time = 0.25;
    agg.cpu_time = 0.5;
    ok = ok && hl_results_json_add_entry(doc, &agg, job->ok_row) &&
         hl_results_json_add_failed_entry(doc, job->failed_row) && hl_results_json_dump(doc, out);
    json_decref(doc);
    return ok;
}

typedef struct merge_job {
    const char *from[2];
    size_t appended;
    char error[512];
} merge_job;

/* The entries of two files, appended one after the other. */
static bool write_merged(FILE *out, void *data) {
    merge_job *job = data;
    json_t *doc = hl_results_json_new();
    bool ok = doc != NULL;
    job->appended = 0;
    for (int i = 0; ok && i < 2; i++) {
        size_t n = 0;
        ok = hl_results_json_append_file(doc, job->from[i], &n, job->error, sizeof job->error);
        job->appended += n;
    }
    ok = ok && hl_results_json_dump(doc, out);
    json_decref(doc);
    return ok;
}

static json_t *load(const char *path) {
    json_error_t error;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &error);
    CHECK_MSG(doc != NULL, "%s:%d:%d: %s", path, error.line, error.column, error.text);
    return doc;
}

/* How many of doc's benchmark entries have member `key`: with string `value`, or, when
 * value is NULL, of JSON type `type`. */
static size_t entries_with(const json_t *doc, const char *key, const char *value, json_type type) {
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "benchmarks"), i, e) {
        json_t *v = json_object_get(e, key);
        if (v == NULL) continue;
        if (value != NULL ? json_is_string(v) && strcmp(json_string_value(v), value) == 0
                          : json_typeof(v) == type)
            n++;
    }
    return n;
}

static json_t *entry_member(const json_t *doc, size_t index, const char *key) {
    return json_object_get(json_array_get(json_object_get(doc, "benchmarks"), index), key);
}

static bool write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f == NULL) return false;
    fputs(text, f);
    return fclose(f) == 0;
}

int main(int argc, char **argv) {
    REQUIRE(argc == 2);
    const char *dir = argv[1];
    make_dirs(dir);
    char path[1024];

    /* CSV round trip, with fields that need quoting and figures left unmeasured. */
    hl_result_row rows[3];
    make_row(&rows[0], "large_list/range", 1000, HL_STATUS_OK);
    make_row(&rows[1], "cyclic_graph/pairs", 100000000ull, HL_STATUS_MEMORY_ERROR);
    snprintf(rows[1].error, sizeof rows[1].error, "MemoryError: \"limit\", 1 GiB");
    make_row(&rows[2], "recursion/sum", 10, HL_STATUS_CRASHED);
    snprintf(rows[2].runtime, sizeof rows[2].runtime, "cpython-3.11");
    snprintf(rows[2].allocator, sizeof rows[2].allocator, "pymalloc");
    snprintf(rows[2].error, sizeof rows[2].error, " leading blank,\nand a break");
    rows[2].real_time_ns = NAN;
    snprintf(path, sizeof path, "%s/results.csv", dir);
    REQUIRE(hl_results_write_atomic(path, write_csv, rows));

    hl_result_row *back = NULL;
    size_t count = 0;
    char error[256] = "";
    CHECK_MSG(hl_results_read_csv(path, &back, &count, error, sizeof error), "%s", error);
    CHECK(count == 3);
    for (size_t i = 0; i < count && i < 3; i++) {
        CHECK(strcmp(back[i].workload, rows[i].workload) == 0);
        CHECK(strcmp(back[i].runtime, rows[i].runtime) == 0);
        CHECK(strcmp(back[i].allocator, rows[i].allocator) == 0);
        CHECK(strcmp(back[i].status, rows[i].status) == 0);
        CHECK_MSG(strcmp(back[i].error, rows[i].error) == 0, "row %zu error '%s'", i,
                  back[i].error);
        CHECK(back[i].size == rows[i].size);
        CHECK(back[i].repetitions == 3);
        CHECK(back[i].gc_collections == 7);
        CHECK(back[i].peak_rss_bytes == 4096.0 * 1000);
        CHECK(isnan(back[i].allocs));
        CHECK(back[i].real_time_ns_stddev == 12.25);
    }
    CHECK(back[0].real_time_ns == 1234.5);
    CHECK(isnan(back[2].real_time_ns));
    free(back);

    /* The name of the configuration. */
    char name[256];
    hl_results_config_name(&rows[0], name, sizeof name);
    CHECK(strcmp(name, "large_list/range/1000/libc/rc_cycle") == 0);

    /* Columns in another order, some missing: read by name. */
    snprintf(path, sizeof path, "%s/reordered.csv", dir);
    FILE *f = fopen(path, "w");
    REQUIRE(f != NULL);
    fputs("status,collector,allocator,size,workload,real_time_ns\n"
          "ok,cpython_gc,pymalloc,100,recursion/sum,55.5\n",
          f);
    fclose(f);
    CHECK(hl_results_read_csv(path, &back, &count, error, sizeof error));
    CHECK(count == 1);
    if (count == 1) {
        CHECK(strcmp(back[0].collector, "cpython_gc") == 0);
        CHECK(back[0].real_time_ns == 55.5);
        CHECK(isnan(back[0].peak_rss_bytes));
        CHECK(strcmp(back[0].runtime, "heaplab") == 0);
    }
    free(back);

    /* Not a results file, a malformed row, a missing file: errors, not rows. */
    snprintf(path, sizeof path, "%s/not.csv", dir);
    f = fopen(path, "w");
    REQUIRE(f != NULL);
    fputs("a,b,c\n1,2,3\n", f);
    fclose(f);
    CHECK(!hl_results_read_csv(path, &back, &count, error, sizeof error));
    CHECK(strstr(error, "not a heaplab results file") != NULL);
    CHECK(strchr(error, '\n') == NULL);
    snprintf(path, sizeof path, "%s/short.csv", dir);
    f = fopen(path, "w");
    REQUIRE(f != NULL);
    fputs("workload,size,allocator,collector,status\nx,1,libc\n", f);
    fclose(f);
    CHECK(!hl_results_read_csv(path, &back, &count, error, sizeof error));
    snprintf(path, sizeof path, "%s/badsize.csv", dir);
    f = fopen(path, "w");
    REQUIRE(f != NULL);
    fputs("workload,size,allocator,collector,status\nx,ten,libc,rc,ok\n", f);
    fclose(f);
    CHECK(!hl_results_read_csv(path, &back, &count, error, sizeof error));
    snprintf(path, sizeof path, "%s/missing.csv", dir);
    CHECK(!hl_results_read_csv(path, &back, &count, error, sizeof error));
    CHECK(strstr(error, "cannot read") != NULL);

    /* Atomic write: a failing writer leaves the old file and no temporary. */
    snprintf(path, sizeof path, "%s/results.csv", dir);
    CHECK(!hl_results_write_atomic(path, fail_writer, NULL));
    CHECK(hl_results_read_csv(path, &back, &count, error, sizeof error) && count == 3);
    free(back);
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    CHECK(access(tmp, F_OK) != 0);

    /* JSON: two repetitions, an aggregate, a failed entry; parsed back with jansson. */
    json_job job = {&rows[0], &rows[2]};
    char one[1024];
    snprintf(one, sizeof one, "%s/one.json", dir);
    REQUIRE(hl_results_write_atomic(one, write_json, &job));
    json_t *doc = load(one);
    REQUIRE(doc != NULL);
    json_t *context = json_object_get(doc, "context");
    const char *keys[] = {"date",     "host_name",   "executable",
                          "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled",
                          "caches",   "load_avg",    "library_build_type"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CHECK_MSG(json_object_get(context, keys[i]) != NULL, "context lacks %s", keys[i]);
    CHECK(json_is_integer(json_object_get(context, "num_cpus")));
    CHECK(json_is_array(json_object_get(context, "caches")));
    CHECK(json_array_size(json_object_get(context, "load_avg")) == 3);
    CHECK(strcmp(json_string_value(json_object_get(context, "heaplab_test")),
                 "a \"quoted\" value") == 0);
    /* bytes that are not UTF-8 become '?', the valid sequences stay */
    CHECK(strcmp(json_string_value(json_object_get(context, "heaplab_junk")),
                 "bad ?? utf-8 \xc3\xa9") == 0);
    CHECK(json_array_size(json_object_get(doc, "benchmarks")) == 4);
    CHECK(entries_with(doc, "name", NULL, JSON_STRING) == 4);
    CHECK(entries_with(doc, "run_type", "iteration", 0) == 3);
    CHECK(entries_with(doc, "aggregate_unit", "percentage", 0) == 1);
    CHECK(entries_with(doc, "error_occurred", NULL, JSON_TRUE) == 1);
    CHECK(entries_with(doc, "status", "crashed", 0) == 1);
    CHECK(entries_with(doc, "status", "ok", 0) == 3);
    CHECK(entries_with(doc, "peak_rss_bytes", NULL, JSON_REAL) == 3); /* not on the aggregate */
    CHECK(entries_with(doc, "allocs", NULL, JSON_REAL) == 2);         /* the runs' counters only */
    CHECK(entries_with(doc, "repetition_index", NULL, JSON_INTEGER) == 3);
    CHECK(entries_with(doc, "size", NULL, JSON_INTEGER) == 4);
    /* unmeasured figures are left out: no null anywhere (compare.py reads this file) */
    CHECK(entries_with(doc, "allocator_resident_bytes", NULL, JSON_REAL) == 0);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "benchmarks"), i, e) {
        const char *key;
        json_t *v;
        json_object_foreach(e, key, v) CHECK_MSG(!json_is_null(v), "entry %zu: %s is null", i, key);
    }
    CHECK(strcmp(json_string_value(entry_member(doc, 0, "name")),
                 "large_list/range/1000/libc/rc_cycle") == 0);
    CHECK(json_number_value(entry_member(doc, 1, "real_time")) == 101);
    CHECK(json_number_value(entry_member(doc, 1, "gc_collections")) == 3);
    CHECK(json_number_value(entry_member(doc, 0, "peak_rss_bytes")) == 4096.0 * 1000);
    CHECK(strcmp(json_string_value(entry_member(doc, 3, "error_message")), rows[2].error) == 0);
    CHECK(strcmp(json_string_value(entry_member(doc, 3, "runtime")), "cpython-3.11") == 0);

    /* NaN and infinity (no JSON for them) are null. */
    json_t *nan_doc = hl_results_json_new();
    hl_results_entry odd = {0};
    odd.name = "odd";
    odd.real_time = NAN;
    odd.cpu_time = INFINITY;
    odd.counter_count = 1;
    odd.counters[0].name = "allocs";
    odd.counters[0].value = -INFINITY;
    REQUIRE(nan_doc != NULL && hl_results_json_add_entry(nan_doc, &odd, NULL));
    snprintf(path, sizeof path, "%s/nan.json", dir);
    CHECK(json_dump_file(nan_doc, path, 0) == 0);
    json_decref(nan_doc);
    nan_doc = load(path);
    CHECK(entries_with(nan_doc, "real_time", NULL, JSON_NULL) == 1);
    CHECK(entries_with(nan_doc, "cpu_time", NULL, JSON_NULL) == 1);
    CHECK(entries_with(nan_doc, "allocs", NULL, JSON_NULL) == 1);
    CHECK(entries_with(nan_doc, "status", NULL, JSON_STRING) == 0); /* no row: no identity */
    json_decref(nan_doc);

    /* The same document in other layouts: indented by 4, and no blanks at all. */
    char indented[1024], compact[1024];
    snprintf(indented, sizeof indented, "%s/indented.json", dir);
    snprintf(compact, sizeof compact, "%s/compact.json", dir);
    CHECK(json_dump_file(doc, indented, JSON_INDENT(4)) == 0);
    CHECK(json_dump_file(doc, compact, JSON_COMPACT) == 0);
    json_decref(doc);

    /* Merged: the entries of files in any layout appended as they are. */
    merge_job merge = {{one, indented}, 0, ""};
    char merged[1024];
    snprintf(merged, sizeof merged, "%s/merged.json", dir);
    CHECK_MSG(hl_results_write_atomic(merged, write_merged, &merge), "%s", merge.error);
    CHECK(merge.appended == 8);
    doc = load(merged);
    CHECK(json_array_size(json_object_get(doc, "benchmarks")) == 8);
    CHECK(entries_with(doc, "status", "crashed", 0) == 2);
    json_decref(doc);
    merge.from[0] = compact;
    snprintf(path, sizeof path, "%s/merged-compact.json", dir);
    CHECK_MSG(hl_results_write_atomic(path, write_merged, &merge), "%s", merge.error);
    CHECK(merge.appended == 8);

    /* Files that are not Google Benchmark JSON are refused, saying why (one line);
     * nothing is appended from them. */
    json_t *into = hl_results_json_new();
    REQUIRE(into != NULL);
    size_t appended = 99;
    snprintf(path, sizeof path, "%s/results.csv", dir);
    CHECK(!hl_results_json_append_file(into, path, &appended, error, sizeof error));
    CHECK(appended == 0);
    CHECK_MSG(strstr(error, "results.csv:1:") != NULL, "%s", error); /* line and column */
    CHECK(!hl_results_json_append_file(into, "/nonexistent/x.json", NULL, error, sizeof error));
    CHECK_MSG(strstr(error, "No such file") != NULL, "%s", error);
    const char *bad[] = {"{\"context\": {}}",
                         "{\"benchmarks\": [{\"name\": \"a\"}, 3]}",
                         "{\"benchmarks\": [{\"name\": \"a\"}",
                         "[]",
                         "",
                         "{\"benchmarks\": {}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "%s/bad-%zu.json", dir, i);
        REQUIRE(write_text(path, bad[i]));
        CHECK_MSG(!hl_results_json_append_file(into, path, NULL, error, sizeof error), "%s",
                  bad[i]);
        CHECK(strchr(error, '\n') == NULL && strstr(error, path) != NULL);
    }
    CHECK(json_array_size(json_object_get(into, "benchmarks")) == 0);
    snprintf(path, sizeof path, "%s/empty-benchmarks.json", dir);
    REQUIRE(write_text(path, "{\"benchmarks\": []}"));
    CHECK(hl_results_json_append_file(into, path, &appended, error, sizeof error));
    CHECK(appended == 0);
    json_decref(into);

    CHECK(hl_results_figure_index("leaked_bytes") >= 0);
    CHECK(hl_results_figure_index("nonsense") == -1);
    CHECK(strcmp(hl_results_figure_name(0), "real_time_ns") == 0);
    return check_report("test_results");
}
