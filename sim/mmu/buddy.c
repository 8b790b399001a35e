/*
 * buddy.c: a binary buddy frame allocator (Knuth, TAOCP vol. 1 sec. 2.5;
 * Linux mm/page_alloc.c).  Blocks are aligned to their size in absolute frame
 * numbers, so a block of order 9 is a 2 MiB-aligned physical region a large
 * page can use.
 *
 * Representation: for each order k, a hierarchical bitmap with one bit per
 * aligned 2^k-frame slot that overlaps the managed range; a bit is set iff
 * that slot is a free block of order k.  Each summary level above has one bit
 * per 64-bit word of the level below (set iff that word is non-zero), so the
 * lowest free block of an order is found with one find-first-set per level,
 * O(log64 frames).  A bitmap holding a single bit keeps it in a field of
 * its own and leaves its tree empty: allocating page after page from a large
 * free block leaves each order with at most one free block (the halves split
 * off), so without it nearly every split, take and lookup walked all levels
 * of a tree emptied or filled by that one bit (457 instructions an
 * allocation with the walks, 232 without; callgrind, docs/performance.md,
 * session 14); a second bit moves the lone one into the tree, and clearing
 * down to one bit moves the survivor out.  The bottom level is stored in
 * chunks allocated on first use and kept (freeing them when empty made
 * split/merge churn allocate and zero a chunk per page), so an unfragmented
 * allocator costs almost nothing per frame; fully fragmented, all orders
 * together cost 2 bits per frame (frames / 4 bytes) plus ~1/63 for
 * summaries.
 *
 * Policies: buddy_alloc takes the smallest order that has a free block and,
 * within it, the lowest block; buddy_alloc_exact takes the lowest-addressed
 * free block of order >= ceil(log2 n) (the "lowest address that fits") and
 * frees its tail.  Both split keeping the low half.
 *
 * Indices (mm/vmstat.c, fill_contig_page_info, unusable_free_index and
 * __fragmentation_index; Gorman & Whitcroft, "The What, The Why and the
 * Where To of Anti-Fragmentation", OLS 2006).  With, for request order j,
 *   free_pages      = sum_k counts[k] * 2^k
 *   blocks_total    = sum_k counts[k]
 *   blocks_suitable = sum_{k>=j} counts[k] * 2^(k-j)
 * unusable free space index = (free_pages - blocks_suitable * 2^j) / free_pages,
 *   and 1 when free_pages == 0 ("no free memory is interpreted as all free
 *   memory is unusable");
 * fragmentation index = 0 when blocks_total == 0, -1 when blocks_suitable > 0,
 *   else 1 - (1 + free_pages / 2^j) / blocks_total.
 * Linux scales both by 1000 and truncates with integer division (it cannot
 * use floating point); here they are exact reals, so Linux's value is
 * floor(1000 * ours) / 1000 up to that truncation.
 *
 * Grouping by mobility (buddy_new_grouped; Linux since 2.6.24, Mel Gorman's
 * "grouping pages by mobility", mm/page_alloc.c).  Memory is cut into
 * pageblocks of 2^pb_order frames, each with a migratetype (unmovable,
 * movable, reclaimable; every pageblock starts movable, as memmap_init
 * marks them).  A free block smaller than a pageblock sits on the free
 * lists of its pageblock's type; a free block of a pageblock or more is on
 * one shared list, the pool of whole free pageblocks.  An allocation of
 * type t below pb_order takes, in this order:
 *   1. the smallest block of type t's lists (__rmqueue_smallest);
 *   2. the smallest whole free pageblock block, claiming the pageblock that
 *      receives the allocation for t (Linux finds its own type's whole
 *      blocks by smallest order and another type's by largest, then claims
 *      them whole: can_steal_fallback, order >= pageblock_order; one pool
 *      taken smallest-order first keeps large blocks for large requests);
 *   3. a block of another type, in the order of page_alloc's fallbacks
 *      table (unmovable: reclaimable, movable; movable: reclaimable,
 *      unmovable; reclaimable: unmovable, movable), the largest order
 *      first (__rmqueue_fallback) -- except that a movable request, which
 *      may not steal below pageblock_order / 2, takes the smallest such
 *      block instead (its find_smallest).  When the request may steal and
 *      at least half the pageblock is free, the pageblock is claimed: its
 *      free blocks move to t's lists and its type becomes t
 *      (steal_suitable_fallback, "claim the whole block if over half of it
 *      is free"; Linux 4.13+ also counts the pageblock's used pages of a
 *      compatible type, which needs per-page mobility this model does not
 *      keep).  Otherwise only the block is taken and the rest of it stays
 *      with the pageblock's type.
 * Requests of a pageblock or more come from the pool only and claim every
 * pageblock they cover.  buddy_alloc_at and buddy_alloc_exact claim for the
 * movable type.  Without grouping (pb_order 0) everything is on list 0 and
 * the policies above reduce to the plain ones.
 *
 * Invariants: free blocks never overlap and lie inside the managed range;
 * no two free buddies of the same order (below max_order) coexist;
 * nfree[k] == set bits of order k over all lists; a bitmap's tree is empty
 * unless it holds two bits or more; sum of nfree[k] * 2^k ==
 * free frames; with grouping, a free block below pb_order is on the list of
 * its pageblock's type and pb_free counts the frames of such blocks.
 */
#include "buddy.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WORD_BITS 64
#define WORD_SHIFT 6
#define HBM_MAX_LEVELS 8          /* 64^8 = 2^48 bits > the 2^40-frame limit */
#define HBM_CHUNK_SHIFT 6         /* 64 bottom words (512 bytes) per lazily allocated chunk: a list touched in few places stays small */
#define HBM_CHUNK_WORDS (1u << HBM_CHUNK_SHIFT)
#define BUDDY_PFN_LIMIT (1ull << 40) /* PTE frame field is bits 12..51 */
#define NONE UINT64_MAX /* "no free block" from hbm_first; never a valid slot */

/* A bitmap with summary levels; level 0 lives in chunks allocated on first set. */
typedef struct hbm {
    unsigned nlevels;             /* level nlevels-1 is a single word */
    uint64_t nbits;
    uint64_t **chunks;            /* level 0: nchunks pointers, NULL = all zero */
    uint64_t nchunks;
    uint64_t *lv[HBM_MAX_LEVELS]; /* lv[1..nlevels-1]; lv[0] unused */
    uint64_t count;               /* bits in the set */
    uint64_t single;              /* the bit when count == 1; the tree is then empty */
} hbm;

/* List 0 holds every free block without grouping, and the whole free
 * pageblocks (the pool) with it; list 1 + t the smaller blocks of type t. */
#define POOL 0
#define NLISTS (1 + BUDDY_MT_COUNT)

struct buddy {
    uint64_t base, end; /* managed frames [base, end) */
    unsigned max_order;
    unsigned pb_order;  /* pageblock order; 0 = no grouping by mobility */
    uint8_t *pb_type;   /* per pageblock: its buddy_mt */
    uint64_t *pb_free;  /* per pageblock: frames in its free blocks below pb_order */
    uint64_t free_frames;
    uint64_t nfree[BUDDY_MAX_ORDER_LIMIT + 1];
    hbm map[NLISTS][BUDDY_MAX_ORDER_LIMIT + 1]; /* slot i of order k = block (base>>k) + i */
};

/* mm/page_alloc.c fallbacks[]: where a type looks when its own lists are empty. */
static const buddy_mt fallbacks[BUDDY_MT_COUNT][BUDDY_MT_COUNT - 1] = {
    [BUDDY_UNMOVABLE] = {BUDDY_RECLAIMABLE, BUDDY_MOVABLE},
    [BUDDY_MOVABLE] = {BUDDY_RECLAIMABLE, BUDDY_UNMOVABLE},
    [BUDDY_RECLAIMABLE] = {BUDDY_UNMOVABLE, BUDDY_MOVABLE},
};

static uint64_t words_for(uint64_t bits) { return (bits + WORD_BITS - 1) >> WORD_SHIFT; }

static void hbm_init(hbm *h, uint64_t nbits)
{
    memset(h, 0, sizeof *h);
    h->nbits = nbits;
    uint64_t words = words_for(nbits);
    h->nchunks = (words + HBM_CHUNK_WORDS - 1) >> HBM_CHUNK_SHIFT;
    /* Mapped lazily (vs_zmap): a list's summary words and chunk pointers are
     * sized by all of host memory but written only where its blocks lie. */
    h->chunks = vs_zmap(h->nchunks * sizeof *h->chunks);
    h->nlevels = 1;
    while (words > 1) {
        assert(h->nlevels < HBM_MAX_LEVELS);
        words = words_for(words);
        h->lv[h->nlevels++] = vs_zmap(words * sizeof(uint64_t));
    }
}

static void hbm_destroy(hbm *h)
{
    for (uint64_t c = 0; c < h->nchunks; c++)
        free(h->chunks[c]);
    vs_zunmap(h->chunks, h->nchunks * sizeof *h->chunks);
    uint64_t words = words_for(h->nbits);
    for (unsigned l = 1; l < h->nlevels; l++) {
        words = words_for(words);
        vs_zunmap(h->lv[l], words * sizeof(uint64_t));
    }
}

/* Word w of level l, or NULL for an unallocated (all-zero) bottom chunk. */
static uint64_t *hbm_word(const hbm *h, unsigned l, uint64_t w)
{
    if (l > 0)
        return &h->lv[l][w];
    uint64_t *chunk = h->chunks[w >> HBM_CHUNK_SHIFT];
    return chunk ? &chunk[w & (HBM_CHUNK_WORDS - 1)] : NULL;
}

/* The tree: bit i in the bottom level and its summaries. */
static bool tree_test(const hbm *h, uint64_t i)
{
    const uint64_t *w = hbm_word(h, 0, i >> WORD_SHIFT);
    return w && ((*w >> (i & (WORD_BITS - 1))) & 1);
}

static void tree_set(hbm *h, uint64_t i)
{
    assert(i < h->nbits);
    uint64_t **chunk = &h->chunks[i >> (WORD_SHIFT + HBM_CHUNK_SHIFT)];
    if (!*chunk)
        *chunk = vs_calloc(HBM_CHUNK_WORDS, sizeof(uint64_t));
    for (unsigned l = 0; l < h->nlevels; l++, i >>= WORD_SHIFT) {
        uint64_t *w = hbm_word(h, l, i >> WORD_SHIFT);
        bool was_zero = *w == 0;
        *w |= 1ull << (i & (WORD_BITS - 1));
        if (!was_zero)
            break;
    }
}

static void tree_clear(hbm *h, uint64_t i)
{
    assert(tree_test(h, i));
    for (unsigned l = 0; l < h->nlevels; l++, i >>= WORD_SHIFT) {
        uint64_t *w = hbm_word(h, l, i >> WORD_SHIFT);
        *w &= ~(1ull << (i & (WORD_BITS - 1)));
        if (*w)
            break;
    }
}

static uint64_t tree_first(const hbm *h)
{
    unsigned top = h->nlevels - 1;
    const uint64_t *w = hbm_word(h, top, 0);
    assert(w && *w);
    uint64_t i = (uint64_t)__builtin_ctzll(*w);
    for (unsigned l = top; l-- > 0;) {
        w = hbm_word(h, l, i);
        assert(w && *w);
        i = (i << WORD_SHIFT) | (uint64_t)__builtin_ctzll(*w);
    }
    return i;
}

/* The set: a lone bit lives in `single`, two or more in the tree. */
static bool hbm_test(const hbm *h, uint64_t i)
{
    return h->count == 1 ? h->single == i : h->count > 1 && tree_test(h, i);
}

/* Adds bit i (clear). */
static void hbm_set(hbm *h, uint64_t i)
{
    assert(!hbm_test(h, i));
    if (h->count == 0)
        h->single = i;
    else {
        if (h->count == 1)
            tree_set(h, h->single); /* the lone bit joins the tree */
        tree_set(h, i);
    }
    h->count++;
}

/* Removes bit i (set). */
static void hbm_clear(hbm *h, uint64_t i)
{
    assert(hbm_test(h, i));
    if (h->count > 1) {
        tree_clear(h, i);
        if (h->count == 2) { /* the bit left moves out of the tree */
            h->single = tree_first(h);
            tree_clear(h, h->single);
        }
    }
    h->count--;
}

/* Lowest bit of the set, or NONE. */
static uint64_t hbm_first(const hbm *h)
{
    if (h->count <= 1)
        return h->count ? h->single : NONE;
    return tree_first(h);
}

/* ---- the allocator proper ---- */

static uint64_t slot_of(const buddy *b, uint64_t pfn, unsigned k) { return (pfn >> k) - (b->base >> k); }
static uint64_t pb_of(const buddy *b, uint64_t pfn) { return slot_of(b, pfn, b->pb_order); }

/* The list a free block (pfn, k) belongs on. */
static unsigned list_of(const buddy *b, uint64_t pfn, unsigned k)
{
    return k < b->pb_order ? 1u + b->pb_type[pb_of(b, pfn)] : POOL;
}

static bool block_free(const buddy *b, uint64_t pfn, unsigned k)
{
    if (pfn < b->base || pfn >= b->end)
        return false;
    return hbm_test(&b->map[list_of(b, pfn, k)][k], slot_of(b, pfn, k));
}

static void add_block(buddy *b, uint64_t pfn, unsigned k)
{
    unsigned l = list_of(b, pfn, k);
    hbm_set(&b->map[l][k], slot_of(b, pfn, k));
    if (l != POOL)
        b->pb_free[pb_of(b, pfn)] += 1ull << k;
    b->nfree[k]++;
    b->free_frames += 1ull << k;
}

static void remove_block(buddy *b, uint64_t pfn, unsigned k)
{
    unsigned l = list_of(b, pfn, k);
    hbm_clear(&b->map[l][k], slot_of(b, pfn, k));
    if (l != POOL)
        b->pb_free[pb_of(b, pfn)] -= 1ull << k;
    b->nfree[k]--;
    b->free_frames -= 1ull << k;
}

/* Lowest free block of order k on list l, or NONE. */
static uint64_t first_on(const buddy *b, unsigned l, unsigned k)
{
    uint64_t slot = hbm_first(&b->map[l][k]);
    return slot == NONE ? NONE : ((b->base >> k) + slot) << k;
}

/* Lowest free block of order k on any list, or NONE. */
static uint64_t first_any(const buddy *b, unsigned k)
{
    uint64_t best = first_on(b, POOL, k);
    for (unsigned l = 1; l < NLISTS && k < b->pb_order; l++) {
        uint64_t p = first_on(b, l, k);
        if (p < best)
            best = p;
    }
    return best;
}

/* Sets the type of the pageblock(s) holding the allocated block (pfn, k).
 * Only called on memory that has no free block below pb_order. */
static void set_types(buddy *b, uint64_t pfn, unsigned k, buddy_mt mt)
{
    uint64_t first = pb_of(b, pfn);
    uint64_t n = k > b->pb_order ? 1ull << (k - b->pb_order) : 1;
    for (uint64_t i = 0; i < n; i++)
        b->pb_type[first + i] = (uint8_t)mt;
}

/* Claims a partly used pageblock for mt: its free blocks move to mt's lists
 * (move_freepages_block) and its type becomes mt. */
static void claim_pageblock(buddy *b, uint64_t pfn, buddy_mt mt)
{
    unsigned from = list_of(b, pfn, 0), to = 1u + mt;
    uint64_t start = pfn >> b->pb_order << b->pb_order;
    for (unsigned k = 0; k < b->pb_order; k++)
        for (uint64_t p = start; p < start + (1ull << b->pb_order); p += 1ull << k)
            if (p >= b->base && p < b->end && hbm_test(&b->map[from][k], slot_of(b, p, k))) {
                hbm_clear(&b->map[from][k], slot_of(b, p, k));
                hbm_set(&b->map[to][k], slot_of(b, p, k));
            }
    b->pb_type[pb_of(b, pfn)] = (uint8_t)mt;
}

/* Largest order <= max_order at which pfn is aligned and the block ends by `end`. */
static unsigned fit_order(const buddy *b, uint64_t pfn, uint64_t end)
{
    unsigned k = pfn ? (unsigned)__builtin_ctzll(pfn) : b->max_order;
    if (k > b->max_order)
        k = b->max_order;
    while ((1ull << k) > end - pfn)
        k--;
    return k;
}

/* Pageblocks spanning the managed frames. */
static uint64_t pb_count(const buddy *b) { return ((b->end - 1) >> b->pb_order) - (b->base >> b->pb_order) + 1; }

static unsigned ceil_log2(uint64_t n) { return n <= 1 ? 0 : 64 - (unsigned)__builtin_clzll(n - 1); }

buddy *buddy_new(uint64_t base_pfn, uint64_t nframes, unsigned max_order, vs_err *err)
{
    return buddy_new_grouped(base_pfn, nframes, max_order, 0, err);
}

buddy *buddy_new_grouped(uint64_t base_pfn, uint64_t nframes, unsigned max_order, unsigned pb_order, vs_err *err)
{
    if (pb_order > max_order) {
        vs_fail(err, VS_E_CONFIG, "buddy: pageblock order %u is above max_order %u", pb_order, max_order);
        return NULL;
    }
    if (max_order > BUDDY_MAX_ORDER_LIMIT) {
        vs_fail(err, VS_E_CONFIG, "buddy: max_order %u is above the limit %u", max_order,
                BUDDY_MAX_ORDER_LIMIT);
        return NULL;
    }
    if (nframes == 0 || base_pfn >= BUDDY_PFN_LIMIT || nframes > BUDDY_PFN_LIMIT - base_pfn) {
        vs_fail(err, VS_E_CONFIG,
                "buddy: frames [%llu, +%llu) must be non-empty and below 2^40 (52-bit physical addresses)",
                (unsigned long long)base_pfn, (unsigned long long)nframes);
        return NULL;
    }
    buddy *b = vs_calloc(1, sizeof *b);
    b->base = base_pfn;
    b->end = base_pfn + nframes;
    b->max_order = max_order;
    b->pb_order = pb_order;
    for (unsigned k = 0; k <= max_order; k++)
        for (unsigned l = 0; l < (k < pb_order ? NLISTS : 1u); l++)
            hbm_init(&b->map[l][k], ((b->end - 1) >> k) - (base_pfn >> k) + 1);
    if (pb_order) {
        uint64_t nblocks = pb_count(b);
        b->pb_type = vs_malloc(nblocks);
        memset(b->pb_type, BUDDY_MOVABLE, nblocks); /* memmap_init marks every pageblock movable */
        b->pb_free = vs_zmap(nblocks * sizeof *b->pb_free); /* written only where small blocks are freed */
    }
    buddy_free_exact(b, base_pfn, nframes);
    return b;
}

void buddy_free_all(buddy *b)
{
    if (!b)
        return;
    for (unsigned k = 0; k <= b->max_order; k++)
        for (unsigned l = 0; l < (k < b->pb_order ? NLISTS : 1u); l++)
            hbm_destroy(&b->map[l][k]);
    free(b->pb_type);
    if (b->pb_order)
        vs_zunmap(b->pb_free, pb_count(b) * sizeof *b->pb_free);
    free(b);
}

/* Takes free block (pfn, k) and splits it down to order `to`, keeping the
 * half that holds `keep` and freeing the other halves.  A block taken from
 * the pool claims the pageblock(s) the kept block lies in for mt first, so
 * the halves freed inside them go to mt's lists. */
static void take_and_split(buddy *b, uint64_t pfn, unsigned k, uint64_t keep, unsigned to, buddy_mt mt)
{
    remove_block(b, pfn, k);
    if (b->pb_order && k >= b->pb_order)
        set_types(b, keep, to, mt);
    while (k > to) {
        k--;
        uint64_t half = 1ull << k;
        if (keep >= pfn + half) {
            add_block(b, pfn, k);
            pfn += half;
        } else {
            add_block(b, pfn + half, k);
        }
    }
}

/* The smallest block of order >= from on list l, taken for an order-`order`
 * request of type mt. */
static bool take_smallest(buddy *b, unsigned l, unsigned from, unsigned below, unsigned order, buddy_mt mt,
                          uint64_t *pfn)
{
    for (unsigned k = from; k < below; k++) {
        uint64_t p = first_on(b, l, k);
        if (p == NONE)
            continue;
        take_and_split(b, p, k, p, order, mt);
        *pfn = p;
        return true;
    }
    return false;
}

/* The fallback order k, and the type found there, for a request that found
 * nothing of its own type nor in the pool; false when no list has a block. */
static bool find_fallback(const buddy *b, int k, buddy_mt mt, buddy_mt *found)
{
    for (unsigned i = 0; i < BUDDY_MT_COUNT - 1; i++)
        if (first_on(b, 1u + fallbacks[mt][i], (unsigned)k) != NONE) {
            *found = fallbacks[mt][i];
            return true;
        }
    return false;
}

/* __rmqueue_fallback: a block of another type (see the header comment). */
static bool steal(buddy *b, unsigned order, buddy_mt mt, uint64_t *pfn)
{
    unsigned half = b->pb_order / 2; /* below it a movable request may not claim */
    int k = (int)b->pb_order - 1;
    buddy_mt from = mt;
    while (k >= (int)order && !find_fallback(b, k, mt, &from))
        k--;
    if (k < (int)order)
        return false;
    if (mt == BUDDY_MOVABLE && (unsigned)k < half && (unsigned)k > order) /* find_smallest */
        for (k = (int)order; !find_fallback(b, k, mt, &from); k++)
            ;
    uint64_t p = first_on(b, 1u + from, (unsigned)k);
    bool can_claim = (unsigned)k >= half || mt != BUDDY_MOVABLE;
    if (can_claim && b->pb_free[pb_of(b, p)] >= 1ull << (b->pb_order - 1))
        claim_pageblock(b, p, mt);
    take_and_split(b, p, (unsigned)k, p, order, mt);
    *pfn = p;
    return true;
}

bool buddy_alloc_mt(buddy *b, unsigned order, buddy_mt mt, uint64_t *pfn)
{
    if (order > b->max_order)
        return false;
    if (!b->pb_order)
        return take_smallest(b, POOL, order, b->max_order + 1, order, mt, pfn);
    if (order < b->pb_order && take_smallest(b, 1u + mt, order, b->pb_order, order, mt, pfn))
        return true;
    unsigned from = order > b->pb_order ? order : b->pb_order;
    if (take_smallest(b, POOL, from, b->max_order + 1, order, mt, pfn))
        return true;
    return order < b->pb_order && steal(b, order, mt, pfn);
}

bool buddy_alloc(buddy *b, unsigned order, uint64_t *pfn) { return buddy_alloc_mt(b, order, BUDDY_MOVABLE, pfn); }

bool buddy_alloc_at(buddy *b, uint64_t pfn, unsigned order)
{
    if (order > b->max_order || (pfn & ((1ull << order) - 1)))
        return false;
    for (unsigned k = order; k <= b->max_order; k++) {
        uint64_t blk = pfn >> k << k;
        if (block_free(b, blk, k)) {
            take_and_split(b, blk, k, pfn, order, BUDDY_MOVABLE);
            return true;
        }
    }
    return false;
}

bool buddy_alloc_exact(buddy *b, uint64_t n, uint64_t *pfn)
{
    if (n == 0 || n > (1ull << b->max_order))
        return false;
    unsigned order = ceil_log2(n);
    uint64_t best = NONE;
    unsigned best_k = 0;
    for (unsigned k = order; k <= b->max_order; k++) {
        uint64_t p = first_any(b, k);
        if (p < best) {
            best = p;
            best_k = k;
        }
    }
    if (best == NONE)
        return false;
    take_and_split(b, best, best_k, best, order, BUDDY_MOVABLE);
    buddy_free_exact(b, best + n, (1ull << order) - n);
    *pfn = best;
    return true;
}

void buddy_free(buddy *b, uint64_t pfn, unsigned order)
{
    assert(order <= b->max_order && !(pfn & ((1ull << order) - 1)));
    assert(pfn >= b->base && pfn + (1ull << order) <= b->end);
    for (unsigned k = order; k <= b->max_order; k++)
        assert(!block_free(b, pfn >> k << k, k)); /* double free */
    unsigned k = order;
    while (k < b->max_order) {
        uint64_t mate = pfn ^ (1ull << k);
        if (!block_free(b, mate, k))
            break;
        remove_block(b, mate, k);
        pfn &= ~(1ull << k);
        k++;
    }
    add_block(b, pfn, k);
}

void buddy_free_exact(buddy *b, uint64_t pfn, uint64_t n)
{
    uint64_t end = pfn + n;
    while (pfn < end) {
        unsigned k = fit_order(b, pfn, end);
        buddy_free(b, pfn, k);
        pfn += 1ull << k;
    }
}

bool buddy_is_free(const buddy *b, uint64_t pfn)
{
    for (unsigned k = 0; k <= b->max_order; k++)
        if (block_free(b, pfn >> k << k, k))
            return true;
    return false;
}

unsigned buddy_max_order(const buddy *b) { return b->max_order; }
uint64_t buddy_total_frames(const buddy *b) { return b->end - b->base; }
uint64_t buddy_free_frames(const buddy *b) { return b->free_frames; }

void buddy_free_counts(const buddy *b, uint64_t *counts)
{
    memcpy(counts, b->nfree, (b->max_order + 1) * sizeof *counts);
}

int buddy_largest_free_order(const buddy *b)
{
    for (int k = (int)b->max_order; k >= 0; k--)
        if (b->nfree[k])
            return k;
    return -1;
}

/* The three sums of Linux's fill_contig_page_info (see the header comment). */
typedef struct contig_info {
    double free_pages, blocks_total, blocks_suitable;
} contig_info;

static contig_info contig(const uint64_t *counts, unsigned max_order, unsigned order)
{
    contig_info c = {0, 0, 0};
    for (unsigned k = 0; k <= max_order; k++) {
        c.free_pages += ldexp((double)counts[k], (int)k);
        c.blocks_total += (double)counts[k];
        if (k >= order)
            c.blocks_suitable += ldexp((double)counts[k], (int)(k - order));
    }
    return c;
}

double buddy_unusable_index(const uint64_t *counts, unsigned max_order, unsigned order)
{
    contig_info c = contig(counts, max_order, order);
    if (c.free_pages == 0)
        return 1.0;
    return (c.free_pages - ldexp(c.blocks_suitable, (int)order)) / c.free_pages;
}

double buddy_fragmentation_index(const uint64_t *counts, unsigned max_order, unsigned order)
{
    contig_info c = contig(counts, max_order, order);
    if (c.blocks_total == 0)
        return 0.0;
    if (c.blocks_suitable > 0)
        return -1.0;
    return 1.0 - (1.0 + ldexp(c.free_pages, -(int)order)) / c.blocks_total;
}
