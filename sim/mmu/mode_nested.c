/*
 * mode_nested.c: hardware nested paging (Intel EPT, AMD NPT/RVI).  A TLB miss
 * is one 2D walk (nested.c): the guest's tables, rooted at the guest CR3 (a
 * GPA), each guest table address and the final GPA translated through the
 * host dimension.  Guest page faults are handled by the guest OS without a VM
 * exit; the only exits are EPT violations on the first touch of a
 * guest-physical page.  Guest CR3 writes, INVLPG and page-table writes cost
 * the VMM nothing (Bhargava et al. ASPLOS'08; Gandhi et al. MICRO'14 Table 1).
 *
 * Caches: the guest dimension has the split (VA-tagged) or unified caches of
 * native mode; the nested dimension has its own GPA-tagged split caches, or
 * shares the unified one (the 2D PWC); plus the nested TLB.
 *
 * Without caches a completed walk reads (n+1)(m+1)-1 entries: 24 for 4/4
 * levels, 35 for 5/5, 29 for 4/5, 19 with one dimension on 2 MiB pages, 15
 * with both.  The TLB entry has the smaller of the guest and host page sizes.
 *
 * Invariants: those of nested.h.
 */
#include "nested.h"

#include <stdlib.h>

typedef struct nested {
    nested_guest g;
    nested_dim *nd;
    const vs_config *cfg;
    unsigned levels;
} nested;

static int nested_create(const mode_env *env, void **state, vs_err *err)
{
    nested *n = vs_calloc(1, sizeof *n);
    n->levels = env->cfg->guest_levels;
    n->cfg = env->cfg;
    int rc = mode_make_pwc(env->cfg, false, n->levels, &n->g.split, &n->g.unified, err);
    if (rc == VS_OK)
        rc = nested_dim_new(env, n->g.unified, &n->nd, err);
    if (rc != VS_OK) {
        mode_free_pwc(n->g.split, n->g.unified);
        free(n);
        return rc;
    }
    *state = n;
    return VS_OK;
}

static void nested_destroy(void *state)
{
    nested *n = state;
    nested_dim_free(n->nd);
    mode_free_pwc(n->g.split, n->g.unified);
    free(n);
}

static int nested_translate(void *state, const mode_space *sp, uint64_t va, unsigned access, tlb_entry *out,
                            vs_err *err)
{
    nested *n = state;
    return nested_translate_va(n->nd, &n->g, sp, va, access, out, err);
}

static void nested_cr3_write(void *state, const mode_space *to)
{
    nested *x = state;
    nested_guest_cr3_write(&x->g, x->cfg, to);
}

static void nested_invlpg(void *state, const mode_space *sp, uint64_t va)
{
    nested_guest_invlpg(&((nested *)state)->g, sp, va);
}

static void nested_table_freed(void *state, const mode_space *sp, uint64_t pfn, unsigned level)
{
    nested *n = state;
    (void)level;
    nested_guest_table_freed(n->nd, &n->g, sp, pfn);
}

static void nested_space_freed(void *state, const mode_space *sp)
{
    nested_guest_space_freed(&((nested *)state)->g, sp);
}

static void nested_report(void *state, jw *w)
{
    nested *n = state;
    mode_report_pwc(w, "pwc", n->g.split, n->g.unified, n->levels);
    nested_dim_report(n->nd, w);
}

const mode_ops mode_nested_ops = {
    .create = nested_create,
    .destroy = nested_destroy,
    .translate = nested_translate,
    .cr3_write = nested_cr3_write,
    .invlpg = nested_invlpg,
    .table_freed = nested_table_freed,
    .space_freed = nested_space_freed,
    .report = nested_report,
};
