/*
 * memhier.c: the cache hierarchy that data, instruction and page-walk
 * references go through (see memhier.h), in the style of the inclusive
 * Intel client hierarchies (L1I/L1D, unified L2, unified LLC, then DRAM).
 *
 * At creation each source gets its probe path: the level-1 cache of its side
 * (instruction, or data for data and page-walk references; a unified L1
 * serves both), then the unified caches of levels 2, 3, ... in order.  Page
 * walks skip the levels below walk_level.  An access probes its path in
 * order; the first hit sets the latency (each level's latency is its
 * load-to-use time, not a sum), and every level probed before it is filled,
 * so a DRAM access fills the whole path (inclusive fill, write-allocate).
 *
 * A cache stores line addresses (pa / line) as both key and set index, so
 * consecutive lines fall in consecutive sets.
 *
 * Each level-1 cache under true LRU with a power-of-two set count also
 * remembers, per set, the line accessed last in that set (`mru`).  A hit or
 * a fill leaves that line the most recent of its set under LRU, and every
 * access that changes the cache comes through this file (probe_path,
 * prefetch_fill), so while mru[set] == line the line is present and another
 * hit on it changes nothing: the access is counted as a hit without the
 * store's lookup (by mh_access, inline in memhier.h, through `head`).  It
 * is the single-line memo below generalized from the cache's last line to
 * each set's, exact for LRU only (under SRRIP a hit after a fill promotes
 * the line), so other policies do not get it.
 *
 * Invariants: per cache and source, hits + misses == accesses that reached
 * it; per source, DRAM accesses == misses at the last cache of its path (or
 * all accesses when the path is empty); mru[set], when not MH_NO_LINE, is the
 * line the cache's last access to that set hit or filled.
 */
#include "memhier.h"

#include "cpf/pfu.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MH_MAX_LEVEL MH_MAX_CACHES /* more levels than caches would leave a gap */
#define MH_SIDES 3                 /* data, instruction, unified */
#define MH_NO_LINE UINT64_MAX      /* an empty mru slot: no line address is all ones (pa >> line_shift) */

typedef struct mh_cache {
    assoc *a;
    char *name;
    unsigned level;
    mh_side side;
    unsigned line_shift;
    uint32_t latency;
    uint64_t hits[MH_SRC_COUNT], misses[MH_SRC_COUNT];
    uint64_t touches; /* accesses: any change of recency order bumps it */
    uint64_t *mru;    /* per set, the line last hit or filled (level-1 LRU caches only; else NULL) */
    uint64_t set_mask; /* sets - 1, with mru */
} mh_cache;

/* The last line a source touched in its first cache.  While that cache has
 * not been touched since, the line is still its set's most recent, so an
 * access to the same line is a hit that changes nothing: it is counted
 * without a lookup.  Exact under every replacement policy, since a repeated
 * hit may change no policy state (assoc.h). */
typedef struct mh_memo {
    uint64_t line;
    uint64_t touches;
    bool valid;
} mh_memo;

struct mh {
    mh_head head; /* first: mh_access reads it through the header (memhier.h) */
    mh_cache caches[MH_MAX_CACHES];
    unsigned n;
    uint32_t dram_latency;
    uint8_t path[MH_SRC_COUNT][MH_MAX_CACHES]; /* cache indices in probe order */
    unsigned path_len[MH_SRC_COUNT];
    mh_memo memo[MH_SRC_COUNT];
    bool by_set[MH_SRC_COUNT];      /* the first cache's per-set memo alone decides (head.fast) */
    uint64_t dram[MH_SRC_COUNT];
    pfu *pf;                        /* NULL: no cache has a prefetcher */
    uint8_t data_pos[MH_MAX_CACHES]; /* position of each cache in the data path */
};

static_assert(offsetof(struct mh, head) == 0, "mh_access reads the head through a cast of mh");

/* The per-set memo of a source whose first cache has none (or whose path is
 * empty): one slot, MH_NO_LINE, read with a line shift of at least 1
 * (NO_MRU_SHIFT), so that no address, not even all ones, matches it. */
static const uint64_t no_mru = MH_NO_LINE;
#define NO_MRU_SHIFT 1

static bool is_pow2(uint64_t x) { return x && !(x & (x - 1)); }

/* True when line is the last one hit or filled in its set: a hit that would
 * change nothing (see the file comment). */
static inline bool mru_hit(const mh_cache *c, uint64_t line)
{
    return c->mru && c->mru[line & c->set_mask] == line;
}

/* One access of a cache, the probe and on a miss the fill; true on a hit. */
static bool cache_access(mh_cache *c, uint64_t line)
{
    c->touches++;
    if (mru_hit(c, line))
        return true;
    bool hit = assoc_access(c->a, line, line);
    if (c->mru)
        c->mru[line & c->set_mask] = line;
    return hit;
}

static int check_cache(const mh_cache_params *c, unsigned i, vs_err *err)
{
    if (!c->name || !*c->name)
        return vs_fail(err, VS_E_CONFIG, "memhier: cache %u needs a name", i);
    if (c->level < 1 || c->level > MH_MAX_LEVEL)
        return vs_fail(err, VS_E_CONFIG, "memhier: cache '%s': level must be 1..%u, got %u", c->name,
                       MH_MAX_LEVEL, c->level);
    if (c->side != MH_SIDE_DATA && c->side != MH_SIDE_INST && c->side != MH_SIDE_UNIFIED)
        return vs_fail(err, VS_E_CONFIG, "memhier: cache '%s': side must be data, inst or unified", c->name);
    if (c->level > 1 && c->side != MH_SIDE_UNIFIED)
        return vs_fail(err, VS_E_CONFIG, "memhier: cache '%s': only level 1 may be split; level %u must be unified",
                       c->name, c->level);
    if (!is_pow2(c->line))
        return vs_fail(err, VS_E_CONFIG, "memhier: cache '%s': line size must be a power of two, got %u", c->name,
                       c->line);
    if (c->size == 0 || c->size % c->line)
        return vs_fail(err, VS_E_CONFIG, "memhier: cache '%s': size %llu must be a positive multiple of the line (%u)",
                       c->name, (unsigned long long)c->size, c->line);
    uint64_t lines = c->size / c->line;
    if (lines > UINT32_MAX)
        return vs_fail(err, VS_E_CONFIG, "memhier: cache '%s': %llu lines is more than %u", c->name,
                       (unsigned long long)lines, UINT32_MAX);
    if (c->ways == 0 || c->ways > lines || lines % c->ways)
        return vs_fail(err, VS_E_CONFIG, "memhier: cache '%s': %llu lines must be a positive multiple of ways (%u)",
                       c->name, (unsigned long long)lines, c->ways);
    if (c->prefetcher) {
        const cpf_params *f = &c->prefetch;
        if (!cpf_at(c->prefetcher))
            return vs_fail(err, VS_E_CONFIG, "memhier: cache '%s': no prefetcher %u", c->name, c->prefetcher);
        if (c->side == MH_SIDE_INST)
            return vs_fail(err, VS_E_CONFIG, "memhier: cache '%s': a data prefetcher needs a data or unified cache",
                           c->name);
        if (f->degree < 1 || f->degree > CPF_MAX_DEGREE || f->distance < 1 || f->streams < 1 || f->max_stride < 1 ||
            c->prefetch_outstanding < 1)
            return vs_fail(err, VS_E_CONFIG,
                           "memhier: cache '%s': prefetch degree must be 1..%u and distance, streams, max_stride "
                           "and outstanding at least 1",
                           c->name, CPF_MAX_DEGREE);
    }
    return VS_OK;
}

/* Checks that each (level, side) has at most one cache, that a unified L1
 * excludes split ones, and that levels run 1..max without a gap. */
static int check_shape(const mh_params *p, vs_err *err)
{
    int at[MH_MAX_LEVEL + 1][MH_SIDES];
    unsigned max_level = 0;
    for (unsigned l = 0; l <= MH_MAX_LEVEL; l++)
        at[l][0] = at[l][1] = at[l][2] = -1;
    for (unsigned i = 0; i < p->n_caches; i++) {
        const mh_cache_params *c = &p->caches[i];
        if (at[c->level][c->side] >= 0)
            return vs_fail(err, VS_E_CONFIG, "memhier: caches '%s' and '%s' are both level %u on the same side",
                           p->caches[at[c->level][c->side]].name, c->name, c->level);
        at[c->level][c->side] = (int)i;
        if (c->level > max_level)
            max_level = c->level;
    }
    if (at[1][MH_SIDE_UNIFIED] >= 0 && (at[1][MH_SIDE_DATA] >= 0 || at[1][MH_SIDE_INST] >= 0))
        return vs_fail(err, VS_E_CONFIG, "memhier: a unified level-1 cache ('%s') excludes split L1 caches",
                       p->caches[at[1][MH_SIDE_UNIFIED]].name);
    for (unsigned l = 1; l <= max_level; l++)
        if (at[l][0] < 0 && at[l][1] < 0 && at[l][2] < 0)
            return vs_fail(err, VS_E_CONFIG, "memhier: no cache at level %u, but there is one at level %u", l,
                           max_level);
    if (p->n_caches && (p->walk_level < 1 || p->walk_level > max_level))
        return vs_fail(err, VS_E_CONFIG, "memhier: walk level must be 1..%u (the cache levels), got %u", max_level,
                       p->walk_level);
    return VS_OK;
}

/* Probe order for src: its side at level 1, then unified levels upward;
 * page walks start at walk_level on the data side. */
static void build_path(mh *m, mh_src src, unsigned first_level)
{
    mh_side side = src == MH_INST ? MH_SIDE_INST : MH_SIDE_DATA;
    unsigned len = 0;
    for (unsigned l = first_level; l <= MH_MAX_LEVEL; l++)
        for (unsigned i = 0; i < m->n; i++)
            if (m->caches[i].level == l && (m->caches[i].side == side || m->caches[i].side == MH_SIDE_UNIFIED))
                m->path[src][len++] = (uint8_t)i;
    m->path_len[src] = len;
}

/* pfu_fill_fn: a prefetched line enters the data path at `cache` and fills
 * down to the first level holding it, as a demand miss would (the levels
 * probed count as touched, so the memo of the first one lapses). */
static bool prefetch_fill(void *ctx, unsigned cache, uint64_t pa, uint32_t *latency, bool *dram)
{
    mh *m = ctx;
    const mh_cache *at = &m->caches[cache];
    if (assoc_probe(at->a, pa >> at->line_shift, pa >> at->line_shift, NULL))
        return false;
    unsigned k, len = m->path_len[MH_DATA];
    *latency = m->dram_latency;
    for (k = m->data_pos[cache]; k < len; k++) {
        mh_cache *c = &m->caches[m->path[MH_DATA][k]];
        if (cache_access(c, pa >> c->line_shift)) {
            *latency = c->latency;
            break;
        }
    }
    *dram = k == len;
    return true;
}

static void build_prefetchers(mh *m, const mh_params *p)
{
    pfu_params pp[MH_MAX_CACHES];
    for (unsigned k = 0; k < m->path_len[MH_DATA]; k++)
        m->data_pos[m->path[MH_DATA][k]] = (uint8_t)k;
    for (unsigned i = 0; i < m->n; i++) {
        const mh_cache_params *c = &p->caches[i];
        pp[i] = (pfu_params){.prefetcher = c->prefetcher,
                             .cpf = c->prefetch,
                             .outstanding = c->prefetch_outstanding,
                             .line_cycles = c->prefetch_line_cycles,
                             .line_shift = m->caches[i].line_shift};
    }
    m->pf = pfu_new(pp, m->n, prefetch_fill, m);
}

mh *mh_new(const mh_params *p, vs_err *err)
{
    if (p->n_caches > MH_MAX_CACHES) {
        vs_fail(err, VS_E_CONFIG, "memhier: %u caches is more than the %u supported", p->n_caches, MH_MAX_CACHES);
        return NULL;
    }
    if (p->n_caches && !p->caches) {
        vs_fail(err, VS_E_USAGE, "memhier: %u caches declared but no cache parameters given", p->n_caches);
        return NULL;
    }
    for (unsigned i = 0; i < p->n_caches; i++)
        if (check_cache(&p->caches[i], i, err) != VS_OK)
            return NULL;
    if (check_shape(p, err) != VS_OK)
        return NULL;
    mh *m = vs_calloc(1, sizeof *m);
    m->n = p->n_caches;
    m->dram_latency = p->dram_latency;
    uint64_t seed = p->seed;
    for (unsigned i = 0; i < m->n; i++) {
        const mh_cache_params *cp = &p->caches[i];
        mh_cache *c = &m->caches[i];
        uint64_t cache_seed = vs_rng_next(&seed); /* independent streams per cache */
        c->a = assoc_new((uint32_t)(cp->size / cp->line), cp->ways, cp->repl, cache_seed);
        assert(c->a);
        c->name = vs_strdup(cp->name);
        c->level = cp->level;
        c->side = cp->side;
        c->line_shift = (unsigned)__builtin_ctz(cp->line);
        c->latency = cp->latency;
        uint32_t sets = assoc_sets(c->a);
        if (c->level == 1 && (!cp->repl || cp->repl == ASSOC_LRU) && is_pow2(sets)) {
            c->mru = vs_malloc(sets * sizeof *c->mru);
            for (uint32_t i = 0; i < sets; i++)
                c->mru[i] = MH_NO_LINE;
            c->set_mask = sets - 1;
        }
    }
    build_path(m, MH_DATA, 1);
    build_path(m, MH_INST, 1);
    build_path(m, MH_WALK, m->n ? p->walk_level : 1);
    build_prefetchers(m, p);
    for (unsigned src = 0; src < MH_SRC_COUNT; src++) {
        m->by_set[src] = !m->pf && m->path_len[src] && m->caches[m->path[src][0]].mru;
        mh_fast *f = &m->head.fast[src];
        *f = (mh_fast){.mru = &no_mru, .line_shift = NO_MRU_SHIFT};
        if (m->by_set[src]) {
            mh_cache *first = &m->caches[m->path[src][0]];
            *f = (mh_fast){.mru = first->mru,
                           .set_mask = first->set_mask,
                           .hits = &first->hits[src],
                           .line_shift = first->line_shift,
                           .latency = first->latency,
                           .first = m->path[src][0]};
        }
    }
    return m;
}

void mh_free(mh *m)
{
    if (!m)
        return;
    for (unsigned i = 0; i < m->n; i++) {
        assoc_free(m->caches[i].a);
        free(m->caches[i].mru);
        free(m->caches[i].name);
    }
    pfu_free(m->pf);
    free(m);
}

/* mh_access past the memo: the probe of src's path. */
static uint32_t probe_path(mh *m, uint64_t pa, mh_src src, int *where)
{
    const uint8_t *path = m->path[src];
    unsigned len = m->path_len[src], k;
    mh_memo *memo = &m->memo[src];
    uint32_t latency = m->dram_latency;
    int hit = -1;
    /* Each level is probed and, on a miss, filled at once: the levels are
     * separate stores, so this is the same as probing every level first. */
    for (k = 0; k < len; k++) {
        mh_cache *c = &m->caches[path[k]];
        if (cache_access(c, pa >> c->line_shift)) {
            c->hits[src]++;
            latency = c->latency;
            hit = path[k];
            break;
        }
        c->misses[src]++;
        if (k == 0) /* the levels below are probed next: fetch their sets in parallel, not one by one */
            for (unsigned b = 1; b < len; b++) {
                const mh_cache *below = &m->caches[path[b]];
                assoc_prefetch(below->a, pa >> below->line_shift);
            }
    }
    if (hit < 0)
        m->dram[src]++;
    if (len) {
        const mh_cache *first = &m->caches[path[0]];
        *memo = (mh_memo){.line = pa >> first->line_shift, .touches = first->touches, .valid = true};
    }
    if (m->pf) /* probed: the levels up to the one that hit, or all of them */
        latency = pfu_demand(m->pf, pa, src == MH_DATA, path, hit < 0 ? len : k + 1, hit, latency);
    if (where)
        *where = hit;
    return latency;
}

/* With no prefetcher to see the access, a hit the per-set memo vouches for
 * is probe_path's hit in the first cache without its lookup: mh_access
 * (memhier.h) counts it inline through head.fast.  It subsumes the one-line
 * memo (the cache's last line is its set's last), and no source reads this
 * cache's `touches` or its memo: every source whose path starts at this
 * cache is by_set.  What comes here is either a by_set miss of the per-set
 * memo, or an access of a source that only has the one-line memo.  Never
 * inlined (not even by link-time optimization): the fast path's callers
 * would pay this path's spills. */
__attribute__((noinline)) uint32_t mh_access_slow(mh *m, uint64_t pa, mh_src src, int *where)
{
    assert(src < MH_SRC_COUNT);
    const mh_memo *memo = &m->memo[src];
    if (!m->by_set[src] && m->path_len[src] && memo->valid) {
        mh_cache *first = &m->caches[m->path[src][0]];
        if (memo->line == pa >> first->line_shift && memo->touches == first->touches) {
            first->hits[src]++;
            if (where)
                *where = m->path[src][0];
            return first->latency;
        }
    }
    return probe_path(m, pa, src, where);
}

void mh_prefetch(const mh *m, uint64_t pa, mh_src src)
{
    assert(src < MH_SRC_COUNT);
    for (unsigned k = 0; k < m->path_len[src]; k++) {
        const mh_cache *c = &m->caches[m->path[src][k]];
        assoc_prefetch(c->a, pa >> c->line_shift);
    }
}

unsigned mh_cache_count(const mh *m) { return m->n; }

const char *mh_cache_name(const mh *m, unsigned i)
{
    return i < m->n ? m->caches[i].name : NULL;
}

void mh_reset_stats(mh *m)
{
    for (unsigned i = 0; i < m->n; i++) {
        memset(m->caches[i].hits, 0, sizeof m->caches[i].hits);
        memset(m->caches[i].misses, 0, sizeof m->caches[i].misses);
    }
    memset(m->dram, 0, sizeof m->dram);
    if (m->pf)
        pfu_reset_stats(m->pf);
}

void mh_set_clock(mh *m, uint64_t (*clock)(const void *ctx), const void *ctx)
{
    if (m->pf)
        pfu_set_clock(m->pf, clock, ctx);
}

bool mh_prefetch_stats(const mh *m, unsigned i, uint64_t *issued, uint64_t *useful, uint64_t *late)
{
    return pfu_stats(m->pf, i, issued, useful, late);
}

uint64_t mh_hits(const mh *m, unsigned i, mh_src src)
{
    return i < m->n && src < MH_SRC_COUNT ? m->caches[i].hits[src] : 0;
}

uint64_t mh_misses(const mh *m, unsigned i, mh_src src)
{
    return i < m->n && src < MH_SRC_COUNT ? m->caches[i].misses[src] : 0;
}

uint64_t mh_dram_accesses(const mh *m, mh_src src)
{
    return src < MH_SRC_COUNT ? m->dram[src] : 0;
}
