/* heaplab results as Google Benchmark JSON (bench/report/results.h).
 *
 * The JSON follows what libbenchmark 1.7.1's JSONReporter writes, member for member
 * and in its order, so Google Benchmark's tools (compare.py) read heaplab's files as
 * their own. It is built and written with jansson (json_t documents, JSON_INDENT(2)),
 * and a batch merges its children's files by parsing them (json_load), so any layout
 * reads: the one written here, the CPython reference script's, or a file reformatted
 * by another tool. After the counters, each entry carries heaplab's identity members
 * (runtime, workload, size, allocator, collector) and "status", which Google
 * Benchmark's tools ignore. JSON has no NaN or infinity: such a figure is null.
 * The context's "library_build_type" is heaplab's own build ("release" when built
 * with NDEBUG), since the C side cannot see how libbenchmark itself was built.
 */
#include "bench/report/results.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- JSON values -------------------------------------------------------------- */

json_t *hl_results_json_text(const char *s) {
    if (s == NULL) s = "";
    json_t *j = json_string(s);
    if (j != NULL) return j;
    /* not UTF-8 (or out of memory): keep every valid sequence, '?' for the other bytes */
    size_t n = strlen(s);
    char *copy = malloc(n + 1);
    if (copy == NULL) return NULL;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c >> 5 == 0x6 ? 2 : c >> 4 == 0xe ? 3 : c >> 3 == 0x1e ? 4 : 0;
        json_t *probe = len > 1 && i + len <= n ? json_stringn(s + i, len) : NULL;
        if (len == 1 || probe != NULL) {
            memcpy(copy + i, s + i, len);
            i += len;
        } else {
            copy[i++] = '?';
        }
        json_decref(probe);
    }
    copy[n] = '\0';
    j = json_string(copy);
    free(copy);
    return j;
}

json_t *hl_results_json_number(double v) {
    return isfinite(v) ? json_real(v) : json_null();
}

json_t *hl_results_json_load(const char *path, size_t flags, int *read_errno, char *error,
                             size_t error_size) {
    int dummy;
    if (read_errno == NULL) read_errno = &dummy;
    *read_errno = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        *read_errno = errno;
        snprintf(error, error_size, "%s: %s", path, strerror(*read_errno));
        return NULL;
    }
    json_error_t jerr;
    json_t *doc = json_loadf(f, flags, &jerr);
    int saved = errno;
    if (ferror(f)) *read_errno = saved != 0 ? saved : EIO; /* EISDIR for a folder, EIO */
    fclose(f);
    if (doc != NULL && *read_errno == 0) return doc;
    json_decref(doc);
    if (*read_errno != 0)
        snprintf(error, error_size, "%s: %s", path, strerror(*read_errno));
    else
        snprintf(error, error_size, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
    return NULL;
}

bool hl_results_json_dump(const json_t *doc, FILE *out) {
    return json_dumpf(doc, out, JSON_INDENT(2)) == 0 && fputc('\n', out) != EOF && !ferror(out);
}

/* ---- Google Benchmark documents ------------------------------------------------ */

/* Set obj[key] = value (stolen); false when out of memory (value NULL included). */
static bool put(json_t *obj, const char *key, json_t *value) {
    return json_object_set_new(obj, key, value) == 0;
}

static bool put_text(json_t *obj, const char *key, const char *value) {
    return put(obj, key, hl_results_json_text(value));
}

static bool put_int(json_t *obj, const char *key, long long value) {
    return put(obj, key, json_integer((json_int_t)value));
}

static bool put_number(json_t *obj, const char *key, double value) {
    return put(obj, key, hl_results_json_number(value));
}

static void json_iso_date(char *buf, size_t size) {
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char zone[8];
    strftime(zone, sizeof zone, "%z", &tm); /* +0000 -> +00:00, as libbenchmark */
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    if (strlen(zone) == 5)
        snprintf(buf, size, "%s%.3s:%s", base, zone, zone + 3);
    else
        snprintf(buf, size, "%s", base);
}

static bool read_small_file(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "r");
    if (f == NULL) return false;
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return n > 0;
}

/* The CPU's clock in MHz: the kernel's maximum frequency when cpufreq exists, else
 * /proc/cpuinfo's "cpu MHz" (virtual machines), else 0. */
static double cpu_mhz(void) {
    char buf[64];
    if (read_small_file("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", buf, sizeof buf))
        return strtod(buf, NULL) / 1000.0;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL) return 0;
    char line[256];
    double mhz = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "cpu MHz", 7) == 0) {
            const char *colon = strchr(line, ':');
            if (colon) mhz = strtod(colon + 1, NULL);
            break;
        }
    }
    fclose(f);
    return mhz;
}

static bool cpu_scaling_enabled(void) {
    char buf[64];
    if (!read_small_file("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, sizeof buf))
        return false;
    return strcmp(buf, "performance") != 0;
}

/* Number of CPUs in a sysfs list such as "0-1,4". */
static int cpu_list_count(const char *list) {
    int count = 0;
    const char *p = list;
    while (*p) {
        char *end;
        long a = strtol(p, &end, 10);
        if (end == p) break;
        long b = a;
        if (*end == '-') {
            p = end + 1;
            b = strtol(p, &end, 10);
        }
        count += (int)(b - a + 1);
        p = *end == ',' ? end + 1 : end;
        if (*end != ',') break;
    }
    return count;
}

static json_t *json_caches(void) {
    json_t *caches = json_array();
    for (int i = 0; caches != NULL && i < 16; i++) {
        char path[128], type[32], level[16], size[32], shared[64];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
        if (!read_small_file(path, type, sizeof type)) break;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        if (!read_small_file(path, level, sizeof level)) continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        if (!read_small_file(path, size, sizeof size)) continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/shared_cpu_list",
                 i);
        int sharing = read_small_file(path, shared, sizeof shared) ? cpu_list_count(shared) : 1;
        char *unit;
        long long bytes = strtoll(size, &unit, 10);
        if (*unit == 'K') bytes *= 1024;
        if (*unit == 'M') bytes *= 1024 * 1024;
        json_t *cache = json_object();
        bool ok = cache != NULL && put_text(cache, "type", type) &&
                  put_int(cache, "level", atoi(level)) && put_int(cache, "size", bytes) &&
                  put_int(cache, "num_sharing", sharing);
        if (!ok || json_array_append_new(caches, cache) != 0) {
            if (!ok) json_decref(cache);
            json_decref(caches);
            return NULL;
        }
    }
    return caches;
}

json_t *hl_results_json_new(void) {
    char date[48], host[256] = "unknown", exe[PATH_MAX] = "heaplab";
    json_iso_date(date, sizeof date);
    if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) exe[n] = '\0';
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) != 3) load[0] = load[1] = load[2] = 0;

    json_t *doc = json_object(), *context = json_object(), *load_avg = json_array();
    bool ok = doc != NULL && context != NULL && load_avg != NULL;
    for (int i = 0; ok && i < 3; i++)
        ok = json_array_append_new(load_avg, json_real(load[i])) == 0;
    ok = ok && put_text(context, "date", date) && put_text(context, "host_name", host) &&
         put_text(context, "executable", exe) &&
         put_int(context, "num_cpus", cpus > 0 ? cpus : 1) &&
         put_int(context, "mhz_per_cpu", llround(cpu_mhz())) &&
         put(context, "cpu_scaling_enabled", json_boolean(cpu_scaling_enabled())) &&
         put(context, "caches", json_caches()) && put(context, "load_avg", json_incref(load_avg)) &&
#ifdef NDEBUG
         put_text(context, "library_build_type", "release") &&
#else
         put_text(context, "library_build_type", "debug") &&
#endif
         put(doc, "context", json_incref(context)) && put(doc, "benchmarks", json_array());
    json_decref(load_avg);
    json_decref(context);
    if (!ok) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

bool hl_results_json_set_context(json_t *doc, const char *key, json_t *value) {
    json_t *context = json_object_get(doc, "context");
    if (!json_is_object(context)) {
        json_decref(value);
        return false;
    }
    return put(context, key, value);
}

/* Append `entry` (stolen) to doc's benchmarks; ok false: it is dropped. */
static bool append_entry(json_t *doc, json_t *entry, bool ok) {
    json_t *benchmarks = json_object_get(doc, "benchmarks");
    if (ok && json_is_array(benchmarks)) return json_array_append_new(benchmarks, entry) == 0;
    json_decref(entry);
    return false;
}

static bool put_identity(json_t *entry, const hl_result_row *row) {
    return put_text(entry, "runtime", row->runtime[0] ? row->runtime : "heaplab") &&
           put_text(entry, "workload", row->workload) &&
           put_int(entry, "size", (long long)row->size) &&
           put_text(entry, "allocator", row->allocator) &&
           put_text(entry, "collector", row->collector) &&
           (row->heap_factor <= 0 ||
            put_number(entry, "heap_factor", row->heap_factor)) &&
           (row->heap_limit == 0 || put_int(entry, "heap_limit_bytes", (long long)row->heap_limit)) &&
           put_text(entry, "status", row->status[0] ? row->status : HL_STATUS_OK) &&
           (row->host[0] == '\0' || put_text(entry, "host", row->host));
}

bool hl_results_json_add_entry(json_t *doc, const hl_results_entry *run, const hl_result_row *row) {
    json_t *e = json_object();
    const char *agg = run->aggregate_name ? run->aggregate_name : "";
    size_t counters =
        run->counter_count < HL_RESULTS_MAX_COUNTERS ? run->counter_count : HL_RESULTS_MAX_COUNTERS;
    bool ok =
        e != NULL && put_text(e, "name", run->name) && put_int(e, "family_index", 0) &&
        put_int(e, "per_family_instance_index", 0) &&
        put_text(e, "run_name", run->run_name ? run->run_name : run->name) &&
        put_text(e, "run_type", run->is_aggregate ? "aggregate" : "iteration") &&
        put_int(e, "repetitions", (long long)(run->repetitions > 0 ? run->repetitions : 1)) &&
        (run->is_aggregate || put_int(e, "repetition_index", (long long)run->repetition_index)) &&
        put_int(e, "threads", 1) &&
        (!run->is_aggregate ||
         (put_text(e, "aggregate_name", agg) &&
          put_text(e, "aggregate_unit", strcmp(agg, "cv") == 0 ? "percentage" : "time"))) &&
        (!run->error_occurred || (put(e, "error_occurred", json_true()) &&
                                  put_text(e, "error_message", run->error_message))) &&
        put_int(e, "iterations", (long long)run->iterations) &&
        put_number(e, "real_time", run->real_time) && put_number(e, "cpu_time", run->cpu_time) &&
        put_text(e, "time_unit", run->time_unit ? run->time_unit : "ns");
    /* Google Benchmark's counters, then (on repetitions) every schema figure the run
     * did not count itself, from the row: peak RSS and the like are per process. */
    for (size_t i = 0; ok && i < counters; i++)
        ok = put_number(e, run->counters[i].name, run->counters[i].value);
    if (!run->is_aggregate && row != NULL) {
        for (size_t f = 0; ok && f < hl_results_figure_count(); f++) {
            bool counted = false;
            for (size_t i = 0; i < counters; i++)
                if (strcmp(run->counters[i].name, hl_results_figure_name(f)) == 0) counted = true;
            if (!counted && !isnan(hl_results_figure(row, f)) &&
                strcmp(hl_results_figure_name(f), "real_time_ns") != 0 &&
                strcmp(hl_results_figure_name(f), "cpu_time_ns") != 0)
                ok = put_number(e, hl_results_figure_name(f), hl_results_figure(row, f));
        }
    }
    if (ok && run->label != NULL && run->label[0] != '\0') ok = put_text(e, "label", run->label);
    if (ok && row != NULL) ok = put_identity(e, row);
    return append_entry(doc, e, ok);
}

bool hl_results_json_add_failed_entry(json_t *doc, const hl_result_row *row) {
    char name[256];
    hl_results_config_name(row, name, sizeof name);
    json_t *e = json_object();
    bool ok = e != NULL && put_text(e, "name", name) && put_int(e, "family_index", 0) &&
              put_int(e, "per_family_instance_index", 0) && put_text(e, "run_name", name) &&
              put_text(e, "run_type", "iteration") &&
              put_int(e, "repetitions", row->repetitions > 0 ? row->repetitions : 1) &&
              put_int(e, "repetition_index", 0) && put_int(e, "threads", 1) &&
              put(e, "error_occurred", json_true()) &&
              put_text(e, "error_message", row->error[0] ? row->error : row->status) &&
              put_int(e, "iterations", 0) && put_number(e, "real_time", 0) &&
              put_number(e, "cpu_time", 0) && put_text(e, "time_unit", "ns");
    for (size_t f = 0; ok && f < hl_results_figure_count(); f++)
        if (!isnan(hl_results_figure(row, f)))
            ok = put_number(e, hl_results_figure_name(f), hl_results_figure(row, f));
    ok = ok && put_identity(e, row);
    return append_entry(doc, e, ok);
}

bool hl_results_json_append_file(json_t *doc, const char *path, size_t *appended, char *error,
                                 size_t error_size) {
    if (appended != NULL) *appended = 0;
    json_t *benchmarks = json_object_get(doc, "benchmarks");
    if (!json_is_array(benchmarks)) {
        snprintf(error, error_size, "merging %s: not into a results document", path);
        return false;
    }
    json_t *other = hl_results_json_load(path, 0, NULL, error, error_size);
    if (other == NULL) return false;
    json_t *entries = json_object_get(other, "benchmarks");
    bool ok = json_is_array(entries);
    if (!ok) snprintf(error, error_size, "%s: no \"benchmarks\" array", path);
    size_t i;
    json_t *entry;
    json_array_foreach(entries, i, entry) {
        if (ok && !json_is_object(entry)) {
            snprintf(error, error_size, "%s: benchmarks[%zu] is not an object", path, i);
            ok = false;
        }
    }
    if (ok && json_array_extend(benchmarks, entries) != 0) {
        snprintf(error, error_size, "merging %s: out of memory", path);
        ok = false;
    }
    if (ok && appended != NULL) *appended = json_array_size(entries);
    json_decref(other);
    return ok;
}
