/*
 * test_guest_flush.c: the guest's TLB flushes reach the TLBs and the mode
 * whole, under every virtualized mode: each access's physical address must
 * be the reference's (sim_reference_translate: the guest's tables in
 * software, then the host's).
 *
 * VM switch.  A VM switch that brings back another process of the VM than
 * the one it last ran implies the guest's MOV to CR3, and without PCIDs that
 * write flushes the VM's TLB entries even where VPIDs keep them across the
 * switch itself (Intel SDM 3A 4.10.4.1: MOV to CR3 with CR4.PCIDE = 0
 * invalidates the non-global entries of the current VPID; AMD APM vol. 2
 * 5.5.2 the same for the current ASID).  Three traces on two VMs (dealt in
 * turn: traces 0 and 2 on VM 0, each its own process), so VM 0 runs trace
 * 0's process, then VM 1 runs, then VM 0 runs trace 2's process -- a VM
 * switch, whose CR3 write the engine did not see.  Every process touches the
 * same virtual pages, each backed by its own frames; tlb.pcid = false and
 * tlb.vpid = true (configs/barcelona*.ini with configs/vmm/kvm.ini).  Under
 * the shadow modes each of those CR3 writes is one exit, and the engine
 * counts it (events.cr3_writes).  Before the engine flushed here, the third
 * process hit the first one's TLB entries: with tlb.vpid = true all of its
 * 64 accesses disagreed (nested: pa 0x204000 where the reference has the
 * page unmapped), so the check can fail; with VPIDs off the VM switch
 * flushed everything and hid the bug.
 *
 * Splintered large page.  A guest 2 MiB page on 4 KiB host pages sits in
 * the TLBs as 4 KiB entries (and, under shadow paging, in a shadow table of
 * its own).  The guest unmaps it whole and invalidates it with one INVLPG
 * (Linux's flush_tlb_mm_range, stride 2 MiB, below the flush ceiling); the
 * INVLPG must drop every piece (SDM 3A 4.10.4.1), then the guest touches
 * pages of it other than the first and must fault them in again.  Once with
 * the page alone in its page directory (the unmap frees the directory), once
 * with a neighbour keeping it.  Before the fix only the piece at the INVLPG's
 * address went: nested and agile reused the others from the TLB, and plain
 * shadow from the TLB or, with the directory kept, from its split shadow
 * table.
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

static char *write_trace(const char *name, const trace_rec *recs, size_t n)
{
    return vt_write_vmt(name, recs, n);
}

/* One stream's trace for the VM-switch check. */
static char *switch_trace(int i)
{
    trace_rec recs[1 + N_PAGES * N_ROUNDS];
    size_t n = 0;
    recs[n++] = (trace_rec){.kind = TREC_SWITCH, .id = 0};
    for (int round = 0; round < N_ROUNDS; round++)
        for (uint64_t p = 0; p < N_PAGES; p++)
            recs[n++] = (trace_rec){.kind = round ? TREC_LOAD : TREC_STORE, .addr = BASE_VA + (p << 12), .size = 8};
    char name[32];
    snprintf(name, sizeof name, "v%d.vmt", i);
    return write_trace(name, recs, n);
}

/* Runs mode m on the traces with the overrides opts (NULL-ended); returns the
 * accesses that disagree with the reference, its results in *results. */
static uint64_t run(vs_mode m, char *const *traces, size_t n, const char *const *opts, GHashTable **results)
{
    vs_config cfg;
    vs_err err;
    vt_config_mode(&cfg, m);
    for (; *opts; opts++)
        assert_int_equal(cfg_override(&cfg, *opts, &err), VS_OK);
    vt_watch w = {0};
    assert_int_equal(sim_new(&cfg, &w.s, &err), VS_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(sim_add_trace(w.s, traces[i], -1, &err), VS_OK);
    sim_set_observer(w.s, vt_watch_access, &w);
    assert_int_equal(sim_run(w.s, NULL, NULL, &err), VS_OK);
    *results = vt_report_flat(w.s);
    sim_free(w.s);
    print_message("%-16s %llu accesses, %llu disagree%s%s\n", cfg_mode_name(m), (unsigned long long)w.checked,
                  (unsigned long long)w.mismatches, w.mismatches ? "; first: " : "", w.mismatches ? w.first : "");
    assert_true(w.checked > 0);
    return w.mismatches;
}

static void vm_switch_to_another_process_flushes(void **state)
{
    (void)state;
    char *traces[N_TRACES];
    for (int i = 0; i < N_TRACES; i++)
        traces[i] = switch_trace(i);
    const char *const *const shapes[] = {
        VT_OPTS("vm.count=2", "tlb.pcid=true", "tlb.vpid=false"),
        VT_OPTS("vm.count=2", "tlb.pcid=false", "tlb.vpid=true"),
    };
    unsigned modes = 0;
    for (vs_mode m = 0; m < (vs_mode)mode_count(); m++) {
        if (!(mode_get(m)->flags & MODE_F_HYPERVISOR))
            continue;
        modes++;
        for (size_t k = 0; k < VS_ARRAY_LEN(shapes); k++) {
            GHashTable *r;
            assert_int_equal(run(m, traces, N_TRACES, shapes[k], &r), 0);
            /* trace 2 after trace 1: VM 0's switch back to another process */
            assert_true(vt_u64(r, "events.cr3_writes") >= 1);
            if (strstr(cfg_mode_name(m), "shadow")) /* under shadow paging each guest CR3 write is one exit */
                assert_int_equal(vt_u64(r, "exits.cr3_write"), vt_u64(r, "events.cr3_writes"));
            g_hash_table_destroy(r);
        }
    }
    assert_true(modes >= 4);
    for (int i = 0; i < N_TRACES; i++)
        g_free(traces[i]);
}

#define BIG (1ull << 30)     /* a 2 MiB page alone in its 1 GiB region: the unmap frees its directory */
#define BIG_PAGES 8          /* 4 KiB pieces of it touched */

static void splintered_large_page_invlpg(void **state)
{
    (void)state;
    for (int neighbour = 0; neighbour < 2; neighbour++) {
        trace_rec recs[4 + 2 * BIG_PAGES];
        size_t n = 0;
        recs[n++] = (trace_rec){.kind = TREC_SWITCH, .id = 0};
        if (neighbour) /* the next 2 MiB page keeps the directory */
            recs[n++] = (trace_rec){.kind = TREC_STORE, .addr = BIG + (2ull << 20), .size = 8};
        for (uint64_t p = 0; p < BIG_PAGES; p++)
            recs[n++] = (trace_rec){.kind = TREC_STORE, .addr = BIG + (p << 12), .size = 8};
        recs[n++] = (trace_rec){.kind = TREC_UNMAP, .addr = BIG, .len = 2ull << 20};
        for (uint64_t p = BIG_PAGES; --p > 0;) /* not the first: its piece is the one the INVLPG names */
            recs[n++] = (trace_rec){.kind = TREC_LOAD, .addr = BIG + (p << 12), .size = 8};
        char *path = write_trace("big.vmt", recs, n);
        unsigned modes = 0;
        for (vs_mode m = 0; m < (vs_mode)mode_count(); m++) {
            if (!(mode_get(m)->flags & MODE_F_HYPERVISOR))
                continue;
            modes++;
            GHashTable *r;
            assert_int_equal(run(m, &path, 1, VT_OPTS("guest.page_size=2m", "host.page_size=4k"), &r), 0);
            assert_int_equal(vt_u64(r, "events.invlpg"), 1); /* one INVLPG, the 2 MiB stride, not a CR3 reload */
            g_hash_table_destroy(r);
        }
        assert_true(modes >= 4);
        g_free(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(vm_switch_to_another_process_flushes),
                                       cmocka_unit_test(splintered_large_page_invlpg)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
