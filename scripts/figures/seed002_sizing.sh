#!/usr/bin/env bash
# seed002_sizing.sh: seed 002, Tables 6.1 and 6.2 -- the content index's
# entries and size per number of scans for 4 GiB, and the scans needed per
# memory size (`vmemsim share --sizing`; tests/test_share.c checks every cell).
#   usage: scripts/figures/seed002_sizing.sh     (see lib.sh for VMEMSIM)
source "$(dirname "$0")/lib.sh"
NAME=seed002_table6_1
"$VMEMSIM" share --sizing | awk '
  /^Table 6.1/ { t = 1; next } /^Table 6.2/ { t = 0 }
  t && $1 ~ /^[0-9]+$/ { if (!h++) print "scans,entries,size_mib,entries_plus10,size_mib_plus10"; print $1 "," $2 "," $3 "," $4 "," $5 }' \
  >"$OUT/$NAME.csv"
"$VMEMSIM" share --sizing | awk '
  /^Table 6.2/ { t = 1; next }
  t && $1 ~ /^[0-9]+$/ { if (!h++) print "memory_mib,ratio,scans"; print $1 "," $2 "," $3 }' >"$OUT/seed002_table6_2.csv"
tr ',' ' ' <"$OUT/$NAME.csv" | tail -n +2 >"$WORK/$NAME.dat"
# The thesis's Table 6.1 sizes (MB, without and with the 10% overhead) and its 8.8 MB
# single index (6.7), drawn beside vmemsim's.
printf '%s\n' "1 NaN 8.8" "3 2.6 2.9" "4 2.0 2.2" "5 1.6 1.7" "6 1.3 1.4" "7 1.1 1.2" "8 1.0 1.1" "9 0.8 0.9" >"$WORK/$NAME.thesis"
plot "$NAME" "
set title 'Content index size for 4 GiB per number of scans (seed 002 Table 6.1)'
set xlabel 'scans per round'
set ylabel 'MiB'
set grid
set key top right
plot '$WORK/$NAME.dat' using 1:3 with linespoints pt 7 title 'vmemsim: index', '' using 1:5 with linespoints pt 5 title 'vmemsim: index + 10%', \
     '$WORK/$NAME.thesis' using 1:2 with points pt 6 ps 1.6 lc rgb 'black' title 'thesis Table 6.1', '' using 1:3 with points pt 4 ps 1.6 lc rgb 'black' notitle
"
