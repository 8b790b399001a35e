#!/usr/bin/env bash
# seed000_ckpt.sh: seeds 000/001 (hypervisor-assisted application
# checkpointing), Figures 8 and 10-18, from `vmemsim ckpt` (default
# calibration configs/ckpt/xen2011.ini) on `vmemsim gen ds` traces of the nine
# data structures, insert, OPT=1 and OPT=5, 10,000 operations, keys inserted
# in KEYS order (default ascending, the generator's default; see
# docs/workloads.md for why; KEYS=random gives the other order).
#   usage: scripts/figures/seed000_ckpt.sh FIG    FIG = 8 10 11 12 13 14 15 16 17 18, or all
# (see lib.sh for VMEMSIM, FIG_WORK).  Needs jq.  Figure 9 (Scanxen against
# PT and PTxen) comes from the ckptmicro generator: seed000_fig09.sh.
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "figures: seed000_ckpt.sh needs jq (apt-get install jq)" >&2; exit 1; }
[ $# -eq 1 ] || { echo "usage: $0 8|10|11|12|13|14|15|16|17|18|all" >&2; exit 2; }
CAL=$ROOT/configs/ckpt/xen2011.ini
STRUCTS="avl splay aa heap binomial queue list hashquad bst"
KEYS=${KEYS:-ascending}
OPS=10000 # the seeds' 10,000 operations (Table 2)
RUNS=$WORK/ckpt_runs_$KEYS.csv

# One row per (structure, opt): the trace's measures and each technique's costs.
runs() {
  # reuse only results newer than both the calibration and the binary that made the traces
  [ -s "$RUNS" ] && [ "$RUNS" -nt "$CAL" ] && [ "$RUNS" -nt "$VMEMSIM" ] && return 0
  local tmp=$RUNS.tmp
  echo "structure,opt,wpp,ppt,writes_per_txn,transactions,emul_op,pt_op,emulxen_op,ptxen_op,scanxen_op,emul_copy,pt_copy,emulxen_copy,ptxen_copy,emul_total,pt_total,emulxen_total,ptxen_total,breakeven_user,breakeven_hv,micro_speedup_emul,micro_speedup_pt" >"$tmp"
  for s in $STRUCTS; do
    for opt in 1 5; do
      local tr=$WORK/ds_${s}_${KEYS}_opt$opt.vmt
      [ -f "$tr" ] && [ "$tr" -nt "$VMEMSIM" ] ||
        "$VMEMSIM" gen ds structure=$s op=insert opt=$opt ops=$OPS keys=$KEYS -o "$tr"
      "$VMEMSIM" ckpt -q --calib "$CAL" "$tr" --opt "$opt" --json - | jq -r --arg s "$s" --arg o "$opt" '
        .techniques as $t | [$s, $o, .analysis.wpp, .analysis.ppt, .analysis.writes_per_txn, .transactions,
         $t.emul.tracking_ns_per_op, $t.pt.tracking_ns_per_op, $t.emulxen.tracking_ns_per_op, $t.ptxen.tracking_ns_per_op,
         $t.scanxen.tracking_ns_per_op,
         $t.emul.copy_bytes_total, $t.pt.copy_bytes_total, $t.emulxen.copy_bytes_total, $t.ptxen.copy_bytes_total,
         $t.emul.total_ns, $t.pt.total_ns, $t.emulxen.total_ns, $t.ptxen.total_ns,
         .breakeven_wpp.user, .breakeven_wpp.hypervisor, .microbench.speedup_emul, .microbench.speedup_pt] | @csv' |
        tr -d '"' >>"$tmp"
    done
  done
  mv "$tmp" "$RUNS"
}

# select OPT COLUMNS...: "structure c1 c2 ..." rows of that OPT (space separated, for gnuplot)
select_opt() {
  local opt=$1
  shift
  awk -F, -v opt="$opt" -v want="$*" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; n = split(want, w, " ")
      printf "structure"; for (j = 1; j <= n; j++) printf ",%s", w[j]; print ""; next }
    $2 == opt { printf "%s", $1; for (j = 1; j <= n; j++) printf ",%s", $col[w[j]]; print "" }' "$RUNS"
}

bars() { # NAME TITLE YLABEL LOG(0/1) CSV-with-header
  local name=$1 title=$2 ylabel=$3 log=$4
  tr ',' ' ' <"$OUT/$name.csv" >"$WORK/$name.dat"
  local ncol
  ncol=$(head -1 "$OUT/$name.csv" | tr ',' '\n' | wc -l)
  plot "$name" "
set title '$title'
set ylabel '$ylabel'
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
$([ "$log" = 1 ] && echo 'set logscale y 10' || echo 'set yrange [0:*]')
set grid ytics
set key top left
set xtics rotate by -30
plot for [c=2:$ncol] '$WORK/$name.dat' using c:xtic(1) title columnheader(c)
"
}

fig() {
  case $1 in
  8) # emulation vs page tracking against WPP, each structure a point; break-even lines
    local n=seed000_fig08
    awk -F, 'NR == 1 { print "structure,opt,wpp,emul_over_pt,emulxen_over_ptxen,breakeven_user,breakeven_hv"; next }
      { printf "%s,%s,%s,%.4f,%.4f,%s,%s\n", $1, $2, $3, $7 / $8, $9 / $10, $20, $21 }' "$RUNS" >"$OUT/$n.csv"
    tr ',' ' ' <"$OUT/$n.csv" | tail -n +2 >"$WORK/$n.dat"
    local bu bh
    bu=$(awk -F, 'NR == 2 { print $6 }' "$OUT/$n.csv"); bh=$(awk -F, 'NR == 2 { print $7 }' "$OUT/$n.csv")
    plot "$n" "
set title 'Tracking cost ratio against writes per page (seeds 000/001 Fig. 8; break-even WPP $bu user, $bh hypervisor)'
set xlabel 'writes per dirty page (WPP)'
set ylabel 'cost ratio'
set logscale xy
set grid
set key top left
set arrow from $bu, graph 0 to $bu, graph 1 nohead dt 2 lc rgb '#4472c4'
set arrow from $bh, graph 0 to $bh, graph 1 nohead dt 2 lc rgb '#c00000'
plot '$WORK/$n.dat' using 3:4 with points pt 7 lc rgb '#4472c4' title 'Emul / PT', \
     '' using 3:5 with points pt 5 lc rgb '#c00000' title 'Emulxen / PTxen', 1 with lines lc rgb 'black' notitle
" ;;
  10) local n=seed000_fig10
    awk -F, 'NR == 2 { print "comparison,speedup"; printf "Emul/Emulxen,%.3f\nPT/PTxen,%.3f\n", $22, $23 }' "$RUNS" >"$OUT/$n.csv"
    bars $n 'Hypervisor assistance on the microbenchmark, WPP 4 (seed 000 Fig. 10)' 'speedup (x)' 0 ;;
  11 | 13) local n opt; n=seed000_fig$1; opt=$([ "$1" = 11 ] && echo 1 || echo 5)
    select_opt $opt emul_op pt_op emulxen_op ptxen_op | sed '1s/_op//g' >"$OUT/$n.csv"
    bars $n "Tracking time per operation, insert, OPT=$opt (seeds 000/001 Fig. $1)" 'ns per operation' 1 ;;
  12 | 14) local n opt; n=seed000_fig$1; opt=$([ "$1" = 12 ] && echo 1 || echo 5)
    select_opt $opt emul_op emulxen_op pt_op ptxen_op | awk -F, 'NR == 1 { print "structure,Emul/Emulxen,PT/PTxen"; next }
      { printf "%s,%.3f,%.3f\n", $1, $2 / $3, $4 / $5 }' >"$OUT/$n.csv"
    bars $n "Speedup of hypervisor assistance, OPT=$opt (seeds 000/001 Fig. $1)" 'speedup (x)' 0 ;;
  15 | 16) local n opt; n=seed000_fig$1; opt=$([ "$1" = 15 ] && echo 1 || echo 5)
    select_opt $opt emul_copy pt_copy | awk -F, 'NR == 1 { print "structure,emulation (words),page tracking (pages)"; next }
      { printf "%s,%.4f,%.4f\n", $1, $2 / 1048576, $3 / 1048576 }' >"$OUT/$n.csv"
    bars $n "Data copied to the helper, all transactions, OPT=$opt (seed 001 Fig. $1)" 'MiB' 1 ;;
  17) local n=seed000_fig17
    select_opt 1 emul_total pt_total emulxen_total ptxen_total | awk -F, 'NR == 1 { print "structure,emul,pt,emulxen,ptxen"; next }
      { printf "%s,%.3f,%.3f,%.3f,%.3f\n", $1, $2 / 1e6, $3 / 1e6, $4 / 1e6, $5 / 1e6 }' >"$OUT/$n.csv"
    bars $n 'Total time incl. copy, OPT=1 (seed 001 Fig. 17)' 'ms' 1 ;;
  18) local n=seed000_fig18
    select_opt 1 emul_total emulxen_total pt_total ptxen_total | awk -F, 'NR == 1 { print "structure,Emul/Emulxen,PT/PTxen"; next }
      { printf "%s,%.3f,%.3f\n", $1, $2 / $3, $4 / $5 }' >"$OUT/$n.csv"
    bars $n 'Speedup of hypervisor assistance in total time, OPT=1 (seed 001 Fig. 18)' 'speedup (x)' 0 ;;
  *) echo "usage: $0 8|10|11|12|13|14|15|16|17|18|all" >&2; exit 2 ;;
  esac
}

runs
if [ "$1" = all ]; then for f in 8 10 11 12 13 14 15 16 17 18; do fig $f; done; else fig "$1"; fi
