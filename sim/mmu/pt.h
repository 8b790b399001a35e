/*
 * pt.h: x86-64 radix page tables held in simulated physical memory (Intel SDM
 * vol. 3A ch. 4.5, 4-level and 5-level paging).
 *
 * A pt_mem is one physical address space's store of page-table pages: only
 * frames that hold page tables have contents, kept in a sparse two-level
 * directory, so memory grows with the tables that exist, never with the size
 * of the address space.  Guest page tables live in a guest's pt_mem (keyed by
 * guest-physical frame); host and shadow tables in the host's.
 *
 * Entries are real 64-bit PTEs: P, RW, US, A, D, PS and the frame address in
 * bits 12..51.  A leaf at level 2 (2 MiB) or 3 (1 GiB) has PS set.
 *
 * pt_map and friends are the OS's software view (they allocate table pages
 * through a callback and report every entry they write, so the shadow modes
 * can see guest page-table writes).  The hardware walk is performed by the
 * modes, entry by entry, with pt_read_entry, so each reference is priced.
 *
 * Invariants: a table page is attached exactly once before use; a present
 * non-leaf entry always points to an attached table page of the next level.
 */
#ifndef VS_PT_H
#define VS_PT_H

#include "../common.h"

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_ADDR_MASK 0x000ffffffffff000ull /* bits 12..51 */
#define PT_ENTRIES 512                      /* 4 KiB table / 8-byte entries */

static inline unsigned pt_index(uint64_t va, unsigned level)
{
    return (unsigned)(va >> (12 + 9 * (level - 1))) & (PT_ENTRIES - 1);
}
/* Level at which a leaf of this size sits: 4k -> 1, 2m -> 2, 1g -> 3. */
static inline unsigned pt_leaf_level(vs_pgsz s) { return (unsigned)s + 1; }
static inline uint64_t pte_addr(uint64_t pte) { return pte & PTE_ADDR_MASK; }
/* Bits of virtual address a tree of `levels` translates: 48 or 57. */
static inline unsigned pt_va_bits(unsigned levels) { return 12 + 9 * levels; }
/* A canonical va has every bit above pt_va_bits - 1 equal to that bit. */
static inline bool pt_va_canonical(uint64_t va, unsigned levels)
{
    unsigned unused = 64 - pt_va_bits(levels);
    return (uint64_t)((int64_t)(va << unused) >> unused) == va;
}

typedef struct pt_mem pt_mem;
pt_mem *pt_mem_new(void);
void pt_mem_free(pt_mem *m);
void pt_mem_attach(pt_mem *m, uint64_t pfn); /* zeroed table page at pfn */
void pt_mem_detach(pt_mem *m, uint64_t pfn);
bool pt_mem_has(const pt_mem *m, uint64_t pfn); /* pfn holds a table page */
/* The non-zero entries of the table at pfn, in index order (arrays of
 * PT_ENTRIES); returns how many. */
unsigned pt_mem_present(const pt_mem *m, uint64_t pfn, unsigned *idx, uint64_t *pte);
uint64_t pt_mem_pages(const pt_mem *m);               /* attached table pages */
size_t pt_mem_overhead_bytes(const pt_mem *m);        /* directory bookkeeping, excluding pages */

/* Reads the entry at physical address entry_pa (must lie in an attached page). */
uint64_t pt_read_entry(const pt_mem *m, uint64_t entry_pa);
void pt_write_entry(pt_mem *m, uint64_t entry_pa, uint64_t pte);
/* Asks the host to bring the entry at entry_pa (in an attached page, or in
 * no page: then nothing happens) towards its caches, so a pt_read_entry
 * issued after other work does not wait for it.  Changes nothing. */
void pt_prefetch_entry(const pt_mem *m, uint64_t entry_pa);
/* The first step of pt_prefetch_entry, with no load at all: asks the host for
 * the index slot where the lookup of entry_pa's page starts, so that a
 * pt_prefetch_entry or pt_read_entry issued after other work finds it near. */
void pt_prefetch_index(const pt_mem *m, uint64_t entry_pa);

/* How the OS model allocates table pages and hears about entry writes. */
typedef struct pt_ops {
    /* returns a fresh frame for a table page of `level`, or false when full */
    bool (*alloc_table)(void *ctx, unsigned level, uint64_t *pfn);
    void (*free_table)(void *ctx, uint64_t pfn, unsigned level);
    /* every entry write: its physical address, level, old and new value */
    void (*entry_written)(void *ctx, uint64_t entry_pa, unsigned level, uint64_t old_pte,
                          uint64_t new_pte);
    void *ctx;
} pt_ops;

typedef struct pt_tree {
    pt_mem *mem;
    uint64_t root_pfn; /* frame of the top-level table (the CR3 value >> 12) */
    unsigned levels;   /* 4 or 5 */
} pt_tree;

int pt_tree_init(pt_tree *t, pt_mem *mem, unsigned levels, const pt_ops *ops, vs_err *err);
/* Maps va -> pa with a leaf of `size`, creating intermediate tables.  flags
 * are PTE bits beyond P and PS (RW, US, ...).  Fails with VS_E_LIMIT if a
 * table page cannot be allocated, VS_E_USAGE if va is already mapped. */
int pt_map(pt_tree *t, uint64_t va, uint64_t pa, vs_pgsz size, uint64_t flags, const pt_ops *ops,
           vs_err *err);
/* Software lookup: true when va is mapped; fills pa (of va itself), size and leaf pte. */
bool pt_lookup(const pt_tree *t, uint64_t va, uint64_t *pa, vs_pgsz *size, uint64_t *leaf_pte);
/* Physical address of the leaf entry that maps va, if mapped. */
bool pt_leaf_entry_pa(const pt_tree *t, uint64_t va, uint64_t *entry_pa, unsigned *level);
/* Rewrites the leaf entry of a mapped va (e.g. to set RW or D); false if unmapped. */
bool pt_update_leaf(pt_tree *t, uint64_t va, uint64_t new_pte, const pt_ops *ops);
/* Unmaps the leaf covering va; returns its size and physical base. */
bool pt_unmap(pt_tree *t, uint64_t va, const pt_ops *ops, vs_pgsz *size, uint64_t *pa_base);
/* True when no leaf and no table exists under the aligned region of `size` at va. */
bool pt_region_empty(const pt_tree *t, uint64_t va, vs_pgsz size);
/* Visits every leaf (va, pte, size) in address order. */
void pt_for_each_leaf(const pt_tree *t, void (*fn)(void *ctx, uint64_t va, uint64_t pte, vs_pgsz size),
                      void *ctx);
/* Frees every table page of the tree through ops->free_table (leaves' frames are the caller's). */
void pt_tree_destroy(pt_tree *t, const pt_ops *ops);

#endif
