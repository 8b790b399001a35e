/*
 * tlb.c: one TLB structure holding several page sizes at once, tagged by a
 * 16-bit address-space tag (see tlb.h).  Modelled on the Intel SDM vol. 3A
 * sec. 4.10.2 (TLBs keyed by page number, PCID and page size) and on STLBs
 * that hold 4 KiB and 2 MiB entries in one array.
 *
 * A lookup probes once per page size, smallest first: the tag is the page
 * number at that size, the set index is the same page number, so the pages of
 * one size spread over the sets like a conventional indexed TLB.  Only sizes
 * inserted since the last full flush are probed -- a size never inserted can
 * hold no entry -- so a 4k+2m STLB running 4 KiB pages probes once per miss.
 * Repeated hits on the page just used are short-cut one layer up, by the
 * hierarchy (hier.c), for every structure at once.
 *
 * Key layout (63 bits, so entries of different size or tag never alias):
 *   [62:18] page number of the 57-bit canonical address at that size
 *   [17:2]  address-space tag
 *   [1:0]   page size
 * Value layout: the page base (4 KiB aligned at least) with the writable and
 * dirty bits, the size and a prefetched mark packed into its low 12 bits.
 *
 * Invariants: hits + misses == lookups; an entry's size is one of the
 * structure's sizes; `seen` is a subset of `page_sizes`.
 */
#include "tlb.h"

#include <assert.h>
#include <stdlib.h>

#define TLB_VA_BITS 57              /* LA57: the widest canonical address x86-64 has */
#define TLB_KEY_TAG_SHIFT 2         /* above the two size bits */
#define TLB_KEY_VPN_SHIFT 18        /* above the size and the 16-bit tag */
#define TLB_V_WRITABLE 0x1ull       /* value bit: the page may be written */
#define TLB_V_DIRTY 0x2ull          /* value bit: the page's dirty bit is already set */
#define TLB_V_SIZE_SHIFT 2          /* value bits [3:2]: the page size */
#define TLB_V_SIZE_MASK 0x3ull      /* two bits hold the three sizes */
#define TLB_V_PREFETCHED 0x10ull    /* value bit: filled by a prefetch, no demand hit yet */
#define TLB_V_FLAGS 0xfffull        /* a page base is 4 KiB aligned, so its low 12 bits are free */
#define TLB_ALL_SIZES ((1u << VS_PG_COUNT) - 1)

struct tlb {
    assoc *a;
    char *name;
    unsigned level;
    tlb_kind kind;
    uint32_t latency;
    unsigned page_sizes; /* what the structure may hold */
    unsigned seen;       /* sizes inserted since the last full flush */
    uint64_t hits, misses, prefetch_hits;
};

static inline uint64_t page_number(uint64_t va, vs_pgsz s)
{
    assert(((int64_t)(va << (64 - TLB_VA_BITS)) >> (64 - TLB_VA_BITS)) == (int64_t)va);
    return (va & ((1ull << TLB_VA_BITS) - 1)) >> vs_pgsz_shift(s);
}

static inline uint64_t make_key(uint64_t vpn, uint16_t asid, vs_pgsz s)
{
    return vpn << TLB_KEY_VPN_SHIFT | (uint64_t)asid << TLB_KEY_TAG_SHIFT | (uint64_t)s;
}

tlb *tlb_new(const tlb_params *p, vs_err *err)
{
    const char *name = p->name ? p->name : "(unnamed)";
    if (!p->name || !*p->name) {
        vs_fail(err, VS_E_CONFIG, "tlb: a TLB needs a name");
        return NULL;
    }
    if (p->level < 1) {
        vs_fail(err, VS_E_CONFIG, "tlb '%s': level must be >= 1, got %u", name, p->level);
        return NULL;
    }
    if (p->kind != TLB_DATA && p->kind != TLB_INSTRUCTION && p->kind != TLB_UNIFIED) {
        vs_fail(err, VS_E_CONFIG, "tlb '%s': kind must be data, instruction or unified", name);
        return NULL;
    }
    if (p->page_sizes == 0 || (p->page_sizes & ~TLB_ALL_SIZES)) {
        vs_fail(err, VS_E_CONFIG, "tlb '%s': page sizes must be a nonempty subset of 4k, 2m, 1g (mask 0x%x)",
                name, p->page_sizes);
        return NULL;
    }
    if (p->entries == 0 || p->ways == 0 || p->ways > p->entries || p->entries % p->ways) {
        vs_fail(err, VS_E_CONFIG, "tlb '%s': %u entries must be a positive multiple of ways (%u)", name,
                p->entries, p->ways);
        return NULL;
    }
    tlb *t = vs_calloc(1, sizeof *t);
    t->a = assoc_new(p->entries, p->ways, p->repl, p->seed);
    assert(t->a); /* the geometry was checked above */
    t->name = vs_strdup(name);
    t->level = p->level;
    t->kind = p->kind;
    t->latency = p->latency;
    t->page_sizes = p->page_sizes;
    return t;
}

void tlb_free(tlb *t)
{
    if (!t)
        return;
    assoc_free(t->a);
    free(t->name);
    free(t);
}

/* Both public lookups inline it; *set is the set of the size probed last. */
static inline __attribute__((always_inline)) bool lookup(tlb *t, uint64_t va, uint16_t asid, tlb_entry *out,
                                                        uint32_t *set)
{
    unsigned m = t->seen;
    for (unsigned s = 0; m; s++, m >>= 1) {
        if (!(m & 1))
            continue;
        uint64_t vpn = page_number(va, (vs_pgsz)s), key = make_key(vpn, asid, (vs_pgsz)s), v;
        if (assoc_lookup_set(t->a, key, vpn, &v, set)) {
            /* built whole in registers: copying a struct just written field
             * by field would stall on store forwarding */
            tlb_entry e = {.pa_base = v & ~TLB_V_FLAGS,
                           .size = (vs_pgsz)((v >> TLB_V_SIZE_SHIFT) & TLB_V_SIZE_MASK),
                           .writable = (v & TLB_V_WRITABLE) != 0,
                           .dirty = (v & TLB_V_DIRTY) != 0};
            t->hits++;
            if (VS_UNLIKELY(v & TLB_V_PREFETCHED)) {
                /* rewriting the entry just hit is another hit on it: no replacement state moves */
                assoc_insert(t->a, key, vpn, v & ~TLB_V_PREFETCHED, NULL);
                t->prefetch_hits++;
            }
            *out = e;
            return true;
        }
    }
    t->misses++;
    return false;
}

bool tlb_lookup(tlb *t, uint64_t va, uint16_t asid, tlb_entry *out)
{
    uint32_t set;
    return lookup(t, va, asid, out, &set);
}

bool tlb_lookup_set(tlb *t, uint64_t va, uint16_t asid, tlb_entry *out, uint32_t *set)
{
    return lookup(t, va, asid, out, set);
}

void tlb_add_counts(tlb *t, uint64_t hits, uint64_t misses)
{
    t->hits += hits;
    t->misses += misses;
}

bool tlb_supports(const tlb *t, vs_pgsz size)
{
    return size < VS_PG_COUNT && (t->page_sizes >> size & 1);
}

uint32_t tlb_sets(const tlb *t) { return assoc_sets(t->a); }

static void insert_value(tlb *t, uint64_t va, uint16_t asid, const tlb_entry *e, uint64_t flags)
{
    if (!tlb_supports(t, e->size))
        return;
    assert((e->pa_base & ((1ull << vs_pgsz_shift(e->size)) - 1)) == 0);
    uint64_t vpn = page_number(va, e->size);
    uint64_t v = e->pa_base | (uint64_t)e->size << TLB_V_SIZE_SHIFT | (e->writable ? TLB_V_WRITABLE : 0) |
                 (e->dirty ? TLB_V_DIRTY : 0) | flags;
    assoc_insert(t->a, make_key(vpn, asid, e->size), vpn, v, NULL);
    t->seen |= 1u << e->size;
}

void tlb_insert(tlb *t, uint64_t va, uint16_t asid, const tlb_entry *e) { insert_value(t, va, asid, e, 0); }

void tlb_insert_prefetch(tlb *t, uint64_t va, uint16_t asid, const tlb_entry *e)
{
    insert_value(t, va, asid, e, TLB_V_PREFETCHED);
}

bool tlb_contains(const tlb *t, uint64_t va, uint16_t asid)
{
    for (unsigned s = 0; s < VS_PG_COUNT; s++) {
        uint64_t vpn = page_number(va, (vs_pgsz)s);
        if ((t->seen >> s & 1) && assoc_probe(t->a, make_key(vpn, asid, (vs_pgsz)s), vpn, NULL))
            return true;
    }
    return false;
}

void tlb_flush_all(tlb *t)
{
    assoc_clear(t->a);
    t->seen = 0;
}

static bool key_has_tag(uint64_t key, uint64_t val, void *ctx)
{
    (void)val;
    return (uint16_t)(key >> TLB_KEY_TAG_SHIFT) == *(const uint16_t *)ctx;
}

void tlb_flush_asid(tlb *t, uint16_t asid)
{
    assoc_remove_if(t->a, key_has_tag, &asid);
}

void tlb_invlpg(tlb *t, uint64_t va, uint16_t asid)
{
    for (unsigned s = 0; s < VS_PG_COUNT; s++) {
        if (t->seen >> s & 1) {
            uint64_t vpn = page_number(va, (vs_pgsz)s);
            assoc_remove(t->a, make_key(vpn, asid, (vs_pgsz)s), vpn);
        }
    }
}

const char *tlb_name(const tlb *t) { return t->name; }
unsigned tlb_level(const tlb *t) { return t->level; }
tlb_kind tlb_get_kind(const tlb *t) { return t->kind; }
uint32_t tlb_latency(const tlb *t) { return t->latency; }
void tlb_reset_stats(tlb *t) { t->hits = t->misses = t->prefetch_hits = 0; }
uint64_t tlb_hits(const tlb *t) { return t->hits; }
uint64_t tlb_misses(const tlb *t) { return t->misses; }
uint64_t tlb_prefetch_hits(const tlb *t) { return t->prefetch_hits; }
