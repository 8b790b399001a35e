/*
 * wl_ds_list.c: the singly linked list with a header node of Weiss, "Data
 * Structures and Algorithm Analysis in C", 2nd ed., section 3.2 (Figures
 * 3.8-3.14): Insert(X, L, P) links a new cell right after P, which is the
 * header, or under keys=weiss the cell inserted last, as Weiss's driver
 * testlist.c builds its list (Insert(i, L, P); P = Advance(P)), appending;
 * Delete(X, L) walks FindPrevious and unlinks the cell.  The list pointer
 * (to the header) is a global in the heap; P is the driver's local (d->aux),
 * outside the traced memory.
 *
 * Invariants: the list is acyclic and holds exactly the elements inserted
 * and not yet deleted, most recent first, or under keys=weiss each inserted
 * right after P, which a delete of P moves back to its predecessor.
 */
#include "wl_int.h"

#define F_NEXT F_LEFT

static uint64_t list_layout(wl_ds *d, uint64_t *arrays)
{
    (void)d;
    *arrays = 0;
    return 8; /* L, the header's address */
}

static void list_init(wl_ds *d)
{
    uint64_t h = ds_alloc(d);
    ds_st(d, h + F_NEXT, DS_NIL);
    ds_st(d, d->globals, h);
    d->aux = h;
}

static bool list_insert(wl_ds *d, uint64_t x)
{
    uint64_t p = d->weiss_driver ? d->aux : ds_ld(d, d->globals), tmp = ds_alloc(d);
    ds_sti(d, tmp + F_KEY, x);
    ds_st(d, tmp + F_NEXT, ds_ld(d, p + F_NEXT));
    ds_st(d, p + F_NEXT, tmp);
    if (d->weiss_driver)
        d->aux = tmp;
    return true;
}

static bool list_remove(wl_ds *d, uint64_t x)
{
    uint64_t p = ds_ld(d, d->globals), n;
    while ((n = ds_ld(d, p + F_NEXT)) != DS_NIL && ds_ld(d, n + F_KEY) != x)
        p = n;
    if (n == DS_NIL)
        return false;
    ds_st(d, p + F_NEXT, ds_ld(d, n + F_NEXT));
    if (d->aux == n)
        d->aux = p;
    ds_release(d, n);
    return true;
}

static size_t list_keys(const wl_ds *d, uint64_t *out, size_t cap)
{
    size_t n = 0;
    for (uint64_t p = ds_peek(d, ds_peek(d, d->globals) + F_NEXT); p != DS_NIL && n <= d->slots;
         p = ds_peek(d, p + F_NEXT), n++)
        if (n < cap)
            out[n] = ds_peek(d, p + F_KEY);
    return n;
}

static bool list_check(const wl_ds *d, char *why, size_t cap)
{
    size_t n = list_keys(d, NULL, 0);
    if (n > d->slots)
        return ds_failf(why, cap, "list has a cycle");
    if (n != d->size)
        return ds_failf(why, cap, "list holds %zu cells, expected %zu", n, d->size);
    return true;
}

const wl_ds_ops wl_ds_list = {16, 8, true, DS_WEISS_TREE, list_layout, list_init, list_insert, list_remove, list_check,
                              list_keys};
