/*
 * pwc_unified.c: a unified page-table cache -- AMD's page walk cache as
 * described by Bhargava et al. (ASPLOS'08) and Barr, Cox and Rixner (ISCA'10).
 *
 * Entries are page-table entries keyed by their own physical address, so any
 * level can share the one store; a hit saves exactly one memory reference of
 * the walk.  Only levels in level_mask are cached (AMD does not keep leaf
 * entries here: those go to the TLB).  The key is the 8-byte-aligned entry
 * address itself and the set index is that address in entry units, so the
 * 512 entries of one table spread over the sets.  A 32-bit paging entry is
 * 4 bytes (SDM 3A 4.3): its key is its own 4-byte-aligned address, and the
 * two entries of one 8-byte word share a set.
 *
 * Invariants: only levels in level_mask are filled or counted; per level,
 * hits + misses == lookups of that level.
 */
#include "pwc.h"

#include <assert.h>
#include <stdlib.h>

#define PWC_PTE_SHIFT 3 /* page-table entries are 8 bytes: the set index */
#define PWC_PTE_ALIGN 4 /* ... or 4 under 32-bit paging: the key's alignment */
#define PWC_LEVEL_MASK_ALL (((1u << PWC_MAX_LEVELS) - 1) << 1) /* levels 1..5 */

struct pwc_unified {
    assoc *a;
    unsigned level_mask;
    pwc_level_stats st;
};

pwc_unified *pwc_unified_new(const pwc_unified_params *p, vs_err *err)
{
    if (p->level_mask == 0 || (p->level_mask & ~PWC_LEVEL_MASK_ALL)) {
        vs_fail(err, VS_E_CONFIG, "pwc unified: level mask 0x%x must name some of levels 1..%u", p->level_mask,
                PWC_MAX_LEVELS);
        return NULL;
    }
    if (p->entries == 0 || p->ways == 0 || p->ways > p->entries || p->entries % p->ways) {
        vs_fail(err, VS_E_CONFIG, "pwc unified: %u entries must be a positive multiple of ways (%u)", p->entries,
                p->ways);
        return NULL;
    }
    pwc_unified *c = vs_calloc(1, sizeof *c);
    c->a = assoc_new(p->entries, p->ways, p->repl, p->seed);
    assert(c->a);
    c->level_mask = p->level_mask;
    return c;
}

void pwc_unified_free(pwc_unified *c)
{
    if (!c)
        return;
    assoc_free(c->a);
    free(c);
}

bool pwc_unified_caches(const pwc_unified *c, unsigned level)
{
    return level <= PWC_MAX_LEVELS && (c->level_mask >> level & 1);
}

/* A level that is not cached is not probed, so it counts neither way. */
bool pwc_unified_lookup(pwc_unified *c, uint64_t entry_pa, unsigned level, uint64_t *pte)
{
    assert((entry_pa & (PWC_PTE_ALIGN - 1)) == 0);
    if (!pwc_unified_caches(c, level))
        return false;
    if (assoc_lookup(c->a, entry_pa, entry_pa >> PWC_PTE_SHIFT, pte)) {
        c->st.hits[level]++;
        return true;
    }
    c->st.misses[level]++;
    return false;
}

void pwc_unified_fill(pwc_unified *c, uint64_t entry_pa, unsigned level, uint64_t pte)
{
    assert((entry_pa & (PWC_PTE_ALIGN - 1)) == 0);
    if (pwc_unified_caches(c, level))
        assoc_insert(c->a, entry_pa, entry_pa >> PWC_PTE_SHIFT, pte, NULL);
}

void pwc_unified_invalidate(pwc_unified *c, uint64_t entry_pa)
{
    assoc_remove(c->a, entry_pa, entry_pa >> PWC_PTE_SHIFT);
}

void pwc_unified_flush(pwc_unified *c)
{
    assoc_clear(c->a);
}

void pwc_unified_reset_stats(pwc_unified *c) { c->st = (pwc_level_stats){0}; }

const pwc_level_stats *pwc_unified_stats(const pwc_unified *c) { return &c->st; }
