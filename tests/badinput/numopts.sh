#!/usr/bin/env bash
# badinput/numopts.sh: every numeric command-line option of every subcommand
# takes what a config key takes (sim/cli/main.c, numeric_options_ok): a
# decimal integer >= 0 without a leading 0 or 0x, or a finite decimal number.
# GOption alone read integers with strtol's base 0 and doubles with strtod,
# leaving the ranges to each command: `place --vms=010` placed 8 VMs,
# `--servers=0x10` built 16 servers, and `sweep --point=-1` ran the whole
# sweep (-1 is "no point given"), each with exit 0.  Each bad value must
# exit 2 naming the option, before any file is read (the inputs here need
# not exist); a good value in each form still parses.
# usage: numopts.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect
M=$T/missing

INTS=(010 0x10 -1 abc '' 1.5 99999999999999999999999 '5 ' ' 5' $'\r5' $'5\v')
DOUBLES=(nan inf -inf 1e999 0x1p3 abc '' '1 ' $'\r1' $'\f1')

# cmd OPTION ARGS...: each bad value of OPTION (long form --OPTION=V) with the
# ARGS of its subcommand, and the next-argument form for the first.
cmd() {
  local opt=$1 kind=$2
  shift 2
  local -n vals=$kind
  for v in "${vals[@]}"; do
    expect 2 "--$opt = '$v': expected a" -- "$VMEMSIM" "$@" "--$opt=$v"
  done
  expect 2 "--$opt = '${vals[0]}': expected a" -- "$VMEMSIM" "$@" "--$opt" "${vals[0]}"
}

cmd seed INTS gen worst refs=100 -o "$T/g.vmt"
for o in servers vms seed; do cmd $o INTS place --synthetic=azure; done
cmd ips DOUBLES place --synthetic=azure --translation="$M"
for o in pages-to-scan sleep-millisecs max-page-sharing scans index-entries seed; do cmd $o INTS share "$M"; done
for o in period scan-rate sample; do cmd $o DOUBLES share "$M"; done
for o in jobs per-pass point; do cmd $o INTS sweep "$M"; done
cmd warmup-instructions INTS trace info "$M"
cmd lines INTS trace head "$M"
cmd opt DOUBLES ckpt "$M"
# the short forms
expect 2 "--lines = '03'" -- "$VMEMSIM" trace head "$M" -n 03
expect 2 "--jobs = '-2'" -- "$VMEMSIM" sweep "$M" -j -2

# good values still parse, in each form
"$VMEMSIM" place --synthetic=azure --vms=40 --servers 20 --seed 0 -q --json "$T/p.json" &&
  grep -q 'synthetic:azure:vms=40:seed=0' "$T/p.json" && ok || bad "place --vms=40 --servers 20 --seed 0 did not place 40 VMs"
expect 1 "missing" -- "$VMEMSIM" trace head "$M" -n 3
expect 1 "missing" -- "$VMEMSIM" ckpt "$M" --opt=2.5e0

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
