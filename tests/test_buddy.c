/*
 * test_buddy.c: the buddy allocator against a naive model under random
 * operations, plus exact checks of layouts and of the Linux indices.
 *
 * The model keeps the free frames as a sorted array of free runs and finds
 * blocks by brute force: the free blocks of a buddy allocator with full
 * merging are exactly the greedy decomposition of each free run into maximal
 * aligned blocks (capped at max_order), so the model derives block lists,
 * per-order counts and the lowest block of each order from the runs alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mmu/buddy.h"

#include <math.h>

/* cmocka 1.1 has no assert_double_equal */
#define assert_near(a, b) assert_true(fabs((a) - (b)) < 1e-12)

/* ---- the naive model ---- */

typedef struct run {
    uint64_t s, e;
} run;

typedef struct model {
    run *r;
    size_t n, cap;
    uint64_t base, end;
    unsigned max_order;
} model;

static void m_init(model *m, uint64_t base, uint64_t n, unsigned max_order)
{
    memset(m, 0, sizeof *m);
    m->cap = 16;
    m->r = malloc(m->cap * sizeof *m->r);
    m->r[0] = (run){base, base + n};
    m->n = 1;
    m->base = base;
    m->end = base + n;
    m->max_order = max_order;
}

/* Index of the run containing pfn, or -1. */
static long m_find(const model *m, uint64_t pfn)
{
    for (size_t i = 0; i < m->n; i++)
        if (pfn >= m->r[i].s && pfn < m->r[i].e)
            return (long)i;
    return -1;
}

static bool m_range_free(const model *m, uint64_t s, uint64_t n)
{
    long i = m_find(m, s);
    return i >= 0 && s + n <= m->r[i].e;
}

static void m_take(model *m, uint64_t s, uint64_t n)
{
    long i = m_find(m, s);
    assert_true(i >= 0 && s + n <= m->r[i].e);
    run old = m->r[i];
    if (old.s < s && s + n < old.e) {
        if (m->n == m->cap)
            m->r = realloc(m->r, (m->cap *= 2) * sizeof *m->r);
        memmove(&m->r[i + 1], &m->r[i], (m->n - (size_t)i) * sizeof *m->r);
        m->n++;
        m->r[i] = (run){old.s, s};
        m->r[i + 1] = (run){s + n, old.e};
    } else if (old.s < s) {
        m->r[i].e = s;
    } else if (s + n < old.e) {
        m->r[i].s = s + n;
    } else {
        memmove(&m->r[i], &m->r[i + 1], (m->n - (size_t)i - 1) * sizeof *m->r);
        m->n--;
    }
}

static void m_give(model *m, uint64_t s, uint64_t n)
{
    size_t i = 0;
    while (i < m->n && m->r[i].s < s)
        i++;
    assert_true(i == 0 || m->r[i - 1].e <= s);
    assert_true(i == m->n || s + n <= m->r[i].s);
    if (m->n == m->cap)
        m->r = realloc(m->r, (m->cap *= 2) * sizeof *m->r);
    memmove(&m->r[i + 1], &m->r[i], (m->n - i) * sizeof *m->r);
    m->r[i] = (run){s, s + n};
    m->n++;
    if (i + 1 < m->n && m->r[i].e == m->r[i + 1].s) {
        m->r[i].e = m->r[i + 1].e;
        memmove(&m->r[i + 1], &m->r[i + 2], (m->n - i - 2) * sizeof *m->r);
        m->n--;
    }
    if (i > 0 && m->r[i - 1].e == m->r[i].s) {
        m->r[i - 1].e = m->r[i].e;
        memmove(&m->r[i], &m->r[i + 1], (m->n - i - 1) * sizeof *m->r);
        m->n--;
    }
}

static unsigned m_fit(const model *m, uint64_t p, uint64_t e)
{
    unsigned k = 0;
    while (k < m->max_order && !(p & (1ull << k)) && p + (2ull << k) <= e)
        k++;
    return k;
}

/* Lowest block of the smallest order >= lo (smallest_first) or the lowest
 * block of any order >= lo; returns its pfn and order, false if none. */
static bool m_pick(const model *m, unsigned lo, bool smallest_first, uint64_t *pfn, unsigned *order)
{
    bool found = false;
    for (size_t i = 0; i < m->n; i++)
        for (uint64_t p = m->r[i].s; p < m->r[i].e;) {
            unsigned k = m_fit(m, p, m->r[i].e);
            if (k >= lo) {
                bool better = !found || (smallest_first ? k < *order : false);
                if (better) {
                    *pfn = p;
                    *order = k;
                    found = true;
                }
                if (!smallest_first)
                    return true; /* runs are sorted: the first is the lowest */
            }
            p += 1ull << k;
        }
    return found;
}

static void m_counts(const model *m, uint64_t *counts)
{
    memset(counts, 0, (m->max_order + 1) * sizeof *counts);
    for (size_t i = 0; i < m->n; i++)
        for (uint64_t p = m->r[i].s; p < m->r[i].e;) {
            unsigned k = m_fit(m, p, m->r[i].e);
            counts[k]++;
            p += 1ull << k;
        }
}

static uint64_t m_free_frames(const model *m)
{
    uint64_t f = 0;
    for (size_t i = 0; i < m->n; i++)
        f += m->r[i].e - m->r[i].s;
    return f;
}

/* ---- random test driver ---- */

typedef struct live {
    uint64_t pfn, n;
    int order; /* -1: an exact allocation (freed with free_exact) */
} live;

#define LIVE_MAX 96 /* keeps the model's run list, and so its cost, small */

static void check_full(buddy *b, const model *m, uint64_t *rng)
{
    uint64_t want[BUDDY_MAX_ORDER_LIMIT + 1], got[BUDDY_MAX_ORDER_LIMIT + 1];
    m_counts(m, want);
    buddy_free_counts(b, got);
    int largest = -1;
    for (unsigned k = 0; k <= m->max_order; k++) {
        assert_int_equal(got[k], want[k]);
        if (want[k])
            largest = (int)k;
    }
    assert_int_equal(buddy_largest_free_order(b), largest);
    assert_int_equal(buddy_free_frames(b), m_free_frames(m));
    for (int i = 0; i < 64; i++) {
        uint64_t pfn = m->base + vs_rng_next(rng) % (m->end - m->base);
        assert_int_equal(buddy_is_free(b, pfn), m_find(m, pfn) >= 0);
    }
    for (size_t i = 0; i < m->n; i++) {
        assert_true(buddy_is_free(b, m->r[i].s) && buddy_is_free(b, m->r[i].e - 1));
        if (m->r[i].s > m->base)
            assert_false(buddy_is_free(b, m->r[i].s - 1));
        if (m->r[i].e < m->end)
            assert_false(buddy_is_free(b, m->r[i].e));
    }
    assert_false(buddy_is_free(b, m->base - 1));
    assert_false(buddy_is_free(b, m->end));
}

/* A random order: mostly small, sometimes up to max_order. */
static unsigned rand_order(uint64_t *rng, unsigned max_order)
{
    uint64_t r = vs_rng_next(rng);
    unsigned cap = (r & 15) == 0 ? max_order : (max_order < 10 ? max_order : 10);
    return (unsigned)((r >> 8) % (cap + 1));
}

static void random_ops(uint64_t base, uint64_t n, unsigned max_order, unsigned ops, uint64_t seed)
{
    vs_err err;
    buddy *b = buddy_new(base, n, max_order, &err);
    assert_non_null(b);
    model m;
    m_init(&m, base, n, max_order);
    live lv[LIVE_MAX];
    size_t nlive = 0;
    uint64_t rng = seed;
    check_full(b, &m, &rng);
    for (unsigned op = 0; op < ops; op++) {
        uint64_t r = vs_rng_next(&rng);
        unsigned kind = (unsigned)(r % 8);
        if (nlive == LIVE_MAX || (nlive > 0 && kind >= 5)) {
            size_t i = (size_t)((r >> 8) % nlive);
            live *a = &lv[i];
            if (a->order >= 0 && (r >> 40) & 1) {
                buddy_free(b, a->pfn, (unsigned)a->order);
            } else if (a->n > 1 && (r >> 41) & 1) {
                /* free a piece: the allocation's remainder stays live */
                uint64_t cut = 1 + (r >> 44) % (a->n - 1);
                buddy_free_exact(b, a->pfn + cut, a->n - cut);
                m_give(&m, a->pfn + cut, a->n - cut);
                a->n = cut;
                a->order = -1;
                continue;
            } else {
                buddy_free_exact(b, a->pfn, a->n);
            }
            m_give(&m, a->pfn, a->n);
            lv[i] = lv[--nlive];
        } else if (kind <= 1) {
            unsigned order = rand_order(&rng, max_order);
            uint64_t want = 0, got = 0;
            unsigned wk;
            bool ok = m_pick(&m, order, true, &want, &wk);
            assert_int_equal(buddy_alloc(b, order, &got), ok);
            if (ok) {
                assert_int_equal(got, want);
                m_take(&m, got, 1ull << order);
                lv[nlive++] = (live){got, 1ull << order, (int)order};
            }
        } else if (kind <= 3) {
            unsigned order = rand_order(&rng, max_order);
            uint64_t pfn = (base + vs_rng_next(&rng) % n) >> order << order;
            if (vs_rng_next(&rng) % 4 == 0 && m.n > 0) /* aim at free memory too */
                pfn = (m.r[vs_rng_next(&rng) % m.n].s + ((1ull << order) - 1)) >> order << order;
            bool ok = pfn >= base && pfn + (1ull << order) <= base + n && m_range_free(&m, pfn, 1ull << order);
            assert_int_equal(buddy_alloc_at(b, pfn, order), ok);
            if (ok) {
                m_take(&m, pfn, 1ull << order);
                lv[nlive++] = (live){pfn, 1ull << order, (int)order};
            }
        } else {
            uint64_t cnt = 1 + vs_rng_next(&rng) % (1ull << rand_order(&rng, max_order));
            unsigned lo = cnt <= 1 ? 0 : 64 - (unsigned)__builtin_clzll(cnt - 1);
            uint64_t want = 0, got = 0;
            unsigned wk;
            bool ok = m_pick(&m, lo, false, &want, &wk);
            assert_int_equal(buddy_alloc_exact(b, cnt, &got), ok);
            if (ok) {
                assert_int_equal(got, want);
                m_take(&m, got, cnt);
                lv[nlive++] = (live){got, cnt, -1};
            }
        }
        assert_int_equal(buddy_free_frames(b), m_free_frames(&m));
        if (op % 64 == 0)
            check_full(b, &m, &rng);
    }
    while (nlive) {
        live *a = &lv[--nlive];
        buddy_free_exact(b, a->pfn, a->n);
        m_give(&m, a->pfn, a->n);
    }
    check_full(b, &m, &rng);
    assert_int_equal(buddy_free_frames(b), n);
    free(m.r);
    buddy_free_all(b);
}

static void test_random_small(void **state)
{
    (void)state;
    random_ops(3, 1000, 5, 20000, 1); /* dense: many frames flip */
}

static void test_random_order18(void **state)
{
    (void)state;
    random_ops(1000, 3 * (1ull << 18) + 12345, 18, 100000, 2);
}

static void test_random_order27(void **state)
{
    (void)state;
    random_ops(777, 3 * (1ull << 27) + (1ull << 20) + 4321, 27, 30000, 3);
}

/* ---- exact layouts ---- */

static void test_layout(void **state)
{
    (void)state;
    /* 1000 = 512 + 256 + 128 + 64 + 32 + 8 */
    buddy *b = buddy_new(0, 1000, 18, NULL);
    uint64_t c[19], pfn;
    buddy_free_counts(b, c);
    uint64_t want[19] = {[3] = 1, [5] = 1, [6] = 1, [7] = 1, [8] = 1, [9] = 1};
    assert_memory_equal(c, want, sizeof want);
    assert_int_equal(buddy_largest_free_order(b), 9);
    assert_true(buddy_alloc(b, 0, &pfn));
    assert_int_equal(pfn, 992); /* the smallest block that fits, at its low end */
    assert_true(buddy_alloc(b, 0, &pfn));
    assert_int_equal(pfn, 993);
    assert_true(buddy_alloc_exact(b, 3, &pfn));
    assert_int_equal(pfn, 0); /* lowest address with a large enough block */
    assert_true(buddy_is_free(b, 3));
    assert_false(buddy_is_free(b, 2));
    assert_false(buddy_alloc_at(b, 2, 0));
    assert_true(buddy_alloc_at(b, 3, 0));
    assert_false(buddy_alloc_at(b, 5, 1)); /* misaligned */
    assert_false(buddy_alloc_at(b, 1024, 0)); /* outside */
    assert_false(buddy_alloc(b, 10, &pfn));
    assert_false(buddy_alloc_exact(b, 0, &pfn));
    buddy_free_exact(b, 0, 4);
    buddy_free(b, 992, 0);
    buddy_free(b, 993, 0);
    assert_int_equal(buddy_free_frames(b), 1000);
    buddy_free_counts(b, c);
    assert_memory_equal(c, want, sizeof want);
    buddy_free_all(b);

    vs_err err;
    assert_null(buddy_new(0, 10, 41, &err));
    assert_int_equal(err.code, VS_E_CONFIG);
    assert_null(buddy_new(0, 0, 18, &err));
    assert_null(buddy_new(1ull << 40, 1, 18, &err));
}

/* A 1 TiB server: creation and a burst of operations stay cheap. */
static void test_large(void **state)
{
    (void)state;
    uint64_t n = 1ull << 28, pfn, c[BUDDY_MAX_ORDER_LIMIT + 1];
    buddy *b = buddy_new(0, n, 18, NULL);
    for (int i = 0; i < 100000; i++) {
        assert_true(buddy_alloc(b, 0, &pfn));
        assert_int_equal(pfn, (uint64_t)i);
    }
    buddy_free_exact(b, 0, 100000);
    buddy_free_counts(b, c);
    assert_int_equal(c[18], n >> 18);
    assert_int_equal(buddy_free_frames(b), n);
    buddy_free_all(b);
    b = buddy_new(3, 1ull << 30, BUDDY_MAX_ORDER_LIMIT, NULL); /* 4 TiB, unaligned */
    assert_true(buddy_alloc(b, 29, &pfn));
    assert_int_equal(pfn, 1ull << 29);
    assert_int_equal(buddy_largest_free_order(b), 28);
    assert_true(buddy_is_free(b, (1ull << 30) + 2));
    assert_false(buddy_is_free(b, (1ull << 30) + 3));
    buddy_free_all(b);
}

/* ---- indices on hand-built count vectors ---- */

static void test_indices(void **state)
{
    (void)state;
    /* 3 x 1 + 2 x 2 + 1 x 4 = 11 free frames in 6 blocks */
    uint64_t c[4] = {3, 2, 1, 0};
    assert_true(buddy_unusable_index(c, 3, 0) == 0.0);
    assert_near(buddy_unusable_index(c, 3, 1), 3.0 / 11); /* 11 - 4 x 2 */
    assert_near(buddy_unusable_index(c, 3, 2), 7.0 / 11); /* 11 - 1 x 4 */
    assert_true(buddy_unusable_index(c, 3, 3) == 1.0);
    for (unsigned k = 0; k <= 2; k++)
        assert_true(buddy_fragmentation_index(c, 3, k) == -1.0);
    /* 1 - (1 + 11/8) / 6 = 0.6041666...; Linux prints the truncated 0.605 from
     * 1000 - (1000 + 1375) / 6 in integers */
    assert_near(buddy_fragmentation_index(c, 3, 3), 1.0 - 2.375 / 6);

    uint64_t singles[4] = {8, 0, 0, 0};
    assert_near(buddy_fragmentation_index(singles, 3, 2), 0.625); /* 1 - 3/8 */
    assert_true(buddy_unusable_index(singles, 3, 2) == 1.0);

    uint64_t none[4] = {0, 0, 0, 0};
    assert_true(buddy_unusable_index(none, 3, 1) == 1.0); /* Linux: no free memory = all unusable */
    assert_true(buddy_fragmentation_index(none, 3, 1) == 0.0);

    uint64_t big[4] = {0, 0, 0, 5};
    assert_true(buddy_unusable_index(big, 3, 3) == 0.0);
    assert_true(buddy_fragmentation_index(big, 3, 3) == -1.0);

    /* lack of memory rather than fragmentation: one free frame, order 3 wanted */
    uint64_t one[4] = {1, 0, 0, 0};
    assert_near(buddy_fragmentation_index(one, 3, 3), 1.0 - 1.125);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),      cmocka_unit_test(test_indices),
        cmocka_unit_test(test_random_small), cmocka_unit_test(test_random_order18),
        cmocka_unit_test(test_random_order27), cmocka_unit_test(test_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
