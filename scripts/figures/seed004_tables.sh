#!/usr/bin/env bash
# seed004_tables.sh: seed 004, Tables 1-2, measured in steady state (after a
# warm-up): per mode, the mean number of memory references of a completed
# page walk and the largest, with the walk caches off and on, on a
# TLB-hostile workload (worst), and VM exits per 1000 instructions on a
# page-table-heavy one (kbuild).  Writes docs/figures/seed004_tables.csv and
# .png, and the generated blocks seed004-tables and seed004-tables-results
# of docs/figures.md.
# Sweep: configs/sweeps/seed004_walkrefs.ini.
#   usage: scripts/figures/seed004_tables.sh     (see lib.sh for VMEMSIM, JOBS, FIG_WORK)
source "$(dirname "$0")/lib.sh"
NAME=seed004_tables
csv=$(fig_sweep seed004_walkrefs)
paste -d, <(csv_cols "$csv" trace machine.mode pwc.enabled refs_per_walk exits.total instructions faults.page \
                            exits.ept_violation) \
          <(csv_max_key "$csv" walk_hist) | awk -F, '
  NR == 1 { next }
  { split($1, w, " "); k = $2 SUBSEP $3
    if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
    if (w[1] == "worst") { mean[k] = $4; max[k] = $9; faults[k] = $7 }
    else { exits[k] = 1000 * $5 / $6; ept[k] = 1000 * $8 / $6 } }
  END {
    print "mode,refs_per_walk_caches_off,max_refs_caches_off,refs_per_walk_caches_on,max_refs_caches_on,worst_faults_caches_off,kbuild_exits_per_kinst,kbuild_ept_violations_per_kinst"
    for (i = 1; i <= n; i++) { m = order[i]
      printf "%s,%.3f,%d,%.3f,%d,%d,%.3f,%.3f\n", m, mean[m, "false"], max[m, "false"], mean[m, "true"], max[m, "true"],
             faults[m, "false"], exits[m, "true"], ept[m, "true"] } }' \
  >"$OUT/$NAME.csv"

# The paper's maximum references of a walk on a TLB miss (Tables 1-2), and
# whether page-table updates go through the VMM ("slow, mediated by VMM")
# or not ("fast direct").
awk -F, -v table="$WORK/$NAME.table" -v results="$WORK/$NAME.results" '
  BEGIN { paper["native"] = 4; paper["nested"] = 24; paper["shadow"] = 4; paper["contig"] = 4
          label["contig"] = "contig (\"our solution\")" }
  NR == 1 { next }
  { l = ($1 in label) ? label[$1] : $1
    tab = tab sprintf("| %s | %d | %d | %.2f | %.2f | %d | %.1f | %.1f |\n", l, paper[$1], $3, $2, $4, $6, $7, $8)
    res = res sprintf("| %s: most references of one walk, caches off | %d | %d | %s | structural |\n",
                      $1, paper[$1], $3, $3 == paper[$1] ? "yes" : "no")
    res = res sprintf("| %s: mean references per completed walk, caches off, at most the maximum | <= %d | %.2f | %s | structural |\n",
                      $1, paper[$1], $2, $2 <= paper[$1] ? "yes" : "no")
    upd = ($1 == "shadow") ? "slow, mediated by VMM" : "fast, direct"
    ok = ($1 == "shadow") ? ($7 > 1) : ($7 - $8 < 0.05)
    res = res sprintf("| %s: page-table updates (kbuild) | %s | %.1f exits / kinst, %.1f of them EPT violations | %s | structural |\n",
                      $1, upd, $7, $8, ok ? "yes" : "no") }
  END {
    print "| mode | paper: max. refs on a TLB miss | measured max, caches off | mean, caches off | mean, caches on | worst: page faults measured | kbuild VM exits / kinst | of which EPT violations |" > table
    print "|---|---|---|---|---|---|---|---|" > table
    printf "%s", tab > table
    print "| result | paper | vmemsim | match | kind |" > results
    print "|---|---|---|---|---|" > results
    printf "%s", res > results }' "$OUT/$NAME.csv"
{
  cat "$WORK/$NAME.table"
  echo
  echo "(scripts/figures/seed004_tables.sh; steady state: every point warms up for 1,000,000 instructions first.)"
} | doc_block "$ROOT/docs/figures.md" seed004-tables -
doc_block "$ROOT/docs/figures.md" seed004-tables-results "$WORK/$NAME.results"

awk -F, 'NR > 1 { print $1, $2, $3, $4 }' "$OUT/$NAME.csv" >"$WORK/$NAME.dat"
plot "$NAME" "
set title 'References per completed page walk, worst, 4 KiB pages, steady state (seed 004 Tables 1-2, measured)'
set ylabel 'memory references per walk'
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set yrange [0:*]
set grid ytics
set key top right
plot '$WORK/$NAME.dat' using 2:xtic(1) title 'mean, caches off', '' using 3 title 'max, caches off', '' using 4 title 'mean, caches on (PWC + nested TLB)'
"
