# A measure against size: one panel per allocator (`panels`), one line per collector
# (`lines`). Used for time against size, peak RSS against size and leaked bytes.
#
# Variables (set by bench/report/chart_lines.c):
#   out      output stem (out.png, out.svg)        title   the chart's title
#   data     blocks of "x y low high", block (p-1)*nlines + (l-1) for panel p, line l;
#            low..high is y's 95% interval (an error bar; low = high = y: none)
#   fails    stem of the failure files: <fails>-<p>.dat holds "x y status" for the
#            configurations of panel p that failed; pfails: their counts, per panel
#            (one file per panel: gnuplot 5.4.4 crashes on a labels plot whose points
#            are all filtered out on a log axis); nfails: the total
#   panels, npanels, lines, nlines   space-separated names and counts
#   nrefs    reference series drawn dashed in every panel: block npanels*nlines + (k-1)
#            for series k, styled by reflabel<k> and refcolour<k> (0 for none)
#   cols, rows                       the grid; the cell after the panels holds the legend
#   xlabel, ylabel, xmin, xmax, ymin, ymax, logx, logy
#   note     a line under the title ("" for none)
#   pint     optional: a point every pint points of a line (the pause CDF's long lines)
#   errorbars  optional: 1 to draw each point's interval (columns 3 and 4)
#   xtics    optional: the x tics as gnuplot's list ("1.25, 2, 6": the heap factors)
#   templates  the folder of these templates (for common.gp)
load templates . "/common.gp"
# gnuplot parses an empty `for [k = 1:0]` clause's title too: give it a string
if (!exists("nrefs")) { nrefs = 0 }
if (!exists("pint")) { pint = 1 }
if (!exists("errorbars")) { errorbars = 0 }
if (!exists("xtics")) { xtics = "" }
if (nrefs == 0) { reflabel1 = ""; refcolour1 = "#000000" }
width = 420 * cols
height = 330 * rows + 40
do for [fmt in "png svg"] {
    if (fmt eq "png") { eval term_png(width, height) } else { eval term_svg(width, height) }
    set output sprintf("%s.%s", out, fmt)
    set multiplot layout rows, cols title (note eq "" ? title : title . "\n" . note) font ",14"
    set xrange [xmin:xmax]
    set yrange [ymin:ymax]
    if (logx) { set logscale x } else { unset logscale x }
    if (logy) { set logscale y } else { unset logscale y }
    set format x "%g"
    if (xtics ne "") { eval sprintf("set xtics (%s)", xtics) }
    set format y "%g"
    set xlabel xlabel
    set ylabel ylabel
    set key off
    do for [p = 1:npanels] {
        set title word(panels, p) font ",12"
        plot for [l = 1:(errorbars ? nlines : 0)] data index ((p - 1) * nlines + (l - 1)) \
                 using 1:2:3:4 with yerrorbars lt l ps 0 lw 1 notitle, \
             for [l = 1:nlines] data index ((p - 1) * nlines + (l - 1)) using 1:2 \
                 with linespoints lt l pi pint notitle, \
             for [k = 1:nrefs] data index (npanels * nlines + k - 1) using 1:2 \
                 with linespoints lc rgb value(sprintf("refcolour%d", k)) dt ref_dash lw 2 \
                 pt 6 ps 1.0 notitle, \
             for [k = 1:(int(word(pfails, p)) > 0 ? 1 : 0)] sprintf("%s-%d.dat", fails, p) \
                 using 1:2 with points pt fail_point ps 2 lw 2 lc rgb fail_colour notitle, \
             for [k = 1:(int(word(pfails, p)) > 0 ? 1 : 0)] sprintf("%s-%d.dat", fails, p) \
                 using 1:2:3 \
                 with labels rotate by 90 left offset 0,0.8 tc rgb fail_colour font ",9" notitle
    }
    # the legend cell
    unset title; unset xlabel; unset ylabel; unset tics; unset border; unset grid
    unset logscale; set xrange [0:1]; set yrange [0:1]
    set key center center vertical box opaque font ",12" spacing 1.4
    plot for [l = 1:nlines] NaN with linespoints lt l title word(lines, l), \
         for [k = 1:nrefs] NaN with linespoints lc rgb value(sprintf("refcolour%d", k)) \
             dt ref_dash lw 2 pt 6 ps 1.0 title value(sprintf("reflabel%d", k)), \
         for [k = 1:(nfails > 0 ? 1 : 0)] NaN with points pt fail_point ps 2 lw 2 lc rgb fail_colour \
             title "failed (status shown)"
    set border; set tics; set grid
    unset multiplot
}
