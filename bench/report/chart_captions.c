/* chart_captions.c: report.html's captions, which are docs/charts.md's sections.
 *
 * The build compiles docs/charts.md in (chart_captions.cmake writes it as
 * hl_charts_md_lines in chart_captions_text.c, one string per line), so the program needs no source
 * tree and a caption cannot drift from the page that documents the chart. A section is a "## "
 * heading and the lines up to the next heading; its key is the heading up to its first
 * ':' ("time-\<workload\>" read as "time-<workload>", "pauses"). A chart's stem matches
 * the key itself, or, for a key ending in "<...>", any stem that starts with the part
 * before the '<' (the longest such part wins).
 *
 * The section is written as HTML with the little markdown the page uses: paragraphs,
 * "- " list items, `code` and **bold**; every character of text goes through
 * hl_report_write_html_text.
 */
#include <stdbool.h>
#include <string.h>

#include "bench/report/report.h"

/* docs/charts.md, a line each, NULL after the last (chart_captions_text.c, generated) */
extern const char *const hl_charts_md_lines[];

/* The key of heading line `line` ("## ..."), unescaped, into out. */
static void heading_key(const char *line, char *out, size_t size) {
    size_t n = 0;
    for (const char *p = line + 3; *p && *p != ':' && n + 1 < size; p++) {
        if (*p == '\\' && (p[1] == '<' || p[1] == '>')) continue;
        out[n++] = *p;
    }
    out[n] = '\0';
}

static bool is_heading(const char *line) {
    return line[0] == '#';
}

/* The section's first line (after its heading) for stem, or -1. */
static int find_section(const char *stem) {
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; hl_charts_md_lines[i] != NULL; i++) {
        const char *line = hl_charts_md_lines[i];
        if (strncmp(line, "## ", 3) != 0) continue;
        char key[160];
        heading_key(line, key, sizeof key);
        if (strcmp(key, stem) == 0) return i + 1;
        const char *lt = strchr(key, '<');
        size_t len = lt ? (size_t)(lt - key) : 0;
        if (lt && len > best_len && strncmp(stem, key, len) == 0 && strlen(stem) > len) {
            best = i + 1;
            best_len = len;
        }
    }
    return best;
}

/* Text with `code` and **bold** as HTML. */
static void write_inline(FILE *out, const char *text, bool *code, bool *bold) {
    char one[2] = {0, 0};
    for (const char *p = text; *p; p++) {
        if (*p == '`') {
            fputs(*code ? "</code>" : "<code>", out);
            *code = !*code;
        } else if (!*code && p[0] == '*' && p[1] == '*') {
            fputs(*bold ? "</b>" : "<b>", out);
            *bold = !*bold;
            p++;
        } else if (!*code && *p == '\\' && (p[1] == '<' || p[1] == '>' || p[1] == '*')) {
            continue; /* markdown's escape: the next character is text */
        } else {
            one[0] = *p;
            hl_report_write_html_text(out, one);
        }
    }
}

bool hl_report_write_caption_html(FILE *out, const char *stem) {
    int first = find_section(stem);
    if (first < 0) return false;
    bool in_par = false, in_list = false, code = false, bold = false;
    for (int i = first; hl_charts_md_lines[i] != NULL && !is_heading(hl_charts_md_lines[i]); i++) {
        const char *line = hl_charts_md_lines[i];
        while (*line == ' ')
            line++;
        if (*line == '\0') { /* a blank line ends the paragraph (a list ends at text) */
            if (in_par) fputs(in_list ? "</li>\n" : "</p>\n", out);
            in_par = false;
            continue;
        }
        bool item = line[0] == '-' && line[1] == ' ';
        if (item) {
            if (in_par) fputs(in_list ? "</li>\n" : "</p>\n", out);
            if (!in_list) fputs("<ul>\n", out);
            fputs("<li>", out);
            in_list = in_par = true;
            line += 2;
        } else if (!in_par) {
            if (in_list) fputs("</ul>\n", out);
            in_list = false;
            fputs("<p>", out);
            in_par = true;
        } else {
            fputc(' ', out);
        }
        write_inline(out, line, &code, &bold);
    }
    if (code) fputs("</code>", out);
    if (bold) fputs("</b>", out);
    if (in_par) fputs(in_list ? "</li>\n" : "</p>\n", out);
    if (in_list) fputs("</ul>\n", out);
    return true;
}
