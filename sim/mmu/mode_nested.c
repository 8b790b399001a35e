/*
 * mode_nested.c: the nested-paging family -- modes nested and contig, one
 * core and a policy, as the shadow variants are.
 *
 * Nested: hardware nested paging (Intel EPT, AMD NPT/RVI).  A TLB miss
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
 * Contig: the same core with one policy bit, direct segments.
 * Contiguous-base translation -- "VMM Direct" of Gandhi, Basu, Hill and
 * Swift, "Efficient Memory Virtualization" (MICRO'14), and the
 * contiguous-memory VMs of seed 004.  The hypervisor reserves each VM's guest
 * memory as one (or up to contig.segments) contiguous host ranges at VM
 * creation; a base/limit register pair per segment relocates guest-physical
 * addresses: hPA = base + gPA.  A TLB miss is then a guest walk whose table
 * addresses and final GPA are relocated by an add, n references without
 * caches (4 for 4-level guests), like native.
 *
 * Every GPA is checked against the segments separately, as Gandhi's hardware
 * does at each step of the 2D walk: a GPA outside every segment (a VM that got
 * no contiguous backing, or the part of its memory the segments could not
 * cover) takes the nested path (nested.c, the same code as mode nested).  A
 * completed walk that used the nested path at least once is counted as a
 * nested fallback walk.
 *
 * EPT violations: none inside a segment.  A real VMM-direct system allocates
 * and maps the segment when it creates the VM -- the segment registers, not
 * the EPT, translate those addresses -- so first touch costs no exit.  We
 * therefore neither exit nor write host tables for in-segment GPAs (the
 * reference translation of such a GPA is base + offset); GPAs outside the
 * segments are backed lazily through EPT violations as in nested mode.
 *
 * Invariants: those of nested.h; under contig, direct_walks +
 * nested_fallback_walks == completed walks.
 */
#include "nested.h"
#include "hv.h"

#include <stdlib.h>

/* What distinguishes the members of the family. */
typedef struct nested_policy {
    bool direct; /* GPAs inside a VM's contiguous segments are relocated by its base (contig) */
} nested_policy;

typedef struct nested {
    nested_guest g;
    nested_dim *nd;
    const vs_config *cfg;
    const nested_policy *policy;
    unsigned levels;
    hv *hv;
} nested;

static int family_create(const mode_env *env, const nested_policy *policy, void **state, vs_err *err)
{
    nested *n = vs_calloc(1, sizeof *n);
    n->levels = env->cfg->guest_levels;
    n->cfg = env->cfg;
    n->policy = policy;
    n->hv = env->hv;
    int rc = mode_make_pwc(env->cfg, false, n->levels, &n->g.split, &n->g.unified, err);
    if (rc == VS_OK)
        rc = nested_dim_new(env, n->g.unified, &n->nd, err);
    if (rc != VS_OK) {
        mode_free_pwc(n->g.split, n->g.unified);
        free(n);
        return rc;
    }
    nested_dim_set_direct(n->nd, policy->direct);
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

static void nested_cr3_write(void *state, const mode_space *to, bool flush)
{
    nested *x = state;
    nested_guest_cr3_write(&x->g, to, flush);
}

static void nested_invlpg(void *state, const mode_space *sp, uint64_t va)
{
    (void)va;
    nested_guest_invlpg(&((nested *)state)->g, sp);
}

static int nested_table_freed(void *state, const mode_space *sp, uint64_t pfn, unsigned level, vs_err *err)
{
    nested *n = state;
    (void)level;
    (void)err;
    nested_guest_table_freed(n->nd, &n->g, sp, pfn);
    return VS_OK;
}

static int nested_pte_written(void *state, const mode_space *sp, uint64_t entry_gpa, unsigned level,
                              uint64_t old_pte, uint64_t new_pte, bool batched, vs_err *err)
{
    nested *n = state;
    (void)level;
    (void)old_pte;
    (void)batched;
    (void)err;
    nested_guest_pte_written(n->nd, &n->g, sp, entry_gpa, new_pte);
    return VS_OK;
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
    if (!n->policy->direct)
        return;
    uint64_t direct, fallback;
    nested_dim_walk_counts(n->nd, &direct, &fallback);
    jw_object(w, "contig");
    jw_u64(w, "direct_walks", direct);
    jw_u64(w, "nested_fallback_walks", fallback);
    jw_u64(w, "segments", hv_get_counters(n->hv)->segments);
    jw_end(w);
}

static void nested_reset_stats(void *state)
{
    nested *n = state;
    mode_reset_pwc(n->g.split, n->g.unified);
    nested_dim_reset_stats(n->nd);
}

#define NESTED_FAMILY_OPS(CREATE)                                                                              \
    {                                                                                                          \
        .create = CREATE, .destroy = nested_destroy, .translate = nested_translate,                            \
        .cr3_write = nested_cr3_write, .invlpg = nested_invlpg, .table_freed = nested_table_freed,             \
        .pte_written = nested_pte_written, .pte_written_cleared_only = true,                                   \
        .space_freed = nested_space_freed, .report = nested_report, .reset_stats = nested_reset_stats,         \
    }

static const nested_policy nested_plain = {.direct = false}, nested_contig = {.direct = true};

static int plain_create(const mode_env *env, void **state, vs_err *err)
{
    return family_create(env, &nested_plain, state, err);
}

static int contig_create(const mode_env *env, void **state, vs_err *err)
{
    return family_create(env, &nested_contig, state, err);
}

const mode_ops mode_nested_ops = NESTED_FAMILY_OPS(plain_create);
const mode_ops mode_contig_ops = NESTED_FAMILY_OPS(contig_create);
