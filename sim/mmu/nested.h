/*
 * nested.h: the nested (GPA -> HPA) dimension of a hardware 2D walk, shared by
 * every mode that walks guest tables under a hypervisor: nested, contig,
 * agile, and adaptive (which composes nested and shadow).
 *
 * A nested_dim owns the nested TLB and the nested-dimension paging-structure
 * caches (Bhargava et al., ASPLOS'08).  nested_gpa translates one guest-
 * physical address the way the walker does: a segment add (contig), else the
 * nested TLB, else a host-dimension walk of the VM's EPT through the nested
 * split caches and the unified cache.  A GPA the host has not backed is an EPT
 * violation: the exit is counted and priced, the page is backed, and the
 * caller is told to repeat its walk (MODE_RETRY).
 *
 * nested_translate_va is one attempt of a 2D-walking mode's TLB-miss
 * handler: the walk, its accounting, and the TLB entry, or the fault that
 * stopped it (a guest page fault, handled by the guest OS without an exit;
 * an EPT violation, already handled) (page size = the smaller of the guest
 * and host sizes: splintering).  A mode that starts the walk elsewhere than at
 * the guest CR3 (agile) passes a start function.
 *
 * Invariants: every GPA a completed walk used was backed; references made in
 * the host dimension are counted in walk_tally.nested_refs; a completed walk
 * without any cache reads exactly (n+1)(m+1)-1 entries (n guest, m host leaf
 * levels), or, with direct segments covering every GPA, exactly n.
 */
#ifndef VS_NESTED_H
#define VS_NESTED_H

#include "mode.h"
#include "walk.h"

/* The positive stop codes of nested_gpa, walk_1d (through to_host) and start
 * functions are mode.h's mode_fault: MODE_RETRY after an EPT violation or a
 * hidden fault, MODE_FAULT when the guest must take a page fault. */

typedef struct nested_dim nested_dim;

/* shared_unified: the guest dimension's unified cache when pwc.kind = unified,
 * so one cache serves both dimensions (Bhargava's 2D PWC); else NULL. */
int nested_dim_new(const mode_env *env, pwc_unified *shared_unified, nested_dim **out, vs_err *err);
void nested_dim_free(nested_dim *nd);
/* contig: GPAs inside a VM segment are relocated by its base (no reference). */
void nested_dim_set_direct(nested_dim *nd, bool direct);

/* One GPA -> HPA as the hardware does it.  free_: the walker already holds the
 * host address (a split-cache hit), so it costs nothing.  Returns VS_OK,
 * MODE_RETRY after an EPT violation, or a negative VS_E_* code. */
int nested_gpa(nested_dim *nd, const mode_space *sp, uint64_t gpa, bool free_, uint64_t *hpa, vs_pgsz *size,
               walk_tally *t, vs_err *err);

/* Where a walk starts in the guest tables: the guest-physical address of the
 * table and its level.  Returns VS_OK, MODE_RETRY, MODE_FAULT, or < 0. */
typedef int (*nested_start_fn)(void *ctx, const mode_space *sp, uint64_t va, uint64_t *table_gpa,
                               unsigned *level, walk_tally *t, vs_err *err);

/* The guest-dimension caches and optional start of a 2D-walking mode. */
typedef struct nested_guest {
    pwc_split *split;
    pwc_unified *unified;
    nested_start_fn start; /* NULL: start at the guest CR3 */
    void *start_ctx;
} nested_guest;

/* The TLB-miss handler of a 2D-walking mode (see above). */
int nested_translate_va(nested_dim *nd, const nested_guest *g, const mode_space *sp, uint64_t va,
                        unsigned access, tlb_entry *out, vs_err *err);

/* Guest-dimension cache upkeep, as native does it. */
void nested_guest_invlpg(const nested_guest *g, const mode_space *sp);
/* A flushing CR3 write (mode.h) drops the guest split caches' entries of its PCID. */
void nested_guest_cr3_write(const nested_guest *g, const mode_space *to, bool flush);
void nested_guest_space_freed(const nested_guest *g, const mode_space *sp);
void nested_guest_table_freed(const nested_dim *nd, const nested_guest *g, const mode_space *sp,
                              uint64_t pfn);
/* The guest wrote the entry at entry_gpa: a cleared one (an unmap, or a table
 * it pointed at freed) leaves the unified cache, which is keyed by entry. */
void nested_guest_pte_written(const nested_dim *nd, const nested_guest *g, const mode_space *sp,
                              uint64_t entry_gpa, uint64_t new_pte);

/* Completed walks whose every GPA was a segment add, and the others (contig). */
void nested_dim_walk_counts(const nested_dim *nd, uint64_t *direct, uint64_t *nested);
/* Writes "pwc_nested" and "ntlb" {hits, misses}. */
void nested_dim_report(nested_dim *nd, jw *w);
/* Zeroes what nested_dim_report and nested_dim_walk_counts give; keeps every entry. */
void nested_dim_reset_stats(nested_dim *nd);

#endif
