/*
 * share_esx.c: VMware ESX content-based page sharing (Waldspurger, "Memory
 * Resource Management in VMware ESX Server", OSDI 2002, section 4.2).
 *
 * Pages are visited in random order (a fresh seeded permutation per round).
 * A page's 64-bit hash is looked up in one global table.  A match with a
 * shared frame is confirmed by a full compare and the page is mapped to it;
 * a false match makes the page ineligible.  A match with a hint frame -- an
 * unshared page remembered by (VM, page) and hash -- re-hashes the hinted
 * page: if it changed the hint is stale and replaced; if not, a full compare
 * confirms and the hinted page itself becomes the shared frame (no copy).  No
 * match leaves a hint for this page.  With zero_pages, empty pages map to one
 * zero page (ESX's overflow reference count makes that page unlimited).
 *
 * Invariants: the table maps each hash to one frame or hint; a frame entry is
 * live only while the frame's refs > 0 and its recorded hash is this hash.
 */
#include "share_int.h"

#include <assert.h>
#include <stdlib.h>

#define REF_FRAME (1ull << 63) /* table value: frame number; otherwise a hint number */

typedef struct hint {
    uint32_t vm;
    uint64_t key;
} hint;

typedef struct esx {
    share_index *ix;
    uint64_t *fhash;  /* hash of each frame, by frame number */
    uint32_t n_fhash;
    hint *hints;
    uint64_t n_hints, cap_hints;
    uint64_t *perm;   /* this round's visiting order: vm << 32 | page */
    uint64_t n_perm, pos;
    uint64_t rounds;
    uint64_t rng;
} esx;

static void *esx_create(share_model *m)
{
    esx *e = vs_calloc(1, sizeof *e);
    e->rng = m->p.seed;
    return e;
}

static void esx_destroy(void *pol)
{
    esx *e = pol;
    share_index_free(e->ix);
    free(e->fhash);
    free(e->hints);
    free(e->perm);
    free(e);
}

static void esx_forget(void *pol, share_model *m, uint32_t vm, sh_page *pg) { (void)pol, (void)m, (void)vm, (void)pg; }
static void esx_frame_freed(void *pol, share_model *m, uint32_t f) { (void)pol, (void)m, (void)f; }

static void new_perm(esx *e, const share_model *m)
{
    uint64_t n = 0;
    for (uint32_t v = 0; v < m->n_vms; v++)
        n += m->vms[v].n;
    e->perm = vs_realloc(e->perm, (n ? n : 1) * sizeof *e->perm);
    n = 0;
    for (uint32_t v = 0; v < m->n_vms; v++)
        for (size_t i = 0; i < m->vms[v].n; i++)
            e->perm[n++] = (uint64_t)v << 32 | i;
    for (uint64_t i = n; i > 1; i--) { /* Fisher-Yates */
        uint64_t j = vs_rng_next(&e->rng) % i;
        uint64_t t = e->perm[i - 1];
        e->perm[i - 1] = e->perm[j];
        e->perm[j] = t;
    }
    e->n_perm = n;
    e->pos = 0;
}

/* The table holds every page's hint or frame: twice the pages, +10% for
 * open addressing, rebuilt (frames kept, hints dropped) when memory grows. */
static void esx_vm_changed(void *pol, share_model *m)
{
    esx *e = pol;
    new_perm(e, m);
    uint64_t want = share_sizing_slots(2 * (e->n_perm ? e->n_perm : 1));
    share_index_stats st = {0};
    if (e->ix)
        share_index_stats_get(e->ix, &st);
    if (e->ix && st.capacity >= want)
        return;
    share_index_free(e->ix);
    e->ix = share_index_new(want);
    e->n_hints = 0;
    for (uint32_t f = 0; f < m->n_frames; f++)
        if (m->frames[f].refs)
            share_index_insert(e->ix, e->fhash[f], REF_FRAME | f);
}

static uint64_t new_hint(esx *e, uint32_t vm, uint64_t key)
{
    if (e->n_hints == e->cap_hints) {
        e->cap_hints = e->cap_hints ? e->cap_hints * 2 : 1024;
        e->hints = vs_realloc(e->hints, e->cap_hints * sizeof *e->hints);
    }
    e->hints[e->n_hints] = (hint){vm, key};
    return e->n_hints++;
}

static void set_fhash(esx *e, uint32_t f, uint64_t h)
{
    if (f >= e->n_fhash) {
        uint32_t n = (f + 1) * 2;
        e->fhash = vs_realloc(e->fhash, n * sizeof *e->fhash);
        e->n_fhash = n;
    }
    e->fhash[f] = h;
}

static void visit(esx *e, share_model *m, uint32_t vm, sh_page *pg)
{
    m->c.pages_scanned++;
    pg->flags |= SH_PG_SEEN;
    if (pg->frame != SH_NONE || (pg->flags & (SH_PG_ZMAP | SH_PG_BAD)))
        return;
    if (m->p.zero_pages && (pg->flags & SH_PG_ZERO)) {
        m->ev.zero_checks++;
        sh_map_zero(m, pg);
        return;
    }
    uint64_t h = sh_hash(m, pg->data), v;
    if (!share_index_find(e->ix, h, &v)) {
        share_index_insert(e->ix, h, new_hint(e, vm, pg->key));
        return;
    }
    if (v & REF_FRAME) {
        uint32_t f = (uint32_t)v;
        if (!m->frames[f].refs || f >= e->n_fhash || e->fhash[f] != h) { /* freed since */
            share_index_set(e->ix, h, new_hint(e, vm, pg->key));
        } else if (sh_same(m, pg->data, m->frames[f].data)) {
            sh_map(m, pg, f);
        } else {
            m->c.hash_collisions++;
            pg->flags |= SH_PG_BAD;
            m->changes++;
        }
        return;
    }
    const hint *hn = &e->hints[v];
    sh_page *q = sh_find_page(m, hn->vm, hn->key);
    if (q == pg)
        return;
    if (!q || q->frame != SH_NONE || (q->flags & (SH_PG_ZMAP | SH_PG_BAD)) || sh_hash(m, q->data) != h) {
        m->c.stale_hints++; /* the hinted page went away or changed since it was hashed */
        m->changes++;
        share_index_set(e->ix, h, new_hint(e, vm, pg->key));
        return;
    }
    if (!sh_same(m, pg->data, q->data)) {
        m->c.hash_collisions++;
        pg->flags |= SH_PG_BAD;
        m->changes++;
        return;
    }
    uint32_t f = sh_frame_new(m, q->data); /* the hinted page becomes the shared frame */
    set_fhash(e, f, h);
    sh_map(m, q, f);
    sh_map(m, pg, f);
    share_index_set(e->ix, h, REF_FRAME | f);
}

static uint64_t esx_scan(void *pol, share_model *m, uint64_t budget)
{
    esx *e = pol;
    if (!e->ix)
        esx_vm_changed(e, m);
    uint64_t done = 0;
    while (done < budget && e->pos < e->n_perm) {
        uint64_t id = e->perm[e->pos++];
        uint32_t vm = (uint32_t)(id >> 32);
        visit(e, m, vm, &m->vms[vm].pages[(uint32_t)id]);
        done++;
    }
    if (e->pos == e->n_perm) { /* a round ends with its last page */
        e->rounds++;
        new_perm(e, m);
    }
    return done;
}

static uint64_t esx_rounds(void *pol) { return ((esx *)pol)->rounds; }
static double esx_rate(const share_model *m) { return m->p.scan_rate; }

static void esx_counters(void *pol, const share_model *m, share_counters *c)
{
    esx *e = pol;
    (void)m;
    if (e->ix)
        share_index_stats_get(e->ix, &c->index);
}

static void esx_extra_json(jw *w, const share_counters *c) { jw_u64(w, "stale_hints", c->stale_hints); }

static void esx_params_json(jw *w, const share_params *p)
{
    jw_double(w, "scan_rate", p->scan_rate);
    jw_u64(w, "seed", p->seed);
}

const share_policy_ops share_esx_ops = {
    .create = esx_create,
    .destroy = esx_destroy,
    .forget_page = esx_forget,
    .vm_changed = esx_vm_changed,
    .frame_freed = esx_frame_freed,
    .scan = esx_scan,
    .rounds = esx_rounds,
    .rate = esx_rate,
    .counters = esx_counters,
    .default_hash = SHARE_HASH_XXH64,
    .zero_name = "pages_zero",
    .counters_json = sh_no_json,
    .extra_json = esx_extra_json,
    .index_json = sh_index_json,
    .index_print = sh_index_print,
    .params_json = esx_params_json,
};
