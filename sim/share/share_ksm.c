/*
 * share_ksm.c: Linux KSM (mm/ksm.c; Documentation/admin-guide/mm/ksm.rst).
 *
 * ksmd visits pages_to_scan pages, sleeps sleep_millisecs, and repeats,
 * walking every mergeable page in address order (VMs in order).  For a page
 * (cmp_and_merge_page): search the stable tree of KSM pages; a match with
 * room merges at once.  Otherwise the checksum must equal the one from the
 * previous full scan -- a changed page is volatile and waits (the two-pass
 * rule).  With use_zero_pages an empty page then maps to the zero page.
 * Otherwise search the unstable tree: a match becomes a new KSM page for
 * both, inserted in the stable tree; no match inserts the page.  Both trees
 * are ordered by content (memcmp); the unstable tree is flushed when the next
 * full scan starts.  max_page_sharing caps mappers per KSM page: a content
 * with more mappers gets a chain of duplicate KSM pages ("stable node
 * chains"), each holding at most the cap -- 1,024 identical pages under a cap
 * of 256 give 4 KSM pages and 1,020 sharing.
 *
 * The checksum is the configured hash truncated to 32 bits (the kernel uses
 * xxhash truncated to u32 since 4.20).  A page not yet checksummed is marked
 * by a flag rather than by the kernel's zero initial checksum.
 *
 * Invariants: the unstable tree never holds two equal contents or a mapped
 * page; every chain holds only frames with refs > 0.
 */
#include "share_int.h"

#include <assert.h>
#include <glib.h>
#include <stdlib.h>

typedef struct chain {
    uint32_t *f;
    uint32_t n, cap;
    const uint8_t *key;
    uint32_t next_free; /* free list of emptied chains */
} chain;

typedef struct ksm {
    share_model *m;
    GTree *stable;   /* content -> chain index + 1 */
    GTree *unstable; /* content -> sh_page */
    chain *chains;
    uint32_t n_chains, free_chain;
    uint32_t vm;     /* cursor */
    size_t idx;
    uint64_t full_scans;
    bool in_scan;    /* a full scan has started (the unstable tree is this scan's) */
} ksm;

static gint cmp_content(gconstpointer a, gconstpointer b, gpointer ctx)
{
    ksm *k = ctx;
    return sh_memcmp(k->m, a, b);
}

static void *ksm_create(share_model *m)
{
    ksm *k = vs_calloc(1, sizeof *k);
    k->m = m;
    k->stable = g_tree_new_with_data(cmp_content, k);
    k->unstable = g_tree_new_with_data(cmp_content, k);
    k->free_chain = SH_NONE;
    return k;
}

static void ksm_destroy(void *pol)
{
    ksm *k = pol;
    g_tree_destroy(k->stable);
    g_tree_destroy(k->unstable);
    for (uint32_t i = 0; i < k->n_chains; i++)
        free(k->chains[i].f);
    free(k->chains);
    free(k);
}

static void unstable_remove(ksm *k, sh_page *pg)
{
    assert(pg->flags & SH_PG_UNSTABLE);
    bool found = g_tree_remove(k->unstable, pg->data);
    assert(found);
    (void)found;
    pg->flags &= ~(uint32_t)SH_PG_UNSTABLE;
}

static void ksm_forget(void *pol, share_model *m, uint32_t vm, sh_page *pg)
{
    (void)m, (void)vm;
    if (pg->flags & SH_PG_UNSTABLE)
        unstable_remove(pol, pg);
}

static void ksm_vm_changed(void *pol, share_model *m)
{
    ksm *k = pol;
    if (k->vm < m->n_vms && k->idx > m->vms[k->vm].n)
        k->idx = m->vms[k->vm].n;
}

static void ksm_frame_freed(void *pol, share_model *m, uint32_t f)
{
    ksm *k = pol;
    chain *c = &k->chains[m->frames[f].aux];
    uint32_t i = 0;
    while (c->f[i] != f)
        i++;
    c->f[i] = c->f[--c->n];
    if (c->n)
        return;
    g_tree_remove(k->stable, c->key);
    c->key = NULL;
    c->next_free = k->free_chain;
    k->free_chain = m->frames[f].aux;
}

static void chain_add(ksm *k, const uint8_t *content, uint32_t f)
{
    gpointer v = g_tree_lookup(k->stable, content);
    uint32_t ci;
    if (v) {
        ci = (uint32_t)(uintptr_t)v - 1;
    } else {
        if (k->free_chain != SH_NONE) {
            ci = k->free_chain;
            k->free_chain = k->chains[ci].next_free;
            free(k->chains[ci].f);
        } else {
            k->chains = vs_realloc(k->chains, (k->n_chains + 1) * sizeof *k->chains);
            ci = k->n_chains++;
        }
        k->chains[ci] = (chain){NULL, 0, 0, content, SH_NONE};
        g_tree_insert(k->stable, (gpointer)content, (gpointer)(uintptr_t)(ci + 1));
    }
    chain *c = &k->chains[ci];
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 2;
        c->f = vs_realloc(c->f, c->cap * sizeof *c->f);
    }
    c->f[c->n++] = f;
    k->m->frames[f].aux = ci;
}

/* A duplicate of this content with room for one more mapper, or SH_NONE. */
static uint32_t stable_search(ksm *k, const uint8_t *content)
{
    gpointer v = g_tree_lookup(k->stable, content);
    if (!v)
        return SH_NONE;
    const chain *c = &k->chains[(uint32_t)(uintptr_t)v - 1];
    for (uint32_t i = 0; i < c->n; i++)
        if (k->m->frames[c->f[i]].refs < k->m->p.max_page_sharing)
            return c->f[i];
    return SH_NONE;
}

static void cmp_and_merge(ksm *k, share_model *m, sh_page *pg)
{
    m->c.pages_scanned++;
    if (pg->frame != SH_NONE || (pg->flags & SH_PG_ZMAP))
        return; /* already merged */
    uint32_t f = stable_search(k, pg->data);
    if (f != SH_NONE) {
        sh_map(m, pg, f);
        return;
    }
    m->ev.hashes++;
    uint32_t ck = (uint32_t)share_hash(m->p.hash, pg->data, SHARE_PAGE_SIZE);
    if (!(pg->flags & SH_PG_CKSUM) || ck != pg->cksum) {
        pg->cksum = ck; /* volatile: wait for a scan that sees it unchanged */
        pg->flags |= SH_PG_CKSUM;
        m->changes++;
        return;
    }
    if (m->p.zero_pages && (pg->flags & SH_PG_ZERO)) {
        sh_memcmp(m, pg->data, share_zero_page); /* pages_identical() with ZERO_PAGE */
        sh_map_zero(m, pg);
        return;
    }
    sh_page *q = g_tree_lookup(k->unstable, pg->data);
    if (q) {
        assert(q != pg);
        unstable_remove(k, q);
        f = sh_frame_new(m, q->data); /* the tree page becomes the KSM page: no copy */
        sh_map(m, q, f);
        sh_map(m, pg, f);
        chain_add(k, q->data, f);
        return;
    }
    g_tree_insert(k->unstable, (gpointer)pg->data, pg);
    pg->flags |= SH_PG_UNSTABLE;
}

static gboolean clear_flag(gpointer key, gpointer value, gpointer ctx)
{
    (void)key, (void)ctx;
    ((sh_page *)value)->flags &= ~(uint32_t)SH_PG_UNSTABLE;
    return FALSE;
}

/* Moves the cursor past finished VMs; at the end, completes the full scan. */
static bool wrap_if_done(ksm *k, const share_model *m)
{
    while (k->vm < m->n_vms && k->idx >= m->vms[k->vm].n) {
        k->vm++;
        k->idx = 0;
    }
    if (k->vm < m->n_vms)
        return false;
    k->vm = 0;
    k->idx = 0;
    k->full_scans++;
    k->in_scan = false;
    return true;
}

static uint64_t ksm_scan(void *pol, share_model *m, uint64_t budget)
{
    ksm *k = pol;
    uint64_t done = 0;
    while (done < budget) {
        if (!k->in_scan) {
            g_tree_foreach(k->unstable, clear_flag, NULL); /* a new full scan: flush the unstable tree */
            g_tree_destroy(k->unstable);
            k->unstable = g_tree_new_with_data(cmp_content, k);
            k->in_scan = true;
        }
        if (wrap_if_done(k, m))
            return done;
        cmp_and_merge(k, m, &m->vms[k->vm].pages[k->idx++]);
        done++;
        if (wrap_if_done(k, m))
            return done;
    }
    return done;
}

static uint64_t ksm_rounds(void *pol) { return ((ksm *)pol)->full_scans; }

static double ksm_rate(const share_model *m)
{
    return (double)m->p.pages_to_scan * 1000.0 / (m->p.sleep_millisecs ? m->p.sleep_millisecs : 1);
}

static void ksm_counters(void *pol, const share_model *m, share_counters *c)
{
    ksm *k = pol;
    uint64_t items = 0; /* pages with an rmap_item: checksummed at least once */
    for (uint32_t v = 0; v < m->n_vms; v++)
        for (size_t i = 0; i < m->vms[v].n; i++) {
            const sh_page *pg = &m->vms[v].pages[i];
            items += (pg->flags & SH_PG_CKSUM) && pg->frame == SH_NONE && !(pg->flags & SH_PG_ZMAP);
        }
    c->pages_unshared = (uint64_t)g_tree_nnodes(k->unstable);
    c->pages_volatile = items - c->pages_unshared;
    c->unstable_nodes = c->pages_unshared;
    c->stable_chains = c->stable_nodes = 0; /* the kernel counts chains of two or more duplicates */
    for (uint32_t i = 0; i < k->n_chains; i++)
        if (k->chains[i].key && k->chains[i].n > 1) {
            c->stable_chains++;
            c->stable_nodes += k->chains[i].n;
        }
}

#define RMAP_ITEM_BYTES 64 /* sizeof(struct ksm_rmap_item) on 64-bit (ksm.rst, general_profit) */

/* The sysfs counters past the common ones (Documentation/admin-guide/mm/ksm.rst). */
static void ksm_counters_json(jw *w, const share_counters *c)
{
    uint64_t rmap_items = c->pages_shared + c->pages_sharing + c->pages_unshared + c->pages_volatile + c->pages_zero;
    jw_i64(w, "general_profit", (int64_t)((c->pages_sharing + c->pages_zero) * SHARE_PAGE_SIZE) -
                                    (int64_t)(rmap_items * RMAP_ITEM_BYTES));
    jw_u64(w, "stable_node_chains", c->stable_chains);
    jw_u64(w, "stable_node_dups", c->stable_nodes);
}

static void ksm_index_json(jw *w, const share_counters *c)
{
    jw_u64(w, "stable_tree_nodes", c->pages_shared);
    jw_u64(w, "unstable_tree_nodes", c->unstable_nodes);
}

/* The text report shows no index: KSM's trees are described by the counters. */
static void ksm_index_print(FILE *out, const share_counters *c)
{
    (void)out;
    (void)c;
}

static void ksm_params_json(jw *w, const share_params *p)
{
    jw_u64(w, "pages_to_scan", p->pages_to_scan);
    jw_u64(w, "sleep_millisecs", p->sleep_millisecs);
    jw_u64(w, "max_page_sharing", p->max_page_sharing);
}

const share_policy_ops share_ksm_ops = {
    .create = ksm_create,
    .destroy = ksm_destroy,
    .forget_page = ksm_forget,
    .vm_changed = ksm_vm_changed,
    .frame_freed = ksm_frame_freed,
    .scan = ksm_scan,
    .rounds = ksm_rounds,
    .rate = ksm_rate,
    .counters = ksm_counters,
    .default_hash = SHARE_HASH_XXH64,
    .zero_name = "ksm_zero_pages",
    .counters_json = ksm_counters_json,
    .extra_json = sh_no_json,
    .index_json = ksm_index_json,
    .index_print = ksm_index_print,
    .params_json = ksm_params_json,
};
