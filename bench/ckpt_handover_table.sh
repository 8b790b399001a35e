#!/usr/bin/env bash
# bench/ckpt_handover_table.sh CSV: the generated:ckpt-handover block of
# docs/checkpoint.md (without its markers), from the raw CSV that
# bench/ckpt_handover.sh writes and nothing else, so that
# tests/cli_ckpt_handover_block.sh can check the block against the CSV.
# Per value of the work between copies (W): the number of runs, the range of
# the private copy's median, the ranges of the shared and control (busy)
# copies over the private one, every run's helper / private in ascending
# order (the runs split into groups, so a range would hide them), and the
# least of the pages the helper read.  Exits non-zero, naming the line, on a
# row that is not the bench's.
set -euo pipefail
csv=${1:?usage: bench/ckpt_handover_table.sh CSV}
[ -r "$csv" ] || { echo "bench/ckpt_handover_table.sh: cannot read $csv" >&2; exit 1; }
awk -F, -v csv="$csv" '
  function bad(why) { printf "bench/ckpt_handover_table.sh: %s:%d: %s\n", csv, NR, why > "/dev/stderr"; err = 1; exit 1 }
  function rng(lo, hi, fmt) { return sprintf(fmt, lo) == sprintf(fmt, hi) ? sprintf(fmt, lo) : sprintf(fmt "-" fmt, lo, hi) }
  function put(k, w, v) { if (!((k, w) in lo) || v < lo[k, w]) lo[k, w] = v; if (!((k, w) in hi) || v > hi[k, w]) hi[k, w] = v }
  /^# bench_ckpt_handover / { head = substr($0, 3); next }
  /^# finished / { fin = substr($0, 12); next }
  /^#/ { next }
  $1 == "run" { if ($0 != "run,work,mode,copy_ns_median,p25,p75,relative_to_private,helper_read_percent,load1") bad("not the bench'"'"'s header"); next }
  {
    if (NF != 9 || $1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/ || $4 !~ /^[0-9]+$/ || $7 !~ /^[0-9.]+$/) bad("not a row of the bench: " $0)
    w = $2; if (!(w in seen)) { seen[w] = 1; ws[++nw] = w }
    if ($3 == "private") { put("ns", w, $4); runs[w]++ }
    else if ($3 == "shared" || $3 == "busy") put($3, w, $7)
    else if ($3 == "helper") { hl[w, ++nh[w]] = $7; put("read", w, $8) }
    else bad("unknown mode " $3)
    put("load", "", $9)
  }
  END {
    if (err) exit 1
    if (head == "" || fin == "" || nw == 0) { NR = 0; bad("no header comment, finish line or rows") }
    split(head, h, " ")
    printf "Measured by `bench/ckpt_handover.sh` (`nice bench_ckpt_handover %s %s W`, %s, finished %s; the raw rows are in bench/results/ckpt_handover.csv). The load average (1 min) after each run was %s.\n\n", h[2], h[3], substr(head, index(head, "commit")), fin, rng(lo["load", ""], hi["load", ""], "%.1f")
    print "| W | runs | private copy, ns per page (median) | shared / private | control / private | helper / private, each run | pages the helper read |"
    print "|---|---|---|---|---|---|---|"
    for (i = 1; i <= nw; i++) {
      w = ws[i]; n = nh[w]; l = ""
      for (a = 1; a <= n; a++) v[a] = hl[w, a] + 0
      for (a = 2; a <= n; a++) for (b = a; b > 1 && v[b - 1] > v[b]; b--) { t = v[b]; v[b] = v[b - 1]; v[b - 1] = t }
      for (a = 1; a <= n; a++) l = l (a > 1 ? ", " : "") sprintf("%.2f", v[a])
      printf "| %s | %d | %s | %s | %s | %s | at least %.1f %% |\n", w, runs[w], rng(lo["ns", w], hi["ns", w], "%d"),
        rng(lo["shared", w], hi["shared", w], "%.2f"), rng(lo["busy", w], hi["busy", w], "%.2f"), l, lo["read", w]
    }
  }' "$csv"
