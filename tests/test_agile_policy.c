/*
 * test_agile_policy.c: agile paging's VMM policy (docs/vmm.md sec. 8)
 * against a naive reference: which guest page-table pages are switched to
 * nested after any sequence of page-table writes, CR3 writes, policy windows,
 * freed tables and exits.
 *
 * The reference keeps, per guest table page (VM, frame), only what the
 * policy says, written out plainly: a write the VMM intercepts (a
 * write-protection exit) counts against the table; the count-th within one
 * window (agile.switch_writes) switches a non-root table to nested; a write
 * to a nested table never exits and marks it written (the host dirty bit of
 * its page); at each window's end the counts restart, and a nested table not
 * written since the last window end (or since its switch) goes back to
 * shadow, however often it was switched before (Gandhi et al.'s dirty-bit
 * rule, docs/vmm.md sec. 8: no backoff).  Dropping a shadow entry drops what
 * the shadow held below it: the nested tables in that guest subtree are
 * forgotten and the shadow tables there start counting anew (they are
 * rebuilt); the subtree is read from guest memory, or, for tables already
 * freed (an exiting process's clears reach the mode after its teardown),
 * from the links the writes made.  After every event the mode's nested set must equal the
 * reference's, and a write to a table the reference holds nested must not
 * exit.
 *
 * A check that never fails proves nothing: one seeded fault withholds from
 * the mode the first window end at which the reference moves a table back;
 * another makes the reference wait for two quiet windows instead of one (a
 * move-back rule with a delay, as this model's earlier backoff had); the sets
 * must then disagree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"
#include "mmu/mode.h"
#include "mmu/mode_agile_int.h"
#include "mmu/pt.h"
#include "vs_test.h"

#define N_RECS 60000
#define N_PIDS 4
#define KEY(vm, gpfn) (((uint64_t)(vm) << 40) | (gpfn))

typedef struct rnested {
    uint32_t vm, pid;
    unsigned quiet;
    bool written;
} rnested;

static struct ref {
    const mode_ops *real;
    mode_ops ops;
    mode_info info;
    void *state;
    const xlate_stats *st;
    unsigned levels;
    uint32_t switch_writes;
    GHashTable *nested; /* key -> rnested* */
    GHashTable *counts; /* key -> intercepted writes this window */
    /* key of a guest table -> key of the table whose entry points to it, as
     * the writes made it (and, for a tree fork built before the engine knew
     * the child, as its first translation found it): the subtree of a table
     * is known also when its pages were freed before the mode hears of the
     * writes (the teardown of an exiting address space, delivered after it). */
    GHashTable *parent;
    GHashTable *learned; /* vm << 32 | pid -> root frame whose tree was read */
    GHashTable *ever;    /* keys of the live tables switched at least once */
    bool withhold, withheld;
    unsigned quiet_needed; /* window ends without a write before a table moves back: 1 (2: seeded fault) */
    uint64_t checks, mismatches, switched, moved_back, reswitched;
} ref;

static guint count_of(GHashTable *h, uint64_t key) { return GPOINTER_TO_UINT(g_hash_table_lookup(h, &key)); }

static void set_count(GHashTable *h, uint64_t key, guint n)
{
    if (n)
        g_hash_table_replace(h, g_memdup2(&key, sizeof key), GUINT_TO_POINTER(n));
    else
        g_hash_table_remove(h, &key);
}

/* The shadow below a dropped entry is gone: every table of the guest subtree
 * under table gpfn (its level) is neither nested nor counting any more.  A
 * live table's subtree is read from guest memory; a freed one's (the
 * teardown of an exiting address space reaches the mode after it) is what
 * the writes made it. */
static void forget_subtree(const mode_space *sp, uint64_t gpfn, unsigned level)
{
    uint64_t key = KEY(sp->vm_id, gpfn);
    g_hash_table_remove(ref.nested, &key);
    g_hash_table_remove(ref.counts, &key);
    if (level == 1)
        return;
    GArray *kids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    if (pt_mem_has(os_mem(sp->os), gpfn)) {
        for (unsigned i = 0; i < PT_ENTRIES; i++) {
            uint64_t pte = pt_read_entry(os_mem(sp->os), (gpfn << VS_PAGE_SHIFT_4K) + 8ull * i);
            uint64_t kid = pte_addr(pte) >> VS_PAGE_SHIFT_4K;
            if ((pte & PTE_P) && !(pte & PTE_PS))
                g_array_append_val(kids, kid);
        }
    } else {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, ref.parent);
        while (g_hash_table_iter_next(&it, &k, &v))
            if (*(uint64_t *)v == key) {
                uint64_t kid = *(uint64_t *)k & ((1ull << 40) - 1);
                g_array_append_val(kids, kid);
            }
    }
    for (guint i = 0; i < kids->len; i++)
        forget_subtree(sp, g_array_index(kids, uint64_t, i), level - 1);
    g_array_free(kids, TRUE);
}

/* Whether pte, written at `level`, points to a table. */
static bool points_to_table(uint64_t pte, unsigned level) { return level > 1 && (pte & PTE_P) && !(pte & PTE_PS); }

static void learn_table(const mode_space *sp, uint64_t gpfn, unsigned level)
{
    uint64_t key = KEY(sp->vm_id, gpfn);
    for (unsigned i = 0; level > 1 && i < PT_ENTRIES; i++) {
        uint64_t pte = pt_read_entry(os_mem(sp->os), (gpfn << VS_PAGE_SHIFT_4K) + 8ull * i);
        if (!points_to_table(pte, level))
            continue;
        uint64_t kid = pte_addr(pte) >> VS_PAGE_SHIFT_4K, kkey = KEY(sp->vm_id, kid);
        g_hash_table_replace(ref.parent, g_memdup2(&kkey, sizeof kkey), g_memdup2(&key, sizeof key));
        learn_table(sp, kid, level - 1);
    }
}

/* The tree of sp's process, read once per root. */
static void learn_tree(const mode_space *sp)
{
    const pt_tree *t = os_proc_tree(sp->proc);
    uint64_t who = (uint64_t)sp->vm_id << 32 | sp->pid, *root = g_hash_table_lookup(ref.learned, &who);
    if (root && *root == t->root_pfn)
        return;
    g_hash_table_replace(ref.learned, g_memdup2(&who, sizeof who), g_memdup2(&t->root_pfn, sizeof t->root_pfn));
    learn_table(sp, t->root_pfn, t->levels);
}

static void check(void)
{
    ref.checks++;
    unsigned agree = 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, ref.nested);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        uint64_t key = *(uint64_t *)k;
        agree += agile_table_nested(ref.state, (uint32_t)(key >> 40), key & ((1ull << 40) - 1));
    }
    if (agree != g_hash_table_size(ref.nested) || agile_nested_count(ref.state) != agree)
        ref.mismatches++;
}

/* ---- the mode, wrapped ---- */

static int w_create(const mode_env *env, void **state, vs_err *err)
{
    int rc = ref.real->create(env, state, err);
    ref.state = *state;
    ref.st = env->st;
    ref.levels = env->cfg->guest_levels;
    ref.switch_writes = env->cfg->agile_switch_writes;
    return rc;
}

static int w_translate(void *state, const mode_space *sp, uint64_t va, unsigned access, tlb_entry *out,
                       vs_err *err)
{
    learn_tree(sp);
    return ref.real->translate(state, sp, va, access, out, err);
}

static int w_pte_written(void *state, const mode_space *sp, uint64_t entry_gpa, unsigned level, uint64_t old_pte,
                         uint64_t new_pte, bool batched, vs_err *err)
{
    uint64_t gpfn = entry_gpa >> VS_PAGE_SHIFT_4K, key = KEY(sp->vm_id, gpfn);
    uint64_t before = ref.st->exits[EXIT_PT_WRITE];
    int rc = ref.real->pte_written(state, sp, entry_gpa, level, old_pte, new_pte, batched, err);
    bool exited = ref.st->exits[EXIT_PT_WRITE] != before;
    rnested *n = g_hash_table_lookup(ref.nested, &key);
    if (n) {
        n->written = true;
        if (exited)
            ref.mismatches++; /* a nested table is not write-protected */
    } else if (exited) {
        if (points_to_table(old_pte, level))
            forget_subtree(sp, pte_addr(old_pte) >> VS_PAGE_SHIFT_4K, level - 1);
        guint c = count_of(ref.counts, key) + 1;
        if (ref.switch_writes && c >= ref.switch_writes && level < ref.levels) {
            forget_subtree(sp, gpfn, level); /* its shadow goes */
            n = g_new0(rnested, 1);
            *n = (rnested){.vm = sp->vm_id, .pid = sp->pid};
            g_hash_table_insert(ref.nested, g_memdup2(&key, sizeof key), n);
            ref.switched++;
            if (!g_hash_table_add(ref.ever, g_memdup2(&key, sizeof key)))
                ref.reswitched++; /* where a backoff would have kept it nested longer */
        } else {
            set_count(ref.counts, key, c);
        }
    }
    if (points_to_table(old_pte, level)) {
        uint64_t child = KEY(sp->vm_id, pte_addr(old_pte) >> VS_PAGE_SHIFT_4K);
        g_hash_table_remove(ref.parent, &child);
    }
    if (points_to_table(new_pte, level)) {
        uint64_t child = KEY(sp->vm_id, pte_addr(new_pte) >> VS_PAGE_SHIFT_4K);
        g_hash_table_replace(ref.parent, g_memdup2(&child, sizeof child), g_memdup2(&key, sizeof key));
    }
    check();
    return rc;
}

static void w_tick(void *state, uint64_t instructions)
{
    g_hash_table_remove_all(ref.counts);
    bool moves = false;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, ref.nested);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        rnested *n = v;
        n->quiet = n->written ? 0 : n->quiet + 1;
        n->written = false;
        if (n->quiet >= ref.quiet_needed) {
            g_hash_table_iter_remove(&it);
            ref.moved_back++;
            moves = true;
        }
    }
    if (ref.withhold && moves && !ref.withheld)
        ref.withheld = true; /* the seeded fault: the mode never sees this window end */
    else
        ref.real->tick(state, instructions);
    check();
}

static int w_table_freed(void *state, const mode_space *sp, uint64_t pfn, unsigned level, vs_err *err)
{
    uint64_t key = KEY(sp->vm_id, pfn);
    forget_subtree(sp, pfn, level);
    g_hash_table_remove(ref.parent, &key); /* its frame may become another table */
    g_hash_table_remove(ref.ever, &key);
    int rc = ref.real->table_freed(state, sp, pfn, level, err);
    check();
    return rc;
}

static void w_space_freed(void *state, const mode_space *sp)
{
    ref.real->space_freed(state, sp);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, ref.nested);
    while (g_hash_table_iter_next(&it, &k, &v))
        if (((rnested *)v)->vm == sp->vm_id && ((rnested *)v)->pid == sp->pid)
            g_hash_table_iter_remove(&it);
    check();
}

static void w_cr3_write(void *state, const mode_space *to, bool flush)
{
    ref.real->cr3_write(state, to, flush); /* loads the new root's shadow: nothing of the policy moves */
    check();
}

const mode_info *__real_mode_get(vs_mode m);
const mode_info *__wrap_mode_get(vs_mode m);
const mode_info *__wrap_mode_get(vs_mode m)
{
    const mode_info *info = __real_mode_get(m);
    if (!info || strcmp(info->name, "agile"))
        return info;
    /* the policy's events pass through the reference; translation goes to the mode (the reference reads
     * each process's tree at its first) */
    ref.real = info->ops;
    mode_ops watched = *info->ops;
    watched.create = w_create;
    watched.pte_written = w_pte_written;
    watched.translate = w_translate;
    watched.tick = w_tick;
    watched.table_freed = w_table_freed;
    watched.space_freed = w_space_freed;
    watched.cr3_write = w_cr3_write;
    ref.ops = watched;
    ref.info = (mode_info){.name = info->name, .ops = &ref.ops, .flags = info->flags, .tables = info->tables,
                           .section = info->section, .help = info->help};
    return &ref.info;
}

/* ---- traces and runs ---- */

/* One record of a trace of N_PIDS processes, from one random draw x:
 * processes fork (copy-on-write: bursts of writes to their tables), exec
 * and exit (tables freed) and switch (CR3 writes); half the records fetch
 * from 16 KiB of code (the instructions that count the policy's windows);
 * the data accesses mostly re-read 64 pages (walks, quiet windows), now
 * and then touch a new page of a 16 MiB region (writes to a few leaf tables,
 * spread over windows) or far away (new upper-level tables). */
static trace_rec next_rec(uint64_t x, bool *live, uint32_t *cur)
{
    unsigned roll = (unsigned)(x % 1000);
    uint32_t p = (uint32_t)((x >> 10) % N_PIDS);
    if (roll < 4 && !live[p]) {
        live[p] = true;
        return (trace_rec){.kind = TREC_FORK, .id = p};
    }
    if (roll < 6 && live[p] && p != *cur) {
        live[p] = false;
        return (trace_rec){.kind = TREC_PROC_EXIT, .id = p};
    }
    if (roll < 8)
        return (trace_rec){.kind = TREC_EXEC, .id = *cur};
    if (roll < 30 && live[p]) {
        *cur = p;
        return (trace_rec){.kind = TREC_SWITCH, .id = p};
    }
    if (roll < 500)
        return (trace_rec){.kind = TREC_IFETCH, .addr = ((x >> 20) % 4096) << 2, .size = 4};
    uint64_t a = roll < 980 ? ((x >> 20) % 64) << 12 : roll < 998 ? (x >> 20) % (16ull << 20) : (x >> 12) % (1ull << 39);
    return (trace_rec){.kind = (x >> 5) % 4 ? TREC_LOAD : TREC_STORE, .addr = (a + (1ull << 30)) & ~7ull, .size = 8};
}

static char *policy_trace(const char *name, uint64_t seed)
{
    static trace_rec recs[N_RECS + 1];
    bool live[N_PIDS] = {true};
    uint32_t cur = 0;
    recs[0] = (trace_rec){.kind = TREC_SWITCH, .id = 0};
    for (size_t i = 1; i <= N_RECS; i++)
        recs[i] = next_rec(vs_rng_next(&seed), live, &cur);
    return vt_write_vmt(name, recs, N_RECS + 1);
}

static void run(const char *const *extra, bool withhold, unsigned quiet_needed)
{
    char *paths[2] = {policy_trace("pa.vmt", 11), policy_trace("pb.vmt", 12)};
    ref = (struct ref){.nested = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free),
                       .counts = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL),
                       .parent = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free),
                       .learned = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free),
                       .ever = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL),
                       .withhold = withhold,
                       .quiet_needed = quiet_needed};
    GHashTable *r = vt_run("agile", (const char *const *)paths, 2,
                           VT_OPTS("vm.count=2", "sched.quantum=2000", "adaptive.interval=1000"), extra);
    print_message("agile %-20s %8llu checks, %5llu switched (%llu again), %5llu moved back (mode: %llu, %llu), "
                  "%llu mismatches\n",
                  extra ? extra[0] : "", (unsigned long long)ref.checks, (unsigned long long)ref.switched,
                  (unsigned long long)ref.reswitched, (unsigned long long)ref.moved_back, (unsigned long long)vt_u64(r, "agile.tables_to_nested"),
                  (unsigned long long)vt_u64(r, "agile.tables_to_shadow"), (unsigned long long)ref.mismatches);
    /* the runs exercise the policy both ways, and tables switched again after moving back */
    assert_true(ref.switched > 10 && ref.moved_back > 10 && ref.reswitched > 0);
    g_hash_table_destroy(r);
    g_hash_table_destroy(ref.nested);
    g_hash_table_destroy(ref.counts);
    g_hash_table_destroy(ref.parent);
    g_hash_table_destroy(ref.learned);
    g_hash_table_destroy(ref.ever);
    g_free(paths[0]);
    g_free(paths[1]);
}

static void seeded_fault_is_caught(void **state)
{
    (void)state;
    run(VT_OPTS("agile.switch_writes=2"), true, 1);
    assert_true(ref.withheld);
    assert_true(ref.mismatches > 0);
    run(VT_OPTS("agile.switch_writes=2"), false, 2); /* a reference that waits a window longer */
    assert_true(ref.mismatches > 0);
}

static void nested_set_matches(void **state)
{
    (void)state;
    run(VT_OPTS("agile.switch_writes=1"), false, 1);
    assert_int_equal(ref.mismatches, 0);
    run(VT_OPTS("agile.switch_writes=2"), false, 1);
    assert_int_equal(ref.mismatches, 0);
    run(VT_OPTS("agile.switch_writes=3", "guest.levels=5"), false, 1);
    assert_int_equal(ref.mismatches, 0);
    /* Palacios's profile: no ASIDs, exits flush the TLBs and walk caches */
    run(VT_OPTS("agile.switch_writes=2", "vmm.exit_flushes_tlb=true", "tlb.vpid=false", "pwc.kind=unified"), false, 1);
    assert_int_equal(ref.mismatches, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(seeded_fault_is_caught), cmocka_unit_test(nested_set_matches)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
