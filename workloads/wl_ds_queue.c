/*
 * wl_ds_queue.c: the circular-array queue of Weiss, "Data Structures and
 * Algorithm Analysis in C", 2nd ed., section 3.4.2 (Figures 3.57-3.59):
 * QueueRecord {Capacity, Front, Rear, Size, Array} as a global in the heap,
 * MakeEmpty setting Front = 1 and Rear = 0, Succ wrapping at Capacity.
 * Insert is Enqueue; delete is FrontAndDequeue (its key is ignored).
 *
 * Invariants: Size <= Capacity; (Rear + 1) mod Capacity = (Front + Size)
 * mod Capacity.
 */
#include "wl_int.h"

#define G_CAP 0u
#define G_FRONT 8u
#define G_REAR 16u
#define G_SIZE 24u
#define G_ARRAY 32u
#define G_BYTES 40u

static uint64_t queue_layout(wl_ds *d, uint64_t *arrays)
{
    *arrays = d->capacity * d->node;
    return G_BYTES;
}

static void queue_init(wl_ds *d)
{
    ds_sti(d, d->globals + G_CAP, d->capacity);
    ds_sti(d, d->globals + G_SIZE, 0);
    ds_sti(d, d->globals + G_FRONT, 1 % d->capacity);
    ds_sti(d, d->globals + G_REAR, 0);
    ds_st(d, d->globals + G_ARRAY, d->arrays);
}

static uint64_t succ(uint64_t v, uint64_t cap) { return ++v == cap ? 0 : v; }

static bool queue_insert(wl_ds *d, uint64_t x)
{
    uint64_t size = ds_ld(d, d->globals + G_SIZE), cap = ds_ld(d, d->globals + G_CAP);
    if (size == cap)
        return false;
    ds_sti(d, d->globals + G_SIZE, size + 1);
    uint64_t rear = succ(ds_ld(d, d->globals + G_REAR), cap);
    ds_sti(d, d->globals + G_REAR, rear);
    ds_sti(d, ds_ld(d, d->globals + G_ARRAY) + rear * d->node, x);
    return true;
}

static bool queue_remove(wl_ds *d, uint64_t key)
{
    (void)key;
    uint64_t size = ds_ld(d, d->globals + G_SIZE);
    if (size == 0)
        return false;
    uint64_t front = ds_ld(d, d->globals + G_FRONT);
    ds_ldi(d, ds_ld(d, d->globals + G_ARRAY) + front * d->node); /* the element returned */
    ds_sti(d, d->globals + G_SIZE, size - 1);
    ds_sti(d, d->globals + G_FRONT, succ(front, ds_ld(d, d->globals + G_CAP)));
    return true;
}

static bool queue_check(const wl_ds *d, char *why, size_t cap)
{
    uint64_t c = ds_peek(d, d->globals + G_CAP), size = ds_peek(d, d->globals + G_SIZE);
    uint64_t front = ds_peek(d, d->globals + G_FRONT), rear = ds_peek(d, d->globals + G_REAR);
    if (size != d->size || size > c)
        return ds_failf(why, cap, "Size %llu, expected %zu (Capacity %llu)", (unsigned long long)size,
                        d->size, (unsigned long long)c);
    if (front >= c || rear >= c || (rear + 1) % c != (front + size) % c)
        return ds_failf(why, cap, "Front %llu, Rear %llu, Size %llu inconsistent", (unsigned long long)front,
                        (unsigned long long)rear, (unsigned long long)size);
    return true;
}

static size_t queue_keys(const wl_ds *d, uint64_t *out, size_t cap)
{
    uint64_t c = ds_peek(d, d->globals + G_CAP), size = ds_peek(d, d->globals + G_SIZE);
    uint64_t front = ds_peek(d, d->globals + G_FRONT), arr = ds_peek(d, d->globals + G_ARRAY);
    for (uint64_t i = 0; i < size && i < cap; i++)
        out[i] = ds_peeki(d, arr + (front + i) % c * d->node);
    return size;
}

const wl_ds_ops wl_ds_queue = {8, 0, false, DS_WEISS_TREE, queue_layout, queue_init, queue_insert, queue_remove, queue_check,
                               queue_keys};
