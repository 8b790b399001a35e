/*
 * pwc_split.c: split translation caches -- Intel's paging-structure caches
 * (SDM vol. 3A sec. 4.10.3: PML5E, PML4E, PDPTE and PDE caches), the "split
 * translation cache" of Barr, Cox and Rixner (ISCA'10).
 *
 * One set-associative store per cached level L in [2, top].  The level-L
 * entry for an address is selected by the address bits above that level's
 * index bits, [56 : 12 + 9(L-1)] ([31 : 12 + 10(L-1)] under 32-bit paging,
 * whose one cachable level is the PDE's), so that prefix (with the 16-bit tag) is the
 * key and the prefix is also the set index; the value is the address of the
 * level L-1 table.  A lookup probes from the deepest level (2) upward and
 * stops at the first hit, which skips the most walk references.
 *
 * Invariants: a lookup returns the deepest level that hits; levels outside
 * [2, top] never hold entries; per level, hits + misses == lookups that
 * probed it (levels above a hit are not probed).
 */
#include "pwc.h"

#include <assert.h>
#include <stdlib.h>

#define PWC_VA_BITS 57      /* LA57: the widest canonical address x86-64 has */
#define PWC_TAG_BITS 16     /* the key carries the tag below the prefix */
#define PWC_LEVEL_BITS 9    /* 512 entries per x86-64 page table */
#define PWC_LEVEL_BITS_32BIT 10 /* 1,024 per 32-bit paging table (SDM 3A 4.3) */
#define PWC_PAGE_SHIFT 12   /* the level-1 index starts at bit 12 */
#define PWC_MIN_LEVEL 2     /* level 1 (PT) entries are what a TLB caches, not a PSC */

struct pwc_split {
    unsigned top;
    unsigned level_bits; /* va bits per level: PWC_LEVEL_BITS, or 10 for 32-bit paging */
    assoc *level[PWC_MAX_LEVELS + 1]; /* NULL = level not cached */
    pwc_level_stats st;
};

/* The address bits that select the level-`level` entry. */
static inline uint64_t prefix(const pwc_split *c, uint64_t addr, unsigned level)
{
    return (addr & ((1ull << PWC_VA_BITS) - 1)) >> (PWC_PAGE_SHIFT + c->level_bits * (level - 1));
}

static inline uint64_t make_key(uint64_t pfx, uint16_t tag)
{
    return pfx << PWC_TAG_BITS | tag;
}

pwc_split *pwc_split_new(const pwc_split_params *p, vs_err *err)
{
    if (p->top_level != 4 && p->top_level != 5 && p->top_level != PWC_TOP_32BIT) {
        vs_fail(err, VS_E_CONFIG, "pwc split: top level must be 4 or 5 (or 2: 32-bit paging), got %u", p->top_level);
        return NULL;
    }
    for (unsigned l = 0; l <= PWC_MAX_LEVELS; l++) {
        bool cachable = l >= PWC_MIN_LEVEL && l <= p->top_level;
        if (p->entries[l] == 0)
            continue;
        if (!cachable) {
            vs_fail(err, VS_E_CONFIG, "pwc split: level %u has %u entries but only levels %u..%u can be cached", l,
                    p->entries[l], PWC_MIN_LEVEL, p->top_level);
            return NULL;
        }
        if (p->ways[l] == 0 || p->ways[l] > p->entries[l] || p->entries[l] % p->ways[l]) {
            vs_fail(err, VS_E_CONFIG, "pwc split: level %u: %u entries must be a positive multiple of ways (%u)", l,
                    p->entries[l], p->ways[l]);
            return NULL;
        }
    }
    pwc_split *c = vs_calloc(1, sizeof *c);
    c->top = p->top_level;
    c->level_bits = p->top_level == PWC_TOP_32BIT ? PWC_LEVEL_BITS_32BIT : PWC_LEVEL_BITS;
    uint64_t seed = p->seed;
    for (unsigned l = PWC_MIN_LEVEL; l <= c->top; l++) {
        uint64_t level_seed = vs_rng_next(&seed); /* independent streams per level */
        if (p->entries[l]) {
            c->level[l] = assoc_new(p->entries[l], p->ways[l], p->repl, level_seed);
            assert(c->level[l]);
        }
    }
    return c;
}

void pwc_split_free(pwc_split *c)
{
    if (!c)
        return;
    for (unsigned l = 0; l <= PWC_MAX_LEVELS; l++)
        assoc_free(c->level[l]);
    free(c);
}

unsigned pwc_split_lookup(pwc_split *c, uint64_t addr, uint16_t tag, uint64_t *next_table)
{
    for (unsigned l = PWC_MIN_LEVEL; l <= c->top; l++) {
        if (!c->level[l])
            continue;
        uint64_t pfx = prefix(c, addr, l);
        if (assoc_lookup(c->level[l], make_key(pfx, tag), pfx, next_table)) {
            c->st.hits[l]++;
            return l;
        }
        c->st.misses[l]++;
    }
    return 0;
}

void pwc_split_fill(pwc_split *c, uint64_t addr, uint16_t tag, unsigned level, uint64_t next_table)
{
    if (level < PWC_MIN_LEVEL || level > c->top || !c->level[level])
        return;
    uint64_t pfx = prefix(c, addr, level);
    assoc_insert(c->level[level], make_key(pfx, tag), pfx, next_table, NULL);
}

void pwc_split_flush(pwc_split *c)
{
    for (unsigned l = PWC_MIN_LEVEL; l <= c->top; l++)
        if (c->level[l])
            assoc_clear(c->level[l]);
}

static bool key_has_tag(uint64_t key, uint64_t val, void *ctx)
{
    (void)val;
    return (uint16_t)key == *(const uint16_t *)ctx;
}

void pwc_split_flush_tag(pwc_split *c, uint16_t tag)
{
    for (unsigned l = PWC_MIN_LEVEL; l <= c->top; l++)
        if (c->level[l])
            assoc_remove_if(c->level[l], key_has_tag, &tag);
}

void pwc_split_reset_stats(pwc_split *c) { c->st = (pwc_level_stats){0}; }

const pwc_level_stats *pwc_split_stats(const pwc_split *c) { return &c->st; }
