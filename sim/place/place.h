/*
 * place.h: `vmemsim place` -- replaying VM lifecycle traces on a datacenter of
 * servers whose memory is a real buddy allocator, to measure how many VMs can
 * be given contiguous machine memory (and so use contiguous-base translation,
 * hPA = base + gPA) under each placement policy.
 *
 * After "Memory virtualization overhead mitigation using contiguous memory
 * virtual machines" (seed 004): Algorithm 1 (contiguity aware), Algorithms 2
 * and 3 (Max, Min), server compositions of its Tables 3 and 4; plus the usual
 * first-fit and best-fit.  Fragmentation is measured with Linux's unusable
 * free space index and fragmentation index (mm/vmstat.c).
 *
 * Pieces, one file each: dc.c (datacenter config and fleet), trace.c (trace
 * container, format detection, event order), azure.c / bitbrains.c / cerit.c
 * (readers), synth.c (synthetic generator), server.c (a server and its buddy
 * heap, compaction), policy.c (placement policies), replay.c (the event
 * loop), report.c (metrics), bridge.c (translation cycles saved).
 */
#ifndef VS_PLACE_H
#define VS_PLACE_H

#include "../common.h"
#include "../config.h"
#include "../json.h"
#include <stdio.h>

#define PLACE_MAX_GENS 16   /* Tables 3 and 4 have six generations each */
#define PLACE_NAME_MAX 32

/* ---- datacenter (dc.c) ---- */

typedef struct place_gen {
    char name[PLACE_NAME_MAX];
    uint64_t ram_mib;
    uint32_t cores;
    double share; /* relative weight in the fleet; normalised over all generations */
} place_gen;

/* Memory a server's host software takes from the same buddy heap as the VMs
 * (sizes and sources in docs/placement.md and configs/datacenter/ INI files). */
typedef struct place_host {
    uint64_t reserved_kib;      /* dom0 / host kernel: taken once, at switch-on, lowest addresses */
    uint64_t pool_kib_per_vcpu; /* per-VM hypervisor paging pool (libxl): per vCPU ... */
    uint64_t pool_kib_per_gib;  /* ... plus per GiB of guest RAM; unmovable, freed with the VM */
    uint64_t cache_kib_per_vm;  /* host page cache each VM creation fills (image and boot I/O) */
    uint64_t cache_life_s;      /* seconds that cache lives unless reclaimed first (LRU) */
} place_host;

typedef enum place_compact {
    PLACE_COMPACT_NONE = 0,
    PLACE_COMPACT_DEMAND,   /* when a VM would otherwise get scattered memory */
    PLACE_COMPACT_PERIODIC, /* every period seconds of trace time, on every running server */
} place_compact;

typedef struct place_dc {
    char name[PLACE_NAME_MAX];
    place_gen gens[PLACE_MAX_GENS];
    unsigned n_gens;
    uint32_t servers;       /* fleet size */
    uint32_t page_kib;      /* buddy frame size */
    unsigned max_order;     /* host buddy top order, in frames */
    int compact;            /* place_compact */
    uint64_t compact_period; /* seconds, PLACE_COMPACT_PERIODIC */
    int frag_order;         /* order for the indices; -1 = order of the median VM */
    uint32_t samples;       /* fragmentation samples over the trace span */
    place_host host;        /* non-VM allocations on every server */
} place_dc;

/* The paper's Azure composition (Table 3) with the generation sizes assumed in docs/placement.md. */
void place_dc_defaults(place_dc *dc);
int place_dc_load(place_dc *dc, const char *path, vs_err *err);
int place_dc_load_data(place_dc *dc, const char *data, size_t len, const char *origin, vs_err *err);
/* The generation of server i: a smooth weighted round robin over the shares,
 * so every prefix of the fleet has (nearly) the configured composition. */
void place_dc_fleet(const place_dc *dc, unsigned *gen_of_server);

/* ---- traces (trace.c, azure.c, bitbrains.c, cerit.c, synth.c) ---- */

typedef struct place_vm {
    int64_t created, deleted; /* seconds; deleted >= created */
    uint32_t cores;
    uint64_t mem_kib;
} place_vm;

typedef struct place_trace {
    place_vm *vm;
    size_t n, cap;
    char format[PLACE_NAME_MAX]; /* azure-v1, azure-v2, bitbrains, cerit-swf, synthetic-azure, ... */
} place_trace;

void place_trace_init(place_trace *t);
void place_trace_free(place_trace *t);
void place_trace_add(place_trace *t, const place_vm *vm);
/* Loads a file (format detected from content), a directory of Bitbrains
 * per-VM files, or a generator spec "synthetic:STYLE[:vms=N][:seed=S]". */
#define PLACE_SYNTH_VMS 10000         /* vms= unsaid: the paper's figures use about 10^4 VMs per run */
#define PLACE_SYNTH_SEED 1            /* seed= unsaid */
#define PLACE_SYNTH_VMS_MAX 100000000 /* 10^8: so a typo in vms= cannot ask for gigabytes of VM records */
int place_trace_load(const char *spec, place_trace *t, vs_err *err);

/* The readers take whole-file text; origin names it in error messages. */
int place_read_azure(const char *data, size_t len, const char *origin, place_trace *t, vs_err *err);
int place_read_bitbrains(const char *data, size_t len, const char *origin, place_trace *t, vs_err *err);
int place_read_cerit(const char *data, size_t len, const char *origin, place_trace *t, vs_err *err);

typedef enum place_style { PLACE_STYLE_AZURE = 0, PLACE_STYLE_CERIT, PLACE_STYLE_BITBRAINS, PLACE_STYLE_COUNT } place_style;
const char *place_style_name(place_style s);
/* Deterministic in (style, vms, seed); see synth.c for the distributions. */
void place_synth(place_style style, size_t vms, uint64_t seed, place_trace *t);
/* The same arrivals and lifetimes as place_synth(style, ...), with the VM
 * sizes drawn from the `sizes` style's table instead (an ablation: it
 * separates the effect of the sizes from that of the churn). */
void place_synth_sized(place_style style, place_style sizes, size_t vms, uint64_t seed, place_trace *t);

/* A style's laws, for tests and reports: a VM size table and the lifetime law. */
typedef struct place_size {
    uint32_t cores;
    double gib;
    double weight; /* relative: a VM takes this size with probability weight / sum of weights */
} place_size;
typedef struct place_synth_law {
    const char *name;
    const place_size *sizes;
    size_t n_sizes;
    double span_days; /* trace length */
    double window;    /* fraction of the span over which VMs arrive (uniformly) */
    double persist;   /* share of VMs alive until the end of the span */
    double whole;     /* share of VMs present for the whole span (created at its start, alive at its end) */
    double median_s;  /* log-normal lifetime median, seconds */
    double sigma;     /* log-normal shape */
    int64_t tick;     /* timestamp granularity, seconds */
} place_synth_law;
const place_synth_law *place_synth_law_of(place_style s);

/* ---- servers (server.c) ---- */

typedef struct place_server place_server;

/* host may be NULL: no non-VM allocations. */
place_server *place_server_new(const place_gen *g, uint32_t page_kib, unsigned max_order, const place_host *host,
                               vs_err *err);
void place_server_free(place_server *s);
/* Moves the server's clock to now (seconds, never backwards): host page
 * cache older than its lifetime is freed. */
void place_server_advance(place_server *s, int64_t now);
uint32_t place_server_free_cores(const place_server *s);
uint64_t place_server_free_frames(const place_server *s);
/* Free frames plus host page cache that can be reclaimed (Linux's MemAvailable). */
uint64_t place_server_avail_frames(const place_server *s);
/* Frames a VM takes with its hypervisor paging pool. */
uint64_t place_server_vm_need(const place_server *s, uint32_t cores, uint64_t frames);
uint64_t place_server_total_frames(const place_server *s);
uint32_t place_server_total_cores(const place_server *s);
uint32_t place_server_vms(const place_server *s);
/* Enough free cores, and free plus reclaimable frames for the VM and its pool. */
bool place_server_fits(const place_server *s, uint32_t cores, uint64_t frames);
/* A VM of these cores and frames would get contiguous memory here: a free
 * buddy block of order >= ceil(log2 frames) is left after its paging pool. */
bool place_server_has_contig(const place_server *s, uint32_t cores, uint64_t frames);
/* Hosts a VM (caller checked place_server_fits): reclaims the oldest page
 * cache if free frames fall short, takes the VM's paging pool (4 KiB pages,
 * as Xen's allocator hands them out), then its memory, then the page cache
 * its creation fills.  Returns whether the VM's memory is one contiguous run. */
bool place_server_host(place_server *s, uint32_t vm, uint32_t cores, uint64_t frames);
/* Hosts a VM only if it gets contiguous memory; false leaves the server unchanged. */
bool place_server_host_contig(place_server *s, uint32_t vm, uint32_t cores, uint64_t frames);
void place_server_evict(place_server *s, uint32_t vm);
/* Re-packs resident VMs largest first around the unmovable host memory
 * (reserved, paging pools), dropping the page cache.  Accepted only if every resident VM
 * that was contiguous stays so and, when need > 0, a contiguous run of need
 * frames becomes free; returns pages moved (0 when refused). */
uint64_t place_server_compact(place_server *s, uint64_t need, bool *accepted);
void place_server_counts(const place_server *s, uint64_t *counts); /* max_order + 1 entries */
unsigned place_server_max_order(const place_server *s);

/* ---- policies and replay (policy.c, replay.c, report.c) ---- */

/* The one list of policies: X(ID, NAME, SCORE) gives the enum constant
 * PLACE_ID, the --policy name and the function of policy.c that scores a
 * fitting server (the lowest wins); names, parsing and --policy all read it,
 * so adding a policy is its scoring function plus one row here.  policy.c's
 * opening comment says what each does (contig: Algorithm 1; max, min:
 * Algorithms 2 and 3). */
#define PLACE_POLICY_ROWS(X)                                                                                 \
    X(CONTIG, "contig", score_first) X(MAX, "max", score_max) X(MIN, "min", score_min)                       \
    X(FIRST_FIT, "first-fit", score_first) X(BEST_FIT, "best-fit", score_best)

#define PLACE_POLICY_ENUM_ROW(ID, NAME, SCORE) PLACE_##ID,
typedef enum place_policy { PLACE_POLICY_ROWS(PLACE_POLICY_ENUM_ROW) PLACE_POLICY_COUNT } place_policy;
#undef PLACE_POLICY_ENUM_ROW
/* What --policy accepts, as a string literal: "contig, max, ..., or all". */
#define PLACE_POLICY_LIST_ROW(ID, NAME, SCORE) NAME ", "
#define PLACE_POLICY_CHOICES PLACE_POLICY_ROWS(PLACE_POLICY_LIST_ROW) "or all"
const char *place_policy_name(place_policy p);
int place_policy_parse(const char *s, place_policy *p, vs_err *err);

typedef struct place_result place_result;

int place_run(const place_dc *dc, const place_trace *t, place_policy p, place_result **out, vs_err *err);
void place_result_free(place_result *r);

typedef struct place_totals {
    uint64_t vms, placed, rejected, contiguous;
    uint64_t servers_total, servers_used, peak_active;
    uint64_t compactions, compactions_accepted, pages_moved;
    double contiguous_pct;     /* of placed VMs */
    double consolidation_rate; /* servers used / total */
    int frag_order;
    double mean_unusable;      /* over samples x running servers */
    double no_block_share;     /* of those pairs, share with no free block of frag_order */
    double mean_fragmentation; /* fragmentation index averaged over those pairs */
} place_totals;
void place_result_totals(const place_result *r, place_totals *out);
/* Whether VM i (trace order) kept contiguous memory for its lifetime. */
bool place_result_vm_contiguous(const place_result *r, size_t i);
int place_result_vm_server(const place_result *r, size_t i); /* -1 when rejected */
void place_result_report(const place_result *r, jw *w);
void place_result_print(const place_result *r, FILE *out);

/* ---- bridge to translation (bridge.c) ---- */

typedef struct place_bridge_in {
    vs_config cfg;          /* base machine; mode is set to contig and to nested */
    const char *trace_path; /* the representative trace */
    double ips_per_core;    /* assumed instructions per second per core */
} place_bridge_in;

/* Runs the representative trace in contig and nested mode and writes the
 * datacenter-wide estimate of translation cycles saved for r's contiguous VMs. */
int place_bridge(const place_bridge_in *in, const place_trace *t, const place_result *r, jw *w, FILE *human,
                 vs_err *err);

#endif
