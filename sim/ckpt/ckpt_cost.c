/*
 * ckpt_cost.c: each dirty-tracking technique as a linear cost form built from
 * the calibration's per-operation costs.
 *
 * The seed techniques (seeds 000/001, Figures 8-18):
 *   emul     every CDA write traps (SIGSEGV), is emulated and logged per word;
 *   pt       mprotect + SIGSEGV: the first write to a page faults, the handler
 *            unprotects it (one mprotect) and records it; the end of the
 *            transaction re-protects the whole CDA with one mprotect;
 *   emulxen  every write exits to the hypervisor, which emulates and logs it;
 *            the log lives in shared memory, so commits need no hypercall;
 *   ptxen    the first write to a page exits; the hypervisor records it and
 *            unprotects one PTE, then re-protects the dirty PTEs on the
 *            end-of-transaction hypercall, which so arms the next
 *            transaction (one call per transaction, as pt's one mprotect);
 *   scanxen  one hypercall at the end scans the CDA's dirty bits and clears
 *            them (arming the next transaction), seed 000's
 *            y = 0.0625 us * PPT + 2.5 us * CDA_MiB, plus the same one
 *            hypercall as ptxen (so the two compare on their own terms).
 * The modern mechanisms (dirty-tracking section of the shared reference):
 *   softdirty   clear_refs arms (write-protects every CDA PTE); faults are
 *               resolved in the kernel; the pagemap read collects;
 *   uffd_sync   a handler thread serves each uffd-wp fault; one
 *               UFFDIO_WRITEPROTECT over the CDA re-arms;
 *   uffd_async  WP_ASYNC: the kernel resolves faults; one PAGEMAP_SCAN walks
 *               the CDA, reports the written pages and re-protects them;
 *   pml         Intel PML logs a page's GPA when it sets the page's EPT
 *               dirty flag (one exit per full 512-entry buffer; SDM Vol. 3C
 *               28.2.5/29.3.6); the one commit hypercall (its exit flushes
 *               the buffer) reads the dirty bitmap over the CDA and clears
 *               the dirty pages' flags, which arms the next transaction, as
 *               KVM_GET_DIRTY_LOG returns the pages "dirtied since the last
 *               call" (KVM api.rst 4.8) and Xen's SHADOW_OP_CLEAN returns
 *               the bitmap and cleans it "for next round";
 *   dirty_ring  PML-fed KVM dirty ring: the one commit hypercall's exit
 *               flushes the buffer to the ring, its entries are harvested
 *               one by one, and KVM_RESET_DIRTY_RINGS "reprotect[s] those
 *               collected GFNs" (api.rst 8.29), arming the next transaction.
 *
 * Invariant: a form's terms are sums of calibration costs, so every cost is
 * non-negative and the break-even WPP is a closed form of the calibration.
 */
#include "ckpt.h"

#include <assert.h>
#include <math.h>

#define MIB (1024.0 * 1024.0)

static const char *const names[CKPT_TECH_COUNT] = {"emul",      "pt",        "emulxen",    "ptxen",
                                                   "scanxen",   "softdirty", "uffd_sync",  "uffd_async",
                                                   "pml",       "dirty_ring"};

const char *ckpt_tech_name(ckpt_tech t)
{
    return t < CKPT_TECH_COUNT ? names[t] : "?";
}

bool ckpt_tech_available(const ckpt_calib *c, ckpt_tech t)
{
    return t < CKPT_SEED_COUNT || (c->has_modern && t < CKPT_TECH_COUNT);
}

ckpt_form ckpt_tech_form(const ckpt_calib *c, ckpt_tech t)
{
    assert(ckpt_tech_available(c, t));
    ckpt_form f = {.fixed = c->user_txn, .grain = CKPT_GRAIN_PAGE};
    double pml_share = c->m_pml_entries > 0 ? c->m_pml_full_exit / c->m_pml_entries : 0;
    switch (t) {
    case CKPT_EMUL:
        f.per_write = c->user_fault_signal + c->user_emulate + c->user_log_word;
        f.grain = CKPT_GRAIN_WORD;
        break;
    case CKPT_PT:
        f.fixed += c->user_mprotect_call;
        f.per_cda_page = c->user_mprotect_scan;
        f.per_page = c->user_fault_signal + c->user_mprotect_call + 2 * c->user_mprotect_pte + c->user_record;
        break;
    case CKPT_EMULXEN:
        f.per_write = c->hv_exit + c->hv_emulate + c->hv_log_word;
        f.grain = CKPT_GRAIN_WORD;
        f.hypervisor = true;
        break;
    case CKPT_PTXEN:
        f.fixed += c->hv_hypercall;
        f.per_page = c->hv_exit + c->hv_record + 2 * c->hv_pte;
        f.hypervisor = true;
        break;
    case CKPT_SCANXEN:
        f.fixed += c->hv_hypercall;
        f.per_page = c->hv_scan_dirty_page;
        f.per_cda_mib = c->hv_scan_mib;
        f.hypervisor = true;
        break;
    case CKPT_SOFTDIRTY:
        f.fixed += 2 * c->m_arm_call; /* the clear_refs write and the pagemap read */
        f.per_cda_page = c->m_arm_page + c->m_pagemap_page;
        f.per_page = c->m_kfault;
        break;
    case CKPT_UFFD_SYNC:
        f.fixed += c->m_arm_call;
        f.per_cda_page = c->m_arm_page;
        f.per_page = c->m_uffd_sync_fault;
        break;
    case CKPT_UFFD_ASYNC:
        f.fixed += c->m_scan_call;
        f.per_cda_page = c->m_scan_clean_page;
        f.per_page = c->m_kfault + c->m_scan_page;
        break;
    case CKPT_PML:
        f.fixed += c->hv_hypercall;
        f.per_cda_page = c->m_bitmap_page;
        f.per_page = pml_share + c->hv_pte;
        f.hypervisor = true;
        break;
    case CKPT_DIRTY_RING:
        f.fixed += c->hv_hypercall + c->m_ring_reset;
        f.per_page = pml_share + c->m_ring_harvest + c->hv_pte;
        f.hypervisor = true;
        break;
    default:
        assert(!"unknown technique");
    }
    return f;
}

double ckpt_form_tracking(const ckpt_form *f, const ckpt_txn *x)
{
    return f->fixed + f->per_write * (double)x->writes + f->per_page * (double)x->pages +
           f->per_cda_page * (double)x->cda_pages + f->per_cda_mib * ((double)x->cda_bytes / MIB);
}

uint64_t ckpt_form_copy_bytes(const ckpt_form *f, const ckpt_txn *x)
{
    return f->grain == CKPT_GRAIN_PAGE ? x->pages * CKPT_PAGE_BYTES : x->bytes;
}

double ckpt_breakeven_wpp(const ckpt_calib *c, bool hypervisor)
{
    ckpt_form e = ckpt_tech_form(c, hypervisor ? CKPT_EMULXEN : CKPT_EMUL);
    ckpt_form p = ckpt_tech_form(c, hypervisor ? CKPT_PTXEN : CKPT_PT);
    return e.per_write > 0 ? p.per_page / e.per_write : INFINITY;
}

/* One transaction of the [microbench] point with `writes` writes (each a
 * whole word) on its PPT pages of its CDA. */
static ckpt_txn microbench_txn(const ckpt_calib *c, uint64_t writes)
{
    uint64_t bytes = (uint64_t)llround(c->mb_cda_kib * 1024.0);
    return (ckpt_txn){.writes = writes, .pages = (uint64_t)llround(c->mb_ppt), .words = writes,
                      .bytes = writes * CKPT_WORD_BYTES, .cda_bytes = bytes,
                      .cda_pages = (bytes + CKPT_PAGE_BYTES - 1) / CKPT_PAGE_BYTES};
}

double ckpt_microbench_speedup(const ckpt_calib *c, bool page_tracking)
{
    ckpt_txn x = microbench_txn(c, (uint64_t)llround(c->mb_wpp * c->mb_ppt));
    ckpt_form user = ckpt_tech_form(c, page_tracking ? CKPT_PT : CKPT_EMUL);
    ckpt_form hv = ckpt_tech_form(c, page_tracking ? CKPT_PTXEN : CKPT_EMULXEN);
    return ckpt_form_tracking(&user, &x) / ckpt_form_tracking(&hv, &x);
}

double ckpt_microbench_crossing_wpp(const ckpt_calib *c, bool hypervisor)
{
    ckpt_txn x = microbench_txn(c, 0);
    ckpt_form e = ckpt_tech_form(c, hypervisor ? CKPT_EMULXEN : CKPT_EMUL);
    ckpt_form p = ckpt_tech_form(c, hypervisor ? CKPT_PTXEN : CKPT_PT);
    double per_wpp = e.per_write * (double)x.pages; /* emulation's cost per unit of WPP */
    return per_wpp > 0 ? (ckpt_form_tracking(&p, &x) - ckpt_form_tracking(&e, &x)) / per_wpp : INFINITY;
}
