/*
 * wl_worst.c: seed 003's "worst case" microbenchmark (section 4.1): a
 * reference pattern with minimal spatial and temporal locality both for the
 * data and for the page tables that map it -- the highest TLB-miss rate.
 *
 * The footprint's 4 KiB pages are spread one per page-table page: page i
 * sits at i * (2 MiB + 4 KiB), so no two pages share a last-level table or a
 * PTE cache line, and every access picks a uniformly random page and line.
 * Invariant: every address lies in page i's first 4 KiB for some
 * i < footprint / 4 KiB.
 */
#include "wl_int.h"

#define PAGE 4096ull
#define SPREAD ((2ull << 20) + PAGE) /* one 2 MiB table span plus a page: PTEs never share a line */

static int worst_run(wl_args *a, uint64_t seed, wl_out *out, vs_err *err)
{
    static const wl_synth_defaults D = {.api = 0.91, .writes = 0.25, .footprint = 256ull << 20,
                                        .processes = 1, .quantum = 1000000, .code = 4096};
    wl_synth s;
    int rc = wl_synth_init(&s, a, &D, seed, out, err);
    if (rc == VS_OK)
        rc = wl_args_done(a, err);
    if (rc != VS_OK)
        return rc;
    uint64_t pages = s.footprint / PAGE;
    wl_synth_start(&s);
    for (uint64_t i = 0; i < s.instructions; i++)
        for (unsigned k = wl_synth_instr(&s, i); k > 0; k--)
            wl_synth_data(&s, WL_DATA_BASE + wl_rand(&s, pages) * SPREAD + wl_rand(&s, PAGE / WL_LINE) * WL_LINE);
    return VS_OK;
}

const wl_gen wl_gen_worst = {
    {"worst", "no locality for data or page tables: random lines of pages 2 MiB + 4 KiB apart (003 4.1)",
     "footprint=256m api=0.91 writes=0.25 processes=1 quantum=1000000 code=4096"},
    worst_run};
