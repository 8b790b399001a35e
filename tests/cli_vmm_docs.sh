#!/usr/bin/env bash
# docs/vmm.md's agile measurements cannot go stale: the tables of the
# generated:seed003_agile block and the ratios in the
# generated:seed003_agile-findings block must hold the numbers of
# docs/figures/seed003_agile.csv (both are written by
# scripts/figures/seed003_agile.sh; rerun it when this fails), and the table
# of the generated:seed003-agile-slow block the rows of
# docs/figures/seed003_agile_slow.csv (scripts/figures/seed003_agile_slow.sh), and
# the table of the generated:seed003-handler block the rows of
# docs/figures/seed003_handler.csv (scripts/figures/seed003_handler.sh).
# A seeded fault (one changed number) proves each check can fail.
# usage: cli_vmm_docs.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

CSV=$SRC/docs/figures/seed003_agile.csv
SLOW_CSV=$SRC/docs/figures/seed003_agile_slow.csv
HANDLER_CSV=$SRC/docs/figures/seed003_handler.csv
# block DOC NAME: the lines between the doc's generated:NAME markers
block() { awk -v b="<!-- BEGIN generated:$2 -->" -v e="<!-- END generated:$2 -->" '$0 == e { p = 0 } p; $0 == b { p = 1 }' "$1"; }
# cell MACHINE WORKLOAD MODE COLUMN: one value of the CSV, by column name
cell() {
  awk -F, -v m="$1" -v w="$2" -v o="$3" -v c="$4" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $1 == m && $2 == w && $3 == o { print $(col[c]) }' "$CSV"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
steady() { ratio "$(cell "$1" "$2" "$3" steady_cycles_per_interval)" "$(cell "$1" "$2" shadow steady_cycles_per_interval)"; }
whole() { ratio "$(cell "$1" "$2" "$3" cycles)" "$(cell "$1" "$2" shadow cycles)"; }

check_doc() {
  local tables findings
  tables=$(block "$1" seed003_agile)
  # the findings as one line, so that a phrase may span the doc's line breaks
  findings=$(block "$1" seed003_agile-findings | tr -s ' \n' '  ')
  [ -n "$tables" ] && [ -n "$findings" ] && ok || bad "$1 lacks a generated:seed003_agile block"
  while IFS=, read -r m wl mode cycles _ _ _ _ _ exits _ _ _ steady_cycles _; do
    [ "$m" = machine ] && continue
    # each run's row: whole-run cycles first, its exits and steady cycles further on
    if printf '%s\n' "$tables" | grep -F -- "| $wl | $mode | $cycles |" | grep -F -- "| $exits |" | grep -qF -- "| $steady_cycles |"; then
      ok
    else
      bad "$1: no row for $m $wl $mode with cycles $cycles, exits $exits, steady cycles $steady_cycles"
    fi
  done <"$CSV"
  local phrase
  for phrase in \
    "Over the whole run agile / shadow is $(whole barcelona worst agile) on worst and $(whole barcelona vpr agile) on vpr" \
    "agile / shadow is $(steady barcelona worst agile) on worst and $(steady barcelona vpr agile) on vpr" \
    "nested / shadow is $(steady barcelona worst nested) and $(steady barcelona vpr nested)" \
    "steady nested / shadow is $(steady barcelona-real worst nested) on worst"; do
    case "$findings" in *"$phrase"*) ok ;; *) bad "$1: the findings lack '$phrase'" ;; esac
  done
}
check_doc "$SRC/docs/vmm.md"

# caught CHECK DOC MESSAGE: CHECK, run on DOC (a copy with a seeded fault),
# must fail at least once; its failures are then not counted
caught() {
  local before=$fails
  "$1" "$2" >/dev/null
  if [ $((fails - before)) -ge 1 ]; then fails=$before; ok; else bad "$3"; fi
}

# the seeded fault: the same check on a copy with one ratio changed must fail
steady_worst=$(steady barcelona worst agile)
sed "s|agile / shadow is $steady_worst on|agile / shadow is 9.999 on|" "$SRC/docs/vmm.md" >"$T/bad.md"
caught check_doc "$T/bad.md" "a changed ratio in the findings went unnoticed"

# check_rows DOC BLOCK CSV ROW: each data row of CSV is a line of the table
# of DOC's generated:BLOCK block.  ROW, given the row, sets want1 and want2,
# two strings that one line of the table must both hold, and what, the row
# named for the error.
check_rows() {
  local table row
  table=$(block "$1" "$2")
  [ -n "$table" ] && ok || bad "$1 lacks a generated:$2 block"
  while IFS= read -r row; do
    "$4" "$row"
    if printf '%s\n' "$table" | grep -F -- "$want1" | grep -qF -- "$want2"; then
      ok
    else
      bad "$1: no $2 row for $what"
    fi
  done < <(sed 1d "$3")
}

# slow_row ROW: a row of seed003_agile_slow.csv -- machine, workload, best
# approach, agile / best, and the level-1 walk misses that end it
slow_row() {
  local m wl best ratio miss_a miss_b lab=Opteron
  IFS=, read -r m wl best ratio _ _ _ _ _ _ _ _ _ _ miss_a miss_b <<<"$1"
  [ "$m" = simics ] && lab=SIMICS
  want1="| $lab | $wl | $best | $(printf '%.4f' "$ratio") |"
  want2="| $miss_a / $miss_b |"
  what="$m $wl against $best with ratio $ratio, walk misses $miss_a / $miss_b"
}
check_slow() { check_rows "$1" seed003-agile-slow "$SLOW_CSV" slow_row; }
check_slow "$SRC/docs/vmm.md"
first_miss=$(awk -F, 'NR == 2 { print $15 }' "$SLOW_CSV")
sed "s/| $first_miss \//| 1$first_miss \//" "$SRC/docs/vmm.md" >"$T/bad_slow.md"
caught check_slow "$T/bad_slow.md" "a changed walk-miss count in seed003-agile-slow went unnoticed"

# handler_row ROW: a row of seed003_handler.csv (one VMM, machine, workload
# and handler-cost set) -- its best set, best / worst and nested / best shadow
handler_row() {
  local vmm m wl pt best bw nbs lab=Opteron
  IFS=, read -r vmm m wl pt best _ bw nbs <<<"$1"
  [ "$m" = simics ] && lab=SIMICS
  want1="| $vmm, $lab | $wl |"
  want2="| $best | ${bw}x | ${nbs}x |"
  what="$vmm $m $wl (exit_pt_write $pt) with $best, ${bw}x, ${nbs}x"
}
check_handler() { check_rows "$1" seed003-handler "$HANDLER_CSV" handler_row; }
check_handler "$SRC/docs/vmm.md"
first_bw=$(awk -F, 'NR == 2 { print $7 }' "$HANDLER_CSV")
sed "s/| ${first_bw}x |/| 9${first_bw}x |/" "$SRC/docs/vmm.md" >"$T/bad_handler.md"
caught check_handler "$T/bad_handler.md" "a changed best / worst in seed003-handler went unnoticed"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
