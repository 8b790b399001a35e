#!/usr/bin/env bash
# placement.sh: regenerates the placement figures of docs/placement.md (seed
# 004, Figures 8-11, plus a load sweep) from synthetic Azure, CERIT-SC and
# Bitbrains traces.  Writes CSV and PNG to docs/figures/.
#   usage: scripts/figures/placement.sh [path/to/vmemsim]
# Needs jq and gnuplot.  Deterministic: same binary, same CSV.
set -euo pipefail
VMEMSIM=${1:-build/vmemsim}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/docs/figures
SEEDS="1 2 3"                 # three synthetic traces per dataset style
mkdir -p "$OUT"

# one CSV row per (style, seed, policy) from a `--policy all` JSON result
rows() { # style seed vms compaction json
    jq -r --arg st "$1" --arg seed "$2" --arg vms "$3" --arg comp "$4" '.runs[] |
        [$st, $seed, $vms, $comp, .policy, .placed, .rejected, .contiguous, .contiguous_pct,
         .servers_used, .datacenter.servers, .consolidation_rate, .fragmentation.order,
         .fragmentation.mean_unusable, .fragmentation.no_block_share, .compaction.pages_moved] | @csv' "$5"
}
HEADER='style,seed,vms,compaction,policy,placed,rejected,contiguous,contiguous_pct,servers_used,servers_total,consolidation_rate,frag_order,mean_unusable,no_block_share,pages_moved'

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# Figures 8-11: the dataset-sized runs on each dataset's configured fleet.
echo "$HEADER" > "$OUT/placement_datasets.csv"
for spec in "azure 20000" "cerit 11382" "bitbrains 1250"; do
    set -- $spec
    for seed in $SEEDS; do
        for comp in none demand periodic; do
            "$VMEMSIM" place -q --datacenter "$ROOT/configs/datacenter/$1.ini" --policy all --compaction $comp \
                --synthetic "$1" --vms "$2" --seed "$seed" --json "$tmp"
            rows "$1" "$seed" "$2" "$comp" "$tmp" >> "$OUT/placement_datasets.csv"
        done
    done
done

# Load sweep: the CERIT-SC fleet (220 servers), more and more VMs over the same year.
echo "$HEADER" > "$OUT/placement_load.csv"
for vms in 2000 4000 8000 11382 16000 24000; do
    for seed in $SEEDS; do
        "$VMEMSIM" place -q --datacenter "$ROOT/configs/datacenter/cerit.ini" --policy all --synthetic cerit --vms "$vms" \
            --seed "$seed" --json "$tmp"
        rows cerit "$seed" "$vms" none "$tmp" >> "$OUT/placement_load.csv"
    done
done

# Per (style, policy): mean over seeds of contiguous_pct and consolidation_rate.
summary() { # csv style compaction column -> "policy mean min max" lines
    awk -F, -v st="\"$2\"" -v comp="\"$3\"" -v col="$4" 'NR > 1 && $1 == st && $4 == comp {
            gsub(/"/, "", $5); n[$5]++; s[$5] += $col
            if (!($5 in lo) || $col < lo[$5]) lo[$5] = $col
            if (!($5 in hi) || $col > hi[$5]) hi[$5] = $col
            if (!($5 in ord)) ord[$5] = ++k }
        END { for (p in ord) printf "%d %s %.4f %.4f %.4f\n", ord[p], p, s[p] / n[p], lo[p], hi[p] }' "$1" |
        sort -n | cut -d' ' -f2-
}
for st in azure cerit bitbrains; do
    summary "$OUT/placement_datasets.csv" $st none 9 > "$OUT/placement_${st}_contig.dat"
done
summary "$OUT/placement_datasets.csv" azure none 12 > "$OUT/placement_azure_consolidation.dat"
awk -F, 'NR > 1 { gsub(/"/, ""); k = $3 " " $5; s[k] += $9; r[k] += $7; n[k]++ }
    END { for (k in s) printf "%s %.4f %.1f\n", k, s[k] / n[k], r[k] / n[k] }' "$OUT/placement_load.csv" |
    sort -k2,2 -k1,1n > "$OUT/placement_load.dat"

bars() { # dat png title ylabel
    gnuplot <<GP
set terminal pngcairo size 640,420 font ",10"
set output "$2"
set title "$3"
set ylabel "$4"
set style fill solid 0.6 border -1
set boxwidth 0.6
set yrange [*:*]
set offsets 0, 0, graph 0.1, graph 0.1
set grid ytics
unset key
plot "$1" using 0:2:xtic(1) with boxes lc rgb "#4472c4", \
     "" using 0:2:3:4 with yerrorbars lc rgb "black" pt 0, \
     "" using 0:2:(sprintf("%.2f", \$2)) with labels offset 0,1
GP
}
bars "$OUT/placement_azure_contig.dat" "$OUT/fig8_azure_contig.png" \
    "Fig. 8: contiguous-memory VMs, synthetic Azure (20000 VMs, 3 seeds)" "% of VMs contiguous"
bars "$OUT/placement_cerit_contig.dat" "$OUT/fig9_cerit_contig.png" \
    "Fig. 9: contiguous-memory VMs, synthetic CERIT-SC (11382 VMs, 3 seeds)" "% of VMs contiguous"
bars "$OUT/placement_bitbrains_contig.dat" "$OUT/fig10_bitbrains_contig.png" \
    "Fig. 10: contiguous-memory VMs, synthetic Bitbrains (1250 VMs, 3 seeds)" "% of VMs contiguous"
bars "$OUT/placement_azure_consolidation.dat" "$OUT/fig11_azure_consolidation.png" \
    "Fig. 11: consolidation rate (servers used / total), synthetic Azure" "consolidation rate"
gnuplot <<GP
set terminal pngcairo size 640,420 font ",10"
set output "$OUT/fig_load_sweep.png"
set title "Contiguous-memory VMs vs load: CERIT-SC fleet, 220 servers (mean of 3 seeds)"
set xlabel "VMs in the synthetic CERIT-SC trace (one year)"
set ylabel "% of placed VMs contiguous"
set grid
set key bottom left
plot for [p in "contig max min first-fit best-fit"] \
    "< awk '\$2 == \"".p."\"' $OUT/placement_load.dat" using 1:3 with linespoints title p
GP
echo "wrote $OUT/placement_*.csv and $OUT/fig*.png"
