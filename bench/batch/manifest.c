/* heaplab batch manifest: what machine and build produced a results folder.
 *
 * manifest.json holds:
 *   batch      preset, arguments, started/finished (UTC), configurations done/total
 *   shard      --shard I/N: index, count (0, 0: the whole batch), the arguments without
 *              --shard, the cells of the whole batch and of this shard (what merge checks)
 *   host       name, CPU model, cores online/configured, memory, kernel, OS
 *   build      compiler, build type, C flags (CMake's cache next to the binary, when the
 *              program runs from its build folder), sanitizers, git revision and
 *              whether the tree had changes (git in HEAPLAB_SOURCE_DIR; "unknown"
 *              without git or a checkout)
 *   versions   libbenchmark, gnuplot (`gnuplot --version`), and every allocator
 *              backend that reports one (jemalloc, mimalloc: the loaded library's, or
 *              the one the build preloads), python3 (the reference runtime's, or "none")
 *   reference  the CPython reference rows: runtime ("cpython-3.11" or "none"), why
 *              (the option, the preset, or why they were skipped), python3's path on
 *              PATH, its sys.executable and version, the script
 * A figure that cannot be found is "unknown", never left out, so the report always
 * shows the same fields. The file is built and written with jansson; the report reads
 * it back the same way (bench/report/manifest_view.c).
 */
#include <ctype.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "allocators/allocator.h"
#include "bench/batch/batch.h"
#include "bench/harness/gbench.h"

#ifndef HEAPLAB_C_COMPILER
#define HEAPLAB_C_COMPILER "unknown"
#endif
#ifndef HEAPLAB_BUILD_TYPE
#define HEAPLAB_BUILD_TYPE "unknown"
#endif
#ifndef HEAPLAB_SOURCE_DIR
#define HEAPLAB_SOURCE_DIR "."
#endif

static void trim(char *s) {
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    size_t lead = 0;
    while (s[lead] && isspace((unsigned char)s[lead]))
        lead++;
    memmove(s, s + lead, n - lead + 1);
}

/* The value after "key<sep>" on the first matching line of a text file. */
static bool file_field(const char *path, const char *key, char sep, char *out, size_t size) {
    FILE *f = fopen(path, "r");
    if (f == NULL) return false;
    char line[1024];
    size_t klen = strlen(key);
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0) continue;
        char *p = line + klen;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != sep) continue;
        hl_report_fmt(out, size, "%s", p + 1);
        trim(out);
        size_t n = strlen(out);
        if (n >= 2 && out[0] == '"' && out[n - 1] == '"') { /* os-release quoting */
            memmove(out, out + 1, n - 2);
            out[n - 2] = '\0';
        }
        found = true;
    }
    fclose(f);
    return found;
}

static void exe_dir(char *out, size_t size) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        hl_report_fmt(out, size, ".");
        return;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    hl_report_fmt(out, size, "%s", exe);
}

/* CMAKE_C_FLAGS and CMAKE_C_FLAGS_<BUILD TYPE> from the build folder's cache. */
static void c_flags(char *out, size_t size) {
    char dir[PATH_MAX], cache[PATH_MAX + 32], base[512] = "", typed[512] = "", key[96];
    exe_dir(dir, sizeof dir);
    hl_report_fmt(cache, sizeof cache, "%s/CMakeCache.txt", dir);
    char type[32];
    hl_report_fmt(type, sizeof type, "%s", HEAPLAB_BUILD_TYPE);
    for (char *p = type; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    bool found = file_field(cache, "CMAKE_C_FLAGS:STRING", '=', base, sizeof base);
    hl_report_fmt(key, sizeof key, "CMAKE_C_FLAGS_%s:STRING", type);
    found = file_field(cache, key, '=', typed, sizeof typed) || found;
    if (!found)
        hl_report_fmt(out, size, "unknown");
    else
        hl_report_fmt(out, size, "%s%s%s", base, base[0] && typed[0] ? " " : "", typed);
    trim(out);
}

static void first_line(char *s) {
    char *nl = strchr(s, '\n');
    if (nl) *nl = '\0';
    trim(s);
}

typedef struct manifest_job {
    char *const *args;
    size_t arg_count;
    const char *preset, *started, *finished;
    size_t done, total;
    const hl_batch_reference *ref;
    const hl_batch *plan;
} manifest_job;

/* obj[key] = text, "unknown" when empty (a manifest never leaves a field out). */
static bool kv(json_t *obj, const char *key, const char *value) {
    return json_object_set_new(obj, key,
                               hl_results_json_text(value && value[0] ? value : "unknown")) == 0;
}

static bool kv_int(json_t *obj, const char *key, long long value) {
    return json_object_set_new(obj, key, json_integer((json_int_t)value)) == 0;
}

/* doc[key] = a new object (borrowed), NULL when out of memory. */
static json_t *section(json_t *doc, const char *key) {
    json_t *obj = json_object();
    return json_object_set_new(doc, key, obj) == 0 ? obj : NULL;
}

static bool batch_section(json_t *doc, const manifest_job *job) {
    json_t *batch = section(doc, "batch"), *args = json_array();
    bool ok = batch != NULL && args != NULL;
    for (size_t i = 0; ok && i < job->arg_count; i++)
        ok = json_array_append_new(args, hl_results_json_text(job->args[i])) == 0;
    ok = ok && kv(batch, "preset", job->preset) && kv(batch, "started", job->started) &&
         kv(batch, "finished", job->finished ? job->finished : "not finished") &&
         kv_int(batch, "configurations_done", (long long)job->done) &&
         kv_int(batch, "configurations_total", (long long)job->total) &&
         kv_int(batch, "invocations_per_configuration", job->plan->repetitions) &&
         kv_int(batch, "samples_per_invocation", job->plan->samples) &&
         kv(batch, "min_time_s", job->plan->min_time) && kv(batch, "warmup_s", job->plan->warmup) &&
         kv(batch, "invocation_order", job->plan->sequential ? "sequential" : "shuffled") &&
         json_object_set_new(batch, "invocation_seed",
                             json_integer((json_int_t)job->plan->seed)) == 0 &&
         json_object_set(batch, "arguments", args) == 0;
    json_decref(args);
    return ok;
}

/* shard: which part of the batch this folder holds (--shard I/N), what `heaplab merge`
 * checks before it joins folders: index and count (0 and 0: the whole batch), the
 * batch's arguments without --shard (equal in every shard of one batch), the cells of
 * the whole batch and this shard's ("workload/size", plan order). */
static bool shard_section(json_t *doc, const manifest_job *job) {
    const hl_batch *b = job->plan;
    json_t *s = section(doc, "shard"), *args = json_array(), *cells = json_array();
    bool ok = s != NULL && args != NULL && cells != NULL;
    for (size_t i = 0; ok && i < job->arg_count; i++) {
        const char *a = job->args[i];
        if (strcmp(a, "--shard") == 0) {
            i++;
            continue;
        }
        if (strncmp(a, "--shard=", 8) == 0) continue;
        ok = json_array_append_new(args, hl_results_json_text(a)) == 0;
    }
    for (size_t i = 0; ok && i < b->matrix_count; i++) {
        const hl_batch_config *c = &b->configs[i];
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = b->configs[k].size == c->size && strcmp(b->configs[k].workload, c->workload) == 0;
        if (seen) continue;
        char cell[96];
        hl_report_fmt(cell, sizeof cell, "%s/%llu", c->workload, (unsigned long long)c->size);
        ok = json_array_append_new(cells, hl_results_json_text(cell)) == 0;
    }
    ok = ok && kv_int(s, "index", b->shard_index) && kv_int(s, "count", b->shard_count) &&
         kv_int(s, "cells_total", (long long)b->cell_total) &&
         json_object_set(s, "batch_arguments", args) == 0 &&
         json_object_set(s, "cells", cells) == 0;
    json_decref(args);
    json_decref(cells);
    return ok;
}

static bool host_section(json_t *doc) {
    char text[1024], host[256] = "unknown";
    json_t *s = section(doc, "host");
    if (s == NULL) return false;
    if (gethostname(host, sizeof host) != 0) hl_report_fmt(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    bool ok = kv(s, "name", host);
    if (!file_field("/proc/cpuinfo", "model name", ':', text, sizeof text))
        hl_report_fmt(text, sizeof text, "unknown");
    ok = ok && kv(s, "cpu_model", text) &&
         kv_int(s, "cores_online", sysconf(_SC_NPROCESSORS_ONLN)) &&
         kv_int(s, "cores_configured", sysconf(_SC_NPROCESSORS_CONF));
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    ok = ok && kv_int(s, "memory_bytes", pages > 0 && page > 0 ? (long long)pages * page : 0LL);
    struct utsname u;
    if (uname(&u) == 0)
        hl_report_fmt(text, sizeof text, "%s %s %s %s", u.sysname, u.release, u.version, u.machine);
    else
        hl_report_fmt(text, sizeof text, "unknown");
    ok = ok && kv(s, "kernel", text);
    if (!file_field("/etc/os-release", "PRETTY_NAME", '=', text, sizeof text))
        hl_report_fmt(text, sizeof text, "unknown");
    return ok && kv(s, "os", text);
}

static bool build_section(json_t *doc) {
    char text[1024];
    json_t *s = section(doc, "build");
    bool ok = s != NULL && kv(s, "compiler", HEAPLAB_C_COMPILER);
#ifdef __VERSION__
    ok = ok && kv(s, "compiler_version", __VERSION__);
#endif
    ok = ok && kv(s, "build_type", HEAPLAB_BUILD_TYPE);
    c_flags(text, sizeof text);
    ok = ok && kv(s, "c_flags", text);
#ifdef HEAPLAB_SANITIZE
    ok = ok && kv(s, "sanitizers", "address,undefined");
#else
    ok = ok && kv(s, "sanitizers", "none");
#endif
    char *git_rev[] = {"git", "-C", HEAPLAB_SOURCE_DIR, "rev-parse", "HEAD", NULL};
    if (hl_batch_capture(git_rev, text, sizeof text) != 0 || text[0] == '\0')
        hl_report_fmt(text, sizeof text, "unknown");
    first_line(text);
    ok = ok && kv(s, "git_revision", text);
    char *git_status[] = {
        "git", "-C", HEAPLAB_SOURCE_DIR, "status", "--porcelain", "--untracked-files=no", NULL};
    char status[256];
    int code = hl_batch_capture(git_status, status, sizeof status);
    return ok &&
           kv(s, "git_tree",
              code != 0   ? "unknown"
              : status[0] ? "modified"
                          : "clean") &&
           kv(s, "source_dir", HEAPLAB_SOURCE_DIR);
}

static bool versions_section(json_t *doc, const hl_batch_reference *ref) {
    char text[1024];
    json_t *s = section(doc, "versions");
    bool ok = s != NULL && kv(s, "libbenchmark", hl_bench_library_version());
    char *gnuplot[] = {"gnuplot", "--version", NULL};
    if (hl_batch_capture(gnuplot, text, sizeof text) != 0)
        hl_report_fmt(text, sizeof text, "unknown");
    first_line(text);
    ok = ok && kv(s, "gnuplot", text);
    for (size_t i = 0; ok && hl_allocator_registry[i] != NULL; i++) {
        const hl_allocator_ops *ops = hl_allocator_registry[i];
        if (ops->version != NULL && hl_allocator_runnable(ops))
            ok = kv(s, ops->name, ops->version());
    }
    bool on = ref != NULL && ref->enabled;
    return ok && kv(s, "glibc", gnu_get_libc_version()) &&
           kv(s, "python3", on ? ref->version : "none");
}

static bool reference_section(json_t *doc, const hl_batch_reference *ref) {
    json_t *s = section(doc, "reference");
    bool on = ref != NULL && ref->enabled;
    return s != NULL && kv(s, "runtime", on ? ref->runtime : "none") &&
           kv(s, "note", ref ? ref->note : "none") &&
           kv(s, "python3", ref && ref->python[0] ? ref->python : "not found") &&
           kv(s, "python_executable", on ? ref->executable : "none") &&
           kv(s, "python_version", on ? ref->version : "none") &&
           kv(s, "script", ref && ref->script[0] ? ref->script : "none");
}

static bool write_manifest(FILE *out, void *data) {
    const manifest_job *job = data;
    json_t *doc = json_object();
    bool ok = doc != NULL && batch_section(doc, job) && shard_section(doc, job) &&
              host_section(doc) && build_section(doc) &&
              versions_section(doc, job->ref) && reference_section(doc, job->ref) &&
              hl_results_json_dump(doc, out);
    json_decref(doc);
    return ok;
}

bool hl_manifest_write(const char *dir, char *const *args, size_t arg_count, const char *preset,
                       const char *started, const char *finished, size_t done, size_t total,
                       const hl_batch *plan) {
    manifest_job job = {args, arg_count, preset, started, finished, done, total, &plan->ref, plan};
    char path[PATH_MAX];
    hl_report_fmt(path, sizeof path, "%s/manifest.json", dir);
    return hl_results_write_atomic(path, write_manifest, &job);
}
