# Generates chart_captions.h from docs/charts.md at build time (bench/CMakeLists.txt):
# the page as an array of C string literals, one per line, so report.html's captions
# are the docs' text and the program needs no source tree to find them.
#   cmake -DIN=docs/charts.md -DOUT=.../chart_captions.h -P chart_captions.cmake
file(READ "${IN}" text)
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "\t" "\\t" text "${text}")
string(REPLACE "\r" "" text "${text}")
string(REPLACE "\n" "\",\n    \"" text "${text}")
file(WRITE "${OUT}.tmp"
  "/* Generated from docs/charts.md by bench/report/chart_captions.cmake: do not edit. */\n"
  "static const char *const hl_charts_md_lines[] = {\n    \"${text}\",\n    0};\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
