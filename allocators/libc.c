/* `libc`: glibc's malloc, free and realloc, unchanged.
 *
 * glibc's malloc returns blocks aligned for max_align_t, which is 16 bytes on the
 * 64-bit targets heaplab runs on; the static assertion below keeps that reliance
 * visible instead of paying for posix_memalign on every call. The sized free has
 * nothing to use the size for. The resident figure is mallinfo2's view of what the
 * main arena and the mmap'd chunks hold (arena + hblkhd): glibc's own count of bytes
 * it took from the system, for the whole process (glibc has one heap per process).
 */
#include "allocators/allocator.h"

#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdalign.h>
#include <stdlib.h>

_Static_assert(alignof(max_align_t) >= HL_ALLOC_ALIGNMENT,
               "glibc malloc must return 16-byte aligned blocks");

/* glibc malloc has no per-instance state; create returns a non-NULL token. */
static int libc_token;

static void *libc_create(const char **error) {
    (void)error;
    return &libc_token;
}

static void libc_destroy(void *state) {
    (void)state;
}

static void *libc_alloc(void *state, size_t size) {
    (void)state;
    return malloc(size);
}

static void libc_free(void *state, void *ptr, size_t size) {
    (void)state;
    (void)size;
    free(ptr);
}

static void *libc_realloc(void *state, void *ptr, size_t old_size, size_t new_size) {
    (void)state;
    (void)old_size;
    return realloc(ptr, new_size);
}

static size_t libc_resident(void *state) {
    (void)state;
    struct mallinfo2 mi = mallinfo2();
    return mi.arena + mi.hblkhd;
}

static const char *libc_version(void) {
    return gnu_get_libc_version();
}

const hl_allocator_ops hl_libc_allocator = {
    .name = "libc",
    .summary = "glibc malloc/free/realloc (serves the object heap; shares glibc's heap "
               "with the rest of the process)",
    .preload = NULL,
    .preload_symbol = NULL,
    .create = libc_create,
    .destroy = libc_destroy,
    .alloc = libc_alloc,
    .free = libc_free,
    .realloc = libc_realloc,
    .resident_bytes = libc_resident,
    .version = libc_version,
};
