#!/usr/bin/env bash
# Several machines in one pass (`vmemsim run --modes A,B,C,D`, the trace
# decoded once) against one `run` per mode, back to back, on one trace: wall
# time, median of REPS repetitions, on both cores and pinned to one
# (`taskset -c 0`), and the CPU time (user + system) of both sides.  The
# one-pass run and the separate runs alternate within each repetition, so a
# change in the machine's load hits both alike.
# Checks first that every machine of the pass equals its separate run.
# Rewrites the generated block perf-modes of docs/performance.md.  Never run
# by CTest.
#   bench/modes.sh [BUILD_DIR] [TRACE] [LINES]
#     BUILD_DIR  a Release build (default: build)
#     TRACE      default traces/samples/python3.lackey.gz
#     LINES      > 0: only the first LINES lines of the (lackey, maybe gzip'd)
#                trace, written once to $BENCH_TMP, so a long trace finishes
#                unattended (default 0: the whole trace)
#   env: REPS (default 5), MODES (default native,nested,shadow,contig),
#        BENCH_NOTE (a sentence on what else the machine was doing),
#        VMT=1 (convert the trace, or its first LINES lines, to .vmt once with
#        `vmemsim trace convert` and measure on that: the same references
#        without the text decoding),
#        BLOCK (the generated block to rewrite, default perf-modes: one per
#        trace format measured),
#        BENCH_TMP (default /tmp/vmemsim-bench), DOC (default docs/performance.md)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
B=${1:-build}
TRACE=${2:-traces/samples/python3.lackey.gz}
LINES=${3:-0}
REPS=${REPS:-5}
MODES=${MODES:-native,nested,shadow,contig}
T=${BENCH_TMP:-/tmp/vmemsim-bench}
DOC=${DOC:-docs/performance.md}
BLOCK=${BLOCK:-perf-modes}
V=$(realpath "$B/vmemsim")
CFG=configs/skylake.ini
mkdir -p "$T"
command -v jq >/dev/null || { echo "bench/modes.sh: needs jq" >&2; exit 1; }

input=$(bench_prefix "$TRACE" "$LINES" "$T")
if [ "${VMT:-0}" = 1 ]; then
  vmt=$T/$(basename "$input" .gz).vmt
  [ -f "$vmt" ] || "$V" trace convert -f vmt "$input" "$vmt"
  input=$vmt
fi
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# Correctness first: each machine of the pass equals its own run.
"$V" run -q -c "$CFG" --modes "$MODES" "$input" --json "$T/pass.json"
i=0
for m in ${MODES//,/ }; do
  "$V" run -q -c "$CFG" -o machine.mode="$m" "$input" --json "$T/one.json"
  cmp -s <(jq -S ".machines[$i]" "$T/pass.json") <(jq -S . "$T/one.json") ||
    { echo "bench/modes.sh: machine $i ($m) differs from its separate run" >&2; exit 1; }
  i=$((i + 1))
done
refs=$(jq '.machines[0].refs' "$T/pass.json")
records=$(jq '.machines[0].trace.records // empty' "$T/pass.json" 2>/dev/null || true)

# cpu CMD...: runs CMD (its output discarded), appending its user and system
# CPU seconds (bash's `time`, children included) as a line to $T/cpu.
cpu() {
  local TIMEFORMAT='%U %S'
  { time "$@" >/dev/null; } 2>>"$T/cpu"
}

# measure PREFIX...: prints "pass_wall separate_wall pass_cpu separate_cpu"
# (seconds) for one repetition.
measure() {
  local t0 t1 t2 m
  : >"$T/cpu"
  t0=$(now)
  cpu "$@" "$V" run -q -c "$CFG" --modes "$MODES" "$input"
  t1=$(now)
  for m in ${MODES//,/ }; do cpu "$@" "$V" run -q -c "$CFG" -o machine.mode="$m" "$input"; done
  t2=$(now)
  echo "$(echo "$t1 - $t0" | bc -l) $(echo "$t2 - $t1" | bc -l)" \
    "$(awk 'NR == 1 { p = $1 + $2 } NR > 1 { s += $1 + $2 } END { print p, s }' "$T/cpu")"
}

rows=""
for cores in 2 1; do
  prefix=()
  [ "$cores" -eq 1 ] && prefix=(taskset -c 0)
  : >"$T/reps"
  for r in $(seq "$REPS"); do
    measure "${prefix[@]}" >>"$T/reps"
    echo "cores $cores rep $r: $(tail -1 "$T/reps")" >&2
  done
  pass=$(awk '{ print $1 }' "$T/reps" | median)
  sep=$(awk '{ print $2 }' "$T/reps" | median)
  ratio=$(awk '{ print $1 / $2 }' "$T/reps" | median)
  pass_cpu=$(awk '{ print $3 }' "$T/reps" | median)
  sep_cpu=$(awk '{ print $4 }' "$T/reps" | median)
  cpu_ratio=$(awk '{ print $3 / $4 }' "$T/reps" | median)
  label=$([ "$cores" -eq 2 ] && echo "2 (no pinning)" || echo "1 (taskset -c 0)")
  rows+=$(printf '| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |' "$label" "$pass" "$sep" \
    "$(echo "$pass / $sep" | bc -l)" "$ratio" "$pass_cpu" "$sep_cpu" "$cpu_ratio")$'\n'
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

block=$(
  cat <<EOF
<!-- BEGIN generated:$BLOCK -->
Written by \`bench/modes.sh $*\` (REPS=$REPS) on $(date -u '+%Y-%m-%d %H:%M UTC'), build $("$V" --version | head -1).
Machine: $(nproc) vCPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM.
Load average (1, 5, 15 min) $load_start at the start and $load_end at the end.${BENCH_NOTE:+ $BENCH_NOTE}
The ratios compare runs interleaved within each repetition, so a change in the machine's load hits both alike.

Trace: \`$TRACE\`$([ "$LINES" -gt 0 ] && echo ", its first $LINES lines")$([ "${VMT:-0}" = 1 ] && echo ", converted to .vmt (\`vmemsim trace convert\`)") ($refs references${records:+, $records records}); config \`$CFG\`.
One pass: \`vmemsim run -q -c $CFG --modes $MODES TRACE\`. Separate: \`vmemsim run -q -c $CFG -o machine.mode=M TRACE\`
for each M, one after the other. Every machine of the pass was first checked equal (jq -S) to its separate run.
Wall seconds, median of $REPS; "ratio" is pass / separate of the medians, and the median of the per-repetition ratios.
CPU: user + system seconds of the pass and of the separate runs together (bash \`time\`), medians, and the median of the
per-repetition ratios; on a loaded machine the wall ratio moves toward the CPU ratio.

| cores | one pass (s) | separate runs (s) | ratio of medians | median ratio | pass CPU (s) | separate CPU (s) | CPU ratio |
|---|---|---|---|---|---|---|---|
${rows}<!-- END generated:$BLOCK -->
EOF
)
echo "$block"
write_block "$DOC" "$BLOCK" "Several machines in one pass" "$block"
