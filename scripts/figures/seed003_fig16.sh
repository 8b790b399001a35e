#!/usr/bin/env bash
# seed003_fig16.sh: seed 003, Figure 16 ("Breakdown of HPCC results (KVM)") --
# the hpcc generator's sub-benchmarks apart (RandomAccess alone: random=1;
# STREAM alone: random=0) under KVM's approaches, steady state, on both
# machines.  The paper gives Figure 16 only as bars; its text says
# RandomAccess dominates the run time, is terrible under shadow without
# caching, and that caching brings it near nested.  Two rows weigh the parts as the
# hpcc generator does (RandomAccess's share of the accesses from HPCC
# 1.3.1's sizes, the share its random= default gives, read from `vmemsim gen
# --list`): RandomAccess's share of the run time, run one after the other as
# HPCC runs them, and the best / worst of RandomAccess alone, the most any
# weighting of the two parts can reach.  Sweeps:
# configs/sweeps/seed003_fig16_{simics,real}.ini.  Writes
# docs/figures/seed003_fig16.csv and the generated:seed003-fig16 block of
# docs/figures.md.
#   usage: scripts/figures/seed003_fig16.sh      (see lib.sh for VMEMSIM, JOBS, FIG_WORK)
source "$(dirname "$0")/seed003_lib.sh"
NAME=seed003_fig16
# hpcc's default random= (r: an access starts an update, whose store follows): RandomAccess is 2r / (1 + r) of the accesses.
HPCC_RANDOM=$("$VMEMSIM" gen --list | sed -n '/^hpcc /,/keys:/s/.*keys:.* random=\([0-9.]*\).*/\1/p')
[ -n "$HPCC_RANDOM" ] || { echo "$NAME: no random= default in 'vmemsim gen --list'" >&2; exit 1; }
echo "machine,subbenchmark,mode,cycles,vs_native" >"$OUT/$NAME.csv"
for m in $MACHINES; do
  csv=$(fig_sweep seed003_fig16_$m)
  csv_cols "$csv" trace machine.mode cycles.total | awk -F, -v m=$m '
    NR > 1 { sb = $1 ~ /random=1/ ? "RandomAccess" : "STREAM"; if ($2 == "native") base[sb] = $3; row[++n] = m "," sb "," $2 "," $3; s[n] = sb; cy[n] = $3 }
    END { for (i = 1; i <= n; i++) printf "%s,%.4f\n", row[i], cy[i] / base[s[i]] }' >>"$OUT/$NAME.csv"
done
{
  echo "| result | paper | vmemsim | match | kind |"
  echo "|---|---|---|---|---|"
  awk -F, -v simics="SIMICS" -v real="Opteron" -v r="$HPCC_RANDOM" -v paper=17.52 '
    NR > 1 { c[$1, $2, $3] = $4; ms[$1] = 1; if ($3 != "native") mo[$3] = 1 }
    END { for (m in ms) { lab = "Fig. 16, " (m == "simics" ? simics : real)
            ra = c[m, "RandomAccess", "shadow"]; st = c[m, "STREAM", "shadow"]
            printf "| %s: RandomAccess dominates (shadow, cycles RandomAccess / STREAM) | dominates | %.2fx | %s | predicted |\n", lab, ra / st, (ra > st ? "yes" : "no")
            w = c[m, "RandomAccess", "nested"]; b = w
            split("shadow shadow-cache", A, " "); for (j = 1; j <= 2; j++) { v = c[m, "RandomAccess", A[j]]; if (v > w) w = v; if (v < b) b = v }
            printf "| %s: RandomAccess worst under plain shadow (shadow / best) | terrible | %.2fx | %s | predicted |\n", lab, ra / b, ra == w ? "yes" : "no"
            q = c[m, "RandomAccess", "shadow-cache"] / c[m, "RandomAccess", "nested"]
            printf "| %s: RandomAccess, shadow-cache near nested (shadow-cache / nested) | similar | %.2fx | %s | predicted |\n", lab, q, (q < 1.10 && q > 0.91) ? "yes" : "no"
            sh = 2 * r / (1 + r); lo = 2; bb = wa = 0
            for (a in mo) { x = sh * c[m, "RandomAccess", a]; f = x / (x + (1 - sh) * c[m, "STREAM", a]); if (f < lo) { lo = f; la = a }
                            v = c[m, "RandomAccess", a]; if (bb == 0 || v < bb) bb = v; if (v > wa) wa = v }
            printf "| %s: RandomAccess share of the run time, the parts one after the other at hpcc'"'"'s %.1f %% RandomAccess accesses (lowest over the approaches) | dominates | %.0f %% (%s) | %s | predicted |\n", lab, 100 * sh, 100 * lo, la, (lo > 0.5 ? "yes" : "no")
            printf "| %s: best / worst of RandomAccess alone, the most any weighting of the two parts reaches | %.2fx (all of HPCC) | %.2fx | %s | predicted |\n", lab, paper, wa / bb, (wa / bb >= paper / 1.5 ? "yes" : "no") } }' \
    "$OUT/$NAME.csv" | sort
} | doc_block "$DOC" seed003-fig16-results -
awk -F, 'NR > 1 && $1 == "real" && $3 != "native" { k = $2; if (!(k in s)) { s[k] = 1; o[++n] = k }; if (!($3 in sm)) { sm[$3] = 1; mo[++nm] = $3 }; v[k, $3] = $5 }
  END { printf "sub"; for (j = 1; j <= nm; j++) printf " %s", mo[j]; print ""
        for (i = 1; i <= n; i++) { printf "%s", o[i]; for (j = 1; j <= nm; j++) printf " %s", v[o[i], mo[j]]; print "" } }' \
  "$OUT/$NAME.csv" >"$WORK/$NAME.dat"
plot "$NAME" "
set title 'HPCC sub-benchmarks under KVM, Opteron 2350 (seed 003 Fig. 16)'
$RATIO_BARS
set key top right
plot for [c=2:4] '$WORK/$NAME.dat' using c:xtic(1) title columnheader(c)
"
