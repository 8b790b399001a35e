/*
 * mode_native.c: native (non-virtualized) translation.  A TLB miss is one
 * 1D walk of the process's page tables through the paging-structure caches
 * (Intel SDM 3A 4.10); a non-present or read-only leaf is a page fault that
 * the OS model handles (demand paging, copy-on-write), after which the walk
 * is repeated.  Without page-walk caches every completed walk reads exactly
 * `levels` entries for 4 KiB pages, one fewer per larger page size.
 *
 * Invariants: at most two faults per access (a demand map, then a
 * copy-on-write), so translate always ends.
 */
#include "mode.h"
#include "walk.h"

#include <stdlib.h>


typedef struct native {
    mode_env env;
    pwc_split *split;
    pwc_unified *unified;
    unsigned levels;
} native;

static int native_create(const mode_env *env, void **state, vs_err *err)
{
    native *n = vs_calloc(1, sizeof *n);
    n->env = *env;
    n->levels = env->cfg->guest_levels;
    int rc = mode_make_pwc(env->cfg, false, n->levels, &n->split, &n->unified, err);
    if (rc != VS_OK) {
        free(n);
        return rc;
    }
    *state = n;
    return VS_OK;
}

static void native_destroy(void *state)
{
    native *n = state;
    mode_free_pwc(n->split, n->unified);
    free(n);
}

static int native_translate(void *state, const mode_space *sp, uint64_t va, unsigned access, tlb_entry *out,
                            vs_err *err)
{
    native *n = state;
    bool write = access & ACCESS_WRITE;
    const pt_tree *tree = os_proc_tree(sp->proc);
    walk_req req = {.tables = tree->mem,
                    .root = tree->root_pfn << VS_PAGE_SHIFT_4K,
                    .levels = tree->levels,
                    .bits32 = pt_is_32bit(tree->levels),
                    .va = va,
                    .tag = sp->tag,
                    .split = n->split,
                    .unified = n->unified,
                    .pwc_latency = n->env.cfg->pwc_latency,
                    .mem = n->env.mem};
    return mode_walk_entry(&n->env, &req, write, out, err);
}

static int native_table_freed(void *state, const mode_space *sp, uint64_t pfn, unsigned level, vs_err *err)
{
    native *n = state;
    (void)level;
    (void)err;
    mode_pwc_table_freed(n->split, n->unified, sp, true, pfn << VS_PAGE_SHIFT_4K, n->levels);
    return VS_OK;
}

/* A cleared entry (an unmap, or a table it pointed at freed) leaves the
 * unified cache, which is keyed by entry; the flush that follows would drop it. */
static int native_pte_written(void *state, const mode_space *sp, uint64_t entry_pa, unsigned level,
                              uint64_t old_pte, uint64_t new_pte, bool batched, vs_err *err)
{
    native *n = state;
    (void)sp;
    (void)level;
    (void)old_pte;
    (void)batched;
    (void)err;
    if (n->unified && !(new_pte & PTE_P))
        pwc_unified_invalidate(n->unified, entry_pa);
    return VS_OK;
}

static void native_space_freed(void *state, const mode_space *sp)
{
    native *n = state;
    if (n->split)
        pwc_split_flush_tag(n->split, sp->tag);
}

static void native_invlpg(void *state, const mode_space *sp, uint64_t va)
{
    native *n = state;
    (void)va;
    /* INVLPG drops every paging-structure-cache entry of the current PCID,
     * whatever its address (SDM 3A 4.10.4.1). */
    if (n->split)
        pwc_split_flush_tag(n->split, sp->tag);
}

static void native_cr3_write(void *state, const mode_space *to, bool flush)
{
    native *n = state;
    /* A flushing CR3 write drops the PCID's paging-structure caches (SDM 3A 4.10.4.1). */
    if (n->split && flush)
        pwc_split_flush_tag(n->split, to->tag);
}

static void native_report(void *state, jw *w)
{
    native *n = state;
    mode_report_pwc(w, "pwc", n->split, n->unified, n->levels);
}

static void native_reset_stats(void *state)
{
    native *n = state;
    mode_reset_pwc(n->split, n->unified);
}

const mode_ops mode_native_ops = {
    .create = native_create,
    .destroy = native_destroy,
    .translate = native_translate,
    .cr3_write = native_cr3_write,
    .invlpg = native_invlpg,
    .pte_written = native_pte_written,
    .pte_written_cleared_only = true,
    .table_freed = native_table_freed,
    .space_freed = native_space_freed,
    .report = native_report,
    .reset_stats = native_reset_stats,
};
