#!/usr/bin/env bash
# seed003_fig15.sh: seed 003, Figure 15 ("Benchmark run-time") -- simulated
# run time of each workload under each translation mode, and its ratio to
# native.  Sweep: configs/sweeps/seed003_modes.ini.
#   usage: scripts/figures/seed003_fig15.sh      (see lib.sh for VMEMSIM, JOBS, FIG_WORK)
source "$(dirname "$0")/lib.sh"
NAME=seed003_fig15
csv=$(fig_sweep seed003_modes)
# workload,mode,cycles,seconds,vs_native
csv_cols "$csv" trace machine.mode cycles.total cycles.seconds | awk -F, '
  NR == 1 { print "workload,mode,cycles,seconds,vs_native"; next }
  { split($1, w, " "); if ($2 == "native") base[w[1]] = $3
    row[NR] = w[1] "," $2 "," $3 "," $4; wl[NR] = w[1]; cy[NR] = $3 }
  END { for (i = 2; i <= NR; i++) printf "%s,%.4f\n", row[i], cy[i] / base[wl[i]] }' >"$OUT/$NAME.csv"
# gnuplot table: one row per workload, one column per mode (ratio to native)
awk -F, 'NR > 1 { if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
                  if (!($2 in ms)) { ms[$2] = 1; modes[++m] = $2 }; v[$1, $2] = $5 }
  END { printf "workload"; for (j = 1; j <= m; j++) printf " %s", modes[j]; print ""
        for (i = 1; i <= n; i++) { printf "%s", order[i]; for (j = 1; j <= m; j++) printf " %s", v[order[i], modes[j]]; print "" } }' \
  "$OUT/$NAME.csv" >"$WORK/$NAME.dat"
plot "$NAME" "
set title 'Simulated run time per workload and mode, relative to native (seed 003 Fig. 15)'
set ylabel 'cycles / native cycles'
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set logscale y 2
set yrange [0.8:*]
set grid ytics
set key outside right top vertical
plot for [c=2:9] '$WORK/$NAME.dat' using c:xtic(1) title columnheader(c)
"
