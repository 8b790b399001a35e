#!/usr/bin/env bash
# CLI test of configs/barcelona-real.ini, seed 003's Opteron 2350 with its real
# hierarchy: it loads, every level it declares (L1/L2 DTLB, L1/L2/L3 caches,
# the unified PWC) is built with the sizes the file gives, and native, nested
# and shadow runs on a captured sample and on a generated trace succeed and
# use the L2 TLB and the L3; the L1D's stream prefetcher is on and serves a
# STREAM-like sweep, and the SIMICS machine has none.
# usage: cli_barcelona_real.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

CFG=$SRC/configs/barcelona-real.ini
S=$SRC/traces/samples

# The echoed configuration is the file's, key by key.
expect 0 "" -- "$VMEMSIM" run -q -c "$CFG" "$S/awk.lackey.gz" --json "$T/native.json"
want() { # KEY VALUE: the run's config echo holds KEY = VALUE
  local got
  got=$(jq -r --arg k "$1" '.config[$k] | tostring' "$T/native.json")
  [ "$got" = "$2" ] && ok || bad "config $1 = $got, wanted $2"
}
want machine.freq_ghz 2
want tlb.l1d.entries 48
want tlb.l1d.ways 48
want tlb.l2d.entries 512
want tlb.l2d.ways 4
want tlb.l2d_2m.entries 128
want tlb.l2d_2m.ways 2
want cache.l1d.size 65536
want cache.l2.size 524288
want cache.l2.ways 16
want cache.l3.size 2097152
want cache.l3.ways 32
want pwc.kind unified
want pwc.unified_entries 24
want memory.dram_latency 170
want cache.l1d.prefetcher stream
want cache.l1d.prefetch_degree 1
want cache.l1d.prefetch_distance 2
want cache.l1d.prefetch_outstanding 8
want cache.l1d.prefetch_line_cycles 12
want memory.rob 72
want memory.miss_buffers 8
# The SIMICS machine's figure lists no prefetcher: its echo has no prefetch keys;
# and it runs in order: no overlap keys.
expect 0 "" -- "$VMEMSIM" run -q -c "$SRC/configs/barcelona.ini" "$S/awk.lackey.gz" --json "$T/simics.json"
[ "$(jq '[.config | keys[] | select(test("prefetch_"))] | length' "$T/simics.json")" = 0 ] && ok ||
  bad "barcelona.ini echoes prefetch keys"
[ "$(jq '[.config | keys[] | select(. == "memory.rob" or . == "memory.miss_buffers")] | length' "$T/simics.json")" = 0 ] &&
  ok || bad "barcelona.ini echoes overlap keys"

# A STREAM-like sweep (a 1 MiB footprint, so that the ranks' initialisation,
# one store per page, leaves most of the 20,000 references to the sweeps):
# the L1D prefetcher fills lines the sweep then hits.
expect 0 "" -- "$VMEMSIM" gen hpcc refs=20000 random=0 footprint=1m --seed 1 -o "$T/stream.vmt"
expect 0 "" -- "$VMEMSIM" run -q -c "$CFG" "$T/stream.vmt" --json "$T/stream.json"
useful=$(jq '.caches.l1d.prefetch.useful' "$T/stream.json")
[ "$useful" -gt 0 ] && ok || bad "the L1D prefetcher served no demand reference ($useful)"

# A TLB-hostile generated trace: in every mode the L2 DTLB is probed and the L3 serves hits.
expect 0 "" -- "$VMEMSIM" gen worst refs=20000 footprint=16m --seed 1 -o "$T/worst.vmt"
for mode in native nested shadow; do
  expect 0 "" -- "$VMEMSIM" run -q -c "$CFG" -o machine.mode=$mode "$T/worst.vmt" --json "$T/$mode.json"
  l2tlb=$(jq '.tlb.l2d.hits + .tlb.l2d.misses' "$T/$mode.json")
  [ "$l2tlb" -gt 0 ] && ok || bad "$mode: the L2 DTLB was never probed"
  l3=$(jq '.caches.l3.data.hits + .caches.l3.walk.hits' "$T/$mode.json")
  [ "$l3" -gt 0 ] && ok || bad "$mode: no L3 hit"
done
# Nested walks are two-dimensional: more references per walk than native ones.
n=$(jq '.refs_per_walk' "$T/native.json"); m=$(jq '.refs_per_walk' "$T/nested.json")
awk -v n="$n" -v m="$m" 'BEGIN { exit !(m > n) }' && ok || bad "nested refs/walk $m not above native $n"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
