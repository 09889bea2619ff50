/* `tcmalloc`: Debian's gperftools tcmalloc (libtcmalloc_minimal.so.4), loaded into the
 * process with LD_PRELOAD.
 *
 * Like jemalloc and mimalloc, libtcmalloc_minimal exports malloc and free, so heaplab
 * never links it: hl_allocator_prepare_process re-executes the program with it
 * preloaded, and then tcmalloc serves the whole process. The minimal library is the
 * one chosen because the full libtcmalloc adds the heap profiler and checker hooks,
 * which are not part of the allocator being compared. The object heap goes through
 * tcmalloc's own C entry points, found with dlsym: tc_malloc, tc_free_sized (the sized
 * free: it skips the size-class lookup by address) and tc_realloc.
 *
 * Alignment: tcmalloc's 8-byte size class is only 8-byte aligned; every class from 16
 * bytes up is a multiple of its 16-byte alignment. Requests below 16 bytes are made as
 * 16, and tc_free_sized gets the same rounded size.
 *
 * The resident figure, from MallocExtension_GetNumericProperty (gperftools' C binding,
 * gperftools/malloc_extension_c.h): generic.heap_size minus tcmalloc.pageheap_unmapped_
 * bytes. heap_size counts every byte tcmalloc took from the system, including pages it
 * has since given back with madvise(MADV_DONTNEED); subtracting the unmapped ones leaves
 * what is still backed, the figure closest to jemalloc's stats.resident. It covers the
 * whole process, like tcmalloc itself.
 */
#include "allocators/allocator.h"

#include <dlfcn.h>
#include <stdio.h>
#include <threads.h>

typedef void *(*tc_malloc_fn)(size_t size);
typedef void (*tc_free_sized_fn)(void *ptr, size_t size);
typedef void *(*tc_realloc_fn)(void *ptr, size_t size);
typedef int (*numeric_property_fn)(const char *property, size_t *value);
typedef const char *(*tc_version_fn)(int *major, int *minor, const char **patch);

typedef struct tcmalloc_state {
    tc_malloc_fn malloc;
    tc_free_sized_fn free_sized;
    tc_realloc_fn realloc;
    numeric_property_fn property;
} tcmalloc_state;

static inline size_t at_least_quantum(size_t size) {
    return size < HL_ALLOC_ALIGNMENT ? HL_ALLOC_ALIGNMENT : size;
}

static void *tcmalloc_create(const char **error) {
    tcmalloc_state s = {
        .malloc = (tc_malloc_fn)dlsym(RTLD_DEFAULT, "tc_malloc"),
        .free_sized = (tc_free_sized_fn)dlsym(RTLD_DEFAULT, "tc_free_sized"),
        .realloc = (tc_realloc_fn)dlsym(RTLD_DEFAULT, "tc_realloc"),
        .property = (numeric_property_fn)dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty"),
    };
    if (s.malloc == NULL || s.free_sized == NULL || s.realloc == NULL || s.property == NULL) {
        *error = "allocator tcmalloc: tc_malloc/tc_free_sized/tc_realloc/"
                 "MallocExtension_GetNumericProperty not found; libtcmalloc_minimal must be "
                 "preloaded (call hl_allocator_prepare_process)";
        return NULL;
    }
    tcmalloc_state *state = s.malloc(sizeof *state);
    if (state == NULL) {
        *error = "allocator tcmalloc: out of memory";
        return NULL;
    }
    *state = s;
    return state;
}

static void tcmalloc_destroy(void *state) {
    tcmalloc_state *s = state;
    s->free_sized(s, sizeof *s);
}

static void *tcmalloc_alloc(void *state, size_t size) {
    tcmalloc_state *s = state;
    return s->malloc(at_least_quantum(size));
}

static void tcmalloc_free(void *state, void *ptr, size_t size) {
    tcmalloc_state *s = state;
    s->free_sized(ptr, at_least_quantum(size));
}

static void *tcmalloc_realloc(void *state, void *ptr, size_t old_size, size_t new_size) {
    tcmalloc_state *s = state;
    (void)old_size;
    return s->realloc(ptr, at_least_quantum(new_size));
}

static size_t tcmalloc_resident(void *state) {
    tcmalloc_state *s = state;
    size_t heap = 0, unmapped = 0;
    if (!s->property("generic.heap_size", &heap)) return 0;
    if (!s->property("tcmalloc.pageheap_unmapped_bytes", &unmapped)) unmapped = 0;
    return heap > unmapped ? heap - unmapped : 0;
}

/* tc_version gives "gperftools 2.10"; the number alone is kept, formatted once under
 * call_once into a buffer never written again. */
static char version_buffer[32];
static once_flag version_once = ONCE_FLAG_INIT;

static void format_version(void) {
    tc_version_fn version = (tc_version_fn)dlsym(RTLD_DEFAULT, "tc_version");
    if (version == NULL) {
        snprintf(version_buffer, sizeof version_buffer, "%s", HEAPLAB_TCMALLOC_VERSION);
        return;
    }
    int major = 0, minor = 0;
    const char *patch = NULL;
    version(&major, &minor, &patch);
    snprintf(version_buffer, sizeof version_buffer, "%d.%d%s", major, minor,
             patch != NULL ? patch : "");
}

/* The loaded library's version, or the version of the file the build would preload. */
static const char *tcmalloc_version(void) {
    call_once(&version_once, format_version);
    return version_buffer;
}

const hl_allocator_ops hl_tcmalloc_allocator = {
    .name = "tcmalloc",
    .summary = "Debian gperftools libtcmalloc_minimal via LD_PRELOAD (serves the whole process; "
               "object heap via tc_malloc/tc_free_sized/tc_realloc)",
    .preload = HEAPLAB_TCMALLOC_SO,
    .preload_symbol = "tc_malloc",
    .create = tcmalloc_create,
    .destroy = tcmalloc_destroy,
    .alloc = tcmalloc_alloc,
    .free = tcmalloc_free,
    .realloc = tcmalloc_realloc,
    .resident_bytes = tcmalloc_resident,
    .version = tcmalloc_version,
};
