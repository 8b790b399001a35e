#!/usr/bin/env bash
# Installs what vmemsim needs to build, test and draw figures, from Debian packages.
# The one list of packages: README's first command and .ci/run both use it.
set -euo pipefail
PACKAGES=(
  build-essential cmake pkg-config        # toolchain
  libglib2.0-dev zlib1g-dev libelf-dev     # required libraries
  libcmocka-dev                            # tests
  liblzma-dev libzstd-dev libxxhash-dev    # xz/zstd traces, xxHash page hashing
  libisal-dev                              # ISA-L igzip: fast gzip trace inflate (zlib is the fallback)
  clang                                    # libFuzzer targets
  valgrind                                 # traces/capture (lackey)
  gnuplot-nox jq parallel                  # figures (gnuplot optional; jq reads results), GNU parallel sweeps
  gdb                                      # gcore: figures/seed002_timeline.sh snapshots live processes; figures/seed003_agile_slow.sh traces runs
)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
echo "install-deps: ${#PACKAGES[@]} packages present"
