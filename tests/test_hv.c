/*
 * test_hv.c: the hypervisor memory model -- backing at each page size, the
 * large-page fallback, contiguous segments (one and several), shadow-table
 * pages, and exhaustion errors -- plus a random check against a naive model:
 * every backed GPA keeps its first host frame, no two GPAs share a host
 * frame, and inside a segment hpa == base + (gpa - gpa_base).  With host
 * frames grouped by mobility, a guest page's offset within its 2 MiB
 * pageblock does not depend on how many table pages were taken between
 * backings (and without grouping it does: the seeded fault).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mmu/hv.h"

#include <glib.h>

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static hv *make(vs_pgsz page, uint64_t mem, unsigned max_order, bool contig, unsigned segs)
{
    hv_params p = {.levels = 4,
                   .page_size = page,
                   .mem_bytes = mem,
                   .max_order = max_order,
                   .contig_backing = contig,
                   .contig_segments = segs};
    hv *h;
    vs_err err;
    assert_int_equal(hv_new(&p, &h, &err), VS_OK);
    return h;
}

/* For 4 KiB backing of the same GPA sequence on two hosts, one of which takes
 * shadow-table pages between backings: how many GPAs land at a different
 * offset within 2 MiB. */
static unsigned offsets_moved(bool grouped)
{
    hv *h[2];
    hv_vm *v[2];
    vs_err err;
    for (int i = 0; i < 2; i++) {
        hv_params p = {.levels = 4, .page_size = VS_PG_4K, .mem_bytes = GiB, .max_order = 18,
                       .group_by_mobility = grouped};
        assert_int_equal(hv_new(&p, &h[i], &err), VS_OK);
        assert_int_equal(hv_vm_new(h[i], 0, 512 * MiB, &v[i], &err), VS_OK);
    }
    unsigned moved = 0;
    uint64_t rng = 5;
    for (unsigned n = 0; n < 3000; n++) {
        uint64_t gpa = (vs_rng_next(&rng) % (512 * MiB)) & ~0xfffull, hpa[2];
        for (int i = 0; i < 2; i++) {
            hv_back_info bi;
            assert_int_equal(hv_back(v[i], gpa, &bi, &err), VS_OK);
            hpa[i] = bi.hpa_base;
        }
        moved += (hpa[0] & (2 * MiB - 1)) != (hpa[1] & (2 * MiB - 1));
        uint64_t pfn;
        if (n % 3 == 0)
            assert_true(hv_alloc_table(h[1], &pfn)); /* a mode that takes more tables */
    }
    hv_free(h[0]);
    hv_free(h[1]);
    return moved;
}

static void mobility_keeps_offsets(void **state)
{
    (void)state;
    assert_int_equal(offsets_moved(true), 0);
    assert_true(offsets_moved(false) > 0); /* the seeded fault: one interleaved order */
}

static void back_each_size(void **state)
{
    (void)state;
    for (vs_pgsz s = VS_PG_4K; s < VS_PG_COUNT; s++) {
        hv *h = make(s, 8 * GiB, 20, false, 1);
        hv_vm *v;
        vs_err err;
        assert_int_equal(hv_vm_new(h, 0, 4 * GiB, &v, &err), VS_OK);
        uint64_t gpa = 0x12345678;
        hv_back_info bi;
        assert_int_equal(hv_back(v, gpa, &bi, &err), VS_OK);
        assert_int_equal(bi.size, s);
        assert_int_equal(bi.hpa_base & ((1ull << vs_pgsz_shift(s)) - 1), 0);
        assert_int_equal(bi.tables_added, 3 - (unsigned)s); /* PDPT, PD, PT below the root */
        uint64_t hpa;
        vs_pgsz sz;
        assert_true(hv_translate(v, gpa, &hpa, &sz));
        assert_int_equal(sz, s);
        assert_int_equal(hpa, bi.hpa_base + (gpa & ((1ull << vs_pgsz_shift(s)) - 1)));
        /* a second back of the same page changes nothing */
        hv_back_info again;
        assert_int_equal(hv_back(v, gpa + 8, &again, &err), VS_OK);
        assert_int_equal(again.hpa_base, bi.hpa_base);
        assert_int_equal(again.tables_added, 0);
        assert_int_equal(hv_get_counters(h)->backed[s], 1);
        assert_int_equal(hv_get_counters(h)->fallbacks, 0);
        assert_int_equal(hv_get_counters(h)->host_tables, 4 - (unsigned)s);
        assert_false(hv_translate(v, 3 * GiB, &hpa, &sz));
        hv_free(h);
    }
}

static void large_page_fallback(void **state)
{
    (void)state;
    vs_err err;
    /* Guest memory that is not a 2 MiB multiple: the tail is backed with 4 KiB. */
    hv *h = make(VS_PG_2M, 1 * GiB, 20, false, 1);
    hv_vm *v;
    assert_int_equal(hv_vm_new(h, 0, 16 * MiB + 64 * 1024, &v, &err), VS_OK);
    hv_back_info bi;
    assert_int_equal(hv_back(v, 16 * MiB + 4096, &bi, &err), VS_OK);
    assert_int_equal(bi.size, VS_PG_4K);
    assert_int_equal(hv_get_counters(h)->fallbacks, 1);
    hv_free(h);

    /* Host memory too fragmented for a 2 MiB block. */
    h = make(VS_PG_2M, 16 * MiB, 18, false, 1);
    buddy *b = hv_allocator(h);
    /* take every 2 MiB block's first frame, leaving only small holes */
    for (uint64_t f = 0; f < (16 * MiB) >> 12; f += 512)
        assert_true(buddy_alloc_at(b, f, 0));
    assert_int_equal(hv_vm_new(h, 0, 64 * MiB, &v, &err), VS_OK);
    assert_int_equal(hv_back(v, 5 * MiB, &bi, &err), VS_OK);
    assert_int_equal(bi.size, VS_PG_4K);
    assert_int_equal(hv_get_counters(h)->fallbacks, 1);
    assert_int_equal(hv_get_counters(h)->backed[VS_PG_4K], 1);
    hv_free(h);
}

static void contiguous_one_segment(void **state)
{
    (void)state;
    vs_err err;
    /* 16 GiB guest on a 64 GiB host with 4 GiB buddy blocks: a run of blocks. */
    hv *h = make(VS_PG_2M, 64 * GiB, 20, true, 1);
    hv_vm *v0, *v1;
    assert_int_equal(hv_vm_new(h, 0, 16 * GiB, &v0, &err), VS_OK);
    assert_int_equal(hv_vm_new(h, 1, 3 * GiB, &v1, &err), VS_OK);
    const hv_segment *s;
    assert_int_equal(hv_vm_segments(v0, &s), 1);
    assert_int_equal(s[0].gpa_base, 0);
    assert_int_equal(s[0].length, 16 * GiB);
    assert_int_equal(hv_vm_segments(v1, NULL), 1);
    assert_int_equal(hv_get_counters(h)->contiguous_vms, 2);
    hv_back_info bi;
    assert_int_equal(hv_back(v0, 0x40201234, &bi, &err), VS_OK);
    assert_int_equal(bi.size, VS_PG_2M);
    uint64_t hpa;
    assert_true(hv_translate(v0, 0x40201234, &hpa, NULL));
    assert_int_equal(hpa, s[0].hpa_base + 0x40201234);
    assert_ptr_equal(hv_vm_segment_of(v0, 16 * GiB - 1), &s[0]);
    assert_null(hv_vm_segment_of(v0, 16 * GiB));
    hv_free(h);
}

static void contiguous_segments(void **state)
{
    (void)state;
    vs_err err;
    /* Fragment a 1 GiB host so no 512 MiB run is free: every other 256 MiB is taken. */
    hv *h = make(VS_PG_4K, 1 * GiB, 18, true, 4);
    buddy *b = hv_allocator(h);
    for (uint64_t f = 0; f < (1 * GiB) >> 12; f += 2 * (256 * MiB >> 12))
        assert_true(buddy_alloc_at(b, f + 1, 0));
    hv_vm *v;
    assert_int_equal(hv_vm_new(h, 0, 512 * MiB, &v, &err), VS_OK);
    const hv_segment *s;
    unsigned n = hv_vm_segments(v, &s);
    assert_true(n >= 2 && n <= 4);
    uint64_t covered = 0;
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(s[i].gpa_base, covered);
        covered += s[i].length;
    }
    assert_int_equal(covered, 512 * MiB);
    for (uint64_t gpa = 0; gpa < 512 * MiB; gpa += 7 * MiB + 4096) {
        hv_back_info bi;
        assert_int_equal(hv_back(v, gpa, &bi, &err), VS_OK);
        const hv_segment *sg = hv_vm_segment_of(v, gpa);
        assert_non_null(sg);
        uint64_t hpa;
        assert_true(hv_translate(v, gpa, &hpa, NULL));
        assert_int_equal(hpa, sg->hpa_base + (gpa - sg->gpa_base));
    }
    hv_free(h);

    /* One segment allowed and no room for all of it: the largest piece that fits
     * covers the low GPAs, the rest is backed page by page outside it. */
    h = make(VS_PG_4K, 1 * GiB, 18, true, 1);
    b = hv_allocator(h);
    for (uint64_t f = 0; f < (1 * GiB) >> 12; f += 2 * (256 * MiB >> 12))
        assert_true(buddy_alloc_at(b, f + 1, 0));
    assert_int_equal(hv_vm_new(h, 0, 512 * MiB, &v, &err), VS_OK);
    assert_int_equal(hv_vm_segments(v, &s), 1);
    assert_int_equal(s[0].length, 256 * MiB);
    assert_int_equal(hv_get_counters(h)->contiguous_vms, 1);
    hv_back_info bi;
    assert_int_equal(hv_back(v, 300 * MiB, &bi, &err), VS_OK);
    assert_null(hv_vm_segment_of(v, 300 * MiB));
    hv_free(h);

    /* A host smaller than the guest: the pieces cover what they can. */
    h = make(VS_PG_4K, 64 * MiB, 18, true, 2);
    assert_int_equal(hv_vm_new(h, 0, 1 * GiB, &v, &err), VS_OK);
    assert_true(hv_vm_segments(v, NULL) == 2); /* two halves of what is free */
    hv_free(h);
}

static void exhaustion(void **state)
{
    (void)state;
    vs_err err;
    hv *h = make(VS_PG_4K, 16 * MiB, 18, false, 1);
    hv_vm *v;
    assert_int_equal(hv_vm_new(h, 0, 1 * GiB, &v, &err), VS_OK);
    int rc = VS_OK;
    uint64_t gpa;
    for (gpa = 0; gpa < 1 * GiB && rc == VS_OK; gpa += 4096) {
        hv_back_info bi;
        rc = hv_back(v, gpa, &bi, &err);
    }
    assert_int_equal(rc, VS_E_LIMIT);
    assert_non_null(strstr(err.msg, "host.mem"));
    assert_true(gpa < 16 * MiB + 4096);
    uint64_t pfn;
    assert_false(hv_alloc_table(h, &pfn));
    /* outside guest memory is a usage error, not a crash */
    hv_back_info bi;
    assert_int_equal(hv_back(v, 1 * GiB, &bi, &err), VS_E_USAGE);
    hv_free(h);

    /* bad parameters */
    hv_params p = {.levels = 3, .page_size = VS_PG_4K, .mem_bytes = GiB, .max_order = 18};
    assert_int_equal(hv_new(&p, &h, &err), VS_E_CONFIG);
}

static void shadow_tables(void **state)
{
    (void)state;
    hv *h = make(VS_PG_4K, 64 * MiB, 18, false, 1);
    uint64_t a, b2;
    assert_true(hv_alloc_table(h, &a));
    assert_true(hv_alloc_table(h, &b2));
    assert_int_not_equal(a, b2);
    assert_int_equal(hv_get_counters(h)->shadow_tables, 2);
    pt_write_entry(hv_tables(h), (a << 12) + 8, 0x1234000 | PTE_P);
    assert_int_equal(pt_read_entry(hv_tables(h), (a << 12) + 8), 0x1234000 | PTE_P);
    hv_free_table(h, a);
    assert_int_equal(hv_get_counters(h)->shadow_tables, 1);
    assert_false(pt_mem_has(hv_tables(h), a));
    hv_free(h);
}

/* Random backing against a model: each GPA's host page is fixed at first back,
 * host 4 KiB frames are never shared, segment GPAs are base-relative. */
static void random_model(void **state)
{
    (void)state;
    for (int round = 0; round < 6; round++) {
        bool contig = round & 1;
        vs_pgsz page = (vs_pgsz)(round / 2);
        hv *h = make(page, 8 * GiB, 20, contig, 3);
        hv_vm *vms[3];
        vs_err err;
        for (uint32_t i = 0; i < 3; i++)
            assert_int_equal(hv_vm_new(h, i, 2 * GiB, &vms[i], &err), VS_OK);
        GHashTable *first = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
        GHashTable *owner = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
        uint64_t rng = 42 + (uint64_t)round;
        for (int k = 0; k < 3000; k++) {
            uint32_t vi = (uint32_t)(vs_rng_next(&rng) % 3);
            uint64_t gpa = vs_rng_next(&rng) % (2 * GiB);
            hv_back_info bi;
            assert_int_equal(hv_back(vms[vi], gpa, &bi, &err), VS_OK);
            uint64_t hpa;
            assert_true(hv_translate(vms[vi], gpa, &hpa, NULL));
            const hv_segment *sg = hv_vm_segment_of(vms[vi], gpa);
            if (sg)
                assert_int_equal(hpa, sg->hpa_base + gpa - sg->gpa_base);
            uint64_t key = ((uint64_t)vi << 40) | (gpa >> 12);
            uint64_t *seen = g_hash_table_lookup(first, &key);
            if (seen) {
                assert_int_equal(*seen, hpa >> 12);
                continue;
            }
            uint64_t *kk = g_new(uint64_t, 1), *vv = g_new(uint64_t, 1);
            *kk = key;
            *vv = hpa >> 12;
            g_hash_table_insert(first, kk, vv);
            uint64_t hk = hpa >> 12;
            uint64_t *o = g_hash_table_lookup(owner, &hk);
            if (o) {
                assert_int_equal(*o, key); /* same host frame only for the same guest page */
            } else {
                uint64_t *k2 = g_new(uint64_t, 1), *v2 = g_new(uint64_t, 1);
                *k2 = hk;
                *v2 = key;
                g_hash_table_insert(owner, k2, v2);
            }
        }
        g_hash_table_destroy(first);
        g_hash_table_destroy(owner);
        hv_free(h);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(back_each_size),   cmocka_unit_test(large_page_fallback),
        cmocka_unit_test(contiguous_one_segment), cmocka_unit_test(contiguous_segments),
        cmocka_unit_test(exhaustion),       cmocka_unit_test(shadow_tables),
        cmocka_unit_test(random_model),     cmocka_unit_test(mobility_keeps_offsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
