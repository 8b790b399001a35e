#!/usr/bin/env bash
# run-all.sh: build every libFuzzer target with clang (ASan + UBSan) in its own
# build directory and run each fuzz_* binary for SECONDS seconds.
# Usage: bash fuzz/run-all.sh [SECONDS]     (CI: bash fuzz/run-all.sh 20)
# Env: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_JOBS (default: nproc).
# Exit status is non-zero if the build fails or any target finds a crash;
# crash inputs are left in the build directory (crash-*, leak-*, timeout-*).
set -euo pipefail

secs=${1:-20}
case "$secs" in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${FUZZ_JOBS:-$(nproc)}

source "$root/fuzz/lib_fuzz.sh"
fuzz_build "$build" "$jobs"

status=0
shopt -s nullglob
for bin in "$build"/fuzz/fuzz_*; do
    [ -x "$bin" ] && [ -f "$bin" ] || continue
    name=$(basename "$bin")
    work="$build/fuzz-work/$name"
    mkdir -p "$work/corpus"
    dirs=("$work/corpus")   # new inputs go here, never into the source tree
    seeds=$(fuzz_seed_dir "$root" "$name")
    [ -n "$seeds" ] && dirs+=("$seeds")
    log="$work/log.txt"
    echo "== $name: ${secs}s"
    if (cd "$work" && "$bin" -max_total_time="$secs" "${FUZZ_FLAGS[@]}" "${dirs[@]}") >"$log" 2>&1; then
        grep -E '^stat::number_of_executed_units|^Done' "$log" | tail -2 || true
    else
        echo "!! $name failed; last lines of $log:" >&2
        tail -40 "$log" >&2
        status=1
    fi
done
exit $status
