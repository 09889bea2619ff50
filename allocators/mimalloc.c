/* `mimalloc`: Debian's libmimalloc, loaded into the process with LD_PRELOAD.
 *
 * Like jemalloc, libmimalloc exports malloc and free, so linking it would replace
 * malloc for the whole process; heaplab never links it and preloads it into the process
 * that runs this backend (hl_allocator_prepare_process), where it then serves every
 * malloc. The object heap goes through mimalloc's own API, found with dlsym: mi_malloc,
 * mi_free_size (the sized free) and mi_realloc.
 *
 * Alignment: mimalloc's 8-byte size class is only 8-byte aligned; from 16 bytes up its
 * blocks are 16-byte aligned (MI_MAX_ALIGN_SIZE). Requests below 16 bytes are made as
 * 16, and mi_free_size gets the same rounded size.
 *
 * The resident figure is mi_process_info's current_commit: the bytes mimalloc has
 * committed from the OS, for the whole process. (Its current_rss is the process's RSS
 * from the OS, which heaplab measures itself as peak_rss_bytes.)
 */
#include "allocators/allocator.h"

#include <dlfcn.h>
#include <stdio.h>
#include <threads.h>

typedef void *(*mi_malloc_fn)(size_t size);
typedef void (*mi_free_size_fn)(void *ptr, size_t size);
typedef void *(*mi_realloc_fn)(void *ptr, size_t size);
typedef void (*mi_process_info_fn)(size_t *elapsed_msecs, size_t *user_msecs, size_t *system_msecs,
                                   size_t *current_rss, size_t *peak_rss, size_t *current_commit,
                                   size_t *peak_commit, size_t *page_faults);
typedef int (*mi_version_fn)(void);

typedef struct mimalloc_state {
    mi_malloc_fn malloc;
    mi_free_size_fn free_size;
    mi_realloc_fn realloc;
    mi_process_info_fn process_info;
} mimalloc_state;

static inline size_t at_least_quantum(size_t size) {
    return size < HL_ALLOC_ALIGNMENT ? HL_ALLOC_ALIGNMENT : size;
}

static void *mimalloc_create(const char **error) {
    mimalloc_state s = {
        .malloc = (mi_malloc_fn)dlsym(RTLD_DEFAULT, "mi_malloc"),
        .free_size = (mi_free_size_fn)dlsym(RTLD_DEFAULT, "mi_free_size"),
        .realloc = (mi_realloc_fn)dlsym(RTLD_DEFAULT, "mi_realloc"),
        .process_info = (mi_process_info_fn)dlsym(RTLD_DEFAULT, "mi_process_info"),
    };
    if (s.malloc == NULL || s.free_size == NULL || s.realloc == NULL || s.process_info == NULL) {
        *error = "allocator mimalloc: mi_malloc/mi_free_size/mi_realloc/mi_process_info not "
                 "found; libmimalloc must be preloaded (call hl_allocator_prepare_process)";
        return NULL;
    }
    mimalloc_state *state = s.malloc(sizeof *state);
    if (state == NULL) {
        *error = "allocator mimalloc: out of memory";
        return NULL;
    }
    *state = s;
    return state;
}

static void mimalloc_destroy(void *state) {
    mimalloc_state *s = state;
    s->free_size(s, sizeof *s);
}

static void *mimalloc_alloc(void *state, size_t size) {
    mimalloc_state *s = state;
    return s->malloc(at_least_quantum(size));
}

static void mimalloc_free(void *state, void *ptr, size_t size) {
    mimalloc_state *s = state;
    s->free_size(ptr, at_least_quantum(size));
}

static void *mimalloc_realloc(void *state, void *ptr, size_t old_size, size_t new_size) {
    mimalloc_state *s = state;
    (void)old_size;
    return s->realloc(ptr, at_least_quantum(new_size));
}

static size_t mimalloc_resident(void *state) {
    mimalloc_state *s = state;
    size_t commit = 0;
    s->process_info(NULL, NULL, NULL, NULL, NULL, &commit, NULL, NULL);
    return commit;
}

/* mi_version() is major*100 + minor*10 + patch (209 is 2.0.9). It is formatted once,
 * under call_once, into a buffer that is never written again. */
static char version_buffer[32];
static once_flag version_once = ONCE_FLAG_INIT;

static void format_version(void) {
    mi_version_fn version = (mi_version_fn)dlsym(RTLD_DEFAULT, "mi_version");
    if (version == NULL) {
        snprintf(version_buffer, sizeof version_buffer, "%s", HEAPLAB_MIMALLOC_VERSION);
        return;
    }
    int v = version();
    snprintf(version_buffer, sizeof version_buffer, "%d.%d.%d", v / 100, (v % 100) / 10, v % 10);
}

/* The loaded library's version, or the version of the file the build would preload. */
static const char *mimalloc_version(void) {
    call_once(&version_once, format_version);
    return version_buffer;
}

const hl_allocator_ops hl_mimalloc_allocator = {
    .name = "mimalloc",
    .summary = "Debian libmimalloc via LD_PRELOAD (serves the whole process; object heap "
               "via mi_malloc/mi_free_size/mi_realloc)",
    .preload = HEAPLAB_MIMALLOC_SO,
    .preload_symbol = "mi_malloc",
    .create = mimalloc_create,
    .destroy = mimalloc_destroy,
    .alloc = mimalloc_alloc,
    .free = mimalloc_free,
    .realloc = mimalloc_realloc,
    .resident_bytes = mimalloc_resident,
    .version = mimalloc_version,
};
