/*
 * sim_events.c: the guest's control events -- context switches (CR3
 * writes), VM switches, INVLPG, process lifetime, transactions -- and the
 * hooks through which the OS model reports page-table writes and unmaps.
 * A kmap (kmap_slot) rewrites one present leaf and invalidates it.
 *
 * An unmap (munmap) clears the range's leaves through the OS model, whose
 * entry writes reach the mode as any other guest page-table write, then
 * invalidates what was cleared as Linux's flush_tlb_mm_range does
 * (arch/x86/mm/tlb.c): one INVLPG per stride-sized page of the cleared span
 * (under a hypervisor dropping every smaller TLB entry a splintered large
 * page left, tlb_drop_page) up to guest.flush_ceiling pages (tlb_single_page_flush_ceiling, "33 is
 * the default" since Linux 3.17), above it one full flush of the process's
 * TLB entries, a CR3 reload (native_flush_tlb_local).  Linux before 3.6,
 * seed 003's 2.6 guests among them, had no ceiling: its x86 tlb_flush is
 * flush_tlb_mm (asm-x86_64/tlb.h, asm-i386/tlb.h of 2.6), a CR3 reload
 * after every unmap, which guest.flush_ceiling = 0 models.  3.6 to 3.16
 * (commit 611ae8e3) flushed ranges up to the L2 DTLB's 4 KiB entries
 * >> tlb_flushall_shift one INVLPG each (AMD family 10h: 4, later 6, so 32,
 * later 8, pages on seed 003's Opteron); 3.17 made the ceiling a tunable
 * fixed at 33 (Dave Hansen's series, commit 2d040a1c).  Each INVLPG
 * and the reload reach the mode as the trace's own INVLPG and CR3 records do,
 * so they exit only where the mode makes them exit.
 *
 * Batched writes.  Linux changes present entries without an INVLPG each
 * where one flush covers them all, and the writes of those OS calls reach
 * the mode marked batched (mode.h): fork write-protects the parent's leaves
 * (copy_page_range -> copy_one_pte: ptep_set_wrprotect) and dup_mmap then
 * flushes once, flush_tlb_mm(oldmm), a CR3 reload on x86 (reload_cr3 here,
 * after the writes); an unmap flushes as above; exit and exec tear the old
 * address space down (os.c, as exit_mmap: zap_pte_range, free_pgtables)
 * and it goes whole; a kmap's one write is flushed by its own INVLPG,
 * issued by the engine after it.  A write to a page table the VMM write-protects still
 * traps (KVM 61's fork detector exists for exactly these floods: "we may be
 * forking"); a write to one it does not protect costs nothing until the
 * flush.
 *
 * TLB tagging: with tlb.pcid each process has its own tag and a CR3 write
 * flushes nothing; without it, processes of a VM share the VM's tag and each
 * CR3 write flushes that tag.  tlb.vpid does the same for VM switches.
 */
#include "sim_int.h"

#include <assert.h>

void sim_tlb_flush_tag(void *sim, uint16_t tag)
{
    vs_sim *s = sim;
    th_flush_tag(s->tlbs, tag);
}

void sim_tlb_flush_all(void *sim)
{
    vs_sim *s = sim;
    th_flush_all(s->tlbs);
}

void sim_tlb_invlpg(void *sim, uint16_t tag, uint64_t va)
{
    vs_sim *s = sim;
    th_invlpg(s->tlbs, tag, va);
}

static uint16_t fresh_tag(vs_sim *s)
{
    if (s->next_tag >= SIM_TAG_LIMIT) {
        /* Tags wrap: no entry may survive under a reused tag. */
        th_flush_all(s->tlbs);
        s->next_tag = s->n_vms;
    }
    return (uint16_t)s->next_tag++;
}

int sim_proc_for(vs_sim *s, sim_vm *vm, uint32_t os_pid, sim_proc **out, vs_err *err)
{
    sim_proc *p = g_hash_table_lookup(vm->procs, GUINT_TO_POINTER(os_pid));
    if (p) {
        *out = p;
        return VS_OK;
    }
    os_proc *op;
    int rc = os_proc_get(vm->os, os_pid, &op, err);
    if (rc != VS_OK)
        return rc;
    p = g_new0(sim_proc, 1);
    p->vm = vm;
    p->sp = (mode_space){.os = vm->os,
                         .proc = op,
                         .vm = vm->hv,
                         .vm_id = vm->id,
                         .pid = os_pid,
                         .tag = s->cfg.tlb_pcid ? fresh_tag(s) : vm->tag,
                         .vm_tag = vm->tag};
    sim_account acct = {.vm = vm->id, .stream = s->cur_stream, .pid = os_pid};
    p->account = s->accounts->len;
    g_array_append_val(s->accounts, acct);
    g_hash_table_insert(vm->procs, GUINT_TO_POINTER(os_pid), p);
    *out = p;
    return VS_OK;
}

/* The guest loads p's page-table root: without PCIDs the write flushes the
 * VM's shared tag (SDM 3A 4.10.4.1: the current VPID's non-global entries). */
static void guest_cr3_write(vs_sim *s, sim_vm *vm, sim_proc *p)
{
    s->cr3_writes++;
    if (!s->cfg.tlb_pcid)
        sim_tlb_flush_tag(s, vm->tag);
    if (s->ops->cr3_write)
        s->ops->cr3_write(s->mode, &p->sp, !s->cfg.tlb_pcid);
}

int sim_switch_to(vs_sim *s, sim_vm *vm, sim_proc *p, vs_err *err)
{
    (void)err;
    if (s->running == p)
        return VS_OK;
    sim_serialise(s); /* MOV to CR3 and VMRUN are serialising: the outgoing process's misses */
    sim_charge_to(s, p); /* the CR3 write or VM switch is the incoming process's */
    if (p && s->running_vm && s->running_vm != vm) {
        s->vm_switches++;
        if (!s->cfg.tlb_vpid)
            th_flush_all(s->tlbs);
        if (s->ops->vm_switch)
            s->ops->vm_switch(s->mode, &p->sp);
        /* The guest switched processes while it was descheduled (another
         * stream of the VM ran last): that was a CR3 write, whose flush the
         * VPID does not spare. */
        if (vm->ran_pid && vm->ran_pid != p->sp.pid)
            guest_cr3_write(s, vm, p);
    } else if (p && s->running_vm) {
        /* Also after the previous process exited: loading the next one's
         * page-table root is a CR3 write. */
        guest_cr3_write(s, vm, p);
    }
    if (p)
        vm->ran_pid = p->sp.pid;
    s->running_vm = vm;
    s->running = p;
    return VS_OK;
}

/* The os pid behind a trace's pid, allocating one on first sight. */
static uint32_t map_pid(sim_stream *st, uint32_t trace_pid)
{
    gpointer v = g_hash_table_lookup(st->pids, GUINT_TO_POINTER(trace_pid + 1));
    if (v)
        return GPOINTER_TO_UINT(v);
    uint32_t os_pid = st->vm->next_pid++;
    g_hash_table_insert(st->pids, GUINT_TO_POINTER(trace_pid + 1), GUINT_TO_POINTER(os_pid));
    return os_pid;
}

/* A process may exit while it runs (the usual case): the CPU then idles
 * until the trace's next switch record. */
static int exit_process(vs_sim *s, sim_stream *st, uint32_t trace_pid, vs_err *err)
{
    uint32_t os_pid = map_pid(st, trace_pid);
    sim_proc *p = g_hash_table_lookup(st->vm->procs, GUINT_TO_POINTER(os_pid));
    if (!p)
        return VS_OK;
    if (p == s->running)
        s->running = NULL;
    if (p == st->cur)
        st->cur = NULL;
    sim_charge_to(s, p); /* tearing down its address space is its own cost */
    s->batch_writes = true; /* exit_mmap's clears go with the address space, not one INVLPG each */
    os_exit(st->vm->os, p->sp.proc);
    s->batch_writes = false;
    int rc = sim_deliver_events(s, err); /* while the engine still knows p */
    sim_charge_to(s, s->running);
    g_hash_table_remove(st->pids, GUINT_TO_POINTER(trace_pid + 1));
    g_hash_table_remove(st->vm->procs, GUINT_TO_POINTER(os_pid));
    return rc;
}

/* Records that act on the running process need one. */
static int need_running(const vs_sim *s, const sim_stream *st, const trace_rec *r, vs_err *err)
{
    if (s->running)
        return VS_OK;
    return vs_fail(err, VS_E_FORMAT,
                   "%s: '%s' record while no process runs (before any, or after an exit); expected a 'switch' "
                   "record first",
                   st->path, trace_kind_name(r->kind));
}

#define SPLINTER_SWEEP_MAX 512 /* 4 KiB pieces of a 2 MiB page; a 1 GiB page flushes the tag instead */

/* Drops from the TLBs the guest page of `size` at va.  Under a hypervisor a
 * guest large page may sit there as smaller entries (host pages smaller:
 * splintering); all of them must go, as on hardware, where an INVLPG of any
 * address in a large page invalidates every entry of that page and may
 * flush more (SDM 3A 4.10.4.1). */
static void tlb_drop_page(vs_sim *s, const sim_vm *vm, uint16_t tag, uint64_t va, vs_pgsz size)
{
    uint64_t pieces = 1ull << (vs_pgsz_shift(size) - VS_PAGE_SHIFT_4K);
    if (!vm->hv || pieces == 1) {
        sim_tlb_invlpg(s, tag, va);
        return;
    }
    if (pieces > SPLINTER_SWEEP_MAX) {
        sim_tlb_flush_tag(s, tag);
        return;
    }
    uint64_t base = va & ~((1ull << vs_pgsz_shift(size)) - 1);
    for (uint64_t i = 0; i < pieces; i++)
        sim_tlb_invlpg(s, tag, base + (i << VS_PAGE_SHIFT_4K));
}

/* A guest INVLPG of va in process p, where the guest mapped a page of
 * `size` (an unmap's stride, a copy-on-write page's size; 4 KiB for the
 * trace's own INVLPG and a kmap's, which leave the mapping's size as it
 * was).  The one path of every guest INVLPG, the ones the trace records and
 * the ones the guest kernel issues after its own page-table writes. */
void sim_guest_invlpg(vs_sim *s, sim_proc *p, uint64_t va, vs_pgsz size)
{
    s->invlpgs++;
    tlb_drop_page(s, p->vm, p->sp.tag, va, size);
    if (s->ops->invlpg)
        s->ops->invlpg(s->mode, &p->sp, va);
}

/* The guest reloads CR3 with the running process's own root: a flush of
 * its non-global TLB entries (x86 flush_tlb_mm -> local_flush_tlb ->
 * __flush_tlb, a MOV to CR3), which exits under shadow paging. */
static void reload_cr3(vs_sim *s)
{
    sim_proc *p = s->running;
    s->cr3_writes++;
    sim_tlb_flush_tag(s, p->sp.tag);
    if (s->ops->cr3_write)
        s->ops->cr3_write(s->mode, &p->sp, true);
}

/* What the OS model refuses as misuse (VS_E_USAGE: an unmap of a range it
 * cannot release, a fork to a pid that exists) came from a trace record
 * here: bad input (exit 1), not a usage error. */
static int from_trace(int rc, vs_err *err)
{
    if (rc != VS_E_USAGE)
        return rc;
    if (err)
        err->code = VS_E_FORMAT;
    return VS_E_FORMAT;
}

static int unmap_range(vs_sim *s, const sim_stream *st, const trace_rec *r, vs_err *err)
{
    sim_proc *p = s->running;
    if (r->id || r->size) /* a writer that meant another process, or a sized access, wrote this */
        return vs_fail(err, VS_E_FORMAT,
                       "unmap record with id %u and size %u; expected both 0 (it releases a range of the running "
                       "process)",
                       r->id, (unsigned)r->size);
    os_unmap_info u;
    s->batch_writes = true; /* the flush below covers the clears */
    int rc = from_trace(os_unmap(st->vm->os, p->sp.proc, r->addr, r->len, &u, err), err);
    s->batch_writes = false;
    if (rc == VS_OK) /* the entry writes reach the mode before the flush, as they precede it */
        rc = sim_deliver_events(s, err);
    if (rc != VS_OK || u.leaves_cleared == 0)
        return rc;
    unsigned shift = vs_pgsz_shift(u.stride);
    if ((u.hi - u.lo) >> shift > s->cfg.guest_flush_ceiling) {
        reload_cr3(s);
        return VS_OK;
    }
    for (uint64_t va = u.lo; va < u.hi; va += 1ull << shift)
        sim_guest_invlpg(s, s->running, va, u.stride);
    return VS_OK;
}

/* 32-bit Linux's kmap_atomic of a high-memory page (arch/i386/mm/highmem.c
 * of 2.6.x): set_pte(kmap_pte - idx, mk_pte(page, kmap_prot)), a write of a
 * present fixmap PTE that reaches the mode as any other (a write-protecting
 * shadow variant exits on a shadowed table), then __flush_tlb_one(vaddr),
 * an INVLPG as the trace's own.  The write is batched (mode.h): its flush
 * is that INVLPG, issued here, not one the mode should imply. */
static int kmap_slot(vs_sim *s, const sim_stream *st, const trace_rec *r, vs_err *err)
{
    if (!trace_kmap_well_formed(r))
        return vs_fail(err, VS_E_FORMAT, "kmap at 0x%llx with len %llu and size %u; expected " TREC_KMAP_FORM,
                       (unsigned long long)r->addr, (unsigned long long)r->len, (unsigned)r->size);
    s->batch_writes = true;
    int rc = from_trace(os_kmap(st->vm->os, s->running->sp.proc, r->addr, r->id, err), err);
    s->batch_writes = false;
    if (rc == VS_OK) /* the entry write reaches the mode before the INVLPG, as it precedes it */
        rc = sim_deliver_events(s, err);
    if (rc == VS_OK)
        sim_guest_invlpg(s, s->running, r->addr, VS_PG_4K);
    return rc;
}

/* The records that mark the trace and stand for no work of the machine. */
static bool record_is_annotation(unsigned kind)
{
    return kind == TREC_TXN_BEGIN || kind == TREC_TXN_END || kind == TREC_CDA || kind == TREC_ROI;
}

int sim_control(vs_sim *s, sim_stream *st, const trace_rec *r, vs_err *err)
{
    sim_proc *p;
    int rc = VS_OK;
    /* Every record but the annotations (transactions, critical data areas,
     * region markers) stands for kernel work that writes CR3 or page tables
     * and invalidates translations: serialising instructions (Intel SDM vol.
     * 3A, "Serializing Instructions": MOV to CR3, INVLPG; AMD APM vol. 2,
     * "Serializing Instructions", the same); an unmap ends in INVLPGs or a
     * CR3 reload, a kmap in an INVLPG. */
    if (!record_is_annotation(r->kind))
        sim_serialise(s);
    switch ((trace_kind)r->kind) {
    case TREC_SWITCH:
        rc = sim_proc_for(s, st->vm, map_pid(st, r->id), &p, err);
        if (rc == VS_OK) {
            st->started = true;
            st->cur = p;
            rc = sim_switch_to(s, st->vm, p, err);
        }
        break;
    case TREC_PROC_START:
        rc = sim_proc_for(s, st->vm, map_pid(st, r->id), &p, err);
        break;
    case TREC_PROC_EXIT:
        rc = exit_process(s, st, r->id, err);
        break;
    case TREC_FORK:
        rc = need_running(s, st, r, err);
        if (rc != VS_OK)
            break;
        s->batch_writes = true;
        rc = from_trace(os_fork(st->vm->os, s->running->sp.proc, map_pid(st, r->id), err), err);
        s->batch_writes = false;
        if (rc == VS_OK)
            rc = sim_proc_for(s, st->vm, map_pid(st, r->id), &p, err);
        if (rc == VS_OK) /* the write protection reaches the mode before the flush that covers it */
            rc = sim_deliver_events(s, err);
        if (rc == VS_OK)
            reload_cr3(s);
        break;
    case TREC_EXEC:
        rc = need_running(s, st, r, err);
        if (rc != VS_OK)
            break;
        s->batch_writes = true; /* the old image goes as at exit */
        rc = os_exec(st->vm->os, s->running->sp.proc, err);
        s->batch_writes = false;
        /* Linux's exec_mmap (fs/exec.c) loads the new mm's root (activate_mm
         * -> switch_mm, a CR3 write) and then drops the old image (mmput);
         * here the old image goes first, because os_exec builds the new tree
         * in the frames it frees.  The teardown's writes are priced by
         * whether the old tables are shadowed, which the order of the two
         * does not change. */
        if (rc == VS_OK)
            rc = sim_deliver_events(s, err);
        if (rc == VS_OK)
            reload_cr3(s);
        break;
    case TREC_INVLPG:
        rc = need_running(s, st, r, err);
        if (rc != VS_OK)
            break;
        sim_guest_invlpg(s, s->running, r->addr, VS_PG_4K);
        break;
    case TREC_UNMAP:
        rc = need_running(s, st, r, err);
        if (rc == VS_OK)
            rc = unmap_range(s, st, r, err);
        break;
    case TREC_KMAP:
        rc = need_running(s, st, r, err);
        if (rc == VS_OK)
            rc = kmap_slot(s, st, r, err);
        break;
    case TREC_VM:
        if (r->id >= s->n_vms)
            return vs_fail(err, VS_E_FORMAT, "%s: switch to VM %u, but [vm] count = %u; expected an id below it",
                           st->path, r->id, s->n_vms);
        st->vm = &s->vms[r->id];
        st->started = true;
        st->cur = NULL;
        g_hash_table_remove_all(st->pids);
        rc = sim_proc_for(s, st->vm, st->vm->next_pid++, &st->cur, err);
        if (rc == VS_OK)
            rc = sim_switch_to(s, st->vm, st->cur, err);
        break;
    case TREC_TXN_BEGIN:
        s->transactions++;
        break;
    case TREC_CDA:
        s->cdas++;
        break;
    case TREC_TXN_END:
        break;
    case TREC_ROI:
        if (r->id != TREC_ROI_BEGIN && r->id != TREC_ROI_END)
            return vs_fail(err, VS_E_FORMAT, "%s: region-of-interest marker %u; expected %d (end) or %d (begin)",
                           st->path, r->id, TREC_ROI_END, TREC_ROI_BEGIN);
        sim_roi_marker(s, r->id == TREC_ROI_BEGIN);
        break;
    default:
        assert(!"memory record in sim_control");
    }
    return rc == VS_OK ? sim_deliver_events(s, err) : rc;
}

/* ---- OS hooks: the guest OS reports what it did to its page tables ---- */

static sim_proc *proc_of(sim_vm *vm, uint32_t pid)
{
    return g_hash_table_lookup(vm->procs, GUINT_TO_POINTER(pid));
}

/* The mode hears of page-table changes after the OS call returns
 * (sim_fault.c); the TLBs hear at once. */
static void hook_pte_written(void *ctx, uint32_t pid, uint64_t entry_pa, unsigned level, uint64_t old_pte,
                             uint64_t new_pte)
{
    sim_vm *vm = ctx;
    const mode_ops *ops = vm->sim->ops;
    if (!ops->pte_written || (ops->pte_written_cleared_only && (new_pte & PTE_P)))
        return;
    sim_proc *p = proc_of(vm, pid);
    if (p)
        sim_queue_event(vm->sim, &(sim_event){.kind = SIM_EV_PTE_WRITTEN,
                                              .p = p,
                                              .addr = entry_pa,
                                              .level = level,
                                              .old_pte = old_pte,
                                              .new_pte = new_pte,
                                              .batched = vm->sim->batch_writes});
}

static void hook_unmapped(void *ctx, uint32_t pid, uint64_t va, vs_pgsz size)
{
    sim_vm *vm = ctx;
    sim_proc *p = proc_of(vm, pid);
    if (p)
        tlb_drop_page(vm->sim, vm, p->sp.tag, va, size);
}

static void hook_table_freed(void *ctx, uint32_t pid, uint64_t pfn, unsigned level)
{
    sim_vm *vm = ctx;
    sim_proc *p = proc_of(vm, pid);
    if (p && vm->sim->ops->table_freed)
        sim_queue_event(vm->sim, &(sim_event){.kind = SIM_EV_TABLE_FREED, .p = p, .addr = pfn, .level = level});
}

static void hook_space_freed(void *ctx, uint32_t pid)
{
    sim_vm *vm = ctx;
    sim_proc *p = proc_of(vm, pid);
    if (!p)
        return;
    sim_tlb_flush_tag(vm->sim, p->sp.tag);
    if (vm->sim->ops->space_freed)
        sim_queue_event(vm->sim, &(sim_event){.kind = SIM_EV_SPACE_FREED, .p = p});
}

const os_hooks sim_os_hooks_template = {
    .pte_written = hook_pte_written,
    .unmapped = hook_unmapped,
    .table_freed = hook_table_freed,
    .space_freed = hook_space_freed,
    .ctx = NULL,
};
