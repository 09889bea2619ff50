/* The one table of heap allocators. A backend is one file in allocators/ that defines
 * `const hl_allocator_ops hl_<name>_allocator`, plus one line here. The order is the
 * order `heaplab list allocators` prints and batches run. */
#include "allocators/allocator.h"

extern const hl_allocator_ops hl_libc_allocator;
extern const hl_allocator_ops hl_jemalloc_allocator;
extern const hl_allocator_ops hl_mimalloc_allocator;
extern const hl_allocator_ops hl_pool_allocator;
extern const hl_allocator_ops hl_bump_allocator;

/* One line per backend, so adding one is a one-line diff. */
/* clang-format off */
const hl_allocator_ops *const hl_allocator_registry[] = {
    &hl_libc_allocator,
    &hl_jemalloc_allocator,
    &hl_mimalloc_allocator,
    &hl_pool_allocator,
    &hl_bump_allocator,
    NULL,
};
/* clang-format on */
