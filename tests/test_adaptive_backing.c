/*
 * test_adaptive_backing.c: adaptive's cost policy (mode_adaptive.c) does not
 * mistake the host's backing of guest memory for a cost of the mode it is
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
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>

#include "sim.h"
#include "vs_test.h"
#include "workloads/workloads.h"

#define WITHIN 1.05 /* issue 15: adaptive within 5% of the best static mode */

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

static void backing_is_not_a_mode_cost(void **state)
{
    (void)state;
    vs_err err = {0};
    char *path = vt_path("boot.vmt");
    const char *kv[] = {"refs=1500000"};
    if (wl_generate("boot", 1, (char **)kv, 1, path, &err) != VS_OK)
        fail_msg("gen boot: %s", err.msg);
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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(backing_is_not_a_mode_cost)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
