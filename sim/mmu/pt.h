/*
 * pt.h: x86 radix page tables held in simulated physical memory (Intel SDM
 * vol. 3A ch. 4.5, 4-level and 5-level paging; sec. 4.3, 32-bit paging).
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
 * A tree of two levels is 32-bit paging (SDM 3A 4.3, the only x86 format with
 * two): 4-byte entries, 1,024 to a 4 KiB table, va bits 31..22 and 21..12
 * index them, and a va has 32 bits.  Its entries keep the low bits of the
 * 64-bit format (P, RW, US, A, D, PS at the same positions; frame in bits
 * 12..31, SDM 3A tables 4-4 to 4-6), so a 32-bit entry read zero-extended is
 * a valid 64-bit PTE for a frame below 4 GiB, and every caller handles both
 * with the same code.  They are stored as memory holds them: two to each
 * 8-byte word, the lower index in the low half.  PSE's 4 MiB leaves are not
 * modelled: a 32-bit tree maps 4 KiB pages only.
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

#include <assert.h>

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

#define PT_LEVELS_32BIT 2    /* a tree of two levels is 32-bit paging (SDM 3A 4.3) */
#define PT_ENTRIES_32BIT 1024 /* 4 KiB table / 4-byte entries */
static inline bool pt_is_32bit(unsigned levels) { return levels == PT_LEVELS_32BIT; }
/* va bits each level of a tree of `levels` translates: 10 for 32-bit paging, else 9. */
static inline unsigned pt_level_bits(unsigned levels) { return pt_is_32bit(levels) ? 10 : 9; }
static inline unsigned pt_entry_bytes(unsigned levels) { return pt_is_32bit(levels) ? 4 : 8; }
static inline unsigned pt_table_entries(unsigned levels) { return 1u << pt_level_bits(levels); }
/* Index of va's entry in a level-`level` table of a tree of `levels`. */
static inline unsigned pt_index_in(uint64_t va, unsigned level, unsigned levels)
{
    unsigned bits = pt_level_bits(levels);
    return (unsigned)(va >> (12 + bits * (level - 1))) & ((1u << bits) - 1);
}
/* Physical address of va's entry in the level-`level` table at `table`. */
static inline uint64_t pt_entry_addr(uint64_t table, uint64_t va, unsigned level, unsigned levels)
{
    return table + (uint64_t)pt_entry_bytes(levels) * pt_index_in(va, level, levels);
}
/* Bits of virtual address a tree of `levels` translates: 32, 48 or 57. */
static inline unsigned pt_va_bits(unsigned levels) { return 12 + pt_level_bits(levels) * levels; }
/* A canonical va has every bit above pt_va_bits - 1 equal to that bit; a
 * 32-bit va has none above bit 31 (it is zero-extended, not sign-extended). */
static inline bool pt_va_canonical(uint64_t va, unsigned levels)
{
    unsigned unused = 64 - pt_va_bits(levels);
    if (pt_is_32bit(levels))
        return va >> pt_va_bits(levels) == 0;
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
/* The same in the entry format of a tree of `levels` (arrays of
 * PT_ENTRIES_32BIT): a 32-bit table's non-zero 4-byte entries. */
unsigned pt_mem_present_in(const pt_mem *m, uint64_t pfn, unsigned levels, unsigned *idx, uint64_t *pte);
uint64_t pt_mem_pages(const pt_mem *m);               /* attached table pages */
size_t pt_mem_overhead_bytes(const pt_mem *m);        /* directory bookkeeping, excluding pages */

/* Reads the entry at physical address entry_pa (must lie in an attached page). */
uint64_t pt_read_entry(const pt_mem *m, uint64_t entry_pa);
void pt_write_entry(pt_mem *m, uint64_t entry_pa, uint64_t pte);
/* The same in the format of a tree of `levels`: a 32-bit entry is the half of
 * its 8-byte word that entry_pa's bit 2 selects, read zero-extended. */
static inline uint64_t pt_read_entry_in(const pt_mem *m, uint64_t entry_pa, unsigned levels)
{
    if (!pt_is_32bit(levels))
        return pt_read_entry(m, entry_pa);
    return (uint32_t)(pt_read_entry(m, entry_pa & ~7ull) >> (8 * (entry_pa & 4)));
}
/* pte must fit the format: below 2^32 for 32-bit paging (callers check frames). */
static inline void pt_write_entry_in(pt_mem *m, uint64_t entry_pa, uint64_t pte, unsigned levels)
{
    if (!pt_is_32bit(levels)) {
        pt_write_entry(m, entry_pa, pte);
        return;
    }
    assert(pte >> 32 == 0);
    unsigned shift = (unsigned)(8 * (entry_pa & 4));
    uint64_t word = pt_read_entry(m, entry_pa & ~7ull);
    pt_write_entry(m, entry_pa & ~7ull, (word & ~(0xffffffffull << shift)) | (pte << shift));
}
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
    unsigned levels;   /* 4 or 5, or 2: 32-bit paging */
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
/* Frees the table pages on the path to va that no longer hold any entry,
 * deepest first, clearing the entry that pointed at each (through
 * ops->entry_written, then ops->free_table), as Linux's free_pgtables does
 * after munmap; the root stays.  Returns the number of pages freed. */
unsigned pt_prune(pt_tree *t, uint64_t va, const pt_ops *ops);
/* True when no leaf and no table exists under the aligned region of `size` at va. */
bool pt_region_empty(const pt_tree *t, uint64_t va, vs_pgsz size);
/* Visits every leaf (va, pte, size) in address order. */
void pt_for_each_leaf(const pt_tree *t, void (*fn)(void *ctx, uint64_t va, uint64_t pte, vs_pgsz size),
                      void *ctx);
/* Frees every table page of the tree through ops->free_table (leaves' frames are the caller's). */
void pt_tree_destroy(pt_tree *t, const pt_ops *ops);

#endif
