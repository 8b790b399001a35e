/*
 * pfu.c: the prefetch units of a cache hierarchy (see pfu.h).
 *
 * Each unit keeps its prefetcher's state, its miss slots (line, arrival
 * cycle) and the cycle at which DRAM can next hand it a line.  A slot is
 * free when empty; when all are taken the one whose line arrived first is
 * reused, unless every line is still on its way, in which case the proposal
 * is dropped.  Which proposals are dropped, and why, is in pfu.h.
 *
 * Invariants between calls, per unit: no two valid slots hold the same line
 * (a proposal for a line already in a slot reuses or skips that slot); every
 * valid slot holds a line the unit issued and no demand has used since (a
 * demand hit on it invalidates it, so each issue is counted useful at most
 * once) and late <= useful; between two pfu_reset_stats, dram_next never
 * decreases (DRAM hands the unit one line every line_cycles); a cache
 * without a prefetcher has no unit (unit[i] == NULL), and a hierarchy with
 * none has no pfu at all (pfu_new returns NULL).
 */
#include "pfu.h"

#include <stdlib.h>

typedef struct pfu_slot {
    uint64_t line;
    uint64_t ready; /* cycle the line arrives */
    bool valid;
} pfu_slot;

typedef struct pfu_unit {
    const cpf_ops *ops;
    void *st;
    unsigned line_shift;
    uint32_t outstanding, line_cycles;
    uint64_t dram_next; /* first cycle DRAM may hand this unit another line */
    uint64_t issued, useful, late;
    pfu_slot *slot;
} pfu_unit;

struct pfu {
    pfu_unit **unit; /* per cache; NULL: no prefetcher */
    unsigned n;
    uint64_t own_now; /* without a clock: the latencies served so far */
    pfu_clock_fn clock;
    const void *clock_ctx;
    pfu_fill_fn fill;
    void *ctx;
};

pfu *pfu_new(const pfu_params *p, unsigned n, pfu_fill_fn fill, void *ctx)
{
    bool any = false;
    for (unsigned i = 0; i < n; i++)
        any |= cpf_at(p[i].prefetcher) != NULL;
    if (!any)
        return NULL;
    pfu *u = vs_calloc(1, sizeof *u);
    u->unit = vs_calloc(n, sizeof *u->unit);
    u->n = n;
    u->fill = fill;
    u->ctx = ctx;
    for (unsigned i = 0; i < n; i++) {
        const cpf_ops *ops = cpf_at(p[i].prefetcher);
        if (!ops)
            continue;
        pfu_unit *t = vs_calloc(1, sizeof *t);
        cpf_params cp = p[i].cpf;
        cp.page_lines = 1u << (PFU_PAGE_SHIFT > p[i].line_shift ? PFU_PAGE_SHIFT - p[i].line_shift : 0);
        t->ops = ops;
        t->st = ops->create(&cp);
        t->line_shift = p[i].line_shift;
        t->outstanding = p[i].outstanding;
        t->line_cycles = p[i].line_cycles;
        t->slot = vs_calloc(p[i].outstanding, sizeof *t->slot);
        u->unit[i] = t;
    }
    return u;
}

void pfu_free(pfu *u)
{
    if (!u)
        return;
    for (unsigned i = 0; i < u->n; i++)
        if (u->unit[i]) {
            u->unit[i]->ops->destroy(u->unit[i]->st);
            free(u->unit[i]->slot);
            free(u->unit[i]);
        }
    free(u->unit);
    free(u);
}

/* The slot holding line, or NULL. */
static pfu_slot *slot_of(pfu_unit *t, uint64_t line)
{
    for (uint32_t i = 0; i < t->outstanding; i++)
        if (t->slot[i].valid && t->slot[i].line == line)
            return &t->slot[i];
    return NULL;
}

/* A slot for a new line at cycle now: an empty one, else the one whose line
 * arrived first; NULL when every line is still on its way. */
static pfu_slot *free_slot(pfu_unit *t, uint64_t now)
{
    pfu_slot *best = NULL;
    for (uint32_t i = 0; i < t->outstanding; i++) {
        pfu_slot *s = &t->slot[i];
        if (!s->valid)
            return s;
        if (s->ready <= now && (!best || s->ready < best->ready))
            best = s;
    }
    return best;
}

/* Issues cache i's proposals for a reference to pa at cycle now. */
static void issue(pfu *u, unsigned i, uint64_t pa, bool hit, uint64_t now)
{
    pfu_unit *t = u->unit[i];
    uint64_t line = pa >> t->line_shift, out[CPF_MAX_DEGREE];
    uint64_t page = pa >> PFU_PAGE_SHIFT;
    unsigned n = t->ops->access(t->st, line, hit, out);
    for (unsigned k = 0; k < n; k++) {
        uint64_t cand = out[k] << t->line_shift;
        if (cand >> PFU_PAGE_SHIFT != page || (cand >> t->line_shift) != out[k])
            continue; /* another page, or past the end of the address space */
        pfu_slot *old = slot_of(t, out[k]);
        if (old && old->ready > now)
            continue; /* already on its way */
        pfu_slot *s = old ? old : free_slot(t, now); /* an arrived line's slot serves it again if evicted */
        if (!s)
            return; /* every miss slot busy: the hardware drops the rest too */
        bool dram = false;
        uint32_t lat = 0;
        if (!u->fill(u->ctx, i, cand, &lat, &dram))
            continue; /* the cache holds it */
        uint64_t start = now;
        if (dram) {
            if (t->dram_next > start)
                start = t->dram_next;
            t->dram_next = start + t->line_cycles;
        }
        *s = (pfu_slot){.line = out[k], .ready = start + lat, .valid = true};
        t->issued++;
    }
}

uint32_t pfu_demand(pfu *u, uint64_t pa, bool train, const uint8_t *path, unsigned probed, int hit, uint32_t latency)
{
    uint64_t now = u->clock ? u->clock(u->clock_ctx) : u->own_now;
    if (hit >= 0 && u->unit[hit]) {
        pfu_unit *t = u->unit[hit];
        pfu_slot *s = slot_of(t, pa >> t->line_shift);
        if (s) {
            t->useful++;
            if (s->ready > now + latency) {
                t->late++;
                latency = (uint32_t)(s->ready - now);
            }
            s->valid = false;
        }
    }
    if (train)
        for (unsigned k = 0; k < probed; k++)
            if (u->unit[path[k]])
                issue(u, path[k], pa, (int)path[k] == hit, now);
    u->own_now += latency;
    return latency;
}

void pfu_set_clock(pfu *u, pfu_clock_fn clock, const void *ctx)
{
    u->clock = clock;
    u->clock_ctx = ctx;
}

void pfu_reset_stats(pfu *u)
{
    for (unsigned i = 0; i < u->n; i++) {
        pfu_unit *t = u->unit[i];
        if (!t)
            continue;
        t->issued = t->useful = t->late = 0;
        t->dram_next = 0;
        for (uint32_t k = 0; k < t->outstanding; k++)
            t->slot[k].ready = 0;
    }
    u->own_now = 0;
}

bool pfu_stats(const pfu *u, unsigned i, uint64_t *issued, uint64_t *useful, uint64_t *late)
{
    const pfu_unit *t = u && i < u->n ? u->unit[i] : NULL;
    *issued = t ? t->issued : 0;
    *useful = t ? t->useful : 0;
    *late = t ? t->late : 0;
    return t != NULL;
}
