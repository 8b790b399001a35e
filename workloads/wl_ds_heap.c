/*
 * wl_ds_heap.c: the binary heap (priority queue) of Weiss, "Data Structures
 * and Algorithm Analysis in C", 2nd ed., section 6.3 (Figures 6.8, 6.12):
 * an array with a sentinel MinData at Elements[0], Insert percolating up and
 * DeleteMin percolating the last element down.  Capacity, Size and the
 * Elements pointer are the HeapStruct, a global in the heap; node= sets the
 * element stride (layout=glibc: the packed int array, wl_int.h).
 *
 * Invariants: Elements[0] = 0 (every key is at least 1); Elements[i/2] <=
 * Elements[i] for 2 <= i <= Size.
 */
#include "wl_int.h"

#define G_CAP 0u
#define G_SIZE 8u
#define G_ELEMS 16u
#define G_BYTES 24u

#define E(el, i) ((el) + (uint64_t)(i) * d->node)

static uint64_t heap_layout(wl_ds *d, uint64_t *arrays)
{
    *arrays = (d->capacity + 1) * d->node;
    return G_BYTES;
}

static void heap_init(wl_ds *d)
{
    ds_sti(d, d->globals + G_CAP, d->capacity);
    ds_sti(d, d->globals + G_SIZE, 0);
    ds_st(d, d->globals + G_ELEMS, d->arrays);
    ds_sti(d, d->arrays, 0); /* MinData */
}

static bool heap_insert(wl_ds *d, uint64_t x)
{
    uint64_t size = ds_ld(d, d->globals + G_SIZE) + 1, el = ds_ld(d, d->globals + G_ELEMS), i, p;
    ds_sti(d, d->globals + G_SIZE, size);
    for (i = size; (p = ds_ldi(d, E(el, i / 2))) > x; i /= 2)
        ds_sti(d, E(el, i), p);
    ds_sti(d, E(el, i), x);
    return true;
}

static bool heap_remove(wl_ds *d, uint64_t key)
{
    (void)key;
    uint64_t size = ds_ld(d, d->globals + G_SIZE);
    if (size == 0)
        return false;
    uint64_t el = ds_ld(d, d->globals + G_ELEMS);
    ds_ldi(d, E(el, 1)); /* MinElement, the value DeleteMin returns */
    uint64_t last = ds_ldi(d, E(el, size)), i, child;
    ds_sti(d, d->globals + G_SIZE, --size);
    for (i = 1; i * 2 <= size; i = child) {
        child = i * 2;
        uint64_t c = ds_ldi(d, E(el, child));
        if (child != size) {
            uint64_t c2 = ds_ldi(d, E(el, child + 1));
            if (c2 < c) {
                child++;
                c = c2;
            }
        }
        if (last > c)
            ds_sti(d, E(el, i), c);
        else
            break;
    }
    ds_sti(d, E(el, i), last);
    return true;
}

static bool heap_check(const wl_ds *d, char *why, size_t cap)
{
    uint64_t size = ds_peek(d, d->globals + G_SIZE), el = ds_peek(d, d->globals + G_ELEMS);
    if (size != d->size || size > d->capacity)
        return ds_failf(why, cap, "Size %llu, expected %zu", (unsigned long long)size, d->size);
    if (ds_peeki(d, el) != 0)
        return ds_failf(why, cap, "sentinel Elements[0] overwritten");
    for (uint64_t i = 2; i <= size; i++)
        if (ds_peeki(d, E(el, i / 2)) > ds_peeki(d, E(el, i)))
            return ds_failf(why, cap, "heap order broken: Elements[%llu] > Elements[%llu]",
                            (unsigned long long)i / 2, (unsigned long long)i);
    return true;
}

static size_t heap_keys(const wl_ds *d, uint64_t *out, size_t cap)
{
    uint64_t size = ds_peek(d, d->globals + G_SIZE), el = ds_peek(d, d->globals + G_ELEMS);
    for (uint64_t i = 1; i <= size && i <= cap; i++)
        out[i - 1] = ds_peeki(d, E(el, i));
    return size;
}

const wl_ds_ops wl_ds_heap = {8, 0, false, DS_WEISS_HEAP, heap_layout, heap_init, heap_insert, heap_remove, heap_check, heap_keys};
