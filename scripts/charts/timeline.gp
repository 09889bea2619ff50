# Memory over time: live object bytes during one run, a line per collector; collection
# ends are marked, so mark_sweep's sawtooth shows where each collection cut it down.
#
# Variables (set by bench/report/chart_timelines.c):
#   out, title, note, templates     as in lines.gp
#   files, names, n    the timeline files (time_ns live_bytes event) and their legends
load templates . "/common.gp"
width = 1200
height = 520
do for [fmt in "png svg"] {
    if (fmt eq "png") { eval term_png(width, height) } else { eval term_svg(width, height) }
    set output sprintf("%s.%s", out, fmt)
    set title (note eq "" ? title : title . "\n" . note) font ",14"
    set xlabel "time since the run started (ms)"
    set ylabel "live object bytes (MiB)"
    set yrange [0:*]
    set xrange [0:*]
    set key outside right top vertical font ",11" spacing 1.3
    plot for [i = 1:n] word(files, i) using ($1 / 1e6):($2 / 1048576.0) with lines lt i \
             title word(names, i), \
         for [i = 1:n] word(files, i) \
             using ($1 / 1e6):(strcol(3) eq "collection_end" ? $2 / 1048576.0 : NaN) \
             with points lt i pt 6 ps 0.6 notitle
}
