/* heaplab report: the batch's manifest.json as an HTML table (bench/report/manifest_view.c). */
#ifndef HEAPLAB_BENCH_MANIFEST_VIEW_H
#define HEAPLAB_BENCH_MANIFEST_VIEW_H

#include <stdbool.h>
#include <stdio.h>

/* Write DIR/manifest.json as <table class="manifest">, one row per value: nested keys
 * flattened to "host.cpu_model", an array's items joined by spaces, every key and value
 * HTML-escaped. False, with nothing written, when the file is missing, unreadable or
 * not a JSON object. */
bool hl_report_write_manifest_html(FILE *out, const char *dir);

#endif
