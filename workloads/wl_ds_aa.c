/*
 * wl_ds_aa.c: the AA-tree of Weiss, "Data Structures and Algorithm Analysis
 * in C", 2nd ed., section 12.5 (Figures 12.36-12.39): Skew and Split,
 * recursive Insert, and Remove with his static DeletePtr and LastPtr (here
 * globals in the heap), over a NullNode sentinel of level 0.  One departure:
 * Skew and Split leave NullNode alone, where Weiss's code, applied to an
 * empty right subtree, would rotate the sentinel and raise its level.
 *
 * Invariants (Andersson): BST order; leaves have level 1; a left child is
 * one level below its parent; a right child is at its parent's level or one
 * below; a right grandchild is strictly below its grandparent; every node
 * above level 1 has two children.
 */
#include "wl_int.h"

#define L(t, f) ds_ld(d, (t) + (f))
#define S(t, f, v) ds_st(d, (t) + (f), (v))
#define SI(t, f, v) ds_sti(d, (t) + (f), (v)) /* Element, Level: ints */
#define G_ROOT 0u
#define G_DELETE 8u /* DeletePtr */
#define G_LAST 16u  /* LastPtr */
#define G_NULL 24u  /* a 32-byte node */
#define G_BYTES 56u

static uint64_t aa_layout(wl_ds *d, uint64_t *arrays)
{
    (void)d;
    *arrays = 0;
    return G_BYTES;
}

static void aa_init(wl_ds *d)
{
    uint64_t nul = d->globals + G_NULL;
    S(nul, F_LEFT, nul);
    S(nul, F_RIGHT, nul);
    SI(nul, F_AUX, 0);
    S(d->globals, G_ROOT, nul);
}

static uint64_t skew(wl_ds *d, uint64_t t)
{
    if (t == d->globals + G_NULL || L(L(t, F_LEFT), F_AUX) != L(t, F_AUX))
        return t;
    return ds_rotate_with_left(d, t);
}

static uint64_t split(wl_ds *d, uint64_t t)
{
    if (t == d->globals + G_NULL || L(L(L(t, F_RIGHT), F_RIGHT), F_AUX) != L(t, F_AUX))
        return t;
    uint64_t k2 = ds_rotate_with_right(d, t);
    SI(k2, F_AUX, L(k2, F_AUX) + 1);
    return k2;
}

static uint64_t insert(wl_ds *d, uint64_t item, uint64_t t, bool *added)
{
    uint64_t nul = d->globals + G_NULL;
    if (t == nul) {
        *added = true;
        return ds_tree_leaf(d, item, nul);
    }
    uint64_t k = L(t, F_KEY);
    if (item < k)
        S(t, F_LEFT, insert(d, item, L(t, F_LEFT), added));
    else if (item > k)
        S(t, F_RIGHT, insert(d, item, L(t, F_RIGHT), added));
    return split(d, skew(d, t));
}

static uint64_t remove_rec(wl_ds *d, uint64_t item, uint64_t t, bool *gone)
{
    uint64_t nul = d->globals + G_NULL;
    if (t == nul)
        return t;
    S(d->globals, G_LAST, t); /* step 1: search down, setting LastPtr and DeletePtr */
    if (item < L(t, F_KEY)) {
        S(t, F_LEFT, remove_rec(d, item, L(t, F_LEFT), gone));
    } else {
        S(d->globals, G_DELETE, t);
        S(t, F_RIGHT, remove_rec(d, item, L(t, F_RIGHT), gone));
    }
    if (t == L(d->globals, G_LAST)) { /* step 2: at the bottom, remove if present */
        uint64_t dp = L(d->globals, G_DELETE);
        if (dp != nul && item == L(dp, F_KEY)) {
            SI(dp, F_KEY, L(t, F_KEY));
            S(d->globals, G_DELETE, nul);
            uint64_t last = t;
            t = L(t, F_RIGHT);
            ds_release(d, last);
            *gone = true;
        }
        return t;
    }
    uint64_t lv = L(t, F_AUX); /* step 3: not at the bottom, rebalance */
    if (L(L(t, F_LEFT), F_AUX) + 1 < lv || L(L(t, F_RIGHT), F_AUX) + 1 < lv) {
        SI(t, F_AUX, --lv);
        if (L(L(t, F_RIGHT), F_AUX) > lv)
            SI(L(t, F_RIGHT), F_AUX, lv);
        t = skew(d, t);
        S(t, F_RIGHT, skew(d, L(t, F_RIGHT)));
        uint64_t r = L(t, F_RIGHT);
        if (r != nul)
            S(r, F_RIGHT, skew(d, L(r, F_RIGHT)));
        t = split(d, t);
        S(t, F_RIGHT, split(d, L(t, F_RIGHT)));
    }
    return t;
}

static bool aa_insert(wl_ds *d, uint64_t key)
{
    bool added = false;
    S(d->globals, G_ROOT, insert(d, key, L(d->globals, G_ROOT), &added));
    return added;
}

static bool aa_remove(wl_ds *d, uint64_t key)
{
    bool gone = false;
    S(d->globals, G_DELETE, d->globals + G_NULL);
    S(d->globals, G_ROOT, remove_rec(d, key, L(d->globals, G_ROOT), &gone));
    return gone;
}

static bool check_levels(const wl_ds *d, uint64_t t, unsigned depth, char *why, size_t cap)
{
    uint64_t nul = d->globals + G_NULL;
    if (t == nul)
        return true;
    if (depth > 256)
        return ds_failf(why, cap, "AA-tree deeper than 256: not balanced");
    uint64_t l = ds_peek(d, t + F_LEFT), r = ds_peek(d, t + F_RIGHT), lv = ds_peek(d, t + F_AUX);
    uint64_t ll = ds_peek(d, l + F_AUX), rl = ds_peek(d, r + F_AUX);
    uint64_t rrl = r == nul ? 0 : ds_peek(d, ds_peek(d, r + F_RIGHT) + F_AUX);
    unsigned long long key = (unsigned long long)ds_peek(d, t + F_KEY);
    if (l == nul && r == nul && lv != 1)
        return ds_failf(why, cap, "leaf %llu has level %llu, expected 1", key, (unsigned long long)lv);
    if (ll + 1 != lv)
        return ds_failf(why, cap, "node %llu level %llu: left child level %llu, expected one less", key,
                        (unsigned long long)lv, (unsigned long long)ll);
    if (rl != lv && rl + 1 != lv)
        return ds_failf(why, cap, "node %llu level %llu: right child level %llu", key,
                        (unsigned long long)lv, (unsigned long long)rl);
    if (rrl >= lv)
        return ds_failf(why, cap, "node %llu level %llu: right grandchild level %llu, expected below", key,
                        (unsigned long long)lv, (unsigned long long)rrl);
    if (lv > 1 && (l == nul || r == nul))
        return ds_failf(why, cap, "node %llu of level %llu lacks a child", key, (unsigned long long)lv);
    return check_levels(d, l, depth + 1, why, cap) && check_levels(d, r, depth + 1, why, cap);
}

static bool aa_check(const wl_ds *d, char *why, size_t cap)
{
    uint64_t nul = d->globals + G_NULL, root = ds_peek(d, d->globals + G_ROOT);
    if (ds_peek(d, nul + F_AUX) != 0 || ds_peek(d, nul + F_LEFT) != nul || ds_peek(d, nul + F_RIGHT) != nul)
        return ds_failf(why, cap, "NullNode changed: level %llu", (unsigned long long)ds_peek(d, nul + F_AUX));
    return ds_tree_check_order(d, root, nul, why, cap) && check_levels(d, root, 0, why, cap);
}

static size_t aa_keys(const wl_ds *d, uint64_t *out, size_t cap)
{
    return ds_tree_keys(d, ds_peek(d, d->globals + G_ROOT), d->globals + G_NULL, out, cap);
}

const wl_ds_ops wl_ds_aa = {32, 24, true, DS_WEISS_TREE, aa_layout, aa_init, aa_insert, aa_remove, aa_check, aa_keys};
