#!/usr/bin/env bash
# Trace-reading speed (never run by CTest): what a native run costs next to
# just decompressing the same file, and how fast each reader decodes alone.
#
#   bench/read.sh [BUILD_DIR [TRACE.lackey.gz]]
#
# BUILD_DIR defaults to build (use a Release build); TRACE defaults to the
# four samples of traces/samples concatenated BENCH_REPEAT times (default 4,
# 26 M references) as a multi-member gzip, the way zcat and vmemsim read it.
# From TRACE it makes TRACE.lackey.zst (zstd -3) and a .vmt (trace convert,
# the default codec) in BENCH_TMP (default /tmp/vmemsim-bench-read), then
# repeats BENCH_RUNS times (default 5), each time back to back:
#   zcat / zstd -dc of the file to /dev/null, pinned to one core;
#   vmemsim run (native, configs/skylake.ini) on it, pinned to one core
#     (taskset -c 0: the reader thread and the simulation share it) and on
#     two cores (taskset -c 0,1);
#   bench_trace_read on it (the reader alone: decompress, parse, digest).
# CPU seconds are user + system from /usr/bin/time; the ratio to zcat or
# zstd -dc is taken within each repetition, and every figure is the median.
# It then rewrites the generated:perf-read block of docs/performance.md
# (BENCH_DOC=0 only prints; BENCH_NOTE adds a sentence on what the machine
# was doing).  Run time: about 1 minute with the default
# trace, 4-5 minutes with a 130 M-reference one.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
V=$B/vmemsim
READ=$B/bench/bench_trace_read
T=${BENCH_TMP:-/tmp/vmemsim-bench-read}
RUNS=${BENCH_RUNS:-5}
REPEAT=${BENCH_REPEAT:-4}
CFG=configs/skylake.ini
for tool in zstd taskset /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "read.sh: needs $tool" >&2; exit 1; }
done
[ -x "$V" ] && [ -x "$READ" ] || { echo "read.sh: build $B first (vmemsim, bench/bench_trace_read)" >&2; exit 1; }
mkdir -p "$T"

if [ $# -ge 2 ]; then
  GZ=$2
  NAME=$(basename "$GZ")
else
  GZ=$T/samples-x$REPEAT.lackey.gz
  NAME="traces/samples/*.lackey.gz x$REPEAT"
  if [ ! -s "$GZ" ]; then
    for _ in $(seq "$REPEAT"); do cat traces/samples/*.lackey.gz; done >"$GZ.tmp"
    mv "$GZ.tmp" "$GZ"
  fi
fi
STEM=$T/$(basename "$GZ" .gz)
ZST=$STEM.zst
VMT=${STEM%.lackey}.vmt
[ -s "$ZST" ] && [ "$ZST" -nt "$GZ" ] || { gzip -dc "$GZ" | zstd -q -3 -f -o "$ZST"; }
[ -s "$VMT" ] && [ "$VMT" -nt "$GZ" ] && [ "$VMT" -nt "$V" ] || "$V" trace convert "$GZ" "$VMT"

# cpu CMD...: "user+sys wall" of one run, its stdout and stderr discarded.
cpu() { /usr/bin/time -f '%U %S %e' -o "$T/time" "$@" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
        awk '{printf "%.3f %.3f\n", $1 + $2, $3}' "$T/time"; }
run() { cpu taskset -c "$1" "$V" run -q -c "$CFG" -o machine.mode=native "$2"; }
# reader FILE: "M records/s, records" of the reader alone, CPU time, one core.
reader() { BENCH_CPU=1 taskset -c 0 "$READ" "$1" |
           awk '{for (i = 1; i < NF; i++) {if ($(i + 1) == "M") m = $i; if ($(i + 1) == "records,") n = $i}} END {print m, n}'; }
median() { sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

: >"$T/rows"
for i in $(seq "$RUNS"); do
  for f in gz zst vmt; do
    case $f in gz) in=$GZ; dec="gzip -dc" ;; zst) in=$ZST; dec="zstd -dc" ;; vmt) in=$VMT; dec="" ;; esac
    d="- -"
    [ -n "$dec" ] && d=$(cpu taskset -c 0 $dec "$in")
    one=$(run 0 "$in")
    two=$(run 0,1 "$in")
    echo "$f $d $one $two $(reader "$in")" >>"$T/rows"
  done
  echo "read.sh: repetition $i of $RUNS done" >&2
done

# rows: format, decompressor cpu and wall, 1-core cpu and wall, 2-core cpu and wall, reader M recs/s, records
REFS=$(awk 'NR == 1 {print $9}' "$T/rows")
col() { awk -v f="$1" -v c="$2" '$1 == f {print $c}' "$T/rows" | median; }
ratio() { awk -v f="$1" '$1 == f {print $4 / $2}' "$T/rows" | median; }
mrefs() { awk -v n="$REFS" -v s="$1" 'BEGIN {printf "%.1f", n / s / 1e6}'; }
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
{
  echo "Command: \`bench/read.sh $B${2:+ $2}\` (BENCH_RUNS=$RUNS), commit $COMMIT, $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "Machine: $(nproc) cores, $CPU_MODEL; load average $LOAD at the end of the run.${BENCH_NOTE:+ $BENCH_NOTE}"
  echo "Trace: $NAME, $REFS references (lackey text compressed three ways: the gzip file,"
  echo "\`zstd -3\` of its text, and \`vmemsim trace convert\` to .vmt). Native mode, \`$CFG\`."
  echo "Each figure is the median of $RUNS repetitions; a ratio is run CPU over decompressor CPU"
  echo "within one repetition (\`gzip -dc\` is \`zcat\`). CPU = user + system seconds; M refs/s"
  echo "is per CPU second on one core, per wall second on two."
  echo
  echo "| input | decompress alone, CPU s | run on 1 core (taskset -c 0): CPU s, M refs/s | ratio to decompress | run on 2 cores: wall s, M refs/s | reader alone, M recs/s (1 core) |"
  echo "|---|---|---|---|---|---|"
  for f in gz zst vmt; do
    case $f in gz) label="lackey \`.gz\` vs \`zcat\`" ;; zst) label="lackey \`.zst\` vs \`zstd -dc\`" ;; vmt) label="\`.vmt\` (zstd)" ;; esac
    c1=$(col $f 4) w2=$(col $f 7)
    if [ $f = vmt ]; then dec="-" rat="-"; else dec=$(col $f 2) rat=$(printf '%.2fx' "$(ratio $f)"); fi
    echo "| $label | $dec | $c1 s, $(mrefs "$c1") | $rat | $w2 s, $(mrefs "$w2") | $(col $f 8) |"
  done
} >"$T/block"
cat "$T/block"

DOC=docs/performance.md
if [ "${BENCH_DOC:-1}" != 0 ]; then
  if ! grep -q '<!-- BEGIN generated:perf-read -->' "$DOC"; then
    printf '\n## Reading traces\n\n<!-- BEGIN generated:perf-read -->\n<!-- END generated:perf-read -->\n' >>"$DOC"
  fi
  awk -v block="$T/block" '
    /<!-- BEGIN generated:perf-read -->/ {print; while ((getline l < block) > 0) print l; skip = 1; next}
    /<!-- END generated:perf-read -->/ {skip = 0}
    !skip' "$DOC" >"$DOC.tmp" && mv "$DOC.tmp" "$DOC"
  echo "read.sh: wrote the perf-read block of $DOC" >&2
fi
