/*
 * test_modes_closed_form.c: with every page-walk cache and the nested TLB
 * off, every completed walk of every mode reads exactly its closed-form
 * number of page-table entries (docs/model.md; translation-anchors 2.1):
 *   native n (4, 5; 3 with 2 MiB pages, 2 with 1 GiB), shadow n,
 *   nested (n+1)(m+1)-1 (24, 35, 29; 19 with either dimension on 2 MiB,
 *   15 with both), contig n (4), agile k + (n-k)(m+1) + m for a forced switch below k < n
 *   shadowed levels (16 for k = 2), n with every level shadowed (the default).
 * A 32-bit guest (guest.levels = 2, 32-bit paging) has n = 2: native and
 *   every shadow variant 2, nested and contig without backing (2+1)(4+1)-1 = 14
 *   (seed 003's Palacios guest under 4-level host tables), contig 2.
 * The engine runs a small random .vmt trace of three processes with context
 * switches; the walk histogram is read back from the flat report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mmu/mode.h"
#include "vs_test.h"

#define N_RECS 6000
#define N_PROCS 3

static char *trace_path, *trace32_path;

static int write_trace(void **state)
{
    (void)state;
    GArray *recs = g_array_new(FALSE, FALSE, sizeof(trace_rec));
    uint64_t rng = 7;
    uint32_t pid = 0;
    for (int i = 0; i < N_RECS; i++) {
        trace_rec r = {.size = 8};
        if (i % 500 == 0) {
            pid = (uint32_t)(vs_rng_next(&rng) % N_PROCS);
            r.kind = TREC_SWITCH;
            r.id = pid;
            g_array_append_val(recs, r);
            r = (trace_rec){.size = 8};
        }
        uint64_t x = vs_rng_next(&rng);
        r.kind = (uint8_t)(x % 3); /* ifetch, load, store */
        /* two 1 GiB regions per process, far apart, so several upper-level tables exist */
        r.addr = ((uint64_t)(pid + 1) << 39) + ((x >> 8) % 2 ? (1ull << 30) * 5 : 0) +
                 (((x >> 16) % (1ull << 30)) & ~7ull);
        g_array_append_val(recs, r);
    }
    trace_path = vt_write_vmt("t.vmt", (trace_rec *)recs->data, recs->len);
    /* The same accesses folded below 4 GiB for a 32-bit guest: 1 GiB per
     * process, so each has several page tables under its page directory. */
    for (guint i = 0; i < recs->len; i++) {
        trace_rec *r = &g_array_index(recs, trace_rec, i);
        if (r->kind != TREC_SWITCH)
            r->addr = (r->addr >> 39) << 30 | (r->addr & ((1ull << 30) - 1));
    }
    trace32_path = vt_write_vmt("t32.vmt", (trace_rec *)recs->data, recs->len);
    g_array_free(recs, TRUE);
    return 0;
}

static int remove_trace(void **state)
{
    (void)state;
    g_free(trace_path);
    g_free(trace32_path);
    return 0;
}

/* Runs the trace with caches off plus `extra` overrides (NULL-terminated) and
 * checks that every completed walk read exactly `expect` entries. */
static void expect_refs_on(const char *path, const char *mode, const char *const *extra, unsigned expect)
{
    GHashTable *r = vt_run(mode, &path, 1, VT_OPTS("pwc.enabled=false", "ntlb.enabled=false"), extra);
    uint64_t walks = vt_u64(r, "walks");
    assert_true(walks >= 6); /* with 1 GiB pages: 3 processes x 2 regions at least */
    char key[32];
    snprintf(key, sizeof key, "walk_hist.%u", expect);
    const char *v = g_hash_table_lookup(r, key);
    if (!v || strtoull(v, NULL, 10) != walks) {
        for (unsigned k = 0; k <= WALK_HIST_MAX; k++) {
            snprintf(key, sizeof key, "walk_hist.%u%s", k, k == WALK_HIST_MAX ? "+" : "");
            if ((v = g_hash_table_lookup(r, key)))
                print_message("  %s: %s walks of %u refs\n", mode, v, k);
        }
        fail_msg("%s: expected every one of %llu walks to read %u entries", mode, (unsigned long long)walks, expect);
    }
    g_hash_table_destroy(r);
}

static void expect_refs(const char *mode, const char *const *extra, unsigned expect)
{
    expect_refs_on(trace_path, mode, extra, expect);
}

/* Under a 32-bit guest: guest and host memory below 4 GiB (config.c). */
static void expect_refs_32(const char *mode, const char *const *extra, unsigned expect)
{
    const char *const opts32[] = {"guest.mem=1g", "host.mem=4g", "guest.levels=2",
                                  extra && extra[0] ? extra[0] : NULL, NULL};
    expect_refs_on(trace32_path, mode, opts32, expect);
}

/* With every cache on, a 32-bit guest's nested walk reads at most 14 entries. */
static void expect_nested_bound_32(void)
{
    const char *path = trace32_path;
    GHashTable *r = vt_run("nested", &path, 1, VT_OPTS("guest.mem=1g", "host.mem=4g", "guest.levels=2"), NULL);
    uint64_t walks = vt_u64(r, "walks"), counted = 0;
    char key[32];
    for (unsigned k = 0; k <= WALK_HIST_MAX; k++) {
        snprintf(key, sizeof key, "walk_hist.%u%s", k, k == WALK_HIST_MAX ? "+" : "");
        const char *v = g_hash_table_lookup(r, key);
        if (v && k > 14 && strtoull(v, NULL, 10) > 0)
            fail_msg("nested, 32-bit guest: %s walks of %u references, above (2+1)(4+1)-1 = 14", v, k);
        counted += v ? strtoull(v, NULL, 10) : 0;
    }
    assert_int_equal(counted, walks);
    g_hash_table_destroy(r);
}

static void guest32_forms(void **state)
{
    (void)state;
    expect_nested_bound_32();
    expect_refs_32("native", NULL, 2);
    expect_refs_32("shadow", NULL, 2);
    expect_refs_32("shadow-cache", NULL, 2);
    expect_refs_32("shadow-prefetch", NULL, 2);
    expect_refs_32("nested", NULL, 14);
    expect_refs_32("nested", VT_OPTS("host.page_size=2m"), 11); /* (2+1)(3+1)-1 */
    expect_refs_32("contig", NULL, 2);
    expect_refs_32("contig", VT_OPTS("contig.backing=false"), 14);
}

static void native_forms(void **state)
{
    (void)state;
    expect_refs("native", NULL, 4);
    expect_refs("native", VT_OPTS("guest.levels=5"), 5);
    expect_refs("native", VT_OPTS("guest.page_size=2m"), 3);
    expect_refs("native", VT_OPTS("guest.page_size=1g"), 2);
}

static void nested_forms(void **state)
{
    (void)state;
    expect_refs("nested", NULL, 24);
    expect_refs("nested", VT_OPTS("guest.levels=5", "host.levels=5"), 35);
    expect_refs("nested", VT_OPTS("host.levels=5"), 29);
    expect_refs("nested", VT_OPTS("host.page_size=2m"), 19);
    expect_refs("nested", VT_OPTS("guest.page_size=2m"), 19);
    expect_refs("nested", VT_OPTS("guest.page_size=2m", "host.page_size=2m"), 15);
}

static void contig_forms(void **state)
{
    (void)state;
    expect_refs("contig", NULL, 4);
    expect_refs("contig", VT_OPTS("guest.levels=5"), 5);
    expect_refs("contig", VT_OPTS("contig.segments=4", "host.page_size=2m"), 4);
    /* without contiguous backing contig is nested */
    expect_refs("contig", VT_OPTS("contig.backing=false"), 24);
}

static void agile_forms(void **state)
{
    (void)state;
    /* every level shadowed: n (no table switched to nested by its writes) */
    expect_refs("agile", VT_OPTS("agile.switch_writes=0"), 4);
    expect_refs("agile", VT_OPTS("agile.switch_writes=0", "guest.levels=5"), 5);
    expect_refs("agile", VT_OPTS("agile.switch_writes=0", "agile.shadow_levels=2"), 16);  /* 2 + 2*5 + 4 */
    expect_refs("agile", VT_OPTS("agile.switch_writes=0", "agile.shadow_levels=1"), 20);  /* 1 + 3*5 + 4 */
    expect_refs("agile", VT_OPTS("agile.switch_writes=0", "agile.shadow_levels=3"), 12);  /* 3 + 1*5 + 4 */
    /* 2 + 3*6 + 5 */
    expect_refs("agile", VT_OPTS("agile.switch_writes=0", "guest.levels=5", "host.levels=5", "agile.shadow_levels=2"), 25);
}

/* Agile with its policy at work (tables switched to nested after one write
 * exit, and back after quiet windows of 1000 instructions): every walk is a
 * shadow walk (n) or a hybrid one switching at the entry of level L,
 * (n - L + 1) + (L - 1)(m + 1) + m = 12, 16 or 20; and the counters agree. */
static void agile_hybrid_forms(void **state)
{
    (void)state;
    const char *path = trace_path;
    GHashTable *r = vt_run("agile", &path, 1, VT_OPTS("pwc.enabled=false", "ntlb.enabled=false"),
                           VT_OPTS("agile.switch_writes=1", "adaptive.interval=1000"));
    uint64_t walks = vt_u64(r, "walks"), shadow = vt_u64(r, "agile.shadow_walks");
    uint64_t hybrid = vt_u64(r, "agile.hybrid_walks"), by_level = 0;
    static const unsigned refs_at[] = {[2] = 12, [3] = 16, [4] = 20};
    char key[48];
    for (unsigned l = 2; l <= 4; l++) {
        snprintf(key, sizeof key, "agile.hybrid_walks_by_switch_level.%u", l);
        uint64_t n = vt_u64(r, key);
        by_level += n;
        snprintf(key, sizeof key, "walk_hist.%u", refs_at[l]);
        const char *v = g_hash_table_lookup(r, key);
        assert_int_equal(v ? strtoull(v, NULL, 10) : 0, n);
    }
    const char *v = g_hash_table_lookup(r, "walk_hist.4");
    assert_int_equal(v ? strtoull(v, NULL, 10) : 0, shadow);
    print_message("  agile: %llu shadow walks, %llu hybrid, %llu tables to nested, %llu back to shadow\n",
                  (unsigned long long)shadow, (unsigned long long)hybrid,
                  (unsigned long long)vt_u64(r, "agile.tables_to_nested"),
                  (unsigned long long)vt_u64(r, "agile.tables_to_shadow"));
    assert_int_equal(shadow + hybrid, walks);
    assert_int_equal(by_level, hybrid);
    assert_true(shadow > 0 && hybrid > 0);
    assert_true(vt_u64(r, "agile.tables_to_nested") > 0 && vt_u64(r, "agile.tables_to_shadow") > 0);
    g_hash_table_destroy(r);
}

static void shadow_forms(void **state)
{
    (void)state;
    expect_refs("shadow", NULL, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(native_forms), cmocka_unit_test(nested_forms), cmocka_unit_test(contig_forms),
        cmocka_unit_test(agile_forms), cmocka_unit_test(agile_hybrid_forms),  cmocka_unit_test(shadow_forms),
        cmocka_unit_test(guest32_forms),
    };
    return cmocka_run_group_tests(tests, write_trace, remove_trace);
}
