#!/usr/bin/env bash
# all.sh: regenerates every figure and table of docs/figures.md, one command
# after another (each is also runnable alone), printing each step as it
# starts and its wall time as it ends.  At the end it writes what it measured
# (each step's wall time, the total wall and CPU time, the load average, the
# commit) into docs/figures.md's generated:all-timing block, so the time the
# doc quotes is the last full run's; the seed 002 VM-scale experiments
# (seed002_vmscale.sh) are the longest step.  scripts/ckpt_calibrate.sh runs
# before the seed 000 figures: it writes the calibration they use and the
# seeds 000/001 results tables (it needs the ckpt_calibrate target, which the
# default build makes).
#   usage: scripts/figures/all.sh                (see lib.sh for VMEMSIM, JOBS, FIG_WORK)
source "$(dirname "$0")/lib.sh"
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
  "../ckpt_calibrate.sh"
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
ROWS=""
for step in "${STEPS[@]}"; do
  N=$((N + 1))
  t=$(date +%s)
  echo "all.sh: [$N/${#STEPS[@]}] $step (started at +$((t - T0)) s)" >&2
  # shellcheck disable=SC2086 # a step may carry its arguments
  "$D"/$step
  dt=$(($(date +%s) - t))
  ROWS+="| \`$step\` | $dt |"$'\n'
  echo "all.sh: [$N/${#STEPS[@]}] $step done in $dt s" >&2
done
WALL=$(($(date +%s) - T0))
# The CPU time of every step: the shell's children's user and system time,
# from the `times` builtin (run in this shell, not a subshell, whose
# children's times start at zero).
TIMES=$(mktemp)
times >"$TIMES"
read -r CPU_USER CPU_SYS < <(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, a, "m"); s[i] = a[1] * 60 + a[2] }
  printf "%.0f %.0f\n", s[1], s[2] }' "$TIMES")
rm -f "$TIMES"
{
  echo "Measured by \`scripts/figures/all.sh\` at commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)," \
    "finished $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) CPUs (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)," \
    "JOBS=$JOBS): $WALL s of wall time and $((CPU_USER + CPU_SYS)) s of CPU ($CPU_USER s user, $CPU_SYS s system)."
  echo
  echo "| step | wall time (s) |"
  echo "|---|---|"
  printf '%s' "$ROWS"
} | doc_block "$ROOT/docs/figures.md" all-timing -
echo "all.sh: all ${#STEPS[@]} steps done in $WALL s wall, $((CPU_USER + CPU_SYS)) s CPU" >&2
