#!/usr/bin/env bash
# vmemsim and ChampSim side by side on the same real trace: speed (references
# per second, both pinned to one core) and translation counts (DTLB, ITLB and
# STLB misses, page walks, page-walk references).  The trace (a lackey trace,
# or its first LINES lines) is converted once to ChampSim's input_instr format
# with `vmemsim trace convert`, and both simulators read that same file.
# vmemsim runs configs/machines/champsim.ini, ChampSim's default core as far
# as vmemsim models it (sizes cited there); ChampSim runs the binary built
# from its own champsim_config.json, to the end of the trace, no warm-up (the
# default when --simulation-instructions is not given), so both count from
# the first reference.  Runs alternate, vmemsim then ChampSim, so a change in
# the machine's load hits both.  Rewrites the generated block perf-champsim of
# docs/performance.md.  Never run by CTest.
#   bench/champsim.sh CHAMPSIM_DIR BUILD_DIR TRACE [LINES]
#     CHAMPSIM_DIR  a ChampSim tree built with its default configuration:
#                   ./config.sh champsim_config.json && make (bin/champsim)
#     BUILD_DIR     a Release build of vmemsim
#     TRACE         a lackey trace (maybe gzip'd)
#     LINES         > 0: only its first LINES lines (default 0: the whole)
#   env: REPS (vmemsim runs, default 5), CS_REPS (ChampSim runs, default 3:
#        it is slow), CPU (the core both are pinned to, default 0),
#        BENCH_NOTE (a sentence on what else the machine was doing),
#        BENCH_TMP (default /tmp/vmemsim-bench), DOC (default docs/performance.md)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
[ $# -ge 3 ] || { sed -n '14,23p' "$0" >&2; exit 2; }
CS=$(realpath "$1/bin/champsim")
V=$(realpath "$2/vmemsim")
TRACE=$3
LINES=${4:-0}
REPS=${REPS:-5}
CS_REPS=${CS_REPS:-3}
CPU=${CPU:-0}
T=${BENCH_TMP:-/tmp/vmemsim-bench}
DOC=${DOC:-docs/performance.md}
CFG=configs/machines/champsim.ini
mkdir -p "$T"
command -v jq >/dev/null || { echo "bench/champsim.sh: needs jq" >&2; exit 1; }
[ -x "$CS" ] || { echo "bench/champsim.sh: $CS: not built (./config.sh champsim_config.json && make in $1)" >&2; exit 1; }

input=$(bench_prefix "$TRACE" "$LINES" "$T")
cs_trace=$T/$(basename "$input" .gz).champsim
"$V" trace convert -f champsim "$input" "$cs_trace"
cs_records=$(($(stat -c %s "$cs_trace") / 64))
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

vm_run() { taskset -c "$CPU" "$V" run -q -c "$CFG" "$cs_trace" "$@"; }
cs_run() { taskset -c "$CPU" "$CS" --hide-heartbeat "$@" "$cs_trace" >"$T/champsim.out"; }

# Counts once: vmemsim is deterministic; ChampSim's counts are checked equal
# on every timed run below.
vm_run --json "$T/vmemsim.json"
vm() { jq -r "$1" "$T/vmemsim.json"; }
# ChampSim's JSON: one object per phase; the last is the simulation.  Each
# cache reports hit/miss/mshr_merge per access type, one value per CPU.
cs_counts() {
  jq -r '.[-1].roi as $r
    | def total($c; $f): [$r[$c] | to_entries[] | select(.value | type == "object" and has($f)) | .value[$f][0]] | add;
    [$r.cores[0].instructions,
     total("cpu0_DTLB"; "miss"), total("cpu0_ITLB"; "miss"),
     total("cpu0_STLB"; "miss"), total("cpu0_STLB"; "mshr_merge"),
     ($r.cpu0_L1D.TRANSLATION.hit[0] + $r.cpu0_L1D.TRANSLATION.miss[0])] | @tsv' "$1"
}

: >"$T/vm.times"
: >"$T/cs.times"
cs_first=""
for r in $(seq "$REPS"); do
  t0=$(now)
  vm_run
  t1=$(now)
  echo "$t1 - $t0" | bc -l >>"$T/vm.times"
  if [ "$r" -le "$CS_REPS" ]; then
    t0=$(now)
    cs_run --json "$T/champsim.json"
    t1=$(now)
    echo "$t1 - $t0" | bc -l >>"$T/cs.times"
    counts=$(cs_counts "$T/champsim.json")
    [ -z "$cs_first" ] && cs_first=$counts
    [ "$counts" = "$cs_first" ] || { echo "bench/champsim.sh: ChampSim's counts changed between runs" >&2; exit 1; }
  fi
  echo "rep $r: vmemsim $(tail -1 "$T/vm.times") s, ChampSim $([ "$r" -le "$CS_REPS" ] && tail -1 "$T/cs.times") s" >&2
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

refs=$(vm .refs)
vm_s=$(median <"$T/vm.times")
cs_s=$(median <"$T/cs.times")
read -r cs_inst cs_dtlb cs_itlb cs_stlb cs_merge cs_walk_refs <<<"$cs_first"
cs_walks=$((cs_stlb - cs_merge))
mrefs() { echo "$refs / $1 / 1000000" | bc -l; }
row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

block=$(
  cat <<EOF
<!-- BEGIN generated:perf-champsim -->
Written by \`bench/champsim.sh $*\` (REPS=$REPS, CS_REPS=$CS_REPS) on $(date -u '+%Y-%m-%d %H:%M UTC'), build $("$V" --version | head -1), ChampSim $(git -C "$1" log -1 --format=%h 2>/dev/null || echo "tree $1") with its champsim_config.json.
Machine: $(nproc) vCPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; both simulators pinned to core $CPU (\`taskset -c $CPU\`), runs alternating.
Load average (1, 5, 15 min) $load_start at the start and $load_end at the end.${BENCH_NOTE:+ $BENCH_NOTE}

Trace: \`$TRACE\`$([ "$LINES" -gt 0 ] && echo ", its first $LINES lines"), converted by \`vmemsim trace convert -f champsim\` to $cs_records ChampSim records; both read that file.
vmemsim: \`vmemsim run -q -c $CFG TRACE.champsim\` ($refs references, $(vm .instructions) instructions).
ChampSim: \`bin/champsim --hide-heartbeat --json OUT TRACE.champsim\` ($cs_inst instructions retired; no warm-up, to the end of the trace).
Speed: wall seconds, median of $REPS vmemsim runs and of $CS_REPS ChampSim runs; M refs/s is vmemsim's reference count over each one's time.
Steady state is not the point here: the counts are the whole trace from a cold start, first touches included, in both.

| | vmemsim | ChampSim | vmemsim / ChampSim |
|---|---|---|---|
$(row "wall seconds (median)" "$(printf %.2f "$vm_s")" "$(printf %.2f "$cs_s")" "$(ratio "$vm_s" "$cs_s")")
$(row "M refs/s" "$(printf %.2f "$(mrefs "$vm_s")")" "$(printf %.3f "$(mrefs "$cs_s")")" "$(ratio "$cs_s" "$vm_s")")
$(row "DTLB misses" "$(vm .tlb.dtlb.misses)" "$cs_dtlb" "$(ratio "$(vm .tlb.dtlb.misses)" "$cs_dtlb")")
$(row "ITLB misses" "$(vm .tlb.itlb.misses)" "$cs_itlb" "$(ratio "$(vm .tlb.itlb.misses)" "$cs_itlb")")
$(row "STLB misses" "$(vm .tlb.stlb.misses)" "$cs_stlb" "$(ratio "$(vm .tlb.stlb.misses)" "$cs_stlb")")
$(row "page walks (ChampSim: STLB misses - MSHR merges)" "$(vm .walks)" "$cs_walks" "$(ratio "$(vm .walks)" "$cs_walks")")
$(row "page-walk references (ChampSim: L1D TRANSLATION accesses)" "$(vm .walk_refs)" "$cs_walk_refs" "$(ratio "$(vm .walk_refs)" "$cs_walk_refs")")
<!-- END generated:perf-champsim -->
EOF
)
echo "$block"
write_block "$DOC" perf-champsim "Side by side with ChampSim" "$block"
