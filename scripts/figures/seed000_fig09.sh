#!/usr/bin/env bash
# seed000_fig09.sh: seed 000, Figure 9 -- scanxen against page tracking on the
# checkpointing microbenchmark: per-transaction tracking cost against pages
# per transaction (PPT) at several critical-data-area (CDA) sizes, WPP fixed.
# Traces from `vmemsim gen ckptmicro`, costs from `vmemsim ckpt` under the
# default calibration configs/ckpt/xen2011.ini.
#   usage: scripts/figures/seed000_fig09.sh      (see lib.sh for VMEMSIM, FIG_WORK)
# Writes seed000_fig09a (scanxen vs pt) and seed000_fig09b (scanxen vs ptxen)
# as .csv/.png/.svg, and seed000_fig09_lines.csv: each line's intercept and
# slope, and the PPT where it crosses scanxen's line, and rewrites the
# generated:seed000-fig09 block of docs/figures.md.  Needs jq.  The paper's
# Scanxen line is drawn beside vmemsim's (dotted).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/seed000_lib.sh"
command -v jq >/dev/null || { echo "figures: seed000_fig09.sh needs jq (apt-get install jq)" >&2; exit 1; }
CAL=$ROOT/configs/ckpt/xen2011.ini
PPTS="1 2 4 8 16 32 64 128"
CDAS="1 4 16" # MiB
WPP=4         # the seed's Figure 10 point; WPP does not enter scanxen's cost
TXNS=100      # every transaction has the same shape, so more only costs time
RUNS=$WORK/ckptmicro_fig09.csv
PAPER_SLOPE=0.0625 PAPER_MB=2.5 # seed 000: y = (0.0625) x PPT + 2.5 x (size of CDA in MB), in us

# One row per (cda, ppt): microseconds of tracking per transaction, from one
# trace and one `ckpt` JSON per point, each reused while the binary, the
# command and its inputs are the same (fig_made and fig_cached, lib.sh).
runs() {
  local tmp=$RUNS.tmp tr j
  echo "cda_mib,ppt,scanxen,pt,ptxen" >"$tmp"
  for cda in $CDAS; do
    for ppt in $PPTS; do
      tr=$WORK/ckptmicro_fig09_cda${cda}_ppt$ppt.vmt j=${tr%.vmt}.json
      fig_made "$tr" fig_nonempty "$VMEMSIM" gen ckptmicro cda="$cda" ppt="$ppt" wpp="$WPP" txns="$TXNS" -o "$tr" >&2
      fig_cached "$j" "$VMEMSIM" ckpt -q --calib "$CAL" "$tr" --json "$j"
      jq -r --arg c "$cda" --arg p "$ppt" '
        .techniques as $t | [$c, $p] + ([$t.scanxen, $t.pt, $t.ptxen] | map(.tracking_ns_per_txn / 1000)) | @csv' "$j" |
        tr -d '"' >>"$tmp"
    done
  done
  mv "$tmp" "$RUNS"
}

# wide OTHER: "ppt,scanxen_<cda>MiB...,OTHER_<cda>MiB..." -- one column per line drawn.
wide() {
  awk -F, -v other="$1" -v cdas="$CDAS" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { if (!($2 in seen)) { seen[$2] = 1; ppts[++np] = $2 }
      s[$1, $2] = $col["scanxen"]; o[$1, $2] = $col[other] }
    END { nc = split(cdas, c, " ")
      printf "ppt"; for (j = 1; j <= nc; j++) printf ",scanxen_%sMiB", c[j]
      for (j = 1; j <= nc; j++) printf ",%s_%sMiB", other, c[j]; print ""
      for (i = 1; i <= np; i++) { printf "%s", ppts[i]
        for (j = 1; j <= nc; j++) printf ",%.4f", s[c[j], ppts[i]]
        for (j = 1; j <= nc; j++) printf ",%.4f", o[c[j], ppts[i]]; print "" } }' "$RUNS"
}

# Every cost here is linear in PPT at a fixed CDA, so the first and last PPT
# give each line exactly; crossing = the PPT where it meets scanxen's line
# (scanxen is cheaper above it; "never" when they do not meet at PPT > 0, so
# one technique is cheaper at every PPT: the one with the lower intercept).
lines() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { if (!($1 in lo)) { lo[$1] = $2; order[++n] = $1 }; hi[$1] = $2
      for (t in col) if (t != "cda_mib" && t != "ppt") y[t, $1, $2] = $col[t] }
    END { print "technique,cda_mib,intercept_us,slope_us_per_page,crossing_ppt"
      split("scanxen pt ptxen", ts, " ")
      for (k = 1; k <= n; k++) { c = order[k]; dx = hi[c] - lo[c]
        for (m = 1; m <= 3; m++) { t = ts[m]
          sl[t] = (y[t, c, hi[c]] - y[t, c, lo[c]]) / dx; ic[t] = y[t, c, lo[c]] - sl[t] * lo[c] }
        for (m = 1; m <= 3; m++) { t = ts[m]; x = "-"
          if (t != "scanxen") { x = "never"
            if (sl[t] != sl["scanxen"]) { v = (ic["scanxen"] - ic[t]) / (sl[t] - sl["scanxen"]); if (v > 0) x = sprintf("%.2f", v) } }
          printf "%s,%s,%.4f,%.4f,%s\n", t, c, ic[t], sl[t], x } } }' "$RUNS"
}

# fig NAME OTHER LABEL PANEL
fig() {
  local n=$1 other=$2 label=$3 panel=$4
  wide "$other" >"$OUT/$n.csv"
  tr ',' ' ' <"$OUT/$n.csv" | tail -n +2 >"$WORK/$n.dat"
  local nc
  nc=$(wc -w <<<"$CDAS")
  plot "$n" "
set title 'Scanxen vs $label, WPP $WPP (seed 000 Fig. 9($panel)); paper: Scanxen y = $PAPER_SLOPE PPT + $PAPER_MB CDA (us, MB)'
set xlabel 'pages per transaction (PPT)'
set ylabel 'tracking cost per transaction (us)'
set logscale x 2
set logscale y 10
set grid
set bmargin 7
set key at screen 0.5, screen 0.01 center bottom horizontal maxrows 3 # under the x label, hiding no line
array cda[$nc] = [${CDAS// /, }]
plot for [j=1:$nc] '$WORK/$n.dat' using 1:(column(1+j)) with linespoints pt 7 lc j title sprintf('Scanxen, CDA %d MiB', cda[j]), \
     for [j=1:$nc] '' using 1:(column(1+$nc+j)) with linespoints dt 2 pt 5 lc j title sprintf('$label, CDA %d MiB', cda[j]), \
     for [j=1:$nc] $PAPER_SLOPE*x + $PAPER_MB*cda[j] with lines dt 3 lw 2 lc j title sprintf('paper: Scanxen, CDA %d MB', cda[j])
"
}

runs
fig seed000_fig09a pt PT a
fig seed000_fig09b ptxen PTxen b
lines >"$OUT/seed000_fig09_lines.csv"
echo "figures: wrote $OUT/seed000_fig09_lines.csv" >&2
# docs/figures.md quotes the crossings: a "never" crossing means one line is
# below at every PPT, the one with the lower intercept.
awk -F, 'NR > 1 && $1 == "scanxen" { ic = $3 }
  NR > 1 && $1 != "scanxen" { x = $5 == "never" ? ($3 > ic ? "every PPT" : "no PPT") : "PPT > " $5
    printf "%s%s, %s MiB: %s", (n++ ? "; " : "Scanxen is cheaper than "), ($1 == "pt" ? "PT" : "PTxen"), $2, x }
  END { print "." }' "$OUT/seed000_fig09_lines.csv" >"$WORK/seed000-fig09.md"
doc_block "$ROOT/docs/figures.md" seed000-fig09 "$WORK/seed000-fig09.md"
