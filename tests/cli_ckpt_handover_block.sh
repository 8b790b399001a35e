#!/usr/bin/env bash
# docs/checkpoint.md's hand-over measurement cannot go stale: the
# generated:ckpt-handover block must be what bench/ckpt_handover_table.sh
# writes from the committed raw rows, bench/results/ckpt_handover.csv (rerun
# bench/ckpt_handover.sh when this fails).  The table's cells are also
# rebuilt here from the CSV without the script (the private copy's range and
# every run's helper / private, per W), so a fault in the script fails too.
# Seeded faults: one changed number in the doc, one in the CSV, and a row
# that is not the bench's (which the script must reject, naming the line).
# usage: cli_ckpt_handover_block.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

CSV=$SRC/bench/results/ckpt_handover.csv
DOC=$SRC/docs/checkpoint.md
TABLE=$SRC/bench/ckpt_handover_table.sh
block() { awk -v b="<!-- BEGIN generated:$2 -->" -v e="<!-- END generated:$2 -->" '$0 == e { p = 0 } p; $0 == b { p = 1 }' "$1"; }

# same DOC CSV: the doc's block is the script's rendering of CSV
same() { cmp -s <(block "$1" ckpt-handover) <("$TABLE" "$2"); }
if same "$DOC" "$CSV"; then ok; else bad "$DOC: generated:ckpt-handover is not bench/ckpt_handover_table.sh $CSV"; fi

# naive rows: per W, "| W | runs | lo-hi |" of the private medians and the helper ratios in ascending order
for w in $(awk -F, '!/^#/ && NR > 2 { print $2 }' "$CSV" | sort -un); do
  runs=$(awk -F, -v w="$w" '!/^#/ && $2 == w && $3 == "private"' "$CSV" | wc -l)
  lo=$(awk -F, -v w="$w" '!/^#/ && $2 == w && $3 == "private" { print $4 }' "$CSV" | sort -n | head -1)
  hi=$(awk -F, -v w="$w" '!/^#/ && $2 == w && $3 == "private" { print $4 }' "$CSV" | sort -n | tail -1)
  ns=$lo
  [ "$lo" = "$hi" ] || ns="$lo-$hi"
  helpers=$(awk -F, -v w="$w" '!/^#/ && $2 == w && $3 == "helper" { printf "%.2f\n", $7 }' "$CSV" | sort -g | paste -sd, - | sed 's/,/, /g')
  if block "$DOC" ckpt-handover | grep -F -- "| $w | $runs | $ns |" | grep -qF -- "| $helpers |"; then
    ok
  else
    bad "$DOC: no ckpt-handover row for W=$w: $runs runs, private $ns ns, helper / private $helpers"
  fi
done

# the prose under the block: its ranges over all runs are the CSV's, and
# "neither costs anything by itself" holds (shared and control within 10 %
# of the private copy or below it)
span() { awk -F, -v m="$1" '!/^#/ && $3 == m { v = $7 + 0; if (n++ == 0 || v < lo) lo = v; if (v > hi) hi = v }
  END { printf "%.2f-%.2f", lo, hi }' "$CSV"; }
text=$(tr -s ' \n' '  ' <"$DOC")
h=$(span helper)
for phrase in \
  "Neither costs anything by itself: shared memory is $(span shared) times the private copy, and the control $(span busy)." \
  "added to every copy, by $(awk -v s="$h" 'BEGIN { split(s, x, "-"); printf "%.0f-%.0f", (x[1] - 1) * 100, (x[2] - 1) * 100 }') % (helper / private $h"; do
  case "$text" in *"$phrase"*) ok ;; *) bad "$DOC lacks '$phrase' (bench/results/ckpt_handover.csv)" ;; esac
done
awk -F, '!/^#/ && ($3 == "shared" || $3 == "busy") && $7 + 0 > 1.10 { bad = 1 } END { exit bad }' "$CSV" && ok ||
  bad "$CSV: the shared or control copy costs more than 1.10 times the private one: the prose says neither costs anything"
awk -F, '!/^#/ && $3 == "helper" && $7 + 0 <= 1 { bad = 1 } END { exit bad }' "$CSV" && ok ||
  bad "$CSV: a run where the helper added nothing: the prose says it added to every copy"

# seeded faults: a changed number in the doc, then in the CSV
sed '/BEGIN generated:ckpt-handover/,/END generated:ckpt-handover/ s/| 0 | \([0-9]*\) | /| 0 | \1 | 9/' "$DOC" >"$T/bad.md"
if same "$T/bad.md" "$CSV"; then bad "a changed number in the ckpt-handover block went unnoticed"; else ok; fi
awk -F, -v OFS=, '!/^#/ && $3 == "helper" && !done { $7 = $7 + 1; done = 1 } 1' "$CSV" >"$T/bad.csv"
if same "$DOC" "$T/bad.csv"; then bad "a changed helper ratio in the CSV went unnoticed"; else ok; fi
# bad input: a row that is not the bench's is rejected with the file and line
{ head -n 3 "$CSV"; echo "0,0,private,fast"; } >"$T/short.csv"
expect 1 "short.csv:4: not a row of the bench" -- "$TABLE" "$T/short.csv"
expect 1 "cannot read" -- "$TABLE" "$T/none.csv"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
