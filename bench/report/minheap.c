/* DIR/minheap.csv, read, written and shown (bench/report/report.h). The file's fields
 * hold no comma: the error column has its commas replaced. */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "bench/report/report.h"
#include "bench/report/results.h"

hl_minheap_cell *hl_minheap_find(hl_minheap_table *t, const char *workload, uint64_t size,
                                 const char *collector) {
    for (size_t i = 0; i < t->count; i++)
        if (t->cells[i].size == size && strcmp(t->cells[i].workload, workload) == 0 &&
            strcmp(t->cells[i].collector, collector) == 0)
            return &t->cells[i];
    return NULL;
}

hl_minheap_cell *hl_minheap_add(hl_minheap_table *t) {
    if (t->count == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        hl_minheap_cell *grown = realloc(t->cells, cap * sizeof *grown);
        if (grown == NULL) return NULL;
        t->cells = grown;
        t->cap = cap;
    }
    hl_minheap_cell *c = &t->cells[t->count++];
    memset(c, 0, sizeof *c);
    return c;
}

/* A line's fields, split at commas (the file's fields hold none: the error column has
 * its commas replaced). */
static size_t split(char *line, char **fields, size_t max) {
    size_t n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *comma = strchr(p, ',');
        if (comma == NULL) break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

static bool parse_u64(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    if (s[0] < '0' || s[0] > '9') return false;
    *out = strtoull(s, &end, 10);
    return errno == 0 && *end == '\0';
}

/* DIR/minheap.csv into t. A missing file is an empty table; a malformed line is
 * skipped (that cell is searched again), never trusted. */
void hl_minheap_read(const char *dir, hl_minheap_table *t) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, HL_MINHEAP_FILE);
    FILE *f = fopen(path, "r");
    if (f == NULL) return;
    char line[1024];
    if (fgets(line, sizeof line, f) == NULL || strncmp(line, HL_MINHEAP_HEADER, strlen(HL_MINHEAP_HEADER)) != 0) {
        fclose(f);
        return;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *fields[10];
        if (split(line, fields, 10) != 10) continue;
        hl_minheap_cell c;
        memset(&c, 0, sizeof c);
        uint64_t probes;
        if (strlen(fields[0]) >= sizeof c.workload || strlen(fields[2]) >= sizeof c.collector ||
            strlen(fields[3]) >= sizeof c.allocator || strlen(fields[8]) >= sizeof c.status ||
            !parse_u64(fields[1], &c.size) || !parse_u64(fields[4], &c.min_heap) ||
            !parse_u64(fields[5], &c.failed) || !parse_u64(fields[6], &c.peak) ||
            !parse_u64(fields[7], &probes) || fields[8][0] == '\0')
            continue;
        if (strcmp(fields[8], HL_STATUS_OK) == 0 && c.min_heap == 0) continue;
        strcpy(c.workload, fields[0]);
        strcpy(c.collector, fields[2]);
        strcpy(c.allocator, fields[3]);
        strcpy(c.status, fields[8]);
        snprintf(c.error, sizeof c.error, "%s", fields[9]);
        c.probes = (int)probes;
        if (hl_minheap_find(t, c.workload, c.size, c.collector) != NULL) continue;
        hl_minheap_cell *slot = hl_minheap_add(t);
        if (slot == NULL) break;
        *slot = c;
    }
    fclose(f);
}

static bool write_cb(FILE *out, void *data) {
    const hl_minheap_table *t = data;
    fprintf(out, "%s\n", HL_MINHEAP_HEADER);
    for (size_t i = 0; i < t->count; i++) {
        const hl_minheap_cell *c = &t->cells[i];
        char error[256];
        snprintf(error, sizeof error, "%s", c->error);
        for (char *p = error; *p; p++)
            if (*p == ',' || *p == '\n' || *p == '\r') *p = ';';
        fprintf(out, "%s,%" PRIu64 ",%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%d,%s,%s\n",
                c->workload, c->size, c->collector, c->allocator, c->min_heap, c->failed, c->peak,
                c->probes, c->status, error);
    }
    return !ferror(out);
}


bool hl_minheap_write(const char *path, const hl_minheap_table *t) {
    return hl_results_write_atomic(path, write_cb, (void *)t);
}

double hl_minheap_ratio(const hl_minheap_table *t, const hl_minheap_cell *c) {
    uint64_t smallest = 0;
    for (size_t k = 0; k < t->count; k++) {
        const hl_minheap_cell *o = &t->cells[k];
        if (o->size == c->size && strcmp(o->workload, c->workload) == 0 &&
            strcmp(o->status, "ok") == 0 && (smallest == 0 || o->min_heap < smallest))
            smallest = o->min_heap;
    }
    return smallest != 0 && strcmp(c->status, "ok") == 0 ? (double)c->min_heap / (double)smallest
                                                         : 0;
}

static void format_bytes(double v, char *out, size_t size) {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(out, size, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

void hl_minheap_print(const hl_minheap_table *t, FILE *out) {
    for (size_t i = 0; i < t->count; i++) {
        const hl_minheap_cell *c = &t->cells[i];
        fprintf(out, "%-28s %10" PRIu64 "  %-12s ", c->workload, c->size, c->collector);
        if (strcmp(c->status, "ok") != 0) {
            fprintf(out, "no minimum heap (%s)\n", c->status);
            continue;
        }
        char text[32];
        format_bytes((double)c->min_heap, text, sizeof text);
        fprintf(out, "%12s  %5.2fx the smallest  (%d probes)\n", text, hl_minheap_ratio(t, c),
                c->probes);
    }
}

void hl_minheap_html(const hl_minheap_table *t, FILE *out) {
    if (t->count == 0) return;
    /* columns: the cells' (workload, size) in file order; rows: collectors */
    const hl_minheap_cell *cols[256], *rows[64];
    size_t ncols = 0, nrows = 0;
    for (size_t i = 0; i < t->count; i++) {
        const hl_minheap_cell *c = &t->cells[i];
        bool seen = false;
        for (size_t k = 0; k < ncols && !seen; k++)
            seen = cols[k]->size == c->size && strcmp(cols[k]->workload, c->workload) == 0;
        if (!seen && ncols < 256) cols[ncols++] = c;
        seen = false;
        for (size_t k = 0; k < nrows && !seen; k++)
            seen = strcmp(rows[k]->collector, c->collector) == 0;
        if (!seen && nrows < 64) rows[nrows++] = c;
    }
    fputs("<table class=\"minheap\">\n<tr><th>collector</th>", out);
    for (size_t k = 0; k < ncols; k++) {
        fputs("<th>", out);
        hl_report_write_html_text(out, cols[k]->workload);
        fprintf(out, " n=%" PRIu64 "</th>", cols[k]->size);
    }
    fputs("</tr>\n", out);
    for (size_t r = 0; r < nrows; r++) {
        fputs("<tr><td>", out);
        hl_report_write_html_text(out, rows[r]->collector);
        fputs("</td>", out);
        for (size_t k = 0; k < ncols; k++) {
            const hl_minheap_cell *c = hl_minheap_find((hl_minheap_table *)t, cols[k]->workload,
                                                       cols[k]->size, rows[r]->collector);
            if (c == NULL) {
                fputs("<td></td>", out);
            } else if (strcmp(c->status, "ok") != 0) {
                fputs("<td class=\"failed\">", out);
                hl_report_write_html_text(out, c->status);
                fputs("</td>", out);
            } else {
                char text[32];
                format_bytes((double)c->min_heap, text, sizeof text);
                fprintf(out, "<td>%s<br><small>%.2fx</small></td>", text, hl_minheap_ratio(t, c));
            }
        }
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}
