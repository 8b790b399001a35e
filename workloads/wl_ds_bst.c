/*
 * wl_ds_bst.c: the unbalanced binary search tree of Weiss, "Data Structures
 * and Algorithm Analysis in C", 2nd ed., section 4.3, written as Weiss
 * writes it: recursive Insert/Delete that store the returned subtree into
 * the parent's child pointer at every level (T->Left = Insert(X, T->Left)).
 *
 * Invariants: in-order keys strictly increase; the root pointer lives in the
 * heap's globals.
 */
#include "wl_int.h"

#define L(t, f) ds_ld(d, (t) + (f))
#define S(t, f, v) ds_st(d, (t) + (f), (v))

static uint64_t bst_layout(wl_ds *d, uint64_t *arrays)
{
    (void)d;
    *arrays = 0;
    return 8; /* root */
}

static void bst_init(wl_ds *d) { ds_st(d, d->globals, DS_NIL); }

static uint64_t insert(wl_ds *d, uint64_t x, uint64_t t, bool *added)
{
    if (t == DS_NIL) {
        t = ds_alloc(d);
        S(t, F_KEY, x);
        S(t, F_LEFT, DS_NIL);
        S(t, F_RIGHT, DS_NIL);
        *added = true;
        return t;
    }
    uint64_t k = L(t, F_KEY);
    if (x < k)
        S(t, F_LEFT, insert(d, x, L(t, F_LEFT), added));
    else if (x > k)
        S(t, F_RIGHT, insert(d, x, L(t, F_RIGHT), added));
    return t;
}

static uint64_t find_min(wl_ds *d, uint64_t t)
{
    for (uint64_t l; (l = L(t, F_LEFT)) != DS_NIL;)
        t = l;
    return t;
}

static uint64_t delete(wl_ds *d, uint64_t x, uint64_t t, bool *gone)
{
    if (t == DS_NIL)
        return DS_NIL;
    uint64_t k = L(t, F_KEY);
    if (x < k) {
        S(t, F_LEFT, delete(d, x, L(t, F_LEFT), gone));
    } else if (x > k) {
        S(t, F_RIGHT, delete(d, x, L(t, F_RIGHT), gone));
    } else {
        uint64_t l = L(t, F_LEFT), r = L(t, F_RIGHT);
        if (l != DS_NIL && r != DS_NIL) { /* two children: replace with the smallest on the right */
            uint64_t m = L(find_min(d, r), F_KEY);
            S(t, F_KEY, m);
            S(t, F_RIGHT, delete(d, m, r, gone));
        } else {
            ds_release(d, t);
            *gone = true;
            t = l == DS_NIL ? r : l;
        }
    }
    return t;
}

static bool bst_insert(wl_ds *d, uint64_t key)
{
    bool added = false;
    ds_st(d, d->globals, insert(d, key, ds_ld(d, d->globals), &added));
    return added;
}

static bool bst_remove(wl_ds *d, uint64_t key)
{
    bool gone = false;
    ds_st(d, d->globals, delete(d, key, ds_ld(d, d->globals), &gone));
    return gone;
}

static bool bst_check(const wl_ds *d, char *why, size_t cap)
{
    return ds_tree_check_order(d, ds_peek(d, d->globals), DS_NIL, why, cap);
}

static size_t bst_keys(const wl_ds *d, uint64_t *out, size_t cap)
{
    return ds_tree_keys(d, ds_peek(d, d->globals), DS_NIL, out, cap);
}

const wl_ds_ops wl_ds_bst = {24, true, bst_layout, bst_init, bst_insert, bst_remove, bst_check, bst_keys};
