#!/usr/bin/env bash
# The generated seed-003 rates table cannot go stale: regenerating it
# (scripts/figures/seed003_rates.sh --check) must give the committed
# docs/figures/seed003_rates.csv and the generated:seed003_rates block of
# docs/workloads.md byte for byte.
# usage: cli_seed003_rates.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

if VMEMSIM=$VMEMSIM FIG_WORK=$T/fig "$SRC/scripts/figures/seed003_rates.sh" --check >"$T/out" 2>&1; then ok; else
  cat "$T/out"; bad "docs/figures/seed003_rates.csv or docs/workloads.md is stale: run scripts/figures/seed003_rates.sh"; fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
