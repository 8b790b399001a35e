/*
 * test_vm_switch_cr3.c: a VM switch that brings back another process of the
 * VM than the one it last ran implies the guest's MOV to CR3, and without
 * PCIDs that write flushes the VM's TLB entries even where VPIDs keep them
 * across the switch itself (Intel SDM 3A 4.10.4.1: MOV to CR3 with
 * CR4.PCIDE = 0 invalidates the non-global entries of the current VPID;
 * AMD APM vol. 2 5.5.2 the same for the current ASID).
 *
 * Three traces on two VMs (dealt in turn: traces 0 and 2 on VM 0, each its
 * own process), so VM 0 runs trace 0's process, then VM 1 runs, then VM 0
 * runs trace 2's process -- a VM switch, whose CR3 write the engine did
 * not see.  Every process touches the same virtual pages,
 * each backed by its own frames.  Every access's physical address must be
 * the reference's (sim_reference_translate), under every virtualized mode,
 * with tlb.pcid = false and tlb.vpid = true (configs/barcelona*.ini with
 * configs/vmm/kvm.ini).  Under the shadow modes each of those CR3 writes
 * is one exit, and the engine counts it (events.cr3_writes).  Before the
 * engine flushed here, the third process hit the first one's TLB entries:
 * with tlb.vpid=true all of its 64 accesses disagreed (nested: pa 0x204000
 * where the reference has the page unmapped), so the check can fail; with
 * VPIDs off the VM switch flushed everything and hid the bug.
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
#include "vs_test.h"

#define N_TRACES 3
#define N_PAGES 16 /* pages each process touches, each again every round */
#define N_ROUNDS 4
#define BASE_VA (1ull << 32)

typedef struct watch {
    vs_sim *s;
    uint64_t checked, mismatches;
} watch;

static void observe(void *ctx, uint32_t vm, uint32_t pid, uint64_t va, uint64_t pa)
{
    watch *w = ctx;
    uint64_t ref = 0;
    int rc = sim_reference_translate(w->s, vm, pid, va, &ref);
    w->checked++;
    if (rc != VS_OK || ref != pa) {
        if (w->mismatches == 0)
            print_message("access %llu: vm %u pid %u va 0x%llx -> pa 0x%llx, reference 0x%llx\n",
                          (unsigned long long)w->checked, vm, pid, (unsigned long long)va,
                          (unsigned long long)pa, (unsigned long long)ref);
        w->mismatches++;
    }
}

static char *write_trace(int i)
{
    trace_rec recs[1 + N_PAGES * N_ROUNDS];
    size_t n = 0;
    recs[n++] = (trace_rec){.kind = TREC_SWITCH, .id = 0};
    for (int round = 0; round < N_ROUNDS; round++)
        for (uint64_t p = 0; p < N_PAGES; p++)
            recs[n++] = (trace_rec){.kind = round ? TREC_LOAD : TREC_STORE, .addr = BASE_VA + (p << 12), .size = 8};
    char name[32];
    snprintf(name, sizeof name, "v%d.vmt", i);
    return vt_write_vmt(name, recs, n);
}

static uint64_t run(vs_mode m, const char *pcid, const char *vpid)
{
    vs_config cfg;
    vs_err err;
    cfg_defaults(&cfg);
    char buf[64];
    snprintf(buf, sizeof buf, "machine.mode=%s", cfg_mode_name(m));
    const char *opts[] = {buf, "vm.count=2", "sched.quantum=1", pcid, vpid};
    for (size_t i = 0; i < VS_ARRAY_LEN(opts); i++)
        assert_int_equal(cfg_override(&cfg, opts[i], &err), VS_OK);
    watch w = {0};
    assert_int_equal(sim_new(&cfg, &w.s, &err), VS_OK);
    for (int i = 0; i < N_TRACES; i++) {
        char *path = write_trace(i);
        assert_int_equal(sim_add_trace(w.s, path, -1, &err), VS_OK);
        g_free(path);
    }
    sim_set_observer(w.s, observe, &w);
    assert_int_equal(sim_run(w.s, NULL, NULL, &err), VS_OK);
    GHashTable *r = vt_report_flat(w.s);
    /* trace 2 after trace 1: VM 0's switch back to another process */
    assert_true(vt_u64(r, "events.cr3_writes") >= 1);
    if (strstr(cfg_mode_name(m), "shadow")) /* under shadow paging each guest CR3 write is one exit */
        assert_int_equal(vt_u64(r, "exits.cr3_write"), vt_u64(r, "events.cr3_writes"));
    g_hash_table_destroy(r);
    sim_free(w.s);
    print_message("%-16s %s %s: %llu accesses, %llu disagree\n", cfg_mode_name(m), pcid, vpid,
                  (unsigned long long)w.checked, (unsigned long long)w.mismatches);
    assert_int_equal(w.checked, (uint64_t)N_TRACES * N_PAGES * N_ROUNDS);
    return w.mismatches;
}

static void vm_switch_to_another_process_flushes(void **state)
{
    (void)state;
    unsigned modes = 0;
    for (vs_mode m = 0; m < (vs_mode)mode_count(); m++) {
        if (!(mode_get(m)->flags & MODE_F_HYPERVISOR))
            continue;
        modes++;
        assert_int_equal(run(m, "tlb.pcid=true", "tlb.vpid=false"), 0);
        assert_int_equal(run(m, "tlb.pcid=false", "tlb.vpid=true"), 0);
    }
    assert_true(modes >= 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(vm_switch_to_another_process_flushes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
