#!/usr/bin/env bash
# seed002_timeline.sh: seed 002 (Kloster, Kristensen, Mejlholm: page sharing
# in Xen), sharing over time from a real snapshot series made at figure time:
# the shape of the thesis's Figures 2.3-2.4 (share % within one OS and between
# VMs over time) and 7.1-7.2 (memory saved over time).  Two python3 processes
# ("VMs" a and b) do similar work that grows their memory in STEPS steps
# (shared-content buffers, per-VM buffers, a per-VM repeated pattern, zero
# buffers, Python lists and dicts; each step also overwrites part of an
# earlier buffer).  They are gcore'd at 0, STEP, 2*STEP, ... seconds, and
# `vmemsim share` runs each policy over that timeline (a@SECONDS=PATH ...).
# NOT BYTE-DETERMINISTIC: the snapshots are of live processes (ASLR, heap
# layout, interpreter state), so the numbers move a little from run to run;
# the figure's shape does not.  The workload's data is seeded (PYTHONHASHSEED=0).
#   usage: scripts/figures/seed002_timeline.sh   (see lib.sh for VMEMSIM, FIG_WORK)
#   STEPS (default 4) snapshots per VM, STEP (default 1.5) seconds apart.
#   Needs jq, gdb (gcore) and python3; dumps go to $FIG_WORK/seed002_timeline/.
#   Writes the seed002-timeline block of docs/figures.md.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/seed002_lib.sh"
live_tools seed002_timeline.sh
NAME=seed002_timeline
STEPS=${STEPS:-4}
STEP=${STEP:-1.5}
VMS=(a b)
D=$WORK/$NAME
rm -rf "$D"
mkdir -p "$D"

# The "guest" workload: step k grows memory, reports "k" on stdout, then
# waits for the file go.K+1 before the next step (so each dump catches a
# process between steps, idle in its wait loop).
WORKLOAD='
import os, random, sys, time
vm, steps, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
common = random.Random(2)            # the same in every VM: shared between VMs
own = random.Random("vm-" + vm)      # this VM only
KiB = 1024
pattern = (("vm-%s " % vm) * 600).encode()[:4 * KiB]
keep = []
table = {}
for k in range(steps):
    keep.append(bytearray(common.randbytes(512 * KiB)))        # same data in each VM
    keep.append(bytearray(own.randbytes(256 * KiB)))           # private data
    keep.append(bytearray(pattern * 64))                       # repeated within this VM
    keep.append(bytearray(256 * KiB))                          # zero pages
    for i in range(20000):                                     # interpreter objects
        table["k%d-%d" % (k, i)] = [i, common.random(), own.random()]
    if k > 0:                                                  # mutate an earlier shared buffer
        old = keep[4 * (k - 1)]
        old[: 128 * KiB] = own.randbytes(128 * KiB)
    print(k, flush=True)
    while k + 1 < steps and not os.path.exists("%s/go.%d" % (d, k + 1)):
        time.sleep(0.02)
while not os.path.exists(d + "/go.end"):
    time.sleep(0.02)
'
PIDS=()
cleanup() { touch "$D/go.end"; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
for v in "${VMS[@]}"; do
  PYTHONHASHSEED=0 "$PY" -u -c "$WORKLOAD" "$v" "$STEPS" "$D" >"$D/$v.out" &
  PIDS+=($!)
done
now() { date +%s.%N; }
T0=$(now)
ARGS=()
for ((k = 0; k < STEPS; k++)); do
  t=$(awk -v k=$k -v s="$STEP" 'BEGIN { print k * s }')
  # wait for every VM to finish step k and for the snapshot instant T0 + k*STEP
  for i in "${!VMS[@]}"; do
    until grep -qx "$k" "$D/${VMS[$i]}.out" 2>/dev/null; do
      kill -0 "${PIDS[$i]}" 2>/dev/null || { echo "figures: workload ${VMS[$i]} died" >&2; exit 1; }
      sleep 0.02
    done
  done
  wait_s=$(awk -v t0="$T0" -v t="$t" -v n="$(now)" 'BEGIN { w = t0 + t - n; print (w > 0 ? w : 0) }')
  sleep "$wait_s"
  for i in "${!VMS[@]}"; do
    v=${VMS[$i]}
    gcore -o "$D/$v.$k" "${PIDS[$i]}" >"$D/gcore.log" 2>&1 ||
      { echo "figures: gcore could not dump pid ${PIDS[$i]} (ptrace restricted?); see $D/gcore.log" >&2; exit 1; }
    mv "$D/$v.$k.${PIDS[$i]}" "$D/$v.$k.core"
    ARGS+=("$v@$t=$D/$v.$k.core")
  done
  touch "$D/go.$((k + 1))"
done
cleanup
wait
PIDS=()

# One CSV row per (policy, sample): every SAMPLE seconds, just before each
# next snapshot ("epoch"), and at convergence (the last snapshots left to the
# scanner until a full round changes nothing; xen-thesis runs one round per
# STEP instead of per minute).  MiB are 4 KiB pages / 256.
SAMPLE=${SAMPLE:-0.5}
echo "policy,seconds,at,mem_mib,pages_shared,pages_sharing,saved_percent,within_vm_percent,between_vm_percent,zero_percent,saved_mib,saved_mib_a,saved_mib_b" \
  >"$OUT/$NAME.csv"
for p in "ksm" "ksm --zero-pages" "xen-thesis --zero-pages --period=$STEP" "esx"; do
  label=$(echo "$p" | sed 's/ --period=.*//; s/ --zero-pages/+zero/')
  # shellcheck disable=SC2086 # $p carries the policy's options
  "$VMEMSIM" share -q -p $p --sample "$SAMPLE" --json "$D/$label.json" "${ARGS[@]}"
  jq -r --arg p "$label" '.timeline[] |
    def mib(x): (x * 1000 | round) / 1000;
    ([.vms[].pages] | add) as $n |
    [$p, .t, .at, mib($n / 256), .pages_shared, .pages_sharing, .saved_percent, .within_vm_percent,
     .between_vm_percent, .zero_percent, mib(.saved_percent / 100 * $n / 256),
     mib(.vms[0].saved_percent / 100 * .vms[0].pages / 256), mib(.vms[1].saved_percent / 100 * .vms[1].pages / 256)] | @csv' \
    "$D/$label.json" | tr -d '"' >>"$OUT/$NAME.csv"
done
# The snapshot instants: dark dotted verticals, drawn in front and named in
# the key (a light gray line is lost among the grid's own dotted lines).
SNAP_STYLE='nohead front dt 3 lw 1.5 lc rgb "#555555"'
SNAPS=$(awk -v n="$STEPS" -v s="$STEP" -v st="$SNAP_STYLE" 'BEGIN { for (k = 0; k < n; k++) printf "set arrow from %g, graph 0 to %g, graph 1 %s\n", k * s, k * s, st }')
C=$OUT/$NAME.csv
plot "$NAME" "
set datafile separator ','
set multiplot layout 1,2 title 'Sharing over time, two python3 processes snapshotted every $STEP s (seed 002)'
$SNAPS
set xlabel 'seconds'
set grid
set key top left
set ylabel '% of all pages saved'
set title 'ksm --zero-pages: within / between VMs, zero pages'
plot '$C' using (strcol(1) eq 'ksm+zero' ? \$2 : NaN):7 with linespoints pt 7 ps 0.5 title 'total', \
     '' using (strcol(1) eq 'ksm+zero' ? \$2 : NaN):8 with linespoints pt 7 ps 0.5 title 'within a VM', \
     '' using (strcol(1) eq 'ksm+zero' ? \$2 : NaN):9 with linespoints pt 7 ps 0.5 title 'between VMs', \
     '' using (strcol(1) eq 'ksm+zero' ? \$2 : NaN):10 with linespoints pt 7 ps 0.5 title 'zero pages', \
     8.5 with lines dt 2 lc rgb '#1a9850' title 'thesis Fig. 2.3: 8-9% within one OS', \
     10 with lines dt 2 lc rgb '#4575b4' title 'thesis Fig. 2.4: about 10% between VMs', \
     NaN with lines dt 3 lw 1.5 lc rgb '#555555' title 'snapshot'
set ylabel 'MiB'
set key top right
set title 'memory saved, per policy (ksm: per VM too)'
plot '$C' using (strcol(1) eq 'ksm' ? \$2 : NaN):4 with lines dt 2 lc rgb 'black' title 'memory of a+b', \
     '' using (strcol(1) eq 'ksm' ? \$2 : NaN):11 with linespoints pt 7 ps 0.5 title 'ksm', \
     '' using (strcol(1) eq 'ksm' ? \$2 : NaN):12 with lines dt 4 title 'ksm, VM a', \
     '' using (strcol(1) eq 'ksm' ? \$2 : NaN):13 with lines dt 5 title 'ksm, VM b', \
     '' using (strcol(1) eq 'xen-thesis+zero' ? \$2 : NaN):11 with linespoints pt 5 ps 0.5 title 'xen-thesis +zero', \
     '' using (strcol(1) eq 'esx' ? \$2 : NaN):11 with linespoints pt 9 ps 0.5 title 'esx', \
     NaN with lines dt 3 lw 1.5 lc rgb '#555555' title 'snapshot'
unset multiplot
"

# The table of docs/figures.md: per policy, saved % (and MiB) at each
# snapshot time, at convergence, and the converged split.
write_block "$ROOT/docs/figures.md" seed002-timeline "$(awk -F, -v steps="$STEPS" -v step="$STEP" '
  NR == 1 { next }
  $3 == "epoch" { v[$1, $2 + 0] = sprintf("%.1f %% (%.1f MiB)", $7, $11); if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
  $3 == "converged" { c[$1] = sprintf("%.1f %% (%.1f MiB, at %.1f s)", $7, $11, $2)
                      z = ($1 ~ /zero/) ? sprintf("%.1f", $10) : "(as content)"
                      split_[$1] = sprintf("%.1f / %.1f / %s", $8, $9, z); mem = $4 }
  END {
    printf "| policy |"; for (k = 1; k < steps; k++) printf " %g s |", k * step; print " converged | converged split: within / between / zero |"
    printf "|---|"; for (k = 1; k < steps; k++) printf "---|"; print "---|---|"
    for (i = 1; i <= n; i++) { p = order[i]
      printf "| %s |", p; for (k = 1; k < steps; k++) printf " %s |", v[p, k * step + 0]; printf " %s | %s |\n", c[p], split_[p] }
    printf "\nThe two VMs together hold %.1f MiB at the last snapshot.\n", mem }' "$OUT/$NAME.csv")"
