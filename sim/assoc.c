/*
 * assoc.c: the set-associative tag store under every TLB, paging-structure
 * cache, nested TLB and data cache (see assoc.h).
 *
 * Two representations, chosen at creation by associativity:
 *
 *  - narrow sets (ways <= ASSOC_SCAN_WAYS): parallel arrays of keys and
 *    values, slot = set * ways + way, and a per-set bit mask of valid ways.
 *    A lookup compares every way of the set without branching and takes the
 *    matching bit, so its cost does not depend on where the key sits.  Keys
 *    and values are split so a scan touches only keys.
 *
 *  - wide sets (a 1536-entry fully associative STLB, ...): one open-addressing
 *    hash table (linear probing, backward-shift deletion, so no tombstones)
 *    maps (set, key) to a slot, so lookup, insert and remove are O(1) whatever
 *    the width.  Slots set*ways .. set*ways+ways-1 belong to the set (way =
 *    slot - set*ways); free ones form a per-set free list.
 *
 * Which way of a full set to evict is the replacement policy's choice (see
 * assoc.h); the store reports every hit and fill to it by (set, way).
 *
 * Identity: an entry is (set, key).  Invariants: a set holds a key at most
 * once and never more than `ways` entries; occupancy is the number of valid
 * ways (narrow) or live slots (wide); in the wide form every nonzero hash
 * slot names a live slot and every live slot is named by exactly one hash
 * slot.
 */
#include "assoc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define ASSOC_SCAN_WAYS 32 /* beyond this a linear key scan costs more than one hash probe */
#define ASSOC_NIL UINT32_MAX /* ends a free list; "not found" */
#define ASSOC_HASH_MUL 0x9e3779b97f4a7c15ull /* Fibonacci hashing: the high product bits mix every key bit */
#define ASSOC_SET_MUL 0xc2b2ae3d27d4eb4full /* odd constant that separates equal keys of different sets */

typedef struct wslot {
    uint64_t key, val;
    uint32_t next; /* free list of the set, when not live */
    uint32_t set;
    bool live;
} wslot;

struct assoc {
    uint32_t entries, ways, sets;
    uint32_t set_mask; /* sets - 1; used only when pow2 */
    bool pow2;
    bool wide;
    const assoc_policy *pol;
    void *pst; /* the policy's state */
    uint32_t occupancy;

    /* The last hit, while nothing has been inserted or removed since.  It is
     * then the entry hit last, and a policy must not change on a repeat of
     * that hit (assoc.h), so the repeat skips the policy. */
    bool memo_ok;
    uint32_t memo_set;
    uint64_t memo_key, memo_val;

    /* narrow form: slot = set * ways + way */
    uint64_t *keys, *vals;
    uint32_t *valid;   /* per set, bit per way (ways <= ASSOC_SCAN_WAYS fits) */
    uint32_t full_mask; /* valid mask of a full set */

    /* wide form */
    wslot *slots;
    uint32_t *free_head, *wcount; /* per set */
    uint32_t *table;                            /* slot + 1, 0 = empty */
    uint32_t table_mask;
    unsigned table_shift; /* 64 - log2(table size) */
};

static inline uint32_t set_of(const assoc *a, uint64_t index)
{
    return a->pow2 ? (uint32_t)(index & a->set_mask) : (uint32_t)(index % a->sets);
}

/* ---- narrow form ------------------------------------------------------ */

/* Bit i set when key is in way i of the n ways at k.  Every way is
 * compared, with no early exit, so where the key sits costs nothing and the
 * loop exit never mispredicts. */
static inline uint32_t match_ways(const uint64_t *k, uint64_t key, uint32_t n)
{
    uint32_t m = 0;
#pragma GCC unroll 16 /* the widest switch case below: each becomes straight-line code */
    for (uint32_t i = 0; i < n; i++)
        m |= (uint32_t)(k[i] == key) << i;
    return m;
}

/* Valid ways of the set that hold key.  Common associativities get a fully
 * unrolled compare, the rest a loop. */
static inline uint32_t n_match(const assoc *a, uint32_t set, uint64_t key)
{
    const uint64_t *k = a->keys + (size_t)set * a->ways;
    uint32_t m;
    switch (a->ways) {
    case 4: m = match_ways(k, key, 4); break;
    case 8: m = match_ways(k, key, 8); break;
    case 12: m = match_ways(k, key, 12); break;
    case 16: m = match_ways(k, key, 16); break;
    default: m = match_ways(k, key, a->ways); break;
    }
    return m & a->valid[set];
}

static bool n_lookup(assoc *a, uint64_t key, uint32_t set, uint64_t *val)
{
    uint32_t m = n_match(a, set, key);
    if (!m)
        return false;
    unsigned way = (unsigned)__builtin_ctz(m);
    a->pol->hit(a->pst, set, way);
    *val = a->vals[(size_t)set * a->ways + way];
    return true;
}

static bool n_insert(assoc *a, uint64_t key, uint32_t set, uint64_t val, uint64_t *victim)
{
    uint32_t m = n_match(a, set, key), valid = a->valid[set];
    bool evicted = false;
    unsigned way;
    if (m) {
        way = (unsigned)__builtin_ctz(m);
        a->pol->hit(a->pst, set, way);
    } else {
        if (valid != a->full_mask) {
            way = (unsigned)__builtin_ctz(~valid);
            a->valid[set] = valid | 1u << way;
            a->occupancy++;
        } else {
            way = a->pol->victim(a->pst, set);
            assert(way < a->ways);
            if (victim)
                *victim = a->keys[(size_t)set * a->ways + way];
            evicted = true;
        }
        a->pol->fill(a->pst, set, way);
    }
    size_t slot = (size_t)set * a->ways + way;
    a->keys[slot] = key;
    a->vals[slot] = val;
    return evicted;
}

static bool n_remove(assoc *a, uint64_t key, uint32_t set)
{
    uint32_t m = n_match(a, set, key);
    if (!m)
        return false;
    a->valid[set] &= ~m;
    a->occupancy--;
    return true;
}

static size_t n_remove_if(assoc *a, bool (*pred)(uint64_t, uint64_t, void *), void *ctx)
{
    size_t removed = 0;
    for (uint32_t s = 0; s < a->sets; s++) {
        for (uint32_t m = a->valid[s]; m; m &= m - 1) {
            unsigned way = (unsigned)__builtin_ctz(m);
            size_t slot = (size_t)s * a->ways + way;
            if (pred(a->keys[slot], a->vals[slot], ctx)) {
                a->valid[s] &= ~(1u << way);
                removed++;
            }
        }
    }
    a->occupancy -= (uint32_t)removed;
    return removed;
}

/* ---- wide form -------------------------------------------------------- */

static inline uint32_t w_hash(const assoc *a, uint64_t key, uint32_t set)
{
    return (uint32_t)(((key ^ (set * ASSOC_SET_MUL)) * ASSOC_HASH_MUL) >> a->table_shift);
}

/* Hash-table position of (key, set), or ASSOC_NIL. */
static uint32_t w_find(const assoc *a, uint64_t key, uint32_t set)
{
    uint32_t h = w_hash(a, key, set), s;
    while ((s = a->table[h]) != 0) {
        const wslot *w = &a->slots[s - 1];
        if (w->key == key && w->set == set)
            return h;
        h = (h + 1) & a->table_mask;
    }
    return ASSOC_NIL;
}

/* Empties hash position pos, moving later entries of its probe run back so
 * that every entry stays reachable from its home position. */
static void w_table_erase(assoc *a, uint32_t pos)
{
    uint32_t i = pos, j = pos, s;
    for (;;) {
        j = (j + 1) & a->table_mask;
        if ((s = a->table[j]) == 0)
            break;
        const wslot *w = &a->slots[s - 1];
        uint32_t home = w_hash(a, w->key, w->set);
        if (((j - home) & a->table_mask) >= ((j - i) & a->table_mask)) {
            a->table[i] = s;
            i = j;
        }
    }
    a->table[i] = 0;
}

static void w_delete(assoc *a, uint32_t pos)
{
    uint32_t i = a->table[pos] - 1;
    wslot *w = &a->slots[i];
    w_table_erase(a, pos);
    w->live = false;
    w->next = a->free_head[w->set];
    a->free_head[w->set] = i;
    a->wcount[w->set]--;
    a->occupancy--;
}

static bool w_lookup(assoc *a, uint64_t key, uint32_t set, uint64_t *val)
{
    uint32_t pos = w_find(a, key, set);
    if (pos == ASSOC_NIL)
        return false;
    uint32_t i = a->table[pos] - 1;
    a->pol->hit(a->pst, set, i - set * a->ways);
    *val = a->slots[i].val;
    return true;
}

static bool w_insert(assoc *a, uint64_t key, uint32_t set, uint64_t val, uint64_t *victim)
{
    uint32_t pos = w_find(a, key, set);
    if (pos != ASSOC_NIL) {
        uint32_t i = a->table[pos] - 1;
        a->slots[i].val = val;
        a->pol->hit(a->pst, set, i - set * a->ways);
        return false;
    }
    bool evicted = false;
    if (a->wcount[set] == a->ways) {
        uint32_t way = a->pol->victim(a->pst, set);
        assert(way < a->ways);
        uint32_t v = set * a->ways + way;
        if (victim)
            *victim = a->slots[v].key;
        w_delete(a, w_find(a, a->slots[v].key, set));
        evicted = true;
    }
    uint32_t i = a->free_head[set];
    assert(i != ASSOC_NIL);
    wslot *w = &a->slots[i];
    a->free_head[set] = w->next;
    w->key = key;
    w->val = val;
    w->live = true;
    a->pol->fill(a->pst, set, i - set * a->ways);
    uint32_t h = w_hash(a, key, set);
    while (a->table[h] != 0)
        h = (h + 1) & a->table_mask;
    a->table[h] = i + 1;
    a->wcount[set]++;
    a->occupancy++;
    return evicted;
}

static void w_clear(assoc *a)
{
    memset(a->table, 0, ((size_t)a->table_mask + 1) * sizeof *a->table);
    for (uint32_t s = 0; s < a->sets; s++) {
        a->wcount[s] = 0;
        a->free_head[s] = s * a->ways;
        for (uint32_t k = 0; k < a->ways; k++) {
            wslot *w = &a->slots[s * a->ways + k];
            w->set = s;
            w->live = false;
            w->next = k + 1 < a->ways ? s * a->ways + k + 1 : ASSOC_NIL;
        }
    }
    a->occupancy = 0;
}

static size_t w_remove_if(assoc *a, bool (*pred)(uint64_t, uint64_t, void *), void *ctx)
{
    size_t removed = 0;
    for (uint32_t i = 0; i < a->entries; i++) {
        wslot *w = &a->slots[i];
        if (w->live && pred(w->key, w->val, ctx)) {
            w_delete(a, w_find(a, w->key, w->set));
            removed++;
        }
    }
    return removed;
}

/* ---- public ----------------------------------------------------------- */

assoc *assoc_new(uint32_t entries, uint32_t ways, assoc_repl repl, uint64_t seed)
{
    if (entries == 0 || ways == 0 || ways > entries || entries % ways != 0)
        return NULL;
    assoc *a = vs_calloc(1, sizeof *a);
    a->entries = entries;
    a->ways = ways;
    a->sets = entries / ways;
    a->pow2 = (a->sets & (a->sets - 1)) == 0;
    a->set_mask = a->sets - 1;
    a->pol = repl ? repl : ASSOC_LRU;
    a->pst = a->pol->create(a->sets, ways, seed);
    a->wide = ways > ASSOC_SCAN_WAYS;
    if (!a->wide) {
        /* zeroed: n_match reads the keys of invalid ways before masking them off */
        a->keys = vs_calloc(entries, sizeof *a->keys);
        a->vals = vs_calloc(entries, sizeof *a->vals);
        a->valid = vs_calloc(a->sets, sizeof *a->valid);
        a->full_mask = (uint32_t)((1ull << ways) - 1);
        return a;
    }
    unsigned bits = 1;
    while ((1ull << bits) < 2ull * entries) /* load factor <= 1/2 keeps probe runs short */
        bits++;
    a->table_mask = (uint32_t)((1ull << bits) - 1);
    a->table_shift = 64 - bits;
    a->table = vs_malloc(((size_t)a->table_mask + 1) * sizeof *a->table);
    a->slots = vs_calloc(entries, sizeof *a->slots);
    a->free_head = vs_malloc(a->sets * sizeof *a->free_head);
    a->wcount = vs_malloc(a->sets * sizeof *a->wcount);
    w_clear(a);
    return a;
}

void assoc_free(assoc *a)
{
    if (!a)
        return;
    a->pol->destroy(a->pst);
    free(a->keys);
    free(a->vals);
    free(a->valid);
    free(a->slots);
    free(a->free_head);
    free(a->wcount);
    free(a->table);
    free(a);
}

bool assoc_lookup(assoc *a, uint64_t key, uint64_t index, uint64_t *val)
{
    uint32_t set = set_of(a, index);
    if (a->memo_ok && a->memo_key == key && a->memo_set == set) {
        *val = a->memo_val;
        return true;
    }
    bool hit = VS_LIKELY(!a->wide) ? n_lookup(a, key, set, val) : w_lookup(a, key, set, val);
    if (hit) {
        a->memo_ok = true;
        a->memo_key = key;
        a->memo_set = set;
        a->memo_val = *val;
    }
    return hit;
}

bool assoc_probe(const assoc *a, uint64_t key, uint64_t index, uint64_t *val)
{
    uint32_t set = set_of(a, index);
    if (!a->wide) {
        uint32_t m = n_match(a, set, key);
        if (m && val)
            *val = a->vals[(size_t)set * a->ways + (unsigned)__builtin_ctz(m)];
        return m != 0;
    }
    uint32_t pos = w_find(a, key, set);
    if (pos != ASSOC_NIL && val)
        *val = a->slots[a->table[pos] - 1].val;
    return pos != ASSOC_NIL;
}

bool assoc_insert(assoc *a, uint64_t key, uint64_t index, uint64_t val, uint64_t *victim)
{
    uint32_t set = set_of(a, index);
    a->memo_ok = false;
    return a->wide ? w_insert(a, key, set, val, victim) : n_insert(a, key, set, val, victim);
}

bool assoc_remove(assoc *a, uint64_t key, uint64_t index)
{
    uint32_t set = set_of(a, index);
    a->memo_ok = false;
    if (!a->wide)
        return n_remove(a, key, set);
    uint32_t pos = w_find(a, key, set);
    if (pos == ASSOC_NIL)
        return false;
    w_delete(a, pos);
    return true;
}

void assoc_clear(assoc *a)
{
    a->memo_ok = false;
    if (a->wide) {
        w_clear(a);
        return;
    }
    memset(a->valid, 0, a->sets * sizeof *a->valid);
    a->occupancy = 0;
}

size_t assoc_remove_if(assoc *a, bool (*pred)(uint64_t key, uint64_t val, void *ctx), void *ctx)
{
    a->memo_ok = false;
    return a->wide ? w_remove_if(a, pred, ctx) : n_remove_if(a, pred, ctx);
}

uint32_t assoc_entries(const assoc *a) { return a->entries; }
uint32_t assoc_ways(const assoc *a) { return a->ways; }
uint32_t assoc_sets(const assoc *a) { return a->sets; }
uint32_t assoc_occupancy(const assoc *a) { return a->occupancy; }
