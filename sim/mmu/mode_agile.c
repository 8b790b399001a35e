/*
 * mode_agile.c: agile paging, after Gandhi, Hill and Swift, "Agile Paging:
 * Exceeding the Best of Nested and Shadow Paging" (ISCA'16).  "A virtualized
 * page walk starts with shadow paging and optionally switches in the same
 * page walk to nested paging where frequent page table updates would cause
 * costly VMM interventions."
 *
 * Hardware.  The VMM keeps, per guest page-table root, a shadow tree in host
 * memory: one shadow table per guest table, its leaves holding host frames as
 * shadow paging's do.  A shadow entry may instead carry the switching bit
 * (AGILE_SWITCH) and the guest-physical address of the guest's next-level
 * table: from there the walk is nested (nested.c): each lower guest table and
 * the final GPA go through the host dimension.  A walk that meets no switch
 * entry is a shadow walk (n references, as shadow paging's); one that
 * switches at the entry of level L reads n - L + 1 shadow entries and then
 * walks L - 1 guest levels in two dimensions.  Without caches, with every
 * level shadowed but the leaf table nested, that is (n - 1) + (m + 1) + m.
 * agile.shadow_levels = k < n forces the switch at level n - k + 1 for every
 * walk (the static split of earlier vmemsim versions: k + (n-k)(m+1) + m).
 * A guest large page the host backs with smaller pages is walked nested from
 * the level above it (the hardware splinters it, as nested paging does); if
 * the guest table holding it is shadowed already (it has small leaves too),
 * that whole table goes nested, as after agile.switch_writes writes.
 *
 * VMM policy (docs/vmm.md sec. 8):
 *  - every guest table starts shadowed, and write-protected while it is;
 *  - a guest write to a shadowed table is a pt_write exit (cost.exit_pt_write)
 *    that drops the shadow entry written (and the subtree below it); in a
 *    leaf table the VMM then writes the new entry's translation at once, as
 *    KVM does (kvm_mmu_pte_write -> mmu_pte_write_new_pte -> update_pte;
 *    upper levels are only dropped; shadow.update_pte: if the host backs the
 *    frame, or backing it first as KVM 61 did), so the access the guest
 *    retries takes no hidden fault; when a
 *    non-root table has taken agile.switch_writes such exits within one window
 *    (adaptive.interval instructions: the VMM's policy period), the VMM
 *    switches it to nested: its shadow table is dropped and the parent shadow
 *    entry becomes a switch entry.  From then on the guest writes that table
 *    freely (Gandhi et al.: "most page table changes avoid VMM intervention");
 *  - at the end of each window the VMM looks at the dirty bit of each
 *    switched table's page in the host tables (the guest's writes set it; the
 *    VMM reads and clears it, cost.shadow_entry): a table whose bit is clear
 *    (not written since the last look, or since it was switched) goes back to
 *    shadow, with no backoff -- Gandhi et al.'s rule as a summary of the paper
 *    gives it (docs/vmm.md sec. 8: the VMM "periodically scans the host page
 *    table entries that map the guest page tables", those with the dirty bit
 *    clear are converted back; the paper's own text was not readable here) --
 *    from its timer, without an exit, the VMM reads the guest table page as
 *    one burst (mode_vmm_read_guest_page) and the guest entries above it,
 *    fills its shadow table with every leaf the host backs and, the same
 *    way, the shadows of the lower tables the guest made below it while it
 *    was switched (the VMM never saw them), and points the parent entry at
 *    it (what it cannot fill, hidden faults do).  A table switched because
 *    it holds a large page the host splinters stays nested: it cannot be shadowed, and
 *    a GPA is backed once, so moved back it would be switched again by the
 *    next walk through the splinter, a rebuild and a hidden fault each time;
 *  - guest CR3 writes exit (cr3_write + cost.exit_cr3) and load the cached
 *    shadow root of the new guest root -- nothing is rebuilt;
 *  - a missing shadow entry is a hidden fault (hidden_fault +
 *    cost.exit_hidden): the VMM walks the guest tables in software, each read
 *    a vmm_ref priced through the cache hierarchy (a guest frame the host has
 *    not backed yet is backed first, cost.exit_ept), and writes the missing
 *    shadow entries (cost.shadow_entry each).  A guest entry that is not
 *    present, or a store the guest does not allow, is reflected to the guest
 *    (guest_fault + cost.exit_guest_fault); a fault met in the nested part of
 *    a walk reaches the guest without an exit, as under nested paging;
 *  - INVLPG exits (cost.exit_invlpg), as CR3 writes do: the root level of
 *    every address is shadowed, and a VMM that shadows intercepts INVLPG
 *    (KVM: vmx.c CPU_BASED_INVLPG_EXITING without EPT, svm.c
 *    INTERCEPT_INVLPG without NPT; agile was prototyped in KVM).  The exit
 *    changes no entry: shadowed tables are kept coherent by write
 *    protection, switched ones are read by the hardware directly.
 *
 * Caches: one set of split caches serves both parts of a walk.  An entry of
 * the shadow part holds a shadow-table host address, one of the nested part
 * a guest-table GPA; with switching per table the level does not tell them
 * apart, so a nested-part entry carries the switching bit (modelled as the
 * process's tag with AGILE_NESTED_TAG set) and a shadow walk never hits it.
 * A switch entry is never cached, and every change of a path (entries
 * dropped, a switch made or undone) flushes the process's entries of both
 * kinds.  The unified cache, keyed by host addresses, serves both parts, and
 * the nested dimension keeps its own caches and nested TLB.
 *
 * Invariants: every shadow table mirrors exactly one guest table (guest
 * tables are never shared: fork copies them); a present shadow entry is a
 * leaf equal to the guest's translation, or points to the shadow of the guest
 * entry's table, or is a switch entry holding that table's GPA; a guest table
 * is shadowed or switched, never both; every switched table's record names the
 * switch entry that points to it.
 */
#include "mode_agile_int.h"
#include "nested.h"
#include "hv.h"

#include <assert.h>
#include <glib.h>
#include <stdlib.h>

#define AGILE_SWITCH (1ull << 9) /* a software-available PTE bit: "next table is the guest's, by GPA" */
#define AGILE_VM_SHIFT 40        /* guest frame numbers fit in 40 bits (52-bit addresses) */
#define AGILE_NONE UINT64_MAX
#define AGILE_TABLE_FLAGS (PTE_P | PTE_RW | PTE_US) /* a shadow entry pointing to a shadow table */
/* Split-cache entries of a hybrid walk's nested part carry the switching bit:
 * modelled as the process's tag with this bit set (tags are counted from 0;
 * a process whose tag has it already walks its nested part without them). */
#define AGILE_NESTED_TAG 0x8000u

typedef struct shadow_table {
    uint64_t gkey;         /* (vm << AGILE_VM_SHIFT) | guest table pfn: the table it mirrors */
    uint64_t spfn;         /* its host frame */
    uint64_t parent_entry; /* host address of the shadow entry pointing here, or AGILE_NONE for a root */
    unsigned level;
    uint32_t writes;       /* write-protection exits this window */
    bool rw;               /* the AND of RW over the guest entries above it (KVM's sp->role.access) */
} shadow_table;

/* A guest table switched to nested: walked by the hardware through a switch entry. */
typedef struct switched {
    uint64_t gkey;
    uint64_t parent_entry; /* host address of the switch entry */
    const mode_space *sp;  /* the engine's, of the process; dropped with its space */
    unsigned level;        /* of the guest table */
    uint16_t tag;          /* the process's, for the split-cache flush when it moves back */
    bool written;          /* the host dirty bit of its page, this window */
    bool splintered;       /* holds a guest large page the host backs with smaller ones: stays nested */
} switched;

typedef struct agile {
    mode_env env;
    nested_guest g;        /* the nested part's caches: the unified cache; the split ones per walk */
    pwc_split *split;      /* the split caches, of the shadow part */
    nested_dim *nd;
    unsigned k;            /* upper levels that may be shadowed, capped at the guest's levels */
    uint32_t switch_writes; /* write exits to one table in a window that switch it (0: never) */
    unsigned levels;
    GHashTable *by_guest;  /* gkey -> shadow_table* */
    GHashTable *by_shadow; /* spfn -> shadow_table* (same objects) */
    GHashTable *nested;    /* gkey -> switched* */
    /* the switch entry a walk just met, for resume() */
    uint64_t resume_gpa;
    unsigned resume_level;
    walk_tally resume_tally;
    uint64_t hidden_faults, switches_moved, shadow_walks, hybrid_walks;
    uint64_t to_nested, to_shadow, nested_writes;
    uint64_t hybrid_at[PWC_MAX_LEVELS + 2]; /* hybrid walks by the level of their switch entry */
} agile;

static uint64_t gkey_of(const mode_space *sp, uint64_t gpfn)
{
    return ((uint64_t)sp->vm_id << AGILE_VM_SHIFT) | gpfn;
}

static uint64_t gkey_gpa(uint64_t gkey) { return (gkey & ((1ull << AGILE_VM_SHIFT) - 1)) << VS_PAGE_SHIFT_4K; }

static int shadow_new(agile *a, uint64_t gkey, unsigned level, uint64_t parent_entry, bool rw, shadow_table **out,
                      vs_err *err)
{
    uint64_t pfn;
    if (!hv_alloc_table(a->env.hv, &pfn))
        return vs_fail(err, VS_E_LIMIT,
                       "agile: no host frame for a shadow table: host.mem = %llu bytes is exhausted; "
                       "expected a larger host.mem",
                       (unsigned long long)a->env.cfg->host_mem);
    shadow_table *s = g_new(shadow_table, 1);
    *s = (shadow_table){.gkey = gkey, .spfn = pfn, .parent_entry = parent_entry, .level = level, .rw = rw};
    g_hash_table_insert(a->by_guest, &s->gkey, s);
    g_hash_table_insert(a->by_shadow, &s->spfn, s);
    *out = s;
    return VS_OK;
}

/* Writes one shadow entry, priced as the VMM's work. */
static void put_entry(agile *a, uint64_t entry_hpa, uint64_t pte)
{
    pt_write_entry(hv_tables(a->env.hv), entry_hpa, pte);
    a->env.st->shadow_entries_written++;
    a->env.st->exit_cycles += a->env.cfg->cost_shadow_entry;
}

static void drop_entry(agile *a, uint64_t entry_hpa, unsigned level);

/* Clears a shadow entry and whatever cache holds it. */
static void clear_entry(agile *a, uint64_t entry_hpa)
{
    pt_write_entry(hv_tables(a->env.hv), entry_hpa, 0);
    if (a->g.unified)
        pwc_unified_invalidate(a->g.unified, entry_hpa);
    a->env.st->shadow_entries_dropped++;
    a->env.st->exit_cycles += a->env.cfg->cost_shadow_entry;
}

/* Frees a shadow table, its subtree, and the parent entry pointing to it. */
static void shadow_drop(agile *a, shadow_table *s)
{
    pt_mem *m = hv_tables(a->env.hv);
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        drop_entry(a, (s->spfn << VS_PAGE_SHIFT_4K) + 8ull * i, s->level);
    if (s->parent_entry != AGILE_NONE &&
        pte_addr(pt_read_entry(m, s->parent_entry)) == s->spfn << VS_PAGE_SHIFT_4K)
        clear_entry(a, s->parent_entry);
    g_hash_table_remove(a->by_guest, &s->gkey);
    g_hash_table_remove(a->by_shadow, &s->spfn);
    hv_free_table(a->env.hv, s->spfn);
    g_free(s);
}

/* Clears one shadow entry, dropping the shadow table below it, or forgetting
 * the switched table it points to, if any. */
static void drop_entry(agile *a, uint64_t entry_hpa, unsigned level)
{
    pt_mem *m = hv_tables(a->env.hv);
    uint64_t pte = pt_read_entry(m, entry_hpa);
    if (!(pte & PTE_P))
        return;
    if (level > 1 && !(pte & PTE_PS)) {
        uint64_t table_pfn = entry_hpa >> VS_PAGE_SHIFT_4K, child = pte_addr(pte) >> VS_PAGE_SHIFT_4K;
        if (pte & AGILE_SWITCH) {
            const shadow_table *in = g_hash_table_lookup(a->by_shadow, &table_pfn);
            assert(in);
            uint64_t key = (in->gkey & ~((1ull << AGILE_VM_SHIFT) - 1)) | child;
            g_hash_table_remove(a->nested, &key);
        } else {
            shadow_table *c = g_hash_table_lookup(a->by_shadow, &child);
            if (c) {
                shadow_drop(a, c); /* clears this entry as its parent */
                return;
            }
        }
    }
    clear_entry(a, entry_hpa);
}

/* After shadow entries were dropped (the count rose past `before`), the split
 * caches may hold paths through them: the VMM flushes the process's entries
 * (an INVVPID of its tag on hardware). */
static void flush_split(const agile *a, uint16_t tag)
{
    if (!a->split)
        return;
    pwc_split_flush_tag(a->split, tag);
    if (!(tag & AGILE_NESTED_TAG))
        pwc_split_flush_tag(a->split, tag | AGILE_NESTED_TAG);
}

static void forget_paths(agile *a, uint16_t tag, uint64_t before)
{
    if (a->env.st->shadow_entries_dropped != before)
        flush_split(a, tag);
}

/* The shadow root of sp's current guest root, created on first use. */
static int shadow_root(agile *a, const mode_space *sp, shadow_table **out, vs_err *err)
{
    const pt_tree *tree = os_proc_tree(sp->proc);
    uint64_t key = gkey_of(sp, tree->root_pfn);
    *out = g_hash_table_lookup(a->by_guest, &key);
    return *out ? VS_OK : shadow_new(a, key, tree->levels, AGILE_NONE, true, out, err);
}

/* The guest's tables on va's path, read by the VMM in software. */
typedef struct gpath {
    uint64_t table[PWC_MAX_LEVELS + 2]; /* guest-physical table read at each level */
    uint64_t pte;                       /* the leaf */
    unsigned leaf;                      /* its level */
    bool rw;                            /* AND of RW along the path */
    bool rw_to[PWC_MAX_LEVELS + 2];     /* AND of RW over the entries of levels n..l */
} gpath;

/* Returns VS_OK with the leaf, MODE_FAULT (reflected to the guest) or < 0. */
static int guest_path(agile *a, const mode_space *sp, uint64_t va, bool write, gpath *g, vs_err *err)
{
    const pt_tree *tree = os_proc_tree(sp->proc);
    g->table[tree->levels] = tree->root_pfn << VS_PAGE_SHIFT_4K;
    g->rw = true;
    for (unsigned l = tree->levels;; l--) {
        int rc = mode_vmm_read_guest(&a->env, sp, g->table[l] + 8ull * pt_index(va, l), &g->pte, err);
        if (rc != VS_OK)
            return rc;
        g->rw = g->rw && (g->pte & PTE_RW);
        g->rw_to[l] = g->rw;
        if (!(g->pte & PTE_P) || (write && (l == 1 || (g->pte & PTE_PS)) && !g->rw)) {
            mode_exit(&a->env, EXIT_GUEST_FAULT, a->env.cfg->cost_exit_guest_fault);
            return MODE_FAULT;
        }
        if (l == 1 || (g->pte & PTE_PS)) {
            g->leaf = l;
            return VS_OK;
        }
        g->table[l - 1] = pte_addr(g->pte);
    }
}

static switched *switch_to_nested(agile *a, shadow_table *s, const mode_space *sp);

/* Hidden fault: build the missing shadow entries on va's path, down to the
 * leaf or to the level where the walk switches to nested. */
static int hidden_fault(agile *a, const mode_space *sp, uint64_t va, bool write, vs_err *err)
{
    gpath g;
    int rc = guest_path(a, sp, va, write, &g, err);
    if (rc != VS_OK)
        return rc;
    unsigned n = os_proc_tree(sp->proc)->levels, sw = n - a->k; /* switch entry at sw + 1, 0: none forced */
    uint64_t hpa = 0;
    bool splinter = false;
    vs_pgsz gsize = (vs_pgsz)(g.leaf - 1), hsize = gsize;
    if (g.leaf > sw) {
        uint64_t gpa = (pte_addr(g.pte) & ~((1ull << vs_pgsz_shift(gsize)) - 1)) | (va & ((1ull << vs_pgsz_shift(gsize)) - 1));
        rc = mode_vmm_frame(&a->env, sp, gpa, &hpa, &hsize, err);
        if (rc != VS_OK)
            return rc;
        splinter = hsize < gsize;
        if (splinter) { /* the host splinters the guest's large page: walk its level nested */
            sw = g.leaf;
            a->switches_moved++;
        }
    }
    a->hidden_faults++;
    mode_exit(&a->env, EXIT_HIDDEN_FAULT, a->env.cfg->cost_exit_hidden);
    shadow_table *s;
    rc = shadow_root(a, sp, &s, err);
    if (rc != VS_OK)
        return rc;
    pt_mem *m = hv_tables(a->env.hv);
    for (unsigned l = n;; l--) {
        uint64_t entry = (s->spfn << VS_PAGE_SHIFT_4K) + 8ull * pt_index(va, l);
        uint64_t pte = pt_read_entry(m, entry);
        if ((pte & PTE_P) && (pte & AGILE_SWITCH))
            return MODE_RETRY; /* the walk already switches here */
        if (l == g.leaf && l > sw) { /* the leaf: a fresh entry (it may be stale: read-only, or a table once) */
            uint64_t dropped = a->env.st->shadow_entries_dropped;
            drop_entry(a, entry, l);
            forget_paths(a, sp->tag, dropped);
            uint64_t mask = (1ull << vs_pgsz_shift(gsize)) - 1;
            put_entry(a, entry, (hpa & ~mask) | PTE_P | PTE_US | (g.rw ? PTE_RW : 0) | (l > 1 ? PTE_PS : 0));
            return MODE_RETRY;
        }
        assert(l > g.leaf); /* the leaf level and the switch level both return */
        uint64_t child_key = gkey_of(sp, g.table[l - 1] >> VS_PAGE_SHIFT_4K);
        switched *nt = g_hash_table_lookup(a->nested, &child_key);
        if ((pte & PTE_P) && (pte & PTE_PS)) { /* a shadow leaf where the guest now has a table */
            uint64_t dropped = a->env.st->shadow_entries_dropped;
            drop_entry(a, entry, l);
            forget_paths(a, sp->tag, dropped);
            pte = 0;
        }
        if (!(pte & PTE_P)) {
            if (l == sw + 1 || nt) {
                if (!nt) {
                    nt = g_malloc(sizeof *nt);
                    *nt = (switched){.gkey = child_key, .level = l - 1};
                    g_hash_table_insert(a->nested, &nt->gkey, nt);
                }
                nt->parent_entry = entry;
                nt->sp = sp;
                nt->tag = sp->tag;
                nt->splintered = nt->splintered || splinter;
                put_entry(a, entry, g.table[l - 1] | PTE_P | AGILE_SWITCH);
                return MODE_RETRY;
            }
            shadow_table *c;
            rc = shadow_new(a, child_key, l - 1, entry, g.rw_to[l], &c, err);
            if (rc != VS_OK)
                return rc;
            pte = (c->spfn << VS_PAGE_SHIFT_4K) | AGILE_TABLE_FLAGS;
            put_entry(a, entry, pte);
        }
        uint64_t child = pte_addr(pte) >> VS_PAGE_SHIFT_4K;
        s = g_hash_table_lookup(a->by_shadow, &child);
        assert(s);
        if (l == sw + 1) { /* the table below is shadowed, but holds a large page the host splinters: it goes nested */
            uint64_t dropped = a->env.st->shadow_entries_dropped;
            switch_to_nested(a, s, sp)->splintered = splinter;
            forget_paths(a, sp->tag, dropped);
            return MODE_RETRY;
        }
    }
}

/* nested_start_fn for a walk that met a switch entry: the shadow part has
 * been walked by agile_translate; the nested part starts at the guest table
 * the switch entry names, and the walk's tally includes the shadow part. */
static int resume(void *ctx, const mode_space *sp, uint64_t va, uint64_t *table_gpa, unsigned *level,
                  walk_tally *t, vs_err *err)
{
    agile *a = ctx;
    (void)sp;
    (void)va;
    (void)err;
    *table_gpa = a->resume_gpa;
    *level = a->resume_level;
    t->refs += a->resume_tally.refs;
    t->cycles += a->resume_tally.cycles;
    return VS_OK;
}

static int agile_translate(void *state, const mode_space *sp, uint64_t va, unsigned access, tlb_entry *out,
                           vs_err *err)
{
    agile *a = state;
    bool write = access & ACCESS_WRITE;
    shadow_table *s;
    int rc = shadow_root(a, sp, &s, err);
    if (rc != VS_OK)
        return rc;
    walk_req req = {.tables = hv_tables(a->env.hv),
                    .root = s->spfn << VS_PAGE_SHIFT_4K,
                    .levels = os_proc_tree(sp->proc)->levels,
                    .stop_bit = AGILE_SWITCH,
                    .probe_unpriced = true, /* a shadow walk pays it below; a hybrid one in its nested part */
                    .va = va,
                    .tag = sp->tag,
                    .split = a->split,
                    .unified = a->g.unified,
                    .pwc_latency = a->env.cfg->pwc_latency,
                    .mem = a->env.mem};
    walk_result res;
    walk_tally t = {0};
    rc = walk_1d(&req, &res, &t, err);
    if (rc != VS_OK)
        return rc;
    bool hybrid = res.present && (res.pte & AGILE_SWITCH);
    if (res.present && !hybrid && !(write && !(res.pte & PTE_RW))) {
        if (a->split)
            t.cycles += a->env.cfg->pwc_latency;
        a->shadow_walks++;
        mode_account_walk(a->env.st, &t, true);
        *out = mode_tlb_entry(res.out_addr, res.size, res.pte, write);
        return VS_OK;
    }
    if (!hybrid) {
        mode_account_walk(a->env.st, &t, false);
        return hidden_fault(a, sp, va, write, err);
    }
    a->resume_gpa = res.next_table;
    a->resume_level = res.level - 1;
    a->resume_tally = t;
    nested_guest g = a->g;
    mode_space part = *sp;
    if (a->split && !(sp->tag & AGILE_NESTED_TAG)) {
        g.split = a->split;
        part.tag = sp->tag | AGILE_NESTED_TAG;
    }
    rc = nested_translate_va(a->nd, &g, &part, va, access, out, err);
    if (rc == VS_OK) {
        a->hybrid_walks++;
        a->hybrid_at[res.level]++;
    }
    return rc;
}

/* The VMM stops shadowing guest table s: the parent entry becomes a switch entry. */
static switched *switch_to_nested(agile *a, shadow_table *s, const mode_space *sp)
{
    uint64_t parent = s->parent_entry, gkey = s->gkey;
    unsigned level = s->level;
    shadow_drop(a, s);
    switched *nt = g_malloc(sizeof *nt);
    *nt = (switched){.gkey = gkey, .parent_entry = parent, .sp = sp, .level = level, .tag = sp->tag};
    g_hash_table_insert(a->nested, &nt->gkey, nt);
    put_entry(a, parent, gkey_gpa(gkey) | PTE_P | AGILE_SWITCH);
    a->to_nested++;
    return nt;
}

/* Builds the shadow of guest table gkey (at `level`, under parent_entry,
 * with rw the AND of RW over the guest entries above it) from one burst read
 * of the guest page: every leaf the host backs, and, below it, the shadow of
 * every lower guest table that is neither shadowed nor switched, the same way.
 * The VMM never saw the tables the guest made below a switched one, so a
 * table moving back brings its subtree with it; what this cannot fill (a
 * frame not backed yet, a splintered large page, a level below the shadowed
 * ones) is left to hidden faults.  False when it cannot (no host frame). */
static bool fill_shadow(agile *a, const mode_space *sp, uint64_t gkey, unsigned level, uint64_t parent_entry, bool rw,
                        uint64_t *spfn)
{
    vs_err e;
    uint64_t ptes[PT_ENTRIES];
    shadow_table *s;
    if (mode_vmm_read_guest_page(&a->env, sp, gkey_gpa(gkey), ptes, &e) != VS_OK ||
        shadow_new(a, gkey, level, parent_entry, rw, &s, &e) != VS_OK)
        return false;
    unsigned sw = os_proc_tree(sp->proc)->levels - a->k; /* levels at or below sw are walked nested */
    vs_pgsz gsize = (vs_pgsz)(level - 1), hsize;
    uint64_t mask = (1ull << vs_pgsz_shift(gsize)) - 1, hpa;
    for (unsigned i = 0; i < PT_ENTRIES; i++) {
        uint64_t g = ptes[i], entry = (s->spfn << VS_PAGE_SHIFT_4K) + 8ull * i, child_spfn;
        if (!(g & PTE_P))
            continue;
        if (level > 1 && !(g & PTE_PS)) {
            uint64_t child = gkey_of(sp, pte_addr(g) >> VS_PAGE_SHIFT_4K);
            if (level - 1 > sw && !g_hash_table_contains(a->by_guest, &child) &&
                !g_hash_table_contains(a->nested, &child) &&
                fill_shadow(a, sp, child, level - 1, entry, rw && (g & PTE_RW), &child_spfn))
                put_entry(a, entry, (child_spfn << VS_PAGE_SHIFT_4K) | AGILE_TABLE_FLAGS);
            continue;
        }
        if (!hv_translate(sp->vm, pte_addr(g) & ~mask, &hpa, &hsize) || hsize < gsize)
            continue;
        put_entry(a, entry, (hpa & ~mask) | PTE_P | PTE_US | (rw && (g & PTE_RW) ? PTE_RW : 0) | (level > 1 ? PTE_PS : 0));
    }
    *spfn = s->spfn;
    return true;
}

/* Moves switched table nt back to shadow in one go, from the VMM's timer
 * (no exit): it reads the guest entries above it (the path's RW) and builds
 * its shadow, subtree included (fill_shadow), then points the parent entry at
 * it.  False when it cannot: the switch entry is then only cleared, and the
 * walks rebuild the shadow by hidden faults. */
static bool refill(agile *a, const switched *nt)
{
    const mode_space *sp = nt->sp;
    vs_err e;
    bool rw = true;
    for (uint64_t entry = nt->parent_entry; entry != AGILE_NONE;) {
        uint64_t pfn = entry >> VS_PAGE_SHIFT_4K, gpte;
        const shadow_table *t = g_hash_table_lookup(a->by_shadow, &pfn);
        assert(t);
        if (mode_vmm_read_guest(&a->env, sp, gkey_gpa(t->gkey) + (entry & ((1u << VS_PAGE_SHIFT_4K) - 1)), &gpte, &e) !=
            VS_OK)
            return false;
        rw = rw && (gpte & PTE_RW);
        entry = t->parent_entry;
    }
    uint64_t spfn;
    if (!fill_shadow(a, sp, nt->gkey, nt->level, nt->parent_entry, rw, &spfn))
        return false;
    if (a->g.unified)
        pwc_unified_invalidate(a->g.unified, nt->parent_entry);
    put_entry(a, nt->parent_entry, (spfn << VS_PAGE_SHIFT_4K) | AGILE_TABLE_FLAGS);
    return true;
}

/* The end of a policy window: write counts restart, and a switched table
 * whose page's host dirty bit is clear goes back to shadow (the order of the
 * hash walks does not matter: every table is treated alike and the prices
 * add up). */
static void agile_tick(void *state, uint64_t instructions)
{
    agile *a = state;
    (void)instructions;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, a->by_guest);
    while (g_hash_table_iter_next(&it, &k, &v))
        ((shadow_table *)v)->writes = 0;
    g_hash_table_iter_init(&it, a->nested);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        switched *nt = v;
        /* Below the shadowed levels (agile.shadow_levels) walks are nested by
         * construction, and a table holding a large page the host splinters
         * cannot be shadowed (its next walk there would switch it again; a
         * GPA is backed once, so the splinter stays): such a table never goes
         * back, however quiet. */
        if (nt->splintered || nt->level + a->k <= os_proc_tree(nt->sp->proc)->levels)
            continue;
        a->env.st->exit_cycles += a->env.cfg->cost_shadow_entry; /* read and clear its dirty bit */
        bool dirty = nt->written;
        nt->written = false;
        if (dirty)
            continue;
        if (!refill(a, nt))
            clear_entry(a, nt->parent_entry); /* rebuilt by hidden faults at the next walks */
        flush_split(a, nt->tag);
        a->to_shadow++;
        g_hash_table_iter_remove(&it);
    }
}

static int agile_create(const mode_env *env, void **state, vs_err *err)
{
    agile *a = vs_calloc(1, sizeof *a);
    a->env = *env;
    a->levels = env->cfg->guest_levels;
    a->k = env->cfg->agile_shadow_levels < a->levels ? env->cfg->agile_shadow_levels : a->levels;
    a->switch_writes = env->cfg->agile_switch_writes;
    a->by_guest = g_hash_table_new(g_int64_hash, g_int64_equal);
    a->by_shadow = g_hash_table_new(g_int64_hash, g_int64_equal);
    a->nested = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    a->g.start = resume;
    a->g.start_ctx = a;
    int rc = mode_make_pwc(env->cfg, false, a->levels, &a->split, &a->g.unified, err);
    if (rc == VS_OK)
        rc = nested_dim_new(env, a->g.unified, &a->nd, err);
    if (rc != VS_OK) {
        mode_free_pwc(a->split, a->g.unified);
        g_hash_table_destroy(a->by_guest);
        g_hash_table_destroy(a->by_shadow);
        g_hash_table_destroy(a->nested);
        free(a);
        return rc;
    }
    *state = a;
    return VS_OK;
}

static void agile_destroy(void *state)
{
    agile *a = state;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, a->by_shadow);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_free(v); /* the frames go with the host allocator */
    g_hash_table_destroy(a->by_guest);
    g_hash_table_destroy(a->by_shadow);
    g_hash_table_destroy(a->nested);
    nested_dim_free(a->nd);
    mode_free_pwc(a->split, a->g.unified);
    free(a);
}

static void agile_cr3_write(void *state, const mode_space *to, bool flush)
{
    agile *a = state;
    /* the cached shadow root is found (or made) at the next miss: nothing is rebuilt */
    mode_exit(&a->env, EXIT_CR3_WRITE, a->env.cfg->cost_exit_cr3);
    /* a flushing CR3 write drops the PCID's paging-structure caches (SDM 3A 4.10.4.1) */
    if (flush)
        flush_split(a, to->tag);
}

/* The VMM has emulated a guest store to leaf table s (a write-protection
 * exit) and, as KVM does (kvm_mmu_pte_write -> mmu_pte_write_new_pte ->
 * update_pte, leaf level only; upper levels are only dropped), writes the
 * new guest entry's translation into the shadow entry at once, so the access
 * the guest retries finds it without a hidden fault: with shadow.update_pte
 * = mapped when the host backs its frame already (a frame it does not is
 * left to the fault), with backs after backing it (KVM 61's gfn_to_page),
 * with off never (as the shadow core, mode_shadow.c update_leaves). */
static int update_leaf(agile *a, const shadow_table *s, const mode_space *sp, uint64_t entry, uint64_t new_pte,
                       vs_err *err)
{
    int how = a->env.cfg->shadow_update_pte;
    uint64_t hpa;
    if (how == SHADOW_UPDATE_OFF || s->level != 1 || !(new_pte & PTE_P))
        return VS_OK;
    if (how == SHADOW_UPDATE_BACKS) {
        int rc = mode_vmm_frame(&a->env, sp, pte_addr(new_pte), &hpa, NULL, err);
        if (rc != VS_OK)
            return rc;
    } else if (!hv_translate(sp->vm, pte_addr(new_pte), &hpa, NULL)) {
        return VS_OK;
    }
    put_entry(a, entry, (hpa & ~((1ull << VS_PAGE_SHIFT_4K) - 1)) | PTE_P | PTE_US |
                            (s->rw && (new_pte & PTE_RW) ? PTE_RW : 0));
    return VS_OK;
}

static int agile_pte_written(void *state, const mode_space *sp, uint64_t entry_gpa, unsigned level,
                             uint64_t old_pte, uint64_t new_pte, bool batched, vs_err *err)
{
    agile *a = state;
    (void)old_pte;
    (void)batched; /* agile prices no INVLPG after a write: nothing to defer */
    nested_guest_pte_written(a->nd, &a->g, sp, entry_gpa, new_pte);
    uint64_t key = gkey_of(sp, entry_gpa >> VS_PAGE_SHIFT_4K);
    shadow_table *s = g_hash_table_lookup(a->by_guest, &key);
    if (!s) { /* not shadowed, so not write-protected: no exit */
        switched *nt = g_hash_table_lookup(a->nested, &key);
        if (nt) {
            nt->written = true;
            a->nested_writes++;
        }
        return VS_OK;
    }
    mode_exit(&a->env, EXIT_PT_WRITE, a->env.cfg->cost_exit_pt_write);
    uint64_t dropped = a->env.st->shadow_entries_dropped;
    uint64_t entry = (s->spfn << VS_PAGE_SHIFT_4K) + (entry_gpa & ((1u << VS_PAGE_SHIFT_4K) - 1));
    drop_entry(a, entry, level);
    int rc = VS_OK;
    if (a->switch_writes && ++s->writes >= a->switch_writes && s->parent_entry != AGILE_NONE)
        switch_to_nested(a, s, sp);
    else
        rc = update_leaf(a, s, sp, entry, new_pte, err);
    forget_paths(a, sp->tag, dropped);
    return rc;
}

static int agile_table_freed(void *state, const mode_space *sp, uint64_t pfn, unsigned level, vs_err *err)
{
    agile *a = state;
    (void)err;
    (void)level;
    uint64_t key = gkey_of(sp, pfn);
    uint64_t dropped = a->env.st->shadow_entries_dropped;
    shadow_table *s = g_hash_table_lookup(a->by_guest, &key);
    if (s)
        shadow_drop(a, s);
    switched *nt = g_hash_table_lookup(a->nested, &key);
    if (nt) {
        uint64_t pte = pt_read_entry(hv_tables(a->env.hv), nt->parent_entry);
        if ((pte & AGILE_SWITCH) && pte_addr(pte) == gkey_gpa(key))
            clear_entry(a, nt->parent_entry);
        g_hash_table_remove(a->nested, &key);
    }
    forget_paths(a, sp->tag, dropped);
    if (a->split) { /* the flush that follows a freed table empties the PCID's caches (nested.c) */
        pwc_split_flush_tag(a->split, sp->tag);
        pwc_split_flush_tag(a->split, sp->tag | AGILE_NESTED_TAG);
    }
    nested_guest_table_freed(a->nd, &a->g, sp, pfn);
    return VS_OK;
}

/* A guest INVLPG exits: every walk starts at the shadow root, which is never
 * switched, so some level of every address is shadowed, and a VMM that
 * shadows intercepts INVLPG (KVM: vmx.c CPU_BASED_INVLPG_EXITING without
 * EPT, svm.c INTERCEPT_INVLPG without NPT), as it does CR3 writes here.  The
 * shadowed levels are write-protected, so the exit leaves their entries
 * (KVM's FNAME(invlpg) does nothing to a synced shadow page). */
static void agile_invlpg(void *state, const mode_space *sp, uint64_t va)
{
    agile *a = state;
    (void)va;
    mode_exit(&a->env, EXIT_INVLPG, a->env.cfg->cost_exit_invlpg);
    /* INVLPG drops every paging-structure-cache entry of the current PCID,
     * whatever its address (SDM 3A 4.10.4.1), of both parts */
    flush_split(a, sp->tag);
}

static void agile_space_freed(void *state, const mode_space *sp)
{
    agile *a = state;
    flush_split(a, sp->tag);
    /* its switched tables stay nested until they are freed: refill needs the space */
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, a->nested);
    while (g_hash_table_iter_next(&it, &k, &v))
        if (((switched *)v)->sp == sp)
            g_hash_table_iter_remove(&it);
}

static void agile_report(void *state, jw *w)
{
    agile *a = state;
    mode_report_pwc(w, "pwc", a->split, a->g.unified, a->levels);
    nested_dim_report(a->nd, w);
    jw_object(w, "agile");
    jw_u64(w, "shadow_levels", a->k);
    jw_u64(w, "switch_writes", a->switch_writes);
    jw_u64(w, "hidden_faults", a->hidden_faults);
    jw_u64(w, "switches_moved_up", a->switches_moved);
    jw_u64(w, "shadow_walks", a->shadow_walks);
    jw_u64(w, "hybrid_walks", a->hybrid_walks);
    jw_object(w, "hybrid_walks_by_switch_level");
    for (unsigned l = a->levels; l >= 2; l--) {
        char name[16];
        snprintf(name, sizeof name, "%u", l);
        jw_u64(w, name, a->hybrid_at[l]);
    }
    jw_end(w);
    jw_u64(w, "tables_to_nested", a->to_nested);
    jw_u64(w, "tables_to_shadow", a->to_shadow);
    jw_u64(w, "nested_table_writes", a->nested_writes);
    jw_u64(w, "shadow_tables", g_hash_table_size(a->by_shadow));
    jw_u64(w, "nested_tables", g_hash_table_size(a->nested));
    jw_end(w);
}

static void agile_reset_stats(void *state)
{
    agile *a = state;
    mode_reset_pwc(a->split, a->g.unified);
    nested_dim_reset_stats(a->nd);
    a->hidden_faults = a->switches_moved = a->shadow_walks = a->hybrid_walks = 0;
    a->to_nested = a->to_shadow = a->nested_writes = 0;
    for (unsigned l = 0; l < PWC_MAX_LEVELS + 2; l++)
        a->hybrid_at[l] = 0;
}

bool agile_table_nested(const void *state, uint32_t vm, uint64_t gpfn)
{
    const agile *a = state;
    uint64_t key = ((uint64_t)vm << AGILE_VM_SHIFT) | gpfn;
    return g_hash_table_contains(a->nested, &key);
}

unsigned agile_nested_count(const void *state)
{
    const agile *a = state;
    return g_hash_table_size(a->nested);
}

const mode_ops mode_agile_ops = {
    .create = agile_create,
    .destroy = agile_destroy,
    .translate = agile_translate,
    .cr3_write = agile_cr3_write,
    .invlpg = agile_invlpg,
    .pte_written = agile_pte_written,
    .table_freed = agile_table_freed,
    .space_freed = agile_space_freed,
    .tick = agile_tick,
    .report = agile_report,
    .reset_stats = agile_reset_stats,
};
