/* DIR/minheap.csv: the minimum heap of each (workload, size, collector) cell, as
 * `heaplab minheap` and `batch --heap-factors` find it (bench/batch/minheap.c) and the
 * report shows it (report.html's minimum-heap table). docs/batch.md, "Minimum heap". */
#ifndef HEAPLAB_BENCH_REPORT_MINHEAP_H
#define HEAPLAB_BENCH_REPORT_MINHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HL_MINHEAP_FILE "minheap.csv"
#define HL_MINHEAP_HEADER                                                                          \
    "workload,size,collector,allocator,min_heap_bytes,failed_bytes,peak_bytes,probes,status,"     \
    "error"

typedef struct hl_minheap_cell {
    char workload[64];
    uint64_t size;
    char collector[32];
    char allocator[32]; /* the probes' --allocator */
    uint64_t min_heap;  /* smallest budget seen to complete; 0: none */
    uint64_t failed;    /* largest budget seen to fail (0: none seen) */
    uint64_t peak;      /* the peak managed heap without a budget */
    int probes;
    char status[24]; /* "ok": min_heap is the answer; else how the run without a budget ended */
    char error[256];
} hl_minheap_cell;

typedef struct hl_minheap_table {
    hl_minheap_cell *cells; /* malloc'd: free(t.cells) */
    size_t count, cap;
} hl_minheap_table;

hl_minheap_cell *hl_minheap_find(hl_minheap_table *t, const char *workload, uint64_t size,
                                 const char *collector);
/* A new zeroed cell at the end; NULL when out of memory (pointers into t move). */
hl_minheap_cell *hl_minheap_add(hl_minheap_table *t);
/* DIR/minheap.csv into t: a missing file is an empty table; a malformed line is skipped
 * (that cell is searched again), never trusted. */
void hl_minheap_read(const char *dir, hl_minheap_table *t);
/* Write the table to `path` atomically. */
bool hl_minheap_write(const char *path, const hl_minheap_table *t);
/* The cell's ratio to the smallest minimum heap of its workload and size (0: none). */
double hl_minheap_ratio(const hl_minheap_table *t, const hl_minheap_cell *c);
/* The table as text, one line per cell. */
void hl_minheap_print(const hl_minheap_table *t, FILE *out);
/* The table as HTML: collector rows x workload/size columns, bytes and ratio to the
 * smallest. Nothing when the table is empty. */
void hl_minheap_html(const hl_minheap_table *t, FILE *out);

#endif
