#!/usr/bin/env bash
# Compares vmemsim's ksm policy with the real Linux KSM on the same page
# contents (docs/sharing.md, "Against real KSM").  Needs root and
# /sys/kernel/mm/ksm; restores the KSM settings it changes.
# Usage: scripts/share_ksm_compare.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cmake --build "$build" --target bench_share_ksm >/dev/null
tool=$build/bench/bench_share_ksm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gunzip -c "$root/tests/fixtures/share/sleep1.core.gz" >"$tmp/sleep1.core"
gunzip -c "$root/tests/fixtures/share/sleep2.core.gz" >"$tmp/sleep2.core"
echo "# golden mix (1,024 pages each of 0xAA, 0xBB, zero, random)"
"$tool" --golden
"$tool" --golden --zero
echo "# two gcore dumps of /bin/sleep plus the golden mix"
"$tool" --golden "$tmp/sleep1.core" "$tmp/sleep2.core"
"$tool" --golden --zero "$tmp/sleep1.core" "$tmp/sleep2.core"
