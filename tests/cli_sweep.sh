#!/usr/bin/env bash
# CLI tests of `vmemsim sweep`: usage and input errors, -j 1 = -j 2 byte for
# byte, --per-pass 1 (a pass per point) = the default = a pass per trace, a 110-point sweep (configs/sweeps/bench100.ini) killed with SIGKILL
# twice mid-way and resumed equals an uninterrupted run (nothing lost, nothing
# duplicated), the GNU parallel path on localhost and the Slurm script (run
# locally, one task per point) collected into the same CSV, and --collect with
# missing parts.
# usage: cli_sweep.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect
same() { # A B what
  if cmp -s "$1" "$2"; then ok; else bad "$3: $1 and $2 differ"; diff <(cut -c1-150 "$1") <(cut -c1-150 "$2") | head -5; fi
}

TR=$T/traces   # one trace directory for every run, so trace.file columns agree
cat >"$T/small.ini" <<EOF
[sweep]
base = $SRC/configs/skylake.ini
workloads = vpr refs=5000; hpcc refs=5000
[params]
machine.mode = native, nested, shadow
pwc.enabled = true, false
tlb.pcid = true, false
zip = pwc.enabled, tlb.pcid
EOF

# Errors: each names the file or option and what was expected.
expect 1 "nope.ini" -- "$VMEMSIM" sweep "$T/nope.ini" --out "$T/x.csv"
printf '[sweep]\ntraces = a.vmt\n[params]\nmachine.mode = native, warp\n' >"$T/badval.ini"
expect 1 "badval.ini: \[params\] the point machine.mode=warp: .*unknown name" -- "$VMEMSIM" sweep "$T/badval.ini" --out "$T/x.csv"
expect 2 "-j N >= 1" -- "$VMEMSIM" sweep "$T/small.ini" -j 0 --out "$T/x.csv"
expect 2 "--point 99: expected 0 to 11" -- "$VMEMSIM" sweep "$T/small.ini" --point 99 --out "$T/x.csv"
expect 2 "expected slurm or parallel" -- "$VMEMSIM" sweep "$T/small.ini" --emit pbs --out "$T/x.csv"
# a missing trace file is refused before any point runs (not hours in), even
# after a trace that is there
"$VMEMSIM" gen worst refs=1000 -o "$T/there.vmt"
printf '[sweep]\ntraces = %s/there.vmt, %s/missing.vmt\n' "$T" "$T" >"$T/missing.ini"
expect 1 "missing\.ini: \[sweep\] trace .*missing\.vmt: No such file" -- "$VMEMSIM" sweep "$T/missing.ini" --out "$T/m.csv"
if [ -e "$T/m.csv" ]; then bad "a sweep with a missing trace ran and wrote m.csv"; else ok; fi

# -j 1 and -j 2: the same bytes; the columns.
expect 0 "" -- "$VMEMSIM" sweep "$T/small.ini" -j 1 --trace-dir "$TR" --out "$T/j1.csv"
expect 0 "" -- "$VMEMSIM" sweep "$T/small.ini" -j 2 --trace-dir "$TR" --out "$T/j2.csv"
same "$T/j1.csv" "$T/j2.csv" "-j 1 vs -j 2"
# Passes: points sharing a trace run as machines of one pass (default 4 per
# pass); a pass per point, as before passes existed, gives the same bytes.
expect 0 "" -- "$VMEMSIM" sweep "$T/small.ini" -j 1 --per-pass 1 --trace-dir "$TR" --out "$T/pp1.csv"
same "$T/j1.csv" "$T/pp1.csv" "--per-pass 1 vs the default"
expect 0 "" -- "$VMEMSIM" sweep "$T/small.ini" -j 2 --per-pass 6 --trace-dir "$TR" --out "$T/pp6.csv"
same "$T/j1.csv" "$T/pp6.csv" "--per-pass 6 (a pass per trace) vs the default"
expect 2 "--per-pass N >= 1" -- "$VMEMSIM" sweep "$T/small.ini" --per-pass 0 --out "$T/x.csv"
[ "$(wc -l <"$T/j2.csv")" -eq 13 ] && ok || bad "small sweep: expected header + 12 rows"
head -1 "$T/j2.csv" | grep -q '^trace,machine.mode,pwc.enabled,tlb.pcid,' && ok || bad "columns do not start with trace and the parameters"
for col in cycles.total walk_refs tlb_misses config.machine.mode; do
  head -1 "$T/j2.csv" | tr ',' '\n' | grep -qx "$col" && ok || bad "CSV lacks column $col"
done
sed -n 5p "$T/j2.csv" | grep -q "^vpr refs=5000,nested,false,false," && ok || bad "point 3 is not (vpr, nested, false, false)"
expect 2 "exists: pass --resume" -- "$VMEMSIM" sweep "$T/small.ini" --trace-dir "$TR" --out "$T/j2.csv"
expect 0 "" -- "$VMEMSIM" sweep "$T/small.ini" --resume --trace-dir "$TR" --out "$T/j2.csv"
same "$T/j1.csv" "$T/j2.csv" "a resume with nothing to do"

# 110 points over two traces, killed twice with SIGKILL and resumed.
B100=$SRC/configs/sweeps/bench100.ini
expect 0 "" -- "$VMEMSIM" sweep "$B100" -j 2 --trace-dir "$TR" --out "$T/ref.csv"
[ "$(wc -l <"$T/ref.csv")" -eq 111 ] && ok || bad "bench100: expected 110 rows"
rows() { if [ -f "$1" ]; then echo $(($(wc -l <"$1") - 1)); else echo 0; fi; }
kill_at() { # ROWS [--resume]: runs until the CSV has ROWS rows, then SIGKILL
  "$VMEMSIM" sweep "$B100" -j 2 --trace-dir "$TR" --out "$T/k.csv" $2 2>/dev/null &
  local pid=$! i
  for i in $(seq 2000); do [ "$(rows "$T/k.csv")" -ge "$1" ] && break; sleep 0.005; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}
kill_at 20 ""
n1=$(rows "$T/k.csv")
kill_at 60 --resume
n2=$(rows "$T/k.csv")
if [ "$n1" -ge 20 ] && [ "$n1" -lt 110 ] && [ "$n2" -ge "$n1" ] && [ "$n2" -lt 110 ]; then ok; else
  bad "kills did not land mid-way ($n1 then $n2 of 110 rows)"; fi
# Killed files are whole: they load as results (a torn row would be an error).
expect 0 "" -- "$VMEMSIM" sweep "$B100" -j 2 --resume --trace-dir "$TR" --out "$T/k.csv"
same "$T/ref.csv" "$T/k.csv" "killed at $n1 and $n2 rows, resumed"
[ -z "$(sort "$T/k.csv" | uniq -d)" ] && ok || bad "duplicated rows after resume"

# GNU parallel on localhost: the job list, run, collected = the direct run.
if command -v parallel >/dev/null; then
  expect 0 "" -- "$VMEMSIM" sweep "$T/small.ini" --emit parallel --trace-dir "$TR" --parts "$T/parts" --out "$T/p.csv"
  cp "$T/out" "$T/jobs.txt"
  [ "$(wc -l <"$T/jobs.txt")" -eq 12 ] && ok || bad "job list: expected 12 lines"
  parallel --will-cite -j 2 <"$T/jobs.txt" && ok || bad "parallel jobs failed"
  expect 0 "" -- "$VMEMSIM" sweep "$T/small.ini" --collect "$T/parts" --out "$T/p.csv"
  same "$T/j1.csv" "$T/p.csv" "GNU parallel + --collect vs -j 2"
else
  echo "SKIP: GNU parallel is not installed (Debian package 'parallel'); its path is untested"
fi

# Slurm: a job-array script over every point; run here as the array would.
expect 0 "" -- "$VMEMSIM" sweep "$T/small.ini" --emit slurm --trace-dir "$TR" --parts "$T/sparts" --out "$T/s.csv"
cp "$T/out" "$T/job.sh"
bash -n "$T/job.sh" && ok || bad "slurm script is not valid bash"
grep -q '^#SBATCH --array=0-11$' "$T/job.sh" && ok || bad "slurm script lacks --array=0-11"
for k in $(seq 0 11); do SLURM_ARRAY_TASK_ID=$k bash "$T/job.sh" || bad "slurm task $k failed"; done
expect 0 "" -- "$VMEMSIM" sweep "$T/small.ini" --collect "$T/sparts" --out "$T/s.csv"
same "$T/j1.csv" "$T/s.csv" "slurm tasks + --collect vs -j 2"

# Missing parts: the merge is written, the status says what is missing, and
# --resume (or --emit with --resume: only the missing jobs) completes it.
rm "$T/sparts/part-3.csv" "$T/sparts/part-7.csv"
rm "$T/s.csv"
expect 1 "2 of 12 points missing \(3, 7\)" -- "$VMEMSIM" sweep "$T/small.ini" --collect "$T/sparts" --out "$T/s.csv"
expect 0 "" -- "$VMEMSIM" sweep "$T/small.ini" --emit parallel --resume --trace-dir "$TR" --parts "$T/sparts" --out "$T/s.csv"
[ "$(grep -c -- '--point' "$T/out")" -eq 2 ] && ok || bad "--emit --resume: expected 2 jobs"
expect 0 "" -- "$VMEMSIM" sweep "$T/small.ini" --resume --trace-dir "$TR" --out "$T/s.csv"
same "$T/j1.csv" "$T/s.csv" "collected with gaps, resumed"
# A part from another sweep is refused, naming the file and line.
cp "$T/ref.csv" "$T/sparts/zz-foreign.csv"
rm "$T/s.csv"
expect 1 "zz-foreign.csv: line 1" -- "$VMEMSIM" sweep "$T/small.ini" --collect "$T/sparts" --out "$T/s.csv"

echo "cli_sweep: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
