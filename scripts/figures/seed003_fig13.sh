#!/usr/bin/env bash
# seed003_fig13.sh: seed 003, Figure 13 (KVM) -- per workload, the best of the
# approaches KVM has (ties within 5%), best / worst and best shadow / nested,
# beside the paper's, on the SIMICS machine and on the Opteron 2350 with its
# real hierarchy, in steady state (each point warms up first); and where agile
# and adaptive stand against the best.  Sweeps: configs/sweeps/seed003_kvm_simics.ini,
# seed003_kvm_real.ini (machine + configs/vmm/kvm.ini).  Writes
# docs/figures/seed003_fig13.csv and the generated:seed003-fig13-results block of
# docs/figures.md.
#   usage: scripts/figures/seed003_fig13.sh      (see lib.sh for VMEMSIM, JOBS, FIG_WORK)
source "$(dirname "$0")/seed003_lib.sh"
seed003_figure 13 kvm KVM
