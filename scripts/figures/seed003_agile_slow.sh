#!/usr/bin/env bash
# seed003_agile_slow.sh: where agile's extra cycles come from on the points of
# docs/figures/seed003_fig13.csv (KVM profile) where it is slower than the
# best static approach (issue 15: "agile no slower than the best of nested and
# shadow"; five points at commit 5f698de, the seed003-fig15-hybrids block of
# docs/figures.md).  Each point is run as the figure's sweep runs it
# (configs/sweeps/seed003_kvm_{simics,real}[_2m].ini: the machine, kvm.ini,
# the 2,000,000-instruction warm-up, boot on 2 MiB guest pages), agile and
# the best static approach, and three times more with one thing changed, each
# isolating one candidate cause:
#   - per policy window (stats.interval = adaptive.interval, 100,000
#     instructions): is the gap a transient at the start of the window?
#   - memory.rob=0 (every data miss stalls at once, no overlap): is part of
#     the gap data-miss latency the other cycles no longer hide?
#   - the level-1 cache with twice its ways, same size: is the gap where the
#     host frames of the modes' tables fall in the 2-way sets?
# Writes docs/figures/seed003_agile_slow.csv and the generated:seed003-agile-slow
# block of docs/vmm.md (section 8).  seed003_agile.sh runs it (all.sh times the
# two as one step).  About a minute on 2 busy cores.
#   usage: scripts/figures/seed003_agile_slow.sh      (see lib.sh for VMEMSIM, JOBS, FIG_WORK)
source "$(dirname "$0")/lib.sh"
NAME=seed003_agile_slow
DOC=$ROOT/docs/vmm.md
WINDOW=100000  # instructions: adaptive.interval's default, agile's policy window (docs/vmm.md sec. 8)
EARLY=3        # windows reported apart as the start of the measured window
command -v jq >/dev/null || { echo "$NAME: jq is required (scripts/install-deps.sh)" >&2; exit 1; }
dir=$WORK/$NAME
mkdir -p "$dir"

# machine | workload | best static approach | the sweep's generator arguments | its extra options
POINTS="simics worst shadow refs=3000000 -
real worst shadow refs=3000000 -
simics tpch shadow refs=3000000,copy=call -
real tpch shadow refs=3000000,copy=call -
real boot nested refs=3000000 guest.page_size=2m"

ini_of() { case $1 in simics) echo "$ROOT/configs/barcelona.ini" ;; real) echo "$ROOT/configs/barcelona-real.ini" ;; esac; }
l1_of() { case $1 in simics) echo l1 ;; real) echo l1d ;; esac; }

# run MACHINE WORKLOAD MODE VARIANT EXTRA: one point's JSON (cached), its path on stdout
run() {
  local m=$1 wl=$2 mode=$3 var=$4 extra=$5 j=$dir/$1.$2.$3.$4.json l1 ways
  local -a opts=(-o "machine.mode=$mode" -o sim.warmup_instructions=2000000)
  [ "$extra" != - ] && opts+=(-o "$extra")
  case $var in
    window) opts+=(-o "stats.interval=$WINDOW") ;;
    rob0) opts+=(-o memory.rob=0) ;;
    ways) l1=$(l1_of "$m")
          ways=$(awk -v s="[cache.$l1]" '$0 == s { p = 1; next } /^\[/ { p = 0 } p && $1 == "ways" { print $3 }' "$(ini_of "$m")")
          opts+=(-o "cache.$l1.ways=$((2 * ways))") ;;
  esac
  fig_cached "$j" "$VMEMSIM" run -q -c "$(ini_of "$m")" -c "$ROOT/configs/vmm/kvm.ini" "${opts[@]}" --json "$j" \
    "$dir/$wl.vmt" >&2
  echo "$j"
}

while read -r m wl best args extra; do
  # shellcheck disable=SC2086 # the generator's arguments, one word each
  [ -f "$dir/$wl.vmt" ] || "$VMEMSIM" gen "$wl" ${args//,/ } --seed 1 -o "$dir/$wl.vmt"
done <<<"$POINTS"
# every run, JOBS at a time (the generator ran first: the runs share its traces)
n=0
while read -r m wl best args extra; do
  for mode in agile "$best"; do
    for var in window rob0 ways; do
      run "$m" "$wl" "$mode" "$var" "$extra" >/dev/null &
      n=$((n + 1))
      if [ "$n" -ge "$JOBS" ]; then wait -n; n=$((n - 1)); fi
    done
  done
done <<<"$POINTS"
wait

# one CSV row per point
{
  echo "machine,workload,best,agile_over_best,d_cycles,d_vmm,d_walk,d_data,d_early,d_rest,rest_ratio,rob0_ratio,rob0_d_cycles,ways_ratio,l1_walk_misses_agile,l1_walk_misses_best"
  echo "$POINTS" | while read -r m wl best args extra; do
    l1=$(l1_of "$m")
    jq -r --arg l1 "$l1" --argjson early $EARLY '
      [.cycles.total, .cycles.vmm, .cycles.walk, .cycles.data,
       ([.intervals[:$early][].cycles.total] | add), ([.intervals[$early:][].cycles.total] | add),
       .caches[$l1].walk.misses] | @csv' "$dir/$m.$wl.agile.window.json" "$dir/$m.$wl.$best.window.json" |
      tr '\n' ',' >"$dir/$m.$wl.row"
    for var in rob0 ways; do
      jq -r .cycles.total "$dir/$m.$wl.agile.$var.json" "$dir/$m.$wl.$best.$var.json" | tr '\n' ',' >>"$dir/$m.$wl.row"
    done
    awk -F, -v m="$m" -v wl="$wl" -v best="$best" '
      { printf "%s,%s,%s,%.5f,%d,%d,%d,%d,%d,%d,%.5f,%.5f,%d,%.5f,%d,%d\n", m, wl, best, $1 / $8, $1 - $8, $2 - $9, $3 - $10,
               $4 - $11, $5 - $12, $6 - $13, $6 / $13, $15 / $16, $15 - $16, $17 / $18, $7, $14 }' "$dir/$m.$wl.row"
  done
} >"$OUT/$NAME.csv"

# the generated block: the table
awk -F, -v early=$EARLY -v window=$WINDOW '
  function lab(m) { return m == "simics" ? "SIMICS" : "Opteron" }
  function kc(x) { return sprintf("%+.1f", x / 1e3) }
  NR == 1 { printf "configs/sweeps/seed003_kvm_*.ini points (KVM profile, after the 2,000,000-instruction warm-up); agile - best static in thousands of cycles; \"first %d windows\": the first %d instructions of the measured window:\n\n", early, early * window
            print "| machine | workload | best static | agile / best | agile - best | of which VMM | walks | data and fetch | in the first " early " windows | after them | agile / best after them | agile - best, no miss overlap (memory.rob=0) | agile / best, level-1 cache with twice the ways | level-1 walk misses, agile / best |"
            print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"; next }
  { printf "| %s | %s | %s | %.4f | %s | %s | %s | %s | %s | %s | %.4f | %s | %.4f | %d / %d |\n", lab($1), $2, $3, $4, kc($5), kc($6), kc($7),
           kc($8), kc($9), kc($10), $11, kc($13), $14, $15, $16 }' "$OUT/$NAME.csv" >"$dir/block"
doc_block "$DOC" seed003-agile-slow "$dir/block"
