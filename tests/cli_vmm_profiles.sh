#!/usr/bin/env bash
# CLI test of the VMM profiles (configs/vmm/kvm.ini, palacios.ini): a run is a
# machine config plus a profile (`-c machine -c profile`, or a sweep's
# `base = machine; profile`).  The profile sets its keys and leaves the
# machine's structures alone; a variant the VMM lacks is refused with a
# message; Palacios's flush at every exit costs walks that KVM's ASIDs save.
# usage: cli_vmm_profiles.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

M=$SRC/configs/barcelona-real.ini
KVM=$SRC/configs/vmm/kvm.ini
PAL=$SRC/configs/vmm/palacios.ini
# A 32-bit process (va_bits=32): Palacios's guest is 32-bit, and KVM's 64-bit guest runs it too.
expect 0 "" -- "$VMEMSIM" gen worst refs=20000 va_bits=32 --seed 1 -o "$T/w.vmt"

want() { # JSON KEY VALUE: the run's config echo holds KEY = VALUE
  local got
  got=$(jq -r --arg k "$2" '.config[$k] | tostring' "$1")
  [ "$got" = "$3" ] && ok || bad "$1: config $2 = $got, wanted $3"
}
for v in kvm palacios; do
  P=$SRC/configs/vmm/$v.ini
  expect 0 "" -- "$VMEMSIM" run -q -c "$M" -c "$P" -o machine.mode=shadow-cache "$T/w.vmt" --json "$T/$v.json"
  want "$T/$v.json" tlb.l2d.entries 512 # the machine's structures stay
  want "$T/$v.json" cache.l3.size 2097152
  want "$T/$v.json" cost.vmexit 1125
  want "$T/$v.json" shadow.unsync false
  want "$T/$v.json" shadow.flood_writes 3
  want "$T/$v.json" host.page_size 4k # neither VMM of seed 003 backed guests with large pages
done
want "$T/kvm.json" guest.levels 4
want "$T/palacios.json" guest.levels 2 # seed 003 4: a 32-bit guest, 2-level tables
want "$T/kvm.json" vmm.exit_flushes_tlb false
want "$T/kvm.json" tlb.vpid true
want "$T/kvm.json" vmm.shadow_variants shadow,shadow-cache
want "$T/palacios.json" vmm.exit_flushes_tlb true
want "$T/palacios.json" tlb.vpid false
want "$T/palacios.json" vmm.shadow_variants shadow,shadow-cache,shadow-prefetch
want "$T/kvm.json" shadow.max_pages 7864 # 2% of the 1.5 GiB guest's pages (kvm_mmu_calculate_mmu_pages)
want "$T/kvm.json" shadow.lru false
want "$T/palacios.json" shadow.max_pages 8192 # DEFAULT_CACHE_SIZE
want "$T/palacios.json" shadow.lru true
want "$T/kvm.json" shadow.update_pte backs # KVM 61: gfn_to_page in mmu_guess_page_from_pte_write
want "$T/palacios.json" shadow.update_pte off # the cache evicts the written page's shadows

# The same trace and approach: Palacios refills the TLBs after every exit.
kw=$(jq '.walks' "$T/kvm.json")
pw=$(jq '.walks' "$T/palacios.json")
[ "$pw" -gt "$kw" ] && ok || bad "palacios walks $pw not above kvm's $kw"

# KVM has no prefetching variant, in a run and in a sweep.
expect 1 "shadow-prefetch.*does not implement" -- "$VMEMSIM" run -q -c "$M" -c "$KVM" -o machine.mode=shadow-prefetch "$T/w.vmt"
expect 0 "" -- "$VMEMSIM" run -q -c "$M" -c "$PAL" -o machine.mode=shadow-prefetch "$T/w.vmt"
mkdir -p "$T/sw"
cat >"$T/sw/s.ini" <<INI
[sweep]
base = $M; $KVM
traces = $T/w.vmt
[params]
machine.mode = shadow, shadow-prefetch
INI
expect 1 "does not implement" -- "$VMEMSIM" sweep "$T/sw/s.ini" --list
sed -i 's/, shadow-prefetch$/, shadow-cache/' "$T/sw/s.ini"
expect 0 "" -- "$VMEMSIM" sweep "$T/sw/s.ini" -q -j 1 --out "$T/sw/s.csv"
# A sweep point equals the run with the same two configs.
c=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "cycles.total") k = i; if ($i == "machine.mode") m = i } }
              NR > 1 && $m == "shadow-cache" { print $k }' "$T/sw/s.csv")
r=$(jq '.cycles.total' "$T/kvm.json")
[ "$c" = "$r" ] && ok || bad "sweep shadow-cache cycles $c, run $r"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
