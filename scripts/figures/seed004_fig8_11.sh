#!/usr/bin/env bash
# seed004_fig8_11.sh: seed 004, Figures 8-11 (contiguous-memory VMs and
# consolidation per placement policy).  These come from `vmemsim place`; the
# placement module's own script, scripts/figures/placement.sh, makes them
# (docs/placement.md): this only runs it with the same binary as the others.
#   usage: scripts/figures/seed004_fig8_11.sh    (see lib.sh for VMEMSIM)
source "$(dirname "$0")/lib.sh"
command -v gnuplot >/dev/null || echo "figures: gnuplot is not installed: placement.sh writes its CSVs; the PNGs need gnuplot" >&2
exec "$ROOT/scripts/figures/placement.sh" "$VMEMSIM"
