/*
 * test_shadow.c: exact VM-exit counts of the three shadow-paging variants on
 * small constructed traces, where every count follows from the model
 * (mode_shadow.c's header):
 *  - one process touching P pages of one leaf table once each: P guest
 *    faults, P hidden faults, P walks of exactly 4 references, P + 3 shadow
 *    entries written (three tables + P leaves), pt_write exits (cache and
 *    prefetch only) equal to the guest OS's P + 3 entry writes;
 *  - two processes alternating over K pages for R rounds: one CR3 exit per
 *    switch in every variant; plain shadow refills all K pages after every
 *    switch, caching none after the first turn, prefetching one hidden fault
 *    per turn; the flushed tables are freed;
 *  - INVLPG: one exit per record, one dropped entry and one refill each;
 *  - coherence against the naive model (native paging): on a random mix of
 *    loads, stores, fork (copy-on-write), exec, exit, INVLPG and switches,
 *    the guest OS must see exactly the faults and entry writes it sees
 *    natively -- a stale shadow entry would hide a copy-on-write fault or
 *    fault again.
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

#define PAGE 4096ull
#define BASE 0x10000000ull /* 256 MiB: one leaf table covers BASE .. BASE + 2 MiB */

static char *tmp_dir;

static int setup(void **state)
{
    (void)state;
    tmp_dir = g_dir_make_tmp("vs_shadow_XXXXXX", NULL);
    return tmp_dir ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    g_rmdir(tmp_dir);
    g_free(tmp_dir);
    return 0;
}

/* ---- a tiny trace builder ---- */

typedef struct tb {
    GArray *recs;
} tb;

static void add(tb *t, uint8_t kind, uint64_t addr, uint32_t id)
{
    trace_rec r = {.kind = kind, .addr = addr, .id = id, .size = trace_kind_is_mem(kind) ? 8 : 0};
    g_array_append_val(t->recs, r);
}

static char *write_trace(tb *t, const char *name)
{
    char *path = g_build_filename(tmp_dir, name, NULL);
    trace_writer *w;
    vs_err err;
    assert_int_equal(trace_writer_open(path, TFMT_VMT, TCODEC_NONE, &w, &err), VS_OK);
    assert_int_equal(trace_write(w, (trace_rec *)t->recs->data, t->recs->len, &err), VS_OK);
    assert_int_equal(trace_writer_close(w, &err), VS_OK);
    return path;
}

/* ---- running and reading results ---- */

static void collect(void *ctx, const char *path, const char *value)
{
    g_hash_table_insert(ctx, g_strdup(path), g_strdup(value));
}

static uint64_t get(GHashTable *r, const char *key)
{
    const char *v = g_hash_table_lookup(r, key);
    if (!v)
        fail_msg("no result %s", key);
    return strtoull(v, NULL, 10);
}

/* Runs `path` under mode with page-walk caches off, plus overrides (NULL-ended). */
static GHashTable *run(const char *path, const char *mode, const char *const *extra)
{
    vs_config cfg;
    vs_err err;
    cfg_defaults(&cfg);
    char buf[64];
    snprintf(buf, sizeof buf, "machine.mode=%s", mode);
    assert_int_equal(cfg_override(&cfg, buf, &err), VS_OK);
    assert_int_equal(cfg_override(&cfg, "pwc.enabled=false", &err), VS_OK);
    for (; extra && *extra; extra++)
        assert_int_equal(cfg_override(&cfg, *extra, &err), VS_OK);
    vs_sim *s;
    if (sim_new(&cfg, &s, &err) != VS_OK)
        fail_msg("%s: %s", mode, err.msg);
    assert_int_equal(sim_add_trace(s, path, 0, &err), VS_OK);
    if (sim_run(s, NULL, NULL, &err) != VS_OK)
        fail_msg("%s: %s", mode, err.msg);
    GHashTable *r = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    jw *w = jw_new_flat(collect, r);
    sim_report(s, w);
    jw_free(w);
    sim_free(s);
    return r;
}

#define OPTS(...) ((const char *const[]){__VA_ARGS__, NULL})
static const char *const variants[] = {"shadow", "shadow-cache", "shadow-prefetch"};

/* ---- one process, P first touches ---- */

#define P 200

static void first_touches(void **state)
{
    (void)state;
    tb t = {g_array_new(FALSE, FALSE, sizeof(trace_rec))};
    for (uint64_t i = 0; i < P; i++)
        add(&t, TREC_LOAD, BASE + i * PAGE, 0);
    char *path = write_trace(&t, "touch.vmt");
    for (unsigned v = 0; v < 3; v++) {
        GHashTable *r = run(path, variants[v], OPTS("tlb.pcid=false"));
        bool wp = v > 0;
        assert_int_equal(get(r, "exits.guest_fault"), P);
        assert_int_equal(get(r, "exits.hidden_fault"), P);
        assert_int_equal(get(r, "exits.cr3_write"), 0);
        assert_int_equal(get(r, "exits.invlpg"), 0);
        assert_int_equal(get(r, "guest_os.ptes_written"), P + 3);
        assert_int_equal(get(r, "exits.pt_write"), wp ? P + 3 : 0);
        assert_int_equal(get(r, "faults.page"), P);
        assert_int_equal(get(r, "walks"), P);
        assert_int_equal(get(r, "walk_hist.4"), P);
        assert_int_equal(get(r, "exits.shadow_entries_written"), P + 3);
        assert_int_equal(get(r, "exits.shadow_entries_dropped"), 0);
        assert_int_equal(get(r, "host.shadow_table_pages"), 4);
        /* VMM reads: 1 for the first (empty root), then 4 per guest fault and
         * 4 per hidden fault; +1 per emulated pt_write; +512 per prefetch. */
        uint64_t refs = 8ull * P - 3 + (wp ? P + 3 : 0) + (v == 2 ? 512ull * P : 0);
        assert_int_equal(get(r, "exits.vmm_refs"), refs);
        assert_int_equal(get(r, "shadow.prefetched_entries"), 0);
        uint64_t exits = 2ull * P + (wp ? P + 3 : 0);
        assert_int_equal(get(r, "exits.total"), exits);
        g_hash_table_destroy(r);
    }
    g_unlink(path);
    g_free(path);
    g_array_free(t.recs, TRUE);
}

/* ---- two processes alternating ---- */

#define K 40
#define R 6

static void switches(void **state)
{
    (void)state;
    tb t = {g_array_new(FALSE, FALSE, sizeof(trace_rec))};
    for (unsigned round = 0; round < R; round++)
        for (uint32_t pid = 0; pid < 2; pid++) {
            add(&t, TREC_SWITCH, 0, pid);
            for (uint64_t i = 0; i < K; i++)
                add(&t, TREC_LOAD, BASE + i * PAGE, 0);
        }
    char *path = write_trace(&t, "switch.vmt");
    const uint64_t turns = 2 * R;
    for (unsigned v = 0; v < 3; v++) {
        for (int pcid = 0; pcid < 2; pcid++) {
            GHashTable *r = run(path, variants[v], pcid ? OPTS("tlb.pcid=true") : OPTS("tlb.pcid=false"));
            /* The stream's own first process never ran: every SWITCH is a CR3 write. */
            assert_int_equal(get(r, "events.cr3_writes"), turns);
            assert_int_equal(get(r, "exits.cr3_write"), turns);
            assert_int_equal(get(r, "exits.guest_fault"), 2 * K);
            assert_int_equal(get(r, "guest_os.ptes_written"), 2 * (K + 3));
            if (v == 0) { /* plain: every turn refills every page; each later switch flushes */
                assert_int_equal(get(r, "exits.hidden_fault"), turns * K);
                assert_int_equal(get(r, "exits.pt_write"), 0);
                assert_int_equal(get(r, "shadow.shadow_flushes"), turns - 1);
                assert_int_equal(get(r, "exits.shadow_entries_dropped"), (turns - 1) * (K + 3));
                assert_int_equal(get(r, "exits.shadow_entries_written"), turns * (K + 3));
                assert_int_equal(get(r, "host.shadow_table_pages"), 4);
            } else if (v == 1) { /* caching: both shadows kept */
                assert_int_equal(get(r, "exits.hidden_fault"), 2 * K);
                assert_int_equal(get(r, "exits.pt_write"), 2 * (K + 3));
                assert_int_equal(get(r, "exits.shadow_entries_dropped"), 0);
                assert_int_equal(get(r, "host.shadow_table_pages"), 8);
                /* without PCID the TLB is flushed on each switch: walks, not exits */
                assert_int_equal(get(r, "walks"), pcid ? 2 * K : turns * K);
            } else { /* prefetch: one hidden fault refills the turn's whole table */
                assert_int_equal(get(r, "exits.hidden_fault"), 2 * K + (turns - 2));
                assert_int_equal(get(r, "shadow.prefetched_entries"), (turns - 2) * (K - 1));
                assert_int_equal(get(r, "exits.pt_write"), 2 * (K + 3));
                assert_int_equal(get(r, "host.shadow_table_pages"), 4);
            }
            assert_int_equal(get(r, "walk_hist.4"), get(r, "walks"));
            g_hash_table_destroy(r);
        }
    }
    g_unlink(path);
    g_free(path);
    g_array_free(t.recs, TRUE);
}

/* ---- INVLPG ---- */

#define J 7

static void invlpg(void **state)
{
    (void)state;
    tb t = {g_array_new(FALSE, FALSE, sizeof(trace_rec))};
    for (uint64_t i = 0; i < K; i++)
        add(&t, TREC_LOAD, BASE + i * PAGE, 0);
    for (uint64_t i = 0; i < J; i++)
        add(&t, TREC_INVLPG, BASE + i * 5 * PAGE, 0);
    for (uint64_t i = 0; i < K; i++)
        add(&t, TREC_LOAD, BASE + i * PAGE, 0);
    char *path = write_trace(&t, "invlpg.vmt");
    for (unsigned v = 0; v < 3; v++) {
        GHashTable *r = run(path, variants[v], NULL);
        assert_int_equal(get(r, "exits.invlpg"), J);
        assert_int_equal(get(r, "exits.shadow_entries_dropped"), J);
        /* prefetch refills all J dropped entries with the first refill */
        assert_int_equal(get(r, "exits.hidden_fault"), K + (v == 2 ? 1 : J));
        assert_int_equal(get(r, "exits.guest_fault"), K);
        g_hash_table_destroy(r);
    }
    g_unlink(path);
    g_free(path);
    g_array_free(t.recs, TRUE);
}

/* ---- coherence: the guest sees what it sees natively ---- */

#define MIX_RECS 40000
#define MIX_PAGES 96
#define MIX_MAX_PROCS 6

static void coherence(void **state)
{
    (void)state;
    tb t = {g_array_new(FALSE, FALSE, sizeof(trace_rec))};
    uint64_t rng = 42;
    uint32_t live[64], n_live = 1, cur = 0, next_pid = 1;
    live[0] = 0;
    add(&t, TREC_SWITCH, 0, 0);
    for (int i = 0; i < MIX_RECS; i++) {
        uint64_t x = vs_rng_next(&rng), op = x % 1000;
        uint64_t va = BASE + ((x >> 10) % MIX_PAGES) * PAGE;
        if (op < 4 && n_live < MIX_MAX_PROCS) {
            add(&t, TREC_FORK, 0, next_pid);
            live[n_live++] = next_pid++;
        } else if (op < 8) {
            cur = live[(x >> 20) % n_live];
            add(&t, TREC_SWITCH, 0, cur);
        } else if (op < 10 && n_live > 1) {
            uint32_t k = (uint32_t)((x >> 20) % n_live);
            if (live[k] != cur) {
                add(&t, TREC_PROC_EXIT, 0, live[k]);
                live[k] = live[--n_live];
            }
        } else if (op < 11) {
            add(&t, TREC_EXEC, 0, cur);
        } else if (op < 20) {
            add(&t, TREC_INVLPG, va, 0);
        } else {
            add(&t, TREC_IFETCH, BASE - PAGE, 0);
            add(&t, op % 2 ? TREC_STORE : TREC_LOAD, va, 0);
        }
    }
    char *path = write_trace(&t, "mix.vmt");
    static const char *const keys[] = {"faults.page", "faults.cow", "guest_os.ptes_written", "guest_os.forks",
                                       "guest_os.execs", "guest_os.exits"};
    for (int pcid = 0; pcid < 2; pcid++) {
        const char *const *o = pcid ? OPTS("tlb.pcid=true") : OPTS("tlb.pcid=false");
        GHashTable *ref = run(path, "native", o);
        assert_true(get(ref, "faults.cow") > 50);
        assert_true(get(ref, "guest_os.forks") > 5);
        for (unsigned v = 0; v < 3; v++) {
            GHashTable *r = run(path, variants[v], o);
            for (unsigned k = 0; k < VS_ARRAY_LEN(keys); k++)
                if (get(r, keys[k]) != get(ref, keys[k]))
                    fail_msg("%s pcid=%d: %s = %llu, native %llu", variants[v], pcid, keys[k],
                             (unsigned long long)get(r, keys[k]), (unsigned long long)get(ref, keys[k]));
            assert_int_equal(get(r, "exits.guest_fault"), get(ref, "faults.page") + get(ref, "faults.cow"));
            assert_int_equal(get(r, "walk_hist.4"), get(r, "walks"));
            if (v > 0)
                assert_true(get(r, "exits.pt_write") > 0);
            g_hash_table_destroy(r);
        }
        /* adaptive, deciding often so processes move both ways */
        const char *const ao[] = {o[0], "adaptive.interval=1000", "adaptive.cr3_per_kinst=8",
                                 "adaptive.miss_per_kinst=20", NULL};
        GHashTable *r = run(path, "adaptive", ao);
        for (unsigned k = 0; k < VS_ARRAY_LEN(keys); k++)
            if (get(r, keys[k]) != get(ref, keys[k]))
                fail_msg("adaptive pcid=%d: %s = %llu, native %llu", pcid, keys[k],
                         (unsigned long long)get(r, keys[k]), (unsigned long long)get(ref, keys[k]));
        assert_true(get(r, "adaptive.shadow.switches_to") > 0);
        assert_true(get(r, "adaptive.nested.switches_to") > 0);
        g_hash_table_destroy(r);
        g_hash_table_destroy(ref);
    }
    g_unlink(path);
    g_free(path);
    g_array_free(t.recs, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_touches),
        cmocka_unit_test(switches),
        cmocka_unit_test(invlpg),
        cmocka_unit_test(coherence),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
