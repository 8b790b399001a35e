/*
 * pfu.h: the prefetch units of one cache hierarchy -- what turns a cache
 * prefetcher's proposals (cpf.h) into lines in the caches, bounded the way
 * the hardware is, and when those lines are there.
 *
 * A cache may have one prefetcher.  It is trained on the demand data
 * references that reach its cache (hit or miss); page-walk and instruction
 * references do not train it.  Each proposed line is, in order:
 *   - dropped if it lies outside the 4 KiB page of the reference that
 *     proposed it (the prefetcher sees physical addresses; the next physical
 *     page is unrelated to the next virtual one);
 *   - dropped if the cache already holds it;
 *   - dropped, with every later one, if all `outstanding` miss slots of the
 *     unit hold lines still on their way (the hardware's miss address
 *     buffers);
 *   - else filled into the cache and each level below it down to where it
 *     was found (inclusive fill, as a demand miss), and remembered in a slot
 *     with the cycle it arrives.
 * The prefetch costs the core nothing.  A line found in a lower cache arrives
 * after that cache's latency; one from DRAM after the DRAM latency, and DRAM
 * hands the unit at most one line every `line_cycles` (its share of the
 * memory bandwidth).  A demand reference that hits a line still on its way
 * waits for it: its latency is at least the cycles until the line arrives.
 *
 * Time is the simulated machine's cycle count (pfu_set_clock: the simulator's
 * total cycles so far, base CPI, stalls, walks, faults and the VMM included).
 * Without a clock it is the hierarchy's own: the sum of the latencies of the
 * references it has served.  Statistics resets (the end of a warm-up) may
 * restart the clock, so they also count every line on its way as arrived.
 *
 * Invariant: per unit, useful <= issued, late <= useful; a slot holds a line
 * the unit filled and no demand reference has hit since.
 */
#ifndef VS_CPF_PFU_H
#define VS_CPF_PFU_H

#include "cpf.h"

#define PFU_PAGE_SHIFT 12 /* 4 KiB: prefetches never cross it */

typedef struct pfu_params {
    unsigned prefetcher;  /* cpf_names index; 0 = this cache has none */
    cpf_params cpf;       /* page_lines is set by pfu_new */
    uint32_t outstanding; /* miss slots, >= 1 */
    uint32_t line_cycles; /* cycles between two lines from DRAM */
    unsigned line_shift;  /* log2 of the cache's line */
} pfu_params;

/* Fills the line of pa into cache `cache` and the levels below it on the data
 * path down to the first that holds it.  Returns false if `cache` already
 * holds it (nothing changes); else stores the latency of where it was found
 * in *latency, and sets *dram when that was memory. */
typedef bool (*pfu_fill_fn)(void *ctx, unsigned cache, uint64_t pa, uint32_t *latency, bool *dram);

typedef struct pfu pfu;

/* p[i] for cache i of n; NULL when no cache has a prefetcher. */
pfu *pfu_new(const pfu_params *p, unsigned n, pfu_fill_fn fill, void *ctx);
void pfu_free(pfu *u);

/* A demand reference to pa with source data (train = true) or not, probed in
 * order the caches path[0..probed) of which `hit` (or -1: none) hit, with
 * latency `latency`.  Returns its latency, longer if it hit a line still on
 * its way; trains the prefetchers of the probed caches and
 * issues what they propose. */
uint32_t pfu_demand(pfu *u, uint64_t pa, bool train, const uint8_t *path, unsigned probed, int hit, uint32_t latency);

typedef uint64_t (*pfu_clock_fn)(const void *ctx);
void pfu_set_clock(pfu *u, pfu_clock_fn clock, const void *ctx);

/* Zeroes the statistics; every line on its way counts as arrived. */
void pfu_reset_stats(pfu *u);
/* Whether cache i has a prefetcher; then the lines its unit filled, of those
 * how many a demand reference hit, and of those how many it had to wait for
 * (zeros for a cache without one). */
bool pfu_stats(const pfu *u, unsigned i, uint64_t *issued, uint64_t *useful, uint64_t *late);

#endif
