#!/usr/bin/env bash
# seed003_agile_slow.sh: where agile's extra cycles come from on the points of
# docs/figures/seed003_fig15.csv (KVM profile) where it is slower than the
# best static approach (issue 15: "agile no slower than the best of nested and
# shadow"), found in that CSV at every run (POINTS below; five at commits
# 5f698de and 316993e; the seed003-fig15-hybrids block of docs/figures.md
# gives the ratios).  Each point is run as the figure's sweep runs it
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
# Then each point's agile and best static runs again under gdb
# (seed003_agile_trace.py: breakpoints that never stop) for what no counter of
# the JSON holds: the host frames taken and given back for shadow tables, how
# the ones held at the end fall on the level-1 cache's page colours, and
# agile's switches per guest table, over the whole run.
# Writes docs/figures/seed003_agile_slow.csv, seed003_agile_trace.csv (which
# tests/cli_vmm_docs.sh checks section 8's prose against) and the
# generated:seed003-agile-slow block of docs/vmm.md (section 8).  seed003_agile.sh runs it (all.sh times the
# two as one step).  About a minute on 2 busy cores, and the ten gdb runs
# (tpch on SIMICS: 14 s of wall time at a load of 25) as long again.
#   usage: scripts/figures/seed003_agile_slow.sh      (see lib.sh for VMEMSIM, JOBS, FIG_WORK)
source "$(dirname "$0")/lib.sh"
NAME=seed003_agile_slow
DOC=$ROOT/docs/vmm.md
WINDOW=100000  # instructions: adaptive.interval's default, agile's policy window (docs/vmm.md sec. 8)
EARLY=3        # windows reported apart as the start of the measured window
command -v jq >/dev/null || { echo "$NAME: jq is required (scripts/install-deps.sh)" >&2; exit 1; }
command -v gdb >/dev/null || { echo "$NAME: gdb is required (scripts/install-deps.sh)" >&2; exit 1; }
dir=$WORK/$NAME
mkdir -p "$dir"
# The gdb runs need function symbols and line tables; the README's Release
# build has none (CMakeLists.txt: -O2 without -g), so they use a
# RelWithDebInfo build of the same source under $WORK: the same -O2 code
# plus -g, which never changes generated code, so the same results.
GDB_VMEMSIM=$VMEMSIM
if ! readelf -S "$VMEMSIM" 2>/dev/null | grep -q '\.debug_info'; then
  GDB_VMEMSIM=$WORK/build-debuginfo/vmemsim
  { cmake -S "$ROOT" -B "$WORK/build-debuginfo" -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
    cmake --build "$WORK/build-debuginfo" --target vmemsim -j "$JOBS"; } >"$dir/build-debuginfo.log" 2>&1 ||
    { echo "$NAME: building a binary with debug information failed: see $dir/build-debuginfo.log" >&2; exit 1; }
fi

# The points: every KVM point of docs/figures/seed003_fig15.csv (written by
# seed003_fig15.sh from the same sweeps, before this script in all.sh) where
# agile takes more cycles than the best static approach (the fewest of
# nested, shadow and shadow-cache; on a tie the first in that order), in the
# CSV's order, one line each:
#   machine | workload | best static approach | the sweep's generator arguments | its extra option
# The generator arguments are the workload's in the machine's sweep, or in
# its companion _2m sweep when that one runs the workload (seed003_cols in
# seed003_lib.sh), whose one [params] line other than the mode and the
# warm-up (guest.page_size) is the extra option; "-" for none.
FIG15=$OUT/seed003_fig15.csv
[ -r "$FIG15" ] || { echo "$NAME: no $FIG15: run scripts/figures/seed003_fig15.sh first" >&2; exit 1; }
# sweep_args SWEEP WORKLOAD: the workload's generator arguments in SWEEP, comma-joined (empty when absent)
sweep_args() {
  awk -v wl="$2" '$1 == "workloads" && $2 == "=" { sub(/^[^=]*= */, ""); n = split($0, w, / *; */)
    for (i = 1; i <= n; i++) { k = split(w[i], f, " "); if (f[1] == wl) { s = f[2]; for (j = 3; j <= k; j++) s = s "," f[j]; print s } } }' "$1"
}
# sweep_extra SWEEP: its [params] other than the mode and the warm-up, as KEY=VALUE (one at most)
sweep_extra() {
  awk -v f="$1" '/^\[/ { p = $0 == "[params]"; next } p && NF >= 3 && $2 == "=" && $1 != "machine.mode" && $1 != "sim.warmup_instructions" {
    if (n++) { print f ": more than one extra parameter" > "/dev/stderr"; exit 1 }; v = $0; sub(/^[^=]*= */, "", v); print $1 "=" v }' "$1"
}
points() {
  local m wl best sweep args extra
  awk -F, '$1 == "kvm" { k = $2 "," $3; if (!(k in seen)) { seen[k] = 1; key[++n] = k }
             if ($4 == "agile") ag[k] = $5 + 0
             else if ($4 == "nested" || $4 == "shadow" || $4 == "shadow-cache") if (!(k in c) || $5 + 0 < c[k]) { c[k] = $5 + 0; b[k] = $4 } }
           END { for (i = 1; i <= n; i++) { k = key[i]; if ((k in ag) && (k in c) && ag[k] > c[k]) { split(k, f, ","); print f[1], f[2], b[k] } } }' "$FIG15" |
    while read -r m wl best; do
      sweep=$ROOT/configs/sweeps/seed003_kvm_$m.ini extra=-
      args=$(sweep_args "${sweep%.ini}_2m.ini" "$wl" 2>/dev/null || true)
      if [ -n "$args" ]; then
        extra=$(sweep_extra "${sweep%.ini}_2m.ini")
        [ -n "$extra" ] || extra=-
      else
        args=$(sweep_args "$sweep" "$wl")
      fi
      [ -n "$args" ] || { echo "$NAME: $wl is in $FIG15 but not in $sweep" >&2; exit 1; }
      echo "$m $wl $best $args $extra"
    done
}
POINTS=$(points)
[ -n "$POINTS" ] || { echo "$NAME: agile is slower than the best static approach at no point of $FIG15" >&2; exit 1; }

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

# trace MACHINE WORKLOAD MODE EXTRA: the point's run under gdb (cached), its
# TRACE line in $dir/M.WL.MODE.trace; the colours are the level-1 cache's
# size / (ways x 4 KiB), read from the machine's ini
trace() {
  local m=$1 wl=$2 mode=$3 extra=$4 t=$dir/$1.$2.$3.trace size ways
  local -a opts=(-o "machine.mode=$mode" -o sim.warmup_instructions=2000000)
  [ "$extra" != - ] && opts+=(-o "$extra")
  read -r size ways < <(awk -v s="[cache.$(l1_of "$m")]" '$0 == s { p = 1; next } /^\[/ { p = 0 }
    p && $1 == "size" { z = $3; sub(/[kK]$/, "", z); z *= ($3 ~ /[kK]$/ ? 1024 : 1) } p && $1 == "ways" { w = $3 } END { print z, w }' "$(ini_of "$m")")
  fig_made "$t" trace_whole gdb_trace "$t" $((size / (ways * 4096))) "$(dirname "$0")/seed003_agile_trace.py" \
    "$GDB_VMEMSIM" run -q -c "$(ini_of "$m")" -c "$ROOT/configs/vmm/kvm.ini" "${opts[@]}" "$dir/$wl.vmt"
}
# gdb_trace OUT COLOURS SCRIPT CMD...: CMD under gdb with SCRIPT, its TRACE line into OUT
gdb_trace() {
  local out=$1 colours=$2 py=$3
  shift 3
  gdb -batch -nx -ex "set \$colours = $colours" -x "$py" -ex run --args "$@" 2>"$out.err" | grep '^TRACE ' >"$out" || { cat "$out.err" >&2; true; }
}
trace_whole() { grep -q '^TRACE .* exit=0$' "$1"; }
n=0
while read -r m wl best args extra; do
  for mode in agile "$best"; do
    trace "$m" "$wl" "$mode" "$extra" &
    n=$((n + 1))
    if [ "$n" -ge "$JOBS" ]; then wait -n; n=$((n - 1)); fi
  done
done <<<"$POINTS"
wait
{
  echo "machine,workload,mode,shadow_frames_allocated,shadow_frames_freed,shadow_frames_live,live_per_colour,switches,tables_switched,tables_switched_again,most_switches_of_a_table"
  echo "$POINTS" | while read -r m wl best args extra; do
    for mode in agile "$best"; do
      trace_whole "$dir/$m.$wl.$mode.trace" || { echo "$NAME: no whole gdb trace of $m $wl $mode" >&2; exit 1; }
      awk -v m="$m" -v wl="$wl" -v mode="$mode" '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        print m "," wl "," mode "," v["allocated"] "," v["freed"] "," v["live"] "," v["colours"] "," v["switches"] "," \
          v["tables_switched"] "," v["switched_again"] "," v["most_switches"] }' "$dir/$m.$wl.$mode.trace"
    done
  done
} >"$OUT/seed003_agile_trace.csv"

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
