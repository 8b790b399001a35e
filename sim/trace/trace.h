/*
 * trace.h: the trace module's one header -- the in-memory record every reader
 * produces, and the reader/writer interface the engine consumes.
 *
 * A trace is a stream of trace_rec.  Memory records carry a virtual address
 * and an access size; control records carry the events the guest-OS and
 * hypervisor models need (context switches, INVLPG, process lifetime, unmaps,
 * kmaps, VM switches, transactions, critical-data-area declarations).  Readers hand
 * out records in batches so the engine's hot loop makes one indirect call
 * per batch, not per reference.
 *
 * Formats are detected from content (magic bytes, then the shape of the first
 * text lines), never only from the file name.  Every byte source is opened
 * through trace_src, which is transparent to gzip, xz and zstd.
 *
 * Invariants: a reader never returns a record of kind >= TREC_KIND_COUNT;
 * after it returns an error it returns the same error on every later call.
 */
#ifndef VS_TRACE_H
#define VS_TRACE_H

#include "../common.h"
#include "trace_formats.h"
#include <stdio.h>

typedef enum trace_kind {
    /* memory references: addr = virtual address, size = bytes (0 = unknown) */
    TREC_IFETCH = 0, /* one executed instruction; its fetch address */
    TREC_LOAD = 1,
    TREC_STORE = 2,
    TREC_RMW = 3,    /* read-modify-write of one location (lackey 'M') */
    /* control events */
    TREC_SWITCH = 4,     /* id = pid now running (a context switch, CR3 write) */
    TREC_INVLPG = 5,     /* addr = virtual address invalidated in the current process */
    TREC_PROC_START = 6, /* id = pid of a new process (empty address space) */
    TREC_PROC_EXIT = 7,  /* id = pid that exits; its address space is freed */
    TREC_FORK = 8,       /* id = child pid; parent is the current process */
    TREC_EXEC = 9,       /* id = pid whose address space is replaced */
    TREC_VM = 10,        /* id = VM now running (a VM switch) */
    TREC_TXN_BEGIN = 11, /* id = transaction number */
    TREC_TXN_END = 12,   /* id = transaction number */
    TREC_CDA = 13,       /* critical data area: addr = base, len = bytes, id = area id */
    TREC_ROI = 14,       /* the trace's own region-of-interest marker: id = TREC_ROI_BEGIN or TREC_ROI_END */
    TREC_UNMAP = 15,     /* addr = start VA, len = bytes (both 4 KiB multiples) released in the current
                          * process: munmap, or madvise(MADV_DONTNEED) of a whole heap region */
    TREC_KMAP = 16,      /* addr = VA (4 KiB aligned) of a present 4 KiB leaf of the current process, rewritten to
                          * map page-cache page id, then invalidated: 32-bit Linux's kmap_atomic of a high-memory
                          * page (set_pte of the fixmap slot, __flush_tlb_one) */
    TREC_KIND_COUNT
} trace_kind;

enum { TREC_ROI_END = 0, TREC_ROI_BEGIN = 1 }; /* TREC_ROI ids */

static inline bool trace_kind_is_mem(unsigned k) { return k <= TREC_RMW; }
const char *trace_kind_name(unsigned k); /* "ifetch", "load", ... "cda" */

typedef struct trace_rec {
    uint64_t addr; /* VA for memory, INVLPG, UNMAP and KMAP; base for CDA */
    uint64_t len;  /* CDA and UNMAP length in bytes; 0 otherwise */
    uint32_t id;   /* pid / vm / txn / area id / page-cache page (KMAP), per kind */
    uint16_t size; /* access size in bytes for memory records */
    uint8_t kind;  /* trace_kind */
    uint8_t pad;
} trace_rec;

/* A kmap the engine can take whatever the machine: a 4 KiB-aligned VA and no
 * length or size (whether the VA is mapped only the run knows). */
#define TREC_KMAP_FORM "a 4 KiB-aligned address with len 0 and size 0"
static inline bool trace_kmap_well_formed(const trace_rec *t)
{
    return (t->addr & ((1ull << VS_PAGE_SHIFT_4K) - 1)) == 0 && t->len == 0 && t->size == 0;
}

/* The formats vmemsim reads: one constant per row of trace_formats.h. */
#define TFMT_ENUM_ROW(ID, STEM, DETECT, WRITE, SUFFIXES, HELP) TFMT_##ID,
typedef enum trace_fmt { TFMT_AUTO = 0, TRACE_FORMATS(TFMT_ENUM_ROW) TFMT_COUNT } trace_fmt;
#undef TFMT_ENUM_ROW

const char *trace_fmt_name(trace_fmt f);      /* "vmt", "lackey", ... */
trace_fmt trace_fmt_from_name(const char *s); /* TFMT_AUTO if unknown */
const char *trace_fmt_help(trace_fmt f);      /* a line saying what produces it */

/* ---- byte sources: plain, gzip, xz (liblzma), zstd; chosen by magic ---- */
typedef struct trace_src trace_src;
int trace_src_open(const char *path, trace_src **out, vs_err *err); /* "-" = stdin */
/* Reads up to n bytes; returns bytes read, 0 at end, or a negative VS_E_* code. */
long trace_src_read(trace_src *s, void *buf, size_t n, vs_err *err);
const char *trace_src_path(const trace_src *s);
/* Fraction of the underlying file consumed (compressed bytes), or -1 for pipes and stdin. */
double trace_src_fraction(const trace_src *s);
const char *trace_src_codec(const trace_src *s); /* "none", "gzip", "xz", "zstd" */
void trace_src_close(trace_src *s);

/* ---- readers ---- */
typedef struct trace_reader trace_reader;

/* Opens path, detecting format and compression when fmt is TFMT_AUTO. */
int trace_open(const char *path, trace_fmt fmt, trace_reader **out, vs_err *err);
/* Fills buf with up to cap records.  Returns the count (> 0), 0 at a clean
 * end of trace, or a negative VS_E_* code with err naming file and line/offset. */
long trace_read(trace_reader *r, trace_rec *buf, size_t cap, vs_err *err);
trace_fmt trace_reader_fmt(const trace_reader *r);
/* Fraction of the input file consumed so far (compressed bytes for compressed
 * files), or -1 when unknown (stdin, pipes).  For progress bars only. */
double trace_progress(const trace_reader *r);
void trace_close(trace_reader *r);

/* ---- writers ---- */
typedef struct trace_writer trace_writer;
typedef enum trace_codec { TCODEC_NONE = 0, TCODEC_ZLIB = 1, TCODEC_ZSTD = 2 } trace_codec;

/* The formats vmemsim writes (WRITES rows), as a string literal: " vmt champsim". */
#define TFMT_WRITES_NAME_WRITES(STEM) " " #STEM
#define TFMT_WRITES_NAME_READS_ONLY(STEM)
#define TFMT_WRITES_ROW(ID, STEM, DETECT, WRITE, SUFFIXES, HELP) TFMT_WRITES_NAME_##WRITE(STEM)
#define TRACE_WRITABLE_FORMATS TRACE_FORMATS(TFMT_WRITES_ROW)
bool trace_fmt_writable(trace_fmt f);

/* fmt is one trace_fmt_writable says yes to.  The file is written to path.tmp and
 * renamed on trace_writer_close, so a failed write never leaves a partial file
 * under the final name. */
int trace_writer_open(const char *path, trace_fmt fmt, trace_codec codec, trace_writer **out,
                      vs_err *err);
int trace_write(trace_writer *w, const trace_rec *recs, size_t n, vs_err *err);
int trace_writer_close(trace_writer *w, vs_err *err);  /* commits the file */
void trace_writer_abort(trace_writer *w);              /* discards it */
/* Records the format could not represent and skipped so far (ChampSim has
 * no control events and no address 0); always 0 for .vmt. */
uint64_t trace_writer_dropped(const trace_writer *w);

/* Streams everything from in to a new file out (format from out's suffix
 * unless fmt says otherwise); *dropped (if not NULL) gets the records the
 * format could not represent, for the caller to report under the name it knows. */
int trace_convert(const char *in, const char *out, trace_fmt out_fmt, uint64_t *dropped, vs_err *err);
/* The format trace_convert writes to path by its suffix (a WRITES row's: .vmt, .champsim, ...); TFMT_AUTO if none. */
trace_fmt trace_out_fmt_from_name(const char *path);

/* ---- summary statistics (vmemsim trace info) ---- */
typedef struct trace_summary trace_summary;
trace_summary *trace_summary_new(void);
void trace_summary_add(trace_summary *s, const trace_rec *recs, size_t n);
/* Human-readable report, or JSON when json is true. */
void trace_summary_print(const trace_summary *s, const char *path, bool json, FILE *out);
void trace_summary_free(trace_summary *s);
/* Computes the summary of a whole file. */
int trace_summarize(const char *path, trace_summary **out, vs_err *err);
/* The same, with the rates measured after the first warmup instructions
 * (trace_summary_set_warmup); a trace that ends within them is an error. */
int trace_summarize_after(const char *path, uint64_t warmup, trace_summary **out, vs_err *err);
/* Rates count from just before the fetch of instruction instructions + 1;
 * what comes before still warms their state (pages, DTLB, address spaces).
 * Set before the first record is added. */
void trace_summary_set_warmup(trace_summary *s, uint64_t instructions);

/* The per-instruction rates seed 003 characterises its workloads by
 * (Figures 7-11), as measured on a trace.  A rate is NaN when the trace has
 * no instructions (or, for first_touch_pmi, more than TRACE_RATE_MAX_SPACES
 * address spaces). */
#define TRACE_RATE_MAX_SPACES 4096u
typedef struct trace_rates {
    uint64_t warmup_instructions; /* instructions before the rates' region (0: none) */
    uint64_t instructions;        /* instructions the rates are over */
    double api;             /* data accesses (LOAD, STORE, RMW) per instruction */
    double loads_pi, stores_pi; /* of which loads, and stores or RMWs */
    double cr3_pmi;         /* context switches (CR3 writes) per million instructions */
    double invlpg_pmi;      /* INVLPGs per million instructions */
    /* Distinct 4 KiB pages first touched by an address space (a pid until it
     * execs or exits), per million instructions: the leaf PTEs a demand-paging
     * guest OS writes. */
    double first_touch_pmi;
    /* Data-TLB misses per 1000 instructions on seed 003's SIMICS DTLB
     * (Figure 6: 64 entries, 4-way, LRU, 4 KiB pages, no ASIDs, so every
     * context switch flushes it). */
    double ref_dtlb_mpki;
} trace_rates;
void trace_summary_rates(const trace_summary *s, trace_rates *r);

/* Prints the first n records, one per line. */
int trace_head(const char *path, uint64_t n, FILE *out, vs_err *err);

/* A content digest (FNV-1a 64 over the decoded records) for result provenance. */
typedef struct trace_digest { uint64_t h; uint64_t records; } trace_digest;
void trace_digest_init(trace_digest *d);
void trace_digest_add(trace_digest *d, const trace_rec *recs, size_t n);
/* The digest of every record r has returned so far: what trace_digest_add
 * over them gives, at less cost (formats that decode fast fold it in as they
 * decode). */
trace_digest trace_reader_digest(const trace_reader *r);

#endif
