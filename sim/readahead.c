/*
 * readahead.c: the read-ahead thread of readahead.h -- a single-producer,
 * single-consumer ring of RA_AHEAD + lend batches under one mutex.  Batches
 * are lent and given back in read order, so the lent ones are always the
 * `held` slots just before `head`, and the worker's next slot, head +
 * filled, is never one of them.  The lock is taken once per batch of
 * RA_BATCH records, not per record.
 */
#include "readahead.h"

#include <assert.h>
#include <glib.h>
#include <stdlib.h>

#define RA_AHEAD 3      /* batches read ahead of those lent: enough to ride out one slow inflate */
#define RA_BATCH 16384  /* records per batch: amortizes the lock and the wake-ups */

typedef struct ra_slot {
    trace_rec *recs;
    long n;       /* records, 0 = end, < 0 = error code */
    vs_err err;
} ra_slot;

struct readahead {
    trace_reader *reader;
    GThread *thread;
    GMutex lock;
    GCond cond;
    ra_slot *slots;
    unsigned nslots; /* RA_AHEAD + lend */
    unsigned lend;   /* batches the consumer may hold at once */
    unsigned head;   /* next slot the consumer takes */
    unsigned filled; /* slots ready for the consumer */
    unsigned held;   /* batches lent: the slots just before head */
    bool stop;       /* the consumer asks the worker to quit */
    bool finished;   /* the worker published its end or error */
    double fraction; /* of the input read, as of the last batch */
    trace_digest digest;
};

static gpointer worker(gpointer data)
{
    readahead *p = data;
    unsigned tail = 0;
    for (;;) {
        g_mutex_lock(&p->lock);
        while (!p->stop && p->filled + p->held >= p->nslots)
            g_cond_wait(&p->cond, &p->lock);
        bool stop = p->stop;
        g_mutex_unlock(&p->lock);
        if (stop)
            return NULL;
        ra_slot *s = &p->slots[tail];
        s->n = trace_read(p->reader, s->recs, RA_BATCH, &s->err);
        double fraction = trace_progress(p->reader);
        g_mutex_lock(&p->lock);
        p->digest = trace_reader_digest(p->reader);
        p->fraction = fraction;
        p->filled++;
        bool done = s->n <= 0;
        if (done)
            p->finished = true;
        g_cond_broadcast(&p->cond);
        g_mutex_unlock(&p->lock);
        if (done)
            return NULL;
        tail = (tail + 1) % p->nslots;
    }
}

readahead *ra_start(trace_reader *r, unsigned lend)
{
    assert(lend >= 1);
    readahead *p = vs_calloc(1, sizeof *p);
    p->reader = r;
    p->lend = lend;
    p->nslots = RA_AHEAD + lend;
    p->slots = vs_calloc(p->nslots, sizeof *p->slots);
    g_mutex_init(&p->lock);
    g_cond_init(&p->cond);
    for (unsigned i = 0; i < p->nslots; i++)
        p->slots[i].recs = vs_malloc(RA_BATCH * sizeof(trace_rec));
    p->digest = trace_reader_digest(r);
    p->thread = g_thread_new("vmemsim-read", worker, p);
    return p;
}

/* The next batch, lent to the consumer if it is not the end; called with
 * the lock held. */
static long take_locked(readahead *p, const trace_rec **recs, vs_err *err)
{
    while (p->filled == 0)
        g_cond_wait(&p->cond, &p->lock);
    ra_slot *s = &p->slots[p->head];
    long n = s->n;
    if (n > 0) {
        assert(p->held < p->lend);
        p->filled--;
        p->head = (p->head + 1) % p->nslots;
        p->held++;
        *recs = s->recs;
    } else if (n < 0 && err) {
        *err = s->err;
    }
    return n;
}

/* Gives back the oldest batch lent; called with the lock held. */
static void release_locked(readahead *p)
{
    assert(p->held > 0);
    p->held--;
    g_cond_broadcast(&p->cond);
}

long ra_take(readahead *p, const trace_rec **recs, vs_err *err)
{
    g_mutex_lock(&p->lock);
    long n = take_locked(p, recs, err);
    g_mutex_unlock(&p->lock);
    return n;
}

void ra_release(readahead *p)
{
    g_mutex_lock(&p->lock);
    release_locked(p);
    g_mutex_unlock(&p->lock);
}

long ra_next(readahead *p, const trace_rec **recs, vs_err *err)
{
    g_mutex_lock(&p->lock);
    if (p->held > 0)
        release_locked(p);
    long n = take_locked(p, recs, err);
    g_mutex_unlock(&p->lock);
    return n;
}

trace_digest ra_digest(readahead *p)
{
    g_mutex_lock(&p->lock);
    trace_digest d = p->digest;
    g_mutex_unlock(&p->lock);
    return d;
}

double ra_fraction(readahead *p)
{
    g_mutex_lock(&p->lock);
    double f = p->finished ? 1.0 : p->fraction;
    g_mutex_unlock(&p->lock);
    return f;
}

void ra_stop(readahead *p)
{
    if (!p)
        return;
    g_mutex_lock(&p->lock);
    p->stop = true;
    g_cond_broadcast(&p->cond);
    g_mutex_unlock(&p->lock);
    g_thread_join(p->thread);
    trace_close(p->reader);
    for (unsigned i = 0; i < p->nslots; i++)
        free(p->slots[i].recs);
    free(p->slots);
    g_mutex_clear(&p->lock);
    g_cond_clear(&p->cond);
    free(p);
}
