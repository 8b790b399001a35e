#!/usr/bin/env bash
# CLI test of docs/performance.md's issue-14 targets table: bench/targets.sh
# --check fails unless the generated:perf-targets block agrees with the
# measured blocks it is computed from; a copy with one measured number
# changed must fail the check (the seeded fault).
# usage: cli_perf_targets.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

expect 0 "" -- bash "$SRC/bench/targets.sh" --check "$SRC/docs/performance.md"
sed -E '/BEGIN generated:perf-core/,/END generated:perf-core/s/^(\| hostile \| native \| 1 \| this \| [0-9.]+ \| )[0-9.]+/\199.9/' \
  "$SRC/docs/performance.md" >"$T/perf.md"
cmp -s "$T/perf.md" "$SRC/docs/performance.md" && bad "the seeded fault changed nothing"
expect 1 "disagrees" -- bash "$SRC/bench/targets.sh" --check "$T/perf.md"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
