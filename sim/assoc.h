/*
 * assoc.h: a set-associative tag store -- the one structure under every TLB,
 * paging-structure cache, nested TLB and data cache in vmemsim.
 *
 * It maps a 64-bit key to a 64-bit value.  The caller supplies the key (which
 * must encode everything that makes an entry distinct: page number, address-
 * space tag, page size) and an index from which the set is chosen
 * (set = index % sets, so any entry count that is a multiple of ways works,
 * 1536 included).  ways == entries makes it fully associative; large fully
 * associative stores are indexed by a hash table so lookups stay O(1).
 *
 * Replacement is true LRU (recency order within a set) or uniform random from
 * a seeded PRNG, so runs are deterministic.
 *
 * Invariants: a key is present at most once; a set never holds more than
 * `ways` valid entries; lookups of a key always probe the set its index names.
 */
#ifndef VS_ASSOC_H
#define VS_ASSOC_H

#include "common.h"

typedef enum assoc_repl { ASSOC_LRU = 0, ASSOC_RANDOM = 1 } assoc_repl;

typedef struct assoc assoc;

/* entries > 0, 1 <= ways <= entries, entries % ways == 0; else NULL. */
assoc *assoc_new(uint32_t entries, uint32_t ways, assoc_repl repl, uint64_t seed);
void assoc_free(assoc *a);

/* On hit returns true, stores the value and makes the entry most recent. */
bool assoc_lookup(assoc *a, uint64_t key, uint64_t index, uint64_t *val);
/* Like lookup but changes nothing (for tests and software walks). */
bool assoc_probe(const assoc *a, uint64_t key, uint64_t index, uint64_t *val);
/* Inserts or updates key as most recent.  Returns true when a valid entry was
 * evicted to make room, storing its key in *victim (if non-NULL). */
bool assoc_insert(assoc *a, uint64_t key, uint64_t index, uint64_t val, uint64_t *victim);
bool assoc_remove(assoc *a, uint64_t key, uint64_t index);
void assoc_clear(assoc *a);
/* Removes every entry for which pred returns true; returns how many. */
size_t assoc_remove_if(assoc *a, bool (*pred)(uint64_t key, uint64_t val, void *ctx), void *ctx);

uint32_t assoc_entries(const assoc *a);
uint32_t assoc_ways(const assoc *a);
uint32_t assoc_sets(const assoc *a);
uint32_t assoc_occupancy(const assoc *a); /* valid entries now */

#endif
