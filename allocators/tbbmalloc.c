/* `tbbmalloc`: Debian's oneTBB scalable allocator, loaded into the process with
 * LD_PRELOAD of its proxy library (libtbbmalloc_proxy.so.2).
 *
 * The proxy exports malloc, free and the rest of the C and C++ allocation functions and
 * forwards them to libtbbmalloc.so.2, which it loads as a dependency; so, as with
 * jemalloc, heaplab never links it: hl_allocator_prepare_process re-executes the program
 * with the proxy preloaded and tbbmalloc then serves the whole process. The object heap
 * goes through libtbbmalloc's own entry points, found with dlsym: scalable_aligned_
 * malloc, scalable_aligned_free and scalable_aligned_realloc, with an alignment of 16.
 * The aligned calls are needed because tbbmalloc's small bins step by 8 bytes (24, 40,
 * 56), so a plain scalable_malloc block can be only 8-byte aligned; for a 16-byte
 * alignment the aligned call picks a bin that keeps it, at no extra cost per call.
 * tbbmalloc has no sized free: the size is ignored.
 *
 * Statistics: tbbmalloc offers none. scalable_allocation_command knows only
 * TBBMALLOC_CLEAN_ALL_BUFFERS and TBBMALLOC_CLEAN_THREAD_BUFFERS (give cached memory
 * back), and scalable_allocation_mode only sets things (huge pages, a soft heap limit,
 * the huge-object threshold); nothing reports resident or committed bytes. The backend
 * therefore has no resident_bytes, and its resident figure is 0 (none); heaplab's own
 * peak RSS and requested-bytes counts still apply.
 *
 * The version is the Debian package's (pkg-config tbb at build time): libtbbmalloc has
 * no version call of its own (TBB_runtime_version lives in libtbb, which the proxy does
 * not load).
 */
#include "allocators/allocator.h"

#include <dlfcn.h>

typedef void *(*aligned_malloc_fn)(size_t size, size_t alignment);
typedef void (*aligned_free_fn)(void *ptr);
typedef void *(*aligned_realloc_fn)(void *ptr, size_t size, size_t alignment);

typedef struct tbbmalloc_state {
    aligned_malloc_fn malloc;
    aligned_free_fn free;
    aligned_realloc_fn realloc;
} tbbmalloc_state;

static void *tbbmalloc_create(const char **error) {
    tbbmalloc_state s = {
        .malloc = (aligned_malloc_fn)dlsym(RTLD_DEFAULT, "scalable_aligned_malloc"),
        .free = (aligned_free_fn)dlsym(RTLD_DEFAULT, "scalable_aligned_free"),
        .realloc = (aligned_realloc_fn)dlsym(RTLD_DEFAULT, "scalable_aligned_realloc"),
    };
    if (s.malloc == NULL || s.free == NULL || s.realloc == NULL) {
        *error = "allocator tbbmalloc: scalable_aligned_malloc/free/realloc not found; "
                 "libtbbmalloc_proxy must be preloaded (call hl_allocator_prepare_process)";
        return NULL;
    }
    tbbmalloc_state *state = s.malloc(sizeof *state, HL_ALLOC_ALIGNMENT);
    if (state == NULL) {
        *error = "allocator tbbmalloc: out of memory";
        return NULL;
    }
    *state = s;
    return state;
}

static void tbbmalloc_destroy(void *state) {
    tbbmalloc_state *s = state;
    s->free(s);
}

static void *tbbmalloc_alloc(void *state, size_t size) {
    tbbmalloc_state *s = state;
    return s->malloc(size, HL_ALLOC_ALIGNMENT);
}

static void tbbmalloc_free(void *state, void *ptr, size_t size) {
    tbbmalloc_state *s = state;
    (void)size;
    s->free(ptr);
}

static void *tbbmalloc_realloc(void *state, void *ptr, size_t old_size, size_t new_size) {
    tbbmalloc_state *s = state;
    (void)old_size;
    return s->realloc(ptr, new_size, HL_ALLOC_ALIGNMENT);
}

static const char *tbbmalloc_version(void) {
    return HEAPLAB_TBBMALLOC_VERSION;
}

const hl_allocator_ops hl_tbbmalloc_allocator = {
    .name = "tbbmalloc",
    .summary = "Debian oneTBB libtbbmalloc_proxy via LD_PRELOAD (serves the whole process; "
               "object heap via scalable_aligned_malloc/free/realloc; no resident figure)",
    .preload = HEAPLAB_TBBMALLOC_SO,
    .preload_symbol = "__TBB_malloc_proxy",
    .create = tbbmalloc_create,
    .destroy = tbbmalloc_destroy,
    .alloc = tbbmalloc_alloc,
    .free = tbbmalloc_free,
    .realloc = tbbmalloc_realloc,
    .resident_bytes = NULL,
    .version = tbbmalloc_version,
};
