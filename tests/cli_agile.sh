#!/usr/bin/env bash
# CLI test of agile paging's policy (sim/mmu/mode_agile.c, docs/vmm.md sec. 8):
# on a TLB-heavy workload whose tables the guest does not rewrite (worst),
# agile walks as shadow paging does and is no slower than the better of
# nested and shadow paging.
# usage: cli_agile.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

M=$SRC/configs/barcelona.ini
KVM=$SRC/configs/vmm/kvm.ini
run() { # WORKLOAD MODE: the run's JSON in $T/WORKLOAD.MODE.json
  expect 0 "" -- "$VMEMSIM" run -q -c "$M" -c "$KVM" -o machine.mode="$2" "$T/$1.vmt" --json "$T/$1.$2.json"
}
q() { jq -r "$2" "$T/$1.json"; }

expect 0 "" -- "$VMEMSIM" gen worst refs=100000 --seed 1 -o "$T/worst.vmt"
for m in nested shadow agile; do run worst $m; done
a=$(q worst.agile .cycles.total) n=$(q worst.nested .cycles.total) s=$(q worst.shadow .cycles.total)
best=$((n < s ? n : s))
[ "$a" -le "$best" ] && ok || bad "worst: agile $a cycles, the better of nested ($n) and shadow ($s) $best"

# boot on 2 MiB guest pages the host backs with 4 KiB ones: a table that holds
# small leaves is shadowed when a large page in it is first walked, so that
# table goes nested (the hardware splinters the page) instead of failing, and
# stays nested (it cannot be shadowed: moved back, the next walk there would
# switch it again)
expect 0 "" -- "$VMEMSIM" gen boot refs=300000 --seed 1 -o "$T/boot.vmt"
expect 0 "" -- "$VMEMSIM" run -q -c "$M" -c "$KVM" -o machine.mode=agile -o guest.page_size=2m "$T/boot.vmt" \
  --json "$T/boot.agile.json"
[ "$(q boot.agile .agile.nested_tables)" -gt 0 ] && ok || bad "boot on 2 MiB pages: no table went nested"
[ "$(q boot.agile .agile.tables_to_shadow)" -eq 0 ] && ok || bad "boot on 2 MiB pages: a splintered table moved back to shadow"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
