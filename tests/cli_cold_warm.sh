#!/usr/bin/env bash
# The cold/warm tables of README.md and docs/model.md are what
# scripts/cold_warm.sh measures now (docs can't go stale).
# usage: cli_cold_warm.sh VMEMSIM SOURCE_DIR
set -eu
bash "$2/scripts/cold_warm.sh" "$1" --check
