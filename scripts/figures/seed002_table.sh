#!/usr/bin/env bash
# seed002_table.sh: writes seed 002's results table (docs/figures/seed002_results.csv,
# made by seed002_vmscale.sh) into docs/figures.md between
# <!-- BEGIN generated:seed002-results --> and <!-- END generated:seed002-results -->,
# with the count of predicted rows that match at the top.  Run by
# seed002_vmscale.sh; runnable alone after it.
#   usage: scripts/figures/seed002_table.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/seed002_lib.sh"
R=$OUT/seed002_results.csv
[ -s "$R" ] || { echo "figures: $R is missing: run seed002_vmscale.sh" >&2; exit 1; }

TABLE=$(awk -F, '
  NR == 1 { next }
  { rows[++n] = "| " $1 " | " $2 " | " $3 " | " $4 " | " $5 " |"
    if ($5 == "predicted") { p++; if ($4 == "yes") py++ }
    if ($5 == "fitted") { f++; if ($4 == "yes") fy++ } }
  END {
    printf "Predicted rows that match (within 10%%, or the same finding): **%d of %d** (before: 0; no Chapter 7 result was attempted). Fitted rows that match: %d of %d.\n\n", py, p, fy, f
    print "| result | paper | vmemsim | match | kind |"
    print "|---|---|---|---|---|"
    for (i = 1; i <= n; i++) print rows[i] }' "$R")
write_block "$ROOT/docs/figures.md" seed002-results "$TABLE"
