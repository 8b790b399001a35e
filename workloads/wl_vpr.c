/*
 * wl_vpr.c: SPEC CPU2000 175.vpr as seed 003 characterises it (section 4.3):
 * a moderate working set, a moderate access rate (0.52 per instruction), a
 * high TLB-miss rate and almost no context switches.
 *
 * Placement by simulated annealing swaps randomly chosen blocks and then
 * walks their nets: modelled as a jump to a uniformly random 64-byte record
 * of the working set with probability jump=, else a step to a neighbouring
 * word of the current record.  footprint= and jump= are estimates: no source
 * read gives 175.vpr's TLB-miss rate, and that rate sets nested / shadow on
 * vpr (docs/figures.md, "vpr: what sets nested / shadow").  Invariant:
 * addresses stay inside [WL_DATA_BASE, WL_DATA_BASE + footprint).
 */
#include "wl_int.h"

static int vpr_run(wl_args *a, uint64_t seed, wl_out *out, vs_err *err)
{
    static const wl_synth_defaults D = {.api = 0.52, .writes = 0.2, .footprint = 48ull << 20,
                                        .processes = 1, .quantum = 10000000, .code = 16384};
    wl_synth s;
    double jump;
    int rc = wl_synth_init(&s, a, &D, seed, out, err);
    if (rc == VS_OK)
        rc = wl_arg_f64(a, "jump", 0.3, 0.0, 1.0, &jump, err);
    if (rc == VS_OK)
        rc = wl_args_done(a, err);
    if (rc != VS_OK)
        return rc;
    uint64_t records = s.footprint / WL_LINE, cur = 0;
    wl_synth_start(&s);
    for (uint64_t i = 0; i < s.instructions; i++)
        for (unsigned k = wl_synth_instr(&s, i); k > 0; k--) {
            if (wl_chance(&s, jump))
                cur = wl_rand(&s, records) * WL_LINE;
            else
                cur = (cur / WL_LINE) * WL_LINE + wl_rand(&s, WL_LINE / WL_WORD) * WL_WORD;
            wl_synth_data(&s, WL_DATA_BASE + cur);
        }
    return VS_OK;
}

const wl_gen wl_gen_vpr = {
    {"vpr", "moderate working set, random record jumps, few switches: high TLB misses (003 4.3)",
     "footprint=48m jump=0.3 api=0.52 writes=0.2 processes=1 quantum=10000000 code=16384"},
    vpr_run};
