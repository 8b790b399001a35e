#!/usr/bin/env bash
# The sharing docs cannot go stale: every calibration value that
# docs/sharing.md quotes in its prose ("Costs and calibrations") must be the
# value in configs/share/*.ini, and the CoW table (generated:seed002-cow) and
# the results row of docs/figures.md must hold docs/figures/seed002_cow.csv's
# numbers, and the prose's current totals of this machine's calibration the
# CSV's.  Seeded faults (a wrong value) prove the checks can fail.
# usage: cli_share_docs.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

# th N: N with thousands separators, as the docs print it
th() { printf '%s' "$1" | rev | sed -E 's/([0-9]{3})/\1,/g; s/,$//' | rev; }
ini() { awk -F' *= *' -v k="$2" '$1 == k { print $2 }' "$SRC/configs/share/$1.ini"; }
# quoted DOC CAL KEY PHRASE: DOC has a line with PHRASE followed by the value
# of KEY in CAL (PHRASE is a fixed string; %s marks where the value goes)
quoted() {
  local want=${4//%s/$(th "$(ini "$2" "$3")")}
  if grep -qF -- "$want" "$1"; then ok; else bad "$1 does not quote $2.ini's $3 as '$want'"; fi
}
DOC=$SRC/docs/sharing.md
check_calibrations() {
  quoted "$1" thesis-athlon700 hash_sfh "SFH %s;"
  quoted "$1" thesis-athlon700 compare "compare %s;"
  quoted "$1" thesis-athlon700 copy "copy %s;"
  quoted "$1" thesis-athlon700 zero_check "zero check %s;"
  quoted "$1" thesis-athlon700 map "map %s;"
  quoted "$1" thesis-athlon700 unmap "unmap %s;"
  quoted "$1" thesis-athlon700 alloc "alloc %s;"
  quoted "$1" thesis-athlon700 cow_convert "convert %s."
  quoted "$1" thesis-athlon700 p2m_update "set entries %s."
  quoted "$1" thesis-athlon700 shadow_traversal "\`shadow_remove_all_access\` %s:"
  quoted "$1" thesis-athlon700 cow_fault "The fault's entry and exit, %s:"
  quoted "$1" current hash_sfh "SFH %s cycles/page"
  quoted "$1" current hash_xxh64 "XXH64 %s ("
  quoted "$1" current compare "memcmp of identical cache-cold pages %s;"
  quoted "$1" current copy "\`copy\` = %s cycles"
  quoted "$1" current cow_fault "\`cow_fault\` = %s cycles"
  quoted "$1" current alloc "\`alloc\` = %s cycles"
  quoted "$1" current zero_check "zero check %s."
  quoted "$1" current pte_update "\`pte_update\` = %s cycles"
  quoted "$1" current cow_convert "\`cow_convert\` = %s cycles"
  quoted "$1" current p2m_update "\`p2m_update\` = %s cycles is an **estimate**"
}
check_calibrations "$DOC"

# the seeded fault: the same check on a copy with one value changed must fail
sed 's/SFH 22,000;/SFH 22,001;/' "$DOC" >"$T/bad.md"
before=$fails
check_calibrations "$T/bad.md" >/dev/null
if [ $((fails - before)) -eq 1 ]; then fails=$before; ok; else bad "a changed calibration value went unnoticed"; fi

# the CoW table and the results row against the CSV
CSV=$SRC/docs/figures/seed002_cow.csv
while IFS=, read -r cal mc part cycles; do
  [ "$cal" = thesis-athlon700 ] && [ "$mc" = shadow ] || continue
  if [ "$part" = total ]; then
    row="| **sum: vmemsim's price of one break** | **$(th "$cycles")** |"
    grep -qF -- "| Table 8.3 break CoW by copy (cycles; from its parts) | 2422795 | $cycles |" "$SRC/docs/figures.md" &&
      ok || bad "docs/figures.md's Table 8.3 row does not hold $CSV's total $cycles"
  else
    row="| $part | $(th "$cycles") |"
  fi
  if grep -qxF -- "$row" "$DOC"; then ok; else bad "docs/sharing.md lacks the row '$row' of $CSV: run scripts/figures/seed002_cow.sh"; fi
done <"$CSV"

# the prose on this machine's calibration (outside the block) quotes the
# CSV's current totals: the nested break, in cycles and in ns at
# current.ini's clock, against the measured break it quotes (bench_cow's
# median, an input), and both totals after review 13's retiming
cur() { awk -F, -v m="$1" '$1 == "current" && $2 == m && $3 == "total" { print $4 }' "$CSV"; }
check_current() {
  local text nested shadow mhz measured ns
  text=$(tr -s ' \n' '  ' <"$1")
  nested=$(cur nested) shadow=$(cur shadow) mhz=$(ini current freq_mhz)
  measured=$(printf '%s\n' "$text" | grep -o "child still maps it, took [0-9,]* ns" | grep -o "[0-9,]* ns" | tr -d ', ns')
  ns=$(awk -v c="$nested" -v f="$mhz" 'BEGIN { printf "%.0f", c * 1000 / f }')
  has_phrases "$text" "$1 (the current totals of $CSV)" \
    "rest: $(th "$nested") cycles ($(th "$ns") ns), $(awk -v n="$ns" -v m="${measured:-0}" 'BEGIN { printf "%.1f", (n / m - 1) * 100 }')% above the measured break." \
    "and the nested break from 6,896 to $(th "$nested") cycles" \
    "Under shadow paging the break moved from 1,664,176 to $(th "$shadow") cycles"
}
check_current "$DOC"
sed 's/rest: \([0-9,]*\) cycles (\([0-9,]*\) ns), \([0-9.]*\)% above/rest: \1 cycles (\2 ns), 9\3% above/' "$DOC" >"$T/bad_current.md"
caught check_current "$T/bad_current.md" "a changed percentage of the nested break went unnoticed"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
