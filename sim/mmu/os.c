/*
 * os.c: the OS memory-management model -- processes, demand paging with a
 * THP-like page-size policy, fork with copy-on-write, exec and exit -- after
 * Linux mm/memory.c (do_anonymous_page, do_huge_pmd_anonymous_page,
 * do_wp_page, copy_page_range) reduced to what address translation sees.
 *
 * Page-size policy: under `2m` a fault maps a 2 MiB leaf when the aligned
 * 2 MiB virtual region holds no leaf and no table (pt_region_empty) and the
 * allocator has a free block of order >= 9; otherwise a 4 KiB page and a
 * counted thp_fallback.  `1g` tries 1 GiB (order 18) the same way first,
 * then the 2m rule.  Leaves are mapped P|RW|US with A and D clear, and stay
 * so: the walker's setting of the A/D bits (SDM 3A 4.8) is not modelled, so
 * no page-table write comes of it.
 *
 * Fork gives the child a tree with the parent's leaves; every leaf in both
 * becomes read-only and its frame's share count rises.  A store to a
 * read-only leaf is a copy-on-write fault: with a share count >= 2 the page
 * is copied into a fresh frame of the same size; with the count back to 1
 * (its other sharers copied or exited) the leaf is simply made writable
 * again.  Both kinds count as faults_cow.  Either way the faulting mapping
 * changed, so it is reported through hooks->unmapped.
 *
 * Unmap (munmap of a heap or buffer region) after mm/memory.c
 * zap_page_range and mm/mmap.c free_pgtables: each present leaf in the
 * range is cleared (a reported entry write) and its frame released; the
 * table pages the clears leave empty are freed.  A 2 MiB or 1 GiB leaf only
 * partly inside is split first, as split_huge_pmd does: cleared, then
 * re-mapped as 512 leaves of the next smaller size over the same frames,
 * whose buddy block is thereafter freed piece by piece.  MADV_DONTNEED keeps
 * the empty tables where this frees them; the trace record does not say
 * which call it was, so the model takes munmap's.
 *
 * Kmap (32-bit Linux's kmap_atomic of a high-memory page, arch/i386/mm/
 * highmem.c of 2.6.x: set_pte(kmap_pte - idx, mk_pte(page, kmap_prot))):
 * the present 4 KiB leaf of a fixmap slot is rewritten to map a page-cache
 * page, one reported entry write; the caller invalidates the slot.  The
 * page cache is the guest's own: a page's frame comes from the buddy
 * allocator at its first kmap (the page cache allocates from the same
 * allocator, __page_cache_alloc -> alloc_pages) and stays cached for the
 * OS's life (no reclaim is modelled), so a page kmapped again maps the
 * same frame.  The cache holds one reference to each of its frames: a
 * cached frame mapped by n leaves counts n + 1 in shares, so no leaf's
 * release ever frees it.
 *
 * Table pages and data frames come from one buddy allocator over frames
 * [reserved_frames, mem_bytes / 4096).
 *
 * Invariants: shares holds exactly the frames with >= 2 users (leaves, and
 * the page cache for a cached frame), with that count; a frame leaves the
 * allocator for one leaf, one table page or the page cache and returns when
 * its last user goes (a cached frame: never); pages_resident and tables_resident
 * equal the frames so held (so free frames + both == managed frames).
 */
#include "os.h"

#include <assert.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define OS_MIN_MAX_ORDER 18 /* the 1 GiB policy needs order-18 blocks */
#define LEAF_FLAGS (PTE_RW | PTE_US) /* anonymous user memory; A/D clear (their setting is not modelled) */
/* kmap_prot = PAGE_KERNEL (i386 kmap_init): present, writable, accessed and dirty, supervisor only */
#define KMAP_FLAGS (PTE_RW | PTE_A | PTE_D)

struct os_proc {
    uint32_t pid;
    os *o;
    pt_tree tree;
    pt_ops ops; /* ctx = this process, so entry writes can name the pid */
};

struct os {
    os_params p;
    os_hooks h;
    buddy *b;
    pt_mem *mem;
    GHashTable *procs;  /* pid -> os_proc * */
    GHashTable *shares; /* frame base pfn -> count (>= 2) of leaves mapping it */
    GHashTable *page_cache; /* page-cache page -> its frame's pfn (kmap) */
    os_counters c;
};

static unsigned size_order(vs_pgsz s) { return vs_pgsz_shift(s) - VS_PAGE_SHIFT_4K; }
static uint64_t size_bytes(vs_pgsz s) { return 1ull << vs_pgsz_shift(s); }

/* VS_E_LIMIT with what was being done and how to give the OS more memory. */
static int out_of_memory(os *o, vs_err *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int out_of_memory(os *o, vs_err *err, const char *fmt, ...)
{
    char doing[VS_ERR_MSG_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(doing, sizeof doing, fmt, ap);
    va_end(ap);
    return vs_fail(err, VS_E_LIMIT,
                   "out of physical memory %s: this OS has %llu MiB (%llu frames, %llu reserved) and all of "
                   "it is in use; raise `guest.mem` (for a VM's OS) or `host.mem` (for the host)",
                   doing, (unsigned long long)(o->p.mem_bytes >> 20),
                   (unsigned long long)(o->p.mem_bytes >> VS_PAGE_SHIFT_4K),
                   (unsigned long long)o->p.reserved_frames);
}

/* ---- pt_ops callbacks ---- */

static bool cb_alloc_table(void *ctx, unsigned level, uint64_t *pfn)
{
    (void)level;
    os *o = ((os_proc *)ctx)->o;
    if (!buddy_alloc(o->b, 0, pfn))
        return false;
    o->c.tables_resident++;
    return true;
}

static void cb_free_table(void *ctx, uint64_t pfn, unsigned level)
{
    os_proc *p = ctx;
    os *o = p->o;
    buddy_free(o->b, pfn, 0);
    o->c.tables_resident--;
    if (o->h.table_freed)
        o->h.table_freed(o->h.ctx, p->pid, pfn, level);
}

static void cb_entry_written(void *ctx, uint64_t entry_pa, unsigned level, uint64_t old_pte, uint64_t new_pte)
{
    os_proc *p = ctx;
    os *o = p->o;
    o->c.ptes_written++;
    if (o->h.pte_written)
        o->h.pte_written(o->h.ctx, p->pid, entry_pa, level, old_pte, new_pte);
}

static void report_unmapped(os *o, uint32_t pid, uint64_t va, vs_pgsz size)
{
    if (o->h.unmapped)
        o->h.unmapped(o->h.ctx, pid, va, size);
}

/* ---- frames and share counts ---- */

static gpointer key_of(uint64_t pa_base) { return GSIZE_TO_POINTER(pa_base >> VS_PAGE_SHIFT_4K); }

static uint64_t share_count(os *o, uint64_t pa_base)
{
    return GPOINTER_TO_SIZE(g_hash_table_lookup(o->shares, key_of(pa_base)));
}

static void share_add(os *o, uint64_t pa_base)
{
    uint64_t n = share_count(o, pa_base);
    g_hash_table_insert(o->shares, key_of(pa_base), GSIZE_TO_POINTER((n ? n : 1) + 1));
}

/* One leaf stops mapping the frame at pa_base; the last one frees it. */
static void frame_release(os *o, uint64_t pa_base, vs_pgsz size)
{
    uint64_t n = share_count(o, pa_base);
    if (n > 2)
        g_hash_table_insert(o->shares, key_of(pa_base), GSIZE_TO_POINTER(n - 1));
    else if (n == 2)
        g_hash_table_remove(o->shares, key_of(pa_base));
    else {
        buddy_free(o->b, pa_base >> VS_PAGE_SHIFT_4K, size_order(size));
        o->c.pages_resident -= 1ull << size_order(size);
    }
}

static bool frame_alloc(os *o, vs_pgsz size, uint64_t *pa_base)
{
    uint64_t pfn;
    if (!buddy_alloc(o->b, size_order(size), &pfn))
        return false;
    o->c.pages_resident += 1ull << size_order(size);
    *pa_base = pfn << VS_PAGE_SHIFT_4K;
    return true;
}

/* ---- processes ---- */

static int proc_new(os *o, uint32_t pid, os_proc **out, vs_err *err)
{
    os_proc *p = vs_calloc(1, sizeof *p);
    p->pid = pid;
    p->o = o;
    p->ops = (pt_ops){cb_alloc_table, cb_free_table, cb_entry_written, p};
    if (pt_tree_init(&p->tree, o->mem, o->p.levels, &p->ops, err) != VS_OK) {
        free(p);
        return out_of_memory(o, err, "creating the page-table root of pid %u", pid);
    }
    g_hash_table_insert(o->procs, GUINT_TO_POINTER(pid), p);
    o->c.procs_created++;
    *out = p;
    return VS_OK;
}

typedef struct leaf_rec {
    uint64_t va, pte;
    vs_pgsz size;
} leaf_rec;

static void collect_leaf(void *ctx, uint64_t va, uint64_t pte, vs_pgsz size)
{
    leaf_rec r = {va, pte, size};
    g_array_append_val((GArray *)ctx, r);
}

/* Returns every frame and table of p's address space; p keeps no tree.  As
 * Linux's exit_mmap (mm/mmap.c, also reached from exec through mmput):
 * unmap_vmas clears every present leaf (zap_pte_range, an entry write each),
 * then free_pgtables clears the entries of the tables left empty and frees
 * them (free_pte_range: pmd_clear, pte_free_tlb); the root goes last. */
static void space_teardown(os *o, os_proc *p)
{
    GArray *leaves = g_array_new(FALSE, FALSE, sizeof(leaf_rec));
    pt_for_each_leaf(&p->tree, collect_leaf, leaves);
    for (guint i = 0; i < leaves->len; i++) {
        const leaf_rec *r = &g_array_index(leaves, leaf_rec, i);
        pt_unmap(&p->tree, r->va, &p->ops, NULL, NULL);
        frame_release(o, pte_addr(r->pte) & ~(size_bytes(r->size) - 1), r->size);
    }
    for (guint i = 0; i < leaves->len; i++)
        pt_prune(&p->tree, g_array_index(leaves, leaf_rec, i).va, &p->ops);
    g_array_free(leaves, TRUE);
    pt_tree_destroy(&p->tree, &p->ops);
    if (o->h.space_freed)
        o->h.space_freed(o->h.ctx, p->pid);
}

static void proc_destroy(os *o, os_proc *p)
{
    space_teardown(o, p);
    g_hash_table_remove(o->procs, GUINT_TO_POINTER(p->pid)); /* frees p */
}

int os_new(const os_params *p, const os_hooks *hooks, os **out, vs_err *err)
{
    uint64_t frames = p->mem_bytes >> VS_PAGE_SHIFT_4K;
    if (p->levels != 4 && p->levels != 5 && !pt_is_32bit(p->levels))
        return vs_fail(err, VS_E_CONFIG, "os: %u paging levels, expected 4 or 5 (or 2: 32-bit paging)", p->levels);
    if (pt_is_32bit(p->levels) && (p->policy != OS_PAGES_4K || p->mem_bytes > 1ull << 32))
        return vs_fail(err, VS_E_CONFIG,
                       "os: 32-bit paging maps 4 KiB pages of memory below 4 GiB; got page policy %d and %llu bytes",
                       (int)p->policy, (unsigned long long)p->mem_bytes);
    if ((unsigned)p->policy > OS_PAGES_1G)
        return vs_fail(err, VS_E_CONFIG, "os: page policy %d, expected 4k, 2m or 1g", (int)p->policy);
    if (p->max_order < OS_MIN_MAX_ORDER || p->max_order > BUDDY_MAX_ORDER_LIMIT)
        return vs_fail(err, VS_E_CONFIG, "os: buddy max order %u, expected %d..%d", p->max_order,
                       OS_MIN_MAX_ORDER, BUDDY_MAX_ORDER_LIMIT);
    if (p->mem_bytes % (1ull << VS_PAGE_SHIFT_4K) || frames <= p->reserved_frames)
        return vs_fail(err, VS_E_CONFIG,
                       "os: memory of %llu bytes with %llu reserved frames: expected a multiple of 4 KiB "
                       "larger than the reserved frames",
                       (unsigned long long)p->mem_bytes, (unsigned long long)p->reserved_frames);
    buddy *b = buddy_new(p->reserved_frames, frames - p->reserved_frames, p->max_order, err);
    if (!b)
        return err ? err->code : VS_E_CONFIG;
    os *o = vs_calloc(1, sizeof *o);
    o->p = *p;
    if (hooks)
        o->h = *hooks;
    o->b = b;
    o->mem = pt_mem_new();
    o->procs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free);
    o->shares = g_hash_table_new(g_direct_hash, g_direct_equal);
    o->page_cache = g_hash_table_new(g_direct_hash, g_direct_equal);
    *out = o;
    return VS_OK;
}

void os_free(os *o)
{
    if (!o)
        return;
    g_hash_table_destroy(o->procs); /* no hooks: the callers are going away too */
    g_hash_table_destroy(o->shares);
    g_hash_table_destroy(o->page_cache);
    pt_mem_free(o->mem);
    buddy_free_all(o->b);
    free(o);
}

int os_proc_get(os *o, uint32_t pid, os_proc **out, vs_err *err)
{
    *out = os_proc_find(o, pid);
    return *out ? VS_OK : proc_new(o, pid, out, err);
}

os_proc *os_proc_find(os *o, uint32_t pid) { return g_hash_table_lookup(o->procs, GUINT_TO_POINTER(pid)); }
uint32_t os_proc_pid(const os_proc *p) { return p->pid; }
const pt_tree *os_proc_tree(const os_proc *p) { return &p->tree; }
pt_mem *os_mem(os *o) { return o->mem; }
unsigned os_levels(const os *o) { return o->p.levels; }
const os_counters *os_get_counters(const os *o) { return &o->c; }
buddy *os_allocator(os *o) { return o->b; }

/* ---- faults ---- */

/* The largest size the policy allows at va (see the header comment). */
static vs_pgsz choose_size(os *o, os_proc *p, uint64_t va)
{
    int largest = buddy_largest_free_order(o->b);
    for (vs_pgsz s = (vs_pgsz)o->p.policy; s > VS_PG_4K; s--)
        if (pt_region_empty(&p->tree, va, s) && largest >= (int)size_order(s))
            return s;
    return VS_PG_4K;
}

static int demand_map(os *o, os_proc *p, uint64_t va, os_fault_info *info, vs_err *err)
{
    vs_pgsz size = choose_size(o, p, va);
    uint64_t va_base = va & ~(size_bytes(size) - 1), pa_base;
    if (!frame_alloc(o, size, &pa_base))
        return out_of_memory(o, err, "demand-paging va 0x%llx of pid %u", (unsigned long long)va, p->pid);
    int rc = pt_map(&p->tree, va_base, pa_base, size, LEAF_FLAGS, &p->ops, err);
    if (rc != VS_OK) {
        frame_release(o, pa_base, size);
        return rc == VS_E_LIMIT ? out_of_memory(o, err, "allocating page tables for va 0x%llx of pid %u",
                                                 (unsigned long long)va, p->pid)
                                  : rc;
    }
    o->c.faults_map++;
    o->c.pages_mapped[size]++;
    o->c.thp_fallbacks += o->p.policy != OS_PAGES_4K && size == VS_PG_4K;
    info->kind = OS_FAULT_MAP;
    info->size = size;
    info->pa_base = pa_base;
    return VS_OK;
}

static int cow(os *o, os_proc *p, uint64_t va, vs_pgsz size, uint64_t pte, os_fault_info *info, vs_err *err)
{
    uint64_t span = size_bytes(size), va_base = va & ~(span - 1);
    uint64_t old_base = pte_addr(pte) & ~(span - 1), new_base = old_base;
    if (share_count(o, old_base) >= 2) {
        if (!frame_alloc(o, size, &new_base))
            return out_of_memory(o, err, "copying the copy-on-write page at va 0x%llx of pid %u",
                                 (unsigned long long)va, p->pid);
        frame_release(o, old_base, size);
    }
    uint64_t leaf = new_base | PTE_P | LEAF_FLAGS | (pte & PTE_PS);
    bool mapped = pt_update_leaf(&p->tree, va_base, leaf, &p->ops);
    assert(mapped);
    (void)mapped;
    report_unmapped(o, p->pid, va_base, size);
    o->c.faults_cow++;
    info->kind = OS_FAULT_COW;
    info->size = size;
    info->pa_base = new_base;
    return VS_OK;
}

int os_fault(os *o, os_proc *p, uint64_t va, bool write, os_fault_info *info, vs_err *err)
{
    if (!pt_va_canonical(va, o->p.levels))
        return vs_fail(err, VS_E_USAGE, "os: pid %u touched va 0x%llx, not canonical for %u-level paging (2: 32-bit)",
                       p->pid, (unsigned long long)va, o->p.levels);
    uint64_t tables0 = o->c.tables_resident, ptes0 = o->c.ptes_written, pa, pte;
    vs_pgsz size;
    int rc = VS_OK;
    *info = (os_fault_info){0};
    if (!pt_lookup(&p->tree, va, &pa, &size, &pte))
        rc = demand_map(o, p, va, info, err);
    else if (write && !(pte & PTE_RW))
        rc = cow(o, p, va, size, pte, info, err);
    else {
        info->kind = OS_FAULT_NONE;
        info->size = size;
        info->pa_base = pa & ~(size_bytes(size) - 1);
    }
    info->tables_added = (unsigned)(o->c.tables_resident - tables0);
    info->ptes_written = (unsigned)(o->c.ptes_written - ptes0);
    return rc;
}

/* ---- unmap ---- */

/* Replaces the large leaf at base (size, entry pte) by 512 leaves of the next
 * smaller size over the same frames, with the same permissions and A/D bits. */
static int split_leaf(os *o, os_proc *p, uint64_t base, vs_pgsz size, uint64_t pte, vs_err *err)
{
    uint64_t span = size_bytes(size), pa_base = pte_addr(pte) & ~(span - 1);
    if (share_count(o, pa_base) >= 2)
        return vs_fail(err, VS_E_USAGE,
                       "os: pid %u unmaps part of the %s page at va 0x%llx, shared copy-on-write since a fork; "
                       "splitting a shared large page is not modelled (unmap all of it, or use `guest.pages = 4k`)",
                       p->pid, vs_pgsz_name(size), (unsigned long long)base);
    vs_pgsz piece = size - 1;
    uint64_t step = size_bytes(piece), flags = pte & (PTE_RW | PTE_US | PTE_A | PTE_D);
    bool was = pt_unmap(&p->tree, base, &p->ops, NULL, NULL);
    assert(was);
    (void)was;
    for (uint64_t off = 0; off < span; off += step) {
        int rc = pt_map(&p->tree, base + off, pa_base + off, piece, flags, &p->ops, err);
        if (rc != VS_OK) { /* only the first map allocates (the one new table): restore the leaf */
            assert(off == 0);
            rc = pt_map(&p->tree, base, pa_base, size, flags, &p->ops, err);
            assert(rc == VS_OK);
            return out_of_memory(o, err, "splitting the %s page at va 0x%llx of pid %u", vs_pgsz_name(size),
                                 (unsigned long long)base, p->pid);
        }
    }
    return VS_OK;
}

/* The end of the empty aligned region around va of the largest size that
 * holds no leaf and no table, or va when va's 4 KiB page may be mapped. */
static uint64_t skip_empty(const os *o, const os_proc *p, uint64_t va)
{
    if (pt_is_32bit(o->p.levels))
        return va;
    for (vs_pgsz s = VS_PG_1G; s > VS_PG_4K; s--)
        if (pt_region_empty(&p->tree, va, s))
            return (va | (size_bytes(s) - 1)) + 1;
    return va;
}

int os_unmap(os *o, os_proc *p, uint64_t va, uint64_t len, os_unmap_info *info, vs_err *err)
{
    uint64_t page = size_bytes(VS_PG_4K), end = va + len;
    *info = (os_unmap_info){.stride = VS_PG_1G};
    if ((va | len) & (page - 1) || len == 0 || end < va || !pt_va_canonical(va, o->p.levels) ||
        !pt_va_canonical(end - 1, o->p.levels) || (va >> 63) != ((end - 1) >> 63))
        return vs_fail(err, VS_E_USAGE,
                       "os: pid %u unmaps %llu bytes at va 0x%llx; expected a non-empty range of whole 4 KiB "
                       "pages inside one canonical half of the %u-bit address space",
                       p->pid, (unsigned long long)len, (unsigned long long)va, pt_va_bits(o->p.levels));
    for (uint64_t a = va; a < end && a >= va;) {
        uint64_t next = skip_empty(o, p, a), pa, pte;
        vs_pgsz size;
        if (next != a) {
            a = next;
            continue;
        }
        if (!pt_lookup(&p->tree, a, &pa, &size, &pte)) {
            a += page;
            continue;
        }
        uint64_t span = size_bytes(size), base = a & ~(span - 1);
        if (base < va || base + span > end) {
            int rc = split_leaf(o, p, base, size, pte, err);
            if (rc != VS_OK)
                return rc;
            continue; /* a is now covered by a smaller leaf */
        }
        pt_unmap(&p->tree, base, &p->ops, NULL, NULL);
        frame_release(o, pte_addr(pte) & ~(span - 1), size);
        info->tables_freed += pt_prune(&p->tree, base, &p->ops);
        info->lo = info->leaves_cleared ? info->lo : base;
        info->hi = base + span;
        info->stride = size < info->stride ? size : info->stride;
        info->leaves_cleared++;
        a = base + span;
    }
    return VS_OK;
}

/* ---- kmap ---- */

int os_kmap(os *o, os_proc *p, uint64_t va, uint32_t page, vs_err *err)
{
    uint64_t pte, pa;
    vs_pgsz size;
    if (!pt_va_canonical(va, o->p.levels) || !pt_lookup(&p->tree, va, NULL, &size, &pte))
        return vs_fail(err, VS_E_USAGE,
                       "os: pid %u kmaps page-cache page %u at va 0x%llx, which it has not mapped; expected the "
                       "present leaf of a fixmap slot (a kmap rewrites a present PTE: touch the slot first)",
                       p->pid, page, (unsigned long long)va);
    if (size != VS_PG_4K)
        return vs_fail(err, VS_E_USAGE,
                       "os: pid %u kmaps page-cache page %u at va 0x%llx, mapped by a %s page; expected a 4 KiB "
                       "leaf (a fixmap slot)",
                       p->pid, page, (unsigned long long)va, vs_pgsz_name(size));
    gpointer key = GUINT_TO_POINTER(page), pfn;
    if (g_hash_table_lookup_extended(o->page_cache, key, NULL, &pfn))
        pa = (uint64_t)GPOINTER_TO_SIZE(pfn) << VS_PAGE_SHIFT_4K;
    else if (frame_alloc(o, VS_PG_4K, &pa))
        g_hash_table_insert(o->page_cache, key, GSIZE_TO_POINTER(pa >> VS_PAGE_SHIFT_4K));
    else
        return out_of_memory(o, err, "reading page-cache page %u for pid %u's kmap at va 0x%llx", page, p->pid,
                             (unsigned long long)va);
    share_add(o, pa);                              /* the cache's reference and the slot's (first: pa may be pte's) */
    frame_release(o, pte_addr(pte), VS_PG_4K);     /* what the slot mapped: anonymous memory or a cached page */
    bool mapped = pt_update_leaf(&p->tree, va, pa | PTE_P | KMAP_FLAGS, &p->ops);
    assert(mapped);
    (void)mapped;
    return VS_OK;
}

/* ---- fork, exec, exit ---- */

int os_fork(os *o, os_proc *parent, uint32_t child_pid, vs_err *err)
{
    if (os_proc_find(o, child_pid))
        return vs_fail(err, VS_E_USAGE, "os: fork of pid %u to pid %u, which already exists", parent->pid,
                       child_pid);
    os_proc *child;
    int rc = proc_new(o, child_pid, &child, err);
    if (rc != VS_OK)
        return rc;
    GArray *leaves = g_array_new(FALSE, FALSE, sizeof(leaf_rec));
    pt_for_each_leaf(&parent->tree, collect_leaf, leaves);
    for (guint i = 0; i < leaves->len && rc == VS_OK; i++) {
        const leaf_rec *r = &g_array_index(leaves, leaf_rec, i);
        uint64_t span = size_bytes(r->size), pa_base = pte_addr(r->pte) & ~(span - 1);
        /* the child's copy is old (A clear, as Linux's fork does) and read-only */
        rc = pt_map(&child->tree, r->va, pa_base, r->size, r->pte & (PTE_US | PTE_D), &child->ops, err);
        if (rc != VS_OK) {
            rc = out_of_memory(o, err, "copying page tables from pid %u to pid %u at fork (va 0x%llx)",
                               parent->pid, child_pid, (unsigned long long)r->va);
            break;
        }
        share_add(o, pa_base);
        if (r->pte & PTE_RW) {
            pt_update_leaf(&parent->tree, r->va, r->pte & ~PTE_RW, &parent->ops);
            report_unmapped(o, parent->pid, r->va, r->size);
        }
    }
    g_array_free(leaves, TRUE);
    if (rc != VS_OK) {
        proc_destroy(o, child);
        return rc;
    }
    o->c.forks++;
    return VS_OK;
}

int os_exec(os *o, os_proc *p, vs_err *err)
{
    space_teardown(o, p);
    /* the old root was just freed, so a frame for the new one exists */
    int rc = pt_tree_init(&p->tree, o->mem, o->p.levels, &p->ops, err);
    assert(rc == VS_OK);
    o->c.execs++;
    return rc;
}

void os_exit(os *o, os_proc *p)
{
    proc_destroy(o, p);
    o->c.exits++;
}
