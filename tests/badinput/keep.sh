#!/usr/bin/env bash
# badinput/keep.sh: a run that fails on bad input never touches a result an
# earlier run wrote.  Every writer (run --json/--csv, trace info --json, trace
# convert, ckpt --json, share --json, place --json, sweep --out) first writes
# a good result, then is given a cut .vmt (the same trace, its last 40 bytes
# gone: the record stream ends early), must exit 1 naming the trace, and the
# good result must be byte-for-byte what it was.  (cli.sh covers output paths
# that are themselves bad; this covers bad inputs behind good output paths.)
# usage: keep.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

"$VMEMSIM" gen ds structure=avl op=insert opt=1 ops=200 -o "$T/good.vmt" 2>/dev/null
size=$(stat -c %s "$T/good.vmt")
head -c $((size - 40)) "$T/good.vmt" >"$T/cut.vmt"
"$VMEMSIM" gen vpr refs=3000 -o "$T/instr.vmt" 2>/dev/null # place's bridge needs instructions; the ds trace has none
size=$(stat -c %s "$T/instr.vmt")
head -c $((size - 40)) "$T/instr.vmt" >"$T/cut-instr.vmt"
head -c 65536 /dev/zero >"$T/img.raw"
printf '[sweep]\ntraces = %s\n[params]\nmachine.mode = native, nested\n' "$T/good.vmt" >"$T/good.ini"
printf '[sweep]\ntraces = %s\n[params]\nmachine.mode = native, nested\n' "$T/cut.vmt" >"$T/cut.ini"

# kept OUT GOOD-CMD BAD-CMD: GOOD-CMD writes OUT; BAD-CMD (the cut trace) fails naming it and leaves OUT as it was.
# Commands are strings with @IN@ for the trace (or sweep file) and @OUT@ for the result.
kept() {
  local out=$T/$1 good=$2 badc=$3
  rm -f "$out"
  eval "${good//@OUT@/\"$out\"}" >/dev/null 2>"$T/gerr" || { bad "good run failed: $good: $(head -2 "$T/gerr")"; return; }
  [ -s "$out" ] || { bad "good run wrote no $1: $good"; return; }
  cp "$out" "$T/keep"
  badc=${badc//@OUT@/\"$out\"}
  expect 1 "cut(-instr)?\.vmt" -- bash -c "$badc"
  cmp -s "$out" "$T/keep" && ok || bad "a failed run changed $1: $badc"
  [ -z "$(ls -A "$T" "$(dirname "$out")" | grep vmemsim-tmp)" ] && ok || bad "a failed run left a temporary: $badc"
}
V=\"$VMEMSIM\"
kept r.json "$V run -q \"$T/good.vmt\" --json @OUT@" "$V run -q \"$T/cut.vmt\" --json @OUT@"
kept r.csv "$V run -q \"$T/good.vmt\" --csv @OUT@" "$V run -q \"$T/cut.vmt\" --csv @OUT@"
kept i.json "$V trace info \"$T/good.vmt\" --json @OUT@" "$V trace info \"$T/cut.vmt\" --json @OUT@"
kept c.vmt "$V trace convert \"$T/good.vmt\" @OUT@" "$V trace convert \"$T/cut.vmt\" @OUT@"
kept c.champsim "$V trace convert \"$T/good.vmt\" @OUT@" "$V trace convert \"$T/cut.vmt\" @OUT@"
kept k.json "$V ckpt -q \"$T/good.vmt\" --json @OUT@" "$V ckpt -q \"$T/cut.vmt\" --json @OUT@"
kept s.json "$V share -q raw:0:\"$T/img.raw\" --cow-trace \"$T/good.vmt\" --json @OUT@" \
            "$V share -q raw:0:\"$T/img.raw\" --cow-trace \"$T/cut.vmt\" --json @OUT@"
kept p.json "$V place -q --synthetic azure --vms 20 --translation \"$T/instr.vmt\" --json @OUT@" \
            "$V place -q --synthetic azure --vms 20 --translation \"$T/cut-instr.vmt\" --json @OUT@"
kept w.csv "$V sweep -q \"$T/good.ini\" --out @OUT@" "$V sweep -q \"$T/cut.ini\" --force --out @OUT@"
# seeded fault: a bad command that does overwrite must be caught
fails0=$fails
kept f.json "$V run -q \"$T/good.vmt\" --json @OUT@" "echo cut.vmt >&2; echo x >@OUT@; exit 1" >/dev/null
[ "$fails" -gt "$fails0" ] && { fails=$fails0; ok; } || bad "the check missed an overwritten result"

echo "badinput/keep: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
