#!/usr/bin/env bash
# all.sh: regenerates every figure and table of docs/figures.md, one command
# after another (each is also runnable alone).  About 1-2 minutes on 2 cores.
#   usage: scripts/figures/all.sh                (see lib.sh for VMEMSIM, JOBS, FIG_WORK)
set -euo pipefail
D=$(dirname "$0")
"$D/seed003_fig13.sh"
"$D/seed003_fig15.sh"
"$D/seed003_rates.sh"
"$D/seed004_tables.sh"
"$D/seed000_ckpt.sh" all
"$D/seed000_fig09.sh"
"$D/seed002_sharing.sh"
"$D/seed002_timeline.sh"
"$D/seed002_sizing.sh"
"$D/seed004_fig8_11.sh"
