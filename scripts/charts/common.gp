# heaplab chart templates: settings shared by every chart (loaded by each template).
# The caller (bench/report/plot.c, `heaplab plot DIR`) runs gnuplot in DIR/charts with the
# chart's variables set by -e, and each template draws the chart once per format:
# PNG (pngcairo) and SVG, as <out>.png and <out>.svg.
#
# Colours and point types: bench/report/chart_style.c sets linetype k for the chart's
# k-th name (an allocator or a collector) before this file is loaded, from the name's
# place in the registries (Okabe-Ito colours), so a name keeps its colour and point
# type in every chart of every batch. Templates draw series with `lt k` and nothing
# here may redefine linetypes.
#
# A failed configuration: a black cross (a colour and a point type no series uses) and
# its status, never left out.
fail_colour = "#000000"
fail_point = 2
# Reference series (CPython's rows, boehm on its own allocator): dashed lines in the
# line charts, in their collector's colour (refcolour<k>); in the bar charts, one bar
# for their own allocator in that allocator's colour (ref_bar_colour).
ref_dash = 2
if (!exists("ref_bar_colour")) { ref_bar_colour = "#56B4E9" }
missing_colour = "#555555"
set grid xtics ytics mxtics mytics lc rgb "#dddddd" lw 1 dt 1
set border lc rgb "#444444"
set tics textcolor rgb "#222222"
# The gnuplot terminal for a format; names carry underscores, so no enhanced text.
term_png(w, h) = sprintf("set terminal pngcairo size %d,%d font 'DejaVu Sans,11' noenhanced background '#ffffff'", w, h)
term_svg(w, h) = sprintf("set terminal svg size %d,%d dynamic font 'DejaVu Sans,11' noenhanced background '#ffffff'", w, h)
