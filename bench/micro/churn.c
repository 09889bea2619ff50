/* heaplab-churn: the allocator churn benchmark, a Google Benchmark program over the C
 * binding.
 *
 *   heaplab-churn ALLOCATOR [--benchmark_* flags]
 *
 * What it measures: the cost of one allocate + free pair of small objects (16 to 64
 * bytes, the size of boxed ints, short strings and small records) when the heap holds
 * a window of live objects and they die in a shuffled order, the way a program's
 * temporaries do. Each step frees the object in a pseudo-randomly chosen slot of the
 * window and allocates a new one of a pseudo-random size in its place, so free lists
 * are visited out of order and pools see mixed classes.
 *
 * Every backend runs exactly the same work: the sequence of (slot, size) steps is
 * computed once from a fixed seed before timing, and the iteration count is fixed
 * (ITERATIONS x PAIRS_PER_ITERATION pairs per repetition) rather than chosen by
 * Google Benchmark's timer, because `bump` never reuses memory and an open-ended run
 * would map without bound. Each repetition starts a fresh allocator instance and fills
 * the window before timing starts.
 *
 * Reported: Google Benchmark's time per iteration (a batch of PAIRS_PER_ITERATION
 * pairs, so the loop's function call is amortised), and two counters derived by
 * Google Benchmark from the same time: `pairs_per_second` (kIsRate) and `ns_per_pair`
 * (kIsRate | kInvert over pairs / 1e9, i.e. elapsed nanoseconds divided by pairs; it
 * uses the same clock as the reported time, CPU time by default). `resident_bytes` is
 * the backend's own resident figure at the end of the timed loop.
 *
 * One backend per process: jemalloc and mimalloc are preloaded by re-executing the
 * program (hl_allocator_prepare_process), so scripts/churn runs it once per backend.
 */
#include "allocators/allocator.h"
#include "bench/harness/gbench.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    WINDOW = 4096,             /* live objects while churning */
    STEPS = 1 << 16,           /* precomputed (slot, size) steps, replayed cyclically */
    PAIRS_PER_ITERATION = 256, /* allocate + free pairs per timed iteration */
    ITERATIONS = 8192,         /* 2 Mi pairs per repetition */
    MIN_SIZE = 16,
    MAX_SIZE = 64,
};

typedef struct churn_step {
    uint16_t slot;
    uint16_t size;
} churn_step;

typedef struct churn_config {
    const hl_allocator_ops *ops;
    churn_step steps[STEPS];
    uint16_t initial_size[WINDOW];
} churn_config;

/* Objects get a header write, as a real object's refcount and type would, so the
 * allocator's memory is really touched. */
typedef struct churn_object {
    uint64_t header;
} churn_object;

static uint64_t next_random(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

static void make_steps(churn_config *c, uint64_t seed) {
    uint64_t rng = seed;
    for (size_t i = 0; i < WINDOW; i++)
        c->initial_size[i] = (uint16_t)(MIN_SIZE + next_random(&rng) % (MAX_SIZE - MIN_SIZE + 1));
    for (size_t i = 0; i < STEPS; i++) {
        uint64_t r = next_random(&rng);
        c->steps[i].slot = (uint16_t)(r % WINDOW);
        c->steps[i].size = (uint16_t)(MIN_SIZE + (r >> 32) % (MAX_SIZE - MIN_SIZE + 1));
    }
}

static void churn(hl_bench_state *st, void *arg) {
    const churn_config *c = arg;
    hl_allocator a;
    const char *err = NULL;
    if (!hl_allocator_init(&a, c->ops, &err)) {
        hl_bench_skip_with_error(st, err);
        return;
    }
    churn_object *live[WINDOW];
    uint16_t size[WINDOW];
    for (size_t i = 0; i < WINDOW; i++) {
        size[i] = c->initial_size[i];
        live[i] = hl_alloc(&a, size[i]);
        if (live[i] == NULL) {
            hl_bench_skip_with_error(st, "out of memory filling the window");
            for (size_t j = 0; j < i; j++)
                hl_free(&a, live[j], size[j]);
            hl_allocator_fini(&a);
            return;
        }
        live[i]->header = i;
    }

    size_t pos = 0;
    bool failed = false;
    while (hl_bench_keep_running(st)) {
        for (int k = 0; k < PAIRS_PER_ITERATION; k++) {
            churn_step s = c->steps[pos];
            pos = (pos + 1) & (STEPS - 1);
            hl_free(&a, live[s.slot], size[s.slot]);
            churn_object *o = hl_alloc(&a, s.size);
            if (o == NULL) {
                failed = true;
                break;
            }
            o->header = pos;
            live[s.slot] = o;
            size[s.slot] = s.size;
        }
        if (failed) {
            /* The slot whose allocation failed holds a freed block: forget it. */
            live[c->steps[(pos - 1) & (STEPS - 1)].slot] = NULL;
            hl_bench_skip_with_error(st, "allocation failed while churning");
            break;
        }
    }

    hl_alloc_stats stats;
    hl_allocator_stats(&a, &stats);
    double pairs = (double)hl_bench_iterations(st) * PAIRS_PER_ITERATION;
    hl_bench_set_counter(st, "pairs_per_second", pairs, HL_COUNTER_IS_RATE);
    hl_bench_set_counter(st, "ns_per_pair", pairs / 1e9, HL_COUNTER_IS_RATE | HL_COUNTER_INVERT);
    hl_bench_set_counter(st, "resident_bytes", (double)stats.resident_bytes, HL_COUNTER_DEFAULT);
    hl_bench_set_counter(st, "window", WINDOW, HL_COUNTER_DEFAULT);
    for (size_t i = 0; i < WINDOW; i++)
        if (live[i] != NULL) hl_free(&a, live[i], size[i]);
    hl_allocator_fini(&a);
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: heaplab-churn ALLOCATOR [--benchmark_* flags]\n"
            "       heaplab-churn --list   (the allocators, one a line)\n"
            "  ALLOCATOR: one of %s\n"
            "  Small objects (%d..%d bytes) allocated and freed in a shuffled pattern;\n"
            "  reports ns per allocate+free pair. Google Benchmark's flags apply\n"
            "  (--benchmark_repetitions, --benchmark_format, --benchmark_out, ...).\n",
            hl_allocator_names(), MIN_SIZE, MAX_SIZE);
}

int main(int argc, char **argv) {
    /* The allocator is the first argument that is not a flag. It is needed before
     * Google Benchmark parses anything, since preloading re-executes the program. */
    const char *name = NULL;
    for (int i = 1; i < argc && name == NULL; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--list") == 0) {
            for (size_t k = 0; hl_allocator_registry[k] != NULL; k++)
                if (hl_allocator_runnable(hl_allocator_registry[k]))
                    printf("%s\n", hl_allocator_registry[k]->name);
            return 0;
        }
        if (argv[i][0] != '-') name = argv[i];
    }
    if (name == NULL) {
        usage(stderr);
        return 2;
    }
    const hl_allocator_ops *ops = hl_allocator_find(name);
    if (ops == NULL) {
        fprintf(stderr, "heaplab-churn: unknown allocator '%s' (valid: %s)\n", name,
                hl_allocator_names());
        return 2;
    }
    const char *err = NULL;
    if (!hl_allocator_prepare_process(ops, argv, &err)) {
        fprintf(stderr, "heaplab-churn: %s\n", err);
        return 1;
    }

    hl_bench_initialize(&argc, argv);
    if (argc != 2) {
        for (int i = 1; i < argc; i++)
            if (argv[i] != name) fprintf(stderr, "heaplab-churn: unknown argument '%s'\n", argv[i]);
        usage(stderr);
        return 2;
    }

    static churn_config config; /* 256 KiB of steps: too big for the stack */
    config.ops = ops;
    make_steps(&config, 0x686561706c6162ull); /* "heaplab" */

    char bench_name[64];
    snprintf(bench_name, sizeof bench_name, "churn/%s", ops->name);
    hl_bench_options options = {.iterations = ITERATIONS};
    hl_bench_register(bench_name, churn, &config, &options);
    return hl_bench_run(NULL, NULL) == 1 ? 0 : 1;
}
