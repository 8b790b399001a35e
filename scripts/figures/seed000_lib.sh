# seed000_lib.sh: what the seeds 000/001 scripts share (sourced after lib.sh):
# the `ds` traces of the nine structures.
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
