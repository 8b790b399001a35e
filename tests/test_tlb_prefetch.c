/*
 * test_tlb_prefetch.c: the TLB prefetchers end to end.  Each removes the
 * STLB misses of the pattern it targets -- sequential pages for distance
 * prefetching, a constant stride of several pages from one instruction for
 * ASP -- and neither removes any on uniform random pages.  Every pattern
 * first touches all its pages once (demand paging maps them; a prefetch
 * never faults), then runs in steady state over more pages than the STLB
 * holds.  The probe behind prefetches has no side effects: where every
 * prefetch finds its page unmapped, every result but the prefetch counts
 * equals the run without a prefetcher, page tables, caches, page-walk
 * caches, faults and exits included.  The native numbers are the table of
 * docs/model.md (generated:tlb-prefetch), checked row by row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vs_test.h"

#define CODE 0x400000ull       /* where the synthetic code lives */
#define DATA 0x7f0000000000ull /* where its data lives */
#define PAGES 4096u            /* 16 MiB: well over the default STLB's 1536 entries */
#define PASSES 2               /* steady-state passes after the first touch */
#define STRIDE 5u              /* pages per step of the strided pattern; coprime to PAGES */

typedef enum pattern { SEQUENTIAL, STRIDED, RANDOM } pattern;

static char *write_pattern(pattern p)
{
    size_t n = 0, cap = 2 * (size_t)PAGES * (PASSES + 1);
    trace_rec *r = calloc(cap, sizeof *r);
    uint64_t rng = 42;
    for (unsigned pass = 0; pass <= PASSES; pass++)
        for (unsigned i = 0; i < PAGES; i++) {
            uint64_t page = i; /* pass 0 touches every page in order */
            if (pass > 0 && p == STRIDED)
                page = (uint64_t)i * STRIDE % PAGES;
            else if (pass > 0 && p == RANDOM)
                page = vs_rng_next(&rng) % PAGES;
            r[n++] = (trace_rec){.kind = TREC_IFETCH, .addr = CODE, .size = 4};
            r[n++] = (trace_rec){.kind = TREC_LOAD, .addr = DATA + (page << 12) + 64, .size = 8};
        }
    static const char *const names[] = {"seq.vmt", "stride.vmt", "random.vmt"};
    char *path = vt_write_vmt(names[p], r, n);
    free(r);
    return path;
}

typedef struct outcome {
    uint64_t walks, faults, useful, prefetches;
} outcome;

/* buffer: the STLB's prefetch_buffer, or NULL for the default. */
static outcome run_buffer(const char *mode, pattern p, const char *prefetcher, const char *buffer)
{
    char *path = write_pattern(p), set[64], buf[64];
    snprintf(set, sizeof set, "tlb.stlb.prefetcher=%s", prefetcher);
    snprintf(buf, sizeof buf, "tlb.stlb.prefetch_buffer=%s", buffer ? buffer : "16");
    GHashTable *r = vt_run(mode, VT_OPTS(path), 1, VT_OPTS(set, buf), NULL);
    outcome o = {.walks = vt_u64(r, "walks"), .faults = vt_u64(r, "faults.page")};
    if (strcmp(prefetcher, "none")) {
        o.useful = vt_u64(r, "tlb.stlb.useful_prefetches");
        o.prefetches = vt_u64(r, "tlb.stlb.prefetches");
    } else {
        assert_null(g_hash_table_lookup(r, "tlb.stlb.prefetches")); /* absent without a prefetcher */
    }
    g_hash_table_destroy(r);
    g_free(path);
    return o;
}

static outcome run(const char *mode, pattern p, const char *prefetcher)
{
    return run_buffer(mode, p, prefetcher, NULL);
}

static const char *const pattern_names[] = {"sequential pages", "5-page stride, one instruction",
                                            "uniform random pages"};

/* The docs' row of a native run must read what this run measured. */
static void check_doc_row(pattern p, const char *prefetcher, outcome none, outcome pf)
{
    char *doc, row[160];
    assert_true(g_file_get_contents(VS_SOURCE_DIR "/docs/model.md", &doc, NULL, NULL));
    const char *begin = strstr(doc, "<!-- BEGIN generated:tlb-prefetch -->");
    const char *end = strstr(doc, "<!-- END generated:tlb-prefetch -->");
    assert_true(begin && end && begin < end);
    snprintf(row, sizeof row, "| %s | %s | %llu | %llu | %llu |\n", pattern_names[p], prefetcher,
             (unsigned long long)none.walks, (unsigned long long)pf.walks, (unsigned long long)pf.useful);
    const char *at = strstr(begin, row);
    if (!at || at > end)
        fail_msg("docs/model.md, block generated:tlb-prefetch: expected the row\n%s", row);
    g_free(doc);
}

/* The prefetcher removes at least 90% of the steady-state walks of its
 * pattern, and never faults. */
static void removes_misses(const char *mode, pattern p, const char *prefetcher)
{
    outcome none = run(mode, p, "none"), pf = run(mode, p, prefetcher);
    if (!strcmp(mode, "native"))
        check_doc_row(p, prefetcher, none, pf);
    uint64_t steady = PASSES * PAGES;
    print_message("%s %s: walks %llu without, %llu with (%llu useful of %llu prefetches)\n", mode, prefetcher,
                  (unsigned long long)none.walks, (unsigned long long)pf.walks, (unsigned long long)pf.useful,
                  (unsigned long long)pf.prefetches);
    assert_true(none.walks >= steady);
    assert_true(none.walks - pf.walks >= steady * 9 / 10);
    assert_true(pf.useful >= steady * 9 / 10);
    assert_int_equal(pf.faults, none.faults);
}

static void test_distance_sequential_native(void **s) { (void)s, removes_misses("native", SEQUENTIAL, "distance"); }
static void test_distance_sequential_nested(void **s) { (void)s, removes_misses("nested", SEQUENTIAL, "distance"); }
static void test_asp_strided_native(void **s) { (void)s, removes_misses("native", STRIDED, "asp"); }
static void test_asp_strided_shadow(void **s) { (void)s, removes_misses("shadow", STRIDED, "asp"); }

/* prefetch_buffer = 0: prefetches go into the STLB itself, and the first
 * demand hit on each counts as useful. */
static void test_distance_into_the_tlb(void **s)
{
    (void)s;
    outcome none = run("native", SEQUENTIAL, "none"), pf = run_buffer("native", SEQUENTIAL, "distance", "0");
    uint64_t steady = PASSES * PAGES;
    assert_true(none.walks - pf.walks >= steady * 9 / 10);
    assert_true(pf.useful >= steady * 9 / 10);
    assert_true(pf.useful <= pf.prefetches);
}

/* On uniform random pages no prefetcher removes a walk. */
static void test_none_removed_on_random(void **s)
{
    (void)s;
    outcome none = run("native", RANDOM, "none");
    static const char *const pfs[] = {"distance", "asp"};
    for (size_t i = 0; i < VS_ARRAY_LEN(pfs); i++) {
        outcome pf = run("native", RANDOM, pfs[i]);
        print_message("random %s: walks %llu without, %llu with (%llu useful of %llu prefetches)\n", pfs[i],
                      (unsigned long long)none.walks, (unsigned long long)pf.walks,
                      (unsigned long long)pf.useful, (unsigned long long)pf.prefetches);
        assert_true(pf.walks >= none.walks - none.walks / 100); /* within the chance of a random repeat */
        check_doc_row(RANDOM, pfs[i], none, pf);
    }
}

/* Every prefetch of the first touch finds its page unmapped: the run must
 * then equal the one without a prefetcher in everything but the prefetch
 * counts and the echoed prefetch keys. */
static void test_probe_has_no_side_effects(void **s)
{
    (void)s;
    static const char *const modes[] = {"native", "nested", "shadow", "contig", "agile"};
    for (size_t m = 0; m < VS_ARRAY_LEN(modes); m++) {
        size_t n = 0;
        trace_rec r[2 * 600];
        for (unsigned i = 0; i < 600; i++) { /* each page once: every prefetch runs ahead of the faults */
            r[n++] = (trace_rec){.kind = TREC_IFETCH, .addr = CODE, .size = 4};
            r[n++] = (trace_rec){.kind = TREC_LOAD, .addr = DATA + ((uint64_t)i << 12), .size = 8};
        }
        char *path = vt_write_vmt("first.vmt", r, n);
        GHashTable *a = vt_run(modes[m], VT_OPTS(path), 1, VT_OPTS("tlb.stlb.prefetcher=none"), NULL);
        GHashTable *b = vt_run(modes[m], VT_OPTS(path), 1, VT_OPTS("tlb.stlb.prefetcher=distance"), NULL);
        assert_true(vt_u64(b, "tlb.stlb.prefetch_probes") > 500);
        assert_true(vt_u64(b, "tlb.stlb.prefetch_walk_refs") > 0);
        assert_int_equal(vt_u64(b, "tlb.stlb.prefetches"), 0);
        GHashTableIter it;
        gpointer key, val;
        unsigned compared = 0;
        g_hash_table_iter_init(&it, a);
        while (g_hash_table_iter_next(&it, &key, &val)) {
            if (strstr(key, "prefetch"))
                continue;
            const char *other = g_hash_table_lookup(b, key);
            if (!other || strcmp(other, val))
                fail_msg("%s: %s is %s without a prefetcher, %s with", modes[m], (char *)key, (char *)val,
                         other ? other : "(absent)");
            compared++;
        }
        assert_true(compared > 100);
        g_hash_table_destroy(a);
        g_hash_table_destroy(b);
        g_free(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance_sequential_native),
        cmocka_unit_test(test_distance_sequential_nested),
        cmocka_unit_test(test_asp_strided_native),
        cmocka_unit_test(test_asp_strided_shadow),
        cmocka_unit_test(test_distance_into_the_tlb),
        cmocka_unit_test(test_none_removed_on_random),
        cmocka_unit_test(test_probe_has_no_side_effects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
