/*
 * wl_ds_splay.c: the top-down splay tree of Weiss, "Data Structures and
 * Algorithm Analysis in C", 2nd ed., section 12.1 (Figures 12.5-12.8), with
 * his static Header node and NullNode sentinel (whose key is set to the
 * item searched for, so the splay loop needs no NULL tests) and his
 * pre-allocated NewNode kept across a duplicate insert.  All of them are
 * globals in the heap.
 *
 * Invariants: BST order; NullNode's children are NullNode.
 */
#include "wl_int.h"

#define L(t, f) ds_ld(d, (t) + (f))
#define S(t, f, v) ds_st(d, (t) + (f), (v))
#define SI(t, f, v) ds_sti(d, (t) + (f), (v)) /* Element: an int */
#define G_ROOT 0u
#define G_NEW 8u     /* NewNode */
#define G_HEADER 16u /* a 24-byte node */
#define G_NULL 40u   /* a 24-byte node */
#define G_BYTES 64u

static uint64_t splay_layout(wl_ds *d, uint64_t *arrays)
{
    (void)d;
    *arrays = 0;
    return G_BYTES;
}

static void splay_init(wl_ds *d)
{
    uint64_t nul = d->globals + G_NULL;
    S(nul, F_LEFT, nul);
    S(nul, F_RIGHT, nul);
    S(d->globals, G_ROOT, nul);
    S(d->globals, G_NEW, DS_NIL);
}

static uint64_t splay(wl_ds *d, uint64_t item, uint64_t x)
{
    uint64_t nul = d->globals + G_NULL, hdr = d->globals + G_HEADER, ltm = hdr, rtm = hdr, k;
    S(hdr, F_LEFT, nul);
    S(hdr, F_RIGHT, nul);
    SI(nul, F_KEY, item);
    while (item != (k = L(x, F_KEY))) {
        if (item < k) {
            if (item < L(L(x, F_LEFT), F_KEY))
                x = ds_rotate_with_left(d, x);
            if (L(x, F_LEFT) == nul)
                break;
            S(rtm, F_LEFT, x); /* link right */
            rtm = x;
            x = L(x, F_LEFT);
        } else {
            if (item > L(L(x, F_RIGHT), F_KEY))
                x = ds_rotate_with_right(d, x);
            if (L(x, F_RIGHT) == nul)
                break;
            S(ltm, F_RIGHT, x); /* link left */
            ltm = x;
            x = L(x, F_RIGHT);
        }
    }
    S(ltm, F_RIGHT, L(x, F_LEFT)); /* reassemble */
    S(rtm, F_LEFT, L(x, F_RIGHT));
    S(x, F_LEFT, L(hdr, F_RIGHT));
    S(x, F_RIGHT, L(hdr, F_LEFT));
    return x;
}

static bool splay_insert(wl_ds *d, uint64_t item)
{
    uint64_t nul = d->globals + G_NULL, nn = L(d->globals, G_NEW);
    if (nn == DS_NIL) {
        nn = ds_alloc(d);
        S(d->globals, G_NEW, nn);
    }
    SI(nn, F_KEY, item);
    uint64_t t = L(d->globals, G_ROOT);
    if (t == nul) {
        S(nn, F_LEFT, nul);
        S(nn, F_RIGHT, nul);
        t = nn;
    } else {
        t = splay(d, item, t);
        uint64_t k = L(t, F_KEY);
        if (item < k) {
            S(nn, F_LEFT, L(t, F_LEFT));
            S(nn, F_RIGHT, t);
            S(t, F_LEFT, nul);
            t = nn;
        } else if (k < item) {
            S(nn, F_RIGHT, L(t, F_RIGHT));
            S(nn, F_LEFT, t);
            S(t, F_RIGHT, nul);
            t = nn;
        } else { /* already there: NewNode stays for the next insert */
            S(d->globals, G_ROOT, t);
            return false;
        }
    }
    S(d->globals, G_NEW, DS_NIL);
    S(d->globals, G_ROOT, t);
    return true;
}

static bool splay_remove(wl_ds *d, uint64_t item)
{
    uint64_t nul = d->globals + G_NULL, t = L(d->globals, G_ROOT);
    if (t == nul)
        return false;
    t = splay(d, item, t);
    if (L(t, F_KEY) != item) {
        S(d->globals, G_ROOT, t);
        return false;
    }
    uint64_t nt;
    if (L(t, F_LEFT) == nul) {
        nt = L(t, F_RIGHT);
    } else {
        nt = splay(d, item, L(t, F_LEFT));
        S(nt, F_RIGHT, L(t, F_RIGHT));
    }
    ds_release(d, t);
    S(d->globals, G_ROOT, nt);
    return true;
}

static bool splay_check(const wl_ds *d, char *why, size_t cap)
{
    uint64_t nul = d->globals + G_NULL;
    if (ds_peek(d, nul + F_LEFT) != nul || ds_peek(d, nul + F_RIGHT) != nul)
        return ds_failf(why, cap, "NullNode's children are not NullNode");
    return ds_tree_check_order(d, ds_peek(d, d->globals + G_ROOT), nul, why, cap);
}

static size_t splay_keys(const wl_ds *d, uint64_t *out, size_t cap)
{
    return ds_tree_keys(d, ds_peek(d, d->globals + G_ROOT), d->globals + G_NULL, out, cap);
}

const wl_ds_ops wl_ds_splay = {24, 40, true, DS_WEISS_TREE, splay_layout, splay_init, splay_insert, splay_remove, splay_check,
                               splay_keys};
