/*
 * bench_trace_info_cda: how `vmemsim trace info` scales with the number of
 * critical-data-area (CDA) declarations (issue 12: a sorted array with a
 * memmove per insert made 300k areas take 65 s).
 *
 * For each size N it builds, in memory, N CDAs at random page-aligned bases
 * (some touching or overlapping, so merges happen), each followed by a
 * one-store transaction whose address may or may not fall in an area, and
 * times trace_summary_add over them.  Per-area time should stay flat as N
 * grows (O(log N) per area).
 *
 * Usage: bench_trace_info_cda [N...]   (default: 30000 100000 300000 1000000)
 * Set BENCH_CPU=1 to time CPU seconds instead of wall-clock (loaded machines).
 */
#include "trace/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RECS_PER_AREA 4u  /* CDA, TXN_BEGIN, STORE, TXN_END */
#define BENCH_SEED 1u
#define SPREAD 4u         /* bases drawn from 4N slots: about a quarter of areas collide */

static double now(void)
{
    struct timespec ts;
    clock_gettime(getenv("BENCH_CPU") ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void bench(uint64_t n)
{
    trace_rec *r = malloc(n * RECS_PER_AREA * sizeof *r);
    if (!r) {
        fprintf(stderr, "bench_trace_info_cda: out of memory for %llu areas\n", (unsigned long long)n);
        exit(1);
    }
    uint64_t rng = BENCH_SEED;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t x = vs_rng_next(&rng);
        trace_rec *t = r + RECS_PER_AREA * i;
        t[0] = (trace_rec){.kind = TREC_CDA, .addr = 0x10000000 + (x % (SPREAD * n)) * 0x2000,
                           .len = 0x1000 + (x >> 60) * 0x1000, .id = (uint32_t)i};
        t[1] = (trace_rec){.kind = TREC_TXN_BEGIN, .id = (uint32_t)i};
        t[2] = (trace_rec){.kind = TREC_STORE, .addr = 0x10000000 + ((x >> 20) % (SPREAD * n)) * 0x2000, .size = 8};
        t[3] = (trace_rec){.kind = TREC_TXN_END, .id = (uint32_t)i};
    }
    trace_summary *s = trace_summary_new();
    double t0 = now();
    trace_summary_add(s, r, n * RECS_PER_AREA);
    double dt = now() - t0;
    trace_summary_free(s);
    free(r);
    printf("%10llu areas  %8.3f s  %8.1f ns/area\n", (unsigned long long)n, dt, dt * 1e9 / (double)n);
}

int main(int argc, char **argv)
{
    static const uint64_t DEFAULT_N[] = {30000, 100000, 300000, 1000000};
    if (argc > 1)
        for (int i = 1; i < argc; i++)
            bench(strtoull(argv[i], NULL, 10));
    else
        for (size_t i = 0; i < sizeof DEFAULT_N / sizeof *DEFAULT_N; i++)
            bench(DEFAULT_N[i]);
    return 0;
}
