/*
 * mlp.c: the outstanding data misses of an out-of-order core (see mlp.h).
 * A handful of misses (the load-store unit's buffers: eight on AMD's K8 and
 * family 10h) live in a small array in issue order; every operation scans it.
 * The model and its sources (Karkhanis and Smith; the interval model) are
 * in mlp.h.
 *
 * Invariants between calls: n <= buffers; instr[0..n) and done[0..n) are
 * the misses in issue order (instr non-decreasing, as the caller's
 * instruction count only grows), so instr[0] is the one that fills the
 * reorder buffer first; a fetch waits only for instr[0], a miss only when
 * all `buffers` are taken, and never longer than until a miss held here
 * arrives; after mlp_drain or mlp_clear, n = 0 (tests/test_mlp.c).
 */
#include "mlp.h"

#include <stdlib.h>

struct mlp {
    uint32_t rob, buffers, n;
    uint64_t *instr; /* the instruction of each outstanding miss, in issue order */
    uint64_t *done;  /* the cycle its data arrives */
};

mlp *mlp_new(uint32_t rob, uint32_t buffers)
{
    mlp *m = vs_calloc(1, sizeof *m);
    m->rob = rob;
    m->buffers = buffers;
    m->instr = vs_calloc(buffers, sizeof *m->instr);
    m->done = vs_calloc(buffers, sizeof *m->done);
    return m;
}

void mlp_free(mlp *m)
{
    if (!m)
        return;
    free(m->instr);
    free(m->done);
    free(m);
}

/* Drops the misses whose data has arrived by cycle now, keeping issue order. */
static void retire(mlp *m, uint64_t now)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->n; i++)
        if (m->done[i] > now) {
            m->instr[k] = m->instr[i];
            m->done[k++] = m->done[i];
        }
    m->n = k;
}

uint64_t mlp_fetch(mlp *m, uint64_t instr, uint64_t now)
{
    uint64_t stall = 0;
    for (;;) {
        retire(m, now + stall);
        /* the reorder buffer holds m->instr[0] .. instr - 1: full at rob of them */
        if (m->n == 0 || instr - m->instr[0] < m->rob)
            return stall;
        stall = m->done[0] - now;
    }
}

uint64_t mlp_miss(mlp *m, uint64_t instr, uint64_t now, uint64_t latency)
{
    uint64_t stall = 0;
    retire(m, now);
    if (m->n == m->buffers) {
        uint64_t first = m->done[0];
        for (uint32_t i = 1; i < m->n; i++)
            if (m->done[i] < first)
                first = m->done[i];
        stall = first - now;
        retire(m, first);
    }
    m->instr[m->n] = instr;
    m->done[m->n++] = now + stall + latency;
    return stall;
}

uint64_t mlp_drain(mlp *m, uint64_t now)
{
    uint64_t last = now;
    for (uint32_t i = 0; i < m->n; i++)
        if (m->done[i] > last)
            last = m->done[i];
    m->n = 0;
    return last - now;
}

uint64_t mlp_stall_at(const mlp *m) { return m->n ? m->instr[0] + m->rob : UINT64_MAX; }

void mlp_clear(mlp *m) { m->n = 0; }
