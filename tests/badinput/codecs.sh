#!/usr/bin/env bash
# badinput/codecs.sh: the .vmt reader's compressed codecs (zlib through ISA-L's
# igzip when built, zstd) and its one-load varints, given damaged files
# through every command that reads a trace: run, trace info/head/convert,
# ckpt, sweep and share --cow-trace (gen and place read none: place is handed
# one, gen refuses a value over an existing output; their other bad values
# are cli.sh's and edges.sh's).  The trace is larger than
# the reader's 256 KiB decoded window and its 256 KiB input buffer, so cuts,
# flips and trailing bytes land before, at and after both refills.  Every
# damaged file exits 1 naming the file and an offset -- never a signal,
# never rc 0 -- and an output it would have replaced is kept.  Then the
# guest.flush_ceiling key (added in session 12) given bad values in a file,
# an override and a sweep.
# usage: codecs.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect
S=$SRC/traces/samples/gzip.lackey.gz
CAL=$SRC/configs/ckpt/xen2011.ini

# damaged FILE CMD...: exit 1, the error names FILE and an offset
damaged() {
  local file=$1
  shift
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [ "$got" -ne 1 ]; then bad "exit $got (wanted 1): $*"; head -3 "$T/err"; return; fi
  if ! grep -qE -- "$(basename "$file"): (record stream )?offset [0-9]+" "$T/err"; then
    bad "error does not name $(basename "$file") and an offset: $*"; head -3 "$T/err"; return
  fi
  ok
}

# every command that reads the trace FILE, each expected to fail on it
every_reader() {
  local f=$1
  damaged "$f" "$VMEMSIM" trace info "$f"
  damaged "$f" "$VMEMSIM" trace head -n 100000000 "$f"
  damaged "$f" "$VMEMSIM" run -q "$f"
  damaged "$f" "$VMEMSIM" ckpt -q --calib "$CAL" "$f"
  cp "$T/keep.vmt" "$T/conv.vmt"
  damaged "$f" "$VMEMSIM" trace convert "$f" "$T/conv.vmt"
  cmp -s "$T/keep.vmt" "$T/conv.vmt" && ok || bad "a failed convert of $f replaced its output"
  damaged "$f" "$VMEMSIM" share -q --cow-trace "$f" "raw:0:$T/img.raw" "raw:0:$T/img.raw"
  printf '[sweep]\nbase = %s\ntraces = %s\n[params]\nguest.flush_ceiling = 0, 33\n' \
    "$SRC/configs/skylake.ini" "$f" >"$T/s.ini"
  damaged "$f" "$VMEMSIM" sweep -q -j 1 --out "$T/s.csv" "$T/s.ini"
}

head -c 65536 /dev/zero >"$T/img.raw"
"$VMEMSIM" gen worst refs=1000 -o "$T/keep.vmt" 2>/dev/null
"$VMEMSIM" gen worst refs=60000 -o "$T/w.zlib.vmt" 2>/dev/null
"$VMEMSIM" trace convert "$T/w.zlib.vmt" "$T/w.zstd.vmt" >/dev/null 2>&1 # convert writes zstd when built
for f in "$T/w.zlib.vmt" "$T/w.zstd.vmt"; do
  expect 0 "" -- "$VMEMSIM" trace info "$f"
  n=$(stat -c %s "$f")
  check_codec=$(od -A n -t u1 -j 10 -N 1 "$f" | tr -d ' ')
  [ "$(stat -c %s "$f")" -gt 262144 ] && ok || bad "$f is no larger than the input buffer"
  echo "$(basename "$f"): codec $check_codec, $n bytes" >>"$T/codecs"
  b=$(basename "$f")
  # cuts: the last 40 bytes one by one, 24 spread over the file, around the input buffer's 256 KiB
  cuts=$(seq $((n - 40)) $((n - 1)); seq 17 $((n / 24)) $n; seq 262140 262148)
  for cut in $cuts; do
    [ "$cut" -lt "$n" ] || continue
    head -c "$cut" "$f" >"$T/c.$b"
    damaged "$T/c.$b" "$VMEMSIM" trace info "$T/c.$b"
  done
  # trailing bytes: 1 to 9 of them (igzip reads up to 8 ahead), zero and non-zero
  for k in 1 2 3 4 5 8 9; do
    for v in '\x00' '\xa5'; do
      { cat "$f"; for ((i = 0; i < k; i++)); do printf "$v"; done; } >"$T/t.$b"
      damaged "$T/t.$b" "$VMEMSIM" trace info "$T/t.$b"
      grep -qE "offset $n: bytes after the end" "$T/err" && ok || bad "trailing bytes of $b not named at offset $n: $(cat "$T/err")"
    done
  done
  # one byte set to ff: in the codec's header, spread through the stream, in its last 12 bytes
  # (checksums).  Only a change of bits deflate ignores (the padding after its last code: the
  # zlib file's byte n-5 here) may still read, and then to the same records (trace head prints
  # them all); zlib and zstd check everything else.
  "$VMEMSIM" trace head -n 1000000 "$f" >"$T/recs.want"
  for at in 16 17 18 $(seq 100 $((n / 16)) $n) $(seq $((n - 12)) $((n - 1))); do
    [ "$at" -lt "$n" ] || continue
    cp "$f" "$T/o.$b"
    printf '\xff' | dd of="$T/o.$b" bs=1 seek="$at" conv=notrunc status=none
    cmp -s "$f" "$T/o.$b" && continue
    if "$VMEMSIM" trace info "$T/o.$b" >"$T/info.got" 2>/dev/null; then
      "$VMEMSIM" trace head -n 1000000 "$T/o.$b" | cmp -s - "$T/recs.want" && ok ||
        bad "$b with byte $at set to ff read: $(head -3 "$T/info.got")"
      continue
    fi
    damaged "$T/o.$b" "$VMEMSIM" trace info "$T/o.$b"
  done
  # every reader, given a cut, a flip and trailing bytes
  head -c $((n - 3)) "$f" >"$T/cut.$b"
  every_reader "$T/cut.$b"
  cp "$f" "$T/flip.$b"; printf '\x00' | dd of="$T/flip.$b" bs=1 seek=$((n / 2)) conv=notrunc status=none
  every_reader "$T/flip.$b"
  { cat "$f"; printf '\x01'; } >"$T/tail.$b"
  every_reader "$T/tail.$b"
done
# the two commands that read no trace, handed one: place refuses it as a VM trace, naming it;
# a gen refused for a bad value keeps the trace it would have replaced
expect 1 "w\.zlib\.vmt: unrecognised VM trace" -- "$VMEMSIM" place -q "$T/w.zlib.vmt"
cp "$T/keep.vmt" "$T/gen.vmt"
expect 2 "gen worst: refs=1x: expected an integer" -- "$VMEMSIM" gen worst refs=1x -o "$T/gen.vmt"
cmp -s "$T/keep.vmt" "$T/gen.vmt" && ok || bad "a refused gen replaced its output"
grep -q "w.zstd.vmt: codec 2" "$T/codecs" || echo "note: no zstd in this build; both files are zlib"

# ---- .vmt varints at the end of an uncompressed file (read by one 8-byte load or byte by byte) ----
# a load whose 10-byte delta has bit 63 set in its last byte reads; a 10th byte above 1, or an 11th byte, is refused
vmt_file "$T/max.vmt" '\x41\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01' '\x01'
expect 0 "" -- "$VMEMSIM" trace info "$T/max.vmt"
vmt_file "$T/wide.vmt" '\x41\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02' '\x01'
expect 1 "wide\.vmt: record stream offset 0 \(record 1\): bad address delta" -- "$VMEMSIM" run -q "$T/wide.vmt"
vmt_file "$T/long.vmt" '\x41\x80\x80\x80\x80\x80\x80\x80\x80\x80\x81\x00' '\x01'
expect 1 "long\.vmt: record stream offset 0 \(record 1\): bad address delta" -- "$VMEMSIM" trace info "$T/long.vmt"
n=$(stat -c %s "$T/max.vmt")
for ((cut = 16; cut < n; cut++)); do
  head -c $cut "$T/max.vmt" >"$T/m.vmt"
  damaged "$T/m.vmt" "$VMEMSIM" trace info "$T/m.vmt"
done

# ---- guest.flush_ceiling: in a config, as an override, in a sweep ----
while read -r val pat; do
  printf '[guest]\nflush_ceiling = %s\n' "$val" >"$T/fc.ini"
  expect 1 "fc\.ini:2: \[guest\] flush_ceiling = .*$pat" -- "$VMEMSIM" run -q -c "$T/fc.ini" "$S"
  expect 1 "-o guest\.flush_ceiling=.*\[guest\] flush_ceiling = .*$pat" -- "$VMEMSIM" run -q -o "guest.flush_ceiling=$val" "$S"
  printf '[sweep]\nbase = %s\ntraces = %s\n[params]\nguest.flush_ceiling = 33, %s\n' "$SRC/configs/skylake.ini" "$S" "$val" >"$T/fs.ini"
  "$VMEMSIM" sweep -q -j 1 --out "$T/fs.csv" "$T/fs.ini" >"$T/out" 2>"$T/err"; st=$?
  [[ $st =~ ^[12]$ ]] && grep -q "fs\.ini" "$T/err" && grep -q "flush_ceiling" "$T/err" && ok ||
    bad "sweep with guest.flush_ceiling = $val: exit $st: $(head -2 "$T/err")"
  [ ! -s "$T/fs.csv" ] || [ "$(wc -l <"$T/fs.csv")" -le 1 ] && ok || bad "a refused sweep wrote rows: $val"
  rm -f "$T/fs.csv"
done <<'ROWS'
-1 expected a decimal integer in \[0, 1048576\]
1048577 out of range
4294967329 out of range
abc not a valid number
33.5 not a valid number
0x21 a leading 0 or 0x \(octal, hex\) is not accepted
33p not a valid number
ROWS
printf '[guest]\nflush_ceiling =\n' >"$T/fc.ini"
expect 1 "fc\.ini:2: \[guest\] flush_ceiling = ''" -- "$VMEMSIM" run -q -c "$T/fc.ini" "$S"
printf '[guest]\nflush_ceiling = 0\nflush_ceiling = 33\n' >"$T/fc.ini"
expect 1 "fc\.ini:3: \[guest\] flush_ceiling is set again \(first at line 2\)" -- "$VMEMSIM" run -q -c "$T/fc.ini" "$S"
# the bounds themselves are valid, and echoed
for v in 0 1048576; do
  expect 0 "" -- "$VMEMSIM" run -q -o "guest.flush_ceiling=$v" "$S" --json "$T/fc.json"
  grep -q "\"guest.flush_ceiling\": \"$v\"" "$T/fc.json" && ok || bad "guest.flush_ceiling=$v is not echoed"
done

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
