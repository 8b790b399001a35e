/*
 * repl_srrip.c: Static Re-Reference Interval Prediction, SRRIP-HP (Jaleel,
 * Theobald, Steely and Emer, "High Performance Cache Replacement Using
 * Re-Reference Interval Prediction (RRIP)", ISCA 2010, sec. 3).
 *
 * Each way holds an M-bit re-reference prediction value (RRPV): 0 means
 * "re-referenced soon", 2^M - 1 "in the distant future".  A fill predicts a
 * long interval (2^M - 2), so a page touched once leaves before pages that
 * are reused; a hit predicts a near-immediate one (0, hit priority).  The
 * victim is the first way, from way 0, whose RRPV is 2^M - 1; when there is
 * none, every RRPV of the set ages by the distance to 2^M - 1 of the
 * largest (the paper's repeated increment, done in one step, as ChampSim's
 * srrip module does).  Scan-resistant where LRU is not: a sweep of pages
 * used once cannot push out a working set that is reused.
 *
 * Invariant: every RRPV is at most SRRIP_MAX.
 */
#include "../assoc.h"

#include <stdlib.h>

#define SRRIP_BITS 2                            /* M = 2: the paper's choice for its results (sec. 5) */
#define SRRIP_MAX ((1u << SRRIP_BITS) - 1)      /* distant re-reference */
#define SRRIP_INSERT (SRRIP_MAX - 1)            /* long re-reference interval on a fill */

typedef struct srrip {
    uint32_t ways;
    uint8_t rrpv[]; /* slot = set * ways + way */
} srrip;

static void *srrip_create(uint32_t sets, uint32_t ways, uint64_t seed)
{
    (void)seed;
    srrip *r = vs_calloc(1, sizeof *r + (size_t)sets * ways);
    r->ways = ways;
    return r;
}

static void srrip_destroy(void *st) { free(st); }

static void srrip_hit(void *st, uint32_t set, uint32_t way)
{
    srrip *r = st;
    r->rrpv[(size_t)set * r->ways + way] = 0;
}

static void srrip_fill(void *st, uint32_t set, uint32_t way)
{
    srrip *r = st;
    r->rrpv[(size_t)set * r->ways + way] = SRRIP_INSERT;
}

static uint32_t srrip_victim(void *st, uint32_t set)
{
    srrip *r = st;
    uint8_t *v = r->rrpv + (size_t)set * r->ways;
    uint32_t oldest = 0;
    for (uint32_t i = 0; i < r->ways; i++) {
        if (v[i] == SRRIP_MAX)
            return i;
        if (v[i] > v[oldest])
            oldest = i;
    }
    uint8_t age = (uint8_t)(SRRIP_MAX - v[oldest]);
    for (uint32_t i = 0; i < r->ways; i++)
        v[i] = (uint8_t)(v[i] + age);
    return oldest;
}

const assoc_policy repl_srrip = {.create = srrip_create,
                                 .destroy = srrip_destroy,
                                 .hit = srrip_hit,
                                 .fill = srrip_fill,
                                 .victim = srrip_victim};
