/*
 * test_share_guestmem.c: the guest-memory image generator (`vmemsim gen
 * guestmem`, workloads/wl_guestmem.c) and `vmemsim share` timelines over its
 * images.
 *   - Zero pages match the parameters exactly: free = mem - kernel - cache -
 *     anon pages, less one per workload write until none are left.  The
 *     page-cache files are made here with no zero page in them, so the count
 *     has no tolerance.
 *   - The parts share as built: kernel and cache between VMs of one
 *     distribution, the kernel only across distributions, nothing of anon;
 *     a tools pool once per VM, shared between VMs; a VM that caches only
 *     part of the pool holds its leading (most used) pages, the same in
 *     every VM, so two such VMs share exactly that part.
 *   - evict=1 (a workload that demands memory: seed 002's worst case)
 *     recycles the page cache, oldest page first, once the free pages are
 *     written: exactly the cache pages written over stop being shared.
 *   - mapped= keeps the leading share of the page cache (the pages running
 *     processes map) out of eviction; checked against a naive model that
 *     replays the writes over a list of frames, oldest first.
 *   - stamped= makes the job's last pages private to the run (outputs that
 *     embed the time of the build): before the job reaches them the VMs
 *     share every write, after it exactly those pages are not shared.
 *   - private=p makes a binomial share p of the job's writes each VM's own.
 *   - copies= x image= makes the job's writes just before its stamped ones
 *     copies of one output: exactly (copies - 1) x image fewer distinct
 *     written pages in a VM, the same ones in every VM, counted against a
 *     naive set of the written pages' contents.
 *   - A timeline over the images is deterministic: the same seeds give the
 *     same JSON report, byte for byte; another VM seed changes the bytes.
 *   - A seeded fault (one page of the cache overwritten) moves the shared
 *     count, so the exact-count check can fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vs_test.h"
#include "workloads/workloads.h"

#define PG 4096u
#define MEM_PAGES 1024u   /* mem=4m */
#define KERNEL_PAGES 16u  /* kernel=64k */
#define CACHE_PAGES 50u   /* cache=200k */
#define ANON_PAGES 25u    /* anon=100k */
#define FREE_PAGES (MEM_PAGES - KERNEL_PAGES - CACHE_PAGES - ANON_PAGES)

/* A directory of page-cache files whose pages are never all zero. */
static const char *files_dir(void)
{
    static char *dir;
    if (dir)
        return dir;
    dir = vt_path("gm_files");
    assert_int_equal(mkdir(dir, 0755), 0);
    static const size_t sizes[] = {40000, 100 * PG + 17, 3 * PG, 77777};
    uint64_t s = 42;
    for (size_t i = 0; i < VS_ARRAY_LEN(sizes); i++) {
        unsigned char *b = malloc(sizes[i]);
        for (size_t j = 0; j < sizes[i]; j++)
            b[j] = (unsigned char)(vs_rng_next(&s) | 1); /* odd bytes: no page is all zero */
        char *p = g_strdup_printf("%s/f%zu.so", dir, i);
        assert_true(g_file_set_contents(p, (const char *)b, (gssize)sizes[i], NULL));
        g_free(p);
        free(b);
    }
    return dir;
}

/* Generates an image with the test's sizes and extra keys; returns its path. */
static char *gen(const char *name, uint64_t seed, const char *const *extra)
{
    char *files = g_strdup_printf("files=%s", files_dir());
    const char *kv[16] = {"mem=4m", "kernel=64k", "cache=200k", "anon=100k", files};
    int n = 5;
    for (; extra && *extra; extra++)
        kv[n++] = *extra;
    char *path = vt_path(name);
    vs_err err = {0};
    if (wl_generate("guestmem", n, (char **)kv, seed, path, &err) != VS_OK)
        fail_msg("gen guestmem: %s", err.msg);
    g_free(files);
    return path;
}

static share_image *open_img(const char *path)
{
    share_image *img;
    vs_err err = {0};
    if (share_image_open_raw(path, 0, &img, &err) != VS_OK)
        fail_msg("%s", err.msg);
    return img;
}

static size_t zero_pages(const char *path)
{
    share_image *img = open_img(path);
    assert_int_equal(share_image_pages(img), MEM_PAGES);
    static const uint8_t zero[PG];
    size_t z = 0;
    for (size_t i = 0; i < share_image_pages(img); i++)
        z += memcmp(share_image_data(img, i), zero, PG) == 0;
    share_image_free(img);
    return z;
}

static void test_zero_pages_match(void **state)
{
    (void)state;
    /* rate=10 pages/s from start=5 s: writes = floor(10 (t - 5)), capped by free pages */
    static const struct {
        const char *t;
        size_t writes;
    } cases[] = {{"t=0", 0}, {"t=5", 0}, {"t=20.05", 150}, {"t=50", 450}, {"t=500", FREE_PAGES}};
    for (size_t i = 0; i < VS_ARRAY_LEN(cases); i++) {
        const char *const kv[] = {"rate=10", "start=5", cases[i].t, "wss=40k", NULL};
        char *p = gen("gm_zero.raw", 1, kv);
        size_t want = FREE_PAGES - (cases[i].writes < FREE_PAGES ? cases[i].writes : FREE_PAGES);
        assert_int_equal(zero_pages(p), want);
        g_free(p);
    }
    /* dur= stops the writes */
    const char *const kv[] = {"rate=10", "dur=3", "t=100", NULL};
    char *p = gen("gm_zero.raw", 1, kv);
    assert_int_equal(zero_pages(p), FREE_PAGES - 30);
    g_free(p);
}

static void test_errors(void **state)
{
    (void)state;
    char *path = vt_path("gm_bad.raw");
    static const char *const bad[][2] = {{"mem=64k", "kernel=64k"},  /* kernel + cache + anon > mem */
                                         {"common=0.5", "rate=1"},    /* common without pool */
                                         {"mem=16m", "wss=8m"},       /* working set bigger than free memory */
                                         {"files=", "rate=1"}};
    for (size_t i = 0; i < VS_ARRAY_LEN(bad); i++) {
        vs_err err = {0};
        assert_int_equal(wl_generate("guestmem", 2, (char **)bad[i], 1, path, &err), VS_E_USAGE);
        assert_non_null(strstr(err.msg, "guestmem"));
    }
    g_free(path);
}

/* The report flattened to "path=value" lines, led by a newline. */
static void add_line(void *ctx, const char *path, const char *value)
{
    g_string_append_printf(ctx, "\n%s=%s", path, value);
}

static char *report(const char *const *paths, const char *const *names, const double *ts, size_t n,
                    bool zero)
{
    share_params p;
    share_params_defaults(&p, SHARE_XEN);
    p.zero_pages = zero;
    share_cost c;
    share_cost_defaults(&c);
    vs_config cfg;
    cfg_defaults(&cfg);
    share_run *r = share_run_new(&p, &c, &cfg);
    vs_err err = {0};
    for (size_t i = 0; i < n; i++)
        assert_int_equal(share_run_add(r, names[i], ts[i], open_img(paths[i]), &err), VS_OK);
    assert_int_equal(share_run_exec(r, &err), VS_OK);
    GString *flat = g_string_new("");
    jw *w = jw_new_flat(add_line, flat);
    share_run_report(r, w);
    jw_free(w);
    share_run_free(r);
    return g_string_free(flat, FALSE);
}

/* A top-level counter of the flattened report ("\nkey=value\n"). */
static uint64_t field(const char *report, const char *key)
{
    char *k = g_strdup_printf("\n%s=", key);
    const char *at = strstr(report, k);
    if (!at)
        fail_msg("no %s in the report", key);
    uint64_t v = strtoull(at + strlen(k), NULL, 10);
    g_free(k);
    return v;
}

static void test_parts_share_as_built(void **state)
{
    (void)state;
    const char *const deb[] = {"distro=0", NULL}, *const gen2[] = {"distro=7", NULL};
    char *a = gen("gm_a.raw", 1, deb), *b = gen("gm_b.raw", 2, deb), *g = gen("gm_g.raw", 3, gen2);
    const char *names[] = {"a", "b"};
    const double ts[] = {0, 0};
    /* zero pages filtered: same distribution shares kernel + cache, 2 pages per content */
    const char *same[] = {a, b};
    char *j = report(same, names, ts, 2, false);
    assert_int_equal(field(j, "pages_shared"), KERNEL_PAGES + CACHE_PAGES);
    assert_int_equal(field(j, "pages_sharing"), KERNEL_PAGES + CACHE_PAGES);
    g_free(j);
    /* another distribution: the kernel only */
    const char *mixed[] = {a, g};
    j = report(mixed, names, ts, 2, false);
    assert_int_equal(field(j, "pages_sharing"), KERNEL_PAGES);
    g_free(j);
    /* the seeded fault: one cache page of b changed, one share fewer */
    FILE *f = fopen(b, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, (long)(KERNEL_PAGES + 3) * PG + 100, SEEK_SET), 0);
    assert_int_equal(fputc(0, f) != EOF && fputc(0, f) != EOF, 1);
    fclose(f);
    j = report(same, names, ts, 2, false);
    assert_int_equal(field(j, "pages_sharing"), KERNEL_PAGES + CACHE_PAGES - 1);
    g_free(j);
    g_free(a);
    g_free(b);
    g_free(g);
    /* a workload with a tools pool of 25 pages, all cached by both VMs (none
     * twice): kernel + cache + pool shared, nothing within a VM */
    const char *const tools[] = {"rate=1000", "t=10", "private=0.5", "common=0.5", "pool=100k", NULL};
    const char *const tools2[] = {"rate=1000", "t=10", "private=0.5", "common=0.5", "pool=100k", "data=9", NULL};
    char *p1 = gen("gm_p1.raw", 1, tools), *p2 = gen("gm_p2.raw", 2, tools2);
    const char *pools[] = {p1, p2};
    j = report(pools, names, ts, 2, false);
    assert_int_equal(field(j, "pages_sharing"), KERNEL_PAGES + CACHE_PAGES + 25);
    assert_int_equal(field(j, "within_vm_percent"), 0);
    g_free(j);
    g_free(p1);
    g_free(p2);
    /* a pool of 75 pages of which each VM caches floor(0.05 x 933) = 46: the
     * same 46 in both VMs, whatever their seeds */
    const char *const part1[] = {"rate=1000", "t=10", "common=0.05", "pool=300k", NULL};
    const char *const part2[] = {"rate=1000", "t=10", "common=0.05", "pool=300k", "data=9", NULL};
    p1 = gen("gm_p1.raw", 1, part1);
    p2 = gen("gm_p2.raw", 7, part2);
    const char *parts[] = {p1, p2};
    j = report(parts, names, ts, 2, false);
    assert_int_equal(field(j, "pages_sharing"), KERNEL_PAGES + CACHE_PAGES + 46);
    g_free(j);
    g_free(p1);
    g_free(p2);
}

static void test_evict_recycles_cache(void **state)
{
    (void)state;
    static const struct {
        const char *t; /* rate=1 page/s: t writes */
        uint64_t sharing;
    } cases[] = {
        {"t=933", KERNEL_PAGES + CACHE_PAGES},      /* the free pages only */
        {"t=953", KERNEL_PAGES + CACHE_PAGES - 20}, /* and the 20 oldest cache pages */
        {"t=5000", KERNEL_PAGES},                   /* all of the cache, again and again */
    };
    _Static_assert(FREE_PAGES == 933, "the cases count writes from 933 free pages");
    char *idle = gen("gm_e0.raw", 1, NULL);
    const char *names[] = {"idle", "busy"};
    const double ts[] = {0, 0};
    for (size_t i = 0; i < VS_ARRAY_LEN(cases); i++) {
        const char *const kv[] = {"rate=1", cases[i].t, "evict=1", NULL};
        char *busy = gen("gm_e1.raw", 2, kv);
        const char *pair[] = {idle, busy};
        char *j = report(pair, names, ts, 2, false);
        assert_int_equal(field(j, "pages_sharing"), cases[i].sharing);
        g_free(j);
        g_free(busy);
    }
    g_free(idle);
}

/* The naive model of eviction: a list of the frames writes may replace
 * (free pages, then the unmapped cache, oldest first), written round robin
 * one write at a time; the cache pages still unwritten stay shared. */
static uint64_t naive_sharing(uint64_t writes, uint64_t mapped)
{
    uint64_t n = FREE_PAGES + CACHE_PAGES - mapped;
    bool *written = calloc(n, sizeof *written);
    for (uint64_t w = 0; w < writes; w++)
        written[w % n] = true;
    uint64_t shared = KERNEL_PAGES + mapped;
    for (uint64_t i = FREE_PAGES; i < n; i++)
        shared += !written[i];
    free(written);
    return shared;
}

static void test_mapped_cache_kept(void **state)
{
    (void)state;
    static const char *const fractions[] = {"mapped=0", "mapped=0.3", "mapped=1"};
    static const uint64_t mapped_pages[] = {0, 15, CACHE_PAGES}; /* floor(f x 50) */
    static const uint64_t writes[] = {900, 940, 960, 5000};
    char *idle = gen("gm_m0.raw", 1, NULL);
    const char *names[] = {"idle", "busy"};
    const double ts[] = {0, 0};
    for (size_t i = 0; i < VS_ARRAY_LEN(fractions); i++)
        for (size_t k = 0; k < VS_ARRAY_LEN(writes); k++) {
            char *t = g_strdup_printf("t=%llu", (unsigned long long)writes[k]);
            const char *const kv[] = {"rate=1", t, "evict=1", fractions[i], NULL};
            char *busy = gen("gm_m1.raw", 2, kv);
            const char *pair[] = {idle, busy};
            char *j = report(pair, names, ts, 2, false);
            assert_int_equal(field(j, "pages_sharing"), naive_sharing(writes[k], mapped_pages[i]));
            g_free(j);
            g_free(busy);
            g_free(t);
        }
    g_free(idle);
}

static void test_stamped_outputs(void **state)
{
    (void)state;
    /* 10 pages/s for 50 s: 500 writes of one data set, no eviction (933 free
     * pages); stamped=40k: writes 490..499 are each VM's own */
    static const struct {
        const char *t, *stamped;
        uint64_t data_shared;
    } cases[] = {
        {"t=45", "stamped=40k", 450},  /* the job has not reached its stamped outputs */
        {"t=49.5", "stamped=40k", 490}, /* five of them written */
        {"t=100", "stamped=40k", 490},  /* done: all ten private */
        {"t=100", "stamped=0", 500},    /* no stamped outputs */
        {"t=100", "stamped=4m", 0},     /* more than the job writes: all of it */
    };
    const char *names[] = {"a", "b"};
    const double ts[] = {0, 0};
    for (size_t i = 0; i < VS_ARRAY_LEN(cases); i++) {
        const char *const kv[] = {"rate=10", "dur=50", "data=1", "private=0", cases[i].t, cases[i].stamped, NULL};
        char *a = gen("gm_s1.raw", 1, kv), *b = gen("gm_s2.raw", 2, kv);
        const char *pair[] = {a, b};
        char *j = report(pair, names, ts, 2, false);
        assert_int_equal(field(j, "pages_sharing"), KERNEL_PAGES + CACHE_PAGES + cases[i].data_shared);
        g_free(j);
        g_free(a);
        g_free(b);
    }
}

/* private=p: a share p of the job's writes (after wss) are each VM's own, the
 * rest the data set's pages, the same in every VM that runs the job on that
 * data (seed 002's kbuild: p is the compile's file-system metadata, measured
 * by scripts/figures/seed002_fsmeta.sh).  900 writes, no eviction: the pages
 * the two VMs share are a binomial draw of 900 x (1 - p), within 4 sigma. */
static void test_private_share(void **state)
{
    (void)state;
    static const char *const ps[] = {"private=0", "private=0.0173", "private=0.25", "private=1"};
    static const double p[] = {0, 0.0173, 0.25, 1};
    const char *names[] = {"a", "b"};
    const double ts[] = {0, 0};
    for (size_t i = 0; i < VS_ARRAY_LEN(ps); i++) {
        const char *const kv[] = {"rate=10", "t=90", "data=1", ps[i], NULL};
        char *a = gen("gm_v1.raw", 1, kv), *b = gen("gm_v2.raw", 2, kv);
        const char *pair[] = {a, b};
        char *j = report(pair, names, ts, 2, false);
        double data_shared = (double)(field(j, "pages_sharing") - KERNEL_PAGES - CACHE_PAGES);
        double mean = 900 * (1 - p[i]), sd = sqrt(900 * p[i] * (1 - p[i]));
        if (data_shared < mean - 4 * sd || data_shared > mean + 4 * sd)
            fail_msg("%s: %.0f of 900 written pages shared, expected %.1f +- %.1f", ps[i], data_shared, mean, 4 * sd);
        g_free(j);
        g_free(a);
        g_free(b);
    }
}

/* The distinct contents of the written pages (frames past kernel + cache +
 * anon that are not zero) of an image, into set (a set of GBytes). */
static size_t written_contents(const char *path, GHashTable *set)
{
    share_image *img = open_img(path);
    static const uint8_t zero[PG];
    for (size_t i = KERNEL_PAGES + CACHE_PAGES + ANON_PAGES; i < share_image_pages(img); i++)
        if (memcmp(share_image_data(img, i), zero, PG) != 0)
            g_hash_table_add(set, g_bytes_new(share_image_data(img, i), PG));
    share_image_free(img);
    return g_hash_table_size(set);
}

static void test_image_copies(void **state)
{
    (void)state;
    /* 500 writes of one data set, no eviction; image=40k is 10 pages */
    static const struct {
        const char *copies, *image, *stamped;
        size_t distinct, common; /* one VM's distinct written pages; those two VMs both hold */
    } cases[] = {
        {"copies=1", "image=40k", "stamped=0", 500, 500},  /* one copy: nothing repeats */
        {"copies=3", "image=40k", "stamped=0", 480, 480},  /* writes 470..499: 3 x pages 470..479 */
        {"copies=3", "image=40k", "stamped=40k", 480, 470}, /* 460..489 three copies, 490..499 the VM's own */
        {"copies=3", "image=0", "stamped=0", 500, 500},    /* no image: no copies */
        {"copies=100", "image=40k", "stamped=0", 10, 10},  /* more copies than writes: all of them, 10 pages */
    };
    for (size_t i = 0; i < VS_ARRAY_LEN(cases); i++) {
        const char *const kv[] = {"rate=10",         "dur=50",        "t=100", "data=1", "private=0",
                                  cases[i].copies, cases[i].image, cases[i].stamped, NULL};
        char *a = gen("gm_c1.raw", 1, kv), *b = gen("gm_c2.raw", 2, kv);
        GHashTable *both = g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, NULL);
        size_t in_a = written_contents(a, both), in_ab = written_contents(b, both);
        /* |A u B| = |A| + |B| - |A n B|, and |B| = |A| (one job, one data set) */
        assert_int_equal(in_a, cases[i].distinct);
        assert_int_equal(2 * in_a - in_ab, cases[i].common);
        g_hash_table_destroy(both);
        g_free(a);
        g_free(b);
    }
}

static void test_timeline_deterministic(void **state)
{
    (void)state;
    const char *const early[] = {"rate=20", "t=10", "data=1", "private=0.25", "wss=20k", NULL};
    const char *const late[] = {"rate=20", "t=30", "data=1", "private=0.25", "wss=20k", NULL};
    const char *names[] = {"a", "b", "a", "b"};
    const double ts[] = {0, 0, 20, 20};
    char *out[3];
    for (int run = 0; run < 3; run++) {
        uint64_t sb = run == 2 ? 9 : 2; /* run 2: another seed for VM b */
        char *p[4] = {gen("gm_t0a.raw", 1, early), gen("gm_t0b.raw", sb, early), gen("gm_t1a.raw", 1, late),
                      gen("gm_t1b.raw", sb, late)};
        out[run] = report((const char *const *)p, names, ts, 4, true);
        for (int i = 0; i < 4; i++)
            g_free(p[i]);
    }
    assert_string_equal(out[0], out[1]);
    assert_true(strcmp(out[0], out[2]) != 0);
    /* the shared data set shows up: more than kernel + cache are shared */
    assert_true(field(out[0], "pages_sharing") > KERNEL_PAGES + CACHE_PAGES);
    for (int run = 0; run < 3; run++)
        g_free(out[run]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_pages_match),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_parts_share_as_built),
        cmocka_unit_test(test_evict_recycles_cache),
        cmocka_unit_test(test_mapped_cache_kept),
        cmocka_unit_test(test_stamped_outputs),
        cmocka_unit_test(test_private_share),
        cmocka_unit_test(test_image_copies),
        cmocka_unit_test(test_timeline_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
