#!/usr/bin/env bash
# seed002_vmscale.sh: seed 002 (Kloster, Kristensen, Mejlholm 2006), the
# Chapter 7 sharing experiments at VM scale, on guest-memory images made by
# `vmemsim gen guestmem` and evolving in time, run through `vmemsim share -p
# xen-thesis`:
#   idle      30 x 64 MB idle VMs, one started every 3 min, zero pages shared (7.2.1, Fig. 7.1)
#   kbuild    25 x 64 MB VMs, one every 30 min, each compiling one kernel tree (7.2.2, Fig. 7.2)
#   worst     10 x 64 MB VMs, one every 5 min, each a different benchmark for 5 min (7.5, Fig. 7.4)
#   distro    pairs of 64 MB idle VMs: Debian+Debian, Gentoo+Gentoo, Debian+Gentoo (7.4, Table 7.2)
#   web192    8 x 192 MB VMs started together, SPECweb99 after 5 min (7.6.2, Fig. 7.6)
#   vmsize    4 VMs of 64..448 MB compiling random packages (7.8, Figs. 7.9-7.10)
#   potemkin  an idle VM and a second one, booted or cloned, before and after a compile (7.9)
# Every generator parameter, and where its value comes from, is in
# docs/sharing.md ("Guest images"); they are set here from the thesis's
# description of each scenario or from independent sources, except the
# three fitted ones (Table 7.2's Debian pair, 7.9's booted footprint,
# Fig. 7.10's knee), whose rows the results table (docs/figures.md, block
# seed002-results) labels fitted; the rest are structural or predicted.
#   usage: scripts/figures/seed002_vmscale.sh   (see lib.sh for VMEMSIM, FIG_WORK)
#   Writes docs/figures/seed002_vmscale.{csv,png,svg}, seed002_vmsize.csv,
#   seed002_results.csv and the generated blocks of docs/figures.md.  Images
#   (sparse raw files, up to ~2 GB at once) go to $FIG_WORK/seed002_vmscale/
#   and are deleted scenario by scenario.  Needs jq.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/seed002_lib.sh"
# shellcheck disable=SC2086 # $HEAVY is two KEY=VALUE words
command -v jq >/dev/null || { echo "figures: seed002_vmscale.sh needs jq" >&2; exit 1; }
NAME=seed002_vmscale
D=$WORK/$NAME
rm -rf "$D"
mkdir -p "$D"
# xxh64: the hash decides only collisions (none here), and it is ~6x faster than SFH.
SHARE=("$VMEMSIM" share -q -p xen-thesis --hash xxh64 --json -)
MB=1048576
# Page counts the awk below converts with (each named once here):
PAGES_PER_MB=256     # 4 KiB pages in a MiB (1,048,576 / 4,096): the x86 base page the images are cut in
GUEST_PAGES=$((64 * PAGES_PER_MB)) # 4 KiB pages of a 64 MB guest: the VM size of Chapter 7's experiments (7.2)
T72_MIXED_KB=3548    # KB reclaimed per VM by a Debian + Gentoo pair: the thesis's Table 7.2
say() { echo "figures: $NAME: $*" >&2; }

# ---- the parameters (docs/sharing.md, "Guest images", gives every source) ----
IDLE_RATE=1          # pages/s an idle guest writes (syslog, cron): an estimate
# The generator's default parts of a booted guest in 4 KiB pages (kernel=2662k,
# cache=7685k, anon=4416k, each rounded up to whole pages: docs/sharing.md).
GEN_KERNEL=666 GEN_CACHE=1922 GEN_ANON=1104
KB_FREE=$((GUEST_PAGES - GEN_KERNEL - GEN_CACHE - GEN_ANON)) # free pages of a booted 64 MB guest
KB_RATE=$(awk -v f=$KB_FREE 'BEGIN { printf "%.1f", f / 70 }') # all zero pages gone 70 s into a compile (Fig. 7.3)
KB_EVICT=1           # a compile's writes recycle the page cache once free memory is gone (HEAVY below)
KB_MAPPED=0.5        # share of the boot-time page cache that running processes map: an estimate.
                     # Linux 2.6 reclaim keeps mapped pages (mm/vmscan.c, refill_inactive_zone), so
                     # the recycling above never reaches them.
KB_DUR=1500          # a kernel compile in a 64 MB Xen guest, 700 MHz Athlon (App. C, Table C.2: 1500.03 s)
KB_WSS=16m           # cc1's anonymous working set: an estimate
# The kernel image a build links, in copies its page cache holds at the end:
# the top Makefile links .tmp_vmlinux2 (with .tmp_kallsyms1.o) and then
# vmlinux (with .tmp_kallsyms2.o) from the same objects, version.o and
# layout (the kallsyms passes check that the two agree), and
# arch/i386/boot/compressed's vmlinux.bin is `objcopy -O binary` of vmlinux,
# its loaded bytes at the same page offsets.  So a VM holds the image's pages
# three times (.tmp_vmlinux1 is linked before kallsyms exists, so its
# addresses differ and it is not a copy).  The image is the kernel= default
# (2,662 KiB, the thesis's "2.6 MB uncompressed" domU kernel), as for the
# stamped outputs below.  The kallsyms_addresses array differs between
# .tmp_vmlinux2 and vmlinux (it is computed from the previous link), and is
# counted in the copies here: an overcount of 4 bytes a text symbol.
KB_IMAGE=2662k
KB_COPIES=3
# The share of a compile's page-cache pages that are private to its VM: the
# file system's metadata that carries the VM's clock and its compilers' pids
# (inode tables, bitmaps, indirect blocks), MEASURED by seed002_fsmeta.sh on
# a real build of this repository's tree (run as root; its CSV is committed).
FSMETA=$OUT/seed002_fsmeta.csv
[ -r "$FSMETA" ] || { echo "figures: $NAME: no $FSMETA: run scripts/figures/seed002_fsmeta.sh as root" >&2; exit 1; }
KB_PRIVATE=$(awk -F, 'NR == 2 { print $NF }' "$FSMETA")
# mem_map, for the Debian + Gentoo miss only (the images hold no mem_map):
# Linux 2.6.16's struct page on i386 is 32 bytes (include/linux/mm.h: flags,
# _count, _mapcount, private, mapping, index and lru's two pointers, 4 bytes
# each; no WANT_PAGE_VIRTUAL on i386), so a 4 KiB page of mem_map holds 128.
STRUCT_PAGE_BYTES=32
WEB_RATE=40          # pages/s SPECweb99 changes (2.3.1: about 2000 pages per 50 s)
# A workload that 7.1 describes as demanding memory or the page cache writes
# at the compile's rate, and once free memory is gone its writes recycle the
# page cache (evict=1), as Linux's LRU does; the others write at WEB_RATE and
# leave the cache alone.  7.1's words: kernel build "demand for memory", MWG
# decompresses and compiles, stress "memory stress", freebench "processor and
# memory intensive", dbench "a significant workload for ... the page cache",
# tiobench file-system reads and writes.  Crafty's "memory footprint is
# minimal"; OSDB and AIM are given no memory demand.
HEAVY="rate=$KB_RATE evict=$KB_EVICT mapped=$KB_MAPPED" # three KEY=VALUEs: used unquoted on purpose
LIGHT="rate=$WEB_RATE"
WORST_BENCH="crafty osdb specweb99 stress tiobench freebench dbench aim mwg kbuild" # 7.5, in its order
WORST_HEAVY="stress tiobench freebench dbench mwg kbuild"
COMMON=0.5           # share of a package build's file pages from the tools pool: an estimate
# The tools and dependencies every Gentoo package build reads (the pool): its
# size is FITTED on Fig. 7.10, where the reclaimed pages level off at 384 MB.
# A VM caches COMMON of the pages its builds may write (its free pages and the
# unmapped page cache), the same leading part of the pool in every VM, so the
# pool is all cached first at the size where COMMON x those pages = pool.
KNEE_MB=384
POOL_PAGES=$(awk -v m=$KNEE_MB -v c=$COMMON -v k=$KB_MAPPED -v kn=$GEN_KERNEL -v cache=$GEN_CACHE -v an=$GEN_ANON -v ppm=$PAGES_PER_MB \
  'BEGIN { printf "%d", c * (m * ppm - kn - cache - an + cache - int(k * cache)) }')
POOL=$((POOL_PAGES * 4096))
# A kernel build's outputs that embed its date (stamped=): scripts/mkcompile_h
# puts `date` into UTS_VERSION, init/version.c into linux_banner, the first
# thing of .rodata (init/ links first).  Each of include/linux/compile.h,
# init/version.o, .tmp_vmlinux1, .tmp_vmlinux2, vmlinux and
# arch/i386/boot/compressed/vmlinux.bin (objcopy -O binary) differs in that
# one page; the last three hold it as the same page (KB_COPIES above), so a
# VM has 4 banner pages of its own.  vmlinux.bin.gz (`gzip -f -9 < vmlinux.bin`, scripts/Makefile.lib
# cmd_gzip) differs in its header (the input's mtime) and from the banner to
# its end, and piggy.o, compressed/vmlinux, arch/i386/boot/vmlinux.bin and
# bzImage each carry that stream whole (arch/i386/boot/{,compressed/}Makefile).
# Whether a page of the stream after the banner differs depends on the date:
# when the banner's deflate block keeps its length in bits, the rest of the
# stream is the same bytes.  So it is measured over the 25 kbuild VMs' own
# builds (VM v's ends at v x 30 min + 1,500 s, from an arbitrary day), their
# gzip streams run through `vmemsim share` as raw images: a VM's stamped
# pages are the pages of its stream that no other VM's stream holds (a page
# that some VMs hold alike is left shared, by all of them: a slight
# overcount of sharing).  The image is 2,662 KiB (the kernel= default) of this
# machine's x86 code standing in for the 32-bit kernel, the banner at the
# share TEXT of it (an estimate of .text's share of the 2.6.16 image; 0.6 and
# 0.9 are written beside it).
STAMP_TEXT=0.75
STAMP_SRC="/usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libstdc++.so.6"
STAMP_VMS=25
# stamp_gz_pages SHARE: the mean over the VMs of their gzip streams' pages that no other VM holds
stamp_gz_pages() {
  local v off when args=()
  off=$(awk -v f="$1" 'BEGIN { printf "%d", f * 2662 * 1024 }')
  for ((v = 0; v < STAMP_VMS; v++)); do
    when=$(date -u -d "@$((1149120000 + v * 1800 + KB_DUR))" '+%a %b %e %H:%M:%S UTC %Y') # 2006-06-01 + v x 30 min + the compile
    # shellcheck disable=SC2086 # two paths
    cat $STAMP_SRC | head -c $((2662 * 1024)) >"$D/stamp.bin"
    printf 'Linux version 2.6.16-xen (root@vm) (gcc version 4.0.3) #1 %s\n' "$when" |
      dd of="$D/stamp.bin" bs=1 seek="$off" conv=notrunc status=none
    touch -d "$when" "$D/stamp.bin"
    # the stream at offset 0x34, after an ELF header, as in piggy.o (and so
    # that `vmemsim share` does not take the image for a gzip file)
    { head -c 52 /dev/zero | tr '\0' P; gzip -f -9 <"$D/stamp.bin"; } >"$D/stamp.$v.gz"
    truncate -s %4096 "$D/stamp.$v.gz" # whole pages for raw:
    args+=("v$v=raw:0:$D/stamp.$v.gz")
  done
  "${SHARE[@]}" "${args[@]}" | jq -r '[.vms[] | .pages - .shared] | add / length | . * 10 | round / 10'
  rm -f "$D"/stamp.*
}
for f in $STAMP_SRC; do [ -r "$f" ] || { echo "figures: $NAME: $f (the stand-in for kernel code) is missing" >&2; exit 1; }; done
echo "text_share,gz_pages_private,stamped_pages" >"$OUT/seed002_stamped.csv"
for f in 0.6 $STAMP_TEXT 0.9; do
  g=$(stamp_gz_pages $f)
  echo "$f,$g,$(awk -v g="$g" 'BEGIN { printf "%.0f", 5 * g + 4 }')" >>"$OUT/seed002_stamped.csv"
done
STAMP_GZ=$(awk -F, -v f=$STAMP_TEXT '$1 == f { print $2 }' "$OUT/seed002_stamped.csv")
KB_STAMPED=$(awk -F, -v f=$STAMP_TEXT '$1 == f { print $3 }' "$OUT/seed002_stamped.csv") # pages: 5 files carry the stream, 4 banner pages
# the derived parameters, into docs/sharing.md
write_block "$ROOT/docs/sharing.md" seed002-vmscale-derived "$(awk -v f=$KB_FREE -v r="$KB_RATE" -v p=$POOL_PAGES \
  -v st=$KB_STAMPED -v sg="$STAMP_GZ" -v nv=$STAMP_VMS -v tx=$STAMP_TEXT -v s06="$(awk -F, '$1 == 0.6 { print $3 }' "$OUT/seed002_stamped.csv")" \
  -v s09="$(awk -F, '$1 == 0.9 { print $3 }' "$OUT/seed002_stamped.csv")" \
  -v kn=$GEN_KERNEL -v cache=$GEN_CACHE -v an=$GEN_ANON -v m=$KNEE_MB -v c=$COMMON -v k=$KB_MAPPED \
  -v gp=$GUEST_PAGES -v ppm=$PAGES_PER_MB -v fp="$KB_PRIVATE" -v fm="$(awk -F, 'NR == 2 { print $8 }' "$FSMETA")" -v ff="$(awk -F, 'NR == 2 { print $9 }' "$FSMETA")" "$AWK_TH"'
  BEGIN {
    print "| derived parameter | value | computed by seed002_vmscale.sh from |"
    print "|---|---|---|"
    printf "| free pages of a booted 64 MB guest | %s | %s - kernel %s - cache %s - anon %s pages (the defaults above) |\n", th(f), th(gp), th(kn), th(cache), th(an)
    printf "| a kernel compile'"'"'s write rate | %s pages/s | the free pages / 70 s (Fig. 7.3) |\n", r
    printf "| the tools pool (`pool`) | %s pages (%.1f MiB) | `common` %s x (the free pages + the unmapped page cache, `mapped` %s) of a %d MB VM |\n", th(p), p / ppm, c, k, m
    printf "| the share of a compile'"'"'s page-cache pages private to its VM (`private`) | %.2f%% (%s of %s pages) | **measured** by seed002_fsmeta.sh (docs/figures/seed002_fsmeta.csv): two builds of this repository'"'"'s C tree in copies of one ext3 image with Debian Sarge'"'"'s defaults (4 KiB blocks, 128-byte inodes), mounted with 2.6.16'"'"'s atime; the pages that differ between the two and are not file data (inode tables with the VM'"'"'s times, the block bitmap and the superblock, written files'"'"' indirect blocks: ext3_find_near places a new file'"'"'s blocks by the writer'"'"'s pid), over the build'"'"'s page-cache footprint |\n", fp * 100, fm, ff
    printf "| a kernel build'"'"'s outputs that carry its date (`stamped`) | %s pages (%s KiB) | 5 files x the %s pages of a build'"'"'s gzip stream that no other kbuild VM'"'"'s holds (mean of %d) + 4 banner pages (6 outputs hold it, 3 of them as one page: `copies`; banner at %s of the image, an estimate; %s at 0.6, %s at 0.9: docs/figures/seed002_stamped.csv) |\n", th(st), th(st * 4), sg, nv, tx, s06, s09
  }')"

# gen IMG SEED KEY=VALUE...: one guest image
gen() { local img=$1 seed=$2; shift 2; "$VMEMSIM" gen guestmem -o "$img" --seed "$seed" "$@"; }

# samples JSON SCENARIO: one CSV row per timeline sample: shared, reclaimed
# and zero pages (the thesis's terms, 7.2) as % of the running VMs' memory.
samples() {
  jq -r --arg s "$2" '.timeline[] | ([.vms[].pages] | add) as $n |
    [$s, .t, .at, ([.vms[] | select(.pages > 0)] | length), $n,
     ((.pages_shared + .pages_sharing + .pages_zero) / $n * 100 * 1000 | round / 1000),
     ((.pages_sharing + .pages_zero) / $n * 100 * 1000 | round / 1000),
     (.pages_zero / $n * 100 * 1000 | round / 1000)] | @csv' "$1" | tr -d '"'
}
echo "scenario,seconds,at,vms,pages,shared_percent,reclaimed_percent,zero_percent" >"$OUT/$NAME.csv"

# Each VM's image ages (seconds after its start) at which it is snapshotted:
ages_idle() { awk -v s="$1" 'BEGIN { print 0; for (k = 1800; k <= 5400; k += 1800) if (k > s) print k - s }'; } # start, every 30 min
ages_kbuild() { echo 0 $KB_DUR; }  # start, compile done
ages_worst() { echo 0 300; }       # start, benchmark done
ages_web() { echo 0 300 2700; }    # start, benchmark start, 40 min later

# timeline NAME ZERO N SPACING AGES DATA VMARGS KEY=VALUE...: N VMs, VM v
# started at v x SPACING s with --seed v+1, snapshotted at the ages AGES
# prints; DATA "same" gives every VM data set 1, a number B gives VM v data
# set B+v; VMARGS is "-" or a function printing VM v's own KEY=VALUEs.  ZERO
# "zero" shares zero pages.  Appends its samples to the timeline CSV.
timeline() {
  local name=$1 zero=$2 n=$3 spacing=$4 ages=$5 data=$6 vmargs=$7 v a s
  shift 7
  local args=() opts=() own=()
  [ "$zero" = zero ] && opts=(--zero-pages)
  say "$name: $n VMs"
  for ((v = 0; v < n; v++)); do
    s=$((v * spacing))
    own=()
    [ "$vmargs" = - ] || read -ra own <<<"$($vmargs $v)"
    for a in $($ages $s); do
      gen "$D/$name.$v.$a.raw" $((v + 1)) t="$a" data=$([ "$data" = same ] && echo 1 || echo $((data + v))) "$@" "${own[@]}"
      args+=("vm$v@$((s + a))=raw:0:$D/$name.$v.$a.raw")
    done
  done
  "${SHARE[@]}" "${opts[@]}" "${args[@]}" >"$D/$name.json"
  samples "$D/$name.json" "$name" >>"$OUT/$NAME.csv"
  rm -f "$D/$name".*.raw
}
# worst_args V: the rate and eviction of worst-case VM V's benchmark (the
# list WORST_BENCH); with HEAVY_SET set, that set of benchmarks is heavy.
worst_args() {
  local b
  b=$(echo $WORST_BENCH | cut -d' ' -f$(($1 + 1)))
  case " ${HEAVY_SET:-$WORST_HEAVY} " in *" $b "*) echo "$HEAVY" ;; *) echo "$LIGHT" ;; esac
}
timeline idle zero 30 180 ages_idle same - rate=$IDLE_RATE                                   # 7.2.1, Fig. 7.1
KB_JOB="dur=$KB_DUR wss=$KB_WSS stamped=$((KB_STAMPED * 4))k image=$KB_IMAGE" # a compile, less private= and copies= (four KEY=VALUEs: used unquoted)
timeline kbuild zero 25 1800 ages_kbuild same - $HEAVY $KB_JOB copies=$KB_COPIES private=$KB_PRIVATE # 7.2.2, Fig. 7.2
# sensitivity: the compile's file-system metadata shared (private=0), to give how far the measured share moves the row
timeline kbuild_nometa zero 25 1800 ages_kbuild same - $HEAVY $KB_JOB copies=$KB_COPIES private=0
timeline worst filter 10 300 ages_worst 100 worst_args dur=300 private=0                 # 7.5, Fig. 7.4
# sensitivity: OSDB and AIM (no memory demand stated in 7.1) counted heavy too
HEAVY_SET="$WORST_HEAVY osdb aim" timeline worst_all_heavy filter 10 300 ages_worst 100 worst_args dur=300 private=0
timeline web192 filter 8 0 ages_web 200 - mem=192m rate=$WEB_RATE start=300 private=0          # 7.6.2, Fig. 7.6

# ---- distributions (Table 7.2): idle pairs, zero pages filtered ----
say "distro: three pairs"
echo "pair,vm,reclaimed_kb" >"$D/distro.csv"
for pair in "debian 0 0" "gentoo 1 1" "mixed 0 1"; do
  set -- $pair
  gen "$D/d.a.raw" 1 distro="$2"
  gen "$D/d.b.raw" 2 distro="$3"
  "${SHARE[@]}" a=raw:0:"$D/d.a.raw" b=raw:0:"$D/d.b.raw" >"$D/distro.$1.json"
  jq -r --arg p "$1" '.vms[] | [$p, .name, .shared * 4] | @csv' "$D/distro.$1.json" | tr -d '"' >>"$D/distro.csv"
done
rm -f "$D"/d.*.raw

# What of the page cache a different build of the same packages could still
# share: its files that are not compiled code (neither ELF nor an ar archive),
# in pages of the generator's default files= directories.
say "distro: compiled and other pages of the page-cache files"
find /usr/lib/x86_64-linux-gnu /usr/bin -maxdepth 1 -type f -size +7c -printf '%s %p\n' | sort -k2 >"$D/files.txt"
# one 8-byte magic per file (every file here has at least 8 bytes), in order
cut -d' ' -f2- "$D/files.txt" | tr '\n' '\0' | xargs -0 head -qc 8 | od -An -v -tx1 -w8 | tr -d ' ' |
  paste -d' ' - "$D/files.txt" |
  awk 'BEGIN { print "kind,files,pages" }
    { k = ($1 ~ /^7f454c46/ || $1 == "213c617263683e0a") ? "compiled" : "other"; n[k]++; p[k] += int(($2 + 4095) / 4096) }
    END { printf "compiled,%d,%d\nother,%d,%d\n", n["compiled"], p["compiled"], n["other"], p["other"] }' >"$OUT/seed002_cache_kinds.csv"

# ---- VM size (Figs. 7.9-7.10): 4 Gentoo VMs compiling random packages for an hour ----
say "vmsize: 4 VMs x 64..448 MB (28 images, up to 1.8 GB at once)"
echo "mem_mib,pages,reclaimed_pages,reclaimed_percent" >"$OUT/seed002_vmsize.csv"
for m in 64 128 192 256 320 384 448; do
  ARGS=()
  for ((v = 0; v < 4; v++)); do
    gen "$D/vs.$v.raw" $((v + 1)) mem=${m}m distro=1 $HEAVY t=3600 private=0 \
      data=$((300 + v)) pool=$POOL common=$COMMON
    ARGS+=("vm$v=raw:0:$D/vs.$v.raw")
  done
  "${SHARE[@]}" "${ARGS[@]}" | jq -r --arg m $m '[($m | tonumber), .pages, .thesis.reclaimed,
    (.thesis.reclaimed / .pages * 100 * 1000 | round / 1000)] | @csv' >>"$OUT/seed002_vmsize.csv"
  rm -f "$D"/vs.*.raw
done

# ---- Potemkin (7.9): footprint of a second VM next to an idle one, zero pages shared ----
# The footprint is the machine memory the second VM adds to the idle one.
# booted: its own seed (own boot-time anon), sharing by content with the idle
# VM and within itself (zero pages shared): the machine pages of the pair
# less those of the idle VM alone (pages - reclaimed), so a page it holds
# several times costs one frame.  cloned: the idle VM's seed, and Potemkin's
# rule: a clone maps its parent's frames copy-on-write and shares nothing by
# content, so its footprint is the pages that differ from its parent's at
# cloning, frame by frame (its parent's own later writes break the parent's
# side only).
say "potemkin: booted and cloned VMs before and after a compile"
command -v python3 >/dev/null || { echo "figures: $NAME: needs python3 (Potemkin's frame-by-frame footprint)" >&2; exit 1; }
# footprint KIND IDLE SECOND: KB of machine memory SECOND adds to IDLE
# (booted: by content; cloned: frame by frame with the parent image p.a0)
machine() { "${SHARE[@]}" --zero-pages "$@" | jq -r '.pages - .thesis.reclaimed'; }
footprint() {
  if [ "$1" = booted ]; then
    echo $((($(machine a=raw:0:"$2" b=raw:0:"$3") - $(machine a=raw:0:"$2")) * 4))
  else
    python3 - "$D/p.a0.raw" "$3" <<'PY'
import sys
with open(sys.argv[1], "rb") as a, open(sys.argv[2], "rb") as b:
    n = 0
    while True:
        x, y = a.read(4096), b.read(4096)
        if not x and not y:
            break
        n += x != y
print(n * 4)
PY
  fi
}
echo "second_vm,when,footprint_kb" >"$D/potemkin.csv"
gen "$D/p.a0.raw" 1
gen "$D/p.a1.raw" 1 rate=$IDLE_RATE t=$KB_DUR
for second in "booted 2" "cloned 1"; do
  set -- $second
  gen "$D/p.b0.raw" "$2"
  gen "$D/p.b1.raw" "$2" $HEAVY $KB_JOB copies=$KB_COPIES t=$KB_DUR private=$KB_PRIVATE data=1
  echo "$1,initial,$(footprint "$1" "$D/p.a0.raw" "$D/p.b0.raw")" >>"$D/potemkin.csv"
  echo "$1,after_compile,$(footprint "$1" "$D/p.a1.raw" "$D/p.b1.raw")" >>"$D/potemkin.csv"
  # the same, each copy of the kernel image its own page (copies=1)
  gen "$D/p.b1.raw" "$2" $HEAVY $KB_JOB t=$KB_DUR private=$KB_PRIVATE data=1 copies=1
  echo "$1,after_compile_nocopies,$(footprint "$1" "$D/p.a1.raw" "$D/p.b1.raw")" >>"$D/potemkin.csv"
done
# sensitivity to the mapped share of the page cache (an estimate): the
# footprints after the compile with none and all of it kept
echo "mapped,second_vm,footprint_kb" >"$D/potemkin_mapped.csv"
for k in 0 1; do
  for second in "booted 2" "cloned 1"; do
    set -- $second
    gen "$D/p.b1.raw" "$2" rate=$KB_RATE evict=$KB_EVICT mapped=$k $KB_JOB copies=$KB_COPIES t=$KB_DUR private=$KB_PRIVATE data=1
    echo "$k,$1,$(footprint "$1" "$D/p.a1.raw" "$D/p.b1.raw")" >>"$D/potemkin_mapped.csv"
  done
done
rm -f "$D"/p.*.raw

# ---- overcommit (Fig. 7.7): idle 512 MB VMs, zero pages shared ----
# The machine pages that 2 and 4 idle VMs need after sharing; each further
# identical VM adds what the third and fourth added (their private pages).
say "overcommit: 2 and 4 idle 512 MB VMs"
OC=()
for ((v = 0; v < 4; v++)); do
  gen "$D/oc.$v.raw" $((v + 1)) mem=512m
  OC+=("vm$v=raw:0:$D/oc.$v.raw")
done
oc2=$(machine "${OC[@]:0:2}")
oc4=$(machine "${OC[@]}")
rm -f "$D"/oc.*.raw
# MiB of machine memory 60 such VMs need, and whether they fit in 2 GB with dom0's 64 MB (7.2)
oc60=$(awk -v a="$oc2" -v b="$oc4" 'BEGIN { printf "%.0f", (b + 56 * (b - a) / 2) * 4 / 1024 }')
oc_fit=$(awk -v m="$oc60" 'BEGIN { print (m + 64 <= 2048 ? "yes" : "no") }')

# ---- the results table: thesis value, vmemsim's, match (within 10%, or the same finding), kind ----
last() { awk -F, -v s="$1" -v c="$2" '$1 == s && $3 == "converged" { v = $c } END { print v }' "$OUT/$NAME.csv"; }
pick() { awk -F, -v a="$2" -v b="$3" '$1 == a && $2 == b { print $3 }' "$1"; }
pot() { awk -F, -v a="$1" -v b="$2" '$1 == a && $2 == b { print $3 }' "$D/potemkin.csv"; }
idle_shared=$(last idle 6)
idle_zero=$(awk -v s="$idle_shared" -v z="$(last idle 8)" 'BEGIN { printf "%.1f", z / s * 100 }')
kb_recl=$(last kbuild 7)
kb_gap=$(awk -F, '$1 == "kbuild" && $3 == "epoch" { g = $6 - $7; if (n++ == 0) f = g; l = g } END { printf "%.2f -> %.2f", f, l }' "$OUT/$NAME.csv")
worst=$(last worst 7)
web=$(last web192 7)
deb=$(awk -F, '$1 == "debian" { s += $3; n++ } END { print s / n }' "$D/distro.csv")
gen_=$(awk -F, '$1 == "gentoo" { s += $3; n++ } END { print s / n }' "$D/distro.csv")
mix=$(awk -F, '$1 == "mixed" { s += $3; n++ } END { print s / n }' "$D/distro.csv")
# VM size: where the reclaimed pages stop growing (the first size after which
# they grow by less than 5%), and whether they grew up to there.
vs_knee=$(awk -F, 'NR > 1 { m[++n] = $1; p[n] = $3 } END { k = m[n]; for (i = 1; i < n; i++) if (p[i + 1] < p[i] * 1.05) { k = m[i]; break }
  print k }' "$OUT/seed002_vmsize.csv")
vs_grow=$(awk -F, -v k="$vs_knee" 'NR > 1 { m[++n] = $1; p[n] = $3 } END { up = 1; for (i = 2; i <= n; i++) if (m[i] <= k && p[i] <= p[i - 1]) up = 0
  for (i = 1; i <= n; i++) if (m[i] == k) pk = p[i]
  printf "%s (%d pages at %d MB; %d at %d MB; %d at %d MB)", up ? "grows then flat" : "does not grow", p[1], m[1], pk, k, p[n], m[n] }' "$OUT/seed002_vmsize.csv")
vs_pct=$(awk -F, 'NR > 1 { if (!lo || $4 < lo) lo = $4; if ($4 > hi) hi = $4 } END { printf "%.1f-%.1f%%", lo, hi }' "$OUT/seed002_vmsize.csv")
vs_flat=$(awk -F, 'NR > 1 { if (!lo || $4 < lo) lo = $4; if ($4 > hi) hi = $4 } END { print (hi / lo <= 1.5 ? "yes" : "no") }' "$OUT/seed002_vmsize.csv")
cb0=$(pot booted initial) cc0=$(pot cloned initial) cb1=$(pot booted after_compile) cc1=$(pot cloned after_compile)

# within P% of a number, or of a range's ends
near() { awk -v v="$1" -v lo="$2" -v hi="${3:-$2}" 'BEGIN { print (v >= lo * 0.9 && v <= hi * 1.1 ? "yes" : "no") }'; }
yes_if() { if [ "$1" = "$2" ]; then echo yes; else echo no; fi; }
R=$OUT/seed002_results.csv
{
  echo "result,paper,vmemsim,match,kind"
  echo "Table 7.2 Debian pair: reclaimed per VM (KB),10347,$deb,$(near "$deb" 10347),fitted"
  echo "Table 7.2 Gentoo pair: reclaimed per VM (KB),11270,$gen_,$(near "$gen_" 11270),predicted"
  echo "Table 7.2 Debian + Gentoo: reclaimed per VM (KB),$T72_MIXED_KB,$mix,$(near "$mix" $T72_MIXED_KB),predicted"
  echo "7.4: same distribution shares more than mixed,yes,$(awk -v a="$deb" -v b="$mix" 'BEGIN { print (a > b ? "yes" : "no") }'),$(yes_if "$(awk -v a="$deb" -v b="$mix" 'BEGIN { print (a > b ? "yes" : "no") }')" yes),predicted"
  echo "Fig. 7.1 idle 30 x 64 MB: shared (% of memory),80,$idle_shared,$(near "$idle_shared" 80),predicted"
  echo "Fig. 7.1 idle: zero pages (% of shared),70,$idle_zero,$(near "$idle_zero" 70),predicted"
  echo "Fig. 7.2 kbuild 25 x 64 MB: reclaimed (% of memory),50,$kb_recl,$(near "$kb_recl" 50),predicted"
  echo "Fig. 7.2 kbuild: shared copies (shared - reclaimed) grow,yes,$kb_gap,$(awk -v g="$kb_gap" 'BEGIN { split(g, x, " -> "); print (x[2] > x[1] ? "yes" : "no") }'),predicted"
  echo "Fig. 7.4 worst case 10 x 64 MB: reclaimed (%),6-10,$worst,$(near "$worst" 6 10),predicted"
  echo "Fig. 7.6 192 MB VMs (SPECweb99): reclaimed (%),4-12,$web,$(near "$web" 4 12),predicted"
  echo "Fig. 7.10 reclaimed pages grow with VM size and then level off,grows then flat,$vs_grow,$(yes_if "${vs_grow%% (*}" "grows then flat"),fitted"
  echo "Fig. 7.10 VM size where the reclaimed pages level off (MB),384,$vs_knee,$(near "$vs_knee" 384),fitted"
  echo "Fig. 7.10 reclaimed % roughly the same at all sizes,roughly constant,$vs_pct,$vs_flat,predicted"
  echo "Fig. 7.7 60 idle 512 MB VMs fit in a 2 GB machine (zero pages shared),yes (overcommitted by ~29 GB),$oc_fit ($oc60 MiB + dom0 64 MiB),$(yes_if "$oc_fit" yes),predicted"
  echo "7.9 second VM booted next to an idle one: footprint (KB),4416,$cb0,$(near "$cb0" 4416),fitted"
  echo "7.9 cloned (Potemkin) footprint below booted one at first,yes (1064 < 4416),$cc0 < $cb0,$(awk -v a="$cc0" -v b="$cb0" 'BEGIN { print (a < b ? "yes" : "no") }'),structural"
  echo "7.9 booted VM after a compile: footprint (KB),56520,$cb1,$(near "$cb1" 56520),predicted"
  echo "7.9 cloned VM after a compile: footprint (KB),57572,$cc1,$(near "$cc1" 57572),predicted"
  echo "7.9 after a compile the booted VM's footprint is below the clone's,yes,$(awk -v a="$cb1" -v b="$cc1" 'BEGIN { print (a < b ? "yes" : "no") }'),$(awk -v a="$cb1" -v b="$cc1" 'BEGIN { print (a < b ? "yes" : "no") }'),predicted"
} >"$R"

# ---- why the rows that miss do, measured: generated:seed002-misses ----
# kbuild: a VM's pages after its compile, from the converged JSON
kb_vm=$(jq -r '[.vms[] | select(.pages > 0)] as $v | ($v | length) as $n |
  [$n, ($v[0].pages), ([$v[].shared] | add / $n), ([$v[] | .pages - .shared - .zero] | add / $n)] | @tsv' "$D/kbuild.json")
read -r kb_n kb_pages kb_shared kb_private <<<"$kb_vm"
# shared pages per VM for 50% reclaimed, with n VMs: each shared page saves (n-1)/n
kb_need=$(awk -v n="$kb_n" -v p="$kb_pages" 'BEGIN { printf "%.0f", 0.5 * p * n / (n - 1) }')
worst_range=$(awk -F, '$1 == "worst" && $3 == "epoch" && $4 >= 2 { if (lo == "" || $7 < lo) lo = $7; if ($7 > hi) hi = $7 }
  END { printf "%.1f-%.1f", lo, hi }' "$OUT/$NAME.csv")
worst_all=$(last worst_all_heavy 7)
pm() { awk -F, -v a="$1" -v b="$2" '$1 == a && $2 == b { print $3 }' "$D/potemkin_mapped.csv"; }
read -r k_comp k_other <<<"$(awk -F, '$1 == "compiled" { c = $3 } $1 == "other" { o = $3 } END { print c, o }' "$OUT/seed002_cache_kinds.csv")"
# idle: the zero pages of a VM at its start (the first sample, one VM)
idle_zero0=$(awk -F, '$1 == "idle" && $3 == "epoch" { print $8; exit }' "$OUT/$NAME.csv")
MISSES=$(awk -v is="$idle_shared" -v iz="$(last idle 8)" -v iz0="$idle_zero0" -v deb="$deb" -v kn="$kb_n" -v kp="$kb_pages" -v ks="$kb_shared" -v kv="$kb_private" -v need="$kb_need" -v kr="$kb_recl" \
  -v wr="$worst_range" -v w="$worst" -v wa="$worst_all" -v mix="$mix" -v kc="$k_comp" -v ko="$k_other" -v kf=$KB_FREE -v spb=$STRUCT_PAGE_BYTES -v gp=$GUEST_PAGES -v ppm=$PAGES_PER_MB -v t72m=$T72_MIXED_KB \
  -v cb1="$cb1" -v cc1="$cc1" -v nb="$(pot booted after_compile_nocopies)" -v nc="$(pot cloned after_compile_nocopies)" \
  -v ip="$(awk -v k="${KB_IMAGE%k}" 'BEGIN { printf "%d", (k + 3) / 4 }')" -v b0="$(pm 0 booted)" -v c0="$(pm 0 cloned)" -v b1="$(pm 1 booted)" -v c1="$(pm 1 cloned)" \
  -v kr0="$(last kbuild_nometa 7)" -v fp="$KB_PRIVATE" -v ftouch="$(awk -F, 'NR == 2 { print $1 + $2 }' "$FSMETA")" -v ffoot="$(awk -F, 'NR == 2 { print $9 }' "$FSMETA")" \
  -v km="$KB_MAPPED" -v kst=$KB_STAMPED -v ks06="$(awk -F, 'NR > 1 && $3 > m { m = $3 } END { print m }' "$OUT/seed002_stamped.csv")" "$AWK_TH"'
  BEGIN {
    # idle: the non-zero pages shared are the kernel and the page cache, the
    # same in every idle VM; the thesis'"'"'s two numbers need 80% x 30% of memory
    c = is - iz; nz = 80 * 0.3
    # the thesis'"'"'s own numbers of an idle 64 MB Debian VM: at boot (Table
    # 7.2'"'"'s Debian pair, 7.9'"'"'s booted footprint) and in Fig. 7.1
    t72 = 10347.2; b_sh = t72 / 65536 * 100; b_pr = 4416 / 65536 * 100; b_z = 100 - b_sh - b_pr
    e_z = 80 * 0.7; e_sh = 80 - e_z; e_pr = 100 - 80
    printf "- **Idle, zero pages** (%.1f%% of shared against 70%%). The thesis'"'"'s own numbers say where the difference lies. A booted idle Debian VM holds %.1f%% of its memory in pages another VM shares (Table 7.2: %s KB reclaimed per VM, the mean of the Debian pair), %.1f%% private (7.9: the 4,416 KB footprint) and %.1f%% zero pages. At the end of Fig. 7.1 it holds %.0f%% zero pages, %.0f%% other shared pages and %.0f%% private ones (80%% shared, 70%% of it zero pages). So the pages the idle VMs took from their zero pages (%.1f%% of memory) became shared %.0f%% of the time (%.1f points) and private otherwise. In the model they are %.1f%% of memory, near the thesis'"'"'s, but all private: the idle writes (1 page/s, an estimate) stand for logs and daemons'"'"' heaps, so the shared pages that are not zero pages stay at the boot-time %.1f%%. What an idle Debian VM reads or writes that other VMs hold too (cron jobs and daemons reading the same files, for one) is measured neither by the thesis nor here, and setting the share of the idle writes that other VMs hold too to %.0f%% would fit it on Fig. 7.1. (Table 7.2 does not give its VMs'"'"' size; the model takes 64 MB, which matters only for the percentages.)\n", iz / is * 100, b_sh, th(t72), b_pr, b_z, e_z, e_sh, e_pr, b_z - e_z, (e_sh - b_sh) / (b_z - e_z) * 100, e_sh - b_sh, iz0 - iz, is - iz, (e_sh - b_sh) / (b_z - e_z) * 100
    printf "- **kbuild** (%.1f%% reclaimed against 50%%). After its compile a VM has %s pages: %s shared (the kernel and the compile'"'"'s page cache, the same tree in every VM) and %s private (boot-time anonymous memory, the compiler'"'"'s working set and the build'"'"'s %s pages of outputs that carry its date, `stamped`, and its file-system metadata, `private`). With %d VMs each shared page saves (n-1)/n of a page, so 50%% needs %s shared pages per VM: %s (%.1f MiB) fewer than the model shares. The dated outputs are measured (docs/sharing.md, derived parameters) and move the row by %.1f points; even at the largest of the three banner places measured (%s pages) they are %.0f%% of the gap: two builds'"'"' streams differ after the banner only when the banner'"'"'s deflate block changes its length in bits, and most of the 25 streams share their tail with another VM'"'"'s. The file system'"'"'s metadata that carries each VM'"'"'s clock and its compilers'"'"' pids is measured on a real build (`seed002_fsmeta.sh`: %.2f%% of the build'"'"'s page-cache pages) and is private in the images: it moves the row from %.1f%% to %.1f%%. That build touched %s files in %s pages, most files of each inode-table block it read (32 inodes a block), so the share is a lower bound for a kernel tree of which a build reads a smaller part; one inode-table block per touched file would make it at most %.0f%%, and the thesis gives neither the configuration nor the part of the tree a build reads. The model has no other private memory of the compile beyond the working set (an estimate, 16 MiB); the thesis names \"application data left in memory by dead processes\" as shared, so its unshared rest is not identified. The inode and dentry caches (slab objects, not file pages) are private too and not modelled: their size after a compile in 64 MB needs a 64 MB guest running the compile.\n", kr, th(kp), th(ks), th(kv), th(kst), kn, th(need), th(ks - need), (ks - need) * 4 / 1024, kst * (kn - 1) / kn / kp * 100, th(ks06), ks06 / (ks - need + kst) * 100, fp * 100, kr0, kr, th(ftouch), th(ffoot), ftouch / ffoot * 100
    printf "- **Worst case** (%.1f%% at the end, %s%% over the timeline from the second VM). The benchmarks that 7.1 describes as demanding memory or the page cache write at the compile'"'"'s rate and recycle the page cache that no process maps; the other four (Crafty, OSDB, SPECweb99, AIM) keep theirs, so what stays shared is the kernel in every VM and the distribution'"'"'s page cache in those four. Counting OSDB and AIM as heavy too gives %.1f%%.\n", w, wr, wa
    printf "- **Debian + Gentoo** (%s KB against %s). The model shares only the kernel between distributions. The only page-cache pages a different build of the same packages could share are files that are not compiled code: of the default files= directories they are %s of %s pages (%.2f%%), measured on this machine, so they cannot supply the thesis'"'"'s other ~0.9 MB. The thesis guesses kernel structures, page cache and services'"'"' read-only data; the images have no kernel data beyond the image (docs/sharing.md, Limits). The kernel the two distributions share also builds its own data at boot before it reads any distribution file; the images hold none of it, and its size is not measured here. One such structure has bytes fixed by the kernel and the VM'"'"'s memory size alone, whatever the distribution: mem_map, one struct page per frame (%d bytes in 2.6.16 on i386, include/linux/mm.h), filled at boot by memmap_init_zone. A mem_map page holds the entries of %d frames; it is the same in two such VMs only where all of them are still free as the boot left them (zone bits and counts, and lru pointing to the entry itself, INIT_LIST_HEAD, at the same address in both). An allocated frame'"'"'s entry holds the VM'"'"'s own pointers (mapping, lru), and so do the heads of free blocks on the buddy lists, so the free frames give an upper bound. A booted 64 MB image has %s free frames: at most %s mem_map pages (%s KB). In the Debian pair they would be inside the fitted page cache (`cache` would shrink by as much, leaving the other rows where they are), so they move this row alone, to at most %s KB (%.0f%% of the thesis'"'"'s), %.0f%% of the gap. mem_map grows with the VM and the boot-time rest does not: it would supply the whole gap only in VMs of at least %.0f MB, all their free entries untouched. Table 7.2 does not give its VMs'"'"' size (the model takes 64 MB, the size of 7.2'"'"'s experiments), so this mechanism cannot be tested against it.\n", th(mix), th(t72m), th(ko), th(kc + ko), ko / (kc + ko) * 100, spb, 4096 / spb, th(kf), th(int(kf / (4096 / spb))), th(int(kf / (4096 / spb)) * 4), th(mix + int(kf / (4096 / spb)) * 4), (mix + int(kf / (4096 / spb)) * 4) / t72m * 100, int(kf / (4096 / spb)) * 4 / (t72m - mix) * 100, (gp - kf + (t72m - mix) / 4 * (4096 / spb)) / ppm
    printf "- **Potemkin order** (after the compile: booted %s KB, cloned %s KB; the thesis 56,520 and 57,572). A footprint is the machine memory the second VM adds to the idle one. The clone shares by frame, as Potemkin does: it keeps its parent'"'"'s frames until it writes them, so it keeps the kernel, the mapped page cache and its parent'"'"'s boot-time anonymous memory, which the booted VM holds privately (the 4,416 KB of the first row). The booted VM shares by content, with the idle VM and within itself. A kernel build leaves the image it links three times in its page cache (.tmp_vmlinux2 and vmlinux, linked from the same objects and layout, and vmlinux.bin, objcopy'"'"'s copy of vmlinux: `copies` in docs/sharing.md); content-based sharing keeps one frame of them, the clone all three. With each copy its own page the footprints would be %s and %s KB, the booted VM above the clone by the boot-time memory; the copies take %s KB off the booted VM, so it ends %s KB %s the clone (the thesis: 1,052 KB below). The order holds while fewer than %s of the image'"'"'s %s pages differ between .tmp_vmlinux2 and vmlinux: their kallsyms_addresses, 4 bytes a text symbol, differ and are counted as copies here. The image is the running kernel'"'"'s size (2,662 KiB), an estimate for the kernel the thesis compiled, whose configuration it does not give; at 2,662 KiB x %.2f the two footprints tie. The mapped share of the page cache (an estimate, 0.5) moves both footprints alike: with none kept they are %s and %s KB, with all of it %s and %s KB.\n", th(cb1), th(cc1), th(nb), th(nc), th(nb - cb1), th(cb1 < cc1 ? cc1 - cb1 : cb1 - cc1), cb1 < cc1 ? "below" : "above", th((cc1 - cb1) / 4), th(ip), (nb - nc) / (nb - cb1), th(b0), th(c0), th(b1), th(c1)
  }')
write_block "$ROOT/docs/figures.md" seed002-misses "$MISSES"

# ---- the figure: vmemsim's curves, the thesis's values as dashed lines ----
C=$OUT/$NAME.csv
plot "$NAME" "
set datafile separator ','
set multiplot layout 1,3 title 'Seed 002 at VM scale: vmemsim (points) and the thesis (dashed)'
set grid
set yrange [0:100]
set ylabel '% of running VMs memory'
set xlabel 'minutes'
set key bottom right font ',8'
set title 'idle, 30 x 64 MB (Fig. 7.1)'
plot '$C' using (strcol(1) eq 'idle' && strcol(3) eq 'epoch' ? \$2/60 : NaN):6 with linespoints pt 7 ps 0.4 title 'shared', \
     '' using (strcol(1) eq 'idle' && strcol(3) eq 'epoch' ? \$2/60 : NaN):8 with linespoints pt 5 ps 0.4 title 'zero', \
     80 with lines dt 2 lc 1 title 'thesis shared 80', 56 with lines dt 2 lc 2 title 'thesis zero 56 (70% of 80)'
set title 'kbuild, 25 x 64 MB (Fig. 7.2)'
set xlabel 'hours'
plot '$C' using (strcol(1) eq 'kbuild' && strcol(3) eq 'epoch' ? \$2/3600 : NaN):6 with linespoints pt 7 ps 0.4 title 'shared', \
     '' using (strcol(1) eq 'kbuild' && strcol(3) eq 'epoch' ? \$2/3600 : NaN):7 with linespoints pt 5 ps 0.4 title 'reclaimed', \
     50 with lines dt 2 lc 2 title 'thesis reclaimed 50'
set title 'worst case, 192 MB (Figs. 7.4, 7.6)'
set xlabel 'minutes'
set yrange [0:30]
set key top right
plot '$C' using (strcol(1) eq 'worst' && strcol(3) eq 'epoch' ? \$2/60 : NaN):7 with linespoints pt 7 ps 0.4 title 'worst: reclaimed', \
     '' using (strcol(1) eq 'web192' && strcol(3) eq 'epoch' ? \$2/60 : NaN):7 with linespoints pt 5 ps 0.4 title '192 MB web: reclaimed', \
     6 with lines dt 2 lc 1 title 'thesis worst 6-10', 10 with lines dt 2 lc 1 notitle, \
     4 with lines dt 4 lw 1.5 lc 2 title 'thesis 192 MB 4-12', 12 with lines dt 4 lw 1.5 lc 2 notitle
unset multiplot
"
tr ',' ' ' <"$OUT/seed002_vmsize.csv" | tail -n +2 >"$D/vmsize.dat"
plot seed002_vmsize "
set multiplot layout 1,2 title 'Reclaimed pages per VM size, 4 VMs (seed 002 Figs. 7.9-7.10)'
set grid
set xlabel 'VM size (MB)'
set ylabel 'reclaimed pages'
set arrow from 384, graph 0 to 384, graph 1 nohead dt 2 lc rgb 'gray'
set key bottom right
set label 'thesis: linear to 384 MB (dashed), then flat' at graph 0.3, graph 0.2
plot '$D/vmsize.dat' using 1:3 with linespoints pt 7 title 'vmemsim'
set ylabel '% of memory'
unset label
set label 'thesis: roughly constant' at graph 0.3, graph 0.2
set yrange [0:*]
plot '$D/vmsize.dat' using 1:4 with linespoints pt 7 title 'vmemsim'
unset multiplot
"

# ---- the docs' generated blocks ----
"$(dirname "$0")/seed002_table.sh"
