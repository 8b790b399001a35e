#!/usr/bin/env bash
# README's second command: the whole test suite.
#  1. a normal build (gcc, -Wall -Wextra -Werror) and every CTest test;
#  2. each libFuzzer target for a short while (clang), if clang is installed;
#  3. an ASan+UBSan build and every CTest test again.
# FUZZ_SECONDS (default 15) sets how long each fuzzer runs.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
echo "== build (gcc, -Werror)"
cmake -S . -B build-check -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-check -j"$jobs" >/dev/null
ctest --test-dir build-check --output-on-failure -j"$jobs"
if command -v clang >/dev/null && [ -f fuzz/run-all.sh ]; then
  echo "== fuzz (${FUZZ_SECONDS:-15} s per target)"
  bash fuzz/run-all.sh "${FUZZ_SECONDS:-15}"
else
  # say so: a suite run without its fuzz targets must not look complete
  echo "== fuzz SKIPPED: clang is not installed (scripts/install-deps.sh installs it)" >&2
fi
echo "== build (ASan+UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DVMEMSIM_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
