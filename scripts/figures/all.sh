#!/usr/bin/env bash
# all.sh: regenerates every figure and table of docs/figures.md, one command
# after another (each is also runnable alone), and prints each step's wall
# time as it goes.  The measured total is in docs/figures.md ("Figures of
# the seed papers, regenerated"); the seed 002 VM-scale experiments
# (seed002_vmscale.sh) are the longest step.
#   usage: scripts/figures/all.sh                (see lib.sh for VMEMSIM, JOBS, FIG_WORK)
set -euo pipefail
D=$(dirname "$0")
T0=$(date +%s)
N=0
STEPS=(
  "seed003_fig13.sh"
  "seed003_fig14.sh"
  "seed003_fig15.sh"
  "seed003_fig16.sh"
  "seed003_agile.sh"
  "seed003_gaps.sh"
  "seed003_rates.sh"
  "seed004_tables.sh"
  "seed000_ckpt.sh all"
  "seed000_fig09.sh"
  "seed002_sharing.sh"
  "seed002_timeline.sh"
  "seed002_cpython.sh"
  "seed002_sizing.sh"
  "seed002_cow.sh"
  "seed002_vmscale.sh"
  "seed004_fig8_11.sh"
  "tally.sh"
)
for step in "${STEPS[@]}"; do
  N=$((N + 1))
  t=$(date +%s)
  echo "all.sh: [$N/${#STEPS[@]}] $step (started at +$((t - T0)) s)" >&2
  # shellcheck disable=SC2086 # a step may carry its arguments
  "$D"/$step
  echo "all.sh: [$N/${#STEPS[@]}] $step done in $(($(date +%s) - t)) s" >&2
done
echo "all.sh: all ${#STEPS[@]} steps done in $(($(date +%s) - T0)) s wall" >&2
