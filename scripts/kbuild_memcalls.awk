# kbuild_memcalls.awk: sums the memory system calls of a traced build, per
# process kind, for scripts/kbuild_measure.sh (docs/workloads.md, "kbuild,
# measured").  Input: the per-process files of
#   strace -ff -e trace=memory,execve -o PREFIX make ...
# (one file per pid, so no call is split by another process's).  A file's
# kind is the base name of the image its last successful execve loaded.
# Counted (calls and bytes): anonymous mmaps (MAP_ANONYMOUS without
# MAP_FIXED: the loader's MAP_FIXED zero fill of a library's .bss belongs to
# the library's file mapping, as do the file mappings themselves), munmaps of
# a range inside an anonymous mapping, brk growth and shrink (the change of
# the break between calls), madvise by advice, mremap, mprotect (calls only).
# Heap released = anonymous munmap + brk shrink + madvise(MADV_DONTNEED or
# MADV_FREE) + the part an mremap gives back: what the guest kernel takes
# out of the page tables while the process lives.
# Prints one row per kind:
#   kind procs anon_mmap_calls anon_mmap_bytes anon_munmap_calls
#   anon_munmap_bytes brk_grow_calls brk_grow_bytes brk_shrink_calls
#   brk_shrink_bytes madv_free_calls madv_free_bytes mremap_calls
#   mremap_shrink_calls mremap_shrink_bytes mprotect_calls
# Addresses are below 2^48, so doubles hold them exactly (mawk has no strtonum).

function hex(s,   i, c, v) {
    v = 0
    s = tolower(s)
    sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) {
        c = index("0123456789abcdef", substr(s, i, 1))
        if (c == 0)
            return -1
        v = v * 16 + c - 1
    }
    return v
}

function num(s) { return s ~ /^0x/ ? hex(s) : s + 0 }

# Adds the file just read to its kind's totals and forgets its mappings.
function flush_file(   k, i) {
    if (file == "")
        return
    k = kind == "" ? "(no exec)" : kind
    procs[k]++
    for (i = 1; i <= NQ; i++)
        tot[k, Q[i]] += cur[Q[i]]
    split("", cur)
    split("", anon_start)
    split("", anon_len)
    nanon = 0
    brk = -1
    kind = ""
}

BEGIN {
    NQ = split("anon_mmap_calls anon_mmap_bytes anon_munmap_calls anon_munmap_bytes " \
               "brk_grow_calls brk_grow_bytes brk_shrink_calls brk_shrink_bytes " \
               "madv_free_calls madv_free_bytes mremap_calls mremap_shrink_calls mremap_shrink_bytes mprotect_calls", Q, " ")
    brk = -1
}

FNR == 1 { flush_file(); file = FILENAME }

/unfinished|resumed|^\+\+\+|^---/ { next }

{
    name = $0
    sub(/\(.*/, "", name)
    args = $0
    sub(/^[a-z_0-9]*\(/, "", args)
    sub(/\)[ \t]*= .*$/, "", args)
    ret = $0
    sub(/.*\)[ \t]*= /, "", ret)
    sub(/ .*/, "", ret)
    if (ret == "-1")
        next                       # a failed call changes no mapping
    n = split(args, a, /, /)
}

name == "execve" { kind = a[1]; gsub(/"/, "", kind); sub(/.*\//, "", kind); next }

name == "mmap" {
    if (a[4] ~ /MAP_ANONYMOUS/ && a[4] !~ /MAP_FIXED/) {
        cur["anon_mmap_calls"]++
        cur["anon_mmap_bytes"] += a[2]
        nanon++
        anon_start[nanon] = hex(ret)
        anon_len[nanon] = a[2] + 0
    }
    next
}

name == "munmap" {
    addr = hex(a[1])
    for (i = 1; i <= nanon; i++)
        if (addr >= anon_start[i] && addr < anon_start[i] + anon_len[i]) {
            cur["anon_munmap_calls"]++
            cur["anon_munmap_bytes"] += a[2]
            break
        }
    next
}

name == "brk" {
    r = hex(ret)
    if (brk >= 0 && r > brk) { cur["brk_grow_calls"]++; cur["brk_grow_bytes"] += r - brk }
    if (brk >= 0 && r < brk) { cur["brk_shrink_calls"]++; cur["brk_shrink_bytes"] += brk - r }
    brk = r
    next
}

name == "madvise" {
    if (a[3] ~ /MADV_DONTNEED|MADV_FREE/) { cur["madv_free_calls"]++; cur["madv_free_bytes"] += a[2] }
    next
}

name == "mremap" {
    cur["mremap_calls"]++
    if (num(a[3]) < num(a[2])) {
        cur["mremap_shrink_calls"]++
        cur["mremap_shrink_bytes"] += num(a[2]) - num(a[3])
    }
    next
}

name == "mprotect" { cur["mprotect_calls"]++ }

END {
    flush_file()
    for (k in procs) {
        line = k " " procs[k]
        for (i = 1; i <= NQ; i++)
            line = line " " (tot[k, Q[i]] + 0)
        print line
    }
}
