/*
 * test_modes_differential.c: every registered translation mode against an
 * obviously correct reference.  For random traces of several processes (context
 * switches, fork with copy-on-write, exec, exit, INVLPG) on two VMs, the engine's
 * observer sees the physical address of every access, and the reference
 * (sim_reference_translate: the guest OS's page tables looked up in software,
 * then the hypervisor's segment base or host tables) must agree on every one.
 * Each mode runs under several machine shapes: default caches, the unified
 * page-walk cache, large pages in both dimensions, untagged TLBs, no caches,
 * VMM policies deciding every 1000 instructions, and a VMM that flushes the
 * TLBs at every exit (configs/vmm/palacios.ini).  Every mode that models
 * 32-bit guests (guest.levels = 2) runs again on traces whose addresses lie
 * below 4 GiB, with the guest's and host's memory below 4 GiB too.
 *
 * A check that never fails proves nothing, so the test first seeds a fault
 * (as SQLite's bitvec test does): the build links this test with
 * -Wl,--wrap=mode_get, and while a fault is armed the engine gets a copy of
 * the mode whose translate returns the neighbouring page frame for one
 * translation.  Every mode must be caught at that one wrong translation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"
#include "mmu/mode.h"
#include "vs_test.h"

#define N_TRACES 2
#define N_RECS 10000
#define MAX_PIDS 6

static char *paths[N_TRACES], *paths32[N_TRACES];

typedef struct gen {
    uint64_t rng;
    bool live[MAX_PIDS];
    /* may share frames copy-on-write (forked, or forked from, since its last
     * exec): its unmaps might split a shared large page, which os_unmap refuses */
    bool forked[MAX_PIDS];
    uint32_t cur;
} gen;

static uint32_t pick_live(gen *g, bool other)
{
    for (;;) {
        uint32_t p = (uint32_t)(vs_rng_next(&g->rng) % MAX_PIDS);
        if (g->live[p] && (!other || p != g->cur))
            return p;
    }
}

static int count_live(const gen *g)
{
    int n = 0;
    for (int i = 0; i < MAX_PIDS; i++)
        n += g->live[i];
    return n;
}

static void put(GArray *w, trace_rec r) { g_array_append_val(w, r); }

/* The address of a data access from random bits x: a hot 64 MiB region, and
 * sparse touches over 1 TiB for upper-level tables -- or, for a 32-bit guest
 * (bits32), over the 3 GiB below its kernel's split, at 32-bit Linux's
 * mmap base (TASK_UNMAPPED_BASE = 1 GiB with the 3G/1G split). */
static uint64_t data_addr(uint64_t x, bool bits32)
{
    uint64_t a = (x >> 20) % 8 ? (x >> 24) % (64ull << 20) : ((x >> 8) % (bits32 ? 3ull << 30 : 1ull << 40));
    return bits32 ? a : a + (1ull << 32);
}

/* An unmap of the hot region: mostly a few pages (per-page INVLPGs), some
 * ranges of up to 4 MiB (past Linux's 33-page flush ceiling, across 2 MiB
 * pages). */
static trace_rec unmap_rec(uint64_t x, bool bits32)
{
    uint64_t pages = ((x >> 40) % 4 ? (x >> 44) % 40 : (x >> 44) % 1024) + 1;
    return (trace_rec){.kind = TREC_UNMAP, .addr = (bits32 ? 0 : 1ull << 32) + ((x >> 12) % (64ull << 20) & ~0xfffull),
                       .len = pages << 12};
}

static char *write_trace(const char *name, uint64_t seed, bool bits32)
{
    GArray *w = g_array_new(FALSE, FALSE, sizeof(trace_rec));
    gen g = {.rng = seed};
    g.live[0] = true;
    put(w, (trace_rec){.kind = TREC_SWITCH, .id = 0});
    for (int i = 0; i < N_RECS; i++) {
        uint64_t x = vs_rng_next(&g.rng);
        unsigned event = (unsigned)(x % 1000);
        if (event < 6 && count_live(&g) < MAX_PIDS) { /* fork a free pid */
            uint32_t child = (uint32_t)((x >> 10) % MAX_PIDS);
            if (!g.live[child]) {
                put(w, (trace_rec){.kind = TREC_FORK, .id = child});
                g.live[child] = g.forked[child] = g.forked[g.cur] = true;
            }
        } else if (event < 10 && count_live(&g) > 1) {
            uint32_t victim = pick_live(&g, true);
            put(w, (trace_rec){.kind = TREC_PROC_EXIT, .id = victim});
            g.live[victim] = false;
        } else if (event < 12) {
            put(w, (trace_rec){.kind = TREC_EXEC, .id = g.cur});
            g.forked[g.cur] = false;
        } else if (event < 30) {
            g.cur = pick_live(&g, false);
            put(w, (trace_rec){.kind = TREC_SWITCH, .id = g.cur});
        } else if (event < 35) {
            put(w, (trace_rec){.kind = TREC_INVLPG, .addr = ((x >> 12) % (64ull << 20)) & ~0xfffull});
        } else if (event < 45 && !g.forked[g.cur]) {
            put(w, unmap_rec(x, bits32));
        } else {
            put(w, (trace_rec){.kind = (uint8_t)(x % 4), .addr = data_addr(x, bits32) & ~7ull, .size = 8});
        }
    }
    char *path = vt_write_vmt(name, (trace_rec *)w->data, w->len);
    g_array_free(w, TRUE);
    return path;
}

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < N_TRACES; i++) {
        char name[32];
        snprintf(name, sizeof name, "t%d.vmt", i);
        paths[i] = write_trace(name, 1000 + (uint64_t)i, false);
        snprintf(name, sizeof name, "t32-%d.vmt", i);
        paths32[i] = write_trace(name, 1000 + (uint64_t)i, true);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < N_TRACES; i++) {
        g_free(paths[i]);
        g_free(paths32[i]);
    }
    return 0;
}

/* ---- the seeded fault ---- */

/* The translate call to corrupt: late enough that every kind of walk and
 * fault has run, early enough for any shape to reach it. */
#define SEED_AT_CALL 500

static struct seed {
    bool armed;
    vs_mode mode; /* the mode whose lookups get the faulty copy while armed */
    const mode_ops *real;
    mode_ops faulty;
    mode_info faulty_info;
    uint64_t calls, injected;
} seed;

const mode_info *__real_mode_get(vs_mode m);

static int faulty_translate(void *state, const mode_space *sp, uint64_t va, unsigned access, tlb_entry *out,
                            vs_err *err)
{
    int rc = seed.real->translate(state, sp, va, access, out, err);
    if (rc == VS_OK && ++seed.calls == SEED_AT_CALL) {
        out->pa_base ^= 1ull << vs_pgsz_shift(out->size); /* the neighbouring frame */
        seed.injected++;
    }
    return rc;
}

const mode_info *__wrap_mode_get(vs_mode m);
const mode_info *__wrap_mode_get(vs_mode m)
{
    const mode_info *info = __real_mode_get(m);
    /* Every lookup of the armed mode while the engine is built (config
     * validation's and the engine's) gets the copy; a mode built from others
     * (adaptive) still gets theirs. */
    if (!seed.armed || !info || m != seed.mode)
        return info;
    seed.real = info->ops;
    seed.faulty = *info->ops;
    seed.faulty.translate = faulty_translate;
    seed.faulty_info = *info;
    seed.faulty_info.ops = &seed.faulty;
    return &seed.faulty_info;
}

/* Runs mode m under the overrides `extra` and returns how many accesses
 * disagreed with the reference (the first is printed unless quiet). */
static uint64_t run_on(char *const *traces, vs_mode m, const char *const *extra, bool seed_fault)
{
    vs_config cfg;
    vs_err err;
    vt_config_mode(&cfg, m);
    assert_int_equal(cfg_override(&cfg, "sched.quantum=3000", &err), VS_OK);
    bool virtualized = mode_get(m)->flags & MODE_F_HYPERVISOR;
    if (virtualized)
        assert_int_equal(cfg_override(&cfg, "vm.count=2", &err), VS_OK);
    char label[256];
    snprintf(label, sizeof label, "%s", cfg_mode_name(m));
    for (; extra && *extra; extra++) {
        assert_int_equal(cfg_override(&cfg, *extra, &err), VS_OK);
        strncat(label, " ", sizeof label - strlen(label) - 1);
        strncat(label, *extra, sizeof label - strlen(label) - 1);
    }
    vt_watch w = {0};
    gint64 t0 = g_get_monotonic_time();
    seed = (struct seed){.armed = seed_fault, .mode = m};
    int rc = sim_new(&cfg, &w.s, &err);
    seed.armed = false;
    if (rc != VS_OK) {
        print_message("FAIL %s: %s\n", label, err.msg);
        return UINT64_MAX;
    }
    for (int i = 0; i < N_TRACES; i++)
        assert_int_equal(sim_add_trace(w.s, traces[i], virtualized ? -1 : 0, &err), VS_OK);
    sim_set_observer(w.s, vt_watch_access, &w);
    rc = sim_run(w.s, NULL, NULL, &err);
    sim_free(w.s);
    if (rc != VS_OK) {
        print_message("FAIL %s: %s\n", label, err.msg);
        return UINT64_MAX;
    }
    if (seed_fault)
        return w.mismatches;
    print_message("%-64s %8llu accesses checked, %.2f s\n", label, (unsigned long long)w.checked,
                  (double)(g_get_monotonic_time() - t0) / 1e6);
    assert_true(w.checked > N_RECS);
    if (w.mismatches)
        print_message("FAIL %s: %llu of %llu accesses disagree with the reference; first: %s\n", label,
                      (unsigned long long)w.mismatches, (unsigned long long)w.checked, w.first);
    return w.mismatches;
}

static uint64_t run_one(vs_mode m, const char *const *extra, bool seed_fault)
{
    return run_on(paths, m, extra, seed_fault);
}

/* The modes that model 32-bit guests, on the 32-bit traces, with guest.levels
 * = 2 and memory below 4 GiB set first (then `shape`). */
static uint64_t run_32(vs_mode m, const char *const *shape, bool seed_fault)
{
    const char *opts[16] = {"guest.mem=1g", "host.mem=4g", "guest.levels=2"};
    size_t n = 3;
    for (; shape && *shape; shape++) {
        assert_true(n + 1 < VS_ARRAY_LEN(opts));
        opts[n++] = *shape;
    }
    return run_on(paths32, m, opts, seed_fault);
}

/* The check must fail when a mode returns one wrong translation. */
static void seeded_fault_is_caught(void **state)
{
    (void)state;
    for (vs_mode m = 0; m < (vs_mode)mode_count(); m++) {
        uint64_t mismatches = run_one(m, NULL, true);
        print_message("%-16s seeded fault: %llu injected, %llu accesses disagree\n", cfg_mode_name(m),
                      (unsigned long long)seed.injected, (unsigned long long)mismatches);
        assert_int_equal(seed.injected, 1);
        assert_true(mismatches >= 1 && mismatches != UINT64_MAX);
    }
}

static void every_mode(void **state)
{
    (void)state;
    const char *const *shapes[] = {
        NULL,
        /* splintering (2 MiB guest pages on 4 KiB host pages) with the shared 2D cache */
        VT_OPTS("pwc.kind=unified", "guest.page_size=2m"),
        VT_OPTS("guest.page_size=2m", "host.page_size=2m"),
        VT_OPTS("tlb.pcid=false", "tlb.vpid=false", "host.page_size=1g"),
        VT_OPTS("pwc.enabled=false", "ntlb.enabled=false", "guest.levels=5", "shadow.unsync=true"),
        VT_OPTS("contig.segments=3", "agile.shadow_levels=1", "ntlb.entries=4", "shadow.flood_writes=1"),
        /* the VMM policies at work: agile switches tables after one write and back after quiet
         * windows, adaptive decides every 1000 instructions */
        VT_OPTS("adaptive.interval=1000", "agile.switch_writes=1"),
        /* a static split whose nested tables stay nested through quiet windows */
        VT_OPTS("adaptive.interval=1000", "agile.shadow_levels=1", "agile.switch_writes=0"),
        /* Palacios's profile (every exit flushes the TLBs and walk caches) with a modern KVM's unsync leaves */
        VT_OPTS("vmm.exit_flushes_tlb=true", "tlb.vpid=false", "pwc.kind=unified", "shadow.unsync=true"),
    };
    unsigned modes = 0, failed = 0;
    for (vs_mode m = 0; m < (vs_mode)mode_count(); m++) {
        modes++;
        for (size_t i = 0; i < VS_ARRAY_LEN(shapes); i++)
            failed += run_one(m, shapes[i], false) != 0;
    }
    assert_true(modes >= 4);
    if (failed)
        fail_msg("%u mode/shape runs disagree with the reference (see FAIL lines)", failed);
}

static void guest32_modes(void **state)
{
    (void)state;
    const char *const *shapes[] = {
        NULL,
        VT_OPTS("pwc.kind=unified"),
        VT_OPTS("pwc.enabled=false", "ntlb.enabled=false", "shadow.unsync=true", "shadow.flood_writes=1"),
        VT_OPTS("tlb.pcid=false", "tlb.vpid=false", "host.page_size=2m", "adaptive.interval=1000"),
        /* Palacios's profile: every exit flushes the TLBs and walk caches; its LRU-bounded cache */
        VT_OPTS("vmm.exit_flushes_tlb=true", "tlb.vpid=false", "pwc.kind=unified", "shadow.max_pages=64", "shadow.lru=true"),
    };
    unsigned modes = 0, failed = 0;
    for (vs_mode m = 0; m < (vs_mode)mode_count(); m++) {
        if (!(mode_get(m)->flags & MODE_F_GUEST_32BIT))
            continue;
        modes++;
        uint64_t seeded = run_32(m, NULL, true);
        print_message("%-16s 32-bit, seeded fault: %llu injected, %llu accesses disagree\n", cfg_mode_name(m),
                      (unsigned long long)seed.injected, (unsigned long long)seeded);
        assert_int_equal(seed.injected, 1);
        assert_true(seeded >= 1 && seeded != UINT64_MAX);
        for (size_t i = 0; i < VS_ARRAY_LEN(shapes); i++)
            failed += run_32(m, shapes[i], false) != 0;
    }
    assert_true(modes >= 5); /* native, nested, the three shadows */
    if (failed)
        fail_msg("%u 32-bit mode/shape runs disagree with the reference (see FAIL lines)", failed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(seeded_fault_is_caught), cmocka_unit_test(every_mode),
                                       cmocka_unit_test(guest32_modes)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
