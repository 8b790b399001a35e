#!/usr/bin/env bash
# ckpt_calibrate.sh: calibrates the checkpoint model (seeds 000/001) and
# rewrites everything that depends on the calibration (docs/checkpoint.md,
# "Calibration"):
#   1. the nine `ds` structures' insert traces at OPT 1 and 5 (10,000
#      operations, KEYS order) are reduced to the sums every cost is linear
#      in: docs/figures/seed000_workloads.csv;
#   2. the [user]/[hypervisor] costs are fitted by least squares to the
#      seeds' microbenchmark (Figures 8-10), from the measured priors of
#      configs/ckpt/modern-kvm.ini: configs/ckpt/xen2011.ini;
#   3. every constraint of the seeds (fitted, predicted, structural) is
#      evaluated with its residual into the generated blocks of
#      docs/checkpoint.md (ckpt-calibration) and docs/figures.md
#      (seed000-results);
#   4. the Table 2 construction table (ckpt-table2: pool against glibc heap)
#      and the old hand calibration's score (ckpt-old-score) in
#      docs/checkpoint.md, and the per-structure pages and emulation bytes
#      (seed000-ppt) in docs/figures.md.
#   usage: scripts/ckpt_calibrate.sh     (VMEMSIM, FIG_WORK as for the figure scripts)
# tests/test_ckpt_calib.c checks that all three outputs match what this
# script writes, and that the fit is deterministic.
source "$(dirname "$0")/figures/lib.sh"
source "$(dirname "$0")/figures/seed000_lib.sh"
[ -x "$CKPT_CALIBRATE" ] || { echo "ckpt_calibrate.sh: no $CKPT_CALIBRATE: build the ckpt_calibrate target" >&2; exit 1; }
cd "$ROOT" # file names in the generated comments are relative to the repository
PRIOR=configs/ckpt/modern-kvm.ini
CAL=configs/ckpt/xen2011.ini
WL=docs/figures/seed000_workloads.csv
args=()
for s in $STRUCTS; do
  for opt in 1 5; do args+=("$s:$opt:$(ds_trace "$s" "$opt")"); done
done
"$CKPT_CALIBRATE" measure "$WL" "${args[@]}"
"$CKPT_CALIBRATE" fit "$PRIOR" "$CAL"
echo "ckpt_calibrate.sh: wrote $WL and $CAL" >&2
"$CKPT_CALIBRATE" checkpoint-block "$PRIOR" "$CAL" "$WL" >"$WORK/ckpt-calibration.md"
doc_block docs/checkpoint.md ckpt-calibration "$WORK/ckpt-calibration.md"
"$CKPT_CALIBRATE" results-block "$CAL" "$WL" >"$WORK/seed000-results.md"
doc_block docs/figures.md seed000-results "$WORK/seed000-results.md"
# Per structure, from the workloads CSV: Table 2's pages per transaction at
# OPT 1 and 5 (the pages-ratio row) and the bytes emulation logs (Figure 15).
awk -F, 'NR > 1 { k = $1; if (!(k in seen)) { seen[k] = 1; order[++n] = k }
    if ($2 == 1) { p1[k] = $5 / $3; w1[k] = $6 * 8 / $3; b1[k] = $7 / $3 } else { p5[k] = $5 / $3 } }
  END {
    print "| structure | PPT, OPT=1 | PPT, OPT=5 | OPT=5 over OPT=1 | emulation bytes per txn, OPT=1 (stores at their widths) | the same with every store a whole 8-byte word |"
    print "|---|---|---|---|---|---|"
    for (i = 1; i <= n; i++) { k = order[i]; r = p5[k] / p1[k]; sum += r; if (r > 1.1) { hi = hi sep k " " sprintf("%.2f", r); sep = ", " } else { rest += r; nrest++ }
      printf "| %s | %.2f | %.2f | %.2f | %.1f | %.1f |\n", k, p1[k], p5[k], r, b1[k], w1[k] }
    printf "\nMean OPT=5 over OPT=1: %.3f over the %d structures; above 1.1: %s; the other %d average %.3f.\n", sum / n, n, hi, nrest, rest / nrest
  }' "$WL" >"$WORK/seed000-ppt.md"
doc_block docs/figures.md seed000-ppt "$WORK/seed000-ppt.md"
# The modern machine on the same AVL trace, for docs/checkpoint.md.
command -v jq >/dev/null || { echo "ckpt_calibrate.sh: the modern-machine table needs jq (apt-get install jq)" >&2; exit 1; }
"$VMEMSIM" ckpt -q --calib "$PRIOR" "$(ds_trace avl 1)" --json - | jq -r '
  "| technique | level | µs per txn |", "|---|---|---|",
  (.techniques | to_entries[] | "| \(.key) | \(.value.level) | \(.value.tracking_ns_per_txn / 1000 * 100 | round / 100) |"),
  "", "Break-even WPP \(.breakeven_wpp.user * 100 | round / 100) in user space and \(.breakeven_wpp.hypervisor * 100 | round / 100) with the hypervisor; microbenchmark speedups \(.microbench.speedup_emul * 100 | round / 100)x (emul) and \(.microbench.speedup_pt * 100 | round / 100)x (pt)."' \
  >"$WORK/ckpt-modern.md"
doc_block docs/checkpoint.md ckpt-modern "$WORK/ckpt-modern.md"
# Table 2 by construction: each structure's OPT=1 insert on the headerless
# slot pool (everything in the CDA) and on glibc's heap (the default).
{
  echo "| structure | slot pool (layout=seq): writes / PPT / WPP | glibc heap (layout=glibc): writes / PPT / WPP |"
  echo "|---|---|---|"
  for s in $STRUCTS; do
    row="| $s"
    for layout in seq glibc; do
      row+=$("$VMEMSIM" ckpt -q --calib "$CAL" "$(ds_trace "$s" 1 "$layout")" --json - |
        jq -r '.analysis | "\(.writes_per_txn) \(.ppt) \(.wpp)"' | awk '{ printf " | %.2f / %.2f / %.2f", $1, $2, $3 }')
    done
    echo "$row |"
  done
} >"$WORK/ckpt-table2.md"
doc_block docs/checkpoint.md ckpt-table2 "$WORK/ckpt-table2.md"
# Table 2's AVL pages, by pass of the stride-7 key order: transaction i
# inserts Weiss's j = 7i mod OPS, so it belongs to pass floor(7i / OPS), and
# a pass's nodes are carved from the heap after every earlier pass's.  The
# last column is the same allocations in a 32-bit (i386) guest's heap: glibc
# before 2.26 aligns i386 chunks to 2 * SIZE_SZ = 8 bytes (pwndbg issue
# #1044 and how2heap PR #184 cite glibc 2.26's sysdeps/i386/malloc-alignment.h
# as the change to 16), so the 16-byte i386 AvlNode is a 24-byte chunk,
# half the x86-64 48, with its size field and every node field at half its
# x86-64 offset: each store's offset from the heap's page is halved.
{
  echo "| pass of the key order | transactions | writes per txn | unique pages per txn | the same in an i386 heap (offsets halved) |"
  echo "|---|---|---|---|---|"
  "$VMEMSIM" trace head "$(ds_trace avl 1)" -n 100000000 | awk -v ops=$OPS '
    function hex(s, v, i) { v = 0; for (i = 3; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
    $1 == "cda" { lo = hex($2); hi = lo + $3; base = lo - lo % 4096 }
    $1 == "txn_begin" { i = $2; delete pg; delete ph; np = 0; nh = 0; nw = 0 }
    $1 == "store" { a = hex($2); if (a >= lo && a < hi) { nw++; p = int(a / 4096); if (!(p in pg)) { pg[p] = 1; np++ }
        h = int((a - base) / 2 / 4096); if (!(h in ph)) { ph[h] = 1; nh++ } } }
    $1 == "txn_end" { k = int(7 * i / ops); n[k]++; w[k] += nw; q[k] += np; r[k] += nh; W += nw; Q += np; R += nh; N++ }
    END { for (k = 0; k in n; k++) printf "| %d | %d | %.2f | %.2f | %.2f |\n", k + 1, n[k], w[k] / n[k], q[k] / n[k], r[k] / n[k]
      printf "| all | %d | %.2f | %.2f | %.2f |\n", N, W / N, Q / N, R / N }'
} >"$WORK/ckpt-avl-passes.md"
doc_block docs/checkpoint.md ckpt-avl-passes "$WORK/ckpt-avl-passes.md"
# Table 2's AVL pages, by what each page holds.  Insert-only with no free,
# so transaction i's malloc carves chunk i (48 bytes from the heap's first
# chunk, at the CDA's start): a store in chunk i's user memory is
# the new node's, one to chunk i's size field or to chunk i + 1's (the new
# top's) is malloc's, and one to an earlier chunk is a node on the insert's
# path (rotations store only into path nodes: Insert rotates the node it
# returns through and that node's one or two descendants on the path).  A
# page counts once, under the first of those kinds it holds; a path node
# j < i is of transaction i's pass or an earlier one (pass floor(7j / OPS)).
{
  echo "| pass of the key order | path nodes stored per txn: same pass / earlier passes | pages per txn: the new node | malloc's size fields only | path nodes of the same pass only | path nodes of earlier passes only | unique pages per txn |"
  echo "|---|---|---|---|---|---|---|"
  "$VMEMSIM" trace head "$(ds_trace avl 1)" -n 100000000 | awk -v ops=$OPS '
    function hex(s, v, i) { v = 0; for (i = 3; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
    function passof(j) { return int(7 * j / ops) }
    $1 == "cda" { lo = hex($2); hi = lo + $3; first = lo }
    $1 == "txn_begin" { i = $2; delete pg; delete seen }
    $1 == "store" { a = hex($2); if (a >= lo && a < hi) { c = int((a - first) / 48); o = (a - first) % 48
        k = c == i && o >= 16 ? 0 : c == i || c == i + 1 ? 1 : passof(c) == passof(i) ? 2 : 3
        if (c < i && !(c in seen)) { seen[c] = 1; m[passof(i), k - 2]++; M[k - 2]++ }
        p = int(a / 4096); if (!(p in pg) || pg[p] > k) pg[p] = k } }
    $1 == "txn_end" { s = passof(i); n[s]++; N++
      for (p in pg) { q[s, pg[p]]++; Q[pg[p]]++ } }
    END { for (s = 0; s in n; s++) { t = 0; for (k = 0; k < 4; k++) t += q[s, k]
        printf "| %d | %.2f / %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", s + 1, m[s, 0] / n[s], m[s, 1] / n[s], q[s, 0] / n[s], q[s, 1] / n[s], q[s, 2] / n[s], q[s, 3] / n[s], t / n[s] }
      T = Q[0] + Q[1] + Q[2] + Q[3]
      printf "| all | %.2f / %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", M[0] / N, M[1] / N, Q[0] / N, Q[1] / N, Q[2] / N, Q[3] / N, T / N }'
} >"$WORK/ckpt-avl-kinds.md"
doc_block docs/checkpoint.md ckpt-avl-kinds "$WORK/ckpt-avl-kinds.md"
# The guest's word size, which the seeds do not state, against the three rows
# it moves (Table 2's AVL pages, Figure 15's tree-insert 56 MB and its < 2 MB
# for the rest), on the six node structures.  Their nodes are an int and
# pointers, each x86-64 field in an 8-byte slot and every chunk (32 or 48
# bytes) twice its i386 size (16 or 24: request + 4, rounded to 8, glibc
# before 2.26), so halving each store's offset from the heap's page gives
# the i386 heap exactly; every i386 store is then one 4-byte word.  Columns:
# x86-64 as modelled (operands at their widths, from the workloads CSV), and
# i386 with the log holding the values (4 bytes a word), (address, value)
# pairs (8 bytes a word), or whole aligned 8-byte words.
{
  echo "| structure | PPT, x86-64 | PPT, i386 | emulation MB, x86-64 (operands) | i386, values | i386, (address, value) pairs | i386, aligned 8-byte words |"
  echo "|---|---|---|---|---|---|---|"
  for s in avl splay aa binomial list bst; do
    x=$(awk -F, -v s="$s" '$1 == s && $2 == 1 { printf "%.2f %.2f", $5 / $3, $7 / 1e6 }' "$WL")
    "$VMEMSIM" trace head "$(ds_trace "$s" 1)" -n 1000000000 | awk -v s="$s" -v x="$x" '
      function hex(s, v, i) { v = 0; for (i = 3; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
      $1 == "cda" { lo = hex($2); hi = lo + $3; base = lo - lo % 4096 }
      $1 == "txn_begin" { delete pg; delete w4; delete w8; N++ }
      $1 == "store" { a = hex($2); if (a >= lo && a < hi) { h = (a - base) / 2
          p = int(h / 4096); if (!(p in pg)) { pg[p] = 1; np++ }
          o = int(h / 4); if (!(o in w4)) { w4[o] = 1; n4++ }
          o = int(h / 8); if (!(o in w8)) { w8[o] = 1; n8++ } } }
      END { split(x, v, " "); printf "| %s | %s | %.2f | %s | %.2f | %.2f | %.2f |\n", s, v[1], np / N, v[2], n4 * 4 / 1e6, n4 * 8 / 1e6, n8 * 8 / 1e6 }'
  done
} >"$WORK/ckpt-wordsize.md"
doc_block docs/checkpoint.md ckpt-wordsize "$WORK/ckpt-wordsize.md"
# The hand calibration this procedure replaced, scored on today's traces
# (only from a git checkout, which holds it).
OLD=86cf420
if git -C "$ROOT" cat-file -e "$OLD:$CAL" 2>/dev/null; then
  git -C "$ROOT" show "$OLD:$CAL" >"$WORK/ckpt-old.ini"
  echo "The hand calibration of commit $OLD, scored on today's traces:" \
    "$("$CKPT_CALIBRATE" results-block "$WORK/ckpt-old.ini" "$WL" | head -1)" >"$WORK/ckpt-old-score.md"
  doc_block docs/checkpoint.md ckpt-old-score "$WORK/ckpt-old-score.md"
fi
