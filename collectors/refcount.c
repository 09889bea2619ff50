/* refcount: pure reference counting, CPython with its cycle detector switched off.
 *
 * The story:
 * 1. Every store increments the new value's count and decrements the old one
 *    (inline, collectors/object_layout.h). Nothing here runs on that path.
 * 2. When a count reaches zero, object.c's pending-list drain frees the object and
 *    whatever it alone kept alive, iteratively: a chain of 10^7 records or a list
 *    nested 10^7 deep is freed in constant C stack (the trashcan idea).
 * 3. Objects on a reference cycle never reach zero: they stay until teardown. That
 *    is the point of this strategy in heaplab: the leak is shown, not hidden.
 * 4. At teardown the roots are dropped, what is still live is reported as the leak
 *    (teardown event: objects and bytes), and then release_all frees every container
 *    on the list below (and, by counting, what they refer to), so the process leaks
 *    nothing to the allocator.
 *
 * Containers (list, record) carry a 16-byte prefix and sit on one doubly linked list
 * only so that teardown can find leaked cycles; frames do not (tracks_frames false): no
 * object refers to a frame, so a frame is never on a cycle, and teardown pops every
 * frame before it looks for leaks; ints and strs carry no
 * prefix (as in CPython, where only containers have a PyGC_Head).
 */
#include "collectors/collector.h"

typedef struct refcount_state {
    hl_gc_link containers; /* every live container */
} refcount_state;

static hl_status refcount_init(hl_heap *heap) {
    refcount_state *s = hl__gc_alloc(heap, sizeof *s);
    if (s == NULL) return HL_MEMORY_ERROR;
    hl_gc_list_init(&s->containers);
    heap->gc = s;
    return HL_OK;
}

static void refcount_link(hl_heap *heap, hl_object *o) {
    refcount_state *s = heap->gc;
    hl_gc_list_append(&s->containers, hl_gc_link_of(o));
}

static void refcount_unlink(hl_heap *heap, hl_object *o) {
    (void)heap;
    hl_gc_list_remove(hl_gc_link_of(o));
}

static void refcount_release_all(hl_heap *heap) {
    refcount_state *s = heap->gc;
    hl__release_counted(heap, &s->containers);
    hl_free(heap->allocator, s, sizeof *s);
    heap->gc = NULL;
}

static void refcount_each_tracked(hl_heap *heap, void (*fn)(hl_object *o, void *data), void *data) {
    refcount_state *s = heap->gc;
    for (hl_gc_link *l = s->containers.next; l != &s->containers; l = l->next)
        fn(hl_gc_object_of(l), data);
}

const hl_collector_ops hl_refcount_collector = {
    .name = "refcount",
    .summary = "reference counting only: freed at zero, cycles leak (counted at teardown)",
    .counts_references = true,
    .prefix_size = sizeof(hl_gc_link),
    .tracks_all = false,
    .reclaims_cycles = false,
    .tracks_frames = false,
    .init = refcount_init,
    .link = refcount_link,
    .unlink = refcount_unlink,
    .safe_point = NULL,
    .collect = NULL,
    .finish = NULL,
    .release_all = refcount_release_all,
    .each_tracked = refcount_each_tracked,
};
