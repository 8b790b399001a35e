#!/usr/bin/env bash
# Throughput and memory benchmarks (never run by CTest). Results go in docs/performance.md.
#   bench/run.sh [BUILD_DIR]   (default: build, a Release build)
# Prints, for each case: references, wall seconds, M references/s, peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
V=$B/vmemsim
T=${BENCH_TMP:-/tmp/vmemsim-bench}
mkdir -p "$T"
N=${BENCH_REFS:-40000000}
[ -f "$T/friendly.vmt" ] || "$B/bench/bench_synth_trace" "$T/friendly.vmt" "$N" friendly 1
[ -f "$T/hostile.vmt" ] || "$B/bench/bench_synth_trace" "$T/hostile.vmt" "$N" hostile 1
for s in traces/samples/*.lackey.gz; do
  n=$(basename "$s" .lackey.gz)
  [ -f "$T/$n.vmt" ] || "$V" trace convert "$s" "$T/$n.vmt"
  [ -f "$T/$n.lackey" ] || zcat "$s" >"$T/$n.lackey"
done

run() { # label mode input...
  local label=$1 mode=$2
  shift 2
  local line
  line=$("$V" run -c configs/skylake.ini -o machine.mode="$mode" "$@" 2>&1 >/dev/null | grep 'simulated in')
  printf '%-34s %-8s %s\n' "$label" "$mode" "$line"
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for mode in native nested shadow; do
  run "synthetic friendly .vmt ($N refs)" $mode "$T/friendly.vmt"
  run "synthetic hostile .vmt ($N refs)" $mode "$T/hostile.vmt"
  for s in traces/samples/*.lackey.gz; do
    n=$(basename "$s" .lackey.gz)
    run "sample $n .vmt" $mode "$T/$n.vmt"
    run "sample $n lackey text" $mode "$T/$n.lackey"
    run "sample $n lackey.gz" $mode "$s"
  done
done
