/* bench/report/results.c: CSV round trips (quoting, unmeasured figures, column order), the
 * Google Benchmark JSON writer (one entry per line, entries copied between files) and
 * atomic writes. Writes its JSON files into argv[1] for tests/batch_check.py to parse
 * with python's json module and Google Benchmark's compare.py. */
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

static bool write_json(FILE *out, void *data) {
    const json_job *job = data;
    hl_results_write_json_begin(out, "\"heaplab_test\": \"a \\\"quoted\\\" value\"");
    bool first = true;
    for (int rep = 0; rep < 2; rep++) {
        hl_bench_result run = {0};
        char name[256];
        hl_results_config_name(job->ok_row, name, sizeof name);
        run.name = name;
        run.run_name = name;
        run.repetitions = 2;
        run.repetition_index = rep;
        run.iterations = 10;
        run.real_time_ns = 100 + rep;
        run.cpu_time_ns = 90 + rep;
        run.counter_count = 2;
        run.counters[0].name = "allocs";
        run.counters[0].value = 42;
        run.counters[1].name = "gc_collections";
        run.counters[1].value = 3;
        hl_results_write_json_entry(out, &first, &run, job->ok_row);
    }
    hl_bench_result agg = {0};
    agg.name = "x_mean";
    agg.run_name = "x";
    agg.is_aggregate = true;
    agg.aggregate_name = "mean";
    agg.repetitions = 2;
    agg.iterations = 2;
    agg.real_time_ns = 100.5;
    agg.cpu_time_ns = 90.5;
    hl_results_write_json_entry(out, &first, &agg, job->ok_row);
    hl_results_write_json_failed_entry(out, &first, job->failed_row);
    hl_results_write_json_end(out);
    return true;
}

typedef struct merge_job {
    const char *from;
    bool copied;
} merge_job;

static bool write_merged(FILE *out, void *data) {
    merge_job *job = data;
    hl_results_write_json_begin(out, NULL);
    bool first = true;
    job->copied = hl_results_copy_json_entries(out, &first, job->from) &&
                  hl_results_copy_json_entries(out, &first, job->from);
    hl_results_write_json_end(out);
    return job->copied;
}

static size_t count_lines_with(const char *path, const char *needle) {
    FILE *f = fopen(path, "r");
    if (f == NULL) return 0;
    char line[8192];
    size_t n = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, needle)) n++;
    fclose(f);
    return n;
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

    /* JSON: two repetitions, an aggregate, a failed entry; then merged twice. */
    json_job job = {&rows[0], &rows[2]};
    snprintf(path, sizeof path, "%s/one.json", dir);
    REQUIRE(hl_results_write_atomic(path, write_json, &job));
    CHECK(count_lines_with(path, "\"name\": ") == 4);
    CHECK(count_lines_with(path, "\"error_occurred\": true") == 1);
    CHECK(count_lines_with(path, "\"status\": \"crashed\"") == 1);
    CHECK(count_lines_with(path, "\"peak_rss_bytes\": ") == 3); /* not on the aggregate */
    CHECK(count_lines_with(path, "null") == 0); /* unmeasured figures are left out */
    merge_job merge = {path, false};
    char merged[1024];
    snprintf(merged, sizeof merged, "%s/merged.json", dir);
    CHECK(hl_results_write_atomic(merged, write_merged, &merge));
    CHECK(merge.copied);
    CHECK(count_lines_with(merged, "\"name\": ") == 8);
    /* A file that is not one entry per line is refused. */
    bool first = true;
    snprintf(path, sizeof path, "%s/results.csv", dir);
    FILE *sink = fopen("/dev/null", "w");
    REQUIRE(sink != NULL);
    CHECK(!hl_results_copy_json_entries(sink, &first, path));
    CHECK(!hl_results_copy_json_entries(sink, &first, "/nonexistent/x.json"));
    fclose(sink);

    CHECK(hl_results_figure_index("leaked_bytes") >= 0);
    CHECK(hl_results_figure_index("nonsense") == -1);
    CHECK(strcmp(hl_results_figure_name(0), "real_time_ns") == 0);
    return check_report("test_results");
}
