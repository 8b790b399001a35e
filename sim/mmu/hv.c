/*
 * hv.c: the hypervisor's memory (hv.h) -- host frames from one buddy
 * allocator, and per VM a GPA -> HPA mapping held in real host page tables
 * (Intel EPT, AMD NPT; SDM 3C ch. 29), filled lazily by the EPT-violation
 * handler as KVM does (tdp_page_fault: allocate on first touch).
 *
 * Backing size: the handler maps the largest page up to host.page_size whose
 * aligned guest-physical region lies inside guest memory and is still
 * unmapped, and for which an aligned host block is free (KVM maps a huge
 * page only when the whole host block is available); every smaller mapping
 * made when a larger one was wanted is one fallback.
 *
 * Contiguous backing (seed 004; "VMM Direct", Gandhi et al. MICRO'14): at
 * VM creation the guest's memory is reserved as one host range -- with
 * buddy_alloc_exact when it fits a buddy block, else as a run of adjacent
 * max-order blocks -- or, failing that, as up to contig.segments pieces whose
 * size halves until each fits.  Pieces are whole 2 MiB multiples where they
 * can be, so hPA - gPA stays 2 MiB-aligned and large backing still works.
 * If the pieces cannot cover the whole guest, the segments found are kept
 * and the rest is backed page by page (those GPAs take the nested path).
 * The host tables are still written inside segments, so nested paging works
 * for the same VM; they map gpa -> hpa_base + (gpa - gpa_base).
 *
 * Host frames by mobility (host.group_by_mobility, on by default): the host
 * is Linux, whose page allocator has grouped pages by mobility since 2.6.24
 * (mm/page_alloc.c; buddy.h).  The VMM's table pages -- KVM's shadow and
 * TDP pages alike, from the mmu_page_cache that mmu_topup_memory_cache_page
 * fills with __get_free_page(GFP_KERNEL), GFP_KERNEL_ACCOUNT later -- are
 * unmovable kernel memory; the
 * guest's RAM is the VMM process's anonymous memory, faulted in movable
 * (GFP_HIGHUSER_MOVABLE).  So the two come from different pageblocks of
 * 2 MiB (pageblock_order = HUGETLB_PAGE_ORDER = 9 on x86-64), and a mode
 * that takes table frames in another order moves the guest's pages by whole
 * pageblocks only: every guest frame keeps its offset within 2 MiB, and with
 * it its set in any cache whose way is at most 2 MiB.  Off, table and guest
 * frames interleave in one lowest-address-first order, as before.
 *
 * Invariants: a GPA is backed at most once; inside a segment the host frame
 * is base + offset; every host frame (data, EPT table, shadow table) comes
 * from the one buddy allocator, tables as unmovable and guest memory as
 * movable allocations; host_tables counts the EPT pages attached.
 */
#include "hv.h"

#include <assert.h>
#include <stdlib.h>

#define HV_MAX_SEGMENTS 64      /* the config's upper bound on contig.segments */
#define HV_DATA_FLAGS (PTE_RW | PTE_US) /* guest memory is ordinary RAM, read-write */
#define HV_SEG_ALIGN_FRAMES 512 /* 2 MiB in frames: keep segment offsets huge-page aligned */
#define HV_PAGEBLOCK_ORDER 9    /* x86-64 pageblock_order = HUGETLB_PAGE_ORDER: 2 MiB pageblocks */

struct hv {
    hv_params p;
    buddy *b;
    pt_mem *tables; /* EPT and shadow table pages, keyed by host frame */
    hv_counters c;
    pt_ops ops;     /* table allocation for the EPT trees (never freed: VMs live for the run) */
    unsigned tables_added; /* scratch: EPT pages allocated by the current hv_back */
    hv_vm **vms;
    uint32_t n_vms;
};

struct hv_vm {
    hv *h;
    uint32_t id;
    uint64_t guest_mem;
    pt_tree tree;
    hv_segment segs[HV_MAX_SEGMENTS];
    unsigned n_segs;
};

static bool cb_alloc_table(void *ctx, unsigned level, uint64_t *pfn)
{
    (void)level;
    hv *h = ctx;
    if (!buddy_alloc_mt(h->b, 0, BUDDY_UNMOVABLE, pfn))
        return false;
    h->c.host_tables++;
    h->tables_added++;
    return true;
}

static int out_of_host_memory(hv *h, vs_err *err, const char *what, uint64_t addr)
{
    return vs_fail(err, VS_E_LIMIT,
                   "host memory exhausted %s 0x%llx: host.mem = %llu bytes, %llu frames free; expected a "
                   "larger host.mem (or a smaller guest.mem / vm.count)",
                   what, (unsigned long long)addr, (unsigned long long)h->p.mem_bytes,
                   (unsigned long long)buddy_free_frames(h->b));
}

int hv_new(const hv_params *p, hv **out, vs_err *err)
{
    if (p->levels != 4 && p->levels != 5)
        return vs_fail(err, VS_E_CONFIG, "host.levels = %u: expected 4 or 5", p->levels);
    if (p->contig_segments > HV_MAX_SEGMENTS || (p->contig_backing && p->contig_segments == 0))
        return vs_fail(err, VS_E_CONFIG, "contig.segments = %u: expected 1 .. %d", p->contig_segments,
                       HV_MAX_SEGMENTS);
    uint64_t frames = p->mem_bytes >> VS_PAGE_SHIFT_4K;
    if (frames == 0)
        return vs_fail(err, VS_E_CONFIG, "host.mem = %llu bytes: expected at least one 4 KiB frame",
                       (unsigned long long)p->mem_bytes);
    buddy *b = buddy_new_grouped(0, frames, p->max_order, p->group_by_mobility ? HV_PAGEBLOCK_ORDER : 0, err);
    if (!b)
        return VS_E_CONFIG;
    hv *h = vs_calloc(1, sizeof *h);
    h->p = *p;
    h->b = b;
    h->tables = pt_mem_new();
    h->ops = (pt_ops){cb_alloc_table, NULL, NULL, h}; /* EPT pages live as long as the host */
    *out = h;
    return VS_OK;
}

void hv_free(hv *h)
{
    if (!h)
        return;
    for (uint32_t i = 0; i < h->n_vms; i++)
        free(h->vms[i]);
    free(h->vms);
    pt_mem_free(h->tables);
    buddy_free_all(h->b);
    free(h);
}

pt_mem *hv_tables(hv *h) { return h->tables; }
buddy *hv_allocator(hv *h) { return h->b; }
const hv_counters *hv_get_counters(const hv *h) { return &h->c; }

/* ---- contiguous reservation ---- */

/* n adjacent frames as a run of aligned blocks starting at a max-order
 * boundary, for requests larger than one buddy block.  Lowest base first. */
static bool reserve_run(buddy *b, uint64_t n, uint64_t *pfn)
{
    unsigned top = buddy_max_order(b);
    uint64_t total = buddy_total_frames(b);
    for (uint64_t base = 0; base + n <= total; base += 1ull << top) {
        uint64_t at = base;
        bool ok = true;
        /* Greedy aligned decomposition: base is top-aligned, so each block is aligned. */
        for (int k = (int)top; k >= 0 && ok; k--) {
            while (ok && base + n - at >= (1ull << k)) {
                ok = buddy_alloc_at(b, at, (unsigned)k);
                if (ok)
                    at += 1ull << k;
            }
        }
        if (ok) {
            *pfn = base;
            return true;
        }
        if (at > base)
            buddy_free_exact(b, base, at - base);
    }
    return false;
}

static bool reserve(buddy *b, uint64_t n, uint64_t *pfn)
{
    if (n <= (1ull << buddy_max_order(b)))
        return buddy_alloc_exact(b, n, pfn);
    return reserve_run(b, n, pfn);
}

static void reserve_segments(hv *h, hv_vm *v)
{
    uint64_t frames = (v->guest_mem + (1ull << VS_PAGE_SHIFT_4K) - 1) >> VS_PAGE_SHIFT_4K;
    uint64_t gpfn = 0, piece = frames;
    while (gpfn < frames && v->n_segs < h->p.contig_segments) {
        uint64_t want = piece < frames - gpfn ? piece : frames - gpfn;
        uint64_t pfn;
        while (want > 0 && !reserve(h->b, want, &pfn)) {
            piece = want / 2;
            if (piece >= HV_SEG_ALIGN_FRAMES)
                piece -= piece % HV_SEG_ALIGN_FRAMES;
            want = piece;
        }
        if (want == 0)
            break;
        v->segs[v->n_segs++] = (hv_segment){.gpa_base = gpfn << VS_PAGE_SHIFT_4K,
                                            .length = want << VS_PAGE_SHIFT_4K,
                                            .hpa_base = pfn << VS_PAGE_SHIFT_4K};
        gpfn += want;
    }
    if (v->n_segs)
        h->c.contiguous_vms++;
    h->c.segments += v->n_segs;
}

int hv_vm_new(hv *h, uint32_t id, uint64_t guest_mem, hv_vm **out, vs_err *err)
{
    if (guest_mem == 0 || guest_mem > (1ull << pt_va_bits(h->p.levels)))
        return vs_fail(err, VS_E_CONFIG,
                       "guest.mem = %llu bytes: expected 1 .. 2^%u for %u-level host tables",
                       (unsigned long long)guest_mem, pt_va_bits(h->p.levels), h->p.levels);
    hv_vm *v = vs_calloc(1, sizeof *v);
    v->h = h;
    v->id = id;
    v->guest_mem = guest_mem;
    int rc = pt_tree_init(&v->tree, h->tables, h->p.levels, &h->ops, err);
    if (rc != VS_OK) {
        free(v);
        return rc == VS_E_LIMIT ? out_of_host_memory(h, err, "creating the host page tables of VM", id) : rc;
    }
    if (h->p.contig_backing)
        reserve_segments(h, v);
    h->vms = vs_realloc(h->vms, (h->n_vms + 1) * sizeof *h->vms);
    h->vms[h->n_vms++] = v;
    *out = v;
    return VS_OK;
}

uint32_t hv_vm_id(const hv_vm *v) { return v->id; }
const pt_tree *hv_vm_tree(const hv_vm *v) { return &v->tree; }

bool hv_translate(const hv_vm *v, uint64_t gpa, uint64_t *hpa, vs_pgsz *size)
{
    if (gpa >= v->guest_mem)
        return false;
    vs_pgsz s;
    bool mapped = pt_lookup(&v->tree, gpa, hpa, &s, NULL);
    if (mapped && size)
        *size = s;
    return mapped;
}

unsigned hv_vm_segments(const hv_vm *v, const hv_segment **segs)
{
    if (segs)
        *segs = v->segs;
    return v->n_segs;
}

const hv_segment *hv_vm_segment_of(const hv_vm *v, uint64_t gpa)
{
    for (unsigned i = 0; i < v->n_segs; i++)
        if (gpa - v->segs[i].gpa_base < v->segs[i].length)
            return &v->segs[i];
    return NULL;
}

/* ---- backing (the EPT-violation handler) ---- */

static uint64_t size_bytes(vs_pgsz s) { return 1ull << vs_pgsz_shift(s); }
static unsigned size_order(vs_pgsz s) { return vs_pgsz_shift(s) - VS_PAGE_SHIFT_4K; }

/* Host address for the aligned region [base, base + size) of guest memory, or
 * false when a mapping of that size cannot be made there. */
static bool place(hv_vm *v, const hv_segment *seg, uint64_t base, vs_pgsz size, uint64_t *hpa)
{
    uint64_t span = size_bytes(size);
    if (base + span > v->guest_mem || !pt_region_empty(&v->tree, base, size))
        return false;
    if (seg) {
        uint64_t h = seg->hpa_base + (base - seg->gpa_base);
        if (base < seg->gpa_base || base + span > seg->gpa_base + seg->length || (h & (span - 1)))
            return false;
        *hpa = h;
        return true;
    }
    for (unsigned i = 0; i < v->n_segs; i++)
        if (base < v->segs[i].gpa_base + v->segs[i].length && v->segs[i].gpa_base < base + span)
            return false; /* a page-by-page mapping must not cover part of a segment */
    uint64_t pfn;
    if (!buddy_alloc_mt(v->h->b, size_order(size), BUDDY_MOVABLE, &pfn))
        return false;
    *hpa = pfn << VS_PAGE_SHIFT_4K;
    return true;
}

int hv_back(hv_vm *v, uint64_t gpa, hv_back_info *info, vs_err *err)
{
    hv *h = v->h;
    if (gpa >= v->guest_mem)
        return vs_fail(err, VS_E_USAGE,
                       "VM %u: guest-physical address 0x%llx is outside guest.mem = %llu bytes",
                       v->id, (unsigned long long)gpa, (unsigned long long)v->guest_mem);
    uint64_t hpa;
    vs_pgsz size;
    if (hv_translate(v, gpa, &hpa, &size)) {
        *info = (hv_back_info){.size = size, .hpa_base = hpa & ~(size_bytes(size) - 1), .tables_added = 0};
        return VS_OK;
    }
    const hv_segment *seg = hv_vm_segment_of(v, gpa);
    vs_pgsz want = h->p.page_size;
    for (size = want;; size--) {
        uint64_t base = gpa & ~(size_bytes(size) - 1);
        if (place(v, seg, base, size, &hpa)) {
            h->tables_added = 0;
            int rc = pt_map(&v->tree, base, hpa, size, HV_DATA_FLAGS, &h->ops, err);
            if (rc != VS_OK) {
                if (!seg)
                    buddy_free(h->b, hpa >> VS_PAGE_SHIFT_4K, size_order(size));
                return rc == VS_E_LIMIT ? out_of_host_memory(h, err, "mapping guest-physical", gpa) : rc;
            }
            h->c.backed[size]++;
            if (size != want)
                h->c.fallbacks++;
            *info = (hv_back_info){.size = size, .hpa_base = hpa, .tables_added = h->tables_added};
            return VS_OK;
        }
        if (size == VS_PG_4K)
            break;
    }
    return out_of_host_memory(h, err, "backing guest-physical", gpa);
}

/* ---- shadow tables ---- */

bool hv_alloc_table(hv *h, uint64_t *pfn)
{
    if (!buddy_alloc_mt(h->b, 0, BUDDY_UNMOVABLE, pfn))
        return false;
    pt_mem_attach(h->tables, *pfn);
    h->c.shadow_tables++;
    return true;
}

void hv_free_table(hv *h, uint64_t pfn)
{
    assert(h->c.shadow_tables > 0);
    pt_mem_detach(h->tables, pfn);
    buddy_free(h->b, pfn, 0);
    h->c.shadow_tables--;
}
