/*
 * cpf_next_line.c: next-line prefetching, ChampSim's reference prefetcher
 * (prefetcher/next_line: every access to line L prefetches L + 1).  Here
 * every demand access proposes lines L + distance .. L + distance +
 * degree - 1; with distance = degree = 1 it is ChampSim's.  It keeps no
 * state, so it is the baseline the stream prefetcher is measured against.
 *
 * Invariants: the proposals depend only on the line and the parameters
 * (no state between calls); there are exactly `degree` of them (at most
 * CPF_MAX_DEGREE, config.c), in increasing order, all ahead of the demand
 * line (prefetch_distance >= 1).
 * Staying within the page is the prefetch unit's job (pfu.c), not this one's.
 */
#include "cpf.h"

#include <stdlib.h>

typedef struct next_line {
    uint32_t degree, distance;
} next_line;

static void *nl_create(const cpf_params *p)
{
    next_line *n = vs_calloc(1, sizeof *n);
    n->degree = p->degree;
    n->distance = p->distance;
    return n;
}

static void nl_destroy(void *st) { free(st); }

static unsigned nl_access(void *st, uint64_t line, bool hit, uint64_t *out)
{
    (void)hit;
    const next_line *n = st;
    for (uint32_t i = 0; i < n->degree; i++)
        out[i] = line + n->distance + i;
    return n->degree;
}

const cpf_ops cpf_next_line = {.create = nl_create, .destroy = nl_destroy, .access = nl_access};
