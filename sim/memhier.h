/*
 * memhier.h: the cache hierarchy that data references and page-walk
 * references go through (L1I/L1D, L2, LLC, then DRAM), so that a page-table
 * entry found in L2 costs less than one read from DRAM.
 *
 * Each level is a physically indexed, physically tagged set-associative cache
 * (assoc.h) of `line` bytes.  Levels are inclusive on fill: a miss at every
 * level up to k fills all of them.  Level 1 may be split into instruction and
 * data caches; page walks enter at the data side of `walk_level`.
 *
 * An access returns its latency: the latency of the level that hit (each
 * level's latency is its load-to-use time, not added to the levels above),
 * or the DRAM latency.  Writes are write-allocate; write-backs are not priced.
 *
 * A data or unified cache may have a prefetcher (cpf/pfu.h: trained on the
 * demand data references reaching it; what it fetches is filled like a
 * demand miss and costs the core nothing, and a reference that hits a line
 * still on its way waits for it).  Without one, nothing changes.
 *
 * Invariants: per level and source, hits + misses == accesses that reached
 * that level.
 */
#ifndef VS_MEMHIER_H
#define VS_MEMHIER_H

#include "assoc.h"
#include "cpf/cpf.h"

#include <assert.h>
#include <stdint.h>

typedef enum mh_src { MH_DATA = 0, MH_INST = 1, MH_WALK = 2, MH_SRC_COUNT = 3 } mh_src;
typedef enum mh_side { MH_SIDE_DATA = 0, MH_SIDE_INST = 1, MH_SIDE_UNIFIED = 2 } mh_side;

#define MH_MAX_CACHES 8 /* enough for L1I, L1D, L2, L3, L4 with room to spare */

typedef struct mh_cache_params {
    const char *name; /* copied */
    unsigned level;   /* 1, 2, 3 ... */
    mh_side side;
    uint64_t size;    /* bytes; size / line must be a multiple of ways */
    uint32_t ways;
    uint32_t line;    /* bytes, a power of two */
    uint32_t latency; /* cycles */
    assoc_repl repl;
    /* Its data prefetcher (cpf/pfu.h), on a data or unified cache: */
    unsigned prefetcher;           /* cpf_names index; 0 = none (the rest is then unused) */
    cpf_params prefetch;           /* degree, distance, streams, max_stride (page_lines is set) */
    uint32_t prefetch_outstanding; /* miss slots of its unit */
    uint32_t prefetch_line_cycles; /* cycles between two lines DRAM hands it */
} mh_cache_params;

typedef struct mh_params {
    const mh_cache_params *caches;
    unsigned n_caches;       /* 0 = every access goes to DRAM */
    uint32_t dram_latency;   /* cycles */
    unsigned walk_level;     /* level at which page walks enter (1 = L1D) */
    uint64_t seed;
} mh_params;

typedef struct mh mh;

mh *mh_new(const mh_params *p, vs_err *err);
void mh_free(mh *m);

/* What mh_access's inline fast path reads, per source: the per-set memo of
 * the first cache of its path (memhier.c) when that memo alone decides (no
 * prefetcher; a level-1 LRU cache with a power-of-two set count), else one
 * empty slot that no line matches, so every access takes the slow path.  It
 * is the first member of struct mh; the rest of mh stays private. */
typedef struct mh_fast {
    const uint64_t *mru; /* per set, the line last hit or filled */
    uint64_t set_mask;   /* sets - 1 (0 with the empty slot) */
    uint64_t *hits;      /* the first cache's hit counter of this source */
    unsigned line_shift;
    uint32_t latency;    /* the first cache's */
    int first;           /* the first cache's index */
} mh_fast;

typedef struct mh_head {
    mh_fast fast[MH_SRC_COUNT];
} mh_head;

/* mh_access past the fast path: the one-line memo, or the probe of the path. */
uint32_t mh_access_slow(mh *m, uint64_t pa, mh_src src, int *where);

/* One access to physical address pa.  Returns its cycles; *where (if
 * non-NULL) gets the index of the cache that hit in creation order, or -1 for DRAM.
 * Inline: a hit the first cache's per-set memo vouches for (most accesses)
 * costs no call.  Write-allocate, write-backs unpriced: a store probes and
 * fills like a load. */
static inline uint32_t mh_access(mh *m, uint64_t pa, mh_src src, bool write, int *where)
{
    (void)write;
    assert(src < MH_SRC_COUNT);
    const mh_fast *f = &((const mh_head *)(const void *)m)->fast[src];
    uint64_t line = pa >> f->line_shift;
    if (f->mru[line & f->set_mask] == line) {
        ++*f->hits;
        if (where)
            *where = f->first;
        return f->latency;
    }
    return mh_access_slow(m, pa, src, where);
}
/* Asks the host to bring towards its caches the set that pa maps to in every
 * cache of src's path (a hint: changes nothing), so that an mh_access issued
 * after other work does not wait for them one level after another. */
void mh_prefetch(const mh *m, uint64_t pa, mh_src src);

/* The cycle count prefetch timing runs on (cpf/pfu.h; without one, the
 * hierarchy's own).  Does nothing when no cache has a prefetcher. */
void mh_set_clock(mh *m, uint64_t (*clock)(const void *ctx), const void *ctx);
/* Whether cache i has a prefetcher; then the lines it filled, of those how
 * many a demand reference hit, and of those how many it waited for (zeros
 * without a prefetcher). */
bool mh_prefetch_stats(const mh *m, unsigned i, uint64_t *issued, uint64_t *useful, uint64_t *late);

unsigned mh_cache_count(const mh *m);
const char *mh_cache_name(const mh *m, unsigned i);
/* Zeroes hits, misses and DRAM accesses; the lines stay (end of a warm-up). */
void mh_reset_stats(mh *m);
uint64_t mh_hits(const mh *m, unsigned i, mh_src src);
uint64_t mh_misses(const mh *m, unsigned i, mh_src src);
uint64_t mh_dram_accesses(const mh *m, mh_src src);

#endif
