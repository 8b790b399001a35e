#!/usr/bin/env bash
# Simulation-core throughput (issue 14): medians of CORE_RUNS runs per trace x
# mode, pinned to one core (taskset -c 0: reader and simulation share it) and to
# two (taskset -c 0,1), with peak RSS and peak anonymous memory (sampled by
# bench/runstat.py, which says why).  Never run by CTest.  Rewrites the
# generated:perf-core block of docs/performance.md unless CORE_WRITE=0.
#
#   bench/core.sh [BUILD_DIR]        (default build: a Release build)
# Environment:
#   CORE_REFS   references per synthetic trace (default 10000000; the length
#               that keeps the whole script under 8 minutes on an idle machine)
#   CORE_REAL   a real trace (.vmt, or any format `vmemsim trace convert` reads,
#               converted once to .vmt); unset: the real-trace rows are left out
#   CORE_RUNS   runs per case (default 5)
#   CORE_MODES  modes (default "native nested shadow")
#   CORE_TMP    where traces and run outputs go (default /tmp/vmemsim-core)
#   CORE_BASELINE  another vmemsim binary (e.g. a build of main) measured in the
#               same pass, case by case, for a before/after under the same load
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
V=$B/vmemsim
T=${CORE_TMP:-/tmp/vmemsim-core}
N=${CORE_REFS:-10000000}
RUNS=${CORE_RUNS:-5}
MODES=${CORE_MODES:-native nested shadow}
DOC=docs/performance.md
mkdir -p "$T"
[ -x "$V" ] || { echo "core.sh: $V not found: build first (cmake -DCMAKE_BUILD_TYPE=Release)" >&2; exit 1; }
command -v taskset >/dev/null || { echo "core.sh: taskset (util-linux) is needed" >&2; exit 1; }

traces=()
for p in friendly hostile; do
  f=$T/$p-$N.vmt
  [ -f "$f" ] || "$B/bench/bench_synth_trace" "$f" "$N" "$p" 1
  traces+=("$p:$f")
done
if [ -n "${CORE_REAL:-}" ]; then
  case $CORE_REAL in
  *.vmt) real=$CORE_REAL ;;
  *)
    real=$T/$(basename "$CORE_REAL" | sed 's/\.[^.]*$//; s/\.[^.]*$//').vmt
    [ -f "$real" ] || "$V" trace convert "$CORE_REAL" "$real"
    ;;
  esac
  traces+=("real $(basename "$real"):$real")
fi

median() { sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# One run: appends "wall user sys vmhwm_kib anon_kib" to $T/times.BIN_INDEX;
# sets refs.
run_once() { # binary index cpus mode trace
  local bin=$1 idx=$2 cpus=$3 mode=$4 trace=$5
  bench/runstat.py "$T/times.$idx" taskset -c "$cpus" "$bin" run -q -c configs/skylake.ini \
    -o machine.mode="$mode" --json="$T/run.json" "$trace"
  refs=$(grep -m1 -o '"refs": [0-9]*' "$T/run.json" | grep -o '[0-9]*$')
}

# The medians of binary idx's runs, "wall_med cpu_med rss_med_mib
# anon_med_mib anon_range_kib": the range (largest - smallest) of the peak
# anonymous memory over the runs is its run-to-run noise.
medians() {
  printf '%s %s %s %s %s\n' "$(awk '{print $1}' "$T/times.$1" | median)" \
    "$(awk '{print $2 + $3}' "$T/times.$1" | median)" "$(awk '{print $4 / 1024}' "$T/times.$1" | median)" \
    "$(awk '{print $5 / 1024}' "$T/times.$1" | median)" \
    "$(awk 'NR == 1 || $5 < lo {lo = $5} NR == 1 || $5 > hi {hi = $5} END {print hi - lo}' "$T/times.$1")"
}

start=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rows=""
bins=("$V" ${CORE_BASELINE:+"$CORE_BASELINE"})
for tr in "${traces[@]}"; do
  label=${tr%%:*} file=${tr#*:}
  for mode in $MODES; do
    for cpus in 0 0,1; do
      # The binaries alternate within each repetition, so a change in the
      # machine's load (it is shared) hits both alike; the CPU ratio is taken
      # within each repetition and its median reported.
      rm -f "$T"/times.*
      for ((i = 0; i < RUNS; i++)); do
        for b in "${!bins[@]}"; do run_once "${bins[$b]}" "$b" "$cpus" "$mode" "$file"; done
      done
      ratio=-
      if [ ${#bins[@]} -gt 1 ]; then
        ratio=$(paste -d' ' "$T/times.1" "$T/times.0" | awk '{print ($2 + $3) / ($7 + $8)}' | median)
      fi
      for b in "${!bins[@]}"; do
        read -r wall cpu rss anon anon_range < <(medians "$b")
        name=this r=$ratio
        [ "$b" = 0 ] || name=baseline r=-
        row=$(awk -v b="$name" -v l="$label" -v m="$mode" -v c="$cpus" -v r="$refs" -v w="$wall" -v u="$cpu" -v s="$rss" -v x="$r" -v a="$anon" -v ar="$anon_range" 'BEGIN {
          printf "| %s | %s | %s | %s | %.1f | %.1f | %.1f | %.2f | %s | %.1f | %.3f | %d |", l, m, c == "0" ? "1" : "2", b, r / 1e6, r / w / 1e6, r / u / 1e6, u, x == "-" ? "-" : sprintf("%.2fx", x), s, a, ar }')
        echo "$row"
        rows+="$row"$'\n'
      done
    done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
secs=$(($(date +%s) - start))

block=$(
  cat <<TXT
Command: \`CORE_REFS=$N CORE_RUNS=$RUNS${CORE_REAL:+ CORE_REAL=$(basename "$CORE_REAL")}${CORE_BASELINE:+ CORE_BASELINE=$CORE_BASELINE} bench/core.sh $B\` at $(git rev-parse --short HEAD) on $(date -u +%Y-%m-%d), $secs s.
Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); load average $load_before before, $load_after after.
Each row is the median of $RUNS runs of \`taskset -c CPUS vmemsim run -q -c configs/skylake.ini -o machine.mode=MODE TRACE\`
(one core: \`-c 0\`, where builds since ac112a1 read the trace inline and older ones in a reader thread that shares the core; two: \`-c 0,1\`, with a reader thread); *binary* is this build, or CORE_BASELINE, the two alternating run by run;
*speed-up* is the baseline's CPU time over this build's, the median of the per-repetition ratios. M refs/s by wall time is what a user waits for;
by CPU time (user + system, every thread) it depends much less on what else the machine runs (cache and SMT contention still inflate it). Whole runs from the
first reference (first touch included); synthetic traces from \`bench_synth_trace OUT N friendly|hostile 1\`.
*Peak RSS* is VmHWM (file pages mapped included); *peak anon* is the largest RssAnon sampled every 5 ms
(\`bench/runstat.py\`), both medians; *anon range* is the largest minus the smallest peak anon of the runs: its run-to-run noise.

| trace | mode | cores | binary | M refs | M refs/s (wall) | M refs/s (CPU) | CPU s | speed-up | peak RSS MiB | peak anon MiB | anon range KiB |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows%$'\n'}
TXT
)
if [ "${CORE_WRITE:-1}" = 1 ]; then
  python3 - "$DOC" "$block" <<'PY'
import sys
path, block = sys.argv[1], sys.argv[2]
begin, end = "<!-- BEGIN generated:perf-core -->", "<!-- END generated:perf-core -->"
text = open(path).read()
new = begin + "\n" + block + "\n" + end
if begin in text:
    head, rest = text.split(begin, 1)
    text = head + new + rest.split(end, 1)[1]
else:
    text = text.rstrip("\n") + "\n\n## Simulation core (issue 14)\n\n" + new + "\n"
open(path, "w").write(text)
PY
  echo "core.sh: wrote the perf-core block of $DOC ($secs s)"
fi
