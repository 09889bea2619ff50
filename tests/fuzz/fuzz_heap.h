/* The heap fuzz target's entry points (tests/fuzz/fuzz_heap.c).
 *
 * libFuzzer calls LLVMFuzzerInitialize once and LLVMFuzzerTestOneInput per input; the
 * regression replay driver (tests/fuzz/replay.c) calls the same functions from its own
 * main(), so the two never disagree on what an input means. */
#ifndef HEAPLAB_TESTS_FUZZ_FUZZ_HEAP_H
#define HEAPLAB_TESTS_FUZZ_FUZZ_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/heap.h"

/* Reads HEAPLAB_FUZZ_COLLECTOR (one of fuzz_heap_collector_name's): when set, every
 * input runs under that collector and the collector bits of the input's first byte are
 * ignored. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Decode `data` into one heap's life and check the oracles; abort() on a violation. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The collectors this target fuzzes, in registry order: the precise ones that allocate
 * through the hl_allocator (today refcount, rc_cycle, rc_cycle_313, mark_sweep,
 * cpython_inc, cpython_ft, cpython_ft_alloc), whose oracles are
 * exact. A conservative collector (boehm) may keep unreachable objects alive through a
 * stale stack word, and may collect inside a store, so it does not fit these oracles.
 * NULL past the end. */
const char *fuzz_heap_collector_name(size_t index);

/* Run the following inputs under `collector` (NULL: the input's first byte chooses). */
void fuzz_heap_force_collector(const hl_collector_ops *collector);

#endif
