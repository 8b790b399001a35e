#!/usr/bin/env bash
# all.sh: regenerates every figure and table of docs/figures.md, one command
# after another (each is also runnable alone), printing each step as it
# starts and its wall time as it ends.  At the end it writes what it measured
# (each step's wall and CPU time, the total wall and CPU time, the load
# average at the start, after each step and at the end, the commit) into
# docs/figures.md's generated:all-timing block, so the time the doc quotes is
# the last full run's and says what else the machine was doing; the seed 002
# VM-scale experiments (seed002_vmscale.sh) are the longest step.  It also
# lists any file it left in the tree that git does not track (a figure
# script writing where it should not), and fails if there is one.  scripts/ckpt_calibrate.sh runs
# before the seed 000 figures: it writes the calibration they use and the
# seeds 000/001 results tables (it needs the ckpt_calibrate target, which the
# default build makes).
#   usage: scripts/figures/all.sh                (see lib.sh for VMEMSIM, JOBS, FIG_WORK)
source "$(dirname "$0")/lib.sh"
D=$(dirname "$0")
T0=$(date +%s)
N=0
# The 1-minute load average: on a shared machine the wall time measures the
# other users as much as the scripts, so the block records it.
load1() { cut -d' ' -f1 /proc/loadavg; }
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
# child_cpu: CU and CS, the children's user and system CPU seconds so far,
# from the `times` builtin.  It must run in this shell, never in a subshell
# (as in $(child_cpu)), whose children's times start at zero.
child_cpu() {
  local t
  t=$(mktemp)
  times >"$t"
  read -r CU CS < <(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, a, "m"); s[i] = a[1] * 60 + a[2] }
    printf "%.0f %.0f\n", s[1], s[2] }' "$t")
  rm -f "$t"
}
UNTRACKED0=$(git -C "$ROOT" ls-files --others --exclude-standard | sort)
STEPS=(
  "seed003_fig13.sh"
  "seed003_fig14.sh"
  "seed003_fig15.sh"
  "seed003_fig16.sh"
  "seed003_agile.sh"
  "seed003_gaps.sh"
  "seed003_switch.sh"
  "seed003_vpr.sh"
  "seed003_kmap.sh"
  "seed003_rates.sh"
  "seed004_tables.sh"
  "../ckpt_calibrate.sh"
  "../ds_tables.sh"
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
  child_cpu
  c0=$((CU + CS))
  echo "all.sh: [$N/${#STEPS[@]}] $step (started at +$((t - T0)) s, load $(load1))" >&2
  # shellcheck disable=SC2086 # a step may carry its arguments
  "$D"/$step
  dt=$(($(date +%s) - t))
  child_cpu
  dc=$((CU + CS - c0))
  ROWS+="| \`$step\` | $dt | $dc | $(load1) |"$'\n'
  echo "all.sh: [$N/${#STEPS[@]}] $step done in $dt s wall, $dc s CPU" >&2
done
WALL=$(($(date +%s) - T0))
child_cpu
CPU_USER=$CU CPU_SYS=$CS
{
  echo "Measured by \`scripts/figures/all.sh\` at commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)," \
    "finished $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) CPUs, JOBS=$JOBS: $WALL s of wall time and" \
    "$((CPU_USER + CPU_SYS)) s of CPU ($CPU_USER s user, $CPU_SYS s system). What else the machine was doing:" \
    "its load average (1, 5, 15 min) was $LOAD0 at the start and $(cut -d' ' -f1-3 /proc/loadavg) at the end" \
    "(the table gives the 1-minute value after each step); with $(nproc) CPUs, a load above $(nproc) means" \
    "other work was waiting for the CPUs too, which lengthens the wall time, not the CPU time."
  echo
  echo "| step | wall time (s) | CPU time (s) | load after it |"
  echo "|---|---|---|---|"
  printf '%s' "$ROWS"
} | doc_block "$ROOT/docs/figures.md" all-timing -
echo "all.sh: all ${#STEPS[@]} steps done in $WALL s wall, $((CPU_USER + CPU_SYS)) s CPU" >&2
# Every file a step writes into the tree is a tracked output (docs/figures/,
# the docs' generated blocks); anything new and untracked is a stray.
STRAY=$(comm -13 <(printf '%s\n' "$UNTRACKED0") <(git -C "$ROOT" ls-files --others --exclude-standard | sort) | sed '/^$/d')
if [ -n "$STRAY" ]; then
  echo "all.sh: these files were left in the tree and are not tracked by git:" >&2
  sed 's/^/  /' <<<"$STRAY" >&2
  exit 1
fi
