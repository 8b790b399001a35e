/*
 * test_roi.c: the region of interest (sim.skip_instructions,
 * sim.warmup_instructions, sim.max_instructions), tested exactly.
 *
 *  - Warm-up identity: a run that warms up for W instructions and measures M
 *    reports, for every counter in its results, the difference between the
 *    cumulative counters of a run stopped after W + M instructions and one
 *    stopped after W -- in every registered mode.  A statistic the warm-up
 *    forgot to reset, or reset with state it should have kept, shows here.
 *  - Skip: skipping the instructions of a prefix gives the results of the
 *    trace without that prefix (nothing of the prefix is simulated).
 *  - A run whose traces end inside the warm-up is an error, not a result.
 *  - A trace's own region-of-interest markers (TREC_ROI) mean what the
 *    counts mean: begin and end markers around M instructions after W give
 *    the results of --warmup-instructions W --max-instructions M on the
 *    trace without them, in every mode; a bad marker id is an error.
 *  - Steady state: after a warm-up over a trace's whole footprint, a second
 *    pass over the same pages has no fault, no EPT violation and no
 *    first-touch cycles, in every mode.
 *  - refs_per_walk (completed walks only) never exceeds the closed form of
 *    the mode with page-walk caches off, on a cold run full of faults.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "mmu/mode.h"
#include "vs_test.h"

#define WARMUP 20000   /* instructions: past the sample's start-up, with faults still to come */
#define MEASURED 30000 /* instructions: long enough for every kind of event to recur */

/* Results that describe state at the end of the run (or the input, the
 * config, the region itself, the build) rather than count events: not
 * differences.  The build id is a hex hash that may happen to be all digits. */
static bool is_state(const char *key)
{
    if (!strcmp(key, "build") || !strcmp(key, "vmemsim"))
        return true;
    static const char *const prefixes[] = {"config.", "trace.", "region.", NULL};
    static const char *const suffixes[] = {"resident_4k_pages", "table_pages", "_live", "contiguous_vms",
                                           "shadow_tables", "shadow_levels", "switch_writes", "nested_tables", "segments",
                                           "interval_instructions",
                                           NULL};
    for (const char *const *p = prefixes; *p; p++)
        if (g_str_has_prefix(key, *p))
            return true;
    for (const char *const *s = suffixes; *s; s++)
        if (g_str_has_suffix(key, *s))
            return true;
    return false;
}

static bool as_count(const char *v, uint64_t *out)
{
    char *end;
    if (!*v || strspn(v, "0123456789") != strlen(v))
        return false; /* a ratio, a name, a flag */
    *out = strtoull(v, &end, 10);
    return true;
}

/* A count of a run; a histogram bucket it does not list is zero. */
static bool count_of(GHashTable *run, const char *key, uint64_t *out)
{
    const char *v = g_hash_table_lookup(run, key);
    if (!v && g_str_has_prefix(key, "walk_hist.")) {
        *out = 0;
        return true;
    }
    return v && as_count(v, out);
}

static GHashTable *run_mode(const char *mode, const char *trace, const char *warmup, const char *max)
{
    return vt_run(mode, VT_OPTS(trace), 1, VT_OPTS(warmup), VT_OPTS(max));
}

static void warmup_equals_difference_of_cumulative_counters(void **state)
{
    (void)state;
    const char *trace = VS_SOURCE_DIR "/traces/samples/gzip.lackey.gz";
    char w_only[64], wm_only[64], max_m[64];
    snprintf(w_only, sizeof w_only, "sim.max_instructions=%d", WARMUP);
    snprintf(wm_only, sizeof wm_only, "sim.max_instructions=%d", WARMUP + MEASURED);
    snprintf(max_m, sizeof max_m, "sim.max_instructions=%d", MEASURED);
    char warm[64];
    snprintf(warm, sizeof warm, "sim.warmup_instructions=%d", WARMUP);
    for (unsigned m = 0; m < mode_count(); m++) {
        const char *mode = mode_names[m];
        GHashTable *at_w = run_mode(mode, trace, "sim.warmup_instructions=0", w_only);
        GHashTable *at_wm = run_mode(mode, trace, "sim.warmup_instructions=0", wm_only);
        GHashTable *roi = run_mode(mode, trace, warm, max_m);
        assert_int_equal(vt_u64(roi, "instructions"), MEASURED);
        assert_int_equal(vt_u64(roi, "region.warmup_instructions"), WARMUP);
        assert_true(vt_u64(roi, "walks") > 0);
        unsigned compared = 0;
        GHashTable *runs[2] = {roi, at_wm}; /* both key sets: a histogram lists only its non-zero buckets */
        for (int r = 0; r < 2; r++) {
            GHashTableIter it;
            gpointer k, v;
            g_hash_table_iter_init(&it, runs[r]);
            while (g_hash_table_iter_next(&it, &k, &v)) {
                uint64_t got, a, b;
                if (is_state(k) || !as_count(v, &got))
                    continue;
                if (!count_of(roi, k, &got) || !count_of(at_w, k, &a) || !count_of(at_wm, k, &b))
                    fail_msg("%s: %s is not a count in every run", mode, (const char *)k);
                if (got != b - a)
                    fail_msg("%s: %s = %llu after a warm-up, but %llu - %llu cumulative", mode, (const char *)k,
                             (unsigned long long)got, (unsigned long long)b, (unsigned long long)a);
                compared++;
            }
        }
        assert_true(compared > 30);
        g_hash_table_destroy(at_w);
        g_hash_table_destroy(at_wm);
        g_hash_table_destroy(roi);
    }
}

#define CODE 0x400000ull
#define DATA 0x7f0000000000ull

static void put(trace_rec *r, size_t *n, uint8_t kind, uint64_t addr)
{
    r[(*n)++] = (trace_rec){.kind = kind, .addr = addr, .size = trace_kind_is_mem(kind) ? 8 : 0};
}

/* `pages` instructions, each loading one page from base. */
static void touch(trace_rec *r, size_t *n, uint64_t base, unsigned pages)
{
    for (unsigned i = 0; i < pages; i++) {
        put(r, n, TREC_IFETCH, CODE + 4 * (i % 256));
        put(r, n, TREC_LOAD, base + ((uint64_t)i << 12));
    }
}

static void skip_simulates_nothing(void **state)
{
    (void)state;
    enum { PREFIX = 300, REST = 200 };
    trace_rec whole[2 * (PREFIX + REST)], rest[2 * REST];
    size_t nw = 0, nr = 0;
    touch(whole, &nw, DATA + (1ull << 32), PREFIX); /* pages the rest never touches */
    touch(whole, &nw, DATA, REST);
    touch(rest, &nr, DATA, REST);
    char *pw = vt_write_vmt("skip_whole.vmt", whole, nw), *pr = vt_write_vmt("skip_rest.vmt", rest, nr);
    char skip[64];
    snprintf(skip, sizeof skip, "sim.skip_instructions=%d", PREFIX);
    for (unsigned m = 0; m < mode_count(); m++) {
        GHashTable *a = vt_run(mode_names[m], VT_OPTS(pw), 1, VT_OPTS(skip), NULL);
        GHashTable *b = vt_run(mode_names[m], VT_OPTS(pr), 1, NULL, NULL);
        assert_int_equal(vt_u64(a, "region.skipped_instructions"), PREFIX);
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, b);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            if (g_str_has_prefix(k, "trace.") || g_str_has_prefix(k, "config."))
                continue;
            const char *got = g_hash_table_lookup(a, k);
            if (!got || strcmp(got, v) != 0)
                fail_msg("%s: %s = %s after skipping the prefix, %s without it", mode_names[m], (const char *)k,
                         got ? got : "(none)", (const char *)v);
        }
        g_hash_table_destroy(a);
        g_hash_table_destroy(b);
    }
    g_free(pw);
    g_free(pr);
}

static void trace_ending_in_warmup_is_an_error(void **state)
{
    (void)state;
    trace_rec r[200];
    size_t n = 0;
    touch(r, &n, DATA, 100);
    char *path = vt_write_vmt("short.vmt", r, n);
    char *out, *err;
    int status = vt_cli(VT_OPTS("run", "-q", "--warmup-instructions", "100", path), &out, &err);
    assert_int_not_equal(status, 0);
    assert_non_null(strstr(err, "before measurement began"));
    g_free(out);
    g_free(err);
    status = vt_cli(VT_OPTS("run", "-q", "--max-instructions", "ten", path), &out, &err);
    assert_int_not_equal(status, 0);
    assert_non_null(strstr(err, "sim.max_instructions"));
    g_free(out);
    g_free(err);
    g_free(path);
}

static void markers_equal_counts(void **state)
{
    (void)state;
    enum { W = 400, M = 300, AFTER = 200 };
    static trace_rec marked[2 * (W + M + AFTER) + 2], plain[2 * (W + M + AFTER)];
    size_t nm = 0, np = 0;
    touch(marked, &nm, DATA, W);
    marked[nm++] = (trace_rec){.kind = TREC_ROI, .id = TREC_ROI_BEGIN};
    touch(marked, &nm, DATA + (W / 2 << 12), M); /* half of it pages the warm-up touched */
    marked[nm++] = (trace_rec){.kind = TREC_ROI, .id = TREC_ROI_END};
    touch(marked, &nm, DATA + (1ull << 32), AFTER);
    touch(plain, &np, DATA, W);
    touch(plain, &np, DATA + (W / 2 << 12), M);
    touch(plain, &np, DATA + (1ull << 32), AFTER);
    char *pm = vt_write_vmt("roi_marked.vmt", marked, nm), *pp = vt_write_vmt("roi_plain.vmt", plain, np);
    char warm[64], max[64];
    snprintf(warm, sizeof warm, "sim.warmup_instructions=%d", W);
    snprintf(max, sizeof max, "sim.max_instructions=%d", M);
    for (unsigned m = 0; m < mode_count(); m++) {
        GHashTable *a = vt_run(mode_names[m], VT_OPTS(pm), 1, NULL, NULL);
        GHashTable *b = vt_run(mode_names[m], VT_OPTS(pp), 1, VT_OPTS(warm), VT_OPTS(max));
        assert_string_equal(g_hash_table_lookup(a, "region.began_at_marker"), "true");
        assert_string_equal(g_hash_table_lookup(a, "region.ended_at_marker"), "true");
        assert_int_equal(vt_u64(a, "region.warmup_instructions"), W);
        assert_int_equal(vt_u64(a, "instructions"), M);
        assert_true(vt_u64(a, "walks") > 0 && vt_u64(a, "faults.page") > 0);
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, b);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            if (g_str_has_prefix(k, "trace.") || g_str_has_prefix(k, "config.") || g_str_has_prefix(k, "region."))
                continue;
            const char *got = g_hash_table_lookup(a, k);
            if (!got || strcmp(got, v) != 0)
                fail_msg("%s: %s = %s between the markers, %s by the counts", mode_names[m], (const char *)k,
                         got ? got : "(none)", (const char *)v);
        }
        g_hash_table_destroy(a);
        g_hash_table_destroy(b);
    }
    marked[W * 2].id = 7;
    char *bad = vt_write_vmt("roi_bad.vmt", marked, nm), *out, *err;
    int status = vt_cli(VT_OPTS("run", "-q", bad), &out, &err);
    assert_int_not_equal(status, 0);
    assert_non_null(strstr(err, "region-of-interest marker 7"));
    g_free(out);
    g_free(err);
    g_free(bad);
    g_free(pm);
    g_free(pp);
}

#define PAGES 3000 /* more than the STLB holds (1536 by default), so the second pass walks */

/* One pass: an instruction and a load (every third a store) per page. */
static void pass(trace_rec *r, size_t *n)
{
    for (unsigned i = 0; i < PAGES; i++) {
        put(r, n, TREC_IFETCH, CODE + 4 * (i % 256));
        put(r, n, i % 3 ? TREC_LOAD : TREC_STORE, DATA + ((uint64_t)i << 12));
    }
}

static void warm_second_pass_has_no_first_touch(void **state)
{
    (void)state;
    static trace_rec r[4 * PAGES];
    size_t n = 0;
    pass(r, &n);
    pass(r, &n);
    char *path = vt_write_vmt("two_passes.vmt", r, n);
    char warm[64];
    snprintf(warm, sizeof warm, "sim.warmup_instructions=%d", PAGES);
    for (unsigned m = 0; m < mode_count(); m++) {
        GHashTable *cold = vt_run(mode_names[m], VT_OPTS(path), 1, NULL, NULL);
        GHashTable *steady = vt_run(mode_names[m], VT_OPTS(path), 1, VT_OPTS(warm), NULL);
        assert_true(vt_u64(cold, "faults.page") >= PAGES);
        assert_true(vt_u64(cold, "cycles.first_touch") > 0);
        assert_int_equal(vt_u64(steady, "instructions"), PAGES);
        assert_true(vt_u64(steady, "walks") > 0);
        if (vt_u64(steady, "faults.page") || vt_u64(steady, "faults.cow") ||
            vt_u64(steady, "exits.ept_violation") || vt_u64(steady, "cycles.first_touch") ||
            vt_u64(steady, "fault_walk_refs"))
            fail_msg("%s: the warm pass has %llu faults, %llu EPT violations, %llu first-touch cycles", mode_names[m],
                     (unsigned long long)vt_u64(steady, "faults.page"),
                     (unsigned long long)vt_u64(steady, "exits.ept_violation"),
                     (unsigned long long)vt_u64(steady, "cycles.first_touch"));
        /* the cycles split exactly: steady translation + first touch = TLB + walk + VMM + fault */
        assert_int_equal(vt_u64(cold, "cycles.translation") + vt_u64(cold, "cycles.first_touch"),
                         vt_u64(cold, "cycles.tlb") + vt_u64(cold, "cycles.walk") + vt_u64(cold, "cycles.vmm") +
                             vt_u64(cold, "cycles.fault"));
        g_hash_table_destroy(cold);
        g_hash_table_destroy(steady);
    }
    g_free(path);
}

/* The most references one completed walk can make without page-walk caches,
 * 4-level guest and host tables: guest levels for a one-dimensional walk
 * (native, shadow tables), (4 + 1) x (4 + 1) - 1 = 24 for a two-dimensional
 * one (nested; contig's fallback; agile and adaptive at worst). */
static unsigned closed_form(const char *mode)
{
    return strcmp(mode, "native") == 0 || g_str_has_prefix(mode, "shadow") ? 4 : 24;
}

static void refs_per_walk_within_closed_form(void **state)
{
    (void)state;
    const char *trace = VS_SOURCE_DIR "/traces/samples/gzip.lackey.gz";
    for (unsigned m = 0; m < mode_count(); m++) {
        const char *mode = mode_names[m];
        GHashTable *r = vt_run(mode, VT_OPTS(trace), 1, VT_OPTS("pwc.enabled=false"), VT_OPTS("sim.max_instructions=200000"));
        double per_walk = vt_double(r, "refs_per_walk");
        if (per_walk > closed_form(mode) || per_walk <= 0)
            fail_msg("%s: refs_per_walk %.3f, closed form %u", mode, per_walk, closed_form(mode));
        for (unsigned k = closed_form(mode) + 1; k <= 63; k++) {
            char key[32];
            snprintf(key, sizeof key, "walk_hist.%u", k);
            if (g_hash_table_lookup(r, key))
                fail_msg("%s: a completed walk of %u references, closed form %u", mode, k, closed_form(mode));
        }
        assert_true(vt_u64(r, "fault_walk_refs") > 0); /* the cold run's faulting walks, counted apart */
        g_hash_table_destroy(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(warmup_equals_difference_of_cumulative_counters),
        cmocka_unit_test(skip_simulates_nothing),
        cmocka_unit_test(trace_ending_in_warmup_is_an_error),
        cmocka_unit_test(markers_equal_counts),
        cmocka_unit_test(warm_second_pass_has_no_first_touch),
        cmocka_unit_test(refs_per_walk_within_closed_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
