/*
 * test_cpf.c: the data-cache prefetchers (sim/cpf/) and their prefetch unit.
 *
 * Each prefetcher of the registry is run on random reference sequences
 * (strided runs, reversals, jumps, repeats, several pages at once) beside a
 * naive model written from its documented rule -- next_line: L + distance +
 * i; stream: AMD's rule (adjacent lines trigger at once, a longer stride
 * once repeated, at most max_stride, per 4 KiB page, the least recently used
 * page forgotten) kept as a move-to-front list -- and every proposal must be
 * equal.  As SQLite's bitvec test does, the same comparison is run again with
 * a fault seeded into the model (a distance one too far), and must then
 * disagree: the comparison can fail.
 *
 * Through the hierarchy (sim/memhier.c): a sequential sweep of one page
 * finds in the L1 the lines AMD's l, l + 1 -> l + 3 rule fetched; no line of
 * the next page is ever filled; a reference to a line still on its way
 * waits exactly until it arrives (a test clock); the miss slots bound what is
 * in flight; DRAM hands out a line every line_cycles; and a hierarchy without
 * a prefetcher returns the same latencies as before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/cpf/cpf.h"
#include "sim/memhier.h"

#define PAGE_LINES 64 /* 4 KiB of 64-byte lines */
#define SEQS 200      /* random sequences per prefetcher and parameter set */
#define SEQ_LEN 400   /* references per sequence */

/* ---- the naive models ---- */

typedef struct naive_page {
    uint64_t page, last;
    int64_t stride;
} naive_page;

typedef struct naive {
    cpf_params p;
    unsigned fault; /* 1: proposals one stride too far (the seeded fault) */
    naive_page list[64]; /* most recent first */
    unsigned n;
} naive;

static unsigned naive_next_line(naive *z, uint64_t line, uint64_t *out)
{
    for (unsigned i = 0; i < z->p.degree; i++)
        out[i] = line + z->p.distance + i + z->fault;
    return z->p.degree;
}

static unsigned naive_stream(naive *z, uint64_t line, uint64_t *out)
{
    uint64_t page = line / PAGE_LINES;
    unsigned at = 0;
    while (at < z->n && z->list[at].page != page)
        at++;
    naive_page e = at < z->n ? z->list[at] : (naive_page){.page = page, .last = line};
    if (at == z->n && z->n < z->p.streams)
        z->n++;
    if (at == z->n) /* forget the least recent */
        at = z->n - 1;
    memmove(&z->list[1], &z->list[0], at * sizeof z->list[0]);
    unsigned k = 0;
    if (line != e.last) {
        int64_t d = (int64_t)line - (int64_t)e.last;
        int64_t mag = d < 0 ? -d : d;
        if (mag <= (int64_t)z->p.max_stride && (mag == 1 || d == e.stride))
            for (; k < z->p.degree; k++)
                out[k] = (uint64_t)((int64_t)line + d * (int64_t)(z->p.distance + k + z->fault));
        e.stride = d;
        e.last = line;
    }
    z->list[0] = e;
    return k;
}

/* A reference sequence over a few pages: strided runs (either direction, up
 * to 3 lines), repeats, reversals and jumps to another page. */
static uint64_t next_ref(uint64_t *rng, uint64_t *line, int64_t *stride)
{
    uint64_t r = vs_rng_next(rng) % 100;
    if (r < 8)
        *line = (vs_rng_next(rng) % 12) * PAGE_LINES + vs_rng_next(rng) % PAGE_LINES;
    else if (r < 14)
        *stride = (int64_t)(vs_rng_next(rng) % 7) - 3;
    else if (r < 18)
        ; /* the same line again */
    else if ((int64_t)*line + *stride >= 0)
        *line = (uint64_t)((int64_t)*line + *stride);
    return *line;
}

/* Proposals that differ between the prefetcher and the naive model. */
static unsigned mismatches(unsigned which, const cpf_params *p, unsigned fault, uint64_t seed)
{
    const cpf_ops *ops = cpf_at(which);
    assert_non_null(ops);
    void *st = ops->create(p);
    naive z = {.p = *p, .fault = fault};
    uint64_t rng = seed, line = 5 * PAGE_LINES, got[CPF_MAX_DEGREE], want[CPF_MAX_DEGREE];
    int64_t stride = 1;
    unsigned bad = 0;
    for (unsigned i = 0; i < SEQ_LEN; i++) {
        uint64_t l = next_ref(&rng, &line, &stride);
        unsigned ng = ops->access(st, l, (vs_rng_next(&rng) & 1) != 0, got);
        unsigned nw = strcmp(cpf_names[which], "next_line") == 0 ? naive_next_line(&z, l, want) : naive_stream(&z, l, want);
        if (ng != nw || memcmp(got, want, ng * sizeof got[0]))
            bad++;
    }
    ops->destroy(st);
    return bad;
}

static void test_vs_naive(void **s)
{
    (void)s;
    static const cpf_params sets[] = {
        {.degree = 1, .distance = 2, .streams = 8, .max_stride = 1, .page_lines = PAGE_LINES},
        {.degree = 3, .distance = 1, .streams = 2, .max_stride = 2, .page_lines = PAGE_LINES},
        {.degree = 2, .distance = 4, .streams = 1, .max_stride = 3, .page_lines = PAGE_LINES},
    };
    unsigned members = 0;
    for (unsigned which = 1; cpf_names[which]; which++, members++)
        for (unsigned k = 0; k < VS_ARRAY_LEN(sets); k++) {
            unsigned caught = 0;
            for (uint64_t seq = 1; seq <= SEQS; seq++) {
                unsigned bad = mismatches(which, &sets[k], 0, seq);
                if (bad)
                    fail_msg("%s, parameter set %u, sequence %llu: %u proposals differ from the naive model",
                             cpf_names[which], k, (unsigned long long)seq, bad);
                caught += mismatches(which, &sets[k], 1, seq) > 0;
            }
            if (caught < SEQS / 2)
                fail_msg("%s: the seeded fault went unnoticed in %u of %u sequences", cpf_names[which], SEQS - caught,
                         SEQS);
        }
    assert_int_equal(members, 2); /* a new prefetcher needs its naive model here */
}

/* ---- through the hierarchy ---- */

enum { L1D, L2 };
#define L1_LAT 3
#define L2_LAT 16
#define DRAM 170

static uint64_t test_now;
static uint64_t test_clock(const void *ctx)
{
    (void)ctx;
    return test_now;
}

static mh *make(unsigned prefetcher, uint32_t outstanding, uint32_t line_cycles)
{
    static mh_cache_params c[2];
    c[L1D] = (mh_cache_params){.name = "l1d", .level = 1, .side = MH_SIDE_DATA, .size = 64 * 1024, .ways = 2,
                               .line = 64, .latency = L1_LAT, .prefetcher = prefetcher,
                               .prefetch = {.degree = 1, .distance = 2, .streams = 8, .max_stride = 1},
                               .prefetch_outstanding = outstanding, .prefetch_line_cycles = line_cycles};
    c[L2] = (mh_cache_params){.name = "l2", .level = 2, .side = MH_SIDE_UNIFIED, .size = 512 * 1024, .ways = 16,
                              .line = 64, .latency = L2_LAT};
    mh_params p = {.caches = c, .n_caches = 2, .dram_latency = DRAM, .walk_level = 1, .seed = 1};
    vs_err err = {0};
    mh *m = mh_new(&p, &err);
    assert_non_null(m);
    mh_set_clock(m, test_clock, NULL);
    return m;
}

static unsigned stream_index(void)
{
    for (unsigned i = 1; cpf_names[i]; i++)
        if (strcmp(cpf_names[i], "stream") == 0)
            return i;
    fail_msg("no stream prefetcher");
    return 0;
}

static void test_sweep(void **s)
{
    (void)s;
    mh *m = make(stream_index(), 8, 12);
    test_now = 0;
    assert_int_equal(mh_access(m, 0x10000, MH_DATA, false, NULL), DRAM); /* line l */
    test_now = 1000;
    assert_int_equal(mh_access(m, 0x10040, MH_DATA, false, NULL), DRAM); /* l + 1: proposes l + 3 */
    test_now = 2000;                                                     /* long after it arrived */
    assert_int_equal(mh_access(m, 0x100c0, MH_DATA, false, NULL), L1_LAT);
    /* l + 2 was never proposed */
    assert_int_equal(mh_access(m, 0x10080, MH_DATA, false, NULL), DRAM);
    uint64_t issued, useful, late;
    mh_prefetch_stats(m, L1D, &issued, &useful, &late);
    assert_int_equal(useful, 1);
    assert_int_equal(late, 0);
    /* the rest of the page in order, always long after: l + 4 follows l + 2
     * (a stride of 2, no trigger), l + 5 and l + 6 propose l + 7 and l + 8,
     * and from l + 7 on every line hits */
    for (uint64_t a = 0x10100; a < 0x11000; a += 64) {
        test_now += 1000;
        assert_int_equal(mh_access(m, a, MH_DATA, false, NULL), a < 0x101c0 ? DRAM : L1_LAT);
    }
    /* the stream ran to the page's end and stopped: the next page's first lines miss everywhere */
    assert_int_equal(mh_access(m, 0x11000, MH_DATA, false, NULL), DRAM);
    assert_int_equal(mh_access(m, 0x11040, MH_DATA, false, NULL), DRAM);
    mh_free(m);
}

static void test_late_and_bounds(void **s)
{
    (void)s;
    mh *m = make(stream_index(), 2, 50);
    test_now = 0;
    mh_access(m, 0x20000, MH_DATA, false, NULL);
    mh_access(m, 0x20040, MH_DATA, false, NULL); /* proposes line 3 at cycle 0: arrives at DRAM */
    test_now = 100;
    /* line 3 is still on its way: the reference waits until cycle DRAM */
    assert_int_equal(mh_access(m, 0x200c0, MH_DATA, false, NULL), DRAM - 100);
    uint64_t issued, useful, late;
    mh_prefetch_stats(m, L1D, &issued, &useful, &late);
    assert_int_equal(issued, 1);
    assert_int_equal(late, 1);
    mh_free(m);

    /* two slots, DRAM a line every 50 cycles, time standing still: a descending
     * and an ascending stream in other pages each propose one line; the third
     * proposal finds both slots busy and is dropped */
    m = make(stream_index(), 2, 50);
    test_now = 0;
    mh_access(m, 0x30040, MH_DATA, false, NULL);
    mh_access(m, 0x30080, MH_DATA, false, NULL); /* proposes 0x30100: slot 1, arrives at DRAM */
    mh_access(m, 0x40800, MH_DATA, false, NULL);
    mh_access(m, 0x407c0, MH_DATA, false, NULL); /* proposes 0x40740: slot 2, DRAM busy until 50 */
    mh_access(m, 0x50000, MH_DATA, false, NULL);
    mh_access(m, 0x50040, MH_DATA, false, NULL); /* proposes 0x500c0: no slot */
    mh_prefetch_stats(m, L1D, &issued, &useful, &late);
    assert_int_equal(issued, 2);
    assert_int_equal(mh_access(m, 0x40740, MH_DATA, false, NULL), 50 + DRAM); /* the second DRAM slot */
    assert_int_equal(mh_access(m, 0x500c0, MH_DATA, false, NULL), DRAM);      /* never fetched */
    mh_free(m);
}

static void test_off_is_unchanged(void **s)
{
    (void)s;
    mh *with = make(0, 8, 12), *without;
    mh_cache_params c[2] = {
        {.name = "l1d", .level = 1, .side = MH_SIDE_DATA, .size = 64 * 1024, .ways = 2, .line = 64, .latency = L1_LAT},
        {.name = "l2", .level = 2, .side = MH_SIDE_UNIFIED, .size = 512 * 1024, .ways = 16, .line = 64,
         .latency = L2_LAT}};
    mh_params p = {.caches = c, .n_caches = 2, .dram_latency = DRAM, .walk_level = 1, .seed = 1};
    vs_err err = {0};
    without = mh_new(&p, &err);
    assert_non_null(without);
    uint64_t rng = 7;
    for (unsigned i = 0; i < 100000; i++) {
        uint64_t pa = (vs_rng_next(&rng) % (1u << 22)) & ~7ull;
        mh_src src = (mh_src)(vs_rng_next(&rng) % MH_SRC_COUNT);
        assert_int_equal(mh_access(with, pa, src, false, NULL), mh_access(without, pa, src, false, NULL));
    }
    mh_free(with);
    mh_free(without);
}

static void test_bad(void **s)
{
    (void)s;
    mh_cache_params c = {.name = "l1i", .level = 1, .side = MH_SIDE_INST, .size = 1024, .ways = 2, .line = 64,
                         .latency = 3, .prefetcher = stream_index(),
                         .prefetch = {.degree = 1, .distance = 2, .streams = 1, .max_stride = 1},
                         .prefetch_outstanding = 1};
    mh_params p = {.caches = &c, .n_caches = 1, .dram_latency = DRAM, .walk_level = 1};
    vs_err err = {0};
    assert_null(mh_new(&p, &err));
    assert_non_null(strstr(err.msg, "data or unified"));
    c.side = MH_SIDE_DATA;
    c.prefetch.degree = CPF_MAX_DEGREE + 1;
    assert_null(mh_new(&p, &err));
    assert_non_null(strstr(err.msg, "degree"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vs_naive),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_late_and_bounds),
        cmocka_unit_test(test_off_is_unchanged),
        cmocka_unit_test(test_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
