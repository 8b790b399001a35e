#!/usr/bin/env bash
# seed003_rates.sh: seed 003's workload character (Figures 7-11) as vmemsim's
# generators produce it -- each generator's targets beside the rates
# `vmemsim trace info` measures back on its trace (accesses, CR3 writes and
# first touches per instruction, misses of the paper's SIMICS DTLB).  Writes
# docs/figures/seed003_rates.csv and the table between the
# "generated:seed003_rates" markers of docs/workloads.md.
#   usage: scripts/figures/seed003_rates.sh           (see lib.sh for VMEMSIM, FIG_WORK)
#          scripts/figures/seed003_rates.sh --check   (exit 1 if the CSV or the doc is stale;
#                                                      writes nothing)
source "$(dirname "$0")/lib.sh"
NAME=seed003_rates
DOC=$ROOT/docs/workloads.md
# The region the Figure 13-16 sweeps measure (configs/sweeps/seed003_*.ini):
# 3,000,000 references (kbuild: 68,655,706 instructions, one period of the
# measured build after the warm-up; the sweeps say why), rates after
# 2,000,000 instructions of warm-up -- the steady state, after tpch's load
# and the first touches of every footprint.
REFS=3000000
KBUILD_LEN=instructions=68655706
WARMUP=2000000
SEED=1
CHECK=${1:-}
command -v jq >/dev/null || { echo "$NAME: jq is required (scripts/install-deps.sh)" >&2; exit 1; }

# generator | paper's accesses/instr (Fig. 7) | Fig. 7 TLB-miss class | Fig. 7 CR3 class | cr3 target (- = none)
ROWS="worst 0.91 High Low 0
vpr 0.52 High Low 0
hpcc 0.58 - High 200
tpch 0.60 Low - 5
kbuild 0.52 - - -
boot 0.28 Low - 2"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
csv=$tmp/$NAME.csv
echo "workload,paper_api,api,loads_per_instr,stores_per_instr,tlb_class,ref_dtlb_misses_per_kinstr,cr3_class,cr3_target_per_minstr,cr3_writes_per_minstr,first_touches_per_minstr" >"$csv"
while read -r wl api tlb cr3 cr3t; do
  len=refs=$REFS
  [ "$wl" = kbuild ] && len=$KBUILD_LEN
  "$VMEMSIM" gen "$wl" "$len" --seed $SEED -o "$tmp/$wl.vmt"
  "$VMEMSIM" trace info "$tmp/$wl.vmt" --warmup-instructions $WARMUP --json - | jq -r --arg wl "$wl" --arg api "$api" --arg tlb "$tlb" \
    --arg cr3 "$cr3" --arg cr3t "$cr3t" '.rates as $r |
    [$wl, $api, ($r.accesses_per_instr | tostring), ($r.loads_per_instr | tostring),
     ($r.stores_per_instr | tostring), $tlb, ($r.ref_dtlb_misses_per_kinstr | tostring), $cr3, $cr3t,
     ($r.cr3_writes_per_minstr | tostring), ($r.first_touches_per_minstr | tostring)] | join(",")' >>"$csv"
  rm -f "$tmp/$wl.vmt"
done <<<"$ROWS"

# The markdown block of docs/workloads.md.
block=$tmp/block.md
{
  echo "| generator | accesses/instr: paper (Fig. 7) | measured | loads / stores per instr | TLB class (Fig. 7) | ref DTLB misses / kinstr | CR3 class (Fig. 7) | CR3 writes / Minstr: target | measured | first touches / Minstr |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  awk -F, 'NR > 1 { printf "| `%s` | %s | %.4f | %.4f / %.4f | %s | %.2f | %s | %s | %.2f | %.0f |\n",
                    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$csv"
} >"$block"

newdoc=$tmp/workloads.md
doc_block "$DOC" "$NAME" "$block" "$newdoc"

if [ "$CHECK" = "--check" ]; then
  stale=0
  cmp -s "$csv" "$OUT/$NAME.csv" || { echo "$NAME: docs/figures/$NAME.csv is stale" >&2; diff "$OUT/$NAME.csv" "$csv" >&2; stale=1; }
  cmp -s "$newdoc" "$DOC" || { echo "$NAME: the generated:$NAME table of docs/workloads.md is stale" >&2; diff "$DOC" "$newdoc" >&2; stale=1; }
  exit $stale
fi
cp "$csv" "$OUT/$NAME.csv"
cp "$newdoc" "$DOC"
echo "$NAME: wrote docs/figures/$NAME.csv and the table in docs/workloads.md" >&2
