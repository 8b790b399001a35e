# seed000_lib.sh: what the seeds 000/001 scripts share (sourced after lib.sh):
# the `ds` traces of the nine structures.
#   KEYS   key order of the traces: weiss (default; the order of the test programs
#          of Weiss's book, the seeds' reference [25]: docs/workloads.md), ascending, random
#   LAYOUT heap layout: glibc (default; every node malloc'd from glibc's ptmalloc2 on
#          x86-64, the CDA being the malloc heap, as Weiss's programs ran on Linux:
#          docs/workloads.md), seq, random
STRUCTS="avl splay aa heap binomial queue list hashquad bst"
KEYS=${KEYS:-weiss}
LAYOUT=${LAYOUT:-glibc}
OPS=10000 # "10,000 unique data structure operations were performed" (seed 000, Table 2)
CKPT_CALIBRATE=${CKPT_CALIBRATE:-$(dirname "$VMEMSIM")/ckpt_calibrate}

# ds_trace S OPT [LAYOUT]: prints the path of structure S's insert trace at
# OPT (in LAYOUT, default $LAYOUT), generating it unless the one there was
# made by this binary from this command (fig_made, lib.sh).
ds_trace() {
  local layout=${3:-$LAYOUT}
  local tr=$WORK/ds_$1_${KEYS}_${layout}_opt$2.vmt
  fig_made "$tr" fig_nonempty "$VMEMSIM" gen ds structure="$1" op=insert opt="$2" ops=$OPS keys="$KEYS" \
    layout="$layout" -o "$tr" >&2
  echo "$tr"
}
