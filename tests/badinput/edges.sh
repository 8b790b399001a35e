#!/usr/bin/env bash
# badinput/edges.sh: the systematic half of the bad-input battery -- every
# cut and every one-byte overwrite of the small sample of each binary or
# compressed format, the edges of every number (0, 2^64-1, overflow, a unit
# with junk), NUL bytes and very long lines, in traces, configs, overrides,
# sweep files, gen parameters and the side models' inputs.  input.sh and
# cli.sh hold hand-picked cases; this file walks the boundaries.
# Every input must end with rc 0 (it is valid) or rc 1/2 with an error that
# names the file (or the option): never a signal, never another status.
# usage: edges.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect
C=$SRC/fuzz/corpus
S=$SRC/traces/samples/gzip.lackey.gz

# named FILE WANT CMD...: exit status in WANT (a regex, e.g. '0|1'); a
# non-zero exit must name FILE on stderr.
named() {
  local file=$1 want=$2
  shift 2
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if ! [[ $got =~ ^($want)$ ]]; then bad "exit $got (wanted $want): $*"; head -3 "$T/err"; return; fi
  if [ "$got" -ne 0 ] && ! grep -qF -- "$(basename "$file")" "$T/err"; then
    bad "error does not name $(basename "$file"): $*"; head -3 "$T/err"; return
  fi
  ok
}

# ---- 1. binary and compressed traces: every cut, every byte overwritten ----
# A .vmt, drmemtrace or SIFT file has no valid proper prefix (an end record
# or footer closes it), nor has a compressed stream: every cut is an error
# naming the file.  A ChampSim trace is valid exactly at its 64-byte record
# boundaries.
for f in "$C/vmt/none.vmt" "$C/vmt/zlib.vmt" "$C/vmt/zstd.vmt" "$C/drmemtrace/small.drmem" \
         "$C/sift/small.sift" "$C/sift/zlib.sift" "$C/auto/small.pin.xz" "$C/auto/small.simics.zst" "$C/auto/head.lackey.gz"; do
  b=$(basename "$f"); n=$(stat -c %s "$f")
  case $b in *.gz|*.xz|*.zst) step=5 ;; *) step=1 ;; esac   # a compressed stream has no record boundaries
  for ((cut = 1; cut < n; cut += step)); do
    head -c $cut "$f" >"$T/c.$b"
    named "$T/c.$b" 1 "$VMEMSIM" trace info "$T/c.$b"
  done
done
f=$C/champsim/small.champsim; n=$(stat -c %s "$f")
for ((cut = 1; cut < n; cut++)); do
  head -c $cut "$f" >"$T/c.champsim"
  if [ $((cut % 64)) -eq 0 ]; then want=0; else want=1; fi
  named "$T/c.champsim" $want "$VMEMSIM" trace info "$T/c.champsim"
  [ $want = 1 ] && [ $cut -gt 64 ] && { grep -q "offset $((cut / 64 * 64)) (instruction $((cut / 64 + 1))): partial ChampSim record" "$T/err" && ok || bad "cut $cut: $(cat "$T/err")"; }
done
# Each byte set to 0x00, 0xff and 0x80 in turn: a zero size, a huge count
# or length, an unterminated varint, a wrong magic.  The .vmt CRC and count
# catch any change that still parses, so only the checksum-free formats may
# still read (rc 0).
for f in "$C/vmt/none.vmt" "$C/drmemtrace/small.drmem" "$C/sift/small.sift" "$C/champsim/small.champsim"; do
  b=$(basename "$f"); n=$(stat -c %s "$f")
  case $b in *.vmt) want=1 ;; *) want='0|1' ;; esac
  for ((at = 0; at < n; at++)); do
    for v in '\x00' '\xff' '\x80'; do
      cp "$f" "$T/o.$b"
      printf "$v" | dd of="$T/o.$b" bs=1 seek=$at conv=notrunc status=none
      cmp -s "$f" "$T/o.$b" && continue                 # the byte was already v
      named "$T/o.$b" "$want" "$VMEMSIM" trace info "$T/o.$b"
    done
  done
  # the same, simulated: what reads must also run or stop naming the file
  for ((at = 0; at < n; at += 7)); do
    cp "$f" "$T/o.$b"
    printf '\xff' | dd of="$T/o.$b" bs=1 seek=$at conv=notrunc status=none
    named "$T/o.$b" "$want" "$VMEMSIM" run -q "$T/o.$b"
  done
done

# junk after the last gzip member is named at its decompressed offset (32: after both records)
printf 'I  00400000,4\n L 7ff000000000,8\n' | gzip -c >"$T/j.lackey.gz"
printf 'junk' >>"$T/j.lackey.gz"
expect 1 'j\.lackey\.gz: offset 32 \(compressed offset [0-9]+\): trailing bytes after the last gzip member' -- \
  "$VMEMSIM" trace info "$T/j.lackey.gz"

# ---- 2. text traces: every cut; NUL bytes; very long lines ------------------
# A cut inside a line leaves a last line without its newline: it may still
# parse (a shorter address or size), so reading it warns that the trace may
# be truncated; a cut at a line end is a valid, shorter trace, and says nothing.
for f in "$C/lackey/edge.lackey" "$C/auto/small.pin" "$C/auto/small.simics"; do
  b=$(basename "$f"); n=$(stat -c %s "$f")
  for ((cut = 1; cut < n; cut++)); do
    head -c $cut "$f" >"$T/c.$b"
    named "$T/c.$b" '0|1' "$VMEMSIM" trace info "$T/c.$b"
    if [ "$(tail -c1 "$T/c.$b" | od -An -tx1 | tr -d ' ')" = 0a ]; then
      grep -q 'no newline' "$T/err" && bad "cut $cut of $b at a line end warns" || ok
    elif grep -q '^records' "$T/out"; then   # it read: the cut must not pass silently
      grep -qE "c\.$b:line [0-9]+: the last line has no newline" "$T/err" && ok || bad "cut $cut of $b: no truncation warning"
    fi
  done
done
printf 'I  00400000,4\n L 7ff000000000,8\n' >"$T/ok.lackey"
printf 'I  00400000,4\n L 7ff0\0000000,8\n' >"$T/nul.lackey"
expect 1 'nul\.lackey:line 2: ' -- "$VMEMSIM" trace info "$T/nul.lackey"
printf '0x401000: R 0x7ff0\0000\n' >"$T/nul.pin"
expect 1 'nul\.pin' -- "$VMEMSIM" trace info "$T/nul.pin"
{ printf 'I  00400000,4\n'; head -c 3000000 /dev/zero | tr '\0' ' '; printf '\n'; } >"$T/long.lackey"
expect 1 'long\.lackey:line 2: ' -- "$VMEMSIM" trace info "$T/long.lackey"
{ printf 'I  '; head -c 100000 /dev/zero | tr '\0' 0; printf '400000,4\n'; } >"$T/zeros.lackey"
expect 0 '' -- "$VMEMSIM" trace info "$T/zeros.lackey"   # leading zeros are allowed, any number of them
{ printf 'I  1'; head -c 16 /dev/zero | tr '\0' 0; printf ',4\n'; } >"$T/wide.lackey"
expect 1 'wide\.lackey:line 1: address wider than 64 bits' -- "$VMEMSIM" trace info "$T/wide.lackey"

# ---- 3. lackey sizes: lackey prints 1..512 (lk_main.c asserts it); 0 is damage ----
for rec in 'I  00400000,0' ' L 7ff000000000,0' ' S 7ff000000000,00' ' M 7ff000000000,00000'; do
  printf 'I  00400000,4\n%s\n' "$rec" >"$T/zero.lackey"
  expect 1 'zero\.lackey:line 2: access size 0' -- "$VMEMSIM" trace info "$T/zero.lackey"
done
printf 'I  00400000,4\n L 7ff000000000,4097\n' >"$T/big.lackey"
expect 1 'big\.lackey:line 2: access size larger than 4096' -- "$VMEMSIM" trace info "$T/big.lackey"
printf 'I  00400000,4\n L 7ff000000000,99999999999999999999\n' >"$T/big.lackey"
expect 1 'big\.lackey:line 2: access size larger than 4096' -- "$VMEMSIM" trace info "$T/big.lackey"

# ---- 4. addresses at the top of the address space ---------------------------
# 2^64-1 is canonical (the kernel half); an access there or just below the
# canonical hole must run or stop at a named record -- never wrap silently.
for rec in ' L ffffffffffffffff,8' ' L fffffffffffffff8,8' ' S ffffffffffffffff,1' 'I  ffffffffffffffff,15' \
           ' L 00007ffffffffffc,8' ' L 00007fffffffffff,1' ' M ffff800000000000,4096'; do
  printf 'I  00400000,4\n%s\n' "$rec" >"$T/top.lackey"
  named "$T/top.lackey" '0|1' "$VMEMSIM" run -q "$T/top.lackey"
  named "$T/top.lackey" '0|1' "$VMEMSIM" run -q -o machine.mode=nested "$T/top.lackey"
done
printf '0xffffffffffffffff: R 0xffffffffffffffff\n#eof\n' >"$T/top.pin"
named "$T/top.pin" '0|1' "$VMEMSIM" run -q "$T/top.pin"

# A record the OS model refuses is bad input (exit 1), whichever record it
# is: a fork to a pid that already exists (an instruction, then two forks
# to trace pid 0), as an unmap it cannot release (input.sh).
vmt_file "$T/fork2.vmt" '\x0e\x00\x80\x80\x80\x02\x00\x00\x04\x0e\x08\x00\x00\x00\x00\x0e\x08\x00\x00\x00\x00' '\x03'
expect 1 'fork2\.vmt: record 3: os: fork of pid [0-9]+ to pid [0-9]+, which already exists' -- "$VMEMSIM" run -q "$T/fork2.vmt"

# ckpt names the record as run does (1-based): an instruction, then a CDA of length 0
vmt_file "$T/cda0.vmt" '\x0e\x00\x80\x80\x80\x02\x00\x00\x04\x0e\x0d\x80\x20\x00\x01\x00' '\x02'
expect 1 'cda0\.vmt: record 2: CDA 1 at 0x1000 has length 0' -- "$VMEMSIM" ckpt -q "$T/cda0.vmt"

# ---- 5. numbers in configs and overrides ----------------------------------
# Each value is refused, as an -o override and in a file (which names its line).
while read -r key val; do
  [ "$val" = "''" ] && val=
  expect 1 "-o $key=" -- "$VMEMSIM" run -q -o "$key=$val" "$S"
  printf '[%s]\n%s = %s\n' "${key%.*}" "${key##*.}" "$val" >"$T/v.ini"
  expect 1 "v\.ini:2: \[${key%.*}\] ${key##*.}" -- "$VMEMSIM" run -q -c "$T/v.ini" "$S"
done <<'ROWS'
guest.mem 65536kk
guest.mem 65536k4
guest.mem 1g1
guest.mem 64mbx
guest.mem 64mib4
guest.mem -1g
guest.mem 1.5g
guest.mem 0x1000
guest.mem 99999999999999999999
guest.mem 17179869184g
guest.mem 18446744073709551616
guest.mem ''
guest.mem k
guest.mem 1e9
host.mem 0
host.mem 18446744073709551615k
tlb.stlb.entries -1
tlb.stlb.entries 4294967297
tlb.stlb.entries ''
tlb.stlb.entries 1.0
tlb.stlb.ways 0
cost.vmexit -1
cost.vmexit 99999999999999999999
sched.quantum 0
sched.quantum ''
ROWS
for o in '=1' 'machine' 'machine.=1' '.mode=native' 'machine.mode' 'machine.bogus=1' 'nosuch.key=1' 'machine.mode=' \
         'machine.mode=nat ive'; do
  "$VMEMSIM" run -q -o "$o" "$S" >"$T/out" 2>"$T/err"
  st=$?
  [[ $st =~ ^(1|2)$ ]] && grep -qF -- "$o" "$T/err" && ok || { bad "-o '$o': exit $st: $(head -2 "$T/err")"; }
done
# an INI with a NUL, a very long line, a key outside any section, a bare section
printf '[machine]\nmode = native\n' >"$T/base.ini"
{ printf '[machine]\nmode = native\n; '; head -c 2000000 /dev/zero | tr '\0' x; printf '\n'; } >"$T/longline.ini"
named "$T/longline.ini" '0|1' "$VMEMSIM" run -q -c "$T/longline.ini" "$S"
printf 'mode = native\n' >"$T/nosec.ini"
named "$T/nosec.ini" 1 "$VMEMSIM" run -q -c "$T/nosec.ini" "$S"
printf '[machine\nmode = native\n' >"$T/opensec.ini"
named "$T/opensec.ini" 1 "$VMEMSIM" run -q -c "$T/opensec.ini" "$S"
printf '[]\nmode = native\n' >"$T/emptysec.ini"
named "$T/emptysec.ini" 1 "$VMEMSIM" run -q -c "$T/emptysec.ini" "$S"
# GKeyFile reads key[locale] as a translation of key that no lookup sees: it would be ignored
printf '[machine]\nmode[de] = nested\n' >"$T/locale.ini"
expect 1 'locale\.ini:2: \[machine\] mode\[de\]: a localized key' -- "$VMEMSIM" run -q -c "$T/locale.ini" "$S"
printf '[sweep]\nworkloads = worst refs=1000\n[params]\nmachine.mode[de] = nested\n' >"$T/locale.ini"
expect 1 'locale\.ini:4: \[params\] machine.mode\[de\]: a localized key' -- "$VMEMSIM" sweep -q "$T/locale.ini" --out "$T/locale.csv"
# an editor's UTF-8 byte-order mark is no part of line 1: the run is the one without it
printf '\xef\xbb\xbf[machine]\nmode = native\n' >"$T/bom.ini"
"$VMEMSIM" run -q --json "$T/base.json" -c "$T/base.ini" "$S" &&
  "$VMEMSIM" run -q --json "$T/bom.json" -c "$T/bom.ini" "$S" && cmp -s "$T/base.json" "$T/bom.json" && ok ||
  bad "a config with a byte-order mark does not run as the same config without it"
: >"$T/empty.ini"
named "$T/empty.ini" 1 "$VMEMSIM" run -q -c "$T/empty.ini" "$S"
named "$T/missing.ini" 1 "$VMEMSIM" run -q -c "$T/missing.ini" "$S"

# ---- 6. gen parameters -------------------------------------------------------
for p in refs=-1 refs=99999999999999999999 refs=1e3 refs= refs=0x10 refs=1k2 seed=-1 seed=abc refs footprint=0 \
         footprint=1p footprint=-4k footprint=99999999999999999999g =5 bogus=1; do
  for g in worst vpr tpch; do
    "$VMEMSIM" gen $g refs=1000 "$p" -o "$T/g.vmt" >"$T/out" 2>"$T/err"
    st=$?
    if [ "$st" -eq 0 ]; then
      case $p in seed=*|footprint=*) ok; continue ;; esac   # a key that gen does not take is refused below
      bad "gen $g $p: exit 0"
    else
      [[ $st =~ ^(1|2)$ ]] && grep -qF -- "${p%%=*}" "$T/err" && ok || bad "gen $g $p: exit $st: $(head -2 "$T/err")"
    fi
    rm -f "$T/g.vmt"
  done
done
for g in '' nosuch; do
  "$VMEMSIM" gen $g -o "$T/g.vmt" >"$T/out" 2>"$T/err"; st=$?
  [[ $st =~ ^(1|2)$ ]] && ok || bad "gen '$g': exit $st"
done

# ---- 7. sweep files --------------------------------------------------------
cat >"$T/sw.ini" <<EOF2
[sweep]
base = $SRC/configs/skylake.ini
workloads = worst refs=1000
[params]
tlb.stlb.entries = 1536
EOF2
while IFS='|' read -r from to; do
  sed "s/$from/$to/" "$T/sw.ini" >"$T/swb.ini"
  named "$T/swb.ini" 1 "$VMEMSIM" sweep -q "$T/swb.ini" --trace-dir "$T/swtr" --out "$T/swb.csv"
done <<'ROWS'
tlb.stlb.entries = 1536|tlb.stlb.entries = -1
tlb.stlb.entries = 1536|tlb.stlb.entries = 1536, 99999999999999999999
tlb.stlb.entries = 1536|tlb.stlb.entries =
tlb.stlb.entries = 1536|nosuch.key = 1
refs=1000|refs=-5
refs=1000|refs=
workloads = worst|workloads = nosuch
\[params\]|[params
\[sweep\]|[bogus]
ROWS
check() { if eval "$1"; then ok; else bad "$2"; fi; }
check '[ ! -e "$T/swb.csv" ]' "a refused sweep left its output"

# ---- 8. side models: snapshots, VM traces, datacenters, calibrations --------
gzip -dc "$SRC/tests/fixtures/share/sleep1.core.gz" | head -c 65536 >"$T/core"
# the ELF header and program headers: every cut, and each of their bytes set to 0xff
ph=$(( $(od -An -tu8 -j32 -N8 "$T/core") + $(od -An -tu2 -j54 -N2 "$T/core") * $(od -An -tu2 -j56 -N2 "$T/core") ))
for ((cut = 1; cut <= ph && cut < 65536; cut += 7)); do
  head -c $cut "$T/core" >"$T/c.core"
  named "$T/c.core" 1 "$VMEMSIM" share -q "$T/c.core"
done
for ((at = 0; at < ph && at < 65536; at += 11)); do
  cp "$T/core" "$T/o.core"
  printf '\xff' | dd of="$T/o.core" bs=1 seek=$at conv=notrunc status=none
  named "$T/o.core" '0|1' "$VMEMSIM" share -q "$T/o.core"
done
expect 2 "'raw:0:': expected raw:BASE:PATH" -- "$VMEMSIM" share -q raw:0:
P=$SRC/tests/fixtures/place
# one field of the first data row replaced: negative, huge, NaN, empty, junk
for f in "$P/azure_v1.csv" "$P/azure_v2.csv" "$P/cerit.swf"; do
  b=$(basename "$f")
  case $b in *.swf) sep=' ' ;; *) sep=, ;; esac
  row=$(grep -n -m1 -v '^[;#]' "$f" | cut -d: -f1)
  nf=$(sed -n "${row}p" "$f" | awk -F"$sep" '{ print NF }')
  for ((k = 1; k <= nf && k <= 12; k++)); do
    for v in -1 99999999999999999999 nan '' 1x 1e400; do
      awk -F"$sep" -v OFS="$sep" -v r="$row" -v k="$k" -v v="$v" 'NR == r { $k = v } { print }' "$f" >"$T/$b"
      named "$T/$b" '0|1' "$VMEMSIM" place -q "$T/$b"
    done
  done
done
# a NUL byte in any VM trace: the reader's line copy would end there and skip the rest of the line
for f in "$P/azure_v1.csv" "$P/cerit.swf" "$P/bitbrains/1.csv"; do
  b=$(basename "$f")
  { head -2 "$f"; printf '1\0'; tail -n +3 "$f"; } >"$T/nul.$b"
  expect 1 "nul\.$b: line 3: a NUL byte \(offset [0-9]+\)" -- "$VMEMSIM" place -q "$T/nul.$b"
done
mkdir -p "$T/nulbb" && cp "$T/nul.1.csv" "$T/nulbb/1.csv"
expect 1 "nulbb/1\.csv: line 3: a NUL byte" -- "$VMEMSIM" place -q "$T/nulbb"
for v in 0 -1 99999999999999999999 nan 1x ''; do
  sed "0,/^\([a-z_]*\) *= *[0-9][0-9.]*/s//\1 = $v/" "$SRC/configs/datacenter/azure.ini" >"$T/dc.ini"
  named "$T/dc.ini" '0|1' "$VMEMSIM" place -q --synthetic azure --vms 10 --datacenter "$T/dc.ini"
  sed "0,/^\([a-z_]*\) *= *[0-9][0-9.]*/s//\1 = $v/" "$SRC/configs/ckpt/xen2011.ini" >"$T/cal.ini"
  named "$T/cal.ini" '0|1' "$VMEMSIM" ckpt -q --calib "$T/cal.ini" "$C/vmt/zstd.vmt"
done
for v in 0 -1 99999999999999999999 nan 1x ''; do
  for o in --vms --servers --seed; do
    "$VMEMSIM" place -q --synthetic azure --vms 10 $o "$v" >"$T/out" 2>"$T/err"; st=$?
    [[ $st =~ ^(0|1|2)$ ]] && { [ $st -eq 0 ] || grep -qF -- "$o" "$T/err"; } && ok || bad "place $o '$v': exit $st: $(head -2 "$T/err")"
  done
done

# ---- 9. an output directory where no file can be made (root passes access(2) in /proc) ----
# The error must come before the work: nothing simulated, nothing printed.
for c in "run $S --json /proc/o.json" "sweep -q $T/sw.ini --trace-dir $T/swtr --out /proc/o.csv" \
         "place --synthetic azure --vms 100 --json /proc/p.json" "trace info $S --json /proc/t.json" \
         "gen worst refs=1000 -o /proc/g.vmt"; do
  expect 1 "/proc/[a-z]\.[a-z]+: cannot create a file in directory /proc" -- $VMEMSIM $c
  check '[ ! -s "$T/out" ]' "$c: worked before finding its output unwritable"
done

echo "badinput/edges: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
