/*
 * assoc.c: the set-associative tag store under every TLB, paging-structure
 * cache, nested TLB and data cache (see assoc.h).
 *
 * Two representations, chosen at creation by associativity:
 *
 *  - narrow sets (ways <= ASSOC_SCAN_WAYS): one tag array, a set's tags side
 *    by side (slot = set * ways + way), the array aligned to a host cache
 *    line.  A free way holds the all-ones tag, so a lookup reads the set's
 *    tags and nothing else: every way is compared, without branching (four
 *    at a time with SSE2), and the matching bit taken.  Tags are 4 bytes while
 *    every key inserted fits below ASSOC_EMPTY32 -- the line addresses of the
 *    data caches do for any physical memory below 256 GiB -- so a 16-way set
 *    is one 64-byte line; the first larger key widens the array to 8-byte
 *    tags for good.  Values live in an array of their own, allocated at the
 *    first non-zero value: the data caches store none and never touch it.
 *    Under true LRU (the default) the store updates the policy's recency
 *    ranks inline (tlb/repl_lru.h) instead of calling through the policy.
 *
 *  - packed sets, the narrow form of a 16-way true-LRU store with a power-of-
 *    two set count (the L2 and LLC of the usual configs): each set is one
 *    64-byte block, its tags and its LRU ranks together, so a lookup and its
 *    fill touch one host line, not a tag line and a rank line.  That needs
 *    3-byte tags: a data cache's key is its set index (key & (sets - 1) ==
 *    set), so the tag is key >> log2(sets), split into 16 low and 8 high bits
 *    that SSE2 compares as two vectors.  The first key that does not fit
 *    (another set's bits, or a tag of all ones) unpacks the store into the
 *    4- or 8-byte form above for good.
 *
 *  - wide sets (a 1536-entry fully associative STLB, ...): one open-addressing
 *    hash table (linear probing, backward-shift deletion, so no tombstones)
 *    maps (set, key) to a slot, so lookup, insert and remove are O(1) whatever
 *    the width.  Slots set*ways .. set*ways+ways-1 belong to the set (way =
 *    slot - set*ways); free ones form a per-set free list.
 *
 * Which way of a full set to evict is the replacement policy's choice (see
 * assoc.h); the store reports every hit and fill to it by (set, way).  A free
 * way is always the lowest free one.
 *
 * Identity: an entry is (set, key).  Invariants: a set holds a key at most
 * once and never more than `ways` entries; occupancy is the number of
 * non-free ways (narrow) or live slots (wide); narrow tags are 4 bytes only
 * while every stored key is below ASSOC_EMPTY32; values are all zero while
 * the value array is absent; in the wide form every nonzero hash slot names
 * a live slot and every live slot is named by exactly one hash slot.
 */
#include "assoc.h"
#include "tlb/repl_lru.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define ASSOC_SCAN_WAYS 32 /* beyond this a linear key scan costs more than one hash probe */
#define ASSOC_NIL UINT32_MAX /* ends a free list; "not found" */
#define ASSOC_HASH_MUL 0x9e3779b97f4a7c15ull /* Fibonacci hashing: the high product bits mix every key bit */
#define ASSOC_SET_MUL 0xc2b2ae3d27d4eb4full /* odd constant that separates equal keys of different sets */
#define ASSOC_EMPTY32 UINT32_MAX /* the tag of a free way while tags are 4 bytes */
#define ASSOC_EMPTY64 UINT64_MAX /* ... and once they are 8 (no key is all ones, assoc.h) */
#define ASSOC_LINE 64 /* host cache line: a set's tags start on one */
#define ASSOC_PACK_WAYS 16 /* packed sets: 16 x 3-byte tags + 16 rank bytes = one host line */
#define ASSOC_EMPTY24 0xffffffu /* the tag of a free way while sets are packed */

/* A packed set: way w's tag is lo[w] | hi[w] << 16; rank is true LRU's
 * recency rank of each way (tlb/repl_lru.h), kept here by lru_age_move. */
typedef struct pset {
    uint16_t lo[ASSOC_PACK_WAYS];
    uint8_t hi[ASSOC_PACK_WAYS];
    uint8_t rank[ASSOC_PACK_WAYS];
} pset;
static_assert(sizeof(pset) == ASSOC_LINE, "a packed set is one host cache line");

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
    lru *lru;  /* pst when the policy is true LRU over narrow sets: updated inline */
    uint32_t occupancy;

    /* The last hit, while nothing has been inserted or removed since.  It is
     * then the entry hit last, and a policy must not change on a repeat of
     * that hit (assoc.h), so the repeat skips the policy. */
    bool memo_ok;
    uint32_t memo_set;
    uint64_t memo_key, memo_val;
    /* The key the last narrow lookup missed, while no key has been inserted
     * since: still absent (a removal cannot add it), so its fill -- a TLB's
     * or a paging-structure cache's after the walk that the miss started --
     * need not compare the set's tags for it. */
    bool absent_ok;
    uint32_t absent_set;
    uint64_t absent_key;

    /* narrow form: slot = set * ways + way; exactly one of the tag arrays and
     * pk is set */
    uint32_t *tag32;
    uint64_t *tag64;
    pset *pk;
    /* the ways of a set holding a key, for the unpacked tags' present width
     * and the way count: chosen when the form changes (n_pick_match) */
    uint32_t (*match)(const assoc *a, uint32_t set, uint64_t key);
    unsigned set_bits; /* log2(sets), while packed */
    uint64_t *vals; /* NULL: every value is 0 */

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

static void *alloc_lines(size_t bytes)
{
    size_t n = (bytes + ASSOC_LINE - 1) / ASSOC_LINE * ASSOC_LINE;
    void *p = aligned_alloc(ASSOC_LINE, n);
    if (!p)
        vs_oom(n);
    return p;
}

/* Bit i set when tag i of the n at k is key.  Every tag is compared, with
 * no early exit, so where the key sits costs nothing and the loop exit never
 * mispredicts. */
static inline uint32_t match64(const uint64_t *k, uint64_t key, uint32_t n)
{
    uint32_t m = 0;
#pragma GCC unroll 16 /* the widest switch case below: each becomes straight-line code */
    for (uint32_t i = 0; i < n; i++)
        m |= (uint32_t)(k[i] == key) << i;
    return m;
}

/* match64, and in *free_ways the free tags, in the same pass over k. */
static inline uint32_t match64_free(const uint64_t *k, uint64_t key, uint32_t n, uint32_t *free_ways)
{
    uint32_t m = 0, f = 0;
#pragma GCC unroll 16 /* as match64 */
    for (uint32_t i = 0; i < n; i++) {
        m |= (uint32_t)(k[i] == key) << i;
        f |= (uint32_t)(k[i] == ASSOC_EMPTY64) << i;
    }
    *free_ways = f;
    return m;
}

static inline uint32_t match32(const uint32_t *k, uint32_t key, uint32_t n)
{
#ifdef __SSE2__
    if (n % 4 == 0) {
        __m128i kk = _mm_set1_epi32((int)key);
        uint32_t m = 0;
#pragma GCC unroll 8
        for (uint32_t i = 0; i < n; i += 4) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(k + i));
            m |= (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(v, kk))) << i;
        }
        return m;
    }
#endif
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        m |= (uint32_t)(k[i] == key) << i;
    return m;
}

/* A packed set's tags as compared: in registers with SSE2 (the low halves of
 * ways 0-7 and 8-15, and the high bytes), else read from the set. */
#ifdef __SSE2__
typedef struct pk_regs {
    __m128i lo0, lo1, hi;
} pk_regs;

static inline pk_regs pk_load(const pset *p)
{
    return (pk_regs){_mm_load_si128((const __m128i *)(const void *)p->lo),
                     _mm_load_si128((const __m128i *)(const void *)(p->lo + 8)),
                     _mm_load_si128((const __m128i *)(const void *)p->hi)};
}

/* Bit w set when way w of the loaded set holds the 3-byte tag t. */
static inline uint32_t pk_cmp(pk_regs r, uint32_t t)
{
    __m128i lo = _mm_set1_epi16((short)(t & 0xffff)), hi = _mm_set1_epi8((char)(t >> 16));
    __m128i l0 = _mm_cmpeq_epi16(r.lo0, lo), l1 = _mm_cmpeq_epi16(r.lo1, lo), h = _mm_cmpeq_epi8(r.hi, hi);
    /* packs saturates each all-ones 16-bit lane to an all-ones byte: one byte per way */
    return (uint32_t)_mm_movemask_epi8(_mm_and_si128(_mm_packs_epi16(l0, l1), h));
}
#else
typedef struct pk_regs {
    const pset *p;
} pk_regs;

static inline pk_regs pk_load(const pset *p) { return (pk_regs){p}; }

static inline uint32_t pk_cmp(pk_regs r, uint32_t t)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < ASSOC_PACK_WAYS; i++)
        m |= (uint32_t)(r.p->lo[i] == (t & 0xffff) && r.p->hi[i] == t >> 16) << i;
    return m;
}
#endif

/* Bit w set when way w of the packed set p holds the 3-byte tag t. */
static inline uint32_t pk_match(const pset *p, uint32_t t) { return pk_cmp(pk_load(p), t); }

/* Whether key can sit in a packed store's set: it is that set's index and
 * its tag is not the free one. */
static inline bool pk_fits(const assoc *a, uint64_t key, uint32_t set)
{
    return (key & a->set_mask) == set && (key >> a->set_bits) < ASSOC_EMPTY24;
}

/* Ways of the set whose tag is t.  Common associativities get a fully
 * unrolled compare, the rest a loop. */
static inline __attribute__((always_inline)) uint32_t n_match_tag(const assoc *a, uint32_t set, uint64_t t)
{
    size_t base = (size_t)set * a->ways;
    if (a->tag32) {
        const uint32_t *k = a->tag32 + base;
        switch (a->ways) {
        case 4: return match32(k, (uint32_t)t, 4);
        case 8: return match32(k, (uint32_t)t, 8);
        case 12: return match32(k, (uint32_t)t, 12);
        case 16: return match32(k, (uint32_t)t, 16);
        default: return match32(k, (uint32_t)t, a->ways);
        }
    }
    const uint64_t *k = a->tag64 + base;
    switch (a->ways) {
    case 4: return match64(k, t, 4);
    case 8: return match64(k, t, 8);
    case 12: return match64(k, t, 12);
    case 16: return match64(k, t, 16);
    default: return match64(k, t, a->ways);
    }
}

/* n_match for unpacked tags, one function per tag width and common way
 * count, so a lookup does not re-test the form. */
static inline __attribute__((always_inline)) uint32_t m32(const assoc *a, uint32_t set, uint64_t key, uint32_t n)
{
    if (key >= ASSOC_EMPTY32) /* no stored key is this large yet */
        return 0;
    return match32(a->tag32 + (size_t)set * n, (uint32_t)key, n);
}
static uint32_t m32_4(const assoc *a, uint32_t set, uint64_t key) { return m32(a, set, key, 4); }
static uint32_t m32_8(const assoc *a, uint32_t set, uint64_t key) { return m32(a, set, key, 8); }
static uint32_t m32_12(const assoc *a, uint32_t set, uint64_t key) { return m32(a, set, key, 12); }
static uint32_t m32_16(const assoc *a, uint32_t set, uint64_t key) { return m32(a, set, key, 16); }
static uint32_t m32_n(const assoc *a, uint32_t set, uint64_t key) { return m32(a, set, key, a->ways); }
static inline __attribute__((always_inline)) uint32_t m64(const assoc *a, uint32_t set, uint64_t key, uint32_t n)
{
    return match64(a->tag64 + (size_t)set * n, key, n);
}
static uint32_t m64_4(const assoc *a, uint32_t set, uint64_t key) { return m64(a, set, key, 4); }
static uint32_t m64_8(const assoc *a, uint32_t set, uint64_t key) { return m64(a, set, key, 8); }
static uint32_t m64_12(const assoc *a, uint32_t set, uint64_t key) { return m64(a, set, key, 12); }
static uint32_t m64_16(const assoc *a, uint32_t set, uint64_t key) { return m64(a, set, key, 16); }
static uint32_t m64_n(const assoc *a, uint32_t set, uint64_t key) { return m64(a, set, key, a->ways); }

/* Chooses a->match for the store's present unpacked form. */
static void n_pick_match(assoc *a)
{
    static uint32_t (*const by32[])(const assoc *, uint32_t, uint64_t) = {m32_4, m32_8, m32_12, m32_16};
    static uint32_t (*const by64[])(const assoc *, uint32_t, uint64_t) = {m64_4, m64_8, m64_12, m64_16};
    bool common = a->ways % 4 == 0 && a->ways <= 16;
    if (a->tag32)
        a->match = common ? by32[a->ways / 4 - 1] : m32_n;
    else
        a->match = common ? by64[a->ways / 4 - 1] : m64_n;
}

/* Ways of the set that hold key (at most one).  Forced inline, as is
 * n_lookup: left to itself GCC called it out of line on every first-level
 * TLB lookup (docs/performance.md, nmatch14). */
static inline __attribute__((always_inline)) uint32_t n_match(const assoc *a, uint32_t set, uint64_t key)
{
    if (VS_LIKELY(a->pk != NULL))
        return pk_fits(a, key, set) ? pk_match(&a->pk[set], (uint32_t)(key >> a->set_bits)) : 0;
    return a->match(a, set, key);
}

static inline uint32_t n_free_ways(const assoc *a, uint32_t set)
{
    if (a->pk)
        return pk_match(&a->pk[set], ASSOC_EMPTY24);
    return n_match_tag(a, set, a->tag32 ? ASSOC_EMPTY32 : ASSOC_EMPTY64);
}

/* The key in a slot that is not free. */
static inline uint64_t n_tag(const assoc *a, size_t slot)
{
    if (a->pk) {
        const pset *p = &a->pk[slot / ASSOC_PACK_WAYS];
        size_t w = slot % ASSOC_PACK_WAYS;
        return ((uint64_t)p->lo[w] | (uint64_t)p->hi[w] << 16) << a->set_bits | slot / ASSOC_PACK_WAYS;
    }
    return a->tag32 ? a->tag32[slot] : a->tag64[slot];
}

/* key ASSOC_EMPTY64 frees the slot. */
static inline void n_set_tag(assoc *a, size_t slot, uint64_t key)
{
    if (a->pk) {
        pset *p = &a->pk[slot / ASSOC_PACK_WAYS];
        uint32_t t = key == ASSOC_EMPTY64 ? ASSOC_EMPTY24 : (uint32_t)(key >> a->set_bits);
        p->lo[slot % ASSOC_PACK_WAYS] = (uint16_t)t;
        p->hi[slot % ASSOC_PACK_WAYS] = (uint8_t)(t >> 16);
    } else if (a->tag32)
        a->tag32[slot] = (uint32_t)key;
    else
        a->tag64[slot] = key;
}

static inline bool n_is_free(const assoc *a, size_t slot)
{
    if (a->pk)
        return a->pk[slot / ASSOC_PACK_WAYS].lo[slot % ASSOC_PACK_WAYS] == 0xffff &&
               a->pk[slot / ASSOC_PACK_WAYS].hi[slot % ASSOC_PACK_WAYS] == 0xff;
    return a->tag32 ? a->tag32[slot] == ASSOC_EMPTY32 : a->tag64[slot] == ASSOC_EMPTY64;
}

/* The first key that does not fit 4 bytes: every tag becomes 8 bytes. */
static void n_widen(assoc *a)
{
    uint64_t *t = alloc_lines((size_t)a->entries * sizeof *t);
    for (size_t i = 0; i < a->entries; i++)
        t[i] = a->tag32[i] == ASSOC_EMPTY32 ? ASSOC_EMPTY64 : a->tag32[i];
    free(a->tag32);
    a->tag32 = NULL;
    a->tag64 = t;
    n_pick_match(a);
}

/* The first key a packed store cannot hold: its tags go to a 4-byte array
 * (8-byte when a stored key needs it) and its ranks back to the policy. */
static void n_unpack(assoc *a)
{
    uint64_t max = 0;
    for (size_t i = 0; i < a->entries; i++)
        if (!n_is_free(a, i) && n_tag(a, i) > max)
            max = n_tag(a, i);
    uint32_t *t32 = NULL;
    uint64_t *t64 = NULL;
    if (max < ASSOC_EMPTY32)
        t32 = alloc_lines((size_t)a->entries * sizeof *t32);
    else
        t64 = alloc_lines((size_t)a->entries * sizeof *t64);
    for (size_t i = 0; i < a->entries; i++) {
        uint64_t k = n_is_free(a, i) ? ASSOC_EMPTY64 : n_tag(a, i);
        if (t32)
            t32[i] = k == ASSOC_EMPTY64 ? ASSOC_EMPTY32 : (uint32_t)k;
        else
            t64[i] = k;
    }
    lru_age_move(a->lru, NULL, 0);
    free(a->pk);
    a->pk = NULL;
    a->tag32 = t32;
    a->tag64 = t64;
    n_pick_match(a);
}

static inline void pol_hit(assoc *a, uint32_t set, uint32_t way)
{
    if (VS_LIKELY(a->lru != NULL))
        lru_age_use(a->lru, set, way);
    else
        a->pol->hit(a->pst, set, way);
}

/* A way for a new key in the set whose free ways are free_ways: the lowest
 * free one, else the policy's victim (its key goes to *victim).  The policy
 * hears of the fill. */
static inline uint32_t n_fill_way(assoc *a, uint32_t set, uint32_t free_ways, uint64_t *victim, bool *evicted)
{
    uint32_t way;
    if (free_ways) {
        way = (uint32_t)__builtin_ctz(free_ways);
        a->occupancy++;
    } else {
        way = a->lru ? lru_age_victim(a->lru, set) : a->pol->victim(a->pst, set);
        assert(way < a->ways);
        if (victim)
            *victim = n_tag(a, (size_t)set * a->ways + way);
        *evicted = true;
    }
    if (a->lru)
        lru_age_use(a->lru, set, way);
    else
        a->pol->fill(a->pst, set, way);
    return way;
}

static inline __attribute__((always_inline)) bool n_lookup(assoc *a, uint64_t key, uint32_t set, uint64_t *val)
{
    uint32_t m = n_match(a, set, key);
    if (!m)
        return false;
    unsigned way = (unsigned)__builtin_ctz(m);
    pol_hit(a, set, way);
    *val = a->vals ? a->vals[(size_t)set * a->ways + way] : 0;
    return true;
}

/* Writes an entry into a way. */
static inline void n_put(assoc *a, uint32_t set, uint32_t way, uint64_t key, uint64_t val)
{
    size_t slot = (size_t)set * a->ways + way;
    n_set_tag(a, slot, key);
    if (val && !a->vals)
        a->vals = vs_calloc(a->entries, sizeof *a->vals);
    if (a->vals)
        a->vals[slot] = val;
}

/* Whether key fits the store's present form: no unpacking or widening
 * before it is stored. */
static inline bool n_fits(const assoc *a, uint64_t key, uint32_t set)
{
    return a->pk ? pk_fits(a, key, set) : !a->tag32 || key < ASSOC_EMPTY32;
}

/* Whether no way of any set is free: a set never holds more than `ways`
 * entries, so a store holding `entries` has every set full, and a fill need
 * not compare the set's tags for the free one (the TLBs and paging-structure
 * caches stay full from soon after the start until a flush). */
static inline bool n_no_free(const assoc *a) { return a->occupancy == a->entries; }

/* For a key that fits (n_fits): the ways of the set that hold it (at most
 * one), and in *free_ways its free ways, from one read of its tags. */
static inline uint32_t n_match_free(const assoc *a, uint32_t set, uint64_t key, uint32_t *free_ways)
{
    if (a->pk) {
        pk_regs r = pk_load(&a->pk[set]);
        *free_ways = pk_cmp(r, ASSOC_EMPTY24);
        return pk_cmp(r, (uint32_t)(key >> a->set_bits));
    }
    if (n_no_free(a)) {
        *free_ways = 0;
        return n_match_tag(a, set, key);
    }
    size_t base = (size_t)set * a->ways;
    uint32_t m = 0, f = 0;
    if (a->tag32) {
        const uint32_t *k = a->tag32 + base;
        for (uint32_t i = 0; i < a->ways; i++) {
            m |= (uint32_t)(k[i] == (uint32_t)key) << i;
            f |= (uint32_t)(k[i] == ASSOC_EMPTY32) << i;
        }
    } else {
        const uint64_t *k = a->tag64 + base;
        switch (a->ways) { /* the TLBs' and paging-structure caches' usual widths, unrolled */
        case 4: return match64_free(k, key, 4, free_ways);
        case 8: return match64_free(k, key, 8, free_ways);
        case 12: return match64_free(k, key, 12, free_ways);
        case 16: return match64_free(k, key, 16, free_ways);
        default: return match64_free(k, key, a->ways, free_ways);
        }
    }
    *free_ways = f;
    return m;
}

/* Inserts a key that n_match did not find. */
static inline bool n_insert_new(assoc *a, uint64_t key, uint32_t set, uint64_t val, uint64_t *victim)
{
    if (a->pk && !pk_fits(a, key, set))
        n_unpack(a);
    if (a->tag32 && key >= ASSOC_EMPTY32)
        n_widen(a);
    bool evicted = false;
    uint32_t way = n_fill_way(a, set, n_free_ways(a, set), victim, &evicted);
    n_put(a, set, way, key, val);
    return evicted;
}

/* The fill half of assoc_access under inline true LRU, once the set's tags
 * were compared for the key (no match) and for the free tag (free_ways): the
 * lowest free way, else LRU's victim, made the most recent.  The same way
 * and the same policy state as n_fill_way. */
static inline uint32_t lru_fill_way(assoc *a, uint32_t set, uint32_t free_ways)
{
    uint32_t way;
    if (free_ways) {
        way = (uint32_t)__builtin_ctz(free_ways);
        a->occupancy++;
    } else {
        way = lru_age_victim(a->lru, set);
    }
    lru_age_use(a->lru, set, way);
    if (a->vals) /* assoc_access stores the value 0 */
        a->vals[(size_t)set * a->ways + way] = 0;
    return way;
}

/* assoc_access on a packed store for a key that fits it: lookup and fill in
 * one pass over the set's host line, whose tags are compared once for the key
 * and for the free tag.  The same outcome as n_lookup, then n_insert_new with
 * value 0, on a miss. */
static inline bool pk_access(assoc *a, uint64_t key, uint32_t set)
{
    pset *p = &a->pk[set];
    uint32_t t = (uint32_t)(key >> a->set_bits);
    pk_regs r = pk_load(p); /* one read of the line serves both compares */
    uint32_t m = pk_cmp(r, t);
    if (m) {
        lru_age_use(a->lru, set, (uint32_t)__builtin_ctz(m));
        return true;
    }
    uint32_t way = lru_fill_way(a, set, pk_cmp(r, ASSOC_EMPTY24));
    p->lo[way] = (uint16_t)t;
    p->hi[way] = (uint8_t)(t >> 16);
    return false;
}

/* The same for 4-byte tags under inline true LRU and a key that fits them:
 * no call, and neither of n_insert_new's checks for a change of form. */
static inline bool n_access32(assoc *a, uint64_t key, uint32_t set)
{
    uint32_t m = n_match_tag(a, set, key);
    if (m) {
        lru_age_use(a->lru, set, (uint32_t)__builtin_ctz(m));
        return true;
    }
    uint32_t way = lru_fill_way(a, set, n_no_free(a) ? 0 : n_match_tag(a, set, ASSOC_EMPTY32));
    a->tag32[(size_t)set * a->ways + way] = (uint32_t)key;
    return false;
}

/* absent: the key is known not to be stored (the absent mark), so only the
 * free ways are looked for, and in a full store nothing is compared. */
static bool n_insert(assoc *a, uint64_t key, uint32_t set, uint64_t val, uint64_t *victim, bool absent)
{
    if (VS_UNLIKELY(!n_fits(a, key, set))) /* not stored yet; the form changes first */
        return n_insert_new(a, key, set, val, victim);
    /* The set's tags are read once, for the key and for the free ways: the
     * same way and policy state as n_match, then n_insert_new. */
    uint32_t free_ways, m, way;
    if (absent) {
        m = 0;
        free_ways = n_no_free(a) ? 0 : n_free_ways(a, set);
    } else {
        m = n_match_free(a, set, key, &free_ways);
    }
    bool evicted = false;
    if (m) {
        way = (uint32_t)__builtin_ctz(m);
        pol_hit(a, set, way);
    } else {
        way = n_fill_way(a, set, free_ways, victim, &evicted);
    }
    n_put(a, set, way, key, val);
    return evicted;
}

static bool n_remove(assoc *a, uint64_t key, uint32_t set)
{
    uint32_t m = n_match(a, set, key);
    if (!m)
        return false;
    n_set_tag(a, (size_t)set * a->ways + (unsigned)__builtin_ctz(m), ASSOC_EMPTY64);
    a->occupancy--;
    return true;
}

static size_t n_remove_if(assoc *a, bool (*pred)(uint64_t, uint64_t, void *), void *ctx)
{
    size_t removed = 0;
    for (size_t slot = 0; slot < a->entries; slot++) {
        if (!n_is_free(a, slot) && pred(n_tag(a, slot), a->vals ? a->vals[slot] : 0, ctx)) {
            n_set_tag(a, slot, ASSOC_EMPTY64);
            removed++;
        }
    }
    a->occupancy -= (uint32_t)removed;
    return removed;
}

static void n_clear(assoc *a)
{
    /* all-ones bytes are the free tag at every width */
    if (a->pk)
        for (uint32_t s = 0; s < a->sets; s++) {
            memset(a->pk[s].lo, 0xff, sizeof a->pk[s].lo);
            memset(a->pk[s].hi, 0xff, sizeof a->pk[s].hi);
        }
    else if (a->tag32)
        memset(a->tag32, 0xff, (size_t)a->entries * sizeof *a->tag32);
    else
        memset(a->tag64, 0xff, (size_t)a->entries * sizeof *a->tag64);
    a->occupancy = 0;
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
        static_assert(ASSOC_SCAN_WAYS <= LRU_AGE_WAYS, "narrow sets keep LRU ranks");
        a->lru = a->pol == &repl_lru ? a->pst : NULL;
        if (a->lru && ways == ASSOC_PACK_WAYS && a->pow2) {
            a->pk = alloc_lines((size_t)a->sets * sizeof *a->pk);
            a->set_bits = (unsigned)__builtin_ctz(a->sets);
            lru_age_move(a->lru, a->pk[0].rank, sizeof *a->pk);
        } else {
            a->tag32 = alloc_lines((size_t)entries * sizeof *a->tag32);
            n_pick_match(a);
        }
        n_clear(a);
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
    free(a->pk);
    free(a->tag32);
    free(a->tag64);
    free(a->vals);
    free(a->slots);
    free(a->free_head);
    free(a->wcount);
    free(a->table);
    free(a);
}

/* The hit just found becomes the memo; true. */
static inline bool remember_hit(assoc *a, uint64_t key, uint32_t set, uint64_t val)
{
    a->memo_ok = true;
    a->memo_key = key;
    a->memo_set = set;
    a->memo_val = val;
    return true;
}

/* assoc_lookup in a set already computed: both public lookups inline it. */
static inline __attribute__((always_inline)) bool lookup_in(assoc *a, uint64_t key, uint32_t set, uint64_t *val)
{
    if (a->memo_ok && a->memo_key == key && a->memo_set == set) {
        *val = a->memo_val;
        return true;
    }
    if (VS_UNLIKELY(a->wide))
        return w_lookup(a, key, set, val) && remember_hit(a, key, set, *val);
    if (n_lookup(a, key, set, val))
        return remember_hit(a, key, set, *val);
    a->absent_ok = true;
    a->absent_key = key;
    a->absent_set = set;
    return false;
}

bool assoc_lookup(assoc *a, uint64_t key, uint64_t index, uint64_t *val)
{
    return lookup_in(a, key, set_of(a, index), val);
}

bool assoc_lookup_set(assoc *a, uint64_t key, uint64_t index, uint64_t *val, uint32_t *set)
{
    *set = set_of(a, index);
    return lookup_in(a, key, *set, val);
}

bool assoc_access(assoc *a, uint64_t key, uint64_t index)
{
    uint32_t set = set_of(a, index);
    a->memo_ok = false;
    a->absent_ok = false;
    if (VS_LIKELY(a->pk != NULL) && pk_fits(a, key, set))
        return pk_access(a, key, set);
    if (a->tag32 && a->lru && key < ASSOC_EMPTY32)
        return n_access32(a, key, set);
    if (VS_UNLIKELY(a->wide)) {
        uint64_t val;
        if (w_lookup(a, key, set, &val))
            return true;
        w_insert(a, key, set, 0, NULL);
        return false;
    }
    uint32_t m = n_match(a, set, key);
    if (m) {
        pol_hit(a, set, (uint32_t)__builtin_ctz(m));
        return true;
    }
    n_insert_new(a, key, set, 0, NULL);
    return false;
}

void assoc_prefetch(const assoc *a, uint64_t index)
{
    uint32_t set = set_of(a, index);
    size_t slot = (size_t)set * a->ways;
    if (a->pk) { /* the ranks are in the same line */
        vs_prefetch(&a->pk[set]);
        return;
    }
    if (a->lru)
        vs_prefetch(a->lru->age + set * a->lru->step);
    if (a->tag32)
        vs_prefetch(a->tag32 + slot);
    else if (a->tag64)
        vs_prefetch(a->tag64 + slot);
}

bool assoc_probe(const assoc *a, uint64_t key, uint64_t index, uint64_t *val)
{
    uint32_t set = set_of(a, index);
    if (!a->wide) {
        uint32_t m = n_match(a, set, key);
        if (m && val)
            *val = a->vals ? a->vals[(size_t)set * a->ways + (unsigned)__builtin_ctz(m)] : 0;
        return m != 0;
    }
    uint32_t pos = w_find(a, key, set);
    if (pos != ASSOC_NIL && val)
        *val = a->slots[a->table[pos] - 1].val;
    return pos != ASSOC_NIL;
}

bool assoc_insert(assoc *a, uint64_t key, uint64_t index, uint64_t val, uint64_t *victim)
{
    assert(key != ASSOC_EMPTY64);
    uint32_t set = set_of(a, index);
    a->memo_ok = false;
    bool absent = a->absent_ok && a->absent_key == key && a->absent_set == set;
    a->absent_ok = false;
    return a->wide ? w_insert(a, key, set, val, victim) : n_insert(a, key, set, val, victim, absent);
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
    if (a->wide)
        w_clear(a);
    else
        n_clear(a);
}

size_t assoc_remove_if(assoc *a, bool (*pred)(uint64_t key, uint64_t val, void *ctx), void *ctx)
{
    a->memo_ok = false;
    return a->wide ? w_remove_if(a, pred, ctx) : n_remove_if(a, pred, ctx);
}

uint32_t assoc_sets(const assoc *a) { return a->sets; }
uint32_t assoc_occupancy(const assoc *a) { return a->occupancy; }
