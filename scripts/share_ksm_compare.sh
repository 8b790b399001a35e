#!/usr/bin/env bash
# Compares vmemsim's ksm policy with the real Linux KSM on the same page
# contents, and writes the comparison into docs/sharing.md ("Against real
# KSM", block generated:share-ksm-compare) and docs/figures/share_ksm_compare.csv.
# Needs root, jq and /sys/kernel/mm/ksm; restores the KSM settings it changes.
# Usage: scripts/share_ksm_compare.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
source "$root/scripts/figures/lib.sh"
command -v jq >/dev/null || { echo "share_ksm_compare.sh needs jq" >&2; exit 1; }
cmake --build "$build" --target bench_share_ksm >/dev/null
tool=$build/bench/bench_share_ksm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gunzip -c "$root/tests/fixtures/share/sleep1.core.gz" >"$tmp/sleep1.core"
gunzip -c "$root/tests/fixtures/share/sleep2.core.gz" >"$tmp/sleep2.core"
csv=$root/docs/figures/share_ksm_compare.csv
echo "pages,use_zero_pages,kernel_shared,kernel_sharing,kernel_zero,kernel_unshared,kernel_volatile,model_shared,model_sharing,model_zero,model_unshared" >"$csv"
# run LABEL ARGS...: one comparison, one CSV row (the label, without commas, goes in the doc)
run() {
  local label=$1
  shift
  echo "# $label: $*" >&2
  "$tool" "$@" | tee "$tmp/one.json" >&2
  jq -r --arg l "$label" '[$l, .pages, .use_zero_pages, .kernel.pages_shared, .kernel.pages_sharing, .kernel.ksm_zero_pages,
    .kernel.pages_unshared, .kernel.pages_volatile, .model.pages_shared, .model.pages_sharing, .model.ksm_zero_pages,
    .model.pages_unshared] | @csv' "$tmp/one.json" | tr -d '"' >>"$tmp/rows.csv"
}
run "golden mix (1024 pages each of 0xAA / 0xBB / zero / random)" --golden
run "golden mix" --golden --zero
run "golden + two \`sleep\` gcore dumps" --golden "$tmp/sleep1.core" "$tmp/sleep2.core"
run "golden + two \`sleep\` gcore dumps" --golden --zero "$tmp/sleep1.core" "$tmp/sleep2.core"
cut -d, -f2- "$tmp/rows.csv" >>"$csv"
{
  echo "Measured on $(uname -sr) by scripts/share_ksm_compare.sh (pages_to_scan=5000, sleep_millisecs=5, max_page_sharing=256):"
  echo
  echo "| pages | use_zero_pages | kernel shared / sharing / zero | model shared / sharing / zero | match |"
  echo "|---|---|---|---|---|"
  awk -F, '{ printf "| %s: %d | %s | %s / %s / %s | %s / %s / %s | %s |\n", $1, $2, $3, $4, $5, $6, $9, $10, $11,
             ($4 == $9 && $5 == $10 && $6 == $11) ? "yes" : "no" }' "$tmp/rows.csv"
  echo
  echo "Unique pages: kernel pages_unshared + pages_volatile $(awk -F, '{ printf "%s%s", s, $7 + $8; s = " / " }' "$tmp/rows.csv"); model pages_unshared $(awk -F, '{ printf "%s%s", s, $12; s = " / " }' "$tmp/rows.csv")."
} | doc_block "$root/docs/sharing.md" share-ksm-compare -
