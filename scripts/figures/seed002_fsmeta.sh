#!/usr/bin/env bash
# seed002_fsmeta.sh: seed 002's kbuild VMs (7.2.2), measured on a real build:
# which of a compile's page-cache pages are private to the VM that compiled.
#
# The VMs compile the same tree, so the files' pages (sources read, objects
# written) hold the same bytes in every VM: the page cache keys them by file
# and offset, wherever the blocks lie on disk.  The file system's own blocks
# in the buffer cache do not: on ext2/ext3 of Linux 2.6.16,
#  - every read writes the file's access time into its inode (relatime came
#    with 2.6.20 and became the default in 2.6.30), and every write its
#    modification and change times, so each inode-table block holding a file
#    the build touched carries that VM's clock;
#  - a new file's first block is placed at a goal coloured by the writer's pid
#    (`colour = (current->pid % 16) * (blocks per group / 16)` in
#    ext3_find_near, fs/ext3/inode.c, as in 2.6.15-rc1), so the block bitmap,
#    the superblock's free counts and a written file's indirect block differ
#    between VMs whose compilers ran under other pids.
# The script builds one file-system image with Debian Sarge's mke2fs defaults
# (4 KiB blocks, 128-byte inodes), copies this repository's C tree into it,
# and compiles it twice, in two copies of the image, as two VMs would: each
# .c to a .o and a .d beside it, one at a time, with the image mounted ext2
# (the journal's blocks are on disk, not in the page cache) and strictatime
# (2.6.16's atime).  The pages that differ between the two images and are
# not file data are the build's private metadata; the build's page-cache
# footprint is the pages of the tree's files it read or wrote plus those.
# The images are written by this machine's ext2 driver, which keeps the two
# mechanisms above (atime by mount option, the pid colour in ext2_find_near).
# Writes docs/figures/seed002_fsmeta.csv, which seed002_vmscale.sh reads as
# the share of a compile's pages that are private (its `private=`).
#   usage: scripts/figures/seed002_fsmeta.sh   (as root: loop mounts; needs
#   mkfs.ext3 and debugfs from e2fsprogs, and gcc; see lib.sh for FIG_WORK)
source "$(dirname "$0")/lib.sh"
NAME=seed002_fsmeta
[ "$(id -u)" = 0 ] || { echo "figures: $NAME.sh mounts file-system images: run it as root" >&2; exit 1; }
for t in mkfs.ext3 debugfs gcc cmp; do
  command -v $t >/dev/null || { echo "figures: $NAME.sh needs $t" >&2; exit 1; }
done
GEN=$(dirname "$VMEMSIM")/generated # the build's generated headers, read from outside the image
[ -d "$GEN" ] || { echo "figures: $NAME.sh: no $GEN (the build directory of $VMEMSIM)" >&2; exit 1; }
D=$WORK/$NAME
mkdir -p "$D/mnt"
umount "$D/mnt" 2>/dev/null || true
trap 'umount "$D/mnt" 2>/dev/null || true' EXIT
BLOCK=4096
INODE=128 # Debian Sarge's mke2fs 1.37 (/etc/mke2fs.conf of e2fsprogs 1.37: inode_size = 128)
rm -f "$D"/*.img
truncate -s 256M "$D/base.img"
mkfs.ext3 -q -F -b $BLOCK -I $INODE "$D/base.img" 2>/dev/null
mount -t ext2 -o loop "$D/base.img" "$D/mnt"
tar -C "$ROOT" --sort=name -cf - sim workloads | tar -x -C "$D/mnt"
umount "$D/mnt"

# build IMAGE: one VM's compile of the tree, as kbuild does it (-MD beside the object)
build() {
  cp --sparse=always "$D/base.img" "$1"
  mount -t ext2 -o loop,strictatime "$1" "$D/mnt"
  date +%s >"$1.start"
  sleep 1 # a VM's build starts after its tree was copied: the times differ
  # shellcheck disable=SC2046 # pkg-config prints several flags
  (cd "$D/mnt" && find sim workloads -name '*.c' | sort | while read -r f; do
    gcc -O0 -w -std=c11 -D_GNU_SOURCE -DVS_SOURCE_DIR_BUILT='"/src"' -DVS_VERSION='"0"' -Isim -I. -I"$GEN" \
      $(pkg-config --cflags glib-2.0) -MD -c "$f" -o "${f%.c}.o" 2>/dev/null || true
  done)
  # the tree's files the build read (atime) or wrote (mtime): pages, and written files with an indirect block
  find "$D/mnt" -type f -newermt "@$(cat "$1.start")" -printf 'w %s\n' >"$1.files"
  find "$D/mnt" -type f ! -newermt "@$(cat "$1.start")" -newerat "@$(cat "$1.start")" -printf 'r %s\n' >>"$1.files"
  umount "$D/mnt"
}
build "$D/a.img"
build "$D/b.img"

# the 4 KiB blocks that differ between the two VMs' images
{ cmp -l "$D/a.img" "$D/b.img" || true; } | awk -v b=$BLOCK '{ k = int(($1 - 1) / b); if (k != last) print k; last = k }' >"$D/differ.txt"
# owner KIND IMAGE: of the differing blocks, those an inode of that kind owns in the image
owners() {
  debugfs -R "icheck $(tr '\n' ' ' <"$D/differ.txt")" "$2" 2>/dev/null | awk 'NR > 1 && $2 ~ /^[0-9]+$/ { print $1, $2 }' >"$D/own.txt"
  awk '{ print $2 }' "$D/own.txt" | sort -u | while read -r i; do
    echo "$i $(debugfs -R "stat <$i>" "$2" 2>/dev/null | awk '/Type:/ { print $4; exit }')"
  done >"$D/types.txt"
  awk -v k="$1" 'NR == FNR { t[$1] = $2; next } t[$2] == k { print $1 }' "$D/types.txt" "$D/own.txt"
}
{ owners regular "$D/a.img"; owners regular "$D/b.img"; } | sort -u >"$D/data.txt"
dirs=$({ owners directory "$D/a.img"; owners directory "$D/b.img"; } | sort -u | wc -l)
unowned=$(sort -u "$D/differ.txt" | comm -23 - <(sort -u "$D/data.txt") | wc -l)
unowned=$((unowned - dirs))
awk -v b=$BLOCK -v un="$unowned" -v dirs="$dirs" '
  { p = int(($2 + b - 1) / b); n[$1]++; if ($1 == "w") { w += p; if (p > 12) ind++ } else r += p }
  END {
    meta = un + dirs + ind
    print "files_read,files_written,read_pages,written_pages,inode_table_bitmap_super_pages,directory_pages,indirect_pages,private_metadata_pages,footprint_pages,private_share"
    printf "%d,%d,%d,%d,%d,%d,%d,%d,%d,%.4f\n", n["r"], n["w"], r, w, un, dirs, ind, meta, r + w + meta, meta / (r + w + meta) }' "$D/a.img.files" >"$OUT/$NAME.csv"
rm -f "$D"/*.img
cat "$OUT/$NAME.csv" >&2
