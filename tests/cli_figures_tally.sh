#!/usr/bin/env bash
# The count at the top of docs/figures.md cannot go stale: recounting the
# results tables (scripts/figures/tally.sh --check) must give the committed
# generated:results-tally block byte for byte.
# usage: cli_figures_tally.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

if VMEMSIM=$VMEMSIM FIG_WORK=$T/fig "$SRC/scripts/figures/tally.sh" --check >"$T/out" 2>&1; then ok; else
  cat "$T/out"; bad "the results-tally block of docs/figures.md is stale: run scripts/figures/tally.sh"; fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
