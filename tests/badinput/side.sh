#!/usr/bin/env bash
# badinput/side.sh: the side models' inputs and the less-used CLI paths --
# place's Azure / Bitbrains / CERIT readers (CRLF, a byte-order mark, empty
# files, missing columns, NaN/inf, huge numbers, departures before arrivals,
# unsorted rows), share's snapshot timelines and calibrations, ckpt's
# calibrations, the trace subcommands on cut or concatenated files, and
# results that cannot be written.  A bad input exits 1 (bad input) or 2
# (usage) naming the file and its line, offset or record (or the option):
# never a signal, never 0; a refused run leaves an existing result as it
# was.  A harmless variation of a valid input (CRLF, a BOM, row order) gives
# the same bytes as the plain input.  (input.sh, edges.sh and cli.sh hold
# the cases before issue 12's third round.)
# usage: side.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect
check() { if eval "$1"; then ok; else bad "$2"; fi; }
# ASan and UBSan exit 1, as bad input does: expect also fails on their reports
eval "lib_$(declare -f expect)"
expect() {
  lib_expect "$@"
  if grep -qE 'runtime error:|Sanitizer' "$T/err"; then bad "sanitizer report: ${*:4}"; head -5 "$T/err"; fi
}
P=$SRC/tests/fixtures/place
A=$P/azure_v1.csv
W=$P/cerit.swf
C1=$SRC/tests/fixtures/share/sleep1.core.gz
C2=$SRC/tests/fixtures/share/sleep2.core.gz
CAL=$SRC/configs/ckpt/xen2011.ini
"$VMEMSIM" gen ds structure=avl op=insert opt=1 ops=200 -o "$T/avl.vmt" 2>/dev/null

# same_place NAME FILE: place reads FILE (a variant of NAME's fixture) into the same report as NAME
same_place() {
  "$VMEMSIM" place "$1" >"$T/want" 2>&1
  "$VMEMSIM" place "$2" >"$T/got" 2>&1; local st=$?
  if [ $st -eq 0 ] && cmp -s "$T/want" "$T/got"; then ok; else bad "place $(basename "$2"): exit $st, or not the report of $(basename "$1")"; head -3 "$T/got"; fi
}

# ---- 1. place: harmless variations read as the plain file ----------------------
for f in "$A" "$W" "$P/bitbrains/1.csv"; do
  b=$(basename "$f")
  sed 's/$/\r/' "$f" >"$T/crlf.$b"
  same_place "$f" "$T/crlf.$b"
  { printf '\xef\xbb\xbf'; cat "$f"; } >"$T/bom.$b"   # a spreadsheet export's byte-order mark
  same_place "$f" "$T/bom.$b"
done
tac "$A" >"$T/rev.csv" # rows out of time order: the replay orders its events
same_place "$A" "$T/rev.csv"
{ grep '^;' "$W"; grep -v '^;' "$W" | tac; } >"$T/rev.swf"
same_place "$W" "$T/rev.swf"

# ---- 2. place: bad rows, named by line -----------------------------------------
: >"$T/empty.csv"
expect 1 "empty\.csv: unrecognised VM trace" -- "$VMEMSIM" place -q "$T/empty.csv"
printf '\n  \n' >"$T/blank.csv"
expect 1 "blank\.csv: unrecognised VM trace" -- "$VMEMSIM" place -q "$T/blank.csv"
mkdir "$T/hdr" && head -1 "$P/bitbrains/1.csv" >"$T/hdr/1.csv"
expect 1 "hdr/1\.csv: line 1: expected at least one sample" -- "$VMEMSIM" place -q "$T/hdr"
# azure: row 2 changed; field numbers are 1-based
while IFS='|' read -r sedexpr want; do
  sed "2s/$sedexpr" "$A" >"$T/az.csv"
  expect 1 "az\.csv: line 2: expected $want" -- "$VMEMSIM" place -q "$T/az.csv"
done <<'ROWS'
,[^,]*$//|11 comma-separated fields
,0,1200,/,1200,0,/|field 5 \(vmdeleted\): seconds >= vmcreated
,0,1200,/,-5,1200,/|field 4 \(vmcreated\)
,0,1200,/,0,99999999999999999999,/|field 5
,2,3.5$/,nan,3.5/|field 10
,2,3.5$/,inf,3.5/|field 10
,2,3.5$/,1e30,3.5/|field 10
,2,3.5$/,2,nan/|field 11
,2,3.5$/,2,-inf/|field 11
,2,3.5$/,2,1e300/|field 11
,2,3.5$/,2,>1e308/|field 11
ROWS
# cerit: the first job changed
J=$(grep -n -m1 -v '^;' "$W" | cut -d: -f1)
while IFS='|' read -r awkexpr want; do
  awk -v j="$J" "NR == j { $awkexpr } { print }" "$W" >"$T/sw.swf"
  expect 1 "sw\.swf: line $J: expected $want" -- "$VMEMSIM" place -q "$T/sw.swf"
done <<'ROWS'
$18 = ""; $0 = $0|18 blank-separated integers
$4 = "nan"|18 blank-separated integers
$4 = -1|field 4 \(run time\)
$2 = -3|field 2 \(submit\)
$5 = -1; $8 = -1|field 5 \(allocated processors\)
$2 = "9223372036854775000"|fields 2 \+ 3 \+ 4 \(submit \+ wait \+ run time\) within
$3 = "9223372036854775000"; $4 = "9223372036854775000"|fields 2 \+ 3 \+ 4
ROWS
# bitbrains: the first sample's memory
sed '2s/^\(\([^;]*;\t\)\{5\}\)[^;]*/\1nan/' "$P/bitbrains/1.csv" >"$T/bb.csv"
expect 1 "bb\.csv: line 2: expected field 6" -- "$VMEMSIM" place -q "$T/bb.csv"
sed '2s/^\(\([^;]*;\t\)\{5\}\)[^;]*/\1inf/' "$P/bitbrains/1.csv" >"$T/bb.csv"
expect 1 "bb\.csv: line 2: expected field 6" -- "$VMEMSIM" place -q "$T/bb.csv"

# ---- 3. share: timelines and calibrations ---------------------------------------
# --sample over a timeline too long for it: refused before the scan (it could
# also never advance: 1e17 + 1 == 1e17 in a double); the timeout turns a hang into a failure
SHARE_TIMEOUT=20
expect 2 "--sample=1: the snapshots span 1e\+17 s" -- timeout $SHARE_TIMEOUT "$VMEMSIM" share -q --sample 1 "a=$C1" "a@1e17=$C2"
expect 2 "--sample=1e-300: the snapshots span 1 s" -- timeout $SHARE_TIMEOUT "$VMEMSIM" share -q --sample 1e-300 "a=$C1" "a@1=$C2"
expect 0 "" -- "$VMEMSIM" share -q --sample 1 "a=$C1" "a@100=$C2"
# snapshot times in ns by mistake: more page visits than a 64-bit count holds (it read as 0 visits)
for p in ksm esx; do
  expect 2 "the snapshots span 1e\+19 s: .* page visits .* beyond a 64-bit count" -- "$VMEMSIM" share -q -p $p "a=$C1" "a@1e19=$C2"
done
sed 's/^freq_mhz = .*/freq_mhz = 0/' "$SRC/configs/share/current.ini" >"$T/f0.ini"
expect 1 "f0\.ini: \[share\] freq_mhz must be > 0" -- "$VMEMSIM" share -q "$C1" --calibration "$T/f0.ini"
sed 's/^copy = .*/copy = nan/' "$SRC/configs/share/current.ini" >"$T/fn.ini"
expect 1 "fn\.ini: \[share\] copy = 'nan'" -- "$VMEMSIM" share -q "$C1" --calibration "$T/fn.ini"
head -c 3000 "$T/avl.vmt" >"$T/cut.vmt"
cat "$T/avl.vmt" "$T/avl.vmt" >"$T/two.vmt"
expect 1 "cut\.vmt: offset 3000: .*ends early" -- "$VMEMSIM" share -q "$C1" --cow-trace "$T/cut.vmt"
expect 1 "two\.vmt: offset [0-9]+: bytes after the end" -- "$VMEMSIM" share -q "$C1" --cow-trace "$T/two.vmt"

# ---- 4. ckpt: calibrations --------------------------------------------------------
grep -v '^hypercall\b' "$CAL" >"$T/miss.ini"
if ! cmp -s "$CAL" "$T/miss.ini"; then
  expect 1 "miss\.ini: \[[a-z]+\] hypercall is missing" -- "$VMEMSIM" ckpt -q --calib "$T/miss.ini" "$T/avl.vmt"
fi
{ cat "$CAL"; printf '[bogus]\nx = 1\n'; } >"$T/sec.ini"
expect 1 "sec\.ini: \[bogus\]: unknown section" -- "$VMEMSIM" ckpt -q --calib "$T/sec.ini" "$T/avl.vmt"
k=$(grep -m1 -o '^[a-z_]* *=' "$CAL" | tr -d ' =')
sed "0,/^$k *=.*/s//$k = inf/" "$CAL" >"$T/inf.ini"
expect 1 "inf\.ini: \[[a-z]+\] $k = 'inf'" -- "$VMEMSIM" ckpt -q --calib "$T/inf.ini" "$T/avl.vmt"
expect 1 "cut\.vmt: offset 3000" -- "$VMEMSIM" ckpt -q "$T/cut.vmt"
expect 1 "two\.vmt: offset [0-9]+: bytes after the end" -- "$VMEMSIM" ckpt -q "$T/two.vmt"

# ---- 5. trace subcommands on cut and concatenated files ---------------------------
expect 1 "two\.vmt: offset [0-9]+: bytes after the end" -- "$VMEMSIM" trace info "$T/two.vmt"
expect 1 "cut\.vmt: offset 3000" -- "$VMEMSIM" trace head "$T/cut.vmt" -n 1000000
printf 'keep' >"$T/keep.vmt"
expect 1 "cut\.vmt: offset 3000" -- "$VMEMSIM" trace convert "$T/cut.vmt" "$T/keep.vmt"
check '[ "$(cat "$T/keep.vmt")" = keep ]' "a failed convert touched its OUT"

# ---- 6. results that cannot be written ----------------------------------------------
# a directory where no file can be made (root passes access(2) in /proc): refused before the work
for c in "share -q $C1 --json /proc/s.json" "ckpt -q $T/avl.vmt --json /proc/c.json" \
         "trace convert $T/avl.vmt /proc/t.vmt"; do
  expect 1 "/proc/[a-z]\.[a-z]+: cannot create a file in directory /proc" -- $VMEMSIM $c
  check '[ ! -s "$T/out" ]' "$c: worked before finding its output unwritable"
done
for c in "share -q $C1" "ckpt -q $T/avl.vmt" "place -q --synthetic azure --vms 5"; do
  expect 2 "/dev/full: is a device" -- $VMEMSIM $c --json /dev/full
done
# a full stdout is an error, not a lost report
for c in "share $C1" "share -q $C1 --json -" "ckpt -q $T/avl.vmt --json -" "place --synthetic azure --vms 5" \
         "trace info $T/avl.vmt" "trace head $T/avl.vmt" "trace convert $T/avl.vmt -" "share --sizing"; do
  $VMEMSIM $c >/dev/full 2>"$T/err"; st=$?
  if [ $st -eq 1 ] && grep -q "stdout: write failed" "$T/err"; then ok; else bad "$c >/dev/full: exit $st: $(tail -1 "$T/err")"; fi
done
# a refused run leaves the result of an earlier one as it was
"$VMEMSIM" place -q "$A" --json "$T/p.json" && cp "$T/p.json" "$T/p.keep"
expect 1 "sw\.swf: line $J" -- "$VMEMSIM" place -q "$T/sw.swf" --json "$T/p.json"
check 'cmp -s "$T/p.json" "$T/p.keep"' "a refused place changed its earlier --json"
"$VMEMSIM" ckpt -q "$T/avl.vmt" --json "$T/c.json" && cp "$T/c.json" "$T/c.keep"
expect 1 "cut\.vmt: offset 3000" -- "$VMEMSIM" ckpt -q "$T/cut.vmt" --json "$T/c.json"
check 'cmp -s "$T/c.json" "$T/c.keep"' "a refused ckpt changed its earlier --json"
"$VMEMSIM" share -q "$C1" --json "$T/s.json" && cp "$T/s.json" "$T/s.keep"
expect 2 "--sample=1: the snapshots span" -- timeout $SHARE_TIMEOUT "$VMEMSIM" share -q --sample 1 "a=$C1" "a@1e17=$C2" --json "$T/s.json"
check 'cmp -s "$T/s.json" "$T/s.keep"' "a refused share changed its earlier --json"

echo "badinput/side: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
