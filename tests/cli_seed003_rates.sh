#!/usr/bin/env bash
# The generated seed-003 rates table cannot go stale: regenerating it
# (scripts/figures/seed003_rates.sh --check) must give the committed
# docs/figures/seed003_rates.csv and the generated:seed003_rates block of
# docs/workloads.md byte for byte; the kbuild paragraph's first-touch rate
# must be the CSV's.
# usage: cli_seed003_rates.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

if VMEMSIM=$VMEMSIM FIG_WORK=$T/fig "$SRC/scripts/figures/seed003_rates.sh" --check >"$T/out" 2>&1; then ok; else
  cat "$T/out"; bad "docs/figures/seed003_rates.csv or docs/workloads.md is stale: run scripts/figures/seed003_rates.sh"; fi

# the kbuild prose of docs/workloads.md quotes the CSV's first touches
# (to one place); a seeded fault (the number changed) must be caught
ft=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $1 == "kbuild" { printf "%.1f", $(h["first_touches_per_minstr"]) }' \
  "$SRC/docs/figures/seed003_rates.csv")
kbuild_prose() {
  tr -s ' \n' '  ' <"$1" | grep -qF "The generator at its defaults makes $ft first touches per million instructions after the warm-up"
}
kbuild_prose "$SRC/docs/workloads.md" && ok || bad "docs/workloads.md's kbuild paragraph does not quote seed003_rates.csv's $ft first touches per million instructions"
sed "s/defaults makes $ft first/defaults makes 9$ft first/" "$SRC/docs/workloads.md" >"$T/bad.md"
kbuild_prose "$T/bad.md" && bad "a changed first-touch rate in the kbuild paragraph went unnoticed" || ok

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
