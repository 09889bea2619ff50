/* chart_style.c: one colour and one point type per allocator and per collector, the
 * same in every chart of every batch.
 *
 * A name's style is a function of its place in the registries, never of the order a
 * batch lists it in: allocators are numbered in allocators/registry.c's order, then the
 * allocators that collectors bring (hl_collector_ops.own_allocator: boehm's "bdwgc"),
 * then the reference runtimes' ("pymalloc"); collectors in collectors/registry.c's
 * order, then the reference runtimes' ("cpython_gc"). Index i takes colour i of the
 * Okabe-Ito palette (colour-blind safe; its black is kept for failures) and point type
 * i; past the palette's seven colours the point types keep the styles apart. A name in
 * no registry (a preload:PATH allocator) gets a style from a hash of its name, the same
 * in every batch. A failed configuration is drawn in black with a cross (point type 2),
 * which no series uses (scripts/charts/common.gp: fail_colour, fail_point).
 */
#include <string.h>

#include "allocators/allocator.h"
#include "bench/report/plot_internal.h"

/* Okabe & Ito (2008), "Color Universal Design", without black. */
static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#F0E442"};
#define PALETTE_SIZE (sizeof palette / sizeof palette[0])
/* filled circle, square, triangle, inverted triangle, diamond, pentagon; then open
 * square, circle, triangle (2, the cross, is the failures') */
static const int points[] = {7, 5, 9, 11, 13, 15, 4, 6, 8};
#define POINTS_SIZE (sizeof points / sizeof points[0])

/* The reference runtimes' names (scripts/reference/cpython_workloads.py's rows). */
static const char *const reference_allocators[] = {"pymalloc"};
static const char *const reference_collectors[] = {"cpython_gc"};

static int registry_index(hl_plot_kind kind, const char *name) {
    int i = 0;
    if (kind == HL_PLOT_ALLOCATOR) {
        for (size_t k = 0; hl_allocator_registry[k] != NULL; k++, i++)
            if (strcmp(hl_allocator_registry[k]->name, name) == 0) return i;
        for (size_t k = 0; hl_collector_registry[k] != NULL; k++) {
            const char *own = hl_collector_registry[k]->own_allocator;
            if (own == NULL) continue;
            if (strcmp(own, name) == 0) return i;
            i++;
        }
        for (size_t k = 0; k < sizeof reference_allocators / sizeof reference_allocators[0];
             k++, i++)
            if (strcmp(reference_allocators[k], name) == 0) return i;
        return -1;
    }
    if (kind != HL_PLOT_COLLECTOR) return -1;
    for (size_t k = 0; hl_collector_registry[k] != NULL; k++, i++)
        if (strcmp(hl_collector_registry[k]->name, name) == 0) return i;
    for (size_t k = 0; k < sizeof reference_collectors / sizeof reference_collectors[0]; k++, i++)
        if (strcmp(reference_collectors[k], name) == 0) return i;
    return -1;
}

hl_plot_style hl_plot_style_of(hl_plot_kind kind, const char *name) {
    int i = registry_index(kind, name);
    size_t index;
    if (i >= 0) {
        index = (size_t)i;
    } else { /* FNV-1a: stable across batches and builds */
        unsigned long h = 2166136261u;
        for (const char *p = name; *p; p++)
            h = ((h ^ (unsigned char)*p) * 16777619u) & 0xffffffffu;
        index = (size_t)(h % (PALETTE_SIZE * POINTS_SIZE));
    }
    hl_plot_style s;
    hl_report_fmt(s.colour, sizeof s.colour, "%s", palette[index % PALETTE_SIZE]);
    s.point = points[(index + index / PALETTE_SIZE) % POINTS_SIZE];
    return s;
}

/* gnuplot linetypes 1..n for the names, in the order the template numbers them. */
void hl_plot_var_styles(hl_plot_vars *v, hl_plot_kind kind, const hl_plot_names *names) {
    for (size_t k = 0; k < names->n; k++) {
        hl_plot_style s = hl_plot_style_of(kind, names->v[k]);
        hl_plot_var_raw(v, "set linetype %zu lc rgb '%s' lw 2 pt %d ps 1.0; ", k + 1, s.colour,
                        s.point);
    }
    hl_plot_var_list(v, "style_names", names);
}
