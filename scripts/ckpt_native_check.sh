#!/usr/bin/env bash
# ckpt_native_check.sh: checks the `ds` generator's structures (seeds 000/001,
# Table 2) against Weiss's C code compiled and run natively.  Each program of
# scripts/ckpt_native/ is one structure written after the book's C code and
# driven in its test program's order (weiss.h); it is built with this
# machine's C compiler and glibc and run under Valgrind's lackey, whose store
# trace scripts/ckpt_native/lackey_txns.py splits into the 10,000 inserts.
# The writes and unique pages per insert are set beside the generator's
# (docs/figures/seed000_workloads.csv, OPT=1, written by ckpt_calibrate.sh)
# in the generated block ckpt-native of docs/checkpoint.md.
#
# Two builds, because the stores a C statement makes depend on the compiler:
#   -O0: one store per assignment, as written;
#   -O2 without the two passes that merge adjacent stores, which 2011's
#       compilers did not run at -O2 (GCC's store merging came in GCC 7,
#       SLP vectorization at -O2 in GCC 12): dead stores are removed.
#
#   usage: scripts/ckpt_native_check.sh [STRUCTURE...]
#          (the block gets one row per STRUCTURE; default avl splay aa heap
#          queue list, a few minutes in all; add bst for the BST, whose
#          10,000 inserts walk paths of about 700 nodes: tens of minutes
#          under lackey)
#   needs: a GCC (CC, default gcc), valgrind, python3
source "$(dirname "$0")/figures/lib.sh"
cd "$ROOT" || exit 1
CC=${CC:-gcc}
SRC=scripts/ckpt_native
WL=docs/figures/seed000_workloads.csv
for tool in "$CC" valgrind python3; do
  command -v "$tool" >/dev/null || { echo "ckpt_native_check.sh: $tool not found" >&2; exit 1; }
done
[ -f "$WL" ] || { echo "ckpt_native_check.sh: no $WL: run scripts/ckpt_calibrate.sh" >&2; exit 1; }
structs=${*:-avl splay aa heap queue list}
declare -A FLAGS=([O0]="-O0" [O2]="-O2 -fno-store-merging -fno-tree-slp-vectorize")
dir=$WORK/ckpt_native
mkdir -p "$dir"

# native STRUCT BUILD: prints "OPS WRITES PAGES" per insert.
native() {
  local s=$1 b=$2 bin=$dir/$1_$2 line
  # shellcheck disable=SC2086 # FLAGS holds several options
  "$CC" -std=c11 -Wall -Wextra -Werror ${FLAGS[$b]} -o "$bin" "$SRC/$s.c" || return 1
  valgrind --tool=lackey --trace-mem=yes --log-fd=3 "$bin" 3>&1 2>"$bin.err" >/dev/null |
    grep '^ [SM]' >"$bin.trace" || return 1
  line=$(sed -n 's/^MARK \(0x[0-9a-f]*\) HEAP \(0x[0-9a-f]*\) \(0x[0-9a-f]*\)$/\1 \2 \3/p' "$bin.err")
  [ -n "$line" ] || { echo "ckpt_native_check.sh: $bin printed no MARK line" >&2; return 1; }
  # shellcheck disable=SC2086 # three hex words
  python3 "$SRC/lackey_txns.py" $line <"$bin.trace"
  rm -f "$bin.trace"
}

{
  echo "| structure | generator: writes / PPT per insert | native -O2 (no store merging): writes / PPT | native -O0: writes / PPT |"
  echo "|---|---|---|---|"
  for s in $structs; do
    [ -f "$SRC/$s.c" ] || { echo "ckpt_native_check.sh: no $SRC/$s.c" >&2; exit 1; }
    gen=$(awk -F, -v s="$s" '$1 == s && $2 == 1 { printf "%.2f / %.2f", $4 / $3, $5 / $3 }' "$WL")
    row="| $s | $gen"
    for b in O2 O0; do
      echo "ckpt_native_check.sh: $s -$b under lackey" >&2
      read -r _ w p < <(native "$s" "$b") || exit 1
      [ -n "$p" ] || exit 1
      row+=" | $w / $p"
    done
    echo "$row |"
  done
  echo
  echo "10,000 inserts each; $($CC --version | head -1), $(ldd --version | head -1), x86-64."
} >"$dir/block.md"
doc_block docs/checkpoint.md ckpt-native "$dir/block.md"
