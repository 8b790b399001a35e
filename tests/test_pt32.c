/*
 * test_pt32.c: 32-bit paging (guest.levels = 2; Intel SDM vol. 3A sec. 4.3)
 * against a naive reference.
 *
 * The reference knows nothing of pt.c: it keeps guest memory as a map from
 * 4-byte-aligned physical address to the 32-bit value there, fed only by the
 * entry writes pt.c reports, and translates as the SDM's figure 4-2 reads:
 * PDE at CR3[31:12] | va[31:22] * 4, PTE at PDE[31:12] | va[21:12] * 4, the
 * page at PTE[31:12] | va[11:0].  Random maps and unmaps of 4 KiB pages over
 * the whole 4 GiB space; after each, the hardware walker (walk_1d, with
 * bits32) and the software lookup must agree with the reference on random
 * addresses, reading exactly 2 entries for a mapped one; every write must
 * land at the reference's entry address; pt_for_each_leaf must list the
 * reference's pages.
 *
 * A check that never fails proves nothing (SQLite's bitvec test): the test
 * then seeds a fault -- one live leaf's stored word rewritten behind pt.c's
 * back, in the half that holds it -- and the same comparison must report it.
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
#include "mmu/walk.h"

#define OPS 6000          /* maps and unmaps per run */
#define PROBES 8          /* random lookups after each */
#define FIRST_TABLE 0x100 /* table frames are handed out from here, one by one */

typedef struct ref {
    GHashTable *mem; /* 4-byte-aligned pa -> 32-bit value (absent: 0) */
    uint64_t cr3;
    uint64_t next_pfn;
    GHashTable *pages; /* va >> 12 -> pa >> 12, the pages mapped */
} ref;

static uint32_t ref_read(const ref *r, uint64_t pa)
{
    assert_int_equal(pa & 3, 0);
    return (uint32_t)GPOINTER_TO_SIZE(g_hash_table_lookup(r->mem, GSIZE_TO_POINTER(pa)));
}

/* The SDM's 32-bit walk: present, *pa and the entries it read. */
static bool ref_walk(const ref *r, uint32_t va, uint64_t *pa, unsigned *reads)
{
    uint32_t pde = ref_read(r, (r->cr3 & 0xfffff000u) | (va >> 22) * 4);
    *reads = 1;
    if (!(pde & 1))
        return false;
    uint32_t pte = ref_read(r, (pde & 0xfffff000u) | ((va >> 12) & 0x3ff) * 4);
    *reads = 2;
    if (!(pte & 1))
        return false;
    *pa = (pte & 0xfffff000u) | (va & 0xfff);
    return true;
}

static bool r_alloc(void *ctx, unsigned level, uint64_t *pfn)
{
    (void)level;
    ref *r = ctx;
    *pfn = r->next_pfn++;
    return true;
}

static void r_free(void *ctx, uint64_t pfn, unsigned level)
{
    (void)ctx;
    (void)pfn;
    (void)level;
}

static void r_written(void *ctx, uint64_t pa, unsigned level, uint64_t old, uint64_t new)
{
    ref *r = ctx;
    (void)level;
    assert_int_equal(old, ref_read(r, pa)); /* pt.c read back what it wrote there before */
    assert_true(new >> 32 == 0);
    g_hash_table_insert(r->mem, GSIZE_TO_POINTER(pa), GSIZE_TO_POINTER(new));
}

/* Addresses a walk of va goes through: where pt.c must have written. */
static uint64_t ref_pde_addr(const ref *r, uint32_t va) { return (r->cr3 & 0xfffff000u) | (va >> 22) * 4; }

/* Compares pt.c's walker and lookup with the reference at va; returns the
 * number of disagreements (0 when they agree). */
static unsigned compare(const ref *r, const pt_tree *t, uint32_t va)
{
    uint64_t want_pa = 0, got_pa = 0;
    unsigned want_reads;
    bool want = ref_walk(r, va, &want_pa, &want_reads);
    unsigned bad = 0;
    walk_req req = {.tables = t->mem, .root = t->root_pfn << 12, .levels = 2, .bits32 = true, .va = va};
    walk_result res;
    walk_tally tally = {0};
    assert_int_equal(walk_1d(&req, &res, &tally, NULL), VS_OK);
    bad += res.present != want || tally.refs != want_reads;
    if (want && res.present)
        bad += res.out_addr != want_pa || res.size != VS_PG_4K;
    vs_pgsz size;
    bool found = pt_lookup(t, va, &got_pa, &size, NULL);
    bad += found != want;
    if (want && found)
        bad += got_pa != want_pa;
    return bad;
}

static void collect(void *ctx, uint64_t va, uint64_t pte, vs_pgsz size)
{
    GHashTable *seen = ctx;
    assert_int_equal(size, VS_PG_4K);
    assert_true(va >> 32 == 0); /* a 32-bit va is zero-extended */
    g_hash_table_insert(seen, GSIZE_TO_POINTER(va >> 12), GSIZE_TO_POINTER(pte_addr(pte) >> 12));
}

static void against_reference(void **state)
{
    (void)state;
    ref r = {.mem = g_hash_table_new(g_direct_hash, g_direct_equal), .next_pfn = FIRST_TABLE,
             .pages = g_hash_table_new(g_direct_hash, g_direct_equal)};
    pt_ops ops = {r_alloc, r_free, r_written, &r};
    pt_mem *mem = pt_mem_new();
    pt_tree t;
    assert_int_equal(pt_tree_init(&t, mem, 2, &ops, NULL), VS_OK);
    r.cr3 = t.root_pfn << 12;
    GArray *live = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    uint64_t rng = 32;
    for (int op = 0; op < OPS; op++) {
        uint64_t x = vs_rng_next(&rng);
        if (x % 4 != 0 || live->len == 0) {
            /* a few hot 4 MiB regions (full tables, both halves of each word) and the whole space */
            uint32_t va = (uint32_t)((x >> 8) % 4 ? ((x >> 12) % 8) << 28 | ((x >> 20) & 0x3fffff)
                                                  : (x >> 16)) & ~0xfffu;
            uint64_t pa = ((x >> 40) % (1u << 20)) << 12;
            bool mapped = g_hash_table_contains(r.pages, GSIZE_TO_POINTER(va >> 12));
            vs_err err;
            int rc = pt_map(&t, va, pa, VS_PG_4K, PTE_RW | PTE_US, &ops, &err);
            assert_int_equal(rc, mapped ? VS_E_USAGE : VS_OK);
            if (mapped)
                continue;
            g_hash_table_insert(r.pages, GSIZE_TO_POINTER(va >> 12), GSIZE_TO_POINTER(pa >> 12));
            g_array_append_val(live, va);
            /* the leaf went where the reference's walk reads it */
            uint64_t epa;
            unsigned level;
            assert_true(pt_leaf_entry_pa(&t, va, &epa, &level));
            assert_int_equal(level, 1);
            uint32_t pde = ref_read(&r, ref_pde_addr(&r, va));
            assert_int_equal(epa, (pde & 0xfffff000u) | ((va >> 12) & 0x3ff) * 4);
        } else {
            guint i = (guint)((x >> 8) % live->len);
            uint32_t va = g_array_index(live, uint32_t, i);
            g_array_remove_index_fast(live, i);
            assert_true(pt_unmap(&t, va | (uint32_t)(x >> 52), &ops, NULL, NULL));
            g_hash_table_remove(r.pages, GSIZE_TO_POINTER(va >> 12));
        }
        for (int k = 0; k < PROBES; k++) {
            uint64_t y = vs_rng_next(&rng);
            uint32_t va = k % 2 && live->len ? g_array_index(live, uint32_t, y % live->len) | (uint32_t)(y >> 52)
                                             : (uint32_t)(y >> 20);
            assert_int_equal(compare(&r, &t, va), 0);
        }
    }
    /* above 4 GiB nothing is mapped or mappable */
    assert_false(pt_va_canonical(1ull << 32, 2));
    assert_int_equal(pt_map(&t, 1ull << 32, 0, VS_PG_4K, 0, &ops, NULL), VS_E_USAGE);
    assert_int_equal(pt_map(&t, 0xfffff000u, 1ull << 32, VS_PG_4K, 0, &ops, NULL), VS_E_USAGE);
    assert_int_equal(pt_map(&t, 0x400000u, 0, VS_PG_2M, 0, &ops, NULL), VS_E_USAGE);
    /* every leaf, as the reference has it */
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    pt_for_each_leaf(&t, collect, seen);
    assert_int_equal(g_hash_table_size(seen), g_hash_table_size(r.pages));
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, r.pages);
    while (g_hash_table_iter_next(&it, &k, &v))
        assert_ptr_equal(g_hash_table_lookup(seen, k), v);
    assert_true(live->len > 1000);

    /* The seeded fault: the frame of one live leaf at an odd index (the high
     * half of its word) changes behind pt.c's back; the comparison sees it. */
    uint32_t victim = 0;
    for (guint i = 0; i < live->len && !victim; i++)
        if ((g_array_index(live, uint32_t, i) >> 12) & 1)
            victim = g_array_index(live, uint32_t, i);
    assert_true(victim != 0);
    uint64_t epa;
    unsigned level;
    assert_true(pt_leaf_entry_pa(&t, victim, &epa, &level));
    assert_int_equal(epa & 7, 4);
    pt_write_entry(mem, epa & ~7ull, pt_read_entry(mem, epa & ~7ull) ^ (1ull << 44)); /* frame bit 12 of the high half */
    assert_true(compare(&r, &t, victim) > 0);
    /* and only that page: its neighbour in the low half still agrees */
    assert_int_equal(compare(&r, &t, victim ^ 0x1000), 0);

    pt_tree_destroy(&t, &ops);
    assert_int_equal(pt_mem_pages(mem), 0);
    pt_mem_free(mem);
    g_hash_table_destroy(seen);
    g_array_free(live, TRUE);
    g_hash_table_destroy(r.mem);
    g_hash_table_destroy(r.pages);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(against_reference)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
