/*
 * bench_tlb.c: translation throughput of a two-level TLB -- a 64-entry 4-way
 * L1 DTLB (4 KiB) over a 1536-entry 12-way STLB (4 KiB + 2 MiB), the Skylake
 * client shape -- on a trace with locality and on random traces, so changes
 * to assoc.c / tlb.c can be judged against the >= 30 M refs/s budget.
 *
 * Each reference probes the L1; on a miss the STLB; on an STLB miss a fake
 * walk result is inserted into both, on an STLB hit into the L1, as the
 * engine does.  Traces are generated before timing.  Not run by CTest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/tlb/tlb.h"

#define REFS 5000000           /* long enough that timer resolution does not matter */
#define ROUNDS 9               /* best of nine, to shrug off scheduler noise on a shared machine */
#define HOT_PAGES 16           /* the locality trace's small hot set */
#define WARM_PAGES 8192        /* and its 32 MiB wider footprint */
#define L1_FIT_PAGES 32        /* random trace that fits the L1 (2 pages per set) */
#define STLB_FIT_PAGES 1024    /* random trace that fits the STLB but not the L1 */
#define NO_FIT_PAGES 65536     /* random trace over 256 MiB: misses both */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* 70% the same page as before, 20% one of a few hot pages, 10% anywhere in a
 * larger footprint: roughly a loop over arrays with some pointer chasing. */
static void locality_trace(uint64_t *va, size_t n, uint64_t seed)
{
    uint64_t page = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = vs_rng_next(&seed), r = x % 100;
        if (r >= 90)
            page = (x >> 8) % WARM_PAGES;
        else if (r >= 70)
            page = (x >> 8) % HOT_PAGES;
        va[i] = (page << 12) | ((x >> 40) & 0xfff);
    }
}

static void random_trace(uint64_t *va, size_t n, uint64_t pages, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t x = vs_rng_next(&seed);
        va[i] = ((x % pages) << 12) | ((x >> 40) & 0xfff);
    }
}

static void run(const char *label, const uint64_t *va, size_t n)
{
    tlb_params l1p = {.name = "dtlb", .level = 1, .kind = TLB_DATA, .entries = 64, .ways = 4,
                      .page_sizes = 1u << VS_PG_4K, .latency = 1, .repl = ASSOC_LRU, .seed = 1};
    tlb_params l2p = {.name = "stlb", .level = 2, .kind = TLB_UNIFIED, .entries = 1536, .ways = 12,
                      .page_sizes = (1u << VS_PG_4K) | (1u << VS_PG_2M), .latency = 7,
                      .repl = ASSOC_LRU, .seed = 2};
    double best = 1e30;
    uint64_t l1_hits = 0, l2_hits = 0, sum = 0;
    for (int round = 0; round < ROUNDS; round++) {
        vs_err err;
        tlb *l1 = tlb_new(&l1p, &err), *l2 = tlb_new(&l2p, &err);
        double t0 = now();
        for (size_t i = 0; i < n; i++) {
            tlb_entry e;
            if (!tlb_lookup(l1, va[i], 1, &e)) {
                if (!tlb_lookup(l2, va[i], 1, &e)) {
                    e = (tlb_entry){.pa_base = (va[i] & ~0xfffull) + (1ull << 32), .size = VS_PG_4K,
                                    .writable = true};
                    tlb_insert(l2, va[i], 1, &e);
                }
                tlb_insert(l1, va[i], 1, &e);
            }
            sum += e.pa_base;
        }
        double dt = now() - t0;
        if (dt < best)
            best = dt;
        l1_hits = tlb_hits(l1);
        l2_hits = tlb_hits(l2);
        tlb_free(l1);
        tlb_free(l2);
    }
    printf("%-28s %6.2f ns/ref %7.1f M refs/s  L1 hit %5.1f%%  STLB hit %5.1f%% of L1 misses  (%llx)\n", label,
           best * 1e9 / n, n / best / 1e6, 100.0 * l1_hits / n,
           n > l1_hits ? 100.0 * l2_hits / (n - l1_hits) : 0.0, (unsigned long long)(sum & 0xf));
}

int main(void)
{
    uint64_t *va = malloc(REFS * sizeof *va);
    if (!va)
        return 1;
    locality_trace(va, REFS, 1);
    run("locality", va, REFS);
    random_trace(va, REFS, 1, 4);
    run("one page (repeat hits)", va, REFS);
    random_trace(va, REFS, L1_FIT_PAGES, 5);
    run("random 32 pages (L1 hits)", va, REFS);
    random_trace(va, REFS, STLB_FIT_PAGES, 2);
    run("random 1024 pages (4 MiB)", va, REFS);
    random_trace(va, REFS, NO_FIT_PAGES, 3);
    run("random 65536 pages (256 MiB)", va, REFS);
    free(va);
    return 0;
}
