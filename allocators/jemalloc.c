/* `jemalloc`: Debian's libjemalloc, loaded into the process with LD_PRELOAD.
 *
 * Linking libjemalloc would replace malloc for every program that links the allocator
 * layer, and it cannot be dlopen'd (static TLS), so the library is never linked:
 * hl_allocator_prepare_process re-executes the program with it preloaded, and then
 * jemalloc serves the whole process (every malloc, glibc's own included). The object
 * heap goes through jemalloc's non-standard API, found with dlsym: mallocx to
 * allocate, sdallocx for the sized free (it skips the size lookup, which is what the
 * sized interface is for) and rallocx to resize.
 *
 * Alignment: jemalloc's size classes below 16 bytes (8) are only 8-byte aligned; every
 * class from 16 up is a multiple of the 16-byte quantum and so 16-byte aligned. Requests
 * below 16 bytes are therefore made as 16, which costs nothing (the 8 class aside) and
 * keeps the fast path free of alignment flags. sdallocx gets the same rounded size.
 *
 * The resident figure is jemalloc's `stats.resident` after writing `epoch` (the
 * statistics are a snapshot refreshed by the epoch write): bytes in physically resident
 * data pages mapped by jemalloc, for the whole process.
 */
#include "allocators/allocator.h"

#include <dlfcn.h>
#include <stdlib.h>

typedef void *(*mallocx_fn)(size_t size, int flags);
typedef void (*sdallocx_fn)(void *ptr, size_t size, int flags);
typedef void *(*rallocx_fn)(void *ptr, size_t size, int flags);
typedef int (*mallctl_fn)(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

typedef struct jemalloc_state {
    mallocx_fn mallocx;
    sdallocx_fn sdallocx;
    rallocx_fn rallocx;
    mallctl_fn mallctl;
} jemalloc_state;

static inline size_t at_least_quantum(size_t size) {
    return size < HL_ALLOC_ALIGNMENT ? HL_ALLOC_ALIGNMENT : size;
}

static void *jemalloc_create(const char **error) {
    jemalloc_state s = {
        .mallocx = (mallocx_fn)dlsym(RTLD_DEFAULT, "mallocx"),
        .sdallocx = (sdallocx_fn)dlsym(RTLD_DEFAULT, "sdallocx"),
        .rallocx = (rallocx_fn)dlsym(RTLD_DEFAULT, "rallocx"),
        .mallctl = (mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl"),
    };
    if (s.mallocx == NULL || s.sdallocx == NULL || s.rallocx == NULL || s.mallctl == NULL) {
        *error = "allocator jemalloc: mallocx/sdallocx/rallocx/mallctl not found; "
                 "libjemalloc must be preloaded (call hl_allocator_prepare_process)";
        return NULL;
    }
    jemalloc_state *state = s.mallocx(sizeof *state, 0);
    if (state == NULL) {
        *error = "allocator jemalloc: out of memory";
        return NULL;
    }
    *state = s;
    return state;
}

static void jemalloc_destroy(void *state) {
    jemalloc_state *s = state;
    s->sdallocx(s, sizeof *s, 0);
}

static void *jemalloc_alloc(void *state, size_t size) {
    jemalloc_state *s = state;
    return s->mallocx(at_least_quantum(size), 0);
}

static void jemalloc_free(void *state, void *ptr, size_t size) {
    jemalloc_state *s = state;
    s->sdallocx(ptr, at_least_quantum(size), 0);
}

static void *jemalloc_realloc(void *state, void *ptr, size_t old_size, size_t new_size) {
    jemalloc_state *s = state;
    (void)old_size;
    return s->rallocx(ptr, at_least_quantum(new_size), 0);
}

static size_t jemalloc_resident(void *state) {
    jemalloc_state *s = state;
    uint64_t epoch = 1;
    size_t len = sizeof epoch;
    if (s->mallctl("epoch", &epoch, &len, &epoch, sizeof epoch) != 0) return 0;
    size_t resident = 0;
    len = sizeof resident;
    if (s->mallctl("stats.resident", &resident, &len, NULL, 0) != 0) return 0;
    return resident;
}

/* The loaded library's own version string when it is loaded (it lives in jemalloc's
 * static data); otherwise the version of the file the build would preload. */
static const char *jemalloc_version(void) {
    mallctl_fn mallctl = (mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl");
    const char *version = NULL;
    size_t len = sizeof version;
    if (mallctl != NULL && mallctl("version", &version, &len, NULL, 0) == 0 && version != NULL)
        return version;
    return HEAPLAB_JEMALLOC_VERSION;
}

const hl_allocator_ops hl_jemalloc_allocator = {
    .name = "jemalloc",
    .summary = "Debian libjemalloc via LD_PRELOAD (serves the whole process; object heap "
               "via mallocx/sdallocx/rallocx)",
    .preload = HEAPLAB_JEMALLOC_SO,
    .preload_symbol = "mallocx",
    .create = jemalloc_create,
    .destroy = jemalloc_destroy,
    .alloc = jemalloc_alloc,
    .free = jemalloc_free,
    .realloc = jemalloc_realloc,
    .resident_bytes = jemalloc_resident,
    .version = jemalloc_version,
};
