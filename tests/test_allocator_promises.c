/* What pool and bump promise on their own, beyond the conformance suite
 * (tests/test_allocators.c): pool keeps its wholly free arenas as spares and reuses
 * them, frees LIFO within a class, bounds its free caches, keeps a spare large block, reuses a full pool's freed block, aligns blocks to
 * cache lines and advises its arenas for huge pages; bump grows its
 * last block in place and rewinds to its chunks. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tests/test_allocators.h"

static void test_pool_keeps_arenas(void) {
    hl_allocator a;
    ta_start(&a);
    hl_alloc_stats st;
    hl_allocator_stats(&a, &st);
    CHECK(st.resident_bytes == 0);
    /* 5 MiB of 64-byte blocks: three 2 MiB arenas. */
    enum { N = 5 * 16384 };
    static void *blocks[N];
    for (size_t i = 0; i < N; i++) {
        blocks[i] = hl_alloc(&a, 64);
        REQUIRE(blocks[i] != NULL);
        ta_fill(blocks[i], 64, i);
    }
    hl_allocator_stats(&a, &st);
    size_t full = st.resident_bytes;
    CHECK_MSG(full >= 5 * MIB, "resident %zu", full);
    CHECK_MSG(full <= 7 * MIB, "resident %zu", full);
    /* Free in an interleaved order so arenas drain unevenly. */
    for (size_t i = 0; i < N; i += 2)
        hl_free(&a, blocks[i], 64);
    for (size_t i = 1; i < N; i += 2) {
        CHECK(ta_intact(blocks[i], 64, i));
        hl_free(&a, blocks[i], 64);
    }
    hl_allocator_stats(&a, &st);
    CHECK(st.live_bytes == 0);
    /* Every wholly free arena stays mapped as a spare (the allocator stays warm for the
     * next iteration); they go back to the OS at destroy. */
    CHECK_MSG(st.resident_bytes == full, "resident after freeing everything: %zu of %zu",
              st.resident_bytes, full);
    /* The spares are reused, not new mappings: the same blocks again map nothing. */
    for (size_t i = 0; i < N; i++) {
        blocks[i] = hl_alloc(&a, 64);
        REQUIRE(blocks[i] != NULL);
    }
    hl_allocator_stats(&a, &st);
    CHECK_MSG(st.resident_bytes == full, "resident %zu after reuse, %zu before", st.resident_bytes,
              full);
    for (size_t i = 0; i < N; i++)
        hl_free(&a, blocks[i], 64);

    /* Large blocks pass through to libc and count in the resident figure. */
    void *big = hl_alloc(&a, 100000);
    hl_allocator_stats(&a, &st);
    CHECK(st.resident_bytes == full + 100000);
    hl_free(&a, big, 100000);

    /* A realloc inside one size class keeps the block. */
    uint8_t *q = hl_alloc(&a, 20);
    REQUIRE(q != NULL);
    ta_fill(q, 20, 3);
    CHECK(hl_realloc(&a, q, 20, 32) == q);
    CHECK(hl_realloc(&a, q, 32, 17) == q);
    CHECK(ta_intact(q, 17, 3));
    uint8_t *r = hl_realloc(&a, q, 17, 33);
    CHECK(r != NULL && r != q);
    if (r != NULL) hl_free(&a, r, 33);
    hl_allocator_fini(&a);
}

static void test_pool_lifo(void) {
    hl_allocator a;
    ta_start(&a);
    void *keep = hl_alloc(&a, 40); /* keeps the pool from emptying and being recycled */
    void *x = hl_alloc(&a, 40);
    void *y = hl_alloc(&a, 40);
    hl_free(&a, x, 40);
    hl_free(&a, y, 40);
    /* LIFO: the most recently freed block comes back first. */
    void *y2 = hl_alloc(&a, 40);
    void *x2 = hl_alloc(&a, 40);
    CHECK(y2 == y);
    CHECK(x2 == x);
    hl_free(&a, x2, 40);
    hl_free(&a, y2, 40);
    hl_free(&a, keep, 40);
    hl_allocator_fini(&a);
}

/* The free caches in front of the pools are bounded (allocators/pool.c, "Free
 * caches"): after 5 MiB of 64-byte blocks are freed, their pools go back to the arenas
 * and serve 128-byte blocks, so the second class maps nothing new. A cache that kept
 * every freed block would keep those pools allocated to 64-byte blocks forever. */
static void test_pool_cache_bounded(void) {
    hl_allocator a;
    ta_start(&a);
    enum { N = 5 * 16384 };
    static void *blocks[N];
    for (size_t i = 0; i < N; i++) {
        blocks[i] = hl_alloc(&a, 64);
        REQUIRE(blocks[i] != NULL);
    }
    hl_alloc_stats st;
    hl_allocator_stats(&a, &st);
    size_t full = st.resident_bytes;
    for (size_t i = 0; i < N; i++)
        hl_free(&a, blocks[i], 64);
    for (size_t i = 0; i < N / 2; i++) {
        blocks[i] = hl_alloc(&a, 128);
        REQUIRE(blocks[i] != NULL);
    }
    hl_allocator_stats(&a, &st);
    CHECK_MSG(st.resident_bytes == full,
              "resident %zu after the same bytes in another class, %zu before: freed pools "
              "were not given back", st.resident_bytes, full);
    for (size_t i = 0; i < N / 2; i++)
        hl_free(&a, blocks[i], 128);
    hl_allocator_fini(&a);
}

/* The spare large block (allocators/pool.c, SPARE_MIN): a freed pass-through block of
 * at least 1 MiB is kept, counted as resident, and handed to the next request it fits
 * without wasting half of it; a smaller request gets glibc's memory. */
static void test_pool_spare_big_block(void) {
    hl_allocator a;
    ta_start(&a);
    hl_alloc_stats st;
    hl_allocator_stats(&a, &st);
    size_t before = st.resident_bytes;
    enum { BIG = 8000000 };
    void *big = hl_alloc(&a, BIG);
    REQUIRE(big != NULL);
    ta_fill(big, BIG, 7);
    hl_free(&a, big, BIG);
    hl_allocator_stats(&a, &st);
    CHECK_MSG(st.resident_bytes == before + BIG, "resident %zu after freeing the big block, %zu before",
              st.resident_bytes, before);
    void *again = hl_alloc(&a, BIG - 4096);
    CHECK_MSG(again == big, "the spare was not reused: %p, then %p", big, again);
    void *other = hl_alloc(&a, BIG / 4); /* too small for a spare: glibc's own */
    REQUIRE(other != NULL);
    CHECK(other != big);
    hl_free(&a, other, BIG / 4);
    hl_free(&a, again, BIG - 4096);
    hl_allocator_fini(&a); /* destroy frees the spare (the ASan build's leak check) */
}

/* A full pool that gets blocks back is used again before any fresh pool is taken: the
 * freed blocks all come back while every block handed out still comes from a pool that
 * was already in use. (Such a pool rejoins the back of its class's list, so the pool
 * being filled at the front is finished first; see allocators/pool.c.) */
static uintptr_t pool_base(const void *p) {
    return (uintptr_t)p & ~(uintptr_t)(16 * 1024 - 1);
}

static void test_pool_full_pool_reused(void) {
    hl_allocator a;
    ta_start(&a);
    enum { N = 2000, EXTRA = 1000 }; /* 48-byte blocks: several full pools of 48 */
    static void *blocks[N + EXTRA];
    for (size_t i = 0; i < N; i++) {
        blocks[i] = hl_alloc(&a, 48);
        REQUIRE(blocks[i] != NULL);
    }
    void *freed[8];
    size_t nfreed = 0;
    for (size_t k = 100; k < N - 400; k += 397) { /* well inside the full pools */
        freed[nfreed++] = blocks[k];
        hl_free(&a, blocks[k], 48);
        blocks[k] = NULL;
    }
    size_t back = 0, n = N;
    while (back < nfreed && n < N + EXTRA) {
        void *p = hl_alloc(&a, 48);
        REQUIRE(p != NULL);
        blocks[n++] = p;
        bool known_pool = false;
        for (size_t i = 0; i < N && !known_pool; i++)
            known_pool = blocks[i] != NULL && pool_base(blocks[i]) == pool_base(p);
        for (size_t f = 0; f < nfreed; f++)
            if (freed[f] == p) {
                back++;
                known_pool = true;
            }
        CHECK_MSG(known_pool, "block %zu (%p) comes from a fresh pool while %zu freed blocks wait",
                  n, p, nfreed - back);
    }
    CHECK_MSG(back == nfreed, "only %zu of %zu freed blocks came back", back, nfreed);
    for (size_t i = 0; i < n; i++)
        if (blocks[i] != NULL) hl_free(&a, blocks[i], 48);
    hl_alloc_stats st;
    hl_allocator_stats(&a, &st);
    CHECK(st.live_bytes == 0);
    CHECK(st.resident_bytes == 2 * MIB); /* one arena, kept as a spare */
    hl_allocator_fini(&a);
}

static void test_bump(void) {
    hl_allocator a;
    ta_start(&a);
    uint8_t *p = hl_alloc(&a, 100);
    REQUIRE(p != NULL);
    ta_fill(p, 100, 9);
    /* The last block grows in place. */
    CHECK(hl_realloc(&a, p, 100, 5000) == p);
    CHECK(ta_intact(p, 100, 9));
    hl_alloc_stats st;
    hl_allocator_stats(&a, &st);
    CHECK(st.resident_bytes == MIB);
    /* A big block gets its own chunk; bumping continues in the current one. */
    void *big = hl_alloc(&a, 3 * MIB);
    uint8_t *after = hl_alloc(&a, 16);
    CHECK(after == p + 5008);
    hl_allocator_stats(&a, &st);
    CHECK(st.resident_bytes >= 4 * MIB + 4096 && st.resident_bytes <= 4 * MIB + 8192);
    /* No rewind while a block is live. */
    CHECK(!hl_allocator_rewind(&a));
    hl_free(&a, big, 3 * MIB);
    hl_free(&a, after, 16);
    hl_free(&a, p, 5000);
    hl_allocator_stats(&a, &st);
    CHECK(st.live_bytes == 0);
    size_t mapped = st.resident_bytes;

    /* Rewind: the same requests again reuse the same chunks and map nothing. */
    for (int round = 0; round < 3; round++) {
        CHECK(hl_allocator_rewind(&a));
        hl_allocator_begin_iteration(&a);
        uint8_t *p2 = hl_alloc(&a, 100);
        REQUIRE(p2 != NULL);
        CHECK(hl_realloc(&a, p2, 100, 5000) == p2);
        void *big2 = hl_alloc(&a, 3 * MIB);
        REQUIRE(big2 != NULL);
        ta_fill(big2, 3 * MIB, 4);
        uint8_t *after2 = hl_alloc(&a, 16);
        CHECK(after2 == p2 + 5008);
        hl_allocator_stats(&a, &st);
        CHECK_MSG(st.resident_bytes == mapped, "round %d: resident %zu, %zu before the rewind",
                  round, st.resident_bytes, mapped);
        CHECK(st.allocs == 3 && st.reallocs == 1 && st.frees == 0);
        CHECK(ta_intact(big2, 3 * MIB, 4));
        hl_free(&a, big2, 3 * MIB);
        hl_free(&a, after2, 16);
        hl_free(&a, p2, 5000);
    }
    hl_allocator_fini(&a);
}

/* pool's blocks start at cache-line boundaries (a 64-byte block is one line, not two),
 * and its arenas are 2 MiB regions advised for transparent huge pages, so that the
 * kernel may back each with one huge page (when THP is not disabled: then the advice
 * is checked in /proc/self/smaps, whose VmFlags show `hg` for MADV_HUGEPAGE). */
static void test_pool_lines_and_huge_pages(void) {
    hl_allocator a;
    ta_start(&a);
    enum { N = 600 }; /* more than two pools of 64-byte blocks */
    static void *blocks[N];
    for (size_t i = 0; i < N; i++) {
        blocks[i] = hl_alloc(&a, 64);
        REQUIRE(blocks[i] != NULL);
        CHECK_MSG((uintptr_t)blocks[i] % 64 == 0, "64-byte block %zu at %p straddles lines", i,
                  blocks[i]);
    }
    void *wide = hl_alloc(&a, 128);
    REQUIRE(wide != NULL);
    CHECK_MSG((uintptr_t)wide % 64 == 0, "128-byte block at %p", wide);
    /* The mapping that holds the first block: 2 MiB aligned, 2 MiB long, advised. */
    uintptr_t where = (uintptr_t)blocks[0];
    FILE *smaps = fopen("/proc/self/smaps", "r");
    REQUIRE(smaps != NULL);
    char line[512];
    bool inside = false, found = false, advised = false;
    while (fgets(line, sizeof line, smaps) != NULL) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
            inside = where >= lo && where < hi;
            if (inside) {
                found = true;
                CHECK_MSG(lo % (2 * MIB) == 0, "arena mapping starts at %lx", lo);
            }
            continue;
        }
        if (inside && strncmp(line, "VmFlags:", 8) == 0) advised = strstr(line, " hg") != NULL;
    }
    fclose(smaps);
    CHECK_MSG(found, "no mapping holds %p", blocks[0]);
    CHECK_MSG(advised, "pool's arena is not advised MADV_HUGEPAGE");
    hl_free(&a, wide, 128);
    for (size_t i = 0; i < N; i++)
        hl_free(&a, blocks[i], 64);
    hl_allocator_fini(&a);
}

void ta_test_backend_promises(const hl_allocator_ops *backend, int *failures, long *checks) {
    if (strcmp(backend->name, "pool") == 0) {
        test_pool_keeps_arenas();
        test_pool_lifo();
        test_pool_cache_bounded();
        test_pool_spare_big_block();
        test_pool_full_pool_reused();
        test_pool_lines_and_huge_pages();
    }
    if (strcmp(backend->name, "bump") == 0) test_bump();
    /* tests/check.h's counters are per file: hand this file's to the report */
    *failures += check_failures;
    *checks += check_count;
}
