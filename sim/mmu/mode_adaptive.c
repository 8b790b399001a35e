/*
 * mode_adaptive.c: selective hardware/software paging -- each process runs
 * under nested paging or under shadow paging with caching, and the VMM moves
 * it between the two at run time.  After Wang et al., "Selective
 * Hardware/Software Memory Virtualization" (SHSP, VEE'11) and the conclusion
 * of Bae, Lange and Dinda (NWU-EECS-10-07, sec. 5-6): which scheme is better
 * depends on the workload's TLB misses (a 1D walk instead of a 2D one) against
 * the VMM work shadow paging adds (CR3 writes, page-table writes, faults).
 *
 * The mode composes the two existing ones through their mode_ops, each with
 * its own state, sharing the run's statistics; it holds no translation logic
 * of its own.  Processes start nested (the hardware default).  Every
 * adaptive.interval instructions (a window, tick) it decides, for each
 * process that ran, with one of two policies (adaptive.policy):
 *
 * cost (default; docs/vmm.md sec. 7).  The cycles the process spent in its
 * current mode over the window are measured: the walk and exit cycles charged
 * while the mode served it, less the host's work of backing guest pages
 * (cost.exit_ept per page backed: the same in either mode -- KVM's
 * tdp_page_fault and its shadow FNAME(page_fault) fault the host page in
 * alike -- so no difference between them; counted as the current mode's, it
 * made each mode look the costlier on a guest that keeps touching new memory,
 * and boot switched every window or two).  The cycles it would have spent in
 * the other mode are estimated from the same window's counters and the
 * config's prices:
 *  - in nested, shadow's cost is the guest-dimension share of the walk cycles
 *    (a shadow walk reads one entry where the 2D walk read one guest entry)
 *    plus the exits shadow paging with caching would take: each CR3 write
 *    (cost.vmexit + cost.exit_cr3), INVLPG (+ exit_invlpg), guest page-table
 *    write (+ exit_pt_write: an upper bound, every written table shadowed) and
 *    guest page fault (reflected, then a hidden fault fills the new entry:
 *    2 cost.vmexit + exit_guest_fault + exit_hidden), EPT violation beyond
 *    the guest faults (a page backed under an existing guest mapping is a
 *    hidden fault in shadow: cost.vmexit + exit_hidden), and, when the
 *    shadow cache is bounded and the process has more table pages than it
 *    holds, a hidden fault for the share of TLB misses whose shadow table
 *    the cache could not keep (capacity_faults);
 *  - in shadow, nested's cost is the walk references times the cycles a
 *    nested walk cost per guest-dimension reference in the process's last
 *    nested window (a 2D walk per reference of the 1D one), and an EPT
 *    violation exit (cost.vmexit) per guest page the host backed.
 * The switch is priced as the VMM does it (KVM's kvm_mmu_reset_context: the
 * MMU unloaded and reloaded, the TLB flushed): an exit (EXIT_MODE_SWITCH,
 * cost.vmexit + cost.exit_cr3) and a TLB flush (cost.tlb_flush), plus, to
 * shadow, the build of the process's shadow within that exit -- and, to
 * nested, dropping its shadow entries (cost.shadow_entry each).  The build
 * is one of two, whichever prices lower:
 *  - eager and batched (shadow_prefill): for each guest leaf table a guest
 *    walk to it and one burst read of the table page
 *    (mode_vmm_read_guest_page, as shadow-prefetch's fill), then a shadow
 *    entry per page the host backs: no exit per page;
 *  - lazy: a hidden-fault exit per page as the process touches it
 *    (cost.vmexit + cost.exit_hidden, a guest walk, an entry).
 * Dense tables favour the first by some 60 times (vpr, hpcc); sparse ones,
 * a leaf table per page (worst), the second.  The price sets, through the
 * age rule below, how long a switch waits: the lazy price alone kept vpr's
 * and hpcc's switches past seed 003's warm-up.  The VMM prices both from
 * the guest's table pages and present leaves (a VMM can count them by
 * scanning the guest's tables; the model counts the guest's writes), each
 * reference at dram_latency: an upper bound, the reads may hit the caches.
 * Hysteresis is the age rule of Harchol-Balter and Downey (SIGMETRICS'96: a
 * process that has run for T is expected to run about T more, so it is worth
 * migrating when its expected saving over T pays for the move;
 * mode_adaptive_switch_pays): the process switches when the window's
 * excess per instruction, times the instructions it has run in its current
 * mode, exceeds the switch's price.  A process that just switched therefore
 * needs a large excess to switch back, and every switch is paid for by cycles
 * already lost, which bounds thrashing.  While a shadow is being rebuilt
 * (hidden faults in the window exceed the process's new mappings and
 * page-table writes, and the rebuild has not yet taken a fault per page the
 * process mapped at the switch) the window's cost is the rebuild's, not
 * shadow's, and it does not count towards a decision; hidden faults past
 * that budget are shadow's own, as when a bounded cache evicts
 * (shadow.max_pages).
 *
 * rates: the fixed thresholds of the SHSP kind: above adaptive.cr3_per_kinst
 * CR3 writes per 1000 of its instructions nested; otherwise above
 * adaptive.miss_per_kinst TLB misses shadow; otherwise it stays.
 *
 * The VMM cannot count a process's instructions; it sees the window's
 * instructions and the CR3 writes.  So a process's instructions are the
 * window's shared by run slots (the slot it was running in when the window
 * began, plus one per switch into it): exact for round-robin with equal
 * quanta.
 *
 * Leaving shadow drops the process's shadow (built again on return, as above),
 * leaving nested clears its guest-dimension caches.  CR3-load and INVLPG
 * exiting are VM-wide controls: while any process of a VM runs shadowed,
 * every CR3 write and INVLPG in that VM exits.
 *
 * Invariants: shadowed[vm] equals the number of live processes of that VM in
 * shadow mode; a process's events go to the state of its current mode only,
 * except invalidations (table and space freed), which go to both; the
 * cycles measured per process over a window add up to the walk and exit
 * cycles the run charged in that window outside of switches.
 */
#include "mode_shadow_int.h"
#include "hv.h"

#include <glib.h>
#include <stdlib.h>

#define PER_KINST 1000.0 /* rates are per 1000 instructions */
/* Lines of a 4 KiB guest table page the VMM's burst read takes with x86's
 * 64-byte lines (SDM vol. 3A 11.1; mode_vmm_read_guest_page). */
#define BURST_LINES 64

typedef enum run_mode { RUN_NESTED = 0, RUN_SHADOW = 1, RUN_COUNT } run_mode;

/* What the VMM's counters say about one process over the current window. */
typedef struct window {
    uint64_t misses, cr3_in, slots, invlpgs, pt_writes, guest_faults;
    uint64_t cycles;                /* walk + exit cycles charged while serving it */
    uint64_t walk_refs, guest_refs, nested_refs, walk_cycles, hidden;
    uint64_t backed, ept;           /* guest pages the host backed; of them, by EPT violations */
} window;

typedef struct aproc {
    const mode_space *sp; /* the engine's, valid until its space is freed */
    run_mode mode;
    window w;
    double in_mode;            /* its instructions since it entered its current mode */
    double nested_per_gref;    /* cycles of a nested walk per guest-dimension reference, last nested window */
    int64_t mapped;            /* present leaf entries of its tables (pages the guest maps) */
    int64_t tables;            /* present entries pointing to a table: its table pages but the root */
    int64_t rebuild;           /* hidden faults its shadow's rebuild has still to take (pages mapped at the switch) */
} aproc;

typedef struct adaptive {
    mode_env env;
    const mode_ops *ops[RUN_COUNT];
    void *state[RUN_COUNT];
    GHashTable *by_key; /* vm_id << 32 | pid -> aproc* */
    GPtrArray *procs;   /* in order of first sight, so decisions are deterministic */
    uint32_t *shadowed; /* per VM: live processes in shadow mode */
    aproc *running;
    uint64_t last_tick, decisions, settling, eager_builds;
    uint64_t switches[RUN_COUNT], instructions[RUN_COUNT];
    double measured[RUN_COUNT], estimated[RUN_COUNT]; /* window cycles, by the mode they are of */
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
        p->w.slots++;
    a->running = p;
}

/* The run's counters that a window measures, before a call into a mode. */
typedef struct snap {
    uint64_t cycles, walk_refs, guest_refs, nested_refs, walk_cycles, hidden, backed, ept;
} snap;

static uint64_t backed_pages(const hv *h)
{
    const hv_counters *c = hv_get_counters(h);
    uint64_t n = 0;
    for (unsigned s = 0; s < VS_PG_COUNT; s++)
        n += c->backed[s];
    return n;
}

static snap take(const adaptive *a)
{
    const xlate_stats *st = a->env.st;
    return (snap){.cycles = st->walk_cycles + st->exit_cycles,
                  .walk_refs = st->walk_refs,
                  .guest_refs = st->guest_refs,
                  .nested_refs = st->nested_refs,
                  .walk_cycles = st->walk_cycles,
                  .hidden = st->exits[EXIT_HIDDEN_FAULT],
                  .backed = backed_pages(a->env.hv),
                  .ept = st->exits[EXIT_EPT_VIOLATION]};
}

/* Charges p's window with what the run's counters rose by since `b`. */
static void charge(const adaptive *a, aproc *p, const snap *b)
{
    snap n = take(a);
    p->w.cycles += n.cycles - b->cycles;
    p->w.walk_refs += n.walk_refs - b->walk_refs;
    p->w.guest_refs += n.guest_refs - b->guest_refs;
    p->w.nested_refs += n.nested_refs - b->nested_refs;
    p->w.walk_cycles += n.walk_cycles - b->walk_cycles;
    p->w.hidden += n.hidden - b->hidden;
    p->w.backed += n.backed - b->backed;
    p->w.ept += n.ept - b->ept;
}

static run_mode choose_rates(const adaptive *a, const aproc *p, double inst)
{
    double kinst = inst / PER_KINST;
    if (kinst > 0 && (double)p->w.cr3_in / kinst > a->env.cfg->adapt_cr3_per_kinst)
        return RUN_NESTED;
    if (kinst > 0 && (double)p->w.misses / kinst > a->env.cfg->adapt_miss_per_kinst)
        return RUN_SHADOW;
    return p->mode;
}

/* The hidden faults a bounded shadow cache (shadow.max_pages) would add to
 * p's window in shadow: with more table pages than the cache holds (its
 * tables and its root), a TLB miss finds its shadow table evicted in the
 * share of tables the cache cannot hold, if misses spread evenly over them.
 * The VMM knows its limit and can count the guest's tables; the whole limit
 * is taken as p's, an optimistic bound when its VM runs other processes. */
static double capacity_faults(const vs_config *c, const aproc *p)
{
    double tables = (double)(p->tables > 0 ? p->tables : 0) + 1, cap = (double)c->shadow_max_pages;
    if (cap == 0 || tables <= cap)
        return 0;
    return (double)p->w.misses * (1 - cap / tables);
}

/* The window's cycles had p run in the mode it is not in (see the header). */
static double other_cost(const adaptive *a, aproc *p)
{
    const vs_config *c = a->env.cfg;
    const window *w = &p->w;
    double x = (double)c->cost_vmexit;
    if (p->mode == RUN_NESTED) {
        double refs = (double)(w->guest_refs + w->nested_refs);
        if (w->guest_refs)
            p->nested_per_gref = (double)w->walk_cycles / (double)w->guest_refs;
        double walk = refs > 0 ? (double)w->walk_cycles * (double)w->guest_refs / refs : 0;
        /* a page the host backed on an EPT violation, which no guest fault
         * priced below accounts for, is a hidden fault in shadow */
        double fills = w->ept > w->guest_faults ? (double)(w->ept - w->guest_faults) : 0;
        return walk + (capacity_faults(c, p) + fills) * (x + (double)c->cost_exit_hidden) +
               (double)w->cr3_in * (x + (double)c->cost_exit_cr3) +
               (double)w->invlpgs * (x + (double)c->cost_exit_invlpg) +
               (double)w->pt_writes * (x + (double)c->cost_exit_pt_write) +
               (double)w->guest_faults * (2 * x + (double)c->cost_exit_guest_fault + (double)c->cost_exit_hidden);
    }
    double per_ref = p->nested_per_gref;
    if (per_ref == 0 && w->walk_refs) /* never measured nested: a 2D walk without caches, (m + 1) per reference */
        per_ref = (double)w->walk_cycles / (double)w->walk_refs * (c->host_levels + 1);
    /* each page the host backed is an EPT violation in nested */
    return (double)w->walk_refs * per_ref + (double)w->backed * x;
}

/* The price of building p's shadow (see the header): eagerly, a guest walk
 * and a burst per table and an entry per page; lazily, a hidden fault per
 * page with its guest walk and its entry. */
static double build_cost(const adaptive *a, const aproc *p, bool eager)
{
    const vs_config *c = a->env.cfg;
    double pages = p->mapped > 0 ? (double)p->mapped : 0, tables = p->tables > 0 ? (double)p->tables : 0;
    double ref = (double)c->dram_latency, entry = (double)c->cost_shadow_entry;
    if (eager)
        return tables * (c->guest_levels + BURST_LINES) * ref + pages * entry;
    return pages * ((double)(c->cost_vmexit + c->cost_exit_hidden) + c->guest_levels * ref + entry);
}

static bool build_eagerly(const adaptive *a, const aproc *p) { return build_cost(a, p, true) < build_cost(a, p, false); }

/* The price of moving p to `to` (see the header). */
static double switch_cost(const adaptive *a, const aproc *p, run_mode to)
{
    const vs_config *c = a->env.cfg;
    double base = (double)(c->cost_vmexit + c->cost_exit_cr3 + c->cost_tlb_flush);
    if (to == RUN_SHADOW)
        return base + build_cost(a, p, build_eagerly(a, p));
    return base + (p->mapped > 0 ? (double)p->mapped : 0) * (double)c->cost_shadow_entry;
}

static void switch_mode(adaptive *a, aproc *p, run_mode to)
{
    run_mode from = p->mode;
    mode_exit(&a->env, EXIT_MODE_SWITCH, a->env.cfg->cost_exit_cr3);
    if (a->ops[from]->space_freed)
        a->ops[from]->space_freed(a->state[from], p->sp);
    a->env.tlb_flush_tag(a->env.sim, p->sp->tag);
    a->env.st->exit_cycles += a->env.cfg->cost_tlb_flush;
    if (to == RUN_SHADOW) {
        a->shadowed[p->sp->vm_id]++;
        p->rebuild = p->mapped > 0 ? p->mapped : 0;
        vs_err e; /* what the build cannot do (host memory exhausted) hidden faults do, and report */
        if (build_eagerly(a, p)) {
            (void)shadow_prefill(a->state[RUN_SHADOW], p->sp, shadow_prefetch_table, &e);
            a->eager_builds++;
        }
    } else {
        a->shadowed[p->sp->vm_id]--;
    }
    p->mode = to;
    p->in_mode = 0;
    a->switches[to]++;
}

bool mode_adaptive_switch_pays(double cur, double est, double inst, double age, double price)
{
    return inst > 0 && cur > est && (cur - est) / inst * age >= price;
}

static run_mode choose_cost(adaptive *a, aproc *p, double inst)
{
    run_mode other = p->mode == RUN_NESTED ? RUN_SHADOW : RUN_NESTED;
    /* backing a guest page is the same handler work in either mode: not a difference */
    double cur = (double)p->w.cycles - (double)p->w.backed * (double)a->env.cfg->cost_exit_ept;
    double est = other_cost(a, p);
    if (p->mode == RUN_SHADOW && p->rebuild > 0 && p->w.hidden > p->w.guest_faults + p->w.pt_writes) {
        /* rebuilding the shadow: the window says nothing of shadow's steady
         * cost -- until the rebuild has taken a fault per page it had to
         * fill; hidden faults past that are shadow's own (an evicting cache) */
        int64_t excess = (int64_t)(p->w.hidden - p->w.guest_faults - p->w.pt_writes);
        p->rebuild -= excess < p->rebuild ? excess : p->rebuild;
        a->settling++;
        return p->mode;
    }
    a->measured[p->mode] += cur;
    a->estimated[other] += est;
    return mode_adaptive_switch_pays(cur, est, inst, p->in_mode, switch_cost(a, p, other)) ? other : p->mode;
}

static void adaptive_tick(void *state, uint64_t instructions)
{
    adaptive *a = state;
    uint64_t delta = instructions - a->last_tick, slots = 0;
    a->last_tick = instructions;
    for (guint i = 0; i < a->procs->len; i++)
        slots += ((aproc *)g_ptr_array_index(a->procs, i))->w.slots;
    for (guint i = 0; i < a->procs->len && slots; i++) {
        aproc *p = g_ptr_array_index(a->procs, i);
        if (p->w.slots) {
            double inst = (double)delta * (double)p->w.slots / (double)slots;
            a->instructions[p->mode] += (uint64_t)(inst + 0.5);
            p->in_mode += inst;
            run_mode want = a->env.cfg->adapt_policy == ADAPT_POLICY_RATES ? choose_rates(a, p, inst)
                                                                            : choose_cost(a, p, inst);
            if (want != p->mode)
                switch_mode(a, p, want);
            a->decisions++;
        }
        p->w = (window){0};
    }
    if (a->running)
        a->running->w.slots = 1; /* it carries on into the next window */
}

static int adaptive_translate(void *state, const mode_space *sp, uint64_t va, unsigned access, tlb_entry *out,
                              vs_err *err)
{
    adaptive *a = state;
    aproc *p = proc_of(a, sp);
    set_running(a, p);
    if (!(access & ACCESS_RETRY)) /* one TLB miss, however many attempts it takes */
        p->w.misses++;
    snap b = take(a);
    int rc = a->ops[p->mode]->translate(a->state[p->mode], sp, va, access, out, err);
    charge(a, p, &b);
    if (rc == MODE_FAULT)
        p->w.guest_faults++;
    return rc;
}

static void adaptive_cr3_write(void *state, const mode_space *to, bool flush)
{
    adaptive *a = state;
    aproc *p = proc_of(a, to);
    set_running(a, p);
    p->w.cr3_in++;
    snap b = take(a);
    if (p->mode == RUN_NESTED && a->shadowed[to->vm_id])
        mode_exit(&a->env, EXIT_CR3_WRITE, a->env.cfg->cost_exit_cr3);
    if (a->ops[p->mode]->cr3_write)
        a->ops[p->mode]->cr3_write(a->state[p->mode], to, flush);
    charge(a, p, &b);
}

static void adaptive_vm_switch(void *state, const mode_space *to)
{
    adaptive *a = state;
    aproc *p = proc_of(a, to);
    set_running(a, p);
    snap b = take(a);
    if (a->ops[p->mode]->vm_switch)
        a->ops[p->mode]->vm_switch(a->state[p->mode], to);
    charge(a, p, &b);
}

static void adaptive_invlpg(void *state, const mode_space *sp, uint64_t va)
{
    adaptive *a = state;
    aproc *p = proc_of(a, sp);
    p->w.invlpgs++;
    snap b = take(a);
    if (p->mode == RUN_NESTED && a->shadowed[sp->vm_id])
        mode_exit(&a->env, EXIT_INVLPG, a->env.cfg->cost_exit_invlpg);
    if (a->ops[p->mode]->invlpg)
        a->ops[p->mode]->invlpg(a->state[p->mode], sp, va);
    charge(a, p, &b);
}

/* Whether pte, written at `level`, maps a page (a leaf) rather than a table. */
static bool is_leaf(uint64_t pte, unsigned level) { return (pte & PTE_P) && (level == 1 || (pte & PTE_PS)); }
static bool is_table(uint64_t pte, unsigned level) { return (pte & PTE_P) && !is_leaf(pte, level); }

static int adaptive_pte_written(void *state, const mode_space *sp, uint64_t entry_gpa, unsigned level,
                                uint64_t old_pte, uint64_t new_pte, bool batched, vs_err *err)
{
    adaptive *a = state;
    aproc *p = proc_of(a, sp);
    p->w.pt_writes++;
    p->mapped += (int64_t)is_leaf(new_pte, level) - (int64_t)is_leaf(old_pte, level);
    p->tables += (int64_t)is_table(new_pte, level) - (int64_t)is_table(old_pte, level);
    if (!a->ops[p->mode]->pte_written)
        return VS_OK;
    snap b = take(a);
    int rc = a->ops[p->mode]->pte_written(a->state[p->mode], sp, entry_gpa, level, old_pte, new_pte, batched, err);
    charge(a, p, &b);
    return rc;
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
    jw_str(w, "policy", a->env.cfg->adapt_policy == ADAPT_POLICY_RATES ? "rates" : "cost");
    jw_u64(w, "decisions", a->decisions);
    jw_u64(w, "settling_windows", a->settling);
    jw_u64(w, "eager_shadow_builds", a->eager_builds);
    for (int m = 0; m < RUN_COUNT; m++) {
        jw_object(w, run_names[m]);
        jw_u64(w, "switches_to", a->switches[m]);
        jw_u64(w, "instructions", a->instructions[m]);
        jw_double(w, "share", total ? (double)a->instructions[m] / (double)total : 0);
        jw_u64(w, "window_cycles_measured", (uint64_t)(a->measured[m] + 0.5));
        jw_u64(w, "window_cycles_estimated", (uint64_t)(a->estimated[m] + 0.5));
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
        a->measured[m] = a->estimated[m] = 0;
    }
    a->decisions = a->settling = a->eager_builds = 0;
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
