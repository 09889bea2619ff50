/* The collector registry: every strategy, in a fixed order. A new collector is one
 * file defining `const hl_collector_ops hl_<name>_collector` plus one X(<name>) line
 * in HL_COLLECTORS below. */
#include <string.h>

#include "collectors/collector.h"

/* One X(<name>) per line, each ending in a backslash, so adding one is a one-line diff.
 * (tests/registries.cmake reads these lines.) */
#define HL_COLLECTORS(X)                                                                           \
    X(refcount)                                                                                    \
    X(rc_cycle)                                                                                    \
    X(rc_cycle_313)                                                                                \
    X(mark_sweep)                                                                                  \
    X(boehm)                                                                                       \
    X(cpython_inc)                                                                                 \
    X(cpython_ft)                                                                                  \
    X(cpython_ft_alloc)                                                                            \
    /* (end of the list) */

#define HL_DECLARE(name) extern const hl_collector_ops hl_##name##_collector;
HL_COLLECTORS(HL_DECLARE)

#define HL_ENTRY(name) &hl_##name##_collector,
const hl_collector_ops *const hl_collector_registry[] = {HL_COLLECTORS(HL_ENTRY) NULL};

/* ", refcount, rc_cycle, mark_sweep, boehm": the names without the leading ", ". */
#define HL_NAME(name) ", " #name
static const char hl_collector_name_list[] = HL_COLLECTORS(HL_NAME);

const hl_collector_ops *hl_collector_find(const char *name) {
    if (name == NULL) return NULL;
    for (size_t i = 0; hl_collector_registry[i] != NULL; i++)
        if (strcmp(hl_collector_registry[i]->name, name) == 0) return hl_collector_registry[i];
    return NULL;
}

const char *hl_collector_name(const hl_collector_ops *ops) {
    return ops->name;
}
const char *hl_collector_summary(const hl_collector_ops *ops) {
    return ops->summary;
}
const char *hl_collector_names(void) {
    return hl_collector_name_list + 2;
}
const char *hl_collector_own_allocator(const hl_collector_ops *ops) {
    return ops->own_allocator;
}

bool hl_collector_reclaims_cycles(const hl_collector_ops *ops) {
    return ops->reclaims_cycles;
}

bool hl_collector_is_conservative(const hl_collector_ops *ops) {
    return ops->conservative;
}

const hl_collector_ops *hl_heap_collector(const hl_heap *heap) {
    return heap->ops;
}

bool hl_collector_prepare_process(const hl_collector_ops *ops, const char **error) {
    if (error != NULL) *error = NULL;
    return ops->prepare_process == NULL || ops->prepare_process(error);
}
