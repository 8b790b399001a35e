/*
 * test_pwc.c: paging-structure caches and the nested TLB.  The split cache is
 * checked against a naive model (per level, timestamp-LRU sets scanned
 * linearly; lookups probe from level 2 upward and the first hit wins) under
 * random fills, lookups and invalidations; the unified cache likewise; the
 * nested TLB by hand (sizes, VM tags, invalidation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/pwc/pwc.h"

#define OPS 50000 /* random operations per model comparison */

/* ---- a naive LRU store: what assoc.c must behave like ------------------ */

typedef struct nv_entry {
    uint64_t a, b, val, stamp; /* (a, b) identify the entry */
    bool valid;
} nv_entry;

typedef struct naive {
    uint32_t ways, sets;
    nv_entry *e;
    uint64_t clock;
} naive;

static naive *nv_new(uint32_t entries, uint32_t ways)
{
    naive *n = calloc(1, sizeof *n);
    n->ways = ways;
    n->sets = entries / ways;
    n->e = calloc(entries, sizeof *n->e);
    return n;
}

static void nv_free(naive *n)
{
    free(n->e);
    free(n);
}

static nv_entry *nv_find(naive *n, uint64_t a, uint64_t b, uint64_t index)
{
    nv_entry *s = n->e + (index % n->sets) * n->ways;
    for (uint32_t i = 0; i < n->ways; i++)
        if (s[i].valid && s[i].a == a && s[i].b == b)
            return &s[i];
    return NULL;
}

static bool nv_lookup(naive *n, uint64_t a, uint64_t b, uint64_t index, uint64_t *val)
{
    nv_entry *e = nv_find(n, a, b, index);
    if (e) {
        e->stamp = ++n->clock;
        *val = e->val;
    }
    return e != NULL;
}

static void nv_fill(naive *n, uint64_t a, uint64_t b, uint64_t index, uint64_t val)
{
    nv_entry *e = nv_find(n, a, b, index), *s = n->e + (index % n->sets) * n->ways;
    for (uint32_t i = 0; i < n->ways && !e; i++)
        if (!s[i].valid)
            e = &s[i];
    if (!e) {
        e = &s[0];
        for (uint32_t i = 1; i < n->ways; i++)
            if (s[i].stamp < e->stamp)
                e = &s[i];
    }
    *e = (nv_entry){.a = a, .b = b, .val = val, .stamp = ++n->clock, .valid = true};
}

static void nv_drop_b(naive *n, uint64_t b) /* every entry whose b matches */
{
    for (uint32_t i = 0; i < n->sets * n->ways; i++)
        if (n->e[i].b == b)
            n->e[i].valid = false;
}

static void nv_clear(naive *n)
{
    memset(n->e, 0, (size_t)n->sets * n->ways * sizeof *n->e);
}

/* ---- split ----------------------------------------------------------- */

static uint64_t prefix_at(uint64_t addr, unsigned level)
{
    return (addr & ((1ull << 57) - 1)) >> (12 + 9 * (level - 1));
}

static void test_split_by_hand(void **s)
{
    (void)s;
    pwc_split_params p = {.top_level = 4, .entries = {[2] = 32, [3] = 4, [4] = 2}, .ways = {[2] = 4, [3] = 4, [4] = 2}};
    vs_err err = {0};
    pwc_split *c = pwc_split_new(&p, &err);
    assert_non_null(c);
    uint64_t va = 0x00007f1234567000, next = 0;
    assert_int_equal(pwc_split_lookup(c, va, 1, &next), 0);
    pwc_split_fill(c, va, 1, 4, 0x1000); /* PML4E: points at the PDPT */
    pwc_split_fill(c, va, 1, 2, 0x3000); /* PDE: points at the PT */
    pwc_split_fill(c, va, 1, 1, 0x9000); /* level 1 is never cached: ignored */
    assert_int_equal(pwc_split_lookup(c, va + 0xfff, 1, &next), 2);
    assert_int_equal(next, 0x3000);
    uint64_t other_pd = va + (1ull << 30); /* same PML4E, other PDPTE */
    assert_int_equal(pwc_split_lookup(c, other_pd, 1, &next), 4);
    assert_int_equal(next, 0x1000);
    assert_int_equal(pwc_split_lookup(c, va, 2, &next), 0); /* other tag */
    assert_int_equal(pwc_split_stats(c)->hits[2], 1);
    assert_int_equal(pwc_split_stats(c)->misses[2], 3);
    assert_int_equal(pwc_split_stats(c)->hits[4], 1);
    assert_int_equal(pwc_split_stats(c)->misses[4], 2);
    assert_int_equal(pwc_split_stats(c)->misses[3], 3);
    pwc_split_fill(c, va, 1, 3, 0x2000);
    pwc_split_fill(c, va, 2, 3, 0x2200);
    pwc_split_flush_tag(c, 1);
    assert_int_equal(pwc_split_lookup(c, va, 1, &next), 0);
    assert_int_equal(pwc_split_lookup(c, va, 2, &next), 3);
    assert_int_equal(next, 0x2200);
    pwc_split_flush(c);
    assert_int_equal(pwc_split_lookup(c, va, 2, &next), 0);
    pwc_split_free(c);

    pwc_split_params bad = p;
    bad.top_level = 3;
    assert_null(pwc_split_new(&bad, &err));
    bad = p, bad.entries[1] = 16, bad.ways[1] = 4;
    assert_null(pwc_split_new(&bad, &err));
    assert_non_null(strstr(err.msg, "level 1"));
    bad = p, bad.entries[5] = 2, bad.ways[5] = 2; /* level 5 with a 4-level top */
    assert_null(pwc_split_new(&bad, &err));
    bad = p, bad.ways[2] = 5;
    assert_null(pwc_split_new(&bad, &err));
}

static void split_vs_model(unsigned top, uint64_t seed)
{
    pwc_split_params p = {.top_level = top,
                          .entries = {[2] = 24, [3] = 8, [4] = 4, [5] = 2},
                          .ways = {[2] = 4, [3] = 2, [4] = 4, [5] = 1},
                          .repl = ASSOC_LRU};
    if (top == 4)
        p.entries[5] = p.ways[5] = 0;
    else
        p.entries[3] = 0; /* a level left uncached is skipped */
    vs_err err = {0};
    pwc_split *c = pwc_split_new(&p, &err);
    assert_non_null(c);
    naive *m[PWC_MAX_LEVELS + 1] = {0};
    uint64_t hits[PWC_MAX_LEVELS + 1] = {0}, misses[PWC_MAX_LEVELS + 1] = {0};
    for (unsigned l = 2; l <= top; l++)
        if (p.entries[l])
            m[l] = nv_new(p.entries[l], p.ways[l]);
    for (int op = 0; op < OPS; op++) {
        uint64_t x = vs_rng_next(&seed);
        /* addresses built from few choices per level so prefixes collide */
        uint64_t addr = ((x >> 8) % 2) << 48 | ((x >> 12) % 2) << 39 | ((x >> 16) % 3) << 30 |
                        ((x >> 20) % 4) << 21 | ((x >> 28) % 7) << 12 | (x >> 40 & 0xfff);
        uint16_t tag = (uint16_t)((x >> 52) % 3);
        unsigned what = x % 100;
        if (what < 50) {
            uint64_t got_next = 0, want_next = 0;
            unsigned got = pwc_split_lookup(c, addr, tag, &got_next), want = 0;
            for (unsigned l = 2; l <= top && !want; l++) {
                if (!m[l])
                    continue;
                if (nv_lookup(m[l], prefix_at(addr, l), tag, prefix_at(addr, l), &want_next)) {
                    want = l;
                    hits[l]++;
                } else {
                    misses[l]++;
                }
            }
            assert_int_equal(got, want);
            if (want)
                assert_int_equal(got_next, want_next);
        } else if (what < 99) {
            unsigned level = 1 + (unsigned)((x >> 56) % 6); /* 1..6: out-of-range ones are ignored */
            uint64_t next = x & ~0xfffull;
            pwc_split_fill(c, addr, tag, level, next);
            if (level <= top && m[level])
                nv_fill(m[level], prefix_at(addr, level), tag, prefix_at(addr, level), next);
        } else {
            pwc_split_flush_tag(c, tag);
            for (unsigned l = 2; l <= top; l++)
                if (m[l])
                    nv_drop_b(m[l], tag);
        }
    }
    for (unsigned l = 0; l <= PWC_MAX_LEVELS; l++) {
        assert_int_equal(pwc_split_stats(c)->hits[l], hits[l]);
        assert_int_equal(pwc_split_stats(c)->misses[l], misses[l]);
        if (m[l])
            nv_free(m[l]);
    }
    print_message("top %u: level 2/3/4/5 hits %llu %llu %llu %llu\n", top, (unsigned long long)hits[2],
                  (unsigned long long)hits[3], (unsigned long long)hits[4], (unsigned long long)hits[5]);
    assert_true(hits[2] > 1000 && hits[4] > 100);
    pwc_split_free(c);
}

static void test_split_vs_model(void **s)
{
    (void)s;
    split_vs_model(4, 31);
    split_vs_model(5, 32);
}

/* ---- unified --------------------------------------------------------- */

static void test_unified_vs_model(void **s)
{
    (void)s;
    const unsigned mask = (1u << 2) | (1u << 3) | (1u << 4); /* AMD: upper levels only */
    pwc_unified_params p = {.entries = 24, .ways = 8, .level_mask = mask, .repl = ASSOC_LRU};
    vs_err err = {0};
    pwc_unified *c = pwc_unified_new(&p, &err);
    assert_non_null(c);
    assert_false(pwc_unified_caches(c, 1));
    assert_true(pwc_unified_caches(c, 3));
    assert_false(pwc_unified_caches(c, 5));
    naive *m = nv_new(24, 8);
    uint64_t hits[PWC_MAX_LEVELS + 1] = {0}, misses[PWC_MAX_LEVELS + 1] = {0}, seed = 41;
    for (int op = 0; op < OPS; op++) {
        uint64_t x = vs_rng_next(&seed);
        uint64_t pa = (((x >> 8) % 6) << 12) | (((x >> 16) % 12) << 3); /* 72 entries in 6 tables */
        unsigned level = 1 + (unsigned)((x >> 32) % 5), what = x % 100;
        bool cached = mask >> level & 1;
        if (what < 50) {
            uint64_t got = 0, want = 0;
            bool hit = pwc_unified_lookup(c, pa, level, &got);
            bool want_hit = cached && nv_lookup(m, pa, 0, pa >> 3, &want);
            assert_int_equal(hit, want_hit);
            if (hit)
                assert_int_equal(got, want);
            if (cached)
                (want_hit ? hits : misses)[level]++;
        } else if (what < 97) {
            pwc_unified_fill(c, pa, level, x);
            if (cached)
                nv_fill(m, pa, 0, pa >> 3, x);
        } else if (what < 99) {
            pwc_unified_invalidate(c, pa);
            nv_entry *e = nv_find(m, pa, 0, pa >> 3);
            if (e)
                e->valid = false;
        } else if (x % 1000 == 999) {
            pwc_unified_flush(c);
            nv_clear(m);
        }
    }
    for (unsigned l = 0; l <= PWC_MAX_LEVELS; l++) {
        assert_int_equal(pwc_unified_stats(c)->hits[l], hits[l]);
        assert_int_equal(pwc_unified_stats(c)->misses[l], misses[l]);
    }
    assert_true(hits[3] > 500);
    nv_free(m);
    pwc_unified_free(c);

    pwc_unified_params bad = p;
    bad.level_mask = 1u << 6;
    assert_null(pwc_unified_new(&bad, &err));
    bad = p, bad.ways = 7;
    assert_null(pwc_unified_new(&bad, &err));
    assert_int_equal(err.code, VS_E_CONFIG);
}

/* ---- nested TLB ------------------------------------------------------ */

static void test_ntlb(void **s)
{
    (void)s;
    vs_err err = {0};
    assert_null(pwc_ntlb_new(10, 4, ASSOC_LRU, 0, &err));
    assert_int_equal(err.code, VS_E_CONFIG);
    pwc_ntlb *n = pwc_ntlb_new(16, 4, ASSOC_LRU, 0, &err);
    assert_non_null(n);
    uint64_t hpa;
    vs_pgsz size;
    assert_false(pwc_ntlb_lookup(n, 0x5000, 1, &hpa, &size));
    pwc_ntlb_fill(n, 0x5000, 1, 0x123000, VS_PG_4K);
    pwc_ntlb_fill(n, 0x40000000, 1, 0x80000000, VS_PG_1G);
    pwc_ntlb_fill(n, 0x600000, 2, 0x200000, VS_PG_2M);
    assert_true(pwc_ntlb_lookup(n, 0x5abc, 1, &hpa, &size));
    assert_int_equal(hpa, 0x123000);
    assert_int_equal(size, VS_PG_4K);
    assert_true(pwc_ntlb_lookup(n, 0x7fffffff, 1, &hpa, &size));
    assert_int_equal(hpa, 0x80000000);
    assert_int_equal(size, VS_PG_1G);
    assert_false(pwc_ntlb_lookup(n, 0x7fffffff, 2, &hpa, &size)); /* other VM */
    assert_true(pwc_ntlb_lookup(n, 0x7fffff, 2, &hpa, &size));
    assert_int_equal(hpa, 0x200000);
    assert_int_equal(size, VS_PG_2M);
    pwc_ntlb_invalidate(n, 0x40001000, 1);
    assert_false(pwc_ntlb_lookup(n, 0x40000000, 1, &hpa, &size));
    assert_true(pwc_ntlb_lookup(n, 0x5000, 1, &hpa, &size));
    pwc_ntlb_flush(n);
    assert_false(pwc_ntlb_lookup(n, 0x5000, 1, &hpa, &size));
    assert_int_equal(pwc_ntlb_hits(n), 4);
    assert_int_equal(pwc_ntlb_misses(n), 4);
    pwc_ntlb_free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_by_hand),
        cmocka_unit_test(test_split_vs_model),
        cmocka_unit_test(test_unified_vs_model),
        cmocka_unit_test(test_ntlb),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
