#!/usr/bin/env bash
# CLI tests of `vmemsim run` and `vmemsim trace`: exit codes, error messages
# that name the file and what was expected, JSON/CSV keys, determinism, and
# golden outputs (tests/golden/, names say what they pin).
# usage: cli_run.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

S=$SRC/traces/samples
CFG=$SRC/configs/skylake.ini

# A run with JSON and CSV.
expect 0 "" -- "$VMEMSIM" run -q -c "$CFG" "$S/gzip.lackey.gz" --json "$T/a.json" --csv "$T/a.csv"
for key in '"refs"' '"instructions"' '"walks"' '"walk_refs"' '"walk_hist"' '"cycles"' '"total"' '"tlb"' \
           '"pwc"' '"config"' '"trace"' '"digest"' '"records"' '"exits"' '"machine.mode"'; do
  grep -q "$key" "$T/a.json" && ok || bad "JSON lacks $key"
done
# One trace: a header, the totals, its VM and its process (tests/cli_csv_blocks.sh checks the sums).
[ "$(cut -d, -f1 "$T/a.csv" | tr '\n' ' ')" = "scope total vm process " ] && ok || bad "CSV rows are not scope, total, vm, process"
fields() { sed 's/"[^"]*"/q/g' | tr ',' '\n' | wc -l; } # quoted fields may hold commas
h=$(head -1 "$T/a.csv" | fields)
while read -r line; do
  r=$(echo "$line" | fields)
  [ "$h" -eq "$r" ] && ok || bad "CSV header has $h fields, a row $r"
done < <(tail -n +2 "$T/a.csv")
head -1 "$T/a.csv" | tr ',' '\n' | grep -qx 'cycles.total' && ok || bad "CSV lacks cycles.total"

# Determinism: the same inputs give the same bytes.
"$VMEMSIM" run -q -c "$CFG" "$S/gzip.lackey.gz" --json "$T/b.json"
cmp -s "$T/a.json" "$T/b.json" && ok || bad "two identical runs differ"

# Golden summary: native Skylake on the gzip sample.
(cd "$SRC" && "$VMEMSIM" run -c configs/skylake.ini traces/samples/gzip.lackey.gz) >"$T/summary.txt" 2>/dev/null
if diff -u "$SRC/tests/golden/run_native_skylake_gzip_summary.txt" "$T/summary.txt"; then ok; else
  bad "summary differs from tests/golden/run_native_skylake_gzip_summary.txt"; fi

# Several traces: processes of one VM, switched every quantum.
expect 0 "" -- "$VMEMSIM" run -q -c "$CFG" -o sched.quantum=20000 "$S/gzip.lackey.gz" "$S/sort.lackey.gz" --json "$T/m.json"
grep -q '"cr3_writes": [1-9]' "$T/m.json" && ok || bad "two traces produced no CR3 writes"

# Interval statistics.
expect 0 "" -- "$VMEMSIM" run -q -c "$CFG" -o stats.interval=100000 "$S/awk.lackey.gz" --json "$T/i.json"
grep -q '"intervals": \[' "$T/i.json" && ok || bad "no intervals"

# Bad input: clear errors, non-zero exits.
expect 1 "nonexistent.vmt" -- "$VMEMSIM" run -q "$T/nonexistent.vmt"
printf '[machine]\nmoed = native\n' >"$T/bad.ini"
expect 1 "bad.ini.*\[machine\] moed.*unknown key" -- "$VMEMSIM" run -q -c "$T/bad.ini" "$S/gzip.lackey.gz"
printf '[tlb.x]\nentries = 1536\nways = 7\n' >"$T/ways.ini"
expect 1 "ways.ini.*multiple of ways" -- "$VMEMSIM" run -q -c "$T/ways.ini" "$S/gzip.lackey.gz"
expect 1 "tlb.stlb.entries=abc" -- "$VMEMSIM" run -q -o tlb.stlb.entries=abc "$S/gzip.lackey.gz"
expect 2 "section.key=value" -- "$VMEMSIM" run -q -o nonsense "$S/gzip.lackey.gz"
expect 2 "no trace" -- "$VMEMSIM" run -q
head -c 100000 "$S/gzip.lackey.gz" >"$T/cut.lackey.gz"
expect 1 "cut.lackey.gz" -- "$VMEMSIM" run -q "$T/cut.lackey.gz"
head -c 5000 /dev/urandom >"$T/garbage.bin"
expect 1 "garbage.bin" -- "$VMEMSIM" run -q "$T/garbage.bin"
printf 'I  0040100a,3\n L 7ff0001000,8\n S 7ff0001008,zz\n' >"$T/badline.lackey"
expect 1 "badline.lackey.*line 3" -- "$VMEMSIM" run -q "$T/badline.lackey"

# trace convert / info / head.
expect 0 "" -- "$VMEMSIM" trace convert "$S/sort.lackey.gz" "$T/sort.vmt"
"$VMEMSIM" run -q -c "$CFG" "$S/sort.lackey.gz" --json "$T/s1.json"
"$VMEMSIM" run -q -c "$CFG" "$T/sort.vmt" --json "$T/s2.json"
grep -v '"file"\|"format"' "$T/s1.json" >"$T/s1.cut"; grep -v '"file"\|"format"' "$T/s2.json" >"$T/s2.cut"
cmp -s "$T/s1.cut" "$T/s2.cut" && ok || bad "lackey and its .vmt conversion give different results"
expect 0 "" -- "$VMEMSIM" trace info "$T/sort.vmt" --json -
grep -q '"distinct_pages_4k"' "$T/out" && ok || bad "trace info --json lacks distinct_pages_4k"
(cd "$SRC" && "$VMEMSIM" trace info traces/samples/awk.lackey.gz) >"$T/info.txt"
if diff -u "$SRC/tests/golden/trace_info_awk_sample.txt" "$T/info.txt"; then ok; else
  bad "trace info differs from tests/golden/trace_info_awk_sample.txt"; fi
expect 0 "" -- "$VMEMSIM" trace head "$T/sort.vmt" -n 5
[ "$(wc -l <"$T/out")" -eq 5 ] && ok || bad "trace head -n 5 printed $(wc -l <"$T/out") lines"
expect 0 "" -- "$VMEMSIM" trace convert "$S/awk.lackey.gz" "$T/awk.champsim" --format champsim
expect 0 "" -- "$VMEMSIM" trace info "$T/awk.champsim"

# --vs-native: the overhead in the text summary as in the JSON; the region
# options set the sim.* keys (the baseline runs the same region).
"$VMEMSIM" run -c "$CFG" -o machine.mode=nested --vs-native --warmup-instructions 100000 --max-instructions 200000 \
  "$S/gzip.lackey.gz" --json "$T/vn.json" 2>/dev/null >"$T/vn.txt"
grep -q '^  vs native     overhead [+-]' "$T/vn.txt" && ok || bad "summary lacks the vs-native overhead"
grep -q '"overhead"' "$T/vn.json" && ok || bad "JSON lacks vs_native.overhead"
grep -q '"sim.warmup_instructions": "100000"' "$T/vn.json" && ok || bad "--warmup-instructions did not set the key"
grep -q '"measured_instructions": 200000' "$T/vn.json" && ok || bad "--max-instructions did not stop the run"
grep -q '^  region ' "$T/vn.txt" && ok || bad "summary lacks the region line"

# .vmt files written by earlier builds (the fuzz corpus, CRC-32 by zlib's
# crc32) still read: the reader's CRC stays zlib's whatever computes it.
for f in "$SRC"/fuzz/corpus/vmt/*.vmt; do expect 0 "" -- "$VMEMSIM" trace info "$f"; done

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
