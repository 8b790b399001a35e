/*
 * test_accounts.c: the per-VM and per-process blocks ("vms", "processes")
 * add up exactly to the totals -- every count, every exit reason, every
 * cycle term -- in every mode, with several VMs, several processes per VM,
 * a warm-up (the accounts reset with the totals) and a process that forks
 * and exits (its account outlives it).  The interval samples, with the same
 * fields, add up to the totals too.
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

/* The per-entity fields checked, with the flattened key of their total. */
static const char *const fields[][2] = {
    {"refs", "refs"},
    {"instructions", "instructions"},
    {"tlb_misses", "tlb_misses"},
    {"walks", "walks"},
    {"walk_refs", "walk_refs"},
    {"fault_walk_refs", "fault_walk_refs"},
    {"page", "faults.page"},
    {"cow", "faults.cow"},
    {"base", "cycles.base"},
    {"tlb", "cycles.tlb"},
    {"walk", "cycles.walk"},
    {"data", "cycles.data"},
    {"fault", "cycles.fault"},
    {"vmm", "cycles.vmm"},
    {"translation", "cycles.translation"},
    {"first_touch", "cycles.first_touch"},
};

/* Sum of every `"key": N` in the top-level array `list` of the JSON text. */
static uint64_t sum_in(const char *json, const char *list, const char *key, unsigned *entries)
{
    char open[64], pat[64];
    snprintf(open, sizeof open, "\n  \"%s\": [", list);
    const char *from = strstr(json, open);
    assert_non_null(from);
    const char *to = strstr(from, "\n  ]");
    assert_non_null(to);
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    uint64_t sum = 0;
    unsigned n = 0;
    for (const char *p = strstr(from, pat); p && p < to; p = strstr(p + 1, pat)) {
        sum += strtoull(p + strlen(pat), NULL, 10);
        n++;
    }
    if (entries)
        *entries = n;
    return sum;
}

static void check_run(const char *mode, const char *const *traces, size_t n, const char *const *opts,
                      unsigned want_procs)
{
    vs_config cfg;
    vs_err err = {0};
    cfg_defaults(&cfg);
    char m[64];
    snprintf(m, sizeof m, "machine.mode=%s", mode);
    assert_int_equal(cfg_override(&cfg, m, &err), VS_OK);
    bool virt = mode_get((vs_mode)mode_find(mode))->flags & MODE_F_HYPERVISOR;
    assert_int_equal(cfg_override(&cfg, virt ? "vm.count=2" : "vm.count=1", &err), VS_OK);
    for (; opts && *opts; opts++)
        assert_int_equal(cfg_override(&cfg, *opts, &err), VS_OK);
    vs_sim *s;
    assert_int_equal(sim_new(&cfg, &s, &err), VS_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(sim_add_trace(s, traces[i], -1, &err), VS_OK);
    if (sim_run(s, NULL, NULL, &err) != VS_OK)
        fail_msg("%s: %s", mode, err.msg);
    char *json = vt_report_json(s);
    GHashTable *tot = vt_report_flat(s);
    unsigned procs, vms;
    sum_in(json, "processes", "pid", &procs);
    sum_in(json, "vms", "vm", &vms);
    assert_int_equal(procs, want_procs);
    assert_int_equal(vms, virt ? 2 : 1);
    unsigned samples;
    sum_in(json, "intervals", "refs", &samples);
    assert_true(samples > 1);
    for (size_t i = 0; i < VS_ARRAY_LEN(fields); i++) {
        uint64_t total = vt_u64(tot, fields[i][1]);
        uint64_t by_proc = sum_in(json, "processes", fields[i][0], NULL);
        uint64_t by_vm = sum_in(json, "vms", fields[i][0], NULL);
        uint64_t by_interval = sum_in(json, "intervals", fields[i][0], NULL);
        if (by_proc != total || by_vm != total || by_interval != total)
            fail_msg("%s: %s = %llu, but %llu over processes, %llu over VMs, %llu over intervals", mode,
                     fields[i][1], (unsigned long long)total, (unsigned long long)by_proc,
                     (unsigned long long)by_vm, (unsigned long long)by_interval);
    }
    for (int r = 0; r < EXIT_COUNT; r++) {
        char key[64];
        snprintf(key, sizeof key, "exits.%s", exit_reason_name((exit_reason)r));
        uint64_t total = vt_u64(tot, key);
        uint64_t by_proc = sum_in(json, "processes", exit_reason_name((exit_reason)r), NULL);
        if (by_proc != total || sum_in(json, "intervals", exit_reason_name((exit_reason)r), NULL) != total)
            fail_msg("%s: %s = %llu, but %llu over processes", mode, key, (unsigned long long)total,
                     (unsigned long long)by_proc);
    }
    g_hash_table_destroy(tot);
    free(json);
    sim_free(s);
}

static void samples_add_up_in_every_mode(void **state)
{
    (void)state;
    const char *const traces[] = {VS_SOURCE_DIR "/traces/samples/gzip.lackey.gz",
                                  VS_SOURCE_DIR "/traces/samples/sort.lackey.gz",
                                  VS_SOURCE_DIR "/traces/samples/awk.lackey.gz"};
    for (unsigned m = 0; m < mode_count(); m++) {
        check_run(mode_names[m], traces, 3, VT_OPTS("sched.quantum=20000", "sim.max_instructions=300000", "stats.interval=70000"), 3);
        check_run(mode_names[m], traces, 3,
                  VT_OPTS("sched.quantum=20000", "sim.warmup_instructions=100000", "sim.max_instructions=200000",
                          "stats.interval=50000"),
                  3);
    }
}

#define CODE 0x400000ull
#define DATA 0x7f0000000000ull

static void put(trace_rec *r, size_t *n, uint8_t kind, uint64_t addr, uint32_t id)
{
    r[(*n)++] = (trace_rec){.kind = kind, .addr = addr, .id = id, .size = trace_kind_is_mem(kind) ? 8 : 0};
}

static void touch(trace_rec *r, size_t *n, unsigned pages, bool store)
{
    for (unsigned i = 0; i < pages; i++) {
        put(r, n, TREC_IFETCH, CODE + 4 * (i % 256), 0);
        put(r, n, store ? TREC_STORE : TREC_LOAD, DATA + ((uint64_t)i << 12), 0);
    }
}

/* Fork, copy-on-write in the child, the parent's exit: four processes over
 * two traces, the exited one still reported. */
static void fork_and_exit_add_up(void **state)
{
    (void)state;
    static trace_rec r[1000];
    size_t n = 0;
    put(r, &n, TREC_SWITCH, 0, 1);
    touch(r, &n, 100, true);
    put(r, &n, TREC_FORK, 0, 2);
    put(r, &n, TREC_PROC_EXIT, 0, 1);
    put(r, &n, TREC_SWITCH, 0, 2);
    touch(r, &n, 100, true); /* copy-on-write */
    char *a = vt_write_vmt("acct_a.vmt", r, n), *b = vt_write_vmt("acct_b.vmt", r, n);
    const char *const traces[] = {a, b};
    for (unsigned m = 0; m < mode_count(); m++)
        check_run(mode_names[m], traces, 2, VT_OPTS("sched.quantum=50", "stats.interval=64"), 4);
    g_free(a);
    g_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(samples_add_up_in_every_mode),
        cmocka_unit_test(fork_and_exit_add_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
