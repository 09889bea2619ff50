/* heaplab merge: one results folder from the shards of a batch (`heaplab batch --shard
 * I/N`, each a complete results folder, run on any number of hosts).
 *
 * The story, in the order merge_check.c and merge.c run it:
 * 1. Read each folder's manifest.json (its shard section: index, count, the batch's
 *    arguments without --shard, the cells of the whole batch and of this shard; its
 *    build and git revision; its host) and results.csv. A folder that is no shard or
 *    is not finished is refused.
 * 2. Refuse, one line each naming the folders: different git revisions, different
 *    builds (compiler, build type, C flags, sanitizers), different batch arguments or
 *    shard counts; the same shard twice, a cell in two folders; shard numbers missing
 *    (named); cells that no folder holds.
 * 3. Write OUT (a new or empty folder, locked while written): runs/ and timelines/
 *    hard-linked (copied across file systems) from every shard, results.csv (every row
 *    keeps its host), results.json (every shard's entries), timelines/index.csv,
 *    minheap.csv, and manifest.json with every shard and every host (which cells each
 *    ran); then the charts and report.html, drawn as a batch draws them (hl_plot_draw,
 *    hl_report_write).
 * Every ratio the charts draw is inside one cell (workload x size), and a cell is on one
 * host, so no chart divides figures from two hosts; compare refuses a pair whose rows
 * name different hosts (compare.c).
 */
#ifndef HEAPLAB_BENCH_REPORT_MERGE_H
#define HEAPLAB_BENCH_REPORT_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "bench/report/results.h"

typedef enum hl_merge_outcome {
    HL_MERGE_DONE,
    HL_MERGE_REFUSED, /* the folders are not the complete shards of one batch: *error */
    HL_MERGE_ERROR,   /* OUT could not be written, or the charts not drawn: *error */
} hl_merge_outcome;

/* One shard folder, as merge_check.c reads it. */
typedef struct hl_merge_shard {
    const char *dir;
    json_t *manifest; /* owned */
    unsigned index, count;
    size_t cells_total;
    const json_t *cells; /* borrowed from manifest: ["workload/size", ...] */
    const json_t *args;  /* borrowed: the batch's arguments without --shard */
    char revision[128], build[1024], host[256];
    hl_result_row *rows; /* owned */
    size_t row_count;
} hl_merge_shard;

/* merge_check.c: read `count` folders into shards[] (sorted by shard index on success)
 * and check that they are the complete, disjoint shards of one batch. False and *error
 * (one line) otherwise; hl_merge_free_shards frees them either way. */
bool hl_merge_read_and_check(char *const *dirs, size_t count, hl_merge_shard *shards, char *error,
                             size_t error_size);
void hl_merge_free_shards(hl_merge_shard *shards, size_t count);

/* merge.c: check, then write OUT. */
hl_merge_outcome hl_merge(const char *out, char *const *dirs, size_t count, char *error,
                          size_t error_size);

#endif
