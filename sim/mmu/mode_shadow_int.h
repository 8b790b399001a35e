/*
 * mode_shadow_int.h: the shadow-paging core (mode_shadow.c) as its variant
 * files see it.  The three variants of Bae, Lange and Dinda (NWU-EECS-10-07,
 * sec. 2) differ only in a policy: whether a shadow survives a guest CR3
 * write, whether guest page tables are write-protected, and whether a hidden
 * fault fills one entry or the whole shadow table page.  Outside the shadow
 * files only mode_adaptive.c (shadow_prefill) and tests/test_shadow_wp.c
 * include this header (the write-protected set against its naive reference,
 * and the shadow entries against the guest's).
 */
#ifndef VS_MODE_SHADOW_INT_H
#define VS_MODE_SHADOW_INT_H

#include "mode.h"

typedef struct shadow shadow;

/* The whole-table fill of shadow-prefetch: the guest table page at gtable
 * (guest-physical) is shadowed by the shadow table page spfn at `level`;
 * upper_rw is the AND of the RW bits of the guest entries above it. */
typedef int (*shadow_prefetch_fn)(shadow *s, const mode_space *sp, uint64_t spfn, uint64_t gtable,
                                  unsigned level, bool upper_rw, vs_err *err);

typedef struct shadow_policy {
    const char *name;
    bool per_process;   /* one shadow per guest root, kept across CR3 writes (caching) */
    bool write_protect; /* writes to shadowed guest table pages are pt_write exits */
    shadow_prefetch_fn prefetch; /* NULL: a hidden fault fills one entry */
} shadow_policy;

int shadow_create(const mode_env *env, const shadow_policy *pol, void **state, vs_err *err);

/* The mode_ops members every variant shares. */
void shadow_destroy(void *state);
int shadow_translate(void *state, const mode_space *sp, uint64_t va, unsigned access, tlb_entry *out,
                     vs_err *err);
void shadow_cr3_write(void *state, const mode_space *to, bool flush);
void shadow_invlpg(void *state, const mode_space *sp, uint64_t va);
int shadow_pte_written(void *state, const mode_space *sp, uint64_t entry_gpa, unsigned level, uint64_t old_pte,
                       uint64_t new_pte, bool batched, vs_err *err);
int shadow_table_freed(void *state, const mode_space *sp, uint64_t pfn, unsigned level, vs_err *err);
void shadow_space_freed(void *state, const mode_space *sp);
void shadow_report(void *state, jw *w);
void shadow_reset_stats(void *state);

/* The mode_ops of a variant: everything but create is the core's. */
#define SHADOW_MODE_OPS(CREATE)                                                                            \
    {                                                                                                            \
        .create = CREATE, .destroy = shadow_destroy, .translate = shadow_translate,                \
        .cr3_write = shadow_cr3_write, .invlpg = shadow_invlpg,                                                 \
        .pte_written = shadow_pte_written, .table_freed = shadow_table_freed, .space_freed = shadow_space_freed, \
        .report = shadow_report, .reset_stats = shadow_reset_stats,                                              \
    }

/* Whether the guest table page gpfn of VM vm_id is write-protected now: the
 * policy protects and some shadow table shadows it.  state is a variant's. */
bool shadow_write_protects(const void *state, uint32_t vm_id, uint64_t gpfn);
/* How many guest table pages (all VMs) are write-protected now. */
uint64_t shadow_write_protected_count(const void *state);
/* How many shadow table pages VM vm_id has now (shadow.max_pages bounds it). */
uint64_t shadow_table_pages(const void *state, uint32_t vm_id);
/* How many present leaf entries (4 KiB, or large pages) of sp's shadow
 * tables that shadow a guest table no longer agree with the guest entry they
 * were filled from (another frame, or writable where the guest's is not).  Tables that are unsync count only with with_unsync:
 * the guest may see their stale entries until it flushes (CR3 write,
 * INVLPG), as it may see a stale TLB entry. */
uint64_t shadow_stale_entries(const void *state, const mode_space *sp, bool with_unsync);

/* Builds sp's whole shadow now, as the VMM does when adaptive moves the
 * process to shadow paging (mode_adaptive.c): for each guest leaf table, the
 * guest walk to it and the shadow path a hidden fault would build, then the
 * table filled by burst (shadow_prefetch_table) -- no exit per page.  The
 * caller prices the exit it runs in. */
int shadow_prefill(void *state, const mode_space *sp, shadow_prefetch_fn burst, vs_err *err);
/* shadow-prefetch's whole-table fill (mode_shadow_prefetch.c). */
int shadow_prefetch_table(shadow *s, const mode_space *sp, uint64_t spfn, uint64_t gtable, unsigned level,
                          bool upper_rw, vs_err *err);

/* ---- for the prefetch variant ---- */
/* The run's environment: the VMM's reads of guest tables go through
 * mode_vmm_read_guest with it. */
const mode_env *shadow_env(const shadow *s);
/* Fills the empty leaf slot `index` of shadow table spfn (level `level`) from
 * the guest leaf gpte if the host backs it with a page at least as large;
 * returns true when an entry was written. */
bool shadow_fill_slot(shadow *s, const mode_space *sp, uint64_t spfn, unsigned level, unsigned index,
                      uint64_t gpte, bool upper_rw);
/* Counts entries written by prefetching (for the report). */
void shadow_count_prefetched(shadow *s, uint64_t n);

#endif
