#!/usr/bin/env bash
# badinput/input.sh: the input half of issue 12's bad-input battery -- traces,
# snapshots and placement traces that are malformed, truncated, padded with
# garbage or carry addresses no x86-64 CPU issues.  Every one must end with a
# clear error on stderr naming the file (and the line, offset or record where
# there is one) and exit 1 (bad input) or 2 (usage): never a signal, never
# rc 0 on garbage.  All inputs are generated here, deterministically (fixed
# awk seeds, fixed byte strings), from the samples in the source tree.
# usage: input.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

C=$SRC/fuzz/corpus
S=$SRC/traces/samples

# garbage FILE PATTERN -- `trace info` must fail (rc 1) naming FILE, with PATTERN.
garbage() {
  expect 1 "$(basename "$1").*$2" -- "$VMEMSIM" trace info "$1"
}

# survives CMD...: rc 0, or rc 1 with an error naming the file; never a signal
# (for inputs that may legitimately be valid: a text trace cut at a line end).
survives() {
  local file=$1
  shift
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [ "$got" -eq 0 ]; then ok; return; fi
  if [ "$got" -ne 1 ]; then bad "exit $got (wanted 0 or 1): $*"; cat "$T/err"; return; fi
  grep -qF -- "$(basename "$file")" "$T/err" && ok || { bad "error does not name $file: $*"; cat "$T/err"; }
}

# Fixed "random" bytes: what a disk error or a concatenation leaves.
junk() { printf '\x8b\x00\xff\x13\x37\xc0\x01\x02garbage\xfe\xed\xfa\xce\x00\x00\x00\x07\x7f\x80\x90\xa0\xb0\xc0\xd0\xe0\xf0\x0a\x0d\x09\x00\x11'; }

# ---- 1. the engine: addresses no CPU issues, resources that run out ----------
printf ' L 1000,8\n L 0100000000000000,8\n' >"$T/x.lackey"
expect 1 'x\.lackey: record 2: load address 0x100000000000000 is not canonical for 4-level paging' -- \
  "$VMEMSIM" run -q "$T/x.lackey"
printf 'I  00400000,4\n L 0000800000000000,8\n' >"$T/la57.lackey"
expect 1 'la57\.lackey: record 2: .*not canonical for 4-level' -- "$VMEMSIM" run -q "$T/la57.lackey"
expect 0 "" -- "$VMEMSIM" run -q -o guest.levels=5 "$T/la57.lackey"      # canonical with LA57
printf 'I  00400000,4\n L ffff800000001000,8\n L 00007fffffffe000,8\n' >"$T/kernel.lackey"
expect 0 "" -- "$VMEMSIM" run -q "$T/kernel.lackey"                     # both halves are canonical
for mode in native nested shadow agile; do
  expect 1 'x\.lackey: record 2: .*not canonical' -- "$VMEMSIM" run -q -o machine.mode=$mode "$T/x.lackey"
done
# 6000 distinct pages (23 MiB) in 16 MiB: the OS, then the host, runs out -- at a named record.
awk 'BEGIN { for (i = 0; i < 6000; i++) printf "I  %08x,4\n L %08x,8\n", 4194304 + 4 * (i % 64), 268435456 + i * 4096 }' \
  >"$T/pages.lackey"
expect 1 'pages\.lackey: record [0-9]+: out of physical memory' -- \
  "$VMEMSIM" run -q -o vm.reserved=1m -o guest.mem=16m "$T/pages.lackey"
expect 1 'pages\.lackey: record [0-9]+: host memory exhausted' -- \
  "$VMEMSIM" run -q -o machine.mode=nested -o host.mem=16m -o vm.reserved=1m -o guest.mem=64m "$T/pages.lackey"
# Random 64-bit addresses (fixed seeds): each trace runs, or stops at the
# first non-canonical record it holds -- the record awk says.
for seed in $(seq 1 40); do
  awk -v seed="$seed" 'BEGIN {
    srand(seed); at = 1 + int(rand() * 20); want = 0
    for (i = 1; i <= 20; i++) {
      if (i == at) {
        a = ""; for (d = 0; d < 16; d++) a = a sprintf("%x", int(rand() * 16))
        if (seed % 8 == 0) a = "ffff8" substr(a, 6)            # some canonical kernel addresses
        top = substr(a, 1, 4) ; nib = substr(a, 5, 1)
        canon = (top == "0000" && nib ~ /[0-7]/) || (top == "ffff" && nib ~ /[89a-f]/)
        if (!canon) want = i
        printf " L %s,8\n", a
      } else printf "I  %08x,4\n", 4194304 + 4 * i
    }
    print want > "/dev/stderr" }' >"$T/rand$seed.lackey" 2>"$T/want"
  want=$(cat "$T/want")
  if [ "$want" -eq 0 ]; then
    expect 0 "" -- "$VMEMSIM" run -q "$T/rand$seed.lackey"
  else
    expect 1 "rand$seed\\.lackey: record $want: load address .* is not canonical" -- \
      "$VMEMSIM" run -q "$T/rand$seed.lackey"
  fi
done

# A malformed unmap record is bad input like any other (exit 1, the file and
# the record named), whether the OS model refuses its range or the engine its
# id; `trace head` shows the id and size it carries.  The .vmt is written
# here byte by byte (codec none, every record escaped: an instruction, a
# store to 0x10000000, the unmap of LEN there with ID, SIZE; lib_cli.sh's vmt_file).
unmap_vmt() { # FILE LEN ID SIZE (each a LEB128 varint as printf escapes)
  local body="\x0e\x00\x80\x80\x80\x02\x00\x00\x04\x0e\x02\x80\x80\x80\x80\x01\x00\x00\x08"
  body+="\x0e\x0f\x80\x80\x80\x80\x01$2$3$4"
  vmt_file "$1" "$body" '\x03'
}
unmap_vmt "$T/unmap_ok.vmt" '\x80\x20' '\x00' '\x00' # 4096 bytes: valid
expect 0 "" -- "$VMEMSIM" run -q "$T/unmap_ok.vmt"
unmap_vmt "$T/unmap_len.vmt" '\x81\x20' '\x00' '\x00' # 4097 bytes: not whole pages
expect 1 'unmap_len\.vmt: record 3: .*unmaps 4097 bytes' -- "$VMEMSIM" run -q "$T/unmap_len.vmt"
unmap_vmt "$T/unmap_id.vmt" '\x80\x20' '\x05' '\x07' # id 5, size 7
expect 1 'unmap_id\.vmt: record 3: unmap record with id 5 and size 7' -- "$VMEMSIM" run -q "$T/unmap_id.vmt"
"$VMEMSIM" trace head "$T/unmap_id.vmt" >"$T/head" 2>&1
grep -qx 'unmap 0x10000000 4096 id=5 size=7' "$T/head" && ok || { bad "trace head hides the unmap's id and size"; cat "$T/head"; }
"$VMEMSIM" trace head "$T/unmap_ok.vmt" >"$T/head" 2>&1
grep -qx 'unmap 0x10000000 4096' "$T/head" && ok || { bad "trace head of a valid unmap"; cat "$T/head"; }

# ---- 2. detection: binary files that are not ChampSim traces -----------------
gzip -dc "$SRC/tests/fixtures/share/sleep1.core.gz" >"$T/core"
head -c 65536 "$T/core" >"$T/core.prefix"
garbage "$T/core.prefix" 'offset 0: an ELF file'
head -c 640 /dev/zero >"$T/zeros.bin"
garbage "$T/zeros.bin" 'unknown trace format'
head -c 640 /dev/zero >"$T/zeros.champsim"
garbage "$T/zeros.champsim" 'unknown trace format'
{ junk; junk; junk; } >"$T/junk.bin"
garbage "$T/junk.bin" 'unknown trace format'
printf 'PK\003\004rest of a zip' >"$T/a.zip"
garbage "$T/a.zip" 'a zip archive'
# A real ChampSim trace still reads; cut short, it names the partial record.
expect 0 "" -- "$VMEMSIM" trace info "$C/champsim/small.champsim"
head -c 100 "$C/champsim/small.champsim" >"$T/cut.champsim"
garbage "$T/cut.champsim" 'offset 64 \(instruction 2\): partial ChampSim record'

# ---- 3. drmemtrace and SIFT end markers ---------------------------------------
# end_marker FILE BYTES NO_END_PATTERN TAIL_PATTERN: FILE without its last
# BYTES (the end marker), and FILE with junk after it, are both errors.
end_marker() {
  local f=$1 k=$2 b n
  b=$(basename "$f"); n=$(stat -c %s "$f")
  head -c $((n - k)) "$f" >"$T/noend.$b"
  garbage "$T/noend.$b" "$3"
  { cat "$f"; junk; } >"$T/tail.$b"
  garbage "$T/tail.$b" "$4"
}
dr=$C/drmemtrace/small.drmem
n=$(stat -c %s "$dr")
end_marker "$dr" 12 "offset $((n - 12)) \\(entry $((n / 12))\\): the trace ends without its FOOTER" \
  "offset $n \\(entry $((n / 12 + 1))\\): .*bytes after the FOOTER"
{ cat "$dr"; cat "$dr"; } >"$T/twice.drmem"
garbage "$T/twice.drmem" "offset $n \\(entry $((n / 12 + 1))\\): .*bytes after the FOOTER"
end_marker "$C/sift/small.sift" 6 'ends without its end record' 'bytes after the SIFT end record'

# ---- 4. text traces: the first bad line is named -------------------------------
printf 'garbage\n' >"$T/first.txt"
garbage "$T/first.txt" ':line 1: not a record of any text trace format'
printf 'garbage\n' >"$T/first.lackey"
garbage "$T/first.lackey" ":line 1: expected a lackey record"
printf 'hello\nI  00400000,4\n' >"$T/first2.lackey"
garbage "$T/first2.lackey" ":line 1: "
{ gzip -dc "$S/awk.lackey.gz" | head -50; junk; } >"$T/tailjunk.lackey"
garbage "$T/tailjunk.lackey" ':line 51: expected a lackey record'
for bad_hint in "$T/first.txt" "$T/junk.bin"; do   # no read path has --format: the hint must not name it
  "$VMEMSIM" trace info "$bad_hint" 2>&1 | grep -q -- '--format' && bad "$bad_hint: hint names --format" || ok
done

# ---- 5. compressed input: what failed, not "decoder error" ----------------------
gzip -dc "$S/awk.lackey.gz" | head -2000 >"$T/plain.lackey"
xz -c --check=crc64 "$T/plain.lackey" >"$T/c.lackey.xz"
cp "$T/c.lackey.xz" "$T/flip.lackey.xz"
printf '\x55\xaa\x55\xaa' | dd of="$T/flip.lackey.xz" bs=1 seek=200 conv=notrunc status=none
garbage "$T/flip.lackey.xz" 'xz data: corrupt data, or an integrity check'
"$VMEMSIM" trace info "$T/flip.lackey.xz" 2>&1 | grep -q 'decoder error' && bad "xz error says 'decoder error'" || ok
n=$(stat -c %s "$T/c.lackey.xz")
head -c $((n - 20)) "$T/c.lackey.xz" >"$T/cut.lackey.xz"
garbage "$T/cut.lackey.xz" 'xz data ends early'

# ---- 6. every format: truncated, padded, and with a flipped byte ----------------
for f in "$C/vmt/none.vmt" "$C/vmt/zlib.vmt" "$C/vmt/zstd.vmt" "$C/drmemtrace/small.drmem" \
         "$C/sift/small.sift" "$C/champsim/small.champsim" "$C/auto/small.pin.xz" \
         "$C/auto/head.lackey.gz" "$C/auto/small.simics.zst" "$T/c.lackey.xz"; do
  b=$(basename "$f"); n=$(stat -c %s "$f")
  for cut in $((n / 3)) $((n / 2 + 5)) $((n - 1)); do # binary and compressed: no valid prefix
    head -c "$cut" "$f" >"$T/cut$cut.$b"
    garbage "$T/cut$cut.$b" ''
  done
  { cat "$f"; junk; } >"$T/pad.$b"
  garbage "$T/pad.$b" ''
  cp "$f" "$T/flip.$b"
  printf '\xa5' | dd of="$T/flip.$b" bs=1 seek=$((n / 2)) conv=notrunc status=none
  survives "$T/flip.$b" "$VMEMSIM" trace info "$T/flip.$b"
  survives "$T/flip.$b" "$VMEMSIM" run -q "$T/flip.$b"
done
for f in "$C/lackey/head.lackey" "$C/lackey/edge.lackey" "$C/pin/small.pin" "$C/simics/small.simics"; do
  b=$(basename "$f"); n=$(stat -c %s "$f")
  for cut in $((n / 3)) $((n / 2)) $((n - 1)); do     # text: a cut at a line end is a valid trace
    head -c "$cut" "$f" >"$T/cut$cut.$b"
    survives "$T/cut$cut.$b" "$VMEMSIM" trace info "$T/cut$cut.$b"
  done
  { cat "$f"; junk; } >"$T/pad.$b"
  garbage "$T/pad.$b" ':line [0-9]+: '
done

mkdir -p "$T/tracedir"
expect 1 'tracedir: is a directory; expected a trace file' -- "$VMEMSIM" trace info "$T/tracedir"
expect 1 'tracedir: is a directory; expected a trace file' -- "$VMEMSIM" run -q "$T/tracedir"

# ---- 7. share: snapshots ------------------------------------------------------
head -c 8192 "$T/core" >"$T/r.img"
expect 2 'r\.img: base 0xfffffffffffff000 is beyond 2\^52' -- "$VMEMSIM" share "raw:0xfffffffffffff000:$T/r.img"
expect 2 'r\.img: raw image of 8192 bytes at base 0xffffffffff000 ends beyond 2\^52' -- \
  "$VMEMSIM" share "raw:0xffffffffff000:$T/r.img"
expect 2 "expected raw:BASE:PATH" -- "$VMEMSIM" share "raw:-4096:$T/r.img"
expect 2 "expected raw:BASE:PATH" -- "$VMEMSIM" share "raw:99999999999999999999999:$T/r.img"
expect 0 "" -- "$VMEMSIM" share "raw:0x1000:$T/r.img"
mkdir -p "$T/adir"
expect 1 'adir: is a directory; expected a snapshot file' -- "$VMEMSIM" share "$T/adir"
expect 1 'adir: is a directory' -- "$VMEMSIM" share "raw:0:$T/adir"
expect 0 "" -- "$VMEMSIM" share "$SRC/tests/fixtures/share/sleep1.core.gz"  # gzip, like trace input
xz -c "$T/r.img" >"$T/r.img.xz"
expect 0 "" -- "$VMEMSIM" share "raw:0x1000:$T/r.img.xz"
head -c 20000 "$SRC/tests/fixtures/share/sleep1.core.gz" >"$T/cut.core.gz"
expect 1 'cut\.core\.gz: .*(gzip data ends early|truncated)' -- "$VMEMSIM" share "$T/cut.core.gz"
printf 'not an elf at all' | gzip -c >"$T/notelf.gz"
expect 1 'notelf\.gz: offset 0: file ends inside the ELF identification|notelf\.gz: offset 0: not an ELF file' -- \
  "$VMEMSIM" share "$T/notelf.gz"

# ---- 8. place: VM traces -------------------------------------------------------
mkdir -p "$T/emptydir"
expect 1 'emptydir: the directory holds no Bitbrains VM file' -- "$VMEMSIM" place -q "$T/emptydir"
{ cat "$SRC/tests/fixtures/place/azure_v1.csv"; junk; } >"$T/pad.csv"
expect 1 'pad\.csv' -- "$VMEMSIM" place -q "$T/pad.csv"

# a vmid twice (a vmtable concatenated with a part of itself) would count its VMs twice
A=$SRC/tests/fixtures/place/azure_v1.csv
{ cat "$A"; sed -n 2p "$A"; } >"$T/dupid.csv"
expect 1 "dupid\.csv: line $(($(wc -l <"$A") + 1)): vmid 'x1Ab/1' is repeated \(first at line 2\)" -- "$VMEMSIM" place -q "$T/dupid.csv"
{ cat "$A"; cat "$A"; } >"$T/twice.csv"
expect 1 "twice\.csv: line $(($(wc -l <"$A") + 1)): vmid 'x1Ab/0' is repeated \(first at line 1\)" -- "$VMEMSIM" place -q "$T/twice.csv"
sed 's/^x1Ab\/0,/x1Ab\/0x,/' "$A" | sed -n 1p >"$T/prefix.csv"; cat "$A" >>"$T/prefix.csv"  # x1Ab/0x is not x1Ab/0
expect 0 "" -- "$VMEMSIM" place -q "$T/prefix.csv"

W=$SRC/tests/fixtures/place/cerit.swf
{ cat "$W"; grep -v '^;' "$W" | head -1; } >"$T/dupjob.swf"
expect 1 "dupjob\.swf: line $(($(wc -l <"$W") + 1)): job number 1 is repeated \(first at line $(grep -n -m1 -v '^;' "$W" | cut -d: -f1)\)" -- "$VMEMSIM" place -q "$T/dupjob.swf"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
