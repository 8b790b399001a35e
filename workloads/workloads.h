/*
 * workloads.h: synthetic trace generators (`vmemsim gen`).
 *
 * Two families:
 *   - the six workloads of Bhargava-style virtual-paging studies (seed 003,
 *     its Figure 7 and section 4): worst, vpr, hpcc, tpch, kbuild, boot.
 *     Each emits one IFETCH per instruction from a small code region and, per
 *     instruction, data accesses at a fixed mean rate (memory accesses per
 *     instruction, Figure 7), with context switches (TREC_SWITCH) every
 *     `quantum` instructions when it models several processes;
 *   - `ds`: real data structures (Weiss, "Data Structures and Algorithm
 *     Analysis") run over a simulated heap inside a declared critical data
 *     area, emitting every load and store of their memory and transaction
 *     markers around each group of OPT operations (seed 000/001, Table 2).
 *
 * Everything is deterministic: the output depends only on the generator's
 * parameters and the seed.
 */
#ifndef VS_WORKLOADS_H
#define VS_WORKLOADS_H

#include "sim/common.h"
#include "sim/trace/trace.h"

/* ---- the generators ---- */

typedef struct wl_info {
    const char *name;
    const char *summary; /* one line: what it models */
    const char *keys;    /* its key=value parameters and their defaults */
} wl_info;

size_t wl_count(void);
const wl_info *wl_get(size_t i);

/* Runs generator `name` with nkv "key=value" arguments and writes a .vmt
 * trace to out_path (guestmem: a raw memory image instead).  Unknown generators, unknown keys and out-of-range
 * values are VS_E_USAGE errors naming the key and the accepted range. */
int wl_generate(const char *name, int nkv, char **kv, uint64_t seed, const char *out_path,
                vs_err *err);

/* ---- record sink (shared by the generators) ---- */

typedef struct wl_out wl_out;
/* A sink writing to w (not owned), or discarding records when w is NULL. */
wl_out *wl_out_new(trace_writer *w);
void wl_emit(wl_out *o, unsigned kind, uint64_t addr, uint16_t size, uint32_t id, uint64_t len);
/* Flushes buffered records; returns the first write error, if any. */
int wl_out_flush(wl_out *o, vs_err *err);
/* A generator's error: the first one sticks, nothing more is written, and
 * wl_out_flush returns it (VS_E_USAGE). */
void wl_out_fail(wl_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t wl_out_records(const wl_out *o);
void wl_out_free(wl_out *o);

/* ---- key=value arguments ---- */

typedef struct wl_args wl_args;
int wl_args_parse(const char *gen, int nkv, char **kv, wl_args **out, vs_err *err);
void wl_args_free(wl_args *a);
/* Integer with an optional binary suffix k, m, g (sizes) in [lo, hi]. */
int wl_arg_u64(wl_args *a, const char *key, uint64_t def, uint64_t lo, uint64_t hi, uint64_t *out,
               vs_err *err);
int wl_arg_f64(wl_args *a, const char *key, double def, double lo, double hi, double *out, vs_err *err);
/* A string (e.g. a path list); *out lives as long as the arguments. */
int wl_arg_str(wl_args *a, const char *key, const char *def, const char **out, vs_err *err);
/* One of the NULL-terminated names; *out is its index. */
int wl_arg_choice(wl_args *a, const char *key, const char *const *names, int def, int *out,
                  vs_err *err);
/* Fails on any key no wl_arg_* call asked for. */
int wl_args_done(wl_args *a, vs_err *err);

/* ---- data structures over a simulated heap (the `ds` generator) ---- */

/* The one list of structures: X(ID, STEM) gives the enum constant WL_DS_ID,
 * the structure= name STEM and its hooks wl_ds_STEM, defined in wl_ds_STEM.c;
 * the enum, the names, the declarations and the table of hooks all come from
 * it, so adding a structure is its file plus one row here. */
#define WL_DS_ROWS(X)                                                                                        \
    X(AVL, avl) X(SPLAY, splay) X(AA, aa) X(HEAP, heap) X(BINOMIAL, binomial) X(QUEUE, queue) X(LIST, list)  \
    X(HASHQUAD, hashquad) X(BST, bst)

#define WL_DS_ENUM_ROW(ID, STEM) WL_DS_##ID,
typedef enum wl_ds_kind { WL_DS_ROWS(WL_DS_ENUM_ROW) WL_DS_COUNT } wl_ds_kind;
#undef WL_DS_ENUM_ROW

extern const char *const wl_ds_names[WL_DS_COUNT + 1]; /* "avl", ..., NULL */

/* seq and random: headerless node slots in address order or shuffled, the
 * whole simulated memory one CDA.  glibc: glibc's malloc on x86-64 (chunk
 * sizes and headers, header stores, fastbin frees), the CDA is the malloc
 * heap and the drivers' locals and statics lie outside it (wl_ds.c). */
typedef enum wl_ds_layout { WL_LAYOUT_SEQ = 0, WL_LAYOUT_RANDOM = 1, WL_LAYOUT_GLIBC = 2 } wl_ds_layout;

typedef struct wl_ds_params {
    wl_ds_kind kind;
    uint64_t capacity;   /* most elements alive at once */
    uint32_t node_bytes; /* 0 = the structure's natural node (or cell) size */
    wl_ds_layout layout; /* where the allocator places nodes in the heap */
    uint64_t seed;       /* for the random layout */
    /* Insert where Weiss's test drivers do where the structure takes a
     * position: the list after the cell inserted last (testlist.c's
     * Insert(i, L, P); P = Advance(P)), not after the header. */
    bool weiss_driver;
} wl_ds_params;

typedef struct wl_ds wl_ds;
/* The heap is a critical data area at a fixed base; out may be NULL. */
int wl_ds_new(const wl_ds_params *p, wl_out *out, wl_ds **ds, vs_err *err);
void wl_ds_free(wl_ds *d);
void wl_ds_insert(wl_ds *d, uint64_t key);
/* Removes key (trees, list, hash) or the minimum / front (heap, binomial,
 * queue, which ignore key).  False when there was nothing to remove. */
bool wl_ds_remove(wl_ds *d, uint64_t key);
/* Checks the structure's invariants; on failure writes why and returns false. */
bool wl_ds_check(const wl_ds *d, char *why, size_t cap);
/* The elements in the structure's own order (in-order for trees, FIFO for
 * the queue, list order, array order otherwise); returns how many. */
size_t wl_ds_keys(const wl_ds *d, uint64_t *out, size_t cap);
size_t wl_ds_size(const wl_ds *d);

#endif
