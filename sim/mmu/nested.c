/*
 * nested.c: the nested dimension of 2D page walks and the TLB-miss handler of
 * the modes that use it (nested.h), after Bhargava, Serebrin, Spadini and
 * Manne, "Accelerating Two-Dimensional Page Walks for Virtualized Systems"
 * (ASPLOS'08), Intel SDM 3C 29.3 (EPT) and AMD APM vol. 2 15.25 (NPT).
 *
 * Order of a GPA translation, as in Bhargava's Figure 5: a direct segment
 * (contig only: hPA = base + gPA, no reference, after Gandhi et al.
 * MICRO'14); else the nested TLB (GPA page -> HPA page, tagged by VM); else a
 * 1D walk of the EPT, through the GPA-tagged nested split caches, and the
 * unified cache keyed by the host address of each entry (with
 * pwc.kind = unified, one cache shared by both dimensions: the 2D PWC).
 *
 * Reference count of a 2D walk with every cache off: each of the n guest
 * levels costs m host references to locate its table plus one to read the
 * entry, and the final GPA costs m more: n(m+1) + m = (n+1)(m+1) - 1.
 *
 * Invariants: an EPT violation ends the walk (it is not completed), is
 * counted once and priced cost.vmexit + cost.exit_ept, and backs exactly the
 * violating page; host mappings never change afterwards, so the nested caches
 * never need invalidation.
 */
#include "nested.h"
#include "hv.h"

#include <stdlib.h>

/* Each retry handles one event: an EPT violation backing one of at most 6
 * pages a walk needs (5 guest tables, the data page), one of at most 2 guest
 * faults (map, copy-on-write), or an agile hidden fault (one per guest fault,
 * plus one); after each guest fault the 6 pages may need backing again:
 * 3 rounds of (6 + 1 + 1) = 24. */
/* Host addresses of recently used guest pages, so a split-cache hit (whose
 * host address the hardware holds) costs the simulator no software walk of
 * the EPT.  Not a simulated structure: host mappings never change once made,
 * so entries never go stale. */
#define NESTED_MEMO_BITS 12

typedef struct memo_entry {
    uint64_t gpage; /* guest-physical 4 KiB page + 1; 0 = empty */
    uint64_t hpage; /* its host-physical 4 KiB page */
    vs_pgsz size;   /* size of the host mapping */
} memo_entry;

struct nested_dim {
    mode_env env;
    pwc_split *split;     /* nested-dimension split caches (owned) */
    pwc_unified *unified; /* the guest dimension's, when shared (not owned) */
    pwc_ntlb *ntlb;
    unsigned host_levels;
    bool direct;
    bool walk_nested;     /* the current walk translated a GPA outside every segment */
    uint64_t direct_walks, nested_walks;
    memo_entry memo[1u << NESTED_MEMO_BITS];
};

int nested_dim_new(const mode_env *env, pwc_unified *shared_unified, nested_dim **out, vs_err *err)
{
    const vs_config *cfg = env->cfg;
    nested_dim *nd = vs_calloc(1, sizeof *nd);
    nd->env = *env;
    nd->host_levels = cfg->host_levels;
    int rc = VS_OK;
    if (cfg->pwc_kind == PWC_UNIFIED)
        nd->unified = shared_unified;
    else
        rc = mode_make_pwc(cfg, true, nd->host_levels, &nd->split, &nd->unified, err);
    if (rc == VS_OK && cfg->ntlb_enabled) {
        nd->ntlb = pwc_ntlb_new(cfg->ntlb_entries, cfg->ntlb_ways, ASSOC_LRU, cfg->seed, err);
        if (!nd->ntlb)
            rc = VS_E_CONFIG;
    }
    if (rc != VS_OK) {
        nested_dim_free(nd);
        return rc;
    }
    *out = nd;
    return VS_OK;
}

void nested_dim_free(nested_dim *nd)
{
    if (!nd)
        return;
    if (nd->split)
        pwc_split_free(nd->split);
    pwc_ntlb_free(nd->ntlb);
    free(nd);
}

void nested_dim_set_direct(nested_dim *nd, bool direct) { nd->direct = direct; }

static uint64_t size_mask(vs_pgsz s) { return (1ull << vs_pgsz_shift(s)) - 1; }

/* The largest page size the segment maps gpa's page with: the aligned page
 * must lie in the segment and hPA - gPA must be aligned to it. */
static vs_pgsz segment_page(const hv_segment *seg, uint64_t gpa)
{
    uint64_t off = seg->hpa_base - seg->gpa_base;
    for (vs_pgsz s = VS_PG_1G; s > VS_PG_4K; s--) {
        uint64_t base = gpa & ~size_mask(s);
        bool inside = base >= seg->gpa_base && base + size_mask(s) < seg->gpa_base + seg->length;
        if (inside && !(off & size_mask(s)))
            return s;
    }
    return VS_PG_4K;
}

static bool memo_translate(nested_dim *nd, const hv_vm *vm, uint64_t gpa, uint64_t *hpa, vs_pgsz *size)
{
    uint64_t page = gpa >> VS_PAGE_SHIFT_4K;
    memo_entry *e = &nd->memo[(page ^ ((uint64_t)hv_vm_id(vm) << (NESTED_MEMO_BITS - 3))) &
                              ((1u << NESTED_MEMO_BITS) - 1)];
    uint64_t key = (page | ((uint64_t)hv_vm_id(vm) << 40)) + 1;
    if (e->gpage != key) {
        uint64_t h;
        if (!hv_translate(vm, gpa, &h, &e->size))
            return false;
        e->gpage = key;
        e->hpage = h >> VS_PAGE_SHIFT_4K;
    }
    *hpa = (e->hpage << VS_PAGE_SHIFT_4K) | (gpa & ((1u << VS_PAGE_SHIFT_4K) - 1));
    *size = e->size;
    return true;
}

static int ept_violation(nested_dim *nd, hv_vm *vm, uint64_t gpa, vs_err *err)
{
    mode_exit(&nd->env, EXIT_EPT_VIOLATION, nd->env.cfg->cost_exit_ept);
    hv_back_info bi;
    int rc = hv_back(vm, gpa, &bi, err);
    return rc == VS_OK ? MODE_RETRY : rc;
}

int nested_gpa(nested_dim *nd, const mode_space *sp, uint64_t gpa, bool free_, uint64_t *hpa, vs_pgsz *size,
               walk_tally *t, vs_err *err)
{
    hv_vm *vm = sp->vm;
    if (nd->direct) {
        const hv_segment *seg = hv_vm_segment_of(vm, gpa);
        if (seg) {
            *hpa = seg->hpa_base + (gpa - seg->gpa_base);
            *size = segment_page(seg, gpa);
            return VS_OK;
        }
    }
    nd->walk_nested = true;
    if (free_ && memo_translate(nd, vm, gpa, hpa, size))
        return VS_OK;
    if (nd->ntlb) {
        uint64_t page;
        t->cycles += nd->env.cfg->ntlb_latency;
        if (pwc_ntlb_lookup(nd->ntlb, gpa, sp->vm_tag, &page, size)) {
            *hpa = page | (gpa & size_mask(*size));
            return VS_OK;
        }
    }
    const pt_tree *tree = hv_vm_tree(vm);
    walk_req req = {.tables = tree->mem,
                    .root = tree->root_pfn << VS_PAGE_SHIFT_4K,
                    .levels = tree->levels,
                    .va = gpa,
                    .tag = sp->vm_tag,
                    .split = nd->split,
                    .unified = nd->unified,
                    .pwc_latency = nd->env.cfg->pwc_latency,
                    .mem = nd->env.mem};
    walk_result res;
    walk_tally h = {0};
    int rc = walk_1d(&req, &res, &h, err);
    t->refs += h.refs;
    t->nested_refs += h.refs;
    t->cycles += h.cycles;
    if (rc != VS_OK)
        return rc;
    if (!res.present)
        return ept_violation(nd, vm, gpa, err);
    *hpa = res.out_addr;
    *size = res.size;
    if (nd->ntlb)
        pwc_ntlb_fill(nd->ntlb, gpa, sp->vm_tag, res.out_addr & ~size_mask(res.size), res.size);
    return VS_OK;
}

typedef struct walk_ctx {
    nested_dim *nd;
    const mode_space *sp;
} walk_ctx;

static int guest_entry_to_host(void *ctx, uint64_t addr, bool from_pwc, uint64_t *host, walk_tally *t,
                               vs_err *err)
{
    walk_ctx *c = ctx;
    vs_pgsz size;
    return nested_gpa(c->nd, c->sp, addr, from_pwc, host, &size, t, err);
}

/* One attempt: the guest walk from the start point, then the final GPA.
 * Returns VS_OK with *hpa and *hsize, MODE_RETRY, MODE_FAULT, or < 0. */
static int walk_2d(nested_dim *nd, const nested_guest *g, const mode_space *sp, uint64_t va, bool write,
                   walk_result *res, uint64_t *hpa, vs_pgsz *hsize, walk_tally *t, vs_err *err)
{
    const pt_tree *tree = os_proc_tree(sp->proc);
    uint64_t root = tree->root_pfn << VS_PAGE_SHIFT_4K;
    unsigned levels = tree->levels;
    if (g->start) {
        int rc = g->start(g->start_ctx, sp, va, &root, &levels, t, err);
        if (rc != VS_OK)
            return rc;
    }
    walk_ctx c = {nd, sp};
    walk_req req = {.tables = tree->mem,
                    .root = root,
                    .levels = levels,
                    .bits32 = pt_is_32bit(tree->levels),
                    .va = va,
                    .tag = sp->tag,
                    .split = g->split,
                    .unified = g->unified,
                    .pwc_latency = nd->env.cfg->pwc_latency,
                    .mem = nd->env.mem,
                    .to_host = guest_entry_to_host,
                    .ctx = &c};
    int rc = walk_1d(&req, res, t, err);
    if (rc != VS_OK)
        return rc;
    /* A guest #PF is raised at the guest leaf, before the final GPA is translated. */
    if (!res->present || (write && !(res->pte & PTE_RW)))
        return MODE_FAULT;
    return nested_gpa(nd, sp, res->out_addr, false, hpa, hsize, t, err);
}

int nested_translate_va(nested_dim *nd, const nested_guest *g, const mode_space *sp, uint64_t va,
                        unsigned access, tlb_entry *out, vs_err *err)
{
    bool write = access & ACCESS_WRITE;
    walk_tally t = {0};
    walk_result res;
    uint64_t hpa = 0;
    vs_pgsz hsize = VS_PG_4K;
    nd->walk_nested = false;
    int rc = walk_2d(nd, g, sp, va, write, &res, &hpa, &hsize, &t, err);
    if (rc < 0)
        return rc;
    mode_account_walk(nd->env.st, &t, rc == VS_OK);
    if (rc != VS_OK)
        return rc; /* MODE_RETRY or MODE_FAULT */
    if (nd->walk_nested)
        nd->nested_walks++;
    else
        nd->direct_walks++;
    *out = mode_tlb_entry(hpa, res.size < hsize ? res.size : hsize /* splintering */, res.pte, write);
    return VS_OK;
}

void nested_guest_invlpg(const nested_guest *g, const mode_space *sp)
{
    /* INVLPG drops every paging-structure-cache entry of the current PCID,
     * whatever its address (SDM 3A 4.10.4.1). */
    if (g->split)
        pwc_split_flush_tag(g->split, sp->tag);
}

void nested_guest_cr3_write(const nested_guest *g, const mode_space *to, bool flush)
{
    /* A flushing CR3 write drops the PCID's paging-structure caches (SDM 3A 4.10.4.1). */
    if (flush && g->split)
        pwc_split_flush_tag(g->split, to->tag);
}

void nested_guest_space_freed(const nested_guest *g, const mode_space *sp)
{
    if (g->split)
        pwc_split_flush_tag(g->split, sp->tag);
}

/* The host address of guest-physical gpa, if the host maps it. */
static bool guest_hpa(const nested_dim *nd, const mode_space *sp, uint64_t gpa, uint64_t *hpa)
{
    const hv_segment *seg = nd->direct ? hv_vm_segment_of(sp->vm, gpa) : NULL;
    if (!seg)
        return hv_translate(sp->vm, gpa, hpa, NULL);
    *hpa = seg->hpa_base + (gpa - seg->gpa_base);
    return true;
}

void nested_guest_pte_written(const nested_dim *nd, const nested_guest *g, const mode_space *sp,
                              uint64_t entry_gpa, uint64_t new_pte)
{
    uint64_t hpa;
    if (g->unified && !(new_pte & PTE_P) && guest_hpa(nd, sp, entry_gpa, &hpa))
        pwc_unified_invalidate(g->unified, hpa);
}

void nested_guest_table_freed(const nested_dim *nd, const nested_guest *g, const mode_space *sp,
                              uint64_t pfn)
{
    uint64_t hpa = 0;
    bool known = guest_hpa(nd, sp, pfn << VS_PAGE_SHIFT_4K, &hpa); /* the unified cache's keys are host addresses */
    mode_pwc_table_freed(g->split, g->unified, sp, known, hpa, os_levels(sp->os));
}

void nested_dim_walk_counts(const nested_dim *nd, uint64_t *direct, uint64_t *nested)
{
    *direct = nd->direct_walks;
    *nested = nd->nested_walks;
}

void nested_dim_reset_stats(nested_dim *nd)
{
    mode_reset_pwc(nd->split, nd->unified);
    if (nd->ntlb)
        pwc_ntlb_reset_stats(nd->ntlb);
    nd->direct_walks = nd->nested_walks = 0;
}

void nested_dim_report(nested_dim *nd, jw *w)
{
    mode_report_pwc(w, "pwc_nested", nd->split, nd->unified, nd->host_levels);
    jw_object(w, "ntlb");
    jw_u64(w, "hits", nd->ntlb ? pwc_ntlb_hits(nd->ntlb) : 0);
    jw_u64(w, "misses", nd->ntlb ? pwc_ntlb_misses(nd->ntlb) : 0);
    jw_end(w);
}
