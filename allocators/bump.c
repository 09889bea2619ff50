/* `bump`: a region allocator whose free does nothing. It is the floor for allocation
 * cost: an allocation is a pointer increment and a bounds check.
 *
 * Layout. Memory comes from mmap in chunks of at least CHUNK_MIN bytes. Each chunk
 * starts with a small header (the list link and the chunk's size) and the rest is
 * handed out from `top` upwards, each block rounded up to 16 bytes so that every block
 * stays 16-byte aligned:
 *
 *     chunk:  [ header | block | block | ... | block | top -> unused ... ]
 *
 * The state points at the current chunk; when a request does not fit, a new chunk
 * becomes current and the old one is simply abandoned (its tail is wasted: that is the
 * price of a free that does nothing). A request larger than a quarter of CHUNK_MIN gets
 * a chunk of its own, linked behind the current one, so one big block does not throw
 * away the current chunk's free tail.
 *
 * free does nothing. realloc grows or shrinks in place when the block is the last one
 * bumped in the current chunk and the chunk has room; a shrink always stays in place;
 * otherwise it bumps a new block and copies. Everything is unmapped at destroy.
 *
 * Rewind (hl_allocator_rewind, which the harness calls between iterations, when no
 * block is live): every chunk becomes a spare and nothing is current; the next
 * allocation starts again at the beginning of a chunk it already has. A chunk is
 * reused before a new one is mapped: a 1 MiB chunk for an ordinary chunk, the
 * smallest big-enough spare for a big block. An iteration that repeats the last one's
 * requests therefore maps nothing and faults nothing in: the allocator stays warm, and
 * its resident figure stays at the largest iteration's instead of growing with every
 * iteration (a free that does nothing would otherwise leak a whole structure per
 * iteration).
 *
 * The resident figure is the bytes mapped (chunk sizes), touched or not.
 *
 * In an AddressSanitizer build freed blocks are poisoned, so a use after free through
 * this allocator is reported as it would be with malloc.
 */
#include "allocators/allocator.h"

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

#define CHUNK_MIN ((size_t)1 << 20)
#define PAGE ((size_t)4096)

typedef struct bump_chunk {
    struct bump_chunk *next; /* every chunk, newest current first */
    size_t size;             /* bytes mapped, header included */
    /* Blocks start here; padding keeps the first one 16-byte aligned. */
    _Alignas(HL_ALLOC_ALIGNMENT) unsigned char data[];
} bump_chunk;

typedef struct bump_state {
    bump_chunk *chunks;    /* all chunks; the first is the current one */
    unsigned char *top;    /* next free byte in the current chunk */
    unsigned char *end;    /* end of the current chunk */
    unsigned char *last;   /* the last block bumped in the current chunk, or NULL */
    size_t mapped;         /* bytes mapped, for resident_bytes */
    bump_chunk *spare;     /* rewound chunks of CHUNK_MIN bytes, reused first */
    bump_chunk *spare_big; /* rewound chunks of other sizes */
} bump_state;

static inline size_t round_up(size_t n, size_t to) {
    return (n + to - 1) & ~(to - 1);
}

static void *bump_create(const char **error) {
    bump_state *s = calloc(1, sizeof *s);
    if (s == NULL) *error = "allocator bump: out of memory";
    return s;
}

static void unmap_all(bump_chunk *c) {
    for (bump_chunk *next; c != NULL; c = next) {
        next = c->next;
        size_t size = c->size;
        UNPOISON(c, size);
        munmap(c, size);
    }
}

static void bump_destroy(void *state) {
    bump_state *s = state;
    unmap_all(s->chunks);
    unmap_all(s->spare);
    unmap_all(s->spare_big);
    free(s);
}

/* A spare chunk of at least `size` bytes (header included), taken off its list, or
 * NULL. */
static bump_chunk *take_spare(bump_state *s, size_t size) {
    if (size == CHUNK_MIN && s->spare != NULL) {
        bump_chunk *c = s->spare;
        s->spare = c->next;
        return c;
    }
    bump_chunk **best = NULL;
    for (bump_chunk **at = &s->spare_big; *at != NULL; at = &(*at)->next)
        if ((*at)->size >= size && (best == NULL || (*at)->size < (*best)->size)) best = at;
    if (best == NULL) return NULL;
    bump_chunk *c = *best;
    *best = c->next;
    return c;
}

/* Map a chunk with room for at least `need` bytes of blocks; NULL when mmap fails or
 * the size overflows. */
static bump_chunk *map_chunk(bump_state *s, size_t need) {
    if (need > SIZE_MAX - PAGE - sizeof(bump_chunk)) return NULL;
    size_t size = round_up(need + sizeof(bump_chunk), PAGE);
    if (size < CHUNK_MIN) size = CHUNK_MIN;
    bump_chunk *spare = take_spare(s, size);
    if (spare != NULL) {
        spare->next = NULL;
        return spare; /* its blocks were poisoned when it was rewound */
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    bump_chunk *c = p;
    c->size = size;
    s->mapped += size;
    POISON(c->data, size - sizeof(bump_chunk));
    return c;
}

static void *bump_alloc(void *state, size_t size) {
    bump_state *s = state;
    if (size > SIZE_MAX - HL_ALLOC_ALIGNMENT) return NULL;
    size_t need = round_up(size == 0 ? 1 : size, HL_ALLOC_ALIGNMENT);
    if ((size_t)(s->end - s->top) >= need) {
        unsigned char *p = s->top;
        s->top += need;
        s->last = p;
        UNPOISON(p, size);
        return p;
    }
    if (need > CHUNK_MIN / 4 && s->chunks != NULL) {
        /* A big block gets its own chunk, behind the current one. */
        bump_chunk *c = map_chunk(s, need);
        if (c == NULL) return NULL;
        c->next = s->chunks->next;
        s->chunks->next = c;
        UNPOISON(c->data, size);
        return c->data;
    }
    bump_chunk *c = map_chunk(s, need);
    if (c == NULL) return NULL;
    c->next = s->chunks;
    s->chunks = c;
    s->top = c->data + need;
    s->end = (unsigned char *)c + c->size;
    s->last = c->data;
    UNPOISON(c->data, size);
    return c->data;
}

static void bump_free(void *state, void *ptr, size_t size) {
    (void)state;
    /* The bytes stay mapped until destroy; only the sanitizer learns they are dead. */
    POISON(ptr, round_up(size == 0 ? 1 : size, HL_ALLOC_ALIGNMENT));
    (void)ptr;
    (void)size;
}

static void *bump_realloc(void *state, void *ptr, size_t old_size, size_t new_size) {
    bump_state *s = state;
    size_t old_need = round_up(old_size == 0 ? 1 : old_size, HL_ALLOC_ALIGNMENT);
    if (new_size > SIZE_MAX - HL_ALLOC_ALIGNMENT) return NULL;
    size_t new_need = round_up(new_size == 0 ? 1 : new_size, HL_ALLOC_ALIGNMENT);
    if (ptr == s->last && (size_t)(s->end - (unsigned char *)ptr) >= new_need) {
        /* The last block of the current chunk moves its end, either way. */
        s->top = (unsigned char *)ptr + new_need;
        POISON(ptr, old_need > new_need ? old_need : new_need);
        UNPOISON(ptr, new_size);
        return ptr;
    }
    if (new_need <= old_need) {
        POISON(ptr, old_need);
        UNPOISON(ptr, new_size);
        return ptr;
    }
    void *p = bump_alloc(s, new_size);
    if (p == NULL) return NULL;
    memcpy(p, ptr, old_size);
    bump_free(s, ptr, old_size);
    return p;
}

static void bump_rewind(void *state) {
    bump_state *s = state;
    for (bump_chunk *c = s->chunks, *next; c != NULL; c = next) {
        next = c->next;
        POISON(c->data, c->size - sizeof(bump_chunk));
        bump_chunk **list = c->size == CHUNK_MIN ? &s->spare : &s->spare_big;
        c->next = *list;
        *list = c;
    }
    s->chunks = NULL;
    s->top = s->end = s->last = NULL;
}

static size_t bump_resident(void *state) {
    return ((bump_state *)state)->mapped;
}

static const char *bump_version(void) {
    return NULL;
}

const hl_allocator_ops hl_bump_allocator = {
    .name = "bump",
    .summary = "region allocator on mmap'd chunks, free does nothing (serves the object heap "
               "only; the floor for allocation cost)",
    .preload = NULL,
    .preload_symbol = NULL,
    .create = bump_create,
    .destroy = bump_destroy,
    .alloc = bump_alloc,
    .free = bump_free,
    .realloc = bump_realloc,
    .resident_bytes = bump_resident,
    .rewind = bump_rewind,
    .version = bump_version,
};
