/* The three registries (allocators/registry.c, collectors/registry.c,
 * bench/workloads/registry.c) as the program sees them.
 *
 * usage: test_registry --expect ALLOCATORS COLLECTORS WORKLOADS
 *        test_registry --print
 *
 * --expect (ctest registry.names): each argument is the comma-separated list of names
 *   tests/registries.cmake read from that registry's X(<name>) lines, and must be the
 *   compiled table's names in order (so the per-name ctest entries are exactly the
 *   registry's). Then the tables' own promises: names unique and found by their find
 *   function, the comma-separated name lists are the names in order, every workload has
 *   variants, a default size, an ascending ladder and a fail-alloc size, every variant a
 *   run function and a growth, and hl_workload_names lists every variant.
 * --print: one tab-separated line per entry, for the Python drivers (tests/hl_registry.py), so
 *   they iterate the registries and read the declared properties instead of naming
 *   anything:
 *     allocator NAME preload=0|1
 *     collector NAME counts_references=0|1 reclaims_cycles=0|1 conservative=0|1
 *               own_allocator=NAME|-
 *     workload  W/VARIANT growth=heap|depth|time fail_alloc_size=N default_size=N
 *   The first allocator line is the registry's first entry: the one a collector that
 *   brings its own allocator runs under (as `heaplab batch` runs it).
 */
#include <inttypes.h>
#include <string.h>

#include "bench/workloads/workload.h"
#include "collectors/collector.h"
#include "check.h"

static const char *growth_name(hl_workload_growth g) {
    switch (g) {
    case HL_GROWS_HEAP:
        return "heap";
    case HL_GROWS_DEPTH:
        return "depth";
    case HL_GROWS_TIME:
        return "time";
    }
    return NULL;
}

static int print_registries(void) {
    for (size_t i = 0; hl_allocator_registry[i] != NULL; i++) {
        const hl_allocator_ops *a = hl_allocator_registry[i];
        if (!hl_allocator_runnable(a)) continue; /* a family: the drivers run names as given */
        printf("allocator\t%s\tpreload=%d\n", a->name, a->preload != NULL);
    }
    for (size_t i = 0; hl_collector_registry[i] != NULL; i++) {
        const hl_collector_ops *c = hl_collector_registry[i];
        const char *own = hl_collector_own_allocator(c);
        printf("collector\t%s\tcounts_references=%d\treclaims_cycles=%d\tconservative=%d\t"
               "own_allocator=%s\n",
               hl_collector_name(c), c->counts_references, hl_collector_reclaims_cycles(c),
               hl_collector_is_conservative(c), own != NULL ? own : "-");
    }
    for (size_t i = 0; hl_workload_registry[i] != NULL; i++) {
        const hl_workload *w = hl_workload_registry[i];
        for (size_t v = 0; v < w->variant_count; v++) {
            const char *growth = growth_name(w->variants[v].growth);
            printf("workload\t%s/%s\tgrowth=%s\tfail_alloc_size=%" PRIu64 "\tdefault_size=%" PRIu64
                   "\n",
                   w->name, w->variants[v].name, growth != NULL ? growth : "?", w->fail_alloc_size,
                   w->default_size);
        }
    }
    return 0;
}

/* The names of a table, ", "-separated, into out. */
typedef const char *(*name_at_fn)(size_t i); /* NULL past the end */

static const char *allocator_at(size_t i) {
    return hl_allocator_registry[i] != NULL ? hl_allocator_registry[i]->name : NULL;
}
/* What hl_allocator_names lists: a family by its spelling, preload:PATH. */
static const char *allocator_spelling_at(size_t i) {
    static char spelling[128];
    const hl_allocator_ops *a = hl_allocator_registry[i];
    if (a == NULL) return NULL;
    if (a->parameter == NULL) return a->name;
    snprintf(spelling, sizeof spelling, "%s:%s", a->name, a->parameter);
    return spelling;
}
static const char *collector_at(size_t i) {
    return hl_collector_registry[i] != NULL ? hl_collector_name(hl_collector_registry[i]) : NULL;
}
static const char *workload_at(size_t i) {
    return hl_workload_registry[i] != NULL ? hl_workload_registry[i]->name : NULL;
}

static void joined(name_at_fn at, const char *separator, char *out, size_t size) {
    out[0] = '\0';
    for (size_t i = 0; at(i) != NULL; i++) {
        if (i > 0) strncat(out, separator, size - strlen(out) - 1);
        strncat(out, at(i), size - strlen(out) - 1);
    }
}

/* The names tests/registries.cmake read are the table's, in order. */
static void check_expected(const char *what, name_at_fn at, const char *expected) {
    char names[1024];
    joined(at, ",", names, sizeof names);
    CHECK_MSG(strcmp(names, expected) == 0,
              "%s: tests/registries.cmake read '%s' from the registry's X(<name>) lines, the "
              "compiled table holds '%s'",
              what, expected, names);
}

static void check_tables(void) {
    char names[1024];
    size_t n = 0;
    for (size_t i = 0; hl_allocator_registry[i] != NULL; i++, n++) {
        const hl_allocator_ops *a = hl_allocator_registry[i];
        /* A family (preload:PATH) is found only bound to a parameter, never bare. */
        const hl_allocator_ops *want = hl_allocator_runnable(a) ? a : NULL;
        CHECK_MSG(a->name != NULL && a->name[0] != '\0' && hl_allocator_find(a->name) == want,
                  "allocator %zu: '%s' is not found as itself (a duplicate name?)", i,
                  a->name ? a->name : "(null)");
    }
    CHECK(n > 0);
    joined(allocator_spelling_at, ", ", names, sizeof names);
    CHECK_MSG(strcmp(hl_allocator_names(), names) == 0, "hl_allocator_names '%s', table '%s'",
              hl_allocator_names(), names);
    CHECK(hl_allocator_find("no such allocator") == NULL);

    n = 0;
    for (size_t i = 0; hl_collector_registry[i] != NULL; i++, n++) {
        const hl_collector_ops *c = hl_collector_registry[i];
        CHECK_MSG(c->name != NULL && c->name[0] != '\0' && hl_collector_find(c->name) == c,
                  "collector %zu: '%s' is not found as itself (a duplicate name?)", i,
                  c->name ? c->name : "(null)");
        CHECK_MSG(c->summary != NULL && c->summary[0] != '\0', "collector %s: no summary", c->name);
    }
    CHECK(n > 0);
    joined(collector_at, ", ", names, sizeof names);
    CHECK_MSG(strcmp(hl_collector_names(), names) == 0, "hl_collector_names '%s', table '%s'",
              hl_collector_names(), names);
    CHECK(hl_collector_find("no such collector") == NULL);

    char all[4096];
    hl_workload_names(all, sizeof all);
    n = 0;
    for (size_t i = 0; hl_workload_registry[i] != NULL; i++, n++) {
        const hl_workload *w = hl_workload_registry[i];
        CHECK_MSG(w->name != NULL && w->name[0] != '\0' && hl_workload_find(w->name) == w,
                  "workload %zu: '%s' is not found as itself (a duplicate name?)", i,
                  w->name ? w->name : "(null)");
        CHECK_MSG(w->variant_count > 0 && w->variants != NULL, "%s: no variants", w->name);
        CHECK_MSG(w->default_size > 0, "%s: no default size", w->name);
        CHECK_MSG(w->fail_alloc_size > 0, "%s: no fail_alloc_size", w->name);
        CHECK_MSG(w->sizes[0] > 0, "%s: an empty size ladder", w->name);
        for (size_t k = 1; k < HL_WORKLOAD_MAX_SIZES && w->sizes[k] != 0; k++)
            CHECK_MSG(w->sizes[k] > w->sizes[k - 1], "%s: size ladder not ascending at %zu",
                      w->name, k);
        for (size_t v = 0; v < w->variant_count; v++) {
            const hl_workload_variant *var = &w->variants[v];
            CHECK_MSG(var->name != NULL && hl_workload_variant_find(w, var->name) == var,
                      "%s: variant %zu is not found as itself", w->name, v);
            CHECK_MSG(var->run != NULL && var->summary != NULL, "%s/%s: no run or summary", w->name,
                      var->name);
            CHECK_MSG(growth_name(var->growth) != NULL, "%s/%s: growth %d", w->name, var->name,
                      (int)var->growth);
            char full[128];
            snprintf(full, sizeof full, "%s/%s", w->name, var->name);
            CHECK_MSG(strstr(all, full) != NULL, "hl_workload_names lacks %s", full);
        }
    }
    CHECK(n > 0);
    CHECK(hl_workload_find("no such workload") == NULL);
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--print") == 0) return print_registries();
    if (argc != 5 || strcmp(argv[1], "--expect") != 0) {
        fprintf(stderr, "usage: test_registry --expect ALLOCATORS COLLECTORS WORKLOADS | "
                        "--print\n");
        return 2;
    }
    check_expected("allocators/registry.c", allocator_at, argv[2]);
    check_expected("collectors/registry.c", collector_at, argv[3]);
    check_expected("bench/workloads/registry.c", workload_at, argv[4]);
    check_tables();
    return check_report("test_registry");
}
