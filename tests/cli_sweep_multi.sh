#!/usr/bin/env bash
# CLI tests of sweep points with several traces ('+', issue 13): processes
# of one VM, and VMs placed with vm=K, under two modes and two scheduling
# quanta.  Each point's row (run alone with --point) equals, column for
# column, `vmemsim run --csv` of the same traces and settings; a whole sweep
# gives the same bytes with a pass per point (--per-pass 1, -j 1) and with
# passes shared by the points of a trace; bad items are refused, naming them.
# usage: cli_sweep_multi.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect
S=$SRC/traces/samples
cat >"$T/consol.ini" <<INI
[sweep]
base = $SRC/configs/skylake.ini
traces = $S/gzip.lackey.gz + $S/sort.lackey.gz; vm=1 $S/gzip.lackey.gz + $S/awk.lackey.gz + vm=0 $S/sort.lackey.gz
[params]
machine.mode = nested, shadow
vm.count = 2
sched.quantum = 20000, 200000
INI
# The run arguments of each trace item, as `run` takes them.
run_args=("$S/gzip.lackey.gz $S/sort.lackey.gz" "vm=1 $S/gzip.lackey.gz $S/awk.lackey.gz vm=0 $S/sort.lackey.gz")

expect 0 "" -- "$VMEMSIM" sweep "$T/consol.ini" --list
[ "$(wc -l <"$T/out")" -eq 8 ] && ok || bad "--list: expected 8 points"
grep -qF "vm=1 $S/gzip.lackey.gz + $S/awk.lackey.gz + vm=0 $S/sort.lackey.gz	machine.mode=nested" "$T/out" && ok ||
  bad "--list: the trace label of a multi-VM item is not normalised as written"

expect 0 "" -- "$VMEMSIM" sweep "$T/consol.ini" -j 2 --out "$T/all.csv"
expect 0 "" -- "$VMEMSIM" sweep "$T/consol.ini" -j 1 --per-pass 1 --out "$T/one.csv"
cmp -s "$T/all.csv" "$T/one.csv" && ok || bad "a pass per point and shared passes give different bytes"
[ "$(wc -l <"$T/all.csv")" -eq 9 ] && ok || bad "expected a header and 8 rows"

# Every point against `run`: the statistics after the 5 leading columns
# (trace, 3 parameters, fingerprint; none holds a comma) are the totals row of
# run's CSV, after its 5 leading columns (scope, vm, stream, pid, interval).
k=0
for t in 0 1; do
  for mode in nested shadow; do
    for q in 20000 200000; do
      "$VMEMSIM" sweep "$T/consol.ini" --point $k --out "$T/p$k.csv" 2>"$T/err" || bad "point $k: $(cat "$T/err")"
      # shellcheck disable=SC2086 # the item's arguments split on purpose
      "$VMEMSIM" run -q -c "$SRC/configs/skylake.ini" -o machine.mode=$mode -o vm.count=2 -o sched.quantum=$q \
        ${run_args[$t]} --csv "$T/r$k.csv" 2>"$T/err" || bad "run of point $k: $(cat "$T/err")"
      if cmp -s <(cut -d, -f6- "$T/p$k.csv") <(awk -F, 'NR == 1 || $1 == "total"' "$T/r$k.csv" | cut -d, -f6-); then ok; else
        bad "point $k ($t, $mode, quantum $q) differs from its run"
      fi
      k=$((k + 1))
    done
  done
done
# The quantum and the placement matter (the sweep varies something real).
[ "$(cut -d, -f6- "$T/p0.csv" | tail -1)" != "$(cut -d, -f6- "$T/p1.csv" | tail -1)" ] && ok ||
  bad "quantum 20000 and 200000 gave the same row"
[ "$(cut -d, -f6- "$T/p0.csv" | tail -1)" != "$(cut -d, -f6- "$T/p4.csv" | tail -1)" ] && ok ||
  bad "dealt and placed VMs gave the same row"

# The example of the docs loads: 4 items x 2 modes x 3 quanta.
expect 0 "" -- "$VMEMSIM" sweep "$SRC/configs/sweeps/consolidation.ini" --list
[ "$(wc -l <"$T/out")" -eq 24 ] && ok || bad "consolidation.ini: expected 24 points"
grep -q "^23	vm=0 vpr refs=500000 + vm=1 hpcc refs=500000 + vm=2 tpch refs=500000 + vm=3 kbuild refs=500000	machine.mode=shadow" \
  "$T/out" && ok || bad "consolidation.ini: point 23 is not the four VMs under shadow"

# Errors name the sweep file and the item.
printf '[sweep]\ntraces = vm=x %s/gzip.lackey.gz\n' "$S" >"$T/badvm.ini"
expect 1 "badvm.ini: \[sweep\] 'vm=x .*': expected vm=K" -- "$VMEMSIM" sweep "$T/badvm.ini" --out "$T/x.csv"
for item in "$S/gzip.lackey.gz +" "+ $S/gzip.lackey.gz" "$S/gzip.lackey.gz + + $S/awk.lackey.gz"; do
  printf '[sweep]\ntraces = %s\n' "$item" >"$T/dangling.ini"
  expect 1 "dangling.ini: \[sweep\] '.*': expected a trace on each side of '\+'" -- \
    "$VMEMSIM" sweep "$T/dangling.ini" --out "$T/x.csv"
done
printf '[sweep]\nbase = %s/configs/skylake.ini\ntraces = %s/gzip.lackey.gz + vm=3 %s/sort.lackey.gz\n[params]\nvm.count = 2\nmachine.mode = nested\n' \
  "$SRC" "$S" "$S" >"$T/farvm.ini"
expect 2 "point 0 \(trace '.*vm=3 .*sort.lackey.gz'.*assigned to VM 3, but \[vm\] count = 2" -- \
  "$VMEMSIM" sweep "$T/farvm.ini" --out "$T/x.csv"

echo "cli_sweep_multi: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
