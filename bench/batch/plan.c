/* The plan becomes the matrix: workloads x sizes x allocators x collectors, in that
 * nesting, with one CPython reference run per workload and size when the reference
 * runtime resolved (reference.c), plus one timeline run per (timeline workload,
 * collector); then the steps: which invocation of which configuration runs when. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/batch/internal.h"
#include "bench/workloads/workload.h"
#include "collectors/collector.h"

static void hl_batch_make_slug(char *out, size_t size, const char *workload, uint64_t size_n,
                               const char *allocator, const char *collector, double factor) {
    hl_results_slug(workload, size_n, allocator, collector, factor, out, size);
}
static uint64_t hl_batch_timeline_size_of(const hl_batch *b, const char *workload) {
    if (b->timeline_size != 0) return b->timeline_size;
    for (size_t i = 0; i < HL_BATCH_MAX_TIMELINES && b->preset->timelines[i].workload; i++)
        if (strcmp(b->preset->timelines[i].workload, workload) == 0)
            return b->preset->timelines[i].size;
    return 100000;
}

/* The allocator of the timeline runs: the registry's first (the default, libc) when the
 * batch has it, else the batch's first. */
const char *hl_batch_timeline_allocator(const hl_batch *b) {
    for (size_t i = 0; i < b->allocator_count; i++)
        if (strcmp(b->allocators[i], hl_allocator_registry[0]->name) == 0) return b->allocators[i];
    return b->allocators[0];
}

static bool hl_batch_add_config(hl_batch *b, size_t *cap, char *error, size_t error_size,
                                hl_batch_config **out) {
    if (b->config_count == *cap) {
        hl_batch_config *bigger = realloc(b->configs, 2 * *cap * sizeof *b->configs);
        if (bigger == NULL) {
            hl_report_fmt(error, error_size, "out of memory");
            return false;
        }
        b->configs = bigger;
        *cap *= 2;
    }
    *out = &b->configs[b->config_count++];
    memset(*out, 0, sizeof **out);
    return true;
}

/* splitmix64: a small, well-mixed generator; the order depends on the seed alone. */
static uint64_t next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The steps: every invocation of every row, shuffled by Fisher-Yates with the seed
 * unless sequential (then each configuration's invocations in a row, in plan order),
 * then the timeline runs. In a shuffled order each configuration's invocations still
 * run as #1, #2, ...: the k-th step of a configuration runs its invocation k. */
static bool plan_steps(hl_batch *b, char *error, size_t error_size) {
    size_t total = 0;
    for (size_t i = 0; i < b->config_count; i++) {
        b->configs[i].invocations = b->configs[i].timeline ? 1 : b->repetitions;
        total += (size_t)b->configs[i].invocations;
    }
    free(b->steps);
    b->steps = malloc(total * sizeof *b->steps);
    int *seen = calloc(b->matrix_count, sizeof *seen);
    if (b->steps == NULL || seen == NULL) {
        free(seen);
        hl_report_fmt(error, error_size, "out of memory");
        return false;
    }
    size_t n = 0;
    for (size_t i = 0; i < b->matrix_count; i++)
        for (int k = 0; k < b->configs[i].invocations; k++)
            b->steps[n++] = (hl_batch_step){i, k};
    size_t rows = n;
    if (!b->sequential) {
        uint64_t state = b->seed;
        for (size_t i = rows; i > 1; i--) {
            size_t j = (size_t)(next_random(&state) % i);
            hl_batch_step t = b->steps[i - 1];
            b->steps[i - 1] = b->steps[j];
            b->steps[j] = t;
        }
        for (size_t i = 0; i < rows; i++)
            b->steps[i].invocation = seen[b->steps[i].config]++;
    }
    free(seen);
    for (size_t i = b->matrix_count; i < b->config_count; i++)
        b->steps[n++] = (hl_batch_step){i, 0};
    b->step_count = n;
    return true;
}

/* --shard I/N: the cells (workload x size) of the matrix in plan order, each weighed by
 * the work it holds (size x runs: every configuration's invocations), dealt out
 * heaviest first to the lightest shard so far (ties: the earlier cell, the lower
 * shard), as a list scheduler does (LPT). It depends on the plan alone, so every shard
 * of the same arguments computes the same partition; then only shard I's configurations
 * stay, in plan order. Every run of a cell (allocators, collectors, invocations, its
 * CPython reference run, a timeline run of the same workload and size) is in one
 * shard, so every ratio inside a cell comes from one host. A timeline run at a size the
 * matrix does not have goes with its workload's first cell (or shard 0). */
typedef struct plan_cell {
    const char *workload;
    uint64_t size;
    double weight;
    unsigned shard;
} plan_cell;

/* The cell of (workload, size), or of the workload alone (size 0: its first), or count. */
static size_t cell_of(const plan_cell *cells, size_t count, const char *workload, uint64_t size) {
    for (size_t i = 0; i < count; i++)
        if ((size == 0 || cells[i].size == size) && strcmp(cells[i].workload, workload) == 0)
            return i;
    return count;
}

static unsigned config_shard(const plan_cell *cells, size_t count, const hl_batch_config *c) {
    size_t k = cell_of(cells, count, c->workload, c->size);
    if (k == count) k = cell_of(cells, count, c->workload, 0);
    return k < count ? cells[k].shard : 0;
}

static bool plan_shard(hl_batch *b, char *error, size_t error_size) {
    plan_cell *cells = calloc(b->matrix_count, sizeof *cells);
    size_t *order = calloc(b->matrix_count, sizeof *order);
    unsigned *shard = calloc(b->config_count, sizeof *shard);
    double *load = calloc(b->shard_count ? b->shard_count : 1, sizeof *load);
    bool ok = cells != NULL && order != NULL && shard != NULL && load != NULL;
    if (!ok) hl_report_fmt(error, error_size, "out of memory");
    size_t count = 0;
    for (size_t i = 0; ok && i < b->matrix_count; i++) {
        const hl_batch_config *c = &b->configs[i];
        size_t k = cell_of(cells, count, c->workload, c->size);
        if (k == count) cells[count++] = (plan_cell){c->workload, c->size, 0, 0};
        cells[k].weight += (double)c->size * b->repetitions;
    }
    b->cell_total = b->cell_count = count;
    if (ok && b->shard_count > 0 && count < b->shard_count) {
        hl_report_fmt(error, error_size,
                      "--shard %u/%u: the batch has %zu cells (workload x size), so at most %zu "
                      "shards",
                      b->shard_index, b->shard_count, count, count);
        ok = false;
    }
    if (ok && b->shard_count > 0) {
        for (size_t i = 0; i < count; i++)
            order[i] = i;
        for (size_t i = 1; i < count; i++) /* heaviest first, stable */
            for (size_t k = i; k > 0 && cells[order[k - 1]].weight < cells[order[k]].weight; k--) {
                size_t t = order[k];
                order[k] = order[k - 1];
                order[k - 1] = t;
            }
        for (size_t i = 0; i < count; i++) {
            unsigned lightest = 0;
            for (unsigned s = 1; s < b->shard_count; s++)
                if (load[s] < load[lightest]) lightest = s;
            cells[order[i]].shard = lightest;
            load[lightest] += cells[order[i]].weight;
        }
        b->cell_count = 0;
        for (size_t i = 0; i < count; i++)
            b->cell_count += cells[i].shard == b->shard_index;
        /* decided before the array is compacted: cells point into it */
        for (size_t i = 0; i < b->config_count; i++)
            shard[i] = config_shard(cells, count, &b->configs[i]);
        size_t kept = 0, matrix = 0;
        for (size_t i = 0; i < b->config_count; i++) {
            if (shard[i] != b->shard_index) continue;
            matrix += i < b->matrix_count;
            b->configs[kept++] = b->configs[i];
        }
        b->config_count = kept;
        b->matrix_count = matrix;
    }
    free(cells), free(order), free(shard), free(load);
    return ok;
}

bool hl_batch_expand(hl_batch *b, char *error, size_t error_size) {
    size_t cap = 64;
    b->configs = malloc(cap * sizeof *b->configs);
    if (b->configs == NULL) {
        hl_report_fmt(error, error_size, "out of memory");
        return false;
    }
    b->config_count = 0;
    for (size_t pass = 0; pass < 2; pass++) {
        size_t workloads = pass == 0 ? b->workload_count : b->timeline_count;
        for (size_t wi = 0; wi < workloads; wi++) {
            const char *wname = pass == 0 ? b->workloads[wi] : b->timeline_workloads[wi];
            uint64_t sizes[HL_BATCH_MAX_SIZES];
            size_t size_count = 0;
            char family[64];
            hl_report_fmt(family, sizeof family, "%s", wname);
            if (strchr(family, '/') != NULL) *strchr(family, '/') = '\0';
            uint64_t family_size = 0;
            for (size_t k = 0;
                 k < HL_BATCH_MAX_TIMELINES * 2 && b->preset->workload_sizes[k].workload; k++)
                if (strcmp(b->preset->workload_sizes[k].workload, family) == 0)
                    family_size = b->preset->workload_sizes[k].size;
            if (pass == 1) {
                sizes[size_count++] = hl_batch_timeline_size_of(b, wname);
            } else if (b->size_count > 0) {
                memcpy(sizes, b->sizes, b->size_count * sizeof sizes[0]);
                size_count = b->size_count;
            } else if (family_size != 0) {
                sizes[size_count++] = family_size;
            } else if (b->preset->sizes[0] != 0) {
                while (size_count < HL_BATCH_MAX_SIZES && b->preset->sizes[size_count])
                    sizes[size_count] = b->preset->sizes[size_count], size_count++;
            } else {
                char base[64];
                hl_report_fmt(base, sizeof base, "%s", wname);
                *strchr(base, '/') = '\0';
                const hl_workload *w = hl_workload_find(base);
                uint64_t size_cap = UINT64_MAX;
                for (size_t k = 0; k < HL_BATCH_MAX_CAPS && b->preset->caps[k].workload; k++)
                    if (strcmp(b->preset->caps[k].workload, base) == 0)
                        size_cap = b->preset->caps[k].size;
                for (size_t k = 0; w && k < HL_WORKLOAD_MAX_SIZES && w->sizes[k]; k++)
                    if (w->sizes[k] <= size_cap) sizes[size_count++] = w->sizes[k];
            }
            size_t allocators = pass == 0 ? b->allocator_count : 1;
            for (size_t si = 0; si < size_count; si++) {
                for (size_t ai = 0; ai < allocators; ai++)
                    for (size_t ci = 0; ci < b->collector_count; ci++) {
                        /* A collector that brings its own memory (boehm: "bdwgc") runs
                         * once per workload and size, not once per allocator: its row
                         * names its own allocator, and the child gets the batch's
                         * main allocator (libc, or the first) for the rest. */
                        const char *own =
                            hl_collector_own_allocator(hl_collector_find(b->collectors[ci]));
                        const char *run_allocator =
                            pass == 0 ? b->allocators[ai] : hl_batch_timeline_allocator(b);
                        if (own != NULL &&
                            strcmp(run_allocator, hl_batch_timeline_allocator(b)) != 0)
                            continue;
                        /* a time-space sweep: the configuration once per heap factor */
                        size_t factors =
                            pass == 0 && b->heap_factor_count ? b->heap_factor_count : 1;
                        for (size_t fi = 0; fi < factors; fi++) {
                            hl_batch_config *c;
                            if (!hl_batch_add_config(b, &cap, error, error_size, &c)) return false;
                            hl_report_fmt(c->workload, sizeof c->workload, "%s", wname);
                            c->size = sizes[si];
                            c->run_allocator = run_allocator;
                            /* rows, names and slugs: the label (preload:PATH's file name) */
                            const hl_allocator_ops *ao = hl_allocator_find(run_allocator);
                            c->allocator = own != NULL  ? own
                                           : ao != NULL ? hl_allocator_label(ao)
                                                        : run_allocator;
                            c->collector = b->collectors[ci];
                            c->timeline = pass == 1;
                            c->heap_factor =
                                pass == 0 && b->heap_factor_count ? b->heap_factors[fi] : 0;
                            hl_result_row id;
                            memset(&id, 0, sizeof id);
                            hl_report_fmt(id.workload, sizeof id.workload, "%s", c->workload);
                            hl_report_fmt(id.allocator, sizeof id.allocator, "%s", c->allocator);
                            hl_report_fmt(id.collector, sizeof id.collector, "%s", c->collector);
                            id.size = c->size;
                            id.heap_factor = c->heap_factor;
                            char name[256];
                            hl_results_config_name(&id, name, sizeof name);
                            hl_report_fmt(c->name, sizeof c->name, "%s%s",
                                          c->timeline ? "timeline " : "", name);
                            hl_batch_make_slug(c->slug, sizeof c->slug, c->workload, c->size,
                                               c->allocator, c->collector, c->heap_factor);
                        }
                    }
                /* CPython's run of the same workload and size, after heaplab's, when
                 * the reference script has the variant */
                if (pass == 0 && b->ref.enabled && hl_batch_reference_has(&b->ref, wname)) {
                    hl_batch_config *c;
                    if (!hl_batch_add_config(b, &cap, error, error_size, &c)) return false;
                    hl_report_fmt(c->workload, sizeof c->workload, "%s", wname);
                    c->size = sizes[si];
                    c->allocator = "pymalloc";
                    c->run_allocator = "pymalloc";
                    c->collector = "cpython_gc";
                    c->reference = true;
                    hl_report_fmt(c->name, sizeof c->name, "%s/%llu/%s/%s", c->workload,
                                  (unsigned long long)c->size, c->allocator, c->collector);
                    hl_batch_make_slug(c->slug, sizeof c->slug, c->workload, c->size, c->allocator,
                                       c->collector, 0);
                }
            }
        }
        if (pass == 0) b->matrix_count = b->config_count;
    }
    if (b->matrix_count == 0) {
        hl_report_fmt(error, error_size, "the batch has no configurations");
        return false;
    }
    return plan_shard(b, error, error_size) && plan_steps(b, error, error_size);
}
