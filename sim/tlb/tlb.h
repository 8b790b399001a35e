/*
 * tlb.h: one TLB structure (an L1 DTLB, an STLB, ...).  It knows page sizes,
 * address-space tags and replacement -- nothing of translation modes.
 *
 * A structure may hold several page sizes at once, as real STLBs do: a lookup
 * probes once per supported size (the tag is the page number at that size).
 * Entries are tagged by a 16-bit address-space tag chosen by the engine (it
 * folds VPID and PCID into one), so a context switch need not flush.
 *
 * The payload of an entry is the physical page base plus the permission and
 * dirty state the engine needs to decide whether a store may complete
 * without a walk.
 *
 * Invariants: hits + misses == lookups; an entry's page size is always one
 * of the structure's page sizes.
 */
#ifndef VS_TLB_H
#define VS_TLB_H

#include "../assoc.h"

typedef enum tlb_kind { TLB_DATA = 0, TLB_INSTRUCTION = 1, TLB_UNIFIED = 2 } tlb_kind;

typedef struct tlb_params {
    const char *name;    /* copied */
    unsigned level;      /* 1 = first level probed */
    tlb_kind kind;
    uint32_t entries;    /* any count that is a multiple of ways */
    uint32_t ways;       /* 1 .. entries (entries = fully associative) */
    unsigned page_sizes; /* bit mask of (1u << vs_pgsz) */
    uint32_t latency;    /* cycles per lookup at this level */
    assoc_repl repl;
    uint64_t seed;
    /* Read by the hierarchy (hier.h), not by the structure: */
    unsigned prefetcher;      /* index into tpf_names (tpf.h); 0 = none */
    uint32_t prefetch_buffer; /* entries; 0 = prefetches fill this structure */
    uint32_t prefetch_table;  /* rows of the prefetcher's prediction table */
} tlb_params;

typedef struct tlb_entry {
    uint64_t pa_base; /* physical address of the page (aligned to its size) */
    vs_pgsz size;
    bool writable;
    bool dirty;
} tlb_entry;

typedef struct tlb tlb;

tlb *tlb_new(const tlb_params *p, vs_err *err);
void tlb_free(tlb *t);

bool tlb_lookup(tlb *t, uint64_t va, uint16_t asid, tlb_entry *out); /* counts a hit or miss */
/* tlb_lookup that on a hit also stores the set holding the entry (the page
 * number of va at the entry's size, modulo tlb_sets): the hierarchy's per-set
 * repeat memo (hier.c) tracks which set each remembered hit lives in. */
bool tlb_lookup_set(tlb *t, uint64_t va, uint16_t asid, tlb_entry *out, uint32_t *set);
/* Counts lookups whose outcome the caller already knows to repeat the
 * previous one exactly (the hierarchy's repeat-hit shortcut, hier.c): hits
 * and misses, with no other effect. */
void tlb_add_counts(tlb *t, uint64_t hits, uint64_t misses);
bool tlb_supports(const tlb *t, vs_pgsz size);
uint32_t tlb_sets(const tlb *t); /* tlb_lookup_set's sets range over [0, tlb_sets) */
/* Inserts a translation of `size` (ignored if the size is not supported). */
void tlb_insert(tlb *t, uint64_t va, uint16_t asid, const tlb_entry *e);
/* Inserts a prefetched translation: its first demand hit is counted in
 * tlb_prefetch_hits. */
void tlb_insert_prefetch(tlb *t, uint64_t va, uint16_t asid, const tlb_entry *e);
/* Whether va is held under asid, changing nothing (no count, no recency). */
bool tlb_contains(const tlb *t, uint64_t va, uint16_t asid);
void tlb_flush_all(tlb *t);
void tlb_flush_asid(tlb *t, uint16_t asid);
/* Removes every entry of this asid that maps va (any page size). */
void tlb_invlpg(tlb *t, uint64_t va, uint16_t asid);

const char *tlb_name(const tlb *t);
unsigned tlb_level(const tlb *t);
tlb_kind tlb_get_kind(const tlb *t);
uint32_t tlb_latency(const tlb *t);
/* Zeroes hits, misses and prefetch hits; the entries stay (end of a warm-up). */
void tlb_reset_stats(tlb *t);
uint64_t tlb_hits(const tlb *t);
uint64_t tlb_misses(const tlb *t);
uint64_t tlb_prefetch_hits(const tlb *t); /* first demand hits on prefetched entries */

#endif
