#!/usr/bin/env bash
# docs/workloads.md's `ds` tables cannot go stale: scripts/ds_tables.sh,
# rerun on a copy of the doc with this build, must rewrite its four
# generated blocks (ds-seq-opt1, ds-seq-opt5, ds-avl-layout, ds-avl-table2)
# to the same bytes: the generator is deterministic, so a difference is a
# changed workload whose tables were not regenerated (run the script).  A
# seeded fault (one number changed in the doc) must be caught.
# usage: cli_ds_tables.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

DOC=$SRC/docs/workloads.md
cp "$DOC" "$T/workloads.md"
if VMEMSIM=$VMEMSIM FIG_WORK=$T/work "$SRC/scripts/ds_tables.sh" "$T/workloads.md" 2>"$T/err"; then ok; else
  bad "scripts/ds_tables.sh failed: $(head -3 "$T/err")"; fi
# same DOC: the rerun's blocks are DOC's, byte for byte
same() { cmp -s "$T/workloads.md" "$1"; }
if same "$DOC"; then ok; else
  diff "$DOC" "$T/workloads.md" | head -20
  bad "docs/workloads.md's ds tables differ from this build's runs: rerun scripts/ds_tables.sh"
fi
# the seeded fault: the first AVL row's first number 0.01 higher
awk '!d && /^\| avl \| [0-9]/ { v = $4; sub(v, sprintf("%.2f", v + 0.01)); d = 1 } 1' "$DOC" >"$T/bad.md"
if ! cmp -s "$DOC" "$T/bad.md" && ! same "$T/bad.md"; then ok; else bad "a changed number in the ds tables went unnoticed"; fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
