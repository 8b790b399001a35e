/*
 * share_cow.c: copy-on-write replay -- a trace's stores run against the
 * converged sharing state.  A store to a page mapped to a shared frame or
 * the zero page breaks the share (thesis section 6.5: copy, or convert when
 * the writer holds the last reference and converting is on); stores to
 * private pages cost nothing here.  TREC_VM selects the VM by index (the
 * order VMs were first named); records before any TREC_VM go to first_vm.
 * Trace addresses are page keys x 4 KiB: virtual addresses for process
 * cores, guest-physical for vmcores and raw images.
 *
 * Invariants: every store's first and last byte are both applied (an
 * access may straddle a page boundary).
 */
#include "share_run_int.h"
#include "../trace/trace.h"

#include <stdlib.h>

#define COW_BATCH 4096 /* records per trace_read call */

static void store(share_run *r, uint32_t vm, uint64_t key)
{
    int k = share_model_write(r->m, vm, key);
    r->cow.breaks_copy += k == 1;
    r->cow.breaks_convert += k == 2;
}

int share_cow_replay(share_run *r, vs_err *err)
{
    trace_reader *tr;
    int rc = trace_open(r->cow_path, TFMT_AUTO, &tr, err);
    if (rc != VS_OK)
        return rc;
    trace_rec *buf = vs_malloc(COW_BATCH * sizeof *buf);
    uint32_t vm = r->cow_vm;
    long n;
    while ((n = trace_read(tr, buf, COW_BATCH, err)) > 0) {
        for (long i = 0; i < n; i++) {
            const trace_rec *t = &buf[i];
            r->cow.records++;
            if (t->kind == TREC_VM) {
                if (t->id >= r->n_vms) {
                    rc = vs_fail(err, VS_E_FORMAT, "%s: record %llu selects VM %u, but the run has %u VMs",
                                 r->cow_path, (unsigned long long)r->cow.records, t->id, r->n_vms);
                    goto out;
                }
                vm = t->id;
            } else if (t->kind == TREC_STORE || t->kind == TREC_RMW) {
                r->cow.stores++;
                uint64_t first = t->addr / SHARE_PAGE_SIZE;
                uint64_t last = (t->addr + (t->size ? t->size - 1u : 0)) / SHARE_PAGE_SIZE;
                store(r, vm, first);
                if (last != first)
                    store(r, vm, last);
            }
        }
    }
    if (n < 0)
        rc = (int)n;
out:
    free(buf);
    trace_close(tr);
    if (rc == VS_OK)
        share_model_counters(r->m, &r->cow.after);
    return rc;
}
