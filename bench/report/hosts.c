/* report.html's hosts section (hl_report_write_hosts_html, report.h): which machine ran
 * which cells (workload x size), from the rows' host column. A merged batch (heaplab
 * merge) ran its shards on several hosts; every ratio the report and the charts draw is
 * inside one cell, and a cell is on one host, but a line across the sizes of a workload
 * joins cells that may come from different hosts: the section names those workloads. */
#include <stdlib.h>
#include <string.h>

#include "bench/report/report.h"

#define HOSTS_MAX 64

typedef struct host_cells {
    const char *host;
    size_t configurations, cells;
    const hl_result_row *cell_rows[4096]; /* the first row of each of its cells */
} host_cells;

static const char *host_of(const hl_result_row *r) {
    return r->host[0] ? r->host : "unknown";
}

bool hl_report_write_hosts_html(FILE *out, const hl_result_row *rows, size_t count) {
    host_cells *hosts = calloc(HOSTS_MAX, sizeof *hosts);
    if (hosts == NULL) return false;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        const hl_result_row *r = &rows[i];
        size_t h = 0;
        while (h < n && strcmp(hosts[h].host, host_of(r)) != 0)
            h++;
        if (h == n) {
            if (n == HOSTS_MAX) continue;
            hosts[n++].host = host_of(r);
        }
        hosts[h].configurations++;
        bool seen = false;
        for (size_t k = 0; k < hosts[h].cells && !seen; k++)
            seen = hosts[h].cell_rows[k]->size == r->size &&
                   strcmp(hosts[h].cell_rows[k]->workload, r->workload) == 0;
        if (!seen && hosts[h].cells < sizeof hosts[h].cell_rows / sizeof hosts[h].cell_rows[0])
            hosts[h].cell_rows[hosts[h].cells++] = r;
    }
    fprintf(out,
            "<h2 id=\"hosts\">Hosts (%zu)</h2>\n<table class=\"hosts\">\n"
            "<tr><th>host</th><th>configurations</th><th>cells (workload/n)</th></tr>\n",
            n);
    for (size_t h = 0; h < n; h++) {
        fputs("<tr><td>", out);
        hl_report_write_html_text(out, hosts[h].host);
        fprintf(out, "</td><td>%zu</td><td>", hosts[h].configurations);
        for (size_t k = 0; k < hosts[h].cells; k++) {
            char cell[128];
            hl_report_fmt(cell, sizeof cell, "%s%s/%llu", k ? ", " : "",
                          hosts[h].cell_rows[k]->workload,
                          (unsigned long long)hosts[h].cell_rows[k]->size);
            hl_report_write_html_text(out, cell);
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
    /* the workloads whose sizes ran on more than one host */
    bool any = false;
    for (size_t i = 0; i < count; i++) {
        bool first = true, split = false;
        for (size_t k = 0; k < i && first; k++)
            first = strcmp(rows[k].workload, rows[i].workload) != 0;
        for (size_t k = i + 1; first && k < count && !split; k++)
            split = strcmp(rows[k].workload, rows[i].workload) == 0 &&
                    strcmp(host_of(&rows[k]), host_of(&rows[i])) != 0;
        if (!first || !split) continue;
        fputs(any ? ", "
                  : "<p class=\"hosts-split\">Every ratio is inside one cell, on one host; "
                    "the lines against n of these workloads join cells from different "
                    "hosts: ",
              out);
        hl_report_write_html_text(out, rows[i].workload);
        any = true;
    }
    if (any) fputs(".</p>\n", out);
    free(hosts);
    return true;
}
