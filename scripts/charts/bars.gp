# Grouped bars at one size: time (top) and peak RSS (bottom) of every allocator x
# collector; a cluster per collector, a bar per allocator.
#
# Variables (set by bench/report/chart_bars.c):
#   out, title, note, templates     as in lines.gp
#   data     block 0: "collector t1 lo1 hi1 t2 lo2 hi2 ..." (ms), block 1: the same for
#            peak RSS (MiB): three columns per allocator, the bar and its 95% interval
#            (an error bar), NaN where a configuration failed; with
#            reference series, one more column ("own allocator") that only their
#            clusters fill
#   bars, nbars                     allocator names and count
#   refbar, refbartitle             1 when the "own allocator" column is there, its title
#   fails    stem: <fails>-1.dat (time) and <fails>-2.dat (RSS) hold "x y status" at
#            the failed bars' positions; pfails their counts ("n1 n2")
#   ymax1, ymax2                    the panels' y ranges (from 0)
#   pvalid   per panel, 0 when no bar has a value (every configuration failed)
#   clusters, nclusters             collector names and count
load templates . "/common.gp"
width = 1200
height = 820
do for [fmt in "png svg"] {
    if (fmt eq "png") { eval term_png(width, height) } else { eval term_svg(width, height) }
    set output sprintf("%s.%s", out, fmt)
    set multiplot layout 2, 1 title (note eq "" ? title : title . "\n" . note) font ",14"
    set style data histograms
    set style histogram errorbars gap 1 lw 1
    set style fill solid 0.85 border -1
    set boxwidth 0.9
    set xtics nomirror
    set grid noxtics ytics
    set key outside right top vertical font ",11" spacing 1.3
    set lmargin 12
    do for [panel = 1:2] {
        set yrange [0:(panel == 1 ? ymax1 : ymax2)]
        set ylabel (panel == 1 ? "time per run (ms)" : "peak RSS (MiB)")
        set title (panel == 1 ? "time" : "peak resident memory") font ",12"
        if (int(word(pvalid, panel)) == 0) {
            # every bar failed: gnuplot refuses an empty histogram, so draw the marks
            # on the same x positions with the clusters named by hand
            set xrange [-0.5:nclusters - 0.5]
            set xtics () 
            do for [k = 1:nclusters] { set xtics add (word(clusters, k) k - 1) }
            set label 2 "no configuration succeeded at this size" at graph 0.5, graph 0.6 \
                center font ",11" tc rgb "#555555"
            plot sprintf("%s-%d.dat", fails, panel) using 1:2 with points pt fail_point ps 2 lw 2 \
                     lc rgb fail_colour title "failed", \
                 sprintf("%s-%d.dat", fails, panel) using 1:2:3 with labels rotate by 90 left \
                     offset 0,1 tc rgb fail_colour font ",9" notitle
            unset label 2
            set xrange [*:*]
            set xtics autofreq
            continue
        }
        # (an empty `for` over a histogram column still makes gnuplot count an empty
        # histogram, hence two commands)
        if (refbar) {
            plot for [i = 2:(nbars + 1)] data index (panel - 1) \
                     using (column(3 * i - 4)):(column(3 * i - 3)):(column(3 * i - 2)):xtic(1) lt (i - 1) \
                     title word(bars, i - 1), \
                 data index (panel - 1) \
                     using (column(3 * nbars + 2)):(column(3 * nbars + 3)):(column(3 * nbars + 4)):xtic(1) \
                     lc rgb ref_bar_colour title refbartitle, \
                 for [k = 1:(int(word(pfails, panel)) > 0 ? 1 : 0)] sprintf("%s-%d.dat", fails, panel) \
                     using 1:2 with points pt fail_point ps 2 lw 2 lc rgb fail_colour title "failed", \
                 for [k = 1:(int(word(pfails, panel)) > 0 ? 1 : 0)] sprintf("%s-%d.dat", fails, panel) \
                     using 1:2:3 with labels rotate by 90 left offset 0,1 tc rgb fail_colour \
                     font ",9" notitle
        } else {
            plot for [i = 2:(nbars + 1)] data index (panel - 1) \
                     using (column(3 * i - 4)):(column(3 * i - 3)):(column(3 * i - 2)):xtic(1) lt (i - 1) \
                     title word(bars, i - 1), \
                 for [k = 1:(int(word(pfails, panel)) > 0 ? 1 : 0)] sprintf("%s-%d.dat", fails, panel) \
                     using 1:2 with points pt fail_point ps 2 lw 2 lc rgb fail_colour title "failed", \
                 for [k = 1:(int(word(pfails, panel)) > 0 ? 1 : 0)] sprintf("%s-%d.dat", fails, panel) \
                     using 1:2:3 with labels rotate by 90 left offset 0,1 tc rgb fail_colour \
                     font ",9" notitle
        }
    }
    unset multiplot
}
