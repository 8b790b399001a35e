/*
 * wl_hpcc.c: HPC Challenge as seed 003 runs it (section 4.4 and Figure 16):
 * several MPI ranks, each its own process, switching often (a high CR3-write
 * rate), running RandomAccess -- read-modify-write updates of random 8-byte
 * words of a large table -- and STREAM -- sequential sweeps, two loads and a
 * store per element -- interleaved in one instruction stream.
 *
 * Each process owns footprint bytes: the first half is the RandomAccess
 * table, the second half three equal STREAM arrays.  HPCC 1.3.1 writes its
 * memory before it times anything (RandomAccess/MPIRandomAccess.c:
 * HPCC_Table[i] = i + GlobalStartMyProc; STREAM/stream.c: a[j] = 1.0,
 * b[j] = 2.0, c[j] = 0.0, then ten passes of the four kernels), so each
 * process first initialises the memory its sub-benchmarks use -- the table
 * when random > 0, the arrays when random < 1 -- one store per 4 KiB page
 * in order, which maps the page as that initialisation did (as wl_tpch.c
 * loads its table).  The initialisation runs inside each process's own
 * quanta at the same access rate; at the defaults it ends before
 * instruction 250,000, inside the 2,000,000-instruction warm-up of the
 * figure sweeps (configs/sweeps/seed003_*.ini), so the measured region
 * is the updates and sweeps in steady state.
 *
 * How much of the stream is RandomAccess follows HPCC 1.3.1's own sizes,
 * all set from the memory per process M (the footprint here):
 * StarRandomAccess and MPIRandomAccess each update a table of M/2 bytes per
 * rank 4 x its entries times (core_single_cpu.c NUPDATE; MPIRandomAccess.c
 * NumUpdates_Default, RA_TIME_BOUND undefined in 1.3.1's time_bound.h), and
 * SingleRandomAccess does so on one rank; StarSTREAM sweeps three arrays of
 * M/24 elements each ten times through copy, scale, add and triad (2, 2, 3
 * and 3 words an element: NTIMES 10, stream.c), and SingleSTREAM does so on
 * one rank.  With p ranks that is (2 + 1/p) x M/2 RandomAccess words (a
 * load and a store an update) against (1 + 1/p) x 100 x M/24 STREAM words,
 * 18.5 % of the data accesses at p = 8; random= (the chance that an access
 * starts an update, whose store follows) defaults to the value giving that
 * share.  Data accesses stand for instructions here (one api= for the whole
 * stream), and HPL, DGEMM, PTRANS, FFT and the latency/bandwidth tests are
 * not in the stream (docs/workloads.md says what that leaves out).
 *
 * Invariants: a process touches no page in its updates and sweeps that its
 * initialisation has not stored to; a RandomAccess update is a LOAD then a
 * STORE of the same word by the same process (a context switch between the
 * two leaves the store owed to that process).
 */
#include "wl_int.h"

#include <stdlib.h>

#define PAGE 4096u /* the initialisation's stride: one store maps a 4 KiB page */
/* HPCC 1.3.1's work per rank, in 8-byte words, per byte of its memory M (header). */
#define RA_WORDS_PER_BYTE (1.0 / 2)         /* M/16 table words x 4 updates x (load + store) / M */
#define STREAM_WORDS_PER_BYTE (100.0 / 24)  /* M/24 elements x 10 passes x 10 words / M */

/* random= giving RandomAccess HPCC 1.3.1's share s of the data accesses among
 * `ranks` processes: Star and MPI RandomAccess run on every rank, Single on
 * one; likewise StarSTREAM and SingleSTREAM.  An update is two accesses, so
 * s = 2r / (1 + r), r = s / (2 - s). */
static double hpcc_random_default(uint32_t ranks)
{
    double ra = (2.0 + 1.0 / ranks) * RA_WORDS_PER_BYTE, st = (1.0 + 1.0 / ranks) * STREAM_WORDS_PER_BYTE;
    double share = ra / (ra + st);
    return share / (2.0 - share);
}

/* Per-process state. */
typedef struct hpcc_rank {
    uint64_t init;     /* pages of the region initialised so far */
    uint64_t stream;   /* element index of the sweeps */
    uint64_t pending;  /* the word of a RandomAccess store owed */
    unsigned phase;    /* 0,1: loads; 2: store */
    bool owed;
} hpcc_rank;

static int hpcc_run(wl_args *a, uint64_t seed, wl_out *out, vs_err *err)
{
    static const wl_synth_defaults D = {.api = 0.58, .writes = -1, .footprint = 64ull << 20,
                                        .processes = 8, .quantum = 5000, .code = 8192};
    wl_synth s;
    double random;
    int rc = wl_synth_init(&s, a, &D, seed, out, err);
    if (rc == VS_OK)
        rc = wl_arg_f64(a, "random", hpcc_random_default(s.processes), 0.0, 1.0, &random, err);
    if (rc == VS_OK)
        rc = wl_args_done(a, err);
    if (rc != VS_OK)
        return rc;
    uint64_t table_words = s.footprint / 2 / WL_WORD, array_words = s.footprint / 6 / WL_WORD;
    /* The pages each process initialises: [first, first + pages) of its region. */
    uint64_t first = random > 0.0 ? 0 : s.footprint / 2 / PAGE;
    uint64_t last = random < 1.0 ? (s.footprint / 2 + 3 * array_words * WL_WORD + PAGE - 1) / PAGE
                                 : (s.footprint / 2 + PAGE - 1) / PAGE;
    hpcc_rank *rank = vs_calloc(s.processes, sizeof *rank);
    wl_synth_start(&s);
    for (uint64_t i = 0; i < s.instructions; i++)
        for (unsigned k = wl_synth_instr(&s, i); k > 0; k--) {
            hpcc_rank *r = &rank[s.pid];
            if (first + r->init < last) {
                wl_synth_access(&s, WL_DATA_BASE + (first + r->init++) * PAGE, true);
            } else if (r->owed) {
                wl_synth_access(&s, r->pending, true);
                r->owed = false;
            } else if (wl_chance(&s, random)) {
                r->pending = WL_DATA_BASE + wl_rand(&s, table_words) * WL_WORD;
                wl_synth_access(&s, r->pending, false);
                r->owed = true;
            } else {
                uint64_t arr = WL_DATA_BASE + s.footprint / 2 + r->phase * array_words * WL_WORD;
                wl_synth_access(&s, arr + r->stream * WL_WORD, r->phase == 2);
                if (++r->phase == 3) {
                    r->phase = 0;
                    r->stream = (r->stream + 1) % array_words;
                }
            }
        }
    free(rank);
    return VS_OK;
}

const wl_gen wl_gen_hpcc = {
    {"hpcc", "MPI ranks switching often; RandomAccess updates plus STREAM sweeps (003 4.4)",
     "footprint=64m (per process) random=0.1018 (HPCC 1.3.1's RandomAccess share of the accesses at 8 processes:"
     " 18.5 %) api=0.58 processes=8 quantum=5000 (= cr3_pmi=200) code=8192;"
     " each process first initialises its table and arrays (one store per page), as HPCC does"},
    hpcc_run};
