/*
 * test_pt.c: page tables against a model (a hash of leaves plus a hash of the
 * tables that must exist), entry addresses as reported vs. as read back,
 * exact table counts, and the sparse directory's growth.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "mmu/pt.h"

/* ---- a table-frame allocator and write recorder behind pt_ops ---- */

#define MAX_WRITES 8 /* one map writes at most 5 entries */

typedef struct env {
    uint64_t next_pfn, stride, budget; /* frames handed out as next_pfn += stride */
    uint64_t allocated, freed;
    GHashTable *live;                  /* pfn -> level of tables handed out */
    unsigned nwrites;
    struct {
        uint64_t pa, old, new;
        unsigned level;
    } w[MAX_WRITES];
    bool root_freed;
    unsigned levels;
} env;

static bool e_alloc(void *ctx, unsigned level, uint64_t *pfn)
{
    env *e = ctx;
    if (e->allocated - e->freed >= e->budget)
        return false;
    *pfn = e->next_pfn;
    e->next_pfn += e->stride;
    e->allocated++;
    g_hash_table_insert(e->live, GSIZE_TO_POINTER(*pfn), GUINT_TO_POINTER(level));
    return true;
}

static void e_free(void *ctx, uint64_t pfn, unsigned level)
{
    env *e = ctx;
    assert_false(e->root_freed); /* the root goes last */
    assert_int_equal(GPOINTER_TO_UINT(g_hash_table_lookup(e->live, GSIZE_TO_POINTER(pfn))), level);
    g_hash_table_remove(e->live, GSIZE_TO_POINTER(pfn));
    e->freed++;
    if (level == e->levels)
        e->root_freed = true;
}

static void e_written(void *ctx, uint64_t pa, unsigned level, uint64_t old, uint64_t new)
{
    env *e = ctx;
    assert_true(e->nwrites < MAX_WRITES);
    e->w[e->nwrites].pa = pa;
    e->w[e->nwrites].old = old;
    e->w[e->nwrites].new = new;
    e->w[e->nwrites].level = level;
    e->nwrites++;
}

static void e_init(env *e, pt_ops *ops, unsigned levels, uint64_t stride)
{
    memset(e, 0, sizeof *e);
    e->next_pfn = 100;
    e->stride = stride;
    e->budget = UINT64_MAX;
    e->levels = levels;
    e->live = g_hash_table_new(g_direct_hash, g_direct_equal);
    *ops = (pt_ops){e_alloc, e_free, e_written, e};
}

/* Every reported write is where pt_read_entry finds it, in a table of its level. */
static void check_writes(const env *e, const pt_mem *m)
{
    for (unsigned i = 0; i < e->nwrites; i++) {
        assert_int_equal(pt_read_entry(m, e->w[i].pa), e->w[i].new);
        uint64_t pfn = e->w[i].pa >> 12;
        assert_int_equal(GPOINTER_TO_UINT(g_hash_table_lookup(e->live, GSIZE_TO_POINTER(pfn))), e->w[i].level);
    }
}

/* ---- the model ---- */

static uint64_t span(unsigned level) { return 1ull << (12 + 9 * (level - 1)); }
static uint64_t sext(uint64_t va, unsigned levels)
{
    unsigned unused = 64 - pt_va_bits(levels);
    return (uint64_t)((int64_t)(va << unused) >> unused);
}

typedef struct model {
    GHashTable *leaf;   /* va_base | size -> pa_base (va bases are 4k-aligned) */
    GHashTable *tables; /* (va >> (12 + 9 * level)) << 3 | level -> 1, for tables below the root */
    unsigned levels;
} model;

static gpointer leaf_key(uint64_t va_base, vs_pgsz s) { return GSIZE_TO_POINTER(va_base | (uint64_t)s); }
static gpointer table_key(uint64_t va, unsigned level)
{
    return GSIZE_TO_POINTER(((va & ((1ull << 57) - 1)) >> (12 + 9 * level)) << 3 | level);
}

/* The model's leaf covering va, if any. */
static bool m_lookup(const model *m, uint64_t va, uint64_t *pa, vs_pgsz *size)
{
    for (vs_pgsz s = VS_PG_4K; s < VS_PG_COUNT; s++) {
        uint64_t mask = span(s + 1) - 1;
        gpointer v;
        if (g_hash_table_lookup_extended(m->leaf, leaf_key(va & ~mask, s), NULL, &v)) {
            *pa = GPOINTER_TO_SIZE(v) | (va & mask);
            *size = s;
            return true;
        }
    }
    return false;
}

typedef struct leaf_list {
    uint64_t va, pte;
    vs_pgsz size;
} leaf_list;

static void collect(void *ctx, uint64_t va, uint64_t pte, vs_pgsz size)
{
    leaf_list l = {va, pte, size};
    g_array_append_val((GArray *)ctx, l);
}

static uint64_t rand_va(uint64_t *rng, unsigned levels, vs_pgsz size)
{
    /* cluster addresses in a few 1 GiB windows of both halves so tables are shared */
    uint64_t r = vs_rng_next(rng);
    uint64_t window = (r & 7) << 30 | ((r >> 3) & 1 ? (1ull << (pt_va_bits(levels) - 2)) : 0);
    uint64_t va = window + ((r >> 8) & ((1ull << 31) - 1));
    if ((r >> 60) & 1)
        va = sext(va | (1ull << (pt_va_bits(levels) - 1)), levels); /* upper half */
    return va & ~(span(size + 1) - 1);
}

static void random_round_trips(unsigned levels, uint64_t seed)
{
    env e;
    pt_ops ops;
    e_init(&e, &ops, levels, 1);
    pt_mem *mem = pt_mem_new();
    pt_tree t;
    assert_int_equal(pt_tree_init(&t, mem, levels, &ops, NULL), VS_OK);
    model m = {g_hash_table_new(g_direct_hash, g_direct_equal), g_hash_table_new(g_direct_hash, g_direct_equal),
               levels};
    GArray *live = g_array_new(FALSE, FALSE, sizeof(leaf_list));
    uint64_t rng = seed;
    for (int op = 0; op < 20000; op++) {
        uint64_t r = vs_rng_next(&rng);
        e.nwrites = 0;
        if (r % 3 != 0 || live->len == 0) {
            vs_pgsz size = (r >> 8) % 8 == 0 ? VS_PG_1G : (r >> 8) % 8 < 3 ? VS_PG_2M : VS_PG_4K;
            uint64_t va = rand_va(&rng, levels, size);
            uint64_t pa = ((r >> 16) & ((1ull << 36) - 1)) << 12 & ~(span(size + 1) - 1);
            unsigned leaf_level = size + 1;
            /* the model's verdict: no leaf at or above, no table where a big leaf goes */
            bool ok = true;
            for (vs_pgsz s = size; s < VS_PG_COUNT; s++)
                if (g_hash_table_contains(m.leaf, leaf_key(va & ~(span(s + 1) - 1), s)))
                    ok = false;
            if (leaf_level > 1 && g_hash_table_contains(m.tables, table_key(va, leaf_level - 1)))
                ok = false;
            unsigned want_new = 0;
            for (unsigned l = levels - 1; l >= leaf_level; l--)
                want_new += !g_hash_table_contains(m.tables, table_key(va, l));
            uint64_t before = pt_mem_pages(mem);
            vs_err err;
            int rc = pt_map(&t, va, pa, size, PTE_RW | PTE_US, &ops, &err);
            if (!ok) {
                assert_int_equal(rc, VS_E_USAGE);
                continue;
            }
            assert_int_equal(rc, VS_OK);
            assert_int_equal(pt_mem_pages(mem) - before, want_new);
            assert_int_equal(e.nwrites, want_new + 1);
            check_writes(&e, mem);
            for (unsigned l = levels - 1; l >= leaf_level; l--)
                g_hash_table_add(m.tables, table_key(va, l));
            g_hash_table_insert(m.leaf, leaf_key(va, size), GSIZE_TO_POINTER(pa));
            leaf_list l = {va, 0, size};
            g_array_append_val(live, l);
            uint64_t epa;
            unsigned elevel;
            assert_true(pt_leaf_entry_pa(&t, va + span(leaf_level) - 8, &epa, &elevel));
            assert_int_equal(epa, e.w[e.nwrites - 1].pa);
            assert_int_equal(elevel, leaf_level);
            assert_int_equal(e.w[e.nwrites - 1].new, pa | PTE_P | PTE_RW | PTE_US | (size ? PTE_PS : 0));
        } else {
            guint i = (guint)((r >> 8) % live->len);
            leaf_list l = g_array_index(live, leaf_list, i);
            g_array_remove_index_fast(live, i);
            vs_pgsz size;
            uint64_t pa_base, off = (r >> 20) % span(l.size + 1);
            assert_true(pt_unmap(&t, l.va + off, &ops, &size, &pa_base));
            assert_int_equal(size, l.size);
            assert_int_equal(pa_base, GPOINTER_TO_SIZE(g_hash_table_lookup(m.leaf, leaf_key(l.va, l.size))));
            assert_int_equal(e.nwrites, 1);
            assert_int_equal(e.w[0].new, 0);
            check_writes(&e, mem);
            g_hash_table_remove(m.leaf, leaf_key(l.va, l.size));
            assert_false(pt_lookup(&t, l.va + off, NULL, NULL, NULL));
        }
        /* lookups: near live leaves and anywhere */
        for (int k = 0; k < 4; k++) {
            uint64_t va = k < 2 && live->len ? g_array_index(live, leaf_list, vs_rng_next(&rng) % live->len).va +
                                                   (vs_rng_next(&rng) & 0x3fffffff)
                                             : rand_va(&rng, levels, VS_PG_4K) + (vs_rng_next(&rng) & 0xfff);
            uint64_t want_pa = 0, got_pa = 0, pte;
            vs_pgsz want_s = VS_PG_4K, got_s = VS_PG_4K;
            bool want = m_lookup(&m, va, &want_pa, &want_s);
            assert_int_equal(pt_lookup(&t, va, &got_pa, &got_s, &pte), want);
            if (want) {
                assert_int_equal(got_pa, want_pa);
                assert_int_equal(got_s, want_s);
            }
            for (vs_pgsz s = VS_PG_4K; s < VS_PG_COUNT; s++) {
                bool empty = true; /* no leaf overlapping the region and no table under it */
                uint64_t base = va & ~(span(s + 1) - 1), p;
                vs_pgsz ss;
                if (m_lookup(&m, base, &p, &ss))
                    empty = false;
                if (s > VS_PG_4K && g_hash_table_contains(m.tables, table_key(base, s)))
                    empty = false;
                assert_int_equal(pt_region_empty(&t, base, s), empty);
            }
        }
    }
    assert_int_equal(pt_mem_pages(mem), 1 + g_hash_table_size(m.tables));
    /* every leaf, in address order */
    GArray *leaves = g_array_new(FALSE, FALSE, sizeof(leaf_list));
    pt_for_each_leaf(&t, collect, leaves);
    assert_int_equal(leaves->len, g_hash_table_size(m.leaf));
    for (guint i = 0; i < leaves->len; i++) {
        leaf_list *l = &g_array_index(leaves, leaf_list, i);
        if (i)
            assert_true(g_array_index(leaves, leaf_list, i - 1).va < l->va);
        assert_true(pt_va_canonical(l->va, levels));
        assert_int_equal(pte_addr(l->pte) & ~(span(l->size + 1) - 1),
                         GPOINTER_TO_SIZE(g_hash_table_lookup(m.leaf, leaf_key(l->va, l->size))));
    }
    pt_tree_destroy(&t, &ops);
    assert_true(e.root_freed);
    assert_int_equal(e.allocated, e.freed);
    assert_int_equal(pt_mem_pages(mem), 0);
    assert_int_equal(g_hash_table_size(e.live), 0);
    g_array_free(leaves, TRUE);
    g_array_free(live, TRUE);
    g_hash_table_destroy(m.leaf);
    g_hash_table_destroy(m.tables);
    g_hash_table_destroy(e.live);
    pt_mem_free(mem);
}

static void test_random_4level(void **state)
{
    (void)state;
    random_round_trips(4, 11);
}

static void test_random_5level(void **state)
{
    (void)state;
    random_round_trips(5, 12);
}

/* ---- exact counts and edge cases ---- */

static void test_counts(void **state)
{
    (void)state;
    for (unsigned levels = 4; levels <= 5; levels++)
        for (vs_pgsz s = VS_PG_4K; s < VS_PG_COUNT; s++) {
            env e;
            pt_ops ops;
            e_init(&e, &ops, levels, 1);
            pt_mem *mem = pt_mem_new();
            pt_tree t;
            assert_int_equal(pt_tree_init(&t, mem, levels, &ops, NULL), VS_OK);
            assert_int_equal(pt_mem_pages(mem), 1);
            uint64_t va = sext(1ull << (pt_va_bits(levels) - 1), levels); /* lowest upper-half address */
            assert_int_equal(pt_map(&t, va, 1ull << 30, s, PTE_RW, &ops, NULL), VS_OK);
            /* 4k: levels - 1 tables below the root, 2m: one fewer, 1g: two fewer */
            assert_int_equal(pt_mem_pages(mem), 1 + (levels - 1) - s);
            assert_int_equal(e.nwrites, levels - s);
            check_writes(&e, mem);
            /* the first write is to the root's entry for va */
            assert_int_equal(e.w[0].pa, (t.root_pfn << 12) + 8 * pt_index(va, levels));
            assert_int_equal(e.w[0].level, levels);
            assert_int_equal(e.w[0].new & ~PTE_ADDR_MASK, PTE_P | PTE_RW | PTE_US);
            GArray *leaves = g_array_new(FALSE, FALSE, sizeof(leaf_list));
            pt_for_each_leaf(&t, collect, leaves);
            assert_int_equal(leaves->len, 1);
            assert_int_equal(g_array_index(leaves, leaf_list, 0).va, va);
            assert_int_equal(g_array_index(leaves, leaf_list, 0).size, s);
            g_array_free(leaves, TRUE);
            /* remapping, misalignment and non-canonical addresses are refused */
            vs_err err;
            assert_int_equal(pt_map(&t, va, 0, s, 0, &ops, &err), VS_E_USAGE);
            assert_int_equal(pt_map(&t, va + 4096, 0, VS_PG_2M, 0, &ops, &err), VS_E_USAGE);
            assert_int_equal(pt_map(&t, 1ull << 60, 0, VS_PG_4K, 0, &ops, &err), VS_E_USAGE);
            assert_false(pt_lookup(&t, 1ull << 60, NULL, NULL, NULL));
            /* unmap leaves the tables: the region is no longer empty for a larger leaf */
            assert_true(pt_unmap(&t, va, &ops, NULL, NULL));
            assert_false(pt_unmap(&t, va, &ops, NULL, NULL));
            assert_true(pt_region_empty(&t, va, s));
            if (s < VS_PG_1G)
                assert_false(pt_region_empty(&t, va, s + 1));
            assert_false(pt_update_leaf(&t, va, 0, &ops));
            pt_tree_destroy(&t, &ops);
            assert_int_equal(e.freed, e.allocated);
            pt_mem_free(mem);
            g_hash_table_destroy(e.live);
        }
}

static void test_limit(void **state)
{
    (void)state;
    env e;
    pt_ops ops;
    e_init(&e, &ops, 4, 1);
    e.budget = 2;
    pt_mem *mem = pt_mem_new();
    pt_tree t;
    vs_err err;
    assert_int_equal(pt_tree_init(&t, mem, 3, &ops, &err), VS_E_CONFIG);
    assert_int_equal(pt_tree_init(&t, mem, 4, &ops, NULL), VS_OK);
    assert_int_equal(pt_map(&t, 0, 0, VS_PG_4K, 0, &ops, &err), VS_E_LIMIT);
    assert_non_null(strstr(err.msg, "level-2"));
    e.budget = 10;
    assert_int_equal(pt_map(&t, 0, 0, VS_PG_4K, 0, &ops, &err), VS_OK); /* resumes where it stopped */
    assert_int_equal(pt_mem_pages(mem), 4);
    /* update and A/D */
    uint64_t pte;
    assert_true(pt_update_leaf(&t, 0x123, PTE_P | PTE_A | PTE_D | (7ull << 12), &ops));
    assert_true(pt_lookup(&t, 0x123, NULL, NULL, &pte));
    assert_int_equal(pte, PTE_P | PTE_A | PTE_D | (7ull << 12));
    pt_tree_destroy(&t, &ops);
    pt_mem_free(mem);
    g_hash_table_destroy(e.live);
}

/* ---- growth ---- */

/* 1,000,000 4 KiB pages in 2,000 runs of 500, one run every 64 GiB of the
 * 47-bit lower half, each run starting 1 MiB into a 2 MiB region: each run
 * needs 2 level-1 tables and 1 level-2 table; 8 runs share a level-3 table. */
static void test_growth(void **state)
{
    (void)state;
    enum { RUNS = 2000, RUN_PAGES = 500 };
    const uint64_t stride = 1ull << 36, offset = 1ull << 20;
    for (int spread = 0; spread < 2; spread++) {
        env e;
        pt_ops ops;
        /* table frames dense, or spread one every 4099 frames (each in its own chunk) */
        e_init(&e, &ops, 4, spread ? 4099 : 1);
        pt_mem *mem = pt_mem_new();
        pt_tree t;
        assert_int_equal(pt_tree_init(&t, mem, 4, &ops, NULL), VS_OK);
        for (uint64_t r = 0; r < RUNS; r++)
            for (uint64_t i = 0; i < RUN_PAGES; i++) {
                e.nwrites = 0;
                uint64_t va = r * stride + offset + (i << 12);
                assert_int_equal(pt_map(&t, va, va & PTE_ADDR_MASK, VS_PG_4K, PTE_RW, &ops, NULL), VS_OK);
            }
        uint64_t want = 1 + RUNS / 8 + RUNS + 2 * RUNS;
        assert_int_equal(pt_mem_pages(mem), want);
        /* bookkeeping: an index of 16-byte slots, at least 3/8 of them
         * in use (43 bytes per table page), whether the table frames are
         * packed or spread */
        size_t overhead = pt_mem_overhead_bytes(mem);
        assert_true(overhead <= 1024 + want * 43);
        uint64_t pa;
        assert_true(pt_lookup(&t, 1999 * stride + offset + 0x1f3abc, &pa, NULL, NULL));
        assert_int_equal(pa, 1999 * stride + offset + 0x1f3abc);
        assert_false(pt_lookup(&t, 1999 * stride, &pa, NULL, NULL));
        pt_tree_destroy(&t, &ops);
        assert_int_equal(pt_mem_pages(mem), 0);
        assert_true(pt_mem_overhead_bytes(mem) <= 4096); /* the index shrank with the pages */
        pt_mem_free(mem);
        g_hash_table_destroy(e.live);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_random_4level), cmocka_unit_test(test_random_5level),
        cmocka_unit_test(test_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
