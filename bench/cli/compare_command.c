/* `heaplab compare DIR_A DIR_B`: the command line around bench/report/compare.c. */
#include <stdio.h>
#include <stdlib.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/report/report.h"

int hl_cmd_compare(int argc, char **argv) {
    const char *dirs[2] = {NULL, NULL};
    int code = hl_cli_parse_folders("compare", argc, argv, "heaplab compare DIR_A DIR_B",
                                    "ratios B/A of time and peak RSS per configuration; flags "
                                    "changes larger than the repetitions' spread",
                                    dirs, 2, "needs two results folders");
    if (code != HL_EXIT_OK) return code < 0 ? HL_EXIT_OK : code;
    hl_result_row *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    if (!hl_cli_load_results("compare", dirs[0], &a, &na, &code)) return code;
    if (!hl_cli_load_results("compare", dirs[1], &b, &nb, &code)) {
        free(a);
        return code;
    }

    hl_report_compare(stdout, dirs[0], a, na, dirs[1], b, nb);
    free(a);
    free(b);
    return HL_EXIT_OK;
}
