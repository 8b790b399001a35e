/*
 * wl_ds_hashquad.c: the open-addressing hash table with quadratic probing of
 * Weiss, "Data Structures and Algorithm Analysis in C", 2nd ed., section
 * 5.4.2 (Figures 5.14-5.17): cells {Element, Info} with Info Legitimate,
 * Empty or Deleted (lazy deletion), TableSize the next prime at least twice
 * the capacity (so a free cell is always found), Hash(Key) = Key mod
 * TableSize, probe i at offset i^2 computed incrementally (2i - 1).
 *
 * Invariants: the Legitimate cells hold distinct keys, each reachable from
 * its hash along the probe sequence before any Empty cell.
 */
#include "wl_int.h"

#include <stdlib.h>

#define G_SIZE 0u
#define G_CELLS 8u
#define G_BYTES 16u
#define F_INFO 8u
enum { LEGITIMATE = 0, EMPTY = 1, DELETED = 2 };

static bool is_prime(uint64_t n)
{
    if (n < 2)
        return false;
    for (uint64_t f = 2; f * f <= n; f++)
        if (n % f == 0)
            return false;
    return true;
}

static uint64_t hq_layout(wl_ds *d, uint64_t *arrays)
{
    uint64_t ts = 2 * d->capacity + 1;
    while (!is_prime(ts))
        ts++;
    d->aux = ts;
    *arrays = ts * d->node;
    return G_BYTES;
}

static void hq_init(wl_ds *d)
{
    ds_st(d, d->globals + G_SIZE, d->aux);
    ds_st(d, d->globals + G_CELLS, d->arrays);
    for (uint64_t i = 0; i < d->aux; i++)
        ds_st(d, d->arrays + i * d->node + F_INFO, EMPTY);
}

static uint64_t find(wl_ds *d, uint64_t key)
{
    uint64_t ts = ds_ld(d, d->globals + G_SIZE), cells = ds_ld(d, d->globals + G_CELLS);
    uint64_t pos = key % ts, coll = 0;
    while (ds_ld(d, cells + pos * d->node + F_INFO) != EMPTY && ds_ld(d, cells + pos * d->node) != key) {
        pos += 2 * ++coll - 1;
        if (pos >= ts)
            pos -= ts;
    }
    return cells + pos * d->node;
}

static bool hq_insert(wl_ds *d, uint64_t key)
{
    uint64_t c = find(d, key);
    if (ds_ld(d, c + F_INFO) == LEGITIMATE)
        return false;
    ds_st(d, c + F_INFO, LEGITIMATE);
    ds_st(d, c, key);
    return true;
}

static bool hq_remove(wl_ds *d, uint64_t key)
{
    uint64_t c = find(d, key);
    if (ds_ld(d, c + F_INFO) != LEGITIMATE)
        return false;
    ds_st(d, c + F_INFO, DELETED);
    return true;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static size_t hq_keys(const wl_ds *d, uint64_t *out, size_t cap)
{
    size_t n = 0;
    for (uint64_t i = 0; i < d->aux; i++)
        if (ds_peek(d, d->arrays + i * d->node + F_INFO) == LEGITIMATE) {
            if (n < cap)
                out[n] = ds_peek(d, d->arrays + i * d->node);
            n++;
        }
    return n;
}

static bool hq_check(const wl_ds *d, char *why, size_t cap)
{
    uint64_t ts = d->aux, *k = vs_malloc((ts + 1) * sizeof *k);
    size_t n = hq_keys(d, k, ts);
    bool ok = n == d->size || ds_failf(why, cap, "%zu legitimate cells, expected %zu", n, d->size);
    for (size_t i = 0; ok && i < n; i++) { /* each key is found by the probe sequence */
        uint64_t pos = k[i] % ts, coll = 0;
        for (;;) {
            uint64_t c = d->arrays + pos * d->node, info = ds_peek(d, c + F_INFO);
            if (info == EMPTY) {
                ok = ds_failf(why, cap, "key %llu unreachable: probing meets an empty cell first",
                              (unsigned long long)k[i]);
                break;
            }
            if (ds_peek(d, c) == k[i] && info == LEGITIMATE)
                break;
            if (ds_peek(d, c) == k[i]) { /* Find stops at the first cell holding the key */
                ok = ds_failf(why, cap, "key %llu: a deleted copy shadows it", (unsigned long long)k[i]);
                break;
            }
            pos += 2 * ++coll - 1;
            if (pos >= ts)
                pos -= ts;
        }
    }
    qsort(k, n, sizeof *k, cmp_u64);
    for (size_t i = 1; ok && i < n; i++)
        if (k[i - 1] == k[i])
            ok = ds_failf(why, cap, "key %llu is legitimate twice", (unsigned long long)k[i]);
    free(k);
    return ok;
}

const wl_ds_ops wl_ds_hashquad = {16, false, hq_layout, hq_init, hq_insert, hq_remove, hq_check, hq_keys};
