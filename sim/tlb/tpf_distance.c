/*
 * tpf_distance.c: distance prefetching (Kandiraju and Sivasubramaniam,
 * "Going the Distance for TLB Prefetching: An Application-driven Study",
 * ISCA 2002, sec. 3.5).
 *
 * The distance of a miss is its page number minus the previous miss's.  A
 * table indexed by distance remembers which distances followed it: on a
 * miss at distance d, the row of the previous distance learns d, and the
 * row of d proposes page + d' for each distance d' that once followed d.
 * One row thus covers every sequential (d = 1) or strided stream at once,
 * and alternating patterns (d1, d2, d1, ...) too, in far less space than a
 * Markov table of pages.
 *
 * The table is direct-mapped on the distance, tagged by it, with
 * DIST_SLOTS predicted distances per row, most recent first (the paper's
 * s = 2).
 *
 * Invariant: a row's valid slots hold distinct nonzero distances.
 */
#include "tpf.h"

#include <stdlib.h>

#define DIST_SLOTS 2 /* KS02: s = 2 predictions per row */

typedef struct dist_row {
    int64_t tag;
    int64_t next[DIST_SLOTS]; /* 0 = empty slot */
    bool valid;
} dist_row;

typedef struct dist {
    uint32_t rows;
    bool have_prev, have_dist;
    uint64_t prev;    /* page of the last miss */
    int64_t prev_dist; /* distance of the last miss */
    dist_row row[];
} dist;

static void *dist_create(uint32_t rows)
{
    dist *d = vs_calloc(1, sizeof *d + (size_t)rows * sizeof d->row[0]);
    d->rows = rows;
    return d;
}

static void dist_destroy(void *st) { free(st); }

static dist_row *row_of(dist *d, int64_t distance)
{
    return &d->row[(uint64_t)distance % d->rows];
}

/* The row of `from` learns that `to` followed it (most recent first). */
static void learn(dist *d, int64_t from, int64_t to)
{
    dist_row *r = row_of(d, from);
    if (!r->valid || r->tag != from)
        *r = (dist_row){.tag = from, .valid = true};
    unsigned i = 0;
    while (i < DIST_SLOTS - 1 && r->next[i] != to)
        i++;
    for (; i > 0; i--)
        r->next[i] = r->next[i - 1];
    r->next[0] = to;
}

static unsigned dist_miss(void *st, uint64_t vpn, uint64_t pc, uint64_t *out)
{
    (void)pc;
    dist *d = st;
    unsigned n = 0;
    if (d->have_prev && vpn != d->prev) {
        int64_t distance = (int64_t)(vpn - d->prev);
        if (d->have_dist)
            learn(d, d->prev_dist, distance);
        const dist_row *r = row_of(d, distance);
        for (unsigned i = 0; r->valid && r->tag == distance && i < DIST_SLOTS; i++)
            if (r->next[i])
                out[n++] = vpn + (uint64_t)r->next[i];
        d->prev_dist = distance;
        d->have_dist = true;
    }
    d->prev = vpn;
    d->have_prev = true;
    return n;
}

const tpf_ops tpf_distance = {.create = dist_create, .destroy = dist_destroy, .miss = dist_miss};
