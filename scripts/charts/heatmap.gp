# The summary heatmap of one workload family: a row per collector, a column per
# allocator, the cell's colour the log2 of its time ratio to the baseline allocator.
#
# Variables (set by bench/report/chart_heatmap.c):
#   out, title, templates           as in lines.gp
#   data     block 0: "x y log2ratio" per cell with a value; block 1: "x y label" per
#            cell (its ratio and how many configurations it is the mean of, or "no pair")
#   xnames, nx / ynames, ny         allocator and collector names and counts
#   span     the colour scale's half width (log2 units); cbticks its labelled ticks
load templates . "/common.gp"
width = 300 + 150 * nx < 640 ? 640 : 300 + 150 * nx
height = 200 + 70 * ny
do for [fmt in "png svg"] {
    if (fmt eq "png") { eval term_png(width, height) } else { eval term_svg(width, height) }
    set output sprintf("%s.%s", out, fmt)
    set title title font ",14"
    set xrange [-0.5:nx - 0.5]
    set yrange [ny - 0.5:-0.5]
    set xtics () nomirror; set ytics () nomirror
    do for [k = 1:nx] { set xtics add (word(xnames, k) k - 1) }
    do for [k = 1:ny] { set ytics add (word(ynames, k) k - 1) }
    set xlabel "allocator"
    set ylabel "collector"
    unset grid
    set tics scale 0
    # missing cells show the background: grey, "no pair"
    set object 1 rect from graph 0, graph 0 to graph 1, graph 1 behind fc rgb "#d9d9d9" fs solid
    # Okabe-Ito blue (faster than the baseline), white (the same), vermillion (slower)
    set palette defined (-1 "#0072B2", 0 "#ffffff", 1 "#D55E00")
    set cbrange [-span:span]
    eval "set cbtics (" . cbticks . ")"
    set cblabel "time / baseline (log scale)"
    set key off
    plot data index 0 using 1:2:3 with image notitle, \
         data index 1 using 1:2:3 with labels font ",11" tc rgb "#000000" notitle
    unset object 1
}
