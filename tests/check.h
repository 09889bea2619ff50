/* Minimal assertions for heaplab's test programs: a failed CHECK prints where and
 * what, and the program exits 1 at the end (or at once with REQUIRE). */
#ifndef HEAPLAB_TESTS_CHECK_H
#define HEAPLAB_TESTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int check_failures;
static long check_count;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        check_count++;                                                                       \
        if (!(cond)) {                                                                       \
            check_failures++;                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);        \
        }                                                                                    \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                 \
    do {                                                                                     \
        check_count++;                                                                       \
        if (!(cond)) {                                                                       \
            check_failures++;                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);        \
            fprintf(stderr, __VA_ARGS__);                                                    \
            fputc('\n', stderr);                                                             \
        }                                                                                    \
    } while (0)

/* Evaluates `cond` once. */
#define REQUIRE(cond)                                                                        \
    do {                                                                                     \
        check_count++;                                                                       \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond);     \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

/* Call at the end of main: prints a summary and gives the exit code. */
static inline int check_report(const char *name) {
    printf("%s: %ld checks, %d failed\n", name, check_count, check_failures);
    return check_failures == 0 ? 0 : 1;
}

#endif
