# seed000_lib.sh: what the seeds 000/001 scripts share (sourced after lib.sh):
# the `ds` traces of the nine structures and the generated blocks of docs/.
#   KEYS   key order of the traces: weiss (default; the order of the test programs
#          of Weiss's book, the seeds' reference [25]: docs/workloads.md), ascending, random
STRUCTS="avl splay aa heap binomial queue list hashquad bst"
KEYS=${KEYS:-weiss}
OPS=10000 # "10,000 unique data structure operations were performed" (seed 000, Table 2)
CKPT_CALIBRATE=${CKPT_CALIBRATE:-$(dirname "$VMEMSIM")/ckpt_calibrate}

# ds_trace S OPT: prints the path of structure S's insert trace at OPT,
# generating it when missing or older than the binary.
ds_trace() {
  local tr=$WORK/ds_$1_${KEYS}_opt$2.vmt
  if ! [ -f "$tr" ] || ! [ "$tr" -nt "$VMEMSIM" ]; then
    echo "figures: generating $1 insert, OPT=$2, $OPS operations" >&2
    "$VMEMSIM" gen ds structure="$1" op=insert opt="$2" ops=$OPS keys="$KEYS" -o "$tr"
  fi
  echo "$tr"
}

# doc_block DOC NAME FILE: replaces the lines between
# "<!-- BEGIN generated:NAME -->" and "<!-- END generated:NAME -->" in DOC
# with FILE's content.  Both markers must be there, once each.
doc_block() {
  local doc=$1 name=$2 file=$3
  local b="<!-- BEGIN generated:$name -->" e="<!-- END generated:$name -->"
  [ "$(grep -cxF "$b" "$doc")" = 1 ] && [ "$(grep -cxF "$e" "$doc")" = 1 ] ||
    { echo "figures: $doc: expected one '$b' and one '$e' line" >&2; return 1; }
  awk -v b="$b" -v e="$e" -v f="$file" '
    $0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
    $0 == e { skip = 0 }
    !skip' "$doc" >"$doc.tmp" && mv "$doc.tmp" "$doc"
  echo "figures: rewrote the generated:$name block of $doc" >&2
}
