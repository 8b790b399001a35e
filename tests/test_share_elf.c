/*
 * test_share_elf.c: the snapshot readers -- hand-built ELF cores (vmcore
 * layout: p_paddr keys, p_filesz < p_memsz zero fill, PN_XNUM; process-core
 * layout: p_vaddr keys, undumped segments), raw images with a base, real
 * gcore dumps of two runs of one program (tests/fixtures/share), and
 * malformed dumps, which must fail with the file and the offset named --
 * also through `vmemsim share`, with a non-zero exit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "share/share.h"
#include "vs_test.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PG SHARE_PAGE_SIZE

typedef struct seg_spec {
    uint32_t type;
    uint64_t paddr, vaddr, filesz, memsz;
    uint8_t fill; /* byte value of the file part */
} seg_spec;

/* Writes ELF header, [section header 0 when xnum], program headers, then
 * each segment's file bytes at the next 4 KiB boundary, as the scratch file
 * `name`; cut > 0 truncates.  Returns its path (g_free it). */
static char *write_core(const char *name, const seg_spec *s, size_t n, bool xnum, long cut)
{
    size_t phoff = sizeof(Elf64_Ehdr) + (xnum ? sizeof(Elf64_Shdr) : 0);
    size_t off = (phoff + n * sizeof(Elf64_Phdr) + PG - 1) / PG * PG;
    size_t total = off;
    for (size_t i = 0; i < n; i++)
        total += (s[i].filesz + PG - 1) / PG * PG;
    uint8_t *buf = calloc(1, total);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_CORE;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phoff = phoff;
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = xnum ? PN_XNUM : (Elf64_Half)n;
    if (xnum) {
        eh->e_shoff = sizeof(Elf64_Ehdr);
        eh->e_shentsize = sizeof(Elf64_Shdr);
        eh->e_shnum = 1;
        Elf64_Shdr *sh = (Elf64_Shdr *)(buf + sizeof(Elf64_Ehdr));
        sh->sh_info = (Elf64_Word)n;
    }
    Elf64_Phdr *ph = (Elf64_Phdr *)(buf + phoff);
    for (size_t i = 0; i < n; i++) {
        ph[i].p_type = s[i].type;
        ph[i].p_paddr = s[i].paddr;
        ph[i].p_vaddr = s[i].vaddr;
        ph[i].p_filesz = s[i].filesz;
        ph[i].p_memsz = s[i].memsz;
        ph[i].p_offset = off;
        ph[i].p_align = PG;
        memset(buf + off, s[i].fill, s[i].filesz);
        off += (s[i].filesz + PG - 1) / PG * PG;
    }
    char *path = vt_write_file(name, buf, cut > 0 ? (size_t)cut : total);
    free(buf);
    return path;
}

static const uint8_t *page_of(const share_image *img, uint64_t key)
{
    for (size_t i = 0; i < share_image_pages(img); i++)
        if (share_image_key(img, i) == key)
            return share_image_data(img, i);
    return NULL;
}

static bool all(const uint8_t *p, uint8_t v, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (p[i] != v)
            return false;
    return true;
}

static const seg_spec vmcore[] = {
    {PT_NOTE, 0, 0, 0, 0, 0},
    {PT_LOAD, 0x0, 0xffff800000000000ull, 2 * PG, 2 * PG, 0x11},
    {PT_LOAD, 0x100000, 0, PG + PG / 2, 3 * PG, 0x22}, /* filesz < memsz: zero fill */
};

static void check_vmcore(const char *name, bool xnum)
{
    char *path = write_core(name, vmcore, 3, xnum, 0);
    share_image *img;
    vs_err err = {0};
    assert_int_equal(share_image_open_elf(path, &img, &err), VS_OK);
    assert_int_equal(share_image_pages(img), 5);
    assert_true(all(page_of(img, 0), 0x11, 0, PG));
    assert_true(all(page_of(img, 1), 0x11, 0, PG));
    assert_true(all(page_of(img, 0x100), 0x22, 0, PG));
    const uint8_t *half = page_of(img, 0x101);
    assert_true(all(half, 0x22, 0, PG / 2) && all(half, 0, PG / 2, PG));
    assert_true(all(page_of(img, 0x102), 0, 0, PG));
    assert_int_equal(share_image_omitted(img), 0);
    share_image_free(img);
    g_free(path);
}

static void test_vmcore(void **state)
{
    (void)state;
    check_vmcore("share_vmcore.elf", false);
    check_vmcore("share_xnum.elf", true);
}

static void test_process_core(void **state)
{
    (void)state;
    const seg_spec s[] = {
        {PT_LOAD, 0, 0x400000, 0, 2 * PG, 0},        /* not dumped (file mapping) */
        {PT_LOAD, 0, 0x7f0000000000ull, PG, PG, 0x33},
    };
    char *path = write_core("share_proc.core", s, 2, false, 0);
    share_image *img;
    vs_err err = {0};
    assert_int_equal(share_image_open_elf(path, &img, &err), VS_OK);
    assert_int_equal(share_image_pages(img), 1);
    assert_int_equal(share_image_key(img, 0), 0x7f0000000000ull / PG);
    assert_int_equal(share_image_omitted(img), 2);
    share_image_free(img);
    g_free(path);
}

static void expect_error(const char *path, const char *what)
{
    share_image *img = (share_image *)1;
    vs_err err = {0};
    assert_int_equal(share_image_open_elf(path, &img, &err), VS_E_FORMAT);
    assert_null(img);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "offset"));
    if (!strstr(err.msg, what))
        fail_msg("message '%s' lacks '%s'", err.msg, what);
}

#define BAD_CORE "share_bad.core"

/* A core written from the segments (cut as write_core does) must fail naming what. */
static void expect_core_error(const seg_spec *s, size_t n, bool xnum, long cut, const char *what)
{
    char *p = write_core(BAD_CORE, s, n, xnum, cut);
    expect_error(p, what);
    g_free(p);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_core_error(vmcore, 3, false, 2 * PG + PG / 2, "truncated"); /* cut inside the second PT_LOAD's data */
    expect_core_error(vmcore, 3, false, sizeof(Elf64_Ehdr) + 20, "program headers"); /* inside the headers */
    expect_core_error(vmcore, 3, true, sizeof(Elf64_Ehdr) + 10, "PN_XNUM"); /* section header 0 cut */
    expect_core_error(vmcore, 3, false, 10, "ELF");
    seg_spec bad[] = {{PT_LOAD, 0x1000, 0, 2 * PG, PG, 1}}; /* filesz > memsz */
    expect_core_error(bad, 1, false, 0, "p_filesz");
    seg_spec overlap[] = {{PT_LOAD, 0x1000, 0, 2 * PG, 2 * PG, 1}, {PT_LOAD, 0x2000, 0, PG, PG, 2}};
    expect_core_error(overlap, 2, false, 0, "overlaps");
    seg_spec unaligned[] = {{PT_LOAD, 0x1234, 0, PG, PG, 1}};
    expect_core_error(unaligned, 1, false, 0, "aligned");
    seg_spec huge[] = {{PT_LOAD, 0x1000, 0, PG, 1ull << 60, 1}};
    expect_core_error(huge, 1, false, 0, "implausible");
    static const char text[] = "this is not an ELF core at all";
    char *p = vt_write_file(BAD_CORE, text, strlen(text));
    expect_error(p, "not an ELF");
    g_free(p);

    /* through the command line: non-zero exit, the file and the offset on stderr */
    p = write_core(BAD_CORE, vmcore, 3, false, 2 * PG + PG / 2);
    char *out, *msg;
    assert_int_equal(vt_cli(VT_OPTS("share", p), &out, &msg), 1);
    assert_non_null(strstr(msg, BAD_CORE));
    assert_non_null(strstr(msg, "offset"));
    g_free(out);
    g_free(msg);
    g_free(p);
}

static void test_raw(void **state)
{
    (void)state;
    uint8_t buf[3 * PG + 1];
    memset(buf, 7, 3 * PG);
    buf[3 * PG] = 1;
    char *path = vt_write_file("share.raw", buf, 3 * PG);
    share_image *img;
    vs_err err = {0};
    assert_int_equal(share_image_open_raw(path, 0x2000, &img, &err), VS_OK);
    assert_int_equal(share_image_pages(img), 3);
    assert_int_equal(share_image_key(img, 0), 2);
    assert_int_equal(share_image_key(img, 2), 4);
    share_image_free(img);
    assert_int_equal(share_image_open_raw(path, 0x2001, &img, &err), VS_E_USAGE);
    g_free(path);
    path = vt_write_file("share.raw", buf, sizeof buf); /* one byte past the last page */
    assert_int_equal(share_image_open_raw(path, 0, &img, &err), VS_E_FORMAT);
    assert_non_null(strstr(err.msg, "share.raw"));
    g_free(path);
}

/* Decompresses the fixture `from` into the scratch file `name`; returns its path. */
static char *gunzip(const char *from, const char *name)
{
    gzFile in = gzopen(from, "rb");
    assert_non_null(in);
    GByteArray *data = g_byte_array_new();
    guint8 buf[65536];
    int n;
    while ((n = gzread(in, buf, sizeof buf)) > 0)
        g_byte_array_append(data, buf, (guint)n);
    gzclose(in);
    char *path = vt_write_file(name, data->data, data->len);
    g_byte_array_free(data, TRUE);
    return path;
}

/* Two gcore dumps of `env -i /bin/sleep 30`, two runs: real sharing within and between. */
static void test_real_cores(void **state)
{
    (void)state;
    char *core1 = gunzip(VS_SOURCE_DIR "/tests/fixtures/share/sleep1.core.gz", "sleep1.core");
    char *core2 = gunzip(VS_SOURCE_DIR "/tests/fixtures/share/sleep2.core.gz", "sleep2.core");
    share_run *r = vt_share_run(SHARE_KSM);
    vs_err err = {0};
    share_image *a, *b;
    assert_int_equal(share_image_open_elf(core1, &a, &err), VS_OK);
    assert_int_equal(share_image_open_elf(core2, &b, &err), VS_OK);
    assert_true(share_image_pages(a) > 20);
    assert_int_equal(share_run_add(r, "run1", 0, a, &err), VS_OK);
    assert_int_equal(share_run_add(r, "run2", 0, b, &err), VS_OK);
    assert_int_equal(share_run_exec(r, &err), VS_OK);
    share_model *m = share_run_model(r);
    share_counters c;
    share_model_counters(m, &c);
    assert_true(c.pages_sharing > 0);
    share_vm_stats s;
    share_model_vm_stats(m, 1, &s);
    assert_true(s.inter_saved > 0); /* the two runs share pages (libc data, zeroed heap) */
    share_run_free(r);
    g_free(core1);
    g_free(core2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vmcore), cmocka_unit_test(test_process_core), cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_raw),    cmocka_unit_test(test_real_cores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
