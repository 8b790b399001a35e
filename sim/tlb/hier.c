/*
 * hier.c: the TLB hierarchy of hier.h.
 *
 * Structures are grouped per class (data, instruction) by level, levels in
 * increasing order; a unified structure belongs to both classes.  The probe
 * walks the levels of the class in order and stops at the first hit.
 *
 * The repeat-hit shortcut: most references touch the page the previous
 * reference of their class touched.  The last first-level hit of each class
 * is remembered until any TLB changes (a fill, flush or invalidation forgets
 * it); a reference to the same 4 KiB page under the same tag then repeats
 * that lookup exactly -- the structures probed before the hit miss, the hit
 * re-touches the entry already most recent in its set, which changes no
 * replacement state -- so only the counters move.  It is not used when a
 * first-level structure serves both classes: a reference of the other class
 * could then change that structure's state without a fill.  A repeat only
 * counts itself in the memo; its hits, the misses of the structures probed
 * before the hit and its cycles are added to their counters when the memo
 * is replaced or forgotten, or read from it by the readers of the counts
 * (th_cycles, th_report): one increment a reference instead of three
 * read-modify-writes of shared counters.
 *
 * Invariants: see hier.h; a remembered hit is valid only while no structure
 * has changed since it was taken.
 */
#include "hier.h"
#include "tpf.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define TH_MAX_LEVELS 8 /* matches the config's level range */
#define TH_MAX_TLBS 16  /* matches the config's structure limit */

typedef struct th_level {
    tlb *t[TH_MAX_TLBS];
    uint8_t idx[TH_MAX_TLBS]; /* of each structure in th.tlbs */
    unsigned n;
    bool any_pf; /* a structure of the level has a prefetcher */
    uint32_t latency; /* the slowest structure of the level */
    uint64_t hits, misses;
} th_level;

/* The last first-level hit of a class (see the header comment). */
typedef struct th_memo {
    uint64_t vpage; /* va >> 12 */
    tlb_entry e;
    uint64_t offset_mask; /* of e's page size: pa = e.pa_base | (va & offset_mask) */
    uint16_t tag;
    uint8_t hit_idx; /* structure of level 1 that hit */
    bool valid;
    uint64_t repeats; /* repeats not yet added to the counters (settle) */
} th_memo;

/* The prefetcher of one structure and what it did. */
typedef struct th_pf {
    const tpf_ops *ops; /* NULL: none */
    void *st;
    tlb *buf; /* the prefetch buffer; NULL: prefetches fill the structure */
    uint64_t probes, prefetches, buffer_hits, walk_refs;
    uint64_t tagged_hits; /* the structure's prefetch hits already trained on */
} th_pf;

struct th {
    tlb *tlbs[TH_MAX_TLBS];
    th_pf pf[TH_MAX_TLBS];
    th_probe_fn probe;
    void *probe_ctx;
    uint64_t pc; /* address of the last instruction fetched */
    unsigned n_tlbs;
    th_level levels[TH_CLASSES][TH_MAX_LEVELS];
    unsigned n_levels[TH_CLASSES];
    th_memo memo[TH_CLASSES];
    bool memo_allowed[TH_CLASSES];
    uint64_t cycles, flushes;
};

static bool class_matches(tlb_kind k, th_class cls)
{
    return k == TLB_UNIFIED || (cls == TH_DATA ? k == TLB_DATA : k == TLB_INSTRUCTION);
}

static void group_levels(th *h, th_class cls)
{
    for (unsigned lvl = 1; lvl <= TH_MAX_LEVELS; lvl++) {
        th_level *L = &h->levels[cls][h->n_levels[cls]];
        memset(L, 0, sizeof *L);
        for (unsigned i = 0; i < h->n_tlbs; i++) {
            if (tlb_level(h->tlbs[i]) != lvl || !class_matches(tlb_get_kind(h->tlbs[i]), cls))
                continue;
            L->idx[L->n] = (uint8_t)i;
            L->t[L->n++] = h->tlbs[i];
            L->any_pf |= h->pf[i].ops != NULL;
            if (tlb_latency(h->tlbs[i]) > L->latency)
                L->latency = tlb_latency(h->tlbs[i]);
        }
        if (L->n)
            h->n_levels[cls]++;
    }
    h->memo_allowed[cls] = true;
    for (unsigned i = 0; h->n_levels[cls] && i < h->levels[cls][0].n; i++)
        if (tlb_get_kind(h->levels[cls][0].t[i]) == TLB_UNIFIED)
            h->memo_allowed[cls] = false;
}

static int make_prefetcher(th_pf *pf, const tlb_params *p, vs_err *err)
{
    pf->ops = tpf_at(p->prefetcher);
    if (!pf->ops)
        return p->prefetcher ? vs_fail(err, VS_E_CONFIG, "tlb '%s': unknown prefetcher %u", p->name, p->prefetcher)
                             : VS_OK;
    if (p->prefetch_table == 0)
        return vs_fail(err, VS_E_CONFIG, "tlb '%s': prefetch_table must be at least 1", p->name);
    pf->st = pf->ops->create(p->prefetch_table);
    if (p->prefetch_buffer == 0)
        return VS_OK;
    char name[64];
    snprintf(name, sizeof name, "%s.prefetch_buffer", p->name);
    tlb_params b = {.name = name,
                    .level = p->level,
                    .kind = p->kind,
                    .entries = p->prefetch_buffer,
                    .ways = p->prefetch_buffer, /* fully associative, as KS02's buffer */
                    .page_sizes = p->page_sizes,
                    .repl = ASSOC_LRU};
    pf->buf = tlb_new(&b, err);
    return pf->buf ? VS_OK : VS_E_CONFIG;
}

th *th_new(const tlb_params *p, unsigned n, vs_err *err)
{
    if (n > TH_MAX_TLBS) {
        vs_fail(err, VS_E_CONFIG, "config: %u TLB structures, at most %u are supported", n, TH_MAX_TLBS);
        return NULL;
    }
    th *h = vs_calloc(1, sizeof *h);
    for (unsigned i = 0; i < n; i++) {
        if (p[i].level > TH_MAX_LEVELS) {
            vs_fail(err, VS_E_CONFIG, "tlb '%s': level %u, at most %u are supported", p[i].name, p[i].level,
                    TH_MAX_LEVELS);
            th_free(h);
            return NULL;
        }
        h->tlbs[i] = tlb_new(&p[i], err);
        if (!h->tlbs[i] || make_prefetcher(&h->pf[i], &p[i], err) != VS_OK) {
            h->n_tlbs += h->tlbs[i] != NULL;
            th_free(h);
            return NULL;
        }
        h->n_tlbs++;
    }
    for (int cls = 0; cls < TH_CLASSES; cls++) {
        group_levels(h, (th_class)cls);
        if (h->n_levels[cls] == 0) {
            vs_fail(err, VS_E_CONFIG,
                    "config: no TLB serves %s accesses: add a [tlb.NAME] section with kind = %s or unified",
                    cls == TH_DATA ? "data" : "instruction", cls == TH_DATA ? "data" : "instruction");
            th_free(h);
            return NULL;
        }
    }
    return h;
}

void th_free(th *h)
{
    if (!h)
        return;
    for (unsigned i = 0; i < h->n_tlbs; i++) {
        tlb_free(h->tlbs[i]);
        if (h->pf[i].ops)
            h->pf[i].ops->destroy(h->pf[i].st);
        tlb_free(h->pf[i].buf);
    }
    free(h);
}

void th_set_probe(th *h, th_probe_fn fn, void *ctx)
{
    h->probe = fn;
    h->probe_ctx = ctx;
}

/* Adds the memo's repeats of cls to the counters: each is a hit of its
 * structure and level, a miss of the structures probed before it, and the
 * level's latency. */
static void settle(th *h, th_class cls)
{
    th_memo *m = &h->memo[cls];
    if (!m->repeats)
        return;
    th_level *L = &h->levels[cls][0];
    for (unsigned i = 0; i < m->hit_idx; i++)
        tlb_add_counts(L->t[i], 0, m->repeats);
    tlb_add_counts(L->t[m->hit_idx], m->repeats, 0);
    L->hits += m->repeats;
    h->cycles += m->repeats * L->latency;
    m->repeats = 0;
}

static inline void forget(th *h)
{
    settle(h, TH_DATA);
    settle(h, TH_INST);
    h->memo[TH_DATA].valid = false;
    h->memo[TH_INST].valid = false;
}

/* The exact repeat of the class's last first-level hit: counted in the memo. */
static inline bool repeat(th *h, th_class cls, uint64_t va, uint16_t tag, bool write)
{
    th_memo *m = &h->memo[cls];
    if (!m->valid || m->vpage != va >> VS_PAGE_SHIFT_4K || m->tag != tag || (write && !m->e.writable))
        return false;
    m->repeats++;
    return true;
}

bool th_repeat(th *h, th_class cls, uint64_t va, uint16_t tag, bool write, uint64_t *pa)
{
    if (cls == TH_INST)
        h->pc = va;
    if (!repeat(h, cls, va, tag, write))
        return false;
    const th_memo *m = &h->memo[cls];
    *pa = m->e.pa_base | (va & m->offset_mask);
    return true;
}

/* Fills levels [0, upto) of cls with e. */
static void fill_upto(th *h, th_class cls, unsigned upto, uint64_t va, uint16_t tag, const tlb_entry *e)
{
    forget(h);
    for (unsigned l = 0; l < upto; l++) {
        th_level *L = &h->levels[cls][l];
        for (unsigned i = 0; i < L->n; i++)
            if (tlb_supports(L->t[i], e->size))
                tlb_insert(L->t[i], va, tag, e);
    }
}

static bool canonical(uint64_t va)
{
    return ((int64_t)(va << 7) >> 7) == (int64_t)va; /* 57-bit (LA57) canonical form, the widest */
}

/* Fetches the translation of va for structure t unless t or its buffer
 * already holds it. */
static void prefetch(th *h, th_pf *p, tlb *t, uint64_t va, uint16_t tag)
{
    if (!h->probe || !canonical(va) || tlb_contains(t, va, tag) || (p->buf && tlb_contains(p->buf, va, tag)))
        return;
    tlb_entry e;
    uint32_t refs = 0;
    p->probes++;
    bool mapped = h->probe(h->probe_ctx, va, &e, &refs);
    p->walk_refs += refs;
    if (!mapped || !tlb_supports(t, e.size))
        return;
    p->prefetches++;
    if (p->buf) {
        tlb_insert(p->buf, va, tag, &e);
    } else {
        forget(h);
        tlb_insert_prefetch(t, va, tag, &e);
    }
}

/* Trains p with a reference to va and fetches the pages it proposes. */
static void train(th *h, th_pf *p, tlb *t, uint64_t va, uint16_t tag)
{
    uint64_t pages[TPF_MAX_CANDIDATES];
    unsigned n = p->ops->miss(p->st, va >> VS_PAGE_SHIFT_4K, h->pc, pages);
    assert(n <= TPF_MAX_CANDIDATES);
    for (unsigned k = 0; k < n; k++)
        prefetch(h, p, t, pages[k] << VS_PAGE_SHIFT_4K, tag);
}

/* Every structure of level L missed va: each prefetch buffer of the level
 * is searched (a hit moves the entry into its structure and fills *e), and
 * each prefetcher is trained and its pages fetched.  True on a buffer hit. */
static bool prefetch_on_miss(th *h, th_level *L, uint64_t va, uint16_t tag, tlb_entry *e)
{
    bool found = false;
    for (unsigned i = 0; i < L->n; i++) {
        th_pf *p = &h->pf[L->idx[i]];
        if (!p->ops)
            continue;
        if (!found && p->buf && tlb_lookup(p->buf, va, tag, e)) {
            forget(h);
            tlb_invlpg(p->buf, va, tag);
            tlb_insert(L->t[i], va, tag, e);
            p->buffer_hits++;
            found = true;
        }
        train(h, p, L->t[i], va, tag);
    }
    return found;
}

/* Structure i of L hit.  The first demand hit on an entry prefetched into
 * the structure itself trains its prefetcher as a miss would have (tagged
 * prefetching, Smith 1982): with a buffer, the same reference would have
 * been a buffer hit, which trains.  True when it trained. */
static bool train_on_prefetched_hit(th *h, th_level *L, unsigned i, uint64_t va, uint16_t tag)
{
    th_pf *p = &h->pf[L->idx[i]];
    uint64_t tagged = tlb_prefetch_hits(L->t[i]);
    if (!p->ops || p->buf || tagged == p->tagged_hits)
        return false;
    p->tagged_hits = tagged;
    train(h, p, L->t[i], va, tag);
    return true;
}

bool th_lookup(th *h, th_class cls, uint64_t va, uint16_t tag, bool write, tlb_entry *e)
{
    if (cls == TH_INST)
        h->pc = va;
    if (repeat(h, cls, va, tag, write)) {
        *e = h->memo[cls].e;
        return true;
    }
    unsigned n = h->n_levels[cls];
    for (unsigned l = 0; l < n; l++) {
        th_level *L = &h->levels[cls][l];
        h->cycles += L->latency;
        for (unsigned i = 0; i < L->n; i++) {
            if (!tlb_lookup(L->t[i], va, tag, e))
                continue;
            L->hits++;
            bool trained = VS_UNLIKELY(L->any_pf) && train_on_prefetched_hit(h, L, i, va, tag);
            if (write && !e->writable)
                return false;
            if (l > 0)
                fill_upto(h, cls, l, va, tag, e);
            else if (h->memo_allowed[cls] && !trained) {
                settle(h, cls);
                h->memo[cls] = (th_memo){.vpage = va >> VS_PAGE_SHIFT_4K, .e = *e,
                                         .offset_mask = (1ull << vs_pgsz_shift(e->size)) - 1, .tag = tag,
                                         .hit_idx = (uint8_t)i, .valid = true};
            }
            return true;
        }
        if (VS_UNLIKELY(L->any_pf) && prefetch_on_miss(h, L, va, tag, e)) {
            L->hits++;
            if (write && !e->writable)
                return false;
            if (l > 0)
                fill_upto(h, cls, l, va, tag, e);
            return true;
        }
        L->misses++;
    }
    return false;
}

void th_fill(th *h, th_class cls, uint64_t va, uint16_t tag, const tlb_entry *e)
{
    fill_upto(h, cls, h->n_levels[cls], va, tag, e);
}

void th_flush_all(th *h)
{
    forget(h);
    for (unsigned i = 0; i < h->n_tlbs; i++) {
        tlb_flush_all(h->tlbs[i]);
        if (h->pf[i].buf)
            tlb_flush_all(h->pf[i].buf);
    }
    h->flushes++;
}

void th_flush_tag(th *h, uint16_t tag)
{
    forget(h);
    for (unsigned i = 0; i < h->n_tlbs; i++) {
        tlb_flush_asid(h->tlbs[i], tag);
        if (h->pf[i].buf)
            tlb_flush_asid(h->pf[i].buf, tag);
    }
    h->flushes++;
}

void th_invlpg(th *h, uint16_t tag, uint64_t va)
{
    forget(h);
    for (unsigned i = 0; i < h->n_tlbs; i++) {
        tlb_invlpg(h->tlbs[i], va, tag);
        if (h->pf[i].buf)
            tlb_invlpg(h->pf[i].buf, va, tag);
    }
}

void th_reset_stats(th *h)
{
    h->memo[TH_DATA].repeats = h->memo[TH_INST].repeats = 0;
    for (unsigned i = 0; i < h->n_tlbs; i++) {
        tlb_reset_stats(h->tlbs[i]);
        th_pf *p = &h->pf[i];
        p->probes = p->prefetches = p->buffer_hits = p->walk_refs = 0;
        p->tagged_hits = 0; /* follows the structure's prefetch hits, zeroed with them */
        if (p->buf)
            tlb_reset_stats(p->buf);
    }
    for (int cls = 0; cls < TH_CLASSES; cls++)
        for (unsigned l = 0; l < h->n_levels[cls]; l++)
            h->levels[cls][l].hits = h->levels[cls][l].misses = 0;
    h->cycles = h->flushes = 0;
}

uint64_t th_cycles(const th *h)
{
    uint64_t c = h->cycles;
    for (int cls = 0; cls < TH_CLASSES; cls++)
        c += h->memo[cls].repeats * h->levels[cls][0].latency;
    return c;
}

uint64_t th_last_level_misses(const th *h)
{
    uint64_t m = 0;
    for (int cls = 0; cls < TH_CLASSES; cls++)
        m += h->levels[cls][h->n_levels[cls] - 1].misses;
    return m;
}

void th_report(th *h, jw *w)
{
    settle(h, TH_DATA);
    settle(h, TH_INST);
    static const char *const cls_names[TH_CLASSES] = {"data", "instruction"};
    jw_object(w, "tlb");
    for (unsigned i = 0; i < h->n_tlbs; i++) {
        jw_object(w, tlb_name(h->tlbs[i]));
        jw_u64(w, "hits", tlb_hits(h->tlbs[i]));
        jw_u64(w, "misses", tlb_misses(h->tlbs[i]));
        const th_pf *p = &h->pf[i];
        if (p->ops) {
            jw_u64(w, "prefetch_probes", p->probes);
            jw_u64(w, "prefetches", p->prefetches);
            jw_u64(w, "useful_prefetches", p->buffer_hits + tlb_prefetch_hits(h->tlbs[i]));
            jw_u64(w, "prefetch_walk_refs", p->walk_refs);
        }
        jw_end(w);
    }
    jw_object(w, "levels");
    for (int cls = 0; cls < TH_CLASSES; cls++) {
        jw_object(w, cls_names[cls]);
        for (unsigned l = 0; l < h->n_levels[cls]; l++) {
            char key[16];
            snprintf(key, sizeof key, "l%u", tlb_level(h->levels[cls][l].t[0]));
            jw_object(w, key);
            jw_u64(w, "hits", h->levels[cls][l].hits);
            jw_u64(w, "misses", h->levels[cls][l].misses);
            jw_end(w);
        }
        jw_end(w);
    }
    jw_end(w);
    jw_u64(w, "flushes", h->flushes);
    jw_end(w);
}
