/*
 * bench_synth_trace.c: writes a large synthetic .vmt for the throughput
 * benchmarks (bench/run.sh).  Not a workload model (see workloads/): a fixed
 * mix that stresses both the TLB-hit path and the walk path.
 *
 *   bench_synth_trace OUT.vmt N_REFS PATTERN [SEED]
 *   PATTERN: friendly -- 70% sequential stream, 29% 256 KiB hot set, 1% 1 GiB
 *            hostile  -- 50% stream, 35% random over 64 MiB, 15% random over 16 GiB
 *            spread   -- every data reference to a random page of the whole
 *                        47-bit user space (N_REFS/2 distinct pages): the
 *                        memory-growth check of docs/performance.md
 * Each data reference follows one instruction fetch (a 2:1 ifetch:data mix
 * would only dilute the measurement).
 */
#include "trace/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 8192                 /* records per trace_write call */
#define CODE_BASE 0x400000ull      /* where the synthetic program's code lives */
#define CODE_SPAN (64ull << 10)    /* 64 KiB of code */
#define DATA_BASE 0x7f0000000000ull

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s OUT.vmt N_REFS friendly|hostile|spread [SEED]\n", argv[0]);
        return 2;
    }
    uint64_t n = strtoull(argv[2], NULL, 0);
    bool hostile = !strcmp(argv[3], "hostile"), spread = !strcmp(argv[3], "spread");
    uint64_t rng = argc > 4 ? strtoull(argv[4], NULL, 0) : 1;
    vs_err err = {0};
    trace_writer *w;
    if (trace_writer_open(argv[1], TFMT_VMT, TCODEC_ZLIB, &w, &err) != VS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    trace_rec buf[BATCH];
    size_t k = 0;
    uint64_t stream = 0, pc = 0;
    for (uint64_t i = 0; i < n; i += 2) {
        pc = (pc + 4) % CODE_SPAN;
        buf[k++] = (trace_rec){.addr = CODE_BASE + pc, .size = 4, .kind = TREC_IFETCH};
        uint64_t r = vs_rng_next(&rng), pick = r % 100, addr;
        if (spread) {
            addr = (vs_rng_next(&rng) % (1ull << 47)) & ~0xfffull; /* below the canonical hole */
            if (addr < CODE_BASE + CODE_SPAN)
                addr += 1ull << 40; /* keep clear of the code */
        } else if (pick < (hostile ? 50u : 70u)) {
            stream += 8;
            addr = DATA_BASE + (stream % (1ull << 30));
        } else if (pick < (hostile ? 85u : 99u)) {
            addr = DATA_BASE + (2ull << 30) + (vs_rng_next(&rng) % (hostile ? 64ull << 20 : 256ull << 10));
        } else {
            addr = DATA_BASE + (4ull << 30) + (vs_rng_next(&rng) % (hostile ? 16ull << 30 : 1ull << 30));
        }
        buf[k++] = (trace_rec){.addr = addr & ~7ull, .size = 8, .kind = (r >> 40) % 4 ? TREC_LOAD : TREC_STORE};
        if (k >= BATCH - 2) {
            if (trace_write(w, buf, k, &err) != VS_OK)
                goto fail;
            k = 0;
        }
    }
    if (trace_write(w, buf, k, &err) != VS_OK)
        goto fail;
    if (trace_writer_close(w, &err) != VS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    return 0;
fail:
    trace_writer_abort(w);
    fprintf(stderr, "%s\n", err.msg);
    return 1;
}
