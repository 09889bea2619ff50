/* Between the allocator conformance suite's two files (tests/test_allocators.c, the
 * checks every backend must pass, and tests/test_allocator_promises.c, what pool and
 * bump promise on their own). */
#ifndef HEAPLAB_TESTS_TEST_ALLOCATORS_H
#define HEAPLAB_TESTS_TEST_ALLOCATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocators/allocator.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)

/* A fresh instance of the backend under test, so counts start at zero. */
void ta_start(hl_allocator *a);
/* Fill n bytes with the pattern `seed`; whether the first n bytes still carry it. */
void ta_fill(void *p, size_t n, uint64_t seed);
bool ta_intact(const void *p, size_t n, uint64_t seed);
/* What `backend` promises beyond the conformance suite (pool, bump; nothing else). Adds
 * its failed and run checks to *failures and *checks (tests/check.h counts per file). */
void ta_test_backend_promises(const hl_allocator_ops *backend, int *failures, long *checks);

#endif
