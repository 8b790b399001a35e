/*
 * config.h: the machine configuration.  After Dinero IV, one table of options
 * (config.c) drives parsing, `vmemsim run --help-config`, and the echo of every
 * effective parameter into the results, so the three never disagree.
 *
 * A config is INI (glib GKeyFile).  Every key has a default, so a file holds
 * only what differs.  Sections [tlb.NAME] and [cache.NAME] may repeat: if a
 * file names any [tlb.*] section, the TLB hierarchy is exactly the sections it
 * names (likewise for [cache.*]); otherwise the defaults below stand.
 * Overrides (`-o section.key=value`) apply after the files, all together
 * (their order never matters); they set keys of structures the files
 * declared, and add one only when told (`-o tlb.NAME.add=true`).  Integers
 * are decimal (a leading 0 or 0x is refused, never read as octal or hex).
 *
 * Invariants after a successful cfg_load/cfg_override: every numeric value is
 * inside its documented range; n_tlbs >= 1; each TLB's entries is a multiple
 * of its ways; the mode is a known one.
 */
#ifndef VS_CONFIG_H
#define VS_CONFIG_H

#include "common.h"
#include "assoc.h"
#include "memhier.h"
#include "tlb/tlb.h"
#include <glib.h>
#include <stdio.h>

#define CFG_MAX_TLBS 16
#define CFG_NAME_MAX 32

/* A translation mode: an index into the mode registry (mmu/mode.h), which
 * holds every mode's name, flags and operations. */
typedef int vs_mode;
const char *cfg_mode_name(vs_mode m);

typedef enum pwc_kind { PWC_SPLIT = 0, PWC_UNIFIED = 1 } pwc_kind;
/* adaptive.policy (docs/vmm.md sec. 7) */
typedef enum adapt_policy { ADAPT_POLICY_COST = 0, ADAPT_POLICY_RATES = 1 } adapt_policy;
/* What the VMM does with the shadow entry of a trapped write to a shadowed
 * guest leaf table, beside dropping the old one (shadow.update_pte). */
typedef enum shadow_update {
    SHADOW_UPDATE_OFF = 0,    /* nothing: the next access takes a hidden fault (Palacios) */
    SHADOW_UPDATE_MAPPED = 1, /* the new entry's translation, if the host maps its frame (KVM >= 2.6.3x) */
    SHADOW_UPDATE_BACKS = 2   /* the same, backing the frame first if it must (KVM 61: gfn_to_page) */
} shadow_update;

typedef struct cfg_tlb {
    char name[CFG_NAME_MAX];
    uint32_t level, entries, ways, latency;
    int kind;            /* tlb_kind */
    uint32_t page_sizes; /* mask of 1 << vs_pgsz */
    int replacement;     /* row of the replacement registry (tlb/repl.h) */
    int prefetcher;      /* index into tpf_names (tlb/tpf.h); 0 = none */
    uint32_t prefetch_buffer, prefetch_table;
} cfg_tlb;

typedef struct cfg_cache {
    char name[CFG_NAME_MAX];
    uint32_t level, ways, line, latency;
    int side; /* mh_side */
    uint64_t size;
    int replacement; /* row of the replacement registry (tlb/repl.h) */
    int prefetcher;  /* index into cpf_names (cpf/cpf.h); 0 = none */
    uint32_t prefetch_degree, prefetch_distance, prefetch_streams, prefetch_max_stride;
    uint32_t prefetch_outstanding, prefetch_line_cycles;
} cfg_cache;

typedef struct vs_config {
    /* [machine] */
    vs_mode mode;        /* index into the mode registry */
    double freq_ghz;
    double base_cpi;
    uint64_t seed;
    /* [guest] */
    uint32_t guest_levels;
    int guest_page_size; /* vs_pgsz */
    uint64_t guest_mem;
    uint32_t guest_flush_ceiling; /* pages an unmap invalidates one by one; more reload CR3 */
    /* [host] */
    uint32_t host_levels;
    int host_page_size;
    uint64_t host_mem;
    uint32_t host_max_order;
    bool host_group_by_mobility;
    /* [tlb] */
    bool tlb_pcid;       /* entries tagged by process: no flush on a context switch */
    bool tlb_vpid;       /* entries tagged by VM: no flush on a VM switch */
    cfg_tlb tlbs[CFG_MAX_TLBS];
    uint32_t n_tlbs;
    /* [pwc] */
    bool pwc_enabled;
    int pwc_kind;        /* pwc_kind */
    uint32_t pwc_latency;
    uint32_t pwc_entries[6], pwc_ways[6]; /* split caches by level (2..5) */
    uint32_t pwc_unified_entries, pwc_unified_ways, pwc_unified_levels;
    uint32_t pwc_nested_entries[6], pwc_nested_ways[6]; /* nested-dimension split caches */
    /* [ntlb] */
    bool ntlb_enabled;
    uint32_t ntlb_entries, ntlb_ways, ntlb_latency;
    /* [memory] */
    cfg_cache caches[MH_MAX_CACHES];
    uint32_t n_caches;
    uint32_t dram_latency;
    uint32_t walk_level;
    bool data_stalls;
    uint32_t rob, miss_buffers; /* overlapped data misses (mlp.h); rob 0 = none */
    /* [sched] */
    uint64_t quantum;
    /* [vm] */
    uint32_t vm_count;
    uint64_t vm_reserved;
    /* [cost] cycles */
    uint64_t cost_page_fault;
    uint64_t cost_cow_fault;
    uint64_t cost_vmexit;
    uint64_t cost_exit_cr3;
    uint64_t cost_exit_hidden;
    uint64_t cost_exit_guest_fault;
    uint64_t cost_exit_pt_write;
    uint64_t cost_exit_invlpg;
    uint64_t cost_exit_ept;
    uint64_t cost_shadow_entry;
    uint64_t cost_tlb_flush;
    /* [contig] */
    bool contig_backing;
    uint32_t contig_segments;
    /* [adaptive] */
    uint64_t adapt_interval;
    int adapt_policy; /* ADAPT_POLICY_* */
    double adapt_cr3_per_kinst;
    double adapt_miss_per_kinst;
    /* [shadow] */
    uint32_t shadow_flood_writes;
    bool shadow_unsync;
    uint32_t shadow_max_pages;
    bool shadow_lru;
    int shadow_update_pte; /* SHADOW_UPDATE_* */
    /* [vmm] the VMM profile (configs/vmm/, docs/vmm.md) */
    bool vmm_exit_flushes_tlb;    /* every VM entry flushes the TLBs and page-walk caches */
    uint32_t vmm_shadow_variants; /* bit i: mode_shadow_variant_names[i] (mmu/mode.c) is implemented */
    /* [agile] */
    uint32_t agile_shadow_levels;
    uint32_t agile_switch_writes;
    /* [stats] */
    uint64_t stats_interval;
    /* [sim] the region of interest, in instructions over all traces (docs/model.md) */
    uint64_t skip_instructions;   /* read and discarded: no simulated state */
    uint64_t warmup_instructions; /* simulated, then every statistic reset */
    uint64_t max_instructions;    /* measured, then the run stops (0 = to the end) */
} vs_config;

/* The defaults: a current Intel (Skylake-class) core. */
void cfg_defaults(vs_config *c);
/* Loads one INI file over c.  Errors name the file, the line (FILE:LINE, for a
 * key's own value; a check across keys names the file only), the [section]
 * key and what was expected. */
int cfg_load(vs_config *c, const char *path, vs_err *err);
/* Loads INI text (for tests and the fuzzer); `origin` names it in errors. */
int cfg_load_data(vs_config *c, const char *data, size_t len, const char *origin, vs_err *err);
/* Applies "section.key=value" (section may itself contain a dot: tlb.l1d.entries=64).
 * Keys of a [tlb.NAME] or [cache.NAME] no file declared are an error unless the
 * overrides also hold NAME's `add=true`. */
int cfg_override(vs_config *c, const char *assignment, vs_err *err);
/* A config key's decimal integer rule, for the command lines' numeric
 * options: digits only (blanks around allowed), no sign, no leading 0 or
 * 0x (refused, never read as octal or hex), no overflow. */
bool cfg_parse_decimal(const char *s, uint64_t *out);
/* Applies n overrides together (every `add` first, then the keys), then
 * validates once: their order never matters; one key given twice is an error. */
int cfg_override_all(vs_config *c, const char *const *assignments, size_t n, vs_err *err);
/* Checks INI text before GKeyFile sees it: a NUL byte, a key set twice in
 * one section or a section given twice is an error naming origin:line
 * (GKeyFile would silently cut the value, keep the last or merge), and so is
 * a file with no section and no key. */
int cfg_check_ini_text(const char *data, size_t len, const char *origin, vs_err *err);
/* The INI text, checked (cfg_check_ini_text) and parsed into *kf: what every
 * INI file vmemsim reads goes through (machine configs, sweeps, datacenters,
 * calibrations).  On error *kf is NULL; else free it with g_key_file_free. */
int cfg_keyfile_load(const char *data, size_t len, const char *origin, GKeyFile **kf, vs_err *err);
/* Checks cross-key constraints (called by load/override; exposed for tests). */
int cfg_validate(const vs_config *c, const char *origin, vs_err *err);

/* Calls fn for every effective parameter as ("section.key", "value") in table
 * order, TLB and cache sections last; the echo in results and --help use it. */
void cfg_each(const vs_config *c, void (*fn)(void *ctx, const char *key, const char *value), void *ctx);
/* Prints every key with its type, default and one-line description. */
void cfg_print_help(FILE *out);

#endif
