/* fuzz_replay: `fuzz_replay DIR...` feeds every file in each DIR to the fuzz target
 * (tests/fuzz/fuzz_heap.c, linked in), once under each collector it fuzzes, in the
 * normal builds (gcc; AddressSanitizer in the asan build). This is how a crash input that libFuzzer
 * found stays a regression test: its file goes into tests/fuzz/regressions/.
 *
 * An oracle violation aborts inside the target, so ctest sees the failure; the name of
 * the input being replayed is printed first. Fails (exit 1) when a directory cannot be
 * read or holds no input at all, so a test that replays nothing cannot pass.
 * `fuzz_replay --list` prints the collectors it replays under (those the target fuzzes). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_heap.h"

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *bigger = realloc(buf, cap *= 2);
            if (bigger == NULL) free(buf);
            buf = bigger;
        }
    }
    if (buf != NULL && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = n;
    return buf;
}

/* Replays every regular file of `dir` (sorted by name); returns the number, or -1. */
static long replay_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (d == NULL) {
        perror(dir);
        return -1;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (count == cap) {
            cap = cap == 0 ? 64 : cap * 2;
            char **bigger = realloc(names, cap * sizeof *names);
            if (bigger == NULL) break;
            names = bigger;
        }
        size_t len = strlen(dir) + 1 + strlen(e->d_name) + 1;
        names[count] = malloc(len);
        if (names[count] == NULL) break;
        snprintf(names[count], len, "%s/%s", dir, e->d_name);
        count++;
    }
    closedir(d);
    if (count > 1) qsort(names, count, sizeof *names, by_name);
    long replayed = 0;
    for (size_t i = 0; i < count; i++) {
        size_t size = 0;
        unsigned char *data = read_file(names[i], &size);
        if (data == NULL) {
            perror(names[i]);
            replayed = -1;
        } else {
            const char *name;
            for (size_t k = 0; (name = fuzz_heap_collector_name(k)) != NULL; k++) {
                const hl_collector_ops *c = hl_collector_find(name);
                if (c == NULL) {
                    fprintf(stderr, "fuzz_replay: collector %s is not registered\n", name);
                    exit(1);
                }
                fprintf(stderr, "replay %s (%zu bytes) under %s\n", names[i], size, name);
                fuzz_heap_force_collector(c);
                LLVMFuzzerTestOneInput(data, size);
            }
            free(data);
            if (replayed >= 0) replayed++;
        }
        free(names[i]);
    }
    free(names);
    return replayed;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: fuzz_replay DIR... | fuzz_replay --list\n");
        return 2;
    }
    if (strcmp(argv[1], "--list") == 0) {
        /* The collectors the target fuzzes, one a line (scripts/fuzz's default list). */
        const char *name;
        for (size_t k = 0; (name = fuzz_heap_collector_name(k)) != NULL; k++)
            printf("%s\n", name);
        return 0;
    }
    long total = 0;
    for (int i = 1; i < argc; i++) {
        long n = replay_dir(argv[i]);
        if (n < 0) return 1;
        total += n;
    }
    if (total == 0) {
        fprintf(stderr, "fuzz_replay: no input found in the given directories\n");
        return 1;
    }
    printf("fuzz_replay: %ld inputs replayed under each fuzzed collector, all oracles held\n", total);
    return 0;
}
