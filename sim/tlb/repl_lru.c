/*
 * repl_lru.c: true least-recently-used replacement, in the two forms of
 * repl_lru.h: a byte of recency rank per way for narrow sets (the store
 * updates those inline, assoc.c), a 64-bit use stamp per way for wide ones.
 * Both are exact LRU (the recency stack of Mattson et al., 1970): stamps are
 * distinct and ordered like the uses, and 64 bits never wrap in a run.
 * Victim search scans the set: O(ways), paid only on a miss into a full set.
 *
 * Invariant: within a set, a more recently used way has a smaller rank (a
 * larger stamp).
 */
#include "repl_lru.h"

#include "../assoc.h"

#include <assert.h>
#include <stdlib.h>

static void *lru_create(uint32_t sets, uint32_t ways, uint64_t seed)
{
    (void)seed;
    lru *l = vs_calloc(1, sizeof *l);
    l->sets = sets;
    l->ways = ways;
    if (ways > LRU_AGE_WAYS) {
        l->stamp = vs_calloc((size_t)sets * ways, sizeof *l->stamp);
        return l;
    }
    l->stride = ways <= LRU_AGE_STRIDE_MIN ? LRU_AGE_STRIDE_MIN : 2 * LRU_AGE_STRIDE_MIN;
    l->step = l->stride;
    l->age = vs_malloc((size_t)sets * l->stride);
    memset(l->age, LRU_AGE_PAD, (size_t)sets * l->stride);
    for (uint32_t s = 0; s < sets; s++)
        for (uint32_t w = 0; w < ways; w++)
            l->age[(size_t)s * l->stride + w] = (uint8_t)w; /* any permutation: every way is used before it can be the victim */
    return l;
}

void lru_age_move(lru *l, uint8_t *to, size_t step)
{
    assert(l->age && (!to || step >= l->stride));
    uint8_t *own = NULL;
    if (!to) {
        to = own = vs_malloc((size_t)l->sets * l->stride);
        step = l->stride;
    }
    for (uint32_t s = 0; s < l->sets; s++)
        memcpy(to + s * step, l->age + s * l->step, l->stride);
    if (!l->age_lent)
        free(l->age);
    l->age = to;
    l->step = step;
    l->age_lent = own == NULL;
}

static void lru_destroy(void *st)
{
    lru *l = st;
    if (!l->age_lent)
        free(l->age);
    free(l->stamp);
    free(l);
}

static void lru_use(void *st, uint32_t set, uint32_t way)
{
    lru *l = st;
    if (l->age)
        lru_age_use(l, set, way);
    else
        l->stamp[(size_t)set * l->ways + way] = ++l->clock;
}

static uint32_t lru_victim(void *st, uint32_t set)
{
    const lru *l = st;
    if (l->age)
        return lru_age_victim(l, set);
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
                               .hit = lru_use,
                               .fill = lru_use,
                               .victim = lru_victim};
