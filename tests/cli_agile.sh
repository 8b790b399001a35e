#!/usr/bin/env bash
# CLI test of agile paging's policy (sim/mmu/mode_agile.c, docs/vmm.md sec. 8):
#  - on a TLB-heavy workload whose tables the guest does not rewrite (worst),
#    agile walks as shadow paging does and is no slower than the better of
#    nested and shadow paging;
#  - on a fork-heavy one (kbuild), tables are switched with their children up
#    to the root, processes walk nested from the guest CR3, and agile takes
#    fewer CR3-write exits than shadow paging, with every walk counted once.
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

expect 0 "" -- "$VMEMSIM" gen kbuild refs=300000 --seed 1 -o "$T/kbuild.vmt"
for m in shadow agile; do run kbuild $m; done
[ "$(q kbuild.agile .agile.tables_switched_with_their_children)" -gt 0 ] && ok ||
  bad "kbuild: no table switched with its children"
[ "$(q kbuild.agile .agile.root_nested_walks)" -gt 0 ] && ok || bad "kbuild: no walk nested from the root"
ca=$(q kbuild.agile .exits.cr3_write) cs=$(q kbuild.shadow .exits.cr3_write)
[ "$ca" -lt "$cs" ] && ok || bad "kbuild: agile took $ca CR3-write exits, shadow paging $cs"
sum=$(q kbuild.agile '.agile.shadow_walks + .agile.hybrid_walks + .agile.root_nested_walks')
[ "$sum" = "$(q kbuild.agile .walks)" ] && ok || bad "kbuild: shadow + hybrid + root-nested walks $sum != walks"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
