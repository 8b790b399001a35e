/*
 * ckpt.h: the application-checkpointing cost model (seeds 000 and 001).
 *
 * A trace with transaction markers (TREC_TXN_BEGIN/END) and declared critical
 * data areas (TREC_CDA) is reduced to per-transaction measures: writes to the
 * CDA (W), unique 4 KiB pages written (PPT), unique 8-byte words written (U),
 * unique bytes written (B, each store at its own width) and the CDA's size.  Each dirty-tracking technique is a linear cost form over
 * those measures, built from per-operation costs read from a calibration file;
 * the data-processing step adds the copy of whole pages (page tracking) or
 * modified bytes (emulation: the log holds each emulated store's operand,
 * 4 bytes for an int, 8 for a pointer) to the helper process.
 *
 * Units: nanoseconds and bytes throughout.
 */
#ifndef VS_CKPT_H
#define VS_CKPT_H

#include "../common.h"
#include "../trace/trace.h"
#include <stdio.h>

#define CKPT_PAGE_BYTES 4096u /* tracking granularity: the x86 base page */
#define CKPT_WORD_BYTES 8u    /* the microbenchmark's writes: distinct x86-64 words */

/* ---- per-transaction analysis ---- */

typedef struct ckpt_txn {
    uint64_t writes;    /* store/RMW records touching a CDA */
    uint64_t pages;     /* unique 4 KiB pages written (PPT) */
    uint64_t words;     /* unique 8-byte words written */
    uint64_t bytes;     /* unique bytes written: what emulation logs and copies */
    uint64_t cda_bytes; /* declared CDA bytes when the transaction ended */
    uint64_t cda_pages; /* 4 KiB pages the declared CDAs span */
} ckpt_txn;

typedef struct ckpt_trace_stats {
    uint64_t txns;
    uint64_t stores;             /* every store/RMW record */
    uint64_t writes_outside_txn; /* CDA writes outside any transaction (not costed) */
    uint64_t writes_outside_cda; /* writes in a transaction but outside every CDA */
    uint64_t cda_areas;          /* areas declared */
} ckpt_trace_stats;

typedef struct ckpt_scan ckpt_scan;
ckpt_scan *ckpt_scan_new(void);
void ckpt_scan_free(ckpt_scan *s);
/* Feeds records in trace order.  Returns VS_OK, or VS_E_FORMAT naming the
 * record index when the transaction structure is malformed.  Each transaction
 * that ends is appended to the scan's list. */
int ckpt_scan_add(ckpt_scan *s, const trace_rec *recs, size_t n, vs_err *err);
/* Ends the stream: an open transaction or a trace without transactions or
 * CDAs is an error (origin names the trace). */
int ckpt_scan_finish(ckpt_scan *s, const char *origin, vs_err *err);
const ckpt_txn *ckpt_scan_txns(const ckpt_scan *s, size_t *n);
const ckpt_trace_stats *ckpt_scan_stats(const ckpt_scan *s);
/* Reads a whole trace file into a scan. */
int ckpt_scan_file(const char *path, ckpt_scan **out, vs_err *err);

/* ---- calibration (per-operation costs) ---- */

typedef struct ckpt_calib {
    /* [user]: the application inside the guest, tracking by itself */
    double user_fault_signal;  /* write fault delivered as SIGSEGV, handler entry and sigreturn */
    double user_emulate;       /* decode and perform the faulting write in the handler */
    double user_mprotect_call; /* one mprotect() call: entry, VMA split/merge, TLB shootdown */
    double user_mprotect_pte;  /* each PTE whose protection mprotect changes */
    double user_mprotect_scan; /* each CDA page walked by a whole-CDA mprotect */
    double user_record;        /* append a page to the dirty list */
    double user_log_word;      /* append (address, value) to the write log */
    double user_txn;           /* begin/commit bookkeeping of one transaction */
    /* [hypervisor]: tracking done by the hypervisor for the application */
    double hv_exit;            /* guest write fault taken by the hypervisor and resumed */
    double hv_hypercall;       /* one application-to-hypervisor call */
    double hv_emulate;         /* the hypervisor's emulation of the faulting write */
    double hv_pte;             /* hypervisor changes one PTE's protection, with invalidation */
    double hv_record;          /* append a page to the dirty list */
    double hv_log_word;        /* append (address, value) to the write log */
    double hv_scan_dirty_page; /* scanxen: per dirty page listed (seed 000: 0.0625 us) */
    double hv_scan_mib;        /* scanxen: per MiB of CDA scanned (seed 000: 2.5 us) */
    /* [copy]: data processing, the copy to the helper process */
    double copy_ns_per_byte;
    /* [microbench]: the seed's Figure 10 point used for the speedup check */
    double mb_wpp, mb_ppt, mb_cda_kib;
    /* [modern] (optional section): mechanisms of current Linux/KVM */
    bool has_modern;
    double m_kfault;           /* write-protect fault resolved in the kernel, no signal */
    double m_uffd_sync_fault;  /* uffd-wp fault served by a handler thread */
    double m_arm_call;         /* one arming syscall (UFFDIO_WRITEPROTECT, clear_refs) */
    double m_arm_page;         /* each CDA page write-protected by arming */
    double m_pagemap_page;     /* each CDA page read from /proc/PID/pagemap */
    double m_scan_call;        /* one PAGEMAP_SCAN ioctl */
    double m_scan_page;        /* each dirty page PAGEMAP_SCAN reports and re-protects */
    double m_scan_clean_page;  /* each clean CDA page PAGEMAP_SCAN walks */
    double m_pml_full_exit;    /* the exit that drains a full PML buffer */
    double m_pml_entries;      /* GPAs one PML buffer holds (512) */
    double m_bitmap_page;      /* each CDA page's bit read from KVM_GET_DIRTY_LOG */
    double m_ring_harvest;     /* user space reads and flags one kvm_dirty_gfn */
    double m_ring_reset;       /* one KVM_RESET_DIRTY_RINGS ioctl */
} ckpt_calib;

/* Loads a calibration file; every key of a present section is required and
 * unknown sections or keys are errors naming file, section and key. */
int ckpt_calib_load(const char *path, ckpt_calib *c, vs_err *err);
int ckpt_calib_load_data(const char *data, size_t len, const char *origin, ckpt_calib *c, vs_err *err);
/* The calibration keys in file order: key i's name, its section and help
 * text, and the field it fills. */
size_t ckpt_calib_nkeys(void);
const char *ckpt_calib_key(size_t i, const char **section, const char **help);
double *ckpt_calib_field(ckpt_calib *c, size_t i);

/* ---- techniques ---- */

typedef enum ckpt_tech {
    CKPT_EMUL = 0,
    CKPT_PT,        /* mprotect + SIGSEGV */
    CKPT_EMULXEN,
    CKPT_PTXEN,
    CKPT_SCANXEN,
    CKPT_SEED_COUNT, /* the seeds' five; the modern ones follow */
    CKPT_SOFTDIRTY = CKPT_SEED_COUNT,
    CKPT_UFFD_SYNC,
    CKPT_UFFD_ASYNC,
    CKPT_PML,
    CKPT_DIRTY_RING,
    CKPT_TECH_COUNT
} ckpt_tech;

typedef enum ckpt_grain { CKPT_GRAIN_PAGE = 0, CKPT_GRAIN_WORD = 1 } ckpt_grain;

/* A technique's cost: a linear form in the transaction's measures. */
typedef struct ckpt_form {
    double fixed;              /* per transaction */
    double per_write;
    double per_page;
    double per_cda_page;
    double per_cda_mib;
    ckpt_grain grain;    /* what data processing copies */
    bool hypervisor;           /* done by the hypervisor (else by the guest) */
} ckpt_form;

const char *ckpt_tech_name(ckpt_tech t); /* "emul", "pt", ... "dirty_ring" */
bool ckpt_tech_available(const ckpt_calib *c, ckpt_tech t);
ckpt_form ckpt_tech_form(const ckpt_calib *c, ckpt_tech t);
double ckpt_form_tracking(const ckpt_form *f, const ckpt_txn *x); /* ns */
uint64_t ckpt_form_copy_bytes(const ckpt_form *f, const ckpt_txn *x);
/* The WPP at which emulation and page tracking cost the same per page:
 * per_page(pt-like) / per_write(emul-like). */
double ckpt_breakeven_wpp(const ckpt_calib *c, bool hypervisor);
/* User-level over hypervisor cost at the [microbench] point (emul and pt). */
double ckpt_microbench_speedup(const ckpt_calib *c, bool page_tracking);
/* The WPP at which emulation and page tracking cost the same on a
 * transaction of the [microbench] point's PPT and CDA, fixed costs included
 * (ckpt_breakeven_wpp excludes them): where Figure 8's curves would cross on
 * the microbenchmark Figure 10 is "a sample case" of. */
double ckpt_microbench_crossing_wpp(const ckpt_calib *c, bool hypervisor);

/* ---- the report ---- */

typedef struct ckpt_tech_total {
    double tracking_ns;        /* summed over transactions */
    double copy_ns;
    uint64_t copy_bytes;
} ckpt_tech_total;

typedef struct ckpt_result {
    ckpt_trace_stats stats;
    uint64_t writes, pages, words, bytes; /* summed over transactions */
    double opt;                /* operations per transaction (for per-op figures) */
    ckpt_tech_total tech[CKPT_TECH_COUNT];
    bool available[CKPT_TECH_COUNT];
    ckpt_form form[CKPT_TECH_COUNT]; /* of the available techniques */
    double breakeven_user, breakeven_hv;
    double speedup_emul, speedup_pt;
    double mb_wpp, mb_ppt, mb_cda_kib; /* the [microbench] point */
    uint64_t cda_bytes;                /* declared CDA at the last transaction */
} ckpt_result;

void ckpt_evaluate(const ckpt_calib *c, const ckpt_scan *s, double opt, ckpt_result *r);
void ckpt_report_text(const ckpt_result *r, const char *trace, const char *calib, FILE *out);
void ckpt_report_json(const ckpt_result *r, const char *trace, const char *calib, FILE *out);

/* ---- calibration against the seeds (ckpt_fit.c) ---- */

/* One workload run reduced to the sums every cost form is linear in. */
typedef struct ckpt_wl {
    char name[16];       /* the ds structure */
    unsigned opt;        /* operations per transaction */
    uint64_t txns, writes, pages, words, bytes, cda_pages, cda_bytes; /* summed over transactions */
} ckpt_wl;

void ckpt_wl_from_scan(const ckpt_scan *s, const char *name, unsigned opt, ckpt_wl *w);
void ckpt_wl_csv_header(FILE *out);
void ckpt_wl_csv_row(const ckpt_wl *w, FILE *out);
/* Reads a CSV of ckpt_wl_csv_header's columns; errors name the file and line. */
int ckpt_wl_load_csv(const char *path, ckpt_wl **out, size_t *n, vs_err *err);

/* The fitting set: seeds 000/001's microbenchmark results (Figures 8-10). */
enum { CKPT_FIT_TARGETS = 6 };

typedef struct ckpt_fit {
    ckpt_calib prior;         /* the measured machine the fit starts from */
    ckpt_calib fitted;        /* the prior with every fitted key replaced */
    double model[CKPT_FIT_TARGETS];    /* each target's model value at the fit */
    double residual[CKPT_FIT_TARGETS]; /* ln(model / paper) */
    double cost;              /* the minimized sum of squares */
    unsigned iterations;
} ckpt_fit;

/* Weighted least squares in log space: the fitting set's targets plus one
 * prior term per [user]/[hypervisor] key.  Deterministic: same prior, same
 * bits.  Fails (VS_E_CONFIG) on a prior key that is not positive. */
int ckpt_fit_run(const ckpt_calib *prior, const char *prior_name, ckpt_fit *f, vs_err *err);
/* The fitted calibration as an INI file, each fitted key commented with its
 * prior, its move and the targets that moved it. */
void ckpt_fit_write_ini(const ckpt_fit *f, const char *prior_name, FILE *out);
/* The fit's parameter and residual tables (Markdown). */
void ckpt_fit_report_md(const ckpt_fit *f, FILE *out);
/* Refits with narrower and wider priors and tabulates the scale of the
 * costs and the predicted rows matching on workloads w (Markdown). */
int ckpt_fit_sensitivity_md(const ckpt_calib *prior, const char *prior_name, const ckpt_wl *w, size_t n, FILE *out,
                            vs_err *err);

/* Every constraint of the seeds, evaluated under calibration c on the
 * workloads w (the nine structures at OPT 1 and 5).  results = false: the
 * constraint table (paper, model, residual, kind); true: the per-seed results
 * table (result, paper, vmemsim, match, kind); out = NULL prints nothing.
 * Returns the number of predicted rows, and in *matched how many match. */
unsigned ckpt_constraints_md(const ckpt_calib *c, const ckpt_wl *w, size_t n, bool results, FILE *out,
                             unsigned *matched);

#endif
