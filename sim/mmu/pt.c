/*
 * pt.c: x86-64 radix page tables in simulated physical memory (Intel SDM
 * vol. 3A sec. 4.5, 4- and 5-level paging; PS at levels 2 and 3 makes a
 * 2 MiB or 1 GiB leaf).
 *
 * pt_mem is an index from frame number to table page: one open-addressing
 * hash table (Fibonacci hashing, linear probing, backward-shift deletion, so
 * no tombstones), at most three quarters full.  Its 16-byte slots
 * hold the frame and a pointer to the page, so finding a table costs one
 * probe into a few hundred KiB at most, whatever the spread of the frames:
 * the two-level directory it replaces needed a 16 KiB chunk per 4 MiB of
 * physical memory that held a table, and on a trace whose table frames lie
 * among its data frames every walk missed the host's caches and TLB in it.
 * Bookkeeping is O(table pages): at most 43 bytes per page as tables are
 * added (the index doubles at three quarters full), at most 128 once most
 * are gone (it halves below an eighth).
 *
 * A table page keeps its first PT_SPARSE_MAX non-zero entries inline and
 * becomes a dense 512-entry array only when it needs more.  Dense arrays are
 * cut from page-aligned arenas that double from PT_ARENA_FIRST pages up to
 * 1 MiB, so the tables a walk reads sit together in a few blocks rather than
 * spread over the heap between other allocations.  Arenas are mapped from
 * the kernel, so a fresh array is already zero and is not cleared again;
 * they are made resident 64 KiB at a time as arrays reach them (one kernel
 * entry per 16 table pages, not one page fault each), so the unused tail of
 * the newest arena beyond that chunk is never touched.  Past those
 * (about 2 MiB of tables) every arena is a 2 MiB-aligned block, which a host
 * whose transparent huge pages are "always" backs with one huge page.  No
 * madvise asks for one: MADV_COLLAPSE of each full arena copied it (the
 * 1M-page spread case ran 1.2x the CPU time of no madvise), and
 * MADV_HUGEPAGE at allocation makes the newest arena's untouched tail
 * resident (+1.9 to 2.2 MiB peak RSS on the hostile trace) for 3 % less CPU
 * time there in native mode and 1 % more in nested (docs/performance.md).  A small run never gets an arena this
 * large, and no run holds more resident than its tables fill, plus at most
 * one chunk.
 * Detached dense arrays go on a free list for the next one.  A trace that
 * touches pages spread over the whole address space creates about one table
 * page per page it touches, nearly all holding a single entry: inline they
 * cost ~100 bytes, not 4 KiB, so a million such pages fit in ~200 MiB.  Dense
 * pages -- the common case for real programs -- are read with one index
 * probe and one load, because every simulated page walk reads here.
 *
 * The tree functions are the OS's software view: they create tables through
 * pt_ops->alloc_table and report every entry they write, with its physical
 * address, through pt_ops->entry_written.  Unmapping leaves empty tables in
 * place, as OSes do until the whole address space goes.
 *
 * A tree of two levels is 32-bit paging (pt.h): the tree functions index,
 * read and write its 4-byte entries through pt.h's format helpers, and see
 * each stored 8-byte word as the two entries it holds.
 *
 * Invariants: a present non-leaf entry points to an attached page;
 * pages == number of used index slots, at most three quarters of them;
 * every used slot is reachable from its home slot by a run of used slots.
 */
#include "pt.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PT_PFN_LIMIT (1ull << 40) /* frame field is bits 12..51 */
#define TABLE_FLAGS (PTE_P | PTE_RW | PTE_US) /* non-leaf entries grant all; leaves restrict */

#define PT_ARENA_FIRST 16 /* dense arrays in the first arena: a small run stays small */
#define PT_ARENA_STEPS 5  /* the first this many arenas double, 16 .. 256 pages (64 KiB .. 1 MiB) ... */
#define PT_ARENA_HUGE 512 /* ... then come whole host huge pages of 2 MiB (see above) */
#define PT_SPARSE_MAX 6 /* inline entries before a page goes dense: covers a page's first few neighbours */
/* Fresh arena memory is mapped this many bytes at a time as dense arrays
 * reach it (madvise MADV_POPULATE_WRITE, Linux 5.14; where it is refused the
 * pages fault in one by one as before): one kernel entry per 16 table pages
 * instead of one per page, at most 60 KiB resident ahead of use. */
#define PT_POPULATE_BYTES (64u << 10)
#define PT_INDEX_MIN 64 /* index slots of an empty store: 1 KiB */
#define PT_INDEX_MUL 0x9e3779b97f4a7c15ull /* Fibonacci hashing: the high product bits mix every pfn bit */
#define PT_SPARSE_TAG ((uintptr_t)1) /* low bit of an index slot's page: the page is a pt_sparse */

typedef struct pt_sparse {
    uint64_t val[PT_SPARSE_MAX];   /* the non-zero entries ... */
    uint16_t idx[PT_SPARSE_MAX];   /* ... and their indices, unordered */
    uint8_t n;
} pt_sparse;

/* One attached table page: its frame, and its contents -- a dense array of
 * PT_ENTRIES entries, or a pt_sparse with PT_SPARSE_TAG set.  page == 0
 * marks a free slot. */
typedef struct pt_slot {
    uint64_t pfn;
    uintptr_t page;
} pt_slot;

/* A detached dense array, on the free list (its first bytes). */
typedef struct pt_free_page {
    struct pt_free_page *next;
} pt_free_page;

struct pt_mem {
    pt_slot *index;        /* open addressing, linear probing, power-of-two size */
    uint64_t index_mask;   /* slots - 1 */
    unsigned index_shift;  /* 64 - log2(slots) */
    void **arenas;          /* every arena, for pt_mem_free */
    size_t n_arenas;
    uint64_t *bump, *bump_end; /* the unused dense arrays of the newest arena */
    pt_free_page *free_pages;
    uint64_t pages;  /* attached table pages */
};

static inline uint64_t index_home(const pt_mem *m, uint64_t pfn)
{
    return (pfn * PT_INDEX_MUL) >> m->index_shift;
}

/* The slot of pfn, or NULL when pfn holds no table page.  The index is at
 * most three quarters full, so a lookup that finds its page reads 2.5 slots
 * on average (Knuth, TAOCP 6.4), one or two host cache lines. */
static inline pt_slot *index_find(const pt_mem *m, uint64_t pfn)
{
    for (uint64_t h = index_home(m, pfn);; h = (h + 1) & m->index_mask) {
        pt_slot *s = &m->index[h];
        if (VS_LIKELY(s->pfn == pfn && s->page))
            return s;
        if (!s->page)
            return NULL;
    }
}

static void index_alloc(pt_mem *m, uint64_t slots)
{
    m->index = vs_calloc(slots, sizeof *m->index);
    m->index_mask = slots - 1;
    m->index_shift = 64 - (unsigned)__builtin_ctzll(slots);
}

static void index_put(pt_mem *m, uint64_t pfn, uintptr_t page)
{
    uint64_t h = index_home(m, pfn);
    while (m->index[h].page)
        h = (h + 1) & m->index_mask;
    m->index[h] = (pt_slot){pfn, page};
}

/* Rebuilds the index with `slots` slots. */
static void index_resize(pt_mem *m, uint64_t slots)
{
    pt_slot *old = m->index;
    uint64_t n = m->index_mask + 1;
    index_alloc(m, slots);
    for (uint64_t i = 0; i < n; i++)
        if (old[i].page)
            index_put(m, old[i].pfn, old[i].page);
    free(old);
}

/* Empties slot pos, moving later slots of its probe run back so that every
 * page stays reachable from its home slot (no tombstones). */
static void index_erase(pt_mem *m, uint64_t pos)
{
    uint64_t i = pos, j = pos;
    for (;;) {
        j = (j + 1) & m->index_mask;
        if (!m->index[j].page)
            break;
        uint64_t home = index_home(m, m->index[j].pfn);
        if (((j - home) & m->index_mask) >= ((j - i) & m->index_mask)) {
            m->index[i] = m->index[j];
            i = j;
        }
    }
    m->index[i] = (pt_slot){0, 0};
}

pt_mem *pt_mem_new(void)
{
    pt_mem *m = vs_calloc(1, sizeof(pt_mem));
    index_alloc(m, PT_INDEX_MIN);
    return m;
}

/* A fresh arena of `pages` dense arrays, straight from the kernel, so
 * already zero: from PT_ARENA_HUGE pages on, one 2 MiB-aligned block, which
 * the host may back with one huge page. */
static void *arena_alloc(size_t pages)
{
    size_t bytes = pages * PT_ENTRIES * sizeof(uint64_t);
    size_t align = pages >= PT_ARENA_HUGE ? bytes : 0; /* mmap gives page alignment */
    uint8_t *a = mmap(NULL, bytes + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED)
        vs_oom(bytes + align);
    if (align) { /* trim to the aligned block */
        size_t head = (size_t)(-(uintptr_t)a & (align - 1));
        if (head)
            munmap(a, head);
        munmap(a + head + bytes, align - head);
        a += head;
    }
    return a;
}

static size_t arena_pages(size_t k) { return k < PT_ARENA_STEPS ? (size_t)PT_ARENA_FIRST << k : PT_ARENA_HUGE; }

/* A zeroed dense array of PT_ENTRIES entries.  A recycled one is cleared; a
 * fresh one is still the kernel's zero memory, never touched. */
static uint64_t *dense_alloc(pt_mem *m)
{
    uint64_t *d;
    if (m->free_pages) {
        d = (uint64_t *)(void *)m->free_pages;
        m->free_pages = m->free_pages->next;
        memset(d, 0, PT_ENTRIES * sizeof(uint64_t));
        return d;
    }
    if (m->bump == m->bump_end) {
        size_t pages = arena_pages(m->n_arenas);
        static_assert(PT_ARENA_FIRST << PT_ARENA_STEPS == PT_ARENA_HUGE, "arenas double up to a huge page");
        void *a = arena_alloc(pages);
        m->arenas = vs_realloc(m->arenas, (m->n_arenas + 1) * sizeof *m->arenas);
        m->arenas[m->n_arenas++] = a;
        m->bump = a;
        m->bump_end = m->bump + pages * PT_ENTRIES;
    }
    d = m->bump;
    m->bump += PT_ENTRIES;
#ifdef MADV_POPULATE_WRITE
    if (((uintptr_t)d & (PT_POPULATE_BYTES - 1)) == 0) { /* entering a new chunk: map it in one call */
        size_t left = (size_t)(m->bump_end - d) * sizeof(uint64_t);
        (void)madvise(d, left < PT_POPULATE_BYTES ? left : PT_POPULATE_BYTES, MADV_POPULATE_WRITE);
    }
#endif
    return d;
}

static void dense_free(pt_mem *m, uint64_t *d)
{
    pt_free_page *f = (pt_free_page *)(void *)d;
    f->next = m->free_pages;
    m->free_pages = f;
}

static inline bool slot_sparse(uintptr_t page) { return page & PT_SPARSE_TAG; }
static inline pt_sparse *slot_sparse_page(uintptr_t page) { return (pt_sparse *)(page & ~PT_SPARSE_TAG); }

void pt_mem_free(pt_mem *m)
{
    if (!m)
        return;
    for (uint64_t i = 0; i <= m->index_mask; i++)
        if (slot_sparse(m->index[i].page))
            free(slot_sparse_page(m->index[i].page));
    for (size_t i = 0; i < m->n_arenas; i++)
        munmap(m->arenas[i], arena_pages(i) * PT_ENTRIES * sizeof(uint64_t));
    free(m->arenas);
    free(m->index);
    free(m);
}

void pt_mem_attach(pt_mem *m, uint64_t pfn)
{
    assert(pfn < PT_PFN_LIMIT);
    assert(!index_find(m, pfn)); /* a table page is attached exactly once */
    if (4 * (m->pages + 1) > 3 * (m->index_mask + 1))
        index_resize(m, 2 * (m->index_mask + 1));
    pt_sparse *p = vs_calloc(1, sizeof(pt_sparse));
    static_assert(_Alignof(pt_sparse) > 1, "the low bit of a pt_sparse pointer is free for PT_SPARSE_TAG");
    index_put(m, pfn, (uintptr_t)p | PT_SPARSE_TAG);
    m->pages++;
}

void pt_mem_detach(pt_mem *m, uint64_t pfn)
{
    const pt_slot *s = index_find(m, pfn);
    assert(s);
    if (slot_sparse(s->page))
        free(slot_sparse_page(s->page));
    else
        dense_free(m, (uint64_t *)s->page);
    index_erase(m, (uint64_t)(s - m->index));
    m->pages--;
    if (m->index_mask + 1 > PT_INDEX_MIN && 8 * m->pages < m->index_mask + 1)
        index_resize(m, (m->index_mask + 1) / 2);
}

bool pt_mem_has(const pt_mem *m, uint64_t pfn) { return index_find(m, pfn) != NULL; }

unsigned pt_mem_present(const pt_mem *m, uint64_t pfn, unsigned *idx, uint64_t *pte)
{
    const pt_slot *s = index_find(m, pfn);
    assert(s);
    unsigned n = 0;
    if (!slot_sparse(s->page)) {
        const uint64_t *d = (const uint64_t *)s->page;
        for (unsigned i = 0; i < PT_ENTRIES; i++)
            if (d[i]) {
                idx[n] = i;
                pte[n++] = d[i];
            }
        return n;
    }
    const pt_sparse *p = slot_sparse_page(s->page);
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
    return sizeof *m + (m->index_mask + 1) * sizeof *m->index + m->n_arenas * sizeof *m->arenas;
}

/* The slot of the page that holds entry_pa, which the walk reached through
 * a present entry, so the page exists. */
static inline pt_slot *slot_of_entry(const pt_mem *m, uint64_t entry_pa)
{
    pt_slot *s = index_find(m, entry_pa >> VS_PAGE_SHIFT_4K);
    assert(s); /* the walk reached a frame that holds no table */
    return s;
}

static inline unsigned entry_index(uint64_t entry_pa) { return (unsigned)(entry_pa >> 3) & (PT_ENTRIES - 1); }

uint64_t pt_read_entry(const pt_mem *m, uint64_t entry_pa)
{
    uintptr_t page = slot_of_entry(m, entry_pa)->page;
    unsigned i = entry_index(entry_pa);
    if (VS_LIKELY(!slot_sparse(page)))
        return ((const uint64_t *)page)[i];
    const pt_sparse *p = slot_sparse_page(page);
    for (unsigned k = 0; k < p->n; k++)
        if (p->idx[k] == i)
            return p->val[k];
    return 0;
}

void pt_prefetch_entry(const pt_mem *m, uint64_t entry_pa)
{
    const pt_slot *s = index_find(m, entry_pa >> VS_PAGE_SHIFT_4K);
    if (s && !slot_sparse(s->page))
        vs_prefetch((const uint64_t *)s->page + entry_index(entry_pa));
}

void pt_prefetch_index(const pt_mem *m, uint64_t entry_pa)
{
    vs_prefetch(&m->index[index_home(m, entry_pa >> VS_PAGE_SHIFT_4K)]);
}

void pt_write_entry(pt_mem *m, uint64_t entry_pa, uint64_t pte)
{
    pt_slot *s = slot_of_entry(m, entry_pa);
    unsigned i = entry_index(entry_pa);
    if (!slot_sparse(s->page)) {
        ((uint64_t *)s->page)[i] = pte;
        return;
    }
    pt_sparse *p = slot_sparse_page(s->page);
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
    s->page = (uintptr_t)d;
}

/* ---- trees ---- */

static bool is_leaf(unsigned level, uint64_t pte)
{
    return level == 1 || ((level == 2 || level == 3) && (pte & PTE_PS));
}

static uint64_t level_span(unsigned level) { return 1ull << (VS_PAGE_SHIFT_4K + 9 * (level - 1)); }

static void put_entry(pt_tree *t, const pt_ops *ops, uint64_t entry_pa, unsigned level, uint64_t pte)
{
    uint64_t old = pt_read_entry_in(t->mem, entry_pa, t->levels);
    pt_write_entry_in(t->mem, entry_pa, pte, t->levels);
    if (ops && ops->entry_written)
        ops->entry_written(ops->ctx, entry_pa, level, old, pte);
}

/* Descends towards va, stopping at `stop` or at the first non-present entry
 * or leaf; returns the level of the entry it stopped at. */
static unsigned walk(const pt_tree *t, uint64_t va, unsigned stop, uint64_t *entry_pa, uint64_t *pte)
{
    uint64_t pfn = t->root_pfn;
    for (unsigned level = t->levels;; level--) {
        *entry_pa = pt_entry_addr(pfn << VS_PAGE_SHIFT_4K, va, level, t->levels);
        *pte = pt_read_entry_in(t->mem, *entry_pa, t->levels);
        if (level == stop || !(*pte & PTE_P) || is_leaf(level, *pte))
            return level;
        pfn = pte_addr(*pte) >> VS_PAGE_SHIFT_4K;
    }
}

int pt_tree_init(pt_tree *t, pt_mem *mem, unsigned levels, const pt_ops *ops, vs_err *err)
{
    if (levels != 4 && levels != 5 && !pt_is_32bit(levels))
        return vs_fail(err, VS_E_CONFIG, "page tables: %u levels requested, expected 4 or 5 (or 2: 32-bit paging)",
                       levels);
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
    if (pt_is_32bit(t->levels) && (size != VS_PG_4K || pa >> 32))
        return vs_fail(err, VS_E_USAGE,
                       "page tables: cannot map va 0x%llx -> pa 0x%llx as %s under 32-bit paging: its "
                       "entries map 4 KiB frames below 4 GiB (PSE's 4 MiB pages are not modelled)",
                       (unsigned long long)va, (unsigned long long)pa, vs_pgsz_name(size));
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

#define PRUNE_PATH_MAX 6 /* levels 1..5 of 5-level paging, indexed by level */

unsigned pt_prune(pt_tree *t, uint64_t va, const pt_ops *ops)
{
    uint64_t parent_entry[PRUNE_PATH_MAX], table[PRUNE_PATH_MAX];
    unsigned idx[PT_ENTRIES_32BIT], level = t->levels, freed = 0;
    uint64_t ptes[PT_ENTRIES_32BIT], pfn = t->root_pfn;
    if (!pt_va_canonical(va, t->levels))
        return 0;
    for (; level > 1; level--) { /* table[l] is the level-l table on the path, entered through parent_entry[l] */
        uint64_t entry_pa = pt_entry_addr(pfn << VS_PAGE_SHIFT_4K, va, level, t->levels);
        uint64_t pte = pt_read_entry_in(t->mem, entry_pa, t->levels);
        if (!(pte & PTE_P) || is_leaf(level, pte))
            break;
        pfn = pte_addr(pte) >> VS_PAGE_SHIFT_4K;
        parent_entry[level - 1] = entry_pa;
        table[level - 1] = pfn;
    }
    for (unsigned l = level; l < t->levels; l++) {
        if (pt_mem_present_in(t->mem, table[l], t->levels, idx, ptes) > 0)
            break;
        put_entry(t, ops, parent_entry[l], l + 1, 0);
        pt_mem_detach(t->mem, table[l]);
        if (ops && ops->free_table)
            ops->free_table(ops->ctx, table[l], l);
        freed++;
    }
    return freed;
}

bool pt_region_empty(const pt_tree *t, uint64_t va, vs_pgsz size)
{
    uint64_t entry_pa, pte;
    if (!pt_va_canonical(va, t->levels))
        return false;
    walk(t, va, pt_leaf_level(size), &entry_pa, &pte);
    return !(pte & PTE_P);
}

unsigned pt_mem_present_in(const pt_mem *m, uint64_t pfn, unsigned levels, unsigned *idx, uint64_t *pte)
{
    unsigned n = pt_mem_present(m, pfn, idx, pte);
    if (!pt_is_32bit(levels))
        return n;
    unsigned out = 0;
    uint64_t words[PT_ENTRIES];
    unsigned widx[PT_ENTRIES];
    memcpy(words, pte, n * sizeof *pte);
    memcpy(widx, idx, n * sizeof *idx);
    for (unsigned k = 0; k < n; k++)
        for (unsigned half = 0; half < 2; half++) {
            uint64_t e = (uint32_t)(words[k] >> (32 * half));
            if (e) {
                idx[out] = 2 * widx[k] + half;
                pte[out++] = e;
            }
        }
    return out;
}

typedef struct leaf_visit {
    const pt_tree *t;
    void (*fn)(void *ctx, uint64_t va, uint64_t pte, vs_pgsz size);
    void *ctx;
} leaf_visit;

static void visit(const leaf_visit *v, uint64_t table_pfn, unsigned level, uint64_t va_prefix)
{
    unsigned idx[PT_ENTRIES_32BIT];
    uint64_t ptes[PT_ENTRIES_32BIT];
    unsigned n = pt_mem_present_in(v->t->mem, table_pfn, v->t->levels, idx, ptes);
    /* 48- and 57-bit vas are sign-extended; a 32-bit one is not (pt.h) */
    unsigned unused = pt_is_32bit(v->t->levels) ? 0 : 64 - pt_va_bits(v->t->levels);
    for (unsigned k = 0; k < n; k++) {
        unsigned i = idx[k];
        uint64_t pte = ptes[k];
        if (!(pte & PTE_P))
            continue;
        uint64_t va = va_prefix | ((uint64_t)i << (VS_PAGE_SHIFT_4K + pt_level_bits(v->t->levels) * (level - 1)));
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
    unsigned idx[PT_ENTRIES_32BIT];
    uint64_t ptes[PT_ENTRIES_32BIT];
    unsigned n = level > 1 ? pt_mem_present_in(t->mem, pfn, t->levels, idx, ptes) : 0;
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
