/*
 * tpf_asp.c: arbitrary-stride prefetching (ASP) for TLBs, as Kandiraju and
 * Sivasubramaniam evaluate it (ISCA 2002, sec. 3.2) after Chen and Baer's
 * reference prediction table ("Effective Hardware-Based Data Prefetching
 * for High-Performance Processors", IEEE ToC 44(5), 1995).
 *
 * A table indexed by the PC of the missing instruction keeps, per
 * instruction, the page of its last miss and the stride between its last
 * two misses.  When a miss repeats that stride, the stride is confirmed and
 * page + stride is prefetched: one instruction walking an array several
 * pages per element is covered, whatever the stride.
 *
 * The table is direct-mapped on the PC and tagged by it.
 *
 * Invariant: a row's stride is the difference of its last two miss pages.
 */
#include "tpf.h"

#include <stdlib.h>

typedef struct asp_row {
    uint64_t pc;
    uint64_t prev; /* page of this instruction's last miss */
    int64_t stride;
    bool valid;
} asp_row;

typedef struct asp {
    uint32_t rows;
    asp_row row[];
} asp;

static void *asp_create(uint32_t rows)
{
    asp *a = vs_calloc(1, sizeof *a + (size_t)rows * sizeof a->row[0]);
    a->rows = rows;
    return a;
}

static void asp_destroy(void *st) { free(st); }

static unsigned asp_miss(void *st, uint64_t vpn, uint64_t pc, uint64_t *out)
{
    asp *a = st;
    asp_row *r = &a->row[pc % a->rows];
    if (!r->valid || r->pc != pc) {
        *r = (asp_row){.pc = pc, .prev = vpn, .valid = true};
        return 0;
    }
    int64_t stride = (int64_t)(vpn - r->prev);
    if (stride == 0) /* the same page again (a write upgrade): nothing learnt */
        return 0;
    bool confirmed = stride == r->stride;
    r->stride = stride;
    r->prev = vpn;
    if (!confirmed)
        return 0;
    out[0] = vpn + (uint64_t)stride;
    return 1;
}

const tpf_ops tpf_asp = {.create = asp_create, .destroy = asp_destroy, .miss = asp_miss};
