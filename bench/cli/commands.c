/* The one table of heaplab's subcommands. A new subcommand is its function plus one
 * line here. */
#include "bench/cli/commands.h"

#include <string.h>

#include "bench/cli/cli.h"
/* generated at build time in the build tree (cmake/revision.cmake), hence <> */
#include <heaplab_revision.h>

const hl_command hl_commands[] = {
    {"list", hl_cmd_list, "list [allocators|collectors|workloads|presets]",
     "list what can be chosen, one line each"},
    {"run", hl_cmd_run, "run --workload W/VARIANT --size N [--allocator A] [--collector C] ...",
     "run one configuration through Google Benchmark"},
    {"batch", hl_cmd_batch,
     "batch [--preset quick|full] [--allocators A,..] [--collectors C,..] "
     "[--workloads W,..] [--sizes N,..] [--out DIR] [--resume DIR]",
     "run the matrix, one process per configuration; results folder, charts, report"},
    {"minheap", hl_cmd_minheap,
     "minheap [--workloads W,..] [--sizes N,..] [--collectors C,..] [--out DIR] [--resume DIR]",
     "the smallest heap budget each configuration completes in, to 2%, cached in DIR"},
    {"plot", hl_cmd_plot, "plot DIR", "redraw a results folder's charts and report.html"},
    {"compare", hl_cmd_compare,
     "compare DIR [DIR_B] [--baseline allocator=NAME|collector=NAME|batch] [options]",
     "ratios against a baseline with 95% intervals, significance, verdicts and geomeans"},
    {"merge", hl_cmd_merge, "merge OUT DIR...",
     "one results folder (charts, report) from the shards of a batch (batch --shard I/N)"},
    {"help", hl_cmd_help, "help [COMMAND]", "this help, or a command's"},
    {"version", hl_cmd_version, "version", "the version and the source revision (also --version)"},
    {NULL, NULL, NULL, NULL},
};

void hl_command_names(char *out, size_t size) {
    out[0] = '\0';
    for (const hl_command *c = hl_commands; c->name != NULL; c++) {
        strncat(out, c == hl_commands ? "" : ", ", size - strlen(out) - 1);
        strncat(out, c->name, size - strlen(out) - 1);
    }
}

const hl_command *hl_command_find(const char *name) {
    for (const hl_command *c = hl_commands; c->name != NULL; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

void hl_commands_usage(FILE *out) {
    fprintf(out, "usage: heaplab COMMAND [options]\n\n"
                 "heaplab benchmarks and stress-tests heap allocators and collector strategies\n"
                 "on the seed workloads (recursion, large lists, reference cycles).\n\n"
                 "commands:\n");
    for (const hl_command *c = hl_commands; c->name != NULL; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\n'heaplab COMMAND --help' (or -h) shows a command's options;\n"
                 "'heaplab --version' the version.\n"
                 "exit codes: 0 ok, 1 other error, 2 usage error, 3 MemoryError, "
                 "4 RecursionError\n");
}

int hl_cmd_help(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        hl_commands_usage(stdout);
        return HL_EXIT_OK;
    }
    if (argc > 2)
        return hl_cli_usage_error("help: too many arguments (usage: heaplab help [COMMAND])");
    const hl_command *c = hl_command_find(argv[1]);
    if (c == NULL) {
        char valid[256], hint[300];
        hl_command_names(valid, sizeof valid);
        hl_cli_hint(argv[1], valid, hint, sizeof hint);
        return hl_cli_usage_error("help: unknown command '%s' (%s)", argv[1], hint);
    }
    if (strcmp(c->name, "help") == 0) return hl_cmd_help(1, argv);
    char help[] = "--help";
    char *args[] = {(char *)c->name, help, NULL};
    return c->run(2, args);
}

int hl_cmd_version(int argc, char **argv) {
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: heaplab version (or heaplab --version)\n"
               "prints heaplab <version> (<git revision at build time>)\n");
        return HL_EXIT_OK;
    }
    if (argc > 1)
        return hl_cli_usage_error("version: unexpected argument '%s' (usage: heaplab version)",
                                  argv[1]);
    printf("heaplab %s (%s)\n", HEAPLAB_VERSION, HEAPLAB_REVISION);
    return HL_EXIT_OK;
}
