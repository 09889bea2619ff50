/* The one table of heap allocators. A backend is one file in allocators/ that defines
 * `const hl_allocator_ops hl_<name>_allocator`, plus one X(<name>) line in HL_ALLOCATORS
 * below: the line declares it and puts it in the table, so no header names it. The
 * order is the order `heaplab list allocators` prints and batches run. (The
 * conformance suite and every per-allocator test read these lines:
 * tests/registries.cmake.) */
#include "allocators/allocator.h"

/* One X(<name>) per line, each ending in a backslash, so adding one is a one-line diff.
 * F(<name>) is a family, not runnable by its bare name: it is spelled <name>:<parameter>
 * and binds the parameter (preload:PATH; hl_allocator_ops.bind). The loops that run every
 * backend skip it, and so do the tests that add one entry per X line. */
#define HL_ALLOCATORS(X, F)                                                                           \
    X(libc)                                                                                        \
    X(jemalloc)                                                                                    \
    X(mimalloc)                                                                                    \
    X(tcmalloc)                                                                                    \
    X(tbbmalloc)                                                                                   \
    F(preload)                                                                                     \
    X(pool)                                                                                        \
    X(bump)                                                                                        \
    /* (end of the list) */

#define HL_DECLARE(name) extern const hl_allocator_ops hl_##name##_allocator;
HL_ALLOCATORS(HL_DECLARE, HL_DECLARE)

#define HL_ENTRY(name) &hl_##name##_allocator,
const hl_allocator_ops *const hl_allocator_registry[] = {HL_ALLOCATORS(HL_ENTRY, HL_ENTRY) NULL};
