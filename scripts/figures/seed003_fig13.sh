#!/usr/bin/env bash
# seed003_fig13.sh: seed 003, Figures 13/14 -- per workload, the best of the
# four approaches the paper compares (nested, shadow, shadow-cache,
# shadow-prefetch; approaches within 2% of the fastest are listed together, as
# the paper lists ties), the speedup best/worst, the speedup best shadow /
# nested, and where agile, adaptive and contig stand against that best.
# Sweep: configs/sweeps/seed003_modes.ini.
#   usage: scripts/figures/seed003_fig13.sh      (see lib.sh for VMEMSIM, JOBS, FIG_WORK)
source "$(dirname "$0")/lib.sh"
NAME=seed003_fig13
TIE=1.02 # approaches within 2% of the fastest count as tied (the paper's "nested/shadow+cache")
csv=$(fig_sweep seed003_modes)
csv_cols "$csv" trace machine.mode cycles.total | awk -F, -v tie=$TIE '
  NR == 1 { next }
  { split($1, w, " "); if (!(w[1] in seen)) { seen[w[1]] = 1; order[++n] = w[1] }; c[w[1], $2] = $3 }
  END {
    print "workload,best_approach,speedup_best_over_worst,speedup_best_shadow_over_nested,agile_vs_best,adaptive_vs_best,contig_vs_best"
    split("nested shadow shadow-cache shadow-prefetch", four, " ")
    for (i = 1; i <= n; i++) {
      wl = order[i]; best = worst = c[wl, "nested"]; bs = c[wl, "shadow"]
      for (j = 1; j <= 4; j++) { v = c[wl, four[j]]; if (v < best) best = v; if (v > worst) worst = v
                                 if (j > 1 && v < bs) bs = v }
      names = ""
      for (j = 1; j <= 4; j++) if (c[wl, four[j]] <= best * tie) names = names (names == "" ? "" : "/") four[j]
      printf "%s,%s,%.2f,%.2f,%.3f,%.3f,%.3f\n", wl, names, worst / best, c[wl, "nested"] / bs,
             c[wl, "agile"] / best, c[wl, "adaptive"] / best, c[wl, "contig"] / best
    } }' >"$OUT/$NAME.csv"
awk -F, 'NR > 1 { print $1, $3, $4 }' "$OUT/$NAME.csv" >"$WORK/$NAME.dat"
plot "$NAME" "
set title 'Best of nested/shadow/shadow-cache/shadow-prefetch per workload (seed 003 Fig. 13)'
set ylabel 'speedup (x)'
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set logscale y 2
set yrange [0.25:*]
set grid ytics
set key top left
plot '$WORK/$NAME.dat' using 2:xtic(1) title 'best / worst', '' using 3 title 'best shadow / nested (>1: shadow wins)'
"
