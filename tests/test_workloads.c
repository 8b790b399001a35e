/*
 * test_workloads.c: the seed-003 generators -- determinism (same seed, same
 * bytes; another seed, other bytes), the promised memory accesses per
 * instruction (Figure 7), and the characters under the default config:
 * hpcc's CR3-write rate is at least 10x vpr's, worst has the highest
 * TLB-miss rate of all.  worst's two layouts against a naive reference:
 * every data address is one the layout allows, and the array spans exactly
 * footprint / 2 MiB leaf tables where the sparse layout spans one per page
 * (a seeded fault: the sparse trace fails the array's reference).
 * Under va_bits=32 every generator's trace runs on a guest with 32-bit
 * paging (guest.levels = 2), whose engine refuses any address above 4 GiB;
 * without it, the same guest refuses the trace naming the file and record.
 * Also argument errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vs_test.h"
#include "workloads/workloads.h"

#define REFS "refs=200000" /* small enough for a fast test, long enough for steady rates */
/* tpch loads its table before its query, hpcc initialises its memory before
 * its updates and sweeps: their character is measured as the figure sweeps
 * measure it (configs/sweeps/seed003_*.ini), after the warm-up. */
#define TPCH_REFS "refs=3000000"
#define SWEEP_WARMUP "sim.warmup_instructions=2000000"

static const char *const GENS[] = {"worst", "vpr", "hpcc", "tpch", "kbuild", "boot"};
static const double API[] = {0.91, 0.52, 0.58, 0.60, 0.52, 0.28}; /* seed 003, Figure 7 */

static void gen(const char *name, uint64_t seed, const char *path, int nkv, const char **kv)
{
    vs_err err = {0};
    int rc = wl_generate(name, nkv, (char **)kv, seed, path, &err);
    if (rc != VS_OK)
        fail_msg("gen %s: %s", name, err.msg);
}

static unsigned char *slurp(const char *path, size_t *n)
{
    gchar *b;
    gsize len;
    assert_true(g_file_get_contents(path, &b, &len, NULL));
    *n = len;
    return (unsigned char *)b;
}

/* Generator gen makes the same bytes from keys a as from keys b (seed 5). */
static void assert_same_trace(const char *gen_name, int na, const char **a, int nb, const char **b)
{
    char *p = vt_path("wl_same_a.vmt"), *q = vt_path("wl_same_b.vmt");
    gen(gen_name, 5, p, na, a);
    gen(gen_name, 5, q, nb, b);
    size_t np, nq;
    unsigned char *x = slurp(p, &np), *y = slurp(q, &nq);
    assert_int_equal(np, nq);
    assert_memory_equal(x, y, np);
    g_free(x);
    g_free(y);
    g_free(p);
    g_free(q);
}

static void test_deterministic(void **state)
{
    (void)state;
    /* tpch's load and hpcc's initialisation draw no random number: a smaller
     * footprint leaves room for the query, the updates and the sweeps */
    const char *kv[] = {"refs=20000", "footprint=1m"};
    char *a = vt_path("wl_a.vmt"), *b = vt_path("wl_b.vmt"), *c = vt_path("wl_c.vmt");
    for (size_t g = 0; g < VS_ARRAY_LEN(GENS); g++) {
        int nkv = strcmp(GENS[g], "tpch") == 0 || strcmp(GENS[g], "hpcc") == 0 ? 2 : 1;
        gen(GENS[g], 7, a, nkv, kv);
        gen(GENS[g], 7, b, nkv, kv);
        gen(GENS[g], 8, c, nkv, kv);
        size_t na, nb, nc;
        unsigned char *x = slurp(a, &na), *y = slurp(b, &nb), *z = slurp(c, &nc);
        assert_int_equal(na, nb);
        assert_memory_equal(x, y, na);
        if (na == nc && memcmp(x, z, na) == 0)
            fail_msg("%s: seeds 7 and 8 gave the same trace", GENS[g]);
        g_free(x);
        g_free(y);
        g_free(z);
    }
    /* Random keys: with the default ascending keys and sequential layout the
     * ds trace uses no random numbers, so only this form depends on the seed. */
    const char *dkv[] = {"structure=avl", "ops=500", "keys=random"};
    gen("ds", 3, a, 3, dkv);
    gen("ds", 3, b, 3, dkv);
    gen("ds", 4, c, 3, dkv);
    size_t na, nb, nc;
    unsigned char *x = slurp(a, &na), *y = slurp(b, &nb), *z = slurp(c, &nc);
    assert_int_equal(na, nb);
    assert_memory_equal(x, y, na);
    assert_true(na != nc || memcmp(x, z, na) != 0);
    g_free(x);
    g_free(y);
    g_free(z);
    g_free(a);
    g_free(b);
    g_free(c);
}

/* Memory accesses per instruction from the trace itself. */
static void test_accesses_per_instruction(void **state)
{
    (void)state;
    const char *kv[] = {REFS};
    char *p = vt_path("wl_api.vmt");
    for (size_t g = 0; g < VS_ARRAY_LEN(GENS); g++) {
        gen(GENS[g], 1, p, 1, kv);
        trace_reader *r;
        vs_err err = {0};
        assert_int_equal(trace_open(p, TFMT_AUTO, &r, &err), VS_OK);
        trace_rec buf[4096];
        long n;
        uint64_t instr = 0, data = 0;
        while ((n = trace_read(r, buf, 4096, &err)) > 0)
            for (long i = 0; i < n; i++) {
                instr += buf[i].kind == TREC_IFETCH;
                data += buf[i].kind == TREC_LOAD || buf[i].kind == TREC_STORE || buf[i].kind == TREC_RMW;
            }
        assert_int_equal(n, 0);
        trace_close(r);
        double api = (double)data / (double)instr;
        if (api < API[g] * 0.98 || api > API[g] * 1.02)
            fail_msg("%s: %.4f accesses per instruction, expected %.2f", GENS[g], api, API[g]);
        assert_true(data >= 199000 && data <= 201000);
    }
    g_free(p);
}

typedef struct metrics {
    double instructions, tlb_misses, cr3_writes;
} metrics;

static metrics run_default(const char *path, const char *override)
{
    GHashTable *r = vt_run(NULL, &path, 1, override ? VT_OPTS(override) : NULL, NULL);
    metrics m = {vt_double(r, "instructions"), vt_double(r, "tlb_misses"), vt_double(r, "events.cr3_writes")};
    g_hash_table_destroy(r);
    assert_true(m.instructions > 0);
    return m;
}

static void test_characters(void **state)
{
    (void)state;
    char *p = vt_path("wl_char.vmt");
    metrics m[VS_ARRAY_LEN(GENS)];
    for (size_t g = 0; g < VS_ARRAY_LEN(GENS); g++) {
        /* tpch's load and hpcc's initialisation precede the region the sweeps measure */
        bool loaded = strcmp(GENS[g], "tpch") == 0 || strcmp(GENS[g], "hpcc") == 0;
        const char *kv[] = {loaded ? TPCH_REFS : REFS};
        gen(GENS[g], 1, p, 1, kv);
        m[g] = run_default(p, loaded ? SWEEP_WARMUP : NULL);
        print_message("%-7s TLB misses/kinst %8.3f  CR3 writes/kinst %7.4f\n", GENS[g],
                      1000 * m[g].tlb_misses / m[g].instructions,
                      1000 * m[g].cr3_writes / m[g].instructions);
    }
    g_free(p);
    double hpcc = m[2].cr3_writes / m[2].instructions, vpr = m[1].cr3_writes / m[1].instructions;
    assert_true(hpcc > 0);
    assert_true(hpcc >= 10 * vpr);
    for (size_t g = 1; g < VS_ARRAY_LEN(GENS); g++)
        if (m[0].tlb_misses / m[0].instructions <= m[g].tlb_misses / m[g].instructions)
            fail_msg("worst does not have the highest TLB-miss rate: %s does as well", GENS[g]);
    /* tpch and boot are the low-miss workloads of Figure 7; vpr is high */
    assert_true(m[3].tlb_misses / m[3].instructions < m[1].tlb_misses / m[1].instructions);
    assert_true(m[5].tlb_misses / m[5].instructions < m[1].tlb_misses / m[1].instructions);
}

/* The naive reference of worst's layouts: the data base (1 TiB), the 4 KiB
 * page, the 2 MiB span of one leaf table and the sparse stride, restated
 * here rather than taken from the generator. */
#define W_BASE 0x10000000000ull
#define W_PAGE 4096ull
#define W_TABLE (2ull << 20)
#define W_SPARSE (W_TABLE + W_PAGE)

typedef struct spans {
    uint64_t tables, pages;
    uint64_t outside; /* data addresses the layout does not allow */
} spans;

/* Reads a worst trace: counts the data addresses outside the layout's stride
 * and page count, and the distinct leaf tables and pages touched. */
static spans worst_spans(const char *path, uint64_t stride, uint64_t pages)
{
    trace_reader *r;
    vs_err err = {0};
    if (trace_open(path, TFMT_AUTO, &r, &err) != VS_OK)
        fail_msg("open %s: %s", path, err.msg);
    GHashTable *tables = g_hash_table_new(g_int64_hash, g_int64_equal);
    GHashTable *pg = g_hash_table_new(g_int64_hash, g_int64_equal);
    GArray *keys = g_array_new(FALSE, FALSE, sizeof(uint64_t)); /* the sets' key storage */
    spans s = {0};
    trace_rec buf[4096];
    long n;
    while ((n = trace_read(r, buf, VS_ARRAY_LEN(buf), &err)) > 0)
        for (long i = 0; i < n; i++) {
            if (buf[i].kind != TREC_LOAD && buf[i].kind != TREC_STORE && buf[i].kind != TREC_RMW)
                continue;
            uint64_t off = buf[i].addr - W_BASE;
            s.outside += buf[i].addr < W_BASE || off / stride >= pages || off % stride >= W_PAGE;
            uint64_t k[2] = {buf[i].addr / W_TABLE, buf[i].addr / W_PAGE};
            g_array_append_vals(keys, k, 2);
        }
    assert_true(n == 0);
    trace_close(r);
    for (guint i = 0; i < keys->len; i += 2) {
        g_hash_table_add(tables, &g_array_index(keys, uint64_t, i));
        g_hash_table_add(pg, &g_array_index(keys, uint64_t, i + 1));
    }
    s.tables = g_hash_table_size(tables);
    s.pages = g_hash_table_size(pg);
    g_hash_table_destroy(tables);
    g_hash_table_destroy(pg);
    g_array_free(keys, TRUE);
    return s;
}

static void test_worst_layouts(void **state)
{
    (void)state;
    char *p = vt_path("wl_worst.vmt");
    /* array: 16 MiB = 8 leaf tables, 4,096 pages; 60,000 references touch all of them */
    const char *arr[] = {"refs=60000", "footprint=16m"};
    gen("worst", 1, p, 2, arr);
    spans a = worst_spans(p, W_PAGE, (16ull << 20) / W_PAGE);
    assert_int_equal(a.outside, 0);
    assert_int_equal(a.tables, (16ull << 20) / W_TABLE);
    assert_int_equal(a.pages, (16ull << 20) / W_PAGE);
    /* sparse: 1 MiB = 256 pages, each in its own leaf table */
    const char *sp[] = {"refs=20000", "footprint=1m", "layout=sparse"};
    gen("worst", 1, p, 3, sp);
    spans s = worst_spans(p, W_SPARSE, (1ull << 20) / W_PAGE);
    assert_int_equal(s.outside, 0);
    assert_int_equal(s.pages, (1ull << 20) / W_PAGE);
    assert_int_equal(s.tables, s.pages);
    /* seeded fault: the sparse trace read as an array of the same size breaks the reference */
    assert_true(worst_spans(p, W_PAGE, (1ull << 20) / W_PAGE).outside > 0);
    /* the array is the default: the same trace with and without layout=array */
    const char *def[] = {"refs=2000"}, *named[] = {"refs=2000", "layout=array"};
    assert_same_trace("worst", 1, def, 2, named);
    g_free(p);
}

static void expect_usage(const char *name, int nkv, const char **kv, const char *needle)
{
    char *p = vt_path("wl_bad.vmt");
    vs_err err = {0};
    assert_int_equal(wl_generate(name, nkv, (char **)kv, 1, p, &err), VS_E_USAGE);
    if (!strstr(err.msg, needle))
        fail_msg("message '%s' lacks '%s'", err.msg, needle);
    assert_int_not_equal(access(p, F_OK), 0); /* nothing left under the final name */
    g_free(p);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    const char *unknown[] = {"footprnt=1m"}, *range[] = {"api=9"}, *both[] = {"refs=10", "instructions=10"};
    const char *choice[] = {"structure=redblack"}, *noeq[] = {"refs"}, *twice[] = {"refs=1", "refs=2"};
    const char *node[] = {"structure=avl", "node=12"};
    expect_usage("worst", 1, unknown, "footprnt");
    const char *lay[] = {"layout=dense"};
    expect_usage("worst", 1, lay, "array|sparse");
    expect_usage("vpr", 1, range, "api=9");
    expect_usage("hpcc", 2, both, "both");
    expect_usage("ds", 1, choice, "avl|splay");
    expect_usage("boot", 1, noeq, "key=value");
    expect_usage("tpch", 2, twice, "twice");
    /* a row's accesses (api x row_instr) must hold its words and the aggregate's update; a row fits the table */
    const char *short_row[] = {"row_instr=10"}, *wide_row[] = {"footprint=64k", "row=128k"};
    expect_usage("tpch", 1, short_row, "row_instr=10 at api=0.6 makes 6 accesses a row; expected at least 12");
    expect_usage("tpch", 2, wide_row, "row=131072 is larger than footprint=65536");
    const char *tiny_state[] = {"state=4"};
    expect_usage("tpch", 1, tiny_state, "state=4");
    const char *copy_by[] = {"copy=thread"}, *call_procs[] = {"copy=call", "processes=3"};
    expect_usage("tpch", 1, copy_by, "process|call");
    expect_usage("tpch", 2, call_procs, "got processes=3");
    const char *call_pmi[] = {"copy=call", "cr3_pmi=5"};
    expect_usage("tpch", 2, call_pmi, "cr3_pmi=5 with copy=call");
    /* kmap=1 is a 32-bit guest's read(): copy=call and va_bits=32 only, the source half in whole pages */
    const char *kmap64[] = {"copy=call", "kmap=1"}, *kmap_proc[] = {"va_bits=32", "kmap=1"};
    const char *kmap_odd[] = {"copy=call", "va_bits=32", "kmap=1", "footprint=68k"};
    expect_usage("tpch", 2, kmap64, "expected copy=call and va_bits=32 (got copy=call, va_bits=48)");
    expect_usage("tpch", 2, kmap_proc, "(got copy=process, va_bits=32)");
    expect_usage("tpch", 4, kmap_odd, "multiple of 8 KiB");
    expect_usage("nosuch", 0, NULL, "unknown generator");
    expect_usage("ds", 2, node, "node=12");
    const char *hw[] = {"writes=0.5"};
    expect_usage("hpcc", 1, hw, "writes"); /* hpcc's mix is random=, not writes= */
    const char *prof[] = {"profile=guess"};
    expect_usage("kbuild", 1, prof, "measured|estimate");
}

/* kbuild's profile= only sets defaults: profile=estimate is the estimates'
 * keys given one by one, and a key overrides the profile's value. */
static void test_kbuild_profiles(void **state)
{
    (void)state;
    const char *est[] = {"refs=50000", "profile=estimate"};
    const char *keys[] = {"refs=50000",       "footprint=8m",   "jobs=2",    "life=300000",
                          "make_burst=20000", "free_size=128k", "free_pmi=0"};
    assert_same_trace("kbuild", 2, est, 7, keys);
    const char *meas[] = {"refs=300000"},
               *meas_keys[] = {"refs=300000",      "profile=estimate", "footprint=3260k",  "jobs=1",
                               "life=66496752",     "make_burst=158954", "free_size=28k", "free_pmi=0.03406"};
    assert_same_trace("kbuild", 1, meas, 8, meas_keys);
}

static void test_va32(void **state)
{
    (void)state;
    const char *kv[] = {"refs=20000", "va_bits=32"};
    char *p = vt_path("wl_32.vmt");
    for (size_t g = 0; g < VS_ARRAY_LEN(GENS); g++) {
        gen(GENS[g], 3, p, 2, kv);
        const char *path = p;
        GHashTable *r = vt_run("native", &path, 1, VT_OPTS("guest.mem=1g", "guest.levels=2", "pwc.enabled=false"), NULL);
        assert_true(vt_u64(r, "walks") > 0 && vt_u64(r, "walk_hist.2") == vt_u64(r, "walks")); /* 2 levels */
        g_hash_table_destroy(r);
    }
    /* the x86-64 layout (data at 1 TiB) under a 32-bit guest: refused, never wrapped */
    gen("worst", 3, p, 1, kv);
    char *out = NULL, *err = NULL;
    int status = vt_cli(VT_OPTS("run", "-o", "guest.mem=1g", "-o", "guest.levels=2", p), &out, &err);
    assert_int_not_equal(status, 0);
    if (!strstr(err, p) || !strstr(err, "record 3:") || !strstr(err, "above 4 GiB"))
        fail_msg("expected the file, the record and why in '%s'", err);
    g_free(out);
    g_free(err);
    g_free(p);
    /* an address space beyond a 32-bit process's: an error naming the record */
    const char *sparse[] = {"layout=sparse", "va_bits=32"}, *bits[] = {"va_bits=40"};
    expect_usage("worst", 2, sparse, "(record 3)");
    expect_usage("worst", 1, bits, "48 (x86-64) or 32");
}

/* tpch kmap=1 against its description (workloads/wl_tpch.c): the slot is mapped by a store before any kmap;
 * every kmap is followed at once by a load at the slot's first byte; every other slot access is a load inside
 * the page last kmapped, the copy reading on word by word; the load phase reads pages 0, 1, ... in order;
 * the instructions and data accesses are kmap=0's (the copy reads the page cache instead of its source half). */
#define TPCH_SLOT 0xfff00000ull
static void test_tpch_kmap(void **state)
{
    (void)state;
    const char *kv[] = {"refs=60000", "footprint=64k", "quantum=3000", "state=4k", "copy=call", "va_bits=32",
                        "kmap=1"};
    char *p = vt_path("wl_kmap.vmt"), *q = vt_path("wl_kmap0.vmt");
    gen("tpch", 7, p, 7, kv);
    gen("tpch", 7, q, 6, kv);
    trace_summary *s1, *s0;
    vs_err err = {0};
    assert_int_equal(trace_summarize(p, &s1, &err), VS_OK);
    assert_int_equal(trace_summarize(q, &s0, &err), VS_OK);
    trace_rates r1, r0;
    trace_summary_rates(s1, &r1);
    trace_summary_rates(s0, &r0);
    assert_int_equal(r1.instructions, r0.instructions);
    assert_true(r1.api == r0.api);
    trace_summary_free(s1);
    trace_summary_free(s0);

    trace_reader *r;
    assert_int_equal(trace_open(p, TFMT_AUTO, &r, &err), VS_OK);
    trace_rec b[4096];
    long n;
    bool mapped = false, after_kmap = false;
    uint64_t kmaps = 0, next_load_page = 0, last = UINT64_MAX; /* source byte of the last slot load */
    int64_t page = -1;
    const uint64_t half_pages = (64u << 10) / 2 / 4096;
    while ((n = trace_read(r, b, VS_ARRAY_LEN(b), &err)) > 0)
        for (long i = 0; i < n; i++) {
            const trace_rec *t = &b[i];
            bool slot = t->addr >> 12 == TPCH_SLOT >> 12;
            if (after_kmap) { /* the record right after a kmap: its page's first load */
                assert_true(t->kind == TREC_LOAD && t->addr == TPCH_SLOT);
                after_kmap = false;
            }
            if (t->kind == TREC_KMAP) {
                assert_true(mapped && t->addr == TPCH_SLOT);
                if (kmaps < half_pages) /* the load phase: each page read in once, in order */
                    assert_int_equal(t->id, next_load_page++);
                if (kmaps == half_pages) { /* the query's first copy starts at the cache's first page */
                    assert_int_equal(t->id, 0);
                    last = UINT64_MAX;
                }
                page = t->id;
                after_kmap = true;
                kmaps++;
            } else if (slot && !mapped) {
                assert_int_equal(t->kind, TREC_STORE);
                mapped = true;
            } else if (slot) {
                assert_int_equal(t->kind, TREC_LOAD);
                assert_true(page >= 0);
                uint64_t at = (uint64_t)page * 4096 + (t->addr & 4095);
                if (kmaps > half_pages && last != UINT64_MAX && last + 8 != at) /* the copy: word after word */
                    assert_true(at == 0 && last + 8 == (64u << 10) / 2); /* or wraps at the half's end */
                last = at;
            }
        }
    assert_int_equal(n, 0);
    trace_close(r);
    assert_true(kmaps > half_pages + 2); /* the query copied more than a page */
    g_free(p);
    g_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_accesses_per_instruction),
        cmocka_unit_test(test_characters),
        cmocka_unit_test(test_worst_layouts),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_va32),
        cmocka_unit_test(test_kbuild_profiles),
        cmocka_unit_test(test_tpch_kmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
