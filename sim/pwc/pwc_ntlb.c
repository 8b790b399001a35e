/*
 * pwc_ntlb.c: the nested TLB of Bhargava et al. (ASPLOS'08): it caches
 * guest-physical page -> host-physical page translations so a 2D walk can
 * skip the host walks of guest page-table pages.
 *
 * It is a TLB (tlb.h) that may hold all three page sizes, tagged by the VM
 * tag instead of an address-space tag; the TLB probes only the sizes it has
 * been given since its last flush, so a host that maps guests with 4 KiB
 * pages pays one probe.  Permission and dirty bits are unused here.
 *
 * Invariants: those of tlb.h; hits + misses == lookups.
 */
#include "pwc.h"
#include "../tlb/tlb.h"

#include <stdlib.h>

#define NTLB_ALL_SIZES ((1u << VS_PG_COUNT) - 1) /* a host may back a guest with any page size */

struct pwc_ntlb {
    tlb *t;
};

pwc_ntlb *pwc_ntlb_new(uint32_t entries, uint32_t ways, assoc_repl repl, uint64_t seed, vs_err *err)
{
    tlb_params p = {
        .name = "ntlb",
        .level = 1,
        .kind = TLB_UNIFIED,
        .entries = entries,
        .ways = ways,
        .page_sizes = NTLB_ALL_SIZES,
        .repl = repl,
        .seed = seed,
    };
    tlb *t = tlb_new(&p, err);
    if (!t)
        return NULL;
    pwc_ntlb *n = vs_malloc(sizeof *n);
    n->t = t;
    return n;
}

void pwc_ntlb_free(pwc_ntlb *n)
{
    if (!n)
        return;
    tlb_free(n->t);
    free(n);
}

bool pwc_ntlb_lookup(pwc_ntlb *n, uint64_t gpa, uint16_t vm_tag, uint64_t *hpa_page, vs_pgsz *size)
{
    tlb_entry e;
    if (!tlb_lookup(n->t, gpa, vm_tag, &e))
        return false;
    *hpa_page = e.pa_base;
    *size = e.size;
    return true;
}

void pwc_ntlb_fill(pwc_ntlb *n, uint64_t gpa, uint16_t vm_tag, uint64_t hpa_page, vs_pgsz size)
{
    tlb_entry e = {.pa_base = hpa_page, .size = size};
    tlb_insert(n->t, gpa, vm_tag, &e);
}

void pwc_ntlb_flush(pwc_ntlb *n) { tlb_flush_all(n->t); }
void pwc_ntlb_invalidate(pwc_ntlb *n, uint64_t gpa, uint16_t vm_tag) { tlb_invlpg(n->t, gpa, vm_tag); }
void pwc_ntlb_reset_stats(pwc_ntlb *n) { tlb_reset_stats(n->t); }
uint64_t pwc_ntlb_hits(const pwc_ntlb *n) { return tlb_hits(n->t); }
uint64_t pwc_ntlb_misses(const pwc_ntlb *n) { return tlb_misses(n->t); }
