#!/usr/bin/env bash
# run --csv carries the per-VM, per-process and interval blocks as rows of
# one table (scope = total, vm, process, interval) under the totals' column
# names, and in every mode each kind of block adds up exactly to the total
# row, column by column -- the CSV twin of tests/test_accounts.c's JSON
# check.  Several VMs (one for native, which has no VMs) and processes (a
# kbuild trace forks, execs and exits compilers), a warm-up and interval
# samples; a seeded fault (one cell changed) must be caught, so the check
# can fail.
# usage: cli_csv_blocks.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

CFG=$SRC/configs/skylake.ini
"$VMEMSIM" gen kbuild refs=100000 -o "$T/kbuild.vmt" 2>/dev/null && "$VMEMSIM" gen vpr refs=60000 -o "$T/vpr.vmt" 2>/dev/null &&
  "$VMEMSIM" gen worst refs=30000 -o "$T/worst.vmt" 2>/dev/null && ok || bad "gen failed"
TALLY_COLUMNS="refs instructions tlb_misses walks walk_refs fault_walk_refs faults.page faults.cow exits.total
  cycles.total cycles.base cycles.tlb cycles.walk cycles.data cycles.fault cycles.vmm cycles.translation cycles.first_touch"

# sums CSV: for each scope other than total, each column its rows fill must
# sum to the total row's cell; prints one "MISMATCH scope column sum total"
# line per difference, and "columns scope N" with the columns compared.
sums() {
  python3 - "$1" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head, body = rows[0], rows[1:]
ident = head.index("interval") + 1  # scope, vm, stream, pid, interval
total = [r for r in body if r[0] == "total"][0]
for scope in sorted({r[0] for r in body} - {"total"}):
    sel = [r for r in body if r[0] == scope]
    n = 0
    for i in range(ident, len(head)):
        cells = [r[i] for r in sel if r[i] != ""]
        if not cells:
            continue
        n += 1
        got = sum(int(c) for c in cells)  # every block field is a count
        if str(got) != total[i]:
            print("MISMATCH", scope, head[i], got, total[i])
    print("columns", scope, n)
PY
}

modes=$("$VMEMSIM" run --help-config | awk '$1 == "mode" { print $3; exit }' | tr '|' ' ')
[ -n "$modes" ] && ok || bad "no mode list in run --help-config"
for mode in $modes; do
  vms=2
  [ "$mode" = native ] && vms=1
  csv=$T/$mode.csv
  if ! "$VMEMSIM" run -q -c "$CFG" -o machine.mode="$mode" -o vm.count=$vms -o sched.quantum=20000 \
      -o stats.interval=50000 --warmup-instructions 30000 "$T/kbuild.vmt" "$T/vpr.vmt" "$T/worst.vmt" \
      --csv "$csv" 2>"$T/err"; then
    bad "$mode: run failed: $(head -3 "$T/err")"; continue
  fi
  [ "$(grep -c '^total,' "$csv")" -eq 1 ] && [ "$(grep -c '^vm,' "$csv")" -eq $vms ] && ok ||
    bad "$mode: not one total row and $vms VM rows"
  [ "$(grep -c '^process,' "$csv")" -gt 3 ] && ok || bad "$mode: no more processes than traces (kbuild forks)"
  [ "$(grep -c '^interval,' "$csv")" -ge 2 ] && ok || bad "$mode: fewer than two interval rows"
  sums "$csv" >"$T/sums"
  grep MISMATCH "$T/sums" && bad "$mode: blocks do not add up to the totals" || ok
  for s in vm process interval; do
    n=$(awk -v s=$s '$1 == "columns" && $2 == s { print $3 }' "$T/sums")
    [ "${n:-0}" -ge 20 ] && ok || bad "$mode: only ${n:-0} columns of $s rows compared"
  done
  for c in $TALLY_COLUMNS; do
    head -1 "$csv" | tr , '\n' | grep -qx "$c" && ok || bad "$mode: CSV lacks column $c"
  done
done

# The seeded fault: one process's walks off by one must be reported.
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "walks") c = i }
  $1 == "process" && !done { $c = $c + 1; done = 1 } { print }' "$T/nested.csv" >"$T/fault.csv"
sums "$T/fault.csv" | grep -q "MISMATCH process walks" && ok || bad "a process's changed walks went unnoticed"

echo "cli_csv_blocks: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
