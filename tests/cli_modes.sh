#!/usr/bin/env bash
# CLI tests of `vmemsim run --modes` (several machines in one pass): on every
# sample trace, a two-VM mix, a three-process mix stopped early by
# --max-instructions (the drain path) and a warm-up, each element of the JSON
# "machines" list equals (jq -S) the JSON of a single-mode run of the same
# mode, in the order given, and with --machines each equals `run -c FILE`;
# the CSV has a header and one row per machine, and
# --modes with one mode writes the single-mode CSV byte for byte; the summary
# has a block per machine; errors name the machine or the option.
# usage: cli_modes.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect
cd "$SRC" || exit 1
S=traces/samples
MODES=native,nested,shadow,contig

# check NAME MODES ARGS...: every machine of one --modes pass equals its own run.
check() {
  local name=$1 modes=$2
  shift 2
  if ! "$VMEMSIM" run -q -c configs/skylake.ini --modes "$modes" "$@" --json "$T/$name.multi.json" 2>"$T/err"; then
    bad "$name: --modes $modes failed: $(cat "$T/err")"
    return
  fi
  local i=0
  for mode in ${modes//,/ }; do
    "$VMEMSIM" run -q -c configs/skylake.ini -o machine.mode="$mode" "$@" --json "$T/$name.$mode.json" 2>"$T/err" ||
      { bad "$name: single $mode run failed: $(cat "$T/err")"; continue; }
    if cmp -s <(jq -S ".machines[$i]" "$T/$name.multi.json") <(jq -S . "$T/$name.$mode.json"); then ok; else
      bad "$name: machine $i ($mode) of the one-pass run differs from the single-mode run"
      diff <(jq -S ".machines[$i]" "$T/$name.multi.json") <(jq -S . "$T/$name.$mode.json") | head -6
    fi
    [ "$(jq -r ".machines[$i].mode" "$T/$name.multi.json")" = "$mode" ] && ok || bad "$name: machine $i is not $mode"
    i=$((i + 1))
  done
  [ "$(jq '.machines | length' "$T/$name.multi.json")" -eq "$i" ] && ok || bad "$name: expected $i machines"
}

for s in gzip sort awk python3; do
  check "$s" "$MODES" "$S/$s.lackey.gz"
done
check vms2 nested,shadow,shadow-cache,contig,agile -o vm.count=2 "$S/gzip.lackey.gz" "$S/sort.lackey.gz"
check procs3_max native,nested,shadow-prefetch,adaptive -o sched.quantum=100000 --max-instructions 300000 \
  "$S/gzip.lackey.gz" "$S/sort.lackey.gz" "$S/awk.lackey.gz"
check warm native,nested --warmup-instructions 200000 "$S/awk.lackey.gz"
check one_machine nested "$S/gzip.lackey.gz"
check same_twice nested,nested "$S/sort.lackey.gz"

# --machines: each config file on top of -c, then -o, then each mode.
printf '[pwc]\nenabled = false\n[sched]\nquantum = 50000\n' >"$T/nopwc.ini"
printf '[tlb.stlb]\nentries = 64\nways = 4\n[sched]\nquantum = 50000\n' >"$T/tiny.ini"
"$VMEMSIM" run -q -c configs/skylake.ini --machines "$T/nopwc.ini,$T/tiny.ini" --modes native,nested -o tlb.pcid=false \
  "$S/gzip.lackey.gz" "$S/awk.lackey.gz" --json "$T/mach.json" 2>"$T/err" || bad "--machines failed: $(cat "$T/err")"
i=0
for f in nopwc tiny; do
  for mode in native nested; do
    "$VMEMSIM" run -q -c configs/skylake.ini -c "$T/$f.ini" -o tlb.pcid=false -o machine.mode=$mode \
      "$S/gzip.lackey.gz" "$S/awk.lackey.gz" --json "$T/m1.json" 2>"$T/err" || bad "single $f $mode: $(cat "$T/err")"
    cmp -s <(jq -S ".machines[$i]" "$T/mach.json") <(jq -S . "$T/m1.json") && ok ||
      bad "--machines: machine $i ($f, $mode) differs from run -c $f.ini"
    i=$((i + 1))
  done
done
[ "$(jq '[.machines[].walk_refs] | unique | length' "$T/mach.json")" -eq 4 ] && ok ||
  bad "--machines: the four machines should differ in walk references"
printf '[sched]\nquantum = 7000\n' >"$T/q7k.ini"
expect 2 "machine 1 \(.*q7k.ini\) has sched.quantum 7000 but machine 0 .* 50000" -- \
  "$VMEMSIM" run -q -c configs/skylake.ini --machines "$T/tiny.ini,$T/q7k.ini" "$S/gzip.lackey.gz" "$S/awk.lackey.gz"
expect 1 "nope.ini" -- "$VMEMSIM" run -q --machines "$T/nope.ini" "$S/gzip.lackey.gz"

# CSV: each machine's rows in turn (totals, then per VM and per process), each
# led by its machine index; one mode gives the single-mode bytes.
expect 0 "" -- "$VMEMSIM" run -q -c configs/skylake.ini --modes "$MODES" "$S/gzip.lackey.gz" --csv "$T/m.csv"
head -1 "$T/m.csv" | grep -q '^machine,scope,vm,stream,pid,interval,vmemsim,build,mode,' && ok ||
  bad "CSV header does not start with machine,scope,vm,stream,pid,interval,vmemsim,build,mode"
[ "$(awk -F, '$2 == "total" { printf "%s:%s ", $1, $9 }' "$T/m.csv")" = "0:native 1:nested 2:shadow 3:contig " ] && ok ||
  bad "CSV total rows are not the machines in order"
[ "$(tail -n +2 "$T/m.csv" | wc -l)" -eq "$((4 * $("$VMEMSIM" run -q -c configs/skylake.ini "$S/gzip.lackey.gz" --csv - | tail -n +2 | wc -l)))" ] && ok ||
  bad "CSV: each machine should have the rows of a single run"
expect 0 "" -- "$VMEMSIM" run -q -c configs/skylake.ini --modes shadow "$S/gzip.lackey.gz" --csv "$T/one.csv"
expect 0 "" -- "$VMEMSIM" run -q -c configs/skylake.ini -o machine.mode=shadow "$S/gzip.lackey.gz" --csv "$T/single.csv"
cmp -s "$T/one.csv" "$T/single.csv" && ok || bad "--modes shadow CSV differs from the single-mode CSV"

# The summary: one block per machine, then --vs-native reuses the native machine.
expect 0 "" -- "$VMEMSIM" run -c configs/skylake.ini --modes "$MODES" --vs-native "$S/gzip.lackey.gz"
[ "$(grep -c '^vmemsim .*, mode ' "$T/out")" -eq 4 ] && ok || bad "summary: expected 4 machine blocks"
[ "$(grep -c 'vs native' "$T/out")" -eq 3 ] && ok || bad "summary: expected vs native for the 3 virtualized machines"
expect 0 "" -- "$VMEMSIM" run -q -c configs/skylake.ini --modes nested,shadow --vs-native "$S/gzip.lackey.gz" --json "$T/vn.json"
expect 0 "" -- "$VMEMSIM" run -q -c configs/skylake.ini -o machine.mode=shadow --vs-native "$S/gzip.lackey.gz" --json "$T/vn1.json"
cmp -s <(jq -S '.machines[1]' "$T/vn.json") <(jq -S . "$T/vn1.json") && ok || bad "--vs-native: machine 1 differs from its own run"

# Errors.
expect 2 "--modes 'native,warp': 'warp' is not a mode; expected .* nested" -- "$VMEMSIM" run -q --modes native,warp "$S/gzip.lackey.gz"
expect 2 "--modes 'native,,nested': '' is not a mode" -- "$VMEMSIM" run -q --modes native,,nested "$S/gzip.lackey.gz"
expect 0 "" -- "$VMEMSIM" run -q --modes Native,Shadow "$S/gzip.lackey.gz"
expect 1 "machine 0 \(mode native\): .*count = 2" -- "$VMEMSIM" run -q -o vm.count=2 --modes native,nested "$S/gzip.lackey.gz"
printf 'I  0400d7d4,8\n L 7ff000,8\nbogus line\n' >"$T/bad.lackey"
expect 1 "bad.lackey.*line 3" -- "$VMEMSIM" run -q --modes native,nested,shadow "$T/bad.lackey"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
