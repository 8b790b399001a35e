/*
 * mode_agile.c: agile paging, after Gandhi, Hill and Swift, "Agile Paging:
 * Exceeding the Best of Nested and Shadow Paging" (ISCA'16).  A walk starts
 * in shadow mode: the VMM keeps, per guest page-table root, a shadow of the
 * upper k = agile.shadow_levels guest levels in host memory, one reference
 * per level.  The entry at the switching level carries a switch bit and the
 * guest-physical address of the guest's next-level table; from there the
 * walk is nested (nested.c): each lower guest table and the final GPA go
 * through the host dimension.
 *
 * Without caches a completed walk with 4 KiB pages reads
 *     k + (n - k)(m + 1) + m
 * entries (n guest, m host levels): 4/4 with k = 2 gives 2 + 2*5 + 4 = 16.
 * k is capped at n - 1 so at least the leaf level is walked nested.  A guest
 * large-page leaf inside the shadowed levels moves the switch up to the level
 * above it, so the leaf itself is always read from the guest table.
 *
 * VMM work (priced as exits; each adds cost.vmexit):
 *  - guest CR3 writes exit (cr3_write + cost.exit_cr3) and load the cached
 *    shadow root of the new guest root -- nothing is rebuilt;
 *  - a missing shadow entry is a hidden fault (hidden_fault +
 *    cost.exit_hidden): the VMM walks the guest's upper levels in software,
 *    each read a vmm_ref priced through the cache hierarchy (a guest frame
 *    the host has not backed yet is backed first, cost.exit_ept, as shadow
 *    paging's reads are: mode_vmm_read_guest), and writes the
 *    missing shadow entries (cost.shadow_entry each).  If a guest entry there
 *    is not present, the fault is reflected to the guest instead
 *    (guest_fault + cost.exit_guest_fault) and the guest OS handles it;
 *  - only guest tables that have a shadow are write-protected: a guest
 *    write to one is a pt_write exit (cost.exit_pt_write) that drops the
 *    shadow entry (and the shadow subtree below it).  Writes to the lower,
 *    nested-walked levels are free, which is the point of the design;
 *  - INVLPG does not exit: the upper levels are kept coherent by write
 *    protection, the lower ones are read by the hardware directly.
 *
 * Caches: one set of split caches serves the whole walk (entries above the
 * switching level hold shadow-table host addresses, the switching entry and
 * those below guest-table GPAs); dropping shadow entries flushes the
 * process's split entries.  The shadow part and the nested part each probe
 * the split caches, so agile's "pwc" hit/miss counts include both probes
 * (the latency is charged once).  The unified cache also serves both parts.
 *
 * Invariants: every shadow table mirrors exactly one guest table (guest
 * tables are never shared: fork copies them); a present shadow entry either
 * points to the shadow of the guest entry's table or is a switch entry
 * holding that table's GPA; every shadow table is reachable from a cached root
 * or is being dropped.
 */
#include "nested.h"
#include "hv.h"

#include <assert.h>
#include <glib.h>
#include <stdlib.h>

#define AGILE_SWITCH (1ull << 9) /* a software-available PTE bit: "next table is the guest's, by GPA" */
#define AGILE_VM_SHIFT 40        /* guest frame numbers fit in 40 bits (52-bit addresses) */
#define AGILE_NONE UINT64_MAX

typedef struct shadow_table {
    uint64_t gkey;         /* (vm << AGILE_VM_SHIFT) | guest table pfn: the table it mirrors */
    uint64_t spfn;         /* its host frame */
    uint64_t parent_entry; /* host address of the shadow entry pointing here, or AGILE_NONE for a root */
    unsigned level;
} shadow_table;

typedef struct agile {
    mode_env env;
    nested_guest g;
    nested_dim *nd;
    unsigned k;            /* shadowed levels, capped at guest levels - 1 */
    unsigned levels;
    GHashTable *by_guest;  /* gkey -> shadow_table* */
    GHashTable *by_shadow; /* spfn -> shadow_table* (same objects) */
    uint64_t hidden_faults, switches_moved;
} agile;

static uint64_t gkey_of(const mode_space *sp, uint64_t gpfn)
{
    return ((uint64_t)sp->vm_id << AGILE_VM_SHIFT) | gpfn;
}

static int shadow_new(agile *a, uint64_t gkey, unsigned level, uint64_t parent_entry, shadow_table **out,
                      vs_err *err)
{
    uint64_t pfn;
    if (!hv_alloc_table(a->env.hv, &pfn))
        return vs_fail(err, VS_E_LIMIT,
                       "agile: no host frame for a shadow table: host.mem = %llu bytes is exhausted; "
                       "expected a larger host.mem",
                       (unsigned long long)a->env.cfg->host_mem);
    shadow_table *s = g_new(shadow_table, 1);
    *s = (shadow_table){.gkey = gkey, .spfn = pfn, .parent_entry = parent_entry, .level = level};
    g_hash_table_insert(a->by_guest, &s->gkey, s);
    g_hash_table_insert(a->by_shadow, &s->spfn, s);
    *out = s;
    return VS_OK;
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

/* Clears one shadow entry, dropping the shadow table below it if any. */
static void drop_entry(agile *a, uint64_t entry_hpa, unsigned level)
{
    pt_mem *m = hv_tables(a->env.hv);
    uint64_t pte = pt_read_entry(m, entry_hpa);
    if (!(pte & PTE_P))
        return;
    if (!(pte & AGILE_SWITCH) && level > 1) {
        uint64_t child = pte_addr(pte) >> VS_PAGE_SHIFT_4K;
        shadow_table *c = g_hash_table_lookup(a->by_shadow, &child);
        if (c) {
            shadow_drop(a, c); /* clears this entry as its parent */
            return;
        }
    }
    clear_entry(a, entry_hpa);
}

/* After shadow entries were dropped (the count rose past `before`), the split
 * caches may hold paths through them: the VMM flushes the process's entries
 * (an INVVPID of its tag on hardware). */
static void forget_paths(agile *a, const mode_space *sp, uint64_t before)
{
    if (a->g.split && a->env.st->shadow_entries_dropped != before)
        pwc_split_flush_tag(a->g.split, sp->tag);
}

/* The shadow root of sp's current guest root, created on first use. */
static int shadow_root(agile *a, const mode_space *sp, shadow_table **out, vs_err *err)
{
    const pt_tree *tree = os_proc_tree(sp->proc);
    uint64_t key = gkey_of(sp, tree->root_pfn);
    *out = g_hash_table_lookup(a->by_guest, &key);
    return *out ? VS_OK : shadow_new(a, key, tree->levels, AGILE_NONE, out, err);
}

/* Hidden fault: build the missing shadow entries on va's path. */
static int hidden_fault(agile *a, const mode_space *sp, uint64_t va, vs_err *err)
{
    const pt_tree *tree = os_proc_tree(sp->proc);
    unsigned n = tree->levels, low = n - a->k + 1;
    uint64_t gtable[PWC_MAX_LEVELS + 2], gpte;
    unsigned sw = low; /* level of the switch entry */
    gtable[n] = tree->root_pfn << VS_PAGE_SHIFT_4K;
    a->hidden_faults++;
    for (unsigned l = n; l >= low; l--) {
        int rc = mode_vmm_read_guest(&a->env, sp, gtable[l] + 8ull * pt_index(va, l), &gpte, err);
        if (rc != VS_OK)
            return rc;
        if (!(gpte & PTE_P)) {
            mode_exit(&a->env, EXIT_GUEST_FAULT, a->env.cfg->cost_exit_guest_fault);
            return MODE_FAULT;
        }
        if (gpte & PTE_PS) { /* a large leaf in the shadowed levels: switch one level up */
            sw = l + 1;
            a->switches_moved++;
            break;
        }
        gtable[l - 1] = pte_addr(gpte);
    }
    mode_exit(&a->env, EXIT_HIDDEN_FAULT, a->env.cfg->cost_exit_hidden);
    shadow_table *s;
    int rc = shadow_root(a, sp, &s, err);
    if (rc != VS_OK)
        return rc;
    pt_mem *m = hv_tables(a->env.hv);
    for (unsigned l = n; l >= sw; l--) {
        uint64_t entry = (s->spfn << VS_PAGE_SHIFT_4K) + 8ull * pt_index(va, l);
        uint64_t pte = pt_read_entry(m, entry);
        if ((pte & PTE_P) && (pte & AGILE_SWITCH))
            break; /* the walk already switches here */
        if ((pte & PTE_P) && l == sw) {
            uint64_t dropped = a->env.st->shadow_entries_dropped;
            drop_entry(a, entry, l); /* a guest leaf replaced the table this shadowed */
            forget_paths(a, sp, dropped);
            pte = 0;
        }
        if (!(pte & PTE_P)) {
            if (l == sw) {
                pte = gtable[l - 1] | PTE_P | AGILE_SWITCH;
            } else {
                shadow_table *c;
                rc = shadow_new(a, gkey_of(sp, gtable[l - 1] >> VS_PAGE_SHIFT_4K), l - 1, entry, &c, err);
                if (rc != VS_OK)
                    return rc;
                pte = (c->spfn << VS_PAGE_SHIFT_4K) | PTE_P | PTE_RW;
            }
            pt_write_entry(m, entry, pte);
            a->env.st->shadow_entries_written++;
            a->env.st->exit_cycles += a->env.cfg->cost_shadow_entry;
        }
        if (l > sw) {
            uint64_t child = pte_addr(pte) >> VS_PAGE_SHIFT_4K;
            s = g_hash_table_lookup(a->by_shadow, &child);
            assert(s);
        }
    }
    return MODE_RETRY;
}

/* nested_start_fn: the shadow part of the walk, by the shared walker over the
 * shadow tables: it stops at the switch entry (AGILE_SWITCH; at level `low`
 * unless a large guest page moved it up) or at a split-cache hit at or below
 * it.  The split caches serve both parts: entries above the switching level
 * hold shadow-table host addresses, entries at or below it guest-table GPAs
 * (switch entries moved up are not cached, so the two never mix).  The nested
 * part probes the same caches again and pays the probe's latency. */
static int agile_start(void *ctx, const mode_space *sp, uint64_t va, uint64_t *table_gpa, unsigned *level,
                       walk_tally *t, vs_err *err)
{
    agile *a = ctx;
    shadow_table *s;
    int rc = shadow_root(a, sp, &s, err);
    if (rc != VS_OK)
        return rc;
    unsigned levels = os_proc_tree(sp->proc)->levels;
    walk_req req = {.tables = hv_tables(a->env.hv),
                    .root = s->spfn << VS_PAGE_SHIFT_4K,
                    .levels = levels,
                    .stop_level = levels - a->k + 1,
                    .stop_bit = AGILE_SWITCH,
                    .probe_unpriced = true,
                    .va = va,
                    .tag = sp->tag,
                    .split = a->g.split,
                    .unified = a->g.unified,
                    .pwc_latency = a->env.cfg->pwc_latency,
                    .mem = a->env.mem};
    walk_result res;
    rc = walk_1d(&req, &res, t, err);
    if (rc != VS_OK)
        return rc;
    if (!res.present)
        return hidden_fault(a, sp, va, err);
    *table_gpa = res.next_table;
    *level = res.level - 1;
    return VS_OK;
}

static int agile_create(const mode_env *env, void **state, vs_err *err)
{
    agile *a = vs_calloc(1, sizeof *a);
    a->env = *env;
    a->levels = env->cfg->guest_levels;
    a->k = env->cfg->agile_shadow_levels < a->levels ? env->cfg->agile_shadow_levels : a->levels - 1;
    a->by_guest = g_hash_table_new(g_int64_hash, g_int64_equal);
    a->by_shadow = g_hash_table_new(g_int64_hash, g_int64_equal);
    a->g.start = agile_start;
    a->g.start_ctx = a;
    int rc = mode_make_pwc(env->cfg, false, a->levels, &a->g.split, &a->g.unified, err);
    if (rc == VS_OK)
        rc = nested_dim_new(env, a->g.unified, &a->nd, err);
    if (rc != VS_OK) {
        mode_free_pwc(a->g.split, a->g.unified);
        g_hash_table_destroy(a->by_guest);
        g_hash_table_destroy(a->by_shadow);
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
    nested_dim_free(a->nd);
    mode_free_pwc(a->g.split, a->g.unified);
    free(a);
}

static int agile_translate(void *state, const mode_space *sp, uint64_t va, unsigned access, tlb_entry *out,
                           vs_err *err)
{
    agile *a = state;
    return nested_translate_va(a->nd, &a->g, sp, va, access, out, err);
}

static void agile_cr3_write(void *state, const mode_space *to)
{
    agile *a = state;
    /* the cached shadow root is found (or made) at the next miss: nothing is rebuilt */
    mode_exit(&a->env, EXIT_CR3_WRITE, a->env.cfg->cost_exit_cr3);
    nested_guest_cr3_write(&a->g, a->env.cfg, to);
}

static int agile_pte_written(void *state, const mode_space *sp, uint64_t entry_gpa, unsigned level,
                             uint64_t old_pte, uint64_t new_pte, vs_err *err)
{
    agile *a = state;
    (void)old_pte;
    (void)new_pte;
    (void)err;
    uint64_t key = gkey_of(sp, entry_gpa >> VS_PAGE_SHIFT_4K);
    shadow_table *s = g_hash_table_lookup(a->by_guest, &key);
    if (!s) /* not shadowed, so not write-protected: no exit */
        return VS_OK;
    mode_exit(&a->env, EXIT_PT_WRITE, a->env.cfg->cost_exit_pt_write);
    uint64_t dropped = a->env.st->shadow_entries_dropped;
    drop_entry(a, (s->spfn << VS_PAGE_SHIFT_4K) + (entry_gpa & ((1u << VS_PAGE_SHIFT_4K) - 1)), level);
    forget_paths(a, sp, dropped);
    return VS_OK;
}

static int agile_table_freed(void *state, const mode_space *sp, uint64_t pfn, unsigned level, vs_err *err)
{
    agile *a = state;
    (void)err;
    uint64_t key = gkey_of(sp, pfn);
    shadow_table *s = g_hash_table_lookup(a->by_guest, &key);
    if (s) {
        uint64_t dropped = a->env.st->shadow_entries_dropped;
        shadow_drop(a, s);
        forget_paths(a, sp, dropped);
    }
    nested_guest_table_freed(a->nd, &a->g, sp, pfn);
    (void)level;
    return VS_OK;
}

static void agile_invlpg(void *state, const mode_space *sp, uint64_t va)
{
    nested_guest_invlpg(&((agile *)state)->g, sp, va);
}

static void agile_space_freed(void *state, const mode_space *sp)
{
    nested_guest_space_freed(&((agile *)state)->g, sp);
}

static void agile_report(void *state, jw *w)
{
    agile *a = state;
    mode_report_pwc(w, "pwc", a->g.split, a->g.unified, a->levels);
    nested_dim_report(a->nd, w);
    jw_object(w, "agile");
    jw_u64(w, "shadow_levels", a->k);
    jw_u64(w, "hidden_faults", a->hidden_faults);
    jw_u64(w, "switches_moved_up", a->switches_moved);
    jw_u64(w, "shadow_tables", g_hash_table_size(a->by_shadow));
    jw_end(w);
}

static void agile_reset_stats(void *state)
{
    agile *a = state;
    mode_reset_pwc(a->g.split, a->g.unified);
    nested_dim_reset_stats(a->nd);
    a->hidden_faults = a->switches_moved = 0;
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
    .report = agile_report,
    .reset_stats = agile_reset_stats,
};
