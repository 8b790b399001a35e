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
 * O(log64 frames).  The bottom level is stored in chunks allocated on first
 * use and kept (freeing them when empty made split/merge churn allocate and
 * zero a chunk per page), so an unfragmented allocator costs almost nothing
 * per frame; fully fragmented,
 * all orders together cost 2 bits per frame (frames / 4 bytes) plus ~1/63 for
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
 * Invariants: free blocks never overlap and lie inside the managed range;
 * no two free buddies of the same order (below max_order) coexist;
 * nfree[k] == set bits of order k; sum of nfree[k] * 2^k == free frames.
 */
#include "buddy.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WORD_BITS 64
#define WORD_SHIFT 6
#define HBM_MAX_LEVELS 8          /* 64^8 = 2^48 bits > the 2^40-frame limit */
#define HBM_CHUNK_SHIFT 9         /* 512 bottom words (4 KiB) per lazily allocated chunk */
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
} hbm;

struct buddy {
    uint64_t base, end; /* managed frames [base, end) */
    unsigned max_order;
    uint64_t free_frames;
    uint64_t nfree[BUDDY_MAX_ORDER_LIMIT + 1];
    hbm map[BUDDY_MAX_ORDER_LIMIT + 1]; /* slot i of order k = block (base>>k) + i */
};

static uint64_t words_for(uint64_t bits) { return (bits + WORD_BITS - 1) >> WORD_SHIFT; }

static void hbm_init(hbm *h, uint64_t nbits)
{
    memset(h, 0, sizeof *h);
    h->nbits = nbits;
    uint64_t words = words_for(nbits);
    h->nchunks = (words + HBM_CHUNK_WORDS - 1) >> HBM_CHUNK_SHIFT;
    h->chunks = vs_calloc(h->nchunks, sizeof *h->chunks);
    h->nlevels = 1;
    while (words > 1) {
        assert(h->nlevels < HBM_MAX_LEVELS);
        h->lv[h->nlevels++] = vs_calloc(words_for(words), sizeof(uint64_t));
        words = words_for(words);
    }
}

static void hbm_destroy(hbm *h)
{
    for (uint64_t c = 0; c < h->nchunks; c++)
        free(h->chunks[c]);
    free(h->chunks);
    for (unsigned l = 1; l < h->nlevels; l++)
        free(h->lv[l]);
}

/* Word w of level l, or NULL for an unallocated (all-zero) bottom chunk. */
static uint64_t *hbm_word(const hbm *h, unsigned l, uint64_t w)
{
    if (l > 0)
        return &h->lv[l][w];
    uint64_t *chunk = h->chunks[w >> HBM_CHUNK_SHIFT];
    return chunk ? &chunk[w & (HBM_CHUNK_WORDS - 1)] : NULL;
}

static bool hbm_test(const hbm *h, uint64_t i)
{
    const uint64_t *w = hbm_word(h, 0, i >> WORD_SHIFT);
    return w && ((*w >> (i & (WORD_BITS - 1))) & 1);
}

static void hbm_set(hbm *h, uint64_t i)
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

static void hbm_clear(hbm *h, uint64_t i)
{
    assert(hbm_test(h, i));
    for (unsigned l = 0; l < h->nlevels; l++, i >>= WORD_SHIFT) {
        uint64_t *w = hbm_word(h, l, i >> WORD_SHIFT);
        *w &= ~(1ull << (i & (WORD_BITS - 1)));
        if (*w)
            break;
    }
}

static uint64_t hbm_first(const hbm *h)
{
    unsigned top = h->nlevels - 1;
    const uint64_t *w = hbm_word(h, top, 0);
    if (!w || !*w)
        return NONE;
    uint64_t i = (uint64_t)__builtin_ctzll(*w);
    for (unsigned l = top; l-- > 0;) {
        w = hbm_word(h, l, i);
        assert(w && *w);
        i = (i << WORD_SHIFT) | (uint64_t)__builtin_ctzll(*w);
    }
    return i;
}

/* ---- the allocator proper ---- */

static uint64_t slot_of(const buddy *b, uint64_t pfn, unsigned k) { return (pfn >> k) - (b->base >> k); }

static bool block_free(const buddy *b, uint64_t pfn, unsigned k)
{
    if (pfn < b->base || pfn >= b->end)
        return false;
    return hbm_test(&b->map[k], slot_of(b, pfn, k));
}

static void add_block(buddy *b, uint64_t pfn, unsigned k)
{
    hbm_set(&b->map[k], slot_of(b, pfn, k));
    b->nfree[k]++;
    b->free_frames += 1ull << k;
}

static void remove_block(buddy *b, uint64_t pfn, unsigned k)
{
    hbm_clear(&b->map[k], slot_of(b, pfn, k));
    b->nfree[k]--;
    b->free_frames -= 1ull << k;
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

static unsigned ceil_log2(uint64_t n) { return n <= 1 ? 0 : 64 - (unsigned)__builtin_clzll(n - 1); }

buddy *buddy_new(uint64_t base_pfn, uint64_t nframes, unsigned max_order, vs_err *err)
{
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
    for (unsigned k = 0; k <= max_order; k++)
        hbm_init(&b->map[k], ((b->end - 1) >> k) - (base_pfn >> k) + 1);
    buddy_free_exact(b, base_pfn, nframes);
    return b;
}

void buddy_free_all(buddy *b)
{
    if (!b)
        return;
    for (unsigned k = 0; k <= b->max_order; k++)
        hbm_destroy(&b->map[k]);
    free(b);
}

/* Takes free block (pfn, k) and splits it down to order `to`, keeping the
 * half that holds `keep` and freeing the other halves. */
static void take_and_split(buddy *b, uint64_t pfn, unsigned k, uint64_t keep, unsigned to)
{
    remove_block(b, pfn, k);
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

bool buddy_alloc(buddy *b, unsigned order, uint64_t *pfn)
{
    for (unsigned k = order; k <= b->max_order; k++) {
        uint64_t slot = hbm_first(&b->map[k]);
        if (slot == NONE)
            continue;
        uint64_t p = ((b->base >> k) + slot) << k;
        take_and_split(b, p, k, p, order);
        *pfn = p;
        return true;
    }
    return false;
}

bool buddy_alloc_at(buddy *b, uint64_t pfn, unsigned order)
{
    if (order > b->max_order || (pfn & ((1ull << order) - 1)))
        return false;
    for (unsigned k = order; k <= b->max_order; k++) {
        uint64_t blk = pfn >> k << k;
        if (block_free(b, blk, k)) {
            take_and_split(b, blk, k, pfn, order);
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
        uint64_t slot = hbm_first(&b->map[k]);
        uint64_t p = slot == NONE ? NONE : ((b->base >> k) + slot) << k;
        if (p < best) {
            best = p;
            best_k = k;
        }
    }
    if (best == NONE)
        return false;
    take_and_split(b, best, best_k, best, order);
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
