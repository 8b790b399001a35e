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
#define SI(t, f, v) ds_sti(d, (t) + (f), (v)) /* Element: an int */

static uint64_t insert(wl_ds *d, uint64_t x, uint64_t t, bool *added)
{
    if (t == DS_NIL) {
        t = ds_alloc(d);
        SI(t, F_KEY, x);
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

static bool bst_insert(wl_ds *d, uint64_t key)
{
    bool added = false;
    ds_st(d, d->globals, insert(d, key, ds_ld(d, d->globals), &added));
    return added;
}

static bool bst_remove(wl_ds *d, uint64_t key)
{
    bool gone = false;
    ds_st(d, d->globals, ds_tree_delete(d, key, ds_ld(d, d->globals), &gone, NULL));
    return gone;
}

static bool bst_check(const wl_ds *d, char *why, size_t cap)
{
    return ds_tree_check_order(d, ds_peek(d, d->globals), DS_NIL, why, cap);
}

const wl_ds_ops wl_ds_bst = {24, 8, true, DS_WEISS_TREE, ds_root_layout, ds_root_init, bst_insert, bst_remove, bst_check,
                             ds_root_keys};
