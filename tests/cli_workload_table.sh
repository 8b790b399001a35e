#!/usr/bin/env bash
# docs/workloads.md's first table cannot go stale: each generator's TLB
# misses and CR3 writes per thousand instructions (the runs the paragraph
# above the table describes, the numbers tests/test_workloads.c prints) are
# measured again with this build and must equal the table's, to the digits
# the table quotes (boot's 2 MiB-page TLB misses, in parentheses, too).  A
# seeded fault (one cell changed by one in its last digit) must be caught.
# usage: cli_workload_table.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

DOC=$SRC/docs/workloads.md
# WARMUP: tpch's and hpcc's warm-up, past the load and the initialisation,
# as the figure sweeps measure them (the paragraph above the table)
WARMUP=2000000
# measure GEN REFS WARMUP [RUN OPTION...]: "tlb_per_kinst cr3_per_kinst" of one run
measure() {
  local g=$1 refs=$2 warm=$3
  shift 3
  [ -f "$T/$g.vmt" ] || "$VMEMSIM" gen "$g" refs="$refs" --seed 1 -o "$T/$g.vmt" 2>"$T/err" || { bad "gen $g: $(head -1 "$T/err")"; return; }
  "$VMEMSIM" run -q --warmup-instructions "$warm" "$@" "$T/$g.vmt" --csv "$T/$g.csv" >/dev/null 2>"$T/err" || { bad "run $g: $(head -1 "$T/err")"; return; }
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $1 == "total" { print $(h["tlb_misses_per_kinst"]), $(h["events.cr3_writes"]) * 1000 / $(h["instructions"]) }' "$T/$g.csv"
}
# cell DOC GEN COLUMN: a cell of the table's row of `GEN` (COLUMN counts from 1 at "generator")
cell() { awk -F' *\\| *' -v g="\`$2\`" -v c="$3" '/^\| generator \| seed 003 character/ { t = 1 } t && $2 == g { print $(c + 1); exit }' "$1"; }
# as_quoted QUOTED VALUE: VALUE printed with as many decimals as QUOTED has
as_quoted() { local d=0 int=${1%%.*}; [[ $1 == *.* ]] && d=$((${#1} - ${#int} - 1)); printf "%.${d}f" "$2"; }

# rows: "GEN COLUMN MEASURED" lines, the table's cells measured again
rows() {
  local g refs warm tlb cr3
  for g in worst vpr kbuild boot tpch hpcc; do
    refs=200000 warm=0
    case $g in tpch | hpcc) refs=3000000 warm=$WARMUP ;; esac
    read -r tlb cr3 < <(measure $g $refs $warm)
    echo "$g 4 $tlb"
    echo "$g 5 $cr3"
  done
  read -r tlb _ < <(measure boot 200000 0 -o guest.page_size=2m)
  echo "boot 4m $tlb"
}
rows >"$T/rows"
# check DOC: each measured cell equals DOC's to the digits it quotes
check() {
  local g c v q
  while read -r g c v; do
    if [ "$c" = 4m ]; then
      q=$(cell "$1" "$g" 4 | sed -n 's/.*(\([0-9.]*\) with .*/\1/p')
    else
      q=$(cell "$1" "$g" "$c" | cut -d' ' -f1)
    fi
    if [ -n "$q" ] && [ "$(as_quoted "$q" "$v")" = "$q" ]; then ok; else
      bad "$1: $g's column $c quotes '$q', measured $v: update the table"; fi
  done <"$T/rows"
}
check "$DOC"
[ "$(wc -l <"$T/rows")" -eq 13 ] && ok || bad "not every cell measured"

# the seeded fault: kbuild's TLB misses one higher in the last digit quoted
q=$(cell "$DOC" kbuild 4)
f=$(awk -v q="$q" 'BEGIN { d = index(q, ".") ? length(q) - index(q, ".") : 0; printf "%.*f", d, q + 10 ^ -d }')
sed "s/| $q | /| $f | /" "$DOC" >"$T/bad.md"
caught check "$T/bad.md" "a changed cell of the table went unnoticed"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
