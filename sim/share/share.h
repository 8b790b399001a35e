/*
 * share.h: content-based page sharing -- memory snapshots in, sharing
 * counters and their costs out (`vmemsim share`).
 *
 * A share_image is one snapshot of one VM (or process): its 4 KiB pages keyed
 * by page number (guest-physical for vmcores and raw images, virtual for
 * process cores).  Snapshots of named VMs at given times form a timeline.  A
 * share_model holds the sharing state of all VMs (which pages map to which
 * shared frame) and runs one scanner policy over it:
 *   xen-thesis  Kloster et al. 2006: idle-time rounds, 32-bit page hashes, an
 *               open-addressing content index over N hash intervals, the
 *               three pair cases, optional zero-page sharing;
 *   ksm         Linux KSM: stable/unstable trees ordered by content, the
 *               two-pass checksum rule, max_page_sharing chains, use_zero_pages;
 *   esx         Waldspurger 2002: random scan, 64-bit hash, hint frames.
 * The model counts events (hashes, compares, copies, remaps, CoW breaks);
 * share_cost prices them per translation mode from a calibration file.
 *
 * Invariants: every page maps to at most one frame; a frame's refs equals the
 * number of pages mapping it; a frame's content equals the content of every
 * page mapping it (a page whose content changes is CoW-broken first).
 */
#ifndef VS_SHARE_H
#define VS_SHARE_H

#include "../common.h"
#include "../config.h"
#include "../json.h"

#define SHARE_PAGE_SIZE 4096u /* the unit of sharing in all three designs */

/* ---- snapshots ---- */
typedef struct share_image share_image;

/* Reads an ELF core: a process core (gdb gcore, kernel) or a QEMU
 * dump-guest-memory vmcore.  Pages are keyed by PT_LOAD p_paddr, or by
 * p_vaddr when every p_paddr is 0 (process cores).  Bytes past p_filesz up to
 * p_memsz are zero; PN_XNUM is honoured.  In a process core a segment with
 * p_filesz == 0 was not dumped (gdb omits unmodified file mappings): its pages
 * are counted in share_image_omitted, not treated as zero. */
int share_image_open_elf(const char *path, share_image **out, vs_err *err);
/* Reads a raw memory image whose first byte is at physical address base
 * (a multiple of 4 KiB); the length must be a multiple of 4 KiB. */
int share_image_open_raw(const char *path, uint64_t base, share_image **out, vs_err *err);
/* An empty image to fill by hand (tests, constructed snapshots). */
share_image *share_image_new(const char *name);
/* Appends a copy of one page; keys must be added in increasing order. */
int share_image_add(share_image *img, uint64_t key, const void *page, vs_err *err);
size_t share_image_pages(const share_image *img);
uint64_t share_image_key(const share_image *img, size_t i);
const uint8_t *share_image_data(const share_image *img, size_t i);
uint64_t share_image_omitted(const share_image *img);
void share_image_free(share_image *img);

/* ---- hashes ---- */
typedef enum share_hash_kind { SHARE_HASH_SFH = 0, SHARE_HASH_XXH64 = 1, SHARE_HASH_COUNT } share_hash_kind;
const char *share_hash_name(share_hash_kind k);           /* "sfh", "xxh64" */
int share_hash_from_name(const char *s, share_hash_kind *out); /* -1 if unknown or not built */
unsigned share_hash_bits(share_hash_kind k);              /* 32 or 64 */
uint64_t share_hash(share_hash_kind k, const void *data, size_t len);
/* Paul Hsieh's SuperFastHash (2004): share_sfh starts from the length, as
 * published; share_sfh_from starts from init (variants seed it with 0). */
uint32_t share_sfh(const void *data, size_t len);
uint32_t share_sfh_from(const void *data, size_t len, uint32_t init);

/* ---- the content index (open addressing) and the thesis's sizing ---- */
typedef struct share_index share_index;
typedef struct share_index_stats {
    uint64_t capacity, used, inserts, lookups, probes, slot_collisions, overflows;
} share_index_stats;

share_index *share_index_new(uint64_t capacity);
/* Finds the value stored under hash h; returns false when absent. */
bool share_index_find(share_index *ix, uint64_t h, uint64_t *value);
/* Inserts (h, value); false when h is present, or the index is full (an overflow). */
bool share_index_insert(share_index *ix, uint64_t h, uint64_t value);
void share_index_set(share_index *ix, uint64_t h, uint64_t value); /* h must be present */
void share_index_clear(share_index *ix);
void share_index_stats_get(const share_index *ix, share_index_stats *out);
void share_index_free(share_index *ix);

/* Thesis section 6.7: entries per scan = round(pages / scans); open
 * addressing adds 10% rounded up; sizes are pages*8 B/scans in MiB, truncated
 * to tenths (returned in tenths of MiB). */
uint64_t share_sizing_entries(uint64_t total_pages, uint32_t scans);
uint64_t share_sizing_slots(uint64_t entries);
uint32_t share_sizing_mib10(uint64_t total_pages, uint32_t scans, bool with_overhead);
/* Scans needed with a fixed index: the smallest x with round(pages/x) <= entries. */
uint32_t share_sizing_scans(uint64_t total_pages, uint64_t entries);
#define SHARE_THESIS_ENTRIES 209715u /* 5 scans of 4 GiB, the thesis's chosen index */

/* ---- policies and the model ---- */
/* The one list of policies: X(ID, NAME, STEM) gives the enum constant
 * SHARE_ID, the --policy name and the ops share_STEM_ops of share_STEM.c;
 * the enum, the names, the declarations and the table of ops come from it. */
#define SHARE_POLICY_ROWS(X) X(XEN, "xen-thesis", xen) X(KSM, "ksm", ksm) X(ESX, "esx", esx)
#define SHARE_POLICY_ENUM_ROW(ID, NAME, STEM) SHARE_##ID,
typedef enum share_policy { SHARE_POLICY_ROWS(SHARE_POLICY_ENUM_ROW) SHARE_POLICY_COUNT } share_policy;
#undef SHARE_POLICY_ENUM_ROW
#define SHARE_POLICY_LIST_ROW(ID, NAME, STEM) " " NAME
#define SHARE_POLICY_CHOICES SHARE_POLICY_ROWS(SHARE_POLICY_LIST_ROW) /* " xen-thesis ksm esx", a literal */
const char *share_policy_name(share_policy p); /* "xen-thesis", "ksm", "esx" */
int share_policy_from_name(const char *s, share_policy *out);

typedef struct share_params {
    share_policy policy;
    share_hash_kind hash;
    bool zero_pages;          /* xen: share zero pages; ksm: use_zero_pages; esx: one zero page */
    bool cow_convert;         /* a write to a frame with one reference takes it over, no copy */
    /* ksm */
    uint32_t pages_to_scan, sleep_millisecs, max_page_sharing;
    /* xen-thesis */
    uint32_t scans;           /* hash intervals per round; 0 = the sizing function */
    uint64_t index_entries;   /* entries per interval; 0 = SHARE_THESIS_ENTRIES */
    double period_s;          /* wait between rounds */
    /* esx */
    double scan_rate;         /* pages per second */
    uint64_t seed;
} share_params;

void share_params_defaults(share_params *p, share_policy policy);

/* Events the model counts; share_cost prices them. */
typedef struct share_events {
    uint64_t hashes, zero_checks, compares, maps; /* maps: map+unmap pairs of VMM accesses */
    uint64_t compare_bytes;                       /* bytes read by compares (they stop at a difference) */
    uint64_t allocs, copies, remaps;              /* remaps: one page's mapping changed to a frame */
    uint64_t frees;                               /* frames returned when their last reference went */
    uint64_t cow_copy, cow_convert;
} share_events;

/* The counters; under ksm these are /sys/kernel/mm/ksm's names. */
typedef struct share_counters {
    uint64_t pages;           /* pages present in all VMs */
    uint64_t pages_scanned;   /* scanner visits so far */
    uint64_t pages_shared;    /* frames in use (KSM pages) */
    uint64_t pages_sharing;   /* further pages mapped to them: the saving */
    uint64_t pages_unshared;  /* unique pages checked for merging */
    uint64_t pages_volatile;  /* pages changing too fast (ksm) or not yet hashed */
    uint64_t pages_zero;      /* pages mapped to the zero page (ksm_zero_pages) */
    uint64_t full_scans;
    uint64_t hash_collisions; /* equal hash, different content */
    uint64_t stale_hints;     /* esx: hinted page changed since it was hashed */
    uint64_t both_shared;     /* xen-thesis: pair case ignored by the design */
    uint64_t filtered_zero;   /* xen-thesis: zero pages dropped (zero sharing off) */
    uint64_t cow_breaks;
    share_index_stats index;  /* the policy's content index (xen, esx) */
    uint64_t stable_nodes, stable_chains, unstable_nodes; /* ksm: stable_node_dups, stable_node_chains */
} share_counters;

typedef struct share_vm_stats {
    uint64_t pages, shared, zero;
    double saved;             /* pages saved, frames apportioned over their mappers */
    uint64_t intra_saved;     /* saving from sharing with itself only */
    double inter_saved;       /* saved - intra_saved - zero */
} share_vm_stats;

typedef struct share_model share_model;
share_model *share_model_new(const share_params *p);
void share_model_free(share_model *m);
/* Adds a VM (in order: its id is the count before the call). */
uint32_t share_model_add_vm(share_model *m, const char *name);
/* Installs a VM's memory, replacing what it had: a page whose content
 * changed while shared is CoW-broken.  The image must outlive the model. */
void share_model_set_vm(share_model *m, uint32_t vm, const share_image *img);
/* Scans up to budget page visits; returns the visits made. */
uint64_t share_model_scan(share_model *m, uint64_t budget);
/* Page visits per second of scanner time under the policy's rate. */
double share_model_scan_rate(const share_model *m);
/* Scans full rounds until one changes nothing; returns the visits made. */
uint64_t share_model_converge(share_model *m);
/* A store to page key of vm: breaks a share if the page is mapped to a frame
 * or the zero page.  Returns 1 for a copy, 2 for a convert, 0 otherwise. */
int share_model_write(share_model *m, uint32_t vm, uint64_t key);
void share_model_counters(const share_model *m, share_counters *out);
/* True when the invariants of share_int.h hold (for tests: it reads every page). */
bool share_model_check(const share_model *m);
void share_model_vm_stats(const share_model *m, uint32_t vm, share_vm_stats *out);
const share_events *share_model_events(const share_model *m);

/* ---- costs ---- */
typedef struct share_cost {
    char name[64];
    double freq_mhz;
    double hash[SHARE_HASH_COUNT], zero_check, compare, copy, map, unmap, alloc;
    double cow_fault, cow_convert, p2m_update;
    double shadow_traversal;  /* one pass over the domain's shadow tables; 0 = entries x cost.shadow_entry */
    double shadow_entries, shadow_per_share, shadow_per_unshare;
    double pte_update, tlb_shootdown; /* nested/native; shootdown 0 = cost.tlb_flush + cost.vmexit */
} share_cost;

typedef enum share_mode_class { SHARE_MC_NESTED = 0, SHARE_MC_SHADOW = 1, SHARE_MC_COUNT } share_mode_class;
share_mode_class share_mode_class_of(vs_mode m); /* shadow family (incl. agile, adaptive) or not */
const char *share_mode_class_name(share_mode_class c);

void share_cost_defaults(share_cost *c); /* the thesis's Table 8.3 (700 MHz Athlon) */
int share_cost_load(share_cost *c, const char *path, vs_err *err);

typedef struct share_priced {
    double scan, share, cow, total; /* cycles */
    double remap_each, cow_copy_each;
} share_priced;
void share_cost_price(const share_cost *c, const vs_config *cfg, share_mode_class mc, share_hash_kind hash,
                      const share_events *ev, share_priced *out);

/* ---- a whole run: timeline, convergence, CoW replay, report ---- */
typedef struct share_run share_run;
share_run *share_run_new(const share_params *p, const share_cost *cost, const vs_config *cfg);
void share_run_free(share_run *r);
/* Adds a snapshot of VM vm_name taken at t seconds; the run owns img. */
int share_run_add(share_run *r, const char *vm_name, double t, share_image *img, vs_err *err);
/* Replays the stores of a trace after convergence (TREC_VM selects the VM by index). */
int share_run_set_cow_trace(share_run *r, const char *path, uint32_t first_vm, vs_err *err);
void share_run_set_sample(share_run *r, double every_s);
int share_run_exec(share_run *r, vs_err *err);
void share_run_report(share_run *r, jw *w);          /* JSON: converged counters at top level */
void share_run_print(share_run *r, FILE *out);       /* text */
share_model *share_run_model(share_run *r);

#endif
