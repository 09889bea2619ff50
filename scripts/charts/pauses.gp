# Collector pauses: a panel per collector, a cluster per workload, bars for the
# median (p50), the 99th percentile and the longest pause, on a log scale.
#
# Variables (set by bench/report/chart_pauses.c):
#   out, title, note, templates     as in lines.gp
#   data     block c-1 for panel c: "workload p50 p99 max" in ms (NaN: no pause)
#   panels, npanels, cols, rows     collector names and the grid (the legend is one
#                                   line under the panels)
#   pnote    per panel, 1 when it has no pause at all (it says so)
#   fails    stem: <fails>-<c>.dat holds "x y status" for failed configurations;
#            pfails their counts per panel
#   ymin, ymax
load templates . "/common.gp"
width = 440 * cols
height = 400 * rows + 110
# Panels are placed by hand: the title on top, one legend line at the bottom.
title_h = 80.0 / height
legend_h = 50.0 / height
panel_w = 1.0 / cols
panel_h = (1.0 - title_h - legend_h) / rows
do for [fmt in "png svg"] {
    if (fmt eq "png") { eval term_png(width, height) } else { eval term_svg(width, height) }
    set output sprintf("%s.%s", out, fmt)
    set multiplot title (note eq "" ? title : title . "\n" . note) font ",14"
    set style data histograms
    set style histogram clustered gap 1
    set style fill solid 0.85 border -1
    set boxwidth 0.9
    set logscale y
    set yrange [ymin:ymax]
    set format y "%g"
    set xtics rotate by 35 right nomirror font ",9"
    set grid noxtics ytics
    set ylabel "pause (ms)"
    set key off
    # The legend, drawn by hand as one line under the panels (a key in screen
    # coordinates stays vertical with histograms): a swatch and a name per bar.
    do for [k = 1:3] {
        x0 = 0.5 + (k - 2) * 0.2 - 0.08
        set object (100 + k) rect from screen x0, screen legend_h * 0.3 \
            to screen x0 + 18.0 / width, screen legend_h * 0.7 \
            fc lt (k + 3) fs solid 0.85 border -1 front
        set label (100 + k) (k == 1 ? "p50 (median pause)" : k == 2 ? "p99" : "max (longest pause)") \
            at screen x0 + 26.0 / width, screen legend_h * 0.5 left font ",11" front
    }
    do for [c = 1:npanels] {
        set title word(panels, c) font ",12"
        set size panel_w, panel_h
        set origin ((c - 1) % cols) * panel_w, legend_h + (rows - 1 - (c - 1) / cols) * panel_h
        if (int(word(pnote, c)) == 1) {
            # gnuplot refuses a histogram without a valid point: an empty panel that says why
            set label 1 "no pauses recorded" at graph 0.5, graph 0.5 center font ",11" \
                tc rgb "#555555"
            set xrange [0:1]
            set xtics ("" 0)
            plot NaN notitle
            unset label 1
            set xrange [*:*]
            set xtics rotate by 35 right nomirror font ",9" autofreq
            continue
        }
        plot for [i = 2:4] data index (c - 1) using i:xtic(1) lt (i + 2) notitle, \
             for [k = 1:(int(word(pfails, c)) > 0 ? 1 : 0)] sprintf("%s-%d.dat", fails, c) \
                 using 1:2 with points pt fail_point ps 2 lw 2 lc rgb fail_colour notitle, \
             for [k = 1:(int(word(pfails, c)) > 0 ? 1 : 0)] sprintf("%s-%d.dat", fails, c) \
                 using 1:2:3 with labels rotate by 90 left offset 0,1 tc rgb fail_colour \
                 font ",9" notitle
    }
    unset multiplot
    do for [k = 1:3] { unset object (100 + k); unset label (100 + k) }
}
