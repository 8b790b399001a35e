#!/usr/bin/env bash
# Cold and warm side by side on the real gzip sample (configs/skylake.ini),
# native and nested: the whole trace from a cold machine, and the same trace
# after a warm-up of WARMUP instructions.  Rewrites the generated block
# cold_warm in README.md and docs/model.md; with --check it only compares
# them (a CTest test runs that, so the docs cannot go stale).
# usage: cold_warm.sh VMEMSIM [--check]
set -euo pipefail
VMEMSIM=$(realpath "$1")
MODE=${2:-}
cd "$(dirname "$0")/.."
WARMUP=200000 # instructions: the sample's start-up, after which most of its pages are mapped
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
{
  echo "| mode | run | instructions | walks | refs / walk | fault walk refs | page faults | EPT violations | translation cycles | first-touch cycles | CPI |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for mode in native nested; do
    for run in cold warm; do
      args=()
      [ "$run" = warm ] && args=(--warmup-instructions "$WARMUP")
      "$VMEMSIM" run -q -c configs/skylake.ini -o machine.mode=$mode "${args[@]}" \
        traces/samples/gzip.lackey.gz --json "$T/r.json"
      jq -r --arg mode "$mode" --arg run "$run" '
        [$mode, $run, .instructions, .walks, (.refs_per_walk * 1000 | round / 1000), .fault_walk_refs,
         .faults.page, .exits.ept_violation, .cycles.translation, .cycles.first_touch,
         (.cycles.cpi * 1000 | round / 1000)] | map(tostring) | "| " + join(" | ") + " |"' "$T/r.json"
    done
  done
  echo
  echo "(scripts/cold_warm.sh; cold = the whole trace from an empty machine, warm = after --warmup-instructions $WARMUP.)"
} >"$T/block"
status=0
for doc in README.md docs/model.md; do
  awk -v blockfile="$T/block" '
    /<!-- BEGIN generated:cold_warm -->/ { print; while ((getline line < blockfile) > 0) print line; skip = 1; next }
    /<!-- END generated:cold_warm -->/ { skip = 0 }
    !skip' "$doc" >"$T/doc"
  grep -q '<!-- BEGIN generated:cold_warm -->' "$doc" || { echo "cold_warm.sh: $doc has no cold_warm block" >&2; exit 1; }
  if [ "$MODE" = --check ]; then
    cmp -s "$T/doc" "$doc" || { echo "FAIL: $doc's cold_warm block is stale; run scripts/cold_warm.sh VMEMSIM"; diff "$doc" "$T/doc" | head -20; status=1; }
  else
    cp "$T/doc" "$doc"
  fi
done
exit $status
