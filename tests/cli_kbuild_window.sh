#!/usr/bin/env bash
# kbuild's window in the seed-003 sweeps cannot drift from the measured
# profile: in every configs/sweeps/seed003_{kvm,palacios}_{simics,real}.ini,
# and in scripts/figures/seed003_rates.sh, kbuild runs for the sweep's
# warm-up plus exactly one period of the build, make's burst plus one
# compiler's life, as `vmemsim gen --list` gives them for profile=measured
# (docs/workloads.md, "kbuild, measured").  A seeded fault (a longer
# window) proves the check can fail.
# usage: cli_kbuild_window.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

# The measured profile's defaults, from the generator's own help line.
keys=$("$VMEMSIM" gen --list 2>&1 | awk '/^kbuild/ { getline; print }')
life=$(printf '%s' "$keys" | sed -n 's/.*measured:[^;]* life=\([0-9]*\).*/\1/p')
burst=$(printf '%s' "$keys" | sed -n 's/.*measured:[^;]* make_burst=\([0-9]*\).*/\1/p')
if [ -n "$life" ] && [ -n "$burst" ]; then ok; else bad "gen --list gives no measured life= and make_burst= for kbuild: '$keys'"; fi

# check_sweep FILE: its kbuild length is its warm-up plus one period.
check_sweep() {
  local warmup len
  warmup=$(sed -n 's/^sim\.warmup_instructions *= *\([0-9]*\).*/\1/p' "$1")
  len=$(grep '^workloads' "$1" | sed -n 's/.*kbuild instructions=\([0-9]*\).*/\1/p')
  [ -n "$warmup" ] && [ -n "$len" ] && [ "$len" -eq $((warmup + burst + life)) ]
}

for f in "$SRC"/configs/sweeps/seed003_{kvm,palacios}_{simics,real}.ini; do
  if check_sweep "$f"; then ok; else
    bad "$f: kbuild's instructions= is not sim.warmup_instructions + make_burst ($burst) + life ($life)"; fi
done

rates=$SRC/scripts/figures/seed003_rates.sh
warmup=$(sed -n 's/^WARMUP=\([0-9]*\)$/\1/p' "$rates")
len=$(sed -n 's/^KBUILD_LEN=instructions=\([0-9]*\)$/\1/p' "$rates")
if [ -n "$warmup" ] && [ -n "$len" ] && [ "$len" -eq $((warmup + burst + life)) ]; then ok; else
  bad "$rates: KBUILD_LEN is not WARMUP + make_burst ($burst) + life ($life)"; fi

# Seeded fault: one instruction more must be caught.
sed 's/kbuild instructions=\([0-9]*\)/kbuild instructions=\19/' "$SRC/configs/sweeps/seed003_kvm_simics.ini" >"$T/fault.ini"
if check_sweep "$T/fault.ini"; then bad "the seeded fault (a longer kbuild window) was not caught"; else ok; fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
