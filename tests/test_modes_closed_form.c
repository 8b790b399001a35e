/*
 * test_modes_closed_form.c: with every page-walk cache and the nested TLB
 * off, every completed walk of every mode reads exactly its closed-form
 * number of page-table entries (docs/model.md; translation-anchors 2.1):
 *   native n (4, 5; 3 with 2 MiB pages, 2 with 1 GiB), shadow n,
 *   nested (n+1)(m+1)-1 (24, 35, 29; 19 with either dimension on 2 MiB,
 *   15 with both), contig n (4), agile k + (n-k)(m+1) + m (16 for k = 2).
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

#include "engine.h"
#include "mmu/mode.h"
#include "trace/trace.h"

#include <glib.h>
#include <glib/gstdio.h>

#define N_RECS 6000
#define N_PROCS 3

static char *trace_path;
static char *tmp_dir;

static int write_trace(void **state)
{
    (void)state;
    vs_err err;
    tmp_dir = g_dir_make_tmp("vs_closed_XXXXXX", NULL);
    assert_non_null(tmp_dir);
    trace_path = g_build_filename(tmp_dir, "t.vmt", NULL);
    trace_writer *w;
    assert_int_equal(trace_writer_open(trace_path, TFMT_VMT, TCODEC_NONE, &w, &err), VS_OK);
    uint64_t rng = 7;
    uint32_t pid = 0;
    for (int i = 0; i < N_RECS; i++) {
        trace_rec r = {.size = 8};
        if (i % 500 == 0) {
            pid = (uint32_t)(vs_rng_next(&rng) % N_PROCS);
            r.kind = TREC_SWITCH;
            r.id = pid;
            assert_int_equal(trace_write(w, &r, 1, &err), VS_OK);
            r = (trace_rec){.size = 8};
        }
        uint64_t x = vs_rng_next(&rng);
        r.kind = (uint8_t)(x % 3); /* ifetch, load, store */
        /* two 1 GiB regions per process, far apart, so several upper-level tables exist */
        r.addr = ((uint64_t)(pid + 1) << 39) + ((x >> 8) % 2 ? (1ull << 30) * 5 : 0) +
                 (((x >> 16) % (1ull << 30)) & ~7ull);
        assert_int_equal(trace_write(w, &r, 1, &err), VS_OK);
    }
    assert_int_equal(trace_writer_close(w, &err), VS_OK);
    return 0;
}

static int remove_trace(void **state)
{
    (void)state;
    g_unlink(trace_path);
    g_rmdir(tmp_dir);
    g_free(trace_path);
    g_free(tmp_dir);
    return 0;
}

typedef struct hist {
    uint64_t count[WALK_HIST_MAX + 1];
    uint64_t walks;
} hist;

static void collect(void *ctx, const char *path, const char *value)
{
    hist *h = ctx;
    if (strncmp(path, "walk_hist.", 10) == 0)
        h->count[strtoul(path + 10, NULL, 10)] = strtoull(value, NULL, 10);
    else if (strcmp(path, "walks") == 0)
        h->walks = strtoull(value, NULL, 10);
}

/* Runs the trace with caches off plus `extra` overrides (NULL-terminated) and
 * checks that every completed walk read exactly `expect` entries. */
static void expect_refs(const char *mode, const char *const *extra, unsigned expect)
{
    vs_config cfg;
    vs_err err;
    cfg_defaults(&cfg);
    char buf[64];
    snprintf(buf, sizeof buf, "machine.mode=%s", mode);
    assert_int_equal(cfg_override(&cfg, buf, &err), VS_OK);
    assert_int_equal(cfg_override(&cfg, "pwc.enabled=false", &err), VS_OK);
    assert_int_equal(cfg_override(&cfg, "ntlb.enabled=false", &err), VS_OK);
    for (; extra && *extra; extra++)
        assert_int_equal(cfg_override(&cfg, *extra, &err), VS_OK);
    vs_sim *s;
    int rc = sim_new(&cfg, &s, &err);
    if (rc != VS_OK)
        fail_msg("%s: %s", mode, err.msg);
    assert_int_equal(sim_add_trace(s, trace_path, 0, &err), VS_OK);
    rc = sim_run(s, NULL, NULL, &err);
    if (rc != VS_OK)
        fail_msg("%s: %s", mode, err.msg);
    hist h = {0};
    jw *w = jw_new_flat(collect, &h);
    sim_report(s, w);
    jw_free(w);
    sim_free(s);
    assert_true(h.walks >= 6); /* with 1 GiB pages: 3 processes x 2 regions at least */
    if (h.count[expect] != h.walks) {
        for (unsigned k = 0; k <= WALK_HIST_MAX; k++)
            if (h.count[k])
                print_message("  %s: %llu walks of %u refs\n", mode, (unsigned long long)h.count[k], k);
        fail_msg("%s: expected every one of %llu walks to read %u entries", mode, (unsigned long long)h.walks,
                 expect);
    }
}

#define OPTS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void native_forms(void **state)
{
    (void)state;
    expect_refs("native", NULL, 4);
    expect_refs("native", OPTS("guest.levels=5"), 5);
    expect_refs("native", OPTS("guest.page_size=2m"), 3);
    expect_refs("native", OPTS("guest.page_size=1g"), 2);
}

static void nested_forms(void **state)
{
    (void)state;
    expect_refs("nested", NULL, 24);
    expect_refs("nested", OPTS("guest.levels=5", "host.levels=5"), 35);
    expect_refs("nested", OPTS("host.levels=5"), 29);
    expect_refs("nested", OPTS("host.page_size=2m"), 19);
    expect_refs("nested", OPTS("guest.page_size=2m"), 19);
    expect_refs("nested", OPTS("guest.page_size=2m", "host.page_size=2m"), 15);
}

static void contig_forms(void **state)
{
    (void)state;
    expect_refs("contig", NULL, 4);
    expect_refs("contig", OPTS("guest.levels=5"), 5);
    expect_refs("contig", OPTS("contig.segments=4", "host.page_size=2m"), 4);
    /* without contiguous backing contig is nested */
    expect_refs("contig", OPTS("contig.backing=false"), 24);
}

static void agile_forms(void **state)
{
    (void)state;
    expect_refs("agile", NULL, 16);                           /* 2 + 2*5 + 4 */
    expect_refs("agile", OPTS("agile.shadow_levels=1"), 20);  /* 1 + 3*5 + 4 */
    expect_refs("agile", OPTS("agile.shadow_levels=3"), 12);  /* 3 + 1*5 + 4 */
    expect_refs("agile", OPTS("agile.shadow_levels=4"), 12);  /* capped at n - 1 = 3 */
    /* 2 + 3*6 + 5 */
    expect_refs("agile", OPTS("guest.levels=5", "host.levels=5", "agile.shadow_levels=2"), 25);
}

static void shadow_forms(void **state)
{
    (void)state;
    if (!mode_lookup(MODE_SHADOW)) {
        print_message("shadow mode is not built yet: skipping its closed form (4)\n");
        skip();
    }
    expect_refs("shadow", NULL, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(native_forms), cmocka_unit_test(nested_forms), cmocka_unit_test(contig_forms),
        cmocka_unit_test(agile_forms),  cmocka_unit_test(shadow_forms),
    };
    return cmocka_run_group_tests(tests, write_trace, remove_trace);
}
