/* heaplab report: the manifest in report.html (hl_report_write_manifest_html, report.h).
 *
 * DIR/manifest.json (bench/batch/manifest.c writes it) is read with jansson and shown
 * flat, in the file's order: an object's members become rows named by their path
 * ("batch.preset", "host.cpu_model"), an array is one row of its items joined by spaces
 * (a nested object or array in it shown as compact JSON), strings as they are, numbers,
 * booleans and null as JSON writes them.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "bench/report/report.h"

static void row(FILE *out, const char *key, const char *value) {
    fputs("<tr><th>", out);
    hl_report_write_html_text(out, key);
    fputs("</th><td>", out);
    hl_report_write_html_text(out, value);
    fputs("</td></tr>\n", out);
}

/* A scalar's text (a string's own value, others as JSON), or compact JSON for a
 * container; malloc'd, NULL when out of memory. */
static char *scalar_text(const json_t *v) {
    if (json_is_string(v)) return strdup(json_string_value(v));
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

static bool write_value(FILE *out, const char *key, const json_t *v) {
    if (json_is_object(v)) {
        const char *name;
        json_t *member;
        json_object_foreach((json_t *)v, name, member) {
            char path[512];
            if (snprintf(path, sizeof path, "%s%s%s", key, key[0] ? "." : "", name) < 0 ||
                !write_value(out, path, member))
                return false;
        }
        return true;
    }
    char *text = NULL;
    if (json_is_array(v)) {
        size_t n = 0, i;
        json_t *item;
        text = strdup("");
        json_array_foreach(v, i, item) {
            char *one = scalar_text(item);
            char *joined = one && text ? malloc(n + strlen(one) + 2) : NULL;
            if (joined != NULL) n = (size_t)sprintf(joined, "%s%s%s", text, n ? " " : "", one);
            free(one);
            free(text);
            text = joined;
            if (text == NULL) break;
        }
    } else {
        text = scalar_text(v);
    }
    if (text == NULL) return false;
    row(out, key, text);
    free(text);
    return true;
}

bool hl_report_write_manifest_html(FILE *out, const char *dir) {
    char path[PATH_MAX], error[PATH_MAX + 256];
    if ((size_t)snprintf(path, sizeof path, "%s/manifest.json", dir) >= sizeof path) return false;
    json_t *doc = hl_results_json_load(path, 0, NULL, error, sizeof error);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return false;
    }
    fputs("<table class=\"manifest\">\n", out);
    bool ok = write_value(out, "", doc);
    fputs("</table>\n", out);
    json_decref(doc);
    return ok;
}
