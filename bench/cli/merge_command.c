/* `heaplab merge OUT DIR...`: one results folder from the shards of a batch (`heaplab
 * batch --shard I/N` in each DIR); the checks and the writing are bench/report/merge.c's,
 * this is the command line around them. Exit codes: 0 merged, 2 a usage error or a
 * refused set of folders (different revisions, builds or arguments, overlapping or
 * missing shards: one line that names them), 1 OUT could not be written or drawn. */
#include <stdio.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/report/merge.h"

int hl_cmd_merge(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: heaplab merge OUT DIR...\n"
                   "joins the shards of one batch (heaplab batch --shard I/N, one folder each)\n"
                   "into the new folder OUT: results.csv and results.json (every row keeps its\n"
                   "host), runs/, manifest.json (every shard and host), charts, report.html.\n"
                   "Refuses shards of different git revisions, builds or batch arguments,\n"
                   "the same shard or cell twice, and a set with shards missing.\n"
                   "exit codes: 0 merged, 1 OUT could not be written, 2 usage error or the\n"
                   "            folders are refused\n");
            return HL_EXIT_OK;
        }
    for (int i = 1; i < argc; i++)
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return hl_cli_usage_error("merge: unknown option '%s' (usage: heaplab merge OUT "
                                      "DIR...)",
                                      argv[i]);
    if (argc < 3)
        return hl_cli_usage_error("merge: %s (usage: heaplab merge OUT DIR...)",
                                  argc < 2 ? "missing OUT and the shard folders"
                                           : "missing the shard folders");
    for (int i = 2; i < argc; i++)
        if (argv[i][0] == '\0') return hl_cli_usage_error("merge: empty folder name");
    char error[HL_CLI_ERROR_SIZE] = "";
    hl_merge_outcome outcome = hl_merge(argv[1], argv + 2, (size_t)(argc - 2), error, sizeof error);
    switch (outcome) {
    case HL_MERGE_DONE:
        printf("%s/report.html\n", argv[1]);
        return HL_EXIT_OK;
    case HL_MERGE_REFUSED:
        return hl_cli_usage_error("%s", error);
    case HL_MERGE_ERROR:
        break;
    }
    return hl_cli_error("%s", error);
}
