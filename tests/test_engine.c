/*
 * test_engine.c: the engine's own semantics -- scheduling and CR3 writes,
 * process lifetime records, TLB tagging with and without PCIDs, interval
 * samples, the repeat-access fast paths (exactly as if every access were
 * looked up), and its errors on traces it cannot honour.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sim.h"
#include "vs_test.h"

#define CODE 0x400000ull          /* where the synthetic code lives */
#define DATA 0x7f0000000000ull    /* where its data lives */

typedef struct tb {
    trace_rec r[4096];
    size_t n;
} tb;

static void put(tb *t, uint8_t kind, uint64_t addr, uint32_t id)
{
    assert_true(t->n < VS_ARRAY_LEN(t->r));
    t->r[t->n++] = (trace_rec){.kind = kind, .addr = addr, .id = id, .size = trace_kind_is_mem(kind) ? 8 : 0};
}

/* `pages` loads, one per 4 KiB page from base, each after one instruction. */
static void touch(tb *t, uint64_t base, unsigned pages)
{
    for (unsigned i = 0; i < pages; i++) {
        put(t, TREC_IFETCH, CODE + 4 * (t->n % 256), 0);
        put(t, TREC_LOAD, base + ((uint64_t)i << 12), 0);
    }
}

/* exec frees the old image and loads the new mm's root: one CR3 write
 * (fs/exec.c exec_mmap -> activate_mm -> switch_mm), after which the same
 * pages fault again in the new address space. */
static void exec_loads_the_new_root(void **state)
{
    (void)state;
    tb t = {.n = 0};
    put(&t, TREC_SWITCH, 0, 1);
    touch(&t, DATA, 10);
    put(&t, TREC_EXEC, 0, 1);
    touch(&t, DATA, 10);
    char *path = vt_write_vmt("exec.vmt", t.r, t.n);
    GHashTable *r = vt_run(NULL, VT_OPTS(path), 1, NULL, NULL);
    assert_int_equal(vt_u64(r, "guest_os.execs"), 1);
    assert_int_equal(vt_u64(r, "faults.page"), 2 * (10 + 1 /* the code page */));
    assert_int_equal(vt_u64(r, "events.cr3_writes"), 1);
    g_hash_table_destroy(r);
    g_free(path);
}

static void exit_while_running_then_switch(void **state)
{
    (void)state;
    tb t = {.n = 0};
    put(&t, TREC_SWITCH, 0, 1);
    touch(&t, DATA, 10);
    put(&t, TREC_FORK, 0, 2);
    put(&t, TREC_PROC_EXIT, 0, 1); /* the running process exits itself */
    put(&t, TREC_SWITCH, 0, 2);
    touch(&t, DATA, 10);           /* the child reads its parent's pages */
    char *path = vt_write_vmt("exit.vmt", t.r, t.n);
    GHashTable *r = vt_run(NULL, VT_OPTS(path), 1, NULL, NULL);
    assert_int_equal(vt_u64(r, "guest_os.forks"), 1);
    assert_int_equal(vt_u64(r, "guest_os.exits"), 1);
    assert_int_equal(vt_u64(r, "faults.page"), 10 + 1 /* the code page */);
    /* the fork's flush (dup_mmap: flush_tlb_mm, a CR3 reload) and loading the child after the exit */
    assert_int_equal(vt_u64(r, "events.cr3_writes"), 2);
    g_hash_table_destroy(r);
    g_free(path);
}

static void reference_after_exit_is_an_error(void **state)
{
    (void)state;
    tb t = {.n = 0};
    put(&t, TREC_SWITCH, 0, 1);
    touch(&t, DATA, 2);
    put(&t, TREC_PROC_EXIT, 0, 1);
    touch(&t, DATA, 1);
    char *path = vt_write_vmt("bad_exit.vmt", t.r, t.n);
    char *out, *err;
    int status = vt_cli(VT_OPTS("run", "-q", path), &out, &err);
    assert_int_equal(status, 1);
    assert_non_null(strstr(err, "no process runs"));
    g_free(out);
    g_free(err);
    g_free(path);
}

/* Two processes alternating over the same 8 pages each: with PCIDs their
 * entries survive the switches; without, every switch flushes. */
static void pcid_tagging(void **state)
{
    (void)state;
    tb t = {.n = 0};
    for (int round = 0; round < 20; round++) {
        put(&t, TREC_SWITCH, 0, 1 + round % 2);
        touch(&t, DATA + ((uint64_t)(round % 2) << 30), 8);
    }
    char *path = vt_write_vmt("pcid.vmt", t.r, t.n);
    GHashTable *on = vt_run(NULL, VT_OPTS(path), 1, VT_OPTS("tlb.pcid=true"), NULL);
    GHashTable *off = vt_run(NULL, VT_OPTS(path), 1, VT_OPTS("tlb.pcid=false"), NULL);
    assert_int_equal(vt_u64(on, "events.cr3_writes"), 19);
    assert_int_equal(vt_u64(off, "events.cr3_writes"), 19);
    /* PCIDs: only the first touches of 16 data pages and 1 code page miss (the code page once per process). */
    assert_int_equal(vt_u64(on, "walks"), 16 + 2);
    /* No PCIDs: every round re-walks its 8 pages and the code page. */
    assert_int_equal(vt_u64(off, "walks"), 20 * (8 + 1));
    assert_int_equal(vt_u64(off, "faults.page"), vt_u64(on, "faults.page"));
    g_hash_table_destroy(on);
    g_hash_table_destroy(off);
    g_free(path);
}

/* Quantum scheduling of several traces: one CR3 write per quantum boundary. */
static void quantum_scheduling(void **state)
{
    (void)state;
    tb a = {.n = 0}, b = {.n = 0};
    touch(&a, DATA, 100);
    touch(&b, DATA, 100);
    char *pa = vt_write_vmt("qa.vmt", a.r, a.n), *pb = vt_write_vmt("qb.vmt", b.r, b.n);
    GHashTable *r = vt_run(NULL, VT_OPTS(pa, pb), 2, VT_OPTS("sched.quantum=10"), NULL);
    /* 200 instructions, a switch every 10 while both streams have records. */
    assert_int_equal(vt_u64(r, "events.cr3_writes"), 19);
    assert_int_equal(vt_u64(r, "instructions"), 200);
    assert_int_equal(vt_u64(r, "guest_os.processes"), 2);
    g_hash_table_destroy(r);
    g_free(pa);
    g_free(pb);
}

/* Interval samples add up to the totals. */
static void intervals_sum_to_totals(void **state)
{
    (void)state;
    tb t = {.n = 0};
    touch(&t, DATA, 1000);
    char *path = vt_write_vmt("iv.vmt", t.r, t.n);
    vs_config cfg;
    vs_err err = {0};
    cfg_defaults(&cfg);
    assert_int_equal(cfg_override(&cfg, "stats.interval=300", &err), VS_OK);
    vs_sim *s;
    assert_int_equal(sim_new(&cfg, &s, &err), VS_OK);
    assert_int_equal(sim_add_trace(s, path, 0, &err), VS_OK);
    assert_int_equal(sim_run(s, NULL, NULL, &err), VS_OK);
    char *json = vt_report_json(s);
    /* 1000 instructions in samples of 300: 300, 300, 300, 100. */
    const char *iv = strstr(json, "\"intervals\": [");
    assert_non_null(iv);
    int samples = 0;
    uint64_t instr = 0;
    for (const char *p = strstr(iv, "\"instructions\": "); p; p = strstr(p + 1, "\"instructions\": ")) {
        instr += strtoull(p + 16, NULL, 10);
        samples++;
    }
    assert_int_equal(samples, 4);
    assert_int_equal(instr, 1000);
    free(json);
    sim_free(s);
    g_free(path);
}

/* The repeat fast paths count exactly what full lookups would: a trace of
 * repeated accesses to one page gives one L1 TLB miss and hits for the rest,
 * in the structure that holds the page and in the per-level counts. */
static void repeat_accesses_count_exactly(void **state)
{
    (void)state;
    tb t = {.n = 0};
    for (int i = 0; i < 500; i++) {
        put(&t, TREC_IFETCH, CODE + 4 * (unsigned)(i % 16), 0);
        put(&t, i % 3 ? TREC_LOAD : TREC_STORE, DATA + 8 * (unsigned)(i % 64), 0);
    }
    char *path = vt_write_vmt("rep.vmt", t.r, t.n);
    GHashTable *r = vt_run(NULL, VT_OPTS(path), 1, NULL, NULL);
    assert_int_equal(vt_u64(r, "tlb.levels.data.l1.misses"), 1);
    assert_int_equal(vt_u64(r, "tlb.levels.data.l1.hits"), 499);
    assert_int_equal(vt_u64(r, "tlb.l1d.hits"), 499);
    assert_int_equal(vt_u64(r, "tlb.l1d.misses"), 1);
    assert_int_equal(vt_u64(r, "tlb.levels.instruction.l1.hits"), 499);
    assert_int_equal(vt_u64(r, "caches.l1d.data.misses"), 8); /* 64 x 8 bytes = 8 lines */
    assert_int_equal(vt_u64(r, "caches.l1d.data.hits"), 500 - 8);
    assert_int_equal(vt_u64(r, "caches.l1i.inst.misses"), 1);
    g_hash_table_destroy(r);
    g_free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exit_while_running_then_switch),
        cmocka_unit_test(exec_loads_the_new_root),
        cmocka_unit_test(reference_after_exit_is_an_error),
        cmocka_unit_test(pcid_tagging),
        cmocka_unit_test(quantum_scheduling),
        cmocka_unit_test(intervals_sum_to_totals),
        cmocka_unit_test(repeat_accesses_count_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
