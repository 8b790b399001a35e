#!/usr/bin/env bash
# Wall time of whole sweeps at -j 1 and -j 2: configs/sweeps/bench100.ini
# (110 short points over two traces: the sweep machinery's own overhead) and
# configs/sweeps/seed003_modes.ini (48 longer points: parallel scaling).
# Never run by CTest; results go in docs/performance.md, "## Sweeps".
#   bench/bench_sweep.sh [BUILD_DIR] [REPEATS]   (default: build, 3)
# The traces are generated once, before timing, so only the points are timed.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
R=${2:-3}
V=$(realpath "$B/vmemsim")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
for name in bench100 seed003_modes; do
  S=configs/sweeps/$name.ini
  "$V" sweep "$S" --emit parallel --trace-dir "$T/traces" --parts "$T/parts" --out "$T/gen.csv" >/dev/null
  for j in 1 2; do
    for r in $(seq "$R"); do
      rm -f "$T/out.csv"
      s=$EPOCHREALTIME
      "$V" sweep "$S" -q -j "$j" --trace-dir "$T/traces" --out "$T/out.csv"
      e=$EPOCHREALTIME
      printf '%s (%d points) -j %d  run %d: %.2f s\n' "$name" "$(($(wc -l <"$T/out.csv") - 1))" "$j" "$r" \
        "$(awk -v s="$s" -v e="$e" 'BEGIN { print e - s }')"
    done
  done
done
