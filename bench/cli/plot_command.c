/* `heaplab plot DIR`: redraw a results folder's charts and report.html (the drawing is
 * bench/report/'s; this is the command line around it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/report/report.h"

int hl_cmd_plot(int argc, char **argv) {
    const char *dir = NULL;
    int code = hl_cli_parse_folders("plot", argc, argv, "heaplab plot DIR",
                                    "redraws the charts and report.html of a batch's results "
                                    "folder",
                                    &dir, 1, "missing the results folder");
    if (code != HL_EXIT_OK) return code < 0 ? HL_EXIT_OK : code;
    hl_result_row *rows = NULL;
    size_t count = 0;
    if (!hl_cli_load_results("plot", dir, &rows, &count, &code)) return code;
    char error[HL_CLI_ERROR_SIZE];
    free(rows);
    hl_chart_list charts;
    memset(&charts, 0, sizeof charts);
    code = HL_EXIT_OK;
    if (!hl_plot_draw(dir, &charts, error, sizeof error)) code = hl_cli_error("%s", error);
    char report_error[HL_CLI_ERROR_SIZE];
    if (!hl_report_write(dir, &charts, report_error, sizeof report_error))
        return hl_cli_error("%s", report_error);
    printf("%s/report.html (%zu charts)\n", dir, charts.count);
    return code;
}
