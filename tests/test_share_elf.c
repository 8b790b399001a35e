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
 * each segment's file bytes at the next 4 KiB boundary; cut > 0 truncates. */
static void write_core(const char *path, const seg_spec *s, size_t n, bool xnum, long cut)
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
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(buf, 1, cut > 0 ? (size_t)cut : total, f);
    fclose(f);
    free(buf);
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

static void check_vmcore(const char *path, bool xnum)
{
    write_core(path, vmcore, 3, xnum, 0);
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
}

static void test_vmcore(void **state)
{
    (void)state;
    check_vmcore("share_vmcore.elf", false);
    check_vmcore("share_xnum.elf", true);
    remove("share_vmcore.elf");
    remove("share_xnum.elf");
}

static void test_process_core(void **state)
{
    (void)state;
    const seg_spec s[] = {
        {PT_LOAD, 0, 0x400000, 0, 2 * PG, 0},        /* not dumped (file mapping) */
        {PT_LOAD, 0, 0x7f0000000000ull, PG, PG, 0x33},
    };
    write_core("share_proc.core", s, 2, false, 0);
    share_image *img;
    vs_err err = {0};
    assert_int_equal(share_image_open_elf("share_proc.core", &img, &err), VS_OK);
    assert_int_equal(share_image_pages(img), 1);
    assert_int_equal(share_image_key(img, 0), 0x7f0000000000ull / PG);
    assert_int_equal(share_image_omitted(img), 2);
    share_image_free(img);
    remove("share_proc.core");
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

static void test_malformed(void **state)
{
    (void)state;
    const char *p = "share_bad.core";
    write_core(p, vmcore, 3, false, 2 * PG + PG / 2); /* cut inside the second PT_LOAD's data */
    expect_error(p, "truncated");
    write_core(p, vmcore, 3, false, sizeof(Elf64_Ehdr) + 20); /* cut inside the program headers */
    expect_error(p, "program headers");
    write_core(p, vmcore, 3, true, sizeof(Elf64_Ehdr) + 10); /* PN_XNUM, section header 0 cut */
    expect_error(p, "PN_XNUM");
    write_core(p, vmcore, 3, false, 10);
    expect_error(p, "ELF");
    seg_spec bad[] = {{PT_LOAD, 0x1000, 0, 2 * PG, PG, 1}}; /* filesz > memsz */
    write_core(p, bad, 1, false, 0);
    expect_error(p, "p_filesz");
    seg_spec overlap[] = {{PT_LOAD, 0x1000, 0, 2 * PG, 2 * PG, 1}, {PT_LOAD, 0x2000, 0, PG, PG, 2}};
    write_core(p, overlap, 2, false, 0);
    expect_error(p, "overlaps");
    seg_spec unaligned[] = {{PT_LOAD, 0x1234, 0, PG, PG, 1}};
    write_core(p, unaligned, 1, false, 0);
    expect_error(p, "aligned");
    seg_spec huge[] = {{PT_LOAD, 0x1000, 0, PG, 1ull << 60, 1}};
    write_core(p, huge, 1, false, 0);
    expect_error(p, "implausible");
    FILE *f = fopen(p, "wb");
    fputs("this is not an ELF core at all", f);
    fclose(f);
    expect_error(p, "not an ELF");

    /* through the command line: non-zero exit, the file and the offset on stderr */
    write_core(p, vmcore, 3, false, 2 * PG + PG / 2);
    int rc = system(VS_BINARY_DIR "/vmemsim share share_bad.core 2> share_bad.err");
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 1);
    f = fopen("share_bad.err", "r");
    char msg[1024] = {0};
    assert_true(fread(msg, 1, sizeof msg - 1, f) > 0);
    fclose(f);
    assert_non_null(strstr(msg, "share_bad.core"));
    assert_non_null(strstr(msg, "offset"));
    remove("share_bad.err");
    remove(p);
}

static void test_raw(void **state)
{
    (void)state;
    uint8_t buf[3 * PG];
    memset(buf, 7, sizeof buf);
    FILE *f = fopen("share.raw", "wb");
    fwrite(buf, 1, sizeof buf, f);
    fclose(f);
    share_image *img;
    vs_err err = {0};
    assert_int_equal(share_image_open_raw("share.raw", 0x2000, &img, &err), VS_OK);
    assert_int_equal(share_image_pages(img), 3);
    assert_int_equal(share_image_key(img, 0), 2);
    assert_int_equal(share_image_key(img, 2), 4);
    share_image_free(img);
    assert_int_equal(share_image_open_raw("share.raw", 0x2001, &img, &err), VS_E_USAGE);
    f = fopen("share.raw", "ab");
    fputc(1, f);
    fclose(f);
    assert_int_equal(share_image_open_raw("share.raw", 0, &img, &err), VS_E_FORMAT);
    assert_non_null(strstr(err.msg, "share.raw"));
    remove("share.raw");
}

static void gunzip(const char *from, const char *to)
{
    gzFile in = gzopen(from, "rb");
    assert_non_null(in);
    FILE *out = fopen(to, "wb");
    char buf[65536];
    int n;
    while ((n = gzread(in, buf, sizeof buf)) > 0)
        fwrite(buf, 1, (size_t)n, out);
    gzclose(in);
    fclose(out);
}

/* Two gcore dumps of `env -i /bin/sleep 30`, two runs: real sharing within and between. */
static void test_real_cores(void **state)
{
    (void)state;
    gunzip(VS_SOURCE_DIR "/tests/fixtures/share/sleep1.core.gz", "sleep1.core");
    gunzip(VS_SOURCE_DIR "/tests/fixtures/share/sleep2.core.gz", "sleep2.core");
    share_params p;
    share_params_defaults(&p, SHARE_KSM);
    share_cost cost;
    share_cost_defaults(&cost);
    vs_config cfg;
    cfg_defaults(&cfg);
    share_run *r = share_run_new(&p, &cost, &cfg);
    vs_err err = {0};
    share_image *a, *b;
    assert_int_equal(share_image_open_elf("sleep1.core", &a, &err), VS_OK);
    assert_int_equal(share_image_open_elf("sleep2.core", &b, &err), VS_OK);
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
    remove("sleep1.core");
    remove("sleep2.core");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vmcore), cmocka_unit_test(test_process_core), cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_raw),    cmocka_unit_test(test_real_cores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
