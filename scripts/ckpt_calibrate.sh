#!/usr/bin/env bash
# ckpt_calibrate.sh: calibrates the checkpoint model (seeds 000/001) and
# rewrites everything that depends on the calibration (docs/checkpoint.md,
# "Calibration"):
#   1. the nine `ds` structures' insert traces at OPT 1 and 5 (10,000
#      operations, KEYS order) are reduced to the sums every cost is linear
#      in: docs/figures/seed000_workloads.csv;
#   2. the [user]/[hypervisor] costs are fitted by least squares to the
#      seeds' microbenchmark (Figures 8-10), from the measured priors of
#      configs/ckpt/modern-kvm.ini: configs/ckpt/xen2011.ini;
#   3. every constraint of the seeds (fitted, predicted, structural) is
#      evaluated with its residual into the generated blocks of
#      docs/checkpoint.md (ckpt-calibration) and docs/figures.md
#      (seed000-results).
#   usage: scripts/ckpt_calibrate.sh     (VMEMSIM, FIG_WORK as for the figure scripts)
# tests/test_ckpt_calib.c checks that all three outputs match what this
# script writes, and that the fit is deterministic.
source "$(dirname "$0")/figures/lib.sh"
source "$(dirname "$0")/figures/seed000_lib.sh"
[ -x "$CKPT_CALIBRATE" ] || { echo "ckpt_calibrate.sh: no $CKPT_CALIBRATE: build the ckpt_calibrate target" >&2; exit 1; }
cd "$ROOT" # file names in the generated comments are relative to the repository
PRIOR=configs/ckpt/modern-kvm.ini
CAL=configs/ckpt/xen2011.ini
WL=docs/figures/seed000_workloads.csv
args=()
for s in $STRUCTS; do
  for opt in 1 5; do args+=("$s:$opt:$(ds_trace "$s" "$opt")"); done
done
"$CKPT_CALIBRATE" measure "$WL" "${args[@]}"
"$CKPT_CALIBRATE" fit "$PRIOR" "$CAL"
echo "ckpt_calibrate.sh: wrote $WL and $CAL" >&2
"$CKPT_CALIBRATE" checkpoint-block "$PRIOR" "$CAL" "$WL" >"$WORK/ckpt-calibration.md"
doc_block docs/checkpoint.md ckpt-calibration "$WORK/ckpt-calibration.md"
"$CKPT_CALIBRATE" results-block "$CAL" "$WL" >"$WORK/seed000-results.md"
doc_block docs/figures.md seed000-results "$WORK/seed000-results.md"
# The modern machine on the same AVL trace, for docs/checkpoint.md.
command -v jq >/dev/null || { echo "ckpt_calibrate.sh: the modern-machine table needs jq (apt-get install jq)" >&2; exit 1; }
"$VMEMSIM" ckpt -q --calib "$PRIOR" "$(ds_trace avl 1)" --json - | jq -r '
  "| technique | level | µs per txn |", "|---|---|---|",
  (.techniques | to_entries[] | "| \(.key) | \(.value.level) | \(.value.tracking_ns_per_txn / 1000 * 100 | round / 100) |"),
  "", "Break-even WPP \(.breakeven_wpp.user * 100 | round / 100) in user space and \(.breakeven_wpp.hypervisor * 100 | round / 100) with the hypervisor; microbenchmark speedups \(.microbench.speedup_emul * 100 | round / 100)x (emul) and \(.microbench.speedup_pt * 100 | round / 100)x (pt)."' \
  >"$WORK/ckpt-modern.md"
doc_block docs/checkpoint.md ckpt-modern "$WORK/ckpt-modern.md"
