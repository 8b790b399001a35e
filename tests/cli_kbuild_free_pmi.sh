#!/usr/bin/env bash
# `gen kbuild free_pmi=R` is a target, not only a key: the trace's unmap
# records, counted by `trace info`, come at R per million compiler
# instructions (the trace's instructions less make's first burst, which
# runs before the first compiler and releases nothing), within 10 % (about
# three standard deviations of the count drawn here), for two access mixes
# (api= moves the chunks the cursor leaves per instruction, which free_pmi=
# is converted through), each unmap free_size= bytes.  profile=estimate
# releases nothing.  A seeded fault (the count checked against another
# rate) proves the check can fail.
# usage: cli_kbuild_free_pmi.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

TOL=0.10 # relative; the count is a sum of Bernoulli draws at the chunk ends
BURST=$("$VMEMSIM" gen --list 2>&1 | awk '/^kbuild/ { getline; print }' |
  sed -n 's/.*measured:[^;]* make_burst=\([0-9]*\).*/\1/p')

# count KEY...: "instructions unmaps" of the trace gen kbuild KEY... writes
count() {
  "$VMEMSIM" gen kbuild --seed 1 "$@" -o "$T/k.vmt" &&
    "$VMEMSIM" trace info "$T/k.vmt" | awk '$1 == "instructions" { i = $2 } $1 == "unmap" { u = $2 }
      END { print i, u + 0 }'
}
# near INSTR UNMAPS PMI: the unmaps are PMI per million compiler instructions
near() { awk -v i="$1" -v u="$2" -v r="$3" -v b="$BURST" -v t="$TOL" \
  'BEGIN { e = r * (i - b) / 1e6; exit !(u >= e * (1 - t) && u <= e * (1 + t)) }'; }

for api in 0.52 0.3; do
  read -r i u < <(count refs=2000000 api=$api free_size=4k free_pmi=200)
  if near "$i" "$u" 200; then ok; else bad "api=$api free_pmi=200: $u unmaps in $i instructions (make's burst $BURST)"; fi
  if near "$i" "$u" 100; then bad "seeded fault: $u unmaps pass as 100 per million"; else ok; fi
done
sizes=$("$VMEMSIM" trace head "$T/k.vmt" -n 4000000 | awk '$1 == "unmap" { print $3 }' | sort -u | tr '\n' ' ')
[ "$sizes" = "4096 " ] && ok || bad "the unmaps of free_size=4k release '$sizes' bytes, not 4096"

read -r i u < <(count refs=2000000 profile=estimate)
[ "$u" = 0 ] && ok || bad "profile=estimate unmaps $u chunks"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
