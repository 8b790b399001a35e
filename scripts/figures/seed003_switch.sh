#!/usr/bin/env bash
# seed003_switch.sh: seed 003, vpr and tpch -- what one context switch costs
# each shadow variant, and at what switch rate that cost would decide Figure
# 13's and 14's sets.  The figure sweeps' vpr is one process with no CR3 write
# in its window, so plain shadow and shadow-cache do the same work there; the
# paper has shadow-cache alone best under KVM (plain shadow more than 5 %
# slower) and all three shadow variants within 1.08x under Palacios.  Under
# plain shadow (and shadow-prefetch) a CR3 write drops the shadow, and the
# process switched back to refills it; how many switches per second the
# paper's guest made is not known (its Figure 11 is a plot), so this script
# measures the price of one switch (configs/sweeps/seed003_switch_*.ini: two
# vpr processes switched every 1,000,000 instructions, 3 CR3 writes after the
# warm-up) and prints the rates at which it would put plain shadow 5 % behind
# shadow-cache (KVM's set needs more) and 8 % behind the best (Palacios's
# needs less).  tpch is measured as the generator's default (copy=process: a
# copier process of its own, switched at cr3_pmi=5, an estimate), not the
# figures' copy=call, which writes no CR3: the same rates say where such a
# copier would tie.
# A diagnostic: no rate is set from it and no figure changes.
# Writes docs/figures/seed003_switch.csv and the generated:seed003-switch
# block of docs/figures.md.
#   usage: scripts/figures/seed003_switch.sh      (see lib.sh for VMEMSIM, JOBS, FIG_WORK)
source "$(dirname "$0")/seed003_lib.sh"
NAME=seed003_switch
# The paper's ties that bound the rate: KVM's vpr set excludes plain shadow
# (so it is more than TIE x shadow-cache), Palacios's includes it at a
# best / worst of 1.08x (Figure 14), so it is at most 1.08 x the best.
PALACIOS_VPR_BW=1.08

echo "vmm,machine,workload,mode,cycles_per_switch,hidden_faults_per_switch,window_ms,switches_per_s,rate_for_tie,rate_for_palacios_bw" >"$OUT/$NAME.csv"
for vmm in kvm palacios; do
  for m in $MACHINES; do
    csv_cols "$(fig_sweep "seed003_switch_${vmm}_$m")" trace machine.mode cycles.total cycles.seconds exits.cr3_write exits.hidden_fault |
      awk -F, -v vmm=$vmm -v m=$m -v tie=$TIE -v pbw=$PALACIOS_VPR_BW '
        NR > 1 { split($1, w, " "); wl = w[1]; if (!(wl in seen)) { seen[wl] = 1; wls[++nw] = wl }
                 t[wl, $2] = $3; s[wl, $2] = $4; cr3[wl, $2] = $5; hf[wl, $2] = $6; if (!($2 in sm)) { sm[$2] = 1; mo[++n] = $2 } }
        END {
          for (k = 1; k <= nw; k++) { wl = wls[k]; c = t[wl, "shadow-cache"]; sec = s[wl, "shadow-cache"]; hz = c / sec
            for (i = 1; i <= n; i++) { md = mo[i]; if (md == "nested" || md == "shadow-cache") continue
              if (cr3[wl, md] == 0) { print "seed003_switch: no CR3 write in the " vmm " " m " " wl " window" > "/dev/stderr"; exit 1 }
              per = (t[wl, md] - c) / cr3[wl, md]
              # at r switches per second of shadow-cache time md costs 1 + r per / hz times shadow-cache
              printf "%s,%s,%s,%s,%.0f,%.0f,%.2f,%.0f,%.2f,%.2f\n", vmm, m, wl, md, per, (hf[wl, md] - hf[wl, "shadow-cache"]) / cr3[wl, md],
                     1000 * sec, cr3[wl, md] / sec, (tie - 1) * hz / per, (pbw - 1) * hz / per } } }'
  done
done >>"$OUT/$NAME.csv"

{
  echo "| VMM, machine | workload | approach | cycles per switch | hidden faults per switch | window | switches / s in it | switches / s for ${TIE}x shadow-cache | for ${PALACIOS_VPR_BW}x |"
  echo "|---|---|---|---|---|---|---|---|---|"
  awk -F, -v simics=SIMICS -v real=Opteron 'NR > 1 {
      printf "| %s, %s | %s | %s | %.3f M | %d | %.1f ms | %d | %.1f | %.1f |\n", $1, $2 == "simics" ? simics : real, $3, $4,
             $5 / 1e6, $6, $7, $8, $9, $10 }' "$OUT/$NAME.csv"
} | doc_block "$DOC" seed003-switch -
echo "wrote $OUT/$NAME.csv and the seed003-switch block of $DOC" >&2
