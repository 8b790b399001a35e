/*
 * os.h: the guest-OS model -- processes, their page tables, demand paging,
 * fork (copy-on-write), exec and exit, over one physical address space managed
 * by a buddy allocator.  In native mode it is the host OS; under a hypervisor
 * there is one per VM and its "physical" addresses are guest-physical.
 *
 * Demand paging: the first touch of a page faults, and the OS maps a frame.
 * The page-size policy decides the leaf: `4k`; `2m`, THP-like (a 2 MiB leaf
 * wherever the aligned 2 MiB virtual region is still empty and an order-9
 * block is free, else 4 KiB); `1g`, likewise with 1 GiB and order 18.
 * Fork shares the parent's frames read-only in both processes; the first
 * store to such a page copies it (a copy-on-write fault).  Exec and exit free
 * the address space; an unmap releases a range of it; a kmap points a
 * present leaf at a page-cache page.
 *
 * Every page-table entry the OS writes is reported through os_hooks, with its
 * physical address, so a shadow-paging VMM can trap it; every removed or
 * downgraded mapping is reported so TLBs can be shot down.
 *
 * Invariants: a frame is mapped by at most one process unless it is a shared
 * copy-on-write frame (then its share count equals the number of mappings)
 * or a page-cache frame (one more: the cache's own); every frame handed out
 * comes from the buddy allocator and is returned to it when its last
 * mapping goes, except a page-cache frame, which stays cached.
 */
#ifndef VS_OS_H
#define VS_OS_H

#include "pt.h"
#include "buddy.h"

typedef enum os_page_policy { OS_PAGES_4K = 0, OS_PAGES_2M = 1, OS_PAGES_1G = 2 } os_page_policy;

typedef struct os_hooks {
    /* a page-table entry of process `pid` was written (old -> new) */
    void (*pte_written)(void *ctx, uint32_t pid, uint64_t entry_pa, unsigned level, uint64_t old_pte,
                        uint64_t new_pte);
    /* the mapping of [va, va + 2^shift) in pid was removed or lost write permission */
    void (*unmapped)(void *ctx, uint32_t pid, uint64_t va, vs_pgsz size);
    /* a table page was freed (shadow modes drop what they derived from it) */
    void (*table_freed)(void *ctx, uint32_t pid, uint64_t pfn, unsigned level);
    /* the whole address space of pid is gone (exit or exec) */
    void (*space_freed)(void *ctx, uint32_t pid);
    void *ctx;
} os_hooks;

typedef struct os_params {
    unsigned levels;       /* 4 or 5 */
    os_page_policy policy;
    uint64_t mem_bytes;    /* physical memory this OS manages */
    unsigned max_order;    /* buddy orders 0..max_order (>= 18) */
    uint64_t reserved_frames; /* frames at address 0 kept from the allocator (firmware, kernel) */
} os_params;

typedef enum os_fault_kind {
    OS_FAULT_NONE = 0,  /* already mapped with the needed permission */
    OS_FAULT_MAP = 1,   /* demand-paging fault: a new page was mapped */
    OS_FAULT_COW = 2,   /* store to a shared copy-on-write page: copied */
} os_fault_kind;

typedef struct os_fault_info {
    os_fault_kind kind;
    vs_pgsz size;          /* size of the mapping now covering va */
    uint64_t pa_base;      /* its physical base */
    unsigned tables_added; /* page-table pages allocated by this fault */
    unsigned ptes_written; /* entries written by this fault */
} os_fault_info;

typedef struct os os;
typedef struct os_proc os_proc;

int os_new(const os_params *p, const os_hooks *hooks, os **out, vs_err *err);
void os_free(os *o);

/* The process with this pid, created with an empty address space if new. */
int os_proc_get(os *o, uint32_t pid, os_proc **out, vs_err *err);
os_proc *os_proc_find(os *o, uint32_t pid); /* NULL when absent */
uint32_t os_proc_pid(const os_proc *p);
const pt_tree *os_proc_tree(const os_proc *p);
pt_mem *os_mem(os *o);
unsigned os_levels(const os *o);

/* Makes va usable for the access (demand map or CoW copy).  VS_E_LIMIT when
 * physical memory is exhausted. */
int os_fault(os *o, os_proc *p, uint64_t va, bool write, os_fault_info *info, vs_err *err);
int os_fork(os *o, os_proc *parent, uint32_t child_pid, vs_err *err);
int os_exec(os *o, os_proc *p, vs_err *err);
void os_exit(os *o, os_proc *p);
/* What os_unmap cleared: the span [lo, hi) of the leaves it removed (empty
 * when it removed none) and the smallest of their sizes -- the range and
 * stride Linux's mmu_gather hands to flush_tlb_range. */
typedef struct os_unmap_info {
    uint64_t lo, hi;
    vs_pgsz stride;
    uint64_t leaves_cleared, tables_freed;
} os_unmap_info;
/* Releases [va, va + len) of p, as munmap does (zap_page_range, then
 * free_pgtables): every present leaf in it is cleared and its frame freed,
 * and every table page left empty is freed.  A large leaf only partly inside
 * is first split into leaves of the next smaller size (split_huge_pmd);
 * VS_E_USAGE if that leaf is shared copy-on-write (per-piece share counts are
 * not modelled), VS_E_LIMIT if no frame is left for the split's table.  va
 * and len must be 4 KiB multiples, len > 0, the range canonical.  TLBs are
 * the caller's: flush info's span. */
int os_unmap(os *o, os_proc *p, uint64_t va, uint64_t len, os_unmap_info *info, vs_err *err);
/* Rewrites the present 4 KiB leaf at va (4 KiB aligned) to map page-cache
 * page `page`, as 32-bit Linux's kmap_atomic does to a fixmap slot: one
 * entry write through the hooks, no TLB shootdown (the caller's INVLPG
 * follows).  The page's frame is allocated at its first kmap and stays in
 * the page cache; what the slot mapped before is released.  VS_E_USAGE if
 * va is not mapped or mapped by a large leaf, VS_E_LIMIT if no frame is left. */
int os_kmap(os *o, os_proc *p, uint64_t va, uint32_t page, vs_err *err);

typedef struct os_counters {
    uint64_t faults_map, faults_cow;
    uint64_t pages_mapped[VS_PG_COUNT]; /* leaves created, by size */
    uint64_t pages_resident;            /* data frames in use now (4 KiB units) */
    uint64_t tables_resident;           /* page-table pages in use now */
    uint64_t ptes_written;
    uint64_t procs_created, forks, execs, exits;
    uint64_t thp_fallbacks;             /* large page wanted, 4 KiB used */
} os_counters;
const os_counters *os_get_counters(const os *o);
buddy *os_allocator(os *o);

#endif
