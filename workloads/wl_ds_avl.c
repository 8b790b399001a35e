/*
 * wl_ds_avl.c: the AVL tree of Weiss, "Data Structures and Algorithm
 * Analysis in C", 2nd ed., section 4.4 (Figures 4.40-4.44): recursive Insert
 * that stores each returned subtree into its parent and recomputes
 * T->Height on the way up, single and double rotations.  Weiss leaves
 * deletion as an exercise; Delete here (ds_tree_delete) is the same
 * recursive shape as Insert, replacing a two-child node by its successor and
 * rebalancing on the way up.  Height(NULL) = -1, kept in the node as
 * height + 1 (unsigned).
 *
 * Invariants: BST order; every node's stored height is 1 + the larger of
 * its children's; the children's heights differ by at most one.
 */
#include "wl_int.h"

#define L(t, f) ds_ld(d, (t) + (f))
#define S(t, f, v) ds_st(d, (t) + (f), (v))
#define SI(t, f, v) ds_sti(d, (t) + (f), (v)) /* Height: an int */

/* Heights are stored + 1 so that an empty tree's -1 is 0. */
static uint64_t height(wl_ds *d, uint64_t p) { return p == DS_NIL ? 0 : L(p, F_AUX); }
static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static uint64_t rotate_left_child(wl_ds *d, uint64_t k2) /* SingleRotateWithLeft */
{
    uint64_t k1 = ds_rotate_with_left(d, k2);
    uint64_t h2 = max64(height(d, L(k2, F_LEFT)), height(d, L(k2, F_RIGHT))) + 1;
    SI(k2, F_AUX, h2);
    SI(k1, F_AUX, max64(height(d, L(k1, F_LEFT)), h2) + 1);
    return k1;
}

static uint64_t rotate_right_child(wl_ds *d, uint64_t k1) /* SingleRotateWithRight */
{
    uint64_t k2 = ds_rotate_with_right(d, k1);
    uint64_t h1 = max64(height(d, L(k1, F_LEFT)), height(d, L(k1, F_RIGHT))) + 1;
    SI(k1, F_AUX, h1);
    SI(k2, F_AUX, max64(height(d, L(k2, F_RIGHT)), h1) + 1);
    return k2;
}

static uint64_t double_left(wl_ds *d, uint64_t k3) /* DoubleRotateWithLeft */
{
    S(k3, F_LEFT, rotate_right_child(d, L(k3, F_LEFT)));
    return rotate_left_child(d, k3);
}

static uint64_t double_right(wl_ds *d, uint64_t k1) /* DoubleRotateWithRight */
{
    S(k1, F_RIGHT, rotate_left_child(d, L(k1, F_RIGHT)));
    return rotate_right_child(d, k1);
}

/* Weiss's Insert (Figure 4.44) ends with T->Height = Max(...) + 1 after its
 * if/else chain, so the statement runs for the new leaf too, after the
 * leaf's own T->Height = 0: a leaf's height is stored twice.  Compiled, the
 * second store stays (GCC at -O0 and at -O2 alike: scripts/ckpt_native). */
static uint64_t insert(wl_ds *d, uint64_t x, uint64_t t, bool *added)
{
    if (t == DS_NIL) {
        *added = true;
        t = ds_tree_leaf(d, x, DS_NIL);
    } else {
        uint64_t k = L(t, F_KEY);
        if (x < k) {
            S(t, F_LEFT, insert(d, x, L(t, F_LEFT), added));
            if (height(d, L(t, F_LEFT)) == height(d, L(t, F_RIGHT)) + 2)
                t = x < L(L(t, F_LEFT), F_KEY) ? rotate_left_child(d, t) : double_left(d, t);
        } else if (x > k) {
            S(t, F_RIGHT, insert(d, x, L(t, F_RIGHT), added));
            if (height(d, L(t, F_RIGHT)) == height(d, L(t, F_LEFT)) + 2)
                t = x > L(L(t, F_RIGHT), F_KEY) ? rotate_right_child(d, t) : double_right(d, t);
        }
    }
    SI(t, F_AUX, max64(height(d, L(t, F_LEFT)), height(d, L(t, F_RIGHT))) + 1);
    return t;
}

static uint64_t rebalance(wl_ds *d, uint64_t t)
{
    uint64_t l = L(t, F_LEFT), r = L(t, F_RIGHT), hl = height(d, l), hr = height(d, r);
    if (hl == hr + 2)
        return height(d, L(l, F_LEFT)) >= height(d, L(l, F_RIGHT)) ? rotate_left_child(d, t)
                                                                  : double_left(d, t);
    if (hr == hl + 2)
        return height(d, L(r, F_RIGHT)) >= height(d, L(r, F_LEFT)) ? rotate_right_child(d, t)
                                                                  : double_right(d, t);
    SI(t, F_AUX, max64(hl, hr) + 1);
    return t;
}

static bool avl_insert(wl_ds *d, uint64_t key)
{
    bool added = false;
    ds_st(d, d->globals, insert(d, key, ds_ld(d, d->globals), &added));
    return added;
}

static bool avl_remove(wl_ds *d, uint64_t key)
{
    bool gone = false;
    ds_st(d, d->globals, ds_tree_delete(d, key, ds_ld(d, d->globals), &gone, rebalance));
    return gone;
}

/* Returns the true height + 1 of t, or UINT64_MAX after recording a violation. */
static uint64_t check_heights(const wl_ds *d, uint64_t t, unsigned depth, char *why, size_t cap)
{
    if (t == DS_NIL)
        return 0;
    if (depth > 128)
        return ds_failf(why, cap, "AVL deeper than 128: not balanced"), UINT64_MAX;
    uint64_t hl = check_heights(d, ds_peek(d, t + F_LEFT), depth + 1, why, cap);
    uint64_t hr = check_heights(d, ds_peek(d, t + F_RIGHT), depth + 1, why, cap);
    if (hl == UINT64_MAX || hr == UINT64_MAX)
        return UINT64_MAX;
    uint64_t h = max64(hl, hr) + 1;
    if (ds_peek(d, t + F_AUX) != h)
        return ds_failf(why, cap, "node key %llu stores height %llu, expected %llu",
                        (unsigned long long)ds_peek(d, t + F_KEY),
                        (unsigned long long)ds_peek(d, t + F_AUX) - 1, (unsigned long long)h - 1),
               UINT64_MAX;
    if (hl > hr + 1 || hr > hl + 1)
        return ds_failf(why, cap, "node key %llu: child heights %llu and %llu differ by more than 1",
                        (unsigned long long)ds_peek(d, t + F_KEY), (unsigned long long)hl,
                        (unsigned long long)hr),
               UINT64_MAX;
    return h;
}

static bool avl_check(const wl_ds *d, char *why, size_t cap)
{
    uint64_t root = ds_peek(d, d->globals);
    return ds_tree_check_order(d, root, DS_NIL, why, cap) &&
           check_heights(d, root, 0, why, cap) != UINT64_MAX;
}

const wl_ds_ops wl_ds_avl = {32, 8, true, DS_WEISS_TREE, ds_root_layout, ds_root_init, avl_insert, avl_remove, avl_check,
                             ds_root_keys};
