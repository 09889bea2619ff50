/* `heaplab list [allocators|collectors|workloads|presets]`: what can be chosen, one
 * line each, from the registries themselves (so a new allocator, collector or
 * workload shows up here without touching this file). Without an argument every
 * section is listed under a heading. */
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/batch/batch.h"
#include "bench/cli/commands.h"

/* A family is listed by its spelling (preload:PATH) and one example valid here. */
static void list_allocators(FILE *out) {
    for (size_t i = 0; hl_allocator_registry[i] != NULL; i++) {
        const hl_allocator_ops *o = hl_allocator_registry[i];
        if (o->parameter == NULL) {
            fprintf(out, "%-14s %s\n", o->name, o->summary);
            continue;
        }
        char spelling[64];
        snprintf(spelling, sizeof spelling, "%s:%s", o->name, o->parameter);
        fprintf(out, "%-14s %s (e.g. %s:%s)\n", spelling, o->summary, o->name,
                o->example != NULL ? o->example : o->parameter);
    }
}

static void list_collectors(FILE *out) {
    int width = 14; /* the names' column: as wide as the longest name */
    for (size_t i = 0; hl_collector_registry[i] != NULL; i++) {
        int n = (int)strlen(hl_collector_name(hl_collector_registry[i]));
        if (n > width) width = n;
    }
    for (size_t i = 0; hl_collector_registry[i] != NULL; i++)
        fprintf(out, "%-*s %s\n", width, hl_collector_name(hl_collector_registry[i]),
                hl_collector_summary(hl_collector_registry[i]));
}

static void list_workloads(FILE *out) {
    for (size_t i = 0; hl_workload_registry[i] != NULL; i++) {
        const hl_workload *w = hl_workload_registry[i];
        char sizes[128] = "";
        size_t used = 0;
        for (size_t k = 0; k < HL_WORKLOAD_MAX_SIZES && w->sizes[k] != 0; k++) {
            int n = snprintf(sizes + used, sizeof sizes - used, "%s%llu", k ? "," : "",
                             (unsigned long long)w->sizes[k]);
            if (n < 0 || (size_t)n >= sizeof sizes - used) break;
            used += (size_t)n;
        }
        for (size_t v = 0; v < w->variant_count; v++) {
            char name[96];
            snprintf(name, sizeof name, "%s/%s", w->name, w->variants[v].name);
            fprintf(out, "%-22s default n=%-8llu sizes %-42s %s\n", name,
                    (unsigned long long)w->default_size, sizes, w->variants[v].summary);
        }
    }
}

typedef struct list_section {
    const char *name;
    void (*print)(FILE *out);
} list_section;

/* One line per section. */
static const list_section sections[] = {
    {"allocators", list_allocators},
    {"collectors", list_collectors},
    {"workloads", list_workloads},
    {"presets", hl_batch_list_presets}, /* bench/batch/preset.c */
};

#define SECTION_COUNT (sizeof sections / sizeof sections[0])

int hl_cmd_list(int argc, char **argv) {
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: heaplab list [");
        for (size_t i = 0; i < SECTION_COUNT; i++)
            printf("%s%s", i ? "|" : "", sections[i].name);
        printf("]\n");
        return HL_EXIT_OK;
    }
    if (argc > 2)
        return hl_cli_usage_error("list: too many arguments (usage: heaplab list [SECTION])");
    if (argc == 2) {
        for (size_t i = 0; i < SECTION_COUNT; i++) {
            if (strcmp(argv[1], sections[i].name) != 0) continue;
            sections[i].print(stdout);
            return HL_EXIT_OK;
        }
        char valid[128] = "", hint[160];
        for (size_t i = 0; i < SECTION_COUNT; i++) {
            strncat(valid, i ? ", " : "", sizeof valid - strlen(valid) - 1);
            strncat(valid, sections[i].name, sizeof valid - strlen(valid) - 1);
        }
        hl_cli_hint(argv[1], valid, hint, sizeof hint);
        return hl_cli_usage_error("list: unknown section '%s' (%s)", argv[1], hint);
    }
    for (size_t i = 0; i < SECTION_COUNT; i++) {
        printf("%s%s:\n", i ? "\n" : "", sections[i].name);
        sections[i].print(stdout);
    }
    return HL_EXIT_OK;
}
