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
 * Replacement is a plug-in policy (assoc_policy below; the policies and their
 * registry live in tlb/repl.h): the store tells the policy of every hit and
 * fill and asks it which way of a full set to evict.  Policies draw any
 * randomness from a PRNG seeded at creation, so runs are deterministic.
 *
 * Keys are any 64-bit value but all ones (which marks a free way).
 *
 * Invariants: a key is present at most once; a set never holds more than
 * `ways` valid entries; lookups of a key always probe the set its index names.
 */
#ifndef VS_ASSOC_H
#define VS_ASSOC_H

#include "common.h"

/* A replacement policy keeps its own state per (set, way).  The store calls
 * hit when a lookup finds a way or an insert rewrites a present key, fill
 * when a new entry takes a way (free, or just evicted), and victim when a
 * set is full.  A hit repeated on the way hit last, with no fill between,
 * must change nothing: the store may skip such repeats. */
typedef struct assoc_policy {
    void *(*create)(uint32_t sets, uint32_t ways, uint64_t seed);
    void (*destroy)(void *st);
    void (*hit)(void *st, uint32_t set, uint32_t way);
    void (*fill)(void *st, uint32_t set, uint32_t way);
    uint32_t (*victim)(void *st, uint32_t set); /* < ways */
} assoc_policy;

typedef const assoc_policy *assoc_repl;

/* True LRU (tlb/repl_lru.c): what the paging-structure caches, the nested TLB
 * and every structure without a configured policy use. */
extern const assoc_policy repl_lru;
#define ASSOC_LRU (&repl_lru)

typedef struct assoc assoc;

/* entries > 0, 1 <= ways <= entries, entries % ways == 0; else NULL.
 * repl NULL: LRU, so zeroed parameter records get the default. */
assoc *assoc_new(uint32_t entries, uint32_t ways, assoc_repl repl, uint64_t seed);
void assoc_free(assoc *a);

/* On hit returns true, stores the value and makes the entry most recent. */
bool assoc_lookup(assoc *a, uint64_t key, uint64_t index, uint64_t *val);
/* assoc_lookup that also stores the set it searched (index % sets: the set
 * lookup, insert and remove use for index), hit or miss, for a caller that
 * tracks entries by set. */
bool assoc_lookup_set(assoc *a, uint64_t key, uint64_t index, uint64_t *val, uint32_t *set);
/* Like lookup but changes nothing (for tests and software walks). */
bool assoc_probe(const assoc *a, uint64_t key, uint64_t index, uint64_t *val);
/* Lookup and fill fused, for stores without values (data caches): on a hit
 * the entry becomes most recent; on a miss key is inserted with value 0, as
 * assoc_insert would.  Returns whether it hit. */
bool assoc_access(assoc *a, uint64_t key, uint64_t index);
/* Asks the host to bring the set of index towards its caches (a hint: no
 * effect on the store), so a lookup issued soon after does not wait for it. */
void assoc_prefetch(const assoc *a, uint64_t index);
/* Inserts or updates key as most recent.  Returns true when a valid entry was
 * evicted to make room, storing its key in *victim (if non-NULL). */
bool assoc_insert(assoc *a, uint64_t key, uint64_t index, uint64_t val, uint64_t *victim);
bool assoc_remove(assoc *a, uint64_t key, uint64_t index);
void assoc_clear(assoc *a);
/* Removes every entry for which pred returns true; returns how many. */
size_t assoc_remove_if(assoc *a, bool (*pred)(uint64_t key, uint64_t val, void *ctx), void *ctx);

uint32_t assoc_sets(const assoc *a);
uint32_t assoc_occupancy(const assoc *a); /* valid entries now */

#endif
