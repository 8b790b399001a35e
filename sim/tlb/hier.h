/*
 * hier.h: the TLB hierarchy of one core -- every TLB structure, grouped into
 * levels per access class (data, instruction), probed in level order, with
 * fills, the inclusion policy, the repeat-hit shortcut and the statistics.
 * The engine asks it for a translation (th_lookup), tells it the translation
 * the mode produced after a miss (th_fill) and forwards shootdowns
 * (th_flush_*, th_invlpg); it knows nothing of translation modes.
 *
 * Model (Intel SDM vol. 3A 4.10; Skylake-class cores): level l+1 is probed
 * only when every structure of level l missed; each level probed costs its
 * slowest structure's latency.  A translation found at level l is filled
 * into every structure of the levels above it that holds its page size
 * (mostly inclusive upward fills, nothing evicted downward); a translation
 * from a walk is filled into every level.  A store that finds a read-only
 * (or not yet dirty-able) entry is a miss for the mode to resolve.
 *
 * Prefetching (tpf.h): a structure with a prefetcher trains it on each of
 * its demand misses and fetches the proposed pages through a probe the
 * engine supplies (th_set_probe: the mode's translation without side
 * effects).  Prefetched translations wait in the structure's prefetch
 * buffer -- a demand miss that finds its page there moves the entry into
 * the structure, and the level counts a hit -- or go into the structure
 * itself when the buffer has no entries (then the first demand hit on each
 * prefetched entry trains the prefetcher as a miss would: tagged
 * prefetching).  Prefetch walks are off the
 * critical path: their references are counted apart and cost no cycles.
 *
 * Invariants: per class, a level's hits + misses == the lookups that reached
 * it, and misses at level l == lookups at level l+1; the last level's misses
 * are the translations the mode was asked for (plus write upgrades).
 */
#ifndef VS_TLB_HIER_H
#define VS_TLB_HIER_H

#include "../json.h"
#include "tlb.h"

typedef enum th_class { TH_DATA = 0, TH_INST = 1, TH_CLASSES = 2 } th_class;

typedef struct th th;

/* The translation of va for the running address space, without side
 * effects; adds the page-table entries it read to *refs; false when va is
 * not mapped. */
typedef bool (*th_probe_fn)(void *ctx, uint64_t va, tlb_entry *out, uint32_t *refs);

/* Builds the hierarchy from n structure descriptions.  Fails (VS_E_CONFIG)
 * when a structure is invalid or a class has no TLB at all. */
th *th_new(const tlb_params *p, unsigned n, vs_err *err);
void th_free(th *h);
/* Where prefetches get translations; without one nothing is prefetched. */
void th_set_probe(th *h, th_probe_fn fn, void *ctx);

/* Looks va up for cls under tag.  True: *e holds a usable translation (a
 * store found a writable entry) and upper levels were filled as the
 * inclusion policy says.  False: the caller must have the mode translate and
 * then call th_fill. */
bool th_lookup(th *h, th_class cls, uint64_t va, uint16_t tag, bool write, tlb_entry *e);
/* th_lookup's common case alone: when the reference repeats a remembered
 * first-level hit (the per-set memo of hier.c), counts it as th_lookup
 * would and sets *pa to va's physical address; otherwise changes nothing
 * (call th_lookup_past_repeat).  The engine's per-reference path: no
 * tlb_entry passes through memory. */
bool th_repeat(th *h, th_class cls, uint64_t va, uint16_t tag, bool write, uint64_t *pa);
/* th_lookup for a reference th_repeat has just refused (the same cls, va,
 * tag and write, nothing done to h in between): the full lookup, without
 * asking the memo again what it has just answered. */
bool th_lookup_past_repeat(th *h, th_class cls, uint64_t va, uint16_t tag, bool write, tlb_entry *e);
/* A translation produced by the mode after a th_lookup miss: fills every
 * level of cls. */
void th_fill(th *h, th_class cls, uint64_t va, uint16_t tag, const tlb_entry *e);

/* Shootdowns.  Full and per-tag flushes are counted as "flushes". */
void th_flush_all(th *h);
void th_flush_tag(th *h, uint16_t tag);
void th_invlpg(th *h, uint16_t tag, uint64_t va);

/* Zeroes every statistic (structures, levels, prefetchers, cycles, flushes)
 * and keeps every entry: the end of a warm-up. */
void th_reset_stats(th *h);
uint64_t th_cycles(const th *h);           /* lookup latency summed over every probe */
uint64_t th_last_level_misses(const th *h); /* both classes: what reached the mode */
/* Writes the "tlb" member: per-structure and per-level hits and misses,
 * flushes, and for a structure with a prefetcher its prefetch counts. */
void th_report(th *h, jw *w); /* adds the counts the repeat-hit memo holds first */

#endif
