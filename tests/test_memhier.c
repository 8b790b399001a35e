/*
 * test_memhier.c: the cache hierarchy -- a hand-computed sequence of hit
 * levels and latencies, inclusive fill, the entry point of page walks,
 * parameter checks, and agreement with a naive model (timestamp-LRU caches
 * probed in level order, every probed level filled) under random accesses,
 * including per-level statistics and their invariants: over a range wider
 * than the caches, and over a few hot lines that share the level-1 sets with
 * walks entering at level 1, where most accesses re-touch the line last used
 * in their set (the per-set memo of memhier.c) and the rest evict it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/memhier.h"

enum { L1I, L1D, L2, L3 }; /* creation order of the caches in `base` */

static const mh_cache_params base[] = {
    {.name = "l1i", .level = 1, .side = MH_SIDE_INST, .size = 256, .ways = 2, .line = 64, .latency = 3},
    {.name = "l1d", .level = 1, .side = MH_SIDE_DATA, .size = 256, .ways = 2, .line = 64, .latency = 4},
    {.name = "l2", .level = 2, .side = MH_SIDE_UNIFIED, .size = 1024, .ways = 4, .line = 64, .latency = 12},
    {.name = "l3", .level = 3, .side = MH_SIDE_UNIFIED, .size = 4096, .ways = 8, .line = 64, .latency = 40},
};
#define DRAM 200 /* cycles */

static mh *make(unsigned walk_level)
{
    mh_params p = {.caches = base, .n_caches = 4, .dram_latency = DRAM, .walk_level = walk_level, .seed = 1};
    vs_err err = {0};
    mh *m = mh_new(&p, &err);
    assert_non_null(m);
    return m;
}

static void expect(mh *m, uint64_t pa, mh_src src, uint32_t lat, int where)
{
    int w = -2;
    assert_int_equal(mh_access(m, pa, src, false, &w), lat);
    assert_int_equal(w, where);
}

static void test_by_hand(void **s)
{
    (void)s;
    mh *m = make(2);
    assert_int_equal(mh_cache_count(m), 4);
    assert_string_equal(mh_cache_name(m, L2), "l2");
    expect(m, 0x0, MH_DATA, DRAM, -1);   /* cold: fills l1d, l2, l3 */
    expect(m, 0x38, MH_DATA, 4, L1D);    /* same line */
    expect(m, 0x10, MH_INST, 12, L2);    /* l1i missed, inclusive l2 has it */
    expect(m, 0x20, MH_INST, 3, L1I);    /* and l1i was filled */
    expect(m, 0x8, MH_WALK, 12, L2);     /* walks enter at l2: l1d not probed */
    expect(m, 0x1000, MH_WALK, DRAM, -1); /* fills l2 and l3 only */
    expect(m, 0x1000, MH_DATA, 12, L2);
    /* l1d has 2 sets of 2 ways: lines 0x0, 0x1000, 0x2000 share set 0 */
    expect(m, 0x2000, MH_DATA, DRAM, -1); /* evicts line 0x0 from l1d (LRU) */
    expect(m, 0x0, MH_DATA, 12, L2);
    expect(m, 0x2000, MH_DATA, 4, L1D);
    expect(m, 0x1000, MH_DATA, 12, L2); /* 0x1000 was the LRU when 0x0 came back */

    assert_int_equal(mh_hits(m, L1D, MH_DATA), 2);
    assert_int_equal(mh_misses(m, L1D, MH_DATA), 5);
    assert_int_equal(mh_hits(m, L1D, MH_WALK) + mh_misses(m, L1D, MH_WALK), 0);
    assert_int_equal(mh_hits(m, L2, MH_WALK), 1);
    assert_int_equal(mh_misses(m, L2, MH_WALK), 1);
    assert_int_equal(mh_dram_accesses(m, MH_DATA), 2);
    assert_int_equal(mh_dram_accesses(m, MH_WALK), 1);
    assert_int_equal(mh_hits(m, L1I, MH_INST), 1);
    mh_free(m);

    m = make(1); /* walks through l1d like loads */
    expect(m, 0x40, MH_WALK, DRAM, -1);
    expect(m, 0x40, MH_DATA, 4, L1D);
    mh_free(m);

    mh_params none = {.n_caches = 0, .dram_latency = 150};
    vs_err err;
    m = mh_new(&none, &err);
    assert_non_null(m);
    expect(m, 0x40, MH_INST, 150, -1);
    assert_int_equal(mh_dram_accesses(m, MH_INST), 1);
    /* the all-ones address does not match the empty per-set memo of the inline path */
    expect(m, UINT64_MAX, MH_DATA, 150, -1);
    assert_int_equal(mh_dram_accesses(m, MH_DATA), 1);
    mh_free(m);
}

static void expect_bad(mh_cache_params *c, unsigned n, unsigned walk, const char *needle)
{
    mh_params p = {.caches = c, .n_caches = n, .dram_latency = DRAM, .walk_level = walk};
    vs_err err = {0};
    assert_null(mh_new(&p, &err));
    assert_int_equal(err.code, VS_E_CONFIG);
    if (!strstr(err.msg, needle))
        fail_msg("message '%s' does not mention '%s'", err.msg, needle);
}

static void test_bad_params(void **s)
{
    (void)s;
    mh_cache_params c[5];
    memcpy(c, base, sizeof base);
    c[L2].line = 48;
    expect_bad(c, 4, 1, "l2");
    memcpy(c, base, sizeof base);
    c[L3].size = 4096 + 64;
    expect_bad(c, 4, 1, "l3");
    memcpy(c, base, sizeof base);
    c[L1D].ways = 3;
    expect_bad(c, 4, 1, "l1d");
    memcpy(c, base, sizeof base);
    c[L2].side = MH_SIDE_DATA;
    expect_bad(c, 4, 1, "l2");
    memcpy(c, base, sizeof base);
    c[L1I].side = MH_SIDE_DATA;
    expect_bad(c, 4, 1, "l1i");
    memcpy(c, base, sizeof base);
    expect_bad(c, 4, 4, "walk level");
    c[L2].level = 4; /* gap at 2 */
    expect_bad(c, 4, 1, "level 2");
    memcpy(c, base, sizeof base);
    c[4] = (mh_cache_params){.name = "l1u", .level = 1, .side = MH_SIDE_UNIFIED, .size = 256, .ways = 2, .line = 64};
    expect_bad(c, 5, 1, "l1u");
    memcpy(c, base, sizeof base);
    c[L1D].name = NULL;
    expect_bad(c, 4, 1, "cache 1");
}

/* ---- naive model ----------------------------------------------------- */

typedef struct nv_line {
    uint64_t line, stamp;
    bool valid;
} nv_line;

typedef struct nv_cache {
    uint32_t ways, sets, shift;
    nv_line *l;
} nv_cache;

static uint64_t nv_clock;

static bool nv_access(nv_cache *c, uint64_t pa, bool fill)
{
    uint64_t line = pa >> c->shift;
    nv_line *s = c->l + (line % c->sets) * c->ways, *free_l = NULL, *old = &s[0];
    for (uint32_t i = 0; i < c->ways; i++) {
        if (s[i].valid && s[i].line == line) {
            s[i].stamp = ++nv_clock;
            return true;
        }
        if (!s[i].valid)
            free_l = free_l ? free_l : &s[i];
        else if (s[i].stamp < old->stamp || !old->valid)
            old = &s[i];
    }
    if (fill)
        *(free_l ? free_l : old) = (nv_line){.line = line, .stamp = ++nv_clock, .valid = true};
    return false;
}

/* Random accesses to `lines` lines from 0 against the naive model; page
 * walks enter at walk_level (1 or 2). */
static void vs_model(unsigned walk_level, uint64_t lines)
{
    mh_cache_params c[4];
    memcpy(c, base, sizeof base);
    c[L2].size = 768, c[L2].ways = 4; /* 3 sets: not a power of two */
    c[L3].line = 128;                 /* a wider line at the last level */
    mh_params p = {.caches = c, .n_caches = 4, .dram_latency = DRAM, .walk_level = walk_level, .seed = 1};
    vs_err err = {0};
    mh *m = mh_new(&p, &err);
    assert_non_null(m);
    nv_cache nv[4];
    for (int i = 0; i < 4; i++) {
        nv[i].ways = c[i].ways;
        nv[i].sets = (uint32_t)(c[i].size / c[i].line / c[i].ways);
        nv[i].shift = (uint32_t)__builtin_ctz(c[i].line);
        nv[i].l = calloc(c[i].size / c[i].line, sizeof *nv[i].l);
    }
    const int path[MH_SRC_COUNT][4] = {{L1D, L2, L3, -1},
                                       {L1I, L2, L3, -1},
                                       {walk_level == 1 ? L1D : L2, walk_level == 1 ? L2 : L3,
                                        walk_level == 1 ? L3 : -1, -1}};
    uint64_t hits[4][MH_SRC_COUNT] = {{0}}, misses[4][MH_SRC_COUNT] = {{0}}, dram[MH_SRC_COUNT] = {0}, seed = 7;
    for (int op = 0; op < 100000; op++) {
        uint64_t x = vs_rng_next(&seed), pa = (x >> 16) % (lines * 64);
        mh_src src = (mh_src)(x % 3);
        int want = -1, k;
        for (k = 0; k < 4 && path[src][k] >= 0; k++) {
            if (nv_access(&nv[path[src][k]], pa, false)) {
                want = path[src][k];
                break;
            }
        }
        for (int f = 0; f < k; f++) {
            misses[path[src][f]][src]++;
            nv_access(&nv[path[src][f]], pa, true);
        }
        if (want >= 0)
            hits[want][src]++;
        else
            dram[src]++;
        expect(m, pa, src, want >= 0 ? c[want].latency : DRAM, want);
    }
    for (unsigned src = 0; src < MH_SRC_COUNT; src++) {
        for (unsigned i = 0; i < 4; i++) {
            assert_int_equal(mh_hits(m, i, src), hits[i][src]);
            assert_int_equal(mh_misses(m, i, src), misses[i][src]);
        }
        assert_int_equal(mh_dram_accesses(m, src), dram[src]);
        assert_int_equal(mh_misses(m, L3, src), dram[src]);
        if (src != MH_WALK || walk_level == 1) { /* what misses level 1 reaches level 2 */
            unsigned l1 = src == MH_INST ? L1I : L1D;
            assert_int_equal(mh_hits(m, L2, src) + mh_misses(m, L2, src), mh_misses(m, l1, src));
        }
        if (lines > 64) /* wider than l2: every level hits */
            assert_true(hits[L2][src] > 100 && hits[L3][src] > 100);
    }
    for (int i = 0; i < 4; i++)
        free(nv[i].l);
    mh_free(m);
}

static void test_vs_model(void **s)
{
    (void)s;
    vs_model(2, 256);
}

/* 6 hot lines, 3 to each set of the 2-set l1d and l1i. */
static void test_vs_model_hot(void **s)
{
    (void)s;
    vs_model(1, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_hand),
        cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_vs_model),
        cmocka_unit_test(test_vs_model_hot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
