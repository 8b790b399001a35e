/*
 * mode_contig.c: contiguous-base translation -- "VMM Direct" of Gandhi, Basu,
 * Hill and Swift, "Efficient Memory Virtualization" (MICRO'14), and the
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
 * Invariants: those of nested.h; direct_walks + nested_fallback_walks ==
 * completed walks.
 */
#include "nested.h"
#include "hv.h"

#include <stdlib.h>

typedef struct contig {
    nested_guest g;
    nested_dim *nd;
    const vs_config *cfg;
    unsigned levels;
    hv *hv;
} contig;

static int contig_create(const mode_env *env, void **state, vs_err *err)
{
    contig *c = vs_calloc(1, sizeof *c);
    c->levels = env->cfg->guest_levels;
    c->cfg = env->cfg;
    c->hv = env->hv;
    int rc = mode_make_pwc(env->cfg, false, c->levels, &c->g.split, &c->g.unified, err);
    if (rc == VS_OK)
        rc = nested_dim_new(env, c->g.unified, &c->nd, err);
    if (rc != VS_OK) {
        mode_free_pwc(c->g.split, c->g.unified);
        free(c);
        return rc;
    }
    nested_dim_set_direct(c->nd, true);
    *state = c;
    return VS_OK;
}

static void contig_destroy(void *state)
{
    contig *c = state;
    nested_dim_free(c->nd);
    mode_free_pwc(c->g.split, c->g.unified);
    free(c);
}

static int contig_translate(void *state, const mode_space *sp, uint64_t va, unsigned access, tlb_entry *out,
                            vs_err *err)
{
    contig *c = state;
    return nested_translate_va(c->nd, &c->g, sp, va, access, out, err);
}

static void contig_cr3_write(void *state, const mode_space *to)
{
    contig *x = state;
    nested_guest_cr3_write(&x->g, x->cfg, to);
}

static void contig_invlpg(void *state, const mode_space *sp, uint64_t va)
{
    nested_guest_invlpg(&((contig *)state)->g, sp, va);
}

static void contig_table_freed(void *state, const mode_space *sp, uint64_t pfn, unsigned level)
{
    contig *c = state;
    (void)level;
    nested_guest_table_freed(c->nd, &c->g, sp, pfn);
}

static void contig_space_freed(void *state, const mode_space *sp)
{
    nested_guest_space_freed(&((contig *)state)->g, sp);
}

static void contig_report(void *state, jw *w)
{
    contig *c = state;
    mode_report_pwc(w, "pwc", c->g.split, c->g.unified, c->levels);
    nested_dim_report(c->nd, w);
    uint64_t direct, nested;
    nested_dim_walk_counts(c->nd, &direct, &nested);
    jw_object(w, "contig");
    jw_u64(w, "direct_walks", direct);
    jw_u64(w, "nested_fallback_walks", nested);
    jw_u64(w, "segments", hv_get_counters(c->hv)->segments);
    jw_end(w);
}

const mode_ops mode_contig_ops = {
    .create = contig_create,
    .destroy = contig_destroy,
    .translate = contig_translate,
    .cr3_write = contig_cr3_write,
    .invlpg = contig_invlpg,
    .table_freed = contig_table_freed,
    .space_freed = contig_space_freed,
    .report = contig_report,
};
