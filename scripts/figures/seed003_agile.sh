#!/usr/bin/env bash
# seed003_agile.sh: agile paging against plain shadow and nested on seed 003's
# worst and vpr (docs/figures/seed003_fig13.csv) -- per mode, the whole run
# and the steady state (every interval after the first, which holds the first
# touches) on the figure's own traces and machine (configs/barcelona.ini),
# as built (every level shadowed, tables switched by their writes: docs/vmm.md
# sec. 8) and with the static splits agile.shadow_levels 1 and 3 (no switching
# by writes, agile.switch_writes=0); and the same traces on
# configs/barcelona-real.ini.  Writes docs/figures/seed003_agile.csv and the
# tables between the "generated:seed003_agile" markers of docs/vmm.md, and
# the findings drawn from them (every number in them computed here from the
# CSV and the runs' JSON) between the "generated:seed003_agile-findings"
# markers; then runs seed003_agile_slow.sh.  About two minutes on 2 busy cores.
#   usage: scripts/figures/seed003_agile.sh      (see lib.sh for VMEMSIM, JOBS, FIG_WORK)
source "$(dirname "$0")/lib.sh"
NAME=seed003_agile
DOC=$ROOT/docs/vmm.md
REFS=3000000   # as configs/sweeps/seed003_modes.ini, which made seed003_fig13.csv
INTERVAL=500000 # instructions per steady-state sample
command -v jq >/dev/null || { echo "$NAME: jq is required (scripts/install-deps.sh)" >&2; exit 1; }
dir=$WORK/$NAME
mkdir -p "$dir"

# machine | workload | label | extra options
RUNS="barcelona worst shadow -o machine.mode=shadow
barcelona worst nested -o machine.mode=nested
barcelona worst agile -o machine.mode=agile
barcelona worst agile-k1 -o machine.mode=agile -o agile.shadow_levels=1 -o agile.switch_writes=0
barcelona worst agile-k3 -o machine.mode=agile -o agile.shadow_levels=3 -o agile.switch_writes=0
barcelona vpr shadow -o machine.mode=shadow
barcelona vpr nested -o machine.mode=nested
barcelona vpr agile -o machine.mode=agile
barcelona vpr agile-k1 -o machine.mode=agile -o agile.shadow_levels=1 -o agile.switch_writes=0
barcelona vpr agile-k3 -o machine.mode=agile -o agile.shadow_levels=3 -o agile.switch_writes=0
barcelona-real worst shadow -o machine.mode=shadow
barcelona-real worst nested -o machine.mode=nested
barcelona-real worst agile -o machine.mode=agile
barcelona-real worst shadow-cache -o machine.mode=shadow-cache
barcelona-real vpr shadow -o machine.mode=shadow
barcelona-real vpr nested -o machine.mode=nested
barcelona-real vpr agile -o machine.mode=agile
barcelona-real vpr shadow-cache -o machine.mode=shadow-cache"

for wl in worst vpr; do
  [ -s "$dir/$wl.vmt" ] || "$VMEMSIM" gen "$wl" refs=$REFS --seed 1 -o "$dir/$wl.vmt"
done
export VMEMSIM ROOT dir INTERVAL
echo "$RUNS" | xargs -P "$JOBS" -L 1 bash -c '
  m=$0 wl=$1 label=$2; shift 2
  j=$dir/$m.$wl.$label.json
  # a result newer than the binary, the config and the trace is reused (FIG_WORK persists)
  [ "$j" -nt "$VMEMSIM" ] && [ "$j" -nt "$ROOT/configs/$m.ini" ] && [ "$j" -nt "$dir/$wl.vmt" ] && exit 0
  "$VMEMSIM" run -q -c "$ROOT/configs/$m.ini" "$@" -o stats.interval=$INTERVAL --json "$j" "$dir/$wl.vmt"'

csv=$dir/$NAME.csv
echo "machine,workload,mode,cycles,walks,refs_per_walk,guest_refs,nested_refs,vmm_cycles,exits,hidden_faults,pt_writes,mode_switches,steady_cycles_per_interval,steady_refs_per_walk" >"$csv"
while read -r m wl label _; do
  jq -r --arg m "$m" --arg wl "$wl" --arg mode "$label" '
    (.intervals[1:-1]) as $s |
    [$m, $wl, $mode, .cycles.total, .walks, (.refs_per_walk * 1000 | round / 1000),
     .walk_refs_by_dimension.guest, .walk_refs_by_dimension.nested, .exits.cycles, .exits.total,
     .exits.hidden_fault, .exits.pt_write, .exits.mode_switch,
     (($s | map(.cycles.total) | add) / ($s | length) | round),
     ((($s | map(.walk_refs) | add) / ($s | map(.walks) | add)) * 1000 | round / 1000)]
    | map(tostring) | join(",")' "$dir/$m.$wl.$label.json" >>"$csv"
done <<<"$RUNS"
cp "$csv" "$OUT/$NAME.csv"

# Two tables for docs/vmm.md: the figure's machine, then the real one.
block=$dir/block.md
{
  echo "configs/barcelona.ini (the machine of seed003_fig13.csv), $REFS data references, seed 1; steady state = mean of the intervals of $INTERVAL instructions after the first (and before the last, partial, one):"
  echo
  echo "| workload | mode | cycles (whole run) | / shadow | walk refs / walk | guest / nested-dimension refs | VMM cycles | exits | hidden faults | write-protection exits | mode switches | steady cycles / interval | steady / shadow | steady refs / walk |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  awk -F, '$1 == "barcelona" { if ($3 == "shadow") { b = $4; bs = $14 }
    printf "| %s | %s | %.0f | %.3f | %.3f | %.0f / %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.3f | %.3f |\n",
           $2, $3, $4, $4 / b, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14 / bs, $15 }' "$csv"
  echo
  echo "configs/barcelona-real.ini (the real hierarchy), same traces:"
  echo
  echo "| workload | mode | cycles (whole run) | / shadow | walk refs / walk | VMM cycles | exits | steady cycles / interval | steady / shadow |"
  echo "|---|---|---|---|---|---|---|---|---|"
  awk -F, '$1 == "barcelona-real" { if ($3 == "shadow") { b = $4; bs = $14 }
    printf "| %s | %s | %.0f | %.3f | %.3f | %.0f | %.0f | %.0f | %.3f |\n", $2, $3, $4, $4 / b, $6, $9, $10, $14, $14 / bs }' "$csv"
} >"$block"
# The findings: prose whose every number is read here from the CSV or the JSON.
# cell MACHINE WORKLOAD MODE COLUMN: one value of the CSV, by column name
cell() {
  awk -F, -v m="$1" -v w="$2" -v o="$3" -v c="$4" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $1 == m && $2 == w && $3 == o { print $(col[c]) }' "$csv"
}
# jv RUN FILTER: one value of a run's JSON (RUN = machine.workload.mode)
jv() { jq -r "$2" "$dir/$1.json"; }
# num N: N with thousands separators
num() { printf '%s\n' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|[^0-9]\)/\1,\2\3/;ta'; }
# ratio A B: A / B to 3 decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
# mega N: N in millions, 1 decimal
mega() { awk -v n="$1" 'BEGIN { printf "%.1f M", n / 1e6 }'; }
STEADY_EXITS='.intervals[1:-1] | map(.exits.total) | add'
# per interval, " / " between intervals: exits; walk references per walk (rpw)
PER_INTERVAL_EXITS='[.intervals[] | .exits.total | tostring] | join(" / ")'
rpw() { jq -r '.intervals[] | .walk_refs / .walks' "$dir/$1.json" | awk '{ printf "%s%.2f", (NR > 1 ? " / " : ""), $1 }'; }
steady_ratio() { ratio "$(cell "$1" "$2" "$3" steady_cycles_per_interval)" "$(cell "$1" "$2" shadow steady_cycles_per_interval)"; }
whole_ratio() { ratio "$(cell "$1" "$2" "$3" cycles)" "$(cell "$1" "$2" shadow cycles)"; }
fig13() { # WORKLOAD COLUMN: the SIMICS machine's row of seed003_fig13.csv
  awk -F, -v w="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $1 == "simics" && $2 == w { print $(col[c]) }' "$OUT/seed003_fig13.csv"
}
agile_line() { # WORKLOAD: the agile counters of its run on the figure's machine
  local r=barcelona.$1.agile
  echo "$1: $(num "$(jv "$r" .agile.tables_to_nested)") tables switched to nested and $(num "$(jv "$r" .agile.tables_to_shadow)") moved back;" \
    "$(num "$(jv "$r" .agile.shadow_walks)") of $(num "$(jv "$r" .walks)") walks were shadow walks, $(num "$(jv "$r" '.agile.hybrid_walks_by_switch_level["2"]')")" \
    "walked the leaf table nested and $(num "$(jv "$r" '.agile.hybrid_walks_by_switch_level["3"]')") the PD and the leaf table"
}
W=barcelona.worst V=barcelona.vpr
findings=$dir/findings.md
cat >"$findings" <<EOF
Findings (every number here is written by \`scripts/figures/seed003_agile.sh\`
from the tables above and the runs' JSON):

1. **What agile does.** \`mode_agile.c\` starts every guest table shadowed
   and switches one table to nested when it has taken
   \`agile.switch_writes\` = $(jv $W.agile .agile.switch_writes) write-protection exits within one policy
   window; a switched table moves back to shadow at the first window end
   whose scan finds its page's host dirty bit clear (section 8).  $(agile_line worst).
   $(agile_line vpr).  The switches make no exit of their own (they are
   made inside a write-protection exit or from the policy timer), so the
   \`mode switches\` column (\`exits.mode_switch\`, adaptive's whole-process
   switch) is 0 for agile.
2. **First touch: agile takes fewer exits than shadow.**  The guest fills
   its leaf tables as it first touches its pages.  Under shadow paging each
   first touch is a guest fault reflected and then a hidden fault (worst:
   $(num "$(jv $W.shadow .exits.guest_fault)") + $(num "$(jv $W.shadow .exits.hidden_fault)") exits, $(mega "$(cell barcelona worst shadow vmm_cycles)") VMM cycles).  Under
   agile a leaf table being filled switches to nested after its first
   writes, and the rest of its first touches are guest faults that reach
   the guest without an exit, leaving the host's backing (worst:
   $(num "$(jv $W.agile .exits.ept_violation)") EPT violations, $(num "$(jv $W.agile .exits.pt_write)") write-protection exits,
   $(num "$(jv $W.agile .exits.hidden_fault)") hidden faults, $(mega "$(cell barcelona worst agile vmm_cycles)") VMM cycles; nested paging pays the same
   backing: $(mega "$(cell barcelona worst nested vmm_cycles)")).  Over the whole run agile / shadow is
   $(whole_ratio barcelona worst agile) on worst and $(whole_ratio barcelona vpr agile) on vpr.
3. **Steady state: agile pays for the tables it switched at first touch.**
   worst touches $(num "$(jv $W.shadow .exits.hidden_fault)") pages at random, so its first touches go on
   past the first interval: exits per interval under shadow
   $(num "$(jv $W.shadow "$PER_INTERVAL_EXITS")") (vpr: $(num "$(jv $V.shadow "$PER_INTERVAL_EXITS")")).
   The leaf tables switched during first touch stay nested while they are
   written and return at the first window end that finds them unwritten, so agile's walk
   references per walk, interval by interval, are
   $(rpw $W.agile) on worst against shadow's
   $(rpw $W.shadow), and
   $(rpw $V.agile) on vpr against
   $(rpw $V.shadow).  In the steady state (the
   intervals after the first, before the last) agile / shadow is $(steady_ratio barcelona worst agile) on
   worst and $(steady_ratio barcelona vpr agile) on vpr; nested / shadow is $(steady_ratio barcelona worst nested) and $(steady_ratio barcelona vpr nested).  worst's
   steady state is not free of first touch: shadow still takes
   $(num "$(jv $W.shadow "$STEADY_EXITS")") exits in those intervals (vpr: $(num "$(jv $V.shadow "$STEADY_EXITS")")).
4. **The static splits walk as nested does.**  With the switch forced at a
   fixed level for every walk and no switching by writes
   (\`agile.switch_writes\` = 0), the page-walk cache already holds the
   shadowed upper levels, so the splits save next to nothing over nested:
   steady references per walk $(cell barcelona worst agile-k1 steady_refs_per_walk) (k = 1) and $(cell barcelona worst agile-k3 steady_refs_per_walk) (k = 3)
   against nested's $(cell barcelona worst nested steady_refs_per_walk) on worst, $(cell barcelona vpr agile-k1 steady_refs_per_walk) and $(cell barcelona vpr agile-k3 steady_refs_per_walk) against
   $(cell barcelona vpr nested steady_refs_per_walk) on vpr.  k = 3 write-protects the PD level too:
   $(num "$(cell barcelona worst agile-k3 pt_writes)") write-protection exits on worst; its steady cycles are $(steady_ratio barcelona worst agile-k3)
   of shadow's (k = 1: $(steady_ratio barcelona worst agile-k1)).
5. **The real hierarchy shrinks nested's penalty.**  On
   configs/barcelona-real.ini a nested walk's references mostly hit in the
   L2 and L3: steady nested / shadow is $(steady_ratio barcelona-real worst nested) on worst ($(steady_ratio barcelona worst nested) on the
   SIMICS machine) and $(steady_ratio barcelona-real vpr nested) on vpr ($(steady_ratio barcelona vpr nested)); agile / shadow $(steady_ratio barcelona-real worst agile)
   and $(steady_ratio barcelona-real vpr agile).  shadow-cache write-protects the tables it
   shadows, leaf tables included, while the guest fills them at first touch:
   $(num "$(cell barcelona-real worst shadow-cache pt_writes)") write-protection exits on worst ($(num "$(cell barcelona-real vpr shadow-cache pt_writes)") on vpr), one per
   first touch; steady / shadow $(steady_ratio barcelona-real worst shadow-cache) and $(steady_ratio barcelona-real vpr shadow-cache).  KVM's unsync
   leaves (section 1) would make those writes free.

For comparison, docs/figures/seed003_fig13.csv (KVM profile, measured after
a warm-up) has agile / best static $(fig13 worst agile_vs_best) on worst and $(fig13 vpr agile_vs_best) on vpr
(SIMICS machine).
EOF
doc_block "$DOC" "$NAME" "$block" "$dir/vmm.md"
doc_block "$dir/vmm.md" "$NAME-findings" "$findings"
cp "$dir/vmm.md" "$DOC"
echo "$NAME: wrote docs/figures/$NAME.csv and the tables and findings in docs/vmm.md" >&2
# Then the points of seed003_fig13.csv where agile is slower than the best
# static approach, taken apart (docs/vmm.md sec. 8; all.sh runs it as part of
# this step, whose timing row it shares).
"$(dirname "$0")/seed003_agile_slow.sh"
