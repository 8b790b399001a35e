#!/usr/bin/env bash
# seed004_tables.sh: seed 004, Tables 1-2, measured: per mode, the mean and
# the largest number of memory references of a page walk with the walk
# caches off and on, on a TLB-hostile workload (worst), and VM exits per
# 1000 instructions on a page-table-heavy one (kbuild).
# Sweep: configs/sweeps/seed004_walkrefs.ini.
#   usage: scripts/figures/seed004_tables.sh     (see lib.sh for VMEMSIM, JOBS, FIG_WORK)
source "$(dirname "$0")/lib.sh"
NAME=seed004_tables
csv=$(fig_sweep seed004_walkrefs)
paste -d, <(csv_cols "$csv" trace machine.mode pwc.enabled refs_per_walk exits.total instructions) \
          <(csv_max_key "$csv" walk_hist) | awk -F, '
  NR == 1 { next }
  { split($1, w, " "); k = $2 SUBSEP $3
    if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
    if (w[1] == "worst") { mean[k] = $4; max[k] = $7 } else exits[k] = 1000 * $5 / $6 }
  END {
    print "mode,refs_per_walk_caches_off,max_refs_caches_off,refs_per_walk_caches_on,max_refs_caches_on,kbuild_exits_per_kinst"
    for (i = 1; i <= n; i++) { m = order[i]
      printf "%s,%.3f,%d,%.3f,%d,%.3f\n", m, mean[m, "false"], max[m, "false"], mean[m, "true"], max[m, "true"], exits[m, "true"] } }' \
  >"$OUT/$NAME.csv"
awk -F, 'NR > 1 { print $1, $2, $3, $4 }' "$OUT/$NAME.csv" >"$WORK/$NAME.dat"
plot "$NAME" "
set title 'References per page walk, worst workload, 4 KiB pages (seed 004 Tables 1-2, measured)'
set ylabel 'memory references per walk'
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set yrange [0:*]
set grid ytics
set key top right
plot '$WORK/$NAME.dat' using 2:xtic(1) title 'mean, caches off', '' using 3 title 'max, caches off', '' using 4 title 'mean, caches on (PWC + nested TLB)'
"
