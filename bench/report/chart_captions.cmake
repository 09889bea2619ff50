# Generates chart_captions_text.c from docs/charts.md at build time
# (bench/CMakeLists.txt): the page as an array of C string literals, one per line
# (hl_charts_md_lines, read by chart_captions.c), so report.html's captions are the
# docs' text and the program needs no source tree to find them. A .c file rather than
# a header: nothing includes a generated file (tests/include_graph.py reads includes).
#   cmake -DIN=docs/charts.md -DOUT=.../chart_captions_text.c -P chart_captions.cmake
file(READ "${IN}" text)
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "\t" "\\t" text "${text}")
string(REPLACE "\r" "" text "${text}")
string(REPLACE "\n" "\",\n    \"" text "${text}")
file(WRITE "${OUT}.tmp"
  "/* Generated from docs/charts.md by bench/report/chart_captions.cmake: do not edit. */\n"
  "extern const char *const hl_charts_md_lines[];\n"
  "const char *const hl_charts_md_lines[] = {\n    \"${text}\",\n    0};\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
