# heaplab against the real thing, for one workload: four panels against n, log-log.
# Top: time per run; bottom: peak RSS. Left: rc_cycle on pool (solid) next to CPython
# (dashed); right: mark_sweep on libc (solid) next to boehm (dashed).
#
# Variables (set by bench/report/chart_reference.c):
#   out, title, note, templates     as in lines.gp
#   data     blocks of "x y": block 2*(p-1) for panel p's heaplab series, 2*(p-1)+1 for
#            its reference; panels 1, 2 time (left, right), 3, 4 peak RSS
#   fails    stem: <fails>-<p>.dat holds "x y label" for panel p's failed
#            configurations; pfails their counts per panel
#   xmin, xmax; ymin1, ymax1 (time, ms); ymin2, ymax2 (peak RSS, MiB)
#   hlt<q>                 column q's heaplab series: its collector's line type
#   rcolour<q>             column q's reference series: its colour
#   ptitle<q>              column q's panel title (names the solid and the dashed line)
#   missa<q>, missb<q>     what column q lacks (heaplab's side, the reference), "" if nothing
load templates . "/common.gp"
width = 1240
height = 900
do for [fmt in "png svg"] {
    if (fmt eq "png") { eval term_png(width, height) } else { eval term_svg(width, height) }
    set output sprintf("%s.%s", out, fmt)
    set multiplot layout 2, 2 title (note eq "" ? title : title . "\n" . note) font ",14"
    set xrange [xmin:xmax]
    set logscale xy
    set format x "%g"
    set format y "%g"
    set xlabel "n (workload size)"
    # no key: each panel's title names its solid and its dashed line
    set key off
    do for [p = 1:4] {
        q = (p - 1) % 2 + 1
        row = (p - 1) / 2 + 1
        set yrange [(row == 1 ? ymin1 : ymin2):(row == 1 ? ymax1 : ymax2)]
        set ylabel (row == 1 ? "time per run (ms)" : "peak RSS (MiB)")
        set title ((row == 1 ? "time: " : "peak RSS: ") . value(sprintf("ptitle%d", q))) \
            font ",11"
        missa = value(sprintf("missa%d", q))
        missb = value(sprintf("missb%d", q))
        if (missa ne "") {
            set label 11 missa at graph 0.5, graph 0.2 center font ",11" tc rgb missing_colour
        }
        if (missb ne "") {
            set label 12 missb at graph 0.5, graph 0.12 center font ",11" tc rgb missing_colour
        }
        plot data index (2 * (p - 1)) using 1:2 with linespoints lt value(sprintf("hlt%d", q)) \
                 notitle, \
             data index (2 * (p - 1) + 1) using 1:2 with linespoints \
                 lc rgb value(sprintf("rcolour%d", q)) dt ref_dash lw 2 pt 6 ps 1.0 notitle, \
             for [k = 1:(int(word(pfails, p)) > 0 ? 1 : 0)] sprintf("%s-%d.dat", fails, p) \
                 using 1:2 with points pt fail_point ps 2 lw 2 lc rgb fail_colour notitle, \
             for [k = 1:(int(word(pfails, p)) > 0 ? 1 : 0)] sprintf("%s-%d.dat", fails, p) \
                 using 1:2:3 \
                 with labels rotate by 90 left offset 0,0.8 tc rgb fail_colour font ",9" notitle
        unset label 11
        unset label 12
    }
    unset multiplot
}
