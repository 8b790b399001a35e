/*
 * test_ckptmicro.c: the `ckptmicro` generator (seeds 000/001's checkpointing
 * microbenchmark, Figures 8-10).  Every transaction has exactly the requested
 * shape (writes, PPT, WPP) both as the checkpoint model sees it and as
 * `vmemsim trace info` reports it; traces are deterministic for a seed; the
 * model's scanxen cost on them is the seed's closed form (Figure 9); bad
 * arguments are usage errors naming the problem.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt/ckpt.h"
#include "vs_test.h"
#include "workloads/workloads.h"

#define SEED_CALIB VS_SOURCE_DIR "/configs/ckpt/xen2011.ini"
#define TXNS 50            /* enough transactions for the random layout to vary */
#define COST_EPS 1e-6      /* ns: the model's sums are exact in double at these sizes */

typedef struct shape {
    const char *cda; /* MiB, as given on the command line */
    unsigned ppt, wpp;
    const char *layout;
} shape;

/* Generates `name` in the scratch directory; returns its path (g_free it). */
static char *gen(const char *name, const shape *s, uint64_t seed)
{
    char *path = vt_path(name);
    char cda[32], ppt[32], wpp[32], txns[32], layout[32];
    snprintf(cda, sizeof cda, "cda=%s", s->cda);
    snprintf(ppt, sizeof ppt, "ppt=%u", s->ppt);
    snprintf(wpp, sizeof wpp, "wpp=%u", s->wpp);
    snprintf(txns, sizeof txns, "txns=%u", TXNS);
    snprintf(layout, sizeof layout, "layout=%s", s->layout);
    char *kv[] = {cda, ppt, wpp, txns, layout};
    vs_err err = {0};
    if (wl_generate("ckptmicro", (int)VS_ARRAY_LEN(kv), kv, seed, path, &err) != VS_OK)
        fail_msg("%s", err.msg);
    return path;
}

static const shape SHAPES[] = {
    {"1", 1, 1, "seq"},   {"1", 16, 4, "seq"},       {"4", 128, 4, "random"},
    {"0.0625", 16, 512, "random"}, /* the whole 64 KiB CDA, every word of it */
    {"0.25", 3, 7, "seq"},          /* 64 pages, not a multiple of ppt: the sweep wraps */
};

static void shape_per_transaction(void **state)
{
    (void)state;
    for (size_t i = 0; i < VS_ARRAY_LEN(SHAPES); i++) {
        const shape *s = &SHAPES[i];
        char *path = gen("shape.vmt", s, 7);
        uint64_t cda_bytes = (uint64_t)(strtod(s->cda, NULL) * (1 << 20));
        ckpt_scan *sc;
        vs_err err = {0};
        if (ckpt_scan_file(path, &sc, &err) != VS_OK)
            fail_msg("%s", err.msg);
        size_t n;
        const ckpt_txn *tx = ckpt_scan_txns(sc, &n);
        assert_int_equal(n, TXNS);
        for (size_t t = 0; t < n; t++) {
            assert_int_equal(tx[t].writes, (uint64_t)s->ppt * s->wpp);
            assert_int_equal(tx[t].words, (uint64_t)s->ppt * s->wpp); /* distinct words */
            assert_int_equal(tx[t].pages, s->ppt);
            assert_int_equal(tx[t].cda_bytes, cda_bytes);
        }
        const ckpt_trace_stats *st = ckpt_scan_stats(sc);
        assert_int_equal(st->writes_outside_cda, 0);
        assert_int_equal(st->writes_outside_txn, 0);
        assert_int_equal(st->cda_areas, 1);
        ckpt_scan_free(sc);

        /* trace info: the same shape, and one IFETCH per store */
        char *out, *errtext;
        assert_int_equal(vt_cli(VT_OPTS("trace", "info", "--json", "-", path), &out, &errtext), 0);
        char want[160];
        snprintf(want, sizeof want, "\"mean_writes\": %.4f, \"mean_ppt\": %.4f, \"mean_wpp\": %.4f",
                 (double)s->ppt * s->wpp, (double)s->ppt, (double)s->wpp);
        if (!strstr(out, want))
            fail_msg("trace info lacks '%s': %s", want, out);
        snprintf(want, sizeof want, "\"ifetch\": %llu, \"load\": 0, \"store\": %llu",
                 (unsigned long long)TXNS * s->ppt * s->wpp, (unsigned long long)TXNS * s->ppt * s->wpp);
        if (!strstr(out, want))
            fail_msg("trace info lacks '%s': %s", want, out);
        g_free(out);
        g_free(errtext);
        g_free(path);
    }
}

static char *contents(const char *path, gsize *len)
{
    char *data;
    if (!g_file_get_contents(path, &data, len, NULL))
        fail_msg("cannot read %s", path);
    return data;
}

static bool same_trace(const shape *s, uint64_t seed_a, uint64_t seed_b)
{
    char *a = gen("a.vmt", s, seed_a), *b = gen("b.vmt", s, seed_b);
    gsize la, lb;
    char *da = contents(a, &la), *db = contents(b, &lb);
    bool same = la == lb && memcmp(da, db, la) == 0;
    g_free(da);
    g_free(db);
    g_free(a);
    g_free(b);
    return same;
}

static void deterministic(void **state)
{
    (void)state;
    const shape rnd = {"4", 32, 4, "random"}, seq = {"4", 32, 4, "seq"};
    assert_true(same_trace(&rnd, 3, 3));
    assert_false(same_trace(&rnd, 3, 4)); /* the seed picks the random pages */
    assert_true(same_trace(&seq, 3, 4));  /* seq uses no randomness */
}

/* Figure 9: the model's scanxen tracking cost per transaction on the
 * generated traces is the fixed part plus the calibration's per-page and
 * per-MiB costs times PPT and the CDA's MiB (seed 000's line, 0.0625 us and
 * 2.5 us, is what the default calibration fits them to: test_ckpt_calib.c). */
static void scanxen_closed_form(void **state)
{
    (void)state;
    ckpt_calib c;
    vs_err err = {0};
    if (ckpt_calib_load(SEED_CALIB, &c, &err) != VS_OK)
        fail_msg("%s", err.msg);
    ckpt_form f = ckpt_tech_form(&c, CKPT_SCANXEN);
    static const shape POINTS[] = {{"1", 1, 4, "seq"},      {"4", 16, 4, "random"},
                                   {"16", 128, 4, "seq"},   {"0.0625", 8, 4, "seq"}};
    for (size_t i = 0; i < VS_ARRAY_LEN(POINTS); i++) {
        const shape *s = &POINTS[i];
        char *path = gen("scan.vmt", s, 1);
        ckpt_scan *sc;
        if (ckpt_scan_file(path, &sc, &err) != VS_OK)
            fail_msg("%s", err.msg);
        ckpt_result r;
        ckpt_evaluate(&c, sc, 1, &r);
        double per_txn = r.tech[CKPT_SCANXEN].tracking_ns / (double)r.stats.txns;
        double want = c.hv_scan_dirty_page * s->ppt + c.hv_scan_mib * strtod(s->cda, NULL);
        print_message("scanxen PPT=%u CDA=%s MiB: %.1f ns/txn (fixed %.1f + closed form %.1f)\n", s->ppt,
                      s->cda, per_txn, f.fixed, want);
        assert_true(fabs(per_txn - f.fixed - want) <= COST_EPS);
        ckpt_scan_free(sc);
        g_free(path);
    }
}

/* Generation must fail as a usage error whose message contains `why`. */
static void expect_usage(const char *why, const char *a, const char *b)
{
    char *path = vt_path("bad.vmt");
    char ka[64], kb[64];
    snprintf(ka, sizeof ka, "%s", a);
    snprintf(kb, sizeof kb, "%s", b);
    char *kv[] = {ka, kb};
    vs_err err = {0};
    assert_int_equal(wl_generate("ckptmicro", 2, kv, 1, path, &err), VS_E_USAGE);
    if (!strstr(err.msg, why))
        fail_msg("expected '%s' in: %s", why, err.msg);
    assert_false(g_file_test(path, G_FILE_TEST_EXISTS)); /* no partial file */
    g_free(path);
}

static void bad_arguments(void **state)
{
    (void)state;
    expect_usage("do not fit in cda=1 MiB", "cda=1", "ppt=257");
    expect_usage("wpp=513", "cda=1", "wpp=513");
    expect_usage("wpp=0", "cda=1", "wpp=0");
    expect_usage("not a whole number of 4 KiB pages", "cda=0.01", "ppt=1");
    expect_usage("layout", "cda=1", "layout=stride");
    expect_usage("ops", "cda=1", "ops=3");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(shape_per_transaction), cmocka_unit_test(deterministic),
                                       cmocka_unit_test(scanxen_closed_form), cmocka_unit_test(bad_arguments)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
