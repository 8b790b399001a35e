/*
 * mode.h: the one interface every translation mode implements (native,
 * nested, the shadow variants, contig, agile, adaptive), one file each.
 *
 * The engine owns the TLBs and calls a mode only when the TLBs cannot
 * complete an access: a miss, or a store to an entry that is not writable.
 * The mode then does what the hardware and the system software would do --
 * its walk through page-walk caches, page tables and the cache hierarchy,
 * the guest OS's page faults, the VMM's exits and their work -- and returns
 * the translation for the engine to fill into the TLBs.  It also hears the
 * guest's control events (CR3 writes, INVLPG, page-table writes made by the
 * guest OS), which is where shadow paging spends its time.
 *
 * Modes count into one xlate_stats record, so results have the same names
 * whatever the mode.  A mode knows nothing of trace formats or of the TLBs'
 * shape; it asks the engine to drop TLB entries through mode_env callbacks.
 *
 * Invariants: every completed walk is counted once in walks and once in
 * walk_hist; walk_refs counts every page-table reference the hardware made,
 * including those of walks that ended in a fault; VMM software references
 * are counted apart, in vmm_refs.
 */
#ifndef VS_MODE_H
#define VS_MODE_H

#include "../config.h"
#include "../json.h"
#include "../memhier.h"
#include "../tlb/tlb.h"
#include "os.h"

typedef struct hv hv;
typedef struct hv_vm hv_vm;

typedef enum exit_reason {
    EXIT_CR3_WRITE = 0,
    EXIT_HIDDEN_FAULT,
    EXIT_GUEST_FAULT,
    EXIT_PT_WRITE,
    EXIT_INVLPG,
    EXIT_EPT_VIOLATION,
    EXIT_MODE_SWITCH, /* adaptive: the VMM changing a process's mode */
    EXIT_COUNT
} exit_reason;
const char *exit_reason_name(exit_reason r); /* "cr3_write", ... */

#define WALK_HIST_MAX 63 /* longest walk recorded exactly; longer ones land here */

typedef struct xlate_stats {
    uint64_t walks;            /* completed hardware walks */
    uint64_t walk_refs;        /* page-table references by the hardware walker */
    uint64_t walk_cycles;
    uint64_t walk_hist[WALK_HIST_MAX + 1];
    uint64_t guest_refs, nested_refs; /* walk_refs split by dimension (nested/agile) */
    uint64_t faults;           /* demand-paging faults handled by the (guest) OS */
    uint64_t cow_faults;
    uint64_t fault_cycles;
    uint64_t exits[EXIT_COUNT];
    uint64_t exit_cycles;      /* round trips plus handler work, VMM references included */
    uint64_t vmm_refs;         /* memory references made by VMM software */
    uint64_t shadow_entries_written, shadow_entries_dropped;
} xlate_stats;

/* One guest address space, as the engine sees it. */
typedef struct mode_space {
    os *os;           /* the OS that owns the process (the guest's, or native) */
    os_proc *proc;
    hv_vm *vm;        /* NULL in native mode */
    uint32_t vm_id;
    uint32_t pid;     /* the OS's pid */
    uint16_t tag;     /* TLB/PWC tag of this address space */
    uint16_t vm_tag;  /* tag of its VM (nested TLB, nested-dimension caches) */
} mode_space;

typedef struct mode_env {
    const vs_config *cfg;
    mh *mem;
    hv *hv;           /* NULL in native mode */
    xlate_stats *st;
    /* TLB shootdowns the mode asks of the engine */
    void (*tlb_flush_tag)(void *eng, uint16_t tag);
    void (*tlb_invlpg)(void *eng, uint16_t tag, uint64_t va);
    void *eng;
} mode_env;

enum { ACCESS_WRITE = 1u << 0, ACCESS_FETCH = 1u << 1 };

typedef struct mode_ops {
    const char *name;
    int (*create)(const mode_env *env, void **state, vs_err *err);
    void (*destroy)(void *state);
    /* The TLBs could not complete this access: produce its translation. */
    int (*translate)(void *state, const mode_space *sp, uint64_t va, unsigned access, tlb_entry *out,
                     vs_err *err);
    /* Guest events.  Any may be NULL when the mode has nothing to do. */
    void (*cr3_write)(void *state, const mode_space *to);
    void (*vm_switch)(void *state, const mode_space *to);
    void (*invlpg)(void *state, const mode_space *sp, uint64_t va);
    void (*pte_written)(void *state, const mode_space *sp, uint64_t entry_gpa, unsigned level,
                        uint64_t old_pte, uint64_t new_pte);
    void (*table_freed)(void *state, const mode_space *sp, uint64_t pfn, unsigned level);
    void (*space_freed)(void *state, const mode_space *sp);
    /* Called every instruction-count tick of cfg->adapt_interval (adaptive only). */
    void (*tick)(void *state, uint64_t instructions);
    /* Writes the mode's results as top-level members of the results object:
     * at least "pwc" (page-walk caches), and "ntlb" where the mode has one. */
    void (*report)(void *state, jw *w);
} mode_ops;

const mode_ops *mode_lookup(vs_mode m); /* NULL when the mode is not built */

/* ---- helpers shared by the modes (mode_common.c) ---- */
typedef struct pwc_split pwc_split;
typedef struct pwc_unified pwc_unified;
typedef struct walk_tally walk_tally;

/* The page-walk caches of one dimension as the config asks (both NULL when
 * pwc.enabled is false).  nested: the nested-dimension sizes. */
int mode_make_pwc(const vs_config *cfg, bool nested, unsigned levels, pwc_split **split,
                  pwc_unified **unified, vs_err *err);
void mode_free_pwc(pwc_split *split, pwc_unified *unified);
/* Writes {"kind", per-level hits/misses} for one dimension's caches. */
void mode_report_pwc(jw *w, const char *key, pwc_split *split, pwc_unified *unified, unsigned levels);
/* Adds a walk's references and cycles; completed walks also go in the histogram. */
void mode_account_walk(xlate_stats *st, const walk_tally *t, bool completed);
/* The translation of va as the page tables hold it now, found without side
 * effects -- no fault, no exit, no A/D bit, no table allocated, no cache or
 * page-walk-cache state touched, no xlate_stats counted -- for TLB
 * prefetches.  It walks the guest's (or native) tables and, in a VM, each
 * guest-physical address through the host tables (or a contiguous segment,
 * as the contig hardware would), adding to *refs every entry read.  False
 * when va is not mapped or its memory not backed. */
bool mode_probe(const mode_space *sp, uint64_t va, tlb_entry *out, uint32_t *refs);
/* Handles a guest/native OS fault and prices it (faults, cow_faults, fault_cycles). */
int mode_os_fault(const mode_env *env, const mode_space *sp, uint64_t va, bool write, os_fault_info *info,
                  vs_err *err);

extern const mode_ops mode_native_ops;
extern const mode_ops mode_nested_ops, mode_contig_ops, mode_agile_ops;
extern const mode_ops mode_shadow_ops, mode_shadow_cache_ops, mode_shadow_prefetch_ops, mode_adaptive_ops;

#endif
