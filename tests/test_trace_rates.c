/*
 * test_trace_rates.c: `trace info`'s rates (trace_summary_rates) against a
 * naive reference on random traces of loads, stores, context switches,
 * execs, exits, INVLPGs, unmaps and VM switches:
 *  - the reference DTLB (seed 003 Figure 6: 64 entries, 4-way, LRU, flushed
 *    at every switch) as 16 sets of timestamped entries, LRU by the oldest
 *    stamp, instead of the implementation's move-to-front arrays;
 *  - first touches as a list of distinct (pid, generation, page) triples, a
 *    pid's generation advancing at its exec or exit, and an unmap deleting
 *    the running pid's triples in its range (the OS model clears those PTEs,
 *    so the next touch faults again), instead of dense address-space
 *    numbers packed into one key; unmaps both shorter and longer than the
 *    pages touched so far (the implementation removes page by page, or
 *    filters the whole set);
 *  - accesses, CR3 writes and INVLPGs per instruction by plain counting;
 *  - with a warm-up (trace_summary_set_warmup): the reference keeps its
 *    state and zeroes its counts at the fetch after the warm-up, checked at
 *    several warm-up lengths.
 * Seeded faults prove the checks can fail: the reference with 3 ways (the
 * DTLB) that ignores unmaps (the first touches).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vs_test.h"

#define SETS 16u
#define WAYS 4u
#define NREC 30000u
#define PAGES 400u /* pages each process draws from: several times the DTLB's reach */
#define PIDS 4u

typedef struct naive_tlb {
    uint64_t page[SETS][WAYS], stamp[SETS][WAYS];
    bool valid[SETS][WAYS];
    uint64_t clock, misses;
    unsigned ways;
} naive_tlb;

static void naive_access(naive_tlb *t, uint64_t page)
{
    unsigned set = (unsigned)(page % SETS), victim = 0;
    t->clock++;
    for (unsigned w = 0; w < t->ways; w++)
        if (t->valid[set][w] && t->page[set][w] == page) {
            t->stamp[set][w] = t->clock;
            return;
        }
    t->misses++;
    for (unsigned w = 0; w < t->ways; w++) { /* an empty way, else the oldest */
        if (!t->valid[set][w]) {
            victim = w;
            break;
        }
        if (t->stamp[set][w] < t->stamp[set][victim])
            victim = w;
    }
    t->valid[set][victim] = true;
    t->page[set][victim] = page;
    t->stamp[set][victim] = t->clock;
}

typedef struct triple { uint32_t pid, gen; uint64_t page; } triple;

typedef struct naive {
    naive_tlb tlb;
    bool ignore_unmaps; /* the seeded fault */
    uint32_t gen[PIDS], cur;
    triple *seen;
    size_t nseen;
    uint64_t warmup, fetched;
    uint64_t instr, loads, stores, switches, invlpgs, touches; /* counts since the warm-up */
} naive;

static void naive_touch(naive *n, uint64_t page)
{
    for (size_t i = 0; i < n->nseen; i++)
        if (n->seen[i].pid == n->cur && n->seen[i].gen == n->gen[n->cur] && n->seen[i].page == page)
            return;
    n->seen[n->nseen++] = (triple){n->cur, n->gen[n->cur], page};
    n->touches++;
}

/* The running pid forgets the pages of [addr, addr + len). */
static void naive_unmap(naive *n, uint64_t addr, uint64_t len)
{
    size_t k = 0;
    for (size_t i = 0; i < n->nseen; i++) {
        const triple *x = &n->seen[i];
        bool gone = x->pid == n->cur && x->gen == n->gen[n->cur] && x->page >= addr >> 12 &&
                    x->page < (addr + len) >> 12;
        if (!gone)
            n->seen[k++] = *x;
    }
    n->nseen = k;
}

static void naive_add(naive *n, const trace_rec *t)
{
    if (t->kind == TREC_IFETCH && n->warmup && n->fetched++ == n->warmup)
        n->instr = n->loads = n->stores = n->switches = n->invlpgs = n->touches = n->tlb.misses = 0;
    switch (t->kind) {
    case TREC_IFETCH: n->instr++; break;
    case TREC_LOAD: n->loads++; break;
    case TREC_STORE: case TREC_RMW: n->stores++; break;
    case TREC_SWITCH: n->switches++; n->cur = t->id; memset(&n->tlb.valid, 0, sizeof n->tlb.valid); break;
    case TREC_VM: memset(&n->tlb.valid, 0, sizeof n->tlb.valid); break;
    case TREC_EXEC: case TREC_PROC_EXIT: n->gen[t->id]++; break;
    case TREC_INVLPG: n->invlpgs++; break;
    case TREC_UNMAP: if (!n->ignore_unmaps) naive_unmap(n, t->addr, t->len); break;
    default: break;
    }
    if (t->kind == TREC_LOAD || t->kind == TREC_STORE || t->kind == TREC_RMW) {
        naive_access(&n->tlb, t->addr >> 12);
        naive_touch(n, t->addr >> 12);
    }
}

/* A random trace: mostly instructions and data accesses, some control events. */
static trace_rec *random_trace(uint64_t seed)
{
    uint64_t rng = seed;
    trace_rec *r = calloc(NREC, sizeof *r);
    for (size_t i = 0; i < NREC; i++) {
        uint64_t x = vs_rng_next(&rng) % 1000;
        uint32_t pid = (uint32_t)(vs_rng_next(&rng) % PIDS);
        uint64_t addr = 0x10000000000ull + (vs_rng_next(&rng) % PAGES) * 4096 + (vs_rng_next(&rng) % 512) * 8;
        if (x < 450)
            r[i] = (trace_rec){.kind = TREC_IFETCH, .addr = 0x400000 + (i % 256) * 4, .size = 4};
        else if (x < 800)
            r[i] = (trace_rec){.kind = TREC_LOAD, .addr = addr, .size = 8};
        else if (x < 960)
            r[i] = (trace_rec){.kind = TREC_STORE, .addr = addr, .size = 8};
        else if (x < 970)
            r[i] = (trace_rec){.kind = TREC_RMW, .addr = addr, .size = 8};
        else if (x < 985)
            r[i] = (trace_rec){.kind = TREC_SWITCH, .id = pid};
        else if (x < 989)
            r[i] = (trace_rec){.kind = TREC_EXEC, .id = pid};
        else if (x < 992)
            r[i] = (trace_rec){.kind = TREC_PROC_EXIT, .id = pid};
        else if (x < 996)
            r[i] = (trace_rec){.kind = TREC_INVLPG, .addr = addr};
        else if (x < 999) /* mostly a few pages; one in three more pages than the set can hold (NREC) */
            r[i] = (trace_rec){.kind = TREC_UNMAP, .addr = addr & ~4095ull,
                               .len = 4096 * (x == 998 ? (1u << 20) + vs_rng_next(&rng) % 64
                                                       : 1 + vs_rng_next(&rng) % 32)};
        else
            r[i] = (trace_rec){.kind = TREC_VM, .id = 0};
    }
    return r;
}

static void close_to(double got, double want, const char *what)
{
    if (!(fabs(got - want) <= 1e-9 * fmax(1.0, fabs(want))))
        fail_msg("%s: %.12g, reference %.12g", what, got, want);
}

static void check_seed(uint64_t seed, uint64_t warmup)
{
    trace_rec *recs = random_trace(seed);
    naive n = {.tlb.ways = WAYS, .warmup = warmup};
    n.seen = calloc(NREC, sizeof *n.seen);
    for (size_t i = 0; i < NREC; i++)
        naive_add(&n, &recs[i]);
    trace_summary *s = trace_summary_new();
    trace_summary_set_warmup(s, warmup);
    trace_summary_add(s, recs, NREC / 3); /* in uneven batches, as a reader delivers them */
    trace_summary_add(s, recs + NREC / 3, NREC - NREC / 3);
    trace_rates r;
    trace_summary_rates(s, &r);
    double instr = (double)n.instr;
    assert_int_equal(r.instructions, n.instr);
    assert_int_equal(r.warmup_instructions, warmup);
    close_to(r.api, (double)(n.loads + n.stores) / instr, "accesses per instruction");
    close_to(r.loads_pi, (double)n.loads / instr, "loads per instruction");
    close_to(r.stores_pi, (double)n.stores / instr, "stores per instruction");
    close_to(r.cr3_pmi, (double)n.switches * 1e6 / instr, "CR3 writes per Minstr");
    close_to(r.invlpg_pmi, (double)n.invlpgs * 1e6 / instr, "INVLPGs per Minstr");
    close_to(r.first_touch_pmi, (double)n.touches * 1e6 / instr, "first touches per Minstr");
    close_to(r.ref_dtlb_mpki, (double)n.tlb.misses * 1e3 / instr, "reference DTLB misses per kinstr");

    /* Seeded faults, once per trace (without a warm-up, so the counts
     * compare): a 3-way reference that ignores unmaps must disagree on the
     * DTLB misses and count fewer first touches. */
    if (warmup == 0) {
        naive f = {.tlb.ways = WAYS - 1, .ignore_unmaps = true};
        f.seen = calloc(NREC, sizeof *f.seen);
        for (size_t i = 0; i < NREC; i++)
            naive_add(&f, &recs[i]);
        assert_true(f.tlb.misses != n.tlb.misses);
        assert_true(f.touches < n.touches);
        free(f.seen);
    }
    free(n.seen);
    free(recs);
    trace_summary_free(s);
}

static void test_against_reference(void **state)
{
    (void)state;
    /* warm-ups: none, one instruction, and about a third and nine tenths of the trace's */
    const uint64_t warmups[] = {0, 1, NREC * 45 / 100 / 3, NREC * 45 / 100 * 9 / 10};
    for (uint64_t seed = 1; seed <= 5; seed++)
        for (size_t w = 0; w < VS_ARRAY_LEN(warmups); w++)
            check_seed(seed, warmups[w]);
}

/* No instructions: every rate is NaN (JSON null), never a division by zero. */
static void test_no_instructions(void **state)
{
    (void)state;
    trace_rec recs[] = {{.kind = TREC_LOAD, .addr = 0x1000, .size = 8}, {.kind = TREC_SWITCH, .id = 1}};
    trace_summary *s = trace_summary_new();
    trace_summary_add(s, recs, VS_ARRAY_LEN(recs));
    trace_rates r;
    trace_summary_rates(s, &r);
    assert_true(isnan(r.api) && isnan(r.cr3_pmi) && isnan(r.first_touch_pmi) && isnan(r.ref_dtlb_mpki));
    trace_summary_free(s);
}

/* More address spaces than a first-touch key can name: reported as unknown, not wrapped. */
static void test_too_many_spaces(void **state)
{
    (void)state;
    trace_summary *s = trace_summary_new();
    for (uint32_t pid = 1; pid <= TRACE_RATE_MAX_SPACES + 1; pid++) {
        trace_rec recs[] = {{.kind = TREC_SWITCH, .id = pid},
                            {.kind = TREC_IFETCH, .addr = 0x400000, .size = 4},
                            {.kind = TREC_LOAD, .addr = 0x10000000, .size = 8}};
        trace_summary_add(s, recs, VS_ARRAY_LEN(recs));
    }
    trace_rates r;
    trace_summary_rates(s, &r);
    assert_true(isnan(r.first_touch_pmi));
    assert_false(isnan(r.cr3_pmi));
    trace_summary_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_no_instructions),
        cmocka_unit_test(test_too_many_spaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
