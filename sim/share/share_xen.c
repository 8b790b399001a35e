/*
 * share_xen.c: the scanner of Kloster, Kristensen and Mejlholm, "On the
 * Feasibility of Memory Sharing" (Aalborg, 2006), chapters 5-6.
 *
 * A round runs in VMM idle time, then waits period_s (section 6.2).  The
 * 32-bit hash space is split into `scans` intervals (section 6.7); each pass
 * flushes the content index, hashes every page -- the share domain's frames
 * first, so candidates tend to meet an existing shared copy -- and keeps only
 * hashes in the pass's interval.  A hash already in the index makes a
 * candidate pair, confirmed by a bitwise compare; collisions are not
 * resolved (section 5.4: the cost is a missed share).  Pair cases: one
 * shared (repoint the page), both unshared (allocate a share-domain page,
 * copy, repoint both), both shared (ignored, as in the thesis).  Zero pages
 * are recognised by their hash and a zero check: shared with the one zero
 * page when zero_pages is on, otherwise filtered out (section 6.6).
 *
 * Invariants: index entries are valid only within one pass; a page visit
 * costs one hash and one map/unmap pair.
 */
#include "share_int.h"

#include <assert.h>
#include <stdlib.h>

#define REF_FRAME (1ull << 63) /* index value names a share-domain frame, else (vm << 32 | page) */

typedef struct xen {
    share_index *ix;
    uint64_t slots;
    uint32_t scans;
    uint64_t rounds;
    uint64_t credit;  /* page visits granted towards the next round */
    bool started;     /* the first round runs at once */
    uint64_t zero_hash;
} xen;

static void *xen_create(share_model *m)
{
    xen *x = vs_calloc(1, sizeof *x);
    x->zero_hash = share_hash(m->p.hash, share_zero_page, SHARE_PAGE_SIZE);
    return x;
}

static void xen_destroy(void *pol)
{
    xen *x = pol;
    share_index_free(x->ix);
    free(x);
}

static void xen_forget(void *pol, share_model *m, uint32_t vm, sh_page *pg) { (void)pol, (void)m, (void)vm, (void)pg; }
static void xen_vm_changed(void *pol, share_model *m) { (void)pol, (void)m; }
static void xen_frame_freed(void *pol, share_model *m, uint32_t f) { (void)pol, (void)m, (void)f; }

static uint64_t total_pages(const share_model *m)
{
    uint64_t n = 0;
    for (uint32_t v = 0; v < m->n_vms; v++)
        n += m->vms[v].n;
    return n;
}

/* Sizes the index for the memory present now (section 6.7: allocate only
 * what is needed when everything fits). */
static void size_index(xen *x, const share_model *m)
{
    uint64_t total = total_pages(m);
    uint64_t limit = m->p.index_entries ? m->p.index_entries : SHARE_THESIS_ENTRIES;
    x->scans = m->p.scans ? m->p.scans : share_sizing_scans(total ? total : 1, limit);
    uint64_t slots = share_sizing_slots(share_sizing_entries(total ? total : 1, x->scans));
    if (slots < 1)
        slots = 1;
    if (slots != x->slots) {
        share_index_free(x->ix);
        x->ix = share_index_new(slots);
        x->slots = slots;
    }
}

static unsigned interval_of(const share_model *m, uint64_t h, uint32_t scans)
{
    uint64_t h32 = share_hash_bits(m->p.hash) == 64 ? h >> 32 : h & 0xffffffffu;
    return (unsigned)((h32 * scans) >> 32);
}

static void visit(xen *x, share_model *m, sh_page *pg, uint64_t ref, unsigned pass)
{
    m->c.pages_scanned++;
    pg->flags |= SH_PG_SEEN;
    uint64_t h = sh_hash(m, pg->data);
    if (h == x->zero_hash) {
        m->ev.zero_checks++;
        if (pg->flags & SH_PG_ZERO) {
            if (m->p.zero_pages)
                sh_map_zero(m, pg);
            return; /* filtered right after hashing (section 6.6) */
        }
    }
    if (interval_of(m, h, x->scans) != pass)
        return;
    uint64_t v;
    if (!share_index_find(x->ix, h, &v)) {
        share_index_insert(x->ix, h, ref);
        return;
    }
    if (v & REF_FRAME) { /* one shared */
        uint32_t f = (uint32_t)v;
        if (sh_same(m, pg->data, m->frames[f].data))
            sh_map(m, pg, f);
        else
            m->c.hash_collisions++;
        return;
    }
    sh_page *q = &m->vms[v >> 32].pages[(uint32_t)v];
    if (!sh_same(m, pg->data, q->data)) {
        m->c.hash_collisions++;
        return;
    }
    /* both unshared: a new page owned by the share domain (section 5.3.1) */
    uint32_t f = sh_frame_new(m, q->data);
    m->ev.allocs++;
    m->ev.copies++;
    sh_map(m, q, f);
    sh_map(m, pg, f);
    share_index_set(x->ix, h, REF_FRAME | f);
}

static void pass_frames(xen *x, share_model *m, unsigned pass)
{
    for (uint32_t f = 0; f < m->n_frames; f++) {
        if (!m->frames[f].refs)
            continue;
        m->c.pages_scanned++;
        uint64_t h = sh_hash(m, m->frames[f].data);
        if (interval_of(m, h, x->scans) != pass)
            continue;
        uint64_t v;
        if (share_index_find(x->ix, h, &v))
            m->c.both_shared++; /* needs a P2M search to repoint; the thesis ignores it */
        else
            share_index_insert(x->ix, h, REF_FRAME | f);
    }
}

static uint64_t visits_per_round(xen *x, const share_model *m)
{
    uint64_t n = m->frames_used;
    for (uint32_t v = 0; v < m->n_vms; v++)
        for (size_t i = 0; i < m->vms[v].n; i++)
            n += m->vms[v].pages[i].frame == SH_NONE && !(m->vms[v].pages[i].flags & SH_PG_ZMAP);
    return n * x->scans;
}

static uint64_t run_round(xen *x, share_model *m)
{
    uint64_t s0 = m->c.pages_scanned;
    for (unsigned pass = 0; pass < x->scans; pass++) {
        share_index_clear(x->ix); /* the index is flushed after each scan (section 6.2) */
        pass_frames(x, m, pass);
        for (uint32_t v = 0; v < m->n_vms; v++)
            for (size_t i = 0; i < m->vms[v].n; i++) {
                sh_page *pg = &m->vms[v].pages[i];
                if (pg->frame == SH_NONE && !(pg->flags & SH_PG_ZMAP))
                    visit(x, m, pg, (uint64_t)v << 32 | i, pass);
            }
    }
    x->rounds++;
    return m->c.pages_scanned - s0;
}

static uint64_t xen_scan(void *pol, share_model *m, uint64_t budget)
{
    xen *x = pol;
    size_index(x, m);
    uint64_t need = visits_per_round(x, m);
    if (need == 0)
        return 0;
    if (x->started && x->credit + budget < need && budget != UINT64_MAX) {
        x->credit += budget; /* waiting for the next round */
        return budget;
    }
    uint64_t used = x->started ? need - x->credit : 0;
    x->started = true;
    x->credit = 0;
    run_round(x, m);
    return used ? used : 1;
}

static uint64_t xen_rounds(void *pol) { return ((xen *)pol)->rounds; }

static double xen_rate(const share_model *m)
{
    xen *x = m->pol;
    size_index(x, (share_model *)m);
    uint64_t need = visits_per_round(x, m);
    return (need ? (double)need : 1.0) / m->p.period_s;
}

static void xen_counters(void *pol, const share_model *m, share_counters *c)
{
    xen *x = pol;
    if (x->ix)
        share_index_stats_get(x->ix, &c->index);
    if (m->p.zero_pages)
        return;
    c->filtered_zero = 0;
    for (uint32_t v = 0; v < m->n_vms; v++)
        for (size_t i = 0; i < m->vms[v].n; i++) {
            const sh_page *pg = &m->vms[v].pages[i];
            if ((pg->flags & (SH_PG_ZERO | SH_PG_SEEN)) == (SH_PG_ZERO | SH_PG_SEEN) && pg->frame == SH_NONE) {
                c->filtered_zero++;
                c->pages_unshared--;
            }
        }
}

static void xen_extra_json(jw *w, const share_counters *c)
{
    jw_u64(w, "both_shared_ignored", c->both_shared);
    jw_u64(w, "zero_filtered", c->filtered_zero);
}

static void xen_params_json(jw *w, const share_params *p)
{
    jw_u64(w, "scans", p->scans);
    jw_u64(w, "index_entries", p->index_entries ? p->index_entries : SHARE_THESIS_ENTRIES);
    jw_double(w, "period_s", p->period_s);
}

const share_policy_ops share_xen_ops = {
    .create = xen_create,
    .destroy = xen_destroy,
    .forget_page = xen_forget,
    .vm_changed = xen_vm_changed,
    .frame_freed = xen_frame_freed,
    .scan = xen_scan,
    .rounds = xen_rounds,
    .rate = xen_rate,
    .counters = xen_counters,
    .default_hash = SHARE_HASH_SFH, /* the thesis hashes with SuperFastHash */
    .zero_name = "pages_zero",
    .counters_json = sh_no_json,
    .extra_json = xen_extra_json,
    .index_json = sh_index_json,
    .index_print = sh_index_print,
    .params_json = xen_params_json,
};
