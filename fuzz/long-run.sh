#!/usr/bin/env bash
# long-run.sh: the long fuzzing runs docs/fuzzing.md reports.  Runs each named
# target for SECONDS (at most FUZZ_PARALLEL at a time, default 2: the machine
# is shared), keeping its log, corpus and any crash-* input under
# BUILD/fuzz-long/<target>/, then rewrites the generated table in
# docs/fuzzing.md from every log found there (targets run earlier keep their
# row until run again).
# Usage: bash fuzz/long-run.sh SECONDS TARGET...   e.g. 600 fuzz_engine fuzz_place
#        bash fuzz/long-run.sh --table-only         (rewrite the table from the logs)
# Env: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_JOBS (build -j, default 2).
# Exit status is non-zero if the build fails or any target finds a crash.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
source "$root/fuzz/lib_fuzz.sh"
long=$build/fuzz-long
status=0

if [ "${1:-}" != "--table-only" ]; then
  secs=${1:-}
  case "$secs" in ''|*[!0-9]*) echo "usage: $0 SECONDS TARGET... | --table-only" >&2; exit 2 ;; esac
  shift
  [ $# -gt 0 ] || { echo "usage: $0 SECONDS TARGET..." >&2; exit 2; }
  fuzz_build "$build" "${FUZZ_JOBS:-2}"
  run_one() {
    local name=$1 work=$long/$1
    rm -rf "$work" && mkdir -p "$work/corpus"
    local dirs=("$work/corpus") seeds
    seeds=$(fuzz_seed_dir "$root" "$name")
    [ -n "$seeds" ] && dirs+=("$seeds")
    echo "$secs" >"$work/seconds"
    (cd "$work" && "$build/fuzz/$name" -max_total_time="$secs" "${FUZZ_FLAGS[@]}" "${dirs[@]}") >"$work/log.txt" 2>&1
  }
  pids=()
  for name in "$@"; do
    [ -x "$build/fuzz/$name" ] || { echo "$0: no target $name in $build/fuzz" >&2; exit 2; }
    while [ "$(jobs -rp | wc -l)" -ge "${FUZZ_PARALLEL:-2}" ]; do wait -n || status=1; done
    echo "== $name: ${secs}s"
    run_one "$name" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || status=1; done
fi

# The table: one row per target with a log, from libFuzzer's own final stats.
stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }
{
  echo "| target | seconds | inputs run | inputs/s | coverage: edges / features | new corpus inputs | peak RSS MiB | crashes | run on |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for log in "$long"/*/log.txt; do
    [ -f "$log" ] || continue
    dir=$(dirname "$log"); name=$(basename "$dir")
    done_s=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    # libFuzzer's last status line: "cov:" counts covered edges, "ft:" features (edges with hit counts)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 | awk '{ print $2 " / " $4 }')
    crashes=$(find "$dir" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \) | wc -l)
    [ "$crashes" -eq 0 ] || status=1
    echo "| \`$name\` | ${done_s:-$(cat "$dir/seconds") (did not finish)} | $(stat number_of_executed_units "$log") |" \
         "$(stat average_exec_per_sec "$log") | ${cov:-n/a} | $(stat new_units_added "$log") | $(stat peak_rss_mb "$log") |" \
         "$crashes | $(date -u -r "$log" +%Y-%m-%d) |"
  done
} >"$long/table.md"
doc=$root/docs/fuzzing.md
awk -v table="$long/table.md" '
  /<!-- BEGIN generated:fuzz-long -->/ { print; while ((getline l < table) > 0) print l; skip = 1; next }
  /<!-- END generated:fuzz-long -->/ { skip = 0 }
  !skip' "$doc" >"$doc.tmp" && mv "$doc.tmp" "$doc"
cat "$long/table.md"
exit $status
