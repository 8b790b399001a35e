# seed003_lib.sh: what the seed-003 figure scripts share (sourced, not run).
# Seed 003 (Bae, Lange, Dinda, NWU-EECS-10-07) compares four approaches per
# VMM and workload; Figures 13 (KVM) and 14 (Palacios) give, per workload,
# the best approach (a set: the paper lists approaches it found alike
# together), best / worst and best shadow / nested.  vmemsim runs each VMM
# profile (configs/vmm/) on two machines: the SIMICS machine of the paper's
# Figure 6 (configs/barcelona.ini) and the Opteron 2350 it timed on, with its
# real hierarchy (configs/barcelona-real.ini).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DOC=$ROOT/docs/figures.md
# Approaches within 5% of the fastest count as tied: the paper lists as one
# set approaches 3-8% apart (KVM tpch "all same" at 1.03x, boot 1.06x;
# Palacios vpr 1.08x) and issue 15 asks for ties "within 5%".
TIE=1.05
MACHINES="simics real"
machine_label() { case $1 in simics) echo "SIMICS machine (barcelona.ini)" ;; real) echo "Opteron 2350 (barcelona-real.ini)" ;; esac; }

# The paper's Figures 13 and 14 (its text; "+cache" written shadow-cache):
# workload, best set, best / worst, best shadow / nested.
paper_table() {
  case $1 in
  kvm) cat <<'EOF'
worst,shadow/shadow-cache,2.56,2.56
boot,nested/shadow/shadow-cache,1.06,0.94
vpr,shadow-cache,1.19,1.19
hpcc,nested/shadow-cache,17.52,0.98
tpch,nested/shadow/shadow-cache,1.03,0.98
kbuild,nested,1.59,0.75
EOF
    ;;
  palacios) cat <<'EOF'
worst,shadow/shadow-cache/shadow-prefetch,2.86,2.86
boot,nested,1.57,1.16
vpr,shadow/shadow-cache/shadow-prefetch,1.08,1.08
hpcc,nested,52.79,0.75
tpch,nested/shadow,1.73,0.88
kbuild,nested,3.49,0.57
EOF
    ;;
  esac
}

# gnuplot settings of the bar charts of cycles relative to native (Figures 15, 16).
RATIO_BARS="set ylabel 'cycles / native cycles'
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set logscale y 2
set yrange [0.8:*]
set grid ytics
"

# The approaches the paper compares under each VMM.
approaches() { case $1 in kvm) echo "nested shadow shadow-cache" ;; palacios) echo "nested shadow shadow-cache shadow-prefetch" ;; esac; }

# The counters that say where an approach's cycles go (seed003_breakdown).
BREAKDOWN="cycles.walk cycles.vmm exits.total exits.cr3_write exits.hidden_fault exits.pt_write walks instructions cycles.data"

# seed003_cols VMM MACHINE COL...: csv_cols of the sweep seed003_VMM_MACHINE;
# where a companion sweep seed003_VMM_MACHINE_2m.ini exists (the workloads seed
# 003 says run on large pages, under 2 MiB guest pages), the rows of its
# workloads come from it instead, every row of those workloads in the main
# sweep dropped, so no workload mixes page sizes across its approaches.
seed003_cols() {
  local name=seed003_$1_$2 main big
  shift 2
  main=$(fig_sweep "$name")
  if [ ! -f "$ROOT/configs/sweeps/${name}_2m.ini" ]; then
    csv_cols "$main" "$@"
    return
  fi
  big=$(fig_sweep "${name}_2m")
  csv_cols "$big" "$@" >"$WORK/${name}_2m.cols"
  csv_cols "$main" "$@" >"$WORK/$name.cols"
  awk -F, 'FNR == NR { if (FNR > 1) { row[$1, $2] = $0; wl[$1] = 1 }; next }
           FNR == 1 { print; next }
           !($1 in wl) { print; next }
           !(($1, $2) in done) && (($1, $2) in row) { done[$1, $2] = 1; print row[$1, $2] }' \
    "$WORK/${name}_2m.cols" "$WORK/$name.cols"
}

# seed003_modes_csv VMM: runs both machines' sweeps; prints
# machine,workload,mode,cycles then the BREAKDOWN columns (all after the warm-up).
seed003_modes_csv() {
  local vmm=$1 m
  echo "machine,workload,mode,cycles,${BREAKDOWN// /,}"
  for m in $MACHINES; do
    # shellcheck disable=SC2086 # BREAKDOWN is a list of columns
    seed003_cols "$vmm" "$m" trace machine.mode cycles.total $BREAKDOWN |
      awk -F, -v m="$m" 'NR > 1 { split($1, w, " "); $1 = w[1]; printf "%s", m; for (i = 1; i <= NF; i++) printf ",%s", $i; print "" }'
  done
}

# seed003_breakdown VMM MODES_CSV: markdown, per machine, workload and
# approach: cycles (millions), the share in walks, in the VMM and in data stalls, exits and
# walks per 1,000 instructions -- where the gaps to the paper come from.
seed003_breakdown() {
  local vmm=$1 modes=$2
  awk -F, -v vmm="$vmm" -v simics="$(machine_label simics)" -v real="$(machine_label real)" '
    NR > 1 && $3 != "native" && $3 != "agile" && $3 != "adaptive" {
      if ($1 != last) { printf "\n**%s, %s** (after the warm-up)\n\n", vmm, $1 == "simics" ? simics : real
        print "| workload | approach | Mcycles | walk share | VMM share | data share | exits / kinst | CR3 writes / kinst | hidden faults / kinst | pt_write exits / kinst | walks / kinst |"
        print "|---|---|---|---|---|---|---|---|---|---|---|"; last = $1 }
      k = $12 / 1000
      printf "| %s | %s | %.1f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f |\n", $2, $3, $4 / 1e6, $5 / $4, $6 / $4,
             $13 / $4, $7 / k, $8 / k, $9 / k, $10 / k, $11 / k }' "$modes"
}

# seed003_best VMM MODES_CSV: per machine and workload, vmemsim's best set,
# best / worst and best shadow / nested beside the paper's, and where agile
# and adaptive stand against the best approach.  CSV on stdout.
seed003_best() {
  local vmm=$1 modes=$2
  awk -F, -v tie=$TIE -v appr="$(approaches "$vmm")" -v paper="$(paper_table "$vmm")" '
    BEGIN { na = split(appr, A, " "); np = split(paper, P, "\n")
            for (i = 1; i <= np; i++) { split(P[i], f, ","); pw[i] = f[1]; pb[f[1]] = f[2]; pbw[f[1]] = f[3]; pbs[f[1]] = f[4] } }
    NR > 1 { c[$1, $2, $3] = $4; mach[$1] = 1; if (!($1 in mo)) mo[$1] = ++nm; morder[mo[$1]] = $1 }
    END {
      print "machine,workload,best,paper_best,set_equal,best_over_worst,paper_best_over_worst,bw_factor,best_shadow_over_nested,paper_best_shadow_over_nested,bsn_factor,agile_vs_best,adaptive_vs_best"
      for (k = 1; k <= nm; k++) { m = morder[k]
        for (i = 1; i <= np; i++) { wl = pw[i]
          best = worst = c[m, wl, A[1]]; bs = 0
          for (j = 1; j <= na; j++) { v = c[m, wl, A[j]]; if (v < best) best = v; if (v > worst) worst = v
                                      if (A[j] != "nested" && (bs == 0 || v < bs)) bs = v }
          set = ""
          for (j = 1; j <= na; j++) if (c[m, wl, A[j]] <= best * tie) set = set (set == "" ? "" : "/") A[j]
          bw = worst / best; bsn = c[m, wl, "nested"] / bs
          fbw = bw / pbw[wl]; if (fbw < 1) fbw = 1 / fbw
          fbs = bsn / pbs[wl]; if (fbs < 1) fbs = 1 / fbs
          # agile is n/a where it did not run (Palacios: its 32-bit guest, which agile does not model)
          ag = (m, wl, "agile") in c ? sprintf("%.3f", c[m, wl, "agile"] / best) : "n/a"
          printf "%s,%s,%s,%s,%s,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%s,%.3f\n", m, wl, set, pb[wl], set == pb[wl] ? "yes" : "no",
                 bw, pbw[wl], fbw, bsn, pbs[wl], fbs, ag, c[m, wl, "adaptive"] / best } } }' "$modes"
}

# seed003_results VMM FIG BEST_CSV MODES_CSV: the generated:seed003-figFIG-results
# block of docs/figures.md -- what issue 15 asks of the figure, then one row per
# number of the paper in the common results-table format (match: the same set;
# a ratio within 10%).  Every row is predicted (no parameter was set from it)
# but tpch's, marked fitted: its sweeps' copy=call was chosen knowing which set
# it gives (docs/figures.md, tpch), so its matches are not counted as predictions.
seed003_results() {
  local vmm=$1 fig=$2 best=$3 modes=$4
  {
    awk -F, -v fig="$fig" -v simics="$(machine_label simics)" -v real="$(machine_label real)" '
      NR > 1 { n[$1]++; se[$1] += $5 == "yes"; w15[$1] += ($8 <= 1.5) + ($11 <= 1.5)
               if ($2 == "hpcc") hs[$1] = $6 }
      END { for (m in n) printf "- %s: best-approach set equal to the paper'"'"'s on %d of %d workloads (issue 15: at least 5); %d of %d ratios within 1.5x of the paper'"'"'s (issue 15: all); hpcc best / worst %.2fx (issue 15: above 10x).\n",
                                m == "simics" ? simics : real, se[m], n[m], w15[m], 2 * n[m], hs[m] }' "$best" | sort
    awk -F, -v vmm="$vmm" -v simics="$(machine_label simics)" -v real="$(machine_label real)" -v tie=$TIE '
      NR > 1 { c[$1, $2, $3] = $4; ms[$1] = 1 }
      END { for (m in ms) { lab = m == "simics" ? simics : real
              for (k = split("worst vpr", W, " "); k > 0; k--) { wl = W[k]; s = c[m, wl, "shadow"]
                if (vmm == "kvm") printf "- %s, %s: shadow-cache / shadow = %.3f (issue 15: within 5%%).\n", lab, wl, c[m, wl, "shadow-cache"] / s
                else { b = c[m, wl, "nested"]; split("shadow shadow-cache shadow-prefetch", A, " ")
                       for (j = 1; j <= 3; j++) if (c[m, wl, A[j]] < b) b = c[m, wl, A[j]]
                       printf "- %s, %s: shadow-prefetch / best = %.3f (issue 15: tied for best, within 5%%).\n", lab, wl, c[m, wl, "shadow-prefetch"] / b } } } }' "$modes" | sort
    echo
    echo "| result | paper | vmemsim | match | kind |"
    echo "|---|---|---|---|---|"
    awk -F, -v fig="$fig" -v simics="SIMICS" -v real="Opteron" '
      function near(a, b) { return (a > b ? a / b : b / a) <= 1.10 ? "yes" : "no" }
      NR > 1 { lab = "Fig. " fig ", " ($1 == "simics" ? simics : real) ", " $2; k = $2 == "tpch" ? "fitted" : "predicted"
               printf "| %s: best approach | %s | %s | %s | %s |\n", lab, $4, $3, $5, k
               printf "| %s: best / worst | %.2fx | %.2fx | %s | %s |\n", lab, $7, $6, near($6, $7), k
               printf "| %s: best shadow / nested | %.2fx | %.2fx | %s | %s |\n", lab, $10, $9, near($9, $10), k }' "$best"
  } | doc_block "$DOC" "seed003-fig$fig-results" -
}

# seed003_plot NAME TITLE BEST_CSV: best / worst per workload, the paper's
# beside each machine's, on a log scale.
seed003_plot() {
  local name=$1 title=$2 best=$3
  awk -F, 'NR > 1 { if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }; p[$2] = $7; v[$1, $2] = $6 }
    END { for (i = 1; i <= n; i++) print order[i], p[order[i]], v["simics", order[i]], v["real", order[i]] }' \
    "$best" >"$WORK/$name.dat"
  plot "$name" "
set title '$title'
set ylabel 'best / worst approach (x)'
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set logscale y 2
set yrange [0.9:*]
set grid ytics
set key top left
plot '$WORK/$name.dat' using 2:xtic(1) title 'paper', '' using 3 title 'vmemsim, SIMICS machine', '' using 4 title 'vmemsim, Opteron 2350 (real hierarchy)'
"
}

# seed003_figure FIG VMM LABEL: Figure 13 (kvm) or 14 (palacios) whole:
# docs/figures/seed003_figFIG.csv, its plot, its results block.
seed003_figure() {
  local fig=$1 vmm=$2 label=$3 name=seed003_fig$1
  seed003_modes_csv "$vmm" >"$WORK/$name.modes.csv"
  seed003_best "$vmm" "$WORK/$name.modes.csv" >"$OUT/$name.csv"
  seed003_results "$vmm" "$fig" "$OUT/$name.csv" "$WORK/$name.modes.csv"
  seed003_plot "$name" "Best / worst approach per workload, $label (seed 003 Fig. $fig): paper and vmemsim" "$OUT/$name.csv"
}
