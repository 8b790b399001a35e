/*
 * wl_boot.c: a guest OS boot as seed 003 runs it (section 4.2): a low memory
 * access rate (0.28 per instruction) over large contiguous regions -- kernel
 * image copies, memory-map setup, page zeroing -- that a guest maps with
 * large pages.  Large pages are the guest OS's policy, a config matter:
 * run with `-o guest.page_size=2m` (see docs/workloads.md).
 *
 * Each process sweeps streams= regions, every one 2 MiB-aligned and
 * footprint/streams bytes long, one word after the next; with probability
 * 1/STREAM_RUN per access it moves to another region.  Invariant: every
 * region starts on a 2 MiB boundary, so a 2 MiB guest page can map it whole.
 */
#include "wl_int.h"

#include <stdlib.h>

#define ALIGN_2M (2ull << 20)
#define STREAM_RUN 4096.0 /* mean accesses before a sweep moves to another region */

static int boot_run(wl_args *a, uint64_t seed, wl_out *out, vs_err *err)
{
    static const wl_synth_defaults D = {.api = 0.28, .writes = 0.5, .footprint = 256ull << 20,
                                        .processes = 3, .quantum = 500000, .code = 32768};
    wl_synth s;
    uint64_t streams;
    int rc = wl_synth_init(&s, a, &D, seed, out, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "streams", 4, 1, 1024, &streams, err);
    if (rc == VS_OK)
        rc = wl_args_done(a, err);
    if (rc != VS_OK)
        return rc;
    uint64_t region = s.footprint / streams / WL_WORD * WL_WORD;
    uint64_t stride = (region + ALIGN_2M - 1) / ALIGN_2M * ALIGN_2M;
    if (region < WL_WORD)
        return vs_fail(err, VS_E_USAGE, "gen boot: footprint=%llu is smaller than streams=%llu words",
                       (unsigned long long)s.footprint, (unsigned long long)streams);
    uint64_t *pos = vs_calloc(s.processes * streams, sizeof *pos);
    uint32_t *cur = vs_calloc(s.processes, sizeof *cur);
    wl_synth_start(&s);
    for (uint64_t i = 0; i < s.instructions; i++)
        for (unsigned k = wl_synth_instr(&s, i); k > 0; k--) {
            uint32_t p = s.pid;
            if (wl_chance(&s, 1.0 / STREAM_RUN))
                cur[p] = (uint32_t)wl_rand(&s, streams);
            uint64_t *at = &pos[p * streams + cur[p]];
            wl_synth_data(&s, WL_DATA_BASE + cur[p] * stride + *at);
            *at = (*at + WL_WORD) % region;
        }
    free(pos);
    free(cur);
    return VS_OK;
}

const wl_gen wl_gen_boot = {
    {"boot", "low access rate, long sweeps of 2 MiB-aligned regions; run with guest.page_size=2m (003 4.2)",
     "footprint=256m (per process) streams=4 api=0.28 writes=0.5 processes=3 quantum=500000 (= cr3_pmi=2) code=32768"},
    boot_run};
