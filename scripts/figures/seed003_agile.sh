#!/usr/bin/env bash
# seed003_agile.sh: why agile paging is slower than plain shadow on seed 003's
# worst and vpr (docs/figures/seed003_fig13.csv) -- per mode, the whole run
# and the steady state (every interval after the first, which holds the first
# touches) on the figure's own traces and machine (configs/barcelona.ini),
# as built (every level shadowed, tables switched by their writes: docs/vmm.md
# sec. 8) and with the static splits agile.shadow_levels 1 and 3 (no switching
# by writes, agile.switch_writes=0); and the same traces on
# configs/barcelona-real.ini.  Writes docs/figures/seed003_agile.csv and the
# tables between the "generated:seed003_agile" markers of docs/vmm.md.
# About 10 minutes on 2 busy cores.
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
doc_block "$DOC" "$NAME" "$block" "$dir/vmm.md"
cp "$dir/vmm.md" "$DOC"
echo "$NAME: wrote docs/figures/$NAME.csv and the tables in docs/vmm.md" >&2
