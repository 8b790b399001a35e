/*
 * share_elf.c: memory snapshots from ELF core files, read with libelf --
 * process cores (gdb gcore, the kernel's core dumps) and QEMU
 * dump-guest-memory vmcores (qemu dump/dump.c: one PT_LOAD per RAM block,
 * p_paddr = guest-physical start, memory after the notes).
 *
 * Rules: pages are keyed by p_paddr, or by p_vaddr when every PT_LOAD has
 * p_paddr 0 (process cores carry no physical addresses).  Bytes from p_filesz
 * to p_memsz are zero fill; a segment with p_filesz 0 was not dumped (gcore
 * skips unmodified file mappings, QEMU segments outside begin/length) and its
 * pages are counted as omitted.  e_phnum == PN_XNUM takes the count from
 * section header 0's sh_info (elf_getphdrnum).
 *
 * Invariants: every header and payload range is checked against the file
 * size before use, so a truncated or corrupt core is an error naming the file
 * and the byte offset, never a crash or a short read taken as zeros.
 */
#include "share_int.h"

#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Largest segment accepted: 64 GiB.  A corrupt p_memsz must not make the
 * reader zero-fill an absurd range; real vmcores split RAM per block. */
#define SEG_MAX_PAGES (1ull << 24)

typedef struct seg {
    uint64_t paddr, vaddr, filesz, memsz, offset, phoff;
    uint64_t addr; /* the key address: paddr, or vaddr in a process core */
} seg;

static int seg_cmp(const void *a, const void *b)
{
    const seg *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int load_segs(const char *path, Elf *elf, size_t len, seg **out, size_t *n_out, vs_err *err)
{
    GElf_Ehdr eh;
    if (!gelf_getehdr(elf, &eh))
        return vs_fail(err, VS_E_FORMAT, "%s: offset 0: bad ELF header (%s)", path, elf_errmsg(-1));
    if (eh.e_type != ET_CORE)
        return vs_fail(err, VS_E_FORMAT, "%s: offset 16: e_type %u, expected ET_CORE (4)", path, eh.e_type);
    size_t phsz = gelf_fsize(elf, ELF_T_PHDR, 1, EV_CURRENT);
    if (eh.e_phentsize != phsz)
        return vs_fail(err, VS_E_FORMAT, "%s: e_phentsize %u, expected %zu", path, eh.e_phentsize, phsz);
    if (eh.e_phnum == PN_XNUM) {
        size_t shsz = gelf_fsize(elf, ELF_T_SHDR, 1, EV_CURRENT);
        if (eh.e_shoff == 0 || eh.e_shoff > len || len - eh.e_shoff < shsz)
            return vs_fail(err, VS_E_FORMAT,
                           "%s: offset 0x%llx: e_phnum is PN_XNUM but section header 0 is outside the %zu-byte file",
                           path, (unsigned long long)eh.e_shoff, len);
    }
    size_t phnum = eh.e_phnum;
    if (eh.e_phnum == PN_XNUM && elf_getphdrnum(elf, &phnum) != 0)
        return vs_fail(err, VS_E_FORMAT, "%s: cannot count program headers (%s)", path, elf_errmsg(-1));
    if (eh.e_phoff > len || (len - eh.e_phoff) / phsz < phnum)
        return vs_fail(err, VS_E_FORMAT,
                       "%s: offset 0x%llx: %zu program headers of %zu bytes extend past the end of the %zu-byte file",
                       path, (unsigned long long)eh.e_phoff, phnum, phsz, len);
    seg *s = vs_calloc(phnum ? phnum : 1, sizeof *s);
    size_t n = 0;
    bool any_paddr = false;
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        uint64_t phoff = eh.e_phoff + i * phsz;
        if (!gelf_getphdr(elf, (int)i, &ph)) {
            free(s);
            return vs_fail(err, VS_E_FORMAT, "%s: offset 0x%llx: unreadable program header %zu (%s)", path,
                           (unsigned long long)phoff, i, elf_errmsg(-1));
        }
        if (ph.p_type != PT_LOAD)
            continue;
        if (ph.p_filesz > ph.p_memsz || (ph.p_filesz && (ph.p_offset > len || len - ph.p_offset < ph.p_filesz))) {
            free(s);
            if (ph.p_filesz > ph.p_memsz)
                return vs_fail(err, VS_E_FORMAT, "%s: offset 0x%llx: PT_LOAD %zu has p_filesz 0x%llx > p_memsz 0x%llx",
                               path, (unsigned long long)phoff, i, (unsigned long long)ph.p_filesz,
                               (unsigned long long)ph.p_memsz);
            return vs_fail(err, VS_E_FORMAT,
                           "%s: offset 0x%llx: PT_LOAD %zu needs bytes 0x%llx..0x%llx but the file ends at 0x%zx (truncated)",
                           path, (unsigned long long)phoff, i, (unsigned long long)ph.p_offset,
                           (unsigned long long)(ph.p_offset + ph.p_filesz), len);
        }
        any_paddr |= ph.p_paddr != 0;
        s[n++] = (seg){ph.p_paddr, ph.p_vaddr, ph.p_filesz, ph.p_memsz, ph.p_offset, phoff, 0};
    }
    for (size_t i = 0; i < n; i++)
        s[i].addr = any_paddr ? s[i].paddr : s[i].vaddr;
    qsort(s, n, sizeof *s, seg_cmp);
    *out = s;
    *n_out = n;
    return VS_OK;
}

static int add_seg(share_image *img, const char *path, const uint8_t *map, const seg *g, vs_err *err)
{
    if (g->addr % SHARE_PAGE_SIZE)
        return vs_fail(err, VS_E_FORMAT, "%s: offset 0x%llx: PT_LOAD at address 0x%llx is not 4 KiB aligned", path,
                       (unsigned long long)g->phoff, (unsigned long long)g->addr);
    uint64_t pages = g->memsz / SHARE_PAGE_SIZE + (g->memsz % SHARE_PAGE_SIZE != 0);
    if (pages > SEG_MAX_PAGES || g->addr / SHARE_PAGE_SIZE > UINT64_MAX / SHARE_PAGE_SIZE - pages)
        return vs_fail(err, VS_E_FORMAT, "%s: offset 0x%llx: PT_LOAD p_memsz 0x%llx at 0x%llx is implausible (max %llu pages)",
                       path, (unsigned long long)g->phoff, (unsigned long long)g->memsz, (unsigned long long)g->addr,
                       SEG_MAX_PAGES);
    if (g->filesz == 0) {
        /* not dumped: gcore's unmodified file mappings, QEMU ranges outside begin/length */
        img->omitted += pages;
        return VS_OK;
    }
    uint64_t first = g->addr / SHARE_PAGE_SIZE;
    char what[600];
    snprintf(what, sizeof what, "%s: offset 0x%llx: PT_LOAD overlaps an earlier one;", path,
             (unsigned long long)g->phoff);
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t at = i * SHARE_PAGE_SIZE;
        const uint8_t *data;
        if (at + SHARE_PAGE_SIZE <= g->filesz) {
            data = map + g->offset + at;
        } else if (at >= g->filesz) {
            data = share_zero_page; /* p_filesz < p_memsz: the tail is zero fill */
        } else {
            uint8_t *part = vs_calloc(1, SHARE_PAGE_SIZE);
            memcpy(part, map + g->offset + at, g->filesz - at);
            img->owned = vs_realloc(img->owned, (img->n_owned + 1) * sizeof *img->owned);
            img->owned[img->n_owned++] = part;
            data = part;
        }
        int rc = share_image_push(img, first + i, data, what, err);
        if (rc != VS_OK)
            return rc;
    }
    return VS_OK;
}

int share_image_open_elf(const char *path, share_image **out, vs_err *err)
{
    *out = NULL;
    size_t len;
    void *map;
    int rc = share_file_load(path, &map, &len, err);
    if (rc != VS_OK)
        return rc;
    if (len < EI_NIDENT) {
        if (map)
            munmap(map, len);
        return vs_fail(err, VS_E_FORMAT, "%s: offset %zu: file ends inside the ELF identification (16 bytes)", path,
                       len);
    }
    if (memcmp(map, ELFMAG, SELFMAG) != 0) {
        munmap(map, len);
        return vs_fail(err, VS_E_FORMAT, "%s: offset 0: not an ELF file (give a raw image as raw:BASE:PATH)", path);
    }
    elf_version(EV_CURRENT);
    Elf *elf = elf_memory(map, len);
    seg *segs = NULL;
    size_t n = 0;
    share_image *img = NULL;
    if (!elf || elf_kind(elf) != ELF_K_ELF) {
        rc = vs_fail(err, VS_E_FORMAT, "%s: offset 0: unreadable ELF header (%s)", path, elf_errmsg(-1));
        goto out;
    }
    GElf_Ehdr eh;
    if (!gelf_getehdr(elf, &eh)) {
        rc = vs_fail(err, VS_E_FORMAT, "%s: offset 0: ELF header truncated or corrupt (%s)", path, elf_errmsg(-1));
        goto out;
    }
    rc = load_segs(path, elf, len, &segs, &n, err);
    if (rc != VS_OK)
        goto out;
    if (n == 0) {
        rc = vs_fail(err, VS_E_FORMAT, "%s: offset 0x%llx: no PT_LOAD segments", path, (unsigned long long)eh.e_phoff);
        goto out;
    }
    img = share_image_new(path);
    img->map = map;
    img->map_len = len;
    map = NULL;
    for (size_t i = 0; i < n && rc == VS_OK; i++)
        rc = add_seg(img, path, img->map, &segs[i], err);
out:
    if (elf)
        elf_end(elf);
    free(segs);
    if (map)
        munmap(map, len);
    if (rc != VS_OK) {
        share_image_free(img);
        return rc;
    }
    *out = img;
    return VS_OK;
}
