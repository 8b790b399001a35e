/*
 * tee.c: the fan-out of tee.h.  Batches are numbered from 0 in read order;
 * batch b lives in slots[b % TEE_SLOTS].  Each consumer keeps the number of
 * the batch it reads next and whether it still holds the one before.  The
 * consumer that first wants a batch not yet read fetches it from the
 * read-ahead and copies it into the ring, outside the lock (the slot it fills
 * is one nobody holds), so the others keep simulating meanwhile.  The copy
 * costs a memcpy per batch per trace, not per machine: small against
 * simulating the batch on every machine.
 */
#include "tee.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define TEE_SLOTS 8 /* batches in the ring: lets machines drift a few batches apart before the fastest waits */

typedef struct tee_slot {
    trace_rec *recs;
    size_t cap; /* records recs can hold */
    long n;     /* records, 0 = end, < 0 = error code */
    vs_err err;
} tee_slot;

typedef struct tee_consumer {
    uint64_t next; /* number of the batch it reads next */
    bool holding;  /* it still reads batch next - 1 */
    bool active;   /* it has not left */
} tee_consumer;

struct tee {
    readahead *ra;
    unsigned n;
    gint refs;
    GMutex lock;
    GCond cond;
    tee_slot slots[TEE_SLOTS];
    uint64_t fetched; /* batches read from ra so far */
    bool fetching;    /* a consumer is reading batch `fetched` from ra */
    bool ended;       /* the end (or an error) is in the ring, as batch fetched - 1 */
    tee_consumer *c;
};

tee *tee_new(readahead *ra, unsigned consumers)
{
    tee *t = vs_calloc(1, sizeof *t);
    t->ra = ra;
    t->n = consumers;
    t->refs = (gint)consumers;
    g_mutex_init(&t->lock);
    g_cond_init(&t->cond);
    t->c = vs_calloc(consumers, sizeof *t->c);
    for (unsigned i = 0; i < consumers; i++)
        t->c[i].active = true;
    return t;
}

/* The oldest batch some consumer still reads or has yet to read. */
static uint64_t oldest_needed(const tee *t)
{
    uint64_t min = t->fetched;
    for (unsigned i = 0; i < t->n; i++) {
        const tee_consumer *c = &t->c[i];
        uint64_t need = c->next - (c->holding ? 1 : 0);
        if (c->active && need < min)
            min = need;
    }
    return min;
}

/* Batch `fetched` may be read now: nobody is reading it, and its slot is no
 * longer needed. */
static bool can_fetch(const tee *t)
{
    return !t->fetching && !t->ended && t->fetched - oldest_needed(t) < TEE_SLOTS;
}

/* Reads batch t->fetched into its slot (one nobody holds) and publishes it.
 * Called with the lock held, which it drops while reading, so the other
 * consumers go on with the batches they have. */
static void fetch(tee *t)
{
    t->fetching = true;
    tee_slot *s = &t->slots[t->fetched % TEE_SLOTS];
    g_mutex_unlock(&t->lock);
    const trace_rec *recs = NULL;
    vs_err err = {0};
    long n = ra_next(t->ra, &recs, &err);
    if (n > 0) {
        if ((size_t)n > s->cap) {
            free(s->recs);
            s->recs = vs_malloc((size_t)n * sizeof *s->recs);
            s->cap = (size_t)n;
        }
        memcpy(s->recs, recs, (size_t)n * sizeof *s->recs);
    }
    s->n = n;
    s->err = err;
    g_mutex_lock(&t->lock);
    t->fetched++;
    t->ended = n <= 0;
    t->fetching = false;
    g_cond_broadcast(&t->cond);
}

long tee_next(tee *t, unsigned ci, const trace_rec **recs, vs_err *err)
{
    if (t->n == 1)
        return ra_next(t->ra, recs, err);
    g_mutex_lock(&t->lock);
    tee_consumer *c = &t->c[ci];
    if (c->holding) {
        c->holding = false;
        g_cond_broadcast(&t->cond);
    }
    for (;;) {
        if (c->next < t->fetched) {
            tee_slot *s = &t->slots[c->next % TEE_SLOTS];
            long n = s->n;
            if (n > 0) {
                c->next++;
                c->holding = true;
                *recs = s->recs;
            } else if (n < 0 && err) {
                *err = s->err;
            }
            g_mutex_unlock(&t->lock);
            return n;
        }
        if (can_fetch(t)) {
            fetch(t);
            continue;
        }
        g_cond_wait(&t->cond, &t->lock);
    }
}

void tee_leave(tee *t, unsigned ci)
{
    if (t->n == 1)
        return;
    g_mutex_lock(&t->lock);
    t->c[ci].active = false;
    t->c[ci].holding = false;
    g_cond_broadcast(&t->cond);
    g_mutex_unlock(&t->lock);
}

int tee_drain(tee *t, unsigned ci, vs_err *err)
{
    if (t->n == 1) {
        const trace_rec *recs;
        long n;
        while ((n = ra_next(t->ra, &recs, err)) > 0)
            continue;
        return (int)n;
    }
    tee_leave(t, ci);
    g_mutex_lock(&t->lock);
    for (;;) {
        if (t->ended) {
            const tee_slot *s = &t->slots[(t->fetched - 1) % TEE_SLOTS];
            if (s->n < 0 && err)
                *err = s->err;
            g_mutex_unlock(&t->lock);
            return (int)s->n;
        }
        if (can_fetch(t)) {
            fetch(t);
            continue;
        }
        g_cond_wait(&t->cond, &t->lock);
    }
}

trace_digest tee_digest(tee *t) { return ra_digest(t->ra); }

double tee_fraction(tee *t) { return ra_fraction(t->ra); }

void tee_unref(tee *t, unsigned ci)
{
    if (!t)
        return;
    tee_leave(t, ci);
    if (!g_atomic_int_dec_and_test(&t->refs))
        return;
    ra_stop(t->ra);
    for (unsigned i = 0; i < TEE_SLOTS; i++)
        free(t->slots[i].recs);
    free(t->c);
    g_mutex_clear(&t->lock);
    g_cond_clear(&t->cond);
    free(t);
}
