/*
 * walk.h: the hardware page walker of one dimension (Intel SDM vol. 3A 4.5),
 * shared by every mode: native walks the process's tables; shadow walks the
 * shadow tables; contig walks the guest's tables and relocates each table
 * address by a base; nested and agile walk the guest's tables and translate
 * each table address through the host dimension.
 *
 * The walker consults the split paging-structure caches first (deepest hit
 * wins, so upper levels are skipped), then reads one entry per level.  Each
 * entry read probes the unified page-walk cache (keyed by the entry's host
 * physical address) and, on a miss, is one reference through the cache
 * hierarchy, priced by where it hits.
 *
 * A 32-bit paging tree (req->bits32) is walked the same way with its own
 * entry size and indices: two references for a 4 KiB page.
 *
 * Invariants: tally->refs counts exactly the entries read from memory;
 * a walk that finds a non-present entry stops there and says so.
 */
#ifndef VS_WALK_H
#define VS_WALK_H

#include "../memhier.h"
#include "../pwc/pwc.h"
#include "pt.h"

typedef struct walk_tally {
    uint32_t refs;   /* references to memory (both dimensions, when nested) */
    uint32_t nested_refs; /* of which in the host dimension */
    uint64_t cycles;
} walk_tally;

/* Maps the address of a table entry in the tree's own physical space to a host
 * physical address.  from_pwc: the table address came from a split-cache hit,
 * which caches the host address too (no nested walk).  Returns VS_OK, or a
 * positive value to ask the walker to stop (e.g. an EPT violation the caller
 * must handle), or a negative VS_E_* code. */
typedef int (*walk_to_host_fn)(void *ctx, uint64_t addr, bool from_pwc, uint64_t *host, walk_tally *t,
                               vs_err *err);

typedef struct walk_req {
    const pt_mem *tables; /* where this tree's table pages live */
    uint64_t root;        /* physical address of the top table, in the tree's space */
    unsigned levels;      /* level of the root table: 4 or 5, or lower to resume mid-tree */
    bool bits32;          /* the tree is 32-bit paging (pt.h): 4-byte entries, 10 va bits a level */
    /* 0: walk to the leaf.  L: stop after reading the level-L entry, or at a
     * split-cache hit at level L or below (the cache holds the entry that ends
     * the walk: no reference is made).  Agile's shadow part stops here. */
    unsigned stop_level;
    /* 0, or a software PTE bit: a non-leaf entry carrying it also ends the
     * walk, at any level; above stop_level such an entry is not put in the
     * split cache (it points into another tree than the level below's). */
    uint64_t stop_bit;
    bool probe_unpriced;  /* a later walk_1d of this same walk pays the split probe's latency */
    uint64_t va;
    uint16_t tag;
    pwc_split *split;     /* may be NULL */
    pwc_unified *unified; /* may be NULL */
    uint32_t pwc_latency;
    mh *mem;              /* NULL: a probe -- entries are counted, no cache is touched */
    walk_to_host_fn to_host; /* NULL: the tree's space is host-physical */
    void *ctx;
} walk_req;

typedef struct walk_result {
    bool present;      /* false: stopped at a non-present entry */
    unsigned level;    /* level of the last entry read (the leaf, or the fault) */
    uint64_t pte;      /* that entry */
    vs_pgsz size;      /* leaf size when present */
    uint64_t out_addr; /* translated va, in the tree's output space */
    uint64_t next_table; /* when stopped early: the table the stopping entry points to */
} walk_result;

/* Returns VS_OK, a positive stop code from to_host, or a negative VS_E_* code. */
int walk_1d(const walk_req *req, walk_result *res, walk_tally *tally, vs_err *err);

#endif
