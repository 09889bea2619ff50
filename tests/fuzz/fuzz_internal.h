/* Between the heap fuzz target's files: tests/fuzz/fuzz_heap.c (the context, the input,
 * the operations, one heap's life) and tests/fuzz/fuzz_oracle.c (pointer sets, the
 * reachable set and the oracles). Not for use outside tests/fuzz/. */
#ifndef HEAPLAB_TESTS_FUZZ_FUZZ_INTERNAL_H
#define HEAPLAB_TESTS_FUZZ_FUZZ_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/collector.h"

enum {
    FZ_GLOBALS = 8,
    FZ_RESURRECT_SLOT = 6, /* finalizers resurrect their record here */
    FZ_FINALIZER_SLOT = 7, /* finalizers store the str they allocate here */
    FZ_RECURSION_LIMIT = 24,
    FZ_MAX_LOCALS = 4,
    FZ_MAX_SCOPES = 32,
    FZ_MAX_FINALIZABLE = 1024,
    FZ_MAX_FIELDS = 4,
    FZ_MAX_LIST = 6,
};

/* Small pointer sets and vectors (plain malloc: the harness's own memory). */
typedef struct fz_set {
    hl_object **slots; /* open addressing, NULL = empty */
    size_t capacity;   /* a power of two */
    size_t count;
} fz_set;
typedef struct fz_vec {
    hl_object **items;
    size_t count;
    size_t capacity;
} fz_vec;

typedef enum fz_finalizer_mode {
    FIN_COUNT,     /* only count the call */
    FIN_RESURRECT, /* store self into global FZ_RESURRECT_SLOT */
    FIN_ALLOCATE,  /* allocate a str and store it into global FZ_FINALIZER_SLOT */
    FIN_CLEAR,     /* set self's field 0 to NULL */
    FIN_LINK,      /* append self to global 0's list / store it into its record */
    FIN_MODE_COUNT,
} fz_finalizer_mode;

struct fz_ctx;

typedef struct fz_finalizable {
    struct fz_ctx *ctx;
    hl_object *obj; /* the record, while `dead` is false */
    int calls;
    bool dead;    /* seen freed after its finalizer ran: no more checks */
    uint8_t mode; /* fz_finalizer_mode */
} fz_finalizable;

typedef struct fz_ctx {
    const hl_collector_ops *collector;
    hl_allocator allocator;
    hl_heap *heap;
    bool counting;
    size_t scopes[FZ_MAX_SCOPES];
    size_t scope_count;
    fz_finalizable finalizable[FZ_MAX_FINALIZABLE];
    size_t finalizable_count;
    hl_object *held; /* the object the fuzzer holds one extra count on, or NULL */
    uint64_t finalizer_runs;
    /* The collection in progress: its kind, and whether a finalizer dropped a
     * reference during it. */
    hl_collection_kind kind;
    bool in_collection; /* between collection_start and the end of its check */
    bool finalizer_dropped;
    /* Scratch for picking objects (reachable set) and for the oracles. */
    fz_set pick_set;
    fz_vec pick_all;        /* reachable objects, roots first */
    fz_vec pick_containers; /* reachable lists and records */
    fz_set reach;
    fz_vec reach_order;
    fz_set live;
    fz_vec live_order;
    fz_set garbage_referred;
    const char *where; /* the operation being run, for messages */
    size_t op_index;
} fz_ctx;

typedef enum fz_oracle { ORACLE_CONSISTENT, ORACLE_EXACT } fz_oracle;

/* fuzz_heap.c: print the oracle's failure (the run, the operation) and abort. */
void fz_fail(const fz_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* fuzz_oracle.c */
void *fz_xrealloc(void *p, size_t bytes);
bool fz_is_immortal(const hl_object *o);
/* The objects reachable from the roots into `set` and `order` (roots first), and the
 * reachable lists and records into `containers` (may be NULL). */
void fz_compute_reachable(fz_ctx *c, fz_set *set, fz_vec *order, fz_vec *containers);
/* Every oracle over the heap as it is now (after a full collection: ORACLE_EXACT). */
void fz_check_heap(fz_ctx *c, fz_oracle oracle);

#endif
