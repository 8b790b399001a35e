#!/usr/bin/env bash
# The count at the top of docs/figures.md cannot go stale: recounting the
# results tables (scripts/figures/tally.sh --check) must give the committed
# generated:results-tally block byte for byte.  And the generated:all-timing
# block, which only a full scripts/figures/all.sh run writes, must time the
# steps all.sh runs now, in its order: a step added or renamed since the last
# full run makes it stale.
# usage: cli_figures_tally.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

if VMEMSIM=$VMEMSIM FIG_WORK=$T/fig "$SRC/scripts/figures/tally.sh" --check >"$T/out" 2>&1; then ok; else
  cat "$T/out"; bad "the results-tally block of docs/figures.md is stale: run scripts/figures/tally.sh"; fi

sed -n '/^STEPS=(/,/^)/{s/^  "\(.*\)"$/\1/p}' "$SRC/scripts/figures/all.sh" >"$T/steps"
sed -n '/^<!-- BEGIN generated:all-timing -->$/,/^<!-- END generated:all-timing -->$/{s/^| `\([^`]*\)` |.*/\1/p}' \
  "$SRC/docs/figures.md" >"$T/timed"
if [ -s "$T/steps" ] && cmp -s "$T/steps" "$T/timed"; then ok; else
  diff "$T/steps" "$T/timed"
  bad "the all-timing block of docs/figures.md does not time all.sh's steps: run scripts/figures/all.sh"; fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
