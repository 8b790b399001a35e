#!/usr/bin/env bash
# bench/ckpt_handover.sh: bench_ckpt_handover (what handing a dirty page to a
# checkpoint helper on the other core costs the application; its header gives
# the method) RUNS times, the work between copies alternating between the
# values of WORKS run by run, so a change in the machine's load hits both
# alike.  Writes every run's four modes to bench/results/ckpt_handover.csv (the
# raw data, committed) and then the generated block ckpt-handover of
# docs/checkpoint.md from that CSV alone (bench/ckpt_handover_table.sh, which
# tests/cli_ckpt_handover_block.sh runs to check the block against the CSV).
# Never run by CTest.  About 1.5 min a run on a loaded 2-vCPU machine.
#   bench/ckpt_handover.sh [BUILD_DIR]      (default: build)
#   env: RUNS (default 10), WORKS (default "0 5000": back to back, and about
#        7 us of the application's own work between copies), PAGES (20000),
#        ROUNDS (5), CSV (default bench/results/ckpt_handover.csv),
#        DOC (default docs/checkpoint.md)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
B=${1:-build}
RUNS=${RUNS:-10}
read -ra WORKS <<<"${WORKS:-0 5000}"
PAGES=${PAGES:-20000}
ROUNDS=${ROUNDS:-5}
CSV=${CSV:-bench/results/ckpt_handover.csv}
DOC=${DOC:-docs/checkpoint.md}
BIN=$B/bench/bench_ckpt_handover
[ -x "$BIN" ] || { echo "bench/ckpt_handover.sh: no $BIN (build first)" >&2; exit 1; }

tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.run"' EXIT
{
  printf '# bench_ckpt_handover %s %s W, commit %s, %s CPUs, load average %s at the start\n' \
    "$PAGES" "$ROUNDS" "$(git rev-parse --short HEAD)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "run,work,mode,copy_ns_median,p25,p75,relative_to_private,helper_read_percent,load1"
} >"$tmp"
for ((r = 0; r < RUNS; r++)); do
  w=${WORKS[r % ${#WORKS[@]}]}
  nice "$BIN" "$PAGES" "$ROUNDS" "$w" >"$tmp.run"
  # "# the helper read 100.0 % of the published pages ...": did it keep up?
  read_pct=$(awk '/^# the helper read/ { print $5 }' "$tmp.run")
  [ -n "$read_pct" ] || { echo "bench/ckpt_handover.sh: run $r printed no helper line" >&2; exit 1; }
  awk -F, -v r="$r" -v w="$w" -v h="$read_pct" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
    'NR > 1 && !/^#/ { print r "," w "," $0 "," h "," l }' "$tmp.run" >>"$tmp"
  echo "bench/ckpt_handover.sh: run $((r + 1))/$RUNS (W=$w) done" >&2
done
printf '# finished %s UTC\n' "$(date -u '+%Y-%m-%d %H:%M')" >>"$tmp"
mv "$tmp" "$CSV"
block=$(printf '<!-- BEGIN generated:ckpt-handover -->\n%s\n<!-- END generated:ckpt-handover -->' "$(bench/ckpt_handover_table.sh "$CSV")")
write_block "$DOC" ckpt-handover "The helper on another core" "$block"
