#!/usr/bin/env bash
# badinput/units.sh: every reader's truncation and garbage messages name the
# position in the unit the format has -- the line for the text formats
# (lackey, pin, simics: "FILE:line N", warnings too), the byte offset for the
# binary ones with the format's own count beside it (ChampSim instruction,
# drmemtrace entry, the engine's record for .vmt and SIFT; a zlib SIFT names
# the offset in its decompressed record stream), and the decompressed and
# compressed offsets for gzip, xz and zstd, whatever the format inside.  One
# cut and one garbage-appended file per format; each stderr line must read
# as its unit says and carry no other unit.
# usage: units.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

F=$SRC/tests/fixtures/formats
C=$SRC/fuzz/corpus
N='[0-9]+'

# unit STATUS FILE PATTERN: `trace info FILE` exits STATUS (a regex), and every line it
# writes to stderr is "vmemsim: [warning: ]" then FILE's name then PATTERN.
unit() {
  local status=$1 file=$2 pattern=$3 b
  b=$(basename "$file")
  "$VMEMSIM" trace info "$file" >"$T/out" 2>"$T/err"
  local got=$?
  if ! [[ $got =~ ^($status)$ ]]; then bad "$b: exit $got (wanted $status)"; cat "$T/err"; return; fi
  if ! [ -s "$T/err" ]; then bad "$b: no message"; return; fi
  if grep -vqE "^vmemsim: (warning: )?(.*/)?${b//./\\.}($pattern)" "$T/err"; then
    bad "$b: a message not in its unit /$pattern/:"; cat "$T/err"; return
  fi
  ok
}
# cut FILE BYTES OUT: the first BYTES of FILE.
cut() { head -c "$2" "$1" >"$3"; }
size() { stat -c %s "$1"; }
# pair FILE NAME BYTES CUT_STATUS CUT_PATTERN JUNK_PATTERN: FILE's first BYTES
# as cut.NAME, and FILE then garbage as junk.NAME (NAME's suffix is the hint
# a ChampSim file needs), each checked by unit.
pair() {
  cut "$1" "$3" "$T/cut.$2"
  unit "$4" "$T/cut.$2" "$5"
  { cat "$1"; printf 'garbage\000\377\023\n'; } >"$T/junk.$2"
  unit 1 "$T/junk.$2" "$6"
}

# ---- text: lines ------------------------------------------------------------
TEXT=":line $N: "
for fmt in lackey pin simics; do
  s=$F/$fmt.sample # cut inside the last line: a warning, then maybe an error
  pair "$s" $fmt $(($(size "$s") - 2)) '0|1' "$TEXT" "$TEXT"
  "$VMEMSIM" trace info "$T/cut.$fmt" 2>&1 >/dev/null | grep -qE "warning: .*cut\.$fmt:line $N: the last line has no newline" &&
    ok || bad "cut.$fmt: no truncation warning naming the line"
done

# ---- binary: byte offsets, and the format's own count -------------------------
pair "$F/champsim.sample" champsim 100 1 ": offset 64 \(instruction 2\): partial ChampSim record" \
  ": offset 128 \(instruction 3\): partial ChampSim record"
d=$F/drmemtrace.sample; n=$(size "$d")
pair "$d" drmemtrace $((n - 5)) 1 ": offset $((n - 12)) \(entry $((n / 12))\): partial drmemtrace entry" \
  ": offset $n \(entry $((n / 12 + 1))\): $N bytes after the FOOTER"
s=$F/sift.sample; n=$(size "$s") # the end record's header cut: it starts 6 bytes before the end
pair "$s" sift $((n - 1)) 1 ": offset $((n - 6)) \(record $N\): SIFT record header cut short" \
  ": offset $n \(record $N\): bytes after the SIFT end record"
# The same records zlib-compressed (option CompressionZlib): offsets in the record stream.
python3 - "$s" "$T/zlib.sift" <<'PY'
import sys, zlib
raw = open(sys.argv[1], "rb").read()
assert raw[4:8] == b"\0\0\0\0", "the sample has no extra header"
opts = int.from_bytes(raw[8:16], "little") | 1
open(sys.argv[2], "wb").write(raw[:8] + opts.to_bytes(8, "little") + zlib.compress(raw[16:]))
PY
expect 0 "" -- "$VMEMSIM" trace info "$T/zlib.sift"
n=$(size "$T/zlib.sift")
cut "$T/zlib.sift" $((n - 8)) "$T/cut.zlib.sift"
unit 1 "$T/cut.zlib.sift" ": record stream offset $N \(record $N\): SIFT .*cut short|: record stream offset $N \(record $N\): the SIFT trace ends without"
# cut inside the Adler-32 trailer: every record inflates, the stream still ends early (a file offset)
cut "$T/zlib.sift" $((n - 2)) "$T/trailer.zlib.sift"
unit 1 "$T/trailer.zlib.sift" ": offset $N: the SIFT trace's zlib stream ends early"
v=$F/vmt.sample; n=$(size "$v")
pair "$v" vmt $((n - 3)) 1 ": offset $N: " ": offset $n: bytes after the end"
# a record of no kind inside an uncompressed .vmt: the record stream's offset and the record
v=$C/vmt/none.vmt
{ head -c 16 "$v"; printf '\x7f'; tail -c +18 "$v"; } >"$T/kind.vmt"
unit 1 "$T/kind.vmt" ": record stream offset 0 \(record 1\): "

# ---- compressed: decompressed and compressed offsets, for a text and a binary format
for z in gzip xz zstd; do
  command -v $z >/dev/null || continue
  for fmt in lackey drmemtrace; do
    $z -c "$F/$fmt.sample" >"$T/$fmt.$z"
    pair "$T/$fmt.$z" $fmt.$z $(($(size "$T/$fmt.$z") - 3)) 1 ": offset $N \(compressed offset $N\): $z data ends early" \
      ": offset $N \(compressed offset $N\): trailing bytes after the last (gzip member|xz stream|zstd frame)"
  done
done
# Streams and frames may follow one another (xz with null padding, a multiple
# of 4 bytes; zstd with skippable frames): still one trace, no garbage.
s=$F/lackey.sample
head -c 50 "$s" >"$T/a.txt"
tail -c +51 "$s" >"$T/b.txt"
if command -v xz >/dev/null; then
  { xz -c "$T/a.txt"; printf '\0\0\0\0'; xz -c "$T/b.txt"; printf '\0\0\0\0\0\0\0\0'; } >"$T/pad.lackey.xz"
  expect 0 "" -- "$VMEMSIM" trace info "$T/pad.lackey.xz"
  { xz -c "$T/a.txt"; printf '\0\0\0'; xz -c "$T/b.txt"; } >"$T/badpad.lackey.xz"
  unit 1 "$T/badpad.lackey.xz" ": offset 50 \(compressed offset $N\): xz stream padding is not a multiple of 4 bytes"
fi
if command -v zstd >/dev/null; then
  { zstd -q -c "$T/a.txt"; printf '\x50\x2a\x4d\x18\x04\0\0\0skip'; zstd -q -c "$T/b.txt"; } >"$T/skip.lackey.zst"
  expect 0 "" -- "$VMEMSIM" trace info "$T/skip.lackey.zst"
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
