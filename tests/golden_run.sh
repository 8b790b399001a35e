#!/usr/bin/env bash
# Golden JSON of `vmemsim run`: one case (a sample trace, or a multi-VM or
# multi-process mix of them) under every translation mode, compared byte for
# byte with tests/golden/run/CASE.MODE.json.  The safety net for refactoring:
# speed and structure never change a result.  The JSON holds no wall-clock
# field ("cycles.seconds" is simulated time); the one line masked is
# "build", the git hash of the binary, which every commit changes.
# The mode list is read from `run --help-config`, so a new mode without a
# golden file fails here until its file is made with --update.
# usage: golden_run.sh VMEMSIM SOURCE_DIR CASE [--update]
#   CASE: gzip | sort | awk | python3 (traces/samples/CASE.lackey.gz alone,
#         configs/skylake.ini), vms2 (gzip and sort as two VMs), procs3
#         (gzip, sort and awk as processes of one VM, quantum 100000).
set -u
VMEMSIM=$(realpath "$1")
SRC=$(realpath "$2")
CASE=$3
UPDATE=${4:-}
S=traces/samples
case $CASE in
  gzip | sort | awk | python3) args=("$S/$CASE.lackey.gz") ;;
  vms2) args=(-o vm.count=2 "$S/gzip.lackey.gz" "$S/sort.lackey.gz") ;;
  procs3) args=(-o sched.quantum=100000 "$S/gzip.lackey.gz" "$S/sort.lackey.gz" "$S/awk.lackey.gz") ;;
  *) echo "golden_run.sh: unknown case '$CASE'" >&2; exit 2 ;;
esac
modes=$("$VMEMSIM" run --help-config | awk '$1 == "mode" { print $3; exit }' | tr '|' ' ')
[ -n "$modes" ] || { echo "FAIL: no mode list in run --help-config" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
cd "$SRC" || exit 1
for mode in $modes; do
  # A run the config rejects (native with two VMs) is pinned by its exit
  # status and message, in CASE.MODE.err instead of CASE.MODE.json.
  rm -f "$T/out" # a result file replaces only a JSON result, never the last case's error text
  "$VMEMSIM" run -q -c configs/skylake.ini -o machine.mode="$mode" "${args[@]}" --json "$T/out" 2>"$T/err"
  status=$?
  if [ "$status" -eq 0 ]; then
    ext=json
    grep -v '^  "build": ' "$T/out" >"$T/masked" && mv "$T/masked" "$T/out"
  else
    ext=err; { echo "exit $status"; cat "$T/err"; } >"$T/out"
  fi
  golden=tests/golden/run/$CASE.$mode.$ext
  if [ "$UPDATE" = --update ]; then
    rm -f "tests/golden/run/$CASE.$mode".*; cp "$T/out" "$golden"; continue
  fi
  if [ ! -f "$golden" ]; then
    echo "FAIL: $CASE under $mode: no $golden (exit $status; make it with: $0 VMEMSIM SOURCE_DIR $CASE --update)"
    cat "$T/err"; fails=$((fails + 1))
  elif ! cmp -s "$golden" "$T/out"; then
    echo "FAIL: $CASE under $mode differs from $golden:"
    diff -u "$golden" "$T/out" | head -40
    fails=$((fails + 1))
  fi
done
echo "golden $CASE: $(echo $modes | wc -w) modes, $fails failed"
[ "$fails" -eq 0 ]
