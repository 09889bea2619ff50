# heaplab chart templates: settings shared by every chart (loaded by each template).
# The caller (bench/report/plot.c, `heaplab plot DIR`) runs gnuplot in DIR/charts with the
# chart's variables set by -e, and each template draws the chart once per format:
# PNG (pngcairo) and SVG, as <out>.png and <out>.svg.
#
# Colours and point types: one style per line, the same in every chart, so a
# collector (or allocator) keeps its colour across the report.
set linetype 1 lc rgb "#1f77b4" lw 2 pt 7 ps 1.0
set linetype 2 lc rgb "#d62728" lw 2 pt 5 ps 1.0
set linetype 3 lc rgb "#2ca02c" lw 2 pt 9 ps 1.1
set linetype 4 lc rgb "#9467bd" lw 2 pt 11 ps 1.1
set linetype 5 lc rgb "#ff7f0e" lw 2 pt 13 ps 1.1
set linetype 6 lc rgb "#8c564b" lw 2 pt 15 ps 1.0
set linetype 7 lc rgb "#e377c2" lw 2 pt 4 ps 1.0
set linetype 8 lc rgb "#7f7f7f" lw 2 pt 6 ps 1.0
set linetype cycle 8
# A failed configuration: a red cross and its status, never left out.
fail_colour = "#c00000"
# Reference series (CPython's rows, boehm on its own allocator): dashed lines in the
# line charts, in the colours bench/report/plot.c gives them (CPython black, boehm purple);
# in the bar charts, one dark bar for their own allocator.
ref_dash = 2
ref_bar_colour = "#7b3294"
missing_colour = "#555555"
set grid xtics ytics mxtics mytics lc rgb "#dddddd" lw 1 dt 1
set border lc rgb "#444444"
set tics textcolor rgb "#222222"
# The gnuplot terminal for a format; names carry underscores, so no enhanced text.
term_png(w, h) = sprintf("set terminal pngcairo size %d,%d font 'DejaVu Sans,11' noenhanced background '#ffffff'", w, h)
term_svg(w, h) = sprintf("set terminal svg size %d,%d dynamic font 'DejaVu Sans,11' noenhanced background '#ffffff'", w, h)
