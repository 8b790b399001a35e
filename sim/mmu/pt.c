/*
 * pt.c: x86-64 radix page tables in simulated physical memory (Intel SDM
 * vol. 3A sec. 4.5, 4- and 5-level paging; PS at levels 2 and 3 makes a
 * 2 MiB or 1 GiB leaf).
 *
 * pt_mem is a sparse two-level directory over frame numbers: a growable top
 * array of pointers to chunks, each chunk an array of pointers to table
 * pages (dense and sparse, see below).  A chunk exists only while it holds an attached page, so
 * bookkeeping is O(table pages) plus one top pointer per chunk's span below
 * the highest table frame.
 *
 * A table page keeps its first PT_SPARSE_MAX non-zero entries inline and
 * becomes a dense 512-entry array only when it needs more.  Dense arrays are
 * cut from page-aligned arenas that double from PT_ARENA_FIRST pages up to
 * PT_ARENA_MAX, so the tables a walk reads sit together in a few blocks
 * rather than spread over the heap between other allocations, at no cost in
 * memory: the unused tail of the newest arena is never touched, so it is not
 * resident.  (Blocks of 2 MiB would be backed by huge pages whole under
 * transparent huge pages, which made small runs 3 MiB larger.)  Detached
 * dense arrays go on a free list for the next one.  A trace that
 * touches pages spread over the whole address space creates about one table
 * page per page it touches, nearly all holding a single entry: inline they
 * cost ~100 bytes, not 4 KiB, so a million such pages fit in ~200 MiB.  Dense
 * pages -- the common case for real programs -- are read with the same few
 * dependent loads as before, because every simulated page walk reads here.
 *
 * The tree functions are the OS's software view: they create tables through
 * pt_ops->alloc_table and report every entry they write, with its physical
 * address, through pt_ops->entry_written.  Unmapping leaves empty tables in
 * place, as OSes do until the whole address space goes.
 *
 * Invariants: a present non-leaf entry points to an attached page;
 * pages == number of non-NULL page pointers; chunk->used == its non-NULL
 * pointers, and a chunk with used == 0 is freed.
 */
#include "pt.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define DIR_CHUNK_SHIFT 10 /* 1024 frames (4 MiB of physical memory) per chunk: 8 KiB of pointers */
#define DIR_CHUNK_FRAMES (1ull << DIR_CHUNK_SHIFT)
#define PT_PFN_LIMIT (1ull << 40) /* frame field is bits 12..51 */
#define TABLE_FLAGS (PTE_P | PTE_RW | PTE_US) /* non-leaf entries grant all; leaves restrict */

#define PT_ARENA_FIRST 16 /* dense arrays in the first arena: a small run stays small */
#define PT_ARENA_MAX 256  /* ... and in the largest: 1 MiB, below a huge page (see above) */
#define PT_SPARSE_MAX 6 /* inline entries before a page goes dense: covers a page's first few neighbours */

typedef struct pt_sparse {
    uint64_t val[PT_SPARSE_MAX];   /* the non-zero entries ... */
    uint16_t idx[PT_SPARSE_MAX];   /* ... and their indices, unordered */
    uint8_t n;
} pt_sparse;

/* A table page at frame f of the chunk is dense[f] (PT_ENTRIES entries) or
 * sparse[f]; exactly one is set while the page is attached.  Dense pointers
 * sit in their own array so a walk reaches an entry in three loads. */
typedef struct dir_chunk {
    uint64_t *dense[DIR_CHUNK_FRAMES];
    pt_sparse *sparse[DIR_CHUNK_FRAMES];
    uint32_t used;
} dir_chunk;

/* A detached dense array, on the free list (its first bytes). */
typedef struct pt_free_page {
    struct pt_free_page *next;
} pt_free_page;

struct pt_mem {
    dir_chunk **top;
    void **arenas;          /* every arena, for pt_mem_free */
    size_t n_arenas;
    uint64_t *bump, *bump_end; /* the unused dense arrays of the newest arena */
    pt_free_page *free_pages;
    uint64_t ntop;   /* entries in top */
    uint64_t pages;  /* attached table pages */
    uint64_t chunks; /* allocated chunks */
};

pt_mem *pt_mem_new(void) { return vs_calloc(1, sizeof(pt_mem)); }

/* A zeroed dense array of PT_ENTRIES entries. */
static uint64_t *dense_alloc(pt_mem *m)
{
    uint64_t *d;
    if (m->free_pages) {
        d = (uint64_t *)(void *)m->free_pages;
        m->free_pages = m->free_pages->next;
    } else {
        if (m->bump == m->bump_end) {
            size_t pages = PT_ARENA_FIRST << (m->n_arenas < 4 ? m->n_arenas : 4);
            static_assert(PT_ARENA_FIRST << 4 == PT_ARENA_MAX, "arenas double up to the largest");
            size_t bytes = pages * PT_ENTRIES * sizeof(uint64_t);
            void *a = aligned_alloc(PT_ENTRIES * sizeof(uint64_t), bytes);
            if (!a)
                vs_oom(bytes);
            m->arenas = vs_realloc(m->arenas, (m->n_arenas + 1) * sizeof *m->arenas);
            m->arenas[m->n_arenas++] = a;
            m->bump = a;
            m->bump_end = m->bump + pages * PT_ENTRIES;
        }
        d = m->bump;
        m->bump += PT_ENTRIES;
    }
    memset(d, 0, PT_ENTRIES * sizeof(uint64_t));
    return d;
}

static void dense_free(pt_mem *m, uint64_t *d)
{
    if (!d)
        return;
    pt_free_page *f = (pt_free_page *)(void *)d;
    f->next = m->free_pages;
    m->free_pages = f;
}

void pt_mem_free(pt_mem *m)
{
    if (!m)
        return;
    for (uint64_t c = 0; c < m->ntop; c++) {
        dir_chunk *ch = m->top[c];
        if (!ch)
            continue;
        for (uint64_t i = 0; i < DIR_CHUNK_FRAMES; i++)
            free(ch->sparse[i]);
        free(ch);
    }
    for (size_t i = 0; i < m->n_arenas; i++)
        free(m->arenas[i]);
    free(m->arenas);
    free(m->top);
    free(m);
}

void pt_mem_attach(pt_mem *m, uint64_t pfn)
{
    assert(pfn < PT_PFN_LIMIT);
    uint64_t c = pfn >> DIR_CHUNK_SHIFT;
    if (c >= m->ntop) {
        uint64_t n = m->ntop ? m->ntop : 1;
        while (n <= c)
            n *= 2;
        m->top = vs_realloc(m->top, n * sizeof *m->top);
        memset(m->top + m->ntop, 0, (n - m->ntop) * sizeof *m->top);
        m->ntop = n;
    }
    if (!m->top[c]) {
        m->top[c] = vs_calloc(1, sizeof(dir_chunk));
        m->chunks++;
    }
    dir_chunk *ch = m->top[c];
    uint64_t f = pfn & (DIR_CHUNK_FRAMES - 1);
    assert(!ch->dense[f] && !ch->sparse[f]); /* a table page is attached exactly once */
    ch->sparse[f] = vs_calloc(1, sizeof(pt_sparse));
    ch->used++;
    m->pages++;
}

void pt_mem_detach(pt_mem *m, uint64_t pfn)
{
    uint64_t c = pfn >> DIR_CHUNK_SHIFT;
    assert(c < m->ntop && m->top[c]);
    dir_chunk *ch = m->top[c];
    uint64_t f = pfn & (DIR_CHUNK_FRAMES - 1);
    assert(ch->dense[f] || ch->sparse[f]);
    dense_free(m, ch->dense[f]);
    free(ch->sparse[f]);
    ch->dense[f] = NULL;
    ch->sparse[f] = NULL;
    m->pages--;
    if (--ch->used == 0) {
        free(ch);
        m->top[c] = NULL;
        m->chunks--;
    }
}

static const dir_chunk *chunk_of(const pt_mem *m, uint64_t pfn)
{
    uint64_t c = pfn >> DIR_CHUNK_SHIFT;
    return c < m->ntop ? m->top[c] : NULL;
}

bool pt_mem_has(const pt_mem *m, uint64_t pfn)
{
    const dir_chunk *ch = chunk_of(m, pfn);
    uint64_t f = pfn & (DIR_CHUNK_FRAMES - 1);
    return ch && (ch->dense[f] || ch->sparse[f]);
}

unsigned pt_mem_present(const pt_mem *m, uint64_t pfn, unsigned *idx, uint64_t *pte)
{
    const dir_chunk *ch = chunk_of(m, pfn);
    assert(ch);
    uint64_t f = pfn & (DIR_CHUNK_FRAMES - 1);
    unsigned n = 0;
    if (ch->dense[f]) {
        for (unsigned i = 0; i < PT_ENTRIES; i++)
            if (ch->dense[f][i]) {
                idx[n] = i;
                pte[n++] = ch->dense[f][i];
            }
        return n;
    }
    const pt_sparse *p = ch->sparse[f];
    assert(p);
    for (unsigned k = 0; k < p->n; k++) { /* insertion sort: at most PT_SPARSE_MAX */
        unsigned j = n++;
        while (j > 0 && idx[j - 1] > p->idx[k]) {
            idx[j] = idx[j - 1];
            pte[j] = pte[j - 1];
            j--;
        }
        idx[j] = p->idx[k];
        pte[j] = p->val[k];
    }
    return n;
}

uint64_t pt_mem_pages(const pt_mem *m) { return m->pages; }

size_t pt_mem_overhead_bytes(const pt_mem *m)
{
    return sizeof *m + m->ntop * sizeof *m->top + m->chunks * sizeof(dir_chunk);
}

static dir_chunk *chunk_of_entry(const pt_mem *m, uint64_t entry_pa)
{
    uint64_t pfn = entry_pa >> VS_PAGE_SHIFT_4K;
    assert((pfn >> DIR_CHUNK_SHIFT) < m->ntop);
    dir_chunk *ch = m->top[pfn >> DIR_CHUNK_SHIFT];
    assert(ch); /* the walk reached a frame that holds no table */
    return ch;
}

uint64_t pt_read_entry(const pt_mem *m, uint64_t entry_pa)
{
    const dir_chunk *ch = chunk_of_entry(m, entry_pa);
    uint64_t f = (entry_pa >> VS_PAGE_SHIFT_4K) & (DIR_CHUNK_FRAMES - 1);
    unsigned i = (unsigned)(entry_pa >> 3) & (PT_ENTRIES - 1);
    if (VS_LIKELY(ch->dense[f] != NULL))
        return ch->dense[f][i];
    const pt_sparse *p = ch->sparse[f];
    assert(p); /* the walk reached a frame that holds no table */
    for (unsigned k = 0; k < p->n; k++)
        if (p->idx[k] == i)
            return p->val[k];
    return 0;
}

void pt_prefetch_entry(const pt_mem *m, uint64_t entry_pa)
{
    const dir_chunk *ch = chunk_of(m, entry_pa >> VS_PAGE_SHIFT_4K);
    if (!ch)
        return;
    const uint64_t *d = ch->dense[(entry_pa >> VS_PAGE_SHIFT_4K) & (DIR_CHUNK_FRAMES - 1)];
    if (d)
        __builtin_prefetch(d + ((entry_pa >> 3) & (PT_ENTRIES - 1)));
}

void pt_write_entry(pt_mem *m, uint64_t entry_pa, uint64_t pte)
{
    dir_chunk *ch = chunk_of_entry(m, entry_pa);
    uint64_t f = (entry_pa >> VS_PAGE_SHIFT_4K) & (DIR_CHUNK_FRAMES - 1);
    unsigned i = (unsigned)(entry_pa >> 3) & (PT_ENTRIES - 1);
    if (ch->dense[f]) {
        ch->dense[f][i] = pte;
        return;
    }
    pt_sparse *p = ch->sparse[f];
    assert(p);
    for (unsigned k = 0; k < p->n; k++) {
        if (p->idx[k] != i)
            continue;
        if (pte) {
            p->val[k] = pte;
        } else { /* a zero entry is simply absent */
            p->n--;
            p->idx[k] = p->idx[p->n];
            p->val[k] = p->val[p->n];
        }
        return;
    }
    if (!pte)
        return;
    if (p->n < PT_SPARSE_MAX) {
        p->idx[p->n] = (uint16_t)i;
        p->val[p->n++] = pte;
        return;
    }
    uint64_t *d = dense_alloc(m);
    for (unsigned k = 0; k < p->n; k++)
        d[p->idx[k]] = p->val[k];
    d[i] = pte;
    free(p);
    ch->sparse[f] = NULL;
    ch->dense[f] = d;
}

/* ---- trees ---- */

static uint64_t entry_pa_of(uint64_t table_pfn, unsigned idx)
{
    return (table_pfn << VS_PAGE_SHIFT_4K) + (uint64_t)idx * sizeof(uint64_t);
}

static bool is_leaf(unsigned level, uint64_t pte)
{
    return level == 1 || ((level == 2 || level == 3) && (pte & PTE_PS));
}

static uint64_t level_span(unsigned level) { return 1ull << (VS_PAGE_SHIFT_4K + 9 * (level - 1)); }

static void put_entry(pt_tree *t, const pt_ops *ops, uint64_t entry_pa, unsigned level, uint64_t pte)
{
    uint64_t old = pt_read_entry(t->mem, entry_pa);
    pt_write_entry(t->mem, entry_pa, pte);
    if (ops && ops->entry_written)
        ops->entry_written(ops->ctx, entry_pa, level, old, pte);
}

/* Descends towards va, stopping at `stop` or at the first non-present entry
 * or leaf; returns the level of the entry it stopped at. */
static unsigned walk(const pt_tree *t, uint64_t va, unsigned stop, uint64_t *entry_pa, uint64_t *pte)
{
    uint64_t pfn = t->root_pfn;
    for (unsigned level = t->levels;; level--) {
        *entry_pa = entry_pa_of(pfn, pt_index(va, level));
        *pte = pt_read_entry(t->mem, *entry_pa);
        if (level == stop || !(*pte & PTE_P) || is_leaf(level, *pte))
            return level;
        pfn = pte_addr(*pte) >> VS_PAGE_SHIFT_4K;
    }
}

int pt_tree_init(pt_tree *t, pt_mem *mem, unsigned levels, const pt_ops *ops, vs_err *err)
{
    if (levels != 4 && levels != 5)
        return vs_fail(err, VS_E_CONFIG, "page tables: %u levels requested, expected 4 or 5", levels);
    uint64_t pfn;
    if (!ops->alloc_table(ops->ctx, levels, &pfn))
        return vs_fail(err, VS_E_LIMIT, "page tables: no free frame for a level-%u root table", levels);
    pt_mem_attach(mem, pfn);
    t->mem = mem;
    t->root_pfn = pfn;
    t->levels = levels;
    return VS_OK;
}

int pt_map(pt_tree *t, uint64_t va, uint64_t pa, vs_pgsz size, uint64_t flags, const pt_ops *ops,
           vs_err *err)
{
    uint64_t mask = level_span(pt_leaf_level(size)) - 1;
    if ((va & mask) || (pa & mask) || !pt_va_canonical(va, t->levels) || (pa & ~PTE_ADDR_MASK))
        return vs_fail(err, VS_E_USAGE,
                       "page tables: cannot map va 0x%llx -> pa 0x%llx as %s: expected canonical "
                       "%u-bit va and a 52-bit pa, both %s-aligned",
                       (unsigned long long)va, (unsigned long long)pa, vs_pgsz_name(size),
                       pt_va_bits(t->levels), vs_pgsz_name(size));
    unsigned leaf_level = pt_leaf_level(size);
    uint64_t entry_pa, pte;
    for (;;) {
        unsigned level = walk(t, va, leaf_level, &entry_pa, &pte);
        if (pte & PTE_P)
            return vs_fail(err, VS_E_USAGE, "page tables: va 0x%llx is already mapped (level-%u entry 0x%llx)",
                           (unsigned long long)va, level, (unsigned long long)pte);
        if (level == leaf_level)
            break;
        uint64_t pfn;
        if (!ops->alloc_table(ops->ctx, level - 1, &pfn))
            return vs_fail(err, VS_E_LIMIT, "page tables: no free frame for a level-%u table mapping va 0x%llx",
                           level - 1, (unsigned long long)va);
        pt_mem_attach(t->mem, pfn);
        put_entry(t, ops, entry_pa, level, (pfn << VS_PAGE_SHIFT_4K) | TABLE_FLAGS);
    }
    uint64_t leaf = pa | (flags & ~(PTE_ADDR_MASK | PTE_PS)) | PTE_P | (leaf_level > 1 ? PTE_PS : 0);
    put_entry(t, ops, entry_pa, leaf_level, leaf);
    return VS_OK;
}

/* The leaf entry covering va: its address, level and value; false if unmapped. */
static bool find_leaf(const pt_tree *t, uint64_t va, uint64_t *entry_pa, unsigned *level, uint64_t *pte)
{
    if (!pt_va_canonical(va, t->levels))
        return false;
    *level = walk(t, va, 1, entry_pa, pte);
    return (*pte & PTE_P) != 0;
}

bool pt_lookup(const pt_tree *t, uint64_t va, uint64_t *pa, vs_pgsz *size, uint64_t *leaf_pte)
{
    uint64_t entry_pa, pte;
    unsigned level;
    if (!find_leaf(t, va, &entry_pa, &level, &pte))
        return false;
    uint64_t mask = level_span(level) - 1;
    if (pa)
        *pa = (pte_addr(pte) & ~mask) | (va & mask);
    if (size)
        *size = (vs_pgsz)(level - 1);
    if (leaf_pte)
        *leaf_pte = pte;
    return true;
}

bool pt_leaf_entry_pa(const pt_tree *t, uint64_t va, uint64_t *entry_pa, unsigned *level)
{
    uint64_t pte;
    return find_leaf(t, va, entry_pa, level, &pte);
}

bool pt_update_leaf(pt_tree *t, uint64_t va, uint64_t new_pte, const pt_ops *ops)
{
    uint64_t entry_pa, pte;
    unsigned level;
    if (!find_leaf(t, va, &entry_pa, &level, &pte))
        return false;
    put_entry(t, ops, entry_pa, level, new_pte);
    return true;
}

bool pt_unmap(pt_tree *t, uint64_t va, const pt_ops *ops, vs_pgsz *size, uint64_t *pa_base)
{
    uint64_t entry_pa, pte;
    unsigned level;
    if (!find_leaf(t, va, &entry_pa, &level, &pte))
        return false;
    put_entry(t, ops, entry_pa, level, 0);
    if (size)
        *size = (vs_pgsz)(level - 1);
    if (pa_base)
        *pa_base = pte_addr(pte) & ~(level_span(level) - 1);
    return true;
}

bool pt_region_empty(const pt_tree *t, uint64_t va, vs_pgsz size)
{
    uint64_t entry_pa, pte;
    if (!pt_va_canonical(va, t->levels))
        return false;
    walk(t, va, pt_leaf_level(size), &entry_pa, &pte);
    return !(pte & PTE_P);
}

typedef struct leaf_visit {
    const pt_tree *t;
    void (*fn)(void *ctx, uint64_t va, uint64_t pte, vs_pgsz size);
    void *ctx;
} leaf_visit;

static void visit(const leaf_visit *v, uint64_t table_pfn, unsigned level, uint64_t va_prefix)
{
    unsigned idx[PT_ENTRIES];
    uint64_t ptes[PT_ENTRIES];
    unsigned n = pt_mem_present(v->t->mem, table_pfn, idx, ptes);
    unsigned unused = 64 - pt_va_bits(v->t->levels);
    for (unsigned k = 0; k < n; k++) {
        unsigned i = idx[k];
        uint64_t pte = ptes[k];
        if (!(pte & PTE_P))
            continue;
        uint64_t va = va_prefix | ((uint64_t)i << (VS_PAGE_SHIFT_4K + 9 * (level - 1)));
        if (is_leaf(level, pte))
            v->fn(v->ctx, (uint64_t)((int64_t)(va << unused) >> unused), pte, (vs_pgsz)(level - 1));
        else
            visit(v, pte_addr(pte) >> VS_PAGE_SHIFT_4K, level - 1, va);
    }
}

void pt_for_each_leaf(const pt_tree *t, void (*fn)(void *ctx, uint64_t va, uint64_t pte, vs_pgsz size),
                      void *ctx)
{
    leaf_visit v = {t, fn, ctx};
    visit(&v, t->root_pfn, t->levels, 0);
}

static void destroy_table(pt_tree *t, uint64_t pfn, unsigned level, const pt_ops *ops)
{
    unsigned idx[PT_ENTRIES];
    uint64_t ptes[PT_ENTRIES];
    unsigned n = level > 1 ? pt_mem_present(t->mem, pfn, idx, ptes) : 0;
    for (unsigned k = 0; k < n; k++)
        if ((ptes[k] & PTE_P) && !is_leaf(level, ptes[k]))
            destroy_table(t, pte_addr(ptes[k]) >> VS_PAGE_SHIFT_4K, level - 1, ops);
    pt_mem_detach(t->mem, pfn);
    if (ops && ops->free_table)
        ops->free_table(ops->ctx, pfn, level);
}

void pt_tree_destroy(pt_tree *t, const pt_ops *ops)
{
    destroy_table(t, t->root_pfn, t->levels, ops);
    t->root_pfn = 0;
    t->mem = NULL;
}
