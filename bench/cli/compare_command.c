/* `heaplab compare DIR_A DIR_B`: the command line around bench/report/compare.c. */
#include <stdio.h>
#include <stdlib.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/report/report.h"

static bool load(const char *dir, hl_result_row **rows, size_t *count, int *code) {
    char error[HL_CLI_ERROR_SIZE];
    if (hl_report_load_results(dir, rows, count, error, sizeof error)) return true;
    *code = hl_report_results_unreadable(dir) ? hl_cli_error("compare: %s", error)
                                              : hl_cli_usage_error("compare: %s", error);
    return false;
}

int hl_cmd_compare(int argc, char **argv) {
    static const hl_cli_option options[] = {
        {"--help", NULL, "this help"},
        {NULL, NULL, NULL},
    };
    hl_cli_parser parser;
    hl_cli_parser_init(&parser, "compare", options, argc, argv);
    const char *dirs[2] = {NULL, NULL};
    size_t ndirs = 0;
    char error[HL_CLI_ERROR_SIZE];
    for (;;) {
        const hl_cli_option *option = NULL;
        const char *value = NULL;
        hl_cli_token token = hl_cli_next(&parser, &option, &value, error, sizeof error);
        if (token == HL_CLI_END) break;
        if (token == HL_CLI_BAD) return hl_cli_usage_error("%s", error);
        if (token == HL_CLI_OPTION) {
            printf("usage: heaplab compare DIR_A DIR_B\nratios B/A of time and peak RSS per "
                   "configuration; flags changes larger than the repetitions' spread\n");
            hl_cli_print_options(stdout, options);
            return HL_EXIT_OK;
        }
        if (token == HL_CLI_PASSTHROUGH || ndirs == 2)
            return hl_cli_usage_error("compare: unexpected argument '%s' (usage: heaplab compare "
                                      "DIR_A DIR_B)",
                                      value);
        dirs[ndirs++] = value;
    }
    if (ndirs != 2)
        return hl_cli_usage_error("compare: needs two results folders (usage: heaplab compare "
                                  "DIR_A DIR_B)");
    hl_result_row *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    int code = HL_EXIT_OK;
    if (!load(dirs[0], &a, &na, &code)) return code;
    if (!load(dirs[1], &b, &nb, &code)) {
        free(a);
        return code;
    }

    hl_report_compare(stdout, dirs[0], a, na, dirs[1], b, nb);
    free(a);
    free(b);
    return HL_EXIT_OK;
}
