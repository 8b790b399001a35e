/*
 * hier.c: the TLB hierarchy of hier.h.
 *
 * Structures are grouped per class (data, instruction) by level, levels in
 * increasing order; a unified structure belongs to both classes.  The probe
 * walks the levels of the class in order and stops at the first hit.
 *
 * The repeat-hit shortcut: most references touch a page whose entry their
 * class's last full lookup found, in a first-level structure, as its set's
 * most recent entry.  Each class remembers such hits in a per-set memo:
 * TH_MEMO_SLOTS slots, direct-mapped by 4 KiB page number, each holding a
 * first-level hit together with the structure and set that hold its entry.
 * A reference to a remembered page under the same tag then repeats that
 * lookup exactly -- the structures probed before the hit miss, the hit
 * re-touches the entry already most recent in its set, which changes no
 * replacement state (LRU: already most recent; SRRIP: already at hit
 * priority; random: no state) -- so only the counters move.  A slot stays
 * exact while its entry is its set's most recent: a full lookup that hits
 * another entry of the same set empties it, and any change of a TLB (a
 * fill, flush or invalidation) empties every slot.  Which slots are full is
 * one bit mask per class, so emptying them all is one store (a TLB-hostile
 * trace fills on nearly every reference).  Which slots remember an entry of
 * each set is one bit mask per first-level structure and set, so a full
 * lookup's hit visits only the slots of its own set (the full ones among
 * them), not every full slot.  Lookups that miss change
 * no structure.  The memo is not used when a first-level structure serves
 * both classes: a reference of the other class could then change that
 * structure's state without a fill.  A repeat only counts itself, by the
 * first-level structure that hit; its hits, the misses of the structures
 * probed before it and its cycles are added to their counters by the
 * readers of the counts (th_cycles, th_report): one increment a reference
 * instead of three read-modify-writes of shared counters.
 *
 * Invariants: see hier.h; a slot whose bit is set in memo_full holds an entry
 * that is the most recent of its set, found by a full lookup since the last
 * change of any structure; bit k of set_slots[cls][i][s] is set exactly when
 * memo_set[cls][k] is structure i of level 1 and its set s, full or not.
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

/* The per-set repeat memo (see the header comment). */
/* Slots per class: Skylake's first-level TLBs (configs/skylake.ini: 64 x 4-way
 * DTLB, 128 x 8-way ITLB) have 16 sets of 4 KiB pages, indexed by the page
 * number's low bits, so each set has a slot. */
#define TH_MEMO_SLOTS 16
static_assert(TH_MEMO_SLOTS <= 16, "th.memo_full and th.set_slots hold one bit per slot");
#define TH_NO_SET UINT64_MAX /* memo_set of a slot never written: no structure has 2^32 sets */

/* A remembered first-level hit.  32 bytes, so that a slot's address is a
 * shift of its number: the entry's pa_base and offset mask are not stored
 * but folded into pa_xor (the size gives the mask, the page the base). */
typedef struct th_memo {
    uint64_t vpage;    /* va >> 12 */
    uint64_t *repeats; /* th.repeats of the class and structure: one increment a repeat */
    uint64_t pa_xor;   /* va ^ pa for every va of the entry's page: pa = pa_base | (va & offset mask), as the
                          entry's pa_base has no bit of the offset mask (remember asserts it) */
    uint16_t tag;
    uint8_t size; /* vs_pgsz */
    bool writable, dirty;
} th_memo;
static_assert(sizeof(th_memo) == 32, "th_memo: a power of two, see above");

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
    th_memo memo[TH_CLASSES][TH_MEMO_SLOTS];
    uint64_t memo_set[TH_CLASSES][TH_MEMO_SLOTS]; /* structure of level 1 << 32 | its set holding the slot's entry;
                                                     TH_NO_SET: never written */
    uint16_t *set_slots[TH_CLASSES][TH_MAX_TLBS]; /* by structure of level 1, by its set: the slots memo_set puts there */
    uint64_t repeats[TH_CLASSES][TH_MAX_TLBS];    /* by structure of level 1: not yet in the counters */
    bool memo_allowed[TH_CLASSES];
    uint16_t memo_full[TH_CLASSES]; /* bit k: slot k of the class holds a hit; the others are empty */
    uint64_t cycles, flushes;
};

/* Some structure changed: no slot is known to be exact any more. */
static inline void forget(th *h)
{
    memset(h->memo_full, 0, sizeof h->memo_full);
}

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
    for (unsigned i = 0; h->memo_allowed[cls] && i < h->levels[cls][0].n; i++)
        h->set_slots[cls][i] = vs_calloc(tlb_sets(h->levels[cls][0].t[i]), sizeof *h->set_slots[cls][i]);
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
    forget(h);
    memset(h->memo_set, 0xff, sizeof h->memo_set); /* TH_NO_SET */
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
    for (int cls = 0; cls < TH_CLASSES; cls++)
        for (unsigned i = 0; i < TH_MAX_TLBS; i++)
            free(h->set_slots[cls][i]);
    free(h);
}

void th_set_probe(th *h, th_probe_fn fn, void *ctx)
{
    h->probe = fn;
    h->probe_ctx = ctx;
}

/* Adds the repeats of cls to the counters: each is a hit of its structure
 * and level, a miss of the structures probed before it, and the level's
 * latency. */
static void settle(th *h, th_class cls)
{
    th_level *L = &h->levels[cls][0];
    for (unsigned i = 0; i < L->n; i++) {
        uint64_t r = h->repeats[cls][i];
        for (unsigned j = 0; j < i; j++)
            tlb_add_counts(L->t[j], 0, r);
        tlb_add_counts(L->t[i], r, 0);
        L->hits += r;
        h->cycles += r * L->latency;
        h->repeats[cls][i] = 0;
    }
}

/* The exact repeat of a remembered first-level hit: counted, and its slot
 * returned; NULL when va has none. */
static inline const th_memo *repeat(th *h, th_class cls, uint64_t va, uint16_t tag, bool write)
{
    uint64_t vpage = va >> VS_PAGE_SHIFT_4K;
    unsigned k = (unsigned)(vpage % TH_MEMO_SLOTS);
    const th_memo *m = &h->memo[cls][k];
    if (!(h->memo_full[cls] >> k & 1) || m->vpage != vpage || m->tag != tag || (write && !m->writable))
        return NULL;
    (*m->repeats)++;
    return m;
}

/* Inlined into the engine's loops by link-time optimization, which left it a
 * call (about 17 instructions a reference) whenever this file's other code
 * grew; a build without LTO calls it. */
inline __attribute__((always_inline)) bool th_repeat(th *h, th_class cls, uint64_t va, uint16_t tag, bool write,
                                                     uint64_t *pa)
{
    if (cls == TH_INST)
        h->pc = va;
    const th_memo *m = repeat(h, cls, va, tag, write);
    if (!m)
        return false;
    *pa = va ^ m->pa_xor;
    return true;
}

/* A full lookup of va hit e in set s of structure i of level 1, which made
 * e its set's most recent entry: the slots of the set's other entries are
 * emptied, and if `keep`, va's slot remembers the hit. */
static void remember(th *h, th_class cls, unsigned i, uint32_t s, uint64_t va, uint16_t tag, const tlb_entry *e,
                     bool keep)
{
    uint64_t set = (uint64_t)i << 32 | s;
    uint64_t offset_mask = (1ull << vs_pgsz_shift(e->size)) - 1, vpage = va >> VS_PAGE_SHIFT_4K;
    for (unsigned full = h->set_slots[cls][i][s] & h->memo_full[cls]; full; full &= full - 1) {
        unsigned k = (unsigned)__builtin_ctz(full);
        const th_memo *m = &h->memo[cls][k];
        bool same_entry = m->tag == tag && m->size == (uint8_t)e->size &&
                          ((m->vpage ^ vpage) & ~(offset_mask >> VS_PAGE_SHIFT_4K)) == 0;
        if (!same_entry)
            h->memo_full[cls] &= (uint16_t)~(1u << k);
    }
    if (!keep)
        return;
    unsigned k = (unsigned)(vpage % TH_MEMO_SLOTS);
    assert((e->pa_base & offset_mask) == 0); /* so pa_base | offset == pa_base ^ offset */
    h->memo[cls][k] = (th_memo){.vpage = vpage, .repeats = &h->repeats[cls][i],
                                .pa_xor = (va & ~offset_mask) ^ e->pa_base, .tag = tag,
                                .size = (uint8_t)e->size, .writable = e->writable, .dirty = e->dirty};
    uint64_t old = h->memo_set[cls][k];
    if (old != set) {
        if (old != TH_NO_SET)
            h->set_slots[cls][old >> 32][(uint32_t)old] &= (uint16_t)~(1u << k);
        h->set_slots[cls][i][s] |= (uint16_t)(1u << k);
        h->memo_set[cls][k] = set;
    }
    h->memo_full[cls] |= (uint16_t)(1u << k);
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

bool th_lookup_past_repeat(th *h, th_class cls, uint64_t va, uint16_t tag, bool write, tlb_entry *e)
{
    unsigned n = h->n_levels[cls];
    for (unsigned l = 0; l < n; l++) {
        th_level *L = &h->levels[cls][l];
        h->cycles += L->latency;
        for (unsigned i = 0; i < L->n; i++) {
            uint32_t set;
            if (!tlb_lookup_set(L->t[i], va, tag, e, &set))
                continue;
            L->hits++;
            bool trained = VS_UNLIKELY(L->any_pf) && train_on_prefetched_hit(h, L, i, va, tag);
            bool usable = !write || e->writable;
            if (l == 0 && h->memo_allowed[cls])
                remember(h, cls, i, set, va, tag, e, usable && !trained);
            if (!usable)
                return false;
            if (l > 0)
                fill_upto(h, cls, l, va, tag, e);
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

bool th_lookup(th *h, th_class cls, uint64_t va, uint16_t tag, bool write, tlb_entry *e)
{
    if (cls == TH_INST)
        h->pc = va;
    const th_memo *m = repeat(h, cls, va, tag, write);
    if (m) {
        uint64_t offset_mask = (1ull << vs_pgsz_shift((vs_pgsz)m->size)) - 1;
        *e = (tlb_entry){.pa_base = ((m->vpage << VS_PAGE_SHIFT_4K) & ~offset_mask) ^ m->pa_xor,
                         .size = (vs_pgsz)m->size, .writable = m->writable, .dirty = m->dirty};
        return true;
    }
    return th_lookup_past_repeat(h, cls, va, tag, write, e);
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
    memset(h->repeats, 0, sizeof h->repeats);
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
        for (unsigned i = 0; i < h->levels[cls][0].n; i++)
            c += h->repeats[cls][i] * h->levels[cls][0].latency;
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
