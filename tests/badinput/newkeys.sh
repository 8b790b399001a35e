#!/usr/bin/env bash
# badinput/newkeys.sh: issue 12's battery extended to the surfaces added since
# -- `gen tpch|kbuild free_rate=`, `gen kbuild free_size= free_pmi=`, and the config keys shadow.update_pte,
# memory.rob, memory.miss_buffers, guest.levels and the cache prefetcher's
# keys.  Each bad value, in a config file and as an -o override, exits 1
# (bad input) or 2 (usage) with a message naming the file or the override
# and the key and saying what was expected: never a signal, never rc 0.
# (Malformed unmap records: tests/test_unmap_input.c.)
# usage: newkeys.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect
S=$SRC/traces/samples/gzip.lackey.gz

# ---- gen free_rate= ----
for g in tpch kbuild; do
  for v in -0.1 1.5 abc '' nan inf 1e-400 0x1 0x0p0; do
    expect 2 "gen $g: free_rate=$v: expected a decimal number in \[0, 1\]" -- "$VMEMSIM" gen $g refs=1000 "free_rate=$v" -o "$T/g.vmt"
  done
done
expect 2 "gen tpch: free_rate= needs a footprint= that is a multiple of 256 KiB.*got 102400 bytes" -- \
  "$VMEMSIM" gen tpch refs=1000 free_rate=0.5 footprint=100k -o "$T/g.vmt"
for g in worst vpr hpcc boot; do # only tpch and kbuild free memory
  expect 2 "gen $g: unknown key 'free_rate'" -- "$VMEMSIM" gen $g refs=1000 free_rate=0.5 -o "$T/g.vmt"
done
# kbuild's release size and rate: whole pages, one way to give the rate, and
# no more releases than chunks the cursor leaves
for v in 4095 0 -4k 2g x; do
  expect 2 "gen kbuild: free_size=$v: expected an integer" -- "$VMEMSIM" gen kbuild refs=1000 "free_size=$v" -o "$T/g.vmt"
done
expect 2 "gen kbuild: free_size=6144: expected a whole number of 4 KiB pages" -- \
  "$VMEMSIM" gen kbuild refs=1000 free_size=6k -o "$T/g.vmt"
for v in -1 abc 2e6 nan; do
  expect 2 "gen kbuild: free_pmi=$v: expected a decimal number" -- "$VMEMSIM" gen kbuild refs=1000 "free_pmi=$v" -o "$T/g.vmt"
done
expect 2 "gen kbuild: free_rate= and free_pmi= both given" -- \
  "$VMEMSIM" gen kbuild refs=1000 free_rate=0.5 free_pmi=1 -o "$T/g.vmt"
expect 2 "gen kbuild: free_pmi=1000: the cursor leaves only .* chunks of free_size=131072" -- \
  "$VMEMSIM" gen kbuild refs=1000 free_pmi=1000 free_size=128k -o "$T/g.vmt"
expect 2 "gen kbuild: free_size=4194304 leaves no whole chunk in footprint=3338240" -- \
  "$VMEMSIM" gen kbuild refs=1000 free_rate=0.5 free_size=4m -o "$T/g.vmt"
expect 2 "gen kbuild: free_pmi=0.1: the cursor leaves only 0 chunks" -- \
  "$VMEMSIM" gen kbuild refs=1000 free_pmi=0.1 free_size=4m -o "$T/g.vmt"
[ ! -e "$T/g.vmt" ] && ok || bad "a refused gen left its output file behind"

# ---- config keys: "SECTION KEY VALUE PATTERN" per line; a file's error names its line ----
while read -r sec key val pat; do
  printf '[%s]\n%s = %s\n' "$sec" "$key" "$val" >"$T/bad.ini"
  expect 1 "bad\.ini:2: \[$sec\] $key = .*$pat" -- "$VMEMSIM" run -q -c "$T/bad.ini" "$S"
  expect 1 "-o $sec\.$key=.*\[$sec\] $key = .*$pat" -- "$VMEMSIM" run -q -o "$sec.$key=$val" "$S"
done <<'ROWS'
shadow update_pte sometimes expected one of the listed names: off mapped backs
shadow update_pte mapped,backs expected one of the listed names
memory rob -1 expected a decimal integer in \[0, 1048576\]
memory rob 2000000 out of range
memory rob 1.5 not a valid number
memory rob 10x not a valid number
memory miss_buffers 0 expected a decimal integer in \[1, 1024\]
memory miss_buffers 1025 out of range
memory miss_buffers 99999999999999999999 not a valid number
guest levels 1 expected a decimal integer in \[2, 5\]
guest levels 6 out of range
ROWS
# guest.levels = 3 is in range but refused by the whole-config check, which names the file only
printf '[guest]\nlevels = 3\n' >"$T/bad.ini"
expect 1 "bad\.ini: \[guest\] levels = 3 \(PAE paging\) is not modelled" -- "$VMEMSIM" run -q -c "$T/bad.ini" "$S"
expect 1 "-o guest\.levels=3.*PAE paging.*not modelled" -- "$VMEMSIM" run -q -o guest.levels=3 "$S"
# a key further down its file is named by its own line
printf '# comment\n\n[memory]\nrob = 64\n\n[guest]\nlevels = 9\n' >"$T/far.ini"
expect 1 "far\.ini:7: \[guest\] levels = '9': out of range" -- "$VMEMSIM" run -q -c "$T/far.ini" "$S"
printf '[shadow]\nupdate_pte =\n' >"$T/empty.ini"
expect 1 "empty\.ini:2: \[shadow\] update_pte = ''" -- "$VMEMSIM" run -q -c "$T/empty.ini" "$S"
printf '[memory]\nmiss_buffers\n' >"$T/nokv.ini"
expect 1 "nokv\.ini:2: expected a \[section\] header or key = value, got 'miss_buffers'" -- "$VMEMSIM" run -q -c "$T/nokv.ini" "$S"
# the data prefetcher of a cache (after configs/barcelona-real.ini's L1D)
printf '[cache.l1d]\nprefetcher = bogus\n' >"$T/pf.ini"
expect 1 "pf\.ini:2: \[cache\.l1d\] prefetcher = 'bogus'.*expected one of the listed names: none next_line stream" -- \
  "$VMEMSIM" run -q -c "$T/pf.ini" "$S"
while read -r key val pat; do
  printf '[cache.l1d]\nprefetcher = stream\n%s = %s\n' "$key" "$val" >"$T/pf.ini"
  expect 1 "pf\.ini:3: \[cache\.l1d\] $key = .*$pat" -- "$VMEMSIM" run -q -c "$T/pf.ini" "$S"
done <<'ROWS'
prefetch_degree 0 expected a decimal integer in \[1, 16\]
prefetch_degree 17 out of range
prefetch_distance 0 expected a decimal integer in \[1, 4096\]
prefetch_streams 4097 out of range
prefetch_max_stride 65 expected a decimal integer in \[1, 64\]
prefetch_outstanding 0 expected a decimal integer in \[1, 1024\]
prefetch_line_cycles 100001 expected a decimal integer in \[0, 100000\]
ROWS
# a key given twice is an error naming both lines, for the new keys too
printf '[memory]\nrob = 72\nrob = 0\n' >"$T/twice.ini"
expect 1 "twice\.ini:3: \[memory\] rob is set again \(first at line 2\)" -- "$VMEMSIM" run -q -c "$T/twice.ini" "$S"

# the side models' INI files (ckpt calibration, share calibration, datacenter) are checked
# like a machine config: a key set twice names both lines, so does a section given twice,
# a file with no section is refused, and hex is not a decimal number
for f in ckpt/xen2011.ini share/current.ini datacenter/azure.ini; do
  b=$(basename "$f")
  case $f in
    ckpt/*) cmd=("$VMEMSIM" ckpt -q --calib "$T/$b" "$SRC/fuzz/corpus/vmt/zstd.vmt") ;;
    share/*) cmd=("$VMEMSIM" share -q --calibration "$T/$b" "raw:0:$T/img.raw") ;;
    datacenter/*) cmd=("$VMEMSIM" place -q --synthetic azure --vms 10 --datacenter "$T/$b") ;;
  esac
  head -c 65536 /dev/zero >"$T/img.raw"
  awk '{ print } !d && /^[a-z_]+ *= *[0-9]/ { print; d = 1 }' "$SRC/configs/$f" >"$T/$b" # its first number, twice
  n=$(awk '/^[a-z_]+ *= *[0-9]/ { print NR + 1; exit }' "$SRC/configs/$f")
  expect 1 "$b:$n: \[[a-z.]+\] [a-z_]+ is set again \(first at line $((n - 1))\)" -- "${cmd[@]}"
  { cat "$SRC/configs/$f"; echo; sed -n '/^\[/{p;q}' "$SRC/configs/$f"; } >"$T/$b" # its first section, again
  n=$(wc -l <"$T/$b")
  first=$(grep -n -m1 '^\[' "$SRC/configs/$f" | cut -d: -f1)
  expect 1 "$b:$n: \[[a-z.]+\] appears again \(first at line $first\)" -- "${cmd[@]}"
  printf '# cut here\n\n' >"$T/$b"
  expect 1 "$b: holds no section and no key" -- "${cmd[@]}"
done
sed 's/^fault_signal *=.*/fault_signal = 0x10/' "$SRC/configs/ckpt/xen2011.ini" >"$T/hex.ini"
expect 1 "hex\.ini: \[user\] fault_signal = '0x10': expected a number" -- "$VMEMSIM" ckpt -q --calib "$T/hex.ini" "$SRC/fuzz/corpus/vmt/zstd.vmt"
sed 's/^freq_mhz *=.*/freq_mhz = 0x830/' "$SRC/configs/share/current.ini" >"$T/hex.ini"
expect 1 "hex\.ini: \[share\] freq_mhz = '0x830': expected a number" -- "$VMEMSIM" share -q --calibration "$T/hex.ini" "raw:0:$T/img.raw"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
