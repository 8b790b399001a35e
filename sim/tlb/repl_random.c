/*
 * repl_random.c: random replacement -- a uniformly chosen way of a full set,
 * drawn from a splitmix64 stream seeded at creation, so runs with the same
 * seed evict the same ways.  Hits and fills change nothing.  (Random
 * replacement as in ARM Cortex-A TLBs and Smith's cache study, 1982.)
 */
#include "../assoc.h"

#include <stdlib.h>

typedef struct rnd {
    uint32_t ways;
    uint64_t rng;
} rnd;

static void *rnd_create(uint32_t sets, uint32_t ways, uint64_t seed)
{
    (void)sets;
    rnd *r = vs_calloc(1, sizeof *r);
    r->ways = ways;
    r->rng = seed;
    return r;
}

static void rnd_destroy(void *st) { free(st); }

static void rnd_use(void *st, uint32_t set, uint32_t way)
{
    (void)st;
    (void)set;
    (void)way;
}

static uint32_t rnd_victim(void *st, uint32_t set)
{
    rnd *r = st;
    (void)set;
    return (uint32_t)(vs_rng_next(&r->rng) % r->ways);
}

const assoc_policy repl_random = {.create = rnd_create,
                                  .destroy = rnd_destroy,
                                  .hit = rnd_use,
                                  .fill = rnd_use,
                                  .victim = rnd_victim};
