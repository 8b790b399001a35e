/*
 * test_hybrid_boot.c: the two hybrid modes on seed 003's boot with 2 MiB
 * guest pages, which the host backs 4 KiB at a time (configs/barcelona-real.ini
 * with configs/vmm/kvm.ini): a guest that keeps touching memory the host has
 * not backed, through large pages the host splinters.
 *
 * adaptive.  Its cost policy (mode_adaptive.c) does not mistake the host's backing of guest memory for a cost of the mode it is
 * in.  A guest that keeps touching memory the host has not backed yet (seed
 * 003's boot on 2 MiB guest pages, which the host backs 4 KiB at a time) has
 * every window dominated by backing: under nested an EPT violation per page,
 * under shadow a hidden fault that backs it.  The handler work is the same
 * in both; the exits that carry it are priced per mode.  Counted as the
 * current mode's own cost, the backing made each mode look worse than the
 * other's estimate, and the process switched every window or two (29 times
 * each way on the Opteron, adaptive 1.073x nested).
 *
 * The reference is the issue's: on this workload adaptive must cost no more
 * than the cheaper of the two modes it chooses between (nested and shadow
 * with caching), run on their own over the same trace, plus 5%, and must not
 * move the process back and forth.  Both checks fail without the fix: on
 * this trace the policy before it switched 29 times and cost 1.071x nested.
 *
 * agile.  A guest table holding a large page the host splinters cannot be
 * shadowed (mode_agile.c walks it nested from the level above); the VMM's
 * quiet-window timer, which moves back tables switched for their writes,
 * must leave it nested: moved back, it was switched again by the next walk
 * through the splintered page, a hidden fault and a rebuild each round.
 * The naive reference is the mechanism's own statement: with every switch
 * caused by splintering (boot writes its tables only while the warm-up maps
 * them), no table may move back or be switched again after the warm-up.
 * Before the fix, on this trace: 21 switched and 19 moved back after the
 * warm-up, with 23 hidden faults after it (with the fix 2, for new entries
 * of the upper levels).  docs/vmm.md section 8 quotes this run's numbers:
 * the test finds its sentence there, so the doc cannot go stale (a model
 * change that moves them fails here and prints the sentence to put there).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <glib.h>

#include "sim.h"
#include "vs_test.h"
#include "workloads/workloads.h"

#define WITHIN 1.05 /* issue 15: adaptive within 5% of the best static mode */
#define DOC VS_SOURCE_DIR "/docs/vmm.md"

/* n with a comma every three digits, as the docs write numbers, in buf. */
static const char *grouped(uint64_t n, char *buf, size_t cap)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < cap; i++) {
        if (i && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = 0;
    return buf;
}

static GHashTable *run(const char *trace, const char *mode)
{
    vs_config cfg;
    vs_err err = {0};
    cfg_defaults(&cfg);
    char m[64];
    snprintf(m, sizeof m, "machine.mode=%s", mode);
    if (cfg_load(&cfg, VS_SOURCE_DIR "/configs/barcelona-real.ini", &err) != VS_OK ||
        cfg_load(&cfg, VS_SOURCE_DIR "/configs/vmm/kvm.ini", &err) != VS_OK ||
        cfg_override_all(&cfg, VT_OPTS(m, "guest.page_size=2m", "sim.warmup_instructions=1000000"), 3, &err) != VS_OK)
        fail_msg("config: %s", err.msg);
    vs_sim *s;
    assert_int_equal(sim_new(&cfg, &s, &err), VS_OK);
    assert_int_equal(sim_add_trace(s, trace, -1, &err), VS_OK);
    if (sim_run(s, NULL, NULL, &err) != VS_OK)
        fail_msg("%s: %s", mode, err.msg);
    GHashTable *r = vt_report_flat(s);
    sim_free(s);
    return r;
}

static char *boot_trace(void)
{
    vs_err err = {0};
    char *path = vt_path("boot.vmt");
    const char *kv[] = {"refs=1500000"};
    if (wl_generate("boot", 1, (char **)kv, 1, path, &err) != VS_OK)
        fail_msg("gen boot: %s", err.msg);
    return path;
}

static void backing_is_not_a_mode_cost(void **state)
{
    (void)state;
    char *path = boot_trace();
    GHashTable *nested = run(path, "nested"), *cache = run(path, "shadow-cache"), *adaptive = run(path, "adaptive");
    uint64_t n = vt_u64(nested, "cycles.total"), c = vt_u64(cache, "cycles.total"), a = vt_u64(adaptive, "cycles.total");
    uint64_t best = n < c ? n : c, switches = vt_u64(adaptive, "exits.mode_switch");
    print_message("boot, 2 MiB guest pages: nested %llu, shadow-cache %llu, adaptive %llu cycles, %llu switches\n",
                  (unsigned long long)n, (unsigned long long)c, (unsigned long long)a, (unsigned long long)switches);
    assert_true(vt_u64(nested, "exits.ept_violation") > 0); /* the workload does keep the host backing */
    if ((double)a > WITHIN * (double)best)
        fail_msg("adaptive %llu cycles is %.3fx the best static mode (%llu)", (unsigned long long)a,
                 (double)a / (double)best, (unsigned long long)best);
    if (switches > 1)
        fail_msg("adaptive switched %llu times on a workload whose windows differ only in backing",
                 (unsigned long long)switches);
    g_hash_table_destroy(nested);
    g_hash_table_destroy(cache);
    g_hash_table_destroy(adaptive);
    g_free(path);
}

static void splintered_tables_stay_nested(void **state)
{
    (void)state;
    char *path = boot_trace();
    GHashTable *r = run(path, "agile");
    uint64_t to_nested = vt_u64(r, "agile.tables_to_nested"), back = vt_u64(r, "agile.tables_to_shadow");
    uint64_t nested = vt_u64(r, "agile.nested_tables"), hidden = vt_u64(r, "agile.hidden_faults");
    uint64_t cycles = vt_u64(r, "cycles.total"), hybrid = vt_u64(r, "agile.hybrid_walks");
    print_message("boot, 2 MiB guest pages, agile after the warm-up: %llu tables to nested, %llu back, %llu nested, "
                  "%llu hidden faults, %llu hybrid walks\n",
                  (unsigned long long)to_nested, (unsigned long long)back, (unsigned long long)nested,
                  (unsigned long long)hidden, (unsigned long long)hybrid);
    assert_true(nested > 0); /* the splintered tables are there, walked nested */
    assert_int_equal(back, 0);
    assert_int_equal(to_nested, 0);
    char b[5][32];
    gchar *said = g_strdup_printf("agile after the warm-up switches %s tables and moves %s back, walking %s tables "
                                  "nested with %s hidden faults and %s hybrid walks, in %s cycles",
                                  grouped(to_nested, b[0], 32), grouped(back, b[1], 32), grouped(nested, b[2], 32),
                                  grouped(hidden, b[3], 32), grouped(hybrid, b[4], 32),
                                  grouped(cycles, (char[32]){0}, 32));
    gchar *doc = NULL;
    if (!g_file_get_contents(DOC, &doc, NULL, NULL))
        fail_msg("%s: cannot read", DOC);
    if (!strstr(doc, said)) /* on one line: it sits in a table row */
        fail_msg("%s section 8 does not quote this run: expected \"%s\"", DOC, said);
    g_free(doc);
    g_free(said);
    g_hash_table_destroy(r);
    g_free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(backing_is_not_a_mode_cost),
                                       cmocka_unit_test(splintered_tables_stay_nested)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
