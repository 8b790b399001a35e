/*
 * pwc.h: paging-structure caches and the nested TLB.  Three shapes, after
 * Barr, Cox and Rixner, "Translation Caching: Skip, Don't Walk" (ISCA'10), the
 * Intel SDM vol. 3A sec. 4.10.3, and Bhargava et al. (ASPLOS'08):
 *
 *  - split translation caches (Intel PML5E/PML4E/PDPTE/PDE caches): one
 *    cache per upper level, tagged by the address prefix that selects the
 *    entry; a lookup probes all and the deepest hit wins, returning the
 *    address of the next table to read, so the walk skips the levels above;
 *  - a unified page-table cache (AMD PWC): entries tagged by the physical
 *    address of the page-table entry itself; each hit saves one reference;
 *  - a nested TLB: guest-physical page -> host-physical page.
 *
 * The module knows nothing of translation modes: a mode decides what an
 * "address" and a "tag" are (a guest VA and a process tag, or a guest-physical
 * address and a VM tag) and whether the cached next-table address is a
 * guest-physical or a host-physical one.
 *
 * Level numbering follows x86: 1 = PT, 2 = PD, 3 = PDPT, 4 = PML4, 5 = PML5.
 * A split entry at level L is keyed by address bits [top:12+9(L-1)] and holds
 * the address of the level L-1 table.
 *
 * Invariants: a split lookup returns the deepest level that hits, so a walk
 * never reads an entry it could have skipped; levels outside [2, top] are
 * never cached.
 */
#ifndef VS_PWC_H
#define VS_PWC_H

#include "../assoc.h"

#define PWC_MAX_LEVELS 5 /* LA57 has five levels */
/* A top level of 2 is 32-bit paging: 10 va bits per level, so only its PDE
 * cache (level 2) can exist, as on Intel cores (SDM 3A 4.10.3.1). */
#define PWC_TOP_32BIT 2

/* Lookups of a split or unified cache by level (index = level; hits +
 * misses = its lookups), since creation or the last reset_stats. */
typedef struct pwc_level_stats {
    uint64_t hits[PWC_MAX_LEVELS + 1], misses[PWC_MAX_LEVELS + 1];
} pwc_level_stats;

typedef struct pwc_split_params {
    unsigned top_level;                        /* 4 or 5, or PWC_TOP_32BIT */
    uint32_t entries[PWC_MAX_LEVELS + 1];      /* indexed by level; 0 = not cached */
    uint32_t ways[PWC_MAX_LEVELS + 1];         /* indexed by level */
    assoc_repl repl;
    uint64_t seed;
} pwc_split_params;

typedef struct pwc_split pwc_split;
pwc_split *pwc_split_new(const pwc_split_params *p, vs_err *err);
void pwc_split_free(pwc_split *c);
/* Deepest hit for addr under tag.  Returns the level whose entry hit (2..top;
 * the walk resumes by reading the level-1 below it from *next_table), or 0 on
 * a complete miss. */
unsigned pwc_split_lookup(pwc_split *c, uint64_t addr, uint16_t tag, uint64_t *next_table);
/* Records that the level-`level` entry for addr points to next_table. */
void pwc_split_fill(pwc_split *c, uint64_t addr, uint16_t tag, unsigned level, uint64_t next_table);
void pwc_split_flush(pwc_split *c);
void pwc_split_flush_tag(pwc_split *c, uint16_t tag);
void pwc_split_reset_stats(pwc_split *c); /* hits and misses to zero, entries kept */
const pwc_level_stats *pwc_split_stats(const pwc_split *c);

typedef struct pwc_unified_params {
    uint32_t entries, ways;
    unsigned level_mask; /* bit L set: entries of level L are cached */
    assoc_repl repl;
    uint64_t seed;
} pwc_unified_params;

typedef struct pwc_unified pwc_unified;
pwc_unified *pwc_unified_new(const pwc_unified_params *p, vs_err *err);
void pwc_unified_free(pwc_unified *c);
bool pwc_unified_caches(const pwc_unified *c, unsigned level);
/* Looks up the entry at physical address entry_pa (a level-`level` entry). */
bool pwc_unified_lookup(pwc_unified *c, uint64_t entry_pa, unsigned level, uint64_t *pte);
void pwc_unified_fill(pwc_unified *c, uint64_t entry_pa, unsigned level, uint64_t pte);
void pwc_unified_invalidate(pwc_unified *c, uint64_t entry_pa);
void pwc_unified_flush(pwc_unified *c);
void pwc_unified_reset_stats(pwc_unified *c); /* hits and misses to zero, entries kept */
const pwc_level_stats *pwc_unified_stats(const pwc_unified *c);

typedef struct pwc_ntlb pwc_ntlb;
pwc_ntlb *pwc_ntlb_new(uint32_t entries, uint32_t ways, assoc_repl repl, uint64_t seed, vs_err *err);
void pwc_ntlb_free(pwc_ntlb *n);
/* gpa -> host physical address of the page (and its size) */
bool pwc_ntlb_lookup(pwc_ntlb *n, uint64_t gpa, uint16_t vm_tag, uint64_t *hpa_page, vs_pgsz *size);
void pwc_ntlb_fill(pwc_ntlb *n, uint64_t gpa, uint16_t vm_tag, uint64_t hpa_page, vs_pgsz size);
void pwc_ntlb_flush(pwc_ntlb *n);
void pwc_ntlb_invalidate(pwc_ntlb *n, uint64_t gpa, uint16_t vm_tag);
void pwc_ntlb_reset_stats(pwc_ntlb *n);
uint64_t pwc_ntlb_hits(const pwc_ntlb *n);
uint64_t pwc_ntlb_misses(const pwc_ntlb *n);

#endif
