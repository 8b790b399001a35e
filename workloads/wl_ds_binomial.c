/*
 * wl_ds_binomial.c: the binomial queue of Weiss, "Data Structures and
 * Algorithm Analysis in C", 2nd ed., section 6.8 (Figures 6.52-6.56): a
 * Collection {CurrentSize, TheTrees[MaxTrees]} of binomial trees stored as
 * {Element, LeftChild, NextSibling}; CombineTrees, Merge with its
 * eight-case carry switch, DeleteMin, and Insert as the book's
 * binomial.c writes it (not optimized for O(1) amortized time): malloc the
 * node, set LeftChild, NextSibling and Element (a long: binomial.h's
 * ElementType), OneItem = Initialize() -- a malloc'd Collection with
 * CurrentSize 0 and every tree NULL -- then CurrentSize 1, TheTrees[0] the
 * node, and Merge(H, OneItem).  Merge never frees OneItem, so under
 * layout=glibc each insert's Collection is a fresh chunk carved from the
 * top right after its node's (d->companion; a reused node's slot reuses
 * its companion too, where glibc would carve a new one: only deletes
 * followed by inserts reach that).  Under the slot-pool layouts, and for
 * DeleteMin's DeletedQueue = Initialize() (also never freed), the one-shot
 * queues are globals in the heap, initialized on every call.  MaxTrees is
 * binomial.h's rule, 2^MaxTrees - 1 >= capacity (14 for 10,000 items, its
 * Capacity 16383).
 *
 * Invariants: TheTrees[i] is empty or a binomial tree B_i (children of
 * orders i-1 .. 0, first to last) in heap order; CurrentSize is the sum of
 * 2^i over the trees present.
 */
#include "wl_int.h"

#include <assert.h>

#define F_CHILD F_LEFT
#define F_SIB F_RIGHT
#define COLL(d) (8 + 8 * (d)->aux) /* bytes of one Collection */
#define TREE(h, i) ((h) + 8 + 8 * (uint64_t)(i))

static uint64_t bq_layout(wl_ds *d, uint64_t *arrays)
{
    d->aux = 1;
    while ((1ull << d->aux) - 1 < d->capacity) /* 2^MaxTrees - 1 >= capacity */
        d->aux++;
    if (d->glibc)
        d->companion = COLL(d); /* Insert's OneItem, never freed */
    *arrays = 0;
    return 3 * COLL(d); /* H, Insert's one-node queue, DeleteMin's queue */
}

static uint64_t h_main(const wl_ds *d) { return d->globals; }
static uint64_t h_one(const wl_ds *d) { return d->globals + COLL(d); }
static uint64_t h_deleted(const wl_ds *d) { return d->globals + 2 * COLL(d); }

/* Weiss's Initialize: CurrentSize 0, every tree NULL. */
static void initialize(wl_ds *d, uint64_t h)
{
    ds_sti(d, h, 0); /* CurrentSize: an int */
    for (uint64_t i = 0; i < d->aux; i++)
        ds_st(d, TREE(h, i), DS_NIL);
}

static void bq_init(wl_ds *d)
{
    for (unsigned q = 0; q < 3; q++)
        initialize(d, d->globals + q * COLL(d));
}

static uint64_t combine(wl_ds *d, uint64_t t1, uint64_t t2)
{
    if (ds_ld(d, t1 + F_KEY) > ds_ld(d, t2 + F_KEY))
        return combine(d, t2, t1);
    ds_st(d, t2 + F_SIB, ds_ld(d, t1 + F_CHILD));
    ds_st(d, t1 + F_CHILD, t2);
    return t1;
}

static void merge(wl_ds *d, uint64_t h1, uint64_t h2)
{
    uint64_t total = ds_ld(d, h1) + ds_ld(d, h2), carry = DS_NIL;
    ds_sti(d, h1, total);
    for (uint64_t i = 0, j = 1; j <= total; i++, j *= 2) {
        assert(i < d->aux);
        uint64_t t1 = ds_ld(d, TREE(h1, i)), t2 = ds_ld(d, TREE(h2, i));
        switch ((t1 != DS_NIL) + 2 * (t2 != DS_NIL) + 4 * (carry != DS_NIL)) {
        case 0: /* no trees */
        case 1: /* only h1 */
            break;
        case 2: /* only h2 */
            ds_st(d, TREE(h1, i), t2);
            ds_st(d, TREE(h2, i), DS_NIL);
            break;
        case 4: /* only carry */
            ds_st(d, TREE(h1, i), carry);
            carry = DS_NIL;
            break;
        case 3: /* h1 and h2 */
            carry = combine(d, t1, t2);
            ds_st(d, TREE(h1, i), DS_NIL);
            ds_st(d, TREE(h2, i), DS_NIL);
            break;
        case 5: /* h1 and carry */
            carry = combine(d, t1, carry);
            ds_st(d, TREE(h1, i), DS_NIL);
            break;
        case 6: /* h2 and carry */
            carry = combine(d, t2, carry);
            ds_st(d, TREE(h2, i), DS_NIL);
            break;
        case 7: /* all three */
            ds_st(d, TREE(h1, i), carry);
            carry = combine(d, t1, t2);
            ds_st(d, TREE(h2, i), DS_NIL);
            break;
        }
    }
    assert(carry == DS_NIL);
}

static bool bq_insert(wl_ds *d, uint64_t x)
{
    uint64_t n = ds_alloc(d), one = d->companion ? ds_companion(d, n) : h_one(d);
    ds_st(d, n + F_CHILD, DS_NIL);
    ds_st(d, n + F_SIB, DS_NIL);
    ds_st(d, n + F_KEY, x); /* a long */
    initialize(d, one);
    ds_sti(d, one, 1);
    ds_st(d, TREE(one, 0), n);
    merge(d, h_main(d), one);
    return true;
}

static bool bq_remove(wl_ds *d, uint64_t key)
{
    (void)key;
    uint64_t h = h_main(d), size = ds_ld(d, h);
    if (size == 0)
        return false;
    uint64_t min = UINT64_MAX, mt = 0;
    for (uint64_t i = 0; i < d->aux; i++) {
        uint64_t t = ds_ld(d, TREE(h, i));
        if (t != DS_NIL) {
            uint64_t k = ds_ld(d, t + F_KEY);
            if (k < min) {
                min = k;
                mt = i;
            }
        }
    }
    uint64_t old = ds_ld(d, TREE(h, mt)), dt = ds_ld(d, old + F_CHILD), dq = h_deleted(d);
    ds_release(d, old);
    initialize(d, dq); /* DeleteMin's DeletedQueue = Initialize( ), every call */
    ds_sti(d, dq, (1ull << mt) - 1);
    for (uint64_t j = mt; j-- > 0;) {
        ds_st(d, TREE(dq, j), dt);
        uint64_t next = ds_ld(d, dt + F_SIB);
        ds_st(d, dt + F_SIB, DS_NIL);
        dt = next;
    }
    ds_st(d, TREE(h, mt), DS_NIL);
    ds_sti(d, h, size - (1ull << mt));
    merge(d, h, dq);
    return true;
}

/* Checks t is a B_order in heap order; returns its node count or 0 on failure. */
static uint64_t check_tree(const wl_ds *d, uint64_t t, uint64_t order, char *why, size_t cap)
{
    uint64_t count = 1, key = ds_peek(d, t + F_KEY), c = ds_peek(d, t + F_CHILD);
    for (uint64_t k = order; k-- > 0; c = ds_peek(d, c + F_SIB)) {
        if (c == DS_NIL)
            return ds_failf(why, cap, "a B_%llu root has too few children", (unsigned long long)order), 0;
        if (ds_peek(d, c + F_KEY) < key)
            return ds_failf(why, cap, "heap order broken under key %llu", (unsigned long long)key), 0;
        uint64_t sub = check_tree(d, c, k, why, cap);
        if (!sub)
            return 0;
        count += sub;
    }
    if (c != DS_NIL)
        return ds_failf(why, cap, "a B_%llu root has too many children", (unsigned long long)order), 0;
    return count;
}

static bool bq_check(const wl_ds *d, char *why, size_t cap)
{
    uint64_t h = h_main(d), total = 0;
    for (uint64_t i = 0; i < d->aux; i++) {
        uint64_t t = ds_peek(d, TREE(h, i));
        if (t == DS_NIL)
            continue;
        if (ds_peek(d, t + F_SIB) != DS_NIL)
            return ds_failf(why, cap, "root of tree %llu has a sibling", (unsigned long long)i);
        uint64_t n = check_tree(d, t, i, why, cap);
        if (n != (1ull << i))
            return n == 0 ? false : ds_failf(why, cap, "tree %llu holds %llu nodes", (unsigned long long)i,
                                             (unsigned long long)n);
        total += n;
    }
    if (total != ds_peek(d, h) || total != d->size)
        return ds_failf(why, cap, "CurrentSize %llu, trees hold %llu, expected %zu",
                        (unsigned long long)ds_peek(d, h), (unsigned long long)total, d->size);
    return true;
}

static size_t collect(const wl_ds *d, uint64_t t, uint64_t *out, size_t cap, size_t n)
{
    for (; t != DS_NIL; t = ds_peek(d, t + F_SIB)) {
        if (n < cap)
            out[n] = ds_peek(d, t + F_KEY);
        n = collect(d, ds_peek(d, t + F_CHILD), out, cap, n + 1);
    }
    return n;
}

static size_t bq_keys(const wl_ds *d, uint64_t *out, size_t cap)
{
    size_t n = 0;
    for (uint64_t i = 0; i < d->aux; i++)
        n = collect(d, ds_peek(d, TREE(h_main(d), i)), out, cap, n);
    return n;
}

const wl_ds_ops wl_ds_binomial = {24, 0, true, DS_WEISS_HEAP, bq_layout, bq_init, bq_insert, bq_remove, bq_check, bq_keys};
