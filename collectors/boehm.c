/* boehm: the Boehm-Demers-Weiser conservative collector (libgc 8.2) behind heaplab's
 * collector interface, as a real-world mark-sweep anchor next to mark_sweep.
 *
 * What Boehm does and what heaplab does.
 *
 *   Memory     Boehm's own allocator: objects from GC_MALLOC, ints and strs (nothing
 *              in them is a reference) from GC_MALLOC_ATOMIC, list item arrays from
 *              GC_MALLOC (scanned, collected with their list), the globals array and
 *              the handle stack from GC_MALLOC_UNCOLLECTABLE (scanned, never
 *              collected). The hl_heap struct itself (its `frame` and `pinned` fields
 *              are roots) is pushed by a GC_set_push_other_roots procedure for every
 *              live boehm heap (not GC_add_roots: Boehm merges adjacent root ranges
 *              and GC_remove_roots then leaves a merged range behind, which would
 *              make freed malloc memory, later the object table, a root). Objects carry no prefix:
 *              a record of two fields is 32 bytes, as Boehm sees it. Only the heap
 *              struct, the small ints and this file's state come from the
 *              hl_allocator (the object table is plain malloc: measurement).
 *   Figures    own_stats: allocs, frees, reallocs, failures and requested bytes (live,
 *              peak) are this file's counting of what heaplab asks Boehm for; resident
 *              is GC_get_heap_size. No figure of a boehm row comes from the
 *              hl_allocator (hl_heap_alloc_stats), whatever --allocator is.
 *   Limit      --heap-limit (the hl_allocator's limit_bytes) becomes Boehm's
 *              GC_set_max_heap_size when a heap is made: a MemoryError under it comes
 *              from Boehm's heap, never from the table.
 *   Counting   none: counts_references is false, hl_incref/hl_decref do nothing.
 *   When       Boehm decides: any Boehm allocation may collect (its default policy,
 *              GC_free_space_divisor 3: roughly when the bytes allocated since the
 *              last collection reach a third of the heap, else the heap grows). So
 *              under boehm a collection can also start in hl_list_append or hl_root
 *              (their arrays grow through Boehm); what a C caller holds is kept alive
 *              by Boehm's conservative scan of the C stack and registers.
 *   Collect    hl_collect is GC_gcollect (always full). Finalizers are on demand
 *              (GC_set_finalize_on_demand(1)): after the collection the queued ones
 *              run (GC_invoke_finalizers, collections disabled meanwhile, like
 *              mark_sweep running finalizers inside its collection) and, if any ran,
 *              a second GC_gcollect reclaims what they left unreachable, so that one
 *              hl_collect frees a finalized cycle as mark_sweep does. Finalizers
 *              queued by an automatic collection run at the next safe point.
 *   Finalizers records made with one are registered with
 *              GC_register_finalizer_no_order: no ordering among finalizable
 *              objects, so cycles of them are finalized (Java-like, as PEP 442
 *              asks); Boehm unregisters a finalizer once it is queued, so it runs
 *              once; an object its finalizer stores somewhere survives (resurrection)
 *              and is freed later without a second call.
 *   Events     GC_set_on_collection_event: GC_EVENT_START -> collection_start(FULL),
 *              GC_EVENT_MARK_END -> heap_traced, GC_EVENT_END -> bookkeeping_start,
 *              (live accounting), collection_end(freed), live_data_size. Boehm
 *              has no event between scanning the roots and tracing the heap (both
 *              are one mark loop), so boehm reports no roots_traced. GC_set_on_heap_resize -> heap_resized
 *              with GC_get_heap_size's new value, whenever Boehm grows or shrinks
 *              its heap (during allocation or collection).
 *
 * Live accounting (Boehm frees unreachable objects silently). Every object this heap
 * made is in `table`, an array of addresses in malloc'd memory (not scanned by
 * Boehm, so it keeps nothing alive). At GC_EVENT_END, with the allocation
 * lock held and the mark bits of the finished collection still in place, the table
 * is compacted: an object survives when GC_base(p) == p (its block was not returned
 * to Boehm's block free list) and GC_is_marked(p) (reached from a root, or kept for a
 * queued finalizer). The survivors' bytes are summed from their headers (dead objects
 * are never read). live_objects, live_bytes and the freed count of collection_end are
 * exact for what Boehm found unreachable. Cost: two header-table lookups per object
 * the heap owns and one read of each survivor's header, per collection (about the
 * cost of a sweep over the live objects). It is heaplab's measurement, not Boehm's
 * work: boehm emits bookkeeping_start before it, so the pause ends there, and the
 * harness stops the clock until collection_end (bench/micro/collectors.c reports it
 * on its own); 8 bytes of table per live object. An
 * allocation reserves its table slot before calling Boehm, so growing the table is
 * never done while a collection could run.
 *
 * Conservative roots. Boehm also scans the C stacks, registers and static data of the
 * whole process. A stale pointer there (a C local that still holds a dropped object)
 * keeps that object, and everything it reaches, alive: such objects count as live,
 * and at teardown as leaked. collect() zeroes some stack below itself first, so that
 * Boehm's own frames start clean; the rest is the caller's business (tests build
 * their structures in functions that have returned before they collect).
 *
 * Process-wide. There is one Boehm heap per process: GC_INIT runs once (on the main
 * thread: hl_collector_prepare_process, or lazily when the first boehm heap is made
 * on the main thread), with one marker thread unless GC_MARKERS is set (so that its
 * pauses compare with mark_sweep's single-threaded ones). A collection triggered by
 * one boehm heap collects every boehm heap in the process and each gets its events;
 * use boehm heaps from one thread at a time. Heaps may be created and destroyed any
 * number of times (one per repetition); a heap made on a thread Boehm does not know
 * registers that thread, and its destruction unregisters it. Teardown: the roots are
 * dropped, a last collection runs (finish), what is still marked is the leak
 * (normally 0; conservative roots can retain a few objects), then the remaining
 * objects are unregistered from finalization and given back with GC_FREE, and the
 * heap leaves the list whose structs are pushed as roots.
 */
#define GC_THREADS 1
#define GC_NO_THREAD_REDIRECTS 1
#include <gc/gc.h>
#include <gc/gc_mark.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "collectors/collector.h"

#define BH_INITIAL_TABLE 1024
#define BH_SCRUB_BYTES 8192

/* What heaplab asked of Boehm for one heap (own_stats): counted by this file, since
 * Boehm frees silently and counts no objects. */
typedef struct bh_counts {
    uint64_t allocs;   /* GC_MALLOC* of objects, list item arrays and root arrays */
    uint64_t frees;    /* objects and item arrays found dead, and every GC_FREE */
    uint64_t reallocs; /* an array grown or shrunk (a new block, the old one freed) */
    uint64_t failures; /* a Boehm allocation that returned NULL */
    size_t peak_bytes; /* the most requested bytes live */
} bh_counts;

typedef struct bh_state {
    hl_heap *heap;
    struct bh_state *next; /* every boehm heap of the process (bh_heaps) */
    void **table;          /* every object of this heap not yet found dead (malloc) */
    size_t length;
    size_t capacity;
    uint64_t freed_total; /* objects found dead over the heap's life */
    bh_counts counts;
    size_t roots_bytes; /* the globals array and the handle stack (not in live_bytes) */
    uint64_t arrays;    /* list item arrays alive, as far as this heap knows */
} bh_state;

/* ---- the process: one Boehm heap, initialised once ---- */

static pthread_mutex_t bh_init_lock = PTHREAD_MUTEX_INITIALIZER;
static bool bh_ready;
static bh_state *bh_heaps; /* changed under GC_alloc_lock; read in Boehm's callbacks */
static _Thread_local int bh_thread_heaps;       /* boehm heaps alive on this thread */
static _Thread_local bool bh_thread_registered; /* we registered this thread */
/* The figures of the last boehm heap destroyed (own_stats when none is alive). */
static hl_alloc_stats bh_last;

static void account_after_collection(bh_state *s);

static void GC_CALLBACK bh_on_event(GC_EventType event) {
    /* Called by Boehm with its allocation lock held. */
    for (bh_state *s = bh_heaps; s != NULL; s = s->next) {
        switch (event) {
        case GC_EVENT_START:
            hl__emit_collection_start(s->heap, HL_COLLECTION_FULL);
            break;
        case GC_EVENT_MARK_END:
            hl__emit_heap_traced(s->heap);
            break;
        case GC_EVENT_END:
            account_after_collection(s);
            break;
        default:
            break;
        }
    }
}

static GC_push_other_roots_proc bh_old_push_other_roots;

/* During marking (lock held): every boehm heap's struct is a root range. */
static void GC_CALLBACK bh_push_roots(void) {
    for (bh_state *s = bh_heaps; s != NULL; s = s->next)
        GC_push_all(s->heap, s->heap + 1);
    if (bh_old_push_other_roots != NULL) bh_old_push_other_roots();
}

static void GC_CALLBACK bh_on_heap_resize(GC_word bytes) {
    for (bh_state *s = bh_heaps; s != NULL; s = s->next)
        hl__emit_heap_resized(s->heap, (size_t)bytes);
}

static bool on_main_thread(void) {
    return (pid_t)syscall(SYS_gettid) == getpid();
}

static bool bh_prepare_process(const char **error) {
    pthread_mutex_lock(&bh_init_lock);
    if (!bh_ready) {
        if (!on_main_thread()) {
            pthread_mutex_unlock(&bh_init_lock);
            if (error != NULL)
                *error = "boehm: the Boehm collector must be initialised on the main thread "
                         "(call hl_collector_prepare_process there first)";
            return false;
        }
        if (getenv("GC_MARKERS") == NULL) GC_set_markers_count(1);
        GC_set_finalize_on_demand(1);
        GC_INIT();
        GC_allow_register_threads(); /* heaps may live on other threads */
        GC_set_on_collection_event(bh_on_event);
        GC_set_on_heap_resize(bh_on_heap_resize);
        GC_alloc_lock();
        bh_old_push_other_roots = GC_get_push_other_roots();
        GC_set_push_other_roots(bh_push_roots);
        GC_alloc_unlock();
        bh_ready = true;
    }
    pthread_mutex_unlock(&bh_init_lock);
    return true;
}

/* ---- live accounting ---- */

/* At GC_EVENT_END (allocation lock held, mark bits of the finished collection). */
static void account_after_collection(bh_state *s) {
    hl_heap *heap = s->heap;
    /* Boehm's collection is over: what follows is heaplab's, outside the pause. */
    hl__emit_bookkeeping_start(heap);
    size_t kept = 0, bytes = 0;
    uint64_t arrays = 0;
    for (size_t i = 0; i < s->length; i++) {
        void *p = s->table[i];
        if (GC_base(p) == p && GC_is_marked(p)) {
            s->table[kept++] = p;
            const hl_object *o = p;
            bytes += hl__object_bytes(heap, o);
            arrays += o->type == HL_TYPE_LIST && hl_list_capacity(o) != 0;
        }
    }
    uint64_t freed = (uint64_t)(s->length - kept);
    s->length = kept;
    s->freed_total += freed;
    /* A dead list's item array died with it, unseen: the live lists' arrays are
     * counted, the rest were freed. (A list being made when an automatic collection
     * runs has its array but is not in the table yet: at most one array off.) */
    s->counts.frees += freed + (s->arrays > arrays ? s->arrays - arrays : 0);
    s->arrays = arrays;
    heap->live_objects = kept;
    heap->live_bytes = bytes;
    hl__emit_collection_end(heap, freed);
    hl__emit_live_data_size(heap, bytes);
}

/* The table is heaplab's measurement, not the object heap: plain malloc, outside the
 * hl_allocator and its --heap-limit (the limit is Boehm's heap's, bh_init). */
static bool grow_table(bh_state *s) {
    size_t cap = s->capacity == 0 ? BH_INITIAL_TABLE : s->capacity * 2;
    void **t = realloc(s->table, cap * sizeof(void *));
    if (t == NULL) return false;
    s->table = t;
    s->capacity = cap;
    return true;
}

/* ---- finalizers ---- */

static void GC_CALLBACK bh_finalizer(void *obj, void *client_data) {
    hl_heap *heap = client_data;
    hl_object *o = obj;
    if (hl__object_wants_finalizer(heap, o)) hl__object_finalize(heap, o);
}

/* Run every queued finalizer (Boehm's queue is process-wide: each runs against its
 * own heap). No collection starts meanwhile: a finalizer may allocate. Returns true
 * when some ran. */
static bool run_finalizers(hl_heap *heap) {
    if (!GC_should_invoke_finalizers()) return false;
    bool was = heap->collecting;
    heap->collecting = true;
    GC_disable();
    while (GC_should_invoke_finalizers())
        GC_invoke_finalizers();
    GC_enable();
    heap->collecting = was;
    return true;
}

/* ---- collection ---- */

/* Zero the stack just below the caller, where GC_gcollect's frames will go, so that
 * stale pointers left there by earlier calls are not scanned as roots. */
__attribute__((noinline)) static void scrub_stack(void) {
    char area[BH_SCRUB_BYTES];
    memset(area, 0, sizeof area);
    __asm__ volatile("" : : "r"(area) : "memory");
}

static long bh_collect(hl_heap *heap, int generation) {
    (void)generation; /* always full */
    bh_state *s = heap->gc;
    uint64_t before = s->freed_total;
    scrub_stack();
    GC_gcollect();
    if (run_finalizers(heap)) {
        scrub_stack();
        GC_gcollect();
    }
    return (long)(s->freed_total - before);
}

static void bh_safe_point(hl_heap *heap) {
    run_finalizers(heap); /* queued by an automatic collection */
}

static void bh_finish(hl_heap *heap) {
    bh_collect(heap, 2);
}

/* ---- heap life ---- */

static hl_status bh_init(hl_heap *heap) {
    if (!bh_prepare_process(NULL)) {
        fprintf(stderr, "heaplab: boehm: the first boehm heap must be created on the main "
                        "thread, or after hl_collector_prepare_process() there\n");
        return HL_MEMORY_ERROR;
    }
    bh_state *s = hl__gc_alloc(heap, sizeof *s);
    if (s == NULL) return HL_MEMORY_ERROR;
    memset(s, 0, sizeof *s);
    s->heap = heap;
    if (!grow_table(s)) {
        hl_free(heap->allocator, s, sizeof *s);
        return HL_MEMORY_ERROR;
    }
    if (!GC_thread_is_registered()) {
        struct GC_stack_base sb;
        if (GC_get_stack_base(&sb) != GC_SUCCESS || GC_register_my_thread(&sb) != GC_SUCCESS) {
            free(s->table);
            hl_free(heap->allocator, s, sizeof *s);
            return HL_MEMORY_ERROR;
        }
        bh_thread_registered = true;
    }
    bh_thread_heaps++;
    heap->gc = s;
    GC_alloc_lock(); /* from now on bh_push_roots pushes heap->frame, heap->pinned */
    s->next = bh_heaps;
    bh_heaps = s;
    /* --heap-limit is Boehm's heap's (process-wide: the last heap made sets it; 0 is
     * no limit). The hl_allocator keeps it too, but serves only the heap struct, this
     * state and the small ints. */
    GC_set_max_heap_size((GC_word)heap->allocator->limit_bytes);
    GC_alloc_unlock();
    return HL_OK;
}

static void bh_link(hl_heap *heap, hl_object *o) {
    bh_state *s = heap->gc;
    /* The slot was reserved by bh_alloc_object: nothing here allocates before the
     * object is in the table (registering a finalizer may collect). */
    s->table[s->length++] = o;
    if (o->flags & HL_FLAG_HAS_FINALIZER)
        GC_register_finalizer_no_order(o, bh_finalizer, heap, NULL, NULL);
}

static void bh_unlink(hl_heap *heap, hl_object *o) {
    bh_state *s = heap->gc;
    if (s->length != 0 && s->table[s->length - 1] == o) {
        s->length--;
        return;
    }
    /* Not the last one: only when an object is freed explicitly outside release_all,
     * which object.c never does under boehm. */
    for (size_t i = 0; i < s->length; i++)
        if (s->table[i] == o) {
            s->table[i] = s->table[--s->length];
            return;
        }
}

static void bh_release_all(hl_heap *heap) {
    bh_state *s = heap->gc;
    /* Finalizers are off: drain Boehm's queue so that none runs later against this
     * heap, then take every remaining object out of finalization and give it back. */
    run_finalizers(heap);
    while (s->length != 0) {
        hl_object *o = s->table[s->length - 1];
        if ((o->flags & (HL_FLAG_HAS_FINALIZER | HL_FLAG_FINALIZED)) == HL_FLAG_HAS_FINALIZER)
            GC_register_finalizer_no_order(o, 0, 0, NULL, NULL);
        hl__object_free(heap, o); /* unlink pops it */
    }
    GC_alloc_lock();
    for (bh_state **p = &bh_heaps; *p != NULL; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    GC_alloc_unlock();
    bh_last = (hl_alloc_stats){
        .live_bytes = heap->live_bytes + s->roots_bytes, /* 0 unless something leaked */
        .peak_bytes = s->counts.peak_bytes,
        .allocs = s->counts.allocs,
        .frees = s->counts.frees,
        .reallocs = s->counts.reallocs,
        .failures = s->counts.failures,
    };
    free(s->table);
    hl_free(heap->allocator, s, sizeof *s);
    heap->gc = NULL;
    if (--bh_thread_heaps == 0 && bh_thread_registered) {
        bh_thread_registered = false;
        GC_unregister_my_thread();
    }
}

static void bh_each_tracked(hl_heap *heap, void (*fn)(hl_object *o, void *data), void *data) {
    bh_state *s = heap->gc;
    for (size_t i = 0; i < s->length; i++)
        fn(s->table[i], data);
}

/* ---- memory ---- */

/* A Boehm allocation of `grow` more requested bytes came back (p) or failed. The
 * requested bytes live are the heap's live_bytes (objects and their item arrays,
 * exact after each collection) plus the root arrays. */
static void *counted(bh_state *s, void *p, size_t grow, bool is_alloc) {
    if (p == NULL) {
        s->counts.failures++;
        return NULL;
    }
    if (is_alloc) s->counts.allocs++;
    size_t live = s->heap->live_bytes + s->roots_bytes + grow;
    if (live > s->counts.peak_bytes) s->counts.peak_bytes = live;
    return p;
}

static void *bh_alloc_object(hl_heap *heap, size_t size, bool has_refs) {
    bh_state *s = heap->gc;
    if (s->length == s->capacity && !grow_table(s)) return NULL;
    return counted(s, has_refs ? GC_MALLOC(size) : GC_MALLOC_ATOMIC(size), size, true);
}

static void bh_free_object(hl_heap *heap, void *block, size_t size) {
    (void)size;
    ((bh_state *)heap->gc)->counts.frees++;
    GC_FREE(block);
}

static void *bh_alloc_storage(hl_heap *heap, size_t size, hl_storage_kind kind) {
    bh_state *s = heap->gc;
    void *p = kind == HL_STORAGE_ROOTS ? GC_MALLOC_UNCOLLECTABLE(size) : GC_MALLOC(size);
    if (p != NULL && kind == HL_STORAGE_ROOTS) s->roots_bytes += size;
    if (p != NULL && kind == HL_STORAGE_ITEMS) s->arrays++;
    return counted(s, p, kind == HL_STORAGE_ROOTS ? 0 : size, true);
}

static void *bh_realloc_storage(hl_heap *heap, void *block, size_t old_size, size_t new_size,
                                hl_storage_kind kind) {
    /* Not GC_REALLOC: a grown block is a new one, the old one is given back at once
     * (GC_FREE clears it), so no stale copy of the references is left for Boehm to
     * find through some conservative root. */
    bh_state *s = heap->gc;
    void *grown =
        kind == HL_STORAGE_ROOTS ? GC_MALLOC_UNCOLLECTABLE(new_size) : GC_MALLOC(new_size);
    if (counted(s, grown, kind == HL_STORAGE_ITEMS && new_size > old_size ? new_size - old_size : 0,
                false) == NULL)
        return NULL;
    s->counts.reallocs++;
    if (kind == HL_STORAGE_ROOTS) s->roots_bytes += new_size - old_size; /* modulo */
    memcpy(grown, block, old_size < new_size ? old_size : new_size);
    GC_FREE(block);
    return grown;
}

static void bh_free_storage(hl_heap *heap, void *block, size_t size, hl_storage_kind kind) {
    bh_state *s = heap->gc;
    s->counts.frees++;
    if (kind == HL_STORAGE_ROOTS) s->roots_bytes -= size;
    if (kind == HL_STORAGE_ITEMS && s->arrays != 0) s->arrays--;
    GC_FREE(block);
}

/* ---- figures ---- */

/* The boehm heaps alive now (summed; normally one), or when none is, the last one
 * destroyed; resident is Boehm's heap now (GC_get_heap_size: mapped heap bytes, free
 * blocks included, unmapped ones not), the same whatever hl_allocator is under it. */
static void bh_own_stats(hl_alloc_stats *out) {
    *out = (hl_alloc_stats){0};
    if (!bh_ready) return;
    GC_alloc_lock();
    if (bh_heaps == NULL) *out = bh_last;
    for (bh_state *s = bh_heaps; s != NULL; s = s->next) {
        out->live_bytes += s->heap->live_bytes + s->roots_bytes;
        out->peak_bytes += s->counts.peak_bytes;
        out->allocs += s->counts.allocs;
        out->frees += s->counts.frees;
        out->reallocs += s->counts.reallocs;
        out->failures += s->counts.failures;
    }
    GC_alloc_unlock();
    GC_word heap_size = 0;
    GC_get_heap_usage_safe(&heap_size, NULL, NULL, NULL, NULL);
    out->resident_bytes = (size_t)heap_size;
}

const hl_collector_ops hl_boehm_collector = {
    .name = "boehm",
    .summary = "Boehm-Demers-Weiser conservative mark-sweep (libgc), its own allocator",
    .counts_references = false,
    .prefix_size = 0,
    .tracks_all = true,
    .reclaims_cycles = true,
    .conservative = true,
    .init = bh_init,
    .link = bh_link,
    .unlink = bh_unlink,
    .safe_point = bh_safe_point,
    .collect = bh_collect,
    .finish = bh_finish,
    .release_all = bh_release_all,
    .each_tracked = bh_each_tracked,
    .own_allocator = "bdwgc",
    .prepare_process = bh_prepare_process,
    .alloc_object = bh_alloc_object,
    .free_object = bh_free_object,
    .alloc_storage = bh_alloc_storage,
    .realloc_storage = bh_realloc_storage,
    .free_storage = bh_free_storage,
    .own_stats = bh_own_stats,
};
