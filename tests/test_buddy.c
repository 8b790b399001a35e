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

/* ---- grouping by mobility against a naive reference ----
 *
 * The reference is per frame: free, or allocated unmovable or movable.  A
 * pageblock is mixed when it holds frames of both kinds; it is tainted from
 * the moment it becomes mixed until all its frames are free again.  The
 * property, the point of grouping (Gorman): a pageblock becomes mixed for the
 * first time (not tainted before) only when no pageblock was wholly free, so
 * unmovable and movable memory share a pageblock only once the free
 * pageblocks ran out.  (Once tainted, a pageblock may take either kind: Linux
 * leaves a pageblock's type alone when a small block is stolen from it.)
 * The same run also checks, against the run model above, that each block
 * returned was free and aligned and that the per-order free counts are those
 * of full merging.  The seeded fault: the same operations on the allocator
 * without grouping must break the property, or the check could never fail. */

typedef struct mob {
    uint8_t *kind;     /* per frame: 0 free, 1 + buddy_mt */
    bool *tainted;     /* per pageblock */
    uint64_t base, n;
    unsigned pb_order;
} mob;

static uint64_t mob_pb_first(const mob *m, uint64_t pb) { return ((m->base >> m->pb_order) + pb) << m->pb_order; }

/* Counts of allocated frames of each kind in pageblock pb; *whole when all of
 * its frames lie in the managed range. */
static void mob_scan(const mob *m, uint64_t pb, uint64_t used[3], bool *whole)
{
    uint64_t s = mob_pb_first(m, pb), e = s + (1ull << m->pb_order);
    used[0] = used[1] = used[2] = 0;
    *whole = s >= m->base && e <= m->base + m->n;
    for (uint64_t f = s; f < e; f++)
        if (f >= m->base && f < m->base + m->n)
            used[m->kind[f - m->base]]++;
}

static uint64_t mob_npb(const mob *m) { return ((m->base + m->n - 1) >> m->pb_order) - (m->base >> m->pb_order) + 1; }

static bool mob_wholly_free_exists(const mob *m)
{
    for (uint64_t pb = 0; pb < mob_npb(m); pb++) {
        uint64_t u[3];
        bool whole;
        mob_scan(m, pb, u, &whole);
        if (whole && u[1 + BUDDY_UNMOVABLE] == 0 && u[1 + BUDDY_MOVABLE] == 0)
            return true;
    }
    return false;
}

/* Applies (pfn, order) of kind k to the reference; returns the pageblocks
 * that became mixed for the first time. */
static unsigned mob_take(mob *m, uint64_t pfn, unsigned order, buddy_mt k)
{
    for (uint64_t f = pfn; f < pfn + (1ull << order); f++) {
        assert_true(f >= m->base && f < m->base + m->n);
        assert_int_equal(m->kind[f - m->base], 0); /* the block was free */
        m->kind[f - m->base] = (uint8_t)(1 + k);
    }
    unsigned fresh = 0;
    for (uint64_t pb = 0; pb < mob_npb(m); pb++) {
        uint64_t u[3];
        bool whole;
        mob_scan(m, pb, u, &whole);
        if (u[1 + BUDDY_UNMOVABLE] && u[1 + BUDDY_MOVABLE] && !m->tainted[pb]) {
            m->tainted[pb] = true;
            fresh++;
        }
    }
    return fresh;
}

static void mob_give(mob *m, uint64_t pfn, unsigned order)
{
    for (uint64_t f = pfn; f < pfn + (1ull << order); f++)
        m->kind[f - m->base] = 0;
    uint64_t u[3];
    bool whole;
    mob_scan(m, (pfn >> m->pb_order) - (m->base >> m->pb_order), u, &whole);
    if (u[1 + BUDDY_UNMOVABLE] == 0 && u[1 + BUDDY_MOVABLE] == 0)
        m->tainted[(pfn >> m->pb_order) - (m->base >> m->pb_order)] = false;
}

/* Whether operation op (random r) frees rather than allocates: phases of
 * `phase` operations grow and shrink, so memory fills up and frees again. */
static bool frees_now(uint64_t r, unsigned op, unsigned phase, size_t nlive, size_t cap)
{
    bool grow = ((op / phase) & 1) == 0;
    return nlive == cap || (nlive > 0 && (r % 8) < (grow ? 2u : 6u));
}

/* Removes and returns a random one (by r) of the nlive allocations. */
static live pop_live(live *lv, size_t *nlive, uint64_t r)
{
    size_t i = (size_t)((r >> 8) % *nlive);
    live a = lv[i];
    lv[i] = lv[--*nlive];
    return a;
}

/* The per-order free counts are those of full merging of m's runs. */
static void check_counts(const buddy *b, const model *m)
{
    uint64_t got[BUDDY_MAX_ORDER_LIMIT + 1], want[BUDDY_MAX_ORDER_LIMIT + 1];
    buddy_free_counts(b, got);
    m_counts(m, want);
    assert_memory_equal(got, want, (m->max_order + 1) * sizeof *got);
}

/* Frees the nlive buddy-order allocations left; all n frames are free again. */
static void free_live(buddy *b, const live *lv, size_t nlive, uint64_t n)
{
    while (nlive) {
        nlive--;
        buddy_free(b, lv[nlive].pfn, (unsigned)lv[nlive].order);
    }
    assert_int_equal(buddy_free_frames(b), n);
}

/* Random table-like (unmovable, order 0) and guest-like (movable, order 0,
 * sometimes larger) allocations and frees; returns how often a pageblock was
 * first mixed while a wholly free pageblock existed.  grouped = false is the
 * seeded fault: the plain allocator, same operations. */
static unsigned mobility_violations(uint64_t base, uint64_t n, unsigned max_order, unsigned pb_order, bool grouped,
                                    unsigned ops, uint64_t seed)
{
    buddy *b = grouped ? buddy_new_grouped(base, n, max_order, pb_order, NULL) : buddy_new(base, n, max_order, NULL);
    assert_non_null(b);
    mob m = {.kind = calloc(n, 1), .base = base, .n = n, .pb_order = pb_order};
    m.tainted = calloc(mob_npb(&m), sizeof *m.tainted);
    model runs;
    m_init(&runs, base, n, max_order);
    enum { MOB_LIVE = 4096 };
    live *lv = calloc(MOB_LIVE, sizeof *lv);
    size_t nlive = 0;
    unsigned bad = 0;
    uint64_t rng = seed;
    for (unsigned op = 0; op < ops; op++) {
        uint64_t r = vs_rng_next(&rng);
        if (frees_now(r, op, 2000, nlive, MOB_LIVE)) {
            live a = pop_live(lv, &nlive, r);
            buddy_free(b, a.pfn, (unsigned)a.order);
            mob_give(&m, a.pfn, (unsigned)a.order);
            m_give(&runs, a.pfn, a.n);
        } else {
            buddy_mt k = (r >> 16) % 3 == 0 ? BUDDY_UNMOVABLE : BUDDY_MOVABLE;
            unsigned order = 0;
            if (k == BUDDY_MOVABLE && (r >> 20) % 16 == 0)
                order = (unsigned)((r >> 24) % (pb_order + 2));
            bool free_pb = mob_wholly_free_exists(&m);
            uint64_t pfn;
            uint64_t want;
            unsigned wk;
            bool ok = buddy_alloc_mt(b, order, k, &pfn);
            assert_int_equal(ok, m_pick(&runs, order, true, &want, &wk)); /* fails only when no block fits */
            if (!ok)
                continue;
            assert_int_equal(pfn & ((1ull << order) - 1), 0);
            unsigned fresh = mob_take(&m, pfn, order, k);
            if (fresh && free_pb)
                bad++;
            m_take(&runs, pfn, 1ull << order);
            lv[nlive++] = (live){pfn, 1ull << order, (int)order};
        }
        assert_int_equal(buddy_free_frames(b), m_free_frames(&runs));
        if (op % 256 == 0)
            check_counts(b, &runs);
    }
    free_live(b, lv, nlive, n);
    free(lv);
    free(runs.r);
    free(m.kind);
    free(m.tainted);
    buddy_free_all(b);
    return bad;
}

static void test_mobility_grouping(void **state)
{
    (void)state;
    /* 2 MiB pageblocks as on x86-64, a base and an end that cut pageblocks */
    assert_int_equal(mobility_violations(3 * 512 + 5, 24 * 512 + 300, 11, 9, true, 20000, 7), 0);
    /* small pageblocks: many of them, memory often full */
    assert_int_equal(mobility_violations(0, 64 * 16, 8, 4, true, 40000, 8), 0);
    assert_int_equal(mobility_violations(16, 40 * 16 + 3, 6, 4, true, 40000, 9), 0);
}

static void test_mobility_fault_seeded(void **state)
{
    (void)state;
    /* the same operations on the ungrouped allocator break the property */
    assert_true(mobility_violations(3 * 512 + 5, 24 * 512 + 300, 11, 9, false, 20000, 7) > 0);
    assert_true(mobility_violations(0, 64 * 16, 8, 4, false, 40000, 8) > 0);
}

static void test_mobility_order(void **state)
{
    (void)state;
    /* Exact choices: tables and guest pages in separate pageblocks from the
     * start; a table fills its own pageblock before taking another. */
    buddy *b = buddy_new_grouped(0, 8 * 16, 7, 4, NULL);
    uint64_t p;
    assert_true(buddy_alloc_mt(b, 0, BUDDY_UNMOVABLE, &p));
    assert_int_equal(p, 0);
    assert_true(buddy_alloc_mt(b, 0, BUDDY_MOVABLE, &p));
    assert_int_equal(p, 16); /* the next whole free pageblock, not frame 1 */
    assert_true(buddy_alloc_mt(b, 0, BUDDY_UNMOVABLE, &p));
    assert_int_equal(p, 1);
    assert_true(buddy_alloc_mt(b, 0, BUDDY_MOVABLE, &p));
    assert_int_equal(p, 17);
    assert_true(buddy_alloc_mt(b, 4, BUDDY_MOVABLE, &p));
    assert_int_equal(p, 32); /* a whole pageblock from the pool */
    buddy_free_all(b);
    /* without grouping the same calls interleave */
    b = buddy_new(0, 8 * 16, 7, NULL);
    assert_true(buddy_alloc_mt(b, 0, BUDDY_UNMOVABLE, &p));
    assert_true(buddy_alloc_mt(b, 0, BUDDY_MOVABLE, &p));
    assert_int_equal(p, 1);
    buddy_free_all(b);
    vs_err err;
    assert_null(buddy_new_grouped(0, 64, 5, 6, &err)); /* pageblock above max_order */
}

/* ---- the grouped allocator's exact choices against a naive reference ----
 *
 * The property test above checks what grouping is for, not which frame each
 * request gets; the simulator's page-table addresses, and so every cache
 * result, depend on the exact frame.  This reference recomputes every choice
 * of buddy.c's policy (its header comment) by brute force from the run model:
 * the free blocks are the greedy decomposition of the runs, a block below
 * pb_order is on the list of its pageblock's type and the others are in the
 * pool, and each search scans every block in address order.  It keeps only
 * the free runs and the pageblock types. */

typedef struct gref {
    model runs;
    uint8_t *type; /* per pageblock: its buddy_mt */
    unsigned pb_order;
} gref;

static uint64_t g_pb(const gref *g, uint64_t pfn) { return (pfn >> g->pb_order) - (g->runs.base >> g->pb_order); }

/* The list of free block (p, k): 0 the pool, else 1 + its pageblock's type. */
static unsigned g_list(const gref *g, uint64_t p, unsigned k)
{
    return k < g->pb_order ? 1u + g->type[g_pb(g, p)] : 0u;
}

/* Lowest free block of order k on list l; false if none. */
static bool g_lowest(const gref *g, unsigned l, unsigned k, uint64_t *pfn)
{
    const model *m = &g->runs;
    for (size_t i = 0; i < m->n; i++)
        for (uint64_t p = m->r[i].s; p < m->r[i].e; p += 1ull << m_fit(m, p, m->r[i].e))
            if (m_fit(m, p, m->r[i].e) == k && g_list(g, p, k) == l) {
                *pfn = p;
                return true;
            }
    return false;
}

/* Frames in free blocks below pb_order inside pageblock pb. */
static uint64_t g_pb_free(const gref *g, uint64_t pb)
{
    const model *m = &g->runs;
    uint64_t f = 0;
    for (size_t i = 0; i < m->n; i++)
        for (uint64_t p = m->r[i].s; p < m->r[i].e;) {
            unsigned k = m_fit(m, p, m->r[i].e);
            if (k < g->pb_order && g_pb(g, p) == pb)
                f += 1ull << k;
            p += 1ull << k;
        }
    return f;
}

/* Smallest order in [from, below) with a block on list l, its lowest block. */
static bool g_smallest(const gref *g, unsigned l, unsigned from, unsigned below, uint64_t *pfn)
{
    for (unsigned k = from; k < below; k++)
        if (g_lowest(g, l, k, pfn))
            return true;
    return false;
}

/* page_alloc's fallbacks[], as buddy.c has them. */
static const buddy_mt g_fallbacks[BUDDY_MT_COUNT][BUDDY_MT_COUNT - 1] = {
    [BUDDY_UNMOVABLE] = {BUDDY_RECLAIMABLE, BUDDY_MOVABLE},
    [BUDDY_MOVABLE] = {BUDDY_RECLAIMABLE, BUDDY_UNMOVABLE},
    [BUDDY_RECLAIMABLE] = {BUDDY_UNMOVABLE, BUDDY_MOVABLE},
};

/* The first fallback type of mt with a block of order k; its lowest block. */
static bool g_fallback(const gref *g, unsigned k, buddy_mt mt, buddy_mt *from, uint64_t *pfn)
{
    for (unsigned i = 0; i < BUDDY_MT_COUNT - 1; i++)
        if (g_lowest(g, 1u + g_fallbacks[mt][i], k, pfn)) {
            *from = g_fallbacks[mt][i];
            return true;
        }
    return false;
}

/* buddy_alloc_mt's choice for (order, mt), applied to the reference. */
static bool g_alloc(gref *g, unsigned order, buddy_mt mt, uint64_t *pfn)
{
    unsigned pb = g->pb_order, max = g->runs.max_order;
    bool found = order < pb && g_smallest(g, 1u + mt, order, pb, pfn);
    if (!found && g_smallest(g, 0, order > pb ? order : pb, max + 1, pfn)) {
        found = true; /* from the pool: the pageblocks the block lands in become mt's */
        uint64_t first = g_pb(g, *pfn), npb = order > pb ? 1ull << (order - pb) : 1;
        for (uint64_t i = 0; i < npb; i++)
            g->type[first + i] = (uint8_t)mt;
    }
    if (!found && order < pb) {
        int k = (int)pb - 1;
        buddy_mt from;
        while (k >= (int)order && !g_fallback(g, (unsigned)k, mt, &from, pfn))
            k--;
        if (k >= (int)order) {
            found = true;
            if (mt == BUDDY_MOVABLE && (unsigned)k < pb / 2 && (unsigned)k > order)
                for (k = (int)order; !g_fallback(g, (unsigned)k, mt, &from, pfn); k++)
                    ;
            bool can_claim = (unsigned)k >= pb / 2 || mt != BUDDY_MOVABLE;
            if (can_claim && g_pb_free(g, g_pb(g, *pfn)) >= 1ull << (pb - 1))
                g->type[g_pb(g, *pfn)] = (uint8_t)mt;
        }
    }
    if (found)
        m_take(&g->runs, *pfn, 1ull << order);
    return found;
}

/* Random allocations of every type and order (mostly small, as page tables
 * and guest pages are) and frees, each allocation's frame checked against the
 * reference; memory fills and drains in phases so every fallback is taken. */
static void grouped_exact(uint64_t base, uint64_t n, unsigned max_order, unsigned pb_order, unsigned ops,
                          uint64_t seed)
{
    buddy *b = buddy_new_grouped(base, n, max_order, pb_order, NULL);
    assert_non_null(b);
    gref g = {.pb_order = pb_order};
    m_init(&g.runs, base, n, max_order);
    size_t npb = (size_t)(((base + n - 1) >> pb_order) - (base >> pb_order) + 1);
    g.type = malloc(npb);
    memset(g.type, BUDDY_MOVABLE, npb); /* as buddy.c: every pageblock starts movable */
    enum { G_LIVE = 2048 };
    live *lv = calloc(G_LIVE, sizeof *lv);
    size_t nlive = 0;
    uint64_t rng = seed;
    for (unsigned op = 0; op < ops; op++) {
        uint64_t r = vs_rng_next(&rng);
        if (frees_now(r, op, 1500, nlive, G_LIVE)) {
            live a = pop_live(lv, &nlive, r);
            buddy_free(b, a.pfn, (unsigned)a.order);
            m_give(&g.runs, a.pfn, a.n);
            continue;
        }
        buddy_mt mt = (buddy_mt)((r >> 16) % BUDDY_MT_COUNT);
        unsigned order = (r >> 20) % 8 == 0 ? (unsigned)((r >> 24) % (max_order + 1)) : (unsigned)((r >> 24) % 2);
        uint64_t got = 0, want = 0;
        bool ok = g_alloc(&g, order, mt, &want);
        assert_int_equal(buddy_alloc_mt(b, order, mt, &got), ok);
        if (!ok)
            continue;
        assert_int_equal(got, want);
        lv[nlive++] = (live){got, 1ull << order, (int)order};
        if (op % 128 == 0)
            check_counts(b, &g.runs);
    }
    free_live(b, lv, nlive, n);
    free(lv);
    free(g.runs.r);
    free(g.type);
    buddy_free_all(b);
}

static void test_grouped_exact(void **state)
{
    (void)state;
    /* x86-64's 2 MiB pageblocks, a base and an end that cut pageblocks */
    grouped_exact(3 * 512 + 5, 24 * 512 + 300, 11, 9, 12000, 11);
    /* small pageblocks: memory often full, every fallback and claim taken */
    grouped_exact(0, 64 * 16, 8, 4, 40000, 12);
    grouped_exact(16, 40 * 16 + 3, 6, 4, 40000, 13);
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
        cmocka_unit_test(test_mobility_grouping), cmocka_unit_test(test_mobility_fault_seeded),
        cmocka_unit_test(test_mobility_order),
        cmocka_unit_test(test_grouped_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
