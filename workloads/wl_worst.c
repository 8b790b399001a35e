/*
 * wl_worst.c: seed 003's "worst case" microbenchmark (section 4.1): "a
 * reference pattern that touches data such that there is minimal spatial and
 * temporal locality both for the accessed data and for the page tables that
 * support it", i.e. the highest data-cache and TLB miss rates.
 *
 * layout=array (the default, the paper's): one array of footprint bytes,
 * "scaled to available guest physical memory" (section 4), and every access
 * a uniformly random line of a uniformly random page of it.  Consecutive
 * accesses share no page, no line, and (but for a 1-in-tables chance) no
 * leaf page table; the leaf tables' PTEs (footprint / 512 bytes: 2 MiB for
 * the default 1 GiB) outsize every cache of the Barcelona, so page-table
 * locality is as small as data locality.  An array can span only
 * footprint / 2 MiB leaf tables (4 MiB under the 32-bit 2-level guest of
 * the Palacios runs), so no array that fits in guest memory can make
 * shadow paging outgrow the VMMs' shadow-page limits (docs/figures.md,
 * "The worst-case generator").
 *
 * layout=sparse: the footprint's pages spread one per leaf table, page i at
 * i * (2 MiB + 4 KiB), so no two share a leaf table or a PTE line -- 65,536
 * leaf tables for 256 MiB.  Not the paper's: it needs as many guest leaf
 * tables as data pages (256 MiB of them), and a 32-bit guest has at most
 * 1,024.  It stays as the most table-hostile pattern a 64-bit guest allows
 * (seed 004's walk-reference tables use it).
 *
 * Invariant: every address is WL_DATA_BASE + page * stride + line * 64 with
 * page < footprint / 4 KiB, stride 4 KiB (array) or 2 MiB + 4 KiB (sparse).
 */
#include "wl_int.h"

#define PAGE 4096ull
#define SPREAD ((2ull << 20) + PAGE) /* one 2 MiB table span plus a page: PTEs never share a line */

/* The default array: two thirds of the seed-003 guests' 1.5 GiB (the SIMICS
 * machine's memory, Figure 6), the rest left to the guest kernel, page cache
 * and daemons.  An estimate: the paper says only that workloads were scaled
 * to guest memory.  Any size from 256 MiB to the whole guest spans 128 to
 * 768 leaf tables, far under the shadow-page limits (7,864 and 8,192). */
#define ARRAY_BYTES (1ull << 30)
#define SPARSE_BYTES (256ull << 20) /* the sparse variant's historical 65,536 pages */

enum { LAYOUT_ARRAY, LAYOUT_SPARSE };
static const char *const LAYOUTS[] = {"array", "sparse", NULL};

static int worst_run(wl_args *a, uint64_t seed, wl_out *out, vs_err *err)
{
    int layout;
    int rc = wl_arg_choice(a, "layout", LAYOUTS, LAYOUT_ARRAY, &layout, err);
    if (rc != VS_OK)
        return rc;
    const wl_synth_defaults D = {.api = 0.91, .writes = 0.25,
                                 .footprint = layout == LAYOUT_ARRAY ? ARRAY_BYTES : SPARSE_BYTES,
                                 .processes = 1, .quantum = 1000000, .code = 4096};
    wl_synth s;
    rc = wl_synth_init(&s, a, &D, seed, out, err);
    if (rc == VS_OK)
        rc = wl_args_done(a, err);
    if (rc != VS_OK)
        return rc;
    uint64_t pages = s.footprint / PAGE, stride = layout == LAYOUT_ARRAY ? PAGE : SPREAD;
    wl_synth_start(&s);
    for (uint64_t i = 0; i < s.instructions; i++)
        for (unsigned k = wl_synth_instr(&s, i); k > 0; k--)
            wl_synth_data(&s, WL_DATA_BASE + wl_rand(&s, pages) * stride + wl_rand(&s, PAGE / WL_LINE) * WL_LINE);
    return VS_OK;
}

const wl_gen wl_gen_worst = {
    {"worst", "no locality for data or page tables: random lines of random pages of an array (003 4.1)",
     "layout=array footprint=1g (sparse: 256m) api=0.91 writes=0.25 processes=1 quantum=1000000 code=4096"},
    worst_run};
