/*
 * share_model.c: the sharing state common to all scanner policies -- which
 * page of which VM maps to which shared frame (or to the zero page), the
 * events that cost time, and the counters derived from the state.  The
 * policies (share_xen.c, share_ksm.c, share_esx.c) decide what to merge; this
 * file does the merging, the copy-on-write breaks and the accounting, so the
 * three count alike.
 *
 * Invariants: see share_int.h; frames with refs 0 are on the free list and no
 * policy structure refers to them (frame_freed is called first).
 */
#include "share_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_NAME_ROW(ID, NAME, STEM) NAME,
#define POLICY_OPS_ROW(ID, NAME, STEM) &share_##STEM##_ops,
static const char *const policy_names[SHARE_POLICY_COUNT] = {SHARE_POLICY_ROWS(POLICY_NAME_ROW)};

const char *share_policy_name(share_policy p) { return p < SHARE_POLICY_COUNT ? policy_names[p] : "?"; }

static const share_policy_ops *const policy_ops[SHARE_POLICY_COUNT] = {SHARE_POLICY_ROWS(POLICY_OPS_ROW)};

const share_policy_ops *share_policy_ops_of(share_policy p)
{
    assert(p < SHARE_POLICY_COUNT);
    return policy_ops[p];
}

int share_policy_from_name(const char *s, share_policy *out)
{
    for (int p = 0; p < SHARE_POLICY_COUNT; p++)
        if (!strcmp(s, policy_names[p])) {
            *out = (share_policy)p;
            return 0;
        }
    return -1;
}

/* KSM's defaults are the sysfs defaults (Documentation/ABI/testing/sysfs-kernel-mm-ksm). */
#define KSM_PAGES_TO_SCAN 100
#define KSM_SLEEP_MS 20
#define KSM_MAX_PAGE_SHARING 256
/* The thesis waits one minute between hashing rounds (section 6.2). */
#define XEN_PERIOD_S 60.0
/* ESX scan rate: Mem.ShareScanGHz's default, 4 MB/s of pages per GHz of host
 * CPU (VMware ESXi 4.0 Resource Management Guide, Table B-2, "Advanced Memory
 * Attributes"), taken for one GHz: 1,024 4 KiB pages/s. */
#define ESX_SCAN_RATE 1024.0

void share_params_defaults(share_params *p, share_policy policy)
{
    memset(p, 0, sizeof *p);
    p->policy = policy;
    p->hash = share_policy_ops_of(policy)->default_hash;
#ifndef VS_HAVE_XXHASH
    p->hash = SHARE_HASH_SFH;
#endif
    p->pages_to_scan = KSM_PAGES_TO_SCAN;
    p->sleep_millisecs = KSM_SLEEP_MS;
    p->max_page_sharing = KSM_MAX_PAGE_SHARING;
    p->period_s = XEN_PERIOD_S;
    p->scan_rate = ESX_SCAN_RATE;
    p->seed = 1;
}


share_model *share_model_new(const share_params *p)
{
    share_model *m = vs_calloc(1, sizeof *m);
    m->p = *p;
    m->free_head = SH_NONE;
    m->ops = share_policy_ops_of(p->policy);
    m->pol = m->ops->create(m);
    return m;
}

void share_model_free(share_model *m)
{
    if (!m)
        return;
    m->ops->destroy(m->pol);
    for (uint32_t v = 0; v < m->n_vms; v++) {
        free(m->vms[v].name);
        free(m->vms[v].pages);
    }
    free(m->vms);
    free(m->frames);
    free(m);
}

uint32_t share_model_add_vm(share_model *m, const char *name)
{
    m->vms = vs_realloc(m->vms, (m->n_vms + 1) * sizeof *m->vms);
    m->vms[m->n_vms] = (sh_vm){vs_strdup(name), NULL, 0};
    return m->n_vms++;
}

const share_events *share_model_events(const share_model *m) { return &m->ev; }

/* ---- frames and mappings ---- */
uint32_t sh_frame_new(share_model *m, const uint8_t *data)
{
    uint32_t f = m->free_head;
    if (f != SH_NONE) {
        m->free_head = m->frames[f].aux;
    } else {
        if (m->n_frames == m->cap_frames) {
            m->cap_frames = m->cap_frames ? m->cap_frames * 2 : 1024;
            m->frames = vs_realloc(m->frames, m->cap_frames * sizeof *m->frames);
        }
        f = m->n_frames++;
    }
    m->frames[f] = (sh_frame){data, 0, SH_NONE};
    m->frames_used++;
    return f;
}

static void frame_release(share_model *m, uint32_t f)
{
    assert(m->frames[f].refs == 0);
    m->ops->frame_freed(m->pol, m, f);
    m->frames[f].data = NULL;
    m->frames[f].aux = m->free_head;
    m->free_head = f;
    m->frames_used--;
}

void sh_map(share_model *m, sh_page *pg, uint32_t frame)
{
    assert(pg->frame == SH_NONE && !(pg->flags & SH_PG_ZMAP));
    pg->frame = frame;
    m->frames[frame].refs++;
    m->ev.remaps++;
    m->changes++;
}

void sh_map_zero(share_model *m, sh_page *pg)
{
    assert(pg->frame == SH_NONE && (pg->flags & SH_PG_ZERO));
    pg->flags |= SH_PG_ZMAP;
    m->ev.remaps++;
    m->changes++;
}

/* memcmp stops at the first difference, so a compare costs in proportion
 * to the bytes it reads; counted at this granularity. */
#define CMP_CHUNK 256

int sh_memcmp(share_model *m, const uint8_t *a, const uint8_t *b)
{
    m->ev.compares++;
    for (size_t at = 0; at < SHARE_PAGE_SIZE; at += CMP_CHUNK) {
        int r = memcmp(a + at, b + at, CMP_CHUNK);
        if (r) {
            m->ev.compare_bytes += at + CMP_CHUNK;
            return r;
        }
    }
    m->ev.compare_bytes += SHARE_PAGE_SIZE;
    return 0;
}

bool sh_same(share_model *m, const uint8_t *a, const uint8_t *b)
{
    m->ev.maps += 2; /* both pages are mapped into the VMM to compare (thesis section 6.2) */
    return sh_memcmp(m, a, b) == 0;
}

uint64_t sh_hash(share_model *m, const uint8_t *data)
{
    m->ev.hashes++;
    m->ev.maps++;
    return share_hash(m->p.hash, data, SHARE_PAGE_SIZE);
}

/* A write to a shared page: the writer gets a private copy, or takes the
 * frame over when it is the last reference and converting is enabled. */
static int cow_break(share_model *m, sh_page *pg)
{
    m->c.cow_breaks++;
    if (pg->flags & SH_PG_ZMAP) {
        pg->flags &= ~(uint32_t)SH_PG_ZMAP;
        m->ev.cow_copy++;
        m->ev.allocs++;
        m->ev.copies++;
        return 1;
    }
    uint32_t f = pg->frame;
    assert(f != SH_NONE && m->frames[f].refs > 0);
    pg->frame = SH_NONE;
    if (--m->frames[f].refs > 0 || !m->p.cow_convert) {
        m->ev.cow_copy++;
        m->ev.allocs++;
        m->ev.copies++;
        if (m->frames[f].refs == 0) {
            m->ev.frees++;
            frame_release(m, f);
        }
        return 1;
    }
    m->ev.cow_convert++;
    frame_release(m, f);
    return 2;
}

sh_page *sh_find_page(share_model *m, uint32_t vm, uint64_t key)
{
    sh_vm *v = &m->vms[vm];
    size_t lo = 0, hi = v->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->pages[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < v->n && v->pages[lo].key == key ? &v->pages[lo] : NULL;
}

int share_model_write(share_model *m, uint32_t vm, uint64_t key)
{
    assert(vm < m->n_vms);
    sh_page *pg = sh_find_page(m, vm, key);
    if (!pg || (pg->frame == SH_NONE && !(pg->flags & SH_PG_ZMAP)))
        return 0;
    m->ops->forget_page(m->pol, m, vm, pg);
    return cow_break(m, pg);
}

static bool is_zero(const uint8_t *p)
{
    return p == share_zero_page || (p[0] == 0 && memcmp(p, p + 1, SHARE_PAGE_SIZE - 1) == 0);
}

bool share_model_check(const share_model *m)
{
    uint32_t *refs = vs_calloc(m->n_frames ? m->n_frames : 1, sizeof *refs);
    bool ok = true;
    for (uint32_t v = 0; v < m->n_vms && ok; v++)
        for (size_t i = 0; i < m->vms[v].n && ok; i++) {
            const sh_page *pg = &m->vms[v].pages[i];
            if (pg->flags & SH_PG_ZMAP)
                ok = pg->frame == SH_NONE && is_zero(pg->data);
            else if (pg->frame != SH_NONE) {
                ok = pg->frame < m->n_frames && m->frames[pg->frame].data &&
                     memcmp(pg->data, m->frames[pg->frame].data, SHARE_PAGE_SIZE) == 0;
                if (ok)
                    refs[pg->frame]++;
            }
        }
    uint32_t used = 0;
    for (uint32_t f = 0; f < m->n_frames && ok; f++) {
        ok = m->frames[f].refs == refs[f];
        used += refs[f] > 0;
    }
    free(refs);
    return ok && used == m->frames_used;
}

void share_model_set_vm(share_model *m, uint32_t vm, const share_image *img)
{
    assert(vm < m->n_vms);
    sh_vm *v = &m->vms[vm];
    size_t n = share_image_pages(img);
    sh_page *np = vs_calloc(n ? n : 1, sizeof *np);
    size_t j = 0;
    for (size_t i = 0; i < v->n; i++)
        m->ops->forget_page(m->pol, m, vm, &v->pages[i]);
    for (size_t i = 0; i < n; i++) {
        uint64_t key = share_image_key(img, i);
        const uint8_t *data = share_image_data(img, i);
        np[i] = (sh_page){data, key, SH_NONE, 0, is_zero(data) ? SH_PG_ZERO : 0};
        while (j < v->n && v->pages[j].key < key)
            j++;
        if (j == v->n || v->pages[j].key != key)
            continue;
        sh_page *old = &v->pages[j];
        np[i].cksum = old->cksum; /* KSM's rmap_item (and its checksum) belongs to the address */
        np[i].flags |= old->flags & SH_PG_CKSUM;
        bool same = old->data == data || memcmp(old->data, data, SHARE_PAGE_SIZE) == 0;
        if (same)
            np[i].flags |= old->flags & (SH_PG_SEEN | SH_PG_BAD);
        if (old->frame == SH_NONE && !(old->flags & SH_PG_ZMAP))
            continue;
        if (same) { /* unchanged: the mapping stays */
            np[i].frame = old->frame;
            np[i].flags |= old->flags & SH_PG_ZMAP;
            old->frame = SH_NONE;
            old->flags &= ~(uint32_t)SH_PG_ZMAP;
        } else {
            cow_break(m, old); /* the guest wrote it between the snapshots */
        }
    }
    /* pages that disappeared release their frames */
    for (size_t i = 0; i < v->n; i++) {
        sh_page *old = &v->pages[i];
        if (old->frame != SH_NONE && --m->frames[old->frame].refs == 0) {
            m->ev.frees++;
            frame_release(m, old->frame);
        }
    }
    free(v->pages);
    v->pages = np;
    v->n = n;
    m->ops->vm_changed(m->pol, m);
}

/* ---- scanning ---- */
static bool empty(const share_model *m)
{
    for (uint32_t v = 0; v < m->n_vms; v++)
        if (m->vms[v].n)
            return false;
    return true;
}

uint64_t share_model_scan(share_model *m, uint64_t budget)
{
    uint64_t done = 0;
    if (empty(m))
        return 0;
    while (done < budget) {
        uint64_t r0 = m->ops->rounds(m->pol);
        uint64_t got = m->ops->scan(m->pol, m, budget - done);
        if (got == 0 && m->ops->rounds(m->pol) == r0)
            break; /* nothing to scan */
        done += got;
    }
    return done;
}

double share_model_scan_rate(const share_model *m) { return m->ops->rate(m); }

/* Enough rounds for any policy to settle; more means a bug, not a workload. */
#define CONVERGE_MAX_ROUNDS 100000

uint64_t share_model_converge(share_model *m)
{
    uint64_t done = 0;
    if (empty(m))
        return 0;
    for (int i = 0; i < CONVERGE_MAX_ROUNDS; i++) {
        uint64_t c0 = m->changes, r0 = m->ops->rounds(m->pol);
        for (;;) {
            uint64_t got = m->ops->scan(m->pol, m, UINT64_MAX);
            done += got;
            if (m->ops->rounds(m->pol) != r0)
                break;
            if (got == 0)
                return done; /* nothing to scan */
        }
        if (m->changes == c0)
            return done;
    }
    assert(!"share_model_converge: no fixed point");
    return done;
}

/* ---- counters ---- */
void share_model_counters(const share_model *m, share_counters *out)
{
    *out = m->c;
    uint64_t pages = 0, zero = 0, unshared = 0, volatile_ = 0;
    for (uint32_t v = 0; v < m->n_vms; v++)
        for (size_t i = 0; i < m->vms[v].n; i++) {
            const sh_page *pg = &m->vms[v].pages[i];
            pages++;
            if (pg->flags & SH_PG_ZMAP)
                zero++;
            else if (pg->frame == SH_NONE)
                *(pg->flags & SH_PG_SEEN ? &unshared : &volatile_) += 1;
        }
    uint64_t shared = 0, sharing = 0;
    for (uint32_t f = 0; f < m->n_frames; f++)
        if (m->frames[f].refs) {
            shared++;
            sharing += m->frames[f].refs - 1;
        }
    out->pages = pages;
    out->pages_zero = zero;
    out->pages_shared = shared;
    out->pages_sharing = sharing;
    out->pages_unshared = unshared;
    out->pages_volatile = volatile_;
    out->full_scans = m->ops->rounds(m->pol);
    m->ops->counters(m->pol, m, out);
}

void share_model_vm_stats(const share_model *m, uint32_t vm, share_vm_stats *out)
{
    assert(vm < m->n_vms);
    memset(out, 0, sizeof *out);
    const sh_vm *v = &m->vms[vm];
    uint32_t *mine = vs_calloc(m->n_frames ? m->n_frames : 1, sizeof *mine);
    out->pages = v->n;
    for (size_t i = 0; i < v->n; i++) {
        const sh_page *pg = &v->pages[i];
        if (pg->flags & SH_PG_ZMAP)
            out->zero++;
        else if (pg->frame != SH_NONE) {
            out->shared++;
            mine[pg->frame]++;
        }
    }
    double saved = (double)out->zero; /* the zero page is preallocated: every mapper saves a page */
    for (uint32_t f = 0; f < m->n_frames; f++)
        if (mine[f]) {
            uint32_t r = m->frames[f].refs;
            saved += (double)mine[f] * (r - 1) / r;
            out->intra_saved += mine[f] - 1;
        }
    out->saved = saved;
    out->inter_saved = saved - (double)out->intra_saved - (double)out->zero;
    if (out->inter_saved < 0) /* rounding of the apportioned shares */
        out->inter_saved = 0;
    free(mine);
}
