/* `heaplab plot DIR`: redraw a results folder's charts and report.html (the drawing is
 * bench/report/'s; this is the command line around it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/report/report.h"

int hl_cmd_plot(int argc, char **argv) {
    static const hl_cli_option options[] = {
        {"--help", NULL, "this help"},
        {NULL, NULL, NULL},
    };
    hl_cli_parser parser;
    hl_cli_parser_init(&parser, "plot", options, argc, argv);
    const char *dir = NULL;
    char error[HL_CLI_ERROR_SIZE];
    for (;;) {
        const hl_cli_option *option = NULL;
        const char *value = NULL;
        hl_cli_token token = hl_cli_next(&parser, &option, &value, error, sizeof error);
        if (token == HL_CLI_END) break;
        if (token == HL_CLI_BAD) return hl_cli_usage_error("%s", error);
        if (token == HL_CLI_OPTION) {
            printf("usage: heaplab plot DIR\nredraws the charts and report.html of a batch's "
                   "results folder\n");
            hl_cli_print_options(stdout, options);
            return HL_EXIT_OK;
        }
        if (token == HL_CLI_PASSTHROUGH || dir != NULL)
            return hl_cli_usage_error("plot: unexpected argument '%s' (usage: heaplab plot DIR)",
                                      value);
        dir = value;
    }
    if (dir == NULL)
        return hl_cli_usage_error("plot: missing the results folder (usage: heaplab "
                                  "plot DIR)");
    hl_result_row *rows = NULL;
    size_t count = 0;
    if (!hl_report_load_results(dir, &rows, &count, error, sizeof error))
        /* a folder that is not a batch is a usage error; an unreadable file is not */
        return hl_report_results_unreadable(dir) ? hl_cli_error("%s", error)
                                                 : hl_cli_usage_error("plot: %s", error);
    free(rows);
    hl_chart_list charts;
    memset(&charts, 0, sizeof charts);
    int code = HL_EXIT_OK;
    if (!hl_plot_draw(dir, &charts, error, sizeof error)) code = hl_cli_error("%s", error);
    char report_error[HL_CLI_ERROR_SIZE];
    if (!hl_report_write(dir, &charts, report_error, sizeof report_error))
        return hl_cli_error("%s", report_error);
    printf("%s/report.html (%zu charts)\n", dir, charts.count);
    return code;
}
