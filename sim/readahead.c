/*
 * readahead.c: the read-ahead thread of readahead.h -- a single-producer,
 * single-consumer ring of RA_SLOTS batches under one mutex.  The lock is
 * taken once per batch of RA_BATCH records, not per record, and each side
 * wakes the other only when it sleeps (a futex call saved per batch), the
 * worker only once RA_REFILL slots are free: on one core, where every
 * wake-up is a task switch, the two threads take turns every RA_REFILL
 * batches instead of every batch.
 *
 * When the process may run on one CPU only (`taskset -c 0`, a cgroup of one
 * CPU), no thread is started: the consumer reads each batch itself when it
 * asks for it (ra_next), with the same trace_read calls on batches of the
 * same size, so the records, their order, the errors and the digest are
 * those of the threaded reader.  On one CPU the thread overlaps nothing; it
 * costs a task switch and two futex calls per turn, and its batches leave
 * the cache between the two threads' turns.
 *
 * Invariants (under `lock`): filled + holding <= RA_SLOTS, so the worker
 * never writes the slot the consumer holds; the filled slots are
 * slots[head], slots[head + 1], ... (mod RA_SLOTS), in the order read; once
 * a slot with n <= 0 (the end or an error) is filled, `finished` is set and
 * the worker reads no more, so the consumer sees every batch once, in order,
 * then that answer; `digest` and `fraction` are those of the last batch
 * read.  Without a worker (inline_read) only slots[0] exists.
 */
#ifdef __linux__
#include <sched.h> /* sched_getaffinity, CPU_COUNT (the build defines _GNU_SOURCE) */
#endif
#include "readahead.h"

#include <assert.h>
#include <glib.h>
#include <stdlib.h>

#define RA_SLOTS 4      /* batches in flight: enough to ride out one slow inflate */
#define RA_BATCH 16384  /* records per batch: amortizes the lock and the wake-ups */
#define RA_REFILL 2     /* free slots that wake a full worker: it reads two batches per wake-up, and the
                           consumer still has one ready meanwhile */

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
    ra_slot slots[RA_SLOTS];
    unsigned head;   /* next slot the consumer takes */
    unsigned filled; /* slots ready for the consumer */
    bool holding;    /* the consumer holds slots[head - 1] */
    bool stop;       /* the consumer asks the worker to quit */
    bool worker_waits;   /* the worker sleeps until RA_REFILL slots are free */
    bool consumer_waits; /* the consumer sleeps until a batch is filled */
    bool finished;   /* the end or an error has been read */
    double fraction; /* of the input read, as of the last batch */
    trace_digest digest;
    bool inline_read; /* no worker: ra_next reads into slots[0] (one CPU) */
};

/* Reads the next batch into s, then takes the lock and publishes the digest
 * and progress after it; returns with the lock held. */
static void read_batch(readahead *p, ra_slot *s)
{
    s->n = trace_read(p->reader, s->recs, RA_BATCH, &s->err);
    double fraction = trace_progress(p->reader);
    g_mutex_lock(&p->lock);
    p->digest = trace_reader_digest(p->reader);
    p->fraction = fraction;
    if (s->n <= 0)
        p->finished = true;
}

static gpointer worker(gpointer data)
{
    readahead *p = data;
    unsigned tail = 0;
    for (;;) {
        g_mutex_lock(&p->lock);
        /* Keep one slot for the batch the consumer may be holding. */
        if (p->filled + (p->holding ? 1u : 0u) >= RA_SLOTS) {
            p->worker_waits = true;
            while (!p->stop && RA_SLOTS - (p->filled + (p->holding ? 1u : 0u)) < RA_REFILL)
                g_cond_wait(&p->cond, &p->lock);
            p->worker_waits = false;
        }
        bool stop = p->stop;
        g_mutex_unlock(&p->lock);
        if (stop)
            return NULL;
        ra_slot *s = &p->slots[tail];
        read_batch(p, s);
        p->filled++;
        bool done = s->n <= 0;
        if (p->consumer_waits)
            g_cond_broadcast(&p->cond);
        g_mutex_unlock(&p->lock);
        if (done)
            return NULL;
        tail = (tail + 1) % RA_SLOTS;
    }
}

/* True when the process may run on one CPU only.  GLib's
 * g_get_num_processors counts the CPUs online, not the affinity mask that
 * `taskset -c 0` sets, so the mask is asked directly where Linux has it. */
static bool one_cpu(void)
{
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set) == 1;
#endif
    return g_get_num_processors() == 1;
}

readahead *ra_start(trace_reader *r, ra_thread when)
{
    readahead *p = vs_calloc(1, sizeof *p);
    p->reader = r;
    g_mutex_init(&p->lock);
    g_cond_init(&p->cond);
    p->inline_read = when == RA_INLINE || (when == RA_AUTO && one_cpu());
    for (unsigned i = 0; i < (p->inline_read ? 1u : RA_SLOTS); i++)
        p->slots[i].recs = vs_malloc(RA_BATCH * sizeof(trace_rec));
    p->digest = trace_reader_digest(r);
    if (!p->inline_read)
        p->thread = g_thread_new("vmemsim-read", worker, p);
    return p;
}

/* ra_next without a worker: after the end or an error, that answer again. */
static long next_inline(readahead *p, const trace_rec **recs, vs_err *err)
{
    ra_slot *s = &p->slots[0];
    if (!p->finished) {
        read_batch(p, s); /* locked: ra_digest and ra_fraction may be asked from another thread */
        g_mutex_unlock(&p->lock);
    }
    if (s->n > 0)
        *recs = s->recs;
    else if (s->n < 0 && err)
        *err = s->err;
    return s->n;
}

long ra_next(readahead *p, const trace_rec **recs, vs_err *err)
{
    if (p->inline_read)
        return next_inline(p, recs, err);
    g_mutex_lock(&p->lock);
    if (p->holding) {
        p->holding = false;
        if (p->worker_waits && RA_SLOTS - p->filled >= RA_REFILL)
            g_cond_broadcast(&p->cond);
    }
    while (p->filled == 0) {
        p->consumer_waits = true;
        g_cond_wait(&p->cond, &p->lock);
    }
    p->consumer_waits = false;
    ra_slot *s = &p->slots[p->head];
    long n = s->n;
    if (n > 0) {
        p->filled--;
        p->head = (p->head + 1) % RA_SLOTS;
        p->holding = true;
    }
    g_mutex_unlock(&p->lock);
    if (n > 0)
        *recs = s->recs;
    else if (n < 0 && err) {
        *err = s->err;
    }
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
    if (p->thread)
        g_thread_join(p->thread);
    trace_close(p->reader);
    for (unsigned i = 0; i < RA_SLOTS; i++)
        free(p->slots[i].recs);
    g_mutex_clear(&p->lock);
    g_cond_clear(&p->cond);
    free(p);
}
