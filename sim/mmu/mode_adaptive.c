/*
 * mode_adaptive.c: selective hardware/software paging -- each process runs
 * under nested paging or under shadow paging with caching, and the VMM moves
 * it between the two at run time.  After Wang et al., "Selective
 * Hardware/Software Memory Virtualization" (SHSP, VEE'11), which switches on
 * TLB-miss and guest-fault rates, and the conclusion of Bae, Lange and Dinda
 * (NWU-EECS-10-07, sec. 5-6): a workload's CR3-write rate and TLB-miss rate
 * predict the better scheme -- shadow when TLB misses are frequent (a 1D
 * walk instead of a 2D one) and context switches rare; nested when switches
 * are frequent (each costs shadow paging exits).
 *
 * The mode composes the two existing ones through their mode_ops, each with
 * its own state, sharing the run's statistics; it holds no translation logic
 * of its own.  Every adaptive.interval instructions (tick) it looks, for each
 * process that ran, at its CR3 writes (switches into it) and TLB misses
 * (translate calls) per 1000 of its instructions: above
 * adaptive.cr3_per_kinst CR3 writes it chooses nested; otherwise above
 * adaptive.miss_per_kinst misses it chooses shadow; otherwise it stays.
 * Processes start nested (the hardware default).
 *
 * The VMM cannot count a process's instructions; it sees the interval's
 * instructions and the CR3 writes.  So a process's instructions are the
 * interval's shared by run slots (the slot it was running in when the
 * interval began, plus one per switch into it): exact for round-robin with
 * equal quanta.
 *
 * A switch is an exit (EXIT_MODE_SWITCH: cost.vmexit + cost.exit_cr3, the
 * VMM reloading the paging mode and root); leaving shadow drops the
 * process's shadow (rebuilt lazily on return), leaving nested clears its
 * guest-dimension caches, and either flushes its TLB tag (+ cost.tlb_flush).
 * CR3-load and INVLPG exiting are VM-wide controls: while any process of a VM
 * runs shadowed, every CR3 write and INVLPG in that VM exits.
 *
 * Invariants: shadowed[vm] equals the number of live processes of that VM in
 * shadow mode; a process's events go to the state of its current mode only,
 * except invalidations (table and space freed), which go to both.
 */
#include "mode.h"

#include <glib.h>
#include <stdlib.h>

#define PER_KINST 1000.0 /* rates are per 1000 instructions */

typedef enum run_mode { RUN_NESTED = 0, RUN_SHADOW = 1, RUN_COUNT } run_mode;

typedef struct aproc {
    const mode_space *sp; /* the engine's, valid until its space is freed */
    run_mode mode;
    uint64_t misses, cr3_in, slots; /* in the current interval */
} aproc;

typedef struct adaptive {
    mode_env env;
    const mode_ops *ops[RUN_COUNT];
    void *state[RUN_COUNT];
    GHashTable *by_key; /* vm_id << 32 | pid -> aproc* */
    GPtrArray *procs;   /* in order of first sight, so decisions are deterministic */
    uint32_t *shadowed; /* per VM: live processes in shadow mode */
    aproc *running;
    uint64_t last_tick, decisions;
    uint64_t switches[RUN_COUNT], instructions[RUN_COUNT];
} adaptive;

static const char *const run_names[RUN_COUNT] = {"nested", "shadow"};

static gpointer proc_key(const mode_space *sp) { return GSIZE_TO_POINTER((gsize)sp->vm_id << 32 | sp->pid); }

static aproc *proc_of(adaptive *a, const mode_space *sp)
{
    aproc *p = g_hash_table_lookup(a->by_key, proc_key(sp));
    if (!p) {
        p = vs_calloc(1, sizeof *p);
        p->mode = RUN_NESTED;
        g_hash_table_insert(a->by_key, proc_key(sp), p);
        g_ptr_array_add(a->procs, p);
    }
    p->sp = sp;
    return p;
}

static void set_running(adaptive *a, aproc *p)
{
    if (a->running != p)
        p->slots++;
    a->running = p;
}

static void switch_mode(adaptive *a, aproc *p, run_mode to)
{
    run_mode from = p->mode;
    mode_exit(&a->env, EXIT_MODE_SWITCH, a->env.cfg->cost_exit_cr3);
    if (a->ops[from]->space_freed)
        a->ops[from]->space_freed(a->state[from], p->sp);
    a->env.tlb_flush_tag(a->env.sim, p->sp->tag);
    a->env.st->exit_cycles += a->env.cfg->cost_tlb_flush;
    if (to == RUN_SHADOW)
        a->shadowed[p->sp->vm_id]++;
    else
        a->shadowed[p->sp->vm_id]--;
    p->mode = to;
    a->switches[to]++;
}

static void adaptive_tick(void *state, uint64_t instructions)
{
    adaptive *a = state;
    uint64_t delta = instructions - a->last_tick, slots = 0;
    a->last_tick = instructions;
    for (guint i = 0; i < a->procs->len; i++)
        slots += ((aproc *)g_ptr_array_index(a->procs, i))->slots;
    for (guint i = 0; i < a->procs->len && slots; i++) {
        aproc *p = g_ptr_array_index(a->procs, i);
        if (p->slots) {
            double inst = (double)delta * (double)p->slots / (double)slots;
            a->instructions[p->mode] += (uint64_t)(inst + 0.5);
            double kinst = inst / PER_KINST;
            run_mode want = p->mode;
            if (kinst > 0 && (double)p->cr3_in / kinst > a->env.cfg->adapt_cr3_per_kinst)
                want = RUN_NESTED;
            else if (kinst > 0 && (double)p->misses / kinst > a->env.cfg->adapt_miss_per_kinst)
                want = RUN_SHADOW;
            if (want != p->mode)
                switch_mode(a, p, want);
            a->decisions++;
        }
        p->misses = p->cr3_in = p->slots = 0;
    }
    if (a->running)
        a->running->slots = 1; /* it carries on into the next interval */
}

static int adaptive_translate(void *state, const mode_space *sp, uint64_t va, unsigned access, tlb_entry *out,
                              vs_err *err)
{
    adaptive *a = state;
    aproc *p = proc_of(a, sp);
    set_running(a, p);
    if (!(access & ACCESS_RETRY)) /* one TLB miss, however many attempts it takes */
        p->misses++;
    return a->ops[p->mode]->translate(a->state[p->mode], sp, va, access, out, err);
}

static void adaptive_cr3_write(void *state, const mode_space *to)
{
    adaptive *a = state;
    aproc *p = proc_of(a, to);
    set_running(a, p);
    p->cr3_in++;
    if (p->mode == RUN_NESTED && a->shadowed[to->vm_id])
        mode_exit(&a->env, EXIT_CR3_WRITE, a->env.cfg->cost_exit_cr3);
    if (a->ops[p->mode]->cr3_write)
        a->ops[p->mode]->cr3_write(a->state[p->mode], to);
}

static void adaptive_vm_switch(void *state, const mode_space *to)
{
    adaptive *a = state;
    aproc *p = proc_of(a, to);
    set_running(a, p);
    if (a->ops[p->mode]->vm_switch)
        a->ops[p->mode]->vm_switch(a->state[p->mode], to);
}

static void adaptive_invlpg(void *state, const mode_space *sp, uint64_t va)
{
    adaptive *a = state;
    aproc *p = proc_of(a, sp);
    if (p->mode == RUN_NESTED && a->shadowed[sp->vm_id])
        mode_exit(&a->env, EXIT_INVLPG, a->env.cfg->cost_exit_invlpg);
    if (a->ops[p->mode]->invlpg)
        a->ops[p->mode]->invlpg(a->state[p->mode], sp, va);
}

static int adaptive_pte_written(void *state, const mode_space *sp, uint64_t entry_gpa, unsigned level,
                                uint64_t old_pte, uint64_t new_pte, vs_err *err)
{
    adaptive *a = state;
    aproc *p = proc_of(a, sp);
    if (!a->ops[p->mode]->pte_written)
        return VS_OK;
    return a->ops[p->mode]->pte_written(a->state[p->mode], sp, entry_gpa, level, old_pte, new_pte, err);
}

static int adaptive_table_freed(void *state, const mode_space *sp, uint64_t pfn, unsigned level, vs_err *err)
{
    adaptive *a = state;
    int rc = VS_OK;
    for (int m = 0; m < RUN_COUNT && rc == VS_OK; m++)
        if (a->ops[m]->table_freed)
            rc = a->ops[m]->table_freed(a->state[m], sp, pfn, level, err);
    return rc;
}

static void adaptive_space_freed(void *state, const mode_space *sp)
{
    adaptive *a = state;
    for (int m = 0; m < RUN_COUNT; m++)
        if (a->ops[m]->space_freed)
            a->ops[m]->space_freed(a->state[m], sp);
    /* The process may be gone for good (exit): forget it; an exec starts nested again. */
    aproc *p = g_hash_table_lookup(a->by_key, proc_key(sp));
    if (!p)
        return;
    if (p->mode == RUN_SHADOW)
        a->shadowed[sp->vm_id]--;
    if (a->running == p)
        a->running = NULL;
    g_ptr_array_remove(a->procs, p); /* keeps the order of the others */
    g_hash_table_remove(a->by_key, proc_key(sp));
}

static int adaptive_create(const mode_env *env, void **state, vs_err *err)
{
    adaptive *a = vs_calloc(1, sizeof *a);
    a->env = *env;
    a->ops[RUN_NESTED] = mode_get(mode_find("nested"))->ops;
    a->ops[RUN_SHADOW] = mode_get(mode_find("shadow-cache"))->ops;
    for (int m = 0; m < RUN_COUNT; m++) {
        int rc = a->ops[m]->create(env, &a->state[m], err);
        if (rc != VS_OK) {
            for (int k = 0; k < m; k++)
                a->ops[k]->destroy(a->state[k]);
            free(a);
            return rc;
        }
    }
    a->by_key = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free);
    a->procs = g_ptr_array_new();
    a->shadowed = vs_calloc(env->cfg->vm_count, sizeof *a->shadowed);
    *state = a;
    return VS_OK;
}

static void adaptive_destroy(void *state)
{
    adaptive *a = state;
    for (int m = 0; m < RUN_COUNT; m++)
        a->ops[m]->destroy(a->state[m]);
    g_ptr_array_free(a->procs, TRUE);
    g_hash_table_destroy(a->by_key);
    free(a->shadowed);
    free(a);
}

static void adaptive_report(void *state, jw *w)
{
    adaptive *a = state;
    a->ops[RUN_NESTED]->report(a->state[RUN_NESTED], w);
    uint64_t total = a->instructions[RUN_NESTED] + a->instructions[RUN_SHADOW];
    jw_object(w, "adaptive");
    jw_u64(w, "decisions", a->decisions);
    for (int m = 0; m < RUN_COUNT; m++) {
        jw_object(w, run_names[m]);
        jw_u64(w, "switches_to", a->switches[m]);
        jw_u64(w, "instructions", a->instructions[m]);
        jw_double(w, "share", total ? (double)a->instructions[m] / (double)total : 0);
        jw_end(w);
    }
    jw_object(w, "shadow_cache");
    a->ops[RUN_SHADOW]->report(a->state[RUN_SHADOW], w);
    jw_end(w);
    jw_end(w);
}

static void adaptive_reset_stats(void *state)
{
    adaptive *a = state;
    for (int m = 0; m < RUN_COUNT; m++) {
        a->ops[m]->reset_stats(a->state[m]);
        a->switches[m] = a->instructions[m] = 0;
    }
    a->decisions = 0;
}

const mode_ops mode_adaptive_ops = {
    .create = adaptive_create,
    .destroy = adaptive_destroy,
    .translate = adaptive_translate,
    .cr3_write = adaptive_cr3_write,
    .vm_switch = adaptive_vm_switch,
    .invlpg = adaptive_invlpg,
    .pte_written = adaptive_pte_written,
    .table_freed = adaptive_table_freed,
    .space_freed = adaptive_space_freed,
    .tick = adaptive_tick,
    .report = adaptive_report,
    .reset_stats = adaptive_reset_stats,
};
