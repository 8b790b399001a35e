/*
 * buddy.h: a binary buddy frame allocator, as in Linux's zoned allocator and
 * Xen's heap (Knuth, TAOCP vol. 1 sec. 2.5).  Blocks of 2^order frames,
 * orders 0 .. max_order (at least 18; up to 40), allocated lowest address
 * first so results are deterministic and fragmentation is real.
 *
 * It also computes the two fragmentation indices Linux reports from per-order
 * free counts (mm/vmstat.c: unusable free space index; fragmentation index,
 * Mel Gorman's extfrag index).
 *
 * Optionally it groups pages by mobility as Linux does since 2.6.24 (Mel
 * Gorman; mm/page_alloc.c): pageblocks with a migratetype, a free list per
 * type, and page_alloc's fallback order when a type's lists are empty
 * (buddy.c has the policy), so unmovable allocations (kernel, VMM tables)
 * and movable ones (user and guest memory) share a pageblock only when no
 * free pageblock is left.
 *
 * Memory use is O(frames / 4) bytes at most, never per simulated byte.
 *
 * Invariants: free blocks never overlap; two free buddies of the same order
 * are always merged; sum over free blocks of 2^order == free frames.
 */
#ifndef VS_BUDDY_H
#define VS_BUDDY_H

#include "../common.h"

#define BUDDY_MAX_ORDER_LIMIT 40

typedef struct buddy buddy;

/* Linux's migratetypes (include/linux/mmzone.h), in its fallback table's terms. */
typedef enum buddy_mt { BUDDY_UNMOVABLE, BUDDY_MOVABLE, BUDDY_RECLAIMABLE, BUDDY_MT_COUNT } buddy_mt;

/* Manages frames [base_pfn, base_pfn + nframes).  nframes need not be a power
 * of two.  Returns NULL (err filled) when max_order > BUDDY_MAX_ORDER_LIMIT. */
buddy *buddy_new(uint64_t base_pfn, uint64_t nframes, unsigned max_order, vs_err *err);
/* The same, grouping by mobility in pageblocks of 2^pb_order frames (0 = no
 * grouping: buddy_new); NULL (err filled) when pb_order > max_order. */
buddy *buddy_new_grouped(uint64_t base_pfn, uint64_t nframes, unsigned max_order, unsigned pb_order, vs_err *err);
void buddy_free_all(buddy *b); /* destroys the allocator */

/* Allocates a 2^order block at the lowest free address; false if none.  With
 * grouping it is a movable allocation. */
bool buddy_alloc(buddy *b, unsigned order, uint64_t *pfn);
/* Allocates a 2^order block of migratetype mt: without grouping exactly
 * buddy_alloc; with it, own type first, then a whole free pageblock, then
 * another type's pageblock (buddy.c). */
bool buddy_alloc_mt(buddy *b, unsigned order, buddy_mt mt, uint64_t *pfn);
/* Allocates exactly the aligned block [pfn, pfn + 2^order) if it is all free
 * (with grouping: movable, as buddy_alloc_exact). */
bool buddy_alloc_at(buddy *b, uint64_t pfn, unsigned order);
/* Allocates n contiguous frames (any n), at the lowest address that fits, by
 * splitting a block of the next order and freeing its tail. */
bool buddy_alloc_exact(buddy *b, uint64_t n, uint64_t *pfn);
void buddy_free(buddy *b, uint64_t pfn, unsigned order);
void buddy_free_exact(buddy *b, uint64_t pfn, uint64_t n);
bool buddy_is_free(const buddy *b, uint64_t pfn); /* frame pfn is in a free block */

unsigned buddy_max_order(const buddy *b);
uint64_t buddy_total_frames(const buddy *b);
uint64_t buddy_free_frames(const buddy *b);
/* counts[k] = number of free blocks of order k, for k = 0 .. max_order. */
void buddy_free_counts(const buddy *b, uint64_t *counts);
/* Largest order with a free block, or -1 when memory is full. */
int buddy_largest_free_order(const buddy *b);

/* Linux's unusable free space index for a request of `order`: the fraction of
 * free memory in blocks smaller than 2^order (0 = none unusable). */
double buddy_unusable_index(const uint64_t *counts, unsigned max_order, unsigned order);
/* Linux's fragmentation index for `order`: -1.0 when a block of that order is
 * free (the request would succeed); otherwise 1 - (1 + free/2^order) / blocks,
 * towards 0 meaning failure from lack of memory, towards 1 from fragmentation. */
double buddy_fragmentation_index(const uint64_t *counts, unsigned max_order, unsigned order);

#endif
