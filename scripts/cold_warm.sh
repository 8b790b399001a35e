#!/usr/bin/env bash
# Cold and warm side by side, native and nested (configs/skylake.ini): the
# whole trace from a cold machine, and the same trace after a warm-up.
# Two tables, each a generated block of README.md and docs/model.md:
#   cold_warm.sh VMEMSIM [--check]       cold_warm: the real gzip sample,
#                                        warm-up 200,000 instructions; --check
#                                        only compares (a CTest test runs it,
#                                        so the docs cannot go stale)
#   cold_warm.sh VMEMSIM --long TRACE    cold_warm_long: a longer real trace,
#                                        made by `cold_warm.sh --capture TRACE`
#   cold_warm.sh --capture TRACE         records it: a Valgrind lackey capture
#                                        (traces/capture) of CPython building
#                                        a 2,000,000-entry dict of random keys,
#                                        sorting the keys and reading every
#                                        third value back -- 130 M lackey lines,
#                                        about 160 MB compressed, half an hour
#                                        to capture: too big for the repository
# The long table names the trace's content digest, so a reader can tell
# whether their capture is the same bytes (captures of one program differ
# with its environment).
set -euo pipefail
cd "$(dirname "$0")/.."
LONG_LINES=130000000 # lackey lines captured: start-up, the dict build and the sort (about 91 M instructions)
PROGRAM='import random
random.seed(1)
d = {}
for i in range(2000000):
    d[random.getrandbits(40)] = str(i)
ks = sorted(d)
s = 0
for k in ks[::3]:
    s += len(d[k])
print(s)'
if [ "${1:-}" = --capture ]; then
  [ $# -eq 2 ] || { echo "usage: $0 --capture TRACE.lackey.gz" >&2; exit 2; }
  py=$(python3 -c 'import sys; print(sys.executable)') # the interpreter itself, never a shim script
  exec traces/capture -o "$2" --max-lines "$LONG_LINES" -- "$py" -c "$PROGRAM"
fi
VMEMSIM=$(realpath "$1")
MODE=${2:-}
case $MODE in
  "" | --check) TRACE=traces/samples/gzip.lackey.gz BLOCK=cold_warm
    WARMUP=200000 ;; # instructions: the sample's start-up, after which most of its pages are mapped
  --long) [ $# -eq 3 ] || { echo "usage: $0 VMEMSIM --long TRACE" >&2; exit 2; }
    TRACE=$3 BLOCK=cold_warm_long
    WARMUP=30000000 ;; # instructions: start-up and the first third of the dict build
  *) echo "usage: $0 VMEMSIM [--check | --long TRACE] | $0 --capture TRACE" >&2; exit 2 ;;
esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
{
  echo "| mode | run | instructions | walks | refs / walk | fault walk refs | page faults | EPT violations | translation cycles | first-touch cycles | first touch, % of cycles | CPI |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  for mode in native nested; do
    for run in cold warm; do
      args=()
      [ "$run" = warm ] && args=(--warmup-instructions "$WARMUP")
      "$VMEMSIM" run -q -c configs/skylake.ini -o machine.mode=$mode "${args[@]}" "$TRACE" --json "$T/r.json"
      jq -r --arg mode "$mode" --arg run "$run" '
        [$mode, $run, .instructions, .walks, (.refs_per_walk * 1000 | round / 1000), .fault_walk_refs,
         .faults.page, .exits.ept_violation, .cycles.translation, .cycles.first_touch,
         (1000 * .cycles.first_touch / .cycles.total | round / 10), (.cycles.cpi * 1000 | round / 1000)]
        | map(tostring) | "| " + join(" | ") + " |"' "$T/r.json"
    done
  done
  echo
  if [ "$BLOCK" = cold_warm ]; then
    echo "(scripts/cold_warm.sh; cold = the whole trace from an empty machine, warm = after --warmup-instructions $WARMUP.)"
  else
    jq -r --arg w "$WARMUP" '"(scripts/cold_warm.sh --long on a capture by scripts/cold_warm.sh --capture: " +
      "\(.trace.records) records, digest \(.trace.digest); cold = the whole trace from an empty machine, " +
      "warm = after --warmup-instructions \($w).)"' "$T/r.json"
  fi
} >"$T/block"
status=0
for doc in README.md docs/model.md; do
  grep -qx "<!-- BEGIN generated:$BLOCK -->" "$doc" || { echo "cold_warm.sh: $doc has no $BLOCK block" >&2; exit 1; }
  awk -v blockfile="$T/block" -v b="<!-- BEGIN generated:$BLOCK -->" -v e="<!-- END generated:$BLOCK -->" '
    $0 == b { print; while ((getline line < blockfile) > 0) print line; skip = 1; next }
    $0 == e { skip = 0 }
    !skip' "$doc" >"$T/doc"
  if [ "$MODE" = --check ]; then
    cmp -s "$T/doc" "$doc" || { echo "FAIL: $doc's $BLOCK block is stale; run scripts/cold_warm.sh VMEMSIM"; diff "$doc" "$T/doc" | head -20; status=1; }
  else
    cp "$T/doc" "$doc"
  fi
done
exit $status
