#!/usr/bin/env bash
# seed002_sharing.sh: seed 002 (Kloster, Kristensen, Mejlholm: page sharing
# in Xen), its sharing results from snapshots: the share of memory each
# policy saves, split within a VM / between VMs / zero pages (the split of
# the thesis's Figures 2.3-2.4), and the cost of that sharing under shadow and
# nested paging on the thesis calibration (Tables 8.3-8.4: shadow operations
# dominate).  Snapshots: the two `sleep` gcore dumps of tests/fixtures/share.
# Writes the seed002-sharing block of docs/figures.md.
#   usage: scripts/figures/seed002_sharing.sh    (see lib.sh for VMEMSIM, FIG_WORK).  Needs jq.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/seed002_lib.sh"
command -v jq >/dev/null || { echo "figures: seed002_sharing.sh needs jq (apt-get install jq)" >&2; exit 1; }
NAME=seed002_sharing
for n in 1 2; do
  [ -f "$WORK/sleep$n.core" ] || zcat "$ROOT/tests/fixtures/share/sleep$n.core.gz" >"$WORK/sleep$n.core"
done
CAL=$ROOT/configs/share/thesis-athlon700.ini
echo "policy,pages,pages_shared,pages_sharing,saved_percent,within_vm_percent,between_vm_percent,zero_percent,scan_mcycles,share_mcycles_nested,share_mcycles_shadow" \
  >"$OUT/$NAME.csv"
for p in "xen-thesis" "xen-thesis --zero-pages" "ksm" "esx"; do
  # shellcheck disable=SC2086 # $p carries the policy's options
  "$VMEMSIM" share -q -p $p --calibration "$CAL" --json - a="$WORK/sleep1.core" b="$WORK/sleep2.core" |
    jq -r --arg p "$p" '[($p | sub(" --zero-pages"; "+zero")), .pages, .pages_shared, .pages_sharing,
        .saved_percent, .within_vm_percent, .between_vm_percent, .zero_percent,
        (.costs.nested.scan_cycles / 1e6), (.costs.nested.share_cycles / 1e6), (.costs.shadow.share_cycles / 1e6)] | @csv' |
    tr -d '"' >>"$OUT/$NAME.csv"
done
awk -F, 'NR > 1 { print $1, $6, $7, $8 }' "$OUT/$NAME.csv" >"$WORK/$NAME.dat"
plot "$NAME" "
set title 'Memory saved by content-based sharing, two sleep processes (seed 002)'
set ylabel '% of all pages'
set style data histogram
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.6
set yrange [0:100]
set grid ytics
set key top right
set arrow from graph 0, first 10 to graph 1, first 10 nohead front dt 2 lw 1.5 lc rgb 'black'
set label 'thesis Fig. 2.4: about 10% between VMs under load' at graph 0.02, first 12.5 front
plot '$WORK/$NAME.dat' using 2:xtic(1) title 'within a VM', '' using 3 title 'between VMs', '' using 4 title 'zero pages'
"
write_block "$ROOT/docs/figures.md" seed002-sharing "$(awk -F, "$AWK_TH"'
  function pc(x) { return sprintf("%.1f %%", x) }
  function mc(x) { return x >= 100 ? th(x) : sprintf("%.2f", x) }
  NR == 1 { print "| policy | saved | within a VM | between VMs | zero pages | sharing cost, nested → shadow (Mcycles) |"
            print "|---|---|---|---|---|---|"; next }
  { name = $1 == "xen-thesis" ? "xen-thesis (zero pages filtered)" : $1 == "xen-thesis+zero" ? "xen-thesis `--zero-pages`" : $1
    zero = $1 == "xen-thesis" ? "filtered" : $1 == "xen-thesis+zero" ? pc($8) : "(as content)"
    print "| " name " | " pc($5) " | " pc($6) " | " pc($7) " | " zero " | " mc($10) " → " mc($11) " |" }' "$OUT/$NAME.csv")"
