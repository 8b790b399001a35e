#!/usr/bin/env bash
# seed000_ckpt.sh: seeds 000/001 (hypervisor-assisted application
# checkpointing), Figures 8 and 10-18, from `vmemsim ckpt` (default
# calibration configs/ckpt/xen2011.ini, fitted by scripts/ckpt_calibrate.sh)
# on `vmemsim gen ds` traces of the nine data structures, insert, OPT=1 and
# OPT=5, 10,000 operations, keys in KEYS order, heap LAYOUT (seed000_lib.sh).  Where the
# paper gives a number, the figure draws it beside vmemsim's.
#   usage: scripts/figures/seed000_ckpt.sh FIG    FIG = 8 10 11 12 13 14 15 16 17 18, or all
# (see lib.sh for VMEMSIM, FIG_WORK).  Needs jq.  Figure 9 (Scanxen against
# PT and PTxen) comes from the ckptmicro generator: seed000_fig09.sh.
# `all` also rewrites the generated:seed000-figures block of docs/figures.md.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/seed000_lib.sh"
command -v jq >/dev/null || { echo "figures: seed000_ckpt.sh needs jq (apt-get install jq)" >&2; exit 1; }
[ $# -eq 1 ] || { echo "usage: $0 8|10|11|12|13|14|15|16|17|18|all" >&2; exit 2; }
CAL=$ROOT/configs/ckpt/xen2011.ini
RUNS=$WORK/ckpt_runs_${KEYS}_$LAYOUT.csv
# The paper's numbers drawn beside vmemsim's (seed 000 and 001 text).
PAPER_BE_USER=5 PAPER_BE_HV=1.3              # Fig. 8
PAPER_MB_EMUL=4 PAPER_MB_PT=10               # Fig. 10: "4-10 times"
PAPER_SP_EMUL_MEAN=3.5 PAPER_SP_PT_MEAN=11.4 # Fig. 12: "average 3.5", "average 11.4"
PAPER_SP_EMUL_MAX=4 PAPER_SP_PT_MAX=13       # Fig. 12, 14: "up to 4x", "up to 13x"
PAPER_EMUL_MB=2 PAPER_TREE_MB=56             # Fig. 15: "less than 2MB", tree-insert "56MB"
PAPER_PT_MS_LO=10 PAPER_PT_MS_HI=80 PAPER_EMUL_MS=5 # Fig. 17
PAPER_TOT_PT=8 PAPER_TOT_EMUL=4              # Fig. 18: "approximately a factor of 8 ... 4"

# One row per (structure, opt): the trace's measures and each technique's
# costs, from one `ckpt` JSON per run, each reused while its binary,
# calibration and trace are the same (fig_cached, lib.sh).
runs() {
  local tmp=$RUNS.tmp j
  echo "structure,opt,wpp,ppt,writes_per_txn,transactions,emul_op,pt_op,emulxen_op,ptxen_op,scanxen_op,emul_copy,pt_copy,emulxen_copy,ptxen_copy,emul_copy_ns,pt_copy_ns,emul_total,pt_total,emulxen_total,ptxen_total,breakeven_user,breakeven_hv,micro_speedup_emul,micro_speedup_pt" >"$tmp"
  for s in $STRUCTS; do
    for opt in 1 5; do
      j=$WORK/ckpt_${s}_${KEYS}_${LAYOUT}_opt$opt.json
      fig_cached "$j" "$VMEMSIM" ckpt -q --calib "$CAL" "$(ds_trace "$s" "$opt")" --opt "$opt" --json "$j"
      jq -r --arg s "$s" --arg o "$opt" '
        .techniques as $t | [$s, $o, .analysis.wpp, .analysis.ppt, .analysis.writes_per_txn, .transactions,
         $t.emul.tracking_ns_per_op, $t.pt.tracking_ns_per_op, $t.emulxen.tracking_ns_per_op, $t.ptxen.tracking_ns_per_op,
         $t.scanxen.tracking_ns_per_op,
         $t.emul.copy_bytes_total, $t.pt.copy_bytes_total, $t.emulxen.copy_bytes_total, $t.ptxen.copy_bytes_total,
         $t.emul.copy_ns_total, $t.pt.copy_ns_total,
         $t.emul.total_ns, $t.pt.total_ns, $t.emulxen.total_ns, $t.ptxen.total_ns,
         .breakeven_wpp.user, .breakeven_wpp.hypervisor, .microbench.speedup_emul, .microbench.speedup_pt] | @csv' "$j" |
        tr -d '"' >>"$tmp"
    done
  done
  mv "$tmp" "$RUNS"
}

# select_opt OPT COLUMNS...: "structure,c1,c2,..." rows of that OPT
select_opt() {
  local opt=$1
  shift
  awk -F, -v opt="$opt" -v want="$*" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; n = split(want, w, " ")
      printf "structure"; for (j = 1; j <= n; j++) printf ",%s", w[j]; print ""; next }
    $2 == opt { printf "%s", $1; for (j = 1; j <= n; j++) printf ",%s", $col[w[j]]; print "" }' "$RUNS"
}

# paper Y COLOR TEXT: one of the paper's values, for bars' MARKS: a dashed
# horizontal line at Y, named TEXT in the key (no key entry when TEXT is
# empty: a second line of the same range).  In the key, not beside the line,
# so that no label lies over a bar.
paper() { printf '%s\t%s\t%s\n' "$1" "$2" "$3"; }

# bars NAME TITLE YLABEL LOG(0/1) [MARKS]: clustered bars of the CSV's
# columns 2.. (read as CSV, so headers may contain spaces), with the key
# below the plot so that it hides no bar, and the paper's values (MARKS,
# lines from `paper`) drawn across.
bars() {
  local name=$1 title=$2 ylabel=$3 log=$4 marks=${5:-}
  local ncol arrows="" entries=""
  ncol=$(head -1 "$OUT/$name.csv" | tr ',' '\n' | wc -l)
  while IFS=$'\t' read -r y color text; do
    [ -n "$y" ] || continue
    arrows+="set arrow from graph 0, first $y to graph 1, first $y nohead dt 2 lw 1.5 lc rgb '$color' front"$'\n'
    [ -z "$text" ] || entries+=", keyentry with lines dt 2 lw 1.5 lc rgb '$color' title '$text'"
  done <<<"$marks"
  plot "$name" "
set datafile separator ','
set title '$title'
set ylabel '$ylabel'
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
$([ "$log" = 1 ] && echo 'set logscale y 10' || echo 'set yrange [0:*]')
set grid ytics
set key outside below center horizontal maxrows 2
set xtics rotate by -30
$arrows
plot for [c=2:$ncol] '$OUT/$name.csv' using c:xtic(1) title columnheader(c)$entries
"
}

fig() {
  case $1 in
  8) # emulation vs page tracking against WPP, each structure a point; break-even lines
    local n=seed000_fig08
    awk -F, 'NR == 1 { print "structure,opt,wpp,emul_over_pt,emulxen_over_ptxen,breakeven_user,breakeven_hv"; next }
      { printf "%s,%s,%s,%.4f,%.4f,%s,%s\n", $1, $2, $3, $7 / $8, $9 / $10, $22, $23 }' "$RUNS" >"$OUT/$n.csv"
    local bu bh
    bu=$(awk -F, 'NR == 2 { printf "%.3f", $6 }' "$OUT/$n.csv"); bh=$(awk -F, 'NR == 2 { printf "%.3f", $7 }' "$OUT/$n.csv")
    plot "$n" "
set datafile separator ','
set title 'Tracking cost ratio against writes per page (seeds 000/001 Fig. 8)'
set xlabel 'writes per dirty page (WPP)'
set ylabel 'cost ratio'
set logscale xy
set grid
set key top left
set arrow from $bu, graph 0 to $bu, graph 1 nohead dt 2 lc rgb '#4472c4'
set arrow from $bh, graph 0 to $bh, graph 1 nohead dt 2 lc rgb '#c00000'
set arrow from $PAPER_BE_USER, graph 0 to $PAPER_BE_USER, graph 1 nohead dt 3 lw 2 lc rgb '#4472c4'
set arrow from $PAPER_BE_HV, graph 0 to $PAPER_BE_HV, graph 1 nohead dt 3 lw 2 lc rgb '#c00000'
plot '$OUT/$n.csv' every ::1 using 3:4 with points pt 7 lc rgb '#4472c4' title 'Emul / PT', \
     '' every ::1 using 3:5 with points pt 5 lc rgb '#c00000' title 'Emulxen / PTxen', 1 with lines lc rgb 'black' notitle, \
     keyentry with lines dt 2 lc rgb 'black' title 'break-even, vmemsim (fitted to the paper): $bu / $bh', \
     keyentry with lines dt 3 lw 2 lc rgb 'black' title 'break-even, paper: $PAPER_BE_USER / $PAPER_BE_HV'
" ;;
  10) local n=seed000_fig10
    awk -F, -v pe=$PAPER_MB_EMUL -v pp=$PAPER_MB_PT 'NR == 2 { print "comparison,vmemsim,paper"
      printf "Emul/Emulxen,%.3f,%s\nPT/PTxen,%.3f,%s\n", $24, pe, $25, pp }' "$RUNS" >"$OUT/$n.csv"
    bars $n 'Hypervisor assistance on the microbenchmark, WPP 4 (seed 000 Fig. 10; a fitted target of the calibration)' 'speedup (x)' 0 ;;
  11 | 13) local n opt; n=seed000_fig$1; opt=$([ "$1" = 11 ] && echo 1 || echo 5)
    select_opt $opt emul_op pt_op emulxen_op ptxen_op | sed '1s/_op//g' >"$OUT/$n.csv"
    bars $n "Tracking time per operation, insert, OPT=$opt (seeds 000/001 Fig. $1; the paper gives orderings, no numbers)" \
      'ns per operation' 1 ;;
  12 | 14) local n opt; n=seed000_fig$1; opt=$([ "$1" = 12 ] && echo 1 || echo 5)
    select_opt $opt emul_op emulxen_op pt_op ptxen_op | awk -F, 'NR == 1 { print "structure,Emul/Emulxen,PT/PTxen"; next }
      { printf "%s,%.3f,%.3f\n", $1, $2 / $3, $4 / $5 }' >"$OUT/$n.csv"
    local marks
    marks=$(paper $PAPER_SP_EMUL_MAX '#4472c4' "paper: Emul/Emulxen up to ${PAPER_SP_EMUL_MAX}x"
      paper $PAPER_SP_PT_MAX '#c00000' "paper: PT/PTxen up to ${PAPER_SP_PT_MAX}x")
    [ "$1" = 12 ] && marks+=$'\n'$(paper $PAPER_SP_EMUL_MEAN '#7f9fd8' "paper: Emul/Emulxen mean $PAPER_SP_EMUL_MEAN"
      paper $PAPER_SP_PT_MEAN '#e07070' "paper: PT/PTxen mean $PAPER_SP_PT_MEAN")
    bars $n "Speedup of hypervisor assistance, OPT=$opt (seeds 000/001 Fig. $1)" 'speedup (x)' 0 "$marks" ;;
  15 | 16) local n opt; n=seed000_fig$1; opt=$([ "$1" = 15 ] && echo 1 || echo 5)
    select_opt $opt emul_copy pt_copy | awk -F, 'NR == 1 { print "structure,emulation (stored bytes),page tracking (whole pages)"; next }
      { printf "%s,%.4f,%.4f\n", $1, $2 / 1e6, $3 / 1e6 }' >"$OUT/$n.csv"
    local marks=""
    [ "$1" = 15 ] && marks=$(paper $PAPER_EMUL_MB '#4472c4' "paper: emulation < $PAPER_EMUL_MB MB"
      paper $PAPER_TREE_MB '#7f3fbf' "paper: emulation, tree insert $PAPER_TREE_MB MB"
      paper 100 '#c00000' "paper: page tracking, hundreds of MB")
    bars $n "Data copied to the helper, all transactions, OPT=$opt (seed 001 Fig. $1)" 'MB' 1 "$marks" ;;
  17) local n=seed000_fig17 # the copy's time: the "data processing overhead" of the main application
    select_opt 1 emul_copy_ns pt_copy_ns | awk -F, 'NR == 1 { print "structure,emulation (stored bytes),page tracking (whole pages)"; next }
      { printf "%s,%.4f,%.4f\n", $1, $2 / 1e6, $3 / 1e6 }' >"$OUT/$n.csv"
    bars $n 'Time to copy the modified data to the helper, 10,000 inserts, OPT=1 (seed 001 Fig. 17)' 'ms' 1 \
      "$(paper $PAPER_EMUL_MS '#4472c4' "paper: emulation < $PAPER_EMUL_MS ms"
         paper $PAPER_PT_MS_LO '#c00000' "paper: page tracking $PAPER_PT_MS_LO-$PAPER_PT_MS_HI ms"
         paper $PAPER_PT_MS_HI '#c00000' '')" ;;
  18) local n=seed000_fig18
    select_opt 1 emul_total emulxen_total pt_total ptxen_total | awk -F, 'NR == 1 { print "structure,Emul/Emulxen,PT/PTxen"; next }
      { printf "%s,%.3f,%.3f\n", $1, $2 / $3, $4 / $5 }' >"$OUT/$n.csv"
    bars $n 'Speedup of hypervisor assistance in total time, OPT=1 (seed 001 Fig. 18)' 'speedup (x)' 0 \
      "$(paper $PAPER_TOT_EMUL '#4472c4' "paper: Emul/Emulxen about ${PAPER_TOT_EMUL}x"
         paper $PAPER_TOT_PT '#c00000' "paper: PT/PTxen about ${PAPER_TOT_PT}x")" ;;
  *) echo "usage: $0 8|10|11|12|13|14|15|16|17|18|all" >&2; exit 2 ;;
  esac
}

# The measured numbers docs/figures.md quotes, from the CSVs just written.
summary() {
  local f=$WORK/seed000-figures.md
  {
    echo "| figure | vmemsim (from docs/figures/seed000_figNN.csv) |"
    echo "|---|---|"
    awk -F, 'NR > 1 { if ($4 > 1 && (lo == "" || $3 < lo)) lo = $3; if ($4 <= 1 && $3 > hi) hi = $3
        if ($5 > 1 && (hlo == "" || $3 < hlo)) hlo = $3; if ($5 <= 1 && $3 > hhi) hhi = $3 }
      NR == 2 { bu = $6; bh = $7 }
      END { printf "| 8 | closed-form break-even WPP %.3f (user), %.3f (hypervisor). On the 18 structure points, Emul/PT > 1 from WPP %.2f (highest WPP still < 1: %.2f); Emulxen/PTxen > 1 from WPP %.2f (highest still < 1: %.2f) |\n", bu, bh, lo, hi, hlo, hhi }' \
      "$OUT/seed000_fig08.csv"
    awk -F, 'NR > 1 { printf "%s%s %.2fx", (NR > 2 ? ", " : "| 10 | "), $1, $2 } END { print " |" }' "$OUT/seed000_fig10.csv"
    for f2 in 12 14 18; do
      awk -F, -v fig=$f2 'NR > 1 { n++; se += $2; sp += $3; if (n == 1 || $2 < ae) ae = $2; if ($2 > be) be = $2
          if (n == 1 || $3 < ap) ap = $3; if ($3 > bp) bp = $3 }
        END { printf "| %s | Emul/Emulxen %.2f-%.2fx (mean %.2f); PT/PTxen %.2f-%.2fx (mean %.2f) |\n", fig, ae, be, se / n, ap, bp, sp / n }' \
        "$OUT/seed000_fig$f2.csv"
    done
    for f2 in 15 16 17; do
      awk -F, -v fig=$f2 -v unit="$([ $f2 = 17 ] && echo ms || echo MB)" 'NR > 1 { n++
          if (n == 1 || $2 < ae) ae = $2; if ($2 > be) { be = $2; wb = $1 }; if (n == 1 || $3 < ap) ap = $3; if ($3 > bp) { bp = $3; wp = $1 } }
        END { printf "| %s | emulation %.3g-%.4g %s (largest: %s); page tracking %.4g-%.4g %s (largest: %s) |\n", fig, ae, be, unit, wb, ap, bp, unit, wp }' \
        "$OUT/seed000_fig$f2.csv"
    done
  } >"$f"
  doc_block "$ROOT/docs/figures.md" seed000-figures "$f"
  # Figure 11's orderings per structure, beside each trace's shape.
  f=$WORK/seed000-fig11-order.md
  {
    echo "| structure | WPP | PPT | Emul | PT | Emulxen | PTxen | the paper's ordering | holds |"
    echo "|---|---|---|---|---|---|---|---|---|"
    awk -F, 'FNR == 1 { next }
      FILENAME ~ /runs/ { if ($2 == 1) { wpp[$1] = $3; ppt[$1] = $4 }; next }
      { s = $1; e = $2; p = $3; ex = $4; px = $5
        if (s ~ /^(queue|list|heap|splay|aa)$/) { want = "PT > Emul > Emulxen > PTxen"; ok = p > e && e > ex && ex > px }
        else if (s ~ /^(hashquad|binomial|bst)$/) { want = "Emul > PT"; ok = e > p }
        else { want = "(none stated)"; ok = -1 }
        printf "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %s |\n", s, wpp[s], ppt[s], e / 1000, p / 1000,
               ex / 1000, px / 1000, want, ok < 0 ? "-" : (ok ? "yes" : "no") }' "$RUNS" "$OUT/seed000_fig11.csv"
    echo
    echo "Tracking cost in µs per operation (insert, OPT=1, from seed000_fig11.csv)."
  } >"$f"
  doc_block "$ROOT/docs/figures.md" seed000-fig11-order "$f"
}

runs
if [ "$1" = all ]; then
  for f in 8 10 11 12 13 14 15 16 17 18; do fig $f; done
  summary
else
  fig "$1"
fi
