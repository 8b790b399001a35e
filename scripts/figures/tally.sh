#!/usr/bin/env bash
# tally.sh: the count at the top of docs/figures.md -- how many predicted rows
# of the per-seed results tables (the generated:*-results blocks, columns
# result | paper | vmemsim | match | kind) match the paper -- written into
# its generated:results-tally block.  Fitted and structural rows are counted
# apart: they match by construction.  Runs nothing; reads the tables the
# figure scripts wrote.
#   usage: scripts/figures/tally.sh [--check]   (--check: fail if the block is stale)
source "$(dirname "$0")/lib.sh"
DOC=$ROOT/docs/figures.md
body=$(mktemp)
trap 'rm -f "$body" "$body.doc"' EXIT
awk -F'|' '
  /^<!-- BEGIN generated:.*-results -->$/ { t = $0; sub(/^<!-- BEGIN generated:/, "", t); sub(/ -->$/, "", t)
                                            order[++n] = t; next }
  /^<!-- END generated:/ { t = ""; next }
  t != "" && NF == 7 && $2 !~ /^ *result *$/ && $2 !~ /^-+$/ {
    m = $5; k = $6; gsub(/ /, "", m); gsub(/ /, "", k)
    rows[t, k]++; if (m == "yes") yes[t, k]++
  }
  END {
    print "| results table | predicted rows that match | fitted rows that match | structural rows that match |"
    print "|---|---|---|---|"
    for (i = 1; i <= n; i++) {
      t = order[i]
      printf "| `%s` | %d of %d | %d of %d | %d of %d |\n", t, yes[t, "predicted"], rows[t, "predicted"],
             yes[t, "fitted"], rows[t, "fitted"], yes[t, "structural"], rows[t, "structural"]
      P += rows[t, "predicted"]; Y += yes[t, "predicted"]
    }
    printf "| **all** | **%d of %d** | | |\n", Y, P
  }' "$DOC" >"$body"
if [ "${1:-}" = --check ]; then
  doc_block "$DOC" results-tally "$body" "$body.doc"
  cmp -s "$DOC" "$body.doc" || { echo "tally.sh: the results-tally block of $DOC is stale: run scripts/figures/tally.sh" >&2; exit 1; }
else
  doc_block "$DOC" results-tally "$body"
fi
