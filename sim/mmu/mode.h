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
 * walk_hist; walk_refs counts the page-table references of completed walks
 * (so walk_refs / walks never exceeds the closed form), fault_walk_refs
 * those of walks that ended in a fault (page fault, EPT violation, hidden
 * fault); VMM software references are counted apart, in vmm_refs.
 * first_touch_cycles is the part of walk_cycles and exit_cycles spent on
 * memory touched for the first time (see sim_fault.c).
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
    uint64_t walk_refs;        /* page-table references of completed walks */
    uint64_t fault_walk_refs;  /* page-table references of walks that ended in a fault */
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
    uint64_t first_touch_cycles; /* of walk_cycles + exit_cycles: faulting walks, EPT violations, backing */
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
    void (*tlb_flush_tag)(void *sim, uint16_t tag);
    void (*tlb_invlpg)(void *sim, uint16_t tag, uint64_t va);
    void (*tlb_flush_all)(void *sim); /* every entry of every tag (vmm.exit_flushes_tlb) */
    void *sim;
} mode_env;

enum {
    ACCESS_WRITE = 1u << 0,
    ACCESS_FETCH = 1u << 1,
    ACCESS_RETRY = 1u << 2, /* not the first attempt at this access (sim_fault.c retries after a fault) */
};

/* What translate returns besides VS_OK and a negative VS_E_* code: a fault
 * descriptor for the engine's driver (sim_fault.c), which handles it and
 * calls translate again.  translate never runs the guest OS itself, so the
 * OS's page-table events reach the mode only after translate has returned. */
typedef enum mode_fault {
    MODE_RETRY = 1, /* the mode handled an exit (EPT violation, hidden fault): walk again */
    MODE_FAULT = 2, /* the (guest) OS must take a page fault for this access, then walk again;
                     * the mode has priced any exit that delivers it (shadow's injection) */
} mode_fault;

typedef struct mode_ops {
    int (*create)(const mode_env *env, void **state, vs_err *err);
    void (*destroy)(void *state);
    /* The TLBs could not complete this access: one attempt at its
     * translation.  VS_OK with *out, a mode_fault, or < 0. */
    int (*translate)(void *state, const mode_space *sp, uint64_t va, unsigned access, tlb_entry *out,
                     vs_err *err);
    /* Guest events.  Any may be NULL when the mode has nothing to do.  The
     * page-table events come after the OS call that made them has returned;
     * an error they meet is returned, and stops the run. */
    /* flush: this write invalidates the PCID's TLB and paging-structure-cache
     * entries (SDM 3A 4.10.4.1): every write with PCIDs off, and the flushing
     * reload after an unmap or fork with them on; a context switch with PCIDs
     * on keeps them (Linux sets CR3's no-flush bit, 63, for a current PCID). */
    void (*cr3_write)(void *state, const mode_space *to, bool flush);
    /* The VM of `to` is entered.  When `to` is not the process that VM ran
     * last, the engine follows with cr3_write (the guest switched while
     * descheduled). */
    void (*vm_switch)(void *state, const mode_space *to);
    void (*invlpg)(void *state, const mode_space *sp, uint64_t va);
    /* batched: the write is one of a batch the guest kernel follows with
     * its own flush (fork's flush_tlb_mm, an unmap's INVLPGs or CR3
     * reload, the teardown of an exiting address space), not with an
     * INVLPG of its own (sim_events.c says which OS calls batch). */
    int (*pte_written)(void *state, const mode_space *sp, uint64_t entry_gpa, unsigned level, uint64_t old_pte,
                       uint64_t new_pte, bool batched, vs_err *err);
    /* pte_written does nothing for a write that leaves the entry present
     * (it only drops what a cleared entry leaves behind), so the engine
     * skips delivering those: on a first touch they are every write. */
    bool pte_written_cleared_only;
    int (*table_freed)(void *state, const mode_space *sp, uint64_t pfn, unsigned level, vs_err *err);
    void (*space_freed)(void *state, const mode_space *sp);
    /* Called every cfg->adapt_interval instructions: the VMM policy window (adaptive, agile). */
    void (*tick)(void *state, uint64_t instructions);
    /* Writes the mode's results as top-level members of the results object:
     * at least "pwc" (page-walk caches), and "ntlb" where the mode has one. */
    void (*report)(void *state, jw *w);
    /* Zeroes every statistic report writes that counts events (page-walk
     * caches, nested TLB, the mode's own counters) and keeps all state --
     * cache contents, shadow tables, decisions: the end of a warm-up
     * (sim.warmup_instructions).  Required. */
    void (*reset_stats)(void *state);
} mode_ops;

/* ---- the registry (mode.c): one row per mode ----
 * Config parsing, `run --help-config`, the engine's machine set-up and the
 * side models all read these rows; nothing else lists the modes. */
enum {
    MODE_F_HYPERVISOR = 1u << 0,     /* guests run in VMs under a hypervisor ([vm] count may exceed 1) */
    MODE_F_CONTIG_BACKING = 1u << 1, /* the hypervisor backs each VM contiguously when [contig] backing */
    MODE_F_GUEST_32BIT = 1u << 2,    /* walks and shadows guests with 32-bit paging (guest.levels = 2) */
};

/* Whose page tables translate, which decides how a change of mapping is priced
 * (page sharing: share_mode_class_of).  Every row names one. */
typedef enum mode_tables {
    MODE_TABLES_HARDWARE = 1, /* the hardware walks the (guest and host) tables the OS and VMM write */
    MODE_TABLES_SHADOW,       /* the VMM keeps shadow tables for some or all levels */
} mode_tables;

typedef struct mode_info {
    const char *name;    /* the [machine] mode value */
    const mode_ops *ops;
    unsigned flags;      /* MODE_F_* */
    mode_tables tables;
    const char *section; /* the config section of its own keys, or NULL */
    const char *help;    /* one line for run --help-config */
} mode_info;

extern const char *const mode_names[]; /* NULL-terminated, in registry order (vs_mode indexes it) */
/* The shadow-paging variants a VMM profile may leave out (vmm.shadow_variants,
 * bit i for entry i), NULL-terminated, in registry order. */
extern const char *const mode_shadow_variant_names[];
unsigned mode_count(void);
const mode_info *mode_get(vs_mode m);     /* NULL when out of range */
int mode_find(const char *name);          /* the index of `name`, or -1 */

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
/* mode_report_pwc's counters to zero (either may be NULL). */
void mode_reset_pwc(pwc_split *split, pwc_unified *unified);
/* Adds a walk's references and cycles: a completed walk's to walk_refs (by
 * dimension) and the histogram, a faulting walk's to fault_walk_refs. */
void mode_account_walk(xlate_stats *st, const walk_tally *t, bool completed);
/* The TLB entry of a completed walk: the page of `size` holding pa, writable
 * as the leaf pte says, dirty when a store made the walk. */
tlb_entry mode_tlb_entry(uint64_t pa, vs_pgsz size, uint64_t pte, bool write);
/* The walk -> account -> TLB-entry skeleton of a one-dimensional walk (native
 * tables, shadow tables): walks req, accounts it, and fills *out from a
 * usable leaf.  Returns VS_OK, MODE_FAULT when the walk found none (not
 * present, or read-only for a store), or < 0. */
typedef struct walk_req walk_req;
int mode_walk_entry(const mode_env *env, const walk_req *req, bool write, tlb_entry *out, vs_err *err);
/* ---- the VMM's work, priced in one place (mode_common.c) ----
 * A VM exit of `reason`: the round trip (cost.vmexit) plus the handler's
 * work beyond its memory references.  With vmm.exit_flushes_tlb (a VMM
 * without ASIDs, Palacios) the entry flushes every TLB entry; its price is
 * the refills, which the walks that follow pay.  The mode flushes its own
 * page-walk caches (the caller: it owns them). */
void mode_exit(const mode_env *env, exit_reason reason, uint64_t handler);
/* The host frame behind guest-physical gpa as the VMM finds it from root
 * mode: hv_translate, else back the frame now.  Backing costs the host's
 * allocate-and-map work (cost.exit_ept) but no exit round trip: the VMM is
 * already in root mode (KVM reads guest tables through the host mapping of
 * guest memory, and a page not yet there is faulted in by the host kernel). */
int mode_vmm_frame(const mode_env *env, const mode_space *sp, uint64_t gpa, uint64_t *hpa, vs_pgsz *size,
                   vs_err *err);
/* One VMM software reference to guest-physical gpa (mode_vmm_frame, then
 * one access through the caches): counted in vmm_refs, priced in exit_cycles. */
int mode_vmm_ref(const mode_env *env, const mode_space *sp, uint64_t gpa, bool write, vs_err *err);
/* mode_vmm_ref that also returns the guest page-table entry at entry_gpa. */
int mode_vmm_read_guest(const mode_env *env, const mode_space *sp, uint64_t entry_gpa, uint64_t *pte,
                        vs_err *err);
/* The VMM's read of the whole guest table page at table_gpa (4 KiB aligned)
 * as one burst: one reference per cache line through the hierarchy (64 for
 * 64-byte lines), each counted in vmm_refs and priced in exit_cycles; fills
 * ptes with its pt_table_entries(guest levels) entries: 512, or 1,024 for a
 * 32-bit guest (ptes must hold PT_ENTRIES_32BIT when the guest may be one). */
int mode_vmm_read_guest_page(const mode_env *env, const mode_space *sp, uint64_t table_gpa, uint64_t *ptes,
                             vs_err *err);
/* Drops from the unified page-walk cache every entry of the table page at
 * table_pa (in the cache's key space) of a tree of `levels`. */
void mode_unified_drop_table(pwc_unified *u, uint64_t table_pa, unsigned levels);
/* One walk dimension's caches (native's, or a 2D mode's guest dimension)
 * when the OS frees a page-table page of sp: the split caches lose sp's
 * tag, the unified cache the table's entries at table_pa (its key space;
 * known false when the table has no address there).  Either may be NULL. */
void mode_pwc_table_freed(pwc_split *split, pwc_unified *unified, const mode_space *sp, bool known,
                          uint64_t table_pa, unsigned levels);

/* The translation of va as the page tables hold it now, found without side
 * effects -- no fault, no exit, no A/D bit, no table allocated, no cache or
 * page-walk-cache state touched, no xlate_stats counted -- for TLB
 * prefetches.  It walks the guest's (or native) tables and, in a VM, each
 * guest-physical address through the host tables (or a contiguous segment,
 * as the contig hardware would), adding to *refs every entry read.  False
 * when va is not mapped or its memory not backed. */
bool mode_probe(const mode_space *sp, uint64_t va, tlb_entry *out, uint32_t *refs);
/* adaptive's hysteresis, the age rule (mode_adaptive.c): a process whose
 * window cost `cur` cycles in its mode against `est` estimated in the other,
 * over `inst` instructions, and which has run `age` instructions in its mode
 * (this window's included), moves when its excess per instruction times its
 * age pays the switch's `price`.  For its test against a naive model. */
bool mode_adaptive_switch_pays(double cur, double est, double inst, double age, double price);
/* Handles a guest/native OS fault and prices it (faults, cow_faults, fault_cycles). */
int mode_os_fault(const mode_env *env, const mode_space *sp, uint64_t va, bool write, os_fault_info *info,
                  vs_err *err);

#endif
