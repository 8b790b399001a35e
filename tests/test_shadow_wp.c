/*
 * test_shadow_wp.c: which guest page-table pages the shadow modes
 * write-protect, against a naive reference.
 *
 * KVM write-protects a guest table page exactly while a shadow page shadows
 * it (docs/vmm.md sec. 1).  The reference keeps, beside the engine, the
 * shadow tables every (VM, process) must have as a plain list of nodes
 * (level, first virtual address, guest frame), rebuilt from the events the
 * mode sees and nothing of its data structures: a hidden fault adds the
 * tables its guest walk read (clearing their write-flooding counts); a write
 * to a page only leaf tables shadow makes it unsync (shadow.unsync), and a
 * CR3 write protects the loaded shadow's pages again; a CR3
 * write of the flushing variants drops the
 * previous process's shadow, also when it reloads the same root (fork's
 * flush); an emulated write to a protected table drops the
 * tables below the written slot (or, write flooding, the table itself), and
 * a write to an unprotected one the slot's, unless it is batched (mode.h:
 * the guest's flush after the batch drops them); a
 * freed guest table or address space drops its shadows.  After every event
 * the mode's write-protected set must equal the set of the nodes' frames, and
 * a guest page-table write must exit exactly when its page was in that set.
 *
 * The random traces mix loads, stores, fork (copy-on-write), exec, exit,
 * switches, INVLPG and sparse touches that build upper-level tables, on two
 * VMs.  Beside the set, every leaf entry of the shadow tables (4 KiB, and
 * 2 MiB where the host backs the guest's 2 MiB pages whole) must equal the
 * guest's translation whenever the hardware could observe it: always for
 * tables that are in sync (their writes exit), and for the whole loaded
 * shadow right after a CR3 write (the resync of unsync tables).
 * With a bounded shadow-page cache (shadow.max_pages) the mode evicts
 * tables the reference keeps: there its write-protected set must be a subset
 * of the reference's, a write may exit only where the reference protects,
 * every VM's table count must stay within the bound, and the entries must
 * still equal the guest's (eviction only drops).
 * Update in place (shadow.update_pte, KVM's update_pte): after an emulated
 * write of a present leaf entry, every leaf table left shadowing the page
 * gets the new translation when the frame qualifies (mapped: the host backs
 * it; backs: always); the reference counts those and the run's
 * shadow.updated_entries must equal the count (with shadow.max_pages, be at
 * most the count).  The last entry updated for
 * the writing process clears its table's flood count when a walk uses it
 * (KVM 61's last_updated_pte_accessed), as a hidden fault through it does.
 * A check that never fails proves nothing: the test first withholds one
 * table_freed event from the mode and must see the sets disagree, then one
 * emulated write of a present guest entry and must see a stale entry (once
 * of a 4 KiB leaf, once of a 2 MiB one with 2 MiB host pages), then
 * reads shadow.update_pte = backs as off and must see the counts differ.
 * The reference reads the guest's format as the mode does (pt.h): 8-byte
 * entries and 9-bit levels, or for the Palacios profile's 32-bit guest
 * (guest.levels = 2) 4-byte entries and 10-bit levels; the 32-bit runs repeat
 * the first two seeded faults, and a reference that takes a written entry's
 * slot as 8 bytes wide (as it did before) must disagree with the mode.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"
#include "mmu/mode.h"
#include "mmu/mode_shadow_int.h"
#include "mmu/hv.h"
#include "mmu/pt.h"
#include "vs_test.h"

#define N_RECS 6000
#define N_PIDS 4
/* The Palacios profile's 32-bit guest (configs/vmm/palacios.ini): 32-bit
 * paging, whose frames must lie below 4 GiB in the guest and the host. */
#define GUEST32 "guest.mem=1536m", "host.mem=4g", "guest.levels=2"
#define SPARSE_BITS_32 31 /* 1 GiB + 2 GiB stays below a 32-bit guest's 4 GiB */
#define WITHHELD_AT 3 /* the seeded fault keeps from the mode the 3rd table_freed event of a shadowed table */

typedef struct node {
    uint32_t vm, pid;
    unsigned level;
    uint64_t va_base; /* first address it maps, within the guest's VA width */
    uint64_t gpfn;
    unsigned flood;
    bool unsync;
} node;

static struct ref {
    const mode_ops *real;
    mode_ops ops;
    mode_info info;
    void *state;
    xlate_stats *st;
    bool protects, per_process, unsync;
    unsigned levels, flood_writes;
    uint32_t max_pages; /* shadow.max_pages: the mode may hold fewer tables than the reference */
    uint32_t vm_pid[2];
    GArray *nodes;
    uint64_t checks, mismatches, pt_writes_seen, table_freed_calls;
    uint64_t stale;      /* shadow entries seen disagreeing with the guest where it could observe them */
    int update;          /* shadow.update_pte */
    bool upd_valid;      /* the mode's last updated entry, as the reference sees it */
    uint32_t upd_vm, upd_pid;
    uint64_t upd_base, upd_page; /* its leaf table's first address, and its page number */
    uint64_t updates;    /* entries the reference expects written by update in place */
    bool withhold;       /* the seeded fault of the write-protection check */
    bool withhold_write; /* the seeded fault of the coherence check: one emulated write kept from the mode */
} ref;

/* The seeded fault of the update check: the reference takes backs for off. */
static bool misread_update;
/* The seeded fault of the 32-bit format: the reference takes a written
 * entry's slot as if entries were 8 bytes, as it did before it knew 32-bit paging. */
static bool misread_entry_bytes;
/* The coherence check's withheld write is one of this level that moves the
 * entry to another frame (0: any write). */
static unsigned withhold_level;

#define ALL_SLOTS UINT_MAX /* drop_under's slot for the whole table, not one entry's subtree */
/* Sparse touches span this many bits of address above the 1 GiB base: 39
 * builds every upper level of a 4- or 5-level tree (SPARSE_BITS_32 for a
 * 32-bit guest). */
static unsigned sparse_bits = 39;

/* The guest's paging format (pt.h): 9 bits a level and 8-byte entries, or
 * 32-bit paging's 10 bits and 4 bytes (guest.levels = 2, SDM 3A 4.3). */
static uint64_t span(unsigned level)
{
    return 1ull << (VS_PAGE_SHIFT_4K + pt_level_bits(ref.levels) * level);
}
static uint64_t va_mask(void) { return span(ref.levels) - 1; }

/* Removes the nodes of (vm, pid) for which drop(n, arg) holds. */
static void remove_if(bool (*drop)(const node *n, const node *arg, unsigned slot), const node *arg, unsigned slot)
{
    for (guint i = ref.nodes->len; i-- > 0;) {
        const node *n = &g_array_index(ref.nodes, node, i);
        if (!drop(n, arg, slot))
            continue;
        if (n->level == 1 && n->vm == ref.upd_vm && n->pid == ref.upd_pid && n->va_base == ref.upd_base)
            ref.upd_valid = false; /* its table is freed: the mode forgets the entry */
        g_array_remove_index_fast(ref.nodes, i);
    }
}

static bool same_tree(const node *n, const node *a, unsigned slot)
{
    (void)slot;
    return n->vm == a->vm && n->pid == a->pid;
}

/* n lies below slot `slot` of a (slot == ALL_SLOTS: anywhere below a, or a itself). */
static bool below(const node *n, const node *a, unsigned slot)
{
    if (n->vm != a->vm || n->pid != a->pid || n->level > a->level)
        return false;
    if (n->level == a->level)
        return slot == ALL_SLOTS && n->va_base == a->va_base;
    if ((n->va_base & ~(span(a->level) - 1)) != a->va_base)
        return false;
    return slot == ALL_SLOTS || pt_index_in(n->va_base, a->level, ref.levels) == slot;
}

static void drop_tree(uint32_t vm, uint32_t pid) { remove_if(same_tree, &(node){.vm = vm, .pid = pid}, 0); }

/* Drops node a (or only what hangs from its slot) and everything below. */
static void drop_under(node a, unsigned slot)
{
    if (slot == ALL_SLOTS && a.level == ref.levels)
        drop_tree(a.vm, a.pid); /* a root goes with its whole shadow */
    else
        remove_if(below, &a, slot);
}

static node *find(uint32_t vm, uint32_t pid, unsigned level, uint64_t va_base)
{
    for (guint i = 0; i < ref.nodes->len; i++) {
        node *n = &g_array_index(ref.nodes, node, i);
        if (n->vm == vm && n->pid == pid && n->level == level && n->va_base == va_base)
            return n;
    }
    return NULL;
}

static void add_node(uint32_t vm, uint32_t pid, unsigned level, uint64_t va, uint64_t gpfn)
{
    uint64_t base = va & va_mask() & ~(span(level) - 1);
    node *n = find(vm, pid, level, base);
    if (n) {
        n->flood = 0; /* the fault's walk passed through it */
        return;
    }
    g_array_append_val(ref.nodes, ((node){.vm = vm, .pid = pid, .level = level, .va_base = base, .gpfn = gpfn}));
}

static GHashTable *protected_set(void)
{
    GHashTable *set = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    for (guint i = 0; ref.protects && i < ref.nodes->len; i++) {
        node *n = &g_array_index(ref.nodes, node, i);
        if (n->unsync)
            continue;
        uint64_t *k = g_new(uint64_t, 1);
        *k = (uint64_t)n->vm << 40 | n->gpfn;
        g_hash_table_add(set, k);
    }
    return set;
}

static bool ref_protects(uint32_t vm, uint64_t gpfn)
{
    for (guint i = 0; ref.protects && i < ref.nodes->len; i++) {
        node *n = &g_array_index(ref.nodes, node, i);
        if (n->vm == vm && n->gpfn == gpfn && !n->unsync)
            return true;
    }
    return false;
}

/* With unsync, a written page that only leaf tables shadow goes unsync (all
 * its nodes); true when it did. */
static bool unsync_page(uint32_t vm, uint64_t gpfn)
{
    bool leaves_only = ref.unsync;
    for (guint i = 0; leaves_only && i < ref.nodes->len; i++) {
        node *n = &g_array_index(ref.nodes, node, i);
        leaves_only = !(n->vm == vm && n->gpfn == gpfn && n->level > 1);
    }
    for (guint i = 0; leaves_only && i < ref.nodes->len; i++) {
        node *n = &g_array_index(ref.nodes, node, i);
        if (n->vm == vm && n->gpfn == gpfn)
            n->unsync = true;
    }
    return leaves_only;
}

static void check(void)
{
    GHashTable *set = protected_set();
    uint64_t common = 0; /* pages both protect */
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, set);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        uint64_t key = *(uint64_t *)k;
        common += shadow_write_protects(ref.state, (uint32_t)(key >> 40), key & ((1ull << 40) - 1));
    }
    /* Unbounded: the same set.  Bounded: the mode's is within the reference's. */
    bool ok = common == shadow_write_protected_count(ref.state) &&
              (ref.max_pages || common == g_hash_table_size(set));
    for (uint32_t vm = 0; vm < 2 && ref.max_pages; vm++)
        ok = ok && shadow_table_pages(ref.state, vm) <= ref.max_pages;
    if (!ok && ref.mismatches++ == 0 && !ref.withhold)
        print_message("check %llu: reference protects %u pages, the mode %llu\n", (unsigned long long)ref.checks,
                      g_hash_table_size(set), (unsigned long long)shadow_write_protected_count(ref.state));
    ref.checks++;
    g_hash_table_destroy(set);
}

/* ---- the mode, wrapped ---- */

static int w_create(const mode_env *env, void **state, vs_err *err)
{
    int rc = ref.real->create(env, state, err);
    ref.state = *state;
    ref.st = env->st;
    ref.levels = env->cfg->guest_levels;
    ref.flood_writes = env->cfg->shadow_flood_writes;
    ref.unsync = env->cfg->shadow_unsync;
    ref.max_pages = env->cfg->shadow_max_pages;
    ref.update = env->cfg->shadow_update_pte;
    if (misread_update && ref.update == SHADOW_UPDATE_BACKS)
        ref.update = SHADOW_UPDATE_OFF;
    return rc;
}

static int w_translate(void *state, const mode_space *sp, uint64_t va, unsigned access, tlb_entry *out,
                       vs_err *err)
{
    const pt_tree *tree = os_proc_tree(sp->proc);
    node *root = find(sp->vm_id, sp->pid, ref.levels, 0);
    if (root && root->gpfn != tree->root_pfn)
        drop_tree(sp->vm_id, sp->pid);
    if (!find(sp->vm_id, sp->pid, ref.levels, 0))
        add_node(sp->vm_id, sp->pid, ref.levels, 0, tree->root_pfn);
    if (ref.vm_pid[sp->vm_id] == 0)
        ref.vm_pid[sp->vm_id] = sp->pid;
    /* Entries of synced tables are the guest's whenever the hardware walks
     * them (their writes exit).  Checked here, where every event of the
     * guest's last page-table update has reached the mode: one OS call's
     * writes (fork, munmap) arrive one event at a time after it returns. */
    ref.stale += shadow_stale_entries(state, sp, false);
    int rc = ref.real->translate(state, sp, va, access, out, err);
    if (rc == VS_OK && ref.upd_valid && ((va & va_mask()) >> VS_PAGE_SHIFT_4K) == ref.upd_page) {
        node *n = find(ref.upd_vm, ref.upd_pid, 1, ref.upd_base);
        if (n && n->vm == sp->vm_id && n->pid == sp->pid)
            n->flood = 0; /* the updated entry was used */
        ref.upd_valid = false;
    }
    if (rc == MODE_RETRY) { /* a hidden fault: the VMM shadowed every table its guest walk read */
        uint64_t table = tree->root_pfn;
        for (unsigned level = ref.levels;; level--) {
            add_node(sp->vm_id, sp->pid, level, va, table);
            uint64_t pte = pt_read_entry_in(
                os_mem(sp->os), pt_entry_addr(table << VS_PAGE_SHIFT_4K, va, level, ref.levels), ref.levels);
            if (level == 1 || !(pte & PTE_P) || (pte & PTE_PS))
                break;
            table = pte_addr(pte) >> VS_PAGE_SHIFT_4K;
        }
    }
    check();
    return rc;
}

/* A CR3 write loading `to`: the flushing variants drop the previous shadow;
 * the loaded one's unsync pages are resynced (protected again). */
static void load(const mode_space *to)
{
    uint32_t prev = ref.vm_pid[to->vm_id];
    if (!ref.per_process && prev) /* also a reload of the same root (fork's flush) */
        drop_tree(to->vm_id, prev);
    ref.vm_pid[to->vm_id] = to->pid;
    for (guint i = 0; i < ref.nodes->len; i++) {
        node *n = &g_array_index(ref.nodes, node, i);
        if (n->vm == to->vm_id && n->pid == to->pid)
            n->unsync = false;
    }
}

static void w_cr3_write(void *state, const mode_space *to, bool flush)
{
    ref.real->cr3_write(state, to, flush);
    load(to);
    check();
    /* A CR3 write is a flush: every entry of the loaded shadow, unsync or not, must be the guest's. */
    ref.stale += shadow_stale_entries(state, to, true);
}

static void w_invlpg(void *state, const mode_space *sp, uint64_t va)
{
    ref.real->invlpg(state, sp, va); /* drops one leaf entry, never a table */
    check();
}

static int w_pte_written(void *state, const mode_space *sp, uint64_t entry_gpa, unsigned level, uint64_t old_pte,
                         uint64_t new_pte, bool batched, vs_err *err)
{
    uint64_t gpfn = entry_gpa >> VS_PAGE_SHIFT_4K;
    unsigned slot = (unsigned)(entry_gpa & 0xfff) / (misread_entry_bytes ? 8 : pt_entry_bytes(ref.levels));
    bool expect_exit = ref_protects(sp->vm_id, gpfn);
    uint64_t before = ref.st->exits[EXIT_PT_WRITE];
    int rc = VS_OK;
    if (ref.withhold_write && expect_exit && (old_pte & PTE_P) && !batched &&
        (!withhold_level || (level == withhold_level && pte_addr(old_pte) != pte_addr(new_pte)))) {
        ref.withhold_write = false; /* the mode never hears of this write: its shadow goes stale */
        return rc;
    }
    rc = ref.real->pte_written(state, sp, entry_gpa, level, old_pte, new_pte, batched, err);
    ref.pt_writes_seen++;
    bool emulated = expect_exit && !unsync_page(sp->vm_id, gpfn);
    bool exited = ref.st->exits[EXIT_PT_WRITE] != before;
    if ((ref.max_pages ? exited && !expect_exit : exited != expect_exit) && ref.mismatches++ == 0 && !ref.withhold)
        print_message("write to guest frame 0x%llx: exit %d, reference %d\n", (unsigned long long)gpfn,
                      ref.st->exits[EXIT_PT_WRITE] != before, expect_exit);
    if (emulated || ((old_pte & PTE_P) && !batched)) { /* a batched write waits for the guest's flush */
        /* Work from a copy: drop_under edits the list. */
        GArray *hit = g_array_new(FALSE, FALSE, sizeof(node));
        for (guint i = 0; i < ref.nodes->len; i++) {
            node *n = &g_array_index(ref.nodes, node, i);
            if (n->vm == sp->vm_id && n->gpfn == gpfn) {
                bool flooded = emulated && ref.flood_writes && (n->level > 1 || !ref.unsync) && ++n->flood >= ref.flood_writes;
                node copy = *n;
                copy.flood = flooded; /* reused as the mark */
                g_array_append_val(hit, copy);
            }
        }
        for (guint i = 0; i < hit->len; i++) {
            node *n = &g_array_index(hit, node, i);
            drop_under(*n, n->flood ? ALL_SLOTS : slot);
        }
        g_array_free(hit, TRUE);
    }
    uint64_t hpa;
    if (emulated && level == 1 && (new_pte & PTE_P) && ref.update != SHADOW_UPDATE_OFF &&
        (ref.update == SHADOW_UPDATE_BACKS || hv_translate(sp->vm, pte_addr(new_pte), &hpa, NULL)))
        for (guint i = 0; i < ref.nodes->len; i++) {
            const node *n = &g_array_index(ref.nodes, node, i);
            if (n->vm != sp->vm_id || n->gpfn != gpfn || n->level != 1)
                continue;
            ref.updates++;
            if (n->pid == sp->pid) {
                ref.upd_valid = true;
                ref.upd_vm = n->vm;
                ref.upd_pid = n->pid;
                ref.upd_base = n->va_base;
                ref.upd_page = (n->va_base >> VS_PAGE_SHIFT_4K) + slot;
            }
        }
    check();
    return rc;
}

static int w_table_freed(void *state, const mode_space *sp, uint64_t pfn, unsigned level, vs_err *err)
{
    int rc = VS_OK;
    GArray *hit = g_array_new(FALSE, FALSE, sizeof(node));
    for (guint i = 0; i < ref.nodes->len; i++) {
        node *n = &g_array_index(ref.nodes, node, i);
        if (n->vm == sp->vm_id && n->gpfn == pfn)
            g_array_append_val(hit, *n);
    }
    /* Only a shadowed table's event matters (an exiting process's tables are
     * mostly unshadowed by write flooding before they are freed). */
    if (!(ref.withhold && hit->len && ++ref.table_freed_calls == WITHHELD_AT))
        rc = ref.real->table_freed(state, sp, pfn, level, err);
    for (guint i = 0; i < hit->len; i++)
        drop_under(g_array_index(hit, node, i), ALL_SLOTS);
    g_array_free(hit, TRUE);
    check();
    return rc;
}

static void w_space_freed(void *state, const mode_space *sp)
{
    ref.real->space_freed(state, sp);
    drop_tree(sp->vm_id, sp->pid);
    check();
}

const mode_info *__real_mode_get(vs_mode m);
const mode_info *__wrap_mode_get(vs_mode m);
const mode_info *__wrap_mode_get(vs_mode m)
{
    const mode_info *info = __real_mode_get(m);
    if (!info || info->tables != MODE_TABLES_SHADOW || !strstr(info->name, "shadow"))
        return info;
    ref.real = info->ops;
    ref.ops = *info->ops;
    ref.ops.create = w_create;
    ref.ops.translate = w_translate;
    ref.ops.cr3_write = w_cr3_write;
    ref.ops.invlpg = w_invlpg;
    ref.ops.pte_written = w_pte_written;
    ref.ops.table_freed = w_table_freed;
    ref.ops.space_freed = w_space_freed;
    ref.info = *info;
    ref.info.ops = &ref.ops;
    ref.protects = strcmp(info->name, "shadow") != 0;
    ref.per_process = strcmp(info->name, "shadow-cache") == 0;
    return &ref.info;
}

/* ---- traces and runs ---- */

static char *random_trace(const char *name, uint64_t seed)
{
    GArray *w = g_array_new(FALSE, FALSE, sizeof(trace_rec));
    uint64_t rng = seed;
    bool live[N_PIDS] = {true};
    uint32_t cur = 0;
    g_array_append_val(w, ((trace_rec){.kind = TREC_SWITCH, .id = 0}));
    for (int i = 0; i < N_RECS; i++) {
        uint64_t x = vs_rng_next(&rng);
        unsigned roll = (unsigned)(x % 100);
        uint32_t p = (uint32_t)((x >> 8) % N_PIDS);
        trace_rec r = {.kind = TREC_SWITCH, .id = p};
        if (roll < 2 && !live[p]) {
            r.kind = TREC_FORK;
            live[p] = true;
        } else if (roll < 3 && live[p] && p != cur) {
            r.kind = TREC_PROC_EXIT;
            live[p] = false;
        } else if (roll < 4) {
            r = (trace_rec){.kind = TREC_EXEC, .id = cur};
        } else if (roll < 10 && live[p]) {
            cur = p;
        } else if (roll < 13) {
            r = (trace_rec){.kind = TREC_INVLPG, .addr = ((x >> 16) % (8ull << 20)) & ~0xfffull};
        } else {
            /* an 8 MiB hot region (a few leaf tables), and sparse touches for upper levels */
            uint64_t a = roll < 90 ? (x >> 20) % (8ull << 20) : (x >> 12) % (1ull << sparse_bits);
            r = (trace_rec){.kind = (x >> 4) % 3 ? TREC_LOAD : TREC_STORE, .addr = (a + (1ull << 30)) & ~7ull,
                            .size = 8};
        }
        g_array_append_val(w, r);
    }
    char *path = vt_write_vmt(name, (trace_rec *)w->data, w->len);
    g_array_free(w, TRUE);
    return path;
}

static void run(const char *mode, const char *const *extra, bool withhold)
{
    char *paths[2] = {random_trace("a.vmt", 7), random_trace("b.vmt", 8)};
    ref = (struct ref){.nodes = g_array_new(FALSE, FALSE, sizeof(node)), .withhold = withhold,
                       .withhold_write = withhold && !strcmp(mode, "shadow-prefetch")};
    GHashTable *r = vt_run(mode, (const char *const *)paths, 2, VT_OPTS("vm.count=2", "sched.quantum=2000"), extra);
    GString *label = g_string_new(""); /* the overrides, those of a 32-bit guest in short */
    for (size_t i = 0; extra && extra[i]; i++)
        if (!strstr(extra[i], ".mem="))
            g_string_append_printf(label, "%s%s", label->len ? " " : "", extra[i]);
    print_message("%-16s %-24s %8llu checks, %6llu page-table writes, %llu pt_write exits, %llu "
                  "mismatches, %llu stale shadow entries\n",
                  mode, label->str, (unsigned long long)ref.checks, (unsigned long long)ref.pt_writes_seen,
                  (unsigned long long)vt_u64(r, "exits.pt_write"), (unsigned long long)ref.mismatches,
                  (unsigned long long)ref.stale);
    g_string_free(label, TRUE);
    assert_true(ref.checks > N_RECS);
    /* Bounded, the mode has evicted tables the reference still updates. */
    uint64_t updated = vt_u64(r, "shadow.updated_entries");
    if ((ref.max_pages ? updated > ref.updates : updated != ref.updates) && ref.mismatches++ == 0)
        print_message("%llu entries updated in place, the reference %llu\n", (unsigned long long)updated,
                      (unsigned long long)ref.updates);
    if (ref.max_pages) /* the bound was reached: the checks saw evictions */
        assert_true(vt_u64(r, "shadow.evicted_tables") > 0);
    g_hash_table_destroy(r);
    g_array_free(ref.nodes, TRUE);
    g_free(paths[0]);
    g_free(paths[1]);
}

static void seeded_fault_is_caught(void **state)
{
    (void)state;
    run("shadow-cache", NULL, true);
    assert_true(ref.table_freed_calls >= WITHHELD_AT);
    assert_true(ref.mismatches > 0);
    /* The coherence check: one emulated write of a present guest entry withheld. */
    run("shadow-prefetch", NULL, true);
    assert_false(ref.withhold_write);
    assert_true(ref.stale > 0);
    /* ... and one of a 2 MiB guest leaf the host backs whole: a 2 MiB shadow leaf goes stale */
    withhold_level = 2;
    run("shadow-prefetch", VT_OPTS("guest.page_size=2m", "host.page_size=2m"), true);
    withhold_level = 0;
    assert_false(ref.withhold_write);
    assert_true(ref.stale > 0);
    /* All of it again under a 32-bit guest (4-byte entries, 10-bit levels), and the
     * reference reading its entries as 8 bytes wide must disagree with the mode. */
    sparse_bits = SPARSE_BITS_32;
    run("shadow-cache", VT_OPTS(GUEST32), true);
    assert_true(ref.table_freed_calls >= WITHHELD_AT);
    assert_true(ref.mismatches > 0);
    run("shadow-prefetch", VT_OPTS(GUEST32), true);
    assert_false(ref.withhold_write);
    assert_true(ref.stale > 0);
    misread_entry_bytes = true;
    run("shadow-cache", VT_OPTS(GUEST32), false);
    misread_entry_bytes = false;
    assert_true(ref.mismatches > 0);
    sparse_bits = 39;
    /* The update check: the reference misreads which frames qualify. */
    misread_update = true;
    run("shadow-cache", VT_OPTS("shadow.update_pte=backs"), false);
    misread_update = false;
    assert_true(ref.mismatches > 0);
}

static void write_protected_set_matches(void **state)
{
    (void)state;
    static const char *const modes[] = {"shadow", "shadow-cache", "shadow-prefetch"};
    for (size_t m = 0; m < VS_ARRAY_LEN(modes); m++) {
        run(modes[m], NULL, false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        run(modes[m], VT_OPTS("guest.page_size=2m", "tlb.pcid=false"), false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        /* 2 MiB shadow leaves: the host backs guest 2 MiB pages whole */
        run(modes[m], VT_OPTS("guest.page_size=2m", "host.page_size=2m"), false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        run(modes[m], VT_OPTS("shadow.flood_writes=0"), false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        run(modes[m], VT_OPTS("shadow.flood_writes=1", "guest.levels=5"), false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        run(modes[m], VT_OPTS("shadow.unsync=true"), false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        /* Update in place as KVM 61 (backing the frame) and as Palacios (none). */
        run(modes[m], VT_OPTS("shadow.update_pte=backs"), false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        if (m > 0)
            assert_true(ref.updates > 0);
        run(modes[m], VT_OPTS("shadow.update_pte=off", "tlb.pcid=false"), false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        assert_int_equal(ref.updates, 0);
        run(modes[m], VT_OPTS("shadow.unsync=true", "shadow.flood_writes=1", "tlb.pcid=false"), false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        /* A bounded shadow-page cache, KVM's order (oldest created) and Palacios's (LRU); write
         * flooding off, as the reference keeps the counts of tables the mode evicted. */
        run(modes[m], VT_OPTS("shadow.max_pages=12", "shadow.flood_writes=0"), false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        run(modes[m], VT_OPTS("shadow.max_pages=12", "shadow.lru=true", "shadow.flood_writes=0", "tlb.pcid=false"),
            false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        /* Palacios's profile: no ASIDs, every exit flushes the TLBs and walk caches */
        run(modes[m], VT_OPTS("vmm.exit_flushes_tlb=true", "tlb.vpid=false", "pwc.kind=unified"), false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        /* ... with its 32-bit guest: alone, unsync with write flooding, update in place, and as
         * palacios.ini sets it (LRU cache, flooding off here as above) */
        sparse_bits = SPARSE_BITS_32;
        run(modes[m], VT_OPTS(GUEST32), false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        run(modes[m], VT_OPTS(GUEST32, "shadow.unsync=true", "shadow.flood_writes=1", "tlb.pcid=false"), false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        run(modes[m], VT_OPTS(GUEST32, "shadow.update_pte=backs"), false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        if (m > 0)
            assert_true(ref.updates > 0);
        run(modes[m], VT_OPTS(GUEST32, "vmm.exit_flushes_tlb=true", "tlb.vpid=false", "shadow.max_pages=12",
                              "shadow.lru=true", "shadow.flood_writes=0", "shadow.update_pte=off"),
            false);
        assert_int_equal(ref.mismatches, 0);
        assert_int_equal(ref.stale, 0);
        sparse_bits = 39;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(seeded_fault_is_caught),
                                       cmocka_unit_test(write_protected_set_matches)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
