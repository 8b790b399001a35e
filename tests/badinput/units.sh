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
# cut FILE BYTES OUT: the first BYTES of FILE; junk FILE OUT: FILE, then garbage.
cut() { head -c "$2" "$1" >"$3"; }
junk() { { cat "$1"; printf 'garbage\000\377\023\n'; } >"$2"; }
size() { stat -c %s "$1"; }

# ---- text: lines ------------------------------------------------------------
TEXT=":line $N: "
for fmt in lackey pin simics; do
  s=$F/$fmt.sample
  cut "$s" $(($(size "$s") - 2)) "$T/cut.$fmt"   # inside the last line: a warning, then maybe an error
  unit '0|1' "$T/cut.$fmt" "$TEXT"
  grep -q 'warning: .*no newline' "$T/err" && ok || { bad "cut.$fmt: no warning"; cat "$T/err"; }
  junk "$s" "$T/junk.$fmt"
  unit 1 "$T/junk.$fmt" "$TEXT"
done

# ---- binary: byte offsets, and the format's own count -------------------------
cut "$F/champsim.sample" 100 "$T/cut.champsim"
unit 1 "$T/cut.champsim" ": offset 64 \(instruction 2\): partial ChampSim record"
junk "$F/champsim.sample" "$T/junk.champsim"
unit 1 "$T/junk.champsim" ": offset 128 \(instruction 3\): partial ChampSim record"
d=$F/drmemtrace.sample; n=$(size "$d")
cut "$d" $((n - 5)) "$T/cut.drmemtrace"
unit 1 "$T/cut.drmemtrace" ": offset $((n - 12)) \(entry $((n / 12))\): partial drmemtrace entry"
junk "$d" "$T/junk.drmemtrace"
unit 1 "$T/junk.drmemtrace" ": offset $n \(entry $((n / 12 + 1))\): $N bytes after the FOOTER"
s=$F/sift.sample; n=$(size "$s")
cut "$s" $((n - 1)) "$T/cut.sift"               # the end record's header cut: it starts 6 bytes before the end
unit 1 "$T/cut.sift" ": offset $((n - 6)) \(record $N\): SIFT record header cut short"
junk "$s" "$T/junk.sift"
unit 1 "$T/junk.sift" ": offset $n \(record $N\): bytes after the SIFT end record"
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
cut "$v" $((n - 3)) "$T/cut.vmt"
unit 1 "$T/cut.vmt" ": offset $N: "
junk "$v" "$T/junk.vmt"
unit 1 "$T/junk.vmt" ": offset $n: bytes after the end"
# a record of no kind inside an uncompressed .vmt: the record stream's offset and the record
v=$C/vmt/none.vmt
{ head -c 16 "$v"; printf '\x7f'; tail -c +18 "$v"; } >"$T/kind.vmt"
unit 1 "$T/kind.vmt" ": record stream offset 0 \(record 1\): "

# ---- compressed: decompressed and compressed offsets, for a text and a binary format
for z in gzip xz zstd; do
  command -v $z >/dev/null || continue
  for fmt in lackey drmemtrace; do
    $z -c "$F/$fmt.sample" >"$T/$fmt.$z"
    n=$(size "$T/$fmt.$z")
    cut "$T/$fmt.$z" $((n - 3)) "$T/cut.$fmt.$z"
    unit 1 "$T/cut.$fmt.$z" ": offset $N \(compressed offset $N\): $z data ends early"
    junk "$T/$fmt.$z" "$T/junk.$fmt.$z"
    unit 1 "$T/junk.$fmt.$z" ": offset $N \(compressed offset $N\): trailing bytes after the last (gzip member|xz stream|zstd frame)"
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
