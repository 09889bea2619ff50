/* The allocator conformance suite: `test_allocators NAME` runs every check against the
 * backend NAME, and ctest runs it once per registered backend.
 *
 * What must hold for every backend: 16-byte alignment for every size from 1 byte to
 * 1 MiB; contents survive until freed; reallocation keeps contents, growing and
 * shrinking, within a size class, across classes and to and from the large path;
 * statistics are exact (allocation, free and reallocation counts, live bytes back to
 * zero, peak); the heap limit and the injected failure refuse exactly the requests they
 * should, return NULL, count a failure and leave the old block intact; a randomized
 * run of allocate / reallocate / free with content checks. Then what each backend
 * promises on its own: the preloaded libraries really are loaded and report a resident
 * figure; pool's and bump's own promises are tests/test_allocator_promises.c.
 *
 * The program calls hl_allocator_prepare_process first, as every heaplab program
 * does, so for jemalloc and mimalloc it re-executes itself with the library preloaded.
 * HEAPLAB_TEST_SEED=N replays a randomized run.
 */
#include "allocators/allocator.h"
#include "tests/check.h"
#include "tests/test_allocators.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const hl_allocator_ops *backend;

#if defined(__SANITIZE_ADDRESS__)
/* The allocator layer's contract is NULL on failure; ASan's malloc must honour it too
 * (by default it aborts on an impossible request), or the limit tests cannot run. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "allocator_may_return_null=1";
}
#endif

/* A fresh instance per check group, so counts start at zero. */
void ta_start(hl_allocator *a) {
    const char *err = NULL;
    bool ok = hl_allocator_init(a, backend, &err);
    if (!ok) fprintf(stderr, "cannot start %s: %s\n", backend->name, err ? err : "?");
    REQUIRE(ok);
}

static uint8_t pattern_byte(uint64_t seed, size_t i) {
    return (uint8_t)(seed * 131u + i * 7u + (i >> 8) + 1u);
}

void ta_fill(void *p, size_t n, uint64_t seed) {
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = pattern_byte(seed, i);
}

/* The first n bytes carry the pattern `seed`. */
bool ta_intact(const void *p, size_t n, uint64_t seed) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != pattern_byte(seed, i)) return false;
    return true;
}

static bool aligned(const void *p) {
    return ((uintptr_t)p % HL_ALLOC_ALIGNMENT) == 0;
}

/* xorshift64*: a small reproducible generator for the randomized checks. */
static uint64_t next_random(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* --- the registry ---------------------------------------------------------------- */

/* A family (preload:PATH): found only bound, the same backend for the same spelling,
 * runnable, labelled without a '/'; a missing parameter is refused with a reason. */
static void test_family(const hl_allocator_ops *family) {
    CHECK(family->parameter != NULL && family->example != NULL);
    CHECK(!hl_allocator_runnable(family));
    char spelling[4200];
    const char *why = NULL;
    snprintf(spelling, sizeof spelling, "%s:", family->name);
    CHECK(hl_allocator_lookup(spelling, &why) == NULL && why != NULL && why[0] != '\0');
    snprintf(spelling, sizeof spelling, "%s:%s", family->name, family->example);
    const hl_allocator_ops *bound = hl_allocator_lookup(spelling, &why);
    REQUIRE(bound != NULL);
    CHECK(why == NULL);
    CHECK(hl_allocator_find(spelling) == bound && hl_allocator_find(bound->name) == bound);
    CHECK(hl_allocator_runnable(bound) && bound->preload != NULL);
    const char *label = hl_allocator_label(bound);
    CHECK_MSG(label != NULL && label[0] != '\0' && strchr(label, '/') == NULL, "label '%s'",
              label ? label : "(null)");
}

static void test_registry(void) {
    CHECK(hl_allocator_find(backend->name) == backend);
    CHECK(hl_allocator_find("no-such-allocator") == NULL);
    CHECK(hl_allocator_find(NULL) == NULL);
    const char *names = hl_allocator_names();
    size_t n = 0, name_chars = 0;
    for (; hl_allocator_registry[n] != NULL; n++) {
        const hl_allocator_ops *o = hl_allocator_registry[n];
        CHECK(o->name != NULL && o->summary != NULL && o->create != NULL && o->destroy != NULL &&
              o->alloc != NULL && o->free != NULL && o->realloc != NULL && o->version != NULL);
        CHECK((o->preload == NULL) == (o->preload_symbol == NULL));
        CHECK_MSG(hl_allocator_find(o->name) == (hl_allocator_runnable(o) ? o : NULL),
                  "duplicate name %s", o->name);
        CHECK_MSG(strstr(names, o->name) != NULL, "%s missing from '%s'", o->name, names);
        name_chars += strlen(o->name) + (o->parameter != NULL ? 1 + strlen(o->parameter) : 0);
        if (o->bind != NULL) test_family(o);
    }
    /* DESIGN.md's five, at least; and the list is exactly the names, ", "-separated. */
    CHECK(n >= 5);
    CHECK(strlen(names) == name_chars + 2 * (n - 1));
    for (const char *required = "libc\0jemalloc\0mimalloc\0pool\0bump\0"; *required;
         required += strlen(required) + 1)
        CHECK_MSG(hl_allocator_find(required) != NULL, "%s not registered", required);
}

/* --- alignment, sizes, contents, counts ------------------------------------------- */

/* Every size 1..1100 (all of pool's classes and both sides of its 512-byte edge), then
 * powers of two and their neighbours up to 1 MiB. */
static size_t test_sizes(size_t *out, size_t cap) {
    size_t n = 0;
    for (size_t s = 1; s <= 1100 && n < cap; s++)
        out[n++] = s;
    for (size_t p = 2 * KIB; p <= MIB && n + 3 <= cap; p *= 2) {
        out[n++] = p - 1;
        out[n++] = p;
        if (p < MIB) out[n++] = p + 1;
    }
    return n;
}

static void test_sizes_alignment_contents(void) {
    hl_allocator a;
    ta_start(&a);
    static size_t sizes[1200];
    static void *blocks[1200];
    size_t n = test_sizes(sizes, 1200);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        blocks[i] = hl_alloc(&a, sizes[i]);
        CHECK_MSG(blocks[i] != NULL, "size %zu", sizes[i]);
        if (blocks[i] == NULL) continue;
        CHECK_MSG(aligned(blocks[i]), "size %zu at %p", sizes[i], blocks[i]);
        ta_fill(blocks[i], sizes[i], i);
        total += sizes[i];
    }
    hl_alloc_stats st;
    hl_allocator_stats(&a, &st);
    CHECK(st.live_bytes == total);
    CHECK(st.peak_bytes == total);
    CHECK(st.allocs == n);
    CHECK(st.frees == 0);
    CHECK(st.failures == 0);
    /* All blocks were live together, so no block may have overwritten another. */
    for (size_t i = 0; i < n; i++)
        if (blocks[i] != NULL) CHECK_MSG(ta_intact(blocks[i], sizes[i], i), "size %zu", sizes[i]);
    for (size_t i = 0; i < n; i += 2)
        hl_free(&a, blocks[i], sizes[i]);
    /* Refill the freed half: reused memory must not clobber the survivors. */
    for (size_t i = 0; i < n; i += 2) {
        blocks[i] = hl_alloc(&a, sizes[i]);
        CHECK(blocks[i] != NULL && aligned(blocks[i]));
        if (blocks[i] != NULL) ta_fill(blocks[i], sizes[i], i + 7777);
    }
    for (size_t i = 0; i < n; i++)
        if (blocks[i] != NULL)
            CHECK_MSG(ta_intact(blocks[i], sizes[i], i % 2 == 0 ? i + 7777 : i), "size %zu",
                      sizes[i]);
    for (size_t i = 0; i < n; i++)
        hl_free(&a, blocks[i], sizes[i]);
    hl_allocator_stats(&a, &st);
    CHECK(st.live_bytes == 0);
    CHECK(st.peak_bytes == total);
    CHECK(st.allocs == n + (n + 1) / 2);
    CHECK(st.frees == st.allocs);
    hl_allocator_fini(&a);
}

/* --- reallocation ---------------------------------------------------------------- */

static void test_realloc_chain(void) {
    /* Grow and shrink through one class, across classes, across pool's 512-byte edge,
     * into and out of the large path, up to 1 MiB and back. */
    static const size_t chain[] = {1,   8,   15,  16,      17,  31,  32,  100,      500,
                                   512, 513, 600, 4 * KIB, 100, 512, 700, 65 * KIB, MIB,
                                   300, 513, 32,  5,       1,   MIB, 1};
    hl_allocator a;
    ta_start(&a);
    size_t size = chain[0];
    uint8_t *p = hl_alloc(&a, size);
    REQUIRE(p != NULL);
    ta_fill(p, size, 0);
    size_t peak = size;
    for (size_t i = 1; i < sizeof chain / sizeof chain[0]; i++) {
        size_t next = chain[i];
        uint8_t *q = hl_realloc(&a, p, size, next);
        CHECK_MSG(q != NULL, "%zu -> %zu", size, next);
        if (q == NULL) break;
        CHECK_MSG(aligned(q), "%zu -> %zu", size, next);
        CHECK_MSG(ta_intact(q, size < next ? size : next, i - 1), "%zu -> %zu", size, next);
        ta_fill(q, next, i);
        p = q;
        size = next;
        if (size > peak) peak = size;
        hl_alloc_stats st;
        hl_allocator_stats(&a, &st);
        CHECK(st.live_bytes == size);
    }
    hl_free(&a, p, size);
    hl_alloc_stats st;
    hl_allocator_stats(&a, &st);
    CHECK(st.live_bytes == 0);
    CHECK(st.peak_bytes == peak);
    CHECK(st.allocs == 1);
    CHECK(st.frees == 1);
    CHECK(st.reallocs == sizeof chain / sizeof chain[0] - 1);
    hl_allocator_fini(&a);
}

/* Reallocating one of many live blocks must not disturb its neighbours. */
static void test_realloc_neighbours(void) {
    hl_allocator a;
    ta_start(&a);
    enum { N = 64 };
    uint8_t *blocks[N];
    size_t sizes[N];
    for (size_t i = 0; i < N; i++) {
        sizes[i] = 24 + i % 5;
        blocks[i] = hl_alloc(&a, sizes[i]);
        REQUIRE(blocks[i] != NULL);
        ta_fill(blocks[i], sizes[i], i);
    }
    for (size_t i = 0; i < N; i += 3) {
        size_t next = i % 2 ? 2000 : 40;
        uint8_t *q = hl_realloc(&a, blocks[i], sizes[i], next);
        REQUIRE(q != NULL);
        CHECK(ta_intact(q, sizes[i], i));
        ta_fill(q, next, i);
        blocks[i] = q;
        sizes[i] = next;
    }
    for (size_t i = 0; i < N; i++) {
        CHECK_MSG(ta_intact(blocks[i], sizes[i], i), "block %zu", i);
        hl_free(&a, blocks[i], sizes[i]);
    }
    hl_alloc_stats st;
    hl_allocator_stats(&a, &st);
    CHECK(st.live_bytes == 0);
    CHECK(st.frees == N);
    hl_allocator_fini(&a);
}

/* --- refusals: the heap limit and the injected failure ---------------------------- */

static void test_limit(void) {
    hl_allocator a;
    ta_start(&a);
    a.limit_bytes = 1000;
    uint8_t *p = hl_alloc(&a, 600);
    REQUIRE(p != NULL);
    ta_fill(p, 600, 1);
    CHECK(hl_alloc(&a, 401) == NULL); /* 600 + 401 > 1000 */
    hl_alloc_stats st;
    hl_allocator_stats(&a, &st);
    CHECK(st.failures == 1);
    CHECK(st.allocs == 1);
    CHECK(st.live_bytes == 600);
    void *q = hl_alloc(&a, 400); /* exactly at the limit is allowed */
    CHECK(q != NULL);
    CHECK(hl_realloc(&a, p, 600, 601) == NULL); /* growing past the limit */
    CHECK(ta_intact(p, 600, 1));
    hl_allocator_stats(&a, &st);
    CHECK(st.failures == 2);
    CHECK(st.live_bytes == 1000);
    p = hl_realloc(&a, p, 600, 100); /* shrinking is always allowed */
    CHECK(p != NULL);
    if (p != NULL) CHECK(ta_intact(p, 100, 1));
    hl_free(&a, q, 400);
    hl_free(&a, p, 100);
    hl_allocator_stats(&a, &st);
    CHECK(st.live_bytes == 0);
    CHECK(st.peak_bytes == 1000);
    /* A request larger than the whole limit, and one whose size would overflow. */
    CHECK(hl_alloc(&a, 1001) == NULL);
    CHECK(hl_alloc(&a, SIZE_MAX) == NULL);
    a.limit_bytes = 0;
    /* Without a limit an impossible request still fails cleanly: NULL, not an abort. */
    CHECK(hl_alloc(&a, SIZE_MAX - 4096) == NULL);
    hl_allocator_stats(&a, &st);
    CHECK(st.failures == 5);
    hl_allocator_fini(&a);
}

static void test_fail_at(void) {
    /* For each N, the Nth attempt fails and only it, as SQLite's fault tests do.
     * Attempts 1-5 are allocations, 6 is a growing realloc, a shrinking realloc is not
     * an attempt, and 7 is one more allocation. */
    for (uint64_t n = 1; n <= 7; n++) {
        hl_allocator a;
        ta_start(&a);
        a.fail_at = n;
        void *blocks[6] = {0};
        size_t sizes[6] = {48, 48, 48, 48, 48, 48};
        uint64_t failed = 0;
        for (uint64_t k = 1; k <= 5; k++) {
            blocks[k] = hl_alloc(&a, sizes[k]);
            if (blocks[k] != NULL) {
                ta_fill(blocks[k], sizes[k], k);
                continue;
            }
            failed++;
            CHECK_MSG(k == n, "attempt %llu failed with fail_at %llu", (unsigned long long)k,
                      (unsigned long long)n);
        }
        size_t g = blocks[1] != NULL ? 1 : 2;
        void *q = hl_realloc(&a, blocks[g], sizes[g], 96);
        if (q == NULL) {
            failed++;
            CHECK_MSG(n == 6, "growing realloc failed with fail_at %llu", (unsigned long long)n);
            CHECK(ta_intact(blocks[g], sizes[g], g));
        } else {
            blocks[g] = q;
            sizes[g] = 96;
        }
        q = hl_realloc(&a, blocks[g], sizes[g], 16);
        CHECK(q != NULL);
        if (q != NULL) {
            blocks[g] = q;
            sizes[g] = 16;
        }
        blocks[0] = hl_alloc(&a, sizes[0]);
        if (blocks[0] == NULL) {
            failed++;
            CHECK_MSG(n == 7, "attempt 7 failed with fail_at %llu", (unsigned long long)n);
        }
        CHECK(failed == 1);
        CHECK(a.attempts == 7);
        hl_alloc_stats st;
        hl_allocator_stats(&a, &st);
        CHECK(st.failures == 1);
        for (size_t k = 0; k <= 5; k++)
            hl_free(&a, blocks[k], sizes[k]);
        hl_allocator_stats(&a, &st);
        CHECK(st.live_bytes == 0);
        CHECK(st.allocs == st.frees);
        CHECK(st.allocs == (n == 6 ? 6u : 5u)); /* six allocations, one refused unless n is 6 */
        hl_allocator_fini(&a);
    }
}

/* --- randomized stress ------------------------------------------------------------ */

/* Mostly small objects, like an object heap; some medium, a few up to 1 MiB. */
static size_t random_size(uint64_t *rng) {
    uint64_t r = next_random(rng);
    uint64_t pick = r % 10000;
    r >>= 16;
    if (pick < 9000) return 1 + r % 512;
    if (pick < 9990) return 513 + r % (16 * KIB);
    return 1 + r % MIB;
}

static void test_random(uint64_t seed) {
    enum { SLOTS = 1024, OPS = 60000 };
    hl_allocator a;
    ta_start(&a);
    static uint8_t *ptr[SLOTS];
    static size_t size[SLOTS];
    static uint64_t tag[SLOTS];
    memset(ptr, 0, sizeof ptr);
    uint64_t rng = seed ? seed : 1;
    uint64_t allocs = 0, frees = 0, reallocs = 0, next_tag = 1;
    size_t live = 0, peak = 0;
    int bad = 0;
    for (int op = 0; op < OPS && bad < 10; op++) {
        size_t i = next_random(&rng) % SLOTS;
        if (ptr[i] == NULL) {
            size_t n = random_size(&rng);
            ptr[i] = hl_alloc(&a, n);
            if (ptr[i] == NULL) {
                CHECK_MSG(0, "alloc %zu failed (seed %llu op %d)", n, (unsigned long long)seed, op);
                bad++;
                continue;
            }
            if (!aligned(ptr[i])) {
                CHECK_MSG(0, "misaligned %zu", n);
                bad++;
            }
            size[i] = n;
            tag[i] = next_tag++;
            ta_fill(ptr[i], n, tag[i]);
            allocs++;
            live += n;
        } else if (!ta_intact(ptr[i], size[i], tag[i])) {
            CHECK_MSG(0, "block of %zu corrupted (seed %llu op %d)", size[i],
                      (unsigned long long)seed, op);
            bad++;
        } else if (next_random(&rng) % 3 == 0) {
            size_t n = random_size(&rng);
            uint8_t *q = hl_realloc(&a, ptr[i], size[i], n);
            if (q == NULL) {
                CHECK_MSG(0, "realloc %zu -> %zu failed", size[i], n);
                bad++;
                continue;
            }
            if (!ta_intact(q, size[i] < n ? size[i] : n, tag[i])) {
                CHECK_MSG(0, "realloc %zu -> %zu lost contents (seed %llu op %d)", size[i], n,
                          (unsigned long long)seed, op);
                bad++;
            }
            if (!aligned(q)) {
                CHECK_MSG(0, "misaligned realloc %zu", n);
                bad++;
            }
            live = live - size[i] + n;
            ptr[i] = q;
            size[i] = n;
            tag[i] = next_tag++;
            ta_fill(q, n, tag[i]);
            reallocs++;
        } else {
            hl_free(&a, ptr[i], size[i]);
            live -= size[i];
            ptr[i] = NULL;
            frees++;
        }
        if (live > peak) peak = live;
    }
    hl_alloc_stats st;
    hl_allocator_stats(&a, &st);
    CHECK(st.live_bytes == live);
    CHECK(st.peak_bytes == peak);
    CHECK(st.allocs == allocs);
    CHECK(st.frees == frees);
    CHECK(st.reallocs == reallocs);
    CHECK(st.failures == 0);
    for (size_t i = 0; i < SLOTS; i++) {
        if (ptr[i] == NULL) continue;
        CHECK(ta_intact(ptr[i], size[i], tag[i]));
        hl_free(&a, ptr[i], size[i]);
        ptr[i] = NULL;
    }
    hl_allocator_stats(&a, &st);
    CHECK(st.live_bytes == 0);
    CHECK(st.allocs == st.frees);
    hl_allocator_fini(&a);
}

/* --- what each backend promises on its own ---------------------------------------- */

/* The file that defines the `malloc` this process calls. */
static const char *malloc_provider(void) {
    Dl_info info;
    void *(*m)(size_t) = malloc;
    if (dladdr((void *)m, &info) == 0 || info.dli_fname == NULL) return "?";
    return info.dli_fname;
}

static bool same_file(const char *a, const char *b) {
    char ra[PATH_MAX], rb[PATH_MAX];
    if (realpath(a, ra) == NULL || realpath(b, rb) == NULL) return false;
    return strcmp(ra, rb) == 0;
}

static void test_preloaded(void) {
    if (backend->preload_symbol != NULL) {
        void *sym = dlsym(RTLD_DEFAULT, backend->preload_symbol);
        REQUIRE(sym != NULL);
        /* ... and it comes from the file the build chose. */
        Dl_info info;
        CHECK(dladdr(sym, &info) != 0 && info.dli_fname != NULL &&
              same_file(info.dli_fname, backend->preload));
    } else {
        /* preload:PATH has no marker symbol: the file itself is loaded. */
        void *handle = dlopen(backend->preload, RTLD_LAZY | RTLD_NOLOAD);
        CHECK_MSG(handle != NULL, "%s is not loaded", backend->preload);
        if (handle != NULL) dlclose(handle);
    }
    /* prepare_process puts LD_PRELOAD back, so children do not inherit the choice. */
    const char *env = getenv("LD_PRELOAD");
    CHECK_MSG(env == NULL || strstr(env, backend->preload) == NULL, "LD_PRELOAD=%s", env);
    const char *provider = malloc_provider();
#if defined(__SANITIZE_ADDRESS__)
    /* ASan comes first in the preload list and keeps serving malloc. */
    CHECK_MSG(strstr(provider, "libasan") != NULL || strstr(provider, "test_allocators"),
              "malloc from %s", provider);
#else
    /* The library serves the whole process, malloc included. */
    CHECK_MSG(same_file(provider, backend->preload), "malloc from %s, expected %s", provider,
              backend->preload);
#endif
    hl_allocator a;
    ta_start(&a);
    void *blocks[256];
    for (int i = 0; i < 256; i++)
        blocks[i] = hl_alloc(&a, 4000);
    hl_alloc_stats st;
    hl_allocator_stats(&a, &st);
    /* A library with a resident figure reports one; one without (tbbmalloc) says 0. */
    if (backend->resident_bytes != NULL)
        CHECK_MSG(st.resident_bytes > 1000 * 1000, "resident %zu", st.resident_bytes);
    else
        CHECK_MSG(st.resident_bytes == 0, "resident %zu without a figure", st.resident_bytes);
    for (int i = 0; i < 256; i++)
        hl_free(&a, blocks[i], 4000);
    hl_allocator_fini(&a);
    const char *version = backend->version();
    CHECK(version != NULL && version[0] >= '1' && version[0] <= '9');
}

static void test_not_preloaded(void) {
    /* libc, pool and bump must run on glibc's malloc, not an inherited jemalloc. */
    for (size_t i = 0; hl_allocator_registry[i] != NULL; i++) {
        const char *sym = hl_allocator_registry[i]->preload_symbol;
        if (sym != NULL) CHECK_MSG(dlsym(RTLD_DEFAULT, sym) == NULL, "%s is loaded", sym);
    }
#if !defined(__SANITIZE_ADDRESS__)
    const char *provider = malloc_provider();
    CHECK_MSG(strstr(provider, "libc.so") != NULL, "malloc from %s", provider);
#endif
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_allocators ALLOCATOR (one of: %s)\n", hl_allocator_names());
        return 2;
    }
    backend = hl_allocator_find(argv[1]);
    /* A family's bare name (preload): the suite runs on its example on this build. */
    for (size_t i = 0; backend == NULL && hl_allocator_registry[i] != NULL; i++) {
        const hl_allocator_ops *o = hl_allocator_registry[i];
        if (o->bind == NULL || strcmp(o->name, argv[1]) != 0) continue;
        char spelling[4200];
        snprintf(spelling, sizeof spelling, "%s:%s", o->name, o->example);
        backend = hl_allocator_find(spelling);
    }
    if (backend == NULL) {
        fprintf(stderr, "test_allocators: unknown allocator '%s' (one of: %s)\n", argv[1],
                hl_allocator_names());
        return 2;
    }
    const char *err = NULL;
    if (!hl_allocator_prepare_process(backend, argv, &err)) {
        fprintf(stderr, "test_allocators: %s\n", err);
        return 1;
    }
    uint64_t seed = 0x5eed0000u + (uint64_t)strlen(hl_allocator_label(backend));
    const char *seed_env = getenv("HEAPLAB_TEST_SEED");
    if (seed_env != NULL) seed = strtoull(seed_env, NULL, 0);
    printf("test_allocators %s: seed %llu\n", backend->name, (unsigned long long)seed);

    test_registry();
    test_sizes_alignment_contents();
    test_realloc_chain();
    test_realloc_neighbours();
    test_limit();
    test_fail_at();
    for (uint64_t k = 0; k < 3; k++)
        test_random(seed + k);
    if (backend->preload != NULL)
        test_preloaded();
    else
        test_not_preloaded();
    ta_test_backend_promises(backend, &check_failures, &check_count); /* its own file */

    char name[64];
    snprintf(name, sizeof name, "allocators.%s", hl_allocator_label(backend));
    return check_report(name);
}
