/*
 * wl_ds_hashquad.c: the open-addressing hash table with quadratic probing of
 * Weiss, "Data Structures and Algorithm Analysis in C", 2nd ed., section
 * 5.4.2 (Figures 5.14-5.17, hashquad.c) and its Rehash (section 5.5, Figure
 * 5.22), driven as the book's testhash.c drives it.  The table is a HashTbl
 * {int TableSize; Cell *TheCells} over cells {int Element; enum Info}, Info
 * Legitimate, Empty or Deleted, Hash(x) = x mod TableSize, probe i at offset
 * i^2 computed incrementally (2i - 1).  Insert writes the cell's Info and
 * Element, nothing else: the table keeps no element count.  Rehash is the
 * driver's: testhash.c starts from InitializeTable(CurrentSize = 13) and,
 * before inserting its i-th key, rehashes when i > CurrentSize / 2 and
 * doubles CurrentSize, so the rehash runs inside that insert's operation.
 * Rehash builds InitializeTable(2 * OldSize) -- NextPrime(2 * OldSize)
 * cells, TableSize and TheCells set, every Info Empty -- and reinserts each
 * Legitimate element (two stores each).  CurrentSize and i are main's
 * locals, outside the traced memory (d->aux, d->inserts).
 *
 * Departures, none of which the driver's own inserts reach: Weiss's Rehash
 * mallocs a new HashTbl and leaks the old; here the header stays at the
 * heap's start (two stores per rehash, in at most 11 of 10,000 operations,
 * land on that page instead of a fresh chunk's).  The C edition has no
 * Delete; remove marks the cell Deleted (the lazy deletion of section
 * 5.4), which the driver's count-based rule does not see, so a rehash also
 * runs when the cells in use reach half the table (d->used, model-side): at
 * most (TableSize - 1) / 2 full cells leave a prime table's first
 * (TableSize + 1) / 2 distinct probes an empty one.  Under the driver's
 * inserts that bound is never reached first.
 *
 * Tables live in the arrays region, each right after the one it replaces
 * (free(OldCells) hands back a block smaller than every later table).  The
 * region holds the tables of the driver's growth sequence for the capacity
 * plus one spare of the last size: under churn a rehash at the last size
 * rebuilds there, alternating between the last table and the spare, which
 * drops the deleted cells.
 *
 * Invariants: the Legitimate cells hold distinct keys, each reachable from
 * its hash along the probe sequence before any Empty cell; fewer than half
 * the cells are in use (d->used counts them).
 */
#include "wl_int.h"

#include <stdlib.h>

#define G_SIZE 0u    /* H->TableSize, an int */
#define G_CELLS 8u   /* H->TheCells */
#define G_BYTES 16u
#define F_INFO(d) ((d)->ib) /* Info follows the int Element: a slot, or 4 bytes packed */
#define INITIAL_SIZE 13u /* testhash.c: InitializeTable( CurrentSize = 13 ), already prime */
enum { ACTIVE = 0, EMPTY = 1, DELETED = 2 }; /* Legitimate, Empty, Deleted */

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

/* The largest table: the last the driver builds inserting capacity keys.
 * *cells: the cells of the whole sequence up to it. */
static uint64_t final_size(const wl_ds *d, uint64_t *cells)
{
    uint64_t ts = INITIAL_SIZE, current = INITIAL_SIZE;
    *cells = ts;
    for (uint64_t i = 0; i < d->capacity; i++)
        if (i > current / 2) {
            ts = next_prime(2 * ts);
            *cells += ts;
            current *= 2;
        }
    return ts;
}

static uint64_t hq_layout(wl_ds *d, uint64_t *arrays)
{
    uint64_t cells, last = final_size(d, &cells);
    *arrays = (cells + last) * d->node; /* + the spare (header comment) */
    return G_BYTES;
}

/* InitializeTable's stores on a fresh table of ts cells at `cells`. */
static void initialize_table(wl_ds *d, uint64_t cells, uint64_t ts)
{
    ds_sti(d, d->globals + G_SIZE, ts);
    ds_st(d, d->globals + G_CELLS, cells);
    for (uint64_t i = 0; i < ts; i++)
        ds_sti(d, cells + i * d->node + F_INFO(d), EMPTY);
    d->used = 0;
}

static void hq_init(wl_ds *d)
{
    d->aux = INITIAL_SIZE; /* the driver's CurrentSize */
    initialize_table(d, d->arrays, INITIAL_SIZE);
}

static uint64_t find_pos(wl_ds *d, uint64_t key)
{
    uint64_t ts = ds_ldi(d, d->globals + G_SIZE), cells = ds_ld(d, d->globals + G_CELLS);
    uint64_t pos = key % ts, coll = 0;
    while (ds_ldi(d, cells + pos * d->node + F_INFO(d)) != EMPTY && ds_ldi(d, cells + pos * d->node) != key) {
        pos += 2 * ++coll - 1;
        if (pos >= ts)
            pos -= ts;
    }
    return cells + pos * d->node;
}

/* Weiss's Insert: a key already Legitimate is left alone. */
static bool insert_cell(wl_ds *d, uint64_t key)
{
    uint64_t c = find_pos(d, key), info = ds_ldi(d, c + F_INFO(d));
    if (info == ACTIVE)
        return false;
    ds_sti(d, c + F_INFO(d), ACTIVE);
    ds_sti(d, c, key);
    d->used += info == EMPTY;
    return true;
}

static void rehash(wl_ds *d)
{
    uint64_t old_ts = ds_ldi(d, d->globals + G_SIZE), old = ds_ld(d, d->globals + G_CELLS);
    uint64_t seq, last = final_size(d, &seq), spare = d->arrays + (seq * d->node);
    uint64_t ts = old_ts < last ? next_prime(2 * old_ts) : last;
    initialize_table(d, old == spare ? spare - last * d->node : old + old_ts * d->node, ts);
    for (uint64_t i = 0; i < old_ts; i++)
        if (ds_ldi(d, old + i * d->node + F_INFO(d)) == ACTIVE)
            insert_cell(d, ds_ldi(d, old + i * d->node));
}

/* testhash.c's loop body: the driver's rehash, then Insert(j, H).  i is the
 * number of inserts the driver made before this one. */
static bool hq_insert(wl_ds *d, uint64_t key)
{
    uint64_t i = d->inserts - 1, ts = ds_peeki(d, d->globals + G_SIZE);
    if (i > d->aux / 2) {
        rehash(d);
        d->aux *= 2;
    } else if (d->used >= (ts + 1) / 2) { /* only under lazy deletion (header comment) */
        rehash(d);
    }
    return insert_cell(d, key);
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
    uint64_t ts = ds_peeki(d, d->globals + G_SIZE), cells = ds_peek(d, d->globals + G_CELLS);
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
    uint64_t ts = ds_peeki(d, d->globals + G_SIZE), cells = ds_peek(d, d->globals + G_CELLS);
    uint64_t used;
    if (ts == 0 || cells < d->arrays || cells + ts * d->node > d->nodes)
        return ds_failf(why, cap, "table of %llu cells at %#llx lies outside the arrays region",
                        (unsigned long long)ts, (unsigned long long)cells);
    uint64_t *k = vs_malloc((ts + 1) * sizeof *k);
    size_t n = table_keys(d, k, ts, &used);
    bool ok = n == d->size || ds_failf(why, cap, "%zu active cells, expected %zu", n, d->size);
    if (ok && (used != d->used || used > (ts + 1) / 2))
        ok = ds_failf(why, cap, "%llu cells in use (counted %llu), table %llu: load above 1/2",
                      (unsigned long long)used, (unsigned long long)d->used, (unsigned long long)ts);
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
