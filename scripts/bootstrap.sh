#!/usr/bin/env bash
# README's first command: install dependencies, build (Release), run a demo on a real trace
# (native and nested from an empty machine, then nested in steady state after a warm-up).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "== vmemsim run -c configs/skylake.ini traces/samples/gzip.lackey.gz"
./build/vmemsim run -c configs/skylake.ini traces/samples/gzip.lackey.gz
echo "== the same trace, nested paging"
./build/vmemsim run -c configs/skylake.ini -o machine.mode=nested traces/samples/gzip.lackey.gz
echo "== nested again, steady state: 200000 instructions of warm-up, then every statistic reset"
./build/vmemsim run -c configs/skylake.ini -o machine.mode=nested --warmup-instructions 200000 traces/samples/gzip.lackey.gz
