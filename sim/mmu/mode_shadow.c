/*
 * mode_shadow.c: shadow paging, the VMM's software virtualization of the MMU
 * (Bae, Lange and Dinda, "Comparing Approaches to Virtualized Page
 * Translation in Modern VMMs", NWU-EECS-10-07, sec. 2; Intel's "virtual TLB",
 * SDM 3C ch. 32 of older editions) -- the core shared by the three variants,
 * and the plain variant `shadow`.  mode_shadow_cache.c and
 * mode_shadow_prefetch.c hold the other two policies.
 *
 * Hardware.  The MMU walks the shadow table (GVA -> HPA), a 1D walk over host
 * table pages (hv_tables) through the guest-dimension page-walk caches:
 * exactly `guest.levels` references per 4 KiB walk without caches, as native.
 * Shadow table pages come from host memory (hv_alloc_table).
 *
 * Hidden fault.  A missing (or, for a store, read-only) shadow entry exits to
 * the VMM (cost.vmexit round trip + cost.exit_hidden).  The VMM walks the
 * guest page table in software: each guest entry it reads is one reference
 * (vmm_refs) through the cache hierarchy at the host address of the guest
 * table, found with hv_translate (a guest frame not yet backed is backed with
 * hv_back, priced cost.exit_ept).  It then fills the shadow path, allocating
 * shadow tables; every entry written counts shadow_entries_written and
 * cost.shadow_entry.  The shadow leaf is min(guest leaf, host backing): a
 * 2 MiB guest page on 4 KiB backing is split into a shadow table of its own.
 *
 * Guest fault.  When the guest entry is not present (or read-only for a
 * store) the fault is the guest's: the VMM injects it (exits.guest_fault:
 * cost.vmexit + cost.exit_guest_fault), the guest OS handles it (its entry
 * writes arrive through pte_written), and the access retries, takes a hidden
 * fault and fills the shadow.  So a first touch costs a guest fault and a
 * hidden fault; a touch after a flush, a hidden fault.
 *
 * Variants (the policy):
 *  - shadow: one shadow per VM.  A guest CR3 write exits (cost.exit_cr3) and
 *    flushes the shadow -- every shadow table page freed, every entry counted
 *    dropped -- so each context switch rebuilds it one entry per hidden fault
 *    (paper sec. 2.1, "rebuilt, one page table entry at a time").  Guest page
 *    tables are not write-protected; the guest's own invalidations keep the
 *    shadow coherent: INVLPG records exit (cost.exit_invlpg) and drop the
 *    entry, and a guest write that changes a present entry (a copy-on-write
 *    remap) is followed by the INVLPG the architecture requires (SDM 3A
 *    4.10.4.1), which the engine issues as the guest's (sim_fault.c: one
 *    path, counted in events.invlpg) and which exits the same way.  A
 *    batched write (mode.h: fork's
 *    write protection, an unmap, an exiting address space) is not seen at
 *    all: the guest's flush after the batch (a CR3 reload, which drops the
 *    whole shadow as any CR3 write does here, or INVLPGs) or the end of the
 *    address space does the rest.
 *  - shadow-cache: one shadow per guest root, kept across switches; a CR3
 *    write exits only to switch roots (sec. 2.2).  As in KVM
 *    (kvm_mmu_track_write, account_shadowed) only the guest table pages a
 *    shadow table currently shadows are write-protected: a guest write to
 *    one is a pt_write exit (cost.exit_pt_write + one reference to emulate
 *    the write) that drops the shadow entries derived from that guest entry
 *    in every shadow (a reverse map, guest table page -> shadow table pages,
 *    per VM); a write to any other guest table page costs what it costs
 *    under plain shadow (nothing for a new entry).  Either way a change of
 *    a present entry outside a batch is followed by the guest's INVLPG,
 *    which exits (KVM intercepts INVLPG whenever it shadows) and leaves the
 *    entries of a write-protected table alone: its writes trapped already
 *    (KVM's FNAME(invlpg), paging_tmpl.h of Linux 3.x-4.x, acts on unsync
 *    pages only).
 *    Write flooding (shadow.flood_writes, KVM's detect_write_flooding): a
 *    shadow table (non-leaf only, with shadow.unsync) that takes that many
 *    emulated writes with no hidden fault walking through it between is
 *    unshadowed whole (its
 *    entries dropped at cost.shadow_entry each, the TLB flushed for its tag),
 *    so its guest page stops exiting; a fault through it clears the count.
 *    Unsync leaves (shadow.unsync, KVM's mmu_try_to_unsync_pages): a write
 *    to a guest page that only leaf shadow tables shadow exits once
 *    (cost.exit_hidden: the VMM's fault path, no emulation) and unprotects
 *    it; later writes are free but for the INVLPG that follows a change of a
 *    present entry, whose exit re-reads that one guest entry and rewrites
 *    the shadow entry from it (FNAME(invlpg) -> FNAME(update_pte); later
 *    kernels kvm_mmu_invalidate_addr -> kvm_sync_spte): the guest's next
 *    touch takes no hidden fault.  A CR3 write resyncs the loaded shadow's unsync tables:
 *    each guest page re-read in one burst, stale entries dropped, protected
 *    again.
 *  - shadow-prefetch: plain shadow's flush on CR3 writes, but a hidden fault
 *    fills the whole shadow table page holding the leaf from the guest's
 *    table page (sec. 2.3), read as one burst of cache lines (64 references
 *    for 512 entries in 64-byte lines), with shadowed guest tables
 *    write-protected like shadow-cache so prefetched entries stay coherent.
 *
 * Bounded cache (shadow.max_pages, shadow.lru).  A VM keeps at most that
 * many shadow table pages, as KVM (n_max_mmu_pages) and Palacios's shadow
 * cache (8,192 pages) do; a new table at the limit first evicts a non-root
 * one with its subtree (make_room), oldest created first (KVM) or least
 * recently walked by a hidden fault (Palacios, shadow.lru).
 *
 * TLB coherence.  Whenever a shadow entry the TLB may hold is dropped the
 * mode asks the engine to drop it: tlb_invlpg for a leaf, tlb_flush_tag when
 * a whole subtree goes (plus cost.tlb_flush).  The engine flushes on CR3
 * writes itself only without PCID; with tlb.pcid the flush of a shadow
 * flushes its tag here.  The split paging-structure caches are flushed for a
 * tag whenever a shadow table of that tag is freed; the unified cache
 * (keyed by entry address) drops every freed or changed entry.
 *
 * Invariants: every shadow table page is in `meta` exactly while attached;
 * a table that shadows a guest table page is in that page's reverse-map list,
 * and under a protecting policy that page is write-protected exactly while
 * its list is not empty;
 * a present non-leaf shadow entry points to a table whose meta names it as
 * parent; shadow_entries_dropped counts each present entry removed once;
 * vm_pages[v] is the number of tables of VM v in `meta`, and with
 * shadow.max_pages it exceeds the limit only while every other table of v is
 * a root or on the fill in progress.
 */
#include "mode_shadow_int.h"
#include "hv.h"
#include "walk.h"

#include <assert.h>
#include <glib.h>
#include <stdlib.h>

#define NO_SOURCE UINT64_MAX  /* a split table shadows no guest table page */
#define SHADOW_TABLE_FLAGS (PTE_P | PTE_RW | PTE_US) /* permissions live in the leaves */
#define RMAP_VM_SHIFT 40      /* guest frames stay below 2^38 (guest.mem <= 2^50) */

typedef struct stree {
    uint64_t key;   /* vm_id << 32 | pid */
    uint64_t groot; /* guest root frame it shadows */
    uint64_t root;  /* its root table, host frame */
    uint16_t tag;
} stree;

typedef struct stable { /* one shadow table page */
    stree *tree;
    uint64_t spfn;
    uint64_t gpfn;         /* guest table page shadowed, or NO_SOURCE */
    uint64_t parent_entry; /* host address of the entry pointing here; 0 for a root */
    uint64_t va_base;      /* first virtual address it maps (not sign-extended) */
    unsigned level;
    uint32_t vm_id;
    uint32_t flood; /* emulated writes since a fault last walked through it */
    GList age; /* its place in its VM's eviction queue (data: this stable) */
    bool unsync;    /* a leaf table the guest writes without exits until the next resync */
    bool upper_rw;  /* the AND of RW over the guest entries above it (KVM's sp->role.access) */
} stable;

struct shadow {
    mode_env env;
    const shadow_policy *pol;
    pwc_split *split;
    pwc_unified *unified;
    unsigned levels;
    pt_mem *tables;
    GHashTable *trees; /* key -> stree* */
    GHashTable *meta;  /* spfn -> stable* */
    GHashTable *rmap;  /* vm_id << RMAP_VM_SHIFT | gpfn -> GPtrArray of stable* */
    GPtrArray *unsync; /* the stables with unsync set */
    uint32_t *vm_pid;  /* per VM: the process whose root the VM last loaded (0: none) */
    uint64_t *vm_pages; /* per VM: shadow table pages attached (shadow.max_pages bounds it) */
    GQueue *vm_age;     /* per VM: its tables, the next victim first (created, or with shadow.lru walked, last at the tail) */
    uint64_t built, flushes, prefetched, flooded, unsynced, resynced, evicted, updated; /* for the report */
    /* The leaf shadow entry update_leaves wrote last (KVM 61's per-vCPU
     * last_pte_updated): its table (NO_SOURCE: none) and page; a walk that
     * uses it clears the table's flood count, as a hidden fault through the
     * table does. */
    uint64_t upd_spfn, upd_page;
};

static gpointer key_ptr(uint64_t k) { return GSIZE_TO_POINTER((gsize)k); }
static uint64_t tree_key(const mode_space *sp) { return (uint64_t)sp->vm_id << 32 | sp->pid; }
static uint64_t rmap_key(uint32_t vm_id, uint64_t gpfn) { return (uint64_t)vm_id << RMAP_VM_SHIFT | gpfn; }

/* The index of the guest entry at entry_gpa in its table page. */
static unsigned entry_index(const shadow *s, uint64_t entry_gpa)
{
    return (unsigned)(entry_gpa & ((1u << VS_PAGE_SHIFT_4K) - 1)) / pt_entry_bytes(s->levels);
}

static unsigned level_shift(const shadow *s, unsigned level)
{
    return VS_PAGE_SHIFT_4K + pt_level_bits(s->levels) * (level - 1);
}

/* va's 4 KiB page number within the guest's address width (as va_base). */
static uint64_t va_page(const shadow *s, uint64_t va)
{
    return (va & ((1ull << level_shift(s, s->levels + 1)) - 1)) >> VS_PAGE_SHIFT_4K;
}
/* Shadow tables have the guest's format (pt.h): for a 32-bit guest 32-bit
 * tables, as Palacios builds pde32/pte32 shadows for a guest in protected
 * mode (vmm_shdw_pg_tlb_32.h, handle_shadow_pagefault_32). */
static uint64_t slot_addr(const shadow *s, uint64_t spfn, unsigned index)
{
    return (spfn << VS_PAGE_SHIFT_4K) + (uint64_t)pt_entry_bytes(s->levels) * index;
}
static uint64_t read_slot(const shadow *s, uint64_t entry) { return pt_read_entry_in(s->tables, entry, s->levels); }
static void write_slot(shadow *s, uint64_t entry, uint64_t pte) { pt_write_entry_in(s->tables, entry, pte, s->levels); }
static uint64_t span_of(vs_pgsz size) { return 1ull << vs_pgsz_shift(size); }

static uint64_t canonical(const shadow *s, uint64_t va)
{
    unsigned unused = 64 - pt_va_bits(s->levels);
    if (pt_is_32bit(s->levels))
        return va; /* 32-bit vas are not sign-extended (pt.h) */
    return (uint64_t)((int64_t)(va << unused) >> unused);
}

/* ---- cost accounting ---- */

static void put_entry(shadow *s, uint64_t entry, uint64_t pte)
{
    write_slot(s, entry, pte);
    s->env.st->shadow_entries_written++;
    s->env.st->exit_cycles += s->env.cfg->cost_shadow_entry;
}

static void count_dropped(shadow *s, uint64_t n)
{
    s->env.st->shadow_entries_dropped += n;
    s->env.st->exit_cycles += n * s->env.cfg->cost_shadow_entry;
}

static void flush_tlb_tag(shadow *s, uint16_t tag)
{
    s->env.tlb_flush_tag(s->env.sim, tag);
    s->env.st->exit_cycles += s->env.cfg->cost_tlb_flush;
}

/* An exit.  Without ASIDs (vmm.exit_flushes_tlb, Palacios) the entry
 * flushes the TLBs (mode_exit) and, with them, the paging-structure caches. */
static void shadow_exit(shadow *s, exit_reason reason, uint64_t handler)
{
    mode_exit(&s->env, reason, handler);
    if (s->env.cfg->vmm_exit_flushes_tlb) {
        if (s->split)
            pwc_split_flush(s->split);
        if (s->unified)
            pwc_unified_flush(s->unified);
    }
}

const mode_env *shadow_env(const shadow *s) { return &s->env; }

/* KVM write-tracks a guest frame while an indirect shadow page shadows it
 * (account_shadowed); the reverse map holds exactly those frames. */
bool shadow_write_protects(const void *state, uint32_t vm_id, uint64_t gpfn)
{
    const shadow *s = state;
    GPtrArray *a = s->pol->write_protect ? g_hash_table_lookup(s->rmap, key_ptr(rmap_key(vm_id, gpfn))) : NULL;
    for (unsigned i = 0; a && i < a->len; i++)
        if (!((stable *)g_ptr_array_index(a, i))->unsync)
            return true;
    return false;
}

uint64_t shadow_write_protected_count(const void *state)
{
    const shadow *s = state;
    uint64_t n = 0;
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, s->rmap);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        uint64_t key = (uint64_t)GPOINTER_TO_SIZE(k);
        n += shadow_write_protects(s, (uint32_t)(key >> RMAP_VM_SHIFT), key & ((1ull << RMAP_VM_SHIFT) - 1));
    }
    return n;
}

uint64_t shadow_table_pages(const void *state, uint32_t vm_id) { return ((const shadow *)state)->vm_pages[vm_id]; }

/* KVM's mmu_try_to_unsync_pages: with shadow.unsync a write to a guest page
 * that only leaf shadow tables shadow unprotects it (every shadow of it goes
 * unsync) instead of being emulated.  True when it did. */
static bool try_unsync(shadow *s, uint32_t vm_id, uint64_t gpfn)
{
    GPtrArray *a = g_hash_table_lookup(s->rmap, key_ptr(rmap_key(vm_id, gpfn)));
    if (!s->env.cfg->shadow_unsync || !a)
        return false;
    for (unsigned i = 0; i < a->len; i++)
        if (((stable *)g_ptr_array_index(a, i))->level != 1)
            return false; /* upper levels stay write-tracked */
    for (unsigned i = 0; i < a->len; i++) {
        stable *m = g_ptr_array_index(a, i);
        if (!m->unsync) {
            m->unsync = true;
            g_ptr_array_add(s->unsync, m);
            s->unsynced++;
        }
    }
    return true;
}

void shadow_count_prefetched(shadow *s, uint64_t n) { s->prefetched += n; }

/* ---- shadow table pages, the reverse map, whole shadows ---- */

static void rmap_add(shadow *s, stable *m)
{
    if (m->gpfn == NO_SOURCE)
        return;
    gpointer k = key_ptr(rmap_key(m->vm_id, m->gpfn));
    GPtrArray *a = g_hash_table_lookup(s->rmap, k);
    if (!a) {
        a = g_ptr_array_new();
        g_hash_table_insert(s->rmap, k, a);
    }
    g_ptr_array_add(a, m);
}

static void rmap_remove(shadow *s, stable *m)
{
    if (m->gpfn == NO_SOURCE)
        return;
    gpointer k = key_ptr(rmap_key(m->vm_id, m->gpfn));
    GPtrArray *a = g_hash_table_lookup(s->rmap, k);
    bool found = a && g_ptr_array_remove(a, m);
    assert(found);
    (void)found;
    if (a->len == 0)
        g_hash_table_remove(s->rmap, k);
}

static stable *meta_add(shadow *s, stree *t, uint32_t vm_id, uint64_t spfn, uint64_t gpfn, uint64_t parent_entry,
                        uint64_t va_base, unsigned level, bool upper_rw)
{
    stable *m = vs_malloc(sizeof *m);
    *m = (stable){.tree = t, .spfn = spfn, .gpfn = gpfn, .parent_entry = parent_entry, .va_base = va_base,
                  .level = level, .vm_id = vm_id, .upper_rw = upper_rw};
    m->age.data = m;
    g_queue_push_tail_link(&s->vm_age[vm_id], &m->age);
    g_hash_table_insert(s->meta, key_ptr(spfn), m);
    s->vm_pages[vm_id]++;
    rmap_add(s, m);
    return m;
}

/* Frees a shadow table page and everything below it; its entries are dropped. */
static void free_table(shadow *s, uint64_t spfn, unsigned level)
{
    unsigned idx[PT_ENTRIES_32BIT];
    uint64_t ptes[PT_ENTRIES_32BIT];
    unsigned n = pt_mem_present_in(s->tables, spfn, s->levels, idx, ptes);
    uint64_t dropped = 0;
    for (unsigned k = 0; k < n; k++) {
        unsigned i = idx[k];
        uint64_t pte = ptes[k];
        if (!(pte & PTE_P))
            continue;
        dropped++;
        if (s->unified)
            pwc_unified_invalidate(s->unified, slot_addr(s, spfn, i));
        if (level > 1 && !(pte & PTE_PS))
            free_table(s, pte_addr(pte) >> VS_PAGE_SHIFT_4K, level - 1);
    }
    count_dropped(s, dropped);
    stable *m = g_hash_table_lookup(s->meta, key_ptr(spfn));
    assert(m);
    rmap_remove(s, m);
    if (m->unsync)
        g_ptr_array_remove_fast(s->unsync, m);
    if (s->upd_spfn == spfn)
        s->upd_spfn = NO_SOURCE;
    s->vm_pages[m->vm_id]--;
    g_queue_unlink(&s->vm_age[m->vm_id], &m->age);
    g_hash_table_remove(s->meta, key_ptr(spfn));
    hv_free_table(s->env.hv, spfn);
}

/* Drops a whole shadow.  flush_tlb: the engine has not already flushed its tag. */
static void tree_drop(shadow *s, stree *t, bool flush_tlb)
{
    free_table(s, t->root, s->levels);
    if (s->split)
        pwc_split_flush_tag(s->split, t->tag);
    if (flush_tlb)
        flush_tlb_tag(s, t->tag);
    g_hash_table_remove(s->trees, key_ptr(t->key));
}

/* Removes a non-root shadow table (and its subtree) from its parent entry. */
static void unlink_table(shadow *s, stable *m, bool flush_tlb)
{
    stree *t = m->tree;
    if (m->parent_entry == 0) {
        tree_drop(s, t, flush_tlb);
        return;
    }
    write_slot(s, m->parent_entry, 0);
    if (s->unified)
        pwc_unified_invalidate(s->unified, m->parent_entry);
    count_dropped(s, 1);
    free_table(s, m->spfn, m->level);
    if (s->split)
        pwc_split_flush_tag(s->split, t->tag);
    if (flush_tlb)
        flush_tlb_tag(s, t->tag);
}

/* Drops entry `index` of shadow table m, whatever it maps. */
static void drop_slot(shadow *s, stable *m, unsigned index, bool flush_tlb)
{
    uint64_t entry = slot_addr(s, m->spfn, index);
    uint64_t pte = read_slot(s, entry);
    if (!(pte & PTE_P))
        return;
    if (m->level > 1 && !(pte & PTE_PS)) {
        stable *child = g_hash_table_lookup(s->meta, key_ptr(pte_addr(pte) >> VS_PAGE_SHIFT_4K));
        assert(child && child->parent_entry == entry);
        unlink_table(s, child, flush_tlb);
        return;
    }
    write_slot(s, entry, 0);
    if (s->unified)
        pwc_unified_invalidate(s->unified, entry);
    count_dropped(s, 1);
    if (flush_tlb)
        s->env.tlb_invlpg(s->env.sim, m->tree->tag,
                          canonical(s, m->va_base | (uint64_t)index << level_shift(s, m->level)));
}

/* KVM's detect_write_flooding: a shadow table written shadow.flood_writes
 * times with no fault walking through it is probably no page table any more
 * (or the guest is forking); it is unshadowed.  With shadow.unsync leaf
 * tables are exempt, as in KVM since 2.6.27, where they go unsync instead;
 * without it every level counts, as in KVM 61's fork detector
 * (kvm_mmu_pte_write: last_pt_write_count >= 3 zaps the frame's shadows). */
static bool flooded(shadow *s, stable *m)
{
    uint32_t limit = s->env.cfg->shadow_flood_writes;
    return limit && (m->level > 1 || !s->env.cfg->shadow_unsync) && ++m->flood >= limit;
}

/* After an emulated write to the guest entry at entry_gpa: drops every
 * shadow entry derived from it; the write counts towards write flooding,
 * and a flooded table goes whole. */
static void invalidate_guest_entry(shadow *s, uint32_t vm_id, uint64_t entry_gpa)
{
    GPtrArray *a = g_hash_table_lookup(s->rmap, key_ptr(rmap_key(vm_id, entry_gpa >> VS_PAGE_SHIFT_4K)));
    if (!a)
        return;
    /* Dropping may free tables and edit lists; work from a copy of the frames. */
    unsigned n = a->len;
    uint64_t *spfns = vs_malloc(n * sizeof *spfns);
    for (unsigned i = 0; i < n; i++)
        spfns[i] = ((stable *)g_ptr_array_index(a, i))->spfn;
    unsigned index = entry_index(s, entry_gpa);
    for (unsigned i = 0; i < n; i++) {
        stable *m = g_hash_table_lookup(s->meta, key_ptr(spfns[i]));
        if (m && flooded(s, m)) {
            s->flooded++;
            unlink_table(s, m, true);
        } else if (m) {
            drop_slot(s, m, index, true);
        }
    }
    free(spfns);
}

/* A hidden fault walked through m: with shadow.lru it is the most recent. */
static void touch(shadow *s, stable *m)
{
    if (!s->env.cfg->shadow_lru)
        return;
    g_queue_unlink(&s->vm_age[m->vm_id], &m->age);
    g_queue_push_tail_link(&s->vm_age[m->vm_id], &m->age);
}

/* The bounded shadow-page cache (shadow.max_pages).  Before a VM at its
 * limit gets a new shadow table, its victim goes: the first non-root table
 * of its queue -- the oldest created, as KVM zaps from the tail of
 * active_mmu_pages (make_mmu_pages_available), or with shadow.lru the one a
 * hidden fault used least recently, as Palacios pops the tail of its queue
 * (pop_queue_pg; find_shdw_pt moves a page to the head).  The victim is
 * unlinked with its subtree, its entries dropped at cost.shadow_entry each and
 * its tag flushed; the hidden faults that later rebuild it are the re-fill.
 * Roots stay (KVM skips roots in use), and so do the tables of the fill in
 * progress (`path`, npath of them: the root down to the newest).  So a VM may
 * go over the limit when all it has is roots and that path. */
static void make_room(shadow *s, uint32_t vm_id, const uint64_t *path, unsigned npath)
{
    while (s->env.cfg->shadow_max_pages && s->vm_pages[vm_id] >= s->env.cfg->shadow_max_pages) {
        stable *victim = NULL;
        for (GList *l = s->vm_age[vm_id].head; l && !victim; l = l->next) {
            stable *m = l->data;
            bool pinned = m->parent_entry == 0;
            for (unsigned i = 0; i < npath && !pinned; i++)
                pinned = path[i] == m->spfn;
            if (!pinned)
                victim = m;
        }
        if (!victim)
            return;
        s->evicted++;
        unlink_table(s, victim, true);
    }
}

static int tree_get(shadow *s, const mode_space *sp, stree **out, vs_err *err)
{
    uint64_t groot = os_proc_tree(sp->proc)->root_pfn;
    stree *t = g_hash_table_lookup(s->trees, key_ptr(tree_key(sp)));
    if (t && t->groot != groot) {
        tree_drop(s, t, true); /* the guest replaced its root without telling us */
        t = NULL;
    }
    if (!t) {
        uint64_t root;
        make_room(s, sp->vm_id, NULL, 0);
        if (!hv_alloc_table(s->env.hv, &root))
            return vs_fail(err, VS_E_LIMIT,
                           "shadow: host memory exhausted allocating a shadow root for pid %u of VM %u; expected "
                           "a larger host.mem",
                           sp->pid, sp->vm_id);
        t = vs_malloc(sizeof *t);
        *t = (stree){.key = tree_key(sp), .groot = groot, .root = root, .tag = sp->tag};
        g_hash_table_insert(s->trees, key_ptr(t->key), t);
        meta_add(s, t, sp->vm_id, root, groot, 0, 0, s->levels, true);
        s->built++;
    }
    if (s->vm_pid[sp->vm_id] == 0)
        s->vm_pid[sp->vm_id] = sp->pid;
    *out = t;
    return VS_OK;
}

/* ---- the guest walk and the fill (the hidden-fault handler) ---- */

typedef struct gwalk {
    bool present;   /* a leaf was found */
    unsigned level; /* level of the leaf, or of the non-present entry */
    uint64_t pte;
    bool rw, upper_rw;                /* AND of RW along the path, with and without the leaf */
    bool rw_above[PWC_MAX_LEVELS + 1];  /* AND of RW over the entries above the table read at each level */
    uint64_t table[PWC_MAX_LEVELS + 1]; /* guest-physical table read at each level */
} gwalk;

static int guest_walk(shadow *s, const mode_space *sp, uint64_t va, gwalk *g, vs_err *err)
{
    uint64_t table = os_proc_tree(sp->proc)->root_pfn << VS_PAGE_SHIFT_4K;
    *g = (gwalk){.rw = true};
    for (unsigned level = s->levels;; level--) {
        g->table[level] = table;
        g->rw_above[level] = g->rw;
        g->level = level;
        int rc = mode_vmm_read_guest(&s->env, sp, pt_entry_addr(table, va, level, s->levels), &g->pte, err);
        if (rc != VS_OK)
            return rc;
        if (!(g->pte & PTE_P))
            return VS_OK;
        g->upper_rw = g->rw;
        g->rw = g->rw && (g->pte & PTE_RW);
        if (level == 1 || (g->pte & PTE_PS)) {
            g->present = true;
            return VS_OK;
        }
        table = pte_addr(g->pte);
    }
}

static uint64_t leaf_pte(uint64_t hpa, vs_pgsz size, bool rw)
{
    return (hpa & ~(span_of(size) - 1)) | PTE_P | PTE_US | (rw ? PTE_RW : 0) | (size > VS_PG_4K ? PTE_PS : 0);
}

bool shadow_fill_slot(shadow *s, const mode_space *sp, uint64_t spfn, unsigned level, unsigned index,
                      uint64_t gpte, bool upper_rw)
{
    uint64_t entry = slot_addr(s, spfn, index);
    if (!(gpte & PTE_P) || (level > 1 && !(gpte & PTE_PS)) || (read_slot(s, entry) & PTE_P))
        return false;
    vs_pgsz gsize = (vs_pgsz)(level - 1), hsize;
    uint64_t hpa;
    if (!hv_translate(sp->vm, pte_addr(gpte) & ~(span_of(gsize) - 1), &hpa, &hsize) || hsize < gsize)
        return false; /* not backed yet, or split: left to its own hidden fault */
    put_entry(s, entry, leaf_pte(hpa, gsize, upper_rw && (gpte & PTE_RW)));
    return true;
}

/* Fills the entry for va from the guest walk g, building the shadow path to
 * it; then, when burst is set and the leaf is a whole table's, the rest of
 * that table from one read of the guest's (prefetching). */
static int fill(shadow *s, const mode_space *sp, stree *t, uint64_t va, const gwalk *g, shadow_prefetch_fn burst,
                vs_err *err)
{
    vs_pgsz gsize = (vs_pgsz)(g->level - 1), hsize;
    uint64_t gpa = (pte_addr(g->pte) & ~(span_of(gsize) - 1)) | (va & (span_of(gsize) - 1)), hpa;
    int rc = mode_vmm_frame(&s->env, sp, gpa, &hpa, &hsize, err);
    if (rc != VS_OK)
        return rc;
    vs_pgsz size = gsize < hsize ? gsize : hsize;
    unsigned leaf = pt_leaf_level(size);
    uint64_t table = t->root, va_base = 0, path[PWC_MAX_LEVELS + 1];
    unsigned npath = 0;
    for (unsigned level = s->levels; level > leaf; level--) {
        stable *walked = g_hash_table_lookup(s->meta, key_ptr(table));
        walked->flood = 0; /* KVM: FNAME(fetch) */
        touch(s, walked);
        path[npath++] = table;
        unsigned index = pt_index_in(va, level, s->levels);
        uint64_t entry = slot_addr(s, table, index);
        uint64_t pte = read_slot(s, entry);
        uint64_t child_base = va_base | (uint64_t)index << level_shift(s, level);
        if ((pte & PTE_P) && (pte & PTE_PS)) { /* a larger shadow leaf than the mapping now allows */
            stable *m = g_hash_table_lookup(s->meta, key_ptr(table));
            drop_slot(s, m, index, true);
            pte = 0;
        }
        if (!(pte & PTE_P)) {
            uint64_t spfn;
            make_room(s, sp->vm_id, path, npath);
            if (!hv_alloc_table(s->env.hv, &spfn))
                return vs_fail(err, VS_E_LIMIT,
                               "shadow: host memory exhausted allocating a shadow table for va 0x%llx; expected "
                               "a larger host.mem",
                               (unsigned long long)va);
            uint64_t gsrc = level - 1 >= g->level ? g->table[level - 1] >> VS_PAGE_SHIFT_4K : NO_SOURCE;
            meta_add(s, t, sp->vm_id, spfn, gsrc, entry, child_base, level - 1,
                     gsrc != NO_SOURCE && g->rw_above[level - 1]);
            pte = spfn << VS_PAGE_SHIFT_4K | SHADOW_TABLE_FLAGS;
            put_entry(s, entry, pte);
        }
        table = pte_addr(pte) >> VS_PAGE_SHIFT_4K;
        va_base = child_base;
    }
    stable *m = g_hash_table_lookup(s->meta, key_ptr(table));
    m->flood = 0; /* the written entry was used (KVM 61: last_updated_pte_accessed) */
    touch(s, m);
    unsigned index = pt_index_in(va, leaf, s->levels);
    drop_slot(s, m, index, true); /* a stale entry (read-only, or a table where a leaf now goes) */
    put_entry(s, slot_addr(s, table, index), leaf_pte(hpa, size, g->rw));
    if (burst && leaf == g->level)
        return burst(s, sp, table, g->table[leaf], leaf, g->upper_rw, err);
    return VS_OK;
}

/* One address in each guest leaf table, in address order (pt_for_each_leaf). */
typedef struct leaf_tables {
    const shadow *s;
    GArray *va;
    uint64_t last; /* the last table's first address, shifted, plus one; 0: none yet */
} leaf_tables;

static void note_leaf_table(void *ctx, uint64_t va, uint64_t pte, vs_pgsz size)
{
    (void)pte;
    leaf_tables *lt = ctx;
    uint64_t table = (va >> level_shift(lt->s, pt_leaf_level(size) + 1)) << 2 | (uint64_t)size; /* its table, by level */
    if (table + 1 != lt->last) {
        g_array_append_val(lt->va, va);
        lt->last = table + 1;
    }
}

int shadow_prefill(void *state, const mode_space *sp, shadow_prefetch_fn burst, vs_err *err)
{
    shadow *s = state;
    stree *t = NULL;
    int rc = tree_get(s, sp, &t, err);
    leaf_tables lt = {.s = s, .va = g_array_new(FALSE, FALSE, sizeof(uint64_t))};
    if (rc == VS_OK)
        pt_for_each_leaf(os_proc_tree(sp->proc), note_leaf_table, &lt);
    for (guint i = 0; i < lt.va->len && rc == VS_OK; i++) {
        uint64_t va = g_array_index(lt.va, uint64_t, i);
        gwalk g;
        rc = guest_walk(s, sp, va, &g, err);
        if (rc == VS_OK && g.present)
            rc = fill(s, sp, t, va, &g, burst, err);
    }
    g_array_free(lt.va, TRUE);
    return rc;
}

/* The exit taken when the shadow walk failed: a guest fault or a hidden fault. */
static int shadow_fault(shadow *s, const mode_space *sp, stree *t, uint64_t va, bool write, vs_err *err)
{
    gwalk g;
    int rc = guest_walk(s, sp, va, &g, err);
    if (rc != VS_OK)
        return rc;
    if (!g.present || (write && !g.rw)) {
        shadow_exit(s, EXIT_GUEST_FAULT, s->env.cfg->cost_exit_guest_fault);
        return MODE_FAULT; /* injected: the guest OS handles it */
    }
    shadow_exit(s, EXIT_HIDDEN_FAULT, s->env.cfg->cost_exit_hidden);
    rc = fill(s, sp, t, va, &g, s->pol->prefetch, err);
    return rc == VS_OK ? MODE_RETRY : rc;
}

int shadow_translate(void *state, const mode_space *sp, uint64_t va, unsigned access, tlb_entry *out,
                     vs_err *err)
{
    shadow *s = state;
    bool write = access & ACCESS_WRITE;
    stree *t = NULL;
    int rc = tree_get(s, sp, &t, err);
    if (rc != VS_OK)
        return rc;
    walk_req req = {.tables = s->tables,
                    .root = t->root << VS_PAGE_SHIFT_4K,
                    .levels = s->levels,
                    .bits32 = pt_is_32bit(s->levels),
                    .va = va,
                    .tag = sp->tag,
                    .split = s->split,
                    .unified = s->unified,
                    .pwc_latency = s->env.cfg->pwc_latency,
                    .mem = s->env.mem};
    rc = mode_walk_entry(&s->env, &req, write, out, err);
    if (rc == VS_OK && s->upd_spfn != NO_SOURCE && va_page(s, va) == s->upd_page) {
        /* the updated entry was used (KVM 61: last_updated_pte_accessed) */
        stable *m = g_hash_table_lookup(s->meta, key_ptr(s->upd_spfn));
        if (m->tree == t)
            m->flood = 0;
        s->upd_spfn = NO_SOURCE;
    }
    return rc == MODE_FAULT ? shadow_fault(s, sp, t, va, write, err) : rc;
}

/* ---- guest events ---- */

/* The VM now runs `to`'s root: plain and prefetch drop the previous shadow,
 * also when the guest reloads the root it runs (a TLB flush: Linux's
 * flush_tlb_mm), as Palacios rebuilds its shadow on every guest MOV to CR3
 * whatever its value (vmm_ctrl_regs.c handle_mov_to_cr3 ->
 * v3_activate_shadow_pt, "creates new shadow page tables"). */
static void load_root(shadow *s, const mode_space *to)
{
    uint32_t prev = s->vm_pid[to->vm_id];
    if (!s->pol->per_process && prev) {
        stree *t = g_hash_table_lookup(s->trees, key_ptr((uint64_t)to->vm_id << 32 | prev));
        if (t) {
            /* Without PCID the engine flushed the shared tag already. */
            tree_drop(s, t, s->env.cfg->tlb_pcid);
            s->flushes++;
        }
    }
    /* Without PCID the processes of a VM share a tag: its cached upper levels are stale. */
    if (!s->env.cfg->tlb_pcid && s->split)
        pwc_split_flush_tag(s->split, to->tag);
    s->vm_pid[to->vm_id] = to->pid;
}

/* Whether shadow leaf spte no longer agrees with guest leaf gpte. */
static bool stale_leaf(const mode_space *sp, uint64_t spte, uint64_t gpte)
{
    uint64_t hpa;
    vs_pgsz size;
    if (!(gpte & PTE_P) || !hv_translate(sp->vm, pte_addr(gpte), &hpa, &size))
        return true;
    return pte_addr(hpa) != pte_addr(spte) || ((spte & PTE_RW) && !(gpte & PTE_RW));
}

/* KVM's kvm_mmu_sync_roots at a CR3 write: every unsync leaf table of the
 * loaded shadow is re-read from the guest (one burst of lines,
 * FNAME(sync_page)), its stale entries dropped, and it is write-protected
 * again.  (INVLPG resyncs its one entry: shadow_invlpg -> sync_slot.) */
static void resync(shadow *s, const mode_space *sp)
{
    stree *t = g_hash_table_lookup(s->trees, key_ptr(tree_key(sp)));
    /* Downwards, so that remove_index_fast moves only visited elements. */
    for (unsigned i = s->unsync->len; t && i-- > 0;) {
        stable *m = g_ptr_array_index(s->unsync, i);
        if (m->tree != t)
            continue;
        uint64_t gptes[PT_ENTRIES_32BIT];
        vs_err err;
        int rc = mode_vmm_read_guest_page(&s->env, sp, m->gpfn << VS_PAGE_SHIFT_4K, gptes, &err);
        assert(rc == VS_OK); /* the VMM read this guest table to shadow it: it is backed */
        (void)rc;
        for (unsigned j = 0; j < pt_table_entries(s->levels); j++) {
            uint64_t spte = read_slot(s, slot_addr(s, m->spfn, j));
            if ((spte & PTE_P) && stale_leaf(sp, spte, gptes[j]))
                drop_slot(s, m, j, true);
        }
        m->unsync = false;
        g_ptr_array_remove_index_fast(s->unsync, i);
        s->resynced++;
    }
}

uint64_t shadow_stale_entries(const void *state, const mode_space *sp, bool with_unsync)
{
    const shadow *s = state;
    uint64_t stale = 0;
    unsigned idx[PT_ENTRIES_32BIT];
    uint64_t sptes[PT_ENTRIES_32BIT];
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, s->meta);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        const stable *m = v;
        if (m->tree->key != tree_key(sp) || m->gpfn == NO_SOURCE || (m->unsync && !with_unsync))
            continue;
        unsigned n = pt_mem_present_in(s->tables, m->spfn, s->levels, idx, sptes);
        for (unsigned k = 0; k < n; k++) {
            if (!(sptes[k] & PTE_P) || (m->level > 1 && !(sptes[k] & PTE_PS)))
                continue; /* a table's entry: its own table is checked */
            uint64_t gpte = pt_read_entry_in(os_mem(sp->os), slot_addr(s, m->gpfn, idx[k]), s->levels);
            stale += stale_leaf(sp, sptes[k], gpte);
        }
    }
    return stale;
}

void shadow_cr3_write(void *state, const mode_space *to, bool flush)
{
    shadow *s = state;
    /* The shadow variants model guests without PCIDs (seed 003's): every CR3
     * write exits and reloads the root as a flushing one would. */
    (void)flush;
    shadow_exit(s, EXIT_CR3_WRITE, s->env.cfg->cost_exit_cr3);
    load_root(s, to);
    resync(s, to);
}

/* KVM's update_pte writes a guest leaf's translation into the shadow only
 * for a frame that qualifies (shadow.update_pte): with `backs` the VMM backs
 * it first (priced as any backing by the VMM), with `mapped` the fill skips
 * a frame the host does not back (shadow_fill_slot). */
static int update_pte_qualifies(shadow *s, const mode_space *sp, uint64_t gpte, vs_err *err)
{
    uint64_t hpa;
    if (s->env.cfg->shadow_update_pte != SHADOW_UPDATE_BACKS || !(gpte & PTE_P))
        return VS_OK;
    return mode_vmm_frame(&s->env, sp, pte_addr(gpte), &hpa, NULL, err);
}

/* KVM's FNAME(invlpg) on an unsync leaf (paging_tmpl.h of Linux 3.x-4.x,
 * -> FNAME(update_pte); later kernels kvm_mmu_invalidate_addr ->
 * kvm_sync_spte):
 * the VMM re-reads the one guest entry (a vmm_ref) and rewrites the shadow
 * entry from it (cost.shadow_entry) as a trapped write's update_leaves
 * does, or drops it when the guest entry no longer maps a frame that
 * qualifies (update_pte skips is_error_pfn).  The later kvm_sync_spte
 * drops an entry whose frame changed instead.  The engine has dropped the
 * TLB entry already. */
static void sync_slot(shadow *s, const mode_space *sp, stable *m, unsigned index)
{
    uint64_t gpte;
    vs_err err;
    int rc = mode_vmm_read_guest(&s->env, sp, slot_addr(s, m->gpfn, index), &gpte, &err);
    assert(rc == VS_OK); /* the VMM read this guest table to shadow it: it is backed */
    uint64_t entry = slot_addr(s, m->spfn, index);
    write_slot(s, entry, 0);
    if (s->unified)
        pwc_unified_invalidate(s->unified, entry);
    /* With shadow.update_pte = off the entry is only dropped; a frame the
     * host cannot back now (memory exhausted) is left to the hidden fault,
     * which reports it: an INVLPG has no error path. */
    rc = s->env.cfg->shadow_update_pte == SHADOW_UPDATE_OFF ? VS_E_CONFIG : update_pte_qualifies(s, sp, gpte, &err);
    if (rc != VS_OK || !shadow_fill_slot(s, sp, m->spfn, 1, index, gpte, m->upper_rw))
        count_dropped(s, 1);
}

/* Every guest INVLPG, the trace's and the one the guest kernel issues after
 * a copy-on-write remap (sim_fault.c), exits: KVM intercepts INVLPG whenever
 * it shadows (vmx.c CPU_BASED_INVLPG_EXITING without EPT, svm.c
 * INTERCEPT_INVLPG without NPT).  What the VMM does with the entry of va:
 *  - plain shadow (no write protection, Palacios's handle_shadow_invlpg_32)
 *    drops it, and the whole split table of a guest large page;
 *  - a write-protecting variant leaves a write-protected table's entries as
 *    they are -- every guest write to the table trapped and updated them --
 *    and resynchronises an unsync leaf's one entry from the guest's
 *    (FNAME(invlpg): `if (!sp->unsync) break;`, then update_pte). */
void shadow_invlpg(void *state, const mode_space *sp, uint64_t va)
{
    shadow *s = state;
    shadow_exit(s, EXIT_INVLPG, s->env.cfg->cost_exit_invlpg);
    if (s->split)
        pwc_split_flush_tag(s->split, sp->tag); /* INVLPG drops the PCID's whole paging-structure caches (SDM 3A 4.10.4.1) */
    stree *t = g_hash_table_lookup(s->trees, key_ptr(tree_key(sp)));
    uint64_t table = t ? t->root : 0;
    for (unsigned level = s->levels; t; level--) {
        unsigned index = pt_index_in(va, level, s->levels);
        uint64_t pte = read_slot(s, slot_addr(s, table, index));
        if (!(pte & PTE_P))
            return;
        stable *m = g_hash_table_lookup(s->meta, key_ptr(table));
        if (level == 1 || (pte & PTE_PS)) {
            if (!s->pol->write_protect)
                drop_slot(s, m, index, false); /* the engine has dropped the TLB entry for this tag already */
            else if (m->unsync)
                sync_slot(s, sp, m, index);
            return;
        }
        table = pte_addr(pte) >> VS_PAGE_SHIFT_4K;
        if (((stable *)g_hash_table_lookup(s->meta, key_ptr(table)))->gpfn == NO_SOURCE) {
            /* A guest large page split on smaller host pages: the INVLPG
             * invalidates its whole translation, so the split table goes
             * with every piece the TLB may hold (Palacios,
             * handle_shadow_invlpg_32: a guest large page clears the shadow
             * PDE).  Write-protected, the guest's entry of it trapped when
             * it changed. */
            if (!s->pol->write_protect)
                drop_slot(s, m, index, true);
            return;
        }
    }
}

/* After an emulated write to a guest leaf table, as KVM's kvm_mmu_pte_write
 * -> mmu_pte_write_new_pte -> update_pte (upper levels are only dropped:
 * mmu_pde_zapped): every leaf shadow table of that guest page gets the new
 * entry's translation at once, so the access the guest retries takes no
 * hidden fault.  shadow.update_pte says when the frame qualifies: mapped, if
 * the host backs it already (gfn_to_pfn_atomic); backs, after backing it
 * (KVM 61's mmu_guess_page_from_pte_write -> gfn_to_page, which faults the
 * host page in), priced as any backing by the VMM.  The path's RW is the
 * table's (sp->role.access). */
static int update_leaves(shadow *s, const mode_space *sp, uint64_t entry_gpa, unsigned level, uint64_t new_pte,
                         vs_err *err)
{
    if (s->env.cfg->shadow_update_pte == SHADOW_UPDATE_OFF || level != 1 || !(new_pte & PTE_P))
        return VS_OK;
    GPtrArray *a = g_hash_table_lookup(s->rmap, key_ptr(rmap_key(sp->vm_id, entry_gpa >> VS_PAGE_SHIFT_4K)));
    if (!a)
        return VS_OK;
    int rc = update_pte_qualifies(s, sp, new_pte, err);
    if (rc != VS_OK)
        return rc;
    unsigned index = entry_index(s, entry_gpa);
    for (unsigned i = 0; i < a->len; i++) {
        const stable *m = g_ptr_array_index(a, i);
        if (m->level == 1 && shadow_fill_slot(s, sp, m->spfn, 1, index, new_pte, m->upper_rw)) {
            s->updated++;
            if (m->tree->key == tree_key(sp)) { /* the walk that may use it is this process's */
                s->upd_spfn = m->spfn;
                s->upd_page = (m->va_base >> VS_PAGE_SHIFT_4K) + index;
            }
        }
    }
    return VS_OK;
}

int shadow_pte_written(void *state, const mode_space *sp, uint64_t entry_gpa, unsigned level, uint64_t old_pte,
                       uint64_t new_pte, bool batched, vs_err *err)
{
    shadow *s = state;
    (void)old_pte; /* a trapped write is emulated whatever it changes; an untrapped one is not seen */
    (void)batched;
    uint64_t gpfn = entry_gpa >> VS_PAGE_SHIFT_4K;
    bool emulated = shadow_write_protects(s, sp->vm_id, gpfn);
    if (emulated && try_unsync(s, sp->vm_id, gpfn)) {
        /* The store faulted once; the VMM's fault path unprotected the page
         * and the store retried natively: no emulation. */
        shadow_exit(s, EXIT_PT_WRITE, s->env.cfg->cost_exit_hidden);
        emulated = false;
    }
    if (emulated) {
        shadow_exit(s, EXIT_PT_WRITE, s->env.cfg->cost_exit_pt_write);
        /* Emulating the trapped store is one write to the guest table. */
        int rc = mode_vmm_ref(&s->env, sp, entry_gpa, true, err);
        if (rc != VS_OK)
            return rc;
        invalidate_guest_entry(s, sp->vm_id, entry_gpa);
        return update_leaves(s, sp, entry_gpa, level, new_pte, err);
    }
    /* Not trapped: the VMM does not see the write.  A new entry has nothing
     * derived from it yet; a batched write is covered by the guest's flush
     * after the batch (CR3 reload, INVLPGs) or the end of the address space;
     * a copy-on-write remap by the INVLPG the guest issues next
     * (sim_fault.c -> shadow_invlpg). */
    return VS_OK;
}

int shadow_table_freed(void *state, const mode_space *sp, uint64_t pfn, unsigned level, vs_err *err)
{
    shadow *s = state;
    (void)level;
    (void)err;
    GPtrArray *a;
    /* The engine flushes the tag when the address space goes; drop without it. */
    while ((a = g_hash_table_lookup(s->rmap, key_ptr(rmap_key(sp->vm_id, pfn)))))
        unlink_table(s, g_ptr_array_index(a, a->len - 1), false);
    return VS_OK;
}

void shadow_space_freed(void *state, const mode_space *sp)
{
    shadow *s = state;
    stree *t = g_hash_table_lookup(s->trees, key_ptr(tree_key(sp)));
    if (t)
        tree_drop(s, t, false);
}

/* ---- life cycle and report ---- */

int shadow_create(const mode_env *env, const shadow_policy *pol, void **state, vs_err *err)
{
    if (!env->hv)
        return vs_fail(err, VS_E_CONFIG, "%s: needs a hypervisor; expected a virtualized [machine] mode", pol->name);
    shadow *s = vs_calloc(1, sizeof *s);
    s->env = *env;
    s->pol = pol;
    s->levels = env->cfg->guest_levels;
    s->upd_spfn = NO_SOURCE;
    int rc = mode_make_pwc(env->cfg, false, s->levels, &s->split, &s->unified, err);
    if (rc != VS_OK) {
        free(s);
        return rc;
    }
    s->tables = hv_tables(env->hv);
    s->trees = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free);
    s->meta = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free);
    s->rmap = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
    s->vm_pid = vs_calloc(env->cfg->vm_count, sizeof *s->vm_pid);
    s->vm_pages = vs_calloc(env->cfg->vm_count, sizeof *s->vm_pages);
    s->vm_age = vs_calloc(env->cfg->vm_count, sizeof *s->vm_age); /* all-zero: empty queues */
    s->unsync = g_ptr_array_new();
    *state = s;
    return VS_OK;
}

void shadow_destroy(void *state)
{
    shadow *s = state;
    /* Host memory goes with the hypervisor; only our bookkeeping is freed. */
    g_ptr_array_unref(s->unsync);
    g_hash_table_destroy(s->rmap);
    g_hash_table_destroy(s->meta);
    g_hash_table_destroy(s->trees);
    mode_free_pwc(s->split, s->unified);
    free(s->vm_pid);
    free(s->vm_pages);
    free(s->vm_age);
    free(s);
}

void shadow_report(void *state, jw *w)
{
    shadow *s = state;
    mode_report_pwc(w, "pwc", s->split, s->unified, s->levels);
    jw_object(w, "shadow");
    jw_str(w, "variant", s->pol->name);
    jw_u64(w, "shadows_built", s->built);
    jw_u64(w, "shadow_flushes", s->flushes);
    jw_u64(w, "shadows_live", g_hash_table_size(s->trees));
    jw_u64(w, "table_pages_live", g_hash_table_size(s->meta));
    jw_u64(w, "prefetched_entries", s->prefetched);
    jw_u64(w, "flooded_tables", s->flooded);
    jw_u64(w, "unsynced_tables", s->unsynced);
    jw_u64(w, "resynced_tables", s->resynced);
    jw_u64(w, "evicted_tables", s->evicted);
    jw_u64(w, "updated_entries", s->updated);
    jw_end(w);
}

void shadow_reset_stats(void *state)
{
    shadow *s = state;
    mode_reset_pwc(s->split, s->unified);
    s->built = s->flushes = s->prefetched = s->flooded = s->unsynced = s->resynced = s->evicted = s->updated = 0;
}

static const shadow_policy plain_policy = {.name = "shadow", .per_process = false, .write_protect = false};

static int plain_create(const mode_env *env, void **state, vs_err *err)
{
    return shadow_create(env, &plain_policy, state, err);
}

const mode_ops mode_shadow_ops = SHADOW_MODE_OPS(plain_create);
