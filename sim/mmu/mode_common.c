/*
 * mode_common.c: the pieces every translation mode needs the same way --
 * building page-walk caches from the config, reporting them, accounting a
 * walk, handling an OS page fault, and pricing the VMM's exits and its
 * references to guest memory -- so no mode carries its own copy.
 */
#include "mode.h"
#include "hv.h"
#include "walk.h"

#include <stdio.h>

int mode_make_pwc(const vs_config *cfg, bool nested, unsigned levels, pwc_split **split,
                  pwc_unified **unified, vs_err *err)
{
    *split = NULL;
    *unified = NULL;
    if (!cfg->pwc_enabled)
        return VS_OK;
    if (cfg->pwc_kind == PWC_UNIFIED) {
        pwc_unified_params p = {.entries = cfg->pwc_unified_entries,
                                .ways = cfg->pwc_unified_ways,
                                .level_mask = cfg->pwc_unified_levels,
                                .repl = ASSOC_LRU,
                                .seed = cfg->seed};
        *unified = pwc_unified_new(&p, err);
        return *unified ? VS_OK : VS_E_CONFIG;
    }
    pwc_split_params p = {.top_level = levels, .repl = ASSOC_LRU, .seed = cfg->seed};
    bool any = false;
    for (unsigned l = 2; l <= levels; l++) {
        p.entries[l] = nested ? cfg->pwc_nested_entries[l] : cfg->pwc_entries[l];
        p.ways[l] = nested ? cfg->pwc_nested_ways[l] : cfg->pwc_ways[l];
        any |= p.entries[l] > 0;
    }
    if (!any)
        return VS_OK;
    *split = pwc_split_new(&p, err);
    return *split ? VS_OK : VS_E_CONFIG;
}

void mode_free_pwc(pwc_split *split, pwc_unified *unified)
{
    if (split)
        pwc_split_free(split);
    if (unified)
        pwc_unified_free(unified);
}

void mode_report_pwc(jw *w, const char *key, pwc_split *split, pwc_unified *unified, unsigned levels)
{
    static const char *const level_names[PWC_MAX_LEVELS + 1] = {"", "pt", "pd", "pdpt", "pml4", "pml5"};
    jw_object(w, key);
    jw_str(w, "kind", split ? "split" : unified ? "unified" : "none");
    const pwc_level_stats *st = split ? pwc_split_stats(split) : unified ? pwc_unified_stats(unified) : NULL;
    uint64_t hits = 0, misses = 0;
    for (unsigned l = levels; st && l >= 2; l--) {
        uint64_t h = st->hits[l], m = st->misses[l];
        jw_object(w, level_names[l]);
        jw_u64(w, "hits", h);
        jw_u64(w, "misses", m);
        jw_end(w);
        hits += h;
        misses += m;
    }
    jw_u64(w, "hits", hits);
    jw_u64(w, "misses", misses);
    jw_end(w);
}

void mode_reset_pwc(pwc_split *split, pwc_unified *unified)
{
    if (split)
        pwc_split_reset_stats(split);
    if (unified)
        pwc_unified_reset_stats(unified);
}

void mode_account_walk(xlate_stats *st, const walk_tally *t, bool completed)
{
    st->walk_cycles += t->cycles;
    if (!completed) {
        st->fault_walk_refs += t->refs;
        return;
    }
    st->walk_refs += t->refs;
    st->nested_refs += t->nested_refs;
    st->guest_refs += t->refs - t->nested_refs;
    st->walks++;
    st->walk_hist[t->refs < WALK_HIST_MAX ? t->refs : WALK_HIST_MAX]++;
}

tlb_entry mode_tlb_entry(uint64_t pa, vs_pgsz size, uint64_t pte, bool write)
{
    uint64_t mask = (1ull << vs_pgsz_shift(size)) - 1;
    return (tlb_entry){.pa_base = pa & ~mask, .size = size, .writable = pte & PTE_RW, .dirty = write};
}

int mode_walk_entry(const mode_env *env, const walk_req *req, bool write, tlb_entry *out, vs_err *err)
{
    walk_result res;
    walk_tally t = {0};
    int rc = walk_1d(req, &res, &t, err);
    if (rc != VS_OK)
        return rc;
    bool ok = res.present && (!write || (res.pte & PTE_RW));
    mode_account_walk(env->st, &t, ok);
    if (!ok)
        return MODE_FAULT;
    *out = mode_tlb_entry(res.out_addr, res.size, res.pte, write);
    return VS_OK;
}

int mode_os_fault(const mode_env *env, const mode_space *sp, uint64_t va, bool write, os_fault_info *info,
                  vs_err *err)
{
    int rc = os_fault(sp->os, sp->proc, va, write, info, err);
    if (rc != VS_OK)
        return rc;
    if (info->kind == OS_FAULT_MAP) {
        env->st->faults++;
        env->st->fault_cycles += env->cfg->cost_page_fault;
    } else if (info->kind == OS_FAULT_COW) {
        env->st->cow_faults++;
        env->st->fault_cycles += env->cfg->cost_cow_fault;
    }
    return VS_OK;
}

void mode_exit(const mode_env *env, exit_reason reason, uint64_t handler)
{
    env->st->exits[reason]++;
    env->st->exit_cycles += env->cfg->cost_vmexit + handler;
    if (env->cfg->vmm_exit_flushes_tlb)
        env->tlb_flush_all(env->sim);
    /* both exist only because memory is touched for the first time (or copied on write) */
    if (reason == EXIT_EPT_VIOLATION || reason == EXIT_GUEST_FAULT)
        env->st->first_touch_cycles += env->cfg->cost_vmexit + handler;
}

int mode_vmm_frame(const mode_env *env, const mode_space *sp, uint64_t gpa, uint64_t *hpa, vs_pgsz *size,
                   vs_err *err)
{
    if (hv_translate(sp->vm, gpa, hpa, size))
        return VS_OK;
    hv_back_info bi;
    int rc = hv_back(sp->vm, gpa, &bi, err);
    if (rc != VS_OK)
        return rc;
    env->st->exit_cycles += env->cfg->cost_exit_ept;
    env->st->first_touch_cycles += env->cfg->cost_exit_ept;
    *hpa = bi.hpa_base + (gpa & ((1ull << vs_pgsz_shift(bi.size)) - 1));
    if (size)
        *size = bi.size;
    return VS_OK;
}

int mode_vmm_ref(const mode_env *env, const mode_space *sp, uint64_t gpa, bool write, vs_err *err)
{
    uint64_t hpa;
    int rc = mode_vmm_frame(env, sp, gpa, &hpa, NULL, err);
    if (rc != VS_OK)
        return rc;
    env->st->vmm_refs++;
    env->st->exit_cycles += mh_access(env->mem, hpa, MH_DATA, write, NULL);
    return VS_OK;
}

int mode_vmm_read_guest(const mode_env *env, const mode_space *sp, uint64_t entry_gpa, uint64_t *pte,
                        vs_err *err)
{
    int rc = mode_vmm_ref(env, sp, entry_gpa, false, err);
    if (rc == VS_OK)
        *pte = pt_read_entry_in(os_mem(sp->os), entry_gpa, os_levels(sp->os));
    return rc;
}

/* The line the VMM's data references move in: the smallest of the data-side
 * caches; with no cache, x86's 64-byte line (SDM vol. 3A 11.1). */
#define VMM_LINE_NO_CACHE 64

static uint32_t vmm_line_bytes(const vs_config *cfg)
{
    uint32_t line = 0;
    for (uint32_t i = 0; i < cfg->n_caches; i++)
        if (cfg->caches[i].side != MH_SIDE_INST && (line == 0 || cfg->caches[i].line < line))
            line = cfg->caches[i].line;
    return line ? line : VMM_LINE_NO_CACHE;
}

int mode_vmm_read_guest_page(const mode_env *env, const mode_space *sp, uint64_t table_gpa, uint64_t *ptes,
                             vs_err *err)
{
    uint64_t hpa;
    int rc = mode_vmm_frame(env, sp, table_gpa, &hpa, NULL, err);
    if (rc != VS_OK)
        return rc;
    uint32_t line = vmm_line_bytes(env->cfg);
    for (uint64_t off = 0; off < 1ull << VS_PAGE_SHIFT_4K; off += line) { /* a table is one 4 KiB page */
        env->st->vmm_refs++;
        env->st->exit_cycles += mh_access(env->mem, hpa + off, MH_DATA, false, NULL);
    }
    unsigned levels = os_levels(sp->os);
    for (unsigned i = 0; i < pt_table_entries(levels); i++)
        ptes[i] = pt_read_entry_in(os_mem(sp->os), table_gpa + (uint64_t)pt_entry_bytes(levels) * i, levels);
    return VS_OK;
}

void mode_unified_drop_table(pwc_unified *u, uint64_t table_pa, unsigned levels)
{
    for (unsigned i = 0; i < pt_table_entries(levels); i++)
        pwc_unified_invalidate(u, table_pa + (uint64_t)pt_entry_bytes(levels) * i);
}

void mode_pwc_table_freed(pwc_split *split, pwc_unified *unified, const mode_space *sp, bool known,
                          uint64_t table_pa, unsigned levels)
{
    /* The OS frees a table only before a flush, whose INVLPG or CR3 load
     * drops every paging-structure-cache entry of the PCID (SDM 3A 4.10.4.1);
     * the VA-keyed cache may point at the table from any address under it. */
    if (split)
        pwc_split_flush_tag(split, sp->tag);
    if (unified && known)
        mode_unified_drop_table(unified, table_pa, levels);
}

/* A guest-physical address to host-physical for mode_probe: a contiguous
 * segment's base, or a walk of the host tables that touches nothing. */
static bool probe_gpa(const hv_vm *vm, uint64_t gpa, uint64_t *hpa, vs_pgsz *size, walk_tally *t)
{
    const hv_segment *seg = hv_vm_segment_of(vm, gpa);
    if (seg) {
        *hpa = seg->hpa_base + (gpa - seg->gpa_base);
        *size = VS_PG_1G; /* a segment does not splinter the guest's pages */
        return true;
    }
    const pt_tree *tree = hv_vm_tree(vm);
    walk_req req = {.tables = tree->mem, .root = tree->root_pfn << VS_PAGE_SHIFT_4K, .levels = tree->levels,
                    .va = gpa};
    walk_result res;
    vs_err err;
    if (walk_1d(&req, &res, t, &err) != VS_OK || !res.present)
        return false;
    *hpa = res.out_addr;
    *size = res.size;
    return true;
}

/* walk_to_host_fn of the guest walk: a table entry's host address; a
 * positive return stops the walk when the host does not back it. */
static int probe_entry_to_host(void *ctx, uint64_t addr, bool from_pwc, uint64_t *host, walk_tally *t,
                               vs_err *err)
{
    (void)from_pwc;
    (void)err;
    vs_pgsz size;
    return probe_gpa(ctx, addr, host, &size, t) ? VS_OK : 1;
}

bool mode_probe(const mode_space *sp, uint64_t va, tlb_entry *out, uint32_t *refs)
{
    const pt_tree *tree = os_proc_tree(sp->proc);
    if (!pt_va_canonical(va, tree->levels))
        return false;
    walk_req req = {.tables = tree->mem,
                    .root = tree->root_pfn << VS_PAGE_SHIFT_4K,
                    .levels = tree->levels,
                    .bits32 = pt_is_32bit(tree->levels),
                    .va = va,
                    .to_host = sp->vm ? probe_entry_to_host : NULL,
                    .ctx = sp->vm};
    walk_result res;
    walk_tally t = {0};
    vs_err err;
    int rc = walk_1d(&req, &res, &t, &err);
    bool ok = rc == VS_OK && res.present;
    uint64_t pa = res.out_addr;
    vs_pgsz size = res.size;
    vs_pgsz hsize = size;
    if (ok && sp->vm)
        ok = probe_gpa(sp->vm, res.out_addr, &pa, &hsize, &t);
    if (hsize < size)
        size = hsize; /* the TLB holds the smaller of the two pages (splintering) */
    *refs += t.refs;
    if (!ok)
        return false;
    uint64_t mask = (1ull << vs_pgsz_shift(size)) - 1;
    *out = (tlb_entry){.pa_base = pa & ~mask, .size = size, .writable = res.pte & PTE_RW, .dirty = res.pte & PTE_D};
    return true;
}
