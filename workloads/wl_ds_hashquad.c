/*
 * wl_ds_hashquad.c: the open-addressing hash table with quadratic probing of
 * Weiss, "Data Structures and Algorithm Analysis in C++", 3rd ed., section
 * 5.4.2 (Figures 5.14-5.17) and its rehash (section 5.5, Figure 5.22): cells
 * {element, info} with info ACTIVE, EMPTY or DELETED (lazy deletion),
 * myhash(x) = x mod size, probe i at offset i^2 computed incrementally
 * (2i - 1).  The header {size, cells, currentSize} is in the heap like the
 * cells.  insert writes the cell's element and info and ++currentSize; when
 * currentSize exceeds size / 2 it rehashes inside the same operation: a table
 * of nextPrime(2 * size) cells, every info set EMPTY, currentSize = 0 and
 * every ACTIVE element reinserted (a probe sequence and three writes each).
 * remove only marks the cell DELETED: Weiss does not decrement currentSize,
 * so deleted cells count toward the load until the next rehash drops them.
 * We model the cells copy in `vector oldArray = array` as the C edition's
 * pointer swap (Rehash, 2nd ed. Figure 5.22), not as a copy.
 *
 * Tables live in the arrays region, each right after the one it replaces:
 * the old table is deleted but a first-fit heap could not reuse it, since
 * nextPrime(2n) > 2n exceeds every smaller table freed before it combined.
 * The region holds the tables from INITIAL_SIZE up to the first whose half
 * fits the capacity, plus one spare of that size: under churn (deletes mixed
 * with inserts) Weiss's table would keep doubling, so once at the largest
 * size a rehash rebuilds at that size, alternating between the last table
 * and the spare; it still drops the deleted cells, which is what restores
 * the load bound.  The generator's traces (inserts only, or all inserts
 * before any delete) never get there.
 *
 * Invariants: the ACTIVE cells hold distinct keys, each reachable from its
 * hash along the probe sequence before any EMPTY cell; the non-EMPTY cells
 * number at most currentSize, which is at most size / 2.
 */
#include "wl_int.h"

#include <stdlib.h>

#define G_SIZE 0u    /* array.size() */
#define G_CELLS 8u   /* the array's address */
#define G_CURRENT 16u /* currentSize */
#define G_BYTES 24u
#define F_INFO(d) ((d)->ib) /* Info follows the int Element: a slot, or 4 bytes packed */
#define INITIAL_SIZE 101u /* HashTable( int size = 101 ), already prime */
enum { ACTIVE = 0, EMPTY = 1, DELETED = 2 };

static bool is_prime(uint64_t n)
{
    if (n < 2)
        return false;
    for (uint64_t f = 2; f * f <= n; f++)
        if (n % f == 0)
            return false;
    return true;
}

static uint64_t next_prime(uint64_t n)
{
    while (!is_prime(n))
        n++;
    return n;
}

/* The largest table: the first of the growth sequence to hold capacity keys
 * at load 1/2.  *cells: the cells of the whole sequence up to it. */
static uint64_t final_size(const wl_ds *d, uint64_t *cells)
{
    uint64_t ts = INITIAL_SIZE;
    *cells = ts;
    while (d->capacity > ts / 2) {
        ts = next_prime(2 * ts);
        *cells += ts;
    }
    return ts;
}

static uint64_t hq_layout(wl_ds *d, uint64_t *arrays)
{
    uint64_t cells, last = final_size(d, &cells);
    *arrays = (cells + last) * d->node; /* + the spare (header comment) */
    return G_BYTES;
}

/* makeEmpty on a fresh table of ts cells at `cells`. */
static void make_empty(wl_ds *d, uint64_t cells, uint64_t ts)
{
    ds_st(d, d->globals + G_SIZE, ts);
    ds_st(d, d->globals + G_CELLS, cells);
    ds_sti(d, d->globals + G_CURRENT, 0);
    for (uint64_t i = 0; i < ts; i++)
        ds_sti(d, cells + i * d->node + F_INFO(d), EMPTY);
}

static void hq_init(wl_ds *d) { make_empty(d, d->arrays, INITIAL_SIZE); }

static uint64_t find_pos(wl_ds *d, uint64_t key)
{
    uint64_t ts = ds_ld(d, d->globals + G_SIZE), cells = ds_ld(d, d->globals + G_CELLS);
    uint64_t pos = key % ts, coll = 0;
    while (ds_ldi(d, cells + pos * d->node + F_INFO(d)) != EMPTY && ds_ldi(d, cells + pos * d->node) != key) {
        pos += 2 * ++coll - 1;
        if (pos >= ts)
            pos -= ts;
    }
    return cells + pos * d->node;
}

static bool hq_insert(wl_ds *d, uint64_t key);

static void rehash(wl_ds *d)
{
    uint64_t old_ts = ds_ld(d, d->globals + G_SIZE), old = ds_ld(d, d->globals + G_CELLS);
    uint64_t seq, last = final_size(d, &seq), spare = d->arrays + (seq * d->node);
    uint64_t ts = old_ts < last ? next_prime(2 * old_ts) : last;
    make_empty(d, old == spare ? spare - last * d->node : old + old_ts * d->node, ts);
    for (uint64_t i = 0; i < old_ts; i++)
        if (ds_ldi(d, old + i * d->node + F_INFO(d)) == ACTIVE)
            hq_insert(d, ds_ldi(d, old + i * d->node));
}

static bool hq_insert(wl_ds *d, uint64_t key)
{
    uint64_t c = find_pos(d, key);
    if (ds_ldi(d, c + F_INFO(d)) == ACTIVE)
        return false;
    ds_sti(d, c, key);
    ds_sti(d, c + F_INFO(d), ACTIVE);
    uint64_t current = ds_ld(d, d->globals + G_CURRENT) + 1;
    ds_sti(d, d->globals + G_CURRENT, current);
    if (current > ds_ld(d, d->globals + G_SIZE) / 2)
        rehash(d);
    return true;
}

static bool hq_remove(wl_ds *d, uint64_t key)
{
    uint64_t c = find_pos(d, key);
    if (ds_ldi(d, c + F_INFO(d)) != ACTIVE)
        return false;
    ds_sti(d, c + F_INFO(d), DELETED);
    return true;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The current table's ACTIVE keys; *used counts its non-EMPTY cells. */
static size_t table_keys(const wl_ds *d, uint64_t *out, size_t cap, uint64_t *used)
{
    uint64_t ts = ds_peek(d, d->globals + G_SIZE), cells = ds_peek(d, d->globals + G_CELLS);
    size_t n = 0;
    *used = 0;
    for (uint64_t i = 0; i < ts; i++) {
        uint64_t info = ds_peeki(d, cells + i * d->node + F_INFO(d));
        *used += info != EMPTY;
        if (info == ACTIVE) {
            if (n < cap)
                out[n] = ds_peeki(d, cells + i * d->node);
            n++;
        }
    }
    return n;
}

static size_t hq_keys(const wl_ds *d, uint64_t *out, size_t cap)
{
    uint64_t used;
    return table_keys(d, out, cap, &used);
}

static bool hq_check(const wl_ds *d, char *why, size_t cap)
{
    uint64_t ts = ds_peek(d, d->globals + G_SIZE), cells = ds_peek(d, d->globals + G_CELLS);
    uint64_t current = ds_peek(d, d->globals + G_CURRENT), used;
    if (ts == 0 || cells < d->arrays || cells + ts * d->node > d->nodes)
        return ds_failf(why, cap, "table of %llu cells at %#llx lies outside the arrays region",
                        (unsigned long long)ts, (unsigned long long)cells);
    uint64_t *k = vs_malloc((ts + 1) * sizeof *k);
    size_t n = table_keys(d, k, ts, &used);
    bool ok = n == d->size || ds_failf(why, cap, "%zu active cells, expected %zu", n, d->size);
    if (ok && (used > current || current > ts / 2))
        ok = ds_failf(why, cap, "%llu cells in use, currentSize %llu, table %llu: load above 1/2",
                      (unsigned long long)used, (unsigned long long)current, (unsigned long long)ts);
    for (size_t i = 0; ok && i < n; i++) { /* each key is found by the probe sequence */
        uint64_t pos = k[i] % ts, coll = 0;
        for (;;) {
            uint64_t c = cells + pos * d->node, info = ds_peeki(d, c + F_INFO(d));
            if (info == EMPTY) {
                ok = ds_failf(why, cap, "key %llu unreachable: probing meets an empty cell first",
                              (unsigned long long)k[i]);
                break;
            }
            if (ds_peeki(d, c) == k[i] && info == ACTIVE)
                break;
            if (ds_peeki(d, c) == k[i]) { /* findPos stops at the first cell holding the key */
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
            ok = ds_failf(why, cap, "key %llu is active twice", (unsigned long long)k[i]);
    free(k);
    return ok;
}

const wl_ds_ops wl_ds_hashquad = {16, 0, false, DS_WEISS_HASH, hq_layout, hq_init, hq_insert, hq_remove, hq_check, hq_keys};
