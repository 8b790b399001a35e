#!/usr/bin/env bash
# kbuild_measure.sh: measures a real make-driven C build on this machine, the
# data behind the kbuild generator's defaults (workloads/wl_kbuild.c,
# docs/workloads.md "kbuild, measured").  The build: make -j1 compiling
# vmemsim's own sim/tlb/*.c and sim/pwc/*.c (gcc -O2, one object each, as
# Kbuild compiles one object per rule) and archiving them with ar (as Kbuild
# links built-in.a), from a clean tree.  RECIPE=kbuild runs each object's
# rule as Kbuild's rule_cc_o_c does (scripts/Makefile.build): one sh -c per
# rule, gcc -Wp,-MD writing the depfile, then fixdep over it, rm of the
# depfile and mv of the .cmd file; sed stands in for fixdep (a small C
# program reading the depfile, as fixdep is; Kbuild's own is not on this
# machine).  Four runs of the same build:
#   1. valgrind --tool=cachegrind --trace-children=yes with a last-level cache
#      of 4 KiB lines, 1 GiB, 64-way (--LL=1073741824,64,4096): the
#      instructions (I refs) of every process (make, sh, the gcc driver, cc1,
#      as, ar; under RECIPE=kbuild also sed, rm, mv) and its LL misses, the
#      distinct 4 KiB pages it touched (a page's first access misses every
#      level; 262,144 lines in 64 ways hold any one process's pages): the
#      demand faults of a kernel without fault-around (Linux before 3.15,
#      the paper's 2.6 guests, maps one page per fault), where this
#      machine's kernel maps up to 16 pages of page cache per file fault
#      (run 3 counts its faults);
#   2. strace -f -c -e trace=process: forks (clone/vfork/fork) and execs
#      (successful calls: the gcc driver's PATH search fails some execs);
#   3. /usr/bin/time -f '%R %e %w %c': minor page faults, wall seconds,
#      voluntary and involuntary context switches of the whole tree (the
#      involuntary ones are other users of the machine preempting it);
#   4. strace -ff -e trace=memory,execve: every process's brk, mmap, munmap,
#      mremap, madvise and mprotect, summed per process kind by
#      scripts/kbuild_memcalls.awk (anonymous memory only: the loader's file
#      mappings of shared libraries are not heap), the heap the compilers
#      release while they live (munmap, brk shrink, MADV_DONTNEED).
# Prints one line per process (command, instructions, pages touched), the totals, the
# memory calls per kind and per million instructions, and the generator
# defaults that follow (docs/workloads.md says how).
#   usage: scripts/kbuild_measure.sh [WORKDIR]     (default: a new mktemp -d)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=${1:-$(mktemp -d)}
mkdir -p "$W"
SRCS=$(cd "$ROOT" && ls sim/tlb/*.c sim/pwc/*.c)
RECIPE=${RECIPE:-plain}
case $RECIPE in
  plain) CC_RULE='gcc -std=c11 -O2 -I$(SRC)/sim -I$(SRC) -c $< -o $@' ;;
  kbuild) CC_RULE='set -e; gcc -Wp,-MD,.$@.d -std=c11 -O2 -I$(SRC)/sim -I$(SRC) -c -o $@ $<; sed -e "s/^/dep /" .$@.d > .$@.tmp; rm -f .$@.d; mv -f .$@.tmp .$@.cmd' ;;
  *) echo "kbuild_measure.sh: RECIPE=$RECIPE: expected plain or kbuild" >&2; exit 2 ;;
esac
{
  echo "SRC := $ROOT"
  echo "OBJS := $(echo "$SRCS" | sed 's,\.c$,.o,; s,/,_,g' | tr '\n' ' ')"
  echo "lib.a: \$(OBJS)"
  printf '\tar rcs $@ $^\n'
  for s in $SRCS; do
    o=$(echo "$s" | sed 's,\.c$,.o,; s,/,_,g')
    echo "$o: \$(SRC)/$s"
    printf '\t%s\n' "$CC_RULE"
  done
  printf 'clean:\n\trm -f *.o lib.a .*.cmd\n'
} >"$W/Makefile"

cd "$W"
make -s clean
rm -rf cg && mkdir cg
valgrind --tool=cachegrind --cache-sim=yes --LL=1073741824,64,4096 --trace-children=yes --cachegrind-out-file="$W/cg/cg.%p" \
  --log-file="$W/cg/log.%p" make -j1 -s >/dev/null
make -s clean
strace -f -c -e trace=process -o "$W/strace.txt" make -j1 -s >/dev/null
make -s clean
/usr/bin/time -o "$W/time.txt" -f '%R %e %w %c' make -j1 -s >/dev/null
make -s clean
rm -rf mem && mkdir mem
strace -ff -e trace=memory,execve -o "$W/mem/m" make -j1 -s >/dev/null
awk -f "$ROOT/scripts/kbuild_memcalls.awk" mem/m.* | sort >"$W/memcalls.txt"

echo "# per process: command, instructions (cachegrind I refs), distinct 4 KiB pages touched (ILmr + DLmr + DLmw)"
for f in cg/cg.*; do
  cmd=$(sed -n 's/^cmd: //p' "$f" | awk '{print $1}')
  # summary: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw
  sed -n 's/^summary: //p' "$f" | awk -v c="$(basename "$cmd")" '{ print c, $1, $3 + $6 + $9 }'
done | sort | tee "$W/procs.txt"
# strace -c rows: % time, seconds, usecs/call, calls, [errors,] syscall
awk '$NF ~ /^(clone|clone3|fork|vfork|execve)$/ { print $NF, $4 - (NF == 6 ? $5 : 0) }' "$W/strace.txt" | tee "$W/calls.txt"
read -r minflt wall vcsw icsw <"$W/time.txt"
echo "minor_faults $minflt"
echo "wall_s $wall"
echo "voluntary_switches $vcsw"
echo "involuntary_switches $icsw"
echo "sources $(echo "$SRCS" | wc -l)"
awk -v minflt="$minflt" -v vcsw="$vcsw" '
  { n++; s += $2; pg += $3; if ($1 == "make") mk = $2 }
  END {
    printf "processes %d\ninstructions %.0f\n", n, s
    printf "first_touches_per_minstr %.2f\nvoluntary_switches_per_minstr %.4f\n", minflt / s * 1e6, vcsw / s * 1e6
    # the generator defaults (workloads/wl_kbuild.c, profile=measured)
    printf "life %.0f\n", (s - mk) / (n - 1)            # mean instructions of a process make runs
    printf "make_burst %.0f\n", mk / (n - 1)            # make per process (the generator: make forks each)
    printf "footprint_pages %.0f\n", minflt / n        # mean minor faults per process
    # without fault-around: every distinct page a process touches is a fault
    printf "pages_touched %d\npages_touched_per_minstr %.2f\nfootprint_pages_no_faultaround %.0f\n", pg, pg / s * 1e6, pg / n
  }' "$W/procs.txt"
echo "# memory calls per kind (scripts/kbuild_memcalls.awk says the columns), then per million of the kind's instructions"
cat "$W/memcalls.txt"
awk 'NR == FNR { ir[$1] += $2; next }
  { m = ir[$1] / 1e6
    printf "%s per_minstr anon_mmap %.4f anon_munmap %.4f brk_grow %.4f brk_shrink %.4f madv_free %.4f mremap %.4f\n",
      $1, $3 / m, $5 / m, $7 / m, $9 / m, $11 / m, $13 / m }' "$W/procs.txt" "$W/memcalls.txt"
# heap released while a process lives, by the processes make runs (make's own
# releases are the stacks of its spawns, which the generator's make does not have)
awk 'NR == FNR { if ($1 != "make") ir += $2; next }
  $1 != "make" { calls += $5 + $9 + $11 + $14; bytes += $6 + $10 + $12 + $15; n += $2 }
  END {
    printf "released_calls %d\nreleased_bytes %d\n", calls, bytes
    printf "released_calls_per_minstr %.5f\nreleased_bytes_per_minstr %.1f\n", calls / ir * 1e6, bytes / ir * 1e6
    printf "released_calls_per_process %.3f\nreleased_bytes_per_process %.0f\n", calls / n, bytes / n
    printf "release_size %.0f\n", bytes / calls                       # mean bytes of one release
    printf "free_size_pages %.0f\n", bytes / calls / 4096             # the generator releases whole pages
  }' "$W/procs.txt" "$W/memcalls.txt"
