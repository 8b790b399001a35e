#!/usr/bin/env bash
# badinput/cli.sh: the command-line half of issue 12's battery -- config and
# override mistakes, result files that must never be clobbered or half
# written, sweep resumes that must not mix setups, and the one --json/--csv
# convention.  Every bad input must exit 1 (bad input) or 2 (usage) with a
# message naming the file (and line where there is one) -- never a signal,
# never 0.  (tests/badinput/input.sh covers the trace and snapshot readers.)
# usage: cli.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect
S=$SRC/traces/samples/gzip.lackey.gz
CAL=$SRC/configs/ckpt/xen2011.ini
check() { if eval "$1"; then ok; else bad "$2"; fi; }

# ---- config and overrides ----
expect 1 "-o tlb.typo.entries=4: \[tlb.typo\]: no such TLB.*tlb.typo.add=true" -- "$VMEMSIM" run -q -o tlb.typo.entries=4 "$S"
expect 1 "\[tlb.sltb\]: no such TLB" -- "$VMEMSIM" run -q -o tlb.sltb.entries=1536 "$S"
expect 1 "\[cache.l4\]: no such cache" -- "$VMEMSIM" run -q -o cache.l4.size=64m "$S"
expect 1 "vmexit = '01500'.*decimal" -- "$VMEMSIM" run -q -o cost.vmexit=01500 "$S"
expect 1 "entries = '0100'" -- "$VMEMSIM" run -q -o tlb.stlb.entries=0100 "$S"
expect 1 "vmexit = '0x10'" -- "$VMEMSIM" run -q -o cost.vmexit=0x10 "$S"
expect 2 "-o machine.mode=nested and -o machine.mode=shadow" -- "$VMEMSIM" run -q -o machine.mode=nested -o machine.mode=shadow "$S"
expect 1 "already in the configuration" -- "$VMEMSIM" run -q -o tlb.stlb.add=true "$S"
# order never matters: both orders run, and give the same bytes
expect 0 "" -- "$VMEMSIM" run -q -o tlb.stlb.entries=2048 -o tlb.stlb.ways=16 "$S" --json "$T/o1.json"
expect 0 "" -- "$VMEMSIM" run -q -o tlb.stlb.ways=16 -o tlb.stlb.entries=2048 "$S" --json "$T/o2.json"
check 'cmp -s "$T/o1.json" "$T/o2.json"' "override order changed the result"
expect 0 "" -- "$VMEMSIM" run -q -o tlb.x.entries=8 -o tlb.x.ways=8 -o tlb.x.add=true "$S" --json "$T/add.json"
check 'grep -q "\"tlb.x.entries\": \"8\"" "$T/add.json"' "-o tlb.x.add=true did not add the TLB"
printf '[machine]\nmode = nat\0ive\n' >"$T/nul.ini"
expect 1 "nul.ini:2: a NUL byte" -- "$VMEMSIM" run -q -c "$T/nul.ini" "$S"
printf '[machine]\nmode = native\n\n[cost]\nvmexit = 1\nvmexit = 2\n' >"$T/dup.ini"
expect 1 "dup.ini:6: \[cost\] vmexit is set again \(first at line 5\)" -- "$VMEMSIM" run -q -c "$T/dup.ini" "$S"
# a section given twice (two files pasted together) is refused, not merged, even when no key repeats
printf '[machine]\nmode = native\n\n[cost]\nvmexit = 1\n[machine]\nmode = nested\n' >"$T/dup.ini"
expect 1 "dup.ini:6: \[machine\] appears again \(first at line 1\)" -- "$VMEMSIM" run -q -c "$T/dup.ini" "$S"
printf '[tlb.l1d]\nentries = 64\n[cost]\nvmexit = 1\n[tlb.l1d]\nways = 4\n' >"$T/dup.ini"
expect 1 "dup.ini:5: \[tlb.l1d\] appears again \(first at line 1\)" -- "$VMEMSIM" run -q -c "$T/dup.ini" "$S"
# a config cut to nothing (or comments only) would run as the built-in defaults
: >"$T/nothing.ini"
expect 1 "nothing.ini: holds no section and no key" -- "$VMEMSIM" run -q -c "$T/nothing.ini" "$S"
printf '# [machine]\n\n' >"$T/nothing.ini"
expect 1 "nothing.ini: holds no section and no key" -- "$VMEMSIM" sweep -q "$T/nothing.ini" --out "$T/nothing.csv"
# a datacenter whose [host] reserved leaves a generation no memory: named at load, with the file
printf '[host]\nreserved = 1t\n' >"$T/dc.ini"
expect 1 "dc.ini: \[host\] reserved = 1073741824 KiB leaves no memory for VMs on generation gen3" -- \
  "$VMEMSIM" place -q --synthetic azure --vms 10 --datacenter "$T/dc.ini"

# ---- result files: checked before the run, replaced whole or not at all ----
cp "$S" "$T/in.lackey.gz"
cp "$T/in.lackey.gz" "$T/in.keep"
expect 2 "--json .*in.lackey.gz: is also an input" -- "$VMEMSIM" run -q "$T/in.lackey.gz" --json "$T/in.lackey.gz"
check 'cmp -s "$T/in.lackey.gz" "$T/in.keep"' "the input trace was overwritten"
expect 2 "--json .*x and --csv .*x name the same file" -- "$VMEMSIM" run -q "$S" --json "$T/x" --csv "$T/x"
expect 2 "name the same stdout" -- "$VMEMSIM" run -q "$S" --json - --csv -
mkfifo "$T/fifo"
expect 2 "fifo: is a FIFO" -- "$VMEMSIM" run -q "$S" --json "$T/fifo"
ln -s "$T/target.json" "$T/link.json"
expect 2 "link.json: is a symbolic link" -- "$VMEMSIM" run -q "$S" --csv "$T/link.json"
check '[ ! -e "$T/target.json" ]' "a result went through a symlink"
expect 2 "/dev/full: is a device" -- "$VMEMSIM" run -q "$S" --json /dev/full
expect 2 "is a directory" -- "$VMEMSIM" run -q "$S" --json "$T"
expect 1 "/no/such/dir does not exist \(it is not created\)" -- "$VMEMSIM" run "$S" --csv /no/such/dir/o.csv
check '[ ! -s "$T/out" ]' "the run simulated (printed a summary) before finding its output unwritable"
printf 'I  0040100a,3\n' >"$T/not.json"
expect 2 "not.json: the file exists and is not a JSON result" -- "$VMEMSIM" run -q "$S" --json "$T/not.json"
# A write failure (file-size limit) keeps the old result and leaves no temporary.
expect 0 "" -- "$VMEMSIM" run -q "$S" --json "$T/old.json"
cp "$T/old.json" "$T/old.keep"
expect 1 "old.json: write failed: File too large" -- bash -c "ulimit -f 4; exec \"\$0\" run -q \"$S\" --json \"$T/old.json\"" "$VMEMSIM"
check 'cmp -s "$T/old.json" "$T/old.keep"' "a failed write damaged the old result"
check '[ -z "$(ls -A "$T" | grep vmemsim-tmp)" ]' "a failed write left a temporary file"
# ... and gen and trace convert, whose trace writers work on a temporary: the error names the file given
expect 0 "" -- "$VMEMSIM" gen worst refs=1000 -o "$T/keep.vmt"
cp "$T/keep.vmt" "$T/keep.orig"
expect 1 "^vmemsim: $T/keep.vmt: write failed: File too large \(the previous file, if any, is kept\)$" -- bash -c "ulimit -f 4; exec \"\$0\" gen worst refs=200000 -o \"$T/keep.vmt\"" "$VMEMSIM"
expect 1 "^vmemsim: $T/keep.vmt: write failed: File too large \(the previous file, if any, is kept\)$" -- bash -c "ulimit -f 4; exec \"\$0\" trace convert \"$S\" \"$T/keep.vmt\"" "$VMEMSIM"
check 'cmp -s "$T/keep.vmt" "$T/keep.orig"' "a failed gen or convert damaged the old trace"
check '[ -z "$(ls -A "$T" | grep vmemsim-tmp)" ]' "a failed gen or convert left a temporary file"
# every writer: gen, trace convert, ckpt, place, share, trace info
expect 2 "-o .*fifo: is a FIFO" -- "$VMEMSIM" gen worst refs=1000 -o "$T/fifo"
expect 2 "-o .*link.json: is a symbolic link" -- "$VMEMSIM" gen worst refs=1000 -o "$T/link.json"
expect 0 "" -- "$VMEMSIM" gen worst refs=1000 -o "$T/w.vmt"
expect 2 "OUT .*w.vmt: is also an input" -- "$VMEMSIM" trace convert "$T/w.vmt" "$T/w.vmt"
expect 2 "fifo: is a FIFO" -- "$VMEMSIM" trace convert "$T/w.vmt" "$T/fifo"
expect 1 "does not exist" -- "$VMEMSIM" trace convert "$T/w.vmt" /no/such/dir/w.vmt
expect 2 "fifo: is a FIFO" -- "$VMEMSIM" trace info "$T/w.vmt" --json "$T/fifo"
expect 2 "fifo: is a FIFO" -- "$VMEMSIM" ckpt --calib "$CAL" "$T/w.vmt" --json "$T/fifo"
expect 2 "w.vmt: is also an input" -- "$VMEMSIM" ckpt --calib "$CAL" "$T/w.vmt" --json "$T/w.vmt"
expect 2 "fifo: is a FIFO" -- "$VMEMSIM" place -q --synthetic azure --vms 10 --json "$T/fifo"
head -c 65536 /dev/zero >"$T/img.raw"
expect 2 "fifo: is a FIFO" -- "$VMEMSIM" share "raw:0:$T/img.raw" --json "$T/fifo"
# the old flag form `share --json SNAPSHOT` must not replace the snapshot
cp "$T/img.raw" "$T/img.keep"
expect 2 "img.raw: the file exists and is not a JSON result" -- "$VMEMSIM" share --json "$T/img.raw" "raw:0:$T/img.keep"
check 'cmp -s "$T/img.raw" "$T/img.keep"' "share --json replaced a snapshot"

# text on stdout is output too: a full disk or a closed stdout is an error, not rc 0
expect 1 "stdout: write failed: No space left on device" -- bash -c 'exec "$0" run "$1" >/dev/full' "$VMEMSIM" "$S"
expect 1 "stdout: write failed: Bad file descriptor" -- bash -c 'exec "$0" trace info "$1" >&-' "$VMEMSIM" "$S"
expect 1 "stdout: write failed" -- bash -c 'exec "$0" trace head -n 5000 "$1" >/dev/full' "$VMEMSIM" "$S"
expect 1 "stdout: write failed" -- bash -c 'exec "$0" run --help-config >/dev/full' "$VMEMSIM"
expect 1 "stdout: write failed" -- bash -c 'exec "$0" share --help >/dev/full' "$VMEMSIM"
# --csv - names stdout, once, and promises no kept file
expect 1 "^vmemsim: stdout: write failed: No space left on device$" -- bash -c 'exec "$0" run -q "$1" --csv - >/dev/full' "$VMEMSIM" "$S"
check '[ "$(wc -l <"$T/err")" -eq 1 ]' "a failed --csv - reported more than once: $(cat "$T/err")"
# trace convert: an OUT without a format suffix is named as given, never as its temporary
expect 2 "OUT .*w.bogus: its name ends in no suffix of vmt champsim; give --format" -- "$VMEMSIM" trace convert "$T/w.vmt" "$T/w.bogus"
check '! grep -q vmemsim-tmp "$T/err"' "trace convert named its temporary file"
"$VMEMSIM" gen ds structure=avl op=insert opt=1 ops=50 -o "$T/cda.vmt" 2>/dev/null
expect 0 "warning: .*/cda.champsim: [0-9]+ records have no champsim form" -- "$VMEMSIM" trace convert "$T/cda.vmt" "$T/cda.champsim"
check '! grep -q vmemsim-tmp "$T/err"' "trace convert's dropped-record warning named its temporary file"
# option values that used to mean "not given": 0, negative, NaN are checked like any other
# (a sign or a non-finite number by the command line's numeric rule, badinput/numopts.sh)
for o in "--pages-to-scan -1" "--sleep-millisecs -5" "--scans -1" "--index-entries 0" "--period -1" "--period nan" \
         "--scan-rate -1" "--scan-rate inf" "--sample 0" "--sample -1" "--sample nan" "--seed -3"; do
  expect 2 "${o%% *}.*(must be|expected a)" -- "$VMEMSIM" share -q $o "raw:0:$T/img.raw"
done
expect 2 "--cow-vm 1: given without --cow-trace" -- "$VMEMSIM" share -q --cow-vm 1 "raw:0:$T/img.raw"
for v in -1 4294967296 x; do
  expect 2 "--cow-vm $v: expected a VM index" -- "$VMEMSIM" share -q --cow-trace "$T/w.vmt" --cow-vm "$v" "raw:0:$T/img.raw"
done
expect 2 "--servers 0: expected 1 to 1000000" -- "$VMEMSIM" place -q --synthetic azure --vms 10 --servers 0
for g in worst vpr; do
  expect 2 "gen $g: refs=0: expected .* in \[1, " -- "$VMEMSIM" gen $g refs=0 -o "$T/g0.vmt"
  expect 2 "gen $g: instructions=0: expected .* in \[1, " -- "$VMEMSIM" gen $g instructions=0 -o "$T/g0.vmt"
done
check '[ ! -e "$T/g0.vmt" ]' "a refused gen left its output"

# ---- one convention: --json -, -c, --version ----
"$VMEMSIM" run "$S" --json - 2>/dev/null | python3 -c 'import json,sys; json.load(sys.stdin)' && ok || bad "run --json - mixes text into stdout"
"$VMEMSIM" run "$S" --csv - 2>/dev/null >"$T/one.csv"; check '[ "$(cut -d, -f1 "$T/one.csv" | tr "\n" " ")" = "scope total vm process " ]' "run --csv - is not header + totals, VM and process rows"
"$VMEMSIM" share "raw:0:$T/img.raw" --json - 2>/dev/null | python3 -c 'import json,sys; json.load(sys.stdin)' && ok || bad "share --json - is not JSON on stdout"
"$VMEMSIM" place --synthetic azure --vms 50 --json - 2>/dev/null | python3 -c 'import json,sys; json.load(sys.stdin)' && ok || bad "place --json - is not JSON on stdout"
"$VMEMSIM" gen ds structure=avl op=insert opt=1 ops=200 -o "$T/avl.vmt" 2>/dev/null
"$VMEMSIM" ckpt "$T/avl.vmt" --json - 2>"$T/err" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["build"]' && ok || bad "ckpt --json - without --calib"
check 'grep -q "calibration .*configs/ckpt/xen2011.ini (the default" "$T/err"' "ckpt does not name its default calibration"
expect 0 "deprecated.*--calib" -- "$VMEMSIM" ckpt -q -c "$CAL" "$T/avl.vmt"
expect 0 "deprecated.*--mode" -- "$VMEMSIM" share -q -m nested "raw:0:$T/img.raw"
expect 0 "deprecated.*-c FILE" -- "$VMEMSIM" place -q --synthetic azure --vms 10 -m "$SRC/configs/skylake.ini"
expect 0 "deprecated.*--datacenter" -- "$VMEMSIM" place -q --synthetic azure --vms 10 -c "$SRC/configs/datacenter/azure.ini"
expect 1 "skylake.ini.*\[datacenter\]|skylake.ini" -- "$VMEMSIM" place -q --synthetic azure --vms 10 --datacenter "$SRC/configs/skylake.ini"
"$VMEMSIM" --version >"$T/v" && grep -qE '^vmemsim [0-9]+\.[0-9]+\.[0-9]+ \(build ([0-9a-f]{12}(-dirty)?|unknown)\)$' "$T/v" && ok || bad "--version: $(cat "$T/v")"
build=$(sed 's/.*(build \(.*\))/\1/' "$T/v")
check 'grep -q "\"build\": \"$build\"" "$T/o1.json"' "run JSON lacks the build"
check 'head -1 "$T/one.csv" | tr , "\n" | grep -qx build' "run CSV lacks the build"
"$VMEMSIM" gen worst refs=1000 -o - >"$T/stdout.vmt" && "$VMEMSIM" trace info "$T/stdout.vmt" >/dev/null && ok || bad "gen -o - did not write a trace to stdout"
check '[ ! -e ./- ]' "gen -o - made a file named -"
expect 0 "wrote .*w2.vmt \([0-9]+ bytes\) from" -- "$VMEMSIM" trace convert "$T/w.vmt" "$T/w2.vmt"
expect 0 "" -- "$VMEMSIM" run -c "$SRC/configs/skylake.ini" -o sched.quantum=5000 "$S"
check 'grep -q "^config: .*skylake.ini -o sched.quantum=5000" "$T/out"' "the summary does not name its config"
"$VMEMSIM" run --help-config >"$T/help"
# every key row of a [section]: the meaning starts in one column (after key, default, type) and is never empty
awk '/^\[/ { insec = 1; next } /^$/ { insec = 0 }
     insec && /^  [a-z]/ { if (substr($0, 63, 1) == " " && substr($0, 64, 1) != " " && length($0) >= 64) next; pending = 1; next }
     pending { pending = 0; if (!(substr($0, 1, 63) ~ /^ +$/ && substr($0, 64, 1) != " ")) bad++ }
     END { exit bad > 0 || pending }' "$T/help" && ok || bad "--help-config columns are not aligned or a key lacks a meaning"
check 'grep -qE "^  pml4_ways +4 +a decimal integer +associativity" "$T/help"' "--help-config: pml4_ways has no description"

# ---- sweeps ----
TR=$T/traces
cat >"$T/s.ini" <<EOF2
[sweep]
base = $SRC/configs/skylake.ini
workloads = vpr refs=3000
seed = 1
[params]
machine.mode = native, nested
EOF2
printf '[sweep]\ntraces = a.vmt\n[params]\ntlb.sltb.entries = 1536\n' >"$T/typo.ini"
expect 1 "typo.ini: \[params\].*tlb.sltb.add=true" -- "$VMEMSIM" sweep "$T/typo.ini" --out "$T/typo.csv"
for vals in 'native,,nested' 'native, nested,' ', native'; do
  printf '[sweep]\ntraces = a.vmt\n[params]\nmachine.mode = %s\n' "$vals" >"$T/sempty.ini"
  expect 1 "sempty.ini: \[params\] machine.mode: expected a list of values v1, v2, ... \(one is empty\)" -- "$VMEMSIM" sweep "$T/sempty.ini" --out "$T/sempty.csv"
done
printf '[sweep]\ntraces = a.vmt\ntraces = b.vmt\n' >"$T/sdup.ini"
expect 1 "sdup.ini:3: \[sweep\] traces is set again" -- "$VMEMSIM" sweep "$T/sdup.ini" --out "$T/sdup.csv"
printf '[sweep]\ntraces = a.vmt\n[params]\nmachine.mode = native\n[params]\nmachine.mode = nested\n' >"$T/sdup.ini"
expect 1 "sdup.ini:5: \[params\] appears again \(first at line 3\)" -- "$VMEMSIM" sweep "$T/sdup.ini" --out "$T/sdup.csv"
# a base that is no config: the error names the sweep file first
printf '[sweep]\nbase = %s\ntraces = a.vmt\n' "$S" >"$T/sbase.ini"
expect 1 "sbase.ini: \[sweep\] base: .*gzip.lackey.gz" -- "$VMEMSIM" sweep "$T/sbase.ini" --out "$T/sbase.csv"
printf '[sweep]\ntraces = a\0.vmt\n' >"$T/snul.ini"
expect 1 "snul.ini:2: a NUL byte" -- "$VMEMSIM" sweep "$T/snul.ini" --out "$T/snul.csv"
printf '[sweep]\nworkloads = worst refs=1099511627776\n' >"$T/huge.ini"
expect 1 "huge.ini: \[sweep\] workload 'worst refs=1099511627776'.*limit of 1073741824" -- "$VMEMSIM" sweep "$T/huge.ini" --out "$T/huge.csv"
expect 1 "/no/such/dir does not exist" -- "$VMEMSIM" sweep "$T/s.ini" --out /no/such/dir/o.csv
check '[ ! -e /no/such ]' "sweep --out created directories"
expect 0 "" -- "$VMEMSIM" sweep -q "$T/s.ini" --trace-dir "$TR" --out "$T/s.csv"
check 'head -1 "$T/s.csv" | grep -q "^trace,machine.mode,fingerprint,"' "sweep CSV lacks the fingerprint column"
expect 2 "exists: pass --resume" -- "$VMEMSIM" sweep -q "$T/s.ini" --trace-dir "$TR" --out "$T/s.csv"
# another seed (or base config, sweep file, build): --resume refuses, --force keeps the rows
sed 's/^seed = 1/seed = 2/' "$T/s.ini" >"$T/s2.ini"
expect 1 "s.csv: line 2: made with fingerprint [0-9a-f]+, this sweep's is .*--force" -- "$VMEMSIM" sweep -q "$T/s2.ini" --resume --trace-dir "$TR" --out "$T/s.csv"
cp "$T/s.csv" "$T/s.keep"
expect 0 "" -- "$VMEMSIM" sweep -q "$T/s2.ini" --resume --force --trace-dir "$TR" --out "$T/s.csv"
check 'cmp -s "$T/s.csv" "$T/s.keep"' "--resume --force changed the kept rows"
(cat "$T/s.keep"; tail -1 "$T/s.keep") >"$T/twice.csv"
expect 1 "twice.csv: line 4: point 1 .* is repeated \(first at line 3\)" -- "$VMEMSIM" sweep -q "$T/s.ini" --resume --trace-dir "$TR" --out "$T/twice.csv"
# killed: SIGTERM during a workload's generation leaves no temporary; a stale one is removed on the next start
cat >"$T/big.ini" <<EOF2
[sweep]
workloads = worst refs=20000000
EOF2
"$VMEMSIM" sweep -q "$T/big.ini" --trace-dir "$T/bigtr" --out "$T/big.csv" &
pid=$!
for i in $(seq 400); do ls -A "$T/bigtr" 2>/dev/null | grep -q vmemsim-tmp && break; sleep 0.02; done
sleep 0.3
kill -TERM "$pid"; wait "$pid"; st=$?
check '[ "$st" -eq 143 ]' "sweep did not die of SIGTERM (status $st)"
check '[ -z "$(ls -A "$T/bigtr" | grep vmemsim-tmp)" ]' "a killed sweep left $(ls -A "$T/bigtr" | tr '\n' ' ')"
stale="$T/.vmemsim-tmp.$(hostname).999999999.0.s3.csv"
touch "$stale" "$TR/.vmemsim-tmp.$(hostname).999999999.1.x.vmt.tmp"
expect 0 "removed 2 temporary file" -- "$VMEMSIM" sweep "$T/s.ini" --trace-dir "$TR" --out "$T/s3.csv"
check '[ ! -e "$stale" ]' "a stale temporary survived the next start"

# ---- traces/capture: a wrapper script is refused ----
mkdir -p "$T/shims"
printf '#!/usr/bin/env bash\nexec python3 "$@"\n' >"$T/shims/python"
chmod +x "$T/shims/python"
expect 1 "is a bash script .*trace the real program" -- env PATH="$T/shims:$PATH" bash "$SRC/traces/capture" -o "$T/c.lackey.gz" -- python -c 1
check '[ ! -e "$T/c.lackey.gz" ]' "capture wrote a trace of a wrapper"

echo "badinput/cli: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
