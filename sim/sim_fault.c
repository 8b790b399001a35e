/*
 * sim_fault.c: the one driver of faults.  A mode's translate makes one
 * attempt at a translation and either completes it or returns a fault
 * descriptor (mode.h's mode_fault); here the engine runs the guest (or
 * native) OS for a page fault, hands the mode the page-table events the OS
 * produced -- after the OS call has returned, never while translate is on
 * the stack -- and tries again, up to one bound derived below.
 *
 * The page-table events (an entry written, a table freed, an address space
 * gone) are queued by the OS hooks in the order the OS made them and
 * delivered by sim_deliver_events, which every caller of an OS entry point
 * runs when that call returns; an error a mode meets while handling one
 * stops the run.  TLB shootdowns stay immediate: the engine owns the TLBs.
 *
 * Cold and steady state: an attempt that exists only because memory is
 * touched for the first time -- a walk that ended in a page fault (or a
 * copy-on-write fault), one that met an EPT violation, the OS's handling of
 * the fault and the exits its page-table writes cause -- has all its walk
 * and VMM cycles counted in first_touch_cycles, beside what the modes put
 * there themselves (EPT violations, guest-fault injections, host backing).
 * A shadow fill after the guest's fault (a hidden fault) stays translation:
 * it recurs after every shadow flush, first touch or not.
 *
 * Invariants: no event is pending when translate runs; an event names a
 * process still known to the engine (exits deliver before they forget it).
 */
#include "sim_int.h"

#include <stdio.h>

#define SIM_OS_FAULTS_MAX 2 /* per access: map the page, then copy it for a store (copy-on-write) */

/* The most translate attempts one access can need, for `levels`-level guest
 * tables.  Besides the one that completes, an attempt ends in one of:
 *  - a page fault for the OS: at most SIM_OS_FAULTS_MAX;
 *  - a hidden fault (shadow, agile): at most one per stretch between OS
 *    faults, since it fills the whole path;
 *  - an EPT violation: one per guest-physical page a walk finds unbacked --
 *    every table of the walk and its data page, plus what each OS fault adds
 *    (a new table for every level below the root, and one new page). */
static unsigned max_attempts(unsigned levels)
{
    unsigned hidden = SIM_OS_FAULTS_MAX + 1;
    unsigned backings = (levels + 1) + SIM_OS_FAULTS_MAX * levels;
    return 1 + SIM_OS_FAULTS_MAX + hidden + backings;
}

void sim_queue_event(vs_sim *s, const sim_event *ev) { g_array_append_val(s->events, *ev); }

static int deliver(vs_sim *s, vs_err *err)
{
    if (s->events->len == 0) /* every translate asks; most find nothing */
        return VS_OK;
    int rc = VS_OK;
    guint i;
    for (i = 0; i < s->events->len && rc == VS_OK; i++) {
        const sim_event *ev = &g_array_index(s->events, sim_event, i);
        const mode_space *sp = &ev->p->sp;
        switch (ev->kind) {
        case SIM_EV_PTE_WRITTEN:
            rc = s->ops->pte_written(s->mode, sp, ev->addr, ev->level, ev->old_pte, ev->new_pte, ev->batched, err);
            break;
        case SIM_EV_TABLE_FREED:
            rc = s->ops->table_freed(s->mode, sp, ev->addr, ev->level, err);
            break;
        case SIM_EV_SPACE_FREED:
            s->ops->space_freed(s->mode, sp);
            break;
        }
    }
    g_array_set_size(s->events, 0);
    return rc;
}

int sim_deliver_events(vs_sim *s, vs_err *err) { return deliver(s, err); }

/* The counters an attempt moves, taken before it. */
typedef struct attempt_mark {
    uint64_t walk_cycles, exit_cycles, first_touch_cycles, ept_violations;
} attempt_mark;

static attempt_mark mark(const xlate_stats *st)
{
    return (attempt_mark){st->walk_cycles, st->exit_cycles, st->first_touch_cycles, st->exits[EXIT_EPT_VIOLATION]};
}

/* Every walk and VMM cycle since m was first-touch work. */
static void charge_first_touch(xlate_stats *st, const attempt_mark *m)
{
    st->first_touch_cycles =
        m->first_touch_cycles + (st->walk_cycles - m->walk_cycles) + (st->exit_cycles - m->exit_cycles);
}

int sim_translate(vs_sim *s, sim_proc *p, uint64_t va, unsigned access, tlb_entry *out,
                  vs_err *err)
{
    bool write = access & ACCESS_WRITE;
    unsigned bound = max_attempts(s->cfg.guest_levels);
    int rc = deliver(s, err);
    for (unsigned attempt = 0; rc == VS_OK && attempt < bound; attempt++) {
        attempt_mark m = mark(&s->st);
        rc = s->ops->translate(s->mode, &p->sp, va, access | (attempt ? ACCESS_RETRY : 0), out, err);
        if (rc == VS_OK)
            return VS_OK;
        if (rc == MODE_FAULT) {
            os_fault_info info;
            rc = mode_os_fault(&s->env, &p->sp, va, write, &info, err);
            if (rc == VS_OK)
                rc = deliver(s, err);
            /* A copy-on-write remap changed a present entry: the guest
             * kernel invalidates it (Linux do_wp_page -> ptep_clear_flush ->
             * flush_tlb_page, an INVLPG of the current mm's page), after
             * the write the mode has just heard of. */
            if (rc == VS_OK && info.kind == OS_FAULT_COW)
                sim_guest_invlpg(s, p, va, info.size);
            charge_first_touch(&s->st, &m);
        } else if (rc == MODE_RETRY) {
            if (s->st.exits[EXIT_EPT_VIOLATION] != m.ept_violations)
                charge_first_touch(&s->st, &m);
            rc = VS_OK;
        }
    }
    if (rc == VS_OK)
        rc = vs_fail(err, VS_E_USAGE, "%s: va 0x%llx of pid %u still faults after %u attempts", s->info->name,
                     (unsigned long long)va, p->sp.pid, bound);
    return rc;
}
