/*
 * wl_hpcc.c: HPC Challenge as seed 003 runs it (section 4.4 and Figure 16):
 * several MPI ranks, each its own process, switching often (a high CR3-write
 * rate), with RandomAccess dominating: read-modify-write updates of random
 * 8-byte words of a large table, interleaved with STREAM-like sequential
 * sweeps (two loads and a store per element) over the rest of the footprint.
 *
 * Each process owns footprint bytes: the first half is the RandomAccess
 * table, the second half three equal STREAM arrays.  Invariant: a
 * RandomAccess update is a LOAD then a STORE of the same word.
 */
#include "wl_int.h"

#include <stdlib.h>

static int hpcc_run(wl_args *a, uint64_t seed, wl_out *out, vs_err *err)
{
    static const wl_synth_defaults D = {.api = 0.58, .writes = -1, .footprint = 64ull << 20,
                                        .processes = 8, .quantum = 5000, .code = 8192};
    wl_synth s;
    double random;
    int rc = wl_synth_init(&s, a, &D, seed, out, err);
    if (rc == VS_OK)
        rc = wl_arg_f64(a, "random", 0.5, 0.0, 1.0, &random, err);
    if (rc == VS_OK)
        rc = wl_args_done(a, err);
    if (rc != VS_OK)
        return rc;
    uint64_t table_words = s.footprint / 2 / WL_WORD, array_words = s.footprint / 6 / WL_WORD;
    uint64_t *stream = vs_calloc(s.processes, sizeof *stream); /* element index per process */
    unsigned *phase = vs_calloc(s.processes, sizeof *phase);    /* 0,1: loads; 2: store */
    uint64_t pending = 0;                                       /* a RandomAccess store owed */
    bool owed = false;
    wl_synth_start(&s);
    for (uint64_t i = 0; i < s.instructions; i++)
        for (unsigned k = wl_synth_instr(&s, i); k > 0; k--) {
            uint32_t p = s.pid;
            if (owed) {
                wl_synth_access(&s, pending, true);
                owed = false;
            } else if (wl_chance(&s, random)) {
                pending = WL_DATA_BASE + wl_rand(&s, table_words) * WL_WORD;
                wl_synth_access(&s, pending, false);
                owed = true;
            } else {
                uint64_t arr = WL_DATA_BASE + s.footprint / 2 + phase[p] * array_words * WL_WORD;
                wl_synth_access(&s, arr + stream[p] * WL_WORD, phase[p] == 2);
                if (++phase[p] == 3) {
                    phase[p] = 0;
                    stream[p] = (stream[p] + 1) % array_words;
                }
            }
        }
    free(stream);
    free(phase);
    return VS_OK;
}

const wl_gen wl_gen_hpcc = {
    {"hpcc", "MPI ranks switching often; RandomAccess updates plus STREAM sweeps (003 4.4)",
     "footprint=64m (per process) random=0.5 api=0.58 processes=8 quantum=5000 (= cr3_pmi=200) code=8192"},
    hpcc_run};
