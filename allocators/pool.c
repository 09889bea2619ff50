/* `pool`: a small-object allocator in the style of CPython's obmalloc.
 *
 * The data layout, from the largest piece down:
 *
 *   arena  2 MiB from mmap, aligned to 2 MiB (we map 4 MiB and trim the ends) and
 *          advised MADV_HUGEPAGE, cut into 128 pools. (obmalloc's arena is 1 MiB; 2 MiB
 *          is what CPython's huge-page option makes it, gh-144319, so that one huge page
 *          backs a whole arena. We ask for transparent huge pages rather than
 *          MAP_HUGETLB, which needs a reserved pool this machine does not have.) The arena's header sits at the very start of the arena, and its
 *          first member is pool 0's header, so pool 0 stays an ordinary pool whose
 *          blocks simply start a little later.
 *   pool   16 KiB, aligned to 16 KiB, serving one size class. A header at its start
 *          (allocated-block count, LIFO free list, carving cursor, class, list links),
 *          then blocks of the class size back to back.
 *   block  a multiple of 16 bytes; classes are 16, 32, ..., 512 (class i holds requests
 *          of 16*i+1 .. 16*(i+1) bytes). Every block is 16-byte aligned because pools
 *          are, headers are padded to 64, and block sizes are multiples of 16; a block
 *          whose size is a multiple of 64 lies in whole cache lines.
 *
 *     arena (2 MiB)                    pool (16 KiB)
 *     +--------+--------+-----+        +--------+-------+-------+-----+------------+
 *     | pool 0 | pool 1 | ... |        | header | block | block | ... | not carved |
 *     +--------+--------+-----+        +--------+-------+-------+-----+------------+
 *
 * Finding things by address: a block's pool is the block's address rounded down to
 * 16 KiB, and a pool's arena is its address rounded down to 2 MiB. No lookup table.
 *
 * Pools. A pool is in one of three states. `used`: some blocks allocated and at least
 * one free; it sits in used_pools[class], the list allocation draws from (at its
 * head). `full`: no free block; it is in no list, and its first free puts it back at
 * the END of used_pools. (obmalloc puts it at the front. Under churn, where frees land
 * in random, mostly full pools, that makes every pair a transition: the free relists
 * the pool at the front, the next allocation takes its one block and unlists it again.
 * At the back, a pool gathers the blocks freed into it while the pools ahead are used
 * up, and is then drained in one go: the list work is amortised over many blocks.
 * This took the churn benchmark from 15.8 to about 5 ns per pair.)
 * `empty`: no block allocated; it goes back to its arena's free_pools list and may later
 * serve any class. Freed blocks go on the pool's LIFO free list, whose link lives in
 * the freed block itself, and are reused first. Blocks are carved lazily, one at a
 * time, as obmalloc does: when the free list runs dry, the next never-used block (if
 * any) becomes the list's only entry, so a fresh pool never touches pages it does not
 * need. Invariant: a pool in used_pools has free_block != NULL, so the allocation fast
 * path is "pop the head pool's free list", and "full" is simply free_block == NULL.
 *
 * Arenas. An arena has `free_pools` counting both emptied pools and never-carved ones.
 * Arenas with at least one free pool wait in buckets indexed by that count. A new pool
 * comes from the arena with the fewest free pools, as obmalloc does: allocation packs
 * into the fullest arenas so that the emptiest ones get the chance to drain completely.
 * An arena whose pools are all free stays mapped as a spare (in buckets[POOLS_PER_ARENA]),
 * and arenas go back to the OS only at destroy. The allocator lives for the whole
 * process (the harness makes one instance for every iteration), so a spare is what
 * lets the next iteration build its structure without mapping and faulting the same
 * pages in again: the process heaps of libc, jemalloc and mimalloc stay warm the same
 * way. (obmalloc, and this pool until the harness kept one instance, unmaps a wholly
 * free arena at once but for one spare.)
 *
 * Free caches. In front of the pools each class keeps a LIFO stack of up to 64 of its
 * most recently freed blocks (CACHE_MAX), linked through the blocks; allocation pops
 * it first and free pushes onto it, touching neither the pool's header nor its lists.
 * When a class's cache is full, a free goes straight back to the block's pool
 * (block_release: obmalloc's free), so a pool still empties, returns to its arena and
 * may serve another class; at most 64 blocks per class wait in a cache. The caches are
 * CPython's own arrangement in front of obmalloc: its per-type free lists (floats,
 * tuples, lists, ...) keep recently freed objects for the next allocation of the same
 * kind; here the kind is the size class. Under churn the block handed out is one freed
 * a few steps before, still in cache, where the head pool's free list holds blocks
 * freed long ago (the churn benchmark went from 9.5 to about 5 ns per pair;
 * docs/allocators.md). Cached blocks count as allocated in their pools and as free to
 * the harness (whose counts are its own). (Giving the cache's newer half back at once
 * when it fills cost a bulk free, such as the drop of a list of 10^6 ints, a second
 * walk of every block: that flush was 8% of large_list/range's samples.)
 *
 * Requests above 512 bytes pass through to libc malloc, and realloc between the two
 * worlds allocates, copies and frees. A realloc that stays within one size class keeps
 * the block.
 *
 * The resident figure is the bytes currently mapped for arenas plus the requested bytes
 * of live pass-through blocks.
 *
 * In an AddressSanitizer build a block is poisoned while it is free (or not yet carved)
 * and unpoisoned to its requested size while allocated, so use-after-free and overflow
 * into a block's padding through this allocator are reported.
 */
#include "allocators/allocator.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ARENA_SIZE ((size_t)2 << 20)
#define POOL_SIZE ((size_t)16 << 10)
#define POOLS_PER_ARENA (ARENA_SIZE / POOL_SIZE)
#define CLASS_STEP ((size_t)16)
#define SMALL_MAX ((size_t)512)
#define CLASS_COUNT (SMALL_MAX / CLASS_STEP)

_Static_assert(CLASS_STEP % HL_ALLOC_ALIGNMENT == 0, "classes must keep 16-byte alignment");

typedef struct pool_header {
    uint32_t allocated;       /* blocks handed out and not freed */
    uint32_t size_class;      /* index into the classes; block size is 16*(class+1) */
    void *free_block;         /* LIFO free list, linked through the blocks; NULL = full */
    uint32_t next_offset;     /* carving cursor: offset of the next never-used block */
    uint32_t max_offset;      /* the last offset at which a whole block still fits */
    struct pool_header *prev; /* used_pools[class] links, or arena free_pools link */
    struct pool_header *next;
} pool_header;

typedef struct pool_arena {
    pool_header pool0;        /* pool 0's header: must stay the first member */
    uint32_t free_pools;      /* empty pools plus never-carved pools */
    uint32_t carved_pools;    /* pools [0, carved_pools) have been initialised once */
    pool_header *empty_pools; /* emptied pools, linked through pool_header.next */
    struct pool_arena *prev;  /* bucket links (arenas with the same free_pools) */
    struct pool_arena *next;
    struct pool_arena *all_prev; /* every mapped arena, for destroy */
    struct pool_arena *all_next;
} pool_arena;

/* Blocks start at a cache-line boundary: a pool's header is padded to 64 bytes, not
 * to 16 as obmalloc pads it. With a 48-byte header every 64-byte block (a record of
 * four slots) would straddle two cache lines, so each random visit of an object would
 * touch two lines; blocks whose size is a multiple of 64 now touch exactly theirs. */
#define CACHE_LINE ((size_t)64)
#define POOL_HEAD_SIZE ((sizeof(pool_header) + CACHE_LINE - 1) & ~(CACHE_LINE - 1))
#define ARENA_HEAD_SIZE ((sizeof(pool_arena) + CACHE_LINE - 1) & ~(CACHE_LINE - 1))

/* A class's free cache: the blocks of that class freed most recently, a LIFO stack
 * linked through the blocks (their pools still count them as allocated). See
 * "Free caches" at the top. */
#define CACHE_MAX 64u
typedef struct class_cache {
    void *head;
    uint32_t count;
} class_cache;

typedef struct pool_state {
    pool_header *used_pools[CLASS_COUNT]; /* allocation draws from the head */
    pool_header *used_tail[CLASS_COUNT];
    /* buckets[n]: arenas with exactly n free pools (n >= 1); full arenas are in none. */
    pool_arena *buckets[POOLS_PER_ARENA + 1];
    pool_arena *all_arenas;
    size_t mapped_bytes;      /* arenas * ARENA_SIZE */
    size_t passthrough_bytes; /* requested bytes of live blocks above SMALL_MAX */
    void *spare_big;          /* the last freed block of at least SPARE_MIN, kept */
    size_t spare_size;        /* the size it was freed with (0: no spare) */
    class_cache cache[CLASS_COUNT]; /* recently freed blocks, reused first */
} pool_state;

static inline size_t class_of(size_t size) {
    return size == 0 ? 0 : (size - 1) / CLASS_STEP;
}
static inline size_t class_block_size(size_t c) {
    return (c + 1) * CLASS_STEP;
}

static inline pool_header *pool_of(void *block) {
    return (pool_header *)((uintptr_t)block & ~(uintptr_t)(POOL_SIZE - 1));
}

static inline pool_arena *arena_of(pool_header *pool) {
    return (pool_arena *)((uintptr_t)pool & ~(uintptr_t)(ARENA_SIZE - 1));
}

/* Where a pool's blocks start: pool 0 shares its space with the arena header. */
static inline size_t pool_first_offset(pool_header *p) {
    return (void *)p == (void *)arena_of(p) ? ARENA_HEAD_SIZE : POOL_HEAD_SIZE;
}

/* --- arena buckets --------------------------------------------------------------- */

static void bucket_unlink(pool_state *s, pool_arena *a) {
    if (a->prev != NULL)
        a->prev->next = a->next;
    else
        s->buckets[a->free_pools] = a->next;
    if (a->next != NULL) a->next->prev = a->prev;
    a->prev = a->next = NULL;
}

static void bucket_push(pool_state *s, pool_arena *a) {
    a->prev = NULL;
    a->next = s->buckets[a->free_pools];
    if (a->next != NULL) a->next->prev = a;
    s->buckets[a->free_pools] = a;
}

/* --- arenas ---------------------------------------------------------------------- */

/* Map one arena aligned to ARENA_SIZE: map twice the size and unmap the slack on both
 * sides. NULL when the OS refuses. */
static pool_arena *arena_map(pool_state *s) {
    unsigned char *raw =
        mmap(NULL, 2 * ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return NULL;
    uintptr_t start = ((uintptr_t)raw + ARENA_SIZE - 1) & ~(uintptr_t)(ARENA_SIZE - 1);
    size_t head = start - (uintptr_t)raw;
    if (head > 0) munmap(raw, head);
    size_t tail = ARENA_SIZE - head;
    if (tail > 0) munmap((unsigned char *)start + ARENA_SIZE, tail);

    pool_arena *a = (pool_arena *)start;
#ifdef MADV_HUGEPAGE
    (void)madvise(a, ARENA_SIZE, MADV_HUGEPAGE);
#endif
    /* Fresh anonymous memory is zero: every header field already reads 0 / NULL. */
    a->free_pools = POOLS_PER_ARENA;
    a->all_next = s->all_arenas;
    if (s->all_arenas != NULL) s->all_arenas->all_prev = a;
    s->all_arenas = a;
    s->mapped_bytes += ARENA_SIZE;
    POISON((unsigned char *)a + ARENA_HEAD_SIZE, ARENA_SIZE - ARENA_HEAD_SIZE);
    bucket_push(s, a);
    return a;
}

/* --- pools ----------------------------------------------------------------------- */

static void used_push(pool_state *s, pool_header *p) {
    pool_header **head = &s->used_pools[p->size_class];
    p->prev = NULL;
    p->next = *head;
    if (*head != NULL)
        (*head)->prev = p;
    else
        s->used_tail[p->size_class] = p;
    *head = p;
}

/* A pool that was full gets a free block: it joins the END of the list. */
static void used_append(pool_state *s, pool_header *p) {
    pool_header **tail = &s->used_tail[p->size_class];
    p->next = NULL;
    p->prev = *tail;
    if (*tail != NULL)
        (*tail)->next = p;
    else
        s->used_pools[p->size_class] = p;
    *tail = p;
}

static void used_unlink(pool_state *s, pool_header *p) {
    if (p->prev != NULL)
        p->prev->next = p->next;
    else
        s->used_pools[p->size_class] = p->next;
    if (p->next != NULL)
        p->next->prev = p->prev;
    else
        s->used_tail[p->size_class] = p->prev;
    p->prev = p->next = NULL;
}

/* The free list of `p` is empty: make the next never-used block its only entry.
 * Returns false when the pool has no room left (it is full). */
static inline bool carve_block(pool_header *p, size_t block_size) {
    if (p->next_offset > p->max_offset) return false;
    void *block = (unsigned char *)p + p->next_offset;
    p->next_offset += (uint32_t)block_size;
    UNPOISON(block, sizeof(void *));
    *(void **)block = NULL;
    POISON(block, sizeof(void *));
    p->free_block = block;
    return true;
}

/* A pool for class `c`, taken from the arena with the fewest free pools (a new arena if
 * none has one), initialised and put in used_pools[c]. NULL when mmap fails. Out of
 * line: it runs once per pool, and inlined it would weigh on the fast path. */
__attribute__((noinline)) static pool_header *pool_take(pool_state *s, size_t c) {
    pool_arena *a = NULL;
    for (size_t n = 1; n <= POOLS_PER_ARENA && a == NULL; n++)
        a = s->buckets[n];
    if (a == NULL && (a = arena_map(s)) == NULL) return NULL;

    pool_header *p;
    if (a->empty_pools != NULL) {
        p = a->empty_pools;
        a->empty_pools = p->next;
    } else {
        p = (pool_header *)((unsigned char *)a + a->carved_pools * POOL_SIZE);
        a->carved_pools++;
    }
    bucket_unlink(s, a);
    a->free_pools--;
    if (a->free_pools > 0) bucket_push(s, a);

    UNPOISON(p, sizeof(pool_header));
    size_t head = pool_first_offset(p);
    size_t block = class_block_size(c);
    p->allocated = 0;
    p->size_class = (uint32_t)c;
    p->free_block = NULL;
    p->next_offset = (uint32_t)head;
    p->max_offset = (uint32_t)(POOL_SIZE - block);
    carve_block(p, block);
    used_push(s, p);
    return p;
}

/* Pool `p` has just become empty: give it back to its arena (which stays mapped even
 * when all its pools are free: a spare). */
static void pool_release(pool_state *s, pool_header *p) {
    pool_arena *a = arena_of(p);
    used_unlink(s, p);
    size_t first = pool_first_offset(p);
    POISON((unsigned char *)p + first, POOL_SIZE - first);
    p->next = a->empty_pools;
    a->empty_pools = p;
    if (a->free_pools > 0) bucket_unlink(s, a); /* a full arena is in no bucket */
    a->free_pools++;
    bucket_push(s, a); /* a wholly free arena stays as a spare */
}

/* --- the interface --------------------------------------------------------------- */

static void *pool_create(const char **error) {
    pool_state *s = calloc(1, sizeof *s);
    if (s == NULL) *error = "allocator pool: out of memory";
    return s;
}

static void pool_destroy(void *state) {
    pool_state *s = state;
    while (s->all_arenas != NULL) {
        pool_arena *a = s->all_arenas;
        s->all_arenas = a->all_next;
        UNPOISON(a, ARENA_SIZE);
        munmap(a, ARENA_SIZE);
    }
    free(s->spare_big);
    free(s);
}

/* The spare large block: the last freed pass-through block of at least SPARE_MIN bytes
 * is kept (one block, not a cache) and handed back to the next request it fits
 * without wasting more than half of it, as a wholly free arena is kept as a spare.
 * Without it, a program that frees and allocates one big array per iteration (the
 * list of large_list/repeat, 8 MB) is at the mercy of glibc's heap trimming: when
 * another of the process's blocks freed after it joins the heap's top, glibc gives
 * the top back to the OS and the next array faults its pages in again (seen: 120
 * faults per iteration in some processes and none in others, the same binary). */
#define SPARE_MIN ((size_t)1 << 20)

/* Requests above SMALL_MAX go to libc; kept out of line so that the small-block fast
 * paths below stay small. */
__attribute__((noinline)) static void *passthrough_alloc(pool_state *s, size_t size) {
    void *p;
    if (s->spare_size >= size && s->spare_size / 2 <= size) {
        p = s->spare_big;
        s->spare_big = NULL;
        s->spare_size = 0;
    } else {
        p = malloc(size);
    }
    if (p != NULL) s->passthrough_bytes += size;
    return p;
}

__attribute__((noinline)) static void passthrough_free(pool_state *s, void *ptr, size_t size) {
    s->passthrough_bytes -= size;
    if (size < SPARE_MIN) {
        free(ptr);
        return;
    }
    free(s->spare_big); /* the older spare, if any, goes back to glibc */
    s->spare_big = ptr; /* not poisoned: to ASan it stays glibc's live block */
    s->spare_size = size;
}

static void *pool_alloc(void *state, size_t size) {
    pool_state *s = state;
    if (size > SMALL_MAX) return passthrough_alloc(s, size);
    size_t c = class_of(size);
    class_cache *cc = &s->cache[c];
    if (cc->head != NULL) { /* the block of this class freed last */
        void *block = cc->head;
        UNPOISON(block, sizeof(void *));
        cc->head = *(void **)block;
        cc->count--;
        POISON(block, class_block_size(c));
        UNPOISON(block, size);
        return block;
    }
    pool_header *p = s->used_pools[c];
    if (p == NULL && (p = pool_take(s, c)) == NULL) return NULL;

    /* A pool in used_pools always has a free block (the invariant above). */
    void *block = p->free_block;
    UNPOISON(block, sizeof(void *));
    void *next = *(void **)block;
    p->free_block = next;
    p->allocated++;
    if (next == NULL && !carve_block(p, class_block_size(c))) used_unlink(s, p); /* full */
    POISON(block, class_block_size(c));
    UNPOISON(block, size);
    return block;
}

/* The block goes back to its pool: obmalloc's free. */
static void block_release(pool_state *s, void *ptr) {
    pool_header *p = pool_of(ptr);
    void *head = p->free_block;
    UNPOISON(ptr, sizeof(void *));
    *(void **)ptr = head;
    p->free_block = ptr;
    POISON(ptr, class_block_size(p->size_class));
    if (head == NULL) used_append(s, p); /* was full: usable again, at the back */
    if (--p->allocated == 0) pool_release(s, p);
}

static void pool_free(void *state, void *ptr, size_t size) {
    pool_state *s = state;
    if (size > SMALL_MAX) {
        passthrough_free(s, ptr, size);
        return;
    }
    size_t c = class_of(size);
    assert(pool_of(ptr)->size_class == c && "pool_free: size does not match the block's class");
    class_cache *cc = &s->cache[c];
    /* The push is the straight-line path: laid out the other way round, the drop of
     * 10^6 ints (every free a full cache's) ran about 20% slower, measured. */
    if (__builtin_expect(cc->count >= CACHE_MAX, 0)) { /* full: straight back to the pool */
        block_release(s, ptr);
        return;
    }
    UNPOISON(ptr, sizeof(void *));
    *(void **)ptr = cc->head;
    POISON(ptr, class_block_size(c));
    cc->head = ptr;
    cc->count++;
}

static void *pool_realloc(void *state, void *ptr, size_t old_size, size_t new_size) {
    pool_state *s = state;
    bool old_small = old_size <= SMALL_MAX, new_small = new_size <= SMALL_MAX;
    if (old_small && new_small && class_of(old_size) == class_of(new_size)) {
        /* Same class: the block already has room. */
        POISON(ptr, class_block_size(class_of(old_size)));
        UNPOISON(ptr, new_size);
        return ptr;
    }
    if (!old_small && !new_small) {
        void *p = realloc(ptr, new_size);
        if (p == NULL) return NULL;
        s->passthrough_bytes += new_size - old_size; /* wraps correctly when shrinking */
        return p;
    }
    void *p = pool_alloc(s, new_size);
    if (p == NULL) return NULL;
    memcpy(p, ptr, old_size < new_size ? old_size : new_size);
    pool_free(s, ptr, old_size);
    return p;
}

static size_t pool_resident(void *state) {
    pool_state *s = state;
    return s->mapped_bytes + s->passthrough_bytes + s->spare_size;
}

static const char *pool_version(void) {
    return NULL;
}

const hl_allocator_ops hl_pool_allocator = {
    .name = "pool",
    .summary = "obmalloc-style size classes <= 512 B in 16 KiB pools in 2 MiB huge-page arenas, "
               "larger via libc (serves the object heap only)",
    .preload = NULL,
    .preload_symbol = NULL,
    .create = pool_create,
    .destroy = pool_destroy,
    .alloc = pool_alloc,
    .free = pool_free,
    .realloc = pool_realloc,
    .resident_bytes = pool_resident,
    .version = pool_version,
};
