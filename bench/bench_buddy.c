/*
 * bench_buddy.c: operations per second of the buddy allocator on a 1 TiB
 * (2^28-frame) range, and its memory once fragmented.  Not run by CTest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mmu/buddy.h"

#define FRAMES (1ull << 28) /* 1 TiB of 4 KiB frames */
#define OPS 4000000         /* enough for a stable rate, under a few seconds */
#define LIVE (1u << 20)     /* allocations held at once: fragments the range */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, res = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &res) != 2)
            res = 0;
        fclose(f);
    }
    return res * 4;
}

int main(void)
{
    vs_err err;
    long rss0 = rss_kib();
    buddy *b = buddy_new(0, FRAMES, 18, &err);
    if (!b) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("fresh: %ld KiB\n", rss_kib() - rss0);
    uint64_t *pfn = calloc(LIVE, sizeof *pfn), rng = 42;
    unsigned char *ord = calloc(LIVE, 1);
    for (unsigned i = 0; i < LIVE; i++) {
        ord[i] = (unsigned char)(vs_rng_next(&rng) % 4 == 0 ? 9 : 0);
        buddy_alloc(b, ord[i], &pfn[i]);
    }
    double t0 = now();
    for (unsigned op = 0; op < OPS; op++) {
        unsigned i = (unsigned)(vs_rng_next(&rng) % LIVE);
        buddy_free(b, pfn[i], ord[i]);
        ord[i] = (unsigned char)(vs_rng_next(&rng) % 4 == 0 ? 9 : 0);
        if (!buddy_alloc(b, ord[i], &pfn[i]))
            return 1;
    }
    double dt = now() - t0;
    printf("%.1f M free+alloc pairs/s; fragmented: %ld KiB for %llu frames\n", OPS / dt / 1e6,
           rss_kib() - rss0, (unsigned long long)FRAMES);
    buddy_free_all(b);
    free(pfn);
    free(ord);
    return 0;
}
