/* heaplab allocator interface.
 *
 * Every heap allocator under test sits behind this one interface: allocate, sized
 * free (the collectors know every object's size), reallocate (list growth), and
 * statistics. The layers above (collectors/) allocate only through hl_alloc,
 * hl_free and hl_realloc; allocators know nothing above them.
 *
 * Layout: a backend is one file in allocators/ that defines one
 * `const hl_allocator_ops hl_<name>_allocator` and one line in allocators/registry.c.
 * The accounting that every backend would otherwise repeat (live and peak requested
 * bytes, allocation and free counts, the heap limit, the injected failure used by the
 * fault tests) lives once, in the inline wrappers below and in allocator.c.
 *
 * Invariants:
 * - A failed allocation returns NULL to its caller. Nothing in this layer aborts, so
 *   the layers above can turn it into a MemoryError.
 * - Every pointer returned is aligned to HL_ALLOC_ALIGNMENT (16 bytes).
 * - hl_free and hl_realloc are given the exact size that was requested for the block.
 *
 * What a backend serves: `libc`, `pool` and `bump` serve only the blocks requested
 * through this interface. `jemalloc` and `mimalloc` replace malloc for a whole process
 * when loaded (Debian's libraries export malloc and free), so heaplab loads the one
 * under test into its own process with LD_PRELOAD (hl_allocator_prepare_process) and
 * then serves the object heap through their own non-standard entry points (mallocx /
 * sdallocx, mi_malloc / mi_free_size); `tcmalloc` and `tbbmalloc` likewise (tc_malloc,
 * scalable_aligned_malloc): they serve the whole process, object heap included, and
 * their resident figure is the whole process's. `preload:PATH` preloads any shared
 * library that exports malloc and serves the object heap with plain malloc and free,
 * which are then that library's.
 */
#ifndef HEAPLAB_ALLOCATORS_ALLOCATOR_H
#define HEAPLAB_ALLOCATORS_ALLOCATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HL_ALLOC_ALIGNMENT 16

/* What one backend provides. `state` is the backend's own, made by create. */
typedef struct hl_allocator_ops {
    const char *name;    /* "libc", "jemalloc", ... */
    const char *summary; /* one line for `heaplab list allocators` */
    /* Shared library that must be loaded into the process (LD_PRELOAD) before this
     * backend can be created, or NULL. `preload_symbol` is a symbol that exists only
     * once it is loaded. */
    const char *preload;
    const char *preload_symbol;
    /* Make the backend's state. Returns NULL (and sets *error to a one-line reason)
     * when it cannot start. */
    void *(*create)(const char **error);
    /* Release everything the backend still holds. */
    void (*destroy)(void *state);
    void *(*alloc)(void *state, size_t size);
    void (*free)(void *state, void *ptr, size_t size);
    /* Like realloc: NULL on failure, the old block then stays valid. */
    void *(*realloc)(void *state, void *ptr, size_t old_size, size_t new_size);
    /* The allocator's own view of resident or committed memory in bytes, 0 if none. */
    size_t (*resident_bytes)(void *state);
    /* Optional (NULL: nothing to do). Forget every block at once and start handing out
     * memory again from the start, keeping what is mapped: called through
     * hl_allocator_rewind, only when no block is live (the harness, between
     * iterations). bump needs it because its free does nothing. */
    void (*rewind)(void *state);
    /* Version string of the library behind the backend, or NULL. */
    const char *(*version)(void);
    /* What the rows, slugs and charts call this backend; NULL: `name`. Only a bound
     * family member has one (preload:PATH shows PATH's file name). */
    const char *label;
    /* A family of backends spelled "<name>:<parameter>" (preload:PATH), or NULL. Such a
     * registry entry is not itself runnable: hl_allocator_find binds it to a parameter
     * (`bind` checks the parameter and returns a backend of its own, whose name is the
     * whole spelling, or NULL and sets *error to one line). `parameter` names the
     * parameter for help text ("PATH"); `example` is one valid parameter on this build,
     * for the conformance suite and `heaplab list`. */
    const char *parameter;
    const char *example;
    const struct hl_allocator_ops *(*bind)(const char *parameter, const char **error);
} hl_allocator_ops;

typedef struct hl_alloc_stats {
    size_t live_bytes;     /* requested bytes currently allocated */
    size_t peak_bytes;     /* the most live_bytes has been */
    uint64_t allocs;       /* successful allocations (a realloc counts as neither) */
    uint64_t frees;        /* frees */
    uint64_t reallocs;     /* successful reallocations */
    uint64_t failures;     /* allocations or reallocations that returned NULL */
    size_t resident_bytes; /* the allocator's own resident/committed figure, 0 if none */
} hl_alloc_stats;

/* An allocator instance: one backend plus the shared accounting. */
typedef struct hl_allocator {
    const hl_allocator_ops *ops;
    void *state;
    size_t live_bytes;
    size_t peak_bytes;
    uint64_t allocs;
    uint64_t frees;
    uint64_t reallocs;
    uint64_t failures;
    /* Heap limit in requested bytes; 0 means none. A request that would take
     * live_bytes past it fails like an out-of-memory. */
    size_t limit_bytes;
    /* Fault injection (tests only): the attempt numbered fail_at (1-based, counting
     * allocations and growing reallocations) fails; 0 means never. */
    uint64_t fail_at;
    uint64_t attempts;
} hl_allocator;

/* The registry: every backend, in a fixed order, NULL-terminated. */
extern const hl_allocator_ops *const hl_allocator_registry[];

/* The backend called `name`, or NULL. A family's "<name>:<parameter>" spelling gives the
 * bound backend (the same pointer for the same spelling, for the process's life); the
 * family's bare name gives NULL. Call it from main's thread, before threads exist (it
 * keeps the bound backends in a static table). */
const hl_allocator_ops *hl_allocator_find(const char *name);

/* hl_allocator_find, and when it returns NULL, *error says why in one line if `name`
 * belongs to a family ("preload:/x: no such file"); *error stays NULL for a name that
 * is simply unknown. */
const hl_allocator_ops *hl_allocator_lookup(const char *name, const char **error);

/* What rows and charts call `ops`: its label, or its name. */
const char *hl_allocator_label(const hl_allocator_ops *ops);

/* Whether the registry entry `ops` is runnable as it is (not a family to bind first):
 * the loops that run or list every backend skip the ones that are not. */
bool hl_allocator_runnable(const hl_allocator_ops *ops);

/* A comma-separated list of every backend name (for error messages). */
const char *hl_allocator_names(void);

/* Make sure the process can run `ops`: if it needs a preloaded library that is not
 * loaded yet, re-execute the current program (/proc/self/exe with argv) with that
 * library added to LD_PRELOAD. Returns only when the process is ready (true) or the
 * re-exec failed (false, *error set). Call it before anything else in main. */
bool hl_allocator_prepare_process(const hl_allocator_ops *ops, char **argv, const char **error);

/* The environment value of LD_PRELOAD that makes a child process ready for `ops`
 * (keeps a sanitizer runtime first when this process has one), or NULL when the
 * backend needs no preload. Returned string is static storage. */
const char *hl_allocator_preload_env(const hl_allocator_ops *ops);

/* Start an allocator instance; false (and *error) when the backend cannot start. */
bool hl_allocator_init(hl_allocator *a, const hl_allocator_ops *ops, const char **error);

/* Release the backend. Live blocks are the caller's leak; bump and pool release
 * their mappings regardless. */
void hl_allocator_fini(hl_allocator *a);

void hl_allocator_stats(hl_allocator *a, hl_alloc_stats *out);

/* One allocator instance lives for the whole process and stays warm; an iteration of
 * a benchmark starts with hl_allocator_begin_iteration, which makes the counts its
 * own: allocs, frees, reallocs, failures and the injected failure's attempt counter
 * go back to 0 and the peak to what is live now (fail_at and limit_bytes keep
 * meaning "in this iteration"). Nothing is released. */
void hl_allocator_begin_iteration(hl_allocator *a);

/* When no block is live, let the backend start over (ops->rewind: bump goes back to
 * its first chunk and reuses the chunks it mapped). True when it rewound or has
 * nothing to rewind; false, doing nothing, while a block is live. */
bool hl_allocator_rewind(hl_allocator *a);

/* Slow path shared by the wrappers: records a failure and returns NULL. */
void *hl_alloc_fail(hl_allocator *a);

static inline bool hl_alloc_refuse(hl_allocator *a, size_t grow) {
    if (a->fail_at != 0 && ++a->attempts == a->fail_at) return true;
    if (a->limit_bytes != 0 &&
        grow > a->limit_bytes - (a->live_bytes < a->limit_bytes ? a->live_bytes : a->limit_bytes))
        return true;
    return false;
}

static inline void hl_alloc_account(hl_allocator *a, size_t grow) {
    a->live_bytes += grow;
    if (a->live_bytes > a->peak_bytes) a->peak_bytes = a->live_bytes;
}

/* Allocate `size` bytes (size > 0), 16-byte aligned. NULL on failure. */
static inline void *hl_alloc(hl_allocator *a, size_t size) {
    if (hl_alloc_refuse(a, size)) return hl_alloc_fail(a);
    void *p = a->ops->alloc(a->state, size);
    if (p == NULL) return hl_alloc_fail(a);
    a->allocs++;
    hl_alloc_account(a, size);
    return p;
}

/* Free a block of exactly `size` requested bytes. */
static inline void hl_free(hl_allocator *a, void *ptr, size_t size) {
    if (ptr == NULL) return;
    a->ops->free(a->state, ptr, size);
    a->frees++;
    a->live_bytes -= size;
}

/* Resize a block from old_size to new_size (both > 0). NULL on failure, and the old
 * block then stays valid and accounted. */
static inline void *hl_realloc(hl_allocator *a, void *ptr, size_t old_size, size_t new_size) {
    if (new_size > old_size && hl_alloc_refuse(a, new_size - old_size)) return hl_alloc_fail(a);
    void *p = a->ops->realloc(a->state, ptr, old_size, new_size);
    if (p == NULL) return hl_alloc_fail(a);
    a->reallocs++;
    a->live_bytes -= old_size;
    hl_alloc_account(a, new_size);
    return p;
}

#endif
