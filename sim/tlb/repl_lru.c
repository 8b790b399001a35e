/*
 * repl_lru.c: true least-recently-used replacement.
 *
 * Each way keeps the value of a 64-bit use counter at its last hit or fill;
 * the victim of a full set is the way with the smallest stamp.  Stamps are
 * distinct and ordered like the uses, so this is exact LRU (the recency
 * stack of Mattson et al., 1970), and 64 bits never wrap in a run.  Victim
 * search scans the set: O(ways), paid only on a miss into a full set.
 *
 * Invariant: within a set, a more recently used way has a larger stamp.
 */
#include "../assoc.h"

#include <stdlib.h>

typedef struct lru {
    uint32_t ways;
    uint64_t clock;
    uint64_t stamp[]; /* slot = set * ways + way */
} lru;

static void *lru_create(uint32_t sets, uint32_t ways, uint64_t seed)
{
    (void)seed;
    lru *l = vs_calloc(1, sizeof *l + (size_t)sets * ways * sizeof l->stamp[0]);
    l->ways = ways;
    return l;
}

static void lru_destroy(void *st) { free(st); }

static void lru_touch(void *st, uint32_t set, uint32_t way)
{
    lru *l = st;
    l->stamp[(size_t)set * l->ways + way] = ++l->clock;
}

static uint32_t lru_victim(void *st, uint32_t set)
{
    const lru *l = st;
    const uint64_t *s = l->stamp + (size_t)set * l->ways;
    uint64_t oldest = s[0]; /* kept in a register: no load waits on the previous compare */
    uint32_t v = 0;
    for (uint32_t i = 1; i < l->ways; i++) {
        if (s[i] < oldest) {
            oldest = s[i];
            v = i;
        }
    }
    return v;
}

const assoc_policy repl_lru = {.create = lru_create,
                               .destroy = lru_destroy,
                               .hit = lru_touch,
                               .fill = lru_touch,
                               .victim = lru_victim};
