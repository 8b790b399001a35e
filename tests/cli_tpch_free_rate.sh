#!/usr/bin/env bash
# docs/workloads.md's numbers for `gen tpch free_rate=` cannot go stale: at
# the defaults (seed 1) the first unmap of free_rate=1 comes after the
# instruction and at the record the doc names, and the trace up to that
# record is byte for byte free_rate=0's (the copier starts after the load).
# refs=420000 reaches past the first buffer end; the prefix does not depend
# on refs= (the generator streams).
# usage: cli_tpch_free_rate.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

"$VMEMSIM" gen tpch refs=420000 free_rate=1 --seed 1 -o "$T/f1.vmt" && ok || bad "gen free_rate=1"
"$VMEMSIM" gen tpch refs=420000 --seed 1 -o "$T/f0.vmt" && ok || bad "gen free_rate=0"
read -r instr rec < <("$VMEMSIM" trace head "$T/f1.vmt" -n 2000000 |
  awk '$1 == "ifetch" { i++ } $1 == "unmap" { print i, NR; exit }')
commas() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
said="comes after instruction $(commas "$instr") (record $(commas "$rec"))"
grep -qF "$said" "$SRC/docs/workloads.md" && ok || bad "docs/workloads.md does not say \"$said\""
if cmp -s <("$VMEMSIM" trace head "$T/f0.vmt" -n $((rec - 1))) <("$VMEMSIM" trace head "$T/f1.vmt" -n $((rec - 1))); then
  ok; else bad "free_rate=1 changes the trace before its first unmap (record $rec)"; fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
