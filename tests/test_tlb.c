/*
 * test_tlb.c: one TLB structure -- several page sizes in one array, address-
 * space isolation, invlpg and flushes, parameter checks, and the closed form
 * for a fully associative LRU TLB under a uniform random page trace: with E
 * entries and N equally likely pages the steady-state miss ratio is 1 - E/N
 * (the TLB always holds E distinct pages, each hit with probability 1/N).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim/tlb/tlb.h"

#define KB4 (1ull << 12)
#define MB2 (1ull << 21)
#define GB1 (1ull << 30)
#define ALL_SIZES ((1u << VS_PG_4K) | (1u << VS_PG_2M) | (1u << VS_PG_1G))

static tlb *make(uint32_t entries, uint32_t ways, unsigned sizes)
{
    tlb_params p = {.name = "stlb", .level = 2, .kind = TLB_UNIFIED, .entries = entries, .ways = ways,
                    .page_sizes = sizes, .latency = 7, .repl = ASSOC_LRU, .seed = 1};
    vs_err err = {0};
    tlb *t = tlb_new(&p, &err);
    assert_non_null(t);
    return t;
}

static void put(tlb *t, uint64_t va, uint16_t asid, uint64_t pa, vs_pgsz size, bool w)
{
    tlb_entry e = {.pa_base = pa, .size = size, .writable = w, .dirty = false};
    tlb_insert(t, va, asid, &e);
}

static void test_params(void **s)
{
    (void)s;
    tlb_params ok = {.name = "dtlb", .level = 1, .kind = TLB_DATA, .entries = 64, .ways = 4,
                     .page_sizes = 1u << VS_PG_4K, .latency = 1, .repl = ASSOC_LRU};
    tlb_params p;
    vs_err err = {0};
    tlb *t = tlb_new(&ok, &err);
    assert_non_null(t);
    assert_string_equal(tlb_name(t), "dtlb");
    assert_int_equal(tlb_level(t), 1);
    assert_int_equal(tlb_get_kind(t), TLB_DATA);
    assert_int_equal(tlb_latency(t), 1);
    assert_true(tlb_supports(t, VS_PG_4K));
    assert_false(tlb_supports(t, VS_PG_2M));
    tlb_free(t);

    p = ok, p.entries = 60, p.ways = 8;
    assert_null(tlb_new(&p, &err));
    assert_int_equal(err.code, VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "dtlb"));
    p = ok, p.page_sizes = 0;
    assert_null(tlb_new(&p, &err));
    p = ok, p.page_sizes = 8;
    assert_null(tlb_new(&p, &err));
    p = ok, p.level = 0;
    assert_null(tlb_new(&p, &err));
    p = ok, p.name = NULL;
    assert_null(tlb_new(&p, &err));
    p = ok, p.ways = 0;
    assert_null(tlb_new(&p, &err));
}

static void test_page_sizes(void **s)
{
    (void)s;
    tlb *t = make(64, 4, ALL_SIZES);
    tlb_entry e;
    put(t, 0x7f0000123000, 1, 0x5000, VS_PG_4K, true);
    put(t, 0x7f0000400000 + 0x1234, 1, 0x40000000 + MB2, VS_PG_2M, false);
    put(t, 0x40000000, 1, 3 * GB1, VS_PG_1G, true);

    assert_true(tlb_lookup(t, 0x7f0000123fff, 1, &e));
    assert_int_equal(e.pa_base, 0x5000);
    assert_int_equal(e.size, VS_PG_4K);
    assert_true(e.writable);
    assert_false(tlb_lookup(t, 0x7f0000124000, 1, &e));

    assert_true(tlb_lookup(t, 0x7f00005fffff, 1, &e)); /* anywhere in the 2 MiB page */
    assert_int_equal(e.pa_base, 0x40000000 + MB2);
    assert_int_equal(e.size, VS_PG_2M);
    assert_false(e.writable);

    assert_true(tlb_lookup(t, 0x7fffffff, 1, &e));
    assert_int_equal(e.pa_base, 3 * GB1);
    assert_int_equal(e.size, VS_PG_1G);
    assert_int_equal(tlb_hits(t), 3);
    assert_int_equal(tlb_misses(t), 1);

    /* dirty and permission bits round-trip */
    tlb_entry d = {.pa_base = 0xabcdef000, .size = VS_PG_4K, .writable = true, .dirty = true};
    tlb_insert(t, 0x1000, 9, &d);
    assert_true(tlb_lookup(t, 0x1008, 9, &e));
    assert_true(e.dirty && e.writable);
    assert_int_equal(e.pa_base, 0xabcdef000);

    /* the lookup that reports its set: the page number at the entry's size
     * modulo the 16 sets, whatever the size */
    uint32_t set = UINT32_MAX;
    assert_true(tlb_lookup_set(t, 0x7f0000123fff, 1, &e, &set));
    assert_int_equal(set, (0x7f0000123fff >> 12) % 16);
    assert_true(tlb_lookup_set(t, 0x7f00005fffff, 1, &e, &set));
    assert_int_equal(set, (0x7f00005fffff >> 21) % 16);
    assert_true(tlb_lookup_set(t, 0x7fffffff, 1, &e, &set));
    assert_int_equal(set, (0x7fffffff >> 30) % 16);
    assert_int_equal(tlb_hits(t), 7);

    /* high-half (kernel) addresses key distinctly from low ones */
    put(t, 0xffffffff81000000, 1, 0x9000, VS_PG_4K, false);
    assert_false(tlb_lookup(t, 0x00ffffff81000000 & 0x7fffffffffff, 1, &e));
    assert_true(tlb_lookup(t, 0xffffffff81000abc, 1, &e));
    assert_int_equal(e.pa_base, 0x9000);
    tlb_free(t);

    /* an unsupported size is ignored */
    t = make(16, 4, 1u << VS_PG_4K);
    put(t, 0x200000, 1, 0x200000, VS_PG_2M, true);
    assert_false(tlb_lookup(t, 0x200000, 1, &e));
    tlb_free(t);
}

static void test_asid_invlpg_flush(void **s)
{
    (void)s;
    tlb *t = make(64, 64, ALL_SIZES);
    tlb_entry e;
    put(t, 0x1000, 1, 0x11000, VS_PG_4K, true);
    put(t, 0x1000, 2, 0x22000, VS_PG_4K, true);
    put(t, 0x200000, 1, 0x400000, VS_PG_2M, true);
    put(t, 0x201000, 1, 0x33000, VS_PG_4K, true); /* a 4k entry inside the 2m page */
    assert_true(tlb_lookup(t, 0x1000, 1, &e));
    assert_int_equal(e.pa_base, 0x11000);
    assert_true(tlb_lookup(t, 0x1000, 2, &e));
    assert_int_equal(e.pa_base, 0x22000);
    assert_false(tlb_lookup(t, 0x1000, 3, &e));

    tlb_invlpg(t, 0x201abc, 1); /* both sizes mapping the va go */
    assert_false(tlb_lookup(t, 0x201000, 1, &e));
    assert_false(tlb_lookup(t, 0x200000, 1, &e));
    tlb_invlpg(t, 0x1000, 2); /* other tags keep theirs */
    assert_true(tlb_lookup(t, 0x1000, 1, &e));
    assert_false(tlb_lookup(t, 0x1000, 2, &e));

    put(t, 0x5000, 2, 0x55000, VS_PG_4K, true);
    put(t, 0x5000, 0xffff, 0x66000, VS_PG_4K, true);
    tlb_flush_asid(t, 1);
    assert_false(tlb_lookup(t, 0x1000, 1, &e));
    assert_true(tlb_lookup(t, 0x5000, 2, &e));
    assert_true(tlb_lookup(t, 0x5000, 0xffff, &e));
    assert_int_equal(e.pa_base, 0x66000);
    tlb_flush_all(t);
    assert_false(tlb_lookup(t, 0x5000, 2, &e));
    assert_int_equal(tlb_hits(t) + tlb_misses(t), 11);
    tlb_free(t);
}

/* Uniform random over n pages through a fully associative LRU TLB of e entries. */
static void closed_form(uint32_t e, uint32_t n, uint64_t seed)
{
    enum { WARMUP = 200000, MEASURE = 1000000 }; /* warm-up fills the TLB many times over */
    tlb *t = make(e, e, 1u << VS_PG_4K);
    tlb_entry out;
    uint64_t misses = 0;
    for (int i = 0; i < WARMUP + MEASURE; i++) {
        uint64_t va = (vs_rng_next(&seed) % n) * KB4;
        if (!tlb_lookup(t, va, 3, &out)) {
            put(t, va, 3, va + GB1, VS_PG_4K, true);
            misses += i >= WARMUP;
        }
    }
    double got = (double)misses / MEASURE, want = 1.0 - (double)e / n;
    print_message("E=%u N=%u miss ratio %.4f, closed form %.4f\n", e, n, got, want);
    assert_true(got > want - 0.01 && got < want + 0.01);
    assert_int_equal(tlb_hits(t) + tlb_misses(t), WARMUP + MEASURE);
    tlb_free(t);
}

static void test_closed_form_64_256(void **s) { (void)s; closed_form(64, 256, 21); }
static void test_closed_form_1536_4096(void **s) { (void)s; closed_form(1536, 4096, 22); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_page_sizes),
        cmocka_unit_test(test_asid_invlpg_flush),
        cmocka_unit_test(test_closed_form_64_256),
        cmocka_unit_test(test_closed_form_1536_4096),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
